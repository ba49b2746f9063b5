//! The interactive flow through a pseudo-terminal: prompts in order, the production
//! confirmation defaulting to No, the key prompt saving `.env`, and Ctrl-C.

use std::path::Path;
use std::time::Duration;

use expectrl::process::unix::WaitStatus;
use expectrl::session::OsSession;
use expectrl::{ControlCode, Expect, Session};
use migrate::sandbox::{SandboxConfig, SandboxHandle};

use super::util::{LIVE_KEY, users_file};
use super::util::{TestEnv, start_sandbox};

fn spawn(env: &TestEnv, args: &[&str], vars: &[(&str, &str)]) -> OsSession {
    let mut cmd = env.std_cmd();
    cmd.args(args);
    for (k, v) in vars {
        cmd.env(k, v);
    }
    cmd.env("TERM", "dumb");
    let mut session = Session::spawn(cmd).expect("spawns in a pty");
    session.set_expect_timeout(Some(Duration::from_secs(30)));
    // Echo on, as a person's terminal has it: a secret's prompt turning it off is then
    // how `settle` sees that prompt read (expectrl starts with echo off).
    session
        .get_process_mut()
        .set_echo(true, Some(Duration::from_secs(5)))
        .expect("echo on");
    session
}

/// Three users imported without a terminal, for the delete prompts to act on.
async fn import_three(sandbox: &SandboxHandle, env: &TestEnv) {
    let file = users_file(env, 3);
    let out = super::util::run(
        env,
        super::util::import_args(sandbox, "clerk", &file, &[]),
        vec![
            ("CLERK_SECRET_KEY", LIVE_KEY.to_owned()),
            ("RATE_LIMIT", "1000".to_owned()),
        ],
    )
    .await;
    assert_eq!(super::util::report(&out)["created"], 3);
}

