//! Better Auth's organization plugin: `organization`, `member`, `invitation`, and with
//! teams on, `team` and `teamMember`, read into the tool's organization file.
//!
//! Each table is read whole, one JSON document a row as the database writes it (dates in
//! its own form, read by the same rule the import uses), and put together here: an
//! organization with its members, each member's teams, and its invitations.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::db::{DbError, DbUrl, Dialect, Pool, require, texts};
use super::orgs::OrgsExport;
use crate::orgs::file::{Invitation, Member, Org};
use crate::transform::normalize::timestamp;

/// One table's rows as JSON objects, oldest first where the table has `createdAt`.
async fn rows(
    url: &DbUrl,
    pool: &Pool,
    schema: &str,
    table: &str,
    needed: &[&str],
) -> Result<Option<Vec<Map<String, Value>>>, DbError> {
    let d = pool.dialect();
    let columns = pool
        .columns(schema, table)
        .await
        .map_err(|e| url.query_error("the schema", e))?;
    if columns.is_empty() {
        return Ok(None);
    }
    let named = match d {
        Dialect::Postgres => format!("{schema}.{table}"),
        _ => table.to_owned(),
    };
    require(
        &columns,
        needed,
        &named,
        "this does not look like Better Auth's organization plugin's table",
    )?;
    let mut names: Vec<String> = columns.into_keys().collect();
    names.sort();
    let order = if names.iter().any(|c| c == "createdAt") {
        format!("t.{}, t.{}", d.quote("createdAt"), d.quote("id"))
    } else {
        format!("t.{}", d.quote("id"))
    };
    let sql = format!(
        "SELECT {} FROM {} t ORDER BY {order}",
        d.row_doc("t", &names, &[]),
        d.table(schema, table)
    );
    let docs = texts(url, pool, &sql, "the organizations").await?;
    Ok(Some(
        docs.iter()
            .filter_map(|doc| match serde_json::from_str::<Value>(doc) {
                Ok(Value::Object(m)) => Some(m),
                _ => None,
            })
            .collect(),
    ))
}

