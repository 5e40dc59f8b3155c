//! Runner emulation: main then post through their entrypoint paths, with the env and files the
//! GitHub runner creates for a Docker container action (see the runtime reference).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;

/// `(name, default)` of every input in action.yml, in order.
pub fn action_inputs() -> Vec<(String, Option<String>)> {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("action.yml"))
        .expect("action.yml");
    let mut inputs = Vec::new();
    let mut in_inputs = false;
    for line in text.lines() {
        if !line.starts_with(' ') && !line.trim().is_empty() && !line.starts_with('#') {
            in_inputs = line.trim_end() == "inputs:";
            continue;
        }
        if !in_inputs {
            continue;
        }
        if let Some(name) = line
            .strip_prefix("  ")
            .and_then(|l| l.strip_suffix(':'))
            .filter(|n| !n.starts_with(' '))
        {
            inputs.push((name.to_string(), None));
        } else if let Some(default) = line.strip_prefix("    default:") {
            let value = default.trim().trim_matches('"').to_string();
            inputs.last_mut().expect("default after an input").1 = Some(value);
        }
    }
    inputs
}

/// Parses a file-command file (`name=value` and `name<<DELIM` heredocs), as the runner does.
pub fn parse_file_command(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut lines = text.split('\n');
    while let Some(line) = lines.next() {
        if line.is_empty() {
            continue;
        }
        assert!(!line.contains('\r'), "CRLF in a file command");
        let eq = line.find('=');
        let heredoc = line.find("<<");
        match (eq, heredoc) {
            (Some(e), h) if h.is_none_or(|h| e < h) => {
                out.insert(line[..e].to_string(), line[e + 1..].to_string());
            }
            (_, Some(h)) => {
                let (name, delimiter) = (&line[..h], &line[h + 2..]);
                let mut value = Vec::new();
                loop {
                    let next = lines.next().expect("heredoc delimiter");
                    if next == delimiter {
                        break;
                    }
                    value.push(next);
                }
                out.insert(name.to_string(), value.join("\n"));
            }
            _ => panic!("malformed file command line {line:?}"),
        }
    }
    out
}

/// One emulated job: its directories and the inputs of the step.
pub struct Job {
    root: PathBuf,
    bin_dir: PathBuf,
    inputs: Vec<(String, String)>,
    steps: u32,
    /// Extra variables for both phases (e.g. test knobs of debug builds).
    env: Vec<(String, String)>,
}

/// What one phase left behind.
#[derive(Debug)]
pub struct Step {
    pub run: Run,
    pub outputs: BTreeMap<String, String>,
    pub state: BTreeMap<String, String>,
    pub raw_state: String,
    pub summary: String,
    pub files: String,
}

struct StepFiles {
    output: PathBuf,
    state: PathBuf,
    summary: PathBuf,
    env: PathBuf,
    path: PathBuf,
}

