//! Pending invitations, sent after the memberships under Clerk's own hourly limits for
//! organization invitations: 250 an hour one by one, 50 bulk requests (of up to 10) an
//! hour, both on top of the instance's rate limit. An organization's invitations go 10 to
//! a bulk request; one left alone goes by itself; a bulk request Clerk refuses is sent
//! again one by one, so one bad address does not hold back the other nine.

use std::sync::Mutex;

use super::file::{Invitation, Org};
use super::send::{Notes, Placed, Sender, Settled, slot};
use crate::clerk::paced::paced_in_slot;
use crate::clerk::types::CreateInvitationRequest;
use crate::clerk::{ClientError, Pacer};
use crate::ledger::orgs::{OrgLine, OrgsDone, invitee_key};
use crate::ledger::{LedgerError, LedgerWriter, Status};

/// Invitations per bulk request (Clerk's maximum).
pub const BULK: usize = 10;

/// Clerk's hourly limits for organization invitations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub single_per_hour: u32,
    pub bulk_per_hour: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            single_per_hour: 250,
            bulk_per_hour: 50,
        }
    }
}

/// The hourly pacers, shared by every invitation job of a run.
pub struct Hourly {
    pub single: Pacer,
    pub bulk: Pacer,
}

impl Hourly {
    pub fn new(limits: Limits) -> Self {
        Self {
            single: Pacer::hourly(limits.single_per_hour),
            bulk: Pacer::hourly(limits.bulk_per_hour),
        }
    }
}

/// Whether an invitation is one to send: pending (or with no status).
pub fn is_pending(i: &Invitation) -> bool {
    i.status
        .as_deref()
        .is_none_or(|s| s.eq_ignore_ascii_case("pending"))
}

/// What sending the file's invitations takes.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct InvitePlan {
    /// Pending invitations not sent by an earlier run.
    pub to_send: u64,
    pub bulk_requests: u64,
    pub single_requests: u64,
    /// Sent by an earlier run.
    pub done: u64,
    /// Accepted, canceled, expired: never sent.
    pub not_pending: u64,
}

impl InvitePlan {
    /// Seconds at the hourly limits (the two endpoints' limits run side by side).
    pub fn seconds(&self, limits: Limits) -> u64 {
        let at = |n: u64, per_hour: u32| n * 3600 / u64::from(per_hour.max(1));
        at(self.bulk_requests, limits.bulk_per_hour)
            .max(at(self.single_requests, limits.single_per_hour))
    }
}

/// The invitations of `orgs` still to send, by organization, in groups of up to `BULK`.
pub fn plan<'o>(
    orgs: &'o [Org],
    done: &OrgsDone,
) -> (InvitePlan, Vec<(&'o Org, Vec<&'o Invitation>)>) {
    let mut p = InvitePlan::default();
    let mut jobs = Vec::new();
    for org in orgs {
        let mut left = Vec::new();
        for i in &org.invitations {
            if !is_pending(i) {
                p.not_pending += 1;
            } else if done
                .invitations
                .contains(&(org.id.clone(), invitee_key(&i.email_address)))
            {
                p.done += 1;
            } else {
                left.push(i);
            }
        }
        for chunk in left.chunks(BULK) {
            p.to_send += chunk.len() as u64;
            match chunk.len() {
                1 => p.single_requests += 1,
                _ => p.bulk_requests += 1,
            }
            jobs.push((org, chunk.to_vec()));
        }
    }
    (p, jobs)
}

fn request(s: &Sender<'_>, i: &Invitation) -> CreateInvitationRequest {
    CreateInvitationRequest {
        email_address: i.email_address.trim().to_owned(),
        role: s
            .roles
            .target(&i.role)
            .map(|t| t.key().to_owned())
            .unwrap_or_default(),
    }
}

/// Waits for a slot of an hourly pacer, then one of the instance's; false on a stop.
async fn hourly_slot(s: &Sender<'_>, pacer: &Pacer) -> bool {
    tokio::select! {
        _ = pacer.acquire() => !s.stop.is_requested() && slot(s).await,
        _ = s.stop.wait() => false,
    }
}

/// The log line of one invitation, with the instance role it was sent with.
fn line_for(
    s: &Sender<'_>,
    p: &Placed<'_>,
    i: &Invitation,
    result: Result<(), &ClientError>,
) -> OrgLine {
    let mut line = OrgLine::invitation(&p.org.id, &i.email_address, Status::Success);
    line.clerk_org_id = Some(p.clerk_id.clone());
    line.role = Some(request(s, i).role);
    match result {
        Ok(()) => line,
        Err(e)
            if e.api()
                .is_some_and(|a| a.code == "organization_invitation_not_unique") =>
        {
            line.status = Status::AlreadyExists;
            line
        }
        Err(e) => {
            let mut line = line.with_error(e);
            line.status = Status::Error;
            line
        }
    }
}

/// Sends one group: in bulk when it has several, one by one when it has one or when the
/// bulk request is refused. `None` when a stop came before anything was sent.
pub(super) async fn send(
    s: &Sender<'_>,
    hourly: &Hourly,
    p: &Placed<'_>,
    group: &[&Invitation],
    ledger: &Mutex<LedgerWriter>,
) -> Result<Option<Vec<Settled>>, LedgerError> {
    let id = format!("{}/invitations", p.org.id);
    let notes = Notes {
        ledger,
        reporter: s.reporter,
        id: &id,
        kind: "Invitation Error",
    };
    let mut out = Vec::new();
    // A bulk request Clerk refused is a call too: counted with the first single one.
    let mut refused = 0;
    if group.len() > 1 {
        if !hourly_slot(s, &hourly.bulk).await {
            return Ok(None);
        }
        let body: Vec<CreateInvitationRequest> = group.iter().map(|i| request(s, i)).collect();
        let sent = paced_in_slot(s.pacer, s.policy, &notes, || {
            s.client.create_invitations(&p.clerk_id, &body)
        })
        .await;
        match sent {
            Ok(_) => {
                for (n, i) in group.iter().enumerate() {
                    let calls = u64::from(n == 0);
                    out.push(Settled::new(line_for(s, p, i, Ok(())), calls));
                }
                return Ok(Some(out));
            }
            // A refusal names one invitation; the others go one by one.
            Err(e) if e.api().is_some_and(|a| (400..500).contains(&a.status)) => refused = 1,
            Err(e) => {
                for (n, i) in group.iter().enumerate() {
                    out.push(Settled::new(line_for(s, p, i, Err(&e)), u64::from(n == 0)));
                }
                return Ok(Some(out));
            }
        }
    }
    for i in group {
        if !hourly_slot(s, &hourly.single).await {
            return Ok((!out.is_empty()).then_some(out));
        }
        let body = request(s, i);
        let sent = paced_in_slot(s.pacer, s.policy, &notes, || {
            s.client.create_invitation(&p.clerk_id, &body)
        })
        .await;
        let calls = 1 + std::mem::take(&mut refused);
        out.push(Settled::new(
            line_for(s, p, i, sent.as_ref().map(|_| ())),
            calls,
        ));
    }
    Ok(Some(out))
}
