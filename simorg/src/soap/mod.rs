//! Metadata SOAP API: readMetadata, updateMetadata, listMetadata, faults.

use crate::config::NotFoundShape;
use crate::model::Value;
use crate::state::{Shared, State};
use crate::store::FType;
use crate::store::StoredRecord;
mod schema;
mod update;

use update::update_metadata;

use crate::wire::{HttpRequest, Response};
use crate::xml::{Element, XSI_NS, escape, parse};

/// The XML Schema namespace (`xsd:boolean`, `xsd:string`, …).
pub(super) const XSD_NS: &str = "http://www.w3.org/2001/XMLSchema";

const ENVELOPE_OPEN: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8"?>"#,
    r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" "#,
    r#"xmlns="http://soap.sforce.com/2006/04/metadata" "#,
    r#"xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" "#,
    r#"xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soapenv:Body>"#
);
const ENVELOPE_CLOSE: &str = "</soapenv:Body></soapenv:Envelope>";
/// SOAP 1.1 envelope namespace.
const SOAPENV_NS: &str = "http://schemas.xmlsoap.org/soap/envelope/";
/// The Metadata API namespace: the operation, the SessionHeader and everything inside them.
pub(super) const MD_NS: &str = "http://soap.sforce.com/2006/04/metadata";

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

pub(super) fn envelope(inner: &str) -> Response {
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
    if let Some(message) = schema::out_of_order(op) {
        return fault("soapenv:Client", &message);
    }
    let session = root
        .child("Header")
        .and_then(|h| h.child("SessionHeader"))
        .and_then(|s| s.child_text("sessionId"))
        .unwrap_or("");
    let mut st = shared.lock();
    if !st.token_valid(session, req.arrived) {
        return fault(
            "sf:INVALID_SESSION_ID",
            "INVALID_SESSION_ID: Invalid Session ID found in SessionHeader: Illegal Session",
        );
    }
    st.api_calls += 1;
    match op.name.as_str() {
        "readMetadata" => read_metadata(&st, op),
        "updateMetadata" => match untyped_value(op) {
            Some(field) => fault(
                "soapenv:Client",
                &format!(
                    "Only the following configurations are supported : 1) if the type is mentioned i.g. type=\"xsd:boolean\" 2) With metadata CRUD API with fullName. The value of field {field} has no xsi:type"
                ),
            ),
            None => update_metadata(&mut st, op),
        },
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
pub(super) fn find_record(st: &State, full_name: &str) -> Option<usize> {
    st.records
        .iter()
        .position(|r| r.full_name().eq_ignore_ascii_case(full_name))
}

/// The field of the first `<value>` that carries text but neither `xsi:type` nor `xsi:nil`.
fn untyped_value(op: &Element) -> Option<String> {
    op.children_named("metadata")
        .flat_map(|md| md.children_named("values"))
        .find(|v| {
            v.child("value")
                .is_some_and(|el| !el.is_nil() && el.attr_ns(XSI_NS, "type").is_none())
        })
        .map(|v| v.child_text("field").unwrap_or("").to_string())
}

/// Whether the subscriber can see a record (a protected record of a package is invisible).
pub(super) fn visible(r: &StoredRecord) -> bool {
    !(r.protected && r.namespace.is_some())
}

/// The `<value>` element of a stored value.
fn value_xml(value: &Value) -> String {
    match value {
        Value::Bool(b) => format!("<value xsi:type=\"xsd:boolean\">{b}</value>"),
        Value::Text(s) => format!("<value xsi:type=\"xsd:string\">{}</value>", escape(s)),
        Value::Number(n) => format!("<value xsi:type=\"xsd:double\">{}</value>", escape(n)),
        Value::Date(d) => format!("<value xsi:type=\"xsd:date\">{}</value>", escape(d)),
        Value::Nil => "<value xsi:nil=\"true\"/>".to_string(),
    }
}

/// A whole CustomMetadata `<records>` element, children in WSDL order.
fn record_xml(r: &StoredRecord) -> String {
    let mut out = format!(
        "<records xsi:type=\"CustomMetadata\"><fullName>{}</fullName>",
        escape(&r.full_name())
    );
    if let Some(d) = &r.description {
        out.push_str(&format!("<description>{}</description>", escape(d)));
    }
    out.push_str(&format!(
        "<label>{}</label><protected>{}</protected>",
        escape(&r.label),
        r.protected
    ));
    for (field, value) in &r.values {
        out.push_str(&format!(
            "<values><field>{}</field>{}</values>",
            escape(field),
            value_xml(value)
        ));
    }
    out.push_str("</records>");
    out
}

/// A CustomField `<records>` element for `Type__mdt.Field__c`, if the org has that custom field.
fn custom_field_xml(st: &State, full_name: &str) -> Option<String> {
    let (type_name, field) = full_name.split_once('.')?;
    let t = st.find_type(type_name)?;
    let f = t.field(field).filter(|f| f.custom)?;
    let length = if f.length > 0 && matches!(f.ftype, FType::Str) {
        format!("<length>{}</length>", f.length)
    } else {
        String::new()
    };
    Some(format!(
        concat!(
            "<records xsi:type=\"CustomField\"><fullName>{}.{}</fullName>",
            "<externalId>false</externalId><fieldManageability>{}</fieldManageability>",
            "<label>{}</label>{}<required>false</required><type>{}</type></records>"
        ),
        escape(&t.name),
        escape(&f.name),
        f.manageability.as_str(),
        escape(&f.label),
        length,
        f.ftype.metadata_name()
    ))
}

/// What readMetadata answers for a name it cannot show, per the `not_found` knob.
fn not_found_xml(st: &State, asked: &str) -> String {
    match st.cfg.not_found {
        NotFoundShape::Nil => "<records xsi:nil=\"true\"/>".into(),
        NotFoundShape::NoRecords => String::new(),
        NotFoundShape::NoFullName => {
            "<records xsi:type=\"CustomMetadata\"><protected>false</protected></records>".into()
        }
        NotFoundShape::OtherFullName => st
            .records
            .iter()
            .find(|r| visible(r) && !r.full_name().eq_ignore_ascii_case(asked))
            .map(record_xml)
            .unwrap_or_default(),
    }
}

fn read_metadata(st: &State, op: &Element) -> Response {
    let kind = op.child_text("type").unwrap_or("").trim();
    let mut records = String::new();
    for name in op.children_named("fullNames") {
        let asked = name.text.trim();
        let found = match kind {
            "CustomMetadata" => find_record(st, asked)
                .map(|idx| &st.records[idx])
                .filter(|r| visible(r))
                .map(record_xml),
            "CustomField" => custom_field_xml(st, asked),
            _ => None,
        };
        records.push_str(&found.unwrap_or_else(|| not_found_xml(st, asked)));
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

fn list_metadata(st: &State, op: &Element) -> Response {
    let wants_cmdt = op
        .children_named("queries")
        .any(|q| q.child_text("type") == Some("CustomMetadata"));
    let out = if wants_cmdt {
        crate::store::list_custom_metadata(&st.records, &st.cfg.listing)
    } else {
        String::new()
    };
    if out.is_empty() {
        envelope("<listMetadataResponse/>")
    } else {
        envelope(&format!(
            "<listMetadataResponse>{out}</listMetadataResponse>"
        ))
    }
}
