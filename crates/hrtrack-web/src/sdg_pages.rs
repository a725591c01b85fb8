//! The public SDG data pages: the reporting status of the 17 goals (`/sdg`), the indicators
//! of a goal (a section of `/sdg/{goal}`, whose page lives in `pages`), one indicator
//! (`/sdg/indicators/{code}`: a form without script choosing a slice, a chart drawn on the
//! server with the same numbers in a table, the national metadata, the recommendations and
//! Roadmap actions it is linked to) and the downloads of exactly the chosen slice
//! (`/sdg/indicators/{code}/data.csv`, `data.open-sdg.csv`, `data.sdmx.csv`, `data.json`).
//!
//! Only published data is shown: the store's observations (submissions waiting for a
//! decision are never read). A page holds only the chosen slice, with at most
//! [`MAX_LINES`] lines; the slice is cut on the server (see [`choose_slice`], which the data
//! API shares).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use hrtrack_db::sdg_read::{TOTAL_CODE, UNIT_DIMENSION};
use hrtrack_db::sdg_reference::METADATA_FIELDS;
use hrtrack_db::{SdgBreakdowns, SdgIndicatorStatus, SdgSlice};
use hrtrack_sdg::{Codes, Observation};

use crate::AppState;
use crate::charts::{self, Series, StackedBar};
use crate::html::{QueryString, escape};
use crate::i18n::Lang;
use crate::pages::{Page, PageError, PageRequest, goal_title};
use crate::sdg_charts::{self, Line, MAX_LINES, number};

/// The dataflow named in SDMX-CSV downloads.
pub const SDMX_DATAFLOW: &str = "IAEG-SDGs:DF_SDG_GLH(1.24)";
/// Recommendations listed on an indicator page before the link to the list.
const RECOMMENDATION_PREVIEW: i64 = 20;
/// The longest code, period or parameter value accepted in a slice.
const MAX_VALUE_CHARS: usize = 100;
/// The longest indicator code looked up.
const MAX_CODE_CHARS: usize = 30;
/// The pseudo-dimension `by=SERIES` breaks a chart down by SDMX series.
const SERIES_BREAKDOWN: &str = "SERIES";
/// Attributes whose codes are named from the code lists.
const NAMED_ATTRIBUTES: [&str; 3] = ["NATURE", "OBS_STATUS", "UNIT_MULT"];
/// SDG NATURE codes with names in the message files, for stores without code lists.
const NATURE_CODES: [&str; 6] = ["C", "CA", "E", "G", "M", "N"];

/// The SDG page routes (merged into the application's router).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/sdg", get(overview))
        .route("/sdg/indicators/{code}", get(indicator_page))
        .route("/sdg/indicators/{code}/data.csv", get(download_csv))
        .route(
            "/sdg/indicators/{code}/data.open-sdg.csv",
            get(download_open_sdg),
        )
        .route(
            "/sdg/indicators/{code}/data.sdmx.csv",
            get(download_sdmx_csv),
        )
        .route("/sdg/indicators/{code}/data.json", get(download_json))
}

// ---------------------------------------------------------------------------------------
// Slices.

/// A slice chosen by query parameters, and the dimension (or `SERIES`) its lines break
/// down by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ChosenSlice {
    pub(crate) slice: SdgSlice,
    pub(crate) by: Option<String>,
}

/// Whether unnamed dimensions are fixed to their totals (pages and their downloads) or left
/// open (the data API).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SliceDefaults {
    Totals,
    Open,
}

/// A period bound as given: digits, letters and `-` only (`2015`, `2015-Q1`, `2015-01`).
fn period(name: &str, value: &str) -> Result<String, String> {
    let value = value.trim();
    if value.is_empty()
        || value.len() > 20
        || !value.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        return Err(format!("{name} must be a period such as 2015 or 2015-Q1"));
    }
    Ok(value.to_owned())
}

/// The comma-separated codes of a parameter.
fn codes(name: &str, value: &str) -> Result<Vec<String>, String> {
    if value.chars().count() > MAX_VALUE_CHARS * 10 {
        return Err(format!("parameter {name} is too long"));
    }
    let list: Vec<String> = value
        .split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .collect();
    if list.is_empty() || list.iter().any(|c| c.chars().count() > MAX_VALUE_CHARS) {
        return Err(format!("parameter {name} needs codes separated by commas"));
    }
    Ok(list)
}

