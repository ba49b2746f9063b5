//! Running an import against a sandbox and reading what it wrote: the production key
//! the tests use, a users file, the command line, the JSON report and the log's final
//! lines.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use migrate::sandbox::{SandboxConfig, SandboxHandle};
use serde_json::{Value, json};

use super::{TestEnv, start_sandbox};

pub const LIVE_KEY: &str = "sk_live_IntegrationTestKeyDoNotLeak0123";

/// A Clerk JSON export of `n` distinct users.
pub fn users_file(env: &TestEnv, n: usize) -> PathBuf {
    let users: Vec<Value> = (0..n)
        .map(|i| {
            json!({
                "id": format!("src_{i:05}"),
                "first_name": format!("First{i}"),
                "primary_email_address": format!("user{i}@example.com"),
                "username": format!("user{i}"),
            })
        })
        .collect();
    env.write("users.json", &serde_json::to_string(&users).expect("json"))
}

pub async fn run(env: &TestEnv, args: Vec<String>, vars: Vec<(&'static str, String)>) -> Output {
    let mut cmd = env.cmd();
    cmd.args(args);
    for (k, v) in vars {
        cmd.env(k, v);
    }
    tokio::task::spawn_blocking(move || cmd.output().expect("runs"))
        .await
        .expect("joins")
}

pub fn import_args(
    sandbox: &SandboxHandle,
    transformer: &str,
    file: &Path,
    extra: &[&str],
) -> Vec<String> {
    let mut args: Vec<String> = ["-y", "--json", "-t", transformer, "--api-url"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    args.push(sandbox.base_url());
    args.push("-f".into());
    args.push(file.display().to_string());
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    args
}

/// `words`, then `--json --api-url` the sandbox: a command against it, as scripts run it.
pub fn against(sandbox: &SandboxHandle, words: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = words.iter().map(|w| (*w).to_owned()).collect();
    args.extend([
        "--json".to_owned(),
        "--api-url".to_owned(),
        sandbox.base_url(),
    ]);
    args
}

pub fn report(out: &Output) -> Value {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("no JSON summary ({e}); stderr: {stderr}"))
}

/// Final ledger lines by user.
pub fn finals(env: &TestEnv, log: &str) -> HashMap<String, Value> {
    let text = std::fs::read_to_string(env.path().join(log)).expect("log");
    let mut out = HashMap::new();
    for line in text.lines() {
        let Ok(v) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        let status = v["status"].as_str().unwrap_or("");
        if ["success", "already_exists", "error", "fail", "skipped"].contains(&status)
            && v.get("type").is_none()
        {
            let id = v["userId"].as_str().expect("userId").to_owned();
            assert!(
                out.insert(id.clone(), v).is_none(),
                "two final lines for {id}"
            );
        }
    }
    out
}

/// A production-keyed sandbox with a strict limit of `rate` per `window_secs`.
pub async fn live_sandbox(rate: u32, window_secs: u64) -> SandboxHandle {
    start_sandbox(SandboxConfig {
        secret_key: LIVE_KEY.into(),
        rate: Some(rate),
        window: Duration::from_secs(window_secs),
        ..SandboxConfig::default()
    })
    .await
}
