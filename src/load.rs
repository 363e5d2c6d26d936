//! From a policy on disk to an engine that decides cases: read it (syntax), compile it (check),
//! then build the [`Engine`]. The front ends (the CLI, the service, a program embedding
//! charter) start here; deciding itself never reads files.
//!
//! ```no_run
//! let (engine, _loaded) = charter::load::engine("policies/complaint-office".as_ref())
//!     .map_err(|(e, _)| e.to_string())?;
//! println!("{} version(s)", engine.versions().len());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::path::{Path, PathBuf};

use crate::decide::{Engine, EngineError};
use crate::diagnostic::{Diagnostic, Kind};
use crate::syntax::{Loaded, Sources};

/// Loads and checks the policy at `path` (a file or a folder) and builds its engine. The
/// [`Loaded`] sources come back either way, so that diagnostics can be shown with their text.
///
/// ```
/// let (engine, loaded) = charter::load::engine("policies/complaint-office".as_ref())
///     .map_err(|(error, _)| error.to_string())?;
/// assert_eq!(engine.versions().len(), 1);
/// // The policy's own file and the calendar it imports.
/// assert!(loaded.files.len() >= 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[allow(
    clippy::result_large_err,
    reason = "the error carries what was loaded, for its diagnostics; it is returned once per load"
)]
pub fn engine(path: &Path) -> Result<(Engine, Loaded), (EngineError, Loaded)> {
    engine_within(path, &[crate::syntax::import_root(path)])
}

/// [`engine`], with imports confined to `roots` instead of the folder that holds the
/// policy's folder; rule citations are relative to the first root.
///
/// ```
/// use std::path::PathBuf;
/// let roots = [PathBuf::from("policies")];
/// let (engine, _) = charter::load::engine_within("policies/led-maker".as_ref(), &roots)
///     .map_err(|(error, _)| error.to_string())?;
/// assert!(!engine.versions().is_empty());
/// // A policy that imports from outside its roots does not compile.
/// let outside = charter::load::engine_within("policies/led-maker".as_ref(), &[PathBuf::from("policies/led-maker")]);
/// assert!(outside.is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[allow(
    clippy::result_large_err,
    reason = "the error carries what was loaded, for its diagnostics; it is returned once per load"
)]
pub fn engine_within(
    path: &Path,
    roots: &[PathBuf],
) -> Result<(Engine, Loaded), (EngineError, Loaded)> {
    let loaded = crate::syntax::load_within(path, roots);
    let checked = crate::check::check(&loaded);
    match Engine::new(checked) {
        Ok(engine) => Ok((engine, loaded)),
        Err(e) => Err((e, loaded)),
    }
}

/// A policy that does not compile: its diagnostics, which [`fmt::Display`] writes as the
/// compiler does, each error with its file, line, column and source line.
///
/// ```
/// use charter::decide::Engine;
/// let errors = Engine::from_text("policy p \"P\" { version \"1\" }\nroute { otherwise -> nobody }")
///     .unwrap_err();
/// let printed = errors.to_string();
/// assert!(printed.starts_with("error"), "{printed}");
/// assert!(printed.contains("nobody"), "{printed}");
/// ```
#[derive(Debug, Clone)]
pub struct PolicyErrors {
    diagnostics: Vec<Diagnostic>,
    sources: Sources,
}

impl PolicyErrors {
    /// Every diagnostic of the policy: the errors, and the warnings met on the way.
    ///
    /// ```
    /// use charter::decide::Engine;
    /// let errors = Engine::from_text("policy p \"P\" { version \"1\" }\nroute { otherwise -> nobody }")
    ///     .unwrap_err();
    /// let first = errors.diagnostics().iter().find(|d| d.is_error()).unwrap();
    /// // Each names the place it is about: file, line and column.
    /// assert!(first.span.is_some(), "{}", first.message);
    /// ```
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }
}

impl fmt::Display for PolicyErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let errors: Vec<String> = (self.diagnostics.iter())
            .filter(|d| d.is_error())
            .map(|d| d.render(&self.sources))
            .collect();
        f.write_str(errors.join("\n").trim_end())
    }
}

impl std::error::Error for PolicyErrors {}

impl Engine {
    /// Compiles a policy held in memory: `files` are (path, text) pairs, every one of them
    /// part of the policy, and an `import` names another of them by its path relative to the
    /// importing file. Nothing is read from disk. A policy with errors gives them as a value
    /// that prints like `charter check`.
    ///
    /// ```
    /// use charter::decide::Engine;
    /// let engine = Engine::from_sources(&[
    ///     (
    ///         "office/policy.charter",
    ///         include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/complaint-office/policy.charter")),
    ///     ),
    ///     (
    ///         "calendars/cn-2026.charter",
    ///         include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/calendars/cn-2026.charter")),
    ///     ),
    /// ])?;
    /// assert_eq!(engine.versions()[0].policy.name, "complaint_office");
    /// # Ok::<(), charter::load::PolicyErrors>(())
    /// ```
    pub fn from_sources(files: &[(&str, &str)]) -> Result<Engine, PolicyErrors> {
        let loaded = crate::syntax::load_sources(files);
        let checked = crate::check::check(&loaded);
        Engine::new(checked).map_err(|e| {
            let diagnostics = match e {
                EngineError::Invalid(diagnostics) => diagnostics,
                e @ EngineError::NoVersion => {
                    vec![Diagnostic::general(Kind::Missing, e.to_string())]
                }
            };
            PolicyErrors {
                diagnostics,
                sources: loaded.sources,
            }
        })
    }

    /// [`Engine::from_sources`] for a policy of one file with no imports, named
    /// `policy.charter` in diagnostics.
    ///
    /// ```
    /// use charter::decide::Engine;
    /// let error = Engine::from_text("policy p \"P\" { version \"1\" }\nroute { otherwise -> nobody }").unwrap_err();
    /// assert!(error.to_string().contains("policy.charter:2:"), "{error}");
    /// ```
    pub fn from_text(text: &str) -> Result<Engine, PolicyErrors> {
        Engine::from_sources(&[("policy.charter", text)])
    }
}
