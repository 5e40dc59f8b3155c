//! Metadata SOAP API: `readMetadata` and `updateMetadata` of one CustomMetadata record.
//!
//! The record is read whole and written back whole: the label, `protected` and every value
//! exactly as read (nil stays nil, each value keeps its `xsi:type`), with only the one value we
//! own changed. `upsertMetadata` is never used: a wrong fullName would silently create a record.
//! The record's shape lives in `record.rs`; who last changed it (listMetadata) in `list.rs`.

mod list;
mod record;
mod stream;

use super::client::Salesforce;
use super::error::{INSUFFICIENT_ACCESS_HINT, SfError};
use super::http::Deadline;
use super::xml::{self, Element};
use crate::outside::{MESSAGE_CHARS, Outside, one_line};

pub(crate) use list::last_change;
#[cfg(test)]
use list::parse_list;
pub use record::parse_read;
pub(crate) use record::{CustomMetadata, MdValue};

/// The body of a readMetadata call for one `full_name` of metadata type `kind`.
fn read_body(kind: &str, full_name: &str) -> String {
    format!(
        "<met:readMetadata><met:type>{kind}</met:type><met:fullNames>{}</met:fullNames></met:readMetadata>",
        xml::escape(full_name)
    )
}

/// Reads one record. `Ok(None)` when the org shows no such record: a nil `records` (what
/// Salesforce answers for an unknown name or a protected record of another namespace), no
/// `records`, an empty one, one holding only its fullName, one with no fullName, or one whose
/// fullName is not the one asked for. None of these may ever lead to a write.
pub(crate) async fn read(
    sf: &mut Salesforce,
    deadline: &Deadline,
    full_name: &str,
) -> Result<Option<CustomMetadata>, SfError> {
    let action = format!("readMetadata of CustomMetadata `{full_name}`");
    let body = read_body("CustomMetadata", full_name);
    let envelope = sf.soap(deadline, &action, &body).await?;
    parse_read(&envelope, full_name).map_err(unexpected(action))
}

/// Writes one whole record with updateMetadata and checks its SaveResult, telling a refused
/// write (a SaveResult with `success` false: the inner error, statusCode and message verbatim)
/// from a call that failed (the outer error). An attempt that gets no answer is not sent again
/// ([`Salesforce::unknown_outcomes`] counts it): the caller reads whether it landed first.
pub(crate) async fn update_or_refusal(
    sf: &mut Salesforce,
    deadline: &Deadline,
    record: &CustomMetadata,
) -> Result<Result<(), SfError>, SfError> {
    let action = format!("updateMetadata of CustomMetadata `{}`", record.full_name);
    let body = format!(
        "<met:updateMetadata>{}</met:updateMetadata>",
        record.to_xml()
    );
    let envelope = sf.soap_write(deadline, &action, &body).await?;
    Ok(
        check_save(&envelope, &record.full_name).map_err(|(answer, code)| {
            SfError::new(
                action,
                one_line(&answer, MESSAGE_CHARS * 2),
                save_hint(code.as_deref()),
            )
            .with_code(code.map(|c| one_line(&c, 100)))
        }),
    )
}

/// Reads the `fieldManageability` of a custom field (`Type__mdt.Field__c`) with readMetadata of
/// the CustomField: `SubscriberControlled`, `DeveloperControlled`, `Locked`, or `None` when the
/// answer does not show it (unknown or invisible field).
pub(crate) async fn field_manageability(
    sf: &mut Salesforce,
    deadline: &Deadline,
    field_full_name: &str,
) -> Result<Option<Outside>, SfError> {
    let action = format!("readMetadata of CustomField `{field_full_name}`");
    let body = read_body("CustomField", field_full_name);
    let envelope = sf.soap(deadline, &action, &body).await?;
    Ok(parse_manageability(&envelope).map(Outside::name))
}

/// The `fieldManageability` of the first CustomField record in a readMetadata answer.
pub(crate) fn parse_manageability(envelope: &Element) -> Option<String> {
    envelope
        .find("readMetadataResponse")?
        .find("records")?
        .child_text("fieldManageability")
        .map(|m| m.trim().to_string())
        .filter(|m| !m.is_empty())
}

