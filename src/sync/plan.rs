//! What a sync would do with a newer export, from the logs alone: each record's
//! fingerprint (`user::fingerprint`) against the base the import (or a sync) recorded
//! when it last sent the user.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::ledger::{Status, outcomes};
use crate::prepare::{self, Item, PrepareOptions};
use crate::source::SourceError;
use crate::user::fingerprint;

/// Counts, and the field groups that changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct SyncPlan {
    /// Ready records of the file.
    pub records: u64,
    /// In no log of this instance: a sync creates them as an import would.
    pub new: u64,
    /// Changed since last sent, and how many users changed in each field group.
    pub changed: u64,
    pub changed_groups: BTreeMap<&'static str, u64>,
    pub unchanged: u64,
    /// Sent before fingerprints were recorded: compared with Clerk alone.
    pub without_base: u64,
    /// Created by this tool on this instance but not in the file (meaningful for a full
    /// export only).
    pub gone: u64,
    /// Invalid records, as an import would refuse them.
    pub invalid: u64,
    /// Log lines that could not be read.
    pub malformed_lines: u64,
}

/// The latest base of each user the import logs of the instance record as created:
/// `Some(fingerprint)`, or `None` for a user created before fingerprints were kept. And
/// how many log lines could not be read.
pub fn bases(logs: &[PathBuf]) -> std::io::Result<(HashMap<String, Option<String>>, u64)> {
    let mut out = HashMap::new();
    let malformed = outcomes::walk(
        logs,
        |_| {},
        |o| {
            if o.status == Status::Success {
                out.insert(o.user_id.to_owned(), o.fp.map(str::to_owned));
            }
        },
    )?;
    Ok((out, malformed))
}

/// Classifies every record of `file` against `bases`.
pub fn plan(
    file: &Path,
    options: PrepareOptions,
    bases: &HashMap<String, Option<String>>,
) -> Result<SyncPlan, SourceError> {
    let mut p = SyncPlan::default();
    let mut seen: HashSet<String> = HashSet::new();
    for next in prepare::prepare(file, options)? {
        let (item, _) = next?;
        let prepared = match item {
            Item::Ready { prepared, .. } => prepared,
            Item::Invalid { .. } => {
                p.invalid += 1;
                continue;
            }
            _ => continue,
        };
        p.records += 1;
        seen.insert(prepared.external_id.clone());
        match bases.get(&prepared.external_id) {
            None => p.new += 1,
            Some(None) => p.without_base += 1,
            Some(Some(base)) => match fingerprint::changed(base, &fingerprint::of(&prepared)) {
                Some(groups) if groups.is_empty() => p.unchanged += 1,
                Some(groups) => {
                    p.changed += 1;
                    for g in groups {
                        *p.changed_groups.entry(g).or_default() += 1;
                    }
                }
                None => p.without_base += 1,
            },
        }
    }
    p.gone = bases.keys().filter(|u| !seen.contains(*u)).count() as u64;
    Ok(p)
}
