//! The StoreConnect Triggers Enabled setting: finding it (by label or pinned names), reading it
//! through SOQL, changing it through the Metadata API and proving the change by reading it back.

use std::fmt;
use std::time::Duration;

use serde_json::{Map, Value};

use crate::backoff::Backoff;
use crate::client::Salesforce;
use crate::error::{Error, SfError};
use crate::http::Deadline;
use crate::metadata::{self, CustomMetadata, MdValue};
use crate::rest::{self, soql_quote};

/// Label of the custom metadata type.
pub const TYPE_LABEL: &str = "StoreConnect Setting";
/// Label of the record.
pub const RECORD_LABEL: &str = "StoreConnect Triggers Enabled";
/// Label of the field holding `true`/`false`.
pub const FIELD_LABEL: &str = "Setting";
/// StoreConnect's package namespace, preferred when several types or fields match.
pub const NAMESPACE: &str = "s_c";

/// API names the user pinned (each one skips its discovery step).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pins {
    /// Type API name, e.g. `s_c__Setting__mdt`.
    pub setting_type: Option<String>,
    /// Record QualifiedApiName, e.g. `s_c__Triggers_Enabled`.
    pub setting_record: Option<String>,
    /// Field API name, e.g. `s_c__Setting__c`.
    pub setting_field: Option<String>,
}

/// How the field stores its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// Checkbox: JSON boolean, `xsd:boolean`.
    Checkbox,
    /// Text: `"true"`/`"false"`, `xsd:string`.
    Text,
}

/// The resolved API names of the setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    /// Type API name, e.g. `s_c__Setting__mdt`.
    pub type_name: String,
    /// Record QualifiedApiName, e.g. `s_c__Triggers_Enabled`.
    pub record: String,
    /// Field API name, e.g. `s_c__Setting__c`.
    pub field: String,
    /// Field type, when describe told us.
    pub kind: Option<FieldKind>,
    /// After a write: the other columns and the values sent for them. The read-back query selects
    /// them too and fails if the org shows anything else (empty: nothing to compare).
    pub others: Vec<(String, MdValue)>,
}

impl Located {
    /// The Metadata API fullName: type without `__mdt`, a dot, the record's QualifiedApiName.
    pub fn full_name(&self) -> String {
        let t = &self.type_name;
        let base = if t.to_ascii_lowercase().ends_with("__mdt") {
            &t[..t.len() - 5]
        } else {
            t.as_str()
        };
        format!("{base}.{}", self.record)
    }

    /// The names as pins, so a later operation skips discovery.
    pub fn as_pins(&self) -> Pins {
        Pins {
            setting_type: Some(self.type_name.clone()),
            setting_record: Some(self.record.clone()),
            setting_field: Some(self.field.clone()),
        }
    }

    /// The names in the form users pin them.
    pub fn pin_line(&self) -> String {
        format!(
            "setting-type={} setting-record={} setting-field={}",
            self.type_name, self.record, self.field
        )
    }
}

/// A value read from the org.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    /// `true` or `false`.
    Valid(bool),
    /// Anything else (quoted as read; `null` for no value).
    Invalid(String),
}

impl State {
    /// Interprets a SOQL JSON value: boolean, or text `true`/`false` in any case, trimmed.
    pub fn from_json(value: Option<&Value>) -> Self {
        match value {
            Some(Value::Bool(b)) => State::Valid(*b),
            Some(Value::String(s)) => State::from_text(s),
            Some(Value::Null) | None => State::Invalid("null".into()),
            Some(other) => State::Invalid(clip(&other.to_string())),
        }
    }

    /// Interprets text (`true`/`false`, any case, trimmed).
    pub fn from_text(text: &str) -> Self {
        match text.trim().to_ascii_lowercase().as_str() {
            "true" => State::Valid(true),
            "false" => State::Valid(false),
            _ => State::Invalid(clip(&format!("{text:?}"))),
        }
    }

    fn from_metadata(value: Option<&MdValue>) -> Self {
        match value {
            Some(MdValue::Typed { text, .. }) => State::from_text(text),
            Some(MdValue::Nil) | None => State::Invalid("null".into()),
        }
    }

    /// `Some(b)` for a valid value.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            State::Valid(b) => Some(*b),
            State::Invalid(_) => None,
        }
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            State::Valid(b) => write!(f, "{b}"),
            State::Invalid(raw) => write!(f, "{raw}"),
        }
    }
}

