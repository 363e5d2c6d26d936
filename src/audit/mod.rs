//! Audit of real case histories: every case is decided (on every core, streamed through
//! [`crate::decide::batch::map_batch`]) and reduced on the deciding threads to a few facts;
//! the facts are folded into counts and histograms whose size depends on the number of
//! categories, roles, channels, months and days, never on the number of cases.
//!
//! What-if (`--compare`): each case is also decided under a second policy on the same thread,
//! and the differences (route, deadlines) are folded the same way.

mod names;
mod report;
mod schedule;

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, TimeZone};
use serde::Serialize;

use crate::decide::batch::{BatchOptions, BatchSummary, Input, Record, map_batch};
use crate::decide::{Case, Decision, Engine, FindingKind, Outcome, State};

pub use report::{Report, document};
pub use schedule::{Due, due_dates};

/// Examples kept per kind of problem, and breaches listed, at most by default.
pub const DEFAULT_LIST_LIMIT: usize = 1000;
const EXAMPLES: usize = 20;

/// What the deciding threads keep of one target of one case.
#[derive(Debug, Clone)]
pub struct TargetFacts {
    name: String,
    state: State,
    deadline: Option<i64>,
    stopped: Option<i64>,
    /// Clock seconds used up to the stop (or `as_of`), pauses excluded.
    used_seconds: Option<f64>,
    budget_seconds: Option<i64>,
    /// Escalation steps of this target that fired.
    fired: Vec<String>,
}

/// What the deciding threads keep of one case.
#[derive(Debug, Clone)]
pub struct CaseFacts {
    id: String,
    outcome: Outcome,
    category: String,
    channel: String,
    role: Option<String>,
    /// `YYYY-MM` and the date of receipt in the policy's zone.
    month: String,
    date: NaiveDate,
    targets: Vec<TargetFacts>,
    /// Procedure problems: a kind and what to say.
    problems: Vec<(&'static str, String)>,
    /// Callbacks up to the evaluation instant that recorded the customer's answer: how many
    /// were satisfied, and how many answered.
    satisfaction: (u32, u32),
    /// Under the compared policy.
    other: Option<Box<Comparison>>,
}

/// The same case under the compared policy.
#[derive(Debug, Clone)]
pub struct Comparison {
    role: Option<String>,
    targets: Vec<TargetFacts>,
    error: Option<String>,
}

fn target_facts(decision: &Decision<'_>) -> Vec<TargetFacts> {
    let mut out: Vec<TargetFacts> = Vec::new();
    for t in &decision.targets {
        let def = t.target;
        // A stage's targets are told apart from the SLA's: `review.resolve`.
        let name = match &def.stage {
            Some(stage) => format!("{stage}.{}", def.name),
            None => def.name.clone(),
        };
        let fired: Vec<String> = (decision.escalations.iter())
            .filter(|s| s.fired && s.step.target.as_deref() == Some(def.name.as_str()))
            .map(|s| format!("{} {}", s.step.ladder, s.step.trigger))
            .collect();
        // A target per occurrence counts each occurrence; others count their current cycle.
        let current = [t.current()];
        let cycles = if def.each && !t.cycles.is_empty() {
            &t.cycles[..]
        } else {
            &current[..]
        };
        for c in cycles {
            let used = c.consumed_seconds.map(|s| s as f64);
            out.push(TargetFacts {
                name: name.clone(),
                state: c.state,
                deadline: c.deadline.map(|d| d.secs),
                stopped: c.stopped_at.map(|s| s.secs),
                used_seconds: used,
                budget_seconds: c.budget_seconds,
                fired: fired.clone(),
            });
        }
    }
    if let Some(cb) = &decision.callback {
        out.push(TargetFacts {
            name: "callback".into(),
            state: cb.state,
            deadline: cb.due.map(|d| d.secs),
            stopped: cb.done_at.map(|d| d.secs),
            used_seconds: None,
            budget_seconds: None,
            fired: Vec::new(),
        });
    }
    out
}

/// Audits every record of `input`: each case is decided under `engine` at `as_of` (and under
/// `other` too for a what-if) on every core and folded into an [`Audit`] listing at most
/// `limit` breaches and malformed records. `progress` is called now and then with the counts
/// so far. Memory does not grow with the number of cases.
///
/// ```
/// use charter::decide::batch::Input;
/// # let (engine, _) = charter::load::engine("policies/complaint-office".as_ref()).map_err(|(e, _)| e.to_string())?;
/// let mut cases = "{\"id\":\"C-1\",\"received_at\":\"2026-11-16T10:00:00+08:00\",\"channel\":\"web\",\"category\":\"service_quality\",\"severity\":\"minor\"}\n{}\n".as_bytes();
/// let as_of = 1_796_011_200;
/// let (audit, summary) = charter::audit::run(&engine, None, Input::Ndjson(&mut cases), as_of, 10, &mut |_| {})?;
/// assert_eq!((audit.decided, audit.malformed_count, summary.records), (1, 1, 2));
/// let report = charter::audit::Report::of(&audit, &engine, as_of, None).expect("a version");
/// assert_eq!(serde_json::to_value(&report)?["input"]["decided"], 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn run(
    engine: &Engine,
    other: Option<&Engine>,
    input: Input<'_>,
    as_of: i64,
    limit: usize,
    progress: &mut dyn FnMut(&BatchSummary),
) -> std::io::Result<(Audit, BatchSummary)> {
    let mut audit = Audit::new(limit, other.is_some());
    let other = other.map(|e| (e, as_of));
    let map =
        |case: &Case, decision: &mut Decision<'_>| -> CaseFacts { facts(case, decision, other) };
    let mut consume = |records| {
        audit.add(records);
        Ok(())
    };
    let summary = map_batch(
        engine,
        input,
        BatchOptions { now: as_of },
        &map,
        &mut consume,
        progress,
    )?;
    Ok((audit, summary))
}

