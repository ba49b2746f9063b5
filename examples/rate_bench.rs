//! Achieved request rate against the limit, at several latencies.
//!
//! `cargo run --release --example rate_bench -- [USERS] [RATE]` (defaults 2000 users, 100/s).
//! Starts the sandbox in-process with a strict RATE×10 per 10 s window and the given
//! latency, imports USERS with the release binary at RATE_LIMIT=RATE, and prints the rate
//! the sandbox saw divided by RATE: over the whole run (admitted requests from the first
//! to the last, setup calls included) and over the creates alone.

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
        "{:>10} {:>10} {:>12} {:>8} {:>14} {:>6}",
        "latency", "requests", "achieved/s", "ratio", "creates ratio", "429s"
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
        // The whole run, from the first admitted call (setup included) to the last: what
        // a migrating team waits for. And the creates alone: the pace the pool holds.
        let admitted = stats.requests - stats.rate_limited;
        let whole = admitted.saturating_sub(1) as f64 / stats.busy.as_secs_f64();
        let creates = stats.creates.saturating_sub(1) as f64 / stats.creates_busy.as_secs_f64();
        println!(
            "{:>8}ms {:>10} {:>12.2} {:>8.3} {:>14.3} {:>6}",
            latency,
            stats.requests,
            whole,
            whole / f64::from(rate),
            creates / f64::from(rate),
            stats.rate_limited,
        );
        handle.stop().await;
    }
    let _ = std::fs::remove_dir_all(&dir);
}
