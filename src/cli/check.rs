//! `charter check POLICY`

use std::path::PathBuf;

use clap::ValueEnum;

use crate::cli::{ErrorFormat, Failure, load_and_check};
use crate::diagnostic::Severity;

/// Arguments of `charter check`.
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  charter check policies/complaint-office\n  charter check --error-format json policies/led-maker/policy.charter\n  charter check --today 2026-10-01 policies/renovation     # warn of calendars ending by 2026-12-30\n\nExit codes: 0 clean, 1 errors (or warnings with --deny warnings), 2 usage or I/O error."
)]
pub struct Args {
    /// A `.charter` file, or a folder of them compiled together.
    policy: PathBuf,
    /// Treat warnings as errors (`--deny warnings`).
    #[arg(long, value_name = "LEVEL")]
    deny: Option<Deny>,
    /// The date calendars are checked against: a calendar whose `valid` range ends within 90
    /// days of it is a warning (default: today, in the local time zone).
    #[arg(long, value_name = "YYYY-MM-DD")]
    today: Option<chrono::NaiveDate>,
}

/// `--deny warnings`.
#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum Deny {
    /// Warnings fail the run.
    Warnings,
}

/// Prints every diagnostic (`--error-format json`: one JSON object on standard output) and
/// fails when there are errors, or warnings under `--deny warnings`.
pub(crate) fn run(args: Args, format: ErrorFormat) -> Result<(), Failure> {
    let (loaded, mut checked) = load_and_check(&args.policy)?;
    let today = args
        .today
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let ending = crate::check::calendars_ending(&checked, today);
    checked.diagnostics.extend(ending);
    let errors = checked
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = (checked.diagnostics.iter())
        .filter(|d| d.severity == Severity::Warning)
        .count();
    let failed = errors > 0 || (warnings > 0 && args.deny.is_some());
    match format {
        ErrorFormat::Human => {
            for d in &checked.diagnostics {
                eprintln!("{}", d.render(&loaded.sources));
            }
            let summary = match (errors, warnings) {
                // A file without a `policy` header is one to import, and nothing more.
                (0, 0) if checked.versions.is_empty() => format!(
                    "{}: ok (0 versions: no `policy` header, so it cannot decide cases; import it from a policy, or add `policy NAME \"title\" {{ version \"1\" … }}`)",
                    args.policy.display(),
                ),
                (0, 0) => format!(
                    "{}: ok ({} version{})",
                    args.policy.display(),
                    checked.versions.len(),
                    if checked.versions.len() == 1 { "" } else { "s" }
                ),
                _ => format!(
                    "{}: {errors} error{}, {warnings} warning{}",
                    args.policy.display(),
                    plural(errors),
                    plural(warnings)
                ),
            };
            if failed {
                return Err(Failure::Gate(summary));
            }
            eprintln!("{summary}");
        }
        ErrorFormat::Json => {
            let list: Vec<serde_json::Value> = checked
                .diagnostics
                .iter()
                .map(|d| d.to_json(&loaded.sources))
                .collect();
            say!(
                "{}",
                serde_json::json!({ "errors": errors, "warnings": warnings, "diagnostics": list })
            );
        }
    }
    if failed {
        return Err(Failure::Gate(format!(
            "{}: {errors} error{}, {warnings} warning{}",
            args.policy.display(),
            plural(errors),
            plural(warnings)
        )));
    }
    Ok(())
}

pub(crate) fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
