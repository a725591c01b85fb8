//! Behavioural tests of the search index over a SQLite store loaded with the bundled real
//! files (Slovenia's 4th-cycle OHCHR thematic list, UPR Info's Turkmenistan rows) and a small
//! Russian table.

use std::time::Instant;

use hrtrack_db::{RecommendationFilter, Store};
use hrtrack_domain::{Cycle, Position};
use hrtrack_search::{FacetKind, Facets, SearchError, SearchIndex, SearchQuery, SearchResults};
use tempfile::TempDir;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/upr/");
const SLOVENIA_4: &str = "upr48-slovenia-thematic-list-of-recommendations.docx";
const TURKMENISTAN: &str = "upr_info_turkmenistan_cycles1-2.csv";
const RUSSIAN_TABLE: &str = "state,cycle,session,paragraph,text,position,recommending_states,language\n\
Turkmenistan,4,44,120.1,Ратифицировать Конвенцию о правах инвалидов,supported,Russian Federation,ru\n\
Turkmenistan,4,44,120.2,Укреплять независимость национального учреждения,noted,Belarus,ru\n";

/// A store in a temporary directory (kept alive with it).
struct TestStore {
    store: Store,
    _dir: TempDir,
}

async fn empty_store() -> TestStore {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    let store = Store::open(&url).await.expect("open the store");
    TestStore { store, _dir: dir }
}

async fn import_slovenia(store: &Store) {
    let bytes = std::fs::read(format!("{DATA}{SLOVENIA_4}")).expect("the Slovenia file");
    let batch = hrtrack_import::ohchr_matrix::read(&bytes, SLOVENIA_4, &Default::default())
        .expect("read Slovenia");
    store
        .import_batch(&batch, &mut |_| {})
        .await
        .expect("import Slovenia");
}

async fn import_turkmenistan(store: &Store) {
    let bytes = std::fs::read(format!("{DATA}{TURKMENISTAN}")).expect("the Turkmenistan file");
    let batch = hrtrack_import::upr_info::read(&bytes, TURKMENISTAN).expect("read Turkmenistan");
    store
        .import_batch(&batch, &mut |_| {})
        .await
        .expect("import Turkmenistan");
}

async fn import_russian(store: &Store) {
    let batch = hrtrack_import::table::read(RUSSIAN_TABLE.as_bytes(), "ru.csv", None)
        .expect("read the Russian table");
    store
        .import_batch(&batch, &mut |_| {})
        .await
        .expect("import the Russian table");
}

/// A store with everything and an index built from it.
async fn loaded() -> (TestStore, SearchIndex) {
    let store = empty_store().await;
    import_slovenia(&store.store).await;
    import_turkmenistan(&store.store).await;
    import_russian(&store.store).await;
    let index = SearchIndex::in_memory().expect("an index");
    let started = Instant::now();
    let report = index.rebuild(&store.store).await.expect("rebuild");
    eprintln!(
        "indexed {} recommendations in {:?}",
        report.recommendations,
        started.elapsed()
    );
    assert_eq!(
        report.recommendations,
        store
            .store
            .count(&RecommendationFilter::default())
            .await
            .expect("count") as u64
    );
    (store, index)
}

fn text(text: &str) -> SearchQuery {
    SearchQuery {
        text: text.to_owned(),
        limit: 20,
        ..Default::default()
    }
}

fn search(index: &SearchIndex, query: &SearchQuery) -> SearchResults {
    index
        .search(query)
        .unwrap_or_else(|e| panic!("search {query:?}: {e}"))
}

/// The full texts of the hits, lowercased, from the store.
async fn hit_texts(store: &Store, results: &SearchResults) -> Vec<String> {
    let mut texts = Vec::new();
    for hit in &results.hits {
        let filter = RecommendationFilter {
            uid: Some(hit.uid.clone()),
            ..Default::default()
        };
        let records = store.list(&filter, Some(1), 0).await.expect("fetch a hit");
        texts.push(records[0].text.to_lowercase());
    }
    texts
}

#[tokio::test]
async fn english_stemming_finds_other_forms_of_a_word() {
    let (store, index) = loaded().await;
    let results = search(&index, &text("ratifying"));
    assert!(results.total > 0);
    let texts = hit_texts(&store.store, &results).await;
    assert!(texts.iter().all(|t| t.contains("ratif")), "{texts:?}");
    assert!(
        texts.iter().any(|t| !t.contains("ratifying")),
        "other forms than the typed one are found"
    );
}

