//! The sandbox's in-memory instance: users, uniqueness indexes, rate window, faults.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Map, Value};

use super::SandboxConfig;
use super::ids::object_id;

pub type Shared = Arc<SandboxState>;

/// Counters a test or benchmark can read after a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SandboxStats {
    /// Requests that passed authentication.
    pub requests: u64,
    /// Requests answered 429.
    pub rate_limited: u64,
    /// Requests answered with an injected 5xx.
    pub injected_faults: u64,
    /// `POST /v1/users` calls that created a user.
    pub users_created: u64,
    /// Time from the first to the last admitted request.
    pub busy: std::time::Duration,
    /// Admitted `POST /v1/users` requests, and the time from the first to the last.
    pub creates: u64,
    pub creates_busy: std::time::Duration,
}

/// An organization held by the sandbox.
#[derive(Debug, Clone)]
pub struct StoredOrg {
    pub id: String,
    pub name: String,
    pub slug: Option<String>,
    pub created_by: Option<String>,
    pub created_at: i64,
    pub public_metadata: Map<String, Value>,
    pub private_metadata: Map<String, Value>,
    pub max_allowed_memberships: i64,
    pub members: Vec<StoredMembership>,
    pub invitations: Vec<StoredInvitation>,
}

/// An organization invitation held by the sandbox.
#[derive(Debug, Clone)]
pub struct StoredInvitation {
    pub id: String,
    pub email_address: String,
    pub role: String,
    /// `pending` or `revoked`.
    pub status: String,
    pub created_at: i64,
    pub public_metadata: Map<String, Value>,
    pub private_metadata: Map<String, Value>,
}

#[derive(Debug, Clone)]
pub struct StoredMembership {
    pub id: String,
    pub user_id: String,
    pub role: String,
    pub created_at: i64,
    pub public_metadata: Map<String, Value>,
    pub private_metadata: Map<String, Value>,
}

/// An email address or phone number owned by a user.
#[derive(Debug, Clone)]
pub struct Identifier {
    pub id: String,
    pub value: String,
    pub verified: bool,
    pub reserved: bool,
    pub created_at: i64,
}

/// A user as the sandbox stores it; rendered to the spec's `User` on the way out.
#[derive(Debug, Clone, Default)]
pub struct StoredUser {
    pub id: String,
    pub seq: u64,
    pub external_id: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub username: Option<String>,
    pub locale: Option<String>,
    pub emails: Vec<Identifier>,
    pub phones: Vec<Identifier>,
    pub web3_wallets: Vec<Identifier>,
    pub primary_email_id: Option<String>,
    pub primary_phone_id: Option<String>,
    pub primary_web3_id: Option<String>,
    pub password_digest: Option<String>,
    pub password_hasher: Option<String>,
    pub password_enabled: bool,
    pub totp_enabled: bool,
    pub backup_codes: Vec<String>,
    pub public_metadata: Map<String, Value>,
    pub private_metadata: Map<String, Value>,
    pub unsafe_metadata: Map<String, Value>,
    pub banned: bool,
    pub locked: bool,
    pub created_at: i64,
    pub updated_at: i64,
    /// Set only by a test standing in for a person signing in.
    pub last_sign_in_at: Option<i64>,
    pub legal_accepted_at: Option<i64>,
    pub delete_self_enabled: bool,
    pub create_organization_enabled: bool,
    pub create_organizations_limit: Option<i64>,
    pub bypass_client_trust: bool,
}

/// Users and the uniqueness indexes over them. Keys of the email and username indexes are
/// lower-cased because Clerk compares those case-insensitively.
#[derive(Debug, Default)]
pub struct Store {
    next_seq: u64,
    /// Organizations by ID, and their IDs by slug.
    pub orgs: BTreeMap<String, StoredOrg>,
    pub org_slugs: HashMap<String, String>,
    pub users: BTreeMap<u64, StoredUser>,
    pub by_id: HashMap<String, u64>,
    pub emails: HashMap<String, u64>,
    pub phones: HashMap<String, u64>,
    pub usernames: HashMap<String, u64>,
    pub external_ids: HashMap<String, u64>,
    pub web3: HashMap<String, u64>,
}

