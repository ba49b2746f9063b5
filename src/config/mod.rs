//! Resolves raw arguments, the environment, `.env` and prompts into typed settings, once.
//!
//! Precedence is flag > process environment > `.env` > prompt. Clap already applies the
//! first two for flags declared with `env = …`; this module adds `.env` (kept in a map)
//! and, only when a person is at a terminal and `-y` was not given, the prompts.
//! Nothing downstream reads the environment.

pub mod dotenv;
pub mod prompt;
pub mod secret;

use std::path::{Path, PathBuf};

use crate::cli::{ConnectionArgs, ImportArgs};
use crate::prepare::fit::Detected;
use crate::source::Format;
use crate::transform::{FirebaseHashConfig, TransformerKind};
use crate::user::UnverifiedMode;

pub use dotenv::DotEnv;
pub use prompt::{PromptError, Prompter};
pub use secret::{InstanceKind, KeyError, SecretKey};

/// Where the secret key can come from, for the "missing key" hint.
pub const KEY_SOURCES_HINT: &str = "provide the secret key in one of three ways:\n  \
1. the --clerk-secret-key flag\n  \
2. the CLERK_SECRET_KEY environment variable (export CLERK_SECRET_KEY=sk_test_...)\n  \
3. a .env file in the working directory with CLERK_SECRET_KEY=sk_test_...\n\
Keys are under API Keys in the Clerk Dashboard: https://dashboard.clerk.com/~/api-keys";

/// A setting that could not be resolved.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "missing required argument --transformer (-t) (with -y, or without a terminal to ask at): no transformer's user ID field is in the file"
    )]
    MissingTransformer,
    #[error(
        "missing required argument --transformer (-t): the file fits {0} about equally well, so name the system it came from"
    )]
    AmbiguousTransformer(String),
    #[error("missing required argument --file (-f) (with -y, or without a terminal to ask at)")]
    MissingFile,
    #[error("file not found: {}", .0.display())]
    FileNotFound(PathBuf),
    #[error("{} is a directory, not an export file", .0.display())]
    NotAFile(PathBuf),
    #[error("no Clerk secret key was given")]
    MissingKey,
    #[error("invalid secret key from {origin}")]
    BadKey {
        origin: &'static str,
        #[source]
        source: KeyError,
    },
    #[error("invalid {name} {value:?} from {origin}: {reason}")]
    InvalidValue {
        name: &'static str,
        value: String,
        origin: &'static str,
        reason: String,
    },
    #[error(
        "Firebase needs all four hash parameters together: --firebase-signer-key, \
         --firebase-salt-separator, --firebase-rounds and --firebase-mem-cost"
    )]
    FirebasePartial,
    #[error(
        "--auth0-passwords only applies to -t auth0, but the transformer is {0}: drop it, \
         or pick -t auth0 if the file is an Auth0 export"
    )]
    Auth0PasswordsElsewhere(&'static str),
    #[error(
        "the --firebase-* options only apply to -t firebase, but the transformer is {0}: \
         drop them, or pick -t firebase if the file is a Firebase export"
    )]
    FirebaseOptionsElsewhere(&'static str),
    #[error(transparent)]
    DotEnv(#[from] dotenv::DotEnvError),
    #[error("cancelled")]
    Cancelled,
    #[error("failed to ask a question at the terminal")]
    Prompt(#[source] std::io::Error),
}

impl ConfigError {
    /// Whether the error is a usage mistake (exit 2) rather than a failure (exit 1).
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            Self::MissingTransformer
                | Self::AmbiguousTransformer(_)
                | Self::MissingFile
                | Self::NotAFile(_)
                | Self::MissingKey
                | Self::BadKey { .. }
                | Self::InvalidValue { .. }
                | Self::FirebasePartial
                | Self::FirebaseOptionsElsewhere(_)
                | Self::Auth0PasswordsElsewhere(_)
        )
    }

    /// A next step for the person, printed on its own line.
    fn static_hint(&self) -> Option<&'static str> {
        match self {
            Self::MissingKey => Some(KEY_SOURCES_HINT),
            Self::MissingTransformer | Self::AmbiguousTransformer(_) | Self::MissingFile => {
                Some("`migrate --help` lists the options, with examples")
            }
            Self::BadKey { .. } => Some(
                "copy the Secret key (not the Publishable key) from https://dashboard.clerk.com/~/api-keys",
            ),
            _ => None,
        }
    }
}

