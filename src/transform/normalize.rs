//! Value normalisation shared by every transformer: text, booleans, lists, dates,
//! metadata objects and names, each tolerant of what CSV and JSON exports contain.

use chrono::{DateTime, NaiveDate, NaiveDateTime, SecondsFormat, TimeZone, Utc};
use serde_json::{Map, Value};

/// A non-blank string, trimmed; numbers become their decimal text (numeric IDs).
pub fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.trim()).filter(|s| !s.is_empty()).map(str::to_owned),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// `text` for an owned value, reusing its string when it needs no trimming.
pub fn into_text(v: Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() && s.trim().len() == s.len() => Some(s),
        other => text(&other),
    }
}

/// A boolean from JSON booleans, 1/0, and (any case) true/false, yes/no, y/n, 1/0.
pub fn flag(v: &Value) -> Result<bool, String> {
    match v {
        Value::Bool(b) => Ok(*b),
        Value::Number(n) if n.as_f64() == Some(1.0) => Ok(true),
        Value::Number(n) if n.as_f64() == Some(0.0) => Ok(false),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "t" | "1" | "yes" | "y" => Ok(true),
            "false" | "f" | "0" | "no" | "n" => Ok(false),
            _ => Err("is not a boolean (use true/false, yes/no or 1/0)".to_owned()),
        },
        _ => Err("is not a boolean (use true/false, yes/no or 1/0)".to_owned()),
    }
}

/// Whether a "verified at" style value says yes: a timestamp or `true` means verified;
/// null, blank, `false`, `0` and the strings "false"/"0"/"no" mean not.
pub fn verified_marker(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => {
            let s = s.trim().to_ascii_lowercase();
            !matches!(s.as_str(), "" | "false" | "f" | "0" | "no" | "n" | "null")
        }
        _ => true,
    }
}

