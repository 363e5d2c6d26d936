//! `charter workbench`: the policy workbench in the browser (feature `serve`).

use std::net::SocketAddr;
use std::path::PathBuf;

use crate::cli::{Failure, existing};
use crate::serve::serve_workbench;
use crate::serve::workbench::Workbench;

/// Arguments of `charter workbench`.
#[derive(clap::Args)]
#[command(
    after_help = "Serves a page on loopback where the policy's files are edited in the browser: problems
shown as you type (with the fixes the checker suggests), its position descriptions, procedure
and org chart previewed in Chinese or English, a case tried against the unsaved text, the
change since the last save in words, and saving back to disk (refused when the file changed on
disk meanwhile; the previous text is kept as NAME.bak). Only the policy's own .charter files
are edited. The policy need not compile: the workbench is there to mend it.

To share the workbench, run `charter serve --workbench --tokens FILE` instead: saving then
needs a token with the `admin` scope.

Examples:
  charter workbench policies/complaint-office
  charter workbench policies/complaint-office --addr 127.0.0.1:0 --open"
)]
pub struct Args {
    /// The policy (a file, or a folder holding one or more versions).
    policy: PathBuf,
    /// The loopback address to listen on (port 0: any free port, printed at start).
    #[arg(long, default_value = "127.0.0.1:7979")]
    addr: SocketAddr,
    /// Open the page in the desktop's browser.
    #[arg(long)]
    open: bool,
}

pub(crate) fn run(args: Args) -> Result<(), Failure> {
    existing(&args.policy)?;
    if !args.addr.ip().is_loopback() {
        return Err(Failure::Usage(format!(
            "{} is not a loopback address: `charter workbench` edits files and serves only this machine; to share it, use `charter serve --workbench --tokens FILE`",
            args.addr
        )));
    }
    let roots = crate::cli::import_roots(&args.policy);
    let roots = if roots.is_empty() {
        vec![crate::syntax::import_root(&args.policy)]
    } else {
        roots
    };
    let workbench = Workbench::open(&args.policy, roots).map_err(Failure::Usage)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::Usage(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(async move {
        let (listener, local) = crate::cli::serve::listen(args.addr).await?;
        let url = format!("http://{local}/");
        eprintln!(
            "charter workbench: editing {} ({} file(s)) at {url}; stop with Ctrl-C (or SIGTERM)",
            args.policy.display(),
            workbench.files().len()
        );
        if args.open {
            open_browser(&url);
        }
        serve_workbench(listener, workbench, crate::cli::serve::shutdown_signal()).await;
        Ok(())
    })
}

/// Asks the desktop to open `url`; says so when it cannot.
fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    if let Err(e) = std::process::Command::new(opener)
        .arg(url)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
    {
        eprintln!("charter workbench: cannot open a browser ({opener}: {e}); open {url} yourself");
    }
}
