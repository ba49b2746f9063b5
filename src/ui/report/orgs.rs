//! `migrate orgs`' reports: the dry run's (what the organization file holds, where its
//! roles go, the slugs made, and every problem by organization) and the run's outcome.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::delete::orgs::OrgsDeleteSummary;
use crate::export::orgs::OrgsExport;
use crate::ledger::entry::DriftField;
use crate::orgs::check::OrgPlan;
use crate::orgs::file::Unreadable;
use crate::orgs::live::LiveOrgs;
use crate::orgs::send::{Counts, OrgsSummary};
use crate::verify::orgs::OrgOutcome;

use super::{ErrorCount, Report};

/// Problems a text report lists before "… and N more" (all with `--verbose`).
const SHOWN: usize = 10;

#[derive(Debug, Serialize)]
pub struct RoleShown<'a> {
    pub count: u64,
    pub target: &'a str,
}

#[derive(Debug, Serialize)]
pub struct ProblemShown<'a> {
    pub organization: &'a str,
    pub problem: &'a str,
}

#[derive(Debug, Serialize)]
pub struct UnreadableShown {
    pub record: u64,
    pub line: u64,
    pub reason: String,
}

#[derive(Debug, Serialize)]
pub struct OrgsDryRunReport<'a> {
    pub mode: &'static str,
    pub file: String,
    pub organizations: u64,
    pub ready: u64,
    pub members: u64,
    pub invitations: &'a BTreeMap<String, u64>,
    pub roles: BTreeMap<&'a str, RoleShown<'a>>,
    /// Source roles that go to a custom instance role of the same key.
    pub custom_roles: &'a BTreeMap<String, String>,
    /// Slugs made from a name or normalised, by source organization ID.
    pub slugs: &'a BTreeMap<String, String>,
    pub problems: Vec<ProblemShown<'a>>,
    pub unreadable: Vec<UnreadableShown>,
    /// With `--live`: what the instance says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub live: Option<&'a LiveOrgs>,
    #[serde(skip)]
    verbose: bool,
}

impl<'a> OrgsDryRunReport<'a> {
    pub fn new(plan: &'a OrgPlan, unreadable: &[Unreadable], file: String, verbose: bool) -> Self {
        Self {
            mode: "orgs-dry-run",
            file,
            organizations: plan.organizations,
            ready: plan.ready,
            members: plan.members,
            invitations: &plan.invitations,
            roles: plan
                .roles
                .iter()
                .map(|(role, (count, target))| {
                    (
                        role.as_str(),
                        RoleShown {
                            count: *count,
                            target,
                        },
                    )
                })
                .collect(),
            custom_roles: &plan.custom_roles,
            slugs: &plan.slugs,
            problems: plan
                .problems
                .iter()
                .map(|p| ProblemShown {
                    organization: &p.org,
                    problem: &p.what,
                })
                .collect(),
            unreadable: unreadable
                .iter()
                .map(|u| UnreadableShown {
                    record: u.position.row,
                    line: u.position.line,
                    reason: u.reason.clone(),
                })
                .collect(),
            live: None,
            verbose,
        }
    }

    pub fn with_live(self, live: &'a LiveOrgs) -> Self {
        Self {
            live: Some(live),
            ..self
        }
    }

    /// Nothing stops any organization, offline or (with `--live`) on the instance.
    pub fn clean(&self) -> bool {
        self.problems.is_empty()
            && self.unreadable.is_empty()
            && self.live.is_none_or(LiveOrgs::clean)
    }
}

