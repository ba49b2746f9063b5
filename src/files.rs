//! How the tool creates the files it writes (logs, exports, converted logs, `.env`, the
//! lock): new, owner-only, and never through a symbolic link someone planted, so a file
//! name in a shared directory cannot be turned into a write to another file.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

#[cfg(unix)]
fn private(options: &mut OpenOptions) -> &mut OpenOptions {
    use std::os::unix::fs::OpenOptionsExt;
    options.mode(0o600).custom_flags(libc::O_NOFOLLOW)
}

#[cfg(not(unix))]
fn private(options: &mut OpenOptions) -> &mut OpenOptions {
    options
}

fn not_regular(path: &Path) -> std::io::Error {
    std::io::Error::other(format!(
        "{} is not a regular file: remove it, or choose another directory",
        path.display()
    ))
}

/// Creates `path`, which must not exist yet (a symbolic link there counts as existing).
pub fn create_new(path: &Path) -> std::io::Result<File> {
    private(OpenOptions::new().write(true).create_new(true)).open(path)
}

/// Opens an existing file of the tool's own to append to, refusing a symbolic link.
pub fn open_append(path: &Path) -> std::io::Result<File> {
    let file = private(OpenOptions::new().append(true)).open(path)?;
    if !file.metadata()?.is_file() {
        return Err(not_regular(path));
    }
    Ok(file)
}

/// Opens (creating it when absent) the lock file, refusing a symbolic link, a FIFO or a
/// device planted in its place.
pub fn open_lock_file(path: &Path) -> std::io::Result<File> {
    let file = private(OpenOptions::new().read(true).write(true).create(true)).open(path)?;
    if !file.metadata()?.is_file() {
        return Err(not_regular(path));
    }
    Ok(file)
}

/// A file written under a random private name beside its target and renamed over the
/// target only when complete: an interrupted write never leaves half a file under the
/// final name, and whatever sits at the target (a symbolic link included) is replaced,
/// never written through. Dropped unfinished, it is removed.
pub struct Staged {
    temp: tempfile::NamedTempFile,
    target: PathBuf,
}

impl Staged {
    pub fn new(target: &Path) -> std::io::Result<Self> {
        let dir = target
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = target
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("migrate");
        // tempfile creates with O_EXCL and mode 0600 under an unpredictable name.
        let temp = tempfile::Builder::new()
            .prefix(&format!(".{name}."))
            .suffix(".partial")
            .tempfile_in(dir)?;
        Ok(Self {
            temp,
            target: target.to_owned(),
        })
    }

    pub fn file(&mut self) -> &mut File {
        self.temp.as_file_mut()
    }

    /// Syncs and renames the file into place.
    pub fn finish(self) -> std::io::Result<PathBuf> {
        self.temp.as_file().sync_all()?;
        self.temp.persist(&self.target).map_err(|e| e.error)?;
        Ok(self.target)
    }
}

/// Writes `bytes` to `path` readable by all (documentation), replacing it atomically.
pub fn write_readable(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut staged = Staged::new(path)?;
    staged.file().write_all(bytes)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        staged
            .file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))?;
    }
    staged.finish()?;
    Ok(())
}

/// Writes `bytes` to `path` owner-only, replacing it atomically.
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut staged = Staged::new(path)?;
    staged.file().write_all(bytes)?;
    staged.finish()?;
    Ok(())
}

/// The SHA-256 of a file's bytes, in lower-case hex: how a run recognises the file an
/// earlier run read.
pub fn sha256_hex(path: &Path) -> std::io::Result<String> {
    use sha2::{Digest, Sha256};
    use std::io::Read;
    let mut file = File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::{PermissionsExt, symlink};

    #[test]
    fn planted_symlinks_are_replaced_or_refused_never_followed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "precious").expect("write");
        let link = dir.path().join("out.json");
        symlink(&victim, &link).expect("symlink");

        assert!(create_new(&link).is_err());
        assert!(open_append(&link).is_err());
        write_private(&link, b"new").expect("replaces the link itself");
        assert_eq!(std::fs::read_to_string(&victim).expect("read"), "precious");
        assert_eq!(std::fs::read_to_string(&link).expect("read"), "new");
        let meta = std::fs::symlink_metadata(&link).expect("meta");
        assert!(meta.is_file());
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    }

    #[test]
    fn an_unfinished_file_leaves_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut staged = Staged::new(&dir.path().join("users.json")).expect("staged");
        staged.file().write_all(b"[").expect("write");
        drop(staged);
        assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 0);
    }
}
