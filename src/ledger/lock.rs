//! One run at a time per log directory: a lock file holding the running process's PID and
//! command. Two imports side by side would each log the other's users as already there
//! and fight over the rate limit; a delete or verify during an import would act on a log
//! still being written.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

const NAME: &str = ".migrate.lock";

/// What the lock file says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holder {
    pub pid: u32,
    pub command: String,
    pub started_at: String,
}

/// Why the log directory cannot be locked.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error(
        "another migrate run ({command}, PID {pid}, started {started_at}) is using {}: wait for it to finish, or use another --log-dir",
        .dir.display()
    )]
    Busy {
        dir: PathBuf,
        pid: u32,
        command: String,
        started_at: String,
    },
    #[error("failed to lock the log directory {}", .0.display())]
    Io(PathBuf, #[source] std::io::Error),
}

/// Held for the whole run; removed when dropped.
#[derive(Debug)]
pub struct RunLock {
    path: PathBuf,
    /// The holder whose stale lock was taken over, for a warning.
    pub took_over: Option<Holder>,
}

/// Whether a process with this PID is running (Linux's `/proc`; elsewhere every holder
/// counts as alive, so a lock is never stolen by mistake).
fn alive(pid: u32) -> bool {
    if cfg!(target_os = "linux") {
        Path::new(&format!("/proc/{pid}")).exists()
    } else {
        true
    }
}

impl RunLock {
    pub fn acquire(dir: &Path, command: &str) -> Result<Self, LockError> {
        let io = |e| LockError::Io(dir.to_owned(), e);
        std::fs::create_dir_all(dir).map_err(io)?;
        let path = dir.join(NAME);
        let me = Holder {
            pid: std::process::id(),
            command: command.to_owned(),
            started_at: crate::ledger::entry::now(),
        };
        let mut took_over = None;
        // Twice at most: once, and once more after removing a stale lock.
        for _ in 0..2 {
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                options.mode(0o600);
            }
            match options.open(&path) {
                Ok(mut file) => {
                    let text = serde_json::to_string(&me).unwrap_or_default();
                    file.write_all(text.as_bytes()).map_err(io)?;
                    return Ok(Self { path, took_over });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let holder = std::fs::read_to_string(&path)
                        .ok()
                        .and_then(|t| serde_json::from_str::<Holder>(&t).ok());
                    match holder {
                        Some(h) if alive(h.pid) && h.pid != me.pid => {
                            return Err(LockError::Busy {
                                dir: dir.to_owned(),
                                pid: h.pid,
                                command: h.command,
                                started_at: h.started_at,
                            });
                        }
                        // A dead holder, or a file torn by a crash mid-write: stale.
                        other => {
                            took_over = other.or(took_over);
                            std::fs::remove_file(&path).map_err(io)?;
                        }
                    }
                }
                Err(e) => return Err(io(e)),
            }
        }
        Err(io(std::io::Error::other("the lock file keeps reappearing")))
    }
}

impl Drop for RunLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_live_holder_refuses_a_dead_one_is_taken_over_and_the_lock_goes_with_the_run() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join(NAME);
        let live = Holder {
            pid: 1,
            command: "import".into(),
            started_at: "2026-01-01T00:00:00.000Z".into(),
        };
        std::fs::write(&path, serde_json::to_string(&live).expect("json")).expect("write");
        let err = RunLock::acquire(dir.path(), "delete").expect_err("PID 1 is alive");
        assert!(err.to_string().contains("PID 1"), "{err}");
        let dead = Holder {
            pid: u32::MAX - 1,
            ..live
        };
        std::fs::write(&path, serde_json::to_string(&dead).expect("json")).expect("write");
        let lock = RunLock::acquire(dir.path(), "delete").expect("stale lock taken over");
        assert_eq!(lock.took_over.as_ref().map(|h| h.pid), Some(u32::MAX - 1));
        let held: Holder =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("json");
        assert_eq!(
            (held.pid, held.command.as_str()),
            (std::process::id(), "delete")
        );
        drop(lock);
        assert!(!path.exists());
    }
}
