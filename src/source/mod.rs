//! Streaming readers for export files: JSON arrays (also Firebase's `{"users": [...]}`),
//! NDJSON and CSV. Each yields one `Record` at a time with its position, in constant
//! memory whatever the file size. A record that cannot be read on its own (a CSV row
//! longer than the header, an array element that is not an object) comes back with a
//! `defect` so the run can report it and go on; only a file that cannot be read any
//! further is an error.

mod csv;
mod json;
mod ndjson;

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use serde_json::Value;

pub use self::csv::FIREBASE_COLUMNS;

/// An input file's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Ndjson,
    Csv,
}

impl Format {
    /// The format an extension implies, if any.
    pub fn from_path(path: &Path) -> Option<Self> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "json" => Some(Self::Json),
            "ndjson" | "jsonl" => Some(Self::Ndjson),
            "csv" => Some(Self::Csv),
            _ => None,
        }
    }

    /// The format of the file at `path`: `forced` (`--format`) when given, else what its
    /// first bytes show, else what its extension says. Auth0's bulk export writes NDJSON
    /// into a file named `.json`, so the content, when it is unambiguous, wins.
    pub fn detect(path: &Path, forced: Option<Self>) -> Option<Self> {
        if forced.is_some() {
            return forced;
        }
        let mut head = Vec::with_capacity(SNIFF_BYTES);
        let read = File::open(path).and_then(|f| {
            use std::io::Read;
            f.take(SNIFF_BYTES as u64).read_to_end(&mut head)
        });
        match read {
            Ok(_) => Self::from_content(&head).or_else(|| {
                // Not JSON that holds users: the extension says how to read it (and
                // names a JSON scalar's problem), and text of no known extension is CSV.
                let text = head.iter().any(|b| !b.is_ascii_whitespace());
                Self::from_path(path).or(text.then_some(Self::Csv))
            }),
            Err(_) => Self::from_path(path),
        }
    }

    /// The format the start of a file shows, when it is JSON that holds users: an array;
    /// one object per line; an object over several lines (Firebase's `{"users": [...]}`).
    /// `None` for anything else, which its extension decides.
    pub fn from_content(head: &[u8]) -> Option<Self> {
        let text = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
        let start = text.iter().position(|b| !b.is_ascii_whitespace())?;
        let text = &text[start..];
        match text[0] {
            b'[' => Some(Self::Json),
            b'{' => {
                let newline = memchr::memchr(b'\n', text);
                let line = &text[..newline.unwrap_or(text.len())];
                // One key holding an array is a wrapper of users (Firebase's `users`, or
                // another name the JSON reader then names), not a user.
                let users_only = |m: &serde_json::Map<String, Value>| {
                    m.len() == 1 && m.values().all(Value::is_array)
                };
                Some(match serde_json::from_slice::<Value>(line) {
                    Ok(Value::Object(m)) if users_only(&m) => Self::Json,
                    Ok(_) => Self::Ndjson,
                    // A line that is not a whole object: an object over several lines, or
                    // one longer than the start read here.
                    Err(_) if newline.is_some() => Self::Json,
                    Err(_) => {
                        let after = line[1..].iter().position(|b| !b.is_ascii_whitespace());
                        if after.is_some_and(|i| line[1 + i..].starts_with(b"\"users\"")) {
                            Self::Json
                        } else {
                            Self::Ndjson
                        }
                    }
                })
            }
            _ => None,
        }
    }

    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Self::Json => "json",
            Self::Ndjson => "ndjson",
            Self::Csv => "csv",
        }
    }
}

/// Where a record sits in its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Position {
    /// 1-based record number (the n-th user of the file).
    pub row: u64,
    /// 1-based line where the record starts.
    pub line: u64,
}

impl std::fmt::Display for Position {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "record {} (line {})", self.row, self.line)
    }
}

/// A record's fields in file order. A small vector beats a map here: records have a
/// few dozen fields, each looked up once.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Fields(pub Vec<(String, Value)>);

impl Fields {
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Removes and returns a field's value.
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        let i = self.0.iter().position(|(k, _)| k == key)?;
        Some(self.0.swap_remove(i).1)
    }

    /// The remaining field names.
    pub fn into_names(self) -> Vec<String> {
        self.0.into_iter().map(|(k, _)| k).collect()
    }
}

