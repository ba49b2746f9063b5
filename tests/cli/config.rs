//! Configuration from the outside: flags, environment, `.env`, and what happens when a
//! piece is missing or wrong.

use predicates::prelude::*;

use super::util::TestEnv;

const KEY: &str = "sk_test_VerySecretValueNobodyMaySee42";

#[test]
fn missing_key_with_yes_names_the_three_ways() {
    let env = TestEnv::new();
    env.write("users.json", "[]");
    env.cmd()
        .args(["-y", "-t", "clerk", "-f", "users.json"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--clerk-secret-key"))
        .stderr(predicate::str::contains(
            "CLERK_SECRET_KEY environment variable",
        ))
        .stderr(predicate::str::contains(".env file"));
}

#[test]
fn bad_rate_limit_is_exit_2_from_env_and_dotenv() {
    let env = TestEnv::new();
    env.write("users.json", "[]");
    env.cmd()
        .args(["-y", "-t", "clerk", "-f", "users.json"])
        .env("CLERK_SECRET_KEY", KEY)
        .env("RATE_LIMIT", "lots")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("RATE_LIMIT"));
    env.write(".env", &format!("CLERK_SECRET_KEY={KEY}\nRATE_LIMIT=-4\n"));
    env.cmd()
        .args(["-y", "-t", "clerk", "-f", "users.json"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("RATE_LIMIT").and(predicate::str::contains(".env")));
    env.write(
        ".env",
        &format!("CLERK_SECRET_KEY={KEY}\nCONCURRENCY_LIMIT=0\n"),
    );
    env.cmd()
        .args(["-y", "-t", "clerk", "-f", "users.json"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("CONCURRENCY_LIMIT"));
    // Out of range, not just malformed: refused before anything starts.
    for (flag, value, words) in [
        ("--concurrency", "100000000", "at most 1024"),
        ("--timeout", "0", "--timeout"),
    ] {
        env.cmd()
            .args(["-y", "-t", "clerk", "-f", "users.json", flag, value])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(words));
    }
}

#[test]
fn key_with_a_wrong_prefix_is_refused_without_echoing_it() {
    let env = TestEnv::new();
    env.write("users.json", "[]");
    let secret = "pk_test_NotASecretKeyButStillPrivate99";
    let out = env
        .cmd()
        .args([
            "-y",
            "-t",
            "clerk",
            "-f",
            "users.json",
            "--clerk-secret-key",
            secret,
        ])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("sk_live_"), "{stderr}");
    assert!(!stderr.contains(secret));
    assert!(!String::from_utf8_lossy(&out.stdout).contains(secret));
}

#[test]
fn missing_file_and_directory() {
    let env = TestEnv::new();
    env.cmd()
        .args([
            "-y",
            "-t",
            "clerk",
            "-f",
            "nope.json",
            "--clerk-secret-key",
            KEY,
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("nope.json"));
    std::fs::create_dir(env.path().join("adir")).expect("mkdir");
    env.cmd()
        .args(["-y", "-t", "clerk", "-f", "adir", "--clerk-secret-key", KEY])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("directory"));
}

#[test]
fn missing_transformer_with_yes_is_a_usage_error() {
    let env = TestEnv::new();
    env.write("users.json", "[]");
    env.cmd()
        .args(["-y", "-f", "users.json"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--transformer"));
}

#[test]
fn partial_firebase_parameters_are_refused() {
    let env = TestEnv::new();
    env.write("users.json", "[]");
    env.cmd()
        .args([
            "-y",
            "-t",
            "firebase",
            "-f",
            "users.json",
            "--firebase-rounds",
            "8",
            "--sandbox",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--firebase-signer-key"));
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

#[test]
fn plain_http_to_another_host_is_refused() {
    let env = TestEnv::new();
    env.write("users.json", "[]");
    env.cmd()
        .args([
            "-y",
            "-t",
            "clerk",
            "-f",
            "users.json",
            "--api-url",
            "http://api.example.com",
        ])
        .env("CLERK_SECRET_KEY", KEY)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--allow-insecure-http"));
}

/// A missing and a malformed secret key are both usage errors (exit 2), as README's exit
/// table says; a well-formed key Clerk refuses is a failure (exit 1, tested in import).
#[test]
fn a_missing_or_malformed_key_exits_2() {
    let env = TestEnv::new();
    let sample = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/auth0.ndjson");
    for key in [None, Some("pk_test_not_a_secret_key")] {
        let mut cmd = env.cmd();
        cmd.args(["-y", "-t", "auth0", "-f"]).arg(&sample);
        if let Some(k) = key {
            cmd.env("CLERK_SECRET_KEY", k);
        }
        let out = cmd.output().expect("runs");
        assert_eq!(
            out.status.code(),
            Some(2),
            "{key:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
