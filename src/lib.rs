//! charter: a policy and SLA engine for complaint handling.
//!
//! The pipeline is the architecture: [`syntax`] (text -> AST), [`check`] (AST -> `Policy`),
//! and [`time`] (business-time arithmetic, used by the later stages).

pub mod time;
