//! Snapshot tests of what users read: `--help` and the error text of the most common failures,
//! through the compiled binary against simorg. A change to any of them is a reviewed diff.
//!
//! To accept intended changes: `INSTA_UPDATE=always cargo test --test it snapshots` (or
//! `cargo insta test --review` with cargo-insta), then review `git diff tests/it/snapshots/`.
//! Under `CI=true` a changed snapshot fails the test and nothing is written.

use crate::common::*;
use crate::snapshots_scrub::{scrubbing, shown};

/// Runs `args` against a fresh org (triggers `enabled`) signed in with `auth`, names pinned,
/// with `extra` settings on top; shows what the user reads.
fn against_org(enabled: bool, auth: Auth, args: &[&str], extra: &[(&str, &str)]) -> String {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, enabled);
    against(&org, auth, args, extra)
}

/// Runs `args` against `org` signed in with `auth`, names pinned, `extra` settings on top.
fn against(org: &SimOrg, auth: Auth, args: &[&str], extra: &[(&str, &str)]) -> String {
    let mut cli = pinned(org, auth, args);
    for (name, value) in extra {
        cli.setting(name, value);
    }
    shown(&cli.run())
}

#[test]
fn help() {
    let _scrub = scrubbing().bind_to_scope();
    let run = Cli::new(&["--help"]).run();
    insta::assert_snapshot!("help", shown(&run));
}

/// Bad input that fails before any request: snapshot name, command line, settings.
type UsageCase = (
    &'static str,
    &'static [&'static str],
    &'static [(&'static str, &'static str)],
);

#[test]
fn usage_errors() {
    const AUTH_URL: (&str, &str) = (
        "auth-url",
        "force://id:secret:token@example.my.salesforce.com",
    );
    let _scrub = scrubbing().bind_to_scope();
    let cases: [UsageCase; 4] = [
        ("failure_no_credentials", &["status"], &[]),
        ("failure_unknown_command", &["stauts"], &[]),
        (
            "failure_bad_timeout",
            &["status", "--timeout", "soon"],
            &[AUTH_URL],
        ),
        (
            "failure_plain_http_instance_url",
            &["status"],
            &[
                ("instance-url", "http://example.my.salesforce.com"),
                ("access-token", "00D000000000001!token"),
            ],
        ),
    ];
    for (name, args, settings) in cases {
        let mut cli = Cli::new(args);
        for (setting, value) in settings {
            cli.setting(setting, value);
        }
        insta::assert_snapshot!(name, shown(&cli.run()));
    }
}

#[test]
fn failure_two_sign_in_methods() {
    let _scrub = scrubbing().bind_to_scope();
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    let text = against(
        &org,
        Auth::AccessToken,
        &["status"],
        &[("auth-url", &org.auth_url())],
    );
    assert!(org.requests().is_empty(), "bad input makes no request");
    insta::assert_snapshot!("failure_two_sign_in_methods", text);
}

#[test]
fn failure_write_refused() {
    let _scrub = scrubbing().bind_to_scope();
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    refuse_writes(&org);
    let text = against(&org, Auth::AuthUrl, &["disable"], &[]);
    insta::assert_snapshot!("failure_write_refused", text);
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
    // How many attempts fit in the deadline varies with the jitter: keep the words.
    let mut settings = scrubbing();
    settings.add_filter(r"(?m)^retrying in.*\n?", "");
    settings.add_filter(r"gave up after [0-9]+", "gave up after [N]");
    let _scrub = settings.bind_to_scope();
    insta::assert_snapshot!("failure_org_unreachable", shown(&cli.run()));
}

/// One run against a fresh org (a failure, or what a user checks before one): snapshot name, triggers on?, sign-in, command, settings.
type Case = (
    &'static str,
    bool,
    Auth,
    &'static [&'static str],
    &'static [(&'static str, &'static str)],
);

#[test]
fn runs_against_an_org() {
    let _scrub = scrubbing().bind_to_scope();
    let cases: [Case; 6] = [
        (
            "failure_expired_access_token",
            true,
            Auth::AccessToken,
            &["status"],
            &[("access-token", "00DSIM000000001!expired")],
        ),
        (
            "failure_wrong_client_secret",
            true,
            Auth::ClientCredentials,
            &["status"],
            &[("client-secret", "not-the-secret")],
        ),
        (
            "failure_pinned_type_unknown",
            true,
            Auth::AccessToken,
            &["status"],
            &[("setting-type", "Missing_Setting__mdt")],
        ),
        (
            "failure_triggers_disabled",
            false,
            Auth::Jwt,
            &["status"],
            &[],
        ),
        (
            "failure_check_finds_triggers_off",
            false,
            Auth::AccessToken,
            &["check"],
            &[],
        ),
        (
            "dry_run_disable",
            true,
            Auth::AuthUrl,
            &["disable", "--dry-run"],
            &[],
        ),
    ];
    for (name, enabled, auth, args, extra) in cases {
        insta::assert_snapshot!(name, against_org(enabled, auth, args, extra));
    }
}

#[test]
fn failure_setting_type_not_found() {
    let _scrub = scrubbing().bind_to_scope();
    // Only the type pinned: the field is looked up by label in the type's describe.
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    let mut cli = Cli::for_org(&org, Auth::AccessToken, &["status"]);
    cli.setting("setting-type", "Missing_Setting__mdt");
    insta::assert_snapshot!("failure_setting_type_not_found", shown(&cli.run()));
}
