//! What Salesforce answered when a call failed: [`SfError`] in words a person can act on,
//! [`classify`] to decide whether a call is worth retrying, and the parsing of REST, SOAP and
//! OAuth error bodies with the hint table that says what to do next.

use std::fmt;

use super::xml;
use crate::outside::{Outside, one_line};

/// A failure reported by Salesforce or the network, in words a person can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SfError {
    /// What was tried, e.g. "readMetadata of CustomMetadata s_c__Setting.s_c__Triggers_Enabled".
    pub(crate) action: String,
    /// What came back, verbatim: HTTP status plus errorCode / faultcode / OAuth error and message.
    pub answer: String,
    /// The machine-readable code (errorCode, faultcode without prefix, OAuth `error`, statusCode).
    pub(crate) code: Option<String>,
    /// What the user should do next.
    pub(crate) hint: String,
}

impl fmt::Display for SfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Both parts may quote the org; shown on one line whatever slipped through unescaped.
        write!(
            f,
            "{} failed: {}",
            one_line(&self.action, MAX_ACTION_CHARS),
            one_line(&self.answer, MAX_ANSWER_CHARS)
        )
    }
}

impl std::error::Error for SfError {}

impl SfError {
    /// `action` failed with `answer`; `hint` says what to do next. No machine-readable code.
    pub(crate) fn new(
        action: impl Into<String>,
        answer: impl Into<String>,
        hint: impl Into<String>,
    ) -> Self {
        Self {
            action: action.into(),
            answer: answer.into(),
            code: None,
            hint: hint.into(),
        }
    }

    /// A 2xx answer whose body is not `format` (a proxy's page, a server that is not the org):
    /// `e` says why, and is quoted as outside text. The hint is [`API_HOST_HINT`].
    pub(crate) fn unreadable(
        action: impl Into<String>,
        status: u16,
        format: &str,
        e: impl fmt::Display,
    ) -> Self {
        let why = Outside::message(e.to_string());
        Self::new(
            action,
            format!("HTTP {status} with a body that is not {format} ({why})"),
            API_HOST_HINT,
        )
    }

    /// The same error with the machine-readable `code`.
    pub(crate) fn with_code(self, code: Option<String>) -> Self {
        Self { code, ..self }
    }

    /// The same error, its action named as a step of something larger: `during("verifying the
    /// change")` turns "query …" into "query … (verifying the change)".
    pub(crate) fn during(self, step: &str) -> Self {
        Self {
            action: format!("{} ({step})", self.action),
            ..self
        }
    }

    /// The same error with `hint` as what to do next.
    pub(crate) fn with_hint(self, hint: impl Into<String>) -> Self {
        Self {
            hint: hint.into(),
            ..self
        }
    }
}

/// The most characters of [`SfError::action`] its `Display` shows.
const MAX_ACTION_CHARS: usize = 600;
/// The most characters of [`SfError::answer`] its `Display` shows.
const MAX_ANSWER_CHARS: usize = 2_000;

/// Which API answered: decides how error bodies are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    /// `/services/oauth2/token`: JSON `{"error","error_description"}`.
    OAuth,
    /// REST: JSON array `[{"errorCode","message"}]`.
    Rest,
    /// Metadata SOAP: faults in a SOAP envelope.
    Soap,
}

/// Why a call did not succeed, as the caller must branch on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// Might succeed if sent again (network error, 429, 5xx without a SOAP fault, concurrency limit).
    Transient(SfError),
    /// `INVALID_SESSION_ID`: worth one re-authentication.
    SessionExpired(SfError),
    /// Will not succeed by repeating it.
    Permanent(SfError),
}

impl Failure {
    /// The error inside, whatever its kind.
    pub(crate) fn into_error(self) -> SfError {
        match self {
            Failure::Transient(e) | Failure::SessionExpired(e) | Failure::Permanent(e) => e,
        }
    }
}

