//! Which users to verify: the `success` and `already_exists` lines of import logs, with
//! the Clerk ID each run recorded and what the logs' headers say about the source.

use std::collections::HashMap;
use std::fs::File;
use std::io::BufReader;
use std::path::PathBuf;

use crate::ledger::reader::{LedgerLines, Line};
use crate::ledger::{RunHeader, Status};

/// What the chosen import logs hold.
#[derive(Debug, Default)]
pub struct FromLogs {
    /// Source ID → Clerk ID, in the order the logs settled them.
    pub users: Vec<(String, String)>,
    /// The headers of the logs, in order.
    pub headers: Vec<RunHeader>,
    pub malformed_lines: u64,
}

/// Reads the users that runs created or found present, the last word per user winning.
pub fn from_logs(logs: &[PathBuf]) -> std::io::Result<FromLogs> {
    let mut out = FromLogs::default();
    let mut index: HashMap<String, usize> = HashMap::new();
    for path in logs {
        let mut first = true;
        for line in LedgerLines::new(BufReader::new(File::open(path)?)) {
            let value = match line? {
                Line::Parsed { value, .. } => value,
                Line::Malformed { .. } => {
                    out.malformed_lines += 1;
                    continue;
                }
            };
            if std::mem::take(&mut first) {
                if let Ok(h) = serde_json::from_value::<RunHeader>(value.clone()) {
                    out.headers.push(h);
                }
                continue;
            }
            if value.get("type").is_some() {
                continue;
            }
            let status = value
                .get("status")
                .cloned()
                .and_then(|s| serde_json::from_value::<Status>(s).ok());
            if !matches!(status, Some(Status::Success | Status::AlreadyExists)) {
                continue;
            }
            let (Some(id), Some(clerk)) = (
                value.get("userId").and_then(|v| v.as_str()),
                value.get("clerkUserId").and_then(|v| v.as_str()),
            ) else {
                continue;
            };
            match index.get(id) {
                Some(&i) => out.users[i].1 = clerk.to_owned(),
                None => {
                    index.insert(id.to_owned(), out.users.len());
                    out.users.push((id.to_owned(), clerk.to_owned()));
                }
            }
        }
    }
    Ok(out)
}
