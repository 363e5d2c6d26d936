//! Document control: what makes a position description or a procedure a document that can be
//! filed and signed. The issuing organisation, the document number, the version and the date
//! it takes effect head the document (and every printed page); the revision record, built from
//! the policy's versions, and the 编制 / 审核 / 批准 block with date lines close it.

use chrono::NaiveDate;
use serde_json::{Value, json};

use super::{Block, Lang};
use crate::check::Policy;

/// The control data of one document.
#[derive(Debug, Clone, PartialEq)]
pub struct Control {
    /// The issuing organisation (`organisation` in the policy header).
    pub organisation: Option<String>,
    /// The document number (`document` in the policy header or the role).
    pub number: Option<String>,
    /// The version documented.
    pub version: String,
    /// The date that version takes effect.
    pub effective: Option<NaiveDate>,
    /// The revision record: every version up to the one documented, oldest first.
    pub revisions: Vec<Revision>,
    /// Whether the control table, revision record and sign-off block are written into the
    /// document; false for a bundle, whose parts carry their own.
    pub in_body: bool,
}

/// One row of the revision record.
#[derive(Debug, Clone, PartialEq)]
pub struct Revision {
    /// The version string.
    pub version: String,
    /// The date it took effect.
    pub effective: Option<NaiveDate>,
    /// What it changed (`changes`), in the document's language.
    pub changes: Option<String>,
}

/// The revision record of `policy` among `versions` (every compiled version of the policy):
/// the versions of the same policy that take effect no later than it, oldest first.
pub fn revisions<'a>(
    versions: impl IntoIterator<Item = &'a Policy>,
    policy: &Policy,
    lang: Lang,
) -> Vec<Revision> {
    let mut list: Vec<&Policy> = versions
        .into_iter()
        .filter(|v| v.name == policy.name && v.effective <= policy.effective)
        .collect();
    list.sort_by_key(|v| v.effective);
    list.into_iter().map(|v| revision(v, lang)).collect()
}

fn revision(policy: &Policy, lang: Lang) -> Revision {
    Revision {
        version: policy.version.clone(),
        effective: policy.effective,
        changes: policy.changes.as_ref().map(|c| lang.pick(c).to_string()),
    }
}

impl Control {
    /// The control data of a document of `policy` numbered `number`, with the policy's own
    /// version as its only revision (see [`revisions`] for the whole record).
    pub fn new(policy: &Policy, number: Option<&str>, lang: Lang) -> Control {
        Control {
            organisation: policy
                .organisation
                .as_ref()
                .map(|o| lang.pick(o).to_string()),
            number: number.map(str::to_string),
            version: policy.version.clone(),
            effective: policy.effective,
            revisions: vec![revision(policy, lang)],
            in_body: true,
        }
    }

    /// What a bundle of documents shares: the organisation, version and date, no number.
    pub fn shared(&self) -> Control {
        Control {
            number: None,
            revisions: Vec::new(),
            in_body: false,
            ..self.clone()
        }
    }

    /// The text at the top of every printed page: "某某公司　QP-CS-001　版本 2026.1".
    pub fn running_header(&self, lang: Lang) -> String {
        let mut parts: Vec<String> = Vec::new();
        parts.extend(self.organisation.clone());
        parts.extend(self.number.clone());
        if !self.version.is_empty() {
            parts.push(format!("{}{}", lang.say("版本 ", "Version "), self.version));
        }
        parts.join(lang.say("　", " · "))
    }

    /// The control table under the title: organisation, number, version, effective date.
    pub(crate) fn head(&self, lang: Lang) -> Vec<Block> {
        let dash = || "—".to_string();
        vec![Block::Table {
            header: vec![
                lang.say("发布单位", "Issued by").to_string(),
                lang.say("文件编号", "Document no.").to_string(),
                lang.say("版本", "Version").to_string(),
                lang.say("生效日期", "Effective").to_string(),
            ],
            rows: vec![vec![
                self.organisation.clone().unwrap_or_else(dash),
                self.number.clone().unwrap_or_else(dash),
                self.version.clone(),
                self.effective.map_or_else(dash, |d| date(d, lang)),
            ]],
        }]
    }

    /// The revision record and the sign-off block, at the end of the document, on one page.
    pub(crate) fn tail(&self, lang: Lang) -> Vec<Block> {
        let say = |zh: &'static str, en: &'static str| lang.say(zh, en).to_string();
        let rows = self
            .revisions
            .iter()
            .map(|r| {
                vec![
                    r.version.clone(),
                    r.effective.map_or_else(|| "—".into(), |d| date(d, lang)),
                    r.changes.clone().unwrap_or_else(|| "—".into()),
                ]
            })
            .collect();
        let signature = say("签名：__________", "Signature: __________");
        let on = say("日期：____年__月__日", "Date: ____-__-__");
        vec![Block::Together(vec![
            Block::Heading(2, say("修订记录", "Revision record")),
            Block::Table {
                header: vec![
                    say("版本", "Version"),
                    say("生效日期", "Effective"),
                    say("修订内容", "Changes"),
                ],
                rows,
            },
            Block::Heading(2, say("编制与审批", "Prepared, reviewed and approved")),
            Block::Table {
                header: vec![
                    say("编制", "Prepared by"),
                    say("审核", "Reviewed by"),
                    say("批准", "Approved by"),
                ],
                rows: vec![vec![signature; 3], vec![on; 3]],
            },
        ])]
    }

    /// What templates see under `control`.
    pub(crate) fn context(&self) -> Value {
        let revisions: Vec<Value> = (self.revisions.iter())
            .map(
                |r| json!({ "version": r.version, "effective": r.effective, "changes": r.changes }),
            )
            .collect();
        json!({
            "organisation": self.organisation,
            "number": self.number,
            "version": self.version,
            "effective": self.effective,
            "revisions": revisions,
        })
    }
}

/// A date as the documents write it: "2026年1月1日", "2026-01-01".
pub(crate) fn date(d: NaiveDate, lang: Lang) -> String {
    match lang {
        Lang::Zh => d.format("%Y年%-m月%-d日").to_string(),
        Lang::En => d.to_string(),
    }
}
