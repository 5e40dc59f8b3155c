//! Writes whose answer never came: how long Salesforce may still apply them, and restoring
//! `true` while one may still land.

use std::time::{Duration, SystemTime};

use super::{Report, change, overwrite, pinned};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::github::Console;
use crate::salesforce::Salesforce;
use crate::setting::State;
use crate::timestamp;

/// How long after it was sent Salesforce may still apply a request whose answer never came:
/// its documented limit for one API call (REST and SOAP calls time out after 10 minutes).
pub const SERVER_CALL_LIMIT: Duration = Duration::from_secs(600);

/// [`SERVER_CALL_LIMIT`]; debug builds (the test suite) may shorten it with
/// `STORECONNECT_TEST_CALL_LIMIT_MS`, so tests need not wait 10 minutes. Release builds ignore it.
pub fn server_call_limit() -> Duration {
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

/// Until when a write of `sf`'s that got no answer may still be applied, if one did.
pub fn in_doubt_until(sf: &Salesforce) -> Option<SystemTime> {
    sf.write_in_doubt_since()
        .map(|since| since + server_call_limit())
}

/// Restores `true` and verifies it: [`restore_in_doubt`] while an earlier write (`what`) may
/// still be applied (until `in_doubt_until`, if that is still ahead), otherwise one [`change`].
pub async fn restore(
    sf: &mut Salesforce,
    config: &Config,
    console: Console,
    report: &mut Report,
    in_doubt_until: Option<SystemTime>,
    what: &str,
) -> Result<State> {
    match in_doubt_until.filter(|until| *until > SystemTime::now()) {
        Some(until) => restore_in_doubt(sf, config, console, report, until, what).await,
        None => change(sf, config, true, report, |_| Ok(())).await,
    }
}

/// Restores `true` while an earlier write (`what`, e.g. "main's write") may still be applied by
/// Salesforce until `until`: a read proves nothing then. Writes `true` regardless, then reads back
/// again once that write can no longer land, rewriting if it did; or, if that is further away than
/// `timeout`, fails (exit 1) with the time to check again.
async fn restore_in_doubt(
    sf: &mut Salesforce,
    config: &Config,
    console: Console,
    report: &mut Report,
    until: SystemTime,
    what: &str,
) -> Result<State> {
    console.warning(
        "Write in doubt",
        &format!(
            "{what} got no answer; Salesforce may still apply it until {}. Writing true regardless and reading back again after that time.",
            timestamp::format(until)
        ),
    );
    overwrite(sf, config, true, report).await?;
    // A little past the limit, for the clock's resolution.
    let wait =
        until.duration_since(SystemTime::now()).unwrap_or_default() + Duration::from_millis(250);
    if wait > config.timeout {
        report.action = format!(
            "set true; verified by read-back; NOT re-verified: {what} may still land until {}",
            timestamp::format(until)
        );
        return Err(Error::WrongState {
            message: format!(
                "the triggers are true now (written and read back), but {what} got no answer and Salesforce may still apply it until {}: waiting {:.0}s for that is beyond the {}s timeout",
                timestamp::format(until),
                wait.as_secs_f64(),
                config.timeout.as_secs()
            ),
            hint: format!(
                "after {}, check the triggers (the action's mode: check, or `storeconnect-triggers status`) and enable them if they are off; to have this wait instead, raise timeout above {}s",
                timestamp::format(until),
                SERVER_CALL_LIMIT.as_secs()
            ),
        });
    }
    console.info(&format!(
        "Waiting {:.1}s until {what} can no longer land, then reading back again",
        wait.as_secs_f64()
    ));
    tokio::time::sleep(wait).await;
    let again_config = pinned(config, report.located.as_ref());
    let wrote_before = report.changed;
    let after = change(sf, &again_config, true, report, |_| Ok(())).await?;
    report.action = if report.changed {
        format!("set true; {what} landed afterwards, so set true again; verified by read-back")
    } else {
        format!("set true; verified by read-back, again after {what} could no longer land")
    };
    report.changed |= wrote_before;
    Ok(after)
}

/// Warns when a write got no answer and may still be applied; `follow_up` says who will deal
/// with it (otherwise the user is told when to check).
pub fn warn_in_doubt(sf: &Salesforce, console: Console, follow_up: Option<&str>) {
    let Some(until) = in_doubt_until(sf) else {
        return;
    };
    let until = timestamp::format(until);
    let next = follow_up.map_or_else(
        || format!("Check the triggers after {until} (`storeconnect-triggers status`, or the action's mode: check) and set them again if needed."),
        str::to_string,
    );
    console.warning(
        "Write in doubt",
        &format!(
            "A write of the StoreConnect setting got no answer, so Salesforce may still apply it, until {until}. {next}"
        ),
    );
}
