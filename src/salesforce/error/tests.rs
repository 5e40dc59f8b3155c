//! Unit tests of error classification, parsing and hints.

use super::*;

fn kind(f: Option<Failure>) -> &'static str {
    match f {
        None => "ok",
        Some(Failure::Transient(_)) => "transient",
        Some(Failure::SessionExpired(_)) => "session",
        Some(Failure::Permanent(_)) => "permanent",
    }
}

#[test]
fn unknown_bodies_are_flattened_and_clipped() {
    assert_eq!(
        snippet("<h1>Down</h1>\n\n  for   maintenance").to_string(),
        "<h1>Down</h1> for maintenance"
    );
    let long = format!("{}é{}", "a".repeat(299), "b".repeat(50));
    assert_eq!(snippet(&long).to_string(), format!("{}é…", "a".repeat(299)));
    assert_eq!(snippet(&"c".repeat(300)).to_string(), "c".repeat(300));
}

#[test]
fn retry_classification() {
    let fault = |code: &str| {
        format!(
            "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\"><soapenv:Body><soapenv:Fault><faultcode>sf:{code}</faultcode><faultstring>{code}: words</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>"
        )
    };
    assert_eq!(kind(classify(Api::Rest, 200, "{}", "x")), "ok");
    assert_eq!(
        kind(classify(Api::Rest, 503, "<html>down</html>", "x")),
        "transient"
    );
    assert_eq!(kind(classify(Api::Rest, 429, "", "x")), "transient");
    let limit = r#"[{"errorCode":"REQUEST_LIMIT_EXCEEDED","message":"ConcurrentPerOrgLongTxn Limit exceeded."}]"#;
    assert_eq!(kind(classify(Api::Rest, 403, limit, "x")), "transient");
    let daily =
        r#"[{"errorCode":"REQUEST_LIMIT_EXCEEDED","message":"TotalRequests Limit exceeded."}]"#;
    assert_eq!(kind(classify(Api::Rest, 403, daily, "x")), "permanent");
    let expired = r#"[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]"#;
    assert_eq!(kind(classify(Api::Rest, 401, expired, "x")), "session");
    assert_eq!(
        kind(classify(Api::Soap, 500, &fault("INVALID_SESSION_ID"), "x")),
        "session"
    );
    assert_eq!(
        kind(classify(Api::Soap, 500, &fault("SERVER_UNAVAILABLE"), "x")),
        "transient"
    );
    assert_eq!(
        kind(classify(Api::Soap, 500, "plain failure", "x")),
        "transient"
    );
    let denied = classify(
        Api::Soap,
        500,
        &fault("INSUFFICIENT_ACCESS"),
        "readMetadata",
    );
    let Some(Failure::Permanent(e)) = denied else {
        panic!("not permanent")
    };
    assert_eq!(e.code.as_deref(), Some("INSUFFICIENT_ACCESS"));
    assert!(
        e.answer.contains("faultcode sf:INSUFFICIENT_ACCESS"),
        "{}",
        e.answer
    );
    assert!(e.hint.contains("Modify Metadata"));
    let oauth = r#"{"error":"invalid_grant","error_description":"expired access/refresh token"}"#;
    let Some(Failure::Permanent(e)) = classify(Api::OAuth, 400, oauth, "token") else {
        panic!()
    };
    assert_eq!(
        e.answer,
        "HTTP 400, invalid_grant: expired access/refresh token"
    );
}

#[test]
fn each_hint_is_written_once() {
    let oauth = r#"{"error":"invalid_grant","error_description":"expired access/refresh token"}"#;
    let e = classify(Api::OAuth, 400, oauth, "token")
        .unwrap()
        .into_error();
    assert_eq!(e.hint, REFRESH_TOKEN_HINT);
    let denied = r#"[{"errorCode":"INSUFFICIENT_ACCESS","message":"no"}]"#;
    let e = classify(Api::Rest, 403, denied, "query")
        .unwrap()
        .into_error();
    assert_eq!(e.hint, INSUFFICIENT_ACCESS_HINT);
    assert_eq!(e.code.as_deref(), Some("INSUFFICIENT_ACCESS"));
}

#[test]
fn constructors_fill_what_a_literal_would() {
    let e = SfError::new("reading", "HTTP 500", "run again");
    assert_eq!(
        (
            e.action.as_str(),
            e.answer.as_str(),
            e.code,
            e.hint.as_str()
        ),
        ("reading", "HTTP 500", None, "run again")
    );
    let e = SfError::new("a", "b", "c")
        .with_code(Some("X".into()))
        .with_hint("d");
    assert_eq!((e.code.as_deref(), e.hint.as_str()), (Some("X"), "d"));
    let e = e.during("verifying the change");
    assert_eq!(e.action, "a (verifying the change)");
    assert_eq!(e.to_string(), "a (verifying the change) failed: b");
    // What the server said is quoted escaped to one line.
    let e = SfError::unreadable("query", 200, "JSON", "bad\n::stop-commands::x");
    assert_eq!(
        e.answer,
        "HTTP 200 with a body that is not JSON (bad\\n::stop-commands::x)"
    );
    assert_eq!(e.hint, API_HOST_HINT);
}

#[test]
fn a_soql_error_shows_its_reason_first_without_the_query_echo() {
    let body = serde_json::json!([{
        "errorCode": "INVALID_TYPE",
        "message": "\nSELECT Id FROM Missing__mdt\n               ^\nERROR at Row:1:Column:16\nsObject type 'Missing__mdt' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name."
    }])
    .to_string();
    let e = classify(Api::Rest, 400, &body, "query")
        .unwrap()
        .into_error();
    assert_eq!(
        e.answer,
        "HTTP 400, errorCode INVALID_TYPE: sObject type 'Missing__mdt' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. (ERROR at Row:1:Column:16)"
    );
    // Any other message is quoted as it came, escaped to one line.
    let body = r#"[{"errorCode":"MALFORMED_QUERY","message":"unexpected token: x\nmore"}]"#;
    let e = classify(Api::Rest, 400, body, "query")
        .unwrap()
        .into_error();
    assert_eq!(
        e.answer,
        "HTTP 400, errorCode MALFORMED_QUERY: unexpected token: x\\nmore"
    );
}
