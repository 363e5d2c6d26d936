//! Diagnostics shared by every stage: a kind with a stable code, a message, the span it is
//! about, an optional label and help. Rendered as a compiler renders them (the source line, a
//! caret, the label, the help), or as JSON and SARIF.

use std::fmt::Write as _;

use serde::Serialize;

use crate::source::{Sources, Span};

/// How bad a diagnostic is.
///
/// ```
/// use charter::diagnostic::{Diagnostic, Kind, Severity};
/// let d = Diagnostic::general(Kind::NoPolicyFiles, "no policy files were given");
/// assert_eq!(d.severity, Severity::Error);
/// assert!(d.is_error());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth knowing; nothing is wrong.
    Info,
    /// The policy compiles, but something is probably wrong.
    Warning,
    /// The policy does not compile.
    Error,
}

/// The kinds of problem the front end reports. Each has a stable code.
///
/// ```
/// use charter::diagnostic::Kind;
/// assert_eq!(Kind::UnknownName.code(), "E0006");
/// // Every kind has its own code and title.
/// let mut codes: Vec<&str> = Kind::ALL.iter().map(|k| k.code()).collect();
/// codes.sort_unstable();
/// codes.dedup();
/// assert_eq!(codes.len(), Kind::ALL.len());
/// assert!(Kind::ALL.iter().all(|k| !k.title().is_empty()));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A file could not be read.
    Io,
    /// A file is not UTF-8.
    NotUtf8,
    /// A folder holds no policy files.
    NoPolicyFiles,
    /// The text does not follow the grammar.
    Syntax,
    /// A literal that parses but is not valid (a date, a time, a number).
    InvalidLiteral,
    /// A name that is not declared.
    UnknownName,
    /// A name declared twice.
    Duplicate,
    /// A required declaration or setting is missing.
    Missing,
    /// A time zone that is not an IANA name.
    UnknownTimezone,
    /// Open intervals of one day overlap, or one is empty or reversed.
    BadHours,
    /// A range whose end is before its start.
    ReversedRange,
    /// A duration or amount out of range.
    OutOfRange,
    /// A percentage over 100 (or below 0).
    BadPercent,
    /// Duty weights of a role that do not add up to 100 %.
    WeightSum,
    /// A `reports_to` chain that loops.
    Cycle,
    /// A comparison or attribute test of the wrong type.
    TypeMismatch,
    /// A condition that names a severity that does not exist, or orders an unordered subject.
    BadComparison,
    /// Escalation steps that cannot fire as written.
    BadEscalation,
    /// A statement given twice where once is allowed.
    Repeated,
    /// An import that cannot be followed.
    BadImport,
    /// A calendar whose valid range ends within 90 days (or has ended).
    CalendarEnding,
    /// Lint: a category neither accepted nor redirected.
    LintOutOfScope,
    /// Lint: an accepted category no SLA applies to.
    LintNoSla,
    /// Lint: acknowledging allowed longer than resolving.
    LintDeadlineOrder,
    /// Lint: escalation steps written out of firing order.
    LintStepOrder,
    /// Lint: a procedure step no role owns.
    LintStepUnowned,
    /// Lint: a procedure step two roles own.
    LintStepOwnedTwice,
    /// Lint: a duty without a measure.
    LintUnmeasured,
    /// Lint: a role complaints are routed to that has no duty.
    LintRoutedWithoutDuty,
    /// Lint: accepted cases that only the forbidden fallback, or nothing, routes.
    LintUncovered,
    /// Lint: a route rule that can never match.
    LintShadowed,
    /// Lint: two route rules that send the same case to different roles.
    LintOverlap,
    /// Lint: a channel no callback rule applies to.
    LintNoCallback,
    /// Lint: an escalation step that fires after a later target's deadline.
    LintLateEscalation,
    /// Lint: a working-time target on a calendar with no open time.
    LintNoOpenTime,
    /// Lint: an escalation to a role with no authority to decide.
    LintNoAuthority,
    /// Lint: an escalation to `superior` from a role that reports to no one.
    LintNoSuperior,
    /// Lint: a later stage whose handler may be the earlier stage's.
    LintStageSeparation,
    /// Lint: vague wording in a position description or procedure.
    LintVague,
    /// Lint: a position description without a purpose or qualifications.
    LintUnfinished,
    /// Lint: an escalation to the role that handles the case.
    LintEscalationToHandler,
    /// Lint: a stage kept apart from one the same person must do.
    LintImpossibleSeparation,
}

