//! The examples for CI systems other than GitHub (`templates/`, `docs/ci/`) and the Bitbucket pipe.
//!
//! Each example marks its steps with a comment line, `# [test:PHASE]` (`// [test:PHASE]` in the
//! Jenkinsfile), right above the step. These tests read the marked steps, check that each example
//! has the phases its system needs in the right order, and run them in that order through the
//! compiled binary against the simulated org — the maintenance command replaced by one that fails
//! (or succeeds) — applying the system's own rule for which steps run after a failure and whose
//! exit code counts. They prove that the org ends `true` and the pipeline's outcome is right.

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

/// Restore in a place whose exit code is ignored, so a later always-run step verifies.
const RESTORE_IGNORED_THEN_VERIFY: &[(&str, Kind)] = &[
    ("disable", Main),
    ("work", Main),
    ("restore", AlwaysIgnored),
    ("verify", Always),
];

/// Restore in an always-run step whose failure fails the pipeline.
const RESTORE_COUNTS: &[(&str, Kind)] = &[("disable", Main), ("work", Main), ("restore", Always)];

const EXAMPLES: &[Example] = &[
    Example {
        path: "templates/storeconnect-triggers-guard.yml",
        phases: RESTORE_IGNORED_THEN_VERIFY,
        places: &[
            ("restore", &["after_script:"], ""),
            (
                "verify",
                &["script:", "\"$[[ inputs.job-name ]]-verify\":"],
                "",
            ),
            (
                "verify",
                &["\"$[[ inputs.job-name ]]-verify\":"],
                "- when: always",
            ),
        ],
    },
    Example {
        path: "docs/ci/bitbucket-pipelines.yml",
        phases: RESTORE_IGNORED_THEN_VERIFY,
        places: &[
            ("restore", &["after-script:"], ""),
            ("verify", &["script:", "- final:"], ""),
        ],
    },
    Example {
        path: "docs/ci/azure-pipelines.yml",
        phases: RESTORE_COUNTS,
        places: &[("restore", &["- script:"], "condition: always()")],
    },
    Example {
        path: "docs/ci/Jenkinsfile",
        phases: RESTORE_COUNTS,
        places: &[("restore", &["always {", "post {"], "")],
    },
    Example {
        path: "docs/ci/circleci-config.yml",
        phases: RESTORE_COUNTS,
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
/// `- pipe: …` with its `variables:`), or a Jenkins `sh 'cmd'`.
fn parse_step(lines: &[&str], j: usize) -> Step {
    let mut t = lines[j].trim();
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

/// Runs one step as its system would and returns its exit code.
fn run_step(step: &Step, store: &HashMap<String, String>, extra: &[(&str, &str)]) -> Run {
    let mut command = match step {
        Step::Shell(line) => {
            // The system maps the secrets into the step's environment (env:, credentials(),
            // a context, masked CI/CD variables) under the names the binary reads.
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
    Run::from_output(command.output().expect("step runs"))
}

/// The outcome of one emulated pipeline.
struct Outcome {
    failed: bool,
    /// Whether the org was disabled while the maintenance command ran.
    off_during_work: bool,
    log: String,
}

/// Runs the steps in order with `work` as the maintenance command; `before_restore` runs
/// just after it (to inject faults).
fn run_pipeline(
    steps: &[(&str, Kind, Step)],
    org: &SimOrg,
    work: &str,
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
        let step = if *phase == "work" {
            off_during_work = !enabled(org);
            Step::Shell(work.to_string())
        } else {
            step.clone()
        };
        let run = run_step(&step, &store, &[]);
        log.push_str(&format!("[{phase}] exit {}\n{}\n", run.code, run.all()));
        if run.code != 0 && *kind != AlwaysIgnored {
            failed = true;
        }
        if *phase == "work" {
            before_restore(org);
        }
    }
    Outcome {
        failed,
        off_during_work,
        log,
    }
}

#[test]
fn a_failing_command_leaves_the_org_on_and_fails_the_pipeline() {
    for example in EXAMPLES {
        let steps = steps_of(example);
        let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
        let out = run_pipeline(&steps, &org, "exit 1", |_| {});
        assert!(
            out.off_during_work,
            "{}: off during the command\n{}",
            example.path, out.log
        );
        assert!(enabled(&org), "{}: back on\n{}", example.path, out.log);
        assert!(
            out.failed,
            "{}: the pipeline fails\n{}",
            example.path, out.log
        );
    }
}

#[test]
fn a_passing_command_leaves_the_org_on_and_passes() {
    for example in EXAMPLES {
        let steps = steps_of(example);
        let org = start_org(FieldKind::Text, RecordKind::Subscriber, true);
        let out = run_pipeline(&steps, &org, "exit 0", |_| {});
        assert!(
            out.off_during_work,
            "{}: off during the command\n{}",
            example.path, out.log
        );
        assert!(enabled(&org), "{}: back on\n{}", example.path, out.log);
        assert!(
            !out.failed,
            "{}: the pipeline passes\n{}",
            example.path, out.log
        );
    }
}

#[test]
fn a_restore_the_org_refuses_fails_the_pipeline_even_after_a_passing_command() {
    // GitLab and Bitbucket ignore after_script's exit code: their verify step must catch this.
    for example in EXAMPLES {
        let steps = steps_of(example);
        let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
        let out = run_pipeline(&steps, &org, "exit 0", |org| {
            org.inject(Fault::status(
                Op::UpdateMetadata,
                100,
                500,
                &soap_fault(
                    "INSUFFICIENT_ACCESS",
                    "use of the Metadata API requires a user with the ModifyAllData permission",
                ),
            ));
        });
        assert!(!enabled(&org), "{}: the fault kept it off", example.path);
        assert!(
            out.failed,
            "{}: the pipeline fails when the final state is not true\n{}",
            example.path, out.log
        );
        assert!(out.log.contains("INSUFFICIENT_ACCESS"), "{}", out.log);
    }
}

#[test]
fn the_gitlab_health_check_fails_when_off_and_heals_when_asked() {
    let text = read_example("templates/storeconnect-triggers-check.yml");
    let steps = marked_steps(&text);
    let [(phase, step)] = &steps[..] else {
        panic!("one marked step: {steps:?}");
    };
    assert_eq!(phase, "check");
    for (enabled_before, heal, code, enabled_after) in [
        (true, "true", 0, true),
        (false, "true", 1, true),
        (false, "false", 1, false),
    ] {
        let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, enabled_before);
        let run = run_step(step, &secret_store(&org), &[("HEAL", heal)]);
        run.expect(code);
        assert_eq!(enabled(&org), enabled_after, "heal={heal}: {}", run.all());
    }
}

#[test]
fn every_example_reads_the_secrets_from_its_store() {
    for example in EXAMPLES {
        let text = read_example(example.path);
        let names: &[&str] = if example.path.contains("bitbucket") {
            &["$SF_CLIENT_ID", "$SF_CLIENT_SECRET", "$SF_INSTANCE_URL"]
        } else if example.path.contains("templates/") {
            // GitLab CI/CD variables carry the binary's own names; nothing to map.
            &["STORECONNECT_CLIENT_SECRET"]
        } else {
            &[
                "STORECONNECT_CLIENT_ID",
                "STORECONNECT_CLIENT_SECRET",
                "STORECONNECT_INSTANCE_URL",
            ]
        };
        for name in names {
            assert!(text.contains(name), "{}: {name}", example.path);
        }
        assert!(
            !text.contains("client_secret=") && !text.contains("force://"),
            "{}: no literal credentials",
            example.path
        );
    }
}

#[test]
fn the_pipe_lists_every_setting_as_a_variable() {
    let pipe = read_example("pipe.yml");
    let names = ["STORECONNECT_COMMAND".to_string()].into_iter().chain(
        storeconnect_triggers::config::SETTING_NAMES
            .iter()
            .map(|n| env_name(n)),
    );
    for name in names {
        assert!(
            pipe.contains(&format!("- name: {name}\n")),
            "pipe.yml lists {name}"
        );
    }
}

#[test]
fn the_command_can_come_from_storeconnect_command() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    let cli = |command: &str, args: &[&str]| {
        let mut cli = Cli::for_org(&org, Auth::ClientCredentials, args);
        cli.env("STORECONNECT_COMMAND", command);
        cli.run()
    };
    cli("disable", &[]).expect(0).contains("true -> false");
    assert!(!enabled(&org));
    cli("status", &[]).expect(1).contains("disabled");
    // Arguments win over the variable.
    cli("disable", &["enable"])
        .expect(0)
        .contains("false -> true");
    assert!(enabled(&org));
    cli(" status\n", &[]).expect(0).contains("enabled");
}

#[test]
fn a_bad_storeconnect_command_exits_2_before_any_request() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, false);
    for bad in ["frobnicate", "run", "status --json", "help"] {
        org.clear_requests();
        let mut cli = Cli::for_org(&org, Auth::ClientCredentials, &[]);
        cli.env("STORECONNECT_COMMAND", bad);
        cli.run()
            .expect(2)
            .contains("STORECONNECT_COMMAND")
            .contains("use status, check, enable, disable");
        assert!(org.requests().is_empty(), "{bad}: no request");
    }
    // Unset or blank: no command, as before.
    let mut cli = Cli::for_org(&org, Auth::ClientCredentials, &[]);
    cli.env("STORECONNECT_COMMAND", " ");
    cli.run().expect(2).contains("no command given");
    assert!(!enabled(&org));
}

