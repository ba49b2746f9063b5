//! `migrate orgs` at the rate limit: calls made, achieved rate and peak memory.
//!
//! `cargo run --release --example orgs_bench -- [ORGS] [MEMBERS] [RATE] [LATENCY_MS]`
//! (defaults 10,000 organizations of 10 members, 1,000 requests/s, 20 ms). Starts the
//! sandbox in-process with a strict RATE×10 per 10 s window, imports the users with the
//! release binary, then sends the organizations at RATE_LIMIT=RATE under `/usr/bin/time`
//! and prints the calls against one per organization and one per membership, the rate the
//! sandbox admitted over the orgs run divided by RATE, and the run's peak RSS.

use std::net::SocketAddr;
use std::process::Command;
use std::time::Duration;

use migrate::sandbox::{self, SandboxConfig};

const KEY: &str = "sk_live_OrgsBenchmarkKey0000000000000";

fn arg<T: std::str::FromStr>(n: usize, default: T) -> T {
    std::env::args()
        .nth(n)
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

#[tokio::main]
async fn main() {
    let (orgs, members, rate, latency): (usize, usize, u32, u64) =
        (arg(1, 10_000), arg(2, 10), arg(3, 1000), arg(4, 20));
    let users = (members * 100).max(members);
    let dir = std::env::temp_dir().join(format!("migrate-orgs-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let user_lines: Vec<String> = (0..users)
        .map(|i| {
            format!(r#"{{"user_id":"u{i}","email":"u{i}@example.com","email_verified":true}}"#)
        })
        .collect();
    std::fs::write(dir.join("users.ndjson"), user_lines.join("\n") + "\n").expect("users");
    let org_lines: Vec<String> = (0..orgs)
        .map(|o| {
            let m: Vec<String> = (0..members)
                .map(|k| {
                    let role = if k == 0 { "owner" } else { "member" };
                    format!(
                        r#"{{"user_id":"u{}","role":"{role}"}}"#,
                        (o + k * 97) % users
                    )
                })
                .collect();
            format!(
                r#"{{"id":"o{o}","name":"Org {o}","members":[{}]}}"#,
                m.join(",")
            )
        })
        .collect();
    std::fs::write(dir.join("orgs.ndjson"), org_lines.join("\n") + "\n").expect("orgs");
    let binary = std::env::current_exe()
        .ok()
        .and_then(|p| Some(p.parent()?.parent()?.join("migrate")))
        .expect("binary path");
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
    let run = |args: Vec<String>, timed: bool| {
        let mut cmd = if timed {
            let mut c = Command::new("/usr/bin/time");
            c.args(["-f", "%M", "-o"]).arg(dir.join("rss")).arg(&binary);
            c
        } else {
            Command::new(&binary)
        };
        cmd.args(args)
            .arg("--api-url")
            .arg(handle.base_url())
            .arg("--log-dir")
            .arg(dir.join("logs"))
            .current_dir(&dir)
            .env("CLERK_SECRET_KEY", KEY)
            .env("RATE_LIMIT", rate.to_string());
        cmd
    };
    let words = |s: &[&str]| s.iter().map(|w| (*w).to_owned()).collect::<Vec<_>>();
    let mut import = run(
        words(&["-y", "--json", "-t", "auth0", "-f", "users.ndjson"]),
        false,
    );
    let out = tokio::task::spawn_blocking(move || import.output().expect("import runs"))
        .await
        .expect("joins");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    handle.reset_stats();
    let mut send = run(words(&["orgs", "-y", "--json", "-f", "orgs.ndjson"]), true);
    let out = tokio::task::spawn_blocking(move || send.output().expect("orgs runs"))
        .await
        .expect("joins");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("report");
    let stats = handle.stats();
    let admitted = stats.requests - stats.rate_limited;
    let achieved = admitted.saturating_sub(1) as f64 / stats.busy.as_secs_f64();
    let rss_kib: f64 = std::fs::read_to_string(dir.join("rss"))
        .ok()
        .and_then(|t| t.lines().last()?.trim().parse().ok())
        .unwrap_or(f64::NAN);
    // The owner comes with the create: one call per organization and one per other member.
    let expected = orgs + orgs * (members - 1);
    println!(
        "{orgs} organizations × {members} members ({} memberships), {users} users, limit {rate}/s, latency {latency} ms",
        orgs * members
    );
    println!(
        "engine calls:  {} (one per organization and per member besides the creator: {expected})",
        report["api_calls"]
    );
    println!(
        "sandbox saw:   {} requests, {} answered 429, over {:.1} s",
        stats.requests,
        stats.rate_limited,
        stats.busy.as_secs_f64()
    );
    println!(
        "achieved:      {achieved:.1}/s = {:.3} of the limit (setup calls included)",
        achieved / f64::from(rate)
    );
    println!("peak RSS:      {:.1} MiB", rss_kib / 1024.0);
    println!(
        "created:       {} organizations, {} memberships",
        report["organizations"]["created"], report["memberships"]["created"]
    );
    handle.stop().await;
    if std::env::var_os("KEEP").is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    } else {
        println!("kept:          {}", dir.display());
    }
}
