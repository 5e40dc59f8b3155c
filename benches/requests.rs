//! Round trips per operation against the simulated org, and the release binary's size.
//! A benchmark, not a timed test: it counts requests, which do not depend on machine speed.
//!
//! The peak memory of a health check on a big org (100,000 records listed, ~55 MB) too.
//!
//! `cargo bench --bench requests` (fails if a budget is exceeded).

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime};

use simorg::{Listing, Op, OrgConfig, SimOrg};

const BIN: &str = env!("CARGO_BIN_EXE_storeconnect-triggers");

#[derive(Clone, Copy, Debug, PartialEq)]
enum Auth {
    Token,
    Jwt,
}

fn settings(org: &SimOrg, auth: Auth, pinned: bool) -> Vec<(String, String)> {
    let mut s: Vec<(&str, String)> = match auth {
        Auth::Token => vec![
            ("INSTANCE_URL", org.instance_url()),
            ("ACCESS_TOKEN", org.issue_access_token()),
        ],
        Auth::Jwt => vec![
            ("CLIENT_ID", simorg::CLIENT_ID.into()),
            ("USERNAME", simorg::USERNAME.into()),
            ("JWT_KEY", simorg::JWT_KEY_PEM.into()),
            ("LOGIN_URL", org.url()),
        ],
    };
    if pinned {
        s.push(("SETTING_TYPE", org.type_name().into()));
        s.push(("SETTING_RECORD", org.record_name()));
        s.push(("SETTING_FIELD", org.field_name().into()));
    }
    s.into_iter()
        .map(|(k, v)| (format!("STORECONNECT_{k}"), v))
        .collect()
}

fn run_cli(org: &SimOrg, auth: Auth, pinned: bool, args: &[&str]) -> Vec<Op> {
    org.clear_requests();
    let status = Command::new(BIN)
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(settings(org, auth, pinned))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("binary runs");
    assert!(
        matches!(status.code(), Some(0 | 1)),
        "{args:?} failed: {status}"
    );
    org.requests().iter().map(|r| r.op).collect()
}

