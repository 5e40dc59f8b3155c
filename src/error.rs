//! Error types, the exit-code contract and the help line each failure carries.

use crate::salesforce::SfError;

/// Exit code: success (or the triggers are enabled, for `status`).
pub const EXIT_OK: u8 = 0;
/// Exit code: the triggers are not in the wanted state (also: read-back never showed it in time).
pub const EXIT_WRONG_STATE: u8 = 1;
/// Exit code: bad input or configuration, found before any network request.
pub const EXIT_USAGE: u8 = 2;
/// Exit code: Salesforce, authentication or network failure that retries did not cure.
pub const EXIT_FAILURE: u8 = 3;

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
    /// The process exit code for this failure.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Usage(_) => EXIT_USAGE,
            Error::WrongState { .. } => EXIT_WRONG_STATE,
            Error::Salesforce(_) | Error::NotFound { .. } | Error::Local(_) => EXIT_FAILURE,
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
