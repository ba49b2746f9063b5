//! Every command the tool prints as a next step (`Next:` lines, `hint:` lines, commands in
//! backquotes, "did you mean -t X?", "run the same command again") is run as printed, in
//! the same directory and environment, and must work: no usage error, and the outcome the
//! hint promises.

use std::path::Path;
use std::process::Output;

use migrate::sandbox::{SandboxConfig, SandboxHandle};

use super::util::{LIVE_KEY, TestEnv, run, start_sandbox};

async fn sandbox() -> SandboxHandle {
    start_sandbox(SandboxConfig {
        secret_key: LIVE_KEY.into(),
        ..SandboxConfig::default()
    })
    .await
}

/// The environment a user's shell would hold for these commands.
fn vars(sandbox: &SandboxHandle) -> Vec<(&'static str, String)> {
    vec![
        ("CLERK_SECRET_KEY", LIVE_KEY.to_owned()),
        ("CLERK_API_URL", sandbox.base_url()),
        ("RATE_LIMIT", "1000".to_owned()),
    ]
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The commands in `printed`, each as the words a shell would pass, without `migrate`.
pub(super) fn printed_commands(printed: &str) -> Vec<Vec<String>> {
    let mut commands = Vec::new();
    let mut after_resume = false;
    for line in printed.lines() {
        let line = line.trim();
        if after_resume {
            after_resume = false;
            let words = shlex::split(line).expect("the resume command splits");
            commands.push(words.into_iter().skip(1).collect());
            continue;
        }
        after_resume = line.ends_with("run the same command again:");
        if let Some(rest) = line.strip_prefix("Next: ") {
            commands.push(words_of(rest));
        }
        for (i, quoted) in line.split('`').enumerate() {
            if i % 2 == 1 && quoted.starts_with("migrate") {
                commands.push(words_of(quoted));
            }
        }
    }
    commands
}

fn words_of(command: &str) -> Vec<String> {
    let words = shlex::split(command).unwrap_or_else(|| panic!("{command:?} splits"));
    assert_eq!(
        words.first().map(String::as_str),
        Some("migrate"),
        "{command}"
    );
    words.into_iter().skip(1).collect()
}

/// Runs every printed command and returns their outputs; at least one must be printed.
async fn run_printed(
    env: &TestEnv,
    out: &Output,
    vars: &[(&'static str, String)],
) -> Vec<(Vec<String>, Output)> {
    let commands = printed_commands(&text(out));
    assert!(!commands.is_empty(), "no command printed: {}", text(out));
    let mut outputs = Vec::new();
    for args in commands {
        let ran = run(env, args.clone(), vars.to_vec()).await;
        outputs.push((args, ran));
    }
    outputs
}

fn assert_code(args: &[String], out: &Output, codes: &[i32]) {
    assert!(
        out.status.code().is_some_and(|c| codes.contains(&c)),
        "`migrate {}` exited {:?}: {}",
        args.join(" "),
        out.status.code(),
        text(out)
    );
}

#[test]
fn printed_commands_are_found_and_split() {
    let printed = "error: x\nhint: see `migrate runs --log-dir 'my logs'` and `ls`\n\
                   Next: migrate -t supabase -f 'a b.json'\n\
                   Interrupted. To resume, run the same command again:\n  /bin/migrate -y -f x\n";
    assert_eq!(
        printed_commands(printed),
        vec![
            vec!["runs", "--log-dir", "my logs"],
            vec!["-t", "supabase", "-f", "a b.json"],
            vec!["-y", "-f", "x"],
        ]
    );
}

/// An export's `Next:` line (and its `--dry-run` line) run as printed, with a space in
/// the file's name: the import it names creates every user the export wrote.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_exports_next_step_imports_what_it_wrote() {
    let sandbox = sandbox().await;
    let env = TestEnv::new();
    let db = super::export::sqlite_database(&env, &super::export::betterauth_fixture("sqlite.sql"))
        .await;
    let args: Vec<String> = [
        "export",
        "betterauth",
        "--db-url",
        &format!("sqlite://{db}"),
        "-o",
        "my users.json",
    ]
    .map(str::to_owned)
    .to_vec();
    let out = run(&env, args, vec![]).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("Next: migrate -t betterauth -f 'my users.json'"));
    let ran = run_printed(&env, &out, &vars(&sandbox)).await;
    for (args, out) in &ran {
        assert_code(args, out, &[0]);
    }
    let exported: Vec<serde_json::Value> =
        serde_json::from_slice(&std::fs::read(env.path().join("my users.json")).expect("file"))
            .expect("json");
    assert_eq!(sandbox.user_count(), exported.len());
}

/// "did you mean -t X?": the same command with each suggested -t reads the file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_suggested_transformer_fits_the_file() {
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    let bare = TestEnv::new();
    let bare_file = bare.write(
        "bare.ndjson",
        "{\"user_id\": \"a\", \"email\": \"a@example.com\"}\n",
    );
    for (sample, wrong) in [
        (samples.join("supabase.json"), "auth0"),
        (samples.join("auth0.json"), "clerk"),
        (bare_file, "supabase"),
    ] {
        let env = TestEnv::new();
        let args = |t: &str| -> Vec<String> {
            ["--dry-run", "--json", "-t", t, "-f"]
                .map(str::to_owned)
                .into_iter()
                .chain([sample.display().to_string()])
                .collect()
        };
        let out = run(&env, args(wrong), vec![]).await;
        assert_eq!(out.status.code(), Some(2), "{}", text(&out));
        let printed = text(&out);
        let suggested = printed
            .split("did you mean ")
            .nth(1)
            .and_then(|s| s.split('?').next())
            .unwrap_or_else(|| panic!("no suggestion: {printed}"));
        for choice in suggested.split(" or ") {
            let t = choice.strip_prefix("-t ").expect("a -t suggestion");
            // The samples hold a record or two the checks refuse on purpose: 3, not 2.
            let out = run(&env, args(t), vec![]).await;
            assert_code(&args(t), &out, &[0, 3]);
            let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
            assert!(report["ready"].as_u64() > Some(0), "{report}");
        }
    }
}

/// No log of this instance in a --log-dir: the `migrate runs` the hint names reads that
/// directory, and lists the run that is there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_no_logs_hint_lists_the_directory_it_means() {
    let (ours, theirs) = (sandbox().await, sandbox().await);
    let env = TestEnv::new();
    let file = super::util::users_file(&env, 2);
    let mut import: Vec<String> = ["-y", "-t", "clerk", "--log-dir", "old runs", "-f"]
        .map(str::to_owned)
        .to_vec();
    import.push(file.display().to_string());
    let out = run(&env, import, vars(&theirs)).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let delete: Vec<String> = ["delete", "-y", "--log-dir", "old runs"]
        .map(str::to_owned)
        .to_vec();
    let out = run(&env, delete, vars(&ours)).await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let ran = run_printed(&env, &out, &vars(&ours)).await;
    for (args, out) in &ran {
        assert_code(args, out, &[0]);
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("import"),
            "{}",
            text(out)
        );
    }
}

/// A missing file: `migrate --help` as the hint says, and it shows examples.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_usage_hint_shows_help_with_examples() {
    let env = TestEnv::new();
    let out = run(
        &env,
        vec!["-y".to_owned(), "-t".to_owned(), "auth0".to_owned()],
        vec![],
    )
    .await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    for (args, out) in run_printed(&env, &out, &[]).await {
        assert_code(&args, &out, &[0]);
        assert!(String::from_utf8_lossy(&out.stdout).contains("Examples:"));
    }
}
