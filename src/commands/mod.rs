//! The composition root: one file per subcommand, each wiring config, engines and UI.

pub mod clean_logs;
pub mod convert_logs;
pub mod delete;
mod delete_orgs;
pub mod export;
pub mod import;
mod orgs;
pub mod runs;
pub mod sandbox;
pub mod shell;
pub mod signals;
mod sync;
pub mod verify;
mod verify_orgs;

use std::io::IsTerminal;

use crate::cli::{Cli, Command};
use crate::error::AppError;
use crate::exit::ExitStatus;
use crate::ui::Printer;

/// Runs the parsed command line and returns how the process should end.
pub fn run(cli: Cli) -> ExitStatus {
    let json = match &cli.command {
        None => cli.import.output.json,
        Some(Command::Delete(a)) => a.output.json,
        Some(Command::Verify(a)) => a.output.json,
        Some(Command::Export(a)) => a.json,
        Some(Command::Runs(a)) => runs::output(a).json,
        Some(Command::CleanLogs(a)) => a.output.json,
        Some(Command::ConvertLogs(a)) => a.output.json,
        Some(Command::Orgs(a)) => a.output.json,
        Some(Command::Sync(a)) => a.output.json,
        Some(Command::Sandbox(_) | Command::Completions(_) | Command::Man(_)) => false,
    };
    let verbose = match &cli.command {
        None => cli.import.verbose,
        Some(Command::Verify(a)) => a.verbose,
        Some(Command::Runs(a)) => a.verbose,
        Some(Command::Orgs(a)) => a.verbose,
        Some(_) => false,
    };
    let quiet = match &cli.command {
        None => cli.import.output.quiet,
        Some(Command::Delete(a)) => a.output.quiet,
        Some(Command::Verify(a)) => a.output.quiet,
        Some(Command::CleanLogs(a)) => a.output.quiet,
        Some(Command::ConvertLogs(a)) => a.output.quiet,
        Some(Command::Orgs(a)) => a.output.quiet,
        Some(Command::Sync(a)) => a.output.quiet,
        Some(Command::Export(a)) => a.quiet,
        Some(Command::Runs(a)) => runs::output(a).quiet,
        Some(Command::Sandbox(_) | Command::Completions(_) | Command::Man(_)) => false,
    };
    let printer = Printer::new(json).verbose(verbose).quiet(quiet);
    let result = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(AppError::Runtime)
        .and_then(|rt| rt.block_on(dispatch(cli, printer)));
    match result {
        Ok(status) => status,
        Err(e) => {
            printer.error(&e, crate::error::hint_for(&e).as_deref());
            e.exit_status()
        }
    }
}

async fn dispatch(cli: Cli, printer: Printer) -> Result<ExitStatus, AppError> {
    match cli.command {
        None => import::run(cli.import, printer).await,
        Some(Command::Sandbox(args)) => sandbox::run(args, printer).await,
        Some(Command::Delete(args)) => delete::run(args, printer).await,
        Some(Command::Verify(args)) => verify::run(args, printer).await,
        Some(Command::Export(args)) => export::run(args, printer).await,
        Some(Command::Runs(args)) => runs::run(args, printer),
        Some(Command::CleanLogs(args)) => clean_logs::run(args, printer),
        Some(Command::ConvertLogs(args)) => convert_logs::run(args, printer).await,
        Some(Command::Orgs(args)) => orgs::run(args, printer).await,
        Some(Command::Sync(args)) => sync::run(args, printer).await,
        Some(Command::Completions(args)) => shell::completions(args.shell, &printer),
        Some(Command::Man(args)) => shell::man(args, &printer),
    }
}

/// The `.env` file settings are read from (and a prompted key saved to).
const DOTENV: &str = ".env";

pub(crate) fn load_dotenv() -> Result<crate::config::DotEnv, AppError> {
    crate::config::DotEnv::load(std::path::Path::new(DOTENV))
        .map_err(|e| AppError::Config(e.into()))
}