impl Kind {
    /// Every kind, in code order.
    ///
    /// ```
    /// use charter::diagnostic::Kind;
    /// // Errors are `E` codes, lint findings `L` codes.
    /// assert!(Kind::ALL.iter().any(|k| k.code().starts_with('E')));
    /// assert!(Kind::ALL.iter().any(|k| k.code().starts_with('L')));
    /// ```
    pub const ALL: [Kind; 42] = [
        Kind::Io,
        Kind::NotUtf8,
        Kind::NoPolicyFiles,
        Kind::Syntax,
        Kind::InvalidLiteral,
        Kind::UnknownName,
        Kind::Duplicate,
        Kind::Missing,
        Kind::UnknownTimezone,
        Kind::BadHours,
        Kind::ReversedRange,
        Kind::OutOfRange,
        Kind::BadPercent,
        Kind::WeightSum,
        Kind::Cycle,
        Kind::TypeMismatch,
        Kind::BadComparison,
        Kind::BadEscalation,
        Kind::Repeated,
        Kind::BadImport,
        Kind::CalendarEnding,
        Kind::LintOutOfScope,
        Kind::LintNoSla,
        Kind::LintDeadlineOrder,
        Kind::LintStepOrder,
        Kind::LintStepUnowned,
        Kind::LintStepOwnedTwice,
        Kind::LintUnmeasured,
        Kind::LintRoutedWithoutDuty,
        Kind::LintUncovered,
        Kind::LintShadowed,
        Kind::LintOverlap,
        Kind::LintNoCallback,
        Kind::LintLateEscalation,
        Kind::LintNoOpenTime,
        Kind::LintNoAuthority,
        Kind::LintNoSuperior,
        Kind::LintStageSeparation,
        Kind::LintVague,
        Kind::LintUnfinished,
        Kind::LintEscalationToHandler,
        Kind::LintImpossibleSeparation,
    ];

