//! Synthetic complaint-office cases as NDJSON, for the batch benchmark.
//!
//! `cargo run --release --example gen_cases -- 1000000 > /tmp/cases.ndjson`
//!
//! Cases are received between January and November 2026 in office hours, with the policy's
//! channels, categories (one in 20 redirected), severities, amounts and departments, and 0-7
//! events in order (acknowledged, updates, a pause and resume, resolved, callback). The
//! generator is deterministic (a fixed-seed xorshift), so two runs write the same file.

use std::io::Write;

/// A small deterministic generator (xorshift64*).
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    /// The next number below `n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n.max(1)
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

const CHANNELS: [&str; 6] = ["phone", "web", "app", "email", "letter", "walk_in"];
const CATEGORIES: [&str; 3] = ["service_quality", "product_quality", "billing"];
const SEVERITIES: [&str; 4] = ["minor", "normal", "major", "critical"];
const DEPARTMENTS: [&str; 4] = ["finance", "sales", "quality", "service"];

fn time(t: i64) -> String {
    charter::decide::At {
        secs: t,
        tz: chrono_tz::Asia::Shanghai,
    }
    .to_string()
}

/// One case as a JSON line (without the newline).
pub fn case_line(i: u64, rng: &mut Rng) -> String {
    // 2026-01-05 01:00 UTC (09:00 in Shanghai) plus whole days and minutes of the day.
    let received = 1_767_574_800 + rng.below(320) as i64 * 86_400 + rng.below(540) as i64 * 60;
    let category = if rng.below(20) == 0 {
        "system_fault"
    } else {
        rng.pick(&CATEGORIES)
    };
    let mut line = format!(
        r#"{{"id":"G-{i}","received_at":"{}","channel":"{}","category":"{category}","severity":"{}","fields":{{"customer_name":"客户{i}","contact":"138{:08}","content":"投诉内容"}},"attributes":{{"amount":{},"departments":["{}"]}},"events":["#,
        time(received),
        rng.pick(&CHANNELS),
        rng.pick(&SEVERITIES),
        rng.below(100_000_000),
        rng.below(10_000),
        rng.pick(&DEPARTMENTS),
    );
    let mut t = received;
    let mut first = true;
    let mut event = |line: &mut String, t: i64, kind: &str, extra: &str| {
        if !first {
            line.push(',');
        }
        first = false;
        line.push_str(&format!(r#"{{"at":"{}","kind":"{kind}"{extra}}}"#, time(t)));
    };
    let steps = rng.below(8);
    let plan = [
        "acknowledged",
        "updated",
        "paused",
        "resumed",
        "updated",
        "resolved",
        "callback",
    ];
    for kind in plan.iter().take(steps as usize) {
        t += 600 + rng.below(2 * 86_400) as i64;
        let extra = if *kind == "callback" {
            if rng.below(10) == 0 {
                r#","satisfied":false"#
            } else {
                r#","satisfied":true"#
            }
        } else {
            ""
        };
        event(&mut line, t, kind, extra);
    }
    line.push_str("]}");
    line
}

#[allow(
    dead_code,
    reason = "the benchmark includes this file for `case_line` only"
)]
fn main() {
    let n: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1000);
    let mut rng = Rng::new(0x5EED);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for i in 0..n {
        let line = case_line(i, &mut rng);
        if writeln!(out, "{line}").is_err() {
            return;
        }
    }
}
