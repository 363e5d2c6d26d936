//! The decision log: every decision a service answers, recorded before the answer leaves, in an
//! embedded SQLite database (WAL, one table named `decisions`; [`sqlite`]) or, so that several
//! replicas of the service share one log, in PostgreSQL (the same table; [`postgres`]).
//!
//! One thread owns the writing connection. Callers hand it entries with [`DecisionLog::append`]
//! and are told when their entry is committed; the thread commits whatever has queued up since
//! its last commit as one transaction (group commit), so that under load one `fsync` covers
//! many decisions. With `synchronous = FULL` a committed decision survives the process being
//! killed and the machine losing power (in PostgreSQL, with its default `synchronous_commit`).
//! Reads ([`DecisionLog::get`], [`DecisionLog::count`]) go to a second connection on a thread
//! of its own.

#[cfg(feature = "log-postgres")]
pub mod postgres;
pub mod sqlite;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc;

use crate::decide::{DecisionId, InputDigest};

/// The most entries committed in one transaction.
const GROUP: usize = 1024;

/// Where a log is kept: a SQLite file, or a PostgreSQL database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogLocation {
    /// A SQLite file (created if need be).
    File(PathBuf),
    /// A PostgreSQL connection URL (`postgres://user:password@host:port/database`); the table
    /// is created if need be.
    Postgres(String),
}

impl LogLocation {
    /// A `postgres://` or `postgresql://` URL is a PostgreSQL database; anything else a file.
    ///
    /// ```
    /// use charter::record::log::LogLocation;
    /// assert!(matches!(LogLocation::parse("postgres://charter@db/charter"), LogLocation::Postgres(_)));
    /// assert!(matches!(LogLocation::parse("decisions.sqlite"), LogLocation::File(_)));
    /// ```
    pub fn parse(text: impl AsRef<std::ffi::OsStr>) -> LogLocation {
        let text = text.as_ref();
        match text.to_str() {
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                LogLocation::Postgres(url.to_string())
            }
            _ => LogLocation::File(PathBuf::from(text)),
        }
    }
}

impl From<&Path> for LogLocation {
    fn from(path: &Path) -> LogLocation {
        LogLocation::File(path.to_path_buf())
    }
}

impl From<PathBuf> for LogLocation {
    fn from(path: PathBuf) -> LogLocation {
        LogLocation::File(path)
    }
}

/// The file's path, or the URL with its password left out: fit for messages and logs.
///
/// ```
/// use charter::record::log::LogLocation;
/// let url = LogLocation::parse("postgres://charter:s3cret@db:5432/log?sslmode=disable");
/// assert_eq!(url.to_string(), "postgres://charter:***@db:5432/log?sslmode=disable");
/// let url = LogLocation::parse("postgresql://charter@db/log");
/// assert_eq!(url.to_string(), "postgresql://charter@db/log");
/// let url = LogLocation::parse("postgres://charter:a/b@c@db/log?password=s3cret&sslmode=disable");
/// assert_eq!(url.to_string(), "postgres://charter:***@db/log?password=***&sslmode=disable");
/// ```
impl std::fmt::Display for LogLocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LogLocation::File(path) => write!(f, "{}", path.display()),
            LogLocation::Postgres(url) => f.write_str(&without_password(url)),
        }
    }
}

/// `postgres://user:secret@host/db` as `postgres://user:***@host/db`, and a `password=` among
/// the query's parameters as `password=***`. The user and password end at the last `@`: a
/// password may hold `/`, `?` or `#` unencoded.
fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (credentials, tail) = match rest.rsplit_once('@') {
        Some((credentials, tail)) => (Some(credentials), tail),
        None => (None, rest),
    };
    let mut out = format!("{scheme}://");
    if let Some(credentials) = credentials {
        match credentials.split_once(':') {
            Some((user, _)) => out.push_str(&format!("{user}:***@")),
            None => out.push_str(&format!("{credentials}@")),
        }
    }
    let (head, query) = match tail.split_once('?') {
        Some((head, query)) => (head, Some(query)),
        None => (tail, None),
    };
    out.push_str(head);
    if let Some(query) = query {
        let parameters: Vec<String> = (query.split('&'))
            .map(|pair| match pair.split_once('=') {
                Some((name, _)) if name.eq_ignore_ascii_case("password") => format!("{name}=***"),
                _ => pair.to_string(),
            })
            .collect();
        out.push('?');
        out.push_str(&parameters.join("&"));
    }
    out
}

