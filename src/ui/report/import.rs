//! The import's reports: the dry run's (what the file holds and, live, what the instance
//! would do with it) and the import's outcome, as text and as the `--json` object.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;
use serde_json::Value;

use crate::import::ImportSummary;
use crate::prepare::PlanSummary;
use crate::prepare::summary::ReasonGroup;
use crate::transform::auth0_passwords::MergeReport;
use crate::ui::summary;

use super::{ErrorCount, Report};

/// The instance a live dry run asked.
#[derive(Debug, Serialize)]
pub struct LiveInstance<'a> {
    pub id: &'a str,
    pub environment: &'a str,
    pub user_count: u64,
    /// Room left under a development instance's user cap; none in production.
    pub cap_headroom: Option<u64>,
}

/// What the instance would do with the ready users (`--dry-run --live`).
#[derive(Debug, Serialize)]
pub struct Live<'a> {
    pub instance: LiveInstance<'a>,
    pub existing: u64,
    pub existing_by: &'a BTreeMap<&'static str, u64>,
    pub conflicts: u64,
    pub would_create: u64,
    pub would_refuse: u64,
    pub refuse_by_reason: &'a BTreeMap<String, u64>,
    pub dropped: &'a BTreeMap<String, u64>,
    /// The sign-up settings as the Frontend API serves them, or why they could not be read.
    pub settings: Option<&'a Value>,
    pub settings_error: Option<&'a str>,
    pub api_calls: u64,
}

impl<'a> From<&'a crate::preflight::Report> for Live<'a> {
    fn from(r: &'a crate::preflight::Report) -> Self {
        Self {
            instance: LiveInstance {
                id: &r.instance_id,
                environment: &r.environment,
                user_count: r.user_count,
                cap_headroom: r.cap_headroom(),
            },
            existing: r.existing,
            existing_by: &r.existing_by,
            conflicts: r.conflicts,
            would_create: r.would_create,
            would_refuse: r.would_refuse,
            refuse_by_reason: &r.refuse_by_reason,
            dropped: &r.dropped,
            settings: r.settings.as_ref().ok(),
            settings_error: r.settings.as_ref().err().map(String::as_str),
            api_calls: r.api_calls,
        }
    }
}

/// One problem of an invalid record, with its value (`--json --verbose` only).
#[derive(Debug, Serialize)]
pub struct ProblemShown<'a> {
    pub field: &'a str,
    pub reason: &'a str,
    pub value: Option<&'a str>,
}

/// An invalid record as `--json --verbose` shows it.
#[derive(Debug, Serialize)]
pub struct InvalidShown<'a> {
    pub row: u64,
    pub user_id: &'a str,
    pub problems: Vec<ProblemShown<'a>>,
}

fn invalid_records(plan: &PlanSummary) -> Vec<InvalidShown<'_>> {
    plan.invalid_records
        .iter()
        .map(|r| InvalidShown {
            row: r.row,
            user_id: &r.user_id,
            problems: r
                .problems
                .iter()
                .map(|p| ProblemShown {
                    field: &p.field,
                    reason: &p.reason,
                    value: p.detail.as_deref(),
                })
                .collect(),
        })
        .collect()
}

/// The dry run's report.
#[derive(Debug, Serialize)]
pub struct DryRunReport<'a> {
    pub mode: &'static str,
    pub transformer: &'a str,
    pub file: String,
    pub total: u64,
    pub ready: u64,
    pub invalid: u64,
    pub invalid_by_reason: BTreeMap<String, u64>,
    pub invalid_examples: &'a BTreeMap<String, ReasonGroup>,
    /// Records the source skips, plus those `--resume-after` skipped.
    pub skipped: u64,
    pub skipped_by_reason: BTreeMap<String, u64>,
    pub dropped: BTreeMap<String, u64>,
    pub nfkc_at_risk: u64,
    pub hashers: &'a BTreeMap<String, u64>,
    pub coverage: BTreeMap<&'static str, u64>,
    pub ignored_fields: &'a BTreeMap<String, u64>,
    pub short_rows: &'a [u64],
    pub log_file: Option<String>,
    /// What the instance would do with each ready user (`--live`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub live: Option<Live<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth0_passwords: Option<&'a MergeReport>,
    /// The invalid records with their values (`--verbose`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invalid_records: Option<Vec<InvalidShown<'a>>>,
    #[serde(skip)]
    text: String,
    #[serde(skip)]
    outcome: String,
}

