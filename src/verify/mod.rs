//! `migrate verify`: reads back what import runs created and compares it with the source,
//! and checks the operator's known passwords against Clerk's `verify_password`.
//!
//! Users are fetched 100 per request by Clerk ID and passwords one call each, all through
//! the shared pacer and retry policy.

pub mod compare;
pub mod orgs;
pub mod passwords;
pub mod run;
pub mod summary;
pub mod targets;

use crate::clerk::paced::{Unrecorded, paced};
use crate::clerk::types::UserQuery;
use crate::clerk::{ClerkClient, ClientError, Pacer, RetryPolicy};
use crate::user::Prepared;

pub use compare::{FIELDS, FieldDiff};
pub use summary::VerifySummary;

/// Users per list request: the filter's and the page's maximum.
pub const BATCH: usize = 100;

/// One user to check.
#[derive(Debug, Clone)]
pub struct ToCheck {
    pub clerk_id: String,
    pub expected: Prepared,
}

/// What Clerk holds for a user, against the source.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Match,
    Drift(Vec<FieldDiff>),
    /// No user with the recorded Clerk ID any more.
    Missing,
}

/// Compares up to `BATCH` users with one list request.
pub async fn check(
    client: &ClerkClient,
    pacer: &Pacer,
    policy: &RetryPolicy,
    batch: &[ToCheck],
) -> Result<Vec<Outcome>, ClientError> {
    let query = UserQuery {
        user_id: batch.iter().map(|t| t.clerk_id.clone()).collect(),
        limit: Some(BATCH as u32),
        ..UserQuery::default()
    };
    let users = paced(pacer, policy, &Unrecorded, || client.list_users(&query)).await?;
    Ok(batch
        .iter()
        .map(|t| match users.iter().find(|u| u.id == t.clerk_id) {
            None => Outcome::Missing,
            Some(u) => {
                let diffs = compare::compare(&t.expected, u);
                if diffs.is_empty() {
                    Outcome::Match
                } else {
                    Outcome::Drift(diffs)
                }
            }
        })
        .collect())
}

/// Whether a known password signs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordOutcome {
    Ok,
    /// Clerk answered that the password is not the user's.
    Wrong,
    /// Clerk holds no password for the user.
    NoPassword,
    /// The user is not there.
    Missing,
}

/// Asks Clerk whether `password` is the user's.
pub async fn check_password(
    client: &ClerkClient,
    pacer: &Pacer,
    policy: &RetryPolicy,
    clerk_id: &str,
    password: &str,
) -> Result<PasswordOutcome, ClientError> {
    match paced(pacer, policy, &Unrecorded, || {
        client.verify_password(clerk_id, password)
    })
    .await
    {
        Ok(true) => Ok(PasswordOutcome::Ok),
        Ok(false) => Ok(PasswordOutcome::Wrong),
        Err(ClientError::Api(e)) if e.status == 422 => Ok(PasswordOutcome::Wrong),
        Err(ClientError::Api(e)) if e.status == 400 => Ok(PasswordOutcome::NoPassword),
        Err(ClientError::Api(e)) if e.status == 404 => Ok(PasswordOutcome::Missing),
        Err(e) => Err(e),
    }
}
