//! The command line, as clap parses it. Only parsing lives here: values are resolved
//! into settings by `config`, and enums convert into domain kinds with `From`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Where runs write their logs unless told otherwise, relative to the working directory.
pub const DEFAULT_LOG_DIR: &str = "logs";

/// Move users from another auth system into Clerk.
///
/// Reads a JSON, NDJSON or CSV export from Clerk, Auth0, Auth.js, Better Auth, Firebase or
/// Supabase, maps every record to a Clerk user and creates it through Clerk's Backend API
/// at the instance's rate limit, writing one NDJSON line per user to a migration log.
///
/// Without -y it asks for what is missing. With --sandbox it runs against a local stand-in
/// for Clerk, so a migration can be rehearsed without touching a real instance.
#[derive(Debug, Parser)]
#[command(
    name = "migrate",
    version,
    args_conflicts_with_subcommands = true,
    after_help = "Examples:\n  \
migrate                                  asks for the file, shows what it holds, then asks to import\n  \
migrate --sandbox -f users.json          rehearses against a local stand-in for Clerk\n  \
migrate -y -t auth0 -f users.json        imports without questions (CLERK_SECRET_KEY set)\n  \
migrate --dry-run -f users.json          checks the file, sends nothing\n  \
migrate delete --dry-run                 lists the users the latest import created\n\n\
Environment: CLERK_SECRET_KEY, CLERK_API_URL, RATE_LIMIT and CONCURRENCY_LIMIT are read \
from the environment or from a .env file in the working directory (flags win over both); MAX_RETRIES \
and, for export, DATABASE_URL and BETTER_AUTH_SECRET from the environment.\n\n\
Exit codes: 0 done; 1 fatal (a key Clerk refuses, an unreadable file, an unreachable API or database); \
2 usage (bad flags or settings, a missing or malformed key, a -t that does not fit the file); \
3 finished, but some users failed or were invalid; 130/143 interrupted by Ctrl-C/SIGTERM."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub import: ImportArgs,
}

impl Cli {
    /// Parses the process's arguments (exiting on a usage error, as clap does) and notes
    /// whether the secret key was given as a flag rather than through the environment.
    pub fn from_process_args() -> Self {
        use clap::{CommandFactory, FromArgMatches, parser::ValueSource};
        let matches = Self::command().get_matches();
        let mut cli = Self::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
        let typed = |m: &clap::ArgMatches| {
            m.value_source("clerk_secret_key") == Some(ValueSource::CommandLine)
        };
        cli.import.connection.key_on_command_line = typed(&matches);
        match (&mut cli.command, matches.subcommand()) {
            (Some(Command::Delete(d)), Some((_, sub))) => {
                d.connection.key_on_command_line = typed(sub);
            }
            (Some(Command::Verify(v)), Some((_, sub))) => {
                v.connection.key_on_command_line = typed(sub);
            }
            (Some(Command::Export(e)), Some((_, sub))) => {
                e.connection.key_on_command_line = typed(sub);
                e.db_url_on_command_line =
                    sub.value_source("db_url") == Some(ValueSource::CommandLine);
            }
            _ => {}
        }
        cli
    }
}

/// What to do; importing is the default.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Delete the users a migration created (roll back).
    Delete(DeleteArgs),
    /// Read back the users a migration created and compare them with the source; check
    /// known passwords.
    Verify(VerifyArgs),
    /// Write a platform's users, read straight from its database, to the file `migrate`
    /// imports.
    Export(ExportArgs),
    /// Move organizations and their memberships into Clerk, after the users are imported.
    ///
    /// Organizations are created first (found again by slug on a re-run, never created
    /// twice), then each member is added with the instance role its source role maps to.
    /// Members are matched to Clerk users through this instance's import logs, then by
    /// external_id. `--dry-run` checks the file offline.
    Orgs(OrgsArgs),
    /// Keep Clerk in step with the old system until the switch, from a newer export (in
    /// progress: `--dry-run` shows what changed since each user was last sent).
    Sync(SyncArgs),
    /// Delete old migration logs.
    CleanLogs(CleanLogsArgs),
    /// Turn NDJSON migration logs into pretty JSON arrays.
    ConvertLogs(ConvertLogsArgs),
    /// List past runs in the log directory, or show one run's summary.
    Runs(RunsArgs),
    /// Print shell completions (bash, zsh, fish, powershell, elvish) on stdout.
    Completions(CompletionsArgs),
    /// Print the manual page (roff) on stdout, or write one page per command to a directory.
    Man(ManArgs),
    /// Serve a local stand-in for Clerk's Backend API.
    ///
    /// The sandbox keeps users in memory and follows Clerk's contract: the same endpoints,
    /// error envelopes, uniqueness rules, development user cap and rate limit.
    Sandbox(SandboxArgs),
}

