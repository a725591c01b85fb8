//! Full-text search for the API and the pages: a filter whose `text` (the `q` parameter) is
//! present is answered by the state's [`hrtrack_search::SearchIndex`] — relevance order,
//! facets filtered and counted in the index, a snippet per hit — and the records of the
//! page are then read from the store by their uids. Without `q`, callers ask the store as
//! before (registry order).

use hrtrack_db::{RecommendationFilter, RecommendationRecord};
use hrtrack_search::{Facets, MAX_PAGE, SearchError, SearchQuery, Snippet};

use crate::AppState;
use crate::error::{ApiError, ErrorCode};

/// One page of a full-text search.
pub struct Found {
    /// How many recommendations match (all pages).
    pub total: i64,
    /// The page's records in relevance order, each with its snippet.
    pub hits: Vec<(RecommendationRecord, Snippet)>,
    /// The facet counts of the whole result.
    pub facets: Facets,
}

/// The search text of `filter` when it has one (else the store answers, in registry order).
pub fn text_of(filter: &RecommendationFilter) -> Option<&str> {
    filter.text.as_deref().filter(|t| !t.trim().is_empty())
}

/// One page (`offset`, at most `limit` hits) of the search `text` within the facets of
/// `filter`; with the facet counts of the whole result when `with_facets`.
pub async fn search(
    state: &AppState,
    text: &str,
    filter: &RecommendationFilter,
    (offset, limit): (i64, i64),
    with_facets: bool,
) -> Result<Found, ApiError> {
    let query = SearchQuery {
        text: text.to_owned(),
        filter: RecommendationFilter {
            text: None,
            ..filter.clone()
        },
        offset: usize::try_from(offset).unwrap_or(usize::MAX),
        limit: usize::try_from(limit).unwrap_or(0).min(MAX_PAGE),
    };
    let index = state.index().clone();
    let results = tokio::task::spawn_blocking(move || {
        if with_facets {
            index.search(&query)
        } else {
            index.search_hits(&query)
        }
    })
    .await
    .map_err(|error| {
        tracing::error!(%error, "search task failed");
        internal()
    })?
    .map_err(search_error)?;
    let uids: Vec<String> = results.hits.iter().map(|hit| hit.uid.clone()).collect();
    let records = records_by_uid(state, uids).await?;
    let hits = results
        .hits
        .into_iter()
        .zip(records)
        // A record deleted since the index last refreshed is left out of the page.
        .filter_map(|(hit, record)| record.map(|record| (record, hit.snippet)))
        .collect();
    Ok(Found {
        total: i64::try_from(results.total).unwrap_or(i64::MAX),
        hits,
        facets: results.facets,
    })
}

/// Every match of the search, in relevance order (for downloads).
pub async fn search_all(
    state: &AppState,
    text: &str,
    filter: &RecommendationFilter,
) -> Result<Vec<RecommendationRecord>, ApiError> {
    let page = i64::try_from(MAX_PAGE).unwrap_or(i64::MAX);
    let mut records = Vec::new();
    let mut offset = 0;
    loop {
        let found = search(state, text, filter, (offset, page), false).await?;
        records.extend(found.hits.into_iter().map(|(record, _)| record));
        offset += page;
        if offset >= found.total {
            return Ok(records);
        }
    }
}

/// The records of `uids`, in that order (`None` for a uid the store no longer has), in one
/// query.
async fn records_by_uid(
    state: &AppState,
    uids: Vec<String>,
) -> Result<Vec<Option<RecommendationRecord>>, ApiError> {
    let mut found: std::collections::HashMap<String, RecommendationRecord> = state
        .store()
        .records_by_uids(&uids)
        .await?
        .into_iter()
        .map(|record| (record.uid.clone(), record))
        .collect();
    Ok(uids.iter().map(|uid| found.remove(uid)).collect())
}

/// An index error as the API reports it: an unknown State is the caller's mistake.
fn search_error(error: SearchError) -> ApiError {
    match error {
        SearchError::UnknownState(_) => ApiError::invalid_filter(error.to_string()),
        other => {
            tracing::error!(error = %other, "search failed");
            internal()
        }
    }
}

fn internal() -> ApiError {
    ApiError::new(
        ErrorCode::Internal,
        "the server could not answer this request; it has been logged",
    )
}
