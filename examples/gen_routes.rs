//! Prints a policy with many route rules, for the lint benchmark: 50 categories, 6 channels,
//! 4 severities, RULES rules, each testing a category, two channels, a severity floor and (when
//! there are attributes) one of ATTRS numeric attributes against a threshold.
//!
//! `cargo run --example gen_routes -- 1000 8 > /tmp/routes.charter && charter lint /tmp/routes.charter`

use std::fmt::Write as _;

const CHANNELS: [&str; 6] = ["phone", "web", "app", "email", "letter", "walk_in"];
const SEVERITIES: [&str; 4] = ["minor", "normal", "major", "critical"];

/// The policy text.
pub fn policy(rules: usize, attributes: usize) -> String {
    let mut s = String::from(
        "policy gen \"Generated\" {\n  version \"1\"\n  timezone \"Asia/Shanghai\"\n  calendar office\n  fallback forbidden\n}\n\ncalendar office \"Office\" {\n  week mon..fri 09:00-18:00\n}\n\n",
    );
    for c in CHANNELS {
        let _ = writeln!(s, "channel {c} \"{c}\" {{ callback {c} }}");
    }
    for a in 0..attributes {
        let _ = writeln!(s, "attribute a{a} \"A{a}\" {{ type number }}");
    }
    s.push_str("\nseverities {\n");
    for v in SEVERITIES {
        let _ = writeln!(s, "  {v} \"{v}\"");
    }
    s.push_str("}\n\n");
    for c in 0..50 {
        let _ = writeln!(s, "category c{c} \"C{c}\"");
    }
    s.push_str("\nroute {\n");
    for k in 0..rules {
        let category = k % 50;
        let (a, b) = (CHANNELS[k % 6], CHANNELS[(k / 6 + 1 + k) % 6]);
        let severity = SEVERITIES[(k / 50) % 4];
        let _ = write!(
            s,
            "  when category = c{category} and channel in [{a}, {b}] and severity >= {severity}"
        );
        if attributes > 0 {
            let _ = write!(s, " and a{} > {}", k % attributes, (k * 37) % 1000);
        }
        let _ = writeln!(s, " -> r{}", k % 20);
    }
    s.push_str("  otherwise -> r0\n}\n\nsla standard \"Standard\" {\n  acknowledge within 2 working hours\n  resolve within 5 working days\n}\n\ncallback feedback \"Feedback\" {\n  within 3 working days from resolved\n  via original\n}\n\n");
    for r in 0..20 {
        let _ = writeln!(
            s,
            "role r{r} \"R{r}\" {{\n  duty handle \"Handle routed complaints\" {{\n    measure \"Resolved on time\"\n  }}\n}}\n"
        );
    }
    s
}

#[allow(dead_code)]
fn main() {
    let mut args = std::env::args().skip(1);
    let rules = args.next().and_then(|a| a.parse().ok()).unwrap_or(1000);
    let attributes = args.next().and_then(|a| a.parse().ok()).unwrap_or(4);
    print!("{}", policy(rules, attributes));
}
