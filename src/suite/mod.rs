//! Policy test suites: `*.test.toml` files next to a policy list cases and the parts of their
//! decisions that must come out (route role, outcome, deadlines and states at a given `now`,
//! fired escalations, the callback, findings). Built on [`crate::decide`]'s public API and its
//! JSON contract only: a test compares what other tools would read.
//!
//! ```toml
//! now = "2026-11-30T12:00:00+08:00"          # default for the tests of this file
//!
//! [[test]]
//! name = "a major complaint goes to the director"
//! case = "../../examples/cases/complaint-office/accepted-phone.json"   # relative to this file
//! expect.role = "office_director"
//! expect.targets.resolve = { deadline = "2026-11-30T17:30:00+08:00", state = "met" }
//! expect.escalations.fired = ["resolve_ladder at 50%"]
//!
//! [[test]]
//! name = "an inline case"
//! case = { id = "T-1", received_at = "2026-11-20T10:00:00+08:00", channel = "web", category = "billing" }
//! expect.outcome = "accepted"
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;

use chrono::{DateTime, FixedOffset, SecondsFormat};

use crate::decide::{Case, Engine, Timestamp};

/// A test file that could not be read.
///
/// ```
/// let error = charter::suite::read("policies/complaint-office/policy.charter".as_ref()).unwrap_err();
/// // `path:line:column: message`
/// assert!(error.to_string().starts_with("policies/complaint-office/policy.charter:"), "{error}");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError {
    /// The file.
    pub path: PathBuf,
    /// Line and column, when known.
    pub line_col: Option<(usize, usize)>,
    /// What is wrong and what to do.
    pub message: String,
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some((line, col)) = self.line_col {
            write!(f, ":{line}:{col}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for FileError {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDef {
    now: Option<String>,
    #[serde(default, rename = "test")]
    tests: Vec<toml::Spanned<TestDef>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TestDef {
    name: String,
    now: Option<String>,
    case: CaseDef,
    #[serde(default)]
    expect: Expect,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum CaseDef {
    Path(String),
    Inline(toml::Table),
}

/// The parts of a decision a test expects; anything left out is not checked.
///
/// ```
/// let tests = charter::suite::read("policies/complaint-office/routing.test.toml".as_ref())?;
/// let expect = tests[0].expect.as_ref().map_err(|e| e.clone())?;
/// assert!(expect.role.is_some() || expect.outcome.is_some());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// `accepted`, `redirected` or `incomplete`.
    pub outcome: Option<String>,
    /// The role the case is routed to.
    pub role: Option<String>,
    /// The policy version that decides it.
    pub version: Option<String>,
    /// Where a redirected case is sent.
    pub redirect_to: Option<String>,
    /// The record fields an incomplete case lacks.
    pub missing_fields: Option<Vec<String>>,
    /// Per target name (its first cycle): `deadline`, `state`, `stopped_at`, `started_at`,
    /// `consumed_percent`, `budget_seconds`, each as written with its place in the file.
    #[serde(default)]
    pub targets: BTreeMap<String, BTreeMap<String, toml::Spanned<String>>>,
    /// `fired = ["LADDER TRIGGER", …]`: exactly the steps fired at `now`.
    pub escalations: Option<Escalations>,
    /// `via`, `due`, `state` of the callback.
    #[serde(default)]
    pub callback: BTreeMap<String, toml::Spanned<String>>,
    /// Exactly these finding kinds, e.g. `["missing_attribute"]`.
    pub findings: Option<Vec<String>>,
}

/// Expected escalation steps.
///
/// ```
/// use charter::suite::{compare, Escalations, Expect};
/// let decision = serde_json::json!({"escalations": [
///     {"ladder": "resolve_ladder", "trigger": "at 50%", "fired": true},
///     {"ladder": "resolve_ladder", "trigger": "at 80%", "fired": false}
/// ]});
/// let mut expect = Expect::default();
/// expect.escalations = Some(Escalations { fired: vec!["resolve_ladder at 50%".into()] });
/// assert!(compare(&expect, &decision).is_empty());
/// ```
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Escalations {
    /// The steps fired at `now`, as `LADDER TRIGGER` (e.g. `resolve_ladder at 50%`).
    pub fired: Vec<String>,
}

/// One test, ready to run.
///
/// ```
/// use charter::suite::{self, Outcome};
/// let (engine, _) = charter::load::engine("policies/complaint-office".as_ref()).map_err(|(e, _)| e.to_string())?;
/// let files = suite::discover("policies/complaint-office".as_ref())?;
/// let mut tests = suite::read(&files[0])?;
/// let test = &mut tests[0];
/// assert!(test.case.is_ok() && test.now.is_ok() && test.expect.is_ok());
/// // Expect another role than the decision's: the test fails and says where.
/// if let Ok(expect) = &mut test.expect {
///     expect.role = Some("general_manager".into());
/// }
/// let Outcome::Failed(mismatches) = suite::run(&engine, test, &mut Default::default()) else {
///     panic!("the test should fail")
/// };
/// assert_eq!(mismatches[0].key, "route.role");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Test {
    /// Its name.
    pub name: String,
    /// Its file and line.
    pub path: PathBuf,
    /// The line of its `[[test]]` table.
    pub line: usize,
    /// The case, or why it cannot be read.
    pub case: Result<Case, String>,
    /// The evaluation instant (seconds since the epoch).
    pub now: Result<i64, String>,
    /// What must come out, or why an expected value cannot be compared (an instant or a
    /// number that is not one).
    pub expect: Result<Expect, String>,
}

/// One difference between what a test expects and what the decision says.
///
/// ```
/// use charter::suite::{compare, Expect};
/// let decision = serde_json::json!({"route": {"role": "clerk"}});
/// let mut expect = Expect::default();
/// expect.role = Some("director".into());
/// let mismatch = &compare(&expect, &decision)[0];
/// assert_eq!((mismatch.expected.as_str(), mismatch.actual.as_str()), (Some("director"), Some("clerk")));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Mismatch {
    /// Where in the decision, e.g. `targets.resolve.deadline`.
    pub key: String,
    /// Expected.
    pub expected: Value,
    /// Actual, as the engine wrote it.
    pub actual: Value,
    /// For instants: the expected one in the actual's offset and how far apart they are.
    pub note: Option<String>,
}

