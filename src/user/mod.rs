//! The normalised user every transformer produces, and its conversion into a Clerk
//! `CreateUser` payload (`validate`), with the password hashers Clerk accepts (`hasher`).

pub mod fingerprint;
pub mod hasher;
pub mod validate;

use serde_json::{Map, Value};

pub use validate::{Prepared, ValidateOptions, validate};

/// What to do with identifiers the source marks unverified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UnverifiedMode {
    /// Send them in the create call as `reserved`.
    #[default]
    Reserve,
    /// Add them after the create call with `verified: false`.
    Attach,
    /// Leave them out.
    Drop,
}

/// A user in source-neutral form. Emails and phones are split into verified (the first
/// one is the primary) and unverified; dates are RFC 3339 UTC.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewUser {
    pub user_id: Option<String>,
    pub emails: Vec<String>,
    pub unverified_emails: Vec<String>,
    pub phones: Vec<String>,
    pub unverified_phones: Vec<String>,
    pub username: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub password_digest: Option<String>,
    pub password_hasher: Option<String>,
    pub totp_secret: Option<String>,
    pub backup_codes: Vec<String>,
    pub public_metadata: Option<Map<String, Value>>,
    pub private_metadata: Option<Map<String, Value>>,
    pub unsafe_metadata: Option<Map<String, Value>>,
    pub banned: Option<bool>,
    pub locked: Option<bool>,
    pub created_at: Option<String>,
    pub legal_accepted_at: Option<String>,
    pub create_organization_enabled: Option<bool>,
    pub create_organizations_limit: Option<i64>,
    pub delete_self_enabled: Option<bool>,
    pub skip_legal_checks: Option<bool>,
    pub skip_password_checks: Option<bool>,
    pub bypass_client_trust: Option<bool>,
}

/// Why a record cannot be imported as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The Clerk field (or source column) concerned.
    pub field: String,
    /// The reason, free of personal data, so problems can be grouped and shown.
    pub reason: String,
    /// The offending value or more context, for the private migration log only.
    pub detail: Option<String>,
}

impl Problem {
    pub fn new(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            reason: reason.into(),
            detail: None,
        }
    }

    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// The full message for the log: field, reason and detail.
    pub fn message(&self) -> String {
        match &self.detail {
            Some(d) => format!("{}: {} ({d})", self.field, self.reason),
            None => format!("{}: {}", self.field, self.reason),
        }
    }
}
