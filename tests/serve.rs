//! The HTTP service: routes in process (tower `oneshot`), the OpenAPI document against the real
//! routes, reloads, and the binary on a loopback port with requests flowing while the policy is
//! replaced by a broken one and then a fixed one.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use charter::serve::{
    CaseCounter, ENDPOINTS, Framing, Options, Reload, Service, array_to_ndjson, compile,
    json_refusal, openapi, router,
};
use serde_json::Value;
use tower::ServiceExt;

const NOW: &str = "2026-11-30T12:00:00%2B08:00";

/// A request to the service with a JSON body and, when given, a bearer token.
pub(crate) fn json_request(
    method: &str,
    uri: &str,
    token: Option<&str>,
    body: Body,
) -> Request<Body> {
    let mut request = Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", "application/json");
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    request.body(body).unwrap()
}

fn service_for(policy: &Path, max_body: usize, max_batch_cases: usize) -> Arc<Service> {
    service_on(policy, max_body, max_batch_cases, "2026-06-01")
}

/// A service whose calendars' days left are counted from `today`.
fn service_on(policy: &Path, max_body: usize, max_batch_cases: usize, today: &str) -> Arc<Service> {
    let live = compile(policy, 1).map_err(|(d, _)| d).unwrap();
    Service::new(
        live,
        Options {
            policy: policy.to_path_buf(),
            import_roots: Vec::new(),
            max_body,
            max_batch_body: 1 << 20,
            max_batch_cases,
            today: Some(today.parse().unwrap()),
            request_timeout: Duration::from_secs(30),
            header_timeout: Duration::from_secs(10),
            max_concurrent_batches: 2,
            max_answers_memory: 64 << 20,
            tls: None,
            workbench: false,
        },
    )
}

fn office() -> Arc<Service> {
    service_for(Path::new("policies/complaint-office"), 1 << 20, 100)
}

/// The complaint office with a decision log at `log`.
fn logged_office(log: &Path) -> Arc<Service> {
    let live = compile(Path::new("policies/complaint-office"), 1)
        .map_err(|(d, _)| d)
        .unwrap();
    Service::build(
        live,
        office().options.clone(),
        Some(charter::record::log::DecisionLog::open(log).unwrap()),
        None,
        None,
    )
}

/// Sends one request in process: (status, content type, body).
fn call(
    service: &Arc<Service>,
    method: &str,
    uri: &str,
    content_type: Option<&str>,
    body: impl Into<Body>,
) -> (StatusCode, String, String) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let request = async {
        let mut request = Request::builder().method(method).uri(uri);
        if let Some(ct) = content_type {
            request = request.header("content-type", ct);
        }
        let response = router(Arc::clone(service))
            .oneshot(request.body(body.into()).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let ct = response
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        (status, ct, String::from_utf8(bytes.to_vec()).unwrap())
    };
    runtime.block_on(async {
        tokio::time::timeout(LIMIT, request)
            .await
            .unwrap_or_else(|_| panic!("{method} {uri} was not answered within {LIMIT:?}"))
    })
}

/// How long a request or a command of these tests may take before the test fails: a hang
/// fails with the request it hung on instead of holding up the whole run.
const LIMIT: std::time::Duration = std::time::Duration::from_secs(120);

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

fn example(name: &str) -> String {
    std::fs::read_to_string(format!("examples/cases/complaint-office/{name}")).unwrap()
}

/// `schema/openapi.json` is generated from the types; this fails when it is stale.
/// Regenerate with `CHARTER_WRITE_SCHEMA=1 cargo test --locked schema`.
#[test]
fn openapi_schema_is_up_to_date() {
    let generated = serde_json::to_string_pretty(&openapi::document()).unwrap() + "\n";
    assert!(
        !generated.contains("```"),
        "a description of the OpenAPI document holds a doc example"
    );
    if std::env::var_os("CHARTER_WRITE_SCHEMA").is_some() {
        std::fs::write("schema/openapi.json", &generated).unwrap();
    }
    let stored = std::fs::read_to_string("schema/openapi.json").unwrap_or_default();
    assert!(
        stored == generated,
        "schema/openapi.json is stale: run `CHARTER_WRITE_SCHEMA=1 cargo test --locked schema`"
    );
    assert_eq!(
        openapi::DOCUMENT,
        stored,
        "the binary serves the committed file"
    );
}

/// Every operation of the OpenAPI document answers with its documented success status, and
/// every endpoint a 404 lists is in the document.
#[test]
fn openapi_lists_the_real_routes() {
    let dir = tempfile::tempdir().unwrap();
    let service = logged_office(&dir.path().join("decisions.sqlite"));
    let doc = json(openapi::DOCUMENT);
    let paths = doc["paths"].as_object().unwrap();
    let case = example("accepted-phone.json");
    // A decision the log has, for `/v1/decisions/{id}`.
    let (_, _, answer) = call(
        &service,
        "POST",
        "/v1/decide",
        Some("application/json"),
        case.clone(),
    );
    let decided = json(&answer)["decision_id"].as_str().unwrap().to_string();
    let mut operations = 0;
    for (path, item) in paths {
        for (method, operation) in item.as_object().unwrap() {
            operations += 1;
            let id = if path.starts_with("/v1/decisions/") {
                decided.as_str()
            } else {
                "office_director"
            };
            let uri = path.replace("{id}", id);
            let (status, _, body) = match method.as_str() {
                "post" if path.ends_with("batch") => call(
                    &service,
                    "POST",
                    &uri,
                    Some("application/x-ndjson"),
                    case.replace('\n', ""),
                ),
                "post" => call(
                    &service,
                    "POST",
                    &uri,
                    Some("application/json"),
                    case.clone(),
                ),
                "get" => call(&service, "GET", &uri, None, Body::empty()),
                other => panic!("unexpected method {other}"),
            };
            assert_eq!(status, StatusCode::OK, "{method} {path}: {body}");
            assert!(
                operation["responses"]["200"].is_object(),
                "{method} {path} documents no 200"
            );
        }
    }
    assert_eq!(operations, ENDPOINTS.len());
    for endpoint in ENDPOINTS {
        let (method, path) = endpoint.split_once(' ').unwrap();
        let path = path.split('?').next().unwrap();
        assert!(
            paths[path][method.to_lowercase()].is_object(),
            "{endpoint} is not in the OpenAPI document"
        );
    }
}

#[test]
fn decide_answers_like_the_cli() {
    let service = office();
    let (status, ct, body) = call(
        &service,
        "POST",
        &format!("/v1/decide?now={NOW}"),
        Some("application/json; charset=utf-8"),
        example("accepted-phone.json"),
    );
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(ct, "application/json");
    let cli = std::process::Command::new(env!("CARGO_BIN_EXE_charter"))
        .args([
            "decide",
            "--policy",
            "policies/complaint-office",
            "--now",
            "2026-11-30T12:00:00+08:00",
            "examples/cases/complaint-office/accepted-phone.json",
        ])
        .output()
        .unwrap();
    assert_eq!(
        crate::support::without_id(json(&body)),
        crate::support::without_id(json(&String::from_utf8(cli.stdout).unwrap()))
    );
}

#[test]
fn bad_requests_get_clear_json_errors_and_never_a_500() {
    let service = service_for(Path::new("policies/complaint-office"), 2048, 2);
    let decide = format!("/v1/decide?now={NOW}");
    // A case with a channel the policy does not have: 422 naming the field.
    let case = example("accepted-phone.json").replace("\"phone\"", "\"fax\"");
    let (status, _, body) = call(&service, "POST", &decide, Some("application/json"), case);
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = json(&body);
    assert_eq!(body["field"], "channel", "{body}");
    assert!(body["error"].as_str().unwrap().contains("fax"), "{body}");
    // Not JSON: 400 with line and column.
    let (status, _, body) = call(
        &service,
        "POST",
        &decide,
        Some("application/json"),
        "{\"id\": 1,",
    );
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(json(&body)["line"].is_number(), "{body}");
    // Too large: 413 with the limit.
    let big = format!("{{\"id\": \"{}\"}}", "x".repeat(4096));
    let (status, _, body) = call(&service, "POST", &decide, Some("application/json"), big);
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert_eq!(json(&body)["limit"], 2048);
    // Wrong content type: 415.
    let (status, _, _) = call(&service, "POST", &decide, Some("text/plain"), "{}");
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let (status, _, _) = call(&service, "POST", &decide, None, "{}");
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // A bad `now`: 400 naming it.
    let (status, _, body) = call(
        &service,
        "POST",
        "/v1/decide?now=yesterday",
        Some("application/json"),
        example("accepted-phone.json"),
    );
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(json(&body)["field"], "now");
    // A `now` outside the years charter computes: 400, not a calendar's advice.
    let (status, _, body) = call(
        &service,
        "POST",
        "/v1/decide?now=9999-12-31T00:00:00Z",
        Some("application/json"),
        example("accepted-phone.json"),
    );
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(json(&body)["field"], "now");
    assert!(
        body.contains("outside the years charter computes"),
        "{body}"
    );
    // An offset's `+` sent unescaped arrives as a space: the answer says to write `%2B`.
    let (status, _, body) = call(
        &service,
        "POST",
        "/v1/decide?now=2026-11-30T12:00:00+08:00",
        Some("application/json"),
        example("accepted-phone.json"),
    );
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("%2B"), "{body}");
    // Unknown path: 404 listing the endpoints; wrong method: 405.
    let (status, _, body) = call(&service, "GET", "/v2/anything", None, Body::empty());
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        json(&body)["endpoints"].as_array().unwrap().len(),
        ENDPOINTS.len()
    );
    let (status, _, body) = call(&service, "GET", "/v1/decide", None, Body::empty());
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{body}");
    assert!(json(&body)["error"].is_string());
    // Unknown role, format and language.
    let (status, _, body) = call(&service, "GET", "/v1/roles/ceo", None, Body::empty());
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        json(&body)["roles"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r == "office_director")
    );
    let (status, _, _) = call(
        &service,
        "GET",
        "/v1/roles/office_director?format=pdf",
        None,
        Body::empty(),
    );
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _, _) = call(
        &service,
        "GET",
        "/v1/roles/office_director?lang=fr",
        None,
        Body::empty(),
    );
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // Batches: more cases than allowed is 413; a wrong content type 415; not an array 400.
    let three = "{}\n{}\n{}\n";
    let (status, _, _) = call(
        &service,
        "POST",
        "/v1/decide/batch",
        Some("application/x-ndjson"),
        three,
    );
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    let (status, _, _) = call(
        &service,
        "POST",
        "/v1/decide/batch",
        Some("text/csv"),
        three,
    );
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let (status, _, _) = call(
        &service,
        "POST",
        "/v1/decide/batch",
        Some("application/json"),
        "{\"a\": 1}",
    );
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

