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

pub fn man(args: crate::cli::ManArgs, printer: &Printer) -> Result<ExitStatus, AppError> {
    let render = |cmd: clap::Command| -> Result<Vec<u8>, AppError> {
        let mut out = Vec::new();
        clap_mangen::Man::new(cmd)
            .render(&mut out)
            .map_err(|e| AppError::Io("the manual page".into(), e))?;
        Ok(out)
    };
    let top = Cli::command();
    let Some(dir) = args.dir else {
        printer.data(&String::from_utf8_lossy(&render(top)?));
        return Ok(ExitStatus::Success);
    };
    std::fs::create_dir_all(&dir).map_err(|e| AppError::Io(dir.clone(), e))?;
    // The main page refers to `migrate-COMMAND(1)`: each is written beside it, under the
    // name the reference uses.
    let mut pages = vec![("migrate.1".to_owned(), top.clone())];
    for sub in top.get_subcommands().filter(|s| s.get_name() != "help") {
        // clap names commands with static text; this one-shot command can afford it.
        let name: &'static str = Box::leak(format!("migrate-{}", sub.get_name()).into_boxed_str());
        pages.push((format!("{name}.1"), sub.clone().name(name)));
    }
    let mut written = Vec::new();
    for (file, cmd) in pages {
        let path = dir.join(&file);
        crate::files::write_readable(&path, &render(cmd)?)
            .map_err(|e| AppError::Io(path.clone(), e))?;
        written.push(path.display().to_string());
    }
    printer.info(&format!(
        "Wrote {} manual pages to {}: man -l {}",
        written.len(),
        dir.display(),
        dir.join("migrate.1").display()
    ));
    Ok(ExitStatus::Success)
}
