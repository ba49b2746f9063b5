//! The rollback engine: checks each target against the instance, then deletes the ones
//! that still carry the external ID a run recorded, at the rate limit, with the same
//! 429 and retry handling as the import.

pub mod orgs;
pub mod plan;
pub mod select;

use std::sync::Arc;
use std::time::Instant;

use tokio::sync::{Mutex, mpsc};

use crate::clerk::paced::{self, RetryNote, RetryObserver, Unrecorded};
use crate::clerk::types::UserQuery;
use crate::clerk::{ClerkClient, ClientError, Pacer, RetryPolicy};
use crate::engine::{ErrorTally, Stop};
use crate::event::{Event, Reporter};
use crate::ledger::{Entry, LedgerError, LedgerWriter, Status};

pub use select::CreatedUser;

/// Users per `GET /v1/users` filter request (Clerk's maximum).
const BATCH: usize = 100;

/// What the instance says about a target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    /// Still there, with the recorded external ID.
    Delete(CreatedUser),
    /// Gone already.
    NotFound(CreatedUser),
    /// Its external ID is no longer the recorded one: somebody changed it; left alone.
    Changed {
        target: CreatedUser,
        now: Option<String>,
    },
    /// Signed in since the import (Clerk records no sign-in for a created user, so any
    /// `last_sign_in_at` is later): a real user now, deleted only on explicit request.
    SignedIn { target: CreatedUser, at: i64 },
}

impl Check {
    /// Whether a sign-in since the import makes this user need its own confirmation.
    pub fn signed_in(&self) -> bool {
        matches!(self, Self::SignedIn { .. })
    }

    /// A signed-in user the person chose to delete all the same.
    pub fn confirmed(self) -> Self {
        match self {
            Self::SignedIn { target, .. } => Self::Delete(target),
            other => other,
        }
    }
}

/// Why a rollback stopped.
#[derive(Debug, thiserror::Error)]
pub enum DeleteError {
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    #[error("a worker stopped without finishing: {0}; run the same command again to finish")]
    Worker(String),
}

/// Counts of one rollback.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DeleteSummary {
    pub targets: u64,
    pub deleted: u64,
    pub not_found: u64,
    pub skipped: u64,
    pub failed: u64,
    pub api_calls: u64,
    pub elapsed_secs: f64,
    pub errors: Vec<(String, u64)>,
    pub interrupted: bool,
}

impl DeleteSummary {
    /// Targets a stop left untouched (they remain for the next run).
    pub fn not_started(&self) -> u64 {
        self.targets
            .saturating_sub(self.deleted + self.not_found + self.skipped + self.failed)
    }
}

/// Checks targets in batches of 100 user IDs per request.
pub async fn verify(
    client: &ClerkClient,
    pacer: &Pacer,
    policy: &RetryPolicy,
    targets: Vec<CreatedUser>,
) -> Result<Vec<Check>, ClientError> {
    let mut out = Vec::with_capacity(targets.len());
    for chunk in targets.chunks(BATCH) {
        let query = UserQuery {
            user_id: chunk.iter().map(|t| t.clerk_id.clone()).collect(),
            limit: Some(BATCH as u32),
            ..UserQuery::default()
        };
        let users = paced::paced(pacer, policy, &Unrecorded, || client.list_users(&query)).await?;
        for target in chunk {
            let found = users.iter().find(|u| u.id == target.clerk_id);
            out.push(match found {
                None => Check::NotFound(target.clone()),
                Some(u) if u.external_id.as_deref() == Some(target.external_id.as_str()) => {
                    match u.last_sign_in_at {
                        Some(at) => Check::SignedIn {
                            target: target.clone(),
                            at,
                        },
                        None => Check::Delete(target.clone()),
                    }
                }
                Some(u) => Check::Changed {
                    target: target.clone(),
                    now: u.external_id.clone(),
                },
            });
        }
    }
    Ok(out)
}

enum Msg {
    Note(Entry, Event),
    Done(Entry),
}

struct Notes<'a> {
    tx: &'a mpsc::Sender<Msg>,
    user_id: &'a str,
}

impl RetryObserver for Notes<'_> {
    async fn on_retry(&self, note: RetryNote) {
        let (entry, event) = crate::engine::retry_line(note, self.user_id, "User Deletion Error");
        let _ = self.tx.send(Msg::Note(entry, event)).await;
    }
}

fn line(target: &CreatedUser, status: Status) -> Entry {
    Entry::for_user(&target.external_id, &target.clerk_id, status)
}

