//! The audit: its figures against the decisions of the same cases taken one by one, malformed
//! and duplicate records excluded and counted, what-if against a changed copy of the policy,
//! CSV with a column mapping, and the HTML report rendered by Chromium.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use charter::decide::{Case, Engine, State, Timestamp};
use serde_json::Value;

const NOW: &str = "2026-11-30T12:00:00+08:00";

fn charter() -> Command {
    Command::cargo_bin("charter").unwrap()
}

/// The complaint office's JSON examples as NDJSON lines.
fn example_lines() -> Vec<String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir("examples/cases/complaint-office")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|f| {
            let v: Value = serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap();
            v.to_string()
        })
        .collect()
}

fn engine(path: &Path) -> Engine {
    charter::load::engine(path)
        .map_err(|(e, _)| e.to_string())
        .unwrap()
        .0
}

fn audit_json(policy: &Path, input: &Path, extra: &[&str]) -> Value {
    audit_json_at(NOW, policy, input, extra)
}

/// The JSON report of `input` audited under `policy` as of `as_of`.
fn audit_json_at(as_of: &str, policy: &Path, input: &Path, extra: &[&str]) -> Value {
    let out = charter()
        .args(["audit", "--format", "json", "--as-of", as_of, "--policy"])
        .arg(policy)
        .args(extra)
        .arg(input)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out).unwrap()
}