impl Store {
    pub fn next_seq(&mut self) -> u64 {
        self.next_seq += 1;
        self.next_seq
    }

    pub fn insert(&mut self, user: StoredUser) {
        let seq = user.seq;
        self.index(&user);
        self.by_id.insert(user.id.clone(), seq);
        self.users.insert(seq, user);
    }

    fn index(&mut self, user: &StoredUser) {
        let seq = user.seq;
        for e in &user.emails {
            self.emails.insert(e.value.to_lowercase(), seq);
        }
        for p in &user.phones {
            self.phones.insert(p.value.clone(), seq);
        }
        for w in &user.web3_wallets {
            self.web3.insert(w.value.to_lowercase(), seq);
        }
        if let Some(u) = &user.username {
            self.usernames.insert(u.to_lowercase(), seq);
        }
        if let Some(x) = &user.external_id {
            self.external_ids.insert(x.clone(), seq);
        }
    }

    fn unindex(&mut self, user: &StoredUser) {
        for e in &user.emails {
            self.emails.remove(&e.value.to_lowercase());
        }
        for p in &user.phones {
            self.phones.remove(&p.value);
        }
        for w in &user.web3_wallets {
            self.web3.remove(&w.value.to_lowercase());
        }
        if let Some(u) = &user.username {
            self.usernames.remove(&u.to_lowercase());
        }
        if let Some(x) = &user.external_id {
            self.external_ids.remove(x);
        }
    }

    pub fn get(&self, id: &str) -> Option<&StoredUser> {
        self.by_id.get(id).and_then(|seq| self.users.get(seq))
    }

    /// Applies `change` to a user and re-indexes it.
    pub fn update<T>(&mut self, id: &str, change: impl FnOnce(&mut StoredUser) -> T) -> Option<T> {
        let seq = *self.by_id.get(id)?;
        let mut user = self.users.remove(&seq)?;
        self.unindex(&user);
        let out = change(&mut user);
        self.index(&user);
        self.users.insert(seq, user);
        Some(out)
    }

    /// Removes a user and, as Clerk does, their organization memberships.
    pub fn remove(&mut self, id: &str) -> Option<StoredUser> {
        let seq = self.by_id.remove(id)?;
        let user = self.users.remove(&seq)?;
        self.unindex(&user);
        for org in self.orgs.values_mut() {
            org.members.retain(|m| m.user_id != id);
        }
        Some(user)
    }
}

/// A strict sliding-window log: at most `limit` accepted requests in any `window`.
/// Stricter than a token bucket, so a client that passes here passes Clerk's limiter.
#[derive(Debug)]
struct RateWindow {
    limit: usize,
    window: Duration,
    accepted: VecDeque<Instant>,
}

impl RateWindow {
    /// Accepts the request, or returns the whole seconds until a slot frees up.
    fn admit(&mut self, now: Instant) -> Result<(), u64> {
        while let Some(&oldest) = self.accepted.front() {
            if now.duration_since(oldest) >= self.window {
                self.accepted.pop_front();
            } else {
                break;
            }
        }
        if self.accepted.len() < self.limit {
            self.accepted.push_back(now);
            return Ok(());
        }
        let oldest = self.accepted.front().copied().unwrap_or(now);
        let wait = (oldest + self.window).saturating_duration_since(now);
        Err(wait.as_secs_f64().ceil().max(1.0) as u64)
    }
}

/// Everything one sandbox instance holds.
pub struct SandboxState {
    pub config: SandboxConfig,
    pub instance_id: String,
    store: Mutex<Store>,
    rate: Mutex<RateWindow>,
    /// Organization invitations: one by one, and in bulk, each an hourly limit.
    invitations: Mutex<RateWindow>,
    bulk_invitations: Mutex<RateWindow>,
    faults: Mutex<StdRng>,
    /// The share of requests answered 5xx, as f64 bits: tests change it mid-run.
    fail_rate: AtomicU64,
    /// Runtime fault switches (see `SandboxHandle`).
    pub hang: std::sync::atomic::AtomicBool,
    pub down: std::sync::atomic::AtomicBool,
    /// Until when every request is answered 429 (a storm).
    pub storm_until: Mutex<Option<Instant>>,
    pub answer_delay_ms: AtomicU64,
    requests: AtomicU64,
    /// First and last admitted request, for achieved-rate figures.
    span: Mutex<Option<(Instant, Instant)>>,
    create_span: Mutex<(u64, Option<(Instant, Instant)>)>,
    rate_limited: AtomicU64,
    injected_faults: AtomicU64,
    users_created: AtomicU64,
}