/// Where settings come from besides flags and the environment: `.env`, and a person at
/// the terminal when `interactive`.
pub(crate) fn config_context<'a>(
    dotenv: &'a crate::config::DotEnv,
    terminal: &'a mut crate::ui::TerminalPrompter,
    interactive: bool,
) -> crate::config::Context<'a> {
    crate::config::Context {
        dotenv,
        prompter: if interactive { Some(terminal) } else { None },
        dotenv_path: std::path::Path::new(DOTENV),
        sandbox_key: crate::sandbox::DEFAULT_SECRET_KEY,
    }
}

/// A key typed as a flag lands in shell history and, while the run lasts, in every
/// user's view of the process list.
pub(crate) fn warn_if_key_typed(args: &crate::cli::ConnectionArgs, printer: &Printer) {
    if args.key_on_command_line && !args.sandbox {
        printer.warn(
            "--clerk-secret-key puts the key in your shell history and the process list; \
             prefer CLERK_SECRET_KEY in the environment or a .env file",
        );
    }
}

/// The URL of an existing instance, for commands that read or change one: the embedded
/// sandbox starts empty, so there is nothing there to `what`.
pub(crate) fn existing_instance<'a>(
    target: &'a crate::config::TargetSettings,
    what: &'static str,
) -> Result<&'a str, AppError> {
    match &target.endpoint {
        crate::config::Endpoint::Url(url) => Ok(url),
        crate::config::Endpoint::Sandbox => {
            Err(crate::error::UsageError::NothingInSandbox { what }.into())
        }
    }
}

/// What a command that works on an existing instance has once it is set up: its
/// settings, the instance, and the log directory's lock.
pub(crate) struct Opened {
    pub target: crate::config::TargetSettings,
    pub connection: Connection,
    pub lock: crate::ledger::lock::RunLock,
}

impl Opened {
    /// The parts, to move; keep the lock bound until the command returns.
    pub(crate) fn into_parts(
        self,
    ) -> (
        crate::config::TargetSettings,
        Connection,
        crate::ledger::lock::RunLock,
    ) {
        (self.target, self.connection, self.lock)
    }
}

