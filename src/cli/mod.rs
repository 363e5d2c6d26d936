//! The command-line front end: clap parsing, one file per subcommand, failures printed in one
//! place (`error`). Exit codes: 0 success, 1 the policy or a case has errors (or a gate
//! fails), 2 usage or I/O error.

/// `println!` for the front end: a reader that has gone away (`| head`) ends the program
/// quietly (a closed pipe is not an error), and any other failure to write ends it with a
/// message and exit 2, instead of the panic of `println!`.
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::cli::print_line(&format!($($arg)*))
    };
}

mod audit;
mod check;
mod decide;
mod diff;
mod doc;
mod error;
mod fmt;
mod lint;
#[cfg(feature = "lsp")]
mod lsp;
mod output;
#[cfg(feature = "log")]
mod replay;
#[cfg(feature = "serve")]
mod serve;
mod test;
mod time;
#[cfg(feature = "serve")]
mod workbench;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub(crate) use error::{ErrorFormat, Failure};

/// charter: a policy and SLA engine for complaint handling.
#[derive(Parser)]
#[command(name = "charter", version, about, long_about = None, after_help = "Examples:\n  charter check policies/complaint-office\n  charter decide --policy policies/complaint-office examples/cases/complaint-office/accepted-phone.json\n  charter lint policies/led-maker\n  charter test --coverage policies/led-maker\n  charter doc role --policy policies/led-maker --all --format html -o roles.html\n  charter audit --policy policies/complaint-office cases.ndjson\n  charter serve --policy policies/complaint-office --addr 127.0.0.1:7878\n  charter fmt --check policies\n  charter time add --policy policies/complaint-office --calendar office --from 2026-11-20T17:45:00+08:00 \"2 working hours\"")]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// How failures are printed on standard error: `human`, or `json` (one object with
    /// `exit`, `kind`, `message`, and `code` or `diagnostics`). Exit codes: 0 success, 1 the
    /// policy or a case has errors or a gate fails, 2 usage or I/O error.
    #[arg(long, global = true, value_enum, default_value_t = ErrorFormat::Human)]
    error_format: ErrorFormat,
    /// A folder the policy's imports may read from (repeat for several). Without it, imports
    /// stay in the folder that holds the policy's folder; rule citations are relative to the
    /// first root.
    #[arg(long, global = true, value_name = "DIR")]
    import_root: Vec<std::path::PathBuf>,
}

/// The folders given with `--import-root`, canonical, set once when the command line is read.
static IMPORT_ROOTS: std::sync::OnceLock<Vec<std::path::PathBuf>> = std::sync::OnceLock::new();

/// The folders imports of the policy at `path` may read from: those given with
/// `--import-root`, or the folder that holds the policy's folder.
pub(crate) fn import_roots(path: &std::path::Path) -> Vec<std::path::PathBuf> {
    match IMPORT_ROOTS.get() {
        Some(roots) if !roots.is_empty() => roots.clone(),
        _ => vec![crate::syntax::import_root(path)],
    }
}

/// Loads and checks the policy at `path` and builds its engine, within the import roots.
pub(crate) fn engine(path: &std::path::Path) -> Result<crate::decide::Engine, Failure> {
    existing(path)?;
    crate::load::engine_within(path, &import_roots(path))
        .map(|(engine, _)| engine)
        .map_err(|(error, loaded)| engine_failure(path, error, &loaded))
}

#[derive(Subcommand)]
enum Command {
    /// Compile a policy and print its diagnostics like a compiler.
    Check(check::Args),
    /// Decide a case (or a batch of cases): acceptance, route, deadlines, escalations, callback.
    Decide(decide::Args),
    /// Audit real case histories against the policy (attainment, breaches, procedure
    /// checks, scheduled reports), and what-if under another policy.
    Audit(audit::Args),
    /// What a change of policy does to cases: routing, acceptance, deadlines, declarations,
    /// in plain words (exit 1 when behaviour changes).
    Diff(diff::Args),
    /// Write documents: position descriptions, the procedure, the org chart (md, html, docx).
    #[command(subcommand)]
    Doc(doc::Command),
    /// Analyse a policy for gaps, overlaps and unclear duties, like compliance staff would.
    Lint(lint::Args),
    /// Run the policy's test suites (`*.test.toml`): expected routes, deadlines, states.
    Test(test::Args),
    /// Serve decisions over HTTP (JSON API), reloading the policy when it changes.
    #[cfg(feature = "serve")]
    Serve(serve::Args),
    /// Decide a decision log's cases again and compare with what was answered (identical
    /// under the same policy; a what-if under another).
    #[cfg(feature = "log")]
    Replay(replay::Args),
    /// Make a client token for `charter serve --tokens` (the token, then the file's line).
    #[cfg(feature = "serve")]
    Token(serve::TokenArgs),
    /// Edit the policy in the browser: diagnostics as you type, documents, trying a case.
    #[cfg(feature = "serve")]
    Workbench(workbench::Args),
    /// Format policy files in the one canonical layout.
    Fmt(fmt::Args),
    /// The language server for editors (diagnostics as you type, hover, go to definition…).
    #[cfg(feature = "lsp")]
    Lsp(lsp::Args),
    /// Business-time arithmetic on a policy's calendar, for checking deadlines by hand.
    #[command(subcommand)]
    Time(time::Command),
}

