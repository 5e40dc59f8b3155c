//! Command-line parsing: a command, flags that override `STORECONNECT_*` settings, and the help text.
//! Commands come from one table, [`COMMANDS`]; flags and their help from the one table of
//! settings, [`crate::config::settings::SETTINGS`].

use std::ffi::OsString;

use crate::error::Error;

mod help;
mod parse;

pub(crate) use help::usage;
pub use parse::parse;

/// One command as the help, the parser's messages and its suggestions show it.
#[derive(Debug)]
pub(crate) struct CommandSpec {
    /// The word that names it.
    pub(crate) name: &'static str,
    /// What follows the name in the usage line, e.g. `[--json]`.
    pub(crate) args: &'static str,
    /// What it does, one help line each.
    pub(crate) about: &'static [&'static str],
    /// Whether it takes `--json`.
    pub(crate) json: bool,
    /// Whether [`COMMAND_ENV`] may name it: it needs no arguments.
    pub(crate) from_env: bool,
}

/// Every command, in the order the help lists them.
pub(crate) const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "status",
        args: "[--json]",
        about: &["print the state; exit 0 enabled, 1 disabled"],
        json: true,
        from_env: true,
    },
    CommandSpec {
        name: "check",
        args: "[--json] [--heal] [--max-disabled-minutes N]",
        about: &[
            "health check: when off, say who changed it and when;",
            "exit 0 on (or off for less than N minutes), 1 off",
            "(also after --heal turned them on and verified)",
        ],
        json: true,
        from_env: true,
    },
    CommandSpec {
        name: "enable",
        args: "",
        about: &["set true, read back to verify"],
        json: false,
        from_env: true,
    },
    CommandSpec {
        name: "disable",
        args: "",
        about: &["set false, read back to verify"],
        json: false,
        from_env: true,
    },
    CommandSpec {
        name: "run",
        args: "-- CMD [ARGS]",
        about: &["disable, run CMD, then always enable and verify"],
        json: false,
        from_env: false,
    },
    CommandSpec {
        name: "help",
        args: "",
        about: &["print this help (also --help, -h)"],
        json: false,
        from_env: false,
    },
];

/// The names of the commands that pass `filter`, as a sentence lists them: `a, b or c`.
pub(crate) fn names(filter: impl Fn(&CommandSpec) -> bool) -> String {
    let names: Vec<&str> = COMMANDS
        .iter()
        .filter(|c| filter(c))
        .map(|c| c.name)
        .collect();
    match names.split_last() {
        Some((last, [])) => (*last).to_string(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// What to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Command {
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
    pub(crate) command: Command,
    /// `(setting, value)` pairs given as flags; they override the environment.
    pub overrides: Vec<(String, String)>,
}

/// The variable that names the command when the binary gets no arguments (a Bitbucket pipe, a
/// container started without a command).
pub(crate) const COMMAND_ENV: &str = "STORECONNECT_COMMAND";

/// The arguments to parse, and a warning when [`COMMAND_ENV`] was set but ignored.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Chosen {
    /// What to parse.
    pub(crate) args: Vec<OsString>,
    /// Set when [`COMMAND_ENV`] named a command but arguments were given (they win): why it was
    /// ignored, without repeating its value.
    pub(crate) warning: Option<String>,
}

/// The arguments to parse: `args` as given, or, when there are none, the command named by
/// `env_command` (the value of [`COMMAND_ENV`]; unset or blank means none).
pub(crate) fn args_or_env_command(
    args: Vec<OsString>,
    env_command: Option<OsString>,
) -> Result<Chosen, Error> {
    let Some(value) = env_command.filter(|v| !v.to_string_lossy().trim().is_empty()) else {
        return Ok(Chosen {
            args,
            warning: None,
        });
    };
    if !args.is_empty() {
        return Ok(Chosen {
            args,
            warning: Some(format!(
                "the arguments given name the command; unset {COMMAND_ENV}, or give no arguments"
            )),
        });
    }
    let text = value.to_string_lossy();
    let name = text.trim();
    if !COMMANDS.iter().any(|c| c.from_env && c.name == name) {
        let can: Vec<&str> = COMMANDS
            .iter()
            .filter(|c| c.from_env)
            .map(|c| c.name)
            .collect();
        return Err(Error::usage(format!(
            "{COMMAND_ENV}=`{text}` is not a command it can name: use {}",
            can.join(", ")
        )));
    }
    Ok(Chosen {
        args: vec![OsString::from(name)],
        warning: None,
    })
}

#[cfg(test)]
mod tests;
