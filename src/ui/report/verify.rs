//! `migrate verify`'s report: users checked, how many match, drift or are missing, and
//! the known passwords that did or did not sign in.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use crate::verify::VerifySummary;

use super::Report;

#[derive(Debug, Serialize)]
pub struct VerifyReport<'a> {
    pub mode: &'static str,
    pub checked: u64,
    pub matching: u64,
    pub drifted: u64,
    pub missing: u64,
    pub not_in_source: u64,
    /// Field → users that differ there (fields with none left out).
    pub fields: BTreeMap<&'static str, u64>,
    pub password_checked: u64,
    pub password_ok: u64,
    pub password_failed: usize,
    pub log_file: String,
    #[serde(skip)]
    summary: &'a VerifySummary,
    #[serde(skip)]
    file: &'a Path,
    #[serde(skip)]
    verbose: bool,
}

impl<'a> VerifyReport<'a> {
    pub fn new(s: &'a VerifySummary, file: &'a Path, verbose: bool) -> Self {
        Self {
            mode: "verify",
            checked: s.checked,
            matching: s.matching,
            drifted: s.drifted,
            missing: s.missing,
            not_in_source: s.not_in_source,
            fields: s
                .fields
                .iter()
                .filter(|(_, n, _)| *n > 0)
                .map(|(f, n, _)| (*f, *n))
                .collect(),
            password_checked: s.password_checked,
            password_ok: s.password_ok,
            password_failed: s.password_failed.len(),
            log_file: s.log_file.display().to_string(),
            summary: s,
            file,
            verbose,
        }
    }
}

impl Report for VerifyReport<'_> {
    fn text(&self) -> String {
        crate::ui::summary::verify_text(self.summary, self.file, self.verbose)
    }

    fn outcome(&self) -> Option<String> {
        Some(format!(
            "verified {}: {} matching, {} drifted, {} missing; passwords {} ok, {} failed · log {}",
            self.checked,
            self.matching,
            self.drifted,
            self.missing,
            self.password_ok,
            self.password_failed,
            self.log_file
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_json_contract() {
        let mut s = VerifySummary::new("logs/verify-1.log".into());
        s.checked = 4;
        s.matching = 2;
        s.drifted = 1;
        s.missing = 1;
        s.not_in_source = 3;
        s.note_drift(
            "u1",
            &[crate::verify::compare::FieldDiff {
                field: "first_name",
                expected: serde_json::json!("Ada"),
                actual: serde_json::json!("Ade"),
            }],
        );
        s.password_checked = 2;
        s.password_ok = 1;
        s.password_failed
            .push(("u2".into(), "Clerk refuses the password"));
        let report = VerifyReport::new(&s, Path::new("users.json"), false);
        insta::assert_json_snapshot!("verify_report", report);
        insta::assert_snapshot!(
            "verify_report_outcome",
            report.outcome().unwrap_or_default()
        );
    }
}
