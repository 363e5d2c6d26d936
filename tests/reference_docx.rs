//! `charter doc --format docx --reference-docx FILE`: a company's Word template gives the
//! styles (headings matched by name, as a Chinese Word names them `1`, `2`…), the header and
//! the footer, with the document's fields filled in; a misspelt field, a header with a picture
//! and a file that is not a .docx are refused with the file named.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use assert_cmd::Command as Cmd;
use predicates::prelude::*;

const W: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships""#;

/// A template as Word writes one: heading 1 with the identifier `1`, a style of its own, a
/// header whose `{{ organisation }}` Word split over two runs, a footer with a PAGE field.
fn template(dir: &Path, header: &str, header_rels: Option<&str>) -> PathBuf {
    template_with_body(dir, header, header_rels, "<w:p/>")
}

fn template_with_body(dir: &Path, header: &str, header_rels: Option<&str>, body: &str) -> PathBuf {
    let path = dir.join("company.docx");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let mut put = |name: &str, text: &str| {
        zip.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    };
    put(
        "[Content_Types].xml",
        r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>"#,
    );
    put(
        "word/_rels/document.xml.rels",
        r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId7" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/header" Target="header2.xml"/><Relationship Id="rId8" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="footer2.xml"/></Relationships>"#,
    );
    put(
        "word/document.xml",
        &format!(
            r#"<w:document {W}><w:body>{body}<w:sectPr><w:headerReference w:type="first" r:id="rId9"/><w:headerReference w:type="default" r:id="rId7"/><w:footerReference w:type="default" r:id="rId8"/></w:sectPr></w:body></w:document>"#
        ),
    );
    put(
        "word/styles.xml",
        &format!(
            r#"<w:styles {W}><w:docDefaults><w:rPrDefault><w:rPr><w:sz w:val="22"/></w:rPr></w:rPrDefault></w:docDefaults><w:style w:type="paragraph" w:styleId="1"><w:name w:val="heading 1"/><w:rPr><w:color w:val="C00000"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="CompanyMarker"><w:name w:val="Company Marker"/></w:style></w:styles>"#
        ),
    );
    put("word/header2.xml", &format!("<w:hdr {W}>{header}</w:hdr>"));
    if let Some(rels) = header_rels {
        put("word/_rels/header2.xml.rels", rels);
    }
    put(
        "word/footer2.xml",
        &format!(
            r#"<w:ftr {W}><w:p><w:r><w:t>{{{{ title }}}}，生效 {{{{ effective }}}}</w:t></w:r><w:r><w:instrText> PAGE </w:instrText></w:r></w:p></w:ftr>"#
        ),
    );
    zip.finish().unwrap();
    path
}

const HEADER: &str = r#"<w:p><w:r><w:t>{{</w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve"> organisation }} 受控文件 {{ number }} 第{{version}}版</w:t></w:r></w:p>"#;

fn doc(reference: &Path, out: &Path) -> assert_cmd::assert::Assert {
    Cmd::cargo_bin("charter")
        .unwrap()
        .args([
            "doc",
            "role",
            "--policy",
            "policies/complaint-office",
            "office_director",
        ])
        .args(["--format", "docx", "--reference-docx"])
        .arg(reference)
        .arg("-o")
        .arg(out)
        .assert()
}

fn part(docx: &Path, name: &str) -> String {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(docx).unwrap()).unwrap();
    let mut text = String::new();
    archive
        .by_name(name)
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    text
}

