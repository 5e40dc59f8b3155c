//! Settings: read from the environment (`STORECONNECT_*` for the CLI, `INPUT_*` for the action)
//! with envy, overridden by flags, then validated into a [`Config`] before any network request.

use std::time::Duration;

use serde::Deserialize;

use crate::error::Error;
use crate::salesforce::auth::{Credentials, JwtKey};
use crate::secret::Secret;
use crate::setting::Pins;
use crate::url_policy::secure_url;

/// Default login host for the JWT bearer flow.
pub const DEFAULT_LOGIN_URL: &str = "https://login.salesforce.com";
/// Default API version for REST and Metadata calls (Spring '26).
pub const DEFAULT_API_VERSION: &str = "66.0";
/// Default `timeout`, in seconds, for each Salesforce operation.
pub const DEFAULT_TIMEOUT_SECS: u64 = 120;

/// Every setting's name, as the action input (kebab-case); the env var is
/// `STORECONNECT_` + upper-case with `_` for `-`.
pub const SETTING_NAMES: &[&str] = &[
    "instance-url",
    "access-token",
    "auth-url",
    "client-id",
    "client-secret",
    "username",
    "jwt-key",
    "login-url",
    "api-version",
    "setting-type",
    "setting-record",
    "setting-field",
    "timeout",
    "dry-run",
    "max-disabled-minutes",
    "heal",
];

/// Largest `max-disabled-minutes` accepted: one year.
pub const MAX_DISABLED_MINUTES_LIMIT: u64 = 525_600;

/// Raw settings, all optional strings; empty values count as unset.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct RawSettings {
    #[serde(alias = "instance-url")]
    instance_url: Option<String>,
    #[serde(alias = "access-token")]
    access_token: Option<Secret>,
    #[serde(alias = "auth-url")]
    auth_url: Option<Secret>,
    #[serde(alias = "client-id")]
    client_id: Option<String>,
    #[serde(alias = "client-secret")]
    client_secret: Option<Secret>,
    username: Option<String>,
    #[serde(alias = "jwt-key")]
    jwt_key: Option<Secret>,
    #[serde(alias = "login-url")]
    login_url: Option<String>,
    #[serde(alias = "api-version")]
    api_version: Option<String>,
    #[serde(alias = "setting-type")]
    setting_type: Option<String>,
    #[serde(alias = "setting-record")]
    setting_record: Option<String>,
    #[serde(alias = "setting-field")]
    setting_field: Option<String>,
    timeout: Option<String>,
    #[serde(alias = "dry-run")]
    dry_run: Option<String>,
    /// The action's `mode` input (unused by the CLI).
    pub mode: Option<String>,
    #[serde(alias = "max-disabled-minutes")]
    max_disabled_minutes: Option<String>,
    heal: Option<String>,
}

