//! Clerk's Backend API as this tool uses it: wire types, a typed error envelope and an
//! HTTP client, with the pacer every call waits on (`pacer`) and the retry loop around a
//! call (`paced`, `retry`).

pub mod client;
pub mod error;
pub mod paced;
pub mod pacer;
pub mod retry;
pub mod types;

pub use client::{ClerkClient, ClientOptions};
pub use error::{ApiError, ClientError};
pub use pacer::Pacer;
pub use retry::RetryPolicy;

/// Clerk's development instances hold at most this many users (Clerk's system limits).
pub const DEV_USER_CAP: u64 = 100;
