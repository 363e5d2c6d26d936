//! `charter._charter`: the engine for Python. The package `charter` (src/charter) wraps it:
//! cases go in and decisions come out as JSON text here, as dicts there, so that a decision
//! is byte for byte the one `charter decide` prints. The GIL is released while deciding.

use std::path::PathBuf;

use charter::decide::batch::{BatchOptions, Input, Record, map_batch, run_batch_with};
use charter::decide::{Case, DecideError, Decision, Engine, ReadError, Timestamp};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyIterator;

mod columns;
mod stream;
use columns::{Strings, Times};

/// An exception of the Python package (`charter.errors`), made with `args`.
fn raise(py: Python<'_>, class: &str, details: String) -> PyErr {
    let made = py
        .import("charter.errors")
        .and_then(|errors| errors.getattr(class))
        .and_then(|class| class.call1((details,)));
    match made {
        Ok(error) => PyErr::from_value(error),
        Err(e) => e,
    }
}

fn case_error(py: Python<'_>, e: &ReadError) -> PyErr {
    let (line, column) = e.line_col.unzip();
    let details = serde_json::json!({
        "message": e.to_string(),
        "code": e.code.code(),
        "field": (!e.field.is_empty()).then_some(&e.field),
        "line": line,
        "column": column,
    });
    raise(py, "CaseError", details.to_string())
}

fn decide_error(py: Python<'_>, e: &DecideError, id: &str) -> PyErr {
    let details = serde_json::json!({
        "message": e.to_string(),
        "code": e.code().code(),
        "field": e.field(),
        "case": id,
    });
    raise(py, "CaseError", details.to_string())
}

/// The evaluation instant: RFC 3339 text, or the clock's now.
fn instant(now: Option<&str>) -> PyResult<i64> {
    match now {
        None => Ok(chrono::Utc::now().timestamp()),
        Some(text) => Timestamp::parse(text)
            .map(|t| t.secs)
            .map_err(|e| PyValueError::new_err(format!("now: {e}"))),
    }
}

/// The diagnostics of the policy at `path` (errors and warnings), as JSON objects, and the
/// errors rendered as the compiler prints them.
fn diagnostics(path: &std::path::Path) -> (Vec<serde_json::Value>, String) {
    let loaded = charter::syntax::load_within(path, &[charter::syntax::import_root(path)]);
    diagnostics_of(&loaded)
}

/// The diagnostics of a policy of one text, named `policy.charter`.
fn text_diagnostics(text: &str) -> (Vec<serde_json::Value>, String) {
    diagnostics_of(&charter::syntax::load_sources(&[("policy.charter", text)]))
}

fn diagnostics_of(loaded: &charter::syntax::Loaded) -> (Vec<serde_json::Value>, String) {
    let mut checked = charter::check::check(loaded);
    let today = chrono::Utc::now().date_naive();
    let ending = charter::check::calendars_ending(&checked, today);
    checked.diagnostics.extend(ending);
    let list = (checked.diagnostics.iter())
        .map(|d| d.to_json(&loaded.sources))
        .collect();
    let rendered = (checked.diagnostics.iter())
        .filter(|d| d.severity == charter::diagnostic::Severity::Error)
        .map(|d| d.render(&loaded.sources))
        .collect::<Vec<_>>()
        .join("\n");
    (list, rendered)
}

/// A compiled policy.
#[pyclass(frozen, module = "charter._charter")]
struct Engine_ {
    engine: Engine,
    path: Option<PathBuf>,
    text: Option<String>,
}

fn policy_error(py: Python<'_>, message: String, list: Vec<serde_json::Value>) -> PyErr {
    let details = serde_json::json!({ "message": message, "diagnostics": list });
    raise(py, "PolicyError", details.to_string())
}

