//! The live preflight: read-only checks of a file's ready users against the instance
//! they are going to. Which users are already there (by `external_id`), which would clash
//! with another user's email, phone or username, and what the instance's sign-up settings
//! would refuse or drop. Nothing is written: only `GET`s, through the import's pacer.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::Value;

use crate::clerk::paced::{Unrecorded, paced};
use crate::clerk::types::{Instance, User, UserQuery};
use crate::clerk::{ClerkClient, ClientError, Pacer, RetryPolicy};
use crate::user::Prepared;
use crate::user::validate::FollowUp;

/// Values per lookup request, as Clerk's filters take them.
const PER_REQUEST: usize = 100;

/// What the preflight needs of one ready user.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub row: u64,
    pub external_id: String,
    /// Sent in the create, and added after it (unverified ones in `--unverified add` mode).
    pub emails: Vec<String>,
    pub created_emails: usize,
    pub phones: Vec<String>,
    pub created_phones: usize,
    pub username: Option<String>,
    pub has_first_name: bool,
    pub has_last_name: bool,
    pub has_password: bool,
    pub has_totp: bool,
    pub has_backup_codes: bool,
}

impl Candidate {
    pub fn of(row: u64, p: &Prepared) -> Self {
        let r = &p.request;
        let mut emails = r.email_address.clone();
        let mut phones = r.phone_number.clone();
        for f in &p.follow_ups {
            match f {
                FollowUp::UnverifiedEmail(e) => emails.push(e.clone()),
                FollowUp::UnverifiedPhone(n) => phones.push(n.clone()),
            }
        }
        Self {
            row,
            external_id: p.external_id.clone(),
            created_emails: r.email_address.len(),
            created_phones: r.phone_number.len(),
            emails,
            phones,
            username: r.username.clone(),
            has_first_name: r.first_name.is_some(),
            has_last_name: r.last_name.is_some(),
            has_password: r.password_digest.is_some(),
            has_totp: r.totp_secret.is_some(),
            has_backup_codes: !r.backup_codes.is_empty(),
        }
    }
}

/// What Clerk would do with one user.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    Create,
    /// A Clerk user already has this `external_id`.
    Exists {
        clerk_id: String,
    },
    /// Another Clerk user holds this identifier; the create would fail.
    Conflict {
        field: &'static str,
        clerk_id: String,
    },
    /// The instance's settings would refuse the create.
    Refuse {
        reason: String,
    },
}

impl Verdict {
    /// The word the log and the report use.
    pub fn status(&self) -> &'static str {
        match self {
            Self::Create => "would_create",
            Self::Exists { .. } => "exists",
            Self::Conflict { .. } => "conflict",
            Self::Refuse { .. } => "would_refuse",
        }
    }
}

/// The report of a live preflight.
#[derive(Debug)]
pub struct Report {
    pub instance_id: String,
    pub environment: String,
    pub user_count: u64,
    pub existing: u64,
    pub existing_by: BTreeMap<&'static str, u64>,
    pub conflicts: u64,
    pub would_create: u64,
    pub would_refuse: u64,
    pub refuse_by_reason: BTreeMap<String, u64>,
    /// What Clerk would accept but drop without a word, by what.
    pub dropped: BTreeMap<String, u64>,
    /// The sign-up settings, or why they could not be read.
    pub settings: Result<Value, String>,
    pub api_calls: u64,
    /// Each user's verdict, in file order: (row, source ID, verdict).
    pub verdicts: Vec<(u64, String, Verdict)>,
}

impl Report {
    /// Room left under the development instance cap; `None` in production.
    pub fn cap_headroom(&self) -> Option<u64> {
        (self.environment != "production")
            .then(|| crate::clerk::DEV_USER_CAP.saturating_sub(self.user_count))
    }
}

/// The instance's connection, as the import has it.
pub struct Live<'a> {
    pub client: &'a ClerkClient,
    pub pacer: &'a Pacer,
    pub policy: &'a RetryPolicy,
    pub instance: &'a Instance,
}

impl Live<'_> {
    async fn list(&self, query: &UserQuery, calls: &mut u64) -> Result<Vec<User>, ClientError> {
        *calls += 1;
        paced(self.pacer, self.policy, &Unrecorded, || {
            self.client.list_users(query)
        })
        .await
    }

    /// The sign-up settings; `calls` counts the requests.
    pub async fn settings(&self, calls: &mut u64) -> Result<Value, String> {
        sign_up_settings(self.client, self.pacer, self.policy, calls).await
    }
}