/// Method, path, content type, body, the status and a part of the error text.
type Refusal<'a> = (
    &'a str,
    &'a str,
    Option<&'a str>,
    String,
    StatusCode,
    &'a str,
);

#[test]
fn every_refusal_is_a_json_error() {
    let service = service_for(Path::new("policies/complaint-office"), 2048, 2);
    let case = example("accepted-phone.json");
    let big = format!("{{\"id\": \"{}\"}}", "x".repeat(4096));
    let refusals: [Refusal; 10] = [
        (
            "POST",
            "/v1/decide?now=2026-11-30T12:00:00Z&now=2026-11-30T13:00:00Z",
            Some("application/json"),
            case.clone(),
            StatusCode::BAD_REQUEST,
            "query parameter `now` is given more than once; give it once",
        ),
        (
            "POST",
            "/v1/decide?when=today",
            Some("application/json"),
            case.clone(),
            StatusCode::BAD_REQUEST,
            "unknown query parameter `when`: `/v1/decide` takes only `now`",
        ),
        (
            "POST",
            "/v1/decide/batch?now=2026-11-30T12:00:00Z&now=2026-11-30T12:00:00Z",
            Some("application/x-ndjson"),
            case.clone(),
            StatusCode::BAD_REQUEST,
            "`now` is given more than once",
        ),
        (
            "GET",
            "/v1/roles/office_director?format=md&format=html",
            None,
            String::new(),
            StatusCode::BAD_REQUEST,
            "`format` is given more than once",
        ),
        (
            "GET",
            "/v1/roles/office_director?style=plain",
            None,
            String::new(),
            StatusCode::BAD_REQUEST,
            "unknown query parameter `style`: `/v1/roles/{id}` takes only `format`, `lang`",
        ),
        (
            "GET",
            "/v2/anything",
            None,
            String::new(),
            StatusCode::NOT_FOUND,
            "no such endpoint",
        ),
        (
            "DELETE",
            "/v1/policy",
            None,
            String::new(),
            StatusCode::METHOD_NOT_ALLOWED,
            "method",
        ),
        (
            "POST",
            "/v1/decide",
            Some("application/json"),
            big,
            StatusCode::PAYLOAD_TOO_LARGE,
            "larger than 2048 bytes",
        ),
        (
            "POST",
            "/v1/decide",
            Some("text/plain"),
            case.clone(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "application/json",
        ),
        (
            "POST",
            "/v1/decide/batch",
            Some("text/csv"),
            case,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "application/x-ndjson",
        ),
    ];
    for (method, uri, content_type, body, want, text) in refusals {
        let (status, ct, body) = call(&service, method, uri, content_type, body);
        assert_eq!(status, want, "{method} {uri}: {body}");
        assert_eq!(ct, "application/json", "{method} {uri}: {body}");
        let error = json(&body)["error"].as_str().unwrap().to_string();
        assert!(error.contains(text), "{method} {uri}: {error}");
    }
}

#[test]
fn batches_keep_order_and_report_bad_records() {
    let service = office();
    let good = example("accepted-phone.json").replace('\n', "");
    let other = example("routed-by-amount.json").replace('\n', "");
    let bad = good
        .replace("\"phone\"", "\"fax\"")
        .replace("C-1001", "C-BAD");
    let ndjson = format!("{good}\nnot json\n{bad}\n{other}\n");
    let (status, ct, body) = call(
        &service,
        "POST",
        &format!("/v1/decide/batch?now={NOW}"),
        Some("application/x-ndjson"),
        ndjson,
    );
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ct, "application/x-ndjson");
    let records: Vec<Value> = body.lines().map(json).collect();
    assert_eq!(records.len(), 4);
    assert_eq!(records[0]["route"]["role"], "office_director");
    assert_eq!(records[1]["line"], 2);
    assert_eq!(
        (&records[2]["id"], &records[2]["field"]),
        (&Value::from("C-BAD"), &Value::from("channel"))
    );
    assert_eq!(records[3]["route"]["role"], "coordinator");
    // The same as a JSON array.
    let array = format!("[{good}, 7, {other}]");
    let (status, _, body) = call(
        &service,
        "POST",
        &format!("/v1/decide/batch?now={NOW}"),
        Some("application/json"),
        array,
    );
    assert_eq!(status, StatusCode::OK);
    let records = json(&body);
    let records = records.as_array().unwrap();
    assert_eq!(records.len(), 3);
    assert_eq!(records[1]["line"], 2);
    assert_eq!(records[2]["route"]["role"], "coordinator");
}

#[test]
fn policy_metrics_and_health() {
    let service = office();
    let (_, _, body) = call(&service, "GET", "/v1/policy", None, Body::empty());
    let policy = json(&body);
    assert_eq!(policy["name"], "complaint_office");
    assert_eq!(policy["versions"][0]["version"], "2026.1");
    assert_eq!(policy["versions"][0]["digest"].as_str().unwrap().len(), 64);
    assert!(
        policy["roles"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["id"] == "office_director" && r["reports_to"] == "general_manager")
    );
    let (status, _, body) = call(&service, "GET", "/readyz", None, Body::empty());
    assert_eq!(
        (status, json(&body)["ready"].clone()),
        (StatusCode::OK, Value::Bool(true))
    );
    call(
        &service,
        "POST",
        &format!("/v1/decide?now={NOW}"),
        Some("application/json"),
        example("accepted-phone.json"),
    );
    call(
        &service,
        "POST",
        &format!("/v1/decide?now={NOW}"),
        Some("application/json"),
        example("redirected-system-fault.json"),
    );
    call(
        &service,
        "POST",
        "/v1/decide",
        Some("application/json"),
        "{}",
    );
    let (status, ct, text) = call(&service, "GET", "/metrics", None, Body::empty());
    assert_eq!(status, StatusCode::OK);
    assert!(ct.starts_with("text/plain; version=0.0.4"));
    for line in [
        "charter_http_requests_total{endpoint=\"/v1/decide\",status=\"200\"} 2",
        "charter_http_requests_total{endpoint=\"/v1/decide\",status=\"400\"} 1",
        "charter_http_requests_total{endpoint=\"/v1/policy\",status=\"200\"} 1",
        "charter_http_request_duration_seconds_count{endpoint=\"/v1/decide\"} 3",
        "charter_decisions_total{outcome=\"accepted\"} 1",
        "charter_decisions_total{outcome=\"redirected\"} 1",
        "charter_decisions_total{outcome=\"refused\"} 1",
        "charter_policy_reloads_total{result=\"ok\"} 0",
    ] {
        assert!(text.contains(line), "missing `{line}` in\n{text}");
    }
}

/// `/metrics` and `/readyz` give the days left in the valid range of each calendar the policy
/// decides with, counted from the service's date: the complaint office decides on `office`,
/// valid through 31 December 2026 (from the China 2026 calendar it uses, which is not listed
/// itself), 89 days after 3 October, 91 after 1 October, ended 5 days before 5 January 2027.
/// Within 90 days `/readyz` carries the E0021 warning and stays ready.
#[test]
fn calendars_running_out_show_in_metrics_and_readiness() {
    let office = Path::new("policies/complaint-office");
    for (today, left, warned) in [
        ("2026-10-03", 89, true),
        ("2026-10-01", 91, false),
        ("2027-01-05", -5, true),
    ] {
        let service = service_on(office, 1 << 20, 100, today);
        let (_, _, text) = call(&service, "GET", "/metrics", None, Body::empty());
        let gauges: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with("charter_calendar_valid_days_left"))
            .collect();
        assert_eq!(
            gauges,
            [format!(
                "charter_calendar_valid_days_left{{calendar=\"office\"}} {left}"
            )],
            "{today}"
        );
        assert!(text.contains("# TYPE charter_calendar_valid_days_left gauge"));
        let (status, _, body) = call(&service, "GET", "/readyz", None, Body::empty());
        let ready = json(&body);
        assert_eq!(status, StatusCode::OK);
        assert_eq!(ready["ready"], true, "{today}");
        assert_eq!(ready["today"], today);
        assert_eq!(
            ready["calendars"],
            serde_json::json!([{
                "calendar": "office",
                "valid_until": "2026-12-31",
                "days_left": left,
                "beyond_valid": "provisional",
            }])
        );
        let warnings = ready["warnings"].as_array().unwrap();
        if warned {
            assert_eq!(warnings.len(), 1, "{today}: {body}");
            assert_eq!(warnings[0]["code"], "E0021");
            assert_eq!(warnings[0]["calendar"], "office");
        } else {
            assert!(warnings.is_empty(), "{today}: {body}");
        }
    }
    let service = service_on(office, 1 << 20, 100, "2026-10-03");
    let (_, _, body) = call(&service, "GET", "/readyz", None, Body::empty());
    assert_eq!(
        json(&body)["warnings"][0]["message"],
        "calendar `office` is valid until 2026-12-31, 89 days from 2026-10-03: cases that need later dates are decided provisionally, from the weekly hours and yearly holidays only"
    );
    // A calendar without a valid range (the e-commerce `online` hours) is not listed.
    let service = service_on(
        Path::new("policies/ecommerce-after-sales"),
        1 << 20,
        100,
        "2026-12-02",
    );
    let (_, _, text) = call(&service, "GET", "/metrics", None, Body::empty());
    let gauges: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("charter_calendar_valid_days_left"))
        .collect();
    assert_eq!(
        gauges,
        ["charter_calendar_valid_days_left{calendar=\"repair_centre\"} 29"]
    );
}

