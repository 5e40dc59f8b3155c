//! End-to-end tests of the simulated org over raw HTTP.

mod common;

use std::time::{Duration, Instant};

use common::*;
use serde_json::json;
use simorg::*;

fn refresh_of(auth_url: &str) -> (String, String, String) {
    let rest = auth_url.strip_prefix("force://").expect("force://");
    let (creds, _host) = rest.rsplit_once('@').expect("@host");
    let mut parts = creds.splitn(3, ':');
    let id = parts.next().expect("id").to_string();
    let secret = parts.next().expect("secret").to_string();
    let refresh = parts.next().expect("refresh").to_string();
    (id, secret, refresh)
}

fn refresh_grant(org: &SimOrg, auth_url: &str) -> Resp {
    let (id, secret, refresh) = refresh_of(auth_url);
    let mut pairs = vec![
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh.as_str()),
        ("client_id", id.as_str()),
    ];
    if !secret.is_empty() {
        pairs.push(("client_secret", secret.as_str()));
    }
    post_token(org, &pairs)
}

fn assert_token_ok(org: &SimOrg, resp: &Resp) -> String {
    assert_eq!(resp.status, 200, "{}", resp.body);
    let v = resp.json();
    let token = v["access_token"]
        .as_str()
        .expect("access_token")
        .to_string();
    assert!(token.starts_with("00DSIM000000001!AQ"), "{token}");
    assert_eq!(v["instance_url"], org.instance_url());
    assert_eq!(v["token_type"], "Bearer");
    assert_eq!(v["scope"], "api");
    assert!(
        v["id"]
            .as_str()
            .expect("id")
            .starts_with(&format!("{}/id/00D", org.instance_url()))
    );
    assert!(
        v["issued_at"]
            .as_str()
            .expect("issued_at")
            .parse::<u64>()
            .is_ok()
    );
    assert!(v["signature"].is_string());
    token
}

fn assert_oauth_error(resp: &Resp, error: &str, description: &str) {
    assert_eq!(resp.status, 400, "{}", resp.body);
    let v = resp.json();
    assert_eq!(v["error"], error, "{}", resp.body);
    assert_eq!(v["error_description"], description, "{}", resp.body);
}

fn jwt_claims(org: &SimOrg) -> serde_json::Value {
    json!({"iss": CLIENT_ID, "sub": USERNAME, "aud": org.url(), "exp": now_secs() + 180})
}

#[test]
fn refresh_token_grant_both_auth_urls_and_errors() {
    let org = SimOrg::start(OrgConfig::default());
    let url = org.auth_url();
    assert!(url.starts_with(&format!("force://{CLIENT_ID}:{CLIENT_SECRET}:5Aep")));
    assert!(url.ends_with(&format!("@{}", org.url().trim_start_matches("http://"))));
    let resp = refresh_grant(&org, &url);
    let token = assert_token_ok(&org, &resp);
    assert!(
        resp.json().get("refresh_token").is_none(),
        "no rotation by default"
    );
    assert_eq!(
        query(&org, &token, "SELECT Id FROM s_c__Setting__mdt").status,
        200
    );

    let cli = org.auth_url_without_secret();
    assert!(cli.starts_with("force://PlatformCLI::5Aep"));
    assert_token_ok(&org, &refresh_grant(&org, &cli));
    // Refresh token unchanged without rotation: both still work.
    assert_token_ok(&org, &refresh_grant(&org, &url));

    let (_, _, refresh) = refresh_of(&url);
    let wrong_secret = post_token(
        &org,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh),
            ("client_id", CLIENT_ID),
            ("client_secret", "nope"),
        ],
    );
    assert_oauth_error(
        &wrong_secret,
        "invalid_client",
        "invalid client credentials",
    );
    let wrong_id = post_token(
        &org,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh),
            ("client_id", "someone"),
        ],
    );
    assert_oauth_error(&wrong_id, "invalid_client_id", "client identifier invalid");
    let dead = post_token(
        &org,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", "5AepDEAD"),
            ("client_id", "PlatformCLI"),
        ],
    );
    assert_oauth_error(&dead, "invalid_grant", "expired access/refresh token");
    let unsupported = post_token(&org, &[("grant_type", "password"), ("username", USERNAME)]);
    assert_oauth_error(
        &unsupported,
        "unsupported_grant_type",
        "grant type not supported",
    );
}

#[test]
fn refresh_token_rotation_invalidates_old_token() {
    let org = SimOrg::start(OrgConfig {
        rotate_refresh_tokens: true,
        ..OrgConfig::default()
    });
    let first = org.auth_url();
    let resp = refresh_grant(&org, &first);
    assert_token_ok(&org, &resp);
    let new_refresh = resp.json()["refresh_token"]
        .as_str()
        .expect("rotated")
        .to_string();
    let second = org.auth_url();
    assert_ne!(first, second);
    assert_eq!(refresh_of(&second).2, new_refresh);
    assert_oauth_error(
        &refresh_grant(&org, &first),
        "invalid_grant",
        "expired access/refresh token",
    );
    assert_token_ok(&org, &refresh_grant(&org, &second));
}

