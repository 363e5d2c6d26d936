//! A case checked against one policy version: every name resolved to the policy's index, every
//! attribute typed, events in order. All problems are collected, each naming its field.

use smallvec::SmallVec;

use crate::check::KNOWN_EVENTS;
use crate::decide::case::{Case, Event};
use crate::decide::engine::Version;
use crate::decide::names::{EventKinds, Kind, Kinds, NameIndex};
use crate::decide::problem::{CaseError, Code, Problem};
use crate::spelling::nearest;
use crate::time::Span;
use crate::vocabulary::AttrType;

/// A typed attribute value of a case.
#[derive(Debug, Clone, Copy)]
pub(crate) enum AttrVal<'c> {
    Number(f64),
    Text(&'c str),
    Bool(bool),
    Set(&'c [serde_json::Value]),
}

/// An event with its names resolved.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ev<'c> {
    pub at: i64,
    /// The kind, as the version numbers it.
    pub kind: Kind,
    pub event: &'c Event,
    /// For `stage`: the stage's index.
    pub stage: Option<usize>,
    /// For `extended`: the amount.
    pub by: Option<Span>,
}

/// The facts of a case, in the policy's terms.
#[derive(Debug)]
pub(crate) struct Facts<'c> {
    pub received: i64,
    pub now: i64,
    pub channel: usize,
    pub category: usize,
    pub severity: Option<usize>,
    /// By attribute index (policies declare a handful; more spill to the heap).
    pub attrs: SmallVec<[Option<AttrVal<'c>>; 8]>,
    /// Required fields the case lacks (field indices), noted by [`note_missing_fields`] for a
    /// decision.
    pub missing_fields: Vec<usize>,
    /// Events up to `now`, oldest first (a case has a handful; more spill to the heap).
    pub events: SmallVec<[Ev<'c>; 8]>,
    /// Events after `now`, left out.
    pub later_events: usize,
    /// The kinds of `events`, and where each is.
    pub kinds: EventKinds,
    /// Every event's kind and position, in that order, for a case with more events than the
    /// kinds' masks hold (empty otherwise): where a kind next occurs is then a binary search,
    /// not a scan, so that a case of many events is decided in time in proportion to them.
    pub by_kind: Vec<(Kind, usize)>,
}

impl Facts<'_> {
    /// The facts of a case received at `received`, at `now`, before it is validated.
    pub fn new(received: i64, now: i64) -> Self {
        Facts {
            received,
            now,
            channel: 0,
            category: 0,
            severity: None,
            attrs: SmallVec::new(),
            missing_fields: Vec::new(),
            events: SmallVec::new(),
            later_events: 0,
            kinds: EventKinds::default(),
            by_kind: Vec::new(),
        }
    }
}

