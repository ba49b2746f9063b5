//! Sending organizations, then their memberships, at the rate limit: every organization
//! first (a membership needs its organization's Clerk ID), each written to the log
//! before it is sent (`creating`) and when it is settled, so a re-run skips what is done
//! and a crash between a create and its log line is found again by slug.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::time::Instant;

use futures_util::stream::{self, StreamExt};
use serde_json::{Map, Value};

use super::check::slug_for;
use super::file::{Member, Org};
use super::roles::RoleMap;
use crate::clerk::paced::{RetryNote, RetryObserver, paced, paced_in_slot};
use crate::clerk::types::{
    CreateMembershipRequest, CreateOrganizationRequest, MembershipMetadataRequest, Organization,
};
use crate::clerk::{ClerkClient, ClientError, Pacer, RetryPolicy};
use crate::engine::{ErrorTally, Stop};
use crate::event::{Event, Reporter};
use crate::ledger::orgs::{OrgLine, OrgsDone, SOURCE_ID_KEY};
use crate::ledger::{LedgerError, LedgerWriter, Status};

/// The key of a membership's private metadata that keeps when the member joined in the
/// source (Clerk sets a membership's own `created_at` itself).
pub const JOINED_AT_KEY: &str = "migrate_joined_at";
/// The key of a membership's private metadata that keeps the member's teams in the
/// source (Clerk has no teams).
pub const TEAMS_KEY: &str = "migrate_teams";

/// Outcomes of one kind of object.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    pub created: u64,
    pub already_exists: u64,
    /// Done by an earlier run of this instance: no call.
    pub skipped: u64,
    pub failed: u64,
    /// Organizations whose slug belongs to an organization this tool did not create.
    pub conflicts: u64,
    /// Organizations the file's checks refused: never sent.
    pub invalid: u64,
    /// Memberships whose user is not in Clerk.
    pub user_not_migrated: u64,
    /// Not sent: stopped by a signal, or their organization could not be created.
    pub not_sent: u64,
}

impl Counts {
    fn add(&mut self, status: Status) {
        match status {
            Status::Success => self.created += 1,
            Status::AlreadyExists => self.already_exists += 1,
            Status::Skipped => self.skipped += 1,
            Status::Conflict => self.conflicts += 1,
            Status::Fail => self.invalid += 1,
            Status::UserNotMigrated => self.user_not_migrated += 1,
            _ => self.failed += 1,
        }
    }

    /// Whether everything is in Clerk.
    pub fn clean(&self) -> bool {
        self.failed + self.conflicts + self.invalid + self.user_not_migrated + self.not_sent == 0
    }
}

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OrgsSummary {
    pub organizations: Counts,
    pub memberships: Counts,
    /// Pending invitations: sent with `--invitations`, else all `not_sent`.
    pub invitations: Counts,
    pub errors: Vec<(String, u64)>,
    pub api_calls: u64,
    pub elapsed_secs: f64,
}

#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error(transparent)]
    Ledger(#[from] LedgerError),
}

/// What the engine needs besides the organizations.
pub struct Sender<'a> {
    pub client: &'a ClerkClient,
    pub pacer: &'a Pacer,
    pub policy: &'a RetryPolicy,
    pub roles: &'a RoleMap,
    /// The role Clerk gives an organization's creator (`creator_role`).
    pub creator_role: &'a str,
    /// Source user ID → Clerk user ID.
    pub members: &'a HashMap<String, String>,
    pub done: &'a OrgsDone,
    pub workers: usize,
    pub stop: &'a Stop,
    pub reporter: &'a dyn Reporter,
    /// With `--invitations`: the hourly pacers pending invitations are sent under.
    pub invitations: Option<&'a super::invite::Hourly>,
}

/// An organization in Clerk, and the member its create made (its creator).
pub(super) struct Placed<'o> {
    pub org: &'o Org,
    pub clerk_id: String,
    pub creator: Option<&'o Member>,
}

/// One settled object, and the calls it took.
pub(super) struct Settled {
    line: OrgLine,
    calls: u64,
}

impl Settled {
    pub(super) fn new(line: OrgLine, calls: u64) -> Self {
        Self { line, calls }
    }
}

