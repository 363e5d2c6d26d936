//! `charter serve`: the HTTP JSON API other tools ask where a case goes and when it is due.
//!
//! Endpoints (also in the OpenAPI document at `/openapi.json`, built by [`openapi`]):
//! `POST /v1/decide`, `POST /v1/decide/batch`, `GET /v1/policy`, `GET /v1/roles/{id}`,
//! `GET /healthz`, `GET /readyz`, `GET /metrics`, `GET /openapi.json`.
//!
//! Nothing a client sends gets a 500: bodies that are not a case are 400 with the field,
//! cases the policy refuses 422, oversized bodies 413, long URIs 414, large headers 431, wrong
//! content types 415, unknown paths 404 listing the endpoints, wrong methods 405.

#![allow(
    clippy::result_large_err,
    reason = "helpers return the finished error response, built at most once per request"
)]

mod access;
mod answers;
mod body;
mod listen;
mod live;
mod metrics;
pub mod openapi;
mod records;
mod tls;
mod unread;
pub mod workbench;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::{MatchedPath, Path as UrlPath, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::check::Validity;
use crate::decide::batch::{BatchOptions, Input, run_batch_with};
use crate::decide::{Case, Decision, Outcome, Timestamp};

pub use access::{Client, Clients, Scope, TokensError, new_token};
pub use body::{CaseCounter, Framing, array_to_ndjson};
pub use listen::{JsonRefusals, json_refusal};
pub use live::{Current, Live, Reload, Stamp, check_for_change, compile, compile_within};
pub use metrics::Metrics;
pub use records::record_json;
pub use tls::server_config;

use crate::record::log::DecisionLog;

/// Every endpoint, as listed by a 404.
pub const ENDPOINTS: [&str; 9] = [
    "POST /v1/decide",
    "POST /v1/decide/batch",
    "GET /v1/decisions/{id}",
    "GET /v1/policy",
    "GET /v1/roles/{id}?format=md|html",
    "GET /healthz",
    "GET /readyz",
    "GET /metrics",
    "GET /openapi.json",
];

/// The longest URI (path and query) the service takes; longer is 414.
pub const MAX_URI: usize = 8192;
/// The most bytes of request headers (names and values) the service takes; more is 431.
pub const MAX_HEADER_BYTES: usize = 32 << 10;

/// The query parameters each endpoint takes; any other, or one given twice, is 400.
const QUERY_PARAMETERS: [(&str, &[&str]); 3] = [
    ("/v1/decide", &["now"]),
    ("/v1/decide/batch", &["now"]),
    ("/v1/roles/{id}", &["format", "lang"]),
];

/// Limits and settings of the service.
#[derive(Debug, Clone)]
pub struct Options {
    /// The policy path (file or folder), watched for changes.
    pub policy: PathBuf,
    /// The folders its imports may read from (`--import-root`); empty: the folder that holds
    /// the policy's folder.
    pub import_roots: Vec<PathBuf>,
    /// The largest request body accepted by `/v1/decide`, in bytes.
    pub max_body: usize,
    /// The largest request body accepted by `/v1/decide/batch`, in bytes.
    pub max_batch_body: usize,
    /// The most cases in one batch.
    pub max_batch_cases: usize,
    /// The date calendars' days left are counted from; `None`: the local date at each request.
    pub today: Option<chrono::NaiveDate>,
    /// The longest a request may take, from its headers to its answer, body included;
    /// longer is answered 408.
    pub request_timeout: Duration,
    /// The longest a client may take to send a request's line and headers (and the longest an
    /// idle connection stays open); the connection is closed after it.
    pub header_timeout: Duration,
    /// The most batch requests served at once; the next is answered 503 with `Retry-After`.
    pub max_concurrent_batches: usize,
    /// The most bytes the answers of `/v1/decide` and `/v1/decide/batch` may hold at once,
    /// from when each is decided until its client has read it; past it, 503 with
    /// `Retry-After` (413 for an answer larger than all of it).
    pub max_answers_memory: usize,
    /// HTTPS (`--tls-cert`, `--tls-key`); `None`: plain HTTP.
    pub tls: Option<Arc<rustls::ServerConfig>>,
    /// Serve the policy workbench too (`--workbench`): the page at `/` and its API under
    /// `/workbench/`, editing the policy's own files.
    pub workbench: bool,
}

impl Options {
    /// The date calendars' days left are counted from now.
    fn today(&self) -> chrono::NaiveDate {
        self.today
            .unwrap_or_else(|| chrono::Local::now().date_naive())
    }
}

/// The shared state of the service.
pub struct Service {
    /// The policy being served.
    pub current: Current,
    /// Counters.
    pub metrics: Metrics,
    /// Limits.
    pub options: Options,
    /// One permit per batch that may run at once.
    batches: Arc<tokio::sync::Semaphore>,
    /// The memory the answers being sent hold.
    answers: answers::Budget,
    /// Where answered decisions are recorded (`--decision-log`), if anywhere.
    pub log: Option<DecisionLog>,
    /// The clients that may ask, by token (`--tokens`); `None`: anyone who can connect.
    pub clients: Option<Clients>,
    /// The key the decision log hashes personal fields with; `None`: they are kept as they
    /// are (`--log-personal`), or there is no log.
    pub log_key: Option<crate::record::LogKey>,
}

/// The name of the client that asked (from its token), for the decision log.
#[derive(Debug, Clone)]
pub struct Caller(pub String);

impl Service {
    /// A service for an already compiled policy.
    pub fn new(live: Live, options: Options) -> Arc<Service> {
        Service::build(live, options, None, None, None)
    }

