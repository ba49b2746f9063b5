//! Failure messages grouped and counted, for the reports of every engine.

use std::collections::HashMap;

/// Groups failure messages, keeping first-seen order for ties.
#[derive(Debug, Default)]
pub struct ErrorTally {
    counts: HashMap<String, (u64, usize)>,
}

impl ErrorTally {
    pub fn add(&mut self, message: &str) {
        let key = normalize(message);
        let next = self.counts.len();
        self.counts.entry(key).or_insert((0, next)).0 += 1;
    }

    pub fn sorted(&self) -> Vec<(String, u64)> {
        let mut v: Vec<_> = self
            .counts
            .iter()
            .map(|(k, (n, i))| (k.clone(), *n, *i))
            .collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.2.cmp(&b.2)));
        v.into_iter().map(|(k, n, _)| (k, n)).collect()
    }
}

/// Makes messages that differ only in list order group together: the tokens inside a
/// `[...]` list of quoted names are sorted. Anything else is left alone (the reference
/// mangles brackets that are not lists).
pub fn normalize(message: &str) -> String {
    let (Some(open), Some(close)) = (message.find('['), message.find(']')) else {
        return message.to_owned();
    };
    if close < open {
        return message.to_owned();
    }
    let inner = &message[open + 1..close];
    let tokens: Vec<&str> = inner.split_whitespace().collect();
    let all_quoted = !tokens.is_empty()
        && tokens
            .iter()
            .all(|t| t.len() >= 2 && t.starts_with('"') && t.ends_with('"'));
    if !all_quoted {
        return message.to_owned();
    }
    let mut sorted = tokens.clone();
    sorted.sort_unstable();
    format!(
        "{}[{}]{}",
        &message[..open],
        sorted.join(" "),
        &message[close + 1..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_group_regardless_of_order() {
        assert_eq!(
            normalize(r#"["last_name" "first_name"] data doesn't match"#),
            r#"["first_name" "last_name"] data doesn't match"#
        );
        assert_eq!(normalize("see [the docs] please"), "see [the docs] please");
        assert_eq!(normalize("unclosed [ bracket"), "unclosed [ bracket");
        let mut t = ErrorTally::default();
        t.add("b");
        t.add("a");
        t.add("a");
        assert_eq!(t.sorted(), [("a".to_owned(), 2), ("b".to_owned(), 1)]);
    }
}
