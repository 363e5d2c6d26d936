//! Rendering every document of the largest shipped policy (the LED maker: 10 roles, the
//! procedure, the org chart) in one language, per format. The policy is compiled once, as a
//! long-running process or `charter doc --all` would have it.

#![allow(clippy::unwrap_used, reason = "a benchmark fails by panicking")]

use std::hint::black_box;
use std::path::Path;

use charter::check::{Policy, check};
use charter::render::{Document, Lang, TextFormat, org_chart, position_description, procedure};
use charter::syntax::load;
use criterion::{Criterion, criterion_group, criterion_main};

fn all_documents(policy: &Policy) -> Vec<Document> {
    let mut docs: Vec<Document> = (0..policy.roles.len())
        .map(|i| position_description(policy, i, Lang::Zh))
        .collect();
    docs.push(procedure(policy, None, Lang::Zh));
    docs.push(org_chart(policy, Lang::Zh));
    docs
}

fn bench(c: &mut Criterion) {
    let checked = check(&load(Path::new("policies/led-maker")));
    let policy = checked.versions.last().unwrap();
    let mut group = c.benchmark_group("render every LED maker document");
    group.bench_function("md", |b| {
        b.iter(|| {
            for d in all_documents(black_box(policy)) {
                black_box(d.render(TextFormat::Markdown, None).unwrap());
            }
        })
    });
    group.bench_function("html", |b| {
        b.iter(|| {
            for d in all_documents(black_box(policy)) {
                black_box(d.render(TextFormat::Html, None).unwrap());
            }
        })
    });
    #[cfg(feature = "docx")]
    group.bench_function("docx", |b| {
        b.iter(|| {
            for d in all_documents(black_box(policy)) {
                black_box(charter::render::to_docx(&d, None).unwrap());
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