#[test]
fn jwt_bearer_grant() {
    let org = SimOrg::start(OrgConfig::default());
    let grant = |assertion: &str| {
        post_token(
            &org,
            &[
                ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
                ("assertion", assertion),
            ],
        )
    };
    // Both key encodings, and the standard audiences.
    let resp = grant(&sign_jwt(JWT_KEY_PEM, &jwt_claims(&org)));
    let token = assert_token_ok(&org, &resp);
    assert!(resp.json().get("refresh_token").is_none());
    assert_eq!(
        query(&org, &token, "SELECT Id FROM s_c__Setting__mdt").status,
        200
    );
    assert_token_ok(
        &org,
        &grant(&sign_jwt(JWT_KEY_PKCS1_PEM, &jwt_claims(&org))),
    );
    for aud in [
        "https://login.salesforce.com",
        "https://test.salesforce.com",
    ] {
        let mut claims = jwt_claims(&org);
        claims["aud"] = json!(aud);
        assert_token_ok(&org, &grant(&sign_jwt(JWT_KEY_PEM, &claims)));
    }
    // exp as a string, as simple-salesforce sends it.
    let mut claims = jwt_claims(&org);
    claims["exp"] = json!((now_secs() + 120).to_string());
    assert_token_ok(&org, &grant(&sign_jwt(JWT_KEY_PEM, &claims)));

    let mut claims = jwt_claims(&org);
    claims["aud"] = json!("https://example.com");
    assert_oauth_error(
        &grant(&sign_jwt(JWT_KEY_PEM, &claims)),
        "invalid_grant",
        "audience is invalid",
    );
    let mut claims = jwt_claims(&org);
    claims["iss"] = json!("other-app");
    assert_oauth_error(
        &grant(&sign_jwt(JWT_KEY_PEM, &claims)),
        "invalid_client_id",
        "client identifier invalid",
    );
    let mut claims = jwt_claims(&org);
    claims["sub"] = json!("someone@else.example");
    assert_oauth_error(
        &grant(&sign_jwt(JWT_KEY_PEM, &claims)),
        "invalid_grant",
        "user hasn't approved this consumer",
    );
    // No upper bound in practice: far-future exp (even milliseconds, as sfdx-core sends) signs in.
    for exp in [now_secs() + 300, now_secs() + 3600, now_secs() * 1000] {
        let mut claims = jwt_claims(&org);
        claims["exp"] = json!(exp);
        assert_token_ok(&org, &grant(&sign_jwt(JWT_KEY_PEM, &claims)));
    }
    // An expired assertion is refused.
    for exp in [now_secs() - 10, 0] {
        let mut claims = jwt_claims(&org);
        claims["exp"] = json!(exp);
        assert_oauth_error(
            &grant(&sign_jwt(JWT_KEY_PEM, &claims)),
            "invalid_grant",
            "invalid assertion",
        );
    }
    // Tampered payload: signature no longer matches.
    let good = sign_jwt(JWT_KEY_PEM, &jwt_claims(&org));
    let parts: Vec<&str> = good.split('.').collect();
    let mut other = jwt_claims(&org);
    other["exp"] = json!(now_secs() + 200);
    let forged_payload = {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(other.to_string())
    };
    let forged = format!("{}.{}.{}", parts[0], forged_payload, parts[2]);
    assert_oauth_error(&grant(&forged), "invalid_grant", "invalid assertion");
    assert_oauth_error(&grant("not-a-jwt"), "invalid_grant", "invalid assertion");
}

#[test]
fn client_credentials_grant() {
    use base64::Engine;
    let org = SimOrg::start(OrgConfig::default());
    let basic = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"))
    );
    let resp = must(
        &org,
        "POST",
        "/services/oauth2/token",
        &[
            ("Authorization", &basic),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        "grant_type=client_credentials",
    );
    assert_token_ok(&org, &resp);
    let resp = post_token(
        &org,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
        ],
    );
    assert_token_ok(&org, &resp);
    let resp = post_token(
        &org,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", CLIENT_ID),
            ("client_secret", "wrong"),
        ],
    );
    assert_oauth_error(&resp, "invalid_client", "invalid client credentials");
}

#[test]
fn rest_requires_valid_session_and_token_lifetime() {
    let org = SimOrg::start(OrgConfig {
        token_lifetime: Some(Duration::from_millis(300)),
        ..OrgConfig::default()
    });
    let unauth = must(&org, "GET", "/services/data/v66.0/sobjects/", &[], "");
    assert_eq!(unauth.status, 401);
    assert_eq!(unauth.json()[0]["errorCode"], "INVALID_SESSION_ID");
    assert_eq!(unauth.json()[0]["message"], "Session expired or invalid");
    let token = org.issue_access_token();
    assert_eq!(
        get(&org, &token, "/services/data/v66.0/sobjects/").status,
        200
    );
    std::thread::sleep(Duration::from_millis(350));
    assert_eq!(
        get(&org, &token, "/services/data/v66.0/sobjects/").status,
        401
    );

    let token = org.issue_access_token();
    assert_eq!(
        get(&org, &token, "/services/data/v62.0/sobjects/").status,
        200
    );
    org.expire_sessions();
    assert_eq!(
        get(&org, &token, "/services/data/v62.0/sobjects/").status,
        401
    );
    let fresh = org.issue_access_token();
    assert_eq!(
        get(&org, &fresh, "/services/data/v62.0/sobjects/").status,
        200
    );
}

