//! Building a case in code, for a program that embeds the engine and holds its cases in its
//! own types rather than as JSON.

use std::collections::BTreeMap;

use compact_str::CompactString;

use crate::decide::attributes::Attributes;
use crate::decide::case::{Case, Event, ReadError, Timestamp};
use crate::decide::problem::Code;

/// A [`Case`] under construction: see [`Case::builder`]. A timestamp that does not parse, or
/// a channel or category never given, is reported by [`CaseBuilder::build`], naming the field.
///
/// ```
/// use charter::decide::Case;
/// let error = Case::builder("C-6", "2026-11-16T10:00").channel("web").category("billing").build().unwrap_err();
/// assert_eq!(error.field, "received_at");
/// assert!(error.message.contains("+08:00"), "{}", error.message);
/// ```
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct CaseBuilder {
    case: Case,
    error: Option<ReadError>,
}

impl Case {
    /// Starts a case with its identifier and when it was received (RFC 3339 with an offset).
    ///
    /// ```
    /// use charter::decide::{Case, Engine};
    /// let case = Case::builder("C-1001", "2026-11-16T10:00:00+08:00")
    ///     .channel("web")
    ///     .category("billing")
    ///     .severity("major")
    ///     .field("complainant", "张三")
    ///     .field("contact", "13800000000")
    ///     .field("summary", "重复扣费")
    ///     .attribute("amount", 6000)
    ///     .event("2026-11-16T10:40:00+08:00", "acknowledged")
    ///     .event_with("2026-11-17T09:00:00+08:00", "extended", |e| {
    ///         e.by = Some("2 working days".into());
    ///         e.reason = Some("awaiting the bank".into());
    ///     })
    ///     .build()?;
    /// assert_eq!(case.events.len(), 2);
    /// # Ok::<(), charter::decide::ReadError>(())
    /// ```
    pub fn builder(id: impl Into<CompactString>, received_at: &str) -> CaseBuilder {
        let mut builder = CaseBuilder {
            case: Case {
                id: id.into(),
                received_at: Timestamp { secs: 0, offset: 0 },
                channel: CompactString::default(),
                category: CompactString::default(),
                severity: None,
                handler: None,
                fields: BTreeMap::new(),
                attributes: Attributes::new(),
                events: Vec::new(),
            },
            error: None,
        };
        match Timestamp::parse(received_at) {
            Ok(t) => builder.case.received_at = t,
            Err(message) => builder.fail("received_at", message),
        }
        builder
    }
}

impl CaseBuilder {
    /// The intake channel (a `channel` of the policy).
    ///
    /// ```
    /// let case = charter::decide::Case::builder("C-7", "2026-11-16T10:00:00+08:00")
    ///     .channel("phone")
    ///     .category("service_quality")
    ///     .channel("web")
    ///     .build()?;
    /// assert_eq!(case.channel, "web");
    /// # Ok::<(), charter::decide::ReadError>(())
    /// ```
    pub fn channel(mut self, channel: impl Into<CompactString>) -> Self {
        self.case.channel = channel.into();
        self
    }

    /// The category (a `category` of the policy).
    ///
    /// ```
    /// let case = charter::decide::Case::builder("C-7", "2026-11-16T10:00:00+08:00")
    ///     .channel("phone")
    ///     .category("service_quality")
    ///     .category("billing")
    ///     .build()?;
    /// assert_eq!(case.category, "billing");
    /// # Ok::<(), charter::decide::ReadError>(())
    /// ```
    pub fn category(mut self, category: impl Into<CompactString>) -> Self {
        self.case.category = category.into();
        self
    }

    /// The severity (one of the policy's `severities`).
    ///
    /// ```
    /// let case = charter::decide::Case::builder("C-7", "2026-11-16T10:00:00+08:00")
    ///     .channel("phone")
    ///     .category("service_quality")
    ///     .severity("major")
    ///     .build()?;
    /// assert_eq!(case.severity.as_deref(), Some("major"));
    /// # Ok::<(), charter::decide::ReadError>(())
    /// ```
    pub fn severity(mut self, severity: impl Into<CompactString>) -> Self {
        self.case.severity = Some(severity.into());
        self
    }

    /// The person handling the case (for separation of duties between stages).
    ///
    /// ```
    /// let case = charter::decide::Case::builder("C-7", "2026-11-16T10:00:00+08:00")
    ///     .channel("phone")
    ///     .category("service_quality")
    ///     .handler("张三")
    ///     .build()?;
    /// assert_eq!(case.handler.as_deref(), Some("张三"));
    /// # Ok::<(), charter::decide::ReadError>(())
    /// ```
    pub fn handler(mut self, handler: impl Into<CompactString>) -> Self {
        self.case.handler = Some(handler.into());
        self
    }

