//! Who may ask what: clients named in a tokens file (`--tokens`), each with the scopes it
//! holds, and per-client limits on rate and requests in flight.
//!
//! The file has one client per line, `NAME SHA256-OF-TOKEN SCOPES`: the token itself is
//! never stored, only its SHA-256 (lowercase hex), and scopes are a comma-separated list of
//! `decide`, `read` and `admin` (which holds the other two). `#` starts a comment. A request
//! names its client with `Authorization: Bearer TOKEN`.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

/// What a client may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// `POST /v1/decide`, `POST /v1/decide/batch`.
    Decide,
    /// `GET /v1/decisions/{id}`, `/v1/policy`, `/v1/roles/{id}`, `/metrics`.
    Read,
    /// Everything, and what administers the service.
    Admin,
}

impl Scope {
    /// The scope's name in the tokens file.
    pub fn name(self) -> &'static str {
        match self {
            Scope::Decide => "decide",
            Scope::Read => "read",
            Scope::Admin => "admin",
        }
    }

    fn parse(text: &str) -> Option<Scope> {
        match text {
            "decide" => Some(Scope::Decide),
            "read" => Some(Scope::Read),
            "admin" => Some(Scope::Admin),
            _ => None,
        }
    }

    /// The scope an endpoint needs; `None` for those anyone may ask (health, readiness, the
    /// API document).
    pub fn of_endpoint(method: &axum::http::Method, endpoint: &str) -> Option<Scope> {
        match (method.as_str(), endpoint) {
            // The workbench's page and its script: what it may do is asked of its API.
            (_, "/healthz" | "/readyz" | "/openapi.json" | "/" | "/assets/{file}") => None,
            ("POST", "/v1/decide" | "/v1/decide/batch") => Some(Scope::Decide),
            // Writing the policy's files.
            ("PUT", "/workbench/files") => Some(Scope::Admin),
            _ => Some(Scope::Read),
        }
    }
}

/// One client of the tokens file.
#[derive(Debug)]
pub struct Client {
    /// Its name (recorded as the caller of its decisions).
    pub name: String,
    scopes: Vec<Scope>,
    in_flight: AtomicUsize,
    bucket: Mutex<Bucket>,
}

impl Client {
    /// Whether it holds `scope` (`admin` holds every scope).
    pub fn holds(&self, scope: Scope) -> bool {
        self.scopes.contains(&scope) || self.scopes.contains(&Scope::Admin)
    }
}

/// A token bucket: `rate` requests a second, as many at once.
#[derive(Debug)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// The clients, by the SHA-256 of their token, and the limits each has.
#[derive(Debug)]
pub struct Clients {
    by_hash: HashMap<[u8; 32], Arc<Client>>,
    /// Requests a second per client (and the burst allowed); `None`: no limit.
    pub rate: Option<u32>,
    /// Requests in flight per client; `None`: no limit.
    pub concurrency: Option<usize>,
}

/// A tokens file that cannot be used: where and why.
#[derive(Debug, thiserror::Error)]
#[error("{}: {message}", place(path, *line, *column))]
pub struct TokensError {
    /// The file.
    pub path: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What is wrong and what to do.
    pub message: String,
}

/// `path:line:column`, or the path alone for what is about the whole file.
fn place(path: &str, line: usize, column: usize) -> String {
    match line {
        0 => path.to_string(),
        _ => format!("{path}:{line}:{column}"),
    }
}

/// The largest tokens file read (a line per client; far more than any service has).
const MAX_FILE: u64 = 1 << 20;

