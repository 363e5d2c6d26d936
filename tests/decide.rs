//! Deciding cases through the library: the shipped example cases (snapshotted decisions, each
//! read and checked by hand), the JSON Schemas, and every kind of bad case.

use std::path::{Path, PathBuf};

use charter::decide::{Case, DecideError, Decision, Engine, FindingKind, State, Timestamp};
use proptest::prelude::*;

#[path = "../examples/gen_cases.rs"]
#[allow(dead_code, reason = "only `case_line` and `Rng` are used")]
mod gen_cases;

fn engine(policy: &str) -> Engine {
    charter::load::engine(Path::new(policy))
        .map_err(|(e, _)| e.to_string())
        .unwrap()
        .0
}

fn at(text: &str) -> i64 {
    Timestamp::parse(text).unwrap().secs
}

fn read_case(path: &Path) -> Case {
    let text = std::fs::read_to_string(path).unwrap();
    if path.extension().is_some_and(|e| e == "toml") {
        Case::from_toml(&text).unwrap()
    } else {
        Case::from_json(&text).unwrap()
    }
}

/// The instant in a folder of example cases' `NOW` file, and its cases (`.json` and `.toml`),
/// sorted.
fn example_cases(folder: &Path) -> (i64, Vec<PathBuf>) {
    let now = at(std::fs::read_to_string(folder.join("NOW")).unwrap().trim());
    let mut files: Vec<PathBuf> = std::fs::read_dir(folder)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json" || e == "toml"))
        .collect();
    files.sort();
    (now, files)
}

