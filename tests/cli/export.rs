//! `migrate export` against real databases whose tables the platforms' own code created:
//! PostgreSQL from `scripts/test-db.sh` (MIGRATE_TEST_PG_URL), then import and verify.

use std::process::Command;

use predicates::prelude::PredicateBooleanExt;
use serde_json::{Value, json};

use super::passwords::fixture;
use super::util::{LIVE_KEY, import_args, live_sandbox, report, run};
use super::util::{TestEnv, shared_dir};
use super::verify::verify_args;

/// A throwaway server's URL from `scripts/test-db.sh`. Under CI its absence is a
/// failure, not a skip.
/// The URL of a server `scripts/test-db.sh` started. Tests that call this are ignored in
/// a build made outside that script (`build.rs`), so here it is always set.
fn server_url(var: &str) -> String {
    std::env::var(var)
        .ok()
        .filter(|url| !url.is_empty())
        .unwrap_or_else(|| panic!("{var} is not set: run the tests through scripts/test-db.sh"))
}

fn pg_admin_url() -> String {
    server_url("MIGRATE_TEST_PG_URL")
}

fn mysql_admin_url() -> String {
    server_url("MIGRATE_TEST_MYSQL_URL")
}

fn psql(url: &str, args: &[&str]) {
    let out = Command::new("psql")
        .arg(url)
        .args(["-v", "ON_ERROR_STOP=1", "-q"])
        .args(args)
        .output()
        .expect("psql runs");
    assert!(
        out.status.success(),
        "psql {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A fresh, empty database on the test server; returns its URL.
fn fresh_database(admin: &str) -> String {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let name = format!(
        "migrate_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    );
    psql(admin, &["-c", &format!("CREATE DATABASE {name}")]);
    let base = admin.rsplit_once('/').map_or(admin, |(b, _)| b);
    format!("{base}/{name}")
}

/// A fresh MariaDB database loaded from a dump with the `mariadb` client; returns its URL.
fn mysql_database(admin: &str, dump: &std::path::Path) -> String {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let name = format!(
        "migrate_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    );
    let parsed = reqwest::Url::parse(admin).expect("MIGRATE_TEST_MYSQL_URL");
    let client = |database: Option<&str>, input: std::process::Stdio| {
        let mut c = Command::new("mariadb");
        c.arg("--no-defaults")
            .args(["-h", parsed.host_str().expect("host")])
            .args(["-P", &parsed.port().unwrap_or(3306).to_string()])
            .args(["-u", parsed.username()])
            .arg(format!("-p{}", parsed.password().unwrap_or_default()))
            .stdin(input);
        if let Some(db) = database {
            c.arg(db);
        }
        c
    };
    let out = client(None, std::process::Stdio::null())
        .args(["-e", &format!("CREATE DATABASE {name}")])
        .output()
        .expect("the mariadb client runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = client(
        Some(&name),
        std::fs::File::open(dump).expect("the dump").into(),
    )
    .output()
    .expect("the mariadb client runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let base = admin.rsplit_once('/').map_or(admin, |(b, _)| b);
    format!("{base}/{name}")
}

/// A SQLite file in `env`, made from a `.dump`.
pub(super) async fn sqlite_database(env: &TestEnv, dump: &std::path::Path) -> String {
    let file = env.path().join("auth.db");
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(&file)
        .create_if_missing(true);
    let pool = sqlx::SqlitePool::connect_with(options)
        .await
        .expect("sqlite");
    let sql = std::fs::read_to_string(dump).expect("the dump");
    sqlx::raw_sql(&sql)
        .execute(&pool)
        .await
        .expect("the dump loads");
    pool.close().await;
    file.display().to_string()
}

/// A database with Supabase's `auth` schema as GoTrue's migrations leave it, and no users.
fn empty_supabase_database(admin: &str, shared: &std::path::Path) -> String {
    let db = fresh_database(admin);
    let schema = shared.join("platforms/supabase-auth.sql");
    psql(&db, &["-f", schema.to_str().expect("utf-8")]);
    db
}

/// A database with Supabase's `auth` schema as GoTrue's migrations leave it, and the
/// fixture users pgcrypto hashed (the same SQL that made `supabase.json`).
fn supabase_database(admin: &str, shared: &std::path::Path) -> String {
    let url = fresh_database(admin);
    let schema = shared.join("platforms/supabase-auth.sql");
    psql(&url, &["-f", schema.to_str().expect("utf-8")]);
    let seed = fixture("supabase.sql");
    psql(
        &url,
        &[
            "-v",
            "pw1=supabase-ada-pass",
            "-v",
            "pw2=supabase-grace-pass",
            "-v",
            "pw3=supabase-alan-pass",
            "-v",
            "out=/dev/null",
            "-f",
            seed.to_str().expect("utf-8"),
        ],
    );
    // The OAuth-only user signed in with Google.
    psql(
        &url,
        &[
            "-c",
            "INSERT INTO auth.identities (provider_id, user_id, identity_data, provider, created_at, updated_at) \
             VALUES ('google-sub-4', '7d1f0c2a-0000-4000-8000-000000000004', '{\"sub\":\"google-sub-4\",\"email\":\"oauth@example.com\"}', 'google', now(), now())",
        ],
    );
    url
}

/// Imports an export into a fresh sandbox, expecting `created` users, then runs
/// `verify --passwords`; returns the sandbox and verify's report.
async fn import_and_verify(
    env: &TestEnv,
    source: &str,
    file: &std::path::Path,
    created: u64,
    passwords: &std::path::Path,
) -> (migrate::sandbox::SandboxHandle, Value) {
    let sandbox = live_sandbox(10_000, 10).await;
    let out = run(env, import_args(&sandbox, source, file, &[]), key()).await;
    assert_eq!(report(&out)["created"], created);
    let passwords = passwords.display().to_string();
    let out = run(
        env,
        verify_args(&sandbox, &["--passwords", &passwords]),
        key(),
    )
    .await;
    let v = report(&out);
    (sandbox, v)
}

/// Runs `migrate export SOURCE --json -o FILE --db-url DB` (blocking); returns the exit
/// code and the JSON report.
fn export_json(env: &TestEnv, source: &str, file: &str, db: &str) -> (Option<i32>, Value) {
    let out = env
        .cmd()
        .args(["export", source, "--json", "-o", file, "--db-url", db])
        .output()
        .expect("runs");
    let report = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("no JSON ({e}): {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code(), report)
}

/// Runs `migrate export SOURCE --json -o FILE` with the database in `DATABASE_URL`, as a
/// deployment's environment gives it, plus `vars`.
async fn export_from_env(
    env: &TestEnv,
    source: &str,
    file: &str,
    db: &str,
    mut vars: Vec<(&'static str, String)>,
) -> std::process::Output {
    vars.push(("DATABASE_URL", db.to_owned()));
    let args = ["export", source, "--json", "-o", file];
    run(env, args.iter().map(|a| (*a).to_owned()).collect(), vars).await
}

fn key() -> Vec<(&'static str, String)> {
    vec![
        ("CLERK_SECRET_KEY", LIVE_KEY.to_owned()),
        ("RATE_LIMIT", "1000".to_owned()),
    ]
}

#[cfg_attr(
    any(no_test_dbs, shared_absent),
    ignore = "needs the database servers (scripts/test-db.sh) and ../shared beside the checkout"
)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn supabase_round_trip_exports_imports_and_verifies_with_real_passwords() {
    let admin = pg_admin_url();
    let shared = shared_dir().expect("../shared");
    let db = supabase_database(&admin, &shared);
    let env = TestEnv::new();
    let out = export_from_env(&env, "supabase", "users.json", &db, Vec::new()).await;
    let r = report(&out);
    assert_eq!(out.status.code(), Some(0), "{r}");
    assert_eq!(
        (&r["mode"], &r["source"], &r["total"], &r["skipped"]),
        (&json!("export"), &json!("supabase"), &json!(4), &json!(2)),
        "{r}"
    );
    assert_eq!(
        r["skipped_by_reason"],
        json!({"deleted": 1, "anonymous": 1})
    );
    assert_eq!(
        (&r["with_password"], &r["hashers"]),
        (&json!(3), &json!({"bcrypt": 3}))
    );
    assert_eq!(r["coverage"]["totp_secret"], 1, "{r}");
    let file = env.path().join("users.json");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&file).expect("meta").permissions().mode() & 0o777,
        0o600
    );
    let users: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(&file).expect("read")).expect("json array");
    assert!(
        users.iter().all(|u| u.get("recovery_token").is_none()),
        "GoTrue's tokens are never exported"
    );

    let (sandbox, v) = import_and_verify(
        &env,
        "supabase",
        &file,
        4,
        &fixture("supabase.passwords.csv"),
    )
    .await;
    assert_eq!(
        (
            &v["checked"],
            &v["drifted"],
            &v["missing"],
            &v["password_ok"],
            &v["password_failed"]
        ),
        (&json!(4), &json!(0), &json!(0), &json!(3), &json!(0)),
        "{v}"
    );
    // The Google sign-in is kept where the app can find it.
    let ids = sandbox.external_ids();
    let api = super::sandbox_api::Api::new(&sandbox, LIVE_KEY);
    let oauth = &ids["7d1f0c2a-0000-4000-8000-000000000004"];
    let user = api
        .send(reqwest::Method::GET, &format!("/users/{oauth}"), None)
        .await
        .body;
    assert_eq!(
        user["private_metadata"]["supabase_identities"],
        json!([{"provider": "google", "provider_id": "google-sub-4"}])
    );
    assert_eq!(
        user["password_enabled"], false,
        "an empty encrypted_password is no password"
    );
    sandbox.stop().await;
}

#[test]
fn an_unreachable_database_is_named_by_host_and_port_never_by_password() {
    let env = TestEnv::new();
    env.cmd()
        .args(["export", "supabase", "-o", "out.json", "--db-url"])
        .arg("postgres://admin:TopSecret123@127.0.0.1:9/app")
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "could not connect to the PostgreSQL database at 127.0.0.1:9: connection refused",
        ))
        .stderr(predicates::str::contains(
            "hint: is the database server running and listening on 127.0.0.1:9?",
        ))
        .stderr(predicates::str::contains("TopSecret123").not());
    assert!(!env.path().join("out.json").exists());
}

#[cfg_attr(
    no_test_dbs,
    ignore = "needs the database servers: run the tests through scripts/test-db.sh"
)]
#[test]
fn a_database_without_the_tables_names_what_was_expected() {
    let admin = pg_admin_url();
    let db = fresh_database(&admin);
    let env = TestEnv::new();
    env.cmd()
        .args(["export", "supabase", "-o", "out.json", "--db-url", &db])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("auth.users not found"))
        .stderr(predicates::str::contains("--schema"));
    env.cmd()
        .args(["export", "supabase", "-o", "out.json"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--db-url or set DATABASE_URL"));
    assert!(
        !env.path().join("out.json").exists(),
        "no file from a failed export"
    );
}

pub(super) fn betterauth_fixture(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/betterauth")
        .join(name)
}

/// A database Better Auth's own migration created, with users signed up through its API.
fn betterauth_database(admin: &str) -> String {
    let url = fresh_database(admin);
    let dump = betterauth_fixture("postgres.sql");
    psql(&url, &["-f", dump.to_str().expect("utf-8")]);
    url
}

#[cfg_attr(
    no_test_dbs,
    ignore = "needs the database servers: run the tests through scripts/test-db.sh"
)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn better_auth_round_trip_carries_scrypt_passwords_and_decrypted_totp() {
    let admin = pg_admin_url();
    let env = TestEnv::new();
    better_auth_round_trip(&env, betterauth_database(&admin), "").await;
}

