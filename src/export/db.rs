//! Where an export reads from: a database URL (`postgres://`, `postgresql://`, `mysql://`,
//! `sqlite://PATH` or a bare `.db`/`.sqlite` path), shown only as scheme and host:port so
//! its password never reaches a message or a log.

use std::path::PathBuf;

use sqlx::{MySqlPool, PgPool, SqlitePool};

/// The database kinds the export reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Postgres,
    MySql,
    Sqlite,
}

/// A parsed `--db-url`.
#[derive(Clone)]
pub struct DbUrl {
    pub dialect: Dialect,
    url: String,
    /// `host:port` or the SQLite file, for messages.
    pub shown: String,
    password: Option<String>,
}

impl std::fmt::Debug for DbUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DbUrl({:?} {})", self.dialect, self.shown)
    }
}

/// Why the database cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error(
        "--db-url {0:?} is not a database URL: use postgres://…, mysql://…, sqlite://PATH or a .db/.sqlite file"
    )]
    BadUrl(String),
    #[error("the SQLite database {0} does not exist")]
    NoSqliteFile(PathBuf),
    #[error("could not connect to the {kind} database at {at}: {reason}")]
    Connect {
        kind: &'static str,
        at: String,
        reason: String,
    },
    #[error("{table} not found in {place}: {hint}")]
    MissingTable {
        table: String,
        place: String,
        hint: &'static str,
    },
    #[error("{table} has no column {column} ({hint})")]
    MissingColumn {
        table: String,
        column: String,
        hint: &'static str,
    },
    #[error("{what} is not supported yet: {hint}")]
    Unsupported {
        what: &'static str,
        hint: &'static str,
    },
    #[error("reading {what} from {at} failed: {reason}")]
    Query {
        what: &'static str,
        at: String,
        reason: String,
    },
}

impl Dialect {
    pub fn name(self) -> &'static str {
        match self {
            Self::Postgres => "PostgreSQL",
            Self::MySql => "MySQL",
            Self::Sqlite => "SQLite",
        }
    }
}

impl DbUrl {
    pub fn parse(raw: &str) -> Result<Self, DbError> {
        let raw = raw.trim();
        let lower = raw.to_ascii_lowercase();
        if let Some(path) = raw
            .strip_prefix("sqlite://")
            .or_else(|| raw.strip_prefix("sqlite:"))
            .or_else(|| {
                (lower.ends_with(".db")
                    || lower.ends_with(".sqlite")
                    || lower.ends_with(".sqlite3"))
                .then_some(raw)
            })
        {
            let file = PathBuf::from(path.split('?').next().unwrap_or(path));
            return Ok(Self {
                dialect: Dialect::Sqlite,
                url: format!("sqlite://{}", file.display()),
                shown: file.display().to_string(),
                password: None,
            });
        }
        let dialect = if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            Dialect::Postgres
        } else if lower.starts_with("mysql://") || lower.starts_with("mariadb://") {
            Dialect::MySql
        } else {
            return Err(DbError::BadUrl(redact_text(raw)));
        };
        let parsed = reqwest::Url::parse(raw).map_err(|_| DbError::BadUrl(redact_text(raw)))?;
        let port = parsed.port().unwrap_or(match dialect {
            Dialect::Postgres => 5432,
            _ => 3306,
        });
        let host = parsed.host_str().unwrap_or("localhost");
        let url = if lower.starts_with("mariadb://") {
            format!("mysql://{}", &raw["mariadb://".len()..])
        } else {
            raw.to_owned()
        };
        Ok(Self {
            dialect,
            url,
            shown: format!("{host}:{port}"),
            password: parsed
                .password()
                .map(percent_decode)
                .filter(|p| !p.is_empty()),
        })
    }

    /// Removes the password from a message that might quote the URL.
    pub fn scrub(&self, message: &str) -> String {
        let mut out = message.replace(&self.url, &self.shown);
        if let Some(p) = &self.password {
            out = out.replace(p.as_str(), "***");
        }
        out
    }

    fn connect_error(&self, e: sqlx::Error) -> DbError {
        DbError::Connect {
            kind: self.dialect.name(),
            at: self.shown.clone(),
            reason: self.scrub(&e.to_string()),
        }
    }

    pub fn query_error(&self, what: &'static str, e: sqlx::Error) -> DbError {
        DbError::Query {
            what,
            at: self.shown.clone(),
            reason: self.scrub(&e.to_string()),
        }
    }

    pub async fn connect(&self) -> Result<Pool, DbError> {
        let timeout = std::time::Duration::from_secs(10);
        Ok(match self.dialect {
            Dialect::Postgres => Pool::Postgres(
                sqlx::postgres::PgPoolOptions::new()
                    .max_connections(2)
                    .acquire_timeout(timeout)
                    .connect(&self.url)
                    .await
                    .map_err(|e| self.connect_error(e))?,
            ),
            Dialect::MySql => Pool::MySql(
                sqlx::mysql::MySqlPoolOptions::new()
                    .max_connections(2)
                    .acquire_timeout(timeout)
                    .connect(&self.url)
                    .await
                    .map_err(|e| self.connect_error(e))?,
            ),
            Dialect::Sqlite => {
                let file = PathBuf::from(&self.shown);
                if !file.is_file() {
                    return Err(DbError::NoSqliteFile(file));
                }
                let options = sqlx::sqlite::SqliteConnectOptions::new()
                    .filename(&file)
                    .read_only(true);
                Pool::Sqlite(
                    sqlx::sqlite::SqlitePoolOptions::new()
                        .max_connections(1)
                        .connect_with(options)
                        .await
                        .map_err(|e| self.connect_error(e))?,
                )
            }
        })
    }
}

