//! Policy test suites (`charter test`): expected instants compare as instants and numbers as
//! numbers, and a failure shows both forms.

use assert_cmd::Command;
use charter::suite::{Expect, compare};
use predicates::prelude::*;

fn charter() -> Command {
    Command::cargo_bin("charter").unwrap()
}

fn expect(text: &str) -> Expect {
    toml::from_str(text).unwrap()
}

#[test]
fn the_same_instant_in_another_offset_and_the_same_number_are_equal() {
    let decision = serde_json::json!({
        "targets": [{
            "name": "resolve",
            "deadline": "2026-04-20T17:00:00+01:00",
            "consumed_percent": 102.3,
            "budget_seconds": 7200,
        }],
        "callback": { "due": "2026-04-21T09:00:00+01:00", "via": "phone" },
    });
    let same = expect(
        r#"
        targets.resolve = { deadline = "2026-04-20T16:00:00Z", consumed_percent = "102.30", budget_seconds = "7200" }
        callback = { due = "2026-04-21T10:00:00+02:00", via = "phone" }
        "#,
    );
    assert_eq!(compare(&same, &decision), vec![]);
    let other = expect(
        r#"
        targets.resolve = { deadline = "2026-04-20T16:00:01Z", consumed_percent = "102.4" }
        callback = { due = "2026-04-21T09:00:00+01:00", via = "102.3" }
        "#,
    );
    let mismatches = compare(&other, &decision);
    let keys: Vec<&str> = mismatches.iter().map(|m| m.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "targets.resolve.consumed_percent",
            "targets.resolve.deadline",
            "callback.via"
        ]
    );
    // Expected as written, actual as the engine wrote it, the expected instant in the
    // actual's offset.
    let deadline = &mismatches[1];
    assert_eq!(deadline.expected, "2026-04-20T16:00:01Z");
    assert_eq!(deadline.actual, "2026-04-20T17:00:00+01:00");
    assert_eq!(
        deadline.note.as_deref(),
        Some(
            "expected, in the actual's offset: 2026-04-20T17:00:01+01:00, 1 second after the actual"
        )
    );
    assert_eq!(mismatches[0].expected, "102.4");
    assert_eq!(mismatches[0].actual, 102.3);
}

#[test]
fn equal_values_written_otherwise_pass() {
    charter()
        .args(["test", "--filter", "pass", "tests/fixtures/suite_values"])
        .assert()
        .success()
        .stdout(predicate::str::contains("2 passed, 0 failed"));
}

/// Differing instants and numbers, and expected values that are neither, as `charter test`
/// prints them.
#[test]
fn differing_values_show_both_forms() {
    let out = charter()
        .args(["test", "tests/fixtures/suite_values"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    insta::assert_snapshot!("suite_value_failures", String::from_utf8(out).unwrap());
}
