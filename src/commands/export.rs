//! `migrate export`: resolve the database and output, run the export, report coverage.

use crate::cli::{ExportArgs, ExportFormatArg, ExportSourceArg};
use crate::error::AppError;
use crate::exit::ExitStatus;
use crate::export::betterauth::Tables;
use crate::export::{self, DbSource, DbUrl, ExportOptions, Layout};
use crate::ui::{Printer, progress, summary};

pub async fn run(args: ExportArgs, printer: Printer) -> Result<ExitStatus, AppError> {
    let Some(raw) = args.db_url.as_deref().filter(|u| !u.trim().is_empty()) else {
        return Err(AppError::Usage(
            "export needs the platform's database: pass --db-url or set DATABASE_URL".to_owned(),
        ));
    };
    let url = DbUrl::parse(raw).map_err(export::ExportError::from)?;
    let layout = match args.format {
        Some(ExportFormatArg::Json) => Layout::JsonArray,
        Some(ExportFormatArg::Ndjson) => Layout::Ndjson,
        None => Layout::from_path(&args.output),
    };
    let (source, schema) = match args.source {
        ExportSourceArg::Supabase => (DbSource::Supabase, "auth"),
        ExportSourceArg::Betterauth => (DbSource::Betterauth, "public"),
    };
    let options = ExportOptions {
        source,
        url,
        schema: args.schema.clone().unwrap_or_else(|| schema.to_owned()),
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
    };
    if !printer.is_json() {
        printer.info(&format!(
            "Exporting {} users from the {} database at {} to {}",
            source.transformer().label(),
            options.url.dialect.name(),
            options.url.shown,
            args.output.display()
        ));
    }
    let reporter = progress::reporter_for(&printer);
    let result = export::run(&options, reporter.clone()).await;
    drop(reporter);
    let s = result?;
    let key = source.transformer().key();
    if printer.is_json() {
        printer.data(&summary::export_json(&s, key).to_string());
    } else {
        printer.info(&summary::export_text(&s, key));
    }
    Ok(if s.unreadable.is_empty() {
        ExitStatus::Success
    } else {
        ExitStatus::Incomplete
    })
}