/// The sign-up settings through the Frontend API the primary domain names; `calls`
/// counts the requests. Needs no instance: an import asks while it asks which instance
/// the key opens.
pub async fn sign_up_settings(
    client: &ClerkClient,
    pacer: &Pacer,
    policy: &RetryPolicy,
    calls: &mut u64,
) -> Result<Value, String> {
    *calls += 1;
    let domains = paced(pacer, policy, &Unrecorded, || client.list_domains())
        .await
        .map_err(|e| format!("GET /v1/domains failed: {e}"))?;
    let Some(primary) = domains.data.iter().find(|d| !d.is_satellite) else {
        return Err("the instance has no primary domain".to_owned());
    };
    *calls += 1;
    let env = paced(pacer, policy, &Unrecorded, || {
        client.environment(&primary.frontend_api_url)
    })
    .await
    .map_err(|e| format!("the Frontend API's /v1/environment failed: {e}"))?;
    if !env.user_settings["attributes"].is_object() {
        return Err("the Frontend API's user_settings have no attributes".to_owned());
    }
    Ok(env.user_settings)
}

/// A dry run's ledger line for a live verdict.
pub fn verdict_entry(row: u64, user_id: &str, verdict: &Verdict) -> crate::ledger::Entry {
    use crate::ledger::{Entry, Status};
    let mut entry = Entry::new(
        user_id,
        match verdict {
            Verdict::Create => Status::WouldCreate,
            Verdict::Exists { .. } => Status::Exists,
            Verdict::Conflict { .. } => Status::Conflict,
            Verdict::Refuse { .. } => Status::WouldRefuse,
        },
    );
    entry.row = Some(row);
    match verdict {
        Verdict::Exists { clerk_id } => entry.clerk_user_id = Some(clerk_id.clone()),
        Verdict::Conflict { field, clerk_id } => {
            entry.clerk_user_id = Some(clerk_id.clone());
            entry.reason = Some(format!("{field} held by another user"));
        }
        Verdict::Refuse { reason } => entry.reason = Some(reason.clone()),
        Verdict::Create => {}
    }
    entry
}

/// What the import does with a verdict read before it: a user already there is recorded
/// as `already_exists` and a user whose identifier another user holds as an error, both
/// without a create call. Refusals by settings are still sent: Clerk has the last word.
pub fn settled_entry(verdict: &Verdict, user_id: &str, row: u64) -> Option<crate::ledger::Entry> {
    use crate::ledger::{Entry, Status};
    let mut entry = match verdict {
        Verdict::Exists { clerk_id } => Entry {
            clerk_user_id: Some(clerk_id.clone()),
            reason: Some("found by the preflight; no create sent".to_owned()),
            ..Entry::new(user_id, Status::AlreadyExists)
        },
        Verdict::Conflict { field, clerk_id } => Entry {
            error: Some(format!(
                "{field} is held by another user ({clerk_id}), found by the preflight; no create sent"
            )),
            code: Some("422".to_owned()),
            clerk_code: Some("form_identifier_exists".to_owned()),
            ..Entry::new(user_id, Status::Error)
        },
        Verdict::Create | Verdict::Refuse { .. } => return None,
    };
    entry.row = Some(row);
    Some(entry)
}

