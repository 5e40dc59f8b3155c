//! What the connection has to tell while it works: [`Event`]s for the [`Listener`] the front
//! end set (the transport and the client never print).

use std::fmt;
use std::time::Duration;

use crate::outside::Outside;
use crate::secret::Secret;

/// What the connection has to tell while it works. The transport and the client never print:
/// they report events to the `Listener` the front end set, which prints them (their text from
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
        /// What came back (escaped, see `SfError`).
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
    /// A read-back did not show the value written yet; the next read comes after `wait`.
    ReadBack {
        /// What it read (already clipped for messages).
        read: String,
        /// The value waited for.
        wanted: bool,
        /// The wait before the next read.
        wait: Duration,
        /// Whether the next read is the last one, at the deadline.
        last: bool,
    },
    /// A write got no answer (`answer`, escaped); the record read afterwards decides what next.
    WriteUnanswered {
        /// What came back instead of an answer.
        answer: String,
        /// The value written.
        wanted: bool,
        /// `None`: the record reads `wanted`, so the write landed; otherwise it does not, and the
        /// write is sent again after this pause.
        retry_in: Option<Duration>,
    },
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
            Event::ReadBack {
                read,
                wanted,
                wait,
                last,
            } => write!(
                f,
                "read back {read}, waiting for {wanted}; {} in {:.1}s",
                if *last {
                    "last read at the deadline,"
                } else {
                    "reading again"
                },
                wait.as_secs_f64()
            ),
            Event::WriteUnanswered {
                answer,
                wanted,
                retry_in: None,
            } => write!(
                f,
                "updateMetadata got no answer ({answer}), but the record reads {wanted} now: that write landed"
            ),
            Event::WriteUnanswered {
                answer,
                wanted,
                retry_in: Some(pause),
            } => write!(
                f,
                "updateMetadata got no answer ({answer}) and the record does not read {wanted}: retrying in {:.1}s",
                pause.as_secs_f64()
            ),
        }
    }
}

/// Told about each [`Event`] as it happens.
pub(crate) type Listener = Box<dyn Fn(Event) + Send + Sync>;
