//! The public pages, rendered on the server as HTML that needs no script: home with its
//! charts (`/`), the searchable list with facets (`/recommendations`), one page per
//! recommendation (`/recommendations/{uid}`), per review (`/reviews/{iso3}/{mechanism}/{cycle}`),
//! per State (`/states/{iso3}`) and per SDG goal (`/sdg/{goal}`), the stylesheet
//! (`/static/hrtrack.css`), and the HTML 404 page of every path outside the API.
//!
//! With `q`, the list is found through the search index (module `search`): relevance order,
//! facet counts computed with the query, matched words marked from the index's snippet;
//! without it, the store answers in registry order with its statistics as facet counts.
//!
//! Each handler reads its query string itself: `lang` everywhere, the filter parameters of
//! the API and `page` on the list; any other parameter, or one given twice, is a 400 page.
//! Failures are pages too, in the page language: 404 for an unknown State, id or goal, 400
//! for a value the registry does not understand, 500 (logged) for our own faults.

use std::collections::HashMap;
use std::fmt::Write as _;

use axum::Router;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use hrtrack_db::{
    RecommendationFilter, RecommendationRecord, ReviewStats, SdgGoalTitles, StateCount, Stats,
    Store,
};
use hrtrack_domain::{Cycle, Mechanism, Position, RegionalGroup, SdgGoal};
use hrtrack_search::{FacetKind, Facets, Snippet};

use crate::AppState;
use crate::catalogues::Catalogue;
use crate::charts::{self, Bar, Series, StackedBar};
use crate::error::{ApiError, ErrorCode};
use crate::html::{Here, QueryString, escape, highlight, layout, query_words, url_encode};
use crate::i18n::{self, Lang};
use crate::page_cache::CachedPage;
use crate::query::{FILTER_NAMES, FilterParams};
use crate::search;

/// Recommendations per page of the list.
const PER_PAGE: i64 = 20;
/// Recommendations shown on a review, State or goal page before the link to the list.
const PREVIEW: i64 = 20;
/// The most bars a home-page chart draws (the largest reviews).
const MAX_CHART_BARS: usize = 30;
/// Texts up to this many characters show whole in search results; longer ones as the
/// index's passage around the matched words.
const WHOLE_TEXT_CHARS: usize = 400;
/// The most values a long facet (themes, affected persons) lists.
const MAX_FACET_VALUES: usize = 25;
/// The most characters of a parameter name an error page repeats.
const MAX_ECHOED_CHARS: usize = 60;
/// The longest path segment looked up; longer ones name nothing.
const MAX_SEGMENT_CHARS: usize = 200;

/// The page routes (merged into the application's router).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/recommendations", get(recommendation_list))
        .route("/recommendations/{uid}", get(recommendation_page))
        .route("/reviews/{iso3}/{mechanism}/{cycle}", get(review_page))
        .route("/states/{iso3}", get(state_page))
        .route("/sdg/{goal}", get(sdg_page))
        .route("/static/hrtrack.css", get(stylesheet))
}

/// What every page needs from its request: the language, whether to remember it, and where
/// the page is.
#[derive(Clone)]
pub struct PageRequest {
    pub(crate) lang: Lang,
    remember_lang: bool,
    pub(crate) path: String,
    pub(crate) query: QueryString,
}

impl PageRequest {
    fn from_parts(uri: &Uri, headers: &HeaderMap) -> Self {
        // Undecodable bytes become U+FFFD: such a value matches nothing.
        let pairs = Query::<Vec<(String, String)>>::try_from_uri(uri)
            .map(|Query(pairs)| pairs)
            .unwrap_or_default()
            .into_iter()
            // An empty field of the search form (`q=`) means "not set".
            .filter(|(_, value)| !value.trim().is_empty())
            .collect();
        let query = QueryString::new(pairs);
        let (lang, remember_lang) = i18n::choose(query.get("lang"), headers);
        Self {
            lang,
            remember_lang,
            path: uri.path().to_owned(),
            query,
        }
    }

    /// Refuses parameters outside `allowed` and parameters given twice.
    pub(crate) fn check_params(&self, allowed: &[&str]) -> Result<(), PageError> {
        let mut seen: Vec<&str> = Vec::new();
        for (name, _) in self.query.pairs() {
            // The name is echoed on the page; a hostile one is cut short.
            let shown: String = name.chars().take(MAX_ECHOED_CHARS).collect();
            if name != "lang" && !allowed.contains(&name.as_str()) {
                return Err(PageError::bad_request(format!(
                    "unknown parameter {shown:?}"
                )));
            }
            if seen.contains(&name.as_str()) {
                return Err(PageError::bad_request(format!(
                    "parameter {shown:?} given twice"
                )));
            }
            seen.push(name);
        }
        Ok(())
    }

    /// The page from the cache when it was rendered for the same language, address, data
    /// version and public version; else `render`ed once, however many requests ask for it
    /// meanwhile (kept when it succeeds).
    pub(crate) async fn answer(
        &self,
        app: &AppState,
        render: impl std::future::Future<Output = Result<Page, PageError>>,
    ) -> Response {
        let page = self.answer_page(app, render).await;
        self.respond(page)
    }

    /// [`PageRequest::answer`]'s page before the layout: from the cache or rendered.
    pub(crate) async fn answer_page(
        &self,
        app: &AppState,
        render: impl std::future::Future<Output = Result<Page, PageError>>,
    ) -> Result<Page, PageError> {
        let Some(version) = app.page_version().await else {
            return render.await;
        };
        let key = format!(
            "{} {} {:?}",
            self.lang.code(),
            self.path,
            self.query.pairs()
        );
        let rendered = async {
            render.await.map(|page| CachedPage {
                title: page.title,
                body: page.body,
            })
        };
        let cached = app.pages().get_or_render(&version, key, rendered).await?;
        Ok(Page {
            title: cached.title.clone(),
            body: cached.body.clone(),
        })
    }

    /// The answer: `page` in the layout, or the error page; with the language cookie when
    /// `?lang=` chose the language.
    pub(crate) fn respond(&self, page: Result<Page, PageError>) -> Response {
        match page {
            Ok(page) => self.respond_with(StatusCode::OK, page),
            Err(error) => self.respond_with(error.status, error.page(self.lang)),
        }
    }

    /// `page` in the layout with `status`.
    pub(crate) fn respond_with(&self, status: StatusCode, page: Page) -> Response {
        let lang = self.lang;
        let here = Here {
            path: &self.path,
            query: &self.query,
        };
        let html = layout(lang, &page.title, &here, &page.body);
        let mut response = (status, Html(html)).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_LANGUAGE,
            HeaderValue::from_static(lang.code()),
        );
        headers.insert(
            header::VARY,
            HeaderValue::from_static("Accept-Language, Cookie"),
        );
        if self.remember_lang {
            headers.insert(header::SET_COOKIE, i18n::cookie(lang));
        }
        response
    }
}

