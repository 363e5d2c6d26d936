//! Calendars: open hours, holidays, make-up days and `use` of shared calendars, validated by
//! the time module and reported at the statement that is wrong.

use std::sync::Arc;

use chrono::{NaiveDate, Weekday};
use chrono_tz::Tz;

use crate::check::{CalendarDef, Compiler, YearlyLabel, named};
use crate::diagnostic::{Diagnostic, Kind};
use crate::syntax::Span;
use crate::syntax::ast::{CalendarStmt, Head, Item, Label, Node};
use crate::time::{Calendar, CalendarSpec, OpenInterval, SpecError, SpecPlace};

/// An extra working day: its date, its hours if given, and where it is written.
type WorkdayDecl = (NaiveDate, Option<Vec<Node<OpenInterval>>>, Span);

/// One calendar's statements, gathered (with those of the calendars it uses).
#[derive(Default)]
struct Gathered {
    tz: Option<Tz>,
    valid: Option<(NaiveDate, NaiveDate, Span)>,
    week: [Vec<Node<OpenInterval>>; 7],
    week_spans: [Option<Span>; 7],
    holidays: Vec<(NaiveDate, Span)>,
    workdays: Vec<WorkdayDecl>,
    yearly: Vec<((u32, u32), (u32, u32))>,
    /// The labels of holidays and yearly holidays, for saying why a day is closed.
    holiday_labels: Vec<(NaiveDate, NaiveDate, Label)>,
    yearly_labels: Vec<YearlyLabel>,
    /// `beyond valid provisional` (`true`) or `refuse`, and where; the calendar's own wins.
    beyond: Option<(bool, Span)>,
}

