//! The case a tool sends: what was received, when, through which channel, and what has happened
//! since. Field names are the contract of PRODUCT.md ("Cases and decisions").
//!
//! Deserializing checks only the shape (types, timestamps with offsets); what the names mean is
//! checked against a policy in `validate.rs`.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, FixedOffset, NaiveDateTime, Offset, Utc};
use compact_str::CompactString;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::decide::attributes::Attributes;
use crate::decide::problem::Code;

/// A complaint case.
///
/// ```
/// use charter::decide::Case;
/// let case = Case::from_json(r#"{
///     "id": "C-1001",
///     "received_at": "2026-11-20T17:45:00+08:00",
///     "channel": "phone",
///     "category": "product_quality",
///     "severity": "major",
///     "attributes": {"amount": 1200, "departments": ["quality"]},
///     "events": [{"at": "2026-11-20T18:10:00+08:00", "kind": "acknowledged"}]
/// }"#)?;
/// assert_eq!(case.category, "product_quality");
/// assert_eq!(case.attributes.get("amount"), Some(&1200.into()));
/// assert_eq!(case.events[0].kind, "acknowledged");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
#[cfg_attr(
    feature = "schema",
    schemars(
        title = "charter case",
        description = "A complaint case to decide against a charter policy."
    )
)]
pub struct Case {
    /// The case's identifier in the calling tool.
    pub id: CompactString,
    /// When the complaint was received (RFC 3339 with an offset). Chooses the policy version.
    pub received_at: Timestamp,
    /// The intake channel (a `channel` of the policy).
    pub channel: CompactString,
    /// The category (a `category` of the policy).
    pub category: CompactString,
    /// The severity (one of the policy's `severities`), if assessed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<CompactString>,
    /// The person handling the case, if known (used for separation of duties between stages).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handler: Option<CompactString>,
    /// Record fields by name (`field` declarations). A field that is absent, `null` or an empty
    /// string is missing; one given twice is an error.
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "fields_once"
    )]
    pub fields: BTreeMap<String, serde_json::Value>,
    /// Typed attributes by name (`attribute` declarations): numbers, strings, booleans, or lists
    /// of strings for sets.
    #[serde(default, skip_serializing_if = "Attributes::is_empty")]
    pub attributes: Attributes,
    /// What happened, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<Event>,
}

/// Something that happened to a case.
///
/// ```
/// use charter::decide::Case;
/// let case = Case::builder("C-2", "2026-11-20T09:00:00+08:00")
///     .channel("phone")
///     .category("billing")
///     .event_with("2026-11-23T09:00:00+08:00", "callback", |e| {
///         e.via = Some("phone".into());
///         e.satisfied = Some(true);
///     })
///     .build()?;
/// let callback = &case.events[0];
/// assert_eq!((callback.kind.as_str(), callback.via.as_deref()), ("callback", Some("phone")));
/// // As JSON, only what was given is written.
/// assert_eq!(
///     serde_json::to_string(callback)?,
///     r#"{"at":"2026-11-23T09:00:00+08:00","kind":"callback","via":"phone","satisfied":true}"#
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
#[cfg_attr(
    feature = "schema",
    schemars(description = "Something that happened to a case.")
)]
pub struct Event {
    /// When (RFC 3339 with an offset); not before `received_at`, and not before the event above.
    pub at: Timestamp,
    /// What: `acknowledged`, `updated`, `resolved`, `callback`, `reopened`, `paused`,
    /// `resumed`, `extended`, `stage`, or an event the policy names itself.
    pub kind: CompactString,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// For `callback`: the channel the customer was called back through.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via: Option<CompactString>,
    /// For `callback`: whether the customer was satisfied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub satisfied: Option<bool>,
    /// For `extended`: why the deadline is extended (required by the policy).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// For `extended`: by how much, e.g. `"3 working days"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<CompactString>,
    /// For `extended`, `paused`, `resumed`: the target concerned (`extended`: default the one
    /// target the policy lets extend; `paused`/`resumed`: default every target).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<CompactString>,
    /// For `stage`: the stage entered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<CompactString>,
    /// For `stage`: who handles the case in that stage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handler: Option<CompactString>,
}

/// An instant with the offset it was written with (RFC 3339). Timestamps without an offset are
/// refused: the engine cannot guess a zone.
///
/// ```
/// use charter::decide::Timestamp;
/// let t = Timestamp::parse("2026-11-20T17:45:00+08:00")?;
/// assert_eq!((t.secs, t.offset), (1_795_167_900, 8 * 3600));
/// assert_eq!(t.to_string(), "2026-11-20T17:45:00+08:00");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    /// UTC seconds.
    pub secs: i64,
    /// The offset from UTC it was written with, in seconds.
    pub offset: i32,
}

