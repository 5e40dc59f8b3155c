//! The StoreConnect Triggers Enabled setting: finding it (by label or pinned names), reading it
//! through SOQL, changing it through the Metadata API and proving the change by reading it back.
//!
//! `locate` finds the names, `read` reads the value through SOQL, `write` changes it through the
//! Metadata API and `verify` reads it back until it shows.

mod locate;
mod read;
mod verify;
mod write;

use std::fmt;

use serde_json::Value;

use crate::error::Error;
use crate::outside::clip_counted;
use crate::salesforce::metadata::{CustomMetadata, MdValue};

pub(crate) use read::status;
pub(crate) use verify::{FINAL_READ_GRACE, NextRead, next_read};
pub(crate) use write::{apply, prepare, rewrite};

/// Label of the custom metadata type.
pub(crate) const TYPE_LABEL: &str = "StoreConnect Setting";
/// Label of the record.
pub(crate) const RECORD_LABEL: &str = "StoreConnect Triggers Enabled";
/// Label of the field holding `true`/`false`.
pub(crate) const FIELD_LABEL: &str = "Setting";
/// StoreConnect's package namespace, preferred when several types or fields match.
pub(crate) const NAMESPACE: &str = "s_c";

/// API names the user pinned (each one skips its discovery step).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Pins {
    /// Type API name, e.g. `s_c__Setting__mdt`.
    pub(crate) setting_type: Option<String>,
    /// Record QualifiedApiName, e.g. `s_c__Triggers_Enabled`.
    pub(crate) setting_record: Option<String>,
    /// Field API name, e.g. `s_c__Setting__c`.
    pub(crate) setting_field: Option<String>,
}

/// How the field stores its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FieldKind {
    /// Checkbox: JSON boolean, `xsd:boolean`.
    Checkbox,
    /// Text: `"true"`/`"false"`, `xsd:string`.
    Text,
}

impl FieldKind {
    /// The kind of `type_name.field` from its describe `type` (`None`: not in the describe);
    /// anything but a checkbox or a text field is an error.
    fn from_describe(type_name: &str, field: &str, kind: Option<&str>) -> Result<Self, Error> {
        match kind {
            Some("boolean") => Ok(FieldKind::Checkbox),
            Some("string" | "textarea") => Ok(FieldKind::Text),
            other => Err(Error::NotFound {
                message: format!(
                    "field {type_name}.{field} has type `{}`; a checkbox or a text field holding true/false was expected",
                    other.map_or(
                        "(not in the describe)".into(),
                        |k| crate::outside::one_line(k, 100)
                    )
                ),
                hint: "pin the right field with setting-field".into(),
            }),
        }
    }

    /// The `xsi:type` a value of this kind is written with.
    fn xsi_type(self) -> &'static str {
        match self {
            FieldKind::Checkbox => "boolean",
            FieldKind::Text => "string",
        }
    }
}

/// The resolved API names of the setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Located {
    /// Type API name, e.g. `s_c__Setting__mdt`.
    pub(crate) type_name: String,
    /// Record QualifiedApiName, e.g. `s_c__Triggers_Enabled`.
    pub(crate) record: String,
    /// Field API name, e.g. `s_c__Setting__c`.
    pub(crate) field: String,
    /// Field type, when describe told us.
    pub(crate) kind: Option<FieldKind>,
    /// After a write: the other columns and the values sent for them. The read-back query selects
    /// them too and fails if the org shows anything else (empty: nothing to compare).
    pub(crate) others: Vec<(String, MdValue)>,
}

impl Located {
    /// The Metadata API fullName: type without `__mdt`, a dot, the record's QualifiedApiName.
    pub(crate) fn full_name(&self) -> String {
        let t = &self.type_name;
        let base = if t.to_ascii_lowercase().ends_with("__mdt") {
            &t[..t.len() - 5]
        } else {
            t.as_str()
        };
        format!("{base}.{}", self.record)
    }

    /// The names as pins, so a later operation skips discovery.
    pub(crate) fn as_pins(&self) -> Pins {
        Pins {
            setting_type: Some(self.type_name.clone()),
            setting_record: Some(self.record.clone()),
            setting_field: Some(self.field.clone()),
        }
    }

    /// The names in the form users pin them.
    pub(crate) fn pin_line(&self) -> String {
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
            Some(other) => State::Invalid(clip_counted(&other.to_string(), MAX_SHOWN_CHARS)),
        }
    }

    /// Interprets text (`true`/`false`, any case, trimmed).
    pub(crate) fn from_text(text: &str) -> Self {
        match text.trim().to_ascii_lowercase().as_str() {
            "true" => State::Valid(true),
            "false" => State::Valid(false),
            _ => State::Invalid(clip_counted(&format!("{text:?}"), MAX_SHOWN_CHARS)),
        }
    }

    /// Interprets a value read with readMetadata (nil or missing: `null`).
    pub(crate) fn from_metadata(value: Option<&MdValue>) -> Self {
        match value {
            Some(MdValue::Typed { text, .. }) => State::from_text(text),
            Some(MdValue::Nil) | None => State::Invalid("null".into()),
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

/// The setting as found by [`status`].
#[derive(Debug, Clone)]
pub(crate) struct Observed {
    /// Resolved names.
    pub(crate) located: Located,
    /// The value read through SOQL.
    pub(crate) state: State,
}

/// The record read with readMetadata, ready to be changed.
#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    /// Resolved names.
    pub(crate) located: Located,
    /// The whole record as read.
    pub(crate) record: CustomMetadata,
    /// Its current value.
    pub(crate) state: State,
}

/// What [`apply`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Applied {
    /// Whether a write was sent.
    pub(crate) changed: bool,
    /// The value read back after the write (or read before, when nothing needed writing).
    pub(crate) after: State,
}

/// The most characters of a value read from the org that any message shows (then how many
/// there were, see `outside::clip_counted`).
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
    fn field_kinds_from_the_describe() {
        let kind = |k| FieldKind::from_describe("T__mdt", "F__c", k);
        assert_eq!(kind(Some("boolean")).unwrap().xsi_type(), "boolean");
        assert_eq!(kind(Some("textarea")).unwrap().xsi_type(), "string");
        let err = kind(Some("double")).unwrap_err().to_string();
        assert!(err.contains("T__mdt.F__c has type `double`"), "{err}");
        let err = kind(None).unwrap_err().to_string();
        assert!(err.contains("`(not in the describe)`"), "{err}");
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

    #[test]
    fn long_values_are_clipped_for_messages() {
        assert_eq!(State::from_text("true"), State::Valid(true));
        let long = "é".repeat(50_000);
        let State::Invalid(shown) = State::from_text(&long) else {
            panic!("not a boolean")
        };
        assert!(shown.chars().count() < MAX_SHOWN_CHARS + 40, "{shown}");
        assert!(shown.ends_with("(50002 characters in all)"), "{shown}");
    }
}
