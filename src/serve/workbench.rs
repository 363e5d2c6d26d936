//! The policy workbench: a page for HR and compliance staff that edits the policy's files,
//! checks the unsaved text as it is typed, previews its documents, tries a case and saves
//! (`charter workbench POLICY`, or `charter serve --workbench`).
//!
//! The page (built from `web/` into `workbench/dist`, embedded in the binary) sends the
//! texts of the files it has open with every request; the server compiles them over the
//! files on disk with the same loader, checker, renderer and engine as the command line.
//! Nothing the browser sends is a path: files are named as [`Workbench::files`] lists them.

mod assets;
mod files;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::check::{Checked, Policy};
use crate::diagnostic::{Diagnostic, Severity};
use crate::render::{Lang, TextFormat};
use crate::syntax::Loaded;

pub use files::{Editable, Refused, digest};

/// A workbench on one policy.
pub struct Workbench {
    /// The policy path as given (file or folder).
    policy: PathBuf,
    /// The folders its imports may read from.
    roots: Vec<PathBuf>,
    /// The files it may edit.
    files: Vec<Editable>,
    /// Held while a file is saved, so that two saves do not cross.
    saving: Mutex<()>,
    /// Whether a request may name any host (the service has tokens); otherwise only
    /// `localhost` or an IP address, so that a web page whose name is made to point at this
    /// machine (DNS rebinding) cannot read or write the policy.
    any_host: bool,
}

impl Workbench {
    /// A workbench on the policy at `policy` (its `.charter` files), with imports confined
    /// to `roots`. The policy need not compile: it is there to be mended.
    pub fn open(policy: &Path, roots: Vec<PathBuf>) -> Result<Workbench, String> {
        let files = files::editable(policy)?;
        Ok(Workbench {
            policy: policy.to_path_buf(),
            roots,
            files,
            saving: Mutex::new(()),
            any_host: false,
        })
    }

    /// Answers requests for any host name: for a service whose clients hold tokens.
    #[must_use]
    pub fn answering_any_host(mut self) -> Workbench {
        self.any_host = true;
        self
    }

    /// The files it edits.
    pub fn files(&self) -> &[Editable] {
        &self.files
    }

    fn file(&self, name: &str) -> Result<&Editable, Response> {
        (self.files.iter()).find(|f| f.name == name).ok_or_else(|| {
            let known: Vec<&str> = self.files.iter().map(|f| f.name.as_str()).collect();
            refuse(
                StatusCode::BAD_REQUEST,
                format!(
                    "`{name}` is not a file of this policy; the workbench edits {}",
                    known.join(", ")
                ),
            )
        })
    }

    /// The policy with the browser's unsaved `texts` over the files on disk, checked.
    fn compile(&self, texts: &BTreeMap<String, String>) -> Result<Compiled, Response> {
        let mut unsaved: HashMap<PathBuf, String> = HashMap::new();
        for (name, text) in texts {
            unsaved.insert(self.file(name)?.path.clone(), text.clone());
        }
        Ok(self.compile_over(&unsaved))
    }

    /// The policy as saved on disk, checked.
    fn compile_saved(&self) -> Compiled {
        self.compile_over(&HashMap::new())
    }

    /// The policy with `unsaved` texts (by canonical path) over the files on disk, checked.
    fn compile_over(&self, unsaved: &HashMap<PathBuf, String>) -> Compiled {
        let loaded = crate::syntax::load_overlay(&self.policy, &self.roots, &|path| {
            unsaved.get(path).cloned()
        });
        let checked = crate::check::check(&loaded);
        Compiled {
            names: self.names(&loaded),
            loaded,
            checked,
            lines: std::cell::RefCell::default(),
        }
    }

    /// The workbench's name of each loaded file it edits.
    fn names(&self, loaded: &Loaded) -> HashMap<u32, String> {
        (loaded.sources.ids())
            .filter_map(|id| {
                let path = Path::new(loaded.sources.path(id));
                let canonical = path.canonicalize().ok()?;
                let file = self.files.iter().find(|f| f.path == canonical)?;
                Some((id.0, file.name.clone()))
            })
            .collect()
    }
}

