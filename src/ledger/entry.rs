//! The shapes of ledger lines.
//!
//! Outcome lines keep the reference tool's keys (`userId`, `status`, `clerkUserId`,
//! `error`, `code`, `path`, `row`) so existing tooling reads them; extra keys are ours.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What happened to one user (or one step of it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Created by this tool.
    Success,
    /// Already in the instance (same external_id) before this run touched it.
    AlreadyExists,
    /// Clerk refused it.
    Error,
    /// Invalid before sending (the reference's validation failure).
    Fail,
    /// Created by an earlier run of the same file and instance.
    Skipped,
    /// About to be created: written before the request, so a crash leaves a trace.
    Creating,
    /// A step after creation failed; the user exists.
    Warning,
    /// Deleted (rollback).
    Deleted,
    /// Was already gone when deleting.
    NotFound,
    /// A 429 answer, retried.
    #[serde(rename = "429_retry")]
    RateLimitRetry,
    /// A retryable failure (5xx, timeout), retried.
    Retry,
    /// `--dry-run --live` verdicts: the create would succeed.
    WouldCreate,
    /// A Clerk user already has this external_id.
    Exists,
    /// Another Clerk user holds one of this user's identifiers.
    Conflict,
    /// The instance's sign-up settings would refuse the create.
    WouldRefuse,
    #[serde(rename = "additional_email_error")]
    AdditionalEmailError,
    #[serde(rename = "additional_phone_error")]
    AdditionalPhoneError,
    /// `verify`: the user the log names is gone from the instance.
    Missing,
    /// `verify`: the user differs from the source in `fields`.
    Drift,
    /// `verify`: a known password does not sign in.
    PasswordFailed,
    /// `orgs`: the member's user is in no import log and no Clerk user has its ID as
    /// `external_id`: the membership is not sent.
    UserNotMigrated,
}

impl Status {
    /// Whether this line settles the user for the run (as opposed to a progress note).
    pub fn is_final(self) -> bool {
        matches!(
            self,
            Self::Success
                | Self::AlreadyExists
                | Self::Error
                | Self::Fail
                | Self::Skipped
                | Self::Deleted
                | Self::NotFound
        )
    }
}

/// One outcome line.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Entry {
    /// `"User Creation Error"` on the reference's step-error lines.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none", default)]
    pub kind: Option<String>,
    #[serde(rename = "userId")]
    pub user_id: String,
    pub status: Option<Status>,
    #[serde(
        rename = "clerkUserId",
        skip_serializing_if = "Option::is_none",
        default
    )]
    pub clerk_user_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub error: Option<String>,
    /// `error` without the offending values (no personal data), for reports.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub problem: Option<String>,
    /// The HTTP status as text, as the reference writes it (`"422"`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub code: Option<String>,
    /// Clerk's machine-readable error code.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub clerk_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub trace_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub path: Option<Vec<Value>>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub row: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub attempts: Option<u32>,
    /// Why a record was skipped without a call: `deleted`, `anonymous`, or absent when an
    /// earlier run created the user.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub at: Option<String>,
    /// `verify`'s differences, field by field.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub fields: Option<Vec<DriftField>>,
    /// On a `success`: the fingerprint of what was sent (`user::fingerprint`), the base a
    /// later sync compares the source with.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub fp: Option<String>,
}

/// One field where Clerk holds something else than the source says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DriftField {
    pub field: String,
    pub expected: Value,
    pub actual: Value,
}

impl Entry {
    /// A line about a user who has a Clerk user ID.
    pub fn for_user(user_id: &str, clerk_id: &str, status: Status) -> Self {
        Self {
            clerk_user_id: Some(clerk_id.to_owned()),
            ..Self::new(user_id, status)
        }
    }

    pub fn new(user_id: impl Into<String>, status: Status) -> Self {
        Self {
            user_id: user_id.into(),
            status: Some(status),
            at: Some(now()),
            ..Self::default()
        }
    }
}

impl Entry {
    /// A record that failed validation, in the reference's shape
    /// `{"userId","status":"fail","error","path","row"}`.
    pub fn fail(
        user_id: impl Into<String>,
        row: u64,
        field: &str,
        error: impl Into<String>,
    ) -> Self {
        Self {
            error: Some(error.into()),
            path: Some(vec![Value::String(field.to_owned())]),
            row: Some(row),
            ..Self::new(user_id, Status::Fail)
        }
    }
}

/// The current UTC time as RFC 3339 with milliseconds.
pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// The first line of every log: what run wrote it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunHeader {
    /// Always `"run"`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `import`, `dry-run` or `delete`.
    pub command: String,
    pub version: String,
    pub started_at: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub file_sha256: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub transformer: Option<String>,
    /// The instance's ID (`ins_…`) as Clerk names it: which instance the run wrote to.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub instance: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub environment: Option<String>,
    /// Auth0's password export merged into the file, so `verify` reads the same hashes.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub auth0_passwords: Option<String>,
    /// An orgs run's `--role-map`, so `verify --orgs` expects the roles it sent.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub role_map: Option<String>,
}

impl RunHeader {
    pub fn new(command: &str) -> Self {
        Self {
            kind: "run".to_owned(),
            command: command.to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            started_at: now(),
            file: None,
            file_sha256: None,
            transformer: None,
            instance: None,
            environment: None,
            auth0_passwords: None,
            role_map: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_match_the_reference() {
        let mut e = Entry::new("u1", Status::Success);
        e.clerk_user_id = Some("user_x".into());
        e.at = None;
        assert_eq!(
            serde_json::to_string(&e).expect("json"),
            r#"{"userId":"u1","status":"success","clerkUserId":"user_x"}"#
        );
        let mut r = Entry::new("u2", Status::RateLimitRetry);
        r.kind = Some("User Creation Error".into());
        r.at = None;
        assert_eq!(
            serde_json::to_string(&r).expect("json"),
            r#"{"type":"User Creation Error","userId":"u2","status":"429_retry"}"#
        );
    }
}
