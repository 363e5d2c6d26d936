//! The rules of deciding, one at a time, as specifications: a small policy written for the
//! rule, a case built for it, and the instants a person computes by hand.

use charter::check::check;
use charter::decide::{Case, Decision, Engine, State, StepState, Timestamp};
use charter::syntax::load_text;

/// A policy of one office open 09:00-18:00 Monday to Friday (no holidays), valid through
/// 2027, with one channel, one category and one role; `rest` adds the declarations the rule
/// needs.
fn policy(rest: &str) -> Engine {
    let text = format!(
        r#"policy t "T" {{ version "1" effective 2026-01-01 timezone "Asia/Shanghai" calendar office }}
calendar office {{ valid 2026-01-01..2027-12-31 week mon..fri 09:00-18:00 }}
channel phone
category billing
role officer "Officer" {{}}
route {{ otherwise -> officer }}
{rest}"#
    );
    let loaded = load_text("t.charter", &text);
    let checked = check(&loaded);
    match Engine::new(checked) {
        Ok(engine) => engine,
        Err(e) => panic!("{e}"),
    }
}

/// A billing complaint by phone received at `received` (Shanghai time, `YYYY-MM-DD hh:mm`)
/// with events `(at, kind, extra keys)`.
fn case(received: &str, events: &[(&str, &str, serde_json::Value)]) -> Case {
    let events: Vec<serde_json::Value> = events
        .iter()
        .map(|(at, kind, extra)| {
            let mut e = serde_json::json!({"at": instant(at), "kind": kind});
            if let Some(extra) = extra.as_object() {
                for (k, v) in extra {
                    e[k] = v.clone();
                }
            }
            e
        })
        .collect();
    let json = serde_json::json!({"id": "C-1", "received_at": instant(received),
        "channel": "phone", "category": "billing", "events": events});
    Case::from_json(&json.to_string()).unwrap()
}

fn instant(local: &str) -> String {
    format!("{}:00+08:00", local.replacen(' ', "T", 1))
}

fn at(local: &str) -> i64 {
    Timestamp::parse(&instant(local)).unwrap().secs
}

fn none() -> serde_json::Value {
    serde_json::Value::Null
}

/// The target named `name` of a decision: its start, deadline (both as `YYYY-MM-DD hh:mm`
/// in Shanghai time) and state.
fn target(d: &Decision<'_>, name: &str) -> (Option<String>, Option<String>, State) {
    let t = d
        .targets
        .iter()
        .find(|t| t.target.name == name)
        .unwrap_or_else(|| panic!("no target `{name}` in {:?}", d.targets));
    let local =
        |a: Option<charter::decide::At>| a.map(|a| a.to_string()[..16].replacen('T', " ", 1));
    (local(t.started_at), local(t.deadline), t.state)
}

