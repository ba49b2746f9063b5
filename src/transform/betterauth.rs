//! Better Auth exports: the reference tool's snake_case rows (`user_id`, `password_hash`,
//! …) or Better Auth's own camelCase columns (`id`, `emailVerified`, the credential
//! account's `password`), with the username, phone number and admin plugins' fields.
//!
//! Better Auth hashes with scrypt by default (`better-auth/crypto`'s `hashPassword`):
//! `<salt hex>:<key hex>` with N=16384, r=16, p=1 and a 64-byte key, the salt used as its
//! hex text. That is Werkzeug's scrypt with other costs, so it becomes `scrypt_werkzeug`.
//! Apps that configure bcrypt or argon2 instead are recognised per user.

use serde_json::Value;

use super::{Unmapped, names_from, route};
use crate::transform::normalize::{into_text, verified_marker};
use crate::user::{NewUser, Problem, hasher};

pub fn map(f: &mut Unmapped, u: &mut NewUser) {
    u.user_id = f.take_any(&["user_id", "id"]).and_then(into_text);
    // The anonymous plugin's guests (`isAnonymous`, true or SQLite's 1) signed in with no
    // identifier of their own: nothing to move, as with Supabase's.
    if f.take_any(&["is_anonymous", "isAnonymous"])
        .is_some_and(|v| super::normalize::flag(&v) == Ok(true))
    {
        f.skip = Some("anonymous");
    }
    let email = f.text("email");
    let verified = f
        .take_any(&["email_verified", "emailVerified"])
        .is_some_and(|v| verified_marker(&v));
    route(verified, email, &mut u.emails, &mut u.unverified_emails);
    let phone = f
        .take_any(&["phone_number", "phoneNumber"])
        .and_then(into_text);
    let verified = f
        .take_any(&["phone_number_verified", "phoneNumberVerified"])
        .is_some_and(|v| verified_marker(&v));
    route(verified, phone, &mut u.phones, &mut u.unverified_phones);
    u.username = f.text("username");
    let name = f.text("name");
    names_from(u, name);
    if let Some(digest) = f
        .take_any(&["password_hash", "password"])
        .and_then(into_text)
    {
        match convert(&digest) {
            Ok((digest, hasher)) => {
                u.password_digest = Some(digest);
                u.password_hasher = Some(hasher.to_owned());
            }
            Err(shape) => f.problems.push(
                Problem::new(
                    "password_hash",
                    "is not a Better Auth hash (scrypt <salt>:<key> in hex, bcrypt or argon2)",
                )
                .with_detail(shape),
            ),
        }
    }
    u.created_at = f.take_any(&["created_at", "createdAt"]).and_then(|v| {
        super::normalize::timestamp(&v)
            .map_err(|reason| f.problems.push(Problem::new("created_at", reason)))
            .ok()
    });
    // The admin plugin: a ban holds until `banExpires`, if it has one.
    let banned = f.flag("banned");
    let expires = f.take_any(&["ban_expires", "banExpires"]);
    let expired = expires
        .and_then(|v| super::normalize::timestamp(&v).ok())
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(&t).ok())
        .is_some_and(|t| t < chrono::Utc::now());
    u.banned = banned.map(|b| b && !expired);
    let mut private = serde_json::Map::new();
    if let Some(reason) = f.take_any(&["ban_reason", "banReason"]).and_then(into_text)
        && u.banned == Some(true)
    {
        private.insert("ban_reason".to_owned(), reason.into());
    }
    // Sign-in providers cannot move (OAuth links are Clerk's to make); which ones a user
    // had can, so the app can offer them again.
    if let Some(Value::Array(accounts)) = f.take("accounts")
        && !accounts.is_empty()
    {
        private.insert("betterauth_accounts".to_owned(), Value::Array(accounts));
    }
    u.private_metadata = Some(private).filter(|m| !m.is_empty());
    // The admin plugin's role is what apps authorise on: public metadata, as Clerk's
    // role-based guides keep it.
    if let Some(role) = f.text("role") {
        let mut public = serde_json::Map::new();
        public.insert("role".to_owned(), role.into());
        u.public_metadata = Some(public);
    }
    f.discard(&[
        "updated_at",
        "updatedAt",
        "image",
        "display_username",
        "displayUsername",
        "two_factor_enabled",
        "twoFactorEnabled",
    ]);
}

/// Better Auth's scrypt costs (`@better-auth/utils/password`).
const SCRYPT_METHOD: &str = "scrypt:16384:16:1";

/// The Clerk digest and hasher for one Better Auth hash, or the shape that was found.
fn convert(digest: &str) -> Result<(String, &'static str), String> {
    let hex = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit());
    if let Some((salt, key)) = digest.split_once(':')
        && hex(salt)
        && hex(key)
        && key.len() == 128
    {
        return Ok((format!("{SCRYPT_METHOD}${salt}${key}"), "scrypt_werkzeug"));
    }
    match hasher::detect(digest) {
        Some(h @ ("bcrypt" | "argon2id" | "argon2i")) => Ok((digest.to_owned(), h)),
        _ => Err(shape(digest)),
    }
}

/// What a digest looks like, without giving it away: length, alphabet and separators.
fn shape(digest: &str) -> String {
    let alphabet = if digest.bytes().all(|b| b.is_ascii_hexdigit()) {
        "hex"
    } else if digest
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"+/=-_.".contains(&b))
    {
        "base64-like"
    } else {
        "mixed"
    };
    let mut separators: Vec<char> = digest.chars().filter(|c| "$:.#".contains(*c)).collect();
    separators.dedup();
    let prefix: String = digest
        .chars()
        .take_while(|c| !c.is_alphanumeric())
        .take(4)
        .collect();
    format!(
        "found {} characters, {alphabet}{}{}",
        digest.chars().count(),
        if separators.is_empty() {
            String::new()
        } else {
            format!(
                ", separated by {:?}",
                separators.into_iter().collect::<String>()
            )
        },
        if prefix.is_empty() {
            String::new()
        } else {
            format!(", starting {prefix:?}")
        }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrypt_becomes_werkzeug_with_better_auths_costs() {
        let salt = "9c4a26ccb37f6999b58dbc1953e2aecc";
        let key = "ab".repeat(64);
        let (digest, hasher) = convert(&format!("{salt}:{key}")).expect("scrypt");
        assert_eq!(hasher, "scrypt_werkzeug");
        assert_eq!(digest, format!("scrypt:16384:16:1${salt}${key}"));
    }

    #[test]
    fn other_configured_hashers_are_kept_and_unknown_shapes_refused() {
        let bcrypt = "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy";
        assert_eq!(convert(bcrypt), Ok((bcrypt.to_owned(), "bcrypt")));
        let short = &bcrypt[..59];
        let err = convert(short).expect_err("truncated bcrypt");
        assert!(err.contains("59 characters"), "{err}");
        let err = convert("deadbeef:cafe").expect_err("short key");
        assert!(err.contains("separated by \":\""), "{err}");
    }
}
