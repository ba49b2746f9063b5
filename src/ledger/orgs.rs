//! The lines of an `orgs` run's log: one per organization and one per membership, each
//! with the source's IDs and the Clerk IDs they became; and the reading of earlier orgs
//! logs of an instance that lets a run skip what is done.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

#[cfg(test)]
use super::RunHeader;
use super::Status;
use super::reader::{LedgerLines, Line};

/// The log files' prefix and the header's command.
pub const PREFIX: &str = "organizations";
pub const COMMAND: &str = "orgs";
/// The prefix of the logs of organization rollbacks, and their header's command.
pub const DELETION_PREFIX: &str = "organization-deletion";
pub const DELETION_COMMAND: &str = "delete-orgs";
/// The key of a Clerk organization's private metadata that holds the source
/// organization's ID: how a re-run, and a rollback, know an organization as this tool's.
pub const SOURCE_ID_KEY: &str = "migrate_source_id";

/// What a line is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Organization,
    Membership,
    Invitation,
}

/// One outcome (or a `creating` note) of an organization or a membership.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrgLine {
    #[serde(rename = "type")]
    pub kind: Kind,
    /// The source organization's ID.
    #[serde(rename = "orgId")]
    pub org_id: String,
    /// The source user's ID (memberships).
    #[serde(rename = "userId", skip_serializing_if = "Option::is_none", default)]
    pub user_id: Option<String>,
    pub status: Status,
    #[serde(
        rename = "clerkOrgId",
        skip_serializing_if = "Option::is_none",
        default
    )]
    pub clerk_org_id: Option<String>,
    #[serde(
        rename = "clerkUserId",
        skip_serializing_if = "Option::is_none",
        default
    )]
    pub clerk_user_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub slug: Option<String>,
    /// An invitation's invitee: a digest of the email address (`invitee_key`), so the
    /// log knows who was invited without holding the address.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub invitee: Option<String>,
    /// The instance role a membership got.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub role: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub error: Option<String>,
    /// The HTTP status as text, as import lines have it.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub clerk_code: Option<String>,
    /// Why no call was made, or how a membership came to be (`created_by`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub reason: Option<String>,
    /// `verify --orgs`' differences, field by field.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub fields: Option<Vec<super::entry::DriftField>>,
    pub at: String,
}

impl OrgLine {
    pub fn organization(org_id: &str, status: Status) -> Self {
        Self {
            kind: Kind::Organization,
            org_id: org_id.to_owned(),
            user_id: None,
            status,
            clerk_org_id: None,
            clerk_user_id: None,
            slug: None,
            invitee: None,
            role: None,
            error: None,
            code: None,
            clerk_code: None,
            reason: None,
            fields: None,
            at: super::entry::now(),
        }
    }

    pub fn invitation(org_id: &str, email: &str, status: Status) -> Self {
        Self {
            kind: Kind::Invitation,
            invitee: Some(invitee_key(email)),
            ..Self::organization(org_id, status)
        }
    }

    pub fn membership(org_id: &str, user_id: &str, status: Status) -> Self {
        Self {
            kind: Kind::Membership,
            user_id: Some(user_id.to_owned()),
            ..Self::organization(org_id, status)
        }
    }

    /// Records Clerk's refusal (or a transport failure) on the line.
    pub fn with_error(mut self, e: &crate::clerk::ClientError) -> Self {
        self.error = Some(e.to_string());
        if let Some(api) = e.api() {
            self.code = Some(api.status.to_string());
            self.clerk_code = Some(api.code.clone());
        }
        self
    }
}

/// The log's name for an invitee: the first 16 bytes of SHA-256 of the address,
/// trimmed and lower-cased, in hex.
pub fn invitee_key(email: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(email.trim().to_lowercase().as_bytes());
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// What earlier orgs runs did on an instance.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OrgsDone {
    /// Source organization ID → the Clerk organization it is.
    pub organizations: HashMap<String, String>,
    /// (source organization ID, source user ID) of memberships in place → the Clerk
    /// user (empty when a line did not name one).
    pub memberships: HashMap<(String, String), String>,
    /// (source organization ID, invitee key) of invitations sent or found pending.
    pub invitations: HashSet<(String, String)>,
    /// Lines that could not be read (a crash's torn last line).
    pub malformed: u64,
}

/// The orgs logs in `dir` written for `instance`, oldest first.
pub fn logs_of(dir: &Path, instance: &str) -> Vec<PathBuf> {
    runs_of(dir, PREFIX, COMMAND, instance)
}

/// The `prefix` logs in `dir` whose header names `command` and `instance`, oldest first.
fn runs_of(dir: &Path, prefix: &str, command: &str, instance: &str) -> Vec<PathBuf> {
    super::logs_named(dir, prefix)
        .into_iter()
        .filter(|p| {
            super::instance::header(p)
                .is_some_and(|h| h.command == command && h.instance.as_deref() == Some(instance))
        })
        .collect()
}

