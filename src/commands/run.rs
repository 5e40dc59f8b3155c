//! `run -- CMD`: disable, run the command (passing signals on), always restore and verify.

use std::ffi::OsString;
use std::io::IsTerminal;
use std::time::Instant;

use super::print_report;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::exit::Exit;
use crate::github::Console;
use crate::ops::{Op, Report, Writes};
use crate::setting::State;
use crate::signals::{Caught, Signals};

/// Quotes an argument for display the way a POSIX shell would need it.
fn shell_quote(arg: &str) -> String {
    let plain = !arg.is_empty()
        && arg
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c));
    if plain {
        arg.to_string()
    } else {
        format!("'{}'", arg.replace('\'', "'\\''"))
    }
}

/// `run -- CMD`: disable, run CMD, then always enable and verify. Exits with CMD's code unless
/// restoring failed.
pub(crate) async fn run(config: &Config, console: Console, argv: &[OsString]) -> Result<Exit> {
    let shown = argv
        .iter()
        .map(|a| shell_quote(&a.to_string_lossy()))
        .collect::<Vec<_>>()
        .join(" ");
    // Bad input: never turn the triggers off for a command that cannot start.
    super::preflight::check(&argv[0])?;
    let mut signals = Signals::install()?;
    let mut report = Report::new("run: disable");
    let mut op = Op::new(config, console, &mut report)?;
    let writes = Writes::track(&mut op.sf, false, None);
    let disabled = tokio::select! {
        r = op.change(false, |_| Ok(())) => Some(r),
        caught = signals.next() => {
            console.warning("Interrupted", &format!("{} while disabling; restoring before exit", caught.name()));
            None
        }
    };
    let previous = op.report.before.clone();
    if config.dry_run {
        print_report(op.report);
        crate::output::out(format_args!(
            "dry run: would run `{shown}`, then set true and verify; nothing was run or written"
        ));
        return match disabled {
            Some(result) => result.map(|_| Exit::Ok),
            None => Err(Error::Local(anyhow::anyhow!(
                "interrupted during the dry run"
            ))),
        };
    }
    let outcome = match disabled {
        // Nothing was located or read: nothing to restore, and CMD must not run unguarded.
        Some(Err(e)) if op.report.before.is_none() => return Err(e),
        Some(Err(e)) => Err(e),
        Some(Ok(_)) => {
            print_report(op.report);
            run_child(argv, &shown, &mut signals, console).await
        }
        None => Err(Error::Local(anyhow::anyhow!(
            "interrupted before `{shown}` started"
        ))),
    };
    // Restore whatever happened above, under a fresh deadline, with the names already found
    // (and printed: they are shown once per run).
    op.pin();
    op.report.follow_with("run: enable");
    let restored = op
        .restore(&writes.now(), "the write that disabled them")
        .await;
    let restore = &op.report;
    match &restored {
        Ok(_) => {
            print_report(restore);
            console.info(&format!(
                "Triggers restored to true (verified); before the run they were {}",
                previous.map_or("unknown".into(), |p| p.to_string())
            ));
        }
        // Read back true, but a write in doubt could still turn them off: the error says when.
        Err(e) if restore.after == Some(State::Valid(true)) => {
            console.error("Triggers restored, NOT settled", &e.to_string())
        }
        Err(e) => console.error(
            "Triggers NOT restored",
            &format!("{e}; the org may be left with triggers off"),
        ),
    }
    // A failed restore outranks whatever the command did.
    restored?;
    outcome
}

/// Runs the command to its end, passing SIGINT/SIGTERM on, and returns how it ended.
async fn run_child(
    argv: &[OsString],
    shown: &str,
    signals: &mut Signals,
    console: Console,
) -> Result<Exit> {
    let started = Instant::now();
    let mut child = tokio::process::Command::new(&argv[0])
        .args(&argv[1..])
        .spawn()
        .map_err(|e| {
            Error::Local(anyhow::Error::new(e).context(format!("could not start `{shown}`")))
        })?;
    let status = loop {
        tokio::select! {
            status = child.wait() => break status.map_err(|e| Error::Local(anyhow::Error::new(e).context(format!("waiting for `{shown}`"))))?,
            caught = signals.next() => {
                // Ctrl-C in a terminal already reached the command (same process group); a
                // second SIGINT could make it abort its own cleanup. Without a terminal (CI,
                // a container's PID 1) only we got the signal, so pass it on.
                let from_terminal = caught == Caught::Interrupt && std::io::stdin().is_terminal();
                console.warning("Interrupted", &format!("{} received: {} `{shown}` and restoring the triggers when it exits", caught.name(), if from_terminal { "waiting for" } else { "passing it to" }));
                if let (false, Some(pid)) = (from_terminal, child.id()) {
                    caught.send_to(pid);
                }
            }
        }
    };
    let exit = Exit::of_child(status);
    let line = format!(
        "`{shown}` {} after {:.1}s",
        exit.describe(),
        started.elapsed().as_secs_f64()
    );
    match exit {
        Exit::Signal(_) => console.warning("Command killed", &line),
        _ => console.info(&line),
    }
    Ok(exit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_commands_for_display() {
        assert_eq!(shell_quote("sf"), "sf");
        assert_eq!(shell_quote("--file=data/a.csv"), "--file=data/a.csv");
        assert_eq!(shell_quote("echo hi; exit 7"), "'echo hi; exit 7'");
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
        assert_eq!(shell_quote(""), "''");
    }
}