#[test]
fn roles_are_served_as_documents() {
    let service = office();
    let (status, ct, md) = call(
        &service,
        "GET",
        "/v1/roles/office_director",
        None,
        Body::empty(),
    );
    assert_eq!(status, StatusCode::OK);
    assert!(ct.starts_with("text/markdown"));
    insta::assert_snapshot!("role_office_director_zh", md);
    let (_, _, md) = call(
        &service,
        "GET",
        "/v1/roles/complaint_officer?lang=en",
        None,
        Body::empty(),
    );
    insta::assert_snapshot!("role_complaint_officer_en", md);
    let (status, ct, html) = call(
        &service,
        "GET",
        "/v1/roles/office_director?format=html",
        None,
        Body::empty(),
    );
    assert_eq!(status, StatusCode::OK);
    assert!(ct.starts_with("text/html"));
    assert!(
        html.starts_with("<!DOCTYPE html>")
            && html.contains("<table>")
            && html.contains("投诉办主任")
    );
    // The inline SVG's namespace is a name, not an address.
    let html = html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "no network access"
    );
}

/// The line between 400 and 422: a body that is not a case (by the OpenAPI schema) is 400; a
/// case the served policy refuses is 422, with the field and the id.
#[test]
fn cases_the_policy_refuses_are_422_and_malformed_ones_400() {
    let service = office();
    let decide = format!("/v1/decide?now={NOW}");
    // Schema-valid, but received before any version of the policy took effect.
    let case = r#"{"id": "C-OLD", "received_at": "2000-01-01T00:00:00Z", "channel": "phone", "category": "service"}"#;
    let (status, ct, body) = call(&service, "POST", &decide, Some("application/json"), case);
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(ct, "application/json");
    let body = json(&body);
    assert_eq!(
        (&body["id"], &body["field"]),
        (&Value::from("C-OLD"), &Value::from("received_at"))
    );
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("no version of the policy was in force"),
        "{body}"
    );
    // Not a case: a field of the wrong type is 400, naming the field.
    let case = r#"{"id": 7, "received_at": "2026-11-30T09:00:00+08:00", "channel": "phone", "category": "service"}"#;
    let (status, _, body) = call(&service, "POST", &decide, Some("application/json"), case);
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(json(&body)["field"], "id");
    // `now` is a date-time: empty is refused, saying what to send instead.
    let (status, _, body) = call(
        &service,
        "POST",
        "/v1/decide?now=",
        Some("application/json"),
        example("accepted-phone.json"),
    );
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let body = json(&body);
    assert_eq!(body["field"], "now");
    assert!(
        body["error"].as_str().unwrap().contains("`now` is empty"),
        "{body}"
    );
    // Endpoints without parameters refuse unknown ones too.
    let (status, _, body) = call(&service, "GET", "/healthz?verbose=1", None, Body::empty());
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        json(&body)["error"],
        "unknown query parameter `verbose`: `/healthz` takes no query parameters"
    );
}

/// The OpenAPI document states what the service does with what it may be sent: `now` is a
/// date-time, a batch item is any JSON value, and each decide operation lists its statuses,
/// each with the JSON error body.
#[test]
fn openapi_describes_parameters_items_and_every_refusal() {
    let doc = json(openapi::DOCUMENT);
    let decide = &doc["paths"]["/v1/decide"]["post"];
    assert_eq!(decide["parameters"][0]["schema"]["format"], "date-time");
    let batch = &doc["paths"]["/v1/decide/batch"]["post"];
    assert_eq!(
        batch["requestBody"]["content"]["application/json"]["schema"]["items"]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        ["description"],
        "an item may be any JSON value"
    );
    for (operation, statuses) in [
        (
            decide,
            &["400", "408", "413", "414", "415", "422", "431"][..],
        ),
        (
            batch,
            &["400", "408", "413", "414", "415", "431", "503"][..],
        ),
        (
            &doc["paths"]["/healthz"]["get"],
            &["400", "408", "414", "431"][..],
        ),
    ] {
        for status in statuses {
            let schema =
                &operation["responses"][status]["content"]["application/json"]["schema"]["$ref"];
            assert_eq!(
                schema, "#/components/schemas/Error",
                "{} {status}",
                operation["operationId"]
            );
        }
    }
}

/// A URI over 8192 bytes is 414, headers over 32 KiB 431: JSON bodies naming the limit.
#[test]
fn long_uris_and_large_headers_are_refused_with_json() {
    let service = office();
    let long = format!("/v1/policy?{}", "a".repeat(9000));
    let (status, ct, body) = call(&service, "GET", &long, None, Body::empty());
    assert_eq!(
        (status, ct.as_str()),
        (StatusCode::URI_TOO_LONG, "application/json"),
        "{body}"
    );
    assert_eq!(json(&body)["limit"], 8192);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let response = runtime.block_on(async {
        let mut request = Request::builder().uri("/healthz");
        for i in 0..40 {
            request = request.header(format!("x-filler-{i}"), "v".repeat(1000));
        }
        router(service)
            .oneshot(request.body(Body::empty()).unwrap())
            .await
            .unwrap()
    });
    assert_eq!(
        response.status(),
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE
    );
    let bytes = runtime
        .block_on(axum::body::to_bytes(response.into_body(), 1 << 20))
        .unwrap();
    let body = json(std::str::from_utf8(&bytes).unwrap());
    assert_eq!(body["limit"], 32768);
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("send fewer or shorter headers"),
        "{body}"
    );
}

/// What hyper refuses by itself (before the router) is rewritten with a JSON body; the
/// service's own answers pass untouched.
#[test]
fn hypers_own_refusals_get_json_bodies() {
    let hyper = b"HTTP/1.1 431 Request Header Fields Too Large\r\nconnection: close\r\ncontent-length: 0\r\ndate: Wed, 02 Dec 2026 14:10:31 GMT\r\n\r\n";
    let rewritten = String::from_utf8(json_refusal(hyper).unwrap()).unwrap();
    let (head, body) = rewritten.split_once("\r\n\r\n").unwrap();
    assert!(
        head.starts_with("HTTP/1.1 431 ") && head.contains("content-type: application/json"),
        "{head}"
    );
    assert!(
        head.contains(&format!("content-length: {}", body.len())),
        "{head}"
    );
    assert!(
        json(body)["error"]
            .as_str()
            .unwrap()
            .contains("100 headers")
    );
    // The service's own refusals have bodies: left alone.
    let own =
        b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: 12\r\n\r\n";
    assert!(json_refusal(own).is_none());
    assert!(json_refusal(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n").is_none());
    let with_body = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n{}";
    assert!(
        json_refusal(with_body).is_none(),
        "a head followed by bytes is not hyper's refusal"
    );
}

/// Cases are counted as the body arrives, in NDJSON lines or array elements, wherever the
/// chunks break; commas, brackets and escaped quotes inside strings are not separators.
#[test]
fn batch_cases_are_counted_chunk_by_chunk() {
    let array = br#" [ {"id": "a,[b", "x": [1, 2, {"y": "\"]"}]},
        7, "s]", [ ], {} ] "#;
    for size in [1, 2, 3, 7, array.len()] {
        let mut counter = CaseCounter::new(Framing::Array);
        for chunk in array.chunks(size) {
            counter.feed(chunk);
        }
        assert_eq!(counter.cases, 5, "chunks of {size}");
    }
    let mut counter = CaseCounter::new(Framing::Array);
    counter.feed(b"[]");
    assert_eq!(counter.cases, 0);
    let ndjson = b"{}\n\n  \n{\"a\": 1}\r\n7";
    for size in [1, 4, ndjson.len()] {
        let mut counter = CaseCounter::new(Framing::Ndjson);
        for chunk in ndjson.chunks(size) {
            counter.feed(chunk);
        }
        assert_eq!(counter.cases, 3, "chunks of {size}");
    }
    // The array becomes one element per line, strings untouched.
    let mut bytes = array.to_vec();
    array_to_ndjson(&mut bytes);
    let text = String::from_utf8(bytes).unwrap();
    let lines: Vec<Value> = text.lines().map(|l| json(l.trim())).collect();
    assert_eq!(lines.len(), 5, "{text}");
    assert_eq!(lines[0]["id"], "a,[b");
    assert_eq!(lines[0]["x"][2]["y"], "\"]");
    assert_eq!(
        (&lines[1], &lines[2]),
        (&Value::from(7), &Value::from("s]"))
    );
}

/// A JSON array written over several lines is decided element by element; `line` is the
/// element's position.
#[test]
fn batch_arrays_may_span_lines() {
    let service = office();
    let good = example("accepted-phone.json");
    let array = format!("[\n  {good},\n  \"not a case\",\n  {good}\n]\n");
    let (status, _, body) = call(
        &service,
        "POST",
        &format!("/v1/decide/batch?now={NOW}"),
        Some("application/json"),
        array,
    );
    assert_eq!(status, StatusCode::OK, "{body}");
    let records = json(&body);
    let records = records.as_array().unwrap();
    assert_eq!(records.len(), 3);
    assert_eq!(records[0]["route"]["role"], "office_director");
    assert_eq!(records[1]["line"], 2);
    assert_eq!(
        records[2]["line"], 3,
        "the id is seen twice: {}",
        records[2]
    );
}

/// Writes a file by renaming a complete temporary file over it, as editors and deploy tools do.
fn replace(path: &Path, text: &str) {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

#[test]
fn reload_swaps_good_changes_and_keeps_the_last_good_policy() {
    let (_dir, policy) = crate::support::office_copy(|t| t);
    let file = policy.join("policy.charter");
    let original = std::fs::read_to_string(&file).unwrap();
    let service = service_for(&policy, 1 << 20, 10);
    let mut stamp = service.current.get().stamp.clone();
    assert!(matches!(service.poll(&mut stamp), Reload::Unchanged));
    replace(
        &file,
        &original.replace("version \"2026.1\"", "version \"2026.9\""),
    );
    assert!(matches!(
        service.poll(&mut stamp),
        Reload::Swapped { generation: 2 }
    ));
    assert_eq!(
        service.current.get().engine.versions()[0].policy.version,
        "2026.9"
    );
    replace(&file, &original.replace("route {", "route {{"));
    match service.poll(&mut stamp) {
        Reload::Failed { diagnostics } => {
            assert!(diagnostics.contains("policy.charter"), "{diagnostics}")
        }
        _ => panic!("a broken policy must not be swapped in"),
    }
    assert_eq!(
        service.current.get().engine.versions()[0].policy.version,
        "2026.9"
    );
    // Reported once, not at every look.
    assert!(matches!(service.poll(&mut stamp), Reload::Unchanged));
    replace(&file, &original);
    assert!(matches!(
        service.poll(&mut stamp),
        Reload::Swapped { generation: 3 }
    ));
    assert_eq!(
        service.current.get().engine.versions()[0].policy.version,
        "2026.1"
    );
    let (_, _, text) = call(&service, "GET", "/metrics", None, Body::empty());
    assert!(
        text.contains("charter_policy_reloads_total{result=\"ok\"} 2"),
        "{text}"
    );
    assert!(
        text.contains("charter_policy_reloads_total{result=\"error\"} 1"),
        "{text}"
    );
}

/// One HTTP/1.1 request to the service at `addr` on a fresh connection: (status, body).
fn request(addr: &str, method: &str, path: &str, body: &str) -> std::io::Result<(u16, String)> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nhost: {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        addr,
        body.len()
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let status = response
        .get(9..12)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("not HTTP: {response:?}")))?;
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    Ok((status, body))
}

