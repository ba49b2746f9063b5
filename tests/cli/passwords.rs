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
