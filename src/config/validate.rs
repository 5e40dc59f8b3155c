//! Checks of single values: booleans, whole numbers, API versions and Salesforce API names.

use super::raw::check_size;
use super::settings::{Setting, bool_word};
use crate::error::Error;
use crate::outside::clip_counted;
use crate::setting::MAX_SHOWN_CHARS;

/// Longest namespace prefix Salesforce allows.
const MAX_NAMESPACE_CHARS: usize = 15;
/// Longest name part (without namespace prefix and `__mdt`/`__c` suffix) Salesforce allows.
const MAX_NAME_CHARS: usize = 40;

/// Refuses a value that goes into an HTTP header (a token, a client id or secret) when it holds
/// a control character, naming where it was set and never the value.
pub(crate) fn header_value(source: &str, value: &str) -> Result<(), Error> {
    match value.chars().position(char::is_control) {
        None => Ok(()),
        Some(at) => Err(Error::usage(format!(
            "{source} holds a control character (character {}); it goes into an HTTP header, so set it again without line breaks or other invisible characters (its content is not shown)",
            at + 1
        ))),
    }
}

/// Parses `true`/`false` (any case; also `1`/`0`, `yes`/`no`).
pub(crate) fn parse_bool(name: &str, value: &str) -> Result<bool, Error> {
    bool_word(value).ok_or_else(|| {
        Error::usage(format!(
            "{name} must be true or false, not `{}`",
            value.trim().to_ascii_lowercase()
        ))
    })
}

/// A whole number within `range`; `unit` names it in the error (e.g. "seconds").
pub(crate) fn whole_number(
    setting: &Setting,
    value: &str,
    range: std::ops::RangeInclusive<u64>,
    unit: &str,
) -> Result<u64, Error> {
    let value = value.trim();
    // Digits only: Rust would read `+5` as 5, which is not how the README writes a number.
    Some(value)
        .filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|v| v.parse::<u64>().ok())
        .filter(|n| range.contains(n))
        .ok_or_else(|| {
            Error::usage(format!(
                "{} `{value}` must be a whole number of {unit} from {} to {}",
                setting.name,
                range.start(),
                range.end()
            ))
        })
}

/// Normalises an API version: `v62.0` → `62.0`, `066.0` → `66.0`; refuses anything else.
pub(crate) fn api_version(value: &str) -> Result<String, Error> {
    let version = value.trim().trim_start_matches(['v', 'V']);
    // Digits only (no sign); leading zeros are dropped: `066.0` is sent as `66.0`.
    let major = version
        .split_once('.')
        .filter(|(major, minor)| {
            *minor == "0"
                && !major.is_empty()
                && major.len() <= 5
                && major.bytes().all(|b| b.is_ascii_digit())
        })
        .and_then(|(major, _)| major.parse::<u32>().ok())
        .filter(|m| (31..1000).contains(m));
    match major {
        Some(major) => Ok(format!("{major}.0")),
        None => Err(Error::usage(format!(
            "api-version `{}` must look like 66.0 (31.0 or later)",
            clip_counted(version, MAX_SHOWN_CHARS)
        ))),
    }
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
            clip_counted(value, MAX_SHOWN_CHARS)
        ))),
        None => Ok(()),
    }
}

/// An API name ending in `suffix` (any case; empty for none), within Salesforce's length rules.
pub(crate) fn api_name(setting: &str, value: &str, suffix: &str) -> Result<String, Error> {
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
