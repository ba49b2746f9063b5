//! Which import logs belong to an instance, by their header: the one reading of the
//! logs that decides what `delete` may touch and what `verify` compares. A log without a
//! header, or whose header names another instance (a sandbox rehearsal, another
//! environment), says nothing about this one.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use super::RunHeader;
use super::reader::{LedgerLines, Line};

/// Why a log cannot say what this tool did on an instance.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LogRefused {
    #[error(
        "{} has no run header, so nothing says which instance its users were created in: it cannot be used to delete or verify",
        .0.display()
    )]
    NoHeader(PathBuf),
    #[error("{} is the log of a {command} run, not of an import: it cannot be used to delete or verify", .path.display())]
    NotImport { path: PathBuf, command: String },
    #[error("{} is the log of a {command} run, not of an orgs run: it cannot be used to delete organizations", .path.display())]
    NotOrgs { path: PathBuf, command: String },
    #[error(
        "{} was written for instance {logged}, but this key opens instance {key}: its users were not created here",
        .path.display()
    )]
    OtherInstance {
        path: PathBuf,
        logged: String,
        key: String,
    },
}

impl crate::hint::Hint for LogRefused {
    fn hint(&self) -> Option<String> {
        Some(
            "name the import logs of this instance with --log, or leave --log out to use the latest one"
                .to_owned(),
        )
    }
}

/// Import logs in `dir`, oldest first.
pub fn import_logs(dir: &Path) -> Vec<PathBuf> {
    crate::ledger::logs_named(dir, "migration")
        .into_iter()
        .filter(|p| header(p).is_some_and(|h| h.command == "import"))
        .collect()
}

/// The import logs in `dir` written for `instance`, oldest first, and how many import
/// logs there belong to other instances (a rehearsal against a sandbox, another
/// environment).
pub fn import_logs_of(dir: &Path, instance: &str) -> (Vec<PathBuf>, usize) {
    let (mine, others): (Vec<PathBuf>, Vec<PathBuf>) = import_logs(dir)
        .into_iter()
        .partition(|p| check(p, instance).is_ok());
    (mine, others.len())
}

/// Whether `path` is an import log of `instance`, by its header.
pub fn check(path: &Path, instance: &str) -> Result<(), LogRefused> {
    let h = header(path).ok_or_else(|| LogRefused::NoHeader(path.to_owned()))?;
    if h.command != "import" {
        return Err(LogRefused::NotImport {
            path: path.to_owned(),
            command: h.command,
        });
    }
    check_instance(path, h, instance)
}

/// Whether `path` is an orgs run's log of `instance`, by its header.
pub fn check_orgs(path: &Path, instance: &str) -> Result<(), LogRefused> {
    let h = header(path).ok_or_else(|| LogRefused::NoHeader(path.to_owned()))?;
    if h.command != super::orgs::COMMAND {
        return Err(LogRefused::NotOrgs {
            path: path.to_owned(),
            command: h.command,
        });
    }
    check_instance(path, h, instance)
}

fn check_instance(path: &Path, h: RunHeader, instance: &str) -> Result<(), LogRefused> {
    match h.instance {
        Some(logged) if logged == instance => Ok(()),
        Some(logged) => Err(LogRefused::OtherInstance {
            path: path.to_owned(),
            logged,
            key: instance.to_owned(),
        }),
        None => Err(LogRefused::NoHeader(path.to_owned())),
    }
}

/// The run header on the first line of `path`, if it has one.
pub(crate) fn header(path: &Path) -> Option<RunHeader> {
    let file = File::open(path).ok()?;
    match LedgerLines::new(BufReader::new(file)).next()?.ok()? {
        Line::Parsed { value, .. } => serde_json::from_value::<RunHeader>(value)
            .ok()
            .filter(|h| h.kind == "run"),
        Line::Malformed { .. } => None,
    }
}
