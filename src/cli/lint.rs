//! `charter lint POLICY`: the policy analysis, printed like the compiler's diagnostics.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use clap::ValueEnum;

use crate::analyse::{Settings, SettingsError, lint_with};
use crate::cli::check::{Deny, plural};
use crate::cli::{Failure, load_and_check};
use crate::diagnostic::{Diagnostic, Severity, display_width, sarif};

/// Arguments of `charter lint`.
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  charter lint policies/complaint-office\n  charter lint --format json --deny warnings policies/led-maker\n  charter lint --format sarif policies/renovation > lint.sarif\n  charter lint --today 2026-10-01 policies/renovation     # warn of calendars ending by 2026-12-30\n\nSettings: a `lint.toml` beside the policy (in the folder, or beside the file) sets a level per lint code and adds vague phrases:\n  builtin_vague_wording = true     # false drops the built-in list\n  [levels]\n  L0012 = \"allow\"                  # allow (not reported), warn, or deny (an error)\n  [vague_wording]\n  \"做好相关工作\" = \"name the work and its result\"\n\nA calendar whose valid range ends within 90 days of --today is a warning (E0021, as in `charter check`); lint.toml levels do not apply to it.\n\nExit codes: 0 no warnings (or warnings without --deny warnings), 1 the policy has errors, a finding lint.toml denies, a lint.toml that is not valid, or warnings with --deny warnings, 2 usage or I/O error."
)]
pub struct Args {
    /// A `.charter` file, or a folder of them compiled together.
    policy: PathBuf,
    /// How to print findings.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Fail (exit 1) when there are warnings (infos never fail, unless lint.toml raises them).
    #[arg(long, value_name = "LEVEL")]
    deny: Option<Deny>,
    /// Lint settings to use instead of the `lint.toml` beside the policy.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// The date calendars are checked against: a calendar whose `valid` range ends within 90
    /// days of it is a warning, E0021, as in `charter check` (default: today, in the local
    /// time zone).
    #[arg(long, value_name = "YYYY-MM-DD")]
    today: Option<chrono::NaiveDate>,
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

pub(crate) fn run(args: Args) -> Result<(), Failure> {
    let settings = match settings(&args)? {
        Ok(settings) => settings,
        Err(rendered) => {
            // Rendered like a compiler's diagnostic, which starts with its own `error: `.
            let message = rendered.strip_prefix("error: ").unwrap_or(&rendered);
            return Err(Failure::Input {
                code: None,
                message: message.trim_end().to_string(),
            });
        }
    };
    let (loaded, checked) = load_and_check(&args.policy)?;
    if checked.has_errors() {
        return Err(Failure::policy(
            &args.policy,
            checked.diagnostics,
            &loaded.sources,
        ));
    }
    // Shared files are compiled into every version: report each finding once (by its code,
    // place and message, in a set, so that a policy with 100,000 findings stays linear).
    let mut findings: Vec<Diagnostic> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut add = |d: Diagnostic| {
        if seen.insert((d.kind.code(), d.span, d.message.clone())) {
            findings.push(d);
        }
    };
    for version in &checked.versions {
        lint_with(version, &settings).into_iter().for_each(&mut add);
    }
    // Calendars that run out: the compiler's warning, which lint.toml levels do not touch.
    let today = args
        .today
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    crate::check::calendars_ending(&checked, today)
        .into_iter()
        .for_each(&mut add);
    let count = |severity| findings.iter().filter(|d| d.severity == severity).count();
    let (errors, warnings, infos) = (
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info),
    );
    match args.format {
        Format::Text => {
            for d in &findings {
                say!("{}", d.render(&loaded.sources));
            }
            // Errors only come from codes a `lint.toml` denies.
            let errors = if errors > 0 {
                format!("{errors} error{}, ", plural(errors))
            } else {
                String::new()
            };
            say!(
                "{}: {errors}{warnings} warning{}, {infos} info{}",
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
    if errors > 0 {
        return Err(Failure::Gate(format!(
            "{}: {errors} finding{} at level error (lint.toml)",
            args.policy.display(),
            plural(errors)
        )));
    }
    if warnings > 0 && args.deny.is_some() {
        return Err(Failure::Gate(format!(
            "{}: {warnings} warning{} under --deny warnings",
            args.policy.display(),
            plural(warnings)
        )));
    }
    Ok(())
}

/// The settings from `--config`, or from `lint.toml` beside the policy, or the defaults; a file
/// that cannot be read is a usage error, one that is not valid settings comes back rendered.
fn settings(args: &Args) -> Result<Result<Settings, String>, Failure> {
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
                return Ok(Ok(Settings::default()));
            }
            beside
        }
    };
    let text = crate::source::read_regular_text(&path, crate::syntax::MAX_FILE).map_err(|e| {
        Failure::Usage(format!(
            "{}: cannot read lint settings: {e}",
            path.display()
        ))
    })?;
    Ok(Settings::from_toml(&text).map_err(|e| render_settings_error(&path, &text, &e)))
}

/// A settings error like a compiler's: the file, line and column, the line with the place
/// underlined, and help.
fn render_settings_error(path: &Path, text: &str, error: &SettingsError) -> String {
    let mut out = String::new();
    let Some(span) = error.span.clone() else {
        let _ = writeln!(out, "error: {}: {}", path.display(), error.message);
        let _ = writeln!(out, "  = help: {}", error.help);
        return out;
    };
    let start = span.start.min(text.len());
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let line = text[..start].matches('\n').count() + 1;
    let before = &text[line_start..start];
    let col = before.chars().count() + 1;
    let marked = text
        .get(start..span.end.clamp(start, line_end))
        .unwrap_or("")
        .trim_end();
    let pad = " ".repeat(line.to_string().len());
    let _ = writeln!(
        out,
        "error: {}:{line}:{col}: {}",
        path.display(),
        error.message
    );
    let _ = writeln!(out, "{pad} |");
    let _ = writeln!(out, "{line} | {}", text[line_start..line_end].trim_end());
    let _ = writeln!(
        out,
        "{pad} | {}{}",
        " ".repeat(display_width(before)),
        "^".repeat(display_width(marked).max(1))
    );
    let _ = writeln!(out, "{pad} = help: {}", error.help);
    out
}
