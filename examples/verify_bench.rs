//! `migrate verify` against its call floor.
//!
//! `cargo run --release --example verify_bench -- [USERS] [RATE] [PASSWORDS]` (defaults
//! 10,000 users, 100 requests/s, 50 known passwords). Imports USERS into an in-process
//! sandbox quickly, then runs `migrate verify --passwords` at RATE_LIMIT=RATE against a
//! strict window of RATE×10 per 10 s, and prints the calls made against the floor
//! (one list call per 100 users, one per password, one to identify the instance) and
//! the time taken against calls / RATE.

use std::net::SocketAddr;
use std::process::Command;
use std::time::{Duration, Instant};

use migrate::sandbox::{self, SandboxConfig};

const KEY: &str = "sk_live_VerifyBenchmarkKey00000000000";

fn migrate(binary: &std::path::Path, url: &str, rate: u32, args: &[&str]) -> std::process::Output {
    let out = Command::new(binary)
        .args(args)
        .args(["--api-url", url])
        .env("CLERK_SECRET_KEY", KEY)
        .env("RATE_LIMIT", rate.to_string())
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let users: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let rate: u32 = args.next().and_then(|s| s.parse().ok()).unwrap_or(100);
    let known: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(50);
    let dir = std::env::temp_dir().join(format!("migrate-verify-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let digest = bcrypt::hash("bench-password", 4).expect("bcrypt");
    let file = dir.join("users.json");
    let records: Vec<serde_json::Value> = (0..users)
        .map(|i| {
            serde_json::json!({
                "id": format!("bench_{i}"),
                "primary_email_address": format!("bench{i}@example.com"),
                "first_name": format!("First{i}"),
                "password_digest": digest,
                "password_hasher": "bcrypt",
                "public_metadata": {"n": i},
            })
        })
        .collect();
    std::fs::write(&file, serde_json::to_vec(&records).expect("json")).expect("write users");
    let passwords = dir.join("passwords.csv");
    let rows: String = (0..known)
        .map(|i| format!("bench_{},bench-password\n", i * users.max(1) / known.max(1)))
        .collect();
    std::fs::write(&passwords, format!("user_id,password\n{rows}")).expect("write passwords");
    let binary = std::env::current_exe()
        .ok()
        .and_then(|p| Some(p.parent()?.parent()?.join("migrate")))
        .expect("binary path");

    let config = SandboxConfig {
        secret_key: KEY.into(),
        rate: Some(rate * 10),
        window: Duration::from_secs(10),
        ..SandboxConfig::default()
    };
    let handle = sandbox::spawn(config, SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .expect("sandbox");
    let url = handle.base_url();
    let (file_s, logs_s, pw_s) = (
        file.display().to_string(),
        dir.join("logs").display().to_string(),
        passwords.display().to_string(),
    );
    // The import is set up, not measured: at the sandbox's own limit.
    let import_rate = rate;
    let (b, u, f, l) = (binary.clone(), url.clone(), file_s.clone(), logs_s.clone());
    tokio::task::spawn_blocking(move || {
        migrate(
            &b,
            &u,
            import_rate,
            &["-y", "--json", "-t", "clerk", "-f", &f, "--log-dir", &l],
        )
    })
    .await
    .expect("import");
    // Let the sandbox's window empty so the verify starts from rest.
    tokio::time::sleep(Duration::from_secs(11)).await;
    let before = handle.stats();
    let started = Instant::now();
    let out = tokio::task::spawn_blocking(move || {
        migrate(
            &binary,
            &url,
            rate,
            &[
                "verify",
                "--json",
                "--log-dir",
                &logs_s,
                "--passwords",
                &pw_s,
            ],
        )
    })
    .await
    .expect("verify");
    let elapsed = started.elapsed().as_secs_f64();
    let after = handle.stats();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json report");
    let calls = after.requests - before.requests;
    let floor_calls = users.div_ceil(100) as u64 + known as u64 + 1;
    let floor_secs = floor_calls as f64 / f64::from(rate);
    println!("users {users}, known passwords {known}, limit {rate} requests/s");
    println!(
        "report: checked {} matching {} drifted {} password_ok {}",
        report["checked"], report["matching"], report["drifted"], report["password_ok"]
    );
    println!(
        "calls: {calls} (floor {floor_calls}: {} list + {known} passwords + 1 instance), 429s {}",
        users.div_ceil(100),
        after.rate_limited - before.rate_limited
    );
    println!(
        "time: {elapsed:.2} s against {floor_secs:.2} s at the limit: {:.3}×",
        elapsed / floor_secs
    );
    handle.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}
