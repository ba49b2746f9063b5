//! Whether the chosen transformer fits the file, and which one does when none is chosen.
//! A file exported from another system would fail on every record, or worse, import
//! every record half-empty: one clear usage error, naming the transformer that fits best,
//! beats both. The judge is the file's first records: whether they carry the
//! transformer's ID, the marks only one platform writes (`transform::signature`), and how
//! many of their fields the transformer would use.

use std::path::Path;

use crate::source::{
    self, Fields, Mismatch, Position, ReadOptions, Record, SourceError, SourceErrorKind,
};
use crate::transform::{self, TransformContext, TransformerKind, signature};

/// How many leading records are looked at: one broken record must not condemn a file.
const SAMPLE: usize = 5;

/// The normalised ID name every transformer also accepts (see `transform::generic`).
const GENERIC_ID: &str = "userId";

/// Below this share of fields used, a transformer that another beats is refused.
const MOSTLY_UNUSED: f64 = 0.5;

/// The first records, or a CSV header's names when there are none.
struct Sample {
    place: String,
    records: Vec<Fields>,
}

impl Sample {
    fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for r in &self.records {
            for (name, _) in &r.0 {
                if !names.contains(name) {
                    names.push(name.clone());
                }
            }
        }
        names
    }
}

/// How well one transformer fits the sample.
#[derive(Debug, Clone, Copy)]
pub struct Fit {
    pub kind: TransformerKind,
    /// Some record carries its ID field.
    pub has_id: bool,
    /// Marks of its platform, over the records.
    pub marks: usize,
    /// Fields it would leave unused, and fields in all.
    pub unused: usize,
    pub total: usize,
}

impl Fit {
    fn coverage(&self) -> f64 {
        if self.total == 0 {
            1.0
        } else {
            1.0 - self.unused as f64 / self.total as f64
        }
    }

    /// Whether `self` fits clearly better than `other`: it has its ID, and either the
    /// file carries its platform's marks and none of `other`'s while it uses as many of
    /// the fields, or `other` would leave most fields unused and `self` uses far more.
    fn beats(&self, other: &Fit) -> bool {
        self.has_id
            && ((self.marks > 0 && other.marks == 0 && self.coverage() >= other.coverage())
                || (other.coverage() < MOSTLY_UNUSED && self.coverage() >= other.coverage() + 0.25))
    }
}

fn sample(path: &Path, read: &ReadOptions, header: Option<&[String]>) -> Option<Sample> {
    // Read errors are left to the real pass, which names them with their position.
    let reader = source::open(path, read).ok()?;
    // A record that is not even an object says nothing about which system wrote it.
    let records: Vec<Fields> = reader
        .take(SAMPLE)
        .map_while(Result::ok)
        .filter(|r| r.defect.is_none())
        .map(|r| r.fields)
        .collect();
    match (records.len(), header) {
        (0, Some(h)) => Some(Sample {
            place: "the CSV header".to_owned(),
            records: vec![
                h.iter()
                    .map(|n| (n.clone(), serde_json::Value::Null))
                    .collect(),
            ],
        }),
        (_, Some(_)) => Some(Sample {
            place: "the CSV header".to_owned(),
            records,
        }),
        (0, None) => None,
        (1, _) => Some(Sample {
            place: "the first record".to_owned(),
            records,
        }),
        (n, _) => Some(Sample {
            place: format!("the first {n} records"),
            records,
        }),
    }
}

fn has_id(fields: &Fields, kind: TransformerKind) -> bool {
    kind.id_columns().iter().any(|c| fields.contains_key(c)) || fields.contains_key(GENERIC_ID)
}

/// Every transformer's fit to the sample, best first (ties keep `ALL`'s order).
fn fits(sample: &Sample) -> Vec<Fit> {
    let ctx = TransformContext::default();
    let mut fits: Vec<Fit> = TransformerKind::ALL
        .into_iter()
        .map(|kind| {
            let mut fit = Fit {
                kind,
                has_id: false,
                marks: 0,
                unused: 0,
                total: 0,
            };
            for fields in &sample.records {
                fit.has_id |= has_id(fields, kind);
                fit.marks += signature::hits(kind, fields);
                fit.total += fields.len();
                let record = Record {
                    position: Position::default(),
                    fields: fields.clone(),
                    defect: None,
                };
                fit.unused += transform::transform(kind, record, &ctx).ignored.len();
            }
            fit
        })
        .collect();
    fits.sort_by(|a, b| {
        (b.has_id, b.marks)
            .cmp(&(a.has_id, a.marks))
            .then(b.coverage().total_cmp(&a.coverage()))
    });
    fits
}

