//! Decision records: what makes an answered decision traceable later. Each decision gets its
//! own id ([`new_id`], a UUIDv7) and the digest of the case it decided ([`input_digest`]); the
//! policy's digest is already in it. [`stamp`] puts both on a decision.
//!
//! The engine itself leaves them out, so that deciding stays a pure function of the policy,
//! the case and the instant (the same case decided twice gives the same bytes), and so that a
//! batch that does not want them pays nothing.

mod canonical;
mod digest;
mod id;
#[cfg(feature = "log")]
pub mod log;
mod personal;
#[cfg(feature = "log")]
pub mod replay;

pub use digest::{canonical_case, digest_of_canonical, input_digest};
pub use id::{RandomUnavailable, new_id};
pub use personal::{LogKey, redact};

use crate::decide::{Case, Decision};

/// Gives `decision` a new id and the digest of `case`, the case it was decided from.
///
/// ```
/// use charter::decide::Engine;
/// # let (engine, _) = charter::load::engine("policies/complaint-office".as_ref()).map_err(|(e, _)| e.to_string())?;
/// let case = charter::decide::Case::from_json(r#"{"id":"C-1","received_at":"2026-11-16T10:00:00+08:00","channel":"web","category":"service_quality","severity":"minor"}"#)?;
/// let mut decision = engine.decide(&case, 1_796_011_200)?;
/// assert!(decision.decision_id.is_none());
/// charter::record::stamp(&mut decision, &case)?;
/// assert_eq!(decision.input_digest, Some(charter::record::input_digest(&case)));
/// assert!(decision.decision_id.is_some());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn stamp(decision: &mut Decision<'_>, case: &Case) -> Result<(), RandomUnavailable> {
    decision.decision_id = Some(new_id()?);
    decision.input_digest = Some(input_digest(case));
    Ok(())
}

/// Like [`stamp`], for a case already written in canonical form (by [`canonical_case`]), as
/// the decision log keeps it: the case is not written twice.
pub fn stamp_canonical(
    decision: &mut Decision<'_>,
    canonical: &str,
) -> Result<(), RandomUnavailable> {
    decision.decision_id = Some(new_id()?);
    decision.input_digest = Some(digest_of_canonical(canonical));
    Ok(())
}
