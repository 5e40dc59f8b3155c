//! Fault injection: what is retried, what re-authenticates, what fails at once.

use std::time::{Duration, Instant};

use crate::common::*;

#[test]
fn transient_failures_recover() {
    let busy = r#"[{"errorCode":"SERVER_UNAVAILABLE","message":"Server temporarily unavailable"}]"#;
    let cases: Vec<(&str, Fault)> = vec![
        (
            "two 503s on the token",
            Fault::status(Op::Token, 2, 503, "<html>Service Unavailable</html>"),
        ),
        (
            "two 503s on the query",
            Fault::status(Op::Query, 2, 503, busy),
        ),
        (
            "two 429s on readMetadata",
            Fault::status(Op::ReadMetadata, 2, 429, "Too Many Requests"),
        ),
        (
            "two 503s on updateMetadata",
            Fault::status(Op::UpdateMetadata, 2, 503, ""),
        ),
        (
            "a dropped connection on updateMetadata",
            Fault::new(Op::UpdateMetadata, 1, FaultAction::Drop),
        ),
        (
            "a dropped connection on the token",
            Fault::new(Op::Token, 1, FaultAction::Drop),
        ),
        (
            "a concurrency limit",
            Fault::status(
                Op::Query,
                1,
                403,
                r#"[{"errorCode":"REQUEST_LIMIT_EXCEEDED","message":"ConcurrentPerOrgLongTxn Limit exceeded."}]"#,
            ),
        ),
        (
            "a SERVER_UNAVAILABLE fault",
            Fault::status(
                Op::ReadMetadata,
                1,
                500,
                &soap_fault("SERVER_UNAVAILABLE", "down"),
            ),
        ),
    ];
    for (case, fault) in cases {
        let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
        org.inject(fault);
        pinned(&org, Auth::Jwt, &["disable"])
            .run()
            .expect(0)
            .contains("retrying");
        assert!(!enabled(&org), "{case}");
    }
}

#[test]
fn an_expired_session_is_renewed_once_for_rest_and_soap() {
    let expired_rest =
        r#"[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]"#;
    let expired_soap = soap_fault(
        "INVALID_SESSION_ID",
        "Invalid Session ID found in SessionHeader: Illegal Session",
    );
    for auth in [Auth::AuthUrl, Auth::Jwt, Auth::ClientCredentials] {
        let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
        org.inject(Fault::status(Op::ReadMetadata, 1, 500, &expired_soap));
        org.inject(Fault::status(Op::Query, 1, 401, expired_rest));
        pinned(&org, auth, &["disable"])
            .run()
            .expect(0)
            .contains("signing in again");
        assert!(!enabled(&org));
        assert_eq!(
            count(&org, Op::Token),
            3,
            "{auth:?}: one sign-in plus one renewal per expired call"
        );
    }
    // A session that stays invalid after renewal is not retried forever.
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    org.inject(Fault::status(Op::ReadMetadata, 5, 500, &expired_soap));
    pinned(&org, Auth::Jwt, &["disable"])
        .run()
        .expect(3)
        .contains("faultcode sf:INVALID_SESSION_ID")
        .contains("JWT-based access tokens");
    assert_eq!(count(&org, Op::ReadMetadata), 2);
    assert_eq!(count(&org, Op::Token), 2);
}

#[test]
fn a_real_token_expiry_is_renewed() {
    let org = SimOrg::start(OrgConfig {
        token_lifetime: Some(Duration::from_millis(700)),
        readback_lag: Duration::from_secs(2),
        ..OrgConfig::default()
    });
    pinned(&org, Auth::ClientCredentials, &["disable"])
        .run()
        .expect(0);
    assert!(!enabled(&org));
    assert!(
        count(&org, Op::Token) >= 2,
        "the token expired while waiting for the read-back"
    );
}

#[test]
fn an_access_token_cannot_be_renewed() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    let mut cli = pinned(&org, Auth::AccessToken, &["status"]);
    org.expire_sessions();
    cli.run()
        .expect(3)
        .contains("errorCode INVALID_SESSION_ID")
        .contains("fresh access token");
    assert_eq!(ops(&org), vec![Op::Query]);
}

