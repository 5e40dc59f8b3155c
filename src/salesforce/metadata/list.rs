//! listMetadata: who last changed a CustomMetadata record and when.
//!
//! The listing names every custom metadata record of the org (~565 bytes each: 55 MB for
//! 100,000 records), so it is read as it arrives and only the record asked for is kept.

use std::time::SystemTime;

use super::stream::Children;
use crate::outside::{NAME_CHARS, Outside, clip};
use crate::salesforce::client::Salesforce;
use crate::salesforce::error::SfError;
use crate::salesforce::http::Deadline;
use crate::salesforce::http::body::{Scan, Stop};
use crate::salesforce::xml::{self, Element};
use crate::timestamp;

/// Who last changed a component and when, from its listMetadata `FileProperties`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LastChange {
    /// `lastModifiedByName`, e.g. `Jane Admin` (`None` when the answer had none), clipped to
    /// [`NAME_CHARS`] characters as read.
    pub(crate) by: Option<Outside>,
    /// `lastModifiedDate` as sent, e.g. `2026-12-01T01:02:03.000Z`.
    pub(crate) at: Option<String>,
}

impl LastChange {
    /// `at` as a time, when it reads as one.
    fn time(&self) -> Option<SystemTime> {
        self.at.as_deref().and_then(timestamp::parse)
    }
}

/// Who last changed one CustomMetadata record and when.
///
/// Source: `listMetadata` of type `CustomMetadata`, whose FileProperties carry
/// `lastModifiedByName` and `lastModifiedDate` (Metadata API reference, "listMetadata" and
/// "FileProperties"). It is the only documented source of both: SOQL on a `__mdt` type offers
/// no audit fields, and readMetadata returns the record without them. `ListMetadataQuery.folder`
/// is documented only for folder-based types (Dashboard, Document, EmailTemplate, Report), so
/// it is not used to narrow the listing: one call lists the records of every custom metadata
/// type, and the record is picked by fullName (case-insensitively, as API names are); when it
/// is listed more than once, its newest change counts.
/// `Ok(None)` when the listing does not show the record.
pub(crate) async fn last_change(
    sf: &mut Salesforce,
    deadline: &Deadline,
    full_name: &str,
) -> Result<Option<LastChange>, SfError> {
    let action = format!("listMetadata of CustomMetadata (for `{full_name}`)");
    let body = format!(
        "<met:listMetadata><met:queries><met:type>CustomMetadata</met:type></met:queries><met:asOfVersion>{}</met:asOfVersion></met:listMetadata>",
        xml::escape(sf.api_version())
    );
    let answer = sf
        .soap_scanned(deadline, &action, &body, || Listing::new(full_name))
        .await?;
    answer.body.map_err(super::unexpected(action))
}

/// Picks `full_name`'s FileProperties out of a whole listMetadata response envelope (the
/// streamed reader's choice, for tests over one parsed answer).
#[cfg(test)]
pub(crate) fn parse_list(
    envelope: &Element,
    full_name: &str,
) -> Result<Option<LastChange>, String> {
    let Some(response) = envelope.find("listMetadataResponse") else {
        return Err(no_response());
    };
    let mut newest = Listing::new(full_name).newest;
    for result in response.children_named("result") {
        newest.consider(result);
    }
    Ok(newest.found)
}

fn no_response() -> String {
    "the answer has no listMetadataResponse".into()
}

/// The newest change of one record among the listed FileProperties.
struct Newest {
    full_name: String,
    found: Option<LastChange>,
}

impl Newest {
    /// Keeps `result` if it is the record's and newer than what was kept.
    fn consider(&mut self, result: &Element) {
        let listed = result
            .child_text("fullName")
            .is_some_and(|n| n.trim().eq_ignore_ascii_case(&self.full_name));
        if !listed {
            return;
        }
        let text = |name: &str| {
            result
                .child(name)
                .filter(|c| !c.is_nil())
                .map(|c| c.text.trim())
                .filter(|t| !t.is_empty())
        };
        let change = LastChange {
            by: text("lastModifiedByName").map(|by| Outside::name(clip(by, NAME_CHARS))),
            at: text("lastModifiedDate").map(str::to_string),
        };
        // A time that cannot be read is older than any that can.
        if self
            .found
            .as_ref()
            .is_none_or(|kept| change.time() > kept.time())
        {
            self.found = Some(change);
        }
    }

    /// Considers one `<result>` element given as text.
    fn consider_text(&mut self, text: &str) -> Result<(), String> {
        self.consider(&xml::parse(text)?);
        Ok(())
    }
}

/// A listMetadata answer read as it arrives, keeping only the newest change of one record.
struct Listing {
    results: Children,
    newest: Newest,
}

impl Listing {
    fn new(full_name: &str) -> Self {
        Self {
            results: Children::new("listMetadataResponse", "result"),
            newest: Newest {
                full_name: full_name.to_string(),
                found: None,
            },
        }
    }
}

impl Scan for Listing {
    /// `Err` for a well-formed answer that is not a listing (no listMetadataResponse).
    type Output = Result<Option<LastChange>, String>;

    fn feed(&mut self, chunk: &[u8]) -> Result<(), Stop> {
        let newest = &mut self.newest;
        self.results
            .feed(chunk, &mut |text| newest.consider_text(text))
            .map_err(Stop::Unreadable)
    }

    fn finish(self) -> Result<Self::Output, Stop> {
        let Self {
            results,
            mut newest,
        } = self;
        let saw = results
            .finish(&mut |text| newest.consider_text(text))
            .map_err(Stop::Unreadable)?;
        Ok(if saw {
            Ok(newest.found)
        } else {
            Err(no_response())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(body: &str, chunk: usize) -> Result<Result<Option<LastChange>, String>, Stop> {
        let mut listing = Listing::new("T.R");
        for piece in body.as_bytes().chunks(chunk) {
            listing.feed(piece)?;
        }
        listing.finish()
    }

    #[test]
    fn keeps_the_newest_listing_of_the_record_and_clips_its_name() {
        let result = |name: &str, by: &str, at: &str| {
            format!(
                "<result><fullName>{name}</fullName><lastModifiedByName>{by}</lastModifiedByName><lastModifiedDate>{at}</lastModifiedDate></result>"
            )
        };
        let long = "L".repeat(3_000);
        let body = format!(
            "<Envelope><Body><listMetadataResponse>{}{}{}{}</listMetadataResponse></Body></Envelope>",
            result("T.R", "Old", "2026-01-01T00:00:00.000Z"),
            result("t.r", &long, "2026-03-01T00:00:00.000Z"),
            result("T.Other", "Other", "2027-01-01T00:00:00.000Z"),
            result("T.R", "Unreadable", "yesterday"),
        );
        for chunk in [1, 5, 64, body.len()] {
            let found = scan(&body, chunk).unwrap().unwrap().unwrap();
            assert_eq!(found.at.as_deref(), Some("2026-03-01T00:00:00.000Z"));
            let by = found.by.unwrap();
            assert_eq!(
                by.raw().chars().count(),
                NAME_CHARS + 1,
                "clipped where read"
            );
        }
        let none = "<Envelope><Body><listMetadataResponse/></Body></Envelope>";
        assert_eq!(scan(none, 7), Ok(Ok(None)));
        assert!(scan("<Envelope><Body/></Envelope>", 7).unwrap().is_err());
        assert!(matches!(
            scan("<Envelope><Body><listMetadataResponse><result>", 7),
            Err(Stop::Unreadable(_))
        ));
    }
}