/// What a log's backend does: one connection, used by one thread at a time.
pub(crate) trait Store: Send {
    /// Inserts `entries` in one transaction: all or none.
    fn commit(&mut self, entries: &[&Entry]) -> Result<(), String>;
    /// Deletes up to `limit` decisions logged before `cutoff` (milliseconds), oldest first;
    /// how many it deleted.
    fn prune(&mut self, cutoff: i64, limit: i64) -> Result<i64, String>;
    /// The entry with this id.
    fn get(&mut self, id: DecisionId) -> Result<Option<Entry>, String>;
    /// How many entries the log holds.
    fn count(&mut self) -> Result<u64, String>;
}

/// A store just opened: the writer's and the reader's connections, and the backend's own
/// background work (SQLite's checkpoints), stopped by dropping its sender.
pub(crate) struct Opened {
    pub writer: Box<dyn Store>,
    pub reader: Box<dyn Store>,
    pub background: Option<(std::thread::JoinHandle<()>, mpsc::Sender<()>)>,
}

/// The columns of the `decisions` table, in the order both backends read them.
pub(crate) const COLUMNS: &str = "id, logged_at, caller, policy_name, policy_version, policy_digest, input_digest, evaluated_at, case_json, decision_json, redacted";

/// One row as read, before its id and digest are checked.
pub(crate) struct Row {
    pub id: String,
    pub logged_at: i64,
    pub caller: Option<String>,
    pub policy_name: String,
    pub policy_version: String,
    pub policy_digest: String,
    pub input_digest: String,
    pub evaluated_at: i64,
    pub case: String,
    pub decision: String,
    pub redacted: Option<String>,
}

impl Row {
    pub(crate) fn entry(self) -> Result<Entry, String> {
        Ok(Entry {
            id: (self.id.parse()).map_err(|_| format!("`{}` is not a decision id", self.id))?,
            input_digest: (self.input_digest.parse()).map_err(|_| {
                format!(
                    "decision {}: `{}` is not a sha256 digest",
                    self.id, self.input_digest
                )
            })?,
            logged_at: self.logged_at,
            caller: self.caller,
            policy_name: self.policy_name,
            policy_version: self.policy_version,
            policy_digest: self.policy_digest,
            evaluated_at: self.evaluated_at,
            case: self.case,
            decision: self.decision,
            redacted: self
                .redacted
                .map(|names| {
                    (names.split(','))
                        .filter(|n| !n.is_empty())
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default(),
        })
    }
}

impl Entry {
    /// The `redacted` column: the names joined by commas, or NULL.
    pub(crate) fn redacted_column(&self) -> Option<String> {
        (!self.redacted.is_empty()).then(|| self.redacted.join(","))
    }
}

/// One logged decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The decision's id.
    pub id: DecisionId,
    /// When it was answered, in milliseconds since 1970 (UTC).
    pub logged_at: i64,
    /// Who asked (the token's name), when the service knows.
    pub caller: Option<String>,
    /// The policy's name.
    pub policy_name: String,
    /// The version that decided.
    pub policy_version: String,
    /// sha256 of that version's source.
    pub policy_digest: String,
    /// sha256 of the case in canonical form.
    pub input_digest: InputDigest,
    /// The evaluation instant (UTC seconds): the `now` the case was decided at.
    pub evaluated_at: i64,
    /// The case in canonical JSON ([`crate::record::canonical_case`]), with the values of its
    /// personal fields as keyed hashes when `redacted` names them.
    pub case: String,
    /// The personal fields whose values `case` holds as keyed hashes ([`crate::record::redact`]);
    /// empty when the case is as it was decided.
    pub redacted: Vec<String>,
    /// The decision as it was answered (compact JSON).
    pub decision: String,
}

/// What went wrong with the log.
#[derive(Debug, Clone, thiserror::Error)]
pub enum LogError {
    /// The database could not be opened, created or read.
    #[error("decision log `{log}`: {message}")]
    Open {
        /// The log's file, or its URL without the password.
        log: String,
        /// What the database said.
        message: String,
    },
    /// A group of decisions could not be committed; none of them was answered.
    #[error("the decision log could not record the decision: {0}")]
    Write(String),
    /// A query failed.
    #[error("the decision log could not be read: {0}")]
    Read(String),
    /// The writing thread is gone (after a failure it could not recover from).
    #[error("the decision log is closed")]
    Closed,
}

/// How long decisions are kept (`--log-keep`), and how often old ones are looked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// Decisions logged longer ago than this are deleted.
    pub keep: std::time::Duration,
    /// How often the writer looks for them.
    pub every: std::time::Duration,
}

