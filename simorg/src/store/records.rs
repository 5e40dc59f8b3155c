//! The custom metadata records the org starts with, as stored, and the date format it shows.

use std::time::SystemTime;

use crate::config::{FieldKind, OrgConfig, RecordKind};
use crate::model::{Record, Value};

/// A custom metadata record as stored by the org.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct StoredRecord {
    pub id: String,
    pub type_name: String,
    pub developer_name: String,
    pub namespace: Option<String>,
    pub label: String,
    pub protected: bool,
    pub values: Vec<(String, Value)>,
    pub last_modified: SystemTime,
    /// The record's `description` (Metadata API only; SOQL does not show it).
    pub description: Option<String>,
    /// `lastModifiedByName` in listMetadata: who last wrote the record.
    pub last_modified_by: String,
}

impl StoredRecord {
    pub fn qualified_api_name(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{ns}__{}", self.developer_name),
            None => self.developer_name.clone(),
        }
    }

    pub fn full_name(&self) -> String {
        let t = self
            .type_name
            .strip_suffix("__mdt")
            .unwrap_or(&self.type_name);
        format!("{t}.{}", self.qualified_api_name())
    }

    pub fn to_record(&self) -> Record {
        Record {
            full_name: self.full_name(),
            label: self.label.clone(),
            protected: self.protected,
            values: self.values.clone(),
            description: self.description.clone(),
        }
    }

    /// A column value as SOQL sees it (`field` is the canonical name).
    pub fn column(&self, field: &str) -> Value {
        let text = |s: &str| Value::Text(s.to_string());
        match field {
            "Id" => text(&self.id),
            "DeveloperName" => text(&self.developer_name),
            "MasterLabel" | "Label" => text(&self.label),
            "Language" => text("en_US"),
            "NamespacePrefix" => self.namespace.as_deref().map_or(Value::Nil, text),
            "QualifiedApiName" => Value::Text(self.qualified_api_name()),
            other => self
                .values
                .iter()
                .find(|(k, _)| k == other)
                .map_or(Value::Nil, |(_, v)| v.clone()),
        }
    }

    /// Mutable access to a custom field value.
    pub fn value_mut(&mut self, field: &str) -> Option<&mut Value> {
        self.values
            .iter_mut()
            .find(|(k, _)| k == field)
            .map(|(_, v)| v)
    }
}

/// `description` of the Triggers Enabled record: XML specials and non-ASCII text.
pub(crate) const TRIGGERS_DESCRIPTION: &str =
    "Schaltet die Sync-Trigger ein & aus: <true> = läuft, <false> = gestoppt — ✓";
/// Text field value of the Triggers Enabled record: XML specials and non-ASCII text.
pub(crate) const TRIGGERS_TEXT: &str = "Master switch for sync triggers <media & stock> «€»";

/// Initial records of the org.
pub(crate) fn build_records(cfg: &OrgConfig) -> Vec<StoredRecord> {
    let flag = |b: bool| match cfg.field_kind {
        FieldKind::Checkbox => Value::Bool(b),
        FieldKind::Text => Value::Text(b.to_string()),
    };
    let text = |s: &str| Value::Text(s.to_string());
    let now = SystemTime::now();
    let record = |id: &str,
                  t: &str,
                  dev: &str,
                  ns: Option<&str>,
                  label: &str,
                  values: Vec<(&str, Value)>| {
        StoredRecord {
            id: id.into(),
            type_name: t.into(),
            developer_name: dev.into(),
            namespace: ns.map(str::to_string),
            label: label.into(),
            protected: false,
            values: values
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
            last_modified: now,
            description: None,
            last_modified_by: crate::ids::USER_NAME.to_string(),
        }
    };
    let triggers_ns = match cfg.record_kind {
        RecordKind::Packaged => Some("s_c"),
        RecordKind::Subscriber => None,
    };
    let triggers = StoredRecord {
        protected: cfg.protected_record,
        description: Some(TRIGGERS_DESCRIPTION.to_string()),
        ..record(
            "m01SIM000000001AAA",
            "s_c__Setting__mdt",
            "Triggers_Enabled",
            triggers_ns,
            "StoreConnect Triggers Enabled",
            vec![
                ("s_c__Setting__c", flag(cfg.enabled)),
                ("s_c__Description__c", text(TRIGGERS_TEXT)),
                ("s_c__Notes__c", Value::Nil),
                ("s_c__Sync_Media__c", Value::Bool(true)),
                ("s_c__Batch_Size__c", Value::Number("50.0".into())),
                ("s_c__Since__c", Value::Date("2024-01-15".into())),
            ],
        )
    };
    vec![
        triggers,
        record(
            "m01SIM000000002AAA",
            "s_c__Setting__mdt",
            "Media_Batch_Size",
            Some("s_c"),
            "Media Batch Size",
            vec![
                ("s_c__Setting__c", flag(false)),
                ("s_c__Description__c", text("50")),
                ("s_c__Notes__c", Value::Nil),
                ("s_c__Sync_Media__c", Value::Bool(false)),
                ("s_c__Batch_Size__c", Value::Number("200.0".into())),
                ("s_c__Since__c", Value::Nil),
            ],
        ),
        record(
            "m02SIM000000001AAA",
            "acme__Setting__mdt",
            "Triggers_Enabled",
            Some("acme"),
            "StoreConnect Triggers Enabled",
            vec![
                ("acme__Setting__c", Value::Bool(true)),
                ("acme__Description__c", text("Decoy from another package")),
            ],
        ),
        record(
            "m03SIM000000001AAA",
            "Other_Config__mdt",
            "Default",
            None,
            "Default",
            vec![("Value__c", text("true"))],
        ),
    ]
}

/// Formats a time as `2024-01-15T10:00:00.000Z`.
pub(crate) fn iso8601(t: SystemTime) -> String {
    let d = t.duration_since(SystemTime::UNIX_EPOCH).unwrap_or_default();
    let secs = d.as_secs();
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Civil-from-days (Howard Hinnant).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        d.subsec_millis()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn formats_dates() {
        let t = SystemTime::UNIX_EPOCH + Duration::from_millis(1_705_312_800_123);
        assert_eq!(iso8601(t), "2024-01-15T10:00:00.123Z");
        assert_eq!(iso8601(SystemTime::UNIX_EPOCH), "1970-01-01T00:00:00.000Z");
    }
}