/// Waits until the prompt on screen reads keys: a question that reads one key puts the
/// terminal in raw mode and a secret's prompt turns echo off, and a key sent before that
/// waits in the line buffer (under load, a later line's letters would answer instead).
/// Called once the prompt's text is seen, which the previous prompt prints only after it
/// gave the terminal back.
fn settle(session: &OsSession) {
    use nix::sys::termios::{LocalFlags, tcgetattr};
    let pty = session.get_process().get_raw_handle().expect("the pty");
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let flags = tcgetattr(std::os::fd::AsRawFd::as_raw_fd(&pty))
            .expect("the pty's modes")
            .local_flags;
        if !flags.contains(LocalFlags::ICANON) || !flags.contains(LocalFlags::ECHO) {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the prompt never read keys"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Waits until the import's log in `logs` holds `n` created users.
fn wait_for_successes(logs: &Path, n: usize) {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let created = std::fs::read_dir(logs)
            .into_iter()
            .flatten()
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().starts_with("migration-"))
            .filter_map(|e| std::fs::read_to_string(e.path()).ok())
            .map(|text| text.matches(r#""status":"success""#).count())
            .sum::<usize>();
        if created >= n {
            return;
        }
        assert!(std::time::Instant::now() < deadline, "no {n} users created");
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn exit_code(session: &OsSession) -> i32 {
    match session.get_process().wait().expect("waits") {
        WaitStatus::Exited(_, code) => code,
        other => panic!("did not exit normally: {other:?}"),
    }
}

/// A production-keyed sandbox that answers after `latency_ms`.
async fn latent_sandbox(latency_ms: u64) -> SandboxHandle {
    start_sandbox(SandboxConfig {
        secret_key: LIVE_KEY.into(),
        rate: Some(10_000),
        latency: Duration::from_millis(latency_ms),
        ..SandboxConfig::default()
    })
    .await
}

fn sample(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("samples")
        .join(name)
        .display()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prompts_in_order_and_production_defaults_to_no() {
    let sandbox = latent_sandbox(0).await;
    let env = TestEnv::new();
    let url = sandbox.base_url();
    let file = sample("clerk.json");
    let session = tokio::task::spawn_blocking(move || {
        let mut s = spawn(
            &env,
            &["--api-url", &url],
            &[("CLERK_SECRET_KEY", LIVE_KEY)],
        );
        s.expect("Specify the file").expect("file prompt");
        s.send_line(&file).expect("types the path");
        s.expect("Which transformer should be used")
            .expect("transformer prompt");
        s.expect("Clerk (clerk, fits this file)")
            .expect("the one that fits is named");
        settle(&s);
        s.send("\r").expect("takes the default, the one that fits");
        s.expect("3 ready, 3 invalid").expect("readiness numbers");
        s.expect("3  would be created")
            .expect("the live preflight's verdicts, before the question");
        s.expect("into production")
            .expect("production confirmation");
        s.expect("[y/N]").expect("defaults to No");
        settle(&s);
        s.send("\r").expect("accepts the default");
        s.expect("Migration cancelled.").expect("cancels");
        (exit_code(&s), env)
    })
    .await
    .expect("joins");
    assert_eq!(session.0, 0);
    assert_eq!(
        sandbox.stats().users_created,
        0,
        "nothing is created without a yes"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_typed_key_is_saved_to_a_private_dotenv_and_used() {
    let sandbox = latent_sandbox(0).await;
    let env = TestEnv::new();
    let url = sandbox.base_url();
    let file = sample("auth0.ndjson");
    let (code, env) = tokio::task::spawn_blocking(move || {
        let mut s = spawn(
            &env,
            &["-t", "auth0", "-f", &file, "-r", "", "--api-url", &url],
            &[],
        );
        s.expect("password hash export from Auth0 support")
            .expect("asks for Auth0's hashes");
        settle(&s);
        s.send("n").expect("has none");
        s.expect("Enter your Clerk Secret Key").expect("key prompt");
        settle(&s);
        s.send_line(LIVE_KEY).expect("types the key");
        s.expect("Create a .env file").expect("offers to save");
        settle(&s);
        s.send("y").expect("accepts");
        s.expect("Created .env").expect("saved");
        s.expect("[y/N]").expect("production confirmation");
        settle(&s);
        s.send("y").expect("confirms");
        s.expect("3 created").expect("imports");
        (exit_code(&s), env)
    })
    .await
    .expect("joins");
    assert_eq!(code, 0);
    assert_eq!(sandbox.user_count(), 3);
    let dotenv = env.path().join(".env");
    assert_eq!(
        std::fs::read_to_string(&dotenv).expect(".env"),
        format!("CLERK_SECRET_KEY={LIVE_KEY}\n")
    );
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&dotenv)
            .expect("meta")
            .permissions()
            .mode()
            & 0o777,
        0o600
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_drains_prints_the_resume_command_and_exits_130() {
    let sandbox = latent_sandbox(150).await;
    let env = TestEnv::new();
    let file = users_file(&env, 60).display().to_string();
    let url = sandbox.base_url();
    let (code, env) = tokio::task::spawn_blocking(move || {
        let mut s = spawn(
            &env,
            &["-y", "-t", "clerk", "-f", &file, "--api-url", &url],
            &[("CLERK_SECRET_KEY", LIVE_KEY), ("RATE_LIMIT", "10")],
        );
        s.expect("Importing").expect("starts");
        wait_for_successes(&env.path().join("logs"), 3);
        s.send(ControlCode::EndOfText).expect("Ctrl-C");
        s.expect("To resume, run the same command again")
            .expect("resume hint");
        (exit_code(&s), env)
    })
    .await
    .expect("joins");
    assert_eq!(code, 130);
    let created = sandbox.user_count();
    assert!(created > 0 && created < 60, "stopped part-way: {created}");
    // Every user created so far has its success line: nothing in flight was lost.
    // The import's log, not the lock file beside it.
    let log = std::fs::read_dir(env.path().join("logs"))
        .expect("logs")
        .map(|e| e.expect("entry").path())
        .find(|p| p.extension().is_some_and(|x| x == "log"))
        .expect("a log");
    let text = std::fs::read_to_string(log).expect("log");
    let successes = text
        .lines()
        .filter(|l| l.contains("\"status\":\"success\""))
        .count();
    assert_eq!(successes, created);
    // Running the same command again finishes the job.
    let out = super::util::run(
        &env,
        super::util::import_args(&sandbox, "clerk", &env.path().join("users.json"), &[]),
        vec![
            ("CLERK_SECRET_KEY", LIVE_KEY.to_owned()),
            ("RATE_LIMIT", "1000".to_owned()),
        ],
    )
    .await;
    let r = super::util::report(&out);
    assert_eq!(r["skipped"].as_u64(), Some(created as u64));
    assert_eq!(sandbox.user_count(), 60);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn production_delete_needs_the_phrase_typed_out() {
    let sandbox = latent_sandbox(0).await;
    let env = TestEnv::new();
    import_three(&sandbox, &env).await;
    let url = sandbox.base_url();
    let (first, second, _env) = tokio::task::spawn_blocking(move || {
        let mut s = spawn(
            &env,
            &["delete", "--api-url", &url],
            &[("CLERK_SECRET_KEY", LIVE_KEY)],
        );
        s.expect("About to delete 3 users").expect("preview");
        s.expect("Type \"delete 3\" to confirm")
            .expect("typed confirmation");
        s.send_line("delete 2").expect("types the wrong phrase");
        s.expect("Deletion cancelled.").expect("cancels");
        let first = exit_code(&s);
        let mut s = spawn(
            &env,
            &["delete", "--api-url", &url],
            &[("CLERK_SECRET_KEY", LIVE_KEY)],
        );
        s.expect("Type \"delete 3\" to confirm")
            .expect("typed confirmation");
        s.send_line("delete 3").expect("types the phrase");
        s.expect("Deleted 3 of 3 users").expect("deletes");
        (first, exit_code(&s), env)
    })
    .await
    .expect("joins");
    assert_eq!((first, second), (0, 0));
    assert_eq!(sandbox.user_count(), 0);
}

#[test]
fn clean_logs_confirmation_defaults_to_no() {
    let env = TestEnv::new();
    let logs = env.path().join("logs");
    std::fs::create_dir_all(&logs).expect("mkdir");
    std::fs::write(logs.join("migration-a.log"), "{}\n").expect("write");
    let mut s = spawn(&env, &["clean-logs"], &[]);
    s.expect("[y/N]").expect("asks");
    settle(&s);
    s.send("\r").expect("default");
    s.expect("Operation cancelled.").expect("cancels");
    assert_eq!(exit_code(&s), 0);
    assert!(logs.join("migration-a.log").exists());
    let mut s = spawn(&env, &["clean-logs"], &[]);
    s.expect("[y/N]").expect("asks");
    settle(&s);
    s.send("y").expect("yes");
    s.expect("Deleted 1 log file,")
        .expect("deletes, in the singular");
    assert_eq!(exit_code(&s), 0);
    assert!(!logs.join("migration-a.log").exists());
}

#[test]
fn convert_logs_offers_a_multi_select() {
    let env = TestEnv::new();
    let logs = env.path().join("logs");
    std::fs::create_dir_all(&logs).expect("mkdir");
    std::fs::write(logs.join("migration-a.log"), "{\"userId\":\"a\"}\n").expect("write");
    let mut s = spawn(&env, &["convert-logs"], &[]);
    s.expect("Which logs should be converted").expect("asks");
    s.send(" ").expect("picks the first");
    s.send("\r").expect("goes");
    s.expect("(1 entries)").expect("converts");
    assert_eq!(exit_code(&s), 0);
    assert!(logs.join("migration-a.json").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_progress_bar_shows_a_refused_users_email_only_when_verbose() {
    let sandbox = latent_sandbox(0).await;
    let taken = "taken.on.a.tty@example.com";
    let api = super::sandbox_api::Api::new(&sandbox, LIVE_KEY);
    let other = serde_json::json!({"external_id": "other", "email_address": [taken], "skip_password_requirement": true});
    assert_eq!(api.post("/users", other).await.status, 200);
    let env = TestEnv::new();
    let users = serde_json::json!([
        {"id": "src_1", "primary_email_address": taken},
        {"id": "src_2", "primary_email_address": "fresh@example.com"},
    ]);
    let file = env.write("users.json", &users.to_string());
    let file = file.display().to_string();
    let url = sandbox.base_url();
    for verbose in [false, true] {
        let mut args = vec![
            "-y",
            "--no-resume",
            "-t",
            "clerk",
            "-f",
            &file,
            "--api-url",
            &url,
        ];
        if verbose {
            args.push("-v");
        }
        let mut session = spawn(&env, &args, &[("CLERK_SECRET_KEY", LIVE_KEY)]);
        let seen = session.expect(expectrl::Eof).expect("runs to the end");
        // At the end of input the whole output is the match.
        let text = String::from_utf8_lossy(seen.as_bytes()).into_owned();
        assert!(text.contains("1 failed"), "{text}");
        assert_eq!(
            text.contains(&format!("refused: src_1 <{taken}>")),
            verbose,
            "{text}"
        );
        assert_eq!(text.contains(taken), verbose, "{text}");
        assert_eq!(exit_code(&session), 3);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_auth0_import_asks_for_the_password_export_and_merges_it() {
    let sandbox = latent_sandbox(0).await;
    let env = TestEnv::new();
    let url = sandbox.base_url();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/passwords");
    let file = dir.join("auth0.ndjson").display().to_string();
    let hashes = dir.join("auth0-passwords.ndjson").display().to_string();
    let code = tokio::task::spawn_blocking(move || {
        let mut s = spawn(
            &env,
            &["-t", "auth0", "-f", &file, "-r", "", "--api-url", &url],
            &[("CLERK_SECRET_KEY", LIVE_KEY)],
        );
        s.expect("password hash export from Auth0 support")
            .expect("asks for Auth0's hashes");
        settle(&s);
        s.send("y").expect("has one");
        s.expect("Path of the Auth0 password export")
            .expect("asks where");
        s.send_line("nowhere.ndjson").expect("a wrong path");
        s.expect("file not found").expect("says so and asks again");
        s.send_line(&hashes).expect("types the path");
        s.expect("3 hashes of 4 merged").expect("reports the merge");
        s.expect("[y/N]").expect("production confirmation");
        settle(&s);
        s.send("y").expect("confirms");
        s.expect("5 created").expect("imports");
        exit_code(&s)
    })
    .await
    .expect("joins");
    assert_eq!(code, 0);
    assert_eq!(sandbox.user_count(), 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_in_users_get_their_own_question_defaulting_to_no() {
    let sandbox = latent_sandbox(0).await;
    let env = TestEnv::new();
    import_three(&sandbox, &env).await;
    assert!(sandbox.sign_in("src_00002"));
    let url = sandbox.base_url();
    let code = tokio::task::spawn_blocking(move || {
        let mut s = spawn(
            &env,
            &["delete", "--api-url", &url],
            &[("CLERK_SECRET_KEY", LIVE_KEY)],
        );
        s.expect("1 of these users have signed in since their import (src_00002)")
            .expect("named");
        s.expect("Also delete the 1 users who have signed in since their import? [y/N]")
            .expect("a question of its own");
        settle(&s);
        s.send("\r").expect("takes the default");
        s.expect("Type \"delete 2\" to confirm")
            .expect("the others only");
        s.send_line("delete 2").expect("confirms");
        s.expect("Deleted 2 of 3 users").expect("deletes");
        exit_code(&s)
    })
    .await
    .expect("joins");
    assert_eq!(code, 0);
    assert_eq!(sandbox.user_count(), 1, "the signed-in user stays");
}

/// Run again at a terminal, the same file says how many users an earlier run created
/// before it asks anything about them, and asks about the rest only; it never asks for a
/// user ID to resume after.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rerun_says_what_an_earlier_run_created_before_asking() {
    let sandbox = latent_sandbox(0).await;
    let env = TestEnv::new();
    let file = sample("clerk.json");
    let url = sandbox.base_url();
    let first = super::util::run(
        &env,
        vec![
            "-y".into(),
            "--json".into(),
            "-t".into(),
            "clerk".into(),
            "-f".into(),
            file.clone(),
            "--api-url".into(),
            url.clone(),
        ],
        vec![("CLERK_SECRET_KEY", LIVE_KEY.to_owned())],
    )
    .await;
    assert_eq!(super::util::report(&first)["created"], 3);
    let code = tokio::task::spawn_blocking(move || {
        let mut s = spawn(
            &env,
            &["-t", "clerk", "-f", &file, "--api-url", &url],
            &[("CLERK_SECRET_KEY", LIVE_KEY)],
        );
        s.expect("created 3 of these users: they are skipped")
            .expect("says what the earlier run did");
        s.expect("Import the 0 users not imported yet")
            .expect("asks about the rest only");
        s.expect("[y/N]").expect("production defaults to No");
        settle(&s);
        s.send("\r").expect("accepts the default");
        s.expect("Migration cancelled.").expect("cancels");
        exit_code(&s)
    })
    .await
    .expect("joins");
    assert_eq!(code, 0);
    assert_eq!(sandbox.user_count(), 3);
}

/// `migrate orgs` at a terminal: what will be sent first, then the question, which on a
/// production instance defaults to No; answered yes, it sends.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn orgs_asks_after_saying_what_it_will_send() {
    let sandbox = start_sandbox(SandboxConfig {
        secret_key: LIVE_KEY.into(),
        ..SandboxConfig::default()
    })
    .await;
    let env = TestEnv::new();
    import_three(&sandbox, &env).await;
    env.write(
        "orgs.json",
        r#"[{"id": "o1", "name": "Acme", "members": [{"user_id": "src_00000", "role": "owner"},
              {"user_id": "src_00001", "role": "member"}, {"user_id": "ghost", "role": "member"}]}]"#,
    );
    let url = sandbox.base_url();
    let args = ["orgs", "-f", "orgs.json", "--api-url", url.as_str()];
    let vars = [("CLERK_SECRET_KEY", LIVE_KEY)];
    let answer = |key: &'static str| {
        let mut s = spawn(&env, &args, &vars);
        tokio::task::spawn_blocking(move || {
            s.expect("1 organizations (1 not created yet), 3 memberships")
                .expect("what will be sent");
            s.expect("1 memberships name users that are not in Clerk")
                .expect("the member who is not there, before the question");
            s.expect("[y/N]").expect("production defaults to No");
            settle(&s);
            s.send(key).expect("answers");
            let mut rest = String::new();
            let _ = std::io::Read::read_to_string(&mut s, &mut rest);
            (exit_code(&s), rest)
        })
    };
    let (code, rest) = answer("\r").await.expect("joins");
    assert_eq!(code, 0);
    assert!(rest.contains("Nothing sent."), "{rest}");
    assert!(sandbox.organizations().is_empty());
    let (code, rest) = answer("y").await.expect("joins");
    assert_eq!(code, 3, "the ghost is reported: {rest}");
    assert_eq!(sandbox.organization_counts(), (1, 2));
}
