//! Better Auth: the `user` table with its `account` rows (the `credential` account holds
//! the password; other providers go to metadata) and the `twoFactor` plugin's secret,
//! plus the username, phoneNumber and admin plugins' columns where they exist.
//!
//! Each user is one row: accounts are gathered by subqueries, never joined, so a user
//! with several accounts is still exported once.

use super::Page;
use super::db::{DbError, DbUrl, Pool, pg_columns, pg_count, pg_page, quote};

/// The tables, as `--user-table` / `--account-table` name them.
#[derive(Debug, Clone)]
pub struct Tables {
    pub user: String,
    pub account: String,
    pub two_factor: String,
}

pub struct BetterAuth {
    schema: String,
    user: String,
    account: String,
    two_factor: Option<String>,
}

impl BetterAuth {
    pub async fn open(
        url: &DbUrl,
        pool: &Pool,
        schema: &str,
        tables: &Tables,
    ) -> Result<Self, DbError> {
        let Pool::Postgres(pg) = pool else {
            return Err(DbError::Unsupported {
                what: "Better Auth on MySQL and SQLite",
                hint: "export from PostgreSQL, or write the export with Better Auth's own tooling for now",
            });
        };
        let place = |t: &str| format!("{schema}.{t}");
        let users = pg_columns(pg, schema, &tables.user)
            .await
            .map_err(|e| url.query_error("the schema", e))?;
        if users.is_empty() {
            return Err(DbError::MissingTable {
                table: place(&tables.user),
                place: format!("the database at {}", url.shown),
                hint: "check --db-url, and --user-table if the app renamed Better Auth's user model",
            });
        }
        for needed in ["id", "email", "emailVerified", "name", "createdAt"] {
            if !users.contains(needed) {
                return Err(DbError::MissingColumn {
                    table: place(&tables.user),
                    column: needed.to_owned(),
                    hint: "this does not look like Better Auth's user table",
                });
            }
        }
        let accounts = pg_columns(pg, schema, &tables.account)
            .await
            .map_err(|e| url.query_error("the schema", e))?;
        if accounts.is_empty() {
            return Err(DbError::MissingTable {
                table: place(&tables.account),
                place: format!("the database at {}", url.shown),
                hint: "Better Auth keeps passwords in its account table: check --account-table",
            });
        }
        for needed in ["userId", "providerId", "accountId", "password"] {
            if !accounts.contains(needed) {
                return Err(DbError::MissingColumn {
                    table: place(&tables.account),
                    column: needed.to_owned(),
                    hint: "this does not look like Better Auth's account table",
                });
            }
        }
        let two_factor = pg_columns(pg, schema, &tables.two_factor)
            .await
            .map_err(|e| url.query_error("the schema", e))?;
        let qualified = |t: &str| format!("{}.{}", quote(schema), quote(t));
        Ok(Self {
            schema: schema.to_owned(),
            user: qualified(&tables.user),
            account: qualified(&tables.account),
            two_factor: (two_factor.contains("secret") && two_factor.contains("userId")).then(
                || {
                    let verified = if two_factor.contains("verified") {
                        " AND t.verified IS NOT FALSE"
                    } else {
                        ""
                    };
                    format!(
                        "{} t WHERE t.\"userId\" = u.id{verified}",
                        qualified(&tables.two_factor)
                    )
                },
            ),
        })
    }

    pub async fn count(&self, url: &DbUrl, pool: &Pool) -> Result<u64, DbError> {
        let sql = format!("SELECT count(*) FROM {}", self.user);
        pg_count(url, pool, &sql, "the user count").await
    }

    fn page_sql(&self) -> String {
        let two_factor = self.two_factor.as_ref().map_or("NULL".to_owned(), |from| {
            format!("(SELECT t.secret FROM {from} LIMIT 1)")
        });
        format!(
            "SELECT u.id::text AS key, (to_jsonb(u) || jsonb_build_object(\
             'password', (SELECT a.password FROM {account} a WHERE a.\"userId\" = u.id \
               AND a.\"providerId\" = 'credential' AND a.password IS NOT NULL \
               ORDER BY a.\"createdAt\" LIMIT 1), \
             'accounts', COALESCE((SELECT jsonb_agg(jsonb_build_object('providerId', a.\"providerId\", \
               'accountId', a.\"accountId\") ORDER BY a.\"providerId\", a.\"accountId\") FROM {account} a \
               WHERE a.\"userId\" = u.id AND a.\"providerId\" <> 'credential'), '[]'::jsonb), \
             'twoFactorSecret', {two_factor}))::text AS doc \
             FROM {user} u WHERE u.id::text > $1 ORDER BY u.id::text LIMIT $2",
            account = self.account,
            user = self.user,
        )
    }

    /// The next `limit` users after `after` (keyset pagination on the primary key).
    pub async fn page(
        &self,
        url: &DbUrl,
        pool: &Pool,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Page, DbError> {
        pg_page(url, pool, &self.page_sql(), after.unwrap_or(""), limit).await
    }

    pub fn place(&self) -> String {
        format!("schema {}", self.schema)
    }
}

/// The TOTP secret Better Auth's two-factor plugin stored: XChaCha20-Poly1305 under
/// SHA-256 of the app's secret, hex of nonce ‖ ciphertext, optionally in a `$ba$<v>$`
/// envelope. The plugin's TOTP key is the decrypted text's bytes; Clerk takes base32.
pub fn decrypt_totp(stored: &str, app_secret: &str) -> Option<String> {
    use chacha20poly1305::aead::{Aead, KeyInit};
    use chacha20poly1305::{XChaCha20Poly1305, XNonce};
    use sha2::{Digest, Sha256};
    let hex = match stored.strip_prefix("$ba$") {
        Some(rest) => rest.split_once('$')?.1,
        None => stored,
    };
    if hex.len() % 2 != 0 {
        return None;
    }
    let bytes: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect::<Option<_>>()?;
    if bytes.len() < 24 + 16 {
        return None;
    }
    let key = Sha256::digest(app_secret.as_bytes());
    let cipher = XChaCha20Poly1305::new_from_slice(&key).ok()?;
    let (nonce, sealed) = bytes.split_at(24);
    let plain = cipher.decrypt(XNonce::from_slice(nonce), sealed).ok()?;
    Some(base32(&plain))
}

/// RFC 4648 base32 without padding, as authenticator apps take TOTP secrets.
fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((buffer >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base32_matches_rfc4648() {
        assert_eq!(base32(b""), "");
        assert_eq!(base32(b"f"), "MY");
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
    }

    #[test]
    fn a_wrong_secret_or_a_mangled_value_decrypts_to_nothing() {
        assert_eq!(decrypt_totp("zz", "s"), None);
        assert_eq!(decrypt_totp(&"ab".repeat(60), "s"), None);
    }
}
