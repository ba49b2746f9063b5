//! `migrate delete --orgs`: roll back the organizations orgs runs of this instance
//! created, after a preview and a confirmation.

use crate::cli::DeleteArgs;
use crate::delete::orgs::{self as rollback, OrgCheck, OrgsDeleteSummary};
use crate::engine::Stop;
use crate::error::{AppError, UsageError};
use crate::event::Event;
use crate::exit::ExitStatus;
use crate::ledger::orgs as orgs_log;
use crate::ledger::{LedgerWriter, RunHeader};
use crate::ui::report::orgs::OrgsDeleteReport;
use crate::ui::report::show;
use crate::ui::{Printer, TerminalPrompter, progress};

pub async fn run(
    args: &DeleteArgs,
    opened: &super::Opened,
    interactive: bool,
    terminal: &mut TerminalPrompter,
    printer: &Printer,
) -> Result<ExitStatus, AppError> {
    let c = &opened.connection;
    let log_dir = &args.output.log_dir;
    let logs = logs(args, log_dir, &c.instance.id)?;
    let (targets, malformed) =
        orgs_log::created(&logs).map_err(|e| AppError::Io(log_dir.clone(), e))?;
    if malformed > 0 {
        printer.warn(&format!(
            "skipped {malformed} unreadable log lines (e.g. torn by a crash)"
        ));
    }
    let checks = rollback::check(&c.client, &c.pacer, &c.policy, targets).await?;
    let to_delete = checks
        .iter()
        .filter(|c| matches!(c, OrgCheck::Delete(_)))
        .count() as u64;
    let where_to = super::instance_words(&c.instance);
    if to_delete == 0 || args.dry_run {
        let summary = preview(&checks);
        show(
            printer,
            &OrgsDeleteReport::new(&summary, to_delete, args.dry_run, where_to, None),
        );
        return Ok(ExitStatus::Success);
    }
    let production = c.instance.environment_type == "production";
    if !args.yes && !ask(terminal, interactive, to_delete, &where_to, production)? {
        printer.info("Deletion cancelled.");
        return Ok(ExitStatus::Success);
    }
    let (summary, log) = execute(opened, checks, log_dir, printer).await?;
    show(
        printer,
        &OrgsDeleteReport::new(&summary, to_delete, false, where_to, Some(log)),
    );
    if let Some(status) = super::signals::signalled() {
        return Ok(status);
    }
    Ok(ExitStatus::finished(
        summary.failed == 0 && summary.not_started == 0,
    ))
}

/// Whether the person confirms; without a terminal, a rollback needs `-y`.
fn ask(
    terminal: &mut TerminalPrompter,
    interactive: bool,
    to_delete: u64,
    where_to: &str,
    production: bool,
) -> Result<bool, AppError> {
    if !interactive {
        let what = "organizations";
        return Err(UsageError::NoConfirmation { what }.into());
    }
    let about = format!(
        "About to delete {to_delete} organizations, with their memberships, from {where_to}"
    );
    super::delete::confirm(terminal, &about, (to_delete, "organizations"), production)
}

/// Writes the deletion log's header, runs the engine with progress and signal handling,
/// and closes the log.
async fn execute(
    opened: &super::Opened,
    checks: Vec<OrgCheck>,
    log_dir: &std::path::Path,
    printer: &Printer,
) -> Result<(OrgsDeleteSummary, String), AppError> {
    let c = &opened.connection;
    let mut ledger = LedgerWriter::create(log_dir, orgs_log::DELETION_PREFIX)?;
    let mut header = RunHeader::new(orgs_log::DELETION_COMMAND);
    header.instance = Some(c.instance.id.clone());
    header.environment = Some(c.instance.environment_type.clone());
    ledger.append(&header)?;
    let log_file = ledger.path().to_owned();
    let reporter = progress::reporter_for_work(printer, progress::Job::Delete);
    reporter.report(&Event::Started {
        total: checks.len() as u64,
        skipped: 0,
    });
    let stop = Stop::default();
    let signal = super::signals::watch_signals(stop.clone(), reporter.clone());
    let workers = super::worker_count(&opened.target);
    let api = (&c.client, &*c.pacer, &c.policy);
    let result = rollback::run(api, checks, ledger, &*reporter, workers, &stop).await;
    signal.abort();
    reporter.report(&Event::Finished);
    let summary = result?;
    let interrupted = super::signals::signalled().is_some();
    super::close_log(&log_file, interrupted, printer);
    Ok((summary, log_file.display().to_string()))
}

/// The orgs logs to roll back: those named with `--log` (each refused by name unless
/// it is an orgs log of this instance), else every orgs run of this instance.
fn logs(
    args: &DeleteArgs,
    dir: &std::path::Path,
    instance: &str,
) -> Result<Vec<std::path::PathBuf>, AppError> {
    if !args.log.is_empty() {
        for log in &args.log {
            crate::ledger::instance::check_orgs(log, instance)?;
        }
        return Ok(args.log.clone());
    }
    let mine = orgs_log::logs_of(dir, instance);
    if mine.is_empty() {
        return Err(AppError::NoOrgsLogs {
            dir: dir.to_owned(),
            instance: instance.to_owned(),
        });
    }
    Ok(mine)
}

/// The checks' counts, before anything is deleted.
fn preview(checks: &[OrgCheck]) -> OrgsDeleteSummary {
    let mut s = OrgsDeleteSummary {
        targets: checks.len() as u64,
        ..OrgsDeleteSummary::default()
    };
    for c in checks {
        match c {
            OrgCheck::NotFound(_) => s.not_found += 1,
            OrgCheck::Changed { .. } | OrgCheck::InUse { .. } => s.left_alone += 1,
            OrgCheck::Delete(_) => {}
        }
    }
    s
}
