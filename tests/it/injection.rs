//! Nothing from outside speaks in the tool's voice (issue 14): text the org, a proxy or a
//! server's error body controls never starts or smuggles a workflow command, on stdout or stderr,
//! in the CLI under `GITHUB_ACTIONS=true` or in the action; discovered names are API names; the
//! job summary shows org text as text.

use crate::action::{Job, pinned_with, with_org};
use crate::common::*;

/// The tool's own workflow commands; any other line the runner would read as one is injected.
const OURS: &[&str] = &[
    "::add-mask::",
    "::group::",
    "::endgroup::",
    "::error title=",
    "::warning title=",
    "::notice title=",
];

/// Fails if any line of `text` (split where the runner splits: LF and CR) is a workflow command
/// the tool did not write: a line starting with `::` after white space that is not one of
/// [`OURS`] or names outside text in its command part, or a legacy `##[` command anywhere.
#[track_caller]
pub fn assert_no_injected_command(text: &str) {
    for line in text.split(['\n', '\r']) {
        let line = line.trim_start();
        assert!(!line.contains("##["), "legacy command in {line:?}\n{text}");
        if !line.starts_with("::") {
            continue;
        }
        let ours = OURS.iter().any(|p| line.starts_with(p));
        let head = line[2..].split("::").next().unwrap_or("");
        assert!(
            ours && !head.contains("INJ"),
            "injected command {line:?} in\n{text}"
        );
    }
}

fn runner_cli(org: &SimOrg, auth: Auth, args: &[&str]) -> Cli {
    let mut cli = Cli::for_org(org, auth, args);
    cli.env("GITHUB_ACTIONS", "true");
    cli
}

/// The token endpoint answers 503 once with a description that stops commands: the retry line
/// must not stop them, or the mask of the token that follows is shown as text.
#[test]
fn a_token_error_cannot_stop_commands_before_the_mask() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    org.inject(Fault::status(
        Op::Token,
        1,
        503,
        r#"{"error":"temporarily_unavailable","error_description":"busy\n::stop-commands::zz"}"#,
    ));
    let run = runner_cli(&org, Auth::AuthUrl, &["status"]).run();
    run.expect(0)
        .contains("retrying in")
        .contains("::add-mask::");
    assert_no_injected_command(&run.all());
    assert!(
        run.stderr.contains("busy\\n::stop-commands::zz"),
        "{}",
        run.stderr
    );
}

/// A REST 503 whose message holds commands, through the action's `mode: check`.
#[test]
fn a_rest_error_message_cannot_set_outputs() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    org.inject(Fault::status(
        Op::Query,
        1,
        503,
        r#"[{"errorCode":"SERVER_UNAVAILABLE","message":"\n::warning::INJ\n::set-output name=state::false"}]"#,
    ));
    let mut job = Job::new(&pinned_with(&org, Auth::Jwt, &[("mode", "check")]));
    let main = job.main();
    main.run.expect(0).contains("retrying in");
    assert_no_injected_command(&main.run.all());
    assert_eq!(main.output("state"), Some("true"));
}

/// A SOAP INVALID_SESSION_ID fault whose faultstring holds a command ("session expired; signing
/// in again").
#[test]
fn a_fault_string_cannot_speak_while_signing_in_again() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    org.inject(Fault::status(
        Op::ReadMetadata,
        1,
        500,
        &soap_fault(
            "INVALID_SESSION_ID",
            "expired&#10;::warning::INJ&#13;::error::INJ",
        ),
    ));
    let run = runner_cli(&org, Auth::AuthUrl, &["disable"]).run();
    run.expect(0).contains("session expired");
    assert_no_injected_command(&run.all());
    assert!(!enabled(&org));
}

/// A label query answer for `record` (QualifiedApiName) with the Setting on.
fn label_answer(record: &str) -> String {
    serde_json::json!({
        "totalSize": 1,
        "done": true,
        "records": [{
            "attributes": {"type": "s_c__Setting__mdt"},
            "DeveloperName": "Triggers_Enabled",
            "NamespacePrefix": "s_c",
            "QualifiedApiName": record,
            "MasterLabel": "StoreConnect Triggers Enabled",
            "s_c__Setting__c": true,
        }],
    })
    .to_string()
}

/// A discovered record name that is not an API name is refused (exit 3), shown escaped, and
/// nothing is written.
#[test]
fn a_discovered_name_that_is_not_an_api_name_is_refused() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    for args in [["status"], ["disable"]] {
        org.inject(Fault::status(
            Op::Query,
            1,
            200,
            &label_answer("s_c__Triggers_Enabled\n::warning::INJ"),
        ));
        let run = runner_cli(&org, Auth::Jwt, &args).run();
        run.expect(3)
            .contains("the org returned a name that is not an API name")
            .contains("s_c__Triggers_Enabled\\n::warning::INJ");
        assert_no_injected_command(&run.all());
        assert!(!ops(&org).contains(&Op::UpdateMetadata), "{args:?} wrote");
        assert!(enabled(&org));
    }
}

