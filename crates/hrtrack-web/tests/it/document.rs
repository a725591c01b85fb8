//! The OpenAPI document: its snapshot, that it lists exactly the routed paths, that its
//! schemas name exactly the fields served, and the API page made from it.

use std::collections::BTreeSet;

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::support::{TestApp, each_backend};

#[test]
fn openapi_document_matches_its_snapshot() {
    insta::assert_json_snapshot!("openapi", hrtrack_web::openapi_document());
}

/// The document's paths as axum writes them (`{uid}` in both).
fn document_paths() -> BTreeSet<String> {
    hrtrack_web::openapi_document()["paths"]
        .as_object()
        .map(|paths| paths.keys().cloned().collect())
        .unwrap_or_default()
}

#[test]
fn every_routed_path_is_documented_and_every_documented_path_routed() {
    let routed: BTreeSet<String> = hrtrack_web::routed_paths()
        .into_iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(routed, document_paths());
}

#[tokio::test]
async fn every_documented_path_answers_get() {
    each_backend(async |app| {
        let served = app.get_json("/api/v1/openapi.json").await;
        assert_eq!(served, hrtrack_web::openapi_document());
        let document = hrtrack_web::openapi_document();
        for path in document_paths() {
            // Public reads only: signed-in operations and records by id have their own tests.
            let get = &document["paths"][&path]["get"];
            // What changed between versions needs two published versions: `sdg_workflow`.
            if get.is_null()
                || !get["security"].is_null()
                || path.contains("{id}")
                || path.ends_with("/changes")
            {
                continue;
            }
            let path = if path == "/api/v1/rollups" {
                format!("{path}?by=review")
            } else {
                path
            };
            let uri = path
                .replace("{uid}", "SVN-UPR4-140.7")
                .replace("{goal}", "5")
                .replace("{code}", "5.5.1");
            let answer = app.get(&uri).await;
            assert_eq!(answer.status, StatusCode::OK, "{uri}: {}", answer.text());
        }
    })
    .await;
}

/// The property names of schema `name`.
fn schema_fields(name: &str) -> BTreeSet<String> {
    hrtrack_web::openapi_document()["components"]["schemas"][name]["properties"]
        .as_object()
        .unwrap_or_else(|| panic!("no schema {name}"))
        .keys()
        .cloned()
        .collect()
}

fn fields_of(value: &Value) -> BTreeSet<String> {
    value
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {value}"))
        .keys()
        .cloned()
        .collect()
}

async fn first_item(app: &TestApp, uri: &str) -> Value {
    let body = app.get_json(uri).await;
    body["items"][0].clone()
}

#[tokio::test]
async fn schemas_name_exactly_the_served_fields() {
    each_backend(async |app| {
        let page = app
            .get_json("/api/v1/recommendations?state=Slovenia&cycle=4&per_page=1")
            .await;
        let stats = app.get_json("/api/v1/stats?state=Slovenia").await;
        let served = [
            ("RecommendationPage", page.clone()),
            ("RecommendationRecord", page["items"][0].clone()),
            ("Review", first_item(app, "/api/v1/reviews").await),
            ("State", first_item(app, "/api/v1/states").await),
            ("Tag", first_item(app, "/api/v1/themes").await),
            ("SdgGoal", first_item(app, "/api/v1/sdg/goals").await),
            (
                "SdgTarget",
                first_item(app, "/api/v1/sdg/goals/1/targets").await,
            ),
            (
                "SdgIndicator",
                first_item(app, "/api/v1/sdg/indicators").await,
            ),
            ("SdgData", app.get_json("/api/v1/sdg/data/5.5.1").await),
            ("Stats", stats.clone()),
            ("PositionCounts", stats["positions"].clone()),
            ("ReviewStats", stats["reviews"][0].clone()),
            ("GroupCount", stats["by_regional_group"][0].clone()),
            ("Health", app.get_json("/healthz").await),
            ("Error", app.get("/api/v1/nowhere").await.json()),
        ];
        for (name, value) in served {
            assert_eq!(schema_fields(name), fields_of(&value), "schema {name}");
        }
    })
    .await;
}

#[tokio::test]
async fn api_page_is_html_from_the_document() {
    each_backend(async |app| {
        let page = app.get("/api/v1/docs").await;
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(page.header("content-type"), "text/html; charset=utf-8");
        let html = page.text();
        assert!(html.starts_with("<!doctype html>"));
        assert!(!html.to_lowercase().contains("<script"));
        assert!(!html.contains("style="));
        assert!(!html.contains("http://") && !html.contains("https://"));
        for path in hrtrack_web::routed_paths() {
            assert!(html.contains(path), "{path} missing from the API page");
        }
        // Descriptions with quotes come out escaped.
        assert!(html.contains("&quot;quoted words&quot;"));
        assert!(html.contains("recommendation_not_found"));
    })
    .await;
}

#[test]
fn api_page_escapes_everything_it_shows() {
    let hostile = "<script>alert(\"x\")</script>&'";
    let document = json!({
        "openapi": hostile,
        "info": {"title": hostile, "version": hostile, "description": format!("{hostile} `{hostile}`")},
        "paths": {
            hostile: {hostile: {
                "operationId": hostile, "summary": hostile, "description": hostile,
                "parameters": [{"name": hostile, "in": hostile, "description": hostile,
                    "schema": {"type": hostile, "enum": [hostile]}}],
                "responses": {hostile: {"description": hostile,
                    "content": {hostile: {"schema": {"$ref": hostile}}}}}
            }}
        },
        "components": {"schemas": {hostile: {"properties": {hostile: {"type": hostile}}}}}
    });
    let html = hrtrack_web::render_api_page(&document);
    assert!(!html.contains("<script"), "{html}");
    assert!(!html.contains("\"x\""), "{html}");
    assert!(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;"));
}
