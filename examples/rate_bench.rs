//! Achieved request rate against the limit, at several latencies.
//!
//! `cargo run --release --example rate_bench -- [USERS] [RATE]` (defaults 2000 users, 100/s).
//! Starts the sandbox in-process with a strict RATE×10 per 10 s window and the given
//! latency, imports USERS with the release binary at RATE_LIMIT=RATE, and prints the rate
//! the sandbox saw (creates over the time from the first to the last) divided by RATE.

use std::net::SocketAddr;
use std::process::Command;
use std::time::Duration;

use migrate::sandbox::{self, SandboxConfig};

const KEY: &str = "sk_live_RateBenchmarkKey000000000000";

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let users: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(2000);
    let rate: u32 = args.next().and_then(|s| s.parse().ok()).unwrap_or(100);
    let dir = std::env::temp_dir().join(format!("migrate-rate-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("users.ndjson");
    let lines: Vec<String> = (0..users)
        .map(|i| {
            format!(
                r#"{{"user_id":"bench|{i}","email":"bench{i}@example.com","email_verified":true}}"#
            )
        })
        .collect();
    std::fs::write(&file, lines.join("\n") + "\n").expect("write users");
    let binary = std::env::current_exe()
        .ok()
        .and_then(|p| Some(p.parent()?.parent()?.join("migrate")))
        .expect("binary path");
    println!(
        "{users} users, limit {rate} requests/s (strict window of {} per 10 s)",
        rate * 10
    );
    println!(
        "{:>10} {:>10} {:>12} {:>8} {:>6}",
        "latency", "requests", "achieved/s", "ratio", "429s"
    );
    for latency in [20u64, 100, 300] {
        let config = SandboxConfig {
            secret_key: KEY.into(),
            rate: Some(rate * 10),
            window: Duration::from_secs(10),
            latency: Duration::from_millis(latency),
            ..SandboxConfig::default()
        };
        let handle = sandbox::spawn(config, SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .expect("sandbox");
        let mut cmd = Command::new(&binary);
        cmd.args([
            "-y",
            "--json",
            "-t",
            "auth0",
            "--api-url",
            &handle.base_url(),
            "-f",
        ])
        .arg(&file)
        .arg("--log-dir")
        .arg(dir.join("logs"))
        .env("CLERK_SECRET_KEY", KEY)
        .env("RATE_LIMIT", rate.to_string());
        let out = tokio::task::spawn_blocking(move || cmd.output().expect("runs"))
            .await
            .expect("joins");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stats = handle.stats();
        // Creates only: the instance check before them is one request, not a rate.
        let achieved = stats.creates.saturating_sub(1) as f64 / stats.creates_busy.as_secs_f64();
        println!(
            "{:>8}ms {:>10} {:>12.2} {:>8.3} {:>6}   ({} creates in {:.2}s)",
            latency,
            stats.requests,
            achieved,
            achieved / f64::from(rate),
            stats.rate_limited,
            stats.creates,
            stats.creates_busy.as_secs_f64()
        );
        handle.stop().await;
    }
    let _ = std::fs::remove_dir_all(&dir);
}
