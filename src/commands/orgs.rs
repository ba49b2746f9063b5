//! `migrate orgs`: check an organization file (sending organizations comes next).

use crate::cli::OrgsArgs;
use crate::error::{AppError, UsageError};
use crate::exit::ExitStatus;
use crate::orgs::{check, file, roles::RoleMap};
use crate::ui::Printer;
use crate::ui::report::orgs::OrgsDryRunReport;
use crate::ui::report::show;

pub fn run(args: OrgsArgs, printer: Printer) -> Result<ExitStatus, AppError> {
    if !args.dry_run {
        return Err(UsageError::OrgsDryRunOnly.into());
    }
    let roles = match &args.role_map {
        Some(spec) => RoleMap::parse(spec).map_err(UsageError::RoleMap)?,
        None => RoleMap::default(),
    };
    let (orgs, unreadable) = file::read(&args.file)?;
    let plan = check::check(&orgs, &roles);
    let file = args.file.display().to_string();
    let report = OrgsDryRunReport::new(&plan, &unreadable, file, printer.is_verbose());
    show(&printer, &report);
    Ok(ExitStatus::finished(report.clean()))
}