/// What a dry run read, for its report.
pub struct DryRun<'a> {
    pub plan: &'a PlanSummary,
    pub transformer: &'a str,
    pub file: &'a Path,
    pub log: &'a Path,
    /// The `--resume-after` user and how many records were skipped up to it.
    pub resumed_after: Option<(&'a str, u64)>,
    pub live: Option<&'a crate::preflight::Report>,
    pub merge: Option<&'a MergeReport>,
    pub verbose: bool,
}

impl<'a> DryRunReport<'a> {
    pub fn new(d: DryRun<'a>) -> Self {
        let plan = d.plan;
        let cut = d.resumed_after.map_or(0, |(_, n)| n);
        let mut text = Vec::new();
        if let Some((target, n)) = d.resumed_after.filter(|(_, n)| *n > 0) {
            text.push(format!("Resuming after {target}: skipped {n} records."));
        }
        if let Some(m) = d.merge {
            text.push(summary::auth0_merge_text(m));
        }
        text.push(summary::plan_text(
            plan,
            d.transformer,
            d.file,
            Some(d.log),
            d.verbose,
        ));
        if let Some(live) = d.live {
            text.push(summary::live_text(live));
        }
        let outcome = format!(
            "dry run: {} users, {} ready, {} invalid, {} skipped · log {}",
            plan.total,
            plan.ready,
            plan.invalid,
            plan.skipped + cut,
            d.log.display()
        );
        Self {
            mode: "dry-run",
            transformer: d.transformer,
            file: d.file.display().to_string(),
            total: plan.total,
            ready: plan.ready,
            invalid: plan.invalid,
            invalid_by_reason: plan.reason_counts(),
            invalid_examples: &plan.invalid_by_reason,
            skipped: plan.skipped + cut,
            skipped_by_reason: plan.skip_counts(),
            dropped: plan.drop_counts(),
            nfkc_at_risk: summary::nfkc_at_risk(plan, d.transformer),
            hashers: &plan.hashers,
            coverage: plan.coverage(),
            ignored_fields: &plan.ignored_fields,
            short_rows: &plan.short_rows,
            log_file: Some(d.log.display().to_string()),
            live: d.live.map(Live::from),
            auth0_passwords: d.merge,
            invalid_records: d.verbose.then(|| invalid_records(plan)),
            text: text.join("\n"),
            outcome,
        }
    }
}

impl Report for DryRunReport<'_> {
    fn text(&self) -> String {
        self.text.clone()
    }
    fn outcome(&self) -> Option<String> {
        Some(self.outcome.clone())
    }
}

/// The import's outcome.
#[derive(Debug, Serialize)]
pub struct ImportReport<'a> {
    pub invalid_by_reason: BTreeMap<String, u64>,
    pub skipped_by_reason: BTreeMap<String, u64>,
    pub dropped: BTreeMap<String, u64>,
    pub nfkc_at_risk: u64,
    pub mode: &'static str,
    pub total: u64,
    pub created: u64,
    pub already_exists: u64,
    pub failed: u64,
    pub invalid: u64,
    pub skipped: u64,
    pub not_started: u64,
    pub warnings: u64,
    pub api_calls: u64,
    pub retries: u64,
    pub rate_limited: u64,
    pub elapsed_secs: f64,
    pub log_file: String,
    pub interrupted: bool,
    pub errors: Vec<ErrorCount>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth0_passwords: Option<&'a MergeReport>,
    #[serde(skip)]
    text: String,
}