    /// A service that records every decision it answers in `log` before the answer leaves
    /// (if given; with `log_key`, the values of personal fields as keyed hashes), and answers
    /// only the `clients` of a tokens file (if given).
    pub fn build(
        live: Live,
        options: Options,
        log: Option<DecisionLog>,
        log_key: Option<crate::record::LogKey>,
        clients: Option<Clients>,
    ) -> Arc<Service> {
        Arc::new(Service {
            current: Current::new(live),
            metrics: Metrics::default(),
            batches: Arc::new(tokio::sync::Semaphore::new(options.max_concurrent_batches)),
            answers: answers::Budget::new(options.max_answers_memory),
            options,
            log,
            clients,
            log_key,
        })
    }

    /// Looks at the policy's files once and reloads on change; logs what happened.
    pub fn poll(&self, last: &mut Stamp) -> Reload {
        let options = &self.options;
        let result = check_for_change(&options.policy, &options.import_roots, &self.current, last);
        match &result {
            Reload::Unchanged => {}
            Reload::Swapped { generation } => {
                self.metrics.reloads_ok.fetch_add(1, Ordering::Relaxed);
                let live = self.current.get();
                let latest = live.engine.versions().last();
                tracing::info!(
                    generation,
                    version = latest.map(|v| v.policy.version.as_str()).unwrap_or(""),
                    digest = latest.map(|v| v.digest.as_str()).unwrap_or(""),
                    "policy reloaded"
                );
            }
            Reload::Failed { diagnostics } => {
                self.metrics.reloads_failed.fetch_add(1, Ordering::Relaxed);
                tracing::error!(
                    "the changed policy does not compile; still serving the last good one\n{diagnostics}"
                );
            }
        }
        result
    }
}

/// The router with every endpoint, the metrics layer and the JSON 404/405.
pub fn router(service: Arc<Service>) -> Router {
    let workbench = service.options.workbench.then(|| {
        let options = &service.options;
        let roots = if options.import_roots.is_empty() {
            vec![crate::syntax::import_root(&options.policy)]
        } else {
            options.import_roots.clone()
        };
        let opened = workbench::Workbench::open(&options.policy, roots);
        // With tokens, a request for another name is still a client's with a token.
        if service.clients.is_some() {
            opened.map(workbench::Workbench::answering_any_host)
        } else {
            opened
        }
    });
    let routes = Router::new()
        .route("/v1/decide", post(decide))
        .route("/v1/decide/batch", post(decide_batch))
        .route("/v1/decisions/{id}", get(records::decision))
        .route("/v1/policy", get(policy))
        .route("/v1/roles/{id}", get(role))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics_text))
        .route("/openapi.json", get(openapi_json))
        .with_state(Arc::clone(&service));
    let routes = match workbench {
        Some(Ok(workbench)) => routes.merge(workbench::router(Arc::new(workbench))),
        Some(Err(e)) => {
            tracing::error!("the workbench cannot open the policy's files: {e}");
            routes
        }
        None => routes,
    };
    routes
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(
            Arc::clone(&service),
            authorize,
        ))
        .layer(middleware::from_fn_with_state(
            Arc::clone(&service),
            limit_and_json_errors,
        ))
        .layer(middleware::from_fn(check_request))
        .layer(middleware::from_fn_with_state(
            Arc::clone(&service),
            measure,
        ))
}

