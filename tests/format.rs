//! The formatter: idempotent, comment-preserving, and meaning-preserving (the compiled policy
//! serializes identically before and after), and no input makes the front end panic.

use charter::check::check;
use charter::format::format_text;
use charter::syntax::{comments, load_text};
use proptest::prelude::*;

fn shipped_files() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for dir in [
        "policies/complaint-office",
        "policies/led-maker",
        "policies/renovation",
        "policies/ecommerce-after-sales",
        "policies/calendars",
    ] {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            // Policy files only: test suites (`*.test.toml`) live beside them.
            if path.extension().is_none_or(|e| e != "charter") {
                continue;
            }
            out.push((
                path.display().to_string(),
                std::fs::read_to_string(&path).unwrap(),
            ));
        }
    }
    out
}

/// What a text means: its compiled versions and its diagnostics' messages, without spans.
/// (A single file is read alone, so an import shows up as the same unknown-calendar error on
/// both sides; the comparison still covers everything else.)
fn meaning(name: &str, text: &str) -> String {
    let checked = check(&load_text(name, text));
    let messages: Vec<&str> = checked
        .diagnostics
        .iter()
        .map(|d| d.message.as_str())
        .collect();
    format!(
        "{}\n{messages:?}",
        serde_json::to_string(&checked.versions).unwrap()
    )
}

#[test]
fn meaning_sees_a_changed_deadline() {
    let a = "policy p { version \"1\" timezone \"UTC\" calendar c }\ncalendar c { week mon 09:00-17:00 }\nsla s { resolve within 5 working days }\n";
    assert_eq!(meaning("a", a), meaning("a", &a.replace("  ", " ")));
    assert_ne!(
        meaning("a", a),
        meaning("a", &a.replace("5 working", "6 working"))
    );
}

#[test]
fn shipped_policies_are_formatted_and_formatting_is_idempotent() {
    for (name, text) in shipped_files() {
        let once = format_text(&text).unwrap();
        assert_eq!(
            once, text,
            "{name} is not in canonical layout: run `charter fmt policies`"
        );
        assert_eq!(
            format_text(&once).unwrap(),
            once,
            "{name}: formatting twice changes it"
        );
    }
}

