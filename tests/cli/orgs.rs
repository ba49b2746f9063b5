//! `migrate orgs`: an organization file checked offline (`--dry-run`), each problem
//! named by organization; and sent: organizations then memberships, members matched
//! through the import logs and by external_id, nothing created twice on a re-run or
//! after a lost log, a slug somebody else holds left alone, refusals before any write.

use migrate::sandbox::{SandboxConfig, SandboxHandle};
use serde_json::{Value, json};

use super::sandbox_api::Api;
use super::util::{
    LIVE_KEY, TestEnv, against, import_args, live_sandbox, report, run, start_sandbox, users_file,
};

const FILE: &str = r#"[
  {"id": "o1", "name": "Acme Corp", "created_at": "2021-03-04T05:06:07Z",
   "members": [{"user_id": "u1", "role": "owner"}, {"user_id": "u2", "role": "billing"}],
   "invitations": [{"email_address": "new@example.com", "role": "member", "status": "pending"}]},
  {"id": "o2", "name": "ACME corp!"},
  {"id": "o3", "name": "Beta", "slug": "beta", "members": [{"user_id": "u1", "role": "member"}]},
  {"id": "o4", "name": "Gamma", "colour": "red"}
]"#;

fn dry_run(env: &TestEnv, extra: &[&str]) -> std::process::Output {
    env.cmd()
        .args(["orgs", "--dry-run", "-f", "orgs.json"])
        .args(extra)
        .output()
        .expect("runs")
}

#[test]
fn a_dry_run_names_each_problem_and_where_roles_go() {
    let env = TestEnv::new();
    env.write("orgs.json", FILE);
    let out = dry_run(&env, &["--json"]);
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(
        (&r["organizations"], &r["ready"]),
        (&3.into(), &2.into()),
        "{r}"
    );
    assert_eq!(r["roles"]["owner"]["target"], "org:admin");
    assert_eq!(r["custom_roles"]["billing"], "org:billing");
    assert_eq!(r["slugs"]["o1"], "acme-corp");
    assert_eq!(r["problems"][0]["organization"], "o2");
    assert_eq!(r["unreadable"][0]["record"], 4);
    assert!(
        r["unreadable"][0]["reason"]
            .as_str()
            .unwrap_or("")
            .contains("colour")
    );

    // Mapped, the custom role needs nothing of the instance; text names the problems.
    let out = dry_run(&env, &["--role-map", "billing=org:admin"]);
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(text.contains("billing → org:admin"), "{text}");
    assert!(
        text.contains("o2: slug \"acme-corp\" is also \"o1\"'s"),
        "{text}"
    );
    assert!(!text.contains("must have these roles"), "{text}");
}

#[test]
fn a_clean_file_exits_0_and_bad_flags_exit_2() {
    let env = TestEnv::new();
    env.write(
        "orgs.json",
        r#"[{"id": "o1", "name": "Acme", "members": [{"user_id": "u1", "role": "admin"}]}]"#,
    );
    assert_eq!(dry_run(&env, &[]).status.code(), Some(0));
    let out = dry_run(&env, &["--role-map", "owner=admin"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("org:<key>"));
    // The embedded sandbox starts without the users: nothing to add organizations to.
    let out = env
        .cmd()
        .args(["orgs", "-y", "--sandbox", "-f", "orgs.json"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("migrate sandbox"));
}

const SENT: &str = r#"[
  {"id": "o1", "name": "Acme", "created_at": "2021-03-04T05:06:07Z",
   "public_metadata": {"plan": "pro"}, "private_metadata": {"crm": 7},
   "members": [
     {"user_id": "src_00001", "role": "member", "created_at": "2022-01-01T00:00:00Z"},
     {"user_id": "src_00000", "role": "owner"},
     {"user_id": "ext_1", "role": "admin"},
     {"user_id": "ghost", "role": "member"}]},
  {"id": "o2", "name": "Beta", "slug": "beta",
   "members": [{"user_id": "src_00002", "role": "billing"}]},
  {"id": "o3", "name": "https://evil.example"}
]"#;

fn orgs_args(sandbox: &SandboxHandle, extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = ["orgs", "-y", "--json", "-f", "orgs.json", "--api-url"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    args.push(sandbox.base_url());
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    args
}

fn key() -> Vec<(&'static str, String)> {
    vec![("CLERK_SECRET_KEY", LIVE_KEY.to_owned())]
}

/// Users src_00000..src_00003 imported by the tool, and one (`ext_1`) made in Clerk by
/// someone else with its source ID as external_id.
async fn with_users(env: &TestEnv) -> SandboxHandle {
    with_users_in(env, live_sandbox(1000, 10).await).await
}

async fn with_users_in(env: &TestEnv, sandbox: SandboxHandle) -> SandboxHandle {
    let file = users_file(env, 4);
    let out = run(env, import_args(&sandbox, "clerk", &file, &[]), key()).await;
    assert_eq!(report(&out)["created"], 4);
    let api = Api::new(&sandbox, LIVE_KEY);
    let made = api
        .post("/users", json!({"external_id": "ext_1", "email_address": ["ext@example.com"], "skip_password_requirement": true}))
        .await;
    assert_eq!(made.status, 200, "{}", made.body);
    sandbox
}

fn member<'a>(org: &'a Value, clerk_user: &str) -> Option<&'a Value> {
    org["members"]
        .as_array()?
        .iter()
        .find(|m| m["user_id"] == clerk_user)
}

