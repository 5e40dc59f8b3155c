//! The GitHub Action: main and post phases, told apart by the entrypoint path (`argv[0]`).
//!
//! `guard`: main saves `previous-state` to `GITHUB_STATE` before changing anything, disables and
//! verifies; post signs in afresh from the inputs (tokens are never persisted), enables, verifies
//! `true` and fails the step otherwise — also when main crashed and left no state. A write of
//! main's that got no answer is kept in the state as `write-in-doubt`; post then settles it by
//! what the org shows, or trusts no single read until it can no longer land
//! ([`crate::ops::Op::restore`]).

use std::time::Instant;

use crate::config::{Config, RawSettings};
use crate::error::{Error, Result};
use crate::exit::Exit;
use crate::github::{self, Console};
use crate::ops::{Op, Report};
use crate::setting::State;
use crate::signals::{Caught, Signals};

mod check;
mod phases;

/// Basename of the main entrypoint (`runs.entrypoint`).
pub(crate) const MAIN_ENTRYPOINT: &str = "storeconnect-triggers-action-main";
/// Basename of the post entrypoint (`runs.post-entrypoint`).
pub(crate) const POST_ENTRYPOINT: &str = "storeconnect-triggers-action-post";
/// The state key main writes before changing anything.
pub(crate) const PREVIOUS_STATE: &str = "previous-state";
/// The state key guard's main writes after its verified change: the value it left the org in.
pub(crate) const MAIN_LEFT: &str = "main-left";

/// The state key main writes before each attempt of its write, and after it: the write's
/// attempts still in doubt ([`crate::ops::InDoubt::to_text`]), empty when none.
pub(crate) const WRITE_IN_DOUBT: &str = "write-in-doubt";

/// Which phase of the action runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    /// `runs.entrypoint`.
    Main,
    /// `runs.post-entrypoint`.
    Post,
}

impl Phase {
    /// The phase named by `argv[0]`'s basename, if it is one of the entrypoints.
    pub(crate) fn from_program(argv0: &str) -> Option<Phase> {
        match argv0.rsplit('/').next().unwrap_or(argv0) {
            MAIN_ENTRYPOINT => Some(Phase::Main),
            POST_ENTRYPOINT => Some(Phase::Post),
            _ => None,
        }
    }
}

/// The `mode` input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
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
    pub(crate) fn parse(value: Option<&str>) -> Result<Mode> {
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

/// What a configuration error in the action should send people to: the step's `with:`, not
/// the CLI's `--help`.
pub(crate) const INPUTS_HINT: &str = "check the action's inputs (with:) in the workflow step; the README's Inputs table lists each input and the values it takes";

/// A phase that failed: the error to report, and how the process ends (the error's own exit,
/// or 128 + n when a signal stopped main).
struct Failed {
    error: Error,
    exit: Exit,
}

impl From<Error> for Failed {
    fn from(error: Error) -> Self {
        Failed {
            exit: error.exit(),
            error,
        }
    }
}

/// Runs one phase of the action: every outcome, success or failure, ends in one job summary.
pub(crate) async fn run(phase: Phase) -> Exit {
    let console = Console::from_env();
    let started = Instant::now();
    let mut report = Report::new("configuration");
    let outcome = run_phase(phase, console, &mut report).await;
    report.duration = started.elapsed();
    let exit = match outcome {
        Ok(exit) => exit,
        Err(Failed { error, exit }) => {
            let hint = match &error {
                Error::Usage(_) => Some(INPUTS_HINT),
                other => other.hint(),
            };
            report.failure = Some((error.to_string(), hint.map(str::to_string)));
            console.error(
                &format!("StoreConnect triggers: {} failed", report.title),
                &hint.map_or_else(
                    || error.to_string(),
                    |h| format!("{error}\nWhat to do: {h}"),
                ),
            );
            exit
        }
    };
    if let Err(e) = github::append_summary(&report.to_markdown()) {
        console.warning("Job summary not written", &format!("{e:#}"));
    }
    exit
}

async fn run_phase(phase: Phase, console: Console, report: &mut Report) -> Result<Exit, Failed> {
    let raw = RawSettings::from_action_inputs()?;
    // Before anything else can print it.
    if let Some(token) = raw.access_token() {
        console.mask(token.expose());
    }
    let mode = Mode::parse(raw.mode.as_deref())?;
    report.title = format!(
        "{} ({})",
        mode.name(),
        if phase == Phase::Main { "main" } else { "post" }
    );
    if phase == Phase::Post && mode != Mode::Guard {
        console.info(&format!(
            "mode {}: the post step has nothing to do",
            mode.name()
        ));
        report.action = format!("nothing (mode {} acts in the main step only)", mode.name());
        return Ok(Exit::Ok);
    }
    let config = Config::from_raw(raw)?;
    let mut signals = Signals::install()?;
    console.group(&format!("StoreConnect triggers: {}", report.title));
    let result = match phase {
        Phase::Main => tokio::select! {
            r = async { phases::main_phase(&mut Op::new(&config, console, report)?, mode).await } => r.map_err(Failed::from),
            caught = signals.next() => Err(cancelled_main(caught)),
        },
        Phase::Post => match phases::post_phase(&config, console, report, &mut signals).await {
            // Read back true: the error says what could still change that, and when.
            Some(Err(e)) if report.after == Some(State::Valid(true)) => Err(e.into()),
            Some(r) => r.map_err(|e| e.may_still_be_off(report.org.as_deref()).into()),
            None => Err(cancelled_post().into()),
        },
    };
    console.end_group();
    result
}

fn cancelled_main(caught: Caught) -> Failed {
    Failed {
        error: Error::WrongState {
            message: format!("{} received: main stopped before finishing", caught.name()),
            hint: "the post step of this action restores the triggers; check its result".into(),
        },
        exit: caught.exit(),
    }
}

fn cancelled_post() -> Error {
    Error::WrongState {
        message: "SIGTERM received: stopped before the StoreConnect triggers were verified as enabled".into(),
        hint: "check the org now: run this action with mode: check, or `storeconnect-triggers status`; enable with mode: enable".into(),
    }
}
