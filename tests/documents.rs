//! Documents: Markdown snapshots of every role, procedure and org chart of the shipped
//! policies in Chinese and English (each read before accepting), templates, the Word files read
//! back, and, when LibreOffice and Chromium are installed (`.ci/run` installs them), a PDF of
//! the Word file and a PNG and PDF of the HTML without console errors.

use std::path::PathBuf;

use assert_cmd::Command as Cmd;
use predicates::prelude::*;

const POLICIES: [&str; 4] = [
    "complaint-office",
    "ecommerce-after-sales",
    "led-maker",
    "renovation",
];

fn charter() -> Cmd {
    Cmd::cargo_bin("charter").unwrap()
}

fn doc(args: &[&str]) -> String {
    let out = charter()
        .arg("doc")
        .args(args)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out).unwrap()
}

#[test]
fn every_role_procedure_and_org_chart_in_both_languages() {
    for policy in POLICIES {
        let path = format!("policies/{policy}");
        for lang in ["zh", "en"] {
            let roles = doc(&["role", "--all", "--policy", &path, "--lang", lang]);
            insta::assert_snapshot!(format!("{policy}__roles__{lang}"), roles);
            let procedure = doc(&["procedure", "--policy", &path, "--lang", lang]);
            insta::assert_snapshot!(format!("{policy}__procedure__{lang}"), procedure);
            let org = doc(&["org-chart", "--policy", &path, "--lang", lang]);
            insta::assert_snapshot!(format!("{policy}__org_chart__{lang}"), org);
        }
    }
}

/// Conditions in words keep their grouping: an alternative inside a conjunction is bracketed,
/// and simple alternatives are joined with a comma in Chinese and a plain "or" in English.
#[test]
fn conditions_in_words_keep_their_grouping() {
    let text = std::fs::read_to_string("tests/fixtures/lint/impossible_separation.charter")
        .unwrap()
        .replace(
            "when severity = major -> manager",
            "when (category = billing or channel = web) and severity = major -> manager\n  when severity = minor or category = billing -> officer",
        );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("p.charter");
    std::fs::write(&file, text).unwrap();
    let path = file.to_str().unwrap();
    let en = doc(&["procedure", "--policy", path, "--lang", "en"]);
    assert!(
        en.contains("(the category is Billing or the channel is Web) and the severity is Major"),
        "{en}"
    );
    assert!(
        en.contains("the severity is Minor or the category is Billing"),
        "{en}"
    );
    let zh = doc(&["procedure", "--policy", path, "--lang", "zh"]);
    assert!(
        zh.contains("（类别为Billing，或渠道为Web），且严重程度为Major"),
        "{zh}"
    );
}

/// The RACI matrix of every shipped procedure names exactly one accountable role per step,
/// and at least one responsible one.
#[test]
fn every_raci_row_has_one_accountable_role() {
    for policy in POLICIES {
        let path = format!("policies/{policy}");
        let procedure = doc(&["procedure", "--policy", &path, "--lang", "en"]);
        let matrix = (procedure.split("### Responsibility matrix (RACI)").nth(1))
            .unwrap_or_else(|| panic!("{policy}: no RACI matrix"));
        let rows: Vec<&str> = (matrix.lines())
            .skip_while(|l| !l.starts_with("| ---"))
            .skip(1)
            .take_while(|l| l.starts_with('|'))
            .collect();
        assert!(!rows.is_empty(), "{policy}: an empty RACI matrix");
        for row in rows {
            let cells: Vec<&str> = row.split('|').map(str::trim).collect();
            let marks = &cells[2..cells.len() - 1];
            let a = marks.iter().filter(|c| c.contains('A')).count();
            let r = marks.iter().filter(|c| c.contains('R')).count();
            assert_eq!(a, 1, "{policy}: {row}");
            assert!(r >= 1, "{policy}: {row}");
        }
    }
}