#[test]
fn every_restore_sits_where_its_system_always_runs_it() {
    for example in EXAMPLES {
        let text = read_example(example.path);
        let lines: Vec<&str> = text.lines().collect();
        let marked = marked_lines(&text);
        for (phase, want, evidence) in example.places {
            let (_, j) = marked
                .iter()
                .find(|(p, _)| p == phase)
                .unwrap_or_else(|| panic!("{}: no {phase}", example.path));
            let chain = enclosing(&lines, *j);
            // Each wanted line must enclose the step, in this order, nearest first.
            let mut found = Vec::new();
            let mut rest = chain.iter();
            for prefix in *want {
                let k = rest
                    .find(|&&k| lines[k].trim().starts_with(prefix))
                    .unwrap_or_else(|| {
                        panic!(
                            "{}: {phase} is not inside `{prefix}` (enclosed by {:?})",
                            example.path,
                            chain.iter().map(|&k| lines[k].trim()).collect::<Vec<_>>()
                        )
                    });
                found.push(*k);
            }
            assert!(
                block(&lines, found[0]).contains(evidence),
                "{}: `{}` lacks `{evidence}`",
                example.path,
                lines[found[0]].trim()
            );
        }
    }
}

/// The text of the install script marked `[test:install]`: a YAML block scalar (`|`) or a
/// Jenkins `sh '''…'''`.
fn install_script(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let (_, j) = marked_lines(text)
        .into_iter()
        .find(|(p, _)| p == "install")
        .expect("an install step");
    let body: Vec<&str> = if lines[j].trim_end().ends_with("'''") {
        lines[j + 1..]
            .iter()
            .take_while(|l| l.trim() != "'''")
            .copied()
            .collect()
    } else {
        assert!(lines[j].trim_end().ends_with('|'), "{}", lines[j]);
        let first = lines[j + 1..]
            .iter()
            .find(|l| !l.trim().is_empty())
            .expect("a script");
        let depth = indent(first);
        lines[j + 1..]
            .iter()
            .take_while(|l| l.trim().is_empty() || indent(l) >= depth)
            .copied()
            .collect()
    };
    let depth = body.iter().map(|l| indent(l)).min().unwrap_or(0);
    body.iter()
        .map(|l| l.get(depth..).unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n")
}

/// A release as the convention lays it out, for this machine's target, under `root/download/`.
/// `tamper` changes the archive after its checksum was taken.
fn fake_release(root: &Path, tamper: bool) {
    let target = match std::env::consts::ARCH {
        "aarch64" => "aarch64-unknown-linux-musl",
        _ => "x86_64-unknown-linux-musl",
    };
    let dir = root.join("download/v1.0.0");
    let stage = root.join("stage");
    std::fs::create_dir_all(&dir).expect("release dir");
    std::fs::create_dir_all(&stage).expect("stage dir");
    std::fs::write(
        stage.join("storeconnect-triggers"),
        "#!/bin/sh\necho fake-release\n",
    )
    .expect("fake binary");
    let asset = format!("storeconnect-triggers-1.0.0-{target}.tar.gz");
    let script = format!(
        "set -eu; chmod +x {stage}/storeconnect-triggers; \
         tar -czf {dir}/{asset} -C {stage} storeconnect-triggers; cd {dir}; \
         sha256sum {asset} > SHA256SUMS; \
         echo '{zeros}  storeconnect-triggers-1.0.0-aarch64-apple-darwin.tar.gz' >> SHA256SUMS; \
         if {tamper}; then echo x >> {asset}; fi",
        stage = stage.display(),
        dir = dir.display(),
        zeros = "0".repeat(64),
    );
    let status = Command::new("sh")
        .arg("-c")
        .arg(script)
        .status()
        .expect("sh runs");
    assert!(status.success(), "fake release built");
}

#[test]
fn the_install_steps_check_the_release_checksum() {
    // (file, where the step leaves the binary, relative to the test's root)
    let cases = [
        ("templates/storeconnect-triggers-guard.yml", "usr/local/bin"),
        (
            "docs/ci/azure-pipelines.yml",
            "agent-temp/storeconnect-triggers",
        ),
        ("docs/ci/Jenkinsfile", "workspace/.storeconnect-triggers"),
        ("docs/ci/circleci-config.yml", "home/.storeconnect-triggers"),
    ];
    for (path, installed) in cases {
        for tamper in [false, true] {
            let root = temp_dir("ci-install");
            fake_release(&root, tamper);
            for d in ["usr/local/bin", "agent-temp", "workspace", "home", "tmp"] {
                std::fs::create_dir_all(root.join(d)).unwrap();
            }
            // The download host becomes a file:// URL; the system's own paths, temp dirs.
            let script = install_script(&read_example(path))
                .replace(
                    "https://github.com/storeconnect/storeconnect-triggers/releases/download",
                    &format!("file://{}/download", root.display()),
                )
                .replace(
                    "/usr/local/bin",
                    &root.join("usr/local/bin").to_string_lossy(),
                )
                .replace(
                    "$(Agent.TempDirectory)",
                    &root.join("agent-temp").to_string_lossy(),
                );
            let r = |d: &str| root.join(d).to_string_lossy().into_owned();
            let out = Command::new("sh")
                .arg("-c")
                .arg(&script)
                .env_clear()
                .env("PATH", std::env::var("PATH").unwrap_or_default())
                .env("STORECONNECT_TRIGGERS_VERSION", "1.0.0")
                .env("WORKSPACE", r("workspace"))
                .env("HOME", r("home"))
                .env("TMPDIR", r("tmp"))
                .env("BASH_ENV", r("bash_env"))
                .stdin(Stdio::null())
                .output()
                .unwrap();
            let run = Run::from_output(out);
            let binary = root.join(installed).join("storeconnect-triggers");
            if tamper {
                assert_ne!(run.code, 0, "{path}: a tampered archive must fail");
                assert!(
                    run.all().contains("FAILED"),
                    "{path}: sha256sum says so\n{}",
                    run.all()
                );
                assert!(!binary.exists(), "{path}: nothing installed");
            } else {
                assert_eq!(run.code, 0, "{path}: installs\n{}", run.all());
                let ran = Command::new(&binary)
                    .output()
                    .expect("installed binary runs");
                assert_eq!(
                    String::from_utf8_lossy(&ran.stdout),
                    "fake-release\n",
                    "{path}"
                );
            }
        }
    }
}
