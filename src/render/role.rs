//! The position description (职位说明书) of one role: the sections the source documents have,
//! in their order, then what the policy makes this role answer for. Each section is built by
//! one function in a submodule and numbered here, so that a section left out (nothing to say)
//! leaves no gap in the numbering. A section the document needs but the policy leaves empty
//! says （待补充） / "(to be completed)", never "none".

mod authorities;
mod basic;
mod derived;
mod duties;
mod qualifications;

use crate::check::{Policy, Recipient, Role, Rule};
use crate::vocabulary::Label;

use super::{Block, Control, Document, Lang, typography};

/// The position description of `policy.roles[index]`.
pub fn position_description(policy: &Policy, index: usize, lang: Lang) -> Document {
    let pd = Pd::new(policy, index, lang);
    // Each section under the key templates know it by (`sections.duties`), whatever its
    // number and language.
    let sections = [
        ("basic_information", pd.basic_information()),
        ("purpose", pd.purpose()),
        ("org_chart", pd.org_chart()),
        ("relations", pd.relations()),
        ("duties", pd.duties()),
        ("authorities", pd.authorities()),
        ("rights", pd.rights()),
        ("obligations", pd.obligations()),
        ("qualifications", pd.qualifications()),
        ("skills", pd.skills()),
        ("knowledge", pd.knowledge()),
        ("training", pd.training()),
        ("papers", pd.papers()),
        ("in_the_procedure", pd.in_the_procedure()),
    ];
    let mut blocks = Vec::new();
    let mut named = serde_json::Map::new();
    let present = sections
        .into_iter()
        .filter_map(|(key, section)| section.map(|s| (key, s)));
    for (n, (key, mut section)) in present.enumerate() {
        let mut title = numbered(n + 1, &section.title, lang);
        typography::text(lang, &mut title);
        typography::blocks(lang, &mut section.blocks);
        named.insert(
            key.to_string(),
            serde_json::json!({
                "title": title,
                "blocks": Block::contexts(&section.blocks),
            }),
        );
        blocks.push(Block::Heading(2, title));
        blocks.extend(section.blocks);
    }
    let mut title = match lang {
        Lang::Zh => format!("职位说明书：{}", pd.l(&pd.role.named.label)),
        Lang::En => format!("Position description: {}", pd.l(&pd.role.named.label)),
    };
    typography::text(lang, &mut title);
    Document {
        title,
        lang,
        blocks,
        control: Some(Control::new(policy, pd.role.document.as_deref(), lang)),
        fields: serde_json::json!({
            "role": serde_json::to_value(pd.role).unwrap_or_default(),
            "sections": named,
        }),
    }
}

/// A numbered top-level section: its title without the number, and its blocks.
struct Section {
    title: String,
    blocks: Vec<Block>,
}

/// "三、职位目的", "3. Purpose".
fn numbered(n: usize, title: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("{}、{title}", chinese_number(n)),
        Lang::En => format!("{n}. {title}"),
    }
}

/// 1 → 一, 12 → 十二, 20 → 二十 (enough for the sections of one document).
fn chinese_number(n: usize) -> String {
    const DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => DIGITS[n].to_string(),
        10..=19 => format!("十{}", if n == 10 { "" } else { DIGITS[n - 10] }),
        20..=99 => format!(
            "{}十{}",
            DIGITS[n / 10],
            if n.is_multiple_of(10) {
                ""
            } else {
                DIGITS[n % 10]
            }
        ),
        _ => n.to_string(),
    }
}

/// What every section of one position description reads from.
struct Pd<'a> {
    policy: &'a Policy,
    index: usize,
    role: &'a Role,
    lang: Lang,
    /// The route rules that send complaints to this role.
    routed: Vec<&'a Rule>,
    /// Whether the `otherwise` route sends complaints to this role.
    fallback: bool,
}

impl<'a> Pd<'a> {
    fn new(policy: &'a Policy, index: usize, lang: Lang) -> Pd<'a> {
        Pd {
            policy,
            index,
            role: &policy.roles[index],
            lang,
            routed: policy.routes.iter().filter(|r| r.target == index).collect(),
            fallback: policy.otherwise.as_ref().is_some_and(|o| o.target == index),
        }
    }

    fn l(&self, label: &'a Label) -> String {
        self.lang.pick(label).to_string()
    }

    fn say(&self, zh: &'static str, en: &'static str) -> String {
        self.lang.say(zh, en).to_string()
    }

    fn section(&self, zh: &'static str, en: &'static str, blocks: Vec<Block>) -> Option<Section> {
        Some(Section {
            title: self.say(zh, en),
            blocks,
        })
    }

    /// A section with a list, left out when the list is empty.
    fn list_section(
        &self,
        zh: &'static str,
        en: &'static str,
        items: Vec<String>,
    ) -> Option<Section> {
        if items.is_empty() {
            return None;
        }
        self.section(zh, en, vec![Block::List(items)])
    }

    /// What a section the document needs says while the policy leaves it empty.
    fn to_be_completed(&self) -> Block {
        Block::Paragraph(self.say("（待补充）", "(to be completed)"))
    }

    fn role_name(&self, i: usize) -> String {
        self.l(&self.policy.roles[i].named.label)
    }

    /// A role of the policy or a named position.
    fn position(&self, p: &'a Recipient) -> String {
        match p {
            Recipient::Role(i) => self.role_name(*i),
            Recipient::External(l) => self.l(l),
        }
    }

    /// Names joined with the language's list separator.
    fn join(&self, list: Vec<String>) -> String {
        list.join(self.lang.say("、", ", "))
    }

    /// The roles that report to this one.
    fn subordinates(&self) -> Vec<usize> {
        (self.policy.roles.iter().enumerate())
            .filter(|(_, r)| r.reports_to == Some(self.index))
            .map(|(i, _)| i)
            .collect()
    }

    /// 职位目的: needed by every position description.
    fn purpose(&self) -> Option<Section> {
        let block = match &self.role.purpose {
            Some(p) => Block::Paragraph(self.l(p)),
            None => self.to_be_completed(),
        };
        self.section("职位目的", "Purpose", vec![block])
    }

    /// 工作关系: internal and external relations.
    fn relations(&self) -> Option<Section> {
        let lang = self.lang;
        let relations: Vec<String> = (self.role.relations.iter())
            .map(|(internal, text)| {
                let kind = if *internal {
                    lang.say("内部", "Internal")
                } else {
                    lang.say("外部", "External")
                };
                format!("{kind}{}{}", lang.say("：", ": "), self.l(text))
            })
            .collect();
        self.list_section("工作关系", "Working relations", relations)
    }

    /// 主要权利
    fn rights(&self) -> Option<Section> {
        let rights = self.role.rights.iter().map(|r| self.l(r)).collect();
        self.list_section("主要权利", "Rights", rights)
    }

    /// 应尽义务
    fn obligations(&self) -> Option<Section> {
        let obligations = self.role.obligations.iter().map(|r| self.l(r)).collect();
        self.list_section("应尽义务", "Obligations", obligations)
    }
}

#[cfg(test)]
mod tests {
    use super::chinese_number;

    #[test]
    fn chinese_numbers() {
        assert_eq!(chinese_number(1), "一");
        assert_eq!(chinese_number(10), "十");
        assert_eq!(chinese_number(14), "十四");
        assert_eq!(chinese_number(20), "二十");
        assert_eq!(chinese_number(23), "二十三");
    }
}