/// The result of one test.
///
/// ```
/// use charter::suite::{self, Coverage, Outcome};
/// let (engine, _) = charter::load::engine("policies/complaint-office".as_ref()).map_err(|(e, _)| e.to_string())?;
/// let tests = suite::read("policies/complaint-office/routing.test.toml".as_ref())?;
/// let outcomes: Vec<Outcome> = tests.iter().map(|t| suite::run(&engine, t, &mut Coverage::default())).collect();
/// assert!(outcomes.iter().all(|o| matches!(o, Outcome::Passed)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub enum Outcome {
    /// Everything expected came out.
    Passed,
    /// Some parts differ.
    Failed(Vec<Mismatch>),
    /// The case could not be read or decided.
    Error(String),
}

/// What the tests exercised, for `--coverage`.
///
/// ```
/// use charter::suite::{self, Coverage};
/// let (engine, _) = charter::load::engine("policies/complaint-office".as_ref()).map_err(|(e, _)| e.to_string())?;
/// let mut coverage = Coverage::default();
/// for test in suite::read("policies/complaint-office/routing.test.toml".as_ref())? {
///     suite::run(&engine, &test, &mut coverage);
/// }
/// let (rules, _) = suite::exercisable(&engine);
/// // How many of the policy's route rules the tests reached.
/// assert!(coverage.routes.len() <= rules.len());
/// assert!(!coverage.routes.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Default)]
pub struct Coverage {
    /// Route rules (`file`, `line`) some test's decision was routed by.
    pub routes: BTreeSet<(String, usize)>,
    /// Escalation steps some test fired: (ladder, trigger). Versions that share a ladder
    /// share its steps.
    pub steps: BTreeSet<(String, String)>,
}

