//! What a front end adds to a decision so that it can be found and checked later: the
//! decision's own id and the digest of the case it decided. The engine leaves both empty (a
//! decision is a function of the policy, the case and the instant); `charter decide` and
//! `charter serve` fill them through [`crate::record`], unless told `--no-id`.

use std::fmt;
use std::str::FromStr;

/// A decision's id: a UUID version 7 (RFC 9562), so ids sort by the millisecond they were
/// made in, written as 36 characters of lowercase hex with hyphens.
///
/// ```
/// use charter::decide::DecisionId;
/// let id: DecisionId = "019ae9a0-1c2b-7d3e-8f40-123456789abc".parse()?;
/// assert_eq!(id.to_string(), "019ae9a0-1c2b-7d3e-8f40-123456789abc");
/// assert_eq!(id.unix_millis(), 0x019a_e9a0_1c2b);
/// # Ok::<(), charter::decide::BadId>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DecisionId(pub [u8; 16]);

impl DecisionId {
    /// The milliseconds since 1970 (UTC) its first 48 bits hold.
    pub fn unix_millis(&self) -> u64 {
        self.0[..6]
            .iter()
            .fold(0u64, |ms, &byte| (ms << 8) | u64::from(byte))
    }
}

impl fmt::Display for DecisionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut text = [0u8; 36];
        let mut at = 0;
        for (i, byte) in self.0.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                text[at] = b'-';
                at += 1;
            }
            text[at] = HEX[usize::from(byte >> 4)];
            text[at + 1] = HEX[usize::from(byte & 15)];
            at += 2;
        }
        f.write_str(std::str::from_utf8(&text).map_err(|_| fmt::Error)?)
    }
}

/// A text that is not a decision id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not a decision id: write 36 characters of hex with hyphens, such as `019ae9a0-1c2b-7d3e-8f40-123456789abc`"
)]
pub struct BadId(pub String);

impl FromStr for DecisionId {
    type Err = BadId;

    fn from_str(text: &str) -> Result<DecisionId, BadId> {
        let bad = || BadId(text.chars().take(64).collect());
        let bytes = text.as_bytes();
        if bytes.len() != 36 {
            return Err(bad());
        }
        let mut id = [0u8; 16];
        let mut digits = bytes
            .iter()
            .enumerate()
            .filter(|(i, _)| !matches!(i, 8 | 13 | 18 | 23));
        if [8, 13, 18, 23].iter().any(|&i| bytes[i] != b'-') {
            return Err(bad());
        }
        for byte in &mut id {
            let (Some((_, &high)), Some((_, &low))) = (digits.next(), digits.next()) else {
                return Err(bad());
            };
            *byte = (hex_value(high).ok_or_else(bad)? << 4) | hex_value(low).ok_or_else(bad)?;
        }
        Ok(DecisionId(id))
    }
}

/// The SHA-256 of a case in canonical form (see [`crate::record::input_digest`]), written as
/// 64 characters of lowercase hex, like the policy's digest.
///
/// ```
/// use charter::decide::InputDigest;
/// assert_eq!(InputDigest([0xab; 32]).to_string(), "ab".repeat(32));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct InputDigest(pub [u8; 32]);

impl fmt::Display for InputDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut text = [0u8; 64];
        for (i, byte) in self.0.iter().enumerate() {
            text[2 * i] = HEX[usize::from(byte >> 4)];
            text[2 * i + 1] = HEX[usize::from(byte & 15)];
        }
        f.write_str(std::str::from_utf8(&text).map_err(|_| fmt::Error)?)
    }
}

/// 64 hex digits (either case) read back into the 32 bytes they write.
///
/// ```
/// use charter::decide::InputDigest;
/// let text = "ab".repeat(32);
/// assert_eq!(text.parse::<InputDigest>().map(|d| d.to_string()), Ok(text));
/// assert!("ab".parse::<InputDigest>().is_err());
/// ```
impl FromStr for InputDigest {
    type Err = BadId;

    fn from_str(text: &str) -> Result<InputDigest, BadId> {
        let bad = || BadId(text.chars().take(64).collect());
        let bytes = text.as_bytes();
        if bytes.len() != 64 {
            return Err(bad());
        }
        let mut digest = [0u8; 32];
        for (byte, pair) in digest.iter_mut().zip(bytes.chunks(2)) {
            let (Some(&high), Some(&low)) = (pair.first(), pair.get(1)) else {
                return Err(bad());
            };
            *byte = (hex_value(high).ok_or_else(bad)? << 4) | hex_value(low).ok_or_else(bad)?;
        }
        Ok(InputDigest(digest))
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

fn hex_value(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for DecisionId {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "DecisionId".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "format": "uuid",
            "pattern": "^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$",
            "description": "The decision's own id: a UUID version 7 (RFC 9562), lowercase.",
        })
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for InputDigest {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "InputDigest".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": "^[0-9a-f]{64}$",
            "description": "SHA-256 of the case as charter read it, in RFC 8785 canonical JSON, lowercase hex.",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_reads_back_what_it_writes_and_refuses_anything_else() {
        let id = DecisionId([
            0x01, 0x9a, 0xe9, 0xa0, 0x1c, 0x2b, 0x7d, 0x3e, 0x8f, 0x40, 0x12, 0x34, 0x56, 0x78,
            0x9a, 0xbc,
        ]);
        let text = id.to_string();
        assert_eq!(text, "019ae9a0-1c2b-7d3e-8f40-123456789abc");
        assert_eq!(text.parse::<DecisionId>(), Ok(id));
        assert_eq!(text.to_uppercase().parse::<DecisionId>(), Ok(id));
        for bad in [
            "",
            "019ae9a0-1c2b-7d3e-8f40-123456789ab",
            "019ae9a0-1c2b-7d3e-8f40-123456789abcd",
            "019ae9a01c2b-7d3e-8f40-1-23456789abc",
            "019ae9a0-1c2b-7d3e-8f40-123456789abg",
            "019ae9a0-1c2b-7d3e-8f40_123456789abc",
            "019ae9a0-1c2b-7d3e-8f40-12345678é9a",
        ] {
            assert!(bad.parse::<DecisionId>().is_err(), "{bad}");
        }
    }
}
