//! Text written piece by piece, into a formatter or straight into the JSON being written,
//! without going through `fmt`'s machinery: every decision of a batch carries a dozen sentences
//! of explanation, and `write!` spends more on its arguments than on the text. The pieces write
//! exactly what their `Display` writes (tests hold them together).

use std::fmt;

use chrono::NaiveDate;

use crate::time::{At, Clock, Span, date_text};

/// Where text goes.
pub(crate) trait Sink {
    /// Appends `s`.
    fn text(&mut self, s: &str);

    /// Appends a literal of the program's own text, which holds no `"`, `\` or control
    /// character (so JSON needs no escaping for it).
    fn literal(&mut self, s: &'static str) {
        self.text(s);
    }

    /// Appends program-made ASCII (digits, dates) that needs no escaping.
    fn ascii(&mut self, bytes: &[u8]) {
        self.text(std::str::from_utf8(bytes).unwrap_or_default());
    }
}

/// Something that writes itself as text.
pub(crate) trait Piece {
    /// Writes the text into `sink`.
    fn put(&self, sink: &mut impl Sink);
}

/// Writes each piece in turn: `put!(sink, "target `", name, "`: ", within)`. String
/// literals go to [`Sink::literal`], everything else to [`Piece::put`].
macro_rules! put {
    ($sink:expr $(,)?) => {};
    ($sink:expr, $text:literal $(, $($rest:tt)*)?) => {{
        $crate::decide::text::Sink::literal($sink, $text);
        $crate::decide::text::put!($sink $(, $($rest)*)?);
    }};
    ($sink:expr, $piece:expr $(, $($rest:tt)*)?) => {{
        $crate::decide::text::Piece::put(&$piece, $sink);
        $crate::decide::text::put!($sink $(, $($rest)*)?);
    }};
}
pub(crate) use put;

/// A formatter as a sink; the first error is kept.
pub(crate) struct FmtSink<'f, 'g> {
    f: &'f mut fmt::Formatter<'g>,
    result: fmt::Result,
}

impl Sink for FmtSink<'_, '_> {
    fn text(&mut self, s: &str) {
        if self.result.is_ok() {
            self.result = self.f.write_str(s);
        }
    }
}

/// Runs `write` on `f` as a sink: the body of a `Display` written with pieces.
pub(crate) fn display(
    f: &mut fmt::Formatter<'_>,
    write: impl FnOnce(&mut FmtSink<'_, '_>),
) -> fmt::Result {
    let mut sink = FmtSink { f, result: Ok(()) };
    write(&mut sink);
    sink.result
}

impl<T: Piece + ?Sized> Piece for &T {
    fn put(&self, sink: &mut impl Sink) {
        (**self).put(sink);
    }
}

impl Piece for str {
    fn put(&self, sink: &mut impl Sink) {
        sink.text(self);
    }
}

impl Piece for String {
    fn put(&self, sink: &mut impl Sink) {
        sink.text(self);
    }
}

macro_rules! integer_piece {
    ($($t:ty),+) => {
        $(impl Piece for $t {
            fn put(&self, sink: &mut impl Sink) {
                sink.ascii(itoa::Buffer::new().format(*self).as_bytes());
            }
        })+
    };
}
integer_piece!(u32, u64, usize, i64);

/// `x` as a whole number of tenths, when it is one, non-negative and below 10^9, as
/// percentages and escalation triggers are. For fewer than 10^14 tenths the decimal
/// `tenths / 10` `.` `tenths % 10` reads back as `x` and nothing shorter does, so it is the
/// shortest form that both `Display` and serde_json write.
pub(crate) fn tenths(x: f64) -> Option<u64> {
    let tenths = (x * 10.0).round();
    ((0.0..1e10).contains(&tenths) && tenths / 10.0 == x && x.is_sign_positive())
        .then_some(tenths as u64)
}

/// A number as `Display` writes an `f64` (no `.0` on whole numbers); anything but
/// [`tenths`] goes through `Display` itself.
impl Piece for f64 {
    fn put(&self, sink: &mut impl Sink) {
        match tenths(self.abs()) {
            Some(tenths) => {
                if self.is_sign_negative() {
                    sink.text("-");
                }
                put!(sink, tenths / 10);
                if !tenths.is_multiple_of(10) {
                    put!(sink, ".", tenths % 10);
                }
            }
            None => sink.text(&self.to_string()),
        }
    }
}

impl Piece for At {
    fn put(&self, sink: &mut impl Sink) {
        match self.rfc3339_bytes() {
            Some(bytes) => sink.ascii(&bytes),
            None => sink.text(&self.to_string()),
        }
    }
}

impl Piece for NaiveDate {
    fn put(&self, sink: &mut impl Sink) {
        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
        match date_text((*self - epoch).num_days()) {
            Some(bytes) => sink.ascii(&bytes),
            None => sink.text(&self.to_string()),
        }
    }
}

impl Piece for Span {
    fn put(&self, sink: &mut impl Sink) {
        put!(sink, self.amount, " ", self.unit_word());
    }
}

/// Spans added together, as a target's extensions are written: `2 days + 1 working day`.
impl Piece for [Span] {
    fn put(&self, sink: &mut impl Sink) {
        for (i, span) in self.iter().enumerate() {
            if i > 0 {
                sink.literal(" + ");
            }
            span.put(sink);
        }
    }
}

impl Piece for Clock {
    fn put(&self, sink: &mut impl Sink) {
        sink.text(self.name());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Text(String);

    impl Sink for Text {
        fn text(&mut self, s: &str) {
            self.0.push_str(s);
        }
    }

    fn text(piece: &impl Piece) -> String {
        let mut sink = Text(String::new());
        piece.put(&mut sink);
        sink.0
    }

    #[test]
    fn numbers_read_as_display_writes_them() {
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut values = vec![
            0.0,
            -0.0,
            1.0,
            100.0,
            10700.0,
            57.5,
            0.1,
            1e15,
            1e16,
            1e21,
            1e-5,
            1e-7,
            123456.7,
            f64::NAN,
            f64::INFINITY,
            f64::MIN_POSITIVE,
            f64::MAX,
        ];
        for _ in 0..20_000 {
            let bits = next();
            values.push(f64::from_bits(bits));
            // Percentages as the engine computes them: tenths of a percent.
            values.push((bits % 2_000_000) as f64 / 10.0);
        }
        for x in values {
            assert_eq!(text(&x), x.to_string(), "{x:?}");
        }
    }

    #[test]
    fn dates_and_spans_read_as_display_writes_them() {
        for (y, m, d) in [
            (2026, 1, 1),
            (1970, 1, 1),
            (1, 12, 31),
            (9999, 12, 31),
            (-5, 3, 1),
        ] {
            let date = NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
            assert_eq!(text(&date), date.to_string());
        }
        for span in [
            "1 working day",
            "30 minutes",
            "2 working hours",
            "5 days",
            "1 hour",
        ] {
            let span: Span = span
                .parse()
                .unwrap_or(Span::new(0, crate::time::Unit::Days));
            assert_eq!(text(&span), span.to_string());
        }
    }
}
