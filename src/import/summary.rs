//! What an import did, reconciled: `total = created + already_exists + failed + invalid +
//! skipped` (+ users left unsent when a run is interrupted).

use std::collections::HashMap;
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

/// Groups failure messages, keeping first-seen order for ties.
#[derive(Debug, Default)]
pub struct ErrorTally {
    counts: HashMap<String, (u64, usize)>,
}

impl ErrorTally {
    pub fn add(&mut self, message: &str) {
        let key = normalize(message);
        let next = self.counts.len();
        self.counts.entry(key).or_insert((0, next)).0 += 1;
    }

    pub fn sorted(&self) -> Vec<(String, u64)> {
        let mut v: Vec<_> = self
            .counts
            .iter()
            .map(|(k, (n, i))| (k.clone(), *n, *i))
            .collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.2.cmp(&b.2)));
        v.into_iter().map(|(k, n, _)| (k, n)).collect()
    }
}

/// Makes messages that differ only in list order group together: the tokens inside a
/// `[...]` list of quoted names are sorted. Anything else is left alone (the reference
/// mangles brackets that are not lists).
pub fn normalize(message: &str) -> String {
    let (Some(open), Some(close)) = (message.find('['), message.find(']')) else {
        return message.to_owned();
    };
    if close < open {
        return message.to_owned();
    }
    let inner = &message[open + 1..close];
    let tokens: Vec<&str> = inner.split_whitespace().collect();
    let all_quoted = !tokens.is_empty()
        && tokens
            .iter()
            .all(|t| t.len() >= 2 && t.starts_with('"') && t.ends_with('"'));
    if !all_quoted {
        return message.to_owned();
    }
    let mut sorted = tokens.clone();
    sorted.sort_unstable();
    format!(
        "{}[{}]{}",
        &message[..open],
        sorted.join(" "),
        &message[close + 1..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_group_regardless_of_order() {
        assert_eq!(
            normalize(r#"["last_name" "first_name"] data doesn't match"#),
            r#"["first_name" "last_name"] data doesn't match"#
        );
        assert_eq!(normalize("see [the docs] please"), "see [the docs] please");
        assert_eq!(normalize("unclosed [ bracket"), "unclosed [ bracket");
        let mut t = ErrorTally::default();
        t.add("b");
        t.add("a");
        t.add("a");
        assert_eq!(t.sorted(), [("a".to_owned(), 2), ("b".to_owned(), 1)]);
    }
}
