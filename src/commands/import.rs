//! `migrate` (import): resolve settings, read and map the file, then either report on it
//! (`--dry-run`) or send its users to Clerk.

use std::io::Read;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use secrecy::ExposeSecret;
use sha2::{Digest, Sha256};
use tokio::sync::mpsc;

use crate::clerk::paced::{Unrecorded, paced};
use crate::cli::ImportArgs;
use crate::config::{self, Endpoint, ImportSettings, Prompter, TargetSettings};
use crate::error::AppError;
use crate::event::Event;
use crate::exit::ExitStatus;
use crate::import::{self, ImportOptions, ResumeState, Stop, Work};
use crate::ledger::{Entry, LedgerWriter, RunHeader};
use crate::prepare::parallel::PlanError;
use crate::prepare::{self, Item, PlanSummary, PrepareOptions};
use crate::sandbox::{self, SandboxConfig, SandboxHandle};
use crate::source::SourceError;
use crate::transform::TransformContext;
use crate::transform::auth0_passwords::Auth0Passwords;
use crate::ui::progress;
use crate::ui::{Printer, TerminalPrompter, summary};
use crate::user::ValidateOptions;

/// Clerk's development instances hold at most this many users (`bapi-contract.md` §13).
const DEV_USER_CAP: u64 = 100;

pub async fn run(args: ImportArgs, printer: Printer) -> Result<ExitStatus, AppError> {
    let dotenv = super::load_dotenv()?;
    let mut terminal = TerminalPrompter;
    let interactive = super::interactive(args.yes);
    let mut ctx = super::config_context(&dotenv, &mut terminal, interactive);
    let settings = config::resolve_import(&args, &mut ctx)?;
    prepare::require_records(&settings.file, settings.format, settings.transformer)?;
    super::warn_if_key_typed(&args.connection, &printer);
    if settings.detected && !printer.is_json() {
        printer.info(&format!(
            "{} is a {} export: using -t {}",
            settings.file.display(),
            settings.transformer.label(),
            settings.transformer.key()
        ));
    }
    let _lock = super::lock_logs(
        &settings.log_dir,
        if settings.dry_run {
            "dry-run"
        } else {
            "import"
        },
        &printer,
    )?;
    let context = TransformContext {
        firebase: settings.firebase.clone(),
        auth0_passwords: match &settings.auth0_passwords {
            Some(path) => Some(Arc::new(Auth0Passwords::load(path)?)),
            None => None,
        },
    };
    if settings.dry_run {
        if settings.live {
            return live_dry_run(&settings, &context, printer).await;
        }
        return dry_run(&settings, &context, printer, None);
    }
    let prompter: Option<&mut dyn Prompter> = if interactive {
        Some(&mut terminal)
    } else {
        None
    };
    import(settings, context, printer, prompter).await
}

fn prepare_options(settings: &ImportSettings, context: &TransformContext) -> PrepareOptions {
    PrepareOptions {
        transformer: settings.transformer,
        format: settings.format,
        context: context.clone(),
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
    // The same without the offending values, for reports shown without --verbose.
    let problem = problems
        .iter()
        .map(|p| format!("{}: {}", p.field, p.reason))
        .collect::<Vec<_>>()
        .join("; ");
    let mut entry = Entry::fail(item.user_id(), position.row, field, error);
    entry.problem = Some(problem);
    Some(entry)
}

/// Skips records up to and including the `--resume-after` user.
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

    fn check(&self) -> Result<(), AppError> {
        match &self.target {
            Some(t) if !self.found => Err(AppError::ResumeTargetMissing(t.clone())),
            _ => Ok(()),
        }
    }
}

/// Reads the whole file once: the plan, and how many records `--resume-after` skips.
fn plan(
    settings: &ImportSettings,
    context: &TransformContext,
    done: Option<&ResumeState>,
    inspect: &mut dyn FnMut(u64, &crate::user::Prepared),
) -> Result<(PlanSummary, u64, u64), AppError> {
    let mut items = prepare::prepare(&settings.file, prepare_options(settings, context))?;
    let mut plan = PlanSummary::default();
    let mut resume = ResumeAfter::new(settings.resume_after.clone());
    let (mut cut, mut already) = (0, 0);
    for next in items.by_ref() {
        let (item, ignored) = next?;
        if resume.skips(&item) {
            cut += 1;
            continue;
        }
        if let Item::Ready { prepared, position } = &item {
            if done.is_some_and(|state| state.done.contains(&prepared.external_id)) {
                already += 1;
            } else {
                inspect(position.row, prepared);
            }
        }
        plan.add(&item, &ignored);
    }
    resume.check()?;
    plan.short_rows = items.read_stats().short_rows;
    Ok((plan, cut, already))
}

