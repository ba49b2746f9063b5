//! The retry policy: capped exponential backoff with full jitter. Pure, so it is tested
//! without a clock.

use std::time::Duration;

use rand::Rng;

/// How often and how long to back off.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    /// Retries after the first attempt for 5xx, timeouts and connection errors.
    pub max_retries: u32,
    /// Delay before the first retry (before jitter).
    pub base: Duration,
    /// Cap on any single delay.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        // Clerk's SDKs start at 500 ms with exponent 1.5; doubling reaches the cap sooner,
        // which suits a batch job that would rather wait than fail users.
        Self {
            max_retries: 5,
            base: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// The ceiling of the delay before retry number `attempt` (1-based).
    pub fn ceiling(&self, attempt: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempt.saturating_sub(1).min(16));
        self.base.saturating_mul(factor).min(self.max_delay)
    }

    /// A delay for retry `attempt`, uniformly drawn from half the ceiling up to the
    /// ceiling, so workers that failed together do not retry together.
    pub fn delay(&self, attempt: u32) -> Duration {
        let ceiling = self.ceiling(attempt);
        let half = ceiling / 2;
        half + ceiling
            .saturating_sub(half)
            .mul_f64(rand::rng().random::<f64>())
    }
}

/// Extra wait added to a `Retry-After` so paused workers do not all resume at once.
pub fn retry_after_jitter(retry_after: Duration) -> Duration {
    let spread = (retry_after / 10).clamp(Duration::from_millis(50), Duration::from_secs(2));
    spread.mul_f64(rand::rng().random::<f64>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let p = RetryPolicy::default();
        assert_eq!(p.ceiling(1), Duration::from_millis(500));
        assert_eq!(p.ceiling(2), Duration::from_secs(1));
        assert_eq!(p.ceiling(4), Duration::from_secs(4));
        assert_eq!(p.ceiling(30), Duration::from_secs(30));
        for attempt in 1..10 {
            let d = p.delay(attempt);
            assert!(d >= p.ceiling(attempt) / 2 && d <= p.ceiling(attempt));
        }
        assert!(retry_after_jitter(Duration::from_secs(10)) <= Duration::from_secs(1));
    }
}
