//! The engines under test. To add one: write a module implementing [`Engine`] and add a line to
//! [`all`]. `native` must stay first: it is the baseline the ratios are computed against.

pub mod cedar;
pub mod charter;
pub mod native;
pub mod native_wide;
pub mod zen;

use crate::engine::{Bench, Engine, Prepared};
use crate::workload::{Case, Rule};

/// Compiles the rules, marshals every case, and erases the engine's input type.
pub type Builder = fn(&[Rule], &[Case]) -> Result<Box<dyn Bench>, String>;

fn build<E>(rules: &[Rule], cases: &[Case]) -> Result<Box<dyn Bench>, String>
where
    E: Engine + 'static,
    E::Input: 'static,
{
    Ok(Box::new(Prepared::<E>::new(rules, cases)?))
}

/// Every engine, baseline first, in the order the harness interleaves them.
pub fn all() -> Vec<(&'static str, Builder)> {
    vec![
        (native::Native::name(), build::<native::Native>),
        (zen::Zen::name(), build::<zen::Zen>),
        (cedar::Cedar::name(), build::<cedar::Cedar>),
        (
            charter::CharterRoute::name(),
            build::<charter::CharterRoute>,
        ),
        (charter::CharterFull::name(), build::<charter::CharterFull>),
        (
            charter::CharterRouteCall::name(),
            build::<charter::CharterRouteCall>,
        ),
        (
            native_wide::NativeWide::name(),
            build::<native_wide::NativeWide>,
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workload::{generate_cases, generate_rules, reference_decide};

    #[test]
    fn every_engine_reproduces_the_reference_answer() {
        for (n_rules, seed) in [(10, 1), (100, 2), (300, 3)] {
            let rules = generate_rules(n_rules, seed);
            let cases = generate_cases(2_000, seed);
            let expected: Vec<&str> = cases
                .iter()
                .map(|c| reference_decide(&rules, c).1)
                .collect();
            for (name, build) in all() {
                let answers = build(&rules, &cases).unwrap().answers();
                let wrong = answers
                    .iter()
                    .zip(&expected)
                    .filter(|(a, e)| a != e)
                    .count();
                assert_eq!(
                    wrong, 0,
                    "{name}: {wrong} wrong answers with {n_rules} rules"
                );
            }
        }
    }

    #[test]
    fn native_is_the_baseline_and_names_are_unique() {
        let names: Vec<&str> = all().iter().map(|(n, _)| *n).collect();
        assert_eq!(names[0], "native");
        let mut unique = names.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), names.len());
    }
}
