//! Supabase `auth.users` exports: Postgres timestamps, GoTrue's `encrypted_password`,
//! `raw_user_meta_data` and `raw_app_meta_data` (objects or JSON strings), and the user's
//! `auth.mfa_factors` rows when the export carries them. The JSON that Supabase's admin
//! API returns (`auth.admin.listUsers()`) names the metadata `user_metadata` and
//! `app_metadata` and has no password; it is read the same way.
//!
//! GoTrue verifies three kinds of `encrypted_password` (its `internal/crypto`): bcrypt,
//! which it writes; PHC argon2i/argon2id strings; and `$fbscrypt$` (Firebase's scrypt),
//! both for users imported into it. Each goes to the Clerk hasher that checks it.
//!
//! GoTrue soft-deletes by keeping the row with `deleted_at` set, its email and phone
//! overwritten with hashes and its password cleared, so such rows are skipped, not
//! reported as broken; so are anonymous sign-ins, which have no identifier to move.

use chrono::{DateTime, Utc};

use serde_json::Value;

use super::normalize::{self, strip_discriminator, verified_marker};
use super::{Unmapped, route};
use crate::user::{NewUser, Problem};

pub fn map(f: &mut Unmapped, u: &mut NewUser) {
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
    if let Some(stored) = f.text("encrypted_password") {
        match gotrue_password(&stored) {
            Ok((digest, hasher)) => {
                u.password_digest = Some(digest);
                u.password_hasher = Some(hasher.to_owned());
            }
            Err(reason) => f.problems.push(Problem::new("encrypted_password", reason)),
        }
    }
    u.public_metadata = match f.object("raw_user_meta_data") {
        Some(m) => Some(m),
        None => f.object("user_metadata"),
    };
    // App metadata is set by the server, never by the user: private in Clerk. GoTrue's own
    // `provider`/`providers` keys describe sign-in methods that do not carry over.
    let mut private = match f.object("raw_app_meta_data") {
        Some(m) => m,
        None => f.object("app_metadata").unwrap_or_default(),
    };
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
        && u.last_name.is_none()
        && let Some(meta) = &u.public_metadata
    {
        let find = |keys: &[&str]| {
            keys.iter()
                .find_map(|k| meta.get(*k).and_then(normalize::text))
        };
        // Separate parts are taken as given; a whole name is split only without them.
        let first = find(&["first_name", "given_name"]);
        let last = find(&["last_name", "family_name"]);
        if first.is_some() || last.is_some() {
            (u.first_name, u.last_name) = (first, last);
        } else if let Some(full) =
            find(&["full_name", "name", "display_name"]).and_then(|n| strip_discriminator(&n))
        {
            (u.first_name, u.last_name) = normalize::split_name(&full);
        }
    }
    u.first_name = u.first_name.take().and_then(|n| strip_discriminator(&n));
    u.last_name = u.last_name.take().and_then(|n| strip_discriminator(&n));
    // A ban that has not run out yet; PostgreSQL writes a ban for good as `infinity`.
    if let Some(until) = f.take("banned_until") {
        let forever = until.as_str().is_some_and(|s| {
            matches!(
                s.trim().to_ascii_lowercase().as_str(),
                "infinity" | "+infinity"
            )
        });
        let active = forever
            || normalize::timestamp(&until)
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
        // The admin API's names for the same, and its MFA factors without their secrets.
        "new_email",
        "new_phone",
        "factors",
    ]);
}

/// An `encrypted_password` as the digest and hasher Clerk checks it with, or why it
/// cannot be carried over.
fn gotrue_password(stored: &str) -> Result<(String, &'static str), String> {
    if stored.starts_with("$argon2id$") {
        Ok((stored.to_owned(), "argon2id"))
    } else if stored.starts_with("$argon2i$") {
        Ok((stored.to_owned(), "argon2i"))
    } else if stored.starts_with("$argon2") {
        Err("is an argon2 variant GoTrue does not verify (only argon2i and argon2id)".to_owned())
    } else if let Some(rest) = stored.strip_prefix("$fbscrypt$") {
        firebase_scrypt(rest).map(|d| (d, "scrypt_firebase"))
    } else {
        Ok((stored.to_owned(), "bcrypt"))
    }
}