/// Sends `orgs` (those the file's checks passed) and logs `refused` (the others, with
/// why) without sending them.
pub async fn run(
    s: &Sender<'_>,
    orgs: &[Org],
    refused: &[(String, String)],
    ledger: LedgerWriter,
) -> Result<OrgsSummary, SendError> {
    let started = Instant::now();
    let ledger = Mutex::new(ledger);
    let mut summary = OrgsSummary::default();
    let mut errors = ErrorTally::default();
    let total = orgs.len() + orgs.iter().map(|o| o.members.len()).sum::<usize>();
    s.reporter.report(&Event::Started {
        total: (total + refused.len()) as u64,
        skipped: 0,
    });
    for (org_id, why) in refused {
        let mut line = OrgLine::organization(org_id, Status::Fail);
        line.error = Some(why.clone());
        record(s, &ledger, &mut summary.organizations, &mut errors, line)?;
    }

    let placed = organizations(s, orgs, &ledger, &mut summary, &mut errors).await?;
    memberships(s, orgs, &placed, &ledger, &mut summary, &mut errors).await?;
    invitations(s, orgs, &placed, &ledger, &mut summary, &mut errors).await?;
    summary.errors = errors.sorted();
    summary.elapsed_secs = started.elapsed().as_secs_f64();
    Ok(summary)
}

/// Creates the organizations not created yet (those done by an earlier run are logged
/// as skipped); returns every organization now in Clerk.
async fn organizations<'o>(
    s: &Sender<'_>,
    orgs: &'o [Org],
    ledger: &Mutex<LedgerWriter>,
    summary: &mut OrgsSummary,
    errors: &mut ErrorTally,
) -> Result<Vec<Placed<'o>>, LedgerError> {
    let mut placed: Vec<Placed> = Vec::new();
    let mut to_create = Vec::new();
    for org in orgs {
        match s.done.organizations.get(&org.id) {
            Some(clerk_id) => {
                let mut line = OrgLine::organization(&org.id, Status::Skipped);
                line.clerk_org_id = Some(clerk_id.clone());
                record(s, ledger, &mut summary.organizations, errors, line)?;
                placed.push(Placed {
                    org,
                    clerk_id: clerk_id.clone(),
                    creator: None,
                });
            }
            None => to_create.push(org),
        }
    }
    let mut results = stream::iter(to_create)
        .take_while(|_| std::future::ready(!s.stop.is_requested()))
        .map(|org| create_org(s, org, ledger))
        .buffer_unordered(s.workers.max(1));
    let mut sent = HashSet::new();
    while let Some(result) = results.next().await {
        let Some((settled, place)) = result? else {
            continue;
        };
        summary.api_calls += settled.calls;
        sent.insert(settled.line.org_id.clone());
        if let Some(p) = place {
            // The creator came with the create; what the source kept about them (when they
            // joined, their teams) is added in the memberships' turn.
            if let Some(m) = p.creator.and_then(|c| kept(c).is_empty().then_some(c)) {
                let mut line = OrgLine::membership(&p.org.id, &m.user_id, Status::Success);
                line.clerk_org_id = Some(p.clerk_id.clone());
                line.clerk_user_id = s.members.get(&m.user_id).cloned();
                line.role = Some(s.creator_role.to_owned());
                line.reason = Some("created_by".to_owned());
                record(s, ledger, &mut summary.memberships, errors, line)?;
            }
            placed.push(p);
        }
        record(s, ledger, &mut summary.organizations, errors, settled.line)?;
    }
    drop(results);
    let unsent = orgs
        .iter()
        .filter(|o| !s.done.organizations.contains_key(&o.id) && !sent.contains(&o.id));
    summary.organizations.not_sent = unsent.count() as u64;

    Ok(placed)
}

