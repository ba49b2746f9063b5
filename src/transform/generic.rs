//! Fields already in the normalised (camelCase) schema, for any transformer; they fill
//! only what the source mapping left empty.

use super::Unmapped;
use super::normalize::push_unique;
use crate::user::NewUser;

pub fn fill(f: &mut Unmapped, u: &mut NewUser) {
    fn set<T>(slot: &mut Option<T>, value: Option<T>) {
        if slot.is_none() {
            *slot = value;
        }
    }
    set(&mut u.user_id, f.text("userId"));
    let emails = [f.list("email"), f.list("emailAddresses")].concat();
    push_unique(&mut u.emails, emails);
    let unverified = f.list("unverifiedEmailAddresses");
    let verified = u.emails.clone();
    push_unique(
        &mut u.unverified_emails,
        unverified
            .into_iter()
            .filter(|e| !verified.iter().any(|v| v.eq_ignore_ascii_case(e))),
    );
    let phones = [f.list("phone"), f.list("phoneNumbers")].concat();
    push_unique(&mut u.phones, phones);
    let unverified = f.list("unverifiedPhoneNumbers");
    let verified = u.phones.clone();
    push_unique(
        &mut u.unverified_phones,
        unverified.into_iter().filter(|p| !verified.contains(p)),
    );
    set(&mut u.username, f.text("username"));
    set(&mut u.first_name, f.text("firstName"));
    set(&mut u.last_name, f.text("lastName"));
    set(&mut u.password_digest, f.text("password"));
    // A per-row hasher beats a transformer's default (reference bug 8).
    if let Some(h) = f
        .take_any(&["passwordHasher", "password_hasher"])
        .and_then(super::normalize::into_text)
    {
        u.password_hasher = Some(h);
    }
    set(&mut u.totp_secret, f.text("totpSecret"));
    if u.backup_codes.is_empty() {
        u.backup_codes = f.list("backupCodes");
    }
    set(&mut u.public_metadata, f.object("publicMetadata"));
    set(&mut u.private_metadata, f.object("privateMetadata"));
    set(&mut u.unsafe_metadata, f.object("unsafeMetadata"));
    set(&mut u.banned, f.flag("banned"));
    set(&mut u.locked, f.flag("locked"));
    set(&mut u.created_at, f.date("createdAt"));
    set(&mut u.legal_accepted_at, f.date("legalAcceptedAt"));
    set(
        &mut u.create_organization_enabled,
        f.flag("createOrganizationEnabled"),
    );
    set(
        &mut u.create_organizations_limit,
        f.integer("createOrganizationsLimit"),
    );
    set(&mut u.delete_self_enabled, f.flag("deleteSelfEnabled"));
    set(&mut u.skip_legal_checks, f.flag("skipLegalChecks"));
    set(&mut u.skip_password_checks, f.flag("skipPasswordChecks"));
    set(&mut u.bypass_client_trust, f.flag("bypassClientTrust"));
    // Clerk derives this from the codes themselves.
    f.discard(&["backupCodesEnabled"]);
    if u.password_digest.is_none() {
        // A hasher without a digest says nothing.
        u.password_hasher = None;
    }
}