impl crate::hint::Hint for ConfigError {
    fn hint(&self) -> Option<String> {
        self.static_hint().map(str::to_owned)
    }
}

impl From<PromptError> for ConfigError {
    fn from(e: PromptError) -> Self {
        match e {
            PromptError::Cancelled => Self::Cancelled,
            PromptError::Io(io) => Self::Prompt(io),
        }
    }
}

/// Where requests go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// An embedded sandbox started for this run.
    Sandbox,
    /// A BAPI base URL (without `/v1`).
    Url(String),
}

/// A resolved Clerk target: endpoint, key and pacing.
#[derive(Debug, Clone)]
pub struct TargetSettings {
    pub endpoint: Endpoint,
    pub key: SecretKey,
    /// Requests per second.
    pub rate: f64,
    /// Cap on requests in flight, if the user set one.
    pub concurrency: Option<usize>,
    pub max_retries: u32,
    pub timeout: std::time::Duration,
}

/// Everything an import needs, resolved.
#[derive(Debug, Clone)]
pub struct ImportSettings {
    pub transformer: TransformerKind,
    /// The transformer was not given but read off the file.
    pub detected: bool,
    pub file: PathBuf,
    pub format: Option<Format>,
    pub resume_after: Option<String>,
    pub resume: bool,
    pub require_password: bool,
    pub unverified: UnverifiedMode,
    pub dry_run: bool,
    /// `--dry-run --live`: the dry run also asks the instance.
    pub live: bool,
    /// `--preflight`: look users up before sending, as interactive runs do.
    pub preflight: bool,
    pub yes: bool,
    pub json: bool,
    pub log_dir: PathBuf,
    pub firebase: Option<FirebaseHashConfig>,
    /// Auth0's support export of password hashes, to merge into the user export.
    pub auth0_passwords: Option<PathBuf>,
    /// `None` for a dry run, which sends nothing.
    pub target: Option<TargetSettings>,
}

/// The sources of configuration besides the parsed flags.
pub struct Context<'a> {
    pub dotenv: &'a DotEnv,
    /// `Some` only when a person can answer (a terminal, no `-y`).
    pub prompter: Option<&'a mut dyn Prompter>,
    /// Where a prompted key may be saved.
    pub dotenv_path: &'a Path,
    /// The key `--sandbox` uses when none is configured: the embedded sandbox's own,
    /// given by the caller that starts it.
    pub sandbox_key: &'a str,
}

/// Resolves the import's settings.
pub fn resolve_import(
    args: &ImportArgs,
    ctx: &mut Context<'_>,
) -> Result<ImportSettings, ConfigError> {
    let file = match &args.file {
        Some(f) => f.clone(),
        None => match ctx.prompter.as_deref_mut() {
            Some(p) => PathBuf::from(
                p.input(
                    "Specify the file to use for importing your users",
                    None,
                    false,
                )?
                .trim(),
            ),
            None => return Err(ConfigError::MissingFile),
        },
    };
    check_file(&file)?;
    let (transformer, detected) = match args.transformer {
        Some(t) => (t.into(), false),
        None => {
            let found = crate::prepare::fit::detect(&file, args.format.map(Into::into));
            match ctx.prompter.as_deref_mut() {
                Some(p) => {
                    let all = TransformerKind::ALL;
                    let best = match &found {
                        Detected::One(k) => Some(*k),
                        Detected::Several(ks) => ks.first().copied(),
                        Detected::None => None,
                    };
                    let items: Vec<String> = all
                        .iter()
                        .map(|t| {
                            let fits = if Some(*t) == best {
                                ", fits this file"
                            } else {
                                ""
                            };
                            format!("{} ({}{fits})", t.label(), t.key())
                        })
                        .collect();
                    let default = all.iter().position(|t| Some(*t) == best).unwrap_or(0);
                    let pick = p.select(
                        "Which transformer should be used for your user data?",
                        &items,
                        default,
                    )?;
                    (
                        all.get(pick).copied().unwrap_or(TransformerKind::Clerk),
                        false,
                    )
                }
                None => match found {
                    Detected::One(k) => (k, true),
                    Detected::Several(ks) => {
                        let named: Vec<String> =
                            ks.iter().map(|k| format!("-t {}", k.key())).collect();
                        return Err(ConfigError::AmbiguousTransformer(named.join(" or ")));
                    }
                    Detected::None => return Err(ConfigError::MissingTransformer),
                },
            }
        }
    };
    // Never asked: running the same file again resumes by itself, and the import says
    // how many users an earlier run created before it asks anything. `-r` stays for
    // resuming by position.
    let resume_after = args
        .resume_after
        .as_ref()
        .map(|r| r.trim().to_owned())
        .filter(|r| !r.is_empty());
    let firebase = if transformer == TransformerKind::Firebase {
        resolve_firebase(args, ctx)?
    } else if args.firebase.any_given() {
        return Err(ConfigError::FirebaseOptionsElsewhere(transformer.label()));
    } else {
        None
    };
    let auth0_passwords = resolve_auth0_passwords(args, transformer, ctx)?;
    let target = if args.dry_run && !args.live {
        None
    } else {
        Some(resolve_target(&args.connection, ctx)?)
    };
    Ok(ImportSettings {
        transformer,
        detected,
        file,
        format: args.format.map(Into::into),
        resume_after,
        resume: !args.no_resume,
        require_password: args.require_password,
        unverified: args.unverified.into(),
        dry_run: args.dry_run,
        live: args.live,
        preflight: args.preflight,
        yes: args.yes,
        json: args.output.json,
        log_dir: args.output.log_dir.clone(),
        firebase,
        auth0_passwords,
        target,
    })
}

