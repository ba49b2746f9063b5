//! What each platform's exports carry that the others' do not: field names only it
//! writes, and a few values only it writes that way. Read from the platforms' own code
//! and exports (GoTrue's `User` JSON and `auth.users` columns, Firebase's
//! `auth:export`, Auth0's user and bulk exports, Better Auth's and Auth.js's schemas,
//! Clerk's Dashboard export), so a file can be matched to the transformer that fits.

use serde_json::Value;

use super::TransformerKind;
use crate::source::Fields;

/// Names only one platform writes.
fn names(kind: TransformerKind) -> &'static [&'static str] {
    match kind {
        TransformerKind::Clerk => &[
            "primary_email_address",
            "verified_email_addresses",
            "unverified_email_addresses",
            "primary_phone_number",
            "verified_phone_numbers",
            "unverified_phone_numbers",
            "password_digest",
            "password_hasher",
            "backup_codes_enabled",
            "totp_secret",
            "unsafe_metadata",
            "has_image",
        ],
        TransformerKind::Auth0 => &[
            "logins_count",
            "last_login",
            "last_ip",
            "nickname",
            "given_name",
            "family_name",
            "phone_verified",
            "blocked",
        ],
        TransformerKind::Supabase => &[
            "encrypted_password",
            "raw_user_meta_data",
            "raw_app_meta_data",
            "aud",
            "email_confirmed_at",
            "phone_confirmed_at",
            "banned_until",
            "is_sso_user",
            "confirmation_sent_at",
            "instance_id",
        ],
        TransformerKind::Firebase => &[
            "localId",
            "passwordHash",
            "providerUserInfo",
            "lastSignedInAt",
            "photoUrl",
            "displayName",
            "customAttributes",
        ],
        TransformerKind::Betterauth => &[
            // The reference tool's snake_case rows: Auth0's exports carry no hash, and
            // its support export names it `passwordHash`.
            "password_hash",
            "phone_number_verified",
            "ban_reason",
            "ban_expires",
            "two_factor_enabled",
            "display_username",
            "banReason",
            "banExpires",
            "twoFactorEnabled",
            "isAnonymous",
            "phoneNumberVerified",
            "displayUsername",
        ],
        TransformerKind::Authjs => &[],
    }
}

/// A time written as text (Auth.js's `emailVerified`), not a flag that reads as one.
fn is_a_time(v: &Value) -> bool {
    matches!(v, Value::String(_))
        && super::normalize::flag(v).is_err()
        && super::normalize::timestamp(v).is_ok()
}

/// How many marks of `kind`'s platform `fields` carries.
pub fn hits(kind: TransformerKind, fields: &Fields) -> usize {
    let named = names(kind)
        .iter()
        .filter(|n| fields.contains_key(n))
        .count();
    named + usize::from(value_marks(kind, fields))
}

/// Marks that lie in values: Auth0's user IDs hold its connection's name. Both Better
/// Auth and Auth.js have `id`, `name`, `email`,
/// `emailVerified` and `image`, but Better Auth's `emailVerified` is a flag and its
/// tables always have `createdAt`, while Auth.js's is the time of verification; their
/// linked accounts (as `migrate export` writes them) are `providerId`/`accountId` and
/// `provider`/`providerAccountId`.
fn value_marks(kind: TransformerKind, fields: &Fields) -> bool {
    let first_account_has = |key: &str| {
        fields
            .get("accounts")
            .and_then(Value::as_array)
            .and_then(|a| a.first())
            .is_some_and(|a| a.get(key).is_some())
    };
    match kind {
        TransformerKind::Betterauth => {
            (fields.contains_key("createdAt") && fields.contains_key("emailVerified"))
                || matches!(fields.get("emailVerified"), Some(Value::Bool(_)))
                || first_account_has("providerId")
        }
        TransformerKind::Authjs => {
            ["emailVerified", "email_verified"]
                .iter()
                .filter_map(|k| fields.get(k))
                .any(is_a_time)
                || first_account_has("providerAccountId")
        }
        // Auth0's user IDs name their connection: `auth0|…`, `google-oauth2|…`.
        TransformerKind::Auth0 => fields
            .get("user_id")
            .and_then(Value::as_str)
            .is_some_and(|id| id.contains('|')),
        _ => false,
    }
}
