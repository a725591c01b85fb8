//! The index itself: where it lives (memory or a directory), and how it is built from the
//! store and kept current.
//!
//! The store's data version an index reflects is saved in the index's commit payload, so an
//! index opened from a directory knows whether it is still current. [`SearchIndex::refresh`]
//! compares it with the store's: when an import came since, it replaces the documents of just
//! the reviews the later imports wrote to (see `Store::reviews_written_after_run`); when the
//! versions cannot be related (no import recorded, another writer) or many reviews changed,
//! it rebuilds everything.
//!
//! Ties between equal scores come in registry order as of the last full rebuild; reviews
//! re-indexed by a refresh since then come after the others, in registry order among
//! themselves.

use std::path::Path;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use hrtrack_db::countries::CountryIndex;
use hrtrack_db::{RecommendationFilter, RecommendationRecord, ReviewKey, Store};
use hrtrack_domain::{Cycle, Mechanism};
use tantivy::directory::MmapDirectory;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

use crate::SearchError;
use crate::facets;
use crate::schema::{self, Fields, ORDINAL_FIELD};

/// Memory the index writer may use before it flushes a segment (bytes).
const WRITER_MEMORY: usize = 64 * 1024 * 1024;
/// Recommendations read from the store per query while rebuilding.
const REBUILD_PAGE: i64 = 5_000;
/// Above this many changed reviews, a refresh rebuilds everything instead.
const MAX_REVIEWS_PER_REFRESH: usize = 100;

/// A handle on the index: cheap to clone, shareable between threads and tasks.
#[derive(Clone)]
pub struct SearchIndex {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub index: Index,
    pub reader: IndexReader,
    pub fields: Fields,
    /// What the index was last built from.
    pub built: RwLock<BuiltFrom>,
    /// One writer at a time (rebuild or refresh).
    writing: tokio::sync::Mutex<()>,
}

/// The store state the index reflects.
#[derive(Default)]
pub(crate) struct BuiltFrom {
    /// The store's data version at the last build, when known.
    pub data_version: Option<String>,
    /// The store's country table, to resolve State names in filters; loaded by the first
    /// rebuild or refresh of this handle.
    pub countries: Option<Arc<CountryIndex>>,
}

/// What a rebuild or a refresh did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct IndexReport {
    /// Recommendations (re)indexed.
    pub recommendations: u64,
    /// `None` for a full rebuild; else the number of reviews whose documents were replaced.
    pub reviews: Option<usize>,
    /// The store's data version the index now reflects.
    pub data_version: String,
    #[serde(with = "duration_millis")]
    pub elapsed: Duration,
}

mod duration_millis {
    //! A duration as whole milliseconds in JSON.
    pub fn serialize<S: serde::Serializer>(
        duration: &std::time::Duration,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.serialize_u64(u64::try_from(duration.as_millis()).unwrap_or(u64::MAX))
    }
}

impl SearchIndex {
    /// An empty index in memory (tests, or a server that builds on start).
    pub fn in_memory() -> Result<Self, SearchError> {
        let (schema, fields) = schema::build_schema();
        Self::from_index(Index::create_in_ram(schema), fields)
    }

    /// The index in `dir` (created, with the directory, when missing). An index made by a
    /// different version of hrtrack with another schema is refused: delete the directory
    /// and run `hrtrack reindex`. One process at a time may write to a directory.
    pub fn open_or_create(dir: &Path) -> Result<Self, SearchError> {
        let directory_error = |error: &dyn std::fmt::Display| SearchError::Directory {
            path: dir.display().to_string(),
            message: error.to_string(),
        };
        std::fs::create_dir_all(dir).map_err(|e| directory_error(&e))?;
        let directory = MmapDirectory::open(dir).map_err(|e| directory_error(&e))?;
        let (schema, fields) = schema::build_schema();
        let index = Index::open_or_create(directory, schema.clone())
            .map_err(|_| SearchError::IncompatibleIndex(dir.display().to_string()))?;
        if index.schema() != schema {
            return Err(SearchError::IncompatibleIndex(dir.display().to_string()));
        }
        Self::from_index(index, fields)
    }

