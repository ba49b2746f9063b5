//! Supabase `auth.users` exports: Postgres timestamps, GoTrue's bcrypt
//! `encrypted_password`, `raw_user_meta_data` and `raw_app_meta_data` (objects or JSON
//! strings), and the user's `auth.mfa_factors` rows when the export carries them.
//!
//! GoTrue soft-deletes by keeping the row with `deleted_at` set, its email and phone
//! overwritten with hashes and its password cleared, so such rows are skipped, not
//! reported as broken; so are anonymous sign-ins, which have no identifier to move.

use chrono::{DateTime, Utc};

use serde_json::Value;

use super::normalize::{self, strip_discriminator, verified_marker};
use super::{Fields, route};
use crate::user::User;

pub fn map(f: &mut Fields, u: &mut User) {
    u.user_id = f.text("id");
    if f.take("deleted_at").is_some() {
        f.skip = Some("deleted");
    } else if f.flag("is_anonymous") == Some(true) {
        f.skip = Some("anonymous");
    }
    let email = f.text("email");
    let verified = f
        .take("email_confirmed_at")
        .is_some_and(|v| verified_marker(&v));
    route(verified, email, &mut u.emails, &mut u.unverified_emails);
    // Supabase stores phone numbers without the leading `+`.
    let phone = f.text("phone").map(|p| {
        if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) {
            format!("+{p}")
        } else {
            p
        }
    });
    let verified = f
        .take("phone_confirmed_at")
        .is_some_and(|v| verified_marker(&v));
    route(verified, phone, &mut u.phones, &mut u.unverified_phones);
    u.first_name = f.text("first_name");
    u.last_name = f.text("last_name");
    u.password_digest = f.text("encrypted_password");
    u.password_hasher = Some("bcrypt".to_owned());
    u.public_metadata = f.object("raw_user_meta_data");
    // App metadata is set by the server, never by the user: private in Clerk. GoTrue's own
    // `provider`/`providers` keys describe sign-in methods that do not carry over.
    let mut private = f.object("raw_app_meta_data").unwrap_or_default();
    private.remove("provider");
    private.remove("providers");
    // OAuth links cannot move to Clerk; which providers a user signed in with can, so the
    // app can offer them again.
    if let Some(linked) = f.take("identities").and_then(|v| oauth_identities(&v)) {
        private.insert("supabase_identities".to_owned(), linked);
    }
    u.private_metadata = Some(private).filter(|m| !m.is_empty());
    u.totp_secret = f
        .take("mfa_factors")
        .and_then(|v| verified_totp(&v))
        .or_else(|| f.text("totp_secret"));
    u.created_at = f.date("created_at");
    if u.first_name.is_none()
        && let Some(meta) = &u.public_metadata
    {
        let full = ["display_name", "full_name", "name", "first_name"]
            .iter()
            .find_map(|k| meta.get(*k).and_then(normalize::text));
        if let Some(full) = full.and_then(|n| strip_discriminator(&n)) {
            let (first, last) = normalize::split_name(&full);
            u.first_name = first;
            if u.last_name.is_none() {
                u.last_name = last;
            }
        }
    }
    u.first_name = u.first_name.take().and_then(|n| strip_discriminator(&n));
    u.last_name = u.last_name.take().and_then(|n| strip_discriminator(&n));
    // A ban that has not run out yet.
    if let Some(until) = f.take("banned_until") {
        let active = normalize::timestamp(&until)
            .ok()
            .and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
            .is_some_and(|t| t.with_timezone(&Utc) > Utc::now());
        if active {
            u.banned = Some(true);
        }
    }
    f.discard(&[
        "instance_id",
        "aud",
        "role",
        "invited_at",
        "confirmation_token",
        "confirmation_sent_at",
        "recovery_token",
        "recovery_sent_at",
        "email_change_token_new",
        "email_change",
        "email_change_sent_at",
        "last_sign_in_at",
        "is_super_admin",
        "updated_at",
        "phone_change",
        "phone_change_token",
        "phone_change_sent_at",
        "confirmed_at",
        "email_change_token_current",
        "email_change_confirm_status",
        "reauthentication_token",
        "reauthentication_sent_at",
        "is_sso_user",
        "is_anonymous",
    ]);
}

/// The user's sign-in identities other than email and phone (`auth.identities` rows), as
/// `[{"provider", "provider_id"}]`, or nothing when there are none.
fn oauth_identities(v: &Value) -> Option<Value> {
    let linked: Vec<Value> = v
        .as_array()?
        .iter()
        .filter_map(|i| {
            let provider = i.get("provider").and_then(Value::as_str)?;
            if matches!(provider, "email" | "phone") {
                return None;
            }
            Some(serde_json::json!({
                "provider": provider,
                "provider_id": i.get("provider_id").cloned().unwrap_or(Value::Null),
            }))
        })
        .collect();
    (!linked.is_empty()).then_some(Value::Array(linked))
}

/// The secret of the user's verified TOTP factor (`auth.mfa_factors`, as an array of rows
/// or its JSON text). Unverified factors were never completed and are not carried over.
fn verified_totp(factors: &Value) -> Option<String> {
    let parsed;
    let factors = match factors {
        Value::String(s) => {
            parsed = serde_json::from_str::<Value>(s).ok()?;
            &parsed
        }
        v => v,
    };
    factors.as_array()?.iter().find_map(|f| {
        let is = |k: &str, v: &str| f.get(k).and_then(Value::as_str) == Some(v);
        if is("factor_type", "totp") && is("status", "verified") {
            f.get("secret").and_then(normalize::text)
        } else {
            None
        }
    })
}
