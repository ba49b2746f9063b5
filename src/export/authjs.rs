//! Auth.js: the `users` and `accounts` tables of its official SQL adapters (as
//! `@auth/pg-adapter` documents them), or Prisma's `User` and `Account`. Users have no
//! passwords; linked providers go to metadata, `emailVerified` says which emails are.

use super::Page;
use super::db::{DbError, DbUrl, Dialect, Pool, count, is_integer_type, page, require};

pub struct AuthJs {
    dialect: Dialect,
    users: String,
    /// The users table's columns, in a stable order (MySQL and SQLite list them).
    user_columns: Vec<String>,
    accounts: Option<String>,
    /// Whether `id` is a number: then pages follow numeric order, on the primary key.
    numeric_id: bool,
}

/// The table names each naming uses: the SQL adapters', Prisma's and Kysely's, then
/// Drizzle's.
const NAMINGS: [(&str, &str); 3] = [
    ("users", "accounts"),
    ("User", "Account"),
    ("user", "account"),
];

impl AuthJs {
    pub async fn open(url: &DbUrl, pool: &Pool, schema: &str) -> Result<Self, DbError> {
        let dialect = pool.dialect();
        let named = |t: &str| match dialect {
            Dialect::Postgres => format!("{schema}.{t}"),
            _ => t.to_owned(),
        };
        for (users, accounts) in NAMINGS {
            let columns = pool
                .columns(schema, users)
                .await
                .map_err(|e| url.query_error("the schema", e))?;
            if columns.is_empty() {
                continue;
            }
            require(
                &columns,
                &["id", "email", "emailVerified"],
                &named(users),
                "this does not look like Auth.js's users table",
            )?;
            let linked = pool
                .columns(schema, accounts)
                .await
                .map_err(|e| url.query_error("the schema", e))?;
            let numeric_id = columns.get("id").is_some_and(|t| is_integer_type(t));
            let mut user_columns: Vec<String> = columns.into_keys().collect();
            user_columns.sort();
            return Ok(Self {
                dialect,
                users: dialect.table(schema, users),
                user_columns,
                accounts: (linked.contains_key("userId") && linked.contains_key("provider"))
                    .then(|| dialect.table(schema, accounts)),
                numeric_id,
            });
        }
        Err(DbError::MissingTable {
            table: match dialect {
                Dialect::Postgres => {
                    format!("{schema}.users (or {schema}.\"User\", {schema}.\"user\")")
                }
                _ => "users (or User, user)".to_owned(),
            },
            place: format!("the {} database at {}", dialect.name(), url.shown),
            hint: match dialect {
                Dialect::Postgres => "check --db-url and --schema",
                _ => "check --db-url",
            },
        })
    }

    pub async fn count(&self, url: &DbUrl, pool: &Pool) -> Result<u64, DbError> {
        let sql = format!("SELECT count(*) FROM {}", self.users);
        count(url, pool, &sql, "the user count").await
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
        let d = self.dialect;
        let q = |c: &str| d.quote(c);
        let id = format!("u.{}", q("id"));
        let accounts = self.accounts.as_ref().map_or_else(
            || d.empty_array().to_owned(),
            |t| {
                let account_id = format!("a.{}", q("providerAccountId"));
                d.array(
                    &d.object(&[
                        ("provider", format!("a.{}", q("provider"))),
                        ("providerAccountId", account_id.clone()),
                    ]),
                    &format!("FROM {t} a WHERE a.{} = {id}", q("userId")),
                    &format!("a.{}, {account_id}", q("provider")),
                )
            },
        );
        let doc = d.row_doc("u", &self.user_columns, &[("accounts", accounts)]);
        let (after, limit) = d.page_params();
        let key = match (d, self.numeric_id) {
            (Dialect::Postgres, true) => (id.clone(), format!("{after}::bigint")),
            (Dialect::Postgres, false) => (format!("{id}::text"), after.to_owned()),
            // MySQL and SQLite compare the bound text as the column's type.
            _ => (id.clone(), after.to_owned()),
        };
        format!(
            "SELECT {} AS k, {doc} AS doc FROM {} u WHERE {} > {} ORDER BY {} LIMIT {limit}",
            d.text(&id),
            self.users,
            key.0,
            key.1,
            key.0,
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
        page(
            url,
            pool,
            &self.page_sql(),
            after.unwrap_or(self.first_key()),
            limit,
        )
        .await
    }
}
