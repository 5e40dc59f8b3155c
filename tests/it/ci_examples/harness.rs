//! Runs the examples' steps as each CI system would: secrets from its store, the `run --` step
//! with a stand-in command, kills and injected faults, and the system's rule for whose exit code
//! counts.

use std::collections::HashMap;
use std::path::Path;
use std::process::{Command, Stdio};

use super::{Kind, Step};
use crate::common::*;
use Kind::*;

/// What a CI system holds in its secret store, by the names the examples use.
pub(super) fn secret_store(org: &SimOrg) -> HashMap<String, String> {
    let mut store = HashMap::new();
    for (name, value) in auth_settings(org, Auth::ClientCredentials) {
        let sf = format!("SF_{}", name.to_ascii_uppercase().replace('-', "_"));
        store.insert(sf, value.clone());
        store.insert(env_name(name), value);
    }
    store
}

/// A process with a clean environment and the binary on PATH as `storeconnect-triggers`.
pub(super) fn process(program: &str) -> Command {
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
pub(super) fn step_command(
    step: &Step,
    store: &HashMap<String, String>,
    extra: &[(&str, &str)],
) -> Command {
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
pub(super) fn run_step(
    step: &Step,
    store: &HashMap<String, String>,
    extra: &[(&str, &str)],
) -> Run {
    Run::from_output(
        step_command(step, store, extra)
            .output()
            .expect("step runs"),
    )
}

/// The outcome of one emulated pipeline.
pub(super) struct Outcome {
    pub(super) failed: bool,
    /// Whether the org was disabled while the maintenance command ran.
    pub(super) off_during_work: bool,
    pub(super) log: String,
}

/// How the maintenance command ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Work {
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
pub(super) fn run_guarded(
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
pub(super) fn run_pipeline(
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
