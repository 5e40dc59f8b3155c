//! Reading the setting's value through SOQL, and comparing what was sent with what reads back.

use serde_json::{Map, Value};

use super::locate::{locate, record_columns};
use super::{Located, Observed, Pins, State};
use crate::error::Error;
use crate::outside::Outside;
use crate::salesforce::Deadline;
use crate::salesforce::Salesforce;
use crate::salesforce::SfError;
use crate::salesforce::metadata::MdValue;
use crate::salesforce::rest::{self, soql_quote};

/// A column of a SOQL row, matched ignoring case (API names are case-insensitive).
fn column<'a>(row: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    row.get(name).or_else(|| {
        row.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
}

/// Reads the record's current value through SOQL (by DeveloperName, matched on QualifiedApiName).
pub(crate) async fn query_value(
    sf: &mut Salesforce,
    deadline: &Deadline,
    located: &Located,
) -> Result<State, Error> {
    let developer_name = located
        .record
        .split_once("__")
        .map_or(located.record.as_str(), |(_, rest)| rest);
    let mut columns = record_columns(&located.field);
    for (other, _) in &located.others {
        if !other.eq_ignore_ascii_case("MasterLabel") {
            columns.push_str(", ");
            columns.push_str(other);
        }
    }
    let soql = format!(
        "SELECT {columns} FROM {} WHERE DeveloperName = {}",
        located.type_name,
        soql_quote(developer_name)
    );
    let action = format!(
        "SOQL query of {} record {}",
        located.type_name, located.record
    );
    let rows = rest::query(sf, deadline, &action, &soql).await?;
    let row = rows
        .iter()
        .find(|r| r.get("QualifiedApiName").and_then(Value::as_str).is_some_and(|q| q.eq_ignore_ascii_case(&located.record)))
        .ok_or_else(|| Error::NotFound {
            message: format!("no {} record with QualifiedApiName {} (SOQL found {} with DeveloperName {developer_name})", located.type_name, located.record, rows.len()),
            hint: "check setting-record: a record shipped in the package carries the namespace (s_c__Triggers_Enabled), one created in the org does not".into(),
        })?;
    let moved: Vec<String> = located
        .others
        .iter()
        .filter_map(|(name, sent)| {
            let read = column(row, name);
            (!same_value(sent, read)).then(|| {
                format!(
                    "{name} (sent {}, read {})",
                    describe_sent(sent),
                    read.map_or_else(
                        || "nothing".to_string(),
                        |v| Outside::name(v.to_string()).shown()
                    )
                )
            })
        })
        .collect();
    if !moved.is_empty() {
        return Err(Error::Salesforce(SfError::new(
            action,
            format!(
                "the record's other fields do not read back as they were sent: {}",
                moved.join("; ")
            ),
            format!(
                "the org may have cleared or changed data of record {} (updateMetadata replaces the whole record): compare it in Setup > Custom Metadata Types with what is shown above and restore the listed fields; report this to the maintainers",
                located.full_name()
            ),
        )));
    }
    Ok(State::from_json(column(row, &located.field)))
}

/// How a sent value appears in messages.
fn describe_sent(value: &MdValue) -> String {
    match value {
        MdValue::Nil => "null".into(),
        MdValue::Typed { xsi_type, text } => match xsi_type {
            Some(t) => format!(
                "{} as xsd:{}",
                Outside::name(format!("{text:?}")),
                Outside::name(t.as_str())
            ),
            None => Outside::name(format!("{text:?}")).shown(),
        },
    }
}

/// Whether a SOQL column shows the value sent through the Metadata API (`xsi:type` decides how
/// to compare: booleans and numbers by value, date-times to the second, text exactly).
pub(crate) fn same_value(sent: &MdValue, read: Option<&Value>) -> bool {
    let read = read.unwrap_or(&Value::Null);
    match sent {
        MdValue::Nil => read.is_null(),
        MdValue::Typed { xsi_type, text } => {
            let t = xsi_type.as_deref().unwrap_or("string");
            match (t, read) {
                // Salesforce stores empty text as null.
                (_, Value::Null) => text.is_empty(),
                ("boolean", Value::Bool(b)) => text.trim() == b.to_string(),
                ("double" | "int" | "long" | "decimal" | "float", _) => {
                    let n = match read {
                        Value::Number(n) => n.as_f64(),
                        Value::String(s) => s.trim().parse().ok(),
                        _ => None,
                    };
                    n.is_some() && n == text.trim().parse::<f64>().ok()
                }
                ("dateTime", Value::String(s)) => {
                    s.get(..19).is_some() && s.get(..19) == text.trim().get(..19)
                }
                (_, Value::String(s)) => s == text,
                (_, other) => serde_json::to_string(other).is_ok_and(|s| s == text.trim()),
            }
        }
    }
}

/// Reads the setting: discovery where needed, then SOQL (the label query already holds the value).
pub(crate) async fn status(
    sf: &mut Salesforce,
    deadline: &Deadline,
    pins: &Pins,
) -> Result<Observed, Error> {
    let (located, row) = locate(sf, deadline, pins).await?;
    let state = match row {
        Some(row) => State::from_json(column(&row, &located.field)),
        None => query_value(sf, deadline, &located).await?,
    };
    Ok(Observed { located, state })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn compares_sent_values_with_soql_columns() {
        let typed = |t: &str, text: &str| MdValue::Typed {
            xsi_type: Some(t.into()),
            text: text.into(),
        };
        assert!(same_value(&MdValue::Nil, Some(&json!(null))));
        assert!(same_value(&MdValue::Nil, None));
        assert!(!same_value(&MdValue::Nil, Some(&json!("x"))));
        assert!(same_value(&typed("boolean", "true"), Some(&json!(true))));
        assert!(!same_value(&typed("boolean", "true"), Some(&json!(false))));
        assert!(same_value(&typed("double", "50.0"), Some(&json!(50))));
        assert!(!same_value(&typed("double", "50.0"), Some(&json!(null))));
        assert!(same_value(
            &typed("date", "2024-01-15"),
            Some(&json!("2024-01-15"))
        ));
        assert!(same_value(
            &typed("dateTime", "2024-01-15T10:00:00.000Z"),
            Some(&json!("2024-01-15T10:00:00.000+0000"))
        ));
        assert!(same_value(
            &typed("string", "a <b> ü"),
            Some(&json!("a <b> ü"))
        ));
        assert!(!same_value(&typed("string", "a"), Some(&json!("b"))));
        assert!(same_value(&typed("string", ""), Some(&json!(null))));
        assert!(!same_value(&typed("string", "a"), Some(&json!(null))));
    }
}
