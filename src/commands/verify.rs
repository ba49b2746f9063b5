//! `migrate verify`: which users, against which source, then the engine, then the report.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::cli::VerifyArgs;
use crate::config;
use crate::error::{AppError, UsageError};
use crate::exit::ExitStatus;
use crate::ledger::{LedgerWriter, RunHeader};
use crate::prepare::PrepareOptions;
use crate::transform::auth0_passwords::Auth0Passwords;
use crate::transform::{FirebaseHashConfig, TransformContext, TransformerKind};
use crate::ui::report::show;
use crate::ui::report::verify::VerifyReport;
use crate::ui::{Printer, TerminalPrompter};
use crate::user::ValidateOptions;
use crate::verify::run::{Api, Checks, VerifyError};
use crate::verify::{self, targets};

pub async fn run(args: VerifyArgs, printer: Printer) -> Result<ExitStatus, AppError> {
    let log = std::sync::OnceLock::new();
    match super::signals::until_signal(verify(args, printer, &log)).await {
        Ok(result) => result,
        Err(status) => {
            // The checks in flight and the lock are dropped by now; the log says how the
            // run ended.
            if let Some(path) = log.get() {
                super::close_log(path, true, &printer);
                printer.warn(&format!(
                    "verify stopped: what was checked is in {}, closed as interrupted",
                    path.display()
                ));
            }
            Ok(status)
        }
    }
}

async fn verify(
    args: VerifyArgs,
    printer: Printer,
    log: &std::sync::OnceLock<PathBuf>,
) -> Result<ExitStatus, AppError> {
    // A bad password file is named before anything is sent.
    let known = match &args.passwords {
        Some(path) => verify::passwords::read(path)?,
        None => Vec::new(),
    };
    let dotenv = super::load_dotenv()?;
    let mut terminal = TerminalPrompter;
    let target = {
        let mut ctx = super::config_context(&dotenv, &mut terminal, super::interactive(false));
        config::resolve_target(&args.connection, &mut ctx)?
    };
    super::warn_if_key_typed(&args.connection, &printer);
    let _lock = super::lock_logs(&args.output.log_dir, "verify", &printer)?;
    let base_url = super::existing_instance(&target, "verify")?;
    let log_dir = &args.output.log_dir;
    let connection = super::connect(&target, base_url).await?;
    if let Some(how) = super::verify_orgs::How::asked(&args, &printer) {
        return super::verify_orgs::run(how, connection, log).await;
    }
    let instance = &connection.instance;
    // This instance's imports only: a rehearsal's log against the sandbox beside them is
    // not "the latest".
    let logs = super::logs_of_instance(&args.log, args.all_runs, log_dir, &instance.id, "verify")?;
    let found = targets::from_logs(&logs).map_err(|e| AppError::Io(log_dir.clone(), e))?;
    let (file, transformer, header) = source_of(&args, &found.headers)?;
    if found.malformed_lines > 0 && !printer.is_json() {
        printer.warn(&format!(
            "skipped {} unreadable log lines (e.g. torn by a crash)",
            found.malformed_lines
        ));
    }

    let ledger = open_log(log_dir, &file, transformer, &connection.instance)?;
    let _ = log.set(ledger.path().to_owned());
    let work = Checks {
        file: &file,
        options: PrepareOptions {
            transformer,
            format: None,
            context: context_for(transformer, header.as_ref(), &printer),
            validate: ValidateOptions::default(),
        },
        users: found.users.into_iter().collect(),
        passwords: known,
    };
    // Requests overlap so the pacer, not each round trip, sets the pace.
    let api = Api {
        in_flight: super::worker_count(&target),
        client: connection.client,
        pacer: connection.pacer,
        policy: connection.policy,
    };
    let s = verify::run::run(&api, work, ledger).await?;
    super::close_log(&s.log_file, false, &printer);
    show(
        &printer,
        &VerifyReport::new(&s, &file, printer.is_verbose()),
    );
    Ok(ExitStatus::finished(s.clean()))
}

/// The verify log, with a header naming what is compared.
fn open_log(
    log_dir: &Path,
    file: &Path,
    transformer: TransformerKind,
    instance: &crate::clerk::types::Instance,
) -> Result<LedgerWriter, AppError> {
    let mut ledger = LedgerWriter::create(log_dir, "verify")?;
    let mut header = RunHeader::new("verify");
    header.file = Some(file.display().to_string());
    header.transformer = Some(transformer.key().to_owned());
    header.instance = Some(instance.id.clone());
    header.environment = Some(instance.environment_type.clone());
    ledger.append(&header)?;
    Ok(ledger)
}

/// The source to compare with: `-t/-f`, or the file the newest log names, refused when
/// it changed since.
fn source_of(
    args: &VerifyArgs,
    headers: &[RunHeader],
) -> Result<(PathBuf, TransformerKind, Option<RunHeader>), AppError> {
    let header = headers.iter().rev().find(|h| h.file.is_some()).cloned();
    if let (Some(file), Some(t)) = (&args.file, args.transformer) {
        return Ok((file.clone(), t.into(), header));
    }
    let Some(h) = &header else {
        return Err(UsageError::LogsNameNoFile.into());
    };
    let file = PathBuf::from(h.file.clone().unwrap_or_default());
    let transformer = h
        .transformer
        .as_deref()
        .and_then(|k| TransformerKind::ALL.into_iter().find(|t| t.key() == k))
        .ok_or_else(|| AppError::from(UsageError::LogNamesNoTransformer))?;
    let now = crate::files::sha256_hex(&file).map_err(|e| AppError::Io(file.clone(), e))?;
    if h.file_sha256.as_deref().is_some_and(|sha| sha != now) {
        return Err(AppError::SourceChanged(file));
    }
    Ok((file, transformer, header))
}

/// What the transformers need. Clerk never returns digests, so only whether a user has a
/// password is compared: Firebase's project key is not needed and a stand-in lets its
/// digests be built. Auth0's password export is the one the import merged.
fn context_for(
    kind: TransformerKind,
    header: Option<&RunHeader>,
    printer: &Printer,
) -> TransformContext {
    let firebase = (kind == TransformerKind::Firebase).then(|| FirebaseHashConfig {
        signer_key: "AA==".to_owned(),
        salt_separator: "AA==".to_owned(),
        rounds: 8,
        mem_cost: 14,
    });
    let auth0_passwords = header
        .and_then(|h| h.auth0_passwords.as_deref())
        .and_then(|path| match Auth0Passwords::load(std::path::Path::new(path)) {
            Ok(p) => Some(Arc::new(p)),
            Err(e) => {
                printer.warn(&format!(
                    "the Auth0 password export the import merged cannot be read ({e}): users whose hash came from it will show as password_enabled drift"
                ));
                None
            }
        });
    TransformContext {
        firebase,
        auth0_passwords,
    }
}

impl From<VerifyError> for AppError {
    fn from(e: VerifyError) -> Self {
        match e {
            VerifyError::Source(e) => AppError::Source(e),
            VerifyError::Clerk(e) => AppError::Clerk(e),
            VerifyError::Ledger(e) => AppError::Ledger(e),
            VerifyError::Task(e) => AppError::Task(e),
        }
    }
}