/// `--auth0-passwords`, or at a terminal a question when the source is Auth0: Auth0
/// exports users without hashes, which come only from Auth0 support, in a file of their own.
fn resolve_auth0_passwords(
    args: &ImportArgs,
    transformer: TransformerKind,
    ctx: &mut Context<'_>,
) -> Result<Option<PathBuf>, ConfigError> {
    if let Some(path) = &args.auth0_passwords {
        if transformer != TransformerKind::Auth0 {
            return Err(ConfigError::Auth0PasswordsElsewhere(transformer.label()));
        }
        check_file(path)?;
        return Ok(Some(path.clone()));
    }
    let (TransformerKind::Auth0, Some(p)) = (transformer, ctx.prompter.as_deref_mut()) else {
        return Ok(None);
    };
    if !p.confirm(
        "Do you have a password hash export from Auth0 support to merge?",
        false,
    )? {
        return Ok(None);
    }
    loop {
        let answer = p.input(
            "Path of the Auth0 password export (JSON or NDJSON)",
            None,
            false,
        )?;
        let path = PathBuf::from(answer.trim());
        match check_file(&path) {
            Ok(()) => return Ok(Some(path)),
            Err(e) => p.note(&e.to_string()),
        }
    }
}

fn check_file(file: &Path) -> Result<(), ConfigError> {
    if file.is_dir() {
        Err(ConfigError::NotAFile(file.to_owned()))
    } else if !file.exists() {
        Err(ConfigError::FileNotFound(file.to_owned()))
    } else {
        Ok(())
    }
}

fn resolve_firebase(
    args: &ImportArgs,
    ctx: &mut Context<'_>,
) -> Result<Option<FirebaseHashConfig>, ConfigError> {
    let f = &args.firebase;
    match (
        &f.firebase_signer_key,
        &f.firebase_salt_separator,
        f.firebase_rounds,
        f.firebase_mem_cost,
    ) {
        (Some(signer), Some(sep), Some(rounds), Some(mem)) => {
            let signer_key = base64_setting("--firebase-signer-key", signer)?;
            let salt_separator = base64_setting("--firebase-salt-separator", sep)?;
            Ok(Some(FirebaseHashConfig {
                signer_key,
                salt_separator,
                rounds,
                mem_cost: mem,
            }))
        }
        (None, None, None, None) => {
            let Some(p) = ctx.prompter.as_deref_mut() else {
                return Ok(None);
            };
            if !p.confirm(
                "Do the Firebase users have password hashes to migrate?",
                true,
            )? {
                return Ok(None);
            }
            p.note("Find them in the Firebase Console: Authentication → Users → ⋮ → Password hash parameters.");
            let signer = prompt_base64(p, "Enter the Signer Key (base64 encoded)")?;
            let sep = prompt_base64(p, "Enter the Salt Separator (base64 encoded)")?;
            let rounds = prompt_number(p, "Enter the Rounds value")?;
            let mem = prompt_number(p, "Enter the Memory Cost value")?;
            Ok(Some(FirebaseHashConfig {
                signer_key: signer.trim().to_owned(),
                salt_separator: sep.trim().to_owned(),
                rounds,
                mem_cost: mem,
            }))
        }
        _ => Err(ConfigError::FirebasePartial),
    }
}