/// The slice `pairs` ask for, of an indicator offering `breakdowns`. Known names: `series`,
/// `startPeriod`, `endPeriod`, `UNIT_MEASURE` and every dimension id of the data (a comma
/// list of codes, `_T` matching a total); with [`SliceDefaults::Totals`] also `by` (a
/// dimension id or `SERIES`), and every dimension not named other than `by`'s is fixed to
/// its total (or its first code when it has none), the unit to the first unit, and the
/// series to the first unless the lines are series. `ignored` names pass unread; anything
/// else, or a name given twice, is an error.
pub(crate) fn choose_slice(
    pairs: &[(String, String)],
    breakdowns: &SdgBreakdowns,
    ignored: &[&str],
    defaults: SliceDefaults,
) -> Result<ChosenSlice, String> {
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    let mut chosen = ChosenSlice {
        slice: SdgSlice::default(),
        by: None,
    };
    let known_dimension =
        |name: &str| name == UNIT_DIMENSION || breakdowns.dimensions.contains_key(name);
    for (name, value) in pairs {
        let shown: String = name.chars().take(60).collect();
        if !seen.insert(name) {
            return Err(format!("parameter {shown:?} given twice"));
        }
        match name.as_str() {
            name if ignored.contains(&name) => {}
            "series" => chosen.slice.series = Some(value.trim().to_owned()),
            "startPeriod" => chosen.slice.start = Some(period(name, value)?),
            "endPeriod" => chosen.slice.end = Some(period(name, value)?),
            "by" if defaults == SliceDefaults::Totals => {
                let by = value.trim();
                if by != SERIES_BREAKDOWN && !known_dimension(by) {
                    return Err(format!(
                        "by must be SERIES or a dimension of this indicator's data, not {:?}",
                        by.chars().take(60).collect::<String>()
                    ));
                }
                chosen.by = Some(by.to_owned());
            }
            name if known_dimension(name) => {
                chosen
                    .slice
                    .dimensions
                    .insert(name.to_owned(), codes(name, value)?);
            }
            _ => return Err(format!("unknown parameter {shown:?}")),
        }
    }
    if let (Some(start), Some(end)) = (&chosen.slice.start, &chosen.slice.end)
        && start > end
    {
        return Err("startPeriod is after endPeriod".to_owned());
    }
    if defaults == SliceDefaults::Totals {
        let by = chosen.by.clone();
        if by.is_none() && chosen.slice.series.is_none() && breakdowns.series.len() > 1 {
            chosen.by = Some(SERIES_BREAKDOWN.to_owned());
        }
        if chosen.by.as_deref() != Some(SERIES_BREAKDOWN) && chosen.slice.series.is_none() {
            chosen.slice.series = breakdowns.series.first().cloned();
        }
        let units = (UNIT_DIMENSION.to_owned(), breakdowns.units.clone());
        // Each default is chosen among the series that the choices so far still admit, so
        // that defaults select data whenever the explicit choices do (an indicator may hold
        // series of different shapes: one source breaks down by sex, another has no sex).
        let mut left: Vec<&(String, Codes)> = breakdowns
            .combinations
            .iter()
            .filter(|(code, dimensions)| chosen.slice.admits(code, dimensions))
            .collect();
        for (id, present) in breakdowns.dimensions.iter().chain([(&units.0, &units.1)]) {
            if chosen.by.as_deref() == Some(id.as_str()) || chosen.slice.dimensions.contains_key(id)
            {
                continue;
            }
            let code_of = |dimensions: &Codes| {
                dimensions
                    .get(id)
                    .map_or(TOTAL_CODE, String::as_str)
                    .to_owned()
            };
            let mut here: Vec<String> = left.iter().map(|(_, d)| code_of(d)).collect();
            here.sort_unstable();
            here.dedup();
            let is_unit = id == UNIT_DIMENSION;
            let default = if here.is_empty() {
                // Nothing left to choose from: the explicit choices select no data anyway.
                if !is_unit && present.iter().any(|c| c == TOTAL_CODE) {
                    Some(TOTAL_CODE.to_owned())
                } else {
                    present.first().cloned()
                }
            } else if is_unit {
                here.iter()
                    .find(|c| *c != TOTAL_CODE)
                    .or(here.first())
                    .cloned()
            } else if here.iter().any(|c| c == TOTAL_CODE) {
                Some(TOTAL_CODE.to_owned())
            } else {
                here.first().cloned()
            };
            if let Some(code) = default {
                left.retain(|(_, d)| code_of(d) == code);
                chosen.slice.dimensions.insert(id.clone(), vec![code]);
            }
        }
    }
    Ok(chosen)
}

/// The query string that asks for exactly `chosen` (every default written out).
fn slice_query(chosen: &ChosenSlice) -> QueryString {
    let mut pairs = Vec::new();
    if let Some(series) = &chosen.slice.series {
        pairs.push(("series".to_owned(), series.clone()));
    }
    if let Some(by) = &chosen.by {
        pairs.push(("by".to_owned(), by.clone()));
    }
    for (id, codes) in &chosen.slice.dimensions {
        pairs.push((id.clone(), codes.join(",")));
    }
    if let Some(start) = &chosen.slice.start {
        pairs.push(("startPeriod".to_owned(), start.clone()));
    }
    if let Some(end) = &chosen.slice.end {
        pairs.push(("endPeriod".to_owned(), end.clone()));
    }
    QueryString::new(pairs)
}

