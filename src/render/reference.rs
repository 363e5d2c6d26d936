//! A company's Word template (`--reference-docx`, feature `docx`): its styles, and the header
//! and footer of its (last) section, replace the built-in ones. Text in that header and footer
//! may name the document's fields as `{{ organisation }}`, `{{ number }}`, `{{ version }}`,
//! `{{ effective }}` and `{{ title }}`; Word's own fields (PAGE, NUMPAGES) work as in any
//! document. A header or footer with pictures or links is refused: their parts would not come
//! along. A paragraph `{{ body }}` in the template's body marks where the document goes: what
//! stands before it (a cover) and after it comes along, its fields filled in.
//! The built-in heading styles are matched by name (`heading 1`…), so a template whose
//! headings have other identifiers (a Chinese Word's `1`, `2`…) styles them.

use std::io::{Cursor, Read};

use super::Document;

/// The parts taken from a reference document.
#[derive(Debug, Clone)]
pub struct Reference {
    styles: String,
    header: Option<String>,
    footer: Option<String>,
    /// The template's body before and after its `{{ body }}` paragraph, when it has one.
    around: Option<(String, String)>,
}

/// The fields a header or footer may name, and their values in `document`.
fn fields(document: &Document) -> Vec<(&'static str, String)> {
    let control = document.control.as_ref();
    let pick =
        |f: &dyn Fn(&super::Control) -> Option<String>| control.and_then(f).unwrap_or_default();
    vec![
        ("organisation", pick(&|c| c.organisation.clone())),
        ("number", pick(&|c| c.number.clone())),
        ("version", pick(&|c| Some(c.version.clone()))),
        ("effective", pick(&|c| c.effective.map(|d| d.to_string()))),
        ("title", document.title.clone()),
    ]
}

/// A part of a package by name, as text; `None` when it is not there.
fn part(
    archive: &mut zip::ZipArchive<Cursor<&[u8]>>,
    name: &str,
) -> Result<Option<String>, String> {
    let Ok(mut file) = archive.by_name(name) else {
        return Ok(None);
    };
    // Parts of a template are small; a larger one is not a template.
    if file.size() > 16 << 20 {
        return Err(format!("its part {name} is larger than 16 MiB"));
    }
    let mut text = String::new();
    file.read_to_string(&mut text)
        .map_err(|e| format!("its part {name} cannot be read: {e}"))?;
    Ok(Some(text))
}

/// The value of attribute `name` in the tag starting at `tag`.
fn attribute<'t>(tag: &'t str, name: &str) -> Option<&'t str> {
    let end = tag.find('>')?;
    let tag = &tag[..end];
    let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    let len = tag[at..].find('"')?;
    Some(&tag[at..at + len])
}

/// The part that the last section's default `kind` (`header` or `footer`) reference points
/// to, through the document's relationships.
fn section_part(document: &str, rels: &str, kind: &str) -> Option<String> {
    let section = &document[document.rfind("<w:sectPr")?..];
    let id = section
        .match_indices(&format!("<w:{kind}Reference"))
        .map(|(at, _)| &section[at..])
        .find(|tag| attribute(tag, "w:type") == Some("default"))
        .and_then(|tag| attribute(tag, "r:id"))?;
    let target = rels
        .match_indices("<Relationship ")
        .map(|(at, _)| &rels[at..])
        .find(|tag| attribute(tag, "Id") == Some(id))
        .and_then(|tag| attribute(tag, "Target"))?;
    Some(format!(
        "word/{}",
        target.trim_start_matches('/').trim_start_matches("word/")
    ))
}

impl Reference {
    /// The styles, header and footer of the `.docx` in `bytes`.
    pub fn read(bytes: &[u8]) -> Result<Reference, String> {
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
            .map_err(|e| format!("not a Word document (.docx): {e}"))?;
        let styles = part(&mut archive, "word/styles.xml")?
            .ok_or("not a Word document (.docx): it has no word/styles.xml")?;
        let document = part(&mut archive, "word/document.xml")?.unwrap_or_default();
        let rels = part(&mut archive, "word/_rels/document.xml.rels")?.unwrap_or_default();
        let mut take = |kind: &str| -> Result<Option<String>, String> {
            let Some(name) = section_part(&document, &rels, kind) else {
                return Ok(None);
            };
            let (folder, file) = name.rsplit_once('/').unwrap_or(("word", &name));
            let own = part(&mut archive, &format!("{folder}/_rels/{file}.rels"))?;
            if own.is_some_and(|r| r.contains("<Relationship ")) {
                return Err(format!(
                    "its {kind} ({name}) has pictures or links, which cannot be carried over; \
                     remove them from the {kind}, or leave the {kind} out of the template"
                ));
            }
            part(&mut archive, &name)
        };
        let header = take("header")?;
        let footer = take("footer")?;
        let around = around_body(&document).map_err(|e| match e.starts_with("its ") {
            true => e,
            false => format!("its body {e}"),
        })?;
        Ok(Reference {
            styles,
            header,
            footer,
            around,
        })
    }

