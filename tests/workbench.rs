//! The workbench's API in process: the unsaved text checked, previewed, decided and compared
//! over the files on disk; only the policy's own files named, saves that do not cross a
//! change on disk, and the `admin` scope to save when the service has tokens. The page
//! itself is driven in a real browser by `web/tests/workbench.mjs`.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use charter::serve::{Clients, Options, Service, compile, router};
use serde_json::{Value, json};
use tower::ServiceExt;

/// A copy of the complaint office and the calendars it imports, in a folder of its own.
fn copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    for folder in ["complaint-office", "calendars"] {
        let to = dir.path().join(folder);
        std::fs::create_dir(&to).unwrap();
        for entry in std::fs::read_dir(Path::new("policies").join(folder)).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
    let policy = dir.path().join("complaint-office");
    (dir, policy)
}

fn options(policy: &Path) -> Options {
    Options {
        policy: policy.to_path_buf(),
        import_roots: Vec::new(),
        max_body: 1 << 20,
        max_batch_body: 1 << 20,
        max_batch_cases: 100,
        today: Some("2026-11-30".parse().unwrap()),
        request_timeout: Duration::from_secs(30),
        header_timeout: Duration::from_secs(10),
        max_concurrent_batches: 2,
        max_answers_memory: 64 << 20,
        tls: None,
        workbench: true,
    }
}

fn workbench(policy: &Path, clients: Option<Clients>) -> Arc<Service> {
    let live = compile(policy, 1).map_err(|(d, _)| d).unwrap();
    Service::build(live, options(policy), None, None, clients)
}

/// Runs `work` to its end on a runtime of its own.
fn block<F: std::future::Future>(work: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(work)
}

/// Sends `request` in process; a request not answered in 2 minutes fails the test.
fn respond(service: &Arc<Service>, request: Request<Body>) -> axum::response::Response {
    let said = format!("{} {}", request.method(), request.uri());
    let answered = router(Arc::clone(service)).oneshot(request);
    // The timer is made inside the runtime that drives it.
    block(async { tokio::time::timeout(Duration::from_secs(120), answered).await })
        .unwrap_or_else(|_| panic!("{said} was not answered"))
        .unwrap()
}

