//! The sandbox's behaviour over real HTTP: each error case, limits, uniqueness, lists.

use std::time::Duration;

use migrate::sandbox::{DEFAULT_SECRET_KEY, SandboxConfig, SandboxHandle};
use serde_json::{Value, json};

use super::util::start_sandbox;

pub struct Api {
    pub base: String,
    pub http: reqwest::Client,
    pub key: String,
}

pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Reply {
    pub fn code(&self) -> &str {
        self.body["errors"][0]["code"].as_str().unwrap_or("")
    }
    pub fn param(&self) -> &str {
        self.body["errors"][0]["meta"]["param_name"]
            .as_str()
            .unwrap_or("")
    }
}

impl Api {
    pub fn new(sandbox: &SandboxHandle, key: &str) -> Self {
        Self {
            base: format!("{}/v1", sandbox.base_url()),
            http: reqwest::Client::new(),
            key: key.to_owned(),
        }
    }

    pub async fn send(&self, method: reqwest::Method, path: &str, body: Option<&Value>) -> Reply {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.key);
        if let Some(b) = body {
            req = req.json(b);
        }
        let resp = req.send().await.expect("request sent");
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let body = resp.json().await.unwrap_or(Value::Null);
        Reply {
            status,
            headers,
            body,
        }
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.send(reqwest::Method::POST, path, Some(&body)).await
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(reqwest::Method::GET, path, None).await
    }
}

async fn sandbox() -> (SandboxHandle, Api) {
    let s = start_sandbox(SandboxConfig {
        rate: Some(10_000),
        user_cap: Some(0),
        ..SandboxConfig::default()
    })
    .await;
    let api = Api::new(&s, DEFAULT_SECRET_KEY);
    (s, api)
}

fn user(n: u32) -> Value {
    json!({
        "external_id": format!("ext_{n}"),
        "email_address": [format!("user{n}@example.com")],
        "skip_password_requirement": true,
    })
}

#[tokio::test]
async fn auth_errors_use_the_envelope() {
    let (s, api) = sandbox().await;
    let resp = api
        .http
        .get(format!("{}/users", api.base))
        .send()
        .await
        .expect("sent");
    assert_eq!(resp.status(), 401);
    assert_eq!(resp.headers()["content-type"], "application/json");
    let body: Value = resp.json().await.expect("json");
    assert_eq!(
        body["errors"][0]["code"],
        "authorization_header_format_invalid"
    );
    let trace = body["clerk_trace_id"].as_str().expect("trace id");
    assert_eq!(trace.len(), 32);
    let wrong = Api::new(&s, "sk_test_wrong");
    let r = wrong.get("/users").await;
    assert_eq!((r.status, r.code()), (401, "clerk_key_invalid"));
    let resp = api
        .http
        .get(format!("{}/users", api.base))
        .header("Authorization", "Token abc")
        .send()
        .await
        .expect("sent");
    assert_eq!(resp.status(), 401);
}

