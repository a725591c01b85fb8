//! The endpoints of `/api/v1` and `/healthz`: answers, filters, paging, downloads, errors and
//! hostile input, and the security headers on every kind of response.

use axum::http::StatusCode;
use hrtrack_db::RecommendationFilter;
use hrtrack_domain::{Cycle, Position};
use serde_json::Value;

use crate::support::{MARKUP_TEXT, assert_error, each_backend};

/// Slovenia's fourth-cycle review, as the bundled matrix gives it.
const SLOVENIA_4_TOTAL: i64 = 254;
const SLOVENIA_4_NOTED: i64 = 37;

#[tokio::test]
async fn healthz_answers_when_the_database_does() {
    each_backend(async |app| {
        let answer = app.get("/healthz").await;
        assert_eq!(answer.status, StatusCode::OK);
        assert_eq!(answer.json()["status"], "ok");
    })
    .await;
}

#[tokio::test]
async fn list_filters_by_every_facet() {
    each_backend(async |app| {
        let total = |body: Value| body["total"].as_i64().unwrap_or(-1);
        let slovenia = app
            .get_json("/api/v1/recommendations?state=Slovenia&cycle=4")
            .await;
        assert_eq!(total(slovenia.clone()), SLOVENIA_4_TOTAL);
        assert_eq!(slovenia["page"], 1);
        assert_eq!(slovenia["per_page"], 50);
        assert_eq!(slovenia["items"].as_array().map(Vec::len), Some(50));
        assert_eq!(slovenia["items"][0]["state"], "Slovenia");

        let noted = app
            .get_json("/api/v1/recommendations?state=Slovenia&cycle=4&position=noted")
            .await;
        assert_eq!(total(noted.clone()), SLOVENIA_4_NOTED);
        let all_noted = noted["items"]
            .as_array()
            .into_iter()
            .flatten()
            .all(|item| item["position"] == "noted");
        assert!(all_noted, "{noted}");

        // An ISO code, another spelling of the position, spaces around values.
        let by_code = app
            .get_json("/api/v1/recommendations?state=SVN&cycle=4&position=%20Rejected%20")
            .await;
        assert_eq!(total(by_code), SLOVENIA_4_NOTED);

        let upr = app.get_json("/api/v1/recommendations?mechanism=upr").await;
        let everything = app.get_json("/api/v1/recommendations").await;
        assert_eq!(total(upr), total(everything.clone()));

        let turkmenistan_2 = app
            .get_json("/api/v1/recommendations?state=Turkmenistan&session=16")
            .await;
        assert!(total(turkmenistan_2) > 0);

        let by_france = app
            .get_json("/api/v1/recommendations?recommending_state=France")
            .await;
        assert!(total(by_france.clone()) > 0);
        for item in by_france["items"].as_array().into_iter().flatten() {
            let states = item["recommending_states"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            assert!(states.contains(&Value::from("France")), "{item}");
        }
        let weog = app.get_json("/api/v1/recommendations?group=WEOG").await;
        assert!(total(weog) >= total(by_france));

        // The tag catalogue and the filters agree.
        let themes = app.get_json("/api/v1/themes").await;
        let tags = themes["items"].as_array().cloned().unwrap_or_default();
        let affected = tags
            .iter()
            .find(|tag| tag["kind"] == "affected_person")
            .unwrap_or_else(|| panic!("no affected persons in {themes}"));
        let value = affected["value"].as_str().unwrap_or_default();
        let uri = format!("/api/v1/recommendations?affected={}", percent_encode(value));
        assert_eq!(
            Some(total(app.get_json(&uri).await)),
            affected["recommendations"].as_i64()
        );
        let theme = tags
            .iter()
            .find(|tag| tag["kind"] == "theme")
            .unwrap_or_else(|| panic!("no themes in {themes}"));
        let uri = format!(
            "/api/v1/recommendations?theme={}",
            percent_encode(theme["value"].as_str().unwrap_or_default())
        );
        assert!(total(app.get_json(&uri).await) > 0);
        let only_issues = app.get_json("/api/v1/themes?kind=upr_issue").await;
        assert!(
            only_issues["items"]
                .as_array()
                .into_iter()
                .flatten()
                .all(|tag| tag["kind"] == "upr_issue")
        );

        let text = app.get_json("/api/v1/recommendations?q=TRAFFICKING").await;
        assert!(total(text.clone()) > 0);
        for item in text["items"].as_array().into_iter().flatten() {
            let lower = item["text"].as_str().unwrap_or_default().to_lowercase();
            // Words match by their stems too ("trafficked").
            assert!(lower.contains("traffick"), "{item}");
        }

        let with_goal_5 = app.get_json("/api/v1/recommendations?sdg=5").await;
        assert!(
            total(with_goal_5.clone()) > 0,
            "no recommendation linked to SDG 5"
        );
        for item in with_goal_5["items"].as_array().into_iter().flatten() {
            let goals = item["sdg_goals"].as_array().cloned().unwrap_or_default();
            assert!(goals.contains(&Value::from(5)), "{item}");
        }
    })
    .await;
}

/// Percent-encodes a query value.
fn percent_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[tokio::test]
async fn paging_by_page_or_offset_and_past_the_end() {
    each_backend(async |app| {
        let base = "/api/v1/recommendations?state=Slovenia&cycle=4";
        let first = app.get_json(&format!("{base}&per_page=10")).await;
        let second = app.get_json(&format!("{base}&page=2&per_page=10")).await;
        assert_eq!(second["page"], 2);
        assert_eq!(second["offset"], 10);
        assert_eq!(second["items"].as_array().map(Vec::len), Some(10));
        assert_ne!(first["items"][0]["uid"], second["items"][0]["uid"]);
        let by_offset = app.get_json(&format!("{base}&offset=10&limit=10")).await;
        assert_eq!(by_offset["items"], second["items"]);
        assert_eq!(by_offset["page"], 2);

        let last = app.get_json(&format!("{base}&page=2&per_page=200")).await;
        assert_eq!(
            last["items"].as_array().map(Vec::len),
            Some((SLOVENIA_4_TOTAL - 200) as usize)
        );
        let past = app
            .get_json(&format!("{base}&page=99999&per_page=200"))
            .await;
        assert_eq!(past["total"], SLOVENIA_4_TOTAL);
        assert_eq!(past["items"], Value::Array(Vec::new()));
        let far = app.get_json(&format!("{base}&page=4294967295")).await;
        assert_eq!(far["items"], Value::Array(Vec::new()));
    })
    .await;
}

#[tokio::test]
async fn one_recommendation_by_uid_or_not_found() {
    each_backend(async |app| {
        let one = app.get_json("/api/v1/recommendations/SVN-UPR4-140.7").await;
        assert_eq!(one["uid"], "SVN-UPR4-140.7");
        assert_eq!(one["paragraph"], "140.7");
        assert_eq!(one["state"], "Slovenia");
        let missing = app.get("/api/v1/recommendations/SVN-UPR4-999.999").await;
        assert_error(
            &missing,
            StatusCode::NOT_FOUND,
            "recommendation_not_found",
            "unknown uid",
        );
        let long = format!("/api/v1/recommendations/{}", "A".repeat(10_000));
        assert_error(
            &app.get(&long).await,
            StatusCode::NOT_FOUND,
            "recommendation_not_found",
            "10 kB uid",
        );
        let hostile = app
            .get("/api/v1/recommendations/%27%20OR%201%3D1%20--")
            .await;
        assert_error(
            &hostile,
            StatusCode::NOT_FOUND,
            "recommendation_not_found",
            "SQL uid",
        );
        let bad_utf8 = app.get("/api/v1/recommendations/%FF%FE").await;
        assert_error(
            &bad_utf8,
            StatusCode::BAD_REQUEST,
            "bad_request",
            "invalid UTF-8 uid",
        );
    })
    .await;
}

#[tokio::test]
async fn catalogues_list_reviews_states_and_sdgs() {
    each_backend(async |app| {
        let reviews = app.get_json("/api/v1/reviews").await;
        let slovenia_4 = reviews["items"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|r| r["iso3"] == "SVN" && r["cycle"] == 4)
            .cloned()
            .unwrap_or_else(|| panic!("no Slovenia cycle 4 in {reviews}"));
        assert_eq!(slovenia_4["recommendations"], SLOVENIA_4_TOTAL);

        let states = app.get_json("/api/v1/states").await;
        let items = states["items"].as_array().cloned().unwrap_or_default();
        let slovenia = items
            .iter()
            .find(|s| s["iso3"] == "SVN")
            .unwrap_or_else(|| panic!("no Slovenia in {states}"));
        assert_eq!(slovenia["as_state_under_review"], SLOVENIA_4_TOTAL);
        let france = items
            .iter()
            .find(|s| s["iso3"] == "FRA")
            .unwrap_or_else(|| panic!("no France in {states}"));
        assert_eq!(france["as_state_under_review"], 0);
        let by_france = app
            .get_json("/api/v1/recommendations?recommending_state=FRA&per_page=1")
            .await;
        assert_eq!(france["as_recommending_state"], by_france["total"]);
        assert!(items.iter().all(|s| s["iso3"] != "ATA"));

        let goals = app.get_json("/api/v1/sdg/goals").await;
        assert_eq!(goals["items"].as_array().map(Vec::len), Some(17));
        assert!(
            goals["items"][0]["title_ru"]
                .as_str()
                .is_some_and(|t| !t.is_empty())
        );
        let targets = app.get_json("/api/v1/sdg/goals/4/targets").await;
        let codes: Vec<&str> = targets["items"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|t| t["code"].as_str())
            .collect();
        assert_eq!(codes.first(), Some(&"4.1"));
        assert_eq!(codes.last(), Some(&"4.c"));
        assert!(codes.iter().position(|c| *c == "4.7") < codes.iter().position(|c| *c == "4.a"));
        for goal in ["0", "18", "x", "99999999999999999999"] {
            let answer = app.get(&format!("/api/v1/sdg/goals/{goal}/targets")).await;
            assert_error(&answer, StatusCode::NOT_FOUND, "not_found", goal);
        }
    })
    .await;
}

#[tokio::test]
async fn stats_are_the_stores() {
    each_backend(async |app| {
        let filters = [
            ("", RecommendationFilter::default()),
            (
                "?state=Slovenia&cycle=4",
                RecommendationFilter {
                    state: Some("Slovenia".into()),
                    cycle: Some(Cycle::new(4).unwrap_or_else(|e| panic!("{e}"))),
                    ..Default::default()
                },
            ),
            (
                "?state=Slovenia&position=noted",
                RecommendationFilter {
                    state: Some("Slovenia".into()),
                    position: Some(Position::Noted),
                    ..Default::default()
                },
            ),
        ];
        for (query, filter) in filters {
            let served = app.get_json(&format!("/api/v1/stats{query}")).await;
            let stored = app
                .store
                .stats(&filter)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            let stored = serde_json::to_value(stored).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(served, stored, "stats{query}");
        }
        let noted = app.get_json("/api/v1/stats?state=Slovenia&cycle=4").await;
        assert_eq!(noted["recommendations"], SLOVENIA_4_TOTAL);
        assert_eq!(noted["positions"]["noted"], SLOVENIA_4_NOTED);
    })
    .await;
}

#[tokio::test]
async fn downloads_as_csv_and_xlsx() {
    each_backend(async |app| {
        let csv = app
            .get("/api/v1/recommendations?state=Slovenia&cycle=4&format=csv")
            .await;
        assert_eq!(csv.status, StatusCode::OK, "{}", csv.text());
        assert_eq!(csv.header("content-type"), "text/csv; charset=utf-8");
        assert_eq!(
            csv.header("content-disposition"),
            "attachment; filename=\"hrtrack-recommendations.csv\""
        );
        let text = csv.text();
        let text = text.trim_start_matches('\u{feff}');
        assert!(text.starts_with("uid,"), "{}", &text[..text.len().min(200)]);
        let rows = csv::Reader::from_reader(text.as_bytes())
            .records()
            .collect::<Result<Vec<_>, _>>()
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(rows.len() as i64, SLOVENIA_4_TOTAL);
        assert!(rows.iter().all(|row| row[0].starts_with("SVN-UPR4-")));

        let page = app
            .get("/api/v1/recommendations?state=Slovenia&cycle=4&format=CSV&per_page=10&page=3")
            .await;
        let rows = csv::Reader::from_reader(&page.body[..]).records().count();
        assert_eq!(rows, 10);

        let xlsx = app
            .get("/api/v1/recommendations?state=Slovenia&cycle=4&position=noted&format=xlsx")
            .await;
        assert_eq!(xlsx.status, StatusCode::OK, "{}", xlsx.text());
        assert_eq!(
            xlsx.header("content-type"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        );
        assert_eq!(
            xlsx.header("content-disposition"),
            "attachment; filename=\"hrtrack-recommendations.xlsx\""
        );
        assert!(xlsx.body.starts_with(b"PK\x03\x04"));
        use calamine::Reader;
        let mut workbook = calamine::Xlsx::new(std::io::Cursor::new(xlsx.body.to_vec()))
            .unwrap_or_else(|e| panic!("{e}"));
        let sheet = workbook
            .worksheet_range_at(0)
            .unwrap_or_else(|| panic!("no sheet"))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(sheet.height() as i64, SLOVENIA_4_NOTED + 1);

        let json = app
            .get_json("/api/v1/recommendations?state=Slovenia&cycle=4&format=json&per_page=1")
            .await;
        assert_eq!(json["total"], SLOVENIA_4_TOTAL);
    })
    .await;
}

#[tokio::test]
async fn markup_in_a_text_is_json_text() {
    each_backend(async |app| {
        let found = app.get("/api/v1/recommendations?q=%3Cscript%3E").await;
        assert_eq!(found.status, StatusCode::OK);
        assert_eq!(found.header("content-type"), "application/json");
        assert_eq!(found.header("x-content-type-options"), "nosniff");
        let body = found.json();
        assert_eq!(body["total"], 1, "{body}");
        assert_eq!(body["items"][0]["text"], MARKUP_TEXT);
        // The quote is escaped by JSON; the markup is data inside a JSON string.
        assert!(found.text().contains(r#"\"injection\""#));
    })
    .await;
}

/// Every hostile or malformed query: a 400 with the error shape, or a 200 (empty, but for
/// search text); never 5xx.
#[tokio::test]
async fn bad_input_is_a_400_or_empty_never_a_500() {
    let long = "x".repeat(10_000);
    let cases: Vec<(String, Option<&str>)> = vec![
        (
            format!("/api/v1/recommendations?q={long}"),
            Some("bad_request"),
        ),
        (
            format!("/api/v1/recommendations?state={long}"),
            Some("bad_request"),
        ),
        (format!("/api/v1/stats?theme={long}"), Some("bad_request")),
        (
            "/api/v1/recommendations?q=%3Cscript%3Ealert(2)%3C%2Fscript%3E".into(),
            None,
        ),
        (
            "/api/v1/recommendations?q=%27%3B%20DROP%20TABLE%20recommendations%3B%20--".into(),
            None,
        ),
        ("/api/v1/recommendations?q=100%25_%5C".into(), None),
        (
            "/api/v1/recommendations?theme=%27%20OR%201%3D1%20--".into(),
            None,
        ),
        ("/api/v1/recommendations?affected=nobody".into(), None),
        (
            "/api/v1/recommendations?state=Atlantis".into(),
            Some("invalid_filter"),
        ),
        (
            "/api/v1/recommendations?state=%27%20OR%201%3D1%20--".into(),
            Some("invalid_filter"),
        ),
        (
            "/api/v1/recommendations?recommending_state=Atlantis".into(),
            Some("invalid_filter"),
        ),
        (
            "/api/v1/stats?state=Atlantis".into(),
            Some("invalid_filter"),
        ),
        (
            "/api/v1/recommendations?position=maybe".into(),
            Some("invalid_filter"),
        ),
        (
            "/api/v1/recommendations?mechanism=XYZ".into(),
            Some("invalid_filter"),
        ),
        (
            "/api/v1/recommendations?cycle=abc".into(),
            Some("invalid_filter"),
        ),
        (
            "/api/v1/recommendations?cycle=-1".into(),
            Some("invalid_filter"),
        ),
        (
            "/api/v1/recommendations?cycle=99999999999999999999".into(),
            Some("invalid_filter"),
        ),
        (
            "/api/v1/recommendations?session=0".into(),
            Some("invalid_filter"),
        ),
        (
            "/api/v1/recommendations?group=Martians".into(),
            Some("invalid_filter"),
        ),
        (
            "/api/v1/recommendations?sdg=18".into(),
            Some("invalid_filter"),
        ),
        ("/api/v1/themes?kind=colour".into(), Some("invalid_filter")),
        ("/api/v1/recommendations?page=0".into(), Some("bad_request")),
        (
            "/api/v1/recommendations?page=-3".into(),
            Some("bad_request"),
        ),
        (
            "/api/v1/recommendations?page=1e3".into(),
            Some("bad_request"),
        ),
        (
            "/api/v1/recommendations?page=99999999999999999999999".into(),
            Some("bad_request"),
        ),
        (
            "/api/v1/recommendations?per_page=201".into(),
            Some("bad_request"),
        ),
        (
            "/api/v1/recommendations?per_page=0".into(),
            Some("bad_request"),
        ),
        (
            "/api/v1/recommendations?limit=1000000".into(),
            Some("bad_request"),
        ),
        (
            "/api/v1/recommendations?offset=-1".into(),
            Some("bad_request"),
        ),
        (
            "/api/v1/recommendations?page=2&offset=5".into(),
            Some("bad_request"),
        ),
        (
            "/api/v1/recommendations?postion=noted".into(),
            Some("bad_request"),
        ),
        (
            "/api/v1/recommendations?state=SVN&state=TKM".into(),
            Some("bad_request"),
        ),
        ("/api/v1/recommendations?%FF=1".into(), Some("bad_request")),
        ("/api/v1/stats?page=2".into(), Some("bad_request")),
        ("/api/v1/reviews?anything=1".into(), Some("bad_request")),
        (
            "/api/v1/recommendations?format=pdf".into(),
            Some("unsupported_format"),
        ),
        (
            "/api/v1/recommendations?format=%3Cscript%3E".into(),
            Some("unsupported_format"),
        ),
        ("/api/v1/nothing-here".into(), Some("not_found")),
        (
            "/api/v1/nothing-here/%3Cscript%3E".into(),
            Some("not_found"),
        ),
    ];
    each_backend(async |app| {
        for (uri, code) in &cases {
            let answer = app.get(uri).await;
            let what = &uri[..uri.len().min(120)];
            assert!(
                !answer.status.is_server_error(),
                "{what}: {}",
                answer.status
            );
            match code {
                Some(code) => {
                    let status = if *code == "not_found" {
                        StatusCode::NOT_FOUND
                    } else {
                        StatusCode::BAD_REQUEST
                    };
                    assert_error(&answer, status, code, what);
                    let message = answer.json()["error"]["message"].to_string();
                    assert!(message.len() < 1_000, "{what}: message echoes too much");
                }
                None => {
                    assert_eq!(answer.status, StatusCode::OK, "{what}: {}", answer.text());
                    // Hostile search text is only words to the index: it may match some.
                    if !uri.contains("?q=") {
                        assert_eq!(answer.json()["total"], 0, "{what}");
                    }
                }
            }
        }
        let post = app.request("POST", "/api/v1/recommendations").await;
        assert_error(
            &post,
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "POST",
        );
        // The store is untouched by the SQL in the queries above.
        let slovenia = app
            .get_json("/api/v1/recommendations?state=Slovenia&cycle=4&per_page=1")
            .await;
        assert_eq!(slovenia["total"], SLOVENIA_4_TOTAL);
    })
    .await;
}

#[tokio::test]
async fn security_headers_on_every_kind_of_response() {
    each_backend(async |app| {
        for uri in [
            "/healthz",
            "/api/v1/recommendations?per_page=1",
            "/api/v1/recommendations?format=csv&per_page=1",
            "/api/v1/docs",
            "/api/v1/openapi.json",
            "/api/v1/recommendations/none",
            "/api/v1/recommendations?format=pdf",
            "/nowhere",
        ] {
            let answer = app.get(uri).await;
            let csp = answer.header("content-security-policy");
            assert!(csp.contains("default-src 'self'"), "{uri}: {csp}");
            assert!(csp.contains("script-src 'self'"), "{uri}: {csp}");
            assert!(!csp.contains("unsafe-inline"), "{uri}: {csp}");
            assert!(csp.contains("frame-ancestors 'none'"), "{uri}: {csp}");
            assert_eq!(answer.header("x-content-type-options"), "nosniff", "{uri}");
            assert_eq!(answer.header("referrer-policy"), "same-origin", "{uri}");
        }
        let post = app.request("DELETE", "/api/v1/stats").await;
        assert_eq!(post.header("x-content-type-options"), "nosniff");
    })
    .await;
}
