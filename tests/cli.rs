//! The binary, run as a user would.

use assert_cmd::Command;
use predicates::prelude::*;

fn charter() -> Command {
    Command::cargo_bin("charter").unwrap()
}

#[test]
fn check_a_shipped_policy_succeeds() {
    charter()
        .args(["check", "policies/complaint-office"])
        .assert()
        .success()
        .stderr(predicate::str::contains("ok (1 version)"));
}

#[test]
fn check_reports_every_error_and_exits_1() {
    charter()
        .args([
            "check",
            "tests/fixtures/check/err/many_errors_at_once.charter",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("unknown time zone `Asia/Shangai`"))
        .stderr(predicate::str::contains("reports_to` goes round"))
        .stderr(predicate::str::contains("7 errors"));
}

#[test]
fn check_json_names_file_line_and_column() {
    let out = charter()
        .args([
            "check",
            "--error-format",
            "json",
            "tests/fixtures/check/err/unknown_category.charter",
        ])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let d = &v["diagnostics"][0];
    assert_eq!(d["code"], "E0006");
    assert_eq!(d["line"], 4);
    assert_eq!(d["column"], 16);
    assert_eq!(
        d["file"],
        "tests/fixtures/check/err/unknown_category.charter"
    );
}

#[test]
fn warnings_fail_only_with_deny_warnings() {
    let fixture = "tests/fixtures/check/err/typo_event_warning.charter";
    charter().args(["check", fixture]).assert().success();
    charter()
        .args(["check", "--deny", "warnings", fixture])
        .assert()
        .code(1);
}

#[test]
fn a_file_that_is_not_utf8_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.charter");
    std::fs::write(&path, b"category \xff\xfe").unwrap();
    charter()
        .arg("check")
        .arg(&path)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("is not UTF-8"));
    charter()
        .arg("fmt")
        .arg(&path)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("not UTF-8"));
}

#[test]
fn an_empty_folder_and_an_empty_file_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    charter()
        .arg("check")
        .arg(dir.path())
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no `.charter` files"));
    let empty = dir.path().join("empty.charter");
    std::fs::write(&empty, "").unwrap();
    charter().arg("check").arg(&empty).assert().success();
    charter()
        .args(["check", "no/such/path"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("does not exist"));
}

#[test]
fn fmt_check_names_files_that_would_change() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.charter");
    std::fs::write(&path, "category   a\n").unwrap();
    charter()
        .args(["fmt", "--check"])
        .arg(&path)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("p.charter"));
    charter().arg("fmt").arg(&path).assert().success();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "category a\n");
    charter()
        .args(["fmt", "--check"])
        .arg(&path)
        .assert()
        .success();
    charter()
        .args(["fmt", "--check", "policies"])
        .assert()
        .success();
}

#[test]
fn time_add_uses_the_shipped_china_calendar() {
    charter()
        .args([
            "time",
            "add",
            "--policy",
            "policies/complaint-office",
            "--from",
            "2026-09-30T15:00:00+08:00",
            "3 working days",
        ])
        .assert()
        .success()
        .stdout("2026-10-10T18:00:00+08:00\n");
    charter()
        .args([
            "time",
            "between",
            "--policy",
            "policies/complaint-office",
            "2026-11-20T17:00:00+08:00",
            "2026-11-23T10:00:00+08:00",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("working  2h00m"));
}

#[test]
fn time_errors_say_what_to_do() {
    charter()
        .args([
            "time",
            "add",
            "--policy",
            "policies/complaint-office",
            "--from",
            "2026-09-30 15:00",
            "3 working days",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("RFC 3339"));
    charter()
        .args([
            "time",
            "add",
            "--policy",
            "policies/complaint-office",
            "--from",
            "2026-12-30T10:00:00+08:00",
            "5 working days",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("covers 2026-01-01 to 2026-12-31"));
}
