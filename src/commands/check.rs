//! `check`: the health check's terminal and JSON output.

use super::json_state;
use crate::config::Config;
use crate::error::Result;
use crate::exit::Exit;
use crate::github::Console;
use crate::ops::{self, Report, health::Verdict};

/// The CLI's `check`: exit 0 on (or off inside the grace window), 1 off past it or healed.
pub async fn check(config: &Config, console: Console, json: bool) -> Result<Exit> {
    let mut sf = ops::connect(config, console)?;
    let mut report = Report::new("check");
    let mut checked = ops::health::check(&mut sf, config, &mut report).await?;
    let org = report.org.clone().unwrap_or_else(|| "?".into());
    let changed = checked.changed.clone().unwrap_or_default();
    if json {
        let object = serde_json::json!({
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
        });
        crate::output::out(format_args!("{object}"));
        if let Some(e) = checked.heal_failure.take() {
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
