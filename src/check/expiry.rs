//! Calendars that run out: a warning, before the day comes, for every calendar whose `valid`
//! range ends within [`WARN_DAYS`] of a given date. Checking itself does not read the clock;
//! the front end passes today's date (or a pinned one).

use chrono::NaiveDate;

use crate::check::{Checked, Policy};
use crate::diagnostic::{Diagnostic, Kind};
use crate::syntax::Span;

/// How long before the end of a calendar's range the warning starts.
pub const WARN_DAYS: i64 = 90;

/// One warning per `valid` range (of any version) that ends within [`WARN_DAYS`] days of
/// `today`, or has ended, at the place it is written; it names the calendars that have that
/// range (a shared calendar's range is every importing calendar's) and what happens past it.
///
/// ```
/// use chrono::NaiveDate;
/// let loaded = charter::syntax::load("policies/complaint-office".as_ref());
/// let checked = charter::check::check(&loaded);
/// let in_june = charter::check::calendars_ending(&checked, NaiveDate::from_ymd_opt(2026, 6, 1).ok_or("a date")?);
/// assert!(in_june.is_empty());
/// let in_december = charter::check::calendars_ending(&checked, NaiveDate::from_ymd_opt(2026, 12, 5).ok_or("a date")?);
/// assert_eq!(in_december.len(), 1);
/// assert_eq!(in_december[0].kind.code(), "E0021");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn calendars_ending(checked: &Checked, today: NaiveDate) -> Vec<Diagnostic> {
    // By place: the last valid date, and the calendars that decide provisionally or refuse.
    let mut ranges: Vec<(Span, NaiveDate, Vec<&str>, Vec<&str>)> = Vec::new();
    let in_use = checked.versions.iter().flat_map(|v| {
        let used = used(v);
        (v.calendars.iter().enumerate())
            .filter_map(move |(i, def)| used.contains(&i).then_some(def))
    });
    for def in in_use {
        let (Some((_, last)), Some(span)) = (def.calendar.valid_range(), def.valid_at) else {
            continue;
        };
        if (last - today).num_days() > WARN_DAYS {
            continue;
        }
        let i = match ranges.iter().position(|r| r.0 == span) {
            Some(i) => i,
            None => {
                ranges.push((span, last, Vec::new(), Vec::new()));
                ranges.len() - 1
            }
        };
        let (_, _, provisional, refused) = &mut ranges[i];
        let list = if def.beyond.is_some() {
            provisional
        } else {
            refused
        };
        if !list.contains(&def.named.name.as_str()) {
            list.push(&def.named.name);
        }
    }
    ranges
        .into_iter()
        .map(|(span, last, provisional, refused)| {
            let left = (last - today).num_days();
            let when = match left {
                0.. => format!("{left} day{} from {today}", if left == 1 { "" } else { "s" }),
                _ => format!("{} days before {today}", -left),
            };
            let mut then = Vec::new();
            if !provisional.is_empty() {
                then.push(format!(
                    "cases on {} that need later dates are decided provisionally, from the weekly hours and yearly holidays only",
                    names(&provisional)
                ));
            }
            if !refused.is_empty() {
                then.push(format!(
                    "cases on {} that need later dates are refused",
                    names(&refused)
                ));
            }
            Diagnostic::warning(
                Kind::CalendarEnding,
                span,
                format!("this valid range ends on {last}, {when}: {}", then.join("; ")),
            )
            .with_help(
                "add the next period's holidays and working days and extend `valid`; `beyond valid provisional` in a calendar decides provisionally past it",
            )
        })
        .collect()
}

/// How long a calendar a policy decides with stays valid, as of a date.
///
/// ```
/// use chrono::NaiveDate;
/// # let engine = charter::decide::Engine::from_sources(&[
/// #     ("office/policy.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/complaint-office/policy.charter"))),
/// #     ("calendars/cn-2026.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/calendars/cn-2026.charter"))),
/// # ])?;
/// # let policy = &engine.versions()[0].policy;
/// // `policy` is the complaint office's, compiled.
/// let today = NaiveDate::from_ymd_opt(2026, 12, 5).ok_or("a date")?;
/// let validity = charter::check::calendar_validity([policy].into_iter(), today);
/// // cn_2026 runs to the end of 2026, and the office decides past it provisionally.
/// assert_eq!(validity[0].last.to_string(), "2026-12-31");
/// assert_eq!((validity[0].days_left, validity[0].provisional), (26, true));
/// let warning = validity[0].warning(today).ok_or("within 90 days")?;
/// assert!(warning.contains("26 days from 2026-12-05"), "{warning}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Validity {
    /// The calendar's name.
    pub calendar: String,
    /// The last date of its `valid` range (its own, or that of a calendar it uses).
    pub last: NaiveDate,
    /// Days from the date asked about to `last`: 0 on the last valid day, negative after it.
    pub days_left: i64,
    /// Whether cases that need later dates are decided provisionally (`beyond valid
    /// provisional`) rather than refused.
    pub provisional: bool,
}

impl Validity {
    /// The E0021 warning in words, when the range ends within [`WARN_DAYS`] of `today` (or
    /// has ended).
    pub fn warning(&self, today: NaiveDate) -> Option<String> {
        if self.days_left > WARN_DAYS {
            return None;
        }
        let left = self.days_left;
        let when = match left {
            0.. => format!(
                "{left} day{} from {today}",
                if left == 1 { "" } else { "s" }
            ),
            _ => format!("{} days before {today}", -left),
        };
        let then = if self.provisional {
            "cases that need later dates are decided provisionally, from the weekly hours and yearly holidays only"
        } else {
            "cases that need later dates are refused"
        };
        Some(format!(
            "calendar `{}` is valid until {}, {when}: {then}",
            self.calendar, self.last
        ))
    }
}

/// Every calendar the `versions` decide with that has a valid range, once per name (the
/// latest version's when versions differ), by name, with its days left from `today`.
pub fn calendar_validity<'a>(
    versions: impl DoubleEndedIterator<Item = &'a Policy>,
    today: NaiveDate,
) -> Vec<Validity> {
    let mut out: Vec<Validity> = Vec::new();
    for v in versions.rev() {
        for i in used(v) {
            let def = &v.calendars[i];
            let Some((_, last)) = def.calendar.valid_range() else {
                continue;
            };
            if out.iter().any(|c| c.calendar == def.named.name) {
                continue;
            }
            out.push(Validity {
                calendar: def.named.name.clone(),
                last,
                days_left: (last - today).num_days(),
                provisional: def.beyond.is_some(),
            });
        }
    }
    out.sort_by(|a, b| a.calendar.cmp(&b.calendar));
    out
}

/// The calendars a version decides with (not those only `use`d by others).
fn used(policy: &Policy) -> Vec<usize> {
    let targets = (policy.slas.iter().flat_map(|s| &s.targets))
        .chain(policy.stages.iter().flat_map(|s| &s.targets))
        .map(|t| t.calendar);
    let rules = (policy.calendar_rules.iter().map(|r| r.target))
        .chain(policy.calendar_otherwise.as_ref().map(|o| o.target));
    let others = [
        policy.default_calendar,
        policy.scope.incomplete.and_then(|(_, on)| on),
    ]
    .into_iter()
    .chain(
        policy
            .callbacks
            .iter()
            .map(|c| c.within.as_ref().and_then(|w| w.2)),
    )
    .chain(policy.reports.iter().map(|r| r.calendar));
    targets.chain(others).flatten().chain(rules).collect()
}

fn names(list: &[&str]) -> String {
    list.iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
