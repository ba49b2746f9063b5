//! Bodies the client builds and responses the sandbox returns, validated against the
//! schemas in Clerk's OpenAPI spec (read from `../shared`, never copied).

use std::time::Duration;

use migrate::clerk::types::{
    CreateEmailAddressRequest, CreatePhoneNumberRequest, CreateUserRequest, IdentificationStatus,
};
use migrate::clerk::{ClerkClient, ClientError, ClientOptions};
use migrate::sandbox::{DEFAULT_SECRET_KEY, SandboxConfig};
use secrecy::SecretString;
use serde_json::{Map, Value, json};

use super::sandbox_api::Api;
use super::util::{shared_dir, start_sandbox};

/// Clerk's components, turned from OpenAPI 3.0 into JSON Schema 2020-12.
struct Spec {
    components: Value,
}

impl Spec {
    fn load() -> Option<Self> {
        let path = shared_dir()?.join("clerk-bapi-openapi/2026-05-12.yml");
        let text = std::fs::read_to_string(path).expect("spec readable");
        let mut doc: Value = serde_yaml_ng::from_str(&text).expect("spec parses");
        let body =
            doc["paths"]["/users"]["post"]["requestBody"]["content"]["application/json"]["schema"]
                .take();
        let email =
            doc["paths"]["/email_addresses"]["post"]["requestBody"]["content"]["application/json"]
                ["schema"]
                .take();
        let phone = doc["paths"]["/phone_numbers"]["post"]["requestBody"]["content"]["application/json"]["schema"].take();
        let mut components = doc["components"].take();
        let schemas = components["schemas"].as_object_mut().expect("schemas");
        schemas.insert("CreateUserBody".into(), body);
        schemas.insert("CreateEmailAddressBody".into(), email);
        schemas.insert("CreatePhoneNumberBody".into(), phone);
        convert(&mut components);
        Some(Self { components })
    }

    fn check(&self, schema: &str, instance: &Value) {
        let root = json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "components": self.components,
            "$ref": format!("#/components/schemas/{schema}"),
        });
        let validator = jsonschema::validator_for(&root).expect("schema compiles");
        let errors: Vec<String> = validator
            .iter_errors(instance)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{schema} rejects {instance}:\n{}",
            errors.join("\n")
        );
    }
}

