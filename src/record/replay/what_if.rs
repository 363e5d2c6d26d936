//! The what-if of a replay under another policy, over every changed decision (not only the
//! listed ones): which handlers and acceptance outcomes the cases really answered would move
//! between, and how each target's deadlines would move. The audit's view of a change of
//! policy, on the log's cases.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

/// The moves of one changed decision.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Moves {
    /// The handler as answered and as decided now (`None`: not routed), when it differs.
    pub route: Option<(Option<String>, Option<String>)>,
    /// The acceptance outcome, when it differs (`not decided` when the case is refused now).
    pub outcome: Option<(Option<String>, Option<String>)>,
    /// Per target (`stage.target` for a stage's): the deadline as answered and as decided
    /// now, UTC seconds, when they differ.
    pub deadlines: Vec<(String, Option<i64>, Option<i64>)>,
}

impl Moves {
    /// The moves between a logged decision and the one made now (both as JSON).
    pub fn between(logged: &Value, replayed: &Value) -> Moves {
        let role = |d: &Value| d["route"]["role"].as_str().map(str::to_string);
        let outcome = |d: &Value| d["acceptance"]["outcome"].as_str().map(str::to_string);
        let mut moves = Moves::default();
        if role(logged) != role(replayed) {
            moves.route = Some((role(logged), role(replayed)));
        }
        if outcome(logged) != outcome(replayed) {
            moves.outcome = Some((outcome(logged), outcome(replayed)));
        }
        let deadlines = |d: &Value| -> BTreeMap<String, Option<i64>> {
            (d["targets"].as_array().into_iter().flatten())
                .map(|t| {
                    let name = match t["stage"].as_str() {
                        Some(stage) => format!("{stage}.{}", t["name"].as_str().unwrap_or("")),
                        None => t["name"].as_str().unwrap_or("").to_string(),
                    };
                    let at = t["deadline"]
                        .as_str()
                        .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
                        .map(|d| d.timestamp());
                    (name, at)
                })
                .collect()
        };
        let (before, after) = (deadlines(logged), deadlines(replayed));
        let names: std::collections::BTreeSet<&String> =
            before.keys().chain(after.keys()).collect();
        for name in names {
            let (was, now) = (
                before.get(name).copied().flatten(),
                after.get(name).copied().flatten(),
            );
            if was != now {
                moves.deadlines.push((name.clone(), was, now));
            }
        }
        moves
    }

    /// A case that was decided then and is refused now.
    pub fn refused(logged: &Value) -> Moves {
        Moves {
            outcome: Some((
                logged["acceptance"]["outcome"].as_str().map(str::to_string),
                Some("not decided".into()),
            )),
            ..Moves::default()
        }
    }
}

/// One move between two values, and how many cases make it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Moved {
    /// As answered (`null`: none).
    pub from: Option<String>,
    /// As decided now (`null`: none).
    pub to: Option<String>,
    /// How many cases.
    pub cases: u64,
}

/// How one target's deadlines move.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Deadlines {
    /// The target (`stage.target` for a stage's).
    pub target: String,
    /// Due earlier now.
    pub earlier: u64,
    /// Due later now.
    pub later: u64,
    /// Due now, where there was no deadline.
    pub new: u64,
    /// No deadline now, where there was one.
    pub gone: u64,
    /// The mean move of those due earlier or later, in hours (negative: earlier).
    pub mean_hours: Option<f64>,
}

/// The what-if over every changed decision.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct WhatIf {
    /// Cases sent to another handler, most first.
    pub routes: Vec<Moved>,
    /// Cases whose acceptance changes, most first.
    pub outcomes: Vec<Moved>,
    /// Per target, in name order.
    pub deadlines: Vec<Deadlines>,
}

/// Folds the moves of changed decisions into a [`WhatIf`].
#[derive(Debug, Default)]
pub struct Folding {
    routes: BTreeMap<(Option<String>, Option<String>), u64>,
    outcomes: BTreeMap<(Option<String>, Option<String>), u64>,
    /// earlier, later, new, gone, sum of moves (s), moves counted.
    deadlines: BTreeMap<String, (u64, u64, u64, u64, f64, u64)>,
}

