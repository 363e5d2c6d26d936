//! `charter diff`: the comparison of routing against brute force on random pairs of policies,
//! the e-commerce versions in both languages, and the command's exit codes.

mod exact {
    //! For random pairs of route tables (and scopes) over every kind of test, a grid of cases
    //! that meets every distinguishable region of both is decided under both versions: every
    //! case whose role differs lies in exactly one reported region, of the right pair of roles;
    //! no case outside the reported regions changes role; and each region's example case,
    //! decided under both versions, goes from the one role to the other.

    use charter::check::check;
    use charter::decide::{Case, Engine};
    use charter::diff::{Version, compare};
    use charter::render::Lang;
    use charter::syntax::load_text;
    use proptest::prelude::*;

    fn atom() -> impl Strategy<Value = String> {
        prop_oneof![
            prop::sample::select(vec!["billing", "faults"]).prop_map(|c| format!("category = {c}")),
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

    /// A random condition over the test vocabulary (also for the counterfactuals' test).
    pub(super) fn condition_for_tests() -> impl Strategy<Value = String> {
        condition()
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

    const ROLES: [&str; 3] = ["officer", "manager", "director"];

    /// A policy: the shared vocabulary, a scope, a route table and its fallback.
    pub(super) fn policy_for_tests(
        faults_accepted: bool,
        rules: &[(String, usize)],
        fallback: Option<usize>,
    ) -> String {
        policy(faults_accepted, rules, fallback)
    }

    fn policy(faults_accepted: bool, rules: &[(String, usize)], fallback: Option<usize>) -> String {
        let scope = if faults_accepted {
            "scope { accept billing, faults }"
        } else {
            "scope {\n  accept billing\n  redirect faults to \"IT\" because \"not ours\"\n}"
        };
        let mut text = format!(
            r#"policy p "P" {{
  version "1"
  timezone "Asia/Shanghai"
  calendar office
}}
calendar office "Office" {{ week mon..fri 09:00-18:00 }}
channel phone "Phone" {{ callback phone }}
channel web "Web" {{ callback web }}
attribute amount "Amount" {{ type number }}
attribute vip "VIP" {{ type bool }}
attribute tier "Tier" {{ type string }}
attribute tags "Tags" {{ type set }}
severities {{
  minor "Minor"
  normal "Normal"
  major "Major"
}}
category billing "Billing"
category faults "Faults"
{scope}
role officer "Officer" {{}}
role manager "Manager" {{}}
role director "Director" {{}}
route {{
"#
        );
        for (cond, role) in rules {
            text.push_str(&format!("  when {cond} -> {}\n", ROLES[*role]));
        }
        if let Some(role) = fallback {
            text.push_str(&format!("  otherwise -> {}\n", ROLES[role]));
        }
        text.push_str("}\n");
        text
    }

    /// The grid (also for the deadlines' test).
    pub(super) fn grid_for_tests() -> Vec<Case> {
        grid()
    }

    /// Every combination of one value per region of each dimension.
    fn grid() -> Vec<Case> {
        let mut cases = Vec::new();
        for category in ["billing", "faults"] {
            for channel in ["phone", "web"] {
                for severity in ["minor", "normal", "major"] {
                    for amount in [50, 100, 150, 200, 250, 300, 350] {
                        for vip in [false, true] {
                            for tier in ["gold", "silver", "bronze"] {
                                for tags in ["[]", "[\"a\"]"] {
                                    let json = format!(
                                        r#"{{"id":"c","received_at":"2026-03-02T10:00:00+08:00","channel":"{channel}","category":"{category}","severity":"{severity}","attributes":{{"amount":{amount},"vip":{vip},"tier":"{tier}","tags":{tags}}}}}"#
                                    );
                                    cases.push(Case::from_json(&json).unwrap());
                                }
                            }
                        }
                    }
                }
            }
        }
        cases
    }

    fn engine(text: &str) -> Engine {
        let checked = check(&load_text("p.charter", text));
        assert!(!checked.has_errors(), "{text}");
        Engine::new(checked).unwrap()
    }

    /// The role a case is routed to, or `None` when it is not accepted (or no rule takes it).
    fn role(engine: &Engine, case: &Case) -> (bool, Option<String>) {
        let d = engine.decide(case, 0).unwrap();
        let accepted = d.acceptance.outcome == charter::decide::Outcome::Accepted;
        (accepted, d.route.and_then(|r| r.role).map(str::to_string))
    }

    fn table() -> impl Strategy<Value = (bool, Vec<(String, usize)>, Option<usize>)> {
        (
            any::<bool>(),
            prop::collection::vec((condition(), 0..3usize), 0..5),
            prop::option::weighted(0.8, 0..3usize),
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn reported_regions_are_exactly_the_cases_whose_role_changes(
            (old_scope, old_rules, old_fallback) in table(),
            (new_scope, new_rules, new_fallback) in table(),
        ) {
            let old_text = policy(old_scope, &old_rules, old_fallback);
            let new_text = policy(new_scope, &new_rules, new_fallback);
            let (old_loaded, new_loaded) = (load_text("old.charter", &old_text), load_text("new.charter", &new_text));
            let (old_checked, new_checked) = (check(&old_loaded), check(&new_loaded));
            let diff = compare(
                &Version::of(&old_loaded, &old_checked.versions[0]),
                &Version::of(&new_loaded, &new_checked.versions[0]),
                Lang::En,
            );
            prop_assert!(diff.unsettled.is_empty());
            // Every reported region as a rule of a probe policy: the rule a case matches names
            // the region it lies in (regions are disjoint, so the first match is the only one).
            let mut regions: Vec<(Option<String>, Option<String>, String)> = Vec::new();
            for change in &diff.routing {
                prop_assert_eq!(change.more, 0);
                for r in &change.regions {
                    regions.push((
                        change.from.as_ref().map(|x| x.name.clone()),
                        change.to.as_ref().map(|x| x.name.clone()),
                        r.condition.clone(),
                    ));
                    // The example goes from the one role to the other.
                    let example = Case::from_json(&r.example.to_string()).unwrap();
                    let (old_engine, new_engine) = (engine(&old_text), engine(&new_text));
                    prop_assert_eq!(role(&old_engine, &example), (true, change.from.as_ref().map(|x| x.name.clone())), "{}", r.condition);
                    prop_assert_eq!(role(&new_engine, &example), (true, change.to.as_ref().map(|x| x.name.clone())), "{}", r.condition);
                }
            }
            let probe_rules: Vec<(String, usize)> = Vec::new();
            let mut probe = policy(true, &probe_rules, None);
            probe.truncate(probe.rfind("route {").unwrap());
            probe.push_str("route {\n");
            for (k, (_, _, cond)) in regions.iter().enumerate() {
                let cond = if cond.is_empty() { "not (vip and not vip)" } else { cond };
                probe.push_str(&format!("  when {cond} -> r{k}\n"));
                probe.push_str("");
            }
            probe.push_str("}\n");
            for k in 0..regions.len() {
                probe.push_str(&format!("role r{k} \"R{k}\" {{}}\n"));
            }
            let (old_engine, new_engine, probe_engine) = (engine(&old_text), engine(&new_text), engine(&probe));
            let mut met = vec![false; regions.len()];
            for case in grid() {
                let (a_accepted, a) = role(&old_engine, &case);
                let (b_accepted, b) = role(&new_engine, &case);
                if !(a_accepted && b_accepted) {
                    continue;
                }
                let region = role(&probe_engine, &case).1
                    .map(|r| r[1..].parse::<usize>().unwrap());
                match region {
                    Some(k) => {
                        met[k] = true;
                        prop_assert_eq!((&a, &b), (&regions[k].0, &regions[k].1), "{:?}\n{}\n{}", case, old_text, new_text);
                    }
                    None => prop_assert_eq!(&a, &b, "a case whose role changes lies in no reported region: {:?}\n{}\n{}", case, old_text, new_text),
                }
            }
            // Listed sets do not overlap, and the grid meets each: none is empty.
            prop_assert!(met.iter().all(|m| *m), "a listed set no case reaches first\n{}\n{}", old_text, new_text);
        }
    }
}

mod command {
    //! The command as users run it: the shipped e-commerce versions in both languages, and the
    //! exit code that lets CI gate on a change.

    use assert_cmd::Command;

    use crate::support::office_copy;

    fn charter() -> Command {
        Command::cargo_bin("charter").unwrap()
    }

    /// Runs `charter diff ARGS`; its standard output, standard error and exit code.
    fn diff(args: &[&str]) -> (String, String, i32) {
        let out = charter().arg("diff").args(args).output().unwrap();
        (
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
            out.status.code().unwrap(),
        )
    }

    const OFFICE: &str = "policies/complaint-office";

    #[test]
    fn the_ecommerce_revision_in_both_languages() {
        let versions = [
            "policies/ecommerce-after-sales",
            "--from-version",
            "2026.1",
            "--to-version",
            "2026.2",
        ];
        for lang in ["zh", "en"] {
            let (text, err, code) = diff(&[&versions[..], &["--lang", lang]].concat());
            assert_eq!(code, 1, "{err}");
            assert!(err.contains("alters behaviour"), "{err}");
            insta::assert_snapshot!(format!("diff_ecommerce_{lang}"), text);
        }
        // With one path and no versions named: the latest against the one before it.
        let (defaulted, _, _) = diff(&["policies/ecommerce-after-sales", "--lang", "en"]);
        let (named, _, _) = diff(&[&versions[..], &["--lang", "en"]].concat());
        assert_eq!(defaulted, named);
        let (json, _, code) = diff(&[&versions[..], &["--format", "json"]].concat());
        assert_eq!(code, 1);
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        insta::assert_json_snapshot!("diff_ecommerce_json", value);
    }

    #[test]
    fn the_shipped_cases_count_against_the_changes_they_fall_under() {
        // The e-commerce example cases, one per line.
        let mut ndjson = String::new();
        let mut files: Vec<_> = std::fs::read_dir("examples/cases/ecommerce-after-sales")
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        for path in &files {
            let case: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
            ndjson.push_str(&case.to_string());
            ndjson.push('\n');
        }
        ndjson.push_str("not a case\n");
        let out = charter()
            .args(["diff", "policies/ecommerce-after-sales", "--format", "json"])
            .args(["--cases", "-", "--now", "2026-11-30T12:00:00+08:00"])
            .write_stdin(ndjson)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        let diff: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        // Three cases give no severity, so only the standard block's limits apply to them;
        // the urgent one keeps its 10-minute acknowledgement and gets 8 hours to resolve.
        let last = files.len() as u64 + 1;
        assert_eq!(
            diff["cases"],
            serde_json::json!({"records": last, "compared": files.len(), "errors": 1,
                "route_changed": 0, "deadline_changed": 3, "unexplained": 0,
                "failures": [{"line": last, "id": null, "code": "C0001",
                    "error": "expected ident (column 2)"}]})
        );
        let counted: Vec<(String, u64)> = diff["deadlines"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                (
                    d["target"].as_str().unwrap().to_string(),
                    d["cases"].as_u64().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            counted,
            [("acknowledge".to_string(), 2), ("resolve".to_string(), 1)]
        );
    }

    #[test]
    fn comments_layout_and_declaration_order_change_nothing() {
        let (_dir, new) = office_copy(|text| {
            // A comment rewritten, a statement's layout changed, two roles swapped.
            let text = text.replace("# First match wins", "# The first rule that matches wins");
            let text = text.replace(
                "  when severity >= major -> office_director",
                "  when   severity>=major   ->   office_director",
            );
            let start = text.find("role coordinator").unwrap();
            let middle = text.find("role general_manager").unwrap();
            let end = middle + text[middle..].find("\n}\n").unwrap() + 3;
            format!(
                "{}{}\n{}{}",
                &text[..start],
                &text[middle..end],
                &text[start..middle],
                &text[end..]
            )
        });
        let (text, err, code) = diff(&[OFFICE, new.to_str().unwrap(), "--lang", "en"]);
        assert_eq!(code, 0, "{text}{err}");
        assert!(text.contains("Verdict: no change in behaviour"), "{text}");
    }

    #[test]
    fn a_label_changed_is_wording_not_behaviour() {
        let (_dir, new) = office_copy(|text| {
            text.replace(
                "en \"Convene coordination meetings\"",
                "en \"Call coordination meetings\"",
            )
        });
        let (text, _, code) = diff(&[OFFICE, new.to_str().unwrap(), "--lang", "en"]);
        assert_eq!(code, 0, "{text}");
        assert!(text.contains("only wording changed"), "{text}");
        assert!(
            text.contains(
                "+ duty meetings \"召集跨部门协调会\" en \"Call coordination meetings\" {"
            ),
            "{text}"
        );
    }

    #[test]
    fn a_raised_threshold_moves_exactly_the_cases_between() {
        let (_dir, new) = office_copy(|text| text.replace("amount > 5000", "amount > 8000"));
        let (json, _, code) = diff(&[OFFICE, new.to_str().unwrap(), "--format", "json"]);
        assert_eq!(code, 1);
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        let routing = value["routing"].as_array().unwrap();
        assert_eq!(routing.len(), 1, "{json}");
        assert_eq!(routing[0]["from"]["name"], "coordinator");
        assert_eq!(routing[0]["to"]["name"], "complaint_officer");
        let region = &routing[0]["regions"][0];
        assert_eq!(
            region["condition"],
            "severity <= normal and amount > 5000 and amount <= 8000 and not (departments contains \"finance\")"
        );
        assert_eq!(
            region["words"],
            "严重程度不高于一般，且涉及金额超过5,000元且不超过8,000元，且涉及部门不包含“财务部”"
        );
        // The example is a case `charter decide` takes, and it is decided as the diff says.
        let example = region["example"].to_string();
        for (policy, role) in [
            (OFFICE, "coordinator"),
            (new.to_str().unwrap(), "complaint_officer"),
        ] {
            let out = charter()
                .args([
                    "decide",
                    "--policy",
                    policy,
                    "--now",
                    "2026-01-01T12:00:00+08:00",
                    "-",
                ])
                .write_stdin(example.clone())
                .output()
                .unwrap();
            let decision: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            assert_eq!(decision["route"]["role"], role, "{decision}");
        }
    }

    #[test]
    fn a_duty_added_is_listed_for_hr() {
        let (_dir, new) = office_copy(|text| {
            let text = text.replace(
                "    weight 100%\n    time ad_hoc\n    measure \"涉及多部门",
                "    weight 90%\n    time ad_hoc\n    measure \"涉及多部门",
            );
            text.replace(
                "  authority review \"投诉处理方案\" en \"Remedy plans\"\n",
                "  authority review \"投诉处理方案\" en \"Remedy plans\"\n  duty records \"整理会议记录\" en \"Keep meeting records\" {\n    weight 10%\n  }\n",
            )
        });
        let (text, _, code) = diff(&[OFFICE, new.to_str().unwrap(), "--lang", "en"]);
        assert_eq!(code, 1, "{text}");
        assert!(text.contains("role coordinator: changed"), "{text}");
        assert!(
            text.contains("+ duty records \"整理会议记录\" en \"Keep meeting records\" {"),
            "{text}"
        );
        // A duty's statements stay under it.
        assert!(text.contains("\n  +   weight 10%\n"), "{text}");
        assert!(text.contains("\n  −   weight 100%\n"), "{text}");
        assert!(text.contains("\n  +   weight 90%\n"), "{text}");
    }

    #[test]
    fn an_unknown_version_is_a_usage_error_naming_the_versions() {
        let (_, err, code) = diff(&["policies/ecommerce-after-sales", "--from-version", "2025.9"]);
        assert_eq!(code, 2);
        assert!(
            err.contains("no version `2025.9`; the policy has 2026.1, 2026.2"),
            "{err}"
        );
        let (_, err, code) = diff(&[OFFICE]);
        assert_eq!(code, 2);
        assert!(err.contains("no version before `2026.1`"), "{err}");
    }
}

mod counterfactuals {
    //! Route counterfactuals against brute force: for random route tables and a random case,
    //! every single fact of the case is set to every value of the grid; the case goes to
    //! another role exactly when the new value lies in a reported alternative, and then to
    //! that alternative's role.

    use charter::check::check;
    use charter::decide::{Case, Engine};
    use charter::diff::counterfactuals;
    use charter::render::Lang;
    use charter::syntax::load_text;
    use proptest::prelude::*;

    use super::exact::{condition_for_tests as condition, policy_for_tests as policy};

    /// Each fact and the values the grid gives it (JSON).
    const FACTS: [(&str, &[&str]); 7] = [
        ("category", &["\"billing\"", "\"faults\""]),
        ("channel", &["\"phone\"", "\"web\""]),
        ("severity", &["\"minor\"", "\"normal\"", "\"major\""]),
        ("amount", &["50", "100", "150", "200", "250", "300", "350"]),
        ("vip", &["false", "true"]),
        ("tier", &["\"gold\"", "\"silver\"", "\"bronze\""]),
        ("tags", &["[]", "[\"a\"]"]),
    ];

    fn case(values: &[&str; 7]) -> Case {
        let json = format!(
            r#"{{"id":"c","received_at":"2026-03-02T10:00:00+08:00","channel":{},"category":{},"severity":{},"attributes":{{"amount":{},"vip":{},"tier":{},"tags":{}}}}}"#,
            values[1], values[0], values[2], values[3], values[4], values[5], values[6]
        );
        Case::from_json(&json).unwrap()
    }

    fn engine(text: &str) -> Engine {
        let checked = check(&load_text("p.charter", text));
        assert!(!checked.has_errors(), "{text}");
        Engine::new(checked).unwrap()
    }

    fn role(engine: &Engine, case: &Case) -> Option<String> {
        let d = engine.decide(case, 0).unwrap();
        d.route.and_then(|r| r.role).map(str::to_string)
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn alternatives_are_exactly_the_single_changes_that_move_the_case(
            rules in prop::collection::vec((condition(), 0..3usize), 0..5),
            fallback in prop::option::weighted(0.8, 0..3usize),
            picks in prop::array::uniform7(0..7usize),
        ) {
            let text = policy(true, &rules, fallback);
            let engine = engine(&text);
            let here: [&str; 7] = std::array::from_fn(|f| FACTS[f].1[picks[f] % FACTS[f].1.len()]);
            let the_case = case(&here);
            let decision = engine.decide(&the_case, 0).unwrap();
            let version = &engine.versions()[0];
            let found = counterfactuals(&version.policy, &the_case, &decision, None, Lang::En).unwrap();
            let now = role(&engine, &the_case);
            // Each alternative as a rule of a probe policy.
            let mut probe = policy(true, &[], None);
            probe.truncate(probe.rfind("route {").unwrap());
            probe.push_str("route {\n");
            for (k, a) in found.route.iter().enumerate() {
                prop_assert!(!a.condition.is_empty());
                probe.push_str(&format!("  when {} -> r{k}\n", a.condition));
            }
            probe.push_str("}\n");
            for k in 0..found.route.len() {
                probe.push_str(&format!("role r{k} \"R{k}\" {{}}\n"));
            }
            let probe = engine_of_probe(&probe);
            for (f, (_, values)) in FACTS.iter().enumerate() {
                for value in values.iter().filter(|v| **v != here[f]) {
                    let mut moved = here;
                    moved[f] = value;
                    let moved = case(&moved);
                    let then = role(&engine, &moved);
                    // Alternatives speak of one fact each: only those of this fact count.
                    let hit = role(&probe, &moved)
                        .map(|r| r[1..].parse::<usize>().unwrap())
                        .filter(|&k| found.route[k].condition.contains(FACTS[f].0));
                    match hit {
                        Some(k) => prop_assert_eq!(&then, &found.route[k].role, "{} = {}\n{}", FACTS[f].0, value, text),
                        None => prop_assert_eq!(&then, &now, "{} = {} moves the case, unreported\n{}", FACTS[f].0, value, text),
                    }
                }
            }
        }
    }

    fn engine_of_probe(text: &str) -> Engine {
        engine(text)
    }
}

mod decide_flags {
    //! `charter decide --counterfactuals / --why-not / --explain`, as users run them.

    use assert_cmd::Command;

    const POLICY: &str = "policies/complaint-office";
    const CASE: &str = "examples/cases/complaint-office/accepted-phone.json";
    const NOW: &str = "2026-11-30T12:00:00+08:00";

    fn decide(args: &[&str]) -> std::process::Output {
        Command::cargo_bin("charter")
            .unwrap()
            .args(["decide", "--policy", POLICY, "--now", NOW])
            .args(args)
            .output()
            .unwrap()
    }

    #[test]
    fn a_decision_says_what_would_have_changed_it() {
        let out = decide(&["--counterfactuals", "--why-not", "coordinator", CASE]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let d: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let c = &d["counterfactuals"];
        // C-1001 is major, 1,200 CNY, quality department only: the director's. Lower the
        // severity and the officer takes it; the amount alone never moves it (severity is
        // asked first).
        assert_eq!(
            c["route"],
            serde_json::json!([{"condition": "severity <= normal", "words": "the severity is at most Normal",
                "role": "complaint_officer", "title": "Complaint handling and coordination officer"}])
        );
        // `update` (2 working days) ran out on Wed 25 Nov at close of business; resolved Fri 27.
        assert_eq!(
            c["breached"],
            serde_json::json!([{"target": "update", "latest_stop": "2026-11-25T17:30:00+08:00",
                "stopped_at": "2026-11-27T16:00:00+08:00"}])
        );
        assert_eq!(c["why_not"]["routed_there"], false);
        let rule = &c["why_not"]["rules"][0];
        assert_eq!(rule["line"], 67);
        assert_eq!(
            rule["unmet"][0]["condition"],
            "departments contains \"finance\" or amount > 5000"
        );

        let out = decide(&["--explain", CASE]);
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains("What would have changed it:\n  - if the severity is at most Normal (severity <= normal): routed to Complaint handling and coordination officer (complaint_officer)\n  - update: met had it stopped by 2026-11-25T17:30:00+08:00 (stopped at 2026-11-27T16:00:00+08:00)"), "{text}");
    }

    #[test]
    fn an_unknown_role_is_a_usage_error_that_lists_the_roles() {
        let out = decide(&["--why-not", "nobody", CASE]);
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.contains("the policy has no role `nobody`; its roles are `complaint_officer`, `office_director`, `coordinator`, `general_manager`"), "{err}");
    }

    #[test]
    fn a_batch_carries_them_only_when_asked() {
        let mut case: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(CASE).unwrap()).unwrap();
        let first = case.to_string();
        case["id"] = "C-1001-b".into();
        let line = format!("{first}\n{case}\n");
        let run = |flags: &[&str]| {
            let out = Command::cargo_bin("charter")
                .unwrap()
                .args([
                    "decide", "--no-id", "--policy", POLICY, "--now", NOW, "--batch", "-",
                ])
                .args(flags)
                .write_stdin(line.clone())
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8(out.stdout).unwrap()
        };
        let plain = run(&[]);
        let asked = run(&["--counterfactuals"]);
        for (p, a) in plain.lines().zip(asked.lines()) {
            let (mut p, a): (serde_json::Value, serde_json::Value) = (
                serde_json::from_str(p).unwrap(),
                serde_json::from_str(a).unwrap(),
            );
            assert!(p.get("counterfactuals").is_none());
            assert_eq!(
                a["counterfactuals"]["route"][0]["role"],
                "complaint_officer"
            );
            // Nothing else differs.
            p["counterfactuals"] = a["counterfactuals"].clone();
            assert_eq!(p, a);
        }
    }
}

mod deadlines {
    //! The deadline comparison against brute force: random SLA blocks (conditions, limits,
    //! a block's own calendar) and calendar rules in two versions; a grid of cases is decided
    //! under both, and a case's `acknowledge` deadline differs exactly when it lies in a
    //! reported region of `acknowledge`, whose limits are the case's before and after.

    use charter::check::check;
    use charter::decide::{Case, Engine};
    use charter::diff::{Version, compare};
    use charter::render::Lang;
    use charter::syntax::load_text;
    use proptest::prelude::*;

    use super::exact::condition_for_tests as condition;

    const LIMITS: [&str; 4] = [
        "30 working minutes",
        "2 working hours",
        "1 working day",
        "90 minutes",
    ];

    /// An SLA block: its condition (none: every case), its `acknowledge` limit, whether it
    /// counts on the late calendar.
    type Block = (Option<String>, usize, bool);

    fn policy(blocks: &[Block], late_for: &Option<String>) -> String {
        let mut text = super::exact::policy_for_tests(true, &[], Some(0));
        text.push_str("calendar late \"Late\" { week mon..sat 13:00-21:00 }\n");
        if let Some(cond) = late_for {
            text.push_str(&format!(
                "calendars {{\n  when {cond} -> late\n  otherwise -> office\n}}\n"
            ));
        }
        for (k, (cond, limit, late)) in blocks.iter().enumerate() {
            let when = cond
                .as_ref()
                .map(|c| format!(" when {c}"))
                .unwrap_or_default();
            let on = if *late { " on late" } else { "" };
            text.push_str(&format!(
                "sla s{k} \"S{k}\"{when}{on} {{\n  acknowledge within {}\n}}\n",
                LIMITS[*limit]
            ));
        }
        text
    }

    fn engine(text: &str) -> Engine {
        let checked = check(&load_text("p.charter", text));
        assert!(
            !checked.has_errors(),
            "{text}\n{:?}",
            checked.diagnostics.first()
        );
        Engine::new(checked).unwrap()
    }

    /// The acknowledgement limit and deadline of a case (`None`: the target does not apply).
    fn acknowledge(engine: &Engine, case: &Case) -> Option<(String, i64)> {
        let d = engine.decide(case, 0).unwrap();
        let t = d.targets.iter().find(|t| t.target.name == "acknowledge")?;
        Some((t.target.within.to_string(), t.deadline.unwrap().secs))
    }

    fn blocks() -> impl Strategy<Value = Vec<Block>> {
        prop::collection::vec(
            (
                prop::option::weighted(0.7, condition()),
                0..LIMITS.len(),
                prop::bool::weighted(0.2),
            ),
            0..4,
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 40, failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn reported_regions_are_exactly_the_cases_whose_deadline_moves(
            old_blocks in blocks(),
            new_blocks in blocks(),
            old_late in prop::option::weighted(0.4, condition()),
            new_late in prop::option::weighted(0.4, condition()),
        ) {
            let (old_text, new_text) = (policy(&old_blocks, &old_late), policy(&new_blocks, &new_late));
            let (old_loaded, new_loaded) = (load_text("old.charter", &old_text), load_text("new.charter", &new_text));
            let (old_checked, new_checked) = (check(&old_loaded), check(&new_loaded));
            let diff = compare(
                &Version::of(&old_loaded, &old_checked.versions[0]),
                &Version::of(&new_loaded, &new_checked.versions[0]),
                Lang::En,
            );
            prop_assert!(diff.unsettled.is_empty());
            let mut regions = Vec::new();
            for change in diff.deadlines.iter().filter(|d| d.target == "acknowledge") {
                prop_assert_eq!(change.more, 0);
                // The calendars do not change between the versions: a change is of the limit
                // or of the calendar it counts on.
                prop_assert_ne!(&change.from, &change.to);
                for r in &change.regions {
                    regions.push((
                        change.from.as_ref().map(|l| l.within.clone()),
                        change.to.as_ref().map(|l| l.within.clone()),
                        r.condition.clone(),
                    ));
                }
            }
            let mut probe = super::exact::policy_for_tests(true, &[], None);
            probe.truncate(probe.rfind("route {").unwrap());
            probe.push_str("route {\n");
            for (k, (_, _, cond)) in regions.iter().enumerate() {
                let cond = if cond.is_empty() { "not (vip and not vip)" } else { cond };
                probe.push_str(&format!("  when {cond} -> r{k}\n"));
            }
            probe.push_str("}\n");
            for k in 0..regions.len() {
                probe.push_str(&format!("role r{k} \"R{k}\" {{}}\n"));
            }
            let (old_engine, new_engine, probe_engine) = (engine(&old_text), engine(&new_text), engine(&probe));
            let mut met = vec![false; regions.len()];
            for case in super::exact::grid_for_tests() {
                let (a, b) = (acknowledge(&old_engine, &case), acknowledge(&new_engine, &case));
                let region = probe_engine.decide(&case, 0).unwrap().route
                    .and_then(|r| r.role)
                    .map(|r| r[1..].parse::<usize>().unwrap());
                match region {
                    Some(k) => {
                        met[k] = true;
                        prop_assert_eq!(a.as_ref().map(|x| &x.0), regions[k].0.as_ref(), "{:?}\n{}\n{}", case, old_text, new_text);
                        prop_assert_eq!(b.as_ref().map(|x| &x.0), regions[k].1.as_ref(), "{:?}\n{}\n{}", case, old_text, new_text);
                    }
                    None => prop_assert_eq!(&a, &b, "a case whose deadline moves lies in no reported region: {:?}\n{}\n{}", case, old_text, new_text),
                }
            }
            // The grid meets every region the conditions tell apart: no region is empty.
            prop_assert!(met.iter().all(|m| *m), "an empty region\n{}\n{}", old_text, new_text);
        }
    }
}

mod review {
    //! Cases an independent review found stated falsely, kept true.

    use assert_cmd::Command;

    use crate::support::office_copy;

    const POLICY: &str = "policies/complaint-office";
    const NOW: &str = "2026-11-30T12:00:00+08:00";

    fn counterfactuals(case: &str) -> serde_json::Value {
        let out = Command::cargo_bin("charter")
            .unwrap()
            .args([
                "decide",
                "--policy",
                POLICY,
                "--now",
                NOW,
                "--counterfactuals",
            ])
            .arg(format!("examples/cases/complaint-office/{case}"))
            .output()
            .unwrap();
        let d: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        d["counterfactuals"].clone()
    }

    #[test]
    fn a_recurring_target_is_told_per_breached_cycle() {
        // `update every 2 working days`: a stop in time meets that cycle, not the target.
        let c = counterfactuals("dissatisfied-callback.json");
        let update: Vec<&serde_json::Value> = c["breached"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["target"] == "update")
            .collect();
        assert!(!update.is_empty(), "{c}");
        assert!(update.iter().all(|m| m["cycle"].as_u64().is_some()), "{c}");
    }

    #[test]
    fn a_stage_target_has_no_steps_of_the_sla_ladder() {
        let c = counterfactuals("stages-same-handler.json");
        for r in c["running"].as_array().unwrap() {
            if r["target"].as_str().unwrap().contains('.') {
                assert_eq!(r["steps"], serde_json::json!([]), "{c}");
            }
        }
    }

    #[test]
    fn an_unrouted_case_is_told_which_fact_would_route_it() {
        // C-1005 gives severity but not the amount the second rule asks for.
        let c = counterfactuals("missing-attribute.json");
        assert!(
            c["route"]
                .as_array()
                .unwrap()
                .iter()
                .any(|a| a["condition"] == "severity >= major" && a["role"] == "office_director"),
            "{c}"
        );
    }

    #[test]
    fn a_renamed_attribute_is_unsettled_not_impossible_sets() {
        let (_dir, new) = office_copy(|t| {
            t.replace("attribute amount ", "attribute sum ")
                .replace("amount > 5000", "sum > 5000")
        });
        let out = Command::cargo_bin("charter")
            .unwrap()
            .args(["diff", POLICY, new.to_str().unwrap(), "--format", "json"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        let d: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(d["unsettled"].as_array().unwrap().len(), 2, "{d}");
        for change in d["routing"].as_array().unwrap() {
            for r in change["regions"].as_array().unwrap() {
                let cond = r["condition"].as_str().unwrap();
                assert!(!cond.contains("amount") && !cond.contains("sum"), "{cond}");
            }
        }
    }

    #[test]
    fn a_new_start_event_is_said_and_no_typical_deadline_pretends_it_is_the_same() {
        let (_dir, new) = office_copy(|t| {
            t.replace(
                "  resolve within 5 working days",
                "  resolve within 5 working days from acknowledged",
            )
        });
        let out = Command::cargo_bin("charter")
            .unwrap()
            .args(["diff", POLICY, new.to_str().unwrap(), "--format", "json"])
            .output()
            .unwrap();
        let d: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let resolve = &d["deadlines"][0];
        assert_eq!(resolve["target"], "resolve", "{d}");
        assert_eq!(resolve["from"]["terms"], "from received until resolved");
        assert_eq!(resolve["to"]["terms"], "from acknowledged until resolved");
        assert_eq!(resolve["typical"], serde_json::json!([]));
    }

    #[test]
    fn reordered_severities_are_listed_not_ranged() {
        use charter::check::check;
        use charter::diff::{Version, compare};
        use charter::render::Lang;
        use charter::syntax::load_text;

        let old = super::exact::policy_for_tests(true, &[("vip".to_string(), 1)], Some(0));
        let new = super::exact::policy_for_tests(
            true,
            &[
                ("vip and severity in [minor, normal]".to_string(), 2),
                ("vip".to_string(), 1),
            ],
            Some(0),
        )
        .replace(
            "  minor \"Minor\"\n  normal \"Normal\"\n",
            "  normal \"Normal\"\n  minor \"Minor\"\n",
        );
        assert!(new.contains("  normal \"Normal\"\n  minor"));
        let (a, b) = (
            load_text("old.charter", &old),
            load_text("new.charter", &new),
        );
        let (ca, cb) = (check(&a), check(&b));
        let diff = compare(
            &Version::of(&a, &ca.versions[0]),
            &Version::of(&b, &cb.versions[0]),
            Lang::En,
        );
        // In the new order normal and minor are the two lowest: a range would read
        // "severity <= minor", which in the old order means minor only.
        let condition = &diff.routing[0].regions[0].condition;
        assert_eq!(condition, "severity in [normal, minor] and vip = true");
    }
}
