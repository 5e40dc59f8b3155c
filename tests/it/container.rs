//! The action's image in a real container engine, started the way the GitHub runner starts a
//! container action (runtime reference §2): `--workdir /github/workspace`, the runner's mounts
//! (but the Docker socket, which the action does not use), every variable by `-e NAME` (its
//! value from the engine's own environment), inputs as `INPUT_<NAME>` with hyphens kept,
//! `--entrypoint` for each phase, `STATE_*` for post.
//!
//! `.ci/container-e2e` builds the image (the Dockerfile replayed, assembled with umoci) and runs
//! these tests with `STORECONNECT_CONTAINER_IMAGE` (the image) and `STORECONNECT_CONTAINER_ENGINE`
//! (the engine's command line, e.g. podman with its storage, runtime and cgroup flags). Without
//! them each test prints why it is skipped and passes, so `cargo test` needs no engine.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::action::{Step, assert_no_secrets, input_env, parse_file_command};
use crate::common::*;

const MAIN: &str = "/usr/local/bin/storeconnect-triggers-action-main";
const POST: &str = "/usr/local/bin/storeconnect-triggers-action-post";

/// One container at a time: the benchmark lines then time one engine start each.
static ENGINE: Mutex<()> = Mutex::new(());

/// The engine's command line and the image, or `None` (and why) when not under `.ci/container-e2e`.
fn engine() -> Option<(Vec<String>, String)> {
    let image = std::env::var("STORECONNECT_CONTAINER_IMAGE").unwrap_or_default();
    if image.is_empty() {
        // Past the test harness's capture (the print macros), once, so a plain `cargo test`
        // says why these tests did nothing.
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(|| {
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "skipped: container:: tests: STORECONNECT_CONTAINER_IMAGE is not set; .ci/container-e2e runs them with the action's image in podman"
            );
        });
        return None;
    }
    let engine = std::env::var("STORECONNECT_CONTAINER_ENGINE").unwrap_or("podman".into());
    Some((
        engine.split_whitespace().map(str::to_string).collect(),
        image,
    ))
}

/// One emulated job on the host: the directories the runner mounts, and the step's inputs.
struct ContainerJob {
    engine: Vec<String>,
    image: String,
    root: PathBuf,
    inputs: Vec<(String, String)>,
    steps: u32,
}

/// A phase started in the engine: the engine's process, the container's name and its files.
struct Started {
    child: Child,
    name: String,
    files: BTreeMap<&'static str, PathBuf>,
    started: Instant,
}

impl ContainerJob {
    fn new(engine: Vec<String>, image: String, with: &[(&str, String)]) -> Self {
        let root = temp_dir("container");
        for dir in [
            "_temp/_github_home",
            "_temp/_github_workflow",
            "_temp/_runner_file_commands",
            "workspace",
        ] {
            std::fs::create_dir_all(root.join(dir)).expect("runner dir");
        }
        let mut inputs = input_env(with);
        // A container action always takes these two inputs too.
        inputs.push(("INPUT_ENTRYPOINT".into(), String::new()));
        inputs.push(("INPUT_ARGS".into(), String::new()));
        ContainerJob {
            engine,
            image,
            root,
            inputs,
            steps: 0,
        }
    }