/// Records the checks and deletes what is to be deleted.
#[allow(clippy::too_many_arguments)]
pub async fn run(
    client: ClerkClient,
    pacer: Arc<Pacer>,
    policy: RetryPolicy,
    checks: Vec<Check>,
    mut ledger: LedgerWriter,
    reporter: Arc<dyn Reporter>,
    workers: usize,
    stop: Stop,
) -> Result<DeleteSummary, DeleteError> {
    let started = Instant::now();
    let mut summary = DeleteSummary {
        targets: checks.len() as u64,
        ..DeleteSummary::default()
    };
    let mut to_delete = Vec::new();
    for check in checks {
        match check {
            Check::Delete(t) => to_delete.push(t),
            Check::NotFound(t) => {
                summary.not_found += 1;
                ledger.append(&line(&t, Status::NotFound))?;
                reporter.report(&Event::Settled {
                    status: Status::NotFound,
                });
            }
            Check::Changed { target, now } => {
                summary.skipped += 1;
                let mut entry = line(&target, Status::Skipped);
                entry.error = Some(format!(
                    "the user's external_id is now {now:?}, not the one the migration recorded; left alone"
                ));
                ledger.append(&entry)?;
                reporter.report(&Event::Settled {
                    status: Status::Skipped,
                });
            }
            Check::SignedIn { target, at } => {
                summary.skipped += 1;
                let mut entry = line(&target, Status::Skipped);
                entry.error = Some(format!(
                    "signed in since the import (last_sign_in_at {at}); left alone (--include-signed-in deletes it)"
                ));
                ledger.append(&entry)?;
                reporter.report(&Event::Settled {
                    status: Status::Skipped,
                });
            }
        }
    }
    let queue = Arc::new(Mutex::new(to_delete.into_iter()));
    let (tx, mut rx) = mpsc::channel::<Msg>(workers.max(1) * 4);
    let mut handles = Vec::new();
    for _ in 0..workers.max(1) {
        let (queue, tx, client, pacer, stop) = (
            queue.clone(),
            tx.clone(),
            client.clone(),
            pacer.clone(),
            stop.clone(),
        );
        handles.push(tokio::spawn(async move {
            loop {
                if stop.is_requested() {
                    break;
                }
                let Some(target) = queue.lock().await.next() else {
                    break;
                };
                // A deletion still waiting for its rate slot when a stop comes is never
                // started: the next run finds the user and deletes it then.
                tokio::select! {
                    _ = pacer.acquire() => {}
                    _ = stop.wait() => break,
                }
                if stop.is_requested() {
                    break;
                }
                let notes = Notes {
                    tx: &tx,
                    user_id: &target.external_id,
                };
                let result = paced::paced_in_slot(&pacer, &policy, &notes, || {
                    client.delete_user(&target.clerk_id)
                })
                .await;
                let entry = match result {
                    Ok(_) => line(&target, Status::Deleted),
                    Err(e) if e.api().is_some_and(|a| a.status == 404) => {
                        line(&target, Status::NotFound)
                    }
                    Err(e) => {
                        let mut entry = line(&target, Status::Error);
                        entry.error = Some(
                            e.api()
                                .map_or_else(|| e.to_string(), |a| a.long_message.clone()),
                        );
                        entry.code = Some(
                            e.api()
                                .map_or_else(|| "network".to_owned(), |a| a.status.to_string()),
                        );
                        entry.trace_id = e.api().and_then(|a| a.trace_id.clone());
                        entry
                    }
                };
                let _ = tx.send(Msg::Done(entry)).await;
            }
        }));
    }
    drop(tx);
    let mut errors = ErrorTally::default();
    let mut write_error = None;
    while let Some(msg) = rx.recv().await {
        let entry = match msg {
            Msg::Note(entry, event) => {
                reporter.report(&event);
                entry
            }
            Msg::Done(entry) => {
                let status = entry.status.unwrap_or(Status::Error);
                match status {
                    Status::Deleted => summary.deleted += 1,
                    Status::NotFound => summary.not_found += 1,
                    _ => {
                        summary.failed += 1;
                        errors.add(entry.error.as_deref().unwrap_or("unknown error"));
                    }
                }
                reporter.report(&Event::Settled { status });
                entry
            }
        };
        if let Err(e) = ledger.append(&entry) {
            stop.request();
            write_error.get_or_insert(e);
        }
    }
    for h in handles {
        if let Err(e) = h.await {
            // A worker that ended without finishing leaves its users unrecorded: said,
            // never counted as done.
            return Err(DeleteError::Worker(e.to_string()));
        }
    }
    if let Some(e) = write_error {
        return Err(e.into());
    }
    summary.api_calls = pacer.calls();
    summary.elapsed_secs = started.elapsed().as_secs_f64();
    summary.errors = errors.sorted();
    summary.interrupted = stop.is_requested();
    Ok(summary)
}
