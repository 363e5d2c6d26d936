//! `charter serve`: the HTTP JSON API (feature `serve`).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::cli::{Failure, engine_failure, existing};
use crate::record::log::LogLocation;
use crate::serve::{Options, Service, compile_within, serve};

/// Arguments of `charter serve`.
#[derive(clap::Args)]
#[command(
    after_help = "Endpoints: POST /v1/decide, POST /v1/decide/batch, GET /v1/decisions/{id}, GET /v1/policy, GET /v1/roles/{id}?format=md|html, GET /healthz, GET /readyz, GET /metrics, GET /openapi.json.

The policy's files are watched: a change that compiles is served from the next request on
(requests in flight finish on the old one); a change that does not compile is logged with its
diagnostics and the last good policy keeps serving. Logs go to stderr (RUST_LOG=debug for more).

With --tokens, each request needs `Authorization: Bearer TOKEN` of a client of the file (health,
readiness and /openapi.json stay open); without it the service binds to loopback only, unless
told --insecure.

With --decision-log, every decision is recorded (case, decision, policy version and digest, time)
in a SQLite file before its answer leaves; an answer that could not be recorded is not given
(503). GET /v1/decisions/{id} returns a recorded decision.

Examples:
  charter serve --policy policies/complaint-office --addr 127.0.0.1:7878
  charter serve --policy policies/complaint-office --decision-log /var/lib/charter/decisions.sqlite
  charter token crm --scopes decide,read > crm.txt   # line 1: the token, for the client; line 2: for the file
  tail -n 1 crm.txt >> tokens.txt
  charter serve --policy policies/complaint-office --addr 0.0.0.0:7878 --tokens tokens.txt --token-rate 200
  charter serve --policy policies/complaint-office --addr 0.0.0.0:7443 --tokens tokens.txt --tls-cert cert.pem --tls-key key.pem
  curl -s -H 'content-type: application/json' --data @examples/cases/complaint-office/accepted-phone.json 'http://127.0.0.1:7878/v1/decide?now=2026-11-30T12:00:00%2B08:00'

Stops on SIGINT or SIGTERM after the requests in flight are answered."
)]
pub struct Args {
    /// The policy (a file, or a folder holding one or more versions).
    #[arg(long)]
    policy: PathBuf,
    /// The address to listen on (port 0: any free port, logged at start).
    #[arg(long, default_value = "127.0.0.1:7878")]
    addr: SocketAddr,
    /// The largest body `/v1/decide` accepts, in bytes.
    #[arg(long, default_value_t = 1 << 20, value_name = "BYTES")]
    max_body: usize,
    /// The largest body `/v1/decide/batch` accepts, in bytes.
    #[arg(long, default_value_t = 16 << 20, value_name = "BYTES")]
    max_batch_body: usize,
    /// The most cases one batch request may hold.
    #[arg(long, default_value_t = 10_000, value_name = "N")]
    max_batch_cases: usize,
    /// How often to look at the policy's files for changes, in milliseconds.
    #[arg(long, default_value_t = 500, value_name = "MS")]
    watch_ms: u64,
    /// The longest a request may take, from its headers to its answer (body included), in
    /// seconds; longer is answered 408 and the connection closed.
    #[arg(long, default_value_t = 30, value_name = "SECS")]
    request_timeout: u64,
    /// The longest a client may take to send a request's line and headers, and the longest an
    /// idle connection stays open, in seconds; the connection is closed after it.
    #[arg(long, default_value_t = 10, value_name = "SECS")]
    header_timeout: u64,
    /// The most batch requests decided at once (default: one per core); the next is answered
    /// 503 with `Retry-After: 1`.
    #[arg(long, value_name = "N")]
    max_concurrent_batches: Option<usize>,
    /// The most memory, in bytes, the answers of /v1/decide and /v1/decide/batch may hold at
    /// once, each from when it is decided until its client has read it (a client that reads
    /// nothing of its answer for --request-timeout is disconnected). Past it an answer is
    /// not sent: 503 with `Retry-After: 1`, or 413 for one larger than all of it.
    #[arg(long, default_value_t = 256 << 20, value_name = "BYTES")]
    max_answers_memory: usize,
    /// Record every answered decision in this SQLite file (created if need be; WAL, a table
    /// named `decisions`), or in the PostgreSQL database of a `postgres://` URL (the same
    /// table, shared by replicas; TLS by its `sslmode` as libpq reads it, `verify-full` with
    /// `sslrootcert=CA.pem` to check the server). See docs/serve.md for what is stored.
    #[arg(long, value_name = "PATH|URL", value_parser = parse_location)]
    decision_log: Option<LogLocation>,
    /// With --decision-log: delete decisions logged longer ago than this (`180d`, `36h`);
    /// looked for at start and every hour. Default: keep everything.
    #[arg(long, value_name = "AGE", requires = "decision_log", value_parser = parse_age)]
    log_keep: Option<Duration>,
    /// With --decision-log: the file holding the key personal fields are hashed with (made
    /// if missing; default: the log's path with `.key` added). Keep it apart from copies of
    /// the log.
    #[arg(
        long,
        value_name = "PATH",
        requires = "decision_log",
        conflicts_with = "log_personal"
    )]
    log_key: Option<PathBuf>,
    /// With --decision-log: keep the values of fields the policy marks `personal` as they
    /// are, instead of as keyed hashes.
    #[arg(long, requires = "decision_log")]
    log_personal: bool,
    /// Answer only the clients of this file: one line per client, `NAME SHA256-OF-TOKEN
    /// SCOPES` (scopes from `decide`, `read`, `admin`; `charter token` makes the lines). Each
    /// request then needs `Authorization: Bearer TOKEN`: 401 without a known token, 403
    /// without the endpoint's scope. The client's name is recorded in the decision log.
    #[arg(long, value_name = "FILE")]
    tokens: Option<PathBuf>,
    /// With --tokens: the most requests a second each client may send (and at once in a
    /// burst); more are answered 429 with `Retry-After`.
    #[arg(long, value_name = "N", requires = "tokens", value_parser = clap::value_parser!(u32).range(1..))]
    token_rate: Option<u32>,
    /// With --tokens: the most requests each client may have in flight; more are answered 429.
    #[arg(long, value_name = "N", requires = "tokens", value_parser = clap::value_parser!(u64).range(1..))]
    token_concurrency: Option<u64>,
    /// Serve HTTPS with this certificate (PEM; the server's certificate first, then its
    /// chain). Needs --tls-key.
    #[arg(long, value_name = "PEM", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The private key of --tls-cert (PEM: PKCS#8, PKCS#1 or SEC1).
    #[arg(long, value_name = "PEM", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Listen on an address other than loopback without --tokens (anyone who can reach it may
    /// ask, and read the decision log); a warning is logged.
    #[arg(long)]
    insecure: bool,
    /// Worker threads (default: one per core).
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    /// Serve the policy workbench too: a page at `/` that edits, checks, previews and saves
    /// the policy's files (see `charter workbench --help`); with --tokens, saving needs the
    /// `admin` scope.
    #[arg(long)]
    workbench: bool,
}

