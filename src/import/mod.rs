//! The import engine: workers create users at the rate limit, one collector writes the
//! ledger and reports events.
//!
//! ```text
//! commands/import.rs ──Work──▶ [bounded channel] ──▶ N workers ──Msg──▶ collector
//!   (reads, maps, checks)                              (paced calls)     (ledger, events,
//!                                                                          summary)
//! ```
//!
//! Workers never write files or print. The number of workers only has to be large
//! enough that the pacer, not the workers, limits throughput: with enough of them,
//! requests in flight settle at rate × latency whatever the latency is.

pub mod feed;
pub mod resume;
pub mod summary;
mod worker;

use std::sync::Arc;
use std::time::Instant;

use tokio::sync::{Mutex, mpsc, oneshot};

use crate::clerk::{ApiError, ClerkClient, Pacer, RetryPolicy};
use crate::event::{Event, Reporter};
use crate::ledger::{Entry, LedgerError, LedgerWriter, Status};
use crate::user::Prepared;

use crate::engine::Stop;
pub use resume::ResumeState;
pub use summary::ImportSummary;

/// One record for the engine.
#[derive(Debug)]
pub enum Work {
    /// A valid user to create.
    Create { row: u64, prepared: Box<Prepared> },
    /// A record the source marks as no user to migrate: logged, never sent.
    Skipped {
        row: u64,
        user_id: String,
        reason: &'static str,
    },
    /// A user whose outcome a read before the run settled (the live preflight found it
    /// present, or its identifier held by another user): logged as given, never sent.
    Settled { entry: Box<Entry> },
    /// A record that failed validation: its ledger entry, logged, never sent.
    Invalid { entry: Box<Entry> },
}

impl crate::hint::Hint for ImportError {
    fn hint(&self) -> Option<String> {
        match self {
            Self::Auth(_) => Some(
                "check that CLERK_SECRET_KEY is the current Secret key of the intended instance"
                    .to_owned(),
            ),
            _ => None,
        }
    }
}

/// How the engine runs.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    pub workers: usize,
    pub retry: RetryPolicy,
    pub resume: ResumeState,
}

/// Why the whole run stopped.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("Clerk refused the secret key: {0}")]
    Auth(Box<ApiError>),
    #[error("the instance cannot take more users: {0}")]
    Quota(Box<ApiError>),
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    /// A worker ended without finishing its records (it panicked): what it held is not
    /// in the log, so the run is not reported as complete.
    #[error("a worker stopped without finishing: {0}; run the same command again to resume")]
    Worker(String),
}

/// What workers tell the collector.
enum Msg {
    /// About to create: must be on disk before the request goes out.
    Intent {
        user_id: String,
        ack: oneshot::Sender<()>,
    },
    /// A progress line (retry, warning) and the event to show.
    Note { entry: Entry, event: Event },
    /// The settled record; a refused one names its user's first email or phone.
    Final {
        entry: Entry,
        fatal: Option<ImportError>,
        contact: Option<String>,
    },
}

/// Runs the import until the work channel closes or a stop is requested.
pub async fn run(
    client: ClerkClient,
    pacer: Arc<Pacer>,
    work: mpsc::Receiver<Work>,
    mut ledger: LedgerWriter,
    reporter: Arc<dyn Reporter>,
    options: ImportOptions,
    stop: Stop,
) -> Result<ImportSummary, ImportError> {
    let started = Instant::now();
    let work = Arc::new(Mutex::new(work));
    let (tx, mut rx) = mpsc::channel::<Msg>(options.workers.max(1) * 4);
    let ctx = Arc::new(worker::Ctx {
        stop: stop.clone(),
        client,
        pacer: pacer.clone(),
        retry: options.retry,
        resume: options.resume,
        tx,
    });
    let mut handles = Vec::new();
    for _ in 0..options.workers.max(1) {
        let ctx = ctx.clone();
        let work = work.clone();
        let stop = stop.clone();
        handles.push(tokio::spawn(async move {
            loop {
                if stop.is_requested() {
                    break;
                }
                let next = {
                    let mut queue = work.lock().await;
                    tokio::select! {
                        w = queue.recv() => w,
                        _ = stop.wait() => None,
                    }
                };
                let Some(w) = next else { break };
                worker::handle(&ctx, w).await;
            }
        }));
    }
    // Only the workers hold senders now: the loop below ends when they all finish.
    drop(ctx);

    let mut summary = ImportSummary {
        log_file: ledger.path().to_owned(),
        ..ImportSummary::default()
    };
    let mut errors = crate::engine::ErrorTally::default();
    let mut fatal: Option<ImportError> = None;
    let mut write_error: Option<LedgerError> = None;
    while let Some(msg) = rx.recv().await {
        let result = match msg {
            Msg::Intent { user_id, ack } => {
                let r = ledger.append(&Entry::new(user_id, Status::Creating));
                if r.is_ok() {
                    let _ = ack.send(());
                }
                r
            }
            Msg::Note { entry, event } => {
                match entry.status {
                    Some(Status::RateLimitRetry) => {
                        summary.rate_limited += 1;
                        summary.retries += 1;
                    }
                    Some(Status::Retry) => summary.retries += 1,
                    Some(
                        Status::Warning
                        | Status::AdditionalEmailError
                        | Status::AdditionalPhoneError,
                    ) => summary.warnings += 1,
                    _ => {}
                }
                reporter.report(&event);
                ledger.append(&entry)
            }
            Msg::Final {
                entry,
                fatal: f,
                contact,
            } => {
                let status = entry.status.unwrap_or(Status::Error);
                summary.total += 1;
                summary.count(status);
                if status == Status::Error {
                    let message = entry.error.as_deref().unwrap_or("unknown error");
                    errors.add(message);
                    reporter.report(&Event::Refused {
                        user_id: entry.user_id.clone(),
                        contact,
                        message: message.to_owned(),
                    });
                }
                summary.last_settled = Some(entry.user_id.clone());
                reporter.report(&Event::Settled { status });
                if let Some(f) = f
                    && fatal.is_none()
                {
                    fatal = Some(f);
                    stop.request();
                }
                ledger.append(&entry)
            }
        };
        if let Err(e) = result {
            // Without a log the run cannot be resumed safely: stop taking work.
            stop.request();
            write_error.get_or_insert(e);
        }
    }
    let mut lost_worker = None;
    for h in handles {
        if let Err(e) = h.await {
            lost_worker.get_or_insert(e.to_string());
        }
    }
    summary.api_calls = pacer.calls();
    summary.elapsed_secs = started.elapsed().as_secs_f64();
    summary.errors = errors.sorted();
    summary.interrupted = stop.is_requested();
    if let Some(e) = write_error {
        return Err(e.into());
    }
    if let Some(f) = fatal {
        return Err(f);
    }
    if let Some(e) = lost_worker {
        return Err(ImportError::Worker(e));
    }
    Ok(summary)
}
