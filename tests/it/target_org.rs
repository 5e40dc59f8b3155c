//! `--target-org`: the Salesforce CLI's login, asked from a fake `sf` on PATH ([`fake_sf`]).
//! How sf is run (one deadline, its process group, capped output, when to fall back): [`process`].

mod fake_sf;
mod process;

use std::path::Path;

use fake_sf::FakeSf;

use crate::action::{Job, with_org};
use crate::common::*;

fn dir(path: &Path) -> String {
    path.display().to_string()
}

/// The refresh token inside simorg's auth URL (the part a leak would show).
fn refresh_token(org: &SimOrg) -> String {
    let url = org.auth_url();
    let creds = &url["force://".len()..url.rfind('@').expect("@")];
    creds.rsplit(':').next().expect("token").to_string()
}

#[test]
fn a_web_login_is_used_through_its_auth_url_and_its_secrets_are_masked() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    let sf = FakeSf::new();
    sf.answers(
        "show-sfdx-auth-url",
        serde_json::json!({ "sfdxAuthUrl": org.auth_url() }),
    );
    let mut cli = sf.cli(&["status", "--target-org", "prod"]);
    cli.env("GITHUB_ACTIONS", "true");
    let run = cli.run();
    run.expect(0)
        .contains("the Salesforce CLI's login (refresh token)");
    assert_eq!(
        sf.calls(),
        ["org auth show-sfdx-auth-url --target-org prod --json"],
        "one question to sf"
    );
    assert_eq!(
        count(&org, Op::Token),
        1,
        "the tool renews the session itself"
    );
    let token = refresh_token(&org);
    assert!(
        run.stderr.starts_with("::add-mask::"),
        "masked first:\n{}",
        run.stderr
    );
    assert!(run.stderr.contains(&format!("::add-mask::{token}\n")));
    only_in_masks(&run, &token);
}

/// `secret` shows up only in `::add-mask::` lines.
#[track_caller]
fn only_in_masks(run: &Run, secret: &str) {
    for line in run.all().lines().filter(|l| l.contains(secret)) {
        assert!(line.starts_with("::add-mask::"), "leaked: {line}");
    }
}

#[test]
fn a_jwt_login_uses_the_access_token_and_asks_sf_again_when_the_session_expires() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    let sf = FakeSf::new();
    let stale = org.issue_access_token();
    org.expire_sessions();
    let fresh = org.issue_access_token();
    sf.refuses(
        "show-sfdx-auth-url",
        "NoRefreshTokenError",
        "An SFDX Auth URL is not available for \"ci@acme.example\". This URL is only available for orgs authenticated via a web-based login flow.",
    )
    .answers_call("show-access-token", 1, serde_json::json!({ "accessToken": stale }))
    .answers_call("show-access-token", 2, serde_json::json!({ "accessToken": fresh }))
    .answers(
        "display",
        serde_json::json!({
            "accessToken": "[REDACTED] Use 'sf org auth show-access-token' to view",
            "instanceUrl": org.instance_url(),
            "username": "ci@acme.example",
            "alias": "ci",
        }),
    );
    let mut cli = sf.cli(&["status", "-o", "ci"]);
    cli.env("GITHUB_ACTIONS", "true");
    let run = cli.run();
    run.expect(0).contains("session expired");
    assert!(
        run.stderr.starts_with("::add-mask::"),
        "masked first:\n{}",
        run.stderr
    );
    assert_eq!(
        sf.calls(),
        [
            "org auth show-sfdx-auth-url --target-org ci --json",
            "org auth show-access-token --target-org ci --json",
            "org display --target-org ci --json",
            "org auth show-access-token --target-org ci --json",
        ],
        "sf is asked once more after INVALID_SESSION_ID"
    );
    assert_eq!(count(&org, Op::Token), 0, "no token request of our own");
    for token in [&stale, &fresh] {
        assert!(run.stderr.contains(&format!("::add-mask::{token}")));
        only_in_masks(&run, token);
    }
}

#[test]
fn an_older_cli_without_org_auth_is_read_through_org_display_unless_it_redacts() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    let sf = FakeSf::new();
    sf.answers(
        "display",
        serde_json::json!({
            "accessToken": org.issue_access_token(),
            "instanceUrl": org.instance_url(),
            "sfdxAuthUrl": org.auth_url(),
        }),
    );
    sf.cli(&["status", "--target-org", "old"]).run().expect(0);
    assert_eq!(
        sf.calls(),
        [
            "org auth show-sfdx-auth-url --target-org old --json",
            "org display --verbose --target-org old --json",
        ]
    );
    assert_eq!(count(&org, Op::Token), 1, "its auth URL was used");

    let redacting = FakeSf::new();
    redacting.answers(
        "display",
        serde_json::json!({
            "accessToken": "[REDACTED] Use 'sf org auth show-access-token' to view",
            "instanceUrl": org.instance_url(),
        }),
    );
    org.clear_requests();
    let mut cli = redacting.cli(&["status", "--target-org", "old"]);
    cli.env("GITHUB_ACTIONS", "true");
    let run = cli.run();
    run.expect(2).contains("update the Salesforce CLI");
    // Checked before it is handled as a secret: sf's placeholder is no secret to mask.
    assert!(!run.stderr.contains("::add-mask::"), "{}", run.stderr);
    assert!(org.requests().is_empty());
}

