//! What real exports look like and what Clerk must end up holding: shapes other tools'
//! fixtures and the platforms' own code show (issue 18).

use serde_json::{Value, json};

use super::sandbox_api::Api;
use super::util::TestEnv;
use super::util::{LIVE_KEY, import_args, live_sandbox, report, run};

fn vars() -> Vec<(&'static str, String)> {
    vec![
        ("CLERK_SECRET_KEY", LIVE_KEY.to_owned()),
        ("RATE_LIMIT", "1000".to_owned()),
    ]
}

/// Imports `text` as `name` with `-t transformer` into a fresh sandbox; returns the
/// summary and the users Clerk holds, by external ID.
async fn import_text(
    transformer: &str,
    name: &str,
    text: &str,
) -> (Value, std::collections::HashMap<String, Value>) {
    let sandbox = live_sandbox(10_000, 10).await;
    let env = TestEnv::new();
    let file = env.write(name, text);
    let out = run(&env, import_args(&sandbox, transformer, &file, &[]), vars()).await;
    let summary = report(&out);
    let api = Api::new(&sandbox, LIVE_KEY);
    let users = api.get("/users?limit=500").await.body;
    let by_id = users
        .as_array()
        .into_iter()
        .flatten()
        .map(|u| {
            (
                u["external_id"].as_str().unwrap_or_default().to_owned(),
                u.clone(),
            )
        })
        .collect();
    sandbox.stop().await;
    (summary, by_id)
}

/// Auth0's bulk user export job writes NDJSON into a file named `.json`: read as what it is.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ndjson_named_json_is_read_as_ndjson() {
    let text = "{\"user_id\":\"auth0|1\",\"email\":\"one@example.com\",\"email_verified\":true}\n\
                {\"user_id\":\"auth0|2\",\"email\":\"two@example.com\",\"email_verified\":true}\n";
    let (summary, users) = import_text("auth0", "users.json", text).await;
    assert_eq!(summary["created"], 2, "{summary}");
    assert!(users.contains_key("auth0|2"));
}

/// Auth0's `user_metadata` is the user's to edit: it lands in `unsafe_metadata`, never in
/// the `public_metadata` applications trust; `app_metadata` stays private.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auth0_user_metadata_is_unsafe_and_app_metadata_private() {
    let text = json!([{"user_id": "auth0|1", "email": "one@example.com", "email_verified": true,
        "user_metadata": {"role": "admin"}, "app_metadata": {"plan": "pro"}}])
    .to_string();
    let (_, users) = import_text("auth0", "users.json", &text).await;
    let u = &users["auth0|1"];
    assert_eq!(u["unsafe_metadata"], json!({"role": "admin"}), "{u}");
    assert_eq!(u["public_metadata"], json!({}), "{u}");
    assert_eq!(u["private_metadata"], json!({"plan": "pro"}), "{u}");
}

/// Better Auth's anonymous plugin users are skipped, by reason, as Supabase's are.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn better_auth_anonymous_users_are_skipped() {
    let text = json!([
        {"id": "b1", "email": "b1@example.com", "emailVerified": true, "name": "Bee One", "isAnonymous": false},
        {"id": "b2", "email": "temp-b2@anon.example.com", "emailVerified": false, "name": "Anonymous", "isAnonymous": true},
        {"id": "b3", "email": "temp-b3@anon.example.com", "emailVerified": 0, "name": "Anonymous", "isAnonymous": 1},
    ])
    .to_string();
    let (summary, users) = import_text("betterauth", "users.json", &text).await;
    assert_eq!(
        (&summary["created"], &summary["skipped"]),
        (&json!(1), &json!(2)),
        "{summary}"
    );
    assert!(users.contains_key("b1") && !users.contains_key("b2"));
}

