//! Auth.js (NextAuth) users tables: `id, name, email, email_verified, created_at`.

use super::{Unmapped, names_from, route};
use crate::transform::normalize::verified_marker;
use crate::user::NewUser;

pub fn map(f: &mut Unmapped, u: &mut NewUser) {
    u.user_id = f.text("id");
    let email = f.text("email");
    // Auth.js stores the time of verification; "false" strings count as not verified.
    let verified = f
        .take_any(&["email_verified", "emailVerified"])
        .is_some_and(|v| verified_marker(&v));
    route(verified, email, &mut u.emails, &mut u.unverified_emails);
    let name = f.text("name");
    names_from(u, name);
    u.created_at = f.date("created_at");
    // OAuth links cannot move; which providers a user signed in with can.
    if let Some(serde_json::Value::Array(accounts)) = f.take("accounts")
        && !accounts.is_empty()
    {
        let mut private = serde_json::Map::new();
        private.insert(
            "authjs_accounts".to_owned(),
            serde_json::Value::Array(accounts),
        );
        u.private_metadata = Some(private);
    }
    f.discard(&["updated_at", "image"]);
}
