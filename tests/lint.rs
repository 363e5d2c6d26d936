//! The policy analysis: one fixture per finding kind (its first line names the code it must
//! produce), snapshots of the rendered findings, and no findings on the shipped policies.

use std::path::PathBuf;

use charter::analyse::lint;
use charter::check::check;
use charter::diagnostic::{Kind, Severity};
use charter::syntax::load;

#[test]
fn each_fixture_produces_its_finding() {
    let mut files: Vec<PathBuf> = std::fs::read_dir("tests/fixtures/lint")
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let codes: std::collections::BTreeSet<String> = files
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap()[2..7].to_string())
        .collect();
    let lint_kinds = Kind::ALL.iter().filter(|k| k.code().starts_with('L'));
    for kind in lint_kinds {
        assert!(
            codes.contains(kind.code()),
            "no fixture produces {}",
            kind.code()
        );
    }
    for file in files {
        let loaded = load(&file);
        let checked = check(&loaded);
        assert!(!checked.has_errors(), "{} does not compile", file.display());
        let findings: Vec<_> = checked.versions.iter().flat_map(lint).collect();
        let text = std::fs::read_to_string(&file).unwrap();
        let code = &text[2..7];
        assert!(!findings.is_empty(), "{} produces nothing", file.display());
        for d in &findings {
            assert_eq!(d.kind.code(), code, "{}", file.display());
        }
        let rendered: Vec<String> = findings.iter().map(|d| d.render(&loaded.sources)).collect();
        let stem = file.file_stem().unwrap().to_str().unwrap().to_string();
        insta::assert_snapshot!(format!("lint__{stem}"), rendered.join("\n"));
    }
}

#[test]
fn shipped_policies_have_no_warnings() {
    for path in crate::language::shipped_policies() {
        let loaded = load(&path);
        let checked = check(&loaded);
        for version in &checked.versions {
            // Infos are allowed: each is explained by a comment in the policy.
            let findings: Vec<_> = lint(version)
                .into_iter()
                .filter(|d| d.severity > Severity::Info)
                .collect();
            let rendered: Vec<String> =
                findings.iter().map(|d| d.render(&loaded.sources)).collect();
            assert!(
                findings.is_empty(),
                "{}:\n{}",
                path.display(),
                rendered.join("\n")
            );
        }
    }
}

/// The built-in vague phrases: Chinese anywhere, English case-insensitively as whole words,
/// a phrase inside a longer one reported once, and the exceptions that are measures.
#[test]
fn vague_wording_matches_phrases_and_whole_words() {
    let fixture = std::fs::read_to_string("tests/fixtures/lint/vague.charter").unwrap();
    let vague = |measure: &str| -> Vec<String> {
        let text = fixture.replace(
            "measure \"Handle issues in a timely manner\"",
            &format!("measure {measure}"),
        );
        let loaded = charter::syntax::load_text("vague.charter", &text);
        let checked = check(&loaded);
        assert!(!checked.has_errors(), "{measure}");
        lint(&checked.versions[0])
            .iter()
            .filter(|d| d.kind == Kind::LintVague && d.message.contains("`handle`"))
            .map(|d| {
                d.message
                    .rsplit(": `")
                    .next()
                    .unwrap()
                    .replace("` is vague", "")
            })
            .collect()
    };
    for (measure, found) in [
        ("\"及时反馈结果\"", &["及时"][..]),
        (
            "\"尽快、尽早、适时、第一时间处理\"",
            &["尽快", "尽早", "适时", "第一时间"],
        ),
        (
            "\"一定时间内或合理时间内酌情给予适当补偿\"",
            &["一定时间内", "合理时间", "酌情", "适当"],
        ),
        ("\"回访及时率100%，客户适当性管理\"", &[]),
        (
            "\"Reply\" en \"Timely; PROMPTLY; As Soon As Possible\"",
            &["timely", "promptly", "as soon as possible"],
        ),
        (
            "\"Reply ASAP, in due course, without delay\"",
            &["asap", "in due course", "without delay"],
        ),
        (
            "\"Untimely replies reviewed; leasapp; delays without delaying\"",
            &[],
        ),
        ("\"Reply in a timely manner\"", &["in a timely manner"]),
        (
            "\"Reply in a timely manner, always timely\"",
            &["in a timely manner", "timely"],
        ),
    ] {
        let mut got = vague(measure);
        got.sort();
        let mut want: Vec<String> = found.iter().map(|s| s.to_string()).collect();
        want.sort();
        assert_eq!(got, want, "{measure}");
    }
}

