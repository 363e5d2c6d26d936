//! The binary, run as a user would.

use assert_cmd::Command;
use predicates::prelude::*;

fn charter() -> Command {
    Command::cargo_bin("charter").unwrap()
}

#[test]
fn check_a_shipped_policy_succeeds() {
    charter()
        .args([
            "check",
            "--today",
            "2026-06-01",
            "policies/complaint-office",
        ])
        .assert()
        .success()
        .stderr(predicate::str::contains("ok (1 version)"));
}

/// Within 90 days of a calendar's end, `check` warns (once per range, naming the calendars
/// that use it and what happens past it); `--deny warnings` makes that fail.
#[test]
fn check_warns_before_a_calendar_runs_out() {
    charter()
        .args(["check", "--today", "2026-10-03", "policies/complaint-office"])
        .assert()
        .success()
        .stderr(predicate::str::contains("warning[E0021]: this valid range ends on 2026-12-31, 89 days from 2026-10-03: cases on `office` that need later dates are decided provisionally"))
        .stderr(predicate::str::contains("cn-2026.charter:7:3"))
        .stderr(predicate::str::contains("0 errors, 1 warning"));
    charter()
        .args([
            "check",
            "--today",
            "2026-10-01",
            "policies/complaint-office",
        ])
        .assert()
        .success()
        .stderr(predicate::str::contains("ok (1 version)"));
    charter()
        .args([
            "check",
            "--deny",
            "warnings",
            "--today",
            "2027-01-05",
            "policies/led-maker",
        ])
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("ended")
                .or(predicate::str::contains("5 days before 2027-01-05")),
        );
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
    let mut bytes = "channel phone\ncategory 投诉 ".as_bytes().to_vec();
    bytes.extend(b"\xff\xfe");
    std::fs::write(&path, bytes).unwrap();
    // The first bad byte is on line 2, after `category 投诉 ` (12 characters, 16 bytes).
    charter()
        .arg("check")
        .arg(&path)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "is not UTF-8 text: the byte at 2:13 (offset 30) is not",
        ));
    charter()
        .arg("fmt")
        .arg(&path)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "is not UTF-8 text: the byte at 2:13 is not",
        ));
    let case = dir.path().join("case.json");
    std::fs::write(&case, b"{\"id\": \"\xff\"}").unwrap();
    charter()
        .args(["decide", "--policy", "policies/complaint-office"])
        .arg(&case)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("error[C0001]: "))
        .stderr(predicate::str::contains(
            "case.json:1:9: the byte at offset 8 is not UTF-8; save the case as UTF-8",
        ));
    // A case file over 16 MiB is the same kind of error, pointing to --batch.
    let huge = dir.path().join("huge.json");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(17 << 20)
        .unwrap();
    charter()
        .args(["decide", "--policy", "policies/complaint-office"])
        .arg(&huge)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("error[C0001]: "))
        .stderr(predicate::str::contains("the file is 17.8 MB"))
        .stderr(predicate::str::contains("--batch"));
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
    charter()
        .arg("check")
        .arg(&empty)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "ok (0 versions: no `policy` header, so it cannot decide cases",
        ));
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
    // A folder with links back to itself is looked through once: each file named once.
    std::os::unix::fs::symlink(".", dir.path().join("again")).unwrap();
    std::fs::write(&path, "category   a\n").unwrap();
    let output = charter()
        .args(["fmt", "--check"])
        .arg(dir.path())
        .timeout(std::time::Duration::from_secs(60))
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    assert_eq!(String::from_utf8(output).unwrap().lines().count(), 1);
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

/// The records of NDJSON output.
fn ndjson(out: &[u8]) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

const OFFICE: &str = "policies/complaint-office";
const NOW: &str = "2026-11-30T12:00:00+08:00";

fn decide(args: &[&str]) -> Command {
    let mut cmd = charter();
    cmd.args(["decide", "--policy", OFFICE, "--now", NOW])
        .args(args);
    cmd
}

#[test]
fn decide_prints_the_decision_as_json() {
    let out = decide(&["examples/cases/complaint-office/accepted-phone.json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let d: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(d["route"]["role"], "office_director");
    assert_eq!(d["targets"][1]["deadline"], "2026-11-30T17:30:00+08:00");
    assert_eq!(d["evaluated_at"], NOW);
}

#[test]
fn decide_reads_toml_and_standard_input() {
    decide(&[
        "--explain",
        "examples/cases/complaint-office/breached-resolve.toml",
    ])
    .assert()
    .success()
    .stdout(predicate::str::contains(
        "target `resolve`: 5 working days on `office`",
    ))
    .stdout(predicate::str::contains("4 of 4 step(s) fired"));
    let json =
        std::fs::read_to_string("examples/cases/complaint-office/just-received.json").unwrap();
    decide(&["-"])
        .write_stdin(json)
        .assert()
        .success()
        .stdout(predicate::str::contains("\"state\": \"running\""));
}

#[test]
fn decide_reports_a_bad_case_with_file_and_field_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.json");
    std::fs::write(
        &path,
        r#"{"id": "X-1", "received_at": "2026-11-20T17:45:00", "channel": "phone", "category": "billing"}"#,
    )
    .unwrap();
    decide(&[path.to_str().unwrap()])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("bad.json:1:"))
        .stderr(predicate::str::contains(
            "received_at: timestamp `2026-11-20T17:45:00` has no UTC offset",
        ));
    std::fs::write(
        &path,
        r#"{"id": "X-1", "received_at": "2026-11-20T17:45:00+08:00", "channel": "phone", "category": "biling"}"#,
    )
    .unwrap();
    decide(&[path.to_str().unwrap()])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("case `X-1`: category: `biling` is not a category of the policy; did you mean `billing`?"));
}

