//! `migrate verify`: which users, against which source, then the engine, then the report.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use serde_json::{Value, json};

use crate::cli::VerifyArgs;
use crate::config::{self, Endpoint};
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
    let Endpoint::Url(base_url) = &target.endpoint else {
        return Err(AppError::Usage(
            "--sandbox starts an empty instance, so there is nothing to verify there: point --api-url at the instance the migration used".to_owned(),
        ));
    };
    let log_dir = &args.output.log_dir;
    let logs: Vec<PathBuf> = if !args.log.is_empty() {
        args.log.clone()
    } else {
        let all: Vec<PathBuf> = crate::ledger::logs_named(log_dir, "migration")
            .into_iter()
            .filter(|p| targets::is_import_log(p))
            .collect();
        if args.all_runs {
            all
        } else {
            all.last().cloned().into_iter().collect()
        }
    };
    if logs.is_empty() {
        return Err(AppError::NoImportLogs(log_dir.clone()));
    }
    let found = targets::from_logs(&logs).map_err(|e| AppError::Io(log_dir.clone(), e))?;
    let (file, transformer, header) = source_of(&args, &found.headers)?;

    let super::Connection {
        client,
        pacer,
        policy,
        instance,
    } = super::connect(&target, base_url).await?;
    let instances = found.instances();
    if !instances.is_empty() && !instances.contains(instance.id.as_str()) {
        return Err(AppError::InstanceMismatch {
            logs: instances.into_iter().collect::<Vec<_>>().join(", "),
            key: instance.id.clone(),
        });
    }
    if found.malformed_lines > 0 && !printer.is_json() {
        printer.warn(&format!(
            "skipped {} unreadable log lines (e.g. torn by a crash)",
            found.malformed_lines
        ));
    }

    let mut ledger = LedgerWriter::create(log_dir, "verify")?;
    let mut run_header = RunHeader::new("verify");
    run_header.file = Some(file.display().to_string());
    run_header.transformer = Some(transformer.key().to_owned());
    run_header.instance = Some(instance.id.clone());
    run_header.environment = Some(instance.environment_type.clone());
    ledger.append(&run_header)?;

    let mut wanted: HashMap<String, String> = found.users.iter().cloned().collect();
    let clerk_ids: HashMap<String, String> = wanted.clone();
    let mut s = VerifySummary {
        fields: verify::FIELDS.iter().map(|f| (*f, 0, Vec::new())).collect(),
        log_file: ledger.path().to_owned(),
        ..VerifySummary::default()
    };
    let options = PrepareOptions {
        transformer,
        format: None,
        context: context_for(transformer, header.as_ref(), &printer),
        validate: ValidateOptions::default(),
    };
    let mut batch: Vec<Target> = Vec::with_capacity(BATCH);
    for next in prepare::prepare(&file, options)? {
        let (item, _) = next?;
        let Item::Ready { prepared, .. } = item else {
            continue;
        };
        let Some(clerk_id) = wanted.remove(&prepared.external_id) else {
            continue;
        };
        batch.push(Target {
            clerk_id,
            expected: *prepared,
        });
        if batch.len() == BATCH {
            check(&client, &pacer, &policy, &mut batch, &mut s, &mut ledger).await?;
        }
    }
    check(&client, &pacer, &policy, &mut batch, &mut s, &mut ledger).await?;
    s.not_in_source = wanted.len() as u64;

    for (id, password) in &known {
        s.password_checked += 1;
        let outcome = match clerk_ids.get(id) {
            Some(clerk_id) => {
                verify::check_password(&client, &pacer, &policy, clerk_id, password).await?
            }
            None => {
                s.password_failed
                    .push((id.clone(), "not among the users of these runs"));
                continue;
            }
        };
        let why = match outcome {
            PasswordOutcome::Ok => {
                s.password_ok += 1;
                continue;
            }
            PasswordOutcome::Wrong => "Clerk refuses the password",
            PasswordOutcome::NoPassword => "Clerk holds no password for this user",
            PasswordOutcome::Missing => "the user is gone",
        };
        ledger.append(&json!({"userId": id, "clerkUserId": clerk_ids.get(id), "status": "password_failed", "error": why}))?;
        s.password_failed.push((id.clone(), why));
    }

    if printer.is_json() {
        printer.data(&summary::verify_json(&s).to_string());
    } else {
        printer.info(&summary::verify_text(&s, &file, printer.is_verbose()));
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

async fn check(
    client: &crate::clerk::ClerkClient,
    pacer: &crate::clerk::Pacer,
    policy: &crate::clerk::RetryPolicy,
    batch: &mut Vec<Target>,
    s: &mut VerifySummary,
    ledger: &mut LedgerWriter,
) -> Result<(), AppError> {
    if batch.is_empty() {
        return Ok(());
    }
    let outcomes = verify::check(client, pacer, policy, batch).await?;
    for (t, outcome) in batch.drain(..).zip(outcomes) {
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
    Ok(())
}