/// The JSON Supabase's admin API returns (`auth.admin.listUsers()`, GoTrue's `User` as
/// JSON): `user_metadata`, `app_metadata`, `identities` with `id` as the provider's ID,
/// `factors` without secrets, a ban for good. Names as given, the ban kept.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn supabase_admin_api_users_keep_names_and_bans() {
    let text = json!([{
        "id": "6f1c1c1e-0000-4000-8000-000000000001", "aud": "authenticated", "role": "authenticated",
        "email": "mary@example.com", "email_confirmed_at": "2024-03-01T10:00:00.000000Z",
        "phone": "", "confirmed_at": "2024-03-01T10:00:00.000000Z", "last_sign_in_at": "2024-05-01T10:00:00.000000Z",
        "app_metadata": {"provider": "email", "providers": ["email", "github"], "tier": "gold"},
        "user_metadata": {"first_name": "Mary Ann", "last_name": "Doe"},
        "identities": [{"identity_id": "0b0b0b0b-0000-4000-8000-000000000001", "id": "12345",
            "user_id": "6f1c1c1e-0000-4000-8000-000000000001", "identity_data": {"email": "mary@example.com"},
            "provider": "github", "created_at": "2024-03-01T10:00:00Z", "updated_at": "2024-03-01T10:00:00Z"}],
        "factors": [{"id": "f1", "status": "verified", "factor_type": "totp", "created_at": "2024-03-01T10:00:00Z", "updated_at": "2024-03-01T10:00:00Z"}],
        "created_at": "2024-03-01T09:00:00.000000Z", "updated_at": "2024-05-01T10:00:00.000000Z",
        "banned_until": "infinity", "is_anonymous": false
    }])
    .to_string();
    let (summary, users) = import_text("supabase", "users.json", &text).await;
    assert_eq!(summary["created"], 1, "{summary}");
    let u = &users["6f1c1c1e-0000-4000-8000-000000000001"];
    assert_eq!(
        (&u["first_name"], &u["last_name"], &u["banned"]),
        (&json!("Mary Ann"), &json!("Doe"), &json!(true)),
        "{u}"
    );
    assert_eq!(u["private_metadata"]["tier"], "gold", "{u}");
    assert_eq!(
        u["private_metadata"]["supabase_identities"],
        json!([{"provider": "github", "provider_id": "12345"}]),
        "{u}"
    );
}

/// A file another platform wrote, given to the wrong `-t`, is refused before anything is
/// sent (exit 2), naming the transformer that fits: a Supabase export with `-t clerk`
/// (it has an `id`, so the ID check alone let it through and created users with no
/// password and no name) and a Clerk CSV with `-t supabase`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_transformer_is_refused_naming_the_one_that_fits() {
    let supabase = json!([{"id": "6f1c1c1e-0000-4000-8000-000000000001", "aud": "authenticated", "role": "authenticated",
        "email": "mary@example.com", "encrypted_password": "$2a$10$W1uZf6zwK208CVvnjF9c9.An9oLmQtIlAiWO6s40kU8eHAwob2K.i",
        "email_confirmed_at": null, "raw_user_meta_data": {"full_name": "Mary Doe"}, "raw_app_meta_data": {},
        "created_at": "2024-03-01 09:00:00+00"}])
    .to_string();
    let clerk_csv = "id,first_name,last_name,username,primary_email_address,primary_phone_number,verified_email_addresses,unverified_email_addresses,verified_phone_numbers,unverified_phone_numbers,totp_secret,password_digest,password_hasher\n\
        user_2YDryYFVMM1W1plDDKz7Gzf4we6,Jane,Doe,jane,jane.doe@test.com,,jane.doe@test.com,,,,,$2b$10$U4C0ZY8OG8y41F9LusfKyu3HRMBL0rCZcKBVsXhgr.n8Ou6FPhzO2,bcrypt\n";
    for (name, text, wrong, right) in [
        ("users.json", supabase.as_str(), "clerk", "supabase"),
        ("users.csv", clerk_csv, "supabase", "clerk"),
    ] {
        let sandbox = live_sandbox(10_000, 10).await;
        let env = TestEnv::new();
        let file = env.write(name, text);
        let out = run(&env, import_args(&sandbox, wrong, &file, &[]), vars()).await;
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
        assert!(
            stderr.contains(&format!("use -t {right}")),
            "{name}: {stderr}"
        );
        assert_eq!(sandbox.user_count(), 0, "nothing sent");
        // And the right one imports it.
        let out = run(&env, import_args(&sandbox, right, &file, &[]), vars()).await;
        assert_eq!(report(&out)["created"], 1, "{name}");
        sandbox.stop().await;
    }
}