/// The source system an export comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TransformerArg {
    /// Clerk Dashboard CSV or JSON export.
    Clerk,
    /// Auth0 Management API or bulk (NDJSON) export.
    Auth0,
    /// Auth.js (NextAuth) users table.
    Authjs,
    /// Better Auth export.
    Betterauth,
    /// `firebase auth:export`, JSON or CSV.
    Firebase,
    /// Supabase `auth.users` export.
    Supabase,
}

/// How to read the input file, when its extension does not say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// A JSON array, or an object with a `users` array.
    Json,
    /// One JSON object per line (.ndjson, .jsonl).
    Ndjson,
    /// Comma-separated values with a header row.
    Csv,
}

/// What to do with email addresses and phone numbers the source marks unverified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum UnverifiedArg {
    /// Create them in the same call as reserved: unverified, but locked to the user.
    #[default]
    Reserve,
    /// Add them after the user is created, as unverified (one extra call each).
    Attach,
    /// Leave them out.
    Drop,
}

/// Where to send requests and with which key.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Clerk instance")]
pub struct ConnectionArgs {
    /// Secret key of the target instance (sk_live_… or sk_test_…).
    ///
    /// Prefer CLERK_SECRET_KEY in the environment or a .env file: flags can end up in
    /// shell history.
    #[arg(
        long,
        value_name = "KEY",
        env = "CLERK_SECRET_KEY",
        hide_env_values = true
    )]
    pub clerk_secret_key: Option<String>,

    /// Whether the key was typed as a flag (set by `Cli::from_process_args`).
    #[arg(skip)]
    pub key_on_command_line: bool,

    /// Base URL of Clerk's Backend API [default: https://api.clerk.com].
    #[arg(
        long,
        value_name = "URL",
        env = "CLERK_API_URL",
        hide_env_values = true
    )]
    pub api_url: Option<String>,

    /// Run against an embedded sandbox instead of Clerk (no key needed).
    #[arg(long)]
    pub sandbox: bool,

    /// Allow a plain-http API URL on another host (the secret key would cross the network
    /// unencrypted).
    #[arg(long)]
    pub allow_insecure_http: bool,

    /// Requests per second to stay under [default: 100 for production keys, 10 for development].
    #[arg(long, value_name = "N", env = "RATE_LIMIT")]
    pub rate_limit: Option<String>,

    /// Most requests in flight at once [default: adapts to the rate and latency].
    #[arg(long, value_name = "N", env = "CONCURRENCY_LIMIT")]
    pub concurrency: Option<String>,

    /// Retries for 5xx answers, timeouts and connection errors (429s always wait and retry).
    #[arg(long, value_name = "N", env = "MAX_RETRIES", default_value_t = 5)]
    pub max_retries: u32,

    /// Seconds to wait for each answer from Clerk (1 to 3600).
    #[arg(long, value_name = "SECS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: u64,
}

/// Where logs go and how results are shown.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Output")]
pub struct OutputArgs {
    /// Print the summary as one JSON object on stdout.
    #[arg(long)]
    pub json: bool,

    /// Print only errors and one final line (no progress, no summary).
    #[arg(short, long)]
    pub quiet: bool,

    /// Directory for migration logs.
    #[arg(long, value_name = "DIR", default_value = DEFAULT_LOG_DIR)]
    pub log_dir: PathBuf,
}

/// Options of the import (the default command).
#[derive(Debug, Clone, Args)]
pub struct ImportArgs {
    /// Source system of the export.
    #[arg(short, long, value_enum, value_name = "SOURCE")]
    pub transformer: Option<TransformerArg>,

