//! Building a case in code, for a program that embeds the engine and holds its cases in its
//! own types rather than as JSON.

use std::collections::BTreeMap;

use compact_str::CompactString;

use crate::decide::attributes::Attributes;
use crate::decide::case::{Case, Event, ReadError, Timestamp};
use crate::decide::problem::Code;

/// A [`Case`] under construction: see [`Case::builder`]. A timestamp that does not parse, or
/// a channel or category never given, is reported by [`CaseBuilder::build`], naming the field.
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
    pub fn channel(mut self, channel: impl Into<CompactString>) -> Self {
        self.case.channel = channel.into();
        self
    }

    /// The category (a `category` of the policy).
    pub fn category(mut self, category: impl Into<CompactString>) -> Self {
        self.case.category = category.into();
        self
    }

    /// The severity (one of the policy's `severities`).
    pub fn severity(mut self, severity: impl Into<CompactString>) -> Self {
        self.case.severity = Some(severity.into());
        self
    }

    /// The person handling the case (for separation of duties between stages).
    pub fn handler(mut self, handler: impl Into<CompactString>) -> Self {
        self.case.handler = Some(handler.into());
        self
    }

    /// A record field (a `field` of the policy); a later value of the same name replaces it.
    pub fn field(mut self, name: impl Into<String>, value: impl Into<serde_json::Value>) -> Self {
        self.case.fields.insert(name.into(), value.into());
        self
    }

    /// A typed attribute (an `attribute` of the policy): a number, a string, a boolean, or a
    /// list of strings for a set.
    pub fn attribute(
        mut self,
        name: impl Into<CompactString>,
        value: impl Into<serde_json::Value>,
    ) -> Self {
        self.case.attributes.insert(name, value);
        self
    }

    /// An event of `kind` at `at` (RFC 3339 with an offset), after those given before.
    pub fn event(self, at: &str, kind: impl Into<CompactString>) -> Self {
        self.event_with(at, kind, |_| {})
    }

    /// An event with its details set by `details` (`via` and `satisfied` for a callback, `by`
    /// and `reason` for an extension, `stage` and `handler` for a stage, …).
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
