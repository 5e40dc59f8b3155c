//! SOQL queries: errors, paging, and the read-back lag.

use super::*;

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
    // Salesforce's shape: the query, a caret under the type, row and column, then the sentence.
    assert!(
        bad_type.json()[0]["message"]
            .as_str()
            .expect("msg")
            .starts_with(concat!(
                "\nSELECT Id FROM Nope__mdt\n               ^\nERROR at Row:1:Column:16\n",
                "sObject type 'Nope__mdt' is not supported."
            ))
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
