//! Source roles mapped to the instance's organization roles. Clerk's role keys read
//! `org:<key>`; every instance starts with `org:admin` and `org:member`.

use std::collections::{BTreeMap, BTreeSet};

pub const ADMIN: &str = "org:admin";
pub const MEMBER: &str = "org:member";

/// Where a source role goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A role every instance has, or one `--role-map` names.
    Known(String),
    /// The instance role of the same key, if the instance has it (asked live).
    IfPresent(String),
}

impl Target {
    pub fn key(&self) -> &str {
        match self {
            Self::Known(k) | Self::IfPresent(k) => k,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RoleMapError {
    #[error(
        "--role-map {0:?} is not SOURCE=TARGET: write e.g. owner=org:admin,billing=org:billing"
    )]
    NotAPair(String),
    #[error(
        "--role-map target {0:?} is not a Clerk role key: Clerk's keys read org:<key>, e.g. org:admin"
    )]
    NotAKey(String),
}

/// `--role-map owner=org:admin,billing=org:billing`, then the defaults.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoleMap {
    given: BTreeMap<String, String>,
}

impl RoleMap {
    pub fn parse(spec: &str) -> Result<Self, RoleMapError> {
        let mut given = BTreeMap::new();
        for pair in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let Some((from, to)) = pair.split_once('=') else {
                return Err(RoleMapError::NotAPair(pair.to_owned()));
            };
            let (from, to) = (from.trim(), to.trim());
            if from.is_empty() || to.is_empty() {
                return Err(RoleMapError::NotAPair(pair.to_owned()));
            }
            if !is_key(to) {
                return Err(RoleMapError::NotAKey(to.to_owned()));
            }
            given.insert(from.to_lowercase(), to.to_owned());
        }
        Ok(Self { given })
    }

    /// Where `role` goes: `--role-map` first; then an owner or admin becomes `org:admin`
    /// and a member `org:member`; a role written as a key stays that key; any other
    /// role goes to the instance role of the same key. `None` for a role with no name.
    pub fn target(&self, role: &str) -> Option<Target> {
        let role = role.trim();
        if role.is_empty() {
            return None;
        }
        let lower = role.to_lowercase();
        if let Some(to) = self.given.get(&lower) {
            return Some(Target::Known(to.clone()));
        }
        Some(match lower.as_str() {
            "owner" | "admin" | "administrator" | ADMIN => Target::Known(ADMIN.to_owned()),
            "member" | "basic_member" | MEMBER => Target::Known(MEMBER.to_owned()),
            _ if is_key(&lower) => Target::IfPresent(lower),
            _ => Target::IfPresent(format!("org:{}", key_of(&lower))),
        })
    }

    /// The source roles whose target the instance does not have, given its role keys.
    pub fn missing<'a>(
        &self,
        roles: impl IntoIterator<Item = &'a str>,
        instance: &BTreeSet<String>,
    ) -> BTreeMap<String, String> {
        roles
            .into_iter()
            .filter_map(|r| Some((r, self.target(r)?)))
            .filter(|(_, t)| !instance.contains(t.key()))
            .map(|(r, t)| (r.to_owned(), t.key().to_owned()))
            .collect()
    }
}

fn is_key(s: &str) -> bool {
    s.strip_prefix("org:").is_some_and(|k| {
        !k.is_empty()
            && k.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    })
}

/// A role name as a key: lower-case, other characters `_`.
fn key_of(role: &str) -> String {
    role.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_custom_roles_and_overrides() {
        let map = RoleMap::default();
        assert_eq!(map.target("Owner"), Some(Target::Known(ADMIN.into())));
        assert_eq!(map.target("member"), Some(Target::Known(MEMBER.into())));
        assert_eq!(map.target("org:admin"), Some(Target::Known(ADMIN.into())));
        assert_eq!(
            map.target("billing"),
            Some(Target::IfPresent("org:billing".into()))
        );
        assert_eq!(
            map.target("Team Lead"),
            Some(Target::IfPresent("org:team_lead".into()))
        );
        assert_eq!(
            map.target("org:viewer"),
            Some(Target::IfPresent("org:viewer".into()))
        );
        assert_eq!(map.target(" "), None);
        let map = RoleMap::parse("owner=org:admin, billing=org:finance").expect("parses");
        assert_eq!(
            map.target("Billing"),
            Some(Target::Known("org:finance".into()))
        );
        assert!(matches!(
            RoleMap::parse("owner"),
            Err(RoleMapError::NotAPair(_))
        ));
        assert!(matches!(
            RoleMap::parse("owner=admin"),
            Err(RoleMapError::NotAKey(_))
        ));
        let instance: BTreeSet<String> = [ADMIN, MEMBER].map(String::from).into();
        let missing = RoleMap::default().missing(["owner", "billing", "member"], &instance);
        assert_eq!(
            missing,
            [("billing".to_owned(), "org:billing".to_owned())].into()
        );
    }
}
