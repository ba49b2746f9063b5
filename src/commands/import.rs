//! `migrate` (import): resolve settings, read and map the file, then either report on it
//! (`--dry-run`) or send its users to Clerk.

use std::path::Path;

use crate::cli::ImportArgs;
use crate::config::{self, Context, DotEnv, ImportSettings};
use crate::error::AppError;
use crate::exit::ExitStatus;
use crate::ledger::{Entry, LedgerWriter, RunHeader};
use crate::prepare::{self, Item, PlanSummary, PrepareOptions};
use crate::transform::TransformContext;
use crate::ui::{Printer, TerminalPrompter, summary};
use crate::user::ValidateOptions;

pub async fn run(args: ImportArgs, printer: Printer) -> Result<ExitStatus, AppError> {
    let dotenv_path = Path::new(".env");
    let dotenv = DotEnv::load(dotenv_path).map_err(config::ConfigError::from)?;
    let mut terminal = TerminalPrompter;
    let interactive = super::interactive(args.yes);
    let mut ctx = Context {
        dotenv: &dotenv,
        prompter: if interactive {
            Some(&mut terminal)
        } else {
            None
        },
        dotenv_path,
    };
    let settings = config::resolve_import(&args, &mut ctx)?;
    if settings.dry_run {
        return dry_run(&settings, printer);
    }
    Err(AppError::NotImplemented("import"))
}

fn prepare_options(settings: &ImportSettings) -> PrepareOptions {
    PrepareOptions {
        transformer: settings.transformer,
        format: settings.format,
        context: TransformContext {
            firebase: settings.firebase.clone(),
        },
        validate: ValidateOptions {
            unverified: settings.unverified,
            require_password: settings.require_password,
        },
    }
}

/// The ledger line for a record that failed validation.
pub fn fail_entry(item: &Item) -> Option<Entry> {
    let Item::Invalid {
        position, problems, ..
    } = item
    else {
        return None;
    };
    let field = problems.first().map_or("record", |p| p.field.as_str());
    let error = problems
        .iter()
        .map(|p| p.message())
        .collect::<Vec<_>>()
        .join("; ");
    Some(Entry::fail(item.user_id(), position.row, field, error))
}

/// Whether an item is at or before the `--resume-after` user, which it then skips.
struct ResumeAfter {
    target: Option<String>,
    found: bool,
}

impl ResumeAfter {
    fn new(target: Option<String>) -> Self {
        Self {
            target,
            found: false,
        }
    }

    /// True when the item is to be skipped.
    fn skips(&mut self, item: &Item) -> bool {
        let Some(target) = &self.target else {
            return false;
        };
        if self.found {
            return false;
        }
        if item.user_id() == *target {
            self.found = true;
        }
        true
    }
}

fn dry_run(settings: &ImportSettings, printer: Printer) -> Result<ExitStatus, AppError> {
    let mut items = prepare::prepare(&settings.file, prepare_options(settings))?;
    let mut ledger = LedgerWriter::create(&settings.log_dir, "migration")?;
    let mut header = RunHeader::new("dry-run");
    header.file = Some(settings.file.display().to_string());
    header.transformer = Some(settings.transformer.key().to_owned());
    ledger.append(&header)?;
    let mut plan = PlanSummary::default();
    let mut resume = ResumeAfter::new(settings.resume_after.clone());
    let mut skipped = 0u64;
    for next in items.by_ref() {
        let (item, ignored) = next?;
        if resume.skips(&item) {
            skipped += 1;
            continue;
        }
        plan.add(&item, &ignored);
        if let Some(entry) = fail_entry(&item) {
            ledger.append(&entry)?;
        }
    }
    if let Some(target) = &resume.target
        && !resume.found
    {
        return Err(AppError::ResumeTargetMissing(target.clone()));
    }
    plan.short_rows = items.read_stats().short_rows;
    let transformer = settings.transformer.key();
    if printer.is_json() {
        let mut report =
            summary::plan_json(&plan, transformer, &settings.file, Some(ledger.path()));
        report["skipped"] = skipped.into();
        printer.data(&report.to_string());
    } else {
        if skipped > 0 {
            printer.info(&format!(
                "Resuming after {}: skipped {skipped} records.",
                resume.target.unwrap_or_default()
            ));
        }
        printer.info(&summary::plan_text(
            &plan,
            transformer,
            &settings.file,
            Some(ledger.path()),
        ));
    }
    Ok(if plan.invalid == 0 {
        ExitStatus::Success
    } else {
        ExitStatus::Incomplete
    })
}
