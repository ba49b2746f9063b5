//! `migrate orgs`: check an organization file (`--dry-run`), or send its organizations
//! and memberships to the instance the key opens.

use std::collections::BTreeSet;

use crate::cli::OrgsArgs;
use crate::config::{self, Prompter};
use crate::engine::Stop;
use crate::error::{AppError, UsageError};
use crate::event::Event;
use crate::exit::ExitStatus;
use crate::ledger::orgs::{self as orgs_log, OrgsDone};
use crate::ledger::{LedgerWriter, RunHeader};
use crate::orgs::check::{self, OrgPlan};
use crate::orgs::file::{self, Org};
use crate::orgs::members::{self, Members};
use crate::orgs::roles::RoleMap;
use crate::orgs::send::{self, Sender};
use crate::orgs::{OrgsError, invite, live, ready};
use crate::ui::report::orgs::{OrgsDryRunReport, OrgsReport, OrgsRun};
use crate::ui::report::show;
use crate::ui::{Printer, TerminalPrompter, progress};

pub async fn run(args: OrgsArgs, printer: Printer) -> Result<ExitStatus, AppError> {
    let roles = match &args.role_map {
        Some(spec) => RoleMap::parse(spec).map_err(UsageError::RoleMap)?,
        None => RoleMap::default(),
    };
    let (orgs, unreadable) = file::read(&args.file, args.transformer.into())?;
    let plan = check::check(&orgs, &roles);
    let file = args.file.display().to_string();
    let dry_run = OrgsDryRunReport::new(&plan, &unreadable, file, printer.is_verbose());
    if args.dry_run && !args.live {
        show(&printer, &dry_run);
        return Ok(ExitStatus::finished(dry_run.clean()));
    }
    warn_unreadable(&args, &unreadable, &printer);
    let mut terminal = TerminalPrompter;
    let interactive = super::interactive(args.yes) && !args.dry_run;
    let log_dir = &args.output.log_dir;
    let how = (orgs_log::COMMAND, interactive);
    let opened =
        super::open_instance(&args.connection, log_dir, how, &mut terminal, &printer).await?;
    let (target, c) = (&opened.target, &opened.connection);
    let (ready_orgs, refused) = split(orgs, &plan);
    let logs = crate::ledger::instance::import_logs_of(log_dir, &c.instance.id).0;
    let done = earlier_runs(log_dir, &c.instance.id, &printer);
    let api = (&c.client, &*c.pacer, &c.policy);
    if args.dry_run {
        let live = live::check(api, &ready_orgs, &roles, &done, &logs).await;
        let live = live.map_err(OrgsError::from)?;
        let report = dry_run.with_live(&live);
        show(&printer, &report);
        return Ok(ExitStatus::finished(report.clean()));
    }
    let instance_ready = ready::check(api.0, api.1, api.2, &ready_orgs, &roles).await;
    let instance_ready = instance_ready.map_err(OrgsError::from)?;
    let matched = match_members(api, &ready_orgs, &logs).await?;
    let where_to = super::instance_words(&c.instance);
    if interactive
        && !confirm(
            &mut terminal,
            &ready_orgs,
            &done,
            &matched,
            &where_to,
            &c.instance,
        )?
    {
        printer.info("Nothing sent.");
        return Ok(ExitStatus::Success);
    }
    let hourly = args.invitations.then(|| invite::Hourly::new(limits(&args)));
    announce_invitations(&args, &ready_orgs, &done, &printer);
    let work = Work {
        orgs: &ready_orgs,
        invitations: hourly.as_ref(),
        refused: &refused,
        roles: &roles,
        creator_role: &instance_ready.settings.creator_role,
        matched: &matched,
        done: &done,
    };
    let (summary, run) = execute(&args, c, target, work, &printer).await?;
    show(&printer, &OrgsReport::new(&summary, run));
    if let Some(status) = super::signals::signalled() {
        return Ok(status);
    }
    let invited = !args.invitations || summary.invitations.clean();
    let clean = summary.organizations.clean() && summary.memberships.clean() && invited;
    Ok(ExitStatus::finished(clean && unreadable.is_empty()))
}

