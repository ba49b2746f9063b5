//! The log line and progress event for a retried call.

use crate::event::Event;
use crate::ledger::{Entry, Status};

/// The ledger line and event for a retry: `kind` is the reference's `type`
/// ("User Creation Error", "User Deletion Error").
pub fn retry_line(
    note: crate::clerk::paced::RetryNote,
    user_id: &str,
    kind: &str,
) -> (Entry, Event) {
    use crate::clerk::paced::RetryNote;
    let (status, message, event) = match note {
        RetryNote::RateLimited { wait, message } => {
            (Status::RateLimitRetry, message, Event::Paused { wait })
        }
        RetryNote::Transient {
            reason,
            wait,
            message,
        } => (Status::Retry, message, Event::Retrying { reason, wait }),
    };
    let entry = Entry {
        kind: Some(kind.to_owned()),
        error: Some(message),
        ..Entry::new(user_id, status)
    };
    (entry, event)
}
