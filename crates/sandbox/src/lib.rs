//! A local, in-memory stand-in for Clerk's Backend API (BAPI).
//!
//! The sandbox follows Clerk's OpenAPI spec and documented behaviour closely enough that a
//! migration which passes against it passes against Clerk: the same endpoints, bodies,
//! error envelopes, uniqueness rules, user cap and a strict rate limit. It is served by
//! `migrate sandbox` for rehearsals and embedded by `migrate --sandbox`.
//!
//! It is its own crate and depends on nothing of the importer (not even its Clerk
//! client): an independent oracle, so a wrong field name cannot pass on both sides of a
//! test, and the compiler keeps it so.

// Clerk's large `User` object is rendered with one `json!` literal.
#![recursion_limit = "256"]

mod envelope;
mod fapi;
mod gate;
mod identifiers;
mod ids;
mod organizations;
pub mod passwords;
pub mod settings;
mod state;
mod users;
mod validate;
mod verify_password;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::routing::{delete, get, patch, post};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

pub use state::SandboxStats;
use state::Shared;

/// The development secret key the sandbox accepts when none is configured.
pub const DEFAULT_SECRET_KEY: &str = "sk_test_sandbox0000000000000000000000000000";

/// How a sandbox instance behaves. Every knob defaults to what Clerk does today.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// The one secret key the sandbox accepts; its prefix sets the instance's environment.
    pub secret_key: String,
    /// Requests allowed per window; `None` picks Clerk's default for the environment
    /// (100 per 10 s for development, 1000 per 10 s for production).
    pub rate: Option<u32>,
    /// Length of the rate-limit window.
    pub window: Duration,
    /// Added latency before each response.
    pub latency: Duration,
    /// Probability (0..=1) that a request fails before it is applied: an injected 500,
    /// 502 (an HTML page, as from a proxy) or 503, or a dropped connection.
    pub fail_rate: f64,
    /// Probability that `POST /v1/users` creates the user and then answers 500 anyway,
    /// as when a connection drops after the server applied the request.
    pub fail_after_create_rate: f64,
    /// Seed of the fault generator, so a faulty run can be replayed.
    pub seed: u64,
    /// Maximum number of users; `None` picks 100 for development and no cap for production.
    pub user_cap: Option<usize>,
    /// Accept the undocumented `skip_restriction_checks` field on `POST /v1/users`.
    pub accept_skip_restriction_checks: bool,
    /// Whether the instance has organizations turned on (Clerk's Dashboard setting).
    pub organizations: bool,
    /// The organization role keys the instance has.
    pub organization_roles: Vec<String>,
    /// Members an organization may have when its own limit is not given; 0 for no limit.
    pub organization_max_memberships: i64,
    /// Organization invitations an hour, one by one (Clerk: 250) and bulk requests of up
    /// to 10 (Clerk: 50).
    pub invitations_per_hour: u32,
    pub bulk_invitations_per_hour: u32,
    /// Sign-up settings in the Frontend API's `user_settings` shape; `None` is every
    /// identifier optional, as before settings existed.
    pub user_settings: Option<serde_json::Value>,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            secret_key: DEFAULT_SECRET_KEY.to_owned(),
            rate: None,
            window: Duration::from_secs(10),
            latency: Duration::ZERO,
            fail_rate: 0.0,
            fail_after_create_rate: 0.0,
            seed: 0,
            user_cap: None,
            accept_skip_restriction_checks: false,
            organizations: true,
            organization_roles: vec!["org:admin".to_owned(), "org:member".to_owned()],
            organization_max_memberships: 0,
            invitations_per_hour: 250,
            bulk_invitations_per_hour: 50,
            user_settings: None,
        }
    }
}

impl SandboxConfig {
    /// True when the configured key is a production (`sk_live_`) key.
    pub fn is_production(&self) -> bool {
        self.secret_key.starts_with("sk_live_")
    }

