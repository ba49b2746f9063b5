//! Never harm: one run at a time for real, deletes only of users a log of this instance
//! records as created, and files that cannot be redirected.

use std::process::{Child, Stdio};
use std::time::Duration;

use migrate::sandbox::SandboxConfig;
use serde_json::json;

use super::sandbox_api::Api;
use super::util::{LIVE_KEY, import_args, report, run, users_file};
use super::util::{TestEnv, start_sandbox};

fn vars() -> Vec<(&'static str, String)> {
    vec![
        ("CLERK_SECRET_KEY", LIVE_KEY.to_owned()),
        ("RATE_LIMIT", "1000".to_owned()),
    ]
}

fn spawn(env: &TestEnv, args: &[String]) -> Child {
    let mut cmd = env.std_cmd();
    cmd.args(args)
        .env("CLERK_SECRET_KEY", LIVE_KEY)
        .env("RATE_LIMIT", "1000")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd.spawn().expect("spawns")
}

/// 50 pairs of identical runs started together on one log directory each: every time,
/// exactly one takes the lock and the other is refused with exit 1 naming it. The
/// sandbox answers slowly, so the winner holds the lock for well over a second.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn of_two_runs_started_together_exactly_one_takes_the_log_directory() {
    let sandbox = start_sandbox(SandboxConfig {
        secret_key: LIVE_KEY.into(),
        rate: Some(100_000),
        latency: Duration::from_millis(300),
        ..SandboxConfig::default()
    })
    .await;
    let url = sandbox.base_url();
    let outcomes = tokio::task::spawn_blocking(move || {
        let import = |env: &TestEnv, name: String| {
            let file = env.write(
                "users.json",
                &json!([{"id": name, "username": name}]).to_string(),
            );
            let mut a: Vec<String> = ["-y", "--json", "-t", "clerk", "-f"]
                .map(String::from)
                .to_vec();
            a.push(file.display().to_string());
            a.extend(["--api-url".to_owned(), url.clone()]);
            a
        };
        // Verify pairs need an import to verify: made first, all at once.
        let mut verify_envs: Vec<TestEnv> = Vec::new();
        let mut setup = Vec::new();
        for v in 0..10 {
            let env = TestEnv::new();
            setup.push(spawn(&env, &import(&env, format!("verified{v}"))));
            verify_envs.push(env);
        }
        for child in setup {
            assert!(child.wait_with_output().expect("waits").status.success());
        }
        let mut outcomes = Vec::new();
        for round in 0..5 {
            let mut pairs = Vec::new();
            for p in 0..10 {
                let (env, args) = match (round * 10 + p) % 5 {
                    0..=2 => {
                        let env = TestEnv::new();
                        let args = import(&env, format!("race{round}x{p}"));
                        (env, args)
                    }
                    3 => {
                        let mut a: Vec<String> =
                            ["delete", "-y", "--json"].map(String::from).to_vec();
                        a.extend(["--api-url".to_owned(), url.clone()]);
                        (TestEnv::new(), a)
                    }
                    _ => {
                        let mut a: Vec<String> = ["verify", "--json"].map(String::from).to_vec();
                        a.extend(["--api-url".to_owned(), url.clone()]);
                        (verify_envs.pop().expect("ten verify pairs"), a)
                    }
                };
                let a = spawn(&env, &args);
                let b = spawn(&env, &args);
                pairs.push((env, args[0].clone(), a, b));
            }
            for (env, command, a, b) in pairs {
                let pids = (a.id(), b.id());
                let a = a.wait_with_output().expect("waits");
                let b = b.wait_with_output().expect("waits");
                outcomes.push((command, pids, a, b));
                drop(env);
            }
        }
        outcomes
    })
    .await
    .expect("joins");
    assert_eq!(outcomes.len(), 50);
    for (command, (pid_a, pid_b), a, b) in outcomes {
        let refused = |o: &std::process::Output| {
            String::from_utf8_lossy(&o.stderr).contains("another migrate run")
        };
        let (winner, loser, winner_pid) = match (refused(&a), refused(&b)) {
            (false, true) => (&a, &b, pid_a),
            (true, false) => (&b, &a, pid_b),
            both => panic!(
                "{command}: refused {both:?}\nA: {}\nB: {}",
                String::from_utf8_lossy(&a.stderr),
                String::from_utf8_lossy(&b.stderr)
            ),
        };
        assert_eq!(loser.status.code(), Some(1), "{command}");
        let message = String::from_utf8_lossy(&loser.stderr);
        assert!(
            message.contains(&format!("PID {winner_pid}")),
            "{command}: the refusal names the holder: {message}"
        );
        if command == "-y" {
            assert_eq!(
                winner.status.code(),
                Some(0),
                "{}",
                String::from_utf8_lossy(&winner.stderr)
            );
        }
    }
    sandbox.stop().await;
}