    /// What the kind is about, in a few words (for rule lists such as SARIF's).
    ///
    /// ```
    /// assert_eq!(charter::diagnostic::Kind::Duplicate.title(), "a name declared twice");
    /// ```
    pub fn title(self) -> &'static str {
        match self {
            Kind::Io => "a file could not be read",
            Kind::NotUtf8 => "a file is not UTF-8",
            Kind::NoPolicyFiles => "a folder holds no policy files",
            Kind::Syntax => "the text does not follow the grammar",
            Kind::InvalidLiteral => "a literal that is not valid",
            Kind::UnknownName => "a name that is not declared",
            Kind::Duplicate => "a name declared twice",
            Kind::Missing => "a required declaration is missing",
            Kind::UnknownTimezone => "a time zone that is not an IANA name",
            Kind::BadHours => "open intervals that overlap or are empty",
            Kind::ReversedRange => "a range that ends before it starts",
            Kind::OutOfRange => "a duration or amount out of range",
            Kind::BadPercent => "a percentage outside 0–100",
            Kind::WeightSum => "duty weights that do not add up to 100 %",
            Kind::Cycle => "a reports_to chain that loops",
            Kind::TypeMismatch => "a test of the wrong type",
            Kind::BadComparison => "a comparison that cannot be made",
            Kind::BadEscalation => "escalation steps that cannot fire",
            Kind::Repeated => "a statement given twice",
            Kind::BadImport => "an import that cannot be followed",
            Kind::CalendarEnding => "a calendar whose valid range ends soon",
            Kind::LintOutOfScope => "category neither accepted nor redirected",
            Kind::LintNoSla => "accepted category without an SLA",
            Kind::LintDeadlineOrder => "acknowledge allowed longer than resolve",
            Kind::LintStepOrder => "escalation steps out of firing order",
            Kind::LintStepUnowned => "procedure step no role owns",
            Kind::LintStepOwnedTwice => "procedure step two roles own",
            Kind::LintUnmeasured => "duty without a measure",
            Kind::LintRoutedWithoutDuty => "routed role without a duty",
            Kind::LintUncovered => "accepted cases only the forbidden fallback (or nothing) routes",
            Kind::LintShadowed => "route rule that can never match",
            Kind::LintOverlap => "route rules that send the same case to different roles",
            Kind::LintNoCallback => "channel without a callback rule",
            Kind::LintLateEscalation => "escalation after the resolve deadline",
            Kind::LintNoOpenTime => "working-time target on a calendar with no open time",
            Kind::LintNoAuthority => "escalation to a role without authority",
            Kind::LintNoSuperior => "escalation to the superior of a role that reports to no one",
            Kind::LintStageSeparation => "later stage without separation of duties",
            Kind::LintVague => "vague wording",
            Kind::LintUnfinished => "position description without purpose or qualifications",
            Kind::LintEscalationToHandler => "escalation to the role that handles the case",
            Kind::LintImpossibleSeparation => "separation of duties that cannot be kept",
        }
    }

    /// The stable code, e.g. `E0006`.
    ///
    /// ```
    /// assert_eq!(charter::diagnostic::Kind::Duplicate.code(), "E0007");
    /// ```
    pub fn code(self) -> &'static str {
        match self {
            Kind::Io => "E0001",
            Kind::NotUtf8 => "E0002",
            Kind::NoPolicyFiles => "E0003",
            Kind::Syntax => "E0004",
            Kind::InvalidLiteral => "E0005",
            Kind::UnknownName => "E0006",
            Kind::Duplicate => "E0007",
            Kind::Missing => "E0008",
            Kind::UnknownTimezone => "E0009",
            Kind::BadHours => "E0010",
            Kind::ReversedRange => "E0011",
            Kind::OutOfRange => "E0012",
            Kind::BadPercent => "E0013",
            Kind::WeightSum => "E0014",
            Kind::Cycle => "E0015",
            Kind::TypeMismatch => "E0016",
            Kind::BadComparison => "E0017",
            Kind::BadEscalation => "E0018",
            Kind::Repeated => "E0019",
            Kind::BadImport => "E0020",
            Kind::CalendarEnding => "E0021",
            Kind::LintOutOfScope => "L0001",
            Kind::LintNoSla => "L0002",
            Kind::LintDeadlineOrder => "L0003",
            Kind::LintStepOrder => "L0004",
            Kind::LintStepUnowned => "L0005",
            Kind::LintStepOwnedTwice => "L0006",
            Kind::LintUnmeasured => "L0007",
            Kind::LintRoutedWithoutDuty => "L0008",
            Kind::LintUncovered => "L0009",
            Kind::LintShadowed => "L0010",
            Kind::LintOverlap => "L0011",
            Kind::LintNoCallback => "L0012",
            Kind::LintLateEscalation => "L0013",
            Kind::LintNoOpenTime => "L0014",
            Kind::LintNoAuthority => "L0015",
            Kind::LintNoSuperior => "L0016",
            Kind::LintStageSeparation => "L0017",
            Kind::LintVague => "L0018",
            Kind::LintUnfinished => "L0019",
            Kind::LintEscalationToHandler => "L0020",
            Kind::LintImpossibleSeparation => "L0021",
        }
    }
}

/// One problem, with where it is and what to do.
///
/// ```
/// use charter::diagnostic::{Diagnostic, Kind};
/// use charter::syntax::{Sources, Span};
/// let mut sources = Sources::default();
/// let file = sources.add("p.charter", "role clerk \"Clerk\" {}\n");
/// let d = Diagnostic::warning(Kind::Duplicate, Span { file, start: 5, end: 10 }, "role `clerk` is declared twice")
///     .with_help("keep one of them");
/// let text = d.render(&sources);
/// assert!(text.contains("p.charter:1:6"), "{text}");
/// assert!(text.contains("help: keep one of them"), "{text}");
/// assert_eq!(d.to_json(&sources)["line"], 1);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// What kind of problem.
    pub kind: Kind,
    /// Lowercase, no final period, user input in backticks.
    pub message: String,
    /// Where (None for problems with no place, such as an empty folder).
    #[serde(skip)]
    pub span: Option<Span>,
    /// A short label under the span.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// What to do about it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// Other places that explain it.
    #[serde(skip)]
    pub related: Vec<(Span, String)>,
}