fn explained(d: &Decision<'_>) -> String {
    d.sentences()
        .map(|s| s.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// A stage's target runs from its own `from` event, not from the stage's entry: not started
/// before the event, then 5 working days from it.
#[test]
fn a_stage_target_starts_at_its_from_event() {
    let engine = policy(
        r#"event review_acknowledged
stage review { respond within 5 working days from review_acknowledged until review_done }
event review_done"#,
    );
    let c = case(
        "2026-03-02 10:00",
        &[
            (
                "2026-03-03 10:00",
                "stage",
                serde_json::json!({"stage": "review"}),
            ),
            ("2026-03-05 10:00", "review_acknowledged", none()),
        ],
    );
    let before = engine.decide(&c, at("2026-03-04 12:00")).unwrap();
    assert_eq!(target(&before, "respond"), (None, None, State::NotStarted));
    let after = engine.decide(&c, at("2026-03-06 12:00")).unwrap();
    assert_eq!(
        target(&after, "respond"),
        (
            Some("2026-03-05 10:00".into()),
            Some("2026-03-12 18:00".into()),
            State::Running
        )
    );
    assert!(
        explained(&after).contains("from `review_acknowledged` at 2026-03-05T10:00:00+08:00"),
        "{}",
        explained(&after)
    );
}

/// Without `from`, a stage's target starts when the stage is entered, and stops at its
/// `until` event.
#[test]
fn a_stage_target_without_from_starts_at_the_entry_and_stops_at_its_until() {
    let engine = policy(
        r#"event review_done
stage review { respond within 5 working days until review_done }"#,
    );
    let c = case(
        "2026-03-02 10:00",
        &[
            (
                "2026-03-03 10:00",
                "stage",
                serde_json::json!({"stage": "review"}),
            ),
            ("2026-03-04 10:00", "review_done", none()),
        ],
    );
    let d = engine.decide(&c, at("2026-03-20 12:00")).unwrap();
    assert_eq!(
        target(&d, "respond"),
        (
            Some("2026-03-03 10:00".into()),
            Some("2026-03-10 18:00".into()),
            State::Met
        )
    );
}

/// A pause that began before a target started and ended after it stops the target's clock
/// from its start: 10 working days from Tuesday 10:00 end on Tuesday 3-17 at 18:00, and the
/// 18 working hours paused (Tuesday 10:00 to Thursday 10:00) move that to Thursday 3-19.
#[test]
fn a_pause_open_when_a_target_starts_counts_from_its_start() {
    let engine = policy(
        r#"event accepted
event mediated
sla mediation { mediated within 10 working days from accepted }"#,
    );
    let c = case(
        "2026-03-02 10:00",
        &[
            (
                "2026-03-02 11:00",
                "paused",
                serde_json::json!({"note": "testing"}),
            ),
            ("2026-03-03 10:00", "accepted", none()),
            ("2026-03-05 10:00", "resumed", none()),
        ],
    );
    let d = engine.decide(&c, at("2026-03-06 12:00")).unwrap();
    assert_eq!(
        target(&d, "mediated"),
        (
            Some("2026-03-03 10:00".into()),
            Some("2026-03-19 18:00".into()),
            State::Running
        )
    );
    assert!(
        explained(&d).contains("the pause recorded at 2026-03-02T11:00:00+08:00 was still open"),
        "{}",
        explained(&d)
    );
    // Still paused at `now`: no deadline, state paused.
    let paused = engine.decide(&c, at("2026-03-04 12:00")).unwrap();
    assert_eq!(target(&paused, "mediated").2, State::Paused);
    // A pause that ended before the start changes nothing.
    let c = case(
        "2026-03-02 10:00",
        &[
            ("2026-03-02 11:00", "paused", none()),
            ("2026-03-02 15:00", "resumed", none()),
            ("2026-03-03 10:00", "accepted", none()),
        ],
    );
    let d = engine.decide(&c, at("2026-03-06 12:00")).unwrap();
    assert_eq!(target(&d, "mediated").1, Some("2026-03-17 18:00".into()));
}

/// An event kind neither the language nor the policy names is an error on the case, with
/// the nearest kind; kinds the policy declares with `event` are accepted.
#[test]
fn a_misspelt_event_kind_is_an_error() {
    let engine = policy("event testing_done\nsla s { resolve within 5 working days }");
    let c = case(
        "2026-03-02 10:00",
        &[
            ("2026-03-02 11:00", "paused", none()),
            ("2026-03-03 11:00", "resume", none()),
        ],
    );
    let error = engine
        .decide(&c, at("2026-03-06 12:00"))
        .unwrap_err()
        .to_string();
    assert!(error.contains("events[1].kind"), "{error}");
    assert!(error.contains("`resume` is not an event kind"), "{error}");
    assert!(error.contains("did you mean `resumed`?"), "{error}");
    let c = case(
        "2026-03-02 10:00",
        &[
            ("2026-03-02 11:00", "testing_done", none()),
            ("2026-03-02 12:00", "acknowledged", none()),
        ],
    );
    assert!(engine.decide(&c, at("2026-03-06 12:00")).is_ok());
}

/// A policy whose calendar is valid through 2026 only, with New Year's Day as a yearly
/// holiday, and `beyond` as given (`refuse` or `provisional`).
fn short_calendar(beyond: &str) -> Engine {
    let text = format!(
        r#"policy t "T" {{ version "1" effective 2026-01-01 timezone "Asia/Shanghai" calendar office }}
calendar office {{ valid 2026-01-01..2026-12-31 week mon..fri 09:00-18:00 yearly 01-01 "元旦" beyond valid {beyond} }}
channel phone
category billing
role officer "Officer" {{}}
route {{ otherwise -> officer }}
sla s {{ resolve within 5 working days }}"#
    );
    let loaded = load_text("t.charter", &text);
    Engine::new(check(&loaded)).unwrap()
}

/// Past a calendar's valid range, a policy that refuses (the default) refuses the case; one
/// that says `beyond valid provisional` decides it from the weekly hours and yearly holidays,
/// marks it provisional and says why. 5 working days from Wednesday 30 December 2026: Thursday
/// 31, (Friday 1 January is the yearly holiday), Monday 4, Tuesday 5, Wednesday 6, Thursday 7
/// January 2027 at 18:00.
#[test]
fn past_its_calendar_a_decision_is_refused_or_provisional() {
    let c = case("2026-12-30 10:00", &[]);
    let now = at("2026-12-31 12:00");
    let error = short_calendar("refuse")
        .decide(&c, now)
        .unwrap_err()
        .to_string();
    assert!(error.contains("covers 2026-01-01 to 2026-12-31"), "{error}");
    let engine = short_calendar("provisional");
    let d = engine.decide(&c, now).unwrap();
    assert!(d.provisional);
    assert_eq!(target(&d, "resolve").1, Some("2027-01-07 18:00".into()));
    let finding = d
        .findings
        .iter()
        .find(|f| f.kind == charter::decide::FindingKind::Provisional);
    let message = &finding.expect("a provisional finding").message;
    assert!(
        message.contains("calendar `office` is valid to 2026-12-31"),
        "{message}"
    );
    assert!(message.contains("needs 2027-01-01"), "{message}");
    let json = serde_json::to_value(&d).unwrap();
    assert_eq!(json["provisional"], true);
    // Inside the range nothing is provisional, and the field is left out.
    let early = case("2026-12-01 10:00", &[]);
    let inside = engine.decide(&early, now).unwrap();
    assert!(!inside.provisional);
    assert!(
        serde_json::to_value(&inside)
            .unwrap()
            .get("provisional")
            .is_none()
    );
}

/// A 10-working-day target received Monday 2 March 2026 at 10:00: its deadline is the close
/// of Monday 16 March. `extension` is the block the rule needs.
fn extending(extension: &str) -> Engine {
    policy(&format!(
        "severities {{ minor major }}\nsla s {{ resolve within 10 working days }}\n{extension}"
    ))
}

/// The events of a case: `extended` events as (at, by), each with a reason.
fn extensions_case(severity: Option<&str>, list: &[(&str, &str)]) -> Case {
    let mut c = serde_json::json!({"id": "C-1", "received_at": instant("2026-03-02 10:00"),
        "channel": "phone", "category": "billing",
        "events": list.iter().map(|(at, by)| serde_json::json!({"at": instant(at), "kind": "extended",
            "by": by, "reason": "awaiting the test report"})).collect::<Vec<_>>()});
    if let Some(s) = severity {
        c["severity"] = s.into();
    }
    Case::from_json(&c.to_string()).unwrap()
}

fn finding_kinds(d: &Decision<'_>) -> Vec<&'static str> {
    d.findings.iter().map(|f| f.kind.name()).collect()
}

/// An extension moves the current deadline by its own duration, counted from that deadline
/// by the rules of targets, whatever the target's unit: `2 days` from Monday 16 March 18:00
/// is 24:00 of Wednesday 18 March; `24 hours` is Tuesday 17 March 18:00; `7 days` is 24:00 of
/// Monday 23 March, within a `max 10 working days`.
#[test]
fn an_extension_moves_the_deadline_by_its_own_rule() {
    let engine = extending("extension resolve { max 10 working days }");
    let now = at("2026-03-12 12:00");
    for (by, expected) in [
        ("2 days", "2026-03-19 00:00"),
        ("24 hours", "2026-03-17 18:00"),
        ("7 days", "2026-03-24 00:00"),
        ("3 working days", "2026-03-19 18:00"),
        ("10 working days", "2026-03-30 18:00"),
    ] {
        let c = extensions_case(None, &[("2026-03-10 12:00", by)]);
        let d = engine.decide(&c, now).unwrap();
        assert_eq!(
            target(&d, "resolve").1.as_deref(),
            Some(expected),
            "by {by}"
        );
        assert_eq!(finding_kinds(&d), Vec::<&str>::new(), "by {by}");
    }
    // Two in a row: each from the deadline the one before left.
    let c = extensions_case(
        None,
        &[
            ("2026-03-10 12:00", "2 working days"),
            ("2026-03-11 12:00", "1 working day"),
        ],
    );
    let d = engine.decide(&c, now).unwrap();
    assert_eq!(target(&d, "resolve").1.as_deref(), Some("2026-03-19 18:00"));
}

/// `max` bounds the total (never later than the first deadline moved by `max`), `count`
/// the number, `when` the cases; an extension recorded after the deadline is refused and the
/// target stays breached.
#[test]
fn extensions_are_bounded_by_max_count_and_when() {
    let now = at("2026-03-13 12:00");
    let engine = extending("extension resolve { max 5 working days }");
    let c = extensions_case(
        None,
        &[
            ("2026-03-10 12:00", "3 working days"),
            ("2026-03-11 12:00", "3 working days"),
        ],
    );
    let d = engine.decide(&c, now).unwrap();
    assert_eq!(target(&d, "resolve").1.as_deref(), Some("2026-03-23 18:00"));
    assert_eq!(finding_kinds(&d), ["extension_beyond_max"]);

    let engine = extending("extension resolve { max 10 working days  count 1 }");
    let d = engine.decide(&c, now).unwrap();
    assert_eq!(target(&d, "resolve").1.as_deref(), Some("2026-03-19 18:00"));
    assert_eq!(finding_kinds(&d), ["extension_refused"]);
    assert!(
        d.findings[0]
            .message
            .contains("the policy allows 1 extension of `resolve`"),
        "{}",
        d.findings[0].message
    );

    let engine = extending("extension resolve when severity = major { max 10 working days }");
    let one = [("2026-03-10 12:00", "3 working days")];
    let cases = [Some("major"), Some("minor"), None].map(|s| extensions_case(s, &one));
    let major = engine.decide(&cases[0], now).unwrap();
    assert_eq!(
        target(&major, "resolve").1.as_deref(),
        Some("2026-03-19 18:00")
    );
    let minor = engine.decide(&cases[1], now).unwrap();
    assert_eq!(
        target(&minor, "resolve").1.as_deref(),
        Some("2026-03-16 18:00")
    );
    assert_eq!(finding_kinds(&minor), ["extension_refused"]);
    let unknown = engine.decide(&cases[2], now).unwrap();
    assert_eq!(
        finding_kinds(&unknown),
        ["missing_attribute", "extension_refused"]
    );

    let engine = extending("extension resolve { max 10 working days }");
    let late = extensions_case(None, &[("2026-03-17 09:00", "3 working days")]);
    let d = engine.decide(&late, at("2026-03-18 12:00")).unwrap();
    assert_eq!(
        target(&d, "resolve"),
        (
            Some("2026-03-02 10:00".into()),
            Some("2026-03-16 18:00".into()),
            State::Breached
        )
    );
    assert_eq!(finding_kinds(&d), ["extension_after_breach"]);
}

/// An `extended` event that names no target is an error on the case when the policy lets
/// several targets be extended (the candidates are named), and a finding when it lets none.
#[test]
fn an_extension_that_names_no_target_is_never_dropped() {
    let engine = policy(
        "sla s { acknowledge within 1 working day  resolve within 10 working days }\nextension resolve { max 5 working days }\nextension acknowledge { max 1 working day }",
    );
    let c = extensions_case(None, &[("2026-03-03 09:00", "1 working day")]);
    let error = engine
        .decide(&c, at("2026-03-04 12:00"))
        .unwrap_err()
        .to_string();
    assert!(error.contains("events[0].target"), "{error}");
    assert!(
        error.contains("lets `resolve`, `acknowledge` be extended"),
        "{error}"
    );
    let engine = policy("sla s { resolve within 10 working days }");
    let d = engine.decide(&c, at("2026-03-04 12:00")).unwrap();
    assert_eq!(finding_kinds(&d), ["extension_refused"]);
    assert!(
        d.findings[0]
            .message
            .contains("the policy lets no target be extended"),
        "{}",
        d.findings[0].message
    );
}

mod history {
    use super::*;
    use charter::decide::StepState;
    use proptest::prelude::*;

    fn office() -> &'static Engine {
        static ENGINE: std::sync::OnceLock<Engine> = std::sync::OnceLock::new();
        ENGINE.get_or_init(|| {
            charter::load::engine(std::path::Path::new("policies/complaint-office"))
                .map_err(|(e, _)| e.to_string())
                .unwrap()
                .0
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        /// Decisions are history: deciding a case at `t1` and again at a later `t2` (so with
        /// only the events after `t1` added) never un-fires a step that had fired by `t1`, nor
        /// moves it, and never un-breaches a cycle of a target breached by `t1`, whatever those
        /// later events are (extensions, pauses, resolutions, reopenings, callbacks).
        #[test]
        fn later_events_never_rewrite_what_was_fired_or_breached(
            kinds in proptest::collection::vec(
                prop_oneof!["acknowledged", "updated", "resolved", "paused", "resumed", "reopened",
                    "callback", "closed", "extended"],
                0..10),
            gaps in proptest::collection::vec(0i64..250_000, 10),
            by in prop_oneof![Just("1 working day"), Just("2 days"), Just("24 hours"), Just("3 working days")],
            t1_gap in 0i64..1_500_000,
            t2_gap in 1i64..1_500_000,
            severity in prop_oneof![Just("minor"), Just("major"), Just("critical")],
        ) {
            let received = at("2026-11-02 08:00");
            let mut t = received;
            let events: Vec<serde_json::Value> = kinds.iter().zip(&gaps).map(|(k, g)| {
                t += g;
                let when = chrono::DateTime::from_timestamp(t, 0).unwrap().to_rfc3339();
                let mut e = serde_json::json!({"at": when, "kind": k, "satisfied": g % 2 == 0});
                if *k == "extended" {
                    e["by"] = by.into();
                    e["reason"] = "awaiting a report".into();
                }
                e
            }).collect();
            let case = serde_json::json!({"id": "H-1", "received_at": "2026-11-02T08:00:00+08:00",
                "channel": "phone", "category": "billing", "severity": severity,
                "fields": {"customer_name": "王", "contact": "1", "content": "x"},
                "attributes": {"amount": 100, "departments": []}, "events": events});
            let case = Case::from_json(&case.to_string()).unwrap();
            let t1 = received + t1_gap;
            let t2 = t1 + t2_gap;
            let (Ok(first), Ok(later)) = (office().decide(&case, t1), office().decide(&case, t2)) else {
                return Ok(());
            };
            for step in first.escalations.iter().filter(|s| s.fired) {
                let same = later.escalations.iter().any(|l| {
                    l.fired && l.state == StepState::Fired && l.step.ladder == step.step.ladder
                        && l.step.trigger == step.step.trigger && l.at == step.at
                });
                prop_assert!(same, "step {} {} fired at {:?} by {t1}, gone by {t2}: {:?}",
                    step.step.ladder, step.step.trigger, step.at, later.escalations);
            }
            for target in &first.targets {
                let cycles = |t: &charter::decide::TargetState<'_>| {
                    let mut all: Vec<_> = t.cycles.iter().map(|c| (c.started_at, c.state)).collect();
                    all.push((t.started_at, t.state));
                    all
                };
                for (start, state) in cycles(target) {
                    if state != State::Breached {
                        continue;
                    }
                    let now = later.targets.iter().find(|l| l.target.name == target.target.name);
                    let still = now.is_some_and(|l| cycles(l).contains(&(start, State::Breached)));
                    prop_assert!(still, "target {} breached from {:?} by {t1}, not by {t2}",
                        target.target.name, start);
                }
            }
        }
    }
}

/// `N weeks` is `7N days` by the rule of days: `8 weeks` from Monday 2 March 2026 10:00 ends
/// at 24:00 of the 56th day after 2 March (Monday 27 April); `working weeks` is not a unit.
#[test]
fn weeks_are_seven_days_each() {
    let engine = policy("sla s { resolve within 8 weeks }");
    let c = case("2026-03-02 10:00", &[]);
    let d = engine.decide(&c, at("2026-03-03 12:00")).unwrap();
    assert_eq!(target(&d, "resolve").1.as_deref(), Some("2026-04-28 00:00"));
    assert_eq!(
        "2 weeks"
            .parse::<charter::time::Span>()
            .unwrap()
            .to_string(),
        "2 weeks"
    );
    assert!("2 working weeks".parse::<charter::time::Span>().is_err());
    let loaded = load_text("t.charter", "sla s { resolve within 8 working weeks }");
    let diagnostics = check(&loaded).diagnostics;
    assert!(
        diagnostics
            .iter()
            .any(|d| d.message == "`working weeks` is not a unit"),
        "{diagnostics:?}"
    );
}

/// `from each EVENT`: every occurrence opens its own clock, closed by the next stop event
/// after it; the decision lists the occurrences and the target shows the worst. A second
/// missed call left unreturned breaches the target although the first was returned in time.
#[test]
fn a_target_per_occurrence_checks_every_occurrence() {
    let engine = policy(
        "event missed_call\nevent call_returned\nsla s { return_call within 5 minutes from each missed_call until call_returned }\nescalate unreturned for return_call { at breach notify handler }",
    );
    let c = case(
        "2026-03-02 10:00",
        &[
            ("2026-03-02 10:00", "missed_call", none()),
            ("2026-03-02 10:03", "call_returned", none()),
            ("2026-03-02 11:00", "missed_call", none()),
        ],
    );
    let d = engine.decide(&c, at("2026-03-02 12:00")).unwrap();
    let t = d
        .targets
        .iter()
        .find(|t| t.target.name == "return_call")
        .unwrap();
    let cycles: Vec<_> = t
        .cycles
        .iter()
        .map(|c| (c.started_at.map(|a| a.to_string()), c.state))
        .collect();
    assert_eq!(
        cycles,
        [
            (Some("2026-03-02T10:00:00+08:00".into()), State::Met),
            (Some("2026-03-02T11:00:00+08:00".into()), State::Breached)
        ]
    );
    assert_eq!(
        target(&d, "return_call"),
        (
            Some("2026-03-02 11:00".into()),
            Some("2026-03-02 11:05".into()),
            State::Breached
        )
    );
    let fired: Vec<_> = d
        .escalations
        .iter()
        .filter(|s| s.fired)
        .map(|s| s.at.map(|a| a.to_string()))
        .collect();
    assert_eq!(fired, [Some("2026-03-02T11:05:00+08:00".into())]);
    // Two calls missed before one return: both are closed by it, each on its own clock.
    let c = case(
        "2026-03-02 10:00",
        &[
            ("2026-03-02 10:00", "missed_call", none()),
            ("2026-03-02 10:04", "missed_call", none()),
            ("2026-03-02 10:06", "call_returned", none()),
        ],
    );
    let d = engine.decide(&c, at("2026-03-02 12:00")).unwrap();
    let t = d
        .targets
        .iter()
        .find(|t| t.target.name == "return_call")
        .unwrap();
    let states: Vec<_> = t.cycles.iter().map(|c| c.state).collect();
    assert_eq!(states, [State::Breached, State::Met]);
    assert_eq!(t.state, State::Breached);
}

/// An aim reports met or missed and never breaches; a ladder cannot follow one.
#[test]
fn an_aim_is_met_or_missed_never_breached() {
    let engine = policy(
        "sla s { aim summary within 3 working days from resolved until summary_sent }\nevent summary_sent",
    );
    let late = case(
        "2026-03-02 10:00",
        &[("2026-03-02 11:00", "resolved", none())],
    );
    let d = engine.decide(&late, at("2026-03-10 12:00")).unwrap();
    assert_eq!(target(&d, "summary").2, State::Missed);
    assert_eq!(serde_json::to_value(&d).unwrap()["targets"][0]["aim"], true);
    let near = engine.decide(&late, at("2026-03-05 17:00")).unwrap();
    assert_eq!(
        target(&near, "summary").2,
        State::Running,
        "an aim is never at risk"
    );
    let loaded = load_text(
        "t.charter",
        r#"policy t "T" { version "1" timezone "Asia/Shanghai" }
sla s { aim summary within 3 days }
escalate e for summary { at breach notify handler }"#,
    );
    let diagnostics = check(&loaded).diagnostics;
    assert!(
        diagnostics
            .iter()
            .any(|d| d.message == "escalation `e` follows `summary`, which is an aim"),
        "{diagnostics:?}"
    );
}

/// `until A or B` stops at whichever comes first.
#[test]
fn a_target_stops_at_either_of_its_until_events() {
    let engine = policy(
        "event accepted\nevent rejected\nsla s { decide within 5 working days until accepted or rejected }",
    );
    for kind in ["accepted", "rejected"] {
        let c = case("2026-03-02 10:00", &[("2026-03-03 10:00", kind, none())]);
        let d = engine.decide(&c, at("2026-03-20 12:00")).unwrap();
        assert_eq!(target(&d, "decide").2, State::Met, "{kind}");
        assert_eq!(d.targets[0].target.stop_event, "accepted or rejected");
    }
}

/// A stage may name the role that handles it: a role, the case's handling role or that
/// role's superior; the decision's stage entry carries it, and separation of duties still
/// compares the people.
#[test]
fn a_stage_names_the_role_that_handles_it() {
    let text = r#"policy t "T" { version "1" effective 2026-01-01 timezone "Asia/Shanghai" }
channel phone
category billing
role director "Director" {}
role clerk "Clerk" { reports_to director }
route { otherwise -> clerk }
stage first { by handler }
stage review { by superior  after first  separate_from first }"#;
    let loaded = load_text("t.charter", text);
    let engine = Engine::new(check(&loaded)).unwrap();
    let c = case(
        "2026-03-02 10:00",
        &[
            (
                "2026-03-02 11:00",
                "stage",
                serde_json::json!({"stage": "first", "handler": "张三"}),
            ),
            (
                "2026-03-03 11:00",
                "stage",
                serde_json::json!({"stage": "review", "handler": "张三"}),
            ),
        ],
    );
    let d = engine.decide(&c, at("2026-03-04 12:00")).unwrap();
    let stages: Vec<_> = d
        .stages
        .iter()
        .map(|s| (s.name, s.handler.as_deref(), s.role))
        .collect();
    assert_eq!(
        stages,
        [
            ("first", Some("张三"), Some("clerk")),
            ("review", Some("张三"), Some("director"))
        ]
    );
    assert_eq!(finding_kinds(&d), ["separation_of_duties"]);
    let json = serde_json::to_value(&d).unwrap();
    assert_eq!(json["stages"][1]["role"], "director");
}

/// A field may be required for some categories only: `required except anonymous` needs no
/// contact for an anonymous report, and `required for billing` only for billing complaints.
#[test]
fn fields_may_be_required_for_some_categories_only() {
    let text = r#"policy t "T" { version "1" effective 2026-01-01 timezone "Asia/Shanghai" }
channel phone
category billing
category anonymous
field contact { required except anonymous }
field invoice { required for billing }
role a "A" {}
route { otherwise -> a }"#;
    let loaded = load_text("t.charter", text);
    let engine = Engine::new(check(&loaded)).unwrap();
    let missing = |category: &str| {
        let c = serde_json::json!({"id": "C", "received_at": instant("2026-03-02 10:00"),
            "channel": "phone", "category": category});
        let c = Case::from_json(&c.to_string()).unwrap();
        let d = engine.decide(&c, at("2026-03-02 12:00")).unwrap();
        d.acceptance
            .missing_fields
            .iter()
            .map(|f| f.to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(missing("billing"), ["contact", "invoice"]);
    assert_eq!(missing("anonymous"), Vec::<String>::new());
    let formatted = charter::format::format_text(text).unwrap();
    assert!(
        formatted.contains("field contact { required except anonymous }"),
        "{formatted}"
    );
    assert!(
        formatted.contains("field invoice { required for billing }"),
        "{formatted}"
    );
}

/// A redirection may give the time allowed to tell the complainant where to go: the
/// redirected case gets one target, `redirect`, from receipt to the `redirected` event.
/// 7 working days from Monday 2 March 10:00 end at the close of Wednesday 11 March.
#[test]
fn a_redirection_can_be_timed() {
    let text = r#"policy t "T" { version "1" effective 2026-01-01 timezone "Asia/Shanghai" calendar office }
calendar office { valid 2026-01-01..2027-12-31 week mon..fri 09:00-18:00 }
channel phone
category billing
category elsewhere
scope {
  accept billing
  redirect elsewhere to "市场监管部门" because "不属本机构管辖" within 7 working days
}
role a "A" {}
route { otherwise -> a }"#;
    let loaded = load_text("t.charter", text);
    let engine = Engine::new(check(&loaded)).unwrap();
    let decide = |events: serde_json::Value, now: &str| {
        let c = serde_json::json!({"id": "C", "received_at": instant("2026-03-02 10:00"),
            "channel": "phone", "category": "elsewhere", "events": events});
        let c = Case::from_json(&c.to_string()).unwrap();
        let d = engine.decide(&c, at(now)).unwrap();
        assert_eq!(d.acceptance.outcome, charter::decide::Outcome::Redirected);
        target(&d, "redirect")
    };
    assert_eq!(
        decide(serde_json::json!([]), "2026-03-12 09:00"),
        (
            Some("2026-03-02 10:00".into()),
            Some("2026-03-11 18:00".into()),
            State::Breached
        )
    );
    let told = serde_json::json!([{"at": instant("2026-03-04 10:00"), "kind": "redirected"}]);
    assert_eq!(decide(told, "2026-03-12 09:00").2, State::Met);
    let formatted = charter::format::format_text(text).unwrap();
    assert!(
        formatted.contains("because \"不属本机构管辖\" within 7 working days"),
        "{formatted}"
    );
}

/// Every case error code is listed in `docs/decide.md`, and each one a case can cause is
/// caused by the case written for it, under its own code and no other.
#[test]
fn every_case_error_code_is_documented_and_given_for_its_cause() {
    use charter::decide::Code;
    let doc = std::fs::read_to_string("docs/decide.md").unwrap();
    for code in Code::ALL {
        assert!(
            doc.contains(&format!("| `{code}` |")),
            "docs/decide.md does not list {code} ({code:?})"
        );
    }
    let engine = policy(
        "attribute amount { type number }\nstage review \"Review\" {}\nsla all { acknowledge within 1 working days  resolve within 5 working days }\nextension resolve { max 10 working days }\nextension acknowledge { max 1 working days }",
    );
    let received = r#""received_at": "2026-03-02T09:00:00+08:00""#;
    let record = |rest: &str| format!(r#"{{"id": "c1", {received}, "channel": "phone", {rest}}}"#);
    let event = |json: &str| record(&format!(r#""category": "billing", "events": [{json}]"#));
    let when = r#""at": "2026-03-03T09:00:00+08:00""#;
    let cases: Vec<(Code, String)> = vec![
        (Code::Unreadable, r#"{"id": "c1","#.to_string()),
        (
            Code::Unreadable,
            format!("{} trailing", record(r#""category": "billing""#)),
        ),
        (Code::Shape, record(r#""category": 7"#)),
        (
            Code::Shape,
            format!(r#"{{"id": "c1", {received}, "channel": "phone"}}"#),
        ),
        (
            Code::BlankId,
            record(r#""category": "billing""#).replace(r#""id": "c1""#, r#""id": " ""#),
        ),
        (Code::UnknownName, record(r#""category": "biling""#)),
        (
            Code::UnknownName,
            record(r#""category": "billing", "severity": "high""#),
        ),
        (
            Code::UnknownAttribute,
            record(r#""category": "billing", "attributes": {"amout": 5}"#),
        ),
        (
            Code::AttributeType,
            record(r#""category": "billing", "attributes": {"amount": "5"}"#),
        ),
        (
            Code::EventBeforeReceipt,
            event(r#"{"kind": "acknowledged", "at": "2026-03-01T09:00:00+08:00"}"#),
        ),
        (
            Code::EventsOutOfOrder,
            event(&format!(
                r#"{{"kind": "paused", {when}}}, {{"kind": "resumed", "at": "2026-03-02T10:00:00+08:00"}}"#
            )),
        ),
        (
            Code::UnknownEventKind,
            event(&format!(r#"{{"kind": "resume", {when}}}"#)),
        ),
        (
            Code::EventIncomplete,
            event(&format!(r#"{{"kind": "stage", {when}}}"#)),
        ),
        (
            Code::EventIncomplete,
            event(&format!(
                r#"{{"kind": "extended", "target": "resolve", {when}}}"#
            )),
        ),
        (
            Code::EventIncomplete,
            event(&format!(
                r#"{{"kind": "extended", "by": "1 days", {when}}}"#
            )),
        ),
        (
            Code::BadDuration,
            event(&format!(
                r#"{{"kind": "extended", "target": "resolve", "by": "3 fortnights", {when}}}"#
            )),
        ),
        (
            Code::UnknownTarget,
            event(&format!(
                r#"{{"kind": "extended", "target": "reslove", "by": "1 days", {when}}}"#
            )),
        ),
        (
            Code::NoVersion,
            record(r#""category": "billing""#).replace("2026-03-02", "2025-03-02"),
        ),
        (
            Code::OutsideYears,
            record(r#""category": "billing""#).replace("2026-03-02", "9999-03-02"),
        ),
        (
            // Still 2199 in UTC, but 2200 as written.
            Code::OutsideYears,
            record(r#""category": "billing""#).replace("2026-03-02T09", "2200-01-01T02"),
        ),
    ];
    let now = at("2026-03-20 12:00");
    for (expected, text) in cases {
        let code = match Case::from_json(&text) {
            Err(e) => e.code,
            Ok(case) => match engine.decide(&case, now) {
                Err(e) => e.code(),
                Ok(_) => panic!("{text}: decided, expected {expected}"),
            },
        };
        assert_eq!(code, expected, "{text}");
    }
    // Two records with one id in a batch.
    let line = record(r#""category": "billing""#);
    let input = format!("{line}\n{line}\n");
    let mut output = Vec::new();
    charter::decide::batch::run_batch(
        &engine,
        &mut input.as_bytes(),
        &mut output,
        charter::decide::batch::BatchOptions { now },
        &mut |_| {},
    )
    .unwrap();
    let second: serde_json::Value =
        serde_json::from_str(String::from_utf8(output).unwrap().lines().nth(1).unwrap()).unwrap();
    assert_eq!(second["code"], "C0015", "{second}");
}

/// A step at `breach + D` is due D after the deadline. The target stopped after the breach but
/// before that instant cancels it, as any step whose target stopped before it was due; stopped
/// later, it fired. Stopped by the deadline, neither breach step is due at all.
#[test]
fn a_step_after_the_breach_is_cancelled_when_the_target_stops_before_it() {
    let engine = policy(
        "role boss \"Boss\" {}\nsla s { resolve within 1 working day }\n\
         escalate late for resolve { at breach notify officer  at breach + 1 working day escalate boss }",
    );
    // Received Monday 16 November 10:00: due at Tuesday's close, the second step at Wednesday's.
    for (resolved, first, second) in [
        (
            "2026-11-17 18:00",
            StepState::Cancelled,
            StepState::Cancelled,
        ),
        ("2026-11-18 10:00", StepState::Fired, StepState::Cancelled),
        ("2026-11-18 18:00", StepState::Fired, StepState::Cancelled),
        ("2026-11-19 10:00", StepState::Fired, StepState::Fired),
    ] {
        let c = case("2026-11-16 10:00", &[(resolved, "resolved", none())]);
        let d = engine.decide(&c, at("2026-11-20 12:00")).unwrap();
        let steps: Vec<(Option<String>, StepState, bool)> = (d.escalations.iter())
            .map(|s| (s.at.map(|a| a.to_string()), s.state, s.fired))
            .collect();
        assert_eq!(
            steps,
            [
                (
                    Some(instant("2026-11-17 18:00")),
                    first,
                    first == StepState::Fired
                ),
                (
                    Some(instant("2026-11-18 18:00")),
                    second,
                    second == StepState::Fired
                ),
            ],
            "resolved {resolved}"
        );
    }
}

/// A `calendars` rule whose condition the case cannot answer does not apply, as any condition
/// outside routing: a finding names the rule and the attribute, and the later rules are still
/// tried (the first that holds chooses), never skipped for `otherwise`.
#[test]
fn an_unknown_calendars_rule_does_not_apply_and_the_next_rules_are_tried() {
    let engine = policy(
        "calendar evening \"Evening\" { week mon..fri 09:00-20:00 }\n\
         attribute amount \"Amount\" { type number }\n\
         calendars {\n  when amount > 100 -> office\n  when channel = phone -> evening\n  otherwise -> office\n}\n\
         sla s { resolve within 2 working hours }",
    );
    // Received Monday 17:00 by phone, without an amount: the evening calendar's 2 working hours
    // end at 19:00 the same day (the office's would end Tuesday 10:00).
    let c = case("2026-11-16 17:00", &[]);
    let d = engine.decide(&c, at("2026-11-16 17:30")).unwrap();
    assert_eq!(
        target(&d, "resolve").1.as_deref(),
        Some("2026-11-16 19:00"),
        "{}",
        explained(&d)
    );
    assert_eq!(finding_kinds(&d), ["missing_attribute"]);
    assert!(
        d.findings[0].message.starts_with(
            "the `calendars` rule at t.charter:10 depends on amount, which the case does not give"
        ),
        "{}",
        d.findings[0].message
    );
    assert!(
        explained(&d).contains("calendar `evening`, chosen by a `calendars` rule"),
        "{}",
        explained(&d)
    );
}

/// Stages kept apart (`separate_from`) are kept apart over every entry: a case sent back to
/// handling and handled again by the person who then reviews it breaks the rule, and so does a
/// reviewer who later handles the case (the rule holds either way round). Different people in
/// every entry break nothing.
#[test]
fn separation_of_duties_holds_over_every_entry_of_the_stages() {
    let text = r#"policy t "T" { version "1" effective 2026-01-01 timezone "Asia/Shanghai" }
channel phone
category billing
role clerk "Clerk" {}
route { otherwise -> clerk }
stage handling {}
stage review { after handling  separate_from handling }"#;
    let engine = Engine::new(check(&load_text("t.charter", text))).unwrap();
    let entries = |people: [&str; 4]| {
        // Handling Monday, review Tuesday, handling again Wednesday, review again Thursday.
        let days: Vec<String> = (2..6).map(|d| format!("2026-03-0{d} 10:00")).collect();
        let stages = ["handling", "review", "handling", "review"];
        let events: Vec<(&str, &str, serde_json::Value)> = (days.iter().zip(stages).zip(people))
            .map(|((day, stage), who)| {
                let entry = serde_json::json!({"stage": stage, "handler": who});
                (day.as_str(), "stage", entry)
            })
            .collect();
        let d = engine
            .decide(&case("2026-03-02 09:00", &events), at("2026-03-09 12:00"))
            .unwrap();
        (d.findings.iter())
            .map(|f| f.message.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        entries(["张三", "李四", "王五", "赵六"]),
        Vec::<String>::new()
    );
    assert_eq!(
        entries(["张三", "李四", "王五", "王五"]),
        [
            "`王五` handles stage `review` and also handled stage `handling`; the policy requires different people"
        ]
    );
    assert_eq!(
        entries(["张三", "李四", "李四", "王五"]),
        [
            "`李四` handles stage `handling` and also handled stage `review`; the policy requires different people"
        ]
    );
}

/// `extended_by` states every extension granted, as written: the amounts of each unit summed,
/// and extensions in different units listed together, never one of them alone.
#[test]
fn extended_by_states_every_extension_granted() {
    let engine = extending("extension resolve { max 10 working days }");
    let now = at("2026-03-12 12:00");
    for (list, written) in [
        (
            &[("2026-03-10 12:00", "2 working days")][..],
            "2 working days",
        ),
        (
            &[
                ("2026-03-10 12:00", "2 working days"),
                ("2026-03-11 12:00", "1 working day"),
            ][..],
            "3 working days",
        ),
        (
            &[
                ("2026-03-10 12:00", "2 days"),
                ("2026-03-11 12:00", "1 working day"),
                ("2026-03-11 13:00", "1 day"),
            ][..],
            "3 days + 1 working day",
        ),
    ] {
        let d = engine.decide(&extensions_case(None, list), now).unwrap();
        let resolve = &d.targets[0];
        let joined: Vec<String> = resolve.extended_by.iter().map(|s| s.to_string()).collect();
        assert_eq!(joined.join(" + "), written);
        let json = serde_json::to_value(&d).unwrap();
        assert_eq!(json["targets"][0]["extended_by"], written);
        assert!(
            explained(&d).contains(&format!("(extended by {written})")),
            "{}",
            explained(&d)
        );
    }
}

/// An extension recorded while its target was not running moves nothing, and says so: after
/// the target stopped, or before it started. Recorded while it runs, it moves the deadline.
#[test]
fn an_extension_outside_its_target_is_a_finding() {
    let engine = policy(
        "sla s {\n  resolve within 10 working days\n  confirm within 3 working days from resolved until confirmed\n}\n\
         extension resolve { max 10 working days }\nextension confirm { max 5 working days }",
    );
    let extended = |at: &str, target: &str| {
        let by = serde_json::json!({"by": "2 working days", "reason": "awaiting a report", "target": target});
        (at.to_string(), "extended", by)
    };
    let list = [
        extended("2026-03-03 12:00", "confirm"),
        ("2026-03-05 12:00".to_string(), "resolved", none()),
        extended("2026-03-06 12:00", "resolve"),
        extended("2026-03-06 13:00", "confirm"),
    ];
    let events: Vec<(&str, &str, serde_json::Value)> = (list.iter())
        .map(|(at, kind, extra)| (at.as_str(), *kind, extra.clone()))
        .collect();
    let d = engine
        .decide(&case("2026-03-02 10:00", &events), at("2026-03-06 14:00"))
        .unwrap();
    let messages: Vec<&str> = d.findings.iter().map(|f| f.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "the extension at 2026-03-03T12:00:00+08:00 is not applied: `confirm` had not started then",
            "the extension at 2026-03-06T12:00:00+08:00 is not applied: `resolve` was not running then; it had stopped at 2026-03-05T12:00:00+08:00",
        ]
    );
    assert_eq!(
        finding_kinds(&d),
        ["extension_refused", "extension_refused"]
    );
    // The one recorded while `confirm` ran moved it: 3 working days from Thursday 12:00 end
    // at Tuesday's close, 2 more at Thursday's.
    assert_eq!(target(&d, "resolve").1.as_deref(), Some("2026-03-16 18:00"));
    assert_eq!(target(&d, "confirm").1.as_deref(), Some("2026-03-12 18:00"));
}

/// An escalation ladder follows a stage's target as it follows an SLA target: timed on the
/// stage's clock from the entry, the explanation says it ran, not that the target does not
/// apply.
#[test]
fn a_ladder_follows_a_stage_target() {
    let text = r#"policy t "T" { version "1" effective 2026-01-01 timezone "Asia/Shanghai" calendar office }
calendar office { week mon..fri 09:00-18:00 }
channel phone
category billing
role director "Director" {}
role clerk "Clerk" { reports_to director }
route { otherwise -> clerk }
stage review { check within 2 working days }
escalate review_ladder for check { at 50% notify handler  at breach escalate superior }"#;
    let engine = Engine::new(check(&load_text("t.charter", text))).unwrap();
    let entered = serde_json::json!({"stage": "review"});
    let c = case(
        "2026-03-02 09:00",
        &[("2026-03-03 10:00", "stage", entered)],
    );
    let d = engine.decide(&c, at("2026-03-06 12:00")).unwrap();
    // 2 working days from Tuesday 10:00: 26 h, due Thursday 18:00; half is 13 h, Wednesday 14:00.
    assert_eq!(target(&d, "check").1.as_deref(), Some("2026-03-05 18:00"));
    let steps: Vec<(Option<String>, Option<&str>, StepState)> = (d.escalations.iter())
        .map(|s| (s.at.map(|a| a.to_string()), s.step.to.as_deref(), s.state))
        .collect();
    assert_eq!(
        steps,
        [
            (
                Some(instant("2026-03-04 14:00")),
                Some("clerk"),
                StepState::Fired
            ),
            (
                Some(instant("2026-03-05 18:00")),
                Some("director"),
                StepState::Fired
            ),
        ]
    );
    assert!(
        !explained(&d).contains("does not apply"),
        "{}",
        explained(&d)
    );
}

/// An extension granted at the very instant of the deadline came in time: the breach step of
/// the plan it replaced did not fire (as a target stopped at that instant cancels it), and
/// the step waits for the moved deadline. One recorded after the deadline is refused, and the
/// breach step fired.
#[test]
fn an_extension_at_the_deadline_comes_before_the_breach_step() {
    let engine = extending(
        "extension resolve { max 10 working days }\nescalate l for resolve { at breach notify officer }",
    );
    // Received Monday 2 March 10:00: due at the close of Monday 16 March.
    for (extended, step) in [
        (
            "2026-03-16 17:59",
            (instant("2026-03-17 18:00"), StepState::Pending),
        ),
        (
            "2026-03-16 18:00",
            (instant("2026-03-17 18:00"), StepState::Pending),
        ),
        (
            "2026-03-16 18:01",
            (instant("2026-03-16 18:00"), StepState::Fired),
        ),
    ] {
        let c = extensions_case(None, &[(extended, "1 working day")]);
        let d = engine.decide(&c, at("2026-03-17 12:00")).unwrap();
        let steps: Vec<(String, StepState)> = (d.escalations.iter())
            .map(|s| (s.at.map(|a| a.to_string()).unwrap_or_default(), s.state))
            .collect();
        assert_eq!(steps, [step], "extended at {extended}");
    }
}

/// The instant of each escalation step, `YYYY-MM-DD hh:mm` in Shanghai time, with its state.
fn steps(d: &Decision<'_>) -> Vec<(String, StepState)> {
    (d.escalations.iter())
        .map(|s| {
            let at = s.at.map(|a| a.to_string()[..16].replacen('T', " ", 1));
            (at.unwrap_or_default(), s.state)
        })
        .collect()
}

/// A deadline at 24:00 is the end of its day: `+ D` in days or working days counts from the
/// day it ends, for an `at breach + D` step as for an extension, and an extension recorded
/// before that 24:00 is in time.
#[test]
fn a_deadline_at_midnight_counts_from_the_day_it_ends() {
    // Received Monday 2 March 10:00; `within 3 days` is due at 24:00 on Thursday 5 March.
    let engine = policy(
        "sla s { cal within 3 days }\nextension cal { max 10 days }\nescalate l for cal {\n  at breach + 1 working day notify officer\n  at breach + 1 day notify officer\n}",
    );
    let d = engine
        .decide(&case("2026-03-02 10:00", &[]), at("2026-03-20 12:00"))
        .unwrap();
    assert_eq!(target(&d, "cal").1.as_deref(), Some("2026-03-06 00:00"));
    // The first working day after Thursday is Friday; the day after it ends at 24:00 Friday.
    assert_eq!(
        steps(&d),
        [
            ("2026-03-06 18:00".to_string(), StepState::Fired),
            ("2026-03-07 00:00".to_string(), StepState::Fired),
        ]
    );
    // Extended from that deadline by one working day: the close of Friday, not of Monday.
    let extended = |by: &str| {
        case(
            "2026-03-02 10:00",
            &[(
                "2026-03-04 10:00",
                "extended",
                serde_json::json!({"by": by, "reason": "r"}),
            )],
        )
    };
    let d = engine
        .decide(&extended("1 working day"), at("2026-03-20 12:00"))
        .unwrap();
    assert_eq!(target(&d, "cal").1.as_deref(), Some("2026-03-06 18:00"));
    let d = engine
        .decide(&extended("1 day"), at("2026-03-20 12:00"))
        .unwrap();
    assert_eq!(target(&d, "cal").1.as_deref(), Some("2026-03-07 00:00"));

    // A working-time target extended by `2 days` is due at 24:00 on Wednesday 18 March; a
    // second extension recorded at 20:00 that Wednesday is in time, and moves it to the
    // close of Thursday.
    let engine = extending(
        "extension resolve { max 10 working days }\nescalate l for resolve { at breach notify officer }",
    );
    let c = extensions_case(
        None,
        &[
            ("2026-03-10 10:00", "2 days"),
            ("2026-03-18 20:00", "1 working day"),
        ],
    );
    let d = engine.decide(&c, at("2026-03-19 12:00")).unwrap();
    assert_eq!(finding_kinds(&d), Vec::<&str>::new());
    assert_eq!(target(&d, "resolve").1.as_deref(), Some("2026-03-19 18:00"));
    assert_eq!(
        steps(&d),
        [("2026-03-19 18:00".to_string(), StepState::Pending)]
    );
}

/// Pauses do not nest: a second `paused` while the clock is stopped changes nothing, and
/// one `resumed` starts it again, for a target named by the first pause too.
#[test]
fn one_resumed_ends_a_pause_paused_twice() {
    let engine = policy("sla s { resolve within 5 working days }");
    // Received Monday 2 March 10:00: due at the close of Monday 9 March. Paused from Tuesday
    // 10:00 to Thursday 10:00, 18 working hours (8 + 9 + 1): the deadline moves by two
    // working days of 9 hours, to the close of Wednesday 11 March.
    let once = case(
        "2026-03-02 10:00",
        &[
            ("2026-03-03 10:00", "paused", none()),
            ("2026-03-05 10:00", "resumed", none()),
        ],
    );
    let twice = case(
        "2026-03-02 10:00",
        &[
            (
                "2026-03-03 10:00",
                "paused",
                serde_json::json!({"target": "resolve"}),
            ),
            ("2026-03-04 10:00", "paused", none()),
            ("2026-03-05 10:00", "resumed", none()),
        ],
    );
    let now = at("2026-03-20 12:00");
    let expected = (
        Some("2026-03-02 10:00".to_string()),
        Some("2026-03-11 18:00".to_string()),
        State::Breached,
    );
    assert_eq!(
        target(&engine.decide(&once, now).unwrap(), "resolve"),
        expected
    );
    assert_eq!(
        target(&engine.decide(&twice, now).unwrap(), "resolve"),
        expected
    );
}

/// Extensions after the one that reached `max` are not applied, and each says why.
#[test]
fn extensions_past_the_maximum_each_get_a_finding() {
    let engine = extending("extension resolve { max 3 working days count 3 }");
    let c = extensions_case(
        None,
        &[
            ("2026-03-03 10:00", "4 working days"),
            ("2026-03-04 10:00", "1 working day"),
        ],
    );
    let d = engine.decide(&c, at("2026-03-05 12:00")).unwrap();
    assert_eq!(
        finding_kinds(&d),
        ["extension_beyond_max", "extension_beyond_max"]
    );
    assert!(
        d.findings[1]
            .message
            .contains("2026-03-04T10:00:00+08:00 is not applied"),
        "{}",
        d.findings[1].message
    );
    // Due at the close of Monday 16 March, moved by 3 working days: Thursday 19 March.
    assert_eq!(target(&d, "resolve").1.as_deref(), Some("2026-03-19 18:00"));
}

/// A callback of a round that a reopening ended is judged as it stood then, as the round's
/// targets are: due after the reopening, it was still running, not breached by now.
#[test]
fn an_earlier_rounds_callback_is_judged_at_the_end_of_its_round() {
    let engine = policy(
        "sla s { resolve within 5 working days }\ncallback fb { within 3 working days from resolved  via original }",
    );
    // Resolved Wednesday 4 March 10:00 (callback due at the close of Monday 9 March), and
    // reopened an hour later.
    let c = case(
        "2026-03-02 10:00",
        &[
            ("2026-03-04 10:00", "resolved", none()),
            ("2026-03-04 11:00", "reopened", none()),
        ],
    );
    let d = engine.decide(&c, at("2026-03-16 12:00")).unwrap();
    let earlier = &d.callback.as_ref().unwrap().earlier;
    assert_eq!(earlier.len(), 1);
    assert_eq!(
        earlier[0].due.map(|a| a.to_string()),
        Some(instant("2026-03-09 18:00"))
    );
    assert_eq!(earlier[0].state, State::Running);
}

/// A target is at risk from the second its clock reaches the policy's share, the instant a
/// step `at` that share fires, not from the rounded percentage.
#[test]
fn at_risk_starts_when_the_clock_reaches_the_share() {
    let text = r#"policy t "T" { version "1" effective 2026-01-01 timezone "Asia/Shanghai" calendar office at_risk 60% }
calendar office { valid 2026-01-01..2027-12-31 week mon..fri 09:00-18:00 }
channel phone
category billing
role officer "Officer" {}
route { otherwise -> officer }
sla s { resolve within 5 working days }
escalate l for resolve { at 60% notify officer }"#;
    let engine = Engine::new(check(&load_text("t.charter", text))).unwrap();
    // Received Monday 2 March 10:00: a budget of 53 working hours; 60 % is 31.8 hours, reached
    // on Thursday 5 March at 14:48.
    let c = case("2026-03-02 10:00", &[]);
    let before = engine.decide(&c, at("2026-03-05 14:47")).unwrap();
    assert_eq!(target(&before, "resolve").2, State::Running);
    assert_eq!(steps(&before)[0].1, StepState::Pending);
    let then = engine.decide(&c, at("2026-03-05 14:48")).unwrap();
    assert_eq!(target(&then, "resolve").2, State::AtRisk);
    assert_eq!(
        steps(&then)[0],
        ("2026-03-05 14:48".to_string(), StepState::Fired)
    );
}

/// A date before a provisional calendar's range is decided provisionally too, and the finding
/// says the range starts after it (not that the date is past its end).
#[test]
fn a_provisional_decision_before_the_range_says_so() {
    let text = r#"policy t "T" { version "1" effective 2025-01-01 timezone "Asia/Shanghai" calendar office }
calendar office { valid 2026-01-01..2026-12-31 week mon..fri 09:00-18:00 beyond valid provisional }
channel phone
category billing
role officer "Officer" {}
route { otherwise -> officer }
sla s { resolve within 5 working days }"#;
    let engine = Engine::new(check(&load_text("t.charter", text))).unwrap();
    let d = engine
        .decide(&case("2025-12-29 10:00", &[]), at("2026-01-20 12:00"))
        .unwrap();
    assert!(d.provisional);
    let message = &d.findings[0].message;
    assert!(
        message.starts_with(
            "calendar `office` is valid from 2026-01-01, and this decision needs 2025-12-29"
        ),
        "{message}"
    );
}
