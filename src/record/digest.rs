//! The digest of a case: SHA-256 of the case as charter read it, written as RFC 8785 canonical
//! JSON (members sorted, no white space, numbers as ECMAScript writes them). A case read from
//! JSON, TOML or a CSV row gets the same digest when charter reads the same case from them,
//! whatever the order of members, the spacing or the number spelling (`5000` and `5000.0`).
//! What charter does not keep is not in it either: a timestamp's fraction of a second, and
//! members a case has no value for (`"severity": null` is the same as no `severity`).

use sha2::{Digest, Sha256};

use crate::decide::{Case, InputDigest};

/// The case in canonical JSON: what [`input_digest`] hashes, and what the decision log keeps.
///
/// ```
/// let case = charter::decide::Case::from_json(r#"{ "severity": "minor", "id": "C-1", "received_at": "2026-11-16T10:00:00+08:00",
///   "channel": "web", "category": "billing", "attributes": {"amount": 5000.0} }"#)?;
/// assert_eq!(
///     charter::record::canonical_case(&case),
///     r#"{"attributes":{"amount":5000},"category":"billing","channel":"web","id":"C-1","received_at":"2026-11-16T10:00:00+08:00","severity":"minor"}"#,
/// );
/// # Ok::<(), charter::decide::ReadError>(())
/// ```
pub fn canonical_case(case: &Case) -> String {
    let mut out = Vec::with_capacity(512);
    write_canonical(case, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// SHA-256 of [`canonical_case`].
///
/// ```
/// let json = charter::decide::Case::from_json(r#"{"id":"C-1","received_at":"2026-11-16T10:00:00+08:00","channel":"web","category":"billing"}"#)?;
/// let toml = charter::decide::Case::from_toml("id = \"C-1\"\nchannel = \"web\"\ncategory = \"billing\"\nreceived_at = \"2026-11-16T10:00:00+08:00\"\n")?;
/// assert_eq!(charter::record::input_digest(&json), charter::record::input_digest(&toml));
/// # Ok::<(), charter::decide::ReadError>(())
/// ```
pub fn input_digest(case: &Case) -> InputDigest {
    let mut hasher = HashWriter(Sha256::new());
    write_canonical(case, &mut hasher);
    InputDigest(hasher.0.finalize().into())
}

/// SHA-256 of a case already written by [`canonical_case`] (what [`input_digest`] gives for
/// that case, without writing it again).
///
/// ```
/// let case = charter::decide::Case::from_json(r#"{"id":"C-1","received_at":"2026-11-16T10:00:00+08:00","channel":"web","category":"billing"}"#)?;
/// let canonical = charter::record::canonical_case(&case);
/// assert_eq!(charter::record::digest_of_canonical(&canonical), charter::record::input_digest(&case));
/// # Ok::<(), charter::decide::ReadError>(())
/// ```
pub fn digest_of_canonical(canonical: &str) -> InputDigest {
    InputDigest(Sha256::digest(canonical.as_bytes()).into())
}

fn write_canonical(case: &Case, out: &mut dyn std::io::Write) {
    let mut text = Vec::with_capacity(1024);
    super::canonical::write_case(case, &mut text);
    // Into a buffer or a hash: neither fails.
    let _ = out.write_all(&text);
}

/// Feeds what is written to the hash, without holding it.
struct HashWriter(Sha256);

impl std::io::Write for HashWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.update(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
