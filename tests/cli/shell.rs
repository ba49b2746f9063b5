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
