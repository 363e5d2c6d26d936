//! `charter fmt [--check] PATHS`

use std::path::PathBuf;

use crate::cli::Failure;
use crate::cli::output::{Replace, is_link, write_file};
use crate::diagnostic::Diagnostic;
use crate::format::format_text;
use crate::syntax::Sources;

/// Arguments of `charter fmt`.
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  charter fmt policies\n  charter fmt --check policies/complaint-office/policy.charter\n\nExit codes: 0 formatted (or nothing to change), 1 a file would change (--check) or does not parse, 2 usage or I/O error."
)]
pub struct Args {
    /// Files or folders (every `.charter` file below them).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Change nothing; list the files that would change and exit 1 if any.
    #[arg(long)]
    check: bool,
}

pub(crate) fn run(args: Args) -> Result<(), Failure> {
    let mut files = Vec::new();
    for path in &args.paths {
        if path.is_dir() {
            let mut unreadable = Vec::new();
            crate::syntax::charter_files(path, &mut files, &mut unreadable);
            if let Some(d) = unreadable.first() {
                return Err(Failure::Usage(d.message.clone()));
            }
        } else if path.exists() {
            files.push(path.clone());
        } else {
            return Err(Failure::Usage(format!(
                "`{}` does not exist",
                path.display()
            )));
        }
    }
    files.sort();
    let mut failed = 0usize;
    for file in files {
        let shown = file.display().to_string();
        let bytes = crate::syntax::read_bounded(&file)
            .map_err(|e| Failure::Usage(format!("cannot read `{shown}`: {e}")))?;
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => {
                let (line, column, _) = crate::source::not_utf8_place(&e);
                eprintln!(
                    "error: `{shown}` is not UTF-8 text: the byte at {line}:{column} is not; save it as UTF-8"
                );
                failed += 1;
                continue;
            }
        };
        match format_text(&text) {
            Ok(formatted) if formatted == text => {}
            Ok(_) if args.check => {
                say!("{shown}");
                failed += 1;
            }
            Ok(_) if is_link(&file) => {
                eprintln!("{shown}: not formatted: it is a link; format the file it points to");
                failed += 1;
            }
            Ok(formatted) => {
                write_file(&file, formatted.as_bytes(), Replace::File)?;
                eprintln!("formatted {shown}");
            }
            Err(errors) => {
                let mut sources = Sources::default();
                sources.add(shown.clone(), text);
                for e in errors {
                    eprintln!("{}", Diagnostic::from(e).render(&sources));
                }
                eprintln!("{shown}: not formatted (it does not parse)");
                failed += 1;
            }
        }
    }
    if failed > 0 {
        let what = if args.check {
            "would change or cannot be formatted"
        } else {
            "cannot be formatted"
        };
        return Err(Failure::Gate(format!(
            "{failed} file{} {what}",
            if failed == 1 { "" } else { "s" }
        )));
    }
    Ok(())
}
