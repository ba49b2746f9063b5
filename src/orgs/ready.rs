//! What the instance must allow before any organization is sent: organizations turned
//! on, and every role the file's members and invitations map to.

use std::collections::{BTreeMap, BTreeSet};

use super::file::Org;
use super::roles::RoleMap;
use crate::clerk::paced::{Unrecorded, paced};
use crate::clerk::types::OrganizationSettings;
use crate::clerk::{ClerkClient, ClientError, Pacer, RetryPolicy};

/// Where a person turns organizations on, and adds roles.
pub const DASHBOARD_SETTINGS: &str = "Clerk Dashboard → Organizations → Settings";
pub const DASHBOARD_ROLES: &str = "Clerk Dashboard → Organizations → Roles & Permissions";

#[derive(Debug, thiserror::Error)]
pub enum ReadyError {
    #[error("organizations are turned off on this instance: nothing was sent")]
    Disabled,
    #[error(
        "{} source role(s) have no role on this instance ({}); the instance has {}: nothing was sent",
        .missing.len(),
        .missing.iter().map(|(from, to)| format!("{from} → {to}")).collect::<Vec<_>>().join(", "),
        .instance.iter().cloned().collect::<Vec<_>>().join(", ")
    )]
    RolesMissing {
        /// Source role → the instance role it needs.
        missing: BTreeMap<String, String>,
        instance: BTreeSet<String>,
    },
    #[error("the instance's organization settings could not be read")]
    Clerk(#[from] ClientError),
}

impl crate::hint::Hint for ReadyError {
    fn hint(&self) -> Option<String> {
        match self {
            Self::Disabled => Some(format!(
                "turn organizations on in the {DASHBOARD_SETTINGS}, then run the same command again"
            )),
            Self::RolesMissing { .. } => Some(format!(
                "add the roles in the {DASHBOARD_ROLES}, or map them to roles the instance has with --role-map SOURCE=org:KEY"
            )),
            Self::Clerk(e) => crate::hint::Hint::hint(e),
        }
    }
}

/// What the instance allows organizations.
#[derive(Debug, Clone, PartialEq)]
pub struct Ready {
    pub settings: OrganizationSettings,
    pub roles: BTreeSet<String>,
}

/// Asks the instance's organization settings and roles; refuses when organizations are
/// off or a role the file needs is missing.
pub async fn check(
    client: &ClerkClient,
    pacer: &Pacer,
    policy: &RetryPolicy,
    orgs: &[Org],
    map: &RoleMap,
) -> Result<Ready, ReadyError> {
    let ready = read(client, pacer, policy).await?;
    let missing = missing_roles(&ready, orgs, map);
    if !missing.is_empty() {
        return Err(ReadyError::RolesMissing {
            missing,
            instance: ready.roles,
        });
    }
    Ok(ready)
}

/// The instance's organization settings and roles; `Disabled` when organizations are off.
pub async fn read(
    client: &ClerkClient,
    pacer: &Pacer,
    policy: &RetryPolicy,
) -> Result<Ready, ReadyError> {
    let settings = paced(pacer, policy, &Unrecorded, || {
        client.organization_settings()
    })
    .await
    .map_err(refusal)?;
    if !settings.enabled {
        return Err(ReadyError::Disabled);
    }
    let page = paced(pacer, policy, &Unrecorded, || client.organization_roles())
        .await
        .map_err(refusal)?;
    let roles: BTreeSet<String> = page.data.into_iter().map(|r| r.key).collect();
    Ok(Ready { settings, roles })
}

/// Clerk's answer when organizations are off is `Disabled`; anything else stays itself.
fn refusal(e: ClientError) -> ReadyError {
    if e.api()
        .is_some_and(|a| a.code == "organization_not_enabled_in_instance")
    {
        ReadyError::Disabled
    } else {
        e.into()
    }
}

/// Source roles (of members and invitations) whose target the instance lacks.
pub fn missing_roles(ready: &Ready, orgs: &[Org], map: &RoleMap) -> BTreeMap<String, String> {
    let used = orgs.iter().flat_map(|o| {
        let members = o.members.iter().map(|m| m.role.as_str());
        members.chain(o.invitations.iter().map(|i| i.role.as_str()))
    });
    map.missing(used, &ready.roles)
}