/// What an import did, for its report.
pub struct Imported<'a> {
    pub summary: &'a ImportSummary,
    pub plan: &'a PlanSummary,
    pub transformer: &'a str,
    /// Where the users went, in words.
    pub where_to: &'a str,
    pub merge: Option<&'a MergeReport>,
    pub verbose: bool,
}

impl<'a> ImportReport<'a> {
    pub fn new(i: Imported<'a>) -> Self {
        let (s, plan) = (i.summary, i.plan);
        Self {
            invalid_by_reason: plan.reason_counts(),
            skipped_by_reason: plan.skip_counts(),
            dropped: plan.drop_counts(),
            nfkc_at_risk: summary::nfkc_at_risk(plan, i.transformer),
            mode: "import",
            total: s.total + s.not_started,
            created: s.created,
            already_exists: s.already_exists,
            failed: s.failed,
            invalid: s.invalid,
            skipped: s.skipped,
            not_started: s.not_started,
            warnings: s.warnings,
            api_calls: s.api_calls,
            retries: s.retries,
            rate_limited: s.rate_limited,
            elapsed_secs: s.elapsed_secs,
            log_file: s.log_file.display().to_string(),
            interrupted: s.interrupted,
            errors: ErrorCount::all(&s.errors),
            auth0_passwords: i.merge,
            text: summary::import_text(s, i.where_to, plan, i.transformer, i.verbose),
        }
    }
}

impl Report for ImportReport<'_> {
    fn text(&self) -> String {
        self.text.clone()
    }
    fn outcome(&self) -> Option<String> {
        Some(format!(
            "{} users: {} created, {} already existing, {} failed, {} invalid, {} skipped · log {}",
            self.total,
            self.created,
            self.already_exists,
            self.failed,
            self.invalid,
            self.skipped,
            self.log_file
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan() -> PlanSummary {
        let mut plan = PlanSummary::default();
        plan.total = 3;
        plan.ready = 2;
        plan.invalid = 1;
        plan.hashers.insert("bcrypt".to_owned(), 2);
        plan
    }

    #[test]
    fn the_json_contract() {
        let plan = plan();
        let dry = DryRunReport::new(DryRun {
            plan: &plan,
            transformer: "auth0",
            file: Path::new("users.json"),
            log: Path::new("logs/migration-1.log"),
            resumed_after: Some(("u1", 2)),
            live: None,
            merge: None,
            verbose: false,
        });
        insta::assert_json_snapshot!("dry_run_report", dry);
        let summary = ImportSummary {
            total: 3,
            created: 2,
            invalid: 1,
            api_calls: 3,
            elapsed_secs: 0.5,
            log_file: "logs/migration-2.log".into(),
            errors: vec![("Clerk rejected the request: 422".into(), 1)],
            ..ImportSummary::default()
        };
        let done = ImportReport::new(Imported {
            summary: &summary,
            plan: &plan,
            transformer: "auth0",
            where_to: "production instance ins_1",
            merge: None,
            verbose: false,
        });
        insta::assert_json_snapshot!("import_report", done);
        insta::assert_snapshot!("import_report_outcome", done.outcome().unwrap_or_default());
    }

    #[test]
    fn the_live_part_of_the_contract() {
        let report = crate::preflight::Report {
            instance_id: "ins_1".into(),
            environment: "development".into(),
            user_count: 40,
            existing: 1,
            existing_by: [("external_id", 1)].into(),
            conflicts: 0,
            would_create: 2,
            would_refuse: 1,
            refuse_by_reason: [("a password is required".to_owned(), 1)].into(),
            dropped: BTreeMap::new(),
            settings: Err("GET /v1/domains failed: 500".into()),
            api_calls: 4,
            verdicts: Vec::new(),
        };
        insta::assert_json_snapshot!("live_report", Live::from(&report));
    }
}