/// Sets up a command that reads or changes an existing instance: resolves the key and
/// URL (asking at a terminal when `interactive`), takes `log_dir` for `command`, and asks
/// which instance the key opens. The embedded sandbox starts empty: refused, saying why.
pub(crate) async fn open_instance(
    args: &crate::cli::ConnectionArgs,
    log_dir: &std::path::Path,
    (command, interactive): (&'static str, bool),
    terminal: &mut crate::ui::TerminalPrompter,
    printer: &Printer,
) -> Result<Opened, AppError> {
    let dotenv = load_dotenv()?;
    let target = {
        let mut ctx = config_context(&dotenv, terminal, interactive);
        crate::config::resolve_target(args, &mut ctx)?
    };
    warn_if_key_typed(args, printer);
    let lock = lock_logs(log_dir, command, printer)?;
    let base_url = match &target.endpoint {
        crate::config::Endpoint::Url(url) => url.clone(),
        crate::config::Endpoint::Sandbox if command == crate::ledger::orgs::COMMAND => {
            return Err(crate::error::UsageError::OrgsInEmptySandbox.into());
        }
        crate::config::Endpoint::Sandbox => {
            return Err(crate::error::UsageError::NothingInSandbox { what: command }.into());
        }
    };
    let connection = connect(&target, &base_url).await?;
    Ok(Opened {
        target,
        connection,
        lock,
    })
}

/// A client for one instance, with its pacer and retry policy, and what the instance is.
pub(crate) struct Connection {
    pub client: crate::clerk::ClerkClient,
    pub pacer: std::sync::Arc<crate::clerk::Pacer>,
    pub policy: crate::clerk::RetryPolicy,
    pub instance: crate::clerk::types::Instance,
}

/// A client for `base_url` with its pacer and retry policy; no request sent yet.
pub(crate) struct Api {
    pub client: crate::clerk::ClerkClient,
    pub pacer: std::sync::Arc<crate::clerk::Pacer>,
    pub policy: crate::clerk::RetryPolicy,
}

impl Api {
    pub(crate) fn open(
        target: &crate::config::TargetSettings,
        base_url: &str,
    ) -> Result<Self, AppError> {
        let client = crate::clerk::ClerkClient::new(
            &crate::clerk::ClientOptions {
                base_url: base_url.to_owned(),
                timeout: target.timeout,
            },
            target.key.for_client(),
        )?;
        Ok(Self {
            client,
            pacer: std::sync::Arc::new(crate::clerk::Pacer::new(target.rate)),
            policy: crate::clerk::RetryPolicy {
                max_retries: target.max_retries,
                ..crate::clerk::RetryPolicy::default()
            },
        })
    }

    /// Which instance the key opens (paced and retried like every other call, so a 429
    /// or 5xx here does not end the run). A connection that cannot be opened at all on
    /// this first call is a wrong --api-url or no network, not a passing fault: said at
    /// once, not after a minute of retries.
    pub(crate) async fn instance(&self) -> Result<crate::clerk::types::Instance, AppError> {
        use crate::clerk::ClientError;
        use crate::clerk::paced::{Unrecorded, paced};
        self.pacer.acquire().await;
        match self.client.get_instance().await {
            Ok(instance) => return Ok(instance),
            Err(e @ ClientError::Connect { .. }) => return Err(e.into()),
            Err(_) => {}
        }
        Ok(paced(&self.pacer, &self.policy, &Unrecorded, || {
            self.client.get_instance()
        })
        .await?)
    }

    pub(crate) fn with(self, instance: crate::clerk::types::Instance) -> Connection {
        Connection {
            client: self.client,
            pacer: self.pacer,
            policy: self.policy,
            instance,
        }
    }
}

/// Connects to `base_url` and asks which instance the key opens.
pub(crate) async fn connect(
    target: &crate::config::TargetSettings,
    base_url: &str,
) -> Result<Connection, AppError> {
    let api = Api::open(target, base_url)?;
    let instance = api.instance().await?;
    Ok(api.with(instance))
}

/// "production instance ins_…", as reports name an instance.
pub(crate) fn instance_words(instance: &crate::clerk::types::Instance) -> String {
    format!("{} instance {}", instance.environment_type, instance.id)
}

/// Workers enough that the pacer, not the pool, limits throughput up to 5 s of latency.
pub(crate) fn worker_count(target: &crate::config::TargetSettings) -> usize {
    target
        .concurrency
        .unwrap_or_else(|| ((target.rate * 5.0).ceil() as usize).clamp(4, 256))
}

/// Takes the log directory for this run, warning when a crashed run's lock is taken over.
pub(crate) fn lock_logs(
    dir: &std::path::Path,
    command: &str,
    printer: &Printer,
) -> Result<crate::ledger::lock::RunLock, AppError> {
    let lock = crate::ledger::lock::RunLock::acquire(dir, command)?;
    if let Some(h) = &lock.took_over {
        printer.warn(&format!(
            "took over the lock of a run that is gone ({}, PID {}, started {})",
            h.command, h.pid, h.started_at
        ));
    }
    Ok(lock)
}

/// The import logs of `instance` a command works on: those named with `--log` (each
/// refused by name unless its header names this instance), else every one of this
/// instance's imports in `dir` with `--all-runs`, else its latest.
pub(crate) fn logs_of_instance(
    named: &[std::path::PathBuf],
    all_runs: bool,
    dir: &std::path::Path,
    instance: &str,
    what: &'static str,
) -> Result<Vec<std::path::PathBuf>, AppError> {
    if !named.is_empty() {
        for log in named {
            crate::ledger::instance::check(log, instance)?;
        }
        return Ok(named.to_vec());
    }
    let (mine, others) = crate::ledger::instance::import_logs_of(dir, instance);
    if mine.is_empty() {
        return Err(AppError::NoLogsOfInstance {
            dir: dir.to_owned(),
            instance: instance.to_owned(),
            others,
            what,
        });
    }
    Ok(if all_runs {
        mine
    } else {
        mine.last().cloned().into_iter().collect()
    })
}

/// Ends a run's log with its closing line, so `migrate runs` can tell a finished run from
/// a crashed one. A failure here costs only that line: warned about, never fatal.
pub(crate) fn close_log(path: &std::path::Path, interrupted: bool, printer: &Printer) {
    if let Err(e) = crate::ledger::runs::close(path, interrupted) {
        printer.warn(&format!("could not close the log {}: {e}", path.display()));
    }
}

/// Whether a person can answer prompts: `-y` not given and both stdin and stderr are
/// terminals.
pub fn interactive(yes: bool) -> bool {
    !yes && std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}
