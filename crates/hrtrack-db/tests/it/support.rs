//! Test scaffolding: fresh stores on each backend, the bundled real files, and small helpers
//! to read and import them.
//!
//! [`each_backend`] runs a test body on SQLite (a new file in a temporary directory) and, when
//! `HRTRACK_TEST_POSTGRES` holds a URL, once more on PostgreSQL. The body receives a [`Db`]
//! and opens as many fresh stores as it needs with [`Db::open`]; each store is a new SQLite
//! file or a new PostgreSQL schema, which [`TestStore::finish`] drops at the end of the body.

use std::future::Future;
use std::ops::Deref;
use std::sync::LazyLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use hrtrack_db::{ImportSummary, RecommendationFilter, RecommendationRecord, Store, StoreError};
use hrtrack_domain::{Cycle, ImportBatch, Session};
use hrtrack_import::ohchr_matrix::{self, MatrixOptions};

/// The environment variable that turns on the PostgreSQL runs.
pub const POSTGRES_ENV: &str = "HRTRACK_TEST_POSTGRES";

/// The real files the project bundles (`data/upr/`).
pub const SLOVENIA_2: &str = "UPR20_Slovenia_ThematicListRecommendations_E.docx";
pub const SLOVENIA_3: &str = "UPR34_Slovenia_Thematic_list_of_Recommendations.docx";
pub const SLOVENIA_4: &str = "upr48-slovenia-thematic-list-of-recommendations.docx";
pub const CHINA_2: &str = "china_upr17_2013_cycle2_Matrix_recommendations_2013.docx";
pub const CHINA_3: &str = "china_upr31_2018_cycle3_Matrix_recommendations_2018.docx";
pub const EGYPT_2: &str = "egypt_upr20_2014_cycle2_EgyptMatriceRecommendations.docx";
pub const UPR_INFO_ZIP: &str = "upr_info_recommendations_sessions01-20.csv.zip";
/// UPR Info's rows for Turkmenistan (also bundled in `data/upr/`).
pub const TURKMENISTAN_CSV: &str = "upr_info_turkmenistan_cycles1-2.csv";

const BUNDLED_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/upr");

/// A backend to run a test body on.
#[derive(Debug, Clone)]
pub enum Db {
    Sqlite,
    Postgres(String),
}

impl Db {
    pub fn name(&self) -> &'static str {
        match self {
            Db::Sqlite => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }

    /// A new, empty (migrated, reference data loaded) store on this backend.
    pub async fn open(&self) -> TestStore {
        match self {
            Db::Sqlite => {
                let dir = tempfile::tempdir().expect("a temporary directory");
                let url = format!("sqlite://{}", dir.path().join("hrtrack.db").display());
                let store = Store::open(&url)
                    .await
                    .unwrap_or_else(|e| panic!("open {url}: {e}"));
                TestStore {
                    store,
                    cleanup: Cleanup::Sqlite(dir),
                }
            }
            Db::Postgres(url) => {
                let schema = unique_schema_name();
                let store = Store::open_in_schema(url, Some(&schema))
                    .await
                    .unwrap_or_else(|e| panic!("open {url} in schema {schema}: {e}"));
                TestStore {
                    store,
                    cleanup: Cleanup::Postgres {
                        url: url.clone(),
                        schema,
                    },
                }
            }
        }
    }
}

/// `hrtrack_t_<pid>_<counter>_<nanos>`: unique across the tests of one run and across runs.
fn unique_schema_name() -> String {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!("hrtrack_t_{}_{n}_{nanos}", std::process::id())
}

enum Cleanup {
    /// The directory of the database file, removed when dropped.
    Sqlite(tempfile::TempDir),
    Postgres {
        url: String,
        schema: String,
    },
}

/// A store opened for one test; it dereferences to [`Store`].
pub struct TestStore {
    store: Store,
    cleanup: Cleanup,
}

impl Deref for TestStore {
    type Target = Store;

    fn deref(&self) -> &Store {
        &self.store
    }
}

impl TestStore {
    /// The database file of a SQLite store.
    pub fn sqlite_file(&self) -> Option<std::path::PathBuf> {
        match &self.cleanup {
            Cleanup::Sqlite(dir) => Some(dir.path().join("hrtrack.db")),
            Cleanup::Postgres { .. } => None,
        }
    }