#[tokio::test]
async fn organizations_then_members_go_in_once_and_a_rerun_sends_nothing_again() {
    let env = TestEnv::new();
    let sandbox = with_users(&env).await;
    env.write("orgs.json", SENT);
    let args = orgs_args(&sandbox, &["--role-map", "billing=org:member"]);
    let out = run(&env, args.clone(), key()).await;
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r = report(&out);
    assert_eq!(r["organizations"]["created"], 2, "{r}");
    assert_eq!(r["organizations"]["invalid"], 1, "{r}");
    assert_eq!(r["memberships"]["created"], 4, "{r}");
    assert_eq!(r["memberships"]["user_not_migrated"], 1, "{r}");
    assert_eq!(
        (&r["members_from_logs"], &r["members_looked_up"]),
        (&3.into(), &1.into())
    );
    // Two creates, three member adds (the owner came with the create), one lookup.
    assert_eq!(r["api_calls"], 5, "{r}");

    let ids = sandbox.external_ids();
    let orgs = sandbox.organizations();
    assert_eq!(orgs.len(), 2);
    let acme = &orgs[0];
    assert_eq!(acme["slug"], "acme");
    assert_eq!(acme["created_at"], 1614834367000_i64, "created_at kept");
    assert_eq!(acme["created_by"], ids["src_00000"].as_str());
    assert_eq!(acme["public_metadata"], json!({"plan": "pro"}));
    assert_eq!(
        acme["private_metadata"],
        json!({"crm": 7, "migrate_source_id": "o1"})
    );
    assert_eq!(acme["members"].as_array().map(Vec::len), Some(3));
    assert_eq!(
        member(acme, &ids["src_00000"]).map(|m| &m["role"]),
        Some(&json!("org:admin"))
    );
    assert_eq!(
        member(acme, &ids["ext_1"]).map(|m| &m["role"]),
        Some(&json!("org:admin"))
    );
    let joined = member(acme, &ids["src_00001"]).expect("member");
    assert_eq!(joined["role"], "org:member");
    assert_eq!(
        joined["private_metadata"]["migrate_joined_at"],
        "2022-01-01T00:00:00Z"
    );
    assert_eq!(
        member(&orgs[1], &ids["src_00002"]).map(|m| &m["role"]),
        Some(&json!("org:member"))
    );

    // Again: what the log holds is skipped, without a call; the ghost is still missing.
    let out = run(&env, args.clone(), key()).await;
    let r = report(&out);
    assert_eq!(r["organizations"]["skipped"], 2, "{r}");
    assert_eq!(r["memberships"]["skipped"], 4, "{r}");
    assert_eq!(r["api_calls"], 0, "{r}");
    assert_eq!(sandbox.organizations().len(), 2);

    // The logs lost (a crash before the lines were written): organizations are found
    // again by slug and known by their source ID, members already there are not added.
    for log in std::fs::read_dir(env.path().join("logs")).expect("logs") {
        let path = log.expect("entry").path();
        if path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("organizations-"))
        {
            std::fs::remove_file(path).expect("removed");
        }
    }
    let out = run(&env, args, key()).await;
    let r = report(&out);
    assert_eq!(r["organizations"]["already_exists"], 2, "{r}");
    assert_eq!(r["memberships"]["already_exists"], 4, "{r}");
    let orgs = sandbox.organizations();
    assert_eq!(orgs.len(), 2);
    assert_eq!(orgs[0]["members"].as_array().map(Vec::len), Some(3));

    // The run is listed with its counts.
    let out = env.cmd().args(["runs", "--json"]).output().expect("runs");
    let runs: Value = serde_json::from_slice(&out.stdout).expect("json");
    let last = runs.as_array().and_then(|r| r.last()).expect("a run");
    assert_eq!(last["command"], "orgs");
    assert_eq!(last["organizations"]["already_exists"], 2, "{last}");

    // Deleting the users says the organizations remain, and how to roll them back.
    let users_delete = || {
        let mut a: Vec<String> = ["delete", "-y", "--all-runs", "--api-url"]
            .map(str::to_owned)
            .to_vec();
        a.push(sandbox.base_url());
        run_text(&env, a)
    };
    let text = users_delete().await;
    assert!(
        text.contains(
            "2 organizations that orgs runs of this instance created are not rolled back"
        ),
        "{text}"
    );
    let printed = super::hints::printed_commands(&text);
    let rollback = printed.iter().find(|c| c.iter().any(|w| w == "--orgs"));
    let mut args = rollback.expect("the command").clone();
    args.extend(["-y", "--api-url"].map(str::to_owned));
    args.push(sandbox.base_url());
    let out = run(&env, args, key()).await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(sandbox.organizations().is_empty());
    assert!(!users_delete().await.contains("not rolled back"));
}