#[tokio::test]
async fn russian_stemming_finds_other_forms_of_a_word() {
    let (store, index) = loaded().await;
    // The text has "Конвенцию" (accusative); the query the nominative.
    let results = search(&index, &text("конвенция инвалиды"));
    assert_eq!(results.total, 1, "{results:?}");
    let texts = hit_texts(&store.store, &results).await;
    assert!(texts[0].contains("конвенцию о правах инвалидов"));
}

#[tokio::test]
async fn phrases_match_words_in_order_only() {
    let (store, index) = loaded().await;
    let words = search(&index, &text("human rights institution "));
    let phrase = search(&index, &text(r#""national human rights institution""#));
    assert!(phrase.total > 0);
    assert!(phrase.total <= words.total);
    let texts = hit_texts(&store.store, &phrase).await;
    assert!(
        texts
            .iter()
            .all(|t| t.contains("national human rights institution")),
        "{texts:?}"
    );
    let reversed = search(&index, &text(r#""institution rights human national""#));
    assert_eq!(reversed.total, 0);
}

#[tokio::test]
async fn the_last_word_matches_as_a_prefix_while_typing() {
    let (store, index) = loaded().await;
    let typing = search(&index, &text("tortu"));
    let whole = search(&index, &text("torture"));
    assert!(whole.total > 0);
    assert!(typing.total >= whole.total);
    let texts = hit_texts(&store.store, &typing).await;
    assert!(texts.iter().all(|t| t.contains("tortu")), "{texts:?}");
    // A finished word (followed by a space) is not a prefix.
    assert_eq!(search(&index, &text("tortu ")).total, 0);
}

#[tokio::test]
async fn facet_counts_equal_the_store_statistics() {
    let (store, index) = loaded().await;
    for filter in [
        RecommendationFilter {
            state: Some("Slovenia".to_owned()),
            cycle: Some(Cycle::new(4).expect("cycle 4")),
            ..Default::default()
        },
        RecommendationFilter {
            state: Some("TKM".to_owned()),
            ..Default::default()
        },
        RecommendationFilter::default(),
    ] {
        let results = search(
            &index,
            &SearchQuery {
                filter: filter.clone(),
                ..text("")
            },
        );
        let stats = store.store.stats(&filter).await.expect("stats");
        assert_eq!(results.total as i64, stats.recommendations, "{filter:?}");
        let positions = &stats.positions;
        for (code, expected) in [
            ("supported", positions.supported),
            ("supported_in_part", positions.supported_in_part),
            ("noted", positions.noted),
            ("pending", positions.pending),
        ] {
            assert_eq!(
                results.facets.count(FacetKind::Position, code) as i64,
                expected,
                "{code} for {filter:?}"
            );
        }
        for line in &stats.by_sdg_goal {
            assert_eq!(
                results.facets.count(FacetKind::SdgGoal, &line.key) as i64,
                line.recommendations,
                "SDG {} for {filter:?}",
                line.key
            );
        }
        for line in stats.by_regional_group.iter().filter(|l| l.key != "none") {
            assert_eq!(
                results.facets.count(FacetKind::RegionalGroup, &line.key) as i64,
                line.recommendations,
                "group {} for {filter:?}",
                line.key
            );
        }
        for line in &stats.by_affected_persons {
            assert_eq!(
                results.facets.count(FacetKind::AffectedPerson, &line.key) as i64,
                line.recommendations
            );
        }
    }
}

#[tokio::test]
async fn facet_filters_narrow_the_result() {
    let (store, index) = loaded().await;
    let all = search(&index, &text("rights"));
    let supported_count = all.facets.count(FacetKind::Position, "supported");
    assert!(supported_count > 0);
    let narrowed = search(
        &index,
        &SearchQuery {
            filter: RecommendationFilter {
                position: Some(Position::Supported),
                state: Some("Slovenia".to_owned()),
                ..Default::default()
            },
            ..text("rights")
        },
    );
    assert!(narrowed.total > 0);
    assert!(narrowed.total as u64 <= supported_count);
    assert_eq!(
        narrowed.facets.get(FacetKind::Position),
        &[("supported".to_owned(), narrowed.total as u64)]
    );
    assert_eq!(
        narrowed.facets.get(FacetKind::State),
        &[("Slovenia".to_owned(), narrowed.total as u64)]
    );
    let first = &narrowed.hits[0].uid;
    let by_uid = search(
        &index,
        &SearchQuery {
            filter: RecommendationFilter {
                uid: Some(first.clone()),
                ..Default::default()
            },
            ..text("")
        },
    );
    assert_eq!(by_uid.total, 1);
    let record = store
        .store
        .show(first, &Default::default())
        .await
        .expect("show");
    let by_paragraph = search(
        &index,
        &SearchQuery {
            filter: RecommendationFilter {
                paragraph: record.paragraph.clone(),
                state: Some(record.state_iso3.clone()),
                cycle: record.cycle.and_then(|c| Cycle::new(c as u8).ok()),
                ..Default::default()
            },
            ..text("")
        },
    );
    assert_eq!(by_paragraph.total, 1, "{record:?}");
    assert_eq!(&by_paragraph.hits[0].uid, first);
    assert_eq!(record.position, "supported");
}

#[tokio::test]
async fn an_unknown_state_is_a_typed_error() {
    let (_store, index) = loaded().await;
    let query = SearchQuery {
        filter: RecommendationFilter {
            state: Some("Atlantis".to_owned()),
            ..Default::default()
        },
        ..text("rights")
    };
    assert!(matches!(
        index.search(&query),
        Err(SearchError::UnknownState(name)) if name == "Atlantis"
    ));
}

#[tokio::test]
async fn pages_are_stable_and_a_page_past_the_end_is_empty() {
    let (store, index) = loaded().await;
    let whole = search(
        &index,
        &SearchQuery {
            limit: 40,
            ..text("rights")
        },
    );
    let first = search(&index, &text("rights"));
    let second = search(
        &index,
        &SearchQuery {
            offset: 20,
            ..text("rights")
        },
    );
    let paged: Vec<&str> = first
        .hits
        .iter()
        .chain(&second.hits)
        .map(|h| h.uid.as_str())
        .collect();
    let at_once: Vec<&str> = whole.hits.iter().map(|h| h.uid.as_str()).collect();
    assert_eq!(paged, at_once);
    let past = search(
        &index,
        &SearchQuery {
            offset: 1_000_000,
            ..text("rights")
        },
    );
    assert!(past.hits.is_empty());
    assert_eq!(past.total, whole.total);
    // An empty text lists everything, in registry order.
    let everything = search(&index, &text(""));
    assert!(everything.total > 300);
    assert_eq!(everything.hits.len(), 20);
    let listed = store
        .store
        .list(&RecommendationFilter::default(), Some(20), 0)
        .await
        .expect("list");
    let listed: Vec<&str> = listed.iter().map(|r| r.uid.as_str()).collect();
    let found: Vec<&str> = everything.hits.iter().map(|h| h.uid.as_str()).collect();
    assert_eq!(found, listed);
    // Without words to mark, the snippet is the start of the text.
    let snippet = &everything.hits[0].snippet;
    assert!(!snippet.text.is_empty() && snippet.highlights.is_empty());
    let huge_page = search(
        &index,
        &SearchQuery {
            offset: usize::MAX,
            limit: usize::MAX,
            ..text("")
        },
    );
    assert!(huge_page.hits.is_empty());
}

#[tokio::test]
async fn hostile_queries_never_fail() {
    let (_store, index) = loaded().await;
    let long = "torture ".repeat(1300);
    let many_quotes = "\"".repeat(10_000);
    for hostile in [
        "\"unbalanced quote",
        "unbalanced\" quote\"\"\"",
        "AND OR",
        "NOT",
        "(((",
        "title:torture",
        "nosuchfield:value",
        "text_en:ratify",
        "<script>alert(1)</script>",
        "'; DROP TABLE recommendations; --",
        "* ? ~ ^2 [a TO z] {} \\ / :",
        long.as_str(),
        many_quotes.as_str(),
        "\u{0}\u{200b}\u{feff}",
        "ж",
        "a",
        "",
        "   ",
    ] {
        let results = index
            .search(&text(hostile))
            .unwrap_or_else(|e| panic!("{hostile:.40?}: {e}"));
        assert!(results.hits.len() <= 20);
    }
    // Operators and markup are words like any other: `<script>` looks for "script".
    assert_eq!(search(&index, &text("<script>")).total, 0);
}

#[tokio::test]
async fn snippets_mark_the_matched_words() {
    let (_store, index) = loaded().await;
    let results = search(&index, &text("torture"));
    assert!(!results.hits.is_empty());
    for hit in &results.hits {
        let snippet = &hit.snippet;
        assert!(!snippet.highlights.is_empty(), "{hit:?}");
        for &(start, end) in &snippet.highlights {
            let word = snippet
                .text
                .get(start..end)
                .expect("ranges on char boundaries");
            assert!(
                word.to_lowercase().starts_with("tortur"),
                "{word:?} in {hit:?}"
            );
        }
    }
    let typing = search(&index, &text("tortu"));
    let word = &typing.hits[0].snippet;
    let (start, end) = word.highlights[0];
    assert!(word.text[start..end].to_lowercase().starts_with("tortu"));
}

#[tokio::test]
async fn refresh_picks_up_a_new_import_and_survives_reopening() {
    let store = empty_store().await;
    import_slovenia(&store.store).await;
    let dir = tempfile::tempdir().expect("a temporary directory");
    let index = SearchIndex::open_or_create(dir.path()).expect("open the index");
    let first = index.refresh(&store.store).await.expect("first refresh");
    assert_eq!(
        first.expect("built").reviews,
        None,
        "a first refresh builds all"
    );
    assert_eq!(index.refresh(&store.store).await.expect("no change"), None);
    assert_eq!(search(&index, &text("turkmenistan")).total, 0);
    let before = search(&index, &text("")).total;

    import_turkmenistan(&store.store).await;
    let report = index
        .refresh(&store.store)
        .await
        .expect("refresh after import")
        .expect("changed");
    assert!(report.reviews.is_some_and(|n| n > 0), "{report:?}");
    let after = search(&index, &text(""));
    assert!(after.total > before);
    assert!(after.facets.count(FacetKind::State, "Turkmenistan") > 0);
    drop(index);

    let reopened = SearchIndex::open_or_create(dir.path()).expect("reopen");
    assert_eq!(
        reopened.data_version(),
        Some(store.store.data_version().await.expect("version"))
    );
    assert_eq!(
        reopened.refresh(&store.store).await.expect("still current"),
        None
    );
    assert_eq!(search(&reopened, &text("")).total, after.total);
    // The reopened handle resolves State names (refresh loaded the country table).
    let by_code = search(
        &reopened,
        &SearchQuery {
            filter: RecommendationFilter {
                state: Some("TKM".to_owned()),
                ..Default::default()
            },
            ..text("")
        },
    );
    assert_eq!(
        by_code.total as u64,
        after.facets.count(FacetKind::State, "Turkmenistan")
    );
}

/// What an index answers, to compare two indexes.
fn answers(index: &SearchIndex) -> Vec<(usize, hrtrack_search::Facets)> {
    ["", "rights", "torture", "конвенция", "\"human rights\""]
        .into_iter()
        .map(|q| {
            let results = search(index, &text(q));
            (results.total, results.facets)
        })
        .collect()
}

#[tokio::test]
async fn a_refreshed_index_answers_as_a_rebuilt_one() {
    let store = empty_store().await;
    import_slovenia(&store.store).await;
    let index = SearchIndex::in_memory().expect("an index");
    index.rebuild(&store.store).await.expect("build");

    import_turkmenistan(&store.store).await;
    import_russian(&store.store).await;
    let report = index
        .refresh(&store.store)
        .await
        .expect("refresh")
        .expect("changed");
    assert!(report.reviews.is_some(), "{report:?}");
    let rebuilt = SearchIndex::in_memory().expect("an index");
    rebuilt.rebuild(&store.store).await.expect("rebuild");
    assert_eq!(answers(&index), answers(&rebuilt));

    // The same file again changes nothing, not even the data version: nothing to refresh.
    import_slovenia(&store.store).await;
    let report = index.refresh(&store.store).await.expect("refresh");
    assert!(report.is_none(), "{report:?}");
    assert_eq!(answers(&index), answers(&rebuilt));

    // A changed position replaces the review's documents.
    let noted_before = search(&index, &text(""))
        .facets
        .count(FacetKind::Position, "noted");
    let changed = RUSSIAN_TABLE.replace(",noted,", ",supported,");
    let batch = hrtrack_import::table::read(changed.as_bytes(), "ru.csv", None).expect("read");
    store
        .store
        .import_batch(&batch, &mut |_| {})
        .await
        .expect("import");
    let report = index
        .refresh(&store.store)
        .await
        .expect("refresh")
        .expect("changed");
    assert!(report.reviews.is_some_and(|n| n >= 1), "{report:?}");
    let after = search(&index, &text(""));
    assert_eq!(
        after.facets.count(FacetKind::Position, "noted"),
        noted_before - 1
    );
    rebuilt.rebuild(&store.store).await.expect("rebuild");
    assert_eq!(answers(&index), answers(&rebuilt));
}

#[tokio::test]
async fn hits_without_facets_are_the_same_hits() {
    let (_store, index) = loaded().await;
    for query in [
        text("rights"),
        text("ratifying convention"),
        SearchQuery {
            offset: 1_000_000,
            ..text("rights")
        },
    ] {
        let full = search(&index, &query);
        let hits = index.search_hits(&query).expect("a search without facets");
        assert_eq!(hits.total, full.total);
        assert_eq!(hits.hits, full.hits);
        assert_eq!(hits.facets, Facets::default());
    }
    assert_ne!(search(&index, &text("rights")).facets, Facets::default());
}
