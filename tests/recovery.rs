//! Syntax error recovery on the shipped policies: a typo on each of several statement lines
//! (not next to each other, several in one declaration or not) costs exactly one diagnostic
//! each, on its own line.

use charter::syntax::{FileId, parse_all};
use proptest::prelude::*;

/// Every `.charter` file of the shipped policies, with its text.
fn policy_files() -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut folders = vec![std::path::PathBuf::from("policies")];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "charter") {
                let text = std::fs::read_to_string(&path).unwrap();
                found.push((path.display().to_string(), text));
            }
        }
    }
    found.sort();
    found
}

/// For each declaration (by the index of its first line), the statement lines inside its
/// block that a typo can go on: inside braces, with no brace of their own, not blank and not
/// a comment.
fn statement_lines(text: &str) -> Vec<Vec<usize>> {
    let mut declarations: Vec<Vec<usize>> = Vec::new();
    let mut depth = 0i32;
    for (n, line) in text.lines().enumerate() {
        let code: String = {
            let mut in_string = false;
            let mut out = String::new();
            for c in line.chars() {
                match c {
                    '"' => in_string = !in_string,
                    '#' if !in_string => break,
                    _ if in_string => {}
                    _ => out.push(c),
                }
            }
            out
        };
        let trimmed = line.trim_start();
        if depth == 0 && !line.starts_with([' ', '#', '}']) && !line.is_empty() {
            declarations.push(Vec::new());
        }
        let braces = code.contains(['{', '}']);
        if depth > 0
            && !braces
            && !trimmed.is_empty()
            && !trimmed.starts_with('#')
            && let Some(lines) = declarations.last_mut()
        {
            lines.push(n);
        }
        depth += code.matches('{').count() as i32 - code.matches('}').count() as i32;
    }
    declarations.retain(|d| !d.is_empty());
    declarations
}

#[test]
fn the_shipped_policies_have_statement_lines_to_break() {
    let files = policy_files();
    assert!(files.len() >= 5);
    let office = files
        .iter()
        .find(|(p, _)| p.contains("complaint-office"))
        .unwrap();
    let declarations = statement_lines(&office.1);
    assert!(declarations.len() >= 10);
    assert!(declarations.iter().any(|d| d.len() >= 5));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn each_broken_line_is_one_error_on_its_line(
        file in 0usize..64,
        picks in proptest::collection::vec(any::<prop::sample::Index>(), 1..8),
    ) {
        let files = policy_files();
        let (path, text) = &files[file % files.len()];
        let eligible: Vec<usize> = statement_lines(text).concat();
        prop_assume!(!eligible.is_empty());
        // Lines not next to each other: a statement written over two lines is one statement.
        let mut broken: Vec<usize> = Vec::new();
        for pick in picks {
            let line = eligible[pick.index(eligible.len())];
            if broken.iter().all(|&b| b.abs_diff(line) >= 2) {
                broken.push(line);
            }
        }
        broken.sort_unstable();
        let lines: Vec<String> = (text.lines().enumerate())
            .map(|(n, line)| {
                if broken.contains(&n) {
                    let indent = line.len() - line.trim_start().len();
                    format!("{}@{}", &line[..indent], &line[indent..])
                } else {
                    line.to_string()
                }
            })
            .collect();
        let edited = lines.join("\n");
        let parsed = parse_all(FileId(0), &edited);
        let mut error_lines: Vec<usize> = (parsed.errors.iter())
            .map(|e| edited[..e.span().start as usize].matches('\n').count())
            .collect();
        error_lines.sort_unstable();
        prop_assert_eq!(&error_lines, &broken, "{} with a typo on lines {:?}: {:?}", path, broken, parsed.errors);
        // What did not break is still there.
        prop_assert!(!parsed.file.items.is_empty());
    }
}
