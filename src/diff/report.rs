//! A comparison as a document for the people who approve the change: what changes for cases
//! first (routing, intake, deadlines), then the declarations changed, then wording.

use crate::diff::{
    AcceptanceChange, Cases, Change, DeadlineChange, DeclarationChange, Diff, Intake, Limit,
    RouteChange, Shift,
};
use crate::render::{Block, Document, Lang};

/// The comparison as a document, in `lang` (the language the comparison was made in).
///
/// ```
/// use charter::diff::{Version, compare, document};
/// use charter::render::Lang;
/// let loaded = charter::syntax::load("policies/ecommerce-after-sales".as_ref());
/// let checked = charter::check::check(&loaded);
/// let (old, new) = (&checked.versions[0], &checked.versions[1]);
/// let diff = compare(&Version::of(&loaded, old), &Version::of(&loaded, new), Lang::Zh);
/// let markdown = document(&diff, Lang::Zh).to_markdown();
/// assert!(markdown.contains("## 时限"));
/// ```
pub fn document(diff: &Diff, lang: Lang) -> Document {
    let say = |zh: &str, en: &str| match lang {
        Lang::Zh => zh.to_string(),
        Lang::En => en.to_string(),
    };
    let version = |h: &crate::diff::Header| match (&h.effective, lang) {
        (Some(d), Lang::Zh) => format!("{}（{d} 起施行）", h.version),
        (Some(d), Lang::En) => format!("{} (in force from {d})", h.version),
        (None, _) => h.version.clone(),
    };
    let mut blocks = vec![Block::Paragraph(format!(
        "{}{} → {}",
        say("版本：", "Versions: "),
        version(&diff.old),
        version(&diff.new)
    ))];
    if let Some(changes) = &diff.new.changes {
        blocks.push(Block::Paragraph(format!(
            "{}{changes}",
            say("新版本所述变更：", "What the new version says it changes: ")
        )));
    }
    blocks.push(Block::Paragraph(if diff.behavioural() {
        say(
            "结论：本次修改改变了案件的处理方式，见下文各节。",
            "Verdict: this change alters how cases are handled; see the sections below.",
        )
    } else if diff.wording.is_empty() {
        say(
            "结论：行为没有变化，两个版本对每个案件的处理都相同（文本可能在注释、排版、声明顺序或条件写法上不同）。",
            "Verdict: no change in behaviour: both versions decide every case alike (their texts may differ in comments, layout, order, or how conditions are written).",
        )
    } else {
        say(
            "结论：行为没有变化；仅措辞有修改，见“措辞”一节。",
            "Verdict: no change in behaviour; only wording changed, listed under Wording.",
        )
    }));
    blocks.extend(cases_summary(diff, lang));
    for note in &diff.unsettled {
        blocks.push(Block::Paragraph(format!(
            "{}{note}",
            say("无法确定：", "Not settled: ")
        )));
    }
    if !diff.routing.is_empty() {
        blocks.push(Block::Heading(2, say("分派", "Routing")));
        blocks.push(Block::Paragraph(say(
            "两个版本都受理的案件中，处理岗位发生变化的案件：",
            "Among the cases both versions accept, those whose role changes:",
        )));
        for change in &diff.routing {
            blocks.extend(route_blocks(change, lang));
        }
    }
    if !diff.acceptance.is_empty() {
        blocks.push(Block::Heading(2, say("受理范围", "Acceptance")));
        let rows = diff
            .acceptance
            .iter()
            .map(|c| acceptance_row(c, lang))
            .collect();
        blocks.push(Block::Table {
            header: vec![
                say("类别", "Category"),
                say("修改前", "Before"),
                say("修改后", "After"),
            ],
            rows,
        });
    }
    if !diff.deadlines.is_empty() {
        blocks.push(Block::Heading(2, say("时限", "Deadlines")));
        for change in &diff.deadlines {
            blocks.extend(deadline_blocks(change, lang));
        }
    }
    if !diff.declarations.is_empty() {
        blocks.push(Block::Heading(2, say("其他声明", "Other declarations")));
        for change in &diff.declarations {
            blocks.extend(declaration_blocks(change, lang));
        }
    }
    if !diff.wording.is_empty() {
        blocks.push(Block::Heading(2, say("措辞", "Wording")));
        for change in &diff.wording {
            blocks.extend(declaration_blocks(change, lang));
        }
    }
    Document {
        title: match lang {
            Lang::Zh => format!("制度修改对照：{}", diff.new.title),
            Lang::En => format!("Policy change: {}", diff.new.title),
        },
        lang,
        blocks,
        control: None,
        fields: serde_json::Value::Null,
    }
}

