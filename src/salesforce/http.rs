//! HTTP transport: one reqwest client and bounded retries until one deadline. Which answers
//! are worth retrying is decided in [`super::error::classify`]; how bodies are read (capped, or
//! scanned as they arrive) in [`body`].

pub(crate) mod body;
mod event;

use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use reqwest::Url;

use super::error::{Api, Failure, SfError, classify};
use super::{proxy, tls};
use crate::backoff::Backoff;
use crate::outside::Outside;
use body::MAX_BODY_BYTES;
use body::{BodyError, Scan, Stop, Whole};
pub use event::Event;
use event::Listener;

/// One overall deadline shared by every request of an operation (the `timeout` setting).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Deadline {
    end: Instant,
    total: Duration,
}

impl Deadline {
    /// A deadline `total` from now.
    pub(crate) fn after(total: Duration) -> Self {
        Self {
            end: Instant::now() + total,
            total,
        }
    }

    /// Time left (zero once passed).
    pub(crate) fn remaining(&self) -> Duration {
        self.end.saturating_duration_since(Instant::now())
    }

    /// The length it was created with.
    pub(crate) fn total(&self) -> Duration {
        self.total
    }
}

/// The HTTP client plus the retry policy.
pub(crate) struct Transport {
    client: reqwest::Client,
    /// Attempts sent whose outcome is unknown: the connection failed after the request may have
    /// reached the server (a timeout, a reset, a cut-off answer).
    unknown_outcomes: AtomicU32,
    listener: Option<Listener>,
    /// While signing in: events held back until the new token is masked.
    held: Mutex<Option<Vec<Event>>>,
}

/// A successful (2xx) answer: its body as text, or what a [`Scan`] made of it.
#[derive(Debug)]
pub(crate) struct Answer<B = String> {
    /// HTTP status.
    pub(crate) status: u16,
    /// Body text (or what the scan kept).
    pub(crate) body: B,
}