impl Diagnostic {
    /// An error of `kind` at `span`.
    ///
    /// ```
    /// use charter::diagnostic::{Diagnostic, Kind, Severity};
    /// use charter::syntax::{Sources, Span};
    /// let mut sources = Sources::default();
    /// let file = sources.add("p.charter", "role clerk \"Clerk\" {}\nrole clerk \"Clerk\" {}\n");
    /// let first = Span { file, start: 5, end: 10 };
    /// let second = Span { file, start: 27, end: 32 };
    /// let d = Diagnostic::error(Kind::Duplicate, second, "role `clerk` is declared twice")
    ///     .with_label("declared again here")
    ///     .with_related(first, "first declared here")
    ///     .with_help("rename one of them");
    /// assert_eq!(d.severity, Severity::Error);
    /// let text = d.render(&sources);
    /// assert!(text.contains("p.charter:2:6"), "{text}");
    /// assert!(text.contains("first declared here"), "{text}");
    /// ```
    pub fn error(kind: Kind, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            kind,
            message: shorten_quotes(message.into()),
            span: Some(span),
            label: None,
            help: None,
            related: Vec::new(),
        }
    }

    /// A warning of `kind` at `span`.
    ///
    /// ```
    /// use charter::diagnostic::{Diagnostic, Kind, Severity};
    /// use charter::syntax::{Sources, Span};
    /// let mut sources = Sources::default();
    /// let file = sources.add("p.charter", "role clerk \"Clerk\" {}\nrole clerk \"Clerk\" {}\n");
    /// let first = Span { file, start: 5, end: 10 };
    /// let second = Span { file, start: 27, end: 32 };
    /// let d = Diagnostic::warning(Kind::Duplicate, second, "declared twice");
    /// assert!(!d.is_error());
    /// ```
    pub fn warning(kind: Kind, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(kind, span, message)
        }
    }

    /// A note of `kind` at `span`: worth knowing, nothing wrong.
    ///
    /// ```
    /// use charter::diagnostic::{Diagnostic, Kind, Severity};
    /// use charter::syntax::{Sources, Span};
    /// let mut sources = Sources::default();
    /// let file = sources.add("p.charter", "role clerk \"Clerk\" {}\nrole clerk \"Clerk\" {}\n");
    /// let first = Span { file, start: 5, end: 10 };
    /// let second = Span { file, start: 27, end: 32 };
    /// assert_eq!(Diagnostic::info(Kind::Duplicate, first, "a note").severity, Severity::Info);
    /// ```
    pub fn info(kind: Kind, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Info,
            ..Diagnostic::error(kind, span, message)
        }
    }

    /// An error with no place in the source.
    ///
    /// ```
    /// use charter::diagnostic::{Diagnostic, Kind};
    /// let d = Diagnostic::general(Kind::NoPolicyFiles, "no policy files were given");
    /// // Without a place, the message is all there is.
    /// assert!(d.span.is_none());
    /// assert!(d.render(&Default::default()).contains("no policy files were given"));
    /// ```
    pub fn general(kind: Kind, message: impl Into<String>) -> Self {
        Diagnostic {
            span: None,
            ..Diagnostic::error(kind, Span::default(), message)
        }
    }

    /// Adds a label under the span.
    ///
    /// ```
    /// use charter::diagnostic::{Diagnostic, Kind};
    /// use charter::syntax::{Sources, Span};
    /// let mut sources = Sources::default();
    /// let file = sources.add("p.charter", "role clerk \"Clerk\" {}\nrole clerk \"Clerk\" {}\n");
    /// let second = Span { file, start: 27, end: 32 };
    /// let d = Diagnostic::error(Kind::Duplicate, second, "declared twice").with_label("again here");
    /// assert!(d.render(&sources).contains("^^^^^ again here"));
    /// ```
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(shorten_quotes(label.into()));
        self
    }

    /// Adds help.
    ///
    /// ```
    /// use charter::diagnostic::{Diagnostic, Kind};
    /// use charter::syntax::{Sources, Span};
    /// let mut sources = Sources::default();
    /// let file = sources.add("p.charter", "role clerk \"Clerk\" {}\nrole clerk \"Clerk\" {}\n");
    /// let second = Span { file, start: 27, end: 32 };
    /// let d = Diagnostic::error(Kind::Duplicate, second, "declared twice").with_help("rename one");
    /// assert!(d.render(&sources).contains("= help: rename one"));
    /// ```
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(shorten_quotes(help.into()));
        self
    }

    /// Adds a related place.
    ///
    /// ```
    /// use charter::diagnostic::{Diagnostic, Kind};
    /// use charter::syntax::{Sources, Span};
    /// let mut sources = Sources::default();
    /// let file = sources.add("p.charter", "role clerk \"Clerk\" {}\nrole clerk \"Clerk\" {}\n");
    /// let second = Span { file, start: 27, end: 32 };
    /// let first = Span { file, start: 5, end: 10 };
    /// let d = Diagnostic::error(Kind::Duplicate, second, "declared twice").with_related(first, "first here");
    /// assert!(d.render(&sources).contains("p.charter:1:6"));
    /// ```
    pub fn with_related(mut self, span: Span, text: impl Into<String>) -> Self {
        self.related.push((span, shorten_quotes(text.into())));
        self
    }

    /// Whether this is an error.
    ///
    /// ```
    /// use charter::diagnostic::{Diagnostic, Kind};
    /// use charter::syntax::{Sources, Span};
    /// let mut sources = Sources::default();
    /// let file = sources.add("p.charter", "role clerk \"Clerk\" {}\nrole clerk \"Clerk\" {}\n");
    /// let second = Span { file, start: 27, end: 32 };
    /// assert!(Diagnostic::error(Kind::Duplicate, second, "declared twice").is_error());
    /// assert!(!Diagnostic::warning(Kind::Duplicate, second, "declared twice").is_error());
    /// ```
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Renders like a compiler: `error[E0006]: message`, `--> path:line:col`, the source line
    /// with the span underlined, the label, related places and help. No colour.
    ///
    /// ```
    /// use charter::diagnostic::{Diagnostic, Kind};
    /// use charter::syntax::{Sources, Span};
    /// let mut sources = Sources::default();
    /// let file = sources.add("p.charter", "role clerk \"Clerk\" {}\nrole clerk \"Clerk\" {}\n");
    /// let second = Span { file, start: 27, end: 32 };
    /// let text = Diagnostic::error(Kind::Duplicate, second, "declared twice").render(&sources);
    /// assert!(text.starts_with("error[E0007]: declared twice"), "{text}");
    /// assert!(text.contains("2 | role clerk \"Clerk\" {}"), "{text}");
    /// ```
    pub fn render(&self, sources: &Sources) -> String {
        let mut out = String::new();
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        };
        let _ = writeln!(out, "{level}[{}]: {}", self.kind.code(), self.message);
        if let Some(span) = self.span {
            excerpt(
                &mut out,
                sources,
                span,
                self.label.as_deref().unwrap_or(""),
                '^',
            );
        }
        for (span, text) in &self.related {
            excerpt(&mut out, sources, *span, text, '-');
        }
        if let Some(help) = &self.help {
            let _ = writeln!(out, "  = help: {help}");
        }
        out
    }

    /// The diagnostic as a JSON value with its file, line and column.
    ///
    /// ```
    /// use charter::diagnostic::{Diagnostic, Kind, Severity};
    /// use charter::syntax::{Sources, Span};
    /// let mut sources = Sources::default();
    /// let file = sources.add("p.charter", "role clerk \"Clerk\" {}\nrole clerk \"Clerk\" {}\n");
    /// let first = Span { file, start: 5, end: 10 };
    /// let second = Span { file, start: 27, end: 32 };
    /// let json = Diagnostic::error(Kind::Duplicate, second, "declared twice").to_json(&sources);
    /// assert_eq!((json["file"].as_str(), json["line"].as_u64(), json["column"].as_u64()), (Some("p.charter"), Some(2), Some(6)));
    /// assert_eq!(json["code"], "E0007");
    /// ```
    pub fn to_json(&self, sources: &Sources) -> serde_json::Value {
        let mut value = serde_json::to_value(self).unwrap_or(serde_json::Value::Null);
        if let (Some(span), Some(map)) = (self.span, value.as_object_mut()) {
            let (line, col) = sources.line_col(span.file, span.start);
            map.insert("code".into(), self.kind.code().into());
            map.insert("file".into(), sources.path(span.file).into());
            map.insert("line".into(), line.into());
            map.insert("column".into(), col.into());
            let (end_line, end_col) = sources.line_col(span.file, span.end);
            map.insert("end_line".into(), end_line.into());
            map.insert("end_column".into(), end_col.into());
        } else if let Some(map) = value.as_object_mut() {
            map.insert("code".into(), self.kind.code().into());
        }
        value
    }
}