/// Runs the binary with the key and returns what it said on stderr.
async fn run_text(env: &TestEnv, args: Vec<String>) -> String {
    let out = run(env, args, key()).await;
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[tokio::test]
async fn a_slug_somebody_else_holds_is_reported_and_left_alone() {
    let env = TestEnv::new();
    let sandbox = with_users(&env).await;
    let api = Api::new(&sandbox, LIVE_KEY);
    let theirs = api
        .post("/organizations", json!({"name": "Gamma", "slug": "gamma"}))
        .await;
    assert_eq!(theirs.status, 200, "{}", theirs.body);
    env.write(
        "orgs.json",
        r#"[{"id": "o4", "name": "Gamma", "members": [{"user_id": "src_00000", "role": "member"}]}]"#,
    );
    let out = run(&env, orgs_args(&sandbox, &[]), key()).await;
    assert_eq!(out.status.code(), Some(3));
    let r = report(&out);
    assert_eq!(r["organizations"]["conflicts"], 1, "{r}");
    assert_eq!(r["memberships"]["not_sent"], 1, "{r}");
    let message = r["errors"][0]["message"].as_str().unwrap_or("");
    assert!(
        message.contains("\"gamma\"") && message.contains("another slug"),
        "{message}"
    );
    let orgs = sandbox.organizations();
    assert_eq!(orgs.len(), 1);
    assert_eq!(
        orgs[0]["members"],
        json!([]),
        "their organization untouched"
    );
}

#[tokio::test]
async fn refusals_come_before_any_write() {
    let env = TestEnv::new();
    let sandbox = with_users(&env).await;
    env.write(
        "orgs.json",
        r#"[{"id": "o1", "name": "Acme", "members": [{"user_id": "src_00000", "role": "billing"}]}]"#,
    );
    let out = run(&env, orgs_args(&sandbox, &[]), key()).await;
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(text.contains("billing → org:billing"), "{text}");
    assert!(text.contains("org:admin, org:member"), "{text}");
    assert!(
        text.contains("Roles & Permissions") && text.contains("--role-map"),
        "{text}"
    );
    assert!(sandbox.organizations().is_empty());

    let off = start_sandbox(SandboxConfig {
        secret_key: LIVE_KEY.into(),
        organizations: false,
        ..SandboxConfig::default()
    })
    .await;
    let out = run(
        &env,
        orgs_args(&off, &["--role-map", "billing=org:admin"]),
        key(),
    )
    .await;
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(text.contains("organizations are turned off"), "{text}");
    assert!(text.contains("Organizations → Settings"), "{text}");
}

fn orgs_logs(env: &TestEnv) -> Vec<std::path::PathBuf> {
    let mut logs: Vec<_> = std::fs::read_dir(env.path().join("logs"))
        .expect("logs")
        .map(|e| e.expect("entry").path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("organizations-"))
        })
        .collect();
    logs.sort();
    logs
}

