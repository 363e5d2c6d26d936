//! The decision log in an embedded SQLite database (rusqlite with SQLite built in): WAL, full
//! synchronisation, one table named `decisions`. Checkpoints (copying the write-ahead log
//! into the database) run on a thread of their own every tenth of a second, so that a commit
//! seldom waits for one; the writer finishes one itself only when the log passes 16 MiB.

use std::path::Path;
use std::sync::mpsc;

use rusqlite::{Connection, OptionalExtension, params};

use super::{COLUMNS, Entry, LogError, Opened, Row, Store};
use crate::decide::DecisionId;

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

/// How often the write-ahead log is copied into the database, off the writer's path. Often
/// enough that the log stays small (about 17 MB at 29,000 decisions a second) and the writer
/// never reaches [`WAL_PAGES`] and checkpoints in the middle of a group: every 100 ms, the
/// slowest answers under load waited 15–18 ms for that; every 25 ms, 11–12 ms
/// (`benches/serve.sh 10 64`, 5 December).
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(25);

/// The pages (4 KiB) the write-ahead log may reach before the writer itself finishes a
/// checkpoint: the copying thread cannot always finish one while commits keep coming, and
/// without this bound the file grew past a gigabyte in 10 s of load.
const WAL_PAGES: i64 = 4096;

/// How long a connection waits for another's lock (a service closing the file, a
/// checkpoint) before it gives up.
const BUSY: std::time::Duration = std::time::Duration::from_secs(10);

fn open_error(path: &Path) -> impl Fn(rusqlite::Error) -> LogError + '_ {
    move |e| LogError::Open {
        log: path.display().to_string(),
        message: e.to_string(),
    }
}

/// Opens (or creates) a log file with WAL and full synchronisation.
fn connect(path: &Path) -> Result<Connection, LogError> {
    let connection = Connection::open(path).map_err(open_error(path))?;
    connection.busy_timeout(BUSY).map_err(open_error(path))?;
    connection
        .pragma_update(None, "journal_mode", "WAL")
        .map_err(open_error(path))?;
    connection
        .pragma_update(None, "synchronous", "FULL")
        .map_err(open_error(path))?;
    Ok(connection)
}