impl<S: Send + Sync> FromRequestParts<S> for PageRequest {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self::from_parts(&parts.uri, &parts.headers))
    }
}

/// A rendered page: its title and the HTML inside `<main>`.
pub(crate) struct Page {
    pub(crate) title: String,
    pub(crate) body: String,
}

/// Why a page could not be shown.
#[derive(Debug, Clone)]
pub(crate) struct PageError {
    pub(crate) status: StatusCode,
    /// What was wrong with the request, for a 400 (from the query parser, in English).
    pub(crate) detail: Option<String>,
}

impl PageError {
    pub(crate) fn not_found() -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            detail: None,
        }
    }

    pub(crate) fn bad_request(detail: String) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            detail: Some(detail),
        }
    }

    fn page(&self, lang: Lang) -> Page {
        let (title, text) = match self.status {
            StatusCode::NOT_FOUND => ("error.not_found", "error.not_found_text"),
            StatusCode::UNAUTHORIZED => ("error.unauthorized", "error.unauthorized_text"),
            StatusCode::FORBIDDEN => ("error.forbidden", "error.forbidden_text"),
            StatusCode::CONFLICT => ("error.conflict", "error.conflict_text"),
            StatusCode::TOO_MANY_REQUESTS => ("error.too_many", "error.too_many_text"),
            status if status.is_client_error() => ("error.bad_request", "error.bad_request_text"),
            _ => ("error.internal", "error.internal_text"),
        };
        let mut body = format!(
            "<h1>{}</h1><p>{}</p>",
            escape(lang.text(title)),
            escape(lang.text(text))
        );
        if let Some(detail) = &self.detail {
            let _ = write!(body, "<p><code>{}</code></p>", escape(detail));
        }
        let _ = write!(
            body,
            "<p><a href=\"/\">{}</a> · <a href=\"/recommendations\">{}</a></p>",
            escape(lang.text("nav.home")),
            escape(lang.text("nav.recommendations"))
        );
        Page {
            title: lang.text(title).to_owned(),
            body,
        }
    }
}

impl From<ApiError> for PageError {
    fn from(error: ApiError) -> Self {
        match error.code {
            ErrorCode::NotFound | ErrorCode::RecommendationNotFound | ErrorCode::RecordNotFound => {
                Self::not_found()
            }
            ErrorCode::MethodNotAllowed | ErrorCode::Internal => Self {
                status: StatusCode::INTERNAL_SERVER_ERROR,
                detail: None,
            },
            code => Self {
                status: code.status(),
                detail: Some(error.message),
            },
        }
    }
}

impl From<hrtrack_db::StoreError> for PageError {
    fn from(error: hrtrack_db::StoreError) -> Self {
        ApiError::from(error).into()
    }
}

/// The HTML 404 page for a path nothing serves.
pub fn not_found(uri: &Uri, headers: &HeaderMap) -> Response {
    PageRequest::from_parts(uri, headers).respond(Err(PageError::not_found()))
}

/// `GET /static/hrtrack.css`: our stylesheet, cached for a year (its URL carries a
/// fingerprint of its content).
async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        crate::html::STYLESHEET,
    )
        .into_response()
}

// ---------------------------------------------------------------------------------------
// Words shared by the pages.

/// A position code (`supported`) in the page language; unknown codes as written.
fn position_label(lang: Lang, code: &str) -> String {
    match Position::parse(code) {
        Ok(position) => lang
            .text(&format!("position.{}", position.code()))
            .to_owned(),
        Err(_) => code.to_owned(),
    }
}

/// A regional group (`WEOG`) in the page language; unknown names as written.
fn group_label(lang: Lang, name: &str) -> String {
    let key = match RegionalGroup::parse(name) {
        Ok(RegionalGroup::African) => "group.african",
        Ok(RegionalGroup::AsiaPacific) => "group.asia_pacific",
        Ok(RegionalGroup::EasternEuropean) => "group.eastern_european",
        Ok(RegionalGroup::Grulac) => "group.grulac",
        Ok(RegionalGroup::Weog) => "group.weog",
        Err(_) => return name.to_owned(),
    };
    lang.text(key).to_owned()
}

/// The title of SDG goal `goal` in the page language (full or short).
pub(crate) fn goal_title(lang: Lang, goals: &[SdgGoalTitles], goal: i64, short: bool) -> String {
    let Some(titles) = goals.iter().find(|g| g.goal == goal) else {
        return goal.to_string();
    };
    let title = match (lang, short) {
        (Lang::En, false) => &titles.title_en,
        (Lang::Ru, false) => &titles.title_ru,
        (Lang::Tk, false) => &titles.title_tk,
        (Lang::En, true) => &titles.short_en,
        (Lang::Ru, true) => &titles.short_ru,
        (Lang::Tk, true) => &titles.short_tk,
    };
    title.clone()
}

/// `Slovenia · UPR 4`: a review in a few words.
fn review_label(state: &str, mechanism: &str, cycle: Option<i64>) -> String {
    match cycle {
        Some(cycle) => format!("{state} · {mechanism} {cycle}"),
        None => format!("{state} · {mechanism}"),
    }
}

/// The page of a review, or (for a review without a cycle number) the list of its
/// recommendations. Not yet escaped.
fn review_url(iso3: &str, mechanism: &str, cycle: Option<i64>) -> String {
    match cycle {
        Some(cycle) => format!(
            "/reviews/{}/{}/{cycle}",
            url_encode(iso3),
            url_encode(mechanism)
        ),
        None => QueryString::new(vec![
            ("state".to_owned(), iso3.to_owned()),
            ("mechanism".to_owned(), mechanism.to_owned()),
        ])
        .url("/recommendations"),
    }
}

/// A link to the list filtered by `pairs`.
fn list_href(pairs: &[(&str, &str)]) -> String {
    QueryString::new(
        pairs
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect(),
    )
    .href("/recommendations")
}

/// State names to ISO codes, for links to State pages.
fn iso3_by_name(states: &[StateCount]) -> HashMap<&str, &str> {
    states
        .iter()
        .map(|s| (s.name.as_str(), s.iso3.as_str()))
        .collect()
}

/// A State's name, linked to its page when its code is known.
fn state_link(name: &str, codes: &HashMap<&str, &str>) -> String {
    match codes.get(name) {
        Some(iso3) => format!(
            "<a href=\"/states/{}\">{}</a>",
            escape(&url_encode(iso3)),
            escape(name)
        ),
        None => escape(name),
    }
}

