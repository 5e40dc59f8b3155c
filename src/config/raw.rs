//! [`RawSettings`]: the settings as text, read from `STORECONNECT_*` / `INPUT_*` variables and
//! flags by the names in [`super::settings::SETTINGS`], before validation.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};

use super::env::EnvSettings;
use super::settings::{self, Setting};
use crate::error::Error;
use crate::secret::Secret;

/// Longest value any setting takes (a 4096-bit PEM key is about 3.3 KB).
pub(crate) const MAX_VALUE_CHARS: usize = 16 * 1024;

/// Raw settings, all optional text; empty values count as unset.
#[derive(Default, Clone)]
pub struct RawSettings {
    /// Set values by setting name; every value is kept as a [`Secret`] so none can leak by accident.
    values: BTreeMap<&'static str, Secret>,
    /// Where each set value came from: its variable (`STORECONNECT_ACCESS_TOKEN`) or flag.
    sources: BTreeMap<&'static str, String>,
    /// Where relative paths start (the action's workspace); `None`: the current directory.
    base_dir: Option<PathBuf>,
    /// The action's `mode` input (unused by the CLI).
    pub(crate) mode: Option<String>,
}

impl fmt::Debug for RawSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for (name, value) in &self.values {
            match settings::find(name) {
                Some(s) if !s.secret => map.entry(name, &value.expose()),
                _ => map.entry(name, value),
            };
        }
        map.entry(&MODE, &self.mode).finish()
    }
}

impl RawSettings {
    /// Reads settings from `(name, value)` pairs whose names start with `prefix`
    /// (`STORECONNECT_` or `INPUT_`) through envy (`EnvSettings`). Empty and whitespace-only
    /// values are dropped; two variables for one setting (`INPUT_DRY_RUN`, `INPUT_DRY-RUN`) are
    /// refused by name.
    pub fn from_pairs(
        prefix: &str,
        pairs: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, Error> {
        let mut seen: BTreeMap<&'static str, String> = BTreeMap::new();
        let mut fields = Vec::new();
        for (key, value) in pairs {
            let Some(rest) = key.strip_prefix(prefix) else {
                continue;
            };
            // Only our own names: stray INPUT_ENTRYPOINT etc. are noise.
            let Some(name) = our_name(rest) else {
                continue;
            };
            // A secret pasted with a trailing newline must not become an invalid header.
            let value = value.trim();
            if value.is_empty() {
                continue;
            }
            check_size(&key, value)?;
            if let Some(first) = seen.insert(name, key.clone()) {
                return Err(Error::usage(format!(
                    "cannot read settings from {prefix}* variables: {first} and {key} both set {name}; keep one"
                )));
            }
            fields.push((name.replace('-', "_"), value.to_string()));
        }
        let env = EnvSettings::read(prefix, fields)?;
        let mut raw = RawSettings {
            mode: env.mode.clone(),
            ..RawSettings::default()
        };
        for (field, value) in env.into_entries() {
            let (Some(value), Some(setting)) = (value, settings::by_variable(field)) else {
                continue;
            };
            raw.values.insert(setting.name, value);
            if let Some(source) = seen.remove(setting.name) {
                raw.sources.insert(setting.name, source);
            }
        }
        Ok(raw)
    }

    /// Reads `STORECONNECT_*` from the process environment.
    pub(crate) fn from_env() -> Result<Self, Error> {
        Self::from_env_prefixed("STORECONNECT_")
    }

    /// Reads the settings named `prefix` + name from the process environment. Variables that
    /// are not ours are ignored whatever bytes they hold; one of ours that is not UTF-8 is a
    /// configuration error naming the variable (never its value, which may be a secret).
    pub(crate) fn from_env_prefixed(prefix: &str) -> Result<Self, Error> {
        Self::from_pairs(prefix, env_pairs(prefix, std::env::vars_os())?)
    }

    /// Reads the action's inputs (`INPUT_*`); relative paths start at the workspace.
    pub(crate) fn from_action_inputs() -> Result<Self, Error> {
        let mut raw = Self::from_env_prefixed("INPUT_")?;
        if let Some(name) = raw.sources.get("target-org") {
            return Err(Error::usage(format!(
                "{name}: target-org works with the command-line tool only; the action's container cannot see the runner's Salesforce CLI login. Store the org's SFDX auth URL (`sf org auth show-sfdx-auth-url --target-org ALIAS --json`, result.sfdxAuthUrl) in a secret and pass it as auth-url, or sign in with JWT"
            )));
        }
        raw.base_dir = std::env::var_os("GITHUB_WORKSPACE").map(PathBuf::from);
        Ok(raw)
    }

    /// Sets one setting by its kebab-case name (a flag overriding the environment).
    /// An empty flag counts as unset: it leaves the environment's value in place.
    pub fn set(&mut self, name: &str, value: String) -> Result<(), Error> {
        check_size(&format!("--{name}"), &value)?;
        let Some(setting) = settings::find(name) else {
            return Err(Error::usage(format!("unknown setting `{name}`")));
        };
        let value = value.trim();
        if !value.is_empty() {
            self.values.insert(setting.name, Secret::new(value));
            self.sources.insert(setting.name, setting.flag.to_string());
        }
        Ok(())
    }

    /// Where the setting `name` was set: its variable or flag (the name itself when unset).
    pub(crate) fn source<'a>(&'a self, name: &'a str) -> &'a str {
        self.sources.get(name).map_or(name, String::as_str)
    }

    /// The setting `name` as a path: relative paths start at the action's workspace, or for the
    /// command line at the current directory.
    pub(crate) fn path(&self, name: &str) -> Option<PathBuf> {
        let path = Path::new(self.get(name)?);
        Some(match &self.base_dir {
            Some(base) if path.is_relative() => base.join(path),
            _ => path.to_path_buf(),
        })
    }

    /// The value of the setting `name`, if set (not its default).
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(Secret::expose)
    }

