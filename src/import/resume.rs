//! Automatic resume: what earlier runs of the same file against the same instance
//! already did, read from their migration logs.

use std::collections::HashSet;
use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use crate::ledger::reader::{LedgerLines, Line};
use crate::ledger::{RunHeader, Status};

/// Users settled by earlier runs, and users whose creation an earlier run started but
/// never recorded (a crash between request and answer).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct ResumeState {
    /// Created (or found present) by an earlier run: skipped.
    pub done: HashSet<String>,
    /// Creates an earlier run sent without learning their outcome (an intent line with no
    /// final line, or a final timeout, network error or 5xx): such a create may have been
    /// applied after all, so the user is looked up first and, if present, adopted as ours.
    pub pending: HashSet<String>,
    /// Logs that matched.
    pub logs: usize,
    /// Lines that could not be read (e.g. torn by a kill).
    pub malformed_lines: u64,
}

/// Reads every `migration-*.log` in `dir` whose header names the same file hash and
/// instance.
pub fn load(dir: &Path, file_sha256: &str, instance: &str) -> std::io::Result<ResumeState> {
    let mut state = ResumeState::default();
    // Oldest first, so a later run's outcome overrides an earlier one's.
    for path in crate::ledger::logs_named(dir, "migration") {
        read_one(&path, file_sha256, instance, &mut state)?;
    }
    Ok(state)
}

fn read_one(
    path: &Path,
    sha: &str,
    instance: &str,
    state: &mut ResumeState,
) -> std::io::Result<()> {
    let mut lines = LedgerLines::new(BufReader::new(File::open(path)?));
    let Some(first) = lines.next().transpose()? else {
        return Ok(());
    };
    let Line::Parsed { value, .. } = first else {
        return Ok(());
    };
    let Ok(header) = serde_json::from_value::<RunHeader>(value) else {
        return Ok(());
    };
    if header.kind != "run"
        || header.command != "import"
        || header.file_sha256.as_deref() != Some(sha)
        || header.instance.as_deref() != Some(instance)
    {
        return Ok(());
    }
    state.logs += 1;
    for line in lines {
        match line? {
            Line::Malformed { .. } => state.malformed_lines += 1,
            Line::Parsed { value, .. } => {
                let Some(id) = value.get("userId").and_then(|v| v.as_str()) else {
                    continue;
                };
                let Some(status) = value
                    .get("status")
                    .cloned()
                    .and_then(|s| serde_json::from_value::<Status>(s).ok())
                else {
                    continue;
                };
                match status {
                    Status::Creating if !state.done.contains(id) => {
                        state.pending.insert(id.to_owned());
                    }
                    Status::Success | Status::AlreadyExists | Status::Skipped => {
                        state.pending.remove(id);
                        state.done.insert(id.to_owned());
                    }
                    Status::Error if !outcome_unknown(&value) => {
                        state.pending.remove(id);
                    }
                    _ => {}
                }
            }
        }
    }
    Ok(())
}

/// Whether a logged error left open whether Clerk applied the request.
fn outcome_unknown(line: &serde_json::Value) -> bool {
    line.get("code")
        .and_then(|c| c.as_str())
        .is_some_and(|c| c == "timeout" || c == "network" || c.starts_with('5'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matching_logs_give_done_and_pending() {
        let dir = tempfile::tempdir().expect("tempdir");
        let header = |sha: &str| {
            let mut h = RunHeader::new("import");
            h.file_sha256 = Some(sha.into());
            h.instance = Some("ins_1".into());
            serde_json::to_string(&h).expect("json")
        };
        let log = format!(
            "{}\n{}\n{}\n{}\n{}\n{}\n{{\"userId\":\"torn",
            header("abc"),
            r#"{"userId":"a","status":"creating"}"#,
            r#"{"userId":"a","status":"success","clerkUserId":"user_1"}"#,
            r#"{"userId":"b","status":"creating"}"#,
            r#"{"userId":"c","status":"already_exists"}"#,
            r#"{"userId":"d","status":"error"}"#,
        );
        let (head, torn_tail) = log.split_at(log.rfind('\n').map_or(0, |i| i + 1));
        let log = format!(
            "{head}{}\n{}\n{}\n{}\n{torn_tail}",
            r#"{"userId":"e","status":"creating"}"#,
            r#"{"userId":"e","status":"error","code":"timeout"}"#,
            r#"{"userId":"f","status":"creating"}"#,
            r#"{"userId":"f","status":"error","code":"422"}"#,
        );
        std::fs::write(dir.path().join("migration-2026-01-01T00-00-00.log"), log).expect("write");
        std::fs::write(
            dir.path().join("migration-2026-01-02T00-00-00.log"),
            format!(
                "{}\n{}\n",
                header("other"),
                r#"{"userId":"z","status":"success"}"#
            ),
        )
        .expect("write");
        let state = load(dir.path(), "abc", "ins_1").expect("loads");
        assert_eq!(state.logs, 1);
        assert!(state.done.contains("a") && state.done.contains("c") && !state.done.contains("z"));
        assert!(state.pending.contains("b") && !state.pending.contains("a"));
        // A timed-out create may have been applied; a refused one was not.
        assert!(state.pending.contains("e") && !state.pending.contains("f"));
        assert_eq!(state.malformed_lines, 1);
    }
}
