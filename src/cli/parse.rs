//! Arguments → [`Cli`]: the command, its own flags, and setting flags from the table of settings.

use std::ffi::OsString;

use super::{COMMANDS, Cli, Command, names};
use crate::config::settings::{self, Kind};
use crate::error::Error;

/// Flags that are not settings.
const OWN_FLAGS: &[&str] = &["json", "help", "version"];

/// One-letter flags of settings, as the Salesforce CLI spells them: `-o ALIAS`.
pub(crate) const SHORT_FLAGS: &[(&str, &str)] = &[("-o", "target-org")];

/// Parses arguments (without the program name).
pub fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Cli, Error> {
    let mut args = args.into_iter().peekable();
    let mut command: Option<String> = None;
    let (mut json, mut help, mut version) = (false, false, false);
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
                Some((n, v)) => (n, Some(v.to_string())),
                None => (flag, None),
            };
            match name {
                "json" => json = true,
                "help" => help = true,
                "version" => version = true,
                _ => {
                    let Some(setting) = settings::find(name) else {
                        return Err(unknown_flag(&format!("--{name}")));
                    };
                    let value = match (inline, setting.kind) {
                        (Some(v), _) => v,
                        // `--dry-run true` as well as `--dry-run`; `--dry-run status` is the flag,
                        // then the command: only the boolean words are taken as its value.
                        // After `run`, the next word is the command to run (`run --dry-run true`).
                        (None, Kind::Bool) => {
                            let takes = |v: &OsString| {
                                command.as_deref() != Some("run")
                                    && v.to_str().is_some_and(settings::is_bool_word)
                            };
                            match args.next_if(takes) {
                                Some(v) => v.to_string_lossy().into_owned(),
                                None => "true".into(),
                            }
                        }
                        (None, _) => {
                            args.next()
                                .and_then(|v| v.into_string().ok())
                                .ok_or_else(|| {
                                    Error::usage(format!("{} needs a value", setting.flag))
                                })?
                        }
                    };
                    overrides.push((setting.name.to_string(), value));
                }
            }
        } else if let Some((flag, name)) = SHORT_FLAGS.iter().find(|(f, _)| *f == text) {
            let value = args
                .next()
                .and_then(|v| v.into_string().ok())
                .ok_or_else(|| Error::usage(format!("{flag} (--{name}) needs a value")))?;
            overrides.push((name.to_string(), value));
        } else if text == "-h" {
            help = true;
        } else if text == "-V" {
            version = true;
        } else if text.starts_with('-') && text.len() > 1 {
            return Err(unknown_flag(&text));
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
    let named = command.as_deref();
    let command = match (help, version, named) {
        (true, _, _) | (_, _, Some("help")) => Command::Help,
        (_, true, _) => Command::Version,
        (_, _, None) => {
            return Err(Error::usage(format!(
                "no command given: use {}",
                names(|c| c.name != "help")
            )));
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
            let hint = closest(other, COMMANDS.iter().map(|c| c.name))
                .map(|c| format!(" (did you mean {c}?)"))
                .unwrap_or_default();
            return Err(Error::usage(format!(
                "unknown command `{other}`{hint}: use {}",
                names(|_| true)
            )));
        }
    };
    let takes_json = match command {
        // `status --json --help` asks for help, whatever came with it.
        Command::Help => true,
        Command::Version => false,
        _ => COMMANDS.iter().any(|c| c.json && Some(c.name) == named),
    };
    if json && !takes_json {
        return Err(Error::usage(format!(
            "--json goes with {}",
            names(|c| c.json)
        )));
    }
    if !rest.is_empty() && !matches!(command, Command::Run { .. }) {
        return Err(Error::usage("arguments after -- go with run"));
    }
    Ok(Cli { command, overrides })
}

/// "unknown flag --nope", with the closest known flag when one is near.
fn unknown_flag(flag: &str) -> Error {
    let known = OWN_FLAGS
        .iter()
        .copied()
        .chain(settings::SETTINGS.iter().map(|s| s.name));
    let name = flag.trim_start_matches('-');
    match closest(name, known) {
        Some(near) => Error::usage(format!("unknown flag {flag} (did you mean --{near}?)")),
        None => Error::usage(format!("unknown flag {flag}")),
    }
}

/// The candidate nearest to `word` by edit distance, if it is near enough to be a typo
/// (at most 2 edits, and fewer than the word has characters), or one that `word` begins.
pub(crate) fn closest<'a>(
    word: &str,
    candidates: impl Iterator<Item = &'a str>,
) -> Option<&'a str> {
    let word = word.to_ascii_lowercase();
    candidates
        .map(|c| (edit_distance(&word, c), c))
        .filter(|(d, c)| {
            (*d <= 2 && *d < word.chars().count()) || (word.len() >= 3 && c.starts_with(&word))
        })
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Levenshtein distance, counting characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let next = (diagonal + usize::from(ca != *cb))
                .min(row[j] + 1)
                .min(row[j + 1] + 1);
            diagonal = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}
