//! Any bytes as a case (JSON or TOML) against the complaint-office policy: reading and deciding
//! must never panic, and every decision must serialize.
#![no_main]

use std::sync::OnceLock;

use charter::decide::{Case, Engine};
use libfuzzer_sys::fuzz_target;

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../policies/complaint-office");
        charter::load::engine(path.as_ref())
            .map_err(|(e, _)| e.to_string())
            .expect("the policy compiles")
            .0
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for case in [Case::from_json(text), Case::from_toml(text)]
        .into_iter()
        .flatten()
    {
        let now = case.received_at.secs.saturating_add(86_400 * 3);
        if let Ok(decision) = engine().decide(&case, now) {
            serde_json::to_string(&decision).expect("a decision serializes");
            let _ = decision.explain_text();
        }
    }
});
