//! The tool's organization file: a JSON array or NDJSON, one organization a record, with
//! its members and pending invitations.

use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::source::{self, Position, ReadOptions, SourceError};

/// One organization as the source had it.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Org {
    /// The source's own ID, kept in the Clerk organization's private metadata.
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slug: Option<String>,
    /// RFC 3339, kept as Clerk's `created_at`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_metadata: Option<Map<String, Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_metadata: Option<Map<String, Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_allowed_memberships: Option<u64>,
    #[serde(default)]
    pub members: Vec<Member>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub invitations: Vec<Invitation>,
}

/// A user's membership, by the source's user ID.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Member {
    pub user_id: String,
    pub role: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// The teams (Better Auth) the member is in within the organization: Clerk has no
    /// teams, so they are kept in the membership's private metadata.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub teams: Vec<String>,
}

/// An invitation the source still had open (or had, with its status).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Invitation {
    pub email_address: String,
    pub role: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

/// A record that is not an organization in this format: where, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    pub position: Position,
    pub reason: String,
}

/// How a file's records are organizations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Shape {
    /// The tool's own format (what `migrate export … --orgs` writes).
    #[default]
    Tool,
    /// Auth0's Management API objects, with `members` and `invitations` inside.
    Auth0,
}

impl Shape {
    /// The name a log header keeps.
    pub fn key(self) -> &'static str {
        match self {
            Self::Tool => "migrate",
            Self::Auth0 => "auth0",
        }
    }

    pub fn from_key(key: &str) -> Self {
        match key {
            "auth0" => Self::Auth0,
            _ => Self::Tool,
        }
    }
}

/// Reads every organization of `path` (JSON array or NDJSON, by extension or content; a
/// `.csv` is the CSV pair's `organizations.csv`); records that do not fit the format are
/// returned beside them, named by position.
pub fn read(path: &Path, shape: Shape) -> Result<(Vec<Org>, Vec<Unreadable>), SourceError> {
    if shape == Shape::Tool && source::Format::detect(path, None) == Some(source::Format::Csv) {
        return super::csv::read(path);
    }
    let options = ReadOptions {
        format: source::Format::detect(path, None)
            .filter(|f| *f != source::Format::Csv)
            .or(Some(source::Format::Json)),
        firebase_csv: false,
    };
    let mut orgs = Vec::new();
    let mut unreadable = Vec::new();
    for record in source::open(path, &options)? {
        let record = record?;
        if let Some(defect) = record.defect {
            unreadable.push(Unreadable {
                position: record.position,
                reason: defect,
            });
            continue;
        }
        let object = Value::Object(record.fields.0.into_iter().collect::<Map<String, Value>>());
        let org = match shape {
            Shape::Tool => serde_json::from_value::<Org>(object).map_err(|e| e.to_string()),
            Shape::Auth0 => super::auth0::read(object),
        };
        match org {
            Ok(org) => orgs.push(org),
            Err(reason) => unreadable.push(Unreadable {
                position: record.position,
                reason,
            }),
        }
    }
    Ok((orgs, unreadable))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_arrays_and_ndjson_and_names_what_does_not_fit() {
        let dir = tempfile::tempdir().expect("tempdir");
        let json = dir.path().join("orgs.json");
        std::fs::write(
            &json,
            r#"[{"id": "o1", "name": "Acme", "slug": "acme",
                 "members": [{"user_id": "u1", "role": "owner", "created_at": "2024-01-01T00:00:00Z"}],
                 "invitations": [{"email_address": "a@example.com", "role": "member", "status": "pending"}]},
                {"id": "o2", "name": "Beta", "colour": "red"},
                {"name": "no id"}]"#,
        )
        .expect("write");
        let (orgs, bad) = read(&json, Shape::Tool).expect("reads");
        assert_eq!(orgs.len(), 1);
        assert_eq!(orgs[0].members[0].role, "owner");
        assert_eq!(orgs[0].invitations[0].status.as_deref(), Some("pending"));
        assert_eq!(bad.len(), 2);
        assert!(bad[0].reason.contains("colour"), "{bad:?}");
        assert!(bad[1].reason.contains("id"), "{bad:?}");
        let ndjson = dir.path().join("orgs.ndjson");
        std::fs::write(
            &ndjson,
            "{\"id\": \"o1\", \"name\": \"Acme\"}\n{\"id\": \"o2\", \"name\": \"Beta\"}\n",
        )
        .expect("write");
        let (orgs, bad) = read(&ndjson, Shape::Tool).expect("reads");
        assert_eq!((orgs.len(), bad.len()), (2, 0));
    }
}
