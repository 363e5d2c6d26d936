//! `charter replay`: a decision log's cases decided again and compared with what was answered.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::ValueEnum;

use crate::cli::Failure;
use crate::cli::output::write_or_print;
use crate::record::log::LogLocation;
use crate::record::replay::{Replay, replay};

/// Arguments of `charter replay`.
#[derive(clap::Args)]
#[command(after_help = "Examples:
  charter replay decisions.sqlite --policy policies/complaint-office
  charter replay decisions.sqlite --policy proposed/complaint-office --format html -o what-if.html
  charter replay decisions.sqlite --policy policies/complaint-office --format json | jq .changed
  charter replay postgres://charter@db.internal/charter --policy policies/complaint-office

Each logged case is decided again at the instant it was decided (`evaluated_at`), by the policy
version in force when it was received. Where that version has the digest the log names, the
decision must come out exactly as answered: a difference is a bug in charter and is reported
as `mismatched`. Under another version it is a what-if: `changed` decisions list the fields
that differ (the explanation and rule references, which name the other policy's text, are left
out). A logged case that does not match its input_digest was altered or damaged after it was
logged and is reported as `damaged`. This finds damage and careless edits, not a careful
forger: the log holds no signature, so whoever can write the file can rewrite a case and its
digest together. Rows whose personal fields are hashed are decided again, their digest not
checked.

Exit codes: 0 every decision came out as answered, 1 some did not, 2 usage or I/O error.")]
pub struct Args {
    /// The decision log: the SQLite file of `charter serve --decision-log`, or the
    /// `postgres://` URL of a shared one.
    #[arg(value_parser = parse_location)]
    log: LogLocation,
    /// The policy to decide with (a file, or a folder of versions).
    #[arg(long)]
    policy: PathBuf,
    /// The report's format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Write the report here instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "PATH")]
    output: Option<PathBuf>,
    /// Replace a file that exists at the -o path.
    #[arg(long)]
    force: bool,
}

fn parse_location(text: &str) -> Result<LogLocation, String> {
    Ok(LogLocation::parse(text))
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
    Md,
    Html,
}

pub(crate) fn run(args: Args) -> Result<(), Failure> {
    let engine = crate::cli::engine(&args.policy)?;
    let started = std::time::Instant::now();
    let terminal = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let mut progress = |read: u64| {
        if terminal {
            eprint!("\rreplayed {read} decision(s)");
        }
    };
    let report =
        replay(&args.log, &engine, &mut progress).map_err(|e| Failure::Usage(e.to_string()))?;
    if terminal && report.decisions >= 10_000 {
        eprintln!();
    }
    let text = match args.format {
        Format::Json => {
            let mut json = serde_json::to_string_pretty(&report)
                .map_err(|e| Failure::Usage(format!("cannot write the report: {e}")))?;
            json.push('\n');
            json
        }
        Format::Text => text(&report),
        Format::Md => markdown(&report),
        Format::Html => html(&report, &args.log.to_string()),
    };
    write_or_print(args.output.as_deref(), args.force, &text)?;
    let verdict = format!(
        "{} decision(s) replayed in {:.2} s: {} identical, {} changed, {} mismatched, {} damaged",
        report.decisions,
        started.elapsed().as_secs_f64(),
        report.identical,
        report.changed,
        report.mismatched,
        report.damaged
    );
    if report.identical() {
        eprintln!("{verdict}");
        Ok(())
    } else {
        Err(Failure::Gate(verdict))
    }
}

