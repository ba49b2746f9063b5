//! `migrate runs`: the runs in the log directory, or one run's summary.

use crate::cli::{OutputArgs, RunsArgs, RunsCommand};
use crate::error::AppError;
use crate::exit::ExitStatus;
use crate::ledger::runs::{self, RunSummary};
use crate::ui::Printer;
use crate::ui::report::runs::{RunList, RunReport};
use crate::ui::report::show;

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
        // The result, so on stdout: `migrate runs show LOG | less` and `> file` work.
        show(&printer, &RunReport::new(&s, printer.is_verbose()));
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
    if all.is_empty() && !printer.is_json() {
        printer.info(&format!("No runs in {}.", dir.display()));
    } else {
        show(&printer, &RunList::new(&all, printer.is_verbose()));
    }
    Ok(ExitStatus::Success)
}
