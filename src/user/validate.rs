//! Checks a normalised user and builds the one `CreateUser` request that carries
//! everything Clerk accepts, plus any follow-up calls the chosen mode needs.

use crate::clerk::types::{CreateUserRequest, IdentificationStatus};

use super::hasher;
use super::{NewUser, Problem, UnverifiedMode};

/// Choices that change what is valid or what is sent.
#[derive(Debug, Clone, Copy, Default)]
pub struct ValidateOptions {
    pub unverified: UnverifiedMode,
    /// Users without a password are invalid (instead of `skip_password_requirement`).
    pub require_password: bool,
}

/// An identifier added after the user exists (`--unverified=attach`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FollowUp {
    UnverifiedEmail(String),
    UnverifiedPhone(String),
}

/// A user ready to send.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    /// The source user ID, sent as `external_id`.
    pub external_id: String,
    pub request: CreateUserRequest,
    pub follow_ups: Vec<FollowUp>,
    /// What was left out because Clerk refuses it (`field: why`); the user imports.
    pub dropped: Vec<String>,
}

/// Top-level domains reserved for no real mailbox (RFC 2606, 6761, 6762), which Clerk
/// refuses in an email address: exports use them for placeholders.
const RESERVED_TLDS: [&str; 4] = ["invalid", "local", "localhost", "test"];

/// Why Clerk would refuse `name` as a first or last name: it reads as an email address,
/// a phone number, a URL or HTML (Clerk's anti-spam rules, as `clerk migrate` encodes
/// them).
fn refused_name(name: &str) -> Option<&'static str> {
    let t = name.trim();
    let lower = t.to_ascii_lowercase();
    let digits = t.bytes().filter(u8::is_ascii_digit).count();
    let phone_like = digits >= 7
        && t.bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'+' | b' ' | b'-' | b'(' | b')' | b'.'));
    let domain_like = lower.rsplit_once('.').is_some_and(|(host, tld)| {
        !host.is_empty()
            && !host.contains(' ')
            && matches!(
                tld,
                "com" | "net" | "org" | "io" | "co" | "app" | "dev" | "xyz" | "info" | "biz"
            )
    });
    if t.contains('<') && t.contains('>') {
        Some("looks like HTML")
    } else if t.contains('@') && is_valid_email(t) {
        Some("looks like an email address")
    } else if lower.contains("://") || lower.starts_with("www.") || domain_like {
        Some("looks like a URL")
    } else if phone_like {
        Some("looks like a phone number")
    } else {
        None
    }
}

fn reserved_tld(email: &str) -> Option<String> {
    let tld = email.rsplit_once('.')?.1.to_ascii_lowercase();
    RESERVED_TLDS.contains(&tld.as_str()).then_some(tld)
}

/// Leaves out what Clerk refuses but the user can do without: names that are not
/// names, and placeholder email addresses. Returns what was left out.
fn drop_refused(user: &mut NewUser) -> Vec<String> {
    let mut dropped = Vec::new();
    for (slot, field) in [
        (&mut user.first_name, "first_name"),
        (&mut user.last_name, "last_name"),
    ] {
        if let Some(why) = slot.as_deref().and_then(refused_name) {
            dropped.push(format!("{field}: {why}"));
            *slot = None;
        }
    }
    for (list, field) in [
        (&mut user.emails, "email_address"),
        (&mut user.unverified_emails, "unverified email_address"),
    ] {
        list.retain(|e| match reserved_tld(e) {
            Some(tld) => {
                dropped.push(format!("{field}: on the reserved top-level domain .{tld}"));
                false
            }
            None => true,
        });
    }
    dropped
}

/// Email syntax: one `@`, a local part of printable characters without spaces (no
/// leading, trailing or doubled dot), and a dotted domain of letters, digits and `-`
/// ending in a 2+ letter top-level domain.
pub fn is_valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.rsplit_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local.chars().all(|c| {
            !c.is_whitespace()
                && !c.is_control()
                && !matches!(
                    c,
                    '@' | '"' | '<' | '>' | '(' | ')' | ',' | ';' | ':' | '\\' | '[' | ']'
                )
        });
    let domain_ok = domain.contains('.')
        && domain.split('.').all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
        && domain
            .rsplit('.')
            .next()
            .is_some_and(|tld| tld.len() >= 2 && tld.bytes().all(|b| b.is_ascii_alphabetic()));
    local_ok && domain_ok
}

