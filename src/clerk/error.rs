//! Errors from one BAPI call: Clerk's `ClerkErrors` envelope, or a transport failure.

use std::time::Duration;

use serde::Deserialize;
use serde_json::{Map, Value};

/// An error response from Clerk, as the envelope describes it (Clerk's `ClerkErrors` schema).
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    /// HTTP status.
    pub status: u16,
    /// First error's machine code, e.g. `form_identifier_exists`.
    pub code: String,
    /// First error's short message.
    pub message: String,
    /// First error's full sentence (equals `message` when Clerk has no long form).
    pub long_message: String,
    /// First error's `meta` object.
    pub meta: Option<Map<String, Value>>,
    /// `clerk_trace_id`, or the `cf-ray` header when the body has none.
    pub trace_id: Option<String>,
    /// `Retry-After`, when the response carried one.
    pub retry_after: Option<Duration>,
}

impl ApiError {
    /// `meta.param_name` of the first error, naming the field Clerk objected to.
    pub fn param_name(&self) -> Option<&str> {
        self.meta.as_ref()?.get("param_name")?.as_str()
    }

    /// Whether sending the same request again may succeed (429, 408, 409 locked, 5xx).
    pub fn is_retryable(&self) -> bool {
        matches!(self.status, 408 | 429 | 500 | 502 | 503 | 504)
            || (self.status == 409 && self.code == "resource_locked")
    }

    /// Whether the secret key itself was refused, which no retry can fix.
    pub fn is_auth(&self) -> bool {
        self.status == 401
    }

    /// Builds the error from a status, headers' hints and the raw body.
    pub fn from_response(
        status: u16,
        body: &[u8],
        retry_after: Option<Duration>,
        cf_ray: Option<String>,
    ) -> Self {
        #[derive(Deserialize)]
        struct Envelope {
            errors: Vec<Item>,
            clerk_trace_id: Option<String>,
        }
        #[derive(Deserialize)]
        struct Item {
            code: Option<String>,
            message: Option<String>,
            long_message: Option<String>,
            meta: Option<Map<String, Value>>,
        }
        let parsed: Option<Envelope> = serde_json::from_slice(body).ok();
        let trace_id = parsed
            .as_ref()
            .and_then(|e| e.clerk_trace_id.clone())
            .or(cf_ray);
        let first = parsed.and_then(|e| e.errors.into_iter().next());
        let fallback = http_reason(status);
        match first {
            Some(item) => {
                let message = item.message.unwrap_or_else(|| fallback.clone());
                Self {
                    status,
                    code: item.code.unwrap_or_else(|| format!("http_{status}")),
                    long_message: item
                        .long_message
                        .filter(|m| !m.is_empty())
                        .unwrap_or_else(|| message.clone()),
                    message,
                    meta: item.meta,
                    trace_id,
                    retry_after,
                }
            }
            None => Self {
                status,
                code: format!("http_{status}"),
                message: fallback.clone(),
                long_message: fallback,
                meta: None,
                trace_id,
                retry_after,
            },
        }
    }
}

fn http_reason(status: u16) -> String {
    let reason = reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Unexpected response");
    format!("{reason} (HTTP {status})")
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} ({}, HTTP {})",
            self.long_message, self.code, self.status
        )
    }
}

/// Why one call failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// Clerk answered with an error status.
    #[error("Clerk rejected the request: {0}")]
    Api(Box<ApiError>),
    /// No answer within the timeout; the request may or may not have been applied.
    #[error("no answer from Clerk within {0:?}")]
    Timeout(Duration),
    /// The connection could not be opened; the request was never sent.
    #[error("could not connect to {url}: check --api-url and your network")]
    Connect { url: String },
    /// The connection broke mid-request; the request may or may not have been applied.
    #[error("the connection to Clerk failed mid-request")]
    Transport,
    /// Clerk answered 2xx with a body that does not match the spec.
    #[error("unexpected response from Clerk for {what}: {detail}")]
    Decode { what: &'static str, detail: String },
}

impl ClientError {
    /// Whether a retry may help.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Api(e) => e.is_retryable(),
            Self::Timeout(_) | Self::Connect { .. } | Self::Transport => true,
            Self::Decode { .. } => false,
        }
    }

    /// Whether the server may have applied the request although we saw no success:
    /// a create in this state must be looked up before it is sent again.
    pub fn outcome_unknown(&self) -> bool {
        match self {
            Self::Timeout(_) | Self::Transport => true,
            Self::Api(e) => e.status >= 500,
            _ => false,
        }
    }

    /// The API error, if Clerk answered.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Self::Api(e) => Some(e),
            _ => None,
        }
    }
}

impl crate::hint::Hint for ClientError {
    fn hint(&self) -> Option<String> {
        match self {
            Self::Api(e) if e.is_auth() => Some(
                "the secret key was refused: check that it is the current Secret key of the intended instance"
                    .to_owned(),
            ),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_fields_are_read() {
        let body = br#"{"errors":[{"code":"form_identifier_exists","message":"taken","long_message":"That email address is taken.","meta":{"param_name":"email_address"}}],"clerk_trace_id":"abc"}"#;
        let e = ApiError::from_response(422, body, None, None);
        assert_eq!(e.code, "form_identifier_exists");
        assert_eq!(e.param_name(), Some("email_address"));
        assert_eq!(e.trace_id.as_deref(), Some("abc"));
        assert!(!e.is_retryable());
    }

    #[test]
    fn non_json_body_still_gives_a_usable_error() {
        let e = ApiError::from_response(502, b"<html>bad gateway</html>", None, Some("ray".into()));
        assert_eq!(e.code, "http_502");
        assert!(e.long_message.contains("502"));
        assert_eq!(e.trace_id.as_deref(), Some("ray"));
        assert!(e.is_retryable());
    }
}