/// With `--tokens`: the request's client must hold the endpoint's scope (401 without a known
/// token, 403 without the scope) and be within its limits (429 with `Retry-After`); its name
/// goes with the request as its [`Caller`]. Health, readiness and the API document are open.
async fn authorize(
    State(service): State<Arc<Service>>,
    mut request: Request,
    next: Next,
) -> Response {
    let Some(clients) = &service.clients else {
        return next.run(request).await;
    };
    let Some(endpoint) = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
    else {
        // Unknown paths are answered 404 whoever asks.
        return next.run(request).await;
    };
    let Some(scope) = Scope::of_endpoint(request.method(), &endpoint) else {
        return next.run(request).await;
    };
    let token = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            // The scheme's name is case-insensitive (RFC 9110 §11.1).
            let (scheme, token) = v.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then_some(token)
        });
    let unauthorized = |message: &str| {
        let mut response = error(StatusCode::UNAUTHORIZED, message, json!({}));
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"charter\""),
        );
        response
    };
    let Some(token) = token else {
        return unauthorized(
            "this service answers only its clients: send `Authorization: Bearer TOKEN` with the token you were given",
        );
    };
    let Some(client) = clients.find(token.trim()) else {
        return unauthorized(
            "the token after `Bearer` is not one this service knows; ask its operator for a token (`charter token`)",
        );
    };
    if !client.holds(scope) {
        return error(
            StatusCode::FORBIDDEN,
            format!(
                "client `{}` may not do this: `{}` needs the scope `{}`, which its token does not hold",
                client.name,
                endpoint,
                scope.name()
            ),
            json!({ "scope": scope.name() }),
        );
    }
    let permit = match clients.admit(client) {
        Ok(permit) => permit,
        Err(wait) => {
            let mut response = error(
                StatusCode::TOO_MANY_REQUESTS,
                format!(
                    "client `{}` is over its limit of requests (--token-rate, --token-concurrency); retry in {wait} s",
                    client.name
                ),
                json!({}),
            );
            if let Ok(value) = HeaderValue::from_str(&wait.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            return response;
        }
    };
    request.extensions_mut().insert(Caller(client.name.clone()));
    request.extensions_mut().insert(permit.clone());
    let response = next.run(request).await;
    drop(permit);
    response
}

/// Records every request's endpoint, status and time.
async fn measure(State(service): State<Arc<Service>>, request: Request, next: Next) -> Response {
    let endpoint = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", |p| p.as_str())
        .to_string();
    let started = Instant::now();
    let response = next.run(request).await;
    service
        .metrics
        .request(&endpoint, response.status().as_u16(), started.elapsed());
    response
}

/// Refuses, before the request is routed to a handler, a URI over [`MAX_URI`] bytes (414),
/// headers over [`MAX_HEADER_BYTES`] (431), and (400) a query parameter the endpoint does not
/// take or one given more than once, naming it and the parameters the endpoint takes.
async fn check_request(request: Request, next: Next) -> Response {
    if let Err(response) = head_within_limits(&request) {
        return response;
    }
    let endpoint = request.extensions().get::<MatchedPath>();
    if let (Some(endpoint), Some(_)) = (endpoint, request.uri().query())
        && let Err(response) = query_is_known(endpoint.as_str(), request.uri())
    {
        return response;
    }
    next.run(request).await
}

fn head_within_limits(request: &Request) -> Result<(), Response> {
    let target = request.uri();
    let uri = target.path_and_query().map_or(0, |p| p.as_str().len())
        + target.authority().map_or(0, |a| a.as_str().len());
    if uri > MAX_URI {
        return Err(error(
            StatusCode::URI_TOO_LONG,
            format!(
                "the URI is {uri} bytes long; the service takes at most {MAX_URI}: send less in the query"
            ),
            json!({ "limit": MAX_URI }),
        ));
    }
    let headers: usize = request
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum();
    if headers > MAX_HEADER_BYTES {
        return Err(error(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            format!(
                "the request headers are {headers} bytes; the service takes at most {MAX_HEADER_BYTES}: send fewer or shorter headers"
            ),
            json!({ "limit": MAX_HEADER_BYTES }),
        ));
    }
    Ok(())
}

fn query_is_known(endpoint: &str, uri: &axum::http::Uri) -> Result<(), Response> {
    let allowed = QUERY_PARAMETERS
        .iter()
        .find(|(path, _)| *path == endpoint)
        .map_or(&[][..], |(_, names)| *names);
    // Names are compared as sent, percent-decoded; no more than a few are ever given, so
    // looking for a repeat among the rest costs less than a set would.
    let mut pairs = query_pairs(uri);
    while let Some((name, _)) = pairs.next() {
        if !allowed.contains(&name.as_ref()) {
            let takes = match allowed {
                [] => "takes no query parameters".to_string(),
                names => format!("takes only `{}`", names.join("`, `")),
            };
            return Err(error(
                StatusCode::BAD_REQUEST,
                format!("unknown query parameter `{name}`: `{endpoint}` {takes}"),
                json!({ "field": name }),
            ));
        }
        if pairs.clone().any(|(other, _)| other == name) {
            return Err(error(
                StatusCode::BAD_REQUEST,
                format!("query parameter `{name}` is given more than once; give it once"),
                json!({ "field": name }),
            ));
        }
    }
    Ok(())
}

