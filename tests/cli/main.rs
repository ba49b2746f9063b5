//! Integration tests: the real binary, hermetically, and the sandbox over HTTP.

mod config;
mod conformance;
mod help;
mod sandbox_api;
mod util;