/// E.164: `+`, a non-zero first digit, 2 to 15 digits in all.
pub fn is_valid_phone(phone: &str) -> bool {
    phone.strip_prefix('+').is_some_and(|d| {
        (2..=15).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit()) && !d.starts_with('0')
    })
}

fn is_base32(s: &str) -> bool {
    let body = s.trim_end_matches('=');
    !body.is_empty()
        && body
            .bytes()
            .all(|b| matches!(b.to_ascii_uppercase(), b'A'..=b'Z' | b'2'..=b'7'))
}

/// A phone number written with its country code and separators (`+1 (415) 555-0100`)
/// in E.164 (`+14155550100`), as Clerk reads it; anything else unchanged, to be reported.
pub fn normalize_phone(phone: &str) -> String {
    let trimmed = phone.trim();
    if !trimmed.starts_with('+') {
        return trimmed.to_owned();
    }
    let compact: String = trimmed
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '.' | '\u{a0}'))
        .collect();
    if is_valid_phone(&compact) {
        compact
    } else {
        trimmed.to_owned()
    }
}

/// Each phone in E.164 where it can be, once.
fn normalize_phones(phones: &mut Vec<String>) {
    let mut out: Vec<String> = Vec::with_capacity(phones.len());
    for p in phones.drain(..) {
        let p = normalize_phone(&p);
        if !out.contains(&p) {
            out.push(p);
        }
    }
    *phones = out;
}