/// The query's parameters, percent-decoded (`+` is a space), without copying what needs no
/// decoding.
fn query_pairs(uri: &axum::http::Uri) -> form_urlencoded::Parse<'_> {
    form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
}

/// Cuts requests that take longer than `--request-timeout` (408), and turns every refusal
/// that is not JSON yet (axum's own, e.g. a query string that does not parse) into the JSON
/// error shape, keeping its status and headers.
async fn limit_and_json_errors(
    State(service): State<Arc<Service>>,
    request: Request,
    next: Next,
) -> Response {
    let response = within(service.options.request_timeout, request, next).await;
    if response.status() == StatusCode::REQUEST_TIMEOUT {
        return response;
    }
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, 64 << 10)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_string())
        .unwrap_or_default();
    let message = if text.is_empty() {
        status.canonical_reason().unwrap_or("refused").to_string()
    } else {
        text
    };
    let json = error(status, message, json!({}));
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Response::from_parts(parts, json.into_body())
}

/// The answer to `request`, or 408 (and the connection closed) when it takes longer than
/// `limit` to arrive and be answered.
async fn within(limit: Duration, request: Request, next: Next) -> Response {
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            let mut response = error(
                StatusCode::REQUEST_TIMEOUT,
                format!(
                    "the request took longer than {} s to arrive and be answered",
                    limit.as_secs_f64()
                ),
                json!({ "limit": limit.as_secs_f64() }),
            );
            response
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
            response
        }
    }
}

/// A JSON error body: `{"error": …}` plus any other fields.
pub(crate) fn error(status: StatusCode, message: impl Into<String>, extra: Value) -> Response {
    let mut body = json!({ "error": message.into() });
    if let (Some(map), Value::Object(more)) = (body.as_object_mut(), extra) {
        map.extend(more);
    }
    (status, json_headers(), body.to_string()).into_response()
}

pub(crate) fn json_headers() -> [(header::HeaderName, HeaderValue); 1] {
    [(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    )]
}

async fn not_found() -> Response {
    error(
        StatusCode::NOT_FOUND,
        "no such endpoint",
        json!({ "endpoints": ENDPOINTS }),
    )
}

async fn method_not_allowed() -> Response {
    error(
        StatusCode::METHOD_NOT_ALLOWED,
        "this endpoint does not take that method",
        json!({ "endpoints": ENDPOINTS }),
    )
}

/// The media type of a request, lower-cased, without parameters.
fn media_type(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    Some(value.split(';').next()?.trim().to_ascii_lowercase())
}

struct DecideQuery {
    /// The evaluation instant (RFC 3339 with an offset); default: the server's clock.
    now: Option<String>,
}

/// `?now=`, read straight from the URI: the middleware has refused any other parameter and any
/// repeat, so this is all there is to it, and it costs a tenth of a generic query extractor.
impl<S: Send + Sync> axum::extract::FromRequestParts<S> for DecideQuery {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<DecideQuery, Self::Rejection> {
        let now = query_pairs(&parts.uri)
            .find(|(name, _)| name == "now")
            .map(|(_, value)| value.into_owned());
        Ok(DecideQuery { now })
    }
}

fn evaluation_instant(query: &DecideQuery) -> Result<i64, Response> {
    match &query.now {
        Some(text) if text.is_empty() => Err(error(
            StatusCode::BAD_REQUEST,
            "query parameter `now` is empty; give an RFC 3339 instant such as `2026-11-30T12:00:00+08:00`, or leave it out to decide at the server's clock",
            json!({ "field": "now" }),
        )),
        Some(text) => match Timestamp::parse(text) {
            Ok(t) if t.within_years() => Ok(t.secs),
            Ok(_) => Err(error(
                StatusCode::BAD_REQUEST,
                format!(
                    "query parameter `now`: {}",
                    crate::decide::outside_years(text)
                ),
                json!({ "field": "now" }),
            )),
            // A `+` in a query is a space: `…12:00:00 08:00` was sent as `…12:00:00+08:00`.
            Err(e) if text.contains(' ') => Err(error(
                StatusCode::BAD_REQUEST,
                format!(
                    "query parameter `now`: {e}; a `+` in a query string reads as a space, so write the offset's `+` as `%2B` (`now=2026-11-30T12:00:00%2B08:00`)"
                ),
                json!({ "field": "now" }),
            )),
            Err(e) => Err(error(
                StatusCode::BAD_REQUEST,
                format!("query parameter `now`: {e}"),
                json!({ "field": "now" }),
            )),
        },
        None => Ok(chrono::Utc::now().timestamp()),
    }
}