    /// A record field (a `field` of the policy); a later value of the same name replaces it.
    ///
    /// ```
    /// let case = charter::decide::Case::builder("C-8", "2026-11-16T10:00:00+08:00")
    ///     .channel("phone")
    ///     .category("billing")
    ///     .field("contact", "138 0000 1234")
    ///     .field("contact", "139 0000 5678")
    ///     .build()?;
    /// assert_eq!(case.fields["contact"], "139 0000 5678");
    /// # Ok::<(), charter::decide::ReadError>(())
    /// ```
    pub fn field(mut self, name: impl Into<String>, value: impl Into<serde_json::Value>) -> Self {
        self.case.fields.insert(name.into(), value.into());
        self
    }

    /// A typed attribute (an `attribute` of the policy): a number, a string, a boolean, or a
    /// list of strings for a set.
    ///
    /// ```
    /// let case = charter::decide::Case::builder("C-9", "2026-11-16T10:00:00+08:00")
    ///     .channel("phone")
    ///     .category("billing")
    ///     .attribute("amount", 6000)
    ///     .attribute("departments", vec!["finance", "sales"])
    ///     .build()?;
    /// assert_eq!(case.attributes.get("amount"), Some(&6000.into()));
    /// assert_eq!(case.attributes.len(), 2);
    /// # Ok::<(), charter::decide::ReadError>(())
    /// ```
    pub fn attribute(
        mut self,
        name: impl Into<CompactString>,
        value: impl Into<serde_json::Value>,
    ) -> Self {
        self.case.attributes.insert(name, value);
        self
    }

    /// An event of `kind` at `at` (RFC 3339 with an offset), after those given before.
    ///
    /// ```
    /// let built = charter::decide::Case::builder("C-10", "2026-11-16T10:00:00+08:00")
    ///     .channel("phone")
    ///     .category("billing")
    ///     .event("2026-11-16T10:30:00+08:00", "acknowledged")
    ///     .event("2026-11-16T25:00:00+08:00", "resolved")
    ///     .build();
    /// // The second event's time is not a time: the error names it.
    /// assert_eq!(built.unwrap_err().field, "events[1].at");
    /// ```
    pub fn event(self, at: &str, kind: impl Into<CompactString>) -> Self {
        self.event_with(at, kind, |_| {})
    }

    /// An event with its details set by `details` (`via` and `satisfied` for a callback, `by`
    /// and `reason` for an extension, `stage` and `handler` for a stage, …).
    ///
    /// ```
    /// let case = charter::decide::Case::builder("C-11", "2026-11-16T10:00:00+08:00")
    ///     .channel("phone")
    ///     .category("billing")
    ///     .event_with("2026-11-17T09:00:00+08:00", "paused", |e| e.note = Some("awaiting the bank".into()))
    ///     .event("2026-11-18T09:00:00+08:00", "resumed")
    ///     .build()?;
    /// assert_eq!(case.events[0].note.as_deref(), Some("awaiting the bank"));
    /// # Ok::<(), charter::decide::ReadError>(())
    /// ```
    pub fn event_with(
        mut self,
        at: &str,
        kind: impl Into<CompactString>,
        details: impl FnOnce(&mut Event),
    ) -> Self {
        let at = match Timestamp::parse(at) {
            Ok(t) => t,
            Err(message) => {
                let field = format!("events[{}].at", self.case.events.len());
                self.fail(&field, message);
                Timestamp { secs: 0, offset: 0 }
            }
        };
        let mut event = Event {
            at,
            kind: kind.into(),
            note: None,
            via: None,
            satisfied: None,
            reason: None,
            by: None,
            target: None,
            stage: None,
            handler: None,
        };
        details(&mut event);
        self.case.events.push(event);
        self
    }

    /// The case, or the first thing wrong with it. Whether its names and values suit a
    /// policy is for [`crate::decide::Engine::decide`] to say.
    ///
    /// ```
    /// let error = charter::decide::Case::builder("C-12", "2026-11-16T10:00:00+08:00")
    ///     .channel("phone")
    ///     .build()
    ///     .unwrap_err();
    /// assert_eq!(error.field, "category");
    /// ```
    pub fn build(mut self) -> Result<Case, ReadError> {
        if self.case.channel.is_empty() {
            self.fail("channel", "no channel was given; call `.channel(…)`".into());
        }
        if self.case.category.is_empty() {
            self.fail(
                "category",
                "no category was given; call `.category(…)`".into(),
            );
        }
        match self.error {
            Some(error) => Err(error),
            None => Ok(self.case),
        }
    }

    /// Keeps the first error.
    fn fail(&mut self, field: &str, message: String) {
        self.error.get_or_insert(ReadError {
            code: Code::Shape,
            field: field.to_string(),
            line_col: None,
            message,
        });
    }
}
