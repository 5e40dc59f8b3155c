//! Every kind of SOAP request the binary sends, captured for validation against Salesforce's
//! Metadata WSDL (`tests/wsdl/metadata.wsdl`).
//!
//! The test drives the binary through the runs that produce each request (readMetadata of the
//! record; updateMetadata of a checkbox and of a text setting, with typed other values and a nil;
//! of a protected record; listMetadata; readMetadata of the CustomField) and checks that each
//! was sent and accepted by simorg, which refuses a request out of the WSDL's element order.
//! With `STORECONNECT_WSDL_REQUESTS=DIR` it also writes each request body to DIR, and simorg's
//! answer to it (`*.answer.xml`), where `.ci/wsdl-validate` validates both with `xmlschema`
//! against the WSDL's XSD, `xsi:type` honoured.

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

/// One SOAP request the binary sent, and simorg's answer to it sent again.
struct Exchange {
    op: Op,
    request: String,
    answer: String,
}

/// Runs `args` (pinned, access token) against an org with `cfg`; the SOAP requests it sent,
/// each sent once more as it was to capture the org's answer (for the WSDL's output types).
fn soap_requests(cfg: OrgConfig, args: &[&str], code: i32) -> Vec<Exchange> {
    let org = SimOrg::start(cfg);
    pinned(&org, Auth::AccessToken, args).run().expect(code);
    let sent: Vec<_> = org
        .requests()
        .into_iter()
        .filter(|r| r.path.starts_with("/services/Soap/m/"))
        .collect();
    sent.into_iter()
        .map(|r| Exchange {
            answer: resend(&org, &r),
            op: r.op,
            request: r.body,
        })
        .collect()
}

/// Sends `request` to `org` again, byte for byte in its body; the answer's body.
fn resend(org: &SimOrg, request: &simorg::Request) -> String {
    use std::io::{Read, Write};
    let host = org.instance_url().trim_start_matches("http://").to_string();
    let port = host.rsplit(':').next().expect("port");
    let mut stream = std::net::TcpStream::connect(format!("127.0.0.1:{port}")).expect("connect");
    let head = format!(
        "POST {} HTTP/1.1\r\nHost: {host}\r\nContent-Type: {}\r\nSOAPAction: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        request.path,
        request
            .header("content-type")
            .unwrap_or("text/xml; charset=UTF-8"),
        request.header("soapaction").unwrap_or("\"\""),
        request.body.len()
    );
    stream.write_all(head.as_bytes()).expect("send head");
    stream
        .write_all(request.body.as_bytes())
        .expect("send body");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("answer");
    let (_, body) = answer.split_once("\r\n\r\n").expect("an HTTP answer");
    body.to_string()
}

#[test]
fn every_soap_request_kind_is_sent_and_captured_for_the_wsdl() {
    let off = OrgConfig {
        enabled: false,
        ..OrgConfig::default()
    };
    let runs: Vec<(&str, Vec<Exchange>)> = vec![
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
    for (run, exchanges) in &runs {
        for (n, x) in exchanges.iter().enumerate() {
            // simorg refuses a request out of the WSDL's order with a fault, as Salesforce does.
            assert!(!x.answer.contains(":Fault>"), "{run}: {}", x.answer);
            if let Some(dir) = &dir {
                let name = format!("{run}-{n}-{:?}", x.op);
                std::fs::write(dir.join(format!("{name}.xml")), &x.request).expect("write");
                std::fs::write(dir.join(format!("{name}.answer.xml")), &x.answer).expect("write");
            }
        }
    }
    let all: Vec<&Exchange> = runs.iter().flat_map(|(_, r)| r).collect();
    for kind in KINDS {
        assert!(
            all.iter()
                .any(|x| x.op == kind.op && kind.marks.iter().all(|m| x.request.contains(m))),
            "no {} request was sent (the WSDL validation would not see one)",
            kind.name
        );
    }
}
