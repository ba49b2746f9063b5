//! Auth0's password hashes, which come only from a support export: a separate file of
//! records like `{"_id":{"$oid":"…"},"email":"…","passwordHash":"$2b$10$…",…}`, one per
//! database-connection user. The Auth0 transformer looks each user up here, first by
//! `user_id` (`auth0|<oid>`), then by email, case-insensitively.
//!
//! Memory stays small for millions of users: the hashes sit in one string, and the keys
//! are kept only as sorted 64-bit fingerprints pointing at them.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::Value;

use crate::source::{self, Format, ReadOptions, SourceError, SourceErrorKind};

/// The hashes of one support export, indexed by user and email.
pub struct Auth0Passwords {
    path: PathBuf,
    hashes: String,
    /// End of each record's hash in `hashes`; record `i` is row `i + 1` of the file.
    ends: Vec<u32>,
    rows: Vec<u32>,
    by_oid: Index,
    by_email: Index,
    /// Records some user took a hash from (set during the passes over the user export).
    used: Bits,
    /// Rows of the user export: database-connection users that found no hash.
    missing: Bits,
    /// Records without a `passwordHash`, by row (first few) and count.
    pub without_hash: u64,
}

impl std::fmt::Debug for Auth0Passwords {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Auth0Passwords")
            .field("path", &self.path)
            .field("hashes", &self.ends.len())
            .finish_non_exhaustive()
    }
}

/// A growable bitset that many threads may set.
#[derive(Default)]
struct Bits(std::sync::RwLock<Vec<AtomicU64>>);

impl Bits {
    fn with_len(n: usize) -> Self {
        Self(std::sync::RwLock::new(
            (0..n.div_ceil(64)).map(|_| AtomicU64::new(0)).collect(),
        ))
    }

    fn set(&self, i: usize) {
        let (word, bit) = (i / 64, 1u64 << (i % 64));
        if let Ok(words) = self.0.read()
            && let Some(w) = words.get(word)
        {
            w.fetch_or(bit, Ordering::Relaxed);
            return;
        }
        if let Ok(mut words) = self.0.write() {
            while words.len() <= word {
                words.push(AtomicU64::new(0));
            }
            words[word].fetch_or(bit, Ordering::Relaxed);
        }
    }

    fn get(&self, i: usize) -> bool {
        self.0.read().is_ok_and(|words| {
            words
                .get(i / 64)
                .is_some_and(|w| w.load(Ordering::Relaxed) & (1 << (i % 64)) != 0)
        })
    }

    /// The count of set bits, and the first `n` of them.
    fn summary(&self, n: usize) -> (u64, Vec<u64>) {
        let Ok(words) = self.0.read() else {
            return (0, Vec::new());
        };
        let mut count = 0;
        let mut first = Vec::new();
        for (i, w) in words.iter().enumerate() {
            let mut bits = w.load(Ordering::Relaxed);
            count += u64::from(bits.count_ones());
            while bits != 0 && first.len() < n {
                first.push((i * 64) as u64 + u64::from(bits.trailing_zeros()));
                bits &= bits - 1;
            }
        }
        (count, first)
    }
}

fn fingerprint(s: &str) -> u64 {
    let mut h = DefaultHasher::new();
    s.hash(&mut h);
    h.finish()
}

/// Sorted key fingerprints and the record each points at, in two arrays: 12 bytes a key
/// instead of a padded 16.
#[derive(Default)]
struct Index {
    keys: Vec<u64>,
    records: Vec<u32>,
}

impl Index {
    fn push(&mut self, key: &str, record: u32) {
        self.keys.push(fingerprint(key));
        self.records.push(record);
    }