/// Without `-t`, the transformer is read off the file, and named: every sample we ship
/// and every sample the reference tool ships is detected as its platform's.
#[test]
fn without_t_each_sample_is_detected_as_its_platform() {
    let env = TestEnv::new();
    let ours = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    let mut dirs = vec![ours];
    if let Some(shared) = super::util::shared_dir() {
        dirs.push(shared.join("reference-samples"));
    }
    let mut checked = 0;
    for dir in dirs {
        for entry in std::fs::read_dir(&dir).expect("samples") {
            let path = entry.expect("entry").path();
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .expect("name")
                .to_owned();
            let Some(platform) = [
                "auth0",
                "authjs",
                "betterauth",
                "clerk",
                "firebase",
                "supabase",
            ]
            .into_iter()
            .find(|p| name.starts_with(&format!("{p}."))) else {
                continue;
            };
            let out = env
                .cmd()
                .args(["-y", "--dry-run", "--json", "-f"])
                .arg(&path)
                .output()
                .expect("runs");
            let stderr = String::from_utf8_lossy(&out.stderr);
            let r: Value = serde_json::from_slice(&out.stdout)
                .unwrap_or_else(|e| panic!("{}: {e}: {stderr}", path.display()));
            assert_eq!(r["transformer"], platform, "{}: {stderr}", path.display());
            checked += 1;
        }
    }
    assert!(checked >= 12, "{checked}");
    // Named in the text report too.
    let out = env
        .cmd()
        .args(["-y", "--dry-run", "-f"])
        .arg(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/supabase.json"))
        .output()
        .expect("runs");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("is a Supabase export: using -t supabase"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Firebase's hash parameters must be base64, as the console shows them: checked when
/// the settings are read (exit 2, before any record), never echoed.
#[test]
fn firebase_parameters_that_are_not_base64_are_refused_up_front() {
    let env = TestEnv::new();
    let sample = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/firebase.json");
    for (flag, bad) in [
        ("--firebase-signer-key", "s3cret-not*base64"),
        ("--firebase-salt-separator", "%%"),
    ] {
        let mut args = vec![
            "-y".to_owned(),
            "--dry-run".into(),
            "-t".into(),
            "firebase".into(),
            "-f".into(),
            sample.display().to_string(),
            "--firebase-rounds".into(),
            "8".into(),
            "--firebase-mem-cost".into(),
            "14".into(),
        ];
        for (f, v) in [
            ("--firebase-signer-key", "c2lnbmVy"),
            ("--firebase-salt-separator", "Bw=="),
        ] {
            args.push(f.into());
            args.push(if f == flag { bad.into() } else { v.into() });
        }
        let out = env.cmd().args(&args).output().expect("runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains(flag) && stderr.contains("not valid base64"),
            "{stderr}"
        );
        assert!(!stderr.contains(bad), "{stderr}");
    }
}

/// Clerk's create rules: a name that is an email address, a URL, a phone number or HTML
/// is left out (the user imports, the report counts it) and the sandbox refuses it as
/// Clerk does; a placeholder email on a reserved top-level domain is left out, and a
/// user with nothing else is invalid. `example.com` is an ordinary domain.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn names_and_emails_clerk_refuses_are_left_out_and_counted() {
    let text = json!([
        {"user_id": "auth0|1", "email": "one@example.com", "email_verified": true, "given_name": "one@example.com", "family_name": "Ok"},
        {"user_id": "auth0|2", "email": "two@example.com", "email_verified": true, "given_name": "https://spam.example/x", "family_name": "<b>bold</b>"},
        {"user_id": "auth0|3", "email": "three@example.com", "email_verified": true, "given_name": "+1 (415) 555-0100", "family_name": "Smith"},
        {"user_id": "auth0|4", "email": "placeholder@users.invalid", "email_verified": true, "username": "four"},
        {"user_id": "auth0|5", "email": "nobody@host.local", "email_verified": true},
    ])
    .to_string();
    let env = TestEnv::new();
    let file = env.write("users.json", &text);
    let out = env
        .cmd()
        .args(["-y", "--dry-run", "--json", "-t", "auth0", "-f"])
        .arg(&file)
        .output()
        .expect("runs");
    let r: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!((&r["ready"], &r["invalid"]), (&json!(4), &json!(1)), "{r}");
    assert_eq!(
        r["dropped"],
        json!({
            "email_address: on the reserved top-level domain .invalid": 1,
            "first_name: looks like a URL": 1,
            "first_name: looks like a phone number": 1,
            "first_name: looks like an email address": 1,
            "last_name: looks like HTML": 1,
        }),
        "{r}"
    );
    assert!(
        r["invalid_by_reason"]
            .as_object()
            .is_some_and(|m| m.keys().any(|k| k.contains("reserved top-level domains"))),
        "{r}"
    );
    let (summary, users) = import_text("auth0", "users.json", &text).await;
    assert_eq!(summary["created"], 4, "{summary}");
    let three = &users["auth0|3"];
    assert_eq!(
        (&three["first_name"], &three["last_name"]),
        (&Value::Null, &json!("Smith")),
        "{three}"
    );
    assert_eq!(
        users["auth0|4"]["email_addresses"],
        json!([]),
        "{}",
        users["auth0|4"]
    );

    // The sandbox refuses them as Clerk does.
    let sandbox = live_sandbox(10_000, 10).await;
    let api = Api::new(&sandbox, LIVE_KEY);
    for body in [
        json!({"username": "a1", "first_name": "www.spam.example", "skip_password_requirement": true}),
        json!({"username": "a2", "last_name": "<script>x</script>", "skip_password_requirement": true}),
        json!({"email_address": ["x@host.local"], "skip_password_requirement": true}),
    ] {
        let r = api.post("/users", body.clone()).await;
        assert_eq!(r.status, 422, "{body}: {}", r.body);
        assert_eq!(r.body["errors"][0]["code"], "form_param_format_invalid");
    }
    sandbox.stop().await;
}

/// No user the dry run calls ready is refused at create: for every sample we ship (and
/// the reference tool's, when `../shared` is there), the import creates exactly the users
/// the dry run called ready, and none fails.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dry_run_of_every_sample_agrees_with_the_import() {
    let firebase = super::util::FIREBASE_FLAGS;
    let mut dirs = vec![std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("samples")];
    if let Some(shared) = super::util::shared_dir() {
        dirs.push(shared.join("reference-samples"));
    }
    let mut checked = 0;
    for dir in dirs {
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .expect("samples")
            .map(|e| e.expect("entry").path())
            .collect();
        files.sort();
        for path in files {
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .expect("name")
                .to_owned();
            // Exports only: `<platform>.<json|ndjson|csv>` (not `demo.passwords.csv`).
            let Some((stem, "json" | "ndjson" | "csv")) = name.split_once('.') else {
                continue;
            };
            let transformer = match stem {
                "demo" => "auth0",
                "auth0" | "authjs" | "betterauth" | "clerk" | "firebase" | "supabase" => stem,
                _ => continue,
            };
            let extra: &[&str] = if transformer == "firebase" {
                &firebase
            } else {
                &[]
            };
            let sandbox = live_sandbox(10_000, 10).await;
            let env = TestEnv::new();
            let mut dry = import_args(&sandbox, transformer, &path, extra);
            dry.push("--dry-run".into());
            let plan = report(&run(&env, dry, vars()).await);
            let summary = report(
                &run(
                    &env,
                    import_args(&sandbox, transformer, &path, extra),
                    vars(),
                )
                .await,
            );
            assert_eq!(
                (&summary["created"], &summary["failed"]),
                (&plan["ready"], &json!(0)),
                "{}: dry run {plan}\nimport {summary}",
                path.display()
            );
            checked += 1;
            sandbox.stop().await;
        }
    }
    assert!(checked >= 12, "{checked}");
}

/// An empty file, an empty list and a CSV header without rows are one case: the file holds
/// no users, exit 1, and no call is spent on the instance.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_without_users_is_refused_before_any_call() {
    let sandbox = live_sandbox(10_000, 10).await;
    let env = TestEnv::new();
    for (name, text) in [
        ("empty.json", ""),
        ("none.json", "[]"),
        ("header.csv", "user_id,email\n"),
    ] {
        let file = env.write(name, text);
        let before = sandbox.stats().requests;
        let out = run(&env, import_args(&sandbox, "auth0", &file, &[]), vars()).await;
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{name}: {stderr}");
        assert!(
            stderr.contains("empty") || stderr.contains("holds no users"),
            "{stderr}"
        );
        assert_eq!(sandbox.stats().requests, before, "{name}: no call");
    }
    sandbox.stop().await;
}
