//! The operator's test accounts: a CSV of `user_id,password` (source IDs), read whole
//! and checked before any call is made.

use std::path::{Path, PathBuf};

/// Why the password file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum PasswordFileError {
    #[error("cannot read the password file {0}: {1}")]
    Io(PathBuf, #[source] std::io::Error),
    #[error(
        "{file}: row {row}: {reason} (expected a header `user_id,password`, then one source user ID and its password per row)"
    )]
    Row {
        file: PathBuf,
        row: u64,
        reason: String,
    },
}

/// `(source user ID, password)` in file order.
pub fn read(path: &Path) -> Result<Vec<(String, String)>, PasswordFileError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_path(path)
        .map_err(|e| match e.into_kind() {
            csv::ErrorKind::Io(io) => PasswordFileError::Io(path.to_owned(), io),
            other => PasswordFileError::Row {
                file: path.to_owned(),
                row: 1,
                reason: format!("{other:?}"),
            },
        })?;
    let bad = |row: u64, reason: &str| PasswordFileError::Row {
        file: path.to_owned(),
        row,
        reason: reason.to_owned(),
    };
    let header = reader
        .headers()
        .map_err(|_| bad(1, "the header is not valid CSV"))?
        .clone();
    let column = |name: &str| header.iter().position(|h| h.trim() == name);
    let (Some(id_col), Some(pw_col)) = (column("user_id"), column("password")) else {
        return Err(bad(1, "the header lacks user_id or password"));
    };
    let mut out = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let row = i as u64 + 2;
        let record = record.map_err(|_| bad(row, "not valid CSV"))?;
        let id = record.get(id_col).map(str::trim).unwrap_or_default();
        let Some(password) = record.get(pw_col) else {
            return Err(bad(row, "has no password cell"));
        };
        if id.is_empty() {
            return Err(bad(row, "has no user_id"));
        }
        if password.is_empty() {
            return Err(bad(row, "has an empty password"));
        }
        out.push((id.to_owned(), password.to_owned()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_text(text: &str) -> Result<Vec<(String, String)>, PasswordFileError> {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("p.csv");
        std::fs::write(&path, text).expect("write");
        read(&path)
    }

    #[test]
    fn rows_are_read_and_a_bad_row_is_named() {
        let ok = read_text("user_id,password\nu1,secret one\nu2,\"with,comma\"\n").expect("reads");
        assert_eq!(ok[1], ("u2".to_owned(), "with,comma".to_owned()));
        let err = read_text("user_id,password\nu1,a\n,b\n").expect_err("no id");
        assert!(err.to_string().contains("row 3: has no user_id"), "{err}");
        let err = read_text("user_id,password\nu1\n").expect_err("short");
        assert!(err.to_string().contains("row 2"), "{err}");
        let err = read_text("id,pw\nu1,a\n").expect_err("header");
        assert!(err.to_string().contains("row 1"), "{err}");
    }
}
