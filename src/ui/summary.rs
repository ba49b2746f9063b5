//! Human and JSON renderings of summaries.

use std::fmt::Write;
use std::path::Path;

use crate::prepare::PlanSummary;
use crate::transform::auth0_passwords::MergeReport;

/// How many problem groups to list before "and N more".
const GROUPS: usize = 12;

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn rows(rows: &[u64], count: u64) -> String {
    let list: Vec<String> = rows.iter().map(u64::to_string).collect();
    let more = if count > rows.len() as u64 {
        ", …"
    } else {
        ""
    };
    format!("row {}{more}", list.join(", "))
}

/// The dry-run report for people; `verbose` lists invalid records with their values.
/// The live preflight's part of a dry run's report.
pub fn live_text(live: &crate::preflight::Report) -> String {
    let mut out = String::new();
    let headroom = live
        .cap_headroom()
        .map(|h| format!(", room for {h} more under the development cap of 100"))
        .unwrap_or_default();
    out.push_str(&format!(
        "\nInstance {} ({}): {} users{headroom}.\n",
        live.instance_id, live.environment, live.user_count
    ));
    out.push_str(&format!(
        "  {:>6}  would be created\n  {:>6}  already there (same external_id; recorded as already_exists)\n  {:>6}  clash with another user's identifier (the create would fail)\n  {:>6}  refused by the instance's settings\n",
        live.would_create, live.existing, live.conflicts, live.would_refuse
    ));
    for (field, n) in live
        .existing_by
        .iter()
        .filter(|(f, _)| **f != "external_id")
    {
        out.push_str(&format!("          {n} by {field}\n"));
    }
    for (reason, n) in &live.refuse_by_reason {
        out.push_str(&format!(
            "          {n}: {reason} ({})\n",
            crate::preflight::dashboard_hint(reason)
        ));
    }
    match &live.settings {
        Ok(_) if live.dropped.is_empty() => {}
        Ok(_) => {
            out.push_str("Accepted but dropped by the instance's settings:\n");
            for (what, n) in &live.dropped {
                out.push_str(&format!("  {n:>6}  {what}\n"));
            }
        }
        Err(e) => out.push_str(&format!(
            "Sign-up settings not read ({e}): nothing above accounts for them.\n"
        )),
    }
    if let Some(h) = live.cap_headroom()
        && live.would_create > h
    {
        out.push_str(&format!(
            "The development instance has room for {h} more users: {} would not fit.\n",
            live.would_create - h
        ));
    }
    out.push_str(&format!("{} read-only calls.", live.api_calls));
    out
}

pub fn plan_text(
    plan: &PlanSummary,
    transformer: &str,
    file: &Path,
    log: Option<&Path>,
    verbose: bool,
) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Dry run of {} ({transformer}): nothing was sent.",
        file.display()
    );
    plan_body(&mut out, plan, verbose);
    password_caveats(&mut out, plan, transformer);
    if let Some(log) = log {
        let _ = writeln!(out, "\nMigration log: {}", log.display());
    }
    out
}

/// The readiness report shown before an import asks for confirmation.
pub fn readiness_text(plan: &PlanSummary, transformer: &str, file: &Path, verbose: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Checked {} ({transformer}):", file.display());
    plan_body(&mut out, plan, verbose);
    password_caveats(&mut out, plan, transformer);
    out
}

/// Invalid records grouped by reason (rows only), then with `verbose` each record with
/// its values.
fn invalid_section(out: &mut String, plan: &PlanSummary, verbose: bool) {
    if plan.invalid_by_reason.is_empty() {
        return;
    }
    let _ = writeln!(out, "\nInvalid records by reason:");
    let mut groups: Vec<_> = plan.invalid_by_reason.iter().collect();
    groups.sort_by(|a, b| b.1.count.cmp(&a.1.count).then(a.0.cmp(b.0)));
    for (reason, g) in groups.iter().take(GROUPS) {
        let _ = writeln!(
            out,
            "  {:>6}  {reason}  ({})",
            g.count,
            rows(&g.rows, g.count)
        );
    }
    if groups.len() > GROUPS {
        let _ = writeln!(
            out,
            "  … and {} more reasons (see the log)",
            groups.len() - GROUPS
        );
    }
    if verbose {
        invalid_records(out, plan);
    }
}