impl std::ops::Index<&str> for Fields {
    type Output = Value;

    fn index(&self, key: &str) -> &Value {
        self.get(key).unwrap_or(&Value::Null)
    }
}

impl FromIterator<(String, Value)> for Fields {
    fn from_iter<I: IntoIterator<Item = (String, Value)>>(iter: I) -> Self {
        Self(iter.into_iter().collect())
    }
}

/// One source record: field name to value. CSV cells arrive as strings; empty cells are
/// left out.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub position: Position,
    pub fields: Fields,
    /// Why the record cannot be used as read, if it cannot.
    pub defect: Option<String>,
}

/// How to read a file.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// Overrides the extension.
    pub format: Option<Format>,
    /// CSV without a header row, in Firebase's fixed 29-column layout.
    pub firebase_csv: bool,
}

/// The most one record may take. Readers hold one record at a time, so this bounds their
/// memory whatever the file: a missing quote must not pull a whole export into memory.
pub const MAX_RECORD_BYTES: usize = 64 << 20;

/// How much of a file's start is read to tell its format.
const SNIFF_BYTES: usize = 256 * 1024;

/// A file that cannot be read (any further).
#[derive(Debug, thiserror::Error)]
#[error("{}: {kind}", path.display())]
pub struct SourceError {
    pub path: PathBuf,
    pub kind: SourceErrorKind,
}

/// What went wrong with the file.
#[derive(Debug, thiserror::Error)]
pub enum SourceErrorKind {
    // The reason is in the message, so it is not a `#[source]` too (it would print twice).
    #[error("failed to read the file: {0}")]
    Io(std::io::Error),
    #[error(
        "cannot tell the format from the extension: use .json, .ndjson, .jsonl or .csv, or pass --format"
    )]
    UnknownFormat,
    #[error("the file is empty")]
    Empty,
    #[error(
        "the file holds no users (an empty list, or a header without rows): there is nothing to import"
    )]
    NoUsers,
    #[error("this looks like a {0} file, not a {1} export: decompress or convert it first")]
    Binary(&'static str, &'static str),
    #[error("invalid JSON at line {line}{}: {message}", column_text(*column))]
    Json {
        line: u64,
        column: u64,
        message: String,
    },
    #[error(
        "the JSON must be an array of users or an object with a \"users\" array, but it is {0}"
    )]
    WrongTopLevel(&'static str),
    #[error(
        "the value starting at line {line} is over {} MiB, more than any user record holds: the file is probably broken there (an unclosed quote, string or bracket)",
        MAX_RECORD_BYTES >> 20
    )]
    TooLarge { line: u64 },
    #[error("the file ends inside record {row} (which starts at line {line}): it was cut off")]
    Truncated { row: u64, line: u64 },
    #[error("invalid CSV at line {line}: {message}")]
    Csv { line: u64, message: String },
    #[error("the CSV has no header row")]
    NoHeader,
    #[error("the CSV header is not valid UTF-8: re-save the file as UTF-8")]
    HeaderEncoding,
    #[error(transparent)]
    WrongTransformer(Box<Mismatch>),
    #[error(transparent)]
    OtherPlatform(Box<OtherPlatform>),
    #[error(
        "the first row is a header ({found}), but Firebase CSV exports have none: was this file exported by another system? Pick it with -t"
    )]
    NotFirebaseCsv { found: String },
}

/// A file without the chosen transformer's ID field (boxed: it is rare and large).
#[derive(Debug, thiserror::Error)]
#[error(
    "no {expected:?} field in {place}, which holds the user ID in {transformer} exports (found: {found}): {hint}"
)]
pub struct Mismatch {
    pub place: String,
    pub expected: &'static str,
    pub transformer: &'static str,
    pub found: String,
    pub hint: String,
}

