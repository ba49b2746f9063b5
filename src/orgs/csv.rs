//! The CSV pair for home-grown sources: `organizations.csv`, with `memberships.csv` (and,
//! when there is one, `invitations.csv`) beside it, read into the organization file's
//! records. Columns beyond the ones named here are refused by name, as unknown fields
//! of the JSON form are.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::file::{Invitation, Member, Org, Unreadable};
use crate::source::{Position, SourceError, SourceErrorKind};

const ORG_COLUMNS: &[&str] = &[
    "id",
    "name",
    "slug",
    "created_at",
    "max_allowed_memberships",
    "public_metadata",
    "private_metadata",
];
const MEMBER_COLUMNS: &[&str] = &["organization_id", "user_id", "role", "created_at", "teams"];
const INVITATION_COLUMNS: &[&str] = &["organization_id", "email_address", "role", "status"];

/// The files beside `organizations`: memberships (must be there) and invitations (may).
pub fn siblings(organizations: &Path) -> (PathBuf, PathBuf) {
    let dir = organizations.parent().unwrap_or(Path::new("."));
    (dir.join("memberships.csv"), dir.join("invitations.csv"))
}

fn failed(path: &Path, why: String) -> SourceError {
    SourceError {
        path: path.to_owned(),
        kind: SourceErrorKind::Io(std::io::Error::other(why)),
    }
}

/// A row's cells by column, empty cells left out.
type Cells = HashMap<String, String>;

/// One CSV file's rows, with their positions.
fn rows(
    path: &Path,
    known: &[&str],
    required: &[&str],
) -> Result<Vec<(Position, Cells)>, SourceError> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_path(path)
        .map_err(|e| failed(path, e.to_string()))?;
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| failed(path, e.to_string()))?
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_owned())
        .collect();
    if let Some(unknown) = headers.iter().find(|h| !known.contains(&h.as_str())) {
        return Err(failed(
            path,
            format!(
                "unknown column {unknown:?}; the columns are {}",
                known.join(", ")
            ),
        ));
    }
    if let Some(missing) = required.iter().find(|r| !headers.iter().any(|h| h == *r)) {
        return Err(failed(path, format!("the column {missing:?} is missing")));
    }
    let mut out = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| failed(path, e.to_string()))?;
        let position = Position {
            row: i as u64 + 1,
            line: record.position().map_or(0, |p| p.line()),
        };
        let cells = headers
            .iter()
            .zip(record.iter())
            .filter(|(_, v)| !v.trim().is_empty())
            .map(|(h, v)| (h.clone(), v.trim().to_owned()))
            .collect();
        out.push((position, cells));
    }
    Ok(out)
}

fn metadata(cell: Option<&String>) -> Result<Option<Map<String, Value>>, String> {
    match cell {
        None => Ok(None),
        Some(text) => match serde_json::from_str(text) {
            Ok(Value::Object(m)) => Ok(Some(m)),
            _ => Err(format!("{text:?} is not a JSON object")),
        },
    }
}

fn org_of(cells: &Cells) -> Result<Org, String> {
    let field = |k: &str| cells.get(k).cloned();
    let (Some(id), Some(name)) = (field("id"), field("name")) else {
        return Err("id and name are needed".to_owned());
    };
    let max = match cells.get("max_allowed_memberships") {
        None => None,
        Some(n) => Some(
            n.parse()
                .map_err(|_| format!("max_allowed_memberships {n:?} is not a number"))?,
        ),
    };
    Ok(Org {
        id,
        name,
        slug: field("slug"),
        created_at: field("created_at"),
        public_metadata: metadata(cells.get("public_metadata"))
            .map_err(|e| format!("public_metadata {e}"))?,
        private_metadata: metadata(cells.get("private_metadata"))
            .map_err(|e| format!("private_metadata {e}"))?,
        max_allowed_memberships: max,
        members: Vec::new(),
        invitations: Vec::new(),
    })
}