/// The most display columns of a source line an excerpt shows; a longer line is shown as a
/// window around the span, cut with `…`.
const EXCERPT_COLUMNS: usize = 240;

/// Columns an excerpt keeps before the span when it cuts a long line.
const EXCERPT_BEFORE: usize = 80;

fn excerpt(out: &mut String, sources: &Sources, span: Span, label: &str, mark: char) {
    let (line, col) = sources.line_col(span.file, span.start);
    let text = sources.line_text(span.file, line).trim_end();
    let gutter = line.to_string().len();
    let pad = " ".repeat(gutter);
    let _ = writeln!(out, "{pad}--> {}:{line}:{col}", sources.path(span.file));
    let _ = writeln!(out, "{pad} |");
    let (end_line, end_col) = sources.line_col(span.file, span.end);
    // The span's characters within this line: [from, to).
    let from = col - 1;
    let to = if end_line == line {
        end_col.saturating_sub(1).max(from)
    } else {
        usize::MAX
    };
    let window = Window::of(text, from);
    let _ = writeln!(out, "{line} | {}", window.text);
    let indent = " ".repeat(window.width_before);
    let width = window.width_of(from, to).max(1);
    let marks: String = std::iter::repeat_n(mark, width).collect();
    let label = if label.is_empty() {
        String::new()
    } else {
        format!(" {label}")
    };
    let _ = writeln!(out, "{pad} | {indent}{marks}{label}");
}