/// `v=1,n=MEM,r=ROUNDS,p=1,ss=SEP,sk=KEY$SALT$HASH` (GoTrue's Firebase scrypt form) as
/// Clerk's `scrypt_firebase` digest `HASH$SALT$KEY$SEP$ROUNDS$MEM`.
fn firebase_scrypt(rest: &str) -> Result<String, String> {
    let bad = |why: &str| format!("is not a Firebase scrypt digest GoTrue accepts ({why})");
    let mut parts = rest.splitn(3, '$');
    let (Some(params), Some(salt), Some(hash)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad(
            "expected $fbscrypt$v=1,n=…,r=…,p=…,ss=…,sk=…$salt$hash",
        ));
    };
    let get = |k: &str| {
        params
            .split(',')
            .find_map(|kv| kv.strip_prefix(k).and_then(|v| v.strip_prefix('=')))
            .map(str::to_owned)
    };
    let (v, n, r, p) = (get("v"), get("n"), get("r"), get("p"));
    let (ss, sk) = (get("ss"), get("sk"));
    if v.as_deref() != Some("1") {
        return Err(bad("only version 1"));
    }
    let number = |x: Option<String>| {
        x.filter(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && s != "0")
    };
    let (Some(n), Some(r)) = (number(n), number(r)) else {
        return Err(bad("n and r must be positive numbers"));
    };
    // Firebase's scrypt runs with one thread; Clerk's hasher has no other.
    if p.as_deref() != Some("1") {
        return Err(bad("p must be 1, as Firebase writes it"));
    }
    let (Some(ss), Some(sk)) = (ss, sk) else {
        return Err(bad("the salt separator ss and signer key sk are needed"));
    };
    if salt.is_empty() || hash.is_empty() {
        return Err(bad("empty salt or hash"));
    }
    Ok(format!("{hash}${salt}${sk}${ss}${r}${n}"))
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
                // The admin API names the provider's ID `id` (and the row's `identity_id`).
                "provider_id": i
                    .get("provider_id")
                    .or_else(|| i.get("identity_id").and(i.get("id")))
                    .cloned()
                    .unwrap_or(Value::Null),
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn mapped(record: Value) -> (NewUser, Vec<Problem>) {
        let mut f = crate::transform::test_fields(record);
        let mut u = NewUser::default();
        map(&mut f, &mut u);
        (u, f.problems)
    }

    #[test]
    fn names_come_from_the_metadata_as_given() {
        let names = |meta: Value| {
            let (u, _) = mapped(json!({"id": "1", "raw_user_meta_data": meta}));
            (u.first_name, u.last_name)
        };
        let some = |s: &str| Some(s.to_owned());
        assert_eq!(
            names(json!({"first_name": "Mary Ann", "last_name": "Doe"})),
            (some("Mary Ann"), some("Doe"))
        );
        assert_eq!(
            names(json!({"given_name": "Jean", "family_name": "de la Tour", "full_name": "x y"})),
            (some("Jean"), some("de la Tour"))
        );
        assert_eq!(
            names(json!({"full_name": "Ada King Lovelace"})),
            (some("Ada"), some("King Lovelace"))
        );
        // As JSON text, and under the admin API's name.
        assert_eq!(
            names(json!("{\"first_name\":\"Mary Ann\",\"last_name\":\"Doe\"}")),
            (some("Mary Ann"), some("Doe"))
        );
        let (u, _) = mapped(json!({"id": "1", "user_metadata": {"name": "Grace Hopper"}}));
        assert_eq!((u.first_name, u.last_name), (some("Grace"), some("Hopper")));
    }

    #[test]
    fn a_ban_for_good_or_till_later_is_a_ban() {
        for until in ["infinity", "2999-01-01 00:00:00+00"] {
            let (u, _) = mapped(json!({"id": "1", "banned_until": until}));
            assert_eq!(u.banned, Some(true), "{until}");
        }
        let (u, _) = mapped(json!({"id": "1", "banned_until": "2001-01-01 00:00:00+00"}));
        assert_eq!(u.banned, None);
    }

    #[test]
    fn every_password_form_gotrue_verifies_gets_its_hasher() {
        let hasher = |stored: &str| {
            let (u, problems) = mapped(json!({"id": "1", "encrypted_password": stored}));
            (u.password_hasher, u.password_digest, problems.len())
        };
        let bcrypt = "$2a$10$W1uZf6zwK208CVvnjF9c9.An9oLmQtIlAiWO6s40kU8eHAwob2K.i";
        assert_eq!(hasher(bcrypt).0.as_deref(), Some("bcrypt"));
        let argon = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2g";
        assert_eq!(hasher(argon).0.as_deref(), Some("argon2id"));
        assert_eq!(
            hasher("$argon2i$v=19$m=4096,t=3,p=1$c2FsdA$aGFzaA")
                .0
                .as_deref(),
            Some("argon2i")
        );
        let (h, d, _) = hasher("$fbscrypt$v=1,n=14,r=8,p=1,ss=Bw==,sk=a2V5$c2FsdA==$aGFzaA==");
        assert_eq!(h.as_deref(), Some("scrypt_firebase"));
        assert_eq!(d.as_deref(), Some("aGFzaA==$c2FsdA==$a2V5$Bw==$8$14"));
        for bad in [
            "$argon2d$v=19$m=4096,t=3,p=1$c2FsdA$aGFzaA",
            "$fbscrypt$v=2,n=14,r=8,p=1,ss=Bw==,sk=a2V5$c2FsdA==$aGFzaA==",
            "$fbscrypt$v=1,n=14,r=8,p=2,ss=Bw==,sk=a2V5$c2FsdA==$aGFzaA==",
            "$fbscrypt$v=1,n=14,r=8,p=1$c2FsdA==$aGFzaA==",
        ] {
            let (h, _, problems) = hasher(bad);
            assert_eq!((h, problems), (None, 1), "{bad}");
        }
    }
}
