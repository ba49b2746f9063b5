//! The one walk over import logs that commands reading them share (delete, verify): each
//! log's header, then every line that settles a user with a Clerk user ID. Retry lines
//! (they carry a `type`, as the header does) and lines without a Clerk user are passed over; lines that do
//! not parse (a crash's torn last line) are counted.

use std::fs::File;
use std::io::BufReader;
use std::path::PathBuf;

use super::reader::{LedgerLines, Line};
use super::{RunHeader, Status};

/// A line that settled a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome<'a> {
    /// The source user ID.
    pub user_id: &'a str,
    pub clerk_id: &'a str,
    pub status: Status,
    /// The fingerprint of what was sent, on a `success` that recorded one.
    pub fp: Option<&'a str>,
}

/// Walks `logs` in order: `header` gets each log's run header, `outcome` each settled
/// user. Returns how many lines could not be read.
pub fn walk(
    logs: &[PathBuf],
    mut header: impl FnMut(RunHeader),
    mut outcome: impl FnMut(Outcome<'_>),
) -> std::io::Result<u64> {
    let mut malformed = 0;
    for path in logs {
        let mut first = true;
        for line in LedgerLines::new(BufReader::new(File::open(path)?)) {
            let value = match line? {
                Line::Parsed { value, .. } => value,
                Line::Malformed { .. } => {
                    malformed += 1;
                    continue;
                }
            };
            if std::mem::take(&mut first)
                && value.get("type").and_then(|k| k.as_str()) == Some("run")
            {
                if let Ok(h) = serde_json::from_value::<RunHeader>(value) {
                    header(h);
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
            if let (Some(status), Some(user_id), Some(clerk_id)) = (
                status,
                value.get("userId").and_then(|v| v.as_str()),
                value.get("clerkUserId").and_then(|v| v.as_str()),
            ) {
                outcome(Outcome {
                    user_id,
                    clerk_id,
                    status,
                    fp: value.get("fp").and_then(|v| v.as_str()),
                });
            }
        }
    }
    Ok(malformed)
}
