//! Duplicates within one file: two records with the same source ID, email
//! (case-insensitive), phone (E.164) or username (case-insensitive). The first record
//! wins; a later one is invalid and never sent, so no 422 is spent on it.
//!
//! Identifiers are kept as 64-bit fingerprints, not strings. Eight bits of one choose one
//! of 256 open-addressing shards, which grow one at a time so no growth doubles the peak;
//! the slot holds 40 more bits and the row (24 bits), 8 bytes in all, so a million users
//! with four identifiers each fit in about 45 MiB. A slot's place in its shard comes from
//! its 40 bits scrambled, so neighbours in a probe share no bits by construction. Two
//! identifiers are mistaken for one only when all 48 bits agree: about once in 10^4 files
//! of a million users.

use std::hash::{DefaultHasher, Hasher};

use crate::user::validate::FollowUp;
use crate::user::{Prepared, Problem};

/// The identifier kinds Clerk requires unique.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UniqueKind {
    ExternalId,
    Email,
    Phone,
    Username,
}

impl UniqueKind {
    /// The Clerk field a duplicate is reported on.
    pub fn field(self) -> &'static str {
        match self {
            Self::ExternalId => "external_id",
            Self::Email => "email_address",
            Self::Phone => "phone_number",
            Self::Username => "username",
        }
    }

    fn tag(self) -> u8 {
        self as u8
    }
}

/// One identifier's fingerprint, with its kind.
pub type Mark = (UniqueKind, u64);

/// The fingerprints of a user's identifiers. `scratch` holds the lower-cased text.
pub fn marks(prepared: &Prepared, out: &mut Vec<Mark>, scratch: &mut String) {
    out.clear();
    out.push((
        UniqueKind::ExternalId,
        fingerprint(UniqueKind::ExternalId, &prepared.external_id),
    ));
    let r = &prepared.request;
    let emails =
        r.email_address
            .iter()
            .map(String::as_str)
            .chain(prepared.follow_ups.iter().filter_map(|f| match f {
                FollowUp::UnverifiedEmail(e) => Some(e.as_str()),
                FollowUp::UnverifiedPhone(_) => None,
            }));
    for email in emails {
        out.push((
            UniqueKind::Email,
            fingerprint(UniqueKind::Email, lower(email, scratch)),
        ));
    }
    let phones =
        r.phone_number
            .iter()
            .map(String::as_str)
            .chain(prepared.follow_ups.iter().filter_map(|f| match f {
                FollowUp::UnverifiedPhone(p) => Some(p.as_str()),
                FollowUp::UnverifiedEmail(_) => None,
            }));
    for phone in phones {
        out.push((UniqueKind::Phone, fingerprint(UniqueKind::Phone, phone)));
    }
    if let Some(username) = &r.username {
        out.push((
            UniqueKind::Username,
            fingerprint(UniqueKind::Username, lower(username, scratch)),
        ));
    }
}

fn lower<'a>(text: &'a str, scratch: &'a mut String) -> &'a str {
    if !text.bytes().any(|b| b.is_ascii_uppercase() || b >= 0x80) {
        return text;
    }
    scratch.clear();
    if text.is_ascii() {
        scratch.extend(text.chars().map(|c| c.to_ascii_lowercase()));
    } else {
        scratch.push_str(&text.to_lowercase());
    }
    scratch
}

fn fingerprint(kind: UniqueKind, text: &str) -> u64 {
    let mut h = DefaultHasher::new();
    h.write_u8(kind.tag());
    h.write(text.as_bytes());
    h.finish()
}

/// The problem a later record gets: which identifier, and the row that has it first.
pub fn problem(kind: UniqueKind, first_row: Option<u64>) -> Problem {
    let detail = match first_row {
        Some(row) => format!("same as row {row}"),
        None => format!("same as a row after {}", ROW_MASK - 1),
    };
    Problem::new(kind.field(), "duplicate_in_file").with_detail(detail)
}

const SHARDS: usize = 256;
const ROW_BITS: u32 = 24;
const ROW_MASK: u64 = (1 << ROW_BITS) - 1;
/// Fingerprint bits kept in a slot, beside the 8 that chose its shard.
const TAG_BITS: u32 = 40;

/// Identifiers seen so far, with the first row of each.
pub struct Seen {
    shards: Vec<Shard>,
}

#[derive(Default)]
struct Shard {
    /// `tag << 24 | row`, 0 when empty (a tag is never 0).
    slots: Vec<u64>,
    len: usize,
}

impl Default for Seen {
    fn default() -> Self {
        Self {
            shards: (0..SHARDS).map(|_| Shard::default()).collect(),
        }
    }
}

impl Seen {
    /// The first identifier of `marks` already seen, with the row that has it (`None` past
    /// row 16,777,214). Otherwise records them all for `row` and returns `None`: a record
    /// that loses keeps nothing, so it cannot make a later one lose.
    pub fn check(&mut self, marks: &[Mark], row: u64) -> Option<(UniqueKind, Option<u64>)> {
        for &(kind, fp) in marks {
            if let Some(first) = self.shards[shard_of(fp)].find(tag_of(fp)) {
                return Some((kind, (first < ROW_MASK).then_some(first)));
            }
        }
        for (i, &(_, fp)) in marks.iter().enumerate() {
            // A record may carry one identifier twice (an email listed as verified and not).
            if marks[..i].iter().all(|&(_, other)| other != fp) {
                self.shards[shard_of(fp)].insert(tag_of(fp), row.min(ROW_MASK));
            }
        }
        None
    }

