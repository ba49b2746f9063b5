//! `Unmapped`: a record's fields, taken one by one as a transformer maps them, so what is
//! left at the end is exactly what no mapping used (reported, never dropped silently).

use serde_json::{Map, Value};

use crate::source;

use super::normalize;
use crate::user::Problem;

pub struct Unmapped {
    map: source::Fields,
    pub problems: Vec<Problem>,
    /// Set when the source says the record is not a user to migrate (soft-deleted,
    /// anonymous): the reason, for the report.
    pub skip: Option<&'static str>,
}

impl Unmapped {
    pub fn new(map: source::Fields) -> Self {
        Self {
            map,
            problems: Vec::new(),
            skip: None,
        }
    }

    /// Removes a field; `null`, blank strings and `"{}"`/`"[]"` texts count as absent.
    pub fn take(&mut self, key: &str) -> Option<Value> {
        match self.map.remove(key)? {
            Value::Null => None,
            Value::String(s) if matches!(s.trim(), "" | "null" | "NULL") => None,
            v => Some(v),
        }
    }

    /// The first present of several keys (all of them are consumed).
    pub fn take_any(&mut self, keys: &[&str]) -> Option<Value> {
        let mut found = None;
        for k in keys {
            let v = self.take(k);
            if found.is_none() {
                found = v;
            }
        }
        found
    }

    pub fn text(&mut self, key: &str) -> Option<String> {
        let v = self.take(key)?;
        let t = normalize::text(&v);
        if t.is_none() && !matches!(v, Value::String(_)) {
            self.problems.push(Problem::new(
                key,
                format!(
                    "is {} where text was expected",
                    crate::source::json_kind(&v)
                ),
            ));
        }
        t
    }

    pub fn list(&mut self, key: &str) -> Vec<String> {
        self.take(key)
            .map(|v| normalize::list(&v))
            .unwrap_or_default()
    }

    pub fn flag(&mut self, key: &str) -> Option<bool> {
        let v = self.take(key)?;
        match normalize::flag(&v) {
            Ok(b) => Some(b),
            Err(reason) => {
                self.problems
                    .push(Problem::new(key, reason).with_detail(v.to_string()));
                None
            }
        }
    }

    pub fn date(&mut self, key: &str) -> Option<String> {
        let v = self.take(key)?;
        match normalize::timestamp(&v) {
            Ok(t) => Some(t),
            Err(reason) => {
                self.problems
                    .push(Problem::new(key, reason).with_detail(v.to_string()));
                None
            }
        }
    }

    pub fn object(&mut self, key: &str) -> Option<Map<String, Value>> {
        let v = self.take(key)?;
        match normalize::into_object(v) {
            Ok(m) => m,
            Err(reason) => {
                self.problems.push(Problem::new(key, reason));
                None
            }
        }
    }

    pub fn integer(&mut self, key: &str) -> Option<i64> {
        let v = self.take(key)?;
        match normalize::integer(&v) {
            Ok(n) => Some(n),
            Err(reason) => {
                self.problems
                    .push(Problem::new(key, reason).with_detail(v.to_string()));
                None
            }
        }
    }

    /// Drops fields that are known and deliberately not imported.
    pub fn discard(&mut self, keys: &[&str]) {
        for k in keys {
            self.map.remove(k);
        }
    }

    /// The names of the fields no mapping used.
    pub fn leftover(self) -> (Vec<String>, Vec<Problem>, Option<&'static str>) {
        (self.map.into_names(), self.problems, self.skip)
    }
}