#[test]
fn sf_refusing_or_missing_is_bad_input_before_any_request() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    let sf = FakeSf::new();
    sf.refuses(
        "show-sfdx-auth-url",
        "NamedOrgNotFoundError",
        "No authorization information found for staging.",
    );
    sf.cli(&["enable", "--target-org", "staging"])
        .run()
        .expect(2)
        .contains("`sf org auth show-sfdx-auth-url` answered NamedOrgNotFoundError: No authorization information found for staging.")
        .contains("sf org login web --alias staging");
    assert_eq!(sf.calls().len(), 1);

    // No sf on PATH at all.
    let empty = temp_dir("no-sf");
    let mut cli = Cli::new(&["status", "--target-org", "prod"]);
    cli.env("PATH", &dir(&empty));
    cli.run()
        .expect(2)
        .contains("`sf` is not on PATH")
        .contains("npm install -g @salesforce/cli");

    // Exactly one sign-in method: sf is not even asked.
    let mut both = sf.cli(&["status", "--target-org", "prod"]);
    both.setting("auth-url", &org.auth_url());
    both.run()
        .expect(2)
        .contains("auth-url and target-org select different sign-in methods");
    assert_eq!(sf.calls().len(), 1, "sf was not asked");
    assert!(org.requests().is_empty(), "no request to the org");
}

#[test]
fn the_action_refuses_target_org_and_says_what_to_use() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    let with: Vec<(&str, String)> = with_org(&org, Auth::AuthUrl, &[("mode", "check")])
        .into_iter()
        .filter(|(k, _)| *k != "auth-url")
        .collect();
    // Not an input of action.yml: a step that passes it anyway still sets INPUT_TARGET-ORG.
    let mut job = Job::new(&with);
    job.env("INPUT_TARGET-ORG", "prod");
    job.main()
        .run
        .expect(2)
        .contains("INPUT_TARGET-ORG: target-org works with the command-line tool only")
        .contains("pass it as auth-url");
    assert!(org.requests().is_empty());
}

#[test]
fn a_rotated_refresh_token_says_the_cli_login_must_be_renewed() {
    let org = SimOrg::start(OrgConfig {
        rotate_refresh_tokens: true,
        ..OrgConfig::default()
    });
    let sf = FakeSf::new();
    sf.answers(
        "show-sfdx-auth-url",
        serde_json::json!({ "sfdxAuthUrl": org.auth_url() }),
    );
    sf.cli(&["status", "-o", "prod"])
        .run()
        .expect(0)
        .contains("the Salesforce CLI's login `prod` is now invalid: log in again with `sf org login web --alias prod`");
}

/// sf's error for a login whose refresh token expired (sfdx-core's RefreshTokenAuthError).
const EXPIRED: (&str, &str) = (
    "RefreshTokenAuthError",
    "Error authenticating with the refresh token due to: expired access/refresh token",
);

#[test]
fn an_expired_cli_login_says_to_log_in_again_with_the_alias_given() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    let sf = FakeSf::new();
    sf.refuses(
        "show-sfdx-auth-url",
        "NoRefreshTokenError",
        "An SFDX Auth URL is not available.",
    )
    .refuses("show-access-token", EXPIRED.0, EXPIRED.1);
    sf.cli(&["status", "-o", "ci"])
        .run()
        .expect(2)
        .contains(&format!("answered {}: {}", EXPIRED.0, EXPIRED.1))
        .contains("the Salesforce CLI's login `ci` has expired or was revoked: log in again with `sf org login web --alias ci`");
    assert!(org.requests().is_empty());
}

#[test]
fn a_login_that_expires_during_the_run_names_the_alias_in_the_hint() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    let sf = FakeSf::new();
    let stale = org.issue_access_token();
    org.expire_sessions();
    sf.refuses(
        "show-sfdx-auth-url",
        "NoRefreshTokenError",
        "An SFDX Auth URL is not available.",
    )
    .answers_call(
        "show-access-token",
        1,
        serde_json::json!({ "accessToken": stale }),
    )
    .refuses_call("show-access-token", 2, EXPIRED.0, EXPIRED.1)
    .answers(
        "display",
        serde_json::json!({ "instanceUrl": org.instance_url() }),
    );
    let run = sf.cli(&["status", "-o", "ci"]).run();
    run.expect(3)
        .contains("asking the Salesforce CLI for a new session of `ci` failed")
        .contains("has expired or was revoked: log in again with `sf org login web --alias ci`");
    assert!(
        !run.all().contains("ALIAS"),
        "the alias given, not a placeholder: {}",
        run.stderr
    );
    assert_eq!(sf.calls().len(), 4, "{:?}", sf.calls());
}

#[test]
fn a_check_that_fails_after_sf_gave_a_token_shows_no_secret() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    let sf = FakeSf::new();
    let token = org.issue_access_token();
    sf.refuses(
        "show-sfdx-auth-url",
        "NoRefreshTokenError",
        "An SFDX Auth URL is not available.",
    )
    .answers(
        "show-access-token",
        serde_json::json!({ "accessToken": token }),
    )
    .answers(
        "display",
        serde_json::json!({ "instanceUrl": "http://acme.my.salesforce.com" }),
    );
    let mut cli = sf.cli(&["status", "-o", "ci"]);
    cli.env("GITHUB_ACTIONS", "true");
    let run = cli.run();
    run.expect(2).contains("`sf org display`'s instanceUrl");
    assert!(
        run.stderr.starts_with(&format!("::add-mask::{token}\n")),
        "{}",
        run.stderr
    );
    only_in_masks(&run, &token);
    assert!(org.requests().is_empty());
}