#[test]
fn describe_global_and_describe() {
    let org = SimOrg::start(OrgConfig::default());
    let token = org.issue_access_token();
    let resp = get(&org, &token, "/services/data/v66.0/sobjects/");
    assert_eq!(resp.status, 200);
    assert!(
        resp.header("sforce-limit-info")
            .is_some_and(|v| v.starts_with("api-usage="))
    );
    let v = resp.json();
    assert_eq!(v["encoding"], "UTF-8");
    assert_eq!(v["maxBatchSize"], 200);
    let objects = v["sobjects"].as_array().expect("sobjects");
    let labelled: Vec<&str> = objects
        .iter()
        .filter(|o| o["label"] == "StoreConnect Setting")
        .map(|o| o["name"].as_str().expect("name"))
        .collect();
    assert_eq!(labelled.len(), 2);
    assert!(labelled.contains(&"s_c__Setting__mdt") && labelled.contains(&"acme__Setting__mdt"));
    for name in ["Account", "s_c__Product__c", "Other_Config__mdt"] {
        assert!(objects.iter().any(|o| o["name"] == name), "{name}");
    }
    let product = objects
        .iter()
        .find(|o| o["name"] == "s_c__Product__c")
        .expect("product");
    assert_eq!(product["label"], "Product");
    assert_eq!(product["custom"], true);
    assert!(product["keyPrefix"].is_string() && product["queryable"] == true);

    let d = get(
        &org,
        &token,
        "/services/data/v66.0/sobjects/s_c__Setting__mdt/describe",
    )
    .json();
    assert_eq!(d["name"], "s_c__Setting__mdt");
    assert_eq!(d["label"], "StoreConnect Setting");
    assert_eq!(d["custom"], true);
    let fields = d["fields"].as_array().expect("fields");
    let field = |n: &str| {
        fields
            .iter()
            .find(|f| f["name"] == n)
            .unwrap_or_else(|| panic!("{n}"))
    };
    for std_field in [
        "Id",
        "DeveloperName",
        "MasterLabel",
        "Label",
        "Language",
        "NamespacePrefix",
        "QualifiedApiName",
    ] {
        assert_eq!(field(std_field)["custom"], false);
    }
    assert_eq!(field("Id")["type"], "id");
    assert_eq!(field("Language")["type"], "picklist");
    assert_eq!(field("s_c__Setting__c")["label"], "Setting");
    assert_eq!(field("s_c__Setting__c")["type"], "boolean");
    assert_eq!(field("s_c__Setting__c")["custom"], true);
    assert_eq!(field("s_c__Notes__c")["type"], "textarea");
    assert_eq!(field("s_c__Sync_Media__c")["type"], "boolean");
    assert_eq!(field("s_c__Description__c")["length"], 255);

    let text_org = SimOrg::start(OrgConfig {
        field_kind: FieldKind::Text,
        ..OrgConfig::default()
    });
    let t2 = text_org.issue_access_token();
    let d = get(
        &text_org,
        &t2,
        "/services/data/v66.0/sobjects/s_c__Setting__mdt/describe",
    )
    .json();
    let setting = d["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .find(|f| f["name"] == "s_c__Setting__c")
        .cloned();
    assert_eq!(setting.expect("setting")["type"], "string");

    let missing = get(
        &org,
        &token,
        "/services/data/v66.0/sobjects/Nope__mdt/describe",
    );
    assert_eq!(missing.status, 404);
    assert_eq!(missing.json()[0]["errorCode"], "NOT_FOUND");
    assert_eq!(
        get(&org, &token, "/services/data/v66.0/limits/whatever").status,
        404
    );
    assert_eq!(must(&org, "GET", "/nothing/here", &[], "").status, 404);
}

#[test]
fn soql_queries_and_errors() {
    let org = SimOrg::start(OrgConfig::default());
    let token = org.issue_access_token();
    let resp = query(
        &org,
        &token,
        "select qualifiedapiname, Id, s_c__setting__c, NamespacePrefix, s_c__Notes__c FROM s_c__Setting__mdt WHERE MasterLabel = 'StoreConnect Triggers Enabled'",
    );
    assert_eq!(resp.status, 200, "{}", resp.body);
    let v = resp.json();
    assert_eq!(v["totalSize"], 1);
    assert_eq!(v["done"], true);
    let rec = &v["records"][0];
    assert_eq!(rec["attributes"]["type"], "s_c__Setting__mdt");
    assert!(
        rec["attributes"]["url"]
            .as_str()
            .expect("url")
            .starts_with("/services/data/v66.0/sobjects/s_c__Setting__mdt/m0")
    );
    assert_eq!(rec["QualifiedApiName"], "s_c__Triggers_Enabled");
    assert_eq!(rec["s_c__Setting__c"], true);
    assert_eq!(rec["NamespacePrefix"], "s_c");
    assert!(rec["s_c__Notes__c"].is_null());
    // Field order as requested, names as in describe.
    let keys_in_order: Vec<&str> = [
        "\"attributes\"",
        "\"QualifiedApiName\"",
        "\"Id\"",
        "\"s_c__Setting__c\"",
        "\"NamespacePrefix\"",
    ]
    .into_iter()
    .collect();
    let positions: Vec<usize> = keys_in_order
        .iter()
        .map(|k| resp.body.find(k).expect("key"))
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{}", resp.body);

    let all = query(&org, &token, "SELECT DeveloperName FROM s_c__Setting__mdt").json();
    assert_eq!(all["totalSize"], 2);
    let decoy = query(
        &org,
        &token,
        "SELECT Id FROM acme__Setting__mdt WHERE MasterLabel = 'StoreConnect Triggers Enabled'",
    )
    .json();
    assert_eq!(decoy["totalSize"], 1);
    let escaped = query(
        &org,
        &token,
        r"SELECT Id FROM s_c__Setting__mdt WHERE MasterLabel = 'It\'s' AND NamespacePrefix = null",
    );
    assert_eq!(escaped.json()["totalSize"], 0);
    let by_bool = query(
        &org,
        &token,
        "SELECT Id FROM s_c__Setting__mdt WHERE s_c__Setting__c = true AND DeveloperName = 'triggers_enabled'",
    );
    assert_eq!(by_bool.json()["totalSize"], 1);

    let bad_type = query(&org, &token, "SELECT Id FROM Nope__mdt");
    assert_eq!(bad_type.status, 400);
    assert_eq!(bad_type.json()[0]["errorCode"], "INVALID_TYPE");
    assert!(
        bad_type.json()[0]["message"]
            .as_str()
            .expect("msg")
            .starts_with("sObject type 'Nope__mdt' is not supported.")
    );
    let bad_field = query(&org, &token, "SELECT Id, Bogus__c FROM s_c__Setting__mdt");
    assert_eq!(bad_field.status, 400);
    assert_eq!(bad_field.json()[0]["errorCode"], "INVALID_FIELD");
    assert!(
        bad_field.json()[0]["message"]
            .as_str()
            .expect("msg")
            .starts_with("No such column 'Bogus__c' on entity 's_c__Setting__mdt'")
    );
    let malformed = query(&org, &token, "SELECT FROM WHERE");
    assert_eq!(malformed.status, 400);
    assert_eq!(malformed.json()[0]["errorCode"], "MALFORMED_QUERY");
}

#[test]
fn subscriber_record_and_text_kind() {
    let org = SimOrg::start(OrgConfig {
        field_kind: FieldKind::Text,
        record_kind: RecordKind::Subscriber,
        enabled: false,
        ..OrgConfig::default()
    });
    assert_eq!(org.type_name(), "s_c__Setting__mdt");
    assert_eq!(org.field_name(), "s_c__Setting__c");
    assert_eq!(org.record_name(), "Triggers_Enabled");
    assert_eq!(org.full_name(), "s_c__Setting.Triggers_Enabled");
    assert_eq!(org.setting(), Value::Text("false".into()));
    let token = org.issue_access_token();
    let v = query(&org, &token, "SELECT NamespacePrefix, QualifiedApiName, s_c__Setting__c FROM s_c__Setting__mdt WHERE NamespacePrefix = null").json();
    assert_eq!(v["totalSize"], 1);
    assert!(v["records"][0]["NamespacePrefix"].is_null());
    assert_eq!(v["records"][0]["QualifiedApiName"], "Triggers_Enabled");
    assert_eq!(v["records"][0]["s_c__Setting__c"], "false");

    let body = read_metadata(&org, &token, "s_c__Setting.Triggers_Enabled").body;
    assert!(body.contains("<values><field>s_c__Setting__c</field><value xsi:type=\"xsd:string\">false</value></values>"), "{body}");
    let mut rec = org.record();
    rec.values[0].1 = Value::Text("true".into());
    let resp = soap(&org, &token, &update_body(&rec, "met:CustomMetadata"));
    assert!(
        resp.body.contains("<success>true</success>"),
        "{}",
        resp.body
    );
    assert_eq!(org.setting(), Value::Text("true".into()));
    assert_eq!(org.record(), rec);
}

/// An updateMetadata body echoing a whole record.
fn update_body(rec: &Record, xsi_type: &str) -> String {
    let mut values = String::new();
    for (field, value) in &rec.values {
        let v = match value {
            Value::Bool(b) => format!("<met:value xsi:type=\"xsd:boolean\">{b}</met:value>"),
            Value::Text(s) => format!(
                "<met:value xsi:type=\"xsd:string\">{}</met:value>",
                s.replace('&', "&amp;")
                    .replace('<', "&lt;")
                    .replace('>', "&gt;")
            ),
            Value::Nil => "<met:value xsi:nil=\"true\"/>".into(),
            Value::Number(n) => format!("<met:value xsi:type=\"xsd:double\">{n}</met:value>"),
            Value::Date(d) => format!("<met:value xsi:type=\"xsd:date\">{d}</met:value>"),
        };
        values.push_str(&format!(
            "<met:values><met:field>{field}</met:field>{v}</met:values>"
        ));
    }
    let description = rec
        .description
        .as_deref()
        .map(|d| format!("<met:description>{}</met:description>", xml_escape(d)))
        .unwrap_or_default();
    format!(
        "<met:updateMetadata><met:metadata xsi:type=\"{xsi_type}\"><met:fullName>{}</met:fullName>{description}<met:label>{}</met:label><met:protected>{}</met:protected>{values}</met:metadata></met:updateMetadata>",
        rec.full_name, rec.label, rec.protected
    )
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[test]
fn read_metadata_shape() {
    let org = SimOrg::start(OrgConfig::default());
    let token = org.issue_access_token();
    let resp = read_metadata(&org, &token, &org.full_name());
    assert_eq!(resp.status, 200);
    assert!(
        resp.header("content-type")
            .is_some_and(|c| c.starts_with("text/xml"))
    );
    let body = resp.body;
    assert!(
        body.contains(r#"xmlns="http://soap.sforce.com/2006/04/metadata""#),
        "{body}"
    );
    assert!(body.contains("<readMetadataResponse><result><records xsi:type=\"CustomMetadata\"><fullName>s_c__Setting.s_c__Triggers_Enabled</fullName><description>"), "{body}");
    assert!(
        body.contains(
            "</description><label>StoreConnect Triggers Enabled</label><protected>false</protected>"
        ),
        "{body}"
    );
    assert!(body.contains("<values><field>s_c__Setting__c</field><value xsi:type=\"xsd:boolean\">true</value></values>"));
    assert!(body.contains("<value xsi:type=\"xsd:string\">Master switch for sync triggers &lt;media &amp; stock&gt; «€»</value>"), "{body}");
    assert!(body.contains("<description>Schaltet die Sync-Trigger ein &amp; aus: &lt;true&gt; = läuft, &lt;false&gt; = gestoppt — ✓</description><label>"), "{body}");
    assert!(body.contains("<values><field>s_c__Batch_Size__c</field><value xsi:type=\"xsd:double\">50.0</value></values>"), "{body}");
    assert!(body.contains("<values><field>s_c__Since__c</field><value xsi:type=\"xsd:date\">2024-01-15</value></values>"), "{body}");
    assert!(
        body.contains("<values><field>s_c__Notes__c</field><value xsi:nil=\"true\"/></values>")
    );
    assert_eq!(
        org.record().values,
        vec![
            ("s_c__Setting__c".to_string(), Value::Bool(true)),
            (
                "s_c__Description__c".to_string(),
                Value::Text("Master switch for sync triggers <media & stock> «€»".into())
            ),
            ("s_c__Notes__c".to_string(), Value::Nil),
            ("s_c__Sync_Media__c".to_string(), Value::Bool(true)),
            (
                "s_c__Batch_Size__c".to_string(),
                Value::Number("50.0".into())
            ),
            (
                "s_c__Since__c".to_string(),
                Value::Date("2024-01-15".into())
            ),
        ]
    );
    // Unknown name: HTTP 200 with one nil record per requested name, as Salesforce answers.
    let unknown = read_metadata(&org, &token, "s_c__Setting.Triggers_Enabled");
    assert_eq!(unknown.status, 200);
    assert!(
        unknown.body.contains(
            "<readMetadataResponse><result><records xsi:nil=\"true\"/></result></readMetadataResponse>"
        ),
        "{}",
        unknown.body
    );
    // SOQL shows the number as a JSON number and the date as a string.
    let v = query(&org, &token, "SELECT s_c__Batch_Size__c, s_c__Since__c, s_c__Notes__c FROM s_c__Setting__mdt WHERE DeveloperName = 'Triggers_Enabled'").json();
    assert_eq!(v["records"][0]["s_c__Batch_Size__c"], json!(50.0));
    assert_eq!(v["records"][0]["s_c__Since__c"], json!("2024-01-15"));
    assert!(v["records"][0]["s_c__Notes__c"].is_null());
}

#[test]
fn soap_requests_must_use_the_metadata_namespace_and_headers() {
    let org = SimOrg::start(OrgConfig::default());
    let token = org.issue_access_token();
    let rec = org.record();
    // An unprefixed xsi:type with no default namespace is not the Metadata API's CustomMetadata.
    let resp = soap(&org, &token, &update_body(&rec, "CustomMetadata"));
    assert!(
        resp.body.contains("<statusCode>INVALID_TYPE</statusCode>"),
        "{}",
        resp.body
    );
    // The operation outside the metadata namespace is a client fault.
    let stray = soap(
        &org,
        &token,
        "<readMetadata><type>CustomMetadata</type></readMetadata>",
    );
    assert_eq!(stray.status, 500);
    assert!(stray.body.contains("soapenv:Client"), "{}", stray.body);
    // Headers of the SOAP 1.1 binding.
    let envelope = r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body/></soapenv:Envelope>"#;
    for headers in [
        &[("SOAPAction", "\"\"")][..],
        &[("Content-Type", "text/xml")][..],
    ] {
        let resp = send(&org, "POST", "/services/Soap/m/66.0", headers, envelope).expect("answer");
        assert_eq!(resp.status, 500, "{headers:?}");
        assert!(resp.body.contains("soapenv:Client"), "{}", resp.body);
    }
    assert_eq!(org.record(), rec, "nothing changed");
}

#[test]
fn update_replaces_whole_record_and_reports_errors() {
    let org = SimOrg::start(OrgConfig::default());
    let token = org.issue_access_token();
    // Only the Setting value is sent: everything else becomes Nil.
    let partial = Record {
        full_name: org.full_name(),
        label: "Renamed".into(),
        protected: false,
        values: vec![("s_c__Setting__c".into(), Value::Bool(false))],
        description: None,
    };
    let resp = soap(&org, &token, &update_body(&partial, "met:CustomMetadata"));
    assert_eq!(resp.status, 200, "{}", resp.body);
    assert!(resp.body.contains("<updateMetadataResponse><result><fullName>s_c__Setting.s_c__Triggers_Enabled</fullName><success>true</success></result></updateMetadataResponse>"), "{}", resp.body);
    let rec = org.record();
    assert_eq!(rec.label, "Renamed");
    assert_eq!(org.setting(), Value::Bool(false));
    assert_eq!(
        rec.values,
        vec![
            ("s_c__Setting__c".to_string(), Value::Bool(false)),
            ("s_c__Description__c".to_string(), Value::Nil),
            ("s_c__Notes__c".to_string(), Value::Nil),
            ("s_c__Sync_Media__c".to_string(), Value::Nil),
            ("s_c__Batch_Size__c".to_string(), Value::Nil),
            ("s_c__Since__c".to_string(), Value::Nil),
        ]
    );
    assert_eq!(rec.description, None, "an omitted description is cleared");
    let v = query(&org, &token, "SELECT MasterLabel, s_c__Description__c FROM s_c__Setting__mdt WHERE DeveloperName = 'Triggers_Enabled'").json();
    assert_eq!(v["records"][0]["MasterLabel"], "Renamed");
    assert!(v["records"][0]["s_c__Description__c"].is_null());

    // Full echo restores everything.
    let full = org.record();
    let mut restore = full.clone();
    restore.label = "StoreConnect Triggers Enabled".into();
    restore.description = Some("on & off <ü>".into());
    restore.values = vec![
        ("s_c__Setting__c".into(), Value::Bool(true)),
        (
            "s_c__Description__c".into(),
            Value::Text("a <b> & c".into()),
        ),
        ("s_c__Notes__c".into(), Value::Nil),
        ("s_c__Sync_Media__c".into(), Value::Bool(true)),
        ("s_c__Batch_Size__c".into(), Value::Number("25.0".into())),
        ("s_c__Since__c".into(), Value::Date("2025-02-28".into())),
    ];
    let body = update_body(&restore, "met:CustomMetadata");
    assert!(
        soap(&org, &token, &body)
            .body
            .contains("<success>true</success>")
    );
    assert_eq!(org.record(), restore);
    // A value without xsi:type is refused with a SOAP fault; nothing changes.
    let untyped = body.replace(" xsi:type=\"xsd:boolean\"", "");
    let resp = soap(&org, &token, &untyped);
    assert_eq!(resp.status, 500, "{}", resp.body);
    assert!(
        resp.body.contains("<faultcode>soapenv:Client</faultcode>")
            && resp
                .body
                .contains("Only the following configurations are supported"),
        "{}",
        resp.body
    );
    assert_eq!(org.record(), restore);

    // Unknown fullName.
    let mut ghost = restore.clone();
    ghost.full_name = "s_c__Setting.Ghost".into();
    let resp = soap(&org, &token, &update_body(&ghost, "met:CustomMetadata"));
    assert!(resp.body.contains("<result><errors><message>In field: fullName - no CustomMetadata named s_c__Setting.Ghost found</message><statusCode>INVALID_CROSS_REFERENCE_KEY</statusCode></errors><fullName>s_c__Setting.Ghost</fullName><success>false</success></result>"), "{}", resp.body);
    // Unknown field and a non-boolean checkbox value: rejected, record untouched.
    let mut bad = restore.clone();
    bad.values
        .push(("s_c__Bogus__c".into(), Value::Text("x".into())));
    let resp = soap(&org, &token, &update_body(&bad, "met:CustomMetadata"));
    assert!(
        resp.body
            .contains("<statusCode>FIELD_INTEGRITY_EXCEPTION</statusCode>")
            && resp.body.contains("<success>false</success>"),
        "{}",
        resp.body
    );
    let mut bad = restore.clone();
    bad.values[0].1 = Value::Text("yes".into());
    let resp = soap(&org, &token, &update_body(&bad, "met:CustomMetadata"));
    assert!(
        resp.body
            .contains("<statusCode>FIELD_INTEGRITY_EXCEPTION</statusCode>"),
        "{}",
        resp.body
    );
    assert_eq!(org.record(), restore);
}

#[test]
fn readback_lag_serves_old_values_to_soql() {
    let lag = Duration::from_millis(400);
    let org = SimOrg::start(OrgConfig {
        readback_lag: lag,
        ..OrgConfig::default()
    });
    let token = org.issue_access_token();
    let soql = "SELECT s_c__Setting__c FROM s_c__Setting__mdt WHERE QualifiedApiName = 's_c__Triggers_Enabled'";
    let value = || query(&org, &token, soql).json()["records"][0]["s_c__Setting__c"].clone();
    assert_eq!(value(), json!(true));
    let mut rec = org.record();
    rec.values[0].1 = Value::Bool(false);
    let updated = Instant::now();
    assert!(
        soap(&org, &token, &update_body(&rec, "met:CustomMetadata"))
            .body
            .contains("<success>true</success>")
    );
    // readMetadata and record() see the new value at once; SOQL lags.
    assert_eq!(org.setting(), Value::Bool(false));
    assert!(
        read_metadata(&org, &token, &org.full_name())
            .body
            .contains("<value xsi:type=\"xsd:boolean\">false</value>")
    );
    assert_eq!(value(), json!(true));
    assert!(updated.elapsed() < lag, "test too slow to observe the lag");
    std::thread::sleep(lag.saturating_sub(updated.elapsed()) + Duration::from_millis(50));
    assert_eq!(value(), json!(false));
    // set_setting bypasses the lag.
    org.set_setting(Value::Bool(true));
    assert_eq!(value(), json!(true));
}

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
fn list_metadata_file_properties() {
    let org = SimOrg::start(OrgConfig::default());
    let token = org.issue_access_token();
    let resp = soap(
        &org,
        &token,
        "<met:listMetadata><met:queries><met:type>CustomMetadata</met:type></met:queries><met:asOfVersion>66.0</met:asOfVersion></met:listMetadata>",
    );
    assert_eq!(resp.status, 200);
    let body = resp.body;
    assert!(body.contains("<fileName>customMetadata/s_c__Setting.s_c__Triggers_Enabled.md</fileName><fullName>s_c__Setting.s_c__Triggers_Enabled</fullName>"), "{body}");
    assert!(body.contains("<manageableState>installed</manageableState><namespacePrefix>s_c</namespacePrefix><type>CustomMetadata</type>"));
    assert!(between(&body, "lastModifiedDate").is_some_and(|d| d.ends_with('Z') && d.len() == 24));
    assert_eq!(org.requests()[0].op, Op::ListMetadata);
}

#[test]
fn list_metadata_serves_who_and_when_tests_can_set() {
    let org = SimOrg::start(OrgConfig::default());
    let token = org.issue_access_token();
    let at = std::time::UNIX_EPOCH + std::time::Duration::from_millis(1_705_312_800_123);
    org.set_last_modified("Jane <Admin> & Co", at);
    assert_eq!(org.last_modified(), ("Jane <Admin> & Co".to_string(), at));
    let body = soap(
        &org,
        &token,
        "<met:listMetadata><met:queries><met:type>CustomMetadata</met:type></met:queries><met:asOfVersion>66.0</met:asOfVersion></met:listMetadata>",
    )
    .body;
    let ours = body
        .split("<result>")
        .find(|r| r.contains("<fullName>s_c__Setting.s_c__Triggers_Enabled</fullName>"))
        .expect("the record is listed");
    assert!(
        ours.contains("<lastModifiedByName>Jane &lt;Admin&gt; &amp; Co</lastModifiedByName>"),
        "{ours}"
    );
    assert!(
        ours.contains("<lastModifiedDate>2024-01-15T10:00:00.123Z</lastModifiedDate>"),
        "{ours}"
    );
    // Other records keep the integration user.
    assert_eq!(body.matches("Jane &lt;Admin&gt;").count(), 1);
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
fn the_login_host_serves_sign_ins_only_and_retired_versions_are_refused() {
    let org = SimOrg::start(OrgConfig::default());
    let token = org.issue_access_token();
    let auth = format!("Bearer {token}");
    // API calls on the login host are refused: clients must use the token response's instance_url.
    let on_login = send_to(
        &org,
        &org.url(),
        "GET",
        "/services/data/v66.0/sobjects/",
        &[("Authorization", &auth)],
        "",
    )
    .expect("answer");
    assert_eq!(on_login.status, 404, "{}", on_login.body);
    assert!(org.instance_url() != org.url());
    // Client credentials only on the org's own host.
    let basic = format!("Basic {}", base64_pair(CLIENT_ID, CLIENT_SECRET));
    let headers = [
        ("Authorization", basic.as_str()),
        ("Content-Type", "application/x-www-form-urlencoded"),
    ];
    let refused = send_to(
        &org,
        &org.url(),
        "POST",
        "/services/oauth2/token",
        &headers,
        "grant_type=client_credentials",
    )
    .expect("answer");
    assert_eq!(refused.status, 400);
    assert_eq!(
        refused.json()["error_description"],
        "request not supported on this domain"
    );
    let granted = send(
        &org,
        "POST",
        "/services/oauth2/token",
        &headers,
        "grant_type=client_credentials",
    )
    .expect("answer");
    assert_eq!(granted.status, 200, "{}", granted.body);
    // Retired API versions.
    assert_eq!(
        get_status(&org, &auth, "/services/data/v20.0/sobjects/"),
        410
    );
    assert_eq!(
        get_status(&org, &auth, "/services/data/v68.0/sobjects/"),
        200
    );
    let retired = send(
        &org,
        "POST",
        "/services/Soap/m/30.0",
        &[("Content-Type", "text/xml")],
        "<x/>",
    )
    .expect("answer");
    assert_eq!(retired.status, 500);
    assert!(
        retired
            .body
            .contains("<faultcode>sf:UNSUPPORTED_API_VERSION</faultcode>"),
        "{}",
        retired.body
    );
}

fn get_status(org: &SimOrg, auth: &str, path: &str) -> u16 {
    send(org, "GET", path, &[("Authorization", auth)], "")
        .expect("answer")
        .status
}

fn base64_pair(id: &str, secret: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"))
}

#[test]
fn queries_page_with_next_records_url() {
    let org = SimOrg::start(OrgConfig {
        page_size: Some(1),
        ..OrgConfig::default()
    });
    let token = org.issue_access_token();
    let first = query(&org, &token, "SELECT DeveloperName FROM s_c__Setting__mdt").json();
    assert_eq!(first["totalSize"], 2);
    assert_eq!(first["done"], false);
    assert_eq!(first["records"].as_array().map(Vec::len), Some(1));
    let next = first["nextRecordsUrl"]
        .as_str()
        .expect("nextRecordsUrl")
        .to_string();
    let second = get(&org, &token, &next).json();
    assert_eq!(second["done"], true);
    assert_eq!(second["records"].as_array().map(Vec::len), Some(1));
    assert!(second.get("nextRecordsUrl").is_none());
    assert_ne!(
        first["records"][0]["DeveloperName"],
        second["records"][0]["DeveloperName"]
    );
}

#[test]
fn update_refuses_a_value_typed_unlike_its_field() {
    for kind in [FieldKind::Checkbox, FieldKind::Text] {
        let org = SimOrg::start(OrgConfig {
            field_kind: kind,
            ..OrgConfig::default()
        });
        let token = org.issue_access_token();
        let rec = org.record();
        // A Checkbox takes xsd:boolean, a Text field xsd:string: swap them.
        let (right, wrong) = match kind {
            FieldKind::Checkbox => ("xsd:boolean\">true", "xsd:string\">true"),
            FieldKind::Text => ("xsd:string\">true", "xsd:boolean\">true"),
        };
        let body = update_body(&rec, "met:CustomMetadata");
        assert!(body.contains(right), "{body}");
        let resp = soap(&org, &token, &body.replacen(right, wrong, 1));
        assert_eq!(resp.status, 200, "{}", resp.body);
        assert!(
            resp.body.contains("<success>false</success>")
                && resp.body.contains(
                    "<fields>s_c__Setting__c</fields><message>value not of required type"
                )
                && resp
                    .body
                    .contains("<statusCode>FIELD_INTEGRITY_EXCEPTION</statusCode>"),
            "{kind:?}: {}",
            resp.body
        );
        assert_eq!(org.record(), rec, "{kind:?}: nothing changed");
        // The number and date fields want their own types too.
        let resp = soap(
            &org,
            &token,
            &body.replace("xsd:double\">50.0", "xsd:string\">50"),
        );
        assert!(
            resp.body.contains("<fields>s_c__Batch_Size__c</fields>"),
            "{}",
            resp.body
        );
    }
}

#[test]
fn read_metadata_not_found_shapes_are_knobs() {
    let cases = [
        (
            NotFoundShape::Nil,
            "<result><records xsi:nil=\"true\"/></result>",
        ),
        (NotFoundShape::NoRecords, "<result/>"),
        (
            NotFoundShape::NoFullName,
            "<result><records xsi:type=\"CustomMetadata\"><protected>false</protected></records></result>",
        ),
        (
            NotFoundShape::OtherFullName,
            "<result><records xsi:type=\"CustomMetadata\"><fullName>s_c__Setting.s_c__Triggers_Enabled</fullName>",
        ),
    ];
    for (shape, expected) in cases {
        let org = SimOrg::start(OrgConfig {
            not_found: shape,
            ..OrgConfig::default()
        });
        let token = org.issue_access_token();
        let resp = read_metadata(&org, &token, "s_c__Setting.s_c__Ghost");
        assert_eq!(resp.status, 200);
        assert!(resp.body.contains(expected), "{shape:?}: {}", resp.body);
    }
}

#[test]
fn protected_records_are_invisible_in_another_namespace_and_stay_protected() {
    // Packaged and protected: not found for readMetadata, updateMetadata and SOQL.
    let org = SimOrg::start(OrgConfig {
        protected_record: true,
        ..OrgConfig::default()
    });
    let token = org.issue_access_token();
    let resp = read_metadata(&org, &token, &org.full_name());
    assert!(
        resp.body
            .contains("<result><records xsi:nil=\"true\"/></result>"),
        "{}",
        resp.body
    );
    let v = query(
        &org,
        &token,
        "SELECT Id FROM s_c__Setting__mdt WHERE DeveloperName = 'Triggers_Enabled'",
    )
    .json();
    assert_eq!(v["totalSize"], 0, "{v}");
    let resp = soap(
        &org,
        &token,
        &update_body(&org.record(), "met:CustomMetadata"),
    );
    assert!(
        resp.body
            .contains("<statusCode>INVALID_CROSS_REFERENCE_KEY</statusCode>"),
        "{}",
        resp.body
    );

    // The subscriber's own protected record is visible but cannot be made unprotected.
    let org = SimOrg::start(OrgConfig {
        protected_record: true,
        record_kind: RecordKind::Subscriber,
        ..OrgConfig::default()
    });
    let token = org.issue_access_token();
    let rec = org.record();
    assert!(rec.protected);
    assert!(
        read_metadata(&org, &token, &org.full_name())
            .body
            .contains("<protected>true</protected>")
    );
    let mut open = rec.clone();
    open.protected = false;
    let resp = soap(&org, &token, &update_body(&open, "met:CustomMetadata"));
    assert!(
        resp.body.contains("<success>false</success>")
            && resp.body.contains("<fields>protected</fields>"),
        "{}",
        resp.body
    );
    assert_eq!(org.record(), rec);
    let mut flipped = rec.clone();
    flipped.values[0].1 = Value::Bool(false);
    assert!(
        soap(&org, &token, &update_body(&flipped, "met:CustomMetadata"))
            .body
            .contains("<success>true</success>")
    );
}

#[test]
fn field_manageability_decides_whether_the_subscriber_may_write() {
    let org = SimOrg::start(OrgConfig::default());
    let token = org.issue_access_token();
    let field = read_metadata_of(
        &org,
        &token,
        "CustomField",
        "s_c__Setting__mdt.s_c__Setting__c",
    );
    assert!(
        field.body.contains("<records xsi:type=\"CustomField\"><fullName>s_c__Setting__mdt.s_c__Setting__c</fullName>")
            && field
                .body
                .contains("<fieldManageability>SubscriberControlled</fieldManageability>")
            && field.body.contains("<type>Checkbox</type>"),
        "{}",
        field.body
    );
    let missing = read_metadata_of(
        &org,
        &token,
        "CustomField",
        "s_c__Setting__mdt.s_c__Nope__c",
    );
    assert!(missing.body.contains("<records xsi:nil=\"true\"/>"));

    for m in [Manageability::DeveloperControlled, Manageability::Locked] {
        let org = SimOrg::start(OrgConfig {
            field_manageability: m,
            ..OrgConfig::default()
        });
        let token = org.issue_access_token();
        let field = read_metadata_of(
            &org,
            &token,
            "CustomField",
            "s_c__Setting__mdt.s_c__Setting__c",
        );
        assert!(
            field.body.contains(&format!(
                "<fieldManageability>{}</fieldManageability>",
                m.as_str()
            )),
            "{}",
            field.body
        );
        let rec = org.record();
        // Echoing the value unchanged is fine; changing it is refused per result.
        assert!(
            soap(&org, &token, &update_body(&rec, "met:CustomMetadata"))
                .body
                .contains("<success>true</success>")
        );
        let mut flipped = rec.clone();
        flipped.values[0].1 = Value::Bool(false);
        let resp = soap(&org, &token, &update_body(&flipped, "met:CustomMetadata"));
        assert_eq!(resp.status, 200);
        assert!(
            resp.body.contains("<success>false</success>")
                && resp
                    .body
                    .contains("<statusCode>CANNOT_MODIFY_MANAGED_OBJECT</statusCode>"),
            "{m:?}: {}",
            resp.body
        );
        assert_eq!(org.setting(), Value::Bool(true));
    }
    // A subscriber-created record is the subscriber's to change, whatever the field says.
    let org = SimOrg::start(OrgConfig {
        field_manageability: Manageability::Locked,
        record_kind: RecordKind::Subscriber,
        ..OrgConfig::default()
    });
    let token = org.issue_access_token();
    let mut flipped = org.record();
    flipped.values[0].1 = Value::Bool(false);
    assert!(
        soap(&org, &token, &update_body(&flipped, "met:CustomMetadata"))
            .body
            .contains("<success>true</success>")
    );
}

#[test]
fn oldest_api_version_is_a_knob() {
    let org = SimOrg::start(OrgConfig {
        min_api_version: 67,
        ..OrgConfig::default()
    });
    let token = org.issue_access_token();
    let auth = format!("Bearer {token}");
    assert_eq!(
        get_status(&org, &auth, "/services/data/v66.0/sobjects/"),
        410
    );
    assert_eq!(
        get_status(&org, &auth, "/services/data/v67.0/sobjects/"),
        200
    );
}

#[test]
fn update_clears_knob_nils_fields_after_a_write() {
    let org = SimOrg::start(OrgConfig {
        update_clears: vec!["s_c__Batch_Size__c".into()],
        ..OrgConfig::default()
    });
    let token = org.issue_access_token();
    let rec = org.record();
    assert!(
        soap(&org, &token, &update_body(&rec, "met:CustomMetadata"))
            .body
            .contains("<success>true</success>")
    );
    let after = org.record();
    assert_eq!(
        after.values.iter().find(|(f, _)| f == "s_c__Batch_Size__c"),
        Some(&("s_c__Batch_Size__c".to_string(), Value::Nil))
    );
}

/// readMetadata of any metadata type.
fn read_metadata_of(org: &SimOrg, token: &str, kind: &str, full_name: &str) -> Resp {
    soap(
        org,
        token,
        &format!(
            "<met:readMetadata><met:type>{kind}</met:type><met:fullNames>{full_name}</met:fullNames></met:readMetadata>"
        ),
    )
}