#[tokio::test]
async fn rollback_deletes_only_organizations_it_created_and_nobody_else_uses() {
    let env = TestEnv::new();
    let sandbox = with_users(&env).await;
    let api = Api::new(&sandbox, LIVE_KEY);
    let theirs = api
        .post(
            "/organizations",
            json!({"name": "Theirs", "slug": "theirs"}),
        )
        .await;
    let theirs_id = theirs.body["id"].as_str().expect("id").to_owned();
    env.write("orgs.json", SENT);
    let args = orgs_args(&sandbox, &["--role-map", "billing=org:member"]);
    run(&env, args, key()).await;
    let orgs = sandbox.organizations();
    assert_eq!(orgs.len(), 3);
    // Somebody adds a member of their own to Beta; a tampered line claims theirs.
    let beta = orgs.iter().find(|o| o["slug"] == "beta").expect("beta");
    let ids = sandbox.external_ids();
    let added = api
        .post(
            &format!(
                "/organizations/{}/memberships",
                beta["id"].as_str().expect("id")
            ),
            json!({"user_id": ids["src_00003"], "role": "org:member"}),
        )
        .await;
    assert_eq!(added.status, 200, "{}", added.body);
    let log = orgs_logs(&env).pop().expect("an orgs log");
    let mut text = std::fs::read_to_string(&log).expect("log");
    text.push_str(&format!(
        "{{\"type\":\"organization\",\"orgId\":\"o9\",\"status\":\"success\",\"clerkOrgId\":\"{theirs_id}\",\"at\":\"2026-01-01T00:00:00Z\"}}\n"
    ));
    std::fs::write(&log, text).expect("tampered");

    let delete = |extra: &[&str]| {
        let mut a = against(&sandbox, &["delete", "--orgs"]);
        a.extend(extra.iter().map(|s| (*s).to_owned()));
        a
    };
    let out = run(&env, delete(&["--dry-run"]), key()).await;
    let r = report(&out);
    assert_eq!(
        (&r["to_delete"], &r["left_alone"]),
        (&1.into(), &2.into()),
        "{r}"
    );
    assert_eq!(
        sandbox.organizations().len(),
        3,
        "a dry run deletes nothing"
    );

    let out = run(&env, delete(&["-y"]), key()).await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r = report(&out);
    assert_eq!(r["deleted"], 1, "{r}");
    let slugs: Vec<Value> = sandbox
        .organizations()
        .iter()
        .map(|o| o["slug"].clone())
        .collect();
    assert_eq!(slugs, [json!("theirs"), json!("beta")]);
    let deletion = std::fs::read_dir(env.path().join("logs"))
        .expect("logs")
        .filter_map(|e| e.ok())
        .find(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("organization-deletion-")
        })
        .expect("a deletion log");
    let text = std::fs::read_to_string(deletion.path()).expect("log");
    assert!(text.contains("members this tool did not add"), "{text}");
    assert!(text.contains("migrate_source_id is now None"), "{text}");

    // An import log is not an orgs log: refused by name.
    let import_log = std::fs::read_dir(env.path().join("logs"))
        .expect("logs")
        .filter_map(|e| e.ok())
        .find(|e| e.file_name().to_string_lossy().starts_with("migration-"))
        .expect("the import's log");
    let named = import_log.path().display().to_string();
    let out = run(&env, delete(&["-y", "--log", &named]), key()).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not of an orgs run"));
}

