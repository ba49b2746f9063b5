//! Clerk to Clerk: every user of an instance through `GET /v1/users`, 500 a page in
//! creation order, paced and retried like every call, written in the shape of Clerk's
//! Dashboard JSON export that `-t clerk` reads. Clerk's API returns no password digests.

use serde_json::{Map, Value, json};

use crate::clerk::paced::{Unrecorded, paced};
use crate::clerk::types::{User, UserQuery};
use crate::clerk::{ClerkClient, ClientError, Pacer, RetryPolicy};

/// Users per page: the list endpoint's maximum.
pub const PAGE: u32 = 500;

/// One page of users, oldest first.
pub async fn page(
    client: &ClerkClient,
    pacer: &Pacer,
    policy: &RetryPolicy,
    offset: u32,
) -> Result<Vec<User>, ClientError> {
    let query = UserQuery {
        limit: Some(PAGE),
        offset: Some(offset),
        order_by: Some("+created_at".to_owned()),
        ..UserQuery::default()
    };
    paced(pacer, policy, &Unrecorded, || client.list_users(&query)).await
}

/// A user as the Dashboard's JSON export lays it out.
pub fn record(u: &User) -> Value {
    let primary_email = u
        .email_addresses
        .iter()
        .find(|e| e.id.is_some() && e.id == u.primary_email_address_id);
    let primary_phone = u
        .phone_numbers
        .iter()
        .find(|p| p.id.is_some() && p.id == u.primary_phone_number_id);
    let emails = |verified: bool| -> Vec<&str> {
        u.email_addresses
            .iter()
            .filter(|e| e.is_verified() == verified)
            .map(|e| e.email_address.as_str())
            .collect()
    };
    let phones = |verified: bool| -> Vec<&str> {
        u.phone_numbers
            .iter()
            .filter(|p| p.is_verified() == verified)
            .map(|p| p.phone_number.as_str())
            .collect()
    };
    let mut out = Map::new();
    let mut put = |k: &str, v: Value| {
        if !v.is_null() {
            out.insert(k.to_owned(), v);
        }
    };
    put("id", json!(u.id));
    put("first_name", json!(u.first_name));
    put("last_name", json!(u.last_name));
    put("username", json!(u.username));
    put(
        "primary_email_address",
        json!(
            primary_email
                .filter(|e| e.is_verified())
                .map(|e| &e.email_address)
        ),
    );
    put("verified_email_addresses", json!(emails(true)));
    put("unverified_email_addresses", json!(emails(false)));
    put(
        "primary_phone_number",
        json!(
            primary_phone
                .filter(|p| p.is_verified())
                .map(|p| &p.phone_number)
        ),
    );
    put("verified_phone_numbers", json!(phones(true)));
    put("unverified_phone_numbers", json!(phones(false)));
    put("public_metadata", json!(u.public_metadata));
    put("private_metadata", json!(u.private_metadata));
    put("unsafe_metadata", json!(u.unsafe_metadata));
    put("created_at", json!(u.created_at));
    put("banned", json!(u.banned));
    put("locked", json!(u.locked));
    put("legal_accepted_at", json!(u.legal_accepted_at));
    put("delete_self_enabled", json!(u.delete_self_enabled));
    put(
        "create_organization_enabled",
        json!(u.create_organization_enabled),
    );
    put(
        "create_organizations_limit",
        json!(u.create_organizations_limit),
    );
    Value::Object(out)
}
