//! Prometheus metrics, kept in atomics and written by hand in the text exposition format:
//! requests by endpoint and status, a latency histogram per endpoint, decisions by outcome,
//! reloads by result, and the days left in each calendar's valid range.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::check::Validity;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 2.5,
];

#[derive(Default)]
struct Histogram {
    /// Cumulative counts are computed when written; these are per bucket (+1 for +Inf).
    buckets: [AtomicU64; BUCKETS.len() + 1],
    count: AtomicU64,
    /// Sum in nanoseconds.
    sum_nanos: AtomicU64,
}

/// The service's counters.
#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, u16), u64>>,
    latency: Mutex<BTreeMap<String, std::sync::Arc<Histogram>>>,
    /// Decisions by outcome: accepted, redirected, incomplete; and cases refused.
    pub accepted: AtomicU64,
    /// Redirected decisions.
    pub redirected: AtomicU64,
    /// Incomplete decisions.
    pub incomplete: AtomicU64,
    /// Cases that could not be decided (bad input).
    pub refused: AtomicU64,
    /// Successful reloads.
    pub reloads_ok: AtomicU64,
    /// Reloads that did not compile.
    pub reloads_failed: AtomicU64,
    /// Decisions recorded in the decision log.
    pub logged: AtomicU64,
    /// Requests not answered because the decision log could not record their decisions.
    pub log_failures: AtomicU64,
}

impl Metrics {
    /// Records one request.
    pub fn request(&self, endpoint: &str, status: u16, took: Duration) {
        if let Ok(mut map) = self.requests.lock() {
            *map.entry((endpoint.to_string(), status)).or_default() += 1;
        }
        let histogram = match self.latency.lock() {
            Ok(mut map) => std::sync::Arc::clone(map.entry(endpoint.to_string()).or_default()),
            Err(_) => return,
        };
        let seconds = took.as_secs_f64();
        let bucket = BUCKETS
            .iter()
            .position(|b| seconds <= *b)
            .unwrap_or(BUCKETS.len());
        histogram.buckets[bucket].fetch_add(1, Ordering::Relaxed);
        histogram.count.fetch_add(1, Ordering::Relaxed);
        let nanos = u64::try_from(took.as_nanos()).unwrap_or(u64::MAX);
        histogram.sum_nanos.fetch_add(nanos, Ordering::Relaxed);
    }

