//! `firebase auth:export` files, JSON or headerless CSV. Password digests are built as
//! Clerk's `scrypt_firebase` expects: `hash$salt$signerKey$saltSeparator$rounds$memCost`.

use super::{TransformContext, Unmapped, names_from, route};
use crate::source::FIREBASE_COLUMNS;
use crate::transform::normalize::verified_marker;
use crate::user::{NewUser, Problem};

pub fn map(f: &mut Unmapped, u: &mut NewUser, ctx: &TransformContext) {
    u.user_id = f.text("localId");
    let email = f.text("email");
    let verified = f.take("emailVerified").is_some_and(|v| verified_marker(&v));
    route(verified, email, &mut u.emails, &mut u.unverified_emails);
    // Firebase only stores phone numbers it has verified by SMS.
    route(
        true,
        f.text("phoneNumber"),
        &mut u.phones,
        &mut u.unverified_phones,
    );
    let name = f.text("displayName");
    names_from(u, name);
    let hash = f.text("passwordHash");
    let salt = f
        .take_any(&["salt", "passwordSalt"])
        .and_then(super::normalize::into_text);
    match (hash, salt, &ctx.firebase) {
        (Some(hash), Some(salt), Some(c)) => {
            u.password_digest = Some(format!(
                "{hash}${salt}${}${}${}${}",
                c.signer_key, c.salt_separator, c.rounds, c.mem_cost
            ));
            u.password_hasher = Some("scrypt_firebase".to_owned());
        }
        (Some(_), Some(_), None) => f.problems.push(Problem::new(
            "password_digest",
            "the password hash needs Firebase's hash parameters: pass --firebase-signer-key, \
             --firebase-salt-separator, --firebase-rounds and --firebase-mem-cost",
        )),
        (Some(_), None, _) => f
            .problems
            .push(Problem::new("passwordHash", "has no salt beside it")),
        _ => {}
    }
    u.created_at = f.date("createdAt");
    u.banned = f.flag("disabled");
    // Custom claims end up in tokens, which is what Clerk's public metadata is for.
    u.public_metadata = f.object("customAttributes");
    // The rest of the export's columns (photos, per-provider IDs, sign-in times) have no
    // place in Clerk; JSON exports add a few more.
    f.discard(&FIREBASE_COLUMNS);
    f.discard(&["lastLoginAt", "passwordUpdatedAt", "validSince", "mfaInfo"]);
}
