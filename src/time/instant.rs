//! An instant as decisions show it: UTC seconds with the zone it is shown in, written as
//! RFC 3339 quickly (per-thread caches of recent instants, of each day's offset and of dates),
//! because a batch writes millions of them.

use std::fmt;

use chrono_tz::Tz;

/// An instant, shown in the policy's time zone (RFC 3339).
///
/// ```
/// use charter::time::At;
/// let at = At { secs: 1_795_167_900, tz: chrono_tz::Asia::Shanghai };
/// assert_eq!(at.to_string(), "2026-11-20T17:45:00+08:00");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct At {
    /// UTC seconds.
    pub secs: i64,
    /// The zone it is shown in.
    pub tz: Tz,
}

impl PartialOrd for At {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for At {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.secs.cmp(&other.secs)
    }
}

/// Slots of the per-thread memo of RFC 3339 texts (see [`At::rfc3339_bytes`]).
const RECENT_SLOTS: usize = 64;

thread_local! {
    /// The last few dozen instants written by this thread and their text: a decision writes
    /// each of its few instants several times (a deadline appears in its target, its cycle,
    /// the explanation and the escalations).
    static RECENT: [std::cell::Cell<(i64, Tz, [u8; 25])>; RECENT_SLOTS] =
        const { [const { std::cell::Cell::new((i64::MIN, Tz::UTC, [0; 25])) }; RECENT_SLOTS] };
}

/// The memo slot of instant `secs`: instants are often whole minutes or hours, so they are
/// spread over the slots by a hash.
fn recent_slot(secs: i64) -> usize {
    ((secs as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 58) as usize % RECENT_SLOTS
}

impl At {
    /// The instant as RFC 3339 (always ASCII), or `None` when it needs
    /// chrono's general formatting (years outside 0–9999, historic offsets with seconds).
    #[inline]
    pub(crate) fn rfc3339_bytes(self) -> Option<[u8; 25]> {
        let slot = recent_slot(self.secs);
        let (secs, tz, text) = RECENT.with(|r| r[slot].get());
        if secs == self.secs && tz == self.tz {
            return Some(text);
        }
        self.remember_rfc3339(slot)
    }

    /// [`At::rfc3339_bytes`] of an instant not among the recent ones.
    #[inline(never)]
    fn remember_rfc3339(self, slot: usize) -> Option<[u8; 25]> {
        let text = self.compute_rfc3339()?;
        RECENT.with(|r| r[slot].set((self.secs, self.tz, text)));
        Some(text)
    }

    fn compute_rfc3339(self) -> Option<[u8; 25]> {
        let offset = offset_at(self.tz, self.secs);
        if offset % 60 != 0 {
            return None;
        }
        let local = self.secs + i64::from(offset);
        let d = date_text(local.div_euclid(86_400))?;
        // 0..86,400: small enough for 32-bit arithmetic.
        let clock = u32::try_from(local.rem_euclid(86_400)).unwrap_or(0);
        let mut text = *b"0000-00-00T00:00:00+00:00";
        text[..10].copy_from_slice(&d);
        text[11..13].copy_from_slice(&pair(clock / 3600));
        text[14..16].copy_from_slice(&pair(clock / 60 % 60));
        text[17..19].copy_from_slice(&pair(clock % 60));
        if offset < 0 {
            text[19] = b'-';
        }
        let minutes = offset.unsigned_abs() / 60;
        text[20..22].copy_from_slice(&pair(minutes / 60));
        text[23..25].copy_from_slice(&pair(minutes % 60));
        Some(text)
    }
}

/// The two digits of every number below 100.
const PAIRS: [[u8; 2]; 100] = {
    let mut pairs = [[0; 2]; 100];
    let mut n = 0;
    while n < 100 {
        pairs[n] = [b'0' + (n / 10) as u8, b'0' + (n % 10) as u8];
        n += 1;
    }
    pairs
};

/// The last two digits of `n`.
fn pair(n: u32) -> [u8; 2] {
    PAIRS[(n % 100) as usize]
}

impl fmt::Display for At {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(text) = self.rfc3339_bytes()
            && let Ok(text) = std::str::from_utf8(&text)
        {
            return f.write_str(text);
        }
        match chrono::DateTime::from_timestamp(self.secs, 0) {
            // RFC 3339 offsets have no seconds, so an instant in a zone whose offset then had
            // some (local mean time, before 1901 in Shanghai) is written in UTC, exactly.
            Some(t) if offset_at(self.tz, self.secs) % 60 != 0 => {
                f.write_str(&t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            }
            Some(t) => write!(
                f,
                "{}",
                t.with_timezone(&self.tz)
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
            ),
            None => write!(f, "{}", self.secs),
        }
    }
}

/// The UTC offset of `tz` at `t`, in seconds. Looking it up in chrono-tz costs two binary
/// searches and a date conversion, and a batch formats millions of instants on a few hundred
/// days, so the offset of a whole UTC day is cached per thread (one slot per day of a
/// 512-day cycle) when it does not change during that day.
fn offset_at(tz: Tz, t: i64) -> i32 {
    use chrono::{Offset, TimeZone};
    use std::cell::Cell;
    const SLOTS: usize = 512;
    thread_local! {
        static CACHE: [Cell<(i64, i32, Tz)>; SLOTS] =
            const { [const { Cell::new((i64::MIN, 0, Tz::UTC)) }; SLOTS] };
    }
    let lookup = |t: i64| {
        chrono::DateTime::from_timestamp(t, 0).map_or(0, |d| {
            tz.offset_from_utc_datetime(&d.naive_utc())
                .fix()
                .local_minus_utc()
        })
    };
    let day = t.div_euclid(86_400);
    let slot = day.rem_euclid(SLOTS as i64) as usize;
    let (cached_day, offset, cached_tz) = CACHE.with(|c| c[slot].get());
    if cached_day == day && cached_tz == tz {
        return offset;
    }
    let at_start = lookup(day * 86_400);
    if lookup(day * 86_400 + 86_399) == at_start {
        CACHE.with(|c| c[slot].set((day, at_start, tz)));
        at_start
    } else {
        lookup(t)
    }
}

/// `YYYY-MM-DD` of local day `day` (days since 1970-01-01), for years 0–9999. The dates of
/// a 512-day cycle are cached per thread (a batch's cases spread over a year or so).
pub(crate) fn date_text(day: i64) -> Option<[u8; 10]> {
    use std::cell::Cell;
    const SLOTS: usize = 512;
    thread_local! {
        static CACHE: [Cell<(i64, [u8; 10])>; SLOTS] =
            const { [const { Cell::new((i64::MIN, [0; 10])) }; SLOTS] };
    }
    let slot = day.rem_euclid(SLOTS as i64) as usize;
    let (cached_day, text) = CACHE.with(|c| c[slot].get());
    if cached_day == day {
        return Some(text);
    }
    let (year, month, date) = civil_from_days(day);
    if !(0..=9999).contains(&year) {
        return None;
    }
    // 0..=9999, 1..=12 and 1..=31.
    let number = |n: i64| u32::try_from(n).unwrap_or(0);
    let mut text = *b"0000-00-00";
    text[0..2].copy_from_slice(&pair(number(year / 100)));
    text[2..4].copy_from_slice(&pair(number(year % 100)));
    text[5..7].copy_from_slice(&pair(number(month)));
    text[8..10].copy_from_slice(&pair(number(date)));
    CACHE.with(|c| c[slot].set((day, text)));
    Some(text)
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian (Howard Hinnant's
/// algorithm).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for At {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Instant".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "format": "date-time",
            "description": "RFC 3339, in the policy's time zone",
        })
    }
}
