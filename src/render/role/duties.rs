//! 工作职责: the duties table (the catch-all duty last), then the work items under each duty
//! with their own time, as the seeds' 工作内容 / 耗时 columns.

use crate::check::{Duty, WorkTime};

use super::super::words::unit_zh;
use super::super::{Block, Lang};
use super::{Pd, Section};

impl<'a> Pd<'a> {
    /// The duties in the order they are shown: the catch-all duty last.
    fn ordered_duties(&self) -> Vec<&'a Duty> {
        let duties = &self.role.duties;
        (duties.iter().filter(|d| !d.other))
            .chain(duties.iter().filter(|d| d.other))
            .collect()
    }

    pub(super) fn duties(&self) -> Option<Section> {
        let duties = self.ordered_duties();
        if duties.is_empty() {
            return self.section("工作职责", "Duties", vec![self.to_be_completed()]);
        }
        let rows: Vec<Vec<String>> = (duties.iter().enumerate())
            .map(|(n, d)| self.duty_row(n + 1, d))
            .collect();
        let header = vec![
            self.say("序号", "No."),
            self.say("职责", "Duty"),
            self.say("权重", "Weight"),
            self.say("时间", "Time"),
            self.say("衡量标准", "Measure"),
            self.say("关键流程", "Key process"),
            self.say("关键结果", "Key result"),
        ];
        let mut blocks = vec![without_empty_columns(header, rows)];
        blocks.extend(self.work_items(&duties));
        self.section("工作职责", "Duties", blocks)
    }

    fn duty_row(&self, n: usize, d: &'a Duty) -> Vec<String> {
        let process = (d.process.iter().map(|p| self.l(p)))
            .collect::<Vec<_>>()
            .join(" → ");
        vec![
            n.to_string(),
            self.l(&d.named.label),
            d.weight.map(|w| format!("{w}%")).unwrap_or_default(),
            self.duty_time(d),
            d.measure.as_ref().map(|m| self.l(m)).unwrap_or_default(),
            process,
            d.result.as_ref().map(|r| self.l(r)).unwrap_or_default(),
        ]
    }

    /// A duty's time budget: "每周1天", "1 day per week", "ad hoc"; empty when not given.
    fn duty_time(&self, d: &Duty) -> String {
        match (&d.time, d.ad_hoc) {
            (_, true) => self.say("不定时", "ad hoc"),
            (Some((amount, unit, period)), false) => self.per(*amount, unit, period),
            (None, false) => String::new(),
        }
    }

    /// "每天0.5小时", "0.5 hours per day".
    fn per(&self, amount: f64, unit: &str, period: &str) -> String {
        match self.lang {
            Lang::Zh => format!("每{}{amount}{}", unit_zh(period), unit_zh(unit)),
            Lang::En if amount == 1.0 => format!("1 {} per {period}", unit.trim_end_matches('s')),
            Lang::En => format!("{amount} {unit} per {period}"),
        }
    }

    /// 工作内容: one row per work item, under the number of its duty.
    fn work_items(&self, duties: &[&'a Duty]) -> Vec<Block> {
        let mut rows = Vec::new();
        for (n, d) in duties.iter().enumerate() {
            for item in &d.items {
                let time = match &item.time {
                    None => String::new(),
                    Some(WorkTime::AdHoc) => self.say("不定时", "ad hoc"),
                    Some(WorkTime::Per(amount, unit, per)) => self.per(*amount, unit, per),
                };
                rows.push(vec![(n + 1).to_string(), self.l(&item.text), time]);
            }
        }
        if rows.is_empty() {
            return Vec::new();
        }
        let header = vec![
            self.say("职责序号", "Duty"),
            self.say("工作内容", "Work item"),
            self.say("耗时", "Time"),
        ];
        vec![
            Block::Paragraph(self.say("各项职责的工作内容：", "Work items of each duty:")),
            without_empty_columns(header, rows),
        ]
    }
}

/// A table without the columns no row fills (a policy that gives no duty a weight shows no
/// weight column); the cells left empty in the columns kept read "—".
pub(super) fn without_empty_columns(header: Vec<String>, rows: Vec<Vec<String>>) -> Block {
    let keep: Vec<bool> = (0..header.len())
        .map(|c| rows.iter().any(|r| r.get(c).is_some_and(|x| !x.is_empty())))
        .collect();
    let pick = |row: Vec<String>, dash: bool| -> Vec<String> {
        (row.into_iter().zip(&keep))
            .filter(|(_, k)| **k)
            .map(|(x, _)| {
                if dash && x.is_empty() {
                    "—".into()
                } else {
                    x
                }
            })
            .collect()
    };
    Block::Table {
        header: pick(header, false),
        rows: rows.into_iter().map(|r| pick(r, true)).collect(),
    }
}