#[test]
fn read_back_lag_is_waited_out_and_a_lag_beyond_the_timeout_exits_1() {
    let org = SimOrg::start(OrgConfig {
        readback_lag: Duration::from_secs(3),
        ..OrgConfig::default()
    });
    pinned(&org, Auth::Jwt, &["disable"])
        .run()
        .expect(0)
        .contains("reading again");
    assert!(count(&org, Op::Query) >= 2);

    let org = SimOrg::start(OrgConfig {
        readback_lag: Duration::from_secs(60),
        ..OrgConfig::default()
    });
    let started = Instant::now();
    let mut cli = pinned(&org, Auth::Jwt, &["disable"]);
    cli.setting("timeout", "3");
    cli.run().expect(1).contains("SOQL still read true");
    assert!(started.elapsed() < Duration::from_secs(15));
}

#[test]
fn permanent_faults_fail_at_once_with_salesforce_words() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    org.inject(Fault::status(
        Op::ReadMetadata,
        10,
        500,
        &soap_fault(
            "INSUFFICIENT_ACCESS",
            "use of the Metadata API requires a user with the ModifyAllData permission",
        ),
    ));
    pinned(&org, Auth::Jwt, &["disable"])
        .run()
        .expect(3)
        .contains("faultcode sf:INSUFFICIENT_ACCESS: INSUFFICIENT_ACCESS: use of the Metadata API requires a user with the ModifyAllData permission")
        .contains("help:");
    assert_eq!(count(&org, Op::ReadMetadata), 1, "not retried");
    assert!(enabled(&org));

    let org = org_with_failed_save();
    pinned(&org, Auth::Jwt, &["disable"])
        .run()
        .expect(3)
        .contains("statusCode CANNOT_MODIFY_MANAGED_OBJECT: Cannot modify managed object: entity=CustomMetadata");
    assert_eq!(count(&org, Op::UpdateMetadata), 1);
    assert!(enabled(&org));

    // A REST 4xx other than the retryable kinds is final too.
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    org.inject(Fault::status(Op::Query, 10, 403, r#"[{"errorCode":"API_DISABLED_FOR_ORG","message":"The REST API is not enabled for this Organization."}]"#));
    pinned(&org, Auth::Jwt, &["status"])
        .run()
        .expect(3)
        .contains("errorCode API_DISABLED_FOR_ORG: The REST API is not enabled");
    assert_eq!(count(&org, Op::Query), 1);

    // OAuth errors are final.
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    let mut cli = pinned(&org, Auth::Jwt, &["status"]);
    cli.setting("username", "someone.else@example.com");
    cli.run().expect(3).contains("HTTP 400, invalid_grant");
    assert_eq!(ops(&org), vec![Op::Token]);
}

fn org_with_failed_save() -> SimOrg {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    let body = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="http://soap.sforce.com/2006/04/metadata"><soapenv:Body><updateMetadataResponse><result><errors><message>Cannot modify managed object: entity=CustomMetadata</message><statusCode>CANNOT_MODIFY_MANAGED_OBJECT</statusCode></errors><fullName>{}</fullName><success>false</success></result></updateMetadataResponse></soapenv:Body></soapenv:Envelope>"#,
        org.full_name()
    );
    org.inject(Fault::status(Op::UpdateMetadata, 10, 200, &body));
    org
}

#[test]
fn every_not_found_shape_of_read_metadata_exits_3_and_writes_nothing() {
    let envelope = |result: &str| {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="http://soap.sforce.com/2006/04/metadata" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><readMetadataResponse>{result}</readMetadataResponse></soapenv:Body></soapenv:Envelope>"#
        )
    };
    let org0 = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    let shapes = [
        envelope("<result/>"),
        envelope(r#"<result><records xsi:type="CustomMetadata"/></result>"#),
        envelope(&format!(
            r#"<result><records xsi:type="CustomMetadata"><fullName>{}</fullName></records></result>"#,
            org0.full_name()
        )),
    ];
    for shape in shapes {
        let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
        org.inject(Fault::status(Op::ReadMetadata, 1, 200, &shape));
        pinned(&org, Auth::Jwt, &["disable"])
            .run()
            .expect(3)
            .contains("readMetadata found no CustomMetadata named");
        assert!(!ops(&org).contains(&Op::UpdateMetadata));
        assert!(enabled(&org));
    }
    // A wrong pinned record name is the same "not found", and nothing is created.
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    let mut cli = pinned(&org, Auth::Jwt, &["disable"]);
    cli.setting("setting-record", "Triggers_Enabled");
    cli.run()
        .expect(3)
        .contains("s_c__Setting.Triggers_Enabled");
    assert!(!ops(&org).contains(&Op::UpdateMetadata));
}

