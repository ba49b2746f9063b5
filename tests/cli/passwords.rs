//! Passwords that still sign in: every fixture hash, made by the platform's own library,
//! verifies against the sandbox's `verify_password`; a wrong password does not.

use migrate::sandbox::{DEFAULT_SECRET_KEY, SandboxConfig};
use reqwest::Method;
use serde_json::{Value, json};

use super::sandbox_api::Api;
use super::util::start_sandbox;

pub fn fixture(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/passwords")
        .join(name)
}

fn hashes() -> Vec<Value> {
    let text = std::fs::read_to_string(fixture("hashes.json")).expect("hashes.json");
    serde_json::from_str(&text).expect("hashes.json is JSON")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fixture_hash_signs_in_with_its_password_and_only_with_it() {
    let sandbox = start_sandbox(SandboxConfig {
        user_cap: Some(0),
        ..SandboxConfig::default()
    })
    .await;
    let api = Api::new(&sandbox, DEFAULT_SECRET_KEY);
    let fixtures = hashes();
    let mut hashers: Vec<&str> = fixtures
        .iter()
        .filter_map(|h| h["hasher"].as_str())
        .collect();
    hashers.dedup();
    for (i, h) in fixtures.iter().enumerate() {
        let made_by = h["made_by"].as_str().unwrap_or_default();
        let created = api
            .send(
                Method::POST,
                "/users",
                Some(&json!({
                    "username": format!("fixture{i}"),
                    "password_digest": h["digest"],
                    "password_hasher": h["hasher"],
                })),
            )
            .await;
        assert_eq!(created.status, 200, "{made_by}: {}", created.body);
        let id = created.body["id"].as_str().expect("id").to_owned();
        let path = format!("/users/{id}/verify_password");
        let right = api
            .send(
                Method::POST,
                &path,
                Some(&json!({ "password": h["password"] })),
            )
            .await;
        assert_eq!(
            (right.status, right.body["verified"].clone()),
            (200, json!(true)),
            "{made_by}: the right password must sign in: {}",
            right.body
        );
        let wrong = format!("{}x", h["password"].as_str().unwrap_or_default());
        let wrong = api
            .send(Method::POST, &path, Some(&json!({ "password": wrong })))
            .await;
        assert_eq!(
            (wrong.status, wrong.code()),
            (422, "incorrect_password"),
            "{made_by}: a wrong password must not"
        );
    }
    // The hashers the issue names, each proven by at least one fixture.
    for needed in [
        "argon2i",
        "argon2id",
        "bcrypt",
        "bcrypt_sha256_django",
        "ldap_ssha",
        "md5",
        "md5_phpass",
        "md5_salted",
        "pbkdf2_sha1",
        "pbkdf2_sha256",
        "pbkdf2_sha256_django",
        "pbkdf2_sha512",
        "pbkdf2_sha512_hex",
        "phpass",
        "scrypt_firebase",
        "scrypt_werkzeug",
        "sha256",
        "sha256_salted",
        "sha512_symfony",
    ] {
        assert!(hashers.contains(&needed), "no fixture for {needed}");
    }
    sandbox.stop().await;
}

#[tokio::test]
async fn verify_password_answers_as_clerk_documents() {
    let sandbox = start_sandbox(SandboxConfig::default()).await;
    let api = Api::new(&sandbox, DEFAULT_SECRET_KEY);
    let no_password = api
        .send(
            Method::POST,
            "/users",
            Some(&json!({ "username": "nopass", "skip_password_requirement": true })),
        )
        .await;
    let id = no_password.body["id"].as_str().expect("id");
    let r = api
        .send(
            Method::POST,
            &format!("/users/{id}/verify_password"),
            Some(&json!({ "password": "whatever" })),
        )
        .await;
    assert_eq!((r.status, r.code()), (400, "no_password_set"));
    let r = api
        .send(
            Method::POST,
            "/users/user_missing/verify_password",
            Some(&json!({ "password": "whatever" })),
        )
        .await;
    assert_eq!((r.status, r.code()), (404, "resource_not_found"));

    // A plaintext password given at create signs in too.
    let plain = api
        .send(
            Method::POST,
            "/users",
            Some(&json!({ "username": "plain", "password": "plain-text-pass" })),
        )
        .await;
    let path = format!(
        "/users/{}/verify_password",
        plain.body["id"].as_str().expect("id")
    );
    let r = api
        .send(
            Method::POST,
            &path,
            Some(&json!({ "password": "plain-text-pass" })),
        )
        .await;
    assert_eq!(r.status, 200);
    let r = api.send(Method::POST, &path, Some(&json!({}))).await;
    assert_eq!(r.status, 422, "password is required");

    // Cognito is not a hash: never verified here, and the message says why.
    let cognito = api
        .send(
            Method::POST,
            "/users",
            Some(&json!({
                "username": "cognito",
                "password_hasher": "awscognito",
                "password_digest": "awscognito#eu-west-1_abc#client123#cognito-user",
            })),
        )
        .await;
    assert_eq!(cognito.status, 200, "{}", cognito.body);
    let path = format!(
        "/users/{}/verify_password",
        cognito.body["id"].as_str().expect("id")
    );
    let r = api
        .send(
            Method::POST,
            &path,
            Some(&json!({ "password": "anything" })),
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(
        r.body["errors"][0]["long_message"]
            .as_str()
            .unwrap_or_default()
            .contains("Cognito"),
        "{}",
        r.body
    );

    // A digest that does not parse for its hasher is refused at create, as Clerk does.
    for (hasher, digest) in [
        ("argon2id", "$argon2id$v=19$m=65536,t=3,p=4$notbase64!!$abc"),
        ("scrypt_werkzeug", "scrypt:16384:16:1$salt$not-hex"),
        ("ldap_ssha", "{SSHA}AAAA"),
        ("pbkdf2_sha512_hex", "pbkdf2_sha512_hex$1000$zz$abcd"),
    ] {
        let r = api
            .send(
                Method::POST,
                "/users",
                Some(&json!({ "username": "bad", "password_hasher": hasher, "password_digest": digest })),
            )
            .await;
        assert_eq!(
            (r.status, r.code(), r.param()),
            (422, "form_password_digest_invalid_code", "password_digest"),
            "{hasher}"
        );
    }
    sandbox.stop().await;
}

/// `(source user ID, password)` rows of a fixture's `*.passwords.csv`.
pub fn known_passwords(source: &str) -> Vec<(String, String)> {
    let path = fixture(&format!("{source}.passwords.csv"));
    let mut reader = csv::Reader::from_path(&path).expect("passwords csv");
    reader
        .records()
        .map(|r| {
            let r = r.expect("csv row");
            (r[0].to_owned(), r[1].to_owned())
        })
        .collect()
}

/// Imports a fixture export into a fresh sandbox; returns it with the import's summary,
/// after `migrate verify --passwords` has found no drift and every known password good.
async fn import_fixture(
    source: &str,
    file: &str,
    extra: &[&str],
) -> (migrate::sandbox::SandboxHandle, Value) {
    let sandbox = super::util::live_sandbox(10_000, 10).await;
    let env = super::util::TestEnv::new();
    let out = super::util::run(
        &env,
        super::util::import_args(&sandbox, source, &fixture(file), extra),
        vec![
            ("CLERK_SECRET_KEY", super::util::LIVE_KEY.to_owned()),
            ("RATE_LIMIT", "1000".to_owned()),
        ],
    )
    .await;
    let summary = super::util::report(&out);
    let known = fixture(&format!("{source}.passwords.csv"));
    let args = vec![
        "verify".to_owned(),
        "--json".to_owned(),
        "--api-url".to_owned(),
        sandbox.base_url(),
        "--passwords".to_owned(),
        known.display().to_string(),
    ];
    let out = super::util::run(
        &env,
        args,
        vec![("CLERK_SECRET_KEY", super::util::LIVE_KEY.to_owned())],
    )
    .await;
    let verified = super::util::report(&out);
    assert_eq!(
        (
            &verified["checked"],
            &verified["drifted"],
            &verified["missing"]
        ),
        (&summary["created"], &json!(0), &json!(0)),
        "{source}: verify after import: {verified}"
    );
    // Better Auth's full-width password is the documented NFKC limit.
    let nfkc = u64::from(source == "betterauth");
    assert_eq!(
        verified["password_failed"].as_u64(),
        Some(nfkc),
        "{source}: {verified}"
    );
    (sandbox, summary)
}

/// Whether `password` signs in as the user imported from `source_id`.
async fn signs_in(
    sandbox: &migrate::sandbox::SandboxHandle,
    source_id: &str,
    password: &str,
) -> bool {
    let ids = sandbox.external_ids();
    let id = ids
        .get(source_id)
        .unwrap_or_else(|| panic!("{source_id} was not imported"));
    let api = Api::new(sandbox, super::util::LIVE_KEY);
    let r = api
        .send(
            Method::POST,
            &format!("/users/{id}/verify_password"),
            Some(&json!({ "password": password })),
        )
        .await;
    match r.status {
        200 => true,
        422 => false,
        other => panic!("{source_id}: verify_password answered {other}: {}", r.body),
    }
}

async fn assert_every_known_password_signs_in(
    sandbox: &migrate::sandbox::SandboxHandle,
    source: &str,
    except: &[&str],
) {
    for (id, password) in known_passwords(source) {
        let expected = !except.contains(&password.as_str());
        assert_eq!(
            signs_in(sandbox, &id, &password).await,
            expected,
            "{source} {id}"
        );
        assert!(
            !signs_in(sandbox, &id, &format!("{password}!")).await,
            "{source} {id}: wrong password"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn better_auth_scrypt_users_sign_in_after_import() {
    let (sandbox, summary) = import_fixture("betterauth", "betterauth.json", &[]).await;
    assert_eq!(summary["created"], 3, "{summary}");
    assert_eq!(summary["nfkc_at_risk"], 3, "{summary}");
    // The third password is full-width: Better Auth hashed its NFKC form, Clerk checks it
    // as typed. The documented limit, shown here so it cannot change silently.
    let (_, fullwidth) = known_passwords("betterauth").pop().expect("three users");
    assert_ne!(fullwidth, "Fullwidth-pass1");
    assert_every_known_password_signs_in(&sandbox, "betterauth", &[&fullwidth]).await;
    assert!(
        signs_in(&sandbox, "ba_user_3", "Fullwidth-pass1").await,
        "the NFKC form does"
    );
    sandbox.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn supabase_bcrypt_users_sign_in_and_deleted_or_anonymous_rows_are_skipped() {
    let (sandbox, summary) = import_fixture("supabase", "supabase.json", &[]).await;
    assert_eq!(
        (
            &summary["created"],
            &summary["skipped"],
            &summary["invalid"]
        ),
        (&json!(4), &json!(2), &json!(0)),
        "{summary}"
    );
    assert_eq!(
        summary["skipped_by_reason"],
        json!({"anonymous": 1, "deleted": 1})
    );
    assert_every_known_password_signs_in(&sandbox, "supabase", &[]).await;
    let ids = sandbox.external_ids();
    let api = Api::new(&sandbox, super::util::LIVE_KEY);
    let user = |n: u8| {
        let id = ids[&format!("7d1f0c2a-0000-4000-8000-00000000000{n}")].clone();
        let api = &api;
        async move {
            api.send(Method::GET, &format!("/users/{id}"), None)
                .await
                .body
        }
    };
    let ada = user(1).await;
    assert_eq!(
        ada["private_metadata"],
        json!({"plan": "pro", "roles": ["admin"]})
    );
    assert_eq!(
        ada["totp_enabled"], false,
        "an unverified factor is not carried over"
    );
    assert_eq!(
        user(3).await["totp_enabled"],
        true,
        "the verified TOTP factor is"
    );
    // Only the phone was confirmed: the email must not come out verified.
    let grace = user(2).await;
    assert_eq!(grace["phone_numbers"][0]["phone_number"], "+14155550123");
    assert_ne!(
        grace["email_addresses"][0]["verification"]["status"], "verified",
        "{grace}"
    );
    sandbox.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn firebase_scrypt_users_sign_in_after_import() {
    let params: Value = serde_json::from_str(
        &std::fs::read_to_string(fixture("firebase.params.json")).expect("params"),
    )
    .expect("json");
    let text = |k: &str| params[k].to_string().trim_matches('"').to_owned();
    let (signer, sep, rounds, mem) = (
        text("signerKey"),
        text("saltSeparator"),
        text("rounds"),
        text("memCost"),
    );
    let (sandbox, summary) = import_fixture(
        "firebase",
        "firebase.json",
        &[
            "--firebase-signer-key",
            &signer,
            "--firebase-salt-separator",
            &sep,
            "--firebase-rounds",
            &rounds,
            "--firebase-mem-cost",
            &mem,
        ],
    )
    .await;
    assert_eq!(summary["created"], 2, "{summary}");
    assert_every_known_password_signs_in(&sandbox, "firebase", &[]).await;
    sandbox.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clerk_digests_pass_through_and_sign_in() {
    let (sandbox, summary) = import_fixture("clerk", "clerk.json", &[]).await;
    assert_eq!(summary["created"], 3, "{summary}");
    assert_every_known_password_signs_in(&sandbox, "clerk", &[]).await;
    sandbox.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auth0_hashes_from_the_support_export_are_merged_and_sign_in() {
    let passwords = fixture("auth0-passwords.ndjson");
    let passwords = passwords.to_str().expect("utf-8 path");
    let (sandbox, summary) =
        import_fixture("auth0", "auth0.ndjson", &["--auth0-passwords", passwords]).await;
    assert_eq!(summary["created"], 5, "{summary}");
    let merge = &summary["auth0_passwords"];
    // By user_id (kim), by email in another case (lee), and keep's own hash kept.
    assert_eq!(
        (&merge["records"], &merge["merged"], &merge["unmatched"]),
        (&json!(4), &json!(3), &json!(1)),
        "{merge}"
    );
    assert_eq!(merge["unmatched_rows"], json!([3]), "the orphan hash");
    assert_eq!(
        (
            &merge["users_without_hash"],
            &merge["user_rows_without_hash"]
        ),
        (&json!(1), &json!([3])),
        "the database user the export has no hash for; the social user is not counted"
    );
    assert_every_known_password_signs_in(&sandbox, "auth0", &[]).await;
    sandbox.stop().await;
}

#[test]
fn auth0_passwords_with_another_source_is_a_usage_error_and_a_missing_file_is_named() {
    let env = super::util::TestEnv::new();
    env.cmd()
        .args(["-y", "--dry-run", "-t", "clerk", "-f"])
        .arg(fixture("clerk.json"))
        .arg("--auth0-passwords")
        .arg(fixture("auth0-passwords.ndjson"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains("only applies to -t auth0"));
    env.cmd()
        .args(["-y", "--dry-run", "-t", "auth0", "-f"])
        .arg(fixture("auth0.ndjson"))
        .args(["--auth0-passwords", "missing.ndjson"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("missing.ndjson"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_readme_demo_imports_with_its_problems_and_its_passwords_sign_in() {
    let samples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    let sandbox = super::util::live_sandbox(10_000, 10).await;
    let env = super::util::TestEnv::new();
    let vars = || {
        vec![
            ("CLERK_SECRET_KEY", super::util::LIVE_KEY.to_owned()),
            ("RATE_LIMIT", "1000".to_owned()),
        ]
    };
    let out = super::util::run(
        &env,
        super::util::import_args(&sandbox, "auth0", &samples.join("demo.ndjson"), &[]),
        vars(),
    )
    .await;
    let r = super::util::report(&out);
    assert_eq!(
        out.status.code(),
        Some(3),
        "five records are broken on purpose"
    );
    assert_eq!(
        (&r["created"], &r["invalid"]),
        (&json!(32), &json!(5)),
        "{r}"
    );
    assert_eq!(
        r["invalid_by_reason"]["email_address: duplicate_in_file"], 1,
        "the first user, signed up again: {r}"
    );
    let passwords = samples.join("demo.passwords.csv").display().to_string();
    let out = super::util::run(
        &env,
        super::verify::verify_args(&sandbox, &["--passwords", &passwords]),
        vars(),
    )
    .await;
    let v = super::util::report(&out);
    assert_eq!(
        (
            &v["checked"],
            &v["drifted"],
            &v["password_ok"],
            &v["password_failed"]
        ),
        (&json!(32), &json!(0), &json!(5), &json!(0)),
        "{v}"
    );
    sandbox.stop().await;
}

/// GoTrue verifies argon2i/argon2id and `$fbscrypt$` digests besides bcrypt (users
/// imported into Supabase); a Supabase export holding them keeps them signing in. The
/// digests are the fixtures' own: argon2 by argon2-cffi and Django, Firebase's scrypt by
/// firebase-scrypt (`hashes.json`, `firebase.json`), put into GoTrue's forms.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn supabase_argon2_and_firebase_scrypt_users_sign_in_after_import() {
    let mut users = Vec::new();
    let mut known = Vec::new();
    for (i, h) in hashes()
        .iter()
        .filter(|h| matches!(h["hasher"].as_str(), Some("argon2i" | "argon2id")))
        .enumerate()
    {
        let id = format!("00000000-0000-4000-8000-00000000000{i}");
        users.push(json!({"id": id, "email": format!("argon{i}@example.com"), "email_confirmed_at": "2024-01-01 00:00:00+00",
                          "encrypted_password": h["digest"], "aud": "authenticated"}));
        known.push((id, h["password"].as_str().expect("password").to_owned()));
    }
    let params: Value = serde_json::from_str(
        &std::fs::read_to_string(fixture("firebase.params.json")).expect("params"),
    )
    .expect("json");
    let firebase: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("firebase.json")).expect("firebase"))
            .expect("json");
    let passwords: std::collections::HashMap<String, String> =
        known_passwords("firebase").into_iter().collect();
    for (i, u) in firebase["users"]
        .as_array()
        .expect("users")
        .iter()
        .enumerate()
    {
        let Some(hash) = u["passwordHash"].as_str() else {
            continue;
        };
        let id = format!("00000000-0000-4000-9000-00000000000{i}");
        let stored = format!(
            "$fbscrypt$v=1,n={},r={},p=1,ss={},sk={}${}${hash}",
            params["memCost"],
            params["rounds"],
            params["saltSeparator"].as_str().expect("ss"),
            params["signerKey"].as_str().expect("sk"),
            u["salt"].as_str().expect("salt"),
        );
        users.push(json!({"id": id, "email": format!("fbs{i}@example.com"), "email_confirmed_at": "2024-01-01 00:00:00+00",
                          "encrypted_password": stored, "aud": "authenticated"}));
        let local = u["localId"].as_str().expect("id");
        known.push((id, passwords[local].clone()));
    }
    assert!(known.len() >= 5, "{known:?}");
    let sandbox = super::util::live_sandbox(10_000, 10).await;
    let env = super::util::TestEnv::new();
    let file = env.write("supabase.json", &Value::Array(users).to_string());
    let out = super::util::run(
        &env,
        super::util::import_args(&sandbox, "supabase", &file, &[]),
        vec![("CLERK_SECRET_KEY", super::util::LIVE_KEY.to_owned())],
    )
    .await;
    let summary = super::util::report(&out);
    assert_eq!(
        summary["created"].as_u64(),
        Some(known.len() as u64),
        "{summary}"
    );
    for (id, password) in &known {
        assert!(signs_in(&sandbox, id, password).await, "{id}");
        assert!(
            !signs_in(&sandbox, id, &format!("{password}!")).await,
            "{id}"
        );
    }
    sandbox.stop().await;
}
