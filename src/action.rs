//! The GitHub Action: main and post phases, told apart by the entrypoint path (argv[0]).
//!
//! `guard`: main saves `previous-state` to `GITHUB_STATE` before changing anything, disables and
//! verifies; post signs in afresh from the inputs (tokens are never persisted), enables, verifies
//! `true` and fails the step otherwise — also when main crashed and left no state. A write of
//! main's that got no answer is kept in the state as `write-in-doubt`; post then trusts no single
//! read until that write can no longer land ([`commands::restore_in_doubt`]).

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::commands::{self, Caught, Report, SERVER_CALL_LIMIT, Signals, server_call_limit};
use crate::config::{Config, RawSettings};
use crate::error::{EXIT_OK, Error, Result};
use crate::github::{self, Console};
use crate::health::{self, Verdict};
use crate::salesforce::client::WriteStage;
use crate::setting::State;

/// Basename of the main entrypoint (`runs.entrypoint`).
pub const MAIN_ENTRYPOINT: &str = "storeconnect-triggers-action-main";
/// Basename of the post entrypoint (`runs.post-entrypoint`).
pub const POST_ENTRYPOINT: &str = "storeconnect-triggers-action-post";
/// The state key main writes before changing anything.
pub const PREVIOUS_STATE: &str = "previous-state";
/// The state key guard's main writes after its verified change: the value it left the org in.
pub const MAIN_LEFT: &str = "main-left";

/// The state key main writes before it sends a write: until when (Unix ms) Salesforce may still
/// apply it. Main empties it once the write's outcome is known; post distrusts a read until then.
pub const WRITE_IN_DOUBT: &str = "write-in-doubt";

fn unix_ms(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// Which phase of the action runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// `runs.entrypoint`.
    Main,
    /// `runs.post-entrypoint`.
    Post,
}

impl Phase {
    /// The phase named by argv[0]'s basename, if it is one of the entrypoints.
    pub fn from_program(argv0: &str) -> Option<Phase> {
        match argv0.rsplit('/').next().unwrap_or(argv0) {
            MAIN_ENTRYPOINT => Some(Phase::Main),
            POST_ENTRYPOINT => Some(Phase::Post),
            _ => None,
        }
    }
}

/// The `mode` input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Disable in main, enable and verify in post.
    Guard,
    /// Fail when the triggers are off.
    Check,
    /// Enable in main.
    Enable,
    /// Disable in main.
    Disable,
}

impl Mode {
    /// Parses the input (default `guard`).
    pub fn parse(value: Option<&str>) -> Result<Mode> {
        match value.map(|v| v.trim().to_ascii_lowercase()).as_deref() {
            None | Some("guard") => Ok(Mode::Guard),
            Some("check") => Ok(Mode::Check),
            Some("enable") => Ok(Mode::Enable),
            Some("disable") => Ok(Mode::Disable),
            Some(other) => Err(Error::usage(format!(
                "mode `{other}` is not one of guard, check, enable, disable"
            ))),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Mode::Guard => "guard",
            Mode::Check => "check",
            Mode::Enable => "enable",
            Mode::Disable => "disable",
        }
    }
}

/// Runs one phase of the action and returns the exit code.
pub async fn run(phase: Phase) -> u8 {
    let console = Console::from_env();
    let started = Instant::now();
    let raw = match RawSettings::from_env_prefixed("INPUT_") {
        Ok(raw) => raw,
        Err(e) => return fail(console, &mut Report::new("configuration"), &e, started),
    };
    // Before anything else can print it.
    if let Some(token) = raw.access_token() {
        console.mask(token.expose());
    }
    let mode = match Mode::parse(raw.mode.as_deref()) {
        Ok(mode) => mode,
        Err(e) => return fail(console, &mut Report::new("configuration"), &e, started),
    };
    let title = format!(
        "{} ({})",
        mode.name(),
        if phase == Phase::Main { "main" } else { "post" }
    );
    let mut report = Report::new(&title);
    if phase == Phase::Post && mode != Mode::Guard {
        console.info(&format!(
            "mode {}: the post step has nothing to do",
            mode.name()
        ));
        report.action = format!("nothing (mode {} acts in the main step only)", mode.name());
        report.duration = started.elapsed();
        summarize(console, &report);
        return EXIT_OK;
    }
    let config = match Config::from_raw(raw) {
        Ok(config) => config,
        Err(e) => return fail(console, &mut report, &e, started),
    };
    let mut signals = match Signals::install() {
        Ok(s) => s,
        Err(e) => return fail(console, &mut report, &e, started),
    };
    console.group(&format!("StoreConnect triggers: {title}"));
    let result = match phase {
        Phase::Main => {
            tokio::select! {
                r = main_phase(&config, console, mode, &mut report) => Some(r),
                caught = signals.next() => {
                    console.end_group();
                    return cancelled_main(console, &mut report, caught, started);
                }
            }
        }
        Phase::Post => post_phase(&config, console, &mut report, &mut signals).await,
    };
    console.end_group();
    match result {
        None => cancelled_post(console, &mut report, started),
        Some(Ok(code)) => {
            report.duration = started.elapsed();
            summarize(console, &report);
            code
        }
        Some(Err(e)) if phase == Phase::Post => {
            let e = health::may_still_be_off(e, report.org.clone().as_deref());
            fail(console, &mut report, &e, started)
        }
        Some(Err(e)) => fail(console, &mut report, &e, started),
    }
}

