//! The baseline of the batch benchmark: reads an NDJSON file and merely parses every line with
//! serde_json, into `serde_json::Value` (`value`, the default) or into the typed `Case`
//! (`case`), single-threaded, and prints the count.
//!
//! `cargo run --release --example parse_only -- /tmp/cases.ndjson value`

use std::io::BufRead;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: parse_only FILE [value|case]")?;
    let typed = args.next().as_deref() == Some("case");
    let reader = std::io::BufReader::with_capacity(1 << 20, std::fs::File::open(path)?);
    let (mut ok, mut bad) = (0u64, 0u64);
    for line in reader.lines() {
        let line = line?;
        let parsed = if typed {
            charter::decide::Case::from_json(&line).is_ok()
        } else {
            serde_json::from_str::<serde_json::Value>(&line).is_ok()
        };
        if parsed {
            ok += 1;
        } else {
            bad += 1;
        }
    }
    println!("{ok} parsed, {bad} failed");
    Ok(())
}