/// Checks the SaveResult of an updateMetadata answer: `Err((answer, statusCode))` on failure.
pub fn check_save(envelope: &Element, full_name: &str) -> Result<(), (String, Option<String>)> {
    let result = envelope
        .find("updateMetadataResponse")
        .and_then(|r| r.child("result"))
        .ok_or((
            "the answer has no updateMetadataResponse/result".to_string(),
            None,
        ))?;
    if result.child_text("success").map(str::trim) == Some("true") {
        return Ok(());
    }
    let errors: Vec<String> = result
        .children_named("errors")
        .map(|e| {
            let code = e.child_text("statusCode").unwrap_or("").trim();
            let message = e.child_text("message").unwrap_or("").trim();
            let fields: Vec<&str> = e.children_named("fields").map(|f| f.text.trim()).collect();
            if fields.is_empty() {
                format!("statusCode {code}: {message}")
            } else {
                format!(
                    "statusCode {code}: {message} (fields: {})",
                    fields.join(", ")
                )
            }
        })
        .collect();
    let code = result
        .children_named("errors")
        .find_map(|e| e.child_text("statusCode").map(|c| c.trim().to_string()));
    let reported = result.child_text("fullName").unwrap_or(full_name);
    let answer = if errors.is_empty() {
        format!(
            "SaveResult for `{reported}` has success={} and no errors",
            result.child_text("success").unwrap_or("(missing)")
        )
    } else {
        format!(
            "SaveResult for `{reported}`: success=false, {}",
            errors.join("; ")
        )
    };
    Err((answer, code))
}

fn save_hint(code: Option<&str>) -> String {
    match code {
        Some("CANNOT_MODIFY_MANAGED_OBJECT" | "FIELD_INTEGRITY_EXCEPTION") => {
            "the package may not let subscribers edit this field (it must be subscriber-controlled on a public record); ask StoreConnect support, and check the user has Customize Application".into()
        }
        Some("INSUFFICIENT_ACCESS" | "INSUFFICIENT_ACCESS_OR_READONLY") => {
            INSUFFICIENT_ACCESS_HINT.into()
        }
        _ => "the record was not changed; fix what Salesforce names above (setting-type/setting-record, permissions) and run again".into(),
    }
}

