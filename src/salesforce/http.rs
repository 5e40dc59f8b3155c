//! HTTP transport: one reqwest client, the body cap and bounded retries until one deadline.
//! Which answers are worth retrying is decided in [`super::error::classify`].

use std::fmt;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use reqwest::Url;

use super::error::{Api, Failure, SfError, classify};
use super::{proxy, tls};
use crate::backoff::Backoff;
use crate::outside::Outside;
use crate::secret::Secret;

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

/// What the connection has to tell while it works. The transport and the client never print:
/// they report events to the [`Listener`] the front end set, which prints them (their text from
/// the org is already escaped to one line and clipped).
#[derive(Debug, Clone)]
pub enum Event {
    /// A new session token: the runner must mask it before anything else is printed.
    Token(Secret),
    /// An attempt failed and will be sent again after `pause`.
    Retrying {
        /// The attempt that failed (1 for the first).
        attempt: u32,
        /// The wait before the next one.
        pause: Duration,
        /// What came back (escaped, see [`super::SfError`]).
        answer: String,
    },
    /// The session was refused; signing in again.
    SessionExpired {
        /// What was tried.
        action: String,
        /// What came back (escaped).
        answer: String,
    },
    /// Signed in (not shown for a given access token).
    SignedIn {
        /// How, e.g. "JWT bearer".
        method: &'static str,
        /// The org's host.
        host: String,
    },
    /// The org rotated the refresh token of the auth URL: what that means for this sign-in.
    RefreshTokenRotated(String),
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Event::Token(_) => f.write_str("signed in: new session"),
            Event::Retrying {
                attempt,
                pause,
                answer,
            } => write!(
                f,
                "retrying in {:.1}s (attempt {attempt} failed: {})",
                pause.as_secs_f64(),
                crate::outside::one_line(answer, 2_000)
            ),
            Event::SessionExpired { action, answer } => write!(
                f,
                "{}: session expired ({}); signing in again",
                crate::outside::one_line(action, 600),
                crate::outside::one_line(answer, 2_000)
            ),
            Event::SignedIn { method, host } => {
                write!(
                    f,
                    "Signed in with {method} to {}",
                    Outside::name(host.as_str())
                )
            }
            Event::RefreshTokenRotated(warning) => f.write_str(warning),
        }
    }
}

/// Told about each [`Event`] as it happens.
pub type Listener = Box<dyn Fn(Event) + Send + Sync>;

