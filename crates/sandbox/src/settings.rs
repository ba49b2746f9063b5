//! The instance's sign-up settings, as Clerk's Frontend API serves them
//! (`GET /v1/environment`, `user_settings`), and what `POST /v1/users` enforces from them:
//! a required identifier missing is `form_data_missing`; an identifier or password the
//! instance turned off is `form_param_unknown`; a user without a password where a password
//! is the only way to sign in is refused even with `skip_password_requirement` (Clerk's
//! spec: the flag "cannot be used if password is the only way to sign in"); a TOTP secret
//! while the authenticator app is off is dropped without a word.

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::envelope::ApiError;

/// Every identifier on and optional, passwords on and optional, email codes as a first
/// factor, TOTP and backup codes on: what the sandbox did before settings existed.
pub fn default_user_settings() -> Value {
    json!({
        "attributes": {
            "email_address": {"enabled": true, "required": false, "used_for_first_factor": true, "first_factors": ["email_code"]},
            "phone_number": {"enabled": true, "required": false, "used_for_first_factor": true, "first_factors": ["phone_code"]},
            "username": {"enabled": true, "required": false, "used_for_first_factor": true, "first_factors": []},
            "password": {"enabled": true, "required": false},
            "authenticator_app": {"enabled": true, "used_for_second_factor": true},
            "backup_code": {"enabled": true, "used_for_second_factor": true}
        },
        "social": {}
    })
}

/// One attribute's switches; a missing attribute is off.
fn attribute(settings: &Value, name: &str) -> (bool, bool) {
    let a = &settings["attributes"][name];
    (
        a["enabled"].as_bool().unwrap_or(false),
        a["required"].as_bool().unwrap_or(false),
    )
}

/// True when a password is the only way to sign in: no identifier offers another first
/// factor and no social connection is on.
pub fn password_only(settings: &Value) -> bool {
    let other_factor = ["email_address", "phone_number", "username"]
        .iter()
        .any(|name| {
            settings["attributes"][name]["first_factors"]
                .as_array()
                .is_some_and(|f| f.iter().any(|s| s.as_str() != Some("password")))
        });
    let social = settings["social"]
        .as_object()
        .is_some_and(|s| s.values().any(|p| p["enabled"].as_bool() == Some(true)));
    attribute(settings, "password").0 && !other_factor && !social
}

/// What a create must satisfy under `settings`: the request's identifiers, names and
/// password.
pub struct CreateCheck<'a> {
    pub emails: &'a [String],
    pub phones: &'a [String],
    pub username: Option<&'a str>,
    pub first_name: bool,
    pub last_name: bool,
    pub has_password: bool,
    pub skip_password_requirement: bool,
}

/// A username against the instance's `username_settings` (Clerk's defaults: 4 to 64
/// characters), its characters (letters, digits, `_` and `-`) and at least one that is
/// not a digit. Settings without `username_settings` set no rules, as before settings.
fn check_username(settings: &Value, username: &str) -> Result<(), ApiError> {
    let rules = &settings["username_settings"];
    if rules.is_null() {
        return Ok(());
    }
    let min = rules["min_length"].as_u64().unwrap_or(4);
    let max = rules["max_length"].as_u64().unwrap_or(64);
    let length = username.chars().count() as u64;
    let refuse = |code: &'static str, text: String| {
        Err(ApiError::form(code, "is invalid", text, "username"))
    };
    if !(min..=max).contains(&length) {
        return refuse(
            "form_username_invalid_length",
            format!("Username must be between {min} and {max} characters long."),
        );
    }
    if !username
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return refuse(
            "form_username_invalid_character",
            "Username can only contain letters, numbers and '_' or '-'.".to_owned(),
        );
    }
    if username.chars().all(|c| c.is_ascii_digit()) {
        return refuse(
            "form_username_needs_non_number_char",
            "Username must contain one non-number character.".to_owned(),
        );
    }
    Ok(())
}

