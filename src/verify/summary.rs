//! What a verify run found, for the report.

use std::path::PathBuf;

/// What a verify run found.
#[derive(Debug, Default)]
pub struct VerifySummary {
    pub checked: u64,
    pub matching: u64,
    pub drifted: u64,
    pub missing: u64,
    /// Users of the logs the source file no longer has (or that are now invalid in it).
    pub not_in_source: u64,
    /// Field → users that differ there, with the first few source IDs.
    pub fields: Vec<(&'static str, u64, Vec<String>)>,
    /// The first few differing values, for `--verbose`.
    pub examples: Vec<(String, super::FieldDiff)>,
    pub password_checked: u64,
    pub password_ok: u64,
    /// `(source ID, why)` of each known password that did not sign in.
    pub password_failed: Vec<(String, &'static str)>,
    pub log_file: PathBuf,
}

const EXAMPLES: usize = 5;

impl VerifySummary {
    pub fn new(log_file: PathBuf) -> Self {
        Self {
            fields: super::FIELDS.iter().map(|f| (*f, 0, Vec::new())).collect(),
            log_file,
            ..Self::default()
        }
    }

    /// Nothing differs, nothing is missing and every checked password signs in.
    pub fn clean(&self) -> bool {
        self.drifted == 0 && self.missing == 0 && self.password_failed.is_empty()
    }

    /// Counts a drifted user's fields.
    pub fn note_drift(&mut self, id: &str, diffs: &[super::FieldDiff]) {
        for d in diffs {
            let i = super::FIELDS
                .iter()
                .position(|f| *f == d.field)
                .unwrap_or(0);
            let slot = &mut self.fields[i];
            slot.1 += 1;
            if slot.2.len() < EXAMPLES {
                slot.2.push(id.to_owned());
            }
            if self.examples.len() < 20 {
                self.examples.push((id.to_owned(), d.clone()));
            }
        }
    }
}
