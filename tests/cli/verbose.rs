//! Personal data (emails, phones, offending values) reaches the terminal only with
//! `--verbose`; without it the terminal names users by ID and row.

use serde_json::json;

use super::sandbox_api::Api;
use super::util::TestEnv;
use super::util::{LIVE_KEY, import_args, live_sandbox, run};

const BAD_EMAIL: &str = "bad@@example.com";
const TAKEN_EMAIL: &str = "taken.by.someone@example.com";

fn text(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// `users.json`: an Auth0 export whose first user's email is invalid, the second fine.
fn bad_email_export(env: &TestEnv) {
    env.write(
        "users.json",
        &json!([
            {"user_id": "u1", "email": BAD_EMAIL, "email_verified": true},
            {"user_id": "u2", "email": "fine@example.com", "email_verified": true},
        ])
        .to_string(),
    );
}

#[test]
fn a_dry_run_shows_values_only_when_verbose() {
    let env = TestEnv::new();
    bad_email_export(&env);
    let args = ["-y", "--dry-run", "-t", "auth0", "-f", "users.json"];
    let quiet = env.cmd().args(args).output().expect("runs");
    let quiet = text(&quiet);
    assert!(
        quiet.contains("is not a valid email address  (row 1)"),
        "{quiet}"
    );
    assert!(!quiet.contains(BAD_EMAIL), "{quiet}");

    let json = env.cmd().args(args).arg("--json").output().expect("runs");
    assert!(!text(&json).contains(BAD_EMAIL));
    let json = env
        .cmd()
        .args(args)
        .args(["--json", "-v"])
        .output()
        .expect("runs");
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).expect("json");
    assert_eq!(
        report["invalid_records"],
        json!([{"row": 1, "user_id": "u1", "problems": [
            {"field": "email_address", "reason": "is not a valid email address", "value": BAD_EMAIL}
        ]}])
    );

    let loud = env
        .cmd()
        .args(args)
        .arg("--verbose")
        .output()
        .expect("runs");
    assert_eq!(loud.status.code(), Some(3));
    let loud = text(&loud);
    assert!(
        loud.contains(&format!(
            "row 1 u1: email_address: is not a valid email address (got {BAD_EMAIL})"
        )),
        "{loud}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_names_refused_users_by_id_unless_verbose() {
    let sandbox = live_sandbox(10_000, 10).await;
    let api = Api::new(&sandbox, LIVE_KEY);
    let other = json!({"external_id": "someone_else", "email_address": [TAKEN_EMAIL], "skip_password_requirement": true});
    assert_eq!(api.post("/users", other).await.status, 200);
    let env = TestEnv::new();
    let file = env.write(
        "users.json",
        &json!([
            {"id": "src_1", "primary_email_address": TAKEN_EMAIL},
            {"id": "src_2", "primary_email_address": BAD_EMAIL},
            {"id": "src_3", "primary_email_address": "new@example.com"},
        ])
        .to_string(),
    );
    let vars = || vec![("CLERK_SECRET_KEY", LIVE_KEY.to_owned())];
    let mut args = import_args(&sandbox, "clerk", &file, &["--no-resume"]);
    args.retain(|a| a != "--json");

    let quiet = run(&env, args.clone(), vars()).await;
    assert_eq!(quiet.status.code(), Some(3));
    let quiet = text(&quiet);
    assert!(quiet.contains("1 failed + 1 invalid"), "{quiet}");
    assert!(
        quiet.contains("email_address: is not a valid email address  (row 2)"),
        "{quiet}"
    );
    for personal in [TAKEN_EMAIL, BAD_EMAIL, "new@example.com"] {
        assert!(!quiet.contains(personal), "{personal} leaked: {quiet}");
    }

    args.push("--verbose".into());
    let loud = text(&run(&env, args, vars()).await);
    assert!(
        loud.contains(&format!("refused: src_1 <{TAKEN_EMAIL}>: ")),
        "{loud}"
    );
    assert!(loud.contains(&format!("(got {BAD_EMAIL})")), "{loud}");
}

/// Values from an export are shown, with `-v`, as text: an ANSI escape, a NUL, a
/// carriage return or a bidi override reaches the terminal as a visible `\uXXXX`,
/// never raw; `--json` stays valid JSON holding the value as it was.
#[test]
fn values_from_an_export_never_drive_the_terminal() {
    let env = TestEnv::new();
    let hostile = "evil\u{1b}]0;pwned\u{7}\u{1b}[2J\u{0}\r\u{202e}moc.elpmaxe@x";
    env.write(
        "users.json",
        &json!([
            {"user_id": "u1\u{1b}[31m", "email": hostile, "email_verified": true},
        ])
        .to_string(),
    );
    let args = ["-y", "--dry-run", "-t", "auth0", "-f", "users.json", "-v"];
    let out = env.cmd().args(args).output().expect("runs");
    let shown = text(&out);
    assert!(shown.contains("\\u001b]0;pwned"), "{shown}");
    assert!(shown.contains("\\u202e"), "{shown}");
    for raw in ['\u{1b}', '\u{0}', '\r', '\u{7}', '\u{202e}'] {
        assert!(
            !shown.contains(raw),
            "{raw:?} reached the terminal: {shown:?}"
        );
    }
    let out = env.cmd().args(args).arg("--json").output().expect("runs");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    assert_eq!(
        report["invalid_records"][0]["problems"][0]["value"],
        hostile
    );
}

/// `runs show` and `runs --json` group a run's errors by reason without the offending
/// values; `-v` shows them, as everywhere else.
#[test]
fn runs_show_values_only_when_verbose() {
    let env = TestEnv::new();
    bad_email_export(&env);
    let out = env
        .cmd()
        .args([
            "-y",
            "--dry-run",
            "--json",
            "-t",
            "auth0",
            "-f",
            "users.json",
        ])
        .output()
        .expect("runs");
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let log = r["log_file"].as_str().expect("log").to_owned();
    let show = |extra: &[&str]| {
        let out = env
            .cmd()
            .args(["runs", "show", &log])
            .args(extra)
            .output()
            .expect("runs");
        text(&out)
    };
    let plain = show(&[]);
    assert!(
        plain.contains("email_address: is not a valid email address") && !plain.contains(BAD_EMAIL),
        "{plain}"
    );
    assert!(show(&["-v"]).contains(BAD_EMAIL));
    let listed = text(&env.cmd().args(["runs", "--json"]).output().expect("runs"));
    assert!(!listed.contains(BAD_EMAIL), "{listed}");
}
