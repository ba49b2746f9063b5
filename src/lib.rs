//! `migrate`: move users from another auth system into Clerk.
//!
//! Imports run one way, from the edge inwards (an arrow is "may import"):
//!
//! ```text
//! main ─▶ commands ─▶ config, ui, error
//!             │         │
//!             ▼         ▼ (reports render what engines return)
//!          engines: import  delete  verify  export  preflight  orgs  sync
//!             │
//!             ▼
//!          prepare, ledger, engine (shared by engines), event
//!             │
//!             ▼
//!          transform ─▶ source, user ─▶ clerk, files
//! ```
//!
//! Commands only wire: settings from `config`, an engine's flow, a report from `ui`.
//! Engines never print. `sandbox` is an independent stand-in for Clerk's Backend API in
//! its own crate; it imports nothing from here.

pub mod clerk;
pub mod cli;
pub mod commands;
pub mod config;
pub mod delete;
pub mod engine;
pub mod error;
pub mod event;
pub mod exit;
pub mod export;
pub mod files;
pub mod hint;
pub mod import;
pub mod ledger;
pub mod orgs;
pub mod preflight;
pub mod prepare;
/// The stand-in for Clerk, re-exported so the binary and the tests reach it by one name.
pub use migrate_sandbox as sandbox;
pub mod source;
pub mod sync;
pub mod transform;
pub mod ui;
pub mod user;
pub mod verify;
