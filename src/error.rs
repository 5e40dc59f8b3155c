//! Error types, the exit each one ends the process with ([`Exit`]) and the help line each
//! failure carries.

use crate::salesforce::SfError;

use crate::exit::Exit;

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