/// The version an audit reports under: the one that takes effect last.
pub fn latest(engine: &Engine) -> Option<&crate::check::Policy> {
    (engine.versions().iter())
        .max_by_key(|v| v.policy.effective)
        .map(|v| &v.policy)
}

/// Reduces a case and its decision (and, for what-if, its decision under `other`) to facts.
pub fn facts(case: &Case, decision: &Decision<'_>, other: Option<(&Engine, i64)>) -> CaseFacts {
    let tz = decision.evaluated_at.tz;
    let local = tz
        .timestamp_opt(case.received_at.secs, 0)
        .single()
        .map(|d| d.date_naive())
        .unwrap_or_default();
    let mut problems: Vec<(&'static str, String)> = Vec::new();
    for f in &decision.findings {
        let kind = match f.kind {
            FindingKind::CallbackChannel => "callback_wrong_channel",
            FindingKind::ExtensionWithoutReason => "extension_without_reason",
            FindingKind::ExtensionBeyondMax => "extension_beyond_max",
            FindingKind::SeparationOfDuties => "separation_of_duties",
            FindingKind::StageOrder => "stage_order",
            FindingKind::Fallback => "fallback_route",
            FindingKind::Unrouted => "unrouted",
            _ => continue,
        };
        problems.push((kind, f.message.clone()));
    }
    if let Some(why) = decision.unrouted()
        && why.kind == FindingKind::MissingAttribute
    {
        problems.push(("unroutable", why.message.clone()));
    }
    let targets = target_facts(decision);
    if decision.acceptance.outcome == Outcome::Incomplete
        && let Some(t) = targets
            .iter()
            .find(|t| t.stopped.is_some() && t.name != "acknowledge")
    {
        problems.push((
            "handled_while_incomplete",
            format!(
                "`{}` was reached while required fields ({}) were still missing",
                t.name,
                decision.acceptance.missing_fields.join(", ")
            ),
        ));
    }
    if let Some(cb) = &decision.callback
        && cb.satisfied == Some(false)
    {
        let after = cb.done_at.map_or(i64::MAX, |d| d.secs);
        let worked_on = case.events.iter().any(|e| e.at.secs > after);
        if !worked_on {
            problems.push((
                "dissatisfied_not_reopened",
                "the customer was dissatisfied at the callback and nothing happened on the case afterwards".into(),
            ));
        }
    }
    let other = other.map(|(engine, now)| {
        Box::new(match engine.decide(case, now) {
            Ok(d) => Comparison {
                role: d.route.as_ref().and_then(|r| r.role).map(str::to_string),
                targets: target_facts(&d),
                error: None,
            },
            Err(e) => Comparison {
                role: None,
                targets: Vec::new(),
                error: Some(e.to_string()),
            },
        })
    });
    let mut satisfaction = (0, 0);
    for e in &case.events {
        if e.kind == "callback"
            && e.at.secs <= decision.evaluated_at.secs
            && let Some(satisfied) = e.satisfied
        {
            satisfaction.0 += u32::from(satisfied);
            satisfaction.1 += 1;
        }
    }
    CaseFacts {
        id: case.id.to_string(),
        satisfaction,
        outcome: decision.acceptance.outcome,
        category: case.category.to_string(),
        channel: case.channel.to_string(),
        role: decision
            .route
            .as_ref()
            .and_then(|r| r.role)
            .map(str::to_string),
        month: format!("{:04}-{:02}", local.year(), local.month()),
        date: local,
        targets,
        problems,
        other,
    }
}

/// A histogram with logarithmic bins (1 % wide) of non-negative values: medians and
/// percentiles within 1 % in a few kilobytes, whatever the number of values.
#[derive(Debug, Clone, Default)]
pub struct Histogram {
    bins: BTreeMap<i32, u64>,
    count: u64,
}

const GROWTH: f64 = 1.01;

impl Histogram {
    fn add(&mut self, value: f64) {
        let bin = if value <= 0.0 {
            i32::MIN
        } else {
            (value.ln() / GROWTH.ln()).floor() as i32
        };
        *self.bins.entry(bin).or_default() += 1;
        self.count += 1;
    }

    /// The value at quantile `q` (0–1): the middle of the bin holding it.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        if self.count == 0 {
            return None;
        }
        let rank = ((q * self.count as f64).ceil() as u64).clamp(1, self.count);
        let mut seen = 0;
        for (&bin, &n) in &self.bins {
            seen += n;
            if seen >= rank {
                return Some(if bin == i32::MIN {
                    0.0
                } else {
                    GROWTH.powf(f64::from(bin) + 0.5)
                });
            }
        }
        None
    }

    /// Counts in the given upper bounds (the last bucket takes everything above).
    pub fn buckets(&self, bounds: &[f64]) -> Vec<u64> {
        let mut out = vec![0; bounds.len() + 1];
        for (&bin, &n) in &self.bins {
            let value = if bin == i32::MIN {
                0.0
            } else {
                GROWTH.powf(f64::from(bin) + 0.5)
            };
            let i = bounds
                .iter()
                .position(|b| value <= *b)
                .unwrap_or(bounds.len());
            out[i] += n;
        }
        out
    }
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// Attainment of one target in one group.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Attainment {
    /// Stopped by the deadline.
    pub met: u64,
    /// Stopped after it, or still open past it.
    pub breached: u64,
    /// Aims stopped after their deadline, or open past it (an aim never breaches).
    #[serde(skip_serializing_if = "is_zero")]
    pub missed: u64,
    /// Not stopped and not yet past the deadline.
    pub open: u64,
    /// Hours on the target's clock (working hours for working-time targets) from start to
    /// the stop event, for targets that stopped.
    #[serde(skip)]
    pub hours: Histogram,
}

