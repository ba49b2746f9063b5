//! A Clerk instance's organizations, read through the Backend API into the tool's
//! organization file: each organization oldest first, 500 a page, then its members, 500
//! a page, each by the Clerk user ID the users' export gives as their source ID, and its
//! pending invitations.

use serde_json::Value;

use super::orgs::OrgsExport;
use crate::clerk::paced::all_pages;
use crate::clerk::types::Organization;
use crate::clerk::{ClerkClient, ClientError, Pacer, RetryPolicy};
use crate::ledger::orgs::SOURCE_ID_KEY;
use crate::orgs::file::{Invitation, Member, Org};

/// Clerk's largest page.
const PAGE: u32 = 500;

fn rfc3339(ms: Option<i64>) -> Option<String> {
    let t = chrono::DateTime::from_timestamp_millis(ms?)?;
    Some(t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
}

/// An organization of the source instance as the file has it. A `migrate_source_id` the
/// source organization carries (it came from an earlier migration) is left out: the
/// next run writes its own.
fn org_of(o: Organization) -> Org {
    let mut private = o.private_metadata;
    private.remove(SOURCE_ID_KEY);
    Org {
        id: o.id,
        name: o.name,
        slug: o.slug,
        created_at: rfc3339(o.created_at),
        public_metadata: (!o.public_metadata.is_empty()).then_some(o.public_metadata),
        private_metadata: (!private.is_empty()).then_some(private),
        max_allowed_memberships: o
            .max_allowed_memberships
            .filter(|n| *n > 0)
            .map(|n| n as u64),
        members: Vec::new(),
        invitations: Vec::new(),
    }
}

/// Every organization of the instance with its members.
pub async fn read(
    client: &ClerkClient,
    pacer: &Pacer,
    policy: &RetryPolicy,
) -> Result<(Vec<Org>, OrgsExport), ClientError> {
    let all = all_pages(pacer, policy, |offset| {
        client.list_organizations(PAGE, offset)
    })
    .await?;
    let mut orgs: Vec<Org> = all.into_iter().map(org_of).collect();
    let mut summary = OrgsExport::default();
    for org in &mut orgs {
        let members = all_pages(pacer, policy, |offset| {
            client.list_memberships(&org.id, PAGE, offset)
        })
        .await?;
        for m in members {
            let Some(user) = m.public_user_data else {
                summary.orphans += 1;
                continue;
            };
            let teams = match m.private_metadata.get(crate::orgs::send::TEAMS_KEY) {
                Some(Value::Array(t)) => t
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect(),
                _ => Vec::new(),
            };
            org.members.push(Member {
                user_id: user.user_id,
                role: m.role,
                created_at: rfc3339(m.created_at),
                teams,
            });
        }
        summary.members += org.members.len() as u64;
        let pending = all_pages(pacer, policy, |offset| {
            client.list_pending_invitations(&org.id, PAGE, offset)
        })
        .await?;
        for i in pending {
            *summary.invitations.entry("pending".to_owned()).or_default() += 1;
            org.invitations.push(Invitation {
                email_address: i.email_address,
                role: i.role.unwrap_or_else(|| "org:member".to_owned()),
                status: Some("pending".to_owned()),
            });
        }
    }
    summary.organizations = orgs.len() as u64;
    Ok((orgs, summary))
}
