//! Restoring `true` after a write of `false` that may be in doubt: settled first by what the
//! org shows, otherwise written regardless and watched until it can no longer land.

use std::time::{Duration, SystemTime};

use super::Op;
use super::in_doubt::{InDoubt, SERVER_CALL_LIMIT, limit_words};
use crate::backoff::Backoff;
use crate::error::{Error, Result};
use crate::salesforce::Deadline;
use crate::salesforce::metadata;
use crate::setting::{self, FINAL_READ_GRACE, NextRead, State};
use crate::timestamp;

impl Op<'_> {
    /// Restores `true` and verifies it. While `doubt` holds attempts of an earlier write
    /// (`what`, e.g. "main's write") that may still land: if the org shows it landed, restores
    /// as usual; otherwise [`restore_in_doubt`]. With nothing in doubt, one [`Op::change`].
    pub(crate) async fn restore(&mut self, doubt: &InDoubt, what: &str) -> Result<State> {
        if doubt.is_over(SystemTime::now()) {
            return Ok(self.change(true, |_| Ok(())).await?.after);
        }
        let look = first_look(self, doubt).await?;
        if let Some(at) = look.landed_at {
            self.console.info(&format!(
                "{what} ({}) got no answer, but it landed: the record reads {} and was last changed at {at}, after it was sent, and nothing of ours was sent after it. It is no longer in doubt.",
                doubt.describe(),
                doubt.wrote()
            ));
            self.pin();
            return Ok(self.change(true, |_| Ok(())).await?.after);
        }
        let other = look.state != State::Valid(doubt.wrote());
        restore_in_doubt(self, doubt, what, other).await
    }
}

/// The record as post first finds it, before writing anything.
struct Look {
    /// Its value (readMetadata).
    state: State,
    /// Its `lastModifiedDate` as Salesforce wrote it, when that shows that `doubt`'s one attempt
    /// landed ([`InDoubt::shown_by`]).
    landed_at: Option<String>,
}

/// Reads the record before anything is written, and when it holds the value of `doubt`'s one
/// attempt, when it was last changed.
async fn first_look(op: &mut Op<'_>, doubt: &InDoubt) -> Result<Look> {
    let deadline = op.start().await?;
    let prepared = setting::prepare(&mut op.sf, &deadline, &op.config.pins).await?;
    op.resolved(&prepared.located);
    let mut landed_at = None;
    if doubt.can_be_shown() && prepared.state == State::Valid(doubt.wrote()) {
        // Who and when: listMetadata. Not knowing (a failed call) only keeps the doubt.
        let full_name = prepared.located.full_name();
        let changed = metadata::last_change(&mut op.sf, &deadline, &full_name).await;
        landed_at = changed
            .ok()
            .flatten()
            .and_then(|c| c.at)
            .filter(|at| doubt.shown_by(&prepared.state, timestamp::parse(at)));
    }
    Ok(Look {
        state: prepared.state,
        landed_at,
    })
}

