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

use std::path::{Path, PathBuf};

use crate::decide::{Engine, EngineError};
use crate::syntax::Loaded;

/// Loads and checks the policy at `path` (a file or a folder) and builds its engine. The
/// [`Loaded`] sources come back either way, so that diagnostics can be shown with their text.
pub fn engine(path: &Path) -> Result<(Engine, Loaded), (EngineError, Loaded)> {
    engine_within(path, &[crate::syntax::import_root(path)])
}

/// [`engine`], with imports confined to `roots` instead of the folder that holds the
/// policy's folder; rule citations are relative to the first root.
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