/// `--dry-run --live`: the offline report, plus what the instance would do with each
/// ready user, asked read-only.
async fn live_dry_run(
    settings: &ImportSettings,
    context: &TransformContext,
    printer: Printer,
) -> Result<ExitStatus, AppError> {
    let Some(target) = settings.target.clone() else {
        return dry_run(settings, context, printer, None);
    };
    let mut candidates = Vec::new();
    for next in prepare::prepare(&settings.file, prepare_options(settings, context))? {
        if let (Item::Ready { position, prepared }, _) = next? {
            candidates.push(crate::preflight::Candidate::of(position.row, &prepared));
        }
    }
    let (base_url, sandbox) = endpoint(&target).await?;
    let connection = super::connect(&target, &base_url).await?;
    let live = crate::preflight::Live {
        client: &connection.client,
        pacer: &connection.pacer,
        policy: &connection.policy,
        instance: &connection.instance,
    };
    let report = crate::preflight::run(&live, &candidates, None)
        .await
        .map_err(AppError::Clerk)?;
    if let Some(handle) = sandbox {
        handle.stop().await;
    }
    dry_run(settings, context, printer, Some(&report))
}

fn dry_run(
    settings: &ImportSettings,
    context: &TransformContext,
    printer: Printer,
    live: Option<&crate::preflight::Report>,
) -> Result<ExitStatus, AppError> {
    let mut items = prepare::prepare(&settings.file, prepare_options(settings, context))?;
    let mut ledger = LedgerWriter::create(&settings.log_dir, "migration")?;
    let mut header = RunHeader::new("dry-run");
    header.file = Some(settings.file.display().to_string());
    header.transformer = Some(settings.transformer.key().to_owned());
    ledger.append(&header)?;
    let mut resume = ResumeAfter::new(settings.resume_after.clone());
    let mut skipped = 0u64;
    let plan = if resume.target.is_none() {
        // Without a position to resume from, order does not matter until the merge:
        // the whole file is checked on every core.
        drop(items);
        let mut write = |item: &Item| match fail_entry(item) {
            Some(entry) => ledger.append(&entry),
            None => Ok(()),
        };
        prepare::parallel::plan_file(
            &settings.file,
            &prepare_options(settings, context),
            &mut write,
        )
        .map_err(|e| match e {
            PlanError::Source(e) => AppError::Source(e),
            PlanError::Handler(e) => AppError::Ledger(e),
        })?
    } else {
        let mut plan = PlanSummary::default();
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
        resume.check()?;
        plan.short_rows = items.read_stats().short_rows;
        plan
    };
    if let Some(live) = live {
        for (row, user_id, verdict) in &live.verdicts {
            use crate::ledger::Status;
            use crate::preflight::Verdict;
            let mut entry = Entry::new(
                user_id.clone(),
                match verdict {
                    Verdict::Create => Status::WouldCreate,
                    Verdict::Exists { .. } => Status::Exists,
                    Verdict::Conflict { .. } => Status::Conflict,
                    Verdict::Refuse { .. } => Status::WouldRefuse,
                },
            );
            entry.row = Some(*row);
            match verdict {
                Verdict::Exists { clerk_id } => entry.clerk_user_id = Some(clerk_id.clone()),
                Verdict::Conflict { field, clerk_id } => {
                    entry.clerk_user_id = Some(clerk_id.clone());
                    entry.reason = Some(format!("{field} held by another user"));
                }
                Verdict::Refuse { reason } => entry.reason = Some(reason.clone()),
                Verdict::Create => {}
            }
            ledger.append(&entry)?;
        }
    }
    let transformer = settings.transformer.key();
    let merge = context.auth0_passwords.as_ref().map(|p| p.report());
    if printer.is_json() {
        let mut report =
            summary::plan_json(&plan, transformer, &settings.file, Some(ledger.path()));
        report["skipped"] = (skipped + plan.skipped).into();
        if let Some(live) = live {
            report["live"] = live.json();
        }
        if let Some(m) = &merge {
            report["auth0_passwords"] = summary::auth0_merge_json(m);
        }
        if printer.is_verbose() {
            report["invalid_records"] = summary::invalid_records_json(&plan);
        }
        printer.data(&report.to_string());
    } else {
        if skipped > 0 {
            printer.info(&format!(
                "Resuming after {}: skipped {skipped} records.",
                resume.target.unwrap_or_default()
            ));
        }
        if let Some(m) = &merge {
            printer.info(&summary::auth0_merge_text(m));
        }
        printer.info(&summary::plan_text(
            &plan,
            transformer,
            &settings.file,
            Some(ledger.path()),
            printer.is_verbose(),
        ));
        if let Some(live) = live {
            printer.info(&summary::live_text(live));
        }
        printer.outcome(&format!(
            "dry run: {} users, {} ready, {} invalid, {} skipped · log {}",
            plan.total,
            plan.ready,
            plan.invalid,
            plan.skipped + skipped,
            ledger.path().display()
        ));
    }
    close_log(ledger.path(), false, &printer);
    Ok(if plan.invalid == 0 {
        ExitStatus::Success
    } else {
        ExitStatus::Incomplete
    })
}