/// Adds the members of the organizations in Clerk (the others' are not sent); a member
/// whose user is not in Clerk is logged, never sent.
async fn memberships(
    s: &Sender<'_>,
    orgs: &[Org],
    placed: &[Placed<'_>],
    ledger: &Mutex<LedgerWriter>,
    summary: &mut OrgsSummary,
    errors: &mut ErrorTally,
) -> Result<(), LedgerError> {
    let in_clerk: HashSet<&str> = placed.iter().map(|p| p.org.id.as_str()).collect();
    summary.memberships.not_sent = orgs
        .iter()
        .filter(|o| !in_clerk.contains(o.id.as_str()))
        .map(|o| o.members.len() as u64)
        .sum();
    let mut jobs = Vec::new();
    for p in placed {
        for m in &p.org.members {
            let creator = p.creator.is_some_and(|c| c.user_id == m.user_id);
            if creator && kept(m).is_empty() {
                continue;
            }
            if s.done
                .memberships
                .contains_key(&(p.org.id.clone(), m.user_id.clone()))
            {
                let mut line = OrgLine::membership(&p.org.id, &m.user_id, Status::Skipped);
                line.clerk_org_id = Some(p.clerk_id.clone());
                record(s, ledger, &mut summary.memberships, errors, line)?;
                continue;
            }
            match s.members.get(&m.user_id) {
                Some(clerk_user) => jobs.push((p, m, clerk_user.as_str(), creator)),
                None => {
                    let mut line =
                        OrgLine::membership(&p.org.id, &m.user_id, Status::UserNotMigrated);
                    line.clerk_org_id = Some(p.clerk_id.clone());
                    line.error = Some(format!(
                        "user {:?} is in no import log of this instance and no Clerk user has it as external_id: import the user, then run orgs again",
                        m.user_id
                    ));
                    record(s, ledger, &mut summary.memberships, errors, line)?;
                }
            }
        }
    }
    let queued = jobs.len() as u64;
    let mut results = stream::iter(jobs)
        .take_while(|_| std::future::ready(!s.stop.is_requested()))
        .map(|(p, m, clerk_user, creator)| add_member(s, (p, m, creator), clerk_user, ledger))
        .buffer_unordered(s.workers.max(1));
    let mut settled_members = 0;
    while let Some(result) = results.next().await {
        let Some(settled) = result? else { continue };
        summary.api_calls += settled.calls;
        settled_members += 1;
        record(s, ledger, &mut summary.memberships, errors, settled.line)?;
    }
    summary.memberships.not_sent += queued - settled_members;
    Ok(())
}

/// The pending invitations of the organizations in Clerk, with `--invitations`; without
/// it, or for an organization that is not in Clerk, they are counted as not sent.
async fn invitations(
    s: &Sender<'_>,
    orgs: &[Org],
    placed: &[Placed<'_>],
    ledger: &Mutex<LedgerWriter>,
    summary: &mut OrgsSummary,
    errors: &mut ErrorTally,
) -> Result<(), LedgerError> {
    let (plan, groups) = super::invite::plan(orgs, s.done);
    summary.invitations.skipped = plan.done;
    let Some(hourly) = s.invitations else {
        summary.invitations.not_sent = plan.to_send;
        return Ok(());
    };
    let at: HashMap<&str, &Placed> = placed.iter().map(|p| (p.org.id.as_str(), p)).collect();
    let mut jobs = Vec::new();
    for (org, group) in groups {
        match at.get(org.id.as_str()) {
            Some(p) => jobs.push((*p, group)),
            None => summary.invitations.not_sent += group.len() as u64,
        }
    }
    let queued: u64 = jobs.iter().map(|(_, g)| g.len() as u64).sum();
    let mut settled = 0;
    let mut results = stream::iter(jobs)
        .take_while(|_| std::future::ready(!s.stop.is_requested()))
        .map(|(p, group)| async move { super::invite::send(s, hourly, p, &group, ledger).await })
        .buffer_unordered(s.workers.max(1));
    while let Some(result) = results.next().await {
        for one in result?.unwrap_or_default() {
            settled += 1;
            summary.api_calls += one.calls;
            record(s, ledger, &mut summary.invitations, errors, one.line)?;
        }
    }
    summary.invitations.not_sent += queued - settled;
    Ok(())
}

/// Writes a settled line, counts it and tells the reporter.
fn record(
    s: &Sender<'_>,
    ledger: &Mutex<LedgerWriter>,
    counts: &mut Counts,
    errors: &mut ErrorTally,
    line: OrgLine,
) -> Result<(), LedgerError> {
    counts.add(line.status);
    if let (Status::Error | Status::Conflict, Some(e)) = (line.status, &line.error) {
        errors.add(e);
    }
    append(ledger, &line)?;
    s.reporter.report(&Event::Settled {
        status: match line.status {
            Status::Conflict | Status::UserNotMigrated => Status::Error,
            other => other,
        },
    });
    Ok(())
}

fn append<T: serde::Serialize>(ledger: &Mutex<LedgerWriter>, line: &T) -> Result<(), LedgerError> {
    // A poisoned lock means a panic elsewhere while writing; the file is still whole up
    // to its last flushed line, so writing on is safe.
    let mut w = ledger.lock().unwrap_or_else(|p| p.into_inner());
    w.append(line)
}

/// Writes each retry to the log and tells the reporter.
pub(super) struct Notes<'a> {
    pub ledger: &'a Mutex<LedgerWriter>,
    pub reporter: &'a dyn Reporter,
    pub id: &'a str,
    pub kind: &'static str,
}

impl RetryObserver for Notes<'_> {
    async fn on_retry(&self, note: RetryNote) {
        let (entry, event) = crate::engine::retry_line(note, self.id, self.kind);
        // The retry line is a note: failing to write it must not fail the call.
        let _ = append(self.ledger, &entry);
        self.reporter.report(&event);
    }
}

