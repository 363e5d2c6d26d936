//! Acceptance: whether the case is in the policy's scope, redirected elsewhere, or waits for
//! missing fields, and by when the customer is told.

use crate::decide::decision::*;
use crate::decide::reason::Reason;
use crate::decide::run::Ctx;
use crate::decide::run::reason;
use crate::time::TimeError;

impl<'a, 'e, 'c, const REASONS: bool> Ctx<'a, 'e, 'c, REASONS> {
    pub(super) fn acceptance(
        &mut self,
        calendar: Option<usize>,
    ) -> Result<Acceptance<'a>, TimeError> {
        let policy = self.policy;
        let scope = &policy.scope;
        let category = &policy.categories[self.facts.category].name;
        let mut acceptance = Acceptance {
            outcome: Outcome::Accepted,
            redirect_to: None,
            reason: None,
            missing_fields: Vec::new(),
            ask_by: None,
        };
        let everything = scope.accepted.is_empty() && scope.redirects.is_empty();
        if let Some(r) = scope
            .redirects
            .iter()
            .find(|r| r.categories.contains(&self.facts.category))
        {
            acceptance.outcome = Outcome::Redirected;
            acceptance.redirect_to = Some(&r.to.text);
            acceptance.reason = Some(&r.reason.text);
            reason!(
                self,
                Reason::Redirected {
                    category,
                    to: &r.to.text,
                }
            );
            return Ok(acceptance);
        }
        if !everything && !scope.accepted.contains(&self.facts.category) {
            acceptance.outcome = Outcome::Redirected;
            acceptance.reason = Some("the category is outside the policy's scope");
            self.finding(FindingKind::OutOfScope, format!(
                    "category `{category}` is neither accepted nor redirected by the scope; add it to `accept` or `redirect`"
                ));
            reason!(self, Reason::OutOfScope { category });
            return Ok(acceptance);
        }
        reason!(
            self,
            Reason::Accepted {
                category,
                everything,
            }
        );
        if !self.facts.missing_fields.is_empty() {
            acceptance.outcome = Outcome::Incomplete;
            acceptance.missing_fields = self
                .facts
                .missing_fields
                .iter()
                .map(|&i| policy.fields[i].named.name.as_str())
                .collect();
            if let Some((span, on)) = scope.incomplete {
                let (cal, _) = self.calendar(on.or(calendar));
                acceptance.ask_by = Some(self.at(cal.add(self.facts.received, span)?));
            }
            reason!(
                self,
                Reason::Incomplete {
                    within: scope.incomplete.map(|(s, _)| s),
                }
            );
        }
        Ok(acceptance)
    }
}
