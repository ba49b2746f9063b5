//! The verify run: reads the source file once, checks the users the logs name against
//! the instance in batches of 100 with several requests in flight, then signs in with the
//! known passwords, logging every difference.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use tokio::task::JoinSet;

use crate::clerk::{ClerkClient, ClientError, Pacer, RetryPolicy};
use crate::ledger::entry::DriftField;
use crate::ledger::{Entry, LedgerError, LedgerWriter, Status};
use crate::prepare::{self, Item, PrepareOptions};
use crate::source::SourceError;

use super::{BATCH, Outcome, PasswordOutcome, ToCheck, VerifySummary};

#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error(transparent)]
    Clerk(#[from] ClientError),
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    /// A check's task ended without an answer (it panicked or was cancelled).
    #[error("a check stopped without an answer: {0}")]
    Task(String),
}

/// The instance to check against, and how many requests may be in flight.
pub struct Api {
    pub client: ClerkClient,
    pub pacer: Arc<Pacer>,
    pub policy: RetryPolicy,
    pub in_flight: usize,
}

/// What to check: the source file as the import read it, the users the logs name
/// (source ID → Clerk ID) and known passwords (source ID, password).
pub struct Checks<'a> {
    pub file: &'a Path,
    pub options: PrepareOptions,
    pub users: HashMap<String, String>,
    pub passwords: Vec<(String, String)>,
}

/// Runs the checks and writes a line per difference to `ledger`.
pub async fn run(
    api: &Api,
    work: Checks<'_>,
    mut ledger: LedgerWriter,
) -> Result<VerifySummary, VerifyError> {
    let mut s = VerifySummary::new(ledger.path().to_owned());
    let clerk_ids = work.users.clone();
    let mut wanted = work.users;
    let mut checks: JoinSet<Checked> = JoinSet::new();
    let mut batch: Vec<ToCheck> = Vec::with_capacity(BATCH);
    let mut items = prepare::prepare(work.file, work.options)?;
    loop {
        let next = items.next().transpose()?;
        let done = next.is_none();
        if let Some((Item::Ready { prepared, .. }, _)) = next
            && let Some(clerk_id) = wanted.remove(&prepared.external_id)
        {
            batch.push(ToCheck {
                clerk_id,
                expected: *prepared,
            });
        }
        if batch.len() == BATCH || (done && !batch.is_empty()) {
            let batch = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
            let (client, pacer, policy) = (api.client.clone(), api.pacer.clone(), api.policy);
            checks.spawn(async move {
                let outcomes = super::check(&client, &pacer, &policy, &batch).await;
                Checked::Users(batch, outcomes)
            });
        }
        while checks.len() >= api.in_flight {
            settle(checks.join_next().await, &mut s, &mut ledger)?;
        }
        if done {
            break;
        }
    }
    s.not_in_source = wanted.len() as u64;

    for (id, password) in work.passwords {
        s.password_checked += 1;
        let Some(clerk_id) = clerk_ids.get(&id).cloned() else {
            s.password_failed
                .push((id, "not among the users of these runs"));
            continue;
        };
        let (client, pacer, policy) = (api.client.clone(), api.pacer.clone(), api.policy);
        checks.spawn(async move {
            let outcome =
                super::check_password(&client, &pacer, &policy, &clerk_id, &password).await;
            Checked::Password(id, clerk_id, outcome)
        });
        while checks.len() >= api.in_flight {
            settle(checks.join_next().await, &mut s, &mut ledger)?;
        }
    }
    while let Some(next) = checks.join_next().await {
        settle(Some(next), &mut s, &mut ledger)?;
    }
    Ok(s)
}

/// The answer to one spawned request.
enum Checked {
    Users(Vec<ToCheck>, Result<Vec<Outcome>, ClientError>),
    Password(String, String, Result<PasswordOutcome, ClientError>),
}

/// Counts and logs one finished request.
fn settle(
    joined: Option<Result<Checked, tokio::task::JoinError>>,
    s: &mut VerifySummary,
    ledger: &mut LedgerWriter,
) -> Result<(), VerifyError> {
    let Some(joined) = joined else {
        return Ok(());
    };
    let checked = joined.map_err(|e| VerifyError::Task(e.to_string()))?;
    match checked {
        Checked::Users(batch, outcomes) => {
            for (t, outcome) in batch.into_iter().zip(outcomes?) {
                s.checked += 1;
                let id = t.expected.external_id;
                match outcome {
                    Outcome::Match => s.matching += 1,
                    Outcome::Missing => {
                        s.missing += 1;
                        ledger.append(&Entry::for_user(&id, &t.clerk_id, Status::Missing))?;
                    }
                    Outcome::Drift(diffs) => {
                        s.drifted += 1;
                        s.note_drift(&id, &diffs);
                        let fields = diffs
                            .iter()
                            .map(|d| DriftField {
                                field: d.field.to_owned(),
                                expected: d.expected.clone(),
                                actual: d.actual.clone(),
                            })
                            .collect();
                        ledger.append(&Entry {
                            fields: Some(fields),
                            ..Entry::for_user(&id, &t.clerk_id, Status::Drift)
                        })?;
                    }
                }
            }
        }
        Checked::Password(id, clerk_id, outcome) => {
            let why = match outcome? {
                PasswordOutcome::Ok => {
                    s.password_ok += 1;
                    return Ok(());
                }
                PasswordOutcome::Wrong => "Clerk refuses the password",
                PasswordOutcome::NoPassword => "Clerk holds no password for this user",
                PasswordOutcome::Missing => "the user is gone",
            };
            ledger.append(&Entry {
                error: Some(why.to_owned()),
                ..Entry::for_user(&id, &clerk_id, Status::PasswordFailed)
            })?;
            s.password_failed.push((id, why));
        }
    }
    Ok(())
}