    /// The rate limit in force: requests per window.
    pub fn effective_rate(&self) -> u32 {
        self.rate
            .unwrap_or(if self.is_production() { 1000 } else { 100 })
    }

    /// The user cap in force, if any.
    pub fn effective_user_cap(&self) -> Option<usize> {
        match self.user_cap {
            Some(0) => None,
            Some(n) => Some(n),
            None if self.is_production() => None,
            None => Some(100),
        }
    }
}

/// Builds the sandbox's router over fresh state.
pub fn router(config: SandboxConfig) -> (Router, Shared) {
    let shared = Arc::new(state::SandboxState::new(config));
    (routes(shared.clone()), shared)
}

fn routes(shared: Shared) -> Router {
    Router::new()
        .route("/v1/users", post(users::create).get(users::list))
        .route("/v1/users/count", get(users::count))
        .route(
            "/v1/users/{id}",
            get(users::get_one)
                .patch(users::update)
                .delete(users::delete),
        )
        .route("/v1/users/{id}/ban", post(users::ban))
        .route("/v1/users/{id}/unban", post(users::unban))
        .route(
            "/v1/users/{id}/verify_password",
            post(verify_password::verify_password),
        )
        .route("/v1/email_addresses", post(identifiers::create_email))
        .route("/v1/phone_numbers", post(identifiers::create_phone))
        .route("/v1/instance", get(users::instance))
        .route("/v1/domains", get(fapi::domains))
        .route(
            "/v1/organizations",
            post(organizations::create).get(organizations::list),
        )
        .route(
            "/v1/organizations/{id}",
            get(organizations::get).delete(organizations::delete),
        )
        .route(
            "/v1/organizations/{id}/memberships",
            post(organizations::add_member).get(organizations::members),
        )
        .route(
            "/v1/organizations/{id}/invitations",
            post(organizations::invite).get(organizations::invitations),
        )
        .route(
            "/v1/organizations/{id}/invitations/bulk",
            post(organizations::invite_bulk),
        )
        .route(
            "/v1/organizations/{id}/memberships/{user_id}",
            delete(organizations::remove_member),
        )
        .route(
            "/v1/organizations/{id}/memberships/{user_id}/metadata",
            patch(organizations::update_member_metadata),
        )
        .route(
            "/v1/instance/organization_settings",
            get(organizations::settings),
        )
        .route("/v1/organization_roles", get(organizations::roles))
        .fallback(envelope::not_found)
        .layer(axum::middleware::from_fn_with_state(
            shared.clone(),
            gate::gate,
        ))
        // The Frontend API is public: no key, no BAPI rate limit.
        .merge(Router::new().route("/fapi/v1/environment", get(fapi::environment)))
        .with_state(shared)
}