#[test]
fn retries_stop_at_the_deadline() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    org.inject(Fault::status(Op::Query, 1000, 503, "down"));
    let started = Instant::now();
    let mut cli = pinned(&org, Auth::Jwt, &["status"]);
    cli.setting("timeout", "3");
    cli.run().expect(3).contains("gave up after");
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn discovery_failures_name_what_was_looked_for() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    let mut cli = Cli::for_org(&org, Auth::Jwt, &["status"]);
    cli.setting("setting-type", "Other_Config__mdt");
    // Other_Config__mdt has a "Setting" field but no record labelled StoreConnect Triggers Enabled.
    cli.run()
        .expect(3)
        .contains("no Other_Config__mdt record labelled \"StoreConnect Triggers Enabled\"");

    org.inject(Fault::status(
        Op::DescribeGlobal,
        1,
        200,
        r#"{"encoding":"UTF-8","maxBatchSize":200,"sobjects":[]}"#,
    ));
    Cli::for_org(&org, Auth::Jwt, &["status"])
        .run()
        .expect(3)
        .contains(
            "no custom metadata type labelled \"StoreConnect Setting\" found in describeGlobal",
        );
}

#[test]
fn jwt_retries_the_other_audience_once_when_salesforce_rejects_it() {
    use base64::Engine as _;
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    org.inject(Fault::status(
        Op::Token,
        1,
        400,
        r#"{"error":"invalid_grant","error_description":"audience is invalid"}"#,
    ));
    pinned(&org, Auth::Jwt, &["status"]).run().expect(0);
    let audiences: Vec<String> = org
        .requests()
        .iter()
        .filter(|r| r.op == Op::Token)
        .map(|r| {
            let assertion = r
                .body
                .split('&')
                .find_map(|p| p.strip_prefix("assertion="))
                .expect("assertion");
            let claims = assertion.split('.').nth(1).expect("claims");
            let json = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(claims)
                .expect("base64url");
            let claims: serde_json::Value = serde_json::from_slice(&json).expect("JSON claims");
            assert!(claims["exp"].is_u64(), "exp is a number of seconds");
            claims["aud"].as_str().expect("aud").to_string()
        })
        .collect();
    assert_eq!(
        audiences,
        vec![org.url(), "https://login.salesforce.com".to_string()]
    );

    // Any other OAuth error is not retried.
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    org.inject(Fault::status(
        Op::Token,
        1,
        400,
        r#"{"error":"invalid_grant","error_description":"user hasn't approved this consumer"}"#,
    ));
    pinned(&org, Auth::Jwt, &["status"])
        .run()
        .expect(3)
        .contains("pre-authorize");
    assert_eq!(ops(&org), vec![Op::Token]);
}

#[test]
fn a_pinned_type_the_org_does_not_have_points_at_setting_type() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    let mut cli = Cli::for_org(&org, Auth::Jwt, &["status"]);
    cli.setting("setting-type", "Nope__mdt");
    cli.run()
        .expect(3)
        .contains("errorCode NOT_FOUND")
        .contains("help: the org has no object `Nope__mdt`");
}

#[test]
fn query_pages_are_followed() {
    // Two records carry the label, one per page: only a client that follows nextRecordsUrl sees both.
    let org = SimOrg::start(OrgConfig {
        page_size: Some(1),
        ..OrgConfig::default()
    });
    org.set_label("s_c__Media_Batch_Size", "StoreConnect Triggers Enabled");
    Cli::for_org(&org, Auth::Jwt, &["status"])
        .run()
        .expect(3)
        .contains("several s_c__Setting__mdt records labelled \"StoreConnect Triggers Enabled\": s_c__Triggers_Enabled, s_c__Media_Batch_Size");
    assert_eq!(count(&org, Op::Query), 2, "first page + nextRecordsUrl");
}
