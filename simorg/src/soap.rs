//! Metadata SOAP API: readMetadata, updateMetadata, listMetadata, faults.

use std::time::{Instant, SystemTime};

use crate::http::{HttpRequest, Response};
use crate::store::{FType, iso8601};
use crate::xml::{Element, XSI_NS, escape, parse};
use crate::{Shared, State, USER_ID, Value};

const ENVELOPE_OPEN: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8"?>"#,
    r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" "#,
    r#"xmlns="http://soap.sforce.com/2006/04/metadata" "#,
    r#"xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" "#,
    r#"xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soapenv:Body>"#
);
const ENVELOPE_CLOSE: &str = "</soapenv:Body></soapenv:Envelope>";
/// Name of the integration user: who the org records as the author of every write.
pub(crate) const USER_NAME: &str = "Integration User";
/// SOAP 1.1 envelope namespace.
const SOAPENV_NS: &str = "http://schemas.xmlsoap.org/soap/envelope/";
/// The Metadata API namespace: the operation, the SessionHeader and everything inside them.
const MD_NS: &str = "http://soap.sforce.com/2006/04/metadata";

/// The first element (depth-first) of `el` or its descendants that is not in `ns`.
fn outside_namespace<'a>(el: &'a Element, ns: &str) -> Option<&'a Element> {
    if el.ns.as_deref() != Some(ns) {
        return Some(el);
    }
    el.children.iter().find_map(|c| outside_namespace(c, ns))
}

/// A SOAP fault with HTTP 500; `code` is the full faultcode, e.g. `sf:INVALID_SESSION_ID`.
pub(crate) fn fault(code: &str, message: &str) -> Response {
    Response::xml(
        500,
        format!(
            concat!(
                r#"<?xml version="1.0" encoding="UTF-8"?>"#,
                r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" "#,
                r#"xmlns:sf="http://soap.sforce.com/2006/04/metadata">"#,
                "<soapenv:Body><soapenv:Fault><faultcode>{}</faultcode>",
                "<faultstring>{}</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>"
            ),
            escape(code),
            escape(message)
        ),
    )
}

fn envelope(inner: &str) -> Response {
    Response::xml(200, format!("{ENVELOPE_OPEN}{inner}{ENVELOPE_CLOSE}"))
}

/// Handles `POST /services/Soap/m/NN.N`.
pub(crate) fn handle(shared: &Shared, req: &HttpRequest) -> Response {
    if req.method != "POST" {
        return Response::new(405, "text/plain;charset=UTF-8", "SOAP requires POST");
    }
    // The WSDL binding: text/xml and a SOAPAction header (its value may be "").
    if !req
        .header("content-type")
        .is_some_and(|c| c.to_ascii_lowercase().starts_with("text/xml"))
    {
        return fault(
            "soapenv:Client",
            "Content-Type must be text/xml for SOAP 1.1",
        );
    }
    if req.header("soapaction").is_none() {
        return fault("soapenv:Client", "no SOAPAction header was specified");
    }
    let root = match parse(&req.body) {
        Ok(r) if r.name == "Envelope" && r.ns.as_deref() == Some(SOAPENV_NS) => r,
        Ok(r) => {
            return fault(
                "soapenv:Client",
                &format!("Expected SOAP Envelope, found {}", r.name),
            );
        }
        Err(e) => return fault("soapenv:Client", &format!("Unable to parse request: {e}")),
    };
    let Some(op) = root
        .child("Body")
        .filter(|b| b.ns.as_deref() == Some(SOAPENV_NS))
        .and_then(|b| b.children.first())
    else {
        return fault("soapenv:Client", "No operation found in SOAP Body");
    };
    let header = root.child("Header").and_then(|h| h.child("SessionHeader"));
    for part in std::iter::once(op).chain(header) {
        if let Some(stray) = outside_namespace(part, MD_NS) {
            return fault(
                "soapenv:Client",
                &format!(
                    "Element {{{}}}{} is not in the Metadata API namespace {MD_NS}",
                    stray.ns.as_deref().unwrap_or(""),
                    stray.name
                ),
            );
        }
    }
    let session = root
        .child("Header")
        .and_then(|h| h.child("SessionHeader"))
        .and_then(|s| s.child_text("sessionId"))
        .unwrap_or("");
    let mut st = shared.lock();
    if !st.token_valid(session) {
        return fault(
            "sf:INVALID_SESSION_ID",
            "INVALID_SESSION_ID: Invalid Session ID found in SessionHeader: Illegal Session",
        );
    }
    st.api_calls += 1;
    match op.name.as_str() {
        "readMetadata" => read_metadata(&st, op),
        "updateMetadata" => update_metadata(&mut st, op),
        "listMetadata" => list_metadata(&st, op),
        "upsertMetadata" => fault(
            "sf:INVALID_OPERATION",
            "INVALID_OPERATION: simorg refuses upsertMetadata (it can silently create records); use updateMetadata",
        ),
        other => fault(
            "sf:INVALID_OPERATION",
            &format!("INVALID_OPERATION: Unknown operation: {other}"),
        ),
    }
}

