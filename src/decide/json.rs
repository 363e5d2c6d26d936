//! The decision as compact JSON: the one writer of decisions. `charter decide` indents what it
//! writes (`pretty.rs`), the batch and the service send it as it is, and `Serialize` for
//! [`Decision`] hands its bytes to serde, so every consumer gets the same fields in the same
//! order. The JSON Schema in `schema/decision.schema.json` describes it, and a test validates
//! the example decisions and 10,000 generated ones against that schema. It is fast: keys and
//! the program's own words are written as literals, strings are checked for characters to
//! escape eight bytes at a time, the explanation is written piece by piece (`text.rs`), and
//! instants come from per-thread caches of offsets, dates and recent instants.

use crate::check::RuleRef;
use crate::decide::decision::*;
use crate::decide::text::{Piece, Sink, tenths};

impl Decision<'_> {
    /// Appends the decision to `out` as compact JSON (what `serde_json::to_vec(self)` gives
    /// too).
    ///
    /// ```
    /// # let engine = charter::decide::Engine::from_sources(&[
    /// #     ("office/policy.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/complaint-office/policy.charter"))),
    /// #     ("calendars/cn-2026.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/calendars/cn-2026.charter"))),
    /// # ])?;
    /// # let case = charter::decide::Case::from_json(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/cases/complaint-office/accepted-phone.json")))?;
    /// # let now = charter::decide::Timestamp::parse("2026-11-30T12:00:00+08:00")?.secs;
    /// # let decision = engine.decide(&case, now)?;
    /// // The complaint office's policy; the case `examples/cases/complaint-office/accepted-phone.json` at noon on 30 November 2026.
    /// let mut json = Vec::new();
    /// decision.write_json(&mut json);
    /// assert_eq!(json, serde_json::to_vec(&decision)?);
    /// assert!(json.starts_with(br#"{"case":"C-1001","#));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn write_json(&self, out: &mut Vec<u8>) {
        // Decisions are a few KB; growing the buffer once is cheaper than checking to.
        out.reserve(8192);
        let mut w = Writer { out };
        w.decision(self);
    }
}

/// A route as JSON, for what the engine's decisions share.
pub(crate) fn route_json(route: &Route<'_>) -> Vec<u8> {
    let mut out = Vec::new();
    Writer { out: &mut out }.route(route);
    out
}

/// A target's fixed fields (`{"name":…` to `stop_event`), for the engine's shared definitions.
pub(crate) fn target_head_json(target: &TargetDef) -> Vec<u8> {
    let mut out = Vec::new();
    Writer { out: &mut out }.target_head(target);
    out
}

/// A step's fixed fields before and after `at`, for the engine's shared definitions.
pub(crate) fn step_json(step: &StepDef) -> (Vec<u8>, Vec<u8>) {
    let (mut head, mut whom) = (Vec::new(), Vec::new());
    Writer { out: &mut head }.step_head(step);
    Writer { out: &mut whom }.step_whom(step);
    (head, whom)
}

/// `,"key":` as one literal.
macro_rules! key {
    ($key:literal) => {
        concat!(",\"", $key, "\":").as_bytes()
    };
}

/// `"key":` as one literal, for the first key of an object.
macro_rules! first_key {
    ($key:literal) => {
        concat!("\"", $key, "\":").as_bytes()
    };
}

struct Writer<'o> {
    out: &'o mut Vec<u8>,
}

/// Escapes what a `Display` writes straight into the JSON.
struct Escaping<'w>(&'w mut Vec<u8>);

impl Sink for Escaping<'_> {
    #[inline]
    fn text(&mut self, s: &str) {
        escape(self.0, s.as_bytes());
    }

    #[inline(always)]
    fn literal(&mut self, s: &'static str) {
        debug_assert!(clean(s.as_bytes()), "{s:?} needs escaping");
        self.0.extend_from_slice(s.as_bytes());
    }

    #[inline]
    fn ascii(&mut self, bytes: &[u8]) {
        debug_assert!(clean(bytes), "{bytes:?} needs escaping");
        self.0.extend_from_slice(bytes);
    }
}

