//! Decision records in the service: each answered decision goes to the decision log
//! (`--decision-log`) before its answer leaves, and `GET /v1/decisions/{id}` gives it back.

use std::sync::Arc;

use axum::extract::{Path as UrlPath, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::decide::{Case, Decision, DecisionId, Engine, InputDigest};
use crate::record::log::{DecisionLog, Entry, LogError};
use crate::serve::{Service, error, json_headers};

/// The case as the log keeps it: `canonical` (the case written by
/// [`crate::record::canonical_case`]), or with a log key, the case with the values of the
/// fields the deciding version marks `personal` as keyed hashes.
pub(super) fn stored_case(
    service: &Service,
    engine: &Engine,
    case: &Case,
    decision: &Decision<'_>,
    canonical: &str,
) -> (String, Vec<String>) {
    let Some(key) = &service.log_key else {
        return (canonical.to_string(), Vec::new());
    };
    let version = engine
        .versions()
        .iter()
        .find(|v| v.digest == decision.policy.digest);
    let personal: Vec<&str> = version
        .map(|v| v.policy.fields.iter())
        .into_iter()
        .flatten()
        .filter(|f| f.personal)
        .map(|f| f.named.name.as_str())
        .collect();
    if personal.is_empty() || !case.fields.keys().any(|k| personal.contains(&k.as_str())) {
        return (canonical.to_string(), Vec::new());
    }
    let (kept, redacted) = crate::record::redact(case, &personal, key);
    if redacted.is_empty() {
        return (canonical.to_string(), Vec::new());
    }
    (crate::record::canonical_case(&kept), redacted)
}

/// For a case whose personal fields the log hashes: the digest the log keeps instead of the
/// case's SHA-256, which anyone could test guesses of the hashed values against (the rest of
/// the case is beside it), but the HMAC of the case under the log's key.
fn keyed_digest(service: &Service, canonical_original: &[u8]) -> Option<InputDigest> {
    let key = service.log_key.as_ref()?;
    Some(InputDigest(key.mac(canonical_original)))
}

/// The log entry of an answered decision, stamped with [`crate::record::stamp_canonical`]
/// from `canonical`; `stored` is the case as the log keeps it ([`stored_case`]). When personal
/// fields were hashed, the entry's digest, in its column and in its decision, is keyed too.
pub(super) fn entry(
    service: &Service,
    canonical: &str,
    stored: (String, Vec<String>),
    decision: &Decision<'_>,
    answer: &[u8],
    caller: Option<String>,
) -> Option<Entry> {
    let mut input_digest = decision.input_digest?;
    let mut answer = String::from_utf8(answer.to_vec()).ok()?;
    if !stored.1.is_empty() {
        let keyed = keyed_digest(service, canonical.as_bytes())?;
        let (plain, hidden) = (input_digest.to_string(), keyed.to_string());
        answer = answer.replacen(
            &format!("\"input_digest\":\"{plain}\""),
            &format!("\"input_digest\":\"{hidden}\""),
            1,
        );
        input_digest = keyed;
    }
    Some(Entry {
        id: decision.decision_id?,
        logged_at: chrono::Utc::now().timestamp_millis(),
        caller,
        policy_name: decision.policy.name.to_string(),
        policy_version: decision.policy.version.to_string(),
        policy_digest: decision.policy.digest.to_string(),
        input_digest,
        evaluated_at: decision.evaluated_at.secs,
        case: stored.0,
        decision: answer,
        redacted: stored.1,
    })
}

/// Records `entries` and waits until they are committed; the answer must not leave before.
/// A failure is the 503 to answer instead.
pub(super) async fn record(
    service: &Service,
    log: &DecisionLog,
    entries: Vec<Entry>,
) -> Result<(), Response> {
    let count = entries.len() as u64;
    if entries.is_empty() {
        return Ok(());
    }
    // All of them in one transaction: an answer refused is wholly unrecorded.
    let (told, wait) = tokio::sync::oneshot::channel();
    log.append_all(
        entries,
        Box::new(move |result| {
            let _ = told.send(result);
        }),
    );
    let failure = match wait.await {
        Ok(Ok(())) => None,
        Ok(Err(e)) => Some(e),
        Err(_) => Some(LogError::Closed),
    };
    let metrics = &service.metrics;
    match failure {
        None => {
            metrics
                .logged
                .fetch_add(count, std::sync::atomic::Ordering::Relaxed);
            Ok(())
        }
        Some(e) => {
            metrics
                .log_failures
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            tracing::error!("decision log: {e}");
            let mut response = error(
                StatusCode::SERVICE_UNAVAILABLE,
                format!("{e}; the case was not answered, send it again"),
                json!({}),
            );
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static("1"),
            );
            Err(response)
        }
    }
}

/// `GET /v1/decisions/{id}`: a logged decision, with its case and the policy that decided.
pub(super) async fn decision(
    State(service): State<Arc<Service>>,
    UrlPath(id): UrlPath<String>,
) -> Response {
    let Some(log) = service.log.clone() else {
        return error(
            StatusCode::NOT_FOUND,
            "this service keeps no decision log: start it with `--decision-log PATH`",
            json!({}),
        );
    };
    let id: DecisionId = match id.parse() {
        Ok(id) => id,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                e.to_string(),
                json!({ "field": "id" }),
            );
        }
    };
    let found = tokio::task::spawn_blocking(move || log.get(id)).await;
    match found {
        Ok(Ok(Some(entry))) => match record_json(&entry) {
            Some(body) => (StatusCode::OK, json_headers(), body).into_response(),
            None => error(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("the decision log's entry `{id}` is not JSON any more"),
                json!({}),
            ),
        },
        Ok(Ok(None)) => error(
            StatusCode::NOT_FOUND,
            format!("the decision log has no decision `{id}`"),
            json!({ "id": id.to_string() }),
        ),
        Ok(Err(e)) => error(StatusCode::SERVICE_UNAVAILABLE, e.to_string(), json!({})),
        Err(e) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("the decision log could not be read: {e}"),
            json!({}),
        ),
    }
}

/// A log entry as the endpoint answers it (`DecisionRecord` in the OpenAPI document).
pub fn record_json(entry: &Entry) -> Option<String> {
    let case: &serde_json::value::RawValue = serde_json::from_str(&entry.case).ok()?;
    let decision: &serde_json::value::RawValue = serde_json::from_str(&entry.decision).ok()?;
    let logged_at = chrono::DateTime::from_timestamp_millis(entry.logged_at)?
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let evaluated_at = chrono::DateTime::from_timestamp(entry.evaluated_at, 0)?
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let record = json!({
        "decision_id": entry.id.to_string(),
        "logged_at": logged_at,
        "caller": entry.caller,
        "policy": {
            "name": entry.policy_name,
            "version": entry.policy_version,
            "digest": entry.policy_digest,
        },
        "input_digest": entry.input_digest.to_string(),
        "evaluated_at": evaluated_at,
        "redacted": entry.redacted,
        "case": case,
        "decision": decision,
    });
    Some(record.to_string())
}
