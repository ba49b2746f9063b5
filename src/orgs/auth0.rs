//! Auth0's organizations as its Management API returns them, read into the tool's
//! organization file: each organization as `GET /api/v2/organizations` gives it, with
//! `members` as `GET /api/v2/organizations/{id}/members?fields=user_id,roles&include_fields=true`
//! gives them and `invitations` as `GET /api/v2/organizations/{id}/invitations` does.
//!
//! Auth0's `name` is the organization's URL-safe identifier (the slug) and `display_name`
//! what people see; `metadata` and the branding's logo go to public metadata. A member's
//! roles are `{id, name}` objects: the strongest by name (owner, then admin) is kept, as
//! Clerk gives a member one role; an invitation names roles by ID, read back to names
//! through the members' roles where one of them has it.

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::{Map, Value};

use super::file::{Invitation, Member, Org};

#[derive(Debug, Deserialize)]
struct Auth0Org {
    id: String,
    name: String,
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default)]
    metadata: Option<Map<String, Value>>,
    #[serde(default)]
    branding: Option<Branding>,
    #[serde(default)]
    members: Vec<Auth0Member>,
    #[serde(default)]
    invitations: Vec<Auth0Invitation>,
}

#[derive(Debug, Deserialize)]
struct Branding {
    #[serde(default)]
    logo_url: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Auth0Member {
    user_id: String,
    #[serde(default)]
    roles: Vec<Auth0Role>,
}

#[derive(Debug, Deserialize)]
struct Auth0Role {
    id: String,
    name: String,
}

#[derive(Debug, Deserialize)]
struct Auth0Invitation {
    invitee: Invitee,
    #[serde(default)]
    roles: Vec<String>,
    #[serde(default)]
    expires_at: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Invitee {
    email: String,
}

/// The strongest of a member's role names: owner, then admin, else the first; a member
/// with no role is a member.
fn strongest<'a>(names: impl IntoIterator<Item = &'a str>) -> (String, usize) {
    let names: Vec<&str> = names.into_iter().collect();
    let pick = ["owner", "admin"]
        .into_iter()
        .find(|r| names.iter().any(|n| n.eq_ignore_ascii_case(r)))
        .or(names.first().copied())
        .unwrap_or("member");
    (pick.to_owned(), names.len())
}

/// One Auth0 organization record as the tool's organization.
pub fn read(record: Value) -> Result<Org, String> {
    let o: Auth0Org = serde_json::from_value(record).map_err(|e| e.to_string())?;
    let role_names: HashMap<&str, &str> = o
        .members
        .iter()
        .flat_map(|m| m.roles.iter().map(|r| (r.id.as_str(), r.name.as_str())))
        .collect();
    let mut public = o.metadata.clone().unwrap_or_default();
    if let Some(logo) = o.branding.as_ref().and_then(|b| b.logo_url.clone()) {
        public.insert("logo".to_owned(), Value::String(logo));
    }
    let members = o
        .members
        .iter()
        .map(|m| Member {
            user_id: m.user_id.clone(),
            role: strongest(m.roles.iter().map(|r| r.name.as_str())).0,
            created_at: None,
            teams: Vec::new(),
        })
        .collect();
    let now = chrono::Utc::now();
    let invitations = o
        .invitations
        .iter()
        .map(|i| {
            let names = i
                .roles
                .iter()
                .map(|id| role_names.get(id.as_str()).copied().unwrap_or(id));
            let expired = i
                .expires_at
                .as_deref()
                .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                .is_some_and(|t| t < now);
            Invitation {
                email_address: i.invitee.email.clone(),
                role: strongest(names).0,
                status: Some(if expired { "expired" } else { "pending" }.to_owned()),
            }
        })
        .collect();
    Ok(Org {
        id: o.id,
        name: o
            .display_name
            .filter(|d| !d.trim().is_empty())
            .unwrap_or_else(|| o.name.clone()),
        slug: Some(o.name),
        created_at: None,
        public_metadata: (!public.is_empty()).then_some(public),
        private_metadata: None,
        max_allowed_memberships: None,
        members,
        invitations,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Shapes as Auth0's Management API documents them.
    #[test]
    fn an_organization_with_members_and_invitations() {
        let record = json!({
            "id": "org_W4rGkL3aDh9sT2Qm",
            "name": "acme-corp",
            "display_name": "Acme Corp",
            "branding": {"logo_url": "https://cdn.example.com/acme.png",
                         "colors": {"primary": "#0059d6", "page_background": "#000000"}},
            "metadata": {"plan": "pro"},
            "members": [
                {"user_id": "auth0|1", "email": "a@example.com", "name": "A", "picture": "",
                 "roles": [{"id": "rol_admin", "name": "admin"}, {"id": "rol_b", "name": "billing"}]},
                {"user_id": "auth0|2", "roles": []}
            ],
            "invitations": [
                {"id": "uinv_1", "organization_id": "org_W4rGkL3aDh9sT2Qm",
                 "inviter": {"name": "A"}, "invitee": {"email": "new@example.com"},
                 "invitation_url": "https://example.com/login?invitation=x",
                 "created_at": "2024-01-01T00:00:00.000Z", "expires_at": "2099-01-08T00:00:00.000Z",
                 "client_id": "c", "roles": ["rol_b"], "ticket_id": "t"},
                {"invitee": {"email": "late@example.com"}, "roles": ["rol_unknown"],
                 "expires_at": "2020-01-01T00:00:00.000Z"}
            ]
        });
        let org = read(record).expect("reads");
        assert_eq!(
            (org.name.as_str(), org.slug.as_deref()),
            ("Acme Corp", Some("acme-corp"))
        );
        let public = org.public_metadata.expect("public");
        assert_eq!(public["plan"], "pro");
        assert_eq!(public["logo"], "https://cdn.example.com/acme.png");
        assert_eq!(org.members[0].role, "admin");
        assert_eq!(org.members[1].role, "member");
        assert_eq!(org.invitations[0].role, "billing");
        assert_eq!(org.invitations[0].status.as_deref(), Some("pending"));
        assert_eq!(org.invitations[1].role, "rol_unknown");
        assert_eq!(org.invitations[1].status.as_deref(), Some("expired"));
        assert!(read(json!({"name": "no id"})).is_err());
    }
}