#[tokio::test]
async fn create_rejects_bad_bodies_with_clerk_codes() {
    let (_s, api) = sandbox().await;
    let resp = api
        .http
        .post(format!("{}/users", api.base))
        .bearer_auth(&api.key)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("sent");
    assert_eq!(resp.status(), 400);
    let body: Value = resp.json().await.expect("json");
    assert_eq!(body["errors"][0]["code"], "request_body_invalid");

    let cases: Vec<(Value, u16, &str, &str)> = vec![
        (
            json!({"email_address": ["a@example.com"], "skip_password_requirement": true, "nickname": "x"}),
            422,
            "form_param_unknown",
            "nickname",
        ),
        (
            json!({"email_address": "a@example.com", "skip_password_requirement": true}),
            422,
            "form_param_value_invalid",
            "email_address",
        ),
        (
            json!({"email_address": ["not-an-email"], "skip_password_requirement": true}),
            422,
            "form_param_format_invalid",
            "email_address",
        ),
        (
            json!({"phone_number": ["2024-01-15 10:45:00"], "skip_password_requirement": true}),
            422,
            "form_param_format_invalid",
            "phone_number",
        ),
        (
            json!({"email_address": ["a@example.com"]}),
            422,
            "form_data_missing",
            "",
        ),
        (
            json!({"first_name": "Only", "skip_password_requirement": true}),
            422,
            "form_param_missing",
            "",
        ),
        (
            json!({"username": "u1", "password_digest": "x", "password_hasher": "rot13"}),
            422,
            "form_param_value_invalid",
            "password_hasher",
        ),
        (
            json!({"username": "u1", "password_digest": "$2a$10$short", "password_hasher": "bcrypt"}),
            422,
            "form_password_digest_invalid_code",
            "password_digest",
        ),
        (
            json!({"username": "u1", "password_digest": "abc"}),
            422,
            "form_conditional_param_missing",
            "password_hasher",
        ),
        (
            json!({"username": "u1", "password": "short"}),
            422,
            "form_password_length_too_short",
            "password",
        ),
        (
            json!({"username": "u1", "skip_password_requirement": true, "created_at": "yesterday"}),
            422,
            "form_param_invalid_time",
            "created_at",
        ),
        (
            json!({"username": "u1", "skip_password_requirement": true, "created_at": "2999-01-01T00:00:00Z"}),
            422,
            "form_disallow_future_date",
            "created_at",
        ),
        (
            json!({"email_address": ["a@example.com", "b@example.com"], "email_address_identification_status": ["verified"], "skip_password_requirement": true}),
            422,
            "form_param_array_length_mismatch",
            "email_address_identification_status",
        ),
        (
            json!({"username": "u1", "skip_password_requirement": true, "totp_secret": "not base32!"}),
            422,
            "invalid_totp_secret_code",
            "totp_secret",
        ),
    ];
    for (body, status, code, param) in cases {
        let r = api.post("/users", body.clone()).await;
        assert_eq!(
            (r.status, r.code()),
            (status, code),
            "body {body}: {}",
            r.body
        );
        if !param.is_empty() {
            assert_eq!(r.param(), param, "body {body}");
        }
    }
    let r = api
        .post("/users", json!({"email_address": ["a@example.com"]}))
        .await;
    assert_eq!(
        r.body["errors"][0]["meta"]["param_names"],
        json!(["password"])
    );
}

#[tokio::test]
async fn create_accepts_every_field_and_reads_back() {
    let (_s, api) = sandbox().await;
    let body = json!({
        "external_id": "src_1",
        "first_name": "Ada",
        "last_name": "Lovelace",
        "locale": "en-GB",
        "email_address": ["ada@example.com", "ada.old@example.com"],
        "email_address_identification_status": ["verified", "reserved"],
        "phone_number": ["+14155550100"],
        "username": "ada",
        "password_digest": "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
        "password_hasher": "bcrypt",
        "totp_secret": "JBSWY3DPEHPK3PXP",
        "backup_codes": ["code1", "code2"],
        "public_metadata": {"plan": "pro"},
        "private_metadata": {"crm": 7},
        "unsafe_metadata": {"theme": "dark"},
        "delete_self_enabled": false,
        "create_organization_enabled": false,
        "create_organizations_limit": 3,
        "created_at": "2020-01-02T03:04:05.678Z",
        "legal_accepted_at": "2021-01-01T00:00:00Z",
        "skip_legal_checks": true,
        "bypass_client_trust": true,
        "banned": true,
    });
    let r = api.post("/users", body).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let u = &r.body;
    assert!(u["id"].as_str().expect("id").starts_with("user_"));
    assert_eq!(u["created_at"], 1_577_934_245_678_i64);
    assert_eq!(
        u["email_addresses"][0]["verification"]["status"],
        "verified"
    );
    assert_eq!(u["email_addresses"][1]["reserved"], true);
    assert_eq!(u["email_addresses"][1]["verification"], Value::Null);
    assert_eq!(u["primary_email_address_id"], u["email_addresses"][0]["id"]);
    assert_eq!(u["password_enabled"], true);
    assert_eq!(u["totp_enabled"], true);
    assert_eq!(u["backup_code_enabled"], true);
    assert_eq!(u["banned"], true);
    assert_eq!(u["create_organizations_limit"], 3);
    assert_eq!(u["private_metadata"]["crm"], 7);
    let id = u["id"].as_str().expect("id");
    let again = api.get(&format!("/users/{id}")).await;
    assert_eq!(again.body, r.body);
}

