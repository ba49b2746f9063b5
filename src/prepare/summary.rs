//! The readiness report of a file: counts, problems grouped by reason, hashers, and
//! how many users carry each Clerk field.

use std::collections::BTreeMap;

use serde::Serialize;

use super::Item;
use crate::clerk::types::{CreateUserRequest, IdentificationStatus};

/// How many example rows to keep per problem.
const EXAMPLES: usize = 5;

/// How many invalid records to keep whole, for `--verbose`.
pub const DETAILED: usize = 100;

/// One invalid record with everything wrong in it, values included: personal data, shown
/// only when asked for.
#[derive(Debug, Clone, PartialEq)]
pub struct InvalidRecord {
    pub row: u64,
    pub user_id: String,
    pub problems: Vec<crate::user::Problem>,
}

/// What [`PlanSummary::add`] counted for a ready user.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadyCounts {
    hasher: Option<String>,
    coverage: u32,
    dropped: Vec<String>,
}

impl ReadyCounts {
    pub fn of(prepared: &crate::user::Prepared) -> Self {
        let r = &prepared.request;
        Self {
            dropped: prepared.dropped.clone(),
            hasher: r.password_hasher.clone(),
            coverage: covered(r)
                .iter()
                .enumerate()
                .fold(0, |bits, (i, on)| bits | (u32::from(*on) << i)),
        }
    }
}

/// Rows that share one problem.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct ReasonGroup {
    pub count: u64,
    /// The first rows with this problem.
    pub rows: Vec<u64>,
}

/// What a file holds, before anything is sent.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PlanSummary {
    pub total: u64,
    pub ready: u64,
    pub invalid: u64,
    /// `field: reason` → count and first rows.
    pub invalid_by_reason: BTreeMap<String, ReasonGroup>,
    /// Records left out on purpose (soft-deleted, anonymous), by reason.
    pub skipped: u64,
    pub skipped_by_reason: BTreeMap<String, ReasonGroup>,
    /// What ready users lose because Clerk refuses it (`field: why`), by reason.
    pub dropped: BTreeMap<String, ReasonGroup>,
    /// Password hasher → users.
    pub hashers: BTreeMap<String, u64>,
    /// Users whose payload carries each of `FIELDS`.
    coverage: [u64; FIELDS.len()],
    /// Source fields that no mapping used → records that had them.
    pub ignored_fields: BTreeMap<String, u64>,
    /// CSV rows shorter than the header.
    pub short_rows: Vec<u64>,
    /// The first `DETAILED` invalid records, in file order.
    pub invalid_records: Vec<InvalidRecord>,
}

impl PlanSummary {
    pub fn add(&mut self, item: &Item, ignored: &[String]) {
        self.total += 1;
        for name in ignored {
            match self.ignored_fields.get_mut(name) {
                Some(n) => *n += 1,
                None => {
                    self.ignored_fields.insert(name.clone(), 1);
                }
            }
        }
        match item {
            Item::Ready {
                prepared, position, ..
            } => {
                self.ready += 1;
                for why in &prepared.dropped {
                    let group = self.dropped.entry(why.clone()).or_default();
                    group.count += 1;
                    if group.rows.len() < EXAMPLES {
                        group.rows.push(position.row);
                    }
                }
                let r = &prepared.request;
                if let Some(h) = &r.password_hasher {
                    match self.hashers.get_mut(h) {
                        Some(n) => *n += 1,
                        None => {
                            self.hashers.insert(h.clone(), 1);
                        }
                    }
                }
                for (count, on) in self.coverage.iter_mut().zip(covered(r)) {
                    *count += u64::from(on);
                }
            }
            Item::Skipped {
                position, reason, ..
            } => {
                self.skipped += 1;
                let group = self
                    .skipped_by_reason
                    .entry((*reason).to_owned())
                    .or_default();
                group.count += 1;
                if group.rows.len() < EXAMPLES {
                    group.rows.push(position.row);
                }
            }
            Item::Invalid {
                position, problems, ..
            } => {
                self.invalid += 1;
                if self.invalid_records.len() < DETAILED {
                    self.invalid_records.push(InvalidRecord {
                        row: position.row,
                        user_id: item.user_id(),
                        problems: problems.clone(),
                    });
                }
                let mut seen = Vec::new();
                for p in problems {
                    let key = format!("{}: {}", p.field, p.reason);
                    if seen.contains(&key) {
                        continue;
                    }
                    let group = self.invalid_by_reason.entry(key.clone()).or_default();
                    group.count += 1;
                    if group.rows.len() < EXAMPLES {
                        group.rows.push(position.row);
                    }
                    seen.push(key);
                }
            }
        }
    }

