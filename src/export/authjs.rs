//! Auth.js: the `users` and `accounts` tables of its official SQL adapters (as
//! `@auth/pg-adapter` documents them), or Prisma's `User` and `Account`. Users have no
//! passwords; linked providers go to metadata, `emailVerified` says which emails are.

use super::db::{DbError, DbUrl, Dialect, Keyset, Pool, count, is_integer_type, require};

pub struct AuthJs {
    dialect: Dialect,
    /// The users table's columns, in a stable order (MySQL and SQLite list them).
    user_columns: Vec<String>,
    accounts: Option<String>,
    keyset: Keyset,
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
            let numeric = columns.get("id").is_some_and(|t| is_integer_type(t));
            let mut user_columns: Vec<String> = columns.into_keys().collect();
            user_columns.sort();
            let table = dialect.table(schema, users);
            let id = format!("u.{}", dialect.quote("id"));
            // Pages follow the primary key's own order: numeric for a serial id. MySQL and
            // SQLite compare the bound text as the column's type.
            let (key, cast) = match (dialect, numeric) {
                (Dialect::Postgres, true) => (id, "::bigint"),
                (Dialect::Postgres, false) => (format!("{id}::text"), ""),
                _ => (id, ""),
            };
            return Ok(Self {
                keyset: Keyset {
                    dialect,
                    from: format!("{table} u"),
                    key,
                    cast,
                    first: if numeric { "-9223372036854775808" } else { "" },
                    filters: Vec::new(),
                },
                dialect,
                user_columns,
                accounts: (linked.contains_key("userId") && linked.contains_key("provider"))
                    .then(|| dialect.table(schema, accounts)),
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
        count(url, pool, &self.keyset.count_sql(), "the user count").await
    }

    /// One page's query: the users in a key range ([`Keyset::scope`]), as `k` and `doc`.
    pub fn page_sql(&self, bounded: bool, from_start: bool) -> String {
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
