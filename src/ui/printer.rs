//! One type decides every output stream: data on stdout, people's text on stderr.
//! Everything it writes passes through `safe::escape`, so no text from an export can
//! drive the terminal.

use std::io::{IsTerminal, Write};

use super::safe::escape;

/// Where output goes. `--json` puts one JSON document alone on stdout.
#[derive(Debug, Clone, Copy)]
pub struct Printer {
    json: bool,
    verbose: bool,
    quiet: bool,
}

impl Printer {
    pub fn new(json: bool) -> Self {
        Self {
            json,
            verbose: false,
            quiet: false,
        }
    }

    /// With `--quiet`: errors and one final line only.
    pub fn quiet(self, quiet: bool) -> Self {
        Self { quiet, ..self }
    }

    pub fn is_quiet(&self) -> bool {
        self.quiet
    }

    /// The one line a `--quiet` run ends with (the full summary says it otherwise).
    pub fn outcome(&self, text: &str) {
        if self.quiet && !self.json {
            let _ = writeln!(std::io::stderr(), "{}", escape(text));
        }
    }

    /// With `--verbose`: users' emails, phones and offending values may be shown.
    pub fn verbose(self, verbose: bool) -> Self {
        Self { verbose, ..self }
    }

    /// Whether stdout carries JSON (so human text must stay off it).
    pub fn is_json(&self) -> bool {
        self.json
    }

    /// Whether personal data may reach the terminal.
    pub fn is_verbose(&self) -> bool {
        self.verbose
    }

    /// Whether a person is watching stderr (progress bars, colours).
    pub fn stderr_is_terminal(&self) -> bool {
        std::io::stderr().is_terminal()
    }

    /// Data for stdout. A closed pipe (e.g. `| head`) ends output quietly.
    pub fn data(&self, text: &str) {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{}", escape(text)).and_then(|_| out.flush());
    }

    /// A line for people.
    pub fn info(&self, text: &str) {
        if !self.quiet {
            let _ = writeln!(std::io::stderr(), "{}", escape(text));
        }
    }

    /// A warning for people.
    pub fn warn(&self, text: &str) {
        if !self.quiet {
            let _ = writeln!(std::io::stderr(), "warning: {}", escape(text));
        }
    }

    /// An error, with its causes and an optional hint on their own lines.
    pub fn error(&self, err: &dyn std::error::Error, hint: Option<&str>) {
        let mut e = std::io::stderr().lock();
        let _ = writeln!(e, "error: {}", escape(&err.to_string()));
        let mut source = err.source();
        while let Some(cause) = source {
            let _ = writeln!(e, "  caused by: {}", escape(&cause.to_string()));
            source = cause.source();
        }
        if let Some(h) = hint {
            let _ = writeln!(e, "hint: {}", escape(h));
        }
    }
}
