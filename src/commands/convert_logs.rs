//! `migrate convert-logs`: NDJSON logs to pretty JSON arrays, streaming, skipping (and
//! naming) lines that do not parse instead of giving up on the file.

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::json;

use crate::cli::ConvertLogsArgs;
use crate::config::{self, Prompter};
use crate::error::AppError;
use crate::exit::ExitStatus;
use crate::ledger::reader::{LedgerLines, Line};
use crate::ui::{Printer, TerminalPrompter};

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
fn convert_until(
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

fn json_path(log: &Path) -> PathBuf {
    log.with_extension("json")
}

pub async fn run(args: ConvertLogsArgs, printer: Printer) -> Result<ExitStatus, AppError> {
    // On a signal the conversion in progress stops and its temporary file goes.
    match super::signals::blocking_until_signal(move |stop| convert_files(args, printer, stop))
        .await
    {
        Ok(result) => result,
        Err(status) => {
            printer.warn("convert-logs stopped: the log being converted was not written");
            Ok(status)
        }
    }
}

fn convert_files(
    args: ConvertLogsArgs,
    printer: Printer,
    stop: &AtomicBool,
) -> Result<ExitStatus, AppError> {
    let dir = &args.output.log_dir;
    let files: Vec<PathBuf> = if !args.files.is_empty() {
        args.files.clone()
    } else {
        let all: Vec<PathBuf> = crate::ledger::tidy::log_files(dir)
            .map(|v| v.into_iter().map(|(p, _)| p).collect())
            .unwrap_or_default();
        if all.is_empty() {
            printer.info(&format!(
                "No .log files in {}: nothing to convert.",
                dir.display()
            ));
            return Ok(ExitStatus::Success);
        }
        if args.all {
            all
        } else if super::interactive(false) {
            let items: Vec<String> = all.iter().map(|p| p.display().to_string()).collect();
            let mut prompter = TerminalPrompter;
            let p: &mut dyn Prompter = &mut prompter;
            let picked = p
                .multi_select(
                    "Which logs should be converted? (space to pick, enter to go)",
                    &items,
                )
                .map_err(config::ConfigError::from)?;
            picked
                .into_iter()
                .filter_map(|i| all.get(i).cloned())
                .collect()
        } else {
            return Err(AppError::Usage(
                "name the log files to convert, or pass --all".to_owned(),
            ));
        }
    };
    if args.stdout && files.len() != 1 {
        return Err(AppError::Usage(
            "--stdout converts exactly one log file".to_owned(),
        ));
    }
    let mut report = Vec::new();
    let mut any_skipped = false;
    for log in &files {
        let result = if args.stdout {
            let stdout = std::io::stdout();
            let mut out = BufWriter::new(stdout.lock());
            convert_until(log, &mut out, stop)
        } else {
            let target = json_path(log);
            // Beside the log and renamed over the target: a planted link there is
            // replaced, never written through.
            crate::files::Staged::new(&target).and_then(|mut staged| {
                let mut out = BufWriter::new(staged.file());
                let result = convert_until(log, &mut out, stop)?;
                out.flush()?;
                drop(out);
                staged.finish()?;
                Ok(result)
            })
        }
        .map_err(|e| AppError::Io(log.clone(), e))?;
        if !result.skipped.is_empty() {
            any_skipped = true;
            let lines: Vec<String> = result.skipped.iter().take(10).map(u64::to_string).collect();
            printer.warn(&format!(
                "{}: skipped {} line(s) that are not JSON (line {}{})",
                log.display(),
                result.skipped.len(),
                lines.join(", "),
                if result.skipped.len() > 10 {
                    ", …"
                } else {
                    ""
                }
            ));
        }
        report.push(json!({
            "file": log.display().to_string(),
            "output": if args.stdout { None } else { Some(json_path(log).display().to_string()) },
            "entries": result.entries,
            "skipped_lines": result.skipped,
        }));
    }
    if !args.stdout {
        if printer.is_json() {
            printer.data(&json!({"mode": "convert-logs", "files": report}).to_string());
        } else {
            for r in &report {
                printer.info(&format!(
                    "{} → {} ({} entries)",
                    r["file"].as_str().unwrap_or(""),
                    r["output"].as_str().unwrap_or(""),
                    r["entries"]
                ));
            }
        }
    }
    Ok(if any_skipped {
        ExitStatus::Incomplete
    } else {
        ExitStatus::Success
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
