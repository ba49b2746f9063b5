//! Reading back the organizations orgs runs put in Clerk: each organization's name, slug,
//! metadata, limit and creation time, then each member the runs added, with its role,
//! compared with the organization file. Members somebody else added since are not drift.

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::clerk::paced::{Unrecorded, all_pages, paced};
use crate::clerk::types::{Membership, Organization};
use crate::clerk::{ClerkClient, ClientError, Pacer, RetryPolicy};
use crate::ledger::entry::DriftField;
use crate::ledger::orgs::{OrgsDone, SOURCE_ID_KEY};
use crate::orgs::check::slug_for;
use crate::orgs::file::Org;
use crate::orgs::roles::RoleMap;
use crate::orgs::send::{JOINED_AT_KEY, TEAMS_KEY};

/// Members per page (Clerk's maximum).
const PAGE: u32 = 500;

/// What Clerk holds for one organization of the file.
#[derive(Debug, Clone, PartialEq)]
pub enum OrgOutcome {
    /// No orgs run of this instance put it in Clerk.
    NotMigrated,
    /// The Clerk organization the log names is gone.
    Missing { clerk_id: String },
    /// The organization and its members, with any differences (empty: it matches).
    Checked {
        clerk_id: String,
        fields: Vec<DriftField>,
        /// Members the runs added that are checked, and of those, missing or in
        /// another role.
        members: u64,
        members_drifted: u64,
    },
}

/// Reads back each organization of `orgs` that `done` records.
pub async fn check(
    api: (&ClerkClient, &Pacer, &RetryPolicy),
    orgs: &[Org],
    done: &OrgsDone,
    roles: &RoleMap,
) -> Result<Vec<(String, OrgOutcome)>, ClientError> {
    let (client, pacer, policy) = api;
    let mut out = Vec::with_capacity(orgs.len());
    for org in orgs {
        let Some(clerk_id) = done.organizations.get(&org.id) else {
            out.push((org.id.clone(), OrgOutcome::NotMigrated));
            continue;
        };
        let found = paced(pacer, policy, &Unrecorded, || {
            client.get_organization(clerk_id)
        })
        .await;
        let there = match found {
            Ok(o) => o,
            Err(e) if e.api().is_some_and(|a| a.status == 404) => {
                let clerk_id = clerk_id.clone();
                out.push((org.id.clone(), OrgOutcome::Missing { clerk_id }));
                continue;
            }
            Err(e) => return Err(e),
        };
        let mut fields = org_fields(org, &there);
        let members = memberships(api, clerk_id).await?;
        let (checked, drifted) = member_fields(org, done, roles, &members, &mut fields);
        out.push((
            org.id.clone(),
            OrgOutcome::Checked {
                clerk_id: clerk_id.clone(),
                fields,
                members: checked,
                members_drifted: drifted,
            },
        ));
    }
    Ok(out)
}

/// Every membership of the organization, by Clerk user ID.
async fn memberships(
    api: (&ClerkClient, &Pacer, &RetryPolicy),
    org: &str,
) -> Result<HashMap<String, Membership>, ClientError> {
    let (client, pacer, policy) = api;
    let all = all_pages(pacer, policy, |offset| {
        client.list_memberships(org, PAGE, offset)
    })
    .await?;
    Ok(all
        .into_iter()
        .filter_map(|m| Some((m.public_user_data.as_ref()?.user_id.clone(), m)))
        .collect())
}

fn diff(fields: &mut Vec<DriftField>, field: &str, expected: Value, actual: Value) {
    if expected != actual {
        fields.push(DriftField {
            field: field.to_owned(),
            expected,
            actual,
        });
    }
}

/// The organization's own fields against the file.
fn org_fields(org: &Org, there: &Organization) -> Vec<DriftField> {
    let mut fields = Vec::new();
    diff(
        &mut fields,
        "name",
        json!(org.name.trim()),
        json!(there.name),
    );
    diff(&mut fields, "slug", json!(slug_for(org)), json!(there.slug));
    let public = org.public_metadata.clone().unwrap_or_default();
    diff(
        &mut fields,
        "public_metadata",
        Value::Object(public),
        Value::Object(there.public_metadata.clone()),
    );
    let mut private = org.private_metadata.clone().unwrap_or_default();
    private.insert(SOURCE_ID_KEY.to_owned(), json!(org.id));
    diff(
        &mut fields,
        "private_metadata",
        Value::Object(private),
        Value::Object(there.private_metadata.clone()),
    );
    if let Some(max) = org.max_allowed_memberships {
        diff(
            &mut fields,
            "max_allowed_memberships",
            json!(max),
            json!(there.max_allowed_memberships),
        );
    }
    let at = org.created_at.as_deref();
    if let Some(ms) = at.and_then(|a| chrono::DateTime::parse_from_rfc3339(a).ok()) {
        let ms = ms.timestamp_millis();
        diff(
            &mut fields,
            "created_at",
            json!(ms),
            json!(there.created_at),
        );
    }
    fields
}