/// A list of strings from an array, a JSON-array string, or text split on `,` or `|`.
/// Items are trimmed; blanks are dropped.
pub fn list(v: &Value) -> Vec<String> {
    match v {
        Value::Array(items) => items.iter().filter_map(text).collect(),
        Value::String(s) => {
            let t = s.trim();
            if t.starts_with('[')
                && let Ok(Value::Array(items)) = serde_json::from_str::<Value>(t)
            {
                return items.iter().filter_map(text).collect();
            }
            t.split([',', '|'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        }
        Value::Number(_) => text(v).into_iter().collect(),
        _ => Vec::new(),
    }
}

/// Appends `items` to `out`, skipping case-insensitive duplicates.
pub fn push_unique(out: &mut Vec<String>, items: impl IntoIterator<Item = String>) {
    for item in items {
        if !out.iter().any(|o| o.eq_ignore_ascii_case(&item)) {
            out.push(item);
        }
    }
}

/// A point in time as RFC 3339 UTC with milliseconds, from: RFC 3339 / ISO 8601 text,
/// Postgres text (`2024-01-15 10:30:00.000000+00`), a date, or epoch milliseconds (a
/// number or a string of digits; values below 10^11 are taken as seconds).
pub fn timestamp(v: &Value) -> Result<String, String> {
    let bad = || {
        "is not a date (use RFC 3339, e.g. 2024-01-15T10:30:00Z, or epoch milliseconds)".to_owned()
    };
    let from_epoch = |n: i64| -> Result<String, String> {
        let ms = if n.abs() < 100_000_000_000 {
            n.saturating_mul(1000)
        } else {
            n
        };
        Utc.timestamp_millis_opt(ms)
            .single()
            .map(format_utc)
            .ok_or_else(bad)
    };
    match v {
        Value::Number(n) => match n.as_i64() {
            Some(i) => from_epoch(i),
            None => n
                .as_f64()
                .filter(|f| f.is_finite())
                .map_or_else(|| Err(bad()), |f| from_epoch(f as i64)),
        },
        Value::String(s) => {
            let s = s.trim();
            if !s.is_empty() && s.len() <= 16 && s.bytes().all(|b| b.is_ascii_digit()) {
                return s.parse::<i64>().map_err(|_| bad()).and_then(from_epoch);
            }
            parse_text_time(s).map(format_utc).ok_or_else(bad)
        }
        _ => Err(bad()),
    }
}

fn format_utc(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn parse_text_time(s: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    // Postgres writes `+00` offsets and a space separator.
    let normalized = {
        let mut t = s.replacen(' ', "T", 1);
        if let Some(i) = t.rfind(['+', '-']).filter(|&i| i > 10) {
            let offset = &t[i + 1..];
            if offset.len() == 2 && offset.bytes().all(|b| b.is_ascii_digit()) {
                t.push_str(":00");
            }
        }
        t
    };
    if let Ok(t) = DateTime::parse_from_rfc3339(&normalized) {
        return Some(t.with_timezone(&Utc));
    }
    for fmt in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(&normalized, fmt) {
            return Some(t.and_utc());
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return d.and_hms_opt(0, 0, 0).map(|t| t.and_utc());
    }
    DateTime::parse_from_rfc2822(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// A metadata object from an object or a JSON-object string; empty objects are `None`.
pub fn object(v: &Value) -> Result<Option<Map<String, Value>>, String> {
    into_object(v.clone())
}

/// `object` for an owned value, without copying an object.
pub fn into_object(v: Value) -> Result<Option<Map<String, Value>>, String> {
    let map = match v {
        Value::Object(m) => m,
        Value::String(s) if s.trim().is_empty() => return Ok(None),
        Value::String(s) => match parse_json_text(s.trim()) {
            Ok(Value::Object(m)) => m,
            Ok(_) => return Err("is not a JSON object".to_owned()),
            Err(_) => return Err("is not valid JSON (expected an object)".to_owned()),
        },
        Value::Null => return Ok(None),
        _ => return Err("is not a JSON object".to_owned()),
    };
    Ok(Some(map).filter(|m| !m.is_empty()))
}

/// JSON text as exports write it; some CSV exports (Supabase's among them) keep the
/// backslash before each quote, `{\"provider\":…}`, which is JSON once unescaped.
fn parse_json_text(s: &str) -> serde_json::Result<Value> {
    serde_json::from_str(s).or_else(|e| {
        if s.starts_with("{\\\"") {
            serde_json::from_str(&s.replace("\\\"", "\""))
        } else {
            Err(e)
        }
    })
}

/// A whole number from a number or numeric text.
pub fn integer(v: &Value) -> Result<i64, String> {
    let bad = || "is not a whole number".to_owned();
    match v {
        Value::Number(n) => n.as_i64().ok_or_else(bad),
        Value::String(s) => s.trim().parse::<i64>().map_err(|_| bad()),
        _ => Err(bad()),
    }
}

/// Splits a display name: the first word is the first name, the rest the last name. A
/// single word is kept as the first name (the reference drops it).
pub fn split_name(full: &str) -> (Option<String>, Option<String>) {
    let mut words = full.split_whitespace();
    let first = words.next().map(str::to_owned);
    let rest: Vec<&str> = words.collect();
    let last = (!rest.is_empty()).then(|| rest.join(" "));
    (first, last)
}

/// Removes a Discord-style `#1234` discriminator from the end of a name.
pub fn strip_discriminator(name: &str) -> Option<String> {
    let trimmed = match name.rfind('#') {
        Some(i) if i + 1 < name.len() && name[i + 1..].bytes().all(|b| b.is_ascii_digit()) => {
            &name[..i]
        }
        _ => name,
    };
    Some(trimmed.trim().to_owned()).filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    #[test]
    fn json_text_with_escaped_quotes_from_csv_exports_is_read() {
        let v = Value::String(r#"{\"provider\":\"email\",\"plan\":\"pro\"}"#.to_owned());
        let m = into_object(v).expect("parsed").expect("not empty");
        assert_eq!(m.get("plan"), Some(&Value::String("pro".into())));
        assert!(into_object(Value::String("{not json".into())).is_err());
    }

    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn booleans() {
        for t in [
            json!(true),
            json!(1),
            json!("TRUE"),
            json!(" yes "),
            json!("y"),
            json!("1"),
        ] {
            assert_eq!(flag(&t), Ok(true), "{t}");
        }
        for f in [
            json!(false),
            json!(0),
            json!("false"),
            json!("No"),
            json!("0"),
        ] {
            assert_eq!(flag(&f), Ok(false), "{f}");
        }
        assert!(flag(&json!("maybe")).is_err());
        assert!(verified_marker(&json!("2024-01-15T10:30:00.000Z")));
        assert!(!verified_marker(&json!("false")));
        assert!(!verified_marker(&Value::Null));
    }

    #[test]
    fn lists() {
        assert_eq!(
            list(&json!("a@x.io| b@x.io ,c@x.io")),
            ["a@x.io", "b@x.io", "c@x.io"]
        );
        assert_eq!(list(&json!("[\"a\", \" \", \"b\"]")), ["a", "b"]);
        assert_eq!(list(&json!(["x", 5, null])), ["x", "5"]);
        assert!(list(&json!("")).is_empty());
    }

    #[test]
    fn dates() {
        assert_eq!(
            timestamp(&json!("1704067200000")).as_deref(),
            Ok("2024-01-01T00:00:00.000Z")
        );
        assert_eq!(
            timestamp(&json!(1704067200)).as_deref(),
            Ok("2024-01-01T00:00:00.000Z")
        );
        assert_eq!(
            timestamp(&json!("2024-01-15 10:30:00.000000+00")).as_deref(),
            Ok("2024-01-15T10:30:00.000Z")
        );
        assert_eq!(
            timestamp(&json!("2024-01-15T10:30:00+02:00")).as_deref(),
            Ok("2024-01-15T08:30:00.000Z")
        );
        assert_eq!(
            timestamp(&json!("2024-01-15")).as_deref(),
            Ok("2024-01-15T00:00:00.000Z")
        );
        assert!(timestamp(&json!("not-a-date")).is_err());
    }

    #[test]
    fn names_and_metadata() {
        assert_eq!(split_name("Noah"), (Some("Noah".into()), None));
        assert_eq!(
            split_name("William James  Miller"),
            (Some("William".into()), Some("James Miller".into()))
        );
        assert_eq!(strip_discriminator("gamer#1234").as_deref(), Some("gamer"));
        assert_eq!(strip_discriminator("#1234"), None);
        assert_eq!(
            object(&json!("{\"a\":1}")).expect("ok").map(|m| m.len()),
            Some(1)
        );
        assert_eq!(object(&json!("{}")), Ok(None));
        assert!(object(&json!("[1]")).is_err());
    }

    proptest! {
        #[test]
        fn no_string_makes_normalisation_panic(s in ".{0,64}") {
            let v = Value::String(s.clone());
            let _ = (text(&v), flag(&v), list(&v), timestamp(&v), object(&v), integer(&v), verified_marker(&v));
            let _ = (split_name(&s), strip_discriminator(&s));
        }

        #[test]
        fn list_items_are_trimmed_and_never_blank(parts in proptest::collection::vec("[a-z@. ]{0,8}", 0..6), sep in "[,|]") {
            let joined = parts.join(&sep);
            for item in list(&Value::String(joined)) {
                prop_assert!(!item.is_empty());
                prop_assert_eq!(item.trim(), item.as_str());
            }
        }

        #[test]
        fn epoch_millis_round_trip(ms in 0i64..4_102_444_800_000) {
            let text = timestamp(&json!(ms.to_string()));
            if ms >= 100_000_000_000 {
                let parsed = DateTime::parse_from_rfc3339(&text.expect("formats")).expect("rfc3339");
                prop_assert_eq!(parsed.timestamp_millis(), ms);
            }
        }
    }
}
