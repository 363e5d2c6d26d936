//! The integration tests: one binary, one module per subject, to keep link time down.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail by panicking"
)]

mod audit;
mod china_calendar;
mod cli;
mod decide;
mod diff;
mod documents;
mod embed;
mod format;
mod language;
mod lint;
#[cfg(feature = "lsp")]
mod lsp;
mod positions;
mod procedure_doc;
mod records;
mod recovery;
#[cfg(feature = "docx")]
mod reference_docx;
mod reports;
mod rules;
#[cfg(feature = "serve")]
mod serve;
mod suite;
mod support;
mod time_examples;
mod time_reference;
#[cfg(feature = "serve")]
mod workbench;
