//! Embedding the engine: a policy compiled from memory decides as the same policy read from
//! disk, and its errors come back as a value that names file, line and column.

use charter::decide::{Case, Engine};

fn office_in_memory() -> Result<Engine, charter::load::PolicyErrors> {
    Engine::from_sources(&[
        (
            "complaint-office/policy.charter",
            include_str!("../policies/complaint-office/policy.charter"),
        ),
        (
            "calendars/cn-2026.charter",
            include_str!("../policies/calendars/cn-2026.charter"),
        ),
    ])
}

#[test]
fn a_policy_from_memory_decides_as_from_disk() {
    let memory = office_in_memory().unwrap();
    let (disk, _) = charter::load::engine("policies/complaint-office".as_ref()).unwrap();
    let mut decided = 0;
    for entry in std::fs::read_dir("examples/cases/complaint-office").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let case = Case::from_json(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let now = case.received_at.secs + 10 * 86_400;
        let (mut a, mut b) = (Vec::new(), Vec::new());
        match (memory.decide(&case, now), disk.decide(&case, now)) {
            (Ok(x), Ok(y)) => {
                x.write_json(&mut a);
                y.write_json(&mut b);
            }
            (x, y) => assert_eq!(x.is_ok(), y.is_ok(), "{}", path.display()),
        }
        assert_eq!(
            String::from_utf8(a).unwrap(),
            String::from_utf8(b).unwrap(),
            "{}",
            path.display()
        );
        decided += 1;
    }
    assert!(decided >= 10, "{decided} cases");
}

#[test]
fn an_import_not_given_is_an_error_at_its_line() {
    let text = include_str!("../policies/complaint-office/policy.charter");
    let error = Engine::from_sources(&[("office/policy.charter", text)]).unwrap_err();
    let shown = error.to_string();
    assert!(
        shown.contains("error[E0020]: cannot import `calendars/cn-2026.charter`: it is not among the files given")
            && shown.contains("--> office/policy.charter:2:1"),
        "{shown}"
    );
    assert!(error.diagnostics().iter().any(|d| d.kind.code() == "E0020"));
}

#[test]
fn an_import_never_reaches_the_disk() {
    // A path that exists on every machine, written as an import: it is only looked for
    // among the files given.
    let error =
        Engine::from_text("import \"../../../../../../etc/hostname.charter\"\n").unwrap_err();
    assert!(
        error.to_string().contains("not among the files given"),
        "{error}"
    );
}

/// A case built in code decides exactly as the same case read from JSON.
#[test]
fn a_case_built_in_code_decides_as_from_json() {
    let engine = office_in_memory().unwrap();
    let json = Case::from_json(
        &std::fs::read_to_string("examples/cases/complaint-office/accepted-phone.json").unwrap(),
    )
    .unwrap();
    let built = Case::builder("C-1001", "2026-11-20T17:45:00+08:00")
        .channel("phone")
        .category("product_quality")
        .severity("major")
        .field("customer_name", "王女士")
        .field("contact", "138 0000 1234")
        .field("content", "LED 面板三天后不亮")
        .field("business", "LED panel")
        .attribute("amount", 1200)
        .attribute("departments", vec!["quality"])
        .event("2026-11-20T18:10:00+08:00", "acknowledged")
        .event_with("2026-11-23T10:00:00+08:00", "paused", |e| {
            e.note = Some("awaiting photos".into())
        })
        .event("2026-11-24T09:30:00+08:00", "resumed")
        .event("2026-11-27T16:00:00+08:00", "resolved")
        .event_with("2026-11-28T11:00:00+08:00", "callback", |e| {
            e.via = Some("phone".into());
            e.satisfied = Some(true);
        })
        .build()
        .unwrap();
    let now = charter::decide::Timestamp::parse("2026-11-30T12:00:00+08:00")
        .unwrap()
        .secs;
    let (mut a, mut b) = (Vec::new(), Vec::new());
    engine.decide(&built, now).unwrap().write_json(&mut a);
    engine.decide(&json, now).unwrap().write_json(&mut b);
    assert_eq!(String::from_utf8(a).unwrap(), String::from_utf8(b).unwrap());
}

/// The builder names the field of its first error.
#[test]
fn a_builder_names_what_is_wrong() {
    let error = Case::builder("C-1", "2026-11-20 17:45:00")
        .channel("phone")
        .category("billing")
        .build()
        .unwrap_err();
    assert_eq!(error.field, "received_at", "{error}");
    assert!(error.message.contains("offset"), "{error}");
    let error = Case::builder("C-1", "2026-11-20T17:45:00+08:00")
        .channel("phone")
        .category("billing")
        .event("2026-11-21T09:00:00+08:00", "acknowledged")
        .event("yesterday", "resolved")
        .build()
        .unwrap_err();
    assert_eq!(error.field, "events[1].at", "{error}");
    let error = Case::builder("C-1", "2026-11-20T17:45:00+08:00")
        .channel("phone")
        .build()
        .unwrap_err();
    assert_eq!(error.field, "category", "{error}");
}

/// A reused decision borrows the engine only: a loop that builds, decides and drops each case
/// in turn compiles, and the decision can outlive every case it was filled from.
#[test]
fn one_decision_outlives_the_cases_it_was_filled_from() {
    let engine = office_in_memory().unwrap();
    let mut decision = charter::decide::Decision::default();
    let mut roles = Vec::new();
    for (i, (category, severity)) in [("billing", "minor"), ("service_quality", "critical")]
        .into_iter()
        .enumerate()
    {
        let case = Case::builder(format!("C-{i}"), "2026-11-16T10:00:00+08:00")
            .channel("phone")
            .category(category)
            .severity(severity)
            .field("complainant", "张三")
            .field("contact", "13800000000")
            .field("summary", "重复扣费")
            .attribute("amount", 300)
            .attribute("departments", vec!["customer_service"])
            .build()
            .unwrap();
        engine
            .decide_into(&case, case.received_at.secs + 3600, &mut decision)
            .unwrap();
        drop(case);
        roles.push(decision.route.as_ref().and_then(|r| r.role));
    }
    assert_eq!(decision.case, "C-1");
    assert_eq!(roles, [Some("complaint_officer"), Some("office_director")]);
}