impl Job {
    /// A job whose step says `with:` these inputs; action.yml's defaults fill the rest.
    pub fn new(with: &[(&str, String)]) -> Self {
        let root = temp_dir("job");
        let bin_dir = root.join("usr-local-bin");
        std::fs::create_dir_all(&bin_dir).expect("bin dir");
        for name in [
            "storeconnect-triggers-action-main",
            "storeconnect-triggers-action-post",
        ] {
            std::os::unix::fs::symlink(BIN, bin_dir.join(name)).expect("entrypoint link");
        }
        for dir in ["home", "workspace", "file_commands", "workflow"] {
            std::fs::create_dir_all(root.join(dir)).expect("runner dir");
        }
        let mut inputs = Vec::new();
        for (name, default) in action_inputs() {
            let value = with
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.clone())
                .or(default)
                .unwrap_or_default();
            inputs.push((format!("INPUT_{}", name.to_ascii_uppercase()), value));
        }
        Job {
            root,
            bin_dir,
            inputs,
            steps: 0,
            env: Vec::new(),
        }
    }

    /// Sets an environment variable for both phases.
    pub fn env(&mut self, name: &str, value: &str) -> &mut Self {
        self.env.push((name.to_string(), value.to_string()));
        self
    }

    fn command(&mut self, phase: &str, state: &BTreeMap<String, String>) -> (Command, StepFiles) {
        self.steps += 1;
        let n = self.steps;
        let fc = self.root.join("file_commands");
        let files = StepFiles {
            output: fc.join(format!("set_output_{n}")),
            state: fc.join(format!("save_state_{n}")),
            summary: fc.join(format!("step_summary_{n}")),
            env: fc.join(format!("set_env_{n}")),
            path: fc.join(format!("add_path_{n}")),
        };
        for f in [
            &files.output,
            &files.state,
            &files.summary,
            &files.env,
            &files.path,
        ] {
            std::fs::write(f, "").expect("file command file");
        }
        let mut command = Command::new(
            self.bin_dir
                .join(format!("storeconnect-triggers-action-{phase}")),
        );
        command
            .env_clear()
            .current_dir(self.root.join("workspace"))
            .stdin(Stdio::null());
        for (name, value) in state {
            command.env(format!("STATE_{name}"), value);
        }
        for (name, value) in &self.inputs {
            command.env(name, value);
        }
        command
            .env("INPUT_ENTRYPOINT", "")
            .env("INPUT_ARGS", "")
            .env("HOME", self.root.join("home"))
            .env("GITHUB_WORKSPACE", self.root.join("workspace"))
            .env("GITHUB_EVENT_PATH", self.root.join("workflow/event.json"))
            .env("GITHUB_OUTPUT", &files.output)
            .env("GITHUB_STATE", &files.state)
            .env("GITHUB_STEP_SUMMARY", &files.summary)
            .env("GITHUB_ENV", &files.env)
            .env("GITHUB_PATH", &files.path)
            .env("GITHUB_ACTION", "__run")
            .env("GITHUB_ACTIONS", "true")
            .env("CI", "true")
            .env("RUNNER_OS", "Linux")
            .env("RUNNER_TEMP", self.root.join("runner_temp"));
        for (name, value) in &self.env {
            command.env(name, value);
        }
        (command, files)
    }

    fn finish(files: StepFiles, run: Run) -> Step {
        let raw_state = read(&files.state);
        let files_text = [
            &files.output,
            &files.state,
            &files.summary,
            &files.env,
            &files.path,
        ]
        .map(|f| read(f))
        .join("\n");
        Step {
            outputs: parse_file_command(&read(&files.output)),
            state: parse_file_command(&raw_state),
            raw_state,
            summary: read(&files.summary),
            files: files_text,
            run,
        }
    }

    /// Runs main.
    pub fn main(&mut self) -> Step {
        let (mut command, files) = self.command("main", &BTreeMap::new());
        let run = Run::from_output(command.output().expect("main runs"));
        Self::finish(files, run)
    }

    /// Starts main without waiting (for signals and crashes).
    pub fn spawn_main(&mut self) -> (Child, impl FnOnce(Child) -> Step) {
        let (mut command, files) = self.command("main", &BTreeMap::new());
        let child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("main starts");
        (child, move |child: Child| {
            Self::finish(
                files,
                Run::from_output(child.wait_with_output().expect("main ends")),
            )
        })
    }

    /// Runs post with `STATE_*` built from main's state file, as the runner does.
    pub fn post(&mut self, main: Option<&Step>) -> Step {
        let state = main.map(|m| m.state.clone()).unwrap_or_default();
        let (mut command, files) = self.command("post", &state);
        let run = Run::from_output(command.output().expect("post runs"));
        Self::finish(files, run)
    }
}

fn with_org(org: &SimOrg, auth: Auth, extra: &[(&str, &str)]) -> Vec<(&'static str, String)> {
    let mut with = auth_settings(org, auth);
    with.push(("timeout", "20".into()));
    for (k, v) in extra {
        let key: &'static str = match *k {
            "mode" => "mode",
            "dry-run" => "dry-run",
            "setting-type" => "setting-type",
            "setting-record" => "setting-record",
            "setting-field" => "setting-field",
            "timeout" => "timeout",
            other => panic!("unknown input {other}"),
        };
        with.push((key, v.to_string()));
    }
    with
}