/// Finds the setting: each name not pinned is discovered (describeGlobal, describe, label query).
/// Returns the names and, when the record was found by label, its row (which holds the value).
pub async fn locate(
    sf: &mut Salesforce,
    deadline: &Deadline,
    pins: &Pins,
) -> Result<(Located, Option<Map<String, Value>>), Error> {
    let type_name = match &pins.setting_type {
        Some(t) => t.clone(),
        None => discover_type(sf, deadline).await?,
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
                .unwrap_or_default()
                .to_string();
            (name, Some(row))
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

async fn discover_type(sf: &mut Salesforce, deadline: &Deadline) -> Result<String, Error> {
    let objects = rest::describe_global(sf, deadline).await?;
    let matches: Vec<String> = objects
        .into_iter()
        .filter(|o| o.name.ends_with("__mdt") && o.label == TYPE_LABEL)
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
        .filter(|f| f.custom && f.label == FIELD_LABEL)
        .collect();
    let name = pick(
        candidates.iter().map(|f| f.name.clone()).collect(),
        &format!("custom field labelled \"{FIELD_LABEL}\""),
        &format!("the describe of {type_name}"),
        "setting-field",
    )?;
    let kind = candidates
        .iter()
        .find(|f| f.name == name)
        .map(|f| f.kind.as_str())
        .unwrap_or_default();
    let kind = match kind {
        "boolean" => FieldKind::Checkbox,
        "string" | "textarea" => FieldKind::Text,
        other => {
            return Err(Error::NotFound {
                message: format!(
                    "field {type_name}.{name} has type `{other}`; a checkbox or a text field holding true/false was expected"
                ),
                hint: "pin the right field with setting-field".into(),
            });
        }
    };
    Ok((name, kind))
}

/// One match wins; several are narrowed to the StoreConnect namespace; otherwise a clear error.
fn pick(mut matches: Vec<String>, what: &str, place: &str, pin: &str) -> Result<String, Error> {
    if matches.len() > 1 {
        let prefix = format!("{NAMESPACE}__");
        let ours: Vec<String> = matches
            .iter()
            .filter(|m| m.starts_with(&prefix))
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
            message: format!("several {what}s in {place}: {}", matches.join(", ")),
            hint: format!("pin the right one with {pin}"),
        }),
    }
}

fn record_columns(field: &str) -> String {
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
                message: format!("several {type_name} records labelled \"{RECORD_LABEL}\": {}", names.join(", ")),
                hint: "pin the right one with setting-record".into(),
            })
        }
    }
}

/// A column of a SOQL row, matched ignoring case (API names are case-insensitive).
fn column<'a>(row: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    row.get(name).or_else(|| {
        row.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
}

/// Reads the record's current value through SOQL (by DeveloperName, matched on QualifiedApiName).
pub async fn query_value(
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
                    read.map_or_else(|| "nothing".to_string(), Value::to_string)
                )
            })
        })
        .collect();
    if !moved.is_empty() {
        return Err(Error::Salesforce(SfError {
            action,
            answer: format!(
                "the record's other fields do not read back as they were sent: {}",
                moved.join("; ")
            ),
            code: None,
            hint: format!(
                "the org may have cleared or changed data of record {} (updateMetadata replaces the whole record): compare it in Setup > Custom Metadata Types with what is shown above and restore the listed fields; report this to the maintainers",
                located.full_name()
            ),
        }));
    }
    Ok(State::from_json(column(row, &located.field)))
}

/// How a sent value appears in messages.
fn describe_sent(value: &MdValue) -> String {
    match value {
        MdValue::Nil => "null".into(),
        MdValue::Typed { xsi_type, text } => match xsi_type {
            Some(t) => format!("{text:?} as xsd:{t}"),
            None => format!("{text:?}"),
        },
    }
}