    /// Sorts by key in place (only a permutation is allocated); of equal keys the first
    /// record in the file is kept.
    fn finish(&mut self) {
        let n = self.keys.len();
        let mut order: Vec<u32> = (0..n).filter_map(|i| u32::try_from(i).ok()).collect();
        order.sort_unstable_by_key(|&i| (self.keys[i as usize], i));
        // Gather along the permutation's cycles: slot j takes what was at order[j].
        for start in 0..order.len() {
            if order[start] == u32::MAX {
                continue;
            }
            let (key, record) = (self.keys[start], self.records[start]);
            let mut j = start;
            loop {
                let from = order[j] as usize;
                order[j] = u32::MAX;
                if from == start {
                    self.keys[j] = key;
                    self.records[j] = record;
                    break;
                }
                self.keys[j] = self.keys[from];
                self.records[j] = self.records[from];
                j = from;
            }
        }
        let mut kept = 0;
        for i in 0..n {
            if kept == 0 || self.keys[kept - 1] != self.keys[i] {
                self.keys[kept] = self.keys[i];
                self.records[kept] = self.records[i];
                kept += 1;
            }
        }
        self.keys.truncate(kept);
        self.records.truncate(kept);
    }

    fn find(&self, key: &str) -> Option<u32> {
        let i = self.keys.binary_search(&fingerprint(key)).ok()?;
        self.records.get(i).copied()
    }
}

/// What merging found, for the report (and, as it is, the report's JSON).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct MergeReport {
    pub file: PathBuf,
    pub records: u64,
    pub merged: u64,
    /// Hash records that match no user of the export, and the first few of their rows.
    pub unmatched: u64,
    pub unmatched_rows: Vec<u64>,
    /// Database-connection users that got no hash, and the first few of their rows.
    pub users_without_hash: u64,
    pub user_rows_without_hash: Vec<u64>,
    /// Records of the support export without a `passwordHash`.
    pub records_without_hash: u64,
}

const EXAMPLES: usize = 5;

impl Auth0Passwords {
    /// Reads a support export: a JSON array or NDJSON, whatever its extension says.
    pub fn load(path: &Path) -> Result<Self, SourceError> {
        let err = |kind| SourceError {
            path: path.to_owned(),
            kind,
        };
        let format = {
            let file = std::fs::File::open(path).map_err(|e| err(SourceErrorKind::Io(e)))?;
            let mut reader = BufReader::new(file);
            let head = reader.fill_buf().map_err(|e| err(SourceErrorKind::Io(e)))?;
            match head.iter().find(|b| !b.is_ascii_whitespace()) {
                Some(b'{') => Format::Ndjson,
                _ => Format::Json,
            }
        };
        let reader = source::open(
            path,
            &ReadOptions {
                format: Some(format),
                firebase_csv: false,
            },
        )?;
        let mut me = Self {
            path: path.to_owned(),
            hashes: String::new(),
            ends: Vec::new(),
            rows: Vec::new(),
            by_oid: Index::default(),
            by_email: Index::default(),
            used: Bits::default(),
            missing: Bits::default(),
            without_hash: 0,
        };
        for record in reader {
            let record = record?;
            let fields = &record.fields;
            let Some(hash) = fields.get("passwordHash").and_then(Value::as_str) else {
                me.without_hash += 1;
                continue;
            };
            let at = u32::try_from(me.ends.len()).map_err(|_| {
                err(SourceErrorKind::TooLarge {
                    line: record.position.line,
                })
            })?;
            me.hashes.push_str(hash.trim());
            let end = u32::try_from(me.hashes.len()).map_err(|_| {
                err(SourceErrorKind::TooLarge {
                    line: record.position.line,
                })
            })?;
            me.ends.push(end);
            me.rows
                .push(u32::try_from(record.position.row).unwrap_or(u32::MAX));
            let oid = match fields.get("_id") {
                Some(Value::Object(o)) => o.get("$oid").and_then(Value::as_str),
                Some(Value::String(s)) => Some(s.as_str()),
                _ => None,
            };
            if let Some(oid) = oid {
                me.by_oid.push(oid.trim(), at);
            }
            if let Some(email) = fields.get("email").and_then(Value::as_str) {
                me.by_email.push(&email.trim().to_lowercase(), at);
            }
        }
        me.by_oid.finish();
        me.by_email.finish();
        me.used = Bits::with_len(me.ends.len());
        Ok(me)
    }

    fn hash(&self, i: u32) -> Option<&str> {
        let i = i as usize;
        let start = if i == 0 {
            0
        } else {
            *self.ends.get(i - 1)? as usize
        };
        self.hashes.get(start..*self.ends.get(i)? as usize)
    }

