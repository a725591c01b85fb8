//! Query strings, parsed by typed structs and checked before anything reaches the store.
//!
//! Policy: unknown parameters are rejected (400 `bad_request`), so that a misspelt filter
//! (`postion=noted`) never silently widens the result; a parameter given twice is rejected
//! too; an empty value (`state=`) counts as absent; no value may be longer than
//! [`MAX_VALUE_CHARS`]. Facet values that name nothing the registry knows (an unknown State,
//! position or cycle) are `invalid_filter`; tag values (themes, affected persons) that match
//! nothing give an empty result.

use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use hrtrack_db::RecommendationFilter;
use hrtrack_domain::{Cycle, Mechanism, Position, RegionalGroup, SdgGoal, Session};
use hrtrack_import::export::ExportFormat;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, ErrorCode};

/// The longest value any parameter may have, in characters.
pub const MAX_VALUE_CHARS: usize = 500;
/// Recommendations per page when the client does not say.
pub const DEFAULT_PER_PAGE: i64 = 50;
/// The most recommendations one page may hold.
pub const MAX_PER_PAGE: i64 = 200;

/// A query string parsed as `T`; a string that does not fit is a 400 `bad_request`.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(value)) => Ok(Self(value)),
            Err(rejection) => Err(ApiError::bad_request(format!(
                "invalid query string: {}",
                rejection.body_text()
            ))),
        }
    }
}

/// The filter parameters shared by `/recommendations` and `/stats`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FilterParams {
    state: Option<String>,
    mechanism: Option<String>,
    cycle: Option<String>,
    session: Option<String>,
    recommending_state: Option<String>,
    group: Option<String>,
    position: Option<String>,
    theme: Option<String>,
    affected: Option<String>,
    sdg: Option<String>,
    q: Option<String>,
}

/// The parameters of `/recommendations`: the filter, paging and format.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    state: Option<String>,
    mechanism: Option<String>,
    cycle: Option<String>,
    session: Option<String>,
    recommending_state: Option<String>,
    group: Option<String>,
    position: Option<String>,
    theme: Option<String>,
    affected: Option<String>,
    sdg: Option<String>,
    q: Option<String>,
    page: Option<String>,
    per_page: Option<String>,
    offset: Option<String>,
    limit: Option<String>,
    format: Option<String>,
}

/// The parameters of `/themes`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TagParams {
    pub kind: Option<String>,
}

/// Which slice of the matching recommendations to return.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    pub page: i64,
    pub per_page: i64,
    pub offset: i64,
    /// Whether the client asked for a slice; downloads without one hold every match.
    pub explicit: bool,
}

/// A parsed `/recommendations` request.
#[derive(Debug)]
pub struct ListRequest {
    pub filter: RecommendationFilter,
    pub paging: Paging,
    pub format: ExportFormat,
}

/// A value with surrounding spaces trimmed, `None` when empty, refused when too long.
pub fn present(name: &str, value: Option<&str>) -> Result<Option<String>, ApiError> {
    let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if value.chars().count() > MAX_VALUE_CHARS {
        return Err(ApiError::bad_request(format!(
            "{name} is longer than {MAX_VALUE_CHARS} characters"
        )));
    }
    Ok(Some(value.to_owned()))
}

/// Parses a present value with a domain parser; its error becomes `invalid_filter`.
fn parse_facet<T, E: std::fmt::Display>(
    name: &str,
    value: Option<&str>,
    parse: impl Fn(&str) -> Result<T, E>,
) -> Result<Option<T>, ApiError> {
    present(name, value)?
        .map(|v| parse(&v).map_err(|e| ApiError::invalid_filter(format!("{name}: {e}"))))
        .transpose()
}

/// A whole number within `range`, or a `bad_request` naming the parameter.
fn parse_number(
    name: &str,
    value: Option<&str>,
    range: std::ops::RangeInclusive<i64>,
) -> Result<Option<i64>, ApiError> {
    let Some(text) = present(name, value)? else {
        return Ok(None);
    };
    match text.parse::<i64>() {
        Ok(n) if range.contains(&n) => Ok(Some(n)),
        _ => Err(ApiError::bad_request(format!(
            "{name} must be a whole number from {} to {}",
            range.start(),
            range.end()
        ))),
    }
}

/// The full-text query `q` kept in the filter's `text`: the list endpoints and pages hand a
/// filter with text to the search index (module `search`); `/stats` gives it to the store.
pub fn apply_text_query(filter: &mut RecommendationFilter, q: Option<String>) {
    filter.text = q;
}