impl Transport {
    /// Builds the client: rustls on ring, system CA roots plus those of `SSL_CERT_FILE` (see
    /// [`tls`]), proxies from `HTTPS_PROXY`/`NO_PROXY`, no redirects (credentials never follow
    /// a redirect to another host), a user agent naming this tool.
    /// A `SSL_CERT_FILE` that cannot be used is a [`tls::CaFileError`].
    pub(crate) fn new() -> anyhow::Result<Self> {
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
    pub(crate) fn set_listener(&mut self, listener: Listener) {
        self.listener = Some(listener);
    }

    /// Tells the listener about `event`, or holds it back while [`Transport::hold`] is on.
    pub(crate) fn report(&self, event: Event) {
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
    pub(crate) fn hold(&self) {
        let mut held = self.held.lock().unwrap_or_else(|e| e.into_inner());
        held.get_or_insert_with(Vec::new);
    }

    /// Reports `first` (e.g. the new token), then the events held back, then stops holding.
    pub(crate) fn release(&self, first: Option<Event>) {
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
    pub(crate) fn unknown_outcomes(&self) -> u32 {
        self.unknown_outcomes.load(Ordering::SeqCst)
    }

    /// Starts a request; pass it to [`Transport::execute`] through a closure so it can be rebuilt.
    pub(crate) fn request(&self, method: reqwest::Method, url: Url) -> reqwest::RequestBuilder {
        self.client.request(method, url)
    }

    /// Sends the request built by `build`, retrying transient failures with exponential backoff
    /// and jitter until `deadline`. `action` says what was tried, for error messages. The body
    /// is read whole, up to [`MAX_BODY_BYTES`].
    pub(crate) async fn execute(
        &self,
        deadline: &Deadline,
        action: &str,
        api: Api,
        build: impl Fn() -> reqwest::RequestBuilder,
    ) -> Result<Answer, Failure> {
        let (status, body) = self
            .execute_scanned(deadline, action, api, build, Whole::default, true)
            .await?;
        Ok(Answer { status, body })
    }

    /// As [`Transport::execute`], but a successful (2xx) body goes through a new `scan` of each
    /// attempt as it arrives, with no cap; error bodies are read whole as usual. With
    /// `resend_unknown` false, an attempt whose outcome is unknown is not sent again.
    pub(crate) async fn execute_scanned<S: Scan>(
        &self,
        deadline: &Deadline,
        action: &str,
        api: Api,
        build: impl Fn() -> reqwest::RequestBuilder,
        scan: impl Fn() -> S,
        resend_unknown: bool,
    ) -> Result<(u16, S::Output), Failure> {
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
                    return Err(Failure::Permanent(
                        network_error(action, &e)
                            .with_hint("check the credentials and URLs for stray characters"),
                    ));
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
                    if e.is_connect() {
                        Failure::Transient(network_error(action, &e))
                    } else {
                        self.unanswered(action, &e, resend_unknown)?
                    }
                }
                Ok(resp) => {
                    let status = resp.status().as_u16();
                    let read = if resp.status().is_success() {
                        body::read(resp, scan()).await.map(Ok)
                    } else {
                        body::read(resp, Whole::default()).await.map(Err)
                    };
                    match read {
                        Err(BodyError::Network(e)) => {
                            self.unanswered(action, &e, resend_unknown)?
                        }
                        Err(BodyError::Stopped(stop)) => {
                            return Err(Failure::Permanent(unread(action, status, stop)));
                        }
                        Ok(Ok(output)) => return Ok((status, output)),
                        Ok(Err(body)) => {
                            let failure =
                                classify(api, status, &body, action).unwrap_or_else(|| {
                                    Failure::Permanent(unread(
                                        action,
                                        status,
                                        Stop::Unreadable(body),
                                    ))
                                });
                            match failure {
                                // A gateway's 502/504 answers in the org's place: the request may
                                // have reached the org, which may still apply it. Unknown, like a
                                // lost answer.
                                Failure::Transient(e) if matches!(status, 502 | 504) => {
                                    self.unknown(e, resend_unknown)?
                                }
                                failure => failure,
                            }
                        }
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

    /// An attempt that may have reached Salesforce got no (whole) answer: its outcome is
    /// unknown ([`Transport::unknown_outcomes`] counts it). `Ok` to retry it, `Err` when
    /// `resend_unknown` is false and the failure ends the call.
    fn unanswered(
        &self,
        action: &str,
        e: &reqwest::Error,
        resend_unknown: bool,
    ) -> Result<Failure, Failure> {
        self.unknown(network_error(action, e), resend_unknown)
    }

    /// Counts an attempt whose outcome is unknown (`error` says why); as
    /// [`Transport::unanswered`].
    fn unknown(&self, error: SfError, resend_unknown: bool) -> Result<Failure, Failure> {
        self.unknown_outcomes.fetch_add(1, Ordering::SeqCst);
        let failure = Failure::Transient(error);
        if resend_unknown {
            Ok(failure)
        } else {
            Err(failure)
        }
    }
}

/// A body that was not read: too large for what the call answers, or not in its form.
fn unread(action: &str, status: u16, stop: Stop) -> SfError {
    let (answer, hint) = match stop {
        Stop::TooLarge => (
            format!(
                "HTTP {status} with an answer too large (over {} MB); it was not read",
                MAX_BODY_BYTES / (1024 * 1024)
            ),
            "Salesforce answers this call with far less (a few KB; describeGlobal of a large org about 1 MB), so what answered is probably not the org's API: check that instance-url is the org's My Domain host (https://<domain>.my.salesforce.com) and that no proxy or captive portal answers in its place".to_string(),
        ),
        Stop::Unreadable(why) => (
            format!(
                "HTTP {status} with an answer that cannot be read ({})",
                Outside::message(why)
            ),
            "check instance-url: it must be the org's API host".to_string(),
        ),
    };
    SfError::new(action, answer, hint)
}

fn timed_out(action: &str, deadline: &Deadline, last: Option<(u32, SfError)>) -> SfError {
    let secs = deadline.total().as_secs();
    match last {
        Some((attempts, last)) => SfError::new(
            action,
            format!(
                "gave up after {attempts} attempts within the {secs}s timeout; last answer: {}",
                last.answer
            ),
            format!(
                "{}; if Salesforce is slow or busy, raise `timeout` and run again",
                last.hint.trim_end_matches('.')
            ),
        )
        .with_code(last.code),
        None => SfError::new(
            action,
            format!("the {secs}s timeout passed before the request could be sent"),
            "raise `timeout` and run again",
        ),
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
    // The chain can quote what the server sent (a malformed header, a proxy's words).
    SfError::new(
        action,
        Outside::message(answer).shown(),
        "check the URL, the network and https://status.salesforce.com",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Secret;

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
}