/// Restores `true` while `doubt`'s attempts may still be applied: a read before proves nothing
/// then. Writes `true` regardless, then watches the record (readMetadata, which shows a write at
/// once) until the attempts can no longer land or the timeout ends. Once the record was read
/// holding the other value (`other`: the first look, then our `true`), the written value showing
/// is one of the attempts landing (a request is applied at most once): `true` is written again,
/// and when every attempt has been seen so, nothing is in doubt any more. Otherwise, past the
/// timeout, fails (exit 1) saying when to check.
async fn restore_in_doubt(
    op: &mut Op<'_>,
    doubt: &InDoubt,
    what: &str,
    other: bool,
) -> Result<State> {
    let until = doubt.until().unwrap_or_else(SystemTime::now);
    // A little past the limit, for the clock's resolution.
    let settled = until + Duration::from_millis(250);
    op.console.warning(
        "Write in doubt",
        &format!(
            "{what} ({}) got no answer and has not shown in the org; Salesforce may still apply it until {}. Writing true regardless, then watching the record until that time (at most the {}s timeout).",
            doubt.describe(),
            timestamp::format(until),
            op.config.timeout.as_secs()
        ),
    );
    op.overwrite(true).await?;
    let mut on_at = SystemTime::now();
    let mut unseen = doubt.unobserved();
    if other && op.report.before == Some(State::Valid(doubt.wrote())) {
        // It landed between the first look and our write, which came after it.
        unseen -= 1;
        op.console.info(&format!(
            "{what} landed before this step's write (the record read {} just before it)",
            doubt.wrote()
        ));
        if unseen == 0 {
            op.report.action = format!("{what} landed, then set true; verified by read-back");
            return Ok(State::Valid(true));
        }
    }
    op.pin();
    let full_name = op
        .report
        .located
        .as_ref()
        .map(setting::Located::full_name)
        .unwrap_or_default();
    let deadline = Deadline::after(op.config.timeout);
    let mut reads = 0;
    let mut last = false;
    loop {
        let left = settled
            .duration_since(SystemTime::now())
            .unwrap_or_default();
        if left.is_zero() {
            // Until read back again, the value is unknown.
            op.report.after = None;
            let applied = op.change(true, |_| Ok(())).await?;
            op.report.action = if applied.changed {
                landed_afterwards(what)
            } else {
                format!("set true; verified by read-back, again after {what} could no longer land")
            };
            return Ok(applied.after);
        }
        if last {
            return Err(still_in_doubt(op, doubt, what, on_at));
        }
        reads += 1;
        // As the read-back: the last read at the timeout's end, with time to answer.
        let pause = Backoff::READ_BACK.delay(reads).min(left);
        let pause = match setting::next_read(pause, deadline.remaining()) {
            NextRead::After(pause) => pause,
            NextRead::Last(pause) => {
                last = true;
                pause
            }
        };
        tokio::time::sleep(pause).await;
        let reading = if last {
            Deadline::after(FINAL_READ_GRACE)
        } else {
            deadline
        };
        let Ok(Some(record)) = metadata::read(&mut op.sf, &reading, &full_name).await else {
            // Unknown for now; the next read, or the timeout, decides.
            continue;
        };
        let field = op.report.located.as_ref().map_or("", |l| l.field.as_str());
        let shows = State::from_metadata(record.value(field));
        if shows != State::Valid(doubt.wrote()) {
            on_at = SystemTime::now();
            continue;
        }
        unseen = unseen.saturating_sub(1);
        op.report.after = Some(shows);
        op.console.info(&format!(
            "{what} landed after this step's write (the record reads {}): setting true again",
            doubt.wrote()
        ));
        op.change(true, |_| Ok(())).await?;
        on_at = SystemTime::now();
        if unseen == 0 {
            op.report.action = landed_afterwards(what);
            return Ok(State::Valid(true));
        }
    }
}

/// What was done when `what` landed after this step's write, so `true` was written again.
fn landed_afterwards(what: &str) -> String {
    format!("set true; {what} landed afterwards, so set true again; verified by read-back")
}

/// The failure when the timeout ends before `doubt`'s attempts could no longer land: the
/// triggers are on now, the write could turn them off until a known time, and how to check.
fn still_in_doubt(op: &mut Op<'_>, doubt: &InDoubt, what: &str, on_at: SystemTime) -> Error {
    let until = doubt.until().map_or_else(|| "?".into(), timestamp::format);
    op.report.action = format!(
        "set true; verified by read-back; NOT re-verified: {what} may still land until {until}"
    );
    Error::WrongState {
        message: format!(
            "the StoreConnect triggers are ON now (set true and read back, last at {}), but {what} ({}) got no answer and has not shown in the org. Salesforce applies a request at most {} after it is sent, so it could still turn them OFF until {until}; the {}s timeout ended before then",
            timestamp::format(on_at),
            doubt.describe(),
            limit_words(),
            op.config.timeout.as_secs()
        ),
        hint: format!(
            "after {until} (UTC), check the triggers: `storeconnect-triggers status`, or the action with `mode: check`; if they are off, turn them on with `storeconnect-triggers enable` (or `mode: enable`). To have this wait instead, raise timeout above {}s",
            SERVER_CALL_LIMIT.as_secs()
        ),
    }
}