mod exact {
    //! The route analysis against brute force: for random route tables over every kind of
    //! test (finite domains, numbers, booleans, strings, sets), a rule is reported as never
    //! matching exactly when no case of a grid that meets every distinguishable region is
    //! routed by it, and uncovered cases are reported exactly when some case of the grid
    //! reaches the fallback.

    use std::collections::BTreeSet;

    use charter::analyse::lint;
    use charter::check::check;
    use charter::decide::{Case, Engine};
    use charter::diagnostic::Kind;
    use charter::syntax::load_text;
    use proptest::prelude::*;

    fn atom() -> impl Strategy<Value = String> {
        prop_oneof![
            prop::sample::select(vec!["billing", "faults"]).prop_map(|c| format!("category = {c}")),
            Just("category in [billing, faults]".to_string()),
            prop::sample::select(vec!["phone", "web"]).prop_map(|c| format!("channel = {c}")),
            (
                prop::sample::select(vec!["=", ">=", "<", "!="]),
                prop::sample::select(vec!["minor", "normal", "major"])
            )
                .prop_map(|(op, s)| format!("severity {op} {s}")),
            (
                prop::sample::select(vec!["=", "!=", "<", "<=", ">", ">="]),
                prop::sample::select(vec![100, 200, 300])
            )
                .prop_map(|(op, n)| format!("amount {op} {n}")),
            Just("amount in [100, 300]".to_string()),
            Just("vip".to_string()),
            Just("vip = false".to_string()),
            prop::sample::select(vec!["=", "!="]).prop_map(|op| format!("tier {op} \"gold\"")),
            Just("tier in [\"gold\", \"silver\"]".to_string()),
            Just("tags contains \"a\"".to_string()),
        ]
    }

    fn condition() -> impl Strategy<Value = String> {
        atom().prop_recursive(2, 6, 2, |inner| {
            prop_oneof![
                inner.clone().prop_map(|c| format!("not ({c})")),
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a}) and ({b})")),
                (inner.clone(), inner).prop_map(|(a, b)| format!("({a}) or ({b})")),
            ]
        })
    }

    const HEAD: &str = r#"policy p "P" {
  version "1"
  timezone "Asia/Shanghai"
  calendar office
  fallback forbidden
}
calendar office "Office" { week mon..fri 09:00-18:00 }
channel phone "Phone" { callback phone }
channel web "Web" { callback web }
attribute amount "Amount" { type number }
attribute vip "VIP" { type bool }
attribute tier "Tier" { type string }
attribute tags "Tags" { type set }
severities {
  minor "Minor"
  normal "Normal"
  major "Major"
}
category billing "Billing"
category faults "Faults"
scope { accept billing, faults }
"#;

    /// Every combination of one value per region of each dimension.
    fn grid() -> Vec<String> {
        let mut cases = Vec::new();
        for category in ["billing", "faults"] {
            for channel in ["phone", "web"] {
                for severity in ["minor", "normal", "major"] {
                    for amount in [50, 100, 150, 200, 250, 300, 350] {
                        for vip in [false, true] {
                            for tier in ["gold", "silver", "bronze"] {
                                for tags in ["[]", "[\"a\"]"] {
                                    cases.push(format!(
                                        r#"{{"id":"c","received_at":"2026-03-02T10:00:00+08:00","channel":"{channel}","category":"{category}","severity":"{severity}","attributes":{{"amount":{amount},"vip":{vip},"tier":"{tier}","tags":{tags}}}}}"#
                                    ));
                                }
                            }
                        }
                    }
                }
            }
        }
        cases
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn shadowing_and_coverage_agree_with_brute_force(rules in prop::collection::vec((condition(), any::<bool>()), 1..5)) {
            let mut text = HEAD.to_string();
            text.push_str("route {\n");
            for (cond, manager) in &rules {
                text.push_str(&format!("  when {cond} -> {}\n", if *manager { "manager" } else { "officer" }));
            }
            text.push_str("  otherwise -> officer\n}\n");
            text.push_str("role officer \"Officer\" {}\nrole manager \"Manager\" {}\n");
            // The route block's first rule is on the line after `route {`.
            let first = text.lines().position(|l| l == "route {").unwrap() + 2;
            let otherwise = first + rules.len();

            let loaded = load_text("t.charter", &text);
            let checked = check(&loaded);
            prop_assert!(!checked.has_errors(), "{text}");
            let findings = lint(&checked.versions[0]);
            let lines_of = |kind: Kind| -> BTreeSet<usize> {
                findings.iter().filter(|d| d.kind == kind)
                    .map(|d| d.to_json(&loaded.sources)["line"].as_u64().unwrap() as usize)
                    .collect()
            };
            let shadowed = lines_of(Kind::LintShadowed);
            let uncovered = !lines_of(Kind::LintUncovered).is_empty();

            let engine = Engine::new(checked).unwrap();
            let mut reached = BTreeSet::new();
            for json in grid() {
                let case = Case::from_json(&json).unwrap();
                let decision = engine.decide(&case, 0).unwrap();
                reached.insert(decision.route.unwrap().rule.unwrap().line);
            }
            let never: BTreeSet<usize> = (first..otherwise).filter(|l| !reached.contains(l)).collect();
            prop_assert_eq!(&shadowed, &never, "{}", text);
            prop_assert_eq!(uncovered, reached.contains(&otherwise), "{}", text);
        }
    }
}