/// The headline figures of `stats` as a list of numbers.
fn figures(lang: Lang, stats: &Stats) -> String {
    let items = [
        ("fig.recommendations", stats.recommendations),
        ("fig.pairs", stats.recommendation_state_pairs),
        ("fig.recommending_states", stats.recommending_states),
        ("position.supported", stats.positions.supported),
        (
            "position.supported_in_part",
            stats.positions.supported_in_part,
        ),
        ("position.noted", stats.positions.noted),
    ];
    let mut html = String::from("<ul class=\"figures\">");
    for (key, value) in items {
        let _ = write!(
            html,
            "<li><strong>{value}</strong> {}</li>",
            escape(lang.text(key))
        );
    }
    html.push_str("</ul>");
    html
}

/// The position series of the stacked charts, in the page language.
fn position_series(lang: Lang) -> [Series<'static>; 4] {
    [
        Series {
            class: "supported",
            name: lang.text("position.supported"),
        },
        Series {
            class: "supported_in_part",
            name: lang.text("position.supported_in_part"),
        },
        Series {
            class: "noted",
            name: lang.text("position.noted"),
        },
        Series {
            class: "pending",
            name: lang.text("position.pending"),
        },
    ]
}

/// The bars of the positions chart for `reviews`.
fn position_bars(reviews: &[&ReviewStats]) -> Vec<StackedBar> {
    reviews
        .iter()
        .map(|r| StackedBar {
            label: review_label(&r.state, &r.mechanism, r.cycle),
            values: vec![
                r.positions.supported,
                r.positions.supported_in_part,
                r.positions.noted,
                r.positions.pending,
            ],
        })
        .collect()
}

/// A short list of recommendations, each linked to its page. A record's text shows as its
/// search snippet (`snippets`, parallel to `records`) when that marks matched words, else
/// whole with `words` marked.
fn recommendation_items(
    lang: Lang,
    records: &[RecommendationRecord],
    snippets: &[Snippet],
    words: &[String],
) -> String {
    let mut html = String::from("<ol class=\"results\">");
    for (position, record) in records.iter().enumerate() {
        let text = match snippets.get(position) {
            Some(snippet) if !snippet.highlights.is_empty() => mark_snippet(&record.text, snippet),
            _ => highlight(&record.text, words),
        };
        let paragraph = record
            .paragraph
            .as_deref()
            .map(|p| format!(" · {} {}", escape(lang.text("rec.paragraph")), escape(p)))
            .unwrap_or_default();
        let _ = write!(
            html,
            "<li><p><a href=\"/recommendations/{href}\">{text}</a></p>\
             <p class=\"meta\">{review}{paragraph} · {position} · {states}</p></li>",
            href = escape(&url_encode(&record.uid)),
            text = text,
            review = escape(&review_label(
                &record.state,
                &record.mechanism,
                record.cycle
            )),
            position = escape(&position_label(lang, &record.position)),
            states = escape(&record.recommending_states.join(", ")),
        );
    }
    html.push_str("</ol>");
    html
}

/// A search snippet of `text` as HTML, its matched words marked: the whole text when it is
/// short (the index's passage drops the punctuation around it), else the passage with `…`
/// where it cuts the text.
fn mark_snippet(text: &str, snippet: &Snippet) -> String {
    let Some(start) = text.find(&snippet.text) else {
        return mark_ranges(&snippet.text, &snippet.highlights);
    };
    if text.chars().count() <= WHOLE_TEXT_CHARS {
        let shifted: Vec<(usize, usize)> = snippet
            .highlights
            .iter()
            .map(|&(from, to)| (from + start, to + start))
            .collect();
        return mark_ranges(text, &shifted);
    }
    let before = if start > 0 { "…" } else { "" };
    let after = if start + snippet.text.len() < text.len() {
        "…"
    } else {
        ""
    };
    format!(
        "{before}{}{after}",
        mark_ranges(&snippet.text, &snippet.highlights)
    )
}

/// `text` escaped, its byte ranges `marked` (in order, not overlapping) wrapped in `<mark>`;
/// ranges that are not on character boundaries of the text are ignored.
fn mark_ranges(text: &str, marked: &[(usize, usize)]) -> String {
    let mut html = String::with_capacity(text.len() + 16);
    let mut done = 0;
    for &(start, end) in marked {
        let (Some(before), Some(matched)) = (text.get(done..start), text.get(start..end)) else {
            continue;
        };
        html.push_str(&escape(before));
        let _ = write!(html, "<mark>{}</mark>", escape(matched));
        done = end;
    }
    html.push_str(&escape(text.get(done..).unwrap_or_default()));
    html
}

// ---------------------------------------------------------------------------------------
// Home.

/// `GET /`: the registry's figures, charts per review, the reviews with links.
async fn home(State(state): State<AppState>, request: PageRequest) -> Response {
    request
        .answer(&state, home_page(state.store(), &request))
        .await
}

async fn home_page(store: &Store, request: &PageRequest) -> Result<Page, PageError> {
    request.check_params(&[])?;
    let lang = request.lang;
    let stats = store.stats(&RecommendationFilter::default()).await?;
    let mut body = format!(
        "<h1>{}</h1><p>{}</p><h2>{}</h2>{}",
        escape(lang.text("home.title")),
        escape(lang.text("site.tagline")),
        escape(lang.text("home.totals")),
        figures(lang, &stats)
    );
    let mut largest: Vec<&ReviewStats> = stats.reviews.iter().collect();
    largest.sort_by_key(|r| std::cmp::Reverse(r.recommendations));
    largest.truncate(MAX_CHART_BARS);
    let bars: Vec<Bar> = largest
        .iter()
        .map(|r| Bar {
            label: review_label(&r.state, &r.mechanism, r.cycle),
            value: r.recommendations,
        })
        .collect();
    let _ = write!(
        body,
        "<h2>{}</h2>{}",
        escape(lang.text("home.by_review")),
        charts::bar_chart(
            "chart-recommendations",
            lang.text("chart.recommendations"),
            lang.text("fig.review"),
            lang.text("fig.recommendations"),
            &bars,
        )
    );
    let _ = write!(
        body,
        "<h2>{}</h2>{}",
        escape(lang.text("home.positions_by_review")),
        charts::stacked_chart(
            "chart-positions",
            lang.text("chart.positions"),
            lang.text("fig.review"),
            lang.text("fig.recommendations"),
            &position_series(lang),
            &position_bars(&largest),
        )
    );
    let _ = write!(
        body,
        "<h2>{}</h2><table id=\"review-figures\"><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th>\
         <th scope=\"col\" class=\"num\">{}</th><th scope=\"col\" class=\"num\">{}</th><th scope=\"col\" class=\"num\">{}</th>\
         </tr></thead><tbody>",
        escape(lang.text("home.figures")),
        escape(lang.text("fig.state")),
        escape(lang.text("fig.review")),
        escape(lang.text("fig.recommendations")),
        escape(lang.text("fig.pairs")),
        escape(lang.text("fig.recommending_states")),
    );
    for review in &stats.reviews {
        let _ = write!(
            body,
            "<tr><th scope=\"row\"><a href=\"/states/{iso}\">{state}</a></th><td><a href=\"{href}\">{label}</a></td>\
             <td class=\"num\">{recs}</td><td class=\"num\">{pairs}</td><td class=\"num\">{states}</td></tr>",
            iso = escape(&url_encode(&review.iso3)),
            state = escape(&review.state),
            href = escape(&review_url(&review.iso3, &review.mechanism, review.cycle)),
            label = escape(&review_label(
                &review.state,
                &review.mechanism,
                review.cycle
            )),
            recs = review.recommendations,
            pairs = review.recommendation_state_pairs,
            states = review.recommending_states,
        );
    }
    body.push_str("</tbody></table>");
    Ok(Page {
        title: lang.text("home.title").to_owned(),
        body,
    })
}

