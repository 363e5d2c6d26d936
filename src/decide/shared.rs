//! What a version's decisions share, made once when the engine is built: each route's JSON,
//! the definition of each target on each calendar and of each escalation step for each role,
//! already written as JSON.

use crate::check::{Escalation, Policy, RuleRef, Target};
use crate::decide::decision::*;
use crate::decide::names::numbered_targets;
use crate::time::Clock;

/// The route to `role` by rule `cited`, as a decision shows it.
impl Route<'_> {
    /// No handler (yet): what a route shows before a rule decides.
    pub(super) fn none() -> Self {
        Route {
            role: None,
            title: None,
            department: None,
            rule: None,
            missing: Vec::new(),
            json: None,
        }
    }
}

pub(super) fn route_shown<'a>(policy: &'a Policy, role: usize, cited: &'a RuleRef) -> Route<'a> {
    let role = &policy.roles[role];
    Route {
        role: Some(&role.named.name),
        title: Some(&role.named.label.text),
        department: role
            .department
            .and_then(|d| policy.departments.get(d))
            .map(|d| d.name.as_str()),
        rule: Some(cited),
        missing: Vec::new(),
        json: None,
    }
}

/// What a decision shows of `target` (of SLA or stage `sla`, in stage `stage`) on calendar
/// `calendar` (an index of the version's calendars), before its clock is read.
pub(super) fn target_def(
    policy: &Policy,
    target: &Target,
    sla: &str,
    stage: Option<usize>,
    calendar: Option<usize>,
) -> TargetDef {
    let cal_name = calendar
        .and_then(|i| policy.calendars.get(i))
        .map(|c| c.named.name.as_str());
    let clock = target.span.clock();
    let mut def = TargetDef {
        name: target.name.clone(),
        stage: stage.map(|s| policy.stages[s].named.name.clone()),
        sla: sla.to_string(),
        clock,
        calendar: if target.span.fixed_seconds().is_some() && clock == Clock::Elapsed {
            None
        } else {
            cal_name.map(str::to_string)
        },
        within: target.span,
        recurring: target.recurring,
        aim: target.aim,
        each: target.each,
        start_event: target.start.clone(),
        stop_event: target.stop.join(" or "),
        head: Vec::new(),
    };
    def.head = crate::decide::json::target_head_json(&def);
    def
}

/// What a decision shows of `step` of `ladder` going to role `to` (an index of the policy's
/// roles), before its time is known.
pub(super) fn step_def(
    policy: &Policy,
    ladder: &Escalation,
    step: &crate::check::EscalationStep,
    to: Option<usize>,
) -> StepDef {
    let role = to.map(|r| &policy.roles[r]);
    let mut def = StepDef {
        ladder: ladder.named.name.clone(),
        target: ladder.target.clone(),
        trigger: TriggerText(&step.trigger).to_string(),
        to: role.map(|r| r.named.name.clone()),
        to_title: role.map(|r| r.named.label.text.clone()),
        action: if step.escalate {
            Action::Escalate
        } else {
            Action::Notify
        },
        json: (Vec::new(), Vec::new()),
    };
    def.json = crate::decide::json::step_json(&def);
    def
}

/// What a version's decisions share, made once when the engine is built: each route's JSON,
/// the definition of each target on each calendar, and of each escalation step for each role
/// it can go to. Decisions point at the definitions instead of copying the policy's names for
/// every case, and the writer copies their JSON instead of writing and escaping those names.
#[derive(Debug, Default)]
pub(crate) struct Shared {
    /// By route rule, `otherwise` last.
    routes: Vec<Vec<u8>>,
    /// By target number (see `targets`) times calendars + 1, then calendar (0: none).
    targets: Vec<TargetDef>,
    calendars: usize,
    /// By ladder, step, then role (0: none).
    steps: Vec<Vec<Vec<StepDef>>>,
}

impl Shared {
    pub(crate) fn new(policy: &Policy) -> Shared {
        let routes = policy
            .routes
            .iter()
            .map(|r| (r.target, &r.cited))
            .chain(policy.otherwise.as_ref().map(|o| (o.target, &o.cited)))
            .map(|(role, cited)| crate::decide::json::route_json(&route_shown(policy, role, cited)))
            .collect();
        let calendars = policy.calendars.len();
        let mut targets = Vec::new();
        for (target, sla, stage) in numbered_targets(policy) {
            for calendar in std::iter::once(None).chain((0..calendars).map(Some)) {
                targets.push(target_def(policy, target, sla, stage, calendar));
            }
        }
        let roles = policy.roles.len();
        let steps = policy
            .escalations
            .iter()
            .map(|ladder| {
                ladder
                    .steps
                    .iter()
                    .map(|step| {
                        std::iter::once(None)
                            .chain((0..roles).map(Some))
                            .map(|to| step_def(policy, ladder, step, to))
                            .collect()
                    })
                    .collect()
            })
            .collect();
        Shared {
            routes,
            targets,
            calendars,
            steps,
        }
    }

    pub(super) fn route(&self, rule: usize) -> Option<&[u8]> {
        self.routes.get(rule).map(Vec::as_slice)
    }

    /// Target `number` on calendar `calendar`.
    pub(super) fn target(&self, number: usize, calendar: Option<usize>) -> Option<&TargetDef> {
        // A calendar the version does not have is no calendar, as in `calendar_of`.
        let calendar = calendar
            .filter(|&i| i < self.calendars)
            .map_or(0, |i| i + 1);
        self.targets.get(number * (self.calendars + 1) + calendar)
    }

    /// Step `step` of ladder `ladder` going to role `to`.
    pub(super) fn step(&self, ladder: usize, step: usize, to: Option<usize>) -> Option<&StepDef> {
        self.steps
            .get(ladder)?
            .get(step)?
            .get(to.map_or(0, |r| r + 1))
    }
}
