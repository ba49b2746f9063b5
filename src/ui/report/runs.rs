//! `migrate runs`' reports: the runs in a log directory, or one run, as text (the result,
//! so on stdout) and as JSON. Error messages carry values only with `--verbose`.

use serde::Serialize;

use crate::ledger::runs::{Ending, ObjectCounts, RunSummary};

use super::{ErrorCount, Report};

/// One run, as `runs --json` lists it.
#[derive(Debug, Serialize)]
pub struct RunReport<'a> {
    pub log_file: String,
    pub command: &'a str,
    pub started_at: Option<&'a str>,
    pub file: Option<&'a str>,
    pub transformer: Option<&'a str>,
    pub instance: Option<&'a str>,
    pub environment: Option<&'a str>,
    pub total: u64,
    pub created: u64,
    pub already_exists: u64,
    pub failed: u64,
    pub invalid: u64,
    pub skipped: u64,
    pub deleted: u64,
    pub finished: bool,
    pub interrupted: bool,
    pub duration_secs: Option<f64>,
    pub errors: Vec<ErrorCount>,
    /// Orgs runs only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organizations: Option<&'a ObjectCounts>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memberships: Option<&'a ObjectCounts>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invitations: Option<&'a ObjectCounts>,
    #[serde(skip)]
    summary: &'a RunSummary,
    #[serde(skip)]
    verbose: bool,
}

impl<'a> RunReport<'a> {
    pub fn new(s: &'a RunSummary, verbose: bool) -> Self {
        let h = s.header.as_ref();
        Self {
            log_file: s.log_file.display().to_string(),
            command: s.command(),
            started_at: h.map(|h| h.started_at.as_str()),
            file: h.and_then(|h| h.file.as_deref()),
            transformer: h.and_then(|h| h.transformer.as_deref()),
            instance: h.and_then(|h| h.instance.as_deref()),
            environment: h.and_then(|h| h.environment.as_deref()),
            total: s.total(),
            created: s.created,
            already_exists: s.already_exists,
            failed: s.failed,
            invalid: s.invalid,
            skipped: s.skipped,
            deleted: s.deleted,
            finished: s.ending == Some(Ending::Finished),
            interrupted: s.ending == Some(Ending::Interrupted),
            duration_secs: s.duration_secs(),
            errors: ErrorCount::all(shown_errors(s, verbose)),
            organizations: (s.command() == "orgs").then_some(&s.organizations),
            memberships: (s.command() == "orgs").then_some(&s.memberships),
            invitations: (s.command() == "orgs").then_some(&s.invitations),
            summary: s,
            verbose,
        }
    }
}

/// `runs show LOG`: one run with its errors by reason.
impl Report for RunReport<'_> {
    fn text(&self) -> String {
        show_text(self.summary, self.verbose)
    }
    fn is_result(&self) -> bool {
        true
    }
}

/// `runs`: every run in the directory, oldest first.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct RunList<'a> {
    pub runs: Vec<RunReport<'a>>,
}

impl<'a> RunList<'a> {
    pub fn new(all: &'a [RunSummary], verbose: bool) -> Self {
        Self {
            runs: all.iter().map(|s| RunReport::new(s, verbose)).collect(),
        }
    }
}

impl Report for RunList<'_> {
    fn text(&self) -> String {
        let all: Vec<&RunSummary> = self.runs.iter().map(|r| r.summary).collect();
        list_text(&all)
    }
    fn is_result(&self) -> bool {
        true
    }
}

fn kind(s: &RunSummary) -> String {
    match s.command() {
        "dry-run" => "dry run".to_owned(),
        other => other.to_owned(),
    }
}

fn ending(s: &RunSummary) -> &'static str {
    match s.ending {
        Some(Ending::Finished) => "finished",
        Some(Ending::Interrupted) => "interrupted",
        _ => "no end (killed or running)",
    }
}