    /// The template's styles, with the built-in `ours` heading styles where the template has
    /// none of that name; and the renaming of the built-in heading identifiers to the
    /// template's.
    pub(super) fn styles(&self, ours: &str) -> (String, Vec<(String, String)>) {
        let mut styles = self.styles.clone();
        let mut renames = Vec::new();
        for level in 1..=3 {
            let builtin = format!("Heading{level}");
            match style_named(&self.styles, &format!("heading {level}")) {
                Some(id) => {
                    if id != builtin {
                        renames.push((builtin, id.to_string()));
                    }
                }
                None => {
                    if let Some(definition) = style_with_id(ours, &builtin)
                        && let Some(end) = styles.rfind("</w:styles>")
                    {
                        styles.insert_str(end, definition);
                    }
                }
            }
        }
        (styles, renames)
    }

    /// The template's header and footer with the document's fields filled in, `None` for one
    /// the template does not have.
    pub(super) fn header_and_footer(
        &self,
        document: &Document,
    ) -> Result<(Option<String>, Option<String>), String> {
        let fields = fields(document);
        let fill = |part: &Option<String>, kind: &str| {
            part.as_ref()
                .map(|xml| fill(xml, &fields).map_err(|e| format!("its {kind} {e}")))
                .transpose()
        };
        Ok((fill(&self.header, "header")?, fill(&self.footer, "footer")?))
    }
}

impl Reference {
    /// The template's paragraphs before and after `{{ body }}` (a cover, an approval page, a
    /// closing note) with the document's fields filled in; `None` without `{{ body }}`.
    pub(super) fn around_body(
        &self,
        document: &Document,
    ) -> Result<Option<(String, String)>, String> {
        let fields = fields(document);
        let Some((before, after)) = &self.around else {
            return Ok(None);
        };
        let before = fill(before, &fields).map_err(|e| format!("its body {e}"))?;
        let after = fill(after, &fields).map_err(|e| format!("its body {e}"))?;
        Ok(Some((before, after)))
    }
}

/// The body of `document` (a template's `word/document.xml`) before and after the paragraph
/// that holds `{{ body }}`, without the final section properties. Parts that refer to other
/// parts of the template (pictures, links, sections with their own header) are refused: they
/// would point at nothing once moved.
fn around_body(document: &str) -> Result<Option<(String, String)>, String> {
    let Some(start) = document.find("<w:body>").map(|at| at + "<w:body>".len()) else {
        return Ok(None);
    };
    let end = document
        .rfind("<w:sectPr")
        .unwrap_or(document.len())
        .max(start);
    let inner = &document[start..end];
    // Each `{{ … }}`, read across the runs Word may have split it into.
    let mut from = 0;
    while let Some(open) = inner[from..].find("{{").map(|at| from + at) {
        let Some(close) = inner[open..].find("}}").map(|at| open + at) else {
            break;
        };
        from = close + 2;
        if strip_tags(&inner[open + 2..close]).trim() != "body" {
            continue;
        }
        let paragraph = [inner[..open].rfind("<w:p>"), inner[..open].rfind("<w:p ")]
            .into_iter()
            .flatten()
            .max()
            .ok_or("has `{{ body }}` outside a paragraph")?;
        let after = inner[close..]
            .find("</w:p>")
            .map(|at| close + at + "</w:p>".len())
            .ok_or("has `{{ body }}` outside a paragraph")?;
        let (before, after) = (&inner[..paragraph], &inner[after..]);
        if [before, after]
            .iter()
            .any(|part| part.contains(" r:id=") || part.contains(" r:embed="))
        {
            return Err(
                "its body around `{{ body }}` has pictures, links or sections of its own, which \
                 cannot be carried over; keep text and tables there"
                    .into(),
            );
        }
        return Ok(Some((before.to_string(), after.to_string())));
    }
    Ok(None)
}

