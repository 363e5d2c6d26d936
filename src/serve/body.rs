//! Request bodies read as they arrive: never more than the limit is held, and a batch's cases
//! are counted on the way, so that a body over either limit is refused (413) as soon as the
//! byte or the case past the limit arrives, before anything is parsed.

use std::pin::Pin;

use axum::body::{Body, Bytes, HttpBody};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use super::error;

/// How a batch body separates its cases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// One case per line.
    Ndjson,
    /// The elements of one JSON array.
    Array,
}

/// Counts the cases of a batch body chunk by chunk: non-blank lines of NDJSON, or the elements
/// of a JSON array (values at depth 1, outside strings).
#[derive(Debug)]
pub struct CaseCounter {
    framing: Framing,
    /// Cases seen so far.
    pub cases: usize,
    depth: usize,
    in_string: bool,
    escaped: bool,
    /// In NDJSON: the current line has content; in an array: the current element has begun.
    started: bool,
}

impl CaseCounter {
    /// A counter at the start of a body.
    pub fn new(framing: Framing) -> CaseCounter {
        CaseCounter {
            framing,
            cases: 0,
            depth: 0,
            in_string: false,
            escaped: false,
            started: false,
        }
    }

    /// Counts the cases that begin in `chunk`.
    pub fn feed(&mut self, chunk: &[u8]) {
        for &b in chunk {
            match self.framing {
                Framing::Ndjson => self.ndjson_byte(b),
                Framing::Array => self.array_byte(b),
            }
        }
    }

    fn ndjson_byte(&mut self, b: u8) {
        if b == b'\n' {
            self.started = false;
        } else if !self.started && !b.is_ascii_whitespace() {
            self.started = true;
            self.cases += 1;
        }
    }

    fn array_byte(&mut self, b: u8) {
        if self.in_string {
            match (self.escaped, b) {
                (true, _) => self.escaped = false,
                (false, b'\\') => self.escaped = true,
                (false, b'"') => self.in_string = false,
                _ => {}
            }
            return;
        }
        if self.depth == 1 && !self.started && !b.is_ascii_whitespace() && b != b']' {
            self.started = true;
            self.cases += 1;
        }
        match b {
            b'"' => self.in_string = true,
            b'[' | b'{' => self.depth += 1,
            b']' | b'}' => self.depth = self.depth.saturating_sub(1),
            b',' if self.depth == 1 => self.started = false,
            _ => {}
        }
    }
}

/// Reads the whole body, refusing (413) more than `limit` bytes and, when `cases` is given,
/// more than that many cases; the buffer never grows past the limit.
pub async fn read_within(
    mut body: Body,
    limit: usize,
    mut cases: Option<(&mut CaseCounter, usize)>,
) -> Result<Vec<u8>, Response> {
    let hint = usize::try_from(body.size_hint().lower()).unwrap_or(usize::MAX);
    let mut buffer = Vec::with_capacity(hint.min(limit));
    while let Some(frame) = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
        let frame = frame.map_err(|e| {
            error(
                StatusCode::BAD_REQUEST,
                format!("the body could not be read: {e}; send it again"),
                json!({}),
            )
        })?;
        let Ok(chunk) = frame.into_data() else {
            continue;
        };
        append(&mut buffer, &chunk, limit)?;
        if let Some((counter, max)) = cases.as_mut() {
            counter.feed(&chunk);
            if counter.cases > *max {
                return Err(too_many_cases(*max));
            }
        }
    }
    Ok(buffer)
}

/// Appends a chunk, growing the buffer at most to `limit`.
fn append(buffer: &mut Vec<u8>, chunk: &Bytes, limit: usize) -> Result<(), Response> {
    let wanted = buffer.len() + chunk.len();
    if wanted > limit {
        return Err(error(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the body is larger than {limit} bytes; send less, or split a batch"),
            json!({ "limit": limit }),
        ));
    }
    if wanted > buffer.capacity() {
        let grown = (buffer.capacity() * 2).clamp(wanted, limit);
        buffer.reserve_exact(grown - buffer.len());
    }
    buffer.extend_from_slice(chunk);
    Ok(())
}

/// The refusal of a batch with more than `max` cases.
pub fn too_many_cases(max: usize) -> Response {
    error(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("the batch has more than {max} cases; split it into batches of at most {max}"),
        json!({ "limit": max }),
    )
}

/// Turns a JSON array, already known to be valid JSON, into NDJSON in place: one element per
/// line. The brackets and the whitespace inside elements become spaces (a JSON string holds no
/// raw line break, so no string changes) and the commas between elements line breaks.
pub fn array_to_ndjson(bytes: &mut [u8]) {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for b in bytes.iter_mut() {
        if in_string {
            match (escaped, *b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match *b {
            b'"' => in_string = true,
            b'[' | b'{' if depth == 0 => {
                depth += 1;
                *b = b' ';
            }
            b'[' | b'{' => depth += 1,
            b']' | b'}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    *b = b' ';
                }
            }
            b',' if depth == 1 => *b = b'\n',
            b'\n' | b'\r' => *b = b' ',
            _ => {}
        }
    }
}