impl RawSettings {
    /// Reads settings from `(name, value)` pairs whose names start with `prefix`
    /// (`STORECONNECT_` or `INPUT_`). Empty and whitespace-only values are dropped.
    pub fn from_pairs(
        prefix: &str,
        pairs: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, Error> {
        let pairs = pairs
            .into_iter()
            .filter(|(k, v)| k.starts_with(prefix) && !v.trim().is_empty())
            // A secret pasted with a trailing newline must not become an invalid header.
            .map(|(k, v)| (k, v.trim().to_string()))
            // Only our own names: envy would reject nothing, but stray INPUT_ENTRYPOINT etc. are noise.
            .filter(|(k, _)| is_our_name(prefix, k));
        let pairs: Vec<(String, String)> = pairs.collect();
        for (key, value) in &pairs {
            check_size(key, value)?;
        }
        envy::prefixed(prefix).from_iter(pairs).map_err(|e| {
            Error::usage(format!(
                "cannot read settings from {prefix}* variables: {e}"
            ))
        })
    }

    /// Reads `STORECONNECT_*` from the process environment.
    pub fn from_env() -> Result<Self, Error> {
        Self::from_env_prefixed("STORECONNECT_")
    }

    /// Reads the settings named `prefix` + name from the process environment. Variables that
    /// are not ours are ignored whatever bytes they hold; one of ours that is not UTF-8 is a
    /// configuration error naming the variable (never its value, which may be a secret).
    pub fn from_env_prefixed(prefix: &str) -> Result<Self, Error> {
        Self::from_pairs(prefix, env_pairs(prefix, std::env::vars_os())?)
    }

    /// Sets one setting by its kebab-case name (a flag overriding the environment).
    pub fn set(&mut self, name: &str, value: String) -> Result<(), Error> {
        check_size(&format!("--{name}"), &value)?;
        let value = Some(value.trim().to_string()).filter(|v| !v.is_empty());
        match name {
            "instance-url" => self.instance_url = value,
            "access-token" => self.access_token = value.map(Secret::new),
            "auth-url" => self.auth_url = value.map(Secret::new),
            "client-id" => self.client_id = value,
            "client-secret" => self.client_secret = value.map(Secret::new),
            "username" => self.username = value,
            "jwt-key" => self.jwt_key = value.map(Secret::new),
            "login-url" => self.login_url = value,
            "api-version" => self.api_version = value,
            "setting-type" => self.setting_type = value,
            "setting-record" => self.setting_record = value,
            "setting-field" => self.setting_field = value,
            "timeout" => self.timeout = value,
            "dry-run" => self.dry_run = value,
            "max-disabled-minutes" => self.max_disabled_minutes = value,
            "heal" => self.heal = value,
            other => return Err(Error::usage(format!("unknown setting `{other}`"))),
        }
        Ok(())
    }

    /// The access token, when one was given (to mask it before anything else happens).
    pub fn access_token(&self) -> Option<&Secret> {
        self.access_token.as_ref()
    }
}

/// Whether `key` (e.g. `STORECONNECT_ACCESS_TOKEN`, `INPUT_ACCESS-TOKEN`) names one of our settings.
fn is_our_name(prefix: &str, key: &str) -> bool {
    key.strip_prefix(prefix).is_some_and(|rest| {
        let name = rest.to_ascii_lowercase().replace('_', "-");
        name == "mode" || SETTING_NAMES.contains(&name.as_str())
    })
}

/// Our variables as text, from raw OS pairs. `std::env::vars()` would panic on the first
/// non-UTF-8 variable of any program; only ours matter, and a bad one of ours is exit 2.
pub fn env_pairs(
    prefix: &str,
    vars: impl IntoIterator<Item = (std::ffi::OsString, std::ffi::OsString)>,
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

/// Validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// How to sign in.
    pub credentials: Credentials,
    /// API version, e.g. `66.0`.
    pub api_version: String,
    /// Pinned names.
    pub pins: Pins,
    /// Deadline for each Salesforce operation.
    pub timeout: Duration,
    /// Find and read, report, change nothing.
    pub dry_run: bool,
    /// Health check: triggers off for less than this many minutes pass with a warning.
    pub max_disabled_minutes: u64,
    /// Health check: past the grace window, turn the triggers on (and still fail).
    pub heal: bool,
}

/// Parses `true`/`false` (any case; also `1`/`0`, `yes`/`no`).
pub fn parse_bool(name: &str, value: &str) -> Result<bool, Error> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" => Ok(true),
        "false" | "0" | "no" => Ok(false),
        other => Err(Error::usage(format!(
            "{name} must be true or false, not `{other}`"
        ))),
    }
}

/// Longest namespace prefix Salesforce allows.
pub const MAX_NAMESPACE_CHARS: usize = 15;
/// Longest name part (without namespace prefix and `__mdt`/`__c` suffix) Salesforce allows.
pub const MAX_NAME_CHARS: usize = 40;
/// Longest value any setting takes (a 4096-bit PEM key is about 3.3 KB).
pub const MAX_VALUE_CHARS: usize = 16 * 1024;

/// Refuses a value longer than any setting can use, without quoting it (it may be a secret).
fn check_size(name: &str, value: &str) -> Result<(), Error> {
    let chars = value.chars().count();
    if chars > MAX_VALUE_CHARS {
        return Err(Error::usage(format!(
            "{name} is {chars} characters long; no setting takes more than {MAX_VALUE_CHARS} (its content is not shown)"
        )));
    }
    Ok(())
}

