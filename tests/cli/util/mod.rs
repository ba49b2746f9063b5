//! Shared helpers: a scrubbed command in a temp dir, the sandbox, `../shared`, and
//! running an import (`run.rs`).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use migrate::sandbox::{self, SandboxConfig, SandboxHandle};

mod run;

pub use run::{LIVE_KEY, against, finals, import_args, live_sandbox, report, run, users_file};

/// Environment variables the binary reads; scrubbed so the developer's shell can't leak in.
const SCRUBBED: [&str; 6] = [
    "DATABASE_URL",
    "CLERK_SECRET_KEY",
    "CLERK_API_URL",
    "RATE_LIMIT",
    "CONCURRENCY_LIMIT",
    "MAX_RETRIES",
];

/// A temp working directory and commands that run the binary inside it.
pub struct TestEnv {
    pub dir: tempfile::TempDir,
}

impl TestEnv {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `migrate` with a scrubbed environment, run in the temp dir.
    pub fn cmd(&self) -> assert_cmd::Command {
        let mut cmd = assert_cmd::Command::cargo_bin("migrate").expect("binary built");
        for var in SCRUBBED {
            cmd.env_remove(var);
        }
        cmd.current_dir(self.path());
        cmd
    }

    /// The same, as a plain process to spawn and kill.
    pub fn std_cmd(&self) -> std::process::Command {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("migrate"));
        for var in SCRUBBED {
            cmd.env_remove(var);
        }
        cmd.current_dir(self.path());
        cmd
    }

    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.path().join(name);
        std::fs::write(&path, text).expect("write file");
        path
    }
}

/// Starts a sandbox on 127.0.0.1 with a free port.
pub async fn start_sandbox(config: SandboxConfig) -> SandboxHandle {
    sandbox::spawn(config, SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .expect("sandbox binds")
}

/// `../shared` beside the checkout, if present. Tests that need it whole are marked
/// ignored when it is absent (see `build.rs`); tests that read it for extra cases use it
/// when there. Under CI its absence is a failure, never a skip.
pub fn shared_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    if dir.is_dir() {
        Some(dir)
    } else if std::env::var_os("CI").is_some() {
        panic!("../shared is absent: CI must run with it beside the checkout")
    } else {
        eprintln!("skipped: ../shared is absent (it holds Clerk's spec and the reference samples)");
        None
    }
}

/// Firebase's hash parameters for the samples (any valid values: the samples' hashes are
/// shapes, not passwords).
pub const FIREBASE_FLAGS: [&str; 8] = [
    "--firebase-signer-key",
    "c2lnbmVy",
    "--firebase-salt-separator",
    "Bw==",
    "--firebase-rounds",
    "8",
    "--firebase-mem-cost",
    "14",
];
