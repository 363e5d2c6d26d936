//! The policy analysis: one fixture per finding kind (its first line names the code it must
//! produce), snapshots of the rendered findings, and no findings on the shipped policies.

use std::path::PathBuf;

use charter::analyse::lint;
use charter::check::check;
use charter::syntax::load;

#[test]
fn each_fixture_produces_its_finding() {
    let mut files: Vec<PathBuf> = std::fs::read_dir("tests/fixtures/lint")
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert_eq!(files.len(), 8, "one fixture per finding kind");
    for file in files {
        let loaded = load(&file);
        let checked = check(&loaded);
        assert!(!checked.has_errors(), "{} does not compile", file.display());
        let findings: Vec<_> = checked.versions.iter().flat_map(lint).collect();
        let text = std::fs::read_to_string(&file).unwrap();
        let code = &text[2..7];
        assert_eq!(
            findings.iter().map(|d| d.kind.code()).collect::<Vec<_>>(),
            [code],
            "{}",
            file.display()
        );
        let rendered: Vec<String> = findings.iter().map(|d| d.render(&loaded.sources)).collect();
        let stem = file.file_stem().unwrap().to_str().unwrap().to_string();
        insta::assert_snapshot!(format!("lint__{stem}"), rendered.join("\n"));
    }
}

#[test]
fn shipped_policies_have_no_findings() {
    for path in crate::language::shipped_policies() {
        let loaded = load(&path);
        let checked = check(&loaded);
        for version in &checked.versions {
            let findings = lint(version);
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
