//! Decision ids: UUID version 7 (RFC 9562 §5.7): 48 bits of Unix milliseconds, then 74 random
//! bits from the system's source. Random bytes are read a few kilobytes at a time per thread,
//! so a batch makes one system call per few hundred ids.

use std::cell::RefCell;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::decide::DecisionId;

/// The system's random source failed (no id can be made without it).
#[derive(Debug, thiserror::Error)]
#[error("the system's random source is not available for decision ids ({0}); run with `--no-id`")]
pub struct RandomUnavailable(String);

/// Random bytes per read.
const POOL: usize = 4096;

struct Pool {
    bytes: [u8; POOL],
    used: usize,
}

thread_local! {
    static RANDOM: RefCell<Pool> = const { RefCell::new(Pool { bytes: [0; POOL], used: POOL }) };
}

/// A new decision id, made now.
///
/// ```
/// let a = charter::record::new_id()?;
/// let b = charter::record::new_id()?;
/// assert_ne!(a, b);
/// assert_eq!(&a.to_string()[14..15], "7");
/// # Ok::<(), charter::record::RandomUnavailable>(())
/// ```
pub fn new_id() -> Result<DecisionId, RandomUnavailable> {
    let millis = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    let millis = u64::try_from(millis).unwrap_or(u64::MAX);
    let mut id = [0u8; 16];
    RANDOM.with(|pool| {
        let mut pool = pool.borrow_mut();
        if pool.used + 10 > POOL {
            getrandom::fill(&mut pool.bytes).map_err(|e| RandomUnavailable(e.to_string()))?;
            pool.used = 0;
        }
        let at = pool.used;
        id[6..].copy_from_slice(&pool.bytes[at..at + 10]);
        // Used bytes are not kept: nothing else ever sees them.
        pool.bytes[at..at + 10].fill(0);
        pool.used += 10;
        Ok::<(), RandomUnavailable>(())
    })?;
    id[..6].copy_from_slice(&millis.to_be_bytes()[2..]);
    id[6] = 0x70 | (id[6] & 0x0f);
    id[8] = 0x80 | (id[8] & 0x3f);
    Ok(DecisionId(id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_carry_the_version_the_variant_and_the_millisecond() {
        let before = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or_default();
        let mut seen = std::collections::HashSet::new();
        // More ids than one pool holds, so the pool is refilled on the way.
        for _ in 0..1000 {
            let id = new_id().unwrap_or_else(|e| unreachable!("{e}"));
            assert_eq!(id.0[6] >> 4, 7, "{id}");
            assert_eq!(id.0[8] >> 6, 0b10, "{id}");
            assert!(u128::from(id.unix_millis()) >= before, "{id}");
            assert!(seen.insert(id), "{id} twice");
        }
    }
}
