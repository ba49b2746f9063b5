//! What a log says about its run, read as a stream: the header, the final outcome of each
//! user, the errors by message, and the closing line a run writes when it ends.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufReader, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::reader::{LedgerLines, Line};
use super::{RunHeader, Status};

/// The last line of a run that ended on its own or on a signal (a crash writes none).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Footer {
    /// Always `"end"`.
    #[serde(rename = "type")]
    pub kind: String,
    pub interrupted: bool,
    pub at: String,
}

/// Appends the closing line to a finished run's log.
pub fn close(path: &Path, interrupted: bool) -> std::io::Result<()> {
    let footer = Footer {
        kind: "end".to_owned(),
        interrupted,
        at: super::entry::now(),
    };
    let mut file = crate::files::open_append(path)?;
    let mut line = serde_json::to_vec(&footer).map_err(std::io::Error::other)?;
    line.push(b'\n');
    file.write_all(&line)?;
    file.sync_data()
}

/// How a run ended, as far as its log tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Ending {
    Finished,
    Interrupted,
    /// No closing line: killed, crashed, or still running.
    Unknown,
}

/// One run, summarised.
#[derive(Debug, Clone, Default)]
pub struct RunSummary {
    pub log_file: PathBuf,
    pub header: Option<RunHeader>,
    pub created: u64,
    pub already_exists: u64,
    pub failed: u64,
    pub invalid: u64,
    pub skipped: u64,
    pub deleted: u64,
    pub not_found: u64,
    /// Verify runs: users that differ, are gone, or whose known password failed.
    pub drifted: u64,
    pub missing: u64,
    pub password_failed: u64,
    /// Error messages (failed and invalid users) with their counts, most frequent first.
    pub errors: Vec<(String, u64)>,
    /// The same grouped without the offending values (no personal data): what is shown
    /// without `--verbose`.
    pub problems: Vec<(String, u64)>,
    pub ending: Option<Ending>,
    pub last_at: Option<String>,
    pub malformed_lines: u64,
    /// Orgs runs: their organizations' and memberships' outcomes.
    pub organizations: ObjectCounts,
    pub memberships: ObjectCounts,
    pub invitations: ObjectCounts,
}

/// Outcomes of an orgs run's organizations or memberships.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ObjectCounts {
    pub created: u64,
    pub already_exists: u64,
    pub skipped: u64,
    /// Failed, refused (slug taken, invalid in the file) or whose user is not in Clerk.
    pub failed: u64,
}

impl ObjectCounts {
    fn add(&mut self, status: Status) {
        match status {
            Status::Success => self.created += 1,
            Status::AlreadyExists => self.already_exists += 1,
            Status::Skipped => self.skipped += 1,
            Status::Error | Status::Fail | Status::Conflict | Status::UserNotMigrated => {
                self.failed += 1
            }
            _ => {}
        }
    }
}

impl RunSummary {
    pub fn command(&self) -> &str {
        self.header.as_ref().map_or("?", |h| h.command.as_str())
    }

    /// Users the run settled, whatever the outcome.
    pub fn total(&self) -> u64 {
        self.created
            + self.already_exists
            + self.failed
            + self.invalid
            + self.skipped
            + self.deleted
            + self.not_found
    }

    /// Seconds from the header to the last line.
    pub fn duration_secs(&self) -> Option<f64> {
        let start = self.header.as_ref()?.started_at.as_str();
        let start = chrono::DateTime::parse_from_rfc3339(start).ok()?;
        let end = chrono::DateTime::parse_from_rfc3339(self.last_at.as_deref()?).ok()?;
        Some((end - start).num_milliseconds().max(0) as f64 / 1000.0)
    }
}

