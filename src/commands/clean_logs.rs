//! `migrate clean-logs`: delete old migration logs, with filters and a confirmation.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use serde_json::json;

use crate::cli::CleanLogsArgs;
use crate::config::{self, Prompter};
use crate::error::AppError;
use crate::exit::ExitStatus;
use crate::ui::{Printer, TerminalPrompter};

/// Parses `30m`, `12h`, `7d`, `4w` (or plain seconds).
pub fn parse_age(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (number, unit) = s.split_at(split);
    let n: u64 = number
        .parse()
        .map_err(|_| format!("{s:?} is not a duration such as 12h, 7d or 4w"))?;
    let secs = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 7 * 86_400,
        _ => return Err(format!("{s:?} has an unknown unit: use s, m, h, d or w")),
    };
    Ok(Duration::from_secs(n.saturating_mul(secs)))
}

/// `.log` files directly in `dir`, newest first.
pub fn log_files(dir: &Path) -> std::io::Result<Vec<(PathBuf, SystemTime)>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let meta = entry.metadata()?;
        let path = entry.path();
        if meta.is_file() && path.extension().is_some_and(|e| e == "log") {
            files.push((path, meta.modified().unwrap_or(SystemTime::UNIX_EPOCH)));
        }
    }
    files.sort_by(|a, b| b.1.cmp(&a.1).then(b.0.cmp(&a.0)));
    Ok(files)
}

pub fn run(args: CleanLogsArgs, printer: Printer) -> Result<ExitStatus, AppError> {
    let dir = &args.output.log_dir;
    let older_than = args
        .older_than
        .as_deref()
        .map(parse_age)
        .transpose()
        .map_err(AppError::Usage)?;
    if !dir.is_dir() {
        printer.info(&format!(
            "No log directory at {}: nothing to clean.",
            dir.display()
        ));
        return Ok(ExitStatus::Success);
    }
    let _lock = super::lock_logs(dir, "clean-logs", &printer)?;
    let now = SystemTime::now();
    let files = log_files(dir).map_err(|e| AppError::Io(dir.clone(), e))?;
    let total = files.len();
    let doomed: Vec<PathBuf> = files
        .into_iter()
        .skip(args.keep.unwrap_or(0))
        .filter(|(_, modified)| {
            older_than.is_none_or(|age| now.duration_since(*modified).is_ok_and(|d| d > age))
        })
        .map(|(p, _)| p)
        .collect();
    let kept = total - doomed.len();
    let names: Vec<String> = doomed.iter().map(|p| p.display().to_string()).collect();
    if doomed.is_empty() || args.dry_run {
        if printer.is_json() {
            printer.data(&json!({"mode": "clean-logs", "dry_run": args.dry_run, "removed": [], "would_remove": names, "kept": kept}).to_string());
        } else if doomed.is_empty() {
            printer.info(&format!(
                "Nothing to clean in {} ({} kept).",
                dir.display(),
                log_files_count(kept)
            ));
        } else {
            printer.info(&format!(
                "Dry run: would delete {}, keep {kept}:",
                log_files_count(doomed.len())
            ));
            for n in &names {
                printer.info(&format!("  {n}"));
            }
        }
        return Ok(ExitStatus::Success);
    }
    if !args.yes {
        if !super::interactive(false) {
            return Err(AppError::Usage(
                "refusing to delete logs without a confirmation: pass -y, or --dry-run to preview"
                    .to_owned(),
            ));
        }
        let mut prompter = TerminalPrompter;
        let p: &mut dyn Prompter = &mut prompter;
        let question = format!(
            "Delete {} from {} (keeping {kept})?",
            log_files_count(doomed.len()),
            dir.display()
        );
        if !p
            .confirm(&question, false)
            .map_err(config::ConfigError::from)?
        {
            printer.info("Operation cancelled.");
            return Ok(ExitStatus::Success);
        }
    }
    let mut removed = Vec::new();
    let mut failed = Vec::new();
    for path in doomed {
        match std::fs::remove_file(&path) {
            Ok(()) => removed.push(path.display().to_string()),
            Err(e) => failed.push(format!("{}: {e}", path.display())),
        }
    }
    if printer.is_json() {
        printer.data(&json!({"mode": "clean-logs", "dry_run": false, "removed": removed, "failed": failed, "kept": kept}).to_string());
    } else {
        printer.info(&format!(
            "Deleted {}, kept {kept}.",
            log_files_count(removed.len())
        ));
        for f in &failed {
            printer.warn(&format!("could not delete {f}"));
        }
    }
    Ok(if failed.is_empty() {
        ExitStatus::Success
    } else {
        ExitStatus::Incomplete
    })
}

/// "1 log file", "2 log files".
fn log_files_count(n: usize) -> String {
    if n == 1 {
        "1 log file".to_owned()
    } else {
        format!("{n} log files")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages() {
        assert_eq!(parse_age("7d"), Ok(Duration::from_secs(7 * 86_400)));
        assert_eq!(parse_age("90"), Ok(Duration::from_secs(90)));
        assert!(parse_age("7 days").is_err());
        assert!(parse_age("d").is_err());
    }
}
