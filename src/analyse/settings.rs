//! Lint settings of a policy, from the `lint.toml` in its folder (or beside the policy file):
//! more vague phrases or none of the built-in ones (see `wording`), and a level per lint code.
//!
//! ```toml
//! builtin_vague_wording = true
//!
//! [vague_wording]
//! "做好相关工作" = "name the work and its result"
//!
//! [levels]
//! L0012 = "allow"   # this policy needs no callbacks
//! L0007 = "deny"
//! ```

use std::collections::BTreeMap;
use std::ops::Range;

use serde::{Deserialize, Deserializer};

use crate::diagnostic::{Diagnostic, Kind, Severity};

/// Lint settings read from `lint.toml` beside a policy.
///
/// ```
/// use charter::analyse::{Level, Settings};
/// use charter::diagnostic::Kind;
/// let settings = Settings::from_toml("builtin_vague_wording = false\n[levels]\nL0004 = \"allow\"")?;
/// assert!(!settings.builtin_vague_wording);
/// let allowed = Kind::ALL.iter().find(|k| k.code() == "L0004").ok_or("L0004")?;
/// assert_eq!(settings.level(*allowed), Some(Level::Allow));
/// // A code that is not a lint code is refused.
/// assert!(Settings::from_toml("[levels]\nE0001 = \"allow\"").is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Whether the built-in list of vague phrases applies (default true).
    #[serde(default = "yes")]
    pub builtin_vague_wording: bool,
    /// More vague phrases, each with the suggestion to show.
    #[serde(default)]
    pub vague_wording: BTreeMap<String, String>,
    /// The level of findings of a lint code, instead of the code's own severity.
    #[serde(default)]
    pub levels: BTreeMap<LintCode, Level>,
}

fn yes() -> bool {
    true
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            builtin_vague_wording: true,
            vague_wording: BTreeMap::new(),
            levels: BTreeMap::new(),
        }
    }
}

/// What becomes of the findings of one lint code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Not reported.
    Allow,
    /// Reported as a warning (an info is raised to one).
    Warn,
    /// Reported as an error: the run fails.
    Deny,
}

/// A lint code (`L0001` …), the key of `[levels]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LintCode(pub Kind);

impl PartialOrd for LintCode {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for LintCode {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.code().cmp(other.0.code())
    }
}

/// The lint kinds, in code order.
fn lint_kinds() -> impl Iterator<Item = Kind> {
    Kind::ALL.into_iter().filter(|k| k.code().starts_with('L'))
}

impl<'de> Deserialize<'de> for LintCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        if let Some(kind) = lint_kinds().find(|k| k.code() == text) {
            return Ok(LintCode(kind));
        }
        let first = lint_kinds().next().map_or("", Kind::code);
        let last = lint_kinds().last().map_or("", Kind::code);
        Err(serde::de::Error::custom(format!(
            "unknown lint code `{text}`; the codes are {first} to {last}"
        )))
    }
}

/// A `lint.toml` that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsError {
    /// What is wrong.
    pub message: String,
    /// Where in the text (bytes), when known.
    pub span: Option<Range<usize>>,
    /// What the file may hold.
    pub help: &'static str,
}

impl std::fmt::Display for SettingsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}; {}", self.message, self.help)
    }
}

impl std::error::Error for SettingsError {}

impl Settings {
    /// Reads the text of a `lint.toml`.
    pub fn from_toml(text: &str) -> Result<Settings, SettingsError> {
        toml::from_str(text).map_err(|e| {
            let (at, message) = crate::source::toml_error(text, &e);
            SettingsError {
                message,
                span: e.span().or(at.map(|at| at..at)),
                help: "a lint.toml holds `builtin_vague_wording = true|false`, a `[vague_wording]` table of \"phrase\" = \"suggestion\" and a `[levels]` table of lint codes, each \"allow\", \"warn\" or \"deny\" (e.g. `L0012 = \"allow\"`); see docs/lint.md",
            }
        })
    }

    /// The level set for `kind`, if any.
    pub fn level(&self, kind: Kind) -> Option<Level> {
        self.levels.get(&LintCode(kind)).copied()
    }

    /// Drops the findings of allowed codes and gives the others the level set for their code.
    pub(crate) fn apply_levels(&self, findings: &mut Vec<Diagnostic>) {
        if self.levels.is_empty() {
            return;
        }
        findings.retain_mut(|d| match self.level(d.kind) {
            None => true,
            Some(Level::Allow) => false,
            Some(Level::Warn) => {
                d.severity = Severity::Warning;
                true
            }
            Some(Level::Deny) => {
                d.severity = Severity::Error;
                true
            }
        });
    }
}
