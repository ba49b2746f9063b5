//! Crash safety: kill -9 at seeded random points during an import and a delete, then
//! run again. The union of the runs must touch each user exactly once, and no log line
//! may be torn except a kill's last one. And SIGTERM: a clean stop with exit 143.

use std::collections::HashMap;
use std::process::Stdio;
use std::time::Duration;

use migrate::sandbox::{SandboxConfig, SandboxHandle};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

use super::sandbox_api::Api;
use super::util::{LIVE_KEY, import_args, report, run, users_file};
use super::util::{TestEnv, start_sandbox};

/// One campaign: users, rate (requests/s) and how many seeds, each with its own kills.
#[derive(Clone)]
struct Campaign {
    users: usize,
    rate: u32,
    seeds: std::ops::Range<u64>,
    kills: usize,
}

const CI: Campaign = Campaign {
    users: 240,
    rate: 200,
    seeds: 1..4,
    kills: 3,
};

const SOAK: Campaign = Campaign {
    users: 2000,
    rate: 500,
    seeds: 1..6,
    kills: 4,
};

fn vars(rate: u32) -> Vec<(&'static str, String)> {
    vec![
        ("CLERK_SECRET_KEY", LIVE_KEY.to_owned()),
        ("RATE_LIMIT", rate.to_string()),
    ]
}