#[test]
fn decide_refuses_a_huge_case_file_and_a_bad_now() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.json");
    let file = std::fs::File::create(&path).unwrap();
    file.set_len(2 << 30).unwrap();
    decide(&[path.to_str().unwrap()])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("error[C0001]: "))
        .stderr(predicate::str::contains("use --batch"));
    charter()
        .args(["decide", "--policy", OFFICE, "--now", "tomorrow", "x.json"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--now: `tomorrow` is not an RFC 3339 timestamp",
        ));
}

#[test]
fn batch_keeps_order_reports_bad_records_and_exits_1() {
    let good = |id: &str| {
        format!(
            r#"{{"id": "{id}", "received_at": "2026-11-23T09:00:00+08:00", "channel": "phone", "category": "billing", "severity": "minor", "fields": {{"customer_name": "a", "contact": "b", "content": "c"}}, "attributes": {{"amount": 1, "departments": []}}}}"#
        )
    };
    let input = [
        good("B-1"),
        String::new(),
        r#"{"id": "B-2", "received_at": "2026-11-23T09:00:00+08:00", "channel": "fax", "category": "billing"}"#.to_string(),
        good("B-3"),
        good("B-1"),
        "not json".to_string(),
        good("B-4")[..60].to_string(),
    ]
    .join("\n");
    let assert = decide(&["--batch", "-"])
        .write_stdin(input)
        .assert()
        .code(1);
    let output = assert.get_output();
    let lines = ndjson(&output.stdout);
    assert_eq!(lines.len(), 6, "one output line per non-blank input line");
    assert_eq!(lines[0]["case"], "B-1");
    assert_eq!(lines[1]["line"], 3);
    assert_eq!(lines[1]["id"], "B-2");
    assert_eq!(lines[1]["field"], "channel");
    assert_eq!(lines[2]["case"], "B-3");
    assert_eq!(lines[3]["line"], 5);
    assert!(
        lines[3]["error"]
            .as_str()
            .unwrap()
            .contains("duplicate id: line 1")
    );
    assert_eq!(lines[4]["line"], 6);
    assert!(lines[4]["id"].is_null());
    assert_eq!(lines[5]["line"], 7);
    assert!(
        lines[5]["error"].as_str().unwrap().contains("truncated"),
        "{}",
        lines[5]
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("6 record(s): 2 decided, 4 error(s)"),
        "{stderr}"
    );
}