/// The most decisions deleted in one transaction, so that a prune never holds up a group of
/// answers for long.
const PRUNE_CHUNK: i64 = 1000;

/// Told when an appended entry is committed (`Ok`) or failed.
pub type Done = Box<dyn FnOnce(Result<(), LogError>) + Send>;

/// A decision log open for appending and reading. Clones share one writer; when the last is
/// dropped, every entry queued before is committed and the connections closed before the
/// drop returns, so that another process (`charter replay`, a backup) finds the log complete
/// and unlocked.
#[derive(Clone)]
pub struct DecisionLog {
    shared: Arc<Shared>,
}

/// A question for the reading thread, with where to send its answer.
enum Read {
    Get(DecisionId, mpsc::SyncSender<Result<Option<Entry>, String>>),
    Count(mpsc::SyncSender<Result<u64, String>>),
}

struct Shared {
    location: LogLocation,
    /// `None` only while the log is being dropped.
    queue: Option<mpsc::Sender<(Vec<Entry>, Done)>>,
    reads: Option<mpsc::Sender<Read>>,
    /// Dropped to stop the backend's own background thread.
    background: Option<mpsc::Sender<()>>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl Drop for Shared {
    fn drop(&mut self) {
        // The writer drains what is queued, then sees the queue closed and returns.
        self.queue.take();
        self.reads.take();
        self.background.take();
        let here = std::thread::current().id();
        for thread in self.threads.drain(..) {
            // A `Done` callback holding the last clone runs on the writer itself.
            if thread.thread().id() != here {
                let _ = thread.join();
            }
        }
    }
}

impl std::fmt::Debug for DecisionLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DecisionLog")
            .field("location", &self.shared.location.to_string())
            .finish()
    }
}