/// A decision as the batch and the service write it.
fn json(decision: &Decision<'_>) -> String {
    let mut out = Vec::new();
    decision.write_json(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// A decision as `charter decide` prints it: the one writer's JSON, indented.
fn pretty(decision: &Decision<'_>) -> String {
    let mut compact = Vec::new();
    decision.write_json(&mut compact);
    let mut out = Vec::new();
    charter::decide::indent(&compact, &mut out);
    String::from_utf8(out).unwrap()
}

/// Every way out of a decision is the one writer: serde (for programs that embed charter)
/// gives the writer's bytes, and the indented form `charter decide` prints is the same JSON.
fn assert_same_json(decision: &Decision<'_>) {
    let compact = json(decision);
    assert_eq!(serde_json::to_string(decision).unwrap(), compact);
    let parsed: serde_json::Value = serde_json::from_str(&compact).unwrap();
    let indented: serde_json::Value = serde_json::from_str(&pretty(decision)).unwrap();
    assert_eq!(parsed, indented);
    assert_eq!(serde_json::to_value(decision).unwrap(), parsed);
}

/// Generated cases (the benchmark's mix) on the complaint office, at three instants.
#[test]
fn generated_decisions_write_the_same_json_as_serde() {
    let engine = engine("policies/complaint-office");
    let mut rng = gen_cases::Rng::new(7);
    for i in 0..2000 {
        let case = Case::from_json(&gen_cases::case_line(i, &mut rng)).unwrap();
        for now in [
            case.received_at.secs + 3600,
            case.received_at.secs + 5 * 86_400,
            at("2027-01-01T00:00:00+08:00"),
        ] {
            assert_same_json(&engine.decide(&case, now).unwrap());
        }
    }
}

/// One `Decision` reused for every example case of every policy and for generated cases, in
/// turn, holds after each exactly what a fresh decision holds: nothing of the case before
/// leaks (cycles, extensions, findings, callbacks, stages, the route's missing attributes).
#[test]
fn decide_into_a_reused_decision_matches_a_fresh_one() {
    let policies = ["complaint-office", "ecommerce-after-sales", "led-maker"];
    let engines: Vec<Engine> = policies
        .iter()
        .map(|p| engine(&format!("policies/{p}")))
        .collect();
    let mut cases: Vec<(usize, Case, i64)> = Vec::new();
    for (k, policy) in policies.iter().enumerate() {
        let (now, files) = example_cases(&Path::new("examples/cases").join(policy));
        cases.extend(files.iter().map(|f| (k, read_case(f), now)));
    }
    let mut rng = gen_cases::Rng::new(11);
    for i in 0..300 {
        let case = Case::from_json(&gen_cases::case_line(i, &mut rng)).unwrap();
        let now = case.received_at.secs + (i as i64 % 9) * 86_400;
        cases.push((0, case, now));
    }
    // Interleaved so that each case follows one of another kind, and every case is decided
    // into a decision that held something else.
    let order: Vec<usize> = (0..cases.len()).map(|i| (i * 7919) % cases.len()).collect();
    let mut sorted = order.clone();
    sorted.sort_unstable();
    assert!(
        sorted.iter().copied().eq(0..cases.len()),
        "the order visits every case"
    );
    // One reused decision that asks for the reasons, one that does not: the second is the
    // same decision without them, and its JSON has no `explain` key.
    let mut reused = Decision::with_reasons();
    let mut plain = Decision::default();
    for round in 0..2 {
        for &i in &order {
            let (k, case, now) = &cases[i];
            let fresh = engines[*k].decide(case, *now).unwrap();
            engines[*k].decide_into(case, *now, &mut reused).unwrap();
            engines[*k].decide_into(case, *now, &mut plain).unwrap();
            assert_eq!(
                json(&reused),
                json(&fresh),
                "case `{}` (round {round})",
                case.id
            );
            assert_eq!(reused.explain_text(), fresh.explain_text());
            assert!(plain.explain.is_none() && plain.explain_text().is_empty());
            let mut without: serde_json::Value = serde_json::from_str(&json(&fresh)).unwrap();
            assert!(without.as_object_mut().unwrap().remove("explain").is_some());
            let plain_json: serde_json::Value = serde_json::from_str(&json(&plain)).unwrap();
            assert_eq!(plain_json, without, "case `{}` (round {round})", case.id);
        }
    }
}

/// Deciding finds each target's start and stop events through masks of where each kind is,
/// which hold the first 64 events; a case with more is searched event by event. Both must
/// give the same decision: every example case, with 70 events of a kind no policy uses put
/// before its own, decides exactly as it does alone.
#[test]
fn a_case_with_more_events_than_the_masks_hold_decides_the_same() {
    for policy in ["complaint-office", "ecommerce-after-sales", "led-maker"] {
        let engine = engine(&format!("policies/{policy}"));
        let (now, files) = example_cases(&Path::new("examples/cases").join(policy));
        for file in files {
            let case = read_case(&file);
            let Ok(plain) = engine.decide(&case, now) else {
                continue;
            };
            let mut long = case.clone();
            let filler = charter::decide::Event {
                at: case.received_at,
                // A kind of the language that none of these policies times.
                kind: "completed".into(),
                note: None,
                via: None,
                satisfied: None,
                reason: None,
                by: None,
                target: None,
                stage: None,
                handler: None,
            };
            long.events.splice(0..0, std::iter::repeat_n(filler, 70));
            let padded = engine.decide(&long, now).unwrap();
            assert_eq!(json(&padded), json(&plain), "{}", file.display());
        }
    }
}

/// Every case under `examples/cases/POLICY/`, decided at the instant in that folder's `NOW`.
#[test]
fn example_cases_decide_as_snapshotted() {
    let mut folders: Vec<PathBuf> = std::fs::read_dir("examples/cases")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    folders.sort();
    let mut count = 0;
    for folder in folders {
        let policy = folder.file_name().unwrap().to_str().unwrap().to_string();
        let engine = engine(&format!("policies/{policy}"));
        let (now, files) = example_cases(&folder);
        for file in files {
            let case = read_case(&file);
            let decision = engine.decide(&case, now).unwrap();
            assert_same_json(&decision);
            let stem = file.file_stem().unwrap().to_str().unwrap();
            // As `charter decide` prints it, field order included.
            let decision = pretty(&decision);
            insta::assert_snapshot!(format!("decide__{policy}__{stem}"), decision);
            count += 1;
        }
    }
    assert!(
        count >= 20,
        "examples/cases should hold at least 20 cases, found {count}"
    );
}

/// The example cases together reach every outcome the issue lists.
#[test]
fn example_cases_reach_every_outcome() {
    let mut outcomes = std::collections::BTreeSet::new();
    let mut states = std::collections::BTreeSet::new();
    let mut findings = std::collections::BTreeSet::new();
    let mut versions = std::collections::BTreeSet::new();
    let mut calendars = std::collections::BTreeSet::new();
    for folder in ["complaint-office", "ecommerce-after-sales", "led-maker"] {
        let engine = engine(&format!("policies/{folder}"));
        let dir = Path::new("examples/cases").join(folder);
        let now = at(std::fs::read_to_string(dir.join("NOW")).unwrap().trim());
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.file_name().unwrap() == "NOW" {
                continue;
            }
            let case = read_case(&path);
            let d = engine.decide(&case, now).unwrap();
            outcomes.insert(format!("{:?}", d.acceptance.outcome));
            for t in &d.targets {
                states.insert(t.state.name());
                for c in &t.cycles {
                    states.insert(c.state.name());
                }
                if let Some(c) = &t.target.calendar {
                    calendars.insert(c.to_string());
                }
            }
            if let Some(cb) = &d.callback {
                states.insert(cb.state.name());
            }
            for f in &d.findings {
                findings.insert(format!("{:?}", f.kind));
            }
            versions.insert(format!("{} {}", d.policy.name, d.policy.version));
        }
    }
    assert_eq!(
        outcomes.into_iter().collect::<Vec<_>>(),
        ["Accepted", "Incomplete", "Redirected"]
    );
    for state in [
        State::Met,
        State::Breached,
        State::AtRisk,
        State::Running,
        State::Paused,
        State::NotStarted,
    ] {
        assert!(
            states.contains(state.name()),
            "no example reaches {state:?}"
        );
    }
    for kind in [
        FindingKind::MissingAttribute,
        FindingKind::ExtensionWithoutReason,
        FindingKind::ExtensionBeyondMax,
        FindingKind::SeparationOfDuties,
        FindingKind::StageOrder,
        FindingKind::CallbackChannel,
        FindingKind::SatisfactionNotRecorded,
    ] {
        assert!(
            findings.contains(&format!("{kind:?}")),
            "no example finds {kind:?}"
        );
    }
    assert!(versions.contains("ecommerce_after_sales 2026.1"));
    assert!(versions.contains("ecommerce_after_sales 2026.2"));
    assert!(calendars.contains("repair_centre") && calendars.contains("online"));
}

/// The schema of what charter reads (`Case`) or writes (`Decision`): a field written only
/// when it has something in it is optional in the schema of a written type.
fn schema_text<T: schemars::JsonSchema>(written: bool) -> String {
    let settings = schemars::generate::SchemaSettings::draft2020_12();
    let settings = if written {
        settings.for_serialize()
    } else {
        settings.for_deserialize()
    };
    let schema = settings.into_generator().into_root_schema_for::<T>();
    serde_json::to_string_pretty(&schema).unwrap() + "\n"
}

/// `schema/*.json` are generated from the Rust types; this fails when they are stale.
/// Regenerate with `CHARTER_WRITE_SCHEMA=1 cargo test --locked schema`.
#[test]
fn schemas_are_up_to_date() {
    let schemas = [
        ("schema/case.schema.json", schema_text::<Case>(false)),
        (
            "schema/decision.schema.json",
            schema_text::<Decision<'static>>(true),
        ),
    ];
    for (path, generated) in schemas {
        // Descriptions come from doc comments; a code example there is for Rust readers, not
        // for the contract (the type then says its own description with `schemars(...)`).
        assert!(
            !generated.contains("```"),
            "{path}: a description holds a doc example; give the type `#[cfg_attr(feature = \"schema\", schemars(description = \"…\"))]`"
        );
        if std::env::var_os("CHARTER_WRITE_SCHEMA").is_some() {
            std::fs::create_dir_all("schema").unwrap();
            std::fs::write(path, &generated).unwrap();
        }
        let stored = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            stored == generated,
            "{path} is stale: run `CHARTER_WRITE_SCHEMA=1 cargo test --locked schema` and commit it"
        );
    }
}

