//! The phases' work: guard/enable/disable in main, guard's restore in post, and the warnings
//! about other jobs touching the setting.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::{MAIN_LEFT, Mode, PREVIOUS_STATE, WRITE_IN_DOUBT, check::check_mode, unix_ms};
use crate::config::Config;
use crate::error::Result;
use crate::exit::Exit;
use crate::github::{self, Console};
use crate::ops::{self, Report, health, server_call_limit};
use crate::salesforce::Salesforce;
use crate::salesforce::client::WriteStage;
use crate::setting::State;
use crate::signals::{Caught, Signals};

/// Main: the mode's one change (or the health check), verified, with its outputs.
pub(super) async fn main_phase(
    config: &Config,
    console: Console,
    mode: Mode,
    report: &mut Report,
) -> Result<Exit> {
    let mut sf = ops::connect(config, console)?;
    match mode {
        Mode::Check => check_mode(&mut sf, config, console, report).await,
        Mode::Guard | Mode::Enable | Mode::Disable => {
            let wanted = mode == Mode::Enable;
            let guard = mode == Mode::Guard;
            // Guard that writes (not a dry run): post must hear of its writes and what it left.
            let saves_state = guard && !config.dry_run;
            let mut found_off = false;
            if saves_state {
                journal_writes(&mut sf);
            }
            let changed = ops::change(&mut sf, config, wanted, report, |prepared| {
                if guard {
                    // Written before anything changes, so post can report it even if main dies next.
                    github::save_state(PREVIOUS_STATE, &prepared.state.to_string())?;
                    found_off = prepared.state != State::Valid(true);
                }
                github::set_output("previous-state", &prepared.state.to_string())?;
                Ok(())
            })
            .await;
            if found_off {
                warn_already_off(&mut sf, config, console, report).await;
            }
            ops::warn_in_doubt(
                &sf,
                console,
                guard.then_some("The post step of this action knows: it writes true itself and reads back again once that write can no longer land."),
            );
            let after = changed?;
            if saves_state {
                github::save_state(MAIN_LEFT, &after.to_string())?;
            }
            github::set_output("state", &after.to_string())?;
            github::set_output("changed", if report.changed { "true" } else { "false" })?;
            console.info(&format!(
                "{}: {} -> {after} ({})",
                report
                    .located
                    .as_ref()
                    .map_or(String::new(), |l| l.full_name()),
                report.before.as_ref().map_or("?".into(), State::to_string),
                report.action
            ));
            if saves_state {
                console.info("The post step of this action will re-enable the triggers and verify them, however the job ends.");
            }
            Ok(Exit::Ok)
        }
    }
}

/// Keeps `write-in-doubt` in the state while a write's outcome is unknown: post must know of
/// a write that may still land after it ran.
fn journal_writes(sf: &mut Salesforce) {
    let limit = server_call_limit();
    sf.set_write_journal(Box::new(move |stage| {
        let value = match stage {
            WriteStage::Sending { latest_send } => unix_ms(latest_send + limit).to_string(),
            // Every attempt has been sent by now: the horizon can only shrink.
            WriteStage::Settled { in_doubt: true } => {
                unix_ms(SystemTime::now() + limit).to_string()
            }
            WriteStage::Settled { in_doubt: false } => String::new(),
        };
        github::save_state(WRITE_IN_DOUBT, &value).map_err(|e| format!("{e:#}"))
    }));
}

/// Post: enable and verify. SIGINT does not stop it (it is the cleanup); SIGTERM does, loudly
/// (`None`).
pub(super) async fn post_phase(
    config: &Config,
    console: Console,
    report: &mut Report,
    signals: &mut Signals,
) -> Option<Result<Exit>> {
    let previous = github::saved_state(PREVIOUS_STATE);
    report.before_job = Some(
        previous
            .clone()
            .unwrap_or_else(|| "unknown (main saved no state)".into()),
    );
    match &previous {
        Some(p) => console.info(&format!(
            "Before the job the triggers were {p}; restoring true"
        )),
        None => console.info(
            "Main left no saved state (it failed or was cancelled early); restoring true anyway",
        ),
    }
    let in_doubt_until = github::saved_state(WRITE_IN_DOUBT)
        .filter(|v| !v.trim().is_empty())
        .map(|v| match v.trim().parse::<u64>() {
            Ok(ms) => UNIX_EPOCH + Duration::from_millis(ms),
            // Unreadable: assume the worst, a write sent just now.
            Err(_) => SystemTime::now() + server_call_limit(),
        });
    let work = async {
        let mut sf = ops::connect(config, console)?;
        let after = ops::restore(
            &mut sf,
            config,
            console,
            report,
            in_doubt_until,
            "main's write",
        )
        .await?;
        console.info(&format!(
            "StoreConnect triggers: {after} ({})",
            report.action
        ));
        warn_if_changed_since_main(&mut sf, config, console, report).await;
        Ok(Exit::Ok)
    };
    tokio::pin!(work);
    loop {
        tokio::select! {
            r = &mut work => return Some(r),
            caught = signals.next() => match caught {
                Caught::Interrupt => console.warning("SIGINT ignored", "the post step is restoring the StoreConnect triggers and keeps going"),
                Caught::Terminate => return None,
            }
        }
    }
}

/// Guard's main found the triggers off already: say who turned them off and when (one
/// listMetadata call, made only in this case), since another job is probably maintaining the org.
async fn warn_already_off(sf: &mut Salesforce, config: &Config, console: Console, report: &Report) {
    let Some(located) = report.located.clone() else {
        return;
    };
    let found = report.before.as_ref().map_or("?".into(), State::to_string);
    let changed = if report.before == Some(State::Valid(false)) {
        // Main wrote nothing, so the record's last change is still the other party's.
        Some(health::last_changed(sf, config, &located).await)
    } else {
        None
    };
    let who = changed.map_or(String::new(), |c| format!(" ({})", c.describe()));
    console.warning(
        "Triggers were already off",
        &format!(
            "StoreConnect triggers were {found} before this job started{who}: another job may be maintaining this org (use one concurrency group per org). This job's post step will turn them on, possibly while that job still runs."
        ),
    );
}

/// Guard's post: if the value post found is not the one main left, someone changed the setting
/// in between; say so, and who and when when the record's last change is still theirs.
async fn warn_if_changed_since_main(
    sf: &mut Salesforce,
    config: &Config,
    console: Console,
    report: &Report,
) {
    let Some(left) = github::saved_state(MAIN_LEFT) else {
        return;
    };
    let Some(found) = report.before.as_ref().map(State::to_string) else {
        return;
    };
    if found == left {
        return;
    }
    let who = match (&report.located, report.changed) {
        // Post wrote nothing, so the last change is the other party's.
        (Some(located), false) => format!(
            "; {}",
            health::last_changed(sf, config, located).await.describe()
        ),
        _ => String::new(),
    };
    console.warning(
        "Setting changed during the job",
        &format!(
            "Main left the StoreConnect triggers {left}, but post found {found}: someone or something else changed the setting while this job ran{who}. Check that no other job maintains this org at the same time (one concurrency group per org)."
        ),
    );
}