/// Ends a run's log with its closing line, so `migrate runs` can tell a finished run from
/// a crashed one. A failure here costs only that line: warned about, never fatal.
pub(crate) fn close_log(path: &Path, interrupted: bool, printer: &Printer) {
    if let Err(e) = crate::ledger::runs::close(path, interrupted) {
        printer.warn(&format!("could not close the log {}: {e}", path.display()));
    }
}

pub(crate) fn sha256_file(path: &Path) -> std::io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// Starts the embedded sandbox when asked; returns it with the base URL to use.
async fn endpoint(target: &TargetSettings) -> Result<(String, Option<SandboxHandle>), AppError> {
    match &target.endpoint {
        Endpoint::Url(url) => Ok((url.clone(), None)),
        Endpoint::Sandbox => {
            let config = SandboxConfig {
                secret_key: target.key.for_client().expose_secret().to_owned(),
                ..SandboxConfig::default()
            };
            let addr = SocketAddr::from(([127, 0, 0, 1], 0));
            let handle =
                sandbox::spawn(config, addr)
                    .await
                    .map_err(|source| AppError::SandboxBind {
                        addr: addr.to_string(),
                        embedded: true,
                        source,
                    })?;
            Ok((handle.base_url(), Some(handle)))
        }
    }
}

/// What an import learns before its first create.
struct Setup {
    connection: super::Connection,
    user_settings: Result<serde_json::Value, String>,
    /// The instance's user count, asked with the rest when the key is a development one.
    existing: Option<u64>,
}

/// Asks which instance the key opens, its sign-up settings and (for a development key,
/// whose instance holds at most `DEV_USER_CAP` users) how many users it has, all at
/// once: none waits on another, and at 300 ms a round trip each, one after the other
/// they cost the run a second.
async fn setup(target: &TargetSettings, base_url: &str) -> Result<Setup, AppError> {
    let api = super::Api::open(target, base_url)?;
    let development = target.key.kind() == crate::config::secret::InstanceKind::Development;
    let count = async {
        if !development {
            return Ok(None);
        }
        let query = Default::default();
        let n = paced(&api.pacer, &api.policy, &Unrecorded, || {
            api.client.count_users(&query)
        })
        .await?;
        Ok::<_, AppError>(Some(n))
    };
    let mut calls = 0;
    let settings = async {
        Ok(
            crate::preflight::sign_up_settings(&api.client, &api.pacer, &api.policy, &mut calls)
                .await,
        )
    };
    // The first failure ends the others: an instance that cannot be reached is said at
    // once, not after the other calls have spent their retries.
    let (instance, user_settings, existing) = tokio::try_join!(api.instance(), settings, count)?;
    Ok(Setup {
        connection: api.with(instance),
        user_settings,
        existing,
    })
}

