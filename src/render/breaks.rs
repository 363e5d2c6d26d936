//! Line breaking for text drawn in boxes (the flowchart): lines of at most a given width,
//! broken where a reader expects a break. Chinese has no spaces, and a greedy fill breaks it
//! inside words (不满/意？, 物流服/务商, 时限1个/工作小时). Without a dictionary, the breaks
//! are chosen by what a break point looks like: after punctuation and before an opening
//! bracket is best, before a conjunction or after 的 is good, inside a run of Chinese is
//! allowed but costs, and a number never leaves its measure word. Among the ways to break, the
//! one with the fewest lines, the least cost and the most even lines wins (a small dynamic
//! programme over the break points, as Knuth and Plass fill paragraphs).

use crate::diagnostic::display_width;

/// What a line costs for each column it is short of the width (squared), so that lines come
/// out even.
const SLACK: usize = 1;
/// What each line costs: fewer lines first.
const LINE: usize = 10_000;
/// A last line this narrow or narrower (in columns) is an orphan (意？).
const ORPHAN: usize = 4;

/// Breaks `text` into lines of at most `width` display columns; a piece wider than `width`
/// (a long Latin word) gets a line of its own.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let pieces = pieces(text);
    lines(&pieces, width)
        .into_iter()
        .map(|r| pieces[r].concat().trim().to_string())
        .collect()
}

/// The lines of `pieces` at `width`, as ranges of pieces (see [`wrap`]).
fn lines(pieces: &[String], width: usize) -> Vec<std::ops::Range<usize>> {
    let widths: Vec<usize> = pieces.iter().map(|p| display_width(p)).collect();
    let n = pieces.len();
    // best[i]: the least cost of setting pieces[..i], and where its last line starts.
    let mut best: Vec<(usize, usize)> = vec![(usize::MAX, 0); n + 1];
    best[0] = (0, 0);
    for end in 1..=n {
        let mut line = 0;
        for start in (0..end).rev() {
            // A line does not start with the space that separated it from the one before.
            let lead = usize::from(pieces[start].starts_with(' '));
            line += widths[start];
            let shown = line - lead;
            if shown > width && start + 1 < end {
                break;
            }
            let (before, _) = best[start];
            if before == usize::MAX {
                continue;
            }
            let slack = width.saturating_sub(shown);
            let last = end == n;
            let mut cost = LINE;
            if !last {
                cost += SLACK * slack * slack + break_cost(&pieces[end - 1], &pieces[end]);
            } else if start > 0 && shown <= ORPHAN {
                cost += LINE / 2;
            }
            let total = before.saturating_add(cost);
            if total < best[end].0 {
                best[end] = (total, start);
            }
        }
    }
    let mut ranges = Vec::new();
    let mut end = n;
    while end > 0 {
        let start = best[end].1;
        ranges.push(start..end);
        end = start;
    }
    ranges.reverse();
    ranges
}

/// The widest a segment is made when a phrase is cut, in display columns (six Chinese
/// characters: 第3个工作日 | 下班前).
const SEGMENT: usize = 12;

/// A break that costs this or less ends a phrase (punctuation, a bracket, a conjunction).
const PHRASE: usize = 150;

/// The widest text kept whole in a cell, in display columns (seven Chinese characters:
/// 每天3小时, 客服部经理, 2026年12月31日).
const WHOLE: usize = 14;

/// Chinese text of a table cell cut where it may wrap: 投诉处理与协调岗 → 投诉处理 | 与协调岗,
/// 第3个工作日下班前 → 第3个工作日 | 下班前; a short term (at most [`WHOLE`] columns)
/// is one segment. A narrow column then wraps the text only between segments, never inside a
/// word: browsers and word processors break Chinese between any two characters, which in a
/// narrow column reads 每天3小/时. The segments are as full as [`wrap`] can make them at
/// [`SEGMENT`] columns. `None` for text without Chinese (it wraps at its spaces).
pub fn segments(text: &str) -> Option<Vec<String>> {
    let chinese = text
        .chars()
        .any(|c| display_width(c.encode_utf8(&mut [0; 4])) > 1);
    if !chinese {
        return None;
    }
    if display_width(text) <= WHOLE {
        return Some(vec![text.to_string()]);
    }
    // Phrases end where a reader expects a break (after punctuation, before a bracket or a
    // conjunction, after 的); a phrase too wide is cut as the flowchart cuts its lines. The
    // pieces join back into the text, its spaces included.
    let pieces = pieces(text);
    let mut out = Vec::new();
    let mut start = 0;
    for end in 1..=pieces.len() {
        let phrase_ends =
            end == pieces.len() || break_cost(&pieces[end - 1], &pieces[end]) <= PHRASE;
        if !phrase_ends {
            continue;
        }
        let phrase = &pieces[start..end];
        let wide: usize = phrase.iter().map(|p| display_width(p)).sum();
        if wide <= SEGMENT {
            out.push(phrase.concat());
        } else {
            out.extend(
                lines(phrase, SEGMENT)
                    .into_iter()
                    .map(|r| phrase[r].concat()),
            );
        }
        start = end;
    }
    Some(out)
}

