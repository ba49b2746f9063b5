//! Organization slugs as Clerk accepts them: lower-case ASCII letters, digits and `-`
//! (Clerk's `CreateOrganization` spec), with at least one letter or digit (what Clerk's
//! own components check since clerk/javascript#5586).

/// Whether Clerk accepts `slug` as it is.
pub fn is_valid(slug: &str) -> bool {
    !slug.is_empty()
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && slug.bytes().any(|b| b.is_ascii_alphanumeric())
}

/// Latin letters that no decomposition turns into ASCII.
fn fold(c: char) -> Option<&'static str> {
    Some(match c {
        'ß' => "ss",
        'æ' => "ae",
        'œ' => "oe",
        'ø' => "o",
        'ł' => "l",
        'đ' | 'ð' => "d",
        'þ' => "th",
        'ı' => "i",
        _ => return None,
    })
}

/// A slug Clerk accepts made from `text` (a source slug or a name): accents dropped,
/// lower-cased, every run of other characters one `-`, none at either end. `None` when
/// nothing of `text` survives (a name in another script): the organization then needs a
/// slug given.
pub fn normalise(text: &str) -> Option<String> {
    use unicode_normalization::UnicodeNormalization;
    use unicode_normalization::char::is_combining_mark;
    let mut out = String::with_capacity(text.len());
    let letters = text
        .chars()
        .flat_map(char::to_lowercase)
        .flat_map(|c| match fold(c) {
            Some(s) => s.chars().collect::<Vec<_>>(),
            None => vec![c],
        })
        .collect::<String>();
    for c in letters.nfkd().filter(|c| !is_combining_mark(*c)) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    is_valid(&out).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_clerk_accepts() {
        assert!(is_valid("acme-2"));
        assert!(!is_valid("Acme"));
        assert!(!is_valid("---"));
        assert!(!is_valid(""));
        assert!(!is_valid("acme_corp"));
        assert_eq!(
            normalise("Acme Corp, Inc."),
            Some("acme-corp-inc".to_owned())
        );
        assert_eq!(
            normalise("  --Team__Blue--  "),
            Some("team-blue".to_owned())
        );
        assert_eq!(normalise("acme-2"), Some("acme-2".to_owned()));
        assert_eq!(normalise("Ünïcode Café"), Some("unicode-cafe".to_owned()));
        assert_eq!(
            normalise("Straße Øresund Æble"),
            Some("strasse-oresund-aeble".to_owned())
        );
        assert_eq!(normalise("東京"), None);
        for text in ["A", "a--b", "x y z", "ÆØÅ 42", "-", "", "🙂 smile"] {
            if let Some(s) = normalise(text) {
                assert!(is_valid(&s), "{text:?} gave {s:?}");
            }
        }
    }
}