#[cfg_attr(
    no_test_dbs,
    ignore = "needs the database servers: run the tests through scripts/test-db.sh"
)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn better_auth_round_trip_from_mysql() {
    let admin = mysql_admin_url();
    let db = mysql_database(&admin, &betterauth_fixture("mysql.sql"));
    better_auth_round_trip(&TestEnv::new(), db, "mysql.").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn better_auth_round_trip_from_sqlite() {
    let env = TestEnv::new();
    let db = sqlite_database(&env, &betterauth_fixture("sqlite.sql")).await;
    better_auth_round_trip(&env, db, "sqlite.").await;
}

/// Exports the database Better Auth made (`prefix` names its fixture files), imports it,
/// and checks passwords, the TOTP secret and the OAuth-only user.
async fn better_auth_round_trip(env: &TestEnv, db: String, prefix: &str) {
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(betterauth_fixture(&format!("{prefix}expected.json")))
            .expect("expected.json"),
    )
    .expect("json");
    let secret = expected["secret"].as_str().expect("secret").to_owned();
    let out = export_from_env(
        env,
        "betterauth",
        "users.ndjson",
        &db,
        vec![("BETTER_AUTH_SECRET", secret)],
    )
    .await;
    let r = report(&out);
    assert_eq!(out.status.code(), Some(0), "{r}");
    assert_eq!(
        (
            &r["total"],
            &r["with_password"],
            &r["hashers"],
            &r["mfa_reenrol"]
        ),
        (
            &json!(5),
            &json!(4),
            &json!({"scrypt_werkzeug": 4}),
            &json!(0)
        ),
        "{r}"
    );
    let file = env.path().join("users.ndjson");
    let text = std::fs::read_to_string(&file).expect("export");
    let rows: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("ndjson"))
        .collect();
    let (bob, totp) = expected["totp"]
        .as_object()
        .and_then(|m| m.iter().next())
        .expect("one TOTP user");
    let bob_row = rows
        .iter()
        .find(|u| u["id"] == json!(bob))
        .expect("bob exported");
    assert_eq!(
        &bob_row["totpSecret"], totp,
        "the secret Better Auth showed the user"
    );
    assert!(bob_row.get("twoFactorSecret").is_none());

    let (sandbox, v) = import_and_verify(
        env,
        "betterauth",
        &file,
        5,
        &betterauth_fixture(&format!("{prefix}passwords.csv")),
    )
    .await;
    assert_eq!(
        (
            &v["checked"],
            &v["drifted"],
            &v["password_ok"],
            &v["password_failed"]
        ),
        (&json!(5), &json!(0), &json!(4), &json!(0)),
        "{v}"
    );
    let api = super::sandbox_api::Api::new(&sandbox, LIVE_KEY);
    let ids = sandbox.external_ids();
    let get = |id: &str| {
        let path = format!("/users/{}", ids[id]);
        let api = &api;
        async move { api.send(reqwest::Method::GET, &path, None).await.body }
    };
    assert_eq!(get(bob).await["totp_enabled"], true);
    let erin_id = rows
        .iter()
        .find(|u| u["email"] == "ba.erin@example.com")
        .and_then(|u| u["id"].as_str())
        .expect("erin exported");
    let erin = get(erin_id).await;
    assert_eq!(
        erin["private_metadata"]["betterauth_accounts"],
        json!([{"providerId": "github", "accountId": "github-erin"}])
    );
    assert_eq!(erin["password_enabled"], false);
    better_auth_orgs_round_trip(env, &db, &sandbox).await;
    sandbox.stop().await;
}