/// One request in process: (status, body).
fn ask(
    service: &Arc<Service>,
    method: &str,
    uri: &str,
    token: Option<&str>,
    body: Value,
) -> (StatusCode, String) {
    let body = if body.is_null() {
        Body::empty()
    } else {
        Body::from(body.to_string())
    };
    let response = respond(
        service,
        crate::serve::json_request(method, uri, token, body),
    );
    let status = response.status();
    let bytes = block(axum::body::to_bytes(response.into_body(), usize::MAX)).unwrap();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

/// `POST /workbench/check` of unsaved `files` (name to text), without a token: (status, body).
fn check(service: &Arc<Service>, files: Value) -> (StatusCode, String) {
    ask(
        service,
        "POST",
        "/workbench/check",
        None,
        json!({ "files": files }),
    )
}

/// A `POST /workbench/check` for `host`, with the body's `content_type` and maybe a token.
fn check_for(host: &str, content_type: &str, token: Option<&str>) -> Request<Body> {
    let mut request = Request::builder()
        .method("POST")
        .uri("/workbench/check")
        .header("host", host)
        .header("content-type", content_type);
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    request.body(Body::from("{}")).unwrap()
}

fn value(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

fn policy_text(policy: &Path) -> String {
    std::fs::read_to_string(policy.join("policy.charter")).unwrap()
}

#[test]
fn unsaved_text_is_checked_with_its_places_and_the_checkers_fix() {
    let (_dir, policy) = copy();
    let service = workbench(&policy, None);
    let (status, body) = ask(&service, "GET", "/workbench/files", None, Value::Null);
    assert_eq!(status, StatusCode::OK, "{body}");
    let listed = value(&body);
    assert_eq!(listed["files"][0]["name"], "policy.charter");
    let saved = policy_text(&policy);
    assert_eq!(listed["files"][0]["text"], saved.as_str());
    // Nothing unsaved: no errors, and the roles to preview.
    let (_, body) = check(&service, json!({}));
    let checked = value(&body);
    assert_eq!(checked["errors"], 0, "{body}");
    assert!(
        checked["roles"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["name"] == "office_director")
    );
    // A typo on line 68, after Chinese text: the place counts UTF-16 units as the editor does.
    let typo = saved.replace(
        "otherwise -> complaint_officer",
        "otherwise -> complaint_oficer",
    );
    let (status, body) = check(&service, json!({ "policy.charter": typo }));
    assert_eq!(status, StatusCode::OK, "{body}");
    let checked = value(&body);
    assert_eq!(checked["errors"], 1, "{body}");
    let problem = &checked["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["severity"] == "error")
        .unwrap();
    assert_eq!(
        (
            problem["code"].as_str(),
            problem["file"].as_str(),
            problem["line"].as_u64()
        ),
        (Some("E0006"), Some("policy.charter"), Some(68))
    );
    let units: Vec<u16> = typo.encode_utf16().collect();
    let (from, to) = (
        problem["from"].as_u64().unwrap() as usize,
        problem["to"].as_u64().unwrap() as usize,
    );
    assert_eq!(
        String::from_utf16(&units[from..to]).unwrap(),
        "complaint_oficer"
    );
    assert_eq!(problem["fix"]["insert"], "complaint_officer");
    // The file on disk is not touched by checking.
    assert_eq!(policy_text(&policy), saved);
}

#[test]
fn only_the_policys_own_files_are_named_and_saved() {
    let (dir, policy) = copy();
    let service = workbench(&policy, None);
    let calendar = dir.path().join("calendars/cn-2026.charter");
    let before = std::fs::read_to_string(&calendar).unwrap();
    for name in [
        "../calendars/cn-2026.charter",
        "/etc/passwd",
        "policy.charter/..",
        "Policy.charter",
        "",
    ] {
        let (status, body) = check(&service, json!({ name: "x" }));
        assert_eq!(status, StatusCode::BAD_REQUEST, "{name}: {body}");
        assert!(
            value(&body)["error"]
                .as_str()
                .unwrap()
                .contains("is not a file of this policy"),
            "{body}"
        );
        let (status, _) = ask(
            &service,
            "PUT",
            "/workbench/files",
            None,
            json!({ "name": name, "text": "x", "base": "" }),
        );
        assert_eq!(status, StatusCode::BAD_REQUEST, "{name}");
    }
    assert_eq!(std::fs::read_to_string(&calendar).unwrap(), before);
    // A body that is not what the endpoint takes is a 400 naming the problem.
    let (status, body) = ask(
        &service,
        "POST",
        "/workbench/check",
        None,
        json!({ "file": {} }),
    );
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("unknown field `file`"), "{body}");
}

#[test]
fn a_save_keeps_the_previous_text_and_never_crosses_a_change_on_disk() {
    let (_dir, policy) = copy();
    let service = workbench(&policy, None);
    let (_, body) = ask(&service, "GET", "/workbench/files", None, Value::Null);
    let base = value(&body)["files"][0]["digest"]
        .as_str()
        .unwrap()
        .to_string();
    let saved = policy_text(&policy);
    let edited = format!("# 已审阅\n{saved}");
    let (status, body) = ask(
        &service,
        "PUT",
        "/workbench/files",
        None,
        json!({ "name": "policy.charter", "text": edited, "base": base }),
    );
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(policy_text(&policy), edited);
    assert_eq!(
        std::fs::read_to_string(policy.join("policy.charter.bak")).unwrap(),
        saved
    );
    // A file of several megabytes (here 3 MB of comments) is saved too: the body limit is
    // the policy loader's, not axum's 2 MB.
    let (_, body) = ask(&service, "GET", "/workbench/files", None, Value::Null);
    let current = value(&body)["files"][0]["digest"]
        .as_str()
        .unwrap()
        .to_string();
    let large = format!("{edited}{}", "# 注释 comment\n".repeat(150_000));
    let (status, body) = ask(
        &service,
        "PUT",
        "/workbench/files",
        None,
        json!({ "name": "policy.charter", "text": large, "base": current }),
    );
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(policy_text(&policy), large);
    std::fs::write(policy.join("policy.charter"), &edited).unwrap();
    // Saving again from the first text's digest: the file changed since, so 409, and the
    // digest of what is on disk now.
    let (status, body) = ask(
        &service,
        "PUT",
        "/workbench/files",
        None,
        json!({ "name": "policy.charter", "text": "lost", "base": base }),
    );
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let refused = value(&body);
    assert!(
        refused["error"]
            .as_str()
            .unwrap()
            .contains("changed on disk"),
        "{body}"
    );
    assert_eq!(
        refused["digest"],
        value(&ask(&service, "GET", "/workbench/files", None, Value::Null).1)["files"][0]["digest"]
    );
    assert_eq!(policy_text(&policy), edited);
}

#[test]
fn documents_decisions_and_changes_come_from_the_unsaved_text() {
    let (_dir, policy) = copy();
    let service = workbench(&policy, None);
    let saved = policy_text(&policy);
    let edited = saved
        .replace(
            "\"投诉办主任\" en \"Complaint office director\"",
            "\"投诉部主任\" en \"Complaint department director\"",
        )
        .replace("amount > 5000 -> coordinator", "amount > 50 -> coordinator");
    assert_ne!(edited, saved);
    let files = json!({ "policy.charter": edited });
    let (status, html) = ask(
        &service,
        "POST",
        "/workbench/render",
        None,
        json!({ "files": files, "kind": "role", "id": "office_director", "lang": "en" }),
    );
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(
        html.contains("Complaint department director"),
        "the unsaved title"
    );
    let (status, md) = ask(
        &service,
        "POST",
        "/workbench/render",
        None,
        json!({ "files": {}, "kind": "org-chart", "lang": "zh", "format": "md" }),
    );
    assert_eq!(status, StatusCode::OK);
    assert!(md.contains("投诉办主任"), "the saved title");
    let (status, body) = ask(
        &service,
        "POST",
        "/workbench/render",
        None,
        json!({ "files": {}, "kind": "role", "id": "nobody" }),
    );
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    // The same case under the saved text and under the edited one.
    let case: Value = value(
        &std::fs::read_to_string("examples/cases/complaint-office/just-received.json").unwrap(),
    );
    let now = "2026-11-30T12:00:00+08:00";
    let (_, body) = ask(
        &service,
        "POST",
        "/workbench/decide",
        None,
        json!({ "files": {}, "case": case, "now": now }),
    );
    let before = value(&body);
    let (engine, _) = charter::load::engine(&policy)
        .map_err(|(e, _)| e.to_string())
        .unwrap();
    let decided = engine
        .decide(
            &charter::decide::Case::from_json(&case.to_string()).unwrap(),
            charter::decide::Timestamp::parse(now).unwrap().secs,
        )
        .unwrap();
    let mut expected = Vec::new();
    decided.write_json(&mut expected);
    assert_eq!(
        before["decision"],
        value(std::str::from_utf8(&expected).unwrap()),
        "the engine's own decision"
    );
    assert!(
        before["explain"].as_str().unwrap().contains("route rule"),
        "{body}"
    );
    let (_, body) = ask(
        &service,
        "POST",
        "/workbench/decide",
        None,
        json!({ "files": files, "case": case, "now": now }),
    );
    let after = value(&body);
    assert_eq!(before["decision"]["route"]["role"], "complaint_officer");
    assert_eq!(
        after["decision"]["route"]["role"], "coordinator",
        "amount 100 > 50 under the edited text"
    );
    // The change in words, as `charter diff` says it.
    let (_, body) = ask(
        &service,
        "POST",
        "/workbench/diff",
        None,
        json!({ "files": files, "lang": "en" }),
    );
    let diff = value(&body);
    assert_eq!(diff["changed"], true, "{body}");
    assert!(
        diff["text"].as_str().unwrap().contains("coordinator"),
        "{body}"
    );
    let (_, body) = ask(
        &service,
        "POST",
        "/workbench/diff",
        None,
        json!({ "files": {}, "lang": "en" }),
    );
    assert_eq!(value(&body)["changed"], false, "{body}");
    // A case the policy cannot read, and a policy with errors: 422 with what to do.
    let (status, body) = ask(
        &service,
        "POST",
        "/workbench/decide",
        None,
        json!({ "files": {}, "case": { "id": "x" }, "now": now }),
    );
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let broken = json!({ "policy.charter": saved.replace("-> complaint_officer", "-> nobody") });
    let (status, body) = ask(
        &service,
        "POST",
        "/workbench/decide",
        None,
        json!({ "files": broken, "case": case, "now": now }),
    );
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("mend them first"), "{body}");
}

#[test]
fn with_tokens_the_page_is_open_reading_needs_a_token_and_saving_the_admin_scope() {
    let (dir, policy) = copy();
    let mut lines = String::new();
    let mut tokens = Vec::new();
    for (name, scopes) in [("reader", "read"), ("boss", "admin")] {
        let (token, line) = charter::serve::new_token(name, scopes).unwrap();
        lines.push_str(&line);
        lines.push('\n');
        tokens.push(token);
    }
    std::fs::write(dir.path().join("tokens"), lines).unwrap();
    let clients = Clients::read(&dir.path().join("tokens")).unwrap();
    let service = workbench(&policy, Some(clients));
    let (status, page) = ask(&service, "GET", "/", None, Value::Null);
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("/assets/app.js"), "{page}");
    let (status, _) = ask(&service, "GET", "/assets/app.js", None, Value::Null);
    assert_eq!(status, StatusCode::OK);
    let (status, _) = ask(&service, "POST", "/workbench/check", None, json!({}));
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, body) = ask(
        &service,
        "GET",
        "/workbench/files",
        Some(&tokens[0]),
        Value::Null,
    );
    assert_eq!(status, StatusCode::OK, "{body}");
    let base = value(&body)["files"][0]["digest"]
        .as_str()
        .unwrap()
        .to_string();
    let save = json!({ "name": "policy.charter", "text": "# saved\n", "base": base });
    let (status, body) = ask(
        &service,
        "PUT",
        "/workbench/files",
        Some(&tokens[0]),
        save.clone(),
    );
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body.contains("admin"), "{body}");
    assert_ne!(policy_text(&policy), "# saved\n");
    let (status, body) = ask(&service, "PUT", "/workbench/files", Some(&tokens[1]), save);
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(policy_text(&policy), "# saved\n");
}

