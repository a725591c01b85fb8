//! Full-text `q` through the search index, on the API and the list page: relevance order,
//! stemming, phrases, prefixes, facet counts computed with the query, highlighting that
//! escapes markup, and hostile text that is never a 500.

use axum::http::StatusCode;
use hrtrack_db::RecommendationFilter;
use hrtrack_search::{FacetKind, SearchQuery};
use serde_json::Value;

use crate::support::{TestApp, assert_error, each_backend};

/// Norway's cycle 3 rows written by these tests: made-up texts around one rare word.
const ROWS: &str = "state,cycle,session,paragraph,text,position,recommending_states\n\
    Norway,3,33,140.1,\"Protect quokka habitats, count every quokka and fund quokka research\",supported,France\n\
    Norway,3,33,140.2,\"Consider whether the habitats of the quokka deserve a law on biodiversity and wetlands\",noted,Germany\n\
    Norway,3,33,140.3,\"Ratify the quokka treaty\",supported,France | Germany\n\
    Norway,3,33,140.4,\"Ban <script>quokka</script> & <b>imports</b>\",noted,France\n";

/// Imports [`ROWS`] into the app's store and brings its index up to date.
async fn add_rows(app: &TestApp) {
    let batch = hrtrack_import::table::read(ROWS.as_bytes(), "quokka.csv", None)
        .unwrap_or_else(|e| panic!("{e}"));
    app.store
        .import_batch(&batch, &mut |_| {})
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    app.refresh_index().await;
}