impl Clients {
    /// Reads a tokens file.
    ///
    /// ```
    /// let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("tokens");
    /// std::fs::write(&path, format!("# who may ask\ncrm {} decide,read\n", "ab".repeat(32)))?;
    /// let clients = charter::serve::Clients::read(&path)?;
    /// assert_eq!(clients.len(), 1);
    /// std::fs::write(&path, "crm abc decide\n")?;
    /// let error = charter::serve::Clients::read(&path).unwrap_err();
    /// assert_eq!((error.line, error.column), (1, 5));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn read(path: &Path) -> Result<Clients, TokensError> {
        let shown = path.display().to_string();
        let fail = |line: usize, column: usize, message: String| TokensError {
            path: shown.clone(),
            line,
            column,
            message,
        };
        let text = crate::source::read_regular_text(path, MAX_FILE)
            .map_err(|e| fail(0, 0, format!("cannot read the tokens file: {e}")))?;
        let mut by_hash = HashMap::new();
        let mut names = HashMap::new();
        for (number, line) in text.lines().enumerate() {
            let number = number + 1;
            let content = line.split('#').next().unwrap_or_default();
            let words: Vec<(usize, &str)> = content
                .split_whitespace()
                // Columns count characters, as editors do.
                .map(|w| {
                    let at = w.as_ptr() as usize - line.as_ptr() as usize;
                    (line.get(..at).map_or(at, |b| b.chars().count()) + 1, w)
                })
                .collect();
            match words.as_slice() {
                [] => continue,
                [(at, name), (hash_at, hash), (scopes_at, scopes)] => {
                    if !name
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "-_.@".contains(c))
                    {
                        return Err(fail(
                            number,
                            *at,
                            format!(
                                "client name `{name}` may hold only letters, digits and `-_.@`"
                            ),
                        ));
                    }
                    if let Some(first) = names.insert(name.to_string(), number) {
                        return Err(fail(
                            number,
                            *at,
                            format!(
                                "client `{name}` is named twice (first on line {first}); give each client one line"
                            ),
                        ));
                    }
                    let hash = (hash.parse::<crate::decide::InputDigest>().ok().map(|d| d.0)).ok_or_else(|| fail(number, *hash_at, format!("`{hash}` is not a SHA-256 in hex (64 characters 0-9, a-f); `charter token NAME` prints a token and its line")))?;
                    let mut held = Vec::new();
                    let mut column = *scopes_at;
                    for scope in scopes.split(',') {
                        let parsed = Scope::parse(scope).ok_or_else(|| fail(number, column, format!("unknown scope `{scope}`: the scopes are `decide`, `read` and `admin`, separated by commas")))?;
                        held.push(parsed);
                        column += scope.len() + 1;
                    }
                    let client = Client {
                        name: name.to_string(),
                        scopes: held,
                        in_flight: AtomicUsize::new(0),
                        bucket: Mutex::new(Bucket {
                            tokens: f64::MAX,
                            at: Instant::now(),
                        }),
                    };
                    if by_hash.insert(hash, Arc::new(client)).is_some() {
                        return Err(fail(number, *hash_at, "this token's hash is on an earlier line too; give each client its own token".into()));
                    }
                }
                _ => {
                    return Err(fail(
                        number,
                        1,
                        format!(
                            "a line is `NAME SHA256-OF-TOKEN SCOPES` (three words), not {} word(s)",
                            words.len()
                        ),
                    ));
                }
            }
        }
        if by_hash.is_empty() {
            return Err(fail(0, 0, "the tokens file names no client; add a line `NAME SHA256-OF-TOKEN SCOPES` (see `charter token --help`)".into()));
        }
        Ok(Clients {
            by_hash,
            rate: None,
            concurrency: None,
        })
    }

    /// How many clients there are.
    pub fn len(&self) -> usize {
        self.by_hash.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.by_hash.is_empty()
    }

    /// The client whose token this is.
    pub fn find(&self, token: &str) -> Option<&Arc<Client>> {
        let hash: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        self.by_hash.get(&hash)
    }

    /// Admits one request of `client` within its limits; the permit ends it. `Err` holds the
    /// seconds to wait before asking again.
    pub fn admit(&self, client: &Arc<Client>) -> Result<Permit, u64> {
        if let Some(rate) = self.rate {
            let rate = f64::from(rate.max(1));
            let mut bucket = client.bucket.lock().map_err(|_| 1u64)?;
            let now = Instant::now();
            let refill = now.duration_since(bucket.at).as_secs_f64() * rate;
            bucket.tokens = (bucket.tokens.min(rate) + refill).min(rate);
            bucket.at = now;
            if bucket.tokens < 1.0 {
                let wait = Duration::from_secs_f64((1.0 - bucket.tokens) / rate);
                return Err(wait.as_secs().max(1));
            }
            bucket.tokens -= 1.0;
        }
        let before = client.in_flight.fetch_add(1, Ordering::AcqRel);
        let permit = Permit {
            _held: Arc::new(Held(Arc::clone(client))),
        };
        if self.concurrency.is_some_and(|limit| before >= limit) {
            return Err(1);
        }
        Ok(permit)
    }
}

/// One admitted request; its place is freed when the last clone is dropped. The request
/// carries a clone, and a batch takes it into the work it runs off the async threads: a
/// client that hangs up, or is cut off by the request timeout, keeps its place until its
/// cases are decided, so it cannot start more work than its limit by hanging up.
#[derive(Clone)]
pub struct Permit {
    _held: Arc<Held>,
}

