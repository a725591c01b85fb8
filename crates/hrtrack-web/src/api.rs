//! The routes and their handlers: `/healthz` and the JSON API under `/api/v1` (unknown
//! paths outside `/api/` get the HTML 404 page of [`pages`]).
//!
//! [`route_table`] is the one list of routed paths: the router is built from it and the
//! tests compare it with the paths of the OpenAPI document. Handlers parse their query
//! strings with [`ApiQuery`], ask the store (or the search index, for `q`), and answer JSON (or a CSV/XLSX download); every
//! failure is an [`ApiError`].

use std::sync::LazyLock;

use axum::Json;
use axum::Router;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{MethodRouter, get};
use hrtrack_db::{RecommendationFilter, RecommendationRecord};
use hrtrack_domain::SdgGoal;
use hrtrack_import::export::{self, ExportFormat};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::AppState;
use crate::error::{ApiError, ErrorCode};
use crate::query::{ApiQuery, FilterParams, ListParams, ListRequest, TagParams, present};
use crate::{docs_page, openapi, pages, roadmap_api, sdg_api, sdg_collect, search};

/// The longest recommendation id looked up; longer ones cannot exist.
const MAX_UID_CHARS: usize = 200;

/// Every routed path (axum syntax, `{name}` for a parameter) with its handlers.
fn route_table() -> Vec<(&'static str, MethodRouter<AppState>)> {
    vec![
        ("/healthz", get(healthz)),
        ("/api/v1/recommendations", get(list_recommendations)),
        ("/api/v1/recommendations/{uid}", get(one_recommendation)),
        ("/api/v1/reviews", get(reviews)),
        ("/api/v1/states", get(states)),
        ("/api/v1/themes", get(themes)),
        ("/api/v1/sdg/goals", get(sdg_goals)),
        ("/api/v1/sdg/goals/{goal}/targets", get(sdg_targets)),
        ("/api/v1/sdg/indicators", get(sdg_api::indicators)),
        ("/api/v1/sdg/data/{code}", get(sdg_api::data)),
        ("/api/v1/stats", get(stats)),
        ("/api/v1/openapi.json", get(openapi_json)),
        ("/api/v1/docs", get(docs)),
    ]
    .into_iter()
    .chain(roadmap_api::route_table())
    .chain(sdg_collect::api_route_table())
    .collect()
}

/// The paths the router serves, in the order of the route table.
pub fn routed_paths() -> Vec<&'static str> {
    route_table().into_iter().map(|(path, _)| path).collect()
}

/// The routes, with JSON answers for unknown paths and methods.
pub fn routes() -> Router<AppState> {
    route_table()
        .into_iter()
        .fold(Router::new(), |router, (path, handler)| {
            router.route(path, handler)
        })
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
}

/// Unknown paths: a JSON error under `/api/`, the HTML 404 page elsewhere.
async fn not_found(uri: Uri, headers: HeaderMap) -> Response {
    if uri.path().starts_with("/api/") {
        ApiError::new(ErrorCode::NotFound, "no such path; see /api/v1/docs").into_response()
    } else {
        pages::not_found(&uri, &headers)
    }
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        ErrorCode::MethodNotAllowed,
        "this path does not answer this method; see /api/v1/docs",
    )
}

/// Endpoints without parameters still refuse unknown ones, as the others do.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NoParams {}

/// `GET /healthz`: 200 when the database answers, 503 when it does not.
async fn healthz(State(state): State<AppState>) -> Response {
    match state.store().ping().await {
        Ok(()) => Json(json!({"status": "ok"})).into_response(),
        Err(error) => {
            tracing::error!(%error, "health check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({"status": "unavailable"})),
            )
                .into_response()
        }
    }
}

/// One page of recommendations.
#[derive(Debug, Serialize)]
struct RecommendationPage {
    total: i64,
    page: i64,
    per_page: i64,
    offset: i64,
    items: Vec<RecommendationRecord>,
}