    /// The value of the setting `name` as a secret, if set.
    pub(crate) fn secret(&self, name: &str) -> Option<&Secret> {
        self.values.get(name)
    }

    /// The value of `setting`, or its default from the table.
    pub(crate) fn get_or_default(&self, setting: &Setting) -> Option<&str> {
        self.get(setting.name).or(setting.default)
    }

    /// The access token, when one was given (to mask it before anything else happens).
    pub(crate) fn access_token(&self) -> Option<&Secret> {
        self.secret("access-token")
    }
}

/// The action's `mode` input: read beside the settings, but not one of them.
const MODE: &str = "mode";

/// The name a variable's rest after its prefix stands for (`INSTANCE_URL` → `instance-url`,
/// `MODE` → `mode`), if it is one of ours.
fn our_name(rest: &str) -> Option<&'static str> {
    match settings::by_variable(rest) {
        Some(s) => Some(s.name),
        None => rest.eq_ignore_ascii_case(MODE).then_some(MODE),
    }
}

/// Whether `key` (e.g. `STORECONNECT_ACCESS_TOKEN`, `INPUT_ACCESS-TOKEN`) names one of our settings.
fn is_our_name(prefix: &str, key: &str) -> bool {
    key.strip_prefix(prefix).and_then(our_name).is_some()
}

/// Our variables as text, from raw OS pairs. `std::env::vars()` would panic on the first
/// non-UTF-8 variable of any program; only ours matter, and a bad one of ours is exit 2.
pub(crate) fn env_pairs(
    prefix: &str,
    vars: impl IntoIterator<Item = (OsString, OsString)>,
) -> Result<Vec<(String, String)>, Error> {
    let mut pairs = Vec::new();
    for (key, value) in vars {
        // A name that is not UTF-8 cannot be one of ours.
        let Some(key) = key.to_str().filter(|k| is_our_name(prefix, k)) else {
            continue;
        };
        match value.into_string() {
            Ok(value) => pairs.push((key.to_string(), value)),
            Err(_) => {
                return Err(Error::usage(format!(
                    "{key} is not valid UTF-8 text; set it again from the original value (its content is not shown: it may be a secret)"
                )));
            }
        }
    }
    Ok(pairs)
}

/// Refuses a value longer than any setting can use, without quoting it (it may be a secret).
pub(crate) fn check_size(name: &str, value: &str) -> Result<(), Error> {
    let chars = value.chars().count();
    if chars > MAX_VALUE_CHARS {
        return Err(Error::usage(format!(
            "{name} is {chars} characters long; no setting takes more than {MAX_VALUE_CHARS} (its content is not shown)"
        )));
    }
    Ok(())
}
