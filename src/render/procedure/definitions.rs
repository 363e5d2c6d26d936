//! 术语和定义: the categories, severities and yes-or-no attributes, each with what it means
//! where the policy says, and what working days and hours are on each calendar the time
//! limits count on.

use super::super::words::clock;
use super::super::{Block, Lang};
use super::Pr;
use crate::time::OpenInterval;
use crate::vocabulary::AttrType;

impl Pr<'_> {
    /// The categories, then the severities from the lowest, with their definitions; the
    /// definition column only when some entry has one.
    pub(super) fn definitions(&self) -> Vec<Block> {
        let policy = self.policy;
        let defs = &policy.definitions;
        let mut blocks = vec![self.heading(2, "术语和定义", "Terms and definitions")];
        let categories: Vec<(String, Option<String>)> = (policy.categories.iter())
            .enumerate()
            .map(|(i, c)| {
                let means = defs.categories.get(i).cloned().flatten();
                (self.l(&c.label), means.map(|m| self.l(&m)))
            })
            .collect();
        blocks.extend(self.terms(
            self.say("投诉类别", "Complaint categories"),
            self.say("类别", "Category"),
            categories,
        ));
        let severities: Vec<(String, Option<String>)> = (policy.severities.iter())
            .enumerate()
            .map(|(i, s)| {
                let means = defs.severities.get(i).cloned().flatten();
                (self.l(&s.label), means.map(|m| self.l(&m)))
            })
            .collect();
        let mut severities = self.terms(
            self.say("严重程度", "Severities"),
            self.say("严重程度", "Severity"),
            severities,
        );
        if !severities.is_empty() {
            let note = self.say("由低到高排列。", "From the lowest to the highest.");
            severities.insert(1, Block::Paragraph(note));
        }
        blocks.extend(severities);
        // A yes-or-no attribute is a judgement someone makes (重大投诉, 会员): it is defined,
        // or marked as still to be defined; others appear where the policy defines them.
        let attributes: Vec<(String, Option<String>)> = (policy.attributes.iter())
            .filter(|a| a.means.is_some() || a.ty == AttrType::Bool)
            .map(|a| {
                let means = match &a.means {
                    Some(m) => self.l(m),
                    None => self.say("（待补充）", "(to be completed)"),
                };
                (self.l(&a.named.label), Some(means))
            })
            .collect();
        blocks.extend(self.terms(
            self.say("案件属性", "Case attributes"),
            self.say("属性", "Attribute"),
            attributes,
        ));
        blocks.extend(self.working_time());
        if blocks.len() == 1 {
            return Vec::new();
        }
        blocks
    }

    /// 工作时间: what "working day", "working hour" and "close of business" mean, and each
    /// calendar's weekly hours, closed and make-up days and valid range.
    fn working_time(&self) -> Vec<Block> {
        // A calendar never open (a list of holidays others use) counts no time by itself.
        let rows: Vec<Vec<String>> = (self.policy.calendars.iter())
            .filter(|c| c.calendar.spec().week.iter().any(|day| !day.is_empty()))
            .map(|c| {
                let spec = c.calendar.spec();
                let mut parts = vec![self.week(&spec.week)];
                let closed = spec.holidays.len() + spec.yearly.len();
                if closed > 0 {
                    parts.push(match self.lang {
                        Lang::Zh => format!(
                            "节假日不计（日历列出{}个休息日）",
                            spec.holidays.len() + spec.yearly.len()
                        ),
                        Lang::En => format!("holidays excluded ({closed} listed)"),
                    });
                }
                if !spec.workdays.is_empty() {
                    parts.push(match self.lang {
                        Lang::Zh => format!("调休上班日{}天计入", spec.workdays.len()),
                        Lang::En => {
                            format!("{} make-up working days included", spec.workdays.len())
                        }
                    });
                }
                if let Some((_, last)) = c.calendar.valid_range() {
                    let last = super::super::control::date(last, self.lang);
                    parts.push(match self.lang {
                        Lang::Zh => format!("日历有效至{last}"),
                        Lang::En => format!("valid to {last}"),
                    });
                }
                vec![
                    self.l(&c.named.label),
                    parts.join(self.say("；", "; ").as_str()),
                ]
            })
            .collect();
        if rows.is_empty() {
            return Vec::new();
        }
        vec![
            self.heading(3, "工作时间", "Working time"),
            Block::Paragraph(self.say(
                "时限按下列工作日历计算：工作日指日历开放的日子，工作小时指开放时段内的时间，“下班前”指当日最后一个开放时段结束前；“天”“小时”按自然时间计算。",
                "Time limits count on the calendars below: a working day is a day the calendar is open, a working hour an hour within its open hours, and close of business the end of the day's last open period; plain days and hours are calendar time.",
            )),
            Block::Table {
                header: vec![self.say("工作日历", "Calendar"), self.say("工作时间", "Working time")],
                rows,
            },
        ]
    }

    /// The weekly hours, days with the same hours together: 周一至周五 09:00–12:00、13:30–18:00.
    fn week(&self, week: &[Vec<OpenInterval>; 7]) -> String {
        let days_zh = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"];
        let days_en = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
        let day = |i: usize| match self.lang {
            Lang::Zh => days_zh[i],
            Lang::En => days_en[i],
        };
        let mut groups: Vec<(usize, usize)> = Vec::new();
        for i in 0..7 {
            match groups.last_mut() {
                Some((_, end)) if week[*end] == week[i] && *end + 1 == i => *end = i,
                _ => groups.push((i, i)),
            }
        }
        let open: Vec<String> = groups
            .into_iter()
            .filter(|(first, _)| !week[*first].is_empty())
            .map(|(first, last)| {
                let days = match (first == last, self.lang) {
                    (true, _) => day(first).to_string(),
                    (false, Lang::Zh) => format!("{}至{}", day(first), day(last)),
                    (false, Lang::En) => format!("{}–{}", day(first), day(last)),
                };
                let hours: Vec<String> = week[first]
                    .iter()
                    .map(|o| format!("{}–{}", clock(o.start), clock(o.end)))
                    .collect();
                format!("{days} {}", hours.join(self.say("、", ", ").as_str()))
            })
            .collect();
        if open.is_empty() {
            return self.say("不开放", "never open");
        }
        open.join(self.say("，", "; ").as_str())
    }

    /// One table of terms, or nothing when there are none.
    fn terms(
        &self,
        title: String,
        column: String,
        terms: Vec<(String, Option<String>)>,
    ) -> Vec<Block> {
        if terms.is_empty() {
            return Vec::new();
        }
        let defined = terms.iter().any(|(_, m)| m.is_some());
        let rows = (terms.into_iter())
            .map(|(name, means)| {
                if defined {
                    vec![name, means.unwrap_or_else(|| "—".into())]
                } else {
                    vec![name]
                }
            })
            .collect();
        let mut header = vec![column];
        if defined {
            header.push(self.say("定义", "Definition"));
        }
        vec![Block::Heading(3, title), Block::Table { header, rows }]
    }
}
