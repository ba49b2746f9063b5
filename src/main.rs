//! The `migrate` binary: parse, run, exit. Everything else lives in the library.

use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = migrate::cli::Cli::from_process_args();
    ExitCode::from(migrate::commands::run(cli).code())
}
