//! The `migrate` binary: parse, run, exit. Everything else lives in the library.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = migrate::cli::Cli::parse();
    ExitCode::from(migrate::commands::run(cli).code())
}
