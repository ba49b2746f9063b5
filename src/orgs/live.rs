//! `migrate orgs --dry-run --live`: the offline checks, plus what the instance would do,
//! asked read-only: organizations on, the roles the file needs, each organization's
//! membership limit, slugs already taken, and the members found in Clerk.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde_json::Value;

use super::check::slug_for;
use super::file::Org;
use super::members;
use super::ready::{self, ReadyError};
use super::roles::RoleMap;
use crate::clerk::paced::{Unrecorded, paced};
use crate::clerk::{ClerkClient, ClientError, Pacer, RetryPolicy};
use crate::ledger::orgs::{OrgsDone, SOURCE_ID_KEY};

/// An organization the instance would refuse, or take differently than asked.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    pub organization: String,
    pub what: String,
}

/// What the instance says about the file.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct LiveOrgs {
    pub enabled: bool,
    pub creator_role: Option<String>,
    pub instance_roles: Vec<String>,
    /// Source role → the instance role it needs and the instance lacks.
    pub missing_roles: BTreeMap<String, String>,
    /// Members an organization may have when its own limit is not given (0: no limit).
    pub membership_limit: i64,
    /// Organizations with more members than their limit, slugs taken by somebody else's.
    pub findings: Vec<Finding>,
    /// Organizations an earlier run (or one that stopped before logging) already created.
    pub already_there: u64,
    /// Distinct members found in Clerk (through the import logs, by external_id), and not.
    pub members_found: u64,
    pub members_missing: u64,
    pub api_calls: u64,
}

impl LiveOrgs {
    /// Whether anything would stop or change the run.
    pub fn clean(&self) -> bool {
        self.enabled
            && self.missing_roles.is_empty()
            && self.findings.is_empty()
            && self.members_missing == 0
    }
}

/// Asks the instance about `orgs` (those the offline checks passed); `done` is what the
/// orgs logs of this instance record, `logs` its import logs.
pub async fn check(
    api: (&ClerkClient, &Pacer, &RetryPolicy),
    orgs: &[Org],
    map: &RoleMap,
    done: &OrgsDone,
    logs: &[PathBuf],
) -> Result<LiveOrgs, LiveError> {
    let (client, pacer, policy) = api;
    let mut live = LiveOrgs::default();
    let ready = match ready::read(client, pacer, policy).await {
        Ok(r) => r,
        Err(ReadyError::Disabled) => {
            live.api_calls = 1;
            return Ok(live);
        }
        Err(e) => return Err(e.into()),
    };
    live.api_calls = 2;
    live.enabled = true;
    live.missing_roles = ready::missing_roles(&ready, orgs, map);
    live.instance_roles = ready.roles.iter().cloned().collect();
    live.creator_role = Some(ready.settings.creator_role.clone());
    live.membership_limit = ready.settings.max_allowed_memberships;
    for org in orgs {
        let limit = match org.max_allowed_memberships {
            Some(n) => n as i64,
            None => live.membership_limit,
        };
        if limit > 0 && org.members.len() as i64 > limit {
            live.findings.push(Finding {
                organization: org.id.clone(),
                what: format!(
                    "{} members, but the instance allows {limit} an organization (Clerk Dashboard → Organizations → Settings, or the plan's seats)",
                    org.members.len()
                ),
            });
        }
    }
    for org in orgs
        .iter()
        .filter(|o| !done.organizations.contains_key(&o.id))
    {
        let Some(slug) = slug_for(org) else { continue };
        live.api_calls += 1;
        match paced(pacer, policy, &Unrecorded, || {
            client.get_organization(&slug)
        })
        .await
        {
            Ok(there) => {
                let source = there
                    .private_metadata
                    .get(SOURCE_ID_KEY)
                    .and_then(Value::as_str);
                if source == Some(org.id.as_str()) {
                    live.already_there += 1;
                } else {
                    live.findings.push(Finding {
                        organization: org.id.clone(),
                        what: format!(
                            "slug {slug:?} is taken by organization {}, which this tool did not create for it: give it another slug in the file",
                            there.id
                        ),
                    });
                }
            }
            Err(e) if e.api().is_some_and(|a| a.status == 404) => {}
            Err(e) => return Err(e.into()),
        }
    }
    let wanted: BTreeSet<String> = orgs
        .iter()
        .flat_map(|o| o.members.iter().map(|m| m.user_id.clone()))
        .collect();
    let found = members::resolve(client, pacer, policy, logs, &wanted).await?;
    live.api_calls += found.lookups;
    live.members_found = found.clerk.len() as u64;
    live.members_missing = wanted.len() as u64 - live.members_found;
    Ok(live)
}

#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    #[error(transparent)]
    Ready(#[from] ReadyError),
    #[error(transparent)]
    Members(#[from] members::MembersError),
    #[error("the instance could not be asked")]
    Clerk(#[from] ClientError),
}
