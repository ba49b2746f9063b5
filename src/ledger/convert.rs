//! A log as a pretty JSON array, streamed: lines that do not parse (a crash's torn last
//! line) are skipped and named instead of ending the conversion.

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use super::reader::{LedgerLines, Line};

/// What converting one file did.
pub struct Converted {
    pub entries: u64,
    /// Line numbers that were not JSON objects.
    pub skipped: Vec<u64>,
}

/// Streams `input` into `out` as a pretty JSON array.
pub fn convert(input: &Path, out: &mut dyn Write) -> std::io::Result<Converted> {
    convert_until(input, out, &AtomicBool::new(false))
}

/// `convert`, ending with `Interrupted` as soon as `stop` is set.
pub fn convert_until(
    input: &Path,
    out: &mut dyn Write,
    stop: &AtomicBool,
) -> std::io::Result<Converted> {
    let mut result = Converted {
        entries: 0,
        skipped: Vec::new(),
    };
    out.write_all(b"[")?;
    for line in LedgerLines::new(BufReader::new(File::open(input)?)) {
        if stop.load(Ordering::Relaxed) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::Interrupted,
                "stopped by a signal",
            ));
        }
        match line? {
            Line::Parsed { value, .. } => {
                out.write_all(if result.entries == 0 {
                    b"\n  "
                } else {
                    b",\n  "
                })?;
                let pretty = serde_json::to_string_pretty(&value).map_err(std::io::Error::other)?;
                out.write_all(pretty.replace('\n', "\n  ").as_bytes())?;
                result.entries += 1;
            }
            Line::Malformed { number, .. } => result.skipped.push(number),
        }
    }
    out.write_all(if result.entries == 0 {
        b"]\n"
    } else {
        b"\n]\n"
    })?;
    out.flush()?;
    Ok(result)
}

pub fn json_path(log: &Path) -> PathBuf {
    log.with_extension("json")
}

/// Converts `log` into its `.json` beside it, staged and renamed over the target: a
/// planted link there is replaced, never written through.
pub fn convert_to_file(log: &Path, stop: &AtomicBool) -> std::io::Result<Converted> {
    let mut staged = crate::files::Staged::new(&json_path(log))?;
    let mut out = BufWriter::new(staged.file());
    let result = convert_until(log, &mut out, stop)?;
    out.flush()?;
    drop(out);
    staged.finish()?;
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_torn_last_line_is_skipped_and_named() {
        let dir = tempfile::tempdir().expect("tempdir");
        let log = dir.path().join("migration-x.log");
        std::fs::write(&log, "{\"a\":1}\n{\"b\":[1,2]}\n{\"c\":").expect("write");
        let mut out = Vec::new();
        let result = convert(&log, &mut out).expect("converts");
        assert_eq!((result.entries, result.skipped.clone()), (2, vec![3]));
        let parsed: serde_json::Value = serde_json::from_slice(&out).expect("valid JSON");
        assert_eq!(parsed, json!([{"a": 1}, {"b": [1, 2]}]));
        let empty = dir.path().join("empty.log");
        std::fs::write(&empty, "").expect("write");
        let mut out = Vec::new();
        convert(&empty, &mut out).expect("converts");
        assert_eq!(
            serde_json::from_slice::<serde_json::Value>(&out).expect("json"),
            json!([])
        );
    }
}