/// The error for an answer that came back but is not what the call should return.
fn unexpected(action: String) -> impl FnOnce(String) -> SfError {
    // Parse errors quote what the org sent (element names, entities).
    move |answer| {
        SfError::new(
            action,
            one_line(&answer, MESSAGE_CHARS * 2),
            "nothing was changed; report this answer to the maintainers",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const READ: &str = r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="http://soap.sforce.com/2006/04/metadata" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soapenv:Body><readMetadataResponse><result><records xsi:type="CustomMetadata"><fullName>s_c__Setting.s_c__Triggers_Enabled</fullName><label>StoreConnect Triggers Enabled</label><protected>false</protected><values><field>s_c__Setting__c</field><value xsi:type="xsd:boolean">true</value></values><values><field>s_c__Other__c</field><value xsi:nil="true"/></values><values><field>s_c__Text__c</field><value xsi:type="xsd:string">a &amp; b</value></values></records></result></readMetadataResponse></soapenv:Body></soapenv:Envelope>"#;

    #[test]
    fn reads_and_rewrites_the_whole_record() {
        let md = parse_read(
            &xml::parse(READ).unwrap(),
            "s_c__Setting.s_c__Triggers_Enabled",
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            md.value("s_c__Setting__c"),
            Some(&MdValue::Typed {
                xsi_type: Some("boolean".into()),
                text: "true".into()
            })
        );
        assert_eq!(md.value("s_c__Other__c"), Some(&MdValue::Nil));
        let flipped = md.with_value(
            "s_c__Setting__c",
            MdValue::Typed {
                xsi_type: Some("boolean".into()),
                text: "false".into(),
            },
        );
        let out = flipped.to_xml();
        assert_eq!(
            out,
            concat!(
                r#"<met:metadata xsi:type="met:CustomMetadata"><met:fullName>s_c__Setting.s_c__Triggers_Enabled</met:fullName>"#,
                r#"<met:label>StoreConnect Triggers Enabled</met:label><met:protected>false</met:protected>"#,
                r#"<met:values><met:field>s_c__Setting__c</met:field><met:value xsi:type="xsd:boolean">false</met:value></met:values>"#,
                r#"<met:values><met:field>s_c__Other__c</met:field><met:value xsi:nil="true"/></met:values>"#,
                r#"<met:values><met:field>s_c__Text__c</met:field><met:value xsi:type="xsd:string">a &amp; b</met:value></met:values>"#,
                "</met:metadata>"
            )
        );
    }

    #[test]
    fn not_found_shapes() {
        let wrap = |inner: &str| {
            format!(
                "<Envelope><Body><readMetadataResponse><result>{inner}</result></readMetadataResponse></Body></Envelope>"
            )
        };
        for inner in [
            "",
            r#"<records xsi:type="CustomMetadata"/>"#,
            r#"<records xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:nil="true"/>"#,
            "<records><fullName>T.R</fullName></records>",
            "<records><label>x</label><protected>false</protected></records>",
            "<records><fullName>T.Other</fullName><label>x</label></records>",
        ] {
            assert_eq!(
                parse_read(&xml::parse(&wrap(inner)).unwrap(), "T.R").unwrap(),
                None,
                "{inner}"
            );
        }
        let unknown =
            wrap("<records><fullName>T.R</fullName><label>x</label><mystery>1</mystery></records>");
        assert!(parse_read(&xml::parse(&unknown).unwrap(), "T.R").is_err());
        let nested = wrap(
            "<records><fullName>T.R</fullName><label>x</label><values><field>F__c</field><value><a>1</a><b>2</b></value></values></records>",
        );
        let refused = parse_read(&xml::parse(&nested).unwrap(), "T.R").unwrap_err();
        assert!(
            refused.contains("F__c") && refused.contains("<a>"),
            "{refused}"
        );
    }

    #[test]
    fn reads_field_manageability() {
        let answer = "<E><readMetadataResponse><result><records><fullName>T__mdt.F__c</fullName><fieldManageability>DeveloperControlled</fieldManageability></records></result></readMetadataResponse></E>";
        assert_eq!(
            parse_manageability(&xml::parse(answer).unwrap()).as_deref(),
            Some("DeveloperControlled")
        );
        let nil = "<E><readMetadataResponse><result><records/></result></readMetadataResponse></E>";
        assert_eq!(parse_manageability(&xml::parse(nil).unwrap()), None);
    }

    #[test]
    fn list_results() {
        let answer = r#"<Envelope><Body><listMetadataResponse><result><fullName>acme__Setting.acme__Triggers_Enabled</fullName><lastModifiedByName>Someone Else</lastModifiedByName><lastModifiedDate>2026-01-01T00:00:00.000Z</lastModifiedDate></result><result><fullName>S_C__Setting.s_c__Triggers_Enabled</fullName><lastModifiedByName>Jane &amp; Co</lastModifiedByName><lastModifiedDate>2026-12-01T01:02:03.000Z</lastModifiedDate><type>CustomMetadata</type></result></listMetadataResponse></Body></Envelope>"#;
        let found = parse_list(
            &xml::parse(answer).unwrap(),
            "s_c__Setting.s_c__Triggers_Enabled",
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            found.by.as_ref().map(crate::outside::Outside::raw),
            Some("Jane & Co")
        );
        assert_eq!(found.at.as_deref(), Some("2026-12-01T01:02:03.000Z"));
        let empty = "<Envelope><Body><listMetadataResponse/></Body></Envelope>";
        assert_eq!(
            parse_list(&xml::parse(empty).unwrap(), "T.R").unwrap(),
            None
        );
        assert!(parse_list(&xml::parse("<Envelope/>").unwrap(), "T.R").is_err());
    }

    #[test]
    fn a_refused_save_names_the_same_permissions_as_a_refused_read() {
        assert_eq!(
            save_hint(Some("INSUFFICIENT_ACCESS")),
            crate::salesforce::error::INSUFFICIENT_ACCESS_HINT
        );
    }

    #[test]
    fn save_results() {
        let ok = "<E><updateMetadataResponse><result><fullName>T.R</fullName><success>true</success></result></updateMetadataResponse></E>";
        assert!(check_save(&xml::parse(ok).unwrap(), "T.R").is_ok());
        let bad = "<E><updateMetadataResponse><result><errors><message>no CustomMetadata named T.R found</message><statusCode>INVALID_CROSS_REFERENCE_KEY</statusCode></errors><fullName>T.R</fullName><success>false</success></result></updateMetadataResponse></E>";
        let (answer, code) = check_save(&xml::parse(bad).unwrap(), "T.R").unwrap_err();
        assert_eq!(code.as_deref(), Some("INVALID_CROSS_REFERENCE_KEY"));
        assert!(
            answer.contains(
                "statusCode INVALID_CROSS_REFERENCE_KEY: no CustomMetadata named T.R found"
            ),
            "{answer}"
        );
    }
}
