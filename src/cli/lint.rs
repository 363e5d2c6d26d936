//! `charter lint POLICY`: the policy analysis, printed like the compiler's diagnostics.

use std::path::PathBuf;

use clap::ValueEnum;

use crate::analyse::lint;
use crate::cli::check::{Deny, plural};
use crate::cli::{Outcome, UsageError, load_and_check};
use crate::diagnostic::Diagnostic;

/// Arguments of `charter lint`.
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  charter lint policies/complaint-office\n  charter lint --format json --deny warnings policies/led-maker\n\nExit codes: 0 no findings (or findings without --deny warnings), 1 the policy has errors or --deny warnings found some, 2 usage or I/O error."
)]
pub struct Args {
    /// A `.charter` file, or a folder of them compiled together.
    policy: PathBuf,
    /// How to print findings.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Fail (exit 1) when there are findings.
    #[arg(long, value_name = "LEVEL")]
    deny: Option<Deny>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
}

pub(crate) fn run(args: Args) -> Result<Outcome, UsageError> {
    let (loaded, checked) = load_and_check(&args.policy)?;
    if checked.has_errors() {
        for d in checked.diagnostics.iter().filter(|d| d.is_error()) {
            eprintln!("{}", d.render(&loaded.sources));
        }
        eprintln!(
            "{}: the policy has errors; fix them (see `charter check`) before linting",
            args.policy.display()
        );
        return Ok(Outcome::Failed);
    }
    // Shared files are compiled into every version: report each finding once.
    let mut findings: Vec<Diagnostic> = Vec::new();
    for version in &checked.versions {
        for d in lint(version) {
            if !findings.contains(&d) {
                findings.push(d);
            }
        }
    }
    match args.format {
        Format::Text => {
            for d in &findings {
                println!("{}", d.render(&loaded.sources));
            }
            println!(
                "{}: {} finding{}",
                args.policy.display(),
                findings.len(),
                plural(findings.len())
            );
        }
        Format::Json => {
            let list: Vec<serde_json::Value> = findings
                .iter()
                .map(|d| d.to_json(&loaded.sources))
                .collect();
            println!("{}", serde_json::json!({ "findings": list }));
        }
    }
    Ok(if !findings.is_empty() && args.deny.is_some() {
        Outcome::Failed
    } else {
        Outcome::Success
    })
}
