//! A streaming JSON-array reader. A small hand-written splitter finds where each
//! top-level element begins and ends (tracking strings, escapes and nesting, and counting
//! lines), and serde_json parses each element on its own. So memory holds one record at a
//! time, positions are exact, and a file cut off mid-record names the record.

use std::io::BufRead;

use super::{MAX_RECORD_BYTES, Position, Record, SourceErrorKind, parse_record};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Before the top-level value.
    Start,
    /// Inside the users array, before an element (or `]`).
    Element {
        first: bool,
    },
    /// After the users array, inside a `{"users": [...]}` wrapper.
    WrapperRest,
    Done,
}

pub struct JsonRecords<R> {
    reader: R,
    line: u64,
    /// Bytes consumed, and where the current line began, for columns.
    offset: u64,
    line_start: u64,
    row: u64,
    state: State,
    wrapped: bool,
    buf: Vec<u8>,
}

impl<R: BufRead> JsonRecords<R> {
    pub fn new(reader: R) -> Self {
        Self {
            reader,
            line: 1,
            offset: 0,
            line_start: 0,
            row: 0,
            state: State::Start,
            wrapped: false,
            buf: Vec::new(),
        }
    }

    fn peek(&mut self) -> Result<Option<u8>, SourceErrorKind> {
        Ok(self.reader.fill_buf()?.first().copied())
    }

    /// Consumes a byte that is not a line break.
    fn bump(&mut self) {
        self.reader.consume(1);
        self.offset += 1;
    }

    /// Skips whitespace (and a leading byte-order mark), counting lines.
    fn skip_ws(&mut self) -> Result<Option<u8>, SourceErrorKind> {
        loop {
            let chunk = self.reader.fill_buf()?;
            if chunk.is_empty() {
                return Ok(None);
            }
            let mut used = 0;
            let mut found = None;
            for &b in chunk {
                match b {
                    b'\n' => {
                        self.line += 1;
                        self.line_start = self.offset + used as u64 + 1;
                    }
                    b' ' | b'\t' | b'\r' => {}
                    _ => {
                        found = Some(b);
                        break;
                    }
                }
                used += 1;
            }
            self.reader.consume(used);
            self.offset += used as u64;
            if found.is_some() {
                return Ok(found);
            }
        }
    }

    fn syntax(&self, expected: &str, found: Option<u8>) -> SourceErrorKind {
        let found = match found {
            Some(b) if b.is_ascii_graphic() => format!("'{}'", b as char),
            Some(b) => format!("byte 0x{b:02x}"),
            None => "the end of the file".to_owned(),
        };
        SourceErrorKind::Json {
            line: self.line,
            column: self.offset - self.line_start + 1,
            message: format!("expected {expected}, found {found}"),
        }
    }

