//! Replay: a decision log's cases decided again, each at the instant it was decided, and
//! compared with what was answered then.
//!
//! Under the policy version that decided (the same digest) the decision must come out the
//! same, byte for byte but for nothing: a difference is a bug in charter and is reported as
//! such. Under another policy (or another version) it is a what-if: which answered decisions
//! would change, and how, field by field. A logged case whose digest does not match its text
//! has been altered since, and is reported instead of decided.

mod what_if;

use serde::Serialize;
use serde_json::Value;

pub use what_if::{Deadlines, Moved, Moves, WhatIf};

use crate::decide::{Case, Engine};
use crate::record::input_digest;
use crate::record::log::{Entry, LogError, LogLocation, read_all};

/// The most changed decisions listed in a report (all are counted).
pub const LISTED: usize = 1000;

/// What a replay found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Replay {
    /// Decisions read from the log.
    pub decisions: u64,
    /// Decided again exactly as answered.
    pub identical: u64,
    /// Decided differently, or refused, where the logged decision was made by another policy
    /// version (a what-if).
    pub changed: u64,
    /// Decided differently under the very policy version that decided (same digest): a bug.
    pub mismatched: u64,
    /// Logged entries whose case does not match its digest, or that cannot be read as a case
    /// and a decision: altered or damaged since they were written.
    pub damaged: u64,
    /// Entries whose personal fields the log holds as keyed hashes: decided again as logged,
    /// but their digest cannot be checked (it is of the case before its fields were hashed).
    pub redacted: u64,
    /// The differing decisions, in log order (at most [`LISTED`]).
    pub changes: Vec<Change>,
    /// Under another policy: where every changed decision moves (handlers, outcomes,
    /// deadlines), over all of them, listed or not.
    pub what_if: WhatIf,
}

impl Replay {
    /// Whether every decision came out as it was answered.
    pub fn identical(&self) -> bool {
        self.decisions == self.identical
    }
}

/// One decision that did not come out as answered.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    /// The logged decision's id.
    pub decision_id: String,
    /// The case's id.
    pub case: String,
    /// `changed`, `mismatched` or `damaged`.
    pub kind: &'static str,
    /// The policy version that decided then.
    pub logged_version: String,
    /// Its digest.
    pub logged_digest: String,
    /// The version that decided the replay (empty when the case was refused or damaged).
    pub replayed_version: String,
    /// Its digest (empty when the case was refused or damaged).
    pub replayed_digest: String,
    /// What differs: each field's path (JSON Pointer) with the logged and the replayed value;
    /// for a refused or damaged entry, one entry saying why.
    pub fields: Vec<FieldChange>,
    /// For a `changed` decision, its moves, for the what-if.
    #[serde(skip)]
    pub moves: Option<Moves>,
}

/// One field that differs.
#[derive(Debug, Clone, Serialize)]
pub struct FieldChange {
    /// JSON Pointer into the decision (`/route/role`, `/targets/1/deadline`).
    pub path: String,
    /// As answered then (`null` when absent).
    pub logged: Value,
    /// As decided now (`null` when absent).
    pub replayed: Value,
}

/// Decides every case of the log at `location` (a SQLite file or a PostgreSQL database) again with `engine` and compares. `progress` is
/// called with the number of decisions read so far, every 10,000.
///
/// ```
/// use charter::record::log::{DecisionLog, Entry};
/// # let (engine, _) = charter::load::engine("policies/complaint-office".as_ref()).map_err(|(e, _)| e.to_string())?;
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("decisions.sqlite");
/// let log = DecisionLog::open(&path)?;
/// let case = charter::decide::Case::from_json(r#"{"id":"C-1","received_at":"2026-11-16T10:00:00+08:00","channel":"web","category":"billing","severity":"minor"}"#)?;
/// let mut decision = engine.decide(&case, 1_796_011_200)?;
/// charter::record::stamp(&mut decision, &case)?;
/// let mut answer = Vec::new();
/// decision.write_json(&mut answer);
/// log.append_wait(Entry {
///     id: decision.decision_id.unwrap_or_else(|| unreachable!()),
///     logged_at: 1_796_011_200_000,
///     caller: None,
///     policy_name: decision.policy.name.into(),
///     policy_version: decision.policy.version.into(),
///     policy_digest: decision.policy.digest.into(),
///     input_digest: charter::record::input_digest(&case),
///     evaluated_at: 1_796_011_200,
///     case: charter::record::canonical_case(&case),
///     decision: String::from_utf8(answer)?,
///     redacted: Vec::new(),
/// })?;
/// let replay = charter::record::replay::replay(&path.into(), &engine, &mut |_| {})?;
/// assert!(replay.identical() && replay.decisions == 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn replay(
    location: &LogLocation,
    engine: &Engine,
    progress: &mut dyn FnMut(u64),
) -> Result<Replay, LogError> {
    let mut report = Replay::default();
    let mut what_if = what_if::Folding::default();
    read_all(location, &mut |entry| {
        report.decisions += 1;
        if report.decisions % 10_000 == 0 {
            progress(report.decisions);
        }
        if !entry.redacted.is_empty() {
            report.redacted += 1;
        }
        match compare(engine, &entry) {
            None => report.identical += 1,
            Some(mut change) => {
                if let Some(moves) = change.moves.take() {
                    what_if.add(moves);
                }
                match change.kind {
                    "mismatched" => report.mismatched += 1,
                    "damaged" => report.damaged += 1,
                    _ => report.changed += 1,
                }
                if report.changes.len() < LISTED {
                    report.changes.push(change);
                }
            }
        }
        true
    })?;
    report.what_if = what_if.finish();
    Ok(report)
}