/// Every organization or membership line of `logs`, in order; returns how many lines
/// could not be read (a crash's torn last line). Other lines (header, retries) are passed
/// over.
pub fn walk(logs: &[PathBuf], mut f: impl FnMut(OrgLine)) -> std::io::Result<u64> {
    let mut malformed = 0;
    for path in logs {
        for line in LedgerLines::new(BufReader::new(File::open(path)?)) {
            match line? {
                Line::Parsed { value, .. } => {
                    if let Ok(line) = serde_json::from_value::<OrgLine>(value) {
                        f(line);
                    }
                }
                Line::Malformed { .. } => malformed += 1,
            }
        }
    }
    Ok(malformed)
}

/// Reads `logs` in order: organizations and memberships created or found in place.
pub fn done(logs: &[PathBuf]) -> std::io::Result<OrgsDone> {
    let mut out = OrgsDone::default();
    out.malformed = walk(logs, |line| {
        if !matches!(line.status, Status::Success | Status::AlreadyExists) {
            return;
        }
        match (line.kind, line.clerk_org_id, line.user_id) {
            (Kind::Organization, Some(clerk), _) => {
                out.organizations.insert(line.org_id, clerk);
            }
            (Kind::Membership, _, Some(user)) => {
                let clerk_user = line.clerk_user_id.unwrap_or_default();
                out.memberships.insert((line.org_id, user), clerk_user);
            }
            (Kind::Invitation, _, _) => {
                if let Some(invitee) = line.invitee {
                    out.invitations.insert((line.org_id, invitee));
                }
            }
            _ => {}
        }
    })?;
    Ok(out)
}

/// The Clerk organizations the rollbacks of `instance` in `dir` deleted or found gone.
pub fn rolled_back(dir: &Path, instance: &str) -> HashSet<String> {
    let logs = runs_of(dir, DELETION_PREFIX, DELETION_COMMAND, instance);
    let mut gone = HashSet::new();
    // Only a reminder rests on this: a log that cannot be read counts nothing as gone.
    let _ = walk(&logs, |line| {
        if matches!(line.status, Status::Deleted | Status::NotFound)
            && let Some(id) = line.clerk_org_id
        {
            gone.insert(id);
        }
    });
    gone
}

/// An organization an orgs run created, with the members it added (Clerk user IDs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedOrg {
    pub source_id: String,
    pub clerk_id: String,
    pub members: HashSet<String>,
}

/// The organizations `logs` record as created by this tool (`success`, or found again
/// by their `migrate_source_id` as `already_exists`), with the members it added to them;
/// and how many lines could not be read.
pub fn created(logs: &[PathBuf]) -> std::io::Result<(Vec<CreatedOrg>, u64)> {
    let mut orgs: Vec<CreatedOrg> = Vec::new();
    let mut at: HashMap<String, usize> = HashMap::new();
    let mut members: Vec<(String, String)> = Vec::new();
    let malformed = walk(logs, |line| {
        if !matches!(line.status, Status::Success | Status::AlreadyExists) {
            return;
        }
        match (line.kind, line.clerk_org_id, line.clerk_user_id) {
            (Kind::Organization, Some(clerk), _) if !at.contains_key(&clerk) => {
                at.insert(clerk.clone(), orgs.len());
                orgs.push(CreatedOrg {
                    source_id: line.org_id,
                    clerk_id: clerk,
                    members: HashSet::new(),
                });
            }
            (Kind::Membership, Some(org), Some(user)) => members.push((org, user)),
            _ => {}
        }
    })?;
    for (org, user) in members {
        if let Some(i) = at.get(&org) {
            orgs[*i].members.insert(user);
        }
    }
    Ok((orgs, malformed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn earlier_runs_of_the_instance_are_read_and_others_ignored() {
        let dir = tempfile::tempdir().expect("tempdir");
        let write = |name: &str, instance: &str, lines: &[OrgLine]| {
            let mut header = RunHeader::new(COMMAND);
            header.instance = Some(instance.to_owned());
            let mut text = serde_json::to_string(&header).expect("json") + "\n";
            for l in lines {
                text += &(serde_json::to_string(l).expect("json") + "\n");
            }
            std::fs::write(dir.path().join(name), text + "{\"type\":\"organiz").expect("write");
        };
        let created = OrgLine {
            clerk_org_id: Some("org_1".into()),
            ..OrgLine::organization("o1", Status::Success)
        };
        let failed = OrgLine::organization("o2", Status::Error);
        let member = OrgLine::membership("o1", "u1", Status::Success);
        let refused = OrgLine::membership("o1", "u2", Status::UserNotMigrated);
        write(
            "organizations-2026-01-01T10-00-00.log",
            "ins_a",
            &[created, failed, member, refused],
        );
        let elsewhere = OrgLine {
            clerk_org_id: Some("org_9".into()),
            ..OrgLine::organization("o9", Status::Success)
        };
        write(
            "organizations-2026-01-01T11-00-00.log",
            "ins_b",
            &[elsewhere],
        );
        let logs = logs_of(dir.path(), "ins_a");
        assert_eq!(logs.len(), 1);
        let done = done(&logs).expect("reads");
        assert_eq!(
            done.organizations,
            [("o1".to_owned(), "org_1".to_owned())].into()
        );
        let key = ("o1".to_owned(), "u1".to_owned());
        assert_eq!(done.memberships, [(key, String::new())].into());
        assert_eq!(done.malformed, 1);
    }
}
