//! HTTP transport: one reqwest client, the HTTPS-only policy, bounded retries and the rules that
//! decide which Salesforce answers are worth retrying.

use std::net::IpAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use reqwest::Url;

use crate::backoff::Backoff;
use crate::error::SfError;
use crate::xml;

/// One overall deadline shared by every request of an operation (the `timeout` setting).
#[derive(Debug, Clone, Copy)]
pub struct Deadline {
    end: Instant,
    total: Duration,
}

impl Deadline {
    /// A deadline `total` from now.
    pub fn after(total: Duration) -> Self {
        Self {
            end: Instant::now() + total,
            total,
        }
    }

    /// Time left (zero once passed).
    pub fn remaining(&self) -> Duration {
        self.end.saturating_duration_since(Instant::now())
    }

    /// The length it was created with.
    pub fn total(&self) -> Duration {
        self.total
    }
}

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

/// The HTTP client plus the retry policy.
pub struct Transport {
    client: reqwest::Client,
    /// Attempts sent whose outcome is unknown: the connection failed after the request may have
    /// reached the server (a timeout, a reset, a cut-off answer).
    unknown_outcomes: AtomicU32,
}

/// A successful (2xx) answer.
#[derive(Debug)]
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// Body text.
    pub body: String,
}

impl Transport {
    /// Builds the client: rustls on ring, system CA roots, no redirects (credentials never follow
    /// a redirect to another host), a user agent naming this tool.
    pub fn new() -> anyhow::Result<Self> {
        // Another part of the process may have installed it already; either way ring is in place.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .user_agent(concat!("storeconnect-triggers/", env!("CARGO_PKG_VERSION")))
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(15))
            .build()?;
        Ok(Self {
            client,
            unknown_outcomes: AtomicU32::new(0),
        })
    }

    /// How many attempts so far may have reached Salesforce without us learning the outcome.
    /// A write counted here may still be applied later, even if a retry then succeeded.
    pub fn unknown_outcomes(&self) -> u32 {
        self.unknown_outcomes.load(Ordering::SeqCst)
    }

    /// Starts a request; pass it to [`Transport::execute`] through a closure so it can be rebuilt.
    pub fn request(&self, method: reqwest::Method, url: Url) -> reqwest::RequestBuilder {
        self.client.request(method, url)
    }

    /// Sends the request built by `build`, retrying transient failures with exponential backoff
    /// and jitter until `deadline`. `action` says what was tried, for error messages.
    pub async fn execute(
        &self,
        deadline: &Deadline,
        action: &str,
        api: Api,
        build: impl Fn() -> reqwest::RequestBuilder,
    ) -> Result<Answer, Failure> {
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            let remaining = deadline.remaining();
            if remaining.is_zero() {
                return Err(Failure::Permanent(timed_out(action, deadline, None)));
            }
            let failure = match build().timeout(remaining).send().await {
                // The request could not even be built (e.g. a token that is not a valid header).
                Err(e) if e.is_builder() => {
                    return Err(Failure::Permanent(SfError {
                        hint: "check the credentials and URLs for stray characters".into(),
                        ..network_error(action, &e)
                    }));
                }
                Err(e) => {
                    // Only a failed connect proves the request never left.
                    if !e.is_connect() {
                        self.unknown_outcomes.fetch_add(1, Ordering::SeqCst);
                    }
                    Failure::Transient(network_error(action, &e))
                }
                Ok(resp) => {
                    let status = resp.status().as_u16();
                    match read_capped(resp).await {
                        Err(BodyError::Network(e)) => {
                            self.unknown_outcomes.fetch_add(1, Ordering::SeqCst);
                            Failure::Transient(network_error(action, &e))
                        }
                        Err(BodyError::TooLarge) => {
                            return Err(Failure::Permanent(too_large(action, status)));
                        }
                        Ok(body) => match classify(api, status, &body, action) {
                            None => return Ok(Answer { status, body }),
                            Some(f) => f,
                        },
                    }
                }
            };
            let Failure::Transient(last) = failure else {
                return Err(failure);
            };
            let pause = Backoff::HTTP.jittered(attempt);
            if pause >= deadline.remaining() {
                return Err(Failure::Permanent(timed_out(
                    action,
                    deadline,
                    Some((attempt, last)),
                )));
            }
            eprintln!(
                "retrying in {:.1}s (attempt {attempt} failed: {})",
                pause.as_secs_f64(),
                last.answer
            );
            tokio::time::sleep(pause).await;
        }
    }
}

/// The most bytes of a response body this tool reads: Salesforce's answers here are a few KB
/// (describeGlobal of a large org: ~1 MB); anything beyond is not an answer we can use.
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

enum BodyError {
    Network(reqwest::Error),
    TooLarge,
}