/// Whether a SOQL column shows the value sent through the Metadata API (`xsi:type` decides how
/// to compare: booleans and numbers by value, date-times to the second, text exactly).
pub fn same_value(sent: &MdValue, read: Option<&Value>) -> bool {
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

/// The setting as found by [`status`].
#[derive(Debug, Clone)]
pub struct Observed {
    /// Resolved names.
    pub located: Located,
    /// The value read through SOQL.
    pub state: State,
}

/// Reads the setting: discovery where needed, then SOQL (the label query already holds the value).
pub async fn status(
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

/// The record read with readMetadata, ready to be changed.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// Resolved names.
    pub located: Located,
    /// The whole record as read.
    pub record: CustomMetadata,
    /// Its current value.
    pub state: State,
}

/// Finds the setting and reads the whole record with readMetadata (which holds the current value).
pub async fn prepare(
    sf: &mut Salesforce,
    deadline: &Deadline,
    pins: &Pins,
) -> Result<Prepared, Error> {
    let (mut located, _) = locate(sf, deadline, pins).await?;
    let full_name = located.full_name();
    let record = metadata::read(sf, deadline, &full_name).await?.ok_or_else(|| Error::NotFound {
        message: format!("readMetadata found no CustomMetadata named {full_name}"),
        hint: "check setting-type and setting-record (a packaged record's name carries the namespace: s_c__Setting.s_c__Triggers_Enabled); the record may also be protected, or the user may lack Customize Application".into(),
    })?;
    // Pins may differ in letter case from the org's spelling: adopt the org's.
    if let Some((field, _)) = record
        .values
        .iter()
        .find(|(f, _)| f.eq_ignore_ascii_case(&located.field))
    {
        located.field = field.clone();
    }
    let state = State::from_metadata(record.value(&located.field));
    Ok(Prepared {
        located,
        record,
        state,
    })
}

/// What [`apply`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// Whether a write was sent.
    pub changed: bool,
    /// The value read back after the write (or read before, when nothing needed writing).
    pub after: State,
}

/// Sets the value to `wanted` unless it already is, then reads back through SOQL until it shows
/// `wanted`. Only the owned field changes; everything else is sent back as read.
pub async fn apply(
    sf: &mut Salesforce,
    deadline: &Deadline,
    prepared: &Prepared,
    wanted: bool,
) -> Result<Applied, Error> {
    if prepared.state == State::Valid(wanted) {
        return Ok(Applied {
            changed: false,
            after: prepared.state.clone(),
        });
    }
    rewrite(sf, deadline, prepared, wanted).await
}

/// Writes `wanted` even if the record already holds it, then reads back until it shows: for
/// when a value read cannot be trusted (an earlier write may still land).
pub async fn rewrite(
    sf: &mut Salesforce,
    deadline: &Deadline,
    prepared: &Prepared,
    wanted: bool,
) -> Result<Applied, Error> {
    let field = &prepared.located.field;
    let xsi_type = owned_xsi_type(sf, deadline, prepared).await?;
    let new_value = MdValue::Typed {
        xsi_type: Some(xsi_type.into()),
        text: wanted.to_string(),
    };
    let updated = prepared.record.with_value(field, new_value);
    if let Err(refused) = metadata::update_or_refusal(sf, deadline, &updated).await? {
        return Err(explain_refusal(sf, deadline, &prepared.located, refused).await);
    }
    // The read-back also proves that nothing else moved: it selects the other fields (and the
    // label) and compares them with what was sent, in the same query.
    let mut located = prepared.located.clone();
    located.others = updated
        .values
        .iter()
        .filter(|(f, _)| !f.eq_ignore_ascii_case(field))
        .cloned()
        .collect();
    if let Some(label) = &updated.label {
        located.others.push((
            "MasterLabel".into(),
            MdValue::Typed {
                xsi_type: Some("string".into()),
                text: label.clone(),
            },
        ));
    }
    let after = verify(sf, deadline, &located, wanted).await?;
    Ok(Applied {
        changed: true,
        after,
    })
}

/// The `xsi:type` of the value we own: from the field's describe type (Checkbox `boolean`, Text
/// `string`); with a pinned field, the type the value was read with; for a pinned field whose
/// value reads as nil, one describe call decides.
async fn owned_xsi_type(
    sf: &mut Salesforce,
    deadline: &Deadline,
    prepared: &Prepared,
) -> Result<&'static str, Error> {
    let located = &prepared.located;
    let from_kind = |kind: FieldKind| match kind {
        FieldKind::Checkbox => "boolean",
        FieldKind::Text => "string",
    };
    if let Some(kind) = located.kind {
        return Ok(from_kind(kind));
    }
    if let Some(MdValue::Typed {
        xsi_type: Some(t), ..
    }) = prepared.record.value(&located.field)
    {
        match t.as_str() {
            "boolean" => return Ok("boolean"),
            "string" => return Ok("string"),
            _ => {}
        }
    }
    let fields = rest::describe(sf, deadline, &located.type_name).await?;
    let kind = fields
        .iter()
        .find(|f| f.name.eq_ignore_ascii_case(&located.field))
        .map(|f| f.kind.as_str());
    match kind {
        Some("boolean") => Ok(from_kind(FieldKind::Checkbox)),
        Some("string" | "textarea") => Ok(from_kind(FieldKind::Text)),
        other => Err(Error::NotFound {
            message: format!(
                "field {}.{} has type `{}`; a checkbox or a text field holding true/false was expected",
                located.type_name,
                located.field,
                other.unwrap_or("(not in the describe)")
            ),
            hint: "pin the right field with setting-field".into(),
        }),
    }
}

