//! `migrate completions` and `migrate man`, generated from the command definitions.

use super::util::TestEnv;

fn stdout(args: &[&str]) -> String {
    let out = TestEnv::new().cmd().args(args).output().expect("runs");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
fn completions_cover_every_shell_and_subcommand() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let text = stdout(&["completions", shell]);
        for word in [
            "migrate",
            "export",
            "verify",
            "delete",
            "transformer",
            "auth0-passwords",
        ] {
            assert!(text.contains(word), "{shell} completions lack {word}");
        }
    }
    // The bash script loads and registers itself.
    let env = TestEnv::new();
    let script = env.write("migrate.bash", &stdout(&["completions", "bash"]));
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "source {} && complete -p migrate",
            script.display()
        ))
        .output()
        .expect("bash runs");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("migrate"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    TestEnv::new()
        .cmd()
        .args(["completions", "tcsh"])
        .assert()
        .code(2);
}

#[test]
fn the_man_page_is_roff_and_names_the_commands() {
    let page = stdout(&["man"]);
    assert!(
        page.starts_with(".ie") || page.contains(".TH migrate"),
        "{}",
        &page[..200.min(page.len())]
    );
    for word in [
        "migrate",
        "verify",
        "export",
        "delete",
        "sandbox",
        "\\-\\-transformer",
    ] {
        assert!(page.contains(word), "man page lacks {word}");
    }
}

/// `migrate man --dir DIR` writes the main page and one per command (the pages the main
/// one refers to), readable by all, with every option, the exit codes and the environment.
#[test]
fn man_writes_a_page_per_command() {
    let env = super::util::TestEnv::new();
    let dir = env.path().join("man");
    env.cmd()
        .args(["man", "--dir"])
        .arg(&dir)
        .assert()
        .success();
    let read = |name: &str| {
        std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    };
    let main = read("migrate.1");
    for word in ["Exit codes", "MAX_RETRIES", "migrate\\-delete(1)"] {
        assert!(main.contains(word), "migrate.1 lacks {word}");
    }
    assert!(read("migrate-export.1").contains("\\-\\-db\\-url"));
    assert!(read("migrate-clean-logs.1").contains("\\-\\-older\\-than"));
    for sub in [
        "delete",
        "verify",
        "runs",
        "convert-logs",
        "sandbox",
        "completions",
        "man",
    ] {
        assert!(dir.join(format!("migrate-{sub}.1")).is_file(), "{sub}");
    }
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(dir.join("migrate.1"))
        .expect("meta")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o644);
}
