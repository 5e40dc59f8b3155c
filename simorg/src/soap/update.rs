//! Metadata SOAP `updateMetadata`: validates each record against the schema and replaces it whole.

use std::time::{Instant, SystemTime};

use super::{MD_NS, XSD_NS, envelope, find_record, visible};
use crate::config::Manageability;
use crate::ids::USER_NAME;
use crate::model::Value;
use crate::state::State;
use crate::store::{FType, FieldDef};
use crate::wire::Response;
use crate::xml::{Element, XSI_NS, escape};

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

pub(super) fn update_metadata(st: &mut State, op: &Element) -> Response {
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
fn typed_value(el: &Element, def: &FieldDef) -> Result<Value, String> {
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