/// A compiled overlay.
struct Compiled {
    loaded: Loaded,
    checked: Checked,
    /// Workbench names by file id, for the files it edits.
    names: HashMap<u32, String>,
    /// Per file id: the byte and UTF-16 offsets of each line's start, made when first asked.
    lines: std::cell::RefCell<HashMap<u32, Vec<(usize, usize)>>>,
}

impl Compiled {
    /// The version shown: the one that takes effect last.
    fn latest(&self) -> Option<&Policy> {
        (self.checked.versions.iter()).max_by_key(|p| p.effective)
    }

    /// A diagnostic for the page: where (its file's workbench name, line and column, and
    /// UTF-16 offsets into the file's text as the editor counts them) and the fix the
    /// checker suggests, if any. A place in a file the workbench does not edit (an imported
    /// calendar) keeps its path as `source`, and has no `file`.
    fn diagnostic(&self, d: &Diagnostic) -> Value {
        let mut value = d.to_json(&self.loaded.sources);
        if let (Some(span), Some(map)) = (d.span, value.as_object_mut()) {
            let (from, to) = (
                self.utf16(span.file, span.start),
                self.utf16(span.file, span.end),
            );
            map.insert("from".into(), from.into());
            map.insert("to".into(), to.into());
            match self.names.get(&span.file.0) {
                Some(name) => {
                    map.insert("file".into(), name.clone().into());
                }
                None => {
                    if let Some(path) = map.remove("file") {
                        map.insert("source".into(), path);
                    }
                    return value;
                }
            }
            let better = (d.label.as_deref())
                .and_then(|l| l.strip_prefix("did you mean `"))
                .and_then(|l| l.strip_suffix("`?"));
            if let Some(better) = better {
                map.insert(
                    "fix".into(),
                    json!({ "from": from, "to": to, "insert": better, "title": format!("`{better}`") }),
                );
            }
        }
        value
    }

    /// The UTF-16 offset of byte `offset` of a file: from the start of its line, found in a
    /// table of line starts made once per file.
    fn utf16(&self, file: crate::source::FileId, offset: u32) -> usize {
        let text = self.loaded.sources.text(file);
        let mut tables = self.lines.borrow_mut();
        let table = tables.entry(file.0).or_insert_with(|| {
            let mut table = vec![(0usize, 0usize)];
            let mut units = 0;
            for (at, c) in text.char_indices() {
                units += c.len_utf16();
                if c == '\n' {
                    table.push((at + 1, units));
                }
            }
            table
        });
        let offset = (offset as usize).min(text.len());
        let offset = (0..=offset)
            .rev()
            .find(|&i| text.is_char_boundary(i))
            .unwrap_or(0);
        let line = table
            .partition_point(|&(start, _)| start <= offset)
            .saturating_sub(1);
        let (start, units) = table[line];
        units + text[start..offset].encode_utf16().count()
    }
}

/// The workbench's routes: the page and its API. Every route but the page's own is under
/// `/workbench/`.
pub fn router(workbench: Arc<Workbench>) -> Router {
    let guarded = Arc::clone(&workbench);
    Router::new()
        .route("/", get(assets::index))
        .route("/assets/{file}", get(assets::asset))
        .route("/workbench/files", get(list).put(save))
        .route("/workbench/check", post(check))
        .route("/workbench/format", post(format))
        .route("/workbench/render", post(render))
        .route("/workbench/decide", post(decide))
        .route("/workbench/form", post(form))
        .route("/workbench/diff", post(diff))
        .route_layer(axum::middleware::from_fn_with_state(guarded, guard))
        // Room for a policy file as large as the loader reads, as JSON text (every character
        // escaped at worst doubles it), where axum's default is 2 MB.
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY))
        .with_state(workbench)
}

/// The largest request body the workbench takes.
pub const MAX_BODY: usize = 2 * crate::syntax::MAX_FILE as usize + (64 << 10);

