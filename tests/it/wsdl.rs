//! Every kind of SOAP request the binary sends, captured for validation against Salesforce's
//! Metadata WSDL (`tests/wsdl/metadata.wsdl`).
//!
//! The test drives the binary through the runs that produce each request (readMetadata of the
//! record; updateMetadata of a checkbox and of a text setting, with typed other values and a nil;
//! of a protected record; listMetadata; readMetadata of the CustomField) and checks that each
//! was sent and accepted by simorg, which refuses a request out of the WSDL's element order.
//! With `STORECONNECT_WSDL_REQUESTS=DIR` it also writes each request body to DIR, where
//! `.ci/wsdl-validate` validates it with `xmlschema` against the WSDL's XSD, `xsi:type` honoured.

use std::path::PathBuf;

use crate::common::*;

/// One request kind the validation must see, and how to recognise its body.
struct Kind {
    name: &'static str,
    op: Op,
    marks: &'static [&'static str],
}

const KINDS: &[Kind] = &[
    Kind {
        name: "readMetadata CustomMetadata",
        op: Op::ReadMetadata,
        marks: &["CustomMetadata</met:type>"],
    },
    Kind {
        name: "updateMetadata checkbox, typed other values, nil",
        op: Op::UpdateMetadata,
        marks: &[
            "<met:field>s_c__Setting__c</met:field><met:value xsi:type=\"xsd:boolean\">",
            "xsd:double",
            "xsd:date",
            "xsi:nil=\"true\"",
        ],
    },
    Kind {
        name: "updateMetadata text",
        op: Op::UpdateMetadata,
        marks: &["<met:field>s_c__Setting__c</met:field><met:value xsi:type=\"xsd:string\">"],
    },
    Kind {
        name: "updateMetadata protected",
        op: Op::UpdateMetadata,
        marks: &["<met:protected>true</met:protected>"],
    },
    Kind {
        name: "listMetadata",
        op: Op::ListMetadata,
        marks: &["<met:listMetadata>"],
    },
    Kind {
        name: "readMetadata CustomField",
        op: Op::ReadMetadata,
        marks: &["CustomField</met:type>"],
    },
];

/// Runs `args` (pinned, access token) against an org with `cfg`; the SOAP requests it sent.
fn soap_requests(cfg: OrgConfig, args: &[&str], code: i32) -> Vec<(Op, String)> {
    let org = SimOrg::start(cfg);
    pinned(&org, Auth::AccessToken, args).run().expect(code);
    org.requests()
        .into_iter()
        .filter(|r| r.path.starts_with("/services/Soap/m/"))
        .map(|r| (r.op, r.body))
        .collect()
}

#[test]
fn every_soap_request_kind_is_sent_and_captured_for_the_wsdl() {
    let off = OrgConfig {
        enabled: false,
        ..OrgConfig::default()
    };
    let runs: Vec<(&str, Vec<(Op, String)>)> = vec![
        (
            "checkbox",
            soap_requests(OrgConfig::default(), &["disable"], 0),
        ),
        (
            "text",
            soap_requests(
                OrgConfig {
                    field_kind: FieldKind::Text,
                    ..OrgConfig::default()
                },
                &["disable"],
                0,
            ),
        ),
        (
            "protected",
            soap_requests(
                OrgConfig {
                    record_kind: RecordKind::Subscriber,
                    protected_record: true,
                    ..OrgConfig::default()
                },
                &["disable"],
                0,
            ),
        ),
        ("check-off", soap_requests(off, &["check"], 1)),
        (
            "refused",
            soap_requests(
                OrgConfig {
                    field_manageability: simorg::Manageability::DeveloperControlled,
                    ..OrgConfig::default()
                },
                &["disable"],
                3,
            ),
        ),
    ];
    let dir = std::env::var_os("STORECONNECT_WSDL_REQUESTS").map(PathBuf::from);
    if let Some(dir) = &dir {
        std::fs::create_dir_all(dir).expect("capture dir");
    }
    for (run, requests) in &runs {
        for (n, (op, body)) in requests.iter().enumerate() {
            if let Some(dir) = &dir {
                let file = dir.join(format!("{run}-{n}-{op:?}.xml"));
                std::fs::write(file, body).expect("write request");
            }
        }
    }
    let all: Vec<&(Op, String)> = runs.iter().flat_map(|(_, r)| r).collect();
    for kind in KINDS {
        assert!(
            all.iter()
                .any(|(op, body)| *op == kind.op && kind.marks.iter().all(|m| body.contains(m))),
            "no {} request was sent (the WSDL validation would not see one)",
            kind.name
        );
    }
}