/// The binary, started on a free loopback port; the address is read from its log.
struct Server {
    child: Child,
    addr: String,
}

impl Server {
    fn start(policy: &Path) -> Server {
        Server::start_with(policy, &[])
    }

    /// The server with more arguments.
    fn start_with(policy: &Path, more: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_charter"))
            .args([
                "serve",
                "--addr",
                "127.0.0.1:0",
                "--watch-ms",
                "50",
                "--policy",
            ])
            .arg(policy)
            .args(more)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut sent = false;
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if !sent && let Some(at) = line.find("addr=") {
                    let addr = line[at + 5..]
                        .split_whitespace()
                        .next()
                        .unwrap()
                        .to_string();
                    let _ = tx.send(addr);
                    sent = true;
                }
            }
        });
        let addr = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("the server did not start");
        Server { child, addr }
    }

    /// One HTTP/1.1 request on a fresh connection: (status, body).
    fn request(&self, method: &str, path: &str, body: &str) -> std::io::Result<(u16, String)> {
        request(&self.addr, method, path, body)
    }

    fn stop(mut self) -> std::process::ExitStatus {
        // SIGTERM: a graceful shutdown.
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        self.child.wait().unwrap()
    }
}

/// A server a test did not stop (it failed first) is killed, not left running.
impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Reads what the server sends until it closes the connection or `limit` passes.
fn read_answer(stream: &mut TcpStream, limit: Duration) -> String {
    stream.set_read_timeout(Some(limit)).unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

#[test]
fn slow_clients_are_answered_408_and_closed() {
    let server = Server::start_with(
        Path::new("policies/complaint-office"),
        &["--request-timeout", "1"],
    );
    let mut stream = TcpStream::connect(&server.addr).unwrap();
    write!(
        stream,
        "POST /v1/decide HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{{"
    )
    .unwrap();
    // One more byte every 300 ms: the body would take 30 s.
    let mut trickle = stream.try_clone().unwrap();
    let writer = std::thread::spawn(move || {
        for _ in 0..20 {
            std::thread::sleep(Duration::from_millis(300));
            if trickle.write_all(b" ").is_err() {
                break;
            }
        }
    });
    let started = Instant::now();
    let answer = read_answer(&mut stream, Duration::from_secs(10));
    let took = started.elapsed();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer:?}");
    assert!(
        answer.contains("content-type: application/json"),
        "{answer:?}"
    );
    let body = answer.split_once("\r\n\r\n").unwrap().1;
    assert!(
        json(body)["error"]
            .as_str()
            .unwrap()
            .contains("longer than 1 s")
    );
    assert!(took < Duration::from_secs(3), "answered after {took:?}");
    writer.join().unwrap();
    assert!(server.stop().success());
}

/// A client that sends its request line and headers one byte every two seconds is
/// disconnected once `--header-timeout` has passed, while it is still sending.
#[test]
fn slow_headers_are_cut_off() {
    let server = Server::start_with(
        Path::new("policies/complaint-office"),
        &["--header-timeout", "3"],
    );
    let mut stream = TcpStream::connect(&server.addr).unwrap();
    let mut trickle = stream.try_clone().unwrap();
    let started = Instant::now();
    let writer = std::thread::spawn(move || {
        for byte in b"GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n" {
            if trickle.write_all(&[*byte]).is_err() {
                return;
            }
            std::thread::sleep(Duration::from_secs(2));
        }
    });
    let answer = read_answer(&mut stream, Duration::from_secs(20));
    let took = started.elapsed();
    assert_eq!(answer, "", "closed without an answer");
    assert!(
        took >= Duration::from_secs(3) && took < Duration::from_secs(7),
        "closed after {took:?}"
    );
    drop(stream);
    writer.join().unwrap();
    // A client that sends its headers at once is served as before.
    assert_eq!(server.request("GET", "/healthz", "").unwrap().0, 200);
    assert!(server.stop().success());
}

/// A batch is refused (413) as soon as the case or the byte past the limit arrives, while the
/// client has most of its declared body still to send: nothing beyond the limit is read.
#[test]
fn oversized_batches_are_refused_as_they_arrive() {
    let server = Server::start_with(
        Path::new("policies/complaint-office"),
        &["--max-batch-cases", "2", "--max-batch-body", "4096"],
    );
    for (content_type, start, want) in [
        (
            "application/x-ndjson",
            "{}\n{}\n{}\n".to_string(),
            "more than 2 cases",
        ),
        (
            "application/json",
            "[{}, [1, 2], {}".to_string(),
            "more than 2 cases",
        ),
        (
            "application/json",
            format!("[\"{}\"", "x".repeat(5000)),
            "larger than 4096 bytes",
        ),
    ] {
        let mut stream = TcpStream::connect(&server.addr).unwrap();
        write!(
            stream,
            "POST /v1/decide/batch HTTP/1.1\r\nhost: x\r\ncontent-type: {content_type}\r\ncontent-length: 10000000\r\n\r\n{start}"
        )
        .unwrap();
        let answer = read_answer(&mut stream, Duration::from_secs(10));
        assert!(
            answer.starts_with("HTTP/1.1 413"),
            "{content_type} {answer:?}"
        );
        let body = answer.split_once("\r\n\r\n").unwrap().1;
        let error = json(body)["error"].as_str().unwrap().to_string();
        assert!(error.contains(want), "{error}");
    }
    assert!(server.stop().success());
}

/// Requests hyper refuses before the router sees them (past its own limits, or not HTTP)
/// are answered with the same status and a JSON body, on a real connection.
#[test]
fn malformed_http_is_refused_with_json() {
    let server = Server::start(Path::new("policies/complaint-office"));
    let headers: String = (0..150).map(|i| format!("x-{i}: y\r\n")).collect();
    for (request, status) in [
        ("NOT HTTP AT ALL\r\n\r\n".to_string(), "400"),
        (
            format!("GET /{} HTTP/1.1\r\nhost: x\r\n\r\n", "a".repeat(70_000)),
            "414",
        ),
        (format!("GET /healthz HTTP/1.1\r\n{headers}\r\n"), "431"),
        (
            format!(
                "GET /healthz?{} HTTP/1.1\r\nhost: x\r\n\r\n",
                "a".repeat(9000)
            ),
            "414",
        ),
    ] {
        let mut stream = TcpStream::connect(&server.addr).unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        let answer = read_answer(&mut stream, Duration::from_secs(10));
        assert!(
            answer.starts_with(&format!("HTTP/1.1 {status} ")),
            "{answer:?}"
        );
        assert!(
            answer.contains("content-type: application/json"),
            "{answer:?}"
        );
        let body = answer.split_once("\r\n\r\n").unwrap().1;
        assert!(json(body)["error"].is_string(), "{body}");
    }
    assert!(server.stop().success());
}