/// Refuses a request for a host name other than `localhost` or an IP address (403; unless
/// the service has tokens), and a body that does not say it is JSON (415): a page of another
/// site can send neither without the browser asking first, and the workbench never agrees.
async fn guard(
    State(workbench): State<Arc<Workbench>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    if !workbench.any_host {
        let host = (request.headers().get(header::HOST))
            .and_then(|h| h.to_str().ok())
            .or_else(|| {
                request
                    .uri()
                    .authority()
                    .map(axum::http::uri::Authority::as_str)
            });
        if let Some(host) = host
            && !is_local_name(host)
        {
            return refuse(
                StatusCode::FORBIDDEN,
                format!(
                    "the workbench answers requests for localhost or an IP address, not `{host}`; to serve it under a name, give the service --tokens"
                ),
            );
        }
    }
    let has_body = matches!(
        *request.method(),
        axum::http::Method::POST | axum::http::Method::PUT
    );
    let json = (request.headers().get(header::CONTENT_TYPE))
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("application/json")
        });
    if has_body && !json {
        return refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "send the request's body as JSON, with `content-type: application/json`",
        );
    }
    next.run(request).await
}

/// `localhost`, or an IP address, with or without a port.
fn is_local_name(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        // `[::1]` or `[::1]:7979`, nothing else after the bracket.
        Some(rest) => {
            return rest.split_once(']').is_some_and(|(ip, after)| {
                ip.parse::<std::net::Ipv6Addr>().is_ok()
                    && (after.is_empty()
                        || after.strip_prefix(':').is_some_and(|port| {
                            !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit())
                        }))
            });
        }
        None => host.rsplit_once(':').map_or(host, |(name, port)| {
            if port.bytes().all(|b| b.is_ascii_digit()) {
                name
            } else {
                host
            }
        }),
    };
    name.eq_ignore_ascii_case("localhost") || name.parse::<std::net::IpAddr>().is_ok()
}

/// The service's own JSON error, `{"error": …}`.
fn refuse(status: StatusCode, message: impl Into<String>) -> Response {
    super::error(status, message, json!({}))
}

/// A request's JSON body; 400 naming what is wrong with it.
fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, Response> {
    serde_json::from_slice(body).map_err(|e| {
        refuse(
            StatusCode::BAD_REQUEST,
            format!("the request's body is not what this endpoint takes: {e}"),
        )
    })
}

/// Runs `work` off the async workers: compiling is blocking work.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Response> {
    tokio::task::spawn_blocking(work).await.map_err(|e| {
        refuse(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("the work failed: {e}"),
        )
    })
}

/// Flattens a blocking result whose work answers either way.
fn answer(result: Result<Result<Value, Response>, Response>) -> Response {
    match result {
        Ok(Ok(value)) => (StatusCode::OK, super::json_headers(), value.to_string()).into_response(),
        Ok(Err(response)) | Err(response) => response,
    }
}

/// `GET /workbench/files`: the policy's files, their text and digest.
async fn list(State(workbench): State<Arc<Workbench>>) -> Response {
    answer(
        blocking(move || {
            let mut out = Vec::new();
            for file in workbench.files() {
                let bytes = std::fs::read(&file.path).map_err(|e| {
                    refuse(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        format!("{}: cannot read: {e}", file.name),
                    )
                })?;
                out.push(json!({
                    "name": file.name,
                    "digest": digest(&bytes),
                    "text": String::from_utf8_lossy(&bytes),
                }));
            }
            Ok(json!({ "policy": workbench.policy.display().to_string(), "files": out }))
        })
        .await,
    )
}

/// A save: the file, its new text, and the digest of the text it was edited from.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Save {
    name: String,
    text: String,
    base: String,
}

/// `PUT /workbench/files`: saves one file, unless it changed on disk meanwhile (409).
async fn save(State(workbench): State<Arc<Workbench>>, body: Bytes) -> Response {
    let request: Save = match parse(&body) {
        Ok(request) => request,
        Err(response) => return response,
    };
    answer(
        blocking(move || {
            let file = workbench.file(&request.name)?.clone();
            let _held = workbench.saving.lock().unwrap_or_else(|e| e.into_inner());
            match files::save(&file, &request.text, &request.base) {
                Ok(digest) => Ok(json!({ "name": file.name, "digest": digest })),
                Err(Refused::Changed { digest }) => Err(super::error(
                    StatusCode::CONFLICT,
                    format!("{} changed on disk since it was opened; reload it (your text stays in the editor) and save again", file.name),
                    json!({ "digest": digest }),
                )),
                Err(Refused::Io(message)) => Err(refuse(StatusCode::INTERNAL_SERVER_ERROR, message)),
            }
        })
        .await,
    )
}

