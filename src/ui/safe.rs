//! Text from an export is shown as text, never obeyed by the terminal: control
//! characters (an ANSI escape that recolours, moves the cursor or retitles the window,
//! a NUL, a carriage return that hides what came before) and Unicode's bidirectional
//! overrides (which make a line read differently from what it holds) are written as
//! visible `\uXXXX` escapes, the form JSON uses, so JSON output stays valid JSON.

use std::borrow::Cow;
use std::fmt::Write;

fn hazardous(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(
            c,
            '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        )
}

/// `text` with every hazardous character escaped; borrowed when there is none.
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(hazardous) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if hazardous(c) {
            let _ = write!(out, "\\u{:04x}", c as u32);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `word` as one shell word: as is when plain, else in single quotes, so a command the
/// tool prints can be pasted back whatever the path holds.
pub fn shell_word(word: &str) -> Cow<'_, str> {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@%+,".contains(c));
    if plain {
        Cow::Borrowed(word)
    } else {
        Cow::Owned(format!("'{}'", word.replace('\'', r"'\''")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_words_survive_a_shell() {
        assert_eq!(shell_word("users.json"), "users.json");
        assert_eq!(shell_word("/tmp/a-b_c/x.ndjson"), "/tmp/a-b_c/x.ndjson");
        assert_eq!(shell_word("my users.json"), "'my users.json'");
        assert_eq!(shell_word("it's"), r"'it'\''s'");
        assert_eq!(shell_word("$(rm -rf ~)"), "'$(rm -rf ~)'");
        assert_eq!(shell_word(""), "''");
    }

    #[test]
    fn escapes_controls_and_bidi_keeps_the_rest() {
        assert_eq!(escape("plain · text\n\tok"), "plain · text\n\tok");
        assert!(matches!(escape("plain"), Cow::Borrowed(_)));
        assert_eq!(
            escape("a\u{1b}[31mred\u{0}\r\u{202e}gnp.exe\u{9b}"),
            "a\\u001b[31mred\\u0000\\u000d\\u202egnp.exe\\u009b"
        );
        let json = serde_json::json!({"name": "x\u{202e}y"}).to_string();
        let shown = escape(&json);
        let back: serde_json::Value = serde_json::from_str(&shown).expect("still JSON");
        assert_eq!(back["name"], "x\u{202e}y");
    }
}
