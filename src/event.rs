//! Events from the engines to the UI: the only way core code makes itself seen.

use std::time::Duration;

use crate::ledger::Status;

/// Something the person watching may want to know.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// Work begins: how many records will be handled, and how many an earlier run did.
    Started { total: u64, skipped: u64 },
    /// One record is settled.
    Settled { status: Status },
    /// Records handled so far, for work that has no outcomes to count (an export).
    Progress { done: u64 },
    /// A request will be retried.
    Retrying { reason: String, wait: Duration },
    /// Clerk rate-limited the instance; every worker waits.
    Paused { wait: Duration },
    /// Clerk refused a user. `contact` (its first email or phone) is personal data: the
    /// UI shows it only with `--verbose`.
    Refused {
        user_id: String,
        contact: Option<String>,
        message: String,
    },
    /// A user was created but a later step failed.
    Warning { user_id: String, message: String },
    /// Ctrl-C or SIGTERM: no new work starts; in-flight calls finish.
    Stopping,
    /// All work is done; the summary follows.
    Finished,
}

/// Receives events; the progress bar, the plain-line logger and tests implement it.
pub trait Reporter: Send + Sync {
    fn report(&self, event: &Event);
}

/// A reporter that ignores everything.
pub struct Silent;

impl Reporter for Silent {
    fn report(&self, _: &Event) {}
}