/// The `*.test.toml` files next to a policy: in its folder, or beside the file with its stem.
///
/// ```
/// let files = charter::suite::discover("policies/complaint-office".as_ref())?;
/// assert!(files.iter().any(|f| f.ends_with("routing.test.toml")));
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn discover(policy: &Path) -> std::io::Result<Vec<PathBuf>> {
    let (dir, stem) = if policy.is_dir() {
        (policy.to_path_buf(), None)
    } else {
        let dir = policy.parent().unwrap_or(Path::new(".")).to_path_buf();
        let stem = policy.file_stem().map(|s| s.to_string_lossy().into_owned());
        (dir, stem)
    };
    let dir = if dir.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        dir
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            let name = p.file_name().map(|n| n.to_string_lossy().into_owned());
            name.is_some_and(|n| {
                n.ends_with(".test.toml") && stem.as_ref().is_none_or(|s| n.starts_with(s.as_str()))
            })
        })
        .collect();
    files.sort();
    Ok(files)
}

/// Reads one test file.
///
/// ```
/// use charter::suite::{self, Coverage, Outcome};
/// let (engine, _) = charter::load::engine("policies/complaint-office".as_ref()).map_err(|(e, _)| e.to_string())?;
/// let files = suite::discover("policies/complaint-office".as_ref())?;
/// let tests = suite::read(&files[0])?;
/// assert!(!tests.is_empty());
/// assert!(tests.iter().all(|t| t.line > 0 && !t.name.is_empty()));
/// // A file that is not a test file says where it is wrong.
/// let error = suite::read("policies/complaint-office/policy.charter".as_ref()).unwrap_err();
/// assert!(error.line_col.is_some(), "{error}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read(path: &Path) -> Result<Vec<Test>, FileError> {
    let error = |line_col, message: String| FileError {
        path: path.to_path_buf(),
        line_col,
        message,
    };
    let text = crate::source::read_regular_text(path, crate::syntax::MAX_FILE)
        .map_err(|e| error(None, format!("cannot read: {e}")))?;
    let def: FileDef = toml::from_str(&text).map_err(|e| {
        let (at, message) = crate::source::toml_error(&text, &e);
        error(
            at.map(|at| line_col(&text, at)),
            format!(
                "{message}; a test file holds `now = \"…\"` and `[[test]]` tables with `name`, `case` (a path or an inline table) and `expect`"
            ),
        )
    })?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let parse_now = |s: &str| Timestamp::parse(s).map(|t| t.secs);
    let file_now = def.now.as_deref().map(parse_now);
    Ok(def
        .tests
        .into_iter()
        .map(|spanned| {
            let (line, _) = line_col(&text, spanned.span().start);
            let def = spanned.into_inner();
            let now = match (&def.now, &file_now) {
                (Some(n), _) => parse_now(n).map_err(|e| format!("`now`: {e}")),
                (None, Some(n)) => n.clone().map_err(|e| format!("the file's `now`: {e}")),
                (None, None) => Err(
                    "no `now`: give the test or the file `now = \"2026-11-30T12:00:00+08:00\"`"
                        .to_string(),
                ),
            };
            let expect = check_expect(&def.expect, path, &text).map(|()| def.expect);
            Test {
                name: def.name,
                path: path.to_path_buf(),
                line,
                case: read_case(dir, &def.case),
                now,
                expect,
            }
        })
        .collect())
}

fn read_case(dir: &Path, def: &CaseDef) -> Result<Case, String> {
    match def {
        CaseDef::Path(p) => {
            let path = dir.join(p);
            let text = crate::source::read_regular_text(&path, crate::syntax::MAX_FILE)
                .map_err(|e| format!("case file {}: {e}", path.display()))?;
            let case = if path.extension().is_some_and(|e| e == "toml") {
                Case::from_toml(&text)
            } else {
                Case::from_json(&text)
            };
            case.map_err(|e| format!("case file {}: {e}", path.display()))
        }
        CaseDef::Inline(table) => {
            let text = toml::to_string(table).map_err(|e| format!("inline case: {e}"))?;
            Case::from_toml(&text).map_err(|e| {
                let field = if e.field.is_empty() {
                    String::new()
                } else {
                    format!("`{}`: ", e.field)
                };
                format!("inline case: {field}{}", e.message)
            })
        }
    }
}

