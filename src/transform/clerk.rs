//! Clerk Dashboard exports: CSV (`primary_email_address`, `verified_email_addresses`, …)
//! and JSON (which also has `email_addresses` / `phone_numbers`, dropped by the reference).

use super::Fields;
use super::normalize::push_unique;
use crate::user::User;

pub fn map(f: &mut Fields, u: &mut User) {
    u.user_id = f.text("id");
    let mut emails: Vec<String> = f.text("primary_email_address").into_iter().collect();
    push_unique(&mut emails, f.list("verified_email_addresses"));
    push_unique(&mut emails, f.list("email_addresses"));
    let unverified: Vec<String> = f
        .list("unverified_email_addresses")
        .into_iter()
        .filter(|e| !emails.iter().any(|v| v.eq_ignore_ascii_case(e)))
        .collect();
    u.emails = emails;
    push_unique(&mut u.unverified_emails, unverified);

    let mut phones: Vec<String> = f.text("primary_phone_number").into_iter().collect();
    push_unique(&mut phones, f.list("verified_phone_numbers"));
    push_unique(&mut phones, f.list("phone_numbers"));
    let unverified: Vec<String> = f
        .list("unverified_phone_numbers")
        .into_iter()
        .filter(|p| !phones.contains(p))
        .collect();
    u.phones = phones;
    push_unique(&mut u.unverified_phones, unverified);

    u.username = f.text("username");
    u.first_name = f.text("first_name");
    u.last_name = f.text("last_name");
    u.password_digest = f.text("password_digest");
    u.password_hasher = f.text("password_hasher");
    u.totp_secret = f.text("totp_secret");
    u.backup_codes = f.list("backup_codes");
    u.public_metadata = f.object("public_metadata");
    u.private_metadata = f.object("private_metadata");
    u.unsafe_metadata = f.object("unsafe_metadata");
    u.created_at = f.date("created_at");
    u.banned = f.flag("banned");
    u.locked = f.flag("locked");
    u.legal_accepted_at = f.date("legal_accepted_at");
    u.create_organization_enabled = f.flag("create_organization_enabled");
    u.create_organizations_limit = f.integer("create_organizations_limit");
    u.delete_self_enabled = f.flag("delete_self_enabled");
    // Derived by Clerk, not settable: the image comes from sign-in providers.
    f.discard(&[
        "backup_codes_enabled",
        "has_image",
        "image_url",
        "profile_image_url",
    ]);
}
