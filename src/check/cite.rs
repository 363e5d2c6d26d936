//! What a compiled version carries so that a decision can name what it was made under: the
//! digest of its source files and, for every route rule, its file, line and text.

use sha2::{Digest, Sha256};

use crate::check::{Policy, RuleRef};
use crate::source::{FileId, Span};
use crate::syntax::Loaded;

/// Fills in `policy`'s digest (its own file, then `shared`, each text prefixed by its length)
/// and the citation of each of its rules.
pub(crate) fn cite(loaded: &Loaded, shared: &[FileId], policy: &mut Policy) {
    let mut hasher = Sha256::new();
    for id in std::iter::once(policy.span.file).chain(shared.iter().copied()) {
        let text = loaded.sources.text(id);
        hasher.update((text.len() as u64).to_le_bytes());
        hasher.update(text.as_bytes());
    }
    policy.digest = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let cited = |span: Span| {
        let (line, _) = loaded.sources.line_col(span.file, span.start);
        RuleRef {
            file: loaded.cited_path(span.file),
            line,
            text: loaded
                .sources
                .slice(span)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
        }
    };
    for rule in policy.routes.iter_mut().chain(&mut policy.calendar_rules) {
        rule.cited = cited(rule.span);
    }
    for fallback in policy
        .otherwise
        .iter_mut()
        .chain(&mut policy.calendar_otherwise)
    {
        fallback.cited = cited(fallback.span);
    }
}