async fn import(
    settings: ImportSettings,
    context: TransformContext,
    printer: Printer,
    prompter: Option<&mut dyn Prompter>,
) -> Result<ExitStatus, AppError> {
    let Some(target) = settings.target.clone() else {
        return dry_run(&settings, &context, printer, None);
    };
    let (base_url, sandbox) = endpoint(&target).await?;
    let Setup {
        connection:
            super::Connection {
                client,
                pacer,
                policy,
                instance,
            },
        user_settings,
        existing,
    } = setup(&target, &base_url).await?;
    let production = instance.environment_type == "production";
    let where_to = if sandbox.is_some() {
        format!("the embedded sandbox ({})", instance.environment_type)
    } else {
        format!(
            "{} instance {} at {base_url}",
            instance.environment_type, instance.id
        )
    };

    let file_sha = sha256_file(&settings.file).map_err(|e| {
        AppError::Source(SourceError {
            path: settings.file.clone(),
            kind: e.into(),
        })
    })?;
    let resume_state = if settings.resume {
        import::resume::load(&settings.log_dir, &file_sha, &instance.id).unwrap_or_default()
    } else {
        ResumeState::default()
    };
    // The sign-up settings, read before the first create; and with --preflight or at a
    // terminal, the users looked up in the instance.
    let live = crate::preflight::Live {
        client: &client,
        pacer: &pacer,
        policy: &policy,
        instance: &instance,
    };
    let lookups = settings.preflight || prompter.is_some();
    let mut candidates = Vec::new();
    let mut refused: std::collections::BTreeMap<String, u64> = Default::default();
    let mut checked = 0u64;
    let (plan, cut, already) = plan(
        &settings,
        &context,
        Some(&resume_state),
        &mut |row, prepared| {
            let c = crate::preflight::Candidate::of(row, prepared);
            if let Ok(s) = &user_settings {
                checked += 1;
                if let Some(reason) = crate::preflight::refusal(s, &c) {
                    *refused.entry(reason).or_default() += 1;
                }
            }
            if lookups {
                candidates.push(c);
            }
        },
    )?;
    let refused_total: u64 = refused.values().sum();
    if checked > 0
        && refused_total == checked
        && let Some((reason, _)) = refused.iter().max_by_key(|(_, n)| **n)
    {
        return Err(AppError::RefusedBySettings {
            users: checked,
            reason: reason.clone(),
            hint: crate::preflight::dashboard_hint(reason),
        });
    }
    match &user_settings {
        Err(e) => printer.warn(&format!(
            "the instance's sign-up settings could not be read ({e}); Clerk applies them as users are sent"
        )),
        Ok(_) => {
            for (reason, n) in &refused {
                printer.warn(&format!(
                    "{n} users will likely be refused by the instance's settings: {reason} ({})",
                    crate::preflight::dashboard_hint(reason)
                ));
            }
        }
    }
    let preflight = if lookups && !candidates.is_empty() {
        Some(
            crate::preflight::run(&live, &candidates, Some(user_settings.clone()))
                .await
                .map_err(AppError::Clerk)?,
        )
    } else {
        None
    };
    drop(candidates);
    let settled: std::collections::HashMap<String, crate::ledger::Entry> = preflight
        .iter()
        .flat_map(|r| r.verdicts.iter())
        .filter_map(|(row, user_id, verdict)| {
            crate::preflight::settled_entry(verdict, user_id, *row).map(|e| (user_id.clone(), e))
        })
        .collect();
    let settled = Arc::new(settled);
    let merge = context.auth0_passwords.as_ref().map(|p| p.report());
    if let Some(m) = &merge
        && !printer.is_json()
    {
        printer.info(&summary::auth0_merge_text(m));
    }
    let to_create = plan
        .ready
        .saturating_sub(already)
        .saturating_sub(settled.len() as u64);
    if !production {
        let existing = match existing {
            Some(n) => n,
            None => {
                let query = Default::default();
                paced(&pacer, &policy, &Unrecorded, || client.count_users(&query)).await?
            }
        };
        if existing + to_create > DEV_USER_CAP {
            return Err(AppError::DevCapExceeded {
                existing,
                to_create,
                cap: DEV_USER_CAP,
            });
        }
    }

    if let Some(p) = prompter {
        let mut note = summary::readiness_text(
            &plan,
            settings.transformer.key(),
            &settings.file,
            printer.is_verbose(),
        );
        if let Some(report) = &preflight {
            note.push_str(&summary::live_text(report));
        }
        if already > 0 {
            note.push_str(&format!(
                "\nAn earlier run of this file against this instance created {already} of these users: they are skipped (--no-resume looks them up again instead).\n"
            ));
        }
        p.note(&note);
        let question = if already > 0 {
            format!(
                "Import the {to_create} users not imported yet into {where_to} ({already} already are)?"
            )
        } else {
            format!("Import {to_create} users into {where_to}?")
        };
        // Production is where mistakes are expensive: the safe answer is the default.
        if !p
            .confirm(&question, !production)
            .map_err(config::ConfigError::from)?
        {
            printer.info("Migration cancelled.");
            return Ok(ExitStatus::Success);
        }
    }

    let mut ledger = LedgerWriter::create(&settings.log_dir, "migration")?;
    let mut header = RunHeader::new("import");
    header.file = Some(settings.file.display().to_string());
    header.file_sha256 = Some(file_sha);
    header.transformer = Some(settings.transformer.key().to_owned());
    header.instance = Some(instance.id.clone());
    header.environment = Some(instance.environment_type.clone());
    header.auth0_passwords = settings
        .auth0_passwords
        .as_ref()
        .map(|p| p.display().to_string());
    ledger.append(&header)?;
    if !printer.is_json() {
        printer.info(&format!(
            "Importing {} from {} ({}) into {where_to}",
            plan.total,
            settings.file.display(),
            settings.transformer.key()
        ));
        if already > 0 {
            printer.info(&format!(
                "Resuming: {already} users were created by an earlier run of this file and will be skipped."
            ));
        }
        if cut > 0 {
            printer.info(&format!(
                "--resume-after: skipping the first {cut} records."
            ));
        }
    }

    let reporter = progress::reporter_for(&printer);
    reporter.report(&Event::Started {
        total: plan.total,
        skipped: already,
    });

    let workers = super::worker_count(&target);
    let (tx, rx) = mpsc::channel::<Work>(workers * 2);
    let stop = Stop::default();
    let signal = super::signals::watch_signals(stop.clone(), reporter.clone());
    let feeder = {
        let (settings, context) = (settings.clone(), context.clone());
        let (stop, settled) = (stop.clone(), settled.clone());
        tokio::task::spawn_blocking(move || feed(&settings, &context, &settled, &tx, &stop))
    };
    let options = ImportOptions {
        workers,
        retry: policy,
        resume: resume_state,
    };
    let result = import::run(
        client,
        pacer,
        rx,
        ledger,
        reporter.clone(),
        options,
        stop.clone(),
    )
    .await;
    let fed = feeder.await.unwrap_or(Ok(0));
    let received = super::signals::signalled();
    signal.abort();
    reporter.report(&Event::Finished);
    drop(reporter);
    if let Some(s) = sandbox {
        s.stop().await;
    }
    let mut summary = result?;
    let fed = fed?;
    summary.not_started = fed.saturating_sub(summary.total);
    summary.interrupted = received.is_some();
    close_log(&summary.log_file, summary.interrupted, &printer);

    if printer.is_json() {
        let mut report = summary::import_json(&summary, &plan, settings.transformer.key());
        if let Some(m) = &merge {
            report["auth0_passwords"] = summary::auth0_merge_json(m);
        }
        printer.data(&report.to_string());
    } else {
        printer.info(&summary::import_text(
            &summary,
            &where_to,
            &plan,
            settings.transformer.key(),
            printer.is_verbose(),
        ));
        printer.outcome(&format!(
            "{} users: {} created, {} already existing, {} failed, {} invalid, {} skipped · log {}",
            summary.total + summary.not_started,
            summary.created,
            summary.already_exists,
            summary.failed,
            summary.invalid,
            summary.skipped,
            summary.log_file.display()
        ));
    }
    if let Some(status) = received {
        printer.info(&format!(
            "Interrupted. To resume, run the same command again:\n  {}",
            resume_command()
        ));
        return Ok(status);
    }
    Ok(if summary.complete() {
        ExitStatus::Success
    } else {
        ExitStatus::Incomplete
    })
}

