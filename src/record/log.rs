//! The decision log: every decision a service answers, recorded before the answer leaves, in an
//! embedded SQLite database (WAL, one table named `decisions`).
//!
//! One thread owns the writing connection. Callers hand it entries with [`DecisionLog::append`]
//! and are told when their entry is committed; the thread commits whatever has queued up since
//! its last commit as one transaction (group commit), so that under load one `fsync` covers
//! many decisions. With `synchronous = FULL` a committed decision survives the process being
//! killed and the machine losing power. Checkpoints (copying the write-ahead log into the
//! database) run on a thread of their own every tenth of a second, so that a commit seldom
//! waits for one; the writer finishes one itself only when the log passes 16 MiB.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, OptionalExtension, params};

use crate::decide::{DecisionId, InputDigest};

/// The most entries committed in one transaction.
const GROUP: usize = 1024;

/// The table, and the index pruning and time queries use. `user_version` says which layout a
/// file has. A table with row ids, not `WITHOUT ROWID`: rows of several kilobytes are what
/// SQLite's documentation says such tables are not for, and measured so (a third fewer
/// decisions a second).
const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS decisions (
    id             TEXT NOT NULL UNIQUE,
    logged_at      INTEGER NOT NULL,
    caller         TEXT,
    policy_name    TEXT NOT NULL,
    policy_version TEXT NOT NULL,
    policy_digest  TEXT NOT NULL,
    input_digest   TEXT NOT NULL,
    evaluated_at   INTEGER NOT NULL,
    case_json      TEXT NOT NULL,
    decision_json  TEXT NOT NULL,
    redacted       TEXT
);
CREATE INDEX IF NOT EXISTS decisions_logged_at ON decisions (logged_at);
PRAGMA user_version = 1;
";

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
    #[error("decision log `{path}`: {message}")]
    Open {
        /// The log's path.
        path: PathBuf,
        /// What SQLite said.
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

/// How often the write-ahead log is copied into the database, off the writer's path.
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(100);

/// The pages (4 KiB) the write-ahead log may reach before the writer itself finishes a
/// checkpoint: the copying thread cannot always finish one while commits keep coming, and
/// without this bound the file grew past a gigabyte in 10 s of load.
const WAL_PAGES: i64 = 4096;

/// A decision log open for appending and reading. Clones share one writer; when the last is
/// dropped, every entry queued before is committed and the file closed before the drop returns,
/// so that another process (`charter replay`, a backup) finds the log complete and unlocked.
#[derive(Clone)]
pub struct DecisionLog {
    shared: Arc<Shared>,
}

struct Shared {
    path: PathBuf,
    /// `None` only while the log is being dropped.
    queue: Option<mpsc::Sender<(Vec<Entry>, Done)>>,
    reader: Mutex<Connection>,
    /// Dropped to stop the checkpoint thread.
    checkpoints: Option<mpsc::Sender<()>>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl Drop for Shared {
    fn drop(&mut self) {
        // The writer drains what is queued, then sees the queue closed and returns.
        self.queue.take();
        self.checkpoints.take();
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
            .field("path", &self.shared.path)
            .finish()
    }
}

fn open_error(path: &Path) -> impl Fn(rusqlite::Error) -> LogError + '_ {
    move |e| LogError::Open {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// Opens (or creates) a log file with the table, WAL and full synchronisation.
fn connect(path: &Path) -> Result<Connection, LogError> {
    let connection = Connection::open(path).map_err(open_error(path))?;
    connection
        .busy_timeout(std::time::Duration::from_secs(10))
        .map_err(open_error(path))?;
    connection
        .pragma_update(None, "journal_mode", "WAL")
        .map_err(open_error(path))?;
    connection
        .pragma_update(None, "synchronous", "FULL")
        .map_err(open_error(path))?;
    Ok(connection)
}

impl DecisionLog {
    /// Opens the log at `path`, creating the file and its table if need be, and starts its
    /// writing thread.
    ///
    /// ```
    /// use charter::record::log::DecisionLog;
    /// let dir = tempfile::tempdir()?;
    /// let log = DecisionLog::open(&dir.path().join("decisions.sqlite"))?;
    /// assert_eq!(log.count()?, 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn open(path: &Path) -> Result<DecisionLog, LogError> {
        DecisionLog::open_keeping(path, None)
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
        let writer = connect(path)?;
        let version: i64 = writer
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .map_err(open_error(path))?;
        if version > 1 {
            return Err(LogError::Open {
                path: path.to_path_buf(),
                message: format!(
                    "the file holds a decision log of layout {version}, newer than this charter reads (1); use a newer charter"
                ),
            });
        }
        writer.execute_batch(SCHEMA).map_err(open_error(path))?;
        writer
            .pragma_update(None, "wal_autocheckpoint", WAL_PAGES)
            .map_err(open_error(path))?;
        let reader = connect(path)?;
        let checkpointer = connect(path)?;
        let (checkpoints, stop) = mpsc::channel::<()>();
        let start = |name: &str, work: Box<dyn FnOnce() + Send>| {
            std::thread::Builder::new()
                .name(name.into())
                .spawn(work)
                .map_err(|e| LogError::Open {
                    path: path.to_path_buf(),
                    message: format!("cannot start the {name} thread: {e}"),
                })
        };
        let checkpointing = start(
            "decision-log-checkpoint",
            Box::new(move || {
                while let Err(mpsc::RecvTimeoutError::Timeout) = stop.recv_timeout(CHECKPOINT_EVERY)
                {
                    // PASSIVE: copies what it can without blocking the writer; a failure is
                    // retried at the next turn (the log itself stays whole).
                    let _ =
                        checkpointer.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
                }
            }),
        )?;
        let (queue, incoming) = mpsc::channel::<(Vec<Entry>, Done)>();
        let writing = start(
            "decision-log",
            Box::new(move || write_groups(writer, incoming, retention)),
        )?;
        Ok(DecisionLog {
            shared: Arc::new(Shared {
                path: path.to_path_buf(),
                queue: Some(queue),
                reader: Mutex::new(reader),
                checkpoints: Some(checkpoints),
                threads: vec![writing, checkpointing],
            }),
        })
    }

    /// The log's file.
    pub fn path(&self) -> &Path {
        &self.shared.path
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

    /// The entry with this id, if the log has one.
    pub fn get(&self, id: DecisionId) -> Result<Option<Entry>, LogError> {
        let reader = self
            .shared
            .reader
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut statement = reader
            .prepare_cached(&format!("SELECT {COLUMNS} FROM decisions WHERE id = ?1"))
            .map_err(read_error)?;
        statement
            .query_row(params![id.to_string()], entry_of)
            .optional()
            .map_err(read_error)
    }

    /// How many decisions the log holds.
    pub fn count(&self) -> Result<u64, LogError> {
        let reader = self
            .shared
            .reader
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let count: i64 = reader
            .query_row("SELECT count(*) FROM decisions", [], |row| row.get(0))
            .map_err(read_error)?;
        Ok(u64::try_from(count).unwrap_or_default())
    }
}

/// Reads every entry of the log at `path`, oldest first, without starting a writer: for
/// `charter replay` and tests. `each` may stop the walk by returning `false`.
pub fn read_all(path: &Path, each: &mut dyn FnMut(Entry) -> bool) -> Result<u64, LogError> {
    if !path.is_file() {
        return Err(LogError::Open {
            path: path.to_path_buf(),
            message: "no such file".into(),
        });
    }
    let connection = Connection::open_with_flags(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(open_error(path))?;
    // A service closing the file, or checkpointing it, holds its lock for a moment: wait for
    // it rather than fail, but not forever.
    connection
        .busy_timeout(std::time::Duration::from_secs(10))
        .map_err(open_error(path))?;
    let mut statement = connection
        .prepare(&format!(
            "SELECT {COLUMNS} FROM decisions ORDER BY logged_at, id"
        ))
        .map_err(open_error(path))?;
    let mut rows = statement.query([]).map_err(read_error)?;
    let mut read = 0;
    while let Some(row) = rows.next().map_err(read_error)? {
        read += 1;
        if !each(entry_of(row).map_err(read_error)?) {
            break;
        }
    }
    Ok(read)
}

const COLUMNS: &str = "id, logged_at, caller, policy_name, policy_version, policy_digest, input_digest, evaluated_at, case_json, decision_json, redacted";

fn read_error(e: rusqlite::Error) -> LogError {
    LogError::Read(e.to_string())
}

fn entry_of(row: &rusqlite::Row<'_>) -> rusqlite::Result<Entry> {
    let text = |i: usize| row.get::<_, String>(i);
    let bad = |i: usize, what: &str| {
        rusqlite::Error::FromSqlConversionFailure(
            i,
            rusqlite::types::Type::Text,
            format!("not a {what}").into(),
        )
    };
    let id = text(0)?.parse().map_err(|_| bad(0, "decision id"))?;
    let input_digest: InputDigest = text(6)?.parse().map_err(|_| bad(6, "sha256 digest"))?;
    Ok(Entry {
        id,
        logged_at: row.get(1)?,
        caller: row.get(2)?,
        policy_name: text(3)?,
        policy_version: text(4)?,
        policy_digest: text(5)?,
        input_digest,
        evaluated_at: row.get(7)?,
        case: text(8)?,
        decision: text(9)?,
        redacted: row
            .get::<_, Option<String>>(10)?
            .map(|names| {
                (names.split(','))
                    .filter(|n| !n.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default(),
    })
}

/// The writing thread: waits for an entry, takes whatever else has queued (up to [`GROUP`]),
/// commits them as one transaction, then tells each caller. With a retention it deletes old
/// decisions between groups.
fn write_groups(
    mut connection: Connection,
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
                let result =
                    commit(&mut connection, &group).map_err(|e| LogError::Write(e.to_string()));
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
            next_prune = match prune(&connection, cutoff) {
                Ok(PRUNE_CHUNK) => std::time::Instant::now(),
                _ => std::time::Instant::now() + retention.every,
            };
        }
    }
}

/// Deletes up to [`PRUNE_CHUNK`] decisions logged before `cutoff` (milliseconds), oldest first.
fn prune(connection: &Connection, cutoff: i64) -> rusqlite::Result<i64> {
    let deleted = connection.execute(
        "DELETE FROM decisions WHERE rowid IN (SELECT rowid FROM decisions WHERE logged_at < ?1 ORDER BY logged_at LIMIT ?2)",
        params![cutoff, PRUNE_CHUNK],
    )?;
    Ok(i64::try_from(deleted).unwrap_or(0))
}

fn commit(connection: &mut Connection, group: &[(Vec<Entry>, Done)]) -> rusqlite::Result<()> {
    let transaction = connection.transaction()?;
    {
        let mut insert = transaction.prepare_cached(
            "INSERT INTO decisions (id, logged_at, caller, policy_name, policy_version, policy_digest, input_digest, evaluated_at, case_json, decision_json, redacted) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )?;
        for entry in group.iter().flat_map(|(entries, _)| entries) {
            insert.execute(params![
                entry.id.to_string(),
                entry.logged_at,
                entry.caller,
                entry.policy_name,
                entry.policy_version,
                entry.policy_digest,
                entry.input_digest.to_string(),
                entry.evaluated_at,
                entry.case,
                entry.decision,
                (!entry.redacted.is_empty()).then(|| entry.redacted.join(",")),
            ])?;
        }
    }
    transaction.commit()
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
        for _ in 0..500 {
            clone.append(entry(0), Box::new(|_| {}));
        }
        drop(log);
        assert!(
            dir.path().join("log.sqlite-wal").exists(),
            "a clone still holds it open"
        );
        drop(clone);
        assert!(!dir.path().join("log.sqlite-wal").exists());
        let read = read_all(&path, &mut |_| true).unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!(read, 500);
    }

    /// A batch is one transaction: when one of its entries cannot be written, none is.
    #[test]
    fn a_batch_is_recorded_whole_or_not_at_all() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| unreachable!("{e}"));
        let log = DecisionLog::open(&dir.path().join("log.sqlite"))
            .unwrap_or_else(|e| unreachable!("{e}"));
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
        assert!(matches!(wait.recv(), Ok(Err(LogError::Write(_)))));
        assert_eq!(log.count().ok(), Some(0));
    }

    #[test]
    fn decisions_older_than_the_retention_are_deleted_and_the_rest_kept() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| unreachable!("{e}"));
        let path = dir.path().join("log.sqlite");
        let now = chrono::Utc::now().timestamp_millis();
        let day = 86_400_000;
        {
            let log = DecisionLog::open(&path).unwrap_or_else(|e| unreachable!("{e}"));
            // 2,500 old ones (more than one chunk) and 3 recent ones.
            for age in (0..2500).map(|i| 200 * day + i).chain([0, day, 179 * day]) {
                log.append_wait(entry(now - age))
                    .unwrap_or_else(|e| unreachable!("{e}"));
            }
            assert_eq!(log.count().ok(), Some(2503));
        }
        let retention = Retention {
            keep: Duration::from_secs(180 * 86_400),
            every: Duration::from_millis(20),
        };
        let log = DecisionLog::open_keeping(&path, Some(retention))
            .unwrap_or_else(|e| unreachable!("{e}"));
        let started = std::time::Instant::now();
        while log.count().ok() != Some(3) && started.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(10));
        }
        assert_eq!(log.count().ok(), Some(3));
        // Appending goes on while it prunes.
        log.append_wait(entry(now))
            .unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!(log.count().ok(), Some(4));
    }
}
