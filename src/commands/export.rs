//! `migrate export`: resolve the source (a database, or a Clerk instance) and the output,
//! run the export, report coverage.

use std::path::Path;

use crate::cli::{ExportArgs, ExportFormatArg, ExportSourceArg};
use crate::config;
use crate::error::{AppError, UsageError};
use crate::exit::ExitStatus;
use crate::export::betterauth::Tables;
use crate::export::{self, DbSource, DbUrl, ExportOptions, ExportSummary, Layout};
use crate::ui::report::export::ExportReport;
use crate::ui::report::orgs::OrgsExportReport;
use crate::ui::report::show;
use crate::ui::{Printer, TerminalPrompter, progress};

pub async fn run(args: ExportArgs, printer: Printer) -> Result<ExitStatus, AppError> {
    match super::signals::until_signal(export(&args, &printer)).await {
        Ok(result) => result,
        Err(status) => {
            // The export and its private temporary file are gone by now.
            printer.warn(&format!(
                "export stopped: {} was not written, and nothing of it is left on disk",
                args.output.display()
            ));
            Ok(status)
        }
    }
}

async fn export(args: &ExportArgs, printer: &Printer) -> Result<ExitStatus, AppError> {
    let printer = *printer;
    // The export is JSON; a name that promises something else would mislead the import
    // that follows (it reads by content, but people and other tools read the name).
    let ext = args
        .output
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    if args.format.is_none()
        && ext
            .as_deref()
            .is_some_and(|e| !matches!(e, "json" | "ndjson" | "jsonl"))
    {
        return Err(UsageError::OutputNotJson(args.output.clone()).into());
    }
    let layout = match args.format {
        Some(ExportFormatArg::Json) => Layout::JsonArray,
        Some(ExportFormatArg::Ndjson) => Layout::Ndjson,
        None => Layout::from_path(&args.output),
    };
    if args.orgs {
        return orgs(args, layout, &printer).await;
    }
    let (summary, key) = match args.source {
        ExportSourceArg::Clerk => (from_clerk(args, layout, &printer).await?, "clerk"),
        ExportSourceArg::Supabase => {
            let s = from_database(args, DbSource::Supabase, "auth", layout, &printer).await?;
            (s, "supabase")
        }
        ExportSourceArg::Authjs => {
            let s = from_database(args, DbSource::Authjs, "public", layout, &printer).await?;
            (s, "authjs")
        }
        ExportSourceArg::Betterauth => {
            let s = from_database(args, DbSource::Betterauth, "public", layout, &printer).await?;
            (s, "betterauth")
        }
    };
    show(&printer, &ExportReport::new(&summary, key));
    Ok(ExitStatus::finished(!summary.incomplete()))
}

/// `export SOURCE --orgs`: the organizations, with their members and invitations.
async fn orgs(
    args: &ExportArgs,
    layout: Layout,
    printer: &Printer,
) -> Result<ExitStatus, AppError> {
    let summary = match args.source {
        ExportSourceArg::Betterauth => {
            let url = database_url(args, printer)?;
            let schema = args.schema.as_deref().unwrap_or("public");
            let place = format!("the {} database at {}", url.dialect.name(), url.shown);
            announce(printer, "Better Auth organizations", &place, &args.output);
            export::run_orgs(&url, schema, &args.output, layout).await?
        }
        ExportSourceArg::Clerk => {
            let c = clerk_instance(args, printer).await?;
            let from = super::instance_words(&c.instance);
            announce(printer, "Clerk organizations", &from, &args.output);
            export::run_clerk_orgs(&c.client, &c.pacer, &c.policy, &args.output, layout).await?
        }
        other => {
            return Err(UsageError::NoOrgsExport {
                platform: format!("{other:?}").to_lowercase(),
            }
            .into());
        }
    };
    show(printer, &OrgsExportReport::new(&summary, &args.output));
    Ok(ExitStatus::Success)
}

/// The database URL to read, parsed; warned about when a password was typed as a flag.
fn database_url(args: &ExportArgs, printer: &Printer) -> Result<DbUrl, AppError> {
    let Some(raw) = args.db_url.as_deref().filter(|u| !u.trim().is_empty()) else {
        return Err(UsageError::NoDatabaseUrl.into());
    };
    let url = DbUrl::parse(raw).map_err(export::ExportError::from)?;
    if args.db_url_on_command_line && url.has_password() {
        printer.warn(
            "--db-url with a password puts it in your shell history and the process list; \
             prefer DATABASE_URL in the environment",
        );
    }
    Ok(url)
}

async fn from_database(
    args: &ExportArgs,
    source: DbSource,
    default_schema: &str,
    layout: Layout,
    printer: &Printer,
) -> Result<ExportSummary, AppError> {
    let url = database_url(args, printer)?;
    let options = ExportOptions {
        source,
        url,
        schema: args
            .schema
            .clone()
            .unwrap_or_else(|| default_schema.to_owned()),
        output: args.output.clone(),
        layout,
        tables: Tables {
            user: args.user_table.clone(),
            account: args.account_table.clone(),
            two_factor: "twoFactor".to_owned(),
        },
        app_secret: args
            .betterauth_secret
            .as_deref()
            .filter(|s| !s.is_empty())
            .map(|s| secrecy::SecretString::from(s.to_owned())),
        since: args.since,
    };
    announce(
        printer,
        source.transformer().label(),
        &format!(
            "the {} database at {}",
            options.url.dialect.name(),
            options.url.shown
        ),
        &args.output,
    );
    let reporter = progress::reporter_for(printer);
    Ok(export::run(&options, reporter).await?)
}

async fn from_clerk(
    args: &ExportArgs,
    layout: Layout,
    printer: &Printer,
) -> Result<ExportSummary, AppError> {
    if args.since.is_some() {
        return Err(UsageError::SinceFromClerk.into());
    }
    let super::Connection {
        client,
        pacer,
        policy,
        instance,
    } = clerk_instance(args, printer).await?;
    announce(
        printer,
        "Clerk",
        &super::instance_words(&instance),
        &args.output,
    );
    if !printer.is_json() {
        printer.info(
            "Clerk's API returns no password digests: for passwords, export users as CSV from the Clerk Dashboard and import that file with -t clerk.",
        );
    }
    let reporter = progress::reporter_for(printer);
    Ok(export::run_clerk(&client, &pacer, &policy, &args.output, layout, reporter).await?)
}

/// The Clerk instance the key opens (the embedded sandbox starts empty: nothing to export).
async fn clerk_instance(
    args: &ExportArgs,
    printer: &Printer,
) -> Result<super::Connection, AppError> {
    let dotenv = super::load_dotenv()?;
    let mut terminal = TerminalPrompter;
    let target = {
        let mut ctx = super::config_context(&dotenv, &mut terminal, super::interactive(false));
        config::resolve_target(&args.connection, &mut ctx)?
    };
    super::warn_if_key_typed(&args.connection, printer);
    let base_url = super::existing_instance(&target, "export")?;
    super::connect(&target, base_url).await
}

fn announce(printer: &Printer, label: &str, from: &str, output: &Path) {
    if !printer.is_json() {
        printer.info(&format!(
            "Exporting {label} users from {from} to {}",
            output.display()
        ));
    }
}
