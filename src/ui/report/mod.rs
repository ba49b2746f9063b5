//! One typed report per command: built from what the engines return, rendered as text
//! for people and serialized as the command's `--json` object, so the JSON contract of
//! every command is a set of types.

pub mod delete;
pub mod export;
pub mod import;
pub mod logs;
pub mod orgs;
pub mod runs;
pub mod sync;
pub mod verify;

use serde::Serialize;

use super::Printer;

/// A report people read as text and scripts read as JSON.
pub trait Report: Serialize {
    /// The text people see (stderr).
    fn text(&self) -> String;
    /// The one line `--quiet` keeps, when the report has one.
    fn outcome(&self) -> Option<String> {
        None
    }
    /// Whether the text is the command's result (stdout, for pipes and files) rather
    /// than a diagnostic beside a result written elsewhere.
    fn is_result(&self) -> bool {
        false
    }
}

/// One kind of failure and how often it happened.
#[derive(Debug, Serialize)]
pub struct ErrorCount {
    pub message: String,
    pub count: u64,
}

impl ErrorCount {
    /// Failure messages with their counts, in the order given.
    pub fn all(errors: &[(String, u64)]) -> Vec<Self> {
        errors
            .iter()
            .map(|(message, count)| Self {
                message: message.clone(),
                count: *count,
            })
            .collect()
    }
}

/// Shows `report` the way the printer is set up: JSON on stdout with `--json`, else its
/// text and its outcome line.
pub fn show(printer: &Printer, report: &impl Report) {
    if printer.is_json() {
        match serde_json::to_string(report) {
            Ok(json) => printer.data(&json),
            Err(e) => printer.warn(&format!("could not write the report as JSON: {e}")),
        }
    } else if report.is_result() {
        printer.data(&report.text());
    } else {
        printer.info(&report.text());
        if let Some(line) = report.outcome() {
            printer.outcome(&line);
        }
    }
}
