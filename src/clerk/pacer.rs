//! Every BAPI call is paced here: a pool-wide pause after a 429, then one governor
//! limiter at slightly under the allowed rate, so the instance's limit is never crossed
//! by arrival jitter.

use std::num::NonZeroU32;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use governor::{Quota, RateLimiter};

/// Clerk counts requests in 10-second windows (Clerk's documented rate limits).
const WINDOW_SECS: f64 = 10.0;

/// Requests per window kept in reserve: one for the burst below and two for arrival
/// jitter (a request sent just before a window opens may arrive just after).
const RESERVE_PER_WINDOW: f64 = 3.0;

/// Requests that may go back to back. With 1, a request that starts a little late (timer
/// wake-up, a busy worker) loses that time for good and the pace drifts below the
/// schedule; 2 lets the next request make it up.
const BURST: u32 = 2;

// The std monotonic clock, not governor's default TSC clock, whose calibration on a
// virtual machine can be off by a few percent, and the pace with it.
type Limiter = RateLimiter<
    governor::state::NotKeyed,
    governor::state::InMemoryState,
    governor::clock::MonotonicClock,
    governor::middleware::NoOpMiddleware<std::time::Instant>,
>;

/// The single throttle shared by all workers.
pub struct Pacer {
    limiter: Limiter,
    paused_until: Mutex<Option<Instant>>,
    calls: AtomicU64,
    rate: f64,
}

impl Pacer {
    /// A pacer for `rate` requests per second.
    pub fn new(rate: f64) -> Self {
        // A strict sliding window never sees more than rate × 10 s requests: at 100/s
        // the schedule runs at 99.7/s, at 10/s at 9.7/s.
        let effective = (rate - RESERVE_PER_WINDOW / WINDOW_SECS)
            .max(rate * 0.5)
            .max(0.01);
        let period = Duration::from_secs_f64(1.0 / effective);
        let burst = NonZeroU32::new(BURST).unwrap_or(NonZeroU32::MIN);
        let quota = Quota::with_period(period)
            .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
            .allow_burst(burst);
        Self {
            limiter: RateLimiter::direct_with_clock(quota, governor::clock::MonotonicClock),
            paused_until: Mutex::new(None),
            calls: AtomicU64::new(0),
            rate,
        }
    }

    /// The configured rate (requests per second).
    /// A pacer for an hourly limit (organization invitations): `per_hour` calls evenly
    /// spaced, one at a time, nothing held back.
    pub fn hourly(per_hour: u32) -> Self {
        let per_hour = per_hour.max(1);
        let period = Duration::from_secs_f64(3600.0 / f64::from(per_hour));
        let quota = Quota::with_period(period)
            .unwrap_or_else(|| Quota::per_hour(NonZeroU32::MIN))
            .allow_burst(NonZeroU32::MIN);
        Self {
            limiter: RateLimiter::direct_with_clock(quota, governor::clock::MonotonicClock),
            paused_until: Mutex::new(None),
            calls: AtomicU64::new(0),
            rate: f64::from(per_hour) / 3600.0,
        }
    }

    pub fn rate(&self) -> f64 {
        self.rate
    }

    /// Waits for a pause to end and for the limiter, then counts the call.
    pub async fn acquire(&self) {
        loop {
            self.wait_pause().await;
            self.limiter.until_ready().await;
            // A 429 may have paused the pool while this worker waited on the limiter.
            if self.pause_remaining().is_none() {
                break;
            }
        }
        self.calls.fetch_add(1, Ordering::Relaxed);
    }

    async fn wait_pause(&self) {
        while let Some(wait) = self.pause_remaining() {
            tokio::time::sleep(wait).await;
        }
    }

    fn pause_remaining(&self) -> Option<Duration> {
        let guard = self.paused_until.lock().unwrap_or_else(|e| e.into_inner());
        let until = (*guard)?;
        let now = Instant::now();
        (until > now).then(|| until - now)
    }

    /// Pauses every worker for `wait` (a pause already longer stays).
    pub fn pause(&self, wait: Duration) {
        let until = Instant::now() + wait;
        let mut guard = self.paused_until.lock().unwrap_or_else(|e| e.into_inner());
        if guard.is_none_or(|current| current < until) {
            *guard = Some(until);
        }
    }

    /// Calls made so far.
    pub fn calls(&self) -> u64 {
        self.calls.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn calls_are_spaced_by_the_rate() {
        let pacer = Pacer::new(50.0);
        let start = Instant::now();
        for _ in 0..22 {
            pacer.acquire().await;
        }
        // A few may go back to back at the start; then one per 1/49.7 s.
        let elapsed = start.elapsed();
        assert!(elapsed >= Duration::from_millis(380), "{elapsed:?}");
        assert_eq!(pacer.calls(), 22);
    }

    #[tokio::test]
    async fn a_pause_holds_everyone() {
        let pacer = Pacer::new(1000.0);
        pacer.pause(Duration::from_millis(150));
        let start = Instant::now();
        pacer.acquire().await;
        assert!(start.elapsed() >= Duration::from_millis(140));
    }
}