async fn main_phase(
    config: &Config,
    console: Console,
    mode: Mode,
    report: &mut Report,
) -> Result<u8> {
    let mut sf = commands::connect(config, console)?;
    match mode {
        Mode::Check => check_mode(&mut sf, config, console, report).await,
        Mode::Guard | Mode::Enable | Mode::Disable => {
            let wanted = mode == Mode::Enable;
            let guard = mode == Mode::Guard;
            let mut found_off = false;
            if guard && !config.dry_run {
                // Post must know of a write whose outcome is unknown: it may land after post.
                let limit = server_call_limit();
                sf.set_write_journal(Box::new(move |stage| {
                    let value = match stage {
                        WriteStage::Sending { latest_send } => {
                            unix_ms(latest_send + limit).to_string()
                        }
                        // Every attempt has been sent by now: the horizon can only shrink.
                        WriteStage::Settled { in_doubt: true } => {
                            unix_ms(SystemTime::now() + limit).to_string()
                        }
                        WriteStage::Settled { in_doubt: false } => String::new(),
                    };
                    github::save_state(WRITE_IN_DOUBT, &value).map_err(|e| format!("{e:#}"))
                }));
            }
            let changed = commands::change(&mut sf, config, wanted, report, |prepared| {
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
            commands::warn_in_doubt(
                &sf,
                console,
                guard.then_some("The post step of this action knows: it writes true itself and reads back again once that write can no longer land."),
            );
            let after = changed?;
            if guard && !config.dry_run {
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
            if guard && !config.dry_run {
                console.info("The post step of this action will re-enable the triggers and verify them, however the job ends.");
            }
            Ok(EXIT_OK)
        }
    }
}

/// Post: enable and verify. SIGINT does not stop it (it is the cleanup); SIGTERM does, loudly.
async fn post_phase(
    config: &Config,
    console: Console,
    report: &mut Report,
    signals: &mut Signals,
) -> Option<Result<u8>> {
    let previous = std::env::var(format!("STATE_{PREVIOUS_STATE}"))
        .ok()
        .filter(|v| !v.is_empty());
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
    let in_doubt_until = std::env::var(format!("STATE_{WRITE_IN_DOUBT}"))
        .ok()
        .filter(|v| !v.trim().is_empty())
        .map(|v| match v.trim().parse::<u64>() {
            Ok(ms) => UNIX_EPOCH + Duration::from_millis(ms),
            // Unreadable: assume the worst, a write sent just now.
            Err(_) => SystemTime::now() + SERVER_CALL_LIMIT,
        })
        .filter(|until| *until > SystemTime::now());
    let work = async {
        let mut sf = commands::connect(config, console)?;
        let after = match in_doubt_until {
            Some(until) => {
                commands::restore_in_doubt(&mut sf, config, console, report, until, "main's write")
                    .await?
            }
            None => commands::change(&mut sf, config, true, report, |_| Ok(())).await?,
        };
        console.info(&format!(
            "StoreConnect triggers: {after} ({})",
            report.action
        ));
        warn_if_changed_since_main(&mut sf, config, console, report).await;
        Ok(EXIT_OK)
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

fn cancelled_main(console: Console, report: &mut Report, caught: Caught, started: Instant) -> u8 {
    let error = Error::WrongState {
        message: format!("{} received: main stopped before finishing", caught.name()),
        hint: "the post step of this action restores the triggers; check its result".into(),
    };
    fail(console, report, &error, started);
    caught.exit_code()
}

fn cancelled_post(console: Console, report: &mut Report, started: Instant) -> u8 {
    let error = Error::WrongState {
        message: "SIGTERM received: stopped before the StoreConnect triggers were verified as enabled".into(),
        hint: "check the org now: run this action with mode: check, or `storeconnect-triggers status`; enable with mode: enable".into(),
    };
    fail(console, report, &error, started)
}

fn fail(console: Console, report: &mut Report, error: &Error, started: Instant) -> u8 {
    report.fail(error);
    report.duration = started.elapsed();
    console.error(
        &format!("StoreConnect triggers: {} failed", report.title),
        &error.with_hint(),
    );
    summarize(console, report);
    error.exit_code()
}

fn summarize(console: Console, report: &Report) {
    if let Err(e) = github::append_summary(&report.to_markdown()) {
        console.warning("Job summary not written", &format!("{e:#}"));
    }
}

/// `mode: check`: the health check, its outputs, annotations and summary rows.
async fn check_mode(
    sf: &mut crate::salesforce::Salesforce,
    config: &Config,
    console: Console,
    report: &mut Report,
) -> Result<u8> {
    let mut checked = health::check(sf, config, report).await?;
    let changed = checked.changed.clone().unwrap_or_default();
    github::set_output("state", &checked.state.to_string())?;
    github::set_output("last-modified-by", changed.by.as_deref().unwrap_or(""))?;
    github::set_output("last-modified-at", &changed.at_text().unwrap_or_default())?;
    github::set_output(
        "disabled-minutes",
        &checked
            .disabled_minutes
            .map_or(String::new(), |m| m.to_string()),
    )?;
    github::set_output("healed", if checked.healed() { "true" } else { "false" })?;
    report.details = checked.rows();
    if let Some(e) = checked.heal_failure.take() {
        return Err(e);
    }
    let org = report.org.clone().unwrap_or_else(|| "the org".into());
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
    Ok(checked.exit_code())
}

/// Guard's main found the triggers off already: say who turned them off and when (one
/// listMetadata call, made only in this case), since another job is probably maintaining the org.
async fn warn_already_off(
    sf: &mut crate::salesforce::Salesforce,
    config: &Config,
    console: Console,
    report: &Report,
) {
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
    sf: &mut crate::salesforce::Salesforce,
    config: &Config,
    console: Console,
    report: &Report,
) {
    let Some(left) = std::env::var(format!("STATE_{MAIN_LEFT}"))
        .ok()
        .filter(|v| !v.is_empty())
    else {
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
