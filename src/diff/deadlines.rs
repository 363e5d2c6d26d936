//! The cases whose time limits change. For each target of the SLA blocks, each version's
//! cases split by the block whose definition applies (a later matching block replaces an
//! earlier one of the same name, as deciding does) and by the calendar it counts on (the
//! target's own, else the case's calendar from the `calendars` rules); then every pair of
//! pieces, one from each version, that meet with a different limit, calendar or terms, or on a
//! calendar whose hours or holidays changed.

use chrono::{Duration as Days, NaiveDate, NaiveTime, TimeZone};

use crate::analyse::{Cube, Region, Space};
use crate::check::{Policy, Target};
use crate::diff::routing::{Side, first_match};
use crate::diff::{DeadlineChange, Limit, Shift, Words};
use crate::render::{Lang, deadline_words, target_name};
use crate::time::Calendar;

/// A target as it applies to some cases: its definition and the calendar it counts on.
#[derive(Clone, Copy)]
struct Applied<'p> {
    target: &'p Target,
    calendar: Option<usize>,
}

/// Cases of one version and how a target applies to them (`None`: it does not).
type Pieces<'p> = Vec<(Region, Option<Applied<'p>>)>;

impl<'a> Side<'a> {
    /// The cases of `universe` by the calendar chosen for them (`None`: no calendar).
    fn calendars(
        &self,
        space: &Space<'_>,
        universe: &Cube,
    ) -> Option<Vec<(Region, Option<usize>)>> {
        let p = self.policy;
        let (pieces, rest) = first_match(space, self.calendar_rules.iter().map(Some), universe)?;
        let chosen = p.calendar_rules.iter().map(|r| Some(r.target));
        let mut out: Vec<(Region, Option<usize>)> = pieces.into_iter().zip(chosen).collect();
        let otherwise = p.calendar_otherwise.as_ref().map(|o| o.target);
        out.push((rest, otherwise.or(p.default_calendar)));
        Some(out)
    }

    /// The cases of `universe` by the definition of target `name` that applies to them.
    fn target(
        &self,
        space: &Space<'_>,
        universe: &Cube,
        name: &str,
        calendars: &[(Region, Option<usize>)],
    ) -> Option<Pieces<'a>> {
        let p = self.policy;
        // The last matching block that defines the target wins: first match, from the end.
        let defining: Vec<(usize, &'a Target)> = (p.slas.iter().enumerate().rev())
            .filter_map(|(i, s)| s.targets.iter().find(|t| t.name == name).map(|t| (i, t)))
            .collect();
        let conds = defining.iter().map(|&(i, _)| self.slas[i].as_ref());
        let (pieces, rest) = first_match(space, conds, universe)?;
        let mut out: Pieces<'a> = Vec::new();
        for (region, &(_, target)) in pieces.iter().zip(&defining) {
            for (cal_region, case_calendar) in calendars {
                let met = space.intersect(region, cal_region)?;
                if !met.is_empty() {
                    let calendar = target.calendar.or(*case_calendar);
                    out.push((met, Some(Applied { target, calendar })));
                }
            }
        }
        out.push((rest, None));
        Some(out)
    }
}

/// The limit as the change states it.
fn limit(policy: &Policy, applied: Option<Applied<'_>>, lang: Lang) -> Option<Limit> {
    let Applied { target, calendar } = applied?;
    // Elapsed time runs the same on every calendar: its calendar is no part of the limit (a
    // change of the policy's time zone is listed with the header).
    let calendar = calendar.filter(|_| target.span.clock() == crate::time::Clock::Working);
    let mut terms = Vec::new();
    if target.recurring {
        terms.push("every".to_string());
    }
    if target.aim {
        terms.push("aim".to_string());
    }
    if target.each {
        terms.push("each".to_string());
    }
    terms.push(format!("from {}", target.start));
    terms.push(format!("until {}", target.stop.join(", ")));
    Some(Limit {
        span: target.span,
        within: target.span.to_string(),
        words: deadline_words(target.span, lang),
        calendar: calendar
            .and_then(|i| policy.calendars.get(i))
            .map(|c| c.named.name.clone()),
        calendar_title: (calendar.and_then(|i| policy.calendars.get(i)))
            .map(|c| lang.pick(&c.named.label).to_string()),
        terms: terms.join(" "),
    })
}