mod levels {
    //! `[levels]` in a policy's `lint.toml`, through the binary: allow, warn and deny on
    //! warnings and infos, `--deny warnings` on top, and files that are not valid.

    use std::path::Path;

    use assert_cmd::Command;
    use predicates::prelude::*;

    /// `charter lint` on a date long before the shipped calendars run out.
    fn lint(policy: &Path, args: &[&str]) -> assert_cmd::assert::Assert {
        Command::cargo_bin("charter")
            .unwrap()
            .args(["lint", "--today", "2026-06-01"])
            .args(args)
            .arg(policy)
            .assert()
    }

    /// A policy folder whose one finding is the warning L0007 (a duty without a measure).
    fn unmeasured(lint_toml: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::copy(
            "tests/fixtures/lint/unmeasured.charter",
            dir.path().join("policy.charter"),
        )
        .unwrap();
        std::fs::write(dir.path().join("lint.toml"), lint_toml).unwrap();
        dir
    }

    #[test]
    fn allow_drops_warn_keeps_and_deny_fails() {
        let dir = unmeasured("[levels]\nL0007 = \"allow\"   # measures come later\n");
        lint(dir.path(), &["--deny", "warnings"])
            .success()
            .stdout(predicate::str::contains("L0007").not())
            .stdout(predicate::str::contains("0 warnings, 0 infos"));

        let dir = unmeasured("[levels]\nL0007 = \"warn\"\n");
        lint(dir.path(), &[])
            .success()
            .stdout(predicate::str::contains("warning[L0007]"));
        // --deny warnings still applies on top of the levels.
        lint(dir.path(), &["--deny", "warnings"]).code(1);

        let dir = unmeasured("[levels]\nL0007 = \"deny\"\nL0012 = \"allow\"\n");
        lint(dir.path(), &[])
            .code(1)
            .stdout(predicate::str::contains("error[L0007]: duty `handle`"))
            .stdout(predicate::str::contains("1 error, 0 warnings, 0 infos"));
        let out = lint(dir.path(), &["--format", "json"])
            .code(1)
            .get_output()
            .stdout
            .clone();
        let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(json["findings"][0]["severity"], "error", "{json}");
        let out = lint(dir.path(), &["--format", "sarif"])
            .code(1)
            .get_output()
            .stdout
            .clone();
        let sarif: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(sarif["runs"][0]["results"][0]["level"], "error", "{sarif}");
    }

    #[test]
    fn infos_can_be_raised() {
        // The complaint office has one info, L0011 (overlapping route rules).
        let (_guard, office) = crate::support::office_copy(|text| text);
        lint(&office, &["--deny", "warnings"])
            .success()
            .stdout(predicate::str::contains("info[L0011]"));
        std::fs::write(
            office.join("lint.toml"),
            "[levels]\nL0011 = \"warn\"\nL0019 = \"allow\"\n",
        )
        .unwrap();
        lint(&office, &[])
            .success()
            .stdout(predicate::str::contains("warning[L0011]"))
            .stdout(predicate::str::contains("1 warning, 0 infos"));
        lint(&office, &["--deny", "warnings"]).code(1);
        std::fs::write(office.join("lint.toml"), "[levels]\nL0011 = \"deny\"\n").unwrap();
        lint(&office, &[])
            .code(1)
            .stdout(predicate::str::contains("error[L0011]"));
    }