/// Every member of `orgs` matched to a Clerk user: through `logs`, then by external_id.
async fn match_members(
    api: (
        &crate::clerk::ClerkClient,
        &crate::clerk::Pacer,
        &crate::clerk::RetryPolicy,
    ),
    orgs: &[Org],
    logs: &[std::path::PathBuf],
) -> Result<Members, AppError> {
    let wanted: BTreeSet<String> = orgs
        .iter()
        .flat_map(|o| o.members.iter().map(|m| m.user_id.clone()))
        .collect();
    let (client, pacer, policy) = api;
    let matched = members::resolve(client, pacer, policy, logs, &wanted).await;
    Ok(matched.map_err(OrgsError::from)?)
}

fn limits(args: &OrgsArgs) -> invite::Limits {
    invite::Limits {
        single_per_hour: args.invitations_per_hour,
        bulk_per_hour: args.bulk_invitations_per_hour,
    }
}

/// The invitations to send and the time Clerk's hourly limits make them take, said
/// before anything is sent.
fn announce_invitations(args: &OrgsArgs, orgs: &[Org], done: &OrgsDone, printer: &Printer) {
    let (plan, _) = invite::plan(orgs, done);
    if plan.to_send == 0 || printer.is_json() {
        return;
    }
    if !args.invitations {
        printer.info(&format!(
            "{} pending invitations are not sent (--invitations sends them; Clerk emails each invitee).",
            plan.to_send
        ));
        return;
    }
    let secs = plan.seconds(limits(args));
    printer.info(&format!(
        "{} pending invitations go after the memberships, in {} bulk and {} single requests: at Clerk's limits ({} single and {} bulk requests an hour) about {}. Ctrl-C stops; the same command sends the rest.",
        plan.to_send,
        plan.bulk_requests,
        plan.single_requests,
        args.invitations_per_hour,
        args.bulk_invitations_per_hour,
        crate::ui::duration_words(secs)
    ));
}

fn warn_unreadable(args: &OrgsArgs, unreadable: &[file::Unreadable], printer: &Printer) {
    if let Some(u) = unreadable.first() {
        printer.warn(&format!(
            "{} records of {} are not organizations (the first, record {}: {}); they are not sent (--dry-run lists them)",
            unreadable.len(),
            args.file.display(),
            u.position.row,
            u.reason
        ));
    }
}

/// What one run sends, and what it knows.
struct Work<'a> {
    orgs: &'a [Org],
    invitations: Option<&'a invite::Hourly>,
    refused: &'a [(String, String)],
    roles: &'a RoleMap,
    creator_role: &'a str,
    matched: &'a Members,
    done: &'a OrgsDone,
}

/// Opens the log, runs the engine with progress and signal handling, and closes the
/// log; returns the summary and what the report says besides.
async fn execute(
    args: &OrgsArgs,
    c: &super::Connection,
    target: &config::TargetSettings,
    work: Work<'_>,
    printer: &Printer,
) -> Result<(send::OrgsSummary, OrgsRun), AppError> {
    let ledger = open_log(args, &c.instance)?;
    let log_file = ledger.path().display().to_string();
    let reporter = progress::reporter_for(printer);
    let stop = Stop::default();
    let signal = super::signals::watch_signals(stop.clone(), reporter.clone());
    let sender = Sender {
        client: &c.client,
        pacer: &c.pacer,
        policy: &c.policy,
        roles: work.roles,
        creator_role: work.creator_role,
        members: &work.matched.clerk,
        done: work.done,
        workers: super::worker_count(target),
        stop: &stop,
        reporter: &*reporter,
        invitations: work.invitations,
    };
    let result = send::run(&sender, work.orgs, work.refused, ledger).await;
    let interrupted = super::signals::signalled().is_some();
    signal.abort();
    reporter.report(&Event::Finished);
    let summary = result.map_err(OrgsError::from)?;
    super::close_log(std::path::Path::new(&log_file), interrupted, printer);
    let run = OrgsRun {
        file: args.file.display().to_string(),
        instance: super::instance_words(&c.instance),
        from_logs: work.matched.from_logs,
        looked_up: work.matched.looked_up,
        log_file,
        interrupted,
    };
    Ok((summary, run))
}

