//! The hrtrack store: one API over SQLite (the embedded default) and PostgreSQL (the server
//! database).
//!
//! Both backends run the same SQL through sqlx's `Any` driver with `$N` placeholders; where
//! the dialects differ the statement is chosen by [`Backend`]. Each backend has its own
//! migration tree (`migrations/sqlite`, `migrations/postgres`) with the same numbering.
//!
//! Errors: [`StoreError`] is what every public method returns; callers at the edge (the CLI,
//! the web layer) turn it into messages and exit codes or API error codes.

mod catalog;
mod changes;
mod clock;
pub mod countries;
mod filter;
mod import;
mod migrations;
mod recommendations;
mod reference;
pub mod roadmap;
mod sdg;
pub mod sdg_collection;
pub mod sdg_data;
pub mod sdg_read;
pub mod sdg_reference;
mod sql;
mod stats;
pub mod transfer;

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

/// Now as stored: RFC 3339, UTC, e.g. `2026-11-28T23:46:22Z`.
pub fn now_rfc3339() -> String {
    clock::now_rfc3339()
}

pub use catalog::{SdgTargetTitles, StateCount, TagCount};
pub use changes::ReviewKey;
pub use filter::RecommendationFilter;
pub use hrtrack_domain::RecommendationRecord;
pub use import::{ImportSummary, ReviewSummary};
pub use recommendations::ReviewRecord;
pub use sdg::{SdgFrameworkSize, SdgGoalTitles};
pub use sdg_data::{ObservationRecord, SdgCounts, SdgImportSummary, SeriesRecord};
pub use sdg_read::{
    SdgBreakdowns, SdgGoalStatus, SdgIndicatorStatus, SdgLinkedAction, SdgLinkedRecommendation,
    SdgMetadataField, SdgReportingStatus, SdgSlice,
};
pub use stats::{GroupCount, PositionCounts, ReviewStats, Stats};
pub use transfer::{TableCount, TransferReport};

/// The two databases hrtrack runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Everything that can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported database URL {0:?}: use sqlite://FILE or postgres://USER@HOST/DB")]
    UnsupportedUrl(String),
    #[error("{file}: {} unknown country name(s), nothing imported:\n{}", names.len(), names.iter().map(|(n, at)| format!("  {n:?} (first at {at})")).collect::<Vec<_>>().join("\n"))]
    UnknownCountries {
        file: String,
        names: Vec<(String, String)>,
    },
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    NotFound(String),
    /// A write made from an older version of a record; `current` is the record as it is now.
    #[error("{entity} {id} was changed by someone else since you loaded it (now at version {})", current.get("version").and_then(|v| v.as_i64()).unwrap_or(0))]
    StaleVersion {
        entity: &'static str,
        id: i64,
        current: serde_json::Value,
    },
    /// A value the store refuses: a missing title, a bad date, an unknown reference.
    #[error("{0}")]
    Invalid(String),
    /// A workflow step that is not possible from the record's state.
    #[error("{0}")]
    WorkflowStep(String),
    #[error("{0}")]
    InvalidFilter(String),
    #[error("bundled reference data: {0}")]
    Reference(String),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// A connection pool to one hrtrack database, migrated and loaded with the reference data.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

impl Store {
    /// Opens (creating it if needed) the database at `url`, runs the migrations and loads
    /// the bundled reference data (countries, SDG framework) when it changed.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        Self::open_in_schema(url, None).await
    }

    /// As [`Store::open`], but on PostgreSQL inside `schema` (created if missing). The test
    /// suite uses this to give every run a fresh schema.
    pub async fn open_in_schema(url: &str, schema: Option<&str>) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(StoreError::UnsupportedUrl(url.to_owned()));
        };
        let pool = match backend {
            Backend::Sqlite => {
                let url = if url.contains('?') || url.contains(":memory:") {
                    url.to_owned()
                } else {
                    format!("{url}?mode=rwc")
                };
                let options = AnyConnectOptions::from_str(&url)?;
                AnyPoolOptions::new()
                    .max_connections(4)
                    .acquire_timeout(Duration::from_secs(30))
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            conn.execute(
                                "PRAGMA foreign_keys = ON; PRAGMA journal_mode = WAL; \
                                 PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 10000; \
                                 PRAGMA temp_store = MEMORY; PRAGMA cache_size = -16384;",
                            )
                            .await?;
                            Ok(())
                        })
                    })
                    .connect_with(options)
                    .await?
            }
            Backend::Postgres => {
                let options = AnyConnectOptions::from_str(url)?;
                if let Some(schema) = schema {
                    let admin = AnyPoolOptions::new()
                        .max_connections(1)
                        .connect_with(options.clone())
                        .await?;
                    admin
                        .execute(sqlx::AssertSqlSafe(format!(
                            "CREATE SCHEMA IF NOT EXISTS {}",
                            quote_ident(schema)
                        )))
                        .await?;
                    admin.close().await;
                }
                let search_path = schema.map(|s| format!("SET search_path TO {}", quote_ident(s)));
                AnyPoolOptions::new()
                    .max_connections(8)
                    .acquire_timeout(Duration::from_secs(30))
                    .after_connect(move |conn, _| {
                        let search_path = search_path.clone();
                        Box::pin(async move {
                            if let Some(sql) = search_path {
                                conn.execute(sqlx::AssertSqlSafe(sql)).await?;
                            }
                            Ok(())
                        })
                    })
                    .connect_with(options)
                    .await?
            }
        };
        let store = Self { pool, backend };
        migrations::migrator(backend).run(&store.pool).await?;
        reference::load_if_changed(&store).await?;
        Ok(store)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Closes the pool, waiting for connections to finish (SQLite then checkpoints its WAL).
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Drops a PostgreSQL schema made by [`Store::open_in_schema`]; tests call it when done.
    pub async fn drop_schema(url: &str, schema: &str) -> Result<(), StoreError> {
        sqlx::any::install_default_drivers();
        let pool = AnyPoolOptions::new()
            .max_connections(1)
            .connect(url)
            .await?;
        pool.execute(sqlx::AssertSqlSafe(format!(
            "DROP SCHEMA IF EXISTS {} CASCADE",
            quote_ident(schema)
        )))
        .await?;
        pool.close().await;
        Ok(())
    }
}

/// Quotes a PostgreSQL identifier.
fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}
