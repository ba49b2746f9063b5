//! The readiness report of a file: counts, problems grouped by reason, hashers, and
//! how many users carry each Clerk field.

use std::collections::BTreeMap;

use serde::Serialize;

use super::Item;
use crate::clerk::types::{CreateUserRequest, IdentificationStatus};

/// How many example rows to keep per problem.
const EXAMPLES: usize = 5;

/// Rows that share one problem.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct ReasonGroup {
    pub count: u64,
    /// The first rows with this problem.
    pub rows: Vec<u64>,
}

/// What a file holds, before anything is sent.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct PlanSummary {
    pub total: u64,
    pub ready: u64,
    pub invalid: u64,
    /// `field: reason` → count and first rows.
    pub invalid_by_reason: BTreeMap<String, ReasonGroup>,
    /// Password hasher → users.
    pub hashers: BTreeMap<String, u64>,
    /// Clerk field → users whose payload carries it.
    pub coverage: BTreeMap<String, u64>,
    /// Source fields that no mapping used → records that had them.
    pub ignored_fields: BTreeMap<String, u64>,
    /// CSV rows shorter than the header.
    pub short_rows: Vec<u64>,
}

impl PlanSummary {
    pub fn add(&mut self, item: &Item, ignored: &[String]) {
        self.total += 1;
        for name in ignored {
            *self.ignored_fields.entry(name.clone()).or_default() += 1;
        }
        match item {
            Item::Ready { prepared, .. } => {
                self.ready += 1;
                let r = &prepared.request;
                if let Some(h) = &r.password_hasher {
                    *self.hashers.entry(h.clone()).or_default() += 1;
                }
                for field in covered(r) {
                    *self.coverage.entry(field.to_owned()).or_default() += 1;
                }
            }
            Item::Invalid {
                position, problems, ..
            } => {
                self.invalid += 1;
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

    /// Invalid counts by reason, for JSON output.
    pub fn reason_counts(&self) -> BTreeMap<String, u64> {
        self.invalid_by_reason
            .iter()
            .map(|(k, g)| (k.clone(), g.count))
            .collect()
    }
}

/// The Clerk fields a payload sets.
fn covered(r: &CreateUserRequest) -> Vec<&'static str> {
    let mut out = Vec::new();
    let mut mark = |on: bool, name: &'static str| {
        if on {
            out.push(name);
        }
    };
    mark(r.external_id.is_some(), "external_id");
    mark(!r.email_address.is_empty(), "email_address");
    mark(
        r.email_address_identification_status
            .contains(&IdentificationStatus::Reserved),
        "email_address (reserved)",
    );
    mark(!r.phone_number.is_empty(), "phone_number");
    mark(
        r.phone_number_identification_status
            .contains(&IdentificationStatus::Reserved),
        "phone_number (reserved)",
    );
    mark(r.username.is_some(), "username");
    mark(r.first_name.is_some(), "first_name");
    mark(r.last_name.is_some(), "last_name");
    mark(r.password_digest.is_some(), "password_digest");
    mark(r.totp_secret.is_some(), "totp_secret");
    mark(!r.backup_codes.is_empty(), "backup_codes");
    mark(r.public_metadata.is_some(), "public_metadata");
    mark(r.private_metadata.is_some(), "private_metadata");
    mark(r.unsafe_metadata.is_some(), "unsafe_metadata");
    mark(r.created_at.is_some(), "created_at");
    mark(r.legal_accepted_at.is_some(), "legal_accepted_at");
    mark(r.banned == Some(true), "banned");
    mark(r.locked == Some(true), "locked");
    mark(
        r.create_organization_enabled.is_some(),
        "create_organization_enabled",
    );
    mark(
        r.create_organizations_limit.is_some(),
        "create_organizations_limit",
    );
    mark(r.delete_self_enabled.is_some(), "delete_self_enabled");
    mark(r.skip_legal_checks.is_some(), "skip_legal_checks");
    mark(r.skip_password_checks.is_some(), "skip_password_checks");
    mark(r.bypass_client_trust.is_some(), "bypass_client_trust");
    out
}