/// Runs the preflight over `users` (ready users in file order). `settings` are the
/// sign-up settings when the caller has read them already (an import reads them before
/// anything else), so they are not asked for twice.
pub async fn run(
    live: &Live<'_>,
    users: &[Candidate],
    settings: Option<Result<Value, String>>,
) -> Result<Report, ClientError> {
    let mut report = Report {
        instance_id: live.instance.id.clone(),
        environment: live.instance.environment_type.clone(),
        user_count: 0,
        existing: 0,
        existing_by: BTreeMap::new(),
        conflicts: 0,
        would_create: 0,
        would_refuse: 0,
        refuse_by_reason: BTreeMap::new(),
        dropped: BTreeMap::new(),
        settings: Err("not read".to_owned()),
        api_calls: 0,
        verdicts: Vec::new(),
    };
    let mut calls = 0;
    let everyone = UserQuery::default();
    report.user_count = {
        calls += 1;
        paced(live.pacer, live.policy, &Unrecorded, || {
            live.client.count_users(&everyone)
        })
        .await?
    };
    report.settings = match settings {
        Some(known) => known,
        None => live.settings(&mut calls).await,
    };

    // Users already there, by external_id.
    let mut exists: HashMap<String, String> = HashMap::new();
    let ids = users.iter().map(|c| c.external_id.clone());
    for u in lookup(live, ids, |q, v| q.external_id = v, &mut calls).await? {
        if let Some(x) = u.external_id {
            exists.insert(x, u.id);
        }
    }
    // Identifiers held by other users, for those not found: emails, phones, usernames.
    let pending: Vec<&Candidate> = users
        .iter()
        .filter(|c| !exists.contains_key(&c.external_id))
        .collect();
    let held = holders(live, &pending, &mut calls).await?;

    for c in users {
        let verdict = if let Some(id) = exists.get(&c.external_id) {
            Verdict::Exists {
                clerk_id: id.clone(),
            }
        } else if let Some((field, id)) = held.conflict(c) {
            Verdict::Conflict {
                field,
                clerk_id: id,
            }
        } else if let Some(reason) = report.settings.as_ref().ok().and_then(|s| refusal(s, c)) {
            Verdict::Refuse { reason }
        } else {
            Verdict::Create
        };
        match &verdict {
            Verdict::Create => report.would_create += 1,
            Verdict::Exists { .. } => {
                report.existing += 1;
                *report.existing_by.entry("external_id").or_default() += 1;
            }
            Verdict::Conflict { field, .. } => {
                report.conflicts += 1;
                *report.existing_by.entry(field).or_default() += 1;
            }
            Verdict::Refuse { reason } => {
                report.would_refuse += 1;
                *report.refuse_by_reason.entry(reason.clone()).or_default() += 1;
            }
        }
        if matches!(verdict, Verdict::Create)
            && let Ok(settings) = &report.settings
        {
            for what in drops(settings, c) {
                *report.dropped.entry(what.to_owned()).or_default() += 1;
            }
        }
        report
            .verdicts
            .push((c.row, c.external_id.clone(), verdict));
    }
    report.api_calls = calls;
    Ok(report)
}

/// Who holds which identifier, among the values the candidates carry.
#[derive(Default)]
struct Held {
    emails: HashMap<String, String>,
    phones: HashMap<String, String>,
    usernames: HashMap<String, String>,
}

impl Held {
    fn conflict(&self, c: &Candidate) -> Option<(&'static str, String)> {
        let email = c
            .emails
            .iter()
            .find_map(|e| self.emails.get(&e.to_lowercase()));
        if let Some(id) = email {
            return Some(("email_address", id.clone()));
        }
        if let Some(id) = c.phones.iter().find_map(|p| self.phones.get(p)) {
            return Some(("phone_number", id.clone()));
        }
        c.username
            .as_ref()
            .and_then(|u| self.usernames.get(&u.to_lowercase()))
            .map(|id| ("username", id.clone()))
    }
}

async fn holders(
    live: &Live<'_>,
    pending: &[&Candidate],
    calls: &mut u64,
) -> Result<Held, ClientError> {
    let mut held = Held::default();
    let emails = pending
        .iter()
        .flat_map(|c| c.emails.iter().map(|e| e.to_lowercase()));
    for u in lookup(live, emails, |q, v| q.email_address = v, calls).await? {
        for e in &u.email_addresses {
            held.emails
                .insert(e.email_address.to_lowercase(), u.id.clone());
        }
    }
    let phones = pending.iter().flat_map(|c| c.phones.iter().cloned());
    for u in lookup(live, phones, |q, v| q.phone_number = v, calls).await? {
        for p in &u.phone_numbers {
            held.phones.insert(p.phone_number.clone(), u.id.clone());
        }
    }
    let usernames = pending
        .iter()
        .filter_map(|c| c.username.as_ref().map(|u| u.to_lowercase()));
    for u in lookup(live, usernames, |q, v| q.username = v, calls).await? {
        if let Some(name) = &u.username {
            held.usernames.insert(name.to_lowercase(), u.id.clone());
        }
    }
    Ok(held)
}

/// The users holding any of `values` (each asked once), 100 values a request; `set` puts
/// a chunk into the filter it belongs to.
async fn lookup(
    live: &Live<'_>,
    values: impl Iterator<Item = String>,
    set: impl Fn(&mut UserQuery, Vec<String>),
    calls: &mut u64,
) -> Result<Vec<User>, ClientError> {
    let mut seen = HashSet::new();
    let unique: Vec<String> = values.filter(|v| seen.insert(v.clone())).collect();
    let mut found = Vec::new();
    for chunk in unique.chunks(PER_REQUEST) {
        let mut query = UserQuery {
            limit: Some(PER_REQUEST as u32),
            ..UserQuery::default()
        };
        set(&mut query, chunk.to_vec());
        found.extend(live.list(&query, calls).await?);
    }
    Ok(found)
}

