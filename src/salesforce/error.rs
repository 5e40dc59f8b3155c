//! What Salesforce answered when a call failed: [`SfError`] in words a person can act on,
//! [`classify`] to decide whether a call is worth retrying, and the parsing of REST, SOAP and
//! OAuth error bodies with the hint table that says what to do next.

use std::fmt;

use super::xml;

/// A failure reported by Salesforce or the network, in words a person can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SfError {
    /// What was tried, e.g. "readMetadata of CustomMetadata s_c__Setting.s_c__Triggers_Enabled".
    pub action: String,
    /// What came back, verbatim: HTTP status plus errorCode / faultcode / OAuth error and message.
    pub answer: String,
    /// The machine-readable code (errorCode, faultcode without prefix, OAuth `error`, statusCode).
    pub code: Option<String>,
    /// What the user should do next.
    pub hint: String,
}

impl fmt::Display for SfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} failed: {}", self.action, self.answer)
    }
}

impl std::error::Error for SfError {}

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
    pub fn into_error(self) -> SfError {
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
        Api::Soap => soap_fault(body).unwrap_or_else(|| (None, snippet(body))),
        Api::Rest => rest_error(body).unwrap_or_else(|| (None, snippet(body))),
        Api::OAuth => oauth_error(body).unwrap_or_else(|| (None, snippet(body))),
    };
    // An error message is quoted verbatim, but not at any length.
    let (code, message) = (code.map(|c| clip_text(&c, 100)), clip_text(&message, 500));
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
    let error = SfError {
        action: action.to_string(),
        hint: hint_for(api, status, local.as_deref(), &message),
        answer,
        code: local.clone(),
    };
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

fn soap_fault(body: &str) -> Option<(Option<String>, String)> {
    let root = xml::parse(body).ok()?;
    let fault = root.find("Fault")?;
    let code = fault.child_text("faultcode")?.trim().to_string();
    let message = fault
        .child_text("faultstring")
        .unwrap_or("")
        .trim()
        .to_string();
    Some((Some(code), message))
}

fn rest_error(body: &str) -> Option<(Option<String>, String)> {
    let value: serde_json::Value = serde_json::from_str(body).ok()?;
    let first = match &value {
        serde_json::Value::Array(items) => items.first()?,
        other => other,
    };
    let code = first.get("errorCode")?.as_str()?.to_string();
    let message = first
        .get("message")
        .and_then(|m| m.as_str())
        .unwrap_or("")
        .to_string();
    Some((Some(code), message))
}

fn oauth_error(body: &str) -> Option<(Option<String>, String)> {
    let value: serde_json::Value = serde_json::from_str(body).ok()?;
    let code = value.get("error")?.as_str()?.to_string();
    let message = value
        .get("error_description")
        .and_then(|m| m.as_str())
        .unwrap_or("")
        .to_string();
    Some((Some(code), message))
}

/// At most `max` characters of `text`, marked when cut.
fn clip_text(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_string(),
        Some((cut, _)) => format!("{}…", &text[..cut]),
    }
}

/// The start of a body that is not in any format we know (an HTML error page, a proxy's answer),
/// its whitespace flattened.
fn snippet(body: &str) -> String {
    clip_text(&body.split_whitespace().collect::<Vec<_>>().join(" "), 300)
}

/// What to do when the token endpoint refuses a flow on this host ("not supported on this domain").
pub(crate) const MY_DOMAIN_HINT: &str = "the client credentials flow works only on the org's My Domain: set instance-url to https://<name>.my.salesforce.com";

