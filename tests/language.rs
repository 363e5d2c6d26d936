//! The language front end over fixture folders: every `err` fixture's rendered diagnostics are
//! snapshotted, every `ok` fixture and every shipped policy compiles without errors.

use std::path::{Path, PathBuf};

use charter::check::check;
use charter::syntax::{load, load_text};

/// The path of a fixture relative to the crate root, so snapshots do not hold absolute paths.
fn relative(path: &Path) -> PathBuf {
    path.strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .unwrap_or(path)
        .to_path_buf()
}

fn diagnostics(path: &Path) -> (String, usize) {
    let loaded = load(&relative(path));
    let checked = check(&loaded);
    let errors = checked.diagnostics.iter().filter(|d| d.is_error()).count();
    let rendered: Vec<String> = checked
        .diagnostics
        .iter()
        .map(|d| d.render(&loaded.sources))
        .collect();
    (
        rendered.join("\n"),
        errors + checked.diagnostics.len() - errors,
    )
}

#[test]
fn syntax_errors() {
    insta::glob!("fixtures/syntax/err/*.charter", |path| {
        let (rendered, count) = diagnostics(path);
        assert!(count > 0, "{} should not parse", path.display());
        insta::assert_snapshot!(rendered);
    });
}

#[test]
fn check_errors() {
    insta::glob!("fixtures/check/err/*.charter", |path| {
        let (rendered, count) = diagnostics(path);
        assert!(count > 0, "{} should have diagnostics", path.display());
        insta::assert_snapshot!(rendered);
    });
}

#[test]
fn ok_fixtures_compile_cleanly() {
    insta::glob!("fixtures/{syntax,check}/ok/*.charter", |path| {
        let (rendered, count) = diagnostics(path);
        assert_eq!(count, 0, "{}:\n{rendered}", path.display());
    });
}

/// Every policy folder and file under `policies/`.
pub fn shipped_policies() -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir("policies")
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    found.sort();
    found
}

#[test]
fn every_shipped_policy_compiles_without_diagnostics() {
    let policies = shipped_policies();
    assert!(
        policies.len() >= 5,
        "policies/ should hold four policies and the calendars"
    );
    for path in policies {
        let loaded = load(&path);
        let checked = check(&loaded);
        let rendered: Vec<String> = checked
            .diagnostics
            .iter()
            .map(|d| d.render(&loaded.sources))
            .collect();
        assert!(
            checked.diagnostics.is_empty(),
            "{}:\n{}",
            path.display(),
            rendered.join("\n")
        );
        if path.is_dir() && !path.ends_with("calendars") {
            let expected = if path.ends_with("ecommerce-after-sales") {
                2
            } else {
                1
            };
            assert_eq!(checked.versions.len(), expected, "{}", path.display());
        }
    }
}

#[test]
fn every_error_kind_has_a_fixture_or_a_cli_test() {
    use charter::diagnostic::Kind;
    // Kinds that need the file system (unreadable files, non-UTF-8, empty folders) are covered
    // by the CLI tests; the rest must appear in some fixture's snapshot.
    let needed = [
        Kind::Syntax,
        Kind::InvalidLiteral,
        Kind::UnknownName,
        Kind::Duplicate,
        Kind::Missing,
        Kind::UnknownTimezone,
        Kind::BadHours,
        Kind::ReversedRange,
        Kind::OutOfRange,
        Kind::BadPercent,
        Kind::WeightSum,
        Kind::Cycle,
        Kind::TypeMismatch,
        Kind::BadComparison,
        Kind::BadEscalation,
        Kind::Repeated,
        Kind::BadImport,
    ];
    let mut seen = std::collections::HashSet::new();
    for dir in ["tests/fixtures/syntax/err", "tests/fixtures/check/err"] {
        for entry in std::fs::read_dir(dir).unwrap() {
            let loaded = load(&entry.unwrap().path());
            seen.extend(check(&loaded).diagnostics.iter().map(|d| d.kind));
        }
    }
    for kind in needed {
        assert!(
            seen.contains(&kind),
            "no fixture produces {kind:?} ({})",
            kind.code()
        );
    }
}