/// Explains a refused write: reads the field's manageability (one more request, only here) and
/// says whether the package lets subscribers change the field, with Salesforce's answer verbatim.
async fn explain_refusal(
    sf: &mut Salesforce,
    deadline: &Deadline,
    located: &Located,
    refused: SfError,
) -> Error {
    let field = format!("{}.{}", located.type_name, located.field);
    let hint = match metadata::field_manageability(sf, deadline, &field).await {
        Ok(Some(m)) if m == "SubscriberControlled" => format!(
            "the package lets subscribers change {field} (fieldManageability SubscriberControlled), so the refusal has another cause: act on the statusCode and message above ({})",
            refused.hint
        ),
        Ok(Some(m)) if m == "DeveloperControlled" || m == "Locked" => format!(
            "the package does not let subscribers change {field} (fieldManageability {m}): only the package's developer can change it, through a package upgrade. Ask StoreConnect support how to switch the triggers in this org; this tool cannot change a {m} field"
        ),
        Ok(Some(m)) => format!("{field} has fieldManageability {m}; {}", refused.hint),
        Ok(None) => format!(
            "readMetadata did not show {field}'s fieldManageability (the field may be invisible to this user); {}",
            refused.hint
        ),
        Err(e) => format!(
            "reading {field}'s fieldManageability failed too ({}); {}",
            e.answer, refused.hint
        ),
    };
    Error::Salesforce(SfError { hint, ..refused })
}

/// Time the last read-back, sent when the deadline is reached, may take (retries included).
/// It is what makes "exit 1" mean "the value never showed before `timeout`".
pub const FINAL_READ_GRACE: Duration = Duration::from_secs(5);
/// A read that fails this close to the deadline may have been cut off by it (the transport
/// gives up once its next backoff, at most 8 s, would pass the deadline): go to the last read.
const NEAR_DEADLINE: Duration = Duration::from_secs(9);

/// When the next read-back happens, after one that did not show the wanted value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NextRead {
    /// Wait this long, then read again (the deadline is further away).
    After(Duration),
    /// Wait this long (until the deadline), then read one last time.
    Last(Duration),
}

/// The read-back schedule: reads at +0, 0.5, 1.5, 3.5, 7.5 s and then every 5 s, and always
/// one last read at the deadline, so the reads cover the whole timeout.
pub fn next_read(pause: Duration, remaining: Duration) -> NextRead {
    if pause < remaining {
        NextRead::After(pause)
    } else {
        NextRead::Last(remaining)
    }
}

/// Reads back through SOQL until the value is `wanted`: with backoff until the deadline, then
/// once more at the deadline (that read gets [`FINAL_READ_GRACE`] to answer).
pub async fn verify(
    sf: &mut Salesforce,
    deadline: &Deadline,
    located: &Located,
    wanted: bool,
) -> Result<State, Error> {
    let verifying = |e: Error| match e {
        Error::Salesforce(inner) => Error::Salesforce(SfError {
            action: format!("{} (verifying the change)", inner.action),
            ..inner
        }),
        other => other,
    };
    let mut reads = 0;
    loop {
        let read = query_value(sf, deadline, located).await;
        reads += 1;
        match read {
            Ok(state) if state == State::Valid(wanted) => return Ok(state),
            Ok(state) => match next_read(Backoff::READ_BACK.delay(reads), deadline.remaining()) {
                NextRead::After(wait) => {
                    sf.console().info(&format!(
                        "read back {state}, waiting for {wanted}; reading again in {:.1}s",
                        wait.as_secs_f64()
                    ));
                    tokio::time::sleep(wait).await;
                }
                NextRead::Last(wait) => {
                    sf.console().info(&format!(
                        "read back {state}, waiting for {wanted}; last read at the deadline, in {:.1}s",
                        wait.as_secs_f64()
                    ));
                    tokio::time::sleep(wait).await;
                    break;
                }
            },
            // Cut off by the deadline, or retries gave up near it: the last read, at the
            // deadline, decides.
            Err(Error::Salesforce(_)) if deadline.remaining() < NEAR_DEADLINE => {
                tokio::time::sleep(deadline.remaining()).await;
                break;
            }
            Err(e) => return Err(verifying(e)),
        }
    }
    let last = Deadline::after(FINAL_READ_GRACE);
    let state = query_value(sf, &last, located).await.map_err(verifying)?;
    reads += 1;
    if state == State::Valid(wanted) {
        return Ok(state);
    }
    Err(Error::WrongState {
        message: format!(
            "wrote {} = {wanted} but SOQL still read {} after {reads} reads, the last at the end of the {}s timeout",
            located.full_name(),
            clip(&state.to_string()),
            deadline.total().as_secs()
        ),
        hint: "Salesforce may be slow to show the change: check the value in Setup (Custom Metadata Types) and run again with a larger timeout".into(),
    })
}

