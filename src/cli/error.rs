//! How a command ends when it does not succeed. Every verb returns a [`Failure`]; `main` prints
//! it once, as text or (with `--error-format json`) as one JSON object on standard error, and
//! maps it to the exit code:
//!
//! | exit | meaning |
//! | --- | --- |
//! | 0 | success |
//! | 1 | the policy or a case has errors, or a gate fails (tests, `lint --deny`, `fmt --check`, a batch with error records) |
//! | 2 | usage: a wrong option, a path that does not exist, a file that cannot be read or written |

use clap::ValueEnum;

use crate::diagnostic::Diagnostic;
use crate::source::Sources;

/// Why a command failed.
pub(crate) enum Failure {
    /// Exit 2: the command line is wrong, or a file cannot be found, read or written.
    Usage(String),
    /// Exit 1: the policy has errors: its error diagnostics, with the texts they point into.
    Policy {
        /// The policy's diagnostics (only the errors are shown).
        diagnostics: Vec<Diagnostic>,
        /// The texts the diagnostics point into.
        sources: Sources,
        /// One line: what failed and what to do.
        message: String,
    },
    /// Exit 1: an input other than the policy has an error (a case, a template, a settings
    /// file), with its stable code when it has one (`C0001`…).
    Input {
        /// The case error code, if any.
        code: Option<&'static str>,
        /// What is wrong and what to do, naming the file or record.
        message: String,
    },
    /// Exit 1: what the verb was asked to verify does not hold. The verb has written its
    /// report; this is the one-line verdict.
    Gate(String),
}

/// `--error-format`: how a failure is printed on standard error.
#[derive(Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub(crate) enum ErrorFormat {
    /// Like a compiler: `error: …`, diagnostics with their source lines.
    #[default]
    Human,
    /// One JSON object: `{"exit", "kind", "message"}`, with `code` or `diagnostics` when
    /// there are any.
    Json,
}

impl Failure {
    /// The failure of a policy with errors, from its diagnostics.
    pub(crate) fn policy(
        path: &std::path::Path,
        diagnostics: Vec<Diagnostic>,
        sources: &Sources,
    ) -> Failure {
        let errors = diagnostics.iter().filter(|d| d.is_error()).count();
        Failure::Policy {
            diagnostics,
            sources: sources.clone(),
            message: format!(
                "`{}` has {errors} error{}; fix {} (`charter check` lists them)",
                path.display(),
                if errors == 1 { "" } else { "s" },
                if errors == 1 { "it" } else { "them" }
            ),
        }
    }

    /// The process exit code.
    pub(crate) fn exit_code(&self) -> u8 {
        match self {
            Failure::Usage(_) => 2,
            Failure::Policy { .. } | Failure::Input { .. } | Failure::Gate(_) => 1,
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Failure::Usage(_) => "usage",
            Failure::Policy { .. } => "policy",
            Failure::Input { .. } => "input",
            Failure::Gate(_) => "failed",
        }
    }

    fn message(&self) -> &str {
        match self {
            Failure::Usage(m)
            | Failure::Gate(m)
            | Failure::Policy { message: m, .. }
            | Failure::Input { message: m, .. } => m,
        }
    }

    /// The failure as printed on standard error.
    pub(crate) fn render(&self, format: ErrorFormat) -> String {
        match format {
            ErrorFormat::Human => {
                let mut out = String::new();
                if let Failure::Policy {
                    diagnostics,
                    sources,
                    ..
                } = self
                {
                    for d in diagnostics.iter().filter(|d| d.is_error()) {
                        out.push_str(&d.render(sources));
                        out.push('\n');
                    }
                }
                match self {
                    Failure::Input {
                        code: Some(code), ..
                    } => out.push_str(&format!("error[{code}]: {}", self.message())),
                    _ => out.push_str(&format!("error: {}", self.message())),
                }
                out
            }
            ErrorFormat::Json => {
                let mut value = serde_json::json!({
                    "exit": self.exit_code(),
                    "kind": self.kind(),
                    "message": self.message(),
                });
                match self {
                    Failure::Input {
                        code: Some(code), ..
                    } => value["code"] = (*code).into(),
                    Failure::Policy {
                        diagnostics,
                        sources,
                        ..
                    } => {
                        value["diagnostics"] = diagnostics
                            .iter()
                            .filter(|d| d.is_error())
                            .map(|d| d.to_json(sources))
                            .collect();
                    }
                    _ => {}
                }
                value.to_string()
            }
        }
    }
}