/// The part of a source line an excerpt shows.
struct Window {
    /// The line as shown, with `…` where it is cut.
    text: String,
    /// The characters of the line shown, from `first`.
    chars: Vec<char>,
    /// The index in the line of the first character shown.
    first: usize,
    /// Display columns before the span's first character, as shown.
    width_before: usize,
    /// Whether the line goes on past what is shown.
    cut_after: bool,
}

impl Window {
    /// The window of `text` that shows the character at index `from`.
    fn of(text: &str, from: usize) -> Window {
        let whole = display_width(text);
        if whole <= EXCERPT_COLUMNS {
            let before = text.chars().take(from).collect::<String>();
            return Window {
                text: text.to_string(),
                chars: text.chars().collect(),
                first: 0,
                width_before: display_width(&before),
                cut_after: false,
            };
        }
        let first = from.saturating_sub(EXCERPT_BEFORE);
        let mut shown = String::new();
        let mut chars = Vec::new();
        let mut width = usize::from(first > 0);
        let mut width_before = width;
        let mut rest = text.chars().skip(first).enumerate();
        let mut cut_after = false;
        for (i, c) in rest.by_ref() {
            let w = if is_wide(c) { 2 } else { 1 };
            // Room for the closing `…`.
            if width + w >= EXCERPT_COLUMNS {
                cut_after = true;
                break;
            }
            if first + i < from {
                width_before += w;
            }
            width += w;
            shown.push(c);
            chars.push(c);
        }
        let opening = if first > 0 { "…" } else { "" };
        let closing = if cut_after { "…" } else { "" };
        Window {
            text: format!("{opening}{shown}{closing}"),
            chars,
            first,
            width_before,
            cut_after,
        }
    }

