//! Metadata SOAP updateMetadata: whole-record replace, typing and the nil-fields knob.

use super::*;

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
