//! `migrate export`: users straight out of a platform's database, into exactly the file
//! `migrate -t SOURCE -f FILE` reads. Rows come a page at a time (ranges of the
//! primary key), are written to a private temporary file that is renamed into place when
//! complete, and are run through the import's own transformer and checks for the
//! coverage report.

pub mod authjs;
pub mod betterauth;
pub mod betterauth_orgs;
pub mod clerk;
pub mod clerk_orgs;
pub mod db;
pub mod orgs;
pub mod supabase;
pub mod writer;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use serde_json::Value;

use crate::event::{Event, Reporter};
use crate::prepare::{self, PlanSummary, PrepareOptions};
use crate::source::{Fields, Position, Record};
use crate::transform::{TransformContext, TransformerKind};
use crate::user::ValidateOptions;

pub use db::{ConnectCause, DbError, DbUrl};
pub use writer::Layout;

/// Rows per page.
const PAGE: i64 = 2000;

/// Pages the database builds at once while the program writes the one before.
const AHEAD: usize = 2;

/// Bytes of row text one page may hold before its reader waits for the writer: pages
/// are sized in rows for the database's sake, and in bytes for ours, so a table of
/// 20 MB rows is exported in the memory of a few of them.
const PAGE_BYTES: usize = 16 << 20;

/// One row of a page: its key and its JSON document (or why it cannot be read), holding
/// its share of the page's byte budget until it is written.
#[derive(Debug)]
pub struct PageRow {
    pub key: String,
    pub doc: Result<String, String>,
    _budget: tokio::sync::OwnedSemaphorePermit,
}

type RowResult = Result<PageRow, DbError>;

/// Where a page's reader sends its rows, in order, as the database streams them.
pub struct RowSink {
    tx: tokio::sync::mpsc::UnboundedSender<RowResult>,
    budget: Arc<tokio::sync::Semaphore>,
    /// The page before has its connection (or ended) / this page has its connection.
    turn: std::sync::Mutex<Turns>,
}

type Turns = (
    Option<tokio::sync::oneshot::Receiver<()>>,
    Option<tokio::sync::oneshot::Sender<()>>,
);

/// Held while a page's reader takes its connection; dropped, it lets the next page take
/// one.
pub struct Turn(Option<tokio::sync::oneshot::Sender<()>>);

impl Drop for Turn {
    fn drop(&mut self) {
        if let Some(next) = self.0.take() {
            let _ = next.send(());
        }
    }
}

impl RowSink {
    fn new(tx: tokio::sync::mpsc::UnboundedSender<RowResult>, turns: Turns) -> Self {
        Self {
            tx,
            budget: Arc::new(tokio::sync::Semaphore::new(PAGE_BYTES)),
            turn: std::sync::Mutex::new(turns),
        }
    }

    /// Waits until the page before has taken its connection: pages take connections in
    /// their order, so a later page waiting for the writer never holds the connection
    /// the page being written needs.
    pub async fn turn(&self) -> Turn {
        let (before, mine) = self
            .turn
            .lock()
            .map(|mut t| (t.0.take(), t.1.take()))
            .unwrap_or_default();
        if let Some(before) = before {
            // An error means the page before ended: its turn is over too.
            let _ = before.await;
        }
        Turn(mine)
    }

    /// Passes a row on once the page's budget has room for it; `false` when nobody
    /// reads any more. A row over the import's record cap is passed on as unreadable
    /// (`too_large`), its text dropped: written, it would make the file unimportable.
    pub async fn send(&self, key: String, doc: Result<String, String>) -> bool {
        let doc = doc.and_then(|d| {
            if d.len() > crate::source::MAX_RECORD_BYTES {
                Err(format!(
                    "too_large: {:.1} MB, over the import's {} MiB record cap",
                    d.len() as f64 / 1e6,
                    crate::source::MAX_RECORD_BYTES >> 20
                ))
            } else {
                Ok(d)
            }
        });
        let need = doc.as_ref().map_or(0, String::len).clamp(1, PAGE_BYTES);
        let Ok(budget) = self
            .budget
            .clone()
            .acquire_many_owned(u32::try_from(need).unwrap_or(u32::MAX))
            .await
        else {
            return false;
        };
        self.tx
            .send(Ok(PageRow {
                key,
                doc,
                _budget: budget,
            }))
            .is_ok()
    }
}

