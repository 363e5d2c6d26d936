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

/// What the language server does after a keystroke: the policy folder checked again with the
/// editor's unsaved text, as it stands (whole) and with a typo in it (recovery at work).
#[cfg(feature = "lsp")]
fn keystroke(c: &mut Criterion) {
    use std::collections::HashMap;
    let mut group = c.benchmark_group("lsp recheck");
    group.sample_size(20);
    let mut roles = 45;
    let mut text = gen_policy::policy(roles);
    while text.lines().count() < 2000 {
        roles += 5;
        text = gen_policy::policy(roles);
    }
    let lines = text.lines().count();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("policy.charter");
    std::fs::write(&path, &text).unwrap();
    let path = path.canonicalize().unwrap();
    let typo = text.replacen("within", "withn", 1);
    for (what, edited) in [("as written", text.clone()), ("with a typo", typo)] {
        let unsaved = HashMap::from([(path.clone(), edited)]);
        let analysis = charter::lsp::Analysis::run(dir.path(), &unsaved);
        assert_eq!(analysis.checked.has_errors(), what != "as written");
        group.bench_function(format!("{lines} lines, {what}"), |b| {
            b.iter(|| black_box(charter::lsp::Analysis::run(dir.path(), black_box(&unsaved))))
        });
    }
    group.finish();
}

#[cfg(not(feature = "lsp"))]
fn keystroke(_: &mut Criterion) {}

criterion_group!(benches, bench, keystroke);
criterion_main!(benches);
