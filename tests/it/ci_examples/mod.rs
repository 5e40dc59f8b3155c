//! The examples for CI systems other than GitHub (`templates/`, `docs/ci/`) and the Bitbucket pipe.
//!
//! Each example marks its steps with a comment line, `# [test:PHASE]` (`// [test:PHASE]` in the
//! Jenkinsfile), right above the step. These tests read the marked steps, check that each example
//! has the phases its system needs in the right order (`run`: the command through
//! `storeconnect-triggers run --`; `restore`: the always-run `enable`; `verify` where the restore's
//! exit code is ignored), and run them in that order through the compiled binary against the
//! simulated org — the maintenance command replaced by one that fails (or succeeds) — applying the
//! system's own rule for which steps run after a failure and whose exit code counts. They prove
//! that the org ends `true` and the pipeline's outcome is right.

mod install;
mod pipelines;

use std::collections::HashMap;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::common::*;

/// When a step runs, and whether its exit code decides the pipeline's outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// Runs only while nothing before it has failed; its failure fails the pipeline.
    Main,
    /// Runs whatever happened before it (`condition: always()`, `post { always }`,
    /// `when: always`, a GitLab job with `when: always`, a Bitbucket `final` step); its
    /// failure fails the pipeline.
    Always,
    /// Runs whatever happened before it, but the system ignores its exit code: GitLab's
    /// `after_script` and Bitbucket's `after-script`.
    AlwaysIgnored,
}

use Kind::*;

/// An example file and the phases it must mark, in order, with the kind its system gives them.
struct Example {
    path: &'static str,
    phases: &'static [(&'static str, Kind)],
    /// Where each always-run phase must sit: `(phase, enclosing lines, nearest first, each
    /// matched by prefix, the first one's block holding `evidence`)`. This ties the kinds
    /// above to the file: moving the restore out of its always-run place fails the test.
    places: &'static [(&'static str, &'static [&'static str], &'static str)],
}

/// `run --` the command, restore in a place whose exit code is ignored, so a later always-run
/// step verifies.
const RUN_RESTORE_IGNORED_THEN_VERIFY: &[(&str, Kind)] = &[
    ("run", Main),
    ("restore", AlwaysIgnored),
    ("verify", Always),
];

/// `run --` the command, then restore in an always-run step whose failure fails the pipeline.
const RUN_RESTORE_COUNTS: &[(&str, Kind)] = &[("run", Main), ("restore", Always)];

const EXAMPLES: &[Example] = &[
    Example {
        path: "templates/storeconnect-triggers-guard.yml",
        phases: RUN_RESTORE_IGNORED_THEN_VERIFY,
        places: &[
            ("run", &["script:", "\"$[[ inputs.job-name ]]\":"], ""),
            ("restore", &["after_script:"], ""),
            (
                "verify",
                &["script:", "\"$[[ inputs.job-name ]]-verify\":"],
                "",
            ),
            (
                "verify",
                &["\"$[[ inputs.job-name ]]-verify\":"],
                "when: always",
            ),
        ],
    },
    Example {
        path: "docs/ci/bitbucket-pipelines.yml",
        phases: RUN_RESTORE_IGNORED_THEN_VERIFY,
        places: &[
            ("run", &["script:", "- step:"], ""),
            ("restore", &["after-script:"], ""),
            ("verify", &["script:", "- final:"], ""),
        ],
    },
    Example {
        path: "docs/ci/azure-pipelines.yml",
        phases: RUN_RESTORE_COUNTS,
        places: &[("restore", &["- script:"], "condition: always()")],
    },
    Example {
        path: "docs/ci/Jenkinsfile",
        phases: RUN_RESTORE_COUNTS,
        places: &[
            ("run", &["steps {", "stage("], ""),
            ("restore", &["always {", "post {"], ""),
        ],
    },
    Example {
        path: "docs/ci/circleci-config.yml",
        phases: RUN_RESTORE_COUNTS,
        places: &[("restore", &["- run:"], "when: always")],
    },
];

/// A marked step.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    /// A shell command line.
    Shell(String),
    /// A Bitbucket pipe: the release image, run with these variables and no arguments.
    Pipe(Vec<(String, String)>),
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

fn is_comment(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with('#') || t.starts_with("//")
}

/// The marked steps of a file, in file order: `(phase, step)`.
fn marked_steps(text: &str) -> Vec<(String, Step)> {
    marked_lines(text)
        .into_iter()
        .map(|(phase, j)| {
            let lines: Vec<&str> = text.lines().collect();
            (phase, parse_step(&lines, j))
        })
        .collect()
}

