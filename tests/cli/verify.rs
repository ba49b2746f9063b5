//! `migrate verify` against the in-process sandbox: clean runs, drift, missing users,
//! passwords, and refusals before anything is sent.

use reqwest::Method;
use serde_json::{Value, json};

use super::passwords::fixture;
use super::sandbox_api::Api;
use super::util::TestEnv;
use super::util::{LIVE_KEY, import_args, live_sandbox, report, run};

fn key() -> Vec<(&'static str, String)> {
    vec![
        ("CLERK_SECRET_KEY", LIVE_KEY.to_owned()),
        ("RATE_LIMIT", "1000".to_owned()),
    ]
}

pub fn verify_args(sandbox: &migrate::sandbox::SandboxHandle, extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = vec!["verify".into(), "--json".into(), "--api-url".into()];
    args.push(sandbox.base_url());
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    args
}

/// Copies a fixture into the test's directory, so a test may change it.
fn copy(env: &TestEnv, name: &str) -> String {
    let to = env.path().join(name);
    std::fs::copy(fixture(name), &to).expect("copy fixture");
    to.display().to_string()
}

/// A fresh sandbox holding a fixture's users, imported from a copy in a fresh directory.
async fn imported(
    source: &str,
    name: &str,
    created: u64,
) -> (migrate::sandbox::SandboxHandle, TestEnv, String) {
    let sandbox = live_sandbox(10_000, 10).await;
    let env = TestEnv::new();
    let file = copy(&env, name);
    let out = run(
        &env,
        import_args(&sandbox, source, file.as_ref(), &[]),
        key(),
    )
    .await;
    assert_eq!(report(&out)["created"], created);
    (sandbox, env, file)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clean_import_verifies_and_drift_missing_users_and_wrong_passwords_are_reported() {
    let (sandbox, env, _) = imported("supabase", "supabase.json", 4).await;
    let passwords = fixture("supabase.passwords.csv").display().to_string();

    let out = run(
        &env,
        verify_args(&sandbox, &["--passwords", &passwords]),
        key(),
    )
    .await;
    let r = report(&out);
    assert_eq!(out.status.code(), Some(0), "{r}");
    assert_eq!(
        (
            &r["mode"],
            &r["checked"],
            &r["matching"],
            &r["drifted"],
            &r["missing"]
        ),
        (&json!("verify"), &json!(4), &json!(4), &json!(0), &json!(0))
    );
    assert_eq!(
        (
            &r["password_checked"],
            &r["password_ok"],
            &r["password_failed"]
        ),
        (&json!(3), &json!(3), &json!(0))
    );
    let log = r["log_file"].as_str().expect("log file").to_owned();
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(env.path().join(&log))
        .expect("log")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);

    // Someone edits a user, another is deleted, and a test password is mistyped.
    let ids = sandbox.external_ids();
    let api = Api::new(&sandbox, LIVE_KEY);
    let ada = &ids["7d1f0c2a-0000-4000-8000-000000000001"];
    let r = api
        .send(
            Method::PATCH,
            &format!("/users/{ada}"),
            Some(&json!({"first_name": "Augusta"})),
        )
        .await;
    assert_eq!(r.status, 200);
    let alan = &ids["7d1f0c2a-0000-4000-8000-000000000003"];
    assert_eq!(
        api.send(Method::DELETE, &format!("/users/{alan}"), None)
            .await
            .status,
        200
    );
    let wrong = env.write(
        "wrong.csv",
        "user_id,password\n7d1f0c2a-0000-4000-8000-000000000002,not-graces-password\n",
    );
    let out = run(
        &env,
        verify_args(&sandbox, &["--passwords", &wrong.display().to_string()]),
        key(),
    )
    .await;
    let r = report(&out);
    assert_eq!(out.status.code(), Some(3), "{r}");
    assert_eq!(
        (&r["checked"], &r["matching"], &r["drifted"], &r["missing"]),
        (&json!(4), &json!(2), &json!(1), &json!(1)),
        "{r}"
    );
    assert_eq!(r["fields"], json!({"first_name": 1}));
    assert_eq!(
        (&r["password_ok"], &r["password_failed"]),
        (&json!(0), &json!(1))
    );
    let log = std::fs::read_to_string(env.path().join(r["log_file"].as_str().expect("log")))
        .expect("verify log");
    // Between the header and the closing line: one line per user that differs.
    let lines: Vec<Value> = log
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).expect("json"))
        .filter(|l| l.get("type").is_none())
        .collect();
    assert_eq!(lines.len(), 3, "one line per user that differs: {log}");
    let drift = lines
        .iter()
        .find(|l| l["status"] == "drift")
        .expect("drift line");
    assert_eq!(drift["fields"][0]["expected"], "Ada");
    assert_eq!(drift["fields"][0]["actual"], "Augusta");

    // Without --verbose the terminal names users, never values.
    let mut args = verify_args(&sandbox, &[]);
    args.retain(|a| a != "--json");
    let out = run(&env, args.clone(), key()).await;
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(
        text.contains("first_name  (7d1f0c2a-0000-4000-8000-000000000001)"),
        "{text}"
    );
    assert!(!text.contains("Augusta"), "{text}");
    args.push("-v".into());
    let out = run(&env, args, key()).await;
    assert!(String::from_utf8_lossy(&out.stderr).contains("Augusta"));
    sandbox.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_source_is_refused_unless_given_again() {
    let (sandbox, env, file) = imported("clerk", "clerk.json", 3).await;
    let text = std::fs::read_to_string(&file)
        .expect("read")
        .replace("clerk1@", "changed1@");
    std::fs::write(&file, text).expect("write");
    let out = run(&env, verify_args(&sandbox, &[]), key()).await;
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("changed since the import"), "{stderr}");
    assert!(stderr.contains("-t SOURCE -f FILE"), "{stderr}");
    let out = run(
        &env,
        verify_args(&sandbox, &["-t", "clerk", "-f", &file]),
        key(),
    )
    .await;
    let r = report(&out);
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(
        r["fields"],
        json!({"email_addresses": 1, "primary_email_address": 1})
    );
    sandbox.stop().await;
}