/// Nesting is bounded: a condition at the limit (parentheses, or `not`s in a row) compiles,
/// lints, renders, decides and formats on a thread with the 2 MiB stack of a service worker; one level more
/// is a single syntax error at the place, never a stack overflow.
#[test]
fn nesting_is_bounded_with_a_clear_error() {
    use charter::syntax::MAX_DEPTH;
    let policy = |condition: String| {
        format!(
            "policy t \"T\" {{ version \"1\" timezone \"Asia/Shanghai\" }}\nchannel phone\ncategory billing\nattribute vip {{ type bool }}\nrole a \"A\" {{}}\nroute {{\n  when {condition} -> a\n  otherwise -> a\n}}\n"
        )
    };
    // The route block is one level.
    let parens = |n: usize| format!("{}vip{}", "(".repeat(n), ")".repeat(n));
    let nots = |n: usize| format!("{}vip", "not ".repeat(n));
    for (what, at_limit, past) in [
        ("parentheses", parens(MAX_DEPTH - 1), parens(MAX_DEPTH)),
        ("nots", nots(MAX_DEPTH - 1), nots(MAX_DEPTH)),
    ] {
        let (ok, past) = (policy(at_limit), policy(past));
        let outcome = std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || {
                let loaded = load_text("deep.charter", &ok);
                let checked = check(&loaded);
                let clean = !checked.has_errors();
                for policy in &checked.versions {
                    let _ = charter::analyse::lint(policy);
                    for lang in [charter::render::Lang::Zh, charter::render::Lang::En] {
                        let _ = charter::render::procedure(policy, None, lang).to_markdown();
                    }
                }
                let formatted = charter::format::format_text(&ok).is_ok();
                let engine = charter::decide::Engine::new(checked).is_ok();
                let loaded = load_text("deep.charter", &past);
                let errors: Vec<String> = check(&loaded)
                    .diagnostics
                    .iter()
                    .map(|d| d.render(&loaded.sources))
                    .collect();
                (clean, formatted, engine, errors)
            })
            .unwrap()
            .join()
            .unwrap();
        assert!(
            outcome.0 && outcome.1 && outcome.2,
            "{what} at the limit: {outcome:?}"
        );
        assert_eq!(outcome.3.len(), 1, "{what}: {:?}", outcome.3);
        assert!(
            outcome.3[0].contains("nested more than 256 levels deep")
                && outcome.3[0].contains("deep.charter:7:"),
            "{what}: {}",
            outcome.3[0]
        );
    }
}

/// Imports are confined: only `.charter` files under the folder that holds the policy's
/// folder are read (links followed); anything else is an error naming the path that shows
/// nothing of the file.
#[test]
fn imports_stay_inside_the_import_root() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("policies");
    let policy = root.join("office");
    std::fs::create_dir_all(&policy).unwrap();
    std::fs::create_dir_all(root.join("calendars")).unwrap();
    std::fs::write(
        root.join("calendars/shared.charter"),
        "calendar shared { timezone \"Asia/Shanghai\" }\n",
    )
    .unwrap();
    let secret = dir.path().join("secret.charter");
    std::fs::write(&secret, "TOP SECRET TEXT\n").unwrap();
    std::os::unix::fs::symlink(&secret, root.join("calendars/link.charter")).unwrap();
    std::os::unix::fs::symlink("/etc/hostname", root.join("calendars/host.charter")).unwrap();
    let check_with = |import: &str| {
        std::fs::write(
            policy.join("policy.charter"),
            format!("import \"{import}\"\npolicy t \"T\" {{ version \"1\" timezone \"Asia/Shanghai\" }}\n"),
        )
        .unwrap();
        let loaded = load(&policy);
        let checked = check(&loaded);
        checked
            .diagnostics
            .iter()
            .chain(&loaded.diagnostics)
            .map(|d| d.render(&loaded.sources))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(check_with("../calendars/shared.charter"), "");
    for (import, why) in [
        ("/etc/passwd", "only `.charter` files can be imported"),
        ("/dev/zero", "only `.charter` files can be imported"),
        ("../../secret.charter", "it is outside"),
        ("../calendars/link.charter", "it is outside"),
        (
            "../calendars/host.charter",
            "only `.charter` files can be imported",
        ),
    ] {
        let out = check_with(import);
        assert!(
            out.contains("E0020") && out.contains(why),
            "{import}: {out}"
        );
        assert!(
            !out.contains("SECRET") && !out.contains("root:"),
            "{import} shows content: {out}"
        );
    }
    // An import of nothing is an error, never skipped.
    let out = check_with("");
    assert!(
        out.contains("an import names a `.charter` file, and this names none"),
        "{out}"
    );
}