    /// Turns a user counted as ready into the invalid `item` (a duplicate found after its
    /// batch was summarised), taking back what `add` counted for it.
    pub fn demote(&mut self, counted: &ReadyCounts, item: &Item) {
        self.ready = self.ready.saturating_sub(1);
        self.total = self.total.saturating_sub(1);
        if let Some(h) = &counted.hasher
            && let Some(n) = self.hashers.get_mut(h)
        {
            *n = n.saturating_sub(1);
            if *n == 0 {
                self.hashers.remove(h);
            }
        }
        for (i, n) in self.coverage.iter_mut().enumerate() {
            if counted.coverage >> i & 1 == 1 {
                *n = n.saturating_sub(1);
            }
        }
        for why in &counted.dropped {
            if let Some(group) = self.dropped.get_mut(why) {
                group.count = group.count.saturating_sub(1);
                if group.count == 0 {
                    self.dropped.remove(why);
                }
            }
        }
        self.add(item, &[]);
        self.invalid_records.sort_by_key(|r| r.row);
    }

    /// Adds a summary of the records that follow this one's.
    pub fn merge(&mut self, other: PlanSummary) {
        self.total += other.total;
        self.ready += other.ready;
        self.invalid += other.invalid;
        self.skipped += other.skipped;
        merge_groups(&mut self.invalid_by_reason, other.invalid_by_reason);
        merge_groups(&mut self.skipped_by_reason, other.skipped_by_reason);
        merge_groups(&mut self.dropped, other.dropped);
        for (h, n) in other.hashers {
            *self.hashers.entry(h).or_default() += n;
        }
        for (mine, n) in self.coverage.iter_mut().zip(other.coverage) {
            *mine += n;
        }
        for (f, n) in other.ignored_fields {
            *self.ignored_fields.entry(f).or_default() += n;
        }
        self.short_rows.extend(other.short_rows);
        let room = DETAILED.saturating_sub(self.invalid_records.len());
        self.invalid_records
            .extend(other.invalid_records.into_iter().take(room));
    }

    /// Clerk field → users whose payload carries it (fields no user has are left out).
    pub fn coverage(&self) -> BTreeMap<&'static str, u64> {
        FIELDS
            .iter()
            .zip(self.coverage)
            .filter(|(_, n)| *n > 0)
            .map(|(f, n)| (*f, n))
            .collect()
    }

    /// Invalid counts by reason, for JSON output.
    pub fn reason_counts(&self) -> BTreeMap<String, u64> {
        counts(&self.invalid_by_reason)
    }

    /// Skipped counts by reason, for JSON output.
    pub fn skip_counts(&self) -> BTreeMap<String, u64> {
        counts(&self.skipped_by_reason)
    }

    /// What ready users lose, by reason, for JSON output.
    pub fn drop_counts(&self) -> BTreeMap<String, u64> {
        counts(&self.dropped)
    }
}

fn counts(groups: &BTreeMap<String, ReasonGroup>) -> BTreeMap<String, u64> {
    groups.iter().map(|(k, g)| (k.clone(), g.count)).collect()
}

fn merge_groups(mine: &mut BTreeMap<String, ReasonGroup>, theirs: BTreeMap<String, ReasonGroup>) {
    for (reason, group) in theirs {
        let into = mine.entry(reason).or_default();
        into.count += group.count;
        let room = EXAMPLES.saturating_sub(into.rows.len());
        into.rows.extend(group.rows.into_iter().take(room));
    }
}

/// The Clerk fields the coverage counts, in `covered`'s order.
const FIELDS: [&str; 24] = [
    "external_id",
    "email_address",
    "email_address (reserved)",
    "phone_number",
    "phone_number (reserved)",
    "username",
    "first_name",
    "last_name",
    "password_digest",
    "totp_secret",
    "backup_codes",
    "public_metadata",
    "private_metadata",
    "unsafe_metadata",
    "created_at",
    "legal_accepted_at",
    "banned",
    "locked",
    "create_organization_enabled",
    "create_organizations_limit",
    "delete_self_enabled",
    "skip_legal_checks",
    "skip_password_checks",
    "bypass_client_trust",
];

/// Which of `FIELDS` a payload sets.
fn covered(r: &CreateUserRequest) -> [bool; FIELDS.len()] {
    [
        r.external_id.is_some(),
        !r.email_address.is_empty(),
        r.email_address_identification_status
            .contains(&IdentificationStatus::Reserved),
        !r.phone_number.is_empty(),
        r.phone_number_identification_status
            .contains(&IdentificationStatus::Reserved),
        r.username.is_some(),
        r.first_name.is_some(),
        r.last_name.is_some(),
        r.password_digest.is_some(),
        r.totp_secret.is_some(),
        !r.backup_codes.is_empty(),
        r.public_metadata.is_some(),
        r.private_metadata.is_some(),
        r.unsafe_metadata.is_some(),
        r.created_at.is_some(),
        r.legal_accepted_at.is_some(),
        r.banned == Some(true),
        r.locked == Some(true),
        r.create_organization_enabled.is_some(),
        r.create_organizations_limit.is_some(),
        r.delete_self_enabled.is_some(),
        r.skip_legal_checks.is_some(),
        r.skip_password_checks.is_some(),
        r.bypass_client_trust.is_some(),
    ]
}