/// The published schemas accept what charter writes and reads, checked with a JSON Schema
/// validator: every example case, its decision, and decisions of generated cases at three
/// instants (all the kinds of targets, cycles, extensions, callbacks, stages and findings the
/// generator reaches).
#[test]
fn decisions_and_cases_validate_against_the_published_schemas() {
    let load = |path: &str| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    };
    let decisions = jsonschema::validator_for(&load("schema/decision.schema.json")).unwrap();
    let cases = jsonschema::validator_for(&load("schema/case.schema.json")).unwrap();
    let check = |validator: &jsonschema::Validator, value: &serde_json::Value, what: &str| {
        let errors: Vec<String> = validator
            .iter_errors(value)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{what}: {errors:?}");
    };
    let mut checked = 0;
    for policy in ["complaint-office", "ecommerce-after-sales", "led-maker"] {
        let folder = Path::new("examples/cases").join(policy);
        if !folder.exists() {
            continue;
        }
        let engine = engine(&format!("policies/{policy}"));
        let (now, files) = example_cases(&folder);
        for file in files {
            let case = read_case(&file);
            check(
                &cases,
                &serde_json::to_value(&case).unwrap(),
                &file.display().to_string(),
            );
            if let Ok(mut d) = engine.decide(&case, now) {
                // As `charter decide` and the service write it: with its id and digest.
                charter::record::stamp(&mut d, &case).unwrap();
                check(
                    &decisions,
                    &serde_json::to_value(&d).unwrap(),
                    &file.display().to_string(),
                );
                checked += 1;
            }
        }
    }
    assert!(checked >= 25, "only {checked} example decisions");
    let engine = engine("policies/complaint-office");
    let mut rng = gen_cases::Rng::new(11);
    // 10,000 generated cases, each decided at one of three instants (an hour in, five days in,
    // and long after), as the batch writes them.
    for i in 0..10_000 {
        let line = gen_cases::case_line(i, &mut rng);
        let case = Case::from_json(&line).unwrap();
        check(&cases, &serde_json::from_str(&line).unwrap(), &line);
        let now = match i % 3 {
            0 => case.received_at.secs + 3600,
            1 => case.received_at.secs + 5 * 86_400,
            _ => at("2027-01-01T00:00:00+08:00"),
        };
        let d = engine.decide(&case, now).unwrap();
        check(&decisions, &serde_json::from_str(&json(&d)).unwrap(), &line);
    }
}

