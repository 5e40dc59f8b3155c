//! Answers recorded from real orgs by public projects (`tests/fixtures/recorded/`, each file's
//! source in its SOURCES.md), replayed by simorg for the calls they cover: the binary must read
//! each as the real thing it is.

use std::path::Path;

use crate::common::*;

/// A recorded answer, verbatim.
fn recorded(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/recorded")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn every_fixture_names_its_source() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/recorded");
    let sources = recorded("SOURCES.md");
    for entry in std::fs::read_dir(&dir).expect("fixtures") {
        let name = entry
            .expect("entry")
            .file_name()
            .into_string()
            .expect("utf-8");
        if name != "SOURCES.md" {
            assert!(
                sources.contains(&format!("`{name}`")),
                "{name} has no source in SOURCES.md"
            );
        }
    }
}

#[test]
fn refused_sign_ins_are_reported_verbatim_and_not_retried() {
    for (fixture, auth, message, hint) in [
        (
            "restforce-auth_error_response.json",
            Auth::AuthUrl,
            "authentication failure - Invalid Password",
            "",
        ),
        (
            "restforce-refresh_error_response.json",
            Auth::AuthUrl,
            "expired access/refresh token",
            "",
        ),
        (
            "simple-salesforce-jwt_not_approved.json",
            Auth::Jwt,
            "user hasn't approved this consumer",
            "pre-authorize the user for the connected app",
        ),
    ] {
        let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
        org.inject(Fault::status(Op::Token, 1, 400, &recorded(fixture)));
        pinned(&org, auth, &["status"])
            .run()
            .expect(3)
            .contains("invalid_grant")
            .contains(message)
            .contains(hint);
        assert_eq!(ops(&org), vec![Op::Token], "{fixture}: a refusal is final");
    }
}

#[test]
fn an_expired_session_earns_one_new_sign_in() {
    // REST (restforce) and Metadata SOAP (jetstream) answers to a session that ended.
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    org.inject(Fault::status(
        Op::Query,
        1,
        401,
        &recorded("restforce-expired_session_response.json"),
    ));
    pinned(&org, Auth::AuthUrl, &["status"])
        .run()
        .expect(0)
        .contains("enabled");
    assert_eq!(ops(&org), [Op::Token, Op::Query, Op::Token, Op::Query]);

    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    org.inject(Fault::status(
        Op::ReadMetadata,
        1,
        500,
        &recorded("jetstream-soap_error_invalid_session.xml"),
    ));
    pinned(&org, Auth::AuthUrl, &["disable"]).run().expect(0);
    assert!(!enabled(&org));
    assert_eq!(
        ops(&org).iter().filter(|o| **o == Op::Token).count(),
        2,
        "{:?}",
        ops(&org)
    );
}

#[test]
fn an_unknown_type_is_reported_with_salesforce_s_words() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    org.inject(Fault::status(
        Op::Query,
        1,
        400,
        &recorded("cumulusci-query_invalid_type.json"),
    ));
    pinned(&org, Auth::AccessToken, &["status"])
        .run()
        .expect(3)
        .contains("INVALID_TYPE")
        .contains("sObject type 'Accountz' is not supported")
        .contains("check setting-type");
    assert_eq!(count(&org, Op::Query), 1, "a refused query is not retried");
}

#[test]
fn no_record_and_no_type_are_failures_not_states() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    org.inject(Fault::status(
        Op::Query,
        1,
        200,
        &recorded("restforce-query_empty_response.json"),
    ));
    let run = pinned(&org, Auth::AccessToken, &["status"]).run();
    run.expect(3);
    assert!(!run.stdout.contains("enabled"), "{run:?}");

    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    org.inject(Fault::status(
        Op::Describe,
        1,
        404,
        &recorded("restforce-sobject_describe_error_response.json"),
    ));
    Cli::for_org(&org, Auth::AccessToken, &["status"])
        .run()
        .expect(3)
        .contains("NOT_FOUND");
}

#[test]
fn a_real_list_metadata_answer_without_our_record_leaves_who_and_when_unknown() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, false);
    org.inject(Fault::status(
        Op::ListMetadata,
        1,
        200,
        &recorded("jetstream-list_metadata_with_results.xml"),
    ));
    let run = pinned(&org, Auth::AccessToken, &["check"]).run();
    run.expect(1)
        .contains("are OFF")
        .contains("listMetadata did not list s_c__Setting.s_c__Triggers_Enabled");
    assert!(!run.all().contains("Austin Turner"), "{run:?}");
    assert_eq!(count(&org, Op::ListMetadata), 1);
}