#[test]
fn batch_of_good_cases_exits_0_and_matches_single_decisions() {
    let case = std::fs::read_to_string("examples/cases/complaint-office/reopened.json").unwrap();
    let line =
        serde_json::to_string(&serde_json::from_str::<serde_json::Value>(&case).unwrap()).unwrap();
    let batch = decide(&["--batch", "-"])
        .write_stdin(format!("{line}\n"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let single = decide(&["examples/cases/complaint-office/reopened.json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let a: serde_json::Value = serde_json::from_slice(&batch).unwrap();
    let b: serde_json::Value = serde_json::from_slice(&single).unwrap();
    // Each answer has an id of its own; the case's digest is the same in both.
    assert_ne!(a["decision_id"], b["decision_id"]);
    assert_eq!(crate::support::without_id(a), crate::support::without_id(b));
}

#[test]
fn batch_reads_csv_with_typed_attribute_columns() {
    let csv = "id,received_at,channel,category,severity,field.customer_name,field.contact,field.content,attr.amount,attr.departments,events\n\
K-1,2026-11-23T09:00:00+08:00,phone,billing,normal,a,b,c,8000,finance|sales,\"[{\"\"at\"\": \"\"2026-11-23T09:30:00+08:00\"\", \"\"kind\"\": \"\"acknowledged\"\"}]\"\n\
K-2,2026-11-23T09:00:00+08:00,phone,billing,normal,a,b,c,abc,,\n\
K-3,2026-11-23T09:00:00+08:00,phone,billing,normal,a,b,c,8000,\"[\"\"finance\"\",\"\"sales\"\"]\",\n\
K-4,2026-11-23T09:00:00+08:00,phone,billing,normal,a,b,c,8000,[],\n";
    let out = decide(&["--batch", "--input", "csv", "-"])
        .write_stdin(csv)
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let lines = ndjson(&out);
    assert_eq!(
        lines[0]["route"]["role"], "coordinator",
        "amount typed as a number, set split on |"
    );
    assert_eq!(
        lines[0]["targets"][0]["state"], "met",
        "events read from JSON"
    );
    assert_eq!(lines[1]["line"], 3);
    assert_eq!(lines[1]["field"], "attributes.amount");
    // A set may be a JSON array, which can say what `a|b` cannot: the empty set.
    assert_eq!(lines[2]["route"], lines[0]["route"]);
    let as_json = |departments: &str| {
        format!(
            "{{\"id\":\"K-4\",\"received_at\":\"2026-11-23T09:00:00+08:00\",\"channel\":\"phone\",\"category\":\"billing\",\"severity\":\"normal\",\"fields\":{{\"customer_name\":\"a\",\"contact\":\"b\",\"content\":\"c\"}},\"attributes\":{{\"amount\":8000{departments}}}}}\n"
        )
    };
    let digest = |case: String| {
        let out = decide(&["--batch", "-"])
            .write_stdin(case)
            .output()
            .unwrap();
        ndjson(&out.stdout)[0]["input_digest"].clone()
    };
    assert_eq!(
        lines[3]["input_digest"],
        digest(as_json(",\"departments\":[]"))
    );
    assert_ne!(lines[3]["input_digest"], digest(as_json("")));
    decide(&["--batch", "--input", "csv", "-"])
        .write_stdin("id,colour\nx,red\n")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "CSV column `colour` is not one charter reads",
        ));
}

#[test]
fn batch_refuses_an_overlong_line_and_goes_on() {
    let good =
        std::fs::read_to_string("examples/cases/complaint-office/just-received.json").unwrap();
    let good: serde_json::Value = serde_json::from_str(&good).unwrap();
    let input = format!(
        "{{\"id\": \"{}\"}}\n{}\n",
        "x".repeat(1_200_000),
        serde_json::to_string(&good).unwrap()
    );
    let out = decide(&["--batch", "-"])
        .write_stdin(input)
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let lines = ndjson(&out);
    assert_eq!(lines.len(), 2);
    assert!(
        lines[0]["error"]
            .as_str()
            .unwrap()
            .contains("longer than 1048576 bytes")
    );
    assert_eq!(lines[1]["case"], "C-1019");
}

#[test]
fn lint_prints_findings_and_denies_warnings_on_request() {
    charter()
        .args(["lint", "tests/fixtures/lint/step_unowned.charter"])
        .assert()
        .success()
        .stdout(predicate::str::contains("warning[L0005]"))
        .stdout(predicate::str::contains("1 warning, 0 infos"));
    charter()
        .args([
            "lint",
            "--deny",
            "warnings",
            "tests/fixtures/lint/step_unowned.charter",
        ])
        .assert()
        .code(1);
    let out = charter()
        .args([
            "lint",
            "--format",
            "json",
            "tests/fixtures/lint/unmeasured.charter",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(json["findings"][0]["code"], "L0007", "{json}");
    // Infos never fail a run, even with --deny warnings.
    charter()
        .args([
            "lint",
            "--deny",
            "warnings",
            "--today",
            "2026-06-01",
            "policies/complaint-office",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("info[L0011]"))
        // L0011, and L0019 for the three roles the source describes only in part.
        .stdout(predicate::str::contains("0 warnings, 4 infos"));
    charter()
        .args([
            "lint",
            "tests/fixtures/check/err/many_errors_at_once.charter",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("fix them"));
}

#[test]
fn lint_sarif_validates_against_the_published_schema() {
    // The OASIS schema as published (copied from the serde-sarif 0.8.0 crate). Its pattern for
    // `run.language` has a stray `]` that ECMAScript accepts and Rust's regex does not; charter
    // never writes `language`, so the pattern is replaced by its intended form before use.
    let text = std::fs::read_to_string("tests/fixtures/sarif-schema-2.1.0.json")
        .unwrap()
        .replace(
            r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$""#,
            r#""^[a-zA-Z]{2}(-[a-zA-Z]{2})?$""#,
        );
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    // One policy with a warning and related places, one with an info, one clean.
    for (policy, results) in [
        ("tests/fixtures/lint/shadowed.charter", 1),
        // L0011, and L0019 for the seven roles the source does not describe.
        ("policies/led-maker", 8),
        // L0019 for the general manager, and for `major_complaint`, a yes-or-no attribute
        // without `means`.
        ("policies/renovation", 2),
    ] {
        let out = charter()
            .args(["lint", "--format", "sarif", "--today", "2026-06-01", policy])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let log: serde_json::Value = serde_json::from_slice(&out).unwrap();
        let errors: Vec<String> = validator.iter_errors(&log).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{policy}: {errors:#?}");
        let run = &log["runs"][0];
        assert_eq!(
            run["results"].as_array().unwrap().len(),
            results,
            "{policy}"
        );
        if results > 0 {
            let result = &run["results"][0];
            let rule =
                &run["tool"]["driver"]["rules"][result["ruleIndex"].as_u64().unwrap() as usize];
            assert_eq!(rule["id"], result["ruleId"]);
            let region = &result["locations"][0]["physicalLocation"]["region"];
            assert!(region["startLine"].as_u64().unwrap() > 1, "{log}");
        }
    }
    // A document the schema rejects, so the validation above can fail.
    let bad = serde_json::json!({"version": "2.1.0", "runs": [{"results": []}]});
    assert!(!validator.is_valid(&bad));
}

#[test]
fn lint_reads_vague_wording_from_lint_toml() {
    let dir = tempfile::tempdir().unwrap();
    let policy = std::fs::read_to_string("tests/fixtures/lint/unmeasured.charter")
        .unwrap()
        .replace("Handle complaints", "Do the needful");
    std::fs::write(dir.path().join("policy.charter"), policy).unwrap();
    charter()
        .arg("lint")
        .arg(dir.path())
        .assert()
        .success()
        .stdout(predicate::str::contains("L0018").not());
    std::fs::write(
        dir.path().join("lint.toml"),
        "[vague_wording]\n\"do the needful\" = \"say what is done, e.g. refund within 3 days\"\n",
    )
    .unwrap();
    charter()
        .arg("lint")
        .arg(dir.path())
        .assert()
        .success()
        .stdout(predicate::str::contains("warning[L0018]"))
        .stdout(predicate::str::contains("`do the needful` is vague"))
        .stdout(predicate::str::contains("refund within 3 days"));
    // A bad settings file is an error of the policy's settings naming the file, line and
    // column (more in lint::levels).
    std::fs::write(dir.path().join("lint.toml"), "vague = 3\n").unwrap();
    charter()
        .arg("lint")
        .arg(dir.path())
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "lint.toml:1:1: unknown field `vague`",
        ));
}

/// Every shipped policy has a suite that passes and exercises every route rule and escalation
/// step.
#[test]
fn shipped_test_suites_pass_and_cover_every_route_rule() {
    for policy in [
        "policies/complaint-office",
        "policies/ecommerce-after-sales",
        "policies/led-maker",
        "policies/renovation",
    ] {
        let out = charter()
            .args(["test", "--coverage", policy])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let text = String::from_utf8(out).unwrap();
        let line = text
            .lines()
            .find(|l| l.starts_with("coverage: "))
            .unwrap_or_else(|| panic!("{policy}: no coverage line in\n{text}"));
        let numbers: Vec<usize> = line
            .split(|c: char| !c.is_ascii_digit())
            .filter_map(|n| n.parse().ok())
            .collect();
        let [routes_hit, routes, steps_hit, steps] = numbers[..] else {
            panic!("{line}")
        };
        assert!(routes > 0 && routes_hit == routes, "{policy}: {line}");
        assert_eq!(steps_hit, steps, "{policy}: {line}");
        assert!(text.contains(" passed, 0 failed"), "{policy}:\n{text}");
    }
}

/// Passing, failing and undecidable tests and a bad test file, as a test runner prints them.
#[test]
fn test_suite_failures_show_a_diff() {
    let out = charter()
        .args(["test", "--coverage", "tests/fixtures/suite"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    insta::assert_snapshot!("test_suite_failures", text);
    // --filter runs only the matching tests.
    charter()
        .args(["test", "--filter", "major", "tests/fixtures/suite"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "1 passed, 0 failed, 1 bad test file",
        ));
    // A policy without test files is a usage error.
    charter()
        .args(["test", "tests/fixtures/lint/overlap.charter"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no test files"));
}

/// A reader that closes the pipe early (`| head`) ends a command quietly with exit 0, never
/// with a panic.
#[test]
fn a_closed_pipe_is_not_an_error() {
    let commands: [&[&str]; 4] = [
        &[
            "decide",
            "--policy",
            "policies/complaint-office",
            "--now",
            "2026-11-30T12:00:00+08:00",
            "examples/cases/complaint-office/accepted-phone.json",
        ],
        &["lint", "--today", "2026-06-01", "policies/led-maker"],
        &["test", "policies/led-maker"],
        &[
            "time",
            "add",
            "--policy",
            "policies/complaint-office",
            "--from",
            "2026-09-30T15:00:00+08:00",
            "3 working days",
        ],
    ];
    for args in commands {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_charter"))
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // Close the reading end before anything is written.
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}

/// A case no rule can judge (an attribute a rule needs is missing) is written, and fails the
/// run with the rule and the attribute named; an audit counts it.
#[test]
fn an_unroutable_case_is_never_silent() {
    let out = charter()
        .args([
            "decide",
            "--policy",
            "policies/complaint-office",
            "--now",
            "2026-11-30T12:00:00+08:00",
            "examples/cases/complaint-office/missing-attribute.json",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "case `C-1005` is not routed: route rule at complaint-office/policy.charter:67 needs departments, amount",
        ))
        .get_output()
        .stdout
        .clone();
    let decision: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(decision["route"]["role"], serde_json::Value::Null);
    assert_eq!(
        decision["route"]["missing"],
        serde_json::json!(["departments", "amount"])
    );
    let explained = charter()
        .args([
            "decide",
            "--policy",
            "policies/complaint-office",
            "--now",
            "2026-11-30T12:00:00+08:00",
            "--explain",
            "examples/cases/complaint-office/missing-attribute.json",
        ])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    assert!(
        String::from_utf8_lossy(&explained).contains("which the case lacks: routing stops here")
    );
    let dir = tempfile::tempdir().unwrap();
    let cases = dir.path().join("cases.ndjson");
    let case =
        std::fs::read_to_string("examples/cases/complaint-office/missing-attribute.json").unwrap();
    let line =
        serde_json::to_string(&serde_json::from_str::<serde_json::Value>(&case).unwrap()).unwrap();
    std::fs::write(&cases, format!("{line}\n")).unwrap();
    charter()
        .args([
            "audit",
            "--policy",
            "policies/complaint-office",
            "--as-of",
            "2026-11-30T12:00:00+08:00",
            "--format",
            "json",
        ])
        .arg(&cases)
        .assert()
        .stdout(predicate::str::contains("unroutable"));
}

/// `-o` never surprises: it refuses a file that exists unless `--force`, never writes through
/// a link (not even one planted in the folder `doc role --all` writes to), and `fmt` leaves
/// a link and its target alone.
#[test]
fn output_refuses_existing_files_and_links() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("proc.md");
    let doc = |extra: &[&str]| {
        let mut c = charter();
        c.args([
            "doc",
            "procedure",
            "--policy",
            "policies/complaint-office",
            "-o",
        ])
        .arg(&out)
        .args(extra);
        c
    };
    doc(&[]).assert().success();
    std::fs::write(&out, "kept").unwrap();
    doc(&[]).assert().code(2).stderr(predicate::str::contains(
        "exists; pass --force to replace it",
    ));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "kept");
    doc(&["--force"]).assert().success();
    assert!(std::fs::read_to_string(&out).unwrap().contains("投诉"));
    let victim = dir.path().join("victim.txt");
    std::fs::write(&victim, "untouched").unwrap();
    std::fs::remove_file(&out).unwrap();
    std::os::unix::fs::symlink(&victim, &out).unwrap();
    doc(&["--force"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is a link"));
    let roles = dir.path().join("roles");
    std::fs::create_dir(&roles).unwrap();
    std::os::unix::fs::symlink(&victim, roles.join("office_director.md")).unwrap();
    charter()
        .args([
            "doc",
            "role",
            "--all",
            "--policy",
            "policies/complaint-office",
            "-o",
        ])
        .arg(format!("{}/", roles.display()))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is a link"));
    let policy = dir.path().join("real.charter");
    std::fs::write(&policy, "category   billing\n").unwrap();
    let link = dir.path().join("link.charter");
    std::os::unix::fs::symlink(&policy, &link).unwrap();
    charter()
        .arg("fmt")
        .arg(&link)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("it is a link"));
    assert_eq!(
        std::fs::read_to_string(&policy).unwrap(),
        "category   billing\n"
    );
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "untouched");
    charter().arg("fmt").arg(&policy).assert().success();
    assert_eq!(
        std::fs::read_to_string(&policy).unwrap(),
        "category billing\n"
    );
}

/// The exit code table of the README, for every verb: 0 success; 1 the policy or a case has
/// errors (or a gate fails); 2 usage, I/O, a path that does not exist. With
/// `--error-format json` the failure is one JSON object on standard error whose `exit` is the
/// exit code.
#[test]
fn every_verb_follows_the_exit_code_table() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.charter");
    std::fs::write(
        &broken,
        "policy p \"P\" {\n  version \"1\"\n  timezone \"Asia/Shanghai\"\n}\nroute {\n  when nosuch = 1 -> nobody\n}\n",
    )
    .unwrap();
    let broken = broken.to_str().unwrap();
    let missing = dir.path().join("missing").to_str().unwrap().to_string();
    let missing = missing.as_str();
    let good = "policies/complaint-office";
    let case = "examples/cases/complaint-office/accepted-phone.json";
    let out = dir.path().join("out");
    let out = out.to_str().unwrap();
    let now = "2026-11-20T12:00:00+08:00";
    let from = "2026-11-20T09:00:00+08:00";
    // (verb, arguments with POLICY in place of the policy path, succeeds on a good policy)
    let verbs: &[(&str, &[&str])] = &[
        ("check", &["check", "--today", "2026-06-01", "POLICY"]),
        ("lint", &["lint", "--today", "2026-06-01", "POLICY"]),
        (
            "decide",
            &["decide", "--now", now, "--policy", "POLICY", case],
        ),
        (
            "audit",
            &[
                "audit", "--as-of", now, "--policy", "POLICY", "-o", out, case,
            ],
        ),
        ("test", &["test", "POLICY"]),
        ("doc role", &["doc", "role", "--policy", "POLICY", "--all"]),
        ("doc procedure", &["doc", "procedure", "--policy", "POLICY"]),
        ("doc org-chart", &["doc", "org-chart", "--policy", "POLICY"]),
        (
            "time add",
            &[
                "time",
                "add",
                "--policy",
                "POLICY",
                "--from",
                from,
                "2 working hours",
            ],
        ),
        ("fmt", &["fmt", "--check", "POLICY"]),
    ];
    let run = |args: Vec<&str>, json: bool| {
        let mut command = charter();
        if json {
            command.args(["--error-format", "json"]);
        }
        let output = command.args(&args).output().unwrap();
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    for (verb, args) in verbs {
        fn with<'a>(args: &[&'a str], policy: &'a str) -> Vec<&'a str> {
            args.iter()
                .map(|a| if *a == "POLICY" { policy } else { a })
                .collect()
        }
        let with = |policy| with(args, policy);
        let _ = std::fs::remove_file(out);
        // fmt takes files: the shipped policy folder is formatted.
        let (code, stderr) = run(with(good), false);
        assert_eq!(code, Some(0), "{verb} on a good policy: {stderr}");
        // A policy with errors: 1, with the diagnostics (fmt: the file does not change, so
        // it is not a failure of fmt; a file that does not parse is).
        if *verb != "fmt" {
            let (code, stderr) = run(with(broken), false);
            assert_eq!(code, Some(1), "{verb} on a broken policy: {stderr}");
            assert!(stderr.contains("E0006"), "{verb}: {stderr}");
            let (code, stderr) = run(with(broken), true);
            assert_eq!(code, Some(1), "{verb} --error-format json: {stderr}");
            let last = stderr.lines().last().unwrap_or_default();
            let value: serde_json::Value = serde_json::from_str(last)
                .unwrap_or_else(|e| panic!("{verb}: not one JSON object ({e}): {stderr}"));
            assert_eq!(value["exit"], 1, "{verb}: {value}");
        }
        // A path that does not exist: 2.
        let (code, stderr) = run(with(missing), false);
        assert_eq!(code, Some(2), "{verb} on a missing path: {stderr}");
        assert!(stderr.contains("does not exist"), "{verb}: {stderr}");
        let (code, stderr) = run(with(missing), true);
        assert_eq!(code, Some(2), "{verb} --error-format json: {stderr}");
        let value: serde_json::Value = serde_json::from_str(stderr.trim())
            .unwrap_or_else(|e| panic!("{verb}: not one JSON object ({e}): {stderr}"));
        assert_eq!(
            (value["exit"].as_i64(), value["kind"].as_str()),
            (Some(2), Some("usage"))
        );
        // A wrong option: 2, also as JSON when asked.
        let mut wrong = with(good);
        wrong.push("--no-such-option");
        let (code, stderr) = run(wrong.clone(), false);
        assert_eq!(code, Some(2), "{verb} with a wrong option: {stderr}");
        let (code, stderr) = run(wrong, true);
        assert_eq!(code, Some(2), "{verb} with a wrong option, JSON: {stderr}");
        let value: serde_json::Value = serde_json::from_str(stderr.trim())
            .unwrap_or_else(|e| panic!("{verb}: not one JSON object ({e}): {stderr}"));
        assert_eq!(value["exit"], 2);
    }
    // serve: a missing policy and a broken one end before listening.
    let (code, stderr) = run(vec!["serve", "--policy", missing], false);
    assert_eq!(code, Some(2), "serve on a missing path: {stderr}");
    let (code, stderr) = run(vec!["serve", "--policy", broken], false);
    assert_eq!(code, Some(1), "serve on a broken policy: {stderr}");
    // fmt on a file that does not parse: 1.
    let unparsable = dir.path().join("unparsable.charter");
    std::fs::write(&unparsable, "policy {{{").unwrap();
    let (code, stderr) = run(vec!["fmt", "--check", unparsable.to_str().unwrap()], false);
    assert_eq!(code, Some(1), "fmt on a file that does not parse: {stderr}");
    // A case with errors: 1, with its code.
    let bad_case = dir.path().join("bad.json");
    std::fs::write(
        &bad_case,
        r#"{"id":"x","received_at":"2026-11-20T09:00:00+08:00","channel":"phone","category":"no-such-category"}"#,
    )
    .unwrap();
    let args = vec![
        "decide",
        "--now",
        now,
        "--policy",
        good,
        bad_case.to_str().unwrap(),
    ];
    let (code, stderr) = run(args.clone(), false);
    assert_eq!(code, Some(1), "decide on a bad case: {stderr}");
    assert!(stderr.starts_with("error[C0004]: "), "{stderr}");
    let (code, stderr) = run(args, true);
    assert_eq!(code, Some(1));
    let value: serde_json::Value = serde_json::from_str(stderr.trim()).unwrap();
    assert_eq!(
        (value["kind"].as_str(), value["code"].as_str()),
        (Some("input"), Some("C0004"))
    );
}

/// `--import-root` widens where imports may read from (any command), and rule citations are
/// relative to it; without it the import outside the policy's parent folder is an error, and
/// a root that is not a folder is a usage error.
#[test]
fn import_roots_are_given_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("org/complaints");
    let shared = dir.path().join("shared");
    std::fs::create_dir_all(&policy).unwrap();
    std::fs::create_dir_all(&shared).unwrap();
    std::fs::copy(
        "policies/calendars/cn-2026.charter",
        shared.join("cn-2026.charter"),
    )
    .unwrap();
    let text = std::fs::read_to_string("policies/complaint-office/policy.charter")
        .unwrap()
        .replace(
            "import \"../calendars/cn-2026.charter\"",
            "import \"../../shared/cn-2026.charter\"",
        );
    assert!(
        text.contains("../../shared/"),
        "the shipped policy's import changed"
    );
    std::fs::write(policy.join("policy.charter"), text).unwrap();
    let policy = policy.to_str().unwrap();
    let root = dir.path().to_str().unwrap();
    charter()
        .args(["check", "--today", "2026-06-01", policy])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("error[E0020]: cannot import"));
    charter()
        .args([
            "check",
            "--today",
            "2026-06-01",
            "--import-root",
            root,
            policy,
        ])
        .assert()
        .success();
    let case = "examples/cases/complaint-office/accepted-phone.json";
    let output = charter()
        .args([
            "--import-root",
            root,
            "decide",
            "--now",
            "2026-11-30T12:00:00+08:00",
        ])
        .args(["--policy", policy, case])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let decision: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        decision["route"]["rule"]["file"],
        "org/complaints/policy.charter"
    );
    charter()
        .args(["check", "--import-root", "no/such/folder", policy])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--import-root `no/such/folder` is not a folder",
        ));
}

/// Every decision has its own id; `--no-id` leaves id and digest out, so the same case at the
/// same instant gives the same bytes.
#[test]
fn decisions_have_ids_unless_told_no_id() {
    let file = "examples/cases/complaint-office/accepted-phone.json";
    let stamped = |args: &[&str]| -> serde_json::Value {
        let out = decide(args).assert().success().get_output().stdout.clone();
        serde_json::from_slice(&out).unwrap()
    };
    let (a, b) = (stamped(&[file]), stamped(&[file]));
    assert_ne!(a["decision_id"], b["decision_id"]);
    assert_eq!(a["input_digest"], b["input_digest"]);
    let bare = |_: ()| decide(&["--no-id", file]).output().unwrap().stdout;
    let (c, d) = (bare(()), bare(()));
    assert_eq!(c, d, "--no-id output differs between runs");
    let c: serde_json::Value = serde_json::from_slice(&c).unwrap();
    assert!(c.get("decision_id").is_none() && c.get("input_digest").is_none());
    assert_eq!(crate::support::without_id(a), {
        let mut c = c;
        c["input_digest"] = b["input_digest"].clone();
        c
    });
}

/// The input digest is of the case as charter reads it: the same case written as JSON (in
/// any member order and spacing, `5000.0` or `5000`), as TOML, or as a CSV row has one digest,
/// and it is the SHA-256 of the case's RFC 8785 canonical JSON, computed here independently
/// (serde_json sorts the members of a `Value`; the case has no fractions or escapes).
#[test]
fn the_input_digest_is_the_same_for_the_same_case_in_any_form() {
    use sha2::Digest as _;
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    };
    let json = write(
        "a.json",
        r#"{"id":"C-7","received_at":"2026-11-16T10:00:00+08:00","channel":"web","category":"billing","attributes":{"amount":5000}}"#,
    );
    let spaced = write(
        "b.json",
        "{ \"attributes\" : { \"amount\" : 5000.0 },\n  \"category\": \"billing\", \"channel\": \"web\",\n  \"received_at\": \"2026-11-16T10:00:00+08:00\", \"id\": \"C-7\" }\n",
    );
    let toml = write(
        "c.toml",
        "id = \"C-7\"\nreceived_at = \"2026-11-16T10:00:00+08:00\"\nchannel = \"web\"\ncategory = \"billing\"\n[attributes]\namount = 5000\n",
    );
    let csv = write(
        "d.csv",
        "id,received_at,channel,category,attr.amount\nC-7,2026-11-16T10:00:00+08:00,web,billing,5000\n",
    );
    let digest = |args: &[&str]| -> String {
        let out = decide(args).output().unwrap();
        let line = String::from_utf8(out.stdout).unwrap();
        let d: serde_json::Value =
            serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"));
        d["input_digest"].as_str().unwrap().to_string()
    };
    let expected = {
        let canonical = r#"{"attributes":{"amount":5000},"category":"billing","channel":"web","id":"C-7","received_at":"2026-11-16T10:00:00+08:00"}"#;
        let hash = sha2::Sha256::digest(canonical.as_bytes());
        hash.iter().map(|b| format!("{b:02x}")).collect::<String>()
    };
    assert_eq!(digest(&[&json]), expected);
    assert_eq!(digest(&[&spaced]), expected);
    assert_eq!(digest(&[&toml]), expected);
    assert_eq!(digest(&["--batch", &csv]), expected);
}

/// `charter lsp` over standard input and output: a whole session ends with exit 0 and the
/// answers framed; a message the server will not read (a `Content-Length` past the limit, a
/// body that is not JSON-RPC, input that ends before `exit`) stops it with exit 2 and says
/// what was wrong, without allocating what a header claims.
#[test]
fn the_language_server_reads_its_input_within_bounds() {
    let frame = |body: &str| format!("Content-Length: {}\r\n\r\n{body}", body.len());
    let session = [
        r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}"#,
        r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#,
        r#"{"jsonrpc":"2.0","id":2,"method":"shutdown"}"#,
        r#"{"jsonrpc":"2.0","method":"exit"}"#,
    ]
    .map(frame)
    .concat();
    let out = charter()
        .arg("lsp")
        .write_stdin(session)
        .timeout(std::time::Duration::from_secs(60))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).unwrap();
    assert!(out.starts_with("Content-Length: "), "{out}");
    assert!(out.contains(r#""id":2"#), "{out}");
    for (input, said) in [
        (
            "Content-Length: 999999999999\r\n\r\n{}".to_string(),
            "a message of 999999999999 bytes is over the limit of 17825792 bytes",
        ),
        (frame("[1,2,3]"), "a message is not a JSON-RPC request"),
        (
            String::new(),
            "the input ended before the client sent `exit`",
        ),
    ] {
        charter()
            .arg("lsp")
            .write_stdin(input)
            .timeout(std::time::Duration::from_secs(60))
            .assert()
            .code(2)
            .stderr(predicate::str::contains(format!(
                "error: the language server stopped: {said}"
            )));
    }
}

/// A named pipe where a policy file, a test suite's case or a file to format belongs is
/// refused at once, naming it ("not a regular file"): opening it would wait for a writer that
/// never comes.
#[cfg(unix)]
#[test]
fn a_named_pipe_is_refused_not_waited_on() {
    let dir = tempfile::tempdir().unwrap();
    let policy = r#"policy p "P" { version "1"  timezone "Asia/Shanghai" }
channel phone
category billing
role officer "Officer" {}
route { otherwise -> officer }
"#;
    std::fs::write(dir.path().join("policy.charter"), policy).unwrap();
    let suite = "now = \"2026-11-30T12:00:00+08:00\"\n[[test]]\nname = \"a pipe\"\ncase = \"pipe.json\"\nexpect.role = \"officer\"\n";
    std::fs::write(dir.path().join("p.test.toml"), suite).unwrap();
    let mkfifo = |name: &str| {
        let made = std::process::Command::new("mkfifo")
            .arg(dir.path().join(name))
            .status()
            .unwrap();
        assert!(made.success());
    };
    mkfifo("pipe.json");
    let run = |args: &[&str]| {
        charter()
            .args(args)
            .arg(dir.path())
            .timeout(std::time::Duration::from_secs(30))
            .assert()
    };
    run(&["test"]).code(1).stdout(predicate::str::contains(
        "pipe.json: it is not a regular file",
    ));
    mkfifo("extra.charter");
    run(&["check"]).code(1).stderr(predicate::str::contains(
        "extra.charter`: it is not a regular file",
    ));
    run(&["fmt", "--check"])
        .code(2)
        .stderr(predicate::str::contains(
            "extra.charter`: it is not a regular file",
        ));
}

/// An instant option outside the dates charter computes is a usage error naming the option
/// and the range, not an error blamed on each case.
#[test]
fn an_instant_option_outside_the_computed_dates_is_a_usage_error() {
    for (command, option) in [("decide", "--now"), ("audit", "--as-of")] {
        let mut cmd = charter();
        cmd.args([command, "--policy", "policies/complaint-office", option]);
        cmd.arg("9999-12-31T23:59:59+00:00");
        cmd.arg("examples/cases/complaint-office/accepted-phone.json");
        cmd.assert().code(2).stderr(predicate::str::contains(format!(
            "{option} 9999-12-31T23:59:59+00:00: charter computes from 1900-01-01 to 2199-12-31; give an instant within them"
        )));
    }
}

/// A route condition that multiplies out to thousands of cases (13 clauses of `(a or b)`) is
/// analysed within a budget of work: `lint`, `doc` and `diff` finish in seconds, and what
/// they cannot settle they say they cannot.
#[test]
fn a_condition_that_multiplies_out_is_analysed_within_a_budget() {
    let clauses: Vec<String> = (0..13)
        .map(|i| format!(r#"(departments contains "d{i}" or departments contains "e{i}")"#))
        .collect();
    let (_dir, policy) = crate::support::office_copy(|t| {
        t.replace(
            r#"when departments contains "finance" or amount > 5000 -> coordinator"#,
            &format!("when {} -> coordinator", clauses.join(" and ")),
        )
    });
    let limit = std::time::Duration::from_secs(120);
    charter()
        .arg("lint")
        .arg(&policy)
        .timeout(limit)
        .assert()
        .code(0);
    charter()
        .args(["doc", "role", "complaint_officer", "--policy"])
        .arg(&policy)
        .timeout(limit)
        .assert()
        .success();
    charter()
        .args(["diff", OFFICE])
        .arg(&policy)
        .timeout(limit)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("过于复杂"));
}

/// Files given beside the policy (a tokens file, a log key, a mapping, a Word template) are
/// read as the policy is: a device or a pipe is refused before it is read, not read for ever.
#[test]
fn side_files_that_are_not_regular_files_are_refused() {
    let limit = std::time::Duration::from_secs(60);
    let log = tempfile::tempdir().unwrap();
    let log = log.path().join("d.sqlite");
    for args in [
        vec![
            "serve",
            "--policy",
            OFFICE,
            "--addr",
            "127.0.0.1:0",
            "--tokens",
            "/dev/zero",
        ],
        vec![
            "serve",
            "--policy",
            OFFICE,
            "--addr",
            "127.0.0.1:0",
            "--decision-log",
            log.to_str().unwrap(),
            "--log-key",
            "/dev/zero",
        ],
        vec![
            "audit",
            "--policy",
            OFFICE,
            "--mapping",
            "/dev/zero",
            "examples/cases/complaint-office/accepted-phone.json",
        ],
        vec![
            "doc",
            "role",
            "coordinator",
            "--policy",
            OFFICE,
            "--format",
            "docx",
            "--reference-docx",
            "/dev/zero",
            "-o",
            "/dev/null",
        ],
    ] {
        charter()
            .args(&args)
            .timeout(limit)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("/dev/zero"))
            .stderr(predicate::str::contains("it is not a regular file"));
    }
}

/// A CSV record is bounded as an NDJSON line is: an unclosed quote followed by megabytes is
/// one error record at its line, not the rest of the input held in memory; and an error record
/// that would quote a megabyte of the input is cut to a line.
#[test]
fn csv_records_and_error_records_are_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("cases.csv");
    let mut text = String::from(
        "id,received_at,channel,category\nC-0,2026-11-30T10:00:00+08:00,phone,billing\nC-1,\"",
    );
    text.push_str(&"x".repeat(3 << 20));
    std::fs::write(&csv, text).unwrap();
    let output = decide(&["--batch", csv.to_str().unwrap()])
        .timeout(std::time::Duration::from_secs(60))
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let output = String::from_utf8(output).unwrap();
    let lines: Vec<serde_json::Value> = output
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{output:.500}");
    assert_eq!(lines[0]["case"], "C-0");
    assert_eq!(lines[1]["line"], 3);
    assert!(
        lines[1]["error"]
            .as_str()
            .unwrap()
            .contains("a record longer than 1048576 bytes"),
        "{}",
        lines[1]
    );
    // A category of 900,000 characters is quoted back cut to a line.
    let ndjson = dir.path().join("cases.ndjson");
    let case = serde_json::json!({"id": "C-2", "received_at": "2026-11-30T10:00:00+08:00",
        "channel": "phone", "category": "x".repeat(900_000)});
    std::fs::write(&ndjson, format!("{case}\n")).unwrap();
    let output = decide(&["--batch", ndjson.to_str().unwrap()])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    assert!(output.len() < 2000, "{} bytes", output.len());
    let record: serde_json::Value = serde_json::from_slice(&output).unwrap();
    assert_eq!(
        (record["line"].as_u64(), record["id"].as_str()),
        (Some(1), Some("C-2"))
    );
}

