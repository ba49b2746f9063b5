//! CSV with a header row (`#` comment lines skipped, a UTF-8 BOM stripped, empty cells
//! dropped, quoted multi-line cells), or Firebase's headerless 29-column layout.
//!
//! Ragged rows: a row shorter than the header reads its missing trailing cells as empty
//! and is counted; a row longer than the header is a defect, since its cells cannot be
//! matched to columns with any confidence.

use std::io::{BufRead, Read};

use serde_json::Value;

use super::{Fields, MAX_RECORD_BYTES, Position, ReadStats, Record, SourceErrorKind};

/// The column order of `firebase auth:export` CSV files, which have no header row.
pub const FIREBASE_COLUMNS: [&str; 29] = [
    "localId",
    "email",
    "emailVerified",
    "passwordHash",
    "passwordSalt",
    "displayName",
    "photoUrl",
    "googleId",
    "googleEmail",
    "googleDisplayName",
    "googlePhotoUrl",
    "facebookId",
    "facebookEmail",
    "facebookDisplayName",
    "facebookPhotoUrl",
    "twitterId",
    "twitterEmail",
    "twitterDisplayName",
    "twitterPhotoUrl",
    "githubId",
    "githubEmail",
    "githubDisplayName",
    "githubPhotoUrl",
    "createdAt",
    "lastSignedInAt",
    "phoneNumber",
    "disabled",
    "customAttributes",
    "providerUserInfo",
];

/// Skips a UTF-8 byte-order mark at the start of the input, and refuses to feed the csv
/// parser more than `MAX_RECORD_BYTES` past the last record it finished (the parser
/// would otherwise grow one record without end on an unclosed quote).
struct Input<R> {
    inner: R,
    checked: bool,
    /// Bytes handed to the parser so far.
    read: u64,
    /// Where the parser must have finished another record by.
    limit: u64,
}

/// Slack for what the parser buffers ahead of the record it is on.
const READ_AHEAD: u64 = 1 << 16;

/// The io error `Input` raises at its limit, told apart from real io errors.
#[derive(Debug, thiserror::Error)]
#[error("record too large")]
struct Overlong;

impl<R> Input<R> {
    fn new(inner: R) -> Self {
        Self {
            inner,
            checked: false,
            read: 0,
            limit: MAX_RECORD_BYTES as u64 + READ_AHEAD,
        }
    }
}

/// A record was finished: the next one gets its own `MAX_RECORD_BYTES`.
fn rearm<R: BufRead>(reader: &mut csv::Reader<Input<R>>) {
    let input = reader.get_mut();
    input.limit = input.read + MAX_RECORD_BYTES as u64 + READ_AHEAD;
}

impl<R: BufRead> Read for Input<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if !self.checked {
            self.checked = true;
            if self.inner.fill_buf()?.starts_with(&[0xEF, 0xBB, 0xBF]) {
                self.inner.consume(3);
            }
        }
        if self.read > self.limit {
            return Err(std::io::Error::other(Overlong));
        }
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        Ok(n)
    }
}

pub struct CsvRecords<R: BufRead> {
    reader: csv::Reader<Input<R>>,
    header: Vec<String>,
    record: csv::ByteRecord,
    row: u64,
    stats: ReadStats,
    /// A first row that turned out to be data (headerless Firebase CSV).
    pending: Option<csv::ByteRecord>,
    done: bool,
}

fn csv_error(e: csv::Error, line_now: u64) -> SourceErrorKind {
    let line = e.position().map_or(0, |p| p.line());
    match e.into_kind() {
        csv::ErrorKind::Io(io) if io.get_ref().is_some_and(|e| e.is::<Overlong>()) => {
            SourceErrorKind::TooLarge { line: line_now }
        }
        csv::ErrorKind::Io(io) => SourceErrorKind::Io(io),
        other => SourceErrorKind::Csv {
            line,
            message: format!("{other:?}"),
        },
    }
}

impl<R: BufRead> CsvRecords<R> {
    pub fn new(reader: R, firebase: bool) -> Result<Self, SourceErrorKind> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .comment(Some(b'#'))
            .from_reader(Input::new(reader));
        let mut first = csv::ByteRecord::new();
        let has_first = reader
            .read_byte_record(&mut first)
            .map_err(|e| csv_error(e, 1))?;
        rearm(&mut reader);
        let (header, pending) = if firebase {
            let header = FIREBASE_COLUMNS.iter().map(|c| (*c).to_owned()).collect();
            // Firebase writes no header, but a file someone prepared may have one.
            let is_header = has_first && first.get(0) == Some(b"localId".as_slice());
            if has_first && !is_header && looks_like_foreign_header(&first) {
                let found = first
                    .iter()
                    .take(6)
                    .map(|c| String::from_utf8_lossy(c).into_owned())
                    .collect::<Vec<_>>()
                    .join(", ");
                return Err(SourceErrorKind::NotFirebaseCsv { found });
            }
            (header, (has_first && !is_header).then_some(first))
        } else {
            if !has_first {
                return Err(SourceErrorKind::NoHeader);
            }
            let mut header = Vec::with_capacity(first.len());
            for cell in first.iter() {
                let name =
                    std::str::from_utf8(cell).map_err(|_| SourceErrorKind::HeaderEncoding)?;
                header.push(name.trim().to_owned());
            }
            (header, None)
        };
        Ok(Self {
            reader,
            header,
            record: csv::ByteRecord::new(),
            row: 0,
            stats: ReadStats::default(),
            pending,
            done: false,
        })
    }

    pub fn header(&self) -> &[String] {
        &self.header
    }

    pub fn stats(&self) -> ReadStats {
        self.stats.clone()
    }

    fn convert(&mut self, record: &csv::ByteRecord) -> Record {
        self.row += 1;
        let position = Position {
            row: self.row,
            line: record.position().map_or(0, |p| p.line()),
        };
        let mut fields = Vec::with_capacity(record.len());
        let mut defect = None;
        if record.len() > self.header.len() {
            defect = Some(format!(
                "the row has {} cells but the header has {} columns",
                record.len(),
                self.header.len()
            ));
        } else if record.len() < self.header.len() {
            self.stats.short_rows.push(self.row);
        }
        for (name, cell) in self.header.iter().zip(record.iter()) {
            match std::str::from_utf8(cell) {
                Ok(text) if text.trim().is_empty() => {}
                Ok(text) => {
                    fields.push((name.clone(), Value::String(text.to_owned())));
                }
                Err(_) => {
                    defect.get_or_insert_with(|| {
                        format!("column {name:?} is not valid UTF-8: re-save the file as UTF-8")
                    });
                }
            }
        }
        Record {
            position,
            fields: Fields(fields),
            defect,
        }
    }
}