    /// A second connection to the same database, outside the store's pool, for the raw SQL a
    /// test needs (the store offers none): on PostgreSQL it works in the store's schema.
    pub async fn raw_connection(&self) -> sqlx::AnyConnection {
        use sqlx::Connection;
        match &self.cleanup {
            Cleanup::Sqlite(dir) => {
                let url = format!("sqlite://{}", dir.path().join("hrtrack.db").display());
                sqlx::AnyConnection::connect(&url)
                    .await
                    .unwrap_or_else(|e| panic!("connect to {url}: {e}"))
            }
            Cleanup::Postgres { url, schema } => {
                let mut conn = sqlx::AnyConnection::connect(url)
                    .await
                    .unwrap_or_else(|e| panic!("connect to {url}: {e}"));
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SET search_path TO \"{schema}\""
                )))
                .execute(&mut conn)
                .await
                .unwrap_or_else(|e| panic!("set search_path to {schema}: {e}"));
                conn
            }
        }
    }

    /// Closes the store and removes its file or schema. (A test that panics before this leaves
    /// its PostgreSQL schema behind; the names never repeat.)
    pub async fn finish(self) {
        self.store.close().await;
        match self.cleanup {
            Cleanup::Sqlite(dir) => drop(dir),
            Cleanup::Postgres { url, schema } => Store::drop_schema(&url, &schema)
                .await
                .unwrap_or_else(|e| panic!("drop schema {schema}: {e}")),
        }
    }
}

/// Runs `body` on SQLite, then on PostgreSQL when [`POSTGRES_ENV`] is set.
pub async fn each_backend<F, Fut>(body: F)
where
    F: Fn(Db) -> Fut,
    Fut: Future<Output = ()>,
{
    let mut backends = vec![Db::Sqlite];
    if let Ok(url) = std::env::var(POSTGRES_ENV)
        && !url.trim().is_empty()
    {
        backends.push(Db::Postgres(url));
    }
    for db in backends {
        let name = db.name();
        eprintln!("--- running on {name}");
        let started = Instant::now();
        body(db).await;
        eprintln!(
            "--- {name} done in {:.2} s",
            started.elapsed().as_secs_f64()
        );
    }
}

/// A file of `data/upr/`.
pub fn bundled(file: &str) -> Vec<u8> {
    let path = format!("{BUNDLED_DIR}/{file}");
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

/// A file of `data/upr/` that the demo does not import (the Turkmenistan subset).
pub fn shared(file: &str) -> Vec<u8> {
    let path = format!("{BUNDLED_DIR}/{file}");
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

/// One of the bundled OHCHR Word files, read with what its page header says.
pub fn matrix(file: &str) -> ImportBatch {
    matrix_with(file, &MatrixOptions::default())
}

pub fn matrix_with(file: &str, options: &MatrixOptions) -> ImportBatch {
    ohchr_matrix::read(&bundled(file), file, options).unwrap_or_else(|e| panic!("{e}"))
}

/// UPR Info's export of sessions 1–20 (41,064 rows), read once per test run.
pub fn upr_info_sessions_1_to_20() -> &'static ImportBatch {
    static BATCH: LazyLock<ImportBatch> = LazyLock::new(|| {
        let csv = hrtrack_import::input::unzip_single_csv(&bundled(UPR_INFO_ZIP), UPR_INFO_ZIP)
            .unwrap_or_else(|e| panic!("{e}"));
        hrtrack_import::upr_info::read(&csv, UPR_INFO_ZIP).unwrap_or_else(|e| panic!("{e}"))
    });
    &BATCH
}

/// UPR Info's rows for Turkmenistan, cycles 1–2.
pub fn turkmenistan() -> ImportBatch {
    hrtrack_import::upr_info::read(&shared(TURKMENISTAN_CSV), TURKMENISTAN_CSV)
        .unwrap_or_else(|e| panic!("{e}"))
}

/// A table in the export's own column names, read as `hrtrack import table` reads it.
pub fn table(csv: &str) -> ImportBatch {
    hrtrack_import::table::read(csv.as_bytes(), "t.csv", None).unwrap_or_else(|e| panic!("{e}"))
}

/// Imports `batch`, which must succeed.
pub async fn import(store: &Store, batch: &ImportBatch) -> ImportSummary {
    store
        .import_batch(batch, &mut |_| {})
        .await
        .unwrap_or_else(|e| panic!("import of {}: {e}", batch.source))
}

/// Imports `batch`, which must fail.
pub async fn import_err(store: &Store, batch: &ImportBatch) -> StoreError {
    match store.import_batch(batch, &mut |_| {}).await {
        Ok(summary) => panic!(
            "import of {} should fail, but it did: {summary:?}",
            batch.source
        ),
        Err(e) => e,
    }
}

/// Every recommendation in the store, in registry order.
pub async fn all(store: &Store) -> Vec<RecommendationRecord> {
    store
        .list(&RecommendationFilter::default(), None, 0)
        .await
        .expect("list")
}

/// The filter for one UPR review of a State (name or ISO code).
pub fn review(state: &str, cycle: u8) -> RecommendationFilter {
    RecommendationFilter {
        state: Some(state.to_owned()),
        cycle: Some(Cycle::new(cycle).expect("a cycle")),
        ..Default::default()
    }
}

pub fn session(n: u16) -> Session {
    Session::new(n).expect("a session")
}

/// The stable ids of `records`, for comparing sets of them.
pub fn uids(records: &[RecommendationRecord]) -> Vec<String> {
    records.iter().map(|r| r.uid.clone()).collect()
}
