//! `charter lint POLICY`: the policy analysis, printed like the compiler's diagnostics.

use std::path::{Path, PathBuf};

use clap::ValueEnum;

use crate::analyse::{Settings, lint_with};
use crate::cli::check::{Deny, plural};
use crate::cli::{Outcome, UsageError, load_and_check, print_diagnostics};
use crate::diagnostic::{Diagnostic, Severity, sarif};

/// Arguments of `charter lint`.
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  charter lint policies/complaint-office\n  charter lint --format json --deny warnings policies/led-maker\n  charter lint --format sarif policies/renovation > lint.sarif\n\nSettings: a `lint.toml` beside the policy (in the folder, or beside the file) adds vague phrases:\n  [vague_wording]\n  \"做好相关工作\" = \"name the work and its result\"\n  builtin_vague_wording = false   # (top level) drop the built-in list\n\nExit codes: 0 no warnings (or warnings without --deny warnings), 1 the policy has errors or --deny warnings found some, 2 usage or I/O error."
)]
pub struct Args {
    /// A `.charter` file, or a folder of them compiled together.
    policy: PathBuf,
    /// How to print findings.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Fail (exit 1) when there are warnings (infos never fail).
    #[arg(long, value_name = "LEVEL")]
    deny: Option<Deny>,
    /// Lint settings to use instead of the `lint.toml` beside the policy.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// Compiler-style text.
    Text,
    /// `{"findings": [...]}` with file, line and column.
    Json,
    /// A SARIF 2.1.0 log, for code-review tools.
    Sarif,
}

pub(crate) fn run(args: Args) -> Result<Outcome, UsageError> {
    let settings = settings(&args)?;
    let (loaded, checked) = load_and_check(&args.policy)?;
    if checked.has_errors() {
        print_diagnostics(&checked.diagnostics, &loaded.sources);
        eprintln!(
            "{}: the policy has errors; fix them (see `charter check`) before linting",
            args.policy.display()
        );
        return Ok(Outcome::Failed);
    }
    // Shared files are compiled into every version: report each finding once.
    let mut findings: Vec<Diagnostic> = Vec::new();
    for version in &checked.versions {
        for d in lint_with(version, &settings) {
            if !findings.contains(&d) {
                findings.push(d);
            }
        }
    }
    let warnings = findings
        .iter()
        .filter(|d| d.severity >= Severity::Warning)
        .count();
    match args.format {
        Format::Text => {
            for d in &findings {
                say!("{}", d.render(&loaded.sources));
            }
            let infos = findings.len() - warnings;
            say!(
                "{}: {warnings} warning{}, {infos} info{}",
                args.policy.display(),
                plural(warnings),
                plural(infos)
            );
        }
        Format::Json => {
            let list: Vec<serde_json::Value> = findings
                .iter()
                .map(|d| d.to_json(&loaded.sources))
                .collect();
            say!("{}", serde_json::json!({ "findings": list }));
        }
        Format::Sarif => say!("{:#}", sarif(&findings, &loaded.sources)),
    }
    Ok(if warnings > 0 && args.deny.is_some() {
        Outcome::Failed
    } else {
        Outcome::Success
    })
}

/// The settings from `--config`, or from `lint.toml` beside the policy, or the defaults.
fn settings(args: &Args) -> Result<Settings, UsageError> {
    let path = match &args.config {
        Some(p) => p.clone(),
        None => {
            let dir = if args.policy.is_dir() {
                args.policy.as_path()
            } else {
                args.policy.parent().unwrap_or(Path::new("."))
            };
            let beside = dir.join("lint.toml");
            if !beside.is_file() {
                return Ok(Settings::default());
            }
            beside
        }
    };
    let text = std::fs::read_to_string(&path).map_err(|e| {
        UsageError(format!(
            "{}: cannot read lint settings: {e}",
            path.display()
        ))
    })?;
    toml::from_str(&text).map_err(|e| {
        let place = e
            .span()
            .map(|s| {
                let before = &text[..s.start.min(text.len())];
                let line = before.matches('\n').count() + 1;
                let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
                format!(":{line}:{col}")
            })
            .unwrap_or_default();
        UsageError(format!(
            "{}{place}: bad lint settings: {}; expected `builtin_vague_wording = true|false` and a `[vague_wording]` table of \"phrase\" = \"suggestion\"",
            path.display(),
            e.message()
        ))
    })
}
