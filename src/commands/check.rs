//! `check`: the health check's terminal and JSON output. With `--json`, exactly one JSON object
//! on stdout whatever the outcome, so a monitor always gets one.

use super::json_state;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::exit::Exit;
use crate::github::Console;
use crate::ops::{Op, Report, health, health::Verdict};

/// The CLI's `check`: exit 0 on (or off inside the grace window), 1 off past it or healed.
pub(crate) async fn check(config: &Config, console: Console, json: bool) -> Result<Exit> {
    let mut report = Report::new("check");
    let found = match Op::new(config, console, &mut report) {
        Ok(mut op) => health::check(&mut op).await,
        Err(e) => Err(e),
    };
    let mut checked = match found {
        Ok(checked) => checked,
        Err(e) => {
            if json {
                print_failure(&e, report.org.as_deref());
            }
            return Err(e);
        }
    };
    let org = report.org.clone().unwrap_or_else(|| "?".into());
    let changed = checked.changed.clone().unwrap_or_default();
    if json {
        let heal_failure = checked.heal_failure.take();
        let exit = heal_failure.as_ref().map_or(checked.exit(), Error::exit);
        let mut object = serde_json::json!({
            "state": json_state(&checked.state),
            "value": checked.state.to_string(),
            "org": report.org,
            "last_modified_by": changed.by,
            "last_modified_at": changed.at_text(),
            "disabled_minutes": checked.disabled_minutes,
            "within_grace": checked.verdict == Verdict::WithinGrace,
            "healed": checked.healed(),
            "setting_type": checked.located.type_name,
            "setting_record": checked.located.record,
            "setting_field": checked.located.field,
            "exit_code": exit.code(),
        });
        if let (Some(e), Some(fields)) = (&heal_failure, object.as_object_mut()) {
            fields.extend(error_fields(e));
        }
        crate::output::out(format_args!("{object}"));
        if let Some(e) = heal_failure {
            return Err(e);
        }
    } else {
        if let Some(e) = checked.heal_failure.take() {
            crate::output::out(format_args!(
                "StoreConnect triggers are OFF on {org} ({}); the heal failed",
                checked.summary_line()
            ));
            return Err(e);
        }
        let line = match checked.verdict {
            Verdict::On => format!("StoreConnect triggers are on on {org}"),
            Verdict::WithinGrace => format!(
                "StoreConnect triggers are {} on {org}: inside max-disabled-minutes ({}), probably a maintenance job in progress",
                checked.summary_line(),
                config.max_disabled_minutes
            ),
            Verdict::Off => format!(
                "StoreConnect triggers are OFF on {org}: {}",
                checked.summary_line()
            ),
            Verdict::Healed => format!(
                "StoreConnect triggers were OFF on {org} ({}); healed: set true and verified by read-back",
                checked.summary_line()
            ),
            Verdict::WouldHeal => format!(
                "StoreConnect triggers are OFF on {org} ({}); dry run: would turn them on, nothing written",
                checked.summary_line()
            ),
        };
        crate::output::out(format_args!("{line}"));
        if checked.verdict == Verdict::Off {
            console
                .info("Turn them on with `storeconnect-triggers enable`, or run `check --heal`.");
        }
    }
    Ok(checked.exit())
}

/// The one JSON object of a `check --json` that found no state: `"state":"unknown"`, the
/// error's code, message and what to do, and the exit code. The same error goes to stderr.
pub(crate) fn print_failure(error: &Error, org: Option<&str>) {
    let mut object = serde_json::json!({
        "state": "unknown",
        "org": org,
        "exit_code": error.exit().code(),
    });
    if let Some(fields) = object.as_object_mut() {
        fields.extend(error_fields(error));
    }
    crate::output::out(format_args!("{object}"));
}

/// `error_code` (Salesforce's errorCode/faultcode/statusCode, or the kind of failure),
/// `error` (the message, as stderr shows it) and `hint`.
fn error_fields(error: &Error) -> serde_json::Map<String, serde_json::Value> {
    let code = match error {
        Error::Salesforce(e) => e.code.clone().unwrap_or_else(|| "SALESFORCE".into()),
        Error::Usage(_) => "USAGE".into(),
        Error::NotFound { .. } => "NOT_FOUND".into(),
        Error::WrongState { .. } => "WRONG_STATE".into(),
        Error::Local(_) => "LOCAL".into(),
    };
    let mut fields = serde_json::Map::new();
    fields.insert("error_code".into(), code.into());
    fields.insert("error".into(), error.to_string().into());
    fields.insert("hint".into(), error.hint().into());
    fields
}
