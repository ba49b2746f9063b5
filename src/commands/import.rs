//! `migrate` (import): resolve settings, read and map the file, send users to Clerk.

use std::path::Path;

use crate::cli::ImportArgs;
use crate::config::{self, Context, DotEnv};
use crate::error::AppError;
use crate::exit::ExitStatus;
use crate::ui::{Printer, TerminalPrompter};

pub async fn run(args: ImportArgs, printer: Printer) -> Result<ExitStatus, AppError> {
    let dotenv_path = Path::new(".env");
    let dotenv = DotEnv::load(dotenv_path).map_err(config::ConfigError::from)?;
    let mut terminal = TerminalPrompter;
    let interactive = super::interactive(args.yes);
    let mut ctx = Context {
        dotenv: &dotenv,
        prompter: if interactive {
            Some(&mut terminal)
        } else {
            None
        },
        dotenv_path,
    };
    let _settings = config::resolve_import(&args, &mut ctx)?;
    let _ = printer;
    Err(AppError::NotImplemented("import"))
}