// ---------------------------------------------------------------------------------------
// The list.

/// One page of the recommendations `filter` selects in registry order, and how many it
/// selects in all (a filter with search text goes to module `search` instead).
async fn find_recommendations(
    store: &Store,
    filter: &RecommendationFilter,
    offset: i64,
    limit: i64,
) -> Result<(i64, Vec<RecommendationRecord>), PageError> {
    let total = store.count(filter).await?;
    let records = if offset < total {
        store.list(filter, Some(limit), offset).await?
    } else {
        Vec::new()
    };
    Ok((total, records))
}

/// `GET /recommendations`.
async fn recommendation_list(State(state): State<AppState>, request: PageRequest) -> Response {
    request.answer(&state, list_page(&state, &request)).await
}

/// One value of a facet: what goes in the URL, what people read, how many match.
struct FacetValue {
    value: String,
    label: String,
    count: i64,
}

/// Sums `count` of `reviews` by `key` (with its label), largest first.
fn sum_reviews(
    reviews: &[ReviewStats],
    key: impl Fn(&ReviewStats) -> Option<(String, String)>,
) -> Vec<FacetValue> {
    let mut sums: Vec<FacetValue> = Vec::new();
    for review in reviews {
        let Some((value, label)) = key(review) else {
            continue;
        };
        match sums.iter_mut().find(|f| f.value == value) {
            Some(facet) => facet.count += review.recommendations,
            None => sums.push(FacetValue {
                value,
                label,
                count: review.recommendations,
            }),
        }
    }
    sums
}

/// Every facet but the recommending State, with counts for the current filter.
fn facets(
    lang: Lang,
    stats: &Stats,
    goals: &[SdgGoalTitles],
) -> Vec<(&'static str, Vec<FacetValue>)> {
    let mut states = sum_reviews(&stats.reviews, |r| Some((r.iso3.clone(), r.state.clone())));
    states.sort_by(|a, b| a.label.cmp(&b.label));
    let mechanisms = sum_reviews(&stats.reviews, |r| {
        Some((r.mechanism.clone(), r.mechanism.clone()))
    });
    let mut cycles = sum_reviews(&stats.reviews, |r| {
        r.cycle.map(|c| (c.to_string(), c.to_string()))
    });
    cycles.sort_by_key(|f| f.value.parse::<i64>().unwrap_or(i64::MAX));
    let mut sessions = sum_reviews(&stats.reviews, |r| {
        r.session.map(|s| (s.to_string(), s.to_string()))
    });
    sessions.sort_by_key(|f| f.value.parse::<i64>().unwrap_or(i64::MAX));
    let groups = stats
        .by_regional_group
        .iter()
        .filter(|g| g.key != "none")
        .map(|g| FacetValue {
            value: g.key.clone(),
            label: group_label(lang, &g.key),
            count: g.recommendations,
        })
        .collect();
    let positions = [
        ("supported", stats.positions.supported),
        ("supported_in_part", stats.positions.supported_in_part),
        ("noted", stats.positions.noted),
        ("pending", stats.positions.pending),
    ]
    .into_iter()
    .filter(|(_, n)| *n > 0)
    .map(|(code, count)| FacetValue {
        value: code.to_owned(),
        label: position_label(lang, code),
        count,
    })
    .collect();
    let tags = |lines: &[hrtrack_db::GroupCount]| -> Vec<FacetValue> {
        lines
            .iter()
            .take(MAX_FACET_VALUES)
            .map(|line| FacetValue {
                value: line.key.clone(),
                label: line.key.clone(),
                count: line.recommendations,
            })
            .collect()
    };
    let mut themes = tags(&stats.by_theme);
    themes.extend(tags(&stats.by_upr_issue));
    let sdgs = stats
        .by_sdg_goal
        .iter()
        .map(|line| FacetValue {
            value: line.key.clone(),
            label: line
                .key
                .parse::<i64>()
                .map(|goal| format!("{goal}. {}", goal_title(lang, goals, goal, true)))
                .unwrap_or_else(|_| line.key.clone()),
            count: line.recommendations,
        })
        .collect();
    vec![
        ("state", states),
        ("mechanism", mechanisms),
        ("cycle", cycles),
        ("session", sessions),
        ("group", groups),
        ("position", positions),
        ("theme", themes),
        ("affected", tags(&stats.by_affected_persons)),
        ("sdg", sdgs),
    ]
}

/// The facets of a search result (the index's counts), in the shape of [`facets`].
fn search_facets(
    lang: Lang,
    found: &Facets,
    goals: &[SdgGoalTitles],
    states: &[StateCount],
) -> Vec<(&'static str, Vec<FacetValue>)> {
    let values = |kind: FacetKind, label: &dyn Fn(&str) -> String| -> Vec<FacetValue> {
        found
            .get(kind)
            .iter()
            .map(|(value, count)| FacetValue {
                value: value.clone(),
                label: label(value),
                count: i64::try_from(*count).unwrap_or(i64::MAX),
            })
            .collect()
    };
    let codes = iso3_by_name(states);
    let mut states: Vec<FacetValue> = values(FacetKind::State, &str::to_owned)
        .into_iter()
        .map(|facet| FacetValue {
            value: codes
                .get(facet.value.as_str())
                .map_or_else(|| facet.value.clone(), |iso3| (*iso3).to_owned()),
            ..facet
        })
        .collect();
    states.sort_by(|a, b| a.label.cmp(&b.label));
    let numeric = |mut list: Vec<FacetValue>| {
        list.sort_by_key(|f| f.value.parse::<i64>().unwrap_or(i64::MAX));
        list
    };
    let mut positions = values(FacetKind::Position, &|code| position_label(lang, code));
    let order = ["supported", "supported_in_part", "noted", "pending"];
    positions.sort_by_key(|f| order.iter().position(|code| *code == f.value));
    let mut themes = values(FacetKind::Theme, &str::to_owned);
    themes.truncate(MAX_FACET_VALUES);
    let mut affected = values(FacetKind::AffectedPerson, &str::to_owned);
    affected.truncate(MAX_FACET_VALUES);
    let sdgs = numeric(values(FacetKind::SdgGoal, &|key| {
        key.parse::<i64>()
            .map(|goal| format!("{goal}. {}", goal_title(lang, goals, goal, true)))
            .unwrap_or_else(|_| key.to_owned())
    }));
    vec![
        ("state", states),
        ("mechanism", values(FacetKind::Mechanism, &str::to_owned)),
        ("cycle", numeric(values(FacetKind::Cycle, &str::to_owned))),
        (
            "session",
            numeric(values(FacetKind::Session, &str::to_owned)),
        ),
        (
            "group",
            values(FacetKind::RegionalGroup, &|name| group_label(lang, name)),
        ),
        ("position", positions),
        ("theme", themes),
        ("affected", affected),
        ("sdg", sdgs),
    ]
}

