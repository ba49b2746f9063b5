//! Better Auth: the `user` table with its `account` rows (the `credential` account holds
//! the password; other providers go to metadata) and the `twoFactor` plugin's secret,
//! plus the username, phoneNumber and admin plugins' columns where they exist.
//!
//! Each user is one row: accounts are gathered by subqueries, never joined, so a user
//! with several accounts is still exported once.

use super::db::{DbError, DbUrl, Dialect, Keyset, Pool, count, require};

/// The tables, as `--user-table` / `--account-table` name them.
#[derive(Debug, Clone)]
pub struct Tables {
    pub user: String,
    pub account: String,
    pub two_factor: String,
}

pub struct BetterAuth {
    dialect: Dialect,
    user: String,
    /// The user table's columns, in a stable order (MySQL and SQLite list them).
    user_columns: Vec<String>,
    account: String,
    /// `FROM … WHERE …` of a user's verified two-factor row, when the plugin's table exists.
    two_factor: Option<String>,
    keyset: Keyset,
}

impl BetterAuth {
    pub async fn open(
        url: &DbUrl,
        pool: &Pool,
        schema: &str,
        tables: &Tables,
    ) -> Result<Self, DbError> {
        let dialect = pool.dialect();
        let place = match dialect {
            Dialect::Postgres => format!("schema {schema}"),
            _ => format!("the {} database at {}", dialect.name(), url.shown),
        };
        let named = |t: &str| match dialect {
            Dialect::Postgres => format!("{schema}.{t}"),
            _ => t.to_owned(),
        };
        let columns = |t: String| async move {
            pool.columns(schema, &t)
                .await
                .map_err(|e| url.query_error("the schema", e))
        };
        let users = columns(tables.user.clone()).await?;
        if users.is_empty() {
            return Err(DbError::MissingTable {
                table: named(&tables.user),
                place: place.clone(),
                hint: "check --db-url, and --user-table if the app renamed Better Auth's user model",
            });
        }
        require(
            &users,
            &["id", "email", "emailVerified", "name", "createdAt"],
            &named(&tables.user),
            "this does not look like Better Auth's user table",
        )?;
        let accounts = columns(tables.account.clone()).await?;
        if accounts.is_empty() {
            return Err(DbError::MissingTable {
                table: named(&tables.account),
                place,
                hint: "Better Auth keeps passwords in its account table: check --account-table",
            });
        }
        require(
            &accounts,
            &["userId", "providerId", "accountId", "password"],
            &named(&tables.account),
            "this does not look like Better Auth's account table",
        )?;
        let two_factor = columns(tables.two_factor.clone()).await?;
        let q = |c: &str| dialect.quote(c);
        let mut user_columns: Vec<String> = users.into_keys().collect();
        user_columns.sort();
        let user = dialect.table(schema, &tables.user);
        let id = format!("u.{}", q("id"));
        Ok(Self {
            keyset: Keyset {
                dialect,
                from: format!("{user} u"),
                // Better Auth's ids are text; MySQL and SQLite compare them as the column
                // does, which is how its index orders them.
                key: match dialect {
                    Dialect::Postgres => format!("{id}::text"),
                    _ => id,
                },
                cast: "",
                first: "",
                filters: Vec::new(),
            },
            dialect,
            user,
            user_columns,
            account: dialect.table(schema, &tables.account),
            two_factor: (two_factor.contains_key("secret") && two_factor.contains_key("userId"))
                .then(|| {
                    let verified = if two_factor.contains_key("verified") {
                        // NULL counts as verified: rows from before the column existed.
                        format!(" AND t.{} IS NOT FALSE", q("verified"))
                    } else {
                        String::new()
                    };
                    format!(
                        "FROM {} t WHERE t.{} = u.{}{verified}",
                        dialect.table(schema, &tables.two_factor),
                        q("userId"),
                        q("id")
                    )
                }),
        })
    }

    pub async fn count(&self, url: &DbUrl, pool: &Pool) -> Result<u64, DbError> {
        count(url, pool, &self.keyset.count_sql(), "the user count").await
    }

    /// Only users changed after `since` (the user table's `updatedAt`).
    pub fn changed_since(&mut self, since: chrono::DateTime<chrono::Utc>) -> Result<(), DbError> {
        if !self.user_columns.iter().any(|c| c == "updatedAt") {
            return Err(DbError::MissingColumn {
                table: self.user.clone(),
                column: "updatedAt".to_owned(),
                hint: "without a change column an export cannot say what changed: leave --since out",
            });
        }
        self.keyset.changed_since("updatedAt", since);
        Ok(())
    }

    /// One page's query: the users in a key range ([`Keyset::scope`]), as `k` and `doc`.
    pub fn page_sql(&self, bounded: bool, from_start: bool) -> String {
        let d = self.dialect;
        let q = |c: &str| d.quote(c);
        let (user_id, provider, created) = (q("userId"), q("providerId"), q("createdAt"));
        let id = format!("u.{}", q("id"));
        let own = format!("FROM {} a WHERE a.{user_id} = {id}", self.account);
        let two_factor = self.two_factor.as_ref().map_or("NULL".to_owned(), |from| {
            format!("(SELECT t.{} {from} LIMIT 1)", q("secret"))
        });
        let doc = d.row_doc(
            "u",
            &self.user_columns,
            &[
                (
                    "password",
                    format!(
                        "(SELECT a.{pw} {own} AND a.{provider} = 'credential' \
                         AND a.{pw} IS NOT NULL ORDER BY a.{created} LIMIT 1)",
                        pw = q("password")
                    ),
                ),
                (
                    "accounts",
                    d.array(
                        &d.object(&[
                            ("providerId", format!("a.{provider}")),
                            ("accountId", format!("a.{}", q("accountId"))),
                        ]),
                        &format!("{own} AND a.{provider} <> 'credential'"),
                        &format!("a.{provider}, a.{}", q("accountId")),
                    ),
                ),
                ("twoFactorSecret", two_factor),
            ],
        );
        format!(
            "SELECT {} AS k, {doc} AS doc {}",
            self.keyset.text(),
            self.keyset.scope(bounded, from_start)
        )
    }

    pub fn keyset(&self) -> &Keyset {
        &self.keyset
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