/// Decides what an HTTP answer means. `None` = success (2xx).
pub fn classify(api: Api, status: u16, body: &str, action: &str) -> Option<Failure> {
    if (200..300).contains(&status) {
        return None;
    }
    let (code, message) = match api {
        Api::Soap => soap_fault(body),
        Api::Rest => rest_error(body),
        Api::OAuth => oauth_error(body),
    }
    .unwrap_or_else(|| (None, snippet(body)));
    // What the server said is outside text: quoted escaped to one line and clipped.
    let (code, message) = (code.map(|c| one_line(c.raw(), 100)), message.shown());
    let answer = match (&code, api) {
        (Some(c), Api::Soap) => format!("HTTP {status}, faultcode {c}: {message}"),
        (Some(c), Api::OAuth) => format!("HTTP {status}, {c}: {message}"),
        (Some(c), Api::Rest) => format!("HTTP {status}, errorCode {c}: {message}"),
        (None, _) if message.is_empty() => format!("HTTP {status} with an empty body"),
        (None, _) => format!("HTTP {status}: {message}"),
    };
    // The SOAP faultcode keeps its prefix in the answer (verbatim); branch on the local part.
    let local = code
        .as_deref()
        .map(|c| c.rsplit(':').next().unwrap_or(c).to_string());
    let error = SfError::new(
        action,
        answer,
        hint_for(api, status, local.as_deref(), &message),
    )
    .with_code(local.clone());
    let concurrency =
        local.as_deref() == Some("REQUEST_LIMIT_EXCEEDED") && message.contains("Concurrent");
    Some(match (local.as_deref(), status) {
        (Some("INVALID_SESSION_ID"), _) => Failure::SessionExpired(error),
        _ if concurrency => Failure::Transient(error),
        (Some("SERVER_UNAVAILABLE"), _) => Failure::Transient(error),
        (_, 429) => Failure::Transient(error),
        // A SOAP fault is a definite answer even with HTTP 500; only bare 5xx are retried.
        (Some(_), 500..=599) if api == Api::Soap => Failure::Permanent(error),
        (_, 500..=599) => Failure::Transient(error),
        _ => Failure::Permanent(error),
    })
}

/// An error's code and message as the server sent them.
type Said = (Option<Outside>, Outside);

fn soap_fault(body: &str) -> Option<Said> {
    let root = xml::parse(body).ok()?;
    let fault = root.find("Fault")?;
    let code = fault.child_text("faultcode")?.trim();
    let message = fault.child_text("faultstring").unwrap_or("").trim();
    Some((Some(Outside::name(code)), Outside::message(message)))
}

fn rest_error(body: &str) -> Option<Said> {
    let value: serde_json::Value = serde_json::from_str(body).ok()?;
    let first = match &value {
        serde_json::Value::Array(items) => items.first()?,
        other => other,
    };
    let code = first.get("errorCode")?.as_str()?;
    let message = first.get("message").and_then(|m| m.as_str()).unwrap_or("");
    Some((
        Some(Outside::name(code)),
        Outside::message(soql_reason(message)),
    ))
}

/// A SOQL error's message as Salesforce writes it (`\n<query>\n   ^\nERROR at Row:1:Column:N\n<why>`)
/// shown reason first: `<why> (ERROR at Row:1:Column:N)`. The query is already in the action, and
/// its echo and caret would push the reason past the clip. Any other message is kept as it is.
fn soql_reason(message: &str) -> String {
    let mut lines = message.lines().map(str::trim);
    let Some(position) = lines.find(|l| l.starts_with("ERROR at Row:")) else {
        return message.to_string();
    };
    let why: Vec<&str> = lines.filter(|l| !l.is_empty()).collect();
    if why.is_empty() {
        return message.to_string();
    }
    format!("{} ({position})", why.join(" "))
}

fn oauth_error(body: &str) -> Option<Said> {
    let value: serde_json::Value = serde_json::from_str(body).ok()?;
    let code = value.get("error")?.as_str()?;
    let message = value
        .get("error_description")
        .and_then(|m| m.as_str())
        .unwrap_or("");
    Some((Some(Outside::name(code)), Outside::message(message)))
}

/// The most characters of a body in no format we know that a message quotes.
const SNIPPET_CHARS: usize = 300;

/// The start of a body that is not in any format we know (an HTML error page, a proxy's answer),
/// its whitespace flattened.
fn snippet(body: &str) -> Outside {
    let flat: String = body
        .split_whitespace()
        .take(SNIPPET_CHARS)
        .collect::<Vec<_>>()
        .join(" ");
    Outside::message(one_line(&flat, SNIPPET_CHARS))
}

/// What to do when the token endpoint refuses a flow on this host ("not supported on this domain").
pub(crate) const MY_DOMAIN_HINT: &str = "the client credentials flow works only on the org's My Domain: set instance-url to https://<name>.my.salesforce.com";

