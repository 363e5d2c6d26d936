//! Any text as a policy: parsing, checking and formatting must never panic, and whatever
//! parses must format to a fixed point.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let loaded = charter::syntax::load_text("fuzz.charter", text);
    let checked = charter::check::check(&loaded);
    for d in &checked.diagnostics {
        let _ = d.render(&loaded.sources);
    }
    if let Ok(once) = charter::format::format_text(text) {
        let twice = charter::format::format_text(&once).expect("formatted text parses");
        assert_eq!(once, twice, "formatting is idempotent");
    }
});