    /// The complaint office decides on `office`, valid (through the China 2026 calendar) until
    /// 31 December 2026: 89 days after 3 October, 91 after 1 October. Within 90 days lint
    /// warns as `charter check` does (E0021), `--deny warnings` fails, and lint.toml levels,
    /// which are for lint codes, leave it alone.
    #[test]
    fn lint_warns_before_a_calendar_runs_out() {
        let (_guard, office) = crate::support::office_copy(|text| text);
        std::fs::write(
            office.join("lint.toml"),
            "[levels]\nL0011 = \"allow\"\nL0019 = \"allow\"\n",
        )
        .unwrap();
        let at = |today: &str, args: &[&str]| {
            Command::cargo_bin("charter")
                .unwrap()
                .args(["lint", "--today", today])
                .args(args)
                .arg(&office)
                .assert()
        };
        at("2026-10-03", &[])
            .success()
            .stdout(predicate::str::contains(
                "warning[E0021]: this valid range ends on 2026-12-31, 89 days from 2026-10-03: cases on `office` that need later dates are decided provisionally",
            ))
            .stdout(predicate::str::contains("cn-2026.charter:7:3"))
            .stdout(predicate::str::contains("1 warning, 0 infos"));
        at("2026-10-03", &["--deny", "warnings"]).code(1);
        let out = at("2026-10-03", &["--format", "json"])
            .success()
            .get_output()
            .stdout
            .clone();
        let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(json["findings"][0]["code"], "E0021", "{json}");
        assert_eq!(json["findings"][0]["severity"], "warning", "{json}");
        at("2026-10-01", &["--deny", "warnings"])
            .success()
            .stdout(predicate::str::contains("E0021").not())
            .stdout(predicate::str::contains("0 warnings, 0 infos"));
    }

    #[test]
    fn a_single_file_policy_reads_the_lint_toml_beside_it() {
        let dir = unmeasured("[levels]\nL0007 = \"deny\"\n");
        lint(&dir.path().join("policy.charter"), &[])
            .code(1)
            .stdout(predicate::str::contains("error[L0007]"));
    }

    /// Unknown codes, unknown levels and files that are not TOML: exit 1, the file, line and
    /// column, the line with the place underlined, and help.
    #[test]
    fn a_bad_lint_toml_names_the_place() {
        let mut rendered = Vec::new();
        for (text, place) in [
            (
                "# per policy\n[levels]\nL0099 = \"allow\"\n",
                ":3:1: unknown lint code `L0099`",
            ),
            (
                "[levels]\nE0006 = \"deny\"\n",
                ":2:1: unknown lint code `E0006`",
            ),
            (
                "[levels]\nL0007 = \"forbid\"\n",
                ":2:9: unknown variant `forbid`",
            ),
            ("[levels\nL0007 = \"deny\"\n", ":1:8: unclosed table"),
        ] {
            let dir = unmeasured(text);
            let out = lint(dir.path(), &[])
                .code(1)
                .stdout("")
                .get_output()
                .stderr
                .clone();
            let stderr = String::from_utf8(out).unwrap();
            let file = dir.path().join("lint.toml").display().to_string();
            assert!(stderr.contains(&format!("{file}{place}")), "{stderr}");
            assert!(stderr.contains("= help: "), "{stderr}");
            rendered.push(stderr.replace(&file, "DIR/lint.toml"));
        }
        insta::assert_snapshot!("bad_lint_toml", rendered.join("\n"));
    }
}