struct Held(Arc<Client>);

impl Drop for Held {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A new random token (43 characters of base64url: 256 bits) and its tokens-file line.
///
/// ```
/// let (token, line) = charter::serve::new_token("crm", "decide,read")?;
/// assert_eq!(token.len(), 43);
/// assert!(line.starts_with("crm ") && line.ends_with(" decide,read"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn new_token(name: &str, scopes: &str) -> Result<(String, String), String> {
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.@".contains(c))
    {
        return Err(format!(
            "client name `{name}` may hold only letters, digits and `-_.@`"
        ));
    }
    for scope in scopes.split(',') {
        if Scope::parse(scope).is_none() {
            return Err(format!(
                "unknown scope `{scope}`: the scopes are `decide`, `read` and `admin`, separated by commas"
            ));
        }
    }
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret).map_err(|e| format!("the system's random source failed: {e}"))?;
    let token = base64url(&secret);
    let hash = Sha256::digest(token.as_bytes());
    let hex = crate::decide::InputDigest(hash.into());
    Ok((token.clone(), format!("{name} {hex} {scopes}")))
}

fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len() * 4 / 3 + 2);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | (u32::from(b) << (16 - 8 * i)));
        let chars = chunk.len() + 1;
        for i in 0..chars {
            out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_file_errors_say_where() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| unreachable!("{e}"));
        let path = dir.path().join("tokens");
        let hash = "ab".repeat(32);
        for (text, line, column, says) in [
            (
                format!("crm {hash} decide,rread\n"),
                1,
                77,
                "unknown scope `rread`",
            ),
            (format!("\n  crm {hash}\n"), 2, 1, "three words"),
            (
                format!("crm {hash} read\ncrm {} read\n", "cd".repeat(32)),
                2,
                1,
                "named twice",
            ),
            (
                format!("a {hash} read\nb {hash} read\n"),
                2,
                3,
                "earlier line",
            ),
            ("# nobody\n".to_string(), 0, 0, "names no client"),
        ] {
            std::fs::write(&path, &text).unwrap_or_else(|e| unreachable!("{e}"));
            let Err(e) = Clients::read(&path) else {
                unreachable!("{text} was read")
            };
            assert_eq!((e.line, e.column), (line, column), "{e}");
            assert!(e.message.contains(says), "{e}");
        }
    }

    #[test]
    fn a_new_token_matches_its_line_and_base64url_is_standard() {
        assert_eq!(base64url(b"\xfb\xff"), "-_8");
        assert_eq!(base64url(b"Man"), "TWFu");
        let (token, line) = new_token("crm", "decide").unwrap_or_else(|e| unreachable!("{e}"));
        let dir = tempfile::tempdir().unwrap_or_else(|e| unreachable!("{e}"));
        let path = dir.path().join("tokens");
        std::fs::write(&path, format!("{line}\n")).unwrap_or_else(|e| unreachable!("{e}"));
        let clients = Clients::read(&path).unwrap_or_else(|e| unreachable!("{e}"));
        let client = clients.find(&token).unwrap_or_else(|| unreachable!());
        assert_eq!(client.name, "crm");
        assert!(client.holds(Scope::Decide) && !client.holds(Scope::Read));
        assert!(clients.find("not the token").is_none());
    }

    #[test]
    fn limits_refuse_past_the_rate_and_the_requests_in_flight() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| unreachable!("{e}"));
        let path = dir.path().join("tokens");
        std::fs::write(&path, format!("crm {} admin\n", "ab".repeat(32)))
            .unwrap_or_else(|e| unreachable!("{e}"));
        let mut clients = Clients::read(&path).unwrap_or_else(|e| unreachable!("{e}"));
        clients.concurrency = Some(2);
        let client = clients
            .by_hash
            .values()
            .next()
            .unwrap_or_else(|| unreachable!());
        let a = clients.admit(client);
        let b = clients.admit(client);
        assert!(a.is_ok() && b.is_ok());
        assert_eq!(clients.admit(client).err(), Some(1));
        drop(a);
        assert!(clients.admit(client).is_ok());
        clients.concurrency = None;
        clients.rate = Some(5);
        let admitted = (0..20).filter(|_| clients.admit(client).is_ok()).count();
        assert_eq!(admitted, 5);
    }
}
