//! `migrate delete`: roll back what migrations created, after a preview and a
//! confirmation.

use std::path::Path;

use crate::cli::DeleteArgs;
use crate::config::{self, Prompter, TargetSettings};
use crate::delete::plan::{self, Narrow, Plan, PlanError};
use crate::delete::{self, DeleteSummary};
use crate::engine::Stop;
use crate::error::{AppError, UsageError};
use crate::event::Event;
use crate::exit::ExitStatus;
use crate::ledger::{LedgerWriter, RunHeader};
use crate::ui::report::delete::{DeletePreview, DeleteReport};
use crate::ui::report::show;
use crate::ui::{Printer, TerminalPrompter, progress};

pub async fn run(args: DeleteArgs, printer: Printer) -> Result<ExitStatus, AppError> {
    let mut terminal = TerminalPrompter;
    let interactive = super::interactive(args.yes);
    let log_dir = &args.output.log_dir;
    let how = ("delete", interactive);
    let opened =
        super::open_instance(&args.connection, log_dir, how, &mut terminal, &printer).await?;
    if args.orgs {
        return super::delete_orgs::run(&args, &opened, interactive, &mut terminal, &printer).await;
    }
    let (target, connection, _lock) = opened.into_parts();
    let instance_id = connection.instance.id.clone();
    let instance = &connection.instance;
    let where_to = super::instance_words(instance);

    // Who may be deleted: users this instance's import logs record as created.
    // `-f` narrows the users of every import of this instance.
    let narrow = narrow(&args)?;
    let all_runs = args.all_runs || narrow.is_some();
    let logs = super::logs_of_instance(&args.log, all_runs, log_dir, &instance.id, "delete")?;
    let (c, pacer, policy) = (&connection.client, &connection.pacer, &connection.policy);
    let mut plan = plan::plan(c, pacer, policy, &logs, log_dir, narrow).await?;
    warn_about(&plan, args.yes, &printer);
    if ask_signed_in(&plan, &args, interactive, &mut terminal)? {
        plan.include_signed_in();
    }

    let counts = plan.counts();
    if counts.to_delete == 0 || args.dry_run {
        show(
            &printer,
            &DeletePreview::new(&plan, counts, args.dry_run, where_to),
        );
        return Ok(ExitStatus::Success);
    }
    if !args.yes {
        let production = instance.environment_type == "production";
        let about = format!(
            "About to delete {} users from {where_to}, created by: {}",
            counts.to_delete,
            plan.sources.join(", ")
        );
        if !interactive {
            return Err(UsageError::NoConfirmation { what: "users" }.into());
        }
        if !confirm(
            &mut terminal,
            &about,
            (counts.to_delete, "users"),
            production,
        )? {
            printer.info("Deletion cancelled.");
            return Ok(ExitStatus::Success);
        }
    }

    let sources = plan.sources.clone();
    let (summary, log_file) = execute(connection, plan, &target, log_dir, &printer).await?;
    show(
        &printer,
        &DeleteReport::new(&summary, log_file, sources, where_to),
    );
    remind_orgs(log_dir, &instance_id, &printer);
    if let Some(status) = super::signals::signalled() {
        return Ok(status);
    }
    Ok(ExitStatus::finished(summary.failed == 0))
}

/// Deleting users leaves the organizations orgs runs created: said, with the command
/// that rolls them back, when the logs of this instance hold any.
fn remind_orgs(log_dir: &Path, instance: &str, printer: &Printer) {
    let logs = crate::ledger::orgs::logs_of(log_dir, instance);
    let gone = crate::ledger::orgs::rolled_back(log_dir, instance);
    let created = crate::ledger::orgs::created(&logs).map_or(0, |(orgs, _)| {
        orgs.iter().filter(|o| !gone.contains(&o.clerk_id)).count()
    });
    if created > 0 && !printer.is_json() {
        let dir = if log_dir == Path::new(crate::cli::DEFAULT_LOG_DIR) {
            String::new()
        } else {
            format!(
                " --log-dir {}",
                crate::ui::safe::shell_word(&log_dir.to_string_lossy())
            )
        };
        printer.info(&format!(
            "{created} organizations that orgs runs of this instance created are not rolled back; deleting users leaves them: `migrate delete --orgs{dir}` rolls them back."
        ));
    }
}

/// The export `-t` and `-f` narrow the rollback to.
fn narrow(args: &DeleteArgs) -> Result<Option<Narrow<'_>>, AppError> {
    match (&args.file, args.transformer) {
        (None, _) => Ok(None),
        (Some(file), Some(t)) => Ok(Some(Narrow {
            file,
            transformer: t.into(),
        })),
        (Some(_), None) => Err(UsageError::FileNeedsTransformer.into()),
    }
}

