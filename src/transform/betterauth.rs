//! Better Auth exports: `user_id`, verified flags, `name`, `password_hash` and optional
//! plugin columns (username, phone number, admin bans).

use super::{Fields, names_from, route};
use crate::transform::normalize::verified_marker;
use crate::user::{User, hasher};

pub fn map(f: &mut Fields, u: &mut User) {
    u.user_id = f
        .take_any(&["user_id", "id"])
        .and_then(super::normalize::into_text);
    let email = f.text("email");
    let verified = f
        .take("email_verified")
        .is_some_and(|v| verified_marker(&v));
    route(verified, email, &mut u.emails, &mut u.unverified_emails);
    let phone = f.text("phone_number");
    let verified = f
        .take("phone_number_verified")
        .is_some_and(|v| verified_marker(&v));
    route(verified, phone, &mut u.phones, &mut u.unverified_phones);
    u.username = f.text("username");
    let name = f.text("name");
    names_from(u, name);
    u.password_digest = f.text("password_hash");
    // Better Auth's hash depends on the app's configuration: detect it per user, with
    // the reference's bcrypt as the fallback so a wrong shape is reported clearly.
    u.password_hasher = Some(
        u.password_digest
            .as_deref()
            .and_then(hasher::detect)
            .unwrap_or("bcrypt")
            .to_owned(),
    );
    u.created_at = f.date("created_at");
    u.banned = f.flag("banned");
    f.discard(&[
        "updated_at",
        "image",
        "display_username",
        "role",
        "ban_reason",
        "ban_expires",
        "two_factor_enabled",
    ]);
}
