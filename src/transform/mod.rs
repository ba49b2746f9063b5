//! Per-source transformers: map one source record to the normalised `NewUser`.
//!
//! Each source module takes the fields it knows from the record (its field map, with
//! the reference tool's defaults), then `generic` fills what is still empty from fields
//! that already carry the normalised names (`userId`, `email`, `passwordHasher`, …), so
//! an export prepared by hand works with any transformer. A per-row hasher always beats
//! a transformer's default. Whatever is left is reported as not imported.

mod auth0;
pub mod auth0_passwords;
mod authjs;
mod betterauth;
mod clerk;
mod fields;
mod firebase;
mod generic;
pub mod normalize;
pub mod signature;
mod supabase;

use crate::source::Record;
use crate::user::{NewUser, Problem};

pub use fields::Unmapped;

/// The source systems `migrate` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TransformerKind {
    Clerk,
    Auth0,
    Authjs,
    Betterauth,
    Firebase,
    Supabase,
}

impl TransformerKind {
    /// Every transformer, in the reference tool's order.
    pub const ALL: [TransformerKind; 6] = [
        Self::Clerk,
        Self::Auth0,
        Self::Authjs,
        Self::Betterauth,
        Self::Firebase,
        Self::Supabase,
    ];

    /// The name used on the command line and in logs.
    pub fn key(self) -> &'static str {
        match self {
            Self::Clerk => "clerk",
            Self::Auth0 => "auth0",
            Self::Authjs => "authjs",
            Self::Betterauth => "betterauth",
            Self::Firebase => "firebase",
            Self::Supabase => "supabase",
        }
    }

    /// The name shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Self::Clerk => "Clerk",
            Self::Auth0 => "Auth0",
            Self::Authjs => "Auth.js (NextAuth)",
            Self::Betterauth => "Better Auth",
            Self::Firebase => "Firebase",
            Self::Supabase => "Supabase",
        }
    }

    /// Every column the transformer reads the user ID from (`id_column` first): Better
    /// Auth's own tables call it `id`, the reference tool's export `user_id`.
    pub fn id_columns(self) -> &'static [&'static str] {
        match self {
            Self::Betterauth => &["user_id", "id"],
            Self::Clerk | Self::Authjs | Self::Supabase => &["id"],
            Self::Auth0 => &["user_id"],
            Self::Firebase => &["localId"],
        }
    }

    /// The source column holding the user ID, for messages and for `delete --file`.
    pub fn id_column(self) -> &'static str {
        match self {
            Self::Clerk | Self::Authjs | Self::Supabase => "id",
            Self::Auth0 | Self::Betterauth => "user_id",
            Self::Firebase => "localId",
        }
    }
}

/// Firebase's project-wide scrypt parameters, joined into every user's digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirebaseHashConfig {
    pub signer_key: String,
    pub salt_separator: String,
    pub rounds: u32,
    pub mem_cost: u32,
}

/// What transformers may need beyond the record.
#[derive(Debug, Clone, Default)]
pub struct TransformContext {
    pub firebase: Option<FirebaseHashConfig>,
    /// Auth0's support export of password hashes, merged into its user export.
    pub auth0_passwords: Option<std::sync::Arc<auth0_passwords::Auth0Passwords>>,
}

/// One record after mapping: the user, what was wrong, what was not used.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    pub user: NewUser,
    pub problems: Vec<Problem>,
    /// Source fields no mapping used.
    pub ignored: Vec<String>,
    /// Why the record is left out on purpose, when it is.
    pub skip: Option<&'static str>,
}

/// Maps one record with the given transformer.
pub fn transform(kind: TransformerKind, record: Record, ctx: &TransformContext) -> Draft {
    let row = record.position.row;
    let mut fields = Unmapped::new(record.fields);
    let mut user = NewUser::default();
    if let Some(defect) = record.defect {
        fields.problems.push(Problem::new("record", defect));
    }
    match kind {
        TransformerKind::Clerk => clerk::map(&mut fields, &mut user),
        TransformerKind::Auth0 => auth0::map(&mut fields, &mut user),
        TransformerKind::Authjs => authjs::map(&mut fields, &mut user),
        TransformerKind::Betterauth => betterauth::map(&mut fields, &mut user),
        TransformerKind::Firebase => firebase::map(&mut fields, &mut user, ctx),
        TransformerKind::Supabase => supabase::map(&mut fields, &mut user),
    }
    generic::fill(&mut fields, &mut user);
    if kind == TransformerKind::Auth0
        && let Some(passwords) = &ctx.auth0_passwords
    {
        auth0::merge_password(&mut user, passwords, row);
    }
    let (ignored, problems, skip) = fields.leftover();
    Draft {
        user,
        problems,
        ignored,
        skip,
    }
}

/// A JSON object's members as a record's fields, for transformers' unit tests.
#[cfg(test)]
pub(crate) fn test_fields(record: serde_json::Value) -> Unmapped {
    Unmapped::new(
        record
            .as_object()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .collect(),
    )
}

/// Routes an address to the verified or unverified list.
pub(crate) fn route(
    verified: bool,
    value: Option<String>,
    yes: &mut Vec<String>,
    no: &mut Vec<String>,
) {
    if let Some(v) = value {
        let list = if verified { yes } else { no };
        normalize::push_unique(list, normalize::list(&serde_json::Value::String(v)));
    }
}

/// Fills first/last name from a display name when the source has no separate parts.
pub(crate) fn names_from(user: &mut NewUser, full: Option<String>) {
    if user.first_name.is_none()
        && user.last_name.is_none()
        && let Some(full) = full
    {
        let (first, last) = normalize::split_name(&full);
        user.first_name = first;
        user.last_name = last;
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::Value;

    use super::*;
    use crate::source::{Fields as RecordFields, Position, Record};

    fn any_value() -> impl Strategy<Value = Value> {
        prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            ".{0,24}".prop_map(Value::String),
            proptest::collection::vec(".{0,8}".prop_map(Value::String), 0..3)
                .prop_map(Value::Array),
        ]
    }

    const KEYS: [&str; 24] = [
        "id",
        "user_id",
        "localId",
        "email",
        "email_verified",
        "emailVerified",
        "phone",
        "phone_number",
        "phoneNumber",
        "name",
        "displayName",
        "created_at",
        "createdAt",
        "password_hash",
        "passwordHash",
        "salt",
        "encrypted_password",
        "raw_user_meta_data",
        "banned",
        "blocked",
        "disabled",
        "primary_email_address",
        "verified_email_addresses",
        "banned_until",
    ];

    proptest! {
        #[test]
        fn no_record_makes_a_transformer_panic(values in proptest::collection::vec(any_value(), KEYS.len())) {
            let fields: RecordFields = KEYS.iter().map(|k| (*k).to_owned()).zip(values).collect();
            let ctx = TransformContext {
                firebase: Some(FirebaseHashConfig { signer_key: "k".into(), salt_separator: "s".into(), rounds: 8, mem_cost: 14 }),
                auth0_passwords: None,
            };
            for kind in TransformerKind::ALL {
                let record = Record { position: Position::default(), fields: fields.clone(), defect: None };
                let draft = transform(kind, record, &ctx);
                let _ = crate::user::validate(draft.user, crate::user::ValidateOptions::default());
            }
        }
    }
}