impl Compiler<'_> {
    /// Builds every calendar; `tz` is the policy's zone, the default for calendars.
    pub(crate) fn calendars(&mut self, tz: Tz) -> Vec<CalendarDef> {
        let decls: Vec<(&Head, &Vec<Node<CalendarStmt>>)> = self
            .items
            .iter()
            .filter_map(|i| match &i.node {
                Item::Calendar(h, stmts) => Some((h, stmts)),
                _ => None,
            })
            .collect();
        let mut defs = Vec::new();
        for (head, _) in &decls {
            if self
                .t
                .calendars
                .get(&head.name.name)
                .is_none_or(|i| i != defs.len())
            {
                continue;
            }
            let mut gathered = Gathered::default();
            let mut path = vec![head.name.name.clone()];
            self.gather(&decls, head, &mut gathered, &mut path);
            let provisional = gathered.beyond.is_some_and(|(p, _)| p);
            let valid_at = gathered.valid.map(|(_, _, span)| span);
            let holiday_labels = std::mem::take(&mut gathered.holiday_labels);
            let yearly_labels = std::mem::take(&mut gathered.yearly_labels);
            let calendar = self.build(head, gathered, tz);
            let beyond = provisional
                .then(|| calendar.beyond_valid().map(Arc::new))
                .flatten();
            defs.push(CalendarDef {
                named: named(head),
                calendar: Arc::new(calendar),
                beyond,
                valid_at,
                holiday_labels,
                yearly_labels,
            });
        }
        defs
    }

    fn gather(
        &mut self,
        decls: &[(&Head, &Vec<Node<CalendarStmt>>)],
        head: &Head,
        into: &mut Gathered,
        path: &mut Vec<String>,
    ) {
        let Some((_, stmts)) = decls.iter().find(|(h, _)| h.name.name == head.name.name) else {
            return;
        };
        let own = path.len() == 1;
        for stmt in stmts.iter() {
            match &stmt.node {
                CalendarStmt::Timezone(name) if own || into.tz.is_none() => {
                    into.tz = self.timezone(name, stmt.span)
                }
                CalendarStmt::Timezone(_) => {}
                CalendarStmt::Valid(a, b) => {
                    if b < a {
                        self.error(
                            Kind::ReversedRange,
                            stmt.span,
                            format!("valid range {a}..{b} ends before it starts"),
                        )
                        .help = Some("write the earlier date first".into());
                    } else if let (first, last) = crate::time::supported_range()
                        && (*a < first || *b > last)
                    {
                        self.error(
                            Kind::OutOfRange,
                            stmt.span,
                            format!("valid range {a}..{b} reaches beyond the dates charter computes, {first} to {last}"),
                        )
                        .help = Some(format!("keep the range within {first}..{last}"));
                    } else if own || into.valid.is_none() {
                        into.valid = Some((*a, *b, stmt.span));
                    }
                }
                CalendarStmt::Use(other) => {
                    if path.contains(&other.name) {
                        self.error(
                            Kind::Cycle,
                            other.span,
                            format!(
                                "calendars use each other in a circle: `{}` -> `{}`",
                                path.join("` -> `"),
                                other.name
                            ),
                        )
                        .help = Some("remove one of the `use` statements".into());
                        continue;
                    }
                    let Some(i) = self.t.calendars.resolve(other, &mut self.out) else {
                        continue;
                    };
                    let _ = i;
                    let used = decls
                        .iter()
                        .map(|(h, _)| *h)
                        .find(|h| h.name.name == other.name);
                    if let Some(used) = used {
                        path.push(other.name.clone());
                        self.gather(decls, used, into, path);
                        path.pop();
                    }
                }
                CalendarStmt::Week(days, hours) if own => {
                    for &(a, b) in days {
                        if b < a {
                            self.error(Kind::ReversedRange, stmt.span, "weekday range ends before it starts")
                                .help = Some("write weekday ranges Monday first, e.g. `mon..fri`; use two ranges to wrap".into());
                            continue;
                        }
                        for day in a..=b {
                            let day = usize::from(day);
                            if let Some(first) = into.week_spans[day] {
                                self.out.push(
                                    Diagnostic::error(Kind::Repeated, stmt.span, format!("the hours of {} are given twice", weekday_name(day)))
                                        .with_related(first, "first given here")
                                        .with_help("give each weekday its hours once; list several intervals with commas"),
                                );
                                continue;
                            }
                            into.week_spans[day] = Some(stmt.span);
                            into.week[day] = hours.clone();
                        }
                    }
                }
                CalendarStmt::Week(..) => {}
                CalendarStmt::Holiday(a, b, label) => {
                    if let Some(label) = label {
                        into.holiday_labels.push((*a, *b, label.clone()));
                    }
                    if b < a {
                        self.error(
                            Kind::ReversedRange,
                            stmt.span,
                            format!("holiday range {a}..{b} ends before it starts"),
                        )
                        .help = Some("write the earlier date first".into());
                    }
                    let mut d = *a;
                    while d <= *b {
                        into.holidays.push((d, stmt.span));
                        d = d.succ_opt().unwrap_or(*b + chrono::Days::new(1));
                    }
                }
                CalendarStmt::Workday(d, hours, _) => {
                    into.workdays.push((*d, hours.clone(), stmt.span))
                }
                CalendarStmt::Yearly(a, b, label) => {
                    if let Some(label) = label {
                        into.yearly_labels.push((*a, *b, label.clone()));
                    }
                    if b < a {
                        self.error(
                            Kind::ReversedRange,
                            stmt.span,
                            "a yearly holiday range ends before it starts",
                        )
                        .help = Some(
                            "keep a range within one year; write two `yearly` lines to span the new year"
                                .into(),
                        );
                    } else {
                        into.yearly.push((*a, *b));
                    }
                }
                CalendarStmt::Beyond(provisional) => {
                    if own || into.beyond.is_none() {
                        into.beyond = Some((*provisional, stmt.span));
                    }
                }
            }
        }
    }

    fn build(&mut self, head: &Head, g: Gathered, policy_tz: Tz) -> Calendar {
        let tz = g.tz.unwrap_or(policy_tz);
        let mut spec = CalendarSpec::new(head.name.name.clone(), tz);
        for (day, hours) in g.week.iter().enumerate() {
            spec.week[day] = hours.iter().map(|n| n.node).collect();
        }
        // A make-up day without hours works the hours of the first weekday that has some.
        let regular = spec
            .week
            .iter()
            .find(|d| !d.is_empty())
            .cloned()
            .unwrap_or_default();
        let mut workday_spans = Vec::new();
        for (date, hours, span) in &g.workdays {
            let hours = match hours {
                Some(h) => h.iter().map(|n| n.node).collect(),
                None => regular.clone(),
            };
            if hours.is_empty() && g.week.iter().any(|d| !d.is_empty()) {
                continue;
            }
            spec.workdays.push((*date, hours));
            workday_spans.push((*span, hours_spans(&g.workdays, *date)));
        }
        spec.holidays = g.holidays.iter().map(|(d, _)| *d).collect();
        spec.valid = g.valid.map(|(a, b, _)| (a, b));
        spec.yearly = g.yearly.clone();
        if let Some((true, span)) = g.beyond
            && g.valid.is_none()
        {
            self.out.push(
                Diagnostic::error(
                    Kind::Missing,
                    span,
                    format!(
                        "calendar `{}` has no `valid` range to go beyond",
                        head.name.name
                    ),
                )
                .with_help("add `valid FIRST..LAST`, or remove `beyond valid`"),
            );
        }
        if let Some((a, b, span)) = g.valid {
            let outside: Vec<(NaiveDate, Span)> = g
                .holidays
                .iter()
                .copied()
                .chain(g.workdays.iter().map(|(d, _, s)| (*d, *s)))
                .filter(|(d, _)| *d < a || *d > b)
                .collect();
            for (d, s) in outside.into_iter().take(3) {
                self.out.push(
                    Diagnostic::warning(
                        Kind::OutOfRange,
                        s,
                        format!("{d} is outside the calendar's valid range {a}..{b}"),
                    )
                    .with_related(span, "valid range")
                    .with_help("extend the valid range or remove the date"),
                );
            }
        }
        match Calendar::new(spec.clone()) {
            Ok(c) => c,
            Err(errors) => {
                for e in errors {
                    self.spec_error(&e, &g, &workday_spans);
                }
                Calendar::new(CalendarSpec::new(head.name.name.clone(), tz))
                    .unwrap_or_else(|_| empty_calendar(tz))
            }
        }
    }

    fn spec_error(&mut self, e: &SpecError, g: &Gathered, workdays: &[(Span, Option<Vec<Span>>)]) {
        let place_span = |place: SpecPlace, index: usize| -> Span {
            match place {
                SpecPlace::Week(day) => {
                    let d = day.num_days_from_monday() as usize;
                    g.week[d]
                        .get(index)
                        .map(|n| n.span)
                        .or(g.week_spans[d])
                        .unwrap_or_default()
                }
                SpecPlace::Workday(i) => workdays
                    .get(i)
                    .map(|(s, hours)| {
                        hours
                            .as_ref()
                            .and_then(|h| h.get(index).copied())
                            .unwrap_or(*s)
                    })
                    .unwrap_or_default(),
            }
        };
        let (span, help) = match e {
            SpecError::BadInterval { place, index, .. } => (
                place_span(*place, *index),
                "an interval closes after it opens, at 24:00 at the latest; split an interval that crosses midnight",
            ),
            SpecError::Overlap { place, index, .. } => (
                place_span(*place, *index),
                "open intervals of one day must not share time; merge them",
            ),
            SpecError::ReversedRange(..) => (
                g.valid.map(|v| v.2).unwrap_or_default(),
                "write the earlier date first",
            ),
            SpecError::HolidayAndWorkday { workday, .. }
            | SpecError::DuplicateWorkday { workday, .. } => (
                workdays.get(*workday).map(|w| w.0).unwrap_or_default(),
                "a date is either a holiday or a working day, once",
            ),
        };
        let kind = match e {
            SpecError::ReversedRange(..) => Kind::ReversedRange,
            SpecError::HolidayAndWorkday { .. } | SpecError::DuplicateWorkday { .. } => {
                Kind::Duplicate
            }
            _ => Kind::BadHours,
        };
        self.error(kind, span, e.to_string()).help = Some(help.into());
    }
}

fn hours_spans(workdays: &[WorkdayDecl], date: NaiveDate) -> Option<Vec<Span>> {
    workdays
        .iter()
        .find(|(d, ..)| *d == date)
        .and_then(|(_, h, _)| h.as_ref().map(|h| h.iter().map(|n| n.span).collect()))
}

fn empty_calendar(tz: Tz) -> Calendar {
    // An empty spec is always valid; this is only reached if that ever changes.
    match Calendar::new(CalendarSpec::new("invalid", tz)) {
        Ok(c) => c,
        Err(_) => unreachable_calendar(tz),
    }
}

#[expect(
    clippy::panic,
    reason = "an empty calendar spec has nothing to be invalid about"
)]
fn unreachable_calendar(_tz: Tz) -> Calendar {
    panic!("an empty calendar failed validation")
}

fn weekday_name(day: usize) -> &'static str {
    let day = Weekday::try_from(day as u8).unwrap_or(Weekday::Mon);
    match day {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}
