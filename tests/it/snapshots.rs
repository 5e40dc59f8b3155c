//! Snapshot tests of what users read: `--help` and the error text of the most common failures,
//! through the compiled binary against simorg. A change to any of them is a reviewed diff.
//!
//! To accept intended changes: `INSTA_UPDATE=always cargo test --test it snapshots` (or
//! `cargo insta test --review` with cargo-insta), then review `git diff tests/it/snapshots/`.
//! Under `CI=true` a changed snapshot fails the test and nothing is written.

use crate::common::*;
use crate::snapshots_scrub::shown;

/// Runs `args` signed in to `org` with `auth`, names pinned, and shows what the user reads.
fn pinned(org: &SimOrg, auth: Auth, args: &[&str]) -> String {
    let mut cli = Cli::for_org(org, auth, args);
    cli.settings(&pins(org));
    shown(org, &cli.run())
}

#[test]
fn help() {
    let run = Cli::new(&["--help"]).run();
    insta::assert_snapshot!("help", shown_without_org(&run));
}

/// What a run printed, for runs that never reach an org.
fn shown_without_org(run: &Run) -> String {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    let text = shown(&org, run);
    assert!(org.requests().is_empty(), "bad input makes no request");
    text
}

#[test]
fn failure_no_credentials() {
    let run = Cli::new(&["status"]).run();
    insta::assert_snapshot!("failure_no_credentials", shown_without_org(&run));
}

#[test]
fn failure_two_sign_in_methods() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    let mut cli = Cli::for_org(&org, Auth::AccessToken, &["status"]);
    cli.setting("auth-url", &org.auth_url());
    let text = shown(&org, &cli.run());
    assert!(org.requests().is_empty(), "bad input makes no request");
    insta::assert_snapshot!("failure_two_sign_in_methods", text);
}

#[test]
fn failure_unknown_command() {
    let run = Cli::new(&["stauts"]).run();
    insta::assert_snapshot!("failure_unknown_command", shown_without_org(&run));
}

#[test]
fn failure_bad_timeout() {
    let mut cli = Cli::new(&["status", "--timeout", "soon"]);
    cli.setting(
        "auth-url",
        "force://id:secret:token@example.my.salesforce.com",
    );
    insta::assert_snapshot!("failure_bad_timeout", shown_without_org(&cli.run()));
}

#[test]
fn failure_plain_http_instance_url() {
    let mut cli = Cli::new(&["status"]);
    cli.setting("instance-url", "http://example.my.salesforce.com")
        .setting("access-token", "00D000000000001!token");
    insta::assert_snapshot!(
        "failure_plain_http_instance_url",
        shown_without_org(&cli.run())
    );
}

#[test]
fn failure_expired_access_token() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    let mut cli = Cli::for_org(&org, Auth::AccessToken, &["status"]);
    cli.settings(&pins(&org))
        .setting("access-token", "00DSIM000000001!expired");
    insta::assert_snapshot!("failure_expired_access_token", shown(&org, &cli.run()));
}

#[test]
fn failure_wrong_client_secret() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    let mut cli = Cli::for_org(&org, Auth::ClientCredentials, &["status"]);
    cli.setting("client-secret", "not-the-secret");
    insta::assert_snapshot!("failure_wrong_client_secret", shown(&org, &cli.run()));
}

#[test]
fn failure_write_refused() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    org.inject(Fault::status(
        Op::UpdateMetadata,
        10,
        500,
        &soap_fault(
            "INSUFFICIENT_ACCESS",
            "insufficient access rights on object id",
        ),
    ));
    insta::assert_snapshot!(
        "failure_write_refused",
        pinned(&org, Auth::AuthUrl, &["disable"])
    );
}

#[test]
fn failure_setting_type_not_found() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    let mut cli = Cli::for_org(&org, Auth::AccessToken, &["status"]);
    cli.setting("setting-type", "Missing_Setting__mdt");
    insta::assert_snapshot!("failure_setting_type_not_found", shown(&org, &cli.run()));
}

#[test]
fn failure_org_unreachable() {
    // A port that was just free: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    let mut cli = Cli::new(&["status"]);
    cli.setting("instance-url", &url)
        .setting("access-token", &org.issue_access_token())
        .setting("timeout", "2");
    let text = shown(&org, &cli.run()).replace(&url, "[SERVER]");
    // How many attempts fit in the deadline varies with the jitter: keep the words.
    let text: String = text
        .lines()
        .filter(|l| !l.starts_with("retrying in"))
        .map(|l| format!("{}\n", attempts_hidden(l)))
        .collect();
    insta::assert_snapshot!("failure_org_unreachable", text);
}

/// `line` with the count in "after N attempts" replaced by `[N]`.
fn attempts_hidden(line: &str) -> String {
    let Some((head, tail)) = line.split_once("gave up after ") else {
        return line.to_string();
    };
    let rest = tail.trim_start_matches(|c: char| c.is_ascii_digit());
    format!("{head}gave up after [N]{rest}")
}

#[test]
fn failure_triggers_disabled() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, false);
    insta::assert_snapshot!(
        "failure_triggers_disabled",
        pinned(&org, Auth::Jwt, &["status"])
    );
}

#[test]
fn failure_check_finds_triggers_off() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, false);
    insta::assert_snapshot!(
        "failure_check_finds_triggers_off",
        pinned(&org, Auth::AccessToken, &["check"])
    );
}
