//! Error types, the exit each one ends the process with ([`Exit`]) and the help line each
//! failure carries.

use std::fmt;

use crate::exit::Exit;

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

/// Every way a command can fail; each maps to one exit code.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad input or configuration (exit 2). Raised before any network request.
    #[error("{0}")]
    Usage(String),
    /// Salesforce, authentication or network failure (exit 3).
    #[error(transparent)]
    Salesforce(#[from] SfError),
    /// The org does not have what we look for: type, field or record (exit 3).
    #[error("{message}")]
    NotFound {
        /// What was looked for and where.
        message: String,
        /// What to do next.
        hint: String,
    },
    /// The triggers did not reach (or are not in) the wanted state (exit 1).
    #[error("{message}")]
    WrongState {
        /// What was wanted and what was last read.
        message: String,
        /// What to do next.
        hint: String,
    },
    /// A local failure outside Salesforce: spawning the wrapped command, writing a runner file (exit 3).
    #[error("{0:#}")]
    Local(anyhow::Error),
}

impl Error {
    /// How the process ends for this failure.
    pub fn exit(&self) -> Exit {
        match self {
            Error::Usage(_) => Exit::Usage,
            Error::WrongState { .. } => Exit::WrongState,
            Error::Salesforce(_) | Error::NotFound { .. } | Error::Local(_) => Exit::Failure,
        }
    }

    /// The "what to do next" line, when there is one.
    pub fn hint(&self) -> Option<&str> {
        match self {
            Error::Usage(_) => {
                Some("run `storeconnect-triggers --help` for the settings and commands")
            }
            Error::Salesforce(e) => Some(&e.hint),
            Error::NotFound { hint, .. } | Error::WrongState { hint, .. } => Some(hint),
            Error::Local(_) => None,
        }
    }

    /// The error and, on a second line, what to do (for annotations).
    pub fn with_hint(&self) -> String {
        match self.hint() {
            Some(hint) => format!("{self}\nWhat to do: {hint}"),
            None => self.to_string(),
        }
    }

    /// Shorthand for a configuration error.
    pub fn usage(message: impl Into<String>) -> Self {
        Error::Usage(message.into())
    }
}

impl From<anyhow::Error> for Error {
    fn from(e: anyhow::Error) -> Self {
        Error::Local(e)
    }
}

/// Result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
