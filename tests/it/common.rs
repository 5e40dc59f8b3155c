//! Shared helpers: run the compiled binary against a simulated org with a clean environment.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

pub use simorg::{Fault, FaultAction, FieldKind, Op, OrgConfig, RecordKind, SimOrg, Value};

/// The binary under test: the compiled CLI, or the file `STORECONNECT_TEST_BIN` names (e.g. the
/// aarch64 release build that `.ci/arm64` runs these tests with under emulation).
pub const BIN: &Bin = &Bin;

/// See [`BIN`]; usable wherever a path or a `&str` is (`Path::new(BIN)`, `symlink(BIN, …)`, `{BIN}`).
pub struct Bin;

impl std::ops::Deref for Bin {
    type Target = str;

    fn deref(&self) -> &str {
        static PATH: OnceLock<String> = OnceLock::new();
        PATH.get_or_init(|| match std::env::var("STORECONNECT_TEST_BIN") {
            Ok(bin) if !bin.is_empty() => {
                let path = std::fs::canonicalize(&bin)
                    .unwrap_or_else(|e| panic!("STORECONNECT_TEST_BIN {bin}: {e}"));
                path.to_str().expect("a UTF-8 path").to_string()
            }
            _ => env!("CARGO_BIN_EXE_storeconnect-triggers").to_string(),
        })
    }
}

impl AsRef<Path> for Bin {
    fn as_ref(&self) -> &Path {
        Path::new(&**self)
    }
}

impl AsRef<OsStr> for Bin {
    fn as_ref(&self) -> &OsStr {
        OsStr::new(&**self)
    }
}

impl std::fmt::Display for Bin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self)
    }
}

/// A command that starts `program` (the binary under test or a link to it), through
/// `STORECONNECT_TEST_RUNNER` when set (e.g. `qemu-aarch64-static` for a foreign binary where
/// binfmt_misc does not run it directly; argv[0] stays `program`).
pub fn bin_command(program: impl AsRef<OsStr>) -> Command {
    match std::env::var_os("STORECONNECT_TEST_RUNNER").filter(|r| !r.is_empty()) {
        Some(runner) => {
            let mut command = Command::new(runner);
            command.arg(program);
            command
        }
        None => Command::new(program),
    }
}

/// The four sign-in methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(clippy::enum_variant_names)] // named after the four documented methods
pub enum Auth {
    AccessToken,
    AuthUrl,
    Jwt,
    ClientCredentials,
}

pub const ALL_AUTH: [Auth; 4] = [
    Auth::AccessToken,
    Auth::AuthUrl,
    Auth::Jwt,
    Auth::ClientCredentials,
];

/// Settings (kebab-case names) that sign in to `org` with `auth`.
pub fn auth_settings(org: &SimOrg, auth: Auth) -> Vec<(&'static str, String)> {
    match auth {
        Auth::AccessToken => vec![
            ("instance-url", org.instance_url()),
            ("access-token", org.issue_access_token()),
        ],
        Auth::AuthUrl => vec![("auth-url", org.auth_url())],
        Auth::Jwt => vec![
            ("client-id", simorg::CLIENT_ID.into()),
            ("username", simorg::USERNAME.into()),
            ("jwt-key", simorg::JWT_KEY_PEM.into()),
            ("login-url", org.url()),
        ],
        Auth::ClientCredentials => vec![
            ("client-id", simorg::CLIENT_ID.into()),
            ("client-secret", simorg::CLIENT_SECRET.into()),
            ("instance-url", org.instance_url()),
        ],
    }
}

/// Pinned names for `org`.
pub fn pins(org: &SimOrg) -> Vec<(&'static str, String)> {
    vec![
        ("setting-type", org.type_name().to_string()),
        ("setting-record", org.record_name()),
        ("setting-field", org.field_name().to_string()),
    ]
}

/// A CLI run that signs in to `org` with `auth` and pins the setting's names (no discovery).
pub fn pinned(org: &SimOrg, auth: Auth, args: &[&str]) -> Cli {
    let mut cli = Cli::for_org(org, auth, args);
    cli.settings(&pins(org));
    cli
}

