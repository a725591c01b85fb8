//! The public SDG data pages and the data API over real Kazakhstan Open SDG files: the
//! reporting status against the store's, the goal page's indicator list, the indicator
//! page's chart lines and table against the store's slice, `by=` changing the lines,
//! downloads read back with the hrtrack-sdg readers, the JSON API, errors and translations.

use std::collections::{BTreeMap, BTreeSet};

use axum::http::StatusCode;
use hrtrack_db::{SdgSlice, Store};
use hrtrack_sdg::{Observation, open_sdg, sdmx_csv};
use hrtrack_web::i18n::Lang;

use crate::support::{TestApp, assert_error, each_backend};

const FOLDER: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../data/sdg-timeseries/kazakhstan-open-sdg"
);
const FILES: [&str; 4] = [
    "indicator_5-5-1.csv",
    "indicator_8-5-2.csv",
    "indicator_1-1-1.csv",
    "indicator_10-5-1-1.csv",
];

async fn import(app: &TestApp) {
    let datasets: Vec<_> = FILES
        .iter()
        .map(|file| {
            let bytes =
                std::fs::read(format!("{FOLDER}/{file}")).unwrap_or_else(|e| panic!("{file}: {e}"));
            open_sdg::read(&bytes, file).unwrap_or_else(|e| panic!("{file}: {e:?}"))
        })
        .collect();
    app.store
        .import_sdg(&datasets, &mut |_| {})
        .await
        .unwrap_or_else(|e| panic!("SDG import: {e}"));
    app.refresh_index().await;
}

/// The code of `id` of an observation, a total when absent (units from the attributes).
fn code_of(obs: &Observation, id: &str) -> String {
    let code = if id == "UNIT_MEASURE" {
        obs.attribute(id)
    } else {
        obs.dimension(id)
    };
    code.unwrap_or("_T").to_owned()
}

/// The page's default slice of `indicator` broken down by `by`, built here from the
/// breakdowns: every other dimension at its total (or first code), the first unit.
async fn default_slice(store: &Store, indicator: &str, by: &str) -> SdgSlice {
    let breakdowns = store
        .sdg_breakdowns(indicator)
        .await
        .unwrap_or_else(|e| panic!("breakdowns: {e}"));
    let mut dimensions = BTreeMap::new();
    for (id, codes) in &breakdowns.dimensions {
        if id != by {
            let code = if codes.iter().any(|c| c == "_T") {
                "_T".to_owned()
            } else {
                codes[0].clone()
            };
            dimensions.insert(id.clone(), vec![code]);
        }
    }
    dimensions.insert("UNIT_MEASURE".to_owned(), vec![breakdowns.units[0].clone()]);
    SdgSlice {
        series: breakdowns.series.first().cloned(),
        dimensions,
        ..SdgSlice::default()
    }
}

async fn slice(store: &Store, indicator: &str, slice: &SdgSlice) -> Vec<Observation> {
    store
        .sdg_slice(indicator, slice)
        .await
        .unwrap_or_else(|e| panic!("slice: {e}"))
}

/// The numbers of the page's data table, sorted as text.
fn table_numbers(html: &str) -> Vec<String> {
    let table = html
        .split("<table class=\"sdg-data\">")
        .nth(1)
        .and_then(|rest| rest.split("</table>").next())
        .unwrap_or_else(|| panic!("no data table"));
    let mut numbers: Vec<String> = table
        .split("<td class=\"num\">")
        .skip(1)
        .filter_map(|cell| cell.split("</td>").next())
        .map(str::to_owned)
        .collect();
    numbers.sort();
    numbers
}

fn values_of(observations: &[Observation]) -> Vec<String> {
    let mut values: Vec<String> = observations
        .iter()
        .filter_map(|o| o.value)
        .map(|v| format!("{v}"))
        .collect();
    values.sort();
    values
}

/// How many lines the chart draws.
fn drawn_lines(html: &str) -> usize {
    html.matches("<path class=\"line line-").count()
}

/// The `href` of the link whose target contains `needle`, unescaped.
fn link_to(html: &str, needle: &str) -> String {
    html.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .find(|href| href.contains(needle))
        .unwrap_or_else(|| panic!("no link to {needle}"))
        .replace("&amp;", "&")
}

