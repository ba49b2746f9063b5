//! `migrate export`'s report: what was written, what was left out, and what the import
//! will make of it.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::export::ExportSummary;
use crate::ui::summary;

use super::Report;

/// A row left out because it could not be read.
#[derive(Debug, Serialize)]
pub struct Unreadable {
    pub key: String,
    pub reason: String,
}

/// The instance's user count before and after an export through the API.
#[derive(Debug, Serialize)]
pub struct Change {
    pub before: u64,
    pub after: u64,
}

#[derive(Debug, Serialize)]
pub struct ExportReport<'a> {
    pub mode: &'static str,
    pub source: &'a str,
    pub file: String,
    pub total: u64,
    pub skipped: u64,
    pub skipped_by_reason: &'a BTreeMap<String, u64>,
    pub unreadable: Vec<Unreadable>,
    pub with_password: u64,
    pub hashers: &'a BTreeMap<String, u64>,
    pub coverage: BTreeMap<&'static str, u64>,
    pub invalid: u64,
    pub mfa_reenrol: u64,
    pub instance_changed: Option<Change>,
    /// `--since`: the users changed in this window (`from` exclusive, `until` the
    /// export's start, the next delta's `--since`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window: Option<Window<'a>>,
    #[serde(skip)]
    summary: &'a ExportSummary,
}

#[derive(Debug, Serialize)]
pub struct Window<'a> {
    pub from: &'a str,
    pub until: &'a str,
}

impl<'a> ExportReport<'a> {
    pub fn new(s: &'a ExportSummary, source: &'a str) -> Self {
        Self {
            mode: "export",
            source,
            file: s.file.display().to_string(),
            total: s.total,
            skipped: s.skipped(),
            skipped_by_reason: &s.skipped_by_reason,
            unreadable: s
                .unreadable
                .iter()
                .map(|(key, reason)| Unreadable {
                    key: key.clone(),
                    reason: reason.clone(),
                })
                .collect(),
            with_password: s.plan.hashers.values().sum(),
            hashers: &s.plan.hashers,
            coverage: s.plan.coverage(),
            invalid: s.plan.invalid,
            mfa_reenrol: s.mfa_reenrol,
            instance_changed: s
                .instance_changed
                .map(|(before, after)| Change { before, after }),
            window: s
                .window
                .as_ref()
                .map(|(from, until)| Window { from, until }),
            summary: s,
        }
    }
}

impl Report for ExportReport<'_> {
    fn text(&self) -> String {
        let mut text = summary::export_text(self.summary, self.source);
        if let Some(w) = &self.window {
            text.push_str(&format!(
                "\nOnly users changed after {} (until {}): the next delta is --since {}.",
                w.from, w.until, w.until
            ));
        }
        text
    }
    fn outcome(&self) -> Option<String> {
        Some(format!(
            "exported {} users to {} ({} skipped)",
            self.total, self.file, self.skipped
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_json_contract() {
        let mut s = ExportSummary {
            file: "users.json".into(),
            total: 4,
            skipped_by_reason: [("anonymous".to_owned(), 1)].into(),
            unreadable: vec![("u9".into(), "too_large".into())],
            plan: Default::default(),
            mfa_reenrol: 1,
            instance_changed: Some((10, 11)),
            window: Some((
                "2026-12-01T00:00:00.000Z".into(),
                "2026-12-02T00:00:00.000Z".into(),
            )),
        };
        s.plan.invalid = 1;
        s.plan.hashers.insert("bcrypt".into(), 3);
        let report = ExportReport::new(&s, "supabase");
        insta::assert_json_snapshot!("export_report", report);
        insta::assert_snapshot!(
            "export_report_outcome",
            report.outcome().unwrap_or_default()
        );
    }
}
