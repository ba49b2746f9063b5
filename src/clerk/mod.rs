//! Clerk's Backend API as this tool uses it: wire types, a typed error envelope and an
//! HTTP client. Pacing and retries live with the engines; this module makes one call.

pub mod client;
pub mod error;
pub mod paced;
pub mod pacer;
pub mod retry;
pub mod types;

pub use client::{ClerkClient, ClientOptions};

/// Clerk's development instances hold at most this many users (Clerk's system limits).
pub const DEV_USER_CAP: u64 = 100;
pub use error::{ApiError, ClientError};
pub use pacer::Pacer;
pub use retry::RetryPolicy;
