//! charter: a policy and SLA engine for complaint handling.
//!
//! The pipeline is the architecture: [`syntax`] (text -> AST), [`check`] (AST -> [`check::Policy`]
//! or diagnostics), then [`decide`] (Policy + Case -> Decision), [`analyse`] (Policy ->
//! findings), [`audit`] (real case histories against the policy), [`render`] (Policy -> documents), [`suite`] (policy test suites, on top of
//! `decide`) and `serve` (the HTTP service, feature `serve`); [`time`] is the business-time
//! arithmetic they share (no policy knowledge), and [`cli`] the thin front end.

pub mod analyse;
pub mod audit;
pub mod check;
pub mod cli;
pub mod decide;
pub mod diagnostic;
pub mod format;
pub mod load;
pub mod render;
#[cfg(feature = "serve")]
pub mod serve;
pub mod source;
pub mod spelling;
pub mod suite;
pub mod syntax;
pub mod time;
pub mod vocabulary;