/// Checks that `transformer` fits the file: its ID is there, and no other transformer
/// clearly fits better.
pub fn check(
    path: &Path,
    read: &ReadOptions,
    header: Option<&[String]>,
    transformer: TransformerKind,
) -> Result<(), SourceError> {
    let Some(sample) = sample(path, read, header) else {
        return Ok(());
    };
    let fits = fits(&sample);
    let err = |kind| SourceError {
        path: path.to_owned(),
        kind,
    };
    let Some(chosen) = fits.iter().find(|f| f.kind == transformer).copied() else {
        return Ok(());
    };
    if !chosen.has_id {
        let names = sample.names();
        return Err(err(SourceErrorKind::WrongTransformer(Box::new(Mismatch {
            place: sample.place,
            expected: transformer.id_column(),
            transformer: transformer.label(),
            found: shown(&names),
            hint: hint(&fits, transformer),
        }))));
    }
    if let Some(better) = fits
        .iter()
        .find(|f| f.kind != transformer && f.beats(&chosen))
    {
        let marks = sample.names();
        let marks: Vec<String> = marks
            .into_iter()
            .filter(|n| {
                sample
                    .records
                    .iter()
                    .any(|r| r.contains_key(n) && signature::hits(better.kind, &single(r, n)) > 0)
            })
            .collect();
        return Err(err(SourceErrorKind::OtherPlatform(Box::new(
            source::OtherPlatform {
                place: sample.place,
                chosen: transformer.label(),
                chosen_key: transformer.key(),
                fits: better.kind.label(),
                fits_key: better.kind.key(),
                marks: if marks.is_empty() {
                    format!("fields {} uses", better.kind.label())
                } else {
                    shown(&marks)
                },
                unused: chosen.unused,
                total: chosen.total,
            },
        ))));
    }
    Ok(())
}

/// A record holding only `name`'s field, to tell which fields are marks.
fn single(fields: &Fields, name: &str) -> Fields {
    fields
        .get(name)
        .map(|v| (name.to_owned(), v.clone()))
        .into_iter()
        .collect()
}

/// What the file's first records show about which transformer to use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Detected {
    /// Exactly one fits.
    One(TransformerKind),
    /// These fit about equally well, best first.
    Several(Vec<TransformerKind>),
    /// None has its ID in the file (or nothing could be read to judge by).
    None,
}

/// Which transformer fits the file at `path`.
pub fn detect(path: &Path, format: Option<source::Format>) -> Detected {
    let format = source::Format::detect(path, format);
    let read = ReadOptions {
        format,
        firebase_csv: false,
    };
    let header = (format == Some(source::Format::Csv))
        .then(|| source::open(path, &read).ok())
        .flatten()
        .and_then(|r| r.header().map(<[String]>::to_vec));
    let firebase_csv = format == Some(source::Format::Csv)
        && header.as_ref().is_some_and(|h| {
            // Firebase's CSV has no header: its first row starts with a user's localId.
            h.len() == source::FIREBASE_COLUMNS.len()
                && !h.iter().any(|c| c == "id" || c == "user_id")
        });
    if firebase_csv {
        return Detected::One(TransformerKind::Firebase);
    }
    let Some(sample) = sample(path, &read, header.as_deref()) else {
        return Detected::None;
    };
    let fits = fits(&sample);
    let candidates: Vec<&Fit> = fits.iter().filter(|f| f.has_id).collect();
    match candidates.as_slice() {
        [] => Detected::None,
        [only] => Detected::One(only.kind),
        [first, rest @ ..] => {
            if rest.iter().all(|f| first.marks > f.marks || first.beats(f)) {
                Detected::One(first.kind)
            } else {
                let close: Vec<TransformerKind> = candidates
                    .iter()
                    .filter(|f| f.kind == first.kind || !first.beats(f) && f.marks == first.marks)
                    .map(|f| f.kind)
                    .collect();
                Detected::Several(close)
            }
        }
    }
}