/// The entry decided again; `None` when it comes out as answered.
fn compare(engine: &Engine, entry: &Entry) -> Option<Change> {
    let logged: Option<Value> = serde_json::from_str(&entry.decision).ok();
    let mut change = Change {
        decision_id: entry.id.to_string(),
        case: logged
            .as_ref()
            .and_then(|d| d["case"].as_str())
            .unwrap_or_default()
            .to_string(),
        kind: "damaged",
        logged_version: entry.policy_version.clone(),
        logged_digest: entry.policy_digest.clone(),
        replayed_version: String::new(),
        replayed_digest: String::new(),
        fields: Vec::new(),
        moves: None,
    };
    let why = |text: String| FieldChange {
        path: String::new(),
        logged: Value::Null,
        replayed: Value::String(text),
    };
    let case = match Case::from_json(&entry.case) {
        Ok(case) => case,
        Err(e) => {
            change
                .fields
                .push(why(format!("the logged case cannot be read: {e}")));
            return Some(change);
        }
    };
    if entry.redacted.is_empty() && input_digest(&case) != entry.input_digest {
        change.fields.push(why(
            "the logged case does not match its input_digest: it was altered after it was logged"
                .into(),
        ));
        return Some(change);
    }
    let Some(logged) = logged else {
        change
            .fields
            .push(why("the logged decision is not JSON".into()));
        return Some(change);
    };
    change.case = case.id.to_string();
    let evaluated = crate::decide::Timestamp {
        secs: entry.evaluated_at,
        offset: 0,
    };
    if !evaluated.within_years() {
        change.fields.push(why(format!(
            "its evaluated_at ({}) is outside the years charter computes; the log was altered or damaged",
            entry.evaluated_at
        )));
        return Some(change);
    }
    let mut decision = match engine.decide(&case, entry.evaluated_at) {
        Ok(decision) => decision,
        Err(e) => {
            // Refused under the very version that decided it: not a what-if.
            let same = engine
                .versions()
                .iter()
                .any(|v| v.digest == entry.policy_digest);
            change.kind = if same { "mismatched" } else { "changed" };
            if !same {
                change.moves = Some(Moves::refused(&logged));
            }
            change.fields.push(why(format!("refused now: {e}")));
            return Some(change);
        }
    };
    // The replay is the same decision: it keeps the logged id and digest.
    decision.decision_id = Some(entry.id);
    decision.input_digest = Some(entry.input_digest);
    let mut answer = Vec::new();
    decision.write_json(&mut answer);
    if answer == entry.decision.as_bytes() {
        return None;
    }
    let replayed: Value = serde_json::from_slice(&answer).unwrap_or_default();
    let same_version = decision.policy.digest == entry.policy_digest;
    change.replayed_version = decision.policy.version.to_string();
    change.replayed_digest = decision.policy.digest.to_string();
    change.kind = if same_version {
        "mismatched"
    } else {
        "changed"
    };
    // Under another version, what the decision says about the case; the explanation and the
    // rule references (file, line, text) name the other policy's text and are left out.
    let skip: &[&str] = if same_version {
        &[]
    } else {
        &["explain", "policy", "rule"]
    };
    differences(
        &logged,
        &replayed,
        &mut String::new(),
        skip,
        &mut change.fields,
    );
    if !same_version && !change.fields.is_empty() {
        change.moves = Some(Moves::between(&logged, &replayed));
    }
    if change.fields.is_empty() {
        if same_version {
            // Equal as JSON values but not as bytes: still not what was answered.
            change
                .fields
                .push(why("the same fields, written differently".into()));
        } else {
            return None;
        }
    }
    Some(change)
}

/// The fields where `a` and `b` differ, as JSON Pointers under `path`, leaving out members
/// named in `skip`.
fn differences(a: &Value, b: &Value, path: &mut String, skip: &[&str], out: &mut Vec<FieldChange>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for key in keys {
                if skip.contains(&key.as_str()) {
                    continue;
                }
                let len = path.len();
                path.push('/');
                path.push_str(&key.replace('~', "~0").replace('/', "~1"));
                let none = Value::Null;
                differences(
                    x.get(key).unwrap_or(&none),
                    y.get(key).unwrap_or(&none),
                    path,
                    skip,
                    out,
                );
                path.truncate(len);
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                let len = path.len();
                path.push('/');
                path.push_str(&i.to_string());
                differences(p, q, path, skip, out);
                path.truncate(len);
            }
        }
        _ if a == b => {}
        _ => out.push(FieldChange {
            path: path.clone(),
            logged: a.clone(),
            replayed: b.clone(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn differences_are_json_pointers_to_the_leaves_that_differ() {
        let a = serde_json::json!({"route": {"role": "a", "rule": 1}, "targets": [{"deadline": "x"}, {"deadline": "y"}], "explain": ["p"], "a/b": 1});
        let b = serde_json::json!({"route": {"role": "b", "rule": 2}, "targets": [{"deadline": "x"}, {"deadline": "z"}], "explain": ["q"], "a/b": 1, "new": true});
        let mut out = Vec::new();
        differences(&a, &b, &mut String::new(), &["explain", "rule"], &mut out);
        let paths: Vec<&str> = out.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(paths, ["/new", "/route/role", "/targets/1/deadline"]);
        assert_eq!(out[1].logged, "a");
        assert_eq!(out[1].replayed, "b");
    }
}
