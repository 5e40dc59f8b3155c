//! Metadata SOAP API: readMetadata, updateMetadata, listMetadata, faults.

use std::time::{Instant, SystemTime};

use crate::http::{HttpRequest, Response};
use crate::store::StoredRecord;
use crate::store::{FType, iso8601};
use crate::xml::{Element, XSI_NS, escape, parse};
use crate::{Manageability, NotFoundShape, Shared, State, USER_ID, Value};

/// The XML Schema namespace (`xsd:boolean`, `xsd:string`, …).
const XSD_NS: &str = "http://www.w3.org/2001/XMLSchema";

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
fn find_record(st: &State, full_name: &str) -> Option<usize> {
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
fn visible(r: &StoredRecord) -> bool {
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
    let Some(idx) = find_record(st, full_name).filter(|&i| visible(&st.records[i])) else {
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
    if st.records[idx].protected && !protected {
        errors.push(SaveError::on_field(
            "FIELD_INTEGRITY_EXCEPTION",
            "protected",
            format!("Cannot change protected from true to false on {full_name}: a protected record cannot be made unprotected"),
        ));
    }
    let description = md
        .child("description")
        .filter(|d| !d.is_nil())
        .map(|d| d.text.clone());
    let packaged = st.records[idx].namespace.is_some();
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
            Some(el) => match typed_value(el, def) {
                Ok(value) => value,
                Err(message) => {
                    errors.push(SaveError::on_field(
                        "FIELD_INTEGRITY_EXCEPTION",
                        &def.name,
                        message,
                    ));
                    continue;
                }
            },
        };
        let stored = st.records[idx].column(&def.name);
        if packaged && def.manageability != Manageability::SubscriberControlled && stored != value {
            errors.push(SaveError::on_field(
                "CANNOT_MODIFY_MANAGED_OBJECT",
                &def.name,
                format!(
                    "Cannot modify managed object: entity=CustomFieldValue, component={}.{}, field={}, state=installed ({})",
                    typedef.name,
                    def.name,
                    def.name,
                    def.manageability.as_str()
                ),
            ));
            continue;
        }
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
    let clears = st.cfg.update_clears.clone();
    let rec = &mut st.records[idx];
    rec.label = label;
    rec.protected = protected;
    rec.description = description;
    rec.values = values;
    for (field, value) in &mut rec.values {
        if clears.iter().any(|c| c.eq_ignore_ascii_case(field)) {
            *value = Value::Nil;
        }
    }
    rec.last_modified = SystemTime::now();
    rec.last_modified_by = USER_NAME.to_string();
    Ok(())
}

/// A typed `<value>` checked against the field: its `xsi:type` must be the field's XML type.
fn typed_value(el: &Element, def: &crate::store::FieldDef) -> Result<Value, String> {
    let (ns, local) = el
        .attr_ns(XSI_NS, "type")
        .map(|t| el.resolve_qname(t))
        .unwrap_or((None, ""));
    let wanted = def.ftype.xsd();
    let numeric = def.ftype == FType::Double && matches!(local, "int" | "long" | "decimal");
    if ns.as_deref() != Some(XSD_NS) || (local != wanted && !numeric) {
        return Err(format!(
            "value not of required type: {} must be xsd:{wanted} ({}), not {}{local}",
            def.name,
            def.ftype.metadata_name(),
            ns.map(|n| format!("{{{n}}}")).unwrap_or_default()
        ));
    }
    let text = el.text.trim();
    let bad = |what: &str| {
        Err(format!(
            "Value '{text}' is not valid for field {} ({}): expected {what}",
            def.name,
            def.ftype.metadata_name()
        ))
    };
    match def.ftype {
        FType::Boolean => match text {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ => bad("true or false"),
        },
        FType::Double => match text.parse::<f64>() {
            Ok(n) => Ok(Value::Number(format!("{n:?}"))),
            Err(_) => bad("a number"),
        },
        FType::Date => {
            let b = text.as_bytes();
            let shape = b.len() == 10
                && b[4] == b'-'
                && b[7] == b'-'
                && b.iter()
                    .enumerate()
                    .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
            if shape {
                Ok(Value::Date(text.to_string()))
            } else {
                bad("YYYY-MM-DD")
            }
        }
        _ => Ok(Value::Text(el.text.clone())),
    }
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