    /// Export file to import (JSON, NDJSON or CSV).
    #[arg(short, long, value_name = "PATH")]
    pub file: Option<PathBuf>,

    /// Input format, overriding the file extension.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<FormatArg>,

    /// Skip every user up to and including this source user ID.
    #[arg(short, long, value_name = "USER_ID", conflicts_with = "no_resume")]
    pub resume_after: Option<String>,

    /// Do not skip users already created by an earlier run of the same file.
    #[arg(long)]
    pub no_resume: bool,

    /// Only import users that have a password; report the others as invalid.
    #[arg(long)]
    pub require_password: bool,

    /// How to handle unverified email addresses and phone numbers.
    #[arg(long, value_enum, value_name = "MODE", default_value_t = UnverifiedArg::Reserve)]
    pub unverified: UnverifiedArg,

    /// Read, map and check every record without sending anything.
    #[arg(long)]
    pub dry_run: bool,

    /// With --dry-run: also check the users against the instance, read-only. Which are
    /// already there, which clash with another user's email, phone or username, and what
    /// the instance's sign-up settings would refuse or drop. Needs the key, as an import does.
    #[arg(long, requires = "dry_run")]
    pub live: bool,

    /// With -y: before sending, look the users up in the instance (about one call per 100
    /// users for each identifier kind). Users already there are recorded as already_exists
    /// and users whose email, phone or username another user holds as errors, without a
    /// create call. Interactive runs always do this before asking.
    #[arg(long, conflicts_with = "dry_run")]
    pub preflight: bool,

    /// Show users' emails, phone numbers and offending values in the terminal (by default
    /// only user IDs and rows; the private log always has the details).
    #[arg(short, long)]
    pub verbose: bool,

    /// Answer yes to every question (non-interactive; needs -t and -f).
    #[arg(short, long)]
    pub yes: bool,

    /// The password hash export Auth0 support sends on request (JSON array or
    /// NDJSON of {"_id":{"$oid":…},"email":…,"passwordHash":…}), merged into -f by user ID,
    /// then by email.
    #[arg(long, value_name = "PATH", help_heading = "Auth0 password hashes")]
    pub auth0_passwords: Option<PathBuf>,

    #[command(flatten)]
    pub firebase: FirebaseArgs,

    #[command(flatten)]
    pub connection: ConnectionArgs,

    #[command(flatten)]
    pub output: OutputArgs,
}

/// Firebase's project-wide scrypt parameters (Console → Authentication → Users →
/// Password hash parameters).
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Firebase password hashes")]
pub struct FirebaseArgs {
    /// The project's signer key, which Firebase's scrypt encrypts with each user's derived
    /// key (the console's `base64_signer_key`, in Authentication → Users → ⋮ → Password
    /// hash parameters).
    #[arg(long, value_name = "BASE64")]
    pub firebase_signer_key: Option<String>,

    /// The bytes appended to each user's salt (the console's `base64_salt_separator`, often
    /// `Bw==`).
    #[arg(long, value_name = "BASE64")]
    pub firebase_salt_separator: Option<String>,

    /// scrypt's block size r (the console's `rounds`, usually 8).
    #[arg(long, value_name = "N")]
    pub firebase_rounds: Option<u32>,

    /// scrypt's cost as a power of two, N = 2^mem_cost (the console's `mem_cost`, usually 14).
    #[arg(long, value_name = "N")]
    pub firebase_mem_cost: Option<u32>,
}

impl FirebaseArgs {
    pub fn any_given(&self) -> bool {
        self.firebase_signer_key.is_some()
            || self.firebase_salt_separator.is_some()
            || self.firebase_rounds.is_some()
            || self.firebase_mem_cost.is_some()
    }
}

/// Options of `migrate delete`.
#[derive(Debug, Clone, Args)]
pub struct DeleteArgs {
    /// Import log whose created users to delete (repeatable; each must be a log of this
    /// instance) [default: the latest import of this instance].
    #[arg(long, value_name = "FILE")]
    pub log: Vec<PathBuf>,

