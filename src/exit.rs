//! The exit contract: what each exit code of the binary means.

use std::process::ExitCode;

/// How the process ends. `main` returns this; the codes are documented in `--help` and the README.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Exit {
    /// 0: success (for `status` and `check`: the triggers are enabled).
    Ok,
    /// 1: the triggers are not in the wanted state (also: read-back never showed it in time).
    WrongState,
    /// 2: bad input or configuration, found before any network request.
    Usage,
    /// 3: Salesforce, authentication, network or local failure that retries did not cure.
    Failure,
    /// `run`: the wrapped command's own exit code (the triggers were restored and verified).
    Command(u8),
    /// A process stopped by signal `n` (the wrapped command, or this one): exit code 128 + n.
    Signal(i32),
}

impl Exit {
    /// The numeric exit code.
    pub(crate) fn code(self) -> u8 {
        match self {
            Exit::Ok => 0,
            Exit::WrongState => 1,
            Exit::Usage => 2,
            Exit::Failure => 3,
            Exit::Command(code) => code,
            Exit::Signal(n) => 128u8.saturating_add(u8::try_from(n).unwrap_or(u8::MAX - 128)),
        }
    }

    /// How a finished child process ended: its own code, or 128 + n when a signal stopped it.
    pub(crate) fn of_child(status: std::process::ExitStatus) -> Exit {
        use std::os::unix::process::ExitStatusExt;
        match (status.code(), status.signal()) {
            (Some(code), _) => u8::try_from(code).map_or(Exit::Command(1), Exit::Command),
            (None, Some(n)) => Exit::Signal(n),
            _ => Exit::Command(1),
        }
    }

    /// In words, for logs: "exited with code 7", "was killed by SIGTERM (exit code 143)".
    pub(crate) fn describe(self) -> String {
        match self {
            Exit::Signal(n) => format!(
                "was killed by {} (exit code {})",
                signal_name(n),
                self.code()
            ),
            other => format!("exited with code {}", other.code()),
        }
    }
}

impl std::fmt::Display for Exit {
    /// The numeric code, as a shell shows it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.code())
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        ExitCode::from(exit.code())
    }
}

/// The name of signal `n` on Linux ("SIGTERM"), or "signal n" for one without a common name.
pub(crate) fn signal_name(n: i32) -> String {
    const NAMES: [&str; 15] = [
        "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE",
        "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM",
    ];
    usize::try_from(n)
        .ok()
        .and_then(|i| i.checked_sub(1))
        .and_then(|i| NAMES.get(i))
        .map_or_else(|| format!("signal {n}"), |name| (*name).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_follow_the_contract() {
        let codes = [Exit::Ok, Exit::WrongState, Exit::Usage, Exit::Failure].map(Exit::code);
        assert_eq!(codes, [0, 1, 2, 3]);
        assert_eq!(Exit::Command(7).code(), 7);
        assert_eq!(Exit::Signal(15).code(), 143);
        assert_eq!(Exit::Signal(2).code(), 130);
        assert_eq!(
            Exit::Signal(15).describe(),
            "was killed by SIGTERM (exit code 143)"
        );
        assert_eq!(Exit::Command(7).describe(), "exited with code 7");
        assert_eq!(signal_name(9), "SIGKILL");
        assert_eq!(signal_name(40), "signal 40");
        assert_eq!(signal_name(0), "signal 0");
    }
}
