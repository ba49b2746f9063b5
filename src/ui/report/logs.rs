//! The housekeeping commands' reports: `clean-logs` and `convert-logs`.

use serde::Serialize;

use super::Report;

/// "1 log file", "2 log files".
pub fn log_files_count(n: usize) -> String {
    if n == 1 {
        "1 log file".to_owned()
    } else {
        format!("{n} log files")
    }
}

/// What a clean-up would remove, when it removes nothing.
#[derive(Debug, Serialize)]
pub struct CleanPreview {
    pub mode: &'static str,
    pub dry_run: bool,
    pub removed: Vec<String>,
    pub would_remove: Vec<String>,
    pub kept: usize,
    #[serde(skip)]
    pub dir: String,
}

impl Report for CleanPreview {
    fn text(&self) -> String {
        if self.would_remove.is_empty() {
            return format!(
                "Nothing to clean in {} ({} kept).",
                self.dir,
                log_files_count(self.kept)
            );
        }
        let mut lines = vec![format!(
            "Dry run: would delete {}, keep {}:",
            log_files_count(self.would_remove.len()),
            self.kept
        )];
        lines.extend(self.would_remove.iter().map(|n| format!("  {n}")));
        lines.join("\n")
    }
}

/// What a clean-up removed.
#[derive(Debug, Serialize)]
pub struct CleanReport {
    pub mode: &'static str,
    pub dry_run: bool,
    pub removed: Vec<String>,
    pub failed: Vec<String>,
    pub kept: usize,
}

impl Report for CleanReport {
    fn text(&self) -> String {
        format!(
            "Deleted {}, kept {}.",
            log_files_count(self.removed.len()),
            self.kept
        )
    }
}

/// One converted log.
#[derive(Debug, Serialize)]
pub struct ConvertedFile {
    pub file: String,
    /// The JSON file written; none with `--stdout`.
    pub output: Option<String>,
    pub entries: u64,
    pub skipped_lines: Vec<u64>,
}

/// What a conversion wrote.
#[derive(Debug, Serialize)]
pub struct ConvertReport {
    pub mode: &'static str,
    pub files: Vec<ConvertedFile>,
}

impl Report for ConvertReport {
    fn text(&self) -> String {
        self.files
            .iter()
            .map(|f| {
                format!(
                    "{} → {} ({} entries)",
                    f.file,
                    f.output.as_deref().unwrap_or(""),
                    f.entries
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_json_contract() {
        let preview = CleanPreview {
            mode: "clean-logs",
            dry_run: true,
            removed: Vec::new(),
            would_remove: vec!["logs/migration-1.log".into()],
            kept: 2,
            dir: "logs".into(),
        };
        insta::assert_json_snapshot!("clean_preview", preview);
        insta::assert_snapshot!("clean_preview_text", preview.text());
        let done = CleanReport {
            mode: "clean-logs",
            dry_run: false,
            removed: vec!["logs/migration-1.log".into()],
            failed: vec!["logs/verify-1.log: Permission denied".into()],
            kept: 2,
        };
        insta::assert_json_snapshot!("clean_report", done);
        let converted = ConvertReport {
            mode: "convert-logs",
            files: vec![ConvertedFile {
                file: "logs/migration-1.log".into(),
                output: Some("logs/migration-1.json".into()),
                entries: 3,
                skipped_lines: vec![4],
            }],
        };
        insta::assert_json_snapshot!("convert_report", converted);
        insta::assert_snapshot!("convert_report_text", converted.text());
    }
}