#[test]
fn figures_agree_with_the_decisions_one_by_one() {
    let dir = tempfile::tempdir().unwrap();
    let lines = example_lines();
    let mut input = lines.join("\n");
    // A malformed record and a duplicate id: excluded and counted.
    input.push_str("\n{\"id\": \"broken\",\n");
    input.push_str(&lines[0]);
    input.push('\n');
    let path = dir.path().join("cases.ndjson");
    std::fs::write(&path, &input).unwrap();
    let policy = Path::new("policies/complaint-office");
    let report = audit_json(policy, &path, &[]);

    assert_eq!(report["input"]["records"], lines.len() + 2);
    assert_eq!(report["input"]["decided"], lines.len());
    assert_eq!(report["input"]["malformed"], 2);
    let listed = report["input"]["malformed_listed"].as_array().unwrap();
    assert_eq!(listed[0]["line"], lines.len() + 1);
    assert_eq!(listed[1]["line"], lines.len() + 2);
    assert!(
        listed[1]["error"]
            .as_str()
            .unwrap()
            .contains("duplicate id")
    );

    // Expected figures from the decisions taken one by one.
    let engine = engine(policy);
    let now = Timestamp::parse(NOW).unwrap().secs;
    let mut expected: BTreeMap<String, [u64; 3]> = BTreeMap::new();
    let mut breaches = 0;
    let mut findings: BTreeMap<String, u64> = BTreeMap::new();
    let mut by_role: BTreeMap<String, u64> = BTreeMap::new();
    for line in &lines {
        let case = Case::from_json(line).unwrap();
        let d = engine.decide(&case, now).unwrap();
        // Stage targets are counted apart: `review.resolve`.
        let mut states: Vec<(String, State)> = d
            .targets
            .iter()
            .map(|t| match &t.target.stage {
                Some(stage) => (format!("{stage}.{}", t.target.name), t.state),
                None => (t.target.name.clone(), t.state),
            })
            .collect();
        if let Some(cb) = &d.callback {
            states.push(("callback".into(), cb.state));
        }
        for (name, state) in states {
            let e = expected.entry(name).or_default();
            match state {
                State::Met => e[0] += 1,
                State::Breached => {
                    e[1] += 1;
                    breaches += 1;
                }
                _ => e[2] += 1,
            }
        }
        for f in &d.findings {
            *findings.entry(format!("{:?}", f.kind)).or_default() += 1;
        }
        if let Some(role) = d.route.as_ref().and_then(|r| r.role) {
            *by_role.entry(role.to_string()).or_default() += 1;
        }
    }
    for (target, [met, breached, open]) in &expected {
        let a = &report["attainment"]["overall"][target];
        assert_eq!(
            (
                a["met"].as_u64(),
                a["breached"].as_u64(),
                a["open"].as_u64()
            ),
            (Some(*met), Some(*breached), Some(*open)),
            "{target}"
        );
    }
    assert_eq!(report["breaches"]["count"], breaches);
    // Procedure checks follow the decisions' findings.
    let procedure = &report["procedure"];
    for (kind, finding) in [
        ("callback_wrong_channel", "CallbackChannel"),
        ("extension_without_reason", "ExtensionWithoutReason"),
        ("extension_beyond_max", "ExtensionBeyondMax"),
        ("separation_of_duties", "SeparationOfDuties"),
        ("stage_order", "StageOrder"),
    ] {
        assert_eq!(
            procedure[kind]["count"].as_u64().unwrap_or(0),
            findings.get(finding).copied().unwrap_or(0),
            "{kind}"
        );
        assert!(
            findings.get(finding).copied().unwrap_or(0) > 0,
            "the examples have a {finding}"
        );
    }
    // Groups by role add up to the routed cases.
    for (role, n) in by_role {
        let a = &report["attainment"]["by_role"][&role]["acknowledge"];
        let total = a["met"].as_u64().unwrap()
            + a["breached"].as_u64().unwrap()
            + a["open"].as_u64().unwrap();
        assert_eq!(total, n, "{role}");
    }
    // The dissatisfied example's breach lists the escalation steps that fired.
    let listed = report["breaches"]["listed"].as_array().unwrap();
    let dissatisfied = listed
        .iter()
        .find(|b| b["case"] == "C-1011" && b["target"] == "resolve")
        .unwrap_or_else(|| panic!("{listed:#?}"));
    assert_eq!(dissatisfied["deadline"], "2026-11-27T18:00:00+08:00");
    assert_eq!(
        dissatisfied["escalations"],
        serde_json::json!([
            "resolve_ladder at 50%",
            "resolve_ladder at 80%",
            "resolve_ladder at breach"
        ])
    );
    // Satisfaction: every callback up to NOW that recorded an answer, against the 90% target.
    let (mut answered, mut satisfied) = (0u64, 0u64);
    for line in &lines {
        let case = Case::from_json(line).unwrap();
        for e in &case.events {
            if e.kind == "callback"
                && e.at.secs <= now
                && let Some(s) = e.satisfied
            {
                answered += 1;
                satisfied += u64::from(s);
            }
        }
    }
    assert_eq!((answered, satisfied), (3, 2), "the examples' callbacks");
    assert_eq!(
        report["satisfaction"],
        serde_json::json!({
            "answered": 3,
            "satisfied": 2,
            "percent_satisfied": 66.7,
            "target_percent": 90.0,
            "met": false,
        })
    );
    // The cases arrive from 16 November: no monthly report (due on the 5th) falls in the
    // period up to the 30th.
    assert_eq!(report["reports"][0]["report"], "monthly");
    assert_eq!(report["reports"][0]["due"], serde_json::json!([]));

    // The Markdown report carries the same figures.
    let out = charter()
        .args([
            "audit",
            "--lang",
            "en",
            "--as-of",
            NOW,
            "--policy",
            "policies/complaint-office",
        ])
        .arg(&path)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let md = String::from_utf8(out).unwrap();
    insta::assert_snapshot!("audit_complaint_office_examples", md);
}