    /// Display columns of the characters [from, to) of the line that are shown (to the end of
    /// what is shown when the span goes on past it).
    fn width_of(&self, from: usize, to: usize) -> usize {
        let start = from.saturating_sub(self.first);
        let end = to.saturating_sub(self.first).min(self.chars.len());
        let mut width: usize = self
            .chars
            .get(start..end.max(start))
            .unwrap_or_default()
            .iter()
            .map(|c| if is_wide(*c) { 2 } else { 1 })
            .sum();
        if self.cut_after && to.saturating_sub(self.first) > self.chars.len() {
            // Under the closing `…` too: the span goes on.
            width += 1;
        }
        width
    }
}

/// The most characters a name or value quoted in backticks keeps in a message (room for the
/// longest declaration a help suggests); a longer one is cut in the middle with `…`.
const QUOTE_CHARS: usize = 240;

/// `text` with every backticked quote longer than [`QUOTE_CHARS`] cut to its first and last
/// characters: a message about a megabyte-long name stays a line.
fn shorten_quotes(text: String) -> String {
    if text.len() <= QUOTE_CHARS {
        return text;
    }
    let mut parts = text.split('`');
    let mut out = String::with_capacity(text.len().min(1024));
    let mut inside = false;
    let mut changed = false;
    if let Some(first) = parts.next() {
        out.push_str(first);
    }
    for part in parts {
        out.push('`');
        inside = !inside;
        let count = if inside { part.chars().count() } else { 0 };
        if inside && count > QUOTE_CHARS {
            let head: String = part.chars().take(QUOTE_CHARS - 40).collect();
            let tail: String = part.chars().skip(count - 20).collect();
            out.push_str(&head);
            out.push('…');
            out.push_str(&tail);
            changed = true;
        } else {
            out.push_str(part);
        }
    }
    if changed { out } else { text }
}

/// Terminal columns of a text: CJK and other wide characters take two.
///
/// ```
/// // A Chinese character takes two columns of a terminal.
/// assert_eq!(charter::diagnostic::display_width("投诉 desk"), 9);
/// ```
pub fn display_width(text: &str) -> usize {
    text.chars().map(|c| if is_wide(c) { 2 } else { 1 }).sum()
}

fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD)
}