#[tokio::test]
async fn uniqueness_per_identifier() {
    let (_s, api) = sandbox().await;
    let first = json!({"external_id": "x1", "email_address": ["Taken@Example.com"], "phone_number": ["+14155550101"], "username": "Name", "skip_password_requirement": true});
    assert_eq!(api.post("/users", first).await.status, 200);
    for (body, param) in [
        (
            json!({"email_address": ["taken@example.COM"], "skip_password_requirement": true}),
            "email_address",
        ),
        (
            json!({"phone_number": ["+14155550101"], "skip_password_requirement": true}),
            "phone_number",
        ),
        (
            json!({"username": "name", "skip_password_requirement": true}),
            "username",
        ),
        (
            json!({"external_id": "x1", "username": "other", "skip_password_requirement": true}),
            "external_id",
        ),
        (
            json!({"email_address": ["dup@example.com", "DUP@example.com"], "skip_password_requirement": true}),
            "email_address",
        ),
    ] {
        let r = api.post("/users", body).await;
        assert_eq!(
            (r.status, r.code(), r.param()),
            (422, "form_identifier_exists", param)
        );
    }
}

#[tokio::test]
async fn user_cap_gives_403_quota_exceeded() {
    let s = start_sandbox(SandboxConfig {
        user_cap: Some(2),
        ..SandboxConfig::default()
    })
    .await;
    let api = Api::new(&s, DEFAULT_SECRET_KEY);
    for n in 0..2 {
        assert_eq!(api.post("/users", user(n)).await.status, 200);
    }
    let r = api.post("/users", user(9)).await;
    assert_eq!((r.status, r.code()), (403, "user_quota_exceeded"));
    assert!(
        r.body["errors"][0]["long_message"]
            .as_str()
            .expect("msg")
            .contains("limit of 2 users")
    );
    // The default development cap is Clerk's 100.
    assert_eq!(SandboxConfig::default().effective_user_cap(), Some(100));
}

