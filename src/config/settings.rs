//! THE list of settings. Flag parsing, `STORECONNECT_*` and `INPUT_*` reading, `--help` and the
//! README's settings table all come from [`SETTINGS`]; a test keeps the README in sync.

/// Default login host for the JWT bearer flow.
pub(crate) const DEFAULT_LOGIN_URL: &str = "https://login.salesforce.com";
/// Default API version for REST and Metadata calls (Spring '26).
pub(crate) const DEFAULT_API_VERSION: &str = "66.0";
/// Largest `timeout` accepted, in seconds: one day.
pub(crate) const MAX_TIMEOUT_SECS: u64 = 86_400;
/// Largest `max-disabled-minutes` accepted: one year.
pub(crate) const MAX_DISABLED_MINUTES_LIMIT: u64 = 525_600;

/// What kind of value a setting takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `true`/`false` (see [`TRUE_WORDS`] and [`FALSE_WORDS`]); as a flag, the value may be left out.
    Bool,
    /// A whole number.
    Number,
    /// An `https://` URL (plain http only for loopback hosts).
    Url,
    /// A Salesforce API name.
    Name,
    /// Free text (ids, usernames, credentials).
    Text,
}

/// One setting: every name it goes by, its default and what it means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Setting {
    /// Kebab-case name, as used in error messages, e.g. `instance-url`.
    pub(crate) name: &'static str,
    /// Environment variable of the CLI, e.g. `STORECONNECT_INSTANCE_URL`.
    pub env: &'static str,
    /// The action's input (`with:`), e.g. `instance-url`; the runner passes it as `INPUT_INSTANCE-URL`.
    pub(crate) input: &'static str,
    /// The command-line flag, e.g. `--instance-url`.
    pub flag: &'static str,
    /// The value used when the setting is unset, if any.
    pub(crate) default: Option<&'static str>,
    /// A credential: never shown in `Debug` output, logs or errors.
    pub(crate) secret: bool,
    /// What kind of value it takes.
    pub(crate) kind: Kind,
    /// What it means (Markdown: backticks are dropped for `--help`).
    pub(crate) help: &'static str,
}

macro_rules! setting {
    ($name:literal, $env:literal, $kind:ident, $default:expr, $secret:literal, $help:literal) => {
        Setting {
            name: $name,
            env: concat!("STORECONNECT_", $env),
            input: $name,
            flag: concat!("--", $name),
            default: $default,
            secret: $secret,
            kind: Kind::$kind,
            help: $help,
        }
    };
}

/// How many settings there are.
pub(crate) const COUNT: usize = 18;

/// Every setting, in the order `--help` and the README list them.
pub const SETTINGS: [Setting; COUNT] = [
    setting!(
        "instance-url",
        "INSTANCE_URL",
        Url,
        None,
        false,
        "the org's URL (with an access token or client credentials)"
    ),
    setting!(
        "access-token",
        "ACCESS_TOKEN",
        Text,
        None,
        true,
        "an access token (cannot be renewed when it expires)"
    ),
    setting!(
        "auth-url",
        "AUTH_URL",
        Text,
        None,
        true,
        "SFDX auth URL `force://<clientId>:<clientSecret>:<refreshToken>@<host>` (`sf org auth show-sfdx-auth-url --json`)"
    ),
    setting!(
        "target-org",
        "TARGET_ORG",
        Text,
        None,
        false,
        "alias or username of a Salesforce CLI login (`sf org login web -a prod`), also `-o`: asks `sf` for the credentials (command line only)"
    ),
    setting!(
        "client-id",
        "CLIENT_ID",
        Text,
        None,
        false,
        "connected app consumer key (JWT, client credentials)"
    ),
    setting!(
        "client-secret",
        "CLIENT_SECRET",
        Text,
        None,
        true,
        "consumer secret (client credentials)"
    ),
    setting!(
        "username",
        "USERNAME",
        Text,
        None,
        false,
        "user to act as (JWT)"
    ),
    setting!(
        "jwt-key",
        "JWT_KEY",
        Text,
        None,
        true,
        "PEM private key text, PKCS#8 or PKCS#1 (JWT)"
    ),
    setting!(
        "jwt-key-file",
        "JWT_KEY_FILE",
        Text,
        None,
        false,
        "path of the PEM private key file instead of `jwt-key` (JWT; the action reads it relative to the workspace)"
    ),
    setting!(
        "login-url",
        "LOGIN_URL",
        Url,
        Some(DEFAULT_LOGIN_URL),
        false,
        "JWT login host; sandboxes `https://test.salesforce.com` or My Domain; the other methods ignore it"
    ),
    setting!(
        "api-version",
        "API_VERSION",
        Text,
        Some(DEFAULT_API_VERSION),
        false,
        "Salesforce API version, e.g. `66.0` (31.0 or later)"
    ),
    setting!(
        "setting-type",
        "SETTING_TYPE",
        Name,
        None,
        false,
        "pin the type, e.g. `s_c__Setting__mdt` (default: found by label)"
    ),
    setting!(
        "setting-record",
        "SETTING_RECORD",
        Name,
        None,
        false,
        "pin the record's QualifiedApiName, e.g. `s_c__Triggers_Enabled`"
    ),
    setting!(
        "setting-field",
        "SETTING_FIELD",
        Name,
        None,
        false,
        "pin the field, e.g. `s_c__Setting__c`"
    ),
    setting!(
        "timeout",
        "TIMEOUT",
        Number,
        Some("120"),
        false,
        "seconds per Salesforce operation (sign-in, reads, write, read-back), 1 to 86400"
    ),
    setting!(
        "dry-run",
        "DRY_RUN",
        Bool,
        Some("false"),
        false,
        "`true` to change nothing (`true`/`false`, any case; also `1`/`0`, `yes`/`no`)"
    ),
    setting!(
        "max-disabled-minutes",
        "MAX_DISABLED_MINUTES",
        Number,
        Some("0"),
        false,
        "`check`: triggers off for less than this many minutes pass with a warning (0 to 525600)"
    ),
    setting!(
        "heal",
        "HEAL",
        Bool,
        Some("false"),
        false,
        "`check`: turn the triggers on when found off past the window, and still exit 1"
    ),
];