/// How an expected value is compared with the decision's.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ValueKind {
    /// RFC 3339 with an offset, compared as the instant it names.
    Instant,
    /// Compared as a number: `"102.30"` is `102.3`.
    Number,
    /// Compared as text (a number the decision writes still compares as a number).
    Text,
}

/// The kind of a field of a target or of the callback.
fn value_kind(field: &str) -> ValueKind {
    match field {
        "started_at" | "deadline" | "stopped_at" | "due" | "done_at" => ValueKind::Instant,
        "budget_seconds" | "consumed_percent" => ValueKind::Number,
        _ => ValueKind::Text,
    }
}

/// The instant `text` names, or why it names none.
fn parse_instant(text: &str) -> Result<DateTime<FixedOffset>, String> {
    DateTime::parse_from_rfc3339(text.trim()).map_err(|_| match Timestamp::parse(text) {
        Err(why) => why,
        Ok(_) => {
            format!("`{text}` is not an RFC 3339 timestamp; write e.g. `2026-11-20T17:45:00+08:00`")
        }
    })
}

/// The number `text` names.
fn parse_number(text: &str) -> Option<f64> {
    text.trim().parse::<f64>().ok().filter(|n| n.is_finite())
}

/// Every expected instant and number of a test must be one: a test that expects
/// `2026-04-20 16:00` as a deadline is wrong whatever the decision says.
fn check_expect(expect: &Expect, path: &Path, text: &str) -> Result<(), String> {
    let targets = expect.targets.iter().flat_map(|(name, fields)| {
        fields
            .iter()
            .map(move |(field, value)| (format!("targets.{name}.{field}"), field, value))
    });
    let callback = expect
        .callback
        .iter()
        .map(|(field, value)| (format!("callback.{field}"), field, value));
    for (key, field, value) in targets.chain(callback) {
        let written = value.get_ref();
        let why = match value_kind(field) {
            ValueKind::Instant => parse_instant(written).err(),
            ValueKind::Number => parse_number(written).is_none().then(|| {
                format!("`{written}` is not a number; write it as a string, e.g. \"102.3\"")
            }),
            ValueKind::Text => None,
        };
        if let Some(why) = why {
            let (line, col) = line_col(text, value.span().start);
            return Err(format!(
                "{}:{line}:{col}: `expect.{key}` must be {}: {why}",
                path.display(),
                if value_kind(field) == ValueKind::Instant {
                    "an instant"
                } else {
                    "a number"
                }
            ));
        }
    }
    Ok(())
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// Decides the test's case and compares; records what it exercised.
///
/// ```
/// use charter::suite::{self, Coverage, Outcome};
/// let (engine, _) = charter::load::engine("policies/complaint-office".as_ref()).map_err(|(e, _)| e.to_string())?;
/// let files = suite::discover("policies/complaint-office".as_ref())?;
/// let tests = suite::read(&files[0])?;
/// let mut coverage = Coverage::default();
/// for test in &tests {
///     let outcome = suite::run(&engine, test, &mut coverage);
///     assert!(matches!(outcome, Outcome::Passed), "{}: {outcome:?}", test.name);
/// }
/// // The tests cite the route rules they reached.
/// assert!(!coverage.routes.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn run(engine: &Engine, test: &Test, coverage: &mut Coverage) -> Outcome {
    let (case, now, expect) = match (&test.case, &test.now, &test.expect) {
        (Ok(case), Ok(now), Ok(expect)) => (case, *now, expect),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return Outcome::Error(e.clone()),
    };
    let decision = match engine.decide(case, now) {
        Ok(d) => d,
        Err(e) => return Outcome::Error(e.to_string()),
    };
    if let Some(rule) = decision.route.as_ref().and_then(|r| r.rule) {
        coverage.routes.insert((rule.file.clone(), rule.line));
    }
    for step in decision.escalations.iter().filter(|s| s.fired) {
        coverage
            .steps
            .insert((step.step.ladder.clone(), step.step.trigger.clone()));
    }
    let actual = match serde_json::to_value(&decision) {
        Ok(v) => v,
        Err(e) => return Outcome::Error(format!("the decision cannot be serialized: {e}")),
    };
    let mismatches = compare(expect, &actual);
    if mismatches.is_empty() {
        Outcome::Passed
    } else {
        Outcome::Failed(mismatches)
    }
}

