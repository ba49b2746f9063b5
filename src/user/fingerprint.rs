//! A fingerprint of what was sent for a user, field group by field group: the base
//! `migrate sync` (issue 22) compares a newer export with, to tell which fields the
//! source changed since, without keeping the values (they are personal data, and the
//! file and Clerk hold them). The import writes it on each `success` line.
//!
//! The form is `v1:` and 8 hex digits (the first 4 bytes of SHA-256 of the group's
//! canonical JSON) per group, in [`GROUPS`] order: 100 characters a user, whatever the
//! user holds.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::validate::{FollowUp, Prepared};
use crate::clerk::types::IdentificationStatus;

/// The field groups, in the fingerprint's order. A change to one is one update.
pub const GROUPS: [&str; 12] = [
    "external_id",
    "first_name",
    "last_name",
    "username",
    "public_metadata",
    "private_metadata",
    "unsafe_metadata",
    "banned",
    "password",
    "totp",
    "email_addresses",
    "phone_numbers",
];

const VERSION: &str = "v1:";

/// Identifiers as a set: lower-cased address, verified or not, sorted.
fn identifiers(
    values: &[String],
    statuses: &[IdentificationStatus],
    unverified: impl Iterator<Item = String>,
) -> Value {
    let mut all: Vec<(String, bool)> = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let verified = statuses
                .get(i)
                .is_none_or(|s| *s == IdentificationStatus::Verified);
            (v.to_lowercase(), verified)
        })
        .chain(unverified.map(|v| (v.to_lowercase(), false)))
        .collect();
    all.sort();
    json!(all)
}

/// Each group's value, as it went to Clerk (follow-up steps included).
fn values(p: &Prepared) -> [Value; 12] {
    let r = &p.request;
    let unverified = |email: bool| {
        p.follow_ups.iter().filter_map(move |f| match (f, email) {
            (FollowUp::UnverifiedEmail(e), true) | (FollowUp::UnverifiedPhone(e), false) => {
                Some(e.clone())
            }
            _ => None,
        })
    };
    [
        json!(r.external_id),
        json!(r.first_name),
        json!(r.last_name),
        json!(r.username),
        json!(r.public_metadata),
        json!(r.private_metadata),
        json!(r.unsafe_metadata),
        json!(r.banned.unwrap_or(false)),
        json!([r.password_digest, r.password_hasher]),
        json!(r.totp_secret),
        identifiers(
            &r.email_address,
            &r.email_address_identification_status,
            unverified(true),
        ),
        identifiers(
            &r.phone_number,
            &r.phone_number_identification_status,
            unverified(false),
        ),
    ]
}

fn digest(v: &Value) -> String {
    // serde_json writes object keys in order (no `preserve_order`), so equal values give
    // equal text.
    let text = v.to_string();
    let hash = Sha256::digest(text.as_bytes());
    hash[..4].iter().map(|b| format!("{b:02x}")).collect()
}

/// The fingerprint of what is sent for `p`.
pub fn of(p: &Prepared) -> String {
    let mut out = String::from(VERSION);
    for v in values(p) {
        out.push_str(&digest(&v));
    }
    out
}

/// The groups whose fingerprints differ between `base` and `now`; `None` when either is
/// not a fingerprint of this version (every group must then be compared otherwise).
pub fn changed(base: &str, now: &str) -> Option<Vec<&'static str>> {
    let (a, b) = (base.strip_prefix(VERSION)?, now.strip_prefix(VERSION)?);
    if a.len() != 8 * GROUPS.len() || b.len() != a.len() {
        return None;
    }
    let differ = |i: usize| a.get(i * 8..i * 8 + 8) != b.get(i * 8..i * 8 + 8);
    Some(
        GROUPS
            .iter()
            .enumerate()
            .filter(|(i, _)| differ(*i))
            .map(|(_, g)| *g)
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clerk::types::CreateUserRequest;

    fn prepared(request: CreateUserRequest, follow_ups: Vec<FollowUp>) -> Prepared {
        Prepared {
            external_id: "u1".into(),
            request,
            follow_ups,
            dropped: Vec::new(),
        }
    }

    #[test]
    fn each_group_changes_alone_and_order_or_case_change_nothing() {
        let base = CreateUserRequest {
            external_id: Some("u1".into()),
            first_name: Some("Ada".into()),
            email_address: vec!["a@example.com".into(), "b@example.com".into()],
            password_digest: Some("$2b$10$abc".into()),
            password_hasher: Some("bcrypt".into()),
            ..CreateUserRequest::default()
        };
        let fp = of(&prepared(base.clone(), Vec::new()));
        assert_eq!(fp.len(), 3 + 8 * GROUPS.len());
        let reordered = CreateUserRequest {
            email_address: vec!["B@example.com".into(), "a@example.com".into()],
            ..base.clone()
        };
        assert_eq!(
            changed(&fp, &of(&prepared(reordered, Vec::new()))),
            Some(vec![])
        );
        let renamed = CreateUserRequest {
            first_name: Some("Ada L.".into()),
            password_digest: Some("$2b$10$xyz".into()),
            ..base.clone()
        };
        assert_eq!(
            changed(&fp, &of(&prepared(renamed, Vec::new()))),
            Some(vec!["first_name", "password"])
        );
        let unverified = vec![FollowUp::UnverifiedEmail("c@example.com".into())];
        assert_eq!(
            changed(&fp, &of(&prepared(base, unverified))),
            Some(vec!["email_addresses"])
        );
        assert_eq!(changed("v0:abc", &fp), None);
    }
}