    /// The exposition text. `info` labels the policy being served; `calendars` are those it
    /// decides with that have a valid range, with their days left.
    pub fn render(
        &self,
        policy: &str,
        version: &str,
        digest: &str,
        generation: u64,
        calendars: &[Validity],
        answers: Answers,
    ) -> String {
        let mut out = String::new();
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        let _ = writeln!(
            out,
            "# HELP charter_http_requests_total HTTP requests by endpoint and status."
        );
        let _ = writeln!(out, "# TYPE charter_http_requests_total counter");
        if let Ok(map) = self.requests.lock() {
            for ((endpoint, status), n) in map.iter() {
                let _ = writeln!(
                    out,
                    "charter_http_requests_total{{endpoint=\"{}\",status=\"{status}\"}} {n}",
                    escape(endpoint)
                );
            }
        }
        let _ = writeln!(
            out,
            "# HELP charter_http_request_duration_seconds Time to answer a request."
        );
        let _ = writeln!(
            out,
            "# TYPE charter_http_request_duration_seconds histogram"
        );
        if let Ok(map) = self.latency.lock() {
            for (endpoint, h) in map.iter() {
                let endpoint = escape(endpoint);
                let mut cumulative = 0;
                for (i, bound) in BUCKETS.iter().enumerate() {
                    cumulative += get(&h.buckets[i]);
                    let _ = writeln!(
                        out,
                        "charter_http_request_duration_seconds_bucket{{endpoint=\"{endpoint}\",le=\"{bound}\"}} {cumulative}"
                    );
                }
                cumulative += get(&h.buckets[BUCKETS.len()]);
                let _ = writeln!(
                    out,
                    "charter_http_request_duration_seconds_bucket{{endpoint=\"{endpoint}\",le=\"+Inf\"}} {cumulative}"
                );
                let _ = writeln!(
                    out,
                    "charter_http_request_duration_seconds_sum{{endpoint=\"{endpoint}\"}} {}",
                    get(&h.sum_nanos) as f64 / 1e9
                );
                let _ = writeln!(
                    out,
                    "charter_http_request_duration_seconds_count{{endpoint=\"{endpoint}\"}} {}",
                    get(&h.count)
                );
            }
        }
        let _ = writeln!(
            out,
            "# HELP charter_decisions_total Cases decided, by acceptance outcome; `refused` for cases that could not be decided."
        );
        let _ = writeln!(out, "# TYPE charter_decisions_total counter");
        for (outcome, n) in [
            ("accepted", &self.accepted),
            ("redirected", &self.redirected),
            ("incomplete", &self.incomplete),
            ("refused", &self.refused),
        ] {
            let _ = writeln!(
                out,
                "charter_decisions_total{{outcome=\"{outcome}\"}} {}",
                get(n)
            );
        }
        let _ = writeln!(
            out,
            "# HELP charter_policy_reloads_total Policy reloads after a change, by result."
        );
        let _ = writeln!(out, "# TYPE charter_policy_reloads_total counter");
        let _ = writeln!(
            out,
            "charter_policy_reloads_total{{result=\"ok\"}} {}",
            get(&self.reloads_ok)
        );
        let _ = writeln!(
            out,
            "charter_policy_reloads_total{{result=\"error\"}} {}",
            get(&self.reloads_failed)
        );
        let _ = writeln!(
            out,
            "# HELP charter_decision_log_entries_total Decisions recorded in the decision log (--decision-log)."
        );
        let _ = writeln!(out, "# TYPE charter_decision_log_entries_total counter");
        let _ = writeln!(
            out,
            "charter_decision_log_entries_total {}",
            get(&self.logged)
        );
        let _ = writeln!(
            out,
            "# HELP charter_decision_log_failures_total Requests answered 503 because the decision log could not record their decisions."
        );
        let _ = writeln!(out, "# TYPE charter_decision_log_failures_total counter");
        let _ = writeln!(
            out,
            "charter_decision_log_failures_total {}",
            get(&self.log_failures)
        );
        let _ = writeln!(
            out,
            "# HELP charter_policy_info The policy being served (its latest version)."
        );
        let _ = writeln!(out, "# TYPE charter_policy_info gauge");
        let _ = writeln!(
            out,
            "charter_policy_info{{policy=\"{}\",version=\"{}\",digest=\"{}\",generation=\"{generation}\"}} 1",
            escape(policy),
            escape(version),
            escape(digest)
        );
        let _ = writeln!(
            out,
            "# HELP charter_calendar_valid_days_left Days from today to the last day of a calendar's valid range (0 on that day, negative after it), for each calendar the policy decides with that has one."
        );
        let _ = writeln!(out, "# TYPE charter_calendar_valid_days_left gauge");
        for c in calendars {
            let _ = writeln!(
                out,
                "charter_calendar_valid_days_left{{calendar=\"{}\"}} {}",
                escape(&c.calendar),
                c.days_left
            );
        }
        let _ = writeln!(
            out,
            "# HELP charter_answers_memory_bytes Bytes held by answers decided and not yet read by their clients, and the most they may hold (--max-answers-memory)."
        );
        let _ = writeln!(out, "# TYPE charter_answers_memory_bytes gauge");
        let _ = writeln!(
            out,
            "charter_answers_memory_bytes{{state=\"held\"}} {}",
            answers.held
        );
        let _ = writeln!(
            out,
            "charter_answers_memory_bytes{{state=\"limit\"}} {}",
            answers.limit
        );
        out
    }
}

/// The memory answers hold now, and the most they may.
#[derive(Debug, Clone, Copy)]
pub struct Answers {
    /// Bytes held by answers not yet read.
    pub held: usize,
    /// `--max-answers-memory`.
    pub limit: usize,
}

fn escape(label: &str) -> String {
    label
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}
