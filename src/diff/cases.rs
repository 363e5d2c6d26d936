//! How many real cases each change affects: every case of a file decided under both versions
//! (as if each were in force when the case was received), on every core, through the batch
//! pipeline; each case whose role or deadline differs is counted against the change that
//! explains it.

use serde::Serialize;

use crate::check::{Checked, Policy};
use crate::decide::batch::{BatchOptions, BatchSummary, Input, Record, map_batch};
use crate::decide::{Case, Decision, Engine, EngineError};
use crate::diff::Diff;

/// What the cases of a file show of a change.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct CaseCounts {
    /// Records read.
    pub records: u64,
    /// Cases decided under both versions.
    pub compared: u64,
    /// Records that are not cases, or that one version cannot decide.
    pub errors: u64,
    /// Cases whose role changes.
    pub route_changed: u64,
    /// Cases at least one of whose deadlines moves.
    pub deadline_changed: u64,
    /// Cases whose difference no change of the comparison explains (a case missing an
    /// attribute a rule asks about is routed by the rules for missing facts, which the
    /// comparison of cases that give every fact does not cover).
    pub unexplained: u64,
    /// The first 50 records that could not be compared, by line, with why.
    pub failures: Vec<CaseFailure>,
}

/// Records listed as not compared, at most; all are counted.
pub const LISTED: usize = 50;

/// A record that could not be compared.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CaseFailure {
    /// 1-based line of the file.
    pub line: u64,
    /// The case's id, when it could be read.
    pub id: Option<String>,
    /// The stable code of a case error (`C0005`…), when it is one.
    pub code: Option<&'static str>,
    /// What is wrong, and under which version.
    pub error: String,
}

/// One case under both versions: its roles, and each SLA target whose deadline differs (name,
/// limit before, limit after, each with its calendar).
struct Compared {
    roles: (Option<String>, Option<String>),
    moved: Vec<(String, Option<String>, Option<String>)>,
}

/// An engine that decides every case under `policy`, whatever its effective date.
fn engine_of(policy: &Policy) -> Result<Engine, EngineError> {
    let mut policy = policy.clone();
    policy.effective = None;
    Engine::new(Checked {
        versions: vec![policy],
        diagnostics: Vec::new(),
        symbols: Default::default(),
    })
}

fn limits(decision: &Decision<'_>) -> Vec<(String, String, Option<i64>)> {
    (decision.targets.iter())
        .filter(|t| t.target.stage.is_none())
        .map(|t| {
            (
                t.target.name.clone(),
                t.target.within.to_string(),
                t.deadline.map(|d| d.secs),
            )
        })
        .collect()
}

