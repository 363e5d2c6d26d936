//! Generates a large, valid policy: `cargo run --example gen_policy -- ROLES > big.charter`.
//! About 100 lines per 10 roles: each role has two duties; there are 3 route rules per role over
//! 50 categories, 6 channels and 4 severities.

use std::fmt::Write as _;

/// A policy with `roles` roles.
pub fn policy(roles: usize) -> String {
    let mut s = String::new();
    s.push_str("policy gen \"Generated\" {\n  version \"1\"\n  timezone \"Asia/Shanghai\"\n  calendar office\n}\n\n");
    s.push_str("calendar office {\n  week mon..fri 09:00-12:00, 13:30-18:00\n}\n\n");
    for c in 0..6 {
        let _ = writeln!(
            s,
            "channel ch{c} \"渠道{c}\" en \"Channel {c}\" {{ callback ch{c} }}"
        );
    }
    s.push_str("severities {\n  minor\n  normal\n  major\n  critical\n}\n");
    s.push_str("attribute amount { type number }\n");
    for c in 0..50 {
        let _ = writeln!(s, "category cat{c} \"类别{c}\" en \"Category {c}\"");
    }
    s.push_str("\nroute {\n");
    for r in 0..roles {
        let _ = writeln!(
            s,
            "  when category = cat{} and severity >= major -> role{r}",
            r % 50
        );
        let _ = writeln!(
            s,
            "  when channel in [ch{}, ch{}] and amount > {} -> role{r}",
            r % 6,
            (r + 1) % 6,
            r * 10
        );
        let _ = writeln!(
            s,
            "  when category in [cat{}, cat{}] or not (severity = minor) -> role{r}",
            (r + 7) % 50,
            (r + 9) % 50
        );
    }
    s.push_str("  otherwise -> role0\n}\n\nsla standard {\n  acknowledge within 2 working hours\n  resolve within 5 working days\n}\n\n");
    for r in 0..roles {
        let boss = if r == 0 {
            String::new()
        } else {
            format!("\n  reports_to role{}", r / 2)
        };
        let _ = write!(
            s,
            "role role{r} \"岗位{r}\" en \"Role {r}\" {{\n  code \"R-{r}\"{boss}\n  headcount 2\n  purpose \"处理投诉\" en \"Handle complaints\"\n  duty a \"受理\" en \"Intake\" {{\n    weight 60%\n    time 1 hours per day\n    measure \"当日登记\" en \"Same day\"\n    process \"接听\" -> \"记录\" -> \"分配\"\n  }}\n  duty b \"跟踪\" en \"Follow-up\" {{\n    weight 40%\n    time ad_hoc\n    measure \"按时解决\"\n  }}\n  authority approve \"赔偿\" up to 500 CNY\n}}\n\n"
        );
    }
    s
}

#[allow(dead_code)]
fn main() {
    let roles = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100);
    print!("{}", policy(roles));
}