/// The marked lines of a file, in file order: `(phase, index of the marked line)`.
fn marked_lines(text: &str) -> Vec<(String, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut steps = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim_start();
        let Some(rest) = t
            .strip_prefix("# [test:")
            .or_else(|| t.strip_prefix("// [test:"))
        else {
            continue;
        };
        let phase = rest.split(']').next().unwrap_or_default().to_string();
        let j = (i + 1..lines.len())
            .find(|&j| !is_comment(lines[j]) && !lines[j].trim().is_empty())
            .unwrap_or_else(|| panic!("marker {phase} marks nothing"));
        steps.push((phase, j));
    }
    steps
}

/// The step on line `j`: a YAML list item or key (`- cmd`, `script: cmd`, `command: cmd`,
/// `- pipe: …` with its `variables:`), or a Jenkins `sh 'cmd'` or `sh(script: 'cmd', …)`.
fn parse_step(lines: &[&str], j: usize) -> Step {
    let mut t = lines[j].trim();
    if let Some((_, rest)) = t.split_once("sh(script: '") {
        let command = rest.split_once('\'').map_or(rest, |(c, _)| c);
        return Step::Shell(command.to_string());
    }
    t = t.strip_prefix("- ").unwrap_or(t);
    if t.starts_with("pipe: ") {
        let mut vars = Vec::new();
        for line in &lines[j + 1..] {
            if line.trim().is_empty() || indent(line) <= indent(lines[j]) {
                break;
            }
            if let Some((k, v)) = line.trim().split_once(": ") {
                vars.push((k.to_string(), v.trim().to_string()));
            }
        }
        return Step::Pipe(vars);
    }
    for prefix in ["script: ", "command: ", "sh "] {
        t = t.strip_prefix(prefix).unwrap_or(t);
    }
    Step::Shell(t.trim_matches(|c| c == '\'' || c == '"').to_string())
}

/// Line `j` and the lines that enclose it (each the nearest earlier line indented less than
/// the one before), nearest first.
fn enclosing(lines: &[&str], j: usize) -> Vec<usize> {
    let mut chain = vec![j];
    let mut level = indent(lines[j]);
    for k in (0..j).rev() {
        let line = lines[k];
        if !line.trim().is_empty() && !is_comment(line) && indent(line) < level {
            chain.push(k);
            level = indent(line);
        }
    }
    chain
}

/// Line `k` and every later line indented more (its YAML block, or Groovy block by layout).
fn block(lines: &[&str], k: usize) -> String {
    let mut text = lines[k].to_string();
    for line in &lines[k + 1..] {
        if !line.trim().is_empty() && indent(line) <= indent(lines[k]) {
            break;
        }
        text.push('\n');
        text.push_str(line);
    }
    text
}

