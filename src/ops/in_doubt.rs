//! A write in doubt: attempts of one write that got no answer, so Salesforce may still apply
//! them. One value that is recorded as the attempts happen ([`Writes`]), travels in the step
//! state as text ([`InDoubt::to_text`], [`InDoubt::from_state`]), knows until when the attempts
//! may land ([`InDoubt::until`]) and decides whether what the org shows ends the doubt
//! ([`InDoubt::shown_by`]).

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use crate::github::Console;
use crate::salesforce::Salesforce;
use crate::salesforce::client::WriteStage;
use crate::setting::State;
use crate::timestamp::{self, from_unix_ms, unix_ms};

/// How long after it was sent Salesforce may still apply a request whose answer never came:
/// its documented limit for one API call (REST and SOAP calls time out after 10 minutes).
pub(crate) const SERVER_CALL_LIMIT: Duration = Duration::from_secs(600);

/// [`SERVER_CALL_LIMIT`]; debug builds (the test suite) may shorten it with
/// `STORECONNECT_TEST_CALL_LIMIT_MS`, so tests need not wait 10 minutes. Release builds ignore it.
pub(crate) fn server_call_limit() -> Duration {
    #[cfg(debug_assertions)]
    {
        if let Some(ms) = std::env::var("STORECONNECT_TEST_CALL_LIMIT_MS")
            .ok()
            .and_then(|v| v.parse::<u64>().ok())
        {
            return Duration::from_millis(ms);
        }
    }
    SERVER_CALL_LIMIT
}

/// One attempt whose outcome is unknown: it left no earlier than `after` and no later than
/// `before` (while it is in flight, `before` is the end of its deadline).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Attempt {
    after: SystemTime,
    before: SystemTime,
}

/// The attempts of one write of `wrote` that are still unobserved: sent, never answered, and
/// never seen applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct InDoubt {
    wrote: bool,
    /// Oldest first.
    attempts: Vec<Attempt>,
    /// An attempt of the same write was sent (and answered) after the last of `attempts`: what
    /// the org shows may be its effect, so it proves nothing about them.
    followed: bool,
}

/// The word that marks, in the text, that an answered attempt followed the unobserved ones.
const FOLLOWED: &str = "then-answered";

impl InDoubt {
    /// No write of `wrote` in doubt.
    pub(crate) fn none(wrote: bool) -> Self {
        InDoubt {
            wrote,
            attempts: Vec::new(),
            followed: false,
        }
    }

    /// Whether no attempt is in doubt.
    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.attempts.is_empty()
    }

    /// The value the write sets.
    pub(crate) fn wrote(&self) -> bool {
        self.wrote
    }

    /// How many attempts are still unobserved.
    pub(crate) fn unobserved(&self) -> usize {
        self.attempts.len()
    }

    /// Takes in one stage of an attempt, at `now`.
    pub(crate) fn record(&mut self, stage: WriteStage, now: SystemTime) {
        match stage {
            WriteStage::Sending { latest_send } => {
                self.attempts.push(Attempt {
                    after: now,
                    before: latest_send.max(now),
                });
                self.followed = false;
            }
            WriteStage::Answered => {
                self.attempts.pop();
                self.followed = !self.attempts.is_empty();
            }
            WriteStage::Lost => {
                if let Some(last) = self.attempts.last_mut() {
                    last.before = last.before.min(now).max(last.after);
                }
            }
            // One attempt landed: with several unobserved, which one is unknown, so all stay.
            WriteStage::Landed => {
                if self.attempts.len() == 1 {
                    self.attempts.clear();
                    self.followed = false;
                }
            }
        }
    }

    /// When the first unobserved attempt was sent (at the earliest).
    pub(crate) fn sent(&self) -> Option<SystemTime> {
        self.attempts.first().map(|a| a.after)
    }

    /// Until when Salesforce may still apply one of the attempts: the latest possible send plus
    /// the server's call limit. The one place that horizon is computed.
    pub(crate) fn until(&self) -> Option<SystemTime> {
        self.attempts
            .iter()
            .map(|a| a.before)
            .max()
            .map(|sent| sent + server_call_limit())
    }

    /// Whether nothing is in doubt any more at `now`: no attempt, or all past [`InDoubt::until`].
    pub(crate) fn is_over(&self, now: SystemTime) -> bool {
        self.until().is_none_or(|until| now >= until)
    }

    /// Whether observation can settle the doubt: one unobserved attempt, and nothing of ours
    /// written after it that could explain what the org shows.
    pub(crate) fn can_be_shown(&self) -> bool {
        self.attempts.len() == 1 && !self.followed
    }

    /// Whether the record, read before anything else of ours was written, shows that the one
    /// unobserved attempt landed: it holds the written value, and its `lastModifiedDate` is not
    /// before the attempt left (to the second, the precision Salesforce keeps it at).
    pub(crate) fn shown_by(&self, value: &State, last_modified: Option<SystemTime>) -> bool {
        let Some(attempt) = self.attempts.first().filter(|_| self.can_be_shown()) else {
            return false;
        };
        *value == State::Valid(self.wrote)
            && last_modified.is_some_and(|at| at >= timestamp::whole_second(attempt.after))
    }

    /// The step-state text: empty when nothing is in doubt, else the value written, each
    /// unobserved attempt as `after-before` in Unix milliseconds, and [`FOLLOWED`] when an
    /// answered attempt came after them. E.g. `false 1796086923456-1796086925001`.
    pub(crate) fn to_text(&self) -> String {
        if self.attempts.is_empty() {
            return String::new();
        }
        let mut words = vec![self.wrote.to_string()];
        words.extend(
            self.attempts
                .iter()
                .map(|a| format!("{}-{}", unix_ms(a.after), unix_ms(a.before))),
        );
        if self.followed {
            words.push(FOLLOWED.into());
        }
        words.join(" ")
    }

    /// Reads [`InDoubt::to_text`]'s text saved by main: nothing (or an empty text) is no doubt;
    /// a text that cannot be read is the worst case, a write of `false` sent just now (`now`)
    /// that no observation can settle.
    pub(crate) fn from_state(text: Option<&str>, now: SystemTime) -> Self {
        let text = text.map(str::trim).unwrap_or_default();
        if text.is_empty() {
            return InDoubt::none(false);
        }
        Self::parse(text).unwrap_or(InDoubt {
            wrote: false,
            attempts: vec![Attempt {
                after: now,
                before: now,
            }],
            followed: true,
        })
    }

    fn parse(text: &str) -> Option<Self> {
        let mut words = text.split(' ');
        let wrote = words.next()?.parse::<bool>().ok()?;
        let mut doubt = InDoubt::none(wrote);
        for word in words {
            if word == FOLLOWED {
                doubt.followed = true;
                continue;
            }
            let (after, before) = word.split_once('-')?;
            let (after, before) = (after.parse().ok()?, before.parse().ok()?);
            if doubt.followed || after > before {
                return None;
            }
            doubt.attempts.push(Attempt {
                after: from_unix_ms(after),
                before: from_unix_ms(before),
            });
        }
        (!doubt.attempts.is_empty()).then_some(doubt)
    }

    /// "a write of false sent at 2026-12-01T01:02:03Z" (the first unobserved attempt).
    pub(crate) fn describe(&self) -> String {
        let sent = self.sent().map_or("?".into(), timestamp::format);
        match self.attempts.len() {
            0 | 1 => format!("a write of {} sent at {sent}", self.wrote),
            n => format!("{n} attempts of a write of {} from {sent} on", self.wrote),
        }
    }
}