fn role_words(role: Option<&crate::diff::Role>, lang: Lang) -> String {
    match role {
        Some(r) => match lang {
            Lang::Zh => format!("{}（`{}`）", r.title, r.name),
            Lang::En => format!("{} (`{}`)", r.title, r.name),
        },
        None => lang
            .say("（无规则分派）", "(no rule takes them)")
            .to_string(),
    }
}

fn route_blocks(change: &RouteChange, lang: Lang) -> Vec<Block> {
    let heading = format!(
        "{} → {}",
        role_words(change.from.as_ref(), lang),
        role_words(change.to.as_ref(), lang)
    );
    let mut blocks = vec![Block::Heading(3, heading)];
    blocks.extend(counted(change.cases, lang));
    blocks.push(Block::List(case_items(&change.regions, change.more, lang)));
    blocks
}

/// How many cases of the file a change affects, when a file was given.
fn counted(cases: Option<u64>, lang: Lang) -> Option<Block> {
    let n = cases?;
    Some(Block::Paragraph(match lang {
        Lang::Zh => format!("案件文件中受影响的案件：{n}件。"),
        Lang::En => format!("Cases of the file affected: {n}."),
    }))
}

fn case_items(regions: &[Cases], more: usize, lang: Lang) -> Vec<String> {
    let mut items: Vec<String> = regions
        .iter()
        .map(|c| {
            let condition = match (c.condition.is_empty(), lang) {
                (true, _) => String::new(),
                (false, Lang::Zh) => format!("（`{}`）", c.condition),
                (false, Lang::En) => format!(" (`{}`)", c.condition),
            };
            format!(
                "{}{condition}{}{}",
                c.words,
                lang.say("；例：", "; for example: "),
                example(&c.example)
            )
        })
        .collect();
    if more > 0 {
        items.push(match lang {
            Lang::Zh => format!("另有{more}组案件未列出"),
            Lang::En => format!("and {more} more sets of cases not listed"),
        });
    }
    items
}

/// An example case in one line: `category = billing, channel = phone, amount = 6500` (its
/// id, receipt and fields are in the JSON form).
fn example(case: &serde_json::Value) -> String {
    let mut parts = Vec::new();
    for key in ["category", "channel", "severity"] {
        if let Some(v) = case.get(key).and_then(|v| v.as_str()) {
            parts.push(format!("{key} = {v}"));
        }
    }
    if let Some(attrs) = case.get("attributes").and_then(|a| a.as_object()) {
        for (k, v) in attrs {
            parts.push(format!("{k} = {v}"));
        }
    }
    format!("`{}`", parts.join(", "))
}

fn intake_words(intake: &Intake, lang: Lang) -> String {
    match intake {
        Intake::Accepted => lang.say("受理", "accepted").to_string(),
        Intake::Redirected { title, .. } => match lang {
            Lang::Zh => format!("转至{title}"),
            Lang::En => format!("redirected to {title}"),
        },
        Intake::OutOfScope => lang.say("不在受理范围", "out of scope").to_string(),
        Intake::Undeclared => lang.say("未定义", "not declared").to_string(),
    }
}

fn acceptance_row(c: &AcceptanceChange, lang: Lang) -> Vec<String> {
    vec![
        match lang {
            Lang::Zh => format!("{}（{}）", c.title, c.category),
            Lang::En => format!("{} ({})", c.title, c.category),
        },
        intake_words(&c.from, lang),
        intake_words(&c.to, lang),
    ]
}

/// A limit in words; with its terms (start and stop events, `every`, `aim`, `each`) when
/// `terms` is set.
fn limit_words(limit: Option<&Limit>, lang: Lang, terms: bool) -> String {
    let Some(l) = limit else {
        return lang.say("不适用", "does not apply").to_string();
    };
    let words = match (&l.calendar_title, lang) {
        (Some(c), Lang::Zh) => format!("{}（按{c}计）", l.words),
        (Some(c), Lang::En) => format!("{} (on {c})", l.words),
        (None, _) => l.words.clone(),
    };
    match (terms, lang) {
        (false, _) => words,
        (true, Lang::Zh) => format!("{words}（`{}`）", l.terms),
        (true, Lang::En) => format!("{words} (`{}`)", l.terms),
    }
}

/// Minutes as hours and minutes: `8 h 30 min`, `8小时30分钟`.
fn minutes_words(minutes: u64, lang: Lang) -> String {
    let (h, m) = (minutes / 60, minutes % 60);
    match (h, m, lang) {
        (0, m, Lang::Zh) => format!("{m}分钟"),
        (h, 0, Lang::Zh) => format!("{h}小时"),
        (h, m, Lang::Zh) => format!("{h}小时{m}分钟"),
        (0, m, Lang::En) => format!("{m} min"),
        (h, 0, Lang::En) => format!("{h} h"),
        (h, m, Lang::En) => format!("{h} h {m} min"),
    }
}