/// The first few names, for the message.
fn shown(names: &[String]) -> String {
    if names.is_empty() {
        return "no fields".to_owned();
    }
    let mut found = names.iter().take(8).cloned().collect::<Vec<_>>().join(", ");
    if names.len() > 8 {
        found.push_str(", …");
    }
    found
}

/// The transformers `check` would accept (the file carries their ID and no other fits it
/// clearly better), best fit first, as a suggestion.
fn hint(fits: &[Fit], chosen: TransformerKind) -> String {
    let accepted = |f: &Fit| f.has_id && !fits.iter().any(|g| g.kind != f.kind && g.beats(f));
    let fitting: Vec<String> = fits
        .iter()
        .filter(|f| f.kind != chosen && accepted(f))
        .map(|f| format!("-t {}", f.kind.key()))
        .collect();
    if fitting.is_empty() {
        "check that the file is the right export and -t names the system it came from".to_owned()
    } else {
        format!("did you mean {}?", fitting.join(" or "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sample_of(records: serde_json::Value) -> Sample {
        let records: Vec<Fields> = records
            .as_array()
            .expect("array")
            .iter()
            .map(|r| r.as_object().expect("object").clone().into_iter().collect())
            .collect();
        Sample {
            place: "the first records".into(),
            records,
        }
    }

    fn best(records: serde_json::Value) -> TransformerKind {
        fits(&sample_of(records))[0].kind
    }

    #[test]
    fn each_platform_is_told_by_its_marks() {
        let supabase = json!([{"id": "6f1c", "aud": "authenticated", "role": "authenticated", "email": "a@example.com",
            "encrypted_password": "$2a$10$x", "email_confirmed_at": null, "raw_user_meta_data": {}, "raw_app_meta_data": {}}]);
        assert_eq!(best(supabase.clone()), TransformerKind::Supabase);
        let clerk = json!([{"id": "user_1", "primary_email_address": "a@example.com", "verified_email_addresses": "a@example.com",
            "first_name": "A", "password_digest": "$2b$10$x", "password_hasher": "bcrypt"}]);
        assert_eq!(best(clerk.clone()), TransformerKind::Clerk);
        let firebase = json!([{"localId": "1", "email": "a@example.com", "emailVerified": true, "passwordHash": "x", "salt": "y"}]);
        assert_eq!(best(firebase), TransformerKind::Firebase);
        let auth0 = json!([{"user_id": "auth0|1", "email": "a@example.com", "email_verified": true, "given_name": "A", "logins_count": 3}]);
        assert_eq!(best(auth0), TransformerKind::Auth0);
        let betterauth = json!([{"id": "b1", "name": "A", "email": "a@example.com", "emailVerified": true,
            "createdAt": "2024-01-01T00:00:00Z", "updatedAt": "2024-01-01T00:00:00Z"}]);
        assert_eq!(best(betterauth), TransformerKind::Betterauth);
        let authjs = json!([{"id": "j1", "name": "A", "email": "a@example.com", "emailVerified": "2024-01-01T00:00:00Z", "image": null}]);
        assert_eq!(best(authjs), TransformerKind::Authjs);

        // A Supabase export given to -t clerk, and a Clerk export given to -t supabase.
        let fits_of = |r: serde_json::Value, k: TransformerKind| {
            let f = fits(&sample_of(r));
            let chosen = *f.iter().find(|x| x.kind == k).expect("fit");
            f.iter()
                .find(|x| x.kind != k && x.beats(&chosen))
                .map(|x| x.kind)
        };
        assert_eq!(
            fits_of(supabase, TransformerKind::Clerk),
            Some(TransformerKind::Supabase)
        );
        assert_eq!(
            fits_of(clerk, TransformerKind::Supabase),
            Some(TransformerKind::Clerk)
        );
    }

    #[test]
    fn suggestions_put_the_best_fit_first() {
        let f = fits(&sample_of(
            json!([{"user_id": "x", "email": "a@example.com"}]),
        ));
        assert_eq!(
            hint(&f, TransformerKind::Clerk),
            "did you mean -t auth0 or -t betterauth?"
        );
        let f = fits(&sample_of(
            json!([{"id": "x", "aud": "authenticated", "encrypted_password": ""}]),
        ));
        assert!(hint(&f, TransformerKind::Firebase).starts_with("did you mean -t supabase"));
        let f = fits(&sample_of(json!([{"x": 1}])));
        assert!(hint(&f, TransformerKind::Auth0).starts_with("check that"));
    }
}