/// Every expected part that differs from the decision (as JSON, the contract). Instants
/// compare as instants (`…T16:00:00Z` is `…T17:00:00+01:00`), numbers as numbers (`"102.30"`
/// is `102.3`), the rest as text.
///
/// ```
/// use charter::suite::{compare, Expect};
/// let decision = serde_json::json!({
///     "acceptance": {"outcome": "accepted"},
///     "route": {"role": "clerk"},
///     "targets": [{"name": "resolve", "deadline": "2026-11-20T17:00:00+01:00", "state": "met"}]
/// });
/// let mut expect = Expect::default();
/// expect.role = Some("clerk".into());
/// assert!(compare(&expect, &decision).is_empty());
/// expect.outcome = Some("redirected".into());
/// assert_eq!(compare(&expect, &decision)[0].key, "acceptance.outcome");
/// ```
pub fn compare(expect: &Expect, decision: &Value) -> Vec<Mismatch> {
    let mut out = Vec::new();
    let text = |s: &Option<String>| s.as_ref().map(|s| Value::from(s.as_str()));
    let acceptance = &decision["acceptance"];
    if let Some(e) = text(&expect.outcome) {
        differ(&mut out, "acceptance.outcome", e, &acceptance["outcome"]);
    }
    if let Some(e) = text(&expect.redirect_to) {
        differ(
            &mut out,
            "acceptance.redirect_to",
            e,
            &acceptance["redirect_to"],
        );
    }
    if let Some(list) = &expect.missing_fields {
        differ(
            &mut out,
            "acceptance.missing_fields",
            Value::from(list.clone()),
            &acceptance["missing_fields"],
        );
    }
    if let Some(e) = text(&expect.role) {
        differ(&mut out, "route.role", e, &decision["route"]["role"]);
    }
    if let Some(e) = text(&expect.version) {
        differ(
            &mut out,
            "policy.version",
            e,
            &decision["policy"]["version"],
        );
    }
    let targets = decision["targets"].as_array().cloned().unwrap_or_default();
    for (name, fields) in &expect.targets {
        let target = targets.iter().find(|t| t["name"] == name.as_str());
        for (field, value) in fields {
            let actual = target.map_or(&Value::Null, |t| &t[field.as_str()]);
            let key = format!("targets.{name}.{field}");
            out.extend(compare_value(key, field, value.get_ref(), actual));
        }
    }
    if let Some(esc) = &expect.escalations {
        let fired: BTreeSet<String> = decision["escalations"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|s| s["fired"] == true)
            .map(|s| {
                format!(
                    "{} {}",
                    s["ladder"].as_str().unwrap_or(""),
                    s["trigger"].as_str().unwrap_or("")
                )
            })
            .collect();
        let expected: BTreeSet<String> = esc.fired.iter().cloned().collect();
        differ(
            &mut out,
            "escalations.fired",
            Value::from(expected.into_iter().collect::<Vec<_>>()),
            &Value::from(fired.into_iter().collect::<Vec<_>>()),
        );
    }
    for (field, value) in &expect.callback {
        let actual = &decision["callback"][field.as_str()];
        let key = format!("callback.{field}");
        out.extend(compare_value(key, field, value.get_ref(), actual));
    }
    if let Some(kinds) = &expect.findings {
        let actual: BTreeSet<String> = decision["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|f| f["kind"].as_str().map(String::from))
            .collect();
        let expected: BTreeSet<String> = kinds.iter().cloned().collect();
        differ(
            &mut out,
            "findings",
            Value::from(expected.into_iter().collect::<Vec<_>>()),
            &Value::from(actual.into_iter().collect::<Vec<_>>()),
        );
    }
    out
}

/// Records a mismatch when `expected` is not `actual`, compared as JSON.
fn differ(out: &mut Vec<Mismatch>, key: &str, expected: Value, actual: &Value) {
    if expected != *actual {
        out.push(Mismatch {
            key: key.to_string(),
            expected,
            actual: actual.clone(),
            note: None,
        });
    }
}

/// One expected field of a target or the callback, as written, against the decision's value.
fn compare_value(key: String, field: &str, written: &str, actual: &Value) -> Option<Mismatch> {
    let mismatch = |note| Mismatch {
        key: key.clone(),
        expected: Value::from(written),
        actual: actual.clone(),
        note,
    };
    let kind = value_kind(field);
    if kind == ValueKind::Instant
        && let Ok(expected) = parse_instant(written)
    {
        let Some(got) = actual.as_str().and_then(|a| parse_instant(a).ok()) else {
            return Some(mismatch(None));
        };
        if expected == got {
            return None;
        }
        return Some(mismatch(Some(instant_note(expected, got))));
    }
    if let (Value::Number(got), Some(expected)) = (actual, parse_number(written))
        && kind != ValueKind::Instant
    {
        return (got.as_f64() != Some(expected)).then(|| mismatch(None));
    }
    (actual.as_str() != Some(written)).then(|| mismatch(None))
}

/// How far the expected instant is from the actual, and the expected one in the actual's
/// offset when it was written in another.
fn instant_note(expected: DateTime<FixedOffset>, actual: DateTime<FixedOffset>) -> String {
    let seconds = (expected - actual).num_seconds();
    let mut parts = Vec::new();
    let mut rest = seconds.unsigned_abs();
    for (unit, size) in [
        ("day", 86_400),
        ("hour", 3600),
        ("minute", 60),
        ("second", 1),
    ] {
        let n = rest / size;
        rest %= size;
        if n > 0 {
            parts.push(format!("{n} {unit}{}", if n == 1 { "" } else { "s" }));
        }
    }
    let apart = if parts.is_empty() {
        // Under a second apart: only a fraction differs.
        "less than a second".to_string()
    } else {
        parts.join(" ")
    };
    let side = if expected < actual { "before" } else { "after" };
    if expected.offset() == actual.offset() {
        return format!("expected is {apart} {side} the actual");
    }
    let converted = expected
        .with_timezone(actual.offset())
        .to_rfc3339_opts(SecondsFormat::AutoSi, true);
    format!("expected, in the actual's offset: {converted}, {apart} {side} the actual")
}

/// Route rules as (file, line, text).
///
/// ```
/// let (engine, _) = charter::load::engine("policies/complaint-office".as_ref()).map_err(|(e, _)| e.to_string())?;
/// let (rules, _) = charter::suite::exercisable(&engine);
/// let (file, line, text): &charter::suite::RuleKey = &rules[0];
/// assert_eq!((file.as_str(), *line, text.as_str()), ("complaint-office/policy.charter", 66, "when severity >= major -> office_director"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub type RuleKey = (String, usize, String);

/// What the policy offers to exercise, for `--coverage`: route rules and escalation steps
/// (ladder, trigger) of every version, each once.
///
/// ```
/// let (engine, _) = charter::load::engine("policies/complaint-office".as_ref()).map_err(|(e, _)| e.to_string())?;
/// let (rules, steps) = charter::suite::exercisable(&engine);
/// // Two route rules and `otherwise`; four steps of the resolve ladder and the critical one.
/// assert_eq!(rules.len(), 3);
/// assert_eq!(steps.len(), 5);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn exercisable(engine: &Engine) -> (Vec<RuleKey>, Vec<(String, String)>) {
    let mut routes = Vec::new();
    let mut steps = Vec::new();
    for version in engine.versions() {
        for rule in version.route_rules() {
            let key = (rule.file.clone(), rule.line, rule.text.clone());
            if !routes.contains(&key) {
                routes.push(key);
            }
        }
        for ladder in &version.policy.escalations {
            for step in &ladder.steps {
                let key = (
                    ladder.named.name.clone(),
                    crate::decide::TriggerText(&step.trigger).to_string(),
                );
                if !steps.contains(&key) {
                    steps.push(key);
                }
            }
        }
    }
    (routes, steps)
}