/// Which platform's tables to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbSource {
    Supabase,
    Betterauth,
    Authjs,
}

impl DbSource {
    pub fn transformer(self) -> TransformerKind {
        match self {
            Self::Supabase => TransformerKind::Supabase,
            Self::Betterauth => TransformerKind::Betterauth,
            Self::Authjs => TransformerKind::Authjs,
        }
    }
}

/// What to export and where.
#[derive(Debug, Clone)]
pub struct ExportOptions {
    pub source: DbSource,
    pub url: DbUrl,
    pub schema: String,
    pub output: PathBuf,
    pub layout: Layout,
    /// Better Auth's table names.
    pub tables: betterauth::Tables,
    /// Better Auth's `BETTER_AUTH_SECRET`, to decrypt two-factor secrets.
    pub app_secret: Option<secrecy::SecretString>,
    /// `--since`: only users the platform changed after this time.
    pub since: Option<chrono::DateTime<chrono::Utc>>,
}

/// What an export wrote.
#[derive(Debug, Default)]
pub struct ExportSummary {
    pub file: PathBuf,
    pub total: u64,
    /// Users left out on purpose, by reason (soft-deleted, anonymous).
    pub skipped_by_reason: BTreeMap<String, u64>,
    /// Rows that could not be read: their key and why.
    pub unreadable: Vec<(String, String)>,
    /// The exported users as the import will see them: hashers and field coverage.
    pub plan: PlanSummary,
    /// Users with two-factor on whose secret could not be decrypted (no or a wrong app
    /// secret): exported without it, they must enrol again.
    pub mfa_reenrol: u64,
    /// `--since`: the window the file covers, from that time to the export's start (the
    /// next delta's `--since`), both RFC 3339.
    pub window: Option<(String, String)>,
    /// The instance's user count before and after a Clerk export, when they differ:
    /// users were created or deleted while it ran, so the file may not match it.
    pub instance_changed: Option<(u64, u64)>,
}

impl ExportSummary {
    /// Writes one user, counting it and checking it as the import will.
    /// `text` is `map` as the file gets it (single-line JSON).
    fn emit(
        &mut self,
        map: serde_json::Map<String, Value>,
        text: &str,
        prepare: &PrepareOptions,
        out: &mut writer::ExportWriter,
        reporter: &dyn Reporter,
    ) -> std::io::Result<()> {
        self.total += 1;
        out.write_text(text)?;
        let record = Record {
            position: Position {
                row: self.total,
                line: self.total,
            },
            fields: map.into_iter().collect::<Fields>(),
            defect: None,
        };
        let (item, ignored) = prepare::prepare_record(record, prepare);
        self.plan.add(&item, &ignored);
        reporter.report(&Event::Progress { done: self.total });
        Ok(())
    }

    /// Whether the file may not hold every user it should (exit 3).
    pub fn incomplete(&self) -> bool {
        !self.unreadable.is_empty() || self.instance_changed.is_some()
    }