/// Chinese typography in every Chinese document of every shipped policy: full-width
/// punctuation beside Chinese text (，；：？！（）), no space between two Chinese characters,
/// and one kind of quotation marks (“”: no straight quotes beside Chinese, no 「」). The
/// Mermaid code of the charts is markup, not text, and is left out.
#[test]
fn chinese_typography_in_every_chinese_document() {
    let chinese =
        |c: char| ('\u{3400}'..='\u{9fff}').contains(&c) || ('\u{f900}'..='\u{faff}').contains(&c);
    let mut faults = Vec::new();
    for policy in POLICIES {
        let path = format!("policies/{policy}");
        for kind in [&["role", "--all"][..], &["procedure"], &["org-chart"]] {
            let mut args = kind.to_vec();
            args.extend(["--policy", &path, "--lang", "zh"]);
            let md = doc(&args);
            let mut in_chart = false;
            for line in md.lines() {
                if line.starts_with("```") {
                    in_chart = !in_chart;
                    continue;
                }
                if in_chart {
                    continue;
                }
                let chars: Vec<char> = line.chars().collect();
                let mut fault = |what: &str, at: usize| {
                    let from = at.saturating_sub(6);
                    let to = (at + 6).min(chars.len());
                    let around: String = chars[from..to].iter().collect();
                    faults.push(format!("{policy} {}: {what}: …{around}…", kind[0]));
                };
                for (i, &c) in chars.iter().enumerate() {
                    let before = i.checked_sub(1).map(|j| chars[j]);
                    let after = chars.get(i + 1).copied();
                    let beside_chinese = before.is_some_and(chinese) || after.is_some_and(chinese);
                    if ",;:?!()".contains(c) && beside_chinese {
                        fault("half-width punctuation beside Chinese", i);
                    }
                    if c == '"' && beside_chinese {
                        fault("straight quote beside Chinese", i);
                    }
                    if "「」".contains(c) {
                        fault("corner quotes where the documents use “”", i);
                    }
                    if c == ' ' && before.is_some_and(chinese) {
                        let next = chars[i..].iter().find(|c| **c != ' ');
                        if next.is_some_and(|n| chinese(*n)) {
                            fault("a space between Chinese characters", i);
                        }
                    }
                }
            }
        }
    }
    assert!(faults.is_empty(), "{}", faults.join("\n"));
}

/// The revision record lists every version of the policy up to the one documented, with what
/// each changed; the control table names the organisation, number, version and date.
#[test]
fn revision_record_follows_the_versions() {
    let path = "policies/ecommerce-after-sales";
    let latest = doc(&["procedure", "--policy", path]);
    assert!(latest.contains("| 某某电子商务有限公司 | EC-SOP-001 | 2026.2 | 2026年10月1日 |"));
    assert!(
        latest.contains("| 2026.1 | 2026年1月1日 | 首次发布 |"),
        "{latest}"
    );
    assert!(
        latest.contains("| 2026.2 | 2026年10月1日 | 首次响应时限缩短"),
        "{latest}"
    );
    let first = doc(&["procedure", "--policy", path, "--version", "2026.1"]);
    assert!(
        first.contains("| 2026.1 | 2026年1月1日 | 首次发布 |"),
        "{first}"
    );
    assert!(!first.contains("| 2026.2 |"), "{first}");
    let role = doc(&[
        "role",
        "--policy",
        path,
        "after_sales_agent",
        "--lang",
        "en",
    ]);
    assert!(role.contains("| 2026.2 | 2026-10-01 | First response within 15 working minutes"));
    assert!(
        role.contains("| Prepared by | Reviewed by | Approved by |"),
        "{role}"
    );
}

/// A document and the policy agree: every role routed complaints lists the route's condition,
/// and every procedure step appears with its owner in the procedure's step table.
#[test]
fn documents_follow_the_policy() {
    let md = doc(&[
        "role",
        "--policy",
        "policies/complaint-office",
        "coordinator",
    ]);
    assert!(
        md.contains("涉及部门包含“财务部”，或涉及金额超过5,000"),
        "{md}"
    );
    // Editing the policy changes the document: a copy with another condition.
    let (_dir, office) =
        crate::support::office_copy(|t| t.replace("amount > 5000", "amount > 8000"));
    let md = doc(&["role", "--policy", office.to_str().unwrap(), "coordinator"]);
    assert!(
        md.contains("涉及金额超过8,000") && !md.contains("涉及金额超过5,000"),
        "{md}"
    );
}