    /// Delete the users created by every import of this instance in the log directory.
    #[arg(long, conflicts_with = "log")]
    pub all_runs: bool,

    /// Only the users of this export file (by source ID) among those this instance's
    /// import logs record as created: never a user no log created.
    #[arg(
        short,
        long,
        value_name = "PATH",
        conflicts_with = "all_runs",
        requires = "transformer"
    )]
    pub file: Option<PathBuf>,

    /// Source system of --file.
    #[arg(short, long, value_enum, value_name = "SOURCE")]
    pub transformer: Option<TransformerArg>,

    /// Only show what would be deleted.
    #[arg(long)]
    pub dry_run: bool,

    /// Roll back organizations instead of users: those the orgs runs of this instance
    /// created (every such run, or those --log names), each deleted with its memberships
    /// unless it has members the tool did not add.
    #[arg(long, conflicts_with_all = ["file", "include_signed_in"])]
    pub orgs: bool,

    /// With -y, also delete users who have signed in since their import (left alone
    /// otherwise; at a terminal they get a question of their own).
    #[arg(long)]
    pub include_signed_in: bool,

    /// Delete without asking.
    #[arg(short, long)]
    pub yes: bool,

    #[command(flatten)]
    pub connection: ConnectionArgs,

    #[command(flatten)]
    pub output: OutputArgs,
}

/// How an organization file is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OrgSourceArg {
    /// The tool's organization file (README, "Organizations").
    Migrate,
    /// Written by `migrate export betterauth --orgs`: the tool's format.
    Betterauth,
    /// Written by `migrate export clerk --orgs`: the tool's format.
    Clerk,
    /// Auth0's organizations as its Management API returns them, each with `members`
    /// (roles included) and `invitations`.
    Auth0,
}

impl From<OrgSourceArg> for crate::orgs::file::Shape {
    fn from(a: OrgSourceArg) -> Self {
        match a {
            OrgSourceArg::Auth0 => Self::Auth0,
            _ => Self::Tool,
        }
    }
}

/// Options of `migrate sync`.
#[derive(Debug, Clone, Args)]
pub struct SyncArgs {
    /// Source system of the export.
    #[arg(short, long, value_enum, value_name = "SOURCE")]
    pub transformer: TransformerArg,

    /// A newer export of the source the users were imported from.
    #[arg(short, long, value_name = "PATH")]
    pub file: PathBuf,

    /// Show the plan and send nothing (required for now: sending is not built yet).
    #[arg(long)]
    pub dry_run: bool,

    #[command(flatten)]
    pub connection: ConnectionArgs,

    #[command(flatten)]
    pub output: OutputArgs,
}

/// Options of `migrate orgs`.
#[derive(Debug, Clone, Args)]
pub struct OrgsArgs {
    /// Organization file: a JSON array or NDJSON of organizations with their members and
    /// invitations (README, "Organizations").
    #[arg(short, long, value_name = "PATH")]
    pub file: PathBuf,

    /// How the file is laid out: the tool's organization file (what `migrate export
    /// betterauth|clerk --orgs` writes), or Auth0's Management API objects.
    #[arg(
        short,
        long,
        value_enum,
        value_name = "SOURCE",
        default_value = "migrate"
    )]
    pub transformer: OrgSourceArg,

    /// Source roles to instance roles, e.g. owner=org:admin,billing=org:billing (owners
    /// and admins become org:admin and members org:member without it).
    #[arg(long, value_name = "MAP")]
    pub role_map: Option<String>,

    /// Check the file and report; nothing is sent.
    #[arg(long)]
    pub dry_run: bool,

    /// With --dry-run, also ask the instance (read-only): organizations on, roles,
    /// membership limits, slugs taken, members found. Needs the key.
    #[arg(long, requires = "dry_run")]
    pub live: bool,

    /// Also send the file's pending invitations (Clerk emails each invitee), after the
    /// memberships, under Clerk's hourly limits for them; the time it takes is said first.
    #[arg(long)]
    pub invitations: bool,

    /// Organization invitations Clerk takes an hour one by one (its documented limit).
    #[arg(long, value_name = "N", default_value_t = 250, value_parser = clap::value_parser!(u32).range(1..))]
    pub invitations_per_hour: u32,

    /// Bulk invitation requests (of up to 10) Clerk takes an hour.
    #[arg(long, value_name = "N", default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..))]
    pub bulk_invitations_per_hour: u32,

    /// Send without asking.
    #[arg(short, long)]
    pub yes: bool,

    /// Name every problem by organization, not only the first few.
    #[arg(short, long)]
    pub verbose: bool,

    #[command(flatten)]
    pub connection: ConnectionArgs,

    #[command(flatten)]
    pub output: OutputArgs,
}

