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
    pub(crate) fn exit(&self) -> Exit {
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
    pub(crate) fn with_hint(&self) -> String {
        match self.hint() {
            Some(hint) => format!("{self}\nWhat to do: {hint}"),
            None => self.to_string(),
        }
    }

    /// Shorthand for a configuration error.
    pub(crate) fn usage(message: impl Into<String>) -> Self {
        Error::Usage(message.into())
    }

    /// The same error, its "what to do" saying first that the triggers may still be OFF in `org`
    /// and how to turn them on ([`TURN_ON_FIX`]). The kind (and so the exit code) is kept; a
    /// usage error is returned as it is, since nothing was touched.
    pub(crate) fn may_still_be_off(self, org: Option<&str>) -> Self {
        let fix = format!(
            "The StoreConnect triggers may still be OFF in {}: {TURN_ON_FIX}.",
            org.unwrap_or("the org")
        );
        match self {
            Error::Salesforce(e) => {
                let hint = format!("{fix} Then: {}", e.hint);
                Error::Salesforce(e.with_hint(hint))
            }
            Error::NotFound { message, hint } => Error::NotFound {
                message,
                hint: format!("{fix} Then: {hint}"),
            },
            Error::WrongState { message, hint } => Error::WrongState {
                message,
                hint: format!("{fix} Then: {hint}"),
            },
            Error::Local(e) => Error::Local(e.context(fix)),
            usage @ Error::Usage(_) => usage,
        }
    }
}

/// How to turn the triggers on when they may still be off.
pub(crate) const TURN_ON_FIX: &str = "turn them on with this action's `mode: enable`, or `storeconnect-triggers enable` (then confirm with `mode: check` or `storeconnect-triggers status`)";

impl From<anyhow::Error> for Error {
    fn from(e: anyhow::Error) -> Self {
        Error::Local(e)
    }
}

/// Result with this crate's [`Error`].
pub(crate) type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_say_the_triggers_may_still_be_off() {
        let e = Error::WrongState {
            message: "m".into(),
            hint: "h".into(),
        }
        .may_still_be_off(Some("acme.my.salesforce.com"));
        assert_eq!(e.exit(), Exit::WrongState);
        let hint = e.hint().unwrap();
        assert!(
            hint.contains("may still be OFF in acme.my.salesforce.com"),
            "{hint}"
        );
        assert!(hint.contains("`mode: enable`") && hint.contains("`storeconnect-triggers enable`"));
        assert!(hint.ends_with("Then: h"));
        let sf = Error::from(SfError::new("a", "b", "c")).may_still_be_off(None);
        assert_eq!(sf.exit(), Exit::Failure);
        assert!(
            sf.hint()
                .unwrap()
                .starts_with("The StoreConnect triggers may still be OFF in the org: turn them on")
        );
        assert!(matches!(
            Error::usage("u").may_still_be_off(None),
            Error::Usage(m) if m == "u"
        ));
    }
}
