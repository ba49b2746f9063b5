//! The migration log ("ledger"): NDJSON, one line per outcome, compatible with the
//! reference tool's shapes, plus a header line describing the run.

pub mod entry;
pub mod reader;
pub mod writer;

pub use entry::{Entry, RunHeader, Status};

use std::path::{Path, PathBuf};

/// The `<prefix>-*.log` files in `dir`, oldest first (their names sort by time); none
/// when the directory does not exist.
pub fn logs_named(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                n.starts_with(prefix) && n[prefix.len()..].starts_with('-') && n.ends_with(".log")
            })
        })
        .collect();
    paths.sort();
    paths
}
pub use writer::{LedgerError, LedgerWriter};
