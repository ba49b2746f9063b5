//! `migrate verify --orgs`: which organizations (the orgs runs of this instance), against
//! which file (the one their log names, unchanged since, or the one given), then the
//! read-back and its report.

use std::path::{Path, PathBuf};

use crate::error::AppError;
use crate::exit::ExitStatus;
use crate::ledger::orgs::{self as orgs_log, OrgLine};
use crate::ledger::{LedgerWriter, RunHeader, Status};
use crate::orgs::roles::RoleMap;
use crate::orgs::{check, file};
use crate::ui::Printer;
use crate::ui::report::orgs::OrgsVerifyReport;
use crate::ui::report::show;
use crate::verify::orgs::{self as readback, OrgOutcome};

/// What was asked.
pub struct How<'a> {
    /// The organization file given, if any.
    pub file: Option<&'a Path>,
    /// Orgs logs named with `--log`.
    pub logs: &'a [PathBuf],
    pub log_dir: &'a Path,
    pub printer: &'a Printer,
}

impl<'a> How<'a> {
    /// What `--orgs` asks, when it is given.
    pub fn asked(args: &'a crate::cli::VerifyArgs, printer: &'a Printer) -> Option<Self> {
        Some(Self {
            file: args.orgs.as_ref()?.as_deref(),
            logs: &args.log,
            log_dir: &args.output.log_dir,
            printer,
        })
    }
}

pub async fn run(
    how: How<'_>,
    c: super::Connection,
    log: &std::sync::OnceLock<PathBuf>,
) -> Result<ExitStatus, AppError> {
    let logs = logs(&how, &c.instance.id)?;
    let header = logs
        .iter()
        .rev()
        .find_map(|p| crate::ledger::instance::header(p));
    let (path, roles) = source_of(how.file, header.as_ref())?;
    let shape = header
        .as_ref()
        .and_then(|h| h.transformer.as_deref())
        .map_or(file::Shape::Tool, file::Shape::from_key);
    let (orgs, _) = file::read(&path, shape)?;
    let roles = match roles {
        Some(spec) => RoleMap::parse(&spec).map_err(crate::error::UsageError::RoleMap)?,
        None => RoleMap::default(),
    };
    let plan = check::check(&orgs, &roles);
    let refused: std::collections::HashSet<&str> =
        plan.problems.iter().map(|p| p.org.as_str()).collect();
    let orgs: Vec<_> = orgs
        .iter()
        .filter(|o| !refused.contains(o.id.as_str()))
        .cloned()
        .collect();
    let done = orgs_log::done(&logs).map_err(|e| AppError::Io(how.log_dir.to_owned(), e))?;

    let mut ledger = LedgerWriter::create(how.log_dir, "verify")?;
    let mut run_header = RunHeader::new("verify-orgs");
    run_header.file = Some(path.display().to_string());
    run_header.instance = Some(c.instance.id.clone());
    run_header.environment = Some(c.instance.environment_type.clone());
    ledger.append(&run_header)?;
    let _ = log.set(ledger.path().to_owned());
    let api = (&c.client, &*c.pacer, &c.policy);
    let outcomes = readback::check(api, &orgs, &done, &roles).await?;
    for (org_id, outcome) in &outcomes {
        if let Some(line) = line_for(org_id, outcome) {
            ledger.append(&line)?;
        }
    }
    super::close_log(ledger.path(), false, how.printer);
    let report = OrgsVerifyReport::new(
        &outcomes,
        path.display().to_string(),
        super::instance_words(&c.instance),
        ledger.path().display().to_string(),
        how.printer.is_verbose(),
    );
    show(how.printer, &report);
    Ok(ExitStatus::finished(report.clean()))
}

/// The orgs logs of this instance: those named (each checked), else all of them.
fn logs(how: &How<'_>, instance: &str) -> Result<Vec<PathBuf>, AppError> {
    if !how.logs.is_empty() {
        for log in how.logs {
            crate::ledger::instance::check_orgs(log, instance)?;
        }
        return Ok(how.logs.to_vec());
    }
    let mine = orgs_log::logs_of(how.log_dir, instance);
    if mine.is_empty() {
        return Err(AppError::NoOrgsLogs {
            dir: how.log_dir.to_owned(),
            instance: instance.to_owned(),
        });
    }
    Ok(mine)
}

/// The file to compare with and the role map the run used: the given file, or the one
/// the latest orgs log names, refused when it changed since.
fn source_of(
    given: Option<&Path>,
    header: Option<&RunHeader>,
) -> Result<(PathBuf, Option<String>), AppError> {
    let role_map = header.and_then(|h| h.role_map.clone());
    if let Some(file) = given {
        return Ok((file.to_owned(), role_map));
    }
    let Some(named) = header.and_then(|h| h.file.clone()) else {
        return Err(crate::error::UsageError::LogsNameNoOrgsFile.into());
    };
    let file = PathBuf::from(named);
    let now = crate::files::sha256_hex(&file).map_err(|e| AppError::Io(file.clone(), e))?;
    if header
        .and_then(|h| h.file_sha256.as_deref())
        .is_some_and(|sha| sha != now)
    {
        return Err(AppError::SourceChanged(file));
    }
    Ok((file, role_map))
}

/// The verify log's line for an organization that is gone or differs.
fn line_for(org_id: &str, outcome: &OrgOutcome) -> Option<OrgLine> {
    match outcome {
        OrgOutcome::Missing { clerk_id } => {
            let mut line = OrgLine::organization(org_id, Status::Missing);
            line.clerk_org_id = Some(clerk_id.clone());
            Some(line)
        }
        OrgOutcome::Checked {
            clerk_id, fields, ..
        } if !fields.is_empty() => {
            let mut line = OrgLine::organization(org_id, Status::Drift);
            line.clerk_org_id = Some(clerk_id.clone());
            line.fields = Some(fields.clone());
            Some(line)
        }
        _ => None,
    }
}