/// Checks `case` against the policy of `version` and resolves it into `facts` (made by
/// [`Facts::new`]), or returns every problem. The facts are filled in place: they are too
/// large to be moved around for every case.
pub(crate) fn validate<'c>(
    case: &'c Case,
    version: &Version,
    facts: &mut Facts<'c>,
) -> Result<(), CaseError> {
    let policy = &version.policy;
    let names = &version.names;
    let mut problems = Vec::new();
    let mut problem = |code: Code, field: String, message: String| {
        problems.push(Problem {
            code,
            field,
            message,
        })
    };
    if !case.received_at.within_years() {
        problem(
            Code::OutsideYears,
            "received_at".into(),
            crate::decide::outside_years(&case.received_at.to_string()),
        );
    }
    if blank(&case.id) {
        problem(
            Code::BlankId,
            "id".into(),
            "is empty; give the case its identifier".into(),
        );
    }
    let channel = lookup(&names.channels, &case.channel, "channel", &mut problem);
    let category = lookup(&names.categories, &case.category, "category", &mut problem);
    facts.severity = case
        .severity
        .as_ref()
        .and_then(|s| lookup(&names.severities, s, "severity", &mut problem));
    fill(&mut facts.attrs, &NO_ATTRS, policy.attributes.len());
    // A slice from here on: a `SmallVec` checks where its items are at every access.
    let attrs: &mut [Option<AttrVal<'c>>] = &mut facts.attrs;
    for (name, value) in &case.attributes {
        let field = || format!("attributes.{name}");
        let Some(i) = names.attributes.get(name) else {
            unknown_attribute(name, policy, &mut problem);
            continue;
        };
        let ty = policy.attributes[i].ty;
        match typed(value, ty) {
            Ok(v) => attrs[i] = v,
            Err(got) => problem(
                Code::AttributeType,
                field(),
                format!(
                    "`{name}` is a {} in the policy, but the case gives {got}",
                    ty.name()
                ),
            ),
        }
    }
    // Most cases routed or decided on receipt have none.
    if !case.events.is_empty() {
        check_events(case, version, facts, &mut problem);
    }
    match (channel, category) {
        (Some(channel), Some(category)) if problems.is_empty() => {
            facts.channel = channel;
            facts.category = category;
            Ok(())
        }
        _ => Err(CaseError {
            id: case.id.to_string(),
            problems,
        }),
    }
}

/// Checks the events of `case` and resolves those up to `facts.now` into `facts`, oldest first;
/// later ones are counted. Each problem is passed to `problem`.
fn check_events<'c>(
    case: &'c Case,
    version: &Version,
    facts: &mut Facts<'c>,
    problem: &mut impl FnMut(Code, String, String),
) {
    let policy = &version.policy;
    let names = &version.names;
    let (received, now) = (facts.received, facts.now);
    let events = &mut facts.events;
    events.reserve(case.events.len());
    let mut later_events = 0;
    let mut previous = received;
    for (n, event) in case.events.iter().enumerate() {
        let at = event.at.secs;
        let place = |what: &str| format!("events[{n}].{what}");
        if at < received {
            problem(
                Code::EventBeforeReceipt,
                place("at"),
                format!(
                    "{} is before `received_at` ({}); fix the time or `received_at`",
                    event.at, case.received_at
                ),
            );
        } else if at < previous {
            problem(
                Code::EventsOutOfOrder,
                place("at"),
                format!(
                    "{} is earlier than the event before it; list events oldest first",
                    event.at
                ),
            );
        }
        previous = previous.max(at);
        let kind = names.kinds.code(&event.kind);
        if kind == Kind::OTHER {
            unknown_kind(&event.kind, &names.kinds, &mut |m| {
                problem(Code::UnknownEventKind, place("kind"), m)
            });
        }
        let stage = match (kind, &event.stage) {
            (Kind::STAGE, None) => {
                problem(
                    Code::EventIncomplete,
                    place("stage"),
                    "a `stage` event names the stage entered".into(),
                );
                None
            }
            (_, Some(s)) => lookup(&names.stages, s, "stage", &mut |c, f, m| {
                problem(c, place(&f), m)
            }),
            _ => None,
        };
        if let Some(via) = &event.via {
            lookup(&names.channels, via, "via", &mut |c, f, m| {
                problem(c, place(&f), m)
            });
        }
        let by = match (kind, &event.by) {
            (Kind::EXTENDED, None) => {
                problem(
                    Code::EventIncomplete,
                    place("by"),
                    "an `extended` event says by how much, e.g. `\"by\": \"3 working days\"`"
                        .into(),
                );
                None
            }
            (_, Some(by)) => match by.parse::<Span>() {
                Ok(span) => Some(span),
                Err(e) => {
                    problem(Code::BadDuration, place("by"), e.to_string());
                    None
                }
            },
            _ => None,
        };
        if kind == Kind::EXTENDED && event.target.is_none() && policy.extensions.len() > 1 {
            problem(
                Code::EventIncomplete,
                place("target"),
                format!(
                    "an `extended` event names no target, and the policy lets {} be extended; say which with `\"target\": \"…\"`",
                    list(policy.extensions.iter().map(|x| x.target.as_str()))
                ),
            );
        }
        if let Some(target) = &event.target
            && names.targets.get(target).is_none()
        {
            let names = target_names(&names.targets);
            let hint = match nearest(target, names.iter().copied()) {
                Some(n) => format!("did you mean `{n}`?"),
                None => format!("the policy's targets are {}", list(names.iter().copied())),
            };
            problem(
                Code::UnknownTarget,
                place("target"),
                format!("`{target}` is not a target of the policy; {hint}"),
            );
        }
        if at > now {
            later_events += 1;
            continue;
        }
        facts.kinds.insert(kind, events.len());
        events.push(Ev {
            at,
            kind,
            event,
            stage,
            by,
        });
    }
    facts.later_events = later_events;
    if events.len() > EventKinds::EVENTS {
        facts.by_kind = by_kind(events);
    }
}