/// The member who creates the organization in Clerk (Clerk makes the creator a member
/// with the creator role): an owner if there is one, else any member whose role maps to
/// the creator role, as long as they are in Clerk.
fn creator<'o>(s: &Sender<'_>, org: &'o Org) -> Option<&'o Member> {
    let eligible = |m: &&Member| {
        s.members.contains_key(&m.user_id)
            && s.roles
                .target(&m.role)
                .is_some_and(|t| t.key() == s.creator_role)
    };
    let candidates: Vec<&Member> = org.members.iter().filter(eligible).collect();
    let owner = candidates
        .iter()
        .find(|m| m.role.trim().eq_ignore_ascii_case("owner"));
    owner.or(candidates.first()).copied()
}

fn create_request(
    s: &Sender<'_>,
    org: &Org,
    slug: &str,
    creator: Option<&Member>,
) -> CreateOrganizationRequest {
    let mut private = org.private_metadata.clone().unwrap_or_default();
    private.insert(SOURCE_ID_KEY.to_owned(), Value::String(org.id.clone()));
    CreateOrganizationRequest {
        name: org.name.trim().to_owned(),
        slug: slug.to_owned(),
        created_by: creator.and_then(|m| s.members.get(&m.user_id).cloned()),
        created_at: org.created_at.clone(),
        max_allowed_memberships: org.max_allowed_memberships,
        public_metadata: org.public_metadata.clone().unwrap_or_default(),
        private_metadata: private,
    }
}

/// Creates one organization. A slug already taken is looked up: the organization is
/// this one when its private metadata names this source organization (a run that
/// stopped before logging it), else the slug belongs to somebody else's.
async fn create_org<'o>(
    s: &Sender<'_>,
    org: &'o Org,
    ledger: &Mutex<LedgerWriter>,
) -> Result<Option<(Settled, Option<Placed<'o>>)>, LedgerError> {
    let Some(slug) = slug_for(org) else {
        let mut line = OrgLine::organization(&org.id, Status::Fail);
        line.error = Some("no slug Clerk accepts can be made from the name".to_owned());
        return Ok(Some((Settled { line, calls: 0 }, None)));
    };
    let creator = creator(s, org);
    let body = create_request(s, org, &slug, creator);
    if !slot(s).await {
        return Ok(None);
    }
    let mut line = OrgLine::organization(&org.id, Status::Creating);
    line.slug = Some(slug.clone());
    append(ledger, &line)?;
    let notes = Notes {
        ledger,
        reporter: s.reporter,
        id: &org.id,
        kind: "Organization Creation Error",
    };
    let mut calls = 1;
    let result = paced_in_slot(s.pacer, s.policy, &notes, || {
        s.client.create_organization(&body)
    })
    .await;
    let found = match result {
        Ok(created) => Ok((Status::Success, created)),
        Err(e) if slug_taken(&e) => {
            calls += 1;
            match paced(s.pacer, s.policy, &notes, || {
                s.client.get_organization(&slug)
            })
            .await
            {
                Ok(there) if is_ours(&there, &org.id) => Ok((Status::AlreadyExists, there)),
                Ok(there) => Err((
                    Status::Conflict,
                    format!(
                        "slug {slug:?} belongs to organization {}, which no run of this tool created for {:?}: give this organization another slug in the file",
                        there.id, org.id
                    ),
                    None,
                )),
                Err(e) => Err((Status::Error, e.to_string(), Some(e))),
            }
        }
        Err(e) => Err((Status::Error, e.to_string(), Some(e))),
    };
    line.at = crate::ledger::entry::now();
    match found {
        Ok((status, there)) => {
            line.status = status;
            line.clerk_org_id = Some(there.id.clone());
            let place = Placed {
                org,
                clerk_id: there.id,
                creator: creator.filter(|_| status == Status::Success),
            };
            Ok(Some((Settled { line, calls }, Some(place))))
        }
        Err((status, message, e)) => {
            line = match e {
                Some(e) => line.with_error(&e),
                None => line,
            };
            line.status = status;
            line.error = Some(message);
            Ok(Some((Settled { line, calls }, None)))
        }
    }
}

