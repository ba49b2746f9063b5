//! What a dry run checks in an organization file before anything is sent: names Clerk
//! accepts, one slug per organization, no organization or membership twice, a target
//! for every role, dates Clerk reads.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::file::Org;
use super::roles::{RoleMap, Target};
use super::slug;

/// Clerk's longest organization name (its `CreateOrganization` spec).
pub const MAX_NAME: usize = 256;

/// Something in the file that stops one organization (or one membership) as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The source organization's ID.
    pub org: String,
    pub what: String,
}

/// What the file holds and what would be sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrgPlan {
    pub organizations: u64,
    /// Organizations with no problem.
    pub ready: u64,
    pub members: u64,
    /// Invitations by status (`pending` when the file gives none).
    pub invitations: BTreeMap<String, u64>,
    /// Source role → (memberships and invitations, the instance role it becomes).
    pub roles: BTreeMap<String, (u64, String)>,
    /// Source roles that go to a custom instance role, to be found on the instance.
    pub custom_roles: BTreeMap<String, String>,
    /// Slugs made from the name or normalised from the source's, by organization.
    pub slugs: BTreeMap<String, String>,
    pub problems: Vec<Problem>,
}

/// Checks every organization; the slug each would get is in `slugs` for those that
/// needed one made.
pub fn check(orgs: &[Org], roles: &RoleMap) -> OrgPlan {
    let mut plan = OrgPlan::default();
    let mut ids: HashSet<&str> = HashSet::new();
    let mut slugs: HashMap<String, &str> = HashMap::new();
    for org in orgs {
        plan.organizations += 1;
        let before = plan.problems.len();
        let mut problem = |what: String| {
            plan.problems.push(Problem {
                org: org.id.clone(),
                what,
            })
        };
        if !ids.insert(&org.id) {
            problem("the organization ID is in the file twice".to_owned());
        }
        if let Some(why) = refused_name(&org.name) {
            problem(format!("name {why}"));
        }
        match slug_for(org) {
            Some(s) => {
                if let Some(first) = slugs.get(&s) {
                    problem(format!("slug {s:?} is also {first:?}'s"));
                } else {
                    slugs.insert(s.clone(), &org.id);
                }
                if org.slug.as_deref() != Some(s.as_str()) {
                    plan.slugs.insert(org.id.clone(), s);
                }
            }
            None => problem(
                "no slug Clerk accepts can be made from the name: give one (a-z, 0-9, -)"
                    .to_owned(),
            ),
        }
        if let Some(at) = &org.created_at
            && chrono::DateTime::parse_from_rfc3339(at).is_err()
        {
            problem(format!("created_at {at:?} is not an RFC 3339 time"));
        }
        if let Some(max) = org.max_allowed_memberships
            && max > 0
            && (org.members.len() as u64) > max
        {
            problem(format!(
                "{} members, but max_allowed_memberships is {max}",
                org.members.len()
            ));
        }
        let mut members: HashSet<&str> = HashSet::new();
        for m in &org.members {
            plan.members += 1;
            if !members.insert(&m.user_id) {
                problem(format!("user {:?} is a member twice", m.user_id));
            }
        }
        let member_roles = org.members.iter().map(|m| m.role.as_str());
        let invited_roles = org.invitations.iter().map(|i| i.role.as_str());
        for role in member_roles.chain(invited_roles) {
            match roles.target(role) {
                Some(target) => {
                    let slot = plan
                        .roles
                        .entry(role.to_owned())
                        .or_insert((0, target.key().to_owned()));
                    slot.0 += 1;
                    if let Target::IfPresent(key) = target {
                        plan.custom_roles.insert(role.to_owned(), key);
                    }
                }
                None => problem("a member or invitation has no role".to_owned()),
            }
        }
        for i in &org.invitations {
            let status = i.status.clone().unwrap_or_else(|| "pending".to_owned());
            *plan.invitations.entry(status).or_default() += 1;
        }
        if plan.problems.len() == before {
            plan.ready += 1;
        }
    }
    plan
}

