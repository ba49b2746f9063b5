//! `--dry-run --live`: read-only checks against the instance, whose verdicts must be what
//! the import that follows does.

use std::collections::HashMap;
use std::time::Duration;

use migrate::sandbox::SandboxConfig;
use serde_json::{Value, json};

use super::sandbox_api::Api;
use super::util::{LIVE_KEY, import_args, report, run};
use super::util::{TestEnv, start_sandbox};

fn key() -> Vec<(&'static str, String)> {
    vec![
        ("CLERK_SECRET_KEY", LIVE_KEY.to_owned()),
        ("RATE_LIMIT", "1000".to_owned()),
    ]
}

/// Usernames off, TOTP off; everything else as by default.
fn settings() -> Value {
    let mut s = migrate::sandbox::settings::default_user_settings();
    s["attributes"]["username"]["enabled"] = json!(false);
    s["attributes"]["authenticator_app"]["enabled"] = json!(false);
    s
}

/// Twelve users: u00–u02 are already in the instance, u03's email belongs to another user
/// there, u04 and u05 have usernames (off), u06 has a TOTP secret (off: dropped).
fn users() -> Vec<Value> {
    (0..12)
        .map(|i| {
            let mut u = json!({
                "id": format!("u{i:02}"),
                "primary_email_address": format!("user{i}@example.com"),
                "first_name": format!("User{i}"),
            });
            if i == 4 || i == 5 {
                u["username"] = json!(format!("name{i}"));
            }
            if i == 6 {
                u["totp_secret"] = json!("JBSWY3DPEHPK3PXP");
            }
            u
        })
        .collect()
}

fn users_file(env: &TestEnv) -> std::path::PathBuf {
    env.write(
        "users.json",
        &serde_json::to_string(&users()).expect("json"),
    )
}

async fn seeded() -> migrate::sandbox::SandboxHandle {
    let sandbox = start_sandbox(SandboxConfig {
        secret_key: LIVE_KEY.into(),
        rate: Some(10_000),
        window: Duration::from_secs(10),
        user_settings: Some(settings()),
        ..SandboxConfig::default()
    })
    .await;
    let api = Api::new(&sandbox, LIVE_KEY);
    for i in 0..3 {
        let body = json!({"external_id": format!("u{i:02}"), "email_address": [format!("user{i}@example.com")], "skip_password_requirement": true});
        assert_eq!(
            api.send(reqwest::Method::POST, "/users", Some(&body))
                .await
                .status,
            200
        );
    }
    let body = json!({"external_id": "someone-else", "email_address": ["USER3@example.com"], "skip_password_requirement": true});
    assert_eq!(
        api.send(reqwest::Method::POST, "/users", Some(&body))
            .await
            .status,
        200
    );
    sandbox
}

