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
