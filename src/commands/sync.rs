//! `migrate sync`: for now its dry run, what a newer export changes against what this
//! tool last sent to the instance the key opens (sending comes next).

use crate::cli::SyncArgs;
use crate::error::{AppError, UsageError};
use crate::exit::ExitStatus;
use crate::prepare::PrepareOptions;
use crate::sync::plan;
use crate::transform::TransformContext;
use crate::ui::report::show;
use crate::ui::report::sync::SyncPlanReport;
use crate::ui::{Printer, TerminalPrompter};
use crate::user::ValidateOptions;

pub async fn run(args: SyncArgs, printer: Printer) -> Result<ExitStatus, AppError> {
    if !args.dry_run {
        return Err(UsageError::SyncDryRunOnly.into());
    }
    let mut terminal = TerminalPrompter;
    let log_dir = &args.output.log_dir;
    let how = ("sync", false);
    let opened =
        super::open_instance(&args.connection, log_dir, how, &mut terminal, &printer).await?;
    let instance = &opened.connection.instance;
    let logs = crate::ledger::instance::import_logs_of(log_dir, &instance.id).0;
    let (bases, malformed) = plan::bases(&logs).map_err(|e| AppError::Io(log_dir.clone(), e))?;
    let options = PrepareOptions {
        transformer: args.transformer.into(),
        format: None,
        context: TransformContext::default(),
        validate: ValidateOptions::default(),
    };
    let mut p = plan::plan(&args.file, options, &bases)?;
    p.malformed_lines = malformed;
    let report = SyncPlanReport::new(
        &p,
        args.file.display().to_string(),
        super::instance_words(instance),
    );
    show(&printer, &report);
    Ok(ExitStatus::finished(p.invalid == 0))
}