    pub fn skipped(&self) -> u64 {
        self.skipped_by_reason.values().sum::<u64>() + self.unreadable.len() as u64
    }
}

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Clerk(#[from] crate::clerk::ClientError),
    #[error(
        "{platform}'s tables have no column that records when a user changed: --since cannot tell what changed; export every user instead"
    )]
    NoChangeColumn { platform: &'static str },
    #[error("failed to write {}", .path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

enum Reader {
    Supabase(supabase::Supabase),
    BetterAuth(betterauth::BetterAuth),
    AuthJs(authjs::AuthJs),
}

impl Reader {
    /// The users after `after`, up to and including `until` (to the end when `None`),
    /// sent to `sink` as they come.
    async fn page(
        &self,
        url: &DbUrl,
        pool: &db::Pool,
        after: Option<&str>,
        until: Option<&str>,
        sink: &RowSink,
    ) -> Result<(), DbError> {
        let bounded = until.is_some();
        let plain = |_: &str, _: &mut String| {};
        match self {
            Self::Supabase(r) => r.page(url, pool, after, until, sink).await,
            Self::BetterAuth(r) => {
                let sql = r.page_sql(bounded, after.is_none());
                r.keyset()
                    .page(url, pool, &sql, after, until, sink, plain)
                    .await
            }
            Self::AuthJs(r) => {
                let sql = r.page_sql(bounded, after.is_none());
                r.keyset()
                    .page(url, pool, &sql, after, until, sink, plain)
                    .await
            }
        }
    }

    fn keyset(&self) -> &db::Keyset {
        match self {
            Self::Supabase(r) => r.keyset(),
            Self::BetterAuth(r) => r.keyset(),
            Self::AuthJs(r) => r.keyset(),
        }
    }
}

/// A page's key range: after one key (`None`: the start), up to and including another
/// (`None`: the end).
type Range = (Option<String>, Option<String>);

/// The pages' key ranges, in order. They tile the key space, so every user is in exactly
/// one page; the walker reads keys alone, on its own connection, at most [`AHEAD`] pages
/// ahead, and stops when the receiver is dropped.
fn walk(
    reader: Arc<Reader>,
    url: DbUrl,
    pool: db::Pool,
) -> tokio::sync::mpsc::Receiver<Result<Range, DbError>> {
    let (tx, rx) = tokio::sync::mpsc::channel(AHEAD);
    tokio::spawn(async move {
        let mut after = None;
        loop {
            let end = reader
                .keyset()
                .boundary(&url, &pool, after.as_deref(), PAGE)
                .await;
            let next = end.as_ref().ok().cloned().flatten();
            if tx.send(end.map(|end| (after, end))).await.is_err() {
                return;
            }
            match next {
                Some(key) => after = Some(key),
                None => return,
            }
        }
    });
    rx
}

/// Writes the organizations of a Better Auth database (its organization plugin's tables)
/// to `output` in the tool's organization file format, created new and renamed into place
/// when whole.
pub async fn run_orgs(
    url: &DbUrl,
    schema: &str,
    output: &std::path::Path,
    layout: Layout,
) -> Result<orgs::OrgsExport, ExportError> {
    let pool = url.connect().await?;
    let (orgs, summary) = betterauth_orgs::read(url, &pool, schema).await?;
    write_all(output, layout, &orgs)?;
    Ok(summary)
}

/// Writes the organizations of a Clerk instance to `output`, as [`run_orgs`] does.
pub async fn run_clerk_orgs(
    client: &crate::clerk::ClerkClient,
    pacer: &crate::clerk::Pacer,
    policy: &crate::clerk::RetryPolicy,
    output: &std::path::Path,
    layout: Layout,
) -> Result<orgs::OrgsExport, ExportError> {
    let (orgs, summary) = clerk_orgs::read(client, pacer, policy).await?;
    write_all(output, layout, &orgs)?;
    Ok(summary)
}

/// Writes `records` whole to `output`.
pub fn write_all<T: serde::Serialize>(
    output: &std::path::Path,
    layout: Layout,
    records: &[T],
) -> Result<(), ExportError> {
    let failed = |source| ExportError::Write {
        path: output.to_owned(),
        source,
    };
    let mut writer = writer::ExportWriter::create(output, layout).map_err(failed)?;
    for r in records {
        let value = serde_json::to_value(r).map_err(|e| failed(std::io::Error::other(e)))?;
        writer.write(&value).map_err(failed)?;
    }
    writer.finish().map_err(failed)?;
    Ok(())
}

pub async fn run(
    options: &ExportOptions,
    reporter: Arc<dyn Reporter>,
) -> Result<ExportSummary, ExportError> {
    let url = &options.url;
    let pool = url.connect().await?;
    let reader = match options.source {
        DbSource::Supabase => {
            Reader::Supabase(supabase::Supabase::open(url, &pool, &options.schema).await?)
        }
        DbSource::Betterauth => Reader::BetterAuth(
            betterauth::BetterAuth::open(url, &pool, &options.schema, &options.tables).await?,
        ),
        DbSource::Authjs => {
            Reader::AuthJs(authjs::AuthJs::open(url, &pool, &options.schema).await?)
        }
    };
    let started = chrono::Utc::now();
    let mut reader = reader;
    if let Some(since) = options.since {
        match &mut reader {
            Reader::Supabase(r) => r.changed_since(since)?,
            Reader::BetterAuth(r) => r.changed_since(since)?,
            Reader::AuthJs(_) => {
                return Err(ExportError::NoChangeColumn {
                    platform: "Auth.js",
                });
            }
        }
    }
    let stamp =
        |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let mut summary = ExportSummary {
        file: options.output.clone(),
        window: options.since.map(|s| (stamp(s), stamp(started))),
        ..ExportSummary::default()
    };
    let skipped = match &reader {
        Reader::Supabase(r) => r.skipped(url, &pool).await?,
        Reader::BetterAuth(_) | Reader::AuthJs(_) => Vec::new(),
    };
    summary.skipped_by_reason = skipped
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(k, n)| (k.to_owned(), n))
        .collect();
    let write_err = |source| ExportError::Write {
        path: options.output.clone(),
        source,
    };
    let mut out =
        writer::ExportWriter::create(&options.output, options.layout).map_err(write_err)?;
    let prepare = PrepareOptions {
        transformer: options.source.transformer(),
        format: None,
        context: TransformContext::default(),
        validate: ValidateOptions::default(),
    };
    let total = match &reader {
        Reader::Supabase(r) => r.count(url, &pool).await?,
        Reader::BetterAuth(r) => r.count(url, &pool).await?,
        Reader::AuthJs(r) => r.count(url, &pool).await?,
    };
    reporter.report(&Event::Started { total, skipped: 0 });
    // Page boundaries come from the primary key's index, ahead of the pages, so the
    // database builds two pages on two connections while the program writes the last.
    let reader = Arc::new(reader);
    let mut last_turn: Option<tokio::sync::oneshot::Receiver<()>> = None;
    let mut fetch = |(after, until): Range| {
        let (reader, url, pool) = (reader.clone(), url.clone(), pool.clone());
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let (done, next) = tokio::sync::oneshot::channel();
        let sink = RowSink::new(tx, (last_turn.replace(next), Some(done)));
        let task = tokio::spawn(async move {
            if let Err(e) = reader
                .page(&url, &pool, after.as_deref(), until.as_deref(), &sink)
                .await
            {
                let _ = sink.tx.send(Err(e));
            }
        });
        (rx, task)
    };
    let mut ranges = walk(reader.clone(), url.clone(), pool.clone());
    let mut ahead = std::collections::VecDeque::new();
    loop {
        // Top up with the ranges the walker has ready, waiting for one only when no page
        // is queued: a page's reader holds its connection while the writer catches up,
        // and on SQLite's one connection the walker waits for it.
        while ahead.len() < AHEAD {
            let next = if ahead.is_empty() {
                ranges.recv().await
            } else {
                match ranges.try_recv() {
                    Ok(range) => Some(range),
                    Err(_) => break,
                }
            };
            match next {
                Some(range) => ahead.push_back(fetch(range?)),
                None => break,
            }
        }
        let Some((mut rows, task)) = ahead.pop_front() else {
            break;
        };
        while let Some(row) = rows.recv().await {
            // The row's share of its page's budget is given back when it is written.
            let row = row?;
            let parsed = row
                .doc
                .as_deref()
                .map_err(Clone::clone)
                .and_then(|d| serde_json::from_str::<Value>(d).map_err(|e| e.to_string()));
            let mut map = match parsed {
                Ok(Value::Object(map)) => map,
                Ok(_) => {
                    summary
                        .unreadable
                        .push((row.key, "not a JSON object".to_owned()));
                    continue;
                }
                Err(reason) => {
                    summary.unreadable.push((row.key, reason));
                    continue;
                }
            };
            // The ciphertext is never exported: the real secret, or nothing.
            let mut changed = false;
            if let Some(stored) = map.remove("twoFactorSecret") {
                changed = true;
                if let Value::String(stored) = stored {
                    use secrecy::ExposeSecret;
                    match options
                        .app_secret
                        .as_ref()
                        .and_then(|s| betterauth::decrypt_totp(&stored, s.expose_secret()))
                    {
                        Some(totp) => {
                            map.insert("totpSecret".to_owned(), Value::String(totp));
                        }
                        None => summary.mfa_reenrol += 1,
                    }
                }
            }
            let text = match (changed, row.doc) {
                (false, Ok(doc)) => doc,
                _ => Value::Object(map.clone()).to_string(),
            };
            summary
                .emit(map, &text, &prepare, &mut out, reporter.as_ref())
                .map_err(write_err)?;
        }
        // A page whose reader died mid-way must not pass for a short page.
        task.await.map_err(|e| {
            ExportError::Db(DbError::Query {
                what: "users",
                at: url.shown.clone(),
                reason: e.to_string(),
            })
        })?;
    }
    summary.file = out.finish().map_err(write_err)?;
    reporter.report(&Event::Finished);
    Ok(summary)
}

