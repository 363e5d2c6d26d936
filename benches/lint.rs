//! Linting policies with many route rules (50 categories × 6 channels × 4 severities), compile
//! excluded: 1,000 rules with 0–64 numeric attributes (the cost must not grow exponentially with
//! the attributes), and 250–2,000 rules with 4. The generator is `examples/gen_routes.rs`.

#![allow(clippy::unwrap_used, reason = "a benchmark fails by panicking")]

use std::hint::black_box;

use charter::analyse::lint;
use charter::check::check;
use charter::syntax::load_text;
use criterion::{Criterion, criterion_group, criterion_main};

#[path = "../examples/gen_routes.rs"]
#[allow(dead_code)]
mod gen_routes;

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("lint");
    group.sample_size(10);
    let cases = [
        (1000, 0),
        (1000, 4),
        (1000, 16),
        (1000, 64),
        (250, 4),
        (500, 4),
        (2000, 4),
    ];
    for (rules, attributes) in cases {
        let text = gen_routes::policy(rules, attributes);
        let checked = check(&load_text("gen.charter", &text));
        assert!(!checked.has_errors(), "{:?}", checked.diagnostics.first());
        let policy = &checked.versions[0];
        group.bench_function(format!("{rules} rules, {attributes} attributes"), |b| {
            b.iter(|| black_box(lint(black_box(policy))))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
