//! Help texts list every option; snapshots catch accidental changes.

use super::util::TestEnv;

fn help(args: &[&str]) -> String {
    let out = TestEnv::new().cmd().args(args).output().expect("runs");
    assert!(out.status.success(), "{args:?} failed");
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
fn import_help_lists_every_option() {
    let text = help(&["--help"]);
    for flag in [
        "--transformer",
        "--file",
        "--resume-after",
        "--require-password",
        "--yes",
        "--clerk-secret-key",
        "--firebase-signer-key",
        "--firebase-salt-separator",
        "--firebase-rounds",
        "--firebase-mem-cost",
        "--api-url",
        "--sandbox",
        "--dry-run",
        "--json",
        "--log-dir",
        "CLERK_API_URL",
        "--format",
        "--unverified",
        "--auth0-passwords",
    ] {
        assert!(text.contains(flag), "--help lacks {flag}");
    }
    for t in [
        "clerk",
        "auth0",
        "authjs",
        "betterauth",
        "firebase",
        "supabase",
    ] {
        assert!(text.contains(t), "--help lacks transformer {t}");
    }
    insta::assert_snapshot!("import_help", text);
}

#[test]
fn subcommand_help() {
    let sandbox = help(&["sandbox", "--help"]);
    for flag in [
        "--port",
        "--secret-key",
        "--rate",
        "--window-secs",
        "--latency-ms",
        "--fail-rate",
        "--seed",
        "--user-cap",
    ] {
        assert!(sandbox.contains(flag), "sandbox --help lacks {flag}");
    }
    insta::assert_snapshot!("sandbox_help", sandbox);
    let delete = help(&["delete", "--help"]);
    for flag in [
        "--log",
        "--all-runs",
        "--file",
        "--transformer",
        "--dry-run",
        "--yes",
        "--json",
    ] {
        assert!(delete.contains(flag), "delete --help lacks {flag}");
    }
    insta::assert_snapshot!("delete_help", delete);
    let clean = help(&["clean-logs", "--help"]);
    for flag in ["--older-than", "--keep", "--dry-run", "--yes"] {
        assert!(clean.contains(flag), "clean-logs --help lacks {flag}");
    }
    insta::assert_snapshot!("clean_logs_help", clean);
    let convert = help(&["convert-logs", "--help"]);
    for flag in ["--all", "--stdout", "FILES"] {
        assert!(convert.contains(flag), "convert-logs --help lacks {flag}");
    }
    insta::assert_snapshot!("convert_logs_help", convert);
    let verify = help(&["verify", "--help"]);
    for flag in [
        "--log",
        "--all-runs",
        "--file",
        "--transformer",
        "--passwords",
        "--verbose",
        "--json",
    ] {
        assert!(verify.contains(flag), "verify --help lacks {flag}");
    }
    insta::assert_snapshot!("verify_help", verify);
    let export = help(&["export", "--help"]);
    for flag in [
        "--db-url",
        "DATABASE_URL",
        "--output",
        "--format",
        "--schema",
        "--user-table",
        "--account-table",
        "--betterauth-secret",
        "--json",
        "--api-url",
        "supabase",
        "betterauth",
        "authjs",
        "clerk",
    ] {
        assert!(export.contains(flag), "export --help lacks {flag}");
    }
    insta::assert_snapshot!("export_help", export);
}

#[test]
fn unknown_transformer_is_a_usage_error() {
    TestEnv::new()
        .cmd()
        .args(["-y", "-t", "okta", "-f", "x.json"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("okta"));
}