/// The code of dimension `id` (or the unit) of an observation; a total when it has none.
pub(crate) fn code_of<'a>(obs: &'a Observation, id: &str) -> &'a str {
    if id == SERIES_BREAKDOWN {
        return &obs.series;
    }
    let code = if id == UNIT_DIMENSION {
        obs.attribute(UNIT_DIMENSION)
            .or_else(|| obs.dimension(UNIT_DIMENSION))
    } else {
        obs.dimension(id)
    };
    code.unwrap_or(TOTAL_CODE)
}

/// A code that may appear in a file name or a header: other characters become `_`.
fn file_safe(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The indicator `code` names, or 404.
async fn indicator_of(app: &AppState, code: &str) -> Result<SdgIndicatorStatus, PageError> {
    if code.chars().count() > MAX_CODE_CHARS {
        return Err(PageError::not_found());
    }
    app.store()
        .sdg_indicator(code.trim())
        .await?
        .ok_or_else(PageError::not_found)
}

// ---------------------------------------------------------------------------------------
// Names.

/// Names of codes in the page language, from the code lists when loaded.
struct Names {
    lang: Lang,
    names: BTreeMap<(String, String), String>,
}

impl Names {
    async fn load(
        app: &AppState,
        lang: Lang,
        breakdowns: &SdgBreakdowns,
    ) -> Result<Self, PageError> {
        let mut components: Vec<String> = breakdowns.dimensions.keys().cloned().collect();
        components.extend(
            [SERIES_BREAKDOWN, UNIT_DIMENSION]
                .iter()
                .chain(NAMED_ATTRIBUTES.iter())
                .map(|c| (*c).to_owned()),
        );
        let names = app.store().sdg_code_names(&components, lang.code()).await?;
        Ok(Self { lang, names })
    }

    /// The name of `code` of component `id`: from the code lists, else a total or a known
    /// nature in the page language, else the code.
    fn of(&self, id: &str, code: &str) -> String {
        if let Some(name) = self.names.get(&(id.to_owned(), code.to_owned())) {
            return name.clone();
        }
        if code == TOTAL_CODE {
            return self.lang.text("sdgi.total").to_owned();
        }
        if id == "NATURE" && NATURE_CODES.contains(&code) {
            return self.lang.text(&format!("sdgi.nature_{code}")).to_owned();
        }
        code.to_owned()
    }

    /// The name of attribute `id` of `obs`, or "" when it has none.
    fn attribute(&self, obs: &Observation, id: &str) -> String {
        obs.attribute(id)
            .map(|code| self.of(id, code))
            .unwrap_or_default()
    }
}

/// An indicator's title in `lang` (English when missing).
fn indicator_title(lang: Lang, indicator: &SdgIndicatorStatus) -> String {
    let own = match lang {
        Lang::En => None,
        Lang::Ru => indicator.title_ru.clone(),
        Lang::Tk => indicator.title_tk.clone(),
    };
    let title = own
        .filter(|t| !t.trim().is_empty())
        .unwrap_or_else(|| indicator.title_en.clone());
    if indicator.global {
        title
    } else if title.is_empty() {
        lang.text("sdgi.national").to_owned()
    } else {
        format!("{} ({title})", lang.text("sdgi.national"))
    }
}

// ---------------------------------------------------------------------------------------
// The goals.

/// `GET /sdg`.
async fn overview(State(state): State<AppState>, request: PageRequest) -> Response {
    request
        .answer(&state, overview_page(&state, &request))
        .await
}

async fn overview_page(app: &AppState, request: &PageRequest) -> Result<Page, PageError> {
    request.check_params(&[])?;
    let lang = request.lang;
    let status = app.store().sdg_reporting_status().await?;
    let catalogue = app.catalogue().await?;
    let title = lang.text("sdgi.portal_title").to_owned();
    let mut body = format!(
        "<h1>{}</h1><p class=\"status\">{}</p>",
        escape(&title),
        escape(&lang.format(
            "sdgi.status",
            &[
                ("reported", &status.reported.to_string()),
                ("total", &status.indicators.to_string())
            ]
        ))
    );
    let series = [
        Series {
            class: "reported",
            name: lang.text("sdgi.reported"),
        },
        Series {
            class: "unreported",
            name: lang.text("sdgi.unreported"),
        },
    ];
    let bars: Vec<StackedBar> = status
        .goals
        .iter()
        .map(|g| StackedBar {
            label: format!(
                "{}. {}",
                g.goal,
                goal_title(lang, &catalogue.goals, g.goal, true)
            ),
            values: vec![g.reported, g.indicators - g.reported],
        })
        .collect();
    body.push_str(&charts::stacked_chart(
        "sdg-status",
        lang.text("sdgi.goal_chart"),
        lang.text("sdgi.goal"),
        lang.text("sdgi.total_indicators"),
        &series,
        &bars,
    ));
    body.push_str("<ul class=\"sdg-goals\">");
    for goal in &status.goals {
        let _ = write!(
            body,
            "<li><a href=\"/sdg/{n}\">{n}. {title}</a> <span class=\"count\">{count}</span></li>",
            n = goal.goal,
            title = escape(&goal_title(lang, &catalogue.goals, goal.goal, false)),
            count = escape(&lang.format(
                "sdgi.goal_status",
                &[
                    ("reported", &goal.reported.to_string()),
                    ("total", &goal.indicators.to_string())
                ]
            )),
        );
    }
    body.push_str("</ul>");
    Ok(Page { title, body })
}

/// The indicators of `goal` with their reporting status, for the goal's page.
pub(crate) async fn goal_indicators_section(
    app: &AppState,
    lang: Lang,
    goal: i64,
) -> Result<String, PageError> {
    let indicators = app.store().sdg_indicator_statuses(Some(goal)).await?;
    let reported = indicators.iter().filter(|i| i.reported).count();
    let mut html = format!(
        "<h2 id=\"indicators\">{}</h2><p>{}</p><table class=\"sdg-indicators\"><thead><tr>\
         <th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th>\
         <th scope=\"col\" class=\"num\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>",
        escape(lang.text("sdgi.indicators")),
        escape(&lang.format(
            "sdgi.goal_status",
            &[
                ("reported", &reported.to_string()),
                ("total", &indicators.len().to_string())
            ]
        )),
        escape(lang.text("sdgi.indicator")),
        escape(lang.text("sdgi.reported")),
        escape(lang.text("sdgi.series_count")),
        escape(lang.text("sdgi.observations")),
        escape(lang.text("sdgi.latest")),
    );
    for indicator in &indicators {
        let _ = write!(
            html,
            "<tr class=\"{class}\"><th scope=\"row\"><a href=\"/sdg/indicators/{code}\">{code}</a> {title}</th>\
             <td>{reported}</td><td class=\"count\">{series}</td><td class=\"count\">{observations}</td><td>{latest}</td></tr>",
            class = if indicator.reported {
                "reported"
            } else {
                "unreported"
            },
            code = escape(&indicator.code),
            title = escape(&indicator_title(lang, indicator)),
            reported = escape(lang.text(if indicator.reported {
                "sdgi.yes"
            } else {
                "sdgi.no"
            })),
            series = indicator.series,
            observations = indicator.observations,
            latest = escape(indicator.latest_period.as_deref().unwrap_or("")),
        );
    }
    html.push_str("</tbody></table>");
    Ok(html)
}

/// SDG targets as links to their goal page, each followed by links to its indicators with
/// published data (`reported`: their codes), for the recommendation page.
pub(crate) fn target_links(targets: &[String], reported: &[String]) -> String {
    targets
        .iter()
        .map(|target| {
            let goal = target.split('.').next().unwrap_or_default();
            let mut html = format!(
                "<a href=\"/sdg/{goal}#target-{target}\">{text}</a>",
                goal = escape(goal),
                target = escape(target),
                text = escape(target)
            );
            let prefix = format!("{target}.");
            let indicators: Vec<String> = reported
                .iter()
                .filter(|code| code.starts_with(&prefix))
                .map(|code| {
                    format!(
                        "<a href=\"/sdg/indicators/{code}\">{code}</a>",
                        code = escape(code)
                    )
                })
                .collect();
            if !indicators.is_empty() {
                let _ = write!(html, " ({})", indicators.join(", "));
            }
            html
        })
        .collect::<Vec<_>>()
        .join(", ")
}

// ---------------------------------------------------------------------------------------
// One indicator.

/// `GET /sdg/indicators/{code}`.
async fn indicator_page(
    State(state): State<AppState>,
    code: Option<Path<String>>,
    request: PageRequest,
) -> Response {
    match code {
        Some(Path(code)) => {
            request
                .answer(&state, one_indicator(&state, &request, &code))
                .await
        }
        None => request.respond(Err(PageError::not_found())),
    }
}

/// The observations of `slice` grouped into lines by `by`, in code order (the total first);
/// with the number of lines before the cap.
fn lines_of<'a>(
    observations: &'a [Observation],
    by: Option<&str>,
) -> (Vec<(String, Vec<&'a Observation>)>, usize) {
    let mut lines: BTreeMap<(bool, String), Vec<&Observation>> = BTreeMap::new();
    for obs in observations {
        let code = by.map_or(TOTAL_CODE, |by| code_of(obs, by));
        lines
            .entry((code != TOTAL_CODE, code.to_owned()))
            .or_default()
            .push(obs);
    }
    let total = lines.len();
    let kept = lines
        .into_iter()
        .take(MAX_LINES)
        .map(|((_, code), mut points)| {
            points.sort_by(|a, b| a.time_period.cmp(&b.time_period));
            (code, points)
        })
        .collect();
    (kept, total)
}

async fn one_indicator(
    app: &AppState,
    request: &PageRequest,
    code: &str,
) -> Result<Page, PageError> {
    let lang = request.lang;
    let indicator = indicator_of(app, code).await?;
    let code = indicator.code.clone();
    let store = app.store();
    let breakdowns = store.sdg_breakdowns(&code).await?;
    let chosen = choose_slice(
        request.query.pairs(),
        &breakdowns,
        &["lang"],
        SliceDefaults::Totals,
    )
    .map_err(PageError::bad_request)?;
    let observations = store.sdg_slice(&code, &chosen.slice).await?;
    let names = Names::load(app, lang, &breakdowns).await?;
    let catalogue = app.catalogue().await?;
    let title = lang.format(
        "sdgi.page_title",
        &[
            ("code", &code),
            ("title", &indicator_title(lang, &indicator)),
        ],
    );
    let mut body = format!(
        "<h1>{}</h1><p class=\"crumbs\"><a href=\"/sdg\">{}</a> › <a href=\"/sdg/{goal}#target-{target}\">{}</a></p>",
        escape(&title),
        escape(lang.text("sdgi.portal_title")),
        escape(&format!(
            "{}. {}",
            indicator.goal,
            goal_title(lang, &catalogue.goals, indicator.goal, true)
        )),
        goal = indicator.goal,
        target = escape(&indicator.target),
    );
    body.push_str(&slice_form(
        lang,
        &code,
        &breakdowns,
        &chosen,
        request,
        &names,
    ));

    let (lines, line_count) = lines_of(&observations, chosen.by.as_deref());
    if observations.is_empty() {
        let _ = write!(
            body,
            "<p class=\"empty\">{}</p>",
            escape(lang.text("sdgi.no_data"))
        );
    } else {
        body.push_str(&figure(lang, &code, &chosen, &lines, &names));
        if line_count > MAX_LINES {
            let _ = write!(
                body,
                "<p class=\"note\">{}</p>",
                escape(&lang.format(
                    "sdgi.lines_capped",
                    &[
                        ("shown", &MAX_LINES.to_string()),
                        ("total", &line_count.to_string())
                    ]
                ))
            );
        }
        body.push_str(&download_links(lang, &code, &chosen));
    }
    body.push_str(&metadata_section(app, lang, &code).await?);
    body.push_str(&recommendations_section(app, lang, &indicator).await?);
    body.push_str(&actions_section(app, lang, &code).await?);
    let _ = write!(
        body,
        "<h2>{}</h2><p><a href=\"/sdg/indicators/{code}/versions\">{}</a> · \
         <a href=\"/sdg/indicators/{code}/template.xlsx?lang={lang_code}\">{}</a> · \
         <a href=\"/sdg/submit?indicator={code}\">{}</a> · \
         <a href=\"/sdg/indicators/{code}/metadata\">{}</a></p>",
        escape(lang.text("sdgc.for_staff")),
        escape(lang.text("sdgc.versions")),
        escape(lang.text("sdgc.template")),
        escape(lang.text("sdgc.submit_title")),
        escape(lang.text("sdgc.edit_metadata")),
        code = escape(&code),
        lang_code = lang.code(),
    );
    Ok(Page { title, body })
}

/// The GET form choosing the slice; its selects start at "default" unless the request chose.
fn slice_form(
    lang: Lang,
    code: &str,
    breakdowns: &SdgBreakdowns,
    chosen: &ChosenSlice,
    request: &PageRequest,
    names: &Names,
) -> String {
    let asked = |name: &str| request.query.get(name).unwrap_or("");
    let select = |name: &str, label: &str, options: &[(String, String)]| {
        let mut html = format!(
            "<label>{label}<select name=\"{name}\"><option value=\"\">{default}</option>",
            label = escape(label),
            name = escape(name),
            default = escape(lang.text("sdgi.default")),
        );
        for (value, text) in options {
            let selected = if asked(name) == value {
                " selected"
            } else {
                ""
            };
            let _ = write!(
                html,
                "<option value=\"{}\"{selected}>{}</option>",
                escape(value),
                escape(text)
            );
        }
        html.push_str("</select></label> ");
        html
    };
    let mut html = format!(
        "<form class=\"sdg-slice\" method=\"get\" action=\"/sdg/indicators/{}\"><fieldset><legend>{}</legend>",
        escape(code),
        escape(lang.text("sdgi.choose"))
    );
    if breakdowns.series.len() > 1 {
        let options: Vec<(String, String)> = breakdowns
            .series
            .iter()
            .map(|s| (s.clone(), names.of(SERIES_BREAKDOWN, s)))
            .collect();
        html.push_str(&select("series", lang.text("sdgi.series"), &options));
    }
    if breakdowns.units.len() > 1 {
        let options: Vec<(String, String)> = breakdowns
            .units
            .iter()
            .map(|u| (u.clone(), names.of(UNIT_DIMENSION, u)))
            .collect();
        html.push_str(&select(UNIT_DIMENSION, lang.text("sdgi.unit"), &options));
    }
    let mut by_options: Vec<(String, String)> = Vec::new();
    if breakdowns.series.len() > 1 {
        by_options.push((
            SERIES_BREAKDOWN.to_owned(),
            lang.text("sdgi.series").to_owned(),
        ));
    }
    for (id, present) in &breakdowns.dimensions {
        if present.len() > 1 {
            by_options.push((id.clone(), id.clone()));
        }
    }
    if !by_options.is_empty() {
        html.push_str(&select("by", lang.text("sdgi.by"), &by_options));
    }
    for (id, present) in &breakdowns.dimensions {
        if present.len() > 1 {
            let options: Vec<(String, String)> = present
                .iter()
                .map(|c| (c.clone(), names.of(id, c)))
                .collect();
            html.push_str(&select(id, id, &options));
        }
    }
    let _ = write!(
        html,
        "<label>{}<input name=\"startPeriod\" size=\"8\" value=\"{}\"></label> \
         <label>{}<input name=\"endPeriod\" size=\"8\" value=\"{}\"></label> \
         <input type=\"hidden\" name=\"lang\" value=\"{}\"><button type=\"submit\">{}</button></fieldset></form>",
        escape(lang.text("sdgi.start")),
        escape(chosen.slice.start.as_deref().unwrap_or("")),
        escape(lang.text("sdgi.end")),
        escape(chosen.slice.end.as_deref().unwrap_or("")),
        lang.code(),
        escape(lang.text("sdgi.show")),
    );
    html
}

/// The chart and, beside it, the table of the same numbers with their attributes.
fn figure(
    lang: Lang,
    code: &str,
    chosen: &ChosenSlice,
    lines: &[(String, Vec<&Observation>)],
    names: &Names,
) -> String {
    let by = chosen.by.as_deref();
    let label_of = |line_code: &str| match by {
        Some(by) => names.of(by, line_code),
        None => lang.text("sdgi.total").to_owned(),
    };
    let periods: Vec<String> = lines
        .iter()
        .flat_map(|(_, points)| points.iter().filter(|o| o.value.is_some()))
        .map(|o| o.time_period.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let chart_title = match by {
        Some(by) => lang.format("sdgi.chart_by", &[("code", code), ("by", by)]),
        None => lang.format("sdgi.chart", &[("code", code)]),
    };
    let drawing = if periods.len() == 1 {
        let bars: Vec<(String, f64)> = lines
            .iter()
            .filter_map(|(line_code, points)| {
                points
                    .iter()
                    .find_map(|o| o.value)
                    .map(|v| (label_of(line_code), v))
            })
            .collect();
        sdg_charts::bar_chart("sdg-chart", &chart_title, &bars)
    } else {
        let chart_lines: Vec<Line> = lines
            .iter()
            .map(|(line_code, points)| {
                let mut drawn: Vec<(usize, f64)> = Vec::new();
                for obs in points {
                    if let (Some(value), Ok(at)) =
                        (obs.value, periods.binary_search(&obs.time_period))
                        && drawn.last().is_none_or(|(last, _)| *last != at)
                    {
                        drawn.push((at, value));
                    }
                }
                Line {
                    label: label_of(line_code),
                    points: drawn,
                }
            })
            .collect();
        sdg_charts::line_chart("sdg-chart", &chart_title, &periods, &chart_lines)
    };
    let heads = [
        "sdgi.breakdown",
        "sdgi.period",
        "sdgi.value",
        "sdgi.unit",
        "sdgi.unit_mult",
        "sdgi.nature",
        "sdgi.obs_status",
        "sdgi.source",
        "sdgi.footnote",
    ];
    let mut table = format!(
        "<table class=\"sdg-data\"><caption>{}</caption><thead><tr>",
        escape(&chart_title)
    );
    for (i, key) in heads.iter().enumerate() {
        let class = if i == 2 { " class=\"num\"" } else { "" };
        let _ = write!(
            table,
            "<th scope=\"col\"{class}>{}</th>",
            escape(lang.text(key))
        );
    }
    table.push_str("</tr></thead><tbody>");
    for (line_code, points) in lines {
        let label = label_of(line_code);
        for obs in points {
            let value = match obs.value {
                Some(v) => format!("<td class=\"num\">{}</td>", number(v)),
                None => "<td class=\"missing\">–</td>".to_owned(),
            };
            let unit = obs
                .attribute(UNIT_DIMENSION)
                .map(|u| names.of(UNIT_DIMENSION, u))
                .unwrap_or_default();
            let _ = write!(
                table,
                "<tr class=\"obs\"><th scope=\"row\">{}</th><td>{}</td>{value}<td>{}</td><td>{}</td>\
                 <td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&label),
                escape(&obs.time_period),
                escape(&unit),
                escape(&names.attribute(obs, "UNIT_MULT")),
                escape(&names.attribute(obs, "NATURE")),
                escape(&names.attribute(obs, "OBS_STATUS")),
                escape(obs.attribute("SOURCE_DETAIL").unwrap_or("")),
                escape(obs.attribute("COMMENT_OBS").unwrap_or("")),
            );
        }
    }
    table.push_str("</tbody></table>");
    format!("<figure class=\"chart sdg\" id=\"sdg-figure\">{drawing}{table}</figure>")
}

/// Links to the downloads of exactly the chosen slice.
fn download_links(lang: Lang, code: &str, chosen: &ChosenSlice) -> String {
    let query = slice_query(chosen);
    let mut html = format!(
        "<h2>{}</h2><ul class=\"downloads\">",
        escape(lang.text("sdgi.download"))
    );
    for download in Download::ALL {
        let _ = write!(
            html,
            "<li><a href=\"{}\" download>{}</a></li>",
            query.href(&format!("/sdg/indicators/{code}/{}", download.path())),
            escape(lang.text(download.label_key())),
        );
    }
    html.push_str("</ul>");
    html
}

/// The national metadata in the page language (English where it has none).
async fn metadata_section(app: &AppState, lang: Lang, code: &str) -> Result<String, PageError> {
    let fields = app.store().sdg_metadata(code, lang.code()).await?;
    let mut html = format!("<h2>{}</h2>", escape(lang.text("sdgi.metadata")));
    if fields.is_empty() {
        let _ = write!(html, "<p>{}</p>", escape(lang.text("sdgi.no_metadata")));
        return Ok(html);
    }
    html.push_str("<dl class=\"facts\">");
    for name in METADATA_FIELDS {
        if let Some(field) = fields.iter().find(|f| f.field == name) {
            let _ = write!(
                html,
                "<dt>{}</dt><dd lang=\"{}\">{}</dd>",
                escape(lang.text(&format!("sdgm.{name}"))),
                escape(&field.lang),
                escape(&field.text)
            );
        }
    }
    html.push_str("</dl>");
    Ok(html)
}

/// The recommendations linked to the indicator's target.
async fn recommendations_section(
    app: &AppState,
    lang: Lang,
    indicator: &SdgIndicatorStatus,
) -> Result<String, PageError> {
    let (total, items) = app
        .store()
        .sdg_target_recommendations(&indicator.target, RECOMMENDATION_PREVIEW)
        .await?;
    let mut html = format!(
        "<h2>{}</h2><p>{}</p>",
        escape(&lang.format("sdgi.recommendations", &[("target", &indicator.target)])),
        escape(&lang.format("list.found", &[("total", &total.to_string())]))
    );
    if !items.is_empty() {
        html.push_str("<ul class=\"sdg-recommendations\">");
        for item in &items {
            let _ = write!(
                html,
                "<li><a href=\"/recommendations/{}\">{}</a> ({}) {}</li>",
                crate::html::url_encode(&item.uid),
                escape(&item.uid),
                escape(&item.state),
                escape(&item.text)
            );
        }
        html.push_str("</ul>");
    }
    if total > RECOMMENDATION_PREVIEW {
        let _ = write!(
            html,
            "<p><a href=\"/recommendations?sdg={goal}\">{}</a></p>",
            escape(&lang.format(
                "sdgi.all_recommendations",
                &[("goal", &indicator.goal.to_string())]
            )),
            goal = indicator.goal
        );
    }
    Ok(html)
}

/// The published Roadmap actions that use the indicator.
async fn actions_section(app: &AppState, lang: Lang, code: &str) -> Result<String, PageError> {
    let actions = app.store().sdg_indicator_actions(code).await?;
    let mut html = format!("<h2>{}</h2>", escape(lang.text("sdgi.actions")));
    if actions.is_empty() {
        let _ = write!(html, "<p>{}</p>", escape(lang.text("sdgi.none")));
        return Ok(html);
    }
    html.push_str("<ul class=\"sdg-actions\">");
    for action in &actions {
        let _ = write!(
            html,
            "<li><a href=\"/roadmap/actions/{}\">{}</a> · <a href=\"/roadmap/{}\">{}</a></li>",
            action.id,
            escape(&action.title),
            action.roadmap_id,
            escape(&action.roadmap)
        );
    }
    html.push_str("</ul>");
    Ok(html)
}

// ---------------------------------------------------------------------------------------
// Downloads.

/// The download formats of a slice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Download {
    Csv,
    OpenSdg,
    SdmxCsv,
    Json,
}

impl Download {
    const ALL: [Download; 4] = [
        Download::Csv,
        Download::OpenSdg,
        Download::SdmxCsv,
        Download::Json,
    ];

    /// The last segment of the download's path.
    fn path(self) -> &'static str {
        match self {
            Download::Csv => "data.csv",
            Download::OpenSdg => "data.open-sdg.csv",
            Download::SdmxCsv => "data.sdmx.csv",
            Download::Json => "data.json",
        }
    }

    fn label_key(self) -> &'static str {
        match self {
            Download::Csv => "sdgi.download_csv",
            Download::OpenSdg => "sdgi.download_open_sdg",
            Download::SdmxCsv => "sdgi.download_sdmx",
            Download::Json => "sdgi.download_json",
        }
    }

    /// The file name's ending after the indicator and breakdown.
    fn extension(self) -> &'static str {
        match self {
            Download::Csv => "csv",
            Download::OpenSdg => "open-sdg.csv",
            Download::SdmxCsv => "sdmx.csv",
            Download::Json => "json",
        }
    }

    /// The `format=` value of the data API that asks for it.
    pub(crate) fn from_api_format(format: &str) -> Option<Self> {
        match format {
            "csv" => Some(Download::Csv),
            "open-sdg" => Some(Download::OpenSdg),
            "sdmx-csv" => Some(Download::SdmxCsv),
            "json" => Some(Download::Json),
            _ => None,
        }
    }

    /// The observations written in this format, as an attachment named after `code` and
    /// `by`.
    pub(crate) fn respond(
        self,
        code: &str,
        by: Option<&str>,
        observations: &[Observation],
    ) -> Response {
        use hrtrack_sdg::export;
        let (content_type, body) = match self {
            Download::Csv => ("text/csv; charset=utf-8", export::to_csv(observations)),
            Download::OpenSdg => (
                "text/csv; charset=utf-8",
                export::to_open_sdg_csv(observations),
            ),
            Download::SdmxCsv => (
                "text/csv; charset=utf-8",
                export::to_sdmx_csv(observations, SDMX_DATAFLOW),
            ),
            Download::Json => ("application/json", export::to_json(observations)),
        };
        let name = match by {
            Some(by) => format!(
                "sdg-{}-{}.{}",
                file_safe(code),
                file_safe(by),
                self.extension()
            ),
            None => format!("sdg-{}.{}", file_safe(code), self.extension()),
        };
        let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
            .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
        (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
                (header::CONTENT_DISPOSITION, disposition),
            ],
            body,
        )
            .into_response()
    }
}

