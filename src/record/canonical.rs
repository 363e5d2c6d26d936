//! RFC 8785 (JSON Canonicalization Scheme) for a case, written directly: members in the order
//! of their names' UTF-16 code units, no white space, strings escaped as JSON's minimal
//! escaping (which is serde_json's), numbers as ECMAScript's `Number.prototype.toString`
//! writes them (integers are written exactly, also beyond 2^53). A case's own members are known, so they are written in their sorted order
//! without sorting; only the maps a case carries (fields, attributes, and objects inside them)
//! are sorted. A test holds this to a general RFC 8785 implementation on random cases.

use std::io::Write;

use serde_json::Value;

use crate::decide::{Case, Event};

/// Appends `case` in canonical JSON to `out`.
pub(super) fn write_case(case: &Case, out: &mut Vec<u8>) {
    out.push(b'{');
    let mut first = true;
    if !case.attributes.is_empty() {
        key(out, &mut first, "attributes");
        map(out, case.attributes.iter());
    }
    key(out, &mut first, "category");
    string(out, &case.category);
    key(out, &mut first, "channel");
    string(out, &case.channel);
    if !case.events.is_empty() {
        key(out, &mut first, "events");
        out.push(b'[');
        for (i, event) in case.events.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            write_event(event, out);
        }
        out.push(b']');
    }
    if !case.fields.is_empty() {
        key(out, &mut first, "fields");
        map(out, case.fields.iter().map(|(k, v)| (k.as_str(), v)));
    }
    if let Some(handler) = &case.handler {
        key(out, &mut first, "handler");
        string(out, handler);
    }
    key(out, &mut first, "id");
    string(out, &case.id);
    key(out, &mut first, "received_at");
    let _ = write!(out, "\"{}\"", case.received_at);
    if let Some(severity) = &case.severity {
        key(out, &mut first, "severity");
        string(out, severity);
    }
    out.push(b'}');
}

fn write_event(event: &Event, out: &mut Vec<u8>) {
    out.push(b'{');
    let mut first = true;
    key(out, &mut first, "at");
    let _ = write!(out, "\"{}\"", event.at);
    let optional: [(&str, Option<&str>); 4] = [
        ("by", event.by.as_deref()),
        ("handler", event.handler.as_deref()),
        ("kind", Some(event.kind.as_str())),
        ("note", event.note.as_deref()),
    ];
    for (name, value) in optional {
        if let Some(value) = value {
            key(out, &mut first, name);
            string(out, value);
        }
    }
    if let Some(reason) = &event.reason {
        key(out, &mut first, "reason");
        string(out, reason);
    }
    if let Some(satisfied) = event.satisfied {
        key(out, &mut first, "satisfied");
        out.extend_from_slice(if satisfied { b"true" } else { b"false" });
    }
    let rest: [(&str, Option<&str>); 3] = [
        ("stage", event.stage.as_deref()),
        ("target", event.target.as_deref()),
        ("via", event.via.as_deref()),
    ];
    for (name, value) in rest {
        if let Some(value) = value {
            key(out, &mut first, name);
            string(out, value);
        }
    }
    out.push(b'}');
}

fn key(out: &mut Vec<u8>, first: &mut bool, name: &str) {
    if !*first {
        out.push(b',');
    }
    *first = false;
    string(out, name);
    out.push(b':');
}

fn string(out: &mut Vec<u8>, text: &str) {
    // serde_json escapes exactly what RFC 8785 escapes, the same way; into a Vec it cannot fail.
    let _ = serde_json::to_writer(&mut *out, text);
}

/// An object's members, sorted by their names' UTF-16 code units. A `BTreeMap` is sorted by
/// UTF-8 bytes, which is the same order unless names hold characters beyond U+FFFF.
fn map<'v>(out: &mut Vec<u8>, members: impl Iterator<Item = (&'v str, &'v Value)>) {
    let mut members: Vec<(&str, &Value)> = members.collect();
    if members
        .iter()
        .any(|(name, _)| name.chars().any(|c| c > '\u{FFFF}'))
    {
        members.sort_by(|(a, _), (b, _)| a.encode_utf16().cmp(b.encode_utf16()));
    }
    out.push(b'{');
    let mut first = true;
    for (name, value) in members {
        key(out, &mut first, name);
        write_value(value, out);
    }
    out.push(b'}');
}