/// A folder with more `.charter` files or folders than any policy (a home folder, `/`, given
/// by mistake, or holding a file an editor opened) is one clear error, found without walking
/// all of it.
#[test]
fn a_folder_too_large_to_be_a_policy_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..1001 {
        std::fs::write(dir.path().join(format!("f{i}.charter")), "category c\n").unwrap();
    }
    charter()
        .arg("check")
        .arg(dir.path())
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "holds more than 1000 `.charter` files or folders, which no policy has",
        ))
        .stderr(predicate::str::contains("no `.charter` files").not());
    let dir = tempfile::tempdir().unwrap();
    for i in 0..1001 {
        std::fs::create_dir(dir.path().join(format!("d{i}"))).unwrap();
    }
    std::fs::write(dir.path().join("d0/p.charter"), "category c\n").unwrap();
    charter()
        .arg("check")
        .arg(dir.path())
        .assert()
        .code(1)
        .stderr(predicate::str::contains("holds more than 1000"));
}

/// An import outside the import roots is refused by where it would be, whether or not the
/// file exists: the refusal does not tell whether a file outside exists.
#[test]
fn an_import_outside_the_roots_does_not_tell_whether_it_exists() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("root/pol");
    std::fs::create_dir_all(&policy).unwrap();
    std::fs::write(dir.path().join("there.charter"), "category c\n").unwrap();
    std::fs::write(
        policy.join("p.charter"),
        "import \"../../there.charter\"\nimport \"../../not-there.charter\"\npolicy p \"P\" { version \"1\" timezone \"UTC\" }\n",
    )
    .unwrap();
    let output = charter().arg("check").arg(&policy).assert().code(1);
    let stderr = String::from_utf8(output.get_output().stderr.clone()).unwrap();
    assert_eq!(stderr.matches("it is outside").count(), 2, "{stderr}");
    assert!(!stderr.contains("No such file"), "{stderr}");
}

