//! REST sessions, token lifetime and the describe calls.

use super::*;

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
