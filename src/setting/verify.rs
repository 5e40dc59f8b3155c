//! Proving a change: reading back through SOQL until the value shows, to the end of the timeout.

use std::time::Duration;

use super::read::query_value;
use super::{Located, MAX_SHOWN_CHARS, State};
use crate::backoff::Backoff;
use crate::error::Error;
use crate::outside::clip_counted;
use crate::salesforce::Deadline;
use crate::salesforce::Salesforce;
use crate::salesforce::http::Event;

/// Time the last read-back, sent when the deadline is reached, may take (retries included).
/// It is what makes "exit 1" mean "the value never showed before `timeout`".
pub(crate) const FINAL_READ_GRACE: Duration = Duration::from_secs(5);
/// A read that fails this close to the deadline may have been cut off by it (the transport
/// gives up once its next backoff, at most 8 s, would pass the deadline): go to the last read.
const NEAR_DEADLINE: Duration = Duration::from_secs(9);

/// When the next read-back happens, after one that did not show the wanted value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NextRead {
    /// Wait this long, then read again (the deadline is further away).
    After(Duration),
    /// Wait this long (until the deadline), then read one last time.
    Last(Duration),
}

/// The read-back schedule: reads at +0, 0.5, 1.5, 3.5, 7.5 s and then every 5 s, and always
/// one last read at the deadline, so the reads cover the whole timeout.
pub(crate) fn next_read(pause: Duration, remaining: Duration) -> NextRead {
    if pause < remaining {
        NextRead::After(pause)
    } else {
        NextRead::Last(remaining)
    }
}

/// Reads back through SOQL until the value is `wanted`: with backoff until the deadline, then
/// once more at the deadline (that read gets [`FINAL_READ_GRACE`] to answer).
pub(crate) async fn verify(
    sf: &mut Salesforce,
    deadline: &Deadline,
    located: &Located,
    wanted: bool,
) -> Result<State, Error> {
    let verifying = |e: Error| match e {
        Error::Salesforce(inner) => Error::Salesforce(inner.during("verifying the change")),
        other => other,
    };
    let mut reads = 0;
    loop {
        let read = query_value(sf, deadline, located).await;
        reads += 1;
        match read {
            Ok(state) if state == State::Valid(wanted) => return Ok(state),
            Ok(state) => {
                let (wait, last) =
                    match next_read(Backoff::READ_BACK.delay(reads), deadline.remaining()) {
                        NextRead::After(wait) => (wait, false),
                        NextRead::Last(wait) => (wait, true),
                    };
                sf.report(Event::ReadBack {
                    read: state.to_string(),
                    wanted,
                    wait,
                    last,
                });
                tokio::time::sleep(wait).await;
                if last {
                    break;
                }
            }
            // Cut off by the deadline, or retries gave up near it: the last read, at the
            // deadline, decides.
            Err(Error::Salesforce(_)) if deadline.remaining() < NEAR_DEADLINE => {
                tokio::time::sleep(deadline.remaining()).await;
                break;
            }
            Err(e) => return Err(verifying(e)),
        }
    }
    let last = Deadline::after(FINAL_READ_GRACE);
    let state = query_value(sf, &last, located).await.map_err(verifying)?;
    reads += 1;
    if state == State::Valid(wanted) {
        return Ok(state);
    }
    Err(Error::WrongState {
        message: format!(
            "wrote {} = {wanted} but SOQL still read {} after {reads} reads, the last at the end of the {}s timeout",
            located.full_name(),
            clip_counted(&state.to_string(), MAX_SHOWN_CHARS),
            deadline.total().as_secs()
        ),
        hint: "Salesforce may be slow to show the change: check the value in Setup (Custom Metadata Types) and run again with a larger timeout".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The times (since the first read) at which reads happen for a timeout of `total`,
    /// when no read ever shows the wanted value and each read takes no time.
    fn read_times(total: Duration) -> Vec<Duration> {
        let mut now = Duration::ZERO;
        let mut times = vec![now];
        let mut reads = 0;
        loop {
            reads += 1;
            match next_read(Backoff::READ_BACK.delay(reads), total - now) {
                NextRead::After(wait) => {
                    now += wait;
                    times.push(now);
                }
                NextRead::Last(wait) => {
                    times.push(now + wait);
                    return times;
                }
            }
        }
    }

    #[test]
    fn read_back_covers_the_whole_timeout_with_a_last_read_at_the_deadline() {
        let s = Duration::from_secs_f64;
        assert_eq!(
            read_times(s(10.0)),
            vec![s(0.0), s(0.5), s(1.5), s(3.5), s(7.5), s(10.0)]
        );
        for total in [0.2, 1.0, 3.0, 7.5, 8.0, 19.0, 20.0, 120.0, 86_400.0] {
            let times = read_times(s(total));
            assert_eq!(times.last(), Some(&s(total)), "last read at the deadline");
            assert!(
                times.windows(2).all(|w| w[1] > w[0] || w[1] == s(total)),
                "{times:?}"
            );
            assert!(
                times
                    .windows(2)
                    .all(|w| w[1] - w[0] <= Backoff::READ_BACK.max),
                "no gap longer than 5 s: {times:?}"
            );
        }
    }
}