/// Reads the pair (and invitations, when beside them).
pub fn read(organizations: &Path) -> Result<(Vec<Org>, Vec<Unreadable>), SourceError> {
    let (memberships, invitations) = siblings(organizations);
    if !memberships.is_file() {
        return Err(failed(
            organizations,
            format!(
                "{} is not there: the CSV form is organizations.csv with memberships.csv beside it",
                memberships.display()
            ),
        ));
    }
    let mut orgs = Vec::new();
    let mut unreadable = Vec::new();
    let mut at: HashMap<String, usize> = HashMap::new();
    for (position, cells) in rows(organizations, ORG_COLUMNS, &["id", "name"])? {
        match org_of(&cells) {
            Ok(org) => {
                at.insert(org.id.clone(), orgs.len());
                orgs.push(org);
            }
            Err(reason) => unreadable.push(Unreadable { position, reason }),
        }
    }
    let member_rows = rows(
        &memberships,
        MEMBER_COLUMNS,
        &["organization_id", "user_id", "role"],
    )?;
    for (position, cells) in member_rows {
        let org = cells
            .get("organization_id")
            .and_then(|o| at.get(o).copied());
        let (Some(i), Some(user_id), Some(role)) = (org, cells.get("user_id"), cells.get("role"))
        else {
            let reason = format!(
                "memberships.csv: the membership names organization {:?}, which organizations.csv does not have, or lacks user_id or role",
                cells.get("organization_id").map_or("", String::as_str)
            );
            unreadable.push(Unreadable { position, reason });
            continue;
        };
        let teams = cells.get("teams").map_or_else(Vec::new, |t| {
            t.split(';')
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
                .collect()
        });
        orgs[i].members.push(Member {
            user_id: user_id.clone(),
            role: role.clone(),
            created_at: cells.get("created_at").cloned(),
            teams,
        });
    }
    if invitations.is_file() {
        let columns = &["organization_id", "email_address", "role"];
        for (position, cells) in rows(&invitations, INVITATION_COLUMNS, columns)? {
            let org = cells
                .get("organization_id")
                .and_then(|o| at.get(o).copied());
            let (Some(i), Some(email), Some(role)) =
                (org, cells.get("email_address"), cells.get("role"))
            else {
                let reason = "invitations.csv: the invitation names no organization of organizations.csv, or lacks email_address or role".to_owned();
                unreadable.push(Unreadable { position, reason });
                continue;
            };
            orgs[i].invitations.push(Invitation {
                email_address: email.clone(),
                role: role.clone(),
                status: cells.get("status").cloned(),
            });
        }
    }
    Ok((orgs, unreadable))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pair_reads_into_organizations_and_names_what_does_not_fit() {
        let dir = tempfile::tempdir().expect("tempdir");
        let orgs = dir.path().join("organizations.csv");
        std::fs::write(
            &orgs,
            "id,name,slug,public_metadata,max_allowed_memberships\n\
             o1,Acme,acme,\"{\"\"plan\"\": \"\"pro\"\"}\",\n\
             o2,Beta,,,ten\n",
        )
        .expect("write");
        assert!(read(&orgs).is_err(), "memberships.csv is needed");
        std::fs::write(
            dir.path().join("memberships.csv"),
            "organization_id,user_id,role,teams\no1,u1,owner,Platform; Core\no9,u2,member,\n",
        )
        .expect("write");
        std::fs::write(
            dir.path().join("invitations.csv"),
            "organization_id,email_address,role,status\no1,new@example.com,member,pending\n",
        )
        .expect("write");
        let (read_orgs, bad) = read(&orgs).expect("reads");
        assert_eq!(read_orgs.len(), 1);
        let acme = &read_orgs[0];
        assert_eq!(
            acme.public_metadata.as_ref().map(|m| m["plan"].clone()),
            Some("pro".into())
        );
        assert_eq!(acme.members[0].teams, ["Platform", "Core"]);
        assert_eq!(acme.invitations[0].email_address, "new@example.com");
        assert_eq!(bad.len(), 2, "{bad:?}");
        assert!(bad[0].reason.contains("max_allowed_memberships"), "{bad:?}");
        assert!(bad[1].reason.contains("\"o9\""), "{bad:?}");
        std::fs::write(&orgs, "id,name,colour\no1,Acme,red\n").expect("write");
        let err = read(&orgs).expect_err("unknown column").to_string();
        assert!(err.contains("colour"), "{err}");
    }
}
