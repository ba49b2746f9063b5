//! What every request passes before a handler: auth, rate limit, latency, faults.

use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::envelope::ApiError;
use super::state::{Fault, Shared};

pub async fn gate(State(shared): State<Shared>, request: Request, next: Next) -> Response {
    if let Err(e) = authenticate(&shared, &request) {
        return e.into_response();
    }
    // Clerk limits per instance, i.e. per secret key, after authentication.
    if let Err(secs) = shared.admit() {
        let mut e = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_requests",
            "Too many requests",
            "Too many requests, retry later",
        );
        e.retry_after = Some(secs);
        return e.into_response();
    }
    if request.method() == axum::http::Method::POST && request.uri().path() == "/v1/users" {
        shared.note_create_arrival();
    }
    if !shared.config.latency.is_zero() {
        tokio::time::sleep(shared.config.latency).await;
    }
    if let Fault::Status(code) = shared.draw_fault() {
        return injected(code).into_response();
    }
    next.run(request).await
}

fn authenticate(shared: &Shared, request: &Request) -> Result<(), ApiError> {
    let format_invalid = || {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "authorization_header_format_invalid",
            "Invalid Authorization header format",
            "Invalid Authorization header format. Must be 'Bearer <YOUR_API_KEY>'",
        )
    };
    let header = request
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or_else(format_invalid)?
        .to_str()
        .map_err(|_| format_invalid())?;
    let key = header
        .strip_prefix("Bearer ")
        .filter(|k| !k.trim().is_empty())
        .ok_or_else(format_invalid)?;
    if key != shared.config.secret_key {
        let text = "The provided Clerk Secret Key is invalid. Make sure that your Clerk Secret Key is correct.";
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "clerk_key_invalid",
            text,
            text,
        ));
    }
    Ok(())
}

fn injected(code: u16) -> ApiError {
    if code == 503 {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "service_unavailable",
            "Service unavailable",
            "Service unavailable",
        )
    } else {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_clerk_error",
            "Oops, an unexpected error occurred",
            "There was an internal error on our servers. We've been notified and are working on fixing it.",
        )
    }
}
