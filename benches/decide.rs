//! In-process deciding on the complaint-office policy (JSON parsing excluded): a mix of 1,000
//! generated cases (`examples/gen_cases.rs`), the same with the decision written as JSON by
//! `Decision::write_json` (the one writer: the CLI, the batch, the service and serde all go
//! through it), and one hand-written example. The baseline, measured in the same run, is parsing the same
//! 1,000 lines with serde_json into `Case`. Deciding is measured both ways the library offers:
//! `decide`, a new `Decision` each time, and `decide_into`, one `Decision` refilled.

#![allow(clippy::unwrap_used, reason = "a benchmark fails by panicking")]

#[path = "../examples/gen_cases.rs"]
#[allow(dead_code, reason = "only `case_line` and `Rng` are used")]
mod gen_cases;

use std::hint::black_box;
use std::path::Path;

use charter::decide::{Case, Decision, Timestamp};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn bench(c: &mut Criterion) {
    let (engine, _) = charter::load::engine(Path::new("policies/complaint-office"))
        .map_err(|(e, _)| e.to_string())
        .unwrap();
    let now = Timestamp::parse("2026-12-01T00:00:00+08:00").unwrap().secs;
    let mut rng = gen_cases::Rng::new(0x5EED);
    let lines: Vec<String> = (0..1000)
        .map(|i| gen_cases::case_line(i, &mut rng))
        .collect();
    let cases: Vec<Case> = lines.iter().map(|l| Case::from_json(l).unwrap()).collect();
    // Warm every year index the mix needs, as a long-running process would have them.
    for case in &cases {
        engine.decide(case, now).unwrap();
    }
    let mut group = c.benchmark_group("decide");
    group.throughput(Throughput::Elements(cases.len() as u64));
    group.bench_function("parse 1000 lines into Case (baseline)", |b| {
        b.iter(|| {
            for line in &lines {
                black_box(Case::from_json(black_box(line)).unwrap());
            }
        })
    });
    group.bench_function("decide 1000 generated cases", |b| {
        b.iter(|| {
            for case in &cases {
                black_box(engine.decide(black_box(case), now).unwrap());
            }
        })
    });
    // What a loop that decides many cases does: one decision, refilled each time.
    let mut reused = Decision::default();
    group.bench_function(
        "decide_into 1000 generated cases (one reused Decision, no reasons)",
        |b| {
            b.iter(|| {
                for case in &cases {
                    engine
                        .decide_into(black_box(case), now, &mut reused)
                        .unwrap();
                    black_box(&reused);
                }
            })
        },
    );
    let mut out = Vec::with_capacity(4096);
    group.bench_function("decide 1000 generated cases + JSON (write_json)", |b| {
        b.iter(|| {
            for case in &cases {
                out.clear();
                engine.decide(case, now).unwrap().write_json(&mut out);
                black_box(&out);
            }
        })
    });
    let decisions: Vec<_> = cases
        .iter()
        .map(|c| engine.decide(c, now).unwrap())
        .collect();
    group.bench_function("write 1000 decisions as JSON (write_json)", |b| {
        b.iter(|| {
            for decision in &decisions {
                out.clear();
                decision.write_json(&mut out);
                black_box(&out);
            }
        })
    });
    group.finish();
    let example = Case::from_json(
        &std::fs::read_to_string("examples/cases/complaint-office/accepted-phone.json").unwrap(),
    )
    .unwrap();
    c.bench_function("decide/accepted-phone example", |b| {
        b.iter(|| black_box(engine.decide(black_box(&example), now).unwrap()))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
