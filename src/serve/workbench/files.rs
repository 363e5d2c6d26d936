//! The files a workbench may edit: the `.charter` files of the policy it was started with,
//! found on disk at start and named by their path within the policy's folder. Nothing the
//! browser sends is taken as a path: it names one of these, or it is refused.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// One file the workbench may edit.
#[derive(Debug, Clone)]
pub struct Editable {
    /// Its path within the policy's folder, with `/` (`policy.charter`, `v2/policy.charter`).
    pub name: String,
    /// Its canonical path on disk.
    pub path: PathBuf,
}

/// The policy's files: every `.charter` file under a policy folder, or the one file given.
pub fn editable(policy: &Path) -> Result<Vec<Editable>, String> {
    let canonical = policy
        .canonicalize()
        .map_err(|e| format!("{}: {e}", policy.display()))?;
    let mut found = Vec::new();
    if canonical.is_dir() {
        collect(&canonical, &canonical, &mut found, 0)?;
    } else {
        let name = (canonical.file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        found.push(Editable {
            name,
            path: canonical,
        });
    }
    found.sort_by(|a, b| a.name.cmp(&b.name));
    if found.is_empty() {
        return Err(format!("{}: no .charter files to edit", policy.display()));
    }
    Ok(found)
}

fn collect(
    root: &Path,
    folder: &Path,
    found: &mut Vec<Editable>,
    depth: usize,
) -> Result<(), String> {
    if depth > 8 {
        return Ok(());
    }
    let entries = std::fs::read_dir(folder).map_err(|e| format!("{}: {e}", folder.display()))?;
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        // Links are not followed: the workbench writes only inside the policy's folder.
        if kind.is_dir() {
            collect(root, &path, found, depth + 1)?;
        } else if kind.is_file() && path.extension().is_some_and(|e| e == "charter") {
            let Ok(relative) = path.strip_prefix(root) else {
                continue;
            };
            let name = (relative.components())
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            found.push(Editable { name, path });
        }
    }
    Ok(())
}

/// The digest a save must name: SHA-256 of the bytes, lowercase hex.
pub fn digest(bytes: &[u8]) -> String {
    let hash = Sha256::digest(bytes);
    hash.iter().map(|b| format!("{b:02x}")).collect()
}

/// Why a save was refused.
#[derive(Debug)]
pub enum Refused {
    /// The file changed on disk since the browser read it: what it holds now.
    Changed {
        /// The digest of the text on disk.
        digest: String,
    },
    /// It could not be read or written.
    Io(String),
}

/// Writes `text` to `file` if the file still holds the text of digest `base`: the previous
/// text goes to `NAME.bak` beside it, and the new text is written to a temporary file in the
/// same folder, flushed to disk and renamed over the file, so that a reader sees the old text
/// or the new one, never a part. Returns the new digest.
pub fn save(file: &Editable, text: &str, base: &str) -> Result<String, Refused> {
    let io = |what: &str, e: std::io::Error| Refused::Io(format!("{}: {what}: {e}", file.name));
    let before = std::fs::read(&file.path).map_err(|e| io("cannot read", e))?;
    let on_disk = digest(&before);
    if on_disk != base {
        return Err(Refused::Changed { digest: on_disk });
    }
    let folder = file.path.parent().unwrap_or(Path::new("."));
    let mut backup = file.path.as_os_str().to_owned();
    backup.push(".bak");
    std::fs::write(&backup, &before).map_err(|e| io("cannot write the backup", e))?;
    let name = file
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temporary = folder.join(format!(".{name}.{}.saving", std::process::id()));
    let written = (|| {
        let mut out = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temporary)?;
        std::io::Write::write_all(&mut out, text.as_bytes())?;
        // Keep the file's permissions.
        if let Ok(meta) = std::fs::metadata(&file.path) {
            out.set_permissions(meta.permissions())?;
        }
        out.sync_all()?;
        std::fs::rename(&temporary, &file.path)
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temporary);
        return Err(io("cannot write", e));
    }
    Ok(digest(text.as_bytes()))
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "a test fails by panicking"
)]
mod tests {
    use super::*;

    #[test]
    fn a_save_over_a_changed_file_is_refused_and_a_good_one_keeps_a_backup() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("v2")).unwrap();
        std::fs::write(dir.path().join("policy.charter"), "old").unwrap();
        std::fs::write(dir.path().join("v2/next.charter"), "next").unwrap();
        std::fs::write(dir.path().join("notes.txt"), "not a policy").unwrap();
        let files = editable(dir.path()).unwrap();
        let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["policy.charter", "v2/next.charter"]);
        let file = &files[0];
        let base = digest(b"old");
        match save(file, "new", &digest(b"something else")) {
            Err(Refused::Changed { digest: now }) => assert_eq!(now, base),
            other => panic!("{other:?}"),
        }
        assert_eq!(std::fs::read_to_string(&file.path).unwrap(), "old");
        let saved = save(file, "new", &base).unwrap();
        assert_eq!(saved, digest(b"new"));
        assert_eq!(std::fs::read_to_string(&file.path).unwrap(), "new");
        let backup = dir.path().join("policy.charter.bak");
        assert_eq!(std::fs::read_to_string(backup).unwrap(), "old");
        // No temporary file is left behind.
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(left.len(), 4, "{left:?}");
    }
}
