//! `migrate` (import): resolve settings, read and map the file, then either report on it
//! (`--dry-run`) or send its users to Clerk.

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::Arc;

use secrecy::ExposeSecret;
use tokio::sync::mpsc;

use crate::clerk::DEV_USER_CAP;
use crate::clerk::paced::{Unrecorded, paced};
use crate::clerk::types::Instance;
use crate::cli::ImportArgs;
use crate::config::{self, Endpoint, ImportSettings, Prompter, TargetSettings};
use crate::engine::Stop;
use crate::error::AppError;
use crate::event::Event;
use crate::exit::ExitStatus;
use crate::import::feed::{self, FeedError, FilePlan};
use crate::import::{self, ImportOptions, ImportSummary, ResumeState, Work};
use crate::ledger::{Entry, LedgerWriter, RunHeader};
use crate::preflight::{self, Candidate, Live};
use crate::prepare::{self, Item, PrepareOptions};
use crate::sandbox::{self, SandboxConfig, SandboxHandle};
use crate::transform::TransformContext;
use crate::transform::auth0_passwords::Auth0Passwords;
use crate::ui::report::import::{DryRun, DryRunReport, ImportReport, Imported};
use crate::ui::report::show;
use crate::ui::{Printer, TerminalPrompter, progress, summary};
use crate::user::ValidateOptions;

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
    let command = if settings.dry_run {
        "dry-run"
    } else {
        "import"
    };
    let _lock = super::lock_logs(&settings.log_dir, command, &printer)?;
    let context = TransformContext {
        firebase: settings.firebase.clone(),
        auth0_passwords: match &settings.auth0_passwords {
            Some(path) => Some(Arc::new(Auth0Passwords::load(path)?)),
            None => None,
        },
    };
    match (&settings.target, settings.dry_run) {
        (Some(target), true) if settings.live => {
            live_dry_run(&settings, target, &context, printer).await
        }
        (None, _) | (_, true) => dry_run(&settings, &context, printer, None),
        (Some(target), false) => {
            let prompter: Option<&mut dyn Prompter> = if interactive {
                Some(&mut terminal)
            } else {
                None
            };
            import(&settings, target, context, printer, prompter).await
        }
    }
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