fn pinned_with(org: &SimOrg, auth: Auth, extra: &[(&str, &str)]) -> Vec<(&'static str, String)> {
    let mut with = with_org(org, auth, extra);
    with.extend(pins(org));
    with
}

/// Every secret a job could hold, and the texts it must not appear in.
pub fn assert_no_secrets(org: &SimOrg, steps: &[&Step]) {
    let mut secrets: Vec<String> = vec![simorg::CLIENT_SECRET.to_string()];
    let auth_url = org.auth_url();
    let refresh = auth_url
        .rsplit_once('@')
        .and_then(|(creds, _)| creds.rsplit(':').next())
        .expect("refresh token")
        .to_string();
    secrets.push(refresh);
    for key in [simorg::JWT_KEY_PEM, simorg::JWT_KEY_PKCS1_PEM] {
        secrets.extend(
            key.lines()
                .filter(|l| !l.starts_with("-----") && l.len() > 20)
                .map(str::to_string),
        );
    }
    for step in steps {
        let text = format!("{}\n{}\n{}", step.run.stdout, step.run.stderr, step.files);
        // Access tokens: only ever inside their own ::add-mask:: command.
        let masked: Vec<String> = text
            .lines()
            .filter_map(|l| l.strip_prefix("::add-mask::"))
            .map(str::to_string)
            .collect();
        let other: String = text
            .lines()
            .filter(|l| !l.starts_with("::add-mask::"))
            .collect::<Vec<_>>()
            .join("\n");
        for token in &masked {
            assert!(
                !other.contains(token.as_str()),
                "an access token leaked outside its mask:\n{other}"
            );
        }
        for secret in &secrets {
            assert!(!text.contains(secret.as_str()), "a secret leaked:\n{text}");
        }
    }
}

#[test]
fn guard_clean_run_for_every_auth_method() {
    for auth in ALL_AUTH {
        let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
        let before = other_values(&org);
        let mut job = Job::new(&with_org(&org, auth, &[]));
        let main = job.main();
        main.run.expect(0);
        assert_eq!(
            main.state.get("previous-state").map(String::as_str),
            Some("true"),
            "{auth:?}"
        );
        assert_eq!(
            main.outputs.get("previous-state").map(String::as_str),
            Some("true")
        );
        assert_eq!(main.outputs.get("state").map(String::as_str), Some("false"));
        assert_eq!(
            main.outputs.get("changed").map(String::as_str),
            Some("true")
        );
        assert!(!enabled(&org), "{auth:?}: main disabled");
        assert!(
            main.summary.contains("| Before | `true` |")
                && main.summary.contains("| After | `false` |"),
            "{}",
            main.summary
        );
        assert!(main.summary.contains("| Org | localhost |"));
        assert!(main.summary.contains(&org.full_name()));
        assert!(main.summary.contains("| Duration |"));
        assert!(main.run.stderr.contains("::group::") && main.run.stderr.contains("::endgroup::"));

        // The wrapped job runs (and may fail) here; post does not care.
        let post = job.post(Some(&main));
        post.run
            .expect(0)
            .contains("Before the job the triggers were true");
        assert!(enabled(&org), "{auth:?}: post re-enabled");
        assert_eq!(other_values(&org), before);
        assert!(
            post.summary.contains("| Before | `false` |")
                && post.summary.contains("| After | `true` |")
        );
        assert!(
            post.summary.contains("| Before the job | `true` |"),
            "{}",
            post.summary
        );
        assert!(
            post.outputs.is_empty(),
            "post writes no outputs (the runner discards them)"
        );
        if auth == Auth::AccessToken {
            assert!(
                main.run.stderr.starts_with("::add-mask::"),
                "the token is masked before anything else"
            );
        } else {
            assert!(
                main.run.stderr.contains("::add-mask::00DSIM"),
                "minted tokens are masked"
            );
        }
        assert_no_secrets(&org, &[&main, &post]);
    }
}

