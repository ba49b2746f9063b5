//! One run at a time per log directory. Two imports side by side would each log the
//! other's users as already there (so neither log could roll them back) and fight over
//! the rate limit; a delete or verify during an import would act on a log still being
//! written.
//!
//! The lock is an advisory `flock` on `.migrate.lock`, held on the open file for the
//! life of the run. The kernel grants it to one process at a time and releases it when
//! the process ends however it ends, so there is no window in which two runs both see
//! the directory free, and no guessing whether a PID in the file is still the holder.
//! The file also carries the holder's PID and command, for the message a refused run
//! prints; it is never removed (removing it would let a third run lock a new file while
//! a second still waits on the old one), only emptied when a run ends normally.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

pub const NAME: &str = ".migrate.lock";

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
    #[error(
        "another migrate run that is just starting is using {}: wait for it to finish, or use another --log-dir",
        .0.display()
    )]
    BusyStarting(PathBuf),
    #[error("failed to lock the log directory {}", .path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Held for the whole run; the kernel releases it when the file is closed.
#[derive(Debug)]
pub struct RunLock {
    file: File,
    /// The holder named in a lock file left by a run that did not end normally (killed
    /// or crashed), for a warning: its log has no closing line.
    pub took_over: Option<Holder>,
}

impl RunLock {
    pub fn acquire(dir: &Path, command: &str) -> Result<Self, LockError> {
        let path = dir.join(NAME);
        let io = |source| LockError::Io {
            path: path.clone(),
            source,
        };
        super::writer::ensure_dir(dir).map_err(|e| io(std::io::Error::other(e)))?;
        let mut file = crate::files::open_lock_file(&path).map_err(io)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => return Err(busy(dir, &mut file)),
            Err(std::fs::TryLockError::Error(e)) => return Err(io(e)),
        }
        let me = Holder {
            pid: std::process::id(),
            command: command.to_owned(),
            started_at: crate::ledger::entry::now(),
        };
        let took_over = read_holder(&mut file).filter(|h| h.pid != me.pid);
        let text = serde_json::to_string(&me).map_err(|e| io(std::io::Error::other(e)))?;
        file.set_len(0)
            .and_then(|()| file.seek(SeekFrom::Start(0)))
            .and_then(|_| file.write_all(text.as_bytes()))
            .and_then(|()| file.flush())
            .map_err(io)?;
        Ok(Self { file, took_over })
    }
}

/// The refusal, naming the holder. The holder writes its name just after it takes the
/// lock, so a run refused in that instant reads again for a moment before saying
/// "just starting".
fn busy(dir: &Path, file: &mut File) -> LockError {
    let deadline = Instant::now() + Duration::from_millis(500);
    loop {
        if let Some(h) = read_holder(file) {
            return LockError::Busy {
                dir: dir.to_owned(),
                pid: h.pid,
                command: h.command,
                started_at: h.started_at,
            };
        }
        if Instant::now() >= deadline {
            return LockError::BusyStarting(dir.to_owned());
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn read_holder(file: &mut File) -> Option<Holder> {
    let mut text = String::new();
    file.seek(SeekFrom::Start(0)).ok()?;
    // A lock file is a few dozen bytes; anything longer is not ours.
    file.take(4096).read_to_string(&mut text).ok()?;
    serde_json::from_str(&text).ok()
}

impl Drop for RunLock {
    /// Empties the file so the next run does not take this one for a crashed run; the
    /// lock itself goes with the file descriptor.
    fn drop(&mut self) {
        let _ = self.file.set_len(0);
        let _ = self.file.unlock();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_held_lock_refuses_naming_its_holder_and_a_left_file_is_taken_over() {
        let dir = tempfile::tempdir().expect("tempdir");
        let first = RunLock::acquire(dir.path(), "import").expect("free");
        assert_eq!(first.took_over, None);
        let err = RunLock::acquire(dir.path(), "delete").expect_err("held");
        let message = err.to_string();
        assert!(
            message.contains(&format!("PID {}", std::process::id())) && message.contains("import"),
            "{message}"
        );
        drop(first);
        assert_eq!(
            std::fs::read(dir.path().join(NAME)).expect("kept").len(),
            0,
            "emptied when the run ends"
        );
        // A file naming a live process (PID 1) that holds no lock: a crashed run's
        // leftover, or a reused PID. Taken over, never waited on.
        let left = Holder {
            pid: 1,
            command: "import".into(),
            started_at: "2026-01-01T00:00:00.000Z".into(),
        };
        std::fs::write(
            dir.path().join(NAME),
            serde_json::to_string(&left).expect("json"),
        )
        .expect("write");
        let lock = RunLock::acquire(dir.path(), "verify").expect("not held by anyone");
        assert_eq!(lock.took_over, Some(left));
    }

    #[cfg(unix)]
    #[test]
    fn a_planted_symlink_is_not_followed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "precious").expect("write");
        std::os::unix::fs::symlink(&victim, dir.path().join(NAME)).expect("symlink");
        let err = RunLock::acquire(dir.path(), "import").expect_err("symlink refused");
        assert!(matches!(err, LockError::Io { .. }), "{err}");
        assert_eq!(std::fs::read_to_string(&victim).expect("read"), "precious");
    }
}
