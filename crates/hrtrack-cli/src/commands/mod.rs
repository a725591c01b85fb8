//! One module per subcommand; [`run`] opens the database and dispatches.

mod backup;
mod demo;
mod export;
mod import;
mod import_sdg;
mod institution;
mod list;
mod sdg;
mod search;
mod seed;
mod serve;
mod stats;
mod user;

use anyhow::Context;
use hrtrack_db::Store;

use crate::cli::{Cli, Command, DEFAULT_DB};

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match &cli.command {
        Command::Demo(args) => return demo::run(cli.db.as_deref(), args).await,
        Command::Serve(args) => return serve::run(cli.db.as_deref(), args).await,
        _ => {}
    }
    let url = cli.db.as_deref().unwrap_or(DEFAULT_DB);
    let store = open(url).await?;
    let result = match cli.command {
        Command::Import(args) => import::run(&store, &args).await,
        Command::Search(args) => search::search(&store, url, &args).await,
        Command::Reindex(args) => search::reindex(&store, url, &args).await,
        Command::Stats(args) => stats::run(&store, &args).await,
        Command::List(args) => list::list(&store, &args).await,
        Command::Show(args) => list::show(&store, &args).await,
        Command::Export(args) => export::run(&store, &args).await,
        Command::User(command) => user::run(&store, &command).await,
        Command::Institution(command) => institution::run(&store, &command).await,
        Command::SeedRoadmap(args) => seed::run(&store, &args).await,
        Command::Sdg(command) => sdg::run(&store, &command).await,
        Command::Backup(args) => backup::backup(&store, &args).await,
        Command::Restore(args) => backup::restore(&store, &args).await,
        Command::Copy(args) => backup::copy(&store, url, &args).await,
        Command::Demo(_) | Command::Serve(_) => unreachable!("handled above"),
    };
    store.close().await;
    result
}

pub(crate) async fn open(url: &str) -> anyhow::Result<Store> {
    Store::open(url)
        .await
        .with_context(|| format!("cannot open the database {}", redact(url)))
}

/// The URL without its password, for messages.
pub(crate) fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_not_printed() {
        assert_eq!(
            super::redact("postgres://u:secret@h/db"),
            "postgres://u:***@h/db"
        );
        assert_eq!(super::redact("sqlite://x.db"), "sqlite://x.db");
    }
}
