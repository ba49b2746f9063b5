//! The export file: a JSON array or NDJSON, written to a private temporary file beside
//! the target (`files::Staged`) and renamed into place only when complete, so an
//! interrupted export never leaves half a file under the final name; dropping the writer
//! unfinished removes it.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use serde_json::Value;

/// How records are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    JsonArray,
    Ndjson,
}

impl Layout {
    /// `.ndjson`/`.jsonl` are NDJSON; anything else a JSON array.
    pub fn from_path(path: &Path) -> Self {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
        {
            Some(e) if e == "ndjson" || e == "jsonl" => Self::Ndjson,
            _ => Self::JsonArray,
        }
    }
}

pub struct ExportWriter {
    out: BufWriter<File>,
    staged: Option<crate::files::Staged>,
    layout: Layout,
    written: u64,
}

impl ExportWriter {
    pub fn create(target: &Path, layout: Layout) -> std::io::Result<Self> {
        let mut staged = crate::files::Staged::new(target)?;
        let file = staged.file().try_clone()?;
        let mut out = BufWriter::with_capacity(1 << 20, file);
        if layout == Layout::JsonArray {
            out.write_all(b"[")?;
        }
        Ok(Self {
            out,
            staged: Some(staged),
            layout,
            written: 0,
        })
    }

    pub fn write(&mut self, record: &Value) -> std::io::Result<()> {
        self.write_text(&record.to_string())
    }

    /// Writes one record given as compact, single-line JSON text (as a database's JSON
    /// functions produce it), without parsing it again.
    pub fn write_text(&mut self, json: &str) -> std::io::Result<()> {
        match self.layout {
            Layout::JsonArray => {
                self.out
                    .write_all(if self.written == 0 { b"\n" } else { b",\n" })?;
            }
            Layout::Ndjson => {}
        }
        self.out.write_all(json.as_bytes())?;
        if self.layout == Layout::Ndjson {
            self.out.write_all(b"\n")?;
        }
        self.written += 1;
        Ok(())
    }

    /// Flushes, syncs and renames the file into place.
    pub fn finish(mut self) -> std::io::Result<PathBuf> {
        if self.layout == Layout::JsonArray {
            self.out.write_all(b"\n]\n")?;
        }
        self.out.flush()?;
        match self.staged.take() {
            Some(staged) => staged.finish(),
            None => Err(std::io::Error::other("the export was already finished")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_appears_only_when_complete_and_is_private() {
        let dir = tempfile::tempdir().expect("tempdir");
        let target = dir.path().join("users.json");
        let mut w = ExportWriter::create(&target, Layout::JsonArray).expect("create");
        w.write(&serde_json::json!({"id": 1})).expect("write");
        assert!(!target.exists(), "not under the final name before finish");
        drop(w);
        assert_eq!(
            std::fs::read_dir(dir.path()).expect("dir").count(),
            0,
            "nothing left"
        );
        let mut w = ExportWriter::create(&target, Layout::JsonArray).expect("create");
        w.write(&serde_json::json!({"id": 1})).expect("write");
        w.write(&serde_json::json!({"id": 2})).expect("write");
        w.finish().expect("finish");
        let v: Value =
            serde_json::from_str(&std::fs::read_to_string(&target).expect("read")).expect("json");
        assert_eq!(v, serde_json::json!([{"id": 1}, {"id": 2}]));
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&target)
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
