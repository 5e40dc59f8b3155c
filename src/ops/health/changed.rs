//! Who last changed the setting record and when (listMetadata), and how long ago that was by
//! this machine's clock, when the two clocks agree.

use std::time::{Duration, SystemTime};

use crate::ops::Op;
use crate::outside::Outside;
use crate::salesforce::{Deadline, metadata};
use crate::setting::Located;
use crate::timestamp;

/// Who last changed the setting record and when, as far as the org said.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Changed {
    /// `lastModifiedByName`.
    pub(crate) by: Option<Outside>,
    /// `lastModifiedDate`, parsed.
    pub(crate) at: Option<SystemTime>,
}

impl Changed {
    /// `at` as ISO 8601 UTC, e.g. `2026-12-01T01:02:03Z`.
    pub(crate) fn at_text(&self) -> Option<String> {
        self.at.map(timestamp::format)
    }

    /// Whole minutes from `at` until now: 0 for a time up to [`CLOCK_TOLERANCE`] ahead of
    /// this machine's clock, `None` for one further ahead (see [`Changed::ahead_minutes`]).
    pub(crate) fn minutes_ago(&self) -> Option<u64> {
        let at = self.at?;
        let now = SystemTime::now();
        (at <= now + CLOCK_TOLERANCE).then(|| timestamp::minutes_between(at, now))
    }

    /// Whole minutes by which `at` is ahead of this machine's clock, when more than
    /// [`CLOCK_TOLERANCE`]: the clocks disagree, so how long ago it was is unknown.
    pub(crate) fn ahead_minutes(&self) -> Option<u64> {
        let ahead = self.at?.duration_since(SystemTime::now()).ok()?;
        (ahead > CLOCK_TOLERANCE).then_some(ahead.as_secs() / 60)
    }

    /// "2026-12-01T01:02:03Z (42 minutes ago)"; "an unknown time" for what cannot be told.
    pub(super) fn when(&self) -> String {
        match (self.at_text(), self.minutes_ago(), self.ahead_minutes()) {
            (Some(at), Some(m), _) => format!("{at} ({m} minutes ago)"),
            (Some(at), None, Some(n)) => format!("an unknown time ({at}: {})", ahead_words(n)),
            _ => "an unknown time".into(),
        }
    }

    /// "last changed by Jane Admin at 2026-12-01T01:02:03Z (42 minutes ago)", with "unknown"
    /// for what the org did not say.
    pub(crate) fn describe(&self) -> String {
        format!(
            "last changed by {} at {}",
            self.by
                .as_ref()
                .map_or("an unknown user".into(), Outside::shown),
            self.when()
        )
    }
}

/// How far ahead of this machine's clock a `lastModifiedDate` may be and still count as now
/// (clocks a little apart); further ahead, the time is unknown.
pub(crate) const CLOCK_TOLERANCE: Duration = Duration::from_secs(5 * 60);

/// "the org's time is ahead of this machine's by N minutes".
fn ahead_words(minutes: u64) -> String {
    format!("the org's time is ahead of this machine's by {minutes} minutes")
}

/// Looks up who last changed the record and when: one listMetadata call (see
/// [`metadata::last_change`] for why that source). Never fails the caller: a failed lookup is a
/// warning and an empty answer, since the state itself is already known.
pub(crate) async fn last_changed(op: &mut Op<'_>, located: &Located) -> Changed {
    let deadline = Deadline::after(op.config.timeout);
    match metadata::last_change(&mut op.sf, &deadline, &located.full_name()).await {
        Ok(Some(change)) => {
            let at = change.at.as_deref().and_then(timestamp::parse);
            if let (Some(raw), None) = (&change.at, at) {
                op.console.warning(
                    "Unreadable lastModifiedDate",
                    &format!("listMetadata gave lastModifiedDate `{}`, which is not an ISO 8601 UTC time; treating the time as unknown", Outside::name(raw.as_str())),
                );
            }
            let changed = Changed { by: change.by, at };
            if let (Some(n), Some(at)) = (changed.ahead_minutes(), changed.at_text()) {
                op.console.warning(
                    "Clocks disagree",
                    &format!("listMetadata says the setting was last changed at {at}, later than now on this machine: {}, so how long the triggers have been off is unknown. Check this machine's clock (NTP).", ahead_words(n)),
                );
            }
            changed
        }
        Ok(None) => {
            op.console.warning(
                "Who and when unknown",
                &format!(
                    "listMetadata did not list {}; who changed it and when is unknown",
                    located.full_name()
                ),
            );
            Changed::default()
        }
        Err(e) => {
            op.console.warning(
                "Who and when unknown",
                &format!(
                    "{e}; who changed the setting and when is unknown ({})",
                    e.hint
                ),
            );
            Changed::default()
        }
    }
}
