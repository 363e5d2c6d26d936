//! `charter fmt [--check] PATHS`

use std::path::PathBuf;

use crate::cli::{Outcome, UsageError};

/// Arguments of `charter fmt`.
#[derive(clap::Args)]
pub struct Args {
    /// Files or folders to format.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Change nothing; list the files that would change and exit 1 if any.
    #[arg(long)]
    check: bool,
}

pub(crate) fn run(_args: Args) -> Result<Outcome, UsageError> {
    Err(UsageError("fmt is not built yet".into()))
}
