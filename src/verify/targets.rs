//! Which users to verify: the `success` and `already_exists` lines of import logs, with
//! the Clerk ID each run recorded and what the logs' headers say about the source.

use std::collections::HashMap;
use std::path::PathBuf;

use crate::ledger::outcomes;
use crate::ledger::{RunHeader, Status};

/// The users the chosen import logs brought into Clerk.
#[derive(Debug, Default)]
pub struct Imported {
    /// Source ID → Clerk ID, in the order the logs settled them.
    pub users: Vec<(String, String)>,
    /// The headers of the logs, in order.
    pub headers: Vec<RunHeader>,
    pub malformed_lines: u64,
}

/// Reads the users that runs created or found present, the last word per user winning.
pub fn from_logs(logs: &[PathBuf]) -> std::io::Result<Imported> {
    let mut users: Vec<(String, String)> = Vec::new();
    let mut headers = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let malformed_lines = outcomes::walk(
        logs,
        |h| headers.push(h),
        |o| {
            if !matches!(o.status, Status::Success | Status::AlreadyExists) {
                return;
            }
            match index.get(o.user_id) {
                Some(&i) => users[i].1 = o.clerk_id.to_owned(),
                None => {
                    index.insert(o.user_id.to_owned(), users.len());
                    users.push((o.user_id.to_owned(), o.clerk_id.to_owned()));
                }
            }
        },
    )?;
    Ok(Imported {
        users,
        headers,
        malformed_lines,
    })
}