/// A Firebase hash parameter, which Firebase's console shows in standard base64: checked
/// now, or every password user would fail at create.
fn base64_setting(name: &'static str, value: &str) -> Result<String, ConfigError> {
    use base64::Engine;
    let value = value.trim();
    match base64::engine::general_purpose::STANDARD.decode(value) {
        Ok(bytes) if !bytes.is_empty() => Ok(value.to_owned()),
        Ok(_) => Err(ConfigError::InvalidValue {
            name,
            value: String::new(),
            origin: "the command line",
            reason: "it is empty: copy it from the Firebase Console (Authentication → Users → ⋮ → Password hash parameters)".to_owned(),
        }),
        Err(e) => Err(ConfigError::InvalidValue {
            name,
            value: "(not shown)".to_owned(),
            origin: "the command line",
            reason: format!(
                "it is not valid base64 ({e}): copy it as the Firebase Console shows it (Authentication → Users → ⋮ → Password hash parameters)"
            ),
        }),
    }
}

fn prompt_base64(p: &mut dyn Prompter, question: &str) -> Result<String, ConfigError> {
    loop {
        let answer = p.input(question, None, false)?;
        match base64_setting("the value", &answer) {
            Ok(v) => return Ok(v),
            Err(_) => p.note("That is not base64: copy it as the Firebase Console shows it."),
        }
    }
}

fn prompt_number(p: &mut dyn Prompter, question: &str) -> Result<u32, ConfigError> {
    loop {
        let answer = p.input(question, None, false)?;
        match answer.trim().parse::<u32>() {
            Ok(n) => return Ok(n),
            Err(_) => p.note("Please enter a whole number."),
        }
    }
}

/// Resolves endpoint, key and pacing for commands that talk to Clerk.
pub fn resolve_target(
    args: &ConnectionArgs,
    ctx: &mut Context<'_>,
) -> Result<TargetSettings, ConfigError> {
    let flag_or_env_key = args
        .clerk_secret_key
        .as_deref()
        .filter(|k| !k.trim().is_empty());
    let (endpoint, key) = if args.sandbox {
        let key = match flag_or_env_key.or(ctx.dotenv.get("CLERK_SECRET_KEY")) {
            Some(k) => parse_key(k, "the configuration")?,
            None => parse_key(ctx.sandbox_key, "the sandbox")?,
        };
        (Endpoint::Sandbox, key)
    } else {
        let key = match (flag_or_env_key, ctx.dotenv.get("CLERK_SECRET_KEY")) {
            (Some(k), _) => parse_key(k, "--clerk-secret-key or CLERK_SECRET_KEY")?,
            (None, Some(k)) => parse_key(k, ".env")?,
            (None, None) => prompt_key(ctx)?,
        };
        let url = args
            .api_url
            .clone()
            .or_else(|| ctx.dotenv.get("CLERK_API_URL").map(str::to_owned))
            .unwrap_or_else(|| "https://api.clerk.com".to_owned());
        check_url(&url, args.allow_insecure_http)?;
        (Endpoint::Url(url), key)
    };
    let rate = match number_setting(
        args.rate_limit.as_deref(),
        ctx.dotenv.get("RATE_LIMIT"),
        "RATE_LIMIT",
    )? {
        Some((v, origin)) => parse_rate(&v).map_err(|reason| ConfigError::InvalidValue {
            name: "RATE_LIMIT",
            value: v,
            origin,
            reason,
        })?,
        None => key.kind().default_rate(),
    };
    let concurrency = match number_setting(
        args.concurrency.as_deref(),
        ctx.dotenv.get("CONCURRENCY_LIMIT"),
        "CONCURRENCY_LIMIT",
    )? {
        Some((v, origin)) => {
            Some(
                parse_concurrency(&v).map_err(|reason| ConfigError::InvalidValue {
                    name: "CONCURRENCY_LIMIT",
                    value: v,
                    origin,
                    reason,
                })?,
            )
        }
        None => None,
    };
    Ok(TargetSettings {
        endpoint,
        key,
        rate,
        concurrency,
        max_retries: args.max_retries,
        timeout: std::time::Duration::from_secs(args.timeout),
    })
}

