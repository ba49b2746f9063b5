//! Golden files: exports as each platform writes them, and beside each the Clerk users
//! it must become, written by hand (`tests/golden/README.md`). An oracle that is not our
//! own mapping: `verify` compares Clerk with the mapping, so a mapping mistake passes it;
//! these do not.

use std::path::Path;

use serde_json::{Map, Value, json};

use super::sandbox_api::Api;
use super::util::TestEnv;
use super::util::{LIVE_KEY, import_args, live_sandbox, report, run};

fn vars() -> Vec<(&'static str, String)> {
    vec![
        ("CLERK_SECRET_KEY", LIVE_KEY.to_owned()),
        ("RATE_LIMIT", "1000".to_owned()),
    ]
}

/// `[address, verified?]` of a Clerk user's emails or phones, the primary first.
fn addresses(user: &Value, list: &str, value: &str, primary: &str) -> Vec<Value> {
    let mut out: Vec<(bool, Value)> = user[list]
        .as_array()
        .into_iter()
        .flatten()
        .map(|a| {
            let verified = a["verification"]["status"] == "verified";
            let is_primary = a["id"] == user[primary];
            (
                !is_primary,
                json!([a[value], if verified { "verified" } else { "unverified" }]),
            )
        })
        .collect();
    out.sort_by_key(|(rest, _)| *rest);
    out.into_iter().map(|(_, v)| v).collect()
}

fn millis(rfc3339: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .expect("an RFC 3339 time in case.json")
        .timestamp_millis()
}

/// Compares one Clerk user with its expectation, field by field; returns the mismatches.
fn mismatches(actual: &Value, expected: &Map<String, Value>) -> Vec<String> {
    let want = |k: &str| expected.get(k).cloned().unwrap_or(Value::Null);
    let empty_object = || Value::Object(Map::new());
    let mut out = Vec::new();
    let mut check = |field: &str, got: Value, want: Value| {
        if got != want {
            out.push(format!("{field}: Clerk has {got}, expected {want}"));
        }
    };
    for field in ["first_name", "last_name", "username"] {
        check(field, actual[field].clone(), want(field));
    }
    let list = |k: &str| expected.get(k).cloned().unwrap_or(json!([]));
    check(
        "emails",
        Value::Array(addresses(
            actual,
            "email_addresses",
            "email_address",
            "primary_email_address_id",
        )),
        list("emails"),
    );
    check(
        "phones",
        Value::Array(addresses(
            actual,
            "phone_numbers",
            "phone_number",
            "primary_phone_number_id",
        )),
        list("phones"),
    );
    let has_password = !matches!(want("password"), Value::Null | Value::Bool(false));
    check(
        "password",
        actual["password_enabled"].clone(),
        json!(has_password),
    );
    check(
        "banned",
        actual["banned"].clone(),
        json!(want("banned").as_bool().unwrap_or(false)),
    );
    for field in ["public_metadata", "private_metadata", "unsafe_metadata"] {
        check(
            field,
            actual[field].clone(),
            expected.get(field).cloned().unwrap_or_else(empty_object),
        );
    }
    check(
        "totp",
        actual["totp_enabled"].clone(),
        json!(want("totp").as_bool().unwrap_or(false)),
    );
    if let Some(at) = expected.get("created_at").and_then(Value::as_str) {
        check(
            "created_at",
            actual["created_at"].clone(),
            json!(millis(at)),
        );
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_golden_export_becomes_the_clerk_users_written_beside_it() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .expect("tests/golden")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.join("case.json").is_file())
        .collect();
    cases.sort();
    assert!(cases.len() >= 7, "{cases:?}");
    let mut failures = Vec::new();
    for dir in cases {
        let name = dir
            .file_name()
            .and_then(|n| n.to_str())
            .expect("name")
            .to_owned();
        let case: Value = serde_json::from_str(
            &std::fs::read_to_string(dir.join("case.json")).expect("case.json"),
        )
        .expect("case.json is JSON");
        let transformer = case["transformer"].as_str().expect("transformer");
        let input = dir.join(case["input"].as_str().expect("input"));
        let extra: Vec<&str> = case["args"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let sandbox = live_sandbox(10_000, 10).await;
        let env = TestEnv::new();

        // The wrong transformer is refused before anything is sent.
        for wrong in case["wrong"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            let out = run(&env, import_args(&sandbox, wrong, &input, &extra), vars()).await;
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(
                out.status.code(),
                Some(2),
                "{name} with -t {wrong}: {stderr}"
            );
            assert!(
                stderr.contains(&format!("-t {transformer}")),
                "{name} with -t {wrong} names -t {transformer}: {stderr}"
            );
            assert_eq!(sandbox.user_count(), 0, "{name}: nothing sent");
        }

        // The dry run calls ready exactly the users the import then creates.
        let mut dry = import_args(&sandbox, transformer, &input, &extra);
        dry.push("--dry-run".into());
        let plan = report(&run(&env, dry, vars()).await);
        let out = run(
            &env,
            import_args(&sandbox, transformer, &input, &extra),
            vars(),
        )
        .await;
        let summary = report(&out);
        let users = case["users"].as_array().expect("users");
        assert_eq!(
            (
                &summary["created"],
                &summary["invalid"],
                &summary["skipped"],
                &summary["failed"]
            ),
            (
                &json!(users.len()),
                &json!(case["invalid"].as_u64().unwrap_or(0)),
                &json!(case["skipped"].as_u64().unwrap_or(0)),
                &json!(0)
            ),
            "{name}: {summary}"
        );
        assert_eq!(plan["ready"], summary["created"], "{name}: {plan}");

        let api = Api::new(&sandbox, LIVE_KEY);
        let held = api.get("/users?limit=500").await.body;
        for expected in users {
            let expected = expected.as_object().expect("user");
            let id = expected["external_id"].as_str().expect("external_id");
            let Some(actual) = held
                .as_array()
                .into_iter()
                .flatten()
                .find(|u| u["external_id"] == id)
            else {
                failures.push(format!("{name} {id}: not in Clerk"));
                continue;
            };
            failures.extend(
                mismatches(actual, expected)
                    .into_iter()
                    .map(|m| format!("{name} {id}: {m}")),
            );
            if let Some(password) = expected.get("password").and_then(Value::as_str) {
                for (attempt, good) in
                    [(password.to_owned(), true), (format!("{password}!"), false)]
                {
                    let r = api
                        .post(
                            &format!(
                                "/users/{}/verify_password",
                                actual["id"].as_str().expect("id")
                            ),
                            json!({"password": attempt}),
                        )
                        .await;
                    if (r.status == 200) != good {
                        failures.push(format!(
                            "{name} {id}: password {attempt:?} answered {} {}",
                            r.status, r.body
                        ));
                    }
                }
            }
        }
        sandbox.stop().await;
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