#[tokio::test]
async fn verify_reads_back_organizations_and_the_members_sent() {
    let env = TestEnv::new();
    let sandbox = with_users(&env).await;
    env.write("orgs.json", SENT);
    let args = orgs_args(&sandbox, &["--role-map", "billing=org:member"]);
    run(&env, args, key()).await;
    let verify = |extra: &[&str]| {
        let mut a = against(&sandbox, &["verify", "--orgs"]);
        a.extend(extra.iter().map(|s| (*s).to_owned()));
        a
    };
    let out = run(&env, verify(&[]), key()).await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r = report(&out);
    // The role map the run used is read from its log: billing → org:member matches.
    assert_eq!(
        (&r["matching"], &r["members_checked"]),
        (&2.into(), &4.into()),
        "{r}"
    );

    // A member removed and an organization deleted since are drift.
    let api = Api::new(&sandbox, LIVE_KEY);
    let orgs = sandbox.organizations();
    let ids = sandbox.external_ids();
    let (acme, beta) = (&orgs[0]["id"], &orgs[1]["id"]);
    let acme = acme.as_str().expect("id");
    let removed = api
        .send(
            reqwest::Method::DELETE,
            &format!("/organizations/{acme}/memberships/{}", ids["src_00001"]),
            None,
        )
        .await;
    assert_eq!(removed.status, 200, "{}", removed.body);
    let gone = api
        .send(
            reqwest::Method::DELETE,
            &format!("/organizations/{}", beta.as_str().expect("id")),
            None,
        )
        .await;
    assert_eq!(gone.status, 200);
    let out = run(&env, verify(&["-v"]), key()).await;
    assert_eq!(out.status.code(), Some(3));
    let r = report(&out);
    assert_eq!(
        (&r["drifted"], &r["missing"], &r["members_drifted"]),
        (&1.into(), &1.into(), &1.into()),
        "{r}"
    );
    assert_eq!(
        r["drifts"][0]["fields"],
        json!(["members.src_00001"]),
        "{r}"
    );
    // Without -v, the JSON names fields, not values.
    let out = run(&env, verify(&[]), key()).await;
    assert!(report(&out)["drifts"][0].get("values").is_none());
}

#[tokio::test]
async fn a_live_dry_run_asks_the_instance_and_writes_nothing() {
    let env = TestEnv::new();
    // An instance that allows 3 members an organization: Acme has 4.
    let small = start_sandbox(SandboxConfig {
        secret_key: LIVE_KEY.into(),
        organization_max_memberships: 3,
        ..SandboxConfig::default()
    })
    .await;
    let sandbox = with_users_in(&env, small).await;
    let api = Api::new(&sandbox, LIVE_KEY);
    let theirs = api
        .post("/organizations", json!({"name": "Beta", "slug": "beta"}))
        .await;
    assert_eq!(theirs.status, 200);
    env.write("orgs.json", SENT);
    let args = orgs_args(&sandbox, &["--dry-run", "--live"]);
    let out = run(&env, args, key()).await;
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r = report(&out);
    let live = &r["live"];
    assert_eq!(live["enabled"], true, "{r}");
    assert_eq!(live["missing_roles"], json!({"billing": "org:billing"}));
    assert_eq!(
        (&live["members_found"], &live["members_missing"]),
        (&4.into(), &1.into())
    );
    let findings: Vec<&str> = live["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["organization"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(findings, ["o1", "o2"], "{live}");
    assert_eq!(sandbox.organizations().len(), 1, "nothing created");
    let orgs_logs = std::fs::read_dir(env.path().join("logs"))
        .expect("logs")
        .filter_map(|e| e.ok())
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("organizations-")
        })
        .count();
    assert_eq!(orgs_logs, 0);

    // Text names the setting to change.
    let mut args = orgs_args(&sandbox, &["--dry-run", "--live"]);
    args.retain(|a| a != "--json");
    let out = run(&env, args, key()).await;
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(
        text.contains("Roles & Permissions") && text.contains("another slug"),
        "{text}"
    );

    let off = start_sandbox(SandboxConfig {
        secret_key: LIVE_KEY.into(),
        organizations: false,
        ..SandboxConfig::default()
    })
    .await;
    let out = run(&env, orgs_args(&off, &["--dry-run", "--live"]), key()).await;
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(report(&out)["live"]["enabled"], false);
}