fn attribute(settings: &Value, name: &str) -> (bool, bool) {
    let a = &settings["attributes"][name];
    (
        a["enabled"].as_bool().unwrap_or(false),
        a["required"].as_bool().unwrap_or(false),
    )
}

/// True when a password is the only way to sign in: no identifier offers another first
/// factor and no social connection is on. Clerk then refuses `skip_password_requirement`.
pub fn password_only(settings: &Value) -> bool {
    let other = ["email_address", "phone_number", "username"]
        .iter()
        .any(|n| {
            settings["attributes"][n]["first_factors"]
                .as_array()
                .is_some_and(|f| f.iter().any(|s| s.as_str() != Some("password")))
        });
    let social = settings["social"]
        .as_object()
        .is_some_and(|s| s.values().any(|p| p["enabled"].as_bool() == Some(true)));
    attribute(settings, "password").0 && !other && !social
}

/// Why the instance's username rules (`user_settings.username_settings`: 4 to 64
/// characters by default; letters, digits, `_` and `-`; not digits alone) would refuse
/// `username`. Settings without the rules are not guessed at.
fn username_refusal(settings: &Value, username: &str) -> Option<String> {
    let rules = settings
        .get("username_settings")
        .filter(|r| r.is_object())?;
    let min = rules["min_length"].as_u64().unwrap_or(4);
    let max = rules["max_length"].as_u64().unwrap_or(64);
    let length = username.chars().count() as u64;
    if length < min || length > max {
        return Some(format!(
            "username is not {min} to {max} characters long, as the instance requires"
        ));
    }
    if !username
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Some(
            "username holds characters other than letters, digits, '_' and '-'".to_owned(),
        );
    }
    if username.bytes().all(|b| b.is_ascii_digit()) {
        return Some("username is digits alone: it needs a letter, '_' or '-'".to_owned());
    }
    None
}

/// Why the settings would make Clerk refuse this user's create, if they would.
pub fn refusal(settings: &Value, c: &Candidate) -> Option<String> {
    if let Some(why) = c
        .username
        .as_deref()
        .and_then(|u| username_refusal(settings, u))
    {
        return Some(why);
    }
    for (name, has) in [
        ("first_name", c.has_first_name),
        ("last_name", c.has_last_name),
    ] {
        if !has && attribute(settings, name).1 {
            return Some(format!("{name} is required"));
        }
    }
    let given = [
        ("email_address", c.created_emails > 0),
        ("phone_number", c.created_phones > 0),
        ("username", c.username.is_some()),
    ];
    for (name, has) in given {
        let (enabled, required) = attribute(settings, name);
        if has && !enabled {
            return Some(format!("{name} is turned off"));
        }
        if !has && required {
            return Some(format!("{name} is required"));
        }
    }
    let (password_on, password_required) = attribute(settings, "password");
    if c.has_password && !password_on {
        return Some("password is turned off".to_owned());
    }
    if !c.has_password && password_required && password_only(settings) {
        return Some("password is required (password is the only way to sign in)".to_owned());
    }
    None
}

/// What Clerk would accept from this user and drop without a word.
pub fn drops(settings: &Value, c: &Candidate) -> Vec<&'static str> {
    let mut out = Vec::new();
    if c.has_totp && !attribute(settings, "authenticator_app").0 {
        out.push("totp_secret (authenticator app is off)");
    }
    if c.has_backup_codes && !attribute(settings, "backup_code").0 {
        out.push("backup_codes (backup codes are off)");
    }
    out
}

/// Where in the Dashboard a refusal's setting is changed.
pub fn dashboard_hint(reason: &str) -> &'static str {
    if reason.starts_with("password") {
        "Dashboard → User & authentication → Password"
    } else if reason.starts_with("first_name") || reason.starts_with("last_name") {
        "Dashboard → User & authentication → Personal information (first and last name)"
    } else if reason.starts_with("username is") || reason.starts_with("username holds") {
        "Dashboard → User & authentication → Username (length and characters), or fix the usernames in the export"
    } else {
        "Dashboard → User & authentication → Email, phone, username"
    }
}
