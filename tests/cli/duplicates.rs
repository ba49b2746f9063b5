//! Duplicates within one file: the first record wins, later ones are invalid with
//! `duplicate_in_file`, in every dry run and import, and nothing is sent for them.

use serde_json::{Value, json};

use super::util::TestEnv;
use super::util::{LIVE_KEY, import_args, live_sandbox, report, run};

/// Seven Clerk users: rows 2, 4, 5 and 7 repeat an identifier of an earlier row (source
/// ID; email in other case; phone written another way; username in other case). Row 6
/// repeats row 4's email, but row 4 lost, so row 6 is new.
fn users() -> Vec<Value> {
    vec![
        json!({"id": "u1", "primary_email_address": "ada@example.com", "username": "ada", "primary_phone_number": "+14155550101"}),
        json!({"id": "u1", "primary_email_address": "other@example.com"}),
        json!({"id": "u3", "primary_email_address": "grace@example.com"}),
        json!({"id": "u4", "primary_email_address": "ADA@Example.com", "username": "lost"}),
        json!({"id": "u5", "primary_email_address": "alan@example.com", "primary_phone_number": "+1 (415) 555-0101"}),
        json!({"id": "u6", "primary_email_address": "linus@example.com", "username": "lost"}),
        json!({"id": "u7", "primary_email_address": "edsger@example.com", "username": "Ada"}),
    ]
}

/// `fail` lines of a log by row: (userId, error).
fn failures(env: &TestEnv, log: &str) -> Vec<(u64, String, String)> {
    let text = std::fs::read_to_string(env.path().join(log)).expect("log");
    let mut out: Vec<(u64, String, String)> = text
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v["status"] == "fail")
        .map(|v| {
            (
                v["row"].as_u64().expect("row"),
                v["userId"].as_str().expect("userId").to_owned(),
                v["error"].as_str().expect("error").to_owned(),
            )
        })
        .collect();
    out.sort();
    out
}

fn expected_failures() -> Vec<(u64, String, String)> {
    [
        (2, "u1", "external_id: duplicate_in_file (same as row 1)"),
        (4, "u4", "email_address: duplicate_in_file (same as row 1)"),
        (5, "u5", "phone_number: duplicate_in_file (same as row 1)"),
        (7, "u7", "username: duplicate_in_file (same as row 1)"),
    ]
    .iter()
    .map(|(r, u, e)| (*r, (*u).to_owned(), (*e).to_owned()))
    .collect()
}

#[test]
fn every_dry_run_finds_duplicates_in_file_order_whatever_the_format() {
    let env = TestEnv::new();
    let json_file = env.write(
        "users.json",
        &serde_json::to_string(&users()).expect("json"),
    );
    let lines: Vec<String> = users().iter().map(Value::to_string).collect();
    let ndjson_file = env.write("users.ndjson", &(lines.join("\n") + "\n"));
    // A JSON array is checked on every core; NDJSON on one thread: the same findings.
    for file in [json_file, ndjson_file] {
        let logs = format!(
            "logs-{}",
            file.extension().and_then(|e| e.to_str()).unwrap_or("")
        );
        let out = env
            .cmd()
            .args([
                "-y",
                "--dry-run",
                "--json",
                "-t",
                "clerk",
                "--log-dir",
                &logs,
                "-f",
            ])
            .arg(&file)
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(3), "invalid records exit 3");
        let r: Value = serde_json::from_slice(&out.stdout).expect("json");
        assert_eq!((&r["ready"], &r["invalid"]), (&json!(3), &json!(4)), "{r}");
        assert_eq!(
            r["invalid_by_reason"],
            json!({
                "email_address: duplicate_in_file": 1,
                "external_id: duplicate_in_file": 1,
                "phone_number: duplicate_in_file": 1,
                "username: duplicate_in_file": 1,
            }),
            "{}",
            file.display()
        );
        let log = std::fs::read_dir(env.path().join(&logs))
            .expect("logs")
            .filter_map(Result::ok)
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|e| e == "log"))
            .expect("a log");
        assert_eq!(
            failures(&env, log.to_str().expect("utf-8")),
            expected_failures()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_sends_nothing_for_a_duplicate_and_never_calls_it_already_there() {
    let env = TestEnv::new();
    let file = env.write(
        "users.json",
        &serde_json::to_string(&users()).expect("json"),
    );
    let sandbox = live_sandbox(10_000, 10).await;
    let before = sandbox.stats().requests;
    let out = run(
        &env,
        import_args(&sandbox, "clerk", &file, &[]),
        vec![
            ("CLERK_SECRET_KEY", LIVE_KEY.to_owned()),
            ("RATE_LIMIT", "1000".to_owned()),
        ],
    )
    .await;
    let r = report(&out);
    assert_eq!(
        (&r["created"], &r["invalid"], &r["already_exists"]),
        (&json!(3), &json!(4), &json!(0)),
        "{r}"
    );
    // One create per ready user and three setup calls (instance, domains, sign-up
    // settings from the Frontend API); no 422 spent on a duplicate.
    assert_eq!(r["api_calls"], 6, "{r}");
    assert_eq!(sandbox.stats().requests - before, 5);
    let log = r["log_file"].as_str().expect("log_file");
    assert_eq!(failures(&env, log), expected_failures());
    sandbox.stop().await;
}