/// The unsaved texts of the files open in the browser, by workbench name.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Texts {
    #[serde(default)]
    files: BTreeMap<String, String>,
}

/// `POST /workbench/check`: the diagnostics and lint findings of the unsaved texts, and the
/// roles and procedures there are documents of.
async fn check(State(workbench): State<Arc<Workbench>>, body: Bytes) -> Response {
    let request: Texts = match parse(&body) {
        Ok(request) => request,
        Err(response) => return response,
    };
    answer(
        blocking(move || {
            let started = Instant::now();
            let mut compiled = workbench.compile(&request.files)?;
            let today = chrono::Local::now().date_naive();
            let ending = crate::check::calendars_ending(&compiled.checked, today);
            compiled.checked.diagnostics.extend(ending);
            let diagnostics: Vec<Value> = (compiled.checked.diagnostics.iter())
                .map(|d| compiled.diagnostic(d))
                .collect();
            let lint: Vec<Value> = match compiled.latest() {
                Some(policy) if !compiled.checked.has_errors() => (crate::analyse::lint(policy)
                    .iter())
                .map(|d| compiled.diagnostic(d))
                .collect(),
                _ => Vec::new(),
            };
            let errors = (compiled.checked.diagnostics.iter())
                .filter(|d| d.severity == Severity::Error)
                .count();
            let latest = compiled.latest();
            let roles: Vec<Value> = latest.map_or_else(Vec::new, |p| {
                (p.roles.iter())
                    .map(|r| json!({ "name": r.named.name, "label": r.named.label }))
                    .collect()
            });
            let procedures: Vec<Value> = latest.map_or_else(Vec::new, |p| {
                (p.procedures.iter())
                    .map(|r| json!({ "name": r.named.name, "label": r.named.label }))
                    .collect()
            });
            let versions: Vec<Value> = (compiled.checked.versions.iter())
                .map(|p| json!({ "name": p.name, "version": p.version, "effective": p.effective }))
                .collect();
            Ok(json!({
                "errors": errors,
                "diagnostics": diagnostics,
                "lint": lint,
                "versions": versions,
                "roles": roles,
                "procedures": procedures,
                "elapsed_ms": started.elapsed().as_secs_f64() * 1000.0,
            }))
        })
        .await,
    )
}

/// One text to format.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FormatRequest {
    text: String,
}

/// `POST /workbench/format`: the text as `charter fmt` writes it; 422 when it does not parse.
async fn format(body: Bytes) -> Response {
    let request: FormatRequest = match parse(&body) {
        Ok(request) => request,
        Err(response) => return response,
    };
    answer(
        blocking(move || match crate::format::format_text(&request.text) {
            Ok(text) => Ok(json!({ "text": text })),
            Err(errors) => Err(refuse(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!(
                    "the text does not parse, so it is not formatted: {}",
                    errors.first().map(ToString::to_string).unwrap_or_default()
                ),
            )),
        })
        .await,
    )
}

fn language(lang: Option<&str>) -> Result<Lang, Response> {
    match lang.unwrap_or("zh") {
        "zh" => Ok(Lang::Zh),
        "en" => Ok(Lang::En),
        other => Err(refuse(
            StatusCode::BAD_REQUEST,
            format!("`{other}` is not a language of the documents: zh or en"),
        )),
    }
}

/// The policy does not compile: what to say instead of a preview or a decision.
fn not_compiled(compiled: &Compiled) -> Response {
    let errors = (compiled.checked.diagnostics.iter())
        .filter(|d| d.severity == Severity::Error)
        .count();
    refuse(
        StatusCode::UNPROCESSABLE_ENTITY,
        format!("the policy has {errors} error(s); mend them first (see the list of problems)"),
    )
}

/// A document to preview or download.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RenderRequest {
    #[serde(default)]
    files: BTreeMap<String, String>,
    /// `role`, `procedure` or `org-chart`.
    kind: String,
    /// The role or procedure.
    id: Option<String>,
    lang: Option<String>,
    /// `html` (default), `md` or `docx`.
    format: Option<String>,
}