#[test]
fn the_template_gives_styles_header_and_footer() {
    let dir = tempfile::tempdir().unwrap();
    let reference = template(dir.path(), HEADER, None);
    let out = dir.path().join("director.docx");
    doc(&reference, &out).success();

    let styles = part(&out, "word/styles.xml");
    assert!(
        styles.contains("CompanyMarker"),
        "not the template's styles"
    );
    // The template has no heading 2: the built-in one is added, not lost.
    assert!(styles.contains(r#"w:styleId="Heading2""#));
    let body = part(&out, "word/document.xml");
    assert!(
        body.contains(r#"<w:pStyle w:val="1""#),
        "heading 1 not renamed"
    );
    assert!(!body.contains(r#"w:val="Heading1""#));

    let header = part(&out, "word/header1.xml");
    assert!(
        header.contains("<w:t>某某服务有限公司 受控文件 CO-JD-002 第2026.1版</w:t>"),
        "{header}"
    );
    let footer = part(&out, "word/footer1.xml");
    assert!(
        footer.contains("职位说明书：投诉办主任，生效 2026-01-01"),
        "{footer}"
    );
    assert!(footer.contains(" PAGE "));
}

#[test]
fn a_misspelt_field_is_an_error_naming_the_template() {
    let dir = tempfile::tempdir().unwrap();
    let reference = template(dir.path(), &HEADER.replace("number", "nubmer"), None);
    let out = dir.path().join("director.docx");
    doc(&reference, &out)
        .code(2)
        .stderr(predicate::str::contains(format!(
            "{}: its header names `{{{{ nubmer }}}}`, which is not a field; the fields are organisation, number, version, effective, title",
            reference.display()
        )));
    assert!(!out.exists(), "a document was written");
}

#[test]
fn a_header_with_a_picture_and_a_file_that_is_not_word_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let rels = r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/logo.png"/></Relationships>"#;
    let reference = template(dir.path(), HEADER, Some(rels));
    doc(&reference, &dir.path().join("a.docx"))
        .code(2)
        .stderr(predicate::str::contains("has pictures or links"));
    doc(Path::new("README.md"), &dir.path().join("b.docx"))
        .code(2)
        .stderr(predicate::str::contains(
            "README.md: not a Word document (.docx)",
        ));
    // Only for Word output.
    Cmd::cargo_bin("charter")
        .unwrap()
        .args(["doc", "org-chart", "--policy", "policies/complaint-office"])
        .arg("--reference-docx")
        .arg(&reference)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "applies to Word documents; add --format docx",
        ));
}

/// A paragraph `{{ body }}` in the template's body marks where the document goes: the cover
/// before it and the closing after it come along, fields filled in, even where Word split
/// `{{ body }}` over runs; a picture around it is refused.
#[test]
fn the_template_body_wraps_the_document() {
    let dir = tempfile::tempdir().unwrap();
    let body = r#"<w:p><w:r><w:t>{{ organisation }} 受控文件</w:t></w:r></w:p><w:p><w:r><w:t>{{ bo</w:t></w:r><w:r><w:t>dy }}</w:t></w:r></w:p><w:p><w:r><w:t>本文件自 {{ effective }} 起执行。</w:t></w:r></w:p>"#;
    let reference = template_with_body(dir.path(), HEADER, None, body);
    let out = dir.path().join("director.docx");
    doc(&reference, &out).success();
    let xml = part(&out, "word/document.xml");
    let cover = xml.find("某某服务有限公司 受控文件").expect("no cover");
    let title = xml.find("职位说明书：投诉办主任").expect("no title");
    let closing = xml
        .find("本文件自 2026-01-01 起执行。")
        .expect("no closing");
    let sign_off = xml.find("批准").expect("no sign-off block");
    assert!(cover < title && sign_off < closing, "out of order");
    assert!(!xml.contains("{{"), "a placeholder is left");

    let picture = body.replace("</w:t></w:r></w:p><w:p><w:r><w:t>{{ bo", "</w:t></w:r><w:r><w:drawing><a r:embed=\"rId5\"/></w:drawing></w:r></w:p><w:p><w:r><w:t>{{ bo");
    let reference = template_with_body(dir.path(), HEADER, None, &picture);
    doc(&reference, &dir.path().join("b.docx"))
        .code(2)
        .stderr(predicate::str::contains(
            "its body around `{{ body }}` has pictures",
        ));
}