/// Nothing the language accepts is ignored: in each shipped policy (and the shared calendar),
/// deleting any one statement line (or, for one that may state a default, changing its
/// value) either makes the policy fail to check, or changes the compiled policy. A statement that parses and checks but leaves the compiled policy as it
/// was would be a clause charter silently ignores. (Whether deciding then uses each field is
/// specified construct by construct in tests/rules.rs.)
#[test]
fn every_statement_of_the_shipped_policies_has_an_effect() {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            if entry.path().extension().is_some_and(|e| e == "charter") {
                std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
            }
        }
    }
    let compiled = |folder: &Path| -> Option<String> {
        let checked = check(&load(folder));
        (!checked.has_errors()).then(|| serde_json::to_string(&checked.versions).unwrap())
    };
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    copy(Path::new("policies/calendars"), &root.join("calendars"));
    let mut ignored = Vec::new();
    let mut tried = 0;
    for policy in [
        "complaint-office",
        "led-maker",
        "renovation",
        "ecommerce-after-sales",
    ] {
        let folder = root.join(policy);
        copy(&Path::new("policies").join(policy), &folder);
        let baseline = compiled(&folder).expect("the shipped policy checks");
        let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "charter"))
            .collect();
        files.push(root.join("calendars/cn-2026.charter"));
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            let lines: Vec<&str> = text.lines().collect();
            for (i, line) in lines.iter().enumerate() {
                let t = line.trim();
                // Statements only: not blank lines, comments, braces or block openings.
                if t.is_empty()
                    || t.starts_with('#')
                    || t == "}"
                    || t.ends_with('{')
                    || t.starts_with("import")
                {
                    continue;
                }
                // A statement that may state the default is changed to another value instead.
                let indent = &line[..line.len() - line.trim_start().len()];
                let variant = if t.starts_with("locale ") {
                    Some("locale \"en-US\"")
                } else if t.starts_with("at_risk ") {
                    Some("at_risk 51%")
                } else if t == "fallback allowed" {
                    Some("fallback forbidden")
                } else if t == "via original" {
                    Some("via phone")
                } else if t.starts_with("timezone ") {
                    Some("timezone \"Europe/Berlin\"")
                } else {
                    None
                };
                let mut cut: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
                match variant {
                    Some(v) => cut[i] = format!("{indent}{v}"),
                    None => {
                        cut.remove(i);
                    }
                }
                std::fs::write(&file, cut.join("\n") + "\n").unwrap();
                tried += 1;
                if compiled(&folder).as_deref() == Some(baseline.as_str()) {
                    ignored.push(format!("{}:{}: {t}", file.display(), i + 1));
                }
            }
            std::fs::write(&file, &text).unwrap();
        }
    }
    assert!(tried > 500, "only {tried} statements tried");
    assert!(
        ignored.is_empty(),
        "statements whose removal changes nothing:\n{}",
        ignored.join("\n")
    );
}

#[cfg(unix)]
#[test]
fn a_link_back_up_the_policy_folder_is_not_followed() {
    let (_dir, folder) = crate::support::office_copy(|t| t);
    // office/loop -> office: following it would never end.
    std::os::unix::fs::symlink(&folder, folder.join("loop")).unwrap();
    let loaded = load(&folder);
    let checked = check(&loaded);
    assert!(!checked.has_errors(), "{:?}", checked.diagnostics);
    // The policy file once, and the calendar it imports.
    assert_eq!(loaded.files.len(), 2);
}
