//! Routing alone, for a tool that asks only who handles a case: the same first-match rules
//! as a full decision, with no clocks, escalations or explanation.

use crate::decide::case::Case;
use crate::decide::decision::Route;
use crate::decide::engine::Engine;
use crate::decide::eval::needed_names;
use crate::decide::problem::DecideError;
use crate::decide::routing::{FirstMatch, first_match};
use crate::decide::shared::route_shown;
use crate::decide::validate::Facts;

impl Engine {
    /// Who handles `case`, as [`Engine::decide`] would route it, under the version in force
    /// when it was received: the role of the first route rule that holds, or of `otherwise`.
    /// `None` when the case's category is redirected or outside the scope (it has no
    /// handler). A route with no role names in `missing` what a rule needed and the case did
    /// not give, or, with `missing` empty, says that no rule matched and there is no
    /// `otherwise`. A case `decide` refuses is refused here with the same error.
    ///
    /// ```
    /// use charter::decide::{Case, Engine};
    /// let engine = Engine::from_sources(&[
    ///     ("office/policy.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/complaint-office/policy.charter"))),
    ///     ("calendars/cn-2026.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/calendars/cn-2026.charter"))),
    /// ])?;
    /// let case = Case::builder("C-7", "2026-11-16T10:00:00+08:00")
    ///     .channel("web")
    ///     .category("billing")
    ///     .severity("minor")
    ///     .attribute("amount", 8000)
    ///     .attribute("departments", vec!["sales"])
    ///     .build()?;
    /// let route = engine.route(&case)?.expect("billing is accepted");
    /// assert_eq!(route.role, Some("coordinator"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn route<'e>(&'e self, case: &Case) -> Result<Option<Route<'e>>, DecideError> {
        let mut facts = Facts::new(case.received_at.secs, case.received_at.secs);
        let version = self.facts_into(case, &mut facts)?;
        let policy = &version.policy;
        let scope = &policy.scope;
        let everything = scope.accepted.is_empty() && scope.redirects.is_empty();
        let redirected = (scope.redirects.iter()).any(|r| r.categories.contains(&facts.category));
        if redirected || !(everything || scope.accepted.contains(&facts.category)) {
            return Ok(None);
        }
        let mut needed = Vec::new();
        let mut route = Route::none();
        match first_match(version, &facts, &mut needed) {
            FirstMatch::Rule(i) => {
                let rule = &policy.routes[i];
                route = route_shown(policy, rule.target, &rule.cited);
            }
            FirstMatch::Unknown(_) => {
                route.missing = needed_names(policy, &needed);
            }
            FirstMatch::None => {
                if let Some(o) = &policy.otherwise {
                    route = route_shown(policy, o.target, &o.cited);
                }
            }
        }
        Ok(Some(route))
    }
}