/// Exports every user of a Clerk instance. Clerk returns no password digests and no TOTP
/// secrets: users with two-factor on are counted in `mfa_reenrol`.
pub async fn run_clerk(
    client: &crate::clerk::ClerkClient,
    pacer: &crate::clerk::Pacer,
    policy: &crate::clerk::RetryPolicy,
    output: &std::path::Path,
    layout: Layout,
    reporter: Arc<dyn Reporter>,
) -> Result<ExportSummary, ExportError> {
    use crate::clerk::paced::{Unrecorded, paced};
    let write_err = |source| ExportError::Write {
        path: output.to_owned(),
        source,
    };
    let query = crate::clerk::types::UserQuery::default();
    let total = paced(pacer, policy, &Unrecorded, || client.count_users(&query)).await?;
    reporter.report(&Event::Started { total, skipped: 0 });
    let mut out = writer::ExportWriter::create(output, layout).map_err(write_err)?;
    let prepare = PrepareOptions {
        transformer: TransformerKind::Clerk,
        format: None,
        context: TransformContext::default(),
        validate: ValidateOptions::default(),
    };
    let mut summary = ExportSummary::default();
    let mut cursor = clerk::Cursor::default();
    while let Some(users) = cursor.next(client, pacer, policy).await? {
        for u in &users {
            let Value::Object(map) = clerk::record(u) else {
                continue;
            };
            if u.totp_enabled || u.backup_code_enabled {
                summary.mfa_reenrol += 1;
            }
            let text = Value::Object(map.clone()).to_string();
            summary
                .emit(map, &text, &prepare, &mut out, reporter.as_ref())
                .map_err(write_err)?;
        }
    }
    // Users created or deleted meanwhile are the only ones a cursor can miss or keep.
    let after = paced(pacer, policy, &Unrecorded, || client.count_users(&query)).await?;
    if after != total {
        summary.instance_changed = Some((total, after));
    }
    summary.file = out.finish().map_err(write_err)?;
    reporter.report(&Event::Finished);
    Ok(summary)
}