/// How an applied create loses its answer.
pub enum AfterCreate {
    /// A 500 although the user was created.
    Error,
    /// The connection is cut mid-response.
    Drop,
}

/// What the fault injector decided for one request, before it is applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    None,
    Status(u16),
    /// The connection is cut before the request reaches its handler.
    Drop,
}

impl SandboxState {
    pub fn new(config: SandboxConfig) -> Self {
        let rate = RateWindow {
            limit: config.effective_rate() as usize,
            window: config.window,
            accepted: VecDeque::new(),
        };
        let faults = StdRng::seed_from_u64(config.seed);
        Self {
            instance_id: object_id("ins"),
            store: Mutex::new(Store::default()),
            rate: Mutex::new(rate),
            invitations: Mutex::new(RateWindow {
                limit: config.invitations_per_hour as usize,
                window: Duration::from_secs(3600),
                accepted: VecDeque::new(),
            }),
            bulk_invitations: Mutex::new(RateWindow {
                limit: config.bulk_invitations_per_hour as usize,
                window: Duration::from_secs(3600),
                accepted: VecDeque::new(),
            }),
            faults: Mutex::new(faults),
            fail_rate: AtomicU64::new(config.fail_rate.clamp(0.0, 1.0).to_bits()),
            hang: std::sync::atomic::AtomicBool::new(false),
            down: std::sync::atomic::AtomicBool::new(false),
            storm_until: Mutex::new(None),
            answer_delay_ms: AtomicU64::new(0),
            requests: AtomicU64::new(0),
            span: Mutex::new(None),
            create_span: Mutex::new((0, None)),
            rate_limited: AtomicU64::new(0),
            injected_faults: AtomicU64::new(0),
            users_created: AtomicU64::new(0),
            config,
        }
    }

    /// The sign-up settings in force (`user_settings` of the Frontend API).
    pub fn user_settings(&self) -> serde_json::Value {
        self.config
            .user_settings
            .clone()
            .unwrap_or_else(super::settings::default_user_settings)
    }

    /// The store, recovering from a poisoned lock: a panicking handler must not take
    /// the whole sandbox down with it.
    pub fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Notes the arrival of an admitted create, for achieved-rate figures.
    pub fn note_create_arrival(&self) {
        let now = Instant::now();
        let mut guard = self.create_span.lock().unwrap_or_else(|e| e.into_inner());
        let (count, span) = &mut *guard;
        *count += 1;
        let first = span.map_or(now, |(first, _)| first);
        *span = Some((first, now));
    }

    /// Admits an organization invitation request under its own hourly limit (`bulk`: the
    /// bulk endpoint's), or returns the whole seconds until one frees up.
    pub fn admit_invitation(&self, bulk: bool) -> Result<(), u64> {
        let window = if bulk {
            &self.bulk_invitations
        } else {
            &self.invitations
        };
        window
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .admit(Instant::now())
    }

    pub fn admit(&self) -> Result<(), u64> {
        self.requests.fetch_add(1, Ordering::Relaxed);
        let now = Instant::now();
        let verdict = self
            .rate
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .admit(now);
        if verdict.is_err() {
            self.rate_limited.fetch_add(1, Ordering::Relaxed);
        } else {
            let mut span = self.span.lock().unwrap_or_else(|e| e.into_inner());
            let first = span.map_or(now, |(first, _)| first);
            *span = Some((first, now));
        }
        verdict
    }