#[pymethods]
impl Engine_ {
    /// Loads and compiles the policy at `path` (a file or a folder).
    #[staticmethod]
    fn load(py: Python<'_>, path: PathBuf) -> PyResult<Engine_> {
        if !path.exists() {
            return Err(policy_error(
                py,
                format!("{}: no such file or folder", path.display()),
                Vec::new(),
            ));
        }
        match py.detach(|| {
            charter::load::engine(&path)
                .map(|(engine, _)| engine)
                .map_err(|(error, _)| error)
        }) {
            Ok(engine) => Ok(Engine_ {
                engine,
                path: Some(path),
                text: None,
            }),
            Err(error) => {
                let (list, rendered) = py.detach(|| diagnostics(&path));
                let message = if rendered.is_empty() {
                    error.to_string()
                } else {
                    rendered
                };
                Err(policy_error(py, message, list))
            }
        }
    }

    /// Compiles a policy written in one text (imports are not followed).
    #[staticmethod]
    fn from_text(py: Python<'_>, text: String) -> PyResult<Engine_> {
        match Engine::from_text(&text) {
            Ok(engine) => Ok(Engine_ {
                engine,
                path: None,
                text: Some(text),
            }),
            Err(errors) => {
                let (list, _) = text_diagnostics(&text);
                Err(policy_error(py, errors.to_string(), list))
            }
        }
    }

    /// The versions: JSON objects with the name, version, effective date and digest.
    fn versions(&self) -> String {
        let list: Vec<serde_json::Value> = (self.engine.versions().iter())
            .map(|v| {
                serde_json::json!({
                    "name": v.policy.name,
                    "version": v.policy.version,
                    "effective": v.policy.effective.map(|d| d.to_string()),
                    "digest": v.digest,
                })
            })
            .collect();
        serde_json::Value::from(list).to_string()
    }

    /// Every diagnostic of the policy's text, errors and warnings, as a JSON array.
    fn check(&self, py: Python<'_>) -> String {
        let list = match (&self.path, &self.text) {
            (Some(path), _) => py.detach(|| diagnostics(path).0),
            (None, Some(text)) => py.detach(|| text_diagnostics(text).0),
            (None, None) => Vec::new(),
        };
        serde_json::Value::from(list).to_string()
    }

    /// Decides one case (JSON text) at `now` (RFC 3339; the clock's now when `None`): the
    /// decision's JSON, with its id and the case's digest when `ids`.
    #[pyo3(signature = (case, now=None, ids=true))]
    fn decide(&self, py: Python<'_>, case: &str, now: Option<&str>, ids: bool) -> PyResult<String> {
        let now = instant(now)?;
        let decided = py.detach(|| -> Result<String, Failure> {
            let case = Case::from_json(case).map_err(Failure::Read)?;
            let mut decision = (self.engine.decide(&case, now))
                .map_err(|e| Failure::Decide(e, case.id.to_string()))?;
            if ids {
                charter::record::stamp(&mut decision, &case)
                    .map_err(|e| Failure::Random(e.to_string()))?;
            }
            let mut out = Vec::with_capacity(4096);
            decision.write_json(&mut out);
            String::from_utf8(out).map_err(|e| Failure::Random(e.to_string()))
        });
        decided.map_err(|failure| failure.into_py(py))
    }

