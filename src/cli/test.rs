//! `charter test POLICY`: runs the `*.test.toml` suites next to a policy, like a test runner.

use std::path::PathBuf;

use crate::cli::Failure;
use crate::cli::check::plural;
use crate::decide::Engine;
use crate::suite::{self, Coverage, Outcome as TestOutcome};

/// Arguments of `charter test`.
#[derive(clap::Args)]
#[command(
    after_help = "Test files are the `*.test.toml` files in the policy's folder (or, for a policy file, those beside it starting with its name). Each holds `[[test]]` tables:

  now = \"2026-11-30T12:00:00+08:00\"
  [[test]]
  name = \"a major complaint goes to the director\"
  case = \"../../examples/cases/complaint-office/accepted-phone.json\"
  expect.role = \"office_director\"
  expect.targets.resolve = { deadline = \"2026-11-30T17:30:00+08:00\", state = \"met\" }
  expect.escalations.fired = [\"resolve_ladder at 50%\"]

Examples:
  charter test policies/complaint-office
  charter test --coverage policies/led-maker

Exit codes: 0 every test passed (coverage gaps are listed, never failed), 1 a test failed or a test file is bad, 2 usage or I/O error."
)]
pub struct Args {
    /// The policy (a file, or a folder holding one or more versions).
    policy: PathBuf,
    /// After the results, list the route rules and escalation steps no test exercised.
    #[arg(long)]
    coverage: bool,
    /// Run only the tests whose name contains this text.
    #[arg(long, value_name = "TEXT")]
    filter: Option<String>,
}

pub(crate) fn run(args: Args) -> Result<(), Failure> {
    let engine = crate::cli::engine(&args.policy)?;
    let files = suite::discover(&args.policy).map_err(|e| {
        Failure::Usage(format!(
            "{}: cannot look for test files: {e}",
            args.policy.display()
        ))
    })?;
    if files.is_empty() {
        return Err(Failure::Usage(format!(
            "{}: no test files (`*.test.toml`) next to the policy; see `charter test --help` for the format",
            args.policy.display()
        )));
    }
    let (mut passed, mut failed, mut bad_files) = (0usize, 0usize, 0usize);
    let mut failures: Vec<String> = Vec::new();
    let mut coverage = Coverage::default();
    for file in &files {
        let tests = match suite::read(file) {
            Ok(tests) => tests,
            Err(e) => {
                say!("error: {e}");
                bad_files += 1;
                continue;
            }
        };
        for test in &tests {
            if args
                .filter
                .as_ref()
                .is_some_and(|f| !test.name.contains(f.as_str()))
            {
                continue;
            }
            let place = format!("{}:{}", test.path.display(), test.line);
            match suite::run(&engine, test, &mut coverage) {
                TestOutcome::Passed => {
                    passed += 1;
                    say!("test {} ... ok", test.name);
                }
                TestOutcome::Failed(mismatches) => {
                    failed += 1;
                    say!("test {} ... FAILED", test.name);
                    let mut text = format!("---- {} ({place}) ----\n", test.name);
                    text.push_str("  --- expected\n  +++ actual\n");
                    for m in mismatches {
                        text.push_str(&format!("  - {} = {}\n", m.key, m.expected));
                        text.push_str(&format!("  + {} = {}\n", m.key, m.actual));
                        if let Some(note) = &m.note {
                            text.push_str(&format!("    ({note})\n"));
                        }
                    }
                    failures.push(text);
                }
                TestOutcome::Error(e) => {
                    failed += 1;
                    say!("test {} ... ERROR", test.name);
                    failures.push(format!("---- {} ({place}) ----\n  {e}\n", test.name));
                }
            }
        }
    }
    if !failures.is_empty() {
        say!("\nfailures:\n");
        for f in &failures {
            say!("{f}");
        }
    }
    if args.coverage {
        print_coverage(&engine, &coverage);
    }
    let bad = if bad_files > 0 {
        format!(", {bad_files} bad test file{}", plural(bad_files))
    } else {
        String::new()
    };
    let verdict = if failed + bad_files == 0 {
        "ok"
    } else {
        "FAILED"
    };
    say!("\ntest result: {verdict}. {passed} passed, {failed} failed{bad}");
    if failed + bad_files > 0 {
        return Err(Failure::Gate(format!(
            "{}: {failed} test{} failed{bad}",
            args.policy.display(),
            if failed == 1 { "" } else { "s" }
        )));
    }
    Ok(())
}

fn print_coverage(engine: &Engine, coverage: &Coverage) {
    let (routes, steps) = suite::exercisable(engine);
    let missed_routes: Vec<_> = routes
        .iter()
        .filter(|(file, line, _)| !coverage.routes.contains(&(file.clone(), *line)))
        .collect();
    let missed_steps: Vec<_> = steps
        .iter()
        .filter(|s| !coverage.steps.contains(s))
        .collect();
    say!(
        "\ncoverage: {} of {} route rules, {} of {} escalation steps exercised",
        routes.len() - missed_routes.len(),
        routes.len(),
        steps.len() - missed_steps.len(),
        steps.len()
    );
    for (file, line, text) in missed_routes {
        say!("  not exercised: route rule {file}:{line} `{text}`");
    }
    for (ladder, trigger) in missed_steps {
        say!("  not exercised: escalation `{ladder}` step `{trigger}`");
    }
}
