//! Property tests of every parser that takes outside input: SOAP/XML and JSON answers, the SFDX
//! auth URL, PEM keys, environment and flag values, and the file-command writer. Inputs come
//! from a seeded generator (`FUZZ_SEED=<n>` replays a run; the seed is printed).

mod inputs;
mod outside;

use storeconnect_triggers::testing::salesforce::error::{Api, Failure, classify};
use storeconnect_triggers::testing::salesforce::metadata::{check_save, parse_read};
use storeconnect_triggers::testing::salesforce::xml;
use storeconnect_triggers::testing::setting::{MAX_SHOWN_CHARS, State};

use crate::rng::{Rng, seed};

const ROUNDS: usize = 1_500;

/// Characters that break parsers: markup, quotes, separators, controls, non-ASCII.
const NASTY: &[&str] = &[
    "<",
    ">",
    "&",
    "\"",
    "'",
    "\r",
    "\n",
    "\r\n",
    "\t",
    " ",
    "\u{0}",
    "\u{1b}",
    "%",
    ":",
    ",",
    "=",
    "@",
    "/",
    "\\",
    "::",
    "<<",
    "]]>",
    "<![CDATA[",
    "&amp;",
    "&#13;",
    "&#x0;",
    "&bogus;",
    "é",
    "€",
    "𝄞",
    "\u{feff}",
    "\u{2028}",
    "ghadelimiter_",
    "EOF",
    "::error::",
    "::add-mask::",
    "-----",
];

fn text(rng: &mut Rng, max: u64) -> String {
    let mut s = String::new();
    for _ in 0..rng.below(max + 1) {
        if rng.chance(30) {
            s.push_str(rng.pick(NASTY));
        } else {
            s.push(char::from(b' ' + rng.below(95) as u8));
        }
    }
    s
}

/// `doc` with a few random edits: deletions, duplications, insertions of nasty text.
fn mutate(rng: &mut Rng, doc: &str) -> String {
    let mut chars: Vec<char> = doc.chars().collect();
    for _ in 0..1 + rng.below(4) {
        if chars.is_empty() {
            break;
        }
        let at = rng.below(chars.len() as u64) as usize;
        match rng.below(4) {
            0 => {
                let end = (at + 1 + rng.below(20) as usize).min(chars.len());
                chars.drain(at..end);
            }
            1 => {
                let end = (at + 1 + rng.below(40) as usize).min(chars.len());
                let copy: Vec<char> = chars[at..end].to_vec();
                chars.splice(at..at, copy);
            }
            2 => {
                let insert: Vec<char> = text(rng, 6).chars().collect();
                chars.splice(at..at, insert);
            }
            _ => chars.truncate(at),
        }
    }
    chars.into_iter().collect()
}

fn read_envelope(rng: &mut Rng) -> String {
    let mut values = String::new();
    for i in 0..rng.below(5) {
        let value = match rng.below(4) {
            0 => r#"<value xsi:nil="true"/>"#.to_string(),
            1 => format!(
                r#"<value xsi:type="xsd:boolean">{}</value>"#,
                rng.pick(&["true", "false", " TRUE ", "1"])
            ),
            2 => format!(
                r#"<value xsi:type="xsd:string">{}</value>"#,
                xml::escape(&text(rng, 30))
            ),
            _ => format!("<value>{}</value>", xml::escape(&text(rng, 10))),
        };
        values.push_str(&format!(
            "<values><field>s_c__F{i}__c</field>{value}</values>"
        ));
    }
    let description = if rng.chance(50) {
        format!("<description>{}</description>", xml::escape(&text(rng, 40)))
    } else {
        String::new()
    };
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="http://soap.sforce.com/2006/04/metadata" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soapenv:Body><readMetadataResponse><result><records xsi:type="CustomMetadata"><fullName>T.R</fullName>{description}<label>{}</label><protected>false</protected>{values}</records></result></readMetadataResponse></soapenv:Body></soapenv:Envelope>"#,
        xml::escape(&text(rng, 20))
    )
}

