//! Housekeeping of a log directory: which `.log` files there are, which of them a
//! clean-up removes, and removing them.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// `.log` files directly in `dir`, newest first.
pub fn log_files(dir: &Path) -> std::io::Result<Vec<(PathBuf, SystemTime)>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let meta = entry.metadata()?;
        let path = entry.path();
        if meta.is_file() && path.extension().is_some_and(|e| e == "log") {
            files.push((path, meta.modified().unwrap_or(SystemTime::UNIX_EPOCH)));
        }
    }
    files.sort_by(|a, b| b.1.cmp(&a.1).then(b.0.cmp(&a.0)));
    Ok(files)
}

/// The files (newest first) a clean-up removes: all but the newest `keep`, and of those
/// only the ones older than `older_than` when given.
pub fn doomed(
    files: Vec<(PathBuf, SystemTime)>,
    keep: usize,
    older_than: Option<Duration>,
    now: SystemTime,
) -> Vec<PathBuf> {
    files
        .into_iter()
        .skip(keep)
        .filter(|(_, modified)| {
            older_than.is_none_or(|age| now.duration_since(*modified).is_ok_and(|d| d > age))
        })
        .map(|(p, _)| p)
        .collect()
}

/// Removes `paths`; returns those removed and, for the rest, why not.
pub fn remove(paths: Vec<PathBuf>) -> (Vec<String>, Vec<String>) {
    let mut removed = Vec::new();
    let mut failed = Vec::new();
    for path in paths {
        match std::fs::remove_file(&path) {
            Ok(()) => removed.push(path.display().to_string()),
            Err(e) => failed.push(format!("{}: {e}", path.display())),
        }
    }
    (removed, failed)
}