    /// Decides many cases (one JSON text each) on every core, in order: one line of NDJSON
    /// per case, a decision or an error record, as `charter decide --batch` writes them.
    #[pyo3(signature = (cases, now=None, ids=true))]
    fn decide_many(
        &self,
        py: Python<'_>,
        cases: Vec<String>,
        now: Option<&str>,
        ids: bool,
    ) -> PyResult<String> {
        let now = instant(now)?;
        let written = py.detach(|| -> std::io::Result<Vec<u8>> {
            let mut input = Vec::with_capacity(cases.iter().map(|c| c.len() + 1).sum());
            for case in &cases {
                one_line(case.as_bytes(), &mut input);
            }
            let random = std::sync::OnceLock::new();
            let stamp = |case: &Case, decision: &mut Decision<'_>, _: &mut Vec<u8>| {
                if ids && let Err(e) = charter::record::stamp(decision, case) {
                    let _ = random.set(e);
                }
            };
            let mut output = Vec::with_capacity(input.len() * 4);
            run_batch_with(
                &self.engine,
                Input::Ndjson(&mut input.as_slice()),
                &mut output,
                BatchOptions { now },
                &stamp,
                &mut |_| {},
            )?;
            match random.into_inner() {
                Some(e) => Err(std::io::Error::other(e)),
                None => Ok(output),
            }
        });
        let output = written.map_err(|e| PyValueError::new_err(e.to_string()))?;
        String::from_utf8(output).map_err(|e| PyValueError::new_err(e.to_string()))
    }

    /// Decides the cases an iterator gives (JSON texts) as one batch, as they come, at
    /// `now`: the decisions, one line of NDJSON each, in order, as they are decided.
    #[pyo3(signature = (cases, now, ids=true))]
    fn decide_stream(
        slf: Py<Self>,
        cases: &Bound<'_, PyAny>,
        now: &str,
        ids: bool,
    ) -> PyResult<stream::Decisions> {
        let now = instant(Some(now))?;
        let cases = PyIterator::from_object(cases)?.unbind();
        Ok(stream::Decisions::start(slf, cases, now, ids))
    }

    /// The audit of case histories, as `charter audit` writes it (`format` `json`, `md` or
    /// `html`; `lang` `zh` or `en`): of `cases` (one JSON text each), or of the file at
    /// `path` (NDJSON, or CSV when `csv`, its columns renamed by `mapping`), evaluated at
    /// `as_of`, and under `compare` too for a what-if; at most `list` breaches and malformed
    /// records listed.
    #[pyo3(signature = (as_of, cases=None, path=None, csv=false, mapping=None, compare=None, list=1000, format="json", lang="zh"))]
    #[allow(clippy::too_many_arguments)]
    fn audit(
        &self,
        py: Python<'_>,
        as_of: &str,
        cases: Option<Vec<String>>,
        path: Option<PathBuf>,
        csv: bool,
        mapping: Option<std::collections::BTreeMap<String, String>>,
        compare: Option<&Bound<'_, Engine_>>,
        list: usize,
        format: &str,
        lang: &str,
    ) -> PyResult<String> {
        use charter::render::TextFormat;
        let as_of = instant(Some(as_of))?;
        let lang = language(lang)?;
        let format = match format {
            "json" => None,
            "md" => Some(TextFormat::Markdown),
            "html" => Some(TextFormat::Html),
            other => {
                return Err(PyValueError::new_err(format!(
                    "format: `{other}` is not json, md or html"
                )));
            }
        };
        let compared = compare.map(|c| c.get().named());
        let other = compare.map(|c| &c.get().engine);
        let engine = &self.engine;
        py.detach(|| -> Result<String, PyErr> {
            let text: Vec<u8>;
            let mut slice: &[u8];
            let mut file: std::fs::File;
            let reader: &mut (dyn std::io::Read + Send) = match (&cases, &path) {
                (Some(cases), _) => {
                    let mut lines = Vec::with_capacity(cases.iter().map(|c| c.len() + 1).sum());
                    for case in cases {
                        one_line(case.as_bytes(), &mut lines);
                    }
                    text = lines;
                    slice = text.as_slice();
                    &mut slice
                }
                (None, Some(path)) => {
                    file = std::fs::File::open(path).map_err(|e| {
                        pyo3::exceptions::PyOSError::new_err(format!(
                            "{}: cannot read: {e}",
                            path.display()
                        ))
                    })?;
                    &mut file
                }
                (None, None) => {
                    return Err(PyValueError::new_err(
                        "give the cases, or the path of a file of cases",
                    ));
                }
            };
            let input = Input::new(reader, csv, mapping.as_ref());
            let (audit, _) = charter::audit::run(engine, other, input, as_of, list, &mut |_| {})
                .map_err(|e| PyValueError::new_err(e.to_string()))?;
            let no_version = || PyValueError::new_err("the policy has no version");
            let report = charter::audit::Report::of(&audit, engine, as_of, compared)
                .ok_or_else(no_version)?;
            match format {
                None => {
                    serde_json::to_string(&report).map_err(|e| PyValueError::new_err(e.to_string()))
                }
                Some(format) => {
                    let latest = charter::audit::latest(engine).ok_or_else(no_version)?;
                    charter::audit::document(&report, &audit, latest, lang)
                        .render(format, None)
                        .map_err(|e| PyValueError::new_err(e.message))
                }
            }
        })
    }

    /// A document of the policy's latest version, as `charter doc` writes it: `kind` is
    /// `role` (`id` the role), `procedure` (`id` a named procedure, or none) or `org-chart`;
    /// `format` `md` or `html`; `lang` `zh` or `en`.
    #[pyo3(signature = (kind, id=None, format="md", lang="zh"))]
    fn render(&self, kind: &str, id: Option<&str>, format: &str, lang: &str) -> PyResult<String> {
        use charter::render::TextFormat;
        let lang = language(lang)?;
        let format = match format {
            "md" => TextFormat::Markdown,
            "html" => TextFormat::Html,
            "docx" => {
                return Err(PyValueError::new_err(
                    "format: Word files are written by `charter doc --format docx`; here md or html",
                ));
            }
            other => {
                return Err(PyValueError::new_err(format!(
                    "format: `{other}` is not md or html"
                )));
            }
        };
        let versions = self.engine.versions();
        let Some(latest) = versions.last() else {
            return Err(PyValueError::new_err("the policy has no version"));
        };
        let policy = &latest.policy;
        let names = |list: Vec<&str>| {
            if list.is_empty() {
                "none".to_string()
            } else {
                list.join(", ")
            }
        };
        let mut document = match (kind, id) {
            ("role", Some(id)) => {
                let index = (policy.roles.iter())
                    .position(|r| r.named.name == id)
                    .ok_or_else(|| {
                        let known = policy.roles.iter().map(|r| r.named.name.as_str()).collect();
                        PyValueError::new_err(format!(
                            "no role `{id}`; the policy has {}",
                            names(known)
                        ))
                    })?;
                charter::render::position_description(policy, index, lang)
            }
            ("role", None) => return Err(PyValueError::new_err("a role's document needs its id")),
            ("procedure", id) => {
                let index = match id {
                    None => None,
                    Some(id) => Some(
                        (policy.procedures.iter())
                            .position(|p| p.named.name == id)
                            .ok_or_else(|| {
                                let known = policy
                                    .procedures
                                    .iter()
                                    .map(|p| p.named.name.as_str())
                                    .collect();
                                PyValueError::new_err(format!(
                                    "no procedure `{id}`; the policy has {}",
                                    names(known)
                                ))
                            })?,
                    ),
                };
                charter::render::procedure(policy, index, lang)
            }
            ("org-chart", _) => charter::render::org_chart(policy, lang),
            (other, _) => {
                return Err(PyValueError::new_err(format!(
                    "kind: `{other}` is not role, procedure or org-chart"
                )));
            }
        };
        // The revision record lists every version up to this one.
        if let Some(control) = document.control.as_mut() {
            control.revisions =
                charter::render::revisions(versions.iter().map(|v| &v.policy), policy, lang);
        }
        document
            .render(format, None)
            .map_err(|e| PyValueError::new_err(e.message))
    }

    /// Decides the cases of an Arrow string array (its data and offsets buffers, from row
    /// `offset`, `length` rows; `valid` its validity bitmap or empty) as one batch, and gives
    /// the columns of the result as Arrow buffers: for each string column its validity,
    /// offsets (i32) and data; for each deadline its validity and values (i64 seconds).
    #[pyo3(signature = (data, offsets, valid, offset, length, now))]
    #[allow(clippy::too_many_arguments)]
    fn decide_arrow_buffers<'py>(
        &self,
        py: Python<'py>,
        data: &[u8],
        offsets: &[u8],
        valid: &[u8],
        offset: usize,
        length: usize,
        now: &str,
    ) -> PyResult<Bound<'py, pyo3::types::PyDict>> {
        let now = instant(Some(now))?;
        let at = |i: usize| -> Option<usize> {
            let bytes = offsets.get(i * 4..i * 4 + 4)?;
            usize::try_from(i32::from_le_bytes(bytes.try_into().ok()?)).ok()
        };
        let input = py.detach(|| -> Result<Vec<u8>, String> {
            // One case per line; a null is a case that is not there.
            let mut input = Vec::with_capacity(data.len() + length);
            for row in offset..offset + length {
                let present = valid.is_empty()
                    || valid
                        .get(row / 8)
                        .is_some_and(|byte| byte & (1 << (row % 8)) != 0);
                let (Some(start), Some(end)) = (at(row), at(row + 1)) else {
                    return Err(format!("row {row}: the offsets buffer is too short"));
                };
                let text = data
                    .get(start..end)
                    .ok_or_else(|| format!("row {row}: past the data buffer"))?;
                one_line(if present { text } else { b"" }, &mut input);
            }
            Ok(input)
        });
        let input = input.map_err(PyValueError::new_err)?;
        self.decide_columns(py, length, now, None, &input)
    }

    /// Decides the cases of a CSV text whose header names the columns `mapping` renames to
    /// the case columns of `charter decide --batch` (`id`, `received_at`, `field.NAME`,
    /// `attr.NAME`…), and gives the columns of the result as `decide_arrow_buffers` does.
    #[pyo3(signature = (csv, mapping, now))]
    fn decide_csv_buffers<'py>(
        &self,
        py: Python<'py>,
        csv: &[u8],
        mapping: std::collections::BTreeMap<String, String>,
        now: &str,
    ) -> PyResult<Bound<'py, pyo3::types::PyDict>> {
        let now = instant(Some(now))?;
        let rows = csv.iter().filter(|&&b| b == b'\n').count();
        self.decide_columns(py, rows, now, Some(&mapping), csv)
    }
}