/// The records of a batch's NDJSON answer by outcome: accepted, redirected, incomplete, and
/// refused (error records).
fn batch_outcomes(output: &[u8]) -> [u64; 4] {
    let mut counts = [0; 4];
    for line in output.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
        let outcome =
            memchr::memmem::find(line, b"\"outcome\":\"").and_then(|at| line.get(at + 11..at + 14));
        let slot = match outcome {
            Some(b"acc") => 0,
            Some(b"red") => 1,
            Some(b"inc") => 2,
            _ => 3,
        };
        counts[slot] += 1;
    }
    counts
}

fn count_outcome(metrics: &Metrics, outcome: Outcome) {
    let counter = match outcome {
        Outcome::Accepted => &metrics.accepted,
        Outcome::Redirected => &metrics.redirected,
        Outcome::Incomplete => &metrics.incomplete,
    };
    counter.fetch_add(1, Ordering::Relaxed);
}

/// `POST /v1/decide`: one case in, its decision out.
async fn decide(
    State(service): State<Arc<Service>>,
    caller: Option<axum::Extension<Caller>>,
    query: DecideQuery,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let caller = caller.map(|axum::Extension(Caller(name))| name);
    if media_type(&headers).as_deref() != Some("application/json") {
        return error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "send the case as `Content-Type: application/json`",
            json!({}),
        );
    }
    let now = match evaluation_instant(&query) {
        Ok(now) => now,
        Err(response) => return response,
    };
    let bytes = match body::read_within(body, service.options.max_body, None).await {
        Ok(bytes) => bytes,
        Err(response) => return response,
    };
    let refused = |response: Response| {
        service.metrics.refused.fetch_add(1, Ordering::Relaxed);
        response
    };
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return refused(error(
            StatusCode::BAD_REQUEST,
            "the body is not UTF-8",
            json!({}),
        ));
    };
    let case = match Case::from_json(text) {
        Ok(case) => case,
        Err(e) => {
            let (line, column) = e.line_col.unzip();
            return refused(error(
                StatusCode::BAD_REQUEST,
                e.message.clone(),
                json!({ "code": e.code, "field": (!e.field.is_empty()).then_some(&e.field), "line": line, "column": column }),
            ));
        }
    };
    let live = service.current.get();
    match live.engine.decide(&case, now) {
        Ok(mut decision) => {
            // With a log, the case is written in canonical form once, for its digest and the log.
            let canonical = service
                .log
                .as_ref()
                .map(|_| crate::record::canonical_case(&case));
            let stamped = match &canonical {
                Some(canonical) => crate::record::stamp_canonical(&mut decision, canonical),
                None => crate::record::stamp(&mut decision, &case),
            };
            if let Err(e) = stamped {
                return error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string(), json!({}));
            }
            let mut body = Vec::with_capacity(8192);
            decision.write_json(&mut body);
            let outcome = decision.acceptance.outcome;
            let entry = match (&service.log, canonical) {
                (Some(_), Some(canonical)) => {
                    let stored =
                        records::stored_case(&service, &live.engine, &case, &decision, &canonical);
                    records::entry(&service, &canonical, stored, &decision, &body, caller)
                }
                _ => None,
            };
            drop(decision);
            // Room for the answer first: a decision recorded is a decision answered.
            let body = match service.answers.hold(body) {
                Ok(body) => body,
                Err(response) => return response,
            };
            if let Some(log) = &service.log {
                // Recorded before the answer leaves: an answer not recorded is not given.
                if let Err(response) =
                    records::record(&service, log, entry.into_iter().collect()).await
                {
                    return response;
                }
            }
            count_outcome(&service.metrics, outcome);
            (StatusCode::OK, json_headers(), body).into_response()
        }
        Err(e) => refused(error(
            StatusCode::UNPROCESSABLE_ENTITY,
            e.to_string(),
            json!({ "code": e.code(), "id": case.id, "field": e.field() }),
        )),
    }
}

