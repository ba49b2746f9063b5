//! The migration log ("ledger"): NDJSON, one line per outcome, compatible with the
//! reference tool's shapes, plus a header line describing the run.

pub mod convert;
pub mod entry;
pub mod instance;
pub mod lock;
pub mod orgs;
pub mod outcomes;
pub mod reader;
pub mod runs;
pub mod tidy;
pub mod writer;

pub use entry::{Entry, RunHeader, Status};
pub use writer::{LedgerError, LedgerWriter};

use std::path::{Path, PathBuf};

/// The `<prefix>-*.log` files in `dir`, oldest first; none when the directory does not
/// exist. Names carry the start time, plus `-N` for the N+1th run in the same second,
/// which plain string order would put before the first (`-` sorts before `.`).
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
    paths.sort_by_cached_key(|p| run_order(p, prefix));
    paths
}

/// (start time, same-second counter) of a log named `<prefix>-<stamp>[-N].log` by
/// `LedgerWriter::create`; the stamp `YYYY-MM-DDTHH-MM-SS` is 19 characters.
fn run_order(path: &Path, prefix: &str) -> (String, u64) {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let rest = name
        .strip_suffix(".log")
        .and_then(|s| s.strip_prefix(prefix))
        .and_then(|s| s.strip_prefix('-'))
        .unwrap_or(name);
    match rest.split_at_checked(19) {
        Some((stamp, tail)) => {
            let n = tail.strip_prefix('-').and_then(|n| n.parse().ok());
            (stamp.to_owned(), n.unwrap_or(0))
        }
        None => (rest.to_owned(), 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_in_the_same_second_stay_in_order() {
        let dir = tempfile::tempdir().expect("tempdir");
        let names = [
            "migration-2026-01-01T10-00-00-1.log",
            "migration-2026-01-01T10-00-00.log",
            "migration-2026-01-01T09-59-59.log",
            "migration-2026-01-01T10-00-00-10.log",
            "migration-2026-01-01T10-00-00-2.log",
            "user-deletion-2026-01-01T10-00-00.log",
        ];
        for n in names {
            std::fs::write(dir.path().join(n), "").expect("write");
        }
        let got: Vec<String> = logs_named(dir.path(), "migration")
            .iter()
            .filter_map(|p| p.file_name()?.to_str().map(str::to_owned))
            .collect();
        assert_eq!(
            got,
            [
                "migration-2026-01-01T09-59-59.log",
                "migration-2026-01-01T10-00-00.log",
                "migration-2026-01-01T10-00-00-1.log",
                "migration-2026-01-01T10-00-00-2.log",
                "migration-2026-01-01T10-00-00-10.log",
            ]
        );
    }
}
