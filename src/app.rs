//! Entry point logic: choose the action phase or the CLI from `argv[0]`, run it, render errors.

use std::ffi::OsString;
use std::panic::PanicHookInfo;
use std::process::ExitCode;

use crate::action::{self, Phase};
use crate::cli::{self, Command};
use crate::commands;
use crate::config::{Config, RawSettings};
use crate::error::{Error, Result};
use crate::exit::Exit;
use crate::github::Console;

/// The program: installs the panic hook, starts a single-threaded runtime and runs `main` with
/// the process's arguments.
pub fn run() -> ExitCode {
    // First: no panic may print its payload (it can hold input, such as a token).
    install_panic_hook();
    let mut args = std::env::args_os();
    let argv0 = args.next().unwrap_or_default();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            crate::output::err(format_args!("error: cannot start the async runtime: {e}"));
            return Exit::Failure.into();
        }
    };
    runtime.block_on(main(argv0, args.collect())).into()
}

/// Runs the command line `args` (without the program name) in this process, as the binary does
/// when it is not started as an action phase: parse, run, print any error with what to do.
/// Settings not given as flags come from the environment. Returns the exit code.
pub async fn run_cli(args: Vec<OsString>) -> u8 {
    cli(args).await.code()
}

/// Runs the program and returns how it ends.
async fn main(argv0: OsString, args: Vec<OsString>) -> Exit {
    if let Some(phase) = Phase::from_program(&argv0.to_string_lossy()) {
        // The runner passes the same args to main and post; the action takes none, so ignore them.
        return action::run(phase).await;
    }
    cli(args).await
}

/// The command line: how it ends, its error printed.
async fn cli(args: Vec<OsString>) -> Exit {
    let console = Console::from_env();
    match cli_main(console, args).await {
        Ok(code) => code,
        Err(error) => {
            report_error(console, &error);
            error.exit()
        }
    }
}

async fn cli_main(console: Console, args: Vec<OsString>) -> Result<Exit> {
    let chosen = cli::args_or_env_command(args, std::env::var_os(cli::COMMAND_ENV))?;
    if let Some(warning) = &chosen.warning {
        console.warning(&format!("{} ignored", cli::COMMAND_ENV), warning);
    }
    let parsed = cli::parse(chosen.args)?;
    match parsed.command {
        Command::Help => {
            crate::output::out(format_args!("{}", cli::usage()));
            return Ok(Exit::Ok);
        }
        Command::Version => {
            crate::output::out(format_args!(
                "storeconnect-triggers {}",
                env!("CARGO_PKG_VERSION")
            ));
            return Ok(Exit::Ok);
        }
        _ => {}
    }
    let config = match configure(console, parsed.overrides) {
        Ok(config) => config,
        Err(e) => {
            // `check --json` prints one JSON object whatever the outcome.
            if let Command::Check { json: true } = parsed.command {
                commands::print_check_failure(&e, None);
            }
            return Err(e);
        }
    };
    if config.dry_run {
        console.info("dry run: the setting will be found and read; nothing will be changed");
    }
    match parsed.command {
        Command::Status { json } => commands::status(&config, console, json).await,
        Command::Check { json } => commands::check(&config, console, json).await,
        Command::Enable => commands::set(&config, console, true).await,
        Command::Disable => commands::set(&config, console, false).await,
        Command::Run { argv } => commands::run(&config, console, &argv).await,
        Command::Help | Command::Version => Ok(Exit::Ok),
    }
}

/// The settings from the environment with the command line's on top (a given access token
/// masked first).
fn configure(console: Console, overrides: Vec<(String, String)>) -> Result<Config> {
    let mut raw = RawSettings::from_env()?;
    for (name, value) in overrides {
        raw.set(&name, value)?;
    }
    if let Some(token) = raw.access_token() {
        console.mask(token.expose());
    }
    Config::from_raw(raw)
}

/// Prints an error with its "what to do" line (an annotation inside GitHub Actions).
fn report_error(console: Console, error: &Error) {
    if console.in_actions() {
        console.error("storeconnect-triggers failed", &error.with_hint());
    } else {
        crate::output::err(format_args!("error: {error}"));
        if let Some(hint) = error.hint() {
            crate::output::err(format_args!("help: {hint}"));
        }
    }
}

/// The line printed for a panic: where it happened, never its message. A panic's payload can
/// be built from input (a token inside a value that failed to parse), so it is not shown.
fn panic_report(info: &PanicHookInfo<'_>, actions: bool) -> String {
    let place = info.location().map_or("an unknown place".to_string(), |l| {
        format!("{}:{}", l.file(), l.line())
    });
    let text = format!(
        "internal error at {place}: this is a bug in storeconnect-triggers, please report it (its details are not shown because they could contain credentials). The StoreConnect triggers may be in either state: check them with `status` or mode: check"
    );
    if actions {
        format!(
            "::error title=storeconnect-triggers crashed::{}",
            crate::github::escape_data(&text)
        )
    } else {
        format!("error: {text}")
    }
}

/// Replaces the default panic output (which prints the payload) with [`panic_report`] and
/// exits 3, the code for failures, instead of unwinding or aborting.
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let actions = std::env::var_os("GITHUB_ACTIONS").is_some_and(|v| v == "true");
        crate::output::command(format_args!("{}", panic_report(info, actions)));
        std::process::exit(i32::from(Exit::Failure.code()));
    }));
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[test]
    fn panic_report_never_shows_the_payload() {
        static SEEN: Mutex<Vec<String>> = Mutex::new(Vec::new());
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(|info| {
            let mut seen = SEEN.lock().unwrap_or_else(|e| e.into_inner());
            seen.push(panic_report(info, false));
            seen.push(panic_report(info, true));
        }));
        let token = "00DSECRET!AQtoken";
        let _ = std::panic::catch_unwind(|| {
            // What a failed unwrap of a parse result holding a token would print.
            panic!("called `Result::unwrap()` on an `Err` value: {token:?}")
        });
        std::panic::set_hook(previous);
        let seen = SEEN.lock().unwrap_or_else(|e| e.into_inner()).clone();
        assert_eq!(seen.len(), 2);
        for line in &seen {
            assert!(!line.contains("SECRET"), "{line}");
            assert!(line.contains("internal error at src/app.rs:"), "{line}");
        }
        assert!(seen[1].starts_with("::error title=storeconnect-triggers crashed::"));
        assert!(!seen[1].contains('\n'));
    }
}