/// OpenAPI's `nullable: true` becomes `anyOf [null, schema]`; annotations JSON Schema
/// does not know are dropped.
fn convert(v: &mut Value) {
    match v {
        Value::Object(map) => {
            map.remove("discriminator");
            map.remove("example");
            for child in map.values_mut() {
                convert(child);
            }
            if map.remove("nullable") == Some(Value::Bool(true)) {
                let inner = Value::Object(std::mem::take(map));
                let mut wrapped = Map::new();
                wrapped.insert("anyOf".into(), json!([{"type": "null"}, inner]));
                *map = wrapped;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(convert),
        _ => {}
    }
}

fn full_request() -> CreateUserRequest {
    let meta = |k: &str| Some(json!({ k: 1 }).as_object().cloned().unwrap_or_default());
    CreateUserRequest {
        external_id: Some("src_1".into()),
        first_name: Some("Ada".into()),
        last_name: Some("Lovelace".into()),
        locale: Some("en-GB".into()),
        email_address: vec!["ada@example.com".into(), "old@example.com".into()],
        email_address_identification_status: vec![
            IdentificationStatus::Verified,
            IdentificationStatus::Reserved,
        ],
        phone_number: vec!["+14155550100".into()],
        phone_number_identification_status: vec![IdentificationStatus::Verified],
        username: Some("ada".into()),
        password_digest: Some(
            "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy".into(),
        ),
        password_hasher: Some("bcrypt".into()),
        skip_password_checks: Some(true),
        skip_password_requirement: None,
        totp_secret: Some("JBSWY3DPEHPK3PXP".into()),
        backup_codes: vec!["a1".into()],
        public_metadata: meta("p"),
        private_metadata: meta("q"),
        unsafe_metadata: meta("u"),
        delete_self_enabled: Some(false),
        legal_accepted_at: Some("2021-01-01T00:00:00.000Z".into()),
        skip_legal_checks: Some(true),
        skip_user_requirement: Some(true),
        create_organization_enabled: Some(true),
        create_organizations_limit: Some(2),
        created_at: Some("2020-01-01T00:00:00.000Z".into()),
        bypass_client_trust: Some(false),
        banned: Some(true),
        locked: Some(false),
    }
}

#[cfg_attr(shared_absent, ignore = "needs ../shared beside the checkout")]
#[test]
fn client_request_bodies_match_the_spec() {
    let Some(spec) = Spec::load() else { return };
    let full = serde_json::to_value(full_request()).expect("serializes");
    spec.check("CreateUserBody", &full);
    spec.check(
        "CreateUserBody",
        &serde_json::to_value(CreateUserRequest::default()).expect("serializes"),
    );
    let email = CreateEmailAddressRequest {
        user_id: "user_1".into(),
        email_address: "a@example.com".into(),
        verified: false,
        primary: false,
    };
    spec.check(
        "CreateEmailAddressBody",
        &serde_json::to_value(email).expect("serializes"),
    );
    let phone = CreatePhoneNumberRequest {
        user_id: "user_1".into(),
        phone_number: "+14155550100".into(),
        verified: true,
        primary: false,
    };
    spec.check(
        "CreatePhoneNumberBody",
        &serde_json::to_value(phone).expect("serializes"),
    );
}

#[cfg_attr(shared_absent, ignore = "needs ../shared beside the checkout")]
#[tokio::test]
async fn sandbox_responses_match_the_spec() {
    let Some(spec) = Spec::load() else { return };
    let s = start_sandbox(SandboxConfig {
        rate: Some(2),
        window: Duration::from_secs(60),
        user_cap: Some(1),
        ..SandboxConfig::default()
    })
    .await;
    let api = Api::new(&s, DEFAULT_SECRET_KEY);
    let created = api
        .post(
            "/users",
            serde_json::to_value(full_request()).expect("json"),
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.body);
    spec.check("User", &created.body);
    let id = created.body["id"].as_str().expect("id").to_owned();
    let email = api
        .post(
            "/email_addresses",
            json!({"user_id": id, "email_address": "x@example.com", "verified": true}),
        )
        .await;
    spec.check("EmailAddress", &email.body);
    // The 2-request window is spent: the 429 must be an envelope too.
    let limited = api.get("/users").await;
    assert_eq!(limited.status, 429);
    spec.check("ClerkErrors", &limited.body);

    let s = start_sandbox(SandboxConfig {
        rate: Some(1000),
        user_cap: Some(1),
        ..SandboxConfig::default()
    })
    .await;
    let api = Api::new(&s, DEFAULT_SECRET_KEY);
    let created = api.post("/users", json!({"username": "solo", "phone_number": ["+14155550100"], "skip_password_requirement": true})).await;
    spec.check("User", &created.body);
    let id = created.body["id"].as_str().expect("id").to_owned();
    let phone = api
        .post(
            "/phone_numbers",
            json!({"user_id": id, "phone_number": "+14155550199"}),
        )
        .await;
    spec.check("PhoneNumber", &phone.body);
    let list = api.get("/users?limit=10").await;
    for u in list.body.as_array().expect("bare array") {
        spec.check("User", u);
    }
    spec.check("TotalCount", &api.get("/users/count").await.body);
    spec.check("Instance", &api.get("/instance").await.body);
    spec.check("Domains", &api.get("/domains").await.body);
    for error in [
        api.post(
            "/users",
            json!({"username": "solo2", "skip_password_requirement": true}),
        )
        .await, // 403 cap
        api.post("/users", json!({"bogus": 1})).await,
        api.get("/users/user_nope").await,
        Api::new(&s, "sk_test_wrong").get("/users").await,
    ] {
        assert!(error.status >= 400);
        spec.check("ClerkErrors", &error.body);
    }
    let deleted = api
        .send(reqwest::Method::DELETE, &format!("/users/{id}"), None)
        .await;
    spec.check("DeletedObject", &deleted.body);
}

/// The sandbox's organizations, roles and memberships have the shapes Clerk's spec gives.
#[cfg_attr(shared_absent, ignore = "needs ../shared beside the checkout")]
#[tokio::test]
async fn sandbox_organizations_match_the_spec() {
    let Some(spec) = Spec::load() else { return };
    let s = start_sandbox(SandboxConfig {
        rate: Some(1000),
        ..SandboxConfig::default()
    })
    .await;
    let api = Api::new(&s, DEFAULT_SECRET_KEY);
    let user = api
        .post(
            "/users",
            json!({"username": "owner", "skip_password_requirement": true}),
        )
        .await;
    let user_id = user.body["id"].as_str().expect("id").to_owned();
    let org = api
        .post(
            "/organizations",
            json!({"name": "Acme", "slug": "acme", "created_by": user_id, "public_metadata": {"a": 1}}),
        )
        .await;
    spec.check("Organization", &org.body);
    let bare = api.post("/organizations", json!({"name": "Bare"})).await;
    spec.check("Organization", &bare.body);
    spec.check("Organization", &api.get("/organizations/acme").await.body);
    spec.check("Roles", &api.get("/organization_roles").await.body);
    let org_id = org.body["id"].as_str().expect("id");
    let member = api
        .post(
            "/users",
            json!({"username": "member", "skip_password_requirement": true}),
        )
        .await;
    let path = format!("/organizations/{org_id}/memberships");
    let added = api
        .post(
            &path,
            json!({"user_id": member.body["id"], "role": "org:member"}),
        )
        .await;
    spec.check("OrganizationMembership", &added.body);
    spec.check("OrganizationMemberships", &api.get(&path).await.body);
    for error in [
        api.post(
            &path,
            json!({"user_id": member.body["id"], "role": "org:member"}),
        )
        .await,
        api.get("/organizations/nope").await,
    ] {
        spec.check("ClerkErrors", &error.body);
    }
    spec.check(
        "Organizations",
        &api.get("/organizations?limit=1").await.body,
    );
    spec.check(
        "OrganizationSettings",
        &api.get("/instance/organization_settings").await.body,
    );
    let one = format!("{path}/{}", member.body["id"].as_str().expect("id"));
    let merged = api
        .send(
            reqwest::Method::PATCH,
            &format!("{one}/metadata"),
            Some(&json!({"private_metadata": {"k": {"a": 1}}})),
        )
        .await;
    spec.check("OrganizationMembership", &merged.body);
    let removed = api.send(reqwest::Method::DELETE, &one, None).await;
    spec.check("OrganizationMembership", &removed.body);
    let gone = api
        .send(
            reqwest::Method::DELETE,
            &format!("/organizations/{}", bare.body["id"].as_str().expect("id")),
            None,
        )
        .await;
    spec.check("DeletedObject", &gone.body);
    let invitations = format!("/organizations/{org_id}/invitations");
    let one = json!({"email_address": "new@example.com", "role": "org:member"});
    spec.check(
        "OrganizationInvitation",
        &api.post(&invitations, one).await.body,
    );
    let two = json!([{"email_address": "a@example.com", "role": "org:member"},
        {"email_address": "b@example.com", "role": "org:admin"}]);
    let bulk = api.post(&format!("{invitations}/bulk"), two).await;
    spec.check("OrganizationInvitations", &bulk.body);
    let listed = api.get(&format!("{invitations}?status=pending")).await;
    spec.check("OrganizationInvitations", &listed.body);
}

#[tokio::test]
async fn client_maps_results_and_errors() {
    let s = start_sandbox(SandboxConfig {
        rate: Some(2),
        window: Duration::from_secs(30),
        ..SandboxConfig::default()
    })
    .await;
    let options = ClientOptions {
        base_url: s.base_url(),
        timeout: Duration::from_secs(5),
    };
    let client =
        ClerkClient::new(&options, &SecretString::from(DEFAULT_SECRET_KEY)).expect("client");
    let user = client.create_user(&full_request()).await.expect("created");
    assert_eq!(user.external_id.as_deref(), Some("src_1"));
    assert!(user.email_addresses[1].reserved);
    assert!(user.email_addresses[0].is_verified());
    let dup = client.create_user(&full_request()).await.unwrap_err();
    let api = dup.api().expect("api error");
    assert_eq!(
        (api.status, api.code.as_str()),
        (422, "form_identifier_exists")
    );
    assert!(api.trace_id.as_deref().is_some_and(|t| t.len() == 32));
    let limited = client.get_instance().await.unwrap_err();
    let api = limited.api().expect("api error");
    assert_eq!(api.status, 429);
    assert!(api.retry_after.is_some_and(|d| d.as_secs() >= 1));
    assert!(limited.is_retryable());

    let bad = ClerkClient::new(&options, &SecretString::from("sk_test_wrong")).expect("client");
    let e = bad.get_instance().await.unwrap_err();
    assert!(e.api().is_some_and(|a| a.is_auth()));
    let closed = ClerkClient::new(
        &ClientOptions {
            base_url: "http://127.0.0.1:9".into(),
            timeout: Duration::from_secs(2),
        },
        &SecretString::from(DEFAULT_SECRET_KEY),
    )
    .expect("client");
    assert!(matches!(
        closed.get_instance().await,
        Err(ClientError::Connect { .. })
    ));
}