/// What each role of two shipped policies answers for, against lists made by hand from their
/// route tables and procedures: the SLA targets (block.target) that apply to some case routed
/// to the role, and the callback rules for the role that performs the `calls_back` step (the
/// one that owns 结果反馈 / 回访), and nothing else.
#[test]
fn each_role_answers_for_exactly_its_cases() {
    let answers = |policy: &str| -> Vec<(String, Vec<String>, Vec<String>)> {
        let loaded = charter::syntax::load(std::path::Path::new(policy));
        let checked = charter::check::check(&loaded);
        let p = checked.versions.last().unwrap();
        (0..p.roles.len())
            .map(|r| {
                let a = charter::analyse::answers(p, r);
                let targets = (a.targets.iter())
                    .map(|&(s, t)| {
                        format!("{}.{}", p.slas[s].named.name, p.slas[s].targets[t].name)
                    })
                    .collect();
                let callbacks = a
                    .callbacks
                    .iter()
                    .map(|&c| p.callbacks[c].named.name.clone())
                    .collect();
                (p.roles[r].named.name.clone(), targets, callbacks)
            })
            .filter(|(_, t, c): &(String, Vec<String>, Vec<String>)| !t.is_empty() || !c.is_empty())
            .collect()
    };
    let s = |list: &[&str]| list.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let standard = [
        "standard.return_call",
        "standard.acknowledge",
        "standard.resolve",
    ];
    assert_eq!(
        answers("policies/led-maker"),
        [
            (
                "complaint_specialist".into(),
                s(&[&standard[..], &["price.reply"]].concat()),
                s(&[])
            ),
            (
                "cqe".into(),
                s(&[&standard[..], &["eight_d.containment", "eight_d.report_8d"]].concat()),
                s(&[])
            ),
            (
                "service_specialist".into(),
                s(&standard),
                s(&["installation", "result"])
            ),
        ]
    );
    let office = [
        "standard.acknowledge",
        "standard.resolve",
        "standard.update",
    ];
    assert_eq!(
        answers("policies/complaint-office"),
        [
            ("complaint_officer".into(), s(&office), s(&["feedback"])),
            (
                "office_director".into(),
                s(&[&office[..], &["critical.acknowledge", "critical.resolve"]].concat()),
                s(&[])
            ),
            ("coordinator".into(), s(&office), s(&[])),
        ]
    );
}

/// A policy of thousands of route rules, each about its own category, with a few planted
/// findings. Rules are compared only with the rules they can share a case with (through an
/// index by category; a rule about many categories is compared with all), so this checks that
/// the index loses no pair and invents none: exactly the planted findings come out.
#[test]
fn a_large_policy_yields_exactly_its_planted_route_findings() {
    use std::collections::BTreeSet;
    use std::fmt::Write as _;

    let n = 3_000;
    let mut text = String::from(
        "policy p \"P\" {\n  version \"1\"\n  timezone \"Asia/Shanghai\"\n}\n\
         channel phone \"Phone\"\nattribute amount \"Amount\" { type number }\n\
         role officer \"Officer\" {}\nrole manager \"Manager\" {}\n",
    );
    for k in 0..=n {
        writeln!(text, "category c{k} \"C{k}\"").unwrap();
    }
    text.push_str("route {\n");
    let first = text.lines().count() + 1;
    // Line `first`: a rule about every category, before all the narrow ones.
    text.push_str("  when amount = -1 -> officer\n");
    for k in 0..n {
        writeln!(text, "  when category = c{k} and amount > {k} -> officer").unwrap();
        writeln!(text, "  when category = c{k} and amount <= {k} -> manager").unwrap();
    }
    // Every case of c0..c99 is taken above: a rule about those hundred categories never matches.
    let hundred: Vec<String> = (0..100).map(|k| format!("c{k}")).collect();
    writeln!(
        text,
        "  when category in [{}] -> manager",
        hundred.join(", ")
    )
    .unwrap();
    // c{n} has no rule yet: this one is live, and its c10 cases meet c10's `manager` rule.
    writeln!(text, "  when category in [c10, c{n}] -> officer").unwrap();
    text.push_str("  otherwise -> officer\n}\n");
    let manager_line = |k: usize| first + 2 + 2 * k;
    let shadowed_line = first + 1 + 2 * n;

    let loaded = charter::syntax::load_text("big.charter", &text);
    let checked = check(&loaded);
    assert!(!checked.has_errors());
    let findings = lint(&checked.versions[0]);
    let lines = |kind: Kind| -> BTreeSet<usize> {
        let at = |d: &charter::diagnostic::Diagnostic| d.to_json(&loaded.sources)["line"].as_u64();
        (findings.iter().filter(|d| d.kind == kind))
            .map(|d| at(d).unwrap() as usize)
            .collect()
    };
    assert_eq!(lines(Kind::LintShadowed), BTreeSet::from([shadowed_line]));
    // Each `manager` rule shares `amount = -1` with the first rule, which sends it to `officer`;
    // the last rule shares c10's small amounts with c10's `manager` rule.
    let mut overlaps: BTreeSet<usize> = (0..n).map(manager_line).collect();
    overlaps.insert(shadowed_line + 1);
    assert_eq!(lines(Kind::LintOverlap), overlaps);
}
