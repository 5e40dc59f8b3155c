//! The org's schema (sObject types and fields) and its custom metadata records.

use crate::config::{FieldKind, Manageability, OrgConfig};

mod listing;
mod records;

pub(crate) use listing::list_custom_metadata;
pub(crate) use records::{StoredRecord, build_records, iso8601};

/// Describe `type` of a field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FType {
    Id,
    Str,
    Boolean,
    Picklist,
    Textarea,
    Double,
    Date,
}

impl FType {
    pub fn describe_name(self) -> &'static str {
        match self {
            FType::Id => "id",
            FType::Str => "string",
            FType::Boolean => "boolean",
            FType::Picklist => "picklist",
            FType::Textarea => "textarea",
            FType::Double => "double",
            FType::Date => "date",
        }
    }

    /// The `xsi:type` local name the Metadata API uses for values of this type.
    pub fn xsd(self) -> &'static str {
        match self {
            FType::Boolean => "boolean",
            FType::Double => "double",
            FType::Date => "date",
            _ => "string",
        }
    }

    /// The CustomField `<type>` shown by readMetadata.
    pub fn metadata_name(self) -> &'static str {
        match self {
            FType::Boolean => "Checkbox",
            FType::Double => "Number",
            FType::Date => "Date",
            FType::Textarea => "TextArea",
            FType::Picklist => "Picklist",
            FType::Id | FType::Str => "Text",
        }
    }
}

/// One field of an sObject type.
#[derive(Clone, Debug)]
pub(crate) struct FieldDef {
    pub name: String,
    pub label: String,
    pub ftype: FType,
    pub custom: bool,
    pub nillable: bool,
    pub length: u32,
    /// Who may change the field's values on installed records.
    pub manageability: Manageability,
}

fn field(
    name: &str,
    label: &str,
    ftype: FType,
    custom: bool,
    nillable: bool,
    length: u32,
) -> FieldDef {
    FieldDef {
        name: name.into(),
        label: label.into(),
        ftype,
        custom,
        nillable,
        length,
        manageability: Manageability::SubscriberControlled,
    }
}

/// One sObject type known to describeGlobal.
#[derive(Clone, Debug)]
pub(crate) struct SObjectType {
    pub name: String,
    pub label: String,
    pub label_plural: String,
    pub key_prefix: String,
    pub custom: bool,
    pub fields: Vec<FieldDef>,
}

impl SObjectType {
    pub fn is_mdt(&self) -> bool {
        self.name.ends_with("__mdt")
    }

    /// Field by name, case-insensitively.
    pub fn field(&self, name: &str) -> Option<&FieldDef> {
        self.fields
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(name))
    }
}

fn mdt_standard_fields() -> Vec<FieldDef> {
    vec![
        field(
            "Id",
            "Custom Metadata Record ID",
            FType::Id,
            false,
            false,
            18,
        ),
        field(
            "DeveloperName",
            "Custom Metadata Record Name",
            FType::Str,
            false,
            false,
            40,
        ),
        field("MasterLabel", "Label", FType::Str, false, false, 40),
        field("Label", "Label", FType::Str, false, true, 40),
        field(
            "Language",
            "Master Language",
            FType::Picklist,
            false,
            true,
            40,
        ),
        field(
            "NamespacePrefix",
            "Namespace Prefix",
            FType::Str,
            false,
            true,
            15,
        ),
        field(
            "QualifiedApiName",
            "Qualified API Name",
            FType::Str,
            false,
            true,
            70,
        ),
    ]
}

/// A custom checkbox field (never null, no length).
fn checkbox(name: &str, label: &str) -> FieldDef {
    field(name, label, FType::Boolean, true, false, 0)
}

/// A custom text field of 255 characters that may be null.
fn text255(name: &str, label: &str) -> FieldDef {
    field(name, label, FType::Str, true, true, 255)
}

/// An sObject type whose plural label is its label with an `s`.
fn sobject_type(
    name: &str,
    label: &str,
    prefix: &str,
    custom: bool,
    fields: Vec<FieldDef>,
) -> SObjectType {
    SObjectType {
        name: name.into(),
        label: label.into(),
        label_plural: format!("{label}s"),
        key_prefix: prefix.into(),
        custom,
        fields,
    }
}

fn mdt_type(name: &str, label: &str, prefix: &str, custom_fields: Vec<FieldDef>) -> SObjectType {
    let mut fields = mdt_standard_fields();
    fields.extend(custom_fields);
    sobject_type(name, label, prefix, true, fields)
}

/// All sObject types of the simulated org, in describeGlobal order.
pub(crate) fn build_types(cfg: &OrgConfig) -> Vec<SObjectType> {
    let setting_type = match cfg.field_kind {
        FieldKind::Checkbox => FType::Boolean,
        FieldKind::Text => FType::Str,
    };
    let setting_len = if setting_type == FType::Boolean {
        0
    } else {
        255
    };
    vec![
        sobject_type(
            "Account",
            "Account",
            "001",
            false,
            vec![
                field("Id", "Account ID", FType::Id, false, false, 18),
                field("Name", "Account Name", FType::Str, false, false, 255),
            ],
        ),
        mdt_type(
            "acme__Setting__mdt",
            "StoreConnect Setting",
            "m02",
            vec![
                checkbox("acme__Setting__c", "Setting"),
                text255("acme__Description__c", "Description"),
            ],
        ),
        mdt_type(
            "Other_Config__mdt",
            "Other Config",
            "m03",
            vec![text255("Value__c", "Setting")],
        ),
        sobject_type(
            "s_c__Product__c",
            "Product",
            "a0P",
            true,
            vec![
                field("Id", "Record ID", FType::Id, false, false, 18),
                field("Name", "Product Name", FType::Str, false, true, 80),
                checkbox("s_c__Sync_Media__c", "Sync Media"),
            ],
        ),
        mdt_type(
            "s_c__Setting__mdt",
            "StoreConnect Setting",
            "m01",
            vec![
                FieldDef {
                    manageability: cfg.field_manageability,
                    ..field(
                        "s_c__Setting__c",
                        "Setting",
                        setting_type,
                        true,
                        setting_type != FType::Boolean,
                        setting_len,
                    )
                },
                text255("s_c__Description__c", "Description"),
                field("s_c__Notes__c", "Notes", FType::Textarea, true, true, 255),
                checkbox("s_c__Sync_Media__c", "Sync Media"),
                field(
                    "s_c__Batch_Size__c",
                    "Batch Size",
                    FType::Double,
                    true,
                    true,
                    0,
                ),
                field("s_c__Since__c", "Since", FType::Date, true, true, 0),
            ],
        ),
    ]
}