#[test]
fn templates_replace_the_built_in_layout() {
    let dir = tempfile::tempdir().unwrap();
    let template = dir.path().join("brief.md.j2");
    std::fs::write(
        &template,
        "TITLE: {{ title }}\n{% for b in blocks if b.kind == \"heading\" %}- {{ b.text }}\n{% endfor %}",
    )
    .unwrap();
    let out = doc(&[
        "role",
        "--policy",
        "policies/complaint-office",
        "office_director",
        "--template",
        template.to_str().unwrap(),
    ]);
    assert!(
        out.starts_with("TITLE: 职位说明书：投诉办主任\n- 一、基本信息\n"),
        "{out}"
    );
    // An HTML template escapes values.
    std::fs::write(&template, "<p>{{ title }}</p>{{ '<b>' }}").unwrap();
    let out = doc(&[
        "org-chart",
        "--policy",
        "policies/complaint-office",
        "--format",
        "html",
        "--template",
        template.to_str().unwrap(),
    ]);
    assert!(out.contains("&lt;b&gt;"), "{out}");
    // A broken template names its file and line.
    std::fs::write(&template, "ok\n{% for x in %}\n").unwrap();
    charter()
        .args([
            "doc",
            "org-chart",
            "--policy",
            "policies/complaint-office",
            "--template",
        ])
        .arg(&template)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("brief.md.j2:2:"));
    // Unknown role: a suggestion.
    charter()
        .args([
            "doc",
            "role",
            "--policy",
            "policies/complaint-office",
            "office_directr",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean `office_director`?"));
}

#[test]
fn html_is_self_contained() {
    let html = doc(&[
        "procedure",
        "--policy",
        "policies/complaint-office",
        "--format",
        "html",
    ]);
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<svg") && html.contains("size: A4"));
    // Printed pages carry the running header and "page X of Y" (CSS paged media).
    assert!(
        html.contains(r#"@top-center { content: "某某服务有限公司　CO-QP-001　版本 2026.1""#),
        "{html}"
    );
    assert!(html.contains(r#"content: "第 " counter(page) " 页 共 " counter(pages) " 页""#));
    // The revision record and the sign-off block print on one page.
    let together = html
        .split(r#"<div class="together">"#)
        .nth(1)
        .expect("a block kept together");
    let together = together.split("</div>").next().unwrap();
    assert!(together.contains("<h2>修订记录</h2>") && together.contains("<h2>编制与审批</h2>"));
    assert!(html.contains(".together { break-inside: avoid; }"));
    assert!(
        !html.contains("<script") && !html.contains("src=\"http") && !html.contains("href=\"http")
    );
    let all = doc(&[
        "role",
        "--all",
        "--policy",
        "policies/led-maker",
        "--format",
        "html",
    ]);
    assert_eq!(
        all.matches("class=\"page-break\"").count(),
        9,
        "a page break between 10 roles"
    );
}

#[cfg(feature = "docx")]
mod word {
    use std::path::Path;
    use std::process::Command;

    use super::*;

    /// Every paragraph's style and text, and every table cell's text, as read back by docx-rs.
    fn read_back(path: &Path) -> serde_json::Value {
        let bytes = std::fs::read(path).unwrap();
        let docx = docx_rs::read_docx(&bytes).unwrap();
        serde_json::from_str(&docx.json()).unwrap()
    }

    #[test]
    fn word_files_have_headings_tables_and_chinese_text() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("roles.docx");
        charter()
            .args([
                "doc",
                "role",
                "--all",
                "--policy",
                "policies/complaint-office",
                "--format",
                "docx",
                "--force",
                "-o",
            ])
            .arg(&file)
            .assert()
            .success();
        let json = read_back(&file);
        let text = json.to_string();
        let children = json["document"]["children"].as_array().unwrap();
        let headings = children
            .iter()
            .filter(|c| {
                c["data"]["property"]["style"]
                    .as_str()
                    .is_some_and(|s| s.starts_with("Heading"))
            })
            .count();
        let tables = children.iter().filter(|c| c["type"] == "table").count();
        let breaks = text.matches("\"breakType\":\"page\"").count();
        assert!(headings >= 4 * 14, "{headings} headings");
        assert!(tables >= 4 * 3, "{tables} tables");
        assert_eq!(breaks, 3, "a page break between 4 roles");
        for chinese in [
            "职位说明书：投诉办主任",
            "一、基本信息",
            "投诉处理与协调岗",
            "赔偿",
        ] {
            assert!(text.contains(chinese), "no {chinese}");
        }
        // One file per role into a folder.
        let folder = dir.path().join("roles");
        std::fs::create_dir_all(&folder).unwrap();
        charter()
            .args([
                "doc",
                "role",
                "--all",
                "--policy",
                "policies/led-maker",
                "--format",
                "docx",
                "--force",
                "-o",
            ])
            .arg(&folder)
            .assert()
            .success();
        assert_eq!(std::fs::read_dir(&folder).unwrap().count(), 10);
        libreoffice_converts(&file);
    }

    /// One part of a .docx (a zip) as text.
    fn part(docx: &Path, name: &str) -> String {
        let file = std::fs::File::open(docx).unwrap();
        let mut archive = zip::ZipArchive::new(file).unwrap();
        let mut text = String::new();
        std::io::Read::read_to_string(&mut archive.by_name(name).unwrap(), &mut text).unwrap();
        text
    }

    fn write_docx(dir: &Path, name: &str, args: &[&str]) -> PathBuf {
        let file = dir.join(name);
        charter()
            .arg("doc")
            .args(args)
            .args(["--format", "docx", "--force", "-o"])
            .arg(&file)
            .assert()
            .success();
        file
    }

    /// The Word files are finished: header rows repeat, rows do not split, columns are as
    /// wide as their content, the text is tagged zh-CN (en-US in English), the footer counts
    /// pages with PAGE and NUMPAGES fields, the header names the organisation, and the file
    /// properties give the title, the organisation and the effective date.
    #[test]
    fn word_files_are_finished() {
        let dir = tempfile::tempdir().unwrap();
        let file = write_docx(
            dir.path(),
            "procedure.docx",
            &["procedure", "--policy", "policies/led-maker"],
        );
        let document = part(&file, "word/document.xml");
        let tables = document.matches("<w:tbl>").count();
        assert!(tables >= 8, "{tables} tables");
        assert_eq!(document.matches("<w:tblHeader />").count(), tables);
        // Two tables in a row (the limits by category) stay two tables.
        assert!(!document.contains("</w:tbl><w:tbl>"));
        assert!(document.matches("<w:cantSplit />").count() > 2 * tables);
        // The routing table: "#" is the narrowest column, the condition the widest.
        let grid = document
            .split("<w:tblGrid>")
            .map(|g| {
                g.split("</w:tblGrid>")
                    .next()
                    .unwrap_or_default()
                    .split("w:w=\"")
                    .skip(1)
                    .map(|w| w.split('"').next().unwrap().parse::<usize>().unwrap())
                    .collect::<Vec<_>>()
            })
            .find(|g| g.len() == 3 && g[0] < 1000)
            .expect("a table of three columns starting with a narrow one");
        assert!(grid[0] < grid[2] && grid[2] < grid[1], "{grid:?}");
        // The revision record is kept with the sign-off block: from its heading to the
        // sign-off's header row, every paragraph keeps with the next.
        let tail = &document[document.rfind(">修订记录<").expect("a revision record")..];
        let tail = &tail[..tail.find(">签名：").expect("a sign-off block")];
        let paragraphs = tail.matches("<w:p ").count();
        assert!(paragraphs >= 8, "{tail}");
        assert_eq!(tail.matches("<w:keepNext />").count(), paragraphs, "{tail}");
        let styles = part(&file, "word/styles.xml");
        assert!(
            styles.contains(r#"<w:lang w:val="zh-CN" w:eastAsia="zh-CN" />"#),
            "{styles}"
        );
        let footer = part(&file, "word/footer1.xml");
        assert!(
            footer.contains(">PAGE<") && footer.contains(">NUMPAGES<"),
            "{footer}"
        );
        // The page numbers are as small as the words around them: every run has a size.
        let runs = footer.matches("<w:r>").count();
        assert!(runs >= 5, "{footer}");
        assert_eq!(
            footer.matches(r#"<w:sz w:val="18" />"#).count(),
            runs,
            "{footer}"
        );
        assert!(
            footer.contains("第 ") && footer.contains(" 页 共 "),
            "{footer}"
        );
        let header = part(&file, "word/header1.xml");
        assert!(
            header.contains("某某光电科技有限公司　QP-CS-001　版本 2026.1"),
            "{header}"
        );
        let core = part(&file, "docProps/core.xml");
        for expected in [
            "<dc:title>客诉处理流程</dc:title>",
            "<dc:creator>某某光电科技有限公司</dc:creator>",
            "2026-01-01T00:00:00Z</dcterms:created>",
            "<cp:version>2026.1</cp:version>",
        ] {
            assert!(core.contains(expected), "no {expected} in {core}");
        }
        assert!(
            !core.contains("1970") && !core.contains("unknown"),
            "{core}"
        );
        // In English: en-US, and the page footer in English.
        let file = write_docx(
            dir.path(),
            "roles-en.docx",
            &[
                "role",
                "--all",
                "--policy",
                "policies/renovation",
                "--lang",
                "en",
            ],
        );
        let styles = part(&file, "word/styles.xml");
        assert!(styles.contains(r#"<w:lang w:val="en-US" w:eastAsia="zh-CN" />"#));
        assert!(part(&file, "word/footer1.xml").contains("Page "));
    }

    /// LibreOffice opens the file and writes a PDF holding the Chinese text.
    fn libreoffice_converts(docx: &Path) {
        let Some(office) = ["libreoffice", "soffice"]
            .into_iter()
            .find(|c| crate::support::installed(c))
        else {
            eprintln!(
                "LibreOffice is not installed: the PDF conversion is not checked here (.ci/run installs it)"
            );
            return;
        };
        let out = docx.parent().unwrap().join("pdf");
        let status = Command::new(office)
            .args(["--headless", "--convert-to", "pdf", "--outdir"])
            .arg(&out)
            .arg(docx)
            .env("HOME", docx.parent().unwrap())
            .status()
            .unwrap();
        assert!(status.success());
        let pdf = out.join("roles.pdf");
        let bytes = std::fs::read(&pdf).unwrap();
        assert!(
            bytes.starts_with(b"%PDF") && bytes.len() > 10_000,
            "{} bytes",
            bytes.len()
        );
        if crate::support::installed("pdftotext") {
            let text = Command::new("pdftotext")
                .arg(&pdf)
                .arg("-")
                .output()
                .unwrap();
            let text = String::from_utf8_lossy(&text.stdout);
            assert!(text.contains("投诉办主任"), "{text}");
            // The header, the footer's page fields and the sign-off block, as printed.
            let text: String = text.chars().filter(|c| !c.is_whitespace()).collect();
            for printed in ["某某服务有限公司", "第1页共", "编制", "批准", "修订记录"]
            {
                assert!(text.contains(printed), "no {printed} in {text}");
            }
        }
    }
}

/// Headless Chromium renders the HTML to a PNG and a PDF with no console errors. The PNGs are
/// kept in `target/screenshots/` to be looked at.
#[test]
fn chromium_renders_the_html() {
    let Some(browser) = crate::support::chromium() else {
        eprintln!("Chromium is not installed: rendering is not checked here (.ci/run installs it)");
        return;
    };
    let shots = PathBuf::from("target/screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let dir = tempfile::tempdir().unwrap();
    for (name, args) in [
        (
            "roles",
            vec!["role", "--all", "--policy", "policies/complaint-office"],
        ),
        (
            "procedure",
            vec!["procedure", "--policy", "policies/led-maker"],
        ),
        (
            "org-chart",
            vec!["org-chart", "--policy", "policies/led-maker"],
        ),
    ] {
        let html = dir.path().join(format!("{name}.html"));
        charter()
            .arg("doc")
            .args(&args)
            .args(["--format", "html", "--force", "-o"])
            .arg(&html)
            .assert()
            .success();
        let png = shots.join(format!("{name}.png"));
        let pdf = shots.join(format!("{name}.pdf"));
        for (target, file) in [
            (format!("--screenshot={}", png.display()), &png),
            (format!("--print-to-pdf={}", pdf.display()), &pdf),
        ] {
            crate::support::render(browser, &html, &target, "1280,1800");
            assert!(
                std::fs::metadata(file).unwrap().len() > 5_000,
                "{}",
                file.display()
            );
        }
        // Printed pages carry the running header and "第 X 页 共 Y 页" (CSS margin boxes).
        if name != "org-chart" && crate::support::installed("pdftotext") {
            let text = std::process::Command::new("pdftotext")
                .args(["-layout"])
                .arg(&pdf)
                .arg("-")
                .output()
                .unwrap();
            // pdftotext may drop the spaces around the page numbers.
            let text: String = String::from_utf8_lossy(&text.stdout)
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            for printed in ["版本2026.1", "第1页共", "第2页共", "编制"] {
                assert!(text.contains(printed), "no {printed} in {name}.pdf: {text}");
            }
        }
    }
}

/// The identifiers of a policy, each with its label in Chinese and English: every declared
/// name (roles, targets, events, stages, categories, channels, departments, severities,
/// attributes, calendars, fields, SLA blocks, ladders, callbacks, reports, procedures, steps,
/// duties) and every event a target or callback starts or stops at. The compiled policy
/// serializes every declaration as `{"name": …, "label": {"text", "zh"?, "en"?}}`.
fn identifiers(policy: &charter::check::Policy) -> Vec<(String, serde_json::Value)> {
    fn walk(v: &serde_json::Value, out: &mut Vec<(String, serde_json::Value)>) {
        match v {
            serde_json::Value::Object(map) => {
                if let (Some(serde_json::Value::String(name)), Some(label)) =
                    (map.get("name"), map.get("label"))
                {
                    out.push((name.clone(), label.clone()));
                }
                map.values().for_each(|v| walk(v, out));
            }
            serde_json::Value::Array(list) => list.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(&serde_json::to_value(policy).unwrap(), &mut out);
    // `duty other` is the catch-all duty's keyword, not a name the policy chose.
    out.retain(|(name, _)| name != "other");
    let targets = (policy.slas.iter().flat_map(|s| &s.targets))
        .chain(policy.stages.iter().flat_map(|s| &s.targets));
    let mut events: Vec<String> = targets
        .flat_map(|t| std::iter::once(t.start.clone()).chain(t.stop.clone()))
        .chain(
            policy
                .callbacks
                .iter()
                .filter_map(|c| Some(c.within.as_ref()?.1.clone())),
        )
        .collect();
    events.retain(|e| !policy.events.iter().any(|d| &d.name == e));
    out.extend(
        events
            .into_iter()
            .map(|e| (e, serde_json::json!({"text": ""}))),
    );
    out
}

/// A label as a document in `lang` shows it.
fn pick<'a>(label: &'a serde_json::Value, lang: &str) -> &'a str {
    (label.get(lang).or_else(|| label.get("text")))
        .and_then(|t| t.as_str())
        .unwrap_or("")
}

/// Every text the policy itself writes, as a document in `lang` shows it: its labels.
fn own_texts(policy: &charter::check::Policy, lang: &str) -> Vec<String> {
    fn walk(v: &serde_json::Value, lang: &str, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(map)
                if map.contains_key("text")
                    && map
                        .keys()
                        .all(|k| ["text", "zh", "en"].contains(&k.as_str())) =>
            {
                out.push(pick(v, lang).to_string());
            }
            serde_json::Value::Object(map) => map.values().for_each(|v| walk(v, lang, out)),
            serde_json::Value::Array(list) => list.iter().for_each(|v| walk(v, lang, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(&serde_json::to_value(policy).unwrap(), lang, &mut out);
    out
}

/// The places `word` stands as a whole word in `text` (case-sensitive; a word is made of
/// ASCII letters, digits and `_`).
fn whole_word_at(text: &str, word: &str) -> Vec<usize> {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    (text.match_indices(word))
        .map(|(at, _)| at)
        .filter(|&at| {
            !text[..at].chars().next_back().is_some_and(ident)
                && !text[at + word.len()..].chars().next().is_some_and(ident)
        })
        .collect()
}

/// The identifiers that must not appear in a document in `lang`: those with `_` or a digit,
/// which no label writes, and those whose label in `lang` is not the identifier itself;
/// except a plain word that the policy's own texts in `lang` use as a word (`containment`
/// as an event's English label), which the document may print for that reason.
fn forbidden(policy: &charter::check::Policy, lang: &str) -> Vec<String> {
    let texts = own_texts(policy, lang);
    let mut words: Vec<String> = identifiers(policy)
        .into_iter()
        .filter(|(name, label)| {
            let program = name.contains('_') || name.chars().any(|c| c.is_ascii_digit());
            let labelled_otherwise = pick(label, lang) != name;
            let own_word = texts.iter().any(|t| !whole_word_at(t, name).is_empty());
            program || (labelled_otherwise && !own_word)
        })
        .map(|(name, _)| name)
        .collect();
    words.sort();
    words.dedup();
    words
}

/// Charter's own English phrases whose words are spelt like identifiers of the shipped
/// policies (`close`, `received`, `result`, `update`, `callback`, `stage`): taken out before the scan,
/// so that the scan still finds the word anywhere else.
const CHARTER_PHRASES: [&str; 8] = [
    "by close of business",
    "and close of business",
    "Reports received",
    "Key result",
    "Progress update",
    "an update",
    "callback (from ",
    "” stage",
];

/// The text of a document: HTML without its style sheet and tags, and without charter's own
/// phrases.
fn readable(document: &str, format: &str) -> String {
    let mut document = document.to_string();
    for phrase in CHARTER_PHRASES {
        document = document.replace(phrase, " ");
    }
    if format != "html" {
        return document;
    }
    let without_style = match (document.find("<style"), document.find("</style>")) {
        (Some(a), Some(b)) if a < b => format!("{}{}", &document[..a], &document[b..]),
        _ => document,
    };
    let mut text = String::new();
    let mut in_tag = false;
    for c in without_style.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    text
}

/// Each place in `text` where one of `words` appears, with the text around it.
fn leaks(text: &str, words: &[String]) -> Vec<String> {
    let mut found = Vec::new();
    for word in words {
        for at in whole_word_at(text, word) {
            let before: Vec<char> = text[..at].chars().rev().take(30).collect();
            let before: String = before.into_iter().rev().collect();
            let after: String = text[at + word.len()..].chars().take(30).collect();
            found.push(format!("`{word}` in …{before}{word}{after}…").replace('\n', " "));
        }
    }
    found
}

#[test]
fn the_scan_finds_a_planted_identifier() {
    let words = vec!["walk_in".to_string(), "phone".to_string()];
    let found = leaks("渠道为walk_in或电话；phones, telephone", &words);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].contains("`walk_in` in …渠道为walk_in或电话"),
        "{found:?}"
    );
    assert_eq!(
        readable("<p class=\"phone\">电话</p>", "html").trim(),
        "电话"
    );
}

/// No identifier of the policy in any document: every role, the procedure and the org chart
/// of every shipped policy, in Chinese and English, Markdown and HTML, name everything by its
/// label. A failure names the document, the identifier and the text around it.
#[test]
fn no_identifier_of_the_policy_in_any_document() {
    let mut faults = Vec::new();
    for policy in POLICIES {
        let path = format!("policies/{policy}");
        let engine = charter::load::engine(std::path::Path::new(&path))
            .map_err(|(e, _)| e.to_string())
            .unwrap()
            .0;
        let compiled = &engine.versions().last().unwrap().policy;
        for lang in ["zh", "en"] {
            let words = forbidden(compiled, lang);
            for kind in [&["role", "--all"][..], &["procedure"], &["org-chart"]] {
                for format in ["md", "html"] {
                    let mut args = kind.to_vec();
                    args.extend(["--policy", &path, "--lang", lang, "--format", format]);
                    let text = readable(&doc(&args), format);
                    for leak in leaks(&text, &words) {
                        faults.push(format!("{policy} {} ({lang}, {format}): {leak}", kind[0]));
                    }
                }
            }
        }
    }
    assert!(faults.is_empty(), "{}", faults.join("\n"));
}

/// The audit report in Chinese names categories, roles, channels, targets, escalation ladders
/// and procedure problems by their labels: no identifier of the policy in it, Markdown or HTML.
#[test]
fn the_chinese_audit_report_names_things_by_their_labels() {
    let path = "policies/complaint-office";
    let engine = charter::load::engine(std::path::Path::new(path))
        .map_err(|(e, _)| e.to_string())
        .unwrap()
        .0;
    let words = forbidden(&engine.versions().last().unwrap().policy, "zh");
    let dir = tempfile::tempdir().unwrap();
    let cases = dir.path().join("cases.ndjson");
    let mut lines = String::new();
    let mut files: Vec<_> = std::fs::read_dir("examples/cases/complaint-office")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    for file in files {
        let case: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        lines.push_str(&format!("{case}\n"));
    }
    std::fs::write(&cases, lines).unwrap();
    let mut faults = Vec::new();
    for format in ["md", "html"] {
        let out = assert_cmd::Command::cargo_bin("charter")
            .unwrap()
            .args([
                "audit", "--policy", path, "--lang", "zh", "--format", format,
            ])
            .args(["--as-of", "2026-11-30T12:00:00+08:00"])
            .arg(&cases)
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let text = readable(&String::from_utf8(out).unwrap(), format);
        assert!(text.contains("受理确认") && text.contains("超时"), "{text}");
        faults.extend(
            leaks(&text, &words)
                .into_iter()
                .map(|l| format!("{format}: {l}")),
        );
    }
    assert!(faults.is_empty(), "{}", faults.join("\n"));
}

/// Every document of every shipped policy, in both languages, printed as a person would:
/// the HTML through Chromium and the Word file through LibreOffice (one run for all of
/// them). Each PDF must hold the document's title and page numbers from 1 to its last page
/// (the org chart has none), and a Chinese Word file's PDF an embedded CJK font. The PDFs are left in `target/print/` to be
/// looked at. Skipped, saying so, where Chromium or LibreOffice is not installed.
#[test]
fn every_shipped_document_prints_in_both_languages() {
    let office = ["libreoffice", "soffice"]
        .into_iter()
        .find(|c| crate::support::installed(c));
    let (Some(browser), Some(office), true, true) = (
        crate::support::chromium(),
        office,
        crate::support::installed("pdftotext"),
        crate::support::installed("pdffonts"),
    ) else {
        eprintln!(
            "Chromium, LibreOffice or poppler is not installed: printing is not checked here (.ci/run installs them)"
        );
        return;
    };
    let out = PathBuf::from("target/print");
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).unwrap();
    let out = std::fs::canonicalize(&out).unwrap();
    let mut printed = Vec::new();
    let mut word = Vec::new();
    for policy in POLICIES {
        let path = format!("policies/{policy}");
        for lang in ["zh", "en"] {
            for (kind, args) in [
                ("roles", &["role", "--all"][..]),
                ("procedure", &["procedure"]),
                ("org-chart", &["org-chart"]),
            ] {
                let stem = format!("{policy}-{kind}-{lang}");
                for format in ["html", "docx"] {
                    let file = out.join(format!("{stem}.{format}"));
                    charter()
                        .arg("doc")
                        .args(args)
                        .args(["--policy", &path, "--lang", lang, "--format", format, "-o"])
                        .arg(&file)
                        .assert()
                        .success();
                    if format == "docx" {
                        word.push(file);
                    }
                }
                let html = out.join(format!("{stem}.html"));
                let pdf = out.join(format!("{stem}.html.pdf"));
                crate::support::render(
                    browser,
                    &html,
                    &format!("--print-to-pdf={}", pdf.display()),
                    "1280,1800",
                );
                printed.push((pdf, kind, lang));
                printed.push((out.join(format!("{stem}.pdf")), kind, lang));
            }
        }
    }
    let status = std::process::Command::new(office)
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(&out)
        .args(&word)
        .env("HOME", &out)
        .status()
        .unwrap();
    assert!(status.success());
    let tool = |name: &str, pdf: &PathBuf| {
        let output = std::process::Command::new(name)
            .arg(pdf)
            .args(if name == "pdftotext" {
                &["-"][..]
            } else {
                &[][..]
            })
            .output()
            .unwrap();
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    assert_eq!(printed.len(), 48);
    for (pdf, kind, lang) in &printed {
        let raw = tool("pdftotext", pdf);
        // pdftotext ends every page with a form feed.
        let pages = raw.matches('\u{c}').count().max(1);
        let text: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
        let first = match (*kind, *lang) {
            ("roles", "zh") => "职位说明书",
            ("roles", _) => "Positiondescriptions",
            ("procedure", _) => "",
            (_, "zh") => "组织架构图",
            _ => "Organisationchart",
        };
        assert!(text.contains(first), "{}: no {first}", pdf.display());
        if *kind != "org-chart" {
            let (first, last) = match *lang {
                "zh" => ("第1页共".to_string(), format!("第{pages}页共{pages}页")),
                _ => ("Page1of".to_string(), format!("Page{pages}of{pages}")),
            };
            assert!(
                text.contains(&first) && text.contains(&last),
                "{}: not numbered from 1 to {pages}",
                pdf.display()
            );
        }
        // The revision record and sign-off block never stand alone on a page: above the
        // record's heading there is more than the running header.
        let heading = if *lang == "zh" {
            "修订记录"
        } else {
            "Revision record"
        };
        for (n, page) in raw.split('\u{c}').enumerate() {
            let lines: Vec<&str> = page
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect();
            if let Some(at) = lines.iter().position(|l| *l == heading) {
                assert!(
                    at >= 2,
                    "{}: page {} holds only the revision record and sign-off:\n{}",
                    pdf.display(),
                    n + 1,
                    lines.join("\n")
                );
            }
        }
        // Chromium embeds unnamed Type 3 fonts, so only LibreOffice's can be named here.
        if *lang == "zh" && !pdf.to_string_lossy().ends_with(".html.pdf") {
            let fonts = tool("pdffonts", pdf);
            assert!(
                fonts.contains("CJK"),
                "{}: no CJK font embedded:\n{fonts}",
                pdf.display()
            );
        }
    }
}