impl Report for OrgsDryRunReport<'_> {
    fn text(&self) -> String {
        let invited: u64 = self.invitations.values().sum();
        let mut lines = vec![format!(
            "{}: {} organizations ({} ready), {} memberships, {} invitations.",
            self.file, self.organizations, self.ready, self.members, invited
        )];
        if !self.roles.is_empty() {
            lines.push("\nRoles (memberships and invitations):".to_owned());
            for (role, r) in &self.roles {
                lines.push(format!("  {:>6}  {role} → {}", r.count, r.target));
            }
        }
        if !self.custom_roles.is_empty() {
            let roles: Vec<&str> = self.custom_roles.values().map(String::as_str).collect();
            lines.push(format!(
                "\nThe instance must have these roles (the Clerk Dashboard's Roles and Permissions page adds them), or map them with --role-map: {}",
                roles.join(", ")
            ));
        }
        if !self.slugs.is_empty() {
            let first: Vec<String> = self
                .slugs
                .iter()
                .take(3)
                .map(|(org, slug)| format!("{org} → {slug}"))
                .collect();
            lines.push(format!(
                "\n{} slugs made from names or normalised ({}{}).",
                self.slugs.len(),
                first.join(", "),
                if self.slugs.len() > 3 { ", …" } else { "" }
            ));
        }
        let limit = if self.verbose { usize::MAX } else { SHOWN };
        if !self.problems.is_empty() {
            lines.push(format!("\n{} problems:", self.problems.len()));
            for p in self.problems.iter().take(limit) {
                lines.push(format!("  {}: {}", p.organization, p.problem));
            }
            if self.problems.len() > limit {
                lines.push(format!(
                    "  … and {} more (-v lists them all)",
                    self.problems.len() - limit
                ));
            }
        }
        for u in self.unreadable.iter().take(limit) {
            lines.push(format!(
                "  record {} (line {}) is not an organization: {}",
                u.record, u.line, u.reason
            ));
        }
        if let Some(live) = self.live {
            lines.push(live_text(live, limit));
        }
        lines.join("\n")
    }

    fn outcome(&self) -> Option<String> {
        Some(format!(
            "orgs dry run: {} organizations, {} ready, {} problems, {} unreadable",
            self.organizations,
            self.ready,
            self.problems.len(),
            self.unreadable.len()
        ))
    }
}

/// `--live`'s part of the dry run.
fn live_text(live: &LiveOrgs, limit: usize) -> String {
    if !live.enabled {
        return format!(
            "\nOn the instance: organizations are turned off; turn them on in the {} before sending.",
            crate::orgs::ready::DASHBOARD_SETTINGS
        );
    }
    let mut lines = vec![format!(
        "\nOn the instance: organizations on, roles {}, creator role {}, {}.",
        live.instance_roles.join(", "),
        live.creator_role.as_deref().unwrap_or("?"),
        match live.membership_limit {
            0 => "no membership limit".to_owned(),
            n => format!("at most {n} members an organization"),
        }
    )];
    if !live.missing_roles.is_empty() {
        let missing: Vec<String> = live
            .missing_roles
            .iter()
            .map(|(from, to)| format!("{from} → {to}"))
            .collect();
        lines.push(format!(
            "  roles the instance lacks: {} (add them in the {}, or --role-map them)",
            missing.join(", "),
            crate::orgs::ready::DASHBOARD_ROLES
        ));
    }
    lines.push(format!(
        "  members: {} found in Clerk, {} not (import those users first)",
        live.members_found, live.members_missing
    ));
    if live.already_there > 0 {
        lines.push(format!(
            "  {} organizations are already there (created by this tool): they are not created again",
            live.already_there
        ));
    }
    for f in live.findings.iter().take(limit) {
        lines.push(format!("  {}: {}", f.organization, f.what));
    }
    lines.join("\n")
}

/// What an orgs run did.
#[derive(Debug, Serialize)]
pub struct OrgsReport<'a> {
    pub mode: &'static str,
    pub file: String,
    pub instance: String,
    pub organizations: &'a Counts,
    pub memberships: &'a Counts,
    /// Pending invitations: sent with `--invitations`, `not_sent` without.
    pub invitations: &'a Counts,
    /// Members matched through the import logs, and by external_id.
    pub members_from_logs: u64,
    pub members_looked_up: u64,
    pub errors: Vec<ErrorCount>,
    pub api_calls: u64,
    pub elapsed_secs: f64,
    pub log_file: String,
    pub interrupted: bool,
}