    /// Copies one complete JSON value into `self.buf`. Returns false on end of input
    /// inside the value.
    fn scan_value(&mut self) -> Result<bool, SourceErrorKind> {
        self.buf.clear();
        let start_line = self.line;
        let mut depth: u32 = 0;
        let mut in_string = false;
        let mut escape = false;
        let mut started = false;
        let mut scalar = false;
        loop {
            let chunk = self.reader.fill_buf()?;
            if chunk.is_empty() {
                // A bare scalar may end at the end of input.
                return Ok(scalar && !in_string);
            }
            let mut end = None;
            let n = chunk.len();
            let mut i = 0;
            while i < n {
                let b = chunk[i];
                if !started {
                    started = true;
                    match b {
                        b'{' | b'[' => depth = 1,
                        b'"' => in_string = true,
                        _ => scalar = true,
                    }
                    i += 1;
                    continue;
                }
                if in_string {
                    if escape {
                        escape = false;
                        i += 1;
                        continue;
                    }
                    // Most bytes are inside strings: jump to the next quote or backslash.
                    match memchr::memchr2(b'"', b'\\', &chunk[i..]) {
                        Some(off) => {
                            let at = i + off;
                            i = at + 1;
                            if chunk[at] == b'\\' {
                                escape = true;
                            } else {
                                in_string = false;
                                if depth == 0 {
                                    end = Some(i);
                                    break;
                                }
                            }
                        }
                        None => i = n,
                    }
                    continue;
                }
                if scalar {
                    if matches!(b, b',' | b']' | b'}' | b' ' | b'\t' | b'\r' | b'\n') {
                        end = Some(i);
                        break;
                    }
                    i += 1;
                    continue;
                }
                match b {
                    b'"' => in_string = true,
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            end = Some(i + 1);
                            break;
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            // Lines are counted once per consumed span, not byte by byte.
            match end {
                Some(n) => {
                    let span = &chunk[..n];
                    self.line += newlines(span);
                    if let Some(at) = memchr::memrchr(b'\n', span) {
                        self.line_start = self.offset + at as u64 + 1;
                    }
                    self.offset += n as u64;
                    self.buf.extend_from_slice(span);
                    self.reader.consume(n);
                    return Ok(true);
                }
                None => {
                    let n = chunk.len();
                    self.line += newlines(chunk);
                    if let Some(at) = memchr::memrchr(b'\n', chunk) {
                        self.line_start = self.offset + at as u64 + 1;
                    }
                    self.offset += n as u64;
                    self.buf.extend_from_slice(chunk);
                    self.reader.consume(n);
                    if self.buf.len() > MAX_RECORD_BYTES {
                        return Err(SourceErrorKind::TooLarge { line: start_line });
                    }
                }
            }
        }
    }

    /// Reads the top level up to the first array element.
    fn start(&mut self) -> Result<(), SourceErrorKind> {
        // A UTF-8 byte-order mark is not JSON but is common in exports from Windows tools.
        if self.reader.fill_buf()?.starts_with(&[0xEF, 0xBB, 0xBF]) {
            self.reader.consume(3);
            self.offset = 3;
            self.line_start = 3;
        }
        match self.skip_ws()? {
            Some(b'[') => {
                self.bump();
                self.state = State::Element { first: true };
                Ok(())
            }
            Some(b'{') => {
                self.bump();
                self.wrapped = true;
                self.seek_users()
            }
            Some(b'"') => Err(SourceErrorKind::WrongTopLevel("a string")),
            Some(b'-' | b'0'..=b'9') => Err(SourceErrorKind::WrongTopLevel("a number")),
            // A literal only when the word is one: `nope` is text, not null.
            Some(b't' | b'f' | b'n') => {
                let head = self.reader.fill_buf()?;
                let literal = [
                    (&b"true"[..], "a boolean"),
                    (b"false", "a boolean"),
                    (b"null", "null"),
                ]
                .into_iter()
                .find(|(word, _)| {
                    head.starts_with(word)
                        && head
                            .get(word.len())
                            .is_none_or(|b| !b.is_ascii_alphanumeric())
                });
                let first = head.first().copied();
                match literal {
                    Some((_, kind)) => Err(SourceErrorKind::WrongTopLevel(kind)),
                    None => Err(self.syntax("'[' or '{' (this is not JSON)", first)),
                }
            }
            other => Err(self.syntax("'[' or '{' (this is not JSON)", other)),
        }
    }

    /// Inside the top-level object: skips members until `"users": [`.
    fn seek_users(&mut self) -> Result<(), SourceErrorKind> {
        let mut first = true;
        loop {
            match self.skip_ws()? {
                Some(b'}') => {
                    self.bump();
                    return Err(SourceErrorKind::WrongTopLevel(
                        "an object without a \"users\" array",
                    ));
                }
                Some(b',') if !first => self.bump(),
                Some(b'"') if first => {}
                other if !first || other != Some(b'"') => {
                    return Err(self.syntax("a key or '}'", other));
                }
                _ => {}
            }
            first = false;
            let key_line = self.line;
            if self.skip_ws()? != Some(b'"') {
                let found = self.peek()?;
                return Err(self.syntax("a key", found));
            }
            if !self.scan_value()? {
                return Err(SourceErrorKind::Truncated {
                    row: 0,
                    line: key_line,
                });
            }
            let key: String =
                serde_json::from_slice(&self.buf).map_err(|e| SourceErrorKind::Json {
                    line: key_line,
                    column: 0,
                    message: strip_position(&e.to_string()),
                })?;
            match self.skip_ws()? {
                Some(b':') => self.bump(),
                other => return Err(self.syntax("':'", other)),
            }
            let next = self.skip_ws()?;
            if key == "users" {
                if next == Some(b'[') {
                    self.bump();
                    self.state = State::Element { first: true };
                    return Ok(());
                }
                return Err(SourceErrorKind::WrongTopLevel(
                    "an object whose \"users\" is not an array",
                ));
            }
            let line = self.line;
            if next.is_none() || !self.scan_value()? {
                return Err(SourceErrorKind::Truncated { row: 0, line });
            }
        }
    }

    /// After the users array of a wrapper: the remaining members, then `}`.
    fn finish_wrapper(&mut self) -> Result<(), SourceErrorKind> {
        loop {
            match self.skip_ws()? {
                Some(b'}') => {
                    self.bump();
                    return Ok(());
                }
                Some(b',') => {
                    self.bump();
                    let line = self.line;
                    // key
                    if self.skip_ws()? != Some(b'"') || !self.scan_value()? {
                        let found = self.peek()?;
                        return Err(self.syntax("a key", found));
                    }
                    match self.skip_ws()? {
                        Some(b':') => self.bump(),
                        other => return Err(self.syntax("':'", other)),
                    }
                    if self.skip_ws()?.is_none() || !self.scan_value()? {
                        return Err(SourceErrorKind::Truncated {
                            row: self.row,
                            line,
                        });
                    }
                }
                other => return Err(self.syntax("',' or '}'", other)),
            }
        }
    }

    fn finish(&mut self) -> Result<(), SourceErrorKind> {
        if self.wrapped {
            self.finish_wrapper()?;
        }
        match self.skip_ws()? {
            None => Ok(()),
            other => Err(self.syntax("the end of the file", other)),
        }
    }

    /// Scans to the end of the next element (left in `self.buf`).
    fn next_element(&mut self) -> Result<Option<Position>, SourceErrorKind> {
        if self.state == State::Start {
            self.start()?;
        }
        let State::Element { first } = self.state else {
            return Ok(None);
        };
        let mut b = self.skip_ws()?;
        let mut after_comma = false;
        if !first {
            match b {
                Some(b',') => {
                    self.bump();
                    after_comma = true;
                    b = self.skip_ws()?;
                }
                Some(b']') => {}
                None => {
                    return Err(SourceErrorKind::Truncated {
                        row: self.row + 1,
                        line: self.line,
                    });
                }
                other => return Err(self.syntax("',' or ']'", other)),
            }
        }
        match b {
            Some(b']') if after_comma => {
                return Err(self.syntax("a record after ','", b));
            }
            Some(b']') => {
                self.bump();
                self.state = State::WrapperRest;
                self.finish()?;
                self.state = State::Done;
                return Ok(None);
            }
            None => {
                return Err(SourceErrorKind::Truncated {
                    row: self.row + 1,
                    line: self.line,
                });
            }
            _ => {}
        }
        self.row += 1;
        let position = Position {
            row: self.row,
            line: self.line,
        };
        if !self.scan_value()? {
            return Err(SourceErrorKind::Truncated {
                row: position.row,
                line: position.line,
            });
        }
        self.state = State::Element { first: false };
        Ok(Some(position))
    }

    fn next_record(&mut self) -> Result<Option<Record>, SourceErrorKind> {
        match self.next_element()? {
            Some(position) => parse_element(&self.buf, position).map(Some),
            None => Ok(None),
        }
    }

    /// The next element's raw bytes, appended to `out`, unparsed: parsing can then
    /// happen on another thread (`parse_element`).
    pub fn next_raw(&mut self, out: &mut Vec<u8>) -> Result<Option<Position>, SourceErrorKind> {
        let position = self.next_element()?;
        if position.is_some() {
            out.extend_from_slice(&self.buf);
        }
        Ok(position)
    }
}

/// Parses one array element as `next_raw` returned it.
pub fn parse_element(bytes: &[u8], position: Position) -> Result<Record, SourceErrorKind> {
    parse_record(bytes, position).map_err(|e| SourceErrorKind::Json {
        line: position.line + e.line().saturating_sub(1) as u64,
        column: e.column() as u64,
        message: strip_position(&e.to_string()),
    })
}

fn newlines(bytes: &[u8]) -> u64 {
    memchr::memchr_iter(b'\n', bytes).count() as u64
}

/// serde_json appends " at line L column C"; positions are reported separately.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

impl<R: BufRead> Iterator for JsonRecords<R> {
    type Item = Result<Record, SourceErrorKind>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.state == State::Done {
            return None;
        }
        match self.next_record() {
            Ok(Some(r)) => Some(Ok(r)),
            Ok(None) => None,
            Err(e) => {
                self.state = State::Done;
                Some(Err(e))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Vec<Record>, SourceErrorKind> {
        JsonRecords::new(text.as_bytes()).collect()
    }

    #[test]
    fn array_and_wrapper_with_positions() {
        let recs = read("[\n  {\"a\": 1},\n  {\"b\": \"x,]}\\\"\"}\n]\n").expect("reads");
        assert_eq!(recs.len(), 2);
        assert_eq!(recs[1].position, Position { row: 2, line: 3 });
        assert_eq!(recs[1].fields["b"], "x,]}\"");
        let recs = read("{\"meta\": {\"n\": [1]}, \"users\": [{\"id\": 1}], \"next\": null}")
            .expect("reads");
        assert_eq!(recs.len(), 1);
        assert!(read("[]").expect("reads").is_empty());
        assert!(read("\u{feff}[ ]").expect("reads").is_empty());
    }

    #[test]
    fn non_objects_are_defects_not_errors() {
        let recs = read("[1, \"x\", {\"ok\": true}]").expect("reads");
        assert_eq!(recs.len(), 3);
        assert!(
            recs[0]
                .defect
                .as_deref()
                .is_some_and(|d| d.contains("a number"))
        );
        assert!(recs[2].defect.is_none());
    }

    #[test]
    fn truncation_names_the_record() {
        match read("[{\"a\": 1},\n{\"b\": ") {
            Err(SourceErrorKind::Truncated { row, line }) => assert_eq!((row, line), (2, 2)),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            read("[{\"a\": 1}"),
            Err(SourceErrorKind::Truncated { .. })
        ));
        assert!(matches!(
            read("[{\"a\": 1},"),
            Err(SourceErrorKind::Truncated { .. })
        ));
    }

    #[test]
    fn syntax_errors_carry_line_and_column() {
        match read("[\n{\"a\": 1},\n{\"b\" 2}\n]") {
            Err(SourceErrorKind::Json { line, .. }) => assert_eq!(line, 3),
            other => panic!("{other:?}"),
        }
        // Columns count from 1, in bytes, after a byte-order mark and across lines.
        for (text, at) in [
            ("nope", (1, 1)),
            ("\u{feff}nope", (1, 1)),
            ("  \n   x", (2, 4)),
            ("[{\"a\":1}\n  x]", (2, 3)),
            ("[{\"a\":\n1} x]", (2, 4)),
        ] {
            match read(text) {
                Err(SourceErrorKind::Json { line, column, .. }) => {
                    assert_eq!((line, column), at, "{text:?}")
                }
                other => panic!("{text:?}: {other:?}"),
            }
        }
        assert!(matches!(
            read("[{\"a\":1}] x"),
            Err(SourceErrorKind::Json { .. })
        ));
        assert!(matches!(
            read("[{\"a\":1} {\"b\":2}]"),
            Err(SourceErrorKind::Json { .. })
        ));
        assert!(matches!(
            read("[{\"a\":1},]"),
            Err(SourceErrorKind::Json { .. })
        ));
        assert!(matches!(
            read("\"users\""),
            Err(SourceErrorKind::WrongTopLevel(_))
        ));
        assert!(matches!(
            read("{\"people\": []}"),
            Err(SourceErrorKind::WrongTopLevel(_))
        ));
    }
}