    /// During a storm, the whole seconds until it ends.
    pub fn storm_remaining(&self) -> Option<u64> {
        let until = (*self.storm_until.lock().unwrap_or_else(|e| e.into_inner()))?;
        let left = until.checked_duration_since(Instant::now())?;
        Some(left.as_secs_f64().ceil().max(1.0) as u64)
    }

    /// Changes the share of requests failed before they are applied.
    pub fn set_fail_rate(&self, rate: f64) {
        self.fail_rate
            .store(rate.clamp(0.0, 1.0).to_bits(), Ordering::Relaxed);
    }

    pub fn draw_fault(&self) -> Fault {
        let rate = f64::from_bits(self.fail_rate.load(Ordering::Relaxed));
        if rate <= 0.0 {
            return Fault::None;
        }
        let mut rng = self.faults.lock().unwrap_or_else(|e| e.into_inner());
        if rng.random_bool(rate) {
            self.injected_faults.fetch_add(1, Ordering::Relaxed);
            match rng.random_range(0..4) {
                0 => Fault::Status(500),
                1 => Fault::Status(502),
                2 => Fault::Status(503),
                _ => Fault::Drop,
            }
        } else {
            Fault::None
        }
    }

    /// Whether a create that was just applied loses its answer, and how.
    pub fn fail_after_create(&self) -> Option<AfterCreate> {
        if self.config.fail_after_create_rate <= 0.0 {
            return None;
        }
        let mut rng = self.faults.lock().unwrap_or_else(|e| e.into_inner());
        if !rng.random_bool(self.config.fail_after_create_rate.clamp(0.0, 1.0)) {
            return None;
        }
        self.injected_faults.fetch_add(1, Ordering::Relaxed);
        Some(if rng.random_bool(0.5) {
            AfterCreate::Error
        } else {
            AfterCreate::Drop
        })
    }

    pub fn note_created(&self) {
        self.users_created.fetch_add(1, Ordering::Relaxed);
    }

    /// Starts the counters again, for a measurement of what comes next.
    pub fn reset_stats(&self) {
        self.requests.store(0, Ordering::Relaxed);
        self.rate_limited.store(0, Ordering::Relaxed);
        *self.span.lock().unwrap_or_else(|e| e.into_inner()) = None;
        *self.create_span.lock().unwrap_or_else(|e| e.into_inner()) = (0, None);
    }

    pub fn stats(&self) -> SandboxStats {
        let (creates, create_span) = *self.create_span.lock().unwrap_or_else(|e| e.into_inner());
        SandboxStats {
            requests: self.requests.load(Ordering::Relaxed),
            rate_limited: self.rate_limited.load(Ordering::Relaxed),
            injected_faults: self.injected_faults.load(Ordering::Relaxed),
            users_created: self.users_created.load(Ordering::Relaxed),
            busy: self
                .span
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .map_or(Duration::ZERO, |(first, last)| last - first),
            creates,
            creates_busy: create_span.map_or(Duration::ZERO, |(first, last)| last - first),
        }
    }

    pub fn user_count(&self) -> usize {
        self.store().users.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_admits_limit_then_names_the_wait() {
        let mut w = RateWindow {
            limit: 3,
            window: Duration::from_secs(10),
            accepted: VecDeque::new(),
        };
        let t0 = Instant::now();
        for i in 0..3 {
            assert!(w.admit(t0 + Duration::from_millis(i)).is_ok());
        }
        assert_eq!(w.admit(t0 + Duration::from_millis(2500)), Err(8));
        assert!(w.admit(t0 + Duration::from_millis(10_000)).is_ok());
    }

    #[test]
    fn faults_before_apply_take_every_shape() {
        let state = SandboxState::new(SandboxConfig {
            fail_rate: 1.0,
            ..SandboxConfig::default()
        });
        let drawn: Vec<Fault> = (0..200).map(|_| state.draw_fault()).collect();
        for kind in [
            Fault::Status(500),
            Fault::Status(502),
            Fault::Status(503),
            Fault::Drop,
        ] {
            assert!(drawn.contains(&kind), "{kind:?} never drawn");
        }
        state.set_fail_rate(0.0);
        assert_eq!(state.draw_fault(), Fault::None);
    }
}
