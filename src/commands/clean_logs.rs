//! `migrate clean-logs`: delete old migration logs, with filters and a confirmation.

use std::path::Path;
use std::time::{Duration, SystemTime};

use crate::cli::CleanLogsArgs;
use crate::config::{self, Prompter};
use crate::error::{AppError, UsageError};
use crate::exit::ExitStatus;
use crate::ledger::tidy;
use crate::ui::report::logs::{CleanPreview, CleanReport, log_files_count};
use crate::ui::report::show;
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

pub fn run(args: CleanLogsArgs, printer: Printer) -> Result<ExitStatus, AppError> {
    let dir = &args.output.log_dir;
    let older_than = args
        .older_than
        .as_deref()
        .map(parse_age)
        .transpose()
        .map_err(UsageError::BadAge)?;
    if !dir.is_dir() {
        printer.info(&format!(
            "No log directory at {}: nothing to clean.",
            dir.display()
        ));
        return Ok(ExitStatus::Success);
    }
    let _lock = super::lock_logs(dir, "clean-logs", &printer)?;
    let files = tidy::log_files(dir).map_err(|e| AppError::Io(dir.clone(), e))?;
    let total = files.len();
    let doomed = tidy::doomed(files, args.keep.unwrap_or(0), older_than, SystemTime::now());
    let kept = total - doomed.len();
    if doomed.is_empty() || args.dry_run {
        let preview = CleanPreview {
            mode: "clean-logs",
            dry_run: args.dry_run,
            removed: Vec::new(),
            would_remove: doomed.iter().map(|p| p.display().to_string()).collect(),
            kept,
            dir: dir.display().to_string(),
        };
        show(&printer, &preview);
        return Ok(ExitStatus::Success);
    }
    if !args.yes && !confirm(dir, doomed.len(), kept)? {
        printer.info("Operation cancelled.");
        return Ok(ExitStatus::Success);
    }
    let (removed, failed) = tidy::remove(doomed);
    let report = CleanReport {
        mode: "clean-logs",
        dry_run: false,
        removed,
        failed,
        kept,
    };
    show(&printer, &report);
    if !printer.is_json() {
        for f in &report.failed {
            printer.warn(&format!("could not delete {f}"));
        }
    }
    Ok(ExitStatus::finished(report.failed.is_empty()))
}

/// Asks at a terminal; without one, a confirmation is required up front.
fn confirm(dir: &Path, doomed: usize, kept: usize) -> Result<bool, AppError> {
    if !super::interactive(false) {
        return Err(UsageError::NoConfirmation { what: "logs" }.into());
    }
    let mut prompter = TerminalPrompter;
    let p: &mut dyn Prompter = &mut prompter;
    let question = format!(
        "Delete {} from {} (keeping {kept})?",
        log_files_count(doomed),
        dir.display()
    );
    Ok(p.confirm(&question, false)
        .map_err(config::ConfigError::from)?)
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
