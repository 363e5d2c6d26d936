//! The decision log in PostgreSQL, so that several replicas of the service share one log:
//! the same table `decisions` as the SQLite file, created if need be. A group of decisions is
//! one `INSERT … SELECT FROM UNNEST(…)` of arrays: one statement, one round trip and one
//! commit for up to a thousand decisions, durable when PostgreSQL acknowledges it (with its
//! default `synchronous_commit = on`). A connection that breaks fails the group it was
//! writing (those answers are refused with 503) and is opened again for the next one.
//!
//! The connection is TCP or a Unix socket (`host=/run/postgresql`), with TLS as the URL's
//! `sslmode` asks, as libpq reads it (see `tls.rs`): encrypted when the server offers it, by
//! default; `sslmode=verify-full` also checks that the server is the one named.

mod tls;

use super::{COLUMNS, Entry, LogError, Opened, Row, Store};
use crate::decide::DecisionId;
use postgres::{Client, Config, Statement};
use tokio_postgres_rustls::MakeRustlsConnect;

/// Run once per opening, under an advisory lock so that replicas starting together do not
/// race to create the table.
const SCHEMA: &str = "
SELECT pg_advisory_xact_lock(7403511201);
CREATE TABLE IF NOT EXISTS decisions (
    id             TEXT PRIMARY KEY,
    logged_at      BIGINT NOT NULL,
    caller         TEXT,
    policy_name    TEXT NOT NULL,
    policy_version TEXT NOT NULL,
    policy_digest  TEXT NOT NULL,
    input_digest   TEXT NOT NULL,
    evaluated_at   BIGINT NOT NULL,
    case_json      TEXT NOT NULL,
    decision_json  TEXT NOT NULL,
    redacted       TEXT
);
CREATE INDEX IF NOT EXISTS decisions_logged_at ON decisions (logged_at);
";

const INSERT: &str = "INSERT INTO decisions (id, logged_at, caller, policy_name, policy_version, policy_digest, input_digest, evaluated_at, case_json, decision_json, redacted) SELECT * FROM UNNEST($1::text[], $2::int8[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int8[], $9::text[], $10::text[], $11::text[])";

/// How many rows `read_all` fetches at a time.
const FETCH: i32 = 1000;

fn open_error(url: &str, message: impl std::fmt::Display) -> LogError {
    LogError::Open {
        log: super::LogLocation::Postgres(url.to_string()).to_string(),
        message: message.to_string(),
    }
}

/// The connection's settings, and its TLS as the URL asks.
fn config(url: &str) -> Result<(Config, MakeRustlsConnect), LogError> {
    let (passed, tls) = tls::connector(url).map_err(|e| open_error(url, e))?;
    let mut config: Config = passed.parse().map_err(|e| open_error(url, e))?;
    if config.get_application_name().is_none() {
        config.application_name("charter");
    }
    config.connect_timeout(std::time::Duration::from_secs(10));
    // A connection whose peer vanished (a network cut, a host gone) fails within half a
    // minute instead of the system's two hours, so that a group is refused in time and the
    // log can be closed.
    config.keepalives(true);
    config.keepalives_idle(std::time::Duration::from_secs(10));
    config.keepalives_interval(std::time::Duration::from_secs(5));
    config.keepalives_retries(3);
    config.tcp_user_timeout(std::time::Duration::from_secs(30));
    Ok((config, tls))
}

/// Connects twice (the writer and the reader), creating the table if need be.
pub(super) fn open(url: &str) -> Result<Opened, LogError> {
    let (config, tls) = config(url)?;
    let mut writer =
        Postgres::connect(config.clone(), tls.clone()).map_err(|e| open_error(url, e))?;
    if let Some(client) = &mut writer.client {
        let mut transaction = client.transaction().map_err(|e| open_error(url, e))?;
        transaction
            .batch_execute(SCHEMA)
            .map_err(|e| open_error(url, e))?;
        transaction.commit().map_err(|e| open_error(url, e))?;
        // A table of that name made by something else, without charter's columns.
        client
            .batch_execute(&format!("SELECT {COLUMNS} FROM decisions LIMIT 0"))
            .map_err(|e| {
                open_error(
                    url,
                    format!("a table `decisions` is there but is not a decision log: {e}"),
                )
            })?;
    }
    let reader = Postgres::connect(config, tls).map_err(|e| open_error(url, e))?;
    Ok(Opened {
        writer: Box::new(writer),
        reader: Box::new(reader),
        background: None,
    })
}

