//! Integration tests: the real binary, hermetically, and the sandbox over HTTP.

mod bad_input;
mod config;
mod conformance;
mod crash;
mod dry_run;
mod duplicates;
mod export;
mod faults;
mod fidelity;
mod golden;
mod help;
mod hints;
mod housekeeping;
mod import;
mod interactive;
mod orgs;
mod output;
mod passwords;
mod payloads;
mod preflight;
mod safety;
mod sandbox_api;
mod shell;
mod util;
mod verbose;
mod verify;