/// Records the source marks as no user to migrate, by reason.
fn skipped_section(out: &mut String, plan: &PlanSummary) {
    if plan.skipped_by_reason.is_empty() {
        return;
    }
    let _ = writeln!(out, "\nSkipped on purpose (never sent):");
    for (reason, g) in &plan.skipped_by_reason {
        let why = match reason.as_str() {
            "deleted" => "deleted (soft-deleted in the source)",
            "anonymous" => "anonymous (signed in without an identifier)",
            other => other,
        };
        let _ = writeln!(out, "  {:>6}  {why}  ({})", g.count, rows(&g.rows, g.count));
    }
}

/// What ready users lose because Clerk refuses it; they import all the same.
fn dropped_section(out: &mut String, plan: &PlanSummary) {
    if plan.dropped.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\nLeft out because Clerk refuses them (the users still import):"
    );
    for (reason, g) in &plan.dropped {
        let _ = writeln!(
            out,
            "  {:>6}  {reason}  ({})",
            g.count,
            rows(&g.rows, g.count)
        );
    }
}

/// What the tool cannot promise about the passwords it carries over.
fn password_caveats(out: &mut String, plan: &PlanSummary, transformer: &str) {
    let at_risk = nfkc_at_risk(plan, transformer);
    if at_risk > 0 {
        let _ = writeln!(
            out,
            "\nNote: {} Better Auth's scrypt over the NFKC-normalised password; Clerk checks \
             the password as typed. A password that NFKC changes (full-width letters, ligatures, \
             decomposed accents) will not sign in and needs a reset.",
            plural(
                at_risk,
                "user's password was hashed with",
                "users' passwords were hashed with"
            )
        );
    }
}

/// Better Auth scrypt users: the population whose passwords NFKC may have changed.
pub fn nfkc_at_risk(plan: &PlanSummary, transformer: &str) -> u64 {
    if transformer == "betterauth" {
        plan.hashers.get("scrypt_werkzeug").copied().unwrap_or(0)
    } else {
        0
    }
}

/// Each kept invalid record with its problems and the offending values.
fn invalid_records(out: &mut String, plan: &PlanSummary) {
    let _ = writeln!(
        out,
        "\nInvalid records{}:",
        if plan.invalid > plan.invalid_records.len() as u64 {
            format!(
                " (the first {} of {})",
                plan.invalid_records.len(),
                plan.invalid
            )
        } else {
            String::new()
        }
    );
    for r in &plan.invalid_records {
        for p in &r.problems {
            let value = p
                .detail
                .as_deref()
                .map(|d| format!(" (got {d})"))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "  row {} {}: {}: {}{value}",
                r.row, r.user_id, p.field, p.reason
            );
        }
    }
}

fn plan_body(out: &mut String, plan: &PlanSummary, verbose: bool) {
    let _ = writeln!(
        out,
        "  {} found: {} ready, {} invalid{}",
        plural(plan.total, "user", "users"),
        plan.ready,
        plan.invalid,
        if plan.skipped > 0 {
            format!(", {} skipped", plan.skipped)
        } else {
            String::new()
        }
    );
    skipped_section(out, plan);
    dropped_section(out, plan);
    invalid_section(out, plan, verbose);
    if !plan.short_rows.is_empty() {
        let n = plan.short_rows.len() as u64;
        let _ = writeln!(
            out,
            "\n{} shorter than the header (missing cells read as empty): {}",
            plural(n, "row is", "rows are"),
            rows(&plan.short_rows[..plan.short_rows.len().min(5)], n)
        );
    }
    if !plan.hashers.is_empty() {
        let list: Vec<String> = plan
            .hashers
            .iter()
            .map(|(h, n)| format!("{h} {n}"))
            .collect();
        let _ = writeln!(out, "\nPassword hashers: {}", list.join(", "));
    }
    let coverage = plan.coverage();
    if !coverage.is_empty() {
        let _ = writeln!(out, "\nClerk fields set (users):");
        for (field, n) in &coverage {
            let _ = writeln!(out, "  {n:>6}  {field}");
        }
    }
    if !plan.ignored_fields.is_empty() {
        let list: Vec<String> = plan
            .ignored_fields
            .iter()
            .map(|(f, n)| format!("{f} ({n})"))
            .collect();
        let _ = writeln!(out, "\nSource fields not imported: {}", list.join(", "));
    }
}