/// Decides the cases of `input` under `old` and `new` and counts, into `diff`'s changes, the
/// cases each affects (`now`: the evaluation instant, UTC seconds).
///
/// ```
/// use charter::decide::batch::Input;
/// use charter::diff::{Version, compare, count_cases};
/// let loaded = charter::syntax::load("policies/ecommerce-after-sales".as_ref());
/// let checked = charter::check::check(&loaded);
/// let (old, new) = (&checked.versions[0], &checked.versions[1]);
/// let mut diff = compare(&Version::of(&loaded, old), &Version::of(&loaded, new), charter::render::Lang::En);
/// let case = r#"{"id":"E-1","received_at":"2026-11-02T10:00:00+08:00","channel":"chat","category":"returns","severity":"normal","fields":{"order_no":"1","customer":"a"}}"#;
/// let input = format!("{case}\n").into_bytes();
/// let counts = count_cases(&mut diff, old, new, Input::Ndjson(&mut input.as_slice()), 1_796_011_200, &mut |_| {})?;
/// assert_eq!((counts.compared, counts.deadline_changed), (1, 1));
/// assert_eq!(diff.deadlines[0].cases, Some(1));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn count_cases(
    diff: &mut Diff,
    old: &Policy,
    new: &Policy,
    input: Input<'_>,
    now: i64,
    progress: &mut dyn FnMut(&BatchSummary),
) -> Result<CaseCounts, std::io::Error> {
    let invalid = |e: EngineError| std::io::Error::other(e.to_string());
    let (before, after) = (
        engine_of(old).map_err(invalid)?,
        engine_of(new).map_err(invalid)?,
    );
    let compare =
        |case: &Case, decision: &mut Decision<'_>| -> Result<Compared, (&'static str, String)> {
            let other = after.decide(case, now).map_err(|e| {
                (
                    e.code().code(),
                    format!("the new version cannot decide it: {e}"),
                )
            })?;
            let role = |d: &Decision<'_>| d.route.as_ref().and_then(|r| r.role).map(str::to_string);
            let (was, is) = (limits(decision), limits(&other));
            let mut moved = Vec::new();
            for (name, within, due) in &was {
                let now_within = is.iter().find(|(n, ..)| n == name);
                if now_within.map(|(.., d)| d) != Some(due) {
                    moved.push((
                        name.clone(),
                        Some(within.clone()),
                        now_within.map(|(_, w, _)| w.clone()),
                    ));
                }
            }
            for (name, within, _) in &is {
                if !was.iter().any(|(n, ..)| n == name) {
                    moved.push((name.clone(), None, Some(within.clone())));
                }
            }
            Ok(Compared {
                roles: (role(decision), role(&other)),
                moved,
            })
        };
    let mut counts = CaseCounts::default();
    let mut fold = |records: Vec<Record<Result<Compared, (&'static str, String)>>>| {
        for record in records {
            counts.records += 1;
            let failure = match record {
                Record::Decided { value: Ok(c), .. } => Ok(c),
                Record::Decided {
                    line,
                    id,
                    value: Err((code, error)),
                } => Err(CaseFailure {
                    line,
                    id: Some(id),
                    code: Some(code),
                    error,
                }),
                Record::Failed {
                    line,
                    code,
                    id,
                    error,
                    ..
                } => {
                    // A record that reads as a case was refused by the old version; one that
                    // does not read, or repeats an id, is no case at all.
                    let refused = id.is_some() && code != crate::decide::Code::DuplicateId;
                    Err(CaseFailure {
                        line,
                        id,
                        code: Some(code.code()),
                        error: if refused {
                            format!("the old version cannot decide it: {error}")
                        } else {
                            error
                        },
                    })
                }
            };
            let c = match failure {
                Ok(c) => c,
                Err(f) => {
                    counts.errors += 1;
                    if counts.failures.len() < LISTED {
                        counts.failures.push(f);
                    }
                    continue;
                }
            };
            counts.compared += 1;
            let mut explained = true;
            if c.roles.0 != c.roles.1 {
                counts.route_changed += 1;
                let name = |r: &Option<crate::diff::Role>| r.as_ref().map(|r| r.name.clone());
                match (diff.routing.iter_mut())
                    .find(|r| name(&r.from) == c.roles.0 && name(&r.to) == c.roles.1)
                {
                    Some(change) => *change.cases.get_or_insert(0) += 1,
                    None => explained = false,
                }
            }
            if !c.moved.is_empty() {
                counts.deadline_changed += 1;
            }
            for (target, from, to) in &c.moved {
                let within = |l: &Option<crate::diff::Limit>| l.as_ref().map(|l| l.within.clone());
                match (diff.deadlines.iter_mut()).find(|d| {
                    &d.target == target && within(&d.from) == *from && within(&d.to) == *to
                }) {
                    Some(change) => *change.cases.get_or_insert(0) += 1,
                    None => {
                        // The same limit on a calendar whose hours changed.
                        match (diff.deadlines.iter_mut()).find(|d| &d.target == target) {
                            Some(change) if from == to => *change.cases.get_or_insert(0) += 1,
                            _ => explained = false,
                        }
                    }
                }
            }
            if !explained {
                counts.unexplained += 1;
            }
        }
        Ok(())
    };
    map_batch(
        &before,
        input,
        BatchOptions { now },
        &compare,
        &mut fold,
        progress,
    )?;
    for change in &mut diff.routing {
        change.cases.get_or_insert(0);
    }
    for change in &mut diff.deadlines {
        change.cases.get_or_insert(0);
    }
    diff.cases = Some(counts.clone());
    Ok(counts)
}
