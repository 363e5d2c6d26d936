//! `charter decide`: one case as JSON (or its explanation), or a batch of NDJSON cases.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::cli::Failure;
use crate::decide::batch::{BatchOptions, run_batch, run_csv_batch};
use crate::decide::{Case, Engine, Timestamp};

/// A single case file may be at most this big.
const MAX_CASE: u64 = 16 << 20;

/// Arguments of `charter decide`.
#[derive(clap::Args)]
#[command(after_help = "Examples:
  charter decide --policy policies/complaint-office --now 2026-11-24T12:00:00+08:00 examples/cases/complaint-office/accepted-phone.json
  charter decide --policy policies/complaint-office --explain examples/cases/complaint-office/breached-resolve.toml
  charter decide --policy policies/complaint-office --batch cases.ndjson > decisions.ndjson
  cat case.json | charter decide --policy policies/complaint-office -

Exit codes: 0 decided; 1 the policy or the case has errors, or the case is accepted but no rule
can route it (an attribute a rule needs is missing, or no rule matches and there is no
`otherwise`: the decision is still written, and stderr says why); 2 usage or I/O error.")]
pub struct Args {
    /// The policy (a file, or a folder holding one or more versions).
    #[arg(long)]
    policy: PathBuf,
    /// The instant to evaluate states at (RFC 3339 with an offset); default: now.
    #[arg(long)]
    now: Option<String>,
    /// Print the readable trace of the decision instead of its JSON.
    #[arg(long, conflicts_with = "batch")]
    explain: bool,
    /// Read NDJSON (one case per line) and write one decision or error record per line, in
    /// input order.
    #[arg(long)]
    batch: bool,
    /// With --batch: the input format (default: `csv` for a `.csv` file, else NDJSON).
    #[arg(long, value_enum, requires = "batch")]
    input: Option<InputFormat>,
    /// The case: a `.json` or `.toml` file, or `-` for standard input.
    case: String,
}

/// Batch input formats.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum InputFormat {
    /// One JSON case per line.
    Ndjson,
    /// One case per row; columns as in docs/decide.md.
    Csv,
}

pub(crate) fn run(args: Args) -> Result<(), Failure> {
    let now = match &args.now {
        Some(text) => {
            Timestamp::parse(text)
                .map_err(|e| Failure::Usage(format!("--now: {e}")))?
                .secs
        }
        None => chrono::Utc::now().timestamp(),
    };
    let engine = crate::cli::engine(&args.policy)?;
    if args.batch {
        let csv = match args.input {
            Some(format) => format == InputFormat::Csv,
            None => args.case.ends_with(".csv"),
        };
        return batch(&engine, &args.case, now, csv);
    }
    let (text, name) = read_case(&args.case)?;
    let toml = name.ends_with(".toml") || (args.case == "-" && !text.trim_start().starts_with('{'));
    let parsed = if toml {
        Case::from_toml(&text)
    } else {
        Case::from_json(&text)
    };
    let case = match parsed {
        Ok(case) => case,
        Err(e) => {
            return Err(Failure::Input {
                code: Some(e.code.code()),
                message: format!("{name}:{e}"),
            });
        }
    };
    let decision = match engine.decide(&case, now) {
        Ok(d) => d,
        Err(e) => {
            return Err(Failure::Input {
                code: Some(e.code().code()),
                message: format!("{name}: {e}"),
            });
        }
    };
    let mut stdout = std::io::stdout().lock();
    let written = if args.explain {
        stdout.write_all(decision.explain_text().as_bytes())
    } else {
        // The one writer of decisions (as the batch and the service write them), indented.
        let mut compact = Vec::new();
        decision.write_json(&mut compact);
        let mut pretty = Vec::new();
        crate::decide::indent(&compact, &mut pretty);
        pretty.push(b'\n');
        stdout.write_all(&pretty)
    };
    let done = match decision.unrouted() {
        // A decision that routes the case nowhere is written, and fails the run.
        Some(why) => Err(Failure::Input {
            code: Some(crate::decide::Code::Unrouted.code()),
            message: format!("{name}: case `{}` is not routed: {}", case.id, why.message),
        }),
        None => Ok(()),
    };
    match written {
        // A reader that stops early (`| head`) is not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => done,
        Err(e) => Err(Failure::Usage(format!("cannot write the decision: {e}"))),
        Ok(()) => done,
    }
}

fn read_case(path: &str) -> Result<(String, String), Failure> {
    let mut bytes = Vec::new();
    let name = if path == "-" {
        std::io::stdin()
            .lock()
            .take(MAX_CASE + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| Failure::Usage(format!("cannot read standard input: {e}")))?;
        "<stdin>".to_string()
    } else {
        let file = std::fs::File::open(Path::new(path))
            .map_err(|e| Failure::Usage(format!("cannot read `{path}`: {e}")))?;
        let size = file.metadata().map(|m| m.len()).unwrap_or(0);
        if size > MAX_CASE {
            return Err(Failure::Usage(format!(
                "`{path}` is {:.1} MB; a case file holds one case (at most {} MB). For many cases, write one per line and use --batch",
                size as f64 / 1e6,
                MAX_CASE >> 20
            )));
        }
        file.take(MAX_CASE + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| Failure::Usage(format!("cannot read `{path}`: {e}")))?;
        path.to_string()
    };
    if bytes.len() as u64 > MAX_CASE {
        return Err(Failure::Usage(format!(
            "{name} holds more than {} MB; a case file holds one case. For many cases use --batch",
            MAX_CASE >> 20
        )));
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        Failure::Usage(format!(
            "{name} is not UTF-8 (invalid byte at offset {}); save it as UTF-8",
            e.utf8_error().valid_up_to()
        ))
    })?;
    Ok((text, name))
}

fn batch(engine: &Engine, path: &str, now: i64, csv: bool) -> Result<(), Failure> {
    let mut input: Box<dyn Read + Send> = if path == "-" {
        Box::new(std::io::stdin())
    } else {
        Box::new(
            std::fs::File::open(path)
                .map_err(|e| Failure::Usage(format!("cannot read `{path}`: {e}")))?,
        )
    };
    let mut output = std::io::BufWriter::with_capacity(1 << 20, std::io::stdout());
    let started = Instant::now();
    let terminal = std::io::stderr().is_terminal();
    let mut shown = false;
    let mut progress = |s: &crate::decide::batch::BatchSummary| {
        let elapsed = started.elapsed().as_secs_f64();
        if terminal && elapsed > 2.0 {
            eprint!(
                "\rdecided {} case(s), {} error(s), {:.0} cases/s",
                s.records,
                s.errors,
                s.records as f64 / elapsed
            );
            shown = true;
        }
    };
    let run = if csv { run_csv_batch } else { run_batch };
    let summary = match run(
        engine,
        &mut input,
        &mut output,
        BatchOptions { now },
        &mut progress,
    ) {
        Ok(summary) => summary,
        // A reader that stops early (`| head`) is not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(()),
        Err(e) => return Err(Failure::Usage(format!("batch from `{path}`: {e}"))),
    };
    if shown {
        eprintln!();
    }
    let report = format!(
        "{} record(s): {} decided, {} error(s) in {:.2} s",
        summary.records,
        summary.decided,
        summary.errors,
        started.elapsed().as_secs_f64()
    );
    if summary.errors > 0 {
        // The error records are in the output, one per failed line.
        return Err(Failure::Gate(report));
    }
    eprintln!("{report}");
    Ok(())
}