fn number_setting(
    flag_or_env: Option<&str>,
    dotenv: Option<&str>,
    _name: &'static str,
) -> Result<Option<(String, &'static str)>, ConfigError> {
    Ok(match (flag_or_env, dotenv) {
        (Some(v), _) => Some((v.to_owned(), "the flag or environment")),
        (None, Some(v)) => Some((v.to_owned(), ".env")),
        (None, None) => None,
    })
}

/// Refuses URLs that are not http(s), and plain http to anything but this machine.
fn check_url(url: &str, allow_insecure: bool) -> Result<(), ConfigError> {
    let invalid = |reason: &str| ConfigError::InvalidValue {
        name: "CLERK_API_URL",
        value: url.to_owned(),
        origin: "--api-url or CLERK_API_URL",
        reason: reason.to_owned(),
    };
    let rest = if let Some(rest) = url.strip_prefix("https://") {
        rest
    } else if let Some(rest) = url.strip_prefix("http://") {
        let host = rest.split(['/', '?', '#']).next().unwrap_or("");
        let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
        let name = if host.starts_with('[') {
            host.split(']')
                .next()
                .map(|h| h.trim_start_matches('['))
                .unwrap_or("")
        } else {
            host.split(':').next().unwrap_or("")
        };
        let loopback = name == "localhost"
            || name
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback());
        if !loopback && !allow_insecure {
            return Err(invalid(
                "plain http would send the secret key unencrypted; use https, or pass --allow-insecure-http",
            ));
        }
        rest
    } else {
        return Err(invalid(
            "must start with https:// (or http:// for a local sandbox)",
        ));
    };
    if rest.is_empty() {
        return Err(invalid("has no host"));
    }
    Ok(())
}

fn parse_key(raw: &str, origin: &'static str) -> Result<SecretKey, ConfigError> {
    SecretKey::parse(raw).map_err(|source| ConfigError::BadKey { origin, source })
}

fn prompt_key(ctx: &mut Context<'_>) -> Result<SecretKey, ConfigError> {
    let Some(p) = ctx.prompter.as_deref_mut() else {
        return Err(ConfigError::MissingKey);
    };
    p.note("No CLERK_SECRET_KEY found in the environment or .env.");
    let key = loop {
        let raw = p.secret("Enter your Clerk Secret Key (sk_test_… or sk_live_…)")?;
        match SecretKey::parse(&raw) {
            Ok(k) => break k,
            Err(e) => p.note(&format!("That key was not accepted: {e}.")),
        }
    };
    let question = if ctx.dotenv_path.exists() {
        "Save CLERK_SECRET_KEY to your existing .env file (owner-only permissions)?"
    } else {
        "Create a .env file with your secret key (owner-only permissions)?"
    };
    if p.confirm(question, true)? {
        use secrecy::ExposeSecret;
        match dotenv::save_key(ctx.dotenv_path, key.for_client().expose_secret()) {
            Ok(dotenv::SaveOutcome::Created) => p.note("Created .env with CLERK_SECRET_KEY."),
            Ok(dotenv::SaveOutcome::Replaced) => p.note("Updated CLERK_SECRET_KEY in .env."),
            Ok(dotenv::SaveOutcome::Appended) => p.note("Added CLERK_SECRET_KEY to .env."),
            Err(e) => p.note(&format!(
                "Could not save the key ({e}); it still works for this run."
            )),
        }
    }
    Ok(key)
}

/// Parses a requests-per-second value: a positive, finite number (fractions allowed).
pub fn parse_rate(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v > MAX_RATE => Err(format!(
            "must be at most {MAX_RATE} requests per second (Clerk's limits are far lower)"
        )),
        Ok(v) if v.is_finite() && v > 0.0 => Ok(v),
        Ok(_) => Err("must be greater than 0".to_owned()),
        Err(_) => Err("must be a number of requests per second, e.g. 100".to_owned()),
    }
}

