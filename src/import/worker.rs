//! One user, end to end: skip, adopt or create it, retrying safely, then the follow-up
//! calls. Every call goes through the pacer.

use std::future::Future;
use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};

use super::{ImportError, Msg, ResumeState, Work};
use crate::clerk::paced::{Retrier, RetryNote, RetryObserver};
use crate::clerk::types::{CreateEmailAddressRequest, CreatePhoneNumberRequest, User, UserQuery};
use crate::clerk::{self, ClerkClient, ClientError, Pacer, RetryPolicy};
use crate::event::Event;
use crate::ledger::{Entry, Status};
use crate::user::validate::FollowUp;
use crate::user::{Prepared, fingerprint};

pub(super) struct Ctx {
    pub stop: super::Stop,
    pub client: ClerkClient,
    pub pacer: Arc<Pacer>,
    pub retry: RetryPolicy,
    pub resume: ResumeState,
    pub tx: mpsc::Sender<Msg>,
}

impl Ctx {
    async fn note(&self, entry: Entry, event: Event) {
        let _ = self.tx.send(Msg::Note { entry, event }).await;
    }

    async fn settle(&self, entry: Entry, fatal: Option<ImportError>) {
        self.settle_with(entry, fatal, None).await;
    }

    /// Settles with the user's contact, which the UI may show for a refusal.
    async fn settle_with(&self, entry: Entry, fatal: Option<ImportError>, contact: Option<String>) {
        let _ = self
            .tx
            .send(Msg::Final {
                entry,
                fatal,
                contact,
            })
            .await;
    }
}

pub(super) async fn handle(ctx: &Ctx, work: Work) {
    match work {
        Work::Invalid { entry } => ctx.settle(*entry, None).await,
        Work::Skipped {
            row,
            user_id,
            reason,
        } => {
            let entry = Entry {
                row: Some(row),
                reason: Some(reason.to_owned()),
                ..Entry::new(user_id, Status::Skipped)
            };
            ctx.settle(entry, None).await
        }
        Work::Settled { entry } => ctx.settle(*entry, None).await,
        Work::Create { row, prepared } => create(ctx, row, *prepared).await,
    }
}

fn step_entry(user_id: &str, status: Status, error: String) -> Entry {
    Entry {
        kind: Some("User Creation Error".to_owned()),
        error: Some(error),
        ..Entry::new(user_id, status)
    }
}

fn error_entry(user_id: &str, row: u64, e: &ClientError, attempts: u32) -> Entry {
    let mut entry = Entry::new(user_id, Status::Error);
    entry.row = Some(row);
    entry.attempts = Some(attempts);
    match e {
        ClientError::Api(api) => {
            entry.error = Some(api.long_message.clone());
            entry.code = Some(api.status.to_string());
            entry.clerk_code = Some(api.code.clone());
            entry.trace_id = api.trace_id.clone();
        }
        ClientError::Timeout(_) => {
            entry.error = Some(e.to_string());
            entry.code = Some("timeout".to_owned());
        }
        _ => {
            entry.error = Some(e.to_string());
            entry.code = Some("network".to_owned());
        }
    }
    entry
}

/// Retry notes of one user, for the collector.
struct Notes<'a> {
    ctx: &'a Ctx,
    user_id: &'a str,
}

impl RetryObserver for Notes<'_> {
    async fn on_retry(&self, note: RetryNote) {
        let (entry, event) = crate::engine::retry_line(note, self.user_id, "User Creation Error");
        self.ctx.note(entry, event).await;
    }
}

/// A call that is safe to repeat, paced and retried.
async fn paced<T, F, Fut>(ctx: &Ctx, user_id: &str, call: F) -> Result<T, ClientError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, ClientError>>,
{
    let notes = Notes { ctx, user_id };
    clerk::paced::paced(&ctx.pacer, &ctx.retry, &notes, call).await
}

/// The user with this external ID, if the instance has one.
async fn lookup(ctx: &Ctx, external_id: &str) -> Result<Option<User>, ClientError> {
    let query = UserQuery {
        external_id: vec![external_id.to_owned()],
        limit: Some(1),
        ..UserQuery::default()
    };
    let users = paced(ctx, external_id, || ctx.client.list_users(&query)).await?;
    Ok(users
        .into_iter()
        .find(|u| u.external_id.as_deref() == Some(external_id)))
}

fn settled(
    user_id: &str,
    row: u64,
    status: Status,
    clerk_id: Option<String>,
    attempts: u32,
) -> Entry {
    let mut entry = Entry::new(user_id, status);
    entry.clerk_user_id = clerk_id;
    entry.row = Some(row);
    entry.attempts = Some(attempts);
    entry
}

fn fatal_for(e: &ClientError) -> Option<ImportError> {
    let api = e.api()?;
    if api.is_auth() {
        Some(ImportError::Auth(Box::new(api.clone())))
    } else if api.status == 403 && api.code == "user_quota_exceeded" {
        Some(ImportError::Quota(Box::new(api.clone())))
    } else {
        None
    }
}

