//! The `--help` text: commands from their table, then every setting from the table with its
//! default, then exit codes.

use super::COMMANDS;
use super::parse::SHORT_FLAGS;
use crate::config::settings::{Kind, SETTINGS};

/// The help text.
pub(crate) fn usage() -> String {
    let settings: Vec<String> = SETTINGS
        .iter()
        .map(|s| {
            let value = match s.kind {
                Kind::Bool => "[BOOL]",
                Kind::Number => "N",
                Kind::Url => "URL",
                Kind::Name => "NAME",
                Kind::Text if s.secret => "SECRET",
                Kind::Text => "TEXT",
            };
            let default = s
                .default
                .map(|d| format!(" (default {d})"))
                .unwrap_or_default();
            let short = SHORT_FLAGS
                .iter()
                .find(|(_, name)| *name == s.name)
                .map(|(flag, _)| format!("{flag}, "))
                .unwrap_or_default();
            format!(
                "  {:<31} {}{default}\n      {}",
                format!("{short}{} {value}", s.flag),
                s.env,
                s.help.replace('`', "")
            )
        })
        .collect();
    format!(
        "storeconnect-triggers {version} — keep StoreConnect's Salesforce sync triggers safe around maintenance jobs

USAGE:
{commands}

Every command takes --dry-run: find and read the setting, say what would change, change nothing.

SETTINGS (flag, or environment variable; flags win; empty values count as unset):
{settings}

BOOL is true/false (any case; also 1/0, yes/no): --dry-run alone means true; --dry-run=false and
--dry-run false also work.

Sign in with exactly one of: access-token + instance-url; auth-url (force://id:secret:token@host,
from sf org auth show-sfdx-auth-url --target-org ALIAS --json); target-org (a Salesforce CLI login:
asks sf, which must be on PATH); jwt-key or jwt-key-file + client-id + username [+ login-url];
client-secret + client-id + instance-url (My Domain). login-url is ignored by the methods that do not
use it. sf org display no longer prints secrets: a value that starts [REDACTED] is refused.
Prefer environment variables for secrets: flags show up in process listings.

Behind a proxy: HTTPS_PROXY=http://[USER:PASSWORD@]HOST:PORT, NO_PROXY=hosts reached directly;
a proxy that inspects TLS needs its CA: SSL_CERT_FILE=PEM file (see docs/network.md).

EXIT CODES: 0 ok/enabled, 1 not in the wanted state, 2 bad input, 3 Salesforce/auth/network failure.
  run: the command's own exit code (128+N when signal N stopped it) once the triggers are back
  on and verified; if restoring them failed, that failure's code (1 or 3) whatever the command
  did; 2 when CMD cannot be started (nothing is touched then).",
        version = env!("CARGO_PKG_VERSION"),
        commands = commands(),
        settings = settings.join("\n")
    )
}

/// The column where a command's description starts.
const ABOUT_COLUMN: usize = 44;

/// The usage lines of [`COMMANDS`]: the command, then what it does from [`ABOUT_COLUMN`] on (on
/// the next line when the command is too long to leave room).
fn commands() -> String {
    let mut text = String::new();
    for command in COMMANDS {
        let usage = format!("  storeconnect-triggers {} {}", command.name, command.args);
        let usage = usage.trim_end();
        text.push_str(usage);
        let mut pad = if usage.len() < ABOUT_COLUMN {
            ABOUT_COLUMN - usage.len()
        } else {
            text.push('\n');
            ABOUT_COLUMN
        };
        for line in command.about {
            text.extend(std::iter::repeat_n(' ', pad));
            text.push_str(line);
            text.push('\n');
            pad = ABOUT_COLUMN;
        }
    }
    text.pop();
    text
}
