//! Finding the setting: each name not pinned is discovered by its label (describeGlobal for the
//! type, describe for the field, a label query for the record).

use serde_json::{Map, Value};

use super::{FIELD_LABEL, FieldKind, Located, NAMESPACE, Pins, RECORD_LABEL, TYPE_LABEL};
use crate::error::Error;
use crate::outside::Outside;
use crate::salesforce::Deadline;
use crate::salesforce::Salesforce;
use crate::salesforce::rest::{self, soql_quote};

/// Finds the setting: each name not pinned is discovered (describeGlobal, describe, label query).
/// Returns the names and, when the record was found by label, its row (which holds the value).
pub(super) async fn locate(
    sf: &mut Salesforce,
    deadline: &Deadline,
    pins: &Pins,
) -> Result<(Located, Option<Map<String, Value>>), Error> {
    let type_name = match &pins.setting_type {
        Some(t) => t.clone(),
        None => org_name(&discover_type(sf, deadline).await?, "setting-type", "__mdt")?,
    };
    let (field, kind) = match &pins.setting_field {
        Some(f) => (f.clone(), None),
        None => {
            let (f, k) = discover_field(sf, deadline, &type_name).await?;
            (f, Some(k))
        }
    };
    let (record, row) = match &pins.setting_record {
        Some(r) => (r.clone(), None),
        None => {
            let row = discover_record(sf, deadline, &type_name, &field).await?;
            let name = row
                .get("QualifiedApiName")
                .and_then(Value::as_str)
                .unwrap_or_default();
            (org_name(&name.into(), "setting-record", "")?, Some(row))
        }
    };
    Ok((
        Located {
            type_name,
            record,
            field,
            kind,
            others: Vec::new(),
        },
        row,
    ))
}

async fn discover_type(sf: &mut Salesforce, deadline: &Deadline) -> Result<Outside, Error> {
    let objects = rest::describe_global(sf, deadline).await?;
    let matches: Vec<Outside> = objects
        .into_iter()
        .filter(|o| o.name.raw().ends_with("__mdt") && o.label.raw() == TYPE_LABEL)
        .map(|o| o.name)
        .collect();
    pick(
        matches,
        &format!("custom metadata type labelled \"{TYPE_LABEL}\""),
        "describeGlobal",
        "setting-type",
    )
}

async fn discover_field(
    sf: &mut Salesforce,
    deadline: &Deadline,
    type_name: &str,
) -> Result<(String, FieldKind), Error> {
    let fields = rest::describe(sf, deadline, type_name).await?;
    let candidates: Vec<_> = fields
        .into_iter()
        .filter(|f| f.custom && f.label.raw() == FIELD_LABEL)
        .collect();
    let name = pick(
        candidates.iter().map(|f| f.name.clone()).collect(),
        &format!("custom field labelled \"{FIELD_LABEL}\""),
        &format!("the describe of {type_name}"),
        "setting-field",
    )?;
    let name = org_name(&name, "setting-field", "__c")?;
    let kind = candidates
        .iter()
        .find(|f| f.name.raw() == name)
        .map(|f| f.kind.raw());
    let kind = FieldKind::from_describe(type_name, &name, kind)?;
    Ok((name, kind))
}

/// One match wins; several are narrowed to the StoreConnect namespace; otherwise a clear error.
fn pick(mut matches: Vec<Outside>, what: &str, place: &str, pin: &str) -> Result<Outside, Error> {
    if matches.len() > 1 {
        let prefix = format!("{NAMESPACE}__");
        let ours: Vec<Outside> = matches
            .iter()
            .filter(|m| m.raw().starts_with(&prefix))
            .cloned()
            .collect();
        if !ours.is_empty() {
            matches = ours;
        }
    }
    match matches.len() {
        1 => Ok(matches.remove(0)),
        0 => Err(Error::NotFound {
            message: format!("no {what} found in {place}"),
            hint: format!(
                "check that the StoreConnect package is installed and the user can see its custom metadata (Customize Application or a custom metadata type permission), or pin the name with {pin}"
            ),
        }),
        _ => Err(Error::NotFound {
            message: format!(
                "several {what}s in {place}: {}",
                shown(matches.iter().map(Outside::raw))
            ),
            hint: format!("pin the right one with {pin}"),
        }),
    }
}

/// Names the org listed, each escaped and clipped, for a message.
fn shown<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    let shown: Vec<String> = names
        .into_iter()
        .map(|n| Outside::name(n).shown())
        .collect();
    shown.join(", ")
}

/// A name the org returned, accepted only if it passes the rules a pin of `setting` must
/// (`suffix`: `__mdt`, `__c` or none): anything else could alter a query or a line it is put in.
pub(super) fn org_name(name: &Outside, setting: &str, suffix: &str) -> Result<String, Error> {
    match crate::config::api_name(setting, name.raw(), suffix) {
        Ok(valid) if valid == name.raw() => Ok(valid),
        _ => Err(Error::NotFound {
            message: format!(
                "the org returned a name that is not an API name: `{}` (for {setting}); nothing was changed",
                name
            ),
            hint: format!(
                "pin the right name with {setting} (Setup > Custom Metadata Types shows it), and report this answer to the maintainers"
            ),
        }),
    }
}

/// The columns every record query selects: the names, the label and the value.
pub(super) fn record_columns(field: &str) -> String {
    format!("DeveloperName, NamespacePrefix, QualifiedApiName, MasterLabel, {field}")
}

async fn discover_record(
    sf: &mut Salesforce,
    deadline: &Deadline,
    type_name: &str,
    field: &str,
) -> Result<Map<String, Value>, Error> {
    let soql = format!(
        "SELECT {} FROM {type_name} WHERE MasterLabel = {}",
        record_columns(field),
        soql_quote(RECORD_LABEL)
    );
    let action = format!("SOQL query for the {type_name} record labelled \"{RECORD_LABEL}\"");
    let mut rows = rest::query(sf, deadline, &action, &soql).await?;
    match rows.len() {
        1 => Ok(rows.remove(0)),
        0 => Err(Error::NotFound {
            message: format!("no {type_name} record labelled \"{RECORD_LABEL}\""),
            hint: "check that the StoreConnect package is installed in this org, or pin the record with setting-record".into(),
        }),
        _ => {
            let names: Vec<&str> = rows.iter().filter_map(|r| r.get("QualifiedApiName").and_then(Value::as_str)).collect();
            Err(Error::NotFound {
                message: format!("several {type_name} records labelled \"{RECORD_LABEL}\": {}", shown(names)),
                hint: "pin the right one with setting-record".into(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_storeconnect_namespace() {
        assert_eq!(
            pick(
                vec!["acme__Setting__mdt".into(), "s_c__Setting__mdt".into()],
                "t",
                "p",
                "x"
            )
            .unwrap()
            .raw(),
            "s_c__Setting__mdt"
        );
        assert!(pick(vec!["a__S__mdt".into(), "b__S__mdt".into()], "t", "p", "x").is_err());
        assert!(pick(vec![], "t", "p", "x").is_err());
    }
}
