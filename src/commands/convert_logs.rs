//! `migrate convert-logs`: NDJSON logs to pretty JSON arrays, streaming, skipping (and
//! naming) lines that do not parse instead of giving up on the file.

use std::io::BufWriter;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use crate::cli::ConvertLogsArgs;
use crate::config::{self, Prompter};
use crate::error::{AppError, UsageError};
use crate::exit::ExitStatus;
use crate::ledger::convert::{self, Converted};
use crate::ui::report::logs::{ConvertReport, ConvertedFile};
use crate::ui::report::show;
use crate::ui::{Printer, TerminalPrompter};

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
    let Some(files) = pick(&args, &printer)? else {
        return Ok(ExitStatus::Success);
    };
    if args.stdout && files.len() != 1 {
        return Err(UsageError::StdoutNeedsOneLog.into());
    }
    let mut report = ConvertReport {
        mode: "convert-logs",
        files: Vec::new(),
    };
    for log in &files {
        let result = if args.stdout {
            let stdout = std::io::stdout();
            convert::convert_until(log, &mut BufWriter::new(stdout.lock()), stop)
        } else {
            convert::convert_to_file(log, stop)
        }
        .map_err(|e| AppError::Io(log.clone(), e))?;
        warn_skipped(log, &result, &printer);
        report.files.push(ConvertedFile {
            file: log.display().to_string(),
            output: (!args.stdout).then(|| convert::json_path(log).display().to_string()),
            entries: result.entries,
            skipped_lines: result.skipped,
        });
    }
    if !args.stdout {
        show(&printer, &report);
    }
    let any_skipped = report.files.iter().any(|f| !f.skipped_lines.is_empty());
    Ok(ExitStatus::finished(!any_skipped))
}

/// The logs to convert: those named, else every one with `--all`, else those picked at a
/// terminal. `None` when the directory holds none.
fn pick(args: &ConvertLogsArgs, printer: &Printer) -> Result<Option<Vec<PathBuf>>, AppError> {
    if !args.files.is_empty() {
        return Ok(Some(args.files.clone()));
    }
    let dir = &args.output.log_dir;
    let all: Vec<PathBuf> = crate::ledger::tidy::log_files(dir)
        .map(|v| v.into_iter().map(|(p, _)| p).collect())
        .unwrap_or_default();
    if all.is_empty() {
        printer.info(&format!(
            "No .log files in {}: nothing to convert.",
            dir.display()
        ));
        return Ok(None);
    }
    if args.all {
        return Ok(Some(all));
    }
    if !super::interactive(false) {
        return Err(UsageError::NoLogsNamed.into());
    }
    let items: Vec<String> = all.iter().map(|p| p.display().to_string()).collect();
    let mut prompter = TerminalPrompter;
    let p: &mut dyn Prompter = &mut prompter;
    let picked = p
        .multi_select(
            "Which logs should be converted? (space to pick, enter to go)",
            &items,
        )
        .map_err(config::ConfigError::from)?;
    Ok(Some(
        picked
            .into_iter()
            .filter_map(|i| all.get(i).cloned())
            .collect(),
    ))
}

fn warn_skipped(log: &std::path::Path, result: &Converted, printer: &Printer) {
    if result.skipped.is_empty() {
        return;
    }
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