/// The same refusal for a discovered type and field, and outside a runner too.
#[test]
fn discovered_types_and_fields_are_checked_like_pins() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    let global = r#"{"sobjects":[{"name":"s_c__Set\u001b[2Jting__mdt","label":"StoreConnect Setting","custom":true}]}"#;
    org.inject(Fault::status(Op::DescribeGlobal, 1, 200, global));
    let run = Cli::for_org(&org, Auth::Jwt, &["disable"]).run();
    run.expect(3)
        .contains("the org returned a name that is not an API name")
        .contains("\\u{1b}[2J");
    let describe = r#"{"name":"s_c__Setting__mdt","fields":[{"name":"s_c__Set ting__c","label":"Setting","custom":true,"type":"boolean"}]}"#;
    org.inject(Fault::status(Op::Describe, 1, 200, describe));
    runner_cli(&org, Auth::Jwt, &["disable"])
        .run()
        .expect(3)
        .contains("not an API name");
    assert!(!ops(&org).contains(&Op::UpdateMetadata));
    assert!(enabled(&org));
}

const INJECTED_BY: &str = "Jane\n::warning::INJ\n::set-output name=state::true";

/// `lastModifiedByName` holding commands: the CLI's `check` line in a runner, and `status`.
#[test]
fn last_modified_by_cannot_speak_in_the_check_line() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, false);
    let long_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(7200);
    org.set_last_modified(INJECTED_BY, long_ago);
    let run = runner_cli(&org, Auth::Jwt, &["check"]).run();
    run.expect(1)
        .contains("last changed by Jane\\n::warning::INJ");
    assert_no_injected_command(&run.all());
    let run = runner_cli(&org, Auth::Jwt, &["check", "--json"]).run();
    run.expect(1);
    assert_no_injected_command(&run.all());
    let json: serde_json::Value = serde_json::from_str(run.stdout.trim()).expect("JSON");
    assert_eq!(json["last_modified_by"], INJECTED_BY);
}

/// In the action: outputs stay one parseable line each, and the summary shows org text as text.
#[test]
fn last_modified_by_is_text_in_outputs_and_the_summary() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, false);
    let long_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(7200);
    let by = "Jane [docs](https://evil.example/x) <img src=https://evil.example/p.png>\n::warning::INJ\nghadelimiter_0";
    org.set_last_modified(by, long_ago);
    let mut job = Job::new(&with_org(&org, Auth::Jwt, &[("mode", "check")]));
    let main = job.main();
    main.run.expect(1);
    assert_no_injected_command(&main.run.all());
    let shown = main.output("last-modified-by").expect("output");
    assert!(!shown.contains('\n'), "{shown:?}");
    assert!(shown.starts_with("Jane [docs]"), "{shown:?}");
    assert_eq!(main.output("state"), Some("false"));
    let summary = &main.summary;
    assert!(summary.contains("Jane"), "{summary}");
    for live in ["<img", "](https://", "[docs]", "https://evil"] {
        assert!(!summary.contains(live), "{live} is live in\n{summary}");
    }
}

/// The first line of a phase is the mask of the access token it was given; a new session
/// token's mask comes before any line quoting what the token endpoint said.
#[test]
fn masks_come_before_any_outside_text() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    org.inject(Fault::status(
        Op::Query,
        1,
        503,
        r#"[{"errorCode":"SERVER_UNAVAILABLE","message":"::stop-commands::zz"}]"#,
    ));
    let with = pinned_with(&org, Auth::AccessToken, &[("mode", "check")]);
    let token = with
        .iter()
        .find(|(n, _)| *n == "access-token")
        .expect("token")
        .1
        .clone();
    let main = Job::new(&with).main();
    main.run.expect(0).contains("retrying in");
    let first = main.run.stderr.lines().next().unwrap_or_default();
    assert_eq!(first, format!("::add-mask::{token}"));

    org.inject(Fault::status(
        Op::Token,
        1,
        503,
        r#"{"error":"temporarily_unavailable","error_description":"busy"}"#,
    ));
    let run = runner_cli(&org, Auth::AuthUrl, &["status"]).run();
    run.expect(0);
    let lines: Vec<&str> = run.stderr.lines().collect();
    let mask = lines.iter().position(|l| l.starts_with("::add-mask::"));
    let retry = lines.iter().position(|l| l.starts_with("retrying in"));
    assert!(
        mask.is_some() && retry.is_some() && mask < retry,
        "the new token's mask must come first:\n{}",
        run.stderr
    );
}
