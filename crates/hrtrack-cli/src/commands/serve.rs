//! `hrtrack serve [--addr HOST:PORT] [--demo]`: the public portal and the JSON API, on the
//! database given by `--db`, or with `--demo` on a demo database built from the bundled data.

use anyhow::Context;
use tokio::net::TcpListener;

use crate::cli::{DEFAULT_DB, ServeArgs};
use crate::output::out;

pub async fn run(db: Option<&str>, args: &ServeArgs) -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let store = if args.demo {
        let (url, store, _, _) = super::demo::build(db, &args.demo_file, false).await?;
        eprintln!("demo database: {url}");
        store
    } else {
        super::open(db.unwrap_or(DEFAULT_DB)).await?
    };
    let listener = TcpListener::bind(&args.addr)
        .await
        .with_context(|| format!("cannot listen on {}", args.addr))?;
    out!("hrtrack serving on http://{}", listener.local_addr()?);
    hrtrack_web::serve_on(store, listener, hrtrack_web::shutdown_signal()).await?;
    Ok(())
}
