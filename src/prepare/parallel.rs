//! The readiness report of a whole file on every core: one thread splits the JSON array
//! into raw elements, workers parse, map and check them and summarise their batch, and
//! the caller merges the batches back in file order. Records never cross threads, only
//! bytes and summaries, so allocation stays local to each worker.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, sync_channel};
use std::sync::{Arc, Mutex};

use super::summary::ReadyCounts;
use super::{Duplicates, Item, PlanSummary, PrepareOptions, dedup, prepare_record};
use crate::source::{self, Format, RawBatch, ReadOptions, SourceError};

/// Elements per batch, and batches queued per stage.
const BATCH: usize = 512;
const QUEUED: usize = 4;

/// Why a report could not be completed.
#[derive(Debug)]
pub enum PlanError<E> {
    Source(SourceError),
    /// The caller's handler for invalid items failed.
    Handler(E),
}

/// A batch's summary, its invalid items, and what the merger needs of its ready users to
/// find duplicates across batches in file order.
struct Batch {
    plan: PlanSummary,
    invalid: Vec<Item>,
    ready: Vec<ReadyTrace>,
    marks: Vec<dedup::Mark>,
}

/// A ready user as the merger sees it: no record, only its row, ID, counts and the range
/// of its identifiers' fingerprints in the batch's `marks`.
struct ReadyTrace {
    position: crate::source::Position,
    user_id: String,
    counted: ReadyCounts,
    marks: std::ops::Range<usize>,
}

type Done = (u64, Result<Batch, SourceError>);

/// Reports on `path`, calling `on_invalid` for each invalid record in file order.
/// JSON arrays use every core; other formats are read on this thread.
pub fn plan_file<E>(
    path: &Path,
    options: &PrepareOptions,
    mut on_invalid: impl FnMut(&Item) -> Result<(), E>,
) -> Result<PlanSummary, PlanError<E>> {
    let format = Format::detect(path, options.format);
    if format != Some(Format::Json) {
        let mut items = super::prepare(path, options.clone()).map_err(PlanError::Source)?;
        let mut plan = PlanSummary::default();
        for next in items.by_ref() {
            let (item, ignored) = next.map_err(PlanError::Source)?;
            plan.add(&item, &ignored);
            if matches!(item, Item::Invalid { .. }) {
                on_invalid(&item).map_err(PlanError::Handler)?;
            }
        }
        plan.short_rows = items.read_stats().short_rows;
        return Ok(plan);
    }
    let read = ReadOptions {
        format,
        firebase_csv: false,
    };
    let mut reader = source::open(path, &read).map_err(PlanError::Source)?;
    super::fit::check(path, &read, None, options.transformer).map_err(PlanError::Source)?;
    let workers = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(1, 8);
    let (raw_tx, raw_rx) = sync_channel::<(u64, Result<RawBatch, SourceError>)>(QUEUED);
    let (done_tx, done_rx) = sync_channel::<Done>(QUEUED * workers);
    std::thread::spawn(move || {
        let mut seq = 0;
        loop {
            let next = match reader.next_raw_batch(BATCH) {
                Ok(Some(batch)) => Ok(batch),
                Ok(None) => return,
                Err(e) => Err(e),
            };
            let failed = next.is_err();
            if raw_tx.send((seq, next)).is_err() || failed {
                return;
            }
            seq += 1;
        }
    });
    let raw_rx = Arc::new(Mutex::new(raw_rx));
    let path: Arc<PathBuf> = Arc::new(path.to_owned());
    for _ in 0..workers {
        let (raw_rx, done_tx, options, path) = (
            raw_rx.clone(),
            done_tx.clone(),
            options.clone(),
            path.clone(),
        );
        std::thread::spawn(move || work(&raw_rx, &done_tx, &options, &path));
    }
    drop(done_tx);

    let mut plan = PlanSummary::default();
    let mut duplicates = Duplicates::default();
    let mut pending: BTreeMap<u64, Result<Batch, SourceError>> = BTreeMap::new();
    let mut next_seq = 0;
    for (seq, result) in done_rx {
        pending.insert(seq, result);
        while let Some(result) = pending.remove(&next_seq) {
            let batch = result.map_err(PlanError::Source)?;
            plan.merge(batch.plan);
            let mut invalid = batch.invalid;
            for trace in &batch.ready {
                let row = trace.position.row;
                if let Some(problem) =
                    duplicates.check_given(&batch.marks[trace.marks.clone()], row)
                {
                    let item = Item::Invalid {
                        position: trace.position,
                        user_id: Some(trace.user_id.clone()),
                        problems: vec![problem],
                    };
                    plan.demote(&trace.counted, &item);
                    invalid.push(item);
                }
            }
            invalid.sort_by_key(|item| item.position().row);
            for item in &invalid {
                on_invalid(item).map_err(PlanError::Handler)?;
            }
            next_seq += 1;
        }
    }
    Ok(plan)
}

fn work(
    raw_rx: &Mutex<Receiver<(u64, Result<RawBatch, SourceError>)>>,
    done_tx: &std::sync::mpsc::SyncSender<Done>,
    options: &PrepareOptions,
    path: &Path,
) {
    loop {
        let next = raw_rx.lock().map(|rx| rx.recv());
        let Ok(Ok((seq, batch))) = next else { return };
        let result = batch.and_then(|batch| {
            let mut out = Batch {
                plan: PlanSummary::default(),
                invalid: Vec::new(),
                ready: Vec::new(),
                marks: Vec::new(),
            };
            let (mut marks, mut scratch) = (Vec::new(), String::new());
            for i in 0..batch.spans.len() {
                let Some(record) = batch.parse(i, path) else {
                    break;
                };
                let (item, ignored) = prepare_record(record?, options);
                out.plan.add(&item, &ignored);
                match item {
                    Item::Invalid { .. } => out.invalid.push(item),
                    Item::Ready { position, prepared } => {
                        dedup::marks(&prepared, &mut marks, &mut scratch);
                        let start = out.marks.len();
                        out.marks.extend_from_slice(&marks);
                        let counted = ReadyCounts::of(&prepared);
                        out.ready.push(ReadyTrace {
                            position,
                            user_id: prepared.external_id,
                            counted,
                            marks: start..out.marks.len(),
                        });
                    }
                    Item::Skipped { .. } => {}
                }
            }
            Ok(out)
        });
        if done_tx.send((seq, result)).is_err() {
            return;
        }
    }
}