/// Options of `migrate verify`.
#[derive(Debug, Clone, Args)]
pub struct VerifyArgs {
    /// Import log whose users to verify (repeatable) [default: the latest import].
    #[arg(long, value_name = "FILE")]
    pub log: Vec<PathBuf>,

    /// Verify the users of every import in the log directory.
    #[arg(long, conflicts_with = "log")]
    pub all_runs: bool,

    /// Compare against this export instead of the file the log names (with -t).
    #[arg(short, long, value_name = "PATH", requires = "transformer")]
    pub file: Option<PathBuf>,

    /// Source system of --file.
    #[arg(short, long, value_enum, value_name = "SOURCE", requires = "file")]
    pub transformer: Option<TransformerArg>,

    /// Verify organizations instead of users: those the orgs runs of this instance put in
    /// Clerk (or --log names), against the organization file their log names, or ORGS_FILE.
    #[arg(
        long,
        value_name = "ORGS_FILE",
        num_args = 0..=1,
        conflicts_with_all = ["file", "passwords", "all_runs"]
    )]
    pub orgs: Option<Option<PathBuf>>,

    /// CSV of `user_id,password` (source IDs of test accounts whose passwords you know):
    /// each is checked with Clerk's verify_password.
    #[arg(long, value_name = "CSV")]
    pub passwords: Option<PathBuf>,

    /// Show the differing values in the terminal (the private verify log always has them).
    #[arg(short, long)]
    pub verbose: bool,

    #[command(flatten)]
    pub connection: ConnectionArgs,

    #[command(flatten)]
    pub output: OutputArgs,
}

/// Options of `migrate runs`.
#[derive(Debug, Clone, Args)]
pub struct RunsArgs {
    #[command(subcommand)]
    pub show: Option<RunsCommand>,

    /// Show the offending values in errors (personal data; without it errors are grouped
    /// by reason alone).
    #[arg(short, long, global = true)]
    pub verbose: bool,

    #[command(flatten)]
    pub output: OutputArgs,
}

/// `migrate runs show`.
#[derive(Debug, Clone, Subcommand)]
pub enum RunsCommand {
    /// One run's summary, errors grouped by reason.
    Show {
        /// The run's log file.
        #[arg(value_name = "LOG")]
        log: PathBuf,

        #[command(flatten)]
        output: OutputArgs,
    },
}

/// Options of `migrate completions`.
#[derive(Debug, Clone, Args)]
pub struct ManArgs {
    /// Write `migrate.1` and a `migrate-COMMAND.1` page for every command here, instead
    /// of printing the main page.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// Options of `migrate completions`.
#[derive(Debug, Clone, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: clap_complete::Shell,
}

/// Options of `migrate clean-logs`.
#[derive(Debug, Clone, Args)]
pub struct CleanLogsArgs {
    /// Only delete logs older than this (e.g. 12h, 7d, 4w).
    #[arg(long, value_name = "DURATION")]
    pub older_than: Option<String>,

    /// Keep the N newest logs.
    #[arg(long, value_name = "N")]
    pub keep: Option<usize>,

    /// Only list what would be deleted.
    #[arg(long)]
    pub dry_run: bool,

    /// Delete without asking.
    #[arg(short, long)]
    pub yes: bool,

    #[command(flatten)]
    pub output: OutputArgs,
}

/// Options of `migrate convert-logs`.
#[derive(Debug, Clone, Args)]
pub struct ConvertLogsArgs {
    /// Log files to convert [default: choose interactively].
    #[arg(value_name = "FILES")]
    pub files: Vec<PathBuf>,

