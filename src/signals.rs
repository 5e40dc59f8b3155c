//! SIGINT and SIGTERM: caught by the action's phases and by `run` (which passes them on).

use tokio::signal::unix::{Signal, SignalKind, signal};

use crate::error::{Error, Result};
use crate::exit::Exit;

/// The signals a long-running phase listens for. Registering them also stops them from
/// killing the process, which matters for PID 1 in a container.
pub(crate) struct Signals {
    interrupt: Signal,
    terminate: Signal,
}

/// Which signal arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Caught {
    /// SIGINT.
    Interrupt,
    /// SIGTERM.
    Terminate,
}

impl Caught {
    /// The signal number.
    pub(crate) fn number(self) -> i32 {
        match self {
            Caught::Interrupt => libc::SIGINT,
            Caught::Terminate => libc::SIGTERM,
        }
    }

    /// The conventional exit for a process stopped by this signal (128 + n).
    pub(crate) fn exit(self) -> Exit {
        Exit::Signal(self.number())
    }

    /// The signal's name.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Caught::Interrupt => "SIGINT",
            Caught::Terminate => "SIGTERM",
        }
    }

    /// Sends this signal to process `pid`.
    #[allow(unsafe_code)]
    pub(crate) fn send_to(self, pid: u32) {
        let Ok(pid) = libc::pid_t::try_from(pid) else {
            return;
        };
        // SAFETY: kill(2) takes plain integers and touches no memory of ours.
        unsafe {
            libc::kill(pid, self.number());
        }
    }
}

impl Signals {
    /// Installs handlers for SIGINT and SIGTERM.
    pub(crate) fn install() -> Result<Self> {
        let make = |kind| {
            signal(kind).map_err(|e| {
                Error::Local(anyhow::Error::new(e).context("installing signal handlers"))
            })
        };
        Ok(Self {
            interrupt: make(SignalKind::interrupt())?,
            terminate: make(SignalKind::terminate())?,
        })
    }

    /// Waits for the next SIGINT or SIGTERM.
    pub(crate) async fn next(&mut self) -> Caught {
        tokio::select! {
            _ = self.interrupt.recv() => Caught::Interrupt,
            _ = self.terminate.recv() => Caught::Terminate,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caught_signals_end_with_128_plus_their_number() {
        assert_eq!(Caught::Interrupt.exit().code(), 130);
        assert_eq!(Caught::Terminate.exit().code(), 143);
        assert_eq!(
            Caught::Terminate.exit().describe(),
            "was killed by SIGTERM (exit code 143)"
        );
        assert_eq!(
            Caught::Interrupt.exit().describe(),
            "was killed by SIGINT (exit code 130)"
        );
    }
}
