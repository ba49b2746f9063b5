//! `migrate delete`: roll back what migrations created, after a preview and a
//! confirmation.

use std::path::Path;

use serde_json::json;

use crate::cli::DeleteArgs;
use crate::config::{self, Prompter};
use crate::delete::{self, Check, select};
use crate::error::AppError;
use crate::event::Event;
use crate::exit::ExitStatus;
use crate::import::Stop;
use crate::ledger::{LedgerWriter, RunHeader};
use crate::prepare::{self, PrepareOptions};
use crate::transform::TransformContext;
use crate::ui::progress;
use crate::ui::{Printer, TerminalPrompter};
use crate::user::ValidateOptions;

pub async fn run(args: DeleteArgs, printer: Printer) -> Result<ExitStatus, AppError> {
    let dotenv = super::load_dotenv()?;
    let mut terminal = TerminalPrompter;
    let interactive = super::interactive(args.yes);
    let target = {
        let mut ctx = super::config_context(&dotenv, &mut terminal, interactive);
        config::resolve_target(&args.connection, &mut ctx)?
    };
    super::warn_if_key_typed(&args.connection, &printer);
    let _lock = super::lock_logs(&args.output.log_dir, "delete", &printer)?;
    let base_url = super::existing_instance(&target, "delete")?;
    let super::Connection {
        client,
        pacer,
        policy,
        instance,
    } = super::connect(&target, base_url).await?;
    let production = instance.environment_type == "production";
    let log_dir = &args.output.log_dir;

    // Who may be deleted: users this instance's import logs record as created.
    // `-f` narrows the users of every import of this instance.
    let logs = super::logs_of_instance(
        &args.log,
        args.all_runs || args.file.is_some(),
        log_dir,
        &instance.id,
        "delete",
    )?;
    let found = select::from_logs(&logs).map_err(|e| AppError::Io(log_dir.clone(), e))?;
    if found.malformed_lines > 0 && !printer.is_json() {
        printer.warn(&format!(
            "skipped {} unreadable log lines (e.g. torn by a crash)",
            found.malformed_lines
        ));
    }
    let (targets, sources) = match &args.file {
        Some(file) => {
            let transformer = args
                .transformer
                .ok_or(AppError::Usage("--file needs -t".to_owned()))?;
            let ids: std::collections::HashSet<String> =
                source_ids(file, transformer.into())?.into_iter().collect();
            let targets = found
                .targets
                .into_iter()
                .filter(|t| ids.contains(&t.external_id))
                .collect();
            (targets, vec![file.clone()])
        }
        None => (found.targets, logs),
    };
    let mut checks = delete::verify(&client, &pacer, &policy, targets).await?;
    // Users who signed in since their import are real users now: named, and deleted only
    // when asked for in so many words.
    let signed_in: Vec<String> = checks
        .iter()
        .filter_map(|c| match c {
            Check::SignedIn { target, .. } => Some(target.external_id.clone()),
            _ => None,
        })
        .collect::<std::collections::BTreeSet<String>>()
        .into_iter()
        .collect();
    if !signed_in.is_empty() && !printer.is_json() {
        let first: Vec<&str> = signed_in.iter().take(5).map(String::as_str).collect();
        printer.warn(&format!(
            "{} of these users have signed in since their import ({}{}): they are left alone unless you confirm them separately{}",
            signed_in.len(),
            first.join(", "),
            if signed_in.len() > 5 { ", …" } else { "" },
            if args.yes { " with --include-signed-in" } else { "" }
        ));
    }
    let include_signed_in = if signed_in.is_empty() || args.dry_run {
        false
    } else if args.yes {
        args.include_signed_in
    } else if interactive {
        let p: &mut dyn Prompter = &mut terminal;
        p.confirm(
            &format!(
                "Also delete the {} users who have signed in since their import?",
                signed_in.len()
            ),
            false,
        )
        .map_err(config::ConfigError::from)?
    } else {
        false
    };
    if include_signed_in {
        checks = checks.into_iter().map(Check::confirmed).collect();
    }
    let count = |f: fn(&Check) -> bool| checks.iter().filter(|c| f(c)).count() as u64;
    let to_delete = count(|c| matches!(c, Check::Delete(_)));
    let gone = count(|c| matches!(c, Check::NotFound(_)));
    let changed = count(|c| matches!(c, Check::Changed { .. } | Check::SignedIn { .. }));
    let sources: Vec<String> = sources.iter().map(|p| p.display().to_string()).collect();
    let where_to = format!("{} instance {}", instance.environment_type, instance.id);

    if to_delete == 0 || args.dry_run {
        if printer.is_json() {
            printer.data(
                &json!({
                    "mode": "delete", "dry_run": args.dry_run, "targets": checks.len(),
                    "to_delete": to_delete, "deleted": 0, "not_found": gone, "skipped": changed,
                    "failed": 0, "log_file": null, "sources": sources,
                    "signed_in_since": signed_in.len(),
                })
                .to_string(),
            );
        } else if to_delete == 0 {
            printer.info(&format!(
                "Nothing to delete in {where_to}: of {} users in {}, {gone} are already gone and {changed} were changed or signed in since and are left alone.",
                checks.len(),
                sources.join(", ")
            ));
        } else {
            printer.info(&format!(
                "Dry run: would delete {to_delete} users from {where_to} ({gone} already gone, {changed} left alone), created by: {}",
                sources.join(", ")
            ));
        }
        return Ok(ExitStatus::Success);
    }

    if !args.yes {
        if !interactive {
            return Err(AppError::Usage(
                "refusing to delete users without a confirmation: pass -y, or --dry-run to preview"
                    .to_owned(),
            ));
        }
        let p: &mut dyn Prompter = &mut terminal;
        p.note(&format!(
            "About to delete {to_delete} users from {where_to}, created by: {}",
            sources.join(", ")
        ));
        let confirmed = if production {
            let phrase = format!("delete {to_delete}");
            let typed = p
                .input(
                    &format!("This is a production instance. Type \"{phrase}\" to confirm"),
                    None,
                    true,
                )
                .map_err(config::ConfigError::from)?;
            typed.trim() == phrase
        } else {
            p.confirm(&format!("Delete {to_delete} users?"), false)
                .map_err(config::ConfigError::from)?
        };
        if !confirmed {
            printer.info("Deletion cancelled.");
            return Ok(ExitStatus::Success);
        }
    }

    let mut ledger = LedgerWriter::create(log_dir, "user-deletion")?;
    let mut header = RunHeader::new("delete");
    header.instance = Some(instance.id.clone());
    header.environment = Some(instance.environment_type.clone());
    header.file = Some(sources.join(", "));
    ledger.append(&header)?;
    let log_file = ledger.path().to_owned();
    let reporter = progress::reporter_for_work(&printer, progress::Work::Delete);
    reporter.report(&Event::Started {
        total: checks.len() as u64,
        skipped: 0,
    });
    let stop = Stop::default();
    let signal = super::signals::watch_signals(stop.clone(), reporter.clone());
    let workers = super::worker_count(&target);
    let summary = delete::run(
        client,
        pacer,
        policy,
        checks,
        ledger,
        reporter.clone(),
        workers,
        stop.clone(),
    )
    .await?;
    signal.abort();
    reporter.report(&Event::Finished);
    drop(reporter);
    super::import::close_log(&log_file, summary.interrupted, &printer);
    if printer.is_json() {
        printer.data(
            &json!({
                "mode": "delete", "dry_run": false, "targets": summary.targets, "deleted": summary.deleted,
                "not_found": summary.not_found, "skipped": summary.skipped, "failed": summary.failed,
                "not_started": summary.not_started(), "interrupted": summary.interrupted,
                "api_calls": summary.api_calls, "elapsed_secs": summary.elapsed_secs,
                "log_file": log_file.display().to_string(), "sources": sources,
                "errors": summary.errors.iter().map(|(m, c)| json!({"message": m, "count": c})).collect::<Vec<_>>(),
            })
            .to_string(),
        );
    } else {
        let mut text = format!(
            "Deleted {} of {} users from {where_to} ({} already gone, {} left alone, {} failed) in {:.1}s.\n",
            summary.deleted,
            summary.targets,
            summary.not_found,
            summary.skipped,
            summary.failed,
            summary.elapsed_secs
        );
        for (message, n) in &summary.errors {
            text.push_str(&format!("  {n:>6}  {message}\n"));
        }
        text.push_str(&format!("Deletion log: {}", log_file.display()));
        if summary.interrupted {
            text.push_str(&format!(
                "\nStopped with {} users not started: run the same command again to delete them.",
                summary.not_started()
            ));
        }
        printer.info(&text);
        printer.outcome(&format!(
            "deleted {} of {} ({} already gone, {} left alone, {} failed) · log {}",
            summary.deleted,
            summary.targets,
            summary.not_found,
            summary.skipped,
            summary.failed,
            log_file.display()
        ));
    }
    if let Some(status) = super::signals::signalled() {
        return Ok(status);
    }
    Ok(if summary.failed == 0 {
        ExitStatus::Success
    } else {
        ExitStatus::Incomplete
    })
}

/// The source user IDs of an export file.
fn source_ids(
    file: &Path,
    transformer: crate::transform::TransformerKind,
) -> Result<Vec<String>, AppError> {
    let options = PrepareOptions {
        transformer,
        format: None,
        context: TransformContext::default(),
        validate: ValidateOptions::default(),
    };
    let mut ids = Vec::new();
    for next in prepare::prepare(file, options)? {
        let (item, _) = next?;
        let id = item.user_id();
        if !id.starts_with("row-") {
            ids.push(id);
        }
    }
    Ok(ids)
}
