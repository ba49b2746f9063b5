//! Rolling back organizations: only those an orgs run of this instance records as its
//! own, each checked first: one whose `migrate_source_id` is no longer the recorded one
//! is somebody else's now, and one with a member this tool did not add is in use. Both
//! are left alone; deleting an organization removes its memberships with it.

use std::time::Instant;

use futures_util::stream::{self, StreamExt};
use serde_json::Value;

use crate::clerk::paced::{RetryNote, RetryObserver, Unrecorded, all_pages, paced, paced_in_slot};
use crate::clerk::{ClerkClient, ClientError, Pacer, RetryPolicy};
use crate::engine::{ErrorTally, Stop};
use crate::event::{Event, Reporter};
use crate::ledger::orgs::{CreatedOrg, OrgLine, SOURCE_ID_KEY};
use crate::ledger::{LedgerError, LedgerWriter, Status};

/// Members per page when reading an organization's memberships (Clerk's maximum).
const PAGE: u32 = 500;

/// What the instance says about an organization to roll back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrgCheck {
    Delete(CreatedOrg),
    NotFound(CreatedOrg),
    /// Its `migrate_source_id` is not the recorded one now.
    Changed {
        target: CreatedOrg,
        now: Option<String>,
    },
    /// It has members this tool did not add.
    InUse {
        target: CreatedOrg,
        others: u64,
    },
}

/// Counts of one rollback of organizations.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct OrgsDeleteSummary {
    pub targets: u64,
    pub deleted: u64,
    pub not_found: u64,
    pub left_alone: u64,
    pub failed: u64,
    pub not_started: u64,
    pub api_calls: u64,
    pub elapsed_secs: f64,
    pub errors: Vec<(String, u64)>,
}

/// Reads each target back: the organization, then its members.
pub async fn check(
    client: &ClerkClient,
    pacer: &Pacer,
    policy: &RetryPolicy,
    targets: Vec<CreatedOrg>,
) -> Result<Vec<OrgCheck>, ClientError> {
    let mut out = Vec::with_capacity(targets.len());
    for target in targets {
        let found = paced(pacer, policy, &Unrecorded, || {
            client.get_organization(&target.clerk_id)
        })
        .await;
        let org = match found {
            Ok(org) => org,
            Err(e) if e.api().is_some_and(|a| a.status == 404) => {
                out.push(OrgCheck::NotFound(target));
                continue;
            }
            Err(e) => return Err(e),
        };
        let now = org
            .private_metadata
            .get(SOURCE_ID_KEY)
            .and_then(Value::as_str);
        if now != Some(target.source_id.as_str()) {
            let now = now.map(str::to_owned);
            out.push(OrgCheck::Changed { target, now });
            continue;
        }
        let members = all_pages(pacer, policy, |offset| {
            client.list_memberships(&target.clerk_id, PAGE, offset)
        })
        .await?;
        let others = members
            .iter()
            .filter_map(|m| m.public_user_data.as_ref())
            .filter(|u| !target.members.contains(&u.user_id))
            .count() as u64;
        out.push(if others > 0 {
            OrgCheck::InUse { target, others }
        } else {
            OrgCheck::Delete(target)
        });
    }
    Ok(out)
}

struct Notes<'a> {
    ledger: &'a std::sync::Mutex<LedgerWriter>,
    reporter: &'a dyn Reporter,
    id: &'a str,
}

impl RetryObserver for Notes<'_> {
    async fn on_retry(&self, note: RetryNote) {
        let (entry, event) =
            crate::engine::retry_line(note, self.id, "Organization Deletion Error");
        let _ = append(self.ledger, &entry);
        self.reporter.report(&event);
    }
}

fn append<T: serde::Serialize>(
    ledger: &std::sync::Mutex<LedgerWriter>,
    line: &T,
) -> Result<(), LedgerError> {
    ledger
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .append(line)
}

fn line(target: &CreatedOrg, status: Status) -> OrgLine {
    let mut line = OrgLine::organization(&target.source_id, status);
    line.clerk_org_id = Some(target.clerk_id.clone());
    line
}