#[tokio::test]
async fn sdg_status_and_goal_pages_agree_with_the_store() {
    each_backend(async |app| {
        import(app).await;
        let status = app.store.sdg_reporting_status().await.expect("status");
        assert!(status.reported >= 3, "{status:?}");
        let page = app.get("/sdg").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text());
        let html = page.text();
        assert!(html.contains("<svg"));
        let total_line = Lang::En.format(
            "sdgi.status",
            &[
                ("reported", &status.reported.to_string()),
                ("total", &status.indicators.to_string()),
            ],
        );
        assert!(html.contains(&total_line), "{total_line}");
        for goal in &status.goals {
            let item = html
                .split(&format!("<li><a href=\"/sdg/{}\">", goal.goal))
                .nth(1)
                .and_then(|rest| rest.split("</li>").next())
                .unwrap_or_else(|| panic!("goal {} not listed", goal.goal));
            let count = Lang::En.format(
                "sdgi.goal_status",
                &[
                    ("reported", &goal.reported.to_string()),
                    ("total", &goal.indicators.to_string()),
                ],
            );
            assert!(item.contains(&count), "goal {}: {item}", goal.goal);
        }

        let goal = app.get("/sdg/5").await;
        assert_eq!(goal.status, StatusCode::OK);
        let html = goal.text();
        let row = html
            .split("<a href=\"/sdg/indicators/5.5.1\">")
            .nth(1)
            .and_then(|rest| rest.split("</tr>").next())
            .expect("5.5.1 listed");
        let listed = app
            .store
            .sdg_indicator_statuses(Some(5))
            .await
            .expect("goal 5");
        let parl = listed.iter().find(|s| s.code == "5.5.1").expect("5.5.1");
        assert!(parl.reported);
        assert!(row.contains(Lang::En.text("sdgi.yes")), "{row}");
        assert!(row.contains(&format!("<td class=\"count\">{}</td>", parl.observations)));
        assert!(html.contains("id=\"target-5.5\""));
    })
    .await;
}

#[tokio::test]
async fn sdg_indicator_page_draws_the_store_slice_and_by_changes_the_lines() {
    each_backend(async |app| {
        import(app).await;
        for by in ["SEX", "AGE"] {
            let expected = slice(
                &app.store,
                "8.5.2",
                &default_slice(&app.store, "8.5.2", by).await,
            )
            .await;
            let codes: BTreeSet<String> = expected.iter().map(|o| code_of(o, by)).collect();
            assert!(codes.len() >= 2, "{by}: {codes:?}");
            let page = app.get(&format!("/sdg/indicators/8.5.2?by={by}")).await;
            assert_eq!(page.status, StatusCode::OK, "{}", page.text());
            let html = page.text();
            assert!(html.contains("<svg"));
            assert_eq!(drawn_lines(&html), codes.len().min(12), "{by}");
            assert_eq!(table_numbers(&html), values_of(&expected), "{by}");
            if codes.len() > 12 {
                assert!(html.contains("class=\"note\""));
            }
        }
        // A fixed code of another dimension and a period range cut the slice.
        let mut fixed = default_slice(&app.store, "8.5.2", "SEX").await;
        fixed.start = Some("2015".to_owned());
        fixed.end = Some("2019".to_owned());
        let expected = slice(&app.store, "8.5.2", &fixed).await;
        let page = app
            .get("/sdg/indicators/8.5.2?by=SEX&startPeriod=2015&endPeriod=2019")
            .await;
        let html = page.text();
        assert_eq!(table_numbers(&html), values_of(&expected));
        assert!(expected.iter().all(|o| o.time_period.as_str() >= "2015"));

        // 5.5.1 has two series: by default one line per series.
        let page = app.get("/sdg/indicators/5.5.1").await;
        let html = page.text();
        let series: BTreeSet<String> = slice(&app.store, "5.5.1", &SdgSlice::default())
            .await
            .into_iter()
            .map(|o| o.series)
            .collect();
        assert_eq!(drawn_lines(&html), series.len());
    })
    .await;
}