/// One connection, opened again after it breaks.
struct Postgres {
    config: Config,
    tls: MakeRustlsConnect,
    client: Option<Client>,
    insert: Option<Statement>,
}

impl Postgres {
    fn connect(config: Config, tls: MakeRustlsConnect) -> Result<Postgres, postgres::Error> {
        let client = config.connect(tls.clone())?;
        Ok(Postgres {
            config,
            tls,
            client: Some(client),
            insert: None,
        })
    }

    /// The open connection, connecting again when the last one broke.
    fn client(&mut self) -> Result<&mut Client, String> {
        if self.client.as_ref().is_none_or(Client::is_closed) {
            self.insert = None;
            self.client = None;
            let client = (self.config.connect(self.tls.clone()))
                .map_err(|e| format!("PostgreSQL cannot be reached: {e}"))?;
            self.client = Some(client);
        }
        self.client
            .as_mut()
            .ok_or_else(|| "PostgreSQL cannot be reached".to_string())
    }

    /// The error's text; the connection is dropped (and opened again at the next use) unless
    /// the error is the server refusing one statement on a connection that goes on. The
    /// client learns that its connection is gone only when it next uses it, so a closed
    /// connection is told by the error itself: not from the server at all (I/O), or the
    /// server's own FATAL, connection (08) and operator-intervention (57) errors.
    fn failed(&mut self, e: postgres::Error) -> String {
        let gone = self.client.as_ref().is_none_or(Client::is_closed)
            || e.as_db_error().is_none_or(|db| {
                let code = db.code().code();
                matches!(db.severity(), "FATAL" | "PANIC")
                    || code.starts_with("08")
                    || code.starts_with("57")
            });
        if gone {
            self.client = None;
            self.insert = None;
        }
        e.to_string()
    }
}

impl Store for Postgres {
    fn commit(&mut self, entries: &[&Entry]) -> Result<(), String> {
        let ids: Vec<String> = entries.iter().map(|e| e.id.to_string()).collect();
        let logged_at: Vec<i64> = entries.iter().map(|e| e.logged_at).collect();
        let callers: Vec<Option<&str>> = entries.iter().map(|e| e.caller.as_deref()).collect();
        let names: Vec<&str> = entries.iter().map(|e| e.policy_name.as_str()).collect();
        let versions: Vec<&str> = entries.iter().map(|e| e.policy_version.as_str()).collect();
        let policy_digests: Vec<&str> = entries.iter().map(|e| e.policy_digest.as_str()).collect();
        let input_digests: Vec<String> =
            entries.iter().map(|e| e.input_digest.to_string()).collect();
        let evaluated_at: Vec<i64> = entries.iter().map(|e| e.evaluated_at).collect();
        let cases: Vec<&str> = entries.iter().map(|e| e.case.as_str()).collect();
        let decisions: Vec<&str> = entries.iter().map(|e| e.decision.as_str()).collect();
        let redacted: Vec<Option<String>> = entries.iter().map(|e| e.redacted_column()).collect();
        // Connected first: a new connection drops the statement prepared on the old one.
        self.client()?;
        if self.insert.is_none() {
            let prepared = self.client()?.prepare(INSERT);
            self.insert = Some(prepared.map_err(|e| self.failed(e))?);
        }
        let insert = self.insert.clone().ok_or("no prepared statement")?;
        let client = self.client()?;
        let inserted = client.execute(
            &insert,
            &[
                &ids,
                &logged_at,
                &callers,
                &names,
                &versions,
                &policy_digests,
                &input_digests,
                &evaluated_at,
                &cases,
                &decisions,
                &redacted,
            ],
        );
        inserted.map(|_| ()).map_err(|e| self.failed(e))
    }

    fn prune(&mut self, cutoff: i64, limit: i64) -> Result<i64, String> {
        let client = self.client()?;
        let deleted = client.execute(
            "DELETE FROM decisions WHERE id IN (SELECT id FROM decisions WHERE logged_at < $1 ORDER BY logged_at LIMIT $2)",
            &[&cutoff, &limit],
        );
        let deleted = deleted.map_err(|e| self.failed(e))?;
        Ok(i64::try_from(deleted).unwrap_or(0))
    }

