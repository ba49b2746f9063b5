//! `POST /v1/users/{id}/verify_password`: does this password still sign in?

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::envelope::ApiError;
use super::passwords::{self, PasswordCheck};
use super::state::Shared;
use super::validate::{Body, FieldType};

const FIELDS: &[(&str, FieldType)] = &[("password", FieldType::Str)];

/// Checks computed at once: a strong hash may take 100 MiB and a good part of a second, and
/// many clients verifying together must not take the machine down with them.
static CHECKS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(4);

pub async fn verify_password(
    State(shared): State<Shared>,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Result<Json<Value>, ApiError> {
    let body = Body::parse(&bytes, FIELDS)?;
    let Some(password) = body.str("password") else {
        return Err(ApiError::form(
            "form_param_missing",
            "is missing",
            "password must be included.",
            "password",
        ));
    };
    let stored = {
        let store = shared.store();
        let user = store
            .get(&id)
            .ok_or_else(|| ApiError::user_not_found(&id))?;
        user.password_hasher
            .clone()
            .zip(user.password_digest.clone())
    };
    let Some((hasher, digest)) = stored else {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "no_password_set",
            "no password set",
            "This user does not have a password set for their account",
        ));
    };
    // The strong hashers take tens of milliseconds on purpose: off the async workers.
    let _slot = CHECKS.acquire().await.ok();
    let verdict = tokio::task::spawn_blocking(move || {
        passwords::parse(&hasher, &digest)
            .map_or_else(|e| PasswordCheck::Unsupported(e.0), |p| p.verify(&password))
    })
    .await
    .unwrap_or_else(|e| PasswordCheck::Unsupported(e.to_string()));
    match verdict {
        PasswordCheck::Match => Ok(Json(json!({ "verified": true }))),
        PasswordCheck::NoMatch => Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "incorrect_password",
            "incorrect password",
            "The provided password is not the one the user has set",
        )),
        PasswordCheck::Unsupported(why) => Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "incorrect_password",
            "password cannot be verified",
            why,
        )),
    }
}