/// `GET /api/v1/recommendations`: a page as JSON, or the list as CSV or XLSX; with `q`,
/// found through the search index in relevance order, else in registry order.
async fn list_recommendations(
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Response, ApiError> {
    let ListRequest {
        filter,
        paging,
        format,
    } = params.to_request()?;
    if let Some(text) = search::text_of(&filter) {
        if format == ExportFormat::Json {
            let found = search::search(
                &state,
                text,
                &filter,
                (paging.offset, paging.per_page),
                false,
            )
            .await?;
            return Ok(Json(RecommendationPage {
                total: found.total,
                page: paging.page,
                per_page: paging.per_page,
                offset: paging.offset,
                items: found.hits.into_iter().map(|(record, _)| record).collect(),
            })
            .into_response());
        }
        let records = if paging.explicit {
            search::search(
                &state,
                text,
                &filter,
                (paging.offset, paging.per_page),
                false,
            )
            .await?
            .hits
            .into_iter()
            .map(|(record, _)| record)
            .collect()
        } else {
            search::search_all(&state, text, &filter).await?
        };
        return download(&records, format);
    }
    let store = state.store();
    if format == ExportFormat::Json {
        let total = store.count(&filter).await?;
        let items = store
            .list(&filter, Some(paging.per_page), paging.offset)
            .await?;
        return Ok(Json(RecommendationPage {
            total,
            page: paging.page,
            per_page: paging.per_page,
            offset: paging.offset,
            items,
        })
        .into_response());
    }
    let records = if paging.explicit {
        store
            .list(&filter, Some(paging.per_page), paging.offset)
            .await?
    } else {
        store.list(&filter, None, 0).await?
    };
    download(&records, format)
}

/// The records as a file to download.
fn download(records: &[RecommendationRecord], format: ExportFormat) -> Result<Response, ApiError> {
    let bytes = export::write(records, format).map_err(|error| {
        tracing::error!(%error, "export failed");
        ApiError::new(ErrorCode::Internal, "the export could not be written")
    })?;
    let content_type = match format {
        ExportFormat::Csv => "text/csv; charset=utf-8",
        ExportFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ExportFormat::Json => "application/json",
    };
    let disposition = format!(
        "attachment; filename=\"hrtrack-recommendations.{}\"",
        format.extension()
    );
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

/// `GET /api/v1/recommendations/{uid}`.
async fn one_recommendation(
    State(state): State<AppState>,
    uid: Result<Path<String>, PathRejection>,
    ApiQuery(NoParams {}): ApiQuery<NoParams>,
) -> Result<Json<RecommendationRecord>, ApiError> {
    let Path(uid) = uid.map_err(|rejection| ApiError::bad_request(rejection.body_text()))?;
    let not_found = || {
        ApiError::new(
            ErrorCode::RecommendationNotFound,
            "no recommendation has this id",
        )
    };
    if uid.chars().count() > MAX_UID_CHARS {
        return Err(not_found());
    }
    let filter = RecommendationFilter {
        uid: Some(uid),
        ..RecommendationFilter::default()
    };
    let mut found = state.store().list(&filter, Some(1), 0).await?;
    found.pop().map(Json).ok_or_else(not_found)
}

/// A list answer: `{"items": [...]}`, open to more fields later.
#[derive(Debug, Serialize)]
struct Items<T> {
    items: Vec<T>,
}

/// `GET /api/v1/reviews`.
async fn reviews(
    State(state): State<AppState>,
    ApiQuery(NoParams {}): ApiQuery<NoParams>,
) -> Result<Json<Items<hrtrack_db::ReviewRecord>>, ApiError> {
    let items = state.store().reviews().await?;
    Ok(Json(Items { items }))
}

/// `GET /api/v1/states`.
async fn states(
    State(state): State<AppState>,
    ApiQuery(NoParams {}): ApiQuery<NoParams>,
) -> Result<Json<Items<hrtrack_db::StateCount>>, ApiError> {
    let items = state.store().states_with_counts().await?;
    Ok(Json(Items { items }))
}

/// The tag kinds `/themes?kind=` accepts.
const TAG_KINDS: [&str; 3] = ["theme", "upr_issue", "affected_person"];

/// `GET /api/v1/themes[?kind=theme|upr_issue|affected_person]`.
async fn themes(
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery<TagParams>,
) -> Result<Json<Items<hrtrack_db::TagCount>>, ApiError> {
    let kind = present("kind", params.kind.as_deref())?;
    if let Some(kind) = &kind
        && !TAG_KINDS.contains(&kind.as_str())
    {
        return Err(ApiError::invalid_filter(
            "kind must be theme, upr_issue or affected_person",
        ));
    }
    let mut items = state.store().tag_counts().await?;
    if let Some(kind) = kind {
        items.retain(|tag| tag.kind == kind);
    }
    Ok(Json(Items { items }))
}

/// `GET /api/v1/sdg/goals`.
async fn sdg_goals(
    State(state): State<AppState>,
    ApiQuery(NoParams {}): ApiQuery<NoParams>,
) -> Result<Json<Items<hrtrack_db::SdgGoalTitles>>, ApiError> {
    let items = state.store().sdg_goals().await?;
    Ok(Json(Items { items }))
}

/// `GET /api/v1/sdg/goals/{goal}/targets`.
async fn sdg_targets(
    State(state): State<AppState>,
    goal: Result<Path<String>, PathRejection>,
    ApiQuery(NoParams {}): ApiQuery<NoParams>,
) -> Result<Json<Items<hrtrack_db::SdgTargetTitles>>, ApiError> {
    let Path(goal) = goal.map_err(|rejection| ApiError::bad_request(rejection.body_text()))?;
    let goal = SdgGoal::parse(goal.trim()).map_err(|_| {
        ApiError::new(
            ErrorCode::NotFound,
            "no such SDG goal: goals are numbered 1 to 17",
        )
    })?;
    let items = state
        .store()
        .sdg_targets_of_goal(i64::from(goal.get()))
        .await?;
    Ok(Json(Items { items }))
}

/// `GET /api/v1/stats`: what `hrtrack stats --json` prints, for the same filter.
async fn stats(
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery<FilterParams>,
) -> Result<Json<hrtrack_db::Stats>, ApiError> {
    let filter = params.to_filter()?;
    Ok(Json(state.store().stats(&filter).await?))
}

/// The OpenAPI document, built once.
static OPENAPI: LazyLock<serde_json::Value> = LazyLock::new(openapi::document);
/// The API page, rendered once from the document.
static DOCS_PAGE: LazyLock<String> = LazyLock::new(|| docs_page::render(&OPENAPI));

/// `GET /api/v1/openapi.json`.
async fn openapi_json() -> Json<&'static serde_json::Value> {
    Json(&*OPENAPI)
}

/// `GET /api/v1/docs`: the API page.
async fn docs() -> Html<&'static str> {
    Html(DOCS_PAGE.as_str())
}
