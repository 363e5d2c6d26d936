//! The policy being served and its hot reload: the policy's files are polled; a change that
//! compiles is swapped in atomically (requests in flight keep the engine they started with), a
//! change that does not is logged with its diagnostics and the last good policy keeps serving.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use crate::decide::{Engine, EngineError};
use crate::syntax::Loaded;

/// A compiled policy and what it was compiled from.
pub struct Live {
    /// The engine.
    pub engine: Engine,
    /// The content fingerprint of the files it was compiled from.
    pub stamp: Stamp,
    /// 1 for the policy loaded at start, +1 for each successful reload.
    pub generation: u64,
}

/// What the files of a policy hold: every `.charter` file under the policy path and every file
/// it imports, with a hash of its bytes (`None` when unreadable).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp(Vec<(PathBuf, Option<u64>)>);

impl Stamp {
    /// Reads the files now.
    pub fn take(policy: &Path, imported: &[PathBuf]) -> Stamp {
        let mut paths: Vec<PathBuf> = imported.to_vec();
        collect_charter_files(policy, &mut paths);
        paths.sort();
        paths.dedup();
        Stamp(
            paths
                .into_iter()
                .map(|p| {
                    let hash = crate::syntax::read_bounded(&p).ok().map(|bytes| {
                        let mut h = DefaultHasher::new();
                        bytes.hash(&mut h);
                        h.finish()
                    });
                    (p, hash)
                })
                .collect(),
        )
    }

    /// The files, for the next look.
    pub fn paths(&self) -> Vec<PathBuf> {
        self.0.iter().map(|(p, _)| p.clone()).collect()
    }
}

/// The policy path itself when it is a file, else every `.charter` file under it, as the
/// loader finds them (a folder it cannot read is the compile's to report).
fn collect_charter_files(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_dir() {
        crate::syntax::charter_files(path, out, &mut Vec::new());
    } else {
        out.push(path.to_path_buf());
    }
}

/// The files a load read, as paths.
fn source_paths(loaded: &Loaded) -> Vec<PathBuf> {
    loaded
        .sources
        .ids()
        .map(|id| PathBuf::from(loaded.sources.path(id)))
        .collect()
}

/// Compiles the policy at `path`; on failure, the rendered diagnostics.
pub fn compile(path: &Path, generation: u64) -> Result<Live, (String, Stamp)> {
    compile_within(path, &[], generation)
}

/// [`compile`], with imports confined to `roots` (none: the folder that holds the policy's
/// folder).
pub fn compile_within(
    path: &Path,
    roots: &[std::path::PathBuf],
    generation: u64,
) -> Result<Live, (String, Stamp)> {
    let loaded = if roots.is_empty() {
        crate::load::engine(path)
    } else {
        crate::load::engine_within(path, roots)
    };
    match loaded {
        Ok((engine, loaded)) => Ok(Live {
            engine,
            stamp: Stamp::take(path, &source_paths(&loaded)),
            generation,
        }),
        Err((error, loaded)) => {
            let mut text = String::new();
            if let EngineError::Invalid(diagnostics) = &error {
                for d in diagnostics.iter().filter(|d| d.is_error()) {
                    text.push_str(&d.render(&loaded.sources));
                }
            }
            text.push_str(&format!("error: {error}"));
            Err((text, Stamp::take(path, &source_paths(&loaded))))
        }
    }
}

/// The policy being served, swappable.
pub struct Current {
    live: RwLock<Arc<Live>>,
}

impl Current {
    /// Serves `live`.
    pub fn new(live: Live) -> Current {
        Current {
            live: RwLock::new(Arc::new(live)),
        }
    }

    /// The policy now; a request keeps it for as long as it runs.
    pub fn get(&self) -> Arc<Live> {
        match self.live.read() {
            Ok(guard) => Arc::clone(&guard),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// Replaces the policy.
    pub fn set(&self, live: Live) {
        let live = Arc::new(live);
        match self.live.write() {
            Ok(mut guard) => *guard = live,
            Err(poisoned) => *poisoned.into_inner() = live,
        }
    }
}

/// What a look at the files found.
pub enum Reload {
    /// Nothing changed.
    Unchanged,
    /// A new version compiled and is now served.
    Swapped {
        /// Its generation.
        generation: u64,
    },
    /// The files changed but do not compile; the last good policy stays.
    Failed {
        /// The diagnostics.
        diagnostics: String,
    },
}

/// Looks at the policy's files once, and reloads when they changed since `last` (which is
/// updated, so a broken change is reported once, not at every look).
pub fn check_for_change(
    policy: &Path,
    roots: &[std::path::PathBuf],
    current: &Current,
    last: &mut Stamp,
) -> Reload {
    let now = Stamp::take(policy, &last.paths());
    if now == *last {
        return Reload::Unchanged;
    }
    let generation = current.get().generation + 1;
    match compile_within(policy, roots, generation) {
        Ok(live) => {
            *last = live.stamp.clone();
            current.set(live);
            Reload::Swapped { generation }
        }
        Err((diagnostics, stamp)) => {
            *last = stamp;
            Reload::Failed { diagnostics }
        }
    }
}
