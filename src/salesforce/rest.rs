//! REST API: SOQL queries and the two describe calls used to discover the setting by label.

use crate::outside::Outside;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::client::Salesforce;
use super::error::{API_PATH_HINT, SfError};
use super::http::Deadline;

/// One entry of describeGlobal.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct SObjectInfo {
    /// API name, e.g. `s_c__Setting__mdt`.
    pub(crate) name: Outside,
    /// Label, e.g. `StoreConnect Setting`.
    pub(crate) label: Outside,
}

/// One field of a describe result.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct FieldInfo {
    /// API name, e.g. `s_c__Setting__c`.
    pub(crate) name: Outside,
    /// Label, e.g. `Setting`.
    pub(crate) label: Outside,
    /// Field type: `boolean` for a checkbox, `string`/`textarea` for text, …
    #[serde(rename = "type")]
    pub(crate) kind: Outside,
    /// Whether the field is custom.
    #[serde(default)]
    pub(crate) custom: bool,
}

#[derive(Deserialize)]
struct QueryPage {
    #[serde(default)]
    records: Vec<Map<String, Value>>,
    #[serde(default = "yes")]
    done: bool,
    #[serde(rename = "nextRecordsUrl")]
    next: Option<String>,
}

fn yes() -> bool {
    true
}

fn shape_error(action: &str, e: serde_json::Error) -> SfError {
    // serde quotes the unexpected value, which came from the org.
    let why = Outside::message(e.to_string());
    SfError::new(
        action,
        format!("an answer of unexpected shape ({why})"),
        API_PATH_HINT,
    )
}

/// Runs a SOQL query and returns every record (following `nextRecordsUrl`).
pub(crate) async fn query(
    sf: &mut Salesforce,
    deadline: &Deadline,
    action: &str,
    soql: &str,
) -> Result<Vec<Map<String, Value>>, SfError> {
    let first = sf
        .rest_get(deadline, action, "query", &[("q", soql)])
        .await?;
    let mut page: QueryPage = serde_json::from_value(first).map_err(|e| shape_error(action, e))?;
    let mut records = std::mem::take(&mut page.records);
    while let (false, Some(next)) = (page.done, page.next.take()) {
        let value = sf.rest_get(deadline, action, &next, &[]).await?;
        page = serde_json::from_value(value).map_err(|e| shape_error(action, e))?;
        records.append(&mut page.records);
    }
    Ok(records)
}

/// describeGlobal: every object the user can see.
pub(crate) async fn describe_global(
    sf: &mut Salesforce,
    deadline: &Deadline,
) -> Result<Vec<SObjectInfo>, SfError> {
    let action = "describeGlobal (listing objects to find the custom metadata type by label)";
    #[derive(Deserialize)]
    struct Global {
        sobjects: Vec<SObjectInfo>,
    }
    let value = sf.rest_get(deadline, action, "sobjects/", &[]).await?;
    let global: Global = serde_json::from_value(value).map_err(|e| shape_error(action, e))?;
    Ok(global.sobjects)
}

/// describe of one object: its fields.
pub(crate) async fn describe(
    sf: &mut Salesforce,
    deadline: &Deadline,
    object: &str,
) -> Result<Vec<FieldInfo>, SfError> {
    let action = format!("describe of `{object}` (finding the field by label)");
    #[derive(Deserialize)]
    struct Describe {
        fields: Vec<FieldInfo>,
    }
    let value = sf
        .rest_get(
            deadline,
            &action,
            &format!("sobjects/{object}/describe"),
            &[],
        )
        .await
        .map_err(|e| match e.code.as_deref() {
            Some("NOT_FOUND") => e.with_hint(format!(
                "the org has no object `{object}` visible to this user: check setting-type (or leave it unset to find the type by label)"
            )),
            _ => e,
        })?;
    let describe: Describe = serde_json::from_value(value).map_err(|e| shape_error(&action, e))?;
    Ok(describe.fields)
}

/// Quotes a string for a SOQL literal.
pub(crate) fn soql_quote(value: &str) -> String {
    let mut out = String::from("'");
    for ch in value.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            _ => out.push(ch),
        }
    }
    out.push('\'');
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn quotes_soql_literals() {
        assert_eq!(super::soql_quote("it's a \\ test"), r"'it\'s a \\ test'");
    }
}
