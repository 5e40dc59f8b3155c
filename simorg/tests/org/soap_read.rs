//! Metadata SOAP reads: envelope rules, readMetadata shapes and listMetadata.

use super::*;

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