/// The organizations the file's checks passed, and the others with their problems.
fn split(orgs: Vec<Org>, plan: &OrgPlan) -> (Vec<Org>, Vec<(String, String)>) {
    let mut refused: Vec<(String, String)> = Vec::new();
    for p in &plan.problems {
        match refused.iter_mut().find(|(id, _)| *id == p.org) {
            Some((_, why)) => {
                why.push_str("; ");
                why.push_str(&p.what);
            }
            None => refused.push((p.org.clone(), p.what.clone())),
        }
    }
    let bad: BTreeSet<&str> = refused.iter().map(|(id, _)| id.as_str()).collect();
    let ready = orgs.into_iter().filter(|o| !bad.contains(o.id.as_str()));
    (ready.collect(), refused)
}

/// What earlier orgs runs of this instance did; an unreadable log turns skipping off
/// for what it holds (a slug found again still stops a second create).
fn earlier_runs(dir: &std::path::Path, instance: &str, printer: &Printer) -> OrgsDone {
    let logs = orgs_log::logs_of(dir, instance);
    match orgs_log::done(&logs) {
        Ok(done) => done,
        Err(e) => {
            printer.warn(&format!(
                "the earlier orgs runs' logs in {} could not be read ({e}): their organizations are found again by slug",
                dir.display()
            ));
            OrgsDone::default()
        }
    }
}

fn confirm(
    p: &mut dyn Prompter,
    orgs: &[Org],
    done: &OrgsDone,
    matched: &Members,
    where_to: &str,
    instance: &crate::clerk::types::Instance,
) -> Result<bool, AppError> {
    let new = orgs
        .iter()
        .filter(|o| !done.organizations.contains_key(&o.id))
        .count();
    let memberships: usize = orgs.iter().map(|o| o.members.len()).sum();
    let missing = orgs
        .iter()
        .flat_map(|o| o.members.iter())
        .filter(|m| !matched.clerk.contains_key(&m.user_id))
        .count();
    let mut note = format!(
        "{} organizations ({} not created yet), {memberships} memberships.\n",
        orgs.len(),
        new
    );
    if missing > 0 {
        note.push_str(&format!(
            "{missing} memberships name users that are not in Clerk: they are reported, not sent.\n"
        ));
    }
    p.note(&note);
    let production = instance.environment_type == "production";
    let question = format!("Create the organizations and memberships in {where_to}?");
    Ok(p.confirm(&question, !production)
        .map_err(config::ConfigError::from)?)
}

/// The orgs log, with a header naming the file (and its hash) and the instance.
fn open_log(
    args: &OrgsArgs,
    instance: &crate::clerk::types::Instance,
) -> Result<LedgerWriter, AppError> {
    let file_sha =
        crate::files::sha256_hex(&args.file).map_err(|e| AppError::Io(args.file.clone(), e))?;
    let mut ledger = LedgerWriter::create(&args.output.log_dir, orgs_log::PREFIX)?;
    let mut header = RunHeader::new(orgs_log::COMMAND);
    header.file = Some(args.file.display().to_string());
    header.file_sha256 = Some(file_sha);
    header.instance = Some(instance.id.clone());
    header.environment = Some(instance.environment_type.clone());
    header.role_map = args.role_map.clone();
    header.transformer = Some(file::Shape::from(args.transformer).key().to_owned());
    ledger.append(&header)?;
    Ok(ledger)
}