impl DecisionLog {
    /// Opens the SQLite log at `path`, creating the file and its table if need be, and
    /// starts its writing thread.
    ///
    /// ```
    /// use charter::record::log::DecisionLog;
    /// let dir = tempfile::tempdir()?;
    /// let log = DecisionLog::open(&dir.path().join("decisions.sqlite"))?;
    /// assert_eq!(log.count()?, 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn open(path: &Path) -> Result<DecisionLog, LogError> {
        DecisionLog::open_at(&LogLocation::File(path.to_path_buf()), None)
    }

    /// Like [`DecisionLog::open`], and with `retention` the writer deletes decisions older
    /// than it keeps, a thousand at a time between groups, at start and then as often as it
    /// says.
    ///
    /// ```
    /// use std::time::Duration;
    /// use charter::record::log::{DecisionLog, Retention};
    /// let dir = tempfile::tempdir()?;
    /// let keep = Retention { keep: Duration::from_secs(180 * 86_400), every: Duration::from_secs(60) };
    /// let log = DecisionLog::open_keeping(&dir.path().join("decisions.sqlite"), Some(keep))?;
    /// assert_eq!(log.count()?, 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn open_keeping(
        path: &Path,
        retention: Option<Retention>,
    ) -> Result<DecisionLog, LogError> {
        DecisionLog::open_at(&LogLocation::File(path.to_path_buf()), retention)
    }

    /// Opens the log at `location`, a SQLite file or a PostgreSQL database, creating its
    /// table if need be. Several services may share one PostgreSQL log; a SQLite file
    /// belongs to one. Call it outside an async runtime: the PostgreSQL client blocks.
    ///
    /// ```
    /// use charter::record::log::{DecisionLog, LogLocation};
    /// let dir = tempfile::tempdir()?;
    /// let location = LogLocation::parse(dir.path().join("decisions.sqlite"));
    /// let log = DecisionLog::open_at(&location, None)?;
    /// assert_eq!(log.count()?, 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn open_at(
        location: &LogLocation,
        retention: Option<Retention>,
    ) -> Result<DecisionLog, LogError> {
        let Opened {
            writer,
            reader,
            background,
        } = open_store(location)?;
        let start = |name: &str, work: Box<dyn FnOnce() + Send>| {
            std::thread::Builder::new()
                .name(name.into())
                .spawn(work)
                .map_err(|e| LogError::Open {
                    log: location.to_string(),
                    message: format!("cannot start the {name} thread: {e}"),
                })
        };
        let mut threads = Vec::new();
        let background = background.map(|(thread, stop)| {
            threads.push(thread);
            stop
        });
        let (reads, questions) = mpsc::channel::<Read>();
        threads.push(start(
            "decision-log-reader",
            Box::new(move || answer(reader, questions)),
        )?);
        let (queue, incoming) = mpsc::channel::<(Vec<Entry>, Done)>();
        threads.push(start(
            "decision-log",
            Box::new(move || write_groups(writer, incoming, retention)),
        )?);
        Ok(DecisionLog {
            shared: Arc::new(Shared {
                location: location.clone(),
                queue: Some(queue),
                reads: Some(reads),
                background,
                threads,
            }),
        })
    }

    /// Where the log is kept.
    pub fn location(&self) -> &LogLocation {
        &self.shared.location
    }

    /// Queues `entry`; `done` is called on the writing thread once it is committed (or
    /// could not be).
    pub fn append(&self, entry: Entry, done: Done) {
        self.append_all(vec![entry], done);
    }

    /// Queues `entries` to be committed together, in one transaction: all or none (a batch
    /// answered as a whole); `done` is called once.
    pub fn append_all(&self, entries: Vec<Entry>, done: Done) {
        let Some(queue) = &self.shared.queue else {
            return done(Err(LogError::Closed));
        };
        if let Err(mpsc::SendError((_, done))) = queue.send((entries, done)) {
            done(Err(LogError::Closed));
        }
    }

    /// Appends `entry` and waits until it is committed.
    ///
    /// ```
    /// # use charter::record::log::{DecisionLog, Entry};
    /// # let dir = tempfile::tempdir()?;
    /// # let log = DecisionLog::open(&dir.path().join("decisions.sqlite"))?;
    /// let entry = Entry {
    ///     id: charter::record::new_id()?,
    ///     logged_at: 1_796_011_200_000,
    ///     caller: Some("crm".into()),
    ///     policy_name: "office".into(),
    ///     policy_version: "1".into(),
    ///     policy_digest: "ab".repeat(32),
    ///     input_digest: charter::decide::InputDigest([0; 32]),
    ///     evaluated_at: 1_796_011_200,
    ///     case: "{}".into(),
    ///     decision: "{}".into(),
    ///     redacted: Vec::new(),
    /// };
    /// log.append_wait(entry.clone())?;
    /// assert_eq!(log.get(entry.id)?, Some(entry));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn append_wait(&self, entry: Entry) -> Result<(), LogError> {
        let (told, wait) = mpsc::sync_channel(1);
        self.append(
            entry,
            Box::new(move |result| {
                let _ = told.send(result);
            }),
        );
        wait.recv().unwrap_or(Err(LogError::Closed))
    }

    /// Asks the reading thread and waits for its answer.
    fn ask<T>(
        &self,
        question: impl FnOnce(mpsc::SyncSender<Result<T, String>>) -> Read,
    ) -> Result<T, LogError> {
        let (told, wait) = mpsc::sync_channel(1);
        let asked =
            (self.shared.reads.as_ref()).is_some_and(|reads| reads.send(question(told)).is_ok());
        if !asked {
            return Err(LogError::Closed);
        }
        match wait.recv() {
            Ok(answer) => answer.map_err(LogError::Read),
            Err(_) => Err(LogError::Closed),
        }
    }

    /// The entry with this id, if the log has one.
    pub fn get(&self, id: DecisionId) -> Result<Option<Entry>, LogError> {
        self.ask(|told| Read::Get(id, told))
    }

    /// How many decisions the log holds.
    pub fn count(&self) -> Result<u64, LogError> {
        self.ask(Read::Count)
    }
}

fn open_store(location: &LogLocation) -> Result<Opened, LogError> {
    match location {
        LogLocation::File(path) => sqlite::open(path),
        #[cfg(feature = "log-postgres")]
        LogLocation::Postgres(url) => postgres::open(url),
        #[cfg(not(feature = "log-postgres"))]
        LogLocation::Postgres(_) => Err(without_postgres(location)),
    }
}

