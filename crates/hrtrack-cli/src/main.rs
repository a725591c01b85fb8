//! `hrtrack`: the one binary. Parses the command line and hands over to a command module;
//! errors are printed to stderr with the file and place they concern, and exit non-zero.

mod cli;
mod commands;
mod output;

use std::process::ExitCode;

use clap::Parser;

/// mimalloc instead of the system allocator: the database driver allocates query arguments
/// on this thread and frees them on its worker thread, a pattern glibc's allocator handles
/// slowly (measured: the 41k-row import spent a third of its time in malloc and free).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match commands::run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
