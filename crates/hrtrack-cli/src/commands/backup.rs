//! `hrtrack backup`, `hrtrack restore` and `hrtrack copy`: whole-database operations over
//! [`hrtrack_db::transfer`]. Each prints what it saved or moved, table by table.

use anyhow::Context;
use hrtrack_db::{Backend, Store, TransferReport};

use crate::cli::{BackupArgs, CopyArgs, RestoreArgs};
use crate::commands::{open, redact};
use crate::output::out;

pub async fn backup(store: &Store, args: &BackupArgs) -> anyhow::Result<()> {
    let counts = store
        .backup_to(&args.file, args.force)
        .await
        .with_context(|| format!("backup to {} failed", args.file.display()))?;
    let total: i64 = counts.iter().map(|(_, n)| n).sum();
    out!(
        "Saved {} ({total} rows in {} tables):",
        args.file.display(),
        counts.len()
    );
    for (table, n) in counts.iter().filter(|(_, n)| *n > 0) {
        out!("  {table:<28} {n:>10}");
    }
    let empty = counts.iter().filter(|(_, n)| *n == 0).count();
    if empty > 0 {
        out!("  ({empty} empty tables)");
    }
    if store.backend() == Backend::Postgres {
        out!(
            "This is a portable hrtrack backup (a SQLite file that `hrtrack restore` loads into \
             either database); PostgreSQL's own tool is `pg_dump -Fc`."
        );
    }
    Ok(())
}

pub async fn restore(store: &Store, args: &RestoreArgs) -> anyhow::Result<()> {
    let backup = Store::open_backup(&args.file).await?;
    let result = backup.copy_into(store, args.force).await;
    backup.close().await;
    let report = result.with_context(|| {
        format!(
            "restore of {} failed; the database was not changed",
            args.file.display()
        )
    })?;
    out!("Restored {}:", args.file.display());
    print_report(&report);
    Ok(())
}

pub async fn copy(store: &Store, from: &str, args: &CopyArgs) -> anyhow::Result<()> {
    if same_database(from, &args.to) {
        anyhow::bail!("--to names the --db database itself ({})", redact(&args.to));
    }
    let target = open(&args.to).await?;
    let result = store.copy_into(&target, args.force).await;
    target.close().await;
    let report = result.with_context(|| {
        format!(
            "copy to {} failed; the target was not changed",
            redact(&args.to)
        )
    })?;
    out!("Copied {} to {}:", redact(from), redact(&args.to));
    print_report(&report);
    Ok(())
}

/// Whether two database URLs name the same database (as written, or the same SQLite file).
fn same_database(a: &str, b: &str) -> bool {
    let file = |url: &str| {
        url.strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .map(|rest| rest.split('?').next().unwrap_or(rest).to_owned())
    };
    match (file(a), file(b)) {
        (Some(x), Some(y)) => match (std::fs::canonicalize(&x), std::fs::canonicalize(&y)) {
            (Ok(x), Ok(y)) => x == y,
            _ => x == y,
        },
        _ => a.trim_end_matches('/') == b.trim_end_matches('/'),
    }
}

fn print_report(report: &TransferReport) {
    out!("  {:<28} {:>10} {:>10}", "table", "source", "target");
    for t in &report.tables {
        out!("  {:<28} {:>10} {:>10}", t.table, t.source, t.target);
    }
    out!(
        "{} rows in {} tables; every table's count matches.",
        report.total(),
        report.tables.len()
    );
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_database_is_not_copied_onto_itself() {
        assert!(super::same_database(
            "sqlite://a.db",
            "sqlite:a.db?mode=rwc"
        ));
        assert!(super::same_database(
            "postgres://u@h/db",
            "postgres://u@h/db/"
        ));
        assert!(!super::same_database("sqlite://a.db", "postgres://u@h/db"));
    }
}