/// `text` with the hyphens of its ISO dates (2026-12-31) made non-breaking (U+2011), for a
/// word processor that would otherwise break 2026-12-/31 in a narrow column.
pub fn unbroken_dates(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let digits = |from: usize, n: usize| {
        from + n <= chars.len() && chars[from..from + n].iter().all(char::is_ascii_digit)
    };
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let date = digits(i, 4)
            && chars.get(i + 4) == Some(&'-')
            && digits(i + 5, 2)
            && chars.get(i + 7) == Some(&'-')
            && digits(i + 8, 2)
            && (i == 0 || !chars[i - 1].is_ascii_digit());
        if date {
            for (k, c) in chars[i..i + 10].iter().enumerate() {
                out.push(if k == 4 || k == 7 { '\u{2011}' } else { *c });
            }
            i += 10;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// What breaking between `before` and `after` costs: 0 where a reader expects a break.
fn break_cost(before: &str, after: &str) -> usize {
    let last = before.chars().last().unwrap_or(' ');
    let first = after.chars().next().unwrap_or(' ');
    if after.starts_with(' ')
        || "，。、；：？！）」』”,;:)".contains(last)
        || "（「『“(".contains(first)
    {
        return 0;
    }
    // A number stays with the words around it: 第3个, 3个工作日, 10:00前.
    if last.is_ascii_digit() || first.is_ascii_digit() {
        return 5_000;
    }
    // Before a conjunction or 不, or after 的 / 之 / 对: a phrase boundary.
    if "与和及或并且不".contains(first) || "的之对".contains(last) {
        return 150;
    }
    if splits_a_word(last, first) {
        return 3_000;
    }
    // A particle, a measure word or a word that ends a phrase does not start a line.
    if "的个天日时分前后内者员岗部".contains(first) {
        return 1_500;
    }
    600
}

/// Words of complaint handling that a break must not split (a two-character window of any of
/// them is inside a word). Not a dictionary of Chinese: the words these documents are made of,
/// which a greedy fill was seen to split.
const WORDS: &[&str] = &[
    "客户",
    "投诉",
    "处理",
    "不满意",
    "结果",
    "满意",
    "工作日",
    "小时",
    "部门",
    "岗位",
    "服务商",
    "质量",
    "产品",
    "上级",
    "主管",
    "经理",
    "专员",
    "主任",
    "协调",
    "时限",
    "回访",
    "受理",
    "登记",
    "分析",
    "原因",
    "信息技术",
    "物流",
    "售后",
    "运营",
    "合理",
    "诉求",
    "严重",
    "程度",
    "重大",
    "类别",
    "安装",
    "统计",
    "报告",
    "归档",
    "结案",
    "补充",
    "联系",
    "告知",
    "引导",
    "评估",
    "分类",
    "监督",
    "反馈",
    "复核",
    "办公",
    "文员",
    "工程师",
    "根本",
    "服务台",
    "直接",
    "承办",
    "情况",
    "记录",
    "调查",
    "升级",
    "通知",
    "确认",
    "解决",
    "方案",
    "赔偿",
    "退款",
    "换货",
    "维修",
    "订单",
    "商品",
    "平台",
    "渠道",
    "电话",
    "热线",
    "现场",
    "书面",
    "答复",
    "说明",
];

/// Whether `a` then `b` are two characters inside one of [`WORDS`].
fn splits_a_word(a: char, b: char) -> bool {
    WORDS.iter().any(|w| {
        let mut chars = w.chars().peekable();
        while let Some(c) = chars.next() {
            if c == a && chars.peek() == Some(&b) {
                return true;
            }
        }
        false
    })
}

/// Pieces that are not broken: a space and the Latin word after it, or one CJK character
/// with the punctuation that must stay on its line.
fn pieces(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in text.chars() {
        let wide = display_width(c.encode_utf8(&mut [0; 4])) > 1;
        let closing = "，。、；：？！）」』”".contains(c);
        let opening_before = out
            .last()
            .is_some_and(|l| l.chars().last().is_some_and(|p| "（「『“".contains(p)));
        match out.last_mut() {
            Some(last) if closing || opening_before => last.push(c),
            Some(last)
                if !wide
                    && c != ' '
                    && !last.ends_with(|p: char| display_width(p.encode_utf8(&mut [0; 4])) > 1) =>
            {
                last.push(c)
            }
            _ => out.push(c.to_string()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_are_cut_between_words() {
        assert_eq!(
            segments("投诉处理与协调岗"),
            Some(vec!["投诉处理".to_string(), "与协调岗".to_string()])
        );
        assert_eq!(
            segments("第3个工作日下班前"),
            Some(vec!["第3个工作日".to_string(), "下班前".to_string()])
        );
        // Short terms stay whole, Latin text is left to the page, and a sentence is cut
        // after its punctuation, into segments that join back into it.
        assert_eq!(segments("10:00前"), Some(vec!["10:00前".to_string()]));
        assert_eq!(segments("每天3小时"), Some(vec!["每天3小时".to_string()]));
        assert_eq!(segments("Complaint office director"), None);
        let sentence =
            "检查处理结果是否符合法律法规、政策规定和内部管理制度，是否满足客户的合理诉求";
        let cut = segments(sentence).unwrap_or_default();
        assert_eq!(cut.concat(), sentence);
        assert!(cut.iter().any(|s| s.ends_with('，')), "{cut:?}");
        let spaced = "周一至周五 09:00–12:00、13:30–18:00";
        assert_eq!(segments(spaced).unwrap_or_default().concat(), spaced);
    }

    #[test]
    fn iso_dates_do_not_break_at_their_hyphens() {
        assert_eq!(
            unbroken_dates("valid to 2026-12-31, from 2026-01-01"),
            "valid to 2026\u{2011}12\u{2011}31, from 2026\u{2011}01\u{2011}01"
        );
        assert_eq!(unbroken_dates("CO-QP-001 12-31"), "CO-QP-001 12-31");
    }

    #[test]
    fn chinese_breaks_at_phrase_boundaries_not_inside_words() {
        assert_eq!(
            wrap("告知客户原因，引导至物流服务商", 26),
            ["告知客户原因，", "引导至物流服务商"]
        );
        assert_eq!(
            wrap("投诉处理与协调岗，时限1个工作小时", 26),
            ["投诉处理与协调岗，", "时限1个工作小时"]
        );
        assert_eq!(
            wrap("承办岗位的直接上级（投诉办主任、总经理）", 26),
            ["承办岗位的直接上级", "（投诉办主任、总经理）"]
        );
        assert_eq!(
            wrap("处理结果未满足客户的合理诉求？", 18),
            ["处理结果未满足", "客户的合理诉求？"]
        );
        let question = wrap("客户对处理结果不满意？", 18);
        assert_eq!(question.len(), 2, "{question:?}");
        assert!(question[1].chars().count() > 3, "{question:?}");
    }

    #[test]
    fn text_that_fits_is_one_line_and_words_stay_whole() {
        assert_eq!(wrap("结案", 26), ["结案"]);
        assert_eq!(wrap("", 26), Vec::<String>::new());
        let english = wrap("Tell the customer why and refer them to the carrier", 26);
        assert!(
            english.iter().all(|l| display_width(l) <= 26),
            "{english:?}"
        );
        assert_eq!(
            english.join(" "),
            "Tell the customer why and refer them to the carrier"
        );
        assert_eq!(
            wrap("extraordinarilylongwordwithoutspaces here", 10).len(),
            2
        );
    }

    #[test]
    fn no_line_is_wider_than_asked_unless_a_word_is() {
        for text in [
            "根本原因分析（8D）客诉QE（客户质量工程师），时限10个工作日",
            "类别为产品质量，且严重程度为重大？",
            "承办岗位的直接上级（售后主管、运营经理）",
        ] {
            for width in [8, 12, 18, 26] {
                let lines = wrap(text, width);
                assert_eq!(lines.concat(), text.replace(' ', ""), "{text} at {width}");
                for line in &lines {
                    assert!(
                        display_width(line) <= width || pieces(line).len() == 1,
                        "{line} is wider than {width}"
                    );
                }
            }
        }
    }
}