#[test]
fn guard_post_restores_when_main_crashed_after_disabling() {
    // Main disabled the org, then died before writing anything (no STATE_ at all).
    let org = start_org(FieldKind::Text, RecordKind::Subscriber, false);
    let mut job = Job::new(&with_org(&org, Auth::Jwt, &[]));
    let post = job.post(None);
    post.run.expect(0).contains("Main left no saved state");
    assert!(enabled(&org));

    // Main killed (SIGKILL, no chance to clean up) right after its write: state was saved first.
    let org = SimOrg::start(OrgConfig {
        readback_lag: Duration::from_secs(30),
        ..OrgConfig::default()
    });
    let mut job = Job::new(&pinned_with(&org, Auth::AuthUrl, &[]));
    let (child, finish) = job.spawn_main();
    let started = Instant::now();
    while enabled(&org) {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "main never wrote"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    Command::new("kill")
        .args(["-KILL", &child.id().to_string()])
        .status()
        .expect("kill");
    let main = finish(child);
    assert_ne!(main.run.code, 0);
    assert_eq!(
        main.state.get("previous-state").map(String::as_str),
        Some("true"),
        "state is written before the change"
    );
    let post = job.post(Some(&main));
    post.run.expect(0);
    assert!(enabled(&org));
}

#[test]
fn guard_main_stops_promptly_on_sigint_and_post_restores() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    // Main has written false and is slow to read it back when SIGINT arrives.
    org.inject(Fault::new(
        Op::Query,
        1,
        FaultAction::Delay(Duration::from_secs(8)),
    ));
    let mut job = Job::new(&pinned_with(&org, Auth::Jwt, &[]));
    let (child, finish) = job.spawn_main();
    let started = Instant::now();
    while enabled(&org) || !ops(&org).contains(&Op::Query) {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "main never wrote"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let signalled = Instant::now();
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    let main = finish(child);
    assert!(
        signalled.elapsed() < Duration::from_secs(2),
        "main exits within a second or two"
    );
    main.run
        .expect(130)
        .contains("::error")
        .contains("SIGINT received");
    assert!(main.summary.contains("**Failed:**"));
    assert_eq!(
        main.state.get("previous-state").map(String::as_str),
        Some("true")
    );
    assert!(!enabled(&org), "main was stopped after its write");
    org.clear_requests();
    let post = job.post(Some(&main));
    post.run.expect(0);
    assert!(ops(&org).contains(&Op::UpdateMetadata), "post wrote true");
    assert!(enabled(&org));
}

/// Starts post after a main that disabled the org, waits until post is reading, then signals it.
fn signal_post(signal: &str) -> (SimOrg, Step) {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    let mut job = Job::new(&pinned_with(&org, Auth::ClientCredentials, &[]));
    let main = job.main();
    main.run.expect(0);
    org.clear_requests();
    org.inject(Fault::new(
        Op::ReadMetadata,
        1,
        FaultAction::Delay(Duration::from_secs(3)),
    ));
    let state = main.state.clone();
    let (mut command, files) = job.command("post", &state);
    let child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("post starts");
    let started = Instant::now();
    while !ops(&org).contains(&Op::ReadMetadata) {
        assert!(started.elapsed() < Duration::from_secs(20));
        std::thread::sleep(Duration::from_millis(20));
    }
    Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .expect("kill");
    let post = Job::finish(
        files,
        Run::from_output(child.wait_with_output().expect("post ends")),
    );
    (org, post)
}

#[test]
fn guard_post_keeps_restoring_on_sigint() {
    let (org, post) = signal_post("INT");
    post.run.expect(0).contains("SIGINT ignored");
    assert!(enabled(&org));
}

#[test]
fn guard_post_stops_and_fails_loudly_on_sigterm() {
    let (org, post) = signal_post("TERM");
    post.run.expect(1).contains("::error").contains(
        "SIGTERM received: stopped before the StoreConnect triggers were verified as enabled",
    );
    assert!(post.summary.contains("**Failed:**"));
    assert!(!enabled(&org));
}

#[test]
fn guard_post_restores_after_the_wrapped_job_failed() {
    let org = start_org(FieldKind::Text, RecordKind::Packaged, true);
    let mut job = Job::new(&with_org(&org, Auth::AuthUrl, &[]));
    let main = job.main();
    main.run.expect(0);
    // The job's own step fails while the triggers are off; the runner still runs post (post-if: always()).
    let failed = Command::new("sh")
        .args(["-c", "exit 1"])
        .status()
        .expect("job step");
    assert!(!failed.success());
    assert_eq!(org.setting(), Value::Text("false".into()));
    job.post(Some(&main)).run.expect(0);
    assert_eq!(org.setting(), Value::Text("true".into()));
}

#[test]
fn guard_warns_when_the_triggers_were_already_off() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, false);
    let mut job = Job::new(&pinned_with(&org, Auth::Jwt, &[]));
    let main = job.main();
    main.run
        .expect(0)
        .contains("::warning title=Triggers were already off::");
    assert_eq!(
        main.outputs.get("changed").map(String::as_str),
        Some("false")
    );
    assert_eq!(
        main.state.get("previous-state").map(String::as_str),
        Some("false")
    );
    job.post(Some(&main))
        .run
        .expect(0)
        .contains("Before the job the triggers were false");
    assert!(enabled(&org), "guard always ends with the triggers on");
}