/// Logs the targets the checks settled (gone, or left alone with why) and returns the
/// ones to delete.
fn settle_checks(
    checks: Vec<OrgCheck>,
    ledger: &std::sync::Mutex<LedgerWriter>,
    reporter: &dyn Reporter,
    summary: &mut OrgsDeleteSummary,
) -> Result<Vec<CreatedOrg>, LedgerError> {
    let mut to_delete = Vec::new();
    for c in checks {
        let (entry, status) = match c {
            OrgCheck::Delete(t) => {
                to_delete.push(t);
                continue;
            }
            OrgCheck::NotFound(t) => (line(&t, Status::NotFound), Status::NotFound),
            OrgCheck::Changed { target, now } => {
                let mut l = line(&target, Status::Skipped);
                l.error = Some(format!(
                    "its {SOURCE_ID_KEY} is now {now:?}, not the one the orgs run recorded; left alone"
                ));
                (l, Status::Skipped)
            }
            OrgCheck::InUse { target, others } => {
                let mut l = line(&target, Status::Skipped);
                l.error = Some(format!(
                    "it has {others} members this tool did not add; left alone (remove them, or the organization, in the Clerk Dashboard)"
                ));
                (l, Status::Skipped)
            }
        };
        match status {
            Status::NotFound => summary.not_found += 1,
            _ => summary.left_alone += 1,
        }
        append(ledger, &entry)?;
        reporter.report(&Event::Settled { status });
    }
    Ok(to_delete)
}

/// Records the checks and deletes the organizations that are to go, at the rate limit.
pub async fn run(
    s: (&ClerkClient, &Pacer, &RetryPolicy),
    checks: Vec<OrgCheck>,
    ledger: LedgerWriter,
    reporter: &dyn Reporter,
    workers: usize,
    stop: &Stop,
) -> Result<OrgsDeleteSummary, LedgerError> {
    let (client, pacer, policy) = s;
    let started = Instant::now();
    let ledger = std::sync::Mutex::new(ledger);
    let mut summary = OrgsDeleteSummary {
        targets: checks.len() as u64,
        ..OrgsDeleteSummary::default()
    };
    let mut errors = ErrorTally::default();
    let to_delete = settle_checks(checks, &ledger, reporter, &mut summary)?;
    let queued = to_delete.len() as u64;
    let mut results = stream::iter(to_delete)
        .take_while(|_| std::future::ready(!stop.is_requested()))
        .map(|target| {
            let ledger = &ledger;
            async move {
                tokio::select! {
                    _ = pacer.acquire() => {}
                    _ = stop.wait() => return None,
                }
                let notes = Notes {
                    ledger,
                    reporter,
                    id: &target.source_id,
                };
                let result = paced_in_slot(pacer, policy, &notes, || {
                    client.delete_organization(&target.clerk_id)
                })
                .await;
                Some(match result {
                    Ok(_) => line(&target, Status::Deleted),
                    Err(e) if e.api().is_some_and(|a| a.status == 404) => {
                        line(&target, Status::NotFound)
                    }
                    Err(e) => line(&target, Status::Error).with_error(&e),
                })
            }
        })
        .buffer_unordered(workers.max(1));
    let mut settled = 0;
    while let Some(done) = results.next().await {
        let Some(entry) = done else { continue };
        settled += 1;
        summary.api_calls += 1;
        match entry.status {
            Status::Deleted => summary.deleted += 1,
            Status::NotFound => summary.not_found += 1,
            _ => {
                summary.failed += 1;
                errors.add(entry.error.as_deref().unwrap_or("unknown error"));
            }
        }
        append(&ledger, &entry)?;
        reporter.report(&Event::Settled {
            status: entry.status,
        });
    }
    summary.not_started = queued - settled;
    summary.errors = errors.sorted();
    summary.elapsed_secs = started.elapsed().as_secs_f64();
    Ok(summary)
}
