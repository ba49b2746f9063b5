//! Which Clerk user each member is: first the import logs of this instance (source user
//! ID → Clerk user ID), then, for members no log names, Clerk users whose `external_id`
//! is the source ID, 100 a request. A member found neither way is not in Clerk.

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;

use crate::clerk::paced::{Unrecorded, paced};
use crate::clerk::types::UserQuery;
use crate::clerk::{ClerkClient, ClientError, Pacer, RetryPolicy};
use crate::ledger::Status;
use crate::ledger::outcomes;

/// External IDs per `GET /v1/users` (Clerk's page limit).
pub const LOOKUP_BATCH: usize = 100;

/// Members matched to Clerk users.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Members {
    /// Source user ID → Clerk user ID.
    pub clerk: HashMap<String, String>,
    /// Of those, found in the import logs, and found by external ID.
    pub from_logs: u64,
    pub looked_up: u64,
    /// `GET /v1/users` calls made.
    pub lookups: u64,
    /// Lines of the import logs that could not be read.
    pub malformed: u64,
}

/// Matches every user in `wanted` (source user IDs) through `logs` (this instance's
/// import logs, oldest first), then by external ID.
pub async fn resolve(
    client: &ClerkClient,
    pacer: &Pacer,
    policy: &RetryPolicy,
    logs: &[PathBuf],
    wanted: &BTreeSet<String>,
) -> Result<Members, MembersError> {
    let mut m = Members::default();
    let mut logged: HashMap<String, String> = HashMap::new();
    m.malformed = outcomes::walk(
        logs,
        |_| {},
        |o| {
            if matches!(
                o.status,
                Status::Success | Status::AlreadyExists | Status::Skipped
            ) && wanted.contains(o.user_id)
            {
                logged.insert(o.user_id.to_owned(), o.clerk_id.to_owned());
            }
        },
    )
    .map_err(MembersError::Logs)?;
    m.from_logs = logged.len() as u64;
    m.clerk = logged;
    let rest: Vec<&String> = wanted
        .iter()
        .filter(|u| !m.clerk.contains_key(*u))
        .collect();
    for chunk in rest.chunks(LOOKUP_BATCH) {
        let query = UserQuery {
            external_id: chunk.iter().map(|u| (*u).clone()).collect(),
            limit: Some(LOOKUP_BATCH as u32),
            ..UserQuery::default()
        };
        let users = paced(pacer, policy, &Unrecorded, || client.list_users(&query)).await?;
        m.lookups += 1;
        for user in users {
            if let Some(source) = user.external_id.filter(|e| wanted.contains(e)) {
                m.looked_up += 1;
                m.clerk.entry(source).or_insert(user.id);
            }
        }
    }
    Ok(m)
}

#[derive(Debug, thiserror::Error)]
pub enum MembersError {
    #[error("the import logs could not be read")]
    Logs(#[source] std::io::Error),
    #[error("members could not be looked up by external_id")]
    Lookup(#[from] ClientError),
}