impl Attainment {
    fn add(&mut self, t: &TargetFacts) {
        match t.state {
            State::Met => self.met += 1,
            State::Breached => self.breached += 1,
            State::Missed => self.missed += 1,
            _ => self.open += 1,
        }
        if t.stopped.is_some()
            && let Some(used) = t.used_seconds
        {
            self.hours.add(used / 3600.0);
        }
    }

    /// Met among met, breached and missed, in percent.
    pub fn percent_met(&self) -> Option<f64> {
        let closed = self.met + self.breached + self.missed;
        (closed > 0).then(|| self.met as f64 * 100.0 / closed as f64)
    }
}

/// Counts of one day of receipt, for the scheduled reports.
#[derive(Debug, Clone, Default)]
struct Day {
    received: u64,
    resolve_met: u64,
    resolve_breached: u64,
    breaches: u64,
}

/// How many cases had a procedure problem, and examples (case, message).
type Problems = (u64, Vec<(String, String)>);

/// A breach, for the breach list.
#[derive(Debug, Clone, Serialize)]
pub struct Breach {
    /// The case.
    pub case: String,
    /// The target.
    pub target: String,
    /// Its deadline (UTC seconds).
    #[serde(skip)]
    pub deadline: Option<i64>,
    /// When it stopped, if it did (UTC seconds).
    #[serde(skip)]
    pub stopped: Option<i64>,
    /// How far past the budget, in hours on the target's clock.
    pub overrun_hours: Option<f64>,
    /// The escalation steps that should have fired.
    pub escalations: Vec<String>,
}