/// `POST /v1/decide/batch`: NDJSON (`application/x-ndjson`) or a JSON array of cases; the
/// answer is in the same form, one decision or error record per case, in order.
async fn decide_batch(
    State(service): State<Arc<Service>>,
    caller: Option<axum::Extension<Caller>>,
    admitted: Option<axum::Extension<access::Permit>>,
    query: DecideQuery,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let caller = caller.map(|axum::Extension(Caller(name))| name);
    // Held by the work below until it ends, even when the client hangs up before.
    let admitted = admitted.map(|axum::Extension(permit)| permit);
    let framing = match media_type(&headers).as_deref() {
        Some("application/x-ndjson") => Framing::Ndjson,
        Some("application/json") => Framing::Array,
        _ => {
            return error(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "send cases as `application/x-ndjson` (one per line) or `application/json` (an array)",
                json!({}),
            );
        }
    };
    let array = framing == Framing::Array;
    let Ok(permit) = Arc::clone(&service.batches).try_acquire_owned() else {
        let limit = service.options.max_concurrent_batches;
        let mut response = error(
            StatusCode::SERVICE_UNAVAILABLE,
            format!("{limit} batches are being decided already; retry in a second"),
            json!({ "limit": limit }),
        );
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        return response;
    };
    let now = match evaluation_instant(&query) {
        Ok(now) => now,
        Err(response) => return response,
    };
    // Counted as the body arrives: a body over either limit is refused at the byte or the
    // case past it, holding no more than the limit.
    let mut counter = CaseCounter::new(framing);
    let max = service.options.max_batch_cases;
    let limit = service.options.max_batch_body;
    let mut ndjson = match body::read_within(body, limit, Some((&mut counter, max))).await {
        Ok(bytes) => bytes,
        Err(response) => return response,
    };
    if array {
        // Checked whole without building the elements (`IgnoredAny` holds nothing), then
        // rewritten in place to one element per line.
        if let Err(e) = serde_json::from_slice::<Vec<serde::de::IgnoredAny>>(&ndjson) {
            return error(
                StatusCode::BAD_REQUEST,
                format!(
                    "the body is not a JSON array: {e}; send `[case, case, …]`, or NDJSON as `application/x-ndjson`"
                ),
                json!({ "line": e.line(), "column": e.column() }),
            );
        }
        array_to_ndjson(&mut ndjson);
    }
    let live = service.current.get();
    let worker = Arc::clone(&service);
    let result = tokio::task::spawn_blocking(move || {
        let mut output = Vec::with_capacity(ndjson.len() * 4);
        let random = std::sync::OnceLock::new();
        let logging = worker.log.is_some();
        let entries = std::sync::Mutex::new(Vec::new());
        let stamp = |case: &Case, decision: &mut Decision<'_>, _: &mut Vec<u8>| {
            if !logging {
                if let Err(e) = crate::record::stamp(decision, case) {
                    let _ = random.set(e);
                }
                return;
            }
            let canonical = crate::record::canonical_case(case);
            if let Err(e) = crate::record::stamp_canonical(decision, &canonical) {
                let _ = random.set(e);
            }
            {
                let mut answer = Vec::new();
                decision.write_json(&mut answer);
                if let (Some(entry), Ok(mut entries)) = (
                    records::entry(
                        &worker,
                        &canonical,
                        records::stored_case(&worker, &live.engine, case, decision, &canonical),
                        decision,
                        &answer,
                        caller.clone(),
                    ),
                    entries.lock(),
                ) {
                    entries.push(entry);
                }
            }
        };
        let summary = run_batch_with(
            &live.engine,
            Input::Ndjson(&mut ndjson.as_slice()),
            &mut output,
            BatchOptions { now },
            &stamp,
            &mut |_| {},
        )
        .and_then(|summary| match random.into_inner() {
            Some(e) => Err(std::io::Error::other(e)),
            None => Ok(summary),
        });
        drop(permit);
        drop(admitted);
        let entries = entries.into_inner().unwrap_or_default();
        (summary, output, worker, entries)
    })
    .await;
    let (summary, output, service, entries) = match result {
        Ok((Ok(summary), output, service, entries)) => (summary, output, service, entries),
        Ok((Err(e), _, _, _)) => {
            return error(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("the batch failed: {e}"),
                json!({}),
            );
        }
        Err(e) => {
            return error(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("the batch failed: {e}"),
                json!({}),
            );
        }
    };
    let counts = batch_outcomes(&output);
    let body = if array {
        let mut body = Vec::with_capacity(output.len() + 2);
        body.push(b'[');
        for (i, line) in output
            .split(|b| *b == b'\n')
            .filter(|l| !l.is_empty())
            .enumerate()
        {
            if i > 0 {
                body.push(b',');
            }
            body.extend_from_slice(line);
        }
        body.push(b']');
        body
    } else {
        output
    };
    // Room for the answer first: decisions recorded are decisions answered.
    let body = match service.answers.hold(body) {
        Ok(body) => body,
        Err(response) => return response,
    };
    if let Some(log) = &service.log
        && let Err(response) = records::record(&service, log, entries).await
    {
        return response;
    }
    let metrics = &service.metrics;
    let counters = [
        &metrics.accepted,
        &metrics.redirected,
        &metrics.incomplete,
        &metrics.refused,
    ];
    for (counter, count) in counters.into_iter().zip(counts) {
        counter.fetch_add(count, Ordering::Relaxed);
    }
    let headers = [
        ("x-charter-cases", summary.records.to_string()),
        ("x-charter-errors", summary.errors.to_string()),
    ];
    let content_type = if array {
        HeaderValue::from_static("application/json")
    } else {
        HeaderValue::from_static("application/x-ndjson")
    };
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, content_type)],
        headers,
        body,
    )
        .into_response()
}