#[tokio::test]
async fn a_bad_password_file_is_named_by_row_before_any_call() {
    let env = TestEnv::new();
    let bad = env.write("p.csv", "user_id,password\nu1,secret\n,orphan\n");
    // Nothing listens on this port: a call would fail with exit 1, not 2.
    env.cmd()
        .args(["verify", "--api-url", "http://127.0.0.1:9", "--passwords"])
        .arg(&bad)
        .env("CLERK_SECRET_KEY", LIVE_KEY)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("row 3: has no user_id"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_of_another_instance_are_refused() {
    let (sandbox, env, _) = imported("clerk", "clerk.json", 3).await;
    let other = live_sandbox(10_000, 10).await;
    let out = run(&env, verify_args(&other, &[]), key()).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("instance"));
    sandbox.stop().await;
    other.stop().await;
}

/// A rehearsal against the embedded sandbox writes the newest log, for another instance:
/// `verify` and `delete` against the real instance still take that instance's latest
/// import, and say which logs belong elsewhere when none is this instance's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rehearsal_log_does_not_stand_in_for_the_latest_run() {
    let (sandbox, env, file) = imported("clerk", "clerk.json", 3).await;
    let out = run(
        &env,
        vec![
            "--sandbox".into(),
            "-y".into(),
            "--json".into(),
            "-t".into(),
            "clerk".into(),
            "-f".into(),
            file.clone(),
        ],
        vec![],
    )
    .await;
    assert_eq!(report(&out)["created"], 3, "the rehearsal");
    let v = report(&run(&env, verify_args(&sandbox, &[]), key()).await);
    assert_eq!(
        (&v["checked"], &v["drifted"]),
        (&json!(3), &json!(0)),
        "{v}"
    );
    let mut delete: Vec<String> = vec![
        "delete".into(),
        "--json".into(),
        "--dry-run".into(),
        "--api-url".into(),
    ];
    delete.push(sandbox.base_url());
    let d = report(&run(&env, delete, key()).await);
    assert_eq!(d["to_delete"], 3, "{d}");
    // Against an instance no log was written for: named, with the others counted.
    let other = live_sandbox(10_000, 10).await;
    let out = run(&env, verify_args(&other, &[]), key()).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr.contains("2 import logs there belong to other instances"),
        "{stderr}"
    );
    sandbox.stop().await;
    other.stop().await;
}