impl<'a> OrgsReport<'a> {
    pub fn new(summary: &'a OrgsSummary, run: OrgsRun) -> Self {
        Self {
            mode: "orgs",
            file: run.file,
            instance: run.instance,
            organizations: &summary.organizations,
            memberships: &summary.memberships,
            invitations: &summary.invitations,
            members_from_logs: run.from_logs,
            members_looked_up: run.looked_up,
            errors: ErrorCount::all(&summary.errors),
            api_calls: summary.api_calls,
            elapsed_secs: summary.elapsed_secs,
            log_file: run.log_file,
            interrupted: run.interrupted,
        }
    }
}

/// What the report says about the run besides its counts.
pub struct OrgsRun {
    pub file: String,
    pub instance: String,
    pub from_logs: u64,
    pub looked_up: u64,
    pub log_file: String,
    pub interrupted: bool,
}

fn counts_text(c: &Counts) -> String {
    let mut parts = vec![
        format!("{} created", c.created),
        format!("{} already there", c.already_exists),
    ];
    let rest = [
        (c.skipped, "done by an earlier run"),
        (c.failed, "failed"),
        (c.conflicts, "slug taken by another organization"),
        (c.invalid, "invalid in the file"),
        (c.user_not_migrated, "user not in Clerk"),
        (c.not_sent, "not sent"),
    ];
    parts.extend(
        rest.iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, what)| format!("{n} {what}")),
    );
    parts.join(", ")
}

impl Report for OrgsReport<'_> {
    fn text(&self) -> String {
        let mut lines = vec![
            format!("Organizations into {} from {}:", self.instance, self.file),
            format!("  organizations: {}", counts_text(self.organizations)),
            format!("  memberships:   {}", counts_text(self.memberships)),
            format!(
                "  members matched: {} through the import logs, {} by external_id",
                self.members_from_logs, self.members_looked_up
            ),
        ];
        if *self.invitations != Counts::default() {
            let line = format!("  invitations:   {}", counts_text(self.invitations));
            lines.insert(3, line);
        }
        if !self.errors.is_empty() {
            lines.push("\nErrors:".to_owned());
            for e in self.errors.iter().take(SHOWN) {
                lines.push(format!("  {:>6}  {}", e.count, e.message));
            }
        }
        if self.memberships.user_not_migrated > 0 {
            lines.push(format!(
                "\n{} members are not in Clerk: import their users first, then run the same command again (what is done is skipped).",
                self.memberships.user_not_migrated
            ));
        }
        if self.interrupted {
            lines.push(
                "\nInterrupted: run the same command again to finish (what is done is skipped)."
                    .to_owned(),
            );
        }
        lines.push(format!(
            "\n{} calls in {:.1}s. Log: {}",
            self.api_calls, self.elapsed_secs, self.log_file
        ));
        lines.join("\n")
    }

    fn outcome(&self) -> Option<String> {
        Some(format!(
            "orgs: {} organizations created, {} memberships created, {} failed",
            self.organizations.created,
            self.memberships.created,
            self.organizations.failed
                + self.organizations.conflicts
                + self.memberships.failed
                + self.memberships.user_not_migrated
        ))
    }
}

/// `migrate delete --orgs`: what the rollback of organizations did, or would do.
#[derive(Debug, Serialize)]
pub struct OrgsDeleteReport<'a> {
    pub mode: &'static str,
    pub dry_run: bool,
    pub instance: String,
    /// Organizations to delete (a dry run), or the rollback's outcome.
    pub to_delete: u64,
    #[serde(flatten)]
    pub summary: &'a OrgsDeleteSummary,
    pub errors: Vec<ErrorCount>,
    pub log_file: Option<String>,
}

impl<'a> OrgsDeleteReport<'a> {
    pub fn new(
        summary: &'a OrgsDeleteSummary,
        to_delete: u64,
        dry_run: bool,
        instance: String,
        log_file: Option<String>,
    ) -> Self {
        Self {
            mode: "delete-orgs",
            dry_run,
            instance,
            to_delete,
            summary,
            errors: ErrorCount::all(&summary.errors),
            log_file,
        }
    }
}