/// The facets as lists of links that keep every other parameter of the view.
fn facet_html(
    lang: Lang,
    query: &QueryString,
    facets: &[(&'static str, Vec<FacetValue>)],
) -> String {
    let base = query.without("page");
    let mut html = String::new();
    for (name, values) in facets {
        if values.is_empty() {
            continue;
        }
        let current = base.get(name);
        let _ = write!(
            html,
            "<details open><summary>{}</summary><ul>",
            escape(lang.text(&format!("facet.{name}")))
        );
        for value in values {
            let selected = current == Some(value.value.as_str());
            let (href, mark) = if selected {
                (
                    base.without(name).href("/recommendations"),
                    " aria-current=\"true\"",
                )
            } else {
                (base.with(name, &value.value).href("/recommendations"), "")
            };
            let _ = write!(
                html,
                "<li><a href=\"{href}\"{mark}>{label}</a> <span class=\"count\">({count})</span></li>",
                label = escape(&value.label),
                count = value.count,
            );
        }
        html.push_str("</ul></details>");
    }
    html
}

/// The search form: the text box, the recommending State, and every other filter of the
/// view kept as hidden fields.
fn search_form(lang: Lang, query: &QueryString, states: &[StateCount]) -> String {
    let mut html = format!(
        "<form class=\"search\" method=\"get\" action=\"/recommendations\" role=\"search\">\
         <label for=\"q\">{label}</label>\
         <input type=\"search\" id=\"q\" name=\"q\" value=\"{q}\" maxlength=\"500\">",
        label = escape(lang.text("list.search_label")),
        q = escape(query.get("q").unwrap_or_default()),
    );
    let current = query.get("recommending_state");
    let _ = write!(
        html,
        "<label for=\"recommending_state\">{}</label><select id=\"recommending_state\" name=\"recommending_state\">\
         <option value=\"\">{}</option>",
        escape(lang.text("facet.recommending_state")),
        escape(lang.text("facet.any")),
    );
    for state in states.iter().filter(|s| s.as_recommending_state > 0) {
        let selected = current.is_some_and(|c| c.eq_ignore_ascii_case(&state.iso3));
        let _ = write!(
            html,
            "<option value=\"{}\"{}>{}</option>",
            escape(&state.iso3),
            if selected { " selected" } else { "" },
            escape(&state.name),
        );
    }
    html.push_str("</select>");
    for (name, value) in query.pairs() {
        if !matches!(name.as_str(), "q" | "recommending_state" | "page") {
            let _ = write!(
                html,
                "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
                escape(name),
                escape(value)
            );
        }
    }
    let _ = write!(
        html,
        "<button type=\"submit\">{}</button></form>",
        escape(lang.text("list.search_button"))
    );
    html
}

/// A filter value as people read it: a State's name, a position, group or goal in the page
/// language; other values as given.
fn filter_value_label(lang: Lang, name: &str, value: &str, catalogue: &Catalogue) -> String {
    match name {
        "state" | "recommending_state" => catalogue
            .states
            .iter()
            .find(|s| s.iso3.eq_ignore_ascii_case(value))
            .map_or_else(|| value.to_owned(), |s| s.name.clone()),
        "position" => position_label(lang, value),
        "group" => group_label(lang, value),
        "sdg" => match SdgGoal::parse(value) {
            Ok(goal) => {
                let goal = i64::from(goal.get());
                format!("{goal}. {}", goal_title(lang, &catalogue.goals, goal, true))
            }
            Err(_) => value.to_owned(),
        },
        _ => value.to_owned(),
    }
}

/// The filters in force, each with a link that removes it.
fn active_filters(lang: Lang, query: &QueryString, catalogue: &Catalogue) -> String {
    let active: Vec<&(String, String)> = query
        .pairs()
        .iter()
        .filter(|(name, _)| FILTER_NAMES.contains(&name.as_str()) && name != "q")
        .collect();
    if active.is_empty() {
        return String::new();
    }
    let base = query.without("page");
    let mut html = format!(
        "<h2 id=\"active-filters\">{}</h2><ul class=\"active-filters\" aria-labelledby=\"active-filters\">",
        escape(lang.text("list.active_filters"))
    );
    for (name, value) in active {
        let _ = write!(
            html,
            "<li>{}: {} <a href=\"{}\">{}</a></li>",
            escape(lang.text(&format!("facet.{name}"))),
            escape(&filter_value_label(lang, name, value, catalogue)),
            base.without(name).href("/recommendations"),
            escape(lang.text("facet.remove")),
        );
    }
    let mut cleared = QueryString::default();
    if let Some(q) = query.get("q") {
        cleared = cleared.with("q", q);
    }
    let _ = write!(
        html,
        "</ul><p><a href=\"{}\">{}</a></p>",
        cleared.href("/recommendations"),
        escape(lang.text("list.clear"))
    );
    html
}

async fn list_page(app: &AppState, request: &PageRequest) -> Result<Page, PageError> {
    let store = app.store();
    // The filter's parameters, and `page`.
    request.check_params(&[FILTER_NAMES.as_slice(), &["page"]].concat())?;
    let lang = request.lang;
    let query = &request.query;
    let params = FilterParams::from_lookup(|name| query.get(name).map(str::to_owned));
    let filter = params.to_filter()?;
    let page_number = match query.get("page").map(str::trim).filter(|p| !p.is_empty()) {
        None => 1,
        Some(text) => text
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=i64::from(u32::MAX)).contains(n))
            .ok_or_else(|| {
                PageError::bad_request("page must be a whole number from 1".to_owned())
            })?,
    };
    let offset = (page_number - 1) * PER_PAGE;
    let catalogue = app.catalogue().await?;
    let (goals, states) = (&catalogue.goals, &catalogue.states);
    // With `q`, the search index answers, facet counts computed with the query; without,
    // the store, in registry order.
    let (total, records, snippets, facet_values) = match search::text_of(&filter) {
        Some(text) => {
            let found = search::search(app, text, &filter, (offset, PER_PAGE), true).await?;
            let facet_values = search_facets(lang, &found.facets, goals, states);
            let (records, snippets) = found.hits.into_iter().unzip();
            (found.total, records, snippets, facet_values)
        }
        None => {
            let (total, records) = find_recommendations(store, &filter, offset, PER_PAGE).await?;
            let stats = store.stats(&filter).await?;
            (total, records, Vec::new(), facets(lang, &stats, goals))
        }
    };
    let words = filter.text.as_deref().map(query_words).unwrap_or_default();

    let title = lang.text("list.title");
    let mut body = format!(
        "<h1>{}</h1>{}",
        escape(title),
        search_form(lang, query, states)
    );
    body.push_str(&active_filters(lang, query, &catalogue));
    let _ = write!(
        body,
        "<div class=\"layout-list\"><aside class=\"facets\" aria-labelledby=\"facets-heading\"><h2 id=\"facets-heading\">{}</h2>{}</aside>",
        escape(lang.text("list.filters")),
        facet_html(lang, query, &facet_values)
    );
    let _ = write!(
        body,
        "<section aria-labelledby=\"results-heading\"><h2 id=\"results-heading\">{}</h2><p id=\"found\">{}</p>",
        escape(lang.text("list.results")),
        escape(&lang.format("list.found", &[("total", &total.to_string())]))
    );
    let downloads = query
        .pairs()
        .iter()
        .filter(|(name, _)| FILTER_NAMES.contains(&name.as_str()))
        .cloned()
        .collect::<Vec<_>>();
    let downloads = QueryString::new(downloads);
    let _ = write!(
        body,
        "<p class=\"downloads\">{}: <a href=\"{}\" download>{}</a> <a href=\"{}\" download>{}</a></p>",
        escape(lang.text("list.download")),
        downloads
            .with("format", "csv")
            .href("/api/v1/recommendations"),
        escape(lang.text("list.download_csv")),
        downloads
            .with("format", "xlsx")
            .href("/api/v1/recommendations"),
        escape(lang.text("list.download_xlsx")),
    );
    if records.is_empty() {
        let _ = write!(body, "<p>{}</p>", escape(lang.text("list.none")));
    } else {
        body.push_str(&recommendation_items(lang, &records, &snippets, &words));
    }
    body.push_str(&paging(lang, query, page_number, total));
    body.push_str("</section></div>");
    Ok(Page {
        title: title.to_owned(),
        body,
    })
}

