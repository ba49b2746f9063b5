//! Which users a rollback may delete: those the migration logs record as created by this
//! tool (or, with `--file`, the source IDs of an export), each checked against the
//! instance before anything is deleted.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use crate::ledger::reader::{LedgerLines, Line};
use crate::ledger::{RunHeader, Status};

/// A user to delete: its source ID and the Clerk ID a run recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub external_id: String,
    pub clerk_id: String,
}

/// What the chosen logs say.
#[derive(Debug, Default)]
pub struct FromLogs {
    pub targets: Vec<Target>,
    /// Instances the logs were written against.
    pub instances: HashSet<String>,
    /// Source IDs found already present by some run: never deleted.
    pub pre_existing: HashSet<String>,
    pub malformed_lines: u64,
}

/// Import logs in `dir`, oldest first.
pub fn import_logs(dir: &Path) -> Vec<PathBuf> {
    crate::ledger::logs_named(dir, "migration")
        .into_iter()
        .filter(|p| header(p).is_some_and(|h| h.command == "import"))
        .collect()
}

fn header(path: &Path) -> Option<RunHeader> {
    let file = File::open(path).ok()?;
    match LedgerLines::new(BufReader::new(file)).next()?.ok()? {
        Line::Parsed { value, .. } => serde_json::from_value(value).ok(),
        Line::Malformed { .. } => None,
    }
}

/// Reads the created users out of `logs`. A user created, then deleted by a later line
/// of the same kind, is kept once; lines that cannot be read are counted and skipped.
pub fn from_logs(logs: &[PathBuf]) -> std::io::Result<FromLogs> {
    let mut out = FromLogs::default();
    let mut created: HashMap<String, String> = HashMap::new();
    let mut order: Vec<String> = Vec::new();
    for path in logs {
        if let Some(h) = header(path)
            && let Some(instance) = h.instance
        {
            out.instances.insert(instance);
        }
        for line in LedgerLines::new(BufReader::new(File::open(path)?)) {
            let value = match line? {
                Line::Parsed { value, .. } => value,
                Line::Malformed { .. } => {
                    out.malformed_lines += 1;
                    continue;
                }
            };
            if value.get("type").is_some() {
                continue;
            }
            let status = value
                .get("status")
                .cloned()
                .and_then(|s| serde_json::from_value::<Status>(s).ok());
            let Some(id) = value.get("userId").and_then(|v| v.as_str()) else {
                continue;
            };
            match status {
                Some(Status::Success) => {
                    if let Some(clerk) = value.get("clerkUserId").and_then(|v| v.as_str())
                        && created.insert(id.to_owned(), clerk.to_owned()).is_none()
                    {
                        order.push(id.to_owned());
                    }
                }
                Some(Status::AlreadyExists) => {
                    out.pre_existing.insert(id.to_owned());
                }
                _ => {}
            }
        }
    }
    out.targets = order
        .into_iter()
        .filter(|id| !out.pre_existing.contains(id))
        .filter_map(|id| {
            created.remove(&id).map(|clerk_id| Target {
                external_id: id,
                clerk_id,
            })
        })
        .collect();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_users_only() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut h = RunHeader::new("import");
        h.instance = Some("ins_1".into());
        let text = format!(
            "{}\n{}\n{}\n{}\n{}\n{{\"userId\":",
            serde_json::to_string(&h).expect("json"),
            r#"{"userId":"a","status":"creating"}"#,
            r#"{"userId":"a","status":"success","clerkUserId":"user_a"}"#,
            r#"{"userId":"b","status":"already_exists","clerkUserId":"user_b"}"#,
            r#"{"type":"User Creation Error","userId":"c","status":"429_retry"}"#,
        );
        let log = dir.path().join("migration-2026-01-01T00-00-00.log");
        std::fs::write(&log, text).expect("write");
        let dry = dir.path().join("migration-2026-01-02T00-00-00.log");
        std::fs::write(
            &dry,
            format!(
                "{}\n",
                serde_json::to_string(&RunHeader::new("dry-run")).expect("json")
            ),
        )
        .expect("write");
        assert_eq!(import_logs(dir.path()), vec![log.clone()]);
        let found = from_logs(&[log]).expect("reads");
        assert_eq!(
            found.targets,
            vec![Target {
                external_id: "a".into(),
                clerk_id: "user_a".into()
            }]
        );
        assert!(found.pre_existing.contains("b"));
        assert_eq!(found.malformed_lines, 1);
        assert!(found.instances.contains("ins_1"));
    }
}
