//! The export file: a JSON array or NDJSON, written to a private temporary file beside
//! the target and renamed into place only when complete, so an interrupted export never
//! leaves half a file under the final name.

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
    temp: PathBuf,
    target: PathBuf,
    layout: Layout,
    written: u64,
}

impl ExportWriter {
    pub fn create(target: &Path, layout: Layout) -> std::io::Result<Self> {
        let dir = target
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = target
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("export");
        let temp = dir.join(format!(".{name}.{}.partial", std::process::id()));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let file = options.open(&temp)?;
        let mut out = BufWriter::with_capacity(1 << 20, file);
        if layout == Layout::JsonArray {
            out.write_all(b"[")?;
        }
        Ok(Self {
            out,
            temp,
            target: target.to_owned(),
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
        self.out.get_ref().sync_all()?;
        std::fs::rename(&self.temp, &self.target)?;
        Ok(self.target.clone())
    }
}

impl Drop for ExportWriter {
    /// An export that did not finish leaves nothing behind.
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.temp);
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