    /// Convert every .log file in the log directory.
    #[arg(long, conflicts_with = "files")]
    pub all: bool,

    /// Write the JSON to stdout instead of a file next to each log.
    #[arg(long)]
    pub stdout: bool,

    #[command(flatten)]
    pub output: OutputArgs,
}

/// The platforms `migrate export` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportSourceArg {
    /// Supabase: GoTrue's `auth.users`, `auth.identities` and `auth.mfa_factors` (PostgreSQL).
    Supabase,
    /// Better Auth: its `user` table, `account` rows and `twoFactor` secrets (PostgreSQL,
    /// MySQL/MariaDB or SQLite).
    Betterauth,
    /// Auth.js: the `users` and `accounts` tables of its SQL adapters, or Prisma's `User`
    /// and `Account` (PostgreSQL, MySQL/MariaDB or SQLite).
    Authjs,
    /// Clerk: every user of an instance, through the Backend API (no password digests).
    Clerk,
}

/// Options of `migrate export`.
#[derive(Debug, Clone, Args)]
pub struct ExportArgs {
    /// Platform whose database to read.
    #[arg(value_enum, value_name = "SOURCE")]
    pub source: ExportSourceArg,

    /// The platform's database: postgres://…, mysql://…, sqlite://PATH or a .db/.sqlite
    /// file. Its password never appears in messages or logs.
    #[arg(long, value_name = "URL", env = "DATABASE_URL", hide_env_values = true)]
    pub db_url: Option<String>,

    /// Whether the URL was typed as a flag (set by `Cli::from_process_args`).
    #[arg(skip)]
    pub db_url_on_command_line: bool,

    /// File to write: .json (an array) or .ndjson, as `migrate -t SOURCE -f FILE` reads.
    #[arg(short, long, value_name = "PATH")]
    pub output: PathBuf,

    /// Only the users the platform changed after TIME (RFC 3339, a date, or epoch ms):
    /// Supabase's `updated_at`, Better Auth's `updatedAt`. The report gives the window
    /// covered; its end is the next export's --since.
    #[arg(long, value_name = "TIME", value_parser = parse_since, conflicts_with = "orgs")]
    pub since: Option<chrono::DateTime<chrono::Utc>>,

    /// Write the organizations instead of the users: each with its members (source user
    /// ID, role, joined time, teams) and invitations, as `migrate orgs -f FILE` reads
    /// (Better Auth's organization plugin, or a Clerk instance's organizations).
    #[arg(long)]
    pub orgs: bool,

    /// Output layout, overriding the extension.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<ExportFormatArg>,

    /// PostgreSQL schema holding the tables [default: `auth` for Supabase, `public` for Better
    /// Auth and Auth.js]. MySQL reads the URL's database; SQLite its one file.
    #[arg(long, value_name = "NAME")]
    pub schema: Option<String>,

    /// Better Auth's user table, if the app renamed the model.
    #[arg(long, value_name = "NAME", default_value = "user")]
    pub user_table: String,

    /// Better Auth's account table, if the app renamed the model.
    #[arg(long, value_name = "NAME", default_value = "account")]
    pub account_table: String,

    /// The app's BETTER_AUTH_SECRET, to carry two-factor secrets over (Better Auth stores
    /// them encrypted with it). Without it those users must enrol in two-factor again.
    #[arg(
        long,
        value_name = "SECRET",
        env = "BETTER_AUTH_SECRET",
        hide_env_values = true
    )]
    pub betterauth_secret: Option<String>,

    /// Print the summary as one JSON object on stdout.
    #[arg(long)]
    pub json: bool,

    /// Print only errors and one final line (no progress, no summary).
    #[arg(short, long)]
    pub quiet: bool,

    /// For `export clerk`: the instance to read.
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// `--since`: any form the importer reads as a time.
fn parse_since(text: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    let value = serde_json::Value::String(text.to_owned());
    let rfc3339 = crate::transform::normalize::timestamp(&value)?;
    chrono::DateTime::parse_from_rfc3339(&rfc3339)
        .map(|t| t.with_timezone(&chrono::Utc))
        .map_err(|e| e.to_string())
}

