//! One user compared: what the source says Clerk should hold (the create payload the
//! import would send) against what Clerk returns.

use chrono::DateTime;
use serde_json::{Map, Value, json};

use crate::clerk::types::{IdentificationStatus, User};
use crate::user::Prepared;
use crate::user::validate::FollowUp;

/// One field that differs.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldDiff {
    pub field: &'static str,
    pub expected: Value,
    pub actual: Value,
}

/// Every field the comparison covers, in report order.
pub const FIELDS: [&str; 16] = [
    "external_id",
    "email_addresses",
    "primary_email_address",
    "phone_numbers",
    "primary_phone_number",
    "username",
    "first_name",
    "last_name",
    "public_metadata",
    "private_metadata",
    "unsafe_metadata",
    "created_at",
    "banned",
    "password_enabled",
    "totp_enabled",
    "backup_code_enabled",
];

fn state(reserved: bool, verified: bool) -> &'static str {
    if reserved {
        "reserved"
    } else if verified {
        "verified"
    } else {
        "unverified"
    }
}

/// `value (state)` for each identifier, sorted, so order never counts as drift.
fn identifiers(mut list: Vec<(String, &'static str)>) -> Value {
    list.sort();
    Value::Array(
        list.into_iter()
            .map(|(v, s)| Value::String(format!("{v} ({s})")))
            .collect(),
    )
}

fn expected_identifiers(
    values: &[String],
    statuses: &[IdentificationStatus],
    unverified: impl Iterator<Item = String>,
    fold: fn(&str) -> String,
) -> Value {
    let mut list: Vec<(String, &'static str)> = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let reserved = statuses.get(i) == Some(&IdentificationStatus::Reserved);
            (fold(v), state(reserved, !reserved))
        })
        .collect();
    list.extend(unverified.map(|v| (fold(&v), "unverified")));
    identifiers(list)
}

fn lower(s: &str) -> String {
    s.to_lowercase()
}

fn same(s: &str) -> String {
    s.to_owned()
}

fn text(v: Option<&str>) -> Value {
    v.map_or(Value::Null, |s| Value::String(s.to_owned()))
}

fn object(m: Option<&Map<String, Value>>) -> Value {
    Value::Object(m.cloned().unwrap_or_default())
}

/// Milliseconds since the epoch of an RFC 3339 time, as Clerk stores `created_at`.
fn millis(t: &str) -> Value {
    DateTime::parse_from_rfc3339(t)
        .map_or(Value::String(t.to_owned()), |d| json!(d.timestamp_millis()))
}

/// The fields that differ between what the source says and what Clerk holds.
pub fn compare(expected: &Prepared, actual: &User) -> Vec<FieldDiff> {
    let r = &expected.request;
    let unverified_emails = expected.follow_ups.iter().filter_map(|f| match f {
        FollowUp::UnverifiedEmail(e) => Some(e.clone()),
        FollowUp::UnverifiedPhone(_) => None,
    });
    let unverified_phones = expected.follow_ups.iter().filter_map(|f| match f {
        FollowUp::UnverifiedPhone(p) => Some(p.clone()),
        FollowUp::UnverifiedEmail(_) => None,
    });
    let primary_email = actual
        .email_addresses
        .iter()
        .find(|e| e.id.is_some() && e.id == actual.primary_email_address_id)
        .map(|e| e.email_address.to_lowercase());
    let primary_phone = actual
        .phone_numbers
        .iter()
        .find(|p| p.id.is_some() && p.id == actual.primary_phone_number_id)
        .map(|p| p.phone_number.clone());
    let pairs: [(&'static str, Value, Value); 16] = [
        (
            "external_id",
            text(r.external_id.as_deref()),
            text(actual.external_id.as_deref()),
        ),
        (
            "email_addresses",
            expected_identifiers(
                &r.email_address,
                &r.email_address_identification_status,
                unverified_emails,
                lower,
            ),
            identifiers(
                actual
                    .email_addresses
                    .iter()
                    .map(|e| {
                        (
                            e.email_address.to_lowercase(),
                            state(e.reserved, e.is_verified()),
                        )
                    })
                    .collect(),
            ),
        ),
        (
            "primary_email_address",
            text(r.email_address.first().map(|e| e.to_lowercase()).as_deref()),
            text(primary_email.as_deref()),
        ),
        (
            "phone_numbers",
            expected_identifiers(
                &r.phone_number,
                &r.phone_number_identification_status,
                unverified_phones,
                same,
            ),
            identifiers(
                actual
                    .phone_numbers
                    .iter()
                    .map(|p| (p.phone_number.clone(), state(p.reserved, p.is_verified())))
                    .collect(),
            ),
        ),
        (
            "primary_phone_number",
            text(r.phone_number.first().map(String::as_str)),
            text(primary_phone.as_deref()),
        ),
        (
            "username",
            text(r.username.as_deref().map(lower).as_deref()),
            text(actual.username.as_deref().map(lower).as_deref()),
        ),
        (
            "first_name",
            text(r.first_name.as_deref()),
            text(actual.first_name.as_deref()),
        ),
        (
            "last_name",
            text(r.last_name.as_deref()),
            text(actual.last_name.as_deref()),
        ),
        (
            "public_metadata",
            object(r.public_metadata.as_ref()),
            object(Some(&actual.public_metadata)),
        ),
        (
            "private_metadata",
            object(r.private_metadata.as_ref()),
            object(actual.private_metadata.as_ref()),
        ),
        (
            "unsafe_metadata",
            object(r.unsafe_metadata.as_ref()),
            object(Some(&actual.unsafe_metadata)),
        ),
        (
            "created_at",
            r.created_at.as_deref().map_or(Value::Null, millis),
            // Without a source time Clerk stamps the create: nothing to compare.
            if r.created_at.is_some() {
                json!(actual.created_at)
            } else {
                Value::Null
            },
        ),
        (
            "banned",
            json!(r.banned == Some(true)),
            json!(actual.banned),
        ),
        (
            "password_enabled",
            json!(r.password_digest.is_some()),
            json!(actual.password_enabled),
        ),
        (
            "totp_enabled",
            json!(r.totp_secret.is_some()),
            json!(actual.totp_enabled),
        ),
        (
            "backup_code_enabled",
            json!(!r.backup_codes.is_empty()),
            json!(actual.backup_code_enabled),
        ),
    ];
    pairs
        .into_iter()
        .filter(|(_, e, a)| e != a)
        .map(|(field, expected, actual)| FieldDiff {
            field,
            expected,
            actual,
        })
        .collect()
}
