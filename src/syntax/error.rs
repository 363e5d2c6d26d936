//! Errors of the syntax stage, turned into [`Diagnostic`]s for display.

use crate::diagnostic::{Diagnostic, Kind};
use crate::syntax::ast::Span;

/// Why a file does not parse.
///
/// ```
/// use charter::syntax::{parse, FileId, SyntaxError};
/// let errors = parse(FileId(0), "role clerk \"Clerk\" { headcount }").unwrap_err();
/// assert!(matches!(errors[0], SyntaxError::Grammar { .. }));
/// // The place is a byte range in the text.
/// assert!(errors[0].span().start > 0);
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SyntaxError {
    /// The grammar does not match.
    #[error("{message}")]
    Grammar {
        /// Where.
        span: Span,
        /// `expected …, found …`
        message: String,
        /// A short note under the span, such as a likely keyword.
        label: Option<String>,
    },
    /// Nesting deeper than [`crate::syntax::MAX_DEPTH`].
    #[error("this is nested more than {} levels deep", crate::syntax::MAX_DEPTH)]
    TooDeep {
        /// Where the limit is passed.
        span: Span,
    },
    /// More errors than are reported for one file.
    #[error("{count} more syntax errors from here")]
    More {
        /// Where the first error not reported is.
        span: Span,
        /// How many were found.
        count: usize,
        /// Whether the search stopped at its limits before the end of the file.
        cut_short: bool,
    },
    /// A literal that matches the grammar but is not valid.
    #[error("{message}")]
    Invalid {
        /// Where.
        span: Span,
        /// What is wrong.
        message: String,
        /// What to do.
        help: String,
    },
}

impl SyntaxError {
    /// Where the error is.
    pub fn span(&self) -> Span {
        match self {
            SyntaxError::Grammar { span, .. }
            | SyntaxError::TooDeep { span }
            | SyntaxError::More { span, .. }
            | SyntaxError::Invalid { span, .. } => *span,
        }
    }

    /// Moves the error `by` bytes later (for an error found in a part of a text).
    pub(super) fn shift(&mut self, by: u32) {
        let (SyntaxError::Grammar { span, .. }
        | SyntaxError::TooDeep { span }
        | SyntaxError::More { span, .. }
        | SyntaxError::Invalid { span, .. }) = self;
        span.start += by;
        span.end += by;
    }
}

impl From<SyntaxError> for Diagnostic {
    fn from(error: SyntaxError) -> Diagnostic {
        match error {
            SyntaxError::Grammar {
                span,
                message,
                label,
            } => {
                let d = Diagnostic::error(Kind::Syntax, span, message)
                    .with_help("see docs/language.md for the form of each declaration");
                match label {
                    Some(label) => d.with_label(label),
                    None => d,
                }
            }
            SyntaxError::Invalid {
                span,
                message,
                help,
            } => Diagnostic::error(Kind::InvalidLiteral, span, message).with_help(help),
            SyntaxError::More {
                span,
                count,
                cut_short,
            } => {
                let message = match (count, cut_short) {
                    (0, _) => "charter stopped looking for syntax errors here".to_string(),
                    (1, false) => "1 more syntax error from here".to_string(),
                    (n, false) => format!("{n} more syntax errors from here"),
                    (n, true) => format!("at least {n} more syntax errors from here"),
                };
                // A note, not one more error: the summary counts the errors it reported.
                Diagnostic::info(Kind::Syntax, span, message)
                    .with_label(if count == 0 {
                        "not looked at from here"
                    } else {
                        "not reported one by one"
                    })
                    .with_help(format!(
                        "charter reports the first {} syntax errors of a file, and stops looking after {} MiB of parsing; fix those and check again",
                        crate::syntax::MAX_REPORTED,
                        crate::syntax::MAX_WORK >> 20
                    ))
            }
            SyntaxError::TooDeep { span } => Diagnostic::error(
                Kind::Syntax,
                span,
                format!("this is nested more than {} levels deep", crate::syntax::MAX_DEPTH),
            )
                .with_label("too deep here")
                .with_help(format!("charter accepts at most {} levels of parentheses, brackets, braces and `not`s in a row; split the condition into simpler rules", crate::syntax::MAX_DEPTH)),
        }
    }
}