#[tokio::test]
async fn sdg_downloads_hold_exactly_the_slice() {
    each_backend(async |app| {
        import(app).await;
        let page = app
            .get("/sdg/indicators/8.5.2?by=SEX&startPeriod=2016")
            .await;
        let html = page.text();
        let mut wanted = default_slice(&app.store, "8.5.2", "SEX").await;
        wanted.start = Some("2016".to_owned());
        let expected = slice(&app.store, "8.5.2", &wanted).await;
        assert!(!expected.is_empty());

        let sdmx = app.get(&link_to(&html, "/data.sdmx.csv")).await;
        assert_eq!(sdmx.status, StatusCode::OK, "{}", sdmx.text());
        assert_eq!(sdmx.header("content-type"), "text/csv; charset=utf-8");
        assert!(
            sdmx.header("content-disposition")
                .contains("sdg-8.5.2-SEX.sdmx.csv")
        );
        let back = sdmx_csv::read(&sdmx.body, "slice.csv").expect("SDMX-CSV reads back");
        assert_eq!(back.observations.len(), expected.len());
        assert_eq!(values_of(&back.observations), values_of(&expected));

        let open = app.get(&link_to(&html, "/data.open-sdg.csv")).await;
        assert_eq!(open.status, StatusCode::OK);
        let back = open_sdg::read(&open.body, "indicator_8-5-2.csv").expect("Open SDG reads back");
        assert_eq!(back.observations.len(), expected.len());
        assert_eq!(values_of(&back.observations), values_of(&expected));

        let json = app.get(&link_to(&html, "/data.json")).await;
        assert_eq!(json.status, StatusCode::OK);
        assert_eq!(json.header("content-type"), "application/json");
        let csv = app.get(&link_to(&html, "/data.csv")).await;
        assert_eq!(csv.status, StatusCode::OK);
        assert_eq!(
            csv.text().lines().filter(|l| !l.trim().is_empty()).count(),
            expected.len() + 1
        );
    })
    .await;
}

#[tokio::test]
async fn sdg_data_api_returns_the_slice() {
    each_backend(async |app| {
        import(app).await;
        let body = app
            .get_json("/api/v1/sdg/data/8.5.2?SEX=F,M&startPeriod=2015")
            .await;
        let wanted = SdgSlice {
            dimensions: BTreeMap::from([("SEX".to_owned(), vec!["F".to_owned(), "M".to_owned()])]),
            start: Some("2015".to_owned()),
            ..SdgSlice::default()
        };
        let expected = slice(&app.store, "8.5.2", &wanted).await;
        assert!(!expected.is_empty());
        assert_eq!(body["indicator"], "8.5.2");
        let served: Vec<Observation> =
            serde_json::from_value(body["observations"].clone()).expect("observations");
        assert_eq!(served, expected);

        let csv = app
            .get("/api/v1/sdg/data/8.5.2?SEX=F&format=sdmx-csv")
            .await;
        assert_eq!(csv.status, StatusCode::OK);
        let back = sdmx_csv::read(&csv.body, "api.csv").expect("reads back");
        assert!(!back.observations.is_empty());
        assert!(
            back.observations
                .iter()
                .all(|o| o.dimension("SEX") == Some("F"))
        );

        let list = app.get_json("/api/v1/sdg/indicators").await;
        let items = list["items"].as_array().expect("items");
        let parl = items
            .iter()
            .find(|i| i["code"] == "5.5.1")
            .expect("5.5.1 listed");
        let stored: i64 = app
            .store
            .sdg_series(Some("5.5.1"))
            .await
            .expect("series")
            .iter()
            .map(|s| s.observations)
            .sum();
        assert_eq!(parl["reported"], true);
        assert_eq!(parl["observations"], stored);
        assert!(items.iter().any(|i| i["code"] == "10.5.1.1"));
    })
    .await;
}