/// The paragraphs of the items of an API answer, in order.
fn paragraphs(body: &Value) -> Vec<String> {
    body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|item| item["paragraph"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn found(app: &TestApp, q: &str) -> Vec<String> {
    paragraphs(
        &app.get_json(&format!("/api/v1/recommendations?state=NOR&q={q}"))
            .await,
    )
}

async fn page(app: &TestApp, uri: &str) -> String {
    let answer = app.get(uri).await;
    assert_eq!(answer.status, StatusCode::OK, "{uri}: {}", answer.text());
    answer.text()
}

#[tokio::test]
async fn q_finds_by_relevance_stem_phrase_and_prefix() {
    each_backend(async |app| {
        add_rows(app).await;
        // Relevance: three quokkas in a short text come first; registry order would not.
        let by_relevance = found(app, "quokka").await;
        assert_eq!(by_relevance.len(), 4, "{by_relevance:?}");
        assert_eq!(by_relevance[0], "140.1", "{by_relevance:?}");
        let longest_last = by_relevance.last().map(String::as_str);
        assert_eq!(longest_last, Some("140.2"), "{by_relevance:?}");
        // Stemming: "ratifying" finds "Ratify".
        assert_eq!(found(app, "ratifying%20quokka").await, ["140.3"]);
        // Words must all match, in any order; a phrase must match as written.
        let words = found(app, "quokka%20habitats").await;
        assert_eq!(words.len(), 2, "{words:?}");
        assert_eq!(
            found(app, "%22quokka%20habitats%22").await,
            ["140.1"],
            "phrase"
        );
        // The last word is also a prefix (as-you-type).
        assert_eq!(found(app, "quok").await.len(), 4);
        assert_eq!(found(app, "biodiv").await, ["140.2"]);
        // The total counts every match; pages slice the relevance order.
        let second = app
            .get_json("/api/v1/recommendations?state=NOR&q=quokka&per_page=1&page=2")
            .await;
        assert_eq!(second["total"], 4);
        assert_eq!(paragraphs(&second), [by_relevance[1].clone()]);
        // Downloads hold the same matches.
        let csv = app
            .get("/api/v1/recommendations?state=NOR&q=quokka&format=csv")
            .await;
        assert_eq!(csv.status, StatusCode::OK);
        assert_eq!(
            csv.text().matches("NOR-UPR3-140.").count(),
            4,
            "{}",
            csv.text()
        );
        // The list page shows them in the same order.
        let html = page(app, "/recommendations?state=NOR&q=quokka").await;
        let first = html.find("Protect <mark>quokka</mark>");
        let last = html.find("Consider whether");
        assert!(
            first.is_some() && last.is_some() && first < last,
            "page order"
        );
        // An unknown State with q is the caller's mistake, as without.
        let unknown = app
            .get("/api/v1/recommendations?q=quokka&state=Atlantis")
            .await;
        assert_error(
            &unknown,
            StatusCode::BAD_REQUEST,
            "invalid_filter",
            "unknown State",
        );
    })
    .await;
}

/// The count shown for `value` of facet `name` on a list page.
fn facet_count(html: &str, name: &str, value: &str) -> Option<u64> {
    ["?", "&amp;"].iter().find_map(|joint| {
        let link = format!("{joint}{name}={value}\"");
        let (_, rest) = html.split_once(&link)?;
        let (_, rest) = rest.split_once("<span class=\"count\">(")?;
        rest.split_once(')')?.0.parse().ok()
    })
}

#[tokio::test]
async fn facet_counts_are_computed_with_the_query() {
    each_backend(async |app| {
        let results = app
            .state
            .index()
            .search(&SearchQuery {
                text: "rights".into(),
                ..SearchQuery::default()
            })
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(results.total > 0);
        let html = page(app, "/recommendations?q=rights").await;
        let positions = results.facets.get(FacetKind::Position);
        assert!(!positions.is_empty());
        for (code, count) in positions {
            assert_eq!(facet_count(&html, "position", code), Some(*count), "{code}");
        }
        for (cycle, count) in results.facets.get(FacetKind::Cycle) {
            assert_eq!(facet_count(&html, "cycle", cycle), Some(*count), "{cycle}");
        }
        assert!(html.contains(&format!("{} recommendations found", results.total)));
        let api = app.get_json("/api/v1/recommendations?q=rights").await;
        assert_eq!(api["total"], results.total);
        // An empty q is no search: the counts are the store's, as without q.
        let stats = app
            .store
            .stats(&RecommendationFilter::default())
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let empty = page(app, "/recommendations?q=").await;
        for (code, count) in [
            ("supported", stats.positions.supported),
            ("noted", stats.positions.noted),
        ] {
            let shown = facet_count(&empty, "position", code).and_then(|n| i64::try_from(n).ok());
            assert_eq!(shown, Some(count), "{code}");
        }
    })
    .await;
}

#[tokio::test]
async fn highlighting_escapes_markup() {
    each_backend(async |app| {
        add_rows(app).await;
        let html = page(app, "/recommendations?state=NOR&q=quokka").await;
        assert!(
            html.contains("Ban &lt;script&gt;<mark>quokka</mark>&lt;/script&gt; &amp; &lt;b&gt;imports&lt;/b&gt;</a>"),
            "escaped and marked: {}",
            html.split_once("<ol class=\"results\">").map_or("", |(_, list)| list)
        );
        assert!(html.contains("count every <mark>quokka</mark>"));
        assert!(!html.contains("<script>"));
        assert!(!html.contains("<b>"));
    })
    .await;
}

#[tokio::test]
async fn hostile_q_is_never_a_500() {
    each_backend(async |app| {
        let long = "quokka%20".repeat(1_200);
        let cases = [
            long.as_str(),
            "%22",
            "%22%22%22",
            "%22unbalanced%20phrase",
            "field%3Ax",
            "text%3Arights%20AND%20state%3ANOR",
            "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
            "*",
            "rights~2%5E10",
            "(((",
            "-",
            "%E2%80%8B",
            "%F0%9F%98%80",
        ];
        for q in cases {
            for path in ["/api/v1/recommendations", "/recommendations"] {
                let answer = app.get(&format!("{path}?q={q}")).await;
                assert!(
                    answer.status == StatusCode::OK || answer.status == StatusCode::BAD_REQUEST,
                    "{path} q={}: {}",
                    &q[..q.len().min(40)],
                    answer.status
                );
            }
        }
    })
    .await;
}
