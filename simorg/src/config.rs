//! How a simulated org behaves: [`OrgConfig`] and the kinds it is built from.

use std::time::Duration;

/// Type of the `Setting` field of `s_c__Setting__mdt`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKind {
    /// Checkbox (describe type `boolean`, values `true`/`false`).
    Checkbox,
    /// Text (describe type `string`, values `"true"`/`"false"`).
    Text,
}

/// Who created the Triggers Enabled record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordKind {
    /// Shipped in the `s_c` package: QualifiedApiName `s_c__Triggers_Enabled`.
    Packaged,
    /// Created by the subscriber: QualifiedApiName `Triggers_Enabled`, no namespace.
    Subscriber,
}

/// How the simulated org behaves.
#[derive(Clone, Debug)]
pub struct OrgConfig {
    /// Type of the Setting field.
    pub field_kind: FieldKind,
    /// Who created the Triggers Enabled record.
    pub record_kind: RecordKind,
    /// Initial Setting value of the Triggers Enabled record.
    pub enabled: bool,
    /// Lifetime of access tokens; `None` = tokens never expire.
    pub token_lifetime: Option<Duration>,
    /// After an update, SOQL keeps returning the old record values this long.
    pub readback_lag: Duration,
    /// The refresh flow returns a new `refresh_token` and invalidates the old one.
    pub rotate_refresh_tokens: bool,
    /// SOQL answers at most this many records per page (`done:false` + `nextRecordsUrl`);
    /// `None` = everything in one page.
    pub page_size: Option<usize>,
    /// How readMetadata answers a fullName it cannot show (unknown, or protected in another
    /// namespace). Default: one `<records xsi:nil="true"/>`, as Salesforce does.
    pub not_found: NotFoundShape,
    /// Manageability of the Setting field (the package decides it). Default: subscriber-controlled.
    pub field_manageability: Manageability,
    /// The Triggers Enabled record is protected. A protected packaged record is invisible to the
    /// subscriber (readMetadata answers not found, SOQL does not list it).
    pub protected_record: bool,
    /// Oldest API version served (major); older ones answer REST 410 / SOAP UNSUPPORTED_API_VERSION.
    pub min_api_version: u32,
    /// Fields that every successful updateMetadata sets to nil whatever was sent (simulates an org
    /// clearing data behind the client's back).
    pub update_clears: Vec<String>,
    /// The org's API host as its clients reach it, when that is not the server itself (e.g.
    /// `https://localhost:PORT` of a TLS terminator in front of it): the `instance_url` the token
    /// endpoint answers and the `Host` that API calls must name. `None` = `http://localhost:PORT`.
    pub public_instance_url: Option<String>,
    /// What listMetadata of CustomMetadata shows besides the stored records.
    pub listing: Listing,
}

/// Extra FileProperties in listMetadata of CustomMetadata, generated on each call and never
/// stored (so a big org costs nothing until it is listed).
#[derive(Clone, Debug, Default)]
pub struct Listing {
    /// This many records of another type (`Filler__mdt`, ~565 bytes of FileProperties each),
    /// listed before the stored ones: 100,000 make a 55 MB answer.
    pub filler: usize,
    /// Entries listed after the stored ones, exactly as given (e.g. the same record twice).
    pub entries: Vec<Listed>,
}

/// One extra listMetadata entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listed {
    /// `fullName`, e.g. `s_c__Setting.s_c__Triggers_Enabled`.
    pub full_name: String,
    /// `lastModifiedByName`.
    pub by: String,
    /// `lastModifiedDate`, as sent (e.g. `2099-01-01T00:00:00.000Z`).
    pub at: String,
}

/// How readMetadata answers a name it cannot show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotFoundShape {
    /// `<records xsi:nil="true"/>` per requested name (what Salesforce answers).
    Nil,
    /// An empty `<result/>`: no `records` at all.
    NoRecords,
    /// A `records` element without a `fullName`.
    NoFullName,
    /// A whole record whose `fullName` is not the one asked for.
    OtherFullName,
}

/// Field manageability of a packaged custom metadata field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Manageability {
    /// The subscriber may change values (Customize Application).
    SubscriberControlled,
    /// Only the package developer may change values (through an upgrade).
    DeveloperControlled,
    /// Nobody may change values after release.
    Locked,
}

impl Manageability {
    /// The `fieldManageability` value the Metadata API shows.
    pub fn as_str(self) -> &'static str {
        match self {
            Manageability::SubscriberControlled => "SubscriberControlled",
            Manageability::DeveloperControlled => "DeveloperControlled",
            Manageability::Locked => "Locked",
        }
    }
}

impl Default for OrgConfig {
    fn default() -> Self {
        OrgConfig {
            field_kind: FieldKind::Checkbox,
            record_kind: RecordKind::Packaged,
            enabled: true,
            token_lifetime: None,
            readback_lag: Duration::ZERO,
            rotate_refresh_tokens: false,
            page_size: None,
            not_found: NotFoundShape::Nil,
            field_manageability: Manageability::SubscriberControlled,
            protected_record: false,
            min_api_version: 31,
            update_clears: Vec::new(),
            public_instance_url: None,
            listing: Listing::default(),
        }
    }
}