/// Starts the binary with `args` and returns it once `progress()` reaches `at`; `None`
/// when it ended before.
async fn run_until(
    env: &TestEnv,
    args: &[String],
    rate: u32,
    at: u64,
    progress: impl Fn() -> u64,
    output: fn() -> Stdio,
) -> Option<std::process::Child> {
    let mut cmd = env.std_cmd();
    cmd.args(args)
        .envs(vars(rate))
        .stdout(output())
        .stderr(output());
    let mut child = cmd.spawn().expect("spawns");
    while progress() < at {
        if child.try_wait().expect("polls").is_some() {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    Some(child)
}

/// Runs the binary with `args` and SIGKILLs it once `progress()` reaches `at` (plus a
/// seeded few milliseconds, so kills also land between a call and its log line).
/// Returns whether the process was still running when killed.
async fn kill_at(
    env: &TestEnv,
    args: &[String],
    rate: u32,
    at: u64,
    jitter: Duration,
    progress: impl Fn() -> u64,
) -> bool {
    let Some(mut child) = run_until(env, args, rate, at, progress, Stdio::null).await else {
        return false;
    };
    tokio::time::sleep(jitter).await;
    let running = child.try_wait().expect("polls").is_none();
    child.kill().expect("SIGKILL");
    let _ = child.wait();
    running
}

/// Where the kills land: increasing points of progress spread over the run, each with a
/// few milliseconds of jitter. The last tenth is left out so that the run is surely
/// still going when its kill comes.
fn kill_points(rng: &mut StdRng, campaign: &Campaign) -> Vec<(u64, Duration)> {
    let last = campaign.users as u64 * 9 / 10;
    let mut at: Vec<u64> = (0..campaign.kills)
        .map(|_| rng.random_range(1..last))
        .collect();
    at.sort_unstable();
    at.into_iter()
        .map(|n| (n, Duration::from_millis(rng.random_range(0..15))))
        .collect()
}

async fn sandbox() -> SandboxHandle {
    start_sandbox(SandboxConfig {
        secret_key: LIVE_KEY.into(),
        rate: Some(100_000),
        latency: Duration::from_millis(25),
        ..SandboxConfig::default()
    })
    .await
}

/// Every log line parses, but a kill's last one; returns the parsed lines per file name.
fn logs(env: &TestEnv) -> Vec<(String, Vec<Value>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(env.path().join("logs")).expect("logs") {
        let path = entry.expect("entry").path();
        // The run logs, not the lock file beside them.
        if path.extension().is_none_or(|x| x != "log") {
            continue;
        }
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        let text = std::fs::read_to_string(&path).expect("log");
        let lines: Vec<&str> = text.lines().collect();
        let mut parsed = Vec::new();
        for (i, line) in lines.iter().enumerate() {
            match serde_json::from_str::<Value>(line) {
                Ok(v) => parsed.push(v),
                Err(_) => assert!(i + 1 == lines.len(), "torn line {i} mid-log in {name:?}"),
            }
        }
        out.push((name.unwrap_or_default(), parsed));
    }
    out
}

/// How many lines with `status` each user has, over every log whose name starts with `prefix`.
fn count_status(env: &TestEnv, prefix: &str, status: &str) -> HashMap<String, (usize, Value)> {
    let mut counts: HashMap<String, (usize, Value)> = HashMap::new();
    for (name, lines) in logs(env) {
        if !name.starts_with(prefix) {
            continue;
        }
        for v in lines {
            if v["status"] == status && v.get("type").is_none() {
                let id = v["userId"].as_str().unwrap_or_default().to_owned();
                let e = counts.entry(id).or_insert((0, v.clone()));
                e.0 += 1;
            }
        }
    }
    counts
}

async fn import_campaign(campaign: &Campaign) {
    for seed in campaign.seeds.clone() {
        let mut rng = StdRng::seed_from_u64(seed);
        let sandbox = sandbox().await;
        let env = TestEnv::new();
        let file = users_file(&env, campaign.users);
        let args = import_args(&sandbox, "clerk", &file, &[]);
        let mut after_kills = Vec::new();
        for (at, jitter) in kill_points(&mut rng, campaign) {
            let created = || sandbox.stats().users_created;
            let killed = kill_at(&env, &args, campaign.rate, at, jitter, created).await;
            after_kills.push(sandbox.user_count());
            assert!(killed, "seed {seed}: the run ended before {at} users");
        }
        let out = run(&env, args, vars(campaign.rate)).await;
        let r = report(&out);
        let seeded = format!("seed {seed}, users after each kill {after_kills:?}");
        assert_eq!(out.status.code(), Some(0), "{seeded}: {r}");
        let instance = sandbox.external_ids();
        assert_eq!(instance.len(), campaign.users, "{seeded}: users missing");
        assert_eq!(
            sandbox.stats().users_created,
            campaign.users as u64,
            "{seeded}: a user was created twice"
        );
        assert_eq!(
            r["created"].as_u64().unwrap_or(0) + r["skipped"].as_u64().unwrap_or(0),
            campaign.users as u64,
            "{seeded}: the last run must account for everyone: {r}"
        );
        // Over all runs' ledgers: one success line per user, naming the user Clerk holds.
        let successes = count_status(&env, "migration-", "success");
        assert_eq!(successes.len(), campaign.users, "{seeded}");
        for (id, (n, line)) in &successes {
            assert_eq!(*n, 1, "{seeded}: {id} logged as created {n} times");
            assert_eq!(
                line["clerkUserId"].as_str(),
                instance.get(id).map(String::as_str),
                "{seeded}: {id}"
            );
        }
        eprintln!(
            "import {seeded}: {} users, each created once",
            campaign.users
        );
    }
}

async fn delete_campaign(campaign: &Campaign) {
    for seed in campaign.seeds.clone() {
        let mut rng = StdRng::seed_from_u64(seed);
        let sandbox = sandbox().await;
        let api = Api::new(&sandbox, LIVE_KEY);
        let keep = json!({"external_id": "keep_me", "username": "keeper", "skip_password_requirement": true});
        assert_eq!(api.post("/users", keep).await.status, 200);
        let env = TestEnv::new();
        let file = users_file(&env, campaign.users);
        let fast = 20 * campaign.rate;
        let args = import_args(&sandbox, "clerk", &file, &[]);
        assert_eq!(
            report(&run(&env, args, vars(fast)).await)["created"].as_u64(),
            Some(campaign.users as u64)
        );
        let args: Vec<String> = vec![
            "delete".into(),
            "-y".into(),
            "--json".into(),
            "--api-url".into(),
            sandbox.base_url(),
        ];
        let mut after_kills = Vec::new();
        for (at, jitter) in kill_points(&mut rng, campaign) {
            let deleted = || (campaign.users + 1 - sandbox.user_count()) as u64;
            let killed = kill_at(&env, &args, campaign.rate, at, jitter, deleted).await;
            after_kills.push(sandbox.user_count());
            assert!(killed, "seed {seed}: the delete ended before {at} users");
        }
        let d = report(&run(&env, args, vars(campaign.rate)).await);
        let seeded = format!("seed {seed}, users left after each kill {after_kills:?}");
        assert_eq!(d["failed"], 0, "{seeded}: {d}");
        assert_eq!(
            d["deleted"].as_u64().unwrap_or(0) + d["not_found"].as_u64().unwrap_or(0),
            campaign.users as u64,
            "{seeded}: {d}"
        );
        assert_eq!(
            sandbox.external_ids().into_keys().collect::<Vec<_>>(),
            vec!["keep_me".to_owned()],
            "{seeded}: only the pre-existing user remains"
        );
        for (id, (n, _)) in count_status(&env, "user-deletion-", "deleted") {
            assert_eq!(n, 1, "{seeded}: {id} logged as deleted {n} times");
        }
        eprintln!(
            "delete {seeded}: {} users, each deleted once",
            campaign.users
        );
    }
}

/// Runs the binary with `args` and sends SIGTERM once `progress()` reaches `at`.
async fn terminate_at(
    env: &TestEnv,
    args: &[String],
    rate: u32,
    at: u64,
    progress: impl Fn() -> u64,
) -> std::process::Output {
    signal_when(env, args, rate, "-TERM", || progress() >= at).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_stops_an_import_cleanly_with_143() {
    let sandbox = sandbox().await;
    let env = TestEnv::new();
    let file = users_file(&env, 60);
    let args = import_args(&sandbox, "clerk", &file, &[]);
    let out = terminate_at(&env, &args, 20, 10, || sandbox.stats().users_created).await;
    assert_eq!(out.status.code(), Some(143));
    assert!(String::from_utf8_lossy(&out.stderr).contains("To resume"));
    let r = report(&out);
    assert_eq!(r["interrupted"], true);
    let created = sandbox.user_count() as u64;
    assert!(created < 60);
    assert_eq!(
        r["created"].as_u64(),
        Some(created),
        "every created user is accounted for: {r}"
    );
    // The command it prints finishes the job.
    let again = super::hints::printed_commands(&String::from_utf8_lossy(&out.stderr));
    assert_eq!(again.len(), 1, "one resume command");
    let r = report(&run(&env, again[0].clone(), vars(2000)).await);
    assert_eq!(r["created"].as_u64(), Some(60 - created), "{r}");
    assert_eq!(sandbox.user_count(), 60);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_stops_a_delete_cleanly_with_143() {
    let sandbox = sandbox().await;
    let env = TestEnv::new();
    let file = users_file(&env, 60);
    let import = import_args(&sandbox, "clerk", &file, &[]);
    assert_eq!(report(&run(&env, import, vars(2000)).await)["created"], 60);
    let args: Vec<String> = ["delete", "-y", "--json", "--api-url", &sandbox.base_url()]
        .map(str::to_owned)
        .to_vec();
    let deleted = || 60 - sandbox.user_count() as u64;
    let out = terminate_at(&env, &args, 20, 10, deleted).await;
    assert_eq!(out.status.code(), Some(143));
    let d = report(&out);
    assert_eq!(d["interrupted"], true, "{d}");
    let left = sandbox.user_count() as u64;
    assert!(left > 0, "stopped before the end: {d}");
    assert_eq!(d["deleted"].as_u64(), Some(60 - left), "{d}");
    assert_eq!(d["not_started"].as_u64(), Some(left), "{d}");
    // The same command finishes the job.
    let d = report(&run(&env, args, vars(2000)).await);
    assert_eq!(d["deleted"].as_u64(), Some(left), "{d}");
    assert_eq!(sandbox.user_count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_at_random_points_during_import() {
    import_campaign(&CI).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_at_random_points_during_delete() {
    delete_campaign(&CI).await;
}

/// kill -9 during `migrate orgs` at seeded points, then the same command again: every
/// organization exists once with all its members, and no log records an organization or
/// a membership as created twice.
async fn orgs_campaign(campaign: &Campaign) {
    let orgs = campaign.users / 4;
    for seed in campaign.seeds.clone() {
        let mut rng = StdRng::seed_from_u64(seed);
        let sandbox = sandbox().await;
        let env = TestEnv::new();
        let users = 40;
        let file = users_file(&env, users);
        let args = import_args(&sandbox, "clerk", &file, &[]);
        let imported = report(&run(&env, args, vars(20 * campaign.rate)).await);
        assert_eq!(imported["created"].as_u64(), Some(users as u64));
        let records: Vec<Value> = (0..orgs)
            .map(|i| {
                let member = |k: usize| json!({"user_id": format!("src_{:05}", (i + k) % users), "role": if k == 0 { "owner" } else { "member" }});
                json!({"id": format!("o{i}"), "name": format!("Org {i}"), "members": [member(0), member(1), member(2)]})
            })
            .collect();
        env.write("orgs.json", &serde_json::to_string(&records).expect("json"));
        let mut args: Vec<String> = ["orgs", "-y", "--json", "-f", "orgs.json", "--api-url"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        args.push(sandbox.base_url());
        let progress = || {
            let (o, m) = sandbox.organization_counts();
            (o + m) as u64
        };
        let mut after_kills = Vec::new();
        // Progress runs to 4 objects an organization (itself and three members).
        let points = Campaign {
            users: orgs * 4,
            ..campaign.clone()
        };
        for (at, jitter) in kill_points(&mut rng, &points) {
            let killed = kill_at(&env, &args, campaign.rate, at, jitter, progress).await;
            after_kills.push(sandbox.organization_counts());
            assert!(killed, "seed {seed}: orgs ended before {at}");
        }
        let out = run(&env, args, vars(campaign.rate)).await;
        let seeded =
            format!("seed {seed}, (organizations, members) after each kill {after_kills:?}");
        assert_eq!(
            out.status.code(),
            Some(0),
            "{seeded}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(sandbox.organization_counts(), (orgs, orgs * 3), "{seeded}");
        let mut created: HashMap<String, usize> = HashMap::new();
        for (name, lines) in logs(&env) {
            if !name.starts_with("organizations-") {
                continue;
            }
            for v in lines.iter().filter(|v| v["status"] == "success") {
                let key = format!("{}/{}", v["orgId"], v["userId"]);
                *created.entry(key).or_default() += 1;
            }
        }
        assert!(created.values().all(|n| *n == 1), "{seeded}: {created:?}");
        eprintln!("orgs {seeded}: {orgs} organizations, each created once");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_at_random_points_during_orgs() {
    orgs_campaign(&CI).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "soak: 2,000 users, 5 seeds; run by hand"]
async fn soak_kill_9_at_random_points() {
    import_campaign(&SOAK).await;
    delete_campaign(&SOAK).await;
    orgs_campaign(&SOAK).await;
}

/// Starts the binary and sends `signal` once `ready()` holds.
async fn signal_when(
    env: &TestEnv,
    args: &[String],
    rate: u32,
    signal: &str,
    ready: impl Fn() -> bool,
) -> std::process::Output {
    let child = run_until(env, args, rate, 1, || u64::from(ready()), Stdio::piped)
        .await
        .unwrap_or_else(|| panic!("the run ended before the signal was due"));
    let status = std::process::Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    tokio::task::spawn_blocking(move || child.wait_with_output().expect("waits"))
        .await
        .expect("joins")
}

fn names(dir: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// SIGINT or SIGTERM during `export`: no partial file is left (it holds password
/// hashes), no output file appears, exit 130/143.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signal_stops_an_export_and_leaves_no_partial_file() {
    let sandbox = sandbox().await;
    let env = TestEnv::new();
    let file = users_file(&env, 600);
    let import = import_args(&sandbox, "clerk", &file, &[]);
    assert_eq!(report(&run(&env, import, vars(5000)).await)["created"], 600);
    let out_dir = env.path().join("out");
    std::fs::create_dir(&out_dir).expect("dir");
    for (signal, code) in [("-INT", 130), ("-TERM", 143)] {
        let args: Vec<String> = [
            "export",
            "clerk",
            "-o",
            "out/users.json",
            "--api-url",
            &sandbox.base_url(),
        ]
        .map(str::to_owned)
        .to_vec();
        // One request a second: the export's second page is a second away.
        let partial = || names(&out_dir).iter().any(|n| n.ends_with(".partial"));
        let out = signal_when(&env, &args, 1, signal, partial).await;
        assert_eq!(
            out.status.code(),
            Some(code),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            names(&out_dir).is_empty(),
            "left behind: {:?}",
            names(&out_dir)
        );
        assert!(String::from_utf8_lossy(&out.stderr).contains("was not written"));
    }
}

/// SIGINT during `verify`: the log is closed as interrupted, the lock released, exit 130.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signal_stops_a_verify_and_closes_its_log() {
    let sandbox = sandbox().await;
    let env = TestEnv::new();
    let file = users_file(&env, 5);
    let import = import_args(&sandbox, "clerk", &file, &[]);
    assert_eq!(report(&run(&env, import, vars(2000)).await)["created"], 5);
    let passwords = env.write(
        "passwords.csv",
        "user_id,password\nsrc_00000,a\nsrc_00001,b\nsrc_00002,c\nsrc_00003,d\nsrc_00004,e\n",
    );
    let mut args: Vec<String> = ["verify", "--api-url", &sandbox.base_url(), "--passwords"]
        .map(str::to_owned)
        .to_vec();
    args.push(passwords.display().to_string());
    let logs = env.path().join("logs");
    let started = || names(&logs).iter().any(|n| n.starts_with("verify-"));
    let out = signal_when(&env, &args, 1, "-INT", started).await;
    assert_eq!(
        out.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let log = names(&logs)
        .into_iter()
        .find(|n| n.starts_with("verify-"))
        .expect("verify log");
    let text = std::fs::read_to_string(logs.join(&log)).expect("log");
    let last: serde_json::Value =
        serde_json::from_str(text.lines().last().expect("lines")).expect("json");
    assert_eq!(
        (last["type"].as_str(), last["interrupted"].as_bool()),
        (Some("end"), Some(true)),
        "{text}"
    );
    let lock = std::fs::File::open(logs.join(".migrate.lock")).expect("lock file");
    lock.try_lock().expect("released");
    assert_eq!(
        std::fs::read_to_string(logs.join(".migrate.lock")).expect("read"),
        ""
    );
}

/// SIGINT during `convert-logs`: the conversion stops, its temporary file goes, nothing is
/// written under the converted name, exit 130.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signal_stops_convert_logs_and_leaves_no_partial_file() {
    let env = TestEnv::new();
    let logs = env.path().join("logs");
    std::fs::create_dir(&logs).expect("logs");
    let line = json!({"userId": "u", "status": "success", "clerkUserId": "user_x", "padding": "x".repeat(200)});
    let mut text = String::with_capacity(300 * 400_000);
    for _ in 0..400_000 {
        text.push_str(&line.to_string());
        text.push('\n');
    }
    let log = logs.join("migration-2026-01-01T00-00-00.log");
    std::fs::write(&log, text).expect("write");
    let args: Vec<String> = vec!["convert-logs".into(), log.display().to_string()];
    let partial = || names(&logs).iter().any(|n| n.ends_with(".partial"));
    let out = signal_when(&env, &args, 10, "-INT", partial).await;
    assert_eq!(
        out.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let left: Vec<String> = names(&logs)
        .into_iter()
        .filter(|n| !n.ends_with(".log"))
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_stops_orgs_cleanly_with_143() {
    let sandbox = sandbox().await;
    let env = TestEnv::new();
    let file = users_file(&env, 10);
    let import = import_args(&sandbox, "clerk", &file, &[]);
    assert_eq!(report(&run(&env, import, vars(2000)).await)["created"], 10);
    let records: Vec<Value> = (0..40)
        .map(|i| {
            json!({"id": format!("o{i}"), "name": format!("Org {i}"),
            "members": [{"user_id": format!("src_{:05}", i % 10), "role": "owner"}]})
        })
        .collect();
    env.write("orgs.json", &serde_json::to_string(&records).expect("json"));
    let args: Vec<String> = [
        "orgs",
        "-y",
        "--json",
        "-f",
        "orgs.json",
        "--api-url",
        &sandbox.base_url(),
    ]
    .map(str::to_owned)
    .to_vec();
    let made = || sandbox.organization_counts().0 as u64;
    let out = terminate_at(&env, &args, 20, 10, made).await;
    assert_eq!(out.status.code(), Some(143));
    let r = report(&out);
    assert_eq!(r["interrupted"], true, "{r}");
    let created = made();
    assert!(created < 40, "stopped before the end: {r}");
    assert_eq!(r["organizations"]["created"].as_u64(), Some(created), "{r}");
    let runs = env.cmd().args(["runs", "--json"]).output().expect("runs");
    let runs: Value = serde_json::from_slice(&runs.stdout).expect("json");
    let last = runs
        .as_array()
        .and_then(|r| r.last())
        .expect("the orgs run");
    assert_eq!(last["interrupted"], true, "{last}");
    // The same command finishes the job, creating nothing twice.
    let r = report(&run(&env, args, vars(2000)).await);
    assert_eq!(
        r["organizations"]["created"].as_u64(),
        Some(40 - created),
        "{r}"
    );
    assert_eq!(sandbox.organization_counts(), (40, 40));
}
