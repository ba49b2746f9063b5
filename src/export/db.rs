//! Where an export reads from: a database URL (`postgres://`, `postgresql://`, `mysql://`,
//! `sqlite://PATH` or a bare `.db`/`.sqlite` path), shown only as scheme and host:port so
//! its password never reaches a message or a log.

use std::collections::HashMap;
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

/// Why a connection failed, for the next step to suggest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectCause {
    /// Nothing listens at the host and port.
    Refused,
    /// The host name does not resolve.
    UnknownHost,
    /// The server did not answer in time.
    NoAnswer,
    /// The server refused the user name or password.
    Login,
    /// The server runs, but holds no database of that name.
    NoDatabase,
    Other,
}

impl ConnectCause {
    fn of(e: &sqlx::Error) -> Self {
        match e {
            sqlx::Error::Io(io) => match io.kind() {
                std::io::ErrorKind::ConnectionRefused => Self::Refused,
                std::io::ErrorKind::TimedOut => Self::NoAnswer,
                // The resolver's failure reaches here as an untyped I/O error.
                _ if io.to_string().contains("lookup address") => Self::UnknownHost,
                _ => Self::Other,
            },
            sqlx::Error::PoolTimedOut => Self::NoAnswer,
            sqlx::Error::Database(db) => match db.code().as_deref() {
                // PostgreSQL's invalid_password and invalid_authorization_specification,
                // MySQL's ER_ACCESS_DENIED_ERROR.
                Some("28P01" | "28000" | "1045") => Self::Login,
                // PostgreSQL's invalid_catalog_name, MySQL's ER_BAD_DB_ERROR.
                Some("3D000" | "1049") => Self::NoDatabase,
                _ => Self::Other,
            },
            _ => Self::Other,
        }
    }
}