/// Validates `user` and builds its payload, or lists every problem found.
pub fn validate(mut user: NewUser, options: ValidateOptions) -> Result<Prepared, Vec<Problem>> {
    let mut problems = Vec::new();
    let dropped = drop_refused(&mut user);
    normalize_phones(&mut user.phones);
    normalize_phones(&mut user.unverified_phones);
    user.unverified_phones.retain(|p| !user.phones.contains(p));
    let external_id = user.user_id.clone().unwrap_or_default();
    if external_id.is_empty() {
        problems.push(Problem::new("userId", "the user has no ID"));
    }
    for (list, field) in [
        (&user.emails, "email_address"),
        (&user.unverified_emails, "unverified email_address"),
    ] {
        for e in list {
            if !is_valid_email(e) {
                problems.push(
                    Problem::new(field, "is not a valid email address").with_detail(e.clone()),
                );
            }
        }
    }
    for (list, field) in [
        (&user.phones, "phone_number"),
        (&user.unverified_phones, "unverified phone_number"),
    ] {
        for p in list {
            if !is_valid_phone(p) {
                problems.push(
                    Problem::new(field, "is not an E.164 phone number (+ country code and digits, e.g. +14155550100)")
                        .with_detail(p.clone()),
                );
            }
        }
    }
    let has_verified =
        !user.emails.is_empty() || !user.phones.is_empty() || user.username.is_some();
    let has_unverified = !user.unverified_emails.is_empty() || !user.unverified_phones.is_empty();
    if !has_verified {
        if !has_unverified && dropped.iter().any(|d| d.contains("reserved top-level")) {
            problems.push(Problem::new(
                "identifier",
                "the user's only email addresses are placeholders on reserved top-level domains (.invalid, .local, .localhost, .test), which Clerk refuses",
            ));
        } else if !has_unverified {
            problems.push(Problem::new(
                "identifier",
                "the user has no email address, phone number or username",
            ));
        } else if options.unverified != UnverifiedMode::Reserve {
            problems.push(Problem::new(
                "identifier",
                "the user has only unverified identifiers, which Clerk cannot create a user from without --unverified=reserve",
            ));
        }
    }
    if let Some(u) = &user.username
        && u.chars().any(char::is_whitespace)
    {
        problems.push(Problem::new("username", "contains whitespace").with_detail(u.clone()));
    }
    match (&user.password_digest, &user.password_hasher) {
        (Some(digest), Some(h)) => {
            if let Err(reason) = hasher::check_digest(h, digest) {
                let field = if hasher::is_known(h) {
                    "password_digest"
                } else {
                    "password_hasher"
                };
                problems.push(Problem::new(field, reason));
            }
        }
        (Some(_), None) => problems.push(Problem::new(
            "password_hasher",
            "a password digest needs its hasher (add a password_hasher column)",
        )),
        (None, _) if options.require_password => {
            problems.push(Problem::new(
                "password",
                "the user has no password (--require-password)",
            ));
        }
        (None, _) => {}
    }
    if let Some(secret) = &user.totp_secret
        && !is_base32(secret)
    {
        problems.push(Problem::new("totp_secret", "is not a base32 TOTP secret"));
    }
    if user.create_organizations_limit.is_some_and(|n| n < 0) {
        problems.push(Problem::new(
            "create_organizations_limit",
            "must be 0 (unlimited) or more",
        ));
    }
    if !problems.is_empty() {
        return Err(problems);
    }

    let mut follow_ups = Vec::new();
    let (email_address, email_status) = identifiers(
        &user.emails,
        &user.unverified_emails,
        options.unverified,
        &mut follow_ups,
        FollowUp::UnverifiedEmail,
    );
    let (phone_number, phone_status) = identifiers(
        &user.phones,
        &user.unverified_phones,
        options.unverified,
        &mut follow_ups,
        FollowUp::UnverifiedPhone,
    );
    let has_password = user.password_digest.is_some();
    let password_hasher = user.password_digest.as_ref().and(user.password_hasher);
    let request = CreateUserRequest {
        external_id: Some(external_id.clone()),
        first_name: user.first_name,
        last_name: user.last_name,
        locale: None,
        email_address,
        email_address_identification_status: email_status,
        phone_number,
        phone_number_identification_status: phone_status,
        username: user.username,
        password_digest: user.password_digest,
        password_hasher,
        skip_password_checks: user.skip_password_checks,
        skip_password_requirement: (!has_password).then_some(true),
        totp_secret: user.totp_secret,
        backup_codes: user.backup_codes,
        public_metadata: user.public_metadata,
        private_metadata: user.private_metadata,
        unsafe_metadata: user.unsafe_metadata,
        delete_self_enabled: user.delete_self_enabled,
        legal_accepted_at: user.legal_accepted_at,
        skip_legal_checks: user.skip_legal_checks,
        skip_user_requirement: None,
        create_organization_enabled: user.create_organization_enabled,
        create_organizations_limit: user.create_organizations_limit,
        created_at: user.created_at,
        bypass_client_trust: user.bypass_client_trust,
        banned: user.banned.filter(|b| *b),
        locked: user.locked.filter(|l| *l),
    };
    Ok(Prepared {
        external_id,
        request,
        follow_ups,
        dropped,
    })
}

/// Verified identifiers first (the first is primary); unverified ones per the mode.
/// Statuses are sent only when some identifier is reserved.
fn identifiers(
    verified: &[String],
    unverified: &[String],
    mode: UnverifiedMode,
    follow_ups: &mut Vec<FollowUp>,
    follow_up: fn(String) -> FollowUp,
) -> (Vec<String>, Vec<IdentificationStatus>) {
    let mut values = verified.to_vec();
    let mut statuses = Vec::new();
    match mode {
        UnverifiedMode::Reserve if !unverified.is_empty() => {
            statuses = vec![IdentificationStatus::Verified; values.len()];
            values.extend(unverified.iter().cloned());
            statuses.extend(std::iter::repeat_n(
                IdentificationStatus::Reserved,
                unverified.len(),
            ));
        }
        UnverifiedMode::Attach => follow_ups.extend(unverified.iter().cloned().map(follow_up)),
        _ => {}
    }
    (values, statuses)
}

#[cfg(test)]
mod tests {