/// Clerk IDs the sandbox holds for these external IDs.
async fn ids(api: &Api, external: &str) -> usize {
    api.get(&format!("/users?external_id={external}"))
        .await
        .body
        .as_array()
        .map_or(0, Vec::len)
}

/// A user the application created with an external ID the export also has is never
/// deleted by `delete -t -f`, with or without logs; with no log of this instance that
/// delete deletes nothing and says why.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_by_file_deletes_only_users_a_log_of_this_instance_created() {
    let sandbox = super::util::live_sandbox(10_000, 10).await;
    let api = Api::new(&sandbox, LIVE_KEY);
    let env = TestEnv::new();
    let file = users_file(&env, 4);
    // The application's own users, carrying source IDs of the export: no log names them.
    for i in 0..4 {
        let body = json!({"external_id": format!("src_{i:05}"), "username": format!("app{i}"), "skip_password_requirement": true});
        assert_eq!(api.post("/users", body).await.status, 200);
    }
    let mut by_file = vec![
        "delete".to_owned(),
        "-y".into(),
        "--json".into(),
        "--api-url".into(),
        sandbox.base_url(),
        "-t".into(),
        "clerk".into(),
        "-f".into(),
    ];
    by_file.push(file.display().to_string());
    let out = run(&env, by_file.clone(), vars()).await;
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no import log") && stderr.contains("nothing to delete"),
        "{stderr}"
    );
    assert_eq!(sandbox.user_count(), 4);

    // An import of the same file: each user is already there (clean logs afterwards).
    let r = report(&run(&env, import_args(&sandbox, "clerk", &file, &[]), vars()).await);
    assert_eq!(r["already_exists"], 4, "{r}");
    // With that log (already_exists lines only): nothing to delete.
    let d = report(&run(&env, by_file.clone(), vars()).await);
    assert_eq!(
        (d["to_delete"].as_u64(), d["deleted"].as_u64()),
        (Some(0), Some(0)),
        "{d}"
    );
    assert_eq!(sandbox.user_count(), 4);
    std::fs::remove_dir_all(env.path().join("logs")).expect("clean-logs, in effect");
    let out = run(&env, by_file.clone(), vars()).await;
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(sandbox.user_count(), 4, "still none deleted");
    for i in 0..4 {
        assert_eq!(ids(&api, &format!("src_{i:05}")).await, 1);
    }
    sandbox.stop().await;
}