    fn from_index(index: Index, fields: Fields) -> Result<Self, SearchError> {
        schema::register_analyzers(&index);
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let data_version = index.load_metas()?.payload;
        Ok(Self {
            inner: Arc::new(Inner {
                index,
                reader,
                fields,
                built: RwLock::new(BuiltFrom {
                    data_version,
                    countries: None,
                }),
                writing: tokio::sync::Mutex::new(()),
            }),
        })
    }

    /// The store's data version this index reflects, if it was ever built.
    pub fn data_version(&self) -> Option<String> {
        self.built_from().data_version.clone()
    }

    /// Rebuilds the index from every current (not superseded) recommendation of the store.
    /// Searches see the previous index until the new one is committed.
    pub async fn rebuild(&self, store: &Store) -> Result<IndexReport, SearchError> {
        let _one_writer = self.inner.writing.lock().await;
        self.rebuild_locked(store).await
    }

    /// Brings the index up to date when the store changed since it was built (one cheap
    /// query when it did not); returns what it did, `None` when nothing changed. Also loads
    /// the country table a fresh handle needs to resolve State names in filters.
    pub async fn refresh(&self, store: &Store) -> Result<Option<IndexReport>, SearchError> {
        let _one_writer = self.inner.writing.lock().await;
        let current = store.data_version().await?;
        let built = self.data_version();
        if built.as_deref() == Some(current.as_str()) {
            if self.built_from().countries.is_none() {
                let countries = Arc::new(CountryIndex::load(store).await?);
                self.built_from_mut().countries = Some(countries);
            }
            return Ok(None);
        }
        let built_run = built.as_deref().and_then(Store::import_run_of_version);
        let current_run = Store::import_run_of_version(&current);
        let report = match (built_run, current_run) {
            (Some(built_run), Some(current_run)) if built_run < current_run => {
                let reviews = store.reviews_written_after_run(built_run).await?;
                if reviews.len() <= MAX_REVIEWS_PER_REFRESH {
                    self.reindex_reviews(store, current, &reviews).await?
                } else {
                    self.rebuild_locked(store).await?
                }
            }
            _ => self.rebuild_locked(store).await?,
        };
        Ok(Some(report))
    }

    async fn rebuild_locked(&self, store: &Store) -> Result<IndexReport, SearchError> {
        let started = Instant::now();
        // Read the version first: an import landing during the rebuild leaves the index
        // marked older than what it holds, so the next refresh looks again.
        let data_version = store.data_version().await?;
        let countries = CountryIndex::load(store).await?;
        let writer = self.writer()?;
        writer.delete_all_documents()?;
        let mut ordinal: u64 = 0;
        let mut offset = 0;
        loop {
            let page = store
                .list(&RecommendationFilter::default(), Some(REBUILD_PAGE), offset)
                .await?;
            for record in &page {
                writer.add_document(self.document(record, ordinal, &countries))?;
                ordinal += 1;
            }
            if page.len() < usize::try_from(REBUILD_PAGE).unwrap_or(usize::MAX) {
                break;
            }
            offset += REBUILD_PAGE;
        }
        self.commit(writer, &data_version, countries)?;
        Ok(IndexReport {
            recommendations: ordinal,
            reviews: None,
            data_version,
            elapsed: started.elapsed(),
        })
    }