/// The highest `RATE_LIMIT` accepted.
const MAX_RATE: f64 = 10_000.0;

/// The most calls in flight: beyond this they would only queue behind the rate limit,
/// each holding memory.
const MAX_CONCURRENCY: usize = 1024;

/// Parses a concurrency cap: a positive whole number.
pub fn parse_concurrency(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(0) => Err("must be at least 1".to_owned()),
        Ok(v) if v > MAX_CONCURRENCY => Err(format!(
            "must be at most {MAX_CONCURRENCY}: more calls in flight only wait behind the rate limit"
        )),
        Ok(v) => Ok(v),
        Err(_) => Err("must be a whole number, e.g. 10".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn args(extra: &[&str]) -> ConnectionArgs {
        let mut argv = vec!["migrate"];
        argv.extend_from_slice(extra);
        crate::cli::Cli::try_parse_from(argv)
            .expect("parses")
            .import
            .connection
    }

    fn resolve(args: &ConnectionArgs, dotenv: &DotEnv) -> Result<TargetSettings, ConfigError> {
        let path = PathBuf::from("/nonexistent/.env");
        let mut ctx = Context {
            dotenv,
            prompter: None,
            dotenv_path: &path,
            sandbox_key: "sk_test_embedded0000000000000000",
        };
        resolve_target(args, &mut ctx)
    }

    #[test]
    fn flag_beats_dotenv_and_dotenv_fills_gaps() {
        let dotenv = DotEnv::from_pairs(&[
            ("CLERK_SECRET_KEY", "sk_test_fromdotenv"),
            ("RATE_LIMIT", "3"),
        ]);
        let t = resolve(&args(&["--clerk-secret-key", "sk_live_fromflag"]), &dotenv).expect("ok");
        assert_eq!(t.key.kind(), InstanceKind::Production);
        assert_eq!(t.rate, 3.0);
        let t = resolve(&args(&[]), &dotenv).expect("ok");
        assert_eq!(t.key.kind(), InstanceKind::Development);
        let t = resolve(&args(&["--rate-limit", "7.5"]), &dotenv).expect("ok");
        assert_eq!(t.rate, 7.5);
    }

    #[test]
    fn defaults_follow_the_key_kind() {
        let none = DotEnv::default();
        assert_eq!(
            resolve(&args(&["--clerk-secret-key", "sk_live_x"]), &none)
                .expect("ok")
                .rate,
            100.0
        );
        assert_eq!(
            resolve(&args(&["--clerk-secret-key", "sk_test_x"]), &none)
                .expect("ok")
                .rate,
            10.0
        );
    }

    #[test]
    fn bad_numbers_are_usage_errors() {
        let dotenv =
            DotEnv::from_pairs(&[("CLERK_SECRET_KEY", "sk_test_x"), ("RATE_LIMIT", "fast")]);
        let e = resolve(&args(&[]), &dotenv).unwrap_err();
        assert!(e.is_usage());
        assert!(e.to_string().contains("RATE_LIMIT"), "{e}");
        for bad in ["0", "-1", "NaN", "inf", "10001"] {
            assert!(parse_rate(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_rate("10000"), Ok(10_000.0));
        assert!(parse_concurrency("0").is_err());
        assert!(parse_concurrency("1025").is_err());
        assert_eq!(parse_concurrency("1024"), Ok(1024));
    }

    #[test]
    fn plain_http_only_to_this_machine() {
        assert!(check_url("https://api.clerk.com", false).is_ok());
        assert!(check_url("http://127.0.0.1:8787", false).is_ok());
        assert!(check_url("http://localhost:8787/", false).is_ok());
        assert!(check_url("http://[::1]:8787", false).is_ok());
        assert!(check_url("http://api.example.com", false).is_err());
        assert!(check_url("http://api.example.com", true).is_ok());
        assert!(check_url("ftp://x", true).is_err());
        assert!(check_url("https://", false).is_err());
    }

    #[test]
    fn missing_key_without_a_prompter() {
        let e = resolve(&args(&[]), &DotEnv::default()).unwrap_err();
        assert!(matches!(e, ConfigError::MissingKey));
        // A setting the invocation lacks, like a missing -t: exit 2, as README says.
        assert!(e.is_usage());
    }
}