fn hint_for(api: Api, status: u16, code: Option<&str>, message: &str) -> String {
    let text = match (code, api) {
        (Some("INVALID_SESSION_ID"), _) => {
            "the session was refused: give a fresh access token, or use auth-url, JWT or client credentials so the tool can sign in again; if the connected app issues JWT-based access tokens, turn that off (the Metadata API refuses them)"
        }
        (Some("INSUFFICIENT_ACCESS" | "INSUFFICIENT_ACCESS_OR_READONLY"), _) => {
            "give the integration user 'Customize Application' and 'Modify Metadata Through Metadata API Functions' (or 'Modify All Data'), plus 'API Enabled'"
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
        (Some("invalid_grant"), _) if message.contains("refresh token") => {
            "the refresh token in the auth URL is expired, revoked or was rotated: create a new auth URL (`sf org auth show-sfdx-auth-url --target-org ALIAS --json`), or use JWT, which needs no stored token"
        }
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
        (_, Api::Rest) if status == 404 => "check instance-url and api-version",
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
mod tests {
    use super::*;

    fn kind(f: Option<Failure>) -> &'static str {
        match f {
            None => "ok",
            Some(Failure::Transient(_)) => "transient",
            Some(Failure::SessionExpired(_)) => "session",
            Some(Failure::Permanent(_)) => "permanent",
        }
    }

    #[test]
    fn unknown_bodies_are_flattened_and_clipped() {
        assert_eq!(
            snippet("<h1>Down</h1>\n\n  for   maintenance"),
            "<h1>Down</h1> for maintenance"
        );
        let long = format!("{}é{}", "a".repeat(299), "b".repeat(50));
        assert_eq!(snippet(&long), format!("{}é…", "a".repeat(299)));
        assert_eq!(snippet(&"c".repeat(300)), "c".repeat(300));
    }

    #[test]
    fn retry_classification() {
        let fault = |code: &str| {
            format!(
                "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\"><soapenv:Body><soapenv:Fault><faultcode>sf:{code}</faultcode><faultstring>{code}: words</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>"
            )
        };
        assert_eq!(kind(classify(Api::Rest, 200, "{}", "x")), "ok");
        assert_eq!(
            kind(classify(Api::Rest, 503, "<html>down</html>", "x")),
            "transient"
        );
        assert_eq!(kind(classify(Api::Rest, 429, "", "x")), "transient");
        let limit = r#"[{"errorCode":"REQUEST_LIMIT_EXCEEDED","message":"ConcurrentPerOrgLongTxn Limit exceeded."}]"#;
        assert_eq!(kind(classify(Api::Rest, 403, limit, "x")), "transient");
        let daily =
            r#"[{"errorCode":"REQUEST_LIMIT_EXCEEDED","message":"TotalRequests Limit exceeded."}]"#;
        assert_eq!(kind(classify(Api::Rest, 403, daily, "x")), "permanent");
        let expired =
            r#"[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]"#;
        assert_eq!(kind(classify(Api::Rest, 401, expired, "x")), "session");
        assert_eq!(
            kind(classify(Api::Soap, 500, &fault("INVALID_SESSION_ID"), "x")),
            "session"
        );
        assert_eq!(
            kind(classify(Api::Soap, 500, &fault("SERVER_UNAVAILABLE"), "x")),
            "transient"
        );
        assert_eq!(
            kind(classify(Api::Soap, 500, "plain failure", "x")),
            "transient"
        );
        let denied = classify(
            Api::Soap,
            500,
            &fault("INSUFFICIENT_ACCESS"),
            "readMetadata",
        );
        let Some(Failure::Permanent(e)) = denied else {
            panic!("not permanent")
        };
        assert_eq!(e.code.as_deref(), Some("INSUFFICIENT_ACCESS"));
        assert!(
            e.answer.contains("faultcode sf:INSUFFICIENT_ACCESS"),
            "{}",
            e.answer
        );
        assert!(e.hint.contains("Modify Metadata"));
        let oauth =
            r#"{"error":"invalid_grant","error_description":"expired access/refresh token"}"#;
        let Some(Failure::Permanent(e)) = classify(Api::OAuth, 400, oauth, "token") else {
            panic!()
        };
        assert_eq!(
            e.answer,
            "HTTP 400, invalid_grant: expired access/refresh token"
        );
    }
}