#[tokio::test]
async fn sdg_unknown_indicator_is_404_and_bad_parameters_400() {
    each_backend(async |app| {
        import(app).await;
        assert_eq!(
            app.get("/sdg/indicators/99.9.9").await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.get("/sdg/indicators/99.9.9/data.csv").await.status,
            StatusCode::NOT_FOUND
        );
        assert_error(
            &app.get("/api/v1/sdg/data/99.9.9").await,
            StatusCode::NOT_FOUND,
            "not_found",
            "unknown indicator",
        );
        for bad in [
            "by=NOPE",
            "startPeriod=%3Cscript%3E",
            "bogus=1",
            "SEX=F&SEX=M",
            "startPeriod=2020&endPeriod=2010",
        ] {
            let page = app.get(&format!("/sdg/indicators/8.5.2?{bad}")).await;
            assert_eq!(page.status, StatusCode::BAD_REQUEST, "{bad}");
            assert!(!page.text().contains("<script>"), "{bad}");
            let download = app
                .get(&format!("/sdg/indicators/8.5.2/data.csv?{bad}"))
                .await;
            assert_eq!(download.status, StatusCode::BAD_REQUEST, "{bad}");
        }
        assert_error(
            &app.get("/api/v1/sdg/data/8.5.2?NOPE=1").await,
            StatusCode::BAD_REQUEST,
            "bad_request",
            "unknown dimension",
        );
        let format = app.get("/api/v1/sdg/data/8.5.2?format=xml").await;
        assert!(format.status.is_client_error(), "{}", format.text());
        assert_eq!(format.json()["error"]["code"], "unsupported_format");
    })
    .await;
}

#[tokio::test]
async fn sdg_pages_in_russian_and_turkmen() {
    each_backend(async |app| {
        import(app).await;
        for lang in [Lang::Ru, Lang::Tk] {
            let page = app
                .get(&format!("/sdg/indicators/5.5.1?lang={}", lang.code()))
                .await;
            assert_eq!(page.status, StatusCode::OK);
            let html = page.text();
            for key in ["sdgi.metadata", "sdgi.actions", "sdgi.choose"] {
                assert_ne!(lang.text(key), Lang::En.text(key), "{key} untranslated");
                assert!(html.contains(lang.text(key)), "{key} in {}", lang.code());
                assert!(!html.contains(Lang::En.text(key)), "{key} in English");
            }
            let overview = app.get(&format!("/sdg?lang={}", lang.code())).await;
            assert!(overview.text().contains(lang.text("sdgi.portal_title")));
        }
    })
    .await;
}

#[tokio::test]
async fn recommendations_and_indicators_link_both_ways() {
    each_backend(async |app| {
        import(app).await;
        // A recommendation on target 5.5, as a ministry's table would bring it.
        let batch = hrtrack_import::table::read(
            b"state,cycle,session,paragraph,text,position,recommending_states,sdg_targets\n\
              Turkmenistan,4,46,5.5,Increase the participation of women in political life,supported,Norway,5.5\n",
            "t.csv",
            None,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        app.store
            .import_batch(&batch, &mut |_| {})
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        app.refresh_index().await;
        let (total, linked) = app
            .store
            .sdg_target_recommendations("5.5", 20)
            .await
            .expect("linked");
        assert_eq!(total, 1);
        let uid = &linked[0].uid;
        // The recommendation's page leads to the goal's target and to 5.5.1, which has data.
        let page = app.get(&format!("/recommendations/{uid}")).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text());
        let html = page.text();
        assert!(html.contains("/sdg/5#target-5.5"), "{html}");
        assert!(html.contains("href=\"/sdg/indicators/5.5.1\""), "{html}");
        // The indicator's page leads back to the recommendation.
        let page = app.get("/sdg/indicators/5.5.1").await;
        assert!(
            page.text().contains(&format!("/recommendations/{uid}")),
            "{}",
            page.text()
        );
    })
    .await;
}

