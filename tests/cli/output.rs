//! `--quiet` and `NO_COLOR`: how much the terminal gets; errors said once.

use std::path::Path;
use std::time::Duration;

use expectrl::{Expect, Session};

use super::util::TestEnv;

fn sample(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("samples")
        .join(name)
}

#[test]
fn quiet_leaves_errors_and_one_final_line() {
    let env = TestEnv::new();
    let out = env
        .cmd()
        .args(["--sandbox", "-y", "-q", "-t", "auth0", "-f"])
        .arg(sample("auth0.ndjson"))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("3 users: 3 created"), "{stderr}");
    let out = env
        .cmd()
        .args(["--dry-run", "-y", "--quiet", "-t", "betterauth", "-f"])
        .arg(sample("betterauth.json"))
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("dry run: 3 users, 2 ready, 1 invalid"),
        "{stderr}"
    );
    env.cmd()
        .args(["-y", "-q", "--dry-run", "-t", "clerk", "-f", "missing.json"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("error: file not found"));
}

/// The help text as a terminal shows it, with or without NO_COLOR.
fn help_at_a_terminal(no_color: bool) -> String {
    let env = TestEnv::new();
    let mut cmd = env.std_cmd();
    cmd.arg("--help")
        .env("TERM", "xterm-256color")
        .env_remove("NO_COLOR");
    if no_color {
        cmd.env("NO_COLOR", "1");
    }
    let mut session = Session::spawn(cmd).expect("spawns in a pty");
    session.set_expect_timeout(Some(Duration::from_secs(30)));
    let text = session.expect(expectrl::Eof).expect("runs to the end");
    let all: Vec<u8> = text
        .before()
        .iter()
        .chain(text.matches().flatten())
        .copied()
        .collect();
    String::from_utf8_lossy(&all).into_owned()
}

#[test]
fn no_color_is_honoured() {
    let coloured = help_at_a_terminal(false);
    assert!(coloured.contains("\u{1b}["), "a terminal gets styled help");
    let plain = help_at_a_terminal(true);
    assert!(plain.contains("Usage"), "{plain}");
    assert!(
        !plain.contains("\u{1b}["),
        "NO_COLOR: no escape codes: {plain:?}"
    );
}

/// An error prints its reason once: a cause line never repeats what the error line (or an
/// earlier cause) already says.
#[test]
fn errors_say_their_cause_once() {
    let env = TestEnv::new();
    std::fs::create_dir(env.path().join("a dir.json")).expect("dir");
    let unreadable = env.path().join("unreadable.json");
    std::os::unix::fs::symlink("/proc/self/mem", &unreadable).expect("link");
    type Case<'a> = (Vec<&'a str>, Vec<(&'a str, &'a str)>);
    let cases: Vec<Case> = vec![
        (
            vec!["-y", "-t", "auth0", "-f", "users.json"],
            vec![("CLERK_SECRET_KEY", "pk_live_wrong")],
        ),
        (
            vec!["--dry-run", "-t", "auth0", "-f", "missing.json"],
            vec![],
        ),
        (vec!["--dry-run", "-t", "auth0", "-f", "a dir.json"], vec![]),
        (
            vec!["--dry-run", "-t", "auth0", "-f", "unreadable.json"],
            vec![],
        ),
        (
            vec![
                "export",
                "supabase",
                "-o",
                "o.json",
                "--db-url",
                "postgres://u@127.0.0.1:9/x",
            ],
            vec![],
        ),
        (
            vec![
                "-y",
                "-t",
                "auth0",
                "-f",
                "users.json",
                "--api-url",
                "http://127.0.0.1:9",
            ],
            vec![("CLERK_SECRET_KEY", "sk_live_abc")],
        ),
        (vec!["runs", "show", "nothing.log"], vec![]),
    ];
    env.write(
        "users.json",
        r#"[{"user_id": "a", "email": "a@example.com"}]"#,
    );
    for (args, vars) in cases {
        let mut cmd = env.cmd();
        cmd.args(&args).envs(vars);
        let out = cmd.output().expect("runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?}: {stderr}");
        let mut said = String::new();
        for line in stderr.lines() {
            if let Some(cause) = line.trim().strip_prefix("caused by: ") {
                assert!(
                    !said.contains(cause),
                    "{args:?} repeats its cause {cause:?}:\n{stderr}"
                );
            }
            said.push_str(line);
        }
        assert!(stderr.contains("error: "), "{args:?}: {stderr}");
    }
}
