//! The CLI's commands (`status`, `check`, `enable`, `disable`, `run`): what they print and
//! the exit each ends with. The work itself is in [`crate::ops`].

mod check;
mod preflight;
mod run;

pub(crate) use check::{check, print_failure as print_check_failure};
pub(crate) use run::run;

use crate::config::Config;
use crate::error::{Error, Result};
use crate::exit::Exit;
use crate::github::Console;
use crate::ops::{self, Op, Report};
use crate::setting::{Observed, State};

/// The word for a state in `--json` output and the `status` line.
fn json_state(state: &State) -> &'static str {
    match state {
        State::Valid(true) => "enabled",
        State::Valid(false) => "disabled",
        State::Invalid(_) => "invalid",
    }
}

/// One line: the org, the value (before -> after when it changed) and what was done.
fn print_report(report: &Report) {
    let before = report.before.as_ref().map_or("?".into(), State::to_string);
    let after = report.after.as_ref().map_or("?".into(), State::to_string);
    let org = report.org.as_deref().unwrap_or("?");
    if report.changed {
        crate::output::out(format_args!(
            "StoreConnect triggers on {org}: {before} -> {after} ({})",
            report.action
        ));
    } else {
        crate::output::out(format_args!(
            "StoreConnect triggers on {org}: {after} ({})",
            report.action
        ));
    }
}

/// `status`: exit 0 when enabled, 1 when disabled.
pub(crate) async fn status(config: &Config, console: Console, json: bool) -> Result<Exit> {
    let mut report = Report::new("status");
    let Observed { located, state } = Op::new(config, console, &mut report)?.read().await?;
    let word = json_state(&state);
    if json {
        let object = serde_json::json!({
            "state": word,
            "value": state.to_string(),
            "org": report.org,
            "setting_type": located.type_name,
            "setting_record": located.record,
            "setting_field": located.field,
        });
        crate::output::out(format_args!("{object}"));
    } else {
        crate::output::out(format_args!(
            "StoreConnect triggers are {word} on {} ({} = {state})",
            report.org.as_deref().unwrap_or("?"),
            located.full_name()
        ));
    }
    match state {
        State::Valid(true) => Ok(Exit::Ok),
        State::Valid(false) => Ok(Exit::WrongState),
        State::Invalid(raw) => Err(Error::WrongState {
            message: format!(
                "field {} of {} holds {raw}, neither true nor false",
                located.field,
                located.full_name()
            ),
            hint:
                "set it with `storeconnect-triggers enable` (or in Setup > Custom Metadata Types)"
                    .into(),
        }),
    }
}

/// `enable` / `disable`.
pub(crate) async fn set(config: &Config, console: Console, wanted: bool) -> Result<Exit> {
    let mut report = Report::new(if wanted { "enable" } else { "disable" });
    let mut op = Op::new(config, console, &mut report)?;
    let writes = ops::Writes::track(&mut op.sf, wanted, None);
    let changed = op.change(wanted, |_| Ok(())).await;
    ops::in_doubt::warn(&writes.now(), console, None);
    changed?;
    print_report(&report);
    Ok(Exit::Ok)
}