/// The organizations the organization plugin wrote, after their users: exported, sent,
/// read back without drift, and rolled back to an instance without organizations.
async fn better_auth_orgs_round_trip(
    env: &TestEnv,
    db: &str,
    sandbox: &migrate::sandbox::SandboxHandle,
) {
    let args = [
        "export",
        "betterauth",
        "--orgs",
        "--json",
        "-o",
        "orgs.ndjson",
    ];
    let vars = vec![("DATABASE_URL", db.to_owned())];
    let out = run(env, args.iter().map(|a| (*a).to_owned()).collect(), vars).await;
    let r = report(&out);
    assert_eq!(out.status.code(), Some(0), "{r}");
    assert_eq!(
        (&r["organizations"], &r["members"], &r["several_roles"]),
        (&json!(2), &json!(5), &json!(1)),
        "{r}"
    );
    assert_eq!(
        r["invitations"],
        json!({"canceled": 1, "pending": 1}),
        "{r}"
    );
    let text = std::fs::read_to_string(env.path().join("orgs.ndjson")).expect("orgs file");
    let orgs: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("ndjson"))
        .collect();
    let acme = orgs
        .iter()
        .find(|o| o["name"] == "Acme Corp")
        .expect("Acme");
    assert_eq!(acme["slug"], "acme-corp");
    assert_eq!(acme["public_metadata"], json!({"plan": "pro"}));
    let roles: Vec<&str> = acme["members"]
        .as_array()
        .expect("members")
        .iter()
        .map(|m| m["role"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        roles,
        ["owner", "admin", "admin"],
        "carol's member,admin is admin"
    );
    assert_eq!(acme["members"][1]["teams"], json!(["Platform"]));

    let api = |cmd: &[&str]| super::util::against(sandbox, cmd);
    let out = run(env, api(&["orgs", "-y", "-f", "orgs.ndjson"]), key()).await;
    let sent = report(&out);
    assert_eq!(out.status.code(), Some(0), "{sent}");
    assert_eq!(
        (
            &sent["organizations"]["created"],
            &sent["memberships"]["created"]
        ),
        (&json!(2), &json!(5)),
        "{sent}"
    );
    let out = run(env, api(&["verify", "--orgs"]), key()).await;
    let v = report(&out);
    assert_eq!(out.status.code(), Some(0), "{v}");
    assert_eq!(
        (&v["matching"], &v["members_checked"]),
        (&json!(2), &json!(5)),
        "{v}"
    );
    let ids = sandbox.external_ids();
    let in_clerk = sandbox.organizations();
    let acme = in_clerk
        .iter()
        .find(|o| o["slug"] == "acme-corp")
        .expect("Acme in Clerk");
    let bob = acme["members"]
        .as_array()
        .and_then(|m| {
            m.iter().find(|m| {
                m["role"] == "org:admin"
                    && m["private_metadata"]["migrate_teams"] == json!(["Platform"])
            })
        })
        .expect("Bob, admin, with his team");
    assert!(ids.values().any(|id| bob["user_id"] == id.as_str()));
    let out = run(env, api(&["delete", "--orgs", "-y"]), key()).await;
    assert_eq!(report(&out)["deleted"], 2);
    assert!(sandbox.organizations().is_empty());
    let out = run(env, api(&["delete", "-y"]), key()).await;
    assert_eq!(report(&out)["deleted"], 5);
    assert_eq!(sandbox.user_count(), 0, "the instance as it was");
}