/// Salesforce's length rules for an API name that already passed the character check:
/// an optional namespace prefix of at most 15 characters, a name of at most 40.
fn check_name_lengths(setting: &str, value: &str, suffix: &str) -> Result<(), Error> {
    let base = &value[..value.len() - suffix.len()];
    let (namespace, name) = match base.split_once("__") {
        Some((ns, name)) => (Some(ns), name),
        None => (None, base),
    };
    let problem = if name.contains("__") {
        Some("has more than one `__` before its suffix".to_string())
    } else if namespace.is_some_and(|ns| ns.is_empty() || ns.len() > MAX_NAMESPACE_CHARS) {
        Some(format!(
            "has a namespace prefix that is empty or longer than {MAX_NAMESPACE_CHARS} characters"
        ))
    } else if name.is_empty() || name.len() > MAX_NAME_CHARS || name.ends_with('_') {
        Some(format!(
            "has a name part that is empty, ends in `_` or is longer than Salesforce's {MAX_NAME_CHARS} characters"
        ))
    } else {
        None
    };
    match problem {
        Some(problem) => Err(Error::usage(format!(
            "{setting} `{}` {problem}; Salesforce API names look like s_c__Setting__mdt",
            crate::setting::clip(value)
        ))),
        None => Ok(()),
    }
}

fn check_api_name(setting: &str, value: &str, suffix: &str) -> Result<String, Error> {
    let value = value.trim();
    check_size(setting, value)?;
    let ok = value
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
        && value.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && value.to_ascii_lowercase().ends_with(suffix)
        && value.len() > suffix.len();
    if ok {
        check_name_lengths(setting, value, suffix)?;
        Ok(value.to_string())
    } else if suffix.is_empty() {
        Err(Error::usage(format!(
            "{setting} `{value}` is not an API name (letters, digits, _), e.g. s_c__Triggers_Enabled"
        )))
    } else {
        Err(Error::usage(format!(
            "{setting} `{value}` is not an API name ending in {suffix}"
        )))
    }
}

/// Client credentials work only on the org's My Domain: login and test hosts answer
/// `request not supported on this domain`, so refuse them before any request.
fn refuse_login_host_for_client_credentials(url: &reqwest::Url) -> Result<(), Error> {
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    if matches!(
        host.as_str(),
        "login.salesforce.com" | "test.salesforce.com" | "login.salesforce.mil"
    ) {
        return Err(Error::usage(format!(
            "instance-url `{host}` is a login host, but client credentials need the org's My Domain URL (https://<name>.my.salesforce.com, or https://<name>--<sandbox>.sandbox.my.salesforce.com); Salesforce refuses client credentials on login and test hosts"
        )));
    }
    Ok(())
}