/// Auth0's organizations, read as its Management API returns them (`-t auth0`), after
/// the users: sent with a custom role mapped, read back without drift, rolled back.
#[tokio::test]
async fn auth0_organizations_go_in_after_their_users() {
    let env = TestEnv::new();
    let sandbox = live_sandbox(1000, 10).await;
    let users = [
        ("auth0|65a1f0c2d3e4f5a6b7c8d9e0", "kim@example.com"),
        ("google-oauth2|109876543210987654321", "sam@example.com"),
        ("auth0|65a1f0c2d3e4f5a6b7c8d9e1", "lee@example.com"),
    ];
    let lines: Vec<String> = users
        .iter()
        .map(|(id, email)| {
            json!({"user_id": id, "email": email, "email_verified": true}).to_string()
        })
        .collect();
    let file = env.write("users.ndjson", &(lines.join("\n") + "\n"));
    let out = run(&env, import_args(&sandbox, "auth0", &file, &[]), key()).await;
    assert_eq!(report(&out)["created"], 3);
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/auth0/organizations.json");
    std::fs::copy(&fixture, env.path().join("orgs.json")).expect("fixture");
    let map = ["-t", "auth0", "--role-map", "billing manager=org:member"];
    let out = run(&env, orgs_args(&sandbox, &map), key()).await;
    let r = report(&out);
    assert_eq!(out.status.code(), Some(0), "{r}");
    assert_eq!(
        (&r["organizations"]["created"], &r["memberships"]["created"]),
        (&json!(2), &json!(4)),
        "{r}"
    );
    let ids = sandbox.external_ids();
    let orgs = sandbox.organizations();
    let acme = orgs
        .iter()
        .find(|o| o["slug"] == "acme-corp")
        .expect("acme");
    assert_eq!(acme["name"], "Acme Corp");
    assert_eq!(
        acme["public_metadata"]["logo"],
        "https://cdn.example.com/acme.png"
    );
    // Sam holds Billing Manager and admin: the strongest, admin, is kept.
    let sam = member(acme, &ids["google-oauth2|109876543210987654321"]).expect("sam");
    assert_eq!(sam["role"], "org:admin");
    let lee = member(acme, &ids["auth0|65a1f0c2d3e4f5a6b7c8d9e1"]).expect("lee");
    assert_eq!(lee["role"], "org:member", "no role in Auth0: member");
    let beta = orgs
        .iter()
        .find(|o| o["slug"] == "beta-labs")
        .expect("beta");
    assert_eq!(
        beta["created_by"],
        ids["auth0|65a1f0c2d3e4f5a6b7c8d9e1"].as_str()
    );

    let with_url = |cmd: &[&str]| against(&sandbox, cmd);
    let out = run(&env, with_url(&["verify", "--orgs"]), key()).await;
    let v = report(&out);
    assert_eq!(out.status.code(), Some(0), "{v}");
    assert_eq!(
        (&v["matching"], &v["members_checked"]),
        (&json!(2), &json!(4)),
        "{v}"
    );
    let out = run(&env, with_url(&["delete", "--orgs", "-y"]), key()).await;
    assert_eq!(report(&out)["deleted"], 2);
    assert!(sandbox.organizations().is_empty());
    let out = run(&env, with_url(&["delete", "-y"]), key()).await;
    assert_eq!(report(&out)["deleted"], 3);
    assert_eq!(sandbox.user_count(), 0, "the instance as it was");
}

