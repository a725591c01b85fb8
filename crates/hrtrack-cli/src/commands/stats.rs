//! `hrtrack stats`: the figures a press release quotes, for people or as one JSON document.

use hrtrack_db::Store;

use crate::cli::StatsArgs;
use crate::output;
use crate::output::out;

pub async fn run(store: &Store, args: &StatsArgs) -> anyhow::Result<()> {
    let stats = store.stats(&args.filter.to_filter()).await?;
    if args.json {
        out!("{}", serde_json::to_string_pretty(&stats)?);
    } else {
        output::print_stats(&stats, &store.sdg_goals().await?);
    }
    Ok(())
}
