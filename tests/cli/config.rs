//! Configuration from the outside: flags, environment, `.env`, and what happens when a
//! piece is missing or wrong.

use predicates::prelude::*;

use super::util::TestEnv;

const KEY: &str = "sk_test_VerySecretValueNobodyMaySee42";

/// One way to start the binary with settings that cannot work.
struct Case {
    what: &'static str,
    args: &'static [&'static str],
    env: &'static [(&'static str, &'static str)],
    /// A `.env` file in the working directory.
    dotenv: Option<&'static str>,
    code: i32,
    /// Each must be in stderr.
    says: &'static [&'static str],
    /// None may be in stdout or stderr.
    never_says: &'static [&'static str],
}

const IMPORT: [&str; 5] = ["-y", "-t", "clerk", "-f", "users.json"];
const WRONG_PREFIX: &str = "pk_test_NotASecretKeyButStillPrivate99";

const CASES: &[Case] = &[
    Case {
        what: "no key with -y names the three ways to give one",
        args: &IMPORT,
        env: &[],
        dotenv: None,
        code: 2,
        says: &[
            "--clerk-secret-key",
            "CLERK_SECRET_KEY environment variable",
            ".env file",
        ],
        never_says: &[],
    },
    Case {
        what: "a key with a wrong prefix is refused without being echoed",
        args: &[
            "-y",
            "-t",
            "clerk",
            "-f",
            "users.json",
            "--clerk-secret-key",
            WRONG_PREFIX,
        ],
        env: &[],
        dotenv: None,
        code: 2,
        says: &["sk_live_"],
        never_says: &[WRONG_PREFIX],
    },
    Case {
        what: "a malformed key from the environment",
        args: &["-y", "-t", "auth0", "-f", "{auth0_sample}"],
        env: &[("CLERK_SECRET_KEY", "pk_test_not_a_secret_key")],
        dotenv: None,
        code: 2,
        says: &["sk_live_"],
        never_says: &["pk_test_not_a_secret_key"],
    },
    Case {
        what: "no key for a file of users",
        args: &["-y", "-t", "auth0", "-f", "{auth0_sample}"],
        env: &[],
        dotenv: None,
        code: 2,
        says: &["CLERK_SECRET_KEY"],
        never_says: &[],
    },
    Case {
        what: "RATE_LIMIT that is not a number, from the environment",
        args: &IMPORT,
        env: &[("CLERK_SECRET_KEY", KEY), ("RATE_LIMIT", "lots")],
        dotenv: None,
        code: 2,
        says: &["RATE_LIMIT"],
        never_says: &[KEY],
    },
    Case {
        what: "a negative RATE_LIMIT from .env names the file",
        args: &IMPORT,
        env: &[],
        dotenv: Some("CLERK_SECRET_KEY=sk_test_VerySecretValueNobodyMaySee42\nRATE_LIMIT=-4\n"),
        code: 2,
        says: &["RATE_LIMIT", ".env"],
        never_says: &[KEY],
    },
    Case {
        what: "CONCURRENCY_LIMIT of 0 from .env",
        args: &IMPORT,
        env: &[],
        dotenv: Some(
            "CLERK_SECRET_KEY=sk_test_VerySecretValueNobodyMaySee42\nCONCURRENCY_LIMIT=0\n",
        ),
        code: 2,
        says: &["CONCURRENCY_LIMIT"],
        never_says: &[],
    },
    Case {
        what: "--concurrency out of range, not just malformed",
        args: &[
            "-y",
            "-t",
            "clerk",
            "-f",
            "users.json",
            "--concurrency",
            "100000000",
        ],
        env: &[("CLERK_SECRET_KEY", KEY)],
        dotenv: None,
        code: 2,
        says: &["at most 1024"],
        never_says: &[],
    },
    Case {
        what: "--timeout 0",
        args: &["-y", "-t", "clerk", "-f", "users.json", "--timeout", "0"],
        env: &[("CLERK_SECRET_KEY", KEY)],
        dotenv: None,
        code: 2,
        says: &["--timeout"],
        never_says: &[],
    },
    Case {
        what: "a file that is not there is a failure, named",
        args: &[
            "-y",
            "-t",
            "clerk",
            "-f",
            "nope.json",
            "--clerk-secret-key",
            KEY,
        ],
        env: &[],
        dotenv: None,
        code: 1,
        says: &["nope.json"],
        never_says: &[],
    },
    Case {
        what: "a directory as the file is a usage error",
        args: &["-y", "-t", "clerk", "-f", "adir", "--clerk-secret-key", KEY],
        env: &[],
        dotenv: None,
        code: 2,
        says: &["directory"],
        never_says: &[],
    },
    Case {
        what: "no transformer with -y",
        args: &["-y", "-f", "users.json"],
        env: &[],
        dotenv: None,
        code: 2,
        says: &["--transformer"],
        never_says: &[],
    },
    Case {
        what: "Firebase's hash parameters given in part",
        args: &[
            "-y",
            "-t",
            "firebase",
            "-f",
            "users.json",
            "--firebase-rounds",
            "8",
            "--sandbox",
        ],
        env: &[],
        dotenv: None,
        code: 2,
        says: &["--firebase-signer-key"],
        never_says: &[],
    },
    Case {
        what: "plain http to another host",
        args: &[
            "-y",
            "-t",
            "clerk",
            "-f",
            "users.json",
            "--api-url",
            "http://api.example.com",
        ],
        env: &[("CLERK_SECRET_KEY", KEY)],
        dotenv: None,
        code: 2,
        says: &["--allow-insecure-http"],
        never_says: &[],
    },
];

