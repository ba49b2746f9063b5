//! Auth.js: the `users` and `accounts` tables of its official SQL adapters (as
//! `@auth/pg-adapter` documents them), or Prisma's `User` and `Account`. Users have no
//! passwords; linked providers go to metadata, `emailVerified` says which emails are.

use super::Page;
use super::db::{DbError, DbUrl, Pool, pg_columns, pg_count, pg_page, quote};

pub struct AuthJs {
    users: String,
    accounts: Option<String>,
    /// Whether `id` is a number: then pages follow numeric order, on the primary key.
    numeric_id: bool,
}

/// The table names each naming uses: the SQL adapters', then Prisma's.
const NAMINGS: [(&str, &str); 2] = [("users", "accounts"), ("User", "Account")];

impl AuthJs {
    pub async fn open(url: &DbUrl, pool: &Pool, schema: &str) -> Result<Self, DbError> {
        let Pool::Postgres(pg) = pool else {
            return Err(DbError::Unsupported {
                what: "Auth.js on MySQL and SQLite",
                hint: "export from PostgreSQL for now",
            });
        };
        for (users, accounts) in NAMINGS {
            let columns = pg_columns(pg, schema, users)
                .await
                .map_err(|e| url.query_error("the schema", e))?;
            if columns.is_empty() {
                continue;
            }
            for needed in ["id", "email", "emailVerified"] {
                if !columns.contains(needed) {
                    return Err(DbError::MissingColumn {
                        table: format!("{schema}.{users}"),
                        column: needed.to_owned(),
                        hint: "this does not look like Auth.js's users table",
                    });
                }
            }
            let linked = pg_columns(pg, schema, accounts)
                .await
                .map_err(|e| url.query_error("the schema", e))?;
            let id_type: Option<String> = sqlx::query_scalar(
                "SELECT data_type::text FROM information_schema.columns \
                 WHERE table_schema = $1 AND table_name = $2 AND column_name = 'id'",
            )
            .bind(schema)
            .bind(users)
            .fetch_optional(pg)
            .await
            .map_err(|e| url.query_error("the schema", e))?;
            let qualified = |t: &str| format!("{}.{}", quote(schema), quote(t));
            return Ok(Self {
                users: qualified(users),
                accounts: (linked.contains("userId") && linked.contains("provider"))
                    .then(|| qualified(accounts)),
                numeric_id: id_type
                    .is_some_and(|t| matches!(t.as_str(), "integer" | "bigint" | "smallint")),
            });
        }
        Err(DbError::MissingTable {
            table: format!("{schema}.users (or Prisma's {schema}.\"User\")"),
            place: format!("the database at {}", url.shown),
            hint: "check --db-url and --schema",
        })
    }

    pub async fn count(&self, url: &DbUrl, pool: &Pool) -> Result<u64, DbError> {
        let sql = format!("SELECT count(*) FROM {}", self.users);
        pg_count(url, pool, &sql, "the user count").await
    }

    /// A key below every real one.
    fn first_key(&self) -> &'static str {
        if self.numeric_id {
            "-9223372036854775808"
        } else {
            ""
        }
    }

    fn page_sql(&self) -> String {
        let accounts = self.accounts.as_ref().map_or("'[]'::jsonb".to_owned(), |t| {
            format!(
                "COALESCE((SELECT jsonb_agg(jsonb_build_object('provider', a.provider, \
                 'providerAccountId', a.\"providerAccountId\") ORDER BY a.provider, a.\"providerAccountId\") \
                 FROM {t} a WHERE a.\"userId\" = u.id), '[]'::jsonb)"
            )
        });
        let (key, after) = if self.numeric_id {
            ("u.id", "$1::bigint")
        } else {
            ("u.id::text", "$1")
        };
        format!(
            "SELECT u.id::text AS key, (to_jsonb(u) || jsonb_build_object('accounts', {accounts}))::text AS doc \
             FROM {users} u WHERE {key} > {after} ORDER BY {key} LIMIT $2",
            users = self.users
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
        pg_page(
            url,
            pool,
            &self.page_sql(),
            after.unwrap_or(self.first_key()),
            limit,
        )
        .await
    }
}