    fn get(&mut self, id: DecisionId) -> Result<Option<Entry>, String> {
        let client = self.client()?;
        let found = client.query_opt(
            &format!("SELECT {COLUMNS} FROM decisions WHERE id = $1"),
            &[&id.to_string()],
        );
        let found = found.map_err(|e| self.failed(e))?;
        found
            .map(|row| row_of(&row).map_err(|e| e.to_string())?.entry())
            .transpose()
    }

    fn count(&mut self) -> Result<u64, String> {
        let client = self.client()?;
        let counted = client.query_one("SELECT count(*) FROM decisions", &[]);
        let count: i64 = counted.map_err(|e| self.failed(e))?.get(0);
        Ok(u64::try_from(count).unwrap_or_default())
    }
}

fn row_of(row: &postgres::Row) -> Result<Row, postgres::Error> {
    Ok(Row {
        id: row.try_get(0)?,
        logged_at: row.try_get(1)?,
        caller: row.try_get(2)?,
        policy_name: row.try_get(3)?,
        policy_version: row.try_get(4)?,
        policy_digest: row.try_get(5)?,
        input_digest: row.try_get(6)?,
        evaluated_at: row.try_get(7)?,
        case: row.try_get(8)?,
        decision: row.try_get(9)?,
        redacted: row.try_get(10)?,
    })
}

