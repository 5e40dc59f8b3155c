//! Health checks that explain and heal: when the triggers are found off, who last changed the
//! setting and when (listMetadata), whether that is inside the grace window
//! (`max-disabled-minutes`), and, with `heal`, turning them back on (verified by read-back).
//! Shared by the CLI's `check` command and the action's `mode: check`; each prints its own way.

mod changed;

use super::Op;
use crate::error::{Error, Result};
use crate::exit::Exit;
use crate::outside::Outside;
use crate::setting::{Located, Observed, State};
pub(crate) use changed::{Changed, last_changed};

/// The verdict of a health check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// The triggers are on.
    On,
    /// Off, but for less than `max-disabled-minutes`: probably a maintenance job in progress.
    WithinGrace,
    /// Off past the grace window (or for an unknown time); not healed.
    Off,
    /// Off past the grace window, turned on and verified.
    Healed,
    /// Dry run: would have healed.
    WouldHeal,
}

/// What a health check found and did.
#[derive(Debug)]
pub(crate) struct Checked {
    /// Resolved names.
    pub(crate) located: Located,
    /// The value the check found (before any heal).
    pub(crate) state: State,
    /// Who and when (only looked up when the triggers are not on).
    pub(crate) changed: Option<Changed>,
    /// Minutes since the last change, when the triggers are off and the time is known.
    pub(crate) disabled_minutes: Option<u64>,
    /// The verdict.
    pub(crate) verdict: Verdict,
    /// A heal that failed: the triggers may still be off. Callers report what was found
    /// (outputs, JSON) first, then fail with this error.
    pub(crate) heal_failure: Option<Error>,
}

impl Checked {
    /// Whether the triggers were turned on and verified.
    pub(crate) fn healed(&self) -> bool {
        self.verdict == Verdict::Healed
    }

    /// The exit: 0 on or inside the grace window, 1 otherwise (also when healed, so
    /// someone hears about it).
    pub(crate) fn exit(&self) -> Exit {
        match self.verdict {
            Verdict::On | Verdict::WithinGrace => Exit::Ok,
            Verdict::Off | Verdict::Healed | Verdict::WouldHeal => Exit::WrongState,
        }
    }

    /// One line: "off since 2026-12-01T01:02:03Z (42 minutes), last changed by Jane Admin".
    pub(crate) fn summary_line(&self) -> String {
        let found = match &self.state {
            State::Valid(true) => return "on".into(),
            State::Valid(false) => "off".to_string(),
            State::Invalid(raw) => format!("not on (the setting holds {raw})"),
        };
        let changed = self.changed.clone().unwrap_or_default();
        let since = match (changed.at_text(), self.disabled_minutes) {
            (Some(at), Some(m)) => format!(" since {at} ({m} minutes)"),
            _ => format!(" since {}", changed.when()),
        };
        format!(
            "{found}{since}, last changed by {}",
            changed
                .by
                .as_ref()
                .map_or("an unknown user".into(), Outside::shown)
        )
    }

    /// `(label, value)` rows for the job summary table.
    pub(crate) fn rows(&self) -> Vec<(String, String)> {
        let changed = self.changed.clone().unwrap_or_default();
        vec![
            ("State".into(), self.state.to_string()),
            (
                "Last changed by".into(),
                changed.by.as_ref().map_or("—".into(), Outside::shown),
            ),
            (
                "Last changed at (UTC)".into(),
                changed.at_text().unwrap_or_else(|| "—".into()),
            ),
            (
                "Disabled for".into(),
                self.disabled_minutes
                    .map_or("—".into(), |m| format!("{m} minutes")),
            ),
            (
                "Healed".into(),
                if self.healed() { "true" } else { "false" }.into(),
            ),
        ]
    }
}

/// Runs a health check: read (SOQL); when not on, who/when (listMetadata); the grace window;
/// with `heal`, turn on and verify. The report gets the read, what the heal did and the
/// check's rows ([`Checked::rows`]); a failed heal is returned in [`Checked::heal_failure`].
pub(crate) async fn check(op: &mut Op<'_>) -> Result<Checked> {
    let checked = check_and_heal(op).await?;
    op.report.details = checked.rows();
    Ok(checked)
}