/// Logs that do not name this instance in their header, or name another, are refused
/// with their names; `--all-runs` uses this instance's logs only, so a rehearsal's log
/// beside them changes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_refuses_foreign_and_headerless_logs() {
    let sandbox = super::util::live_sandbox(10_000, 10).await;
    let api = Api::new(&sandbox, LIVE_KEY);
    let env = TestEnv::new();
    let file = users_file(&env, 3);
    let r = report(&run(&env, import_args(&sandbox, "clerk", &file, &[]), vars()).await);
    assert_eq!(r["created"], 3);
    let ours = r["log_file"].as_str().expect("log").to_owned();
    // A user the application created afterwards.
    let app = api
        .post(
            "/users",
            json!({"external_id": "app_1", "username": "appuser", "skip_password_requirement": true}),
        )
        .await
        .body["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let logs = env.path().join("logs");
    // A foreign log (another instance) and a header-less one, both naming the app's user.
    let line = json!({"userId": "app_1", "status": "success", "clerkUserId": app}).to_string();
    let foreign = logs.join("migration-2000-01-01T00-00-00.log");
    std::fs::write(
        &foreign,
        format!(
            "{}\n{line}\n",
            json!({"type": "run", "command": "import", "version": "0", "started_at": "2000-01-01T00:00:00.000Z", "instance": "ins_someone_else"})
        ),
    )
    .expect("write");
    let bare = logs.join("migration-2000-01-02T00-00-00.log");
    std::fs::write(&bare, format!("{line}\n")).expect("write");
    for log in [&foreign, &bare] {
        let mut args = vec![
            "delete".to_owned(),
            "-y".into(),
            "--api-url".into(),
            sandbox.base_url(),
            "--log".into(),
            ours.clone(),
            "--log".into(),
        ];
        args.push(log.display().to_string());
        let out = run(&env, args, vars()).await;
        assert_eq!(out.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&out.stderr);
        let name = log.file_name().and_then(|n| n.to_str()).expect("name");
        assert!(
            stderr.contains(name) && stderr.contains("cannot be used to delete")
                || stderr.contains("were not created here"),
            "{stderr}"
        );
        assert_eq!(sandbox.user_count(), 4, "nothing deleted");
    }
    let d = report(
        &run(
            &env,
            vec![
                "delete".into(),
                "-y".into(),
                "--json".into(),
                "--all-runs".into(),
                "--api-url".into(),
                sandbox.base_url(),
            ],
            vars(),
        )
        .await,
    );
    assert_eq!(d["deleted"], 3, "{d}");
    assert_eq!(sandbox.user_count(), 1);
    assert_eq!(
        ids(&api, "app_1").await,
        1,
        "the application's user survives"
    );
    sandbox.stop().await;
}

/// For every transformer, an address its source does not call verified arrives in Clerk
/// unverified (reserved), never verified: a Clerk export's primary listed only among the
/// unverified addresses (JSON, and CSV with the spreadsheet guard), Auth0
/// `email_verified`/`phone_verified`, Firebase `emailVerified`, Supabase
/// `email_confirmed_at`/`phone_confirmed_at`, Better Auth `emailVerified`/
/// `phoneNumberVerified` (false and SQLite's 0), Auth.js `emailVerified`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_address_the_source_does_not_call_verified_never_arrives_verified() {
    let cases: Vec<(&str, &str, String)> = vec![
        (
            "clerk",
            "users.json",
            json!([{"id": "user_c1", "primary_email_address": "c1@example.com", "unverified_email_addresses": ["c1@example.com"],
                    "primary_phone_number": "+14155550111", "unverified_phone_numbers": ["+14155550111"], "username": "cee1"}])
            .to_string(),
        ),
        (
            "clerk",
            "users.csv",
            "id,username,primary_email_address,verified_email_addresses,unverified_email_addresses,primary_phone_number,unverified_phone_numbers\n\
             user_c2,cee2,c2@example.com,,C2@example.com,'+14155550112,'+14155550112\n"
                .to_owned(),
        ),
        (
            "auth0",
            "users.json",
            json!([{"user_id": "auth0|a1", "email": "a1@example.com", "email_verified": false,
                    "phone_number": "+14155550113", "phone_verified": false, "username": "ay1"}])
            .to_string(),
        ),
        (
            "firebase",
            "users.json",
            json!({"users": [{"localId": "f1", "email": "f1@example.com", "emailVerified": false}]}).to_string(),
        ),
        (
            "supabase",
            "users.json",
            json!([{"id": "00000000-0000-4000-8000-000000000001", "email": "s1@example.com", "email_confirmed_at": null,
                    "phone": "14155550114", "phone_confirmed_at": null, "aud": "authenticated"}])
            .to_string(),
        ),
        (
            "betterauth",
            "users.json",
            json!([{"id": "b1", "email": "b1@example.com", "emailVerified": false, "name": "Bee One",
                    "phoneNumber": "+14155550115", "phoneNumberVerified": 0}])
            .to_string(),
        ),
        (
            "authjs",
            "users.json",
            json!([{"id": "j1", "email": "j1@example.com", "emailVerified": null, "name": "Jay One"}]).to_string(),
        ),
    ];
    for (transformer, name, text) in cases {
        let sandbox = super::util::live_sandbox(10_000, 10).await;
        let api = Api::new(&sandbox, LIVE_KEY);
        let env = TestEnv::new();
        let file = env.write(name, &text);
        let out = run(&env, import_args(&sandbox, transformer, &file, &[]), vars()).await;
        let r = report(&out);
        assert_eq!(r["created"], 1, "{transformer} {name}: {r}");
        let users = api.get("/users").await.body;
        let user = &users[0];
        let mut seen = 0;
        for list in ["email_addresses", "phone_numbers"] {
            for address in user[list].as_array().into_iter().flatten() {
                seen += 1;
                assert!(
                    address["verification"].is_null()
                        || address["verification"]["status"] != "verified",
                    "{transformer} {name}: {address} arrived verified"
                );
            }
        }
        assert!(seen >= 1, "{transformer} {name}: {user}");
        sandbox.stop().await;
    }
}

