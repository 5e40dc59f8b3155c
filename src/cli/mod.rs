//! Command-line parsing: a command, flags that override `STORECONNECT_*` settings, and the help text.
//! Flags and help come from the one table of settings, [`crate::config::settings::SETTINGS`].

use std::ffi::OsString;

use crate::error::Error;

mod help;
mod parse;

pub use help::usage;
pub use parse::{COMMANDS, parse};

/// What to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Print the state; exit 0 when enabled, 1 when disabled.
    Status {
        /// Print one JSON object instead of text.
        json: bool,
    },
    /// Health check: who/when when off, grace window, optional heal.
    Check {
        /// Print one JSON object instead of text.
        json: bool,
    },
    /// Set `true` and verify.
    Enable,
    /// Set `false` and verify.
    Disable,
    /// Disable, run the command, always re-enable and verify.
    Run {
        /// The command and its arguments.
        argv: Vec<OsString>,
    },
    /// Print help.
    Help,
    /// Print the version.
    Version,
}

/// A parsed command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cli {
    /// The command.
    pub command: Command,
    /// `(setting, value)` pairs given as flags; they override the environment.
    pub overrides: Vec<(String, String)>,
}

/// The variable that names the command when the binary gets no arguments (a Bitbucket pipe, a
/// container started without a command).
pub const COMMAND_ENV: &str = "STORECONNECT_COMMAND";

/// The commands [`COMMAND_ENV`] may name: those that need no arguments.
pub const ENV_COMMANDS: &[&str] = &["status", "check", "enable", "disable"];

/// The arguments to parse: `args` as given, or, when there are none, the command named by
/// `env_command` (the value of [`COMMAND_ENV`]; unset or blank means none).
pub fn args_or_env_command(
    args: Vec<OsString>,
    env_command: Option<OsString>,
) -> Result<Vec<OsString>, Error> {
    let Some(value) = env_command.filter(|_| args.is_empty()) else {
        return Ok(args);
    };
    let text = value.to_string_lossy();
    let name = text.trim();
    if name.is_empty() {
        return Ok(args);
    }
    if !ENV_COMMANDS.contains(&name) {
        return Err(Error::usage(format!(
            "{COMMAND_ENV}=`{text}` is not a command it can name: use {}",
            ENV_COMMANDS.join(", ")
        )));
    }
    Ok(vec![OsString::from(name)])
}

#[cfg(test)]
mod tests;