/// A report's own calendar and its `if_closed` rule survive formatting, and reach the
/// compiled policy.
#[test]
fn report_calendar_and_if_closed_round_trip() {
    let text = "policy p {\n  version \"1\"\n  timezone \"UTC\"\n}\n\ncalendar office {\n  week mon..fri 09:00-17:00\n}\n\ncalendar online {\n  week mon..sun 09:00-22:00\n}\n\nrole gm \"GM\" {\n}\n\nreport weekly {\n  every week on monday before 10:00 on office\n  covering previous week\n  to gm\n  if_closed previous\n}\n";
    assert_eq!(format_text(text).unwrap(), text);
    let messy = "policy p{version \"1\" timezone \"UTC\"}\ncalendar office{week mon..fri 09:00-17:00}\ncalendar online{week mon..sun 09:00-22:00}\nrole gm \"GM\"{}\nreport weekly{every week on monday before 10:00   on\toffice;covering previous week to gm if_closed   previous}\n";
    let formatted = format_text(messy).unwrap();
    assert_eq!(formatted, text);
    assert_eq!(meaning("a", messy), meaning("a", text));
    assert!(meaning("a", text).contains(r#""calendar":0,"if_closed":"previous""#));
    for (from, to) in [
        ("if_closed previous", "if_closed keep"),
        ("if_closed previous", "if_closed next"),
        ("on office", "on online"),
    ] {
        assert_ne!(
            meaning("a", text),
            meaning("a", &text.replace(from, to)),
            "{to}"
        );
    }
}

#[test]
fn formatting_keeps_every_comment() {
    let text = "# head\npolicy p { # after brace\n  version \"1\" # trailing\n  # own line\n  timezone \"UTC\"\n} # after close\n\n# before category\ncategory a # on category\n# at the end\n";
    let formatted = format_text(text).unwrap();
    let before: Vec<String> = comments(text).into_iter().map(|c| c.text).collect();
    let after: Vec<String> = comments(&formatted).into_iter().map(|c| c.text).collect();
    assert_eq!(before, after, "{formatted}");
    assert_eq!(format_text(&formatted).unwrap(), formatted);
}

#[test]
fn formatting_normalises_layout() {
    let messy = "policy p{version \"1\";timezone \"UTC\"}\ncategory  a   \"甲\"  en \"A\"\n\n\n\ncategory b\nrole r{duty d \"D\"{weight 100%   owns s}}\nprocedure x{step s}\nroute{when category=a and(severity>=hi or not vip)->r otherwise->r}\n";
    insta::assert_snapshot!(format_text(messy).unwrap());
}

/// Rewrites the white space of `text` between tokens without changing its meaning or its
/// blank lines: spaces become several spaces, tabs, or a line break (where no comment follows
/// on the line), line starts get other indentation, and line breaks are any of the three an
/// editor writes (LF, CR LF, a lone CR).
fn perturb(text: &str, seed: &[u8]) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    let mut in_string = false;
    let mut in_comment = false;
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let choice = seed[i % seed.len()] % 4;
        let newline = match ["\n", "\r\n", "\r"][usize::from(seed[(i + 1) % seed.len()] % 3)] {
            // A lone CR then an LF would be one CR LF break, not two.
            "\n" if out.ends_with('\r') => "\r\n",
            newline => newline,
        };
        match c {
            '"' if !in_comment => in_string = !in_string,
            '#' if !in_string => in_comment = true,
            '\n' => in_comment = false,
            _ => {}
        }
        let comment_follows = chars[i..]
            .iter()
            .take_while(|&&x| x != '\n')
            .any(|&x| x == '#');
        match c {
            ' ' if !in_string && !in_comment => match choice {
                0 => out.push_str("   "),
                1 => out.push('\t'),
                2 if !comment_follows && i > 0 && !chars[i - 1].is_whitespace() => {
                    out.push_str(newline);
                    out.push_str("    ")
                }
                _ => out.push(' '),
            },
            '\n' if !in_string => {
                out.push_str(newline);
                if choice == 0 {
                    out.push_str("      ");
                }
            }
            _ => out.push(c),
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn reformatting_perturbed_policies_restores_layout_and_meaning(seed in proptest::collection::vec(any::<u8>(), 1..64), which in 0usize..5) {
        let files = shipped_files();
        let (name, text) = &files[which % files.len()];
        let messy = perturb(text, &seed);
        let formatted = format_text(&messy).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        prop_assert_eq!(&formatted, text);
        prop_assert_eq!(meaning(name, &messy), meaning(name, text));
    }

    #[test]
    fn random_text_never_panics(text in "\\PC{0,200}") {
        let loaded = load_text("random.charter", &text);
        let _ = check(&loaded);
        let _ = format_text(&text);
    }

    #[test]
    fn mutated_policies_never_panic(cut in 0usize..20_000, len in 0usize..40, insert in "[ -~{}\"#\n]{0,8}", which in 0usize..5) {
        let files = shipped_files();
        let (_, text) = &files[which % files.len()];
        let mut chars: Vec<char> = text.chars().collect();
        let at = cut % chars.len().max(1);
        let end = (at + len).min(chars.len());
        chars.splice(at..end, insert.chars());
        let mutated: String = chars.into_iter().collect();
        let loaded = load_text("mutated.charter", &mutated);
        let checked = check(&loaded);
        if let Ok(formatted) = format_text(&mutated) {
            // Whatever parses formats idempotently.
            prop_assert_eq!(format_text(&formatted).ok(), Some(formatted));
        }
        let _ = checked;
    }
}

/// Inputs the fuzzer (`fuzz/`, target `check`) found to break formatting; each must format
/// to a fixed point.
#[test]
fn fuzzer_findings_format_idempotently() {
    for entry in std::fs::read_dir("tests/fixtures/fuzz").unwrap() {
        let path = entry.unwrap().path();
        let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
        if let Ok(once) = charter::format::format_text(&text) {
            let twice = charter::format::format_text(&once).unwrap();
            assert_eq!(once, twice, "{}", path.display());
        }
    }
}