/// Every top-level key of a real decision is described by the schema, and the schema requires
/// the contract's keys.
#[test]
fn decision_schema_describes_real_decisions() {
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string("schema/decision.schema.json").unwrap())
            .unwrap();
    let properties = schema["properties"].as_object().unwrap();
    let engine = engine("policies/complaint-office");
    let case = read_case(Path::new(
        "examples/cases/complaint-office/accepted-phone.json",
    ));
    let mut decision = engine.decide(&case, case.received_at.secs).unwrap();
    charter::record::stamp(&mut decision, &case).unwrap();
    let decision = serde_json::to_value(decision).unwrap();
    for key in decision.as_object().unwrap().keys() {
        assert!(properties.contains_key(key), "schema lacks `{key}`");
    }
    for key in [
        "case",
        "policy",
        "evaluated_at",
        "acceptance",
        "route",
        "targets",
        "escalations",
        "callback",
        "explain",
    ] {
        assert!(decision.get(key).is_some(), "decision lacks `{key}`");
    }
}

fn base_case() -> serde_json::Value {
    serde_json::json!({
        "id": "T-1", "received_at": "2026-11-23T09:00:00+08:00", "channel": "phone",
        "category": "billing", "severity": "normal",
        "fields": {"customer_name": "a", "contact": "b", "content": "c"},
        "attributes": {"amount": 10, "departments": []},
        "events": [{"at": "2026-11-23T09:30:00+08:00", "kind": "acknowledged"}]
    })
}

fn problems(case: serde_json::Value) -> Vec<(String, String)> {
    let engine = engine("policies/complaint-office");
    let case = Case::from_json(&case.to_string()).unwrap();
    match engine.decide(&case, at("2026-11-30T12:00:00+08:00")) {
        Err(DecideError::Case(e)) => e
            .problems
            .into_iter()
            .map(|p| (p.field, p.message))
            .collect(),
        other => panic!("expected a case error, got {other:?}"),
    }
}

#[test]
fn unknown_names_are_errors_with_suggestions() {
    let mut case = base_case();
    case["category"] = "biling".into();
    case["channel"] = "fax".into();
    case["severity"] = "huge".into();
    case["attributes"]["amuont"] = 5.into();
    let found = problems(case);
    let fields: Vec<&str> = found.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(
        fields,
        ["channel", "category", "severity", "attributes.amuont"]
    );
    assert!(found[1].1.contains("did you mean `billing`?"), "{found:?}");
    assert!(
        found[0].1.contains("`phone`"),
        "lists the channels: {found:?}"
    );
    assert!(found[3].1.contains("did you mean `amount`?"), "{found:?}");
}

#[test]
fn wrong_attribute_types_are_errors() {
    let mut case = base_case();
    case["attributes"]["amount"] = "1200".into();
    case["attributes"]["departments"] = serde_json::json!(["finance", 3]);
    let found = problems(case);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(
        found[0]
            .1
            .contains("is a number in the policy, but the case gives the string \"1200\"")
    );
    assert!(found[1].1.contains("a list holding the number 3"));
}

#[test]
fn events_out_of_order_or_before_receipt_are_errors() {
    let mut case = base_case();
    case["events"] = serde_json::json!([
        {"at": "2026-11-23T08:00:00+08:00", "kind": "acknowledged"},
        {"at": "2026-11-24T10:00:00+08:00", "kind": "updated"},
        {"at": "2026-11-24T09:00:00+08:00", "kind": "resolved"},
        {"at": "2026-11-24T11:00:00+08:00", "kind": "extended", "by": "3 working weeks"},
        {"at": "2026-11-24T12:00:00+08:00", "kind": "stage", "stage": "reveiw"}
    ]);
    let found = problems(case);
    let fields: Vec<&str> = found.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(
        fields,
        [
            "events[0].at",
            "events[2].at",
            "events[3].by",
            "events[4].stage"
        ]
    );
    assert!(found[0].1.contains("before `received_at`"));
    assert!(found[1].1.contains("earlier than the event before it"));
    assert!(found[3].1.contains("did you mean `review`?"));
}

#[test]
fn shape_errors_name_the_field_and_place() {
    let no_offset = base_case()
        .to_string()
        .replace("2026-11-23T09:30:00+08:00", "2026-11-23T09:30:00");
    let e = Case::from_json(&no_offset).unwrap_err();
    assert_eq!(e.field, "events[0].at");
    assert!(e.message.contains("has no UTC offset"), "{e}");
    let mut typo = base_case();
    typo["recieved_at"] = "x".into();
    let e = Case::from_json(&typo.to_string()).unwrap_err();
    assert!(e.message.contains("unknown field `recieved_at`"), "{e}");
    let e = Case::from_json("{\"id\": \"x\",").unwrap_err();
    assert!(e.line_col.is_some(), "{e}");
    // Cut short before a field: no field is named (not `?`).
    assert_eq!(e.field, "", "{e}");
    let e = Case::from_toml("id = 3").unwrap_err();
    assert_eq!(e.field, "id");
    // The TOML reader's depth limit has no place of its own: the deepest line is named.
    let deep = format!(
        "id = \"x\"\nchannel = \"phone\"\nattributes.{} = 1\n",
        vec!["a"; 300].join(".")
    );
    let e = Case::from_toml(&deep).unwrap_err();
    assert_eq!((e.code.code(), e.line_col), ("C0001", Some((3, 1))), "{e}");
    assert!(e.message.starts_with("nested deeper than"), "{e}");
}