/// `POST /workbench/render`: a document of the unsaved policy's latest version, as `charter
/// doc` writes it.
async fn render(State(workbench): State<Arc<Workbench>>, body: Bytes) -> Response {
    let request: RenderRequest = match parse(&body) {
        Ok(request) => request,
        Err(response) => return response,
    };
    let result = blocking(move || -> Result<Response, Response> {
        let lang = language(request.lang.as_deref())?;
        let compiled = workbench.compile(&request.files)?;
        if compiled.checked.has_errors() {
            return Err(not_compiled(&compiled));
        }
        let Some(policy) = compiled.latest() else {
            return Err(not_compiled(&compiled));
        };
        let missing = |what: &str, id: &str| {
            refuse(
                StatusCode::NOT_FOUND,
                format!("the policy has no {what} `{id}`"),
            )
        };
        let mut document = match (request.kind.as_str(), request.id.as_deref()) {
            ("role", Some(id)) => {
                let index = (policy.roles.iter())
                    .position(|r| r.named.name == id)
                    .ok_or_else(|| missing("role", id))?;
                crate::render::position_description(policy, index, lang)
            }
            ("procedure", id) => {
                let index = match id {
                    None | Some("") => None,
                    Some(id) => Some(
                        (policy.procedures.iter())
                            .position(|p| p.named.name == id)
                            .ok_or_else(|| missing("procedure", id))?,
                    ),
                };
                crate::render::procedure(policy, index, lang)
            }
            ("org-chart", _) => crate::render::org_chart(policy, lang),
            (kind, _) => {
                return Err(refuse(
                    StatusCode::BAD_REQUEST,
                    format!(
                        "`{kind}` is not a document: role (with its id), procedure or org-chart"
                    ),
                ));
            }
        };
        if let Some(control) = document.control.as_mut() {
            let mut versions: Vec<&Policy> = compiled.checked.versions.iter().collect();
            versions.sort_by_key(|p| p.effective);
            control.revisions = crate::render::revisions(versions, policy, lang);
        }
        let failed = |e: String| refuse(StatusCode::INTERNAL_SERVER_ERROR, e);
        match request.format.as_deref().unwrap_or("html") {
            "html" => {
                let text = document
                    .render(TextFormat::Html, None)
                    .map_err(|e| failed(e.message))?;
                Ok(([(header::CONTENT_TYPE, "text/html; charset=utf-8")], text).into_response())
            }
            "md" => {
                let text = document
                    .render(TextFormat::Markdown, None)
                    .map_err(|e| failed(e.message))?;
                Ok((
                    [(header::CONTENT_TYPE, "text/markdown; charset=utf-8")],
                    text,
                )
                    .into_response())
            }
            #[cfg(feature = "docx")]
            "docx" => {
                let bytes = crate::render::to_docx(&document, None).map_err(failed)?;
                Ok((
                    [(
                        header::CONTENT_TYPE,
                        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                    )],
                    bytes,
                )
                    .into_response())
            }
            other => Err(refuse(
                StatusCode::BAD_REQUEST,
                format!("`{other}` is not a format the workbench writes: html, md or docx"),
            )),
        }
    })
    .await;
    match result {
        Ok(Ok(response) | Err(response)) | Err(response) => response,
    }
}

/// A case to try.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DecideRequest {
    #[serde(default)]
    files: BTreeMap<String, String>,
    case: Value,
    /// RFC 3339; default now.
    now: Option<String>,
}

