//! Writing files the user named: never through a link, never over a file unless asked, and
//! atomically (a temporary file beside the target, then a rename), so that an interrupted
//! write leaves the old file whole.

use std::io::Write;
use std::path::Path;

use crate::cli::Failure;

/// What may already be at the path written to.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Replace {
    /// Nothing: an existing file is refused (`-o` without `--force`).
    Nothing,
    /// A regular file (`-o --force`, or `fmt` rewriting the file it read).
    File,
}

/// Writes `bytes` to `path`, which must not be a link (nor, with [`Replace::Nothing`], an
/// existing file).
pub(crate) fn write_file(path: &Path, bytes: &[u8], replace: Replace) -> Result<(), Failure> {
    let shown = path.display();
    let existing = match std::fs::symlink_metadata(path) {
        Ok(meta) => Some(meta),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(Failure::Usage(format!("{shown}: cannot write: {e}"))),
    };
    if let Some(meta) = &existing {
        if meta.file_type().is_symlink() {
            return Err(Failure::Usage(format!(
                "{shown} is a link; charter does not write through links: remove it or give another path"
            )));
        }
        if !meta.is_file() {
            return Err(Failure::Usage(format!("{shown} exists and is not a file")));
        }
        if replace == Replace::Nothing {
            return Err(Failure::Usage(format!(
                "{shown} exists; pass --force to replace it"
            )));
        }
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let temporary = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let written = (|| {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temporary)?;
        file.write_all(bytes)?;
        if let Some(meta) = &existing {
            file.set_permissions(meta.permissions())?;
        }
        file.sync_all()?;
        std::fs::rename(&temporary, path)
    })();
    written.map_err(|e| {
        let _ = std::fs::remove_file(&temporary);
        Failure::Usage(format!("{shown}: cannot write: {e}"))
    })
}

/// A report to the `-o` path (replacing a file there only with `--force`), or else to standard
/// output.
pub(crate) fn write_or_print(
    output: Option<&Path>,
    force: bool,
    text: &str,
) -> Result<(), Failure> {
    match output {
        Some(path) => write_file(path, text.as_bytes(), Replace::forced(force)),
        None => {
            crate::cli::print_line(text.trim_end());
            Ok(())
        }
    }
}

impl Replace {
    /// What `--force` lets `-o` replace.
    pub(crate) fn forced(force: bool) -> Replace {
        if force {
            Replace::File
        } else {
            Replace::Nothing
        }
    }
}

/// Whether `path` is a link (to anything, or to nothing).
pub(crate) fn is_link(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}
