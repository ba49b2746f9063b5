//! The single ledger writer: creates `<prefix>-<UTC timestamp>.log` (no colons, so the
//! name works on Windows) with owner-only permissions, and writes each line whole and
//! flushed, so a crash can tear at most the last line.

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;

/// Why the log could not be written.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    #[error("failed to create the log directory {}", .path.display())]
    CreateDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("failed to create the log file {}", .path.display())]
    Create {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("failed to write to the log file {}: the log is incomplete", .path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

pub struct LedgerWriter {
    path: PathBuf,
    out: BufWriter<File>,
}

/// Creates the log directory with mode 0700 if it is missing.
pub fn ensure_dir(dir: &Path) -> Result<(), LedgerError> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(dir)
        .map_err(|source| LedgerError::CreateDir {
            path: dir.to_owned(),
            source,
        })
}

impl LedgerWriter {
    /// Creates a new log `dir/<prefix>-<YYYY-MM-DDTHH-MM-SS>.log`; a suffix keeps two
    /// runs started in the same second apart.
    pub fn create(dir: &Path, prefix: &str) -> Result<Self, LedgerError> {
        ensure_dir(dir)?;
        let stamp = chrono::Utc::now().format("%Y-%m-%dT%H-%M-%S").to_string();
        let mut n = 0;
        loop {
            let name = if n == 0 {
                format!("{prefix}-{stamp}.log")
            } else {
                format!("{prefix}-{stamp}-{n}.log")
            };
            let path = dir.join(name);
            match crate::files::create_new(&path) {
                Ok(file) => {
                    return Ok(Self {
                        path,
                        out: BufWriter::new(file),
                    });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && n < 1000 => n += 1,
                Err(source) => return Err(LedgerError::Create { path, source }),
            }
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes one line and flushes it.
    pub fn append<T: Serialize>(&mut self, line: &T) -> Result<(), LedgerError> {
        let mut bytes = serde_json::to_vec(line).map_err(|e| LedgerError::Write {
            path: self.path.clone(),
            source: std::io::Error::other(e),
        })?;
        bytes.push(b'\n');
        self.out
            .write_all(&bytes)
            .and_then(|_| self.out.flush())
            .map_err(|source| LedgerError::Write {
                path: self.path.clone(),
                source,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_private_and_named_without_colons() {
        let dir = tempfile::tempdir().expect("tempdir");
        let logs = dir.path().join("logs");
        let mut a = LedgerWriter::create(&logs, "migration").expect("created");
        let b = LedgerWriter::create(&logs, "migration").expect("created");
        assert_ne!(a.path(), b.path());
        a.append(&serde_json::json!({"userId": "u1"}))
            .expect("written");
        let name = a.path().file_name().and_then(|n| n.to_str()).expect("name");
        assert!(name.starts_with("migration-") && name.ends_with(".log") && !name.contains(':'));
        assert_eq!(
            fs::read_to_string(a.path()).expect("read"),
            "{\"userId\":\"u1\"}\n"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                fs::metadata(a.path()).expect("meta").permissions().mode() & 0o777,
                0o600
            );
            assert_eq!(
                fs::metadata(&logs).expect("meta").permissions().mode() & 0o777,
                0o700
            );
        }
    }
}