/// An RFC 3339 instant as people read it, in its own offset: `Thu 8 Oct 2026 10:00`,
/// `2026年10月8日（周四）10:00`.
fn when(instant: &str, lang: Lang) -> String {
    let Ok(t) = chrono::DateTime::parse_from_rfc3339(instant) else {
        return instant.to_string();
    };
    match lang {
        Lang::En => t.format("%a %-d %b %Y %H:%M").to_string(),
        Lang::Zh => {
            use chrono::Datelike;
            let day = ["一", "二", "三", "四", "五", "六", "日"]
                [t.weekday().num_days_from_monday() as usize];
            format!(
                "{}（周{day}）{}",
                t.format("%Y年%-m月%-d日"),
                t.format("%H:%M")
            )
        }
    }
}

fn shift_words(shift: &Shift, lang: Lang) -> String {
    let amount = minutes_words(shift.minutes.unsigned_abs(), lang);
    let direction = match (shift.minutes.signum(), lang) {
        (0, Lang::Zh) => "截止时间不变".to_string(),
        (0, Lang::En) => "the deadline does not move".to_string(),
        (-1, Lang::Zh) => format!("提前{amount}"),
        (-1, Lang::En) => format!("{amount} earlier"),
        (_, Lang::Zh) => format!("推迟{amount}"),
        (_, Lang::En) => format!("{amount} later"),
    };
    let calendar = match (&shift.calendar_title, lang) {
        (Some(c), Lang::Zh) => format!("（按{c}计）"),
        (Some(c), Lang::En) => format!(" (on {c})"),
        (None, _) => String::new(),
    };
    let (start, before, after) = (
        when(&shift.start, lang),
        when(&shift.before, lang),
        when(&shift.after, lang),
    );
    match lang {
        Lang::Zh => format!(
            "例{calendar}：{start} 收到的案件，截止时间由 {before} 变为 {after}（{direction}）。"
        ),
        Lang::En => format!(
            "For example{calendar}: a case received {start} was due {before} and is now due {after} ({direction})."
        ),
    }
}

fn deadline_blocks(change: &DeadlineChange, lang: Lang) -> Vec<Block> {
    let terms_differ =
        matches!((&change.from, &change.to), (Some(f), Some(t)) if f.terms != t.terms);
    let mut blocks = vec![Block::Heading(
        3,
        format!(
            "{}{}`{}`{}{}{} → {}",
            change.title,
            lang.say("（", " ("),
            change.target,
            lang.say("）", ")"),
            lang.say("：", ": "),
            limit_words(change.from.as_ref(), lang, terms_differ),
            limit_words(change.to.as_ref(), lang, terms_differ)
        ),
    )];
    blocks.extend(counted(change.cases, lang));
    blocks.push(Block::List(case_items(&change.regions, change.more, lang)));
    if let (Some(f), Some(t)) = (&change.from, &change.to)
        && f == t
    {
        blocks.push(Block::Paragraph(
            lang.say(
                "时限未改，但所用日历已修改（工作时间、节假日、有效期或有效期后的处理）。",
            "The limit is unchanged, but its calendar changed (hours, holidays, valid range, or what happens beyond it).",
            )
            .to_string(),
        ));
    }
    blocks.extend((change.typical.iter()).map(|shift| Block::Paragraph(shift_words(shift, lang))));
    blocks
}

fn declaration_blocks(change: &DeclarationChange, lang: Lang) -> Vec<Block> {
    let what = match (change.change, lang) {
        (Change::Added, Lang::Zh) => "新增",
        (Change::Added, Lang::En) => "added",
        (Change::Removed, Lang::Zh) => "删除",
        (Change::Removed, Lang::En) => "removed",
        (Change::Changed, Lang::Zh) => "修改",
        (Change::Changed, Lang::En) => "changed",
    };
    let name = if change.name.is_empty() {
        format!("`{}`", change.kind)
    } else {
        format!("`{} {}`", change.kind, change.name)
    };
    let mut items: Vec<String> = Vec::new();
    // Statements keep their nesting (a duty's statements under the duty), less the block's
    // own indentation.
    let line = |l: &String| l.strip_prefix("  ").unwrap_or(l).trim_end().to_string();
    items.extend(change.removed.iter().map(|l| format!("− `{}`", line(l))));
    items.extend(change.added.iter().map(|l| format!("+ `{}`", line(l))));
    vec![
        Block::Paragraph(format!("{name}{}{what}", lang.say("：", ": "))),
        Block::List(items),
    ]
}

