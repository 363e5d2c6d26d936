//! The memory the service's answers may hold at once. A decision can be far larger than its
//! case (a case of many `from each` events is answered with one clock per event), and an answer
//! is held from when it is written until the client has read it: without a bound, clients that
//! send large cases and read slowly, or not at all, would hold as much memory as they like.
//!
//! Each answer of `/v1/decide` and `/v1/decide/batch` takes its size from one budget
//! (`--max-answers-memory`) and gives it back when its last byte has left (or its connection
//! closed): the bytes and the share of the budget are one value, so neither outlives the other.
//! Past the budget the answer is not sent: 503 with `Retry-After`, or 413 for an answer larger
//! than the whole budget.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use serde_json::json;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::error;

/// The budget is counted in KiB: a semaphore takes at most `u32::MAX` permits at once.
const UNIT: usize = 1024;

/// The budget of bytes the answers being sent may hold.
#[derive(Debug)]
pub struct Budget {
    permits: Arc<Semaphore>,
    /// The whole budget, in units.
    total: u32,
}

/// An answer's bytes and its share of the budget, released together.
struct Held {
    bytes: Vec<u8>,
    _share: OwnedSemaphorePermit,
}

impl AsRef<[u8]> for Held {
    fn as_ref(&self) -> &[u8] {
        &self.bytes
    }
}

impl Budget {
    /// A budget of `bytes` (at least one unit, at most `u32::MAX` units).
    pub fn new(bytes: usize) -> Budget {
        let units = bytes.div_ceil(UNIT).clamp(1, u32::MAX as usize);
        let total = u32::try_from(units).unwrap_or(u32::MAX);
        Budget {
            permits: Arc::new(Semaphore::new(total as usize)),
            total,
        }
    }

    /// The whole budget in bytes.
    pub fn bytes(&self) -> usize {
        self.total as usize * UNIT
    }

    /// The bytes of the budget not held by an answer now.
    pub fn available(&self) -> usize {
        self.permits.available_permits() * UNIT
    }

    /// The bytes of the budget held by answers now.
    pub fn held(&self) -> usize {
        self.bytes().saturating_sub(self.available())
    }

    /// `bytes` as a response body that holds its size of the budget until it is dropped (sent,
    /// or its connection gone); or the refusal to send instead: 413 when the answer alone is
    /// over the budget, 503 with `Retry-After: 1` when the answers being sent hold too much.
    pub fn hold(&self, bytes: Vec<u8>) -> Result<Body, Response> {
        let units = bytes.len().div_ceil(UNIT).max(1);
        let limit = self.bytes();
        let Some(units) = u32::try_from(units).ok().filter(|u| *u <= self.total) else {
            return Err(error(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!(
                    "the answer to this request is {} bytes, more than the service holds for all its answers at once ({limit} bytes, --max-answers-memory); send fewer cases at once, or decide this one with `charter decide`",
                    bytes.len()
                ),
                json!({ "limit": limit }),
            ));
        };
        let Ok(share) = Arc::clone(&self.permits).try_acquire_many_owned(units) else {
            let mut response = error(
                StatusCode::SERVICE_UNAVAILABLE,
                format!(
                    "answers not yet read by their clients hold the service's memory for answers ({limit} bytes, --max-answers-memory); retry in a second"
                ),
                json!({ "limit": limit }),
            );
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            return Err(response);
        };
        Ok(Body::from(Bytes::from_owner(Held {
            bytes,
            _share: share,
        })))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a test fails by panicking")]
mod tests {
    use super::*;

    #[test]
    fn an_answer_holds_its_share_until_its_bytes_are_dropped() {
        let budget = Budget::new(10 * UNIT);
        let first = budget.hold(vec![b'x'; 6 * UNIT]).unwrap();
        assert_eq!(budget.available(), 4 * UNIT);
        // Another answer of 6 units does not fit beside it: 503, asked to retry.
        let busy = budget.hold(vec![b'y'; 5 * UNIT + 1]).unwrap_err();
        assert_eq!(busy.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(busy.headers()[header::RETRY_AFTER], "1");
        // One that fits does, and takes at least one unit however small.
        let small = budget.hold(b"{}".to_vec()).unwrap();
        assert_eq!(budget.available(), 3 * UNIT);
        drop(first);
        assert_eq!(budget.available(), 9 * UNIT);
        drop(small);
        assert_eq!(budget.available(), 10 * UNIT);
    }

    #[test]
    fn an_answer_larger_than_the_whole_budget_is_413() {
        let budget = Budget::new(10 * UNIT);
        let refused = budget.hold(vec![b'x'; 10 * UNIT + 1]).unwrap_err();
        assert_eq!(refused.status(), StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(budget.available(), 10 * UNIT);
        assert!(budget.hold(vec![b'x'; 10 * UNIT]).is_ok());
    }

    #[tokio::test]
    async fn the_share_lasts_as_long_as_the_bytes_not_the_body() {
        let budget = Budget::new(4 * UNIT);
        let body = budget.hold(vec![b'x'; 2 * UNIT]).unwrap();
        // What a server does: takes the bytes out of the body, drops the body, writes later.
        let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap();
        assert_eq!(budget.available(), 2 * UNIT);
        assert_eq!(bytes.len(), 2 * UNIT);
        drop(bytes);
        assert_eq!(budget.available(), 4 * UNIT);
    }
}