    /// Starts a phase as the runner does (`docker run … --entrypoint <path> <image>`).
    fn start(&mut self, entrypoint: &str, state: &BTreeMap<String, String>) -> Started {
        self.steps += 1;
        let id = format!("{:08x}{:04x}", std::process::id(), self.steps);
        let fc = self.root.join("_temp/_runner_file_commands");
        let mut files = BTreeMap::new();
        let mut vars: Vec<(String, String)> = Vec::new();
        for (var, file) in [
            ("GITHUB_OUTPUT", "set_output"),
            ("GITHUB_STATE", "save_state"),
            ("GITHUB_STEP_SUMMARY", "step_summary"),
            ("GITHUB_ENV", "set_env"),
            ("GITHUB_PATH", "add_path"),
        ] {
            let name = format!("{file}_{id}");
            std::fs::write(fc.join(&name), "").expect("file command file");
            files.insert(file, fc.join(&name));
            vars.push((var.into(), format!("/github/file_commands/{name}")));
        }
        for (name, value) in state {
            vars.push((format!("STATE_{name}"), value.clone()));
        }
        vars.extend(self.inputs.iter().cloned());
        for (name, value) in [
            ("HOME", "/github/home"),
            ("GITHUB_WORKSPACE", "/github/workspace"),
            ("GITHUB_EVENT_PATH", "/github/workflow/event.json"),
            ("GITHUB_ACTION", "__run"),
            ("RUNNER_OS", "Linux"),
            ("RUNNER_TEMP", "/github/runner_temp"),
        ] {
            vars.push((name.into(), value.into()));
        }
        let name = format!("storeconnect-triggers_{id}");
        let mut command = Command::new(&self.engine[0]);
        command.args(&self.engine[1..]).args([
            "run",
            "--name",
            &name,
            "--label",
            "storeconnect-e2e",
            "--workdir",
            "/github/workspace",
            "--rm",
        ]);
        for (var, value) in &vars {
            command.args(["-e", var]).env(var, value);
        }
        command.args(["-e", "GITHUB_ACTIONS=true", "-e", "CI=true"]);
        command.args(["--entrypoint", entrypoint, "--network", "host"]);
        let host = |p: &str| self.root.join(p).display().to_string();
        for (from, to) in [
            ("_temp", "/github/runner_temp"),
            ("_temp/_github_home", "/github/home"),
            ("_temp/_github_workflow", "/github/workflow"),
            ("_temp/_runner_file_commands", "/github/file_commands"),
            ("workspace", "/github/workspace"),
        ] {
            command.args(["-v", &format!("{}:{to}", host(from))]);
        }
        command.arg(&self.image);
        let child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the container engine starts");
        Started {
            child,
            name,
            files,
            started: Instant::now(),
        }
    }

    /// Runs a phase to its end.
    fn run(&mut self, entrypoint: &str, state: &BTreeMap<String, String>) -> (Step, Duration) {
        self.start(entrypoint, state).finish()
    }

    fn engine_cmd(&self, args: &[&str]) -> Command {
        let mut command = Command::new(&self.engine[0]);
        command.args(&self.engine[1..]).args(args);
        command.stdout(Stdio::null()).stderr(Stdio::null());
        command
    }
}

impl Started {
    /// Waits for the engine to exit; the step as the runner reads it afterwards, and the wall time.
    fn finish(self) -> (Step, Duration) {
        let output = self.child.wait_with_output().expect("engine ends");
        let took = self.started.elapsed();
        let run = Run::from_output(output);
        let file = |f: &str| read(&self.files[f]);
        let raw_state = file("save_state");
        let files = [
            "set_output",
            "save_state",
            "step_summary",
            "set_env",
            "add_path",
        ]
        .map(file)
        .join("\n");
        let step = Step {
            outputs: parse_file_command(&file("set_output")),
            state: parse_file_command(&raw_state),
            raw_state,
            summary: file("step_summary"),
            files,
            run,
        };
        (step, took)
    }
}

fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

#[test]
fn guard_cycle_in_the_image_as_the_runner_starts_it() {
    let Some((engine, image)) = engine() else {
        return;
    };
    let _one = ENGINE.lock().unwrap_or_else(|e| e.into_inner());
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    let with = [("auth-url", org.auth_url()), ("timeout", "20".into())];
    let mut job = ContainerJob::new(engine, image, &with);
    let (main, main_took) = job.run(MAIN, &BTreeMap::new());
    main.run.expect(0);
    assert_eq!(main.output("previous-state"), Some("true"));
    assert_eq!(main.output("state"), Some("false"));
    assert_eq!(main.output("changed"), Some("true"));
    assert_eq!(main.saved("previous-state"), Some("true"));
    assert!(!main.summary.is_empty(), "main wrote a summary");
    assert!(!enabled(&org), "main turned the triggers off");
    let (post, post_took) = job.run(POST, &main.state);
    post.run.expect(0);
    assert!(
        post.summary.contains("true"),
        "post summary: {}",
        post.summary
    );
    assert!(enabled(&org), "post turned the triggers back on");
    assert_no_secrets(&org, &[&main, &post]);
    println!(
        "benchmark: container guard cycle, engine start included: main {}, post {}",
        secs(main_took),
        secs(post_took)
    );
}

