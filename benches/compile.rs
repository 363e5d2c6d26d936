//! Compiling large generated policies (parse + check) of about 1k, 10k and 100k lines, to show
//! the cost grows linearly. The generator is `examples/gen_policy.rs`
//! (`cargo run --example gen_policy -- ROLES` prints one).

#![allow(clippy::unwrap_used, reason = "a benchmark fails by panicking")]

use std::hint::black_box;

use charter::check::check;
use charter::syntax::load_text;
use criterion::{Criterion, criterion_group, criterion_main};

#[path = "../examples/gen_policy.rs"]
#[allow(dead_code)]
mod gen_policy;

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("compile");
    group.sample_size(10);
    for roles in [45usize, 450, 4500] {
        let text = gen_policy::policy(roles);
        let lines = text.lines().count();
        let checked = check(&load_text("gen.charter", &text));
        assert!(!checked.has_errors(), "{:?}", checked.diagnostics.first());
        group.bench_function(format!("{lines} lines"), |b| {
            b.iter(|| black_box(check(&load_text("gen.charter", black_box(&text)))))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