/// Local part of an `xsi:type` QName.
fn find_record(st: &State, full_name: &str) -> Option<usize> {
    st.records
        .iter()
        .position(|r| r.full_name().eq_ignore_ascii_case(full_name))
}

fn read_metadata(st: &State, op: &Element) -> Response {
    let is_cmdt = op.child_text("type") == Some("CustomMetadata");
    let mut records = String::new();
    for name in op.children_named("fullNames") {
        let Some(idx) = find_record(st, name.text.trim()).filter(|_| is_cmdt) else {
            continue;
        };
        let r = &st.records[idx];
        records.push_str(&format!(
            "<records xsi:type=\"CustomMetadata\"><fullName>{}</fullName><label>{}</label><protected>{}</protected>",
            escape(&r.full_name()),
            escape(&r.label),
            r.protected
        ));
        for (field, value) in &r.values {
            let value = match value {
                Value::Bool(b) => format!("<value xsi:type=\"xsd:boolean\">{b}</value>"),
                Value::Text(s) => format!("<value xsi:type=\"xsd:string\">{}</value>", escape(s)),
                Value::Nil => "<value xsi:nil=\"true\"/>".to_string(),
            };
            records.push_str(&format!(
                "<values><field>{}</field>{value}</values>",
                escape(field)
            ));
        }
        records.push_str("</records>");
    }
    let result = if records.is_empty() {
        "<result/>".to_string()
    } else {
        format!("<result>{records}</result>")
    };
    envelope(&format!(
        "<readMetadataResponse>{result}</readMetadataResponse>"
    ))
}

/// One SaveResult error.
struct SaveError {
    fields: Option<String>,
    message: String,
    status: &'static str,
}

impl SaveError {
    fn new(status: &'static str, message: String) -> Self {
        SaveError {
            fields: None,
            message,
            status,
        }
    }

    fn on_field(status: &'static str, field: &str, message: String) -> Self {
        SaveError {
            fields: Some(field.to_string()),
            message,
            status,
        }
    }
}

fn update_metadata(st: &mut State, op: &Element) -> Response {
    let before = st.records.clone();
    let mut any_success = false;
    let mut results = String::new();
    for md in op.children_named("metadata") {
        let full_name = md.child_text("fullName").unwrap_or("").to_string();
        match update_one(st, md, &full_name) {
            Ok(()) => {
                any_success = true;
                results.push_str(&format!(
                    "<result><fullName>{}</fullName><success>true</success></result>",
                    escape(&full_name)
                ));
            }
            Err(errors) => {
                results.push_str("<result>");
                for e in errors {
                    results.push_str("<errors>");
                    if let Some(f) = e.fields {
                        results.push_str(&format!("<fields>{}</fields>", escape(&f)));
                    }
                    results.push_str(&format!(
                        "<message>{}</message><statusCode>{}</statusCode></errors>",
                        escape(&e.message),
                        e.status
                    ));
                }
                results.push_str(&format!(
                    "<fullName>{}</fullName><success>false</success></result>",
                    escape(&full_name)
                ));
            }
        }
    }
    if any_success && !st.cfg.readback_lag.is_zero() {
        st.history.push((Instant::now(), before));
    }
    envelope(&format!(
        "<updateMetadataResponse>{results}</updateMetadataResponse>"
    ))
}

