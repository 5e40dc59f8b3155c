//! How sf is run: one deadline for all questions together, its whole process group stopped,
//! its output capped, and `org display` asked only when this sf has no `org auth` commands.

use super::fake_sf::FakeSf;
use crate::common::*;

/// sf's answer when a login has no refresh token (a JWT login).
fn no_refresh_token(sf: &FakeSf) -> &FakeSf {
    sf.refuses(
        "show-sfdx-auth-url",
        "NoRefreshTokenError",
        "An SFDX Auth URL is not available for \"ci@acme.example\".",
    )
}

#[test]
fn all_questions_to_sf_share_one_deadline() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    let sf = FakeSf::new();
    no_refresh_token(&sf)
        .answers(
            "show-access-token",
            serde_json::json!({ "accessToken": org.issue_access_token() }),
        )
        .answers(
            "display",
            serde_json::json!({ "instanceUrl": org.instance_url() }),
        );
    // Each answer alone comes well within the timeout; the three together do not.
    for key in ["show-sfdx-auth-url", "show-access-token", "display"] {
        sf.runs(key, "sleep 0.6\n");
    }
    let mut cli = sf.cli(&["status", "-o", "ci"]);
    cli.setting("timeout", "1");
    cli.run()
        .expect(2)
        .contains("--target-org ci --json` did not finish within the timeout of 1 s (shared by all questions to sf)")
        .contains("`sf org ");
    assert!(org.requests().is_empty(), "no request to the org");
}

#[test]
fn a_hanging_sf_is_stopped_with_the_processes_it_started() {
    let sf = FakeSf::new();
    // sf (a shell here, node in life) waits on a child of its own that holds its output.
    sf.runs(
        "show-sfdx-auth-url",
        "sleep 300 &\necho $! > \"$dir/child.pid\"\nwait\n",
    );
    let mut cli = sf.cli(&["status", "--target-org", "prod"]);
    // Long enough for the fake sf to start its child and write its pid on a busy machine.
    cli.setting("timeout", "3");
    cli.run()
        .expect(2)
        .contains("`sf org auth show-sfdx-auth-url --target-org prod --json` did not finish within the timeout of 3 s")
        .contains("was stopped with the processes it started");
    assert!(sf.is_gone("child.pid"), "sf's child was killed with it");
}

#[test]
fn an_sf_that_exits_while_its_child_holds_the_output_is_not_waited_for() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    let sf = FakeSf::new();
    sf.answers(
        "show-sfdx-auth-url",
        serde_json::json!({ "sfdxAuthUrl": org.auth_url() }),
    )
    .runs(
        "show-sfdx-auth-url",
        "sleep 300 &\necho $! > \"$dir/child.pid\"\n",
    );
    sf.cli(&["status", "--target-org", "prod"]).run().expect(0);
    assert!(sf.is_gone("child.pid"), "the straggler was stopped");
}

#[test]
fn a_runaway_sf_is_stopped_at_the_output_cap() {
    let sf = FakeSf::new();
    sf.runs("show-sfdx-auth-url", "exec yes\n");
    sf.cli(&["status", "--target-org", "prod"])
        .run()
        .expect(2)
        .contains("`sf org auth show-sfdx-auth-url --target-org prod --json` printed more than 1 MB, which is no answer, and was stopped");
    assert_eq!(sf.calls().len(), 1, "not asked again");
}

#[test]
fn org_display_is_asked_only_when_this_sf_has_no_org_auth() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    // Any other failure of `org auth` is reported as it is, even where `org display` would work.
    let crashed = "/usr/lib/node_modules/@salesforce/cli/lib/x.js:1\nTypeError: Cannot read properties of undefined (reading 'username')\n";
    let not_found = format!(
        "{}\n ›   Warning: @salesforce/cli update available from 2.100.0 to 2.110.0.\n",
        serde_json::json!({
            "status": 1, "name": "NamedOrgNotFoundError", "exitCode": 1,
            "message": "No authorization information found for staging.",
        })
    );
    let cases = [
        (
            crashed.to_string(),
            "did not answer with JSON (/usr/lib/node_modules/@salesforce/cli/lib/x.js:1)",
        ),
        (
            not_found,
            "answered NamedOrgNotFoundError: No authorization information found for staging.",
        ),
    ];
    for (output, words) in cases {
        let sf = FakeSf::new();
        sf.runs(
            "show-sfdx-auth-url",
            &format!("cat >&2 <<'END'\n{output}END\nexit 1\n"),
        )
        .answers(
            "display",
            serde_json::json!({
                "accessToken": org.issue_access_token(),
                "instanceUrl": org.instance_url(),
            }),
        );
        sf.cli(&["status", "--target-org", "staging"])
            .run()
            .expect(2)
            .contains("`sf org auth show-sfdx-auth-url")
            .contains(words);
        assert_eq!(
            sf.calls().len(),
            1,
            "{words}: no fallback: {:?}",
            sf.calls()
        );
    }
    assert!(org.requests().is_empty());
}
