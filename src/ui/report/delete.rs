//! `migrate delete`'s report: the preview (a dry run, or nothing to delete) and the
//! outcome of a rollback, as text and as the `--json` object.

use serde::Serialize;

use crate::delete::DeleteSummary;
use crate::delete::plan::{Counts, Plan};

use super::{ErrorCount, Report};

/// What a rollback would do, when it does nothing.
#[derive(Debug, Serialize)]
pub struct DeletePreview {
    pub mode: &'static str,
    pub dry_run: bool,
    pub targets: usize,
    pub to_delete: u64,
    pub deleted: u64,
    pub not_found: u64,
    pub skipped: u64,
    pub failed: u64,
    pub log_file: Option<String>,
    pub sources: Vec<String>,
    pub signed_in_since: usize,
    #[serde(skip)]
    pub where_to: String,
}

impl DeletePreview {
    pub fn new(plan: &Plan, counts: Counts, dry_run: bool, where_to: String) -> Self {
        Self {
            mode: "delete",
            dry_run,
            targets: plan.checks.len(),
            to_delete: counts.to_delete,
            deleted: 0,
            not_found: counts.gone,
            skipped: counts.changed,
            failed: 0,
            log_file: None,
            sources: plan.sources.clone(),
            signed_in_since: plan.signed_in.len(),
            where_to,
        }
    }
}

impl Report for DeletePreview {
    fn text(&self) -> String {
        let (gone, changed) = (self.not_found, self.skipped);
        if self.to_delete == 0 {
            format!(
                "Nothing to delete in {}: of {} users in {}, {gone} are already gone and {changed} were changed or signed in since and are left alone.",
                self.where_to,
                self.targets,
                self.sources.join(", ")
            )
        } else {
            format!(
                "Dry run: would delete {} users from {} ({gone} already gone, {changed} left alone), created by: {}",
                self.to_delete,
                self.where_to,
                self.sources.join(", ")
            )
        }
    }
}

/// The outcome of a rollback.
#[derive(Debug, Serialize)]
pub struct DeleteReport {
    pub mode: &'static str,
    pub dry_run: bool,
    pub targets: u64,
    pub deleted: u64,
    pub not_found: u64,
    pub skipped: u64,
    pub failed: u64,
    pub not_started: u64,
    pub interrupted: bool,
    pub api_calls: u64,
    pub elapsed_secs: f64,
    pub log_file: String,
    pub sources: Vec<String>,
    pub errors: Vec<ErrorCount>,
    #[serde(skip)]
    pub where_to: String,
}

impl DeleteReport {
    pub fn new(
        s: &DeleteSummary,
        log_file: String,
        sources: Vec<String>,
        where_to: String,
    ) -> Self {
        Self {
            mode: "delete",
            dry_run: false,
            targets: s.targets,
            deleted: s.deleted,
            not_found: s.not_found,
            skipped: s.skipped,
            failed: s.failed,
            not_started: s.not_started(),
            interrupted: s.interrupted,
            api_calls: s.api_calls,
            elapsed_secs: s.elapsed_secs,
            log_file,
            sources,
            errors: ErrorCount::all(&s.errors),
            where_to,
        }
    }
}

impl Report for DeleteReport {
    fn text(&self) -> String {
        let mut text = format!(
            "Deleted {} of {} users from {} ({} already gone, {} left alone, {} failed) in {:.1}s.\n",
            self.deleted,
            self.targets,
            self.where_to,
            self.not_found,
            self.skipped,
            self.failed,
            self.elapsed_secs
        );
        for e in &self.errors {
            text.push_str(&format!("  {:>6}  {}\n", e.count, e.message));
        }
        text.push_str(&format!("Deletion log: {}", self.log_file));
        if self.interrupted {
            text.push_str(&format!(
                "\nStopped with {} users not started: run the same command again to delete them.",
                self.not_started
            ));
        }
        text
    }

    fn outcome(&self) -> Option<String> {
        Some(format!(
            "deleted {} of {} ({} already gone, {} left alone, {} failed) · log {}",
            self.deleted, self.targets, self.not_found, self.skipped, self.failed, self.log_file
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_json_contract() {
        let preview = DeletePreview {
            mode: "delete",
            dry_run: true,
            targets: 5,
            to_delete: 3,
            deleted: 0,
            not_found: 1,
            skipped: 1,
            failed: 0,
            log_file: None,
            sources: vec!["logs/migration-1.log".into()],
            signed_in_since: 1,
            where_to: "production instance ins_1".into(),
        };
        insta::assert_json_snapshot!("delete_preview", preview);
        insta::assert_snapshot!("delete_preview_text", preview.text());
        let summary = DeleteSummary {
            targets: 5,
            deleted: 2,
            not_found: 1,
            skipped: 1,
            failed: 1,
            api_calls: 9,
            elapsed_secs: 1.25,
            errors: vec![("Clerk rejected the request: 500".into(), 1)],
            interrupted: false,
        };
        let done = DeleteReport::new(
            &summary,
            "logs/user-deletion-1.log".into(),
            vec!["logs/migration-1.log".into()],
            "production instance ins_1".into(),
        );
        insta::assert_json_snapshot!("delete_report", done);
        insta::assert_snapshot!("delete_report_text", done.text());
    }
}
