//! `charter check POLICY`

use std::path::PathBuf;

use clap::ValueEnum;

use crate::cli::{Outcome, UsageError, load_and_check};
use crate::diagnostic::Severity;

/// Arguments of `charter check`.
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  charter check policies/complaint-office\n  charter check --error-format json policies/led-maker/policy.charter\n\nExit codes: 0 clean, 1 errors (or warnings with --deny warnings), 2 usage or I/O error."
)]
pub struct Args {
    /// A `.charter` file, or a folder of them compiled together.
    policy: PathBuf,
    /// How to print diagnostics.
    #[arg(long, value_enum, default_value_t = ErrorFormat::Human)]
    error_format: ErrorFormat,
    /// Treat warnings as errors (`--deny warnings`).
    #[arg(long, value_name = "LEVEL")]
    deny: Option<Deny>,
}

#[derive(Clone, Copy, ValueEnum)]
enum ErrorFormat {
    Human,
    Json,
}

/// `--deny warnings`.
#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum Deny {
    /// Warnings fail the run.
    Warnings,
}

pub(crate) fn run(args: Args) -> Result<Outcome, UsageError> {
    let (loaded, checked) = load_and_check(&args.policy)?;
    let errors = checked
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = checked.diagnostics.len() - errors;
    match args.error_format {
        ErrorFormat::Human => {
            for d in &checked.diagnostics {
                eprintln!("{}", d.render(&loaded.sources));
            }
            let summary = match (errors, warnings) {
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
    let failed = errors > 0 || (warnings > 0 && args.deny.is_some());
    Ok(if failed {
        Outcome::Failed
    } else {
        Outcome::Success
    })
}

pub(crate) fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
