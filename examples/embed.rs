//! Embedding the engine in a program that streams cases: compile a policy once, then read one
//! case per line (NDJSON) from standard input, decide it into one reused `Decision`, print a
//! line, and drop the case before reading the next. Memory stays flat however long the stream.
//!
//! ```sh
//! for f in examples/cases/complaint-office/*.json; do tr -d '\n' < "$f"; echo; done \
//!   | cargo run --release --example embed -- policies/complaint-office
//! ```
//!
//! Each output line is `case  outcome  role  first deadline`, or the case's error; a line that
//! is not a case is reported with its number and the stream goes on.

use std::io::{BufRead, Write};

use charter::decide::{Case, Decision, Engine};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args()
        .nth(1)
        .ok_or("usage: embed POLICY_DIR < cases.ndjson")?;
    // `charter::load::engine` follows imports from disk; `Engine::from_sources` does the same
    // for files held in memory.
    let (engine, _warnings): (Engine, _) =
        charter::load::engine(dir.as_ref()).map_err(|(errors, _)| errors.to_string())?;
    // `now` for every case: the moment the stream is read.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs() as i64;

    // One decision for the whole stream: it borrows the engine, never a case, so each case
    // can be dropped as soon as it is decided.
    let mut decision = Decision::default();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for (number, line) in std::io::stdin().lock().lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let case = match Case::from_json(&line) {
            Ok(case) => case,
            Err(error) => {
                writeln!(out, "line {}: {error}", number + 1)?;
                continue;
            }
        };
        match engine.decide_into(&case, now, &mut decision) {
            Ok(()) => {
                let role = decision.route.as_ref().and_then(|r| r.role).unwrap_or("-");
                let due = decision
                    .targets
                    .first()
                    .and_then(|t| t.deadline)
                    .map_or_else(|| "-".to_string(), |d| d.to_string());
                writeln!(
                    out,
                    "{}\t{:?}\t{role}\t{due}",
                    decision.case, decision.acceptance.outcome
                )?;
            }
            Err(error) => writeln!(out, "line {}: {error}", number + 1)?,
        }
        // `case` is dropped here; `decision` keeps its memory for the next one.
    }
    out.flush()?;
    Ok(())
}
