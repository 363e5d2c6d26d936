//! The `charter` binary: parses arguments and hands over to the library through `cli`.

use std::process::ExitCode;

fn main() -> ExitCode {
    charter::cli::main()
}
