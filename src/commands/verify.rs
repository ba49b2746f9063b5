//! `migrate verify`: which users, against which source, then the engine, then the report.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use serde_json::{Value, json};

use tokio::task::JoinSet;

use crate::clerk::ClientError;
use crate::cli::VerifyArgs;
use crate::config;
use crate::error::AppError;
use crate::exit::ExitStatus;
use crate::ledger::{LedgerWriter, RunHeader};
use crate::prepare::{self, Item, PrepareOptions};
use crate::transform::auth0_passwords::Auth0Passwords;
use crate::transform::{FirebaseHashConfig, TransformContext, TransformerKind};
use crate::ui::{Printer, TerminalPrompter, summary};
use crate::user::ValidateOptions;
use crate::verify::{self, BATCH, Outcome, PasswordOutcome, Target, VerifySummary, targets};

pub async fn run(args: VerifyArgs, printer: Printer) -> Result<ExitStatus, AppError> {
    let log = std::sync::OnceLock::new();
    match super::signals::until_signal(verify(args, printer, &log)).await {
        Ok(result) => result,
        Err(status) => {
            // The checks in flight and the lock are dropped by now; the log says how the
            // run ended.
            if let Some(path) = log.get() {
                super::import::close_log(path, true, &printer);
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
    let super::Connection {
        client,
        pacer,
        policy,
        instance,
    } = super::connect(&target, base_url).await?;
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

    let mut ledger = LedgerWriter::create(log_dir, "verify")?;
    let _ = log.set(ledger.path().to_owned());
    let mut run_header = RunHeader::new("verify");
    run_header.file = Some(file.display().to_string());
    run_header.transformer = Some(transformer.key().to_owned());
    run_header.instance = Some(instance.id.clone());
    run_header.environment = Some(instance.environment_type.clone());
    ledger.append(&run_header)?;

    let mut wanted: HashMap<String, String> = found.users.iter().cloned().collect();
    let clerk_ids: HashMap<String, String> = wanted.clone();
    let mut s = VerifySummary::new(ledger.path().to_owned());
    let options = PrepareOptions {
        transformer,
        format: None,
        context: context_for(transformer, header.as_ref(), &printer),
        validate: ValidateOptions::default(),
    };
    // Requests overlap so the pacer, not each round trip, sets the pace.
    let in_flight = super::worker_count(&target);
    let mut checks: JoinSet<Checked> = JoinSet::new();
    let mut batch: Vec<Target> = Vec::with_capacity(BATCH);
    let mut items = prepare::prepare(&file, options)?;
    loop {
        let next = items.next().transpose()?;
        let done = next.is_none();
        if let Some((Item::Ready { prepared, .. }, _)) = next
            && let Some(clerk_id) = wanted.remove(&prepared.external_id)
        {
            batch.push(Target {
                clerk_id,
                expected: *prepared,
            });
        }
        if batch.len() == BATCH || (done && !batch.is_empty()) {
            let batch = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
            let (client, pacer) = (client.clone(), pacer.clone());
            checks.spawn(async move {
                let outcomes = verify::check(&client, &pacer, &policy, &batch).await;
                Checked::Users(batch, outcomes)
            });
        }
        while checks.len() >= in_flight {
            settle(checks.join_next().await, &mut s, &mut ledger)?;
        }
        if done {
            break;
        }
    }
    s.not_in_source = wanted.len() as u64;

    for (id, password) in known {
        s.password_checked += 1;
        let Some(clerk_id) = clerk_ids.get(&id).cloned() else {
            s.password_failed
                .push((id, "not among the users of these runs"));
            continue;
        };
        let (client, pacer) = (client.clone(), pacer.clone());
        checks.spawn(async move {
            let outcome =
                verify::check_password(&client, &pacer, &policy, &clerk_id, &password).await;
            Checked::Password(id, clerk_id, outcome)
        });
        while checks.len() >= in_flight {
            settle(checks.join_next().await, &mut s, &mut ledger)?;
        }
    }
    while let Some(next) = checks.join_next().await {
        settle(Some(next), &mut s, &mut ledger)?;
    }

    super::import::close_log(&s.log_file, false, &printer);
    if printer.is_json() {
        printer.data(&summary::verify_json(&s).to_string());
    } else {
        printer.info(&summary::verify_text(&s, &file, printer.is_verbose()));
        printer.outcome(&format!(
            "verified {}: {} matching, {} drifted, {} missing; passwords {} ok, {} failed · log {}",
            s.checked,
            s.matching,
            s.drifted,
            s.missing,
            s.password_ok,
            s.password_failed.len(),
            s.log_file.display()
        ));
    }
    Ok(if s.clean() {
        ExitStatus::Success
    } else {
        ExitStatus::Incomplete
    })
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
        return Err(AppError::Usage(
            "the logs do not name the export they imported: pass -t SOURCE -f FILE".to_owned(),
        ));
    };
    let file = PathBuf::from(h.file.clone().unwrap_or_default());
    let transformer = h
        .transformer
        .as_deref()
        .and_then(|k| TransformerKind::ALL.into_iter().find(|t| t.key() == k))
        .ok_or_else(|| {
            AppError::Usage("the log names no known transformer: pass -t SOURCE -f FILE".to_owned())
        })?;
    let now = super::import::sha256_file(&file).map_err(|e| AppError::Io(file.clone(), e))?;
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

/// The answer to one spawned request.
enum Checked {
    Users(Vec<Target>, Result<Vec<Outcome>, ClientError>),
    Password(String, String, Result<PasswordOutcome, ClientError>),
}

/// Counts and logs one finished request.
fn settle(
    joined: Option<Result<Checked, tokio::task::JoinError>>,
    s: &mut VerifySummary,
    ledger: &mut LedgerWriter,
) -> Result<(), AppError> {
    let Some(joined) = joined else {
        return Ok(());
    };
    let checked = joined.map_err(|e| AppError::Task(e.to_string()))?;
    match checked {
        Checked::Users(batch, outcomes) => {
            for (t, outcome) in batch.into_iter().zip(outcomes?) {
                s.checked += 1;
                let id = t.expected.external_id;
                match outcome {
                    Outcome::Match => s.matching += 1,
                    Outcome::Missing => {
                        s.missing += 1;
                        ledger.append(
                            &json!({"userId": id, "clerkUserId": t.clerk_id, "status": "missing"}),
                        )?;
                    }
                    Outcome::Drift(diffs) => {
                        s.drifted += 1;
                        s.note_drift(&id, &diffs);
                        let fields: Vec<Value> = diffs
                            .iter()
                            .map(|d| json!({"field": d.field, "expected": d.expected, "actual": d.actual}))
                            .collect();
                        ledger.append(&json!({"userId": id, "clerkUserId": t.clerk_id, "status": "drift", "fields": fields}))?;
                    }
                }
            }
        }
        Checked::Password(id, clerk_id, outcome) => {
            let why = match outcome? {
                PasswordOutcome::Ok => {
                    s.password_ok += 1;
                    return Ok(());
                }
                PasswordOutcome::Wrong => "Clerk refuses the password",
                PasswordOutcome::NoPassword => "Clerk holds no password for this user",
                PasswordOutcome::Missing => "the user is gone",
            };
            ledger.append(&json!({"userId": id, "clerkUserId": clerk_id, "status": "password_failed", "error": why}))?;
            s.password_failed.push((id, why));
        }
    }
    Ok(())
}
