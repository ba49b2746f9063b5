//! `migrate sync --dry-run`: a newer export against what the import last sent (the
//! fingerprints on its log lines): new, changed by field group, unchanged, gone.

use serde_json::{Value, json};

use super::util::{LIVE_KEY, TestEnv, against, import_args, live_sandbox, report, run};

fn key() -> Vec<(&'static str, String)> {
    vec![("CLERK_SECRET_KEY", LIVE_KEY.to_owned())]
}

fn user(i: usize) -> Value {
    json!({"id": format!("src_{i:05}"), "first_name": format!("First{i}"),
        "primary_email_address": format!("user{i}@example.com"), "username": format!("user{i}")})
}

#[tokio::test]
async fn the_plan_names_what_changed_since_the_import() {
    let env = TestEnv::new();
    let sandbox = live_sandbox(1000, 10).await;
    let users: Vec<Value> = (0..5).map(user).collect();
    let file = env.write("users.json", &serde_json::to_string(&users).expect("json"));
    let out = run(&env, import_args(&sandbox, "clerk", &file, &[]), key()).await;
    assert_eq!(report(&out)["created"], 5);

    let mut newer: Vec<Value> = (0..5).map(user).collect();
    newer[0]["first_name"] = json!("Renamed");
    newer[1]["username"] = json!("someone_else");
    newer.remove(2);
    newer.push(user(9));
    env.write("newer.json", &serde_json::to_string(&newer).expect("json"));
    let args = against(
        &sandbox,
        &["sync", "--dry-run", "-t", "clerk", "-f", "newer.json"],
    );
    let out = run(&env, args, key()).await;
    let r = report(&out);
    assert_eq!(out.status.code(), Some(0), "{r}");
    assert_eq!(
        (&r["new"], &r["changed"], &r["unchanged"], &r["gone"]),
        (&json!(1), &json!(2), &json!(2), &json!(1)),
        "{r}"
    );
    assert_eq!(
        r["changed_groups"],
        json!({"first_name": 1, "username": 1}),
        "{r}"
    );
    assert_eq!(sandbox.user_count(), 5, "a dry run sends nothing");

    let args = against(&sandbox, &["sync", "-t", "clerk", "-f", "newer.json"]);
    let out = run(&env, args, key()).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--dry-run"));
}
