//! Entry point logic: choose the action phase or the CLI from argv[0], run it, render errors.

use std::ffi::OsString;

use crate::action::{self, Phase};
use crate::cli::{self, Command};
use crate::commands;
use crate::config::{Config, RawSettings};
use crate::error::{EXIT_OK, Error, Result};
use crate::github::Console;
use crate::health;

/// Runs the program and returns its exit code.
pub async fn main(argv0: OsString, args: Vec<OsString>) -> u8 {
    if let Some(phase) = Phase::from_program(&argv0.to_string_lossy()) {
        // The runner passes the same args to main and post; the action takes none, so ignore them.
        return action::run(phase).await;
    }
    let console = Console::from_env();
    match cli_main(console, args).await {
        Ok(code) => code,
        Err(error) => {
            report_error(console, &error);
            error.exit_code()
        }
    }
}

async fn cli_main(console: Console, args: Vec<OsString>) -> Result<u8> {
    let args = cli::args_or_env_command(args, std::env::var_os(cli::COMMAND_ENV))?;
    let parsed = cli::parse(args)?;
    match parsed.command {
        Command::Help => {
            println!("{}", cli::usage());
            return Ok(EXIT_OK);
        }
        Command::Version => {
            println!("storeconnect-triggers {}", env!("CARGO_PKG_VERSION"));
            return Ok(EXIT_OK);
        }
        _ => {}
    }
    let mut raw = RawSettings::from_env()?;
    for (name, value) in parsed.overrides {
        raw.set(&name, value)?;
    }
    if let Some(token) = raw.access_token() {
        console.mask(token.expose());
    }
    let config = Config::from_raw(raw)?;
    if config.dry_run {
        console.info("dry run: the setting will be found and read; nothing will be changed");
    }
    match parsed.command {
        Command::Status { json } => commands::status(&config, console, json).await,
        Command::Check { json } => health::check_command(&config, console, json).await,
        Command::Enable => commands::set(&config, console, true).await,
        Command::Disable => commands::set(&config, console, false).await,
        Command::Run { argv } => commands::run(&config, console, &argv).await,
        Command::Help | Command::Version => Ok(EXIT_OK),
    }
}

/// Prints an error with its "what to do" line (an annotation inside GitHub Actions).
pub fn report_error(console: Console, error: &Error) {
    if console.in_actions() {
        console.error("storeconnect-triggers failed", &error.with_hint());
    } else {
        eprintln!("error: {error}");
        if let Some(hint) = error.hint() {
            eprintln!("help: {hint}");
        }
    }
}