/// A file another platform wrote, given to the wrong transformer (boxed: rare and large).
#[derive(Debug, thiserror::Error)]
#[error(
    "{place} look like a {fits} export ({marks}), not a {chosen} one: with -t {chosen_key}, {unused} of their {total} fields would not be imported: use -t {fits_key}"
)]
pub struct OtherPlatform {
    pub place: String,
    pub chosen: &'static str,
    pub chosen_key: &'static str,
    pub fits: &'static str,
    pub fits_key: &'static str,
    pub marks: String,
    pub unused: usize,
    pub total: usize,
}

impl SourceErrorKind {
    /// Whether the flags, not the file, are wrong: `-t` names another system.
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            Self::WrongTransformer(_) | Self::OtherPlatform(_) | Self::NotFirebaseCsv { .. }
        )
    }
}

/// What a reader noticed beyond the records themselves.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadStats {
    /// CSV rows with fewer cells than the header (read as empty trailing cells).
    pub short_rows: Vec<u64>,
}

/// A stream of records from one file.
pub struct RecordReader {
    path: PathBuf,
    inner: Inner,
}

enum Inner {
    Json(json::JsonRecords<BufReader<File>>),
    Ndjson(ndjson::NdjsonRecords<BufReader<File>>),
    Csv(Box<self::csv::CsvRecords<BufReader<File>>>),
}

/// Opens `path` for streaming.
pub fn open(path: &Path, options: &ReadOptions) -> Result<RecordReader, SourceError> {
    let err = |kind| SourceError {
        path: path.to_owned(),
        kind,
    };
    let format =
        Format::detect(path, options.format).ok_or_else(|| err(SourceErrorKind::UnknownFormat))?;
    let file = File::open(path).map_err(|e| err(SourceErrorKind::Io(e)))?;
    let mut reader = BufReader::with_capacity(256 * 1024, file);
    sniff(&mut reader, format).map_err(err)?;
    let inner = match format {
        Format::Json => Inner::Json(json::JsonRecords::new(reader)),
        Format::Ndjson => Inner::Ndjson(ndjson::NdjsonRecords::new(reader)),
        Format::Csv => Inner::Csv(Box::new(
            self::csv::CsvRecords::new(reader, options.firebase_csv).map_err(err)?,
        )),
    };
    Ok(RecordReader {
        path: path.to_owned(),
        inner,
    })
}

/// Records from any buffered reader, without the file checks of `open`: for fuzzing and
/// tests.
pub fn records<'a, R: BufRead + 'a>(
    reader: R,
    format: Format,
    firebase_csv: bool,
) -> Result<Box<dyn Iterator<Item = Result<Record, SourceErrorKind>> + 'a>, SourceErrorKind> {
    Ok(match format {
        Format::Json => Box::new(json::JsonRecords::new(reader)),
        Format::Ndjson => Box::new(ndjson::NdjsonRecords::new(reader)),
        Format::Csv => Box::new(self::csv::CsvRecords::new(reader, firebase_csv)?),
    })
}

/// Refuses empty and obviously binary files before parsing, with a clearer message
/// than a parser would give.
fn sniff<R: BufRead>(reader: &mut R, format: Format) -> Result<(), SourceErrorKind> {
    let head = reader.fill_buf()?;
    if head.is_empty() {
        return Err(SourceErrorKind::Empty);
    }
    let kind = if head.starts_with(&[0x1f, 0x8b]) {
        Some("gzip")
    } else if head.starts_with(b"PK\x03\x04") {
        Some("zip")
    } else if head.starts_with(b"SQLite format 3\0") {
        Some("SQLite")
    } else if head.iter().take(4096).any(|b| *b == 0) {
        Some("binary")
    } else {
        None
    };
    match kind {
        Some(k) => Err(SourceErrorKind::Binary(k, format.name())),
        None => Ok(()),
    }
}

/// Unparsed JSON array elements, in one buffer, with each one's position and span.
#[derive(Debug, Default)]
pub struct RawBatch {
    pub bytes: Vec<u8>,
    pub spans: Vec<(Position, usize, usize)>,
}

impl RawBatch {
    /// Parses element `i` into a record.
    pub fn parse(&self, i: usize, path: &Path) -> Option<Result<Record, SourceError>> {
        let (position, start, end) = *self.spans.get(i)?;
        Some(
            json::parse_element(&self.bytes[start..end], position).map_err(|kind| SourceError {
                path: path.to_owned(),
                kind,
            }),
        )
    }
}

