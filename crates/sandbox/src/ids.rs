//! Object IDs and trace IDs in Clerk's shapes.

use rand::Rng;

const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// A Clerk-style ID: the type prefix, `_`, and 27 base62 characters (spec `^user_\w{27}$`).
pub fn object_id(prefix: &str) -> String {
    let mut rng = rand::rng();
    let mut id = String::with_capacity(prefix.len() + 28);
    id.push_str(prefix);
    id.push('_');
    for _ in 0..27 {
        id.push(BASE62[rng.random_range(0..BASE62.len())] as char);
    }
    id
}

/// A 32-character lowercase hex trace ID, as Clerk puts in `clerk_trace_id`.
pub fn trace_id() -> String {
    let mut rng = rand::rng();
    (0..32)
        .map(|_| char::from_digit(rng.random_range(0..16), 16).unwrap_or('0'))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_match_the_spec_pattern() {
        let id = object_id("user");
        assert!(id.starts_with("user_"));
        assert_eq!(id.len(), 32);
        assert!(id[5..].chars().all(|c| c.is_ascii_alphanumeric()));
        let t = trace_id();
        assert_eq!(t.len(), 32);
        assert!(
            t.chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
    }
}