async fn create(ctx: &Ctx, row: u64, prepared: Prepared) {
    let id = prepared.external_id.clone();
    // Taken before the payload is adjusted for sending (a ban goes after the create).
    let fp = fingerprint::of(&prepared);
    let contact = prepared
        .request
        .email_address
        .first()
        .or(prepared.request.phone_number.first())
        .cloned();
    if ctx.resume.done.contains(&id) {
        ctx.settle(settled(&id, row, Status::Skipped, None, 0), None)
            .await;
        return;
    }
    // An earlier run sent this create and died before recording the answer.
    let mut maybe_created = ctx.resume.pending.contains(&id);
    if maybe_created {
        match lookup(ctx, &id).await {
            Ok(Some(user)) => {
                let mut entry = settled(&id, row, Status::Success, Some(user.id), 0);
                entry.fp = Some(fp);
                ctx.settle(entry, None).await;
                return;
            }
            Ok(None) => maybe_created = false,
            Err(e) => {
                let fatal = fatal_for(&e);
                ctx.settle_with(error_entry(&id, row, &e, 0), fatal, contact)
                    .await;
                return;
            }
        }
    }
    // Wait for a slot first: a user that is still waiting when a stop comes was never
    // started, and the next run picks it up.
    tokio::select! {
        _ = ctx.pacer.acquire() => {}
        _ = ctx.stop.wait() => return,
    }
    if ctx.stop.is_requested() {
        return;
    }
    let (ack_tx, ack_rx) = oneshot::channel();
    if ctx
        .tx
        .send(Msg::Intent {
            user_id: id.clone(),
            ack: ack_tx,
        })
        .await
        .is_err()
        || ack_rx.await.is_err()
    {
        // The collector is gone (the log failed): nothing may be sent unrecorded.
        return;
    }

    let mut request = prepared.request;
    let mut ban_after = false;
    let mut attempts = 0u32;
    let notes = Notes { ctx, user_id: &id };
    let mut retrier = Retrier::new(&ctx.pacer, &ctx.retry);
    let outcome: Result<(Status, String), ClientError> = loop {
        if attempts > 0 {
            ctx.pacer.acquire().await;
        }
        attempts += 1;
        let e = match ctx.client.create_user(&request).await {
            Ok(user) => break Ok((Status::Success, user.id)),
            Err(e) => e,
        };
        if e.api().is_some_and(|a| a.code == "form_identifier_exists") {
            // Taken: by this very user (re-run, or our lost answer) or by another one.
            match lookup(ctx, &id).await {
                Ok(Some(user)) if maybe_created => break Ok((Status::Success, user.id)),
                Ok(Some(user)) => break Ok((Status::AlreadyExists, user.id)),
                Ok(None) => break Err(e),
                Err(lookup_error) => break Err(lookup_error),
            }
        }
        if e.api().is_some_and(|a| a.status == 402) && request.banned == Some(true) {
            // The plan lacks banning at creation: create, then ban separately.
            request.banned = None;
            ban_after = true;
            continue;
        }
        if e.outcome_unknown() {
            // The create may have been applied: look before sending it again.
            maybe_created = true;
            match lookup(ctx, &id).await {
                Ok(Some(user)) => break Ok((Status::Success, user.id)),
                Ok(None) => {}
                Err(lookup_error) => break Err(lookup_error),
            }
        }
        if !retrier.retry(&e, &notes).await {
            break Err(e);
        }
    };
    match outcome {
        Ok((status, clerk_id)) => {
            if status == Status::Success {
                follow_ups(ctx, &id, &clerk_id, &prepared.follow_ups, ban_after).await;
            }
            let mut entry = settled(&id, row, status, Some(clerk_id), attempts);
            if status == Status::Success {
                entry.fp = Some(fp);
            }
            ctx.settle(entry, None).await;
        }
        Err(e) => {
            let fatal = fatal_for(&e);
            ctx.settle_with(error_entry(&id, row, &e, attempts), fatal, contact)
                .await;
        }
    }
}

/// Steps after the user exists. A failure is a warning on the user, never a failed user.
async fn follow_ups(ctx: &Ctx, user_id: &str, clerk_id: &str, follow_ups: &[FollowUp], ban: bool) {
    for f in follow_ups {
        let (result, status, what) = match f {
            FollowUp::UnverifiedEmail(email) => {
                let body = CreateEmailAddressRequest {
                    user_id: clerk_id.to_owned(),
                    email_address: email.clone(),
                    verified: false,
                    primary: false,
                };
                let r = paced(ctx, user_id, || ctx.client.create_email_address(&body))
                    .await
                    .map(|_| ());
                (r, Status::AdditionalEmailError, "unverified email")
            }
            FollowUp::UnverifiedPhone(phone) => {
                let body = CreatePhoneNumberRequest {
                    user_id: clerk_id.to_owned(),
                    phone_number: phone.clone(),
                    verified: false,
                    primary: false,
                };
                let r = paced(ctx, user_id, || ctx.client.create_phone_number(&body))
                    .await
                    .map(|_| ());
                (r, Status::AdditionalPhoneError, "unverified phone")
            }
        };
        if let Err(e) = result {
            warn(ctx, user_id, status, format!("Failed to add {what}: {e}")).await;
        }
    }
    if ban && let Err(e) = paced(ctx, user_id, || ctx.client.ban_user(clerk_id)).await {
        warn(
            ctx,
            user_id,
            Status::Warning,
            format!("Created, but the ban failed: {e}"),
        )
        .await;
    }
}

async fn warn(ctx: &Ctx, user_id: &str, status: Status, message: String) {
    let event = Event::Warning {
        user_id: user_id.to_owned(),
        message: message.clone(),
    };
    ctx.note(step_entry(user_id, status, message), event).await;
}