impl Writer<'_> {
    #[inline]
    fn raw(&mut self, bytes: &[u8]) {
        self.out.extend_from_slice(bytes);
    }

    /// `"key":`, preceded by a comma unless it is the first key of its object.
    #[inline]
    fn key(&mut self, key: &str, first: bool) {
        if !first {
            self.out.push(b',');
        }
        self.out.push(b'"');
        self.out.extend_from_slice(key.as_bytes());
        self.out.extend_from_slice(b"\":");
    }

    #[inline]
    fn null(&mut self) {
        self.raw(b"null");
    }

    #[inline]
    fn str(&mut self, s: &str) {
        self.out.push(b'"');
        escape(self.out, s.as_bytes());
        self.out.push(b'"');
    }

    /// A name of the program's own (a state, an outcome): nothing to escape.
    #[inline]
    fn name(&mut self, name: &'static str) {
        self.out.push(b'"');
        self.out.extend_from_slice(name.as_bytes());
        self.out.push(b'"');
    }

    #[inline]
    fn opt_str(&mut self, s: Option<&str>) {
        match s {
            Some(s) => self.str(s),
            None => self.null(),
        }
    }

    /// A piece of text as a string.
    fn piece(&mut self, value: &impl Piece) {
        self.out.push(b'"');
        value.put(&mut Escaping(self.out));
        self.out.push(b'"');
    }

    fn bool(&mut self, b: bool) {
        self.raw(if b { b"true" } else { b"false" });
    }

    fn int(&mut self, n: i64) {
        self.raw(itoa::Buffer::new().format(n).as_bytes());
    }

    fn opt_int(&mut self, n: Option<i64>) {
        match n {
            Some(n) => self.int(n),
            None => self.null(),
        }
    }

    /// A number as serde_json writes an `f64` (always with a fraction): [`tenths`] from
    /// their count, anything else by zmij, as in serde_json.
    fn opt_float(&mut self, x: Option<f64>) {
        match x {
            Some(x) if x.is_finite() => match tenths(x) {
                Some(tenths) => {
                    self.raw(itoa::Buffer::new().format(tenths / 10).as_bytes());
                    self.out.push(b'.');
                    self.out.push(b'0' + (tenths % 10) as u8);
                }
                None => self.raw(zmij::Buffer::new().format_finite(x).as_bytes()),
            },
            _ => self.null(),
        }
    }

    #[inline]
    fn at(&mut self, at: At) {
        self.piece(&at);
    }

    #[inline]
    fn opt_at(&mut self, at: Option<At>) {
        match at {
            Some(at) => self.at(at),
            None => self.null(),
        }
    }

    /// `[…]` with `item` written for each element.
    fn list<T>(&mut self, items: impl IntoIterator<Item = T>, mut item: impl FnMut(&mut Self, T)) {
        self.out.push(b'[');
        for (i, x) in items.into_iter().enumerate() {
            if i > 0 {
                self.out.push(b',');
            }
            item(self, x);
        }
        self.out.push(b']');
    }

    fn decision(&mut self, d: &Decision<'_>) {
        self.out.push(b'{');
        self.raw(first_key!("case"));
        self.str(&d.case);
        if let Some(id) = &d.decision_id {
            self.raw(key!("decision_id"));
            self.quoted(id);
        }
        if let Some(digest) = &d.input_digest {
            self.raw(key!("input_digest"));
            self.quoted(digest);
        }
        self.raw(key!("policy"));
        self.policy(&d.policy);
        self.raw(key!("evaluated_at"));
        self.at(d.evaluated_at);
        if d.provisional {
            self.raw(key!("provisional"));
            self.raw(b"true");
        }
        self.raw(key!("acceptance"));
        self.acceptance(&d.acceptance);
        self.raw(key!("route"));
        match &d.route {
            Some(route) => self.route(route),
            None => self.null(),
        }
        self.raw(key!("targets"));
        self.list(&d.targets, Self::target);
        self.raw(key!("escalations"));
        self.list(&d.escalations, Self::escalation);
        self.raw(key!("callback"));
        match &d.callback {
            Some(callback) => self.callback(callback),
            None => self.null(),
        }
        self.raw(key!("stages"));
        self.list(&d.stages, Self::stage);
        self.raw(key!("findings"));
        self.list(&d.findings, |w, f| {
            w.out.push(b'{');
            w.raw(first_key!("kind"));
            w.name(f.kind.name());
            w.raw(key!("message"));
            w.str(&f.message);
            w.out.push(b'}');
        });
        if d.explain.is_some() {
            self.raw(key!("explain"));
            self.list(d.sentences(), |w, sentence| w.piece(&sentence));
        }
        self.out.push(b'}');
    }

    /// A value whose `Display` needs no escaping (hex digits and hyphens), in quotes.
    fn quoted(&mut self, value: &dyn std::fmt::Display) {
        use std::io::Write as _;
        // Writing to a `Vec` cannot fail.
        let _ = write!(self.out, "\"{value}\"");
    }

    fn policy(&mut self, p: &PolicyId<'_>) {
        self.out.push(b'{');
        self.raw(first_key!("name"));
        self.str(p.name);
        self.raw(key!("version"));
        self.str(p.version);
        self.raw(key!("effective"));
        match &p.effective {
            Some(date) => self.piece(date),
            None => self.null(),
        }
        self.raw(key!("digest"));
        self.str(p.digest);
        self.out.push(b'}');
    }

    fn acceptance(&mut self, a: &Acceptance<'_>) {
        self.out.push(b'{');
        self.raw(first_key!("outcome"));
        self.name(a.outcome.name());
        self.raw(key!("redirect_to"));
        self.opt_str(a.redirect_to);
        self.raw(key!("reason"));
        self.opt_str(a.reason);
        self.raw(key!("missing_fields"));
        self.list(&a.missing_fields, |w, f| w.str(f));
        self.raw(key!("ask_by"));
        self.opt_at(a.ask_by);
        self.out.push(b'}');
    }

    fn route(&mut self, r: &Route<'_>) {
        if let Some(json) = r.json {
            self.raw(json);
            return;
        }
        self.out.push(b'{');
        self.raw(first_key!("role"));
        self.opt_str(r.role);
        self.raw(key!("title"));
        self.opt_str(r.title);
        self.raw(key!("department"));
        self.opt_str(r.department);
        self.raw(key!("rule"));
        match r.rule {
            Some(rule) => self.rule(rule),
            None => self.null(),
        }
        self.raw(key!("missing"));
        self.list(&r.missing, |w, m| w.str(m));
        self.out.push(b'}');
    }

    fn rule(&mut self, r: &RuleRef) {
        self.out.push(b'{');
        self.raw(first_key!("file"));
        self.str(&r.file);
        self.raw(key!("line"));
        self.raw(itoa::Buffer::new().format(r.line).as_bytes());
        self.raw(key!("text"));
        self.str(&r.text);
        self.out.push(b'}');
    }

    /// The fields a target shares with each of its cycles.
    fn cycle_fields(&mut self, c: &Cycle, first: bool) {
        self.key("started_at", first);
        self.opt_at(c.started_at);
        self.raw(key!("budget_seconds"));
        self.opt_int(c.budget_seconds);
        self.raw(key!("deadline"));
        self.opt_at(c.deadline);
        self.raw(key!("stopped_at"));
        self.opt_at(c.stopped_at);
        self.raw(key!("consumed_percent"));
        self.opt_float(c.consumed_percent());
        self.raw(key!("state"));
        self.name(c.state.name());
    }

    fn target(&mut self, t: &TargetState<'_>) {
        self.raw(&t.target.head);
        if !t.extended_by.is_empty() {
            self.raw(key!("extended_by"));
            self.piece(&t.extended_by.as_slice());
        }
        self.cycle_fields(&t.current(), false);
        if !t.cycles.is_empty() {
            self.raw(key!("cycles"));
            self.list(&t.cycles, |w, c| {
                w.out.push(b'{');
                w.cycle_fields(c, true);
                w.out.push(b'}');
            });
        }
        self.out.push(b'}');
    }

    /// A target from its opening brace to `stop_event`: what the policy says of it.
    fn target_head(&mut self, t: &TargetDef) {
        self.out.push(b'{');
        self.raw(first_key!("name"));
        self.str(&t.name);
        if let Some(stage) = &t.stage {
            self.raw(key!("stage"));
            self.str(stage);
        }
        self.raw(key!("sla"));
        self.str(&t.sla);
        self.raw(key!("clock"));
        self.name(t.clock.name());
        self.raw(key!("calendar"));
        self.opt_str(t.calendar.as_deref());
        self.raw(key!("within"));
        self.piece(&t.within);
        self.raw(key!("recurring"));
        self.bool(t.recurring);
        if t.aim {
            self.raw(key!("aim"));
            self.raw(b"true");
        }
        if t.each {
            self.raw(key!("each"));
            self.raw(b"true");
        }
        self.raw(key!("start_event"));
        self.str(&t.start_event);
        self.raw(key!("stop_event"));
        self.str(&t.stop_event);
    }

    fn escalation(&mut self, e: &EscalationStep<'_>) {
        let (head, whom) = &e.step.json;
        self.raw(head);
        self.raw(key!("at"));
        self.opt_at(e.at);
        self.raw(whom);
        self.raw(key!("fired"));
        self.bool(e.fired);
        self.raw(key!("state"));
        self.name(e.state.name());
        if e.replanned {
            self.raw(key!("replanned"));
            self.raw(b"true");
        }
        self.out.push(b'}');
    }

    /// A step from its opening brace to `trigger`.
    fn step_head(&mut self, e: &StepDef) {
        self.out.push(b'{');
        self.raw(first_key!("ladder"));
        self.str(&e.ladder);
        self.raw(key!("target"));
        self.opt_str(e.target.as_deref());
        self.raw(key!("trigger"));
        self.str(&e.trigger);
    }

    /// A step's `to`, `to_title` and `action`.
    fn step_whom(&mut self, e: &StepDef) {
        self.raw(key!("to"));
        self.opt_str(e.to.as_deref());
        self.raw(key!("to_title"));
        self.opt_str(e.to_title.as_deref());
        self.raw(key!("action"));
        self.name(e.action.name());
    }

    /// The fields a callback shares with its earlier rounds, from `due` to `reopened`.
    fn round_fields(&mut self, due: Option<At>, done_at: Option<At>, state: State, first: bool) {
        self.key("due", first);
        self.opt_at(due);
        self.raw(key!("done_at"));
        self.opt_at(done_at);
        self.raw(key!("state"));
        self.name(state.name());
    }

    fn satisfied(&mut self, satisfied: Option<bool>) {
        self.raw(key!("satisfied"));
        match satisfied {
            Some(b) => self.bool(b),
            None => self.null(),
        }
    }

    fn callback(&mut self, c: &CallbackState<'_>) {
        self.out.push(b'{');
        self.raw(first_key!("rule"));
        self.str(c.rule);
        self.raw(key!("via"));
        self.str(c.via);
        self.raw(key!("from_event"));
        self.str(c.from_event);
        self.round_fields(c.due, c.done_at, c.state, false);
        self.raw(key!("ask_satisfaction"));
        self.bool(c.ask_satisfaction);
        self.satisfied(c.satisfied);
        self.raw(key!("reopened"));
        self.bool(c.reopened);
        if !c.earlier.is_empty() {
            self.raw(key!("earlier"));
            self.list(&c.earlier, |w, r| {
                w.out.push(b'{');
                w.round_fields(r.due, r.done_at, r.state, true);
                w.satisfied(r.satisfied);
                w.raw(key!("reopened"));
                w.bool(r.reopened);
                w.out.push(b'}');
            });
        }
        self.out.push(b'}');
    }

    fn stage(&mut self, s: &StageState<'_>) {
        self.out.push(b'{');
        self.raw(first_key!("name"));
        self.str(s.name);
        self.raw(key!("entered_at"));
        self.at(s.entered_at);
        self.raw(key!("handler"));
        self.opt_str(s.handler.as_deref());
        if let Some(role) = s.role {
            self.raw(key!("role"));
            self.str(role);
        }
        self.out.push(b'}');
    }
}