fn value(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => "—".into(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn summary(report: &Replay) -> String {
    let mut out = format!(
        "{} decision(s) replayed: {} identical, {} changed, {} mismatched, {} damaged",
        report.decisions, report.identical, report.changed, report.mismatched, report.damaged
    );
    if report.redacted > 0 {
        let _ = write!(
            out,
            "\n{} of them hold personal fields as keyed hashes: decided again as logged, their digests not checked",
            report.redacted
        );
    }
    if report.mismatched > 0 {
        out.push_str(
            "\nmismatched decisions came out differently under the very policy version that made them: this is a bug in charter; please report it with the entries below",
        );
    }
    out
}

/// The what-if in sentences: where changed decisions move, over all of them.
fn what_if(report: &Replay) -> Vec<String> {
    let name = |n: &Option<String>| n.as_ref().map_or("none".to_string(), |n| format!("`{n}`"));
    let mut out = Vec::new();
    let moves = [
        (&report.what_if.routes, "handled by "),
        (&report.what_if.outcomes, ""),
    ];
    for (moved, how) in moves {
        for m in moved {
            out.push(format!(
                "{} case(s) {how}{} instead of {}",
                m.cases,
                name(&m.to),
                name(&m.from)
            ));
        }
    }
    for d in &report.what_if.deadlines {
        let mut parts = Vec::new();
        if d.earlier > 0 {
            parts.push(format!("{} earlier", d.earlier));
        }
        if d.later > 0 {
            parts.push(format!("{} later", d.later));
        }
        if let Some(hours) = d.mean_hours {
            parts.push(format!("on average {hours:+.1} h"));
        }
        if d.new > 0 {
            parts.push(format!("{} newly due", d.new));
        }
        if d.gone > 0 {
            parts.push(format!("{} no longer due", d.gone));
        }
        out.push(format!("deadlines of `{}`: {}", d.target, parts.join(", ")));
    }
    out
}

fn text(report: &Replay) -> String {
    let mut out = summary(report);
    out.push('\n');
    let moves = what_if(report);
    if !moves.is_empty() {
        out.push_str("\nWhat-if, over every changed decision:\n");
        for line in moves {
            let _ = writeln!(out, "  {line}");
        }
    }
    for change in &report.changes {
        let _ = writeln!(
            out,
            "\n{} `{}` ({}; logged under {}, replayed under {})",
            change.kind,
            change.case,
            change.decision_id,
            version(&change.logged_version, &change.logged_digest),
            version(&change.replayed_version, &change.replayed_digest),
        );
        for field in &change.fields {
            if field.path.is_empty() {
                let _ = writeln!(out, "  {}", value(&field.replayed));
            } else {
                let _ = writeln!(
                    out,
                    "  {}: {} -> {}",
                    field.path,
                    value(&field.logged),
                    value(&field.replayed)
                );
            }
        }
    }
    listed_note(report, &mut out);
    out
}

/// A version and the start of its digest (two versions may share a name).
fn version(name: &str, digest: &str) -> String {
    match digest.get(..12) {
        Some(start) => format!("{name} ({start}…)"),
        None => "—".into(),
    }
}

fn listed_note(report: &Replay, out: &mut String) {
    let differing = report.decisions - report.identical;
    if differing > report.changes.len() as u64 {
        let _ = writeln!(
            out,
            "\n(the first {} of {differing} differing decisions are listed)",
            report.changes.len()
        );
    }
}

/// `|` and line breaks would end a Markdown table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

fn markdown(report: &Replay) -> String {
    let mut out = String::from("# Replay of the decision log\n\n");
    out.push_str(&summary(report).replace('\n', "\n\n"));
    out.push('\n');
    let moves = what_if(report);
    if !moves.is_empty() {
        out.push_str("\n## What-if, over every changed decision\n\n");
        for line in moves {
            let _ = writeln!(out, "- {}", cell(&line));
        }
    }
    for change in &report.changes {
        let _ = writeln!(
            out,
            "\n## {} `{}`\n\nDecision `{}`, logged under {}, replayed under {}.\n\n| field | logged | replayed |\n|---|---|---|",
            change.kind,
            cell(&change.case),
            change.decision_id,
            cell(&version(&change.logged_version, &change.logged_digest)),
            cell(&version(&change.replayed_version, &change.replayed_digest)),
        );
        for field in &change.fields {
            let _ = writeln!(
                out,
                "| {} | {} | {} |",
                if field.path.is_empty() {
                    "—".to_string()
                } else {
                    format!("`{}`", cell(&field.path))
                },
                cell(&value(&field.logged)),
                cell(&value(&field.replayed))
            );
        }
    }
    listed_note(report, &mut out);
    out
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn html(report: &Replay, log: &str) -> String {
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Replay of {}</title>\n<style>body{{font-family:system-ui,'Noto Sans CJK SC',sans-serif;margin:2em;}}table{{border-collapse:collapse;}}td,th{{border:1px solid #999;padding:.25em .5em;text-align:left;vertical-align:top;}}code{{font-size:.9em;}}.mismatched h2{{background:#fdd;}}.damaged h2{{background:#fec;}}h2{{font-size:1.1em;margin-top:1.5em;}}</style></head><body>\n<h1>Replay of <code>{}</code></h1>\n",
        escape(log),
        escape(log)
    );
    for line in summary(report).lines() {
        let _ = writeln!(out, "<p>{}</p>", escape(line));
    }
    let moves = what_if(report);
    if !moves.is_empty() {
        out.push_str("<h2>What-if, over every changed decision</h2>\n<ul>\n");
        for line in moves {
            let _ = writeln!(out, "<li>{}</li>", escape(&line));
        }
        out.push_str("</ul>\n");
    }
    for change in &report.changes {
        let _ = writeln!(
            out,
            "<section class=\"{}\"><h2>{} <code>{}</code></h2>\n<p>Decision <code>{}</code>, logged under {}, replayed under {}.</p>\n<table><thead><tr><th>field</th><th>logged</th><th>replayed</th></tr></thead><tbody>",
            change.kind,
            change.kind,
            escape(&change.case),
            change.decision_id,
            escape(&version(&change.logged_version, &change.logged_digest)),
            escape(&version(&change.replayed_version, &change.replayed_digest)),
        );
        for field in &change.fields {
            let _ = writeln!(
                out,
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
                escape(&field.path),
                escape(&value(&field.logged)),
                escape(&value(&field.replayed))
            );
        }
        out.push_str("</tbody></table></section>\n");
    }
    let mut note = String::new();
    listed_note(report, &mut note);
    if !note.is_empty() {
        let _ = writeln!(out, "<p>{}</p>", escape(note.trim()));
    }
    out.push_str("</body></html>\n");
    out
}