impl Timestamp {
    /// Parses RFC 3339; the error says what is wrong and what to write instead.
    ///
    /// ```
    /// use charter::decide::Timestamp;
    /// assert_eq!(Timestamp::parse("2026-11-20T09:45:00Z").map(|t| t.offset), Ok(0));
    /// // Without an offset the zone is unknown, and the error says what to write.
    /// let error = Timestamp::parse("2026-11-20 17:45:00").unwrap_err();
    /// assert!(error.contains("2026-11-20T17:45:00+08:00"), "{error}");
    /// ```
    pub fn parse(text: &str) -> Result<Timestamp, String> {
        if let Some(t) = parse_plain(text.as_bytes()) {
            return Ok(t);
        }
        match DateTime::parse_from_rfc3339(text.trim()) {
            Ok(t) => Ok(Timestamp {
                secs: t.timestamp(),
                offset: t.offset().local_minus_utc(),
            }),
            Err(_) => {
                let naive = text
                    .trim()
                    .parse::<NaiveDateTime>()
                    .is_ok()
                    .then_some(())
                    .or_else(|| {
                        NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%d %H:%M:%S")
                            .ok()
                            .map(|_| ())
                    });
                Err(if naive.is_some() {
                    format!(
                        "timestamp `{text}` has no UTC offset; add one, e.g. `{}+08:00`",
                        text.trim().replace(' ', "T")
                    )
                } else {
                    format!(
                        "`{text}` is not an RFC 3339 timestamp; write e.g. `2026-11-20T17:45:00+08:00`"
                    )
                })
            }
        }
    }
}

impl Timestamp {
    /// Whether the instant falls within the years charter computes in
    /// ([`MIN_YEAR`](crate::time::MIN_YEAR) to [`MAX_YEAR`](crate::time::MAX_YEAR)), its year
    /// read in the offset it was written with.
    ///
    /// ```
    /// use charter::decide::Timestamp;
    /// assert!(Timestamp::parse("2199-12-31T23:59:59+08:00")?.within_years());
    /// assert!(!Timestamp::parse("9999-01-04T10:00:00+08:00")?.within_years());
    /// // 1 January 2200 at 02:00 in Shanghai is still 2199 in UTC, but not as written.
    /// assert!(!Timestamp::parse("2200-01-01T02:00:00+08:00")?.within_years());
    /// # Ok::<(), String>(())
    /// ```
    pub fn within_years(&self) -> bool {
        let local = self.secs.saturating_add(i64::from(self.offset));
        crate::time::YEARS.contains(&local)
    }
}

/// What to write when an instant is outside the years charter computes.
pub(crate) fn outside_years(text: &str) -> String {
    format!(
        "{text} is outside the years charter computes ({}-01-01 to {}-12-31); check the year",
        crate::time::MIN_YEAR,
        crate::time::MAX_YEAR
    )
}