/// Links to the previous and next pages, and where this page is.
fn paging(lang: Lang, query: &QueryString, page: i64, total: i64) -> String {
    let pages = ((total + PER_PAGE - 1) / PER_PAGE).max(1);
    let mut html = format!(
        "<nav class=\"paging\" aria-label=\"{}\">",
        escape(lang.text("list.paging"))
    );
    if page > 1 {
        let previous = (page - 1).min(pages);
        let _ = write!(
            html,
            "<a href=\"{}\" rel=\"prev\">{}</a>",
            query
                .with("page", &previous.to_string())
                .href("/recommendations"),
            escape(lang.text("list.previous"))
        );
    }
    let _ = write!(
        html,
        "<span>{}</span>",
        escape(&lang.format(
            "list.page",
            &[("page", &page.to_string()), ("pages", &pages.to_string())]
        ))
    );
    if page < pages {
        let _ = write!(
            html,
            "<a href=\"{}\" rel=\"next\">{}</a>",
            query
                .with("page", &(page + 1).to_string())
                .href("/recommendations"),
            escape(lang.text("list.next"))
        );
    }
    html.push_str("</nav>");
    html
}

// ---------------------------------------------------------------------------------------
// One recommendation.

/// `GET /recommendations/{uid}`.
///
/// The registry part is cached per data version; the Roadmap's "Implementation" section
/// is rendered fresh for each request and principal, and appended after it.
async fn recommendation_page(
    State(state): State<AppState>,
    uid: Option<Path<String>>,
    principal: Result<crate::auth::Principal, ApiError>,
    request: PageRequest,
) -> Response {
    match uid {
        Some(Path(uid)) => {
            let page = request
                .answer_page(&state, one_recommendation(&state, &request, uid.clone()))
                .await;
            let page = match page {
                Ok(mut page) => {
                    let principal =
                        principal.unwrap_or_else(|_| crate::auth::Principal::anonymous());
                    match crate::roadmap_pages::implementation_section(
                        &state, &request, &principal, &uid,
                    )
                    .await
                    {
                        Ok(section) => {
                            page.body.push_str(&section);
                            Ok(page)
                        }
                        Err(error) => Err(error),
                    }
                }
                Err(error) => Err(error),
            };
            request.respond(page)
        }
        None => request.respond(Err(PageError::not_found())),
    }
}

/// A `<dt>`/`<dd>` pair; `value_html` is already HTML, and empty reads "none recorded".
fn fact(lang: Lang, key: &str, value_html: &str) -> String {
    let value = if value_html.is_empty() {
        escape(lang.text("rec.none"))
    } else {
        value_html.to_owned()
    };
    format!("<dt>{}</dt><dd>{value}</dd>", escape(lang.text(key)))
}

/// Tags as links to the list filtered by `name`.
fn tag_links(name: &str, values: &[String]) -> String {
    values
        .iter()
        .map(|v| format!("<a href=\"{}\">{}</a>", list_href(&[(name, v)]), escape(v)))
        .collect::<Vec<_>>()
        .join(", ")
}