/// A week later, the monthly report scheduled on Saturday 5 December, and so due on Monday 7
/// December, covers November: every example case, and the resolve targets met and breached
/// among them.
#[test]
fn scheduled_reports_carry_the_figures_of_their_period() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cases.ndjson");
    std::fs::write(&path, example_lines().join("\n")).unwrap();
    let report = audit_json_at(
        "2026-12-08T12:00:00+08:00",
        Path::new("policies/complaint-office"),
        &path,
        &[],
    );
    let due = report["reports"][0]["due"].as_array().unwrap();
    assert_eq!(due.len(), 1, "{due:?}");
    assert_eq!(due[0]["due"], "2026-12-07 10:00");
    assert_eq!(due[0]["moved_from"], "2026-12-05");
    assert_eq!(due[0]["closed"]["en"], "Saturday, not a working day");
    assert_eq!(
        due[0]["covering"],
        serde_json::json!(["2026-11-01", "2026-11-30"])
    );
    assert_eq!(due[0]["received"], example_lines().len());
    let resolve = &report["attainment"]["overall"]["resolve"];
    assert_eq!(due[0]["resolved_on_time"], resolve["met"]);
    assert_eq!(due[0]["resolved_late_or_overdue"], resolve["breached"]);
}

/// The LED maker's weekly and monthly reports fall on Monday 5 October 2026, National Day
/// (1–7 October): both are due on Thursday 8 October, and the audit says where from and why.
#[test]
fn reports_due_on_a_holiday_are_listed_where_they_moved() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cases.ndjson");
    let case = serde_json::json!({
        "id": "L-1",
        "received_at": "2026-09-24T09:00:00+08:00",
        "channel": "phone",
        "category": "installation",
        "fields": {"customer": "某公司", "contact": "0755", "product": "LP-600"},
        "attributes": {"units": 10},
    });
    std::fs::write(&path, case.to_string()).unwrap();
    let policy = Path::new("policies/led-maker");
    let as_of = "2026-10-09T12:00:00+08:00";
    let report = audit_json_at(as_of, policy, &path, &[]);
    let due = |name: &str| -> Vec<Value> {
        report["reports"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["report"] == name)
            .unwrap()["due"]
            .as_array()
            .unwrap()
            .clone()
    };
    let weekly = due("weekly");
    let dates: Vec<&str> = weekly.iter().map(|d| d["due"].as_str().unwrap()).collect();
    assert_eq!(dates, ["2026-09-28 10:00", "2026-10-08 10:00"]);
    assert_eq!(weekly[0]["moved_from"], Value::Null);
    assert_eq!(weekly[0]["closed"], Value::Null);
    assert_eq!(weekly[1]["moved_from"], "2026-10-05");
    assert_eq!(
        weekly[1]["closed"],
        serde_json::json!({"zh": "国庆节", "en": "National Day"})
    );
    assert_eq!(
        weekly[1]["covering"],
        serde_json::json!(["2026-09-28", "2026-10-04"])
    );
    assert_eq!(weekly[1]["provisional"], false);
    let monthly = due("monthly");
    assert_eq!(monthly.len(), 1);
    assert_eq!(monthly[0]["due"], "2026-10-08 10:00");
    assert_eq!(monthly[0]["covering"][0], "2026-09-01");
    assert_eq!(monthly[0]["received"], 1);

    for (lang, text) in [
        (
            "en",
            "| 2026-10-08 10:00 (moved from 2026-10-05: National Day) | 2026-09-28 – 2026-10-04 |",
        ),
        (
            "zh",
            "| 2026-10-08 10:00（原定 2026-10-05，国庆节，顺延） | 2026-09-28 – 2026-10-04 |",
        ),
    ] {
        let out = charter()
            .args(["audit", "--lang", lang, "--as-of", as_of, "--policy"])
            .arg(policy)
            .arg(&path)
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let md = String::from_utf8(out).unwrap();
        assert!(md.contains(text), "{lang}:\n{md}");
    }
}

