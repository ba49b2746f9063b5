//! `migrate`: move users from another auth system into Clerk.
//!
//! Layers, from the edge inwards (imports never run backwards):
//! `cli`/`ui` → `commands` → engines → `source`, `transform`, `user`, `clerk`.
//! `sandbox` is an independent stand-in for Clerk's Backend API, its own crate.

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
pub mod import;
pub mod ledger;
pub mod preflight;
pub mod prepare;
/// The stand-in for Clerk, re-exported so the binary and the tests reach it by one name.
pub use migrate_sandbox as sandbox;
pub mod source;
pub mod transform;
pub mod ui;
pub mod user;
pub mod verify;
