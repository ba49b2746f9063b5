//! `POST /v1/email_addresses` and `POST /v1/phone_numbers`.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use chrono::Utc;
use serde_json::{Value, json};

use super::envelope::ApiError;
use super::ids::object_id;
use super::state::{Identifier, Shared};
use super::users::{render_email, render_phone};
use super::validate::{self, Body, FieldType};

const EMAIL_FIELDS: &[(&str, FieldType)] = &[
    ("user_id", FieldType::Str),
    ("email_address", FieldType::Str),
    ("verified", FieldType::NullableBool),
    ("primary", FieldType::NullableBool),
    (
        "notify_primary_email_address_changed",
        FieldType::NullableBool,
    ),
];

const PHONE_FIELDS: &[(&str, FieldType)] = &[
    ("user_id", FieldType::Str),
    ("phone_number", FieldType::Str),
    ("verified", FieldType::NullableBool),
    ("primary", FieldType::NullableBool),
    ("reserved_for_second_factor", FieldType::NullableBool),
];

#[derive(Clone, Copy, PartialEq)]
enum Which {
    Email,
    Phone,
}

fn required(body: &Body, param: &str) -> Result<String, ApiError> {
    body.str(param).ok_or_else(|| {
        ApiError::form(
            "form_param_missing",
            "is missing",
            format!("{param} must be included."),
            param,
        )
    })
}

async fn add(shared: Shared, bytes: Bytes, which: Which) -> Result<Json<Value>, ApiError> {
    let (fields, param) = match which {
        Which::Email => (EMAIL_FIELDS, "email_address"),
        Which::Phone => (PHONE_FIELDS, "phone_number"),
    };
    let body = Body::parse(&bytes, fields)?;
    let user_id = required(&body, "user_id")?;
    let value = required(&body, param)?;
    match which {
        Which::Email => validate::check_email(param, &value)?,
        Which::Phone => validate::check_phone(param, &value)?,
    }
    let verified = body.bool("verified").unwrap_or(false);
    let primary = body.bool("primary").unwrap_or(false);
    let now = Utc::now().timestamp_millis();
    let mut store = shared.store();
    if !store.by_id.contains_key(&user_id) {
        return Err(ApiError::user_not_found(&user_id));
    }
    let taken = match which {
        Which::Email => store.emails.contains_key(&value.to_lowercase()),
        Which::Phone => store.phones.contains_key(&value),
    };
    if taken {
        let noun = if which == Which::Email {
            "email address"
        } else {
            "phone number"
        };
        let text = format!("That {noun} is taken. Please try another.");
        return Err(ApiError::form(
            "form_identifier_exists",
            text.clone(),
            text,
            param,
        ));
    }
    let ident = Identifier {
        id: object_id("idn"),
        value,
        verified,
        reserved: false,
        created_at: now,
    };
    let verification = if verified {
        json!({"object": "verification_admin", "status": "verified", "strategy": "admin", "attempts": null, "expire_at": null})
    } else {
        Value::Null
    };
    let rendered = match which {
        Which::Email => render_email(&ident, verification),
        Which::Phone => render_phone(&ident, verification),
    };
    store.update(&user_id, |u| {
        let (list, primary_id) = match which {
            Which::Email => (&mut u.emails, &mut u.primary_email_id),
            Which::Phone => (&mut u.phones, &mut u.primary_phone_id),
        };
        // The first address becomes primary whatever `primary` says, as in Clerk.
        if primary || primary_id.is_none() {
            *primary_id = Some(ident.id.clone());
        }
        list.push(ident);
        u.updated_at = now;
    });
    Ok(Json(rendered))
}

pub async fn create_email(
    State(shared): State<Shared>,
    bytes: Bytes,
) -> Result<Json<Value>, ApiError> {
    add(shared, bytes, Which::Email).await
}

pub async fn create_phone(
    State(shared): State<Shared>,
    bytes: Bytes,
) -> Result<Json<Value>, ApiError> {
    add(shared, bytes, Which::Phone).await
}