impl Engine_ {
    /// What a report calls this policy: its path, or the name of its latest version.
    fn named(&self) -> String {
        match &self.path {
            Some(path) => path.display().to_string(),
            None => (self.engine.versions().last())
                .map(|v| v.policy.name.clone())
                .unwrap_or_default(),
        }
    }

    /// Decides the cases of `bytes` (NDJSON, or CSV with the columns `mapping` renames) as
    /// one batch and gives the columns of `decide_arrow_buffers`.
    fn decide_columns<'py>(
        &self,
        py: Python<'py>,
        length: usize,
        now: i64,
        mapping: Option<&std::collections::BTreeMap<String, String>>,
        bytes: &[u8],
    ) -> PyResult<Bound<'py, pyo3::types::PyDict>> {
        let names = target_names(&self.engine);
        let result = py.detach(|| -> Result<Vec<Record<Row>>, String> {
            let mut reader = bytes;
            let map = |_: &Case, decision: &mut Decision<'_>| {
                let route = decision.route.as_ref();
                Row {
                    outcome: decision.acceptance.outcome.name(),
                    role: route.and_then(|r| r.role).map(str::to_string),
                    rule: route
                        .and_then(|r| r.rule)
                        .map(|rule| format!("{}:{}", rule.file, rule.line)),
                    targets: names
                        .iter()
                        .map(|(stage, name, _)| {
                            decision
                                .targets
                                .iter()
                                .find(|t| &t.target.name == name && &t.target.stage == stage)
                                .map_or((None, None), |t| {
                                    (t.deadline.map(|d| d.secs), Some(t.state.name()))
                                })
                        })
                        .collect(),
                }
            };
            let mut records = Vec::with_capacity(length);
            map_batch(
                &self.engine,
                Input::new(&mut reader, mapping.is_some(), mapping),
                BatchOptions { now },
                &map,
                &mut |block| {
                    records.extend(block);
                    Ok(())
                },
                &mut |_| {},
            )
            .map_err(|e| e.to_string())?;
            Ok(records)
        });
        let records = result.map_err(PyValueError::new_err)?;
        let mut ids = Strings::default();
        let mut outcomes = Strings::default();
        let mut roles = Strings::default();
        let mut rules = Strings::default();
        let mut codes = Strings::default();
        let mut errors = Strings::default();
        let mut deadlines: Vec<Times> = names.iter().map(|_| Times::default()).collect();
        let mut states: Vec<Strings> = names.iter().map(|_| Strings::default()).collect();
        for record in &records {
            match record {
                Record::Decided { id, value, .. } => {
                    ids.push(Some(id));
                    outcomes.push(Some(value.outcome));
                    roles.push(value.role.as_deref());
                    rules.push(value.rule.as_deref());
                    codes.push(None);
                    errors.push(None);
                    for (i, (deadline, state)) in value.targets.iter().enumerate() {
                        deadlines[i].push(*deadline);
                        states[i].push(*state);
                    }
                }
                Record::Failed {
                    id, code, error, ..
                } => {
                    ids.push(id.as_deref());
                    outcomes.push(None);
                    roles.push(None);
                    rules.push(None);
                    codes.push(Some(code.code()));
                    errors.push(Some(error));
                    for i in 0..names.len() {
                        deadlines[i].push(None);
                        states[i].push(None);
                    }
                }
            }
        }
        let out = pyo3::types::PyDict::new(py);
        out.set_item("rows", records.len())?;
        for (name, column) in [
            ("id", ids),
            ("outcome", outcomes),
            ("role", roles),
            ("rule", rules),
            ("error_code", codes),
            ("error", errors),
        ] {
            out.set_item(name, column.into_py(py)?)?;
        }
        let targets = pyo3::types::PyList::empty(py);
        for ((_, _, name), (deadline, state)) in names.iter().zip(deadlines.into_iter().zip(states))
        {
            targets.append((name, deadline.into_py(py), state.into_py(py)?))?;
        }
        out.set_item("targets", targets)?;
        Ok(out)
    }
}

