//! `migrate orgs --dry-run`: an organization file checked offline, each problem named by
//! organization, exit 3 when any organization cannot go as it is.

use serde_json::Value;

use super::util::TestEnv;

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
    let out = env
        .cmd()
        .args(["orgs", "-f", "orgs.json"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--dry-run"));
}