/// `STORECONNECT_INSTANCE_URL` for `instance-url`.
pub fn env_name(setting: &str) -> String {
    format!(
        "STORECONNECT_{}",
        setting.to_ascii_uppercase().replace('-', "_")
    )
}

/// A finished run.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn from_output(output: Output) -> Self {
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Both streams, for searching.
    pub fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }

    #[track_caller]
    pub fn expect(&self, code: i32) -> &Self {
        assert_eq!(
            self.code, code,
            "exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }

    #[track_caller]
    pub fn contains(&self, text: &str) -> &Self {
        assert!(
            self.all().contains(text),
            "expected {text:?} in output\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout,
            self.stderr
        );
        self
    }
}

/// A command line for the CLI with a cleared environment.
pub struct Cli {
    command: Command,
}

impl Cli {
    pub fn new(args: &[&str]) -> Self {
        let mut command = bin_command(BIN);
        command
            .args(args)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default());
        command.stdin(Stdio::null());
        Cli { command }
    }

    /// Signs in to `org` with `auth` and pins nothing.
    pub fn for_org(org: &SimOrg, auth: Auth, args: &[&str]) -> Self {
        let mut cli = Cli::new(args);
        cli.settings(&auth_settings(org, auth))
            .setting("timeout", "20");
        cli
    }

    pub fn setting(&mut self, name: &str, value: &str) -> &mut Self {
        self.command.env(env_name(name), value);
        self
    }

    pub fn settings(&mut self, settings: &[(&str, String)]) -> &mut Self {
        for (name, value) in settings {
            self.setting(name, value);
        }
        self
    }

    pub fn env(&mut self, name: &str, value: &str) -> &mut Self {
        self.command.env(name, value);
        self
    }

    pub fn run(&mut self) -> Run {
        Run::from_output(self.command.output().expect("binary runs"))
    }

    pub fn command(&mut self) -> &mut Command {
        &mut self.command
    }
}

/// Operations the org saw, in order.
pub fn ops(org: &SimOrg) -> Vec<Op> {
    org.requests().iter().map(|r| r.op).collect()
}

/// How many `op` requests the org saw.
pub fn count(org: &SimOrg, op: Op) -> usize {
    ops(org).iter().filter(|o| **o == op).count()
}

/// A fresh empty directory under the system temp dir.
pub fn temp_dir(tag: &str) -> PathBuf {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "sct-{tag}-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Starts an org with the given tweaks.
pub fn start_org(field_kind: FieldKind, record_kind: RecordKind, enabled: bool) -> SimOrg {
    SimOrg::start(OrgConfig {
        field_kind,
        record_kind,
        enabled,
        ..OrgConfig::default()
    })
}

/// The record's values other than the Setting field.
pub fn other_values(org: &SimOrg) -> Vec<(String, Value)> {
    let field = org.field_name().to_string();
    org.record()
        .values
        .into_iter()
        .filter(|(f, _)| *f != field)
        .collect()
}

/// The Setting value as a bool (checkbox or text).
pub fn enabled(org: &SimOrg) -> bool {
    match org.setting() {
        Value::Bool(b) => b,
        Value::Text(t) => t == "true",
        other => panic!("setting is {other:?}"),
    }
}

/// Reads a file, or "" when missing.
pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

/// Makes the org refuse the next ten metadata writes with INSUFFICIENT_ACCESS, as for a user
/// without the right.
pub fn refuse_writes(org: &SimOrg) {
    let fault = soap_fault(
        "INSUFFICIENT_ACCESS",
        "insufficient access rights on object id",
    );
    org.inject(Fault::status(Op::UpdateMetadata, 10, 500, &fault));
}

/// A SOAP fault body.
pub fn soap_fault(code: &str, message: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:sf="http://soap.sforce.com/2006/04/metadata"><soapenv:Body><soapenv:Fault><faultcode>sf:{code}</faultcode><faultstring>{code}: {message}</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>"#
    )
}

/// Holds the org's answer to the next updateMetadata for `seconds` (the write is applied then):
/// a write that gets no answer within a shorter timeout, and lands late.
pub fn hold_the_next_write(org: &SimOrg, seconds: u64) {
    org.inject(Fault::new(
        Op::UpdateMetadata,
        1,
        FaultAction::Delay(std::time::Duration::from_secs(seconds)),
    ));
}