/// Whether to delete the users who signed in since their import too: real users now,
/// deleted only when asked for in so many words (`--include-signed-in` with `-y`, or a
/// question of its own that defaults to No).
fn ask_signed_in(
    plan: &Plan,
    args: &DeleteArgs,
    interactive: bool,
    terminal: &mut TerminalPrompter,
) -> Result<bool, AppError> {
    if plan.signed_in.is_empty() || args.dry_run {
        return Ok(false);
    }
    if args.yes {
        return Ok(args.include_signed_in);
    }
    if !interactive {
        return Ok(false);
    }
    let question = format!(
        "Also delete the {} users who have signed in since their import?",
        plan.signed_in.len()
    );
    Ok(prompt(terminal)
        .confirm(&question, false)
        .map_err(config::ConfigError::from)?)
}

fn prompt(terminal: &mut TerminalPrompter) -> &mut dyn Prompter {
    terminal
}

/// Unreadable log lines, and users who signed in since their import.
fn warn_about(plan: &Plan, yes: bool, printer: &Printer) {
    if printer.is_json() {
        return;
    }
    if plan.malformed_lines > 0 {
        printer.warn(&format!(
            "skipped {} unreadable log lines (e.g. torn by a crash)",
            plan.malformed_lines
        ));
    }
    if !plan.signed_in.is_empty() {
        let first: Vec<&str> = plan.signed_in.iter().take(5).map(String::as_str).collect();
        printer.warn(&format!(
            "{} of these users have signed in since their import ({}{}): they are left alone unless you confirm them separately{}",
            plan.signed_in.len(),
            first.join(", "),
            if plan.signed_in.len() > 5 { ", …" } else { "" },
            if yes { " with --include-signed-in" } else { "" }
        ));
    }
}

/// Asks before deleting `to_delete` of `what` (users, organizations): a production
/// instance wants the number typed back.
pub(super) fn confirm(
    terminal: &mut TerminalPrompter,
    about: &str,
    (to_delete, what): (u64, &str),
    production: bool,
) -> Result<bool, AppError> {
    let p = prompt(terminal);
    p.note(about);
    let confirmed = if production {
        let phrase = format!("delete {to_delete}");
        let question = format!("This is a production instance. Type \"{phrase}\" to confirm");
        let typed = p
            .input(&question, None, true)
            .map_err(config::ConfigError::from)?;
        typed.trim() == phrase
    } else {
        p.confirm(&format!("Delete {to_delete} {what}?"), false)
            .map_err(config::ConfigError::from)?
    };
    Ok(confirmed)
}

/// Writes the deletion log's header, runs the engine with progress and signal handling,
/// and closes the log.
async fn execute(
    connection: super::Connection,
    plan: Plan,
    target: &TargetSettings,
    log_dir: &Path,
    printer: &Printer,
) -> Result<(DeleteSummary, String), AppError> {
    let super::Connection {
        client,
        pacer,
        policy,
        instance,
    } = connection;
    let mut ledger = LedgerWriter::create(log_dir, "user-deletion")?;
    let mut header = RunHeader::new("delete");
    header.instance = Some(instance.id.clone());
    header.environment = Some(instance.environment_type.clone());
    header.file = Some(plan.sources.join(", "));
    ledger.append(&header)?;
    let log_file = ledger.path().to_owned();
    let reporter = progress::reporter_for_work(printer, progress::Job::Delete);
    reporter.report(&Event::Started {
        total: plan.checks.len() as u64,
        skipped: 0,
    });
    let stop = Stop::default();
    let signal = super::signals::watch_signals(stop.clone(), reporter.clone());
    let workers = super::worker_count(target);
    let summary = delete::run(
        client,
        pacer,
        policy,
        plan.checks,
        ledger,
        reporter.clone(),
        workers,
        stop,
    )
    .await?;
    signal.abort();
    reporter.report(&Event::Finished);
    drop(reporter);
    super::close_log(&log_file, summary.interrupted, printer);
    Ok((summary, log_file.display().to_string()))
}

impl From<delete::DeleteError> for AppError {
    fn from(e: delete::DeleteError) -> Self {
        match e {
            delete::DeleteError::Ledger(e) => AppError::Ledger(e),
            delete::DeleteError::Worker(e) => AppError::Task(e),
        }
    }
}

impl From<PlanError> for AppError {
    fn from(e: PlanError) -> Self {
        match e {
            PlanError::Logs(dir, e) => AppError::Io(dir, e),
            PlanError::Source(e) => AppError::Source(e),
            PlanError::Clerk(e) => AppError::Clerk(e),
        }
    }
}