/// `GET /sdg/indicators/{code}/data.csv`.
async fn download_csv(
    state: State<AppState>,
    code: Option<Path<String>>,
    request: PageRequest,
) -> Response {
    download(state, code, request, Download::Csv).await
}

/// `GET /sdg/indicators/{code}/data.open-sdg.csv`.
async fn download_open_sdg(
    state: State<AppState>,
    code: Option<Path<String>>,
    request: PageRequest,
) -> Response {
    download(state, code, request, Download::OpenSdg).await
}

/// `GET /sdg/indicators/{code}/data.sdmx.csv`.
async fn download_sdmx_csv(
    state: State<AppState>,
    code: Option<Path<String>>,
    request: PageRequest,
) -> Response {
    download(state, code, request, Download::SdmxCsv).await
}

/// `GET /sdg/indicators/{code}/data.json`.
async fn download_json(
    state: State<AppState>,
    code: Option<Path<String>>,
    request: PageRequest,
) -> Response {
    download(state, code, request, Download::Json).await
}

/// The slice the page's parameters choose, as a `format` download.
async fn download(
    State(state): State<AppState>,
    code: Option<Path<String>>,
    request: PageRequest,
    format: Download,
) -> Response {
    let Some(Path(code)) = code else {
        return request.respond(Err(PageError::not_found()));
    };
    let result: Result<Response, PageError> = async {
        let indicator = indicator_of(&state, &code).await?;
        let breakdowns = state.store().sdg_breakdowns(&indicator.code).await?;
        let chosen = choose_slice(
            request.query.pairs(),
            &breakdowns,
            &["lang"],
            SliceDefaults::Totals,
        )
        .map_err(PageError::bad_request)?;
        let observations = state
            .store()
            .sdg_slice(&indicator.code, &chosen.slice)
            .await?;
        Ok(format.respond(&indicator.code, chosen.by.as_deref(), &observations))
    }
    .await;
    result.unwrap_or_else(|error| request.respond(Err(error)))
}