/// The import summary for people; `plan` is the file's readiness report, whose invalid
/// records the run logged but never sent.
pub fn import_text(
    s: &crate::import::ImportSummary,
    target: &str,
    plan: &PlanSummary,
    transformer: &str,
    verbose: bool,
) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Import into {target} finished in {:.1}s.",
        s.elapsed_secs
    );
    let _ = writeln!(
        out,
        "  {} = {} created + {} already existing + {} failed + {} invalid + {} skipped{}",
        plural(s.total + s.not_started, "user", "users"),
        s.created,
        s.already_exists,
        s.failed,
        s.invalid,
        s.skipped,
        if s.not_started > 0 {
            format!(" + {} not started", s.not_started)
        } else {
            String::new()
        }
    );
    let _ = writeln!(
        out,
        "  {} API calls, {} retries, {} rate-limited{}",
        s.api_calls,
        s.retries,
        s.rate_limited,
        if s.warnings > 0 {
            format!(", {} warnings", s.warnings)
        } else {
            String::new()
        }
    );
    if !s.errors.is_empty() {
        let _ = writeln!(out, "\nErrors:");
        for (message, count) in s.errors.iter().take(GROUPS) {
            let _ = writeln!(out, "  {count:>6}  {message}");
        }
    }
    skipped_section(&mut out, plan);
    dropped_section(&mut out, plan);
    if s.invalid > 0 {
        invalid_section(&mut out, plan, verbose);
    }
    password_caveats(&mut out, plan, transformer);
    let _ = writeln!(out, "\nMigration log: {}", s.log_file.display());
    out
}

/// What merging Auth0's password export found, for people.
pub fn auth0_merge_text(r: &MergeReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Auth0 password export {}: {} of {} merged into users.",
        r.file.display(),
        plural(r.merged, "hash", "hashes"),
        r.records
    );
    if r.unmatched > 0 {
        let _ = writeln!(
            out,
            "  {} no user of the export ({}): users deleted since, or another tenant's.",
            plural(r.unmatched, "hash matches", "hashes match"),
            rows(&r.unmatched_rows, r.unmatched)
        );
    }
    if r.users_without_hash > 0 {
        let _ = writeln!(
            out,
            "  {} of a database connection got no hash ({}): they will need to reset their password.",
            plural(r.users_without_hash, "user", "users"),
            rows(&r.user_rows_without_hash, r.users_without_hash)
        );
    }
    if r.records_without_hash > 0 {
        let _ = writeln!(
            out,
            "  {} of the password export carry no passwordHash.",
            plural(r.records_without_hash, "record", "records")
        );
    }
    out
}