pub(crate) fn run(args: Args) -> Result<(), Failure> {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("charter=info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .try_init();
    existing(&args.policy)?;
    let import_roots = crate::cli::import_roots(&args.policy);
    let live = match compile_within(&args.policy, &import_roots, 1) {
        Ok(live) => live,
        // Compiled once more, only to fail with the diagnostics themselves.
        Err((text, _)) => {
            return Err(
                match crate::load::engine_within(&args.policy, &import_roots) {
                    Err((error, loaded)) => engine_failure(&args.policy, error, &loaded),
                    Ok(_) => Failure::Policy {
                        diagnostics: Vec::new(),
                        sources: Default::default(),
                        message: text,
                    },
                },
            );
        }
    };
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => {
            Some(crate::serve::server_config(cert, key).map_err(Failure::Usage)?)
        }
        _ => None,
    };
    let options = Options {
        tls,
        workbench: args.workbench,
        policy: args.policy.clone(),
        import_roots,
        max_body: args.max_body,
        max_batch_body: args.max_batch_body,
        max_batch_cases: args.max_batch_cases,
        today: None,
        request_timeout: Duration::from_secs(args.request_timeout.max(1)),
        header_timeout: Duration::from_secs(args.header_timeout.max(1)),
        max_concurrent_batches: args
            .max_concurrent_batches
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, usize::from))
            .max(1),
        max_answers_memory: args.max_answers_memory,
    };
    let clients = match &args.tokens {
        Some(path) => {
            let mut clients = crate::serve::Clients::read(path)
                .map_err(|e| Failure::Usage(format!("--tokens: {e}")))?;
            clients.rate = args.token_rate;
            clients.concurrency = args
                .token_concurrency
                .map(|n| usize::try_from(n).unwrap_or(usize::MAX));
            Some(clients)
        }
        None => None,
    };
    if args.workbench && clients.is_none() && !args.addr.ip().is_loopback() {
        return Err(Failure::Usage(format!(
            "--workbench writes the policy's files: on {}, which is not a loopback address, it needs --tokens FILE (saving then needs the `admin` scope); --insecure does not cover it",
            args.addr
        )));
    }
    if clients.is_none() && !args.addr.ip().is_loopback() && !args.insecure {
        return Err(Failure::Usage(format!(
            "{} is not a loopback address, and without --tokens anyone who can reach it may ask and read the decision log: give --tokens FILE (see `charter token --help`), or --insecure to serve it open anyway",
            args.addr
        )));
    }
    let log = match &args.decision_log {
        Some(location) => Some(
            crate::record::log::DecisionLog::open_at(
                location,
                args.log_keep.map(|keep| crate::record::log::Retention {
                    keep,
                    every: Duration::from_secs(3600),
                }),
            )
            .map_err(|e| Failure::Usage(format!("--decision-log: {e}")))?,
        ),
        None => None,
    };
    let log_key = match (&args.decision_log, args.log_personal) {
        (Some(location), false) => {
            let key = match (&args.log_key, location) {
                (Some(key), _) => key.clone(),
                (None, LogLocation::File(path)) => {
                    let mut name = path.as_os_str().to_owned();
                    name.push(".key");
                    PathBuf::from(name)
                }
                (None, LogLocation::Postgres(_)) => {
                    return Err(Failure::Usage(
                        "--decision-log postgres://…: give --log-key FILE, the same key file on every replica, so that the same personal value has the same hash in the shared log (or --log-personal to keep the values)".into(),
                    ));
                }
            };
            let made = !key.exists();
            let loaded = crate::record::LogKey::load_or_create(&key)
                .map_err(|e| Failure::Usage(format!("--log-key: {e}")))?;
            if made {
                eprintln!(
                    "charter: made a new decision log key at {}: personal fields are hashed with it; keep it apart from copies of the log, and back it up (a new key no longer matches earlier hashes)",
                    key.display()
                );
            }
            Some(loaded)
        }
        _ => None,
    };
    let mut runtime = tokio::runtime::Builder::new_multi_thread();
    runtime.enable_all();
    if let Some(n) = args.threads {
        runtime.worker_threads(n.max(1));
    }
    let runtime = runtime
        .build()
        .map_err(|e| Failure::Usage(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(async move {
        let (listener, local) = listen(args.addr).await?;
        let latest = live.engine.versions().last();
        tracing::info!(
            addr = %local,
            scheme = if args.tls_cert.is_some() { "https" } else { "http" },
            policy = %args.policy.display(),
            version = latest.map(|v| v.policy.version.as_str()).unwrap_or(""),
            "listening"
        );
        if let Some(log) = &log {
            tracing::info!(log = %log.location(), "recording decisions");
        }
        match &clients {
            Some(clients) => tracing::info!(clients = clients.len(), "answering only the clients of --tokens"),
            None if !args.addr.ip().is_loopback() => tracing::warn!(
                addr = %local,
                "--insecure: serving without tokens on an address other than loopback; anyone who can reach it may ask"
            ),
            None => {}
        }
        let service = Service::build(live, options, log, log_key, clients);
        serve(
            listener,
            service,
            Duration::from_millis(args.watch_ms.max(10)),
            shutdown_signal(),
        )
        .await
        .map_err(|e| Failure::Usage(format!("the server stopped: {e}")))?;
        tracing::info!("stopped");
        Ok(())
    })
}

/// `180d` or `36h`: an age of log entries.
fn parse_location(text: &str) -> Result<LogLocation, String> {
    Ok(LogLocation::parse(text))
}

fn parse_age(text: &str) -> Result<Duration, String> {
    let bad = || format!("`{text}` is not an age: write days or hours, such as `180d` or `36h`");
    let Some((at, _)) = text.char_indices().last() else {
        return Err(bad());
    };
    let (number, unit) = text.split_at(at);
    if !number.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let number: u64 = number.parse().map_err(|_| bad())?;
    let hours = match unit {
        "d" => number.checked_mul(24).ok_or_else(bad)?,
        "h" => number,
        _ => return Err(bad()),
    };
    if hours == 0 {
        return Err(format!(
            "`{text}` would delete every decision as it is logged; give at least `1h`"
        ));
    }
    hours
        .checked_mul(3600)
        .map(Duration::from_secs)
        .ok_or_else(bad)
}

/// Arguments of `charter token`.
#[derive(clap::Args)]
#[command(
    after_help = "Prints a new random token on the first line and its line for the tokens file on the
second. The file keeps only the token's SHA-256: give the token to the client and do not
keep it.

Example:
  charter token crm --scopes decide,read > crm.txt
  tail -n 1 crm.txt >> tokens.txt   # then give `head -n 1 crm.txt` to the client and delete crm.txt"
)]
pub struct TokenArgs {
    /// The client's name (letters, digits and `-_.@`), recorded as the caller of its decisions.
    name: String,
    /// What it may do, comma-separated: `decide` (POST /v1/decide…), `read` (GET
    /// /v1/decisions/{id}, /v1/policy, /v1/roles/{id}, /metrics), `admin` (everything).
    #[arg(long, default_value = "decide")]
    scopes: String,
}

pub(crate) fn token(args: TokenArgs) -> Result<(), Failure> {
    let (token, line) =
        crate::serve::new_token(&args.name, &args.scopes).map_err(Failure::Usage)?;
    crate::cli::print_line(&format!("{token}\n{line}"));
    Ok(())
}

/// A listener on `addr`, and the address it got (port 0: any free port).
pub(super) async fn listen(
    addr: SocketAddr,
) -> Result<(tokio::net::TcpListener, SocketAddr), Failure> {
    let failed = |e: std::io::Error| Failure::Usage(format!("cannot listen on {addr}: {e}"));
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(failed)?;
    let local = listener.local_addr().map_err(failed)?;
    Ok((listener, local))
}

/// Completes on SIGINT or SIGTERM.
pub(super) async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: answering the requests in flight");
}