/// What to do when the user may not read or change the setting's metadata (`INSUFFICIENT_ACCESS`).
pub(crate) const INSUFFICIENT_ACCESS_HINT: &str = "give the integration user 'Customize Application' and 'Modify Metadata Through Metadata API Functions' (or 'Modify All Data'), plus 'API Enabled'";

/// What to do when the token endpoint refuses the refresh token of an auth URL.
pub(crate) const REFRESH_TOKEN_HINT: &str = "the refresh token in auth-url was revoked, expired or rotated (a connected app that rotates refresh tokens invalidates the old one at each sign-in): create a new auth URL with `sf org auth show-sfdx-auth-url --target-org ALIAS --json` (result.sfdxAuthUrl) and store it, or switch to JWT, which needs no stored token";

/// What to do when an answer shows that instance-url is not the org's API host.
pub(crate) const API_HOST_HINT: &str = "check instance-url: it must be the org's API host";

/// What to do when a REST path was not found or answered in an unexpected shape.
pub(crate) const API_PATH_HINT: &str = "check instance-url and api-version";

fn hint_for(api: Api, status: u16, code: Option<&str>, message: &str) -> String {
    let text = match (code, api) {
        (Some("INVALID_SESSION_ID"), _) => {
            "the session was refused: give a fresh access token, or use auth-url, JWT or client credentials so the tool can sign in again; if the connected app issues JWT-based access tokens, turn that off (the Metadata API refuses them)"
        }
        (Some("INSUFFICIENT_ACCESS" | "INSUFFICIENT_ACCESS_OR_READONLY"), _) => {
            INSUFFICIENT_ACCESS_HINT
        }
        (Some("REQUEST_LIMIT_EXCEEDED"), _) if message.contains("Concurrent") => {
            "too many long-running API requests are in flight in this org: wait for other jobs to finish, then run again"
        }
        (Some("REQUEST_LIMIT_EXCEEDED"), _) => {
            "the org is out of API requests for today (its 24-hour allocation is used up; see Setup > System Overview): retrying would not help for hours; run again once the allocation recovers, or ask Salesforce to raise it"
        }
        (Some("API_DISABLED_FOR_ORG" | "API_CURRENTLY_DISABLED"), _) => {
            "the org or user may not use the API: check the edition and the user's 'API Enabled' permission"
        }
        (Some("INVALID_TYPE"), _) => {
            "the custom metadata type is unknown or invisible to this user: check setting-type, or grant the user access to the type (Customize Application or a custom metadata type permission)"
        }
        (Some("INVALID_FIELD"), _) => {
            "the field is unknown or invisible to this user: check setting-field (or leave it unset to discover it by label)"
        }
        (Some("UNSUPPORTED_API_VERSION"), _) => {
            "Salesforce has retired this API version: set api-version to a supported one, e.g. 66.0"
        }
        (Some("invalid_grant"), _) if message.contains("audience") => {
            "login-url decides the JWT audience: use https://login.salesforce.com for production and https://test.salesforce.com for sandboxes"
        }
        (Some("invalid_grant"), _) if message.contains("approved") => {
            "pre-authorize the user for the connected app: Permitted Users = 'Admin approved users are pre-authorized', then add the user's profile or a permission set"
        }
        (Some("invalid_grant"), _) if message.contains("refresh token") => REFRESH_TOKEN_HINT,
        (Some("invalid_grant"), _) if message.contains("domain") => MY_DOMAIN_HINT,
        (Some("invalid_grant"), _) => {
            "check the username, that the certificate uploaded to the connected app matches jwt-key, and the clock; or renew the credentials"
        }
        (Some("invalid_client_id"), _) => {
            "check client-id: it must be the connected app's consumer key"
        }
        (Some("invalid_client"), _) => {
            "check client-id and client-secret, and that the app allows this flow (client credentials need a Run As user)"
        }
        (Some("unsupported_grant_type"), _) => "enable this OAuth flow on the connected app",
        (_, Api::Rest) if status == 404 => API_PATH_HINT,
        (_, _) if status == 410 => {
            "Salesforce has retired this API version (HTTP 410 Gone): set api-version to a supported one, e.g. 66.0"
        }
        (_, _) if status == 429 || status >= 500 => {
            "Salesforce is busy or unavailable: check https://status.salesforce.com and run again"
        }
        _ => "read Salesforce's answer above; fix the named setting or permission and run again",
    };
    text.to_string()
}

#[cfg(test)]
mod tests;
