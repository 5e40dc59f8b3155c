//! Settings: one table ([`settings::SETTINGS`]) names them all; [`RawSettings`] reads them from
//! the environment (`STORECONNECT_*` for the CLI, `INPUT_*` for the action) and flags; [`Config`]
//! is the validated result, built before any network request.

use std::time::Duration;

use crate::error::Error;
use crate::salesforce::auth::Credentials;
use crate::setting::Pins;

mod env;
mod raw;
pub(crate) mod settings;
mod sign_in;
mod validate;

use raw::MAX_VALUE_CHARS;
pub use raw::RawSettings;
pub use settings::SETTING_NAMES;
use settings::{MAX_DISABLED_MINUTES_LIMIT, MAX_TIMEOUT_SECS, Setting};
use sign_in::SignIn;
pub(crate) use validate::api_name;
use validate::parse_bool;

/// Validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// How to sign in.
    pub(crate) credentials: Credentials,
    /// API version, e.g. `66.0`.
    pub(crate) api_version: String,
    /// Pinned names.
    pub(crate) pins: Pins,
    /// Deadline for each Salesforce operation.
    pub(crate) timeout: Duration,
    /// Find and read, report, change nothing.
    pub(crate) dry_run: bool,
    /// Health check: triggers off for less than this many minutes pass with a warning.
    pub(crate) max_disabled_minutes: u64,
    /// Health check: past the grace window, turn the triggers on (and still fail).
    pub(crate) heal: bool,
}

/// The table entry of a setting this module knows exists.
fn setting(name: &str) -> &'static Setting {
    settings::find(name).expect("a setting of the table")
}

/// The value of `name`, or its default (every setting read this way has one).
fn value<'a>(raw: &'a RawSettings, name: &str) -> &'a str {
    raw.get_or_default(setting(name)).unwrap_or_default()
}

impl Config {
    /// Validates raw settings. Every error here is a configuration error (exit 2).
    pub fn from_raw(raw: RawSettings) -> Result<Config, Error> {
        let method = SignIn::choose(&raw)?;
        let timeout = validate::whole_number(
            setting("timeout"),
            value(&raw, "timeout"),
            1..=MAX_TIMEOUT_SECS,
            "seconds",
        )?;
        let api_version = validate::api_version(value(&raw, "api-version"))?;
        let credentials = method.credentials(&raw, Duration::from_secs(timeout))?;
        let dry_run = parse_bool("dry-run", value(&raw, "dry-run"))?;
        let pin = |name: &str, suffix: &str| {
            raw.get(name)
                .map(|v| validate::api_name(name, v, suffix))
                .transpose()
        };
        let pins = Pins {
            setting_type: pin("setting-type", "__mdt")?,
            setting_record: pin("setting-record", "")?,
            setting_field: pin("setting-field", "__c")?,
        };
        let max_disabled_minutes = validate::whole_number(
            setting("max-disabled-minutes"),
            value(&raw, "max-disabled-minutes"),
            0..=MAX_DISABLED_MINUTES_LIMIT,
            "minutes",
        )?;
        let heal = parse_bool("heal", value(&raw, "heal"))?;
        Ok(Config {
            credentials,
            api_version,
            pins,
            timeout: Duration::from_secs(timeout),
            dry_run,
            max_disabled_minutes,
            heal,
        })
    }
}

#[cfg(test)]
mod tests;