/// Reads one log. Lines that do not parse (a torn last line) are counted, never fatal.
pub fn summarise(path: &Path) -> std::io::Result<RunSummary> {
    let mut s = RunSummary {
        log_file: path.to_owned(),
        ..RunSummary::default()
    };
    let mut errors: BTreeMap<String, u64> = BTreeMap::new();
    let mut problems: BTreeMap<String, u64> = BTreeMap::new();
    for line in LedgerLines::new(BufReader::new(File::open(path)?)) {
        let value = match line? {
            Line::Parsed { value, .. } => value,
            Line::Malformed { .. } => {
                s.malformed_lines += 1;
                continue;
            }
        };
        if let Some(at) = value.get("at").and_then(Value::as_str) {
            s.last_at = Some(at.to_owned());
        }
        match value.get("type").and_then(Value::as_str) {
            Some("run") => {
                s.header = serde_json::from_value(value).ok();
                continue;
            }
            Some("end") => {
                if let Ok(f) = serde_json::from_value::<Footer>(value) {
                    s.ending = Some(if f.interrupted {
                        Ending::Interrupted
                    } else {
                        Ending::Finished
                    });
                    s.last_at = Some(f.at);
                }
                continue;
            }
            Some(kind @ ("organization" | "membership" | "invitation")) => {
                let status = value.get("status").cloned();
                if let Some(status) = status.and_then(|v| serde_json::from_value(v).ok()) {
                    match status {
                        Status::Drift => s.drifted += 1,
                        Status::Missing => s.missing += 1,
                        _ => {}
                    }
                    match kind {
                        "organization" => s.organizations.add(status),
                        "membership" => s.memberships.add(status),
                        _ => s.invitations.add(status),
                    }
                    // The tool's own sentences and Clerk's, naming IDs only.
                    if matches!(status, Status::Error | Status::Conflict | Status::Fail)
                        && let Some(m) = value.get("error").and_then(Value::as_str)
                    {
                        let m = m.to_owned();
                        *problems.entry(m.clone()).or_default() += 1;
                        *errors.entry(m).or_default() += 1;
                    }
                }
                continue;
            }
            // Step errors and retry notes are not outcomes.
            Some(_) => continue,
            None => {}
        }
        let status = value.get("status").and_then(Value::as_str).unwrap_or("");
        let message = || {
            value
                .get("error")
                .and_then(Value::as_str)
                .map(|e| e.to_owned())
        };
        match status {
            "drift" => s.drifted += 1,
            "missing" => s.missing += 1,
            "password_failed" => s.password_failed += 1,
            _ => match serde_json::from_value::<Status>(Value::String(status.to_owned())) {
                Ok(Status::Success) => s.created += 1,
                Ok(Status::AlreadyExists) => s.already_exists += 1,
                Ok(Status::Skipped) => s.skipped += 1,
                Ok(Status::Deleted) => s.deleted += 1,
                Ok(Status::NotFound) => s.not_found += 1,
                Ok(Status::Error) => {
                    s.failed += 1;
                    // Clerk's own messages, which name no value.
                    if let Some(m) = message() {
                        *problems.entry(m.clone()).or_default() += 1;
                        *errors.entry(m).or_default() += 1;
                    }
                }
                Ok(Status::Fail) => {
                    s.invalid += 1;
                    if let Some(m) = message() {
                        *errors.entry(m).or_default() += 1;
                    }
                    // Logs written before `problem` existed: the field only.
                    let plain = value
                        .get("problem")
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                        .or_else(|| {
                            let field = value.get("path")?.get(0)?.as_str()?;
                            Some(format!("{field}: invalid (-v shows the values)"))
                        });
                    if let Some(p) = plain {
                        *problems.entry(p).or_default() += 1;
                    }
                }
                _ => {}
            },
        }
    }
    s.ending = s.ending.or(Some(Ending::Unknown));
    let ranked = |m: BTreeMap<String, u64>| {
        let mut v: Vec<(String, u64)> = m.into_iter().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v
    };
    s.errors = ranked(errors);
    s.problems = ranked(problems);
    Ok(s)
}

/// Every run's log in `dir` (imports, dry runs, deletes, verifies, orgs runs).
pub fn logs(dir: &Path) -> Vec<PathBuf> {
    [
        "migration",
        "user-deletion",
        "verify",
        super::orgs::PREFIX,
        super::orgs::DELETION_PREFIX,
    ]
    .iter()
    .flat_map(|prefix| super::logs_named(dir, prefix))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_log_is_summarised_and_a_torn_last_line_tolerated() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("migration-2026-01-01T10-00-00.log");
        let lines = [
            r#"{"type":"run","command":"import","version":"0.1.0","started_at":"2026-01-01T10:00:00.000Z","file":"u.json","transformer":"clerk"}"#,
            r#"{"userId":"a","status":"creating","at":"2026-01-01T10:00:00.100Z"}"#,
            r#"{"userId":"a","status":"success","clerkUserId":"user_a","at":"2026-01-01T10:00:00.200Z"}"#,
            r#"{"userId":"b","status":"error","error":"email taken","at":"2026-01-01T10:00:01.000Z"}"#,
            r#"{"userId":"c","status":"fail","error":"email: bad","row":3}"#,
            r#"{"type":"User Creation Error","userId":"a","status":"retry"}"#,
        ];
        std::fs::write(
            &path,
            lines.join("\n") + "\n" + r#"{"userId":"d","status":"succ"#,
        )
        .expect("write");
        let s = summarise(&path).expect("reads");
        assert_eq!((s.created, s.failed, s.invalid, s.total()), (1, 1, 1, 3));
        assert_eq!(s.errors.len(), 2);
        assert_eq!(s.malformed_lines, 1);
        assert_eq!(s.ending, Some(Ending::Unknown));
        assert_eq!(s.duration_secs(), Some(1.0));
        std::fs::write(&path, lines.join("\n") + "\n").expect("write");
        close(&path, true).expect("closes");
        assert_eq!(
            summarise(&path).expect("reads").ending,
            Some(Ending::Interrupted)
        );
    }
}
