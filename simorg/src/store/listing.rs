//! listMetadata of CustomMetadata: the FileProperties of every stored record, plus the extra
//! entries of [`Listing`] (generated on each call, never stored).

use std::time::{Duration, SystemTime};

use super::{StoredRecord, iso8601};
use crate::config::Listing;
use crate::ids::{USER_ID, USER_NAME};
use crate::xml::escape;

/// One `<result>` of listMetadata, its text already escaped.
struct FileProperties<'a> {
    full_name: &'a str,
    id: &'a str,
    by: &'a str,
    at: &'a str,
    namespace: Option<&'a str>,
}

impl FileProperties<'_> {
    fn write(&self, out: &mut String) {
        let created = iso8601(SystemTime::UNIX_EPOCH + Duration::from_secs(1_705_312_800));
        let (state, ns) = match self.namespace {
            Some(ns) => (
                "installed",
                format!("<namespacePrefix>{ns}</namespacePrefix>"),
            ),
            None => ("unmanaged", String::new()),
        };
        out.push_str(&format!(
            concat!(
                "<result><createdById>{user}</createdById><createdByName>{uname}</createdByName>",
                "<createdDate>{created}</createdDate><fileName>customMetadata/{fname}.md</fileName>",
                "<fullName>{fname}</fullName><id>{id}</id><lastModifiedById>{user}</lastModifiedById>",
                "<lastModifiedByName>{mname}</lastModifiedByName><lastModifiedDate>{modified}</lastModifiedDate>",
                "<manageableState>{state}</manageableState>{ns}<type>CustomMetadata</type></result>"
            ),
            user = USER_ID,
            uname = USER_NAME,
            created = created,
            fname = self.full_name,
            id = self.id,
            modified = self.at,
            mname = self.by,
            state = state,
            ns = ns,
        ));
    }
}

/// The `<result>` elements of listMetadata of CustomMetadata: `listing.filler` generated
/// records, the stored records, then `listing.entries`.
pub(crate) fn list_custom_metadata(records: &[StoredRecord], listing: &Listing) -> String {
    let mut out = String::with_capacity((listing.filler + records.len()) * 580);
    let at = iso8601(SystemTime::UNIX_EPOCH + Duration::from_secs(1_767_225_600));
    for n in 0..listing.filler {
        let full_name = format!("acme__Filler.acme__Filler_Record_{n:06}");
        let id = format!("m09SIM{n:09}AAA");
        FileProperties {
            full_name: &full_name,
            id: &id,
            by: USER_NAME,
            at: &at,
            namespace: Some("acme"),
        }
        .write(&mut out);
    }
    for r in records {
        let ns = r.namespace.as_deref().map(escape);
        FileProperties {
            full_name: &escape(&r.full_name()),
            id: &r.id,
            by: &escape(&r.last_modified_by),
            at: &iso8601(r.last_modified),
            namespace: ns.as_deref(),
        }
        .write(&mut out);
    }
    for entry in &listing.entries {
        FileProperties {
            full_name: &escape(&entry.full_name),
            id: "m01SIM000000009AAA",
            by: &escape(&entry.by),
            at: &escape(&entry.at),
            namespace: None,
        }
        .write(&mut out);
    }
    out
}