#[test]
fn concurrent_batches_are_bounded() {
    let server = Server::start_with(
        Path::new("policies/complaint-office"),
        &["--max-concurrent-batches", "1"],
    );
    let batch = format!("[{}]", example("accepted-phone.json"));
    // A batch whose body has not all arrived holds the one place.
    let mut first = TcpStream::connect(&server.addr).unwrap();
    write!(
        first,
        "POST /v1/decide/batch?now={NOW} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n["
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let mut second = TcpStream::connect(&server.addr).unwrap();
    write!(
        second,
        "POST /v1/decide/batch?now={NOW} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{batch}",
        batch.len()
    )
    .unwrap();
    let answer = read_answer(&mut second, Duration::from_secs(10));
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer:?}");
    assert!(answer.contains("retry-after: 1\r\n"), "{answer:?}");
    let body = answer.split_once("\r\n\r\n").unwrap().1;
    assert_eq!(json(body)["limit"], 1, "{body}");
    // Once the first client goes, the place is free again.
    drop(first);
    let started = Instant::now();
    loop {
        let (status, body) = server
            .request("POST", &format!("/v1/decide/batch?now={NOW}"), &batch)
            .unwrap();
        if status == 200 {
            assert!(json(&body).as_array().unwrap().len() == 1, "{body}");
            break;
        }
        assert_eq!(status, 503, "{body}");
        assert!(started.elapsed() < Duration::from_secs(5), "still refused");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(server.stop().success());
}

/// Requests keep flowing while the policy file is replaced by a broken one and then by a
/// changed one: none fails, and the version in the decisions changes exactly once, after the
/// good change.
#[test]
fn binary_reloads_under_load_without_a_failed_request() {
    let (_dir, policy) = crate::support::office_copy(|t| t);
    let file = policy.join("policy.charter");
    let original = std::fs::read_to_string(&file).unwrap();
    let server = Arc::new(Server::start(&policy));
    let case = example("accepted-phone.json");
    let path = format!("/v1/decide?now={NOW}");
    let stop = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = (0..2)
        .map(|_| {
            let (server, case, path, stop) = (
                Arc::clone(&server),
                case.clone(),
                path.clone(),
                Arc::clone(&stop),
            );
            std::thread::spawn(move || {
                let mut seen: Vec<String> = Vec::new();
                let mut failures = Vec::new();
                while !stop.load(Ordering::Relaxed) {
                    match server.request("POST", &path, &case) {
                        Ok((200, body)) => {
                            let version = json(&body)["policy"]["version"]
                                .as_str()
                                .unwrap()
                                .to_string();
                            if seen.last() != Some(&version) {
                                seen.push(version);
                            }
                        }
                        other => failures.push(format!("{other:?}")),
                    }
                }
                (seen, failures)
            })
        })
        .collect();
    let wait_for = |want: &str| {
        let started = Instant::now();
        loop {
            let (_, body) = server.request("GET", "/readyz", "").unwrap();
            if json(&body)["version"] == want {
                return;
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "no reload to {want}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    };
    std::thread::sleep(Duration::from_millis(300));
    replace(&file, &original.replace("route {", "route {{"));
    std::thread::sleep(Duration::from_millis(500));
    let (_, body) = server.request("GET", "/metrics", "").unwrap();
    assert!(
        body.contains("charter_policy_reloads_total{result=\"error\"} 1"),
        "{body}"
    );
    let (_, body) = server.request("GET", "/readyz", "").unwrap();
    assert_eq!(
        json(&body)["version"],
        "2026.1",
        "the last good policy keeps serving"
    );
    replace(
        &file,
        &original.replace("version \"2026.1\"", "version \"2026.2\""),
    );
    wait_for("2026.2");
    std::thread::sleep(Duration::from_millis(300));
    stop.store(true, Ordering::Relaxed);
    for client in clients {
        let (seen, failures) = client.join().unwrap();
        assert!(failures.is_empty(), "failed requests: {failures:?}");
        assert_eq!(
            seen,
            ["2026.1", "2026.2"],
            "the version changes once, after the good change"
        );
    }
    let server = Arc::try_unwrap(server).ok().unwrap();
    assert!(server.stop().success(), "SIGTERM ends the server cleanly");
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 200, failure_persistence: None, ..Default::default() })]

    /// Whatever body a client sends to the decide endpoints, the answer is 200 or a 4xx
    /// with a JSON error, never a 500 and never a panic: random bytes, and a real case with
    /// a span of bytes replaced.
    #[test]
    fn no_body_gets_a_500(
        noise in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200),
        at in 0usize..2000,
        batch in proptest::prelude::any::<bool>(),
    ) {
        let service = office();
        let mut case = example("accepted-phone.json").into_bytes();
        let at = at.min(case.len());
        let end = (at + noise.len() / 4).min(case.len());
        case.splice(at..end, noise.iter().copied().take(noise.len() / 4));
        for body in [noise.clone(), case] {
            let (uri, ct) = if batch {
                ("/v1/decide/batch?now=2026-11-30T12:00:00%2B08:00", "application/x-ndjson")
            } else {
                ("/v1/decide?now=2026-11-30T12:00:00%2B08:00", "application/json")
            };
            let (status, _, text) = call(&service, "POST", uri, Some(ct), body);
            proptest::prop_assert!(status == StatusCode::OK || status.is_client_error(), "{status}: {text}");
            if status.is_client_error() {
                proptest::prop_assert!(json(&text)["error"].is_string());
            }
        }
    }
}

/// The decision log (`--decision-log`): every answered decision is recorded before it leaves,
/// served back by `GET /v1/decisions/{id}`, and survives the process being killed.
mod decision_log {
    use super::*;
    use charter::record::log::{LogLocation, read_all};

    /// A recorded decision as the endpoint gives it: the answer, its case (whose digest is
    /// the answer's), and the policy that decided.
    fn check_record(service: &Arc<Service>, answer: &Value) {
        let id = answer["decision_id"].as_str().unwrap();
        let (status, ct, body) = call(service, "GET", &format!("/v1/decisions/{id}"), None, "");
        assert_eq!(
            (status, ct.as_str()),
            (StatusCode::OK, "application/json"),
            "{body}"
        );
        let record = json(&body);
        assert_eq!(&record["decision"], answer);
        assert_eq!(record["decision_id"], id);
        assert_eq!(record["policy"], {
            let p = &answer["policy"];
            serde_json::json!({ "name": p["name"], "version": p["version"], "digest": p["digest"] })
        });
        assert_eq!(record["input_digest"], answer["input_digest"]);
        let case = charter::decide::Case::from_json(&record["case"].to_string()).unwrap();
        assert_eq!(
            charter::record::input_digest(&case).to_string(),
            answer["input_digest"].as_str().unwrap()
        );
        assert_eq!(record["evaluated_at"], "2026-11-30T04:00:00Z");
    }

    #[test]
    fn answered_decisions_are_recorded_and_served_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("decisions.sqlite");
        let service = logged_office(&path);
        let (status, _, body) = call(
            &service,
            "POST",
            &format!("/v1/decide?now={NOW}"),
            Some("application/json"),
            example("accepted-phone.json"),
        );
        assert_eq!(status, StatusCode::OK, "{body}");
        check_record(&service, &json(&body));
        // A batch: the decided records are recorded, the refused one is not.
        let good = example("accepted-phone.json").replace('\n', "");
        let other = example("routed-by-amount.json").replace('\n', "");
        let (status, _, body) = call(
            &service,
            "POST",
            &format!("/v1/decide/batch?now={NOW}"),
            Some("application/x-ndjson"),
            format!("{good}\nnot json\n{other}\n"),
        );
        assert_eq!(status, StatusCode::OK, "{body}");
        let records: Vec<Value> = body.lines().map(json).collect();
        check_record(&service, &records[0]);
        check_record(&service, &records[2]);
        let mut ids = Vec::new();
        read_all(&path.clone().into(), &mut |entry| {
            ids.push(entry.id.to_string());
            true
        })
        .unwrap();
        assert_eq!(ids.len(), 3, "{ids:?}");
        let (_, _, metrics) = call(&service, "GET", "/metrics", None, "");
        assert!(
            metrics.contains("charter_decision_log_entries_total 3"),
            "{metrics}"
        );
        // Ids the log does not have, or that are not ids.
        let unknown = "019ae9a0-1c2b-7d3e-8f40-123456789abc";
        let (status, _, body) = call(
            &service,
            "GET",
            &format!("/v1/decisions/{unknown}"),
            None,
            "",
        );
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(json(&body)["error"].as_str().unwrap().contains(unknown));
        let (status, _, body) = call(&service, "GET", "/v1/decisions/C-1001", None, "");
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(json(&body)["field"], "id");
    }

    #[test]
    fn without_a_log_the_endpoint_says_how_to_keep_one() {
        let (status, _, body) = call(
            &office(),
            "GET",
            "/v1/decisions/019ae9a0-1c2b-7d3e-8f40-123456789abc",
            None,
            "",
        );
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(
            json(&body)["error"]
                .as_str()
                .unwrap()
                .contains("--decision-log"),
            "{body}"
        );
    }

    /// Requests from 8 connections at once; the service is killed with SIGKILL while they
    /// flow. Every decision that was answered is in the log.
    #[test]
    fn every_answered_decision_survives_sigkill() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("decisions.sqlite");
        answered_decisions_survive_sigkill(&path.into(), &[]);
    }

    /// Serves with the log at `location`, kills the service with SIGKILL under load, and
    /// finds every answered decision in the log.
    pub(super) fn answered_decisions_survive_sigkill(location: &LogLocation, more: &[&str]) {
        let log = match location {
            LogLocation::File(path) => path.display().to_string(),
            LogLocation::Postgres(url) => url.clone(),
        };
        let mut server = Server::start_with(
            Path::new("policies/complaint-office"),
            &[&["--decision-log", &log], more].concat(),
        );
        let addr = server.addr.clone();
        let case = example("accepted-phone.json");
        let stop = Arc::new(AtomicBool::new(false));
        let answered = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
        let clients: Vec<_> = (0..8)
            .map(|_| {
                let (stop, answered, case, addr) = (
                    Arc::clone(&stop),
                    Arc::clone(&answered),
                    case.clone(),
                    addr.clone(),
                );
                std::thread::spawn(move || {
                    while !stop.load(Ordering::Relaxed) {
                        match request(&addr, "POST", &format!("/v1/decide?now={NOW}"), &case) {
                            Ok((200, body)) => {
                                let id = json(&body)["decision_id"].as_str().unwrap().to_string();
                                answered.lock().unwrap().push(id);
                            }
                            Ok((status, body)) => panic!("{status}: {body}"),
                            // The service is gone.
                            Err(_) => break,
                        }
                    }
                })
            })
            .collect();
        // Let answers flow, then kill the service without warning.
        let started = Instant::now();
        while answered.lock().unwrap().len() < 300 && started.elapsed() < Duration::from_secs(30) {
            std::thread::sleep(Duration::from_millis(10));
        }
        server.child.kill().unwrap();
        server.child.wait().unwrap();
        stop.store(true, Ordering::Relaxed);
        for client in clients {
            client.join().unwrap();
        }
        let answered = answered.lock().unwrap().clone();
        assert!(answered.len() >= 300, "only {} answered", answered.len());
        let mut logged = std::collections::HashSet::new();
        read_all(location, &mut |entry| {
            logged.insert(entry.id.to_string());
            true
        })
        .unwrap();
        let lost: Vec<&String> = answered.iter().filter(|id| !logged.contains(*id)).collect();
        assert!(
            lost.is_empty(),
            "{} of {} answered decisions are not in the log ({} logged): {:?}",
            lost.len(),
            answered.len(),
            logged.len(),
            &lost[..lost.len().min(5)]
        );
        eprintln!(
            "{location}: answered {}, logged {}",
            answered.len(),
            logged.len()
        );
    }
}

/// The decision log in PostgreSQL (`CHARTER_TEST_POSTGRES` names a database the tests may
/// make schemas in; CI starts one): replicas share it, and it keeps what was answered.
#[cfg(feature = "log-postgres")]
mod postgres_log {
    use super::*;
    use charter::record::log::LogLocation;

    /// A schema of its own in the test database, as a URL; `None` (and a note) without one.
    fn database() -> Option<String> {
        let Ok(url) = std::env::var("CHARTER_TEST_POSTGRES") else {
            eprintln!("CHARTER_TEST_POSTGRES is not set: PostgreSQL not tested");
            return None;
        };
        // Tests run at once in one process: the counter keeps two from naming one schema
        // in the same microsecond.
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let schema = format!(
            "serve_test_{}_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed),
            chrono::Utc::now().timestamp_micros()
        );
        let mut client = postgres::Client::connect(&url, postgres::NoTls)
            .unwrap_or_else(|e| panic!("{url}: {e}"));
        client
            .batch_execute(&format!("CREATE SCHEMA {schema}"))
            .unwrap();
        let join = if url.contains('?') { '&' } else { '?' };
        Some(format!("{url}{join}options=-csearch_path%3D{schema}"))
    }