const fn names() -> [&'static str; COUNT] {
    let mut out = [""; COUNT];
    let mut i = 0;
    while i < COUNT {
        out[i] = SETTINGS[i].name;
        i += 1;
    }
    out
}

/// Every setting's name (kebab-case), from [`SETTINGS`].
pub const SETTING_NAMES: &[&str] = &names();

/// The words a boolean setting accepts as true (any case).
pub(crate) const TRUE_WORDS: &[&str] = &["true", "1", "yes"];
/// The words a boolean setting accepts as false (any case).
pub(crate) const FALSE_WORDS: &[&str] = &["false", "0", "no"];

/// The setting named `name` (kebab-case).
pub(crate) fn find(name: &str) -> Option<&'static Setting> {
    SETTINGS.iter().find(|s| s.name == name)
}

/// The setting a variable names after its prefix (`INSTANCE_URL`, `instance-url`, any case).
pub(crate) fn by_variable(rest: &str) -> Option<&'static Setting> {
    find(&rest.to_ascii_lowercase().replace('_', "-"))
}

/// Whether `value` is one of the boolean words (any case, surrounding spaces allowed).
pub(crate) fn is_bool_word(value: &str) -> bool {
    bool_word(value).is_some()
}

/// The boolean a word means, if it is one of [`TRUE_WORDS`] or [`FALSE_WORDS`].
pub(crate) fn bool_word(value: &str) -> Option<bool> {
    let word = value.trim().to_ascii_lowercase();
    if TRUE_WORDS.contains(&word.as_str()) {
        Some(true)
    } else if FALSE_WORDS.contains(&word.as_str()) {
        Some(false)
    } else {
        None
    }
}

/// The README's settings table (header and one row per setting), as the README must hold it.
pub fn readme_table() -> String {
    let mut out =
        String::from("| Setting | Environment variable | Default | Meaning |\n|---|---|---|---|\n");
    for s in &SETTINGS {
        let default = s.default.map(|d| format!("`{d}`")).unwrap_or_default();
        out.push_str(&format!(
            "| `{}` | `{}` | {default} | {} |\n",
            s.flag, s.env, s.help
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_agree_with_each_other() {
        for s in &SETTINGS {
            assert_eq!(
                s.env,
                format!(
                    "STORECONNECT_{}",
                    s.name.to_ascii_uppercase().replace('-', "_")
                )
            );
            assert_eq!(s.flag, format!("--{}", s.name));
            assert_eq!(s.input, s.name);
            assert_eq!(by_variable(&s.env["STORECONNECT_".len()..]), Some(s));
            assert_eq!(by_variable(&s.input.to_ascii_uppercase()), Some(s));
            if s.kind == Kind::Bool {
                assert!(s.default.is_some_and(is_bool_word), "{}", s.name);
            }
        }
        assert_eq!(SETTING_NAMES.len(), COUNT);
        assert!(
            find("timeout")
                .unwrap()
                .help
                .contains(&format!("1 to {MAX_TIMEOUT_SECS}"))
        );
        assert!(
            find("max-disabled-minutes")
                .unwrap()
                .help
                .contains(&MAX_DISABLED_MINUTES_LIMIT.to_string())
        );
        assert_eq!(bool_word(" YES "), Some(true));
        assert_eq!(bool_word("status"), None);
    }
}
