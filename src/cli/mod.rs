//! Command-line parsing: a command, flags that override `STORECONNECT_*` settings, and the help text.

use std::ffi::OsString;

use crate::config::SETTING_NAMES;
use crate::error::Error;

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

/// The help text.
pub fn usage() -> String {
    let settings: Vec<String> = SETTING_NAMES
        .iter()
        .map(|n| {
            format!(
                "  --{n:<16} STORECONNECT_{}",
                n.to_ascii_uppercase().replace('-', "_")
            )
        })
        .collect();
    format!(
        "storeconnect-triggers {version} — keep StoreConnect's Salesforce sync triggers safe around maintenance jobs

USAGE:
  storeconnect-triggers status [--json]     print the state; exit 0 enabled, 1 disabled
  storeconnect-triggers check [--json] [--heal] [--max-disabled-minutes N]
                                            health check: when off, say who changed it and when;
                                            exit 0 on (or off for less than N minutes), 1 off
                                            (also after --heal turned them on and verified)
  storeconnect-triggers enable              set true, read back to verify
  storeconnect-triggers disable             set false, read back to verify
  storeconnect-triggers run -- CMD [ARGS]   disable, run CMD, then always enable and verify

Every command takes --dry-run: find and read the setting, say what would change, change nothing.

SETTINGS (flag, or environment variable; flags win; empty values count as unset):
{settings}

Sign in with exactly one of: access-token + instance-url; auth-url (force://id:secret:token@host);
jwt-key + client-id + username [+ login-url]; client-secret + client-id + instance-url (My Domain).
Prefer environment variables for secrets: flags show up in process listings.

EXIT CODES: 0 ok/enabled, 1 not in the wanted state, 2 bad input, 3 Salesforce/auth/network failure.",
        version = env!("CARGO_PKG_VERSION"),
        settings = settings.join("\n")
    )
}

/// Parses arguments (without the program name).
pub fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Cli, Error> {
    let mut args = args.into_iter();
    let mut command: Option<String> = None;
    let mut json = false;
    let mut help = false;
    let mut version = false;
    let mut overrides = Vec::new();
    let mut rest: Vec<OsString> = Vec::new();
    while let Some(arg) = args.next() {
        let Some(text) = arg.to_str().map(str::to_string) else {
            return Err(Error::usage("arguments must be valid UTF-8"));
        };
        if text == "--" {
            rest.extend(args.by_ref());
            break;
        }
        if let Some(flag) = text.strip_prefix("--") {
            let (name, inline) = match flag.split_once('=') {
                Some((n, v)) => (n.to_string(), Some(v.to_string())),
                None => (flag.to_string(), None),
            };
            match name.as_str() {
                "json" => json = true,
                "help" => help = true,
                "version" => version = true,
                "dry-run" | "heal" => {
                    overrides.push((name.clone(), inline.unwrap_or_else(|| "true".into())))
                }
                n if SETTING_NAMES.contains(&n) => {
                    let value = match inline {
                        Some(v) => v,
                        None => args
                            .next()
                            .and_then(|v| v.into_string().ok())
                            .ok_or_else(|| Error::usage(format!("--{n} needs a value")))?,
                    };
                    overrides.push((n.to_string(), value));
                }
                other => return Err(Error::usage(format!("unknown flag --{other}"))),
            }
        } else if text == "-h" {
            help = true;
        } else if text == "-V" {
            version = true;
        } else if text.starts_with('-') && text.len() > 1 {
            return Err(Error::usage(format!("unknown flag {text}")));
        } else if command.is_none() {
            command = Some(text);
        } else if command.as_deref() == Some("run") {
            // `run CMD ARGS...` without `--`: everything from here on is the command.
            rest.push(arg);
            rest.extend(args.by_ref());
            break;
        } else {
            return Err(Error::usage(format!("unexpected argument `{text}`")));
        }
    }
    let command = match (help, version, command.as_deref()) {
        (true, _, _) => Command::Help,
        (_, true, _) => Command::Version,
        (_, _, None) => {
            return Err(Error::usage(
                "no command given: use status, check, enable, disable or run",
            ));
        }
        (_, _, Some("status")) => Command::Status { json },
        (_, _, Some("check")) => Command::Check { json },
        (_, _, Some("enable")) => Command::Enable,
        (_, _, Some("disable")) => Command::Disable,
        (_, _, Some("run")) if rest.is_empty() => {
            return Err(Error::usage(
                "run needs a command: storeconnect-triggers run -- CMD [ARGS]",
            ));
        }
        (_, _, Some("run")) => Command::Run { argv: rest.clone() },
        (_, _, Some(other)) => {
            return Err(Error::usage(format!(
                "unknown command `{other}`: use status, check, enable, disable or run"
            )));
        }
    };
    if json && !matches!(command, Command::Status { .. } | Command::Check { .. }) {
        return Err(Error::usage("--json goes with status or check"));
    }
    if !rest.is_empty() && !matches!(command, Command::Run { .. }) {
        return Err(Error::usage("arguments after -- go with run"));
    }
    Ok(Cli { command, overrides })
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
mod tests {
    use super::*;

    fn p(args: &[&str]) -> Result<Cli, Error> {
        parse(args.iter().map(OsString::from))
    }

    #[test]
    fn commands_and_flags() {
        assert_eq!(
            p(&["status", "--json"]).unwrap().command,
            Command::Status { json: true }
        );
        let cli = p(&[
            "--timeout",
            "5",
            "enable",
            "--dry-run",
            "--setting-type=s_c__Setting__mdt",
        ])
        .unwrap();
        assert_eq!(cli.command, Command::Enable);
        assert_eq!(
            cli.overrides,
            vec![
                ("timeout".into(), "5".into()),
                ("dry-run".into(), "true".into()),
                ("setting-type".into(), "s_c__Setting__mdt".into())
            ]
        );
        let run = p(&["run", "--", "sh", "-c", "exit 3"]).unwrap();
        assert_eq!(
            run.command,
            Command::Run {
                argv: ["sh", "-c", "exit 3"].map(OsString::from).to_vec()
            }
        );
        let run = p(&["run", "make", "--load"]).unwrap();
        assert_eq!(
            run.command,
            Command::Run {
                argv: ["make", "--load"].map(OsString::from).to_vec()
            }
        );
    }

    #[test]
    fn check_command_and_its_flags() {
        let cli = p(&["check", "--json", "--heal", "--max-disabled-minutes", "30"]).unwrap();
        assert_eq!(cli.command, Command::Check { json: true });
        assert_eq!(
            cli.overrides,
            vec![
                ("heal".into(), "true".into()),
                ("max-disabled-minutes".into(), "30".into())
            ]
        );
        let cli = p(&["check", "--heal=false"]).unwrap();
        assert_eq!(cli.overrides, vec![("heal".into(), "false".into())]);
        assert!(matches!(
            p(&["check", "--max-disabled-minutes"]),
            Err(Error::Usage(_))
        ));
    }

    #[test]
    fn rejects_bad_input() {
        for bad in [
            &[][..],
            &["frobnicate"],
            &["status", "--nope"],
            &["run"],
            &["enable", "--json"],
            &["status", "extra"],
            &["status", "--timeout"],
        ] {
            assert!(matches!(p(bad), Err(Error::Usage(_))), "{bad:?}");
        }
    }

    #[test]
    fn the_command_can_come_from_the_environment() {
        let env = |args: &[&str], value: Option<&str>| {
            args_or_env_command(
                args.iter().map(OsString::from).collect(),
                value.map(OsString::from),
            )
        };
        for name in ENV_COMMANDS {
            assert_eq!(env(&[], Some(name)).unwrap(), vec![OsString::from(name)]);
        }
        assert_eq!(
            env(&[], Some(" disable\n")).unwrap(),
            vec![OsString::from("disable")]
        );
        // Arguments win; unset or blank leaves them (and so "no command given") alone.
        assert_eq!(
            env(&["status"], Some("disable")).unwrap(),
            vec![OsString::from("status")]
        );
        assert!(env(&[], None).unwrap().is_empty());
        assert!(env(&[], Some("  ")).unwrap().is_empty());
        for bad in ["run", "frobnicate", "--help", "status --json", "help"] {
            assert!(matches!(env(&[], Some(bad)), Err(Error::Usage(_))), "{bad}");
        }
    }
}