    #[test]
    fn every_answered_decision_survives_sigkill() {
        let Some(url) = database() else { return };
        super::decision_log::answered_decisions_survive_sigkill(
            &LogLocation::Postgres(url),
            &["--log-personal"],
        );
    }

    /// Two services write one log: each serves back what the other recorded, the same
    /// personal value has the same keyed hash from both, and the log replays identically.
    #[test]
    fn replicas_share_one_log() {
        let Some(url) = database() else { return };
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("log.key");
        let key = key.to_str().unwrap();
        let policy = Path::new("policies/complaint-office");
        let args = ["--decision-log", url.as_str(), "--log-key", key];
        let replicas = [
            Server::start_with(policy, &args),
            Server::start_with(policy, &args),
        ];
        let case = example("accepted-phone.json");
        let mut answers = Vec::new();
        for replica in &replicas {
            let (status, body) = replica
                .request("POST", &format!("/v1/decide?now={NOW}"), &case)
                .unwrap();
            assert_eq!(status, 200, "{body}");
            answers.push(json(&body));
        }
        let mut records = Vec::new();
        for (replica, answer) in replicas.iter().rev().zip(&answers) {
            let id = answer["decision_id"].as_str().unwrap();
            let (status, body) = replica
                .request("GET", &format!("/v1/decisions/{id}"), "")
                .unwrap();
            assert_eq!(status, 200, "{body}");
            let record = json(&body);
            // As answered, but for the digest of the case: the log keeps its keyed hash.
            let mut logged = record["decision"].clone();
            assert_eq!(logged["input_digest"], record["input_digest"]);
            assert_ne!(logged["input_digest"], answer["input_digest"]);
            logged["input_digest"] = answer["input_digest"].clone();
            assert_eq!(&logged, answer);
            records.push(record);
        }
        assert_eq!(records[0]["case"], records[1]["case"]);
        assert!(
            records[0]["case"]["fields"]["customer_name"]
                .as_str()
                .unwrap()
                .starts_with("hmac-sha256:")
        );
        for replica in replicas {
            assert!(replica.stop().success());
        }
        let out = assert_cmd::Command::new(env!("CARGO_BIN_EXE_charter"))
            .args(["replay", "--format", "json", "--policy"])
            .arg(policy)
            .arg(&url)
            .timeout(LIMIT)
            .output()
            .unwrap();
        let report = json(&String::from_utf8(out.stdout).unwrap());
        assert_eq!(out.status.code(), Some(0), "{report}");
        assert_eq!(
            (report["identical"].as_u64(), report["redacted"].as_u64()),
            (Some(2), Some(2))
        );
        // Without a shared key, replicas would hash the same value differently.
        let out = assert_cmd::Command::new(env!("CARGO_BIN_EXE_charter"))
            .args(["serve", "--decision-log", url.as_str(), "--policy"])
            .arg(policy)
            .timeout(LIMIT)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(stderr.contains("--log-key"), "{stderr}");
    }
}

/// `charter replay`: a log of every example case the service decided comes out identical under
/// the same policy; a changed policy is a what-if; an altered log entry is found out.
mod replay {
    use super::*;

    /// Every example case of the complaint office, decided by the service with a log at
    /// `path`; the ids of the answered decisions.
    fn log_examples(path: &Path) -> Vec<String> {
        let service = logged_office(path);
        let mut ids = Vec::new();
        let mut files: Vec<_> = std::fs::read_dir("examples/cases/complaint-office")
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            let json = match file.extension().and_then(|e| e.to_str()) {
                Some("json") => text,
                Some("toml") => {
                    serde_json::to_string(&charter::decide::Case::from_toml(&text).unwrap())
                        .unwrap()
                }
                _ => continue,
            };
            let (status, _, body) = call(
                &service,
                "POST",
                &format!("/v1/decide?now={NOW}"),
                Some("application/json"),
                json,
            );
            if status == StatusCode::OK {
                ids.push(
                    super::json(&body)["decision_id"]
                        .as_str()
                        .unwrap()
                        .to_string(),
                );
            }
        }
        ids
    }

    fn replay(log: &Path, policy: &Path) -> (i32, Value, String) {
        let out = assert_cmd::Command::new(env!("CARGO_BIN_EXE_charter"))
            .args(["replay", "--format", "json", "--policy"])
            .arg(policy)
            .arg(log)
            .timeout(LIMIT)
            .output()
            .unwrap_or_else(|e| panic!("charter replay {}: {e}", log.display()));
        let stdout = String::from_utf8(out.stdout).unwrap();
        let report = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
        (
            out.status.code().unwrap(),
            report,
            String::from_utf8(out.stderr).unwrap(),
        )
    }

    #[test]
    fn every_example_decision_replays_identically_under_its_policy() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("decisions.sqlite");
        let ids = log_examples(&log);
        assert!(ids.len() >= 15, "only {} example decisions", ids.len());
        let (code, report, stderr) = replay(&log, Path::new("policies/complaint-office"));
        assert_eq!(code, 0, "{report} {stderr}");
        assert_eq!(report["decisions"], ids.len());
        assert_eq!(report["identical"], ids.len());
        assert_eq!(report["changes"], serde_json::json!([]));
        assert!(
            stderr.contains(&format!("{} identical", ids.len())),
            "{stderr}"
        );
    }

    #[test]
    fn another_policy_is_a_what_if_and_altered_entries_are_found() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("decisions.sqlite");
        let ids = log_examples(&log);
        // The amount threshold raised: the case routed by its amount of 8,000 goes elsewhere.
        let (_copy, proposed) =
            crate::support::office_copy(|t| t.replace("amount > 5000", "amount > 9000"));
        let (code, report, _) = replay(&log, &proposed);
        assert_eq!(code, 1, "{report}");
        assert_eq!(report["mismatched"], 0, "{report}");
        let changes = report["changes"].as_array().unwrap();
        assert!(!changes.is_empty(), "{report}");
        let rerouted: Vec<&Value> = changes
            .iter()
            .flat_map(|c| c["fields"].as_array().unwrap())
            .filter(|f| f["path"] == "/route/role")
            .collect();
        assert!(
            rerouted
                .iter()
                .any(|f| f["logged"] == "coordinator" && f["replayed"] == "complaint_officer"),
            "{report}"
        );
        assert!(changes.iter().all(|c| c["kind"] == "changed"));
        assert_eq!(
            report["identical"].as_u64().unwrap() + report["changed"].as_u64().unwrap(),
            ids.len() as u64
        );
        // The what-if over every changed decision counts each handler move once per case.
        let moves = report["what_if"]["routes"].as_array().unwrap();
        let total: u64 = moves.iter().map(|m| m["cases"].as_u64().unwrap()).sum();
        assert_eq!(total, rerouted.len() as u64, "{report}");
        assert!(
            moves
                .iter()
                .any(|m| m["from"] == "coordinator" && m["to"] == "complaint_officer"),
            "{report}"
        );
        // Alter one logged answer and one logged case behind the service's back.
        let db = rusqlite::Connection::open(&log).unwrap();
        db.execute(
            "UPDATE decisions SET decision_json = replace(decision_json, '\"state\":\"met\"', '\"state\":\"breached\"') WHERE id = ?1",
            [&ids[0]],
        )
        .unwrap();
        db.execute(
            "UPDATE decisions SET case_json = replace(case_json, '\"channel\":\"', '\"channel\":\"x') WHERE id = ?1",
            [&ids[1]],
        )
        .unwrap();
        drop(db);
        let (code, report, _) = replay(&log, Path::new("policies/complaint-office"));
        assert_eq!(code, 1);
        assert_eq!(report["mismatched"], 1, "{report}");
        assert_eq!(report["damaged"], 1, "{report}");
        // Under the same policy there is no what-if.
        assert_eq!(
            report["what_if"]["routes"],
            serde_json::json!([]),
            "{report}"
        );
        assert_eq!(
            report["what_if"]["deadlines"],
            serde_json::json!([]),
            "{report}"
        );
        assert_eq!(report["identical"].as_u64().unwrap(), ids.len() as u64 - 2);
        let mismatch = report["changes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["kind"] == "mismatched")
            .unwrap();
        assert_eq!(mismatch["decision_id"], ids[0].as_str());
        assert!(
            mismatch["fields"]
                .as_array()
                .unwrap()
                .iter()
                .all(|f| f["logged"] == "breached" && f["replayed"] == "met"),
            "{mismatch}"
        );
        // A cell of another type, and an instant no decision was evaluated at: each entry is
        // damaged, by its id, and the others are still replayed.
        let db = rusqlite::Connection::open(&log).unwrap();
        db.execute(
            "UPDATE decisions SET case_json = CAST(case_json AS BLOB) || x'ff' WHERE id = ?1",
            [&ids[2]],
        )
        .unwrap();
        db.execute(
            "UPDATE decisions SET evaluated_at = 9223372036854775807 WHERE id = ?1",
            [&ids[3]],
        )
        .unwrap();
        drop(db);
        let (code, report, _) = replay(&log, Path::new("policies/complaint-office"));
        assert_eq!(code, 1);
        assert_eq!(report["damaged"], 3, "{report}");
        let damaged: Vec<&str> = (report["changes"].as_array().unwrap().iter())
            .filter(|c| c["kind"] == "damaged")
            .map(|c| c["decision_id"].as_str().unwrap())
            .collect();
        assert!(damaged.contains(&ids[2].as_str()) && damaged.contains(&ids[3].as_str()));
        assert!(
            report
                .to_string()
                .contains("outside the years charter computes"),
            "{report}"
        );
        assert_eq!(report["identical"].as_u64().unwrap(), ids.len() as u64 - 4);
    }
}

/// `--tokens`: who may ask what, and how often.
mod access {
    use super::*;
    use charter::serve::Clients;