/// Elapsed time stays within the years charter computes, as working time does.
#[test]
fn time_add_of_elapsed_time_past_2199_is_an_error() {
    charter()
        .args([
            "time",
            "add",
            "--policy",
            OFFICE,
            "--calendar",
            "office",
            "--from",
            "2026-11-30T10:00:00+08:00",
            "4294967295 minutes",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("reaches +10193-01-14"))
        .stderr(predicate::str::contains(
            "charter computes from 1900-01-01 to 2199-12-31",
        ));
}

/// A CSV row with more cells than the header is an error record at its line (the cell past
/// the header would be dropped unread), and a header naming a column twice is refused.
#[test]
fn csv_rows_and_headers_lose_nothing_silently() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("cases.csv");
    std::fs::write(
        &csv,
        "id,received_at,channel,category\nC-1,2026-11-30T10:00:00+08:00,phone,billing,extra\nC-2,2026-11-30T10:00:00+08:00,phone,billing\n",
    )
    .unwrap();
    let output = decide(&["--batch", csv.to_str().unwrap()]).assert().code(1);
    let stdout = String::from_utf8(output.get_output().stdout.clone()).unwrap();
    let first: serde_json::Value = serde_json::from_str(stdout.lines().next().unwrap()).unwrap();
    assert_eq!(first["line"], 2);
    assert!(
        first["error"]
            .as_str()
            .unwrap()
            .contains("the row has 5 cells and the header 4 columns")
    );
    assert!(stdout.lines().nth(1).unwrap().contains("\"case\":\"C-2\""));
    std::fs::write(&csv, "id,received_at,id,category\n").unwrap();
    decide(&["--batch", csv.to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("CSV column `id` is given twice"));
}