/// The what-if figures.
#[derive(Debug, Clone, Default)]
pub struct WhatIf {
    /// Cases compared.
    pub compared: u64,
    /// Cases the other policy could not decide.
    pub failed: u64,
    /// Cases whose role changes, and examples (case, before, after).
    pub route_changes: u64,
    route_examples: Vec<(String, String, String)>,
    /// Per target: cases whose deadline moves earlier and later, and by how many hours.
    moves: BTreeMap<String, (u64, u64, Histogram, Histogram)>,
    move_examples: Vec<(String, String, i64, i64)>,
    /// Attainment per target under the other policy.
    after: BTreeMap<String, Attainment>,
}

/// Everything the audit counts.
#[derive(Debug, Default)]
pub struct Audit {
    /// Records read, decided, and refused.
    pub records: u64,
    /// Cases decided.
    pub decided: u64,
    /// Malformed records: (line, id, case error code, error), the first `limit`.
    pub malformed: Vec<(u64, Option<String>, &'static str, String)>,
    /// How many malformed records in all.
    pub malformed_count: u64,
    /// How many malformed records of each case error code (`C0001`…).
    pub malformed_by_code: BTreeMap<&'static str, u64>,
    outcomes: BTreeMap<&'static str, u64>,
    /// (dimension, group) -> target -> attainment; dimension "all" has the group "all".
    attainment: BTreeMap<(&'static str, String), BTreeMap<String, Attainment>>,
    breaches: Vec<Breach>,
    breach_count: u64,
    problems: BTreeMap<&'static str, Problems>,
    days: BTreeMap<NaiveDate, Day>,
    /// Answered callbacks: satisfied, and in all.
    satisfaction: (u64, u64),
    what_if: Option<WhatIf>,
    limit: usize,
}

impl Audit {
    /// An empty audit listing at most `limit` breaches and malformed records.
    pub fn new(limit: usize, comparing: bool) -> Audit {
        Audit {
            limit,
            what_if: comparing.then(WhatIf::default),
            ..Audit::default()
        }
    }

    /// Folds in a block of records.
    pub fn add(&mut self, records: Vec<Record<CaseFacts>>) {
        for record in records {
            self.records += 1;
            match record {
                Record::Failed {
                    line,
                    code,
                    id,
                    error,
                    field,
                } => {
                    self.malformed_count += 1;
                    *self.malformed_by_code.entry(code.code()).or_default() += 1;
                    if self.malformed.len() < self.limit {
                        let error = match field {
                            Some(f) if !matches!(f.as_str(), "" | "?" | ".") => {
                                format!("{f}: {error}")
                            }
                            _ => error,
                        };
                        self.malformed.push((line, id, code.code(), error));
                    }
                }
                Record::Decided { value, .. } => self.add_case(value),
            }
        }
    }

    fn add_case(&mut self, case: CaseFacts) {
        self.decided += 1;
        let outcome = match case.outcome {
            Outcome::Accepted => "accepted",
            Outcome::Redirected => "redirected",
            Outcome::Incomplete => "incomplete",
        };
        *self.outcomes.entry(outcome).or_default() += 1;
        self.satisfaction.0 += u64::from(case.satisfaction.0);
        self.satisfaction.1 += u64::from(case.satisfaction.1);
        let day = self.days.entry(case.date).or_default();
        day.received += 1;
        let groups: [(&'static str, Option<&str>); 5] = [
            ("all", Some("all")),
            ("category", Some(&case.category)),
            ("role", case.role.as_deref()),
            ("channel", Some(&case.channel)),
            ("month", Some(&case.month)),
        ];
        for t in &case.targets {
            for (dimension, group) in groups {
                let Some(group) = group else { continue };
                self.attainment
                    .entry((dimension, group.to_string()))
                    .or_default()
                    .entry(t.name.clone())
                    .or_default()
                    .add(t);
            }
            if t.name == "resolve" {
                match t.state {
                    State::Met => day.resolve_met += 1,
                    State::Breached => day.resolve_breached += 1,
                    _ => {}
                }
            }
            if t.state == State::Breached {
                day.breaches += 1;
                self.breach_count += 1;
                if self.breaches.len() < self.limit {
                    let overrun = match (t.used_seconds, t.budget_seconds) {
                        (Some(u), Some(b)) => Some(((u - b as f64) / 3600.0).max(0.0)),
                        _ => None,
                    };
                    self.breaches.push(Breach {
                        case: case.id.clone(),
                        target: t.name.clone(),
                        deadline: t.deadline,
                        stopped: t.stopped,
                        overrun_hours: overrun,
                        escalations: t.fired.clone(),
                    });
                }
            }
        }
        for (kind, message) in case.problems {
            let entry = self.problems.entry(kind).or_default();
            entry.0 += 1;
            if entry.1.len() < EXAMPLES {
                entry.1.push((case.id.clone(), message));
            }
        }
        if let (Some(w), Some(other)) = (&mut self.what_if, case.other) {
            w.compared += 1;
            if let Some(e) = other.error {
                w.failed += 1;
                if w.route_examples.len() < EXAMPLES {
                    w.route_examples.push((case.id.clone(), "—".into(), e));
                }
                return;
            }
            if other.role != case.role {
                w.route_changes += 1;
                if w.route_examples.len() < EXAMPLES {
                    let name = |r: &Option<String>| r.clone().unwrap_or_else(|| "—".into());
                    w.route_examples
                        .push((case.id.clone(), name(&case.role), name(&other.role)));
                }
            }
            for after in &other.targets {
                w.after.entry(after.name.clone()).or_default().add(after);
                let Some(before) = case.targets.iter().find(|t| t.name == after.name) else {
                    continue;
                };
                if let (Some(a), Some(b)) = (before.deadline, after.deadline)
                    && a != b
                {
                    let entry = w.moves.entry(after.name.clone()).or_default();
                    let hours = (b - a) as f64 / 3600.0;
                    if b < a {
                        entry.0 += 1;
                        entry.2.add(-hours);
                    } else {
                        entry.1 += 1;
                        entry.3.add(hours);
                    }
                    if w.move_examples.len() < EXAMPLES {
                        w.move_examples
                            .push((case.id.clone(), after.name.clone(), a, b));
                    }
                }
            }
        }
    }
}