/// `--dry-run --live`: the offline report, plus what the instance would do with each
/// ready user, asked read-only.
async fn live_dry_run(
    settings: &ImportSettings,
    target: &TargetSettings,
    context: &TransformContext,
    printer: Printer,
) -> Result<ExitStatus, AppError> {
    let mut candidates = Vec::new();
    for next in prepare::prepare(&settings.file, prepare_options(settings, context))? {
        if let (Item::Ready { position, prepared }, _) = next? {
            candidates.push(Candidate::of(position.row, &prepared));
        }
    }
    let (base_url, sandbox) = endpoint(target).await?;
    let c = super::connect(target, &base_url).await?;
    let live = Live {
        client: &c.client,
        pacer: &c.pacer,
        policy: &c.policy,
        instance: &c.instance,
    };
    let report = preflight::run(&live, &candidates, None)
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
    live: Option<&preflight::Report>,
) -> Result<ExitStatus, AppError> {
    let options = prepare_options(settings, context);
    // A file that cannot be read is said before a log is made for it.
    drop(prepare::prepare(&settings.file, options.clone())?);
    let mut ledger = LedgerWriter::create(&settings.log_dir, "migration")?;
    let mut header = RunHeader::new("dry-run");
    header.file = Some(settings.file.display().to_string());
    header.transformer = Some(settings.transformer.key().to_owned());
    ledger.append(&header)?;
    let resume_after = settings.resume_after.clone();
    let (plan, cut) = feed::dry_run(&settings.file, &options, resume_after, &mut ledger)?;
    for (row, user_id, verdict) in live.iter().flat_map(|l| l.verdicts.iter()) {
        ledger.append(&preflight::verdict_entry(*row, user_id, verdict))?;
    }
    let merge = context.auth0_passwords.as_ref().map(|p| p.report());
    show(
        &printer,
        &DryRunReport::new(DryRun {
            plan: &plan,
            transformer: settings.transformer.key(),
            file: &settings.file,
            log: ledger.path(),
            resumed_after: settings.resume_after.as_deref().map(|t| (t, cut)),
            live,
            merge: merge.as_ref(),
            verbose: printer.is_verbose(),
        }),
    );
    super::close_log(ledger.path(), false, &printer);
    Ok(ExitStatus::finished(plan.invalid == 0))
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
        Ok(preflight::sign_up_settings(&api.client, &api.pacer, &api.policy, &mut calls).await)
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

/// The file read against the instance before anything is sent.
struct Readiness {
    file: FilePlan,
    /// The live preflight, with --preflight or at a terminal.
    preflight: Option<preflight::Report>,
    /// Users whose outcome the preflight settled: logged, never sent.
    settled: HashMap<String, Entry>,
}

impl Readiness {
    fn to_create(&self) -> u64 {
        self.file
            .plan
            .ready
            .saturating_sub(self.file.already)
            .saturating_sub(self.settled.len() as u64)
    }
}

/// Reads the file once, checking each user still to send against the sign-up settings
/// (stopping when every one would be refused) and, with lookups, against the instance.
async fn readiness(
    settings: &ImportSettings,
    context: &TransformContext,
    c: &super::Connection,
    user_settings: Result<serde_json::Value, String>,
    done: &ResumeState,
    lookups: bool,
    printer: &Printer,
) -> Result<Readiness, AppError> {
    let mut candidates = Vec::new();
    let mut refused: BTreeMap<String, u64> = BTreeMap::new();
    let mut checked = 0u64;
    let options = prepare_options(settings, context);
    let resume_after = settings.resume_after.clone();
    let file = feed::plan(
        &settings.file,
        options,
        resume_after,
        done,
        &mut |row, p| {
            let c = Candidate::of(row, p);
            if let Ok(s) = &user_settings {
                checked += 1;
                if let Some(reason) = preflight::refusal(s, &c) {
                    *refused.entry(reason).or_default() += 1;
                }
            }
            if lookups {
                candidates.push(c);
            }
        },
    )?;
    refuse_if_all_refused(&refused, checked)?;
    warn_refusals(&user_settings, &refused, printer);
    let preflight = if lookups && !candidates.is_empty() {
        let live = Live {
            client: &c.client,
            pacer: &c.pacer,
            policy: &c.policy,
            instance: &c.instance,
        };
        let report = preflight::run(&live, &candidates, Some(user_settings)).await;
        Some(report.map_err(AppError::Clerk)?)
    } else {
        None
    };
    let settled = preflight
        .iter()
        .flat_map(|r| r.verdicts.iter())
        .filter_map(|(row, user_id, verdict)| {
            preflight::settled_entry(verdict, user_id, *row).map(|e| (user_id.clone(), e))
        })
        .collect();
    Ok(Readiness {
        file,
        preflight,
        settled,
    })
}

/// Every user still to send would be refused by the sign-up settings: nothing is sent.
fn refuse_if_all_refused(refused: &BTreeMap<String, u64>, checked: u64) -> Result<(), AppError> {
    let total: u64 = refused.values().sum();
    if checked > 0
        && total == checked
        && let Some((reason, _)) = refused.iter().max_by_key(|(_, n)| **n)
    {
        return Err(AppError::RefusedBySettings {
            users: checked,
            reason: reason.clone(),
            hint: preflight::dashboard_hint(reason),
        });
    }
    Ok(())
}

fn warn_refusals(
    user_settings: &Result<serde_json::Value, String>,
    refused: &BTreeMap<String, u64>,
    printer: &Printer,
) {
    match user_settings {
        Err(e) => printer.warn(&format!(
            "the instance's sign-up settings could not be read ({e}); Clerk applies them as users are sent"
        )),
        Ok(_) => {
            for (reason, n) in refused {
                printer.warn(&format!(
                    "{n} users will likely be refused by the instance's settings: {reason} ({})",
                    preflight::dashboard_hint(reason)
                ));
            }
        }
    }
}

/// A development instance holds at most `DEV_USER_CAP` users: a run that would pass it
/// stops before the first create.
async fn check_dev_cap(
    c: &super::Connection,
    existing: Option<u64>,
    to_create: u64,
) -> Result<(), AppError> {
    if c.instance.environment_type == "production" {
        return Ok(());
    }
    let existing = match existing {
        Some(n) => n,
        None => {
            let query = Default::default();
            paced(&c.pacer, &c.policy, &Unrecorded, || {
                c.client.count_users(&query)
            })
            .await?
        }
    };
    if existing + to_create > DEV_USER_CAP {
        return Err(AppError::DevCapExceeded {
            existing,
            to_create,
            cap: DEV_USER_CAP,
        });
    }
    Ok(())
}

/// Shows the readiness report and asks; production defaults to No, where mistakes are
/// expensive.
fn confirm(
    p: &mut dyn Prompter,
    settings: &ImportSettings,
    ready: &Readiness,
    where_to: &str,
    production: bool,
    verbose: bool,
) -> Result<bool, AppError> {
    let (plan, already) = (&ready.file.plan, ready.file.already);
    let key = settings.transformer.key();
    let mut note = summary::readiness_text(plan, key, &settings.file, verbose);
    if let Some(report) = &ready.preflight {
        note.push_str(&summary::live_text(report));
    }
    if already > 0 {
        note.push_str(&format!(
            "\nAn earlier run of this file against this instance created {already} of these users: they are skipped (--no-resume looks them up again instead).\n"
        ));
    }
    p.note(&note);
    let to_create = ready.to_create();
    let question = if already > 0 {
        format!(
            "Import the {to_create} users not imported yet into {where_to} ({already} already are)?"
        )
    } else {
        format!("Import {to_create} users into {where_to}?")
    };
    Ok(p.confirm(&question, !production)
        .map_err(config::ConfigError::from)?)
}

async fn import(
    settings: &ImportSettings,
    target: &TargetSettings,
    context: TransformContext,
    printer: Printer,
    prompter: Option<&mut dyn Prompter>,
) -> Result<ExitStatus, AppError> {
    let (base_url, sandbox) = endpoint(target).await?;
    let setup = setup(target, &base_url).await?;
    let connection = setup.connection;
    let instance = &connection.instance;
    let production = instance.environment_type == "production";
    let where_to = match &sandbox {
        Some(_) => format!("the embedded sandbox ({})", instance.environment_type),
        None => format!("{} at {base_url}", super::instance_words(instance)),
    };
    let file_sha = crate::files::sha256_hex(&settings.file)
        .map_err(|e| AppError::Io(settings.file.clone(), e))?;
    let resume = earlier_runs(settings, &file_sha, &instance.id, &printer);
    // With --preflight or at a terminal, the users are looked up in the instance first.
    let lookups = settings.preflight || prompter.is_some();
    let ready = readiness(
        settings,
        &context,
        &connection,
        setup.user_settings,
        &resume,
        lookups,
        &printer,
    )
    .await?;
    let merge = context.auth0_passwords.as_ref().map(|p| p.report());
    if let Some(m) = merge.as_ref().filter(|_| !printer.is_json()) {
        printer.info(&summary::auth0_merge_text(m));
    }
    check_dev_cap(&connection, setup.existing, ready.to_create()).await?;
    if let Some(p) = prompter
        && !confirm(
            p,
            settings,
            &ready,
            &where_to,
            production,
            printer.is_verbose(),
        )?
    {
        printer.info("Migration cancelled.");
        return Ok(ExitStatus::Success);
    }

    let ledger = open_log(settings, file_sha, instance)?;
    announce(settings, &ready.file, &where_to, &printer);
    let (file, settled) = (&ready.file, ready.settled);
    let summary = execute(
        settings, &context, connection, file, settled, resume, ledger, target, &printer,
    )
    .await;
    if let Some(s) = sandbox {
        s.stop().await;
    }
    let summary = summary?;
    let merge = merge.as_ref();
    finish(&summary, &file.plan, settings, &where_to, merge, &printer)
}

/// The import's report, then its exit status (or the signal's, with the command that
/// resumes).
fn finish(
    summary: &ImportSummary,
    plan: &crate::prepare::PlanSummary,
    settings: &ImportSettings,
    where_to: &str,
    merge: Option<&crate::transform::auth0_passwords::MergeReport>,
    printer: &Printer,
) -> Result<ExitStatus, AppError> {
    let report = ImportReport::new(Imported {
        summary,
        plan,
        transformer: settings.transformer.key(),
        where_to,
        merge,
        verbose: printer.is_verbose(),
    });
    show(printer, &report);
    if let Some(status) = super::signals::signalled() {
        printer.info(&format!(
            "Interrupted. To resume, run the same command again:\n  {}",
            resume_command()
        ));
        return Ok(status);
    }
    Ok(ExitStatus::finished(summary.complete()))
}

/// What earlier runs of this file against this instance created, to skip (nothing with
/// --no-resume). Logs that cannot be read turn resuming off, said aloud: their users are
/// then looked up again instead of skipped.
fn earlier_runs(
    settings: &ImportSettings,
    file_sha: &str,
    instance: &str,
    printer: &Printer,
) -> ResumeState {
    if !settings.resume {
        return ResumeState::default();
    }
    match import::resume::load(&settings.log_dir, file_sha, instance) {
        Ok(state) => state,
        Err(e) => {
            printer.warn(&format!(
                "the earlier runs' logs in {} could not be read ({e}): users they created are looked up again, not skipped",
                settings.log_dir.display()
            ));
            ResumeState::default()
        }
    }
}

/// The migration log, with a header that names the file (and its hash, for resuming) and
/// the instance.
fn open_log(
    settings: &ImportSettings,
    file_sha: String,
    instance: &Instance,
) -> Result<LedgerWriter, AppError> {
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
    Ok(ledger)
}

/// What is about to happen, for people.
fn announce(settings: &ImportSettings, file: &FilePlan, where_to: &str, printer: &Printer) {
    if printer.is_json() {
        return;
    }
    printer.info(&format!(
        "Importing {} from {} ({}) into {where_to}",
        file.plan.total,
        settings.file.display(),
        settings.transformer.key()
    ));
    if file.already > 0 {
        printer.info(&format!(
            "Resuming: {} users were created by an earlier run of this file and will be skipped.",
            file.already
        ));
    }
    if file.cut > 0 {
        printer.info(&format!(
            "--resume-after: skipping the first {} records.",
            file.cut
        ));
    }
}

/// Runs the engine: the file fed from a blocking thread, workers at the rate limit,
/// progress and signals watched; the log closed as finished or interrupted.
#[allow(clippy::too_many_arguments)]
async fn execute(
    settings: &ImportSettings,
    context: &TransformContext,
    connection: super::Connection,
    file: &FilePlan,
    settled: HashMap<String, Entry>,
    resume: ResumeState,
    ledger: LedgerWriter,
    target: &TargetSettings,
    printer: &Printer,
) -> Result<ImportSummary, AppError> {
    let super::Connection {
        client,
        pacer,
        policy,
        ..
    } = connection;
    let reporter = progress::reporter_for(printer);
    reporter.report(&Event::Started {
        total: file.plan.total,
        skipped: file.already,
    });
    let workers = super::worker_count(target);
    let (tx, rx) = mpsc::channel::<Work>(workers * 2);
    let stop = Stop::default();
    let signal = super::signals::watch_signals(stop.clone(), reporter.clone());
    let feeder = {
        let (file, options) = (settings.file.clone(), prepare_options(settings, context));
        let (resume_after, stop) = (settings.resume_after.clone(), stop.clone());
        tokio::task::spawn_blocking(move || {
            feed::feed(&file, options, resume_after, &settled, &tx, &stop)
        })
    };
    let options = ImportOptions {
        workers,
        retry: policy,
        resume,
    };
    let result = import::run(client, pacer, rx, ledger, reporter.clone(), options, stop).await;
    let fed = feeder.await;
    let interrupted = super::signals::signalled().is_some();
    signal.abort();
    reporter.report(&Event::Finished);
    drop(reporter);
    let mut summary = result?;
    let fed = fed.map_err(|e| AppError::Task(format!("the file reader stopped: {e}")))??;
    summary.not_started = fed.saturating_sub(summary.total);
    summary.interrupted = interrupted;
    super::close_log(&summary.log_file, summary.interrupted, printer);
    Ok(summary)
}

impl From<FeedError> for AppError {
    fn from(e: FeedError) -> Self {
        match e {
            FeedError::Source(e) => AppError::Source(e),
            FeedError::Ledger(e) => AppError::Ledger(e),
            FeedError::ResumeTargetMissing(id) => AppError::ResumeTargetMissing(id),
        }
    }
}

/// The command line as typed, to resume with (automatic resume skips what is done).
fn resume_command() -> String {
    std::env::args()
        .map(|a| crate::ui::safe::shell_word(&a).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}