/// The document as plain text for a terminal: headings underlined, lists with dashes, tables
/// as rows of cells, code marks dropped.
///
/// ```
/// use charter::diff::{Version, compare, document, plain};
/// use charter::render::Lang;
/// let loaded = charter::syntax::load("policies/complaint-office".as_ref());
/// let checked = charter::check::check(&loaded);
/// let version = Version::of(&loaded, &checked.versions[0]);
/// let text = plain(&document(&compare(&version, &version, Lang::En), Lang::En));
/// assert!(text.contains("Verdict: no change in behaviour"));
/// assert!(!text.contains('`'));
/// ```
pub fn plain(doc: &Document) -> String {
    let clean = |s: &str| s.replace('`', "");
    let mut out = format!("{}\n{}\n", doc.title, "=".repeat(width(&doc.title).min(60)));
    for block in &doc.blocks {
        match block {
            Block::Heading(level, text) => {
                let text = clean(text);
                let rule = if *level <= 2 { '=' } else { '-' };
                out.push('\n');
                out.push_str(&text);
                out.push('\n');
                out.push_str(&rule.to_string().repeat(width(&text).clamp(3, 60)));
                out.push('\n');
            }
            Block::Paragraph(text) => {
                out.push('\n');
                out.push_str(&clean(text));
                out.push('\n');
            }
            Block::List(items) => {
                for item in items {
                    // Lines of a declaration carry their own − and + marks.
                    let marked = item.starts_with('−') || item.starts_with('+');
                    out.push_str(if marked { "  " } else { "  - " });
                    out.push_str(&clean(item));
                    out.push('\n');
                }
            }
            Block::Table { header, rows } => {
                out.push_str(&format!("  {}\n", header.join(" | ")));
                for row in rows {
                    out.push_str(&format!("  {}\n", clean(&row.join(" | "))));
                }
            }
            _ => {}
        }
    }
    out
}

/// Columns `text` takes in a terminal: two for a Chinese character or full-width sign.
fn width(text: &str) -> usize {
    text.chars()
        .map(|c| if c >= '\u{2E80}' { 2 } else { 1 })
        .sum()
}

/// What the file of cases shows, when one was given, and the records not compared.
#[cfg(feature = "batch")]
fn cases_summary(diff: &Diff, lang: Lang) -> Vec<Block> {
    let Some(c) = diff.cases.as_ref() else {
        return Vec::new();
    };
    let mut blocks = vec![Block::Paragraph(match lang {
        Lang::Zh => format!(
            "案件文件：读取{}条记录，{}件按两个版本判定（{}条无法判定）；其中{}件处理岗位改变，{}件时限改变{}。",
            c.records,
            c.compared,
            c.errors,
            c.route_changed,
            c.deadline_changed,
            if c.unexplained > 0 {
                format!(
                    "；{}件的变化不在下列各项之内（案件缺少条件所问的属性）",
                    c.unexplained
                )
            } else {
                String::new()
            }
        ),
        Lang::En => format!(
            "Cases: {} records read, {} decided under both versions ({} could not be); {} change role, {} have a deadline moved{}.",
            c.records,
            c.compared,
            c.errors,
            c.route_changed,
            c.deadline_changed,
            if c.unexplained > 0 {
                format!(
                    "; {} change in ways none of the changes below covers (they lack an attribute a condition asks about)",
                    c.unexplained
                )
            } else {
                String::new()
            }
        ),
    })];
    if !c.failures.is_empty() {
        blocks.push(Block::Paragraph(
            lang.say("未能比较的记录：", "Records not compared:")
                .to_string(),
        ));
        let mut items: Vec<String> = (c.failures.iter())
            .map(|f| {
                let id =
                    f.id.as_deref()
                        .map(|i| format!(" `{i}`"))
                        .unwrap_or_default();
                let code = f.code.map(|k| format!(" [{k}]")).unwrap_or_default();
                match lang {
                    Lang::Zh => format!("第{}行{id}{code}：{}", f.line, f.error),
                    Lang::En => format!("line {}{id}{code}: {}", f.line, f.error),
                }
            })
            .collect();
        if c.errors > c.failures.len() as u64 {
            let more = c.errors - c.failures.len() as u64;
            items.push(match lang {
                Lang::Zh => format!("另有{more}条未列出"),
                Lang::En => format!("and {more} more not listed"),
            });
        }
        blocks.push(Block::List(items));
    }
    blocks
}

#[cfg(not(feature = "batch"))]
fn cases_summary(_: &Diff, _: Lang) -> Vec<Block> {
    Vec::new()
}