    /// A request with headers, in process: (status, headers, body).
    fn ask(
        service: &Arc<Service>,
        method: &str,
        uri: &str,
        token: Option<&str>,
        body: &str,
    ) -> (StatusCode, axum::http::HeaderMap, String) {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let request = json_request(method, uri, token, Body::from(body.to_string()));
            let response = router(Arc::clone(service)).oneshot(request).await.unwrap();
            let (parts, body) = response.into_parts();
            let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap();
            (
                parts.status,
                parts.headers,
                String::from_utf8(bytes.to_vec()).unwrap(),
            )
        })
    }

    /// The complaint office answering three clients (their tokens: `decider`, `reader` and
    /// `boss` with scopes decide, read and admin), with a log and `rate` requests a second.
    fn guarded(dir: &Path, rate: Option<u32>) -> (Arc<Service>, [String; 3]) {
        guarded_with(dir, rate, None, office().options.clone())
    }

    fn guarded_with(
        dir: &Path,
        rate: Option<u32>,
        concurrency: Option<usize>,
        options: charter::serve::Options,
    ) -> (Arc<Service>, [String; 3]) {
        let mut lines = String::from("# clients\n");
        let mut tokens = Vec::new();
        for (name, scopes) in [("decider", "decide"), ("reader", "read"), ("boss", "admin")] {
            let (token, line) = charter::serve::new_token(name, scopes).unwrap();
            lines.push_str(&line);
            lines.push('\n');
            tokens.push(token);
        }
        let path = dir.join("tokens");
        std::fs::write(&path, lines).unwrap();
        let mut clients = Clients::read(&path).unwrap();
        clients.rate = rate;
        clients.concurrency = concurrency;
        let live = compile(Path::new("policies/complaint-office"), 1)
            .map_err(|(d, _)| d)
            .unwrap();
        let log = charter::record::log::DecisionLog::open(&dir.join("decisions.sqlite")).unwrap();
        let service = Service::build(live, options, Some(log), None, Some(clients));
        (service, tokens.try_into().unwrap())
    }

    #[test]
    fn tokens_and_scopes_decide_who_may_ask_what() {
        let dir = tempfile::tempdir().unwrap();
        let (service, [decider, reader, boss]) = guarded(dir.path(), None);
        let case = example("accepted-phone.json");
        let decide = format!("/v1/decide?now={NOW}");
        // No token, or one the service does not know: 401, with a JSON body.
        for token in [None, Some("not-a-token")] {
            let (status, headers, body) = ask(&service, "POST", &decide, token, &case);
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
            assert_eq!(headers["www-authenticate"], "Bearer realm=\"charter\"");
            assert_eq!(headers["content-type"], "application/json");
            assert!(
                json(&body)["error"].as_str().unwrap().contains("Bearer"),
                "{body}"
            );
        }
        // A token without the scope: 403 naming it.
        let (status, _, body) = ask(&service, "POST", &decide, Some(&reader), &case);
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert_eq!(json(&body)["scope"], "decide");
        assert!(
            json(&body)["error"].as_str().unwrap().contains("`reader`"),
            "{body}"
        );
        // The decider decides; its name is the caller in the log, which it may not read.
        let (status, _, body) = ask(&service, "POST", &decide, Some(&decider), &case);
        assert_eq!(status, StatusCode::OK, "{body}");
        let id = json(&body)["decision_id"].as_str().unwrap().to_string();
        let record = format!("/v1/decisions/{id}");
        let (status, _, _) = ask(&service, "GET", &record, Some(&decider), "");
        assert_eq!(status, StatusCode::FORBIDDEN);
        for token in [&reader, &boss] {
            let (status, _, body) = ask(&service, "GET", &record, Some(token), "");
            assert_eq!(status, StatusCode::OK, "{body}");
            assert_eq!(json(&body)["caller"], "decider");
        }
        // Admin holds every scope.
        let (status, _, _) = ask(&service, "POST", &decide, Some(&boss), &case);
        assert_eq!(status, StatusCode::OK);
        // Health, readiness and the API document stay open; the rest needs `read`.
        for open in ["/healthz", "/readyz", "/openapi.json"] {
            assert_eq!(
                ask(&service, "GET", open, None, "").0,
                StatusCode::OK,
                "{open}"
            );
        }
        for closed in ["/metrics", "/v1/policy", "/v1/roles/office_director"] {
            assert_eq!(
                ask(&service, "GET", closed, None, "").0,
                StatusCode::UNAUTHORIZED,
                "{closed}"
            );
            assert_eq!(
                ask(&service, "GET", closed, Some(&reader), "").0,
                StatusCode::OK,
                "{closed}"
            );
        }
    }

    #[test]
    fn a_client_over_its_rate_is_answered_429_with_retry_after() {
        let dir = tempfile::tempdir().unwrap();
        let (service, [_, reader, boss]) = guarded(dir.path(), Some(3));
        let statuses: Vec<StatusCode> = (0..5)
            .map(|_| ask(&service, "GET", "/v1/policy", Some(&reader), "").0)
            .collect();
        assert_eq!(&statuses[..3], [StatusCode::OK; 3]);
        let (status, headers, body) = ask(&service, "GET", "/v1/policy", Some(&reader), "");
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
        assert_eq!(headers["retry-after"], "1");
        assert!(json(&body)["error"].as_str().unwrap().contains("`reader`"));
        // Each client has its own allowance.
        assert_eq!(
            ask(&service, "GET", "/v1/policy", Some(&boss), "").0,
            StatusCode::OK
        );
    }

    /// A client that hangs up on a batch still being decided keeps its place until the work
    /// ends: hanging up is no way round `--token-concurrency`.
    #[test]
    fn a_batch_keeps_its_place_after_its_client_hangs_up() {
        let dir = tempfile::tempdir().unwrap();
        let mut options = office().options.clone();
        options.max_batch_cases = 1_000_000;
        options.max_batch_body = 1 << 30;
        let (service, [decider, _, _]) = guarded_with(dir.path(), None, Some(1), options);
        let case = example("accepted-phone.json").replace('\n', "");
        let cases = format!("{case}\n").repeat(20_000);
        let single = |service: &Arc<Service>| {
            let service = Arc::clone(service);
            let case = case.clone();
            let decider = decider.clone();
            async move {
                let request = Request::builder()
                    .method("POST")
                    .uri(format!("/v1/decide?now={NOW}"))
                    .header("content-type", "application/json")
                    .header("authorization", format!("Bearer {decider}"))
                    .body(Body::from(case.clone()))
                    .unwrap();
                router(service).oneshot(request).await.unwrap().status()
            }
        };
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let request = Request::builder()
                .method("POST")
                .uri(format!("/v1/decide/batch?now={NOW}"))
                .header("content-type", "application/x-ndjson")
                .header("authorization", format!("Bearer {decider}"))
                .body(Body::from(cases))
                .unwrap();
            let batch = tokio::spawn(router(Arc::clone(&service)).oneshot(request));
            // The batch holds the client's one place while it is decided (given time to be
            // admitted first: a single request holding the place then would refuse it)…
            tokio::time::sleep(Duration::from_millis(200)).await;
            assert!(
                !batch.is_finished(),
                "{:?}",
                batch.await.map(|r| r.map(|r| r.status()))
            );
            assert_eq!(single(&service).await, StatusCode::TOO_MANY_REQUESTS);
            // …and after its client hung up, until its cases are decided.
            batch.abort();
            assert!(batch.await.unwrap_err().is_cancelled());
            assert_eq!(single(&service).await, StatusCode::TOO_MANY_REQUESTS);
            let hung_up = Instant::now();
            while single(&service).await != StatusCode::OK {
                assert!(hung_up.elapsed() < LIMIT, "the place was never freed");
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            eprintln!(
                "place freed {:?} after the client hung up",
                hung_up.elapsed()
            );
        });
    }

    #[test]
    fn an_address_beyond_loopback_needs_tokens_or_insecure() {
        let out = Command::new(env!("CARGO_BIN_EXE_charter"))
            .args([
                "serve",
                "--policy",
                "policies/complaint-office",
                "--addr",
                "0.0.0.0:0",
            ])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("--tokens") && stderr.contains("--insecure"),
            "{stderr}"
        );
        let out = Command::new(env!("CARGO_BIN_EXE_charter"))
            .args(["token", "crm", "--scopes", "decide,read"])
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2, "{text}");
        use sha2::Digest as _;
        let hash: String = sha2::Sha256::digest(lines[0].as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(lines[1], format!("crm {hash} decide,read"));
        let out = Command::new(env!("CARGO_BIN_EXE_charter"))
            .args(["token", "crm", "--scopes", "decide,write"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains("unknown scope `write`"));
    }
}

/// `--tls-cert` and `--tls-key`: HTTPS with a self-signed pair, checked by a client that
/// trusts only that certificate.
mod https {
    use super::*;
    use std::sync::Arc as Shared;

    fn client(cert: &rustls::pki_types::CertificateDer<'static>) -> Shared<rustls::ClientConfig> {
        let mut roots = rustls::RootCertStore::empty();
        roots.add(cert.clone()).unwrap();
        let provider = Shared::new(rustls::crypto::ring::default_provider());
        Shared::new(
            rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .unwrap()
                .with_root_certificates(roots)
                .with_no_client_auth(),
        )
    }