impl Report for OrgsDeleteReport<'_> {
    fn text(&self) -> String {
        let s = self.summary;
        let mut text = if self.dry_run || self.log_file.is_none() {
            format!(
                "{} {} of the {} organizations orgs runs created in {} ({} already gone, {} left alone).",
                if self.dry_run {
                    "Dry run: would delete"
                } else {
                    "Nothing to delete:"
                },
                self.to_delete,
                s.targets,
                self.instance,
                s.not_found,
                s.left_alone
            )
        } else {
            format!(
                "Deleted {} organizations (with their memberships) from {}: {} already gone, {} left alone, {} failed{}.",
                s.deleted,
                self.instance,
                s.not_found,
                s.left_alone,
                s.failed,
                if s.not_started > 0 {
                    format!(
                        ", {} not started (run the same command again)",
                        s.not_started
                    )
                } else {
                    String::new()
                }
            )
        };
        for e in self.errors.iter().take(SHOWN) {
            text.push_str(&format!("\n  {:>6}  {}", e.count, e.message));
        }
        if let Some(log) = &self.log_file {
            text.push_str(&format!("\nLog: {log}"));
        }
        text
    }
}

/// One organization that differs from the file, or is gone.
#[derive(Debug, Serialize)]
pub struct OrgDrift<'a> {
    pub organization: &'a str,
    pub clerk_id: &'a str,
    pub missing: bool,
    /// The fields that differ; their values only with `--verbose` (metadata and member
    /// IDs can be personal data; the private verify log has them).
    pub fields: Vec<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub values: Option<&'a [DriftField]>,
}

/// `migrate verify --orgs`: how the organizations in Clerk compare with the file.
#[derive(Debug, Serialize)]
pub struct OrgsVerifyReport<'a> {
    pub mode: &'static str,
    pub file: String,
    pub instance: String,
    pub organizations: u64,
    pub matching: u64,
    pub drifted: u64,
    pub missing: u64,
    /// In the file, but no orgs run of this instance put them in Clerk.
    pub not_migrated: u64,
    pub members_checked: u64,
    pub members_drifted: u64,
    pub drifts: Vec<OrgDrift<'a>>,
    pub log_file: String,
}

impl<'a> OrgsVerifyReport<'a> {
    pub fn new(
        outcomes: &'a [(String, OrgOutcome)],
        file: String,
        instance: String,
        log_file: String,
        verbose: bool,
    ) -> Self {
        let mut r = Self {
            mode: "verify-orgs",
            file,
            instance,
            organizations: outcomes.len() as u64,
            matching: 0,
            drifted: 0,
            missing: 0,
            not_migrated: 0,
            members_checked: 0,
            members_drifted: 0,
            drifts: Vec::new(),
            log_file,
        };
        for (org, outcome) in outcomes {
            match outcome {
                OrgOutcome::NotMigrated => r.not_migrated += 1,
                OrgOutcome::Missing { clerk_id } => {
                    r.missing += 1;
                    r.drifts.push(OrgDrift {
                        organization: org,
                        clerk_id,
                        missing: true,
                        fields: Vec::new(),
                        values: None,
                    });
                }
                OrgOutcome::Checked {
                    clerk_id,
                    fields,
                    members,
                    members_drifted,
                } => {
                    r.members_checked += members;
                    r.members_drifted += members_drifted;
                    if fields.is_empty() {
                        r.matching += 1;
                        continue;
                    }
                    r.drifted += 1;
                    r.drifts.push(OrgDrift {
                        organization: org,
                        clerk_id,
                        missing: false,
                        fields: fields.iter().map(|f| f.field.as_str()).collect(),
                        values: verbose.then_some(fields.as_slice()),
                    });
                }
            }
        }
        r
    }

    /// Everything the runs sent is in Clerk as the file says.
    pub fn clean(&self) -> bool {
        self.drifted == 0 && self.missing == 0
    }
}

