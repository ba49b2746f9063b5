//! Tolerant ledger reading: yields each line's number and parsed JSON, and reports (never
//! fails on) lines that do not parse, such as the torn last line of a killed run.

use std::io::BufRead;

use serde_json::Value;

/// One line of a log.
#[derive(Debug, Clone, PartialEq)]
pub enum Line {
    /// A JSON object.
    Parsed { number: u64, value: Value },
    /// A line that is not a JSON object (truncated or corrupted).
    Malformed { number: u64, reason: String },
}

/// Reads a log line by line in constant memory.
pub struct LedgerLines<R> {
    reader: R,
    number: u64,
    buf: Vec<u8>,
}

impl<R: BufRead> LedgerLines<R> {
    pub fn new(reader: R) -> Self {
        Self {
            reader,
            number: 0,
            buf: Vec::new(),
        }
    }
}

impl<R: BufRead> Iterator for LedgerLines<R> {
    type Item = std::io::Result<Line>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            self.buf.clear();
            match self.reader.read_until(b'\n', &mut self.buf) {
                Ok(0) => return None,
                Ok(_) => {}
                Err(e) => return Some(Err(e)),
            }
            self.number += 1;
            if self.buf.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let line = match serde_json::from_slice::<Value>(&self.buf) {
                Ok(value @ Value::Object(_)) => Line::Parsed {
                    number: self.number,
                    value,
                },
                Ok(_) => Line::Malformed {
                    number: self.number,
                    reason: "not a JSON object".to_owned(),
                },
                Err(e) => Line::Malformed {
                    number: self.number,
                    reason: if e.is_eof() {
                        "truncated".to_owned()
                    } else {
                        "not valid JSON".to_owned()
                    },
                },
            };
            return Some(Ok(line));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn torn_lines_are_reported_not_fatal() {
        let text = "{\"a\":1}\n\n[1]\n{\"b\":";
        let lines: Vec<Line> = LedgerLines::new(text.as_bytes())
            .collect::<Result<_, _>>()
            .expect("io");
        assert_eq!(lines.len(), 3);
        assert!(matches!(lines[0], Line::Parsed { number: 1, .. }));
        assert!(matches!(&lines[1], Line::Malformed { number: 3, .. }));
        assert!(
            matches!(&lines[2], Line::Malformed { number: 4, reason } if reason == "truncated")
        );
    }
}