async fn one_recommendation(
    app: &AppState,
    request: &PageRequest,
    uid: String,
) -> Result<Page, PageError> {
    request.check_params(&[])?;
    if uid.chars().count() > MAX_SEGMENT_CHARS {
        return Err(PageError::not_found());
    }
    let lang = request.lang;
    let filter = RecommendationFilter {
        uid: Some(uid),
        ..RecommendationFilter::default()
    };
    let Some(record) = app.store().list(&filter, Some(1), 0).await?.pop() else {
        return Err(PageError::not_found());
    };
    let catalogue = app.catalogue().await?;
    let codes = iso3_by_name(&catalogue.states);
    let goals = &catalogue.goals;
    let title = lang.format("rec.title", &[("uid", &record.uid)]);
    let mut body = format!("<h1>{}</h1>", escape(&title));
    // In the page language when a translation exists, marked as one; the original after it.
    let translation = record
        .translations
        .iter()
        .find(|t| t.language == lang.code() && record.language != lang.code());
    if let Some(translation) = translation {
        body.push_str(&format!(
            "<p class=\"translation-note\">{}</p><blockquote class=\"translation\" lang=\"{}\"><p>{}</p></blockquote><h2>{}</h2>",
            escape(&lang.format("rec.translation", &[("source", &translation.source)])),
            escape(&translation.language),
            escape(&translation.text),
            escape(&lang.format("rec.original", &[("language", &record.language)]))
        ));
    }
    body.push_str(&format!(
        "<blockquote class=\"verbatim\" lang=\"{}\"><p>{}</p></blockquote><dl class=\"facts\">",
        escape(&record.language),
        escape(&record.text)
    ));
    body.push_str(&fact(
        lang,
        "rec.paragraph",
        &escape(record.paragraph.as_deref().unwrap_or_default()),
    ));
    let recommenders = record
        .recommending_states
        .iter()
        .map(|name| state_link(name, &codes))
        .collect::<Vec<_>>()
        .join(", ");
    body.push_str(&fact(lang, "rec.recommending_states", &recommenders));
    body.push_str(&fact(
        lang,
        "rec.position",
        &escape(&position_label(lang, &record.position)),
    ));
    body.push_str(&fact(
        lang,
        "rec.position_source",
        &escape(record.position_source.as_deref().unwrap_or_default()),
    ));
    body.push_str(&fact(
        lang,
        "rec.themes",
        &tag_links("theme", &record.themes),
    ));
    if !record.upr_issues.is_empty() {
        body.push_str(&fact(
            lang,
            "rec.upr_issues",
            &tag_links("theme", &record.upr_issues),
        ));
    }
    body.push_str(&fact(
        lang,
        "rec.affected",
        &tag_links("affected", &record.affected_persons),
    ));
    let sdgs = record
        .sdg_goals
        .iter()
        .map(|goal| {
            format!(
                "<a href=\"/sdg/{goal}\">{goal}. {}</a>",
                escape(&goal_title(lang, goals, *goal, false))
            )
        })
        .collect::<Vec<_>>()
        .join("<br>");
    body.push_str(&fact(lang, "rec.sdgs", &sdgs));
    if !record.sdg_targets.is_empty() {
        let reported = app.store().sdg_reported_indicators().await?;
        body.push_str(&fact(
            lang,
            "rec.sdg_targets",
            &crate::sdg_pages::target_links(&record.sdg_targets, &reported),
        ));
    }
    let review = format!(
        "<a href=\"{}\">{}</a>{}",
        escape(&review_url(
            &record.state_iso3,
            &record.mechanism,
            record.cycle
        )),
        escape(&review_label(
            &record.state,
            &record.mechanism,
            record.cycle
        )),
        record
            .session
            .map(|s| format!(
                " ({})",
                escape(&lang.format("review.session", &[("session", &i18n::ordinal(lang, s))]))
            ))
            .unwrap_or_default()
    );
    body.push_str(&fact(lang, "rec.review", &review));
    if let Some(report) = &record.report_symbol {
        body.push_str(&fact(lang, "rec.report", &escape(report)));
    }
    body.push_str("</dl>");
    Ok(Page { title, body })
}

// ---------------------------------------------------------------------------------------
// One review.

/// `GET /reviews/{iso3}/{mechanism}/{cycle}`.
async fn review_page(
    State(state): State<AppState>,
    segments: Option<Path<(String, String, String)>>,
    request: PageRequest,
) -> Response {
    match segments {
        Some(Path((iso3, mechanism, cycle))) => {
            let render = one_review(state.store(), &request, &iso3, &mechanism, &cycle);
            request.answer(&state, render).await
        }
        None => request.respond(Err(PageError::not_found())),
    }
}

async fn one_review(
    store: &Store,
    request: &PageRequest,
    iso3: &str,
    mechanism: &str,
    cycle: &str,
) -> Result<Page, PageError> {
    request.check_params(&[])?;
    let lang = request.lang;
    let mechanism = Mechanism::parse(mechanism).map_err(|_| PageError::not_found())?;
    let cycle = Cycle::parse(cycle).map_err(|_| PageError::not_found())?;
    let reviews = store.reviews().await?;
    let Some(review) = reviews.iter().find(|r| {
        r.iso3.eq_ignore_ascii_case(iso3)
            && r.mechanism == mechanism.code()
            && r.cycle == Some(i64::from(cycle.get()))
    }) else {
        return Err(PageError::not_found());
    };
    let filter = RecommendationFilter {
        state: Some(review.iso3.clone()),
        mechanism: Some(mechanism),
        cycle: Some(cycle),
        ..RecommendationFilter::default()
    };
    let stats = store.stats(&filter).await?;
    let records = store.list(&filter, Some(PREVIEW), 0).await?;
    let title = lang.format(
        "review.title",
        &[
            ("state", &review.state),
            ("mechanism", mechanism.code()),
            ("cycle", &i18n::ordinal(lang, i64::from(cycle.get()))),
        ],
    );
    let mut body = format!("<h1>{}</h1>", escape(&title));
    let mut facts = String::new();
    if let Some(session) = review.session {
        let _ = write!(
            facts,
            "{} · ",
            escape(&lang.format(
                "review.session",
                &[("session", &i18n::ordinal(lang, session))]
            ))
        );
    }
    if let Some(report) = &review.report_symbol {
        let _ = write!(
            facts,
            "{}: {} · ",
            escape(lang.text("rec.report")),
            escape(report)
        );
    }
    let _ = write!(
        body,
        "<p class=\"meta\">{facts}<a href=\"/states/{}\">{}</a></p>{}",
        escape(&url_encode(&review.iso3)),
        escape(&review.state),
        figures(lang, &stats)
    );
    let review_stats: Vec<&ReviewStats> = stats.reviews.iter().collect();
    body.push_str(&charts::stacked_chart(
        "chart-positions",
        lang.text("chart.positions"),
        lang.text("fig.review"),
        lang.text("fig.recommendations"),
        &position_series(lang),
        &position_bars(&review_stats),
    ));
    let cycle_text = cycle.get().to_string();
    let all = list_href(&[
        ("state", &review.iso3),
        ("mechanism", mechanism.code()),
        ("cycle", &cycle_text),
    ]);
    let _ = write!(
        body,
        "<h2>{}</h2>{}<p><a href=\"{all}\">{}</a></p>",
        escape(&lang.format("review.first", &[("n", &records.len().to_string())])),
        recommendation_items(lang, &records, &[], &[]),
        escape(lang.text("review.all")),
    );
    Ok(Page { title, body })
}

// ---------------------------------------------------------------------------------------
// One State.