#[test]
fn cancelled_main_as_pid_1_stops_and_post_restores() {
    let Some((engine, image)) = engine() else {
        return;
    };
    let _one = ENGINE.lock().unwrap_or_else(|e| e.into_inner());
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    // The org holds main's write: the cancel arrives while it is in flight.
    hold_the_next_write(&org, 4);
    let with = [("auth-url", org.auth_url()), ("timeout", "20".into())];
    let mut job = ContainerJob::new(engine, image, &with);
    let mut main = job.start(MAIN, &BTreeMap::new());
    let waiting = Instant::now();
    while !ops(&org).contains(&Op::UpdateMetadata) {
        assert!(
            waiting.elapsed() < Duration::from_secs(60),
            "main never wrote"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // The runner's sequence, through the engine: SIGINT, SIGTERM 7.5 s later, then a kill.
    let signalled = Instant::now();
    let mut sent = vec!["SIGINT"];
    job.engine_cmd(&["kill", "--signal", "SIGINT", &main.name])
        .status()
        .expect("engine kill");
    for (wait, next) in [(7.5, "SIGTERM"), (2.5, "SIGKILL")] {
        let until = Instant::now() + Duration::from_secs_f64(wait);
        while main.child.try_wait().expect("wait").is_none() && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(20));
        }
        if main.child.try_wait().expect("wait").is_some() {
            break;
        }
        sent.push(next);
        job.engine_cmd(&["kill", "--signal", next, &main.name])
            .status()
            .expect("engine kill");
    }
    let name = main.name.clone();
    let (main, _) = main.finish();
    let stopped = signalled.elapsed();
    // The README: main exits 130/143 on SIGINT/SIGTERM, with an ::error and a summary; its state
    // was written before the change.
    assert_eq!(sent, ["SIGINT"], "PID 1 {name} handles SIGINT: {main:?}");
    main.run
        .expect(130)
        .contains("::error")
        .contains("SIGINT received");
    assert!(main.summary.contains("**Failed:**"), "{}", main.summary);
    assert_eq!(main.saved("previous-state"), Some("true"));
    // The hold is released (the write lands) before post runs.
    assert!(
        org.wait_idle(Duration::from_secs(30)),
        "the held write ended"
    );
    let (post, post_took) = job.run(POST, &main.state);
    assert!(
        post.run.code != 0 || enabled(&org),
        "post exit 0 only with the org true: {post:?}"
    );
    assert!(enabled(&org), "post restored the triggers: {post:?}");
    if post.run.code != 0 {
        post.run.contains("::error");
    }
    assert_no_secrets(&org, &[&main, &post]);
    println!(
        "benchmark: container cancel: main stopped {} after SIGINT (engine kill included); post {} (exit {})",
        secs(stopped),
        secs(post_took),
        post.run.code
    );
}

#[test]
fn bad_configuration_fails_main_with_an_error_and_a_summary() {
    let Some((engine, image)) = engine() else {
        return;
    };
    let _one = ENGINE.lock().unwrap_or_else(|e| e.into_inner());
    // As the chroot run of .ci/oci-image: mode check without credentials.
    let mut job = ContainerJob::new(engine, image, &[("mode", "check".into())]);
    let (main, main_took) = job.run(MAIN, &BTreeMap::new());
    main.run.expect(2).contains("::error");
    assert!(!main.summary.is_empty(), "main wrote a summary");
    assert!(main.raw_state.is_empty(), "no state: {}", main.raw_state);
    let (post, post_took) = job.run(POST, &main.state);
    post.run.expect(0);
    assert!(!post.run.all().contains("::error"), "{:?}", post.run);
    assert!(post.outputs.is_empty());
    println!(
        "benchmark: container bad configuration: main {}, post {}",
        secs(main_took),
        secs(post_took)
    );
}