fn slug_taken(e: &ClientError) -> bool {
    e.api()
        .is_some_and(|a| a.code == "form_identifier_exists" && a.param_name() == Some("slug"))
}

fn is_ours(org: &Organization, source_id: &str) -> bool {
    org.private_metadata
        .get(SOURCE_ID_KEY)
        .and_then(Value::as_str)
        == Some(source_id)
}

/// What the source kept about a member that Clerk's membership has no field for: when
/// they joined, and their teams.
fn kept(m: &Member) -> Map<String, Value> {
    let mut private = Map::new();
    if let Some(at) = &m.created_at {
        private.insert(JOINED_AT_KEY.to_owned(), Value::String(at.clone()));
    }
    if !m.teams.is_empty() {
        private.insert(TEAMS_KEY.to_owned(), serde_json::json!(m.teams));
    }
    private
}

/// Adds one member. A member already there (the organization's creator, an earlier run
/// that stopped before logging it, or someone since) gets what the source kept about
/// them merged into its metadata, and is `already_exists` (the creator: `success`).
async fn add_member(
    s: &Sender<'_>,
    (p, m, creator): (&Placed<'_>, &Member, bool),
    clerk_user: &str,
    ledger: &Mutex<LedgerWriter>,
) -> Result<Option<Settled>, LedgerError> {
    let role = match creator {
        true => s.creator_role.to_owned(),
        false => s
            .roles
            .target(&m.role)
            .map(|t| t.key().to_owned())
            .unwrap_or_default(),
    };
    let private = kept(m);
    let id = format!("{}/{}", p.org.id, m.user_id);
    let notes = Notes {
        ledger,
        reporter: s.reporter,
        id: &id,
        kind: "Membership Creation Error",
    };
    if !slot(s).await {
        return Ok(None);
    }
    let mut line = OrgLine::membership(&p.org.id, &m.user_id, Status::Success);
    line.clerk_org_id = Some(p.clerk_id.clone());
    line.clerk_user_id = Some(clerk_user.to_owned());
    line.role = Some(role.clone());
    let mut calls = 1;
    let mut there = creator;
    if creator {
        line.reason = Some("created_by".to_owned());
    } else {
        let body = CreateMembershipRequest {
            user_id: clerk_user.to_owned(),
            role,
            private_metadata: private.clone(),
        };
        let added = paced_in_slot(s.pacer, s.policy, &notes, || {
            s.client.create_membership(&p.clerk_id, &body)
        })
        .await;
        match added {
            Ok(_) => {}
            Err(e)
                if e.api()
                    .is_some_and(|a| a.code == "already_a_member_in_organization") =>
            {
                line.status = Status::AlreadyExists;
                there = true;
            }
            Err(e) => {
                line = line.with_error(&e);
                line.status = Status::Error;
            }
        }
    }
    if there && !private.is_empty() {
        if !creator {
            calls += 1;
            if !slot(s).await {
                return Ok(None);
            }
        }
        let body = MembershipMetadataRequest {
            private_metadata: private,
        };
        let merged = paced_in_slot(s.pacer, s.policy, &notes, || {
            s.client
                .update_membership_metadata(&p.clerk_id, clerk_user, &body)
        })
        .await;
        if let Err(e) = merged {
            line = line.with_error(&e);
            line.status = Status::Error;
        }
    }
    Ok(Some(Settled { line, calls }))
}

/// Waits for a rate slot; false when a stop comes first (the call is never started, and
/// the next run makes it).
pub(super) async fn slot(s: &Sender<'_>) -> bool {
    tokio::select! {
        _ = s.pacer.acquire() => !s.stop.is_requested(),
        _ = s.stop.wait() => false,
    }
}