/// The call limit in words: "10 minutes", or seconds when shortened for tests.
pub(crate) fn limit_words() -> String {
    let limit = server_call_limit();
    if limit.as_secs() >= 60 && limit.as_millis().is_multiple_of(60_000) {
        format!("{} minutes", limit.as_secs() / 60)
    } else {
        format!("{:.1} s", limit.as_secs_f64())
    }
}

/// What one connection's writes of one value leave in doubt, kept up to date as its attempts
/// happen (see [`Writes::track`]).
#[derive(Debug, Clone)]
pub(crate) struct Writes(Arc<Mutex<InDoubt>>);

/// Told the new [`InDoubt`] after each stage; an error (e.g. the step state could not be saved)
/// before an attempt stops it from being sent.
pub(crate) type Persist = Box<dyn FnMut(&InDoubt) -> Result<(), String> + Send>;

impl Writes {
    /// Records the writes of `wrote` that `sf` sends from now on; `persist` (the action's step
    /// state), if any, is told each time what is in doubt.
    pub(crate) fn track(sf: &mut Salesforce, wrote: bool, mut persist: Option<Persist>) -> Self {
        let writes = Writes(Arc::new(Mutex::new(InDoubt::none(wrote))));
        let shared = writes.clone();
        sf.set_write_journal(Box::new(move |stage| {
            let doubt = {
                let mut doubt = shared.0.lock().unwrap_or_else(|e| e.into_inner());
                doubt.record(stage, SystemTime::now());
                doubt.clone()
            };
            persist.as_mut().map_or(Ok(()), |persist| persist(&doubt))
        }));
        writes
    }

    /// What is in doubt now.
    pub(crate) fn now(&self) -> InDoubt {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// Warns when a write got no answer and may still be applied; `follow_up` says who will deal
/// with it (otherwise the user is told when to check).
pub(crate) fn warn(doubt: &InDoubt, console: Console, follow_up: Option<&str>) {
    let Some(until) = doubt.until().map(timestamp::format) else {
        return;
    };
    let next = follow_up.map_or_else(
        || format!("Check the triggers after {until} (`storeconnect-triggers status`, or the action's mode: check) and set them again if needed."),
        str::to_string,
    );
    console.warning(
        "Write in doubt",
        &format!(
            "{} to the StoreConnect setting got no answer and was not seen applied, so Salesforce may still apply it, until {until} ({} after it was sent). {next}",
            capitalized(&doubt.describe()),
            limit_words()
        ),
    );
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

#[cfg(test)]
mod tests;
