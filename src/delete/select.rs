//! Which users a rollback may delete: only those a migration log of this instance
//! records as created by this tool (a `success` line with the Clerk user ID), each
//! checked against the instance before anything is deleted. `--file` only narrows
//! those to the source IDs of an export; it never adds a user the logs do not name.

use std::collections::HashSet;
use std::path::PathBuf;

use crate::ledger::Status;
use crate::ledger::outcomes;

/// A user a run created: its source ID and the Clerk ID the run recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedUser {
    pub external_id: String,
    pub clerk_id: String,
}

/// The users the chosen logs record as created.
#[derive(Debug, Default)]
pub struct Created {
    pub users: Vec<CreatedUser>,
    pub malformed_lines: u64,
}

/// Reads the created users out of `logs`, which the caller has checked with `check`:
/// each Clerk user ID with a `success` line, once, in the order the runs created them.
/// Lines that cannot be read are counted and skipped.
pub fn from_logs(logs: &[PathBuf]) -> std::io::Result<Created> {
    let mut out = Created::default();
    let mut seen: HashSet<String> = HashSet::new();
    out.malformed_lines = outcomes::walk(
        logs,
        |_| {},
        |o| {
            if o.status == Status::Success && seen.insert(o.clerk_id.to_owned()) {
                out.users.push(CreatedUser {
                    external_id: o.user_id.to_owned(),
                    clerk_id: o.clerk_id.to_owned(),
                });
            }
        },
    )?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::RunHeader;
    use crate::ledger::instance::{LogRefused, check, import_logs, import_logs_of};

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
        let found = from_logs(std::slice::from_ref(&log)).expect("reads");
        assert_eq!(
            found.users,
            vec![CreatedUser {
                external_id: "a".into(),
                clerk_id: "user_a".into()
            }]
        );
        assert_eq!(found.malformed_lines, 1);
        assert_eq!(check(&log, "ins_1"), Ok(()));
        assert!(matches!(
            check(&log, "ins_2"),
            Err(LogRefused::OtherInstance { .. })
        ));
        assert!(matches!(
            check(&dry, "ins_1"),
            Err(LogRefused::NotImport { .. })
        ));
        assert_eq!(import_logs_of(dir.path(), "ins_1"), (vec![log.clone()], 0));
        assert_eq!(import_logs_of(dir.path(), "ins_9"), (vec![], 1));
        let bare = dir.path().join("migration-2026-01-03T00-00-00.log");
        std::fs::write(
            &bare,
            r#"{"userId":"x","status":"success","clerkUserId":"user_x"}"#,
        )
        .expect("write");
        assert_eq!(check(&bare, "ins_1"), Err(LogRefused::NoHeader(bare)));
    }
}