/// `GET /v1/policy`: what is served.
async fn policy(State(service): State<Arc<Service>>) -> Response {
    let live = service.current.get();
    let now = chrono::Utc::now().timestamp();
    let in_force = live
        .engine
        .version_at(now)
        .ok()
        .map(|v| v.policy.version.clone());
    let versions: Vec<Value> = live
        .engine
        .versions()
        .iter()
        .map(|v| {
            json!({
                "version": v.policy.version,
                "effective": v.policy.effective,
                "digest": v.digest,
            })
        })
        .collect();
    let Some(latest) = live.engine.versions().last() else {
        return error(
            StatusCode::SERVICE_UNAVAILABLE,
            "no policy loaded",
            json!({}),
        );
    };
    let p = &latest.policy;
    let names = |list: &[crate::check::Named]| -> Vec<Value> {
        list.iter()
            .map(|n| json!({ "name": n.name, "label": n.label.text }))
            .collect()
    };
    let roles: Vec<Value> = p
        .roles
        .iter()
        .map(|r| {
            json!({
                "id": r.named.name,
                "title": r.named.label.text,
                "department": r.department.and_then(|d| p.departments.get(d)).map(|d| &d.name),
                "reports_to": r.reports_to.and_then(|s| p.roles.get(s)).map(|s| &s.named.name),
            })
        })
        .collect();
    let body = json!({
        "name": p.name,
        "title": p.label.text,
        "live_version": in_force,
        "generation": live.generation,
        "versions": versions,
        "channels": p.channels.iter().map(|c| json!({ "name": c.named.name, "label": c.named.label.text })).collect::<Vec<_>>(),
        "categories": names(&p.categories),
        "severities": names(&p.severities),
        "roles": roles,
    });
    (StatusCode::OK, json_headers(), body.to_string()).into_response()
}

#[derive(Deserialize)]
struct RoleQuery {
    format: Option<String>,
    lang: Option<String>,
}

/// `GET /v1/roles/{id}?format=md|html&lang=zh|en`: the position description.
async fn role(
    State(service): State<Arc<Service>>,
    UrlPath(id): UrlPath<String>,
    Query(query): Query<RoleQuery>,
) -> Response {
    let live = service.current.get();
    let Some(latest) = live.engine.versions().last() else {
        return error(
            StatusCode::SERVICE_UNAVAILABLE,
            "no policy loaded",
            json!({}),
        );
    };
    let policy = &latest.policy;
    let Some(index) = policy.role(&id) else {
        let roles: Vec<&str> = policy.roles.iter().map(|r| r.named.name.as_str()).collect();
        return error(
            StatusCode::NOT_FOUND,
            format!("no role `{id}` in the policy"),
            json!({ "roles": roles }),
        );
    };
    let lang = match query.lang.as_deref() {
        None | Some("zh") => crate::render::Lang::Zh,
        Some("en") => crate::render::Lang::En,
        Some(other) => {
            return error(
                StatusCode::BAD_REQUEST,
                format!("query parameter `lang`: `{other}` is not `zh` or `en`"),
                json!({ "field": "lang" }),
            );
        }
    };
    let mut document = crate::render::position_description(policy, index, lang);
    if let Some(control) = document.control.as_mut() {
        let versions = live.engine.versions().iter().map(|v| &v.policy);
        control.revisions = crate::render::revisions(versions, policy, lang);
    }
    match query.format.as_deref() {
        None | Some("md") => (
            StatusCode::OK,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/markdown; charset=utf-8"),
            )],
            document.to_markdown(),
        )
            .into_response(),
        Some("html") => (
            StatusCode::OK,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            )],
            document.to_html(),
        )
            .into_response(),
        Some(other) => error(
            StatusCode::BAD_REQUEST,
            format!("query parameter `format`: `{other}` is not `md` or `html`"),
            json!({ "field": "format" }),
        ),
    }
}

