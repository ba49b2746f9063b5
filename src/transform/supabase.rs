//! Supabase `auth.users` exports: Postgres timestamps, bcrypt `encrypted_password`,
//! and `raw_user_meta_data` as a JSON string.

use chrono::{DateTime, Utc};

use super::normalize::{self, strip_discriminator, verified_marker};
use super::{Fields, route};
use crate::user::User;

pub fn map(f: &mut Fields, u: &mut User) {
    u.user_id = f.text("id");
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
        "raw_app_meta_data",
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
        "deleted_at",
        "is_anonymous",
    ]);
}
