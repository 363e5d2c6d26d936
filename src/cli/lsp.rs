//! `charter lsp`: the language server, for editors.

use crate::cli::Failure;

/// Arguments of `charter lsp`.
#[derive(clap::Args)]
#[command(
    after_help = "The editor starts it and talks to it over standard input and output (the Language Server Protocol); it is not run by hand. It checks the policy folder each open file belongs to, with the unsaved text of open files.\n\nExamples (editor settings):\n  VS Code: the extension in editors/vscode starts `charter lsp`\n  Neovim:  vim.lsp.start({ name = \"charter\", cmd = { \"charter\", \"lsp\" } })\n  Helix:   [language-server.charter] command = \"charter\", args = [\"lsp\"]\n\nSee docs/editors.md."
)]
pub struct Args {
    /// Accepted for editors that pass it; standard input and output are the only transport.
    #[arg(long)]
    stdio: bool,
}

pub(crate) fn run(args: Args) -> Result<(), Failure> {
    let _ = args.stdio;
    crate::lsp::stdio().map_err(|e| Failure::Usage(format!("the language server stopped: {e}")))
}