#[tokio::test]
async fn rate_limit_window_and_retry_after() {
    let s = start_sandbox(SandboxConfig {
        rate: Some(5),
        window: Duration::from_secs(2),
        ..SandboxConfig::default()
    })
    .await;
    let api = Api::new(&s, DEFAULT_SECRET_KEY);
    for _ in 0..5 {
        assert_eq!(api.get("/users/count").await.status, 200);
    }
    let r = api.get("/users/count").await;
    assert_eq!((r.status, r.code()), (429, "too_many_requests"));
    let secs: u64 = r.headers["retry-after"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("whole seconds");
    assert!((1..=2).contains(&secs), "Retry-After {secs}");
    tokio::time::sleep(Duration::from_secs(secs)).await;
    assert_eq!(api.get("/users/count").await.status, 200);
    assert_eq!(s.stats().rate_limited, 1);
}

#[tokio::test]
async fn lists_filter_page_and_count() {
    let (_s, api) = sandbox().await;
    for n in 0..7 {
        assert_eq!(api.post("/users", user(n)).await.status, 200);
    }
    let page = api.get("/users?limit=3&offset=0").await;
    let ids: Vec<&str> = page
        .body
        .as_array()
        .expect("bare array")
        .iter()
        .map(|u| u["external_id"].as_str().expect("ext"))
        .collect();
    assert_eq!(ids, ["ext_6", "ext_5", "ext_4"], "newest first by default");
    let page = api
        .get("/users?limit=3&offset=6&order_by=-created_at")
        .await;
    assert_eq!(page.body.as_array().expect("array").len(), 1);
    let asc = api.get("/users?order_by=%2Bcreated_at&limit=1").await;
    assert_eq!(asc.body[0]["external_id"], "ext_0");
    let filtered = api
        .get("/users?external_id=ext_1&external_id=ext_3&external_id=missing&limit=100")
        .await;
    assert_eq!(filtered.body.as_array().expect("array").len(), 2);
    let by_email = api.get("/users?email_address=USER2%40example.com").await;
    assert_eq!(by_email.body[0]["external_id"], "ext_2");
    let q = api.get("/users?query=user5").await;
    assert_eq!(q.body.as_array().expect("array").len(), 1);
    let count = api
        .get("/users/count?external_id=ext_1&external_id=ext_2")
        .await;
    assert_eq!(
        count.body,
        json!({"object": "total_count", "total_count": 2})
    );
    for bad in [
        "/users?limit=0",
        "/users?limit=501",
        "/users?offset=-1",
        "/users?order_by=shoe_size",
    ] {
        let r = api.get(bad).await;
        assert_eq!(
            (r.status, r.code()),
            (422, "form_param_value_invalid"),
            "{bad}"
        );
    }
}

#[tokio::test]
async fn update_ban_delete_and_identifiers() {
    let (_s, api) = sandbox().await;
    let created = api.post("/users", user(1)).await;
    let id = created.body["id"].as_str().expect("id").to_owned();
    let r = api
        .send(
            reqwest::Method::PATCH,
            &format!("/users/{id}"),
            Some(&json!({"first_name": "New", "delete_self_enabled": false})),
        )
        .await;
    assert_eq!(
        (r.status, r.body["first_name"].as_str()),
        (200, Some("New"))
    );
    let r = api
        .send(
            reqwest::Method::PATCH,
            &format!("/users/{id}"),
            Some(&json!({"public_metadata": {}})),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (422, "form_param_unknown"),
        "metadata is not an UpdateUser field since 2026-05-12"
    );
    let r = api.post(&format!("/users/{id}/ban"), json!({})).await;
    assert_eq!(r.body["banned"], true);
    let r = api.post("/email_addresses", json!({"user_id": id, "email_address": "second@example.com", "verified": false, "primary": false})).await;
    assert_eq!((r.status, &r.body["verification"]), (200, &Value::Null));
    let r = api.post("/phone_numbers", json!({"user_id": id, "phone_number": "+14155550123", "verified": true, "primary": false})).await;
    assert_eq!(r.body["verification"]["status"], "verified");
    let back = api.get(&format!("/users/{id}")).await;
    assert_eq!(
        back.body["email_addresses"]
            .as_array()
            .expect("array")
            .len(),
        2
    );
    assert_eq!(
        back.body["primary_phone_number_id"], r.body["id"],
        "a first phone becomes primary"
    );
    let r = api
        .post(
            "/email_addresses",
            json!({"user_id": "user_missing", "email_address": "x@example.com"}),
        )
        .await;
    assert_eq!(r.status, 404);
    let r = api
        .send(reqwest::Method::DELETE, &format!("/users/{id}"), None)
        .await;
    assert_eq!(r.body["deleted"], true);
    let r = api
        .send(reqwest::Method::DELETE, &format!("/users/{id}"), None)
        .await;
    assert_eq!((r.status, r.code()), (404, "resource_not_found"));
    // Deleting frees the identifiers.
    assert_eq!(api.post("/users", user(1)).await.status, 200);
}

#[tokio::test]
async fn instance_reports_the_environment() {
    let (_s, api) = sandbox().await;
    let r = api.get("/instance").await;
    assert_eq!(r.body["environment_type"], "development");
    assert!(r.body["id"].as_str().expect("id").starts_with("ins_"));
    let live = start_sandbox(SandboxConfig {
        secret_key: "sk_live_abc".into(),
        ..SandboxConfig::default()
    })
    .await;
    let r = Api::new(&live, "sk_live_abc").get("/instance").await;
    assert_eq!(r.body["environment_type"], "production");
}

#[tokio::test]
async fn injected_faults_are_deterministic_by_seed() {
    async fn run(seed: u64) -> Vec<u16> {
        let s = start_sandbox(SandboxConfig {
            fail_rate: 0.5,
            seed,
            rate: Some(1000),
            ..SandboxConfig::default()
        })
        .await;
        let api = Api::new(&s, DEFAULT_SECRET_KEY);
        let mut out = Vec::new();
        for _ in 0..20 {
            out.push(api.get("/users/count").await.status);
        }
        out
    }
    let a = run(7).await;
    assert_eq!(a, run(7).await);
    assert!(
        a.contains(&200) && a.iter().any(|s| *s == 500 || *s == 503),
        "{a:?}"
    );
}

/// Organizations as Clerk's spec and error catalog describe them: the creator becomes
/// the first admin, a slug is the organization's second ID and unique, roles are the
/// instance's, a member joins once and a full organization refuses more.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn organizations_roles_and_memberships() {
    let (_s, api) = sandbox().await;
    let mut users = Vec::new();
    for i in 0..3 {
        let r = api
            .post(
                "/users",
                json!({"email_address": [format!("o{i}@example.com")], "skip_password_requirement": true}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        users.push(r.body["id"].as_str().expect("id").to_owned());
    }
    let org = api
        .post(
            "/organizations",
            json!({"name": "Acme", "slug": "acme", "created_by": users[0],
                   "created_at": "2021-03-04T05:06:07Z", "max_allowed_memberships": 2,
                   "private_metadata": {"source_id": "o1"}}),
        )
        .await;
    assert_eq!(org.status, 200, "{}", org.body);
    let id = org.body["id"].as_str().expect("id").to_owned();
    assert!(id.starts_with("org_"));
    assert_eq!(
        (&org.body["members_count"], &org.body["created_at"]),
        (&json!(1), &json!(1_614_834_367_000i64))
    );
    let by_slug = api.get("/organizations/acme").await;
    assert_eq!((by_slug.status, &by_slug.body["id"]), (200, &json!(id)));
    assert_eq!(by_slug.body["private_metadata"]["source_id"], "o1");
    let missing = api.get("/organizations/nope").await;
    assert_eq!(
        (missing.status, missing.code()),
        (404, "resource_not_found")
    );

    let roles = api.get("/organization_roles").await;
    let keys: Vec<&str> = roles.body["data"]
        .as_array()
        .expect("data")
        .iter()
        .filter_map(|r| r["key"].as_str())
        .collect();
    assert_eq!(keys, ["org:admin", "org:member"]);

    let path = format!("/organizations/{id}/memberships");
    let cases = [
        (json!({"user_id": users[1], "role": "org:member"}), 200, ""),
        (
            json!({"user_id": users[1], "role": "org:member"}),
            400,
            "already_a_member_in_organization",
        ),
        (
            json!({"user_id": users[2], "role": "org:billing"}),
            404,
            "resource_not_found",
        ),
        (
            json!({"user_id": "user_nobody", "role": "org:member"}),
            404,
            "resource_not_found",
        ),
        (
            json!({"user_id": users[2], "role": "org:member"}),
            403,
            "organization_membership_quota_exceeded",
        ),
        (json!({"user_id": users[2]}), 422, "form_param_missing"),
    ];
    for (body, status, code) in cases {
        let r = api.post(&path, body.clone()).await;
        assert_eq!((r.status, r.code()), (status, code), "{body}: {}", r.body);
    }
    let members = api.get(&path).await;
    let roles: Vec<&str> = members.body["data"]
        .as_array()
        .expect("data")
        .iter()
        .filter_map(|m| m["role"].as_str())
        .collect();
    assert_eq!(roles, ["org:admin", "org:member"]);
    let data = &members.body["data"];
    assert_eq!(data[1]["public_user_data"]["user_id"], json!(users[1]));
    assert_eq!(data[1]["public_user_data"]["identifier"], "o1@example.com");

    let refusals = [
        (
            json!({"name": "Other", "slug": "acme"}),
            422,
            "form_identifier_exists",
            "slug",
        ),
        (
            json!({"name": "Other", "slug": "Acme_Co"}),
            422,
            "form_param_format_invalid",
            "slug",
        ),
        (
            json!({"name": "<b>x</b>"}),
            422,
            "form_param_format_invalid",
            "name",
        ),
        (
            json!({"name": "x", "created_by": "user_nobody"}),
            400,
            "organization_creator_not_found",
            "",
        ),
        (
            json!({"name": "x", "created_at": "yesterday"}),
            422,
            "form_param_format_invalid",
            "created_at",
        ),
        (
            json!({"name": "x", "colour": "red"}),
            422,
            "form_param_unknown",
            "colour",
        ),
        (json!({"slug": "x"}), 422, "form_param_missing", "name"),
    ];
    for (body, status, code, param) in refusals {
        let r = api.post("/organizations", body.clone()).await;
        assert_eq!(
            (r.status, r.code(), r.param()),
            (status, code, param),
            "{body}: {}",
            r.body
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn organizations_turned_off_are_refused_as_clerk_does() {
    let s = start_sandbox(SandboxConfig {
        organizations: false,
        ..SandboxConfig::default()
    })
    .await;
    let api = Api::new(&s, DEFAULT_SECRET_KEY);
    for r in [
        api.post("/organizations", json!({"name": "Acme"})).await,
        api.get("/organization_roles").await,
    ] {
        assert_eq!(
            (r.status, r.code()),
            (403, "organization_not_enabled_in_instance")
        );
    }
}

/// Organization invitations have their own hourly limits, one by one and in bulk, as
/// Clerk documents them: past them, a 429 with the seconds to wait.
#[tokio::test]
async fn invitations_are_limited_by_the_hour() {
    let s = start_sandbox(SandboxConfig {
        rate: Some(1000),
        invitations_per_hour: 2,
        bulk_invitations_per_hour: 1,
        ..SandboxConfig::default()
    })
    .await;
    let api = Api::new(&s, DEFAULT_SECRET_KEY);
    let org = api.post("/organizations", json!({"name": "Acme"})).await;
    let path = format!(
        "/organizations/{}/invitations",
        org.body["id"].as_str().expect("id")
    );
    let invite =
        |n: u32| json!({"email_address": format!("i{n}@example.com"), "role": "org:member"});
    for n in 0..2 {
        assert_eq!(api.post(&path, invite(n)).await.status, 200);
    }
    let third = api.post(&path, invite(2)).await;
    assert_eq!(third.status, 429, "{}", third.body);
    let wait: u64 = third.headers["retry-after"]
        .to_str()
        .ok()
        .and_then(|v| v.parse().ok())
        .expect("Retry-After");
    assert!((3000..=3600).contains(&wait), "{wait}");
    let bulk = format!("{path}/bulk");
    let both = json!([invite(3), invite(4)]);
    assert_eq!(api.post(&bulk, both.clone()).await.status, 200);
    assert_eq!(api.post(&bulk, json!([invite(5)])).await.status, 429);
    // A pending address twice is refused as Clerk refuses it.
    let s2 = start_sandbox(SandboxConfig::default()).await;
    let api = Api::new(&s2, DEFAULT_SECRET_KEY);
    let org = api.post("/organizations", json!({"name": "Beta"})).await;
    let path = format!(
        "/organizations/{}/invitations",
        org.body["id"].as_str().expect("id")
    );
    assert_eq!(api.post(&path, invite(0)).await.status, 200);
    let again = api.post(&path, invite(0)).await;
    assert_eq!(
        (again.status, again.code()),
        (400, "organization_invitation_not_unique")
    );
}

/// What `migrate sync` will need of `PATCH /v1/users/{id}` and the ban endpoints: a new
/// digest signs in and the old one no longer does, a digest that is not one is refused as
/// on create, and ban, unban and every change move `updated_at`.
#[tokio::test]
async fn a_patched_password_signs_in_and_bans_come_and_go() {
    let s = start_sandbox(SandboxConfig {
        rate: Some(1000),
        ..SandboxConfig::default()
    })
    .await;
    let api = Api::new(&s, DEFAULT_SECRET_KEY);
    let digest = |p: &str| bcrypt::hash(p, 4).expect("bcrypt");
    let made = api
        .post(
            "/users",
            json!({"username": "patched", "password_digest": digest("old-password-1"), "password_hasher": "bcrypt"}),
        )
        .await;
    assert_eq!(made.status, 200, "{}", made.body);
    let id = made.body["id"].as_str().expect("id").to_owned();
    let user = format!("/users/{id}");
    let patched = api
        .send(
            reqwest::Method::PATCH,
            &user,
            Some(
                &json!({"password_digest": digest("new-password-2"), "password_hasher": "bcrypt"}),
            ),
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.body);
    let verify = |password: &str| {
        let path = format!("{user}/verify_password");
        let body = json!({ "password": password });
        let api = &api;
        async move { api.post(&path, body).await.status }
    };
    assert_eq!(verify("new-password-2").await, 200);
    assert_eq!(verify("old-password-1").await, 422);
    let bad = api
        .send(
            reqwest::Method::PATCH,
            &user,
            Some(&json!({"password_digest": "not-a-hash", "password_hasher": "bcrypt"})),
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    let before = patched.body["updated_at"].as_i64().expect("updated_at");
    tokio::time::sleep(Duration::from_millis(5)).await;
    let banned = api.post(&format!("{user}/ban"), json!({})).await;
    assert_eq!(banned.body["banned"], true);
    assert!(banned.body["updated_at"].as_i64() > Some(before));
    let unbanned = api.post(&format!("{user}/unban"), json!({})).await;
    assert_eq!(
        (unbanned.status, &unbanned.body["banned"]),
        (200, &json!(false))
    );
}
