//! Comparing two versions of a policy with many route rules (the generator of the lint
//! benchmark, `examples/gen_routes.rs`): 1,000 rules with 4 numeric attributes against a
//! revision that moves every tenth rule's threshold, hands every seventh rule to another role
//! and adds a rule in front; and a policy against itself (nothing changes, everything is
//! compared). Compile excluded.

#![allow(clippy::unwrap_used, reason = "a benchmark fails by panicking")]

use std::hint::black_box;

use charter::check::check;
use charter::diff::{Version, compare};
use charter::render::Lang;
use charter::syntax::load_text;
use criterion::{Criterion, criterion_group, criterion_main};

#[path = "../examples/gen_routes.rs"]
#[allow(dead_code)]
mod gen_routes;

/// The revision: thresholds moved, roles changed, a rule added first.
fn revised(text: &str) -> String {
    let mut out = String::new();
    for (k, line) in text.lines().enumerate() {
        let mut line = line.to_string();
        if line.starts_with("  when ") {
            if k % 10 == 0
                && let Some(at) = line.rfind(" > ")
            {
                let end = at + 3 + line[at + 3..].find(' ').unwrap();
                let n: u32 = line[at + 3..end].parse().unwrap();
                line = format!("{} > {}{}", &line[..at], n + 50, &line[end..]);
            }
            if k % 7 == 0 {
                line = format!("{} -> r19", &line[..line.rfind(" -> ").unwrap()]);
            }
        }
        if line == "route {" {
            line.push_str("\n  when category = c3 and severity = critical -> r5");
        }
        out.push_str(&line);
        out.push('\n');
    }
    out
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("diff");
    group.sample_size(10);
    for rules in [100, 1000] {
        let old_text = gen_routes::policy(rules, 4);
        let new_text = revised(&old_text);
        let (old_loaded, new_loaded) = (
            load_text("old.charter", &old_text),
            load_text("new.charter", &new_text),
        );
        let (old_checked, new_checked) = (check(&old_loaded), check(&new_loaded));
        assert!(!old_checked.has_errors() && !new_checked.has_errors());
        let old = Version::of(&old_loaded, &old_checked.versions[0]);
        let new = Version::of(&new_loaded, &new_checked.versions[0]);
        let diff = compare(&old, &new, Lang::En);
        assert!(!diff.routing.is_empty() && diff.unsettled.is_empty());
        group.bench_function(format!("{rules} rules, revised"), |b| {
            b.iter(|| black_box(compare(black_box(&old), black_box(&new), Lang::En)))
        });
        let same = Version::of(&old_loaded, &old_checked.versions[0]);
        group.bench_function(format!("{rules} rules, unchanged"), |b| {
            b.iter(|| black_box(compare(black_box(&old), black_box(&same), Lang::En)))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
