//! SOAP faults, fault injection, the request log and concurrency.

use super::*;

#[test]
fn soap_faults() {
    let org = SimOrg::start(OrgConfig::default());
    let token = org.issue_access_token();
    org.expire_sessions();
    let resp = read_metadata(&org, &token, &org.full_name());
    assert_eq!(resp.status, 500);
    assert!(resp.body.contains("<soapenv:Fault><faultcode>sf:INVALID_SESSION_ID</faultcode><faultstring>INVALID_SESSION_ID: Invalid Session ID found in SessionHeader: Illegal Session</faultstring></soapenv:Fault>"), "{}", resp.body);
    assert!(
        resp.body
            .contains(r#"xmlns:sf="http://soap.sforce.com/2006/04/metadata""#)
    );

    let token = org.issue_access_token();
    let upsert = soap(
        &org,
        &token,
        "<met:upsertMetadata><met:metadata xsi:type=\"met:CustomMetadata\"><met:fullName>x</met:fullName></met:metadata></met:upsertMetadata>",
    );
    assert_eq!(upsert.status, 500);
    assert!(
        upsert
            .body
            .contains("<faultcode>sf:INVALID_OPERATION</faultcode>")
    );
    let unknown = soap(&org, &token, "<met:deleteMetadata/>");
    assert_eq!(unknown.status, 500);
    assert!(
        unknown
            .body
            .contains("<faultcode>sf:INVALID_OPERATION</faultcode>")
    );
    let ops: Vec<Op> = org.requests().iter().map(|r| r.op).collect();
    assert_eq!(ops, vec![Op::ReadMetadata, Op::UpsertMetadata, Op::Other]);
}

#[test]
fn fault_injection_and_request_log() {
    let org = SimOrg::start(OrgConfig::default());
    let token = org.issue_access_token();
    let soql = "SELECT Id FROM s_c__Setting__mdt";

    org.inject(Fault::status(
        Op::Query,
        2,
        503,
        r#"[{"errorCode":"SERVER_UNAVAILABLE","message":"down"}]"#,
    ));
    for _ in 0..2 {
        let r = query(&org, &token, soql);
        assert_eq!(r.status, 503);
        assert!(
            r.header("content-type")
                .is_some_and(|c| c.starts_with("application/json"))
        );
    }
    assert_eq!(query(&org, &token, soql).status, 200);
    // Faults for other ops do not fire.
    org.inject(Fault::status(Op::UpdateMetadata, 1, 500, "<oops/>"));
    assert_eq!(query(&org, &token, soql).status, 200);
    let r = soap(
        &org,
        &token,
        &update_body(&org.record(), "met:CustomMetadata"),
    );
    assert_eq!(r.status, 500);
    assert!(
        r.header("content-type")
            .is_some_and(|c| c.starts_with("text/xml"))
    );
    assert_eq!(r.body, "<oops/>");

    org.inject(Fault::new(Op::Describe, 1, FaultAction::Drop));
    let describe = "/services/data/v66.0/sobjects/s_c__Setting__mdt/describe";
    let auth = format!("Bearer {token}");
    assert!(send(&org, "GET", describe, &[("Authorization", &auth)], "").is_err());
    assert_eq!(get(&org, &token, describe).status, 200);

    org.inject(Fault::new(
        Op::DescribeGlobal,
        1,
        FaultAction::Delay(Duration::from_millis(300)),
    ));
    let started = Instant::now();
    assert_eq!(
        get(&org, &token, "/services/data/v66.0/sobjects/").status,
        200
    );
    assert!(started.elapsed() >= Duration::from_millis(300));

    org.inject(Fault {
        op: None,
        times: 1,
        action: FaultAction::Respond {
            status: 429,
            content_type: "text/plain".into(),
            body: "slow down".into(),
        },
    });
    let r = post_token(&org, &[("grant_type", "client_credentials")]);
    assert_eq!((r.status, r.body.as_str()), (429, "slow down"));
    let plain = Fault::status(Op::Token, 1, 500, "boom");
    assert!(
        matches!(plain.action, FaultAction::Respond { ref content_type, .. } if content_type.starts_with("text/plain"))
    );

    let log = org.requests();
    let ops: Vec<Op> = log.iter().map(|r| r.op).collect();
    assert_eq!(
        ops,
        vec![
            Op::Query,
            Op::Query,
            Op::Query,
            Op::Query,
            Op::UpdateMetadata,
            Op::Describe,
            Op::Describe,
            Op::DescribeGlobal,
            Op::Token
        ]
    );
    assert_eq!(log[0].method, "GET");
    assert!(
        log[0]
            .path
            .starts_with("/services/data/v66.0/query?q=SELECT+Id")
    );
    assert_eq!(log[0].header("Authorization"), Some(auth.as_str()));
    assert!(log[4].body.contains("<met:updateMetadata>"));
    assert_eq!(log[8].method, "POST");
    assert_eq!(log[8].body, "grant_type=client_credentials");
    org.clear_requests();
    assert!(org.requests().is_empty());
}

#[test]
fn concurrent_requests() {
    let org = SimOrg::start(OrgConfig::default());
    let token = org.issue_access_token();
    std::thread::scope(|s| {
        for _ in 0..8 {
            s.spawn(|| {
                for _ in 0..5 {
                    assert_eq!(
                        query(&org, &token, "SELECT Id FROM s_c__Setting__mdt").status,
                        200
                    );
                }
            });
        }
    });
    assert_eq!(org.requests().len(), 40);
}

#[test]
fn a_held_request_keeps_the_session_it_arrived_with() {
    // Salesforce checks the session when a request starts: a token that expires while the
    // request is held is not a refusal of that request.
    let org = SimOrg::start(OrgConfig {
        token_lifetime: Some(Duration::from_millis(300)),
        ..OrgConfig::default()
    });
    let token = org.issue_access_token();
    org.inject(Fault::new(
        Op::DescribeGlobal,
        1,
        FaultAction::Delay(Duration::from_millis(500)),
    ));
    assert_eq!(
        get(&org, &token, "/services/data/v66.0/sobjects/").status,
        200
    );
    // The next request arrives after the token expired.
    assert_eq!(
        get(&org, &token, "/services/data/v66.0/sobjects/").status,
        401
    );
}