/// A running sandbox: its address, its counters, and a way to stop it.
pub struct SandboxHandle {
    addr: SocketAddr,
    shared: Shared,
    shutdown: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl SandboxHandle {
    /// The socket address the sandbox listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL to give a client, without the `/v1` suffix.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Counters of what the sandbox saw so far.
    pub fn stats(&self) -> SandboxStats {
        self.shared.stats()
    }

    /// Starts the request counters and the busy span again.
    pub fn reset_stats(&self) {
        self.shared.reset_stats();
    }

    /// Number of users currently stored.
    pub fn user_count(&self) -> usize {
        self.shared.user_count()
    }

    /// External ID → user ID of every stored user that has one.
    pub fn external_ids(&self) -> std::collections::HashMap<String, String> {
        let store = self.shared.store();
        store
            .users
            .values()
            .filter_map(|u| Some((u.external_id.clone()?, u.id.clone())))
            .collect()
    }

    /// How many organizations, and memberships over all of them, the sandbox holds.
    pub fn organization_counts(&self) -> (usize, usize) {
        let store = self.shared.store();
        let members = store.orgs.values().map(|o| o.members.len()).sum();
        (store.orgs.len(), members)
    }

    /// Every organization as `GET /v1/organizations/{id}` renders it, with a `members`
    /// array of `{user_id, role, private_metadata}`, oldest first by creation.
    pub fn organizations(&self) -> Vec<serde_json::Value> {
        let store = self.shared.store();
        let mut all: Vec<&state::StoredOrg> = store.orgs.values().collect();
        all.sort_by_key(|o| (o.created_at, o.id.clone()));
        all.into_iter()
            .map(|o| {
                let mut v = organizations::render(o);
                v["members"] = o
                    .members
                    .iter()
                    .map(|m| {
                        serde_json::json!({"user_id": m.user_id, "role": m.role,
                            "private_metadata": m.private_metadata})
                    })
                    .collect();
                v
            })
            .collect()
    }

    /// Answers every request with 429 for `duration`, with a `Retry-After` that counts
    /// down to its end: a rate-limit block as Clerk imposes it.
    pub fn storm_429(&self, duration: Duration) {
        *self
            .shared
            .storm_until
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = Some(std::time::Instant::now() + duration);
    }

    /// While on, requests wait forever: a server that never answers.
    pub fn set_hang(&self, on: bool) {
        self.shared
            .hang
            .store(on, std::sync::atomic::Ordering::Relaxed);
    }

    /// Delays every answer after the request was applied.
    pub fn set_answer_delay(&self, delay: Duration) {
        let ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX);
        self.shared
            .answer_delay_ms
            .store(ms, std::sync::atomic::Ordering::Relaxed);
    }

    /// Stops serving for `downtime` (connections are cut, new ones refused) and starts
    /// again on the same address with the same users.
    pub async fn restart(&mut self, downtime: Duration) -> std::io::Result<()> {
        use std::sync::atomic::Ordering;
        self.shared.down.store(true, Ordering::Relaxed);
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        self.task.abort();
        let _ = (&mut self.task).await;
        tokio::time::sleep(downtime).await;
        let listener = TcpListener::bind(self.addr).await?;
        self.shared.down.store(false, Ordering::Relaxed);
        let (tx, task) = serve(listener, routes(self.shared.clone()));
        self.shutdown = Some(tx);
        self.task = task;
        Ok(())
    }

    /// Changes the share of requests failed before they are applied, mid-run.
    pub fn set_fail_rate(&self, rate: f64) {
        self.shared.set_fail_rate(rate);
    }

    /// What the API never returns but a test may check: the stored password hasher and
    /// digest of the user with this external ID.
    pub fn password_of(&self, external_id: &str) -> Option<(Option<String>, Option<String>)> {
        let store = self.shared.store();
        let seq = store.external_ids.get(external_id)?;
        let user = store.users.get(seq)?;
        Some((user.password_hasher.clone(), user.password_digest.clone()))
    }

    /// Stands in for a person signing in: sets the user's `last_sign_in_at` to now.
    /// Returns false when no user has this external ID.
    pub fn sign_in(&self, external_id: &str) -> bool {
        let mut store = self.shared.store();
        let Some(seq) = store.external_ids.get(external_id).copied() else {
            return false;
        };
        let now = chrono::Utc::now().timestamp_millis();
        store
            .users
            .get_mut(&seq)
            .map(|u| u.last_sign_in_at = Some(now))
            .is_some()
    }

    /// Stops serving and waits for the server task to end.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = (&mut self.task).await;
    }
}

fn serve(listener: TcpListener, app: Router) -> (oneshot::Sender<()>, tokio::task::JoinHandle<()>) {
    let (tx, rx) = oneshot::channel();
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await;
    });
    (tx, task)
}

/// Binds `addr` (port 0 picks a free port) and serves the sandbox in a background task.
pub async fn spawn(config: SandboxConfig, addr: SocketAddr) -> std::io::Result<SandboxHandle> {
    let listener = TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let (app, shared) = router(config);
    let (tx, task) = serve(listener, app);
    Ok(SandboxHandle {
        addr,
        shared,
        shutdown: Some(tx),
        task,
    })
}