/// Appends one JSON value in canonical form.
pub(super) fn write_value_canonical(value: &Value, out: &mut Vec<u8>) {
    write_value(value, out);
}

fn write_value(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::String(text) => string(out, text),
        Value::Number(number) => match (number.as_i64(), number.as_u64(), number.as_f64()) {
            // Integers are written exactly, also beyond 2^53 where RFC 8785 would round them
            // to a double: two cases that differ there must not share a digest.
            (Some(n), _, _) => {
                let _ = write!(out, "{n}");
            }
            (_, Some(n), _) => {
                let _ = write!(out, "{n}");
            }
            (_, _, Some(x)) => number_es6(x, out),
            _ => out.extend_from_slice(b"null"),
        },
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_value(item, out);
            }
            out.push(b']');
        }
        Value::Object(members) => map(out, members.iter().map(|(k, v)| (k.as_str(), v))),
    }
}

/// A finite number as ECMAScript's `Number.prototype.toString` writes it (ECMA-262
/// Number::toString): the shortest digits that read back as the same double, in plain
/// notation from 1e-6 up to 1e21 and in exponent notation (`1e+21`, `1.5e-7`) outside.
fn number_es6(x: f64, out: &mut Vec<u8>) {
    if x == 0.0 || !x.is_finite() {
        // JSON holds no NaN or infinity; -0 is written as 0.
        out.push(b'0');
        return;
    }
    if x < 0.0 {
        out.push(b'-');
    }
    // Rust writes the shortest round-tripping digits too: `d.ddde±x`.
    let scientific = format!("{:e}", x.abs());
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let k = digits.len() as i32;
    let n = exponent.parse::<i32>().unwrap_or(0) + 1;
    let zeros = |count: i32, out: &mut Vec<u8>| {
        out.extend(std::iter::repeat_n(b'0', count.max(0) as usize));
    };
    if k <= n && n <= 21 {
        out.extend_from_slice(digits.as_bytes());
        zeros(n - k, out);
    } else if 0 < n && n <= 21 {
        let (whole, fraction) = digits.split_at(n as usize);
        out.extend_from_slice(whole.as_bytes());
        out.push(b'.');
        out.extend_from_slice(fraction.as_bytes());
    } else if -6 < n && n <= 0 {
        out.extend_from_slice(b"0.");
        zeros(-n, out);
        out.extend_from_slice(digits.as_bytes());
    } else {
        let (first, rest) = digits.split_at(1);
        out.extend_from_slice(first.as_bytes());
        if !rest.is_empty() {
            out.push(b'.');
            out.extend_from_slice(rest.as_bytes());
        }
        let e = n - 1;
        let _ = write!(out, "e{}{}", if e < 0 { '-' } else { '+' }, e.abs());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn es6(x: f64) -> String {
        let mut out = Vec::new();
        number_es6(x, &mut out);
        String::from_utf8(out).unwrap_or_default()
    }

    /// The examples of RFC 8785 appendix B and of ECMA-262.
    #[test]
    fn numbers_are_written_as_ecmascript_writes_them() {
        for (x, text) in [
            (0.0, "0"),
            (-0.0, "0"),
            (5000.0, "5000"),
            (1e21, "1e+21"),
            (1e20, "100000000000000000000"),
            (123456789012345680000.0, "123456789012345680000"),
            (1e-6, "0.000001"),
            (1e-7, "1e-7"),
            (1.5e-7, "1.5e-7"),
            (0.5, "0.5"),
            (-1.25, "-1.25"),
            (4.50, "4.5"),
            (2e-3, "0.002"),
            (0.000001, "0.000001"),
            (9007199254740992.0, "9007199254740992"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (5e-324, "5e-324"),
            (333333333.3333332, "333333333.3333332"),
        ] {
            assert_eq!(es6(x), text, "{x:e}");
        }
    }
}