/// Opens the file at `path` (creating it and its table if need be): the writer, the reader,
/// and the checkpoint thread.
pub(super) fn open(path: &Path) -> Result<Opened, LogError> {
    let writer = connect(path)?;
    let version: i64 = writer
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .map_err(open_error(path))?;
    if version > 1 {
        return Err(LogError::Open {
            log: path.display().to_string(),
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
    let thread = std::thread::Builder::new()
        .name("decision-log-checkpoint".into())
        .spawn(move || {
            while let Err(mpsc::RecvTimeoutError::Timeout) = stop.recv_timeout(CHECKPOINT_EVERY) {
                // PASSIVE: copies what it can without blocking the writer; a failure is
                // retried at the next turn (the log itself stays whole).
                let _ = checkpointer.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
            }
        })
        .map_err(|e| LogError::Open {
            log: path.display().to_string(),
            message: format!("cannot start the checkpoint thread: {e}"),
        })?;
    Ok(Opened {
        writer: Box::new(Sqlite(writer)),
        reader: Box::new(Sqlite(reader)),
        background: Some((thread, checkpoints)),
    })
}

/// One connection to a log file.
struct Sqlite(Connection);

impl Store for Sqlite {
    fn commit(&mut self, entries: &[&Entry]) -> Result<(), String> {
        let insert = |transaction: &rusqlite::Transaction<'_>| -> rusqlite::Result<()> {
            let mut insert = transaction.prepare_cached(
                "INSERT INTO decisions (id, logged_at, caller, policy_name, policy_version, policy_digest, input_digest, evaluated_at, case_json, decision_json, redacted) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )?;
            for entry in entries {
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
                    entry.redacted_column(),
                ])?;
            }
            Ok(())
        };
        let transaction = self.0.transaction().map_err(|e| e.to_string())?;
        insert(&transaction).map_err(|e| e.to_string())?;
        transaction.commit().map_err(|e| e.to_string())
    }

    fn prune(&mut self, cutoff: i64, limit: i64) -> Result<i64, String> {
        let deleted = self.0.execute(
            "DELETE FROM decisions WHERE rowid IN (SELECT rowid FROM decisions WHERE logged_at < ?1 ORDER BY logged_at LIMIT ?2)",
            params![cutoff, limit],
        ).map_err(|e| e.to_string())?;
        Ok(i64::try_from(deleted).unwrap_or(0))
    }

    fn get(&mut self, id: DecisionId) -> Result<Option<Entry>, String> {
        let mut statement = (self.0)
            .prepare_cached(&format!("SELECT {COLUMNS} FROM decisions WHERE id = ?1"))
            .map_err(|e| e.to_string())?;
        let row = statement
            .query_row(params![id.to_string()], row_of)
            .optional()
            .map_err(|e| e.to_string())?;
        row.map(Row::entry).transpose()
    }

    fn count(&mut self) -> Result<u64, String> {
        let count: i64 = (self.0)
            .query_row("SELECT count(*) FROM decisions", [], |row| row.get(0))
            .map_err(|e| e.to_string())?;
        Ok(u64::try_from(count).unwrap_or_default())
    }
}

/// A row as it is, whatever its cells hold: a cell of another type than the table declares (a
/// log edited by hand, or damaged) is read as text or a number as best it can, so that the
/// replay reports that one entry as damaged, by its id, instead of stopping at it.
fn row_of(row: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    use rusqlite::types::ValueRef;
    let text = |i: usize| -> rusqlite::Result<Option<String>> {
        Ok(match row.get_ref(i)? {
            ValueRef::Text(t) | ValueRef::Blob(t) => Some(String::from_utf8_lossy(t).into_owned()),
            ValueRef::Integer(n) => Some(n.to_string()),
            ValueRef::Real(x) => Some(x.to_string()),
            ValueRef::Null => None,
        })
    };
    // A number that is not one reads as the least: no decision was evaluated then.
    let number = |i: usize| -> rusqlite::Result<i64> {
        Ok(match row.get_ref(i)? {
            ValueRef::Integer(n) => n,
            ValueRef::Text(t) => std::str::from_utf8(t)
                .ok()
                .and_then(|t| t.trim().parse().ok())
                .unwrap_or(i64::MIN),
            _ => i64::MIN,
        })
    };
    Ok(Row {
        id: text(0)?.unwrap_or_default(),
        logged_at: number(1)?,
        caller: text(2)?,
        policy_name: text(3)?.unwrap_or_default(),
        policy_version: text(4)?.unwrap_or_default(),
        policy_digest: text(5)?.unwrap_or_default(),
        input_digest: text(6)?.unwrap_or_default(),
        evaluated_at: number(7)?,
        case: text(8)?.unwrap_or_default(),
        decision: text(9)?.unwrap_or_default(),
        redacted: text(10)?,
    })
}

/// How many rows `read_all` reads in one statement.
const CHUNK: i64 = 1000;

/// Reads every entry of the file at `path`, oldest first, read-only and without a writer, a
/// thousand rows at a time: each chunk is a read transaction of its own, so that a long
/// replay beside a running service does not hold the write-ahead log back from being reset
/// (it would grow for as long as the replay reads). Rows logged meanwhile are read too.
pub(super) fn read_all(path: &Path, each: &mut dyn FnMut(Entry) -> bool) -> Result<u64, LogError> {
    if !path.is_file() {
        return Err(LogError::Open {
            log: path.display().to_string(),
            message: "no such file".into(),
        });
    }
    let read_error = |e: rusqlite::Error| LogError::Read(e.to_string());
    let connection = Connection::open_with_flags(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(open_error(path))?;
    // A service closing the file, or checkpointing it, holds its lock for a moment: wait for
    // it rather than fail, but not forever.
    connection.busy_timeout(BUSY).map_err(open_error(path))?;
    let mut first = connection
        .prepare(&format!(
            "SELECT {COLUMNS} FROM decisions ORDER BY logged_at, id LIMIT ?1"
        ))
        .map_err(open_error(path))?;
    let mut next = connection
        .prepare(&format!(
            "SELECT {COLUMNS} FROM decisions WHERE (logged_at, id) > (?1, ?2) ORDER BY logged_at, id LIMIT ?3"
        ))
        .map_err(open_error(path))?;
    let mut read = 0;
    let mut after: Option<(i64, String)> = None;
    loop {
        let rows = match &after {
            None => first.query_map(params![CHUNK], row_of),
            Some((logged_at, id)) => next.query_map(params![logged_at, id, CHUNK], row_of),
        };
        let rows: Vec<Row> = rows.and_then(Iterator::collect).map_err(read_error)?;
        let Some(last) = rows.last() else {
            return Ok(read);
        };
        after = Some((last.logged_at, last.id.clone()));
        let full = rows.len() as i64 == CHUNK;
        for row in rows {
            read += 1;
            if !each(row.entry().map_err(LogError::Read)?) {
                return Ok(read);
            }
        }
        if !full {
            return Ok(read);
        }
    }
}
