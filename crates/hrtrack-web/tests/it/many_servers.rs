//! Many servers, one database: two applications, each with its own store pool and its own
//! search index, over the same database (a SQLite file; and the same PostgreSQL schema when
//! `HRTRACK_TEST_POSTGRES` is set). An import through one is found by the other's search,
//! list page and statistics within seconds, without a restart, thanks to the refresh task.

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use hrtrack_db::Store;
use serde_json::Value;

use crate::support::{POSTGRES_ENV, TestApp, load, unique_schema_name};

/// How long server B may take to see server A's import.
const WITHIN: Duration = Duration::from_secs(5);

/// The new file: two recommendations sharing a word the test data does not hold.
const NEW_FILE: &str = "state,cycle,session,paragraph,text,position,recommending_states\n\
    Norway,3,33,140.1,\"Protect the wombat sanctuaries\",supported,France\n\
    Norway,3,33,140.2,\"Fund wombat research\",noted,Germany\n";

#[tokio::test]
async fn an_import_through_one_server_is_found_on_another_sqlite() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temporary directory: {e}"));
    let url = format!("sqlite://{}", dir.path().join("shared.db").display());
    let store_a = Store::open(&url)
        .await
        .unwrap_or_else(|e| panic!("open {url}: {e}"));
    let store_b = Store::open(&url)
        .await
        .unwrap_or_else(|e| panic!("open {url} again: {e}"));
    two_servers(store_a, store_b).await;
}

#[tokio::test]
async fn an_import_through_one_server_is_found_on_another_postgres() {
    let Ok(url) = std::env::var(POSTGRES_ENV) else {
        return;
    };
    if url.trim().is_empty() {
        return;
    }
    let schema = unique_schema_name();
    let store_a = Store::open_in_schema(&url, Some(&schema))
        .await
        .unwrap_or_else(|e| panic!("open {url} in {schema}: {e}"));
    let store_b = Store::open_in_schema(&url, Some(&schema))
        .await
        .unwrap_or_else(|e| panic!("open {url} in {schema} again: {e}"));
    two_servers(store_a, store_b).await;
    Store::drop_schema(&url, &schema)
        .await
        .unwrap_or_else(|e| panic!("drop schema {schema}: {e}"));
}

/// Servers A and B over `store_a` and `store_b` (one database), their refresh tasks running.
async fn two_servers(store_a: Store, store_b: Store) {
    load(&store_a).await;
    let a = TestApp::over(store_a).await;
    let b = TestApp::over(store_b).await;
    let refreshers = [
        tokio::spawn(hrtrack_web::keep_index_fresh(a.state.clone())),
        tokio::spawn(hrtrack_web::keep_index_fresh(b.state.clone())),
    ];

    let search = "/api/v1/recommendations?q=wombat";
    assert_eq!(b.get_json(search).await["total"], 0);
    let stats_before = b.get_json("/api/v1/stats").await;

    let batch = hrtrack_import::table::read(NEW_FILE.as_bytes(), "wombats.csv", None)
        .unwrap_or_else(|e| panic!("{e}"));
    a.store
        .import_batch(&batch, &mut |_| {})
        .await
        .unwrap_or_else(|e| panic!("import through A: {e}"));

    let started = Instant::now();
    let found: Value = loop {
        let answer = b.get_json(search).await;
        if answer["total"] == 2 {
            break answer;
        }
        assert!(
            started.elapsed() < WITHIN,
            "B did not find A's import within {WITHIN:?}: {answer}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let texts: Vec<&str> = found["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|item| item["text"].as_str())
        .collect();
    assert!(texts.contains(&"Fund wombat research"), "{texts:?}");

    let list = b.get("/recommendations?q=wombat").await;
    assert_eq!(list.status, StatusCode::OK);
    let html = list.text();
    assert!(
        html.contains("Protect the <mark>wombat</mark> sanctuaries"),
        "list page"
    );
    assert!(html.contains("2 recommendations found"), "list page total");

    let stats_after = b.get_json("/api/v1/stats").await;
    assert_ne!(stats_before, stats_after);
    let count = |stats: &Value| stats["recommendations"].as_i64().unwrap_or_default();
    assert_eq!(count(&stats_after), count(&stats_before) + 2);

    for refresher in refreshers {
        refresher.abort();
    }
    a.store.close().await;
    b.store.close().await;
}
