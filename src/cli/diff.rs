//! `charter diff`: what a change of policy does to cases, for the people who approve it.

use std::path::{Path, PathBuf};

use clap::ValueEnum;

use crate::check::{Checked, Policy};
use crate::cli::output::write_or_print;
use crate::cli::{Failure, load_and_check};
use crate::decide::batch::Input;
use crate::diff::{Diff, Version, compare, count_cases, document};
use crate::render::{Lang, TextFormat};
use crate::syntax::Loaded;

/// Arguments of `charter diff`.
#[derive(clap::Args)]
#[command(after_help = "Examples:
  charter diff old/complaint-office policies/complaint-office
  charter diff policies/ecommerce-after-sales --from-version 2026.1 --to-version 2026.2 --lang en
  charter diff old.charter new.charter --format html -o change.html
  charter diff old/ new/ --format json | jq '.routing'
  charter diff old/ new/ --cases cases.ndjson

With --cases, every case of the file (NDJSON, or CSV for a .csv file) is decided under both
versions, as if each were in force when the case was received, and each change says how many
of them it affects.

Routing, acceptance and deadlines are compared exactly over every case both versions accept
(cases that give every attribute the conditions ask about): each change is a set of cases in
words, as a condition, and with an example. Other declarations are compared in canonical form:
comments, layout and the order of declarations never count, and labels count as wording.

Exit codes: 0 nothing behavioural changed (wording may have), 1 something did (so CI can gate
on it), or a policy has errors, 2 usage or I/O error.")]
pub struct Args {
    /// The policy before the change (a file, or a folder of versions).
    old: PathBuf,
    /// The policy after the change; without it, both versions come from OLD (give
    /// --from-version and --to-version).
    new: Option<PathBuf>,
    /// The version compared from (default: the latest in OLD, or with one path, the one
    /// before --to-version).
    #[arg(long, value_name = "VERSION")]
    from_version: Option<String>,
    /// The version compared to (default: the latest).
    #[arg(long, value_name = "VERSION")]
    to_version: Option<String>,
    /// The report's format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// The language of the report.
    #[arg(long, value_enum, default_value_t = LangArg::Zh)]
    lang: LangArg,
    /// Write the report here instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "PATH")]
    output: Option<PathBuf>,
    /// Replace a file that exists at the -o path (links are never written through).
    #[arg(long)]
    force: bool,
    /// Real cases (NDJSON, or CSV for a `.csv` file; `-` for standard input): how many of
    /// them each change affects.
    #[arg(long, value_name = "FILE")]
    cases: Option<String>,
    /// With --cases: the instant states are evaluated at (RFC 3339 with an offset); default
    /// now.
    #[arg(long, value_name = "T", requires = "cases")]
    now: Option<String>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Md,
    Html,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum LangArg {
    Zh,
    En,
}

/// A policy path, loaded and checked, with no errors.
fn checked(path: &Path) -> Result<(Loaded, Checked), Failure> {
    let (loaded, checked) = load_and_check(path)?;
    if checked.has_errors() {
        return Err(Failure::policy(path, checked.diagnostics, &loaded.sources));
    }
    Ok((loaded, checked))
}

/// The version `wanted` of a policy, or its latest (`before` it, when given).
fn pick<'a>(
    path: &Path,
    checked: &'a Checked,
    wanted: Option<&str>,
    before: Option<&Policy>,
) -> Result<&'a Policy, Failure> {
    let versions = &checked.versions;
    match wanted {
        Some(v) => versions.iter().find(|p| p.version == v).ok_or_else(|| {
            let known: Vec<&str> = versions.iter().map(|p| p.version.as_str()).collect();
            Failure::Usage(format!(
                "{}: no version `{v}`; the policy has {}",
                path.display(),
                known.join(", ")
            ))
        }),
        None => {
            let candidates = versions.iter().filter(|p| {
                before.is_none_or(|b| p.effective < b.effective && p.version != b.version)
            });
            candidates.max_by_key(|p| p.effective).ok_or_else(|| {
                Failure::Usage(match before {
                    Some(b) => format!(
                        "{}: no version before `{}` to compare with; give --from-version, or two paths",
                        path.display(),
                        b.version
                    ),
                    None => format!("{}: no policy version", path.display()),
                })
            })
        }
    }
}

pub(crate) fn run(args: Args) -> Result<(), Failure> {
    let lang = match args.lang {
        LangArg::Zh => Lang::Zh,
        LangArg::En => Lang::En,
    };
    let (old_loaded, old_checked) = checked(&args.old)?;
    let second = match &args.new {
        Some(path) => Some(checked(path)?),
        None => None,
    };
    let (new_path, (new_loaded, new_checked)) = match (&args.new, &second) {
        (Some(path), Some(loaded)) => (path.as_path(), (&loaded.0, &loaded.1)),
        _ => (args.old.as_path(), (&old_loaded, &old_checked)),
    };
    let new = pick(new_path, new_checked, args.to_version.as_deref(), None)?;
    let old = match (&args.new, &args.from_version) {
        (None, None) => pick(&args.old, &old_checked, None, Some(new))?,
        _ => pick(&args.old, &old_checked, args.from_version.as_deref(), None)?,
    };
    let mut diff = compare(
        &Version::of(&old_loaded, old),
        &Version::of(new_loaded, new),
        lang,
    );
    if let Some(path) = &args.cases {
        let now = crate::cli::instant_option("--now", args.now.as_deref())?;
        let mut reader: Box<dyn std::io::Read + Send> = if path == "-" {
            Box::new(std::io::stdin())
        } else {
            Box::new(
                std::fs::File::open(path)
                    .map_err(|e| Failure::Usage(format!("{path}: cannot read: {e}")))?,
            )
        };
        let input = if path.ends_with(".csv") {
            Input::Csv(&mut *reader)
        } else {
            Input::Ndjson(&mut *reader)
        };
        count_cases(&mut diff, old, new, input, now, &mut |_| {})
            .map_err(|e| Failure::Usage(format!("{path}: {e}")))?;
    }
    let text = report(&diff, args.format, lang)?;
    write_or_print(args.output.as_deref(), args.force, &text)?;
    if diff.behavioural() {
        return Err(Failure::Gate(format!(
            "the change from {} to {} alters behaviour",
            diff.old.version, diff.new.version
        )));
    }
    Ok(())
}

fn report(diff: &Diff, format: Format, lang: Lang) -> Result<String, Failure> {
    let doc = document(diff, lang);
    let render = |f: TextFormat| {
        doc.render(f, None)
            .map_err(|e| Failure::Usage(format!("cannot write the report: {e}")))
    };
    Ok(match format {
        Format::Json => serde_json::to_string_pretty(diff)
            .map_err(|e| Failure::Usage(format!("cannot write the report: {e}")))?,
        Format::Md => render(TextFormat::Markdown)?,
        Format::Html => render(TextFormat::Html)?,
        Format::Text => crate::diff::plain(&doc),
    })
}