/// The language of a document: `zh` or `en`.
fn language(lang: &str) -> PyResult<charter::render::Lang> {
    match lang {
        "zh" => Ok(charter::render::Lang::Zh),
        "en" => Ok(charter::render::Lang::En),
        other => Err(PyValueError::new_err(format!(
            "lang: `{other}` is not zh or en"
        ))),
    }
}

/// Appends `case` to NDJSON `input` as one line. A line break in a case's JSON text is
/// whitespace between tokens or an error inside a string; a tab is the same to JSON in both
/// places, so the case reads as it would alone. A blank case is a `null` (the batch reader
/// skips blank lines, which would put every later row out of step).
fn one_line(case: &[u8], input: &mut Vec<u8>) {
    if case.iter().all(u8::is_ascii_whitespace) {
        input.extend_from_slice(b"null");
    } else {
        input.extend(
            case.iter()
                .map(|&b| if b == b'\n' || b == b'\r' { b'\t' } else { b }),
        );
    }
    input.push(b'\n');
}

/// One case's decision, reduced to the columns of `decide_arrow`.
struct Row {
    outcome: &'static str,
    role: Option<String>,
    rule: Option<String>,
    /// Per target of [`Engine_::target_names`]: the deadline (UTC seconds) and the state.
    targets: Vec<(Option<i64>, Option<&'static str>)>,
}

/// Every target the policy's versions declare, in order, once: the SLA blocks' by name, a
/// stage's as `stage__name` (a stage may have a target of the same name as an SLA block's).
/// Each with the stage it belongs to.
fn target_names(engine: &Engine) -> Vec<(Option<String>, String, String)> {
    let mut names: Vec<(Option<String>, String, String)> = Vec::new();
    for version in engine.versions() {
        let policy = &version.policy;
        let slas = (policy.slas.iter())
            .flat_map(|sla| &sla.targets)
            .map(|t| (None, t.name.clone(), t.name.clone()));
        let stages = policy.stages.iter().flat_map(|stage| {
            let name = &stage.named.name;
            (stage.targets.iter()).map(move |t| {
                (
                    Some(name.clone()),
                    t.name.clone(),
                    format!("{name}__{}", t.name),
                )
            })
        });
        for target in slas.chain(stages) {
            if !names.iter().any(|known| known.2 == target.2) {
                names.push(target);
            }
        }
    }
    names
}

enum Failure {
    Read(ReadError),
    Decide(DecideError, String),
    Random(String),
}

impl Failure {
    fn into_py(self, py: Python<'_>) -> PyErr {
        match self {
            Failure::Read(e) => case_error(py, &e),
            Failure::Decide(e, id) => decide_error(py, &e, &id),
            Failure::Random(message) => pyo3::exceptions::PyOSError::new_err(message),
        }
    }
}

#[pymodule]
fn _charter(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_class::<Engine_>()?;
    module.add_class::<stream::Decisions>()?;
    module.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
