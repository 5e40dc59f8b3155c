//! `mode: check`: the health check's outputs, annotations and summary rows.

use crate::error::Result;
use crate::exit::Exit;
use crate::github;
use crate::ops::{
    Op,
    health::{self, Verdict},
};
use crate::outside::Outside;

/// `mode: check`: the health check, its outputs, annotations and summary rows.
pub(super) async fn check_mode(op: &mut Op<'_>) -> Result<Exit> {
    let mut checked = health::check(op).await?;
    let changed = checked.changed.clone().unwrap_or_default();
    github::set_output("state", &checked.state.to_string())?;
    // One line, escaped like every other place that shows it.
    let by = changed.by.as_ref().map(Outside::shown).unwrap_or_default();
    github::set_output("last-modified-by", &by)?;
    github::set_output("last-modified-at", &changed.at_text().unwrap_or_default())?;
    github::set_output(
        "disabled-minutes",
        &checked
            .disabled_minutes
            .map_or(String::new(), |m| m.to_string()),
    )?;
    github::set_output("healed", if checked.healed() { "true" } else { "false" })?;
    if let Some(e) = checked.heal_failure.take() {
        return Err(e);
    }
    let (console, org) = (op.console, op.report.org.as_deref().unwrap_or("the org"));
    match checked.verdict {
        Verdict::On => console.info("StoreConnect triggers are enabled"),
        // health::check already warned.
        Verdict::WithinGrace => {}
        Verdict::Off => console.error(
            "StoreConnect triggers are OFF",
            &format!(
                "The StoreConnect sync triggers are {} on {org}: media imports, record publishing and stock updates are not running. Enable them (mode: enable, or heal: true on this check) once no maintenance job is running.",
                checked.summary_line()
            ),
        ),
        Verdict::Healed => console.error(
            "StoreConnect triggers were OFF (healed)",
            &format!(
                "The StoreConnect sync triggers were {} on {org}. This check turned them on and verified them by read-back; it fails so someone finds the job that left them off.",
                checked.summary_line()
            ),
        ),
        Verdict::WouldHeal => console.error(
            "StoreConnect triggers are OFF",
            &format!(
                "The StoreConnect sync triggers are {} on {org}. Dry run: they would be turned on; nothing was written.",
                checked.summary_line()
            ),
        ),
    }
    Ok(checked.exit())
}