/// Why the database cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error(
        "--db-url {0:?} is not a database URL: use postgres://…, mysql://…, sqlite://PATH or a .db/.sqlite file"
    )]
    BadUrl(String),
    #[error(
        "--db-url {0:?} has an '@', '/', '?' or '#' in its user name or password, so where the host begins is ambiguous: percent-encode them (@ as %40, / as %2F, ? as %3F, # as %23)"
    )]
    PasswordNeedsEncoding(String),
    #[error("the SQLite database {0} does not exist")]
    NoSqliteFile(PathBuf),
    #[error("could not connect to the {kind} database at {at}: {reason}")]
    Connect {
        kind: &'static str,
        at: String,
        reason: String,
        cause: ConnectCause,
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
        // A URL parser ends the user name and password at the first '/', '?' or '#', and
        // would read the rest of a password holding one as the host (and print it as
        // such): an '@' after that point means the password was not percent-encoded.
        let after = raw.find("://").map_or(raw, |s| &raw[s + 3..]);
        let authority_end = after.find(['/', '?', '#']).unwrap_or(after.len());
        if after.rfind('@').is_some_and(|at| at > authority_end) {
            return Err(DbError::PasswordNeedsEncoding(redact_text(raw)));
        }
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

    pub fn has_password(&self) -> bool {
        self.password.is_some()
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
        let cause = ConnectCause::of(&e);
        let host = self
            .shown
            .rsplit_once(':')
            .map_or(self.shown.as_str(), |(h, _)| h);
        let reason = match cause {
            ConnectCause::Refused => "connection refused".to_owned(),
            ConnectCause::UnknownHost => format!("the host name {host} could not be resolved"),
            ConnectCause::NoAnswer => "no answer".to_owned(),
            ConnectCause::Login => "the server refused the user name or password".to_owned(),
            ConnectCause::NoDatabase | ConnectCause::Other => self.scrub(&e.to_string()),
        };
        DbError::Connect {
            kind: self.dialect.name(),
            at: self.shown.clone(),
            reason,
            cause,
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
        // A pool retries a refused connection until its timeout; one plain connection
        // first says at once that the server is not there.
        let probe = async {
            use sqlx::Connection;
            match self.dialect {
                Dialect::Postgres => sqlx::PgConnection::connect(&self.url).await?.close().await,
                Dialect::MySql => {
                    sqlx::MySqlConnection::connect(&self.url)
                        .await?
                        .close()
                        .await
                }
                Dialect::Sqlite => Ok(()),
            }
        };
        match tokio::time::timeout(timeout, probe).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return Err(self.connect_error(e)),
            Err(_) => {
                return Err(DbError::Connect {
                    kind: self.dialect.name(),
                    at: self.shown.clone(),
                    reason: format!("no answer within {}s", timeout.as_secs()),
                    cause: ConnectCause::NoAnswer,
                });
            }
        }
        Ok(match self.dialect {
            Dialect::Postgres => Pool::Postgres(
                sqlx::postgres::PgPoolOptions::new()
                    .max_connections(CONNECTIONS)
                    .acquire_timeout(timeout)
                    .connect(&self.url)
                    .await
                    .map_err(|e| self.connect_error(e))?,
            ),
            Dialect::MySql => Pool::MySql(
                sqlx::mysql::MySqlPoolOptions::new()
                    .max_connections(CONNECTIONS)
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

/// Connections to a server: two pages built at once, and the walk of page boundaries.
const CONNECTIONS: u32 = 3;

/// An open database (a handle: clones share the connections).
#[derive(Clone)]
pub enum Pool {
    Postgres(PgPool),
    MySql(MySqlPool),
    Sqlite(SqlitePool),
}

impl Pool {
    pub fn dialect(&self) -> Dialect {
        match self {
            Self::Postgres(_) => Dialect::Postgres,
            Self::MySql(_) => Dialect::MySql,
            Self::Sqlite(_) => Dialect::Sqlite,
        }
    }

    /// A table's columns and their declared types (lower case); empty when the table
    /// does not exist. PostgreSQL looks in `schema`; MySQL in the URL's database; SQLite
    /// in its one file.
    pub async fn columns(
        &self,
        schema: &str,
        table: &str,
    ) -> Result<HashMap<String, String>, sqlx::Error> {
        let rows: Vec<(String, String)> = match self {
            Self::Postgres(pg) => {
                sqlx::query_as(
                    "SELECT column_name::text, data_type::text FROM information_schema.columns \
                     WHERE table_schema = $1 AND table_name = $2",
                )
                .bind(schema)
                .bind(table)
                .fetch_all(pg)
                .await?
            }
            Self::MySql(my) => {
                // CAST: MySQL 8 returns information_schema's names as binary strings.
                sqlx::query_as(
                    "SELECT CAST(column_name AS CHAR), CAST(data_type AS CHAR) \
                     FROM information_schema.columns \
                     WHERE table_schema = DATABASE() AND table_name = ?",
                )
                .bind(table)
                .fetch_all(my)
                .await?
            }
            Self::Sqlite(lite) => {
                sqlx::query_as("SELECT name, type FROM pragma_table_info(?)")
                    .bind(table)
                    .fetch_all(lite)
                    .await?
            }
        };
        Ok(rows
            .into_iter()
            .map(|(name, kind)| (name, kind.to_ascii_lowercase()))
            .collect())
    }
}

/// Whether a declared column type is an integer one, in any of the three dialects.
pub fn is_integer_type(kind: &str) -> bool {
    matches!(
        kind,
        "integer" | "int" | "bigint" | "smallint" | "mediumint" | "int2" | "int4" | "int8"
    )
}

impl Dialect {
    /// An SQL identifier, quoted: Better Auth's `"user"` and its camelCase columns need it.
    pub fn quote(self, ident: &str) -> String {
        match self {
            Self::MySql => format!("`{}`", ident.replace('`', "``")),
            _ => format!("\"{}\"", ident.replace('"', "\"\"")),
        }
    }

    /// A string literal holding `text` exactly, whatever it holds. Keys come from the
    /// database's own column names, which anyone who can create a column chooses.
    /// MySQL reads `\` as an escape unless `NO_BACKSLASH_ESCAPES` is set, so no quoting
    /// is right under both modes: there the text goes as hex digits, which have no
    /// special characters at all. PostgreSQL's `E''` form reads backslashes the same
    /// under either `standard_conforming_strings`; SQLite has no escapes but `''`.
    pub fn literal(self, text: &str) -> String {
        match self {
            Self::MySql => {
                use std::fmt::Write;
                let mut hex = String::with_capacity(text.len() * 2);
                for b in text.bytes() {
                    let _ = write!(hex, "{b:02x}");
                }
                if hex.is_empty() {
                    "''".to_owned()
                } else {
                    format!("CONVERT(X'{hex}' USING utf8mb4)")
                }
            }
            Self::Postgres => format!("E'{}'", text.replace('\\', "\\\\").replace('\'', "''")),
            Self::Sqlite => format!("'{}'", text.replace('\'', "''")),
        }
    }

    /// A table by name: in `schema` on PostgreSQL, in the connection's database elsewhere.
    pub fn table(self, schema: &str, table: &str) -> String {
        match self {
            Self::Postgres => format!("{}.{}", self.quote(schema), self.quote(table)),
            _ => self.quote(table),
        }
    }

    /// The placeholders of a query's two parameters.
    pub fn page_params(self) -> (&'static str, &'static str) {
        match self {
            Self::Postgres => ("$1", "$2"),
            _ => ("?", "?"),
        }
    }

    /// An expression as text.
    pub fn text(self, expr: &str) -> String {
        match self {
            Self::Postgres => format!("({expr})::text"),
            Self::MySql => format!("CAST({expr} AS CHAR)"),
            Self::Sqlite => format!("CAST({expr} AS TEXT)"),
        }
    }

    /// A JSON object of `(key, value)` pairs; values made by [`Self::array`] are
    /// embedded as JSON, the others as SQL values.
    pub fn object(self, pairs: &[(&str, String)]) -> String {
        let function = match self {
            Self::Postgres => "jsonb_build_object",
            Self::MySql => "JSON_OBJECT",
            Self::Sqlite => "json_object",
        };
        let args: Vec<String> = pairs
            .iter()
            .map(|(k, v)| format!("{}, {v}", self.literal(k)))
            .collect();
        format!("{function}({})", args.join(", "))
    }

    /// A JSON array of `object` over the rows of `from` (`FROM … WHERE …`, alias included),
    /// `[]` when there are none, ready to sit inside [`Self::object`]. MySQL cannot order
    /// inside its aggregate, so there the order is the server's.
    pub fn array(self, object: &str, from: &str, order: &str) -> String {
        match self {
            Self::Postgres => format!(
                "COALESCE((SELECT jsonb_agg({object} ORDER BY {order}) {from}), '[]'::jsonb)"
            ),
            // A subquery's JSON reaches the outer object as text; JSON_EXTRACT makes it
            // JSON again (on MariaDB, where JSON is text, and on MySQL alike).
            Self::MySql => format!(
                "JSON_EXTRACT(COALESCE((SELECT JSON_ARRAYAGG({object}) {from}), '[]'), '$')"
            ),
            Self::Sqlite => format!(
                "json(COALESCE((SELECT json_group_array(json(o)) FROM (SELECT {object} AS o {from} \
                 ORDER BY {order})), '[]'))"
            ),
        }
    }

    /// An empty JSON array, for [`Self::object`].
    pub fn empty_array(self) -> &'static str {
        match self {
            Self::Postgres => "'[]'::jsonb",
            Self::MySql => "JSON_ARRAY()",
            Self::Sqlite => "json_array()",
        }
    }

    /// A row's JSON document as text: every column of `alias` plus `extra` pairs.
    pub fn row_doc(self, alias: &str, columns: &[String], extra: &[(&str, String)]) -> String {
        if self == Self::Postgres {
            return format!("(to_jsonb({alias}) || {})::text", self.object(extra));
        }
        let mut pairs: Vec<(&str, String)> = columns
            .iter()
            .map(|c| (c.as_str(), format!("{alias}.{}", self.quote(c))))
            .collect();
        pairs.extend(extra.iter().cloned());
        self.text(&self.object(&pairs))
    }
}

/// How a reader walks its users: by the primary key, in the order its index keeps.
#[derive(Debug, Clone)]
pub struct Keyset {
    pub dialect: Dialect,
    /// The table with its alias `u`.
    pub from: String,
    /// The key as compared and ordered: the primary key's own comparison, so its index
    /// serves both the walk and the pages.
    pub key: String,
    /// How a bound key (text) becomes comparable with `key`, e.g. `::uuid`.
    pub cast: &'static str,
    /// The smallest key there can be (the nil UUID, the empty string, the smallest
    /// 64-bit integer): the first page starts at it, inclusive, so a user whose key is
    /// exactly that is read too.
    pub first: &'static str,
    /// Conditions a row must meet to be exported (the walk counts every row).
    pub filters: Vec<String>,
}

impl Keyset {
    /// The exported rows after the first parameter and, when `bounded`, up to and
    /// including the second, ordered: `FROM … WHERE … ORDER BY …`. No limit: a range
    /// holds a page's worth of rows, and a row added since is read, not cut off.
    pub fn scope(&self, bounded: bool, from_start: bool) -> String {
        let (after, until) = self.dialect.page_params();
        let mut filters = vec![format!(
            "{} {} {after}{}",
            self.key,
            Self::lower(from_start),
            self.cast
        )];
        if bounded {
            filters.push(format!("{} <= {until}{}", self.key, self.cast));
        }
        filters.extend(self.filters.iter().cloned());
        format!(
            "FROM {} WHERE {} ORDER BY {}",
            self.from,
            filters.join(" AND "),
            self.key
        )
    }

    /// How a page's lower end compares: from the smallest key inclusive for the first
    /// page, after the previous page's last key for the others.
    pub fn lower(from_start: bool) -> &'static str {
        if from_start { ">=" } else { ">" }
    }

    /// The rows of one page's query `sql` ([`Self::scope`]) after `after` (the start when
    /// `None`) and up to `until` (the end when `None`), each passed through `splice`
    /// (key, JSON text) and on to `sink` as the database streams them.
    #[allow(clippy::too_many_arguments)]
    pub async fn page(
        &self,
        url: &DbUrl,
        pool: &Pool,
        sql: &str,
        after: Option<&str>,
        until: Option<&str>,
        sink: &super::RowSink,
        splice: impl Fn(&str, &mut String),
    ) -> Result<(), DbError> {
        page(
            url,
            pool,
            sql,
            after.unwrap_or(self.first),
            until,
            sink,
            splice,
        )
        .await
    }

    /// `SELECT count(*)` of the rows the export writes.
    pub fn count_sql(&self) -> String {
        let filters = if self.filters.is_empty() {
            "1 = 1".to_owned()
        } else {
            self.filters.join(" AND ")
        };
        format!("SELECT count(*) FROM {} WHERE {filters}", self.from)
    }

    /// Keeps only rows whose `column` (of the alias `u`) is later than `since`: a point in
    /// time as each dialect compares it with what the platform stores there (PostgreSQL
    /// casts the text to the column's type, MySQL/MariaDB take `YYYY-MM-DD HH:MM:SS`, and
    /// SQLite compares the ISO text JavaScript's `toISOString` writes).
    pub fn changed_since(&mut self, column: &str, since: chrono::DateTime<chrono::Utc>) {
        let at = match self.dialect {
            Dialect::Postgres => since.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            Dialect::MySql => since.format("%Y-%m-%d %H:%M:%S%.3f").to_string(),
            Dialect::Sqlite => since.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
        };
        // `at` is made here of digits and separators only: no quoting to get wrong.
        self.filters
            .push(format!("u.{} > '{at}'", self.dialect.quote(column)));
    }

    /// The key as text.
    pub fn text(&self) -> String {
        self.dialect.text(&self.key)
    }

    /// The key `limit` rows after `after`, counting every row so that the primary key's
    /// index alone answers: where that page ends. `None` when fewer remain.
    pub async fn boundary(
        &self,
        url: &DbUrl,
        pool: &Pool,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Option<String>, DbError> {
        let (after_param, offset_param) = self.dialect.page_params();
        let sql = format!(
            "SELECT {} FROM {} WHERE {} {} {after_param}{} ORDER BY {} LIMIT 1 OFFSET {offset_param}",
            self.text(),
            self.from,
            self.key,
            Self::lower(after.is_none()),
            self.cast,
            self.key
        );
        let after = after.unwrap_or(self.first);
        let offset = limit - 1;
        macro_rules! one {
            ($pool:expr) => {
                sqlx::query_scalar(&sql)
                    .bind(after)
                    .bind(offset)
                    .fetch_optional($pool)
                    .await
            };
        }
        match pool {
            Pool::Postgres(pg) => one!(pg),
            Pool::MySql(my) => one!(my),
            Pool::Sqlite(lite) => one!(lite),
        }
        .map_err(|e| url.query_error("page boundaries", e))
    }
}

/// One page: `sql` ([`Keyset::scope`]) takes the key the page starts after and, but for
/// the last page, the key it ends on; it returns `k` (the key as text) and `doc` (a
/// user's JSON text) columns. Rows are read one at a time, never the page whole.
async fn page(
    url: &DbUrl,
    pool: &Pool,
    sql: &str,
    after: &str,
    until: Option<&str>,
    sink: &super::RowSink,
    splice: impl Fn(&str, &mut String),
) -> Result<(), DbError> {
    use futures_util::TryStreamExt;
    use sqlx::Row;
    macro_rules! rows {
        ($pool:expr) => {{
            let mut query = sqlx::query(sql).bind(after);
            if let Some(until) = until {
                query = query.bind(until);
            }
            let turn = sink.turn().await;
            let mut conn = $pool
                .acquire()
                .await
                .map_err(|e| url.query_error("users", e))?;
            drop(turn);
            let mut rows = query.fetch(&mut *conn);
            while let Some(r) = rows
                .try_next()
                .await
                .map_err(|e| url.query_error("users", e))?
            {
                let key = r.try_get::<String, _>("k").unwrap_or_default();
                let mut doc = r
                    .try_get::<String, _>("doc")
                    .map_err(|e| url.scrub(&e.to_string()));
                drop(r);
                if let Ok(doc) = &mut doc {
                    splice(&key, doc);
                }
                if !sink.send(key, doc).await {
                    return Ok(());
                }
            }
        }};
    }
    match pool {
        Pool::Postgres(pg) => rows!(pg),
        Pool::MySql(my) => rows!(my),
        Pool::Sqlite(lite) => rows!(lite),
    }
    Ok(())
}

/// The single number a `SELECT count(*) …` returns.
pub async fn count(
    url: &DbUrl,
    pool: &Pool,
    sql: &str,
    what: &'static str,
) -> Result<u64, DbError> {
    let n: i64 = match pool {
        Pool::Postgres(pg) => sqlx::query_scalar(sql).fetch_one(pg).await,
        Pool::MySql(my) => sqlx::query_scalar(sql).fetch_one(my).await,
        Pool::Sqlite(lite) => sqlx::query_scalar(sql).fetch_one(lite).await,
    }
    .map_err(|e| url.query_error(what, e))?;
    Ok(n.max(0) as u64)
}

/// Every row of a query that selects one text column (a row's JSON document), in order.
pub async fn texts(
    url: &DbUrl,
    pool: &Pool,
    sql: &str,
    what: &'static str,
) -> Result<Vec<String>, DbError> {
    match pool {
        Pool::Postgres(pg) => sqlx::query_scalar(sql).fetch_all(pg).await,
        Pool::MySql(my) => sqlx::query_scalar(sql).fetch_all(my).await,
        Pool::Sqlite(lite) => sqlx::query_scalar(sql).fetch_all(lite).await,
    }
    .map_err(|e| url.query_error(what, e))
}

/// Whether `columns` has every one of `needed`, or the first it lacks.
pub fn require(
    columns: &HashMap<String, String>,
    needed: &[&str],
    table: &str,
    hint: &'static str,
) -> Result<(), DbError> {
    match needed.iter().find(|c| !columns.contains_key(**c)) {
        Some(missing) => Err(DbError::MissingColumn {
            table: table.to_owned(),
            column: (*missing).to_owned(),
            hint,
        }),
        None => Ok(()),
    }
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

impl crate::hint::Hint for DbError {
    fn hint(&self) -> Option<String> {
        match self {
            Self::Connect { at, cause, .. } => Some(connect_hint(at, *cause)),
            _ => None,
        }
    }
}

fn connect_hint(at: &str, cause: ConnectCause) -> String {
    use ConnectCause as C;
    match cause {
        C::Refused => format!(
            "is the database server running and listening on {at}? Check the host and port in --db-url (or DATABASE_URL)"
        ),
        C::UnknownHost => "check the host name in --db-url (or DATABASE_URL)".to_owned(),
        C::NoAnswer => format!(
            "nothing answered at {at}: check the host and port in --db-url, and any firewall between"
        ),
        C::Login => {
            "check the user name and password in --db-url (percent-encoded where they hold @ / ? #)"
                .to_owned()
        }
        C::NoDatabase => "check the database name at the end of --db-url".to_owned(),
        C::Other => "check --db-url (or DATABASE_URL)".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each way a connection fails gets its own words: the resolver's failure (an untyped
    /// I/O error, as std's lookup returns it), a refusal, a timeout.
    #[test]
    fn connection_failures_say_what_failed() {
        let url = DbUrl::parse("postgres://admin:pw@db.example.com:6543/app").expect("pg");
        let io = |kind, text: &str| sqlx::Error::Io(std::io::Error::new(kind, text.to_owned()));
        let cases = [
            (
                io(
                    std::io::ErrorKind::Other,
                    "failed to lookup address information: Name or service not known",
                ),
                ConnectCause::UnknownHost,
                "the host name db.example.com could not be resolved",
            ),
            (
                io(
                    std::io::ErrorKind::ConnectionRefused,
                    "Connection refused (os error 111)",
                ),
                ConnectCause::Refused,
                "connection refused",
            ),
            (
                io(std::io::ErrorKind::TimedOut, "timed out"),
                ConnectCause::NoAnswer,
                "no answer",
            ),
        ];
        for (error, cause, reason) in cases {
            let DbError::Connect {
                reason: got,
                cause: got_cause,
                ..
            } = url.connect_error(error)
            else {
                panic!("a connect error");
            };
            assert_eq!((got_cause, got.as_str()), (cause, reason));
        }
    }

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
        for raw in [
            "postgres://u:pg@S3cret/pw@host/db",
            "mysql://u:S3cr#et@host/db",
            "postgres://u:S3c?ret@host",
        ] {
            let err = DbUrl::parse(raw).expect_err("ambiguous");
            let text = err.to_string();
            assert!(
                !text.contains("S3c") && !text.contains("pw") && text.contains("%40"),
                "{text}"
            );
        }
    }

    #[test]
    fn identifiers_are_quoted_as_each_dialect_quotes_them() {
        assert_eq!(Dialect::Postgres.quote("twoFactor"), "\"twoFactor\"");
        assert_eq!(Dialect::MySql.quote("we`ird"), "`we``ird`");
        assert_eq!(Dialect::Sqlite.quote("a\"b"), "\"a\"\"b\"");
        assert_eq!(
            Dialect::MySql.literal("!\\'"),
            "CONVERT(X'215c27' USING utf8mb4)"
        );
        assert_eq!(Dialect::Postgres.literal("a\\'b"), "E'a\\\\''b'");
        assert_eq!(Dialect::Sqlite.literal("a\\'b"), "'a\\''b'");
        assert_eq!(
            Dialect::Postgres.table("public", "user"),
            "\"public\".\"user\""
        );
        assert_eq!(Dialect::MySql.table("public", "user"), "`user`");
        assert!(is_integer_type("bigint") && is_integer_type("integer"));
        assert!(!is_integer_type("interval") && !is_integer_type("text"));
    }
}