/// How JSON writes each byte inside a string: 0 as it is, `u` as `\u00XX`, otherwise a
/// backslash and that letter (serde_json's table).
static ESCAPE: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = b'u';
        b += 1;
    }
    table[0x08] = b'b';
    table[0x09] = b't';
    table[0x0a] = b'n';
    table[0x0c] = b'f';
    table[0x0d] = b'r';
    table[b'"' as usize] = b'"';
    table[b'\\' as usize] = b'\\';
    table
};

/// Whether any of the eight bytes of `x` is a control character, `"` or `\`.
fn needs_escape(x: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let zero_byte = |v: u64| v.wrapping_sub(ONES) & !v;
    let control = x.wrapping_sub(ONES * 0x20) & !x;
    let quote = zero_byte(x ^ (ONES * u64::from(b'"')));
    let backslash = zero_byte(x ^ (ONES * u64::from(b'\\')));
    (control | quote | backslash) & HIGH != 0
}

/// Whether `bytes` holds nothing to escape, checked eight bytes at a time.
#[inline(always)]
fn clean(bytes: &[u8]) -> bool {
    let word = |at: usize| {
        bytes
            .get(at..at + 8)
            .and_then(|w| <[u8; 8]>::try_from(w).ok())
            .map_or(0, u64::from_le_bytes)
    };
    match bytes.len() {
        0..8 => !bytes.iter().any(|&b| ESCAPE[usize::from(b)] != 0),
        // One or two words, the second overlapping the first.
        n @ 8..=16 => !needs_escape(word(0)) && !needs_escape(word(n - 8)),
        n => {
            let mut at = 0;
            while at + 8 < n {
                if needs_escape(word(at)) {
                    return false;
                }
                at += 8;
            }
            !needs_escape(word(n - 8))
        }
    }
}