/// The usual form of a timestamp, `YYYY-MM-DDTHH:MM:SS`, an optional fraction, then `Z` or
/// `±HH:MM`, read without chrono's general parser (a batch reads millions). Anything else,
/// and any value out of range, is `None` and goes to chrono, which accepts or explains it; a
/// property test checks that the two agree.
fn parse_plain(text: &[u8]) -> Option<Timestamp> {
    let (head, rest) = text.split_at_checked(19)?;
    let head: &[u8; 19] = head.try_into().ok()?;
    // Separators where they belong, digits everywhere else.
    const SEPARATORS: [(usize, u8); 5] = [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':')];
    if SEPARATORS.iter().any(|&(i, c)| head[i] != c) {
        return None;
    }
    let mut d = [0i64; 19];
    for (i, (&b, v)) in head.iter().zip(&mut d).enumerate() {
        if !SEPARATORS.iter().any(|&(at, _)| at == i) {
            if !b.is_ascii_digit() {
                return None;
            }
            *v = i64::from(b - b'0');
        }
    }
    let year = d[0] * 1000 + d[1] * 100 + d[2] * 10 + d[3];
    let (month, day) = (d[5] * 10 + d[6], d[8] * 10 + d[9]);
    let (hour, minute, second) = (d[11] * 10 + d[12], d[14] * 10 + d[15], d[17] * 10 + d[18]);
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let month_days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if day == 0 || day > month_days || hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let text = rest;
    let digits = |at: usize| -> Option<i64> {
        match text.get(at..at + 2)? {
            &[a @ b'0'..=b'9', b @ b'0'..=b'9'] => {
                Some(i64::from(a - b'0') * 10 + i64::from(b - b'0'))
            }
            _ => None,
        }
    };
    let at = |i: usize| text.get(i).copied();
    let mut i = 0;
    if at(i) == Some(b'.') {
        i += 1;
        let from = i;
        while at(i).is_some_and(|b| b.is_ascii_digit()) {
            i += 1;
        }
        if i == from {
            return None;
        }
    }
    let offset = match (at(i)?, text.len() - i) {
        (b'Z', 1) => 0,
        (sign @ (b'+' | b'-'), 6) if at(i + 3)? == b':' => {
            let (h, m) = (digits(i + 1)?, digits(i + 4)?);
            if h > 23 || m > 59 {
                return None;
            }
            let minutes = h * 60 + m;
            (if sign == b'-' { -minutes } else { minutes }) * 60
        }
        _ => return None,
    };
    // Days since 1970-01-01 of the civil date (H. Hinnant's `days_from_civil`).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(Timestamp {
        secs: days * 86_400 + hour * 3600 + minute * 60 + second - offset,
        offset: i32::try_from(offset).ok()?,
    })
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let offset = FixedOffset::east_opt(self.offset).unwrap_or_else(|| Utc.fix());
        match DateTime::from_timestamp(self.secs, 0) {
            Some(t) => write!(f, "{}", t.with_timezone(&offset).to_rfc3339()),
            None => write!(f, "{}", self.secs),
        }
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Read the text where it lies (serde's `Cow<str>` would copy it into a `String`).
        struct Text;
        impl serde::de::Visitor<'_> for Text {
            type Value = Timestamp;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an RFC 3339 timestamp")
            }

            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Timestamp, E> {
                Timestamp::parse(text).map_err(E::custom)
            }
        }
        d.deserialize_str(Text)
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for Timestamp {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Timestamp".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "format": "date-time",
            "description": "RFC 3339 with an offset, e.g. 2026-11-20T17:45:00+08:00",
        })
    }
}

/// A case that could not be read: the place (`events[2].at`) and what is wrong.
///
/// ```
/// use charter::decide::{Case, Code};
/// let error = Case::from_json(r#"{"id": "C-3", "received_at": "2026-11-20", "channel": "web", "category": "billing"}"#)
///     .unwrap_err();
/// assert_eq!(error.code, Code::Shape);
/// assert_eq!(error.field, "received_at");
/// assert_eq!(error.line_col.map(|(line, _)| line), Some(1));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError {
    /// [`Code::Unreadable`] when the text is not a JSON (TOML) document, [`Code::Shape`] when
    /// it is but not a case.
    pub code: Code,
    /// Where in the document: a field path, or empty for the whole document.
    pub field: String,
    /// Line and column in the text, when known.
    pub line_col: Option<(usize, usize)>,
    /// What is wrong.
    pub message: String,
}

impl std::error::Error for ReadError {}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some((line, col)) = self.line_col {
            write!(f, "{line}:{col}: ")?;
        }
        if !matches!(self.field.as_str(), "" | "." | "?") {
            write!(f, "{}: ", self.field)?;
        }
        f.write_str(&self.message)
    }
}

/// A case's fields, each name once: which of two values holds would be a guess.
fn fields_once<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<String, serde_json::Value>, D::Error> {
    struct Fields;
    impl<'de> serde::de::Visitor<'de> for Fields {
        type Value = BTreeMap<String, serde_json::Value>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object of fields by name")
        }

        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut map: A,
        ) -> Result<Self::Value, A::Error> {
            let mut fields = BTreeMap::new();
            while let Some((name, value)) = map.next_entry::<String, serde_json::Value>()? {
                if fields.contains_key(&name) {
                    return Err(serde::de::Error::custom(format_args!(
                        "field `{name}` is given twice; give each field once"
                    )));
                }
                fields.insert(name, value);
            }
            Ok(fields)
        }
    }
    d.deserialize_map(Fields)
}