#[cfg(not(feature = "log-postgres"))]
fn without_postgres(location: &LogLocation) -> LogError {
    LogError::Open {
        log: location.to_string(),
        message: "this charter was built without PostgreSQL (cargo feature `log-postgres`); use a SQLite file, or a charter built with it".into(),
    }
}

/// Reads every entry of the log at `location`, oldest first, without starting a writer: for
/// `charter replay` and tests. `each` may stop the walk by returning `false`.
pub fn read_all(
    location: &LogLocation,
    each: &mut dyn FnMut(Entry) -> bool,
) -> Result<u64, LogError> {
    match location {
        LogLocation::File(path) => sqlite::read_all(path, each),
        #[cfg(feature = "log-postgres")]
        LogLocation::Postgres(url) => postgres::read_all(url, each),
        #[cfg(not(feature = "log-postgres"))]
        LogLocation::Postgres(_) => Err(without_postgres(location)),
    }
}

/// The reading thread: answers questions until the log is dropped.
fn answer(mut store: Box<dyn Store>, questions: mpsc::Receiver<Read>) {
    for question in questions {
        match question {
            Read::Get(id, told) => {
                let _ = told.send(store.get(id));
            }
            Read::Count(told) => {
                let _ = told.send(store.count());
            }
        }
    }
}

