//! Field checks the sandbox applies to request bodies, with Clerk's error codes.
//!
//! Kept separate from the CLI's own validation on purpose (see the module docs of
//! `sandbox`): the two must agree only because both follow the contract.

use axum::body::Bytes;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::envelope::ApiError;

/// The 22 `password_hasher` names Clerk accepts (Clerk's Backend API spec).
pub const HASHERS: [&str; 22] = [
    "argon2i",
    "argon2id",
    "awscognito",
    "bcrypt",
    "bcrypt_peppered",
    "bcrypt_sha256_django",
    "hmac_sha256_utf16_b64",
    "ldap_ssha",
    "md5",
    "md5_phpass",
    "md5_salted",
    "pbkdf2_sha1",
    "pbkdf2_sha256",
    "pbkdf2_sha256_django",
    "pbkdf2_sha512",
    "pbkdf2_sha512_hex",
    "phpass",
    "scrypt_firebase",
    "scrypt_werkzeug",
    "sha256",
    "sha256_salted",
    "sha512_symfony",
];

/// The JSON type a field must have.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    Str,
    NullableStr,
    NullableBool,
    NullableInt,
    StrArray,
    Object,
}

/// A request body checked against a field table: an object whose keys are all known
/// and whose values have the declared types.
pub struct Body(Map<String, Value>);

impl Body {
    pub fn parse(bytes: &Bytes, fields: &[(&str, FieldType)]) -> Result<Self, ApiError> {
        let value: Value = if bytes.is_empty() {
            Value::Object(Map::new())
        } else {
            serde_json::from_slice(bytes).map_err(|_| ApiError::body_invalid())?
        };
        let Value::Object(map) = value else {
            return Err(ApiError::body_invalid());
        };
        for (key, value) in &map {
            let Some((_, kind)) = fields.iter().find(|(name, _)| name == key) else {
                return Err(ApiError::unknown_param(key));
            };
            check_kind(key, value, *kind)?;
        }
        Ok(Self(map))
    }

    /// True when the key was sent, even as `null`.
    pub fn present(&self, key: &str) -> bool {
        self.0.contains_key(key)
    }

    pub fn has(&self, key: &str) -> bool {
        self.0.get(key).is_some_and(|v| !v.is_null())
    }

    pub fn str(&self, key: &str) -> Option<String> {
        self.0.get(key).and_then(Value::as_str).map(str::to_owned)
    }

    pub fn bool(&self, key: &str) -> Option<bool> {
        self.0.get(key).and_then(Value::as_bool)
    }

    pub fn int(&self, key: &str) -> Option<i64> {
        self.0.get(key).and_then(Value::as_i64)
    }

    pub fn strings(&self, key: &str) -> Vec<String> {
        self.0
            .get(key)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn object(&self, key: &str) -> Option<Map<String, Value>> {
        self.0.get(key).and_then(Value::as_object).cloned()
    }
}

fn check_kind(key: &str, value: &Value, kind: FieldType) -> Result<(), ApiError> {
    let ok = match kind {
        FieldType::Str => value.is_string(),
        FieldType::NullableStr => value.is_string() || value.is_null(),
        FieldType::NullableBool => value.is_boolean() || value.is_null(),
        FieldType::NullableInt => value.is_i64() || value.is_u64() || value.is_null(),
        FieldType::StrArray => value
            .as_array()
            .is_some_and(|a| a.iter().all(Value::is_string)),
        FieldType::Object => value.is_object(),
    };
    if ok {
        return Ok(());
    }
    let expected = match kind {
        FieldType::Str | FieldType::NullableStr => "string",
        FieldType::NullableBool => "boolean",
        FieldType::NullableInt => "integer",
        FieldType::StrArray => "array of strings",
        FieldType::Object => "object",
    };
    Err(ApiError::wrong_type(key, value, expected))
}

/// Email syntax as Clerk's form validation sees it: one `@`, a non-empty local part
/// without spaces, and a dotted domain whose labels are alphanumeric or `-`.
pub fn check_email(param: &str, email: &str) -> Result<(), ApiError> {
    let valid = email.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty()
            && !local.contains(['@', ' ', '\t', '\n', '"', '<', '>'])
            && domain.contains('.')
            && domain.split('.').all(|label| {
                !label.is_empty()
                    && !label.starts_with('-')
                    && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            })
            && domain
                .rsplit('.')
                .next()
                .is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic()))
    });
    // Top-level domains that can never hold a mailbox (RFC 2606, 6761, 6762).
    let reserved = email.rsplit('.').next().is_some_and(|tld| {
        ["invalid", "local", "localhost", "test"].contains(&tld.to_ascii_lowercase().as_str())
    });
    if valid && !reserved {
        Ok(())
    } else {
        Err(ApiError::form(
            "form_param_format_invalid",
            "is invalid",
            format!("{param} must be a valid email address."),
            param,
        ))
    }
}

/// A first or last name as Clerk's anti-spam rules take it: not markup, a link, an
/// email address or a phone number.
pub fn check_name(param: &str, name: &str) -> Result<(), ApiError> {
    let lower = name.to_lowercase();
    let digits = name.chars().filter(char::is_ascii_digit).count();
    let phone_like = digits >= 7
        && name
            .chars()
            .all(|c| c.is_ascii_digit() || "+-() .".contains(c));
    let email_like = name
        .split_once('@')
        .is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !d.contains(' '));
    let refused = (name.contains('<') && name.contains('>'))
        || lower.contains("://")
        || lower.starts_with("www.")
        || email_like
        || phone_like;
    if refused {
        Err(ApiError::form(
            "form_param_format_invalid",
            "is invalid",
            format!("{param} cannot contain a link, an email address, a phone number or HTML."),
            param,
        ))
    } else {
        Ok(())
    }
}

