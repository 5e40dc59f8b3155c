//! Runner emulation: main then post through their entrypoint paths, with the env and files the
//! GitHub runner creates for a Docker container action (see the runtime reference).

mod guard;
mod modes;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

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

/// A guard job (the default mode) pinned to `org`'s names, with this timeout.
pub fn guard_job(org: &SimOrg, timeout: &str) -> Job {
    Job::new(&pinned_with(org, Auth::Jwt, &[("timeout", timeout)]))
}

/// Starts main, waits until the org holds its updateMetadata, then sends it `signal` (`-INT`,
/// `-KILL`); returns main's step and when main was started.
pub fn signal_main_during_its_write(
    job: &mut Job,
    org: &SimOrg,
    signal: &str,
) -> (Step, std::time::Instant) {
    let (child, finish) = job.spawn_main();
    let started = std::time::Instant::now();
    while !ops(org).contains(&Op::UpdateMetadata) {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "main never wrote"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .expect("kill");
    (finish(child), started)
}

/// The `INPUT_*` variables the runner sets for a step `with:` these inputs: every input of
/// action.yml, with its default where `with` does not name it.
pub fn input_env(with: &[(&str, String)]) -> Vec<(String, String)> {
    action_inputs()
        .into_iter()
        .map(|(name, default)| {
            let given = with
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.clone());
            let value = given.or(default).unwrap_or_default();
            (format!("INPUT_{}", name.to_ascii_uppercase()), value)
        })
        .collect()
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

impl Step {
    /// The output `name` the step wrote, if it wrote one.
    pub fn output(&self, name: &str) -> Option<&str> {
        self.outputs.get(name).map(String::as_str)
    }

    /// The state `name` the step saved for post, if it saved one.
    pub fn saved(&self, name: &str) -> Option<&str> {
        self.state.get(name).map(String::as_str)
    }
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
        Job {
            root,
            bin_dir,
            inputs: input_env(with),
            steps: 0,
            env: Vec::new(),
        }
    }

    /// The workspace (`GITHUB_WORKSPACE`, the phases' working directory).
    pub fn workspace(&self) -> PathBuf {
        self.root.join("workspace")
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
        let mut command = bin_command(
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

/// `with:` inputs that sign in to `org` with `auth`, a 20 s timeout, and `extra` (which goes first:
/// the first value of an input wins, so `extra` may override the timeout).
pub fn with_org<'a>(org: &SimOrg, auth: Auth, extra: &[(&'a str, &str)]) -> Vec<(&'a str, String)> {
    let mut with: Vec<_> = extra.iter().map(|(k, v)| (*k, v.to_string())).collect();
    with.extend(auth_settings(org, auth));
    with.push(("timeout", "20".into()));
    with
}

/// [`with_org`] with the setting's names pinned.
pub fn pinned_with<'a>(
    org: &SimOrg,
    auth: Auth,
    extra: &[(&'a str, &str)],
) -> Vec<(&'a str, String)> {
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