/// Each member the runs added, against the file: there, in the mapped role, with the
/// joining time kept. Returns how many were checked and how many differ.
fn member_fields(
    org: &Org,
    done: &OrgsDone,
    roles: &RoleMap,
    there: &HashMap<String, Membership>,
    fields: &mut Vec<DriftField>,
) -> (u64, u64) {
    let (mut checked, mut drifted) = (0, 0);
    for m in &org.members {
        let key = (org.id.clone(), m.user_id.clone());
        let Some(clerk_user) = done.memberships.get(&key).filter(|u| !u.is_empty()) else {
            continue;
        };
        checked += 1;
        let role = roles.target(&m.role).map(|t| t.key().to_owned());
        let before = fields.len();
        let field = format!("members.{}", m.user_id);
        match there.get(clerk_user) {
            None => diff(fields, &field, json!({"role": role}), Value::Null),
            Some(found) => {
                diff(
                    fields,
                    &format!("{field}.role"),
                    json!(role),
                    json!(found.role),
                );
                let kept = |key: &str| found.private_metadata.get(key).cloned();
                if let Some(at) = &m.created_at {
                    let actual = kept(JOINED_AT_KEY).unwrap_or(Value::Null);
                    diff(
                        fields,
                        &format!("{field}.{JOINED_AT_KEY}"),
                        json!(at),
                        actual,
                    );
                }
                if !m.teams.is_empty() {
                    let actual = kept(TEAMS_KEY).unwrap_or(Value::Null);
                    diff(
                        fields,
                        &format!("{field}.{TEAMS_KEY}"),
                        json!(m.teams),
                        actual,
                    );
                }
            }
        }
        if fields.len() > before {
            drifted += 1;
        }
    }
    (checked, drifted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::orgs::file::Member;
    use serde_json::Map;

    #[test]
    fn fields_and_members_are_compared_with_the_file() {
        let org = Org {
            id: "o1".into(),
            name: "Acme".into(),
            slug: None,
            created_at: Some("2021-03-04T05:06:07Z".into()),
            public_metadata: None,
            private_metadata: Some(Map::from_iter([("crm".to_owned(), json!(7))])),
            max_allowed_memberships: None,
            members: vec![
                Member {
                    user_id: "u1".into(),
                    role: "owner".into(),
                    created_at: None,
                    teams: Vec::new(),
                },
                Member {
                    user_id: "u2".into(),
                    role: "member".into(),
                    created_at: None,
                    teams: Vec::new(),
                },
                Member {
                    user_id: "u3".into(),
                    role: "member".into(),
                    created_at: None,
                    teams: Vec::new(),
                },
            ],
            invitations: Vec::new(),
        };
        let there = Organization {
            id: "org_1".into(),
            name: "Acme Inc".into(),
            slug: Some("acme".into()),
            max_allowed_memberships: Some(0),
            public_metadata: Map::new(),
            private_metadata: Map::from_iter([
                ("crm".to_owned(), json!(7)),
                (SOURCE_ID_KEY.to_owned(), json!("o1")),
            ]),
            created_at: Some(1_614_834_367_000),
        };
        let fields = org_fields(&org, &there);
        let names: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(names, ["name"]);

        let mut done = OrgsDone::default();
        for (u, c) in [("u1", "user_1"), ("u2", "user_2")] {
            done.memberships
                .insert(("o1".to_owned(), u.to_owned()), c.to_owned());
        }
        let member = |role: &str| Membership {
            id: "orgmem_1".into(),
            role: role.into(),
            created_at: None,
            private_metadata: Map::new(),
            public_user_data: None,
        };
        let there = HashMap::from([("user_1".to_owned(), member("org:member"))]);
        let mut fields = Vec::new();
        let counts = member_fields(&org, &done, &RoleMap::default(), &there, &mut fields);
        assert_eq!(counts, (2, 2), "u3 was never sent: not checked");
        assert_eq!(fields[0].field, "members.u1.role");
        assert_eq!(fields[0].expected, json!("org:admin"));
        assert_eq!(fields[1].field, "members.u2");
        assert_eq!(fields[1].actual, Value::Null);
    }
}