fn text(row: &Map<String, Value>, key: &str) -> Option<String> {
    match row.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn date(row: &Map<String, Value>, key: &str) -> Option<String> {
    row.get(key)
        .filter(|v| !v.is_null())
        .and_then(|v| timestamp(v).ok())
}

/// The role Clerk gets of Better Auth's comma-separated roles: owner, else admin, else
/// the first.
fn strongest(roles: &str) -> (String, bool) {
    let all: Vec<&str> = roles
        .split(',')
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .collect();
    let pick = ["owner", "admin"]
        .into_iter()
        .find(|r| all.contains(r))
        .or(all.first().copied())
        .unwrap_or("member");
    (pick.to_owned(), all.len() > 1)
}

/// The organizations of the `organization` table, and where each is by ID; its
/// `metadata` (JSON text) and logo become public metadata.
fn organizations(
    rows: &[Map<String, Value>],
    summary: &mut OrgsExport,
) -> (Vec<Org>, HashMap<String, usize>) {
    let mut orgs: Vec<Org> = Vec::with_capacity(rows.len());
    let mut at: HashMap<String, usize> = HashMap::new();
    for row in rows {
        let (Some(id), Some(name)) = (text(row, "id"), text(row, "name")) else {
            summary.orphans += 1;
            continue;
        };
        let mut public = match row.get("metadata") {
            Some(Value::String(s)) if !s.trim().is_empty() => match serde_json::from_str(s) {
                Ok(Value::Object(m)) => m,
                _ => Map::from_iter([("metadata".to_owned(), Value::String(s.clone()))]),
            },
            Some(Value::Object(m)) => m.clone(),
            _ => Map::new(),
        };
        if let Some(logo) = text(row, "logo").filter(|l| !l.is_empty()) {
            summary.logos += 1;
            public.insert("logo".to_owned(), Value::String(logo));
        }
        at.insert(id.clone(), orgs.len());
        orgs.push(Org {
            id,
            name,
            slug: text(row, "slug"),
            created_at: date(row, "createdAt"),
            public_metadata: (!public.is_empty()).then_some(public),
            private_metadata: None,
            max_allowed_memberships: None,
            members: Vec::new(),
            invitations: Vec::new(),
        });
    }
    (orgs, at)
}

/// Each member's team names, by (organization, user).
fn member_teams(
    team_rows: &[Map<String, Value>],
    team_member_rows: &[Map<String, Value>],
    summary: &mut OrgsExport,
) -> HashMap<(String, String), Vec<String>> {
    let mut teams: HashMap<String, (String, String)> = HashMap::new();
    for row in team_rows {
        if let (Some(id), Some(name), Some(org)) = (
            text(row, "id"),
            text(row, "name"),
            text(row, "organizationId"),
        ) {
            teams.insert(id, (name, org));
        }
    }
    summary.teams = teams.len() as u64;
    let mut by_member: HashMap<(String, String), Vec<String>> = HashMap::new();
    for row in team_member_rows {
        let team = text(row, "teamId").and_then(|t| teams.get(&t));
        match (team, text(row, "userId")) {
            (Some((name, org)), Some(user)) => {
                summary.team_memberships += 1;
                by_member
                    .entry((org.clone(), user))
                    .or_default()
                    .push(name.clone());
            }
            _ => summary.orphans += 1,
        }
    }
    by_member
}

/// Reads every organization with its members, teams and invitations.
pub async fn read(
    url: &DbUrl,
    pool: &Pool,
    schema: &str,
) -> Result<(Vec<Org>, OrgsExport), DbError> {
    let place = match pool.dialect() {
        Dialect::Postgres => format!("schema {schema}"),
        d => format!("the {} database at {}", d.name(), url.shown),
    };
    let Some(org_rows) = rows(url, pool, schema, "organization", &["id", "name", "slug"]).await?
    else {
        return Err(DbError::MissingTable {
            table: "organization".to_owned(),
            place,
            hint: "the app does not use Better Auth's organization plugin, or renamed its tables",
        });
    };
    let member_rows = rows(
        url,
        pool,
        schema,
        "member",
        &["organizationId", "userId", "role"],
    )
    .await?
    .unwrap_or_default();
    let invitation_rows = rows(
        url,
        pool,
        schema,
        "invitation",
        &["organizationId", "email"],
    )
    .await?
    .unwrap_or_default();
    let team_rows = rows(url, pool, schema, "team", &["id", "name", "organizationId"])
        .await?
        .unwrap_or_default();
    let team_member_rows = rows(url, pool, schema, "teamMember", &["teamId", "userId"])
        .await?
        .unwrap_or_default();

    let mut summary = OrgsExport::default();
    let (mut orgs, at) = organizations(&org_rows, &mut summary);
    let mut teams = member_teams(&team_rows, &team_member_rows, &mut summary);
    for row in &member_rows {
        let org = text(row, "organizationId").and_then(|o| at.get(&o).copied());
        let (Some(i), Some(user_id)) = (org, text(row, "userId")) else {
            summary.orphans += 1;
            continue;
        };
        let (role, several) = strongest(&text(row, "role").unwrap_or_default());
        summary.several_roles += u64::from(several);
        summary.members += 1;
        let key = (orgs[i].id.clone(), user_id.clone());
        orgs[i].members.push(Member {
            teams: teams.remove(&key).unwrap_or_default(),
            user_id,
            role,
            created_at: date(row, "createdAt"),
        });
    }
    for row in &invitation_rows {
        let org = text(row, "organizationId").and_then(|o| at.get(&o).copied());
        let (Some(i), Some(email)) = (org, text(row, "email")) else {
            summary.orphans += 1;
            continue;
        };
        let status = text(row, "status").unwrap_or_else(|| "pending".to_owned());
        *summary.invitations.entry(status.clone()).or_default() += 1;
        orgs[i].invitations.push(Invitation {
            email_address: email,
            role: strongest(&text(row, "role").unwrap_or_default()).0,
            status: Some(status),
        });
    }
    summary.organizations = orgs.len() as u64;
    Ok((orgs, summary))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_strongest_of_several_roles_is_kept() {
        assert_eq!(strongest("member,admin"), ("admin".to_owned(), true));
        assert_eq!(strongest("owner"), ("owner".to_owned(), false));
        assert_eq!(strongest("billing, member"), ("billing".to_owned(), true));
        assert_eq!(strongest(""), ("member".to_owned(), false));
    }
}