    /// One request over TLS: (status, body).
    fn ask(
        config: &Shared<rustls::ClientConfig>,
        addr: &str,
        method: &str,
        path: &str,
        body: &str,
    ) -> (u16, String) {
        let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
        let mut connection = rustls::ClientConnection::new(Shared::clone(config), name).unwrap();
        let mut socket = TcpStream::connect(addr).unwrap();
        socket
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let mut tls = rustls::Stream::new(&mut connection, &mut socket);
        write!(
            tls,
            "{method} {path} HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut response = Vec::new();
        // A peer that closes without close_notify is fine once the body is in.
        let _ = tls.read_to_end(&mut response);
        let response = String::from_utf8(response).unwrap();
        let status = response[9..12].parse().unwrap();
        (
            status,
            response.split_once("\r\n\r\n").unwrap().1.to_string(),
        )
    }

    #[test]
    fn the_service_answers_over_https_with_a_self_signed_pair() {
        let dir = tempfile::tempdir().unwrap();
        let pair = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
        let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
        std::fs::write(&cert, pair.cert.pem()).unwrap();
        std::fs::write(&key, pair.signing_key.serialize_pem()).unwrap();
        let server = Server::start_with(
            Path::new("policies/complaint-office"),
            &[
                "--tls-cert",
                cert.to_str().unwrap(),
                "--tls-key",
                key.to_str().unwrap(),
            ],
        );
        let config = client(pair.cert.der());
        let (status, body) = ask(&config, &server.addr, "GET", "/healthz", "");
        assert_eq!(
            (status, json(&body)["status"].clone()),
            (200, Value::from("ok"))
        );
        let (status, body) = ask(
            &config,
            &server.addr,
            "POST",
            &format!("/v1/decide?now={NOW}"),
            &example("accepted-phone.json"),
        );
        assert_eq!(status, 200, "{body}");
        assert_eq!(json(&body)["route"]["role"], "office_director");
        // Plain HTTP to the HTTPS port gets no answer.
        assert!(server.request("GET", "/healthz", "").is_err());
        server.stop();
        // A key that is not PEM is refused at start, naming the file.
        std::fs::write(&key, "not a key").unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_charter"))
            .args([
                "serve",
                "--policy",
                "policies/complaint-office",
                "--addr",
                "127.0.0.1:0",
            ])
            .args([
                "--tls-cert",
                cert.to_str().unwrap(),
                "--tls-key",
                key.to_str().unwrap(),
            ])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("--tls-key") && stderr.contains("key.pem"),
            "{stderr}"
        );
    }
}

/// Fields the policy marks `personal` are kept in the decision log as keyed hashes.
mod personal_data {
    use super::*;

    #[test]
    fn personal_fields_are_logged_as_keyed_hashes_and_still_replay() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("decisions.sqlite");
        let key = charter::record::LogKey::load_or_create(&dir.path().join("log.key")).unwrap();
        let live = compile(Path::new("policies/complaint-office"), 1)
            .map_err(|(d, _)| d)
            .unwrap();
        let service = Service::build(
            live,
            office().options.clone(),
            Some(charter::record::log::DecisionLog::open(&path).unwrap()),
            Some(key.clone()),
            None,
        );
        let case = example("accepted-phone.json");
        let mut ids = Vec::new();
        for _ in 0..2 {
            let (status, _, body) = call(
                &service,
                "POST",
                &format!("/v1/decide?now={NOW}"),
                Some("application/json"),
                case.clone(),
            );
            assert_eq!(status, StatusCode::OK, "{body}");
            ids.push(json(&body)["decision_id"].as_str().unwrap().to_string());
        }
        let records: Vec<Value> = ids
            .iter()
            .map(|id| json(&call(&service, "GET", &format!("/v1/decisions/{id}"), None, "").2))
            .collect();
        let fields = &records[0]["case"]["fields"];
        // The policy marks the name and the contact personal; the rest is as sent.
        assert_eq!(
            records[0]["redacted"],
            serde_json::json!(["contact", "customer_name"])
        );
        assert_eq!(fields["customer_name"], key.hash(&"王女士".into()).as_str());
        assert!(
            fields["contact"]
                .as_str()
                .unwrap()
                .starts_with("hmac-sha256:")
        );
        assert_eq!(fields["content"], "LED 面板三天后不亮");
        assert!(!records[0].to_string().contains("王女士"));
        assert!(!records[0].to_string().contains("138 0000 1234"));
        // The same person, the same hash: cases can still be told apart and grouped.
        assert_eq!(records[0]["case"], records[1]["case"]);
        // The log keeps no plain digest of the case: with the rest of the case beside it, a
        // SHA-256 would let anyone test guesses of the hashed values. It keeps the HMAC of the
        // case under the log's key, in its column and in the decision it keeps.
        let sent = charter::decide::Case::from_json(&case).unwrap();
        let plain = charter::record::input_digest(&sent).to_string();
        let canonical = charter::record::canonical_case(&sent);
        let keyed: String = key
            .mac(canonical.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(records[0]["input_digest"], keyed.as_str());
        assert_eq!(records[0]["decision"]["input_digest"], keyed.as_str());
        assert!(!records[0].to_string().contains(&plain));
        // An empty personal field stays empty (hashed, it would read as given): the case is
        // incomplete, and replays so.
        let empty = case
            .replace("\"138 0000 1234\"", "\"\"")
            .replace("C-1001", "C-EMPTY");
        let (status, _, body) = call(
            &service,
            "POST",
            &format!("/v1/decide?now={NOW}"),
            Some("application/json"),
            empty,
        );
        assert_eq!(status, StatusCode::OK, "{body}");
        let answer = json(&body);
        assert_eq!(answer["acceptance"]["outcome"], "incomplete");
        let id = answer["decision_id"].as_str().unwrap();
        let record = json(&call(&service, "GET", &format!("/v1/decisions/{id}"), None, "").2);
        assert_eq!(record["case"]["fields"]["contact"], "");
        assert_eq!(record["redacted"], serde_json::json!(["customer_name"]));
        // Replayed, the decisions are the same; their digests cannot be checked.
        let out = assert_cmd::Command::new(env!("CARGO_BIN_EXE_charter"))
            .args([
                "replay",
                "--format",
                "json",
                "--policy",
                "policies/complaint-office",
            ])
            .arg(&path)
            .timeout(LIMIT)
            .output()
            .unwrap_or_else(|e| panic!("charter replay {}: {e}", path.display()));
        let report = json(&String::from_utf8(out.stdout).unwrap());
        assert_eq!(out.status.code(), Some(0), "{report}");
        assert_eq!(
            (report["identical"].as_u64(), report["redacted"].as_u64()),
            (Some(3), Some(3))
        );
    }
}

/// A batch of `cases` led-maker cases of `events` missed calls each: a small body with a large
/// answer (a clock per call).
fn many_calls(cases: usize, events: usize) -> String {
    let at = |i: usize| {
        let t = chrono::DateTime::parse_from_rfc3339("2026-11-27T10:00:00+08:00").unwrap()
            + chrono::Duration::seconds(2 * i as i64);
        t.to_rfc3339()
    };
    let events: Vec<Value> = (0..events)
        .map(|i| serde_json::json!({ "at": at(i), "kind": "missed_call" }))
        .collect();
    (0..cases)
        .map(|i| {
            serde_json::json!({
                "id": format!("L-{i}"),
                "received_at": at(0),
                "channel": "phone",
                "category": "product_quality",
                "severity": "major",
                "attributes": { "units": 40 },
                "events": events,
            })
            .to_string()
                + "\n"
        })
        .collect()
}

/// Answers waiting for their clients hold at most --max-answers-memory: past it the next is
/// 503, one larger than all of it 413, and a client that reads nothing of its answer for
/// --request-timeout is disconnected, which gives its share back.
#[test]
fn unread_answers_hold_bounded_memory_and_are_cut_off() {
    let server = Server::start_with(
        Path::new("policies/led-maker"),
        &["--max-answers-memory", "30000000", "--request-timeout", "3"],
    );
    let batch = many_calls(8, 14_000);
    let send = |stream: &mut TcpStream| {
        write!(
            stream,
            "POST /v1/decide/batch?now={NOW} HTTP/1.1\r\nhost: x\r\ncontent-type: application/x-ndjson\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{batch}",
            batch.len()
        )
        .unwrap();
    };
    let held = || {
        let (status, text) = server.request("GET", "/metrics", "").unwrap();
        assert_eq!(status, 200);
        let line = text
            .lines()
            .find(|l| l.starts_with("charter_answers_memory_bytes{state=\"held\"}"))
            .unwrap_or_else(|| panic!("{text}"));
        line.rsplit(' ').next().unwrap().parse::<u64>().unwrap()
    };
    // The first client reads only the start of its answer (about 19 MB), then nothing.
    let mut first = TcpStream::connect(&server.addr).unwrap();
    send(&mut first);
    let mut start = [0; 12];
    first.read_exact(&mut start).unwrap();
    assert_eq!(&start, b"HTTP/1.1 200");
    let started = Instant::now();
    while held() < 10_000_000 {
        assert!(started.elapsed() < Duration::from_secs(30), "nothing held");
        std::thread::sleep(Duration::from_millis(50));
    }
    // The second answer does not fit beside it.
    let mut second = TcpStream::connect(&server.addr).unwrap();
    send(&mut second);
    let answer = read_answer(&mut second, Duration::from_secs(30));
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer:.300}");
    assert!(answer.contains("retry-after: 1\r\n"), "{answer:.300}");
    assert!(answer.contains("--max-answers-memory"), "{answer:.300}");
    // After --request-timeout with nothing read, the first is cut off and its share is free.
    std::thread::sleep(Duration::from_secs(5));
    let answer = read_answer(&mut first, Duration::from_secs(30));
    assert!(answer.len() < 15_000_000, "{} bytes arrived", answer.len());
    assert_eq!(held(), 0);
    let mut third = TcpStream::connect(&server.addr).unwrap();
    send(&mut third);
    let answer = read_answer(&mut third, Duration::from_secs(60));
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer:.300}");
    assert_eq!(answer.matches("\"decision_id\"").count(), 8);
    assert_eq!(held(), 0);
    assert!(server.stop().success());
    // An answer larger than the whole budget is refused, not held.
    let server = Server::start_with(
        Path::new("policies/led-maker"),
        &["--max-answers-memory", "3000000"],
    );
    let mut alone = TcpStream::connect(&server.addr).unwrap();
    send(&mut alone);
    let answer = read_answer(&mut alone, Duration::from_secs(30));
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer:.300}");
    assert!(
        answer.contains("more than the service holds"),
        "{answer:.300}"
    );
    assert!(server.stop().success());
}

/// A policy folder holding links back to itself is looked through once, by `serve` (its
/// watch for changes) as by the loader: it starts, answers, and stops.
#[test]
fn a_policy_folder_that_links_to_itself_is_served() {
    let (_dir, policy) = crate::support::office_copy(|t| t);
    for name in ["a", "b", "c"] {
        std::os::unix::fs::symlink(".", policy.join(name)).unwrap();
    }
    let server = Server::start(&policy);
    let (status, body) = server
        .request(
            "POST",
            &format!("/v1/decide?now={NOW}"),
            &example("accepted-phone.json"),
        )
        .unwrap();
    assert_eq!(status, 200, "{body}");
    assert!(server.stop().success());
}