/// E.164: a `+`, a non-zero country digit, at most 15 digits in all.
pub fn check_phone(param: &str, phone: &str) -> Result<(), ApiError> {
    let digits = phone.strip_prefix('+').unwrap_or("");
    let valid = (2..=15).contains(&digits.len())
        && digits.chars().all(|c| c.is_ascii_digit())
        && !digits.starts_with('0');
    if valid {
        Ok(())
    } else {
        Err(ApiError::form(
            "form_param_format_invalid",
            "is invalid",
            format!(
                "{param} must be a valid phone number according to E.164 international standard."
            ),
            param,
        ))
    }
}

/// A simplified BCP-47 tag: a 2-3 letter language and optional alphanumeric subtags.
pub fn check_locale(locale: &str) -> Result<(), ApiError> {
    let mut parts = locale.split('-');
    let lang_ok = parts
        .next()
        .is_some_and(|l| (2..=3).contains(&l.len()) && l.chars().all(|c| c.is_ascii_alphabetic()));
    if lang_ok
        && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
    {
        Ok(())
    } else {
        Err(ApiError::form(
            "form_param_format_invalid",
            "is invalid",
            "locale must be a valid BCP-47 language tag.",
            "locale",
        ))
    }
}

/// An RFC 3339 time not in the future, as Unix milliseconds.
pub fn check_time(param: &str, value: &str, now: DateTime<Utc>) -> Result<i64, ApiError> {
    let parsed = DateTime::parse_from_rfc3339(value).map_err(|_| {
        ApiError::form(
            "form_param_invalid_time",
            "invalid format",
            format!("{param} must contain a datetime specified in RFC3339 format (e.g. `2022-10-20T10:00:27.645Z`)."),
            param,
        )
    })?;
    if parsed.with_timezone(&Utc) > now {
        let text = "Date values must not be in the future.";
        return Err(ApiError::form(
            "form_disallow_future_date",
            text,
            text,
            param,
        ));
    }
    Ok(parsed.timestamp_millis())
}

/// Base32 (RFC 4648) as TOTP secrets are written.
pub fn check_totp(secret: &str) -> Result<(), ApiError> {
    let body = secret.trim_end_matches('=');
    if !body.is_empty()
        && body
            .chars()
            .all(|c| matches!(c.to_ascii_uppercase(), 'A'..='Z' | '2'..='7'))
    {
        Ok(())
    } else {
        let long = "The TOTP secret is invalid, please provide a valid one base32 encoded";
        Err(ApiError::form(
            "invalid_totp_secret_code",
            "invalid TOTP secret",
            long,
            "totp_secret",
        ))
    }
}

/// `*_identification_status` must be empty or parallel to its list.
pub fn check_statuses(
    param: &str,
    other: &str,
    statuses: &[String],
    items: usize,
) -> Result<(), ApiError> {
    if let Some(bad) = statuses
        .iter()
        .find(|s| *s != "verified" && *s != "reserved")
    {
        return Err(ApiError::form(
            "form_param_value_invalid",
            "is invalid",
            format!("{bad} does not match one of the allowed values for parameter {param}"),
            param,
        ));
    }
    if !statuses.is_empty() && statuses.len() != items {
        return Err(ApiError::form(
            "form_param_array_length_mismatch",
            "length mismatch",
            format!("{param} must contain exactly one item for each item in {other}."),
            param,
        ));
    }
    Ok(())
}

/// Checks the hasher name and that the digest parses for it, as Clerk does on create.
pub fn check_digest(hasher: &str, digest: &str) -> Result<(), ApiError> {
    if !HASHERS.contains(&hasher) {
        return Err(ApiError::form(
            "form_param_value_invalid",
            "is invalid",
            format!(
                "{hasher} does not match one of the allowed values for parameter password_hasher"
            ),
            "password_hasher",
        ));
    }
    super::passwords::parse(hasher, digest)
        .map(drop)
        .map_err(|_| {
            let text =
                format!("The provided password_digest is not a valid {hasher} password hash.");
            ApiError::form(
                "form_password_digest_invalid_code",
                text.clone(),
                text,
                "password_digest",
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert!(check_email("e", "a.b+tag@example.co").is_ok());
        for bad in [
            "", "a", "a@b", "a@b.c", "a b@c.io", "@c.io", "a@-b.io", "a@b..io",
        ] {
            assert!(check_email("e", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn phones() {
        assert!(check_phone("p", "+14155550100").is_ok());
        for bad in [
            "14155550100",
            "+0123",
            "+1",
            "2024-01-15 10:45:00.000000+00",
            "+1234567890123456",
        ] {
            assert!(check_phone("p", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn digests() {
        let bcrypt = "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy";
        assert!(check_digest("bcrypt", bcrypt).is_ok());
        assert!(check_digest("bcrypt", &bcrypt[..59]).is_err());
        assert!(check_digest("bogus", bcrypt).is_err());
        assert!(check_digest("scrypt_firebase", "aGFzaA==$c2FsdA==$a2V5$Bw==$8$14").is_ok());
        assert!(check_digest("scrypt_firebase", "h$s$k$Bw==$8").is_err());
    }
}
