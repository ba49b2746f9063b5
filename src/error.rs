//! The application's top-level error: each layer's error, mapped to one exit status.

use crate::clerk::ClientError;
use crate::config::ConfigError;
use crate::exit::ExitStatus;
use crate::hint::Hint;
use crate::ledger::LedgerError;
use crate::source::SourceError;

/// Any error that ends a command.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Clerk(#[from] ClientError),
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    #[error("failed to start the sandbox on {addr}")]
    SandboxBind {
        addr: String,
        /// Started by `--sandbox` for one run (no `--port` to change).
        embedded: bool,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Import(#[from] crate::import::ImportError),
    #[error(
        "a development instance holds at most {cap} users: it has {existing} and this run would add {to_create}"
    )]
    DevCapExceeded {
        existing: u64,
        to_create: u64,
        cap: u64,
    },
    #[error(
        "the instance's sign-up settings would refuse all {users} users ({reason}), so nothing was sent: change it in the Clerk {hint}, or fix the export"
    )]
    RefusedBySettings {
        users: u64,
        reason: String,
        hint: &'static str,
    },
    #[error(transparent)]
    Usage(#[from] UsageError),
    #[error(
        "no import log in {} was written for instance {instance}{}: nothing to {what}{}",
        .dir.display(),
        if *.others > 0 { format!(" ({} import logs there belong to other instances)", .others) } else { String::new() },
        if *.what == "delete" { ", since only users a log of this instance records as created are ever deleted" } else { "" }
    )]
    NoLogsOfInstance {
        dir: std::path::PathBuf,
        instance: String,
        others: usize,
        what: &'static str,
    },
    #[error(transparent)]
    LogRefused(#[from] crate::ledger::instance::LogRefused),
    #[error("failed to read {}", .0.display())]
    Io(std::path::PathBuf, #[source] std::io::Error),
    #[error(transparent)]
    Export(#[from] crate::export::ExportError),
    #[error(transparent)]
    Lock(#[from] crate::ledger::lock::LockError),
    #[error("an internal task stopped unexpectedly ({0}): please report this as a bug")]
    Task(String),
    #[error(
        "{} changed since the import (its SHA-256 is not the one the log records): verify compares Clerk with the file the import read",
        .0.display()
    )]
    SourceChanged(std::path::PathBuf),
    #[error(transparent)]
    PasswordFile(#[from] crate::verify::passwords::PasswordFileError),
    #[error("could not find user ID {0:?} (from --resume-after) in the import file")]
    ResumeTargetMissing(String),
    #[error("failed to start the async runtime")]
    Runtime(#[source] std::io::Error),
    #[error(transparent)]
    Orgs(#[from] crate::orgs::OrgsError),
    #[error(
        "no orgs run in {} was written for instance {instance}: nothing to delete, since only organizations an orgs run of this instance records as created are ever deleted",
        .dir.display()
    )]
    NoOrgsLogs {
        dir: std::path::PathBuf,
        instance: String,
    },
}

impl AppError {
    /// The exit status for this error; exhaustive so a new variant must pick one.
    pub fn exit_status(&self) -> ExitStatus {
        match self {
            Self::Config(ConfigError::Cancelled) => ExitStatus::Success,
            Self::Config(e) if e.is_usage() => ExitStatus::Usage,
            Self::Config(_) => ExitStatus::Fatal,
            Self::Clerk(_) => ExitStatus::Fatal,
            Self::Source(e) if e.kind.is_usage() => ExitStatus::Usage,
            Self::Source(_) => ExitStatus::Fatal,
            Self::Ledger(_) => ExitStatus::Fatal,
            Self::SandboxBind { .. } => ExitStatus::Fatal,
            Self::ResumeTargetMissing(_) => ExitStatus::Fatal,
            Self::Import(_) => ExitStatus::Fatal,
            Self::Usage(_) => ExitStatus::Usage,
            Self::NoLogsOfInstance { .. } | Self::LogRefused(_) => ExitStatus::Fatal,
            Self::Io(..) => ExitStatus::Fatal,
            Self::SourceChanged(_) | Self::Task(_) => ExitStatus::Fatal,
            Self::Export(crate::export::ExportError::Db(
                crate::export::DbError::BadUrl(_)
                | crate::export::DbError::PasswordNeedsEncoding(_),
            )) => ExitStatus::Usage,
            Self::Export(crate::export::ExportError::NoChangeColumn { .. }) => ExitStatus::Usage,
            Self::Export(_) | Self::Lock(_) => ExitStatus::Fatal,
            Self::PasswordFile(crate::verify::passwords::PasswordFileError::Io(..)) => {
                ExitStatus::Fatal
            }
            Self::PasswordFile(_) => ExitStatus::Usage,
            Self::DevCapExceeded { .. } => ExitStatus::Fatal,
            Self::RefusedBySettings { .. } => ExitStatus::Fatal,
            Self::Runtime(_) => ExitStatus::Fatal,
            Self::Orgs(_) | Self::NoOrgsLogs { .. } => ExitStatus::Fatal,
        }
    }
}

impl Hint for AppError {
    fn hint(&self) -> Option<String> {
        match self {
            // Wrappers: the wrapped error knows its own next step.
            Self::Config(e) => e.hint(),
            Self::Clerk(e) => e.hint(),
            Self::Source(e) => e.hint(),
            Self::Export(crate::export::ExportError::Db(e)) => e.hint(),
            Self::Export(crate::export::ExportError::Clerk(e)) => e.hint(),
            Self::Import(e) => e.hint(),
            Self::LogRefused(e) => e.hint(),
            Self::Orgs(e) => e.hint(),
            Self::DevCapExceeded { .. } => Some(
                "import into a production instance (sk_live_ key), or rehearse with fewer users".to_owned(),
            ),
            Self::SandboxBind { embedded: false, .. } => Some("pick another port with --port, or 0 for any free port".to_owned()),
            Self::SandboxBind { embedded: true, .. } => Some(
                "the embedded sandbox listens on a free port of 127.0.0.1: check that the loopback interface is up, or run `migrate sandbox --port N` and pass --api-url".to_owned(),
            ),
            Self::SourceChanged(_) => Some(
                "to compare with the file as it is now, pass it again with -t SOURCE -f FILE".to_owned(),
            ),
            Self::NoLogsOfInstance { dir, .. } | Self::NoOrgsLogs { dir, .. } => {
                let runs = if dir == std::path::Path::new(crate::cli::DEFAULT_LOG_DIR) {
                    "migrate runs".to_owned()
                } else {
                    format!(
                        "migrate runs --log-dir {}",
                        crate::ui::safe::shell_word(&dir.to_string_lossy())
                    )
                };
                Some(format!(
                    "check the key and --log-dir; `{runs}` lists the runs there and the instance of each"
                ))
            }
            _ => None,
        }
    }
}

/// The next step for `err`: its own, else the first a cause under it offers (a cause
/// carried as a `#[source]` is found by type as the chain is walked).
pub fn hint_for(err: &AppError) -> Option<String> {
    if let Some(h) = err.hint() {
        return Some(h);
    }
    let mut cause = std::error::Error::source(err);
    while let Some(e) = cause {
        let own = None
            .or_else(|| {
                e.downcast_ref::<crate::config::ConfigError>()
                    .and_then(Hint::hint)
            })
            .or_else(|| e.downcast_ref::<ClientError>().and_then(Hint::hint))
            .or_else(|| e.downcast_ref::<SourceError>().and_then(Hint::hint))
            .or_else(|| {
                e.downcast_ref::<crate::export::DbError>()
                    .and_then(Hint::hint)
            });
        if own.is_some() {
            return own;
        }
        cause = e.source();
    }
    None
}

/// A command asked for something it cannot do as given (exit 2), each with the way to ask.
#[derive(Debug, thiserror::Error)]
pub enum UsageError {
    #[error("the logs do not name the export they imported: pass -t SOURCE -f FILE")]
    LogsNameNoFile,
    #[error("the orgs logs do not name the organization file they sent: pass it, --orgs FILE")]
    LogsNameNoOrgsFile,
    #[error("the log names no known transformer: pass -t SOURCE -f FILE")]
    LogNamesNoTransformer,
    #[error("{0}")]
    BadAge(String),
    #[error("refusing to delete {what} without a confirmation: pass -y, or --dry-run to preview")]
    NoConfirmation { what: &'static str },
    #[error(
        "{} would hold JSON: export writes a JSON array (.json) or NDJSON (.ndjson, .jsonl), not CSV or another format; name the file so, or pass --format",
        .0.display()
    )]
    OutputNotJson(std::path::PathBuf),
    #[error(
        "export {platform} --orgs is not built: organizations are exported from Better Auth (and Clerk); for another source write the organization file README describes"
    )]
    NoOrgsExport { platform: String },
    #[error(
        "export clerk --since is not available: Clerk's API filters users by when they were created, not when they changed; export every user instead"
    )]
    SinceFromClerk,
    #[error("export needs the platform's database: pass --db-url or set DATABASE_URL")]
    NoDatabaseUrl,
    #[error(
        "--sandbox starts an empty instance, so there is nothing to {what} there: point --api-url at the instance the migration used"
    )]
    NothingInSandbox { what: &'static str },
    #[error("--file needs -t")]
    FileNeedsTransformer,
    #[error("name the log files to convert, or pass --all")]
    NoLogsNamed,
    #[error("--stdout converts exactly one log file")]
    StdoutNeedsOneLog,
    #[error(
        "there is nothing to add organizations to in the embedded sandbox (it starts empty, without the users): run `migrate sandbox`, import the users into it with --api-url, then run orgs with the same --api-url"
    )]
    OrgsInEmptySandbox,
    #[error(
        "migrate sync shows its plan with --dry-run; sending the changes to Clerk is not built yet"
    )]
    SyncDryRunOnly,
    #[error(transparent)]
    RoleMap(crate::orgs::roles::RoleMapError),
    #[error(
        "--settings {}: {why}; give the Frontend API's user_settings as JSON, e.g. {{\"attributes\": {{\"phone_number\": {{\"enabled\": true, \"required\": true}}}}}}",
        .path.display()
    )]
    SandboxSettings {
        path: std::path::PathBuf,
        why: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    /// Every command a hint names in backquotes parses as the binary would (with `N`
    /// standing for a number): a hint never names a flag or command that does not exist.
    #[test]
    fn commands_in_hints_parse() {
        let io = || std::io::Error::other("x");
        let errors = [
            AppError::Config(crate::config::ConfigError::MissingFile),
            AppError::Config(crate::config::ConfigError::MissingTransformer),
            AppError::SandboxBind {
                addr: "127.0.0.1:0".into(),
                embedded: true,
                source: io(),
            },
            AppError::SandboxBind {
                addr: "127.0.0.1:0".into(),
                embedded: false,
                source: io(),
            },
            AppError::NoLogsOfInstance {
                dir: crate::cli::DEFAULT_LOG_DIR.into(),
                instance: "ins_1".into(),
                others: 0,
                what: "delete",
            },
            AppError::NoLogsOfInstance {
                dir: "old runs".into(),
                instance: "ins_1".into(),
                others: 1,
                what: "delete",
            },
        ];
        let mut commands = 0;
        for error in &errors {
            let hint = error.hint().expect("a hint");
            for (i, quoted) in hint.split('`').enumerate() {
                if i % 2 == 0 {
                    continue;
                }
                let words = shlex::split(&quoted.replace(" N", " 0")).expect("splits");
                assert_eq!(words[0], "migrate", "{hint}");
                match crate::cli::Cli::try_parse_from(&words) {
                    Ok(_) => {}
                    Err(e) if e.kind() == clap::error::ErrorKind::DisplayHelp => {}
                    Err(e) => panic!("`{quoted}` in {hint:?} does not parse: {e}"),
                }
                commands += 1;
            }
        }
        assert!(commands >= 4, "hints lost their commands");
    }
}