#[cfg_attr(
    no_test_dbs,
    ignore = "needs the database servers: run the tests through scripts/test-db.sh"
)]
#[test]
fn better_auth_without_the_app_secret_never_exports_ciphertext() {
    let admin = pg_admin_url();
    let db = betterauth_database(&admin);
    let env = TestEnv::new();
    let out = env
        .cmd()
        .args(["export", "betterauth", "-o", "users.json", "--db-url", &db])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("1 user has two-factor on"), "{stderr}");
    assert!(stderr.contains("--betterauth-secret"), "{stderr}");
    let dump = std::fs::read_to_string(betterauth_fixture("postgres.sql")).expect("dump");
    let text = std::fs::read_to_string(env.path().join("users.json")).expect("export");
    let ciphertext = dump
        .lines()
        .skip_while(|l| !l.starts_with("COPY public.\"twoFactor\""))
        .nth(1)
        .and_then(|l| l.split('\t').nth(1))
        .expect("the fixture's encrypted secret");
    assert!(
        !text.contains(ciphertext),
        "the ciphertext must not be exported"
    );
    assert!(!text.contains("totpSecret"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clerk_export_pages_through_an_instance_and_reimports_without_drift() {
    // More than one page of 500, read back in creation order.
    let source = live_sandbox(10_000, 10).await;
    let env = TestEnv::new();
    let file = super::util::users_file(&env, 620);
    let out = run(&env, import_args(&source, "clerk", &file, &[]), key()).await;
    assert_eq!(report(&out)["created"], 620);
    let mut args: Vec<String> = [
        "export",
        "clerk",
        "--json",
        "-o",
        "export.json",
        "--api-url",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    args.push(source.base_url());
    let out = run(&env, args, key()).await;
    let r = report(&out);
    assert_eq!(out.status.code(), Some(0), "{r}");
    assert_eq!(
        (&r["source"], &r["total"], &r["invalid"]),
        (&json!("clerk"), &json!(620), &json!(0))
    );
    let exported: Vec<Value> = serde_json::from_str(
        &std::fs::read_to_string(env.path().join("export.json")).expect("export"),
    )
    .expect("json");
    assert_eq!(exported.len(), 620);
    // A second instance gets the same users; the export's IDs are the first instance's.
    let target = live_sandbox(10_000, 10).await;
    let out = run(
        &env,
        import_args(&target, "clerk", &env.path().join("export.json"), &[]),
        key(),
    )
    .await;
    assert_eq!(report(&out)["created"], 620);
    let mut verify: Vec<String> = vec!["verify".into(), "--json".into(), "--api-url".into()];
    verify.push(target.base_url());
    let out = run(&env, verify, key()).await;
    let v = report(&out);
    assert_eq!(
        (&v["checked"], &v["drifted"]),
        (&json!(620), &json!(0)),
        "{v}"
    );
    source.stop().await;
    target.stop().await;
}

/// Organizations from one Clerk instance to another: more than a page of organizations
/// and of one organization's members, exported, sent after their users, read back without
/// drift, rolled back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clerk_organizations_move_between_instances() {
    let env = TestEnv::new();
    let with_url = |cmd: &[&str], sandbox: &migrate::sandbox::SandboxHandle| {
        super::util::against(sandbox, cmd)
    };
    let source = live_sandbox(10_000, 10).await;
    let file = super::util::users_file(&env, 510);
    let out = run(&env, import_args(&source, "clerk", &file, &[]), key()).await;
    assert_eq!(report(&out)["created"], 510);
    let mut orgs = vec![
        json!({"id": "big", "name": "Big", "public_metadata": {"tier": 1},
        "members": (0..510).map(|i| json!({"user_id": format!("src_{i:05}"),
            "role": if i == 0 { "owner" } else { "member" }})).collect::<Vec<_>>()}),
    ];
    orgs.extend((0..500).map(|i| {
        json!({"id": format!("s{i}"), "name": format!("Small {i}"),
        "members": [{"user_id": format!("src_{i:05}"), "role": "admin"}]})
    }));
    env.write(
        "source-orgs.json",
        &serde_json::to_string(&orgs).expect("json"),
    );
    let out = run(
        &env,
        with_url(&["orgs", "-y", "-f", "source-orgs.json"], &source),
        key(),
    )
    .await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let big_id = source
        .organizations()
        .into_iter()
        .find(|o| o["name"] == "Big")
        .and_then(|o| o["id"].as_str().map(str::to_owned))
        .expect("Big in the source");
    let invited = super::sandbox_api::Api::new(&source, LIVE_KEY)
        .post(
            &format!("/organizations/{big_id}/invitations"),
            json!({"email_address": "new.hire@example.com", "role": "org:member"}),
        )
        .await;
    assert_eq!(invited.status, 200, "{}", invited.body);
    let out = run(
        &env,
        with_url(&["export", "clerk", "-o", "users.json"], &source),
        key(),
    )
    .await;
    assert_eq!(out.status.code(), Some(0));
    let out = run(
        &env,
        with_url(&["export", "clerk", "--orgs", "-o", "orgs.json"], &source),
        key(),
    )
    .await;
    let r = report(&out);
    assert_eq!(
        (&r["organizations"], &r["members"]),
        (&json!(501), &json!(1010)),
        "{r}"
    );
    let exported: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(env.path().join("orgs.json")).expect("file"))
            .expect("json");
    let big = exported.iter().find(|o| o["name"] == "Big").expect("Big");
    assert_eq!(big["public_metadata"], json!({"tier": 1}));
    assert!(
        big["private_metadata"].is_null(),
        "the source's migrate_source_id is left out"
    );
    assert_eq!(
        big["invitations"],
        json!([{"email_address": "new.hire@example.com", "role": "org:member", "status": "pending"}])
    );

    let target = live_sandbox(10_000, 10).await;
    let users = env.path().join("users.json");
    let out = run(&env, import_args(&target, "clerk", &users, &[]), key()).await;
    assert_eq!(report(&out)["created"], 510);
    let mut args = with_url(&["orgs", "-y", "-f", "orgs.json"], &target);
    args.extend(["--invitations", "--invitations-per-hour", "36000"].map(str::to_owned));
    let out = run(&env, args, key()).await;
    let sent = report(&out);
    assert_eq!(sent["invitations"]["created"], 1, "{sent}");
    assert_eq!(out.status.code(), Some(0), "{sent}");
    assert_eq!(
        (
            &sent["organizations"]["created"],
            &sent["members_from_logs"]
        ),
        (&json!(501), &json!(510)),
        "{sent}"
    );
    let out = run(&env, with_url(&["verify", "--orgs"], &target), key()).await;
    let v = report(&out);
    assert_eq!(
        (&v["matching"], &v["members_checked"]),
        (&json!(501), &json!(1010)),
        "{v}"
    );
    let out = run(&env, with_url(&["delete", "--orgs", "-y"], &target), key()).await;
    assert_eq!(report(&out)["deleted"], 501);
    assert_eq!(target.organization_counts(), (0, 0));
    // And the users: the instance as it was.
    let out = run(
        &env,
        with_url(&["delete", "-y", "--all-runs"], &target),
        key(),
    )
    .await;
    assert_eq!(report(&out)["deleted"], 510);
    assert_eq!(target.user_count(), 0);
    assert_eq!(
        source.organization_counts(),
        (501, 1010),
        "the source untouched"
    );
    source.stop().await;
    target.stop().await;
}

fn authjs_fixture(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/authjs")
        .join(name)
}

#[cfg_attr(
    no_test_dbs,
    ignore = "needs the database servers: run the tests through scripts/test-db.sh"
)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authjs_round_trip_from_the_adapters_tables_and_prisma_naming() {
    let admin = pg_admin_url();
    let dump = authjs_fixture("postgres.sql");
    for prisma in [false, true] {
        let db = fresh_database(&admin);
        psql(&db, &["-f", dump.to_str().expect("utf-8")]);
        if prisma {
            psql(
                &db,
                &[
                    "-c",
                    "ALTER TABLE users RENAME TO \"User\"; ALTER TABLE accounts RENAME TO \"Account\"",
                ],
            );
        }
        authjs_round_trip(&TestEnv::new(), db).await;
    }
}

#[cfg_attr(
    no_test_dbs,
    ignore = "needs the database servers: run the tests through scripts/test-db.sh"
)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authjs_round_trip_from_the_kysely_adapters_mysql_and_sqlite_tables() {
    let env = TestEnv::new();
    let db = sqlite_database(&env, &authjs_fixture("sqlite.sql")).await;
    authjs_round_trip(&env, db).await;
    let admin = mysql_admin_url();
    let db = mysql_database(&admin, &authjs_fixture("mysql.sql"));
    authjs_round_trip(&TestEnv::new(), db).await;
}

/// Exports the adapter's three fixture users, imports them and checks what they carry.
async fn authjs_round_trip(env: &TestEnv, db: String) {
    let out = export_from_env(env, "authjs", "users.json", &db, Vec::new()).await;
    let r = report(&out);
    assert_eq!(
        (&r["total"], &r["with_password"]),
        (&json!(3), &json!(0)),
        "{db}: {r}"
    );
    assert_eq!(r["coverage"]["email_address"], 3, "{r}");
    assert_eq!(
        r["coverage"]["email_address (reserved)"], 1,
        "Linus's email was never verified: {r}"
    );
    let file = env.path().join("users.json");
    let rows: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(&file).expect("export")).expect("json");
    let grace = rows
        .iter()
        .find(|u| u["email"] == "grace@authjs.example")
        .expect("grace exported");
    let grace_id = match &grace["id"] {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let sandbox = live_sandbox(10_000, 10).await;
    let out = run(env, import_args(&sandbox, "authjs", &file, &[]), key()).await;
    assert_eq!(report(&out)["created"], 3);
    let v = report(&run(env, verify_args(&sandbox, &[]), key()).await);
    assert_eq!(
        (&v["checked"], &v["drifted"]),
        (&json!(3), &json!(0)),
        "{v}"
    );
    let ids = sandbox.external_ids();
    let api = super::sandbox_api::Api::new(&sandbox, LIVE_KEY);
    let user = api
        .send(
            reqwest::Method::GET,
            &format!("/users/{}", ids[&grace_id]),
            None,
        )
        .await
        .body;
    assert_eq!(
        user["private_metadata"]["authjs_accounts"],
        json!([{"provider": "github", "providerAccountId": "grace-remote-id"}]),
        "{db}"
    );
    assert_eq!(
        user["email_addresses"][0]["verification"]["status"], "verified",
        "{db}"
    );
    sandbox.stop().await;
}