/// The layouts `migrate export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormatArg {
    /// One JSON array.
    Json,
    /// One JSON object per line.
    Ndjson,
}

/// Options of `migrate sandbox`.
#[derive(Debug, Clone, Args)]
pub struct SandboxArgs {
    /// Port to listen on (127.0.0.1 only; 0 picks a free one).
    #[arg(long, value_name = "PORT", default_value_t = 8787)]
    pub port: u16,

    /// The secret key to accept; its prefix sets development or production [default: a built-in sk_test_ key].
    #[arg(long, value_name = "KEY")]
    pub secret_key: Option<String>,

    /// Requests allowed per window [default: 100, or 1000 for an sk_live_ key].
    #[arg(long, value_name = "N")]
    pub rate: Option<u32>,

    /// Length of the rate-limit window in seconds.
    #[arg(long, value_name = "S", default_value_t = 10)]
    pub window_secs: u64,

    /// Latency added to every response, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub latency_ms: u64,

    /// Share of requests failed before they apply: a 500, 502 or 503, or a dropped connection (0 to 1).
    #[arg(long, value_name = "P", default_value_t = 0.0)]
    pub fail_rate: f64,

    /// Share of user creations applied and then answered with a 500 (a lost answer).
    #[arg(long, value_name = "P", default_value_t = 0.0)]
    pub fail_after_create_rate: f64,

    /// Seed for the injected faults, so a run can be replayed.
    #[arg(long, value_name = "X", default_value_t = 0)]
    pub seed: u64,

    /// Most users the instance holds (0 = no cap) [default: 100 for development, none for production].
    #[arg(long, value_name = "N")]
    pub user_cap: Option<usize>,

    /// Sign-up settings as JSON, in the shape of the Frontend API's `user_settings` (or a
    /// whole `GET /v1/environment` answer): which identifiers are on or required, whether
    /// a password is, and whether TOTP and backup codes are on. Creates are checked
    /// against them. Default: every identifier on and optional. The same file may hold
    /// `organization_settings` (`enabled`, `max_allowed_memberships`) and
    /// `organization_roles` (role keys) [default: organizations on, no membership limit,
    /// org:admin and org:member].
    #[arg(long, value_name = "FILE")]
    pub settings: Option<PathBuf>,
}

impl From<TransformerArg> for crate::transform::TransformerKind {
    fn from(t: TransformerArg) -> Self {
        use crate::transform::TransformerKind as K;
        match t {
            TransformerArg::Clerk => K::Clerk,
            TransformerArg::Auth0 => K::Auth0,
            TransformerArg::Authjs => K::Authjs,
            TransformerArg::Betterauth => K::Betterauth,
            TransformerArg::Firebase => K::Firebase,
            TransformerArg::Supabase => K::Supabase,
        }
    }
}

impl From<FormatArg> for crate::source::Format {
    fn from(f: FormatArg) -> Self {
        match f {
            FormatArg::Json => Self::Json,
            FormatArg::Ndjson => Self::Ndjson,
            FormatArg::Csv => Self::Csv,
        }
    }
}

impl From<UnverifiedArg> for crate::user::UnverifiedMode {
    fn from(u: UnverifiedArg) -> Self {
        match u {
            UnverifiedArg::Reserve => Self::Reserve,
            UnverifiedArg::Attach => Self::Attach,
            UnverifiedArg::Drop => Self::Drop,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn resume_after_takes_both_forms() {
        let a = Cli::try_parse_from(["migrate", "-r", "u1"]).expect("parses");
        assert_eq!(a.import.resume_after.as_deref(), Some("u1"));
        let b = Cli::try_parse_from(["migrate", "--resume-after=u2"]).expect("parses");
        assert_eq!(b.import.resume_after.as_deref(), Some("u2"));
    }

    #[test]
    fn import_flags_parse_without_a_subcommand() {
        let cli = Cli::try_parse_from(["migrate", "-y", "-t", "auth0", "-f", "users.json"])
            .expect("parses");
        assert!(cli.command.is_none());
        assert_eq!(cli.import.transformer, Some(TransformerArg::Auth0));
    }
}