#[test]
fn what_if_reports_route_changes_and_moved_deadlines() {
    let (dir, proposed) = crate::support::office_copy(|t| {
        t.replace("amount > 5000", "amount > 100").replace(
            "resolve within 5 working days",
            "resolve within 3 working days",
        )
    });
    let path = dir.path().join("cases.ndjson");
    std::fs::write(&path, example_lines().join("\n")).unwrap();
    let policy = Path::new("policies/complaint-office");
    let report = audit_json(policy, &path, &["--compare", proposed.to_str().unwrap()]);
    let w = &report["what_if"];

    let (now_engine, other) = (engine(policy), engine(&proposed));
    let now = Timestamp::parse(NOW).unwrap().secs;
    let (mut routes, mut earlier) = (0u64, 0u64);
    for line in example_lines() {
        let case = Case::from_json(&line).unwrap();
        let (a, b) = (
            now_engine.decide(&case, now).unwrap(),
            other.decide(&case, now).unwrap(),
        );
        let role = |d: &charter::decide::Decision<'_>| {
            d.route.as_ref().and_then(|r| r.role).map(str::to_string)
        };
        if role(&a) != role(&b) {
            routes += 1;
        }
        let deadline = |d: &charter::decide::Decision<'_>| {
            d.targets
                .iter()
                .find(|t| t.target.name == "resolve" && t.target.stage.is_none())
                .and_then(|t| t.deadline)
                .map(|t| t.secs)
        };
        if let (Some(x), Some(y)) = (deadline(&a), deadline(&b))
            && y < x
        {
            earlier += 1;
        }
    }
    assert!(
        routes > 0 && earlier > 0,
        "the change must show: {routes} {earlier}"
    );
    assert_eq!(w["cases"], example_lines().len());
    assert_eq!(w["route_changes"], routes);
    assert_eq!(w["deadline_moves"]["resolve"]["earlier"], earlier);
    assert!(
        w["deadline_moves"]["resolve"]["later"].is_null()
            || w["deadline_moves"]["resolve"]["later"] == 0
    );
    assert!(w["attainment_after"]["resolve"]["percent_met"].is_number());
}

#[test]
fn csv_with_a_column_mapping() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("tickets.csv");
    std::fs::write(
        &csv,
        "Ticket,Opened,Source,Type,Level,Name,Phone,Summary,Amount\n\
         T-1,2026-11-23T10:00:00+08:00,phone,billing,minor,王,138,账单,100\n\
         T-2,not a time,web,billing,minor,李,139,账单,100\n\
         T-3,2026-11-24T10:00:00+08:00,fax,billing,minor,张,137,账单,100\n",
    )
    .unwrap();
    let mapping = dir.path().join("columns.toml");
    std::fs::write(
        &mapping,
        "[columns]\nTicket = \"id\"\nOpened = \"received_at\"\nSource = \"channel\"\nType = \"category\"\nLevel = \"severity\"\nName = \"field.customer_name\"\nPhone = \"field.contact\"\nSummary = \"field.content\"\nAmount = \"attr.amount\"\n",
    )
    .unwrap();
    let report = audit_json(
        Path::new("policies/complaint-office"),
        &csv,
        &["--mapping", mapping.to_str().unwrap()],
    );
    assert_eq!(report["input"]["decided"], 1);
    assert_eq!(report["input"]["malformed"], 2);
    let lines: Vec<u64> = report["input"]["malformed_listed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [3, 4]);
    assert_eq!(
        report["attainment"]["by_channel"]["phone"]["acknowledge"]["breached"],
        1
    );
}

#[test]
fn html_report_renders() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cases.ndjson");
    std::fs::write(&path, example_lines().join("\n")).unwrap();
    let shots = PathBuf::from("target/screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let html = shots.join("audit.html");
    charter()
        .args([
            "audit",
            "--format",
            "html",
            "--as-of",
            NOW,
            "--policy",
            "policies/complaint-office",
            "--force",
            "-o",
        ])
        .arg(&html)
        .arg(&path)
        .assert()
        .success();
    let text = std::fs::read_to_string(&html).unwrap();
    assert_eq!(text.matches("<figure>").count(), 3, "three charts");
    assert!(!text.contains("<script"));
    let Some(browser) = crate::support::chromium() else {
        eprintln!("Chromium is not installed: the audit page is not rendered here");
        return;
    };
    let png = shots.join("audit.png");
    crate::support::render(
        browser,
        &html,
        &format!("--screenshot={}", png.display()),
        "1280,2400",
    );
    assert!(std::fs::metadata(&png).unwrap().len() > 5_000);
}
