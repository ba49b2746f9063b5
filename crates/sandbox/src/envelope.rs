//! The `ClerkErrors` envelope every error response carries.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::ids::trace_id;

/// One BAPI error, rendered as the full envelope with a fresh `clerk_trace_id`.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub long_message: String,
    pub meta: Option<Map<String, Value>>,
    /// Seconds for a `Retry-After` header (429 only).
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(
        status: StatusCode,
        code: &'static str,
        message: impl Into<String>,
        long_message: impl Into<String>,
    ) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            long_message: long_message.into(),
            meta: None,
            retry_after: None,
        }
    }

    /// A 422 carrying `meta.param_name`, the shape of most `form_*` errors.
    pub fn form(
        code: &'static str,
        message: impl Into<String>,
        long_message: impl Into<String>,
        param: &str,
    ) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            code,
            message,
            long_message,
        )
        .with_meta("param_name", json!(param))
    }

    pub fn with_meta(mut self, key: &str, value: Value) -> Self {
        self.meta
            .get_or_insert_with(Map::new)
            .insert(key.to_owned(), value);
        self
    }

    pub fn unknown_param(param: &str) -> Self {
        Self::form(
            "form_param_unknown",
            "is unknown",
            format!("{param} is not a valid parameter for this request."),
            param,
        )
    }

    pub fn wrong_type(param: &str, received: &Value, expected: &str) -> Self {
        Self::form(
            "form_param_value_invalid",
            "is invalid",
            format!(
                "{param} is invalid. Received {}, must be of type {expected}.",
                json_type(received)
            ),
            param,
        )
    }

    pub fn body_invalid() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "request_body_invalid",
            "Request body invalid",
            "The request body is invalid. Please consult the API documentation for more information.",
        )
    }

    pub fn user_not_found(id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "resource_not_found",
            "not found",
            format!("No user was found with id {id}"),
        )
    }
}

/// The JSON type name of a value, for "Received <x>" messages.
pub fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut error = json!({
            "code": self.code,
            "message": self.message,
            "long_message": self.long_message,
        });
        if let Some(meta) = self.meta {
            error["meta"] = Value::Object(meta);
        }
        let body = json!({ "errors": [error], "clerk_trace_id": trace_id() });
        let mut response = (self.status, axum::Json(body)).into_response();
        if let Some(secs) = self.retry_after
            && let Ok(value) = HeaderValue::from_str(&secs.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}

/// Any path the sandbox does not serve.
pub async fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "resource_not_found",
        "Resource not found",
        "Resource not found",
    )
}
