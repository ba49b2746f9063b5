//! What every request passes before a handler: auth, rate limit, latency, faults.

use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::envelope::ApiError;
use std::sync::atomic::Ordering;

use super::state::{Fault, Shared};

pub async fn gate(State(shared): State<Shared>, request: Request, next: Next) -> Response {
    // A stopped server: requests on connections opened before the stop are cut.
    if shared.down.load(Ordering::Relaxed) {
        return cut();
    }
    // A server that never answers (until a test lets it).
    while shared.hang.load(Ordering::Relaxed) {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    if let Err(e) = authenticate(&shared, &request) {
        return e.into_response();
    }
    // Clerk limits per instance, i.e. per secret key, after authentication.
    if let Some(secs) = shared.storm_remaining() {
        return too_many_requests(secs);
    }
    if let Err(secs) = shared.admit() {
        return too_many_requests(secs);
    }
    if request.method() == axum::http::Method::POST && request.uri().path() == "/v1/users" {
        shared.note_create_arrival();
    }
    if !shared.config.latency.is_zero() {
        tokio::time::sleep(shared.config.latency).await;
    }
    match shared.draw_fault() {
        Fault::None => {}
        Fault::Drop => return cut(),
        Fault::Status(502) => return bad_gateway(),
        Fault::Status(code) => return injected(code).into_response(),
    }
    let response = next.run(request).await;
    // Applied, but the answer comes late: past a client's timeout it is lost.
    let delay = shared.answer_delay_ms.load(Ordering::Relaxed);
    if delay > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(delay)).await;
    }
    response
}

/// A 429 with a whole-second `Retry-After`.
fn too_many_requests(retry_after: u64) -> Response {
    let mut e = ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "too_many_requests",
        "Too many requests",
        "Too many requests, retry later",
    );
    e.retry_after = Some(retry_after);
    e.into_response()
}

/// A response whose body fails at once: hyper cuts the connection.
pub fn cut() -> Response {
    let body = axum::body::Body::from_stream(futures_util::stream::once(async {
        Err::<axum::body::Bytes, _>(std::io::Error::other("connection dropped by the sandbox"))
    }));
    Response::new(body)
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

/// What a proxy in front of the API answers: HTML, not Clerk's JSON envelope.
fn bad_gateway() -> Response {
    (
        StatusCode::BAD_GATEWAY,
        [(header::CONTENT_TYPE, "text/html")],
        "<html><head><title>502 Bad Gateway</title></head><body>502 Bad Gateway</body></html>",
    )
        .into_response()
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
