//! The hrtrack search index (tantivy), derived from the store and rebuilt from it at will.
//!
//! ```text
//! let index = SearchIndex::open_or_create(dir)?;      // or SearchIndex::in_memory()
//! index.refresh(&store).await?;                       // catches up when the store changed
//! let query = SearchQuery { text: "tortu".into(), limit: 20, ..Default::default() };
//! let results = index.search(&query)?;
//! // results.total, results.facets.get(FacetKind::Position), results.hits[i].uid / .snippet
//! ```
//!
//! - **Text**: every recommendation's text is indexed under the English and the Russian
//!   stemmer and as exact lowercased words (module `schema`). Typed text is never parsed as
//!   tantivy syntax (module `query`): words must all match, `"quoted phrases"` match as
//!   phrases, the last word also matches as a prefix (as-you-type); anything else is a
//!   separator. Hostile text cannot make a search fail.
//! - **Facets** (module `facets`): the dimensions of `RecommendationFilter`, counted over the
//!   whole result of each query and used to narrow it; the counts equal the store's `stats`
//!   for the same filter.
//! - **Results** (module `search`): the total, one page (`offset`, `limit` ≤ [`MAX_PAGE`];
//!   a page past the end is empty) ordered by score with ties in registry order, each hit's
//!   `uid` (callers fetch the records from the store) and a plain-text snippet with byte
//!   ranges of the matched words.
//! - **Freshness** (module `index`): [`SearchIndex::refresh`] compares the store's data
//!   version with the one the index reflects (kept in the index's commit payload) and, when
//!   imports came since, replaces the documents of just the reviews they wrote to (a full
//!   rebuild when many changed or the versions cannot be related); [`SearchIndex::rebuild`]
//!   always rebuilds. Both run their CPU work on the calling task: a server calls them from
//!   a background task; searches meanwhile see the previous commit.
//!
//! Storage: `open_or_create` keeps the index in a directory (memory-mapped, tantivy's
//! `mmap` feature), so `hrtrack search` in a fresh process starts without rebuilding;
//! `in_memory` suits tests and servers that build on start.

mod facets;
mod index;
mod query;
mod schema;
mod search;

pub use facets::{FacetKind, Facets};
pub use index::{IndexReport, SearchIndex};
pub use query::{MAX_CLAUSES, MAX_QUERY_CHARS};
pub use search::{Hit, MAX_PAGE, SearchQuery, SearchResults, Snippet};

/// Everything that can go wrong in the index.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// A State in the filter that the country table does not know (the caller's mistake:
    /// a 400, not a 500).
    #[error("unknown State {0:?}: give a name or an ISO 3166 alpha-3 code")]
    UnknownState(String),
    #[error("search index directory {path}: {message}")]
    Directory { path: String, message: String },
    #[error(
        "the search index in {0} was made by another version of hrtrack: delete that directory and run `hrtrack reindex`"
    )]
    IncompatibleIndex(String),
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error(transparent)]
    Store(#[from] hrtrack_db::StoreError),
}