/// Each case exits with its code and says what to fix, never echoing a secret. A missing
/// and a malformed key are both usage errors (exit 2), as README's exit table says; a
/// well-formed key Clerk refuses is a failure (exit 1, tested in import).
#[test]
fn settings_that_cannot_work_exit_with_their_code_and_say_why() {
    let sample = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/auth0.ndjson");
    let sample = sample.display().to_string();
    for case in CASES {
        let env = TestEnv::new();
        env.write("users.json", "[]");
        std::fs::create_dir(env.path().join("adir")).expect("mkdir");
        if let Some(text) = case.dotenv {
            env.write(".env", text);
        }
        let args: Vec<String> = case
            .args
            .iter()
            .map(|a| a.replace("{auth0_sample}", &sample))
            .collect();
        let out = env
            .cmd()
            .args(&args)
            .envs(case.env.iter().copied())
            .output()
            .expect("runs");
        let (stdout, stderr) = (
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
        );
        assert_eq!(
            out.status.code(),
            Some(case.code),
            "{}: {stderr}",
            case.what
        );
        for words in case.says {
            assert!(
                stderr.contains(words),
                "{}: no {words:?} in {stderr}",
                case.what
            );
        }
        for secret in case.never_says {
            assert!(
                !stderr.contains(secret) && !stdout.contains(secret),
                "{}: echoed {secret:?}",
                case.what
            );
        }
    }
}

#[test]
fn conflicting_options_are_usage_errors() {
    let env = TestEnv::new();
    env.write(
        "users.json",
        r#"[{"user_id": "a", "email": "a@example.com"}]"#,
    );
    let base = ["-y", "--dry-run", "-f", "users.json"];
    let cases: [(&[&str], &str); 3] = [
        (
            &["-t", "auth0", "-r", "a", "--no-resume"],
            "cannot be used with",
        ),
        (
            &["-t", "auth0", "--firebase-rounds", "8"],
            "only apply to -t firebase, but the transformer is Auth0",
        ),
        (
            &["-t", "clerk"],
            "no \"id\" field in the first record, which holds the user ID in Clerk exports \
             (found: user_id, email): did you mean -t auth0 or -t betterauth?",
        ),
    ];
    for (args, words) in cases {
        env.cmd()
            .args(base)
            .args(args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(words));
    }
}

#[test]
fn subcommands_parse_their_flags() {
    let env = TestEnv::new();
    for args in [
        vec!["delete", "--all-runs", "-y", "--dry-run", "--json"],
        vec![
            "clean-logs",
            "--older-than",
            "7d",
            "--keep",
            "3",
            "-y",
            "--dry-run",
        ],
        vec!["convert-logs", "--all", "--stdout"],
    ] {
        // A key and an API that answers nothing: only a flag clap refuses exits 2 here.
        let out = env
            .cmd()
            .args(&args)
            .env("CLERK_SECRET_KEY", KEY)
            .env("CLERK_API_URL", "http://127.0.0.1:9")
            .env("MAX_RETRIES", "0")
            .output()
            .expect("runs");
        assert_ne!(
            out.status.code(),
            Some(2),
            "{args:?} did not parse: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