/// Final status per user in a log.
fn statuses(env: &TestEnv, log: &str) -> HashMap<String, String> {
    std::fs::read_to_string(env.path().join(log))
        .expect("log")
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v.get("type").is_none() && v["status"] != "creating")
        .filter_map(|v| {
            Some((
                v["userId"].as_str()?.to_owned(),
                v["status"].as_str()?.to_owned(),
            ))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_verdicts_are_what_the_import_then_does() {
    let sandbox = seeded().await;
    let env = TestEnv::new();
    let file = users_file(&env);
    let mut args = import_args(&sandbox, "clerk", &file, &["--dry-run", "--live"]);
    args.retain(|a| a != "-y");
    args.insert(0, "-y".into());
    let before = sandbox.stats().requests;
    let out = run(&env, args, key()).await;
    let r = report(&out);
    let live = &r["live"];
    assert_eq!(
        (
            &live["existing"],
            &live["conflicts"],
            &live["would_refuse"],
            &live["would_create"]
        ),
        (&json!(3), &json!(1), &json!(2), &json!(6)),
        "{r}"
    );
    assert_eq!(
        live["existing_by"],
        json!({"external_id": 3, "email_address": 1})
    );
    assert_eq!(
        live["refuse_by_reason"],
        json!({"username is turned off": 2})
    );
    assert_eq!(
        live["dropped"],
        json!({"totp_secret (authenticator app is off)": 1})
    );
    assert_eq!(
        live["instance"],
        json!({"id": live["instance"]["id"], "environment": "production", "user_count": 4, "cap_headroom": null})
    );
    assert_eq!(live["settings"]["attributes"]["username"]["enabled"], false);
    // Setup (count, domains, environment) and one lookup per identifier kind still
    // unresolved: 12 external IDs, then 9 emails and 2 usernames. Nothing written.
    assert_eq!(live["api_calls"], 6, "{r}");
    assert_eq!(sandbox.user_count(), 4, "a live dry run writes nothing");
    // The Backend API saw the instance check, the count, domains and three lookups; the
    // Frontend API's environment is not one of its calls.
    assert_eq!(sandbox.stats().requests - before, 6);
    let verdicts = statuses(&env, r["log_file"].as_str().expect("log_file"));

    // The import right after it.
    let out = run(&env, import_args(&sandbox, "clerk", &file, &[]), key()).await;
    let i = report(&out);
    assert_eq!(i["created"], live["would_create"], "{i}");
    let outcomes = statuses(&env, i["log_file"].as_str().expect("log_file"));
    let expected = |verdict: &str| match verdict {
        "would_create" => "success",
        "exists" => "already_exists",
        _ => "error",
    };
    for (user, verdict) in &verdicts {
        assert_eq!(
            outcomes[user],
            expected(verdict),
            "{user}: live said {verdict}"
        );
    }
    assert_eq!(verdicts.len(), 12);
    let api = Api::new(&sandbox, LIVE_KEY);
    let ids = sandbox.external_ids();
    let u06 = api
        .send(
            reqwest::Method::GET,
            &format!("/users/{}", ids["u06"]),
            None,
        )
        .await
        .body;
    assert_eq!(u06["totp_enabled"], false, "dropped, as the preflight said");
    sandbox.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_that_cannot_be_read_are_reported_never_guessed() {
    // An environment whose user_settings say nothing.
    let sandbox = start_sandbox(SandboxConfig {
        secret_key: LIVE_KEY.into(),
        rate: Some(10_000),
        user_settings: Some(json!({})),
        ..SandboxConfig::default()
    })
    .await;
    let env = TestEnv::new();
    let file = users_file(&env);
    let out = run(
        &env,
        import_args(&sandbox, "clerk", &file, &["--dry-run", "--live"]),
        key(),
    )
    .await;
    let r = report(&out);
    let live = &r["live"];
    assert_eq!(live["settings"], Value::Null, "{r}");
    assert!(
        live["settings_error"]
            .as_str()
            .is_some_and(|e| e.contains("no attributes")),
        "{r}"
    );
    // Nothing refused on a guess: every user would be created.
    assert_eq!(
        (&live["would_refuse"], &live["would_create"]),
        (&json!(0), &json!(12))
    );
    let text = env
        .cmd()
        .args([
            "-y",
            "--dry-run",
            "--live",
            "-t",
            "clerk",
            "--api-url",
            &sandbox.base_url(),
            "-f",
        ])
        .arg(&file)
        .env("CLERK_SECRET_KEY", LIVE_KEY)
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&text.stderr);
    let stdout = String::from_utf8_lossy(&text.stdout);
    assert!(
        format!("{stdout}{stderr}").contains("Sign-up settings not read"),
        "{stdout}{stderr}"
    );
    sandbox.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_preflight_users_already_there_cost_no_create_call() {
    let sandbox = seeded().await;
    let env = TestEnv::new();
    let file = users_file(&env);
    let before = sandbox.stats().requests;
    let out = run(
        &env,
        import_args(&sandbox, "clerk", &file, &["--preflight"]),
        key(),
    )
    .await;
    let r = report(&out);
    assert_eq!(
        (&r["created"], &r["already_exists"], &r["failed"]),
        (&json!(6), &json!(3), &json!(3)),
        "{r}"
    );
    // Backend API: instance, domains, then the preflight's count and three lookups (the
    // sign-up settings read once, before it), then creates for the six new users and the
    // two usernames Clerk refuses: nothing for the three already there or the one whose
    // email is taken.
    assert_eq!(sandbox.stats().requests - before, 2 + 4 + 8, "{r}");
    let finals = statuses(&env, r["log_file"].as_str().expect("log_file"));
    assert_eq!(finals["u00"], "already_exists");
    assert_eq!(finals["u03"], "error");
    let log = std::fs::read_to_string(env.path().join(r["log_file"].as_str().expect("log")))
        .expect("log");
    assert!(
        log.contains("email_address is held by another user"),
        "the conflict is named"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "2 users will likely be refused by the instance's settings: username is turned off"
        ),
        "{stderr}"
    );
    sandbox.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_that_refuse_everyone_stop_the_run_before_anything_is_sent() {
    let mut settings = migrate::sandbox::settings::default_user_settings();
    settings["attributes"]["phone_number"]["required"] = json!(true);
    let sandbox = start_sandbox(SandboxConfig {
        secret_key: LIVE_KEY.into(),
        rate: Some(10_000),
        user_settings: Some(settings),
        ..SandboxConfig::default()
    })
    .await;
    let env = TestEnv::new();
    let file = users_file(&env);
    let out = run(&env, import_args(&sandbox, "clerk", &file, &[]), key()).await;
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("would refuse all 12 users (phone_number is required)")
            && stderr.contains("Dashboard"),
        "{stderr}"
    );
    assert_eq!(sandbox.user_count(), 0);
    // The instance check and the domains: no create.
    assert_eq!(sandbox.stats().requests, 2);
    sandbox.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phones_and_usernames_held_by_others_are_conflicts_and_dev_headroom_is_shown() {
    let sandbox = start_sandbox(SandboxConfig {
        rate: Some(10_000),
        ..SandboxConfig::default()
    })
    .await;
    let api = Api::new(&sandbox, migrate::sandbox::DEFAULT_SECRET_KEY);
    for body in [
        json!({"phone_number": ["+14155550107"], "skip_password_requirement": true}),
        json!({"username": "taken", "skip_password_requirement": true}),
    ] {
        assert_eq!(
            api.send(reqwest::Method::POST, "/users", Some(&body))
                .await
                .status,
            200
        );
    }
    let env = TestEnv::new();
    let users = json!([
        {"id": "a", "primary_email_address": "a@example.com", "primary_phone_number": "+1 415 555 0107"},
        {"id": "b", "primary_email_address": "b@example.com", "username": "Taken"},
        {"id": "c", "primary_email_address": "c@example.com"},
    ]);
    let file = env.write("users.json", &users.to_string());
    let out = run(
        &env,
        import_args(&sandbox, "clerk", &file, &["--dry-run", "--live"]),
        vec![
            (
                "CLERK_SECRET_KEY",
                migrate::sandbox::DEFAULT_SECRET_KEY.to_owned(),
            ),
            ("RATE_LIMIT", "1000".to_owned()),
        ],
    )
    .await;
    let r = report(&out);
    let live = &r["live"];
    assert_eq!(
        live["existing_by"],
        json!({"phone_number": 1, "username": 1}),
        "{r}"
    );
    assert_eq!(
        (&live["conflicts"], &live["would_create"]),
        (&json!(2), &json!(1))
    );
    assert_eq!(
        (
            &live["instance"]["environment"],
            &live["instance"]["cap_headroom"]
        ),
        (&json!("development"), &json!(98))
    );
    sandbox.stop().await;
}

/// The instance's username rules and required names, from the Frontend API's settings:
/// a username too short, with a character Clerk does not allow or of digits alone, and a
/// missing required last name are `would_refuse` with the reason; the sandbox, given the
/// same settings, refuses exactly those at create.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn username_rules_and_required_names_are_checked_live() {
    let mut settings = migrate::sandbox::settings::default_user_settings();
    settings["username_settings"] = json!({"min_length": 4, "max_length": 64});
    settings["attributes"]["last_name"] = json!({"enabled": true, "required": true});
    let sandbox = start_sandbox(SandboxConfig {
        secret_key: LIVE_KEY.into(),
        rate: Some(10_000),
        user_settings: Some(settings),
        ..SandboxConfig::default()
    })
    .await;
    let env = TestEnv::new();
    let users = json!([
        {"id": "ok", "username": "good_name", "first_name": "A", "last_name": "B"},
        {"id": "short", "username": "abc", "last_name": "B"},
        {"id": "dotted", "username": "a.b.c.d", "last_name": "B"},
        {"id": "digits", "username": "123456", "last_name": "B"},
        {"id": "nameless", "username": "fine_one", "first_name": "A"},
    ]);
    let file = env.write("users.json", &users.to_string());
    let mut args = import_args(&sandbox, "clerk", &file, &["--dry-run", "--live"]);
    args.retain(|a| a != "-y");
    args.insert(0, "-y".into());
    let r = report(&run(&env, args, key()).await);
    let live = &r["live"];
    assert_eq!(
        (&live["would_refuse"], &live["would_create"]),
        (&json!(4), &json!(1)),
        "{r}"
    );
    assert_eq!(
        live["refuse_by_reason"],
        json!({
            "last_name is required": 1,
            "username holds characters other than letters, digits, '_' and '-'": 1,
            "username is digits alone: it needs a letter, '_' or '-'": 1,
            "username is not 4 to 64 characters long, as the instance requires": 1,
        }),
        "{r}"
    );
    let out = run(&env, import_args(&sandbox, "clerk", &file, &[]), key()).await;
    let i = report(&out);
    assert_eq!((&i["created"], &i["failed"]), (&json!(1), &json!(4)), "{i}");
    assert_eq!(
        sandbox.external_ids().keys().collect::<Vec<_>>(),
        vec!["ok"]
    );
    sandbox.stop().await;
}