/// A symbolic link planted where the tool writes (an export's output, a converted log)
/// is replaced by the tool's own private file; the file it pointed to is never written.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn planted_symlinks_never_redirect_what_the_tool_writes() {
    use std::os::unix::fs::{PermissionsExt, symlink};
    let sandbox = super::util::live_sandbox(10_000, 10).await;
    let env = TestEnv::new();
    let file = users_file(&env, 3);
    let r = report(&run(&env, import_args(&sandbox, "clerk", &file, &[]), vars()).await);
    assert_eq!(r["created"], 3);
    let victim = env.write("victim.txt", "precious");
    let check = |path: &std::path::Path| {
        assert_eq!(
            std::fs::read_to_string(&victim).expect("read"),
            "precious",
            "written through the link at {}",
            path.display()
        );
        let meta = std::fs::symlink_metadata(path).expect("exists");
        assert!(meta.is_file(), "{} is still a link", path.display());
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    };

    let output = env.path().join("export.json");
    symlink(&victim, &output).expect("symlink");
    let out = run(
        &env,
        vec![
            "export".into(),
            "clerk".into(),
            "-o".into(),
            output.display().to_string(),
            "--api-url".into(),
            sandbox.base_url(),
        ],
        vars(),
    )
    .await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    check(&output);

    let log = std::path::PathBuf::from(r["log_file"].as_str().expect("log"));
    let log = if log.is_absolute() {
        log
    } else {
        env.path().join(log)
    };
    let converted = log.with_extension("json");
    symlink(&victim, &converted).expect("symlink");
    let out = run(
        &env,
        vec!["convert-logs".into(), log.display().to_string()],
        vars(),
    )
    .await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    check(&converted);
    sandbox.stop().await;
}

/// A password file with a cell over 1 KiB (or a line of a megabyte) is a bad row, named
/// before any call is made.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_huge_password_cell_is_refused_before_any_call() {
    let sandbox = super::util::live_sandbox(10_000, 10).await;
    let env = TestEnv::new();
    for body in [
        format!("user_id,password\nu1,{}\n", "p".repeat(1025)),
        format!("user_id,password\nu1,\"{}\"\n", "p\n".repeat(9 << 20)),
    ] {
        let file = env.write("passwords.csv", &body);
        let requests = sandbox.stats().requests;
        let out = run(
            &env,
            vec![
                "verify".into(),
                "--api-url".into(),
                sandbox.base_url(),
                "--passwords".into(),
                file.display().to_string(),
            ],
            vars(),
        )
        .await;
        assert_eq!(out.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("row 2"), "{stderr}");
        assert_eq!(sandbox.stats().requests, requests, "no call made");
    }
    sandbox.stop().await;
}