/// Validates one `metadata` element and, if valid, replaces the whole stored record.
fn update_one(st: &mut State, md: &Element, full_name: &str) -> Result<(), Vec<SaveError>> {
    if full_name.is_empty() {
        return Err(vec![SaveError::on_field(
            "REQUIRED_FIELD_MISSING",
            "fullName",
            "Required field is missing: fullName".into(),
        )]);
    }
    let xsi_type = md.attr_ns(XSI_NS, "type").map(|t| md.resolve_qname(t));
    match xsi_type.as_ref().map(|(ns, local)| (ns.as_deref(), *local)) {
        Some((Some(MD_NS), "CustomMetadata")) => {}
        Some((_, "CustomMetadata")) => {
            return Err(vec![SaveError::new(
                "INVALID_TYPE",
                format!("xsi:type CustomMetadata must be in the namespace {MD_NS}"),
            )]);
        }
        Some((_, other)) => {
            return Err(vec![SaveError::new(
                "INVALID_TYPE",
                format!("Cannot update {other} {full_name}: simorg only knows CustomMetadata"),
            )]);
        }
        None => {
            return Err(vec![SaveError::new(
                "INVALID_TYPE",
                "Must specify a {http://www.w3.org/2001/XMLSchema-instance}type attribute value"
                    .into(),
            )]);
        }
    }
    let Some(idx) = find_record(st, full_name) else {
        return Err(vec![SaveError::new(
            "INVALID_CROSS_REFERENCE_KEY",
            format!("In field: fullName - no CustomMetadata named {full_name} found"),
        )]);
    };
    let type_name = st.records[idx].type_name.clone();
    let Some(typedef) = st.find_type(&type_name).cloned() else {
        return Err(vec![SaveError::new(
            "UNKNOWN_EXCEPTION",
            format!("type {type_name} vanished"),
        )]);
    };
    let mut errors = Vec::new();
    let label = match md.child("label") {
        Some(l) if !l.is_nil() && !l.text.trim().is_empty() => l.text.trim().to_string(),
        _ => {
            errors.push(SaveError::on_field(
                "REQUIRED_FIELD_MISSING",
                "label",
                "Required field is missing: label".into(),
            ));
            String::new()
        }
    };
    let protected = match md.child_text("protected") {
        None | Some("false") | Some("0") => false,
        Some("true") | Some("1") => true,
        Some(other) => {
            errors.push(SaveError::on_field(
                "FIELD_INTEGRITY_EXCEPTION",
                "protected",
                format!("'{other}' is not a valid value for protected"),
            ));
            false
        }
    };
    let mut sent: Vec<(String, Value)> = Vec::new();
    for v in md.children_named("values") {
        let field = v.child_text("field").unwrap_or("");
        let Some(def) = typedef.field(field).filter(|f| f.custom) else {
            errors.push(SaveError::on_field(
                "FIELD_INTEGRITY_EXCEPTION",
                field,
                format!(
                    "In field: field - no CustomField named {}.{field} found",
                    typedef.name
                ),
            ));
            continue;
        };
        let value = match v.child("value") {
            None => Value::Nil,
            Some(el) if el.is_nil() => Value::Nil,
            Some(el) if def.ftype == FType::Boolean => match el.text.trim() {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                other => {
                    errors.push(SaveError::on_field(
                        "FIELD_INTEGRITY_EXCEPTION",
                        &def.name,
                        format!(
                            "Value '{other}' is not valid for field {} (Checkbox): expected true or false",
                            def.name
                        ),
                    ));
                    continue;
                }
            },
            Some(el) => Value::Text(el.text.clone()),
        };
        sent.retain(|(k, _)| *k != def.name);
        sent.push((def.name.clone(), value));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let values = typedef
        .fields
        .iter()
        .filter(|f| f.custom)
        .map(|f| {
            let v = sent
                .iter()
                .find(|(k, _)| *k == f.name)
                .map_or(Value::Nil, |(_, v)| v.clone());
            (f.name.clone(), v)
        })
        .collect();
    let rec = &mut st.records[idx];
    rec.label = label;
    rec.protected = protected;
    rec.values = values;
    rec.last_modified = SystemTime::now();
    rec.last_modified_by = USER_NAME.to_string();
    Ok(())
}

fn list_metadata(st: &State, op: &Element) -> Response {
    let wants_cmdt = op
        .children_named("queries")
        .any(|q| q.child_text("type") == Some("CustomMetadata"));
    let mut out = String::new();
    if wants_cmdt {
        let created =
            iso8601(SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_705_312_800));
        for r in &st.records {
            let full_name = escape(&r.full_name());
            let (state, ns) = match &r.namespace {
                Some(ns) => (
                    "installed",
                    format!("<namespacePrefix>{}</namespacePrefix>", escape(ns)),
                ),
                None => ("unmanaged", String::new()),
            };
            out.push_str(&format!(
                concat!(
                    "<result><createdById>{user}</createdById><createdByName>{uname}</createdByName>",
                    "<createdDate>{created}</createdDate><fileName>customMetadata/{fname}.md</fileName>",
                    "<fullName>{fname}</fullName><id>{id}</id><lastModifiedById>{user}</lastModifiedById>",
                    "<lastModifiedByName>{mname}</lastModifiedByName><lastModifiedDate>{modified}</lastModifiedDate>",
                    "<manageableState>{state}</manageableState>{ns}<type>CustomMetadata</type></result>"
                ),
                user = USER_ID,
                uname = USER_NAME,
                created = created,
                fname = full_name,
                id = r.id,
                modified = iso8601(r.last_modified),
                mname = escape(&r.last_modified_by),
                state = state,
                ns = ns,
            ));
        }
    }
    if out.is_empty() {
        envelope("<listMetadataResponse/>")
    } else {
        envelope(&format!(
            "<listMetadataResponse>{out}</listMetadataResponse>"
        ))
    }
}
