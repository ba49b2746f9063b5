//! The secret key as a type that cannot be printed by accident.

use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

/// Development or production, from the key's prefix (Clerk's API keys: `sk_live_`, `sk_test_`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InstanceKind {
    /// `sk_test_` keys: 100 requests per 10 s, 100 users.
    Development,
    /// `sk_live_` keys: 1000 requests per 10 s.
    Production,
}

impl InstanceKind {
    /// Requests per second Clerk allows this kind of instance.
    pub fn default_rate(self) -> f64 {
        match self {
            Self::Development => 10.0,
            Self::Production => 100.0,
        }
    }

    /// The word users see.
    pub fn label(self) -> &'static str {
        match self {
            Self::Development => "development",
            Self::Production => "production",
        }
    }
}

/// Why a key was refused before any request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("the secret key is empty")]
    Empty,
    #[error("the secret key must start with sk_live_ (production) or sk_test_ (development)")]
    BadPrefix,
}

/// A Clerk secret key. `Debug` shows only a redacted form and there is no `Display`.
#[derive(Clone)]
pub struct SecretKey {
    inner: SecretString,
    kind: InstanceKind,
}

impl SecretKey {
    /// Checks the prefix and wraps the key.
    pub fn parse(raw: &str) -> Result<Self, KeyError> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(KeyError::Empty);
        }
        let kind = if raw.starts_with("sk_live_") {
            InstanceKind::Production
        } else if raw.starts_with("sk_test_") {
            InstanceKind::Development
        } else {
            return Err(KeyError::BadPrefix);
        };
        Ok(Self {
            inner: SecretString::from(raw.to_owned()),
            kind,
        })
    }

    /// Development or production.
    pub fn kind(&self) -> InstanceKind {
        self.kind
    }

    /// The key for the HTTP client's auth header: the one place it is exposed.
    pub fn for_client(&self) -> &SecretString {
        &self.inner
    }

    /// A stable identifier of the instance the key opens that reveals nothing of the key:
    /// the first 16 hex digits of its SHA-256.
    pub fn fingerprint(&self) -> String {
        let digest = Sha256::digest(self.inner.expose_secret().as_bytes());
        digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
    }

    /// The prefix and last four characters, e.g. `sk_test_…a1b2`.
    pub fn redacted(&self) -> String {
        let s = self.inner.expose_secret();
        let prefix = &s[..8.min(s.len())];
        let tail: String = s
            .chars()
            .rev()
            .take(4)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        if s.chars().count() > 16 {
            format!("{prefix}…{tail}")
        } else {
            format!("{prefix}…")
        }
    }
}

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SecretKey({}, {})", self.kind.label(), self.redacted())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_comes_from_the_prefix() {
        let dev = SecretKey::parse("sk_test_abcdefghijklmnopqrstuvwxyz").expect("valid");
        assert_eq!(dev.kind(), InstanceKind::Development);
        let prod = SecretKey::parse(" sk_live_abc ").expect("valid");
        assert_eq!(prod.kind(), InstanceKind::Production);
        assert_eq!(
            SecretKey::parse("sk_prod_x").unwrap_err(),
            KeyError::BadPrefix
        );
        assert_eq!(SecretKey::parse("  ").unwrap_err(), KeyError::Empty);
    }

    #[test]
    fn debug_never_shows_the_key() {
        let key = SecretKey::parse("sk_test_SuperSecretValue1234").expect("valid");
        let shown = format!("{key:?}");
        assert!(!shown.contains("SuperSecretValue"));
        assert!(shown.contains("1234"));
        assert_ne!(
            key.fingerprint(),
            SecretKey::parse("sk_test_other")
                .expect("valid")
                .fingerprint()
        );
    }
}