#[test]
fn guard_post_signs_in_afresh_after_the_token_expired() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    let mut job = Job::new(&pinned_with(&org, Auth::Jwt, &[]));
    let main = job.main();
    main.run.expect(0);
    org.expire_sessions();
    org.clear_requests();
    let post = job.post(Some(&main));
    post.run.expect(0);
    assert_eq!(
        ops(&org)[0],
        Op::Token,
        "post signs in from the inputs, not with main's token"
    );
    assert!(enabled(&org));
    assert!(
        !main.raw_state.contains("00DSIM"),
        "no token is persisted in state"
    );
}

#[test]
fn guard_post_recovers_from_a_transient_write_failure() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    let mut job = Job::new(&pinned_with(&org, Auth::ClientCredentials, &[]));
    let main = job.main();
    main.run.expect(0);
    org.inject(Fault::status(
        Op::UpdateMetadata,
        2,
        503,
        "Service Unavailable",
    ));
    let post = job.post(Some(&main));
    post.run.expect(0).contains("retrying");
    assert!(enabled(&org));
}

#[test]
fn guard_post_fails_the_step_on_a_permanent_write_failure() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    let mut job = Job::new(&pinned_with(&org, Auth::AuthUrl, &[]));
    let main = job.main();
    main.run.expect(0);
    org.inject(Fault::status(
        Op::UpdateMetadata,
        10,
        500,
        &soap_fault(
            "INSUFFICIENT_ACCESS",
            "insufficient access rights on object id",
        ),
    ));
    let post = job.post(Some(&main));
    post.run
        .expect(3)
        .contains("::error title=StoreConnect triggers%3A guard (post) failed::")
        .contains("faultcode sf:INSUFFICIENT_ACCESS");
    assert!(
        post.summary.contains("**Failed:**") && post.summary.contains("sf:INSUFFICIENT_ACCESS")
    );
    assert!(post.summary.contains("**What to do:**"));
    assert!(!enabled(&org));
    assert_no_secrets(&org, &[&main, &post]);
}