#[cfg_attr(
    any(no_test_dbs, shared_absent),
    ignore = "needs the database servers (scripts/test-db.sh) and ../shared beside the checkout"
)]
#[test]
fn pages_follow_each_other_without_losing_or_repeating_a_user() {
    let admin = pg_admin_url();
    let shared = shared_dir().expect("../shared");
    let db = empty_supabase_database(&admin, &shared);
    // More than two pages of 2,000, with soft-deleted users among them: pages are key
    // ranges over every row, and the deleted ones are left out of each.
    psql(
        &db,
        &[
            "-c",
            "INSERT INTO auth.users (id, email, encrypted_password, email_confirmed_at, created_at, deleted_at) \
             SELECT gen_random_uuid(), 'page' || i || '@example.com', '', now(), now(), \
             CASE WHEN i % 7 = 0 THEN now() END FROM generate_series(1, 4321 + 720) AS i",
        ],
    );
    // An identity each: pages gather them by key range, and none may land on a neighbour.
    psql(
        &db,
        &[
            "-c",
            "INSERT INTO auth.identities (provider_id, user_id, identity_data, provider, created_at, updated_at) \
             SELECT id::text, id, jsonb_build_object('sub', id::text), 'email', now(), now() FROM auth.users",
        ],
    );
    let env = TestEnv::new();
    let (_, r) = export_json(&env, "supabase", "users.ndjson", &db);
    assert_eq!(
        (&r["total"], &r["skipped_by_reason"]),
        (&json!(4321), &json!({"deleted": 720})),
        "{r}"
    );
    let text = std::fs::read_to_string(env.path().join("users.ndjson")).expect("export");
    let rows: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).expect("ndjson"))
        .collect();
    let ids: std::collections::HashSet<String> = rows.iter().map(|u| u["id"].to_string()).collect();
    assert_eq!(ids.len(), 4321, "every user once");
    for u in &rows {
        assert_eq!(
            (
                u["identities"].as_array().map(Vec::len),
                &u["identities"][0]["provider_id"]
            ),
            (Some(1), &u["id"]),
            "its own identity, once"
        );
    }
}

/// Better Auth's SQLite fixture with one user's name set to the SQL expression `name`;
/// returns the database and that user's id.
async fn carol_named(env: &TestEnv, name: &str) -> (String, String) {
    let db = sqlite_database(env, &betterauth_fixture("sqlite.sql")).await;
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{db}"))
        .await
        .expect("sqlite");
    let id: String = sqlx::query_scalar(&format!(
        "UPDATE user SET name = {name} WHERE email = 'ba.carol@example.com' RETURNING id"
    ))
    .fetch_one(&pool)
    .await
    .expect("update");
    pool.close().await;
    (db, id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_row_that_cannot_be_read_is_skipped_counted_and_named() {
    let env = TestEnv::new();
    // Bytes that are not UTF-8 in a text column, as a legacy import can leave them.
    let (db, carol) = carol_named(&env, "CAST(x'4361726cff' AS TEXT)").await;
    let (code, r) = export_json(&env, "betterauth", "users.json", &db);
    assert_eq!(code, Some(3), "skipped rows exit 3");
    assert_eq!((&r["total"], &r["skipped"]), (&json!(4), &json!(1)), "{r}");
    assert_eq!(r["unreadable"][0]["key"], json!(carol), "{r}");
    let text = std::fs::read_to_string(env.path().join("users.json")).expect("export");
    assert!(!text.contains(&carol), "the unreadable row is left out");
}

#[cfg_attr(
    no_test_dbs,
    ignore = "needs the database servers: run the tests through scripts/test-db.sh"
)]
#[test]
fn mysql_failures_name_host_table_and_database_never_the_password() {
    let admin = mysql_admin_url();
    let parsed = reqwest::Url::parse(&admin).expect("url");
    let at = format!(
        "{}:{}",
        parsed.host_str().expect("host"),
        parsed.port().expect("port")
    );
    let mut wrong = parsed.clone();
    wrong.set_password(Some("Wr0ngPassw0rd")).expect("password");
    let env = TestEnv::new();
    env.cmd()
        .args([
            "export",
            "betterauth",
            "-o",
            "out.json",
            "--db-url",
            wrong.as_str(),
        ])
        .assert()
        .code(1)
        .stderr(predicates::str::contains(at.as_str()))
        .stderr(predicates::str::contains("Wr0ngPassw0rd").not());
    let empty = mysql_database(&admin, std::path::Path::new("/dev/null"));
    env.cmd()
        .args(["export", "betterauth", "-o", "out.json", "--db-url", &empty])
        .assert()
        .code(1)
        .stderr(predicates::str::contains(format!(
            "user not found in the MySQL database at {at}"
        )))
        .stderr(predicates::str::contains("test-db-pass").not());
    env.cmd()
        .args(["export", "authjs", "-o", "out.json", "--db-url", &empty])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("users (or User, user) not found"));
    assert!(!env.path().join("out.json").exists());
}

#[cfg_attr(
    no_test_dbs,
    ignore = "needs the database servers: run the tests through scripts/test-db.sh"
)]
#[test]
fn mysql_pages_follow_the_primary_key_under_a_case_insensitive_collation() {
    let admin = mysql_admin_url();
    let env = TestEnv::new();
    // Better Auth's tables plus 4,321 users whose ids mix cases (more than two pages).
    let mut sql =
        std::fs::read_to_string(betterauth_fixture("mysql.sql")).expect("the MySQL fixture");
    sql.push_str(
        "INSERT INTO `user` (id, name, email, emailVerified, createdAt, updatedAt) \
         SELECT CONCAT(IF(seq % 2, 'x', 'X'), seq), CONCAT('User ', seq), \
         CONCAT('u', seq, '@example.com'), 1, NOW(3), NOW(3) FROM seq_1_to_4321;\n",
    );
    let dump = env.path().join("many.sql");
    std::fs::write(&dump, sql).expect("write");
    let db = mysql_database(&admin, &dump);
    let (code, r) = export_json(&env, "betterauth", "users.ndjson", &db);
    assert_eq!((code, &r["total"]), (Some(0), &json!(4326)), "{r}");
    let text = std::fs::read_to_string(env.path().join("users.ndjson")).expect("export");
    let ids: std::collections::HashSet<String> = text
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).expect("ndjson")["id"].to_string())
        .collect();
    assert_eq!(ids.len(), 4326, "each user once");
}

