//! Clerk to Clerk: every user of an instance through `GET /v1/users`, 500 a page in
//! creation order, paced and retried like every call, written in the shape of Clerk's
//! Dashboard JSON export that `-t clerk` reads. Clerk's API returns no password digests.
//!
//! Pages follow a cursor on `created_at`, not an offset: a user deleted during the
//! export would shift every later offset by one and push a user who still exists off
//! the page boundary. Imported users often share a `created_at` to the millisecond, so
//! the cursor re-reads the group of users at its boundary time and keeps the IDs it has
//! seen there; a group too big for that is read whole by offset within its one
//! millisecond, pass after pass until a pass finds nobody new.

use std::collections::HashSet;

use serde_json::{Map, Value, json};

use crate::clerk::paced::{Unrecorded, paced};
use crate::clerk::types::{User, UserQuery};
use crate::clerk::{ClerkClient, ClientError, Pacer, RetryPolicy};

/// Users per page: the list endpoint's maximum.
pub const PAGE: u32 = 500;

/// Users seen at the boundary time beyond which re-reading them with every page costs
/// more than reading their group on its own.
const GROUP_READ: usize = PAGE as usize / 10;

/// Passes over one millisecond's group at most (each but the last found somebody new,
/// which takes a deletion or creation during the pass).
const GROUP_PASSES: usize = 5;

/// Where an export of an instance's users stands.
#[derive(Debug, Default)]
pub struct Cursor {
    /// The `created_at_after` of the next request.
    after: Option<i64>,
    /// The latest creation time exported, and the users exported at exactly that time.
    boundary: Option<i64>,
    at_boundary: HashSet<String>,
    done: bool,
}

impl Cursor {
    /// Whether `u` is new to the export; records it.
    fn take(&mut self, u: &User) -> bool {
        match self.boundary {
            Some(b) if u.created_at < b => false,
            Some(b) if u.created_at == b => self.at_boundary.insert(u.id.clone()),
            _ => {
                self.boundary = Some(u.created_at);
                self.at_boundary.clear();
                self.at_boundary.insert(u.id.clone());
                true
            }
        }
    }

    /// The next users, oldest first (possibly none); `None` at the end.
    pub async fn next(
        &mut self,
        client: &ClerkClient,
        pacer: &Pacer,
        policy: &RetryPolicy,
    ) -> Result<Option<Vec<User>>, ClientError> {
        if self.done {
            return Ok(None);
        }
        let raw = list(client, pacer, policy, self.after, None, 0).await?;
        let full = raw.len() == PAGE as usize;
        let mut fresh: Vec<User> = raw.into_iter().filter(|u| self.take(u)).collect();
        let Some(b) = self.boundary else {
            self.done = true;
            return Ok(Some(fresh));
        };
        if !full {
            self.done = true;
        } else if !fresh.is_empty() && self.at_boundary.len() <= GROUP_READ {
            // From just before the boundary: its users not yet seen come again.
            self.after = Some(b - 1);
        } else if self.after == Some(b) {
            // Already read whole, yet still returned: `created_at_after` includes its
            // time here, so step a millisecond further.
            self.after = Some(b + 1);
        } else {
            fresh.extend(self.read_group(client, pacer, policy, b).await?);
            self.after = Some(b);
        }
        Ok(Some(fresh))
    }

    /// Every user created at exactly `time` not exported yet.
    async fn read_group(
        &mut self,
        client: &ClerkClient,
        pacer: &Pacer,
        policy: &RetryPolicy,
        time: i64,
    ) -> Result<Vec<User>, ClientError> {
        let mut fresh = Vec::new();
        for _ in 0..GROUP_PASSES {
            let before = fresh.len();
            let mut offset = 0;
            let mut pages = 0;
            loop {
                let raw = list(
                    client,
                    pacer,
                    policy,
                    Some(time - 1),
                    Some(time + 1),
                    offset,
                )
                .await?;
                pages += 1;
                let full = raw.len() == PAGE as usize;
                fresh.extend(
                    raw.into_iter()
                        .filter(|u| u.created_at == time && self.take(u)),
                );
                if !full {
                    break;
                }
                offset += PAGE;
            }
            // One page is one answer: nothing in it can have been shifted past.
            if pages == 1 || fresh.len() == before {
                break;
            }
        }
        Ok(fresh)
    }
}

async fn list(
    client: &ClerkClient,
    pacer: &Pacer,
    policy: &RetryPolicy,
    after: Option<i64>,
    before: Option<i64>,
    offset: u32,
) -> Result<Vec<User>, ClientError> {
    let query = UserQuery {
        limit: Some(PAGE),
        offset: (offset > 0).then_some(offset),
        order_by: Some("+created_at".to_owned()),
        created_at_after: after,
        created_at_before: before,
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