    #[test]
    fn phones_written_with_separators_become_e164() {
        assert_eq!(normalize_phone("+1 (415) 555-0101"), "+14155550101");
        assert_eq!(normalize_phone(" +44 20 7946 0958 "), "+442079460958");
        // Without a country code it stays as written, to be reported.
        assert_eq!(normalize_phone("(415) 555-0101"), "(415) 555-0101");
        assert_eq!(normalize_phone("+1 415 abc"), "+1 415 abc");
    }
    use super::*;

    fn base() -> NewUser {
        NewUser {
            user_id: Some("u1".into()),
            emails: vec!["a@example.com".into()],
            ..NewUser::default()
        }
    }

    #[test]
    fn emails_and_phones() {
        for good in [
            "a@example.com",
            "o'brien+tag@sub.example.co",
            "José@example.com",
        ] {
            assert!(is_valid_email(good), "{good}");
        }
        for bad in [
            "",
            "a",
            "a@b",
            "a@@b.io",
            ".a@b.io",
            "a..b@c.io",
            "a b@c.io",
            "a@b.c",
            "a@-b.io",
        ] {
            assert!(!is_valid_email(bad), "{bad}");
        }
        assert!(is_valid_phone("+14155550100"));
        assert!(!is_valid_phone("2024-01-15 10:45:00.000000+00"));
        assert!(!is_valid_phone("14155550100"));
    }

    #[test]
    fn unverified_modes() {
        let mut u = base();
        u.unverified_emails = vec!["b@example.com".into()];
        let reserve = validate(u.clone(), ValidateOptions::default()).expect("valid");
        assert_eq!(
            reserve.request.email_address,
            ["a@example.com", "b@example.com"]
        );
        assert_eq!(
            reserve.request.email_address_identification_status,
            [
                IdentificationStatus::Verified,
                IdentificationStatus::Reserved
            ]
        );
        assert!(reserve.follow_ups.is_empty());
        let attach = validate(
            u.clone(),
            ValidateOptions {
                unverified: UnverifiedMode::Attach,
                ..Default::default()
            },
        )
        .expect("valid");
        assert_eq!(attach.request.email_address, ["a@example.com"]);
        assert_eq!(
            attach.follow_ups,
            [FollowUp::UnverifiedEmail("b@example.com".into())]
        );
        let drop = validate(
            u.clone(),
            ValidateOptions {
                unverified: UnverifiedMode::Drop,
                ..Default::default()
            },
        )
        .expect("valid");
        assert!(drop.request.email_address_identification_status.is_empty());

        let only_unverified = NewUser {
            emails: vec![],
            ..u
        };
        assert!(validate(only_unverified.clone(), ValidateOptions::default()).is_ok());
        assert!(
            validate(
                only_unverified.clone(),
                ValidateOptions {
                    unverified: UnverifiedMode::Attach,
                    ..Default::default()
                }
            )
            .is_err()
        );
    }

    #[test]
    fn passwords() {
        let mut u = base();
        let ok = validate(u.clone(), ValidateOptions::default()).expect("valid");
        assert_eq!(ok.request.skip_password_requirement, Some(true));
        assert!(
            validate(
                u.clone(),
                ValidateOptions {
                    require_password: true,
                    ..Default::default()
                }
            )
            .is_err()
        );
        u.password_digest =
            Some("$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhW".into());
        u.password_hasher = Some("bcrypt".into());
        let problems = validate(u.clone(), ValidateOptions::default()).unwrap_err();
        assert_eq!(problems[0].field, "password_digest");
        u.password_hasher = None;
        assert_eq!(
            validate(u.clone(), ValidateOptions::default()).unwrap_err()[0].field,
            "password_hasher"
        );
    }

    #[test]
    fn all_problems_are_listed() {
        let u = NewUser {
            user_id: None,
            emails: vec!["bad".into()],
            phones: vec!["123".into()],
            ..NewUser::default()
        };
        let problems = validate(u.clone(), ValidateOptions::default()).unwrap_err();
        assert_eq!(problems.len(), 3, "{problems:?}");
    }
}
