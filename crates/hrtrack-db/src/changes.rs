//! What derived data (the search index, cached pages) needs to know about change: the data
//! version every import that changes something bumps, and which reviews the imports after a
//! given one wrote to, so a reader can bring what it built up to date without redoing all of
//! it; and the public version, a counter that every other write the public may see (a Roadmap
//! record, SDG metadata, providers, the code lists) bumps in its own transaction. Both live in
//! `meta`, so every server sharing the database sees them.
//!
//! An import stamps the recommendations it inserts or updates (`updated_at`) with the same
//! time it records in its `import_runs` row (`imported_at`), so "written by the runs after
//! run N" needs no comparison of clocks, which may differ between servers.

use sqlx::{Any, Row, Transaction};

use crate::{Store, StoreError};

/// A review as derived data names it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ReviewKey {
    /// The State under review, ISO 3166 alpha-3.
    pub iso3: String,
    /// The mechanism code (`UPR`, `CCPR`, …).
    pub mechanism: String,
    /// The cycle; 0 when not numbered.
    pub cycle: i64,
}

impl Store {
    /// The import run a data version names (`import-N` → N); `None` for other versions
    /// (nothing imported yet, or a version some other writer set).
    pub fn import_run_of_version(data_version: &str) -> Option<i64> {
        data_version.strip_prefix("import-")?.parse().ok()
    }

    /// The current data version (`meta.data_version`, bumped by every import that changes
    /// something): `import-N`
    /// after import run N, `"0"` for a database nothing was ever imported into.
    pub async fn data_version(&self) -> Result<String, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT COALESCE((SELECT value FROM meta WHERE key = 'data_version'), '0')",
        )
        .fetch_one(&self.pool)
        .await?)
    }

    /// The public version (`meta.public_version`): a counter bumped by every write, other
    /// than imports, that changes what public pages may show; `"0"` before the first.
    /// Cached public pages are kept per data version and public version.
    pub async fn public_version(&self) -> Result<String, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT COALESCE((SELECT value FROM meta WHERE key = 'public_version'), '0')",
        )
        .fetch_one(&self.pool)
        .await?)
    }

    /// The reviews that import runs after `run` (by id) inserted or updated recommendations
    /// in (superseding included). Runs in the same second as a later one may add reviews
    /// they did not touch since `run`; never fewer.
    pub async fn reviews_written_after_run(&self, run: i64) -> Result<Vec<ReviewKey>, StoreError> {
        let rows = sqlx::query(
            "SELECT DISTINCT c.iso3, v.mechanism, v.cycle FROM recommendations r \
             JOIN reviews v ON v.id = r.review_id JOIN countries c ON c.id = v.country_id \
             WHERE r.updated_at IN (SELECT imported_at FROM import_runs WHERE id > $1) \
             ORDER BY c.iso3, v.mechanism, v.cycle",
        )
        .bind(run)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(ReviewKey {
                    iso3: row.try_get("iso3")?,
                    mechanism: row.try_get("mechanism")?,
                    cycle: row.try_get("cycle")?,
                })
            })
            .collect()
    }
}

/// Bumps the public version inside the caller's transaction (the row stays locked until it
/// ends, so two writers never read the same value).
pub(crate) async fn bump_public_version(
    tx: &mut Transaction<'static, Any>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO meta (key, value) VALUES ('public_version', '1') \
         ON CONFLICT (key) DO UPDATE SET value = CAST(CAST(meta.value AS BIGINT) + 1 AS TEXT)",
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}
