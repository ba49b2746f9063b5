//! `migrate runs`: the runs in the log directory, or one run's summary.

use serde_json::{Value, json};

use crate::cli::{OutputArgs, RunsArgs, RunsCommand};
use crate::error::AppError;
use crate::exit::ExitStatus;
use crate::ledger::runs::{self, Ending, RunSummary};
use crate::ui::Printer;

/// The output flags in force: the subcommand's when it has them.
pub fn output(args: &RunsArgs) -> &OutputArgs {
    match &args.show {
        Some(RunsCommand::Show { output, .. }) => output,
        None => &args.output,
    }
}

pub fn run(args: RunsArgs, printer: Printer) -> Result<ExitStatus, AppError> {
    if let Some(RunsCommand::Show { log, .. }) = &args.show {
        let s = runs::summarise(log).map_err(|e| AppError::Io(log.clone(), e))?;
        if printer.is_json() {
            printer.data(&json(&s, printer.is_verbose()).to_string());
        } else {
            // The result, so on stdout: `migrate runs show LOG | less` and `> file` work.
            printer.data(&show_text(&s, printer.is_verbose()));
        }
        return Ok(ExitStatus::Success);
    }
    let dir = &args.output.log_dir;
    let mut all = Vec::new();
    for log in runs::logs(dir) {
        all.push(runs::summarise(&log).map_err(|e| AppError::Io(log.clone(), e))?);
    }
    // File names carry the second a run started; headers carry the millisecond.
    all.sort_by(|a, b| {
        let at = |s: &RunSummary| s.header.as_ref().map(|h| h.started_at.clone());
        at(a).cmp(&at(b))
    });
    if printer.is_json() {
        let verbose = printer.is_verbose();
        printer.data(&Value::Array(all.iter().map(|s| json(s, verbose)).collect()).to_string());
    } else if all.is_empty() {
        printer.info(&format!("No runs in {}.", dir.display()));
    } else {
        printer.data(&list_text(&all));
    }
    Ok(ExitStatus::Success)
}

fn kind(s: &RunSummary) -> String {
    match s.command() {
        "dry-run" => "dry run".to_owned(),
        other => other.to_owned(),
    }
}

fn ending(s: &RunSummary) -> &'static str {
    match s.ending {
        Some(Ending::Finished) => "finished",
        Some(Ending::Interrupted) => "interrupted",
        _ => "no end (killed or running)",
    }
}

fn totals(s: &RunSummary) -> String {
    match s.command() {
        "delete" => format!(
            "{} deleted, {} already gone, {} left alone, {} failed",
            s.deleted, s.not_found, s.skipped, s.failed
        ),
        "verify" => format!(
            "{} drifted, {} missing, {} passwords failed",
            s.drifted, s.missing, s.password_failed
        ),
        "dry-run" => format!("{} invalid", s.invalid),
        _ => format!(
            "{} created, {} existing, {} failed, {} invalid, {} skipped",
            s.created, s.already_exists, s.failed, s.invalid, s.skipped
        ),
    }
}

fn list_text(all: &[RunSummary]) -> String {
    let mut out = String::new();
    for s in all {
        let h = s.header.as_ref();
        let started = h.map_or("?", |h| h.started_at.as_str());
        let file = h
            .and_then(|h| h.file.as_deref())
            .map(|f| {
                std::path::Path::new(f)
                    .file_name()
                    .map_or(f.to_owned(), |n| n.to_string_lossy().into_owned())
            })
            .unwrap_or_default();
        let transformer = h.and_then(|h| h.transformer.as_deref()).unwrap_or("");
        let instance = match (
            h.and_then(|h| h.instance.as_deref()),
            h.and_then(|h| h.environment.as_deref()),
        ) {
            (Some(i), Some(e)) => format!(" → {e} {i}"),
            (Some(i), None) => format!(" → {i}"),
            _ => String::new(),
        };
        let duration = s
            .duration_secs()
            .map(|d| format!(", {d:.1}s"))
            .unwrap_or_default();
        out.push_str(&format!(
            "{started}  {:<8} {file} ({transformer}){instance}\n    {}{duration}, {}; {}\n",
            kind(s),
            totals(s),
            ending(s),
            s.log_file.display()
        ));
    }
    out
}

/// The errors a report may show: with `--verbose` as logged, values included; without,
/// grouped by reason alone (the values are personal data, kept in the private log).
fn shown_errors(s: &RunSummary, verbose: bool) -> &[(String, u64)] {
    if verbose { &s.errors } else { &s.problems }
}

fn show_text(s: &RunSummary, verbose: bool) -> String {
    let mut out = list_text(std::slice::from_ref(s));
    if !s.errors.is_empty() {
        out.push_str("\nErrors by reason:\n");
        for (message, n) in shown_errors(s, verbose).iter().take(20) {
            out.push_str(&format!("  {n:>6}  {message}\n"));
        }
    }
    if s.malformed_lines > 0 {
        out.push_str(&format!(
            "\n{} unreadable lines skipped (a torn line from a crash).\n",
            s.malformed_lines
        ));
    }
    out
}

fn json(s: &RunSummary, verbose: bool) -> Value {
    let h = s.header.as_ref();
    json!({
        "log_file": s.log_file.display().to_string(),
        "command": s.command(),
        "started_at": h.map(|h| &h.started_at),
        "file": h.and_then(|h| h.file.as_ref()),
        "transformer": h.and_then(|h| h.transformer.as_ref()),
        "instance": h.and_then(|h| h.instance.as_ref()),
        "environment": h.and_then(|h| h.environment.as_ref()),
        "total": s.total(),
        "created": s.created,
        "already_exists": s.already_exists,
        "failed": s.failed,
        "invalid": s.invalid,
        "skipped": s.skipped,
        "deleted": s.deleted,
        "finished": s.ending == Some(Ending::Finished),
        "interrupted": s.ending == Some(Ending::Interrupted),
        "duration_secs": s.duration_secs(),
        "errors": shown_errors(s, verbose).iter().map(|(m, n)| json!({"message": m, "count": n})).collect::<Vec<_>>(),
    })
}