/// `POST /workbench/decide`: the unsaved policy's decision of a case, with its explanation.
async fn decide(State(workbench): State<Arc<Workbench>>, body: Bytes) -> Response {
    let request: DecideRequest = match parse(&body) {
        Ok(request) => request,
        Err(response) => return response,
    };
    answer(
        blocking(move || {
            let now = match request.now.as_deref().filter(|t| !t.is_empty()) {
                Some(text) => {
                    crate::decide::Timestamp::parse(text)
                        .map_err(|e| refuse(StatusCode::BAD_REQUEST, format!("now: {e}")))?
                        .secs
                }
                None => chrono::Utc::now().timestamp(),
            };
            let compiled = workbench.compile(&request.files)?;
            if compiled.checked.has_errors() {
                return Err(not_compiled(&compiled));
            }
            let engine = crate::decide::Engine::new(compiled.checked)
                .map_err(|e| refuse(StatusCode::UNPROCESSABLE_ENTITY, e.to_string()))?;
            let case = crate::decide::Case::from_json(&request.case.to_string()).map_err(|e| {
                refuse(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    format!("{} ({})", e, e.code.code()),
                )
            })?;
            let decision = engine.decide(&case, now).map_err(|e| {
                refuse(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    format!("{e} ({})", e.code().code()),
                )
            })?;
            let mut out = Vec::with_capacity(4096);
            decision.write_json(&mut out);
            let value: Value = serde_json::from_slice(&out)
                .map_err(|e| refuse(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
            Ok(json!({ "decision": value, "explain": decision.explain_text() }))
        })
        .await,
    )
}

/// `POST /workbench/form`: what a case of the unsaved policy may hold, for the form that
/// tries one: channels, categories, severities, fields, attributes, events and targets.
async fn form(State(workbench): State<Arc<Workbench>>, body: Bytes) -> Response {
    let request: Texts = match parse(&body) {
        Ok(request) => request,
        Err(response) => return response,
    };
    answer(
        blocking(move || {
            let compiled = workbench.compile(&request.files)?;
            let Some(policy) = compiled.latest() else {
                return Err(not_compiled(&compiled));
            };
            let named = |list: &[crate::check::Named]| -> Vec<Value> {
                list.iter().map(|n| json!({ "name": n.name, "label": n.label })).collect()
            };
            let channels: Vec<Value> = (policy.channels.iter())
                .map(|c| json!({ "name": c.named.name, "label": c.named.label }))
                .collect();
            let fields: Vec<Value> = (policy.fields.iter())
                .map(|f| json!({ "name": f.named.name, "label": f.named.label, "required": f.required, "personal": f.personal }))
                .collect();
            let attributes: Vec<Value> = (policy.attributes.iter())
                .map(|a| json!({ "name": a.named.name, "label": a.named.label, "type": a.ty }))
                .collect();
            let mut events: Vec<String> = crate::check::KNOWN_EVENTS.iter().map(|e| (*e).to_string()).collect();
            for event in &policy.events {
                if !events.contains(&event.name) {
                    events.push(event.name.clone());
                }
            }
            let targets: Vec<String> = (policy.slas.iter())
                .flat_map(|s| &s.targets)
                .map(|t| t.name.clone())
                .collect();
            let roles: Vec<Value> = (policy.roles.iter())
                .map(|r| json!({ "name": r.named.name, "label": r.named.label }))
                .collect();
            Ok(json!({
                "timezone": policy.timezone.name(),
                "roles": roles,
                "channels": channels,
                "categories": named(&policy.categories),
                "severities": named(&policy.severities),
                "fields": fields,
                "attributes": attributes,
                "events": events,
                "targets": targets,
            }))
        })
        .await,
    )
}

/// The change to show.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DiffRequest {
    #[serde(default)]
    files: BTreeMap<String, String>,
    lang: Option<String>,
}

/// `POST /workbench/diff`: what the unsaved text changes in the policy's latest version, in
/// words, as `charter diff` says it.
async fn diff(State(workbench): State<Arc<Workbench>>, body: Bytes) -> Response {
    let request: DiffRequest = match parse(&body) {
        Ok(request) => request,
        Err(response) => return response,
    };
    answer(
        blocking(move || {
            let lang = language(request.lang.as_deref())?;
            let saved = workbench.compile_saved();
            let edited = workbench.compile(&request.files)?;
            if edited.checked.has_errors() {
                return Err(not_compiled(&edited));
            }
            let (Some(old), Some(new)) = (saved.latest(), edited.latest()) else {
                return Ok(json!({ "changed": false, "text": "", "saved_compiles": false }));
            };
            if saved.checked.has_errors() {
                return Ok(json!({ "changed": true, "text": "", "saved_compiles": false }));
            }
            let diff = crate::diff::compare(
                &crate::diff::Version::of(&saved.loaded, old),
                &crate::diff::Version::of(&edited.loaded, new),
                lang,
            );
            let document = crate::diff::document(&diff, lang);
            Ok(json!({
                "changed": diff.behavioural(),
                "text": crate::diff::plain(&document),
                "saved_compiles": true,
            }))
        })
        .await,
    )
}
