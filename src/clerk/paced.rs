//! One logical call made safely: paced, with 429s waited out pool-wide and transient
//! failures retried with backoff. Shared by the import and delete engines; what to record
//! about a retry is the caller's business (`RetryObserver`).

use std::future::Future;
use std::time::Duration;

use super::retry::retry_after_jitter;
use super::{ClientError, Pacer, RetryPolicy};

/// Consecutive 429 answers one request tolerates before it fails.
const MAX_RATE_LIMITED: u32 = 20;

/// A retry about to happen.
#[derive(Debug, Clone, PartialEq)]
pub enum RetryNote {
    /// Clerk answered 429: every worker pauses for `wait`.
    RateLimited { wait: Duration, message: String },
    /// A 5xx, timeout or connection error: this call waits `wait` and tries again.
    Transient {
        reason: String,
        wait: Duration,
        message: String,
    },
}

/// Told about each retry, e.g. to write it to a log.
pub trait RetryObserver: Sync {
    fn on_retry(&self, note: RetryNote) -> impl Future<Output = ()> + Send;
}

/// An observer for calls whose retries need no record (setup checks, lookups).
pub struct Unrecorded;

impl RetryObserver for Unrecorded {
    async fn on_retry(&self, _: RetryNote) {}
}

/// Retry bookkeeping for one logical call.
pub struct Retrier<'a> {
    pacer: &'a Pacer,
    policy: &'a RetryPolicy,
    failures: u32,
    limited: u32,
}

impl<'a> Retrier<'a> {
    pub fn new(pacer: &'a Pacer, policy: &'a RetryPolicy) -> Self {
        Self {
            pacer,
            policy,
            failures: 0,
            limited: 0,
        }
    }

    /// Decides whether `e` is worth another try; if so, tells `observer` and waits (a
    /// 429 pauses the whole pool instead). False when `e` is final.
    pub async fn retry<O: RetryObserver>(&mut self, e: &ClientError, observer: &O) -> bool {
        if let Some(api) = e.api()
            && api.status == 429
        {
            self.limited += 1;
            if self.limited > MAX_RATE_LIMITED {
                return false;
            }
            let wait = api
                .retry_after
                .unwrap_or_else(|| self.policy.ceiling(self.limited));
            let wait = wait + retry_after_jitter(wait);
            self.pacer.pause(wait);
            let message = format!(
                "Rate limit hit (429), retrying in {:.1}s (attempt {})",
                wait.as_secs_f64(),
                self.limited
            );
            observer
                .on_retry(RetryNote::RateLimited { wait, message })
                .await;
            return true;
        }
        if !e.is_retryable() || self.failures >= self.policy.max_retries {
            return false;
        }
        self.failures += 1;
        let wait = self.policy.delay(self.failures);
        let reason = e.to_string();
        let message = format!(
            "{reason}; retrying in {:.1}s (attempt {}/{})",
            wait.as_secs_f64(),
            self.failures,
            self.policy.max_retries
        );
        observer
            .on_retry(RetryNote::Transient {
                reason,
                wait,
                message,
            })
            .await;
        tokio::time::sleep(wait).await;
        true
    }
}

/// Makes a call that is safe to repeat, through the pacer, retrying as `Retrier` decides.
pub async fn paced<T, F, Fut, O>(
    pacer: &Pacer,
    policy: &RetryPolicy,
    observer: &O,
    call: F,
) -> Result<T, ClientError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, ClientError>>,
    O: RetryObserver,
{
    pacer.acquire().await;
    paced_in_slot(pacer, policy, observer, call).await
}

/// `paced`, for a caller that already holds a rate slot for the first attempt (so it
/// could give up while waiting for one).
pub async fn paced_in_slot<T, F, Fut, O>(
    pacer: &Pacer,
    policy: &RetryPolicy,
    observer: &O,
    mut call: F,
) -> Result<T, ClientError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, ClientError>>,
    O: RetryObserver,
{
    let mut retrier = Retrier::new(pacer, policy);
    loop {
        match call().await {
            Ok(v) => return Ok(v),
            Err(e) if retrier.retry(&e, observer).await => pacer.acquire().await,
            Err(e) => return Err(e),
        }
    }
}

/// Every item of a list Clerk answers a page at a time (`{data, total_count}`, paged by
/// `offset`), each page paced and retried like any other call.
pub async fn all_pages<T, F, Fut>(
    pacer: &Pacer,
    policy: &RetryPolicy,
    mut page: F,
) -> Result<Vec<T>, ClientError>
where
    F: FnMut(u64) -> Fut,
    Fut: Future<Output = Result<super::types::Page<T>, ClientError>>,
{
    let mut all = Vec::new();
    loop {
        let offset = all.len() as u64;
        let next = paced(pacer, policy, &Unrecorded, || page(offset)).await?;
        let n = next.data.len();
        all.extend(next.data);
        if n == 0 || all.len() as u64 >= next.total_count {
            return Ok(all);
        }
    }
}