impl Config {
    /// Validates raw settings. Every error here is a configuration error (exit 2).
    pub fn from_raw(raw: RawSettings) -> Result<Config, Error> {
        let methods: Vec<&str> = [
            raw.access_token.as_ref().map(|_| "access-token"),
            raw.auth_url.as_ref().map(|_| "auth-url"),
            raw.jwt_key.as_ref().map(|_| "jwt-key"),
            raw.client_secret.as_ref().map(|_| "client-secret"),
        ]
        .into_iter()
        .flatten()
        .collect();
        let method = match methods.as_slice() {
            [one] => *one,
            [] => {
                return Err(Error::usage(
                    "no Salesforce credentials: set exactly one of access-token (with instance-url), auth-url, jwt-key (with client-id and username) or client-secret (with client-id and instance-url)",
                ));
            }
            many => {
                return Err(Error::usage(format!(
                    "{} select different sign-in methods; set only one of access-token, auth-url, jwt-key, client-secret",
                    many.join(" and ")
                )));
            }
        };
        let present = |name: &str| -> bool {
            match name {
                "instance-url" => raw.instance_url.is_some(),
                "client-id" => raw.client_id.is_some(),
                "username" => raw.username.is_some(),
                _ => false,
            }
        };
        let (needed, foreign): (&[&str], &[&str]) = match method {
            "access-token" => (&["instance-url"], &["client-id", "username"]),
            "auth-url" => (&[], &["instance-url", "client-id", "username"]),
            "jwt-key" => (&["client-id", "username"], &["instance-url"]),
            _ => (&["client-id", "instance-url"], &["username"]),
        };
        let missing: Vec<&str> = needed.iter().copied().filter(|n| !present(n)).collect();
        if !missing.is_empty() {
            return Err(Error::usage(format!(
                "{method} also needs {}",
                missing.join(" and ")
            )));
        }
        let extra: Vec<&str> = foreign.iter().copied().filter(|n| present(n)).collect();
        if !extra.is_empty() {
            return Err(Error::usage(format!(
                "{} {} not used with {method}; remove {} (each sign-in method takes only its own settings)",
                extra.join(" and "),
                if extra.len() == 1 { "is" } else { "are" },
                if extra.len() == 1 { "it" } else { "them" }
            )));
        }
        let url = |name: &str, value: &Option<String>| -> Result<reqwest::Url, Error> {
            secure_url(name, value.as_deref().unwrap_or_default()).map_err(Error::Usage)
        };
        let credentials = match method {
            "access-token" => Credentials::AccessToken {
                instance_url: url("instance-url", &raw.instance_url)?,
                token: raw.access_token.clone().unwrap_or_else(|| Secret::new("")),
            },
            "auth-url" => Credentials::from_auth_url(
                raw.auth_url
                    .as_ref()
                    .map(Secret::expose)
                    .unwrap_or_default(),
            )
            .map_err(Error::Usage)?,
            "jwt-key" => Credentials::Jwt {
                login_url: url(
                    "login-url",
                    &Some(
                        raw.login_url
                            .clone()
                            .unwrap_or_else(|| DEFAULT_LOGIN_URL.into()),
                    ),
                )?,
                client_id: raw.client_id.clone().unwrap_or_default().trim().to_string(),
                username: raw.username.clone().unwrap_or_default().trim().to_string(),
                key: JwtKey::from_pem(raw.jwt_key.as_ref().map(Secret::expose).unwrap_or_default())
                    .map_err(Error::Usage)?,
            },
            _ => Credentials::ClientCredentials {
                instance_url: url("instance-url", &raw.instance_url)?,
                client_id: raw.client_id.clone().unwrap_or_default().trim().to_string(),
                client_secret: raw.client_secret.clone().unwrap_or_else(|| Secret::new("")),
            },
        };
        if let Credentials::ClientCredentials { instance_url, .. } = &credentials {
            refuse_login_host_for_client_credentials(instance_url)?;
        }
        if let Some(login) = &raw.login_url {
            secure_url("login-url", login).map_err(Error::Usage)?;
        }
        let api_version = raw
            .api_version
            .as_deref()
            .unwrap_or(DEFAULT_API_VERSION)
            .trim()
            .trim_start_matches(['v', 'V'])
            .to_string();
        // Digits only (no sign); leading zeros are dropped: `066.0` is sent as `66.0`.
        let major = api_version
            .split_once('.')
            .filter(|(major, minor)| {
                *minor == "0"
                    && !major.is_empty()
                    && major.len() <= 5
                    && major.bytes().all(|b| b.is_ascii_digit())
            })
            .and_then(|(major, _)| major.parse::<u32>().ok())
            .filter(|m| (31..1000).contains(m));
        let Some(major) = major else {
            return Err(Error::usage(format!(
                "api-version `{}` must look like 66.0 (31.0 or later)",
                crate::setting::clip(&api_version)
            )));
        };
        let api_version = format!("{major}.0");
        let timeout = match raw.timeout.as_deref().map(str::trim) {
            None => DEFAULT_TIMEOUT_SECS,
            Some(t) => t
                .parse::<u64>()
                .ok()
                .filter(|s| (1..=86_400).contains(s))
                .ok_or_else(|| {
                    Error::usage(format!(
                        "timeout `{t}` must be a whole number of seconds from 1 to 86400"
                    ))
                })?,
        };
        let dry_run = match &raw.dry_run {
            Some(v) => parse_bool("dry-run", v)?,
            None => false,
        };
        let pins = Pins {
            setting_type: raw
                .setting_type
                .as_deref()
                .map(|v| check_api_name("setting-type", v, "__mdt"))
                .transpose()?,
            setting_record: raw
                .setting_record
                .as_deref()
                .map(|v| check_api_name("setting-record", v, ""))
                .transpose()?,
            setting_field: raw
                .setting_field
                .as_deref()
                .map(|v| check_api_name("setting-field", v, "__c"))
                .transpose()?,
        };
        let (max_disabled_minutes, heal) = health_settings(&raw)?;
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

/// Validates the health-check settings: `max-disabled-minutes` (default 0) and `heal` (default false).
fn health_settings(raw: &RawSettings) -> Result<(u64, bool), Error> {
    let minutes = match raw.max_disabled_minutes.as_deref().map(str::trim) {
        None => 0,
        Some(m) => m
            .parse::<u64>()
            .ok()
            .filter(|m| *m <= MAX_DISABLED_MINUTES_LIMIT)
            .ok_or_else(|| {
                Error::usage(format!(
                    "max-disabled-minutes `{m}` must be a whole number of minutes from 0 to {MAX_DISABLED_MINUTES_LIMIT}"
                ))
            })?,
    };
    let heal = match &raw.heal {
        Some(v) => parse_bool("heal", v)?,
        None => false,
    };
    Ok((minutes, heal))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(pairs: &[(&str, &str)]) -> RawSettings {
        RawSettings::from_pairs(
            "STORECONNECT_",
            pairs
                .iter()
                .map(|(k, v)| (format!("STORECONNECT_{k}"), v.to_string())),
        )
        .unwrap()
    }

    #[test]
    fn reads_cli_and_action_names() {
        let r = raw(&[
            ("INSTANCE_URL", "https://x.my.salesforce.com"),
            ("ACCESS_TOKEN", "tok"),
            ("TIMEOUT", ""),
            ("OTHER", "x"),
        ]);
        let c = Config::from_raw(r).unwrap();
        assert!(matches!(c.credentials, Credentials::AccessToken { .. }));
        assert_eq!(c.timeout, Duration::from_secs(120));
        let input = RawSettings::from_pairs(
            "INPUT_",
            [
                ("INPUT_INSTANCE-URL", "https://x.my.salesforce.com"),
                ("INPUT_ACCESS-TOKEN", "tok"),
                ("INPUT_MODE", "check"),
                ("INPUT_ENTRYPOINT", ""),
            ]
            .map(|(k, v)| (k.to_string(), v.to_string())),
        )
        .unwrap();
        assert_eq!(input.mode.as_deref(), Some("check"));
        assert!(Config::from_raw(input).is_ok());
    }

    #[test]
    fn method_rules() {
        let err = |pairs: &[(&str, &str)]| Config::from_raw(raw(pairs)).unwrap_err().to_string();
        assert!(err(&[]).contains("no Salesforce credentials"));
        assert!(
            err(&[("ACCESS_TOKEN", "t"), ("AUTH_URL", "force://a:b:c@h")])
                .contains("access-token and auth-url")
        );
        assert!(err(&[("ACCESS_TOKEN", "t")]).contains("needs instance-url"));
        assert!(
            err(&[
                ("AUTH_URL", "force://a:b:c@h.my.salesforce.com"),
                ("USERNAME", "u")
            ])
            .contains("username is not used with auth-url")
        );
        assert!(err(&[("CLIENT_SECRET", "s"), ("CLIENT_ID", "c")]).contains("needs instance-url"));
        assert!(
            err(&[
                ("ACCESS_TOKEN", "t"),
                ("INSTANCE_URL", "http://x.example.com")
            ])
            .contains("plain http")
        );
        assert!(
            err(&[
                ("ACCESS_TOKEN", "t"),
                ("INSTANCE_URL", "https://x"),
                ("TIMEOUT", "0")
            ])
            .contains("timeout")
        );
        assert!(
            err(&[
                ("ACCESS_TOKEN", "t"),
                ("INSTANCE_URL", "https://x"),
                ("API_VERSION", "66")
            ])
            .contains("api-version")
        );
        assert!(
            err(&[
                ("ACCESS_TOKEN", "t"),
                ("INSTANCE_URL", "https://x"),
                ("SETTING_TYPE", "x' OR"),
            ])
            .contains("setting-type")
        );
        assert!(
            err(&[
                ("ACCESS_TOKEN", "t"),
                ("INSTANCE_URL", "https://x"),
                ("DRY_RUN", "maybe")
            ])
            .contains("dry-run")
        );
        // login-url is accepted with any method (the action always passes its default).
        assert!(
            Config::from_raw(raw(&[
                ("ACCESS_TOKEN", "t"),
                ("INSTANCE_URL", "https://x"),
                ("LOGIN_URL", DEFAULT_LOGIN_URL)
            ]))
            .is_ok()
        );
    }

    #[test]
    fn health_check_settings() {
        let base = [("ACCESS_TOKEN", "t"), ("INSTANCE_URL", "https://x")];
        let with = |extra: &[(&str, &str)]| {
            let mut pairs = base.to_vec();
            pairs.extend_from_slice(extra);
            Config::from_raw(raw(&pairs))
        };
        let c = with(&[]).unwrap();
        assert_eq!((c.max_disabled_minutes, c.heal), (0, false));
        let c = with(&[("MAX_DISABLED_MINUTES", " 90 "), ("HEAL", "TRUE")]).unwrap();
        assert_eq!((c.max_disabled_minutes, c.heal), (90, true));
        for bad in ["-1", "1.5", "soon", "525601"] {
            let e = with(&[("MAX_DISABLED_MINUTES", bad)]).unwrap_err();
            assert!(e.to_string().contains("max-disabled-minutes"), "{bad}: {e}");
        }
        assert!(
            with(&[("HEAL", "maybe")])
                .unwrap_err()
                .to_string()
                .contains("heal")
        );
    }

    #[test]
    fn input_limits() {
        let base = [("ACCESS_TOKEN", "t"), ("INSTANCE_URL", "https://x")];
        let with = |k: &'static str, v: &str| {
            let mut pairs: Vec<(&str, String)> =
                base.iter().map(|(k, v)| (*k, v.to_string())).collect();
            pairs.push((k, v.to_string()));
            let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
            Config::from_raw(raw(&pairs))
        };
        assert_eq!(with("API_VERSION", "066.0").unwrap().api_version, "66.0");
        assert_eq!(with("API_VERSION", "v62.0").unwrap().api_version, "62.0");
        for bad in [
            "+66.0",
            "66.00",
            "-66.0",
            "0066666.0",
            "66.0.0",
            " .0",
            "1e2.0",
        ] {
            assert!(with("API_VERSION", bad).is_err(), "{bad}");
        }
        let forty = "A".repeat(40);
        assert!(with("SETTING_RECORD", &forty).is_ok());
        assert!(with("SETTING_RECORD", &format!("s_c__{forty}")).is_ok());
        assert!(with("SETTING_TYPE", &format!("abcdefghijklmno__{forty}__mdt")).is_ok());
        for (key, bad) in [
            ("SETTING_RECORD", format!("{forty}B")),
            ("SETTING_TYPE", format!("s_c__{forty}B__mdt")),
            ("SETTING_FIELD", "abcdefghijklmnop__X__c".to_string()),
            ("SETTING_FIELD", "a__b__c__c".to_string()),
            ("SETTING_RECORD", "Trailing_".to_string()),
        ] {
            let err = with(key, &bad).unwrap_err();
            assert!(matches!(err, Error::Usage(_)), "{bad}: {err}");
        }
        let huge = "S".repeat(MAX_VALUE_CHARS + 1);
        let err = raw_err(&[("ACCESS_TOKEN", &huge)]);
        assert!(
            err.contains("STORECONNECT_ACCESS_TOKEN is 16385 characters long"),
            "{err}"
        );
        assert!(!err.contains("SSSS"));
        let mut flags = RawSettings::default();
        assert!(flags.set("client-id", huge.clone()).is_err());
    }

    fn raw_err(pairs: &[(&str, &str)]) -> String {
        RawSettings::from_pairs(
            "STORECONNECT_",
            pairs
                .iter()
                .map(|(k, v)| (format!("STORECONNECT_{k}"), v.to_string())),
        )
        .unwrap_err()
        .to_string()
    }

    #[test]
    fn secrets_stay_hidden_in_debug() {
        let r = raw(&[
            ("CLIENT_SECRET", "SUPERSECRET"),
            ("CLIENT_ID", "c"),
            ("INSTANCE_URL", "https://x"),
        ]);
        assert!(!format!("{r:?}").contains("SUPERSECRET"));
        assert!(!format!("{:?}", Config::from_raw(r).unwrap()).contains("SUPERSECRET"));
    }
}