/// Notes in `facts` (validated) the fields the policy requires of the case's category that
/// the case lacks. A field that is absent, `null` or blank is missing; fields the policy does
/// not declare are the caller's business. A decision reports them; routing does not read them.
#[inline]
pub(crate) fn note_missing_fields(case: &Case, version: &Version, facts: &mut Facts<'_>) {
    let policy = &version.policy;
    if policy.fields.is_empty() {
        return;
    }
    let mut given: SmallVec<[bool; 16]> = SmallVec::new();
    fill(&mut given, &[false; 16], policy.fields.len());
    let given: &mut [bool] = &mut given;
    for (name, value) in &case.fields {
        if let Some(i) = version.names.fields.get(name) {
            given[i] = match value {
                serde_json::Value::Null => false,
                serde_json::Value::String(s) => !blank(s),
                _ => true,
            };
        }
    }
    // Most cases lack nothing: the list stays without memory.
    for (i, (f, given)) in policy.fields.iter().zip(given.iter()).enumerate() {
        if !*given && f.required_for(facts.category) {
            facts.missing_fields.push(i);
        }
    }
}

/// Every event's kind and position, sorted (see [`Facts::by_kind`]).
#[cold]
#[inline(never)]
fn by_kind(events: &[Ev<'_>]) -> Vec<(Kind, usize)> {
    let mut by_kind: Vec<(Kind, usize)> = (events.iter().enumerate())
        .map(|(i, e)| (e.kind, i))
        .collect();
    by_kind.sort_unstable();
    by_kind
}

/// The problem of an attribute the policy does not declare: the nearest it does, or which.
#[cold]
fn unknown_attribute(
    name: &str,
    policy: &crate::check::Policy,
    problem: &mut impl FnMut(Code, String, String),
) {
    let declared = || policy.attributes.iter().map(|a| a.named.name.as_str());
    let hint = match nearest(name, declared()) {
        Some(n) => format!("; did you mean `{n}`?"),
        None if policy.attributes.is_empty() => "; the policy declares no attributes".to_string(),
        None => format!("; the policy declares {}", list(declared())),
    };
    problem(
        Code::UnknownAttribute,
        format!("attributes.{name}"),
        format!("`{name}` is not an attribute of the policy{hint}"),
    );
}

/// An event kind the version does not number: empty, one of the language's own that the
/// policy does not time (`acknowledged` in a policy without an `acknowledge` target), or
/// unknown to both, which is an error: a misspelt `resume` must not pass as a custom event
/// and leave a pause running.
#[cold]
fn unknown_kind(kind: &str, kinds: &Kinds, problem: &mut impl FnMut(String)) {
    if blank(kind) {
        problem("is empty; name what happened (e.g. `acknowledged`)".into());
        return;
    }
    if KNOWN_EVENTS.contains(&kind) {
        return;
    }
    let known = || {
        let mut known: Vec<&str> = KNOWN_EVENTS
            .iter()
            .copied()
            .filter(|k| *k != "received")
            .collect();
        known.extend(kinds.names().filter(|k| !KNOWN_EVENTS.contains(k)));
        known
    };
    let hint = match nearest(kind, known().into_iter()) {
        Some(near) => format!("did you mean `{near}`?"),
        None => format!("the kinds are {}", list(known().into_iter())),
    };
    problem(format!(
        "`{kind}` is not an event kind of the language or the policy; {hint} (a policy names its own kinds with `event NAME`)"
    ));
}

/// No attribute values, as many as the facts hold inline.
const NO_ATTRS: [Option<AttrVal<'static>>; 8] = [None; 8];

/// Appends `n` copies of a value to `list`, from `copies` of it: an empty list that holds
/// them inline becomes the array itself (a copy of a few words, where appending a slice
/// reserves, moves and calls `memcpy`); otherwise they are copied from the array, or, past
/// its length, filled one by one.
fn fill<T: Copy, const N: usize>(list: &mut SmallVec<[T; N]>, copies: &[T; N], n: usize)
where
    [T; N]: smallvec::Array<Item = T>,
{
    const { assert!(N > 0, "the copies hold the value") };
    if n <= N && list.is_empty() && !list.spilled() {
        *list = SmallVec::from_buf_and_len(*copies, n);
        return;
    }
    match copies.get(..n) {
        Some(copies) => list.extend_from_slice(copies),
        None => list.resize(list.len() + n, copies[0]),
    }
}

/// The position of `name` in `index`, or a problem naming the nearest name of the policy.
#[inline(always)]
fn lookup(
    index: &NameIndex,
    name: &str,
    what: &str,
    problem: &mut impl FnMut(Code, String, String),
) -> Option<usize> {
    match index.get(name) {
        Some(i) => Some(i),
        None => {
            unknown(index, name, what, problem);
            None
        }
    }
}

/// The problem of a name `index` does not hold: which names it does hold, or the nearest.
#[cold]
fn unknown(
    index: &NameIndex,
    name: &str,
    what: &str,
    problem: &mut impl FnMut(Code, String, String),
) {
    let hint = match nearest(name, index.names()) {
        Some(n) => format!("did you mean `{n}`?"),
        None => format!("the policy has {}", list(index.names())),
    };
    problem(
        Code::UnknownName,
        what.to_string(),
        format!("`{name}` is not a {what} of the policy; {hint}"),
    );
}

fn list<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let names: Vec<String> = names.map(|n| format!("`{n}`")).collect();
    if names.is_empty() {
        "none".to_string()
    } else {
        names.join(", ")
    }
}

fn target_names(targets: &NameIndex) -> Vec<&str> {
    let mut names: Vec<&str> = targets.names().collect();
    names.sort_unstable();
    names.dedup();
    names
}

/// A JSON value as an attribute of type `ty`, `Ok(None)` for `null`, or a description of what
/// it is instead.
fn typed(value: &serde_json::Value, ty: AttrType) -> Result<Option<AttrVal<'_>>, String> {
    use serde_json::Value;
    match (ty, value) {
        (_, Value::Null) => Ok(None),
        (AttrType::Number, Value::Number(n)) => n
            .as_f64()
            .map(|n| Some(AttrVal::Number(n)))
            .ok_or_else(|| format!("the number {n}, which is out of range")),
        (AttrType::String, Value::String(s)) => Ok(Some(AttrVal::Text(s))),
        (AttrType::Bool, Value::Bool(b)) => Ok(Some(AttrVal::Bool(*b))),
        (AttrType::Set, Value::Array(items)) => match items.iter().find(|v| !v.is_string()) {
            None => Ok(Some(AttrVal::Set(items))),
            Some(v) => Err(format!("a list holding {}; list strings only", describe(v))),
        },
        (_, v) => Err(describe(v)),
    }
}

