//! The `.env` file: read into a map (never into the process environment, which is
//! `unsafe` to change in edition 2024) and the secret key saved back with mode 0600.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

/// Why the `.env` file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum DotEnvError {
    #[error("failed to read {path}: fix or remove the file")]
    Parse {
        path: PathBuf,
        #[source]
        source: dotenvy::Error,
    },
    #[error("failed to write {path}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Values from a `.env` file.
#[derive(Debug, Default, Clone)]
pub struct DotEnv {
    values: HashMap<String, String>,
}

impl DotEnv {
    /// Reads `path`; a missing file is an empty map.
    pub fn load(path: &Path) -> Result<Self, DotEnvError> {
        if !path.is_file() {
            return Ok(Self::default());
        }
        let iter = dotenvy::from_path_iter(path).map_err(|source| DotEnvError::Parse {
            path: path.to_owned(),
            source,
        })?;
        let mut values = HashMap::new();
        for item in iter {
            let (k, v) = item.map_err(|source| DotEnvError::Parse {
                path: path.to_owned(),
                source,
            })?;
            values.insert(k, v);
        }
        Ok(Self { values })
    }

    /// A value, if set and not blank.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.values
            .get(key)
            .map(String::as_str)
            .filter(|v| !v.trim().is_empty())
    }

    /// For tests: a map built in memory.
    pub fn from_pairs(pairs: &[(&str, &str)]) -> Self {
        Self {
            values: pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        }
    }
}

/// What `save_key` did, for the message shown to the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveOutcome {
    Created,
    Replaced,
    Appended,
}

/// Writes `CLERK_SECRET_KEY=<key>` into `path`: replaces the first uncommented
/// assignment, or appends one; commented lines stay as they are. The file ends with
/// owner-only permissions whatever it had before.
pub fn save_key(path: &Path, key: &str) -> Result<SaveOutcome, DotEnvError> {
    let write_err = |source| DotEnvError::Write {
        path: path.to_owned(),
        source,
    };
    let existing = match fs::read_to_string(path) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(write_err(e)),
    };
    let line = format!("CLERK_SECRET_KEY={key}");
    let (text, outcome) = match existing {
        None => (format!("{line}\n"), SaveOutcome::Created),
        Some(text) => {
            let mut replaced = false;
            let mut lines: Vec<String> = Vec::new();
            for l in text.lines() {
                let assignment = l.trim_start();
                let assignment = assignment.strip_prefix("export ").unwrap_or(assignment);
                let is_key = assignment
                    .split_once('=')
                    .is_some_and(|(name, _)| name.trim() == "CLERK_SECRET_KEY");
                if is_key && !replaced {
                    lines.push(line.clone());
                    replaced = true;
                } else {
                    lines.push(l.to_owned());
                }
            }
            if !replaced {
                lines.push(line.clone());
            }
            let outcome = if replaced {
                SaveOutcome::Replaced
            } else {
                SaveOutcome::Appended
            };
            (lines.join("\n") + "\n", outcome)
        }
    };
    write_private(path, text.as_bytes()).map_err(write_err)?;
    Ok(outcome)
}

/// Writes a file readable by its owner only, replacing it atomically (never through a
/// symbolic link).
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    crate::files::write_private(path, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn save_replaces_only_the_live_assignment() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join(".env");
        fs::write(
            &path,
            "# CLERK_SECRET_KEY=old_commented\nRATE_LIMIT=5\nCLERK_SECRET_KEY=sk_test_old\n",
        )
        .expect("write");
        assert_eq!(
            save_key(&path, "sk_test_new").expect("saved"),
            SaveOutcome::Replaced
        );
        let text = fs::read_to_string(&path).expect("read");
        assert_eq!(
            text,
            "# CLERK_SECRET_KEY=old_commented\nRATE_LIMIT=5\nCLERK_SECRET_KEY=sk_test_new\n"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).expect("meta").permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
    }

    #[test]
    fn save_appends_or_creates() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join(".env");
        assert_eq!(
            save_key(&path, "sk_test_a").expect("saved"),
            SaveOutcome::Created
        );
        fs::write(&path, "# CLERK_SECRET_KEY=x\n").expect("write");
        assert_eq!(
            save_key(&path, "sk_test_b").expect("saved"),
            SaveOutcome::Appended
        );
        let env = DotEnv::load(&path).expect("load");
        assert_eq!(env.get("CLERK_SECRET_KEY"), Some("sk_test_b"));
    }
}
