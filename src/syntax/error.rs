//! Errors of the syntax stage, turned into [`Diagnostic`]s for display.

use crate::diagnostic::{Diagnostic, Kind};
use crate::syntax::ast::Span;

/// Why a file does not parse.
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