fn describe(v: &serde_json::Value) -> String {
    use serde_json::Value;
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("the bool {b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => format!("the string {s:?}"),
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "an object".into(),
    }
}

/// Whether `s` is empty or only whitespace. The usual case, a word, is decided by its first
/// byte: a visible ASCII character, or the first byte of a character that cannot be white
/// space (every white space character beyond ASCII starts with 0xC2, 0xE1, 0xE2 or 0xE3).
/// Inlined: it is a test of one byte for every field of every case; the rest is out of line.
#[inline(always)]
fn blank(s: &str) -> bool {
    match s.as_bytes().first() {
        None => true,
        Some(&b) if b.is_ascii_graphic() => false,
        Some(&b) if b >= 0x80 && !matches!(b, 0xC2 | 0xE1 | 0xE2 | 0xE3) => false,
        Some(_) => all_white(s),
    }
}

#[cold]
#[inline(never)]
fn all_white(s: &str) -> bool {
    s.chars().all(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::blank;

    /// The first-byte shortcut agrees with the definition on every character: alone, and
    /// before other text.
    #[test]
    fn blank_is_all_white_space() {
        for c in (0..=0x10_FFFFu32).filter_map(char::from_u32) {
            for s in [c.to_string(), format!("{c}x"), format!("{c} ")] {
                assert_eq!(blank(&s), s.chars().all(char::is_whitespace), "{:?}", s);
            }
        }
        assert!(blank(""));
    }
}
