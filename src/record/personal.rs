//! Personal data in the decision log: the values of the fields a policy marks `personal`
//! (names, contacts) are kept as keyed hashes, HMAC-SHA-256 under a key only the operator
//! holds, so the log can still tell two cases of the same person apart without holding who
//! it was. The decision itself never holds a field's value.

use std::path::Path;

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::decide::{Case, InputDigest};

/// A secret key for the keyed hashes: 32 random bytes.
#[derive(Clone)]
pub struct LogKey([u8; 32]);

impl std::fmt::Debug for LogKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LogKey(…)")
    }
}

impl LogKey {
    /// The key in `path` (64 hex digits), made and written there (readable by its owner only)
    /// if the file does not exist.
    ///
    /// ```
    /// let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("log.key");
    /// let key = charter::record::LogKey::load_or_create(&path)?;
    /// let again = charter::record::LogKey::load_or_create(&path)?;
    /// assert_eq!(key.hash(&"张三".into()), again.hash(&"张三".into()));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn load_or_create(path: &Path) -> Result<LogKey, String> {
        let shown = path.display();
        // A key is 64 hex digits; a file much larger is not one.
        match crate::source::read_regular_text(path, 4096) {
            Ok(text) => match text.trim().parse::<InputDigest>() {
                Ok(key) => Ok(LogKey(key.0)),
                Err(_) => Err(format!(
                    "{shown}: not a decision log key (64 hex digits); restore the key the log was written with, or give another file"
                )),
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut key = [0u8; 32];
                getrandom::fill(&mut key)
                    .map_err(|e| format!("{shown}: the system's random source failed: {e}"))?;
                write_private(path, &format!("{}\n", InputDigest(key)))
                    .map_err(|e| format!("{shown}: cannot write the new key: {e}"))?;
                Ok(LogKey(key))
            }
            Err(e) => Err(format!("{shown}: cannot read the key: {e}")),
        }
    }

    /// `hmac-sha256:` and the HMAC-SHA-256 (RFC 2104) of the value's canonical JSON, in hex.
    pub fn hash(&self, value: &Value) -> String {
        let mut text = Vec::new();
        super::canonical::write_value_canonical(value, &mut text);
        format!("hmac-sha256:{}", InputDigest(self.mac(&text)))
    }

    /// HMAC-SHA-256 of `bytes` under this key.
    pub fn mac(&self, bytes: &[u8]) -> [u8; 32] {
        let mut key = [0u8; 64];
        key[..32].copy_from_slice(&self.0);
        let pad = |byte: u8| key.map(|k| k ^ byte);
        let inner = Sha256::new()
            .chain_update(pad(0x36))
            .chain_update(bytes)
            .finalize();
        Sha256::new()
            .chain_update(pad(0x5c))
            .chain_update(inner)
            .finalize()
            .into()
    }
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

/// The case as the log keeps it: the values of the `personal` fields it has replaced by
/// their keyed hashes; and the names of those fields (empty: the case is as it was).
pub fn redact(case: &Case, personal: &[&str], key: &LogKey) -> (Case, Vec<String>) {
    let mut kept = case.clone();
    let mut redacted = Vec::new();
    for (name, value) in &mut kept.fields {
        // A missing value (null or empty) stays as it is: hashed, it would read as given.
        let missing = value.is_null() || value.as_str().is_some_and(str::is_empty);
        if personal.contains(&name.as_str()) && !missing {
            *value = Value::String(key.hash(value));
            redacted.push(name.clone());
        }
    }
    (kept, redacted)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The construction against a value computed independently (Python:
    /// `hmac.new(bytes(range(32)), b'"x"', hashlib.sha256)`).
    #[test]
    fn the_keyed_hash_is_hmac_sha256_of_the_canonical_value() {
        let mut key = [0u8; 32];
        for (i, byte) in key.iter_mut().enumerate() {
            *byte = i as u8;
        }
        assert_eq!(
            LogKey(key).hash(&Value::String("x".into())),
            "hmac-sha256:e1a4395ebb8c89a5e1068ac3dee16bd6ed67f7f2b852a86b28fe4ebe95ba6015"
        );
    }
}
