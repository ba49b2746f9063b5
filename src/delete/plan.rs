//! What a rollback would do: the users this instance's import logs record as created
//! (narrowed to an export's users with `-f`), each checked against the instance.

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use crate::clerk::{ClerkClient, ClientError, Pacer, RetryPolicy};
use crate::prepare::{self, PrepareOptions};
use crate::source::SourceError;
use crate::transform::{TransformContext, TransformerKind};
use crate::user::ValidateOptions;

use super::{Check, select};

/// The checked targets of a rollback, and where they came from.
#[derive(Debug)]
pub struct Plan {
    pub checks: Vec<Check>,
    /// The logs (or the export file) that named the targets, for reports.
    pub sources: Vec<String>,
    /// Users who signed in since their import, by source user ID.
    pub signed_in: Vec<String>,
    /// Log lines that could not be read (torn by a crash).
    pub malformed_lines: u64,
}

/// How many checks fall in each class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub to_delete: u64,
    /// Gone already.
    pub gone: u64,
    /// Changed or signed in since their import: left alone.
    pub changed: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("failed to read the logs in {}", .0.display())]
    Logs(PathBuf, #[source] std::io::Error),
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error(transparent)]
    Clerk(#[from] ClientError),
}

/// The export a rollback is narrowed to (`-t` and `-f`).
pub struct Narrow<'a> {
    pub file: &'a Path,
    pub transformer: TransformerKind,
}

/// Reads the success lines of `logs`, keeps those of `narrow`'s users when given, and
/// checks each against the instance.
pub async fn plan(
    client: &ClerkClient,
    pacer: &Pacer,
    policy: &RetryPolicy,
    logs: &[PathBuf],
    log_dir: &Path,
    narrow: Option<Narrow<'_>>,
) -> Result<Plan, PlanError> {
    let found = select::from_logs(logs).map_err(|e| PlanError::Logs(log_dir.to_owned(), e))?;
    let (targets, sources) = match narrow {
        Some(n) => {
            let ids: HashSet<String> = source_ids(n.file, n.transformer)?.into_iter().collect();
            let targets = found
                .users
                .into_iter()
                .filter(|t| ids.contains(&t.external_id))
                .collect();
            (targets, vec![n.file.to_owned()])
        }
        None => (found.users, logs.to_vec()),
    };
    let checks = super::verify(client, pacer, policy, targets).await?;
    let signed_in: BTreeSet<String> = checks
        .iter()
        .filter_map(|c| match c {
            Check::SignedIn { target, .. } => Some(target.external_id.clone()),
            _ => None,
        })
        .collect();
    Ok(Plan {
        checks,
        sources: sources.iter().map(|p| p.display().to_string()).collect(),
        signed_in: signed_in.into_iter().collect(),
        malformed_lines: found.malformed_lines,
    })
}

impl Plan {
    /// Counts the checks by class.
    pub fn counts(&self) -> Counts {
        let count = |f: fn(&Check) -> bool| self.checks.iter().filter(|c| f(c)).count() as u64;
        Counts {
            to_delete: count(|c| matches!(c, Check::Delete(_))),
            gone: count(|c| matches!(c, Check::NotFound(_))),
            changed: count(|c| matches!(c, Check::Changed { .. } | Check::SignedIn { .. })),
        }
    }

    /// Deletes the users who signed in since their import too: asked for in so many words.
    pub fn include_signed_in(&mut self) {
        self.checks = std::mem::take(&mut self.checks)
            .into_iter()
            .map(Check::confirmed)
            .collect();
    }
}

/// The source user IDs of an export file.
fn source_ids(file: &Path, transformer: TransformerKind) -> Result<Vec<String>, SourceError> {
    let options = PrepareOptions {
        transformer,
        format: None,
        context: TransformContext::default(),
        validate: ValidateOptions::default(),
    };
    let mut ids = Vec::new();
    for next in prepare::prepare(file, options)? {
        let (item, _) = next?;
        let id = item.user_id();
        if !id.starts_with("row-") {
            ids.push(id);
        }
    }
    Ok(ids)
}