#[tokio::test]
async fn roadmap_actions_and_indicators_link_both_ways() {
    use hrtrack_db::roadmap::{ActionInput, Actor, IndicatorInput, InstitutionInput, RoadmapInput};
    use hrtrack_domain::{ActionStatus, Date, Frequency, InstitutionKind};
    each_backend(async |app| {
        import(app).await;
        let store = &app.store;
        let actor = Actor::system("test");
        let date = |text: &str| Date::parse(text).unwrap_or_else(|e| panic!("{e}"));
        let ministry = store
            .create_institution(
                &actor,
                InstitutionInput {
                    code: "MLSP".into(),
                    name: "Ministry of Labour".into(),
                    name_ru: String::new(),
                    name_tk: String::new(),
                    kind: InstitutionKind::Ministry,
                    archived: false,
                },
            )
            .await
            .expect("institution");
        let roadmap = store
            .create_roadmap(
                &actor,
                RoadmapInput {
                    title: "Roadmap".into(),
                    description: String::new(),
                    review: None,
                    followup_months: 12,
                    reviewers: Vec::new(),
                    archived: false,
                },
            )
            .await
            .expect("roadmap");
        let action = |title: &str, published: bool| ActionInput {
            title: title.to_owned(),
            description: String::new(),
            expected_outcome: String::new(),
            lead_institution_id: ministry.id,
            supporting_institutions: Vec::new(),
            partners: Vec::new(),
            start_date: date("2025-01-01"),
            end_date: date("2025-12-31"),
            cost: String::new(),
            currency: String::new(),
            funding_source: String::new(),
            status: ActionStatus::InProgress,
            published,
            recommendations: Vec::new(),
            clusters: Vec::new(),
            sdg_targets: Vec::new(),
            archived: false,
        };
        let public = store
            .create_action(
                &actor,
                roadmap.id,
                action("Youth employment programme", true),
            )
            .await
            .expect("action");
        let draft = store
            .create_action(
                &actor,
                roadmap.id,
                action("Draft plan on youth jobs", false),
            )
            .await
            .expect("action");
        for id in [public.id, draft.id] {
            store
                .create_indicator(
                    &actor,
                    id,
                    IndicatorInput {
                        title: "Unemployment rate of young people".into(),
                        baseline: String::new(),
                        target: String::new(),
                        unit: "%".into(),
                        frequency: Frequency::Yearly,
                        sdg_indicator: Some("8.5.2".into()),
                        archived: false,
                    },
                )
                .await
                .expect("indicator");
        }
        // The indicator page lists the published action only.
        let html = app.get("/sdg/indicators/8.5.2").await.text();
        assert!(
            html.contains(&format!("/roadmap/actions/{}", public.id)),
            "{html}"
        );
        assert!(!html.contains("Draft plan on youth jobs"), "{html}");
        // The action's page links its indicator to the indicator's page.
        let page = app.get(&format!("/roadmap/actions/{}", public.id)).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text());
        assert!(
            page.text().contains("href=\"/sdg/indicators/8.5.2\""),
            "{}",
            page.text()
        );
    })
    .await;
}

