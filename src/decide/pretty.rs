//! Compact JSON indented for people, byte for byte as `serde_json`'s pretty printer lays it
//! out (two spaces, `"key": value`, `[]` and `{}` when empty), so that `charter decide` can
//! print the one writer's output (`json.rs`) without a second writer.

/// Appends `compact` (JSON without whitespace outside strings, as [`super::Decision::write_json`]
/// writes it) to `out`, indented.
///
/// ```
/// let mut out = Vec::new();
/// charter::decide::indent(br#"{"case":"C-1","targets":[],"route":{"role":"clerk"}}"#, &mut out);
/// assert_eq!(
///     String::from_utf8(out)?,
///     "{\n  \"case\": \"C-1\",\n  \"targets\": [],\n  \"route\": {\n    \"role\": \"clerk\"\n  }\n}"
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn indent(compact: &[u8], out: &mut Vec<u8>) {
    out.reserve(compact.len() * 2);
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut i = 0;
    let newline = |out: &mut Vec<u8>, depth: usize| {
        out.push(b'\n');
        out.extend(std::iter::repeat_n(b' ', depth * 2));
    };
    while let Some(&b) = compact.get(i) {
        i += 1;
        if in_string {
            out.push(b);
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            continue;
        }
        match b {
            b'"' => {
                in_string = true;
                out.push(b);
            }
            b'{' | b'[' => {
                out.push(b);
                let close = if b == b'{' { b'}' } else { b']' };
                if compact.get(i) == Some(&close) {
                    out.push(close);
                    i += 1;
                } else {
                    depth += 1;
                    newline(out, depth);
                }
            }
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                newline(out, depth);
                out.push(b);
            }
            b',' => {
                out.push(b);
                newline(out, depth);
            }
            b':' => out.extend_from_slice(b": "),
            _ => out.push(b),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a test fails by panicking")]
mod tests {
    use super::indent;

    #[test]
    fn indents_as_serde_json_does() {
        let value = serde_json::json!({
            "a": 1, "b": [], "c": {}, "d": [1, {"e": "x,y:{z}\"[", "f": null}],
            "g": {"h": [true, false]}, "i": "\\\"", "j": -1.5e-7
        });
        let compact = serde_json::to_vec(&value).unwrap();
        let mut out = Vec::new();
        indent(&compact, &mut out);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            serde_json::to_string_pretty(&value).unwrap()
        );
    }
}