impl Case {
    /// Reads a case from JSON, naming the field and place of any error. The common case, a
    /// good record, is parsed without tracking the field path; a bad one is parsed again with
    /// it, to name the field.
    ///
    /// ```
    /// use charter::decide::Case;
    /// let case = Case::from_json(r#"{"id": "C-4", "received_at": "2026-11-20T10:00:00+08:00", "channel": "web", "category": "billing"}"#)?;
    /// assert_eq!(case.channel, "web");
    /// let error = Case::from_json(r#"{"id": "C-4", "channel": "web"}"#).unwrap_err();
    /// assert!(error.to_string().contains("received_at"), "{error}");
    /// # Ok::<(), charter::decide::ReadError>(())
    /// ```
    pub fn from_json(text: &str) -> Result<Case, ReadError> {
        // A byte-order mark, as some editors write, is not part of the case.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        // serde would read a list as the fields in order; a case is an object.
        let first = text.char_indices().find(|(_, c)| !c.is_ascii_whitespace());
        if let Some((at, '[')) = first {
            return Err(not_an_object(text, at, "a list"));
        }
        if let Ok(case) = serde_json::from_str::<Case>(text) {
            return Ok(case);
        }
        if let Some((at, c)) = first
            && c != '{'
            && let Ok(value) = serde_json::from_str::<serde_json::Value>(text)
        {
            let what = match value {
                serde_json::Value::String(_) => "a string",
                serde_json::Value::Number(_) => "a number",
                serde_json::Value::Bool(_) => "a boolean",
                _ => "null",
            };
            return Err(not_an_object(text, at, what));
        }
        let mut de = serde_json::Deserializer::from_str(text);
        let case: Case = serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let field = field_of(e.path());
            let inner = e.into_inner();
            ReadError {
                code: match inner.classify() {
                    serde_json::error::Category::Data => Code::Shape,
                    _ => Code::Unreadable,
                },
                field,
                line_col: (inner.line() > 0).then(|| (inner.line(), inner.column())),
                message: strip_position(&inner.to_string()),
            }
        })?;
        de.end().map_err(|e| ReadError {
            code: Code::Unreadable,
            field: String::new(),
            line_col: Some((e.line(), e.column())),
            message: "text after the case; one file holds one case (use --batch for NDJSON)"
                .to_string(),
        })?;
        Ok(case)
    }

    /// Reads a case from TOML (for hand-written cases).
    ///
    /// ```
    /// use charter::decide::Case;
    /// let case = Case::from_toml(r#"
    /// id = "C-5"
    /// received_at = "2026-11-20T10:00:00+08:00"
    /// channel = "letter"
    /// category = "billing"
    ///
    /// [attributes]
    /// amount = 300
    /// "#)?;
    /// assert_eq!(case.received_at.to_string(), "2026-11-20T10:00:00+08:00");
    /// assert_eq!(case.attributes.get("amount"), Some(&300.into()));
    /// # Ok::<(), charter::decide::ReadError>(())
    /// ```
    pub fn from_toml(text: &str) -> Result<Case, ReadError> {
        let de = toml::Deserializer::parse(text).map_err(|e| toml_error(text, &e))?;
        serde_path_to_error::deserialize(de).map_err(|e| {
            let field = field_of(e.path());
            let inner = e.into_inner();
            let mut error = toml_error(text, &inner);
            error.code = Code::Shape;
            error.field = field;
            error
        })
    }
}

/// The field a deserializing error is in, as `events[2].at`; empty where the reader could not
/// tell (a path with an unknown part, which would print as `?`) or at the top.
fn field_of(path: &serde_path_to_error::Path) -> String {
    let known = path
        .iter()
        .all(|s| !matches!(s, serde_path_to_error::Segment::Unknown));
    if known && path.iter().next().is_some() {
        path.to_string()
    } else {
        String::new()
    }
}

/// The error of a JSON text that is `what` (a list, a string...) where a case's object belongs.
#[cold]
fn not_an_object(text: &str, at: usize, what: &str) -> ReadError {
    ReadError {
        code: Code::Shape,
        field: String::new(),
        line_col: Some(crate::source::place_after(&text[..at])),
        message: format!(
            "a case is a JSON object (`{{\"id\": …, \"received_at\": …, …}}`), and this is {what}"
        ),
    }
}

fn toml_error(text: &str, e: &toml::de::Error) -> ReadError {
    let (at, message) = crate::source::toml_error(text, e);
    ReadError {
        code: Code::Unreadable,
        field: String::new(),
        line_col: at.map(|at| crate::source::place_after(&text[..at])),
        message,
    }
}

/// serde_json appends " at line L column C"; the position is reported separately.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}