/// Calendars, by name, whose definition differs between the versions.
fn changed_calendars(old: &Policy, new: &Policy) -> Vec<String> {
    (new.calendars.iter())
        .filter(|c| {
            (old.calendars.iter())
                .find(|o| o.named.name == c.named.name)
                .is_some_and(|o| o.calendar != c.calendar || o.beyond != c.beyond)
        })
        .map(|c| c.named.name.clone())
        .collect()
}

/// Every set of cases accepted by both versions for which a target's limit changes.
pub(super) fn changes(
    space: &Space<'_>,
    sides: &[Side<'_>; 2],
    universe: &Cube,
    words: &Words<'_>,
    unsettled: &mut Vec<String>,
) -> Vec<DeadlineChange> {
    let (old, new) = (sides[0].policy, sides[1].policy);
    let mut names: Vec<&str> = Vec::new();
    for t in (new.slas.iter().chain(&old.slas)).flat_map(|s| &s.targets) {
        if !names.contains(&t.name.as_str()) {
            names.push(&t.name);
        }
    }
    let recalendared = changed_calendars(old, new);
    let mut out = Vec::new();
    let too_large = || {
        words
            .lang
            .say(
                "时限：有条件过于复杂，无法精确比较",
                "deadlines: a condition is too large to compare exactly",
            )
            .to_string()
    };
    let (Some(old_cals), Some(new_cals)) = (
        sides[0].calendars(space, universe),
        sides[1].calendars(space, universe),
    ) else {
        unsettled.push(too_large());
        return out;
    };
    for name in names {
        let (Some(a), Some(b)) = (
            sides[0].target(space, universe, name, &old_cals),
            sides[1].target(space, universe, name, &new_cals),
        ) else {
            unsettled.push(too_large());
            continue;
        };
        // Grouped by the change of limit; the calendar is part of it only when the change
        // concerns it (another calendar, or the same one with other hours or holidays).
        type Pair = (Option<Limit>, Option<Limit>);
        let mut groups: Vec<(Pair, Vec<Cube>, Vec<Pair>)> = Vec::new();
        for (ra, applied_a) in &a {
            let from = limit(old, *applied_a, words.lang);
            for (rb, applied_b) in &b {
                let to = limit(new, *applied_b, words.lang);
                // Where the target applies on both sides, whether it counts on the same,
                // unchanged calendar; where it does not, there is no calendar to change.
                let calendar_kept = match (&from, &to) {
                    (Some(f), Some(t)) => {
                        f.calendar == t.calendar
                            && !f
                                .calendar
                                .as_ref()
                                .is_some_and(|c| recalendared.contains(c))
                    }
                    _ => true,
                };
                if from == to && calendar_kept {
                    continue;
                }
                let met: Vec<Cube> = (ra.iter())
                    .flat_map(|x| rb.iter().filter_map(|y| space.meet(x, y)))
                    .collect();
                if met.is_empty() {
                    continue;
                }
                let unplaced = |l: &Option<Limit>| {
                    l.clone().map(|l| Limit {
                        calendar: None,
                        calendar_title: None,
                        ..l
                    })
                };
                let key = if calendar_kept {
                    (unplaced(&from), unplaced(&to))
                } else {
                    (from.clone(), to.clone())
                };
                let pair = (from.clone(), to);
                match groups.iter_mut().find(|(k, ..)| *k == key) {
                    Some((_, cubes, pairs)) => {
                        cubes.extend(met);
                        if !pairs.contains(&pair) {
                            pairs.push(pair);
                        }
                    }
                    None => groups.push((key, met, vec![pair])),
                }
            }
        }
        for ((from, to), cubes, pairs) in groups {
            let (regions, more) = words.cases(cubes, universe);
            if regions.is_empty() {
                continue;
            }
            // A typical deadline compares clocks that start together: not when the start
            // event, the stop events or recurrence change (the terms say how).
            let typical = (pairs.iter())
                .filter(|(f, t)| matches!((f, t), (Some(f), Some(t)) if f.terms == t.terms))
                .filter_map(|(f, t)| shift(old, f.as_ref()?, new, t.as_ref()?, words.lang))
                .collect();
            let title = match target_name(new, name, words.lang) {
                t if t.is_empty() => target_name(old, name, words.lang),
                t => t,
            };
            out.push(DeadlineChange {
                target: name.to_string(),
                title,
                from,
                to,
                regions,
                more,
                cases: None,
                typical,
            });
        }
    }
    out
}

/// The deadline, before and after, of a case received at 10:00 on the first day from the new
/// version's effective date (else the old one's) that is a working day on both calendars.
fn shift(old: &Policy, from: &Limit, new: &Policy, to: &Limit, lang: Lang) -> Option<Shift> {
    let calendar_of = |p: &Policy, limit: &Limit| -> Calendar {
        match (limit.calendar.as_ref())
            .and_then(|c| p.calendars.iter().find(|d| &d.named.name == c))
        {
            Some(def) => (*def.calendar).clone(),
            None => Calendar::closed("elapsed", p.timezone),
        }
    };
    let (before_cal, after_cal) = (calendar_of(old, from), calendar_of(new, to));
    let mut day =
        (new.effective.or(old.effective)).or_else(|| NaiveDate::from_ymd_opt(2026, 1, 5))?;
    let open =
        |cal: &Calendar, d: NaiveDate| cal.name() == "elapsed" || !cal.hours_on(d).is_empty();
    // Where the calendar itself changed (hours, a holiday), the example is received on the
    // last working day before the first date the two differ, so that it shows the change.
    if before_cal.name() != "elapsed"
        && after_cal.name() != "elapsed"
        && let Some(changed) = (0..800)
            .map(|k| day + Days::days(k))
            .find(|d| before_cal.hours_on(*d) != after_cal.hours_on(*d))
    {
        day = (1..=14)
            .map(|k| changed - Days::days(k))
            .find(|d| *d >= day && open(&after_cal, *d) && open(&before_cal, *d))
            .unwrap_or(changed);
    }
    let working = (0..60)
        .map(|k| day + Days::days(k))
        .find(|d| open(&after_cal, *d) && open(&before_cal, *d))
        .unwrap_or(day);
    let local = working.and_time(NaiveTime::from_hms_opt(10, 0, 0)?);
    let start = new
        .timezone
        .from_local_datetime(&local)
        .single()?
        .timestamp();
    let before = before_cal.add(start, from.span).ok()?;
    let after = after_cal.add(start, to.span).ok()?;
    let calendar = match (&from.calendar, &to.calendar) {
        (a, b) if a == b => a.clone(),
        (a, b) => Some(format!(
            "{} -> {}",
            a.as_deref().unwrap_or("elapsed"),
            b.as_deref().unwrap_or("elapsed")
        )),
    };
    let title = |p: &Policy, c: &Option<String>| {
        (c.as_ref())
            .and_then(|c| p.calendars.iter().find(|d| &d.named.name == c))
            .map(|d| lang.pick(&d.named.label).to_string())
    };
    let calendar_title = match (title(old, &from.calendar), title(new, &to.calendar)) {
        (a, b) if from.calendar == to.calendar => b.or(a),
        (a, b) => Some(format!(
            "{} → {}",
            a.unwrap_or_else(|| lang.say("自然时间", "elapsed time").to_string()),
            b.unwrap_or_else(|| lang.say("自然时间", "elapsed time").to_string())
        )),
    };
    // Every instant in the new version's zone, so that the three read together.
    let shown = |t: i64| {
        chrono::DateTime::from_timestamp(t, 0)
            .map(|u| u.with_timezone(&new.timezone).to_rfc3339())
            .unwrap_or_default()
    };
    Some(Shift {
        calendar,
        calendar_title,
        start: shown(start),
        before: shown(before),
        after: shown(after),
        minutes: (after - before) / 60,
    })
}
