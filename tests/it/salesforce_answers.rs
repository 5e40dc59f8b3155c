//! The tool against simorg's Salesforce-like answers: not-found shapes, typed values,
//! the read-back that proves nothing else moved, refused writes, login hosts, retired versions
//! and the daily request limit.

use simorg::{Manageability, NotFoundShape};

use crate::common::*;

fn update_bodies(org: &SimOrg) -> Vec<String> {
    org.requests()
        .into_iter()
        .filter(|r| r.op == Op::UpdateMetadata)
        .map(|r| r.body)
        .collect()
}

#[test]
fn every_not_found_shape_exits_3_naming_the_full_name_and_writes_nothing() {
    for shape in [
        NotFoundShape::Nil,
        NotFoundShape::NoRecords,
        NotFoundShape::NoFullName,
        NotFoundShape::OtherFullName,
    ] {
        let org = SimOrg::start(OrgConfig {
            not_found: shape,
            ..OrgConfig::default()
        });
        let before = org.record();
        let mut cli = pinned(&org, Auth::AccessToken, &["disable"]);
        cli.setting("setting-record", "s_c__Ghost_Record");
        cli.run()
            .expect(3)
            .contains("s_c__Setting.s_c__Ghost_Record");
        assert_eq!(count(&org, Op::UpdateMetadata), 0, "{shape:?}");
        assert_eq!(org.record(), before, "{shape:?}");
    }
    // A protected record of the package is invisible: not found, whether discovered or pinned.
    let org = SimOrg::start(OrgConfig {
        protected_record: true,
        ..OrgConfig::default()
    });
    pinned(&org, Auth::AccessToken, &["disable"])
        .run()
        .expect(3)
        .contains("s_c__Setting.s_c__Triggers_Enabled");
    Cli::for_org(&org, Auth::AccessToken, &["disable"])
        .run()
        .expect(3)
        .contains("StoreConnect Triggers Enabled");
    assert_eq!(count(&org, Op::UpdateMetadata), 0);
}

#[test]
fn writes_are_typed_and_echo_the_whole_record() {
    for kind in [FieldKind::Checkbox, FieldKind::Text] {
        for pin in [false, true] {
            let org = start_org(kind, RecordKind::Packaged, true);
            let before = org.record();
            let mut cli = Cli::for_org(&org, Auth::AccessToken, &["disable"]);
            if pin {
                cli.settings(&pins(&org));
            }
            cli.run().expect(0).contains("true -> false");
            let bodies = update_bodies(&org);
            assert_eq!(bodies.len(), 1);
            let body = &bodies[0];
            let xsd = match kind {
                FieldKind::Checkbox => "xsd:boolean",
                FieldKind::Text => "xsd:string",
            };
            assert!(
                body.contains(&format!(
                    "<met:field>s_c__Setting__c</met:field><met:value xsi:type=\"{xsd}\">false</met:value>"
                )),
                "{kind:?} pinned={pin}: {body}"
            );
            for expected in [
                "<met:description>Schaltet die Sync-Trigger ein &amp; aus: &lt;true&gt; = läuft, &lt;false&gt; = gestoppt — ✓</met:description>",
                "<met:label>StoreConnect Triggers Enabled</met:label><met:protected>false</met:protected>",
                "<met:value xsi:type=\"xsd:string\">Master switch for sync triggers &lt;media &amp; stock&gt; «€»</met:value>",
                "<met:field>s_c__Notes__c</met:field><met:value xsi:nil=\"true\"/>",
                "<met:value xsi:type=\"xsd:double\">50.0</met:value>",
                "<met:value xsi:type=\"xsd:date\">2024-01-15</met:value>",
            ] {
                assert!(body.contains(expected), "{expected} missing: {body}");
            }
            let after = org.record();
            assert_eq!(after.description, before.description);
            assert_eq!(after.label, before.label);
            assert_eq!(other_values(&org), {
                let field = org.field_name().to_string();
                before
                    .values
                    .iter()
                    .filter(|(f, _)| *f != field)
                    .cloned()
                    .collect::<Vec<_>>()
            });
            assert!(!enabled(&org));
        }
    }
}

#[test]
fn a_pinned_field_that_reads_nil_is_typed_from_one_describe() {
    for kind in [FieldKind::Checkbox, FieldKind::Text] {
        let org = start_org(kind, RecordKind::Packaged, true);
        org.set_setting(Value::Nil);
        org.clear_requests();
        pinned(&org, Auth::AccessToken, &["enable"]).run().expect(0);
        assert_eq!(count(&org, Op::Describe), 1, "{kind:?}");
        assert!(enabled(&org), "{kind:?}");
        // Typed values: simorg would have refused the write otherwise.
        let xsd = match kind {
            FieldKind::Checkbox => "xsd:boolean\">true",
            FieldKind::Text => "xsd:string\">true",
        };
        assert!(update_bodies(&org)[0].contains(xsd));
    }
}