/// The record element of `to_xml` as a readMetadata answer, so a write can be read back.
fn as_read_answer(metadata_xml: &str) -> String {
    let inner = metadata_xml
        .strip_prefix(r#"<met:metadata xsi:type="met:CustomMetadata">"#)
        .and_then(|m| m.strip_suffix("</met:metadata>"))
        .expect("to_xml shape");
    format!(
        r#"<soapenv:Envelope xmlns:soapenv="s" xmlns:met="m" xmlns:xsi="i" xmlns:xsd="d"><soapenv:Body><met:readMetadataResponse><met:result><met:records xsi:type="met:CustomMetadata">{inner}</met:records></met:result></met:readMetadataResponse></soapenv:Body></soapenv:Envelope>"#
    )
}

#[test]
fn xml_escape_round_trips_and_the_parser_never_panics() {
    let mut rng = Rng(seed("FUZZ_SEED"));
    for _ in 0..ROUNDS {
        let t = text(&mut rng, 40).replace('\u{0}', "");
        let doc = format!("<a b=\"{}\">{}</a>", xml::escape(&t), xml::escape(&t));
        let root = xml::parse(&doc).unwrap_or_else(|e| panic!("{doc:?}: {e}"));
        assert_eq!(root.text, t, "text round trip of {t:?}");
        let _ = xml::parse(&mutate(&mut rng, &doc));
        let _ = xml::parse(&text(&mut rng, 60));
    }
}

#[test]
fn read_metadata_answers_survive_a_write_back_unchanged() {
    let mut rng = Rng(seed("FUZZ_SEED"));
    let mut round_trips = 0;
    for _ in 0..ROUNDS {
        let doc = read_envelope(&mut rng);
        let doc = if rng.chance(50) {
            mutate(&mut rng, &doc)
        } else {
            doc
        };
        let Ok(root) = xml::parse(&doc) else { continue };
        let Ok(Some(record)) = parse_read(&root, "T.R") else {
            continue;
        };
        // What we would send back, read again, is the record as read: no value lost or changed.
        let again = xml::parse(&as_read_answer(&record.to_xml())).expect("our own XML parses");
        assert_eq!(parse_read(&again, "T.R"), Ok(Some(record.clone())), "{doc}");
        round_trips += 1;
    }
    assert!(round_trips > ROUNDS / 4, "only {round_trips} valid records");
}

#[test]
fn save_results_and_error_answers_never_panic_and_stay_short() {
    let mut rng = Rng(seed("FUZZ_SEED"));
    let ok = "<E><updateMetadataResponse><result><fullName>T.R</fullName><success>true</success></result></updateMetadataResponse></E>";
    let bad = "<E><updateMetadataResponse><result><errors><fields>s_c__Setting__c</fields><message>no</message><statusCode>FIELD_INTEGRITY_EXCEPTION</statusCode></errors><fullName>T.R</fullName><success>false</success></result></updateMetadataResponse></E>";
    let fault = r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><soapenv:Fault><faultcode>sf:INVALID_SESSION_ID</faultcode><faultstring>INVALID_SESSION_ID: x</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>"#;
    let rest = r#"[{"errorCode":"REQUEST_LIMIT_EXCEEDED","message":"ConcurrentPerOrgLongTxn Limit exceeded."}]"#;
    let oauth = r#"{"error":"invalid_grant","error_description":"expired access/refresh token"}"#;
    for _ in 0..ROUNDS {
        let original = rng.pick(&[ok, bad]);
        let doc = mutate(&mut rng, original);
        if let Ok(root) = xml::parse(&doc)
            && check_save(&root, "T.R").is_ok()
        {
            let success = root
                .find("updateMetadataResponse")
                .and_then(|r| r.child("result"))
                .and_then(|r| r.child_text("success"))
                .map(str::trim);
            assert_eq!(success, Some("true"), "success only when it says so: {doc}");
        }
        let status = rng.pick(&[200, 201, 400, 401, 403, 404, 429, 500, 502, 503]);
        let api = rng.pick(&[Api::Soap, Api::Rest, Api::OAuth]);
        let original = rng.pick(&[fault, rest, oauth]);
        let mut body = mutate(&mut rng, original);
        if rng.chance(10) {
            body.push_str(&"x".repeat(50_000));
        }
        match classify(api, status, &body, "fuzz") {
            None => assert!((200..300).contains(&status)),
            Some(Failure::Transient(e) | Failure::SessionExpired(e) | Failure::Permanent(e)) => {
                assert!(!(200..300).contains(&status));
                assert!(e.answer.chars().count() < 1_000, "{}", e.answer.len());
            }
        }
    }
}

#[test]
fn json_values_read_from_the_org_are_shown_bounded() {
    let mut rng = Rng(seed("FUZZ_SEED"));
    for _ in 0..ROUNDS {
        let raw = format!("\"{}\"", text(&mut rng, 400).replace(['"', '\\'], ""));
        let doc = if rng.chance(50) {
            mutate(&mut rng, &raw)
        } else {
            raw
        };
        if let Ok(value) = serde_json::from_str::<serde_json::Value>(&doc) {
            let state = State::from_json(Some(&value));
            assert!(
                state.to_string().chars().count() <= MAX_SHOWN_CHARS + 40,
                "{state}"
            );
        }
    }
}

/// Valid answers of the org, as templates for mutation: (operation, content type, body).
fn answer_templates(org: &crate::common::SimOrg) -> Vec<(crate::common::Op, String)> {
    use crate::common::Op;
    let full_name = org.full_name();
    let record = org.record_name();
    vec![
        (
            Op::Token,
            format!(
                r#"{{"access_token":"00DSIM!AQfuzztoken","instance_url":"{}","id":"x","token_type":"Bearer","issued_at":"1","signature":"s"}}"#,
                org.instance_url()
            ),
        ),
        (
            Op::Query,
            format!(
                r#"{{"totalSize":1,"done":true,"records":[{{"attributes":{{"type":"s_c__Setting__mdt","url":"/x"}},"DeveloperName":"Triggers_Enabled","NamespacePrefix":"s_c","QualifiedApiName":"{record}","MasterLabel":"StoreConnect Triggers Enabled","s_c__Setting__c":true}}]}}"#
            ),
        ),
        (
            Op::ReadMetadata,
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="http://soap.sforce.com/2006/04/metadata" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soapenv:Body><readMetadataResponse><result><records xsi:type="CustomMetadata"><fullName>{full_name}</fullName><label>StoreConnect Triggers Enabled</label><protected>false</protected><values><field>s_c__Setting__c</field><value xsi:type="xsd:boolean">true</value></values></records></result></readMetadataResponse></soapenv:Body></soapenv:Envelope>"#
            ),
        ),
        (
            Op::UpdateMetadata,
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="http://soap.sforce.com/2006/04/metadata"><soapenv:Body><updateMetadataResponse><result><fullName>{full_name}</fullName><success>true</success></result></updateMetadataResponse></soapenv:Body></soapenv:Envelope>"#
            ),
        ),
    ]
}

#[test]
fn mutated_answers_through_the_binary_never_crash_or_leak() {
    use crate::common::*;
    let mut rng = Rng(seed("FUZZ_SEED"));
    for round in 0..60 {
        let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
        let templates = answer_templates(&org);
        let (op, template) = &templates[rng.below(templates.len() as u64) as usize];
        let body = mutate(&mut rng, template);
        let status = rng.pick(&[200, 200, 200, 400, 500]);
        org.inject(Fault::status(*op, 1, status, &body));
        let auth = rng.pick(&[Auth::Jwt, Auth::ClientCredentials]);
        let mut cli = pinned(&org, auth, &[rng.pick(&["status", "disable"])]);
        cli.setting("timeout", "3");
        let run = cli.run();
        let context = format!("round {round}, {op:?} {status}: {body}\n{}", run.all());
        assert!(
            [0, 1, 3].contains(&run.code),
            "exit {}: {context}",
            run.code
        );
        assert!(!run.all().contains("panicked"), "{context}");
        assert!(!run.all().contains(simorg::CLIENT_SECRET), "{context}");
        assert!(run.all().len() < 8_000, "{context}");
    }
}