fn read_example(path: &str) -> String {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

/// The steps of `example` with their kinds, checked against what it must mark.
fn steps_of(example: &Example) -> Vec<(&'static str, Kind, Step)> {
    let marked: Vec<(String, Step)> = marked_steps(&read_example(example.path))
        .into_iter()
        .filter(|(phase, _)| phase != "install")
        .collect();
    let names: Vec<&str> = marked.iter().map(|(p, _)| p.as_str()).collect();
    let want: Vec<&str> = example.phases.iter().map(|(p, _)| *p).collect();
    assert_eq!(names, want, "{}: marked phases", example.path);
    example
        .phases
        .iter()
        .zip(marked)
        .map(|(&(phase, kind), (_, step))| (phase, kind, step))
        .collect()
}

/// What a CI system holds in its secret store, by the names the examples use.
fn secret_store(org: &SimOrg) -> HashMap<String, String> {
    let mut store = HashMap::new();
    for (name, value) in auth_settings(org, Auth::ClientCredentials) {
        let sf = format!("SF_{}", name.to_ascii_uppercase().replace('-', "_"));
        store.insert(sf, value.clone());
        store.insert(env_name(name), value);
    }
    store
}

/// A process with a clean environment and the binary on PATH as `storeconnect-triggers`.
fn process(program: &str) -> Command {
    let bin_dir = Path::new(BIN).parent().expect("binary dir");
    let mut command = Command::new(program);
    command
        .env_clear()
        .env(
            "PATH",
            format!(
                "{}:{}",
                bin_dir.display(),
                std::env::var("PATH").unwrap_or_default()
            ),
        )
        .env("STORECONNECT_TIMEOUT", "20")
        .stdin(Stdio::null());
    command
}

/// The process of one step as its system would start it.
fn step_command(step: &Step, store: &HashMap<String, String>, extra: &[(&str, &str)]) -> Command {
    let mut command = match step {
        Step::Shell(line) => {
            // The system maps the secrets into the step's environment (env:, credentials(),
            // a context, masked CI/CD variables, repository variables) under the names the
            // binary reads.
            let mut c = process("sh");
            c.arg("-c").arg(line);
            for (k, v) in store.iter().filter(|(k, _)| k.starts_with("STORECONNECT_")) {
                c.env(k, v);
            }
            c
        }
        Step::Pipe(vars) => {
            // Bitbucket runs the pipe's image with its variables ($NAME expanded from the
            // secured variables) as the environment, and no arguments.
            let mut c = process(BIN);
            for (k, v) in vars {
                let value = match v.strip_prefix('$') {
                    Some(name) => store
                        .get(name)
                        .unwrap_or_else(|| panic!("no secured variable {name}"))
                        .clone(),
                    None => v.clone(),
                };
                c.env(k, value);
            }
            c
        }
    };
    for (k, v) in extra {
        command.env(k, v);
    }
    command
}

/// Runs one step as its system would and returns its exit code.
fn run_step(step: &Step, store: &HashMap<String, String>, extra: &[(&str, &str)]) -> Run {
    Run::from_output(
        step_command(step, store, extra)
            .output()
            .expect("step runs"),
    )
}

/// The outcome of one emulated pipeline.
struct Outcome {
    failed: bool,
    /// Whether the org was disabled while the maintenance command ran.
    off_during_work: bool,
    log: String,
}

/// How the maintenance command ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Work {
    /// The command exits with this shell code, and `run` restores.
    Exit(&'static str),
    /// The system kills the whole step (SIGKILL) while the command runs: `run` cannot
    /// restore, only the always-run backstop can.
    Killed,
}

/// The `run --` step with its command replaced by one that records whether the org was off,
/// waits for `go`, then ends as `work` says: runs it, calling `before_restore` while the
/// command waits (so a fault hits `run`'s own restore). Returns the step's run and whether
/// the org was off during the command.
fn run_guarded(
    step: &Step,
    store: &HashMap<String, String>,
    org: &SimOrg,
    work: Work,
    before_restore: &impl Fn(&SimOrg),
) -> (Run, bool) {
    let end = match work {
        Work::Exit(code) => code,
        Work::Killed => "sleep 60",
    };
    let Step::Shell(line) = step else {
        panic!("the run step is a shell line: {step:?}")
    };
    let prefix = "storeconnect-triggers run -- ";
    assert!(
        line.starts_with(prefix),
        "the work runs through `{prefix}`: {line}"
    );
    let dir = temp_dir("ci-run");
    let (seen, go) = (dir.join("seen"), dir.join("go"));
    let command = format!(
        "{prefix}sh -c 'storeconnect-triggers status >/dev/null 2>&1; echo $? > {seen}; \
         while [ ! -e {go} ]; do sleep 0.02; done; {end}'",
        seen = seen.display(),
        go = go.display(),
    );
    let mut step = step_command(&Step::Shell(command), store, &[]);
    // Its own process group, so that a kill takes the step with everything it started.
    std::os::unix::process::CommandExt::process_group(&mut step, 0);
    let mut child = step
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run step starts");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    // The shell creates the file before it writes the code: wait for the code.
    let reported = || std::fs::read_to_string(&seen).is_ok_and(|code| code.ends_with('\n'));
    while !reported()
        && std::time::Instant::now() < deadline
        && child.try_wait().expect("run step state").is_none()
    {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // `status` exits 1 when the triggers are off.
    let off = std::fs::read_to_string(&seen).is_ok_and(|code| code.trim() == "1");
    before_restore(org);
    if work == Work::Killed {
        // The shell, `run` and the command all go at once, as when a runner is torn down.
        let group = format!("-{}", child.id());
        let killed = std::process::Command::new("kill")
            .args(["-KILL", "--", &group])
            .status()
            .expect("kill runs");
        assert!(killed.success(), "the step's process group was killed");
    }
    std::fs::write(&go, "").expect("go");
    let run = Run::from_output(child.wait_with_output().expect("run step ends"));
    (run, off)
}

/// Runs the steps in order with `work` as the maintenance command; `before_restore` runs
/// while the command runs, after `run` disabled (to inject faults into its restore).
fn run_pipeline(
    steps: &[(&str, Kind, Step)],
    org: &SimOrg,
    work: Work,
    before_restore: impl Fn(&SimOrg),
) -> Outcome {
    let store = secret_store(org);
    let mut failed = false;
    let mut off_during_work = false;
    let mut log = String::new();
    for (phase, kind, step) in steps {
        if *kind == Main && failed {
            log.push_str(&format!("[{phase}] skipped\n"));
            continue;
        }
        let run = if *phase == "run" {
            let (run, off) = run_guarded(step, &store, org, work, &before_restore);
            off_during_work = off;
            run
        } else {
            run_step(step, &store, &[])
        };
        log.push_str(&format!("[{phase}] exit {}\n{}\n", run.code, run.all()));
        if run.code != 0 && *kind != AlwaysIgnored {
            failed = true;
        }
    }
    Outcome {
        failed,
        off_during_work,
        log,
    }
}