/// Reads the file again and hands records to the engine. Returns how many it handed over.
fn feed(
    settings: &ImportSettings,
    context: &TransformContext,
    settled: &std::collections::HashMap<String, crate::ledger::Entry>,
    tx: &mpsc::Sender<Work>,
    stop: &Stop,
) -> Result<u64, AppError> {
    let mut items = prepare::prepare(&settings.file, prepare_options(settings, context))?;
    let mut resume = ResumeAfter::new(settings.resume_after.clone());
    let mut fed = 0;
    for next in items.by_ref() {
        if stop.is_requested() {
            break;
        }
        let (item, _) = next?;
        if resume.skips(&item) {
            continue;
        }
        let work = match item {
            Item::Ready { position, prepared } => match settled.get(&prepared.external_id) {
                Some(entry) => Work::Settled {
                    entry: Box::new(entry.clone()),
                },
                None => Work::Create {
                    row: position.row,
                    prepared,
                },
            },
            ref skipped @ Item::Skipped {
                position, reason, ..
            } => Work::Skipped {
                row: position.row,
                user_id: skipped.user_id(),
                reason,
            },
            ref invalid @ Item::Invalid { .. } => match fail_entry(invalid) {
                Some(entry) => Work::Invalid {
                    entry: Box::new(entry),
                },
                None => continue,
            },
        };
        if tx.blocking_send(work).is_err() {
            break;
        }
        fed += 1;
    }
    Ok(fed)
}

/// The command line as typed, to resume with (automatic resume skips what is done).
fn resume_command() -> String {
    std::env::args()
        .map(|a| crate::ui::safe::shell_word(&a).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}