impl<R: BufRead> Iterator for CsvRecords<R> {
    type Item = Result<Record, SourceErrorKind>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        if let Some(first) = self.pending.take() {
            return Some(Ok(self.convert(&first)));
        }
        let mut record = std::mem::take(&mut self.record);
        let item = match self.reader.read_byte_record(&mut record) {
            Ok(true) => {
                rearm(&mut self.reader);
                Some(Ok(self.convert(&record)))
            }
            Ok(false) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                let line = self.reader.position().line();
                Some(Err(csv_error(e, line)))
            }
        };
        self.record = record;
        item
    }
}

/// Column names other systems put in their header row. A Firebase data row never holds
/// one of these as a whole cell (its cells are IDs, addresses, booleans, hashes).
const FOREIGN_HEADER_NAMES: [&str; 12] = [
    "id",
    "user_id",
    "userid",
    "email",
    "email_address",
    "primary_email_address",
    "username",
    "first_name",
    "last_name",
    "phone",
    "phone_number",
    "created_at",
];

fn looks_like_foreign_header(row: &csv::ByteRecord) -> bool {
    row.iter().any(|cell| {
        std::str::from_utf8(cell).is_ok_and(|c| {
            FOREIGN_HEADER_NAMES
                .iter()
                .any(|name| c.trim().eq_ignore_ascii_case(name))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str, firebase: bool) -> (Vec<Record>, ReadStats) {
        let mut r = CsvRecords::new(text.as_bytes(), firebase).expect("opens");
        let recs = r.by_ref().collect::<Result<Vec<_>, _>>().expect("reads");
        (recs, r.stats())
    }

    #[test]
    fn header_comments_bom_and_empty_cells() {
        let (recs, stats) = read(
            "\u{feff}# a comment\nid, email ,name\n1,a@x.io,\n2,\"b@x.io\",\"multi\nline\"\n3,c@x.io\n",
            false,
        );
        assert_eq!(recs.len(), 3);
        assert_eq!(
            recs[0].fields.get("email"),
            Some(&Value::String("a@x.io".into()))
        );
        assert!(!recs[0].fields.contains_key("name"));
        assert_eq!(recs[1].fields["name"], "multi\nline");
        assert_eq!(recs[2].position, Position { row: 3, line: 6 });
        assert_eq!(stats.short_rows, vec![3]);
    }

    #[test]
    fn long_rows_and_bad_bytes_are_defects() {
        let mut r =
            CsvRecords::new(&b"id,email\n1,a@x.io,extra\n2,\xe9@x.io\n"[..], false).expect("opens");
        let recs: Vec<Record> = r.by_ref().collect::<Result<_, _>>().expect("reads");
        assert!(
            recs[0]
                .defect
                .as_deref()
                .is_some_and(|d| d.contains("3 cells"))
        );
        assert!(
            recs[1]
                .defect
                .as_deref()
                .is_some_and(|d| d.contains("UTF-8"))
        );
    }

    #[test]
    fn firebase_rows_need_no_header() {
        let (recs, _) = read("uid1,a@x.io,true\n", true);
        assert_eq!(recs[0].fields["localId"], "uid1");
        assert_eq!(recs[0].fields["emailVerified"], "true");
        let (recs, _) = read("localId,email\nuid1,a@x.io\n", true);
        assert_eq!(recs.len(), 1);
    }

    #[test]
    fn another_systems_header_is_not_firebase_data() {
        let err = CsvRecords::new(
            &b"id,first_name,primary_email_address\n1,A,a@x.io\n"[..],
            true,
        )
        .err()
        .expect("refused");
        assert_eq!(
            err.to_string(),
            "the first row is a header (id, first_name, primary_email_address), but Firebase CSV \
             exports have none: was this file exported by another system? Pick it with -t"
        );
    }

    #[test]
    fn empty_input_has_no_header() {
        assert!(matches!(
            CsvRecords::new(&b""[..], false),
            Err(SourceErrorKind::NoHeader)
        ));
    }
}