async fn healthz() -> Response {
    (
        StatusCode::OK,
        json_headers(),
        json!({ "status": "ok" }).to_string(),
    )
        .into_response()
}

/// Ready when a policy is loaded (the service does not start without one).
/// The calendars the served policy decides with that have a valid range, as of today.
fn calendar_validity(service: &Service, live: &Live) -> (chrono::NaiveDate, Vec<Validity>) {
    let today = service.options.today();
    let versions = live.engine.versions().iter().map(|v| &v.policy);
    (today, crate::check::calendar_validity(versions, today))
}

async fn readyz(State(service): State<Arc<Service>>) -> Response {
    let live = service.current.get();
    let version = live
        .engine
        .versions()
        .last()
        .map(|v| v.policy.version.clone());
    let (today, validity) = calendar_validity(&service, &live);
    let calendars: Vec<Value> = validity
        .iter()
        .map(|c| {
            json!({
                "calendar": c.calendar,
                "valid_until": c.last.to_string(),
                "days_left": c.days_left,
                "beyond_valid": if c.provisional { "provisional" } else { "refuse" },
            })
        })
        .collect();
    let warnings: Vec<Value> = validity
        .iter()
        .filter_map(|c| {
            c.warning(today).map(
                |message| json!({ "code": "E0021", "calendar": c.calendar, "message": message }),
            )
        })
        .collect();
    (
        StatusCode::OK,
        json_headers(),
        json!({
            "ready": true,
            "version": version,
            "generation": live.generation,
            "today": today.to_string(),
            "calendars": calendars,
            "warnings": warnings,
        })
        .to_string(),
    )
        .into_response()
}

async fn metrics_text(State(service): State<Arc<Service>>) -> Response {
    let live = service.current.get();
    let latest = live.engine.versions().last();
    let (_, calendars) = calendar_validity(&service, &live);
    let text = service.metrics.render(
        latest.map_or("", |v| v.policy.name.as_str()),
        latest.map_or("", |v| v.policy.version.as_str()),
        latest.map_or("", |v| v.digest.as_str()),
        live.generation,
        &calendars,
        metrics::Answers {
            held: service.answers.held(),
            limit: service.answers.bytes(),
        },
    );
    (
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        )],
        text,
    )
        .into_response()
}

async fn openapi_json() -> Response {
    (StatusCode::OK, json_headers(), openapi::DOCUMENT).into_response()
}

/// Serves the workbench alone on `listener` until `shutdown` (`charter workbench`): the
/// page and its API, for a policy that need not compile yet.
pub async fn serve_workbench(
    listener: tokio::net::TcpListener,
    workbench: workbench::Workbench,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) {
    // As `serve`'s default: a request that takes longer to arrive and be answered is 408.
    let limit = Duration::from_secs(30);
    let router = workbench::router(Arc::new(workbench))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn(move |request: Request, next: Next| {
            within(limit, request, next)
        }))
        .layer(middleware::from_fn(check_request));
    let (header, unread) = (Duration::from_secs(10), Duration::from_secs(30));
    listen::accept_loop(listener, router, header, unread, None, shutdown).await;
}

/// Serves until `shutdown` completes, polling the policy every `interval` for changes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    service: Arc<Service>,
    interval: Duration,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let watcher = Arc::clone(&service);
    let watch = tokio::spawn(async move {
        let mut last = watcher.current.get().stamp.clone();
        let mut ticker = tokio::time::interval(interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            let service = Arc::clone(&watcher);
            let stamp = last.clone();
            // Compiling is blocking work: keep it off the request workers.
            match tokio::task::spawn_blocking(move || {
                let mut stamp = stamp;
                service.poll(&mut stamp);
                stamp
            })
            .await
            {
                Ok(stamp) => last = stamp,
                Err(e) => tracing::error!("the policy watcher failed: {e}"),
            }
        }
    });
    let header_timeout = service.options.header_timeout;
    let unread_timeout = service.options.request_timeout;
    let tls = service
        .options
        .tls
        .clone()
        .map(tokio_rustls::TlsAcceptor::from);
    let router = router(service);
    listen::accept_loop(
        listener,
        router,
        header_timeout,
        unread_timeout,
        tls,
        shutdown,
    )
    .await;
    watch.abort();
    Ok(())
}