/// The HTTP client plus the retry policy.
pub struct Transport {
    client: reqwest::Client,
    /// Attempts sent whose outcome is unknown: the connection failed after the request may have
    /// reached the server (a timeout, a reset, a cut-off answer).
    unknown_outcomes: AtomicU32,
    listener: Option<Listener>,
    /// While signing in: events held back until the new token is masked.
    held: Mutex<Option<Vec<Event>>>,
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
    /// Builds the client: rustls on ring, system CA roots plus those of `SSL_CERT_FILE` (see
    /// [`tls`]), proxies from `HTTPS_PROXY`/`NO_PROXY`, no redirects (credentials never follow
    /// a redirect to another host), a user agent naming this tool.
    /// A `SSL_CERT_FILE` that cannot be used is a [`tls::CaFileError`].
    pub fn new() -> anyhow::Result<Self> {
        // Another part of the process may have installed it already; either way ring is in place.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = tls::build(
            reqwest::Client::builder()
                .user_agent(concat!("storeconnect-triggers/", env!("CARGO_PKG_VERSION")))
                .redirect(reqwest::redirect::Policy::none())
                .connect_timeout(Duration::from_secs(15)),
        )?;
        Ok(Self {
            client,
            unknown_outcomes: AtomicU32::new(0),
            listener: None,
            held: Mutex::new(None),
        })
    }

    /// Sets who is told about events (without one they are dropped).
    pub fn set_listener(&mut self, listener: Listener) {
        self.listener = Some(listener);
    }

    /// Tells the listener about `event`, or holds it back while [`Transport::hold`] is on.
    pub fn report(&self, event: Event) {
        let mut held = self.held.lock().unwrap_or_else(|e| e.into_inner());
        match held.as_mut() {
            Some(queue) => queue.push(event),
            None => {
                drop(held);
                if let Some(listener) = &self.listener {
                    listener(event);
                }
            }
        }
    }

    /// Holds events back until [`Transport::release`] (while a new token is on its way, so
    /// its mask comes before any line quoting the org).
    pub fn hold(&self) {
        let mut held = self.held.lock().unwrap_or_else(|e| e.into_inner());
        held.get_or_insert_with(Vec::new);
    }

    /// Reports `first` (e.g. the new token), then the events held back, then stops holding.
    pub fn release(&self, first: Option<Event>) {
        let queue = self
            .held
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
            .unwrap_or_default();
        for event in first.into_iter().chain(queue) {
            self.report(event);
        }
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
        self.send(deadline, action, api, true, build).await
    }

    /// Like [`Transport::execute`], for a write: an attempt whose outcome is unknown (counted in
    /// [`Transport::unknown_outcomes`]) is not sent again, so the caller can first read whether
    /// it landed.
    pub async fn execute_write(
        &self,
        deadline: &Deadline,
        action: &str,
        api: Api,
        build: impl Fn() -> reqwest::RequestBuilder,
    ) -> Result<Answer, Failure> {
        self.send(deadline, action, api, false, build).await
    }

    async fn send(
        &self,
        deadline: &Deadline,
        action: &str,
        api: Api,
        resend_unknown: bool,
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
                    // A certificate that did not verify, or a proxy that wants credentials,
                    // will refuse the next attempt too.
                    if let Some(refused) =
                        tls::refused(action, &e).or_else(|| proxy::refused(action, &e))
                    {
                        return Err(Failure::Permanent(refused));
                    }
                    // Only a failed connect proves the request never left.
                    if !e.is_connect() {
                        self.unknown_outcomes.fetch_add(1, Ordering::SeqCst);
                        if !resend_unknown {
                            return Err(Failure::Transient(network_error(action, &e)));
                        }
                    }
                    Failure::Transient(network_error(action, &e))
                }
                Ok(resp) => {
                    let status = resp.status().as_u16();
                    match read_capped(resp).await {
                        Err(BodyError::Network(e)) => {
                            self.unknown_outcomes.fetch_add(1, Ordering::SeqCst);
                            if !resend_unknown {
                                return Err(Failure::Transient(network_error(action, &e)));
                            }
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
            self.report(Event::Retrying {
                attempt,
                pause,
                answer: last.answer,
            });
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
        // The chain can quote what the server sent (a malformed header, a proxy's words).
        answer: Outside::message(answer).shown(),
        code: None,
        hint: "check the URL, the network and https://status.salesforce.com".into(),
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};

    use super::*;

    /// A server that streams `total` bytes of body in chunks, with no Content-Length, as a proxy
    /// may: only the chunk-by-chunk count can stop it.
    fn chunked_server(total: usize) -> Url {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = Url::parse(&format!("http://{}/", listener.local_addr().unwrap())).unwrap();
        std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            let _ = stream.read(&mut [0; 4096]);
            let head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
            let _ = stream.write_all(head.as_bytes());
            let chunk = vec![b'a'; 64 * 1024];
            for _ in 0..total.div_ceil(chunk.len()) {
                let sent = stream
                    .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
                    .and_then(|()| stream.write_all(&chunk))
                    .and_then(|()| stream.write_all(b"\r\n"));
                if sent.is_err() {
                    return; // the client stopped reading
                }
            }
            let _ = stream.write_all(b"0\r\n\r\n");
        });
        url
    }

    #[test]
    fn held_events_follow_the_token_and_nothing_prints_itself() {
        let seen = std::sync::Arc::new(Mutex::new(Vec::new()));
        let mut transport = Transport::new().unwrap();
        let sink = seen.clone();
        transport.set_listener(Box::new(move |e| sink.lock().unwrap().push(e.to_string())));
        let retry = || Event::Retrying {
            attempt: 1,
            pause: Duration::from_millis(250),
            answer: "HTTP 503: busy\n::stop-commands::zz".into(),
        };
        transport.report(retry());
        transport.hold();
        transport.report(retry());
        transport.release(Some(Event::Token(Secret::new("00Dtoken"))));
        transport.report(Event::RefreshTokenRotated("rotated".into()));
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), 4);
        assert_eq!(
            seen[0],
            "retrying in 0.2s (attempt 1 failed: HTTP 503: busy\\n::stop-commands::zz)"
        );
        assert_eq!(seen[1], "signed in: new session", "the token comes first");
        assert_eq!(seen[2], seen[0]);
        assert!(seen.iter().all(|l| !l.contains("00Dtoken")));
    }

    #[tokio::test]
    async fn a_streamed_answer_over_the_cap_is_not_read_whole() {
        let url = chunked_server(MAX_BODY_BYTES + 1024 * 1024);
        let transport = Transport::new().unwrap();
        let deadline = Deadline::after(Duration::from_secs(20));
        let result = transport
            .execute(&deadline, "query", Api::Rest, || {
                transport.request(reqwest::Method::GET, url.clone())
            })
            .await;
        let Err(Failure::Permanent(e)) = result else {
            panic!("not refused: {result:?}")
        };
        assert!(e.answer.contains("answer too large"), "{}", e.answer);
        assert_eq!(transport.unknown_outcomes(), 0);
    }

    #[tokio::test]
    async fn a_streamed_answer_within_the_cap_is_read() {
        let url = chunked_server(MAX_BODY_BYTES - 64 * 1024);
        let transport = Transport::new().unwrap();
        let deadline = Deadline::after(Duration::from_secs(20));
        let answer = transport
            .execute(&deadline, "query", Api::Rest, || {
                transport.request(reqwest::Method::GET, url.clone())
            })
            .await
            .unwrap();
        assert_eq!(answer.body.len(), MAX_BODY_BYTES - 64 * 1024);
    }
}