/// Writes `text` and a newline to standard output; see `say!`.
pub(crate) fn print_line(text: &str) {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    if let Err(e) = writeln!(out, "{text}").and_then(|()| out.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error: cannot write to standard output: {e}");
        std::process::exit(2);
    }
}

/// Loads and checks a policy path that must exist (a file or a folder).
pub(crate) fn load_and_check(
    path: &std::path::Path,
) -> Result<(crate::syntax::Loaded, crate::check::Checked), Failure> {
    existing(path)?;
    let loaded = crate::syntax::load_within(path, &import_roots(path));
    let checked = crate::check::check(&loaded);
    Ok((loaded, checked))
}

/// Why the policy at `path` cannot decide cases: its error diagnostics, or the engine's reason.
pub(crate) fn engine_failure(
    path: &std::path::Path,
    error: crate::decide::EngineError,
    loaded: &crate::syntax::Loaded,
) -> Failure {
    match error {
        crate::decide::EngineError::Invalid(diagnostics) => {
            Failure::policy(path, diagnostics, &loaded.sources)
        }
        other => Failure::Policy {
            diagnostics: Vec::new(),
            sources: Default::default(),
            message: format!("`{}`: {other}", path.display()),
        },
    }
}

/// A policy path that must exist (a file or a folder), or the usage failure that says so.
/// The instant an option names (`--now`, `--as-of`), or the present when it names none: RFC
/// 3339 with an offset, within the dates charter computes (a usage error otherwise, naming the
/// option, rather than an error blamed on each case).
pub(crate) fn instant_option(option: &str, text: Option<&str>) -> Result<i64, Failure> {
    let Some(text) = text else {
        return Ok(chrono::Utc::now().timestamp());
    };
    let at = crate::decide::Timestamp::parse(text)
        .map_err(|e| Failure::Usage(format!("{option}: {e}")))?;
    if !at.within_years() {
        let (first, last) = (crate::time::MIN_YEAR, crate::time::MAX_YEAR);
        return Err(Failure::Usage(format!(
            "{option} {text}: charter computes from {first}-01-01 to {last}-12-31; give an instant within them"
        )));
    }
    Ok(at.secs)
}

pub(crate) fn existing(path: &std::path::Path) -> Result<(), Failure> {
    if path.exists() {
        Ok(())
    } else {
        Err(Failure::Usage(format!(
            "`{}` does not exist; give a `.charter` file or a folder of them",
            path.display()
        )))
    }
}

/// Whether the command line asks for JSON failures, read from the raw arguments: when they
/// do not parse, clap cannot tell us.
fn wants_json_errors() -> bool {
    let args: Vec<String> = std::env::args().collect();
    args.iter().any(|a| a == "--error-format=json")
        || args
            .windows(2)
            .any(|w| w[0] == "--error-format" && w[1] == "json")
}

/// Runs the command line.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if e.use_stderr() && wants_json_errors() => {
            let failure = Failure::Usage(e.kind().to_string());
            let detail = e.to_string();
            let mut value: serde_json::Value =
                serde_json::from_str(&failure.render(ErrorFormat::Json)).unwrap_or_default();
            value["detail"] = detail.trim_end().into();
            eprintln!("{value}");
            return ExitCode::from(failure.exit_code());
        }
        // Help and version go to standard output with exit 0; other usage errors exit 2.
        Err(e) => e.exit(),
    };
    let format = cli.error_format;
    let mut roots = Vec::new();
    for root in &cli.import_root {
        match root.canonicalize() {
            Ok(canonical) if canonical.is_dir() => roots.push(canonical),
            _ => {
                let failure = Failure::Usage(format!(
                    "--import-root `{}` is not a folder; give an existing folder that holds the files the policy imports",
                    root.display()
                ));
                eprintln!("{}", failure.render(format));
                return ExitCode::from(failure.exit_code());
            }
        }
    }
    let _ = IMPORT_ROOTS.set(roots);
    let result = match cli.command {
        Command::Check(args) => check::run(args, format),
        Command::Decide(args) => decide::run(args),
        Command::Fmt(args) => fmt::run(args),
        Command::Lint(args) => lint::run(args),
        Command::Audit(args) => audit::run(args),
        Command::Diff(args) => diff::run(args),
        Command::Doc(command) => doc::run(command),
        Command::Test(args) => test::run(args),
        #[cfg(feature = "serve")]
        Command::Serve(args) => serve::run(args),
        #[cfg(feature = "log")]
        Command::Replay(args) => replay::run(args),
        #[cfg(feature = "serve")]
        Command::Token(args) => serve::token(args),
        #[cfg(feature = "serve")]
        Command::Workbench(args) => workbench::run(args),
        Command::Time(command) => time::run(command),
        #[cfg(feature = "lsp")]
        Command::Lsp(args) => lsp::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("{}", failure.render(format));
            ExitCode::from(failure.exit_code())
        }
    }
}