/// A password typed in `--db-url` draws the shell-history warning; one with an unencoded
/// `@` (or `/`, `?`, `#`) is refused with the way to encode it, and no fragment of it is
/// ever printed.
#[test]
fn a_database_password_never_prints_and_typed_draws_a_warning() {
    let env = TestEnv::new();
    let out = env
        .cmd()
        .args(["export", "supabase", "-o", "users.json", "--db-url"])
        .arg("postgres://u:pg@S3cret/pw@127.0.0.1:9/db")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("percent-encode") && stderr.contains("%40"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("S3cret") && !stderr.contains("pw@"),
        "{stderr}"
    );

    let out = env
        .cmd()
        .args(["export", "supabase", "-o", "users.json", "--db-url"])
        .arg("postgres://u:S3cret%40pw@127.0.0.1:9/db")
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("puts it in your shell history"), "{stderr}");
    assert!(!stderr.contains("S3cret"), "{stderr}");
    let out = env
        .cmd()
        .args(["export", "supabase", "-o", "users.json"])
        .env("DATABASE_URL", "postgres://u:S3cret%40pw@127.0.0.1:9/db")
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("shell history"), "{stderr}");
}

/// Names the database chooses (its columns, a renamed user table) are data, never SQL:
/// a column `!\` beside a column whose name is crafted to close the literal and select
/// from another table, plus quotes, backticks, semicolons and comment markers, export
/// as plain keys on PostgreSQL, MariaDB and SQLite, and the other table's secret is
/// nowhere in the output.
#[cfg_attr(
    no_test_dbs,
    ignore = "needs the database servers: run the tests through scripts/test-db.sh"
)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_table_and_column_names_are_data_on_every_dialect() {
    const COLUMNS: [&str; 6] = [
        "!\\",
        "x', (SELECT secret FROM leak LIMIT 1), '",
        "a\"b'c",
        "d`e",
        "f;g -- h",
        "/*i*/j\\'",
    ];
    const TABLE: &str = "us`e\"r'; -- x";
    const SCHEMA: &str = "sch\"e'ma\\; /*";
    let env = TestEnv::new();
    // (dialect, database URL) for each server this machine has.
    let mut databases = Vec::new();
    // SQL for one dialect: quote an identifier, then the statements.
    let statements = |quote: &dyn Fn(&str) -> String, user: &str| {
        let mut sql = vec![
            "CREATE TABLE leak (secret TEXT)".to_owned(),
            "INSERT INTO leak VALUES ('LEAKED-SECRET')".to_owned(),
        ];
        for (i, c) in COLUMNS.iter().enumerate() {
            sql.push(format!("ALTER TABLE {user} ADD COLUMN {} TEXT", quote(c)));
            sql.push(format!("UPDATE {user} SET {} = 'value{i}'", quote(c)));
        }
        sql
    };
    let sqlite_quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let mysql_quote = |s: &str| format!("`{}`", s.replace('`', "``"));
    {
        let mut dump = std::fs::read_to_string(betterauth_fixture("sqlite.sql")).expect("fixture");
        for s in statements(&sqlite_quote, "\"user\"") {
            dump.push_str(&s);
            dump.push_str(";\n");
        }
        dump.push_str(&format!(
            "ALTER TABLE \"user\" RENAME TO {};\n",
            sqlite_quote(TABLE)
        ));
        let path = env.path().join("hostile.sqlite.sql");
        std::fs::write(&path, dump).expect("write");
        databases.push(("SQLite", sqlite_database(&env, &path).await));
    }
    {
        let admin = mysql_admin_url();
        let mut dump = std::fs::read_to_string(betterauth_fixture("mysql.sql")).expect("fixture");
        for s in statements(&mysql_quote, "`user`") {
            dump.push_str(&s);
            dump.push_str(";\n");
        }
        dump.push_str(&format!("RENAME TABLE `user` TO {};\n", mysql_quote(TABLE)));
        let path = env.path().join("hostile.mysql.sql");
        std::fs::write(&path, dump).expect("write");
        databases.push(("MariaDB", mysql_database(&admin, &path)));
    }
    {
        let admin = pg_admin_url();
        let db = betterauth_database(&admin);
        let mut sql = statements(&sqlite_quote, "\"user\"");
        sql.push(format!(
            "ALTER TABLE \"user\" RENAME TO {}",
            sqlite_quote(TABLE)
        ));
        // And a schema of its own, named as hostilely.
        sql.push(format!("CREATE SCHEMA {}", sqlite_quote(SCHEMA)));
        sql.push(format!(
            "DO $$ DECLARE t text; BEGIN FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' \
             LOOP EXECUTE format('ALTER TABLE public.%I SET SCHEMA %I', t, '{}'); END LOOP; END $$",
            SCHEMA.replace('\'', "''")
        ));
        for s in sql {
            psql(&db, &["-c", &s]);
        }
        databases.push(("PostgreSQL", db));
    }
    for (dialect, db) in databases {
        let mut args = vec![
            "export",
            "betterauth",
            "--json",
            "-o",
            "hostile.ndjson",
            "--user-table",
            TABLE,
            "--db-url",
            &db,
        ];
        if dialect == "PostgreSQL" {
            args.extend(["--schema", SCHEMA]);
        }
        let out = env.cmd().args(args).output().expect("runs");
        assert_eq!(
            out.status.code(),
            Some(0),
            "{dialect}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = std::fs::read_to_string(env.path().join("hostile.ndjson")).expect("export");
        assert!(!text.contains("LEAKED-SECRET"), "{dialect}: {text}");
        let users: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).expect("ndjson"))
            .collect();
        assert_eq!(users.len(), 5, "{dialect}");
        for u in &users {
            for (i, c) in COLUMNS.iter().enumerate() {
                assert_eq!(u[*c], json!(format!("value{i}")), "{dialect}: {c:?} in {u}");
            }
        }
    }
}