/// Appends `bytes` (UTF-8) escaped for a JSON string, without the quotes.
#[inline(always)]
fn escape(out: &mut Vec<u8>, bytes: &[u8]) {
    // Names and sentences rarely hold anything to escape.
    if clean(bytes) {
        out.extend_from_slice(bytes);
    } else {
        escape_slowly(out, bytes);
    }
}

fn escape_slowly(out: &mut Vec<u8>, bytes: &[u8]) {
    let mut run = 0;
    for (i, &byte) in bytes.iter().enumerate() {
        let letter = ESCAPE[usize::from(byte)];
        if letter == 0 {
            continue;
        }
        out.extend_from_slice(&bytes[run..i]);
        if letter == b'u' {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(byte >> 4)],
                HEX[usize::from(byte & 0xf)],
            ]);
        } else {
            out.extend_from_slice(&[b'\\', letter]);
        }
        run = i + 1;
    }
    out.extend_from_slice(&bytes[run..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_as_serde_json_does() {
        let mut texts: Vec<String> = (0u8..0x80)
            .map(|b| format!("ab{}cdefghij", b as char))
            .collect();
        texts.push("投诉办主任 \"quoted\" back\\slash\n".into());
        texts.push("12345678\u{1f}".into());
        for text in texts {
            let mut out = Vec::new();
            out.push(b'"');
            escape(&mut out, text.as_bytes());
            out.push(b'"');
            assert_eq!(
                String::from_utf8_lossy(&out),
                serde_json::to_string(&text).unwrap_or_default(),
                "{text:?}"
            );
        }
    }

    #[test]
    fn percentages_are_written_as_serde_json_writes_them() {
        let mut values: Vec<f64> = (0..200_000).map(|t| f64::from(t) / 10.0).collect();
        values.extend([
            0.0,
            -0.0,
            1e9,
            1e9 + 0.5,
            99_999_999.9,
            0.05,
            1e16,
            -57.5,
            1e-7,
        ]);
        for x in values {
            let mut out = Vec::new();
            Writer { out: &mut out }.opt_float(Some(x));
            assert_eq!(
                String::from_utf8_lossy(&out),
                serde_json::to_string(&x).unwrap_or_default(),
                "{x:?}"
            );
        }
    }

    #[test]
    fn finds_every_byte_to_escape_in_a_word() {
        for special in (0u8..0x20).chain([b'"', b'\\']) {
            for at in 0..8 {
                let mut word = *b"abcdefgh";
                word[at] = special;
                assert!(needs_escape(u64::from_le_bytes(word)), "{special} at {at}");
            }
        }
        for plain in (0x20u8..=0xff).filter(|b| *b != b'"' && *b != b'\\') {
            assert!(!needs_escape(u64::from_le_bytes([plain; 8])), "{plain}");
        }
    }
}
