//! End-to-end tests of the simulated org over raw HTTP.
//!
//! One test crate, one module per theme; this root holds the imports every module takes
//! with `use super::*` and the helpers shared across themes (the raw HTTP client and
//! request helpers live in `common`).

mod common;

mod faults;
mod hosts;
mod oauth;
mod records;
mod rest;
mod soap_read;
mod soap_update;
mod soql;

use std::time::{Duration, Instant};

use common::*;
use serde_json::json;
use simorg::*;

/// An updateMetadata body echoing a whole record.
fn update_body(rec: &Record, xsi_type: &str) -> String {
    let mut values = String::new();
    for (field, value) in &rec.values {
        let v = match value {
            Value::Bool(b) => format!("<met:value xsi:type=\"xsd:boolean\">{b}</met:value>"),
            Value::Text(s) => format!(
                "<met:value xsi:type=\"xsd:string\">{}</met:value>",
                s.replace('&', "&amp;")
                    .replace('<', "&lt;")
                    .replace('>', "&gt;")
            ),
            Value::Nil => "<met:value xsi:nil=\"true\"/>".into(),
            Value::Number(n) => format!("<met:value xsi:type=\"xsd:double\">{n}</met:value>"),
            Value::Date(d) => format!("<met:value xsi:type=\"xsd:date\">{d}</met:value>"),
        };
        values.push_str(&format!(
            "<met:values><met:field>{field}</met:field>{v}</met:values>"
        ));
    }
    let description = rec
        .description
        .as_deref()
        .map(|d| format!("<met:description>{}</met:description>", xml_escape(d)))
        .unwrap_or_default();
    format!(
        "<met:updateMetadata><met:metadata xsi:type=\"{xsi_type}\"><met:fullName>{}</met:fullName>{description}<met:label>{}</met:label><met:protected>{}</met:protected>{values}</met:metadata></met:updateMetadata>",
        rec.full_name, rec.label, rec.protected
    )
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