/// Pages start at the smallest key there can be, inclusive: a Supabase user whose id is
/// the nil UUID, a Better Auth user whose id is the empty string and Auth.js users with
/// ids 0 and the smallest integer are exported and counted like any other.
#[cfg_attr(
    any(no_test_dbs, shared_absent),
    ignore = "needs the database servers (scripts/test-db.sh) and ../shared beside the checkout"
)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_smallest_possible_key_is_exported_too() {
    let env = TestEnv::new();
    let ids = |file: &str| -> Vec<Value> {
        std::fs::read_to_string(env.path().join(file))
            .expect("export")
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).expect("ndjson")["id"].clone())
            .collect()
    };
    // Better Auth on SQLite: the empty string.
    let mut dump = std::fs::read_to_string(betterauth_fixture("sqlite.sql")).expect("fixture");
    dump.push_str(
        "INSERT INTO \"user\" (id, name, email, emailVerified, createdAt, updatedAt) \
         VALUES ('', 'Empty Key', 'empty.key@example.com', 1, '2024-01-01T00:00:00.000Z', '2024-01-01T00:00:00.000Z');\n",
    );
    let path = env.path().join("empty-key.sql");
    std::fs::write(&path, dump).expect("write");
    let db = sqlite_database(&env, &path).await;
    let (code, r) = export_json(&env, "betterauth", "ba.ndjson", &db);
    assert_eq!((code, &r["total"]), (Some(0), &json!(6)), "{r}");
    assert!(ids("ba.ndjson").contains(&json!("")));

    let admin = pg_admin_url();
    // Auth.js's pg-adapter: integer ids, 0 and the smallest one.
    let db = fresh_database(&admin);
    psql(
        &db,
        &[
            "-f",
            authjs_fixture("postgres.sql").to_str().expect("utf-8"),
        ],
    );
    psql(
        &db,
        &[
            "-c",
            "INSERT INTO users (id, name, email) VALUES (0, 'Zero', 'zero@example.com'), \
             (-2147483648, 'Least', 'least@example.com')",
        ],
    );
    let (code, r) = export_json(&env, "authjs", "authjs.ndjson", &db);
    assert_eq!((code, &r["total"]), (Some(0), &json!(5)), "{r}");
    let got = ids("authjs.ndjson");
    assert!(
        got.contains(&json!(0)) && got.contains(&json!(-2147483648)),
        "{got:?}"
    );

    // Supabase: the nil UUID, with its identity.
    let shared = shared_dir().expect("../shared");
    let db = empty_supabase_database(&admin, &shared);
    psql(
        &db,
        &[
            "-c",
            "INSERT INTO auth.users (id, email, encrypted_password, email_confirmed_at, created_at) VALUES \
             ('00000000-0000-0000-0000-000000000000', 'nil@example.com', '', now(), now()), \
             (gen_random_uuid(), 'other@example.com', '', now(), now()); \
             INSERT INTO auth.identities (provider_id, user_id, identity_data, provider, created_at, updated_at) \
             SELECT id::text, id, jsonb_build_object('sub', id::text), 'email', now(), now() FROM auth.users",
        ],
    );
    let (code, r) = export_json(&env, "supabase", "supabase.ndjson", &db);
    assert_eq!((code, &r["total"]), (Some(0), &json!(2)), "{r}");
    let text = std::fs::read_to_string(env.path().join("supabase.ndjson")).expect("export");
    let nil = text
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).expect("ndjson"))
        .find(|u| u["id"] == "00000000-0000-0000-0000-000000000000")
        .expect("the nil UUID user is exported");
    assert_eq!(nil["identities"].as_array().map(Vec::len), Some(1), "{nil}");
}

/// All users of an instance, by Clerk ID, through the API in pages.
async fn all_users(api: &super::sandbox_api::Api) -> Vec<Value> {
    let mut out = Vec::new();
    loop {
        let page = api
            .get(&format!(
                "/users?order_by=%2Bcreated_at&limit=500&offset={}",
                out.len()
            ))
            .await
            .body;
        let page = page.as_array().cloned().unwrap_or_default();
        let n = page.len();
        out.extend(page);
        if n < 500 {
            return out;
        }
    }
}

/// `export clerk` pages by creation time, not offset: 500 users deleted while it runs
/// (behind its cursor, where offsets would shift) leave no user who still exists out of
/// the file; a group of 700 users created in the same millisecond is read whole, none
/// twice; the count that changed meanwhile is reported, exit 3.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clerk_export_keeps_every_user_through_deletions_and_equal_timestamps() {
    let sandbox = live_sandbox(100_000, 10).await;
    let api = super::sandbox_api::Api::new(&sandbox, LIVE_KEY);
    let env = TestEnv::new();
    let users: Vec<Value> = (0..3000)
        .map(|i| {
            // 700 in one millisecond, then groups of three per second.
            let created = if i < 700 {
                "2024-01-01T00:00:00.000Z".to_owned()
            } else {
                let s = 1_704_153_600 + (i as i64 - 700) / 3;
                chrono::DateTime::from_timestamp(s, 0)
                    .expect("time")
                    .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
            };
            json!({"id": format!("c_{i:05}"), "username": format!("cursor{i}"), "created_at": created})
        })
        .collect();
    let file = env.write("users.json", &Value::Array(users).to_string());
    let out = run(&env, import_args(&sandbox, "clerk", &file, &[]), key()).await;
    assert_eq!(report(&out)["created"], 3000);
    // Every third of the first 1,500 by creation: all behind the cursor soon.
    let doomed: Vec<String> = all_users(&api)
        .await
        .iter()
        .take(1500)
        .step_by(3)
        .map(|u| u["id"].as_str().expect("id").to_owned())
        .collect();
    assert_eq!(doomed.len(), 500);

    let mut cmd = env.std_cmd();
    cmd.args([
        "export",
        "clerk",
        "--json",
        "-o",
        "export.ndjson",
        "--api-url",
    ])
    .arg(sandbox.base_url())
    .env("CLERK_SECRET_KEY", LIVE_KEY)
    // Four requests a second: the test deletes between the export's pages.
    .env("RATE_LIMIT", "4")
    .stdout(std::process::Stdio::piped())
    .stderr(std::process::Stdio::piped());
    let requests = sandbox.stats().requests;
    let child = cmd.spawn().expect("spawns");
    // Past the count, the setup calls and the first pages.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while sandbox.stats().requests < requests + 5 {
        assert!(
            std::time::Instant::now() < deadline,
            "the export never started"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    for id in &doomed {
        let r = api
            .send(reqwest::Method::DELETE, &format!("/users/{id}"), None)
            .await;
        assert_eq!(r.status, 200);
    }
    let out = tokio::task::spawn_blocking(move || child.wait_with_output().expect("waits"))
        .await
        .expect("joins");
    let r = report(&out);
    assert_eq!(out.status.code(), Some(3), "{r}");
    assert_eq!(
        r["instance_changed"],
        json!({"before": 3000, "after": 2500}),
        "{r}"
    );
    let exported: Vec<String> = std::fs::read_to_string(env.path().join("export.ndjson"))
        .expect("export")
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).expect("ndjson")["id"]
                .as_str()
                .expect("id")
                .to_owned()
        })
        .collect();
    let unique: std::collections::HashSet<&String> = exported.iter().collect();
    assert_eq!(unique.len(), exported.len(), "nobody twice");
    let remaining = all_users(&api).await;
    assert_eq!(remaining.len(), 2500);
    let missing: Vec<&str> = remaining
        .iter()
        .filter_map(|u| u["id"].as_str())
        .filter(|id| !unique.contains(&(*id).to_owned()))
        .collect();
    assert!(
        missing.is_empty(),
        "{} users who exist are not in the file: {:?}",
        missing.len(),
        &missing[..missing.len().min(5)]
    );
    sandbox.stop().await;
}

/// A row over the import's 64 MiB record cap is left out at export time, named and
/// counted as too_large (exit 3), so the file stays importable; the others are written.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_row_over_the_record_cap_is_left_out_as_too_large() {
    let env = TestEnv::new();
    let (db, big) = carol_named(&env, "hex(zeroblob(34000000))").await;
    let (code, r) = export_json(&env, "betterauth", "users.ndjson", &db);
    assert_eq!(code, Some(3), "{r}");
    assert_eq!((&r["total"], &r["skipped"]), (&json!(4), &json!(1)), "{r}");
    assert_eq!(r["unreadable"][0]["key"], json!(big), "{r}");
    assert!(
        r["unreadable"][0]["reason"]
            .as_str()
            .is_some_and(|s| s.starts_with("too_large")),
        "{r}"
    );
    let size = std::fs::metadata(env.path().join("users.ndjson"))
        .expect("file")
        .len();
    assert!(size < 1 << 20, "the big row is not written: {size} bytes");
    // And the file imports.
    let out = env
        .cmd()
        .args([
            "-y",
            "--dry-run",
            "--json",
            "-t",
            "betterauth",
            "-f",
            "users.ndjson",
        ])
        .output()
        .expect("runs");
    let d: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(d["total"], 4, "{d}");
}

