//! listMetadata: who last changed a CustomMetadata record and when.

use crate::outside::Outside;
use crate::salesforce::client::Salesforce;
use crate::salesforce::error::SfError;
use crate::salesforce::http::Deadline;
use crate::salesforce::xml::{self, Element};

/// Who last changed a component and when, from its listMetadata `FileProperties`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastChange {
    /// `lastModifiedByName`, e.g. `Jane Admin` (`None` when the answer had none).
    pub by: Option<Outside>,
    /// `lastModifiedDate` as sent, e.g. `2026-12-01T01:02:03.000Z`.
    pub at: Option<String>,
}

/// Who last changed one CustomMetadata record and when.
///
/// Source: `listMetadata` of type `CustomMetadata`, whose FileProperties carry
/// `lastModifiedByName` and `lastModifiedDate` (Metadata API reference, "listMetadata" and
/// "FileProperties"). It is the only documented source of both: SOQL on a `__mdt` type offers
/// no audit fields, and readMetadata returns the record without them. `ListMetadataQuery.folder`
/// is documented only for folder-based types (Dashboard, Document, EmailTemplate, Report), so
/// it is not used to narrow the listing: one call lists the records of every custom metadata
/// type, and the record is picked by fullName (case-insensitively, as API names are).
/// `Ok(None)` when the listing does not show the record.
pub async fn last_change(
    sf: &mut Salesforce,
    deadline: &Deadline,
    full_name: &str,
) -> Result<Option<LastChange>, SfError> {
    let action = format!("listMetadata of CustomMetadata (for `{full_name}`)");
    let body = format!(
        "<met:listMetadata><met:queries><met:type>CustomMetadata</met:type></met:queries><met:asOfVersion>{}</met:asOfVersion></met:listMetadata>",
        xml::escape(sf.api_version())
    );
    let envelope = sf.soap(deadline, &action, &body).await?;
    parse_list(&envelope, full_name).map_err(super::unexpected(action))
}

/// Picks `full_name`'s FileProperties out of a listMetadata response envelope.
pub fn parse_list(envelope: &Element, full_name: &str) -> Result<Option<LastChange>, String> {
    let Some(response) = envelope.find("listMetadataResponse") else {
        return Err("the answer has no listMetadataResponse".into());
    };
    let text = |el: &Element, name: &str| {
        el.child(name)
            .filter(|c| !c.is_nil())
            .map(|c| c.text.trim().to_string())
            .filter(|t| !t.is_empty())
    };
    Ok(response
        .children_named("result")
        .find(|r| {
            r.child_text("fullName")
                .is_some_and(|n| n.trim().eq_ignore_ascii_case(full_name))
        })
        .map(|r| LastChange {
            by: text(r, "lastModifiedByName").map(Outside::name),
            at: text(r, "lastModifiedDate"),
        }))
}