/// The slug an organization gets: its own when Clerk accepts it, else one made from it,
/// else one made from the name.
pub fn slug_for(org: &Org) -> Option<String> {
    match org.slug.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) if slug::is_valid(s) => Some(s.to_owned()),
        Some(s) => slug::normalise(s),
        None => slug::normalise(&org.name),
    }
}

/// Why Clerk would refuse `name` (its spec: no URLs or HTML, at most 256 characters).
fn refused_name(name: &str) -> Option<String> {
    let t = name.trim();
    let lower = t.to_ascii_lowercase();
    if t.is_empty() {
        Some("is empty".to_owned())
    } else if t.chars().count() > MAX_NAME {
        Some(format!("is longer than {MAX_NAME} characters"))
    } else if t.contains('<') && t.contains('>') {
        Some("looks like HTML".to_owned())
    } else if lower.contains("://") || lower.starts_with("www.") {
        Some("looks like a URL".to_owned())
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::orgs::file::{Invitation, Member};

    fn org(id: &str, name: &str, slug: Option<&str>) -> Org {
        Org {
            id: id.into(),
            name: name.into(),
            slug: slug.map(str::to_owned),
            created_at: None,
            public_metadata: None,
            private_metadata: None,
            max_allowed_memberships: None,
            members: Vec::new(),
            invitations: Vec::new(),
        }
    }

    fn member(user: &str, role: &str) -> Member {
        Member {
            user_id: user.into(),
            role: role.into(),
            created_at: None,
            teams: Vec::new(),
        }
    }

    #[test]
    fn every_problem_is_named_by_organization() {
        let mut acme = org("o1", "Acme Corp", None);
        acme.members = vec![
            member("u1", "owner"),
            member("u2", "billing"),
            member("u1", "member"),
        ];
        acme.invitations = vec![Invitation {
            email_address: "x@example.com".into(),
            role: "member".into(),
            status: None,
        }];
        let mut late = org("o3", "Late", Some("late"));
        late.created_at = Some("yesterday".into());
        late.max_allowed_memberships = Some(1);
        late.members = vec![member("u1", "member"), member("u2", "member")];
        let orgs = [
            acme,
            org("o2", "ACME corp!", None),
            late,
            org("o1", "<b>Dup</b>", Some("Dup Slug")),
            org("o4", "東京", None),
            org("o5", "https://evil.example", Some("evil")),
        ];
        let plan = check(&orgs, &RoleMap::default());
        let by_org = |id: &str| -> Vec<&str> {
            plan.problems
                .iter()
                .filter(|p| p.org == id)
                .map(|p| p.what.as_str())
                .collect()
        };
        assert_eq!(plan.organizations, 6);
        assert_eq!(plan.ready, 0, "{:?}", plan.problems);
        assert_eq!(by_org("o2"), ["slug \"acme-corp\" is also \"o1\"'s"]);
        assert_eq!(
            by_org("o3"),
            [
                "created_at \"yesterday\" is not an RFC 3339 time",
                "2 members, but max_allowed_memberships is 1"
            ]
        );
        assert!(by_org("o1").contains(&"user \"u1\" is a member twice"));
        assert!(by_org("o1").contains(&"the organization ID is in the file twice"));
        assert!(by_org("o1").contains(&"name looks like HTML"));
        assert!(by_org("o4")[0].starts_with("no slug Clerk accepts"));
        assert_eq!(by_org("o5"), ["name looks like a URL"]);
        assert_eq!(plan.slugs.get("o1").map(String::as_str), Some("dup-slug"));
        assert_eq!(plan.roles["owner"], (1, "org:admin".to_owned()));
        assert_eq!(plan.roles["member"].0, 4);
        assert_eq!(plan.custom_roles["billing"], "org:billing");
        assert_eq!(plan.invitations["pending"], 1);
    }

    #[test]
    fn a_clean_file_is_ready() {
        let mut a = org("o1", "Acme", Some("acme"));
        a.members = vec![member("u1", "admin")];
        let plan = check(&[a, org("o2", "Beta", None)], &RoleMap::default());
        assert_eq!((plan.ready, plan.problems.len()), (2, 0));
        assert_eq!(plan.slugs.get("o2").map(String::as_str), Some("beta"));
    }
}
