//! The in-process deciding benchmark's work as a plain program, for counting instructions
//! (`benches/instructions.sh` runs it under callgrind): the same 1,000 generated cases as
//! `benches/decide.rs`, decided ROUNDS times at the same `now`, then prints the time per case.
//!
//! `cargo run --release --example decide_loop -- decide 200`
//!
//! A third argument decides only the first CASES of the 1,000 (rounds are scaled so that the
//! run decides as many cases in all): with few cases, their data stays in the processor's
//! caches, which shows how much of the time per case is spent waiting for the case's memory.
//!
//! Modes: `decide` (decide only, with the reasons), `into` (decide into one reused
//! `Decision`, without them), `reasons` (the same with them: the explanation's own cost is
//! the difference), `route` (routing alone, `Engine::route`), `json` (decide and `write_json`), `parse` (read the 1,000
//! lines into `Case`, the baseline). A timing from this program is one run on a shared
//! machine; criterion (`benches/run.sh decide`) gives medians.

#[path = "gen_cases.rs"]
#[allow(dead_code, reason = "only `case_line` and `Rng` are used")]
mod gen_cases;

use std::hint::black_box;
use std::time::Instant;

use charter::decide::{Case, Decision, Timestamp};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: decide_loop decide|into|reasons|route|json|parse [ROUNDS [CASES]]";
    let mode = args.next().ok_or(usage)?;
    let rounds: u32 = match args.next() {
        Some(r) => r.parse().map_err(|_| usage)?,
        None => 200,
    };
    let count: u32 = match args.next() {
        Some(n) => n
            .parse()
            .ok()
            .filter(|n| (1..=1000).contains(n))
            .ok_or(usage)?,
        None => 1000,
    };
    let rounds = rounds.saturating_mul(1000 / count);
    let (engine, _) = charter::load::engine("policies/complaint-office".as_ref())
        .map_err(|(e, _)| e.to_string())?;
    let now = Timestamp::parse("2026-12-01T00:00:00+08:00")?.secs;
    let mut rng = gen_cases::Rng::new(0x5EED);
    let lines: Vec<String> = (0..1000)
        .map(|i| gen_cases::case_line(i, &mut rng))
        .take(count as usize)
        .collect();
    let cases = lines
        .iter()
        .map(|l| Case::from_json(l))
        .collect::<Result<Vec<Case>, _>>()
        .map_err(|e| e.to_string())?;
    let mut out = Vec::with_capacity(8192);
    let started = Instant::now();
    for _ in 0..rounds {
        match mode.as_str() {
            "parse" => {
                for line in &lines {
                    black_box(Case::from_json(black_box(line)).is_ok());
                }
            }
            "decide" => {
                for case in &cases {
                    black_box(&engine.decide(black_box(case), now)?);
                }
            }
            "into" | "reasons" => {
                let mut decision = if mode == "reasons" {
                    Decision::with_reasons()
                } else {
                    Decision::default()
                };
                for case in &cases {
                    engine.decide_into(black_box(case), now, &mut decision)?;
                    black_box(&decision);
                }
            }
            "route" => {
                for case in &cases {
                    black_box(&engine.route(black_box(case))?);
                }
            }
            "json" => {
                for case in &cases {
                    out.clear();
                    engine.decide(black_box(case), now)?.write_json(&mut out);
                    black_box(&out);
                }
            }
            _ => return Err(usage.into()),
        }
    }
    let cases_done = f64::from(rounds) * lines.len() as f64;
    println!(
        "{mode}: {:.3} us per case",
        started.elapsed().as_secs_f64() * 1e6 / cases_done.max(1.0)
    );
    Ok(())
}