/// `GET /states/{iso3}`.
async fn state_page(
    State(state): State<AppState>,
    iso3: Option<Path<String>>,
    request: PageRequest,
) -> Response {
    match iso3 {
        Some(Path(iso3)) => {
            request
                .answer(&state, one_state(&state, &request, &iso3))
                .await
        }
        None => request.respond(Err(PageError::not_found())),
    }
}

async fn one_state(app: &AppState, request: &PageRequest, iso3: &str) -> Result<Page, PageError> {
    let store = app.store();
    request.check_params(&[])?;
    let lang = request.lang;
    let catalogue = app.catalogue().await?;
    let Some(country) = catalogue
        .states
        .iter()
        .find(|s| s.iso3.eq_ignore_ascii_case(iso3))
    else {
        return Err(PageError::not_found());
    };
    let title = lang.format("state.title", &[("state", &country.name)]);
    let mut body = format!("<h1>{}</h1>", escape(&title));

    let _ = write!(
        body,
        "<h2>{}</h2><p>{}: {}</p>",
        escape(lang.text("state.received")),
        escape(lang.text("fig.recommendations")),
        country.as_state_under_review
    );
    let reviews: Vec<_> = store
        .reviews()
        .await?
        .into_iter()
        .filter(|r| r.iso3 == country.iso3)
        .collect();
    if reviews.is_empty() {
        let _ = write!(body, "<p>{}</p>", escape(lang.text("state.none")));
    } else {
        let _ = write!(
            body,
            "<table id=\"reviews\"><thead><tr><th scope=\"col\">{}</th><th scope=\"col\" class=\"num\">{}</th></tr></thead><tbody>",
            escape(lang.text("state.reviews")),
            escape(lang.text("fig.recommendations"))
        );
        for review in &reviews {
            let _ = write!(
                body,
                "<tr><th scope=\"row\"><a href=\"{}\">{}</a></th><td class=\"num\">{}</td></tr>",
                escape(&review_url(&review.iso3, &review.mechanism, review.cycle)),
                escape(&review_label(
                    &review.state,
                    &review.mechanism,
                    review.cycle
                )),
                review.recommendations
            );
        }
        let _ = write!(
            body,
            "</tbody></table><p><a href=\"{}\">{}</a></p>",
            list_href(&[("state", &country.iso3)]),
            escape(lang.text("state.all_received"))
        );
    }

    let _ = write!(
        body,
        "<h2>{}</h2><p>{}: {}</p>",
        escape(lang.text("state.made")),
        escape(lang.text("fig.recommendations")),
        country.as_recommending_state
    );
    if country.as_recommending_state == 0 {
        let _ = write!(body, "<p>{}</p>", escape(lang.text("state.none")));
    } else {
        let made = store
            .stats(&RecommendationFilter {
                recommending_state: Some(country.iso3.clone()),
                ..RecommendationFilter::default()
            })
            .await?;
        let _ = write!(
            body,
            "<table id=\"made\"><thead><tr><th scope=\"col\">{}</th><th scope=\"col\" class=\"num\">{}</th></tr></thead><tbody>",
            escape(lang.text("state.to_whom")),
            escape(lang.text("fig.recommendations"))
        );
        for review in &made.reviews {
            let cycle = review.cycle.map(|c| c.to_string()).unwrap_or_default();
            let mut pairs = vec![
                ("state", review.iso3.as_str()),
                ("mechanism", review.mechanism.as_str()),
                ("recommending_state", country.iso3.as_str()),
            ];
            if !cycle.is_empty() {
                pairs.push(("cycle", &cycle));
            }
            let _ = write!(
                body,
                "<tr><th scope=\"row\"><a href=\"{}\">{}</a></th><td class=\"num\">{}</td></tr>",
                list_href(&pairs),
                escape(&review_label(
                    &review.state,
                    &review.mechanism,
                    review.cycle
                )),
                review.recommendations
            );
        }
        let _ = write!(
            body,
            "</tbody></table><p><a href=\"{}\">{}</a></p>",
            list_href(&[("recommending_state", &country.iso3)]),
            escape(lang.text("state.all_made"))
        );
    }
    Ok(Page { title, body })
}

// ---------------------------------------------------------------------------------------
// One SDG goal.

/// `GET /sdg/{goal}`.
async fn sdg_page(
    State(state): State<AppState>,
    goal: Option<Path<String>>,
    request: PageRequest,
) -> Response {
    match goal {
        Some(Path(goal)) => {
            request
                .answer(&state, one_goal(&state, &request, &goal))
                .await
        }
        None => request.respond(Err(PageError::not_found())),
    }
}

async fn one_goal(app: &AppState, request: &PageRequest, goal: &str) -> Result<Page, PageError> {
    let store = app.store();
    request.check_params(&[])?;
    let lang = request.lang;
    let goal = SdgGoal::parse(goal.trim()).map_err(|_| PageError::not_found())?;
    let number = i64::from(goal.get());
    let catalogue = app.catalogue().await?;
    let goals = &catalogue.goals;
    if !goals.iter().any(|g| g.goal == number) {
        return Err(PageError::not_found());
    }
    let title = lang.format(
        "sdg.title",
        &[
            ("goal", &number.to_string()),
            ("title", &goal_title(lang, goals, number, false)),
        ],
    );
    let mut body = format!(
        "<h1>{}</h1><h2>{}</h2><ul class=\"targets\">",
        escape(&title),
        escape(lang.text("sdg.targets"))
    );
    for target in store.sdg_targets_of_goal(number).await? {
        let text = match lang {
            Lang::En => Some(&target.title_en),
            Lang::Ru => target.title_ru.as_ref(),
            Lang::Tk => target.title_tk.as_ref(),
        }
        .unwrap_or(&target.title_en);
        let _ = write!(
            body,
            "<li id=\"target-{code}\"><strong>{code}</strong> {}</li>",
            escape(text),
            code = escape(&target.code),
        );
    }
    body.push_str("</ul>");
    body.push_str(&crate::sdg_pages::goal_indicators_section(app, lang, number).await?);
    let filter = RecommendationFilter {
        sdg_goal: Some(goal),
        ..RecommendationFilter::default()
    };
    let (total, records) = find_recommendations(store, &filter, 0, PREVIEW).await?;
    let goal_text = number.to_string();
    let _ = write!(
        body,
        "<h2>{}</h2><p>{}</p>",
        escape(lang.text("sdg.linked")),
        escape(&lang.format("list.found", &[("total", &total.to_string())]))
    );
    if !records.is_empty() {
        let _ = write!(
            body,
            "{}<p><a href=\"{}\">{}</a></p>",
            recommendation_items(lang, &records, &[], &[]),
            list_href(&[("sdg", &goal_text)]),
            escape(lang.text("sdg.all"))
        );
    }
    Ok(Page { title, body })
}