/// An open database (a handle: clones share the connections).
#[derive(Clone)]
pub enum Pool {
    Postgres(PgPool),
    MySql(MySqlPool),
    Sqlite(SqlitePool),
}

/// An SQL identifier, quoted: Better Auth's `"user"` and its camelCase columns need it.
pub fn quote(ident: &str) -> String {
    format!("\"{}\"", ident.replace('"', "\"\""))
}

/// The columns of a PostgreSQL table (none when the table does not exist).
pub async fn pg_columns(
    pool: &PgPool,
    schema: &str,
    table: &str,
) -> Result<std::collections::HashSet<String>, sqlx::Error> {
    use sqlx::Row;
    let rows = sqlx::query(
        "SELECT column_name::text FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2",
    )
    .bind(schema)
    .bind(table)
    .fetch_all(pool)
    .await?;
    rows.iter().map(|r| r.try_get::<String, _>(0)).collect()
}

/// One keyset page: `sql` takes the last key as `$1` and the page size as `$2`, and
/// returns `key` and `doc` (a user's JSON text) columns.
pub async fn pg_page(
    url: &DbUrl,
    pool: &Pool,
    sql: &str,
    after: &str,
    limit: i64,
) -> Result<super::Page, DbError> {
    use sqlx::Row;
    let Pool::Postgres(pg) = pool else {
        return Ok(super::Page::default());
    };
    let rows = sqlx::query(sql)
        .bind(after)
        .bind(limit)
        .fetch_all(pg)
        .await
        .map_err(|e| url.query_error("users", e))?;
    Ok(super::Page {
        rows: rows
            .iter()
            .map(|r| super::PageRow {
                key: r.try_get::<String, _>("key").unwrap_or_default(),
                doc: r
                    .try_get::<String, _>("doc")
                    .map_err(|e| url.scrub(&e.to_string())),
            })
            .collect(),
    })
}

/// The single number a `SELECT count(*) …` returns.
pub async fn pg_count(
    url: &DbUrl,
    pool: &Pool,
    sql: &str,
    what: &'static str,
) -> Result<u64, DbError> {
    let Pool::Postgres(pg) = pool else {
        return Ok(0);
    };
    let n: i64 = sqlx::query_scalar(sql)
        .fetch_one(pg)
        .await
        .map_err(|e| url.query_error(what, e))?;
    Ok(n.max(0) as u64)
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(b) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A URL-looking text with anything between `://` and `@` hidden.
fn redact_text(raw: &str) -> String {
    match (raw.find("://"), raw.rfind('@')) {
        (Some(s), Some(at)) if at > s => format!("{}://***{}", &raw[..s], &raw[at..]),
        _ => raw.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_parse_and_never_show_their_password() {
        let u = DbUrl::parse("postgres://admin:s3cr%40t@db.example.com:6543/app").expect("pg");
        assert_eq!(
            (u.dialect, u.shown.as_str()),
            (Dialect::Postgres, "db.example.com:6543")
        );
        assert_eq!(u.scrub("auth failed for s3cr@t"), "auth failed for ***");
        assert!(!format!("{u:?}").contains("s3cr"));
        let m = DbUrl::parse("mysql://root:pw@127.0.0.1/app").expect("mysql");
        assert_eq!(
            (m.dialect, m.shown.as_str()),
            (Dialect::MySql, "127.0.0.1:3306")
        );
        let s = DbUrl::parse("./data/auth.sqlite").expect("bare path");
        assert_eq!(
            (s.dialect, s.shown.as_str()),
            (Dialect::Sqlite, "./data/auth.sqlite")
        );
        let s = DbUrl::parse("sqlite:///tmp/x.db").expect("sqlite url");
        assert_eq!(s.shown, "/tmp/x.db");
        let err = DbUrl::parse("oracle://u:topsecret@h/db").expect_err("unknown");
        assert!(!err.to_string().contains("topsecret"), "{err}");
    }
}