/// The writing thread: waits for an entry, takes whatever else has queued (up to [`GROUP`]),
/// commits them as one transaction, then tells each caller. With a retention it deletes old
/// decisions between groups.
fn write_groups(
    mut store: Box<dyn Store>,
    incoming: mpsc::Receiver<(Vec<Entry>, Done)>,
    retention: Option<Retention>,
) {
    let mut group: Vec<(Vec<Entry>, Done)> = Vec::with_capacity(GROUP);
    let mut next_prune = std::time::Instant::now();
    loop {
        let first = match retention {
            None => incoming.recv().ok(),
            Some(_) => match incoming
                .recv_timeout(next_prune.saturating_duration_since(std::time::Instant::now()))
            {
                Ok(first) => Some(first),
                Err(mpsc::RecvTimeoutError::Timeout) => None,
                Err(mpsc::RecvTimeoutError::Disconnected) => return,
            },
        };
        match first {
            Some(first) => {
                let mut size = first.0.len();
                group.push(first);
                // Whole appends only: a batch's entries are never split between transactions.
                while size < GROUP {
                    match incoming.try_recv() {
                        Ok(next) => {
                            size += next.0.len();
                            group.push(next);
                        }
                        Err(_) => break,
                    }
                }
                let entries: Vec<&Entry> = group.iter().flat_map(|(entries, _)| entries).collect();
                let result = store.commit(&entries).map_err(LogError::Write);
                drop(entries);
                for (_, done) in group.drain(..) {
                    done(result.clone());
                }
            }
            None if retention.is_none() => return,
            None => {}
        }
        if let Some(retention) = retention
            && std::time::Instant::now() >= next_prune
        {
            let cutoff = chrono::Utc::now().timestamp_millis()
                - i64::try_from(retention.keep.as_millis()).unwrap_or(i64::MAX);
            // A full chunk: more may be left, so look again straight after the next group.
            next_prune = match store.prune(cutoff, PRUNE_CHUNK) {
                Ok(PRUNE_CHUNK) => std::time::Instant::now(),
                _ => std::time::Instant::now() + retention.every,
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn entry(logged_at: i64) -> Entry {
        Entry {
            id: crate::record::new_id().unwrap_or_else(|e| unreachable!("{e}")),
            logged_at,
            caller: None,
            policy_name: "p".into(),
            policy_version: "1".into(),
            policy_digest: "00".repeat(32),
            input_digest: InputDigest([0; 32]),
            evaluated_at: 0,
            case: "{}".into(),
            decision: "{}".into(),
            redacted: Vec::new(),
        }
    }

    /// Dropping the last clone commits what was queued and closes the file: the write-ahead
    /// log is folded in and removed, so another process reads the whole log at once.
    #[test]
    fn dropping_the_log_commits_what_was_queued_and_closes_the_file() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| unreachable!("{e}"));
        let path = dir.path().join("log.sqlite");
        let log = DecisionLog::open(&path).unwrap_or_else(|e| unreachable!("{e}"));
        let clone = log.clone();
        // More than two chunks of `read_all`, all logged at the same millisecond.
        for _ in 0..2500 {
            clone.append(entry(0), Box::new(|_| {}));
        }
        drop(log);
        assert!(
            dir.path().join("log.sqlite-wal").exists(),
            "a clone still holds it open"
        );
        drop(clone);
        assert!(!dir.path().join("log.sqlite-wal").exists());
        let mut ids = std::collections::BTreeSet::new();
        let read = read_all(&path.clone().into(), &mut |e| ids.insert(e.id))
            .unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!((read, ids.len()), (2500, 2500));
    }

    /// Where the tests keep their logs: a SQLite file in `dir`, and, when
    /// `CHARTER_TEST_POSTGRES` gives a database URL, a schema of its own in that database.
    fn locations(dir: &Path) -> Vec<LogLocation> {
        #[cfg_attr(not(feature = "log-postgres"), allow(unused_mut))]
        let mut locations = vec![LogLocation::File(dir.join("log.sqlite"))];
        #[cfg(feature = "log-postgres")]
        match std::env::var("CHARTER_TEST_POSTGRES") {
            Ok(url) => locations.push(LogLocation::Postgres(postgres::tests::fresh_schema(&url))),
            Err(_) => eprintln!("CHARTER_TEST_POSTGRES is not set: PostgreSQL not tested"),
        }
        locations
    }

    /// A batch is one transaction: when one of its entries cannot be written, none is.
    #[test]
    fn a_batch_is_recorded_whole_or_not_at_all() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| unreachable!("{e}"));
        for location in locations(dir.path()) {
            let log = DecisionLog::open_at(&location, None).unwrap_or_else(|e| unreachable!("{e}"));
            let first = entry(0);
            let mut batch: Vec<Entry> = (0..3000).map(|_| entry(0)).collect();
            // The same id twice: the UNIQUE constraint refuses the last one.
            batch.push(first.clone());
            batch.insert(0, first);
            let (told, wait) = mpsc::sync_channel(1);
            log.append_all(
                batch,
                Box::new(move |r| {
                    let _ = told.send(r);
                }),
            );
            assert!(
                matches!(wait.recv(), Ok(Err(LogError::Write(_)))),
                "{location}"
            );
            assert_eq!(log.count().ok(), Some(0), "{location}");
            // The log goes on after the refusal.
            log.append_wait(entry(0))
                .unwrap_or_else(|e| unreachable!("{e}"));
            assert_eq!(log.count().ok(), Some(1), "{location}");
        }
    }

    #[test]
    fn decisions_older_than_the_retention_are_deleted_and_the_rest_kept() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| unreachable!("{e}"));
        for location in locations(dir.path()) {
            let now = chrono::Utc::now().timestamp_millis();
            let day = 86_400_000;
            {
                let log =
                    DecisionLog::open_at(&location, None).unwrap_or_else(|e| unreachable!("{e}"));
                // 2,500 old ones (more than one chunk) and 3 recent ones.
                let entries = (0..2500).map(|i| 200 * day + i).chain([0, day, 179 * day]);
                let (told, wait) = mpsc::sync_channel(1);
                log.append_all(
                    entries.map(|age| entry(now - age)).collect(),
                    Box::new(move |r| {
                        let _ = told.send(r);
                    }),
                );
                assert!(matches!(wait.recv(), Ok(Ok(()))), "{location}");
                assert_eq!(log.count().ok(), Some(2503), "{location}");
            }
            let retention = Retention {
                keep: Duration::from_secs(180 * 86_400),
                every: Duration::from_millis(20),
            };
            let log = DecisionLog::open_at(&location, Some(retention))
                .unwrap_or_else(|e| unreachable!("{e}"));
            let started = std::time::Instant::now();
            while log.count().ok() != Some(3) && started.elapsed() < Duration::from_secs(10) {
                std::thread::sleep(Duration::from_millis(10));
            }
            assert_eq!(log.count().ok(), Some(3), "{location}");
            // Appending goes on while it prunes.
            log.append_wait(entry(now))
                .unwrap_or_else(|e| unreachable!("{e}"));
            assert_eq!(log.count().ok(), Some(4), "{location}");
            let mut read = Vec::new();
            read_all(&location, &mut |e| {
                read.push(e.logged_at);
                true
            })
            .unwrap_or_else(|e| unreachable!("{e}"));
            assert_eq!(read, [now - 179 * day, now - day, now, now], "{location}");
        }
    }
}