/// `--invitations`: pending invitations go after the memberships, ten to a bulk request,
/// a lone one by itself, a bulk request Clerk refuses one by one; the time is said first,
/// the log names invitees by digest only, and a re-run sends none again.
#[tokio::test]
async fn pending_invitations_go_in_bulk_and_once() {
    let env = TestEnv::new();
    let sandbox = with_users(&env).await;
    let invite = |email: &str, status: &str| json!({"email_address": email, "role": "member", "status": status});
    let mut many: Vec<Value> = (0..12)
        .map(|i| invite(&format!("new{i}@example.com"), "pending"))
        .collect();
    many.push(invite("joined@example.com", "accepted"));
    let orgs = json!([
        {"id": "o1", "name": "Acme", "members": [{"user_id": "src_00000", "role": "owner"}], "invitations": many},
        {"id": "o2", "name": "Beta", "members": [{"user_id": "src_00001", "role": "owner"}],
         "invitations": [invite("solo@example.com", "pending")]},
        {"id": "o3", "name": "Gamma", "members": [{"user_id": "src_00002", "role": "owner"}],
         "invitations": [invite("dup@example.com", "pending"), invite("fresh@example.com", "pending")]}
    ]);
    env.write("orgs.json", &orgs.to_string());
    // First without --invitations: reported, not sent.
    let out = run(&env, orgs_args(&sandbox, &[]), key()).await;
    let r = report(&out);
    assert_eq!(out.status.code(), Some(0), "{r}");
    assert_eq!(r["invitations"]["not_sent"], 15, "{r}");
    // Somebody already invited dup@ to Gamma.
    let gamma = sandbox
        .organizations()
        .into_iter()
        .find(|o| o["slug"] == "gamma")
        .expect("gamma");
    let api = Api::new(&sandbox, LIVE_KEY);
    let path = format!(
        "/organizations/{}/invitations",
        gamma["id"].as_str().expect("id")
    );
    let planted = api
        .post(
            &path,
            json!({"email_address": "dup@example.com", "role": "org:member"}),
        )
        .await;
    assert_eq!(planted.status, 200, "{}", planted.body);

    let fast = [
        "--invitations",
        "--invitations-per-hour",
        "36000",
        "--bulk-invitations-per-hour",
        "36000",
    ];
    let mut args = orgs_args(&sandbox, &fast);
    args.retain(|a| a != "--json");
    let out = run(&env, args.clone(), key()).await;
    let text = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains(
            "15 pending invitations go after the memberships, in 3 bulk and 1 single requests"
        ),
        "{text}"
    );
    assert!(
        text.contains("invitations:   14 created, 1 already there"),
        "{text}"
    );
    let listed = api.get(&path).await;
    assert_eq!(listed.body["total_count"], 2, "{}", listed.body);
    let acme = sandbox
        .organizations()
        .into_iter()
        .find(|o| o["slug"] == "acme")
        .expect("acme");
    let acme_path = format!(
        "/organizations/{}/invitations?limit=100",
        acme["id"].as_str().expect("id")
    );
    assert_eq!(
        api.get(&acme_path).await.body["total_count"],
        12,
        "the accepted one is not sent"
    );
    for entry in std::fs::read_dir(env.path().join("logs")).expect("logs") {
        let text = std::fs::read_to_string(entry.expect("entry").path()).unwrap_or_default();
        assert!(!text.contains("@example.com"), "no address in a log");
    }
    args.push("--json".into());
    let out = run(&env, args, key()).await;
    let r = report(&out);
    assert_eq!(
        (&r["invitations"]["skipped"], &r["api_calls"]),
        (&json!(15), &json!(0)),
        "{r}"
    );
}

/// The CSV pair of a home-grown source: organizations.csv with memberships.csv beside it.
#[tokio::test]
async fn the_csv_pair_goes_in_like_the_json_form() {
    let env = TestEnv::new();
    let sandbox = with_users(&env).await;
    env.write(
        "organizations.csv",
        "id,name,slug,created_at,public_metadata\nc1,Acme Csv,,2021-03-04T05:06:07Z,\"{\"\"plan\"\": \"\"pro\"\"}\"\n",
    );
    env.write(
        "memberships.csv",
        "organization_id,user_id,role,created_at,teams\nc1,src_00000,owner,,\nc1,src_00001,member,2022-01-01T00:00:00Z,Platform;Core\n",
    );
    let mut args = orgs_args(&sandbox, &[]);
    let at = args
        .iter()
        .position(|a| a == "orgs.json")
        .expect("file arg");
    args[at] = "organizations.csv".to_owned();
    let out = run(&env, args, key()).await;
    let r = report(&out);
    assert_eq!(out.status.code(), Some(0), "{r}");
    assert_eq!(
        (&r["organizations"]["created"], &r["memberships"]["created"]),
        (&json!(1), &json!(2))
    );
    let org = &sandbox.organizations()[0];
    assert_eq!(
        (&org["slug"], &org["public_metadata"]),
        (&json!("acme-csv"), &json!({"plan": "pro"}))
    );
    let ids = sandbox.external_ids();
    let member = member(org, &ids["src_00001"]).expect("member");
    assert_eq!(
        member["private_metadata"]["migrate_teams"],
        json!(["Platform", "Core"])
    );
}
