//! `charter audit`: real case histories against the policy, and what-if under another.

use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::time::Instant;

use clap::ValueEnum;

use crate::audit::{DEFAULT_LIST_LIMIT, Report, document};
use crate::cli::Failure;
use crate::cli::output::{Replace, write_file};
use crate::decide::Engine;
use crate::decide::batch::{BatchSummary, Input};
use crate::render::{Lang, TextFormat};

/// Arguments of `charter audit`.
#[derive(clap::Args)]
#[command(after_help = "Examples:
  charter audit --policy policies/complaint-office --as-of 2026-11-30T12:00:00+08:00 cases.ndjson
  charter audit --policy policies/complaint-office --format html -o audit.html cases.ndjson
  charter audit --policy policies/ecommerce-after-sales --compare proposed/ --format json cases.ndjson
  charter audit --policy policies/led-maker --mapping columns.toml tickets.csv

A CSV mapping file renames the ticketing tool's columns to the case columns of docs/decide.md:
  [columns]
  \"Ticket ID\" = \"id\"
  \"Opened\" = \"received_at\"
  \"Amount\" = \"attr.amount\"

Malformed records are listed with their line numbers and excluded; the report says how many.
Exit codes: 0 the report was written (whatever it finds), 1 the policy has errors, 2 usage or I/O error.")]
pub struct Args {
    /// The policy the cases are audited against (a file, or a folder of versions).
    #[arg(long)]
    policy: PathBuf,
    /// The case histories: NDJSON (the case format), or CSV (`.csv`, or --input csv); `-` for
    /// standard input.
    cases: String,
    /// The instant states are evaluated at (RFC 3339 with an offset); default: now.
    #[arg(long, value_name = "T")]
    as_of: Option<String>,
    /// What-if: also decide every case under this policy and report the differences.
    #[arg(long, value_name = "POLICY")]
    compare: Option<PathBuf>,
    /// The report's format.
    #[arg(long, value_enum, default_value_t = Format::Md)]
    format: Format,
    /// The language of the report's headings.
    #[arg(long, value_enum, default_value_t = LangArg::Zh)]
    lang: LangArg,
    /// Write the report here instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "PATH")]
    output: Option<PathBuf>,
    /// Replace a file that exists at the -o path (links are never written through).
    #[arg(long)]
    force: bool,
    /// The input format (default: `csv` for a `.csv` file or with --mapping, else NDJSON).
    #[arg(long, value_enum)]
    input: Option<InputFormat>,
    /// CSV column mapping (TOML, a `[columns]` table of "their column" = "ours").
    #[arg(long, value_name = "FILE")]
    mapping: Option<PathBuf>,
    /// Breaches and malformed records listed, at most (all are counted).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_LIST_LIMIT)]
    list: usize,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Md,
    Html,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum LangArg {
    Zh,
    En,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum InputFormat {
    Ndjson,
    Csv,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Mapping {
    columns: std::collections::BTreeMap<String, String>,
}

fn load(path: &std::path::Path) -> Result<Engine, Failure> {
    crate::cli::engine(path)
}

pub(crate) fn run(args: Args) -> Result<(), Failure> {
    let as_of = crate::cli::instant_option("--as-of", args.as_of.as_deref())?;
    let engine = load(&args.policy)?;
    let other = args.compare.as_deref().map(load).transpose()?;
    let mapping = match &args.mapping {
        Some(path) => {
            let text = crate::source::read_regular_text(path, crate::syntax::MAX_FILE)
                .map_err(|e| Failure::Usage(format!("{}: cannot read: {e}", path.display())))?;
            let m: Mapping = toml::from_str(&text).map_err(|e| {
                let (at, message) = crate::source::toml_error(&text, &e);
                let place = at.map_or(String::new(), |at| {
                    let (line, column) = crate::source::place_after(&text[..at]);
                    format!(":{line}:{column}")
                });
                Failure::Usage(format!(
                    "{}{place}: {message}; expected a `[columns]` table of \"their column\" = \"id\" | \"received_at\" | \"field.NAME\" | \"attr.NAME\" | …",
                    path.display(),
                ))
            })?;
            Some(m.columns)
        }
        None => None,
    };
    let csv = match args.input {
        Some(f) => f == InputFormat::Csv,
        None => args.cases.ends_with(".csv") || mapping.is_some(),
    };
    let mut reader: Box<dyn Read + Send> = if args.cases == "-" {
        Box::new(std::io::stdin())
    } else {
        Box::new(
            std::fs::File::open(&args.cases)
                .map_err(|e| Failure::Usage(format!("{}: cannot read: {e}", args.cases)))?,
        )
    };
    let input = Input::new(&mut *reader, csv, mapping.as_ref());
    let started = Instant::now();
    let tty = std::io::stderr().is_terminal();
    let mut progress = |s: &BatchSummary| {
        let secs = started.elapsed().as_secs_f64();
        if tty && secs > 2.0 {
            eprint!(
                "\r{} cases read, {:.0}/s",
                s.records,
                s.records as f64 / secs
            );
        }
    };
    let (audit, summary) = crate::audit::run(
        &engine,
        other.as_ref(),
        input,
        as_of,
        args.list,
        &mut progress,
    )
    .map_err(|e| Failure::Usage(format!("{}: {e}", args.cases)))?;
    if tty && started.elapsed().as_secs_f64() > 2.0 {
        eprintln!();
    }
    let latest = crate::audit::latest(&engine)
        .ok_or_else(|| Failure::Usage("the policy has no version".into()))?;
    let compared = args.compare.as_ref().map(|p| p.display().to_string());
    let report = Report::of(&audit, &engine, as_of, compared)
        .ok_or_else(|| Failure::Usage("the policy has no version".into()))?;
    let lang = match args.lang {
        LangArg::Zh => Lang::Zh,
        LangArg::En => Lang::En,
    };
    let text = match args.format {
        Format::Json => serde_json::to_string_pretty(&report)
            .map_err(|e| Failure::Usage(format!("cannot write the report: {e}")))?,
        Format::Md => document(&report, &audit, latest, lang)
            .render(TextFormat::Markdown, None)
            .map_err(|e| Failure::Usage(format!("cannot write the report: {e}")))?,
        Format::Html => document(&report, &audit, latest, lang)
            .render(TextFormat::Html, None)
            .map_err(|e| Failure::Usage(format!("cannot write the report: {e}")))?,
    };
    match &args.output {
        Some(path) => {
            write_file(path, text.as_bytes(), Replace::forced(args.force))?;
        }
        None => {
            let mut out = std::io::stdout().lock();
            if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush())
                && e.kind() != std::io::ErrorKind::BrokenPipe
            {
                return Err(Failure::Usage(format!("cannot write the report: {e}")));
            }
        }
    }
    eprintln!(
        "{}: {} records, {} decided, {} malformed (excluded), {:.1} s",
        args.cases,
        summary.records,
        summary.decided,
        summary.errors,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