async fn check_and_heal(op: &mut Op<'_>) -> Result<Checked> {
    let Observed { located, state } = op.read().await?;
    if state == State::Valid(true) {
        op.report.action = "checked: triggers are on".into();
        return Ok(Checked {
            located,
            state,
            changed: None,
            disabled_minutes: None,
            verdict: Verdict::On,
            heal_failure: None,
        });
    }
    let changed = last_changed(op, &located).await;
    let disabled_minutes = changed.minutes_ago();
    let mut checked = Checked {
        located,
        state: state.clone(),
        changed: Some(changed),
        disabled_minutes,
        verdict: Verdict::Off,
        heal_failure: None,
    };
    let config = &op.config;
    let org = op.report.org.clone().unwrap_or_else(|| "the org".into());
    let within_grace = state == State::Valid(false)
        && disabled_minutes.is_some_and(|m| m < config.max_disabled_minutes);
    if within_grace {
        checked.verdict = Verdict::WithinGrace;
        op.report.action = format!(
            "checked: off for less than max-disabled-minutes ({}); not failing",
            config.max_disabled_minutes
        );
        op.console.warning(
            "StoreConnect triggers are off (maintenance in progress?)",
            &format!(
                "StoreConnect triggers are {} on {org}: less than max-disabled-minutes ({}), so probably a maintenance job in another pipeline is still running. Not failing; a later check fails if they stay off.",
                checked.summary_line(),
                config.max_disabled_minutes
            ),
        );
        return Ok(checked);
    }
    if !config.heal {
        op.report.action = format!("checked: triggers are OFF ({})", checked.summary_line());
        return Ok(checked);
    }
    if config.dry_run {
        checked.verdict = Verdict::WouldHeal;
        op.report.action = format!(
            "dry run: found {}; would turn the triggers on; nothing written",
            checked.summary_line()
        );
        return Ok(checked);
    }
    // Heal under a fresh deadline, with the names already found (no second discovery); the
    // report keeps what the check found before it.
    op.pin();
    let found = op.report.before.clone();
    let healed = op.change(true, |_| Ok(())).await;
    op.report.before = found;
    op.report.action = match healed {
        Ok(_) => {
            checked.verdict = Verdict::Healed;
            format!(
                "healed: found {}; set true and verified by read-back",
                checked.summary_line()
            )
        }
        Err(e) => {
            checked.heal_failure = Some(e.may_still_be_off(Some(&org)));
            format!(
                "heal FAILED: found {}; the triggers may still be off",
                checked.summary_line()
            )
        }
    };
    Ok(checked)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, SystemTime};

    fn checked(state: State, changed: Option<Changed>, verdict: Verdict) -> Checked {
        let disabled_minutes = changed.as_ref().and_then(Changed::minutes_ago);
        Checked {
            located: Located {
                type_name: "s_c__Setting__mdt".into(),
                record: "s_c__Triggers_Enabled".into(),
                field: "s_c__Setting__c".into(),
                kind: None,
                others: Vec::new(),
            },
            state,
            changed,
            disabled_minutes,
            verdict,
            heal_failure: None,
        }
    }

    #[test]
    fn explains_what_it_found() {
        let at = SystemTime::now() - Duration::from_secs(42 * 60 + 5);
        let off = checked(
            State::Valid(false),
            Some(Changed {
                by: Some(Outside::name("Jane Admin")),
                at: Some(at),
            }),
            Verdict::Off,
        );
        let line = off.summary_line();
        assert!(line.starts_with("off since "), "{line}");
        assert!(
            line.ends_with("(42 minutes), last changed by Jane Admin"),
            "{line}"
        );
        assert_eq!(off.exit(), Exit::WrongState);
        let unknown = checked(State::Valid(false), Some(Changed::default()), Verdict::Off);
        assert_eq!(
            unknown.summary_line(),
            "off since an unknown time, last changed by an unknown user"
        );
        assert_eq!(
            checked(State::Valid(true), None, Verdict::On).summary_line(),
            "on"
        );
        assert_eq!(
            checked(State::Valid(false), None, Verdict::WithinGrace).exit(),
            Exit::Ok
        );
        let healed = checked(State::Valid(false), None, Verdict::Healed);
        assert_eq!(healed.exit(), Exit::WrongState, "healed still fails");
        assert!(healed.rows().contains(&("Healed".into(), "true".into())));
    }
}