impl Folding {
    /// Adds one decision's moves.
    pub fn add(&mut self, moves: Moves) {
        if let Some(route) = moves.route {
            *self.routes.entry(route).or_default() += 1;
        }
        if let Some(outcome) = moves.outcome {
            *self.outcomes.entry(outcome).or_default() += 1;
        }
        for (name, was, now) in moves.deadlines {
            let entry = self.deadlines.entry(name).or_default();
            match (was, now) {
                (Some(was), Some(now)) => {
                    if now < was {
                        entry.0 += 1;
                    } else {
                        entry.1 += 1;
                    }
                    #[allow(clippy::cast_precision_loss, reason = "hours shown to a tenth")]
                    {
                        entry.4 += (now - was) as f64;
                    }
                    entry.5 += 1;
                }
                (None, Some(_)) => entry.2 += 1,
                (Some(_), None) => entry.3 += 1,
                (None, None) => {}
            }
        }
    }

    /// The what-if so far.
    pub fn finish(self) -> WhatIf {
        let moved = |map: BTreeMap<(Option<String>, Option<String>), u64>| {
            let mut list: Vec<Moved> = (map.into_iter())
                .map(|((from, to), cases)| Moved { from, to, cases })
                .collect();
            list.sort_by_key(|m| std::cmp::Reverse(m.cases));
            list
        };
        WhatIf {
            routes: moved(self.routes),
            outcomes: moved(self.outcomes),
            deadlines: (self.deadlines.into_iter())
                .map(|(target, (earlier, later, new, gone, sum, n))| Deadlines {
                    target,
                    earlier,
                    later,
                    new,
                    gone,
                    #[allow(clippy::cast_precision_loss, reason = "a mean of counted moves")]
                    mean_hours: (n > 0).then(|| (sum / n as f64 / 360.0).round() / 10.0),
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moves_are_counted_by_handler_outcome_and_target() {
        let logged = serde_json::json!({
            "acceptance": {"outcome": "accepted"},
            "route": {"role": "officer"},
            "targets": [
                {"name": "resolve", "deadline": "2026-11-23T18:00:00+08:00"},
                {"name": "resolve", "stage": "review", "deadline": "2026-11-24T18:00:00+08:00"},
                {"name": "update", "deadline": null}
            ]
        });
        let replayed = serde_json::json!({
            "acceptance": {"outcome": "accepted"},
            "route": {"role": "coordinator"},
            "targets": [
                {"name": "resolve", "deadline": "2026-11-23T12:00:00+08:00"},
                {"name": "resolve", "stage": "review", "deadline": "2026-11-24T18:00:00+08:00"},
                {"name": "update", "deadline": "2026-11-20T18:00:00+08:00"}
            ]
        });
        let moves = Moves::between(&logged, &replayed);
        assert_eq!(
            moves.route,
            Some((Some("officer".into()), Some("coordinator".into())))
        );
        assert_eq!(moves.outcome, None);
        let names: Vec<&str> = moves.deadlines.iter().map(|d| d.0.as_str()).collect();
        assert_eq!(
            names,
            ["resolve", "update"],
            "the stage's resolve did not move"
        );
        let mut folding = Folding::default();
        folding.add(moves.clone());
        folding.add(moves);
        folding.add(Moves::refused(&logged));
        let what_if = folding.finish();
        assert_eq!(
            what_if.routes,
            [Moved {
                from: Some("officer".into()),
                to: Some("coordinator".into()),
                cases: 2
            }]
        );
        assert_eq!(what_if.outcomes[0].to.as_deref(), Some("not decided"));
        let resolve = &what_if.deadlines[0];
        assert_eq!(
            (resolve.earlier, resolve.later, resolve.mean_hours),
            (2, 0, Some(-6.0))
        );
        assert_eq!(
            (what_if.deadlines[1].new, what_if.deadlines[1].gone),
            (2, 0)
        );
    }
}
