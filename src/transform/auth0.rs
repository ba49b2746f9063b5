//! Auth0 Management API or bulk (NDJSON) exports. Hashes (`passwordHash`) arrive only
//! through an Auth0 support export and are bcrypt; `--auth0-passwords` merges that file
//! in (`auth0_passwords`).

use super::auth0_passwords::Auth0Passwords;
use super::{Unmapped, names_from, route};
use crate::transform::normalize::verified_marker;
use crate::user::NewUser;

/// Takes the user's hash from the support export unless the record has one already;
/// notes a database-connection user left without one.
pub fn merge_password(u: &mut NewUser, passwords: &Auth0Passwords, row: u64) {
    let found = passwords.find(
        u.user_id.as_deref(),
        u.emails
            .first()
            .or(u.unverified_emails.first())
            .map(String::as_str),
    );
    if u.password_digest.is_none()
        && let Some(hash) = found
    {
        u.password_digest = Some(hash.to_owned());
        u.password_hasher = Some("bcrypt".to_owned());
    }
    // Database connections (Auth0's own provider) are the users with passwords; their IDs
    // are `auth0|…`, social and enterprise users' are not.
    let database_user = u
        .user_id
        .as_deref()
        .is_some_and(|id| id.starts_with("auth0|"));
    if u.password_digest.is_none() && database_user {
        passwords.note_missing(row);
    }
}

pub fn map(f: &mut Unmapped, u: &mut NewUser) {
    u.user_id = f.text("user_id");
    let email = f.text("email");
    let verified = f
        .take("email_verified")
        .is_some_and(|v| verified_marker(&v));
    route(verified, email, &mut u.emails, &mut u.unverified_emails);
    let phone = f.text("phone_number");
    let verified = f
        .take("phone_verified")
        .is_some_and(|v| verified_marker(&v));
    route(verified, phone, &mut u.phones, &mut u.unverified_phones);
    u.username = f.text("username");
    u.first_name = f.text("given_name");
    u.last_name = f.text("family_name");
    // Auth0 fills `name` with the email for database users; only a real name is split.
    let name = f.text("name").filter(|n| !n.contains('@'));
    names_from(u, name);
    u.password_digest = f
        .take_any(&["passwordHash", "password_hash"])
        .and_then(super::normalize::into_text);
    u.password_hasher = Some("bcrypt".to_owned());
    // Auth0 lets users edit their own `user_metadata`, so it goes where Clerk lets users
    // write too (`unsafe_metadata`), never into `public_metadata`, which applications
    // trust as set by the server (Clerk's own CLI maps it so; the reference tool does
    // not). `app_metadata` is the server's: private.
    u.unsafe_metadata = f.object("user_metadata");
    u.private_metadata = f.object("app_metadata");
    u.created_at = f.date("created_at");
    u.banned = f.flag("blocked");
    f.discard(&[
        "nickname",
        "picture",
        "identities",
        "last_login",
        "last_ip",
        "logins_count",
        "updated_at",
        "last_password_reset",
        "multifactor",
    ]);
}