#[test]
fn without_the_flag_there_is_no_workbench() {
    let (_dir, policy) = copy();
    let live = compile(&policy, 1).map_err(|(d, _)| d).unwrap();
    let service = Service::build(
        live,
        Options {
            workbench: false,
            ..options(&policy)
        },
        None,
        None,
        None,
    );
    for (method, uri) in [
        ("GET", "/"),
        ("GET", "/workbench/files"),
        ("POST", "/workbench/check"),
    ] {
        let (status, _) = ask(&service, method, uri, None, json!({}));
        assert_eq!(status, StatusCode::NOT_FOUND, "{method} {uri}");
    }
}

#[test]
fn requests_from_other_sites_are_refused() {
    let (_dir, policy) = copy();
    let service = workbench(&policy, None);
    let send = |host: &str, content_type: &str| -> StatusCode {
        respond(&service, check_for(host, content_type, None)).status()
    };
    // A name pointed at this machine by another site (DNS rebinding): 403.
    assert_eq!(
        send("evil.example:7979", "application/json"),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        send("localhost.evil.example", "application/json"),
        StatusCode::FORBIDDEN
    );
    for host in [
        "127.0.0.1:7979",
        "localhost:7979",
        "LOCALHOST",
        "[::1]:7979",
        "10.0.0.5",
    ] {
        assert_eq!(send(host, "application/json"), StatusCode::OK, "{host}");
    }
    // A body a form of another site could send without asking: 415.
    assert_eq!(
        send("127.0.0.1:7979", "text/plain"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );
    // With tokens, names are the clients' business.
    let dir = tempfile::tempdir().unwrap();
    let (token, line) = charter::serve::new_token("reader", "read").unwrap();
    std::fs::write(dir.path().join("tokens"), format!("{line}\n")).unwrap();
    let shared = workbench(
        &policy,
        Some(Clients::read(&dir.path().join("tokens")).unwrap()),
    );
    let status = respond(
        &shared,
        check_for("workbench.example.org", "application/json", Some(&token)),
    )
    .status();
    assert_eq!(status, StatusCode::OK);
}

#[test]
fn a_shared_workbench_needs_tokens_and_the_page_is_not_framed() {
    let out = assert_cmd::Command::new(env!("CARGO_BIN_EXE_charter"))
        .args([
            "serve",
            "--policy",
            "policies/complaint-office",
            "--workbench",
            "--addr",
            "0.0.0.0:0",
            "--insecure",
        ])
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("--workbench writes the policy's files"),
        "{stderr}"
    );
    // The page may not be put in another site's frame.
    let (_dir, policy) = copy();
    let service = workbench(&policy, None);
    let request = Request::builder().uri("/").body(Body::empty()).unwrap();
    let headers = respond(&service, request).headers().clone();
    let policy_header = headers["content-security-policy"].to_str().unwrap();
    assert!(
        policy_header.contains("frame-ancestors 'none'"),
        "{policy_header}"
    );
    assert_eq!(headers["x-frame-options"], "DENY");
}

#[test]
fn a_place_in_an_imported_file_is_named_but_not_offered_for_editing() {
    let (_dir, policy) = copy();
    let service = workbench(&policy, None);
    // An error in the imported calendar, reached through the policy.
    let calendar = policy.parent().unwrap().join("calendars/cn-2026.charter");
    let text = std::fs::read_to_string(&calendar).unwrap();
    std::fs::write(
        &calendar,
        text.replacen("calendar ", "calendar calendar ", 1),
    )
    .unwrap();
    let (_, body) = check(&service, json!({}));
    let checked = value(&body);
    let outside: Vec<&Value> = (checked["diagnostics"].as_array().unwrap().iter())
        .filter(|d| d.get("source").is_some())
        .collect();
    assert!(!outside.is_empty(), "{body}");
    for d in outside {
        assert!(d.get("file").is_none() && d.get("fix").is_none(), "{d}");
        assert!(
            d["source"].as_str().unwrap().ends_with("cn-2026.charter"),
            "{d}"
        );
    }
}