impl RecordReader {
    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether `next_raw_batch` applies (JSON arrays, whose elements parse on their own).
    pub fn is_json_array(&self) -> bool {
        matches!(self.inner, Inner::Json(_))
    }

    /// Up to `n` JSON elements, unparsed; `None` at the end or for other formats.
    pub fn next_raw_batch(&mut self, n: usize) -> Result<Option<RawBatch>, SourceError> {
        let Inner::Json(reader) = &mut self.inner else {
            return Ok(None);
        };
        let mut batch = RawBatch::default();
        while batch.spans.len() < n {
            let start = batch.bytes.len();
            match reader.next_raw(&mut batch.bytes) {
                Ok(Some(position)) => batch.spans.push((position, start, batch.bytes.len())),
                Ok(None) => break,
                Err(kind) => {
                    return Err(SourceError {
                        path: self.path.clone(),
                        kind,
                    });
                }
            }
        }
        Ok((!batch.spans.is_empty()).then_some(batch))
    }

    /// The CSV header, for CSV files.
    pub fn header(&self) -> Option<&[String]> {
        match &self.inner {
            Inner::Csv(c) => Some(c.header()),
            _ => None,
        }
    }

    /// What the reader noticed so far (complete once the iterator is exhausted).
    pub fn stats(&self) -> ReadStats {
        match &self.inner {
            Inner::Csv(c) => c.stats(),
            _ => ReadStats::default(),
        }
    }
}

impl Iterator for RecordReader {
    type Item = Result<Record, SourceError>;

    fn next(&mut self) -> Option<Self::Item> {
        let item = match &mut self.inner {
            Inner::Json(r) => r.next(),
            Inner::Ndjson(r) => r.next(),
            Inner::Csv(r) => r.next(),
        }?;
        Some(item.map_err(|kind| SourceError {
            path: self.path.clone(),
            kind,
        }))
    }
}

/// A top-level JSON value parsed straight into a record's fields (no intermediate map),
/// or the kind of value it was when it is not an object.
enum TopLevel {
    Object(Fields, Option<String>),
    Other(&'static str),
}

impl<'de> serde::Deserialize<'de> for TopLevel {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = TopLevel;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<TopLevel, A::Error> {
                let mut fields = Vec::new();
                let mut duplicate = None;
                let mut seen: Option<std::collections::HashSet<String>> = None;
                while let Some((k, v)) = map.next_entry::<String, Value>()? {
                    // Linear for ordinary records, hashed for very wide ones.
                    let repeated = if fields.len() < 64 {
                        fields.iter().any(|(name, _): &(String, Value)| *name == k)
                    } else {
                        let set = seen
                            .get_or_insert_with(|| fields.iter().map(|(n, _)| n.clone()).collect());
                        !set.insert(k.clone())
                    };
                    if repeated {
                        duplicate.get_or_insert_with(|| {
                            format!("the field {k:?} appears more than once")
                        });
                        continue;
                    }
                    fields.push((k, v));
                }
                Ok(TopLevel::Object(Fields(fields), duplicate))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<TopLevel, A::Error> {
                while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                Ok(TopLevel::Other("an array"))
            }
            fn visit_bool<E>(self, _: bool) -> Result<TopLevel, E> {
                Ok(TopLevel::Other("a boolean"))
            }
            fn visit_i64<E>(self, _: i64) -> Result<TopLevel, E> {
                Ok(TopLevel::Other("a number"))
            }
            fn visit_u64<E>(self, _: u64) -> Result<TopLevel, E> {
                Ok(TopLevel::Other("a number"))
            }
            fn visit_f64<E>(self, _: f64) -> Result<TopLevel, E> {
                Ok(TopLevel::Other("a number"))
            }
            fn visit_str<E>(self, _: &str) -> Result<TopLevel, E> {
                Ok(TopLevel::Other("a string"))
            }
            fn visit_unit<E>(self) -> Result<TopLevel, E> {
                Ok(TopLevel::Other("null"))
            }
        }
        d.deserialize_any(V)
    }
}

