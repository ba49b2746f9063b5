//! Clerk Dashboard exports: CSV (`primary_email_address`, `verified_email_addresses`, …)
//! and JSON (which also has `email_addresses` / `phone_numbers`, dropped by the reference).

use super::Unmapped;
use crate::user::NewUser;
use crate::user::validate::normalize_phone;

pub fn map(f: &mut Unmapped, u: &mut NewUser) {
    u.user_id = f.text("id");
    let primary = f.text("primary_email_address").map(unguard);
    let verified: Vec<String> = [
        f.list("verified_email_addresses"),
        f.list("email_addresses"),
    ]
    .concat()
    .into_iter()
    .map(unguard)
    .collect();
    let unverified: Vec<String> = f
        .list("unverified_email_addresses")
        .into_iter()
        .map(unguard)
        .collect();
    let same = |a: &String, b: &String| a.eq_ignore_ascii_case(b);
    (u.emails, u.unverified_emails) = sort(primary, verified, unverified, same);

    let primary = f.text("primary_phone_number").map(unguard);
    let verified: Vec<String> = [f.list("verified_phone_numbers"), f.list("phone_numbers")]
        .concat()
        .into_iter()
        .map(unguard)
        .collect();
    let unverified: Vec<String> = f
        .list("unverified_phone_numbers")
        .into_iter()
        .map(unguard)
        .collect();
    let same = |a: &String, b: &String| normalize_phone(a) == normalize_phone(b);
    (u.phones, u.unverified_phones) = sort(primary, verified, unverified, same);

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

/// The verified addresses (primary first) and the unverified ones. The primary is
/// verified unless the export lists it among the unverified addresses and not among the
/// verified ones: an address nobody proved must never arrive verified, or whoever holds
/// it could sign in as this user.
fn sort(
    primary: Option<String>,
    verified: Vec<String>,
    unverified: Vec<String>,
    same: impl Fn(&String, &String) -> bool,
) -> (Vec<String>, Vec<String>) {
    let mut yes: Vec<String> = Vec::new();
    let mut no: Vec<String> = Vec::new();
    let listed_verified = |a: &String| verified.iter().any(|v| same(v, a));
    let listed_unverified = |a: &String| unverified.iter().any(|v| same(v, a));
    if let Some(p) = primary {
        if listed_unverified(&p) && !listed_verified(&p) {
            no.push(p);
        } else {
            yes.push(p);
        }
    }
    for v in &verified {
        if !yes.iter().any(|y| same(y, v)) {
            yes.push(v.clone());
        }
    }
    for v in unverified {
        if !yes.iter().chain(no.iter()).any(|y| same(y, &v)) {
            no.push(v);
        }
    }
    (yes, no)
}

/// A cell as written before spreadsheet protection: Clerk's CSV export (like many) puts
/// `'` or a TAB before a cell starting with `+`, `=`, `-` or `@` so that a spreadsheet
/// does not run it as a formula.
fn unguard(cell: String) -> String {
    let t = cell.trim_start_matches([' ', '\r']);
    let mut chars = t.chars();
    match (chars.next(), chars.next()) {
        (Some('\'' | '\t'), Some('+' | '=' | '-' | '@')) => t[1..].trim().to_owned(),
        _ => cell,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn mapped(record: serde_json::Value) -> NewUser {
        let mut f = crate::transform::test_fields(record);
        let mut u = NewUser::default();
        map(&mut f, &mut u);
        u
    }

    #[test]
    fn a_primary_listed_only_as_unverified_arrives_unverified() {
        for (email, phone) in [
            ("Mallory@Example.com", "+14155550101"),
            ("mallory@example.com", "'+14155550101"),
            ("mallory@example.com", "\t+1 (415) 555-0101"),
        ] {
            let u = mapped(json!({
                "id": "user_1",
                "primary_email_address": "mallory@example.com",
                "unverified_email_addresses": email,
                "verified_email_addresses": "",
                "primary_phone_number": phone,
                "unverified_phone_numbers": "'+14155550101",
            }));
            assert!(u.emails.is_empty(), "{u:?}");
            assert_eq!(u.unverified_emails, ["mallory@example.com"]);
            assert!(u.phones.is_empty(), "{u:?}");
            assert_eq!(u.unverified_phones.len(), 1, "{u:?}");
        }
        // Listed as verified too, or not listed at all: verified, and primary.
        let u = mapped(json!({
            "id": "user_2",
            "primary_email_address": "a@example.com",
            "verified_email_addresses": "b@example.com|a@example.com",
            "unverified_email_addresses": "a@example.com|c@example.com",
            "primary_phone_number": "'+14155550102",
        }));
        assert_eq!(u.emails, ["a@example.com", "b@example.com"]);
        assert_eq!(u.unverified_emails, ["c@example.com"]);
        assert_eq!(u.phones, ["+14155550102"]);
    }
}
