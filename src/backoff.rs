//! One backoff for everything that waits and tries again: the HTTP retries (with jitter) and the
//! read-back polling (without, so its schedule is exact), plus the process's one source of
//! randomness.

use std::hash::{BuildHasher, Hasher};
use std::time::{Duration, Instant};

/// Exponential backoff: `first`, doubling after each try, never over `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Backoff {
    /// The pause before the second try.
    pub(crate) first: Duration,
    /// The longest pause.
    pub(crate) max: Duration,
}

impl Backoff {
    /// The HTTP retry policy: 0.4 s, doubling, at most 8 s (jittered, see [`Backoff::jittered`]).
    pub(crate) const HTTP: Backoff = Backoff {
        first: Duration::from_millis(400),
        max: Duration::from_secs(8),
    };

    /// The read-back polling: reads at +0, 0.5, 1.5, 3.5, 7.5 s, then every 5 s.
    pub(crate) const READ_BACK: Backoff = Backoff {
        first: Duration::from_millis(500),
        max: Duration::from_secs(5),
    };

    /// The pause after try number `attempt` (1-based): `first × 2^(attempt−1)`, capped at `max`.
    pub(crate) fn delay(&self, attempt: u32) -> Duration {
        self.first
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(16))
            .min(self.max)
    }

    /// [`Backoff::delay`] with jitter in [50%, 100%], so that clients do not retry in step.
    pub(crate) fn jittered(&self, attempt: u32) -> Duration {
        self.delay(attempt).mul_f64(0.5 + 0.5 * unit_random())
    }
}

/// A uniform random number in [0, 1), from the standard library's randomly keyed hasher.
pub(crate) fn unit_random() -> f64 {
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(Instant::now().elapsed().as_nanos());
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_up_to_the_cap() {
        let ms = |n| Duration::from_millis(n);
        let b = Backoff::READ_BACK;
        let delays: Vec<Duration> = (1..=6).map(|a| b.delay(a)).collect();
        assert_eq!(
            delays,
            [ms(500), ms(1000), ms(2000), ms(4000), ms(5000), ms(5000)]
        );
        assert_eq!(b.delay(u32::MAX), b.max);
    }

    #[test]
    fn jitter_stays_between_half_and_whole() {
        let b = Backoff::HTTP;
        for attempt in 1..40 {
            let j = b.jittered(attempt);
            assert!(
                j <= b.delay(attempt) && j >= b.delay(attempt).mul_f64(0.5),
                "{j:?}"
            );
        }
        assert!(b.jittered(6) > b.first);
    }

    #[test]
    fn random_numbers_are_in_range_and_vary() {
        let draws: Vec<f64> = (0..64).map(|_| unit_random()).collect();
        assert!(draws.iter().all(|x| (0.0..1.0).contains(x)));
        assert!(draws.windows(2).any(|w| w[0] != w[1]));
    }
}
