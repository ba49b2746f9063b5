//! The operator's test accounts: a CSV of `user_id,password` (source IDs), read whole
//! and checked before any call is made. A test account's ID and password are short: a
//! cell over 1 KiB is a bad row, and no line is read past 4 KiB, so a stray huge file
//! costs no memory.

use std::cell::Cell;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// The longest user ID or password accepted.
const MAX_CELL: usize = 1024;

/// The longest line read (two cells, quotes, a header).
const MAX_LINE: usize = 4 * MAX_CELL;

/// The most read in all: a quoted cell can span lines, and a list of test accounts
/// is far smaller than this.
const MAX_FILE: u64 = 16 << 20;

/// The file, refusing a line longer than `MAX_LINE` before it is buffered, and counting
/// lines for the message.
struct LineCap<R> {
    inner: std::io::Take<R>,
    since_newline: usize,
    line: Rc<Cell<u64>>,
}

impl<R: Read> Read for LineCap<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n == 0 && self.inner.limit() == 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::FileTooLarge,
                "file too large",
            ));
        }
        for &b in &buf[..n] {
            if b == b'\n' {
                self.since_newline = 0;
                self.line.set(self.line.get() + 1);
            } else {
                self.since_newline += 1;
                if self.since_newline > MAX_LINE {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        "line too long",
                    ));
                }
            }
        }
        Ok(n)
    }
}

/// Why the password file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum PasswordFileError {
    #[error("cannot read the password file {0}")]
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
    let file = std::fs::File::open(path).map_err(|e| PasswordFileError::Io(path.to_owned(), e))?;
    let line = Rc::new(Cell::new(1));
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(LineCap {
            // One byte past the cap tells a file of exactly the cap from a larger one.
            inner: std::io::BufReader::new(file).take(MAX_FILE + 1),
            since_newline: 0,
            line: line.clone(),
        });
    let bad = |row: u64, reason: &str| PasswordFileError::Row {
        file: path.to_owned(),
        row,
        reason: reason.to_owned(),
    };
    let too_long = || {
        bad(
            line.get(),
            &format!(
                "is longer than {MAX_LINE} bytes (a user ID or password is at most {MAX_CELL})"
            ),
        )
    };
    let unreadable = |e: csv::Error, row: u64, what: &str| match e.into_kind() {
        csv::ErrorKind::Io(io) if io.kind() == std::io::ErrorKind::InvalidData => too_long(),
        csv::ErrorKind::Io(io) if io.kind() == std::io::ErrorKind::FileTooLarge => bad(
            row,
            &format!(
                "is past {} MiB, more than a list of test accounts holds",
                MAX_FILE >> 20
            ),
        ),
        csv::ErrorKind::Io(io) => PasswordFileError::Io(path.to_owned(), io),
        _ => bad(row, what),
    };
    let header = reader
        .headers()
        .map_err(|e| unreadable(e, 1, "the header is not valid CSV"))?
        .clone();
    let column = |name: &str| header.iter().position(|h| h.trim() == name);
    let (Some(id_col), Some(pw_col)) = (column("user_id"), column("password")) else {
        return Err(bad(1, "the header lacks user_id or password"));
    };
    let mut out = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let row = i as u64 + 2;
        let record = record.map_err(|e| unreadable(e, row, "not valid CSV"))?;
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
        if id.len() > MAX_CELL || password.len() > MAX_CELL {
            return Err(bad(
                row,
                &format!("has a user ID or password over {MAX_CELL} bytes"),
            ));
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
        let long = "p".repeat(1025);
        let err = read_text(&format!("user_id,password\nu1,a\nu2,{long}\n")).expect_err("cell");
        assert!(
            err.to_string()
                .contains("row 3: has a user ID or password over 1024"),
            "{err}"
        );
        let err = read_text(&format!(
            "user_id,password\nu1,a\nu2,\"{}\"\n",
            "q".repeat(1 << 20)
        ))
        .expect_err("line");
        assert!(
            err.to_string().contains("row 3: is longer than 4096 bytes"),
            "{err}"
        );
    }
}
