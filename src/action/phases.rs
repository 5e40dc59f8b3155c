//! The phases' work: guard/enable/disable in main, guard's restore in post, and the warnings
//! about other jobs touching the setting.

use std::time::SystemTime;

use super::{MAIN_LEFT, Mode, PREVIOUS_STATE, WRITE_IN_DOUBT, check::check_mode};
use crate::config::Config;
use crate::error::Result;
use crate::exit::Exit;
use crate::github::{self, Console};
use crate::ops::{self, InDoubt, Op, Report, Writes, health, in_doubt};
use crate::setting::State;
use crate::signals::{Caught, Signals};

/// Main: the mode's one change (or the health check), verified, with its outputs.
pub(super) async fn main_phase(op: &mut Op<'_>, mode: Mode) -> Result<Exit> {
    match mode {
        Mode::Check => check_mode(op).await,
        Mode::Guard => change_mode(op, false, true).await,
        Mode::Enable => change_mode(op, true, false).await,
        Mode::Disable => change_mode(op, false, false).await,
    }
}

/// Sets `wanted` and verifies it, with the outputs; `guard` also saves for post what it found,
/// what its writes left in doubt and what it left.
async fn change_mode(op: &mut Op<'_>, wanted: bool, guard: bool) -> Result<Exit> {
    // Guard that writes (not a dry run): post must hear of its writes and what it left.
    let saves_state = guard && !op.config.dry_run;
    let mut found_off = false;
    let writes = Writes::track(&mut op.sf, wanted, saves_state.then(persist_writes));
    let changed = op
        .change(wanted, |prepared| {
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
        warn_already_off(op).await;
    }
    in_doubt::warn(
        &writes.now(),
        op.console,
        guard.then_some("The post step of this action knows: it looks for that write in the org, writes true and watches the record until that write can no longer land."),
    );
    let after = changed?.after;
    if saves_state {
        github::save_state(MAIN_LEFT, &after.to_string())?;
    }
    github::set_output("state", &after.to_string())?;
    let report = &op.report;
    github::set_output("changed", if report.changed { "true" } else { "false" })?;
    op.console.info(&format!(
        "{}: {} -> {after} ({})",
        report
            .located
            .as_ref()
            .map_or(String::new(), |l| l.full_name()),
        report.before.as_ref().map_or("?".into(), State::to_string),
        report.action
    ));
    if saves_state {
        op.console.info("The post step of this action will re-enable the triggers and verify them, however the job ends.");
    }
    Ok(Exit::Ok)
}

/// Where guard's main keeps what is in doubt: `write-in-doubt` in the step state, saved before
/// each attempt is sent, so post knows of a write that may still land after it ran.
fn persist_writes() -> ops::in_doubt::Persist {
    Box::new(|doubt: &InDoubt| {
        github::save_state(WRITE_IN_DOUBT, &doubt.to_text()).map_err(|e| format!("{e:#}"))
    })
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
    let doubt = InDoubt::from_state(
        github::saved_state(WRITE_IN_DOUBT).as_deref(),
        SystemTime::now(),
    );
    let work = async {
        let op = &mut Op::new(config, console, report)?;
        let after = op.restore(&doubt, "main's write").await?;
        console.info(&format!(
            "StoreConnect triggers: {after} ({})",
            op.report.action
        ));
        warn_if_changed_since_main(op).await;
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
async fn warn_already_off(op: &mut Op<'_>) {
    let Some(located) = op.report.located.clone() else {
        return;
    };
    let found = op
        .report
        .before
        .as_ref()
        .map_or("?".into(), State::to_string);
    let changed = if op.report.before == Some(State::Valid(false)) {
        // Main wrote nothing, so the record's last change is still the other party's.
        Some(health::last_changed(op, &located).await)
    } else {
        None
    };
    let who = changed.map_or(String::new(), |c| format!(" ({})", c.describe()));
    op.console.warning(
        "Triggers were already off",
        &format!(
            "StoreConnect triggers were {found} before this job started{who}: another job may be maintaining this org (use one concurrency group per org). This job's post step will turn them on, possibly while that job still runs."
        ),
    );
}

/// Guard's post: if the value post found is not the one main left, someone changed the setting
/// in between; say so, and who and when when the record's last change is still theirs.
async fn warn_if_changed_since_main(op: &mut Op<'_>) {
    let Some(left) = github::saved_state(MAIN_LEFT) else {
        return;
    };
    let Some(found) = op.report.before.as_ref().map(State::to_string) else {
        return;
    };
    if found == left {
        return;
    }
    let who = match (op.report.located.clone(), op.report.changed) {
        // Post wrote nothing, so the last change is the other party's.
        (Some(located), false) => {
            format!("; {}", health::last_changed(op, &located).await.describe())
        }
        _ => String::new(),
    };
    op.console.warning(
        "Setting changed during the job",
        &format!(
            "Main left the StoreConnect triggers {left}, but post found {found}: someone or something else changed the setting while this job ran{who}. Check that no other job maintains this org at the same time (one concurrency group per org)."
        ),
    );
}