/// Reads every entry of the log in the database at `url`, oldest first, a thousand rows at a
/// time, in one read-only transaction (a consistent view while services go on writing).
pub(super) fn read_all(url: &str, each: &mut dyn FnMut(Entry) -> bool) -> Result<u64, LogError> {
    let read_error = |e: postgres::Error| LogError::Read(e.to_string());
    let (config, tls) = config(url)?;
    let mut client = config.connect(tls).map_err(|e| open_error(url, e))?;
    let mut transaction = client
        .build_transaction()
        .read_only(true)
        .isolation_level(postgres::IsolationLevel::RepeatableRead)
        .start()
        .map_err(read_error)?;
    let query = format!("SELECT {COLUMNS} FROM decisions ORDER BY logged_at, id");
    let portal = transaction
        .bind(query.as_str(), &[])
        .map_err(|e| open_error(url, e))?;
    let mut read = 0;
    loop {
        let rows = transaction
            .query_portal(&portal, FETCH)
            .map_err(read_error)?;
        if rows.is_empty() {
            return Ok(read);
        }
        for row in rows {
            read += 1;
            let entry = row_of(&row).map_err(read_error)?.entry();
            if !each(entry.map_err(LogError::Read)?) {
                return Ok(read);
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::record::log::{DecisionLog, LogLocation};
    use postgres::NoTls;

    /// `url` with a new, empty schema of its own as the search path: tests running at once
    /// each have their own table `decisions`.
    pub(crate) fn fresh_schema(url: &str) -> String {
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let schema = format!(
            "charter_test_{}_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            chrono::Utc::now().timestamp_micros()
        );
        let mut client = Client::connect(url, NoTls).unwrap_or_else(|e| unreachable!("{url}: {e}"));
        client
            .batch_execute(&format!("CREATE SCHEMA {schema}"))
            .unwrap_or_else(|e| unreachable!("{e}"));
        let join = if url.contains('?') { '&' } else { '?' };
        // Named after its schema too, so that a test cutting connections cuts only its own.
        format!("{url}{join}options=-csearch_path%3D{schema}&application_name={schema}")
    }

    fn entry() -> Entry {
        Entry {
            id: crate::record::new_id().unwrap_or_else(|e| unreachable!("{e}")),
            logged_at: 0,
            caller: Some("crm".into()),
            policy_name: "p".into(),
            policy_version: "1".into(),
            policy_digest: "00".repeat(32),
            input_digest: crate::decide::InputDigest([7; 32]),
            evaluated_at: 0,
            case: "{}".into(),
            decision: "{}".into(),
            redacted: vec!["contact".into(), "customer_name".into()],
        }
    }

    /// Whether a connection made as the log makes it, to `url`, is encrypted.
    fn encrypted(url: &str) -> Result<bool, String> {
        let (config, tls) = config(url).map_err(|e| e.to_string())?;
        let mut client = config.connect(tls).map_err(|e| format!("{e:?}"))?;
        let row = client
            .query_one(
                "SELECT coalesce((SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()), false)",
                &[],
            )
            .map_err(|e| e.to_string())?;
        Ok(row.get(0))
    }

    /// The URL's `sslmode` as libpq reads it: encrypted when the server offers it by default,
    /// never with `disable`, and with `verify-full` only to a server whose certificate a
    /// trusted root signed for the host named.
    #[test]
    fn tls_is_used_as_the_url_asks() {
        let Ok(url) = std::env::var("CHARTER_TEST_POSTGRES") else {
            eprintln!("CHARTER_TEST_POSTGRES is not set: PostgreSQL not tested");
            return;
        };
        let join = if url.contains('?') { '&' } else { '?' };
        let mut admin = Client::connect(&url, NoTls).unwrap_or_else(|e| unreachable!("{e}"));
        let offered: String = admin
            .query_one("SHOW ssl", &[])
            .unwrap_or_else(|e| unreachable!("{e}"))
            .get(0);
        let offered = offered == "on";
        assert_eq!(encrypted(&url), Ok(offered), "prefer, the default");
        assert_eq!(encrypted(&format!("{url}{join}sslmode=disable")), Ok(false));
        if !offered {
            eprintln!("the server does not speak TLS: only `disable` and `prefer` tested");
            return;
        }
        assert_eq!(encrypted(&format!("{url}{join}sslmode=require")), Ok(true));
        let Ok(ca) = std::env::var("CHARTER_TEST_POSTGRES_CA") else {
            eprintln!("CHARTER_TEST_POSTGRES_CA is not set: certificates not checked");
            return;
        };
        let named = url.replace("127.0.0.1", "localhost");
        assert_eq!(
            encrypted(&format!(
                "{named}{join}sslmode=verify-full&sslrootcert={ca}"
            )),
            Ok(true)
        );
        assert_eq!(
            encrypted(&format!("{url}{join}sslmode=verify-ca&sslrootcert={ca}")),
            Ok(true)
        );
        // A root that did not sign the server's certificate: refused, and `require` with it
        // checks the chain as libpq does.
        let dir = tempfile::tempdir().unwrap_or_else(|e| unreachable!("{e}"));
        let other = rcgen::generate_simple_self_signed(vec!["localhost".into()])
            .unwrap_or_else(|e| unreachable!("{e}"));
        let other_path = dir.path().join("other.pem");
        std::fs::write(&other_path, other.cert.pem()).unwrap_or_else(|e| unreachable!("{e}"));
        for mode in ["verify-full", "verify-ca", "require"] {
            let Err(error) = encrypted(&format!(
                "{named}{join}sslmode={mode}&sslrootcert={}",
                other_path.display()
            )) else {
                unreachable!("{mode}: a server signed by another root was taken")
            };
            assert!(
                error.contains("certificate") || error.contains("Certificate"),
                "{mode}: {error}"
            );
        }
    }

    /// The connections are cut from the server's side: the group being written then may
    /// fail, and the log connects again for the next one.
    #[test]
    fn a_broken_connection_is_opened_again() {
        let Ok(url) = std::env::var("CHARTER_TEST_POSTGRES") else {
            eprintln!("CHARTER_TEST_POSTGRES is not set: PostgreSQL not tested");
            return;
        };
        let url = fresh_schema(&url);
        let name = url
            .rsplit_once("application_name=")
            .map_or("", |(_, name)| name);
        let log = DecisionLog::open_at(&LogLocation::Postgres(url.clone()), None)
            .unwrap_or_else(|e| unreachable!("{e}"));
        let first = entry();
        log.append_wait(first.clone())
            .unwrap_or_else(|e| unreachable!("{e}"));
        let mut admin = Client::connect(&url, NoTls).unwrap_or_else(|e| unreachable!("{e}"));
        let cut = admin
            .execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid() AND datname = current_database()",
                &[&name],
            )
            .unwrap_or_else(|e| unreachable!("{e}"));
        assert!(cut >= 2, "{cut} connections cut");
        // The first write after the cut may fail (its answer is then refused); the next ones
        // are recorded.
        let _ = log.append_wait(entry());
        let last = entry();
        log.append_wait(last.clone())
            .unwrap_or_else(|e| unreachable!("{e}"));
        let _ = log.get(last.id);
        assert_eq!(log.get(last.id).ok(), Some(Some(last)));
        assert_eq!(log.get(first.id).ok(), Some(Some(first)));
    }
}
