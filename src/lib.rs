//! charter: a policy and SLA engine for complaint handling.
//!
//! The pipeline is the architecture: [`syntax`] (text -> AST), [`check`] (AST -> [`check::Policy`]
//! or diagnostics), and [`time`] (business-time arithmetic, no policy knowledge).

pub mod check;
pub mod cli;
pub mod decide;
pub mod diagnostic;
pub mod format;
pub mod syntax;
pub mod time;
