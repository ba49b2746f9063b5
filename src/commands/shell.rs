//! `migrate completions` and `migrate man`: generated from the clap definitions, so they
//! never fall behind the flags.

use clap::CommandFactory;

use crate::cli::Cli;
use crate::error::AppError;
use crate::exit::ExitStatus;
use crate::ui::Printer;

pub fn completions(shell: clap_complete::Shell, printer: &Printer) -> Result<ExitStatus, AppError> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "migrate", &mut out);
    printer.data(&String::from_utf8_lossy(&out));
    Ok(ExitStatus::Success)
}

pub fn man(printer: &Printer) -> Result<ExitStatus, AppError> {
    let mut out = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut out)
        .map_err(|e| AppError::Io("the manual page".into(), e))?;
    printer.data(&String::from_utf8_lossy(&out));
    Ok(ExitStatus::Success)
}