/// The verify report for people: per field, how many users differ and the first few
/// source IDs; values only when `verbose`.
pub fn verify_text(s: &crate::verify::VerifySummary, file: &Path, verbose: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Verified against {}:", file.display());
    let _ = writeln!(
        out,
        "  {} checked: {} matching, {} drifted, {} missing",
        plural(s.checked, "user", "users"),
        s.matching,
        s.drifted,
        s.missing
    );
    if s.not_in_source > 0 {
        let _ = writeln!(
            out,
            "  {} of the logs are no longer ready to import in the file and were not compared",
            plural(s.not_in_source, "user", "users")
        );
    }
    let drifted: Vec<_> = s.fields.iter().filter(|(_, n, _)| *n > 0).collect();
    if !drifted.is_empty() {
        let _ = writeln!(out, "\nFields that differ (users, first source IDs):");
        for (field, n, ids) in drifted {
            let more = if *n > ids.len() as u64 { ", …" } else { "" };
            let _ = writeln!(out, "  {n:>6}  {field}  ({}{more})", ids.join(", "));
        }
    }
    if verbose && !s.examples.is_empty() {
        let _ = writeln!(out, "\nDiffering values (first {}):", s.examples.len());
        for (id, d) in &s.examples {
            let _ = writeln!(
                out,
                "  {id} {}: expected {}, Clerk has {}",
                d.field, d.expected, d.actual
            );
        }
    }
    if s.password_checked > 0 {
        let _ = writeln!(
            out,
            "\nPasswords: {} checked, {} sign in, {} do not",
            s.password_checked,
            s.password_ok,
            s.password_failed.len()
        );
        for (id, why) in s.password_failed.iter().take(GROUPS) {
            let _ = writeln!(out, "  {id}: {why}");
        }
    }
    let _ = writeln!(out, "\nVerify log: {}", s.log_file.display());
    out
}

/// The export report for people: what was written and what the import will make of it.
pub fn export_text(s: &crate::export::ExportSummary, source: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Exported {} to {} (mode 0600).",
        plural(s.total, "user", "users"),
        s.file.display()
    );
    if let Some((before, after)) = s.instance_changed {
        let _ = writeln!(
            out,
            "\nThe instance changed while it was exported: {before} users before, {after} after ({:+}). Users created or deleted meanwhile may be missing from the file or in it though gone: export again when nothing writes to the instance.",
            after as i64 - before as i64
        );
    }
    if !s.skipped_by_reason.is_empty() || !s.unreadable.is_empty() {
        let _ = writeln!(out, "\nLeft out:");
        for (reason, n) in &s.skipped_by_reason {
            let _ = writeln!(out, "  {n:>6}  {reason}");
        }
        if !s.unreadable.is_empty() {
            let keys: Vec<&str> = s
                .unreadable
                .iter()
                .take(5)
                .map(|(k, _)| k.as_str())
                .collect();
            let _ = writeln!(
                out,
                "  {:>6}  unreadable rows ({}): {}",
                s.unreadable.len(),
                keys.join(", "),
                s.unreadable[0].1
            );
        }
    }
    let with_password: u64 = s.plan.hashers.values().sum();
    let _ = writeln!(
        out,
        "\nWith a password: {with_password}{}",
        if s.plan.hashers.is_empty() {
            String::new()
        } else {
            let list: Vec<String> = s
                .plan
                .hashers
                .iter()
                .map(|(h, n)| format!("{h} {n}"))
                .collect();
            format!(" ({})", list.join(", "))
        }
    );
    let coverage = s.plan.coverage();
    if !coverage.is_empty() {
        let _ = writeln!(out, "\nClerk fields the import will set (users):");
        for (field, n) in &coverage {
            let _ = writeln!(out, "  {n:>6}  {field}");
        }
    }
    if s.mfa_reenrol > 0 {
        let why = if source == "clerk" {
            "Clerk's API returns no TOTP secrets or backup codes"
        } else {
            "its secret is stored encrypted and was not carried over (pass the app's secret \
             with --betterauth-secret)"
        };
        let _ = writeln!(
            out,
            "\n{} two-factor on, but {why}: they must enrol again.",
            plural(s.mfa_reenrol, "user has", "users have")
        );
    }
    let file = super::safe::shell_word(&s.file.to_string_lossy()).into_owned();
    if s.plan.invalid > 0 {
        let _ = writeln!(
            out,
            "\n{} the import's checks will refuse; `migrate --dry-run -t {source} -f {file}` lists why.",
            plural(s.plan.invalid, "user", "users"),
        );
    }
    let _ = writeln!(out, "\nNext: migrate -t {source} -f {file}");
    out
}