/// The identifier of the paragraph style whose name is `name` (case as Word writes it).
fn style_named<'s>(styles: &'s str, name: &str) -> Option<&'s str> {
    styles
        .match_indices("<w:style ")
        .map(|(at, _)| &styles[at..])
        .find(|style| {
            let end = style.find("</w:style>").unwrap_or(style.len());
            let body = &style[..end];
            attribute(style, "w:type") == Some("paragraph")
                && body
                    .find("<w:name ")
                    .and_then(|at| attribute(&body[at..], "w:val"))
                    .is_some_and(|n| n.eq_ignore_ascii_case(name))
        })
        .and_then(|style| attribute(style, "w:styleId"))
}

/// The whole `<w:style>` element with identifier `id`.
fn style_with_id<'s>(styles: &'s str, id: &str) -> Option<&'s str> {
    let at = styles
        .match_indices("<w:style ")
        .map(|(at, _)| at)
        .find(|&at| attribute(&styles[at..], "w:styleId") == Some(id))?;
    let end = styles[at..].find("</w:style>")? + "</w:style>".len();
    Some(&styles[at..at + end])
}

/// `xml` with each `{{ field }}` replaced by the field's value. Word often splits typed text
/// over several runs (`{{` in one, the name in the next): the tags between the braces are
/// dropped with the placeholder, which leaves the runs balanced as long as the placeholder
/// stays within one paragraph.
fn fill(xml: &str, fields: &[(&str, String)]) -> Result<String, String> {
    let mut out = String::with_capacity(xml.len());
    let mut rest = xml;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        let close = after.find("}}").ok_or("has `{{` without a closing `}}`")?;
        let inside = &after[..close];
        if inside.contains("</w:p>") {
            return Err(
                "has a `{{ … }}` that spans paragraphs; keep each field on one line".into(),
            );
        }
        let name = strip_tags(inside);
        let name = name.trim();
        let value = fields
            .iter()
            .find(|(field, _)| *field == name)
            .map(|(_, value)| value)
            .ok_or_else(|| {
                let known: Vec<&str> = fields.iter().map(|(f, _)| *f).collect();
                format!(
                    "names `{{{{ {name} }}}}`, which is not a field; the fields are {}",
                    known.join(", ")
                )
            })?;
        out.push_str(&super::escape(value));
        rest = &after[close + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The text of `xml`, tags left out.
fn strip_tags(xml: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in xml.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a test fails by panicking")]
mod tests {
    use super::*;

    #[test]
    fn a_field_split_over_runs_is_filled_and_the_runs_stay_balanced() {
        let xml = r#"<w:p><w:r><w:t>{{</w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>organisation }}</w:t></w:r><w:r><w:t> 版本 {{ version }}</w:t></w:r></w:p>"#;
        let fields = vec![
            ("organisation", "某某 & Co".to_string()),
            ("version", "2".to_string()),
        ];
        assert_eq!(
            fill(xml, &fields).unwrap(),
            r#"<w:p><w:r><w:t>某某 &amp; Co</w:t></w:r><w:r><w:t> 版本 2</w:t></w:r></w:p>"#
        );
    }

    #[test]
    fn a_misspelt_field_is_named_with_the_known_ones() {
        let err = fill(
            "<w:t>{{ orgnisation }}</w:t>",
            &[("organisation", String::new())],
        );
        assert_eq!(
            err.unwrap_err(),
            "names `{{ orgnisation }}`, which is not a field; the fields are organisation"
        );
        assert!(fill("<w:t>{{ a</w:t></w:p><w:p><w:t>}}</w:t>", &[]).is_err());
        assert!(fill("<w:t>{{ a</w:t>", &[]).is_err());
    }

    #[test]
    fn headings_are_found_by_name() {
        let styles = r#"<w:styles><w:style w:type="paragraph" w:styleId="1"><w:name w:val="heading 1"/></w:style><w:style w:type="character" w:styleId="x"><w:name w:val="heading 2"/></w:style></w:styles>"#;
        assert_eq!(style_named(styles, "heading 1"), Some("1"));
        assert_eq!(style_named(styles, "heading 2"), None);
    }
}