impl Report for OrgsVerifyReport<'_> {
    fn text(&self) -> String {
        let mut lines = vec![format!(
            "Organizations in {} against {}: {} match, {} differ, {} gone, {} not migrated; members: {} checked, {} differ or are gone.",
            self.instance,
            self.file,
            self.matching,
            self.drifted,
            self.missing,
            self.not_migrated,
            self.members_checked,
            self.members_drifted
        )];
        for d in self.drifts.iter().take(SHOWN) {
            if d.missing {
                lines.push(format!("  {} ({}): gone", d.organization, d.clerk_id));
                continue;
            }
            lines.push(format!(
                "  {} ({}): {}",
                d.organization,
                d.clerk_id,
                d.fields.join(", ")
            ));
            for f in d.values.unwrap_or_default() {
                lines.push(format!(
                    "      {}: expected {}, Clerk has {}",
                    f.field, f.expected, f.actual
                ));
            }
        }
        if self.drifts.len() > SHOWN {
            lines.push(format!(
                "  … and {} more (the log has them all)",
                self.drifts.len() - SHOWN
            ));
        }
        lines.push(format!("Log: {}", self.log_file));
        lines.join("\n")
    }

    fn outcome(&self) -> Option<String> {
        Some(format!(
            "verify --orgs: {} match, {} differ, {} gone",
            self.matching, self.drifted, self.missing
        ))
    }
}

/// `migrate export SOURCE --orgs`: what was written.
#[derive(Debug, Serialize)]
pub struct OrgsExportReport<'a> {
    pub mode: &'static str,
    pub output: String,
    #[serde(flatten)]
    pub summary: &'a OrgsExport,
}

impl<'a> OrgsExportReport<'a> {
    pub fn new(summary: &'a OrgsExport, output: &std::path::Path) -> Self {
        Self {
            mode: "export-orgs",
            output: output.display().to_string(),
            summary,
        }
    }
}

impl Report for OrgsExportReport<'_> {
    fn text(&self) -> String {
        let s = self.summary;
        let invitations: Vec<String> = s
            .invitations
            .iter()
            .map(|(status, n)| format!("{n} {status}"))
            .collect();
        let mut lines = vec![format!(
            "Wrote {} organizations with {} members to {} (invitations: {}; {} teams, {} team memberships kept on the members).",
            s.organizations,
            s.members,
            self.output,
            if invitations.is_empty() {
                "none".to_owned()
            } else {
                invitations.join(", ")
            },
            s.teams,
            s.team_memberships
        )];
        if s.several_roles > 0 {
            lines.push(format!(
                "{} members had several roles: the strongest (owner, then admin) is kept, as Clerk gives one role a member.",
                s.several_roles
            ));
        }
        if s.logos > 0 {
            lines.push(format!(
                "{} logos are kept as public_metadata.logo (Clerk's own logo needs an upload).",
                s.logos
            ));
        }
        if s.orphans > 0 {
            lines.push(format!(
                "{} rows named an organization, team or user that is not there: left out.",
                s.orphans
            ));
        }
        lines.push(format!(
            "Next: migrate orgs --dry-run -f {}",
            crate::ui::safe::shell_word(&self.output)
        ));
        lines.join("\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::orgs::check::Problem;
    use crate::source::Position;

    #[test]
    fn the_json_contract() {
        let plan = OrgPlan {
            organizations: 3,
            ready: 1,
            members: 2,
            invitations: [("pending".to_owned(), 1)].into(),
            roles: [("owner".to_owned(), (1, "org:admin".to_owned()))].into(),
            custom_roles: [("billing".to_owned(), "org:billing".to_owned())].into(),
            slugs: [("o1".to_owned(), "acme".to_owned())].into(),
            problems: vec![Problem {
                org: "o2".into(),
                what: "slug \"acme\" is also \"o1\"'s".into(),
            }],
        };
        let unreadable = [Unreadable {
            position: Position { row: 3, line: 9 },
            reason: "unknown field `colour`".into(),
        }];
        let report = OrgsDryRunReport::new(&plan, &unreadable, "orgs.json".into(), false);
        insta::assert_json_snapshot!("orgs_dry_run", report);
        insta::assert_snapshot!("orgs_dry_run_text", report.text());
    }
}