/// At most [`MAX_SHOWN_CHARS`] characters of a value read from the org, for messages.
pub fn clip(text: &str) -> String {
    match text.char_indices().nth(MAX_SHOWN_CHARS) {
        None => text.to_string(),
        Some((cut, _)) => format!(
            "{}… ({} characters in all)",
            &text[..cut],
            text.chars().count()
        ),
    }
}

/// The most characters of a value read from the org that any message shows.
pub const MAX_SHOWN_CHARS: usize = 200;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_checkbox_and_text_values() {
        assert_eq!(State::from_json(Some(&json!(true))), State::Valid(true));
        assert_eq!(State::from_json(Some(&json!(" TRUE "))), State::Valid(true));
        assert_eq!(State::from_json(Some(&json!("False"))), State::Valid(false));
        assert_eq!(
            State::from_json(Some(&json!("yes"))),
            State::Invalid("\"yes\"".into())
        );
        assert_eq!(
            State::from_json(Some(&json!(null))),
            State::Invalid("null".into())
        );
        assert_eq!(
            State::from_json(Some(&json!(1))),
            State::Invalid("1".into())
        );
    }

    #[test]
    fn full_names() {
        let mut l = Located {
            type_name: "s_c__Setting__mdt".into(),
            record: "s_c__Triggers_Enabled".into(),
            field: "s_c__Setting__c".into(),
            kind: None,
            others: Vec::new(),
        };
        assert_eq!(l.full_name(), "s_c__Setting.s_c__Triggers_Enabled");
        l.record = "Triggers_Enabled".into();
        assert_eq!(l.full_name(), "s_c__Setting.Triggers_Enabled");
        assert_eq!(
            l.pin_line(),
            "setting-type=s_c__Setting__mdt setting-record=Triggers_Enabled setting-field=s_c__Setting__c"
        );
    }

    /// The times (since the first read) at which reads happen for a timeout of `total`,
    /// when no read ever shows the wanted value and each read takes no time.
    fn read_times(total: Duration) -> Vec<Duration> {
        let mut now = Duration::ZERO;
        let mut times = vec![now];
        let mut reads = 0;
        loop {
            reads += 1;
            match next_read(Backoff::READ_BACK.delay(reads), total - now) {
                NextRead::After(wait) => {
                    now += wait;
                    times.push(now);
                }
                NextRead::Last(wait) => {
                    times.push(now + wait);
                    return times;
                }
            }
        }
    }

    #[test]
    fn read_back_covers_the_whole_timeout_with_a_last_read_at_the_deadline() {
        let s = Duration::from_secs_f64;
        assert_eq!(
            read_times(s(10.0)),
            vec![s(0.0), s(0.5), s(1.5), s(3.5), s(7.5), s(10.0)]
        );
        for total in [0.2, 1.0, 3.0, 7.5, 8.0, 19.0, 20.0, 120.0, 86_400.0] {
            let times = read_times(s(total));
            assert_eq!(times.last(), Some(&s(total)), "last read at the deadline");
            assert!(
                times.windows(2).all(|w| w[1] > w[0] || w[1] == s(total)),
                "{times:?}"
            );
            assert!(
                times
                    .windows(2)
                    .all(|w| w[1] - w[0] <= Backoff::READ_BACK.max),
                "no gap longer than 5 s: {times:?}"
            );
        }
    }

    #[test]
    fn long_values_are_clipped_for_messages() {
        assert_eq!(clip("true"), "true");
        let long = "é".repeat(50_000);
        let shown = clip(&long);
        assert!(shown.chars().count() < MAX_SHOWN_CHARS + 40, "{shown}");
        assert!(shown.ends_with("(50000 characters in all)"));
    }

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

    #[test]
    fn picks_the_storeconnect_namespace() {
        assert_eq!(
            pick(
                vec!["acme__Setting__mdt".into(), "s_c__Setting__mdt".into()],
                "t",
                "p",
                "x"
            )
            .unwrap(),
            "s_c__Setting__mdt"
        );
        assert!(pick(vec!["a__S__mdt".into(), "b__S__mdt".into()], "t", "p", "x").is_err());
        assert!(pick(vec![], "t", "p", "x").is_err());
    }
}