/// A path as a URI reference for SARIF (RFC 3986): `/` separates segments, every byte other
/// than a letter, a digit or `-._~` is percent-encoded (a space, `#`, `%`, `?`, Chinese), and an
/// absolute path is a `file://` URI.
///
/// ```
/// assert_eq!(charter::diagnostic::uri_of("pol/po licy#1.charter"), "pol/po%20licy%231.charter");
/// assert_eq!(charter::diagnostic::uri_of("/srv/投诉.charter"), "file:///srv/%E6%8A%95%E8%AF%89.charter");
/// ```
pub fn uri_of(path: &str) -> String {
    let path = path.replace('\\', "/");
    let mut out = String::with_capacity(path.len() + 8);
    if path.starts_with('/') {
        out.push_str("file://");
    }
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

/// The diagnostics as a SARIF 2.1.0 log with one run, for code-review tools. Columns count
/// Unicode code points, as the text output does; the help goes into each result's message.
///
/// ```
/// let loaded = charter::syntax::load_text("p.charter", "policy p \"P\" { version \"1\" }\nroute { otherwise -> clerk }");
/// let checked = charter::check::check(&loaded);
/// let log = charter::diagnostic::sarif(&checked.diagnostics, &loaded.sources);
/// assert_eq!(log["version"], "2.1.0");
/// assert!(!log["runs"][0]["results"].as_array().ok_or("results")?.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn sarif(diagnostics: &[Diagnostic], sources: &Sources) -> serde_json::Value {
    use serde_json::json;
    let mut kinds: Vec<Kind> = Vec::new();
    for d in diagnostics {
        if !kinds.contains(&d.kind) {
            kinds.push(d.kind);
        }
    }
    kinds.sort_by_key(|k| k.code());
    let level = |s: Severity| match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    };
    let location = |span: Span| {
        let (line, col) = sources.line_col(span.file, span.start);
        let (end_line, end_col) = sources.line_col(span.file, span.end);
        json!({
            "physicalLocation": {
                "artifactLocation": { "uri": uri_of(sources.path(span.file)) },
                "region": {
                    "startLine": line, "startColumn": col,
                    "endLine": end_line, "endColumn": end_col.max(1),
                },
            }
        })
    };
    let rules: Vec<serde_json::Value> = kinds
        .iter()
        .map(|k| {
            json!({
                "id": k.code(),
                "name": format!("{k:?}"),
                "shortDescription": { "text": k.title() },
            })
        })
        .collect();
    let results: Vec<serde_json::Value> = diagnostics
        .iter()
        .map(|d| {
            let mut text = d.message.clone();
            if let Some(help) = &d.help {
                text.push_str("\nhelp: ");
                text.push_str(help);
            }
            let mut result = json!({
                "ruleId": d.kind.code(),
                "ruleIndex": kinds.iter().position(|k| *k == d.kind),
                "level": level(d.severity),
                "message": { "text": text },
                "locations": d.span.map(location).into_iter().collect::<Vec<_>>(),
            });
            if !d.related.is_empty() {
                result["relatedLocations"] = d
                    .related
                    .iter()
                    .enumerate()
                    .map(|(i, (span, label))| {
                        let mut l = location(*span);
                        l["id"] = json!(i);
                        l["message"] = json!({ "text": label });
                        l
                    })
                    .collect();
            }
            result
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "charter",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a test fails by panicking")]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The excerpt of a diagnostic at `start..end` of a one-line file `text`: (line, marks).
    fn shown(text: &str, start: usize, end: usize) -> (String, String) {
        let mut sources = Sources::default();
        let file = sources.add("p.charter", text);
        let (start, end) = (u32::try_from(start).unwrap(), u32::try_from(end).unwrap());
        let d = Diagnostic::error(Kind::Duplicate, Span { file, start, end }, "m");
        let rendered = d.render(&sources);
        let lines: Vec<&str> = rendered.lines().collect();
        let line = lines[3].split_once(" | ").unwrap().1.to_string();
        let marks = lines[4].split_once(" | ").unwrap().1.to_string();
        (line, marks)
    }

    #[test]
    fn a_long_line_is_shown_as_a_window_around_the_span() {
        let text = format!("{}name{}", "a".repeat(500), "b".repeat(500));
        let (line, marks) = shown(&text, 500, 504);
        assert_eq!(display_width(&line), EXCERPT_COLUMNS);
        assert!(line.starts_with('…') && line.ends_with('…'), "{line}");
        // The marks stand under `name`.
        let at = marks.find('^').unwrap();
        assert_eq!(marks.trim_start(), "^^^^");
        assert_eq!(line.chars().skip(at).take(4).collect::<String>(), "name");
        // A short line is shown whole.
        assert_eq!(shown("role x", 5, 6), ("role x".into(), "     ^".into()));
    }

    #[test]
    fn a_long_quote_in_a_message_is_cut_in_the_middle() {
        let long = format!("unknown role `{}z`", "x".repeat(1_000_000));
        let short = shorten_quotes(long);
        assert!(short.starts_with("unknown role `xxx"), "{short}");
        assert!(short.ends_with("xxxxxxxz`"), "{short}");
        assert!(short.chars().count() < QUOTE_CHARS, "{short}");
        let fine = "expected `a`, `b` or `c`, found `d`".to_string();
        assert_eq!(shorten_quotes(fine.clone()), fine);
    }

    proptest! {
        /// Whatever the line and the span, an excerpt is at most a screen wide and its marks
        /// stand within the line shown.
        #[test]
        fn excerpts_stay_a_screen_wide(
            text in "[a-z 投诉]{0,400}",
            start in 0usize..500,
            len in 0usize..500,
        ) {
            // Byte offsets of the `start`th character and of `len` characters after it.
            let byte = |n: usize| text.char_indices().nth(n).map_or(text.len(), |(i, _)| i);
            let (line, marks) = shown(&text, byte(start), byte(start + len));
            prop_assert!(display_width(&line) <= EXCERPT_COLUMNS, "{}", line);
            prop_assert!(display_width(&marks) <= display_width(&line).max(display_width(text.trim_end())) + 1);
            prop_assert!(display_width(&marks) <= EXCERPT_COLUMNS + 1, "{}", marks);
        }
    }
}