/// What `migrate export` writes is detected as its source when `-t` is left out.
#[cfg_attr(
    any(no_test_dbs, shared_absent),
    ignore = "needs the database servers (scripts/test-db.sh) and ../shared beside the checkout"
)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exports_are_detected_as_their_source() {
    let env = TestEnv::new();
    let detected = |file: &str| -> Value {
        let out = env
            .cmd()
            .args(["-y", "--dry-run", "--json", "-f", file])
            .output()
            .expect("runs");
        let r: Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{file}: {e}: {}", String::from_utf8_lossy(&out.stderr)));
        r["transformer"].clone()
    };
    let db = sqlite_database(&env, &betterauth_fixture("sqlite.sql")).await;
    let (code, _) = export_json(&env, "betterauth", "ba.json", &db);
    assert_eq!(code, Some(0));
    assert_eq!(detected("ba.json"), "betterauth");
    let other = TestEnv::new();
    let db = sqlite_database(&other, &authjs_fixture("sqlite.sql")).await;
    let (code, _) = export_json(&env, "authjs", "authjs.ndjson", &db);
    assert_eq!(code, Some(0));
    assert_eq!(detected("authjs.ndjson"), "authjs");
    let admin = pg_admin_url();
    let shared = shared_dir().expect("../shared");
    let db = supabase_database(&admin, &shared);
    let (code, _) = export_json(&env, "supabase", "supabase.json", &db);
    assert_eq!(code, Some(0));
    assert_eq!(detected("supabase.json"), "supabase");
}

/// `-o users.csv` would get JSON under a CSV name: refused up front (exit 2), nothing
/// read or written.
#[test]
fn an_output_named_for_another_format_is_refused() {
    let env = TestEnv::new();
    let out = env
        .cmd()
        .args([
            "export",
            "supabase",
            "-o",
            "users.csv",
            "--db-url",
            "postgres://u@127.0.0.1:9/db",
        ])
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(".ndjson") && stderr.contains("users.csv"),
        "{stderr}"
    );
    assert!(!env.path().join("users.csv").exists());
}

/// Exports `source` with `--since` from `db` into `file`; the exit code and report.
async fn delta(env: &TestEnv, source: &str, db: &str, since: &str) -> (Option<i32>, Value) {
    let args = [
        "export",
        source,
        "--json",
        "-o",
        "delta.json",
        "--since",
        since,
    ];
    let vars = vec![("DATABASE_URL", db.to_owned())];
    let out = run(env, args.iter().map(|a| (*a).to_owned()).collect(), vars).await;
    let report = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code(), report)
}

/// The users in the delta file, by email.
fn delta_emails(env: &TestEnv) -> Vec<String> {
    let text = std::fs::read_to_string(env.path().join("delta.json")).expect("delta");
    let rows: Vec<Value> = serde_json::from_str(&text).expect("json");
    rows.iter()
        .filter_map(|r| r["email"].as_str().map(str::to_owned))
        .collect()
}

/// `--since`: only the users whose change column is later, with the window in the report;
/// platforms without such a column are refused (exit 2).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delta_export_holds_only_the_users_changed_since() {
    let env = TestEnv::new();
    let mut dump = std::fs::read_to_string(betterauth_fixture("sqlite.sql")).expect("fixture");
    dump.push_str(
        "UPDATE \"user\" SET \"updatedAt\" = '2031-01-01T00:00:00.000Z' WHERE email = 'ba.bob@example.com';\n",
    );
    let path = env.write("changed.sqlite.sql", &dump);
    let db = sqlite_database(&env, &path).await;
    let (code, r) = delta(&env, "betterauth", &db, "2030-06-01").await;
    assert_eq!(code, Some(0), "{r}");
    assert_eq!(r["total"], 1, "{r}");
    assert_eq!(r["window"]["from"], "2030-06-01T00:00:00.000Z", "{r}");
    assert_eq!(delta_emails(&env), ["ba.bob@example.com"]);
    let (_, r) = delta(&env, "betterauth", &db, "2000-01-01T00:00:00Z").await;
    assert_eq!(r["total"], 5, "{r}");

    let other = TestEnv::new();
    let authjs = sqlite_database(&other, &authjs_fixture("sqlite.sql")).await;
    let out = run(
        &env,
        [
            "export",
            "authjs",
            "-o",
            "a.json",
            "--since",
            "2030-01-01",
            "--db-url",
            &authjs,
        ]
        .map(str::to_owned)
        .to_vec(),
        Vec::new(),
    )
    .await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no column that records when a user changed")
    );
    let out = run(
        &env,
        [
            "export",
            "clerk",
            "-o",
            "c.json",
            "--since",
            "2030-01-01",
            "--sandbox",
        ]
        .map(str::to_owned)
        .to_vec(),
        Vec::new(),
    )
    .await;
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The same on PostgreSQL (Better Auth and Supabase) and MariaDB, each comparing times as
/// it stores them.
#[cfg_attr(
    any(no_test_dbs, shared_absent),
    ignore = "needs the database servers (scripts/test-db.sh) and ../shared beside the checkout"
)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delta_exports_compare_times_as_each_database_stores_them() {
    let env = TestEnv::new();
    let admin = pg_admin_url();
    let ba = betterauth_database(&admin);
    psql(
        &ba,
        &[
            "-c",
            "UPDATE \"user\" SET \"updatedAt\" = '2031-01-01 00:00:00+00' WHERE email = 'ba.bob@example.com'",
        ],
    );
    let (code, r) = delta(&env, "betterauth", &ba, "2030-06-01").await;
    assert_eq!((code, &r["total"]), (Some(0), &json!(1)), "{r}");
    assert_eq!(delta_emails(&env), ["ba.bob@example.com"]);

    let mut dump = std::fs::read_to_string(betterauth_fixture("mysql.sql")).expect("fixture");
    dump.push_str("UPDATE `user` SET `updatedAt` = '2031-01-01 00:00:00.000' WHERE email = 'ba.bob@example.com';\n");
    let path = env.write("changed.mysql.sql", &dump);
    let my = mysql_database(&mysql_admin_url(), &path);
    let (code, r) = delta(&env, "betterauth", &my, "2030-06-01T00:00:00Z").await;
    assert_eq!((code, &r["total"]), (Some(0), &json!(1)), "{r}");

    let shared = super::util::shared_dir().expect("../shared");
    let supabase = supabase_database(&admin, &shared);
    let (_, all) = delta(&env, "supabase", &supabase, "2000-01-01").await;
    psql(
        &supabase,
        &[
            "-c",
            "UPDATE auth.users SET updated_at = '2031-01-01 00:00:00+00' WHERE id = (SELECT id FROM auth.users WHERE deleted_at IS NULL AND is_anonymous IS NOT TRUE ORDER BY id LIMIT 1)",
        ],
    );
    let (code, r) = delta(&env, "supabase", &supabase, "2030-06-01").await;
    assert_eq!((code, &r["total"]), (Some(0), &json!(1)), "{r}");
    assert!(all["total"].as_u64().unwrap_or(0) > 1, "{all}");
}
