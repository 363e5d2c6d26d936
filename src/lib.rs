//! charter: a policy and SLA engine for complaint handling.
//!
//! The pipeline is the architecture: [`syntax`] (text -> AST), [`check`] (AST -> [`check::Policy`]
//! or diagnostics), then [`decide`] (Policy + Case -> Decision), [`analyse`] (Policy ->
//! findings), `audit` (real case histories against the policy), `render` (Policy -> documents), [`suite`] (policy test suites, on top of
//! `decide`) and `serve` (the HTTP service, feature `serve`); [`time`] is the business-time
//! arithmetic they share (no policy knowledge), and `cli` the thin front end.
//!
//! # Features
//!
//! With `default-features = false` the library is the engine alone: [`syntax`], [`check`],
//! [`load`], [`decide`], [`analyse`], [`suite`] and [`time`], and only their own dependencies
//! (pest, serde, serde_json, toml, chrono, chrono-tz, sha2, smallvec, compact_str and a few
//! small ones). Each feature adds a front end:
//!
//! | feature | adds |
//! |---|---|
//! | `batch` | `decide::batch`: files of cases decided on every core (csv, rayon); with `render`, `audit` |
//! | `render` | `render`: position descriptions, the procedure, the org chart (minijinja) |
//! | `schema` | JSON Schema of cases and decisions (schemars) |
//! | `docx` | Word documents (docx-rs, resvg, zip); implies `render` |
//! | `record` | `record`: decision ids (UUIDv7) and case digests (RFC 8785 canonical JSON) |
//! | `log` | `record::log`: the decision log in SQLite (rusqlite, SQLite built in); implies `record` |
//! | `serve` | `serve`: the HTTP service (axum, tokio); implies `batch`, `render`, `schema`, `log` |
//! | `cli` | `cli` and the `charter` binary (clap); implies `batch`, `render`, `schema`, `record` |
//!
//! The default is `cli`, `serve` and `docx`: everything.
//!
//! # Deciding a case
//!
//! ```
//! use charter::decide::{Case, Engine, Timestamp};
//! let engine = Engine::from_text(r#"
//! policy desk "Help desk" { version "1"  timezone "Asia/Shanghai"  calendar office }
//! calendar office "Office" { week mon..fri 09:00-18:00 }
//! channel web "Web" { callback web }
//! category billing "Billing"
//! role clerk "Clerk" {}
//! route { otherwise -> clerk }
//! sla standard "Limits" { acknowledge within 2 working hours }
//! "#)?;
//! let case = Case::builder("T-1", "2026-11-20T17:30:00+08:00").channel("web").category("billing").build()?;
//! let decision = engine.decide(&case, case.received_at.secs)?;
//! assert_eq!(decision.route.as_ref().and_then(|r| r.role), Some("clerk"));
//! // Half an hour on Friday, then ninety minutes on Monday.
//! let due = decision.targets[0].deadline.map(|d| d.to_string());
//! assert_eq!(due.as_deref(), Some("2026-11-23T10:30:00+08:00"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod analyse;
#[cfg(all(feature = "batch", feature = "render"))]
pub mod audit;
pub mod check;
#[cfg(feature = "cli")]
pub mod cli;
pub mod decide;
pub mod diagnostic;
#[cfg(feature = "render")]
pub mod diff;
pub mod format;
pub mod load;
#[cfg(feature = "lsp")]
pub mod lsp;
#[cfg(feature = "record")]
pub mod record;
#[cfg(feature = "render")]
pub mod render;
#[cfg(feature = "serve")]
pub mod serve;
pub mod source;
pub mod spelling;
pub mod suite;
pub mod syntax;
pub mod time;
pub mod vocabulary;