pub fn check_create(settings: &Value, c: &CreateCheck<'_>) -> Result<(), ApiError> {
    if let Some(username) = c.username {
        check_username(settings, username)?;
    }
    let present = [
        ("email_address", !c.emails.is_empty()),
        ("phone_number", !c.phones.is_empty()),
        ("username", c.username.is_some()),
    ];
    for (name, given) in present {
        let (enabled, _) = attribute(settings, name);
        if given && !enabled {
            return Err(unknown(name));
        }
    }
    let (password_on, password_required) = attribute(settings, "password");
    if c.has_password && !password_on {
        return Err(unknown("password_digest"));
    }
    let names = [("first_name", c.first_name), ("last_name", c.last_name)];
    let mut missing: Vec<&str> = present
        .iter()
        .chain(names.iter())
        .filter(|(name, given)| !given && attribute(settings, name).1)
        .map(|(name, _)| *name)
        .collect();
    let password_missing = !c.has_password
        && password_required
        && (!c.skip_password_requirement || password_only(settings));
    if password_missing {
        missing.push("password");
    }
    if missing.is_empty() {
        return Ok(());
    }
    Err(ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "form_data_missing",
        "missing data",
        format!(
            "{} data doesn't match user requirements set for this instance",
            json!(missing)
        ),
    )
    .with_meta("param_names", json!(missing)))
}

/// Whether a TOTP secret is kept: only while the authenticator app is on.
pub fn keeps_totp(settings: &Value) -> bool {
    attribute(settings, "authenticator_app").0
}

/// Whether backup codes are kept: only while they are on.
pub fn keeps_backup_codes(settings: &Value) -> bool {
    attribute(settings, "backup_code").0
}

fn unknown(param: &str) -> ApiError {
    ApiError::form(
        "form_param_unknown",
        "is unknown",
        format!(
            "{param} is not a valid parameter for this request. It is turned off in this instance's settings."
        ),
        param,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(settings: &Value, email: bool, password: bool, skip: bool) -> Option<String> {
        let emails = if email {
            vec!["a@example.com".to_owned()]
        } else {
            Vec::new()
        };
        check_create(
            settings,
            &CreateCheck {
                emails: &emails,
                phones: &[],
                username: Some("someone"),
                first_name: true,
                last_name: true,
                has_password: password,
                skip_password_requirement: skip,
            },
        )
        .err()
        .map(|e| e.code.to_owned())
    }

    #[test]
    fn defaults_refuse_nothing_and_settings_refuse_as_clerk_does() {
        let d = default_user_settings();
        assert_eq!(check(&d, false, false, true), None);
        let mut s = default_user_settings();
        s["attributes"]["email_address"]["required"] = json!(true);
        assert_eq!(
            check(&s, false, true, true).as_deref(),
            Some("form_data_missing")
        );
        s["attributes"]["username"]["enabled"] = json!(false);
        assert_eq!(
            check(&s, true, true, true).as_deref(),
            Some("form_param_unknown")
        );
        // Password-only sign-in: skip_password_requirement cannot be used.
        let mut p = default_user_settings();
        p["attributes"]["password"]["required"] = json!(true);
        assert_eq!(
            check(&p, true, false, true),
            None,
            "email codes still sign in"
        );
        p["attributes"]["email_address"]["first_factors"] = json!([]);
        p["attributes"]["phone_number"]["first_factors"] = json!([]);
        assert!(password_only(&p));
        assert_eq!(
            check(&p, true, false, true).as_deref(),
            Some("form_data_missing")
        );
        assert_eq!(check(&p, true, true, false), None);
    }

    #[test]
    fn usernames_and_names_follow_the_settings() {
        let mut s = default_user_settings();
        s["username_settings"] = json!({"min_length": 4, "max_length": 8});
        s["attributes"]["last_name"] = json!({"enabled": true, "required": true});
        let check = |username: &str, last_name: bool| {
            check_create(
                &s,
                &CreateCheck {
                    emails: &[],
                    phones: &[],
                    username: Some(username),
                    first_name: false,
                    last_name,
                    has_password: false,
                    skip_password_requirement: true,
                },
            )
            .err()
            .map(|e| e.code.to_owned())
        };
        assert_eq!(check("good_one", true), None);
        assert_eq!(
            check("abc", true).as_deref(),
            Some("form_username_invalid_length")
        );
        assert_eq!(
            check("toolongname", true).as_deref(),
            Some("form_username_invalid_length")
        );
        assert_eq!(
            check("a.b.c", true).as_deref(),
            Some("form_username_invalid_character")
        );
        assert_eq!(
            check("12345", true).as_deref(),
            Some("form_username_needs_non_number_char")
        );
        assert_eq!(
            check("good_one", false).as_deref(),
            Some("form_data_missing")
        );
    }
}