/// The names of the filter parameters, as [`FilterParams`] reads them.
pub const FILTER_NAMES: [&str; 11] = [
    "state",
    "mechanism",
    "cycle",
    "session",
    "recommending_state",
    "group",
    "position",
    "theme",
    "affected",
    "sdg",
    "q",
];

impl FilterParams {
    /// The filter parameters with the values `value_of` gives for their names (the pages
    /// read their query strings themselves, with `lang` and `page` beside the filter).
    pub fn from_lookup(value_of: impl Fn(&str) -> Option<String>) -> Self {
        Self {
            state: value_of("state"),
            mechanism: value_of("mechanism"),
            cycle: value_of("cycle"),
            session: value_of("session"),
            recommending_state: value_of("recommending_state"),
            group: value_of("group"),
            position: value_of("position"),
            theme: value_of("theme"),
            affected: value_of("affected"),
            sdg: value_of("sdg"),
            q: value_of("q"),
        }
    }

    /// The store's filter for these parameters.
    pub fn to_filter(&self) -> Result<RecommendationFilter, ApiError> {
        let mut filter = RecommendationFilter {
            state: present("state", self.state.as_deref())?,
            mechanism: parse_facet("mechanism", self.mechanism.as_deref(), Mechanism::parse)?,
            cycle: parse_facet("cycle", self.cycle.as_deref(), Cycle::parse)?,
            session: parse_facet("session", self.session.as_deref(), Session::parse)?,
            recommending_state: present("recommending_state", self.recommending_state.as_deref())?,
            regional_group: parse_facet("group", self.group.as_deref(), RegionalGroup::parse)?,
            position: parse_facet("position", self.position.as_deref(), Position::parse)?,
            theme: present("theme", self.theme.as_deref())?,
            affected_person: present("affected", self.affected.as_deref())?,
            sdg_goal: parse_facet("sdg", self.sdg.as_deref(), SdgGoal::parse)?,
            ..RecommendationFilter::default()
        };
        apply_text_query(&mut filter, present("q", self.q.as_deref())?);
        Ok(filter)
    }
}

impl ListParams {
    /// The filter, the slice and the format this request asks for.
    pub fn to_request(&self) -> Result<ListRequest, ApiError> {
        let filter = self.filter_params().to_filter()?;
        let format = match present("format", self.format.as_deref())? {
            None => ExportFormat::Json,
            Some(name) => ExportFormat::parse(&name).ok_or_else(|| {
                ApiError::new(
                    ErrorCode::UnsupportedFormat,
                    "format must be json, csv or xlsx",
                )
            })?,
        };
        Ok(ListRequest {
            filter,
            paging: self.paging()?,
            format,
        })
    }

    /// The filter parameters alone (serde cannot flatten a struct that denies unknown
    /// fields, so they are listed in both structs).
    fn filter_params(&self) -> FilterParams {
        FilterParams {
            state: self.state.clone(),
            mechanism: self.mechanism.clone(),
            cycle: self.cycle.clone(),
            session: self.session.clone(),
            recommending_state: self.recommending_state.clone(),
            group: self.group.clone(),
            position: self.position.clone(),
            theme: self.theme.clone(),
            affected: self.affected.clone(),
            sdg: self.sdg.clone(),
            q: self.q.clone(),
        }
    }

    fn paging(&self) -> Result<Paging, ApiError> {
        let page = parse_number("page", self.page.as_deref(), 1..=i64::from(u32::MAX))?;
        let per_page = parse_number("per_page", self.per_page.as_deref(), 1..=MAX_PER_PAGE)?;
        let offset = parse_number("offset", self.offset.as_deref(), 0..=i64::from(u32::MAX))?;
        let limit = parse_number("limit", self.limit.as_deref(), 1..=MAX_PER_PAGE)?;
        let by_page = page.is_some() || per_page.is_some();
        let by_offset = offset.is_some() || limit.is_some();
        if by_page && by_offset {
            return Err(ApiError::bad_request(
                "page with per_page, or offset with limit: not both",
            ));
        }
        if by_offset {
            let limit = limit.unwrap_or(DEFAULT_PER_PAGE);
            let offset = offset.unwrap_or(0);
            return Ok(Paging {
                page: offset / limit + 1,
                per_page: limit,
                offset,
                explicit: true,
            });
        }
        let page = page.unwrap_or(1);
        let per_page = per_page.unwrap_or(DEFAULT_PER_PAGE);
        Ok(Paging {
            page,
            per_page,
            offset: (page - 1) * per_page,
            explicit: by_page,
        })
    }
}
