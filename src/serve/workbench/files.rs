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
    crate::decide::InputDigest(Sha256::digest(bytes).into()).to_string()
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
/// text goes to `NAME.bak` beside it, and each is written to a temporary file in the same
/// folder, flushed to disk and renamed over its name (a link there is replaced, never written
/// through), so that a reader sees the old text or the new one, never a part. A file that is
/// not UTF-8 text is not rewritten. Returns the new digest.
pub fn save(file: &Editable, text: &str, base: &str) -> Result<String, Refused> {
    let io = |what: &str, e: std::io::Error| Refused::Io(format!("{}: {what}: {e}", file.name));
    let before = std::fs::read(&file.path).map_err(|e| io("cannot read", e))?;
    let on_disk = digest(&before);
    if on_disk != base {
        return Err(Refused::Changed { digest: on_disk });
    }
    if std::str::from_utf8(&before).is_err() {
        return Err(Refused::Io(format!(
            "{}: is not UTF-8 text, so the workbench does not rewrite it (charter reads policies as UTF-8); convert it first",
            file.name
        )));
    }
    let mut backup = file.path.as_os_str().to_owned();
    backup.push(".bak");
    replace(Path::new(&backup), &before).map_err(|e| io("cannot write the backup", e))?;
    replace(&file.path, text.as_bytes()).map_err(|e| io("cannot write", e))?;
    Ok(digest(text.as_bytes()))
}

/// Puts `bytes` at `path` by a temporary file of a name of its own in the same folder,
/// flushed, renamed over `path` (keeping the permissions of what was there), and the folder
/// flushed.
fn replace(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let folder = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let temporary = folder.join(format!(
        ".{name}.{}.{nanos}.{}.saving",
        std::process::id(),
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    let written = (|| {
        let mut out = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temporary)?;
        std::io::Write::write_all(&mut out, bytes)?;
        if let Ok(meta) = std::fs::symlink_metadata(path)
            && meta.is_file()
        {
            out.set_permissions(meta.permissions())?;
        }
        out.sync_all()?;
        std::fs::rename(&temporary, path)?;
        // The rename itself is on disk once the folder is.
        #[cfg(unix)]
        std::fs::File::open(folder)?.sync_all()?;
        Ok(())
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    written
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
        // A backup name that is a link is replaced, not written through.
        #[cfg(unix)]
        {
            let outside = dir.path().join("notes.txt");
            std::fs::remove_file(dir.path().join("policy.charter.bak")).unwrap();
            std::os::unix::fs::symlink(&outside, dir.path().join("policy.charter.bak")).unwrap();
            let base = digest(b"new");
            save(file, "newer", &base).unwrap();
            assert_eq!(std::fs::read_to_string(&outside).unwrap(), "not a policy");
            assert_eq!(
                std::fs::read_to_string(dir.path().join("policy.charter.bak")).unwrap(),
                "new"
            );
            let _ = saved;
        }
        // A file that is not UTF-8 is not rewritten.
        std::fs::write(&file.path, b"\xb2\xdf\xca\xd4").unwrap();
        let refused = save(file, "x", &digest(b"\xb2\xdf\xca\xd4"));
        assert!(
            matches!(refused, Err(Refused::Io(ref m)) if m.contains("UTF-8")),
            "{refused:?}"
        );
        // No temporary file is left behind.
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(left.len(), 4, "{left:?}");
    }
}