#[test]
fn the_read_back_proves_the_other_fields_at_no_extra_request() {
    // The same write on an honest org and on one that clears a field: same requests.
    let honest = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    pinned(&honest, Auth::AccessToken, &["disable"])
        .run()
        .expect(0);
    let reads = ops(&honest);
    let query = honest
        .requests()
        .into_iter()
        .rfind(|r| r.op == Op::Query)
        .expect("read-back query");
    for column in ["s_c__Batch_Size__c", "s_c__Since__c", "s_c__Notes__c"] {
        assert!(query.path.contains(column), "{}", query.path);
    }

    let org = SimOrg::start(OrgConfig {
        update_clears: vec!["s_c__Batch_Size__c".into(), "s_c__Since__c".into()],
        ..OrgConfig::default()
    });
    pinned(&org, Auth::AccessToken, &["disable"])
        .run()
        .expect(3)
        .contains("s_c__Batch_Size__c (sent \"50.0\" as xsd:double, read null)")
        .contains("s_c__Since__c")
        .contains("may have cleared");
    assert_eq!(ops(&org), reads, "no extra request");
}

#[test]
fn a_refused_write_is_explained_with_the_field_manageability() {
    for m in [Manageability::DeveloperControlled, Manageability::Locked] {
        let org = SimOrg::start(OrgConfig {
            field_manageability: m,
            ..OrgConfig::default()
        });
        pinned(&org, Auth::AccessToken, &["disable"])
            .run()
            .expect(3)
            .contains("statusCode CANNOT_MODIFY_MANAGED_OBJECT: Cannot modify managed object")
            .contains(&format!("fieldManageability {}", m.as_str()))
            .contains("does not let subscribers change s_c__Setting__mdt.s_c__Setting__c");
        assert_eq!(
            ops(&org),
            vec![Op::ReadMetadata, Op::UpdateMetadata, Op::ReadMetadata],
            "one extra request, only on the failure path"
        );
        let field_read = org.requests().pop().expect("request").body;
        assert!(
            field_read.contains("<met:type>CustomField</met:type>"),
            "{field_read}"
        );
        assert!(enabled(&org));
    }
    // A subscriber-controlled field refused for another reason says so.
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    org.inject(Fault::status(
        Op::UpdateMetadata,
        1,
        200,
        r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="http://soap.sforce.com/2006/04/metadata"><soapenv:Body><updateMetadataResponse><result><errors><message>insufficient access rights on object id</message><statusCode>INSUFFICIENT_ACCESS_OR_READONLY</statusCode></errors><fullName>s_c__Setting.s_c__Triggers_Enabled</fullName><success>false</success></result></updateMetadataResponse></soapenv:Body></soapenv:Envelope>"#,
    ));
    pinned(&org, Auth::AccessToken, &["disable"])
        .run()
        .expect(3)
        .contains(
            "statusCode INSUFFICIENT_ACCESS_OR_READONLY: insufficient access rights on object id",
        )
        .contains("lets subscribers change")
        .contains("Customize Application");
}

#[test]
fn client_credentials_on_a_login_host_fail_fast() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    for host in [
        "https://login.salesforce.com",
        "https://test.salesforce.com/",
    ] {
        let mut cli = Cli::for_org(&org, Auth::ClientCredentials, &["status"]);
        cli.setting("instance-url", host);
        cli.run()
            .expect(2)
            .contains("client credentials need the org's My Domain URL");
    }
    assert!(org.requests().is_empty());
}

#[test]
fn retired_api_versions_name_the_api_version_setting() {
    let org = SimOrg::start(OrgConfig {
        min_api_version: 67,
        ..OrgConfig::default()
    });
    // REST: 410 Gone.
    let mut cli = Cli::for_org(&org, Auth::AccessToken, &["status"]);
    cli.setting("api-version", "66.0");
    cli.run()
        .expect(3)
        .contains("HTTP 410")
        .contains("set api-version to a supported one");
    // SOAP: UNSUPPORTED_API_VERSION fault.
    let mut cli = pinned(&org, Auth::AccessToken, &["disable"]);
    cli.setting("api-version", "66.0");
    cli.run()
        .expect(3)
        .contains("sf:UNSUPPORTED_API_VERSION")
        .contains("set api-version to a supported one");
    assert_eq!(count(&org, Op::UpdateMetadata), 0);
}

#[test]
fn the_daily_request_limit_fails_at_once_and_concurrency_is_retried() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    org.inject(Fault::status(
        Op::Query,
        5,
        403,
        r#"[{"errorCode":"REQUEST_LIMIT_EXCEEDED","message":"TotalRequests Limit exceeded."}]"#,
    ));
    pinned(&org, Auth::AccessToken, &["status"])
        .run()
        .expect(3)
        .contains("TotalRequests Limit exceeded")
        .contains("out of API requests for today");
    assert_eq!(count(&org, Op::Query), 1, "not retried");

    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    org.inject(Fault::status(
        Op::Query,
        2,
        403,
        r#"[{"errorCode":"REQUEST_LIMIT_EXCEEDED","message":"ConcurrentPerOrgLongTxn Limit exceeded."}]"#,
    ));
    pinned(&org, Auth::AccessToken, &["status"]).run().expect(0);
    assert_eq!(count(&org, Op::Query), 3, "retried until it passed");
}

#[test]
fn a_protected_record_of_the_subscriber_stays_protected() {
    let org = SimOrg::start(OrgConfig {
        protected_record: true,
        record_kind: RecordKind::Subscriber,
        ..OrgConfig::default()
    });
    Cli::for_org(&org, Auth::AccessToken, &["disable"])
        .run()
        .expect(0)
        .contains("true -> false");
    assert!(update_bodies(&org)[0].contains("<met:protected>true</met:protected>"));
    assert!(org.record().protected);
    assert!(!enabled(&org));
}