/// What a case cannot be is refused, with what is wrong and where: a list of its fields in
/// order (which serde alone would read), an attribute or a field given twice (which value
/// holds would be a guess). A byte-order mark before the object is not part of it.
#[test]
fn a_case_is_one_object_with_each_name_once() {
    let e = Case::from_json(r#" ["C-1", "2026-11-20T10:00:00+08:00", "phone", "billing"]"#)
        .unwrap_err();
    assert_eq!((e.code.code(), e.line_col), ("C0002", Some((1, 2))));
    assert!(e.message.starts_with("a case is a JSON object"), "{e}");
    assert!(e.message.ends_with("and this is a list"), "{e}");
    let text = base_case().to_string();
    let twice = text.replacen(r#""amount":"#, r#""amount":1,"amount":"#, 1);
    let e = Case::from_json(&twice).unwrap_err();
    assert_eq!((e.code.code(), e.field.as_str()), ("C0002", "attributes"));
    assert!(
        e.message.starts_with("attribute `amount` is given twice"),
        "{e}"
    );
    let twice = text.replacen(r#""contact":"#, r#""contact":"x","contact":"#, 1);
    let e = Case::from_json(&twice).unwrap_err();
    assert_eq!((e.code.code(), e.field.as_str()), ("C0002", "fields"));
    assert!(
        e.message.starts_with("field `contact` is given twice"),
        "{e}"
    );
    let case = Case::from_json(&format!("\u{feff}{text}")).unwrap();
    assert_eq!(
        serde_json::to_value(&case).unwrap(),
        serde_json::to_value(Case::from_json(&text).unwrap()).unwrap()
    );
}

/// A writer that takes a few bytes at a time, from at most two of the slices it is given
/// (moving to the second only when the first is written whole).
struct Trickle(Vec<u8>);

impl std::io::Write for Trickle {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = buf.len().min(7);
        self.0.extend_from_slice(&buf[..n]);
        Ok(n)
    }

    fn write_vectored(&mut self, bufs: &[std::io::IoSlice<'_>]) -> std::io::Result<usize> {
        let mut written = 0;
        for buf in bufs.iter().filter(|b| !b.is_empty()).take(2) {
            let n = self.write(buf)?;
            written += n;
            if n < buf.len() {
                break;
            }
        }
        Ok(written)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The batch's output is the same through a writer that takes a few bytes per call as
/// through one that takes everything: records (good and bad) are written whole and in order.
#[test]
fn a_batch_writes_every_byte_through_a_slow_writer() {
    use charter::decide::batch::{BatchOptions, run_batch};
    let engine = engine("policies/complaint-office");
    let mut rng = gen_cases::Rng::new(7);
    let mut input: Vec<u8> = Vec::new();
    for i in 0..300 {
        let line = if i % 50 == 7 {
            "{\"id\": 3}".to_string()
        } else {
            gen_cases::case_line(i, &mut rng)
        };
        input.extend_from_slice(line.as_bytes());
        input.push(b'\n');
    }
    let options = BatchOptions {
        now: at("2026-12-01T00:00:00+08:00"),
    };
    let mut whole = Vec::new();
    let a = run_batch(
        &engine,
        &mut input.as_slice(),
        &mut whole,
        options,
        &mut |_| {},
    )
    .unwrap();
    let mut trickle = Trickle(Vec::new());
    let b = run_batch(
        &engine,
        &mut input.as_slice(),
        &mut trickle,
        options,
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(a, b);
    assert_eq!((a.records, a.errors), (300, 6));
    assert_eq!(whole.iter().filter(|&&b| b == b'\n').count(), 300);
    assert!(whole == trickle.0, "the slow writer's output differs");
}

#[test]
fn the_version_in_force_at_receipt_decides() {
    let engine = engine("policies/ecommerce-after-sales");
    let decide = |received: &str| {
        let case = Case::from_json(
            &serde_json::json!({"id": "v", "received_at": received, "channel": "chat",
                "category": "returns", "severity": "normal",
                "fields": {"order_no": "1", "customer": "x"},
                "attributes": {"amount": 1, "vip": false}})
            .to_string(),
        )
        .unwrap();
        let d = engine
            .decide(&case, at("2026-10-20T12:00:00+08:00"))
            .unwrap();
        (
            d.policy.version.to_string(),
            d.policy.digest.to_string(),
            d.targets[0].target.within.to_string(),
        )
    };
    let before = decide("2026-09-30T23:59:00+08:00");
    let after = decide("2026-10-01T00:00:00+08:00");
    assert_eq!(before.0, "2026.1");
    assert_eq!(before.2, "30 working minutes");
    assert_eq!(after.0, "2026.2");
    assert_eq!(after.2, "15 working minutes");
    assert_ne!(before.1, after.1, "each version has its own digest");
    assert_eq!(before.1.len(), 64);
    let case = Case::from_json(
        &serde_json::json!({"id": "old", "received_at": "2025-06-01T10:00:00+08:00",
            "channel": "chat", "category": "returns"})
        .to_string(),
    )
    .unwrap();
    let error = engine
        .decide(&case, at("2026-10-20T12:00:00+08:00"))
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("the earliest takes effect on 2026-01-01"),
        "{error}"
    );
}

#[test]
fn three_valued_routing_never_treats_a_missing_attribute_as_false() {
    let engine = engine("policies/complaint-office");
    let mut case = base_case();
    case["attributes"] = serde_json::json!({"amount": 9000});
    let case1 = Case::from_json(&case.to_string()).unwrap();
    let d = engine
        .decide(&case1, at("2026-11-30T12:00:00+08:00"))
        .unwrap();
    assert_eq!(
        d.route.as_ref().unwrap().role,
        Some("coordinator"),
        "true `or` unknown is true"
    );
    case["attributes"] = serde_json::json!({"amount": 10});
    let case2 = Case::from_json(&case.to_string()).unwrap();
    let d = engine
        .decide(&case2, at("2026-11-30T12:00:00+08:00"))
        .unwrap();
    let route = d.route.as_ref().unwrap();
    assert_eq!(route.role, None, "false `or` unknown is unknown");
    assert_eq!(route.missing, ["departments"]);
}

/// The shipped policies leave no routed role without a superior (`charter lint` warns, L0016),
/// so this finding is shown on the lint fixture that has that gap.
#[test]
fn escalating_past_the_top_is_a_finding() {
    let engine = engine("tests/fixtures/lint/no_superior.charter");
    let case = Case::from_json(
        r#"{"id": "T-1", "received_at": "2026-03-02T10:00:00+08:00", "channel": "phone",
            "category": "billing", "severity": "minor"}"#,
    )
    .unwrap();
    let d = engine
        .decide(&case, at("2026-03-20T10:00:00+08:00"))
        .unwrap();
    let step = &d.escalations[0];
    assert_eq!(
        (step.step.to.as_deref(), step.fired),
        (None, true),
        "{:?}",
        d.escalations
    );
    assert_eq!(d.findings.len(), 1);
    assert_eq!(d.findings[0].kind, FindingKind::NoSuperior);
    assert!(
        d.findings[0]
            .message
            .contains("`officer` has no `reports_to`")
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Whatever events a case carries, deciding never panics and the states agree with the
    /// instants: met targets stopped by their deadline, breached ones after it (or are past it
    /// at `now`), running ones are before it.
    #[test]
    fn states_agree_with_deadlines(
        kinds in proptest::collection::vec(
            prop_oneof!["acknowledged", "updated", "resolved", "paused", "resumed", "reopened", "callback", "closed"],
            0..10),
        gaps in proptest::collection::vec(0i64..200_000, 10),
        now_gap in prop_oneof![0i64..2_000_000, 0i64..40_000],
        amount in prop_oneof![Just(None), (0u32..20_000).prop_map(Some)],
        severity in prop_oneof![Just("minor"), Just("normal"), Just("major"), Just("critical")],
    ) {
        let engine = engine("policies/complaint-office");
        let received = at("2026-11-02T08:00:00+08:00");
        let mut t = received;
        let events: Vec<serde_json::Value> = kinds.iter().zip(&gaps).map(|(k, g)| {
            t += g;
            let when = chrono::DateTime::from_timestamp(t, 0).unwrap().to_rfc3339();
            serde_json::json!({"at": when, "kind": k, "satisfied": g % 2 == 0})
        }).collect();
        let mut case = base_case();
        case["received_at"] = "2026-11-02T08:00:00+08:00".into();
        case["severity"] = severity.into();
        case["events"] = events.into();
        case["attributes"] = match amount {
            Some(a) => serde_json::json!({"amount": a, "departments": []}),
            None => serde_json::json!({}),
        };
        let case = Case::from_json(&case.to_string()).unwrap();
        let now = t + now_gap;
        let d = engine.decide(&case, now).unwrap();
        assert_same_json(&d);
        for target in &d.targets {
            let cycles = if target.cycles.is_empty() {
                vec![(target.started_at, target.deadline, target.stopped_at, target.state, target.consumed_percent())]
            } else {
                target.cycles.iter().map(|c| (c.started_at, c.deadline, c.stopped_at, c.state, c.consumed_percent())).collect()
            };
            let last = cycles.len() - 1;
            for (i, (start, deadline, stop, state, used)) in cycles.into_iter().enumerate() {
                if let Some(u) = used {
                    prop_assert!(u >= 0.0);
                }
                match state {
                    State::Met => prop_assert!(stop.unwrap().secs <= deadline.unwrap().secs),
                    State::Breached => {
                        let end = stop.map_or(now, |s| s.secs);
                        prop_assert!(deadline.is_none_or(|d| end > d.secs));
                    }
                    // A cycle of a round that a reopening ended is judged as it stood then.
                    State::Running | State::AtRisk => {
                        prop_assert!(stop.is_none());
                        prop_assert!(i < last || now <= deadline.unwrap().secs);
                    }
                    State::Paused => prop_assert!(stop.is_none()),
                    State::NotStarted => prop_assert!(start.is_none()),
                    State::Missed => prop_assert!(false, "the complaint office has no aims"),
                }
                if let (Some(s), Some(d)) = (start, deadline) {
                    prop_assert!(s.secs <= d.secs);
                }
            }
        }
        for step in &d.escalations {
            prop_assert_eq!(step.fired, step.at.is_some_and(|a| a.secs <= now) && step.state != charter::decide::StepState::Cancelled);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]
    /// Timestamps in the usual form are read without chrono; whatever the digits (months 0-19,
    /// days 0-39, 24:60:60, leap days, fractions, offsets up to 29:99, `Z`, separators that
    /// are not quite right), the result is chrono's: the same instant and offset, or an error.
    #[test]
    fn timestamps_read_like_chrono(
        year in prop_oneof![Just(2026u32), Just(2000), Just(1900), Just(2024), 0u32..10_000],
        month in 0u32..20, day in 0u32..40, hour in 0u32..30, minute in 0u32..70, second in 0u32..70,
        fraction in prop_oneof![Just(String::new()), Just(".".to_string()), "\\.[0-9]{1,12}"],
        zone in prop_oneof![Just("Z".to_string()), Just("z".to_string()), Just("+08:00".to_string()),
            "[+-][0-2][0-9]:[0-9][0-9]", "[+-][0-9]{4}", Just(String::new())],
        separator in prop_oneof![Just('T'), Just('T'), Just('t'), Just(' '), Just('x')],
    ) {
        let text = format!(
            "{year:04}-{month:02}-{day:02}{separator}{hour:02}:{minute:02}:{second:02}{fraction}{zone}"
        );
        let chrono = chrono::DateTime::parse_from_rfc3339(&text)
            .map(|t| (t.timestamp(), t.offset().local_minus_utc()));
        let ours = Timestamp::parse(&text).map(|t| (t.secs, t.offset));
        prop_assert_eq!(ours.ok(), chrono.ok(), "{}", text);
    }
}

proptest! {
    /// The version picked for an instant is the one in force on its local date, on both sides
    /// of every effective date (the engine compares instants, `version_on` compares dates).
    #[test]
    fn the_version_of_an_instant_is_the_version_of_its_date(
        t in prop_oneof![
            at("2025-12-31T22:00:00+08:00")..at("2026-01-01T02:00:00+08:00"),
            at("2026-09-30T22:00:00+08:00")..at("2026-10-01T02:00:00+08:00"),
            -70_000_000_000i64..200_000_000_000,
        ],
    ) {
        let engine = engine("policies/ecommerce-after-sales");
        let date = chrono::DateTime::from_timestamp(t, 0)
            .map(|d| d.with_timezone(&chrono_tz::Asia::Shanghai).date_naive());
        let expected = date.and_then(|d| engine.version_on(d)).map(|v| &v.policy.version);
        prop_assert_eq!(engine.version_at(t).ok().map(|v| &v.policy.version), expected);
    }
}

proptest! {
    /// The decision's own instant formatting agrees with chrono's RFC 3339 in the zone, across
    /// DST changes (New York, Berlin), half-hour zones (Kolkata) and fixed ones (Shanghai).
    #[test]
    fn instants_format_like_chrono(t in -2_208_988_800i64..4_102_444_800, zone in 0usize..4) {
        let tz = [chrono_tz::America::New_York, chrono_tz::Europe::Berlin, chrono_tz::Asia::Kolkata, chrono_tz::Asia::Shanghai][zone];
        use chrono::Offset;
        let ours = charter::decide::At { secs: t, tz }.to_string();
        let local = chrono::DateTime::from_timestamp(t, 0).unwrap().with_timezone(&tz);
        // An offset with seconds (local mean time) cannot be written in RFC 3339: UTC is.
        let chrono = if local.offset().fix().local_minus_utc() % 60 != 0 {
            local.to_utc().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        } else {
            local.to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
        };
        prop_assert_eq!(&ours, &chrono);
        let back = chrono::DateTime::parse_from_rfc3339(&ours).unwrap().timestamp();
        prop_assert_eq!(back, t, "{} is not the instant", ours);
    }

    /// The JSON writer's instants (which share date and offset work between instants of one
    /// decision) agree with serde's, for runs of nearby instants across DST changes.
    #[test]
    fn json_instants_agree_with_serde(
        start in -2_208_988_800i64..4_102_444_800,
        steps in proptest::collection::vec(-90_000i64..90_000, 1..12),
        zone in 0usize..4,
    ) {
        use charter::decide::{Acceptance, At, Outcome, PolicyId, StageState};
        let tz = [chrono_tz::America::New_York, chrono_tz::Europe::Berlin, chrono_tz::Asia::Kolkata, chrono_tz::Asia::Shanghai][zone];
        let mut t = start;
        let stages = steps.iter().map(|step| {
            t += step;
            StageState { name: "review", entered_at: At { secs: t, tz }, handler: None, role: None }
        }).collect();
        let decision = Decision {
            case: "C-1".into(),
            decision_id: Some(charter::decide::DecisionId(start.to_be_bytes().repeat(2).try_into().unwrap())),
            input_digest: Some(charter::decide::InputDigest([zone as u8; 32])),
            policy: PolicyId { name: "p", version: "1", effective: None, digest: "00" },
            evaluated_at: At { secs: start, tz },
            provisional: false,
            acceptance: Acceptance { outcome: Outcome::Accepted, redirect_to: None, reason: None, missing_fields: vec![], ask_by: None },
            route: None,
            targets: vec![],
            escalations: vec![],
            callback: None,
            stages,
            findings: vec![],
            explain: Some(vec![]),
        };
        assert_same_json(&decision);
    }
}

/// Routing alone agrees with the route of a full decision: on generated cases, on the same
/// cases without their severity or attributes (rules that cannot be told), and on every
/// example case of every shipped policy; redirected cases have no route.
#[test]
fn route_alone_agrees_with_the_decision() {
    let mut checked = 0;
    let agree = |engine: &Engine, case: &Case| {
        let decided = engine.decide(case, case.received_at.secs + 3600);
        match (engine.route(case), decided) {
            (Ok(route), Ok(decision)) => {
                let expected = match decision.acceptance.outcome {
                    charter::decide::Outcome::Redirected => None,
                    _ => decision.route.as_ref(),
                };
                fn shown(r: Option<&charter::decide::Route<'_>>) -> Option<String> {
                    r.map(|r| {
                        let line = r.rule.map(|x| x.line);
                        format!(
                            "{:?} {:?} {:?} {line:?} {:?}",
                            r.role, r.title, r.department, r.missing
                        )
                    })
                }
                assert_eq!(shown(route.as_ref()), shown(expected), "{}", case.id);
            }
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
            (a, b) => panic!("{}: route {:?}, decide {:?}", case.id, a.is_ok(), b.is_ok()),
        }
    };
    let office = engine("policies/complaint-office");
    let mut rng = gen_cases::Rng::new(23);
    for i in 0..3000 {
        let mut case = Case::from_json(&gen_cases::case_line(i, &mut rng)).unwrap();
        agree(&office, &case);
        match i % 3 {
            0 => case.severity = None,
            1 => case.attributes.clear(),
            _ => {
                case.severity = None;
                case.attributes.clear();
            }
        }
        agree(&office, &case);
        checked += 2;
    }
    for policy in ["complaint-office", "ecommerce-after-sales", "led-maker"] {
        let engine = engine(&format!("policies/{policy}"));
        for entry in std::fs::read_dir(format!("examples/cases/{policy}")).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "json") {
                let case = Case::from_json(&std::fs::read_to_string(&path).unwrap()).unwrap();
                agree(&engine, &case);
                checked += 1;
            }
        }
    }
    assert!(checked > 6000);
}

/// A reused decision that asks for reasons keeps asking after a case it could not decide: the
/// second case, decided into it after the error, has its explanation.
#[test]
fn a_decision_that_asks_for_reasons_still_asks_after_an_error() {
    // The complaint office's policy without `beyond valid provisional`: a deadline in 2027,
    // past the calendar's range, is an error.
    let policy = std::fs::read_to_string("policies/complaint-office/policy.charter")
        .unwrap()
        .replace("beyond valid provisional", "");
    let calendars = std::fs::read_to_string("policies/calendars/cn-2026.charter").unwrap();
    let engine = Engine::from_sources(&[
        ("office/policy.charter", policy.as_str()),
        ("calendars/cn-2026.charter", calendars.as_str()),
    ])
    .unwrap();
    let case = |received: &str| {
        Case::builder("C-1", received)
            .channel("web")
            .category("billing")
            .severity("minor")
            .build()
            .unwrap()
    };
    let mut decision = Decision::with_reasons();
    let late = case("2026-12-30T10:00:00+08:00");
    let error = engine.decide_into(&late, late.received_at.secs, &mut decision);
    assert!(
        error.is_err(),
        "{:?}",
        error.map(|()| decision.targets.len())
    );
    let early = case("2026-11-20T10:00:00+08:00");
    engine
        .decide_into(&early, early.received_at.secs, &mut decision)
        .unwrap();
    assert!(
        decision
            .explain_text()
            .contains("decided by `complaint_office`")
    );
}
