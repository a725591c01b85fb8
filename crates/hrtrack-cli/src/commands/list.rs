//! `hrtrack list` and `hrtrack show`: recommendations for people to read.

use hrtrack_db::Store;

use crate::cli::{ListArgs, ShowArgs};
use crate::output;
use crate::output::out;

pub async fn list(store: &Store, args: &ListArgs) -> anyhow::Result<()> {
    let filter = args.filter.to_filter();
    let records = store
        .list(&filter, Some(args.limit.max(0)), args.offset.max(0))
        .await?;
    if args.json {
        out!("{}", serde_json::to_string_pretty(&records)?);
        return Ok(());
    }
    let total = store.count(&filter).await?;
    for record in &records {
        output::print_list_line(record);
    }
    let first = if records.is_empty() {
        0
    } else {
        args.offset + 1
    };
    eprintln!(
        "{first}–{} of {total} recommendations",
        args.offset + records.len() as i64
    );
    Ok(())
}

pub async fn show(store: &Store, args: &ShowArgs) -> anyhow::Result<()> {
    let record = store
        .show(&args.reference, &args.filter.to_filter())
        .await?;
    if args.json {
        out!("{}", serde_json::to_string_pretty(&record)?);
    } else {
        output::print_record(&record);
    }
    Ok(())
}
