//! `delete`, `clean-logs` and `convert-logs`.

use std::time::{Duration, SystemTime};

use migrate::sandbox::SandboxConfig;
use serde_json::{Value, json};

use super::sandbox_api::Api;
use super::util::{LIVE_KEY, import_args, report, run, users_file};
use super::util::{TestEnv, start_sandbox};

fn vars(rate: &str) -> Vec<(&'static str, String)> {
    vec![
        ("CLERK_SECRET_KEY", LIVE_KEY.to_owned()),
        ("RATE_LIMIT", rate.to_owned()),
    ]
}

/// Imports `n` generated users at `rate` and checks that all were created.
async fn import_all(
    sandbox: &migrate::sandbox::SandboxHandle,
    env: &TestEnv,
    n: usize,
    rate: &str,
) {
    let file = users_file(env, n);
    let out = run(env, import_args(sandbox, "clerk", &file, &[]), vars(rate)).await;
    assert_eq!(report(&out)["created"].as_u64(), Some(n as u64));
}

fn delete_args(sandbox: &migrate::sandbox::SandboxHandle, extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = vec![
        "delete".into(),
        "--json".into(),
        "--api-url".into(),
        sandbox.base_url(),
    ];
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    args
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_removes_exactly_what_the_import_created() {
    let sandbox = super::util::live_sandbox(10_000, 10).await;
    let api = Api::new(&sandbox, LIVE_KEY);
    // Users that were there before: one carries a source ID of the file, one a similar email.
    for body in [
        json!({"external_id": "src_00001", "email_address": ["someone.else@example.com"], "skip_password_requirement": true}),
        json!({"external_id": "legacy_7", "email_address": ["user7@example.org"], "skip_password_requirement": true}),
        json!({"username": "admin", "skip_password_requirement": true}),
    ] {
        assert_eq!(api.post("/users", body).await.status, 200);
    }
    let env = TestEnv::new();
    let file = users_file(&env, 20);
    let out = run(
        &env,
        import_args(&sandbox, "clerk", &file, &[]),
        vars("1000"),
    )
    .await;
    let r = report(&out);
    assert_eq!(
        (r["created"].as_u64(), r["already_exists"].as_u64()),
        (Some(19), Some(1)),
        "{r}"
    );
    assert_eq!(sandbox.user_count(), 22);

    // Preview only; a key typed as a flag draws a warning.
    let typed = delete_args(&sandbox, &["--dry-run", "--clerk-secret-key", LIVE_KEY]);
    let out = run(&env, typed, vars("1000")).await;
    assert_eq!(report(&out)["to_delete"], 19);
    assert!(String::from_utf8_lossy(&out.stderr).contains("puts the key in your shell history"));
    assert_eq!(sandbox.user_count(), 22);
    // No terminal and no -y: refused.
    let out = run(&env, delete_args(&sandbox, &[]), vars("1000")).await;
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(sandbox.user_count(), 22);

    let out = run(&env, delete_args(&sandbox, &["-y"]), vars("1000")).await;
    let d = report(&out);
    assert_eq!(out.status.code(), Some(0), "{d}");
    assert_eq!(
        (d["deleted"].as_u64(), d["failed"].as_u64()),
        (Some(19), Some(0)),
        "{d}"
    );
    assert_eq!(d["mode"], "delete");
    assert!(
        d["log_file"]
            .as_str()
            .is_some_and(|f| f.contains("user-deletion-"))
    );
    assert_eq!(
        sandbox.user_count(),
        3,
        "only the pre-existing users remain"
    );
    for ext in ["src_00001", "legacy_7"] {
        let found = api.get(&format!("/users?external_id={ext}")).await.body;
        assert_eq!(
            found.as_array().map(Vec::len),
            Some(1),
            "{ext} must survive"
        );
    }
    // Again: nothing left to do, and it says so.
    let out = run(&env, delete_args(&sandbox, &["-y"]), vars("1000")).await;
    let d = report(&out);
    assert_eq!(
        (d["deleted"].as_u64(), d["not_found"].as_u64()),
        (Some(0), Some(19)),
        "{d}"
    );
    assert_eq!(out.status.code(), Some(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_by_file_skips_changed_and_pre_existing_users() {
    let sandbox = start_sandbox(SandboxConfig {
        secret_key: LIVE_KEY.into(),
        rate: Some(10_000),
        ..SandboxConfig::default()
    })
    .await;
    let api = Api::new(&sandbox, LIVE_KEY);
    assert_eq!(api.post("/users", json!({"external_id": "src_00002", "username": "old", "skip_password_requirement": true})).await.status, 200);
    let env = TestEnv::new();
    let file = users_file(&env, 6);
    let r = report(
        &run(
            &env,
            import_args(&sandbox, "clerk", &file, &[]),
            vars("1000"),
        )
        .await,
    );
    assert_eq!(r["created"], 5);
    // Someone re-keyed a migrated user after the import: a log-based delete leaves it alone.
    let moved = api.get("/users?external_id=src_00003").await.body[0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let patched = api
        .send(
            reqwest::Method::PATCH,
            &format!("/users/{moved}"),
            Some(&json!({"external_id": "crm_3"})),
        )
        .await;
    assert_eq!(patched.status, 200);
    let d = report(&run(&env, delete_args(&sandbox, &["-y"]), vars("1000")).await);
    assert_eq!(
        (d["deleted"].as_u64(), d["skipped"].as_u64()),
        (Some(4), Some(1)),
        "{d}"
    );
    assert_eq!(sandbox.user_count(), 2);

    // By file: the source IDs found in the instance, minus users that pre-existed.
    let out = run(
        &env,
        import_args(&sandbox, "clerk", &file, &["--no-resume"]),
        vars("1000"),
    )
    .await;
    let r = report(&out);
    // src_00003's email still belongs to the re-keyed user, so it cannot be created again.
    assert_eq!(
        (r["created"].as_u64(), r["failed"].as_u64()),
        (Some(4), Some(1)),
        "{r}"
    );
    let mut args = delete_args(&sandbox, &["-y", "-t", "clerk", "-f"]);
    args.push(file.display().to_string());
    let d = report(&run(&env, args, vars("1000")).await);
    assert_eq!(d["deleted"], 4, "{d}");
    assert_eq!(
        api.get("/users?external_id=crm_3")
            .await
            .body
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    assert_eq!(
        api.get("/users?external_id=src_00002")
            .await
            .body
            .as_array()
            .map(Vec::len),
        Some(1)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_respects_the_rate_limit() {
    // The instance allows 1000 requests per 10 s, strictly, and the tool runs at 100/s.
    let sandbox = start_sandbox(SandboxConfig {
        secret_key: LIVE_KEY.into(),
        rate: Some(1000),
        ..SandboxConfig::default()
    })
    .await;
    let env = TestEnv::new();
    import_all(&sandbox, &env, 250, "100").await;
    let d = report(&run(&env, delete_args(&sandbox, &["-y"]), vars("100")).await);
    assert_eq!(d["deleted"], 250, "{d}");
    assert_eq!(sandbox.stats().rate_limited, 0);
    assert_eq!(sandbox.user_count(), 0);
}

fn age(path: &std::path::Path, days: u64) {
    let file = std::fs::File::options()
        .write(true)
        .open(path)
        .expect("open");
    file.set_modified(SystemTime::now() - Duration::from_secs(days * 86_400))
        .expect("set mtime");
}

#[test]
fn clean_logs_filters_by_age_and_count() {
    let env = TestEnv::new();
    let logs = env.path().join("logs");
    std::fs::create_dir_all(logs.join("keep-me")).expect("mkdir");
    for (name, days) in [
        ("migration-a.log", 30),
        ("migration-b.log", 10),
        ("migration-c.log", 2),
        ("user-deletion-d.log", 1),
    ] {
        let p = logs.join(name);
        std::fs::write(&p, "{}\n").expect("write");
        age(&p, days);
    }
    std::fs::write(logs.join("notes.txt"), "mine").expect("write");
    let out = env
        .cmd()
        .args(["clean-logs", "--older-than", "7d", "--dry-run", "--json"])
        .output()
        .expect("runs");
    let r: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(r["would_remove"].as_array().map(Vec::len), Some(2));
    assert!(logs.join("migration-a.log").exists());
    env.cmd()
        .args(["clean-logs", "--older-than", "7d"])
        .assert()
        .code(2);
    let out = env
        .cmd()
        .args(["clean-logs", "--older-than", "7d", "-y", "--json"])
        .output()
        .expect("runs");
    let r: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(r["removed"].as_array().map(Vec::len), Some(2));
    assert!(!logs.join("migration-a.log").exists() && !logs.join("migration-b.log").exists());
    let out = env
        .cmd()
        .args(["clean-logs", "--keep", "1", "-y", "--json"])
        .output()
        .expect("runs");
    let r: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(r["removed"].as_array().map(Vec::len), Some(1));
    assert!(
        logs.join("user-deletion-d.log").exists(),
        "the newest is kept"
    );
    assert!(
        logs.join("notes.txt").exists() && logs.join("keep-me").is_dir(),
        "other files and folders stay"
    );
    env.cmd()
        .args(["clean-logs", "--older-than", "a week"])
        .assert()
        .code(2);
}

#[test]
fn convert_logs_survives_a_torn_line() {
    let env = TestEnv::new();
    let logs = env.path().join("logs");
    std::fs::create_dir_all(&logs).expect("mkdir");
    std::fs::write(
        logs.join("migration-x.log"),
        "{\"type\":\"run\"}\n{\"userId\":\"a\",\"status\":\"success\"}\n{\"userId\":\"b\",\"sta",
    )
    .expect("write");
    std::fs::write(
        logs.join("migration-y.log"),
        "{\"userId\":\"c\",\"status\":\"error\"}\n",
    )
    .expect("write");
    let out = env
        .cmd()
        .args(["convert-logs", "--all", "--json"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(3), "a skipped line is reported");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("line 3"), "{stderr}");
    let converted: Value = serde_json::from_str(
        &std::fs::read_to_string(logs.join("migration-x.json")).expect("json file"),
    )
    .expect("valid");
    assert_eq!(converted.as_array().map(Vec::len), Some(2));
    let out = env
        .cmd()
        .args(["convert-logs", "--stdout", "logs/migration-y.log"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let piped: Value = serde_json::from_slice(&out.stdout).expect("json on stdout");
    assert_eq!(piped[0]["userId"], "c");
    env.cmd().args(["convert-logs"]).assert().code(2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_survives_injected_faults() {
    let sandbox = start_sandbox(SandboxConfig {
        secret_key: LIVE_KEY.into(),
        rate: Some(10_000),
        ..SandboxConfig::default()
    })
    .await;
    let env = TestEnv::new();
    import_all(&sandbox, &env, 120, "2000").await;
    // Now the instance fails 15 % of requests.
    sandbox.set_fail_rate(0.15);
    let mut vars = vars("2000");
    vars.push(("MAX_RETRIES", "8".to_owned()));
    let d = report(&run(&env, delete_args(&sandbox, &["-y"]), vars).await);
    assert_eq!(
        (d["deleted"].as_u64(), d["failed"].as_u64()),
        (Some(120), Some(0)),
        "{d}"
    );
    assert!(sandbox.stats().injected_faults > 0);
    assert_eq!(sandbox.user_count(), 0);
}

/// Soak (run by hand: `cargo test --release --test cli -- --ignored`): 5,000 users
/// imported and deleted at an instance limit of 100 requests per second, with faults.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "soak test: about two minutes"]
async fn soak_delete_5000_at_the_limit_with_faults() {
    let sandbox = start_sandbox(SandboxConfig {
        secret_key: LIVE_KEY.into(),
        rate: Some(1000),
        fail_after_create_rate: 0.05,
        seed: 11,
        ..SandboxConfig::default()
    })
    .await;
    let env = TestEnv::new();
    let file = users_file(&env, 5000);
    let r = report(
        &run(
            &env,
            import_args(&sandbox, "clerk", &file, &[]),
            vars("100"),
        )
        .await,
    );
    assert_eq!(r["created"], 5000, "{r}");
    assert_eq!(sandbox.stats().users_created, 5000);
    sandbox.set_fail_rate(0.05);
    let d = report(&run(&env, delete_args(&sandbox, &["-y"]), vars("100")).await);
    assert_eq!(
        (d["deleted"].as_u64(), d["failed"].as_u64()),
        (Some(5000), Some(0)),
        "{d}"
    );
    assert_eq!(sandbox.user_count(), 0);
    eprintln!("import: {r}\ndelete: {d}\nsandbox: {:?}", sandbox.stats());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deletes_progress_counts_deletions_not_imports() {
    let sandbox = super::util::live_sandbox(10_000, 10).await;
    let env = TestEnv::new();
    let file = users_file(&env, 10);
    let out = run(
        &env,
        import_args(&sandbox, "clerk", &file, &[]),
        vars("1000"),
    )
    .await;
    assert_eq!(report(&out)["created"], 10);
    let mut args = delete_args(&sandbox, &["-y"]);
    args.retain(|a| a != "--json");
    let out = run(&env, args, vars("1000")).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr
            .contains("100% · 10/10 users · deleted 10 · already gone 0 · left alone 0 · failed 0"),
        "{stderr}"
    );
    assert!(!stderr.contains("exists 0"), "{stderr}");
    sandbox.stop().await;
}

#[test]
fn one_run_at_a_time_per_log_directory_and_a_stale_lock_is_taken_over() {
    let env = TestEnv::new();
    let logs = env.path().join("logs");
    std::fs::create_dir_all(&logs).expect("logs dir");
    let lock = logs.join(".migrate.lock");
    // This test process stands for a running import: it holds the lock and names itself.
    let holder = serde_json::json!({"pid": std::process::id(), "command": "import", "started_at": "2026-12-01T10:00:00.000Z"});
    std::fs::write(&lock, holder.to_string()).expect("lock");
    let held = std::fs::File::open(&lock).expect("open");
    held.try_lock().expect("the test takes the lock");
    let sample = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/auth0.ndjson");
    let pid = std::process::id().to_string();
    for args in [
        vec![
            "--sandbox",
            "-y",
            "-t",
            "auth0",
            "-f",
            sample.to_str().expect("utf-8"),
        ],
        vec!["delete", "-y", "--api-url", "http://127.0.0.1:9"],
        vec!["verify", "--api-url", "http://127.0.0.1:9"],
        vec!["clean-logs", "-y"],
    ] {
        env.cmd()
            .args(&args)
            .env("CLERK_SECRET_KEY", LIVE_KEY)
            .assert()
            .code(1)
            .stderr(predicates::str::contains(format!("PID {pid}")))
            .stderr(predicates::str::contains("import"));
    }
    assert_eq!(
        std::fs::read_to_string(&lock).expect("read"),
        holder.to_string(),
        "a refused run leaves the holder's lock alone"
    );
    // The holder ended without emptying the file (killed): its PID, even a live one
    // (a reused PID), no longer blocks. The next run takes over, says so, and empties
    // the file when it ends.
    drop(held);
    env.cmd()
        .args(["--sandbox", "-y", "-t", "auth0", "-f"])
        .arg(&sample)
        .assert()
        .code(0)
        .stderr(predicates::str::contains(
            "took over the lock of a run that is gone",
        ));
    assert_eq!(
        std::fs::read_to_string(&lock).expect("read"),
        "",
        "the run's claim goes with it"
    );
    let again = std::fs::File::open(&lock).expect("open");
    again.try_lock().expect("and the lock is free");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runs_lists_imports_dry_runs_deletes_and_verifies_and_shows_one() {
    let sandbox = super::util::live_sandbox(10_000, 10).await;
    let env = TestEnv::new();
    let file = users_file(&env, 6);
    let mut dry = import_args(&sandbox, "clerk", &file, &["--dry-run"]);
    dry.retain(|a| a != "--json");
    run(&env, dry, vars("1000")).await;
    let out = run(
        &env,
        import_args(&sandbox, "clerk", &file, &[]),
        vars("1000"),
    )
    .await;
    assert_eq!(report(&out)["created"], 6);
    let mut verify: Vec<String> = vec!["verify".into(), "--api-url".into(), sandbox.base_url()];
    verify.push("--json".into());
    run(&env, verify, vars("1000")).await;
    run(&env, delete_args(&sandbox, &["-y"]), vars("1000")).await;
    // A crashed run: a torn last line and no closing line.
    let logs = env.path().join("logs");
    std::fs::write(
        logs.join("migration-2020-01-01T00-00-00.log"),
        concat!(
            r#"{"type":"run","command":"import","version":"0.1.0","started_at":"2020-01-01T00:00:00.000Z","file":"old.json","transformer":"auth0"}"#,
            "\n",
            r#"{"userId":"x","status":"error","error":"boom","at":"2020-01-01T00:00:02.000Z"}"#,
            "\n",
            r#"{"userId":"y","sta"#,
        ),
    )
    .expect("write");

    let out = env.cmd().args(["runs", "--json"]).output().expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let list: Vec<Value> = serde_json::from_slice(&out.stdout).expect("json array");
    let commands: Vec<&str> = list
        .iter()
        .map(|r| r["command"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        commands,
        ["import", "dry-run", "import", "verify", "delete"]
    );
    let crashed = &list[0];
    assert_eq!(
        (&crashed["failed"], &crashed["finished"]),
        (&json!(1), &json!(false))
    );
    let import = &list[2];
    for key in [
        "log_file",
        "command",
        "started_at",
        "file",
        "transformer",
        "instance",
        "environment",
        "total",
        "created",
        "already_exists",
        "failed",
        "invalid",
        "skipped",
        "deleted",
        "finished",
    ] {
        assert!(import.get(key).is_some(), "runs --json lacks {key}");
    }
    assert_eq!(
        (&import["created"], &import["finished"]),
        (&json!(6), &json!(true))
    );
    assert_eq!(list[4]["deleted"], 6);

    // Results on stdout, so they pipe and redirect.
    let text = env.cmd().arg("runs").output().expect("runs");
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("6 created, 0 existing"), "{text}");
    assert!(text.contains("6 deleted, 0 already gone"), "{text}");
    assert!(text.contains("no end (killed or running)"), "{text}");
    let out = env
        .cmd()
        .args(["runs", "show"])
        .arg(logs.join("migration-2020-01-01T00-00-00.log"))
        .output()
        .expect("show");
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(
        shown.contains("Errors by reason:") && shown.contains("boom"),
        "{shown}"
    );
    assert!(shown.contains("1 unreadable lines"), "{shown}");
    sandbox.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_who_signed_in_since_the_import_are_deleted_only_on_request() {
    let sandbox = super::util::live_sandbox(10_000, 10).await;
    let env = TestEnv::new();
    let file = users_file(&env, 5);
    let out = run(
        &env,
        import_args(&sandbox, "clerk", &file, &[]),
        vars("1000"),
    )
    .await;
    assert_eq!(report(&out)["created"], 5);
    assert!(sandbox.sign_in("src_00001") && sandbox.sign_in("src_00003"));

    let out = run(&env, delete_args(&sandbox, &["--dry-run"]), vars("1000")).await;
    let d = report(&out);
    assert_eq!(
        (&d["to_delete"], &d["signed_in_since"]),
        (&json!(3), &json!(2)),
        "{d}"
    );

    let out = run(&env, delete_args(&sandbox, &["-y"]), vars("1000")).await;
    let d = report(&out);
    assert_eq!(
        (&d["deleted"], &d["skipped"]),
        (&json!(3), &json!(2)),
        "{d}"
    );
    assert_eq!(sandbox.user_count(), 2);
    let mut text = delete_args(&sandbox, &["-y"]);
    text.retain(|a| a != "--json");
    let out = run(&env, text, vars("1000")).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr
            .contains("2 of these users have signed in since their import (src_00001, src_00003)"),
        "{stderr}"
    );
    assert_eq!(
        sandbox.user_count(),
        2,
        "still left alone without --include-signed-in"
    );

    let out = run(
        &env,
        delete_args(&sandbox, &["-y", "--include-signed-in"]),
        vars("1000"),
    )
    .await;
    assert_eq!(report(&out)["deleted"], 2);
    assert_eq!(sandbox.user_count(), 0);
    sandbox.stop().await;
}

#[test]
fn commands_that_need_an_existing_instance_refuse_the_empty_sandbox() {
    let env = TestEnv::new();
    for (args, what) in [
        (vec!["delete", "--sandbox", "-y"], "nothing to delete there"),
        (vec!["verify", "--sandbox"], "nothing to verify there"),
        (
            vec!["export", "clerk", "--sandbox", "-o", "x.json"],
            "nothing to export there",
        ),
    ] {
        env.cmd()
            .args(&args)
            .assert()
            .code(2)
            .stderr(predicates::str::contains(what));
    }
}