/// Parses one JSON record.
fn parse_record(bytes: &[u8], position: Position) -> Result<Record, serde_json::Error> {
    Ok(match serde_json::from_slice::<TopLevel>(bytes)? {
        TopLevel::Object(fields, defect) => Record {
            position,
            fields,
            defect,
        },
        TopLevel::Other(kind) => Record {
            position,
            fields: Fields::default(),
            defect: Some(format!(
                "the record is {kind}, not an object of user fields"
            )),
        },
    })
}

/// "an array", "a string", … for messages.
pub fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

impl crate::hint::Hint for SourceError {
    fn hint(&self) -> Option<String> {
        use SourceErrorKind as K;
        match &self.kind {
        K::Truncated { .. } => Some("the export looks incomplete: export it again, or fix the end of the file".to_owned()),
        K::Json { .. } | K::Csv { .. } => Some("fix the file at that position; the same command with --dry-run checks it again without sending anything".to_owned()),
        K::WrongTopLevel(_) => Some("check that -t matches the export and that the file is a JSON export of users".to_owned()),
        _ => None,
    }
    }
}

/// ", column N" when the column is known (0 means it is not).
fn column_text(column: u64) -> String {
    if column == 0 {
        String::new()
    } else {
        format!(", column {column}")
    }
}

impl From<std::io::Error> for SourceErrorKind {
    fn from(e: std::io::Error) -> Self {
        Self::Io(e)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_content_decides_the_format() {
        use super::Format;
        let f = |t: &str| Format::from_content(t.as_bytes());
        assert_eq!(f("[{\"id\":1}]"), Some(Format::Json));
        assert_eq!(f("\u{feff}  \n[\n]"), Some(Format::Json));
        // Auth0's bulk export: NDJSON, whatever the file is called.
        assert_eq!(
            f("{\"user_id\":\"a\"}\n{\"user_id\":\"b\"}\n"),
            Some(Format::Ndjson)
        );
        assert_eq!(f("{\"user_id\":\"a\"}"), Some(Format::Ndjson));
        // Firebase: one object holding the users, on one line or several.
        assert_eq!(f("{\"users\":[{\"localId\":\"1\"}]}"), Some(Format::Json));
        assert_eq!(f("{\"people\":[]}"), Some(Format::Json));
        assert_eq!(f("{\n  \"users\": [\n"), Some(Format::Json));
        assert_eq!(f("{ \"users\": [{\"localId\": \"1\""), Some(Format::Json));
        assert_eq!(
            f("{\"user_id\":\"a\",\"name\":\"cut off"),
            Some(Format::Ndjson)
        );
        // Anything else is for the extension to say.
        assert_eq!(f("id,email\n1,a@example.com\n"), None);
        assert_eq!(f("\"users\""), None);
        assert_eq!(f(" \n\t"), None);
        let dir = tempfile::tempdir().expect("tempdir");
        let at = |name: &str, text: &str| {
            let p = dir.path().join(name);
            std::fs::write(&p, text).expect("write");
            Format::detect(&p, None)
        };
        assert_eq!(at("users.csv", "[{\"id\":1}]"), Some(Format::Json));
        assert_eq!(at("users", "id,email\n"), Some(Format::Csv));
        assert_eq!(at("users.json", "42"), Some(Format::Json));
        assert_eq!(at("users.txt", "  \n"), None);
    }

    use proptest::prelude::*;

    use super::*;

    fn drain<I: Iterator<Item = Result<Record, SourceErrorKind>>>(it: I) {
        for item in it.take(10_000) {
            if item.is_err() {
                break;
            }
        }
    }

    proptest! {
        #[test]
        fn no_bytes_make_a_reader_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            drain(json::JsonRecords::new(bytes.as_slice()));
            drain(ndjson::NdjsonRecords::new(bytes.as_slice()));
            if let Ok(r) = self::csv::CsvRecords::new(bytes.as_slice(), false) {
                drain(r);
            }
            if let Ok(r) = self::csv::CsvRecords::new(bytes.as_slice(), true) {
                drain(r);
            }
        }

        #[test]
        fn json_like_text_never_panics(text in r#"[\[\]{}",:0-9a-z \n\\]{0,200}"#) {
            drain(json::JsonRecords::new(text.as_bytes()));
        }
    }
}