fn totals(s: &RunSummary) -> String {
    match s.command() {
        "delete" => format!(
            "{} deleted, {} already gone, {} left alone, {} failed",
            s.deleted, s.not_found, s.skipped, s.failed
        ),
        "verify" | "verify-orgs" => format!(
            "{} drifted, {} missing, {} passwords failed",
            s.drifted, s.missing, s.password_failed
        ),
        "dry-run" => format!("{} invalid", s.invalid),
        "orgs" => {
            let (o, m, i) = (&s.organizations, &s.memberships, &s.invitations);
            let mut text = format!(
                "organizations {} created, {} existing, {} earlier, {} failed; memberships {} created, {} existing, {} earlier, {} failed",
                o.created,
                o.already_exists,
                o.skipped,
                o.failed,
                m.created,
                m.already_exists,
                m.skipped,
                m.failed
            );
            if *i != ObjectCounts::default() {
                text.push_str(&format!(
                    "; invitations {} sent, {} already pending, {} earlier, {} failed",
                    i.created, i.already_exists, i.skipped, i.failed
                ));
            }
            text
        }
        _ => format!(
            "{} created, {} existing, {} failed, {} invalid, {} skipped",
            s.created, s.already_exists, s.failed, s.invalid, s.skipped
        ),
    }
}

fn list_text(all: &[&RunSummary]) -> String {
    let mut out = String::new();
    for s in all {
        let h = s.header.as_ref();
        let started = h.map_or("?", |h| h.started_at.as_str());
        let file = h
            .and_then(|h| h.file.as_deref())
            .map(|f| {
                std::path::Path::new(f)
                    .file_name()
                    .map_or(f.to_owned(), |n| n.to_string_lossy().into_owned())
            })
            .unwrap_or_default();
        let transformer = h.and_then(|h| h.transformer.as_deref()).unwrap_or("");
        let instance = match (
            h.and_then(|h| h.instance.as_deref()),
            h.and_then(|h| h.environment.as_deref()),
        ) {
            (Some(i), Some(e)) => format!(" → {e} {i}"),
            (Some(i), None) => format!(" → {i}"),
            _ => String::new(),
        };
        let duration = s
            .duration_secs()
            .map(|d| format!(", {d:.1}s"))
            .unwrap_or_default();
        out.push_str(&format!(
            "{started}  {:<8} {file} ({transformer}){instance}\n    {}{duration}, {}; {}\n",
            kind(s),
            totals(s),
            ending(s),
            s.log_file.display()
        ));
    }
    out
}

/// The errors a report may show: with `--verbose` as logged, values included; without,
/// grouped by reason alone (the values are personal data, kept in the private log).
fn shown_errors(s: &RunSummary, verbose: bool) -> &[(String, u64)] {
    if verbose { &s.errors } else { &s.problems }
}

fn show_text(s: &RunSummary, verbose: bool) -> String {
    let mut out = list_text(&[s]);
    if !s.errors.is_empty() {
        out.push_str("\nErrors by reason:\n");
        for (message, n) in shown_errors(s, verbose).iter().take(20) {
            out.push_str(&format!("  {n:>6}  {message}\n"));
        }
    }
    if s.malformed_lines > 0 {
        out.push_str(&format!(
            "\n{} unreadable lines skipped (a torn line from a crash).\n",
            s.malformed_lines
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_json_contract() {
        let mut header = crate::ledger::RunHeader::new("import");
        header.started_at = "2026-12-02T10:00:00.000Z".into();
        header.file = Some("users.json".into());
        header.transformer = Some("auth0".into());
        header.instance = Some("ins_1".into());
        let mut s = RunSummary {
            header: Some(header),
            log_file: "logs/migration-1.log".into(),
            ..RunSummary::default()
        };
        s.created = 2;
        s.invalid = 1;
        s.errors = vec![("email: not-an-email is not an email".into(), 1)];
        s.problems = vec![("email: is not an email".into(), 1)];
        let all = [s];
        insta::assert_json_snapshot!("runs_list", RunList::new(&all, false));
        insta::assert_json_snapshot!("runs_show_verbose", RunReport::new(&all[0], true));
    }
}
