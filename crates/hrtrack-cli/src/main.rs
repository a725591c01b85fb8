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

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    // The server wants every core; one-shot commands start faster on one thread.
    let runtime = match cli.command {
        cli::Command::Serve(_) => tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build(),
        _ => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build(),
    };
    let result = match runtime {
        Ok(runtime) => runtime.block_on(commands::run(cli)),
        Err(error) => Err(error.into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
