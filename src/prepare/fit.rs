//! Whether the chosen transformer fits the file at all. A file exported from another
//! system would fail on every record; one clear usage error (naming the transformer
//! that does fit, when one does) beats thousands of identical "no ID" lines.

use std::path::Path;

use crate::source::{self, Fields, Mismatch, ReadOptions, SourceError, SourceErrorKind};
use crate::transform::TransformerKind;

/// How many leading records are looked at: one broken record must not condemn a file.
const SAMPLE: usize = 5;

/// The normalised ID name every transformer also accepts (see `transform::generic`).
const GENERIC_ID: &str = "userId";

/// Checks a CSV header, or the first records of a JSON file, for the transformer's ID.
pub fn check(
    path: &Path,
    read: &ReadOptions,
    header: Option<&[String]>,
    transformer: TransformerKind,
) -> Result<(), SourceError> {
    let expected = transformer.id_column();
    let (place, names) = match header {
        Some(header) => ("the CSV header".to_owned(), header.to_vec()),
        None => match sample_names(path, read, transformer) {
            Some((1, names)) => ("the first record".to_owned(), names),
            Some((n, names)) => (format!("the first {n} records"), names),
            None => return Ok(()),
        },
    };
    if names
        .iter()
        .any(|n| transformer.id_columns().contains(&n.as_str()) || n == GENERIC_ID)
    {
        return Ok(());
    }
    Err(SourceError {
        path: path.to_owned(),
        kind: SourceErrorKind::WrongTransformer(Box::new(Mismatch {
            place,
            expected,
            transformer: transformer.label(),
            found: shown(&names),
            hint: hint(&names, transformer),
        })),
    })
}

/// How many records were looked at and their field names, when none of them has the
/// transformer's ID; `None` when one does (or no record is readable to judge by).
fn sample_names(
    path: &Path,
    read: &ReadOptions,
    transformer: TransformerKind,
) -> Option<(usize, Vec<String>)> {
    let mut names: Vec<String> = Vec::new();
    let mut seen = 0;
    // Read errors are left to the real pass, which names them with their position.
    let reader = source::open(path, read).ok()?;
    for record in reader.take(SAMPLE) {
        let Ok(record) = record else { break };
        // A record that is not even an object says nothing about which system wrote it.
        if record.defect.is_some() {
            continue;
        }
        seen += 1;
        if has_id(&record.fields, transformer) {
            return None;
        }
        for (name, _) in record.fields.0 {
            if !names.contains(&name) {
                names.push(name);
            }
        }
    }
    (seen > 0).then_some((seen, names))
}

fn has_id(fields: &Fields, transformer: TransformerKind) -> bool {
    transformer
        .id_columns()
        .iter()
        .any(|c| fields.contains_key(c))
        || fields.contains_key(GENERIC_ID)
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

/// The transformers whose ID the file does carry, as a suggestion.
fn hint(names: &[String], chosen: TransformerKind) -> String {
    let fitting: Vec<String> = TransformerKind::ALL
        .into_iter()
        .filter(|t| *t != chosen && names.iter().any(|n| n == t.id_column()))
        .map(|t| format!("-t {}", t.key()))
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

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn suggests_the_transformers_whose_id_is_present() {
        let found = names(&["user_id", "email"]);
        assert_eq!(
            hint(&found, TransformerKind::Clerk),
            "did you mean -t auth0 or -t betterauth?"
        );
        let found = names(&["localId", "email"]);
        assert_eq!(
            hint(&found, TransformerKind::Auth0),
            "did you mean -t firebase?"
        );
        assert!(hint(&names(&["x"]), TransformerKind::Auth0).starts_with("check that"));
    }

    #[test]
    fn a_header_with_the_id_or_the_generic_id_fits() {
        let read = ReadOptions::default();
        let path = Path::new("x.csv");
        for header in [names(&["id", "email"]), names(&["userId"])] {
            assert!(check(path, &read, Some(&header), TransformerKind::Clerk).is_ok());
        }
        let err = check(
            path,
            &read,
            Some(&names(&["user_id"])),
            TransformerKind::Clerk,
        )
        .expect_err("auth0 header given to clerk");
        assert_eq!(
            err.to_string(),
            "x.csv: no \"id\" field in the CSV header, which holds the user ID in Clerk exports \
             (found: user_id): did you mean -t auth0 or -t betterauth?"
        );
    }
}