fn run_action(org: &SimOrg, auth: Auth) -> Vec<Op> {
    org.clear_requests();
    let dir = std::env::temp_dir().join(format!("sct-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let mut state = String::new();
    for phase in ["main", "post"] {
        let link = dir.join(format!("storeconnect-triggers-action-{phase}"));
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink(BIN, &link).expect("link");
        let state_file = dir.join(format!("state-{phase}"));
        std::fs::write(&state_file, "").expect("state");
        let mut command = Command::new(&link);
        command
            .env_clear()
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_STATE", &state_file);
        for (k, v) in settings(org, auth, true) {
            command.env(
                k.replace("STORECONNECT_", "INPUT_")
                    .replace('_', "-")
                    .replacen("INPUT-", "INPUT_", 1),
                v,
            );
        }
        for line in state.lines() {
            if let Some((k, v)) = line.split_once('=') {
                command.env(format!("STATE_{k}"), v);
            }
        }
        let status = command
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("phase runs");
        assert!(status.success(), "{phase} failed");
        state = std::fs::read_to_string(&state_file).unwrap_or_default();
    }
    let _ = std::fs::remove_dir_all(&dir);
    org.requests().iter().map(|r| r.op).collect()
}

/// Records listed by the big org: ~565 bytes each.
const BIG_ORG_RECORDS: usize = 100_000;
/// The most resident memory the binary may use to find who and when among them.
const PEAK_RSS_BUDGET_KB: i64 = 20 * 1024;

/// The peak resident memory (KB) of `check` on an org listing [`BIG_ORG_RECORDS`] custom
/// metadata records, the triggers' last among them; checks it found who and when.
#[allow(clippy::zombie_processes)] // reaped by wait4 in `wait_with_peak_rss`
fn big_org_peak_rss_kb() -> i64 {
    let org = SimOrg::start(OrgConfig {
        enabled: false,
        listing: Listing {
            filler: BIG_ORG_RECORDS,
            entries: Vec::new(),
        },
        ..OrgConfig::default()
    });
    org.set_last_modified("Bench Admin", SystemTime::now() - Duration::from_secs(600));
    let mut child = Command::new(BIN)
        .args(["check", "--max-disabled-minutes", "60", "--json"])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(settings(&org, Auth::Token, true))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("binary runs");
    let mut out = String::new();
    child
        .stdout
        .take()
        .expect("piped")
        .read_to_string(&mut out)
        .expect("stdout");
    let (code, peak_kb) = wait_with_peak_rss(child.id());
    assert_eq!(code, 0, "check on the big org failed: {out}");
    assert!(
        out.contains("\"last_modified_by\":\"Bench Admin\"")
            && out.contains("\"within_grace\":true"),
        "who and when not found: {out}"
    );
    peak_kb
}

/// Waits for child `pid` (not waited for yet) and returns its exit code and peak resident
/// memory in KB, from the kernel's account of it (`wait4`'s `ru_maxrss`).
#[allow(unsafe_code)]
fn wait_with_peak_rss(pid: u32) -> (i32, i64) {
    let pid = libc::pid_t::try_from(pid).expect("pid");
    let mut status = 0;
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: `status` and `usage` are valid for writes; `pid` is our own unreaped child.
    let waited = unsafe { libc::wait4(pid, &mut status, 0, usage.as_mut_ptr()) };
    assert_eq!(waited, pid, "wait4 failed");
    // SAFETY: wait4 succeeded, so it filled `usage` (and zeroed memory is a valid rusage).
    let usage = unsafe { usage.assume_init() };
    (libc::WEXITSTATUS(status), usage.ru_maxrss)
}

fn main() {
    // `cargo bench` passes --bench; nothing else to parse.
    let mut rows: Vec<(String, usize, usize, Vec<Op>)> = Vec::new();
    let mut check =
        |name: String, ops: Vec<Op>, budget: usize| rows.push((name, ops.len(), budget, ops));

    for auth in [Auth::Jwt, Auth::Token] {
        let sign_in = usize::from(auth == Auth::Jwt);
        let org = SimOrg::start(OrgConfig::default());
        check(
            format!("status, pinned, {auth:?}"),
            run_cli(&org, auth, true, &["status"]),
            1 + sign_in,
        );
        check(
            format!("disable (flip), pinned, {auth:?}"),
            run_cli(&org, auth, true, &["disable"]),
            3 + sign_in,
        );
        check(
            format!("disable (no-op), pinned, {auth:?}"),
            run_cli(&org, auth, true, &["disable"]),
            1 + sign_in,
        );
        check(
            format!("enable (flip), pinned, {auth:?}"),
            run_cli(&org, auth, true, &["enable"]),
            3 + sign_in,
        );
        check(
            format!("status, discovered, {auth:?}"),
            run_cli(&org, auth, false, &["status"]),
            1 + sign_in + 3,
        );
        check(
            format!("disable (flip), discovered, {auth:?}"),
            run_cli(&org, auth, false, &["disable"]),
            3 + sign_in + 3,
        );
        check(
            format!("enable (flip), discovered, {auth:?}"),
            run_cli(&org, auth, false, &["enable"]),
            3 + sign_in + 3,
        );
        check(
            format!("run -- true, pinned, {auth:?}"),
            run_cli(&org, auth, true, &["run", "--", "true"]),
            6 + sign_in,
        );
        check(
            format!("action guard main+post, pinned, {auth:?}"),
            run_action(&org, auth),
            8,
        );
        // Health checks (issue 9): on 2, off 3, heal <= 6 with a sign-in; one less with a token.
        check(
            format!("check (on), pinned, {auth:?}"),
            run_cli(&org, auth, true, &["check"]),
            1 + sign_in,
        );
        run_cli(&org, auth, true, &["disable"]);
        check(
            format!("check (off), pinned, {auth:?}"),
            run_cli(&org, auth, true, &["check"]),
            2 + sign_in,
        );
        check(
            format!("check --heal (off), pinned, {auth:?}"),
            run_cli(&org, auth, true, &["check", "--heal"]),
            5 + sign_in,
        );
        assert!(
            run_cli(&org, auth, true, &["status"]).len() == 1 + sign_in,
            "heal left the triggers on"
        );
    }

    println!("\nHTTP requests per operation (simulated org, no read-back lag)\n");
    println!(
        "{:<44} {:>8} {:>7}  sequence",
        "operation", "requests", "budget"
    );
    let mut over = Vec::new();
    for (name, count, budget, ops) in &rows {
        let seq: Vec<String> = ops.iter().map(|o| format!("{o:?}")).collect();
        println!("{name:<44} {count:>8} {budget:>7}  {}", seq.join(" → "));
        if count > budget {
            over.push(name.clone());
        }
    }

    let peak_kb = big_org_peak_rss_kb();
    println!(
        "\ncheck among {BIG_ORG_RECORDS} listed records (~{} MB of listMetadata): peak RSS {:.1} MB (budget {} MB)",
        BIG_ORG_RECORDS * 565 / 1_000_000,
        peak_kb as f64 / 1024.0,
        PEAK_RSS_BUDGET_KB / 1024
    );
    if peak_kb > PEAK_RSS_BUDGET_KB {
        over.push("peak RSS on a big org".into());
    }

    let size = std::fs::metadata(Path::new(BIN))
        .map(|m| m.len())
        .unwrap_or(0);
    println!("\nbinary {BIN}: {:.2} MB (budget 8 MB)", size as f64 / 1e6);
    if size > 8_000_000 {
        over.push("binary size".into());
    }
    assert!(over.is_empty(), "over budget: {over:?}");
    println!("requests: {} passed, 0 failed", rows.len() + 2);
}
