//! The file's side of an import: reading it through the transformer into a plan, feeding
//! its records to the workers, `--resume-after`, and the one place an invalid record
//! becomes its ledger entry.

use std::collections::HashMap;
use std::path::Path;

use tokio::sync::mpsc;

use crate::ledger::{Entry, LedgerError, LedgerWriter};
use crate::prepare::parallel::PlanError;
use crate::prepare::{self, Item, PlanSummary, PrepareOptions};
use crate::source::SourceError;
use crate::user::Prepared;

use super::{ResumeState, Work};
use crate::engine::Stop;

#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    #[error("could not find user ID {0:?} (from --resume-after) in the import file")]
    ResumeTargetMissing(String),
}

/// The ledger line for a record that failed validation.
pub fn fail_entry(item: &Item) -> Option<Entry> {
    let Item::Invalid {
        position, problems, ..
    } = item
    else {
        return None;
    };
    let field = problems.first().map_or("record", |p| p.field.as_str());
    let error = problems
        .iter()
        .map(|p| p.message())
        .collect::<Vec<_>>()
        .join("; ");
    // The same without the offending values, for reports shown without --verbose.
    let problem = problems
        .iter()
        .map(|p| format!("{}: {}", p.field, p.reason))
        .collect::<Vec<_>>()
        .join("; ");
    let mut entry = Entry::fail(item.user_id(), position.row, field, error);
    entry.problem = Some(problem);
    Some(entry)
}

/// Skips records up to and including the `--resume-after` user.
pub struct ResumeAfter {
    target: Option<String>,
    found: bool,
}

impl ResumeAfter {
    pub fn new(target: Option<String>) -> Self {
        Self {
            target,
            found: false,
        }
    }

    /// True when the item is to be skipped.
    pub fn skips(&mut self, item: &Item) -> bool {
        let Some(target) = &self.target else {
            return false;
        };
        if self.found {
            return false;
        }
        if item.user_id() == *target {
            self.found = true;
        }
        true
    }

    /// Fails when the file ended before the `--resume-after` user.
    pub fn check(&self) -> Result<(), FeedError> {
        match &self.target {
            Some(t) if !self.found => Err(FeedError::ResumeTargetMissing(t.clone())),
            _ => Ok(()),
        }
    }
}

/// The file read once before an import.
pub struct FilePlan {
    pub plan: PlanSummary,
    /// Records `--resume-after` skips.
    pub cut: u64,
    /// Ready users an earlier run of this file already created.
    pub already: u64,
}

/// Reads the whole file once: the plan, how many records `--resume-after` skips, and how
/// many ready users `done` already holds. `inspect` sees every ready user still to send.
pub fn plan(
    file: &Path,
    options: PrepareOptions,
    resume_after: Option<String>,
    done: &ResumeState,
    inspect: &mut dyn FnMut(u64, &Prepared),
) -> Result<FilePlan, FeedError> {
    let mut items = prepare::prepare(file, options)?;
    let mut plan = PlanSummary::default();
    let mut resume = ResumeAfter::new(resume_after);
    let (mut cut, mut already) = (0, 0);
    for next in items.by_ref() {
        let (item, ignored) = next?;
        if resume.skips(&item) {
            cut += 1;
            continue;
        }
        if let Item::Ready { prepared, position } = &item {
            if done.done.contains(&prepared.external_id) {
                already += 1;
            } else {
                inspect(position.row, prepared);
            }
        }
        plan.add(&item, &ignored);
    }
    resume.check()?;
    plan.short_rows = items.read_stats().short_rows;
    Ok(FilePlan { plan, cut, already })
}

/// Reads the file again and hands records to the engine, `settled` ones as their
/// entries. Returns how many it handed over.
pub fn feed(
    file: &Path,
    options: PrepareOptions,
    resume_after: Option<String>,
    settled: &HashMap<String, Entry>,
    tx: &mpsc::Sender<Work>,
    stop: &Stop,
) -> Result<u64, FeedError> {
    let mut items = prepare::prepare(file, options)?;
    let mut resume = ResumeAfter::new(resume_after);
    let mut fed = 0;
    for next in items.by_ref() {
        if stop.is_requested() {
            break;
        }
        let (item, _) = next?;
        if resume.skips(&item) {
            continue;
        }
        let work = match item {
            Item::Ready { position, prepared } => match settled.get(&prepared.external_id) {
                Some(entry) => Work::Settled {
                    entry: Box::new(entry.clone()),
                },
                None => Work::Create {
                    row: position.row,
                    prepared,
                },
            },
            ref skipped @ Item::Skipped {
                position, reason, ..
            } => Work::Skipped {
                row: position.row,
                user_id: skipped.user_id(),
                reason,
            },
            ref invalid @ Item::Invalid { .. } => match fail_entry(invalid) {
                Some(entry) => Work::Invalid {
                    entry: Box::new(entry),
                },
                None => continue,
            },
        };
        if tx.blocking_send(work).is_err() {
            break;
        }
        fed += 1;
    }
    Ok(fed)
}

/// A dry run's pass over the file: the plan, with a `fail` line in `ledger` per invalid
/// record. Returns the plan and how many records `--resume-after` skipped.
pub fn dry_run(
    file: &Path,
    options: &PrepareOptions,
    resume_after: Option<String>,
    ledger: &mut LedgerWriter,
) -> Result<(PlanSummary, u64), FeedError> {
    let mut write = |item: &Item| match fail_entry(item) {
        Some(entry) => ledger.append(&entry),
        None => Ok(()),
    };
    if resume_after.is_none() {
        // Without a position to resume from, order does not matter until the merge:
        // the whole file is checked on every core.
        let plan =
            prepare::parallel::plan_file(file, options, &mut write).map_err(|e| match e {
                PlanError::Source(e) => FeedError::Source(e),
                PlanError::Handler(e) => FeedError::Ledger(e),
            })?;
        return Ok((plan, 0));
    }
    let mut items = prepare::prepare(file, options.clone())?;
    let mut resume = ResumeAfter::new(resume_after);
    let mut plan = PlanSummary::default();
    let mut skipped = 0u64;
    for next in items.by_ref() {
        let (item, ignored) = next?;
        if resume.skips(&item) {
            skipped += 1;
            continue;
        }
        plan.add(&item, &ignored);
        write(&item)?;
    }
    resume.check()?;
    plan.short_rows = items.read_stats().short_rows;
    Ok((plan, skipped))
}