#[tokio::test]
async fn public_writes_reach_cached_pages_at_once() {
    use hrtrack_db::roadmap::{ActionInput, Actor, IndicatorInput, InstitutionInput, RoadmapInput};
    use hrtrack_domain::{ActionStatus, Date, Frequency, InstitutionKind};
    each_backend(async |app| {
        import(app).await;
        let store = &app.store;
        let actor = Actor::system("test");
        let date = |text: &str| Date::parse(text).unwrap_or_else(|e| panic!("{e}"));
        let ministry = store
            .create_institution(
                &actor,
                InstitutionInput {
                    code: "MLSP".into(),
                    name: "Ministry of Labour".into(),
                    name_ru: String::new(),
                    name_tk: String::new(),
                    kind: InstitutionKind::Ministry,
                    archived: false,
                },
            )
            .await
            .expect("institution");
        let roadmap = store
            .create_roadmap(
                &actor,
                RoadmapInput {
                    title: "Roadmap".into(),
                    description: String::new(),
                    review: None,
                    followup_months: 12,
                    reviewers: Vec::new(),
                    archived: false,
                },
            )
            .await
            .expect("roadmap");
        let action = |title: &str, published: bool, archived: bool| ActionInput {
            title: title.to_owned(),
            description: String::new(),
            expected_outcome: String::new(),
            lead_institution_id: ministry.id,
            supporting_institutions: Vec::new(),
            partners: Vec::new(),
            start_date: date("2025-01-01"),
            end_date: date("2025-12-31"),
            cost: String::new(),
            currency: String::new(),
            funding_source: String::new(),
            status: ActionStatus::InProgress,
            published,
            recommendations: Vec::new(),
            clusters: Vec::new(),
            sdg_targets: Vec::new(),
            archived,
        };
        let mut actions = Vec::new();
        for title in ["Archived youth programme", "Unpublished youth programme"] {
            let created = store
                .create_action(&actor, roadmap.id, action(title, true, false))
                .await
                .expect("action");
            store
                .create_indicator(
                    &actor,
                    created.id,
                    IndicatorInput {
                        title: "Unemployment rate of young people".into(),
                        baseline: String::new(),
                        target: String::new(),
                        unit: "%".into(),
                        frequency: Frequency::Yearly,
                        sdg_indicator: Some("8.5.2".into()),
                        archived: false,
                    },
                )
                .await
                .expect("indicator");
            actions.push(store.action(created.id).await.expect("action"));
        }
        let page = "/sdg/indicators/8.5.2";
        let html = app.get(page).await.text();
        assert!(html.contains("Archived youth programme"), "{html}");
        assert!(html.contains("Unpublished youth programme"), "{html}");
        // Asked again: from the cache (same versions).
        assert!(
            app.get(page)
                .await
                .text()
                .contains("Archived youth programme")
        );

        store
            .update_action(
                &actor,
                actions[0].id,
                actions[0].version,
                action("Archived youth programme", true, true),
            )
            .await
            .expect("archive");
        let html = app.get(page).await.text();
        assert!(
            !html.contains("Archived youth programme"),
            "archived, still shown: {html}"
        );
        assert!(html.contains("Unpublished youth programme"), "{html}");

        store
            .update_action(
                &actor,
                actions[1].id,
                actions[1].version,
                action("Unpublished youth programme", false, false),
            )
            .await
            .expect("unpublish");
        let html = app.get(page).await.text();
        assert!(
            !html.contains("Unpublished youth programme"),
            "unpublished, still shown: {html}"
        );

        store
            .set_sdg_metadata(
                &actor,
                "8.5.2",
                "en",
                &[(
                    "definition".to_owned(),
                    "A definition edited just now".to_owned(),
                )],
            )
            .await
            .expect("metadata");
        let html = app.get(page).await.text();
        assert!(
            html.contains("A definition edited just now"),
            "metadata edit not shown: {html}"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_requests_after_a_data_change_render_each_page_once() {
    each_backend(async |app| {
        import(app).await;
        let pages = [
            "/sdg/indicators/8.5.2",
            "/sdg/indicators/5.5.1",
            "/recommendations?state=SVN",
        ];
        let renders = app.state.page_renders();
        let loads = app.state.catalogue_loads();
        let mut tasks = Vec::new();
        for n in 0..120 {
            let router = app.router.clone();
            let uri = pages[n % pages.len()];
            tasks.push(tokio::spawn(async move {
                use tower::ServiceExt;
                let request = axum::http::Request::builder()
                    .uri(uri)
                    .body(axum::body::Body::empty())
                    .unwrap_or_else(|e| panic!("{e}"));
                let response = router.oneshot(request).await.unwrap_or_else(|e| match e {});
                response.status()
            }));
        }
        for task in tasks {
            assert_eq!(task.await.unwrap_or_else(|e| panic!("{e}")), StatusCode::OK);
        }
        assert_eq!(
            app.state.page_renders() - renders,
            pages.len() as u64,
            "renders for {} pages asked 120 times",
            pages.len()
        );
        assert!(
            app.state.catalogue_loads() - loads <= 1,
            "catalogue loaded {} times",
            app.state.catalogue_loads() - loads
        );
    })
    .await;
}

/// Issue 10: Tajikistan's SDMX-ML series carry SERIES but no INDICATOR; before the fix they
/// were stored with an empty indicator and were on no page. With the series list loaded, its
/// 57 series whose codes the list knows are on the pages and in the API of 34 indicators.
#[tokio::test]
async fn sdg_series_without_an_indicator_in_the_file_are_on_their_indicator_pages() {
    each_backend(async |app| {
        crate::sdg_workflow::load_code_lists(&app.store).await;
        let name = "TAJSTAT_Data.xml";
        let bytes = std::fs::read(format!(
            "{}/../../data/sdg-timeseries/tajikistan-sdmx/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .expect("the Tajikistan data file");
        let dataset = hrtrack_sdg::sdmx_ml::read(&bytes, name).expect("read");
        let summary = app
            .store
            .import_sdg(&[dataset], &mut |_| {})
            .await
            .expect("import");
        assert_eq!(summary.series_without_indicator, 3);
        app.refresh_index().await;

        let list = app.get_json("/api/v1/sdg/indicators").await;
        let items = list["items"].as_array().expect("items");
        let reported: Vec<&serde_json::Value> =
            items.iter().filter(|i| i["reported"] == true).collect();
        assert_eq!(reported.len(), 34, "{reported:#?}");
        let observations: i64 = reported
            .iter()
            .map(|i| i["observations"].as_i64().unwrap_or(0))
            .sum();
        // 188 observations, less the 3 of SL_TLF_CHD's 3 series (not in the series list).
        assert_eq!(observations, 185);

        let body = app.get_json("/api/v1/sdg/data/1.1.1").await;
        let served: Vec<Observation> =
            serde_json::from_value(body["observations"].clone()).expect("observations");
        assert_eq!(served.len(), 5);
        assert!(served.iter().all(|o| o.series == "SI_POV_DAY1"));
        let page = app.get("/sdg/indicators/1.1.1").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text().contains("SI_POV_DAY1") || page.text().contains("4.81"));
    })
    .await;
}

/// An indicator whose series come in two shapes (Kazakhstan's Open SDG 5.5.1 without sex or
/// area, and SDMX series broken down by sex, area and frequency in another unit, as the demo's
/// Tajikistan data): the page's defaults are chosen among the series the other defaults leave,
/// so the default page shows data instead of "no published data for this choice".
#[tokio::test]
async fn defaults_select_data_when_series_have_different_shapes() {
    each_backend(async |app| {
        import(app).await;
        let other_shape = |series: &str, year: &str, value: f64| Observation {
            series: series.to_owned(),
            indicator: Some("5.5.1".to_owned()),
            dimensions: [("SEX", "F"), ("REF_AREA", "762"), ("FREQ", "A")]
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            time_period: year.to_owned(),
            value: Some(value),
            attributes: [("UNIT_MEASURE", "PERCENT")]
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            ..Observation::default()
        };
        let dataset = hrtrack_sdg::Dataset {
            source: "other-shape.xml".to_owned(),
            format: hrtrack_sdg::SdgFormat::SdmxCsv2,
            dataflow: None,
            observations: vec![
                other_shape("SG_GEN_PARL", "2019", 27.0),
                other_shape("SG_GEN_LOCG", "2019", 20.6),
            ],
            rows: Vec::new(),
            warnings: Vec::new(),
        };
        app.store
            .import_sdg(std::slice::from_ref(&dataset), &mut |_| {})
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        app.refresh_index().await;
        let breakdowns = app.store.sdg_breakdowns("5.5.1").await.expect("breakdowns");
        assert!(breakdowns.dimensions.contains_key("SEX"), "{breakdowns:?}");

        let page = app.get("/sdg/indicators/5.5.1").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text());
        let html = page.text();
        assert!(html.contains("<svg"), "the default page has no chart");
        assert!(
            !table_numbers(&html).is_empty(),
            "the default page has no numbers"
        );
        // Both series drawn, from Kazakhstan's shape (no sex): not the other shape's 27.
        assert_eq!(drawn_lines(&html), 2);
        assert!(!table_numbers(&html).contains(&"27".to_owned()), "{html}");

        // Choosing the other shape's sex picks its unit and area by default.
        let page = app.get("/sdg/indicators/5.5.1?SEX=F").await;
        let numbers = table_numbers(&page.text());
        assert!(numbers.contains(&"27".to_owned()), "{numbers:?}");
    })
    .await;
}