    /// The hash for a user, by `auth0|<oid>` first and email second; marks it used.
    pub fn find(&self, user_id: Option<&str>, email: Option<&str>) -> Option<&str> {
        let by_id = user_id
            .and_then(|id| id.strip_prefix("auth0|"))
            .and_then(|oid| self.by_oid.find(oid));
        let i =
            by_id.or_else(|| email.and_then(|e| self.by_email.find(&e.trim().to_lowercase())))?;
        self.used.set(i as usize);
        self.hash(i)
    }

    /// Records that a database-connection user at `row` of the user export has no hash.
    pub fn note_missing(&self, row: u64) {
        self.missing.set(usize::try_from(row).unwrap_or(usize::MAX));
    }

    /// What the passes over the user export found. Call after a full pass.
    pub fn report(&self) -> MergeReport {
        let (merged, _) = self.used.summary(0);
        let records = self.ends.len();
        let mut unmatched_rows = Vec::new();
        let mut unmatched = 0;
        for i in 0..records {
            if !self.used.get(i) {
                unmatched += 1;
                if unmatched_rows.len() < EXAMPLES {
                    unmatched_rows.push(u64::from(self.rows[i]));
                }
            }
        }
        let (users_without_hash, user_rows_without_hash) = self.missing.summary(EXAMPLES);
        MergeReport {
            file: self.path.clone(),
            records: records as u64 + self.without_hash,
            merged,
            unmatched,
            unmatched_rows,
            users_without_hash,
            user_rows_without_hash,
            records_without_hash: self.without_hash,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Auth0Passwords {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("passwords.json");
        std::fs::write(&path, text).expect("write");
        Auth0Passwords::load(&path).expect("loads")
    }

    #[test]
    fn users_find_their_hash_by_id_then_email_and_the_rest_is_reported() {
        let p = load(concat!(
            r#"{"_id":{"$oid":"aaa"},"email":"a@x.io","passwordHash":"$2b$10$A"}"#,
            "\n",
            r#"{"_id":{"$oid":"bbb"},"email":"B@X.io","passwordHash":"$2b$10$B"}"#,
            "\n",
            r#"{"_id":{"$oid":"ccc"},"email":"c@x.io","passwordHash":"$2b$10$C"}"#,
            "\n",
            r#"{"_id":{"$oid":"ddd"},"email":"d@x.io"}"#,
            "\n",
        ));
        assert_eq!(
            p.find(Some("auth0|aaa"), Some("zzz@x.io")),
            Some("$2b$10$A")
        );
        assert_eq!(
            p.find(Some("auth0|other"), Some("b@x.IO")),
            Some("$2b$10$B")
        );
        assert_eq!(p.find(Some("google-oauth2|1"), None), None);
        p.note_missing(7);
        let r = p.report();
        assert_eq!((r.records, r.merged, r.unmatched), (4, 2, 1));
        assert_eq!(r.unmatched_rows, vec![3]);
        assert_eq!(
            (r.users_without_hash, r.user_rows_without_hash),
            (1, vec![7])
        );
        assert_eq!(r.records_without_hash, 1);
    }

    #[test]
    fn the_index_sorts_in_place_and_keeps_the_first_of_equal_keys() {
        let mut index = Index::default();
        let keys = ["d", "b", "a", "b", "c", "a", "e"];
        for (i, k) in keys.iter().enumerate() {
            index.push(k, i as u32);
        }
        index.finish();
        assert_eq!(index.keys.len(), 5);
        assert!(index.keys.windows(2).all(|w| w[0] < w[1]));
        for (k, first) in [("a", 2), ("b", 1), ("c", 4), ("d", 0), ("e", 6)] {
            assert_eq!(index.find(k), Some(first), "{k}");
        }
        assert_eq!(index.find("z"), None);
    }

    #[test]
    fn a_json_array_works_too() {
        let p = load(r#"[{"_id":"aaa","email":"a@x.io","passwordHash":"$2b$10$A"}]"#);
        assert_eq!(p.find(Some("auth0|aaa"), None), Some("$2b$10$A"));
    }
}
