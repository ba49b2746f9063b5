//! NDJSON / JSONL: one JSON object per line (Auth0's bulk export). Blank lines are skipped.

use std::io::{BufRead, Read};

use super::{MAX_RECORD_BYTES, Position, Record, SourceErrorKind, parse_record};

pub struct NdjsonRecords<R> {
    reader: R,
    line: u64,
    row: u64,
    buf: Vec<u8>,
    done: bool,
}

impl<R: BufRead> NdjsonRecords<R> {
    pub fn new(reader: R) -> Self {
        Self {
            reader,
            line: 0,
            row: 0,
            buf: Vec::new(),
            done: false,
        }
    }

    fn next_record(&mut self) -> Result<Option<Record>, SourceErrorKind> {
        loop {
            self.buf.clear();
            let cap = MAX_RECORD_BYTES as u64 + 1;
            if (&mut self.reader)
                .take(cap)
                .read_until(b'\n', &mut self.buf)?
                == 0
            {
                return Ok(None);
            }
            self.line += 1;
            if self.buf.len() > MAX_RECORD_BYTES {
                return Err(SourceErrorKind::TooLarge { line: self.line });
            }
            let mut text: &[u8] = &self.buf;
            if self.line == 1 && text.starts_with(&[0xEF, 0xBB, 0xBF]) {
                text = &text[3..];
            }
            if text.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            self.row += 1;
            let position = Position {
                row: self.row,
                line: self.line,
            };
            let record = parse_record(text, position).map_err(|e| {
                let message = e.to_string();
                let message = match message.rfind(" at line ") {
                    Some(i) => message[..i].to_owned(),
                    None => message,
                };
                // A last line without its newline that fails to parse was cut off.
                if e.is_eof() && !self.buf.ends_with(b"\n") {
                    SourceErrorKind::Truncated {
                        row: position.row,
                        line: position.line,
                    }
                } else {
                    SourceErrorKind::Json {
                        line: position.line,
                        column: e.column() as u64,
                        message,
                    }
                }
            })?;
            return Ok(Some(record));
        }
    }
}

impl<R: BufRead> Iterator for NdjsonRecords<R> {
    type Item = Result<Record, SourceErrorKind>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.next_record() {
            Ok(Some(r)) => Some(Ok(r)),
            Ok(None) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_errors() {
        let text = "{\"a\":1}\n\n{\"b\":2}\r\n";
        let recs: Vec<_> = NdjsonRecords::new(text.as_bytes())
            .collect::<Result<_, _>>()
            .expect("reads");
        assert_eq!(recs[1].position, Position { row: 2, line: 3 });
        let bad: Vec<_> = NdjsonRecords::new("{\"a\":1}\n{oops}\n".as_bytes()).collect();
        assert!(matches!(bad[1], Err(SourceErrorKind::Json { line: 2, .. })));
        let cut: Vec<_> = NdjsonRecords::new("{\"a\":1}\n{\"b\":".as_bytes()).collect();
        assert!(matches!(
            cut[1],
            Err(SourceErrorKind::Truncated { row: 2, line: 2 })
        ));
    }
}
