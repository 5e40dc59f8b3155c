//! Record kinds, namespace protection and field manageability.

use super::*;

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
    let field = read_custom_field(&org, &token, "s_c__Setting__mdt.s_c__Setting__c");
    assert!(
        field.body.contains("<records xsi:type=\"CustomField\"><fullName>s_c__Setting__mdt.s_c__Setting__c</fullName>")
            && field
                .body
                .contains("<fieldManageability>SubscriberControlled</fieldManageability>")
            && field.body.contains("<type>Checkbox</type>"),
        "{}",
        field.body
    );
    let missing = read_custom_field(&org, &token, "s_c__Setting__mdt.s_c__Nope__c");
    assert!(missing.body.contains("<records xsi:nil=\"true\"/>"));

    for m in [Manageability::DeveloperControlled, Manageability::Locked] {
        let org = SimOrg::start(OrgConfig {
            field_manageability: m,
            ..OrgConfig::default()
        });
        let token = org.issue_access_token();
        let field = read_custom_field(&org, &token, "s_c__Setting__mdt.s_c__Setting__c");
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

/// readMetadata of one CustomField.
fn read_custom_field(org: &SimOrg, token: &str, full_name: &str) -> Resp {
    soap(
        org,
        token,
        &format!(
            "<met:readMetadata><met:type>CustomField</met:type><met:fullNames>{full_name}</met:fullNames></met:readMetadata>"
        ),
    )
}
