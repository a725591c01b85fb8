//! The SDG data API: the indicators with their reporting status
//! (`GET /api/v1/sdg/indicators`) and a slice of one indicator's published observations
//! (`GET /api/v1/sdg/data/{code}`) as JSON or in the download formats. A slice is named by
//! `series`, any dimension id of the data with a comma list of codes (`SEX=F,M`; `_T` also
//! matches a total left blank), `UNIT_MEASURE`, `startPeriod` and `endPeriod`; dimensions not
//! named are not filtered.

use axum::Json;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Query, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::AppState;
use crate::error::{ApiError, ErrorCode};
use crate::sdg_pages::{Download, SliceDefaults, choose_slice};

/// The longest indicator code looked up.
const MAX_CODE_CHARS: usize = 30;

/// The query's pairs, empty values left out (they count as absent, as elsewhere).
fn query_pairs(uri: &Uri) -> Result<Vec<(String, String)>, ApiError> {
    let Query(pairs) = Query::<Vec<(String, String)>>::try_from_uri(uri)
        .map_err(|rejection| ApiError::bad_request(rejection.body_text()))?;
    Ok(pairs
        .into_iter()
        .filter(|(_, value)| !value.trim().is_empty())
        .collect())
}

/// `GET /api/v1/sdg/indicators`: every indicator with its titles and published data.
pub(crate) async fn indicators(
    State(state): State<AppState>,
    uri: Uri,
) -> Result<Response, ApiError> {
    if let Some((name, _)) = query_pairs(&uri)?.first() {
        let shown: String = name.chars().take(60).collect();
        return Err(ApiError::bad_request(format!(
            "unknown parameter {shown:?}"
        )));
    }
    let items = state.store().sdg_indicator_statuses(None).await?;
    Ok(Json(json!({ "items": items })).into_response())
}

/// `GET /api/v1/sdg/data/{code}`: the slice the parameters name, as `format` (JSON by
/// default: `{"indicator", "observations"}`).
pub(crate) async fn data(
    State(state): State<AppState>,
    code: Result<Path<String>, PathRejection>,
    uri: Uri,
) -> Result<Response, ApiError> {
    let Path(code) = code.map_err(|rejection| ApiError::bad_request(rejection.body_text()))?;
    let no_such = || ApiError::new(ErrorCode::NotFound, "no such SDG indicator");
    if code.chars().count() > MAX_CODE_CHARS {
        return Err(no_such());
    }
    let indicator = state
        .store()
        .sdg_indicator(code.trim())
        .await?
        .ok_or_else(no_such)?;
    let pairs = query_pairs(&uri)?;
    let format = pairs
        .iter()
        .find(|(name, _)| name == "format")
        .map_or("json", |(_, value)| value.as_str());
    let download = Download::from_api_format(format).ok_or_else(|| {
        ApiError::new(
            ErrorCode::UnsupportedFormat,
            "format must be json, csv, sdmx-csv or open-sdg",
        )
    })?;
    let breakdowns = state.store().sdg_breakdowns(&indicator.code).await?;
    let chosen = choose_slice(&pairs, &breakdowns, &["format"], SliceDefaults::Open)
        .map_err(ApiError::bad_request)?;
    let observations = state
        .store()
        .sdg_slice(&indicator.code, &chosen.slice)
        .await?;
    if download == Download::Json {
        return Ok(Json(json!({
            "indicator": indicator.code,
            "observations": observations,
        }))
        .into_response());
    }
    Ok(download.respond(&indicator.code, None, &observations))
}
