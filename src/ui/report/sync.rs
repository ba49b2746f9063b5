//! `migrate sync --dry-run`'s report: what a newer export changes, from the logs.

use serde::Serialize;

use crate::sync::plan::SyncPlan;

use super::Report;

#[derive(Debug, Serialize)]
pub struct SyncPlanReport<'a> {
    pub mode: &'static str,
    pub file: String,
    pub instance: String,
    #[serde(flatten)]
    pub plan: &'a SyncPlan,
}

impl<'a> SyncPlanReport<'a> {
    pub fn new(plan: &'a SyncPlan, file: String, instance: String) -> Self {
        Self {
            mode: "sync-dry-run",
            file,
            instance,
            plan,
        }
    }
}

impl Report for SyncPlanReport<'_> {
    fn text(&self) -> String {
        let p = self.plan;
        let mut lines = vec![format!(
            "{} against what this tool last sent to {}: {} records, {} new, {} changed, {} unchanged, {} sent before fingerprints (compared with Clerk alone), {} gone from the file, {} invalid.",
            self.file,
            self.instance,
            p.records,
            p.new,
            p.changed,
            p.unchanged,
            p.without_base,
            p.gone,
            p.invalid
        )];
        if !p.changed_groups.is_empty() {
            let groups: Vec<String> = p
                .changed_groups
                .iter()
                .map(|(g, n)| format!("{g} {n}"))
                .collect();
            lines.push(format!("Changed fields: {}.", groups.join(", ")));
        }
        lines.push(
            "Nothing was sent: sync's updates are not built yet (a full export's gone users are only reported)."
                .to_owned(),
        );
        lines.join("\n")
    }

    fn outcome(&self) -> Option<String> {
        let p = self.plan;
        Some(format!(
            "sync dry run: {} new, {} changed, {} unchanged, {} gone",
            p.new, p.changed, p.unchanged, p.gone
        ))
    }
}