#[test]
fn check_mode_on_enabled_and_disabled_orgs() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    let mut job = Job::new(&with_org(&org, Auth::AccessToken, &[("mode", "check")]));
    let main = job.main();
    main.run.expect(0);
    assert_eq!(main.outputs.get("state").map(String::as_str), Some("true"));
    let post = job.post(Some(&main));
    post.run.expect(0).contains("nothing to do");
    assert!(
        post.summary.contains("check (post)") && post.summary.contains("nothing (mode check"),
        "{}",
        post.summary
    );

    org.set_setting(Value::Bool(false));
    let mut job = Job::new(&with_org(&org, Auth::AccessToken, &[("mode", "check")]));
    let main = job.main();
    main.run
        .expect(1)
        .contains("::error title=StoreConnect triggers are OFF::");
    assert_eq!(main.outputs.get("state").map(String::as_str), Some("false"));
    assert!(main.summary.contains("triggers are OFF"));
    assert!(!enabled(&org), "check changes nothing");
    assert!(!ops(&org).contains(&Op::UpdateMetadata));
}

#[test]
fn enable_and_disable_modes_do_one_thing() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, false);
    let mut job = Job::new(&with_org(&org, Auth::Jwt, &[("mode", "enable")]));
    let main = job.main();
    main.run.expect(0);
    assert_eq!(
        main.outputs.get("changed").map(String::as_str),
        Some("true")
    );
    assert!(main.state.is_empty(), "only guard saves state");
    assert!(enabled(&org));
    org.clear_requests();
    job.post(Some(&main))
        .run
        .expect(0)
        .contains("nothing to do");
    assert!(org.requests().is_empty());
}

#[test]
fn dry_run_changes_nothing_in_main_or_post() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    let mut job = Job::new(&with_org(&org, Auth::Jwt, &[("dry-run", "true")]));
    let main = job.main();
    main.run.expect(0);
    assert_eq!(
        main.outputs.get("changed").map(String::as_str),
        Some("false")
    );
    assert_eq!(
        main.outputs.get("previous-state").map(String::as_str),
        Some("true")
    );
    assert!(main.summary.contains("dry run: would set false"));
    assert!(enabled(&org));
    org.set_setting(Value::Bool(false));
    let post = job.post(Some(&main));
    post.run.expect(0);
    assert!(post.summary.contains("dry run: would set true"));
    assert!(!enabled(&org), "post dry run wrote nothing");
    assert!(!ops(&org).contains(&Op::UpdateMetadata));
}

#[test]
fn bad_inputs_fail_main_with_exit_2_and_an_annotation() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    let mut with = with_org(&org, Auth::Jwt, &[]);
    with.push(("auth-url", org.auth_url()));
    let mut job = Job::new(&with);
    let main = job.main();
    main.run
        .expect(2)
        .contains("::error")
        .contains("select different sign-in methods");
    assert!(main.summary.contains("**Failed:**"));
    let mut job = Job::new(&with_org(&org, Auth::Jwt, &[("mode", "sometimes")]));
    job.main().run.expect(2).contains("mode `sometimes`");
    assert!(org.requests().is_empty());
}

#[test]
fn every_action_input_is_documented_and_known_to_the_binary() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let inputs = action_inputs();
    assert!(inputs.len() >= 15, "parsed action.yml inputs: {inputs:?}");
    for (name, _) in inputs {
        assert!(
            readme.contains(&format!("| `{name}` |")),
            "input `{name}` is missing from the README's inputs table"
        );
        assert!(
            name == "mode" || storeconnect_triggers::config::SETTING_NAMES.contains(&name.as_str()),
            "input `{name}` is unknown to the binary"
        );
    }
    for name in storeconnect_triggers::config::SETTING_NAMES {
        assert!(
            readme.contains(&format!(
                "STORECONNECT_{}",
                name.to_ascii_uppercase().replace('-', "_")
            )),
            "{name} env var documented"
        );
    }
}

#[test]
fn file_command_parser_matches_the_runner() {
    let parsed = parse_file_command("a=1\n\nb<<EOF\nx=y\nz\nEOF\nc=d<<e\n");
    assert_eq!(parsed.get("a").map(String::as_str), Some("1"));
    assert_eq!(parsed.get("b").map(String::as_str), Some("x=y\nz"));
    assert_eq!(parsed.get("c").map(String::as_str), Some("d<<e"));
}