/// Reads a body chunk by chunk and stops at [`MAX_BODY_BYTES`] instead of buffering it whole.
async fn read_capped(mut resp: reqwest::Response) -> Result<String, BodyError> {
    if resp
        .content_length()
        .is_some_and(|n| n > MAX_BODY_BYTES as u64)
    {
        return Err(BodyError::TooLarge);
    }
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(BodyError::Network)? {
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(BodyError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(String::from_utf8_lossy(&body).into_owned())
}

fn too_large(action: &str, status: u16) -> SfError {
    SfError {
        action: action.to_string(),
        answer: format!(
            "HTTP {status} with an answer too large (over {} MB); it was not read",
            MAX_BODY_BYTES / (1024 * 1024)
        ),
        code: None,
        hint: "check instance-url: it must be the org's API host; if it is, report this to the maintainers".into(),
    }
}

fn timed_out(action: &str, deadline: &Deadline, last: Option<(u32, SfError)>) -> SfError {
    let secs = deadline.total().as_secs();
    match last {
        Some((attempts, last)) => SfError {
            action: action.to_string(),
            answer: format!(
                "gave up after {attempts} attempts within the {secs}s timeout; last answer: {}",
                last.answer
            ),
            code: last.code,
            hint: format!(
                "{}; if Salesforce is slow or busy, raise `timeout` and run again",
                last.hint.trim_end_matches('.')
            ),
        },
        None => SfError {
            action: action.to_string(),
            answer: format!("the {secs}s timeout passed before the request could be sent"),
            code: None,
            hint: "raise `timeout` and run again".into(),
        },
    }
}

fn network_error(action: &str, e: &reqwest::Error) -> SfError {
    // Walk the source chain: reqwest's top-level message alone ("error sending request") hides the cause.
    let mut answer = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        answer.push_str(": ");
        answer.push_str(&s.to_string());
        source = s.source();
    }
    let answer = if e.is_timeout() {
        format!("no answer in time ({answer})")
    } else {
        answer
    };
    SfError {
        action: action.to_string(),
        answer,
        code: None,
        hint: "check the URL, the network and https://status.salesforce.com".into(),
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

/// The start of a body that is not in any format we know (an HTML error page, a proxy's answer).
/// At most `max` characters of `text`, marked when cut.
fn clip_text(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_string(),
        Some((cut, _)) => format!("{}…", &text[..cut]),
    }
}

fn snippet(body: &str) -> String {
    let flat: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() > 300 {
        format!("{}…", flat.chars().take(300).collect::<String>())
    } else {
        flat
    }
}

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
            "the refresh token in the auth URL is expired, revoked or was rotated: create a new auth URL (`sf org display --verbose`), or use JWT, which needs no stored token"
        }
        (Some("invalid_grant"), _) if message.contains("domain") => {
            "the client credentials flow works only on the org's My Domain: set instance-url to https://<name>.my.salesforce.com"
        }
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

/// True for hosts that may be reached over plain http: 127.0.0.0/8, ::1 and localhost.
pub fn is_loopback_host(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    if bare.eq_ignore_ascii_case("localhost") {
        return true;
    }
    bare.parse::<IpAddr>()
        .map(|ip| ip.is_loopback())
        .unwrap_or(false)
}

/// Parses a URL and enforces HTTPS (plain http only for loopback hosts). `what` names the setting.
pub fn secure_url(what: &str, raw: &str) -> Result<Url, String> {
    let url = Url::parse(raw.trim())
        .map_err(|e| format!("{what} `{}` is not a valid URL: {e}", raw.trim()))?;
    let host = url
        .host_str()
        .ok_or_else(|| format!("{what} `{url}` has no host"))?
        .to_string();
    if !url.username().is_empty() || url.password().is_some() {
        return Err(format!("{what} must not carry credentials in the URL"));
    }
    match url.scheme() {
        "https" => Ok(url),
        "http" if is_loopback_host(&host) => Ok(url),
        "http" => Err(format!(
            "{what} `{url}` uses plain http: only https is allowed (http only for loopback test hosts)"
        )),
        other => Err(format!("{what} `{url}` has scheme `{other}`; use https://")),
    }
}

/// The origin (`scheme://host[:port]`) of a URL, without path or trailing slash.
pub fn origin(url: &Url) -> String {
    url.origin().ascii_serialization()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts() {
        for h in ["127.0.0.1", "127.9.9.9", "[::1]", "localhost", "LOCALHOST"] {
            assert!(is_loopback_host(h), "{h}");
        }
        for h in ["10.0.0.1", "example.com", "localhost.evil.com", "128.0.0.1"] {
            assert!(!is_loopback_host(h), "{h}");
        }
    }

    #[test]
    fn https_only_except_loopback() {
        assert!(secure_url("instance-url", "https://x.my.salesforce.com").is_ok());
        assert!(secure_url("instance-url", "http://127.0.0.1:8080").is_ok());
        assert!(secure_url("instance-url", "http://[::1]:8080").is_ok());
        let err = secure_url("instance-url", "http://x.my.salesforce.com").unwrap_err();
        assert!(err.contains("plain http"), "{err}");
        assert!(secure_url("instance-url", "ftp://x").is_err());
        assert!(secure_url("instance-url", "not a url").is_err());
    }

    fn kind(f: Option<Failure>) -> &'static str {
        match f {
            None => "ok",
            Some(Failure::Transient(_)) => "transient",
            Some(Failure::SessionExpired(_)) => "session",
            Some(Failure::Permanent(_)) => "permanent",
        }
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
