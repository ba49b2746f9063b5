//! What an import did, reconciled: `total = created + already_exists + failed + invalid +
//! skipped` (+ users left unsent when a run is interrupted).

use std::path::PathBuf;

use crate::ledger::Status;

/// Counts of one import run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImportSummary {
    pub total: u64,
    pub created: u64,
    pub already_exists: u64,
    pub failed: u64,
    pub invalid: u64,
    pub skipped: u64,
    /// Users created whose follow-up step (extra identifier, ban) failed.
    pub warnings: u64,
    pub api_calls: u64,
    pub retries: u64,
    pub rate_limited: u64,
    pub elapsed_secs: f64,
    pub log_file: PathBuf,
    /// Failure messages with counts, most frequent first.
    pub errors: Vec<(String, u64)>,
    /// Records not handled because the run stopped early.
    pub not_started: u64,
    pub interrupted: bool,
    /// The last source user ID settled in input order, for a resume hint.
    pub last_settled: Option<String>,
}

impl ImportSummary {
    pub fn count(&mut self, status: Status) {
        match status {
            Status::Success => self.created += 1,
            Status::AlreadyExists => self.already_exists += 1,
            Status::Error => self.failed += 1,
            Status::Fail => self.invalid += 1,
            Status::Skipped => self.skipped += 1,
            _ => {}
        }
    }

    /// Whether every user of the file is in Clerk.
    pub fn complete(&self) -> bool {
        self.failed == 0 && self.invalid == 0 && !self.interrupted && self.not_started == 0
    }
}