    /// Bytes held, for the memory benchmark's report.
    pub fn bytes(&self) -> usize {
        self.shards.iter().map(|s| s.slots.len() * 8).sum()
    }
}

fn shard_of(fp: u64) -> usize {
    (fp >> 56) as usize
}

/// The 40 bits below the shard's; never 0, which marks an empty slot.
fn tag_of(fp: u64) -> u64 {
    ((fp >> (56 - TAG_BITS)) & ((1 << TAG_BITS) - 1)).max(1)
}

impl Shard {
    /// Where a tag's probe starts: its bits scrambled (Fibonacci hashing), so tags that
    /// probe past each other have unrelated bits.
    fn home(tag: u64, cap: usize) -> usize {
        let mixed = tag.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32;
        ((mixed * cap as u64) >> 32) as usize
    }

    fn find(&self, tag: u64) -> Option<u64> {
        let cap = self.slots.len();
        if cap == 0 {
            return None;
        }
        let mut i = Self::home(tag, cap);
        loop {
            let s = self.slots[i];
            if s == 0 {
                return None;
            }
            if s >> ROW_BITS == tag {
                return Some(s & ROW_MASK);
            }
            i = if i + 1 == cap { 0 } else { i + 1 };
        }
    }

    /// Adds a tag `find` did not find.
    fn insert(&mut self, tag: u64, row: u64) {
        // At most 85 % full; growing by a quarter keeps the average near 77 %.
        if (self.len + 1) * 100 > self.slots.len() * 85 {
            let cap = (self.slots.len() + self.slots.len() / 4).max(64);
            let old = std::mem::replace(&mut self.slots, vec![0; cap]);
            self.len = 0;
            for s in old.into_iter().filter(|&s| s != 0) {
                self.place(s);
            }
        }
        self.place(tag << ROW_BITS | row);
    }

    fn place(&mut self, slot: u64) {
        let cap = self.slots.len();
        let mut i = Self::home(slot >> ROW_BITS, cap);
        while self.slots[i] != 0 {
            i = if i + 1 == cap { 0 } else { i + 1 };
        }
        self.slots[i] = slot;
        self.len += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: &str, email: &str, username: Option<&str>) -> Prepared {
        let mut p = Prepared {
            external_id: id.to_owned(),
            request: Default::default(),
            follow_ups: Vec::new(),
            dropped: Vec::new(),
        };
        p.request.email_address = vec![email.to_owned()];
        p.request.username = username.map(str::to_owned);
        p
    }

    fn check(seen: &mut Seen, p: &Prepared, row: u64) -> Option<(UniqueKind, Option<u64>)> {
        let (mut out, mut scratch) = (Vec::new(), String::new());
        marks(p, &mut out, &mut scratch);
        seen.check(&out, row)
    }

    #[test]
    fn the_first_record_wins_and_later_ones_name_it() {
        let mut seen = Seen::default();
        assert_eq!(
            check(&mut seen, &user("a", "Ada@Example.com", Some("ada")), 1),
            None
        );
        assert_eq!(
            check(&mut seen, &user("b", "ada@example.COM", None), 2),
            Some((UniqueKind::Email, Some(1)))
        );
        assert_eq!(
            check(&mut seen, &user("a", "other@example.com", None), 3),
            Some((UniqueKind::ExternalId, Some(1)))
        );
        assert_eq!(
            check(&mut seen, &user("c", "c@example.com", Some("ADA")), 4),
            Some((UniqueKind::Username, Some(1)))
        );
        // Row 2 lost, so its identifiers were never taken.
        assert_eq!(check(&mut seen, &user("b", "b@example.com", None), 5), None);
        assert_eq!(
            problem(UniqueKind::Email, Some(12)).message(),
            "email_address: duplicate_in_file (same as row 12)"
        );
    }

    #[test]
    fn a_record_may_repeat_its_own_identifier() {
        let mut seen = Seen::default();
        let mut p = user("a", "a@example.com", None);
        p.follow_ups
            .push(FollowUp::UnverifiedEmail("A@example.com".into()));
        assert_eq!(check(&mut seen, &p, 1), None);
    }

    #[test]
    fn many_distinct_identifiers_never_clash_and_all_are_found_again() {
        let mut seen = Seen::default();
        for i in 0..200_000u64 {
            let fp = fingerprint(UniqueKind::Email, &format!("user{i}@example.com"));
            assert_eq!(
                seen.check(&[(UniqueKind::Email, fp)], i + 1),
                None,
                "row {i}"
            );
        }
        for i in (0..200_000u64).step_by(997) {
            let fp = fingerprint(UniqueKind::Email, &format!("user{i}@example.com"));
            assert_eq!(
                seen.check(&[(UniqueKind::Email, fp)], 1_000_000),
                Some((UniqueKind::Email, Some(i + 1)))
            );
        }
        // Eight bytes a slot, at least 68 % full on average.
        assert!(seen.bytes() < 200_000 * 8 * 100 / 60, "{}", seen.bytes());
    }
}