    /// Replaces the documents of `reviews` with their current recommendations.
    async fn reindex_reviews(
        &self,
        store: &Store,
        data_version: String,
        reviews: &[ReviewKey],
    ) -> Result<IndexReport, SearchError> {
        let started = Instant::now();
        let countries = CountryIndex::load(store).await?;
        let mut records: Vec<RecommendationRecord> = Vec::new();
        for review in reviews {
            let Ok(mechanism) = Mechanism::parse(&review.mechanism) else {
                return self.rebuild_locked(store).await;
            };
            let filter = RecommendationFilter {
                state: Some(review.iso3.clone()),
                mechanism: Some(mechanism),
                // Cycle 0 (not numbered) is no filter value: take all, keep cycle 0 below.
                cycle: u8::try_from(review.cycle)
                    .ok()
                    .and_then(|c| Cycle::new(c).ok()),
                ..Default::default()
            };
            let listed = store.list(&filter, None, 0).await?;
            records.extend(
                listed
                    .into_iter()
                    .filter(|record| record.cycle.unwrap_or(0) == review.cycle),
            );
        }
        let mut ordinal = self.next_ordinal();
        let writer = self.writer()?;
        for review in reviews {
            writer.delete_term(Term::from_field_text(
                self.inner.fields.review,
                &review_key_text(&review.iso3, &review.mechanism, review.cycle),
            ));
        }
        for record in &records {
            writer.add_document(self.document(record, ordinal, &countries))?;
            ordinal += 1;
        }
        self.commit(writer, &data_version, countries)?;
        Ok(IndexReport {
            recommendations: records.len() as u64,
            reviews: Some(reviews.len()),
            data_version,
            elapsed: started.elapsed(),
        })
    }

    fn writer(&self) -> Result<IndexWriter<TantivyDocument>, SearchError> {
        Ok(self.inner.index.writer(WRITER_MEMORY)?)
    }

    /// Commits with the data version as payload and makes searches see the result.
    fn commit(
        &self,
        mut writer: IndexWriter<TantivyDocument>,
        data_version: &str,
        countries: CountryIndex,
    ) -> Result<(), SearchError> {
        let mut commit = writer.prepare_commit()?;
        commit.set_payload(data_version);
        commit.commit()?;
        writer.wait_merging_threads()?;
        self.inner.reader.reload()?;
        let mut built = self.built_from_mut();
        built.data_version = Some(data_version.to_owned());
        built.countries = Some(Arc::new(countries));
        Ok(())
    }

    /// One recommendation as a document.
    fn document(
        &self,
        record: &RecommendationRecord,
        ordinal: u64,
        countries: &CountryIndex,
    ) -> TantivyDocument {
        let fields = self.inner.fields;
        let mut document = TantivyDocument::default();
        document.add_text(fields.uid, &record.uid);
        document.add_u64(fields.ordinal, ordinal);
        document.add_text(
            fields.review,
            review_key_text(
                &record.state_iso3,
                &record.mechanism,
                record.cycle.unwrap_or(0),
            ),
        );
        if let Some(paragraph) = &record.paragraph {
            document.add_text(fields.paragraph, paragraph);
        }
        for field in [
            fields.text,
            fields.text_en,
            fields.text_ru,
            fields.text_words,
        ] {
            document.add_text(field, &record.text);
        }
        for facet in facets::of_record(record, countries) {
            document.add_facet(fields.facets, facet);
        }
        document
    }

    /// The ordinal after every one in the index (0 when empty).
    fn next_ordinal(&self) -> u64 {
        let searcher = self.inner.reader.searcher();
        searcher
            .segment_readers()
            .iter()
            .filter_map(|segment| segment.fast_fields().u64(ORDINAL_FIELD).ok())
            .map(|column| column.max_value().saturating_add(1))
            .max()
            .unwrap_or(0)
    }

    pub(crate) fn built_from(&self) -> std::sync::RwLockReadGuard<'_, BuiltFrom> {
        // A panic while holding the lock leaves plain data behind: use it.
        self.inner
            .built
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn built_from_mut(&self) -> std::sync::RwLockWriteGuard<'_, BuiltFrom> {
        self.inner
            .built
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The `review` field's value: `ISO3/MECHANISM/cycle`.
fn review_key_text(iso3: &str, mechanism: &str, cycle: i64) -> String {
    format!("{iso3}/{mechanism}/{cycle}")
}
