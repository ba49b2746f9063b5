//! The import against an in-process sandbox: fields read back, one call per user, the
//! rate limit, faults and re-runs (crashes: `crash.rs`).

use std::path::{Path, PathBuf};

use migrate::sandbox::SandboxConfig;

use super::sandbox_api::Api;
use super::util::{
    LIVE_KEY, TestEnv, finals, import_args, live_sandbox, report, run, start_sandbox, users_file,
};

fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples")
}

fn key() -> Vec<(&'static str, String)> {
    vec![
        ("CLERK_SECRET_KEY", LIVE_KEY.to_owned()),
        ("RATE_LIMIT", "1000".to_owned()),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn samples_import_and_read_back() {
    let sandbox = live_sandbox(10_000, 10).await;
    let env = TestEnv::new();
    let out = run(
        &env,
        import_args(&sandbox, "clerk", &samples().join("clerk.json"), &[]),
        key(),
    )
    .await;
    let r = report(&out);
    assert_eq!(out.status.code(), Some(3), "some records are invalid");
    assert_eq!(
        (
            r["created"].as_u64(),
            r["invalid"].as_u64(),
            r["failed"].as_u64()
        ),
        (Some(3), Some(3), Some(0))
    );
    let api = Api::new(&sandbox, LIVE_KEY);
    let grace = &api
        .get("/users?external_id=user_2aaaaaaaaaaaaaaaaaaaaaaaaa1")
        .await
        .body[0];
    assert_eq!(grace["first_name"], "Grace");
    assert_eq!(grace["email_addresses"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        grace["primary_email_address_id"],
        grace["email_addresses"][0]["id"]
    );
    assert_eq!(
        grace["email_addresses"][0]["email_address"],
        "grace@navy.example"
    );
    assert_eq!(grace["phone_numbers"][0]["phone_number"], "+12025550111");
    assert_eq!(grace["public_metadata"]["rank"], "rear admiral");
    assert_eq!(grace["private_metadata"]["crm_id"], 1906);
    assert_eq!(grace["created_at"], 1_577_836_800_000_i64);
    assert_eq!(grace["totp_enabled"], true);
    assert_eq!(grace["backup_code_enabled"], true);
    assert_eq!(grace["create_organization_enabled"], false);
    assert_eq!(grace["create_organizations_limit"], 3);
    assert_eq!(grace["delete_self_enabled"], false);
    assert_eq!(grace["legal_accepted_at"], 1_580_515_200_000_i64);
    assert_eq!(
        sandbox
            .password_of("user_2aaaaaaaaaaaaaaaaaaaaaaaaa1")
            .map(|p| p.0),
        Some(Some("bcrypt".to_owned()))
    );
    let alan = &api
        .get("/users?external_id=user_2aaaaaaaaaaaaaaaaaaaaaaaaa2")
        .await
        .body[0];
    assert_eq!(alan["banned"], true);
    assert_eq!(alan["password_enabled"], false);
    assert_eq!(
        sandbox
            .password_of("user_2aaaaaaaaaaaaaaaaaaaaaaaaa3")
            .map(|p| p.0),
        Some(Some("pbkdf2_sha256_django".to_owned()))
    );

    // Reserved identifiers and org flags through the CSV and Auth0 samples.
    let out = run(
        &env,
        import_args(&sandbox, "clerk", &samples().join("clerk.csv"), &[]),
        key(),
    )
    .await;
    assert_eq!(report(&out)["created"], 5);
    let ada = &api
        .get("/users?external_id=user_2bbbbbbbbbbbbbbbbbbbbbbbbb1")
        .await
        .body[0];
    let emails: Vec<(&str, bool)> = ada["email_addresses"]
        .as_array()
        .expect("array")
        .iter()
        .map(|e| {
            (
                e["email_address"].as_str().unwrap_or(""),
                e["reserved"].as_bool().unwrap_or(false),
            )
        })
        .collect();
    assert_eq!(
        emails,
        [
            ("ada@analytical.example", false),
            ("countess@example.org", false),
            ("old.ada@example.net", true)
        ]
    );
    let out = run(
        &env,
        import_args(&sandbox, "auth0", &samples().join("auth0.json"), &[]),
        key(),
    )
    .await;
    assert_eq!(report(&out)["created"], 3);
    let linus = &api
        .get("/users?external_id=google-oauth2%7C1098765")
        .await
        .body[0];
    assert_eq!(
        (linus["banned"].as_bool(), linus["first_name"].as_str()),
        (Some(true), Some("Linus"))
    );
    let pending = &api
        .get("/users?external_id=auth0%7Cunverifiedonly")
        .await
        .body[0];
    assert_eq!(pending["email_addresses"][0]["reserved"], true);
    assert_eq!(pending["phone_numbers"][0]["reserved"], true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_transformer_imports_its_sample() {
    let firebase = super::util::FIREBASE_FLAGS;
    let cases: [(&str, &str, u64); 7] = [
        ("auth0.ndjson", "auth0", 3),
        ("authjs.json", "authjs", 3),
        ("betterauth.json", "betterauth", 2),
        ("firebase.json", "firebase", 3),
        ("firebase.csv", "firebase", 3),
        ("supabase.json", "supabase", 3),
        ("supabase.csv", "supabase", 3),
    ];
    for (file, transformer, created) in cases {
        // A fresh instance each: several samples share users on purpose.
        let sandbox = live_sandbox(10_000, 10).await;
        let env = TestEnv::new();
        let extra: &[&str] = if transformer == "firebase" {
            &firebase
        } else {
            &[]
        };
        let out = run(
            &env,
            import_args(&sandbox, transformer, &samples().join(file), extra),
            key(),
        )
        .await;
        let r = report(&out);
        assert_eq!(r["created"].as_u64(), Some(created), "{file}: {r}");
        assert_eq!(r["failed"], 0, "{file}: {r}");
        assert_eq!(sandbox.user_count() as u64, created);
    }
    let sandbox = live_sandbox(10_000, 10).await;
    let env = TestEnv::new();
    let out = run(
        &env,
        import_args(
            &sandbox,
            "firebase",
            &samples().join("firebase.json"),
            &firebase,
        ),
        key(),
    )
    .await;
    assert_eq!(report(&out)["created"], 3);
    let (hasher, digest) = sandbox
        .password_of("fbuser0000000000000000001")
        .expect("user");
    assert_eq!(hasher.as_deref(), Some("scrypt_firebase"));
    assert_eq!(
        digest.as_deref(),
        Some("c2FtcGxlLWhhc2gtMQ==$c2FsdC0x$c2lnbmVy$Bw==$8$14")
    );
    let api = Api::new(&sandbox, LIVE_KEY);
    assert_eq!(
        api.get("/users?external_id=fbuser0000000000000000003")
            .await
            .body[0]["banned"],
        true
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_call_per_user_and_safe_reruns() {
    let sandbox = live_sandbox(10_000, 10).await;
    let env = TestEnv::new();
    let file = users_file(&env, 40);
    let out = run(&env, import_args(&sandbox, "clerk", &file, &[]), key()).await;
    let r = report(&out);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(r["created"], 40);
    // Three setup calls (instance, domains, the Frontend API's sign-up settings) plus
    // exactly one create per user; the Frontend API is not a Backend API request.
    assert_eq!(r["api_calls"], 43);
    assert_eq!(sandbox.stats().requests, 42);
    // Each created user's line carries the fingerprint of what was sent (the base a
    // later sync compares with): same form for all, different for different users.
    let lines = finals(&env, r["log_file"].as_str().expect("log"));
    let fps: std::collections::HashSet<&str> = lines
        .values()
        .filter_map(|l| l["fp"].as_str())
        .inspect(|fp| assert!(fp.starts_with("v1:") && fp.len() == 99, "{fp}"))
        .collect();
    assert_eq!(fps.len(), 40);

    // The same file again: every user was created by the earlier run.
    let out = run(&env, import_args(&sandbox, "clerk", &file, &[]), key()).await;
    let r = report(&out);
    assert_eq!(
        (
            r["skipped"].as_u64(),
            r["created"].as_u64(),
            r["api_calls"].as_u64()
        ),
        (Some(40), Some(0), Some(3))
    );
    assert_eq!(out.status.code(), Some(0));

    // Forcing a fresh pass: users are found, recorded as already existing, not duplicated.
    let out = run(
        &env,
        import_args(&sandbox, "clerk", &file, &["--no-resume"]),
        key(),
    )
    .await;
    let r = report(&out);
    assert_eq!(
        (r["already_exists"].as_u64(), r["created"].as_u64()),
        (Some(40), Some(0))
    );
    let lines = finals(&env, r["log_file"].as_str().expect("log"));
    assert!(
        lines
            .values()
            .all(|l| l["status"] == "already_exists" && l["clerkUserId"].is_string())
    );
    assert_eq!(sandbox.user_count(), 40);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pacing_at_the_limit_gets_no_429() {
    // Clerk's window: 100 requests per 10 s = 10 requests per second, strictly.
    let sandbox = live_sandbox(100, 10).await;
    let env = TestEnv::new();
    let file = users_file(&env, 45);
    let vars = vec![
        ("CLERK_SECRET_KEY", LIVE_KEY.to_owned()),
        ("RATE_LIMIT", "10".to_owned()),
    ];
    let out = run(&env, import_args(&sandbox, "clerk", &file, &[]), vars).await;
    let r = report(&out);
    assert_eq!(r["created"], 45);
    assert_eq!(sandbox.stats().rate_limited, 0, "{r}");
    assert_eq!(r["rate_limited"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pacing_above_the_limit_still_creates_everyone() {
    let sandbox = live_sandbox(20, 2).await;
    let env = TestEnv::new();
    let file = users_file(&env, 40);
    // 50 % above the sandbox's 10 requests per second.
    let vars = vec![
        ("CLERK_SECRET_KEY", LIVE_KEY.to_owned()),
        ("RATE_LIMIT", "15".to_owned()),
    ];
    let out = run(&env, import_args(&sandbox, "clerk", &file, &[]), vars).await;
    let r = report(&out);
    assert_eq!(out.status.code(), Some(0), "{r}");
    assert_eq!(r["created"], 40);
    assert!(
        r["rate_limited"].as_u64() > Some(0),
        "the test should have provoked 429s: {r}"
    );
    assert_eq!(sandbox.user_count(), 40);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_create_each_user_exactly_once() {
    let sandbox = start_sandbox(SandboxConfig {
        secret_key: LIVE_KEY.into(),
        rate: Some(10_000),
        fail_rate: 0.1,
        fail_after_create_rate: 0.1,
        seed: 42,
        ..SandboxConfig::default()
    })
    .await;
    let env = TestEnv::new();
    let file = users_file(&env, 80);
    let mut vars = key();
    vars.push(("MAX_RETRIES", "8".to_owned()));
    let out = run(&env, import_args(&sandbox, "clerk", &file, &[]), vars).await;
    let r = report(&out);
    assert_eq!(out.status.code(), Some(0), "{r}");
    assert_eq!(r["created"], 80, "{r}");
    assert!(r["retries"].as_u64() > Some(0));
    assert!(sandbox.stats().injected_faults > 0);
    // Exactly once: the sandbox keeps external IDs unique, so 80 stored users are the 80
    // source users; a lost answer was adopted, never re-created under another identity.
    assert_eq!(sandbox.user_count(), 80);
    assert_eq!(sandbox.stats().users_created, 80);
    let lines = finals(&env, r["log_file"].as_str().expect("log"));
    assert_eq!(lines.len(), 80);
    assert!(lines.values().all(|l| l["status"] == "success"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn development_cap_is_checked_before_sending() {
    let sandbox = start_sandbox(SandboxConfig {
        rate: Some(10_000),
        user_cap: Some(0),
        ..SandboxConfig::default()
    })
    .await;
    let env = TestEnv::new();
    let file = users_file(&env, 101);
    let vars = vec![(
        "CLERK_SECRET_KEY",
        migrate::sandbox::DEFAULT_SECRET_KEY.to_owned(),
    )];
    let out = run(&env, import_args(&sandbox, "clerk", &file, &[]), vars).await;
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("at most 100 users"), "{stderr}");
    assert_eq!(sandbox.stats().users_created, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_key_never_leaks_and_flags_beat_the_environment() {
    let sandbox = live_sandbox(10_000, 10).await;
    let env = TestEnv::new();
    let file = users_file(&env, 3);
    // The right key by flag, a wrong one in the environment and .env: the flag wins.
    env.write(".env", "CLERK_SECRET_KEY=sk_live_wrongFromDotenv\n");
    let mut args = import_args(&sandbox, "clerk", &file, &[]);
    args.extend(["--clerk-secret-key".to_owned(), LIVE_KEY.to_owned()]);
    let vars = vec![("CLERK_SECRET_KEY", "sk_live_wrongFromEnv".to_owned())];
    let out = run(&env, args, vars).await;
    assert_eq!(report(&out)["created"], 3);
    let typed_warning = "--clerk-secret-key puts the key in your shell history";
    assert!(String::from_utf8_lossy(&out.stderr).contains(typed_warning));
    // The environment beats .env, and draws no warning.
    let out = run(
        &env,
        import_args(&sandbox, "clerk", &file, &["--no-resume"]),
        vec![("CLERK_SECRET_KEY", LIVE_KEY.to_owned())],
    )
    .await;
    assert_eq!(report(&out)["already_exists"], 3);
    assert!(!String::from_utf8_lossy(&out.stderr).contains(typed_warning));
    // .env alone is used; here it holds a wrong key, which fails cleanly.
    let out = run(&env, import_args(&sandbox, "clerk", &file, &[]), vec![]).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("secret key"));
    let mut seen =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    for entry in std::fs::read_dir(env.path().join("logs")).expect("logs") {
        seen.push_str(&std::fs::read_to_string(entry.expect("entry").path()).expect("log"));
    }
    assert!(
        !seen.contains(LIVE_KEY)
            && !seen.contains("wrongFromDotenv")
            && !seen.contains("wrongFromEnv")
    );
}

#[test]
fn progress_off_a_terminal_shows_the_exact_share_done() {
    let env = TestEnv::new();
    let out = env
        .cmd()
        .args(["--sandbox", "-y", "-t", "auth0", "-f"])
        .arg(samples().join("auth0.ndjson"))
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("33% · 1/3 users"), "{stderr}");
    assert!(stderr.contains("66% · 2/3 users"), "{stderr}");
    assert!(stderr.contains("100% · 3/3 users"), "{stderr}");
}
