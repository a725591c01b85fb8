//! Updates keep what they do not name: a `PUT` that leaves fields out leaves them as they
//! are (issue 10, §3), and one without `version` is refused naming it. Every record type of
//! the Roadmap's API, on both backends.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::roadmap_api::{Fixture, UID, Who, call, fixture, id_of};
use crate::support::{TestApp, assert_error, each_backend};

/// How to read a record back.
enum Read {
    /// `GET` this URI.
    One(String),
    /// The item with `id` of the list at this URI.
    InList(String, i64),
}

async fn read(app: &TestApp, read: &Read) -> Value {
    match read {
        Read::One(uri) => {
            let answer = call(app, Who::Admin, "GET", uri, None).await;
            assert_eq!(answer.status, StatusCode::OK, "{uri}: {}", answer.text());
            answer.json()
        }
        Read::InList(uri, id) => {
            let answer = call(app, Who::Admin, "GET", uri, None).await;
            assert_eq!(answer.status, StatusCode::OK, "{uri}: {}", answer.text());
            answer.json()["items"]
                .as_array()
                .and_then(|items| items.iter().find(|i| id_of(i) == *id).cloned())
                .unwrap_or_else(|| panic!("{uri}: no item {id}"))
        }
    }
}

/// Asserts that `after` equals `before` but for `changed` (and the version and times).
fn same_but(before: &Value, after: &Value, changed: &[&str], what: &str) {
    let (Some(before), Some(after)) = (before.as_object(), after.as_object()) else {
        panic!("{what}: not objects: {before} {after}");
    };
    for (field, old) in before {
        if changed.contains(&field.as_str()) || ["version", "updated_at"].contains(&field.as_str())
        {
            continue;
        }
        assert_eq!(
            after.get(field),
            Some(old),
            "{what}: `{field}` was not sent and changed"
        );
    }
}

/// `edit` (without `version`) is refused naming `version`, then with the version read it
/// changes what it names and nothing else; `{version}` alone changes nothing.
async fn keeps_what_it_does_not_name(
    app: &TestApp,
    who: Who,
    put: &str,
    back: Read,
    edit: Value,
) -> Value {
    let before = read(app, &back).await;
    let answer = call(app, who, "PUT", put, Some(edit.clone())).await;
    assert_error(
        &answer,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
        &format!("{put} without version"),
    );
    assert!(answer.text().contains("`version`"), "{}", answer.text());
    assert_eq!(read(app, &back).await, before, "{put}: a refused PUT wrote");

    let mut body = edit.clone();
    body["version"] = before["version"].clone();
    let answer = call(app, who, "PUT", put, Some(body)).await;
    assert_eq!(answer.status, StatusCode::OK, "{put}: {}", answer.text());
    let after = read(app, &back).await;
    let changed: Vec<&str> = edit
        .as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default();
    for field in &changed {
        assert_eq!(after[field], edit[field], "{put}: `{field}` not written");
    }
    same_but(&before, &after, &changed, put);

    let answer = call(
        app,
        who,
        "PUT",
        put,
        Some(json!({"version": after["version"]})),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{put}: {}", answer.text());
    let again = read(app, &back).await;
    same_but(&after, &again, &[], &format!("{put} with only version"));
    again
}

async fn other_institution(app: &TestApp, f: &Fixture) -> i64 {
    let all = read(app, &Read::One("/api/v1/institutions".into())).await;
    all["items"]
        .as_array()
        .and_then(|items| items.iter().map(id_of).find(|id| *id != f.institution))
        .unwrap_or_else(|| panic!("no second institution in {all}"))
}

#[tokio::test]
async fn writes_an_action_put_with_title_lead_and_dates_keeps_the_rest() {
    each_backend(async |app| {
        let f = fixture(app).await;
        let other = other_institution(app, &f).await;
        let uri = format!("/api/v1/actions/{}", f.action);
        let current = read(app, &Read::One(uri.clone())).await;
        // Everything set, published.
        let full = json!({
            "title": "Draft a torture prevention law", "description": "A law.",
            "expected_outcome": "Adopted", "lead_institution_id": f.institution,
            "supporting_institutions": [other], "partners": [],
            "start_date": "2024-01-01", "end_date": "2026-12-31", "cost": "1000",
            "currency": "EUR", "funding_source": "State budget", "status": "in_progress",
            "published": true, "recommendations": [UID], "clusters": [f.cluster],
            "sdg_targets": ["16.3"], "archived": false, "version": current["version"],
        });
        let answer = call(app, Who::Coordinator, "PUT", &uri, Some(full)).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
        let public = call(app, Who::Public, "GET", &uri, None).await;
        assert_eq!(public.status, StatusCode::OK, "{}", public.text());
        // The PUT: title, lead, dates (and the version).
        let after = keeps_what_it_does_not_name(
            app,
            Who::Coordinator,
            &uri,
            Read::One(uri.clone()),
            json!({"title": "Adopt the law", "lead_institution_id": f.institution,
                   "start_date": "2024-02-01", "end_date": "2027-12-31"}),
        )
        .await;
        assert_eq!(after["published"], true, "{after}");
        assert_eq!(after["recommendations"], json!([UID]), "{after}");
        assert_eq!(after["clusters"], json!([f.cluster]), "{after}");
        assert_eq!(after["supporting_institutions"], json!([other]), "{after}");
        let public = call(app, Who::Public, "GET", &uri, None).await;
        assert_eq!(public.status, StatusCode::OK, "{}", public.text());
        // Each field alone.
        for edit in [
            json!({"description": "Another"}),
            json!({"status": "completed"}),
            json!({"published": false}),
            json!({"recommendations": []}),
            json!({"supporting_institutions": []}),
        ] {
            keeps_what_it_does_not_name(app, Who::Coordinator, &uri, Read::One(uri.clone()), edit)
                .await;
        }
    })
    .await;
}

#[tokio::test]
async fn writes_a_report_put_without_values_keeps_them() {
    each_backend(async |app| {
        let f = fixture(app).await;
        let second = call(
            app,
            Who::Coordinator,
            "POST",
            &format!("/api/v1/actions/{}/indicators", f.action),
            Some(json!({"title": "Officials trained", "frequency": "yearly"})),
        )
        .await;
        assert_eq!(second.status, StatusCode::CREATED, "{}", second.text());
        let second = id_of(&second.json());
        let uri = format!("/api/v1/reports/{}", f.report);
        let current = read(app, &Read::One(uri.clone())).await;
        let answer = call(app, Who::FocalPoint, "PUT", &uri, Some(json!({
            "values": [{"indicator_id": f.indicator, "value": "no"}, {"indicator_id": second, "value": "12"}],
            "version": current["version"],
        }))).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
        let after = keeps_what_it_does_not_name(
            app,
            Who::FocalPoint,
            &uri,
            Read::One(uri.clone()),
            json!({"narrative": "Drafting went on."}),
        )
        .await;
        assert_eq!(after["values"].as_array().map(Vec::len), Some(2), "{after}");
        // Values sent set the indicators they name and keep the others'.
        let answer = call(app, Who::FocalPoint, "PUT", &uri, Some(json!({
            "values": [{"indicator_id": second, "value": "15"}], "version": after["version"],
        }))).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
        let values = &answer.json()["values"];
        assert_eq!(
            values,
            &json!([{"indicator_id": f.indicator, "value": "no"}, {"indicator_id": second, "value": "15"}]),
        );
    })
    .await;
}

#[tokio::test]
async fn writes_every_other_record_keeps_what_a_put_leaves_out() {
    each_backend(async |app| {
        let f = fixture(app).await;
        let other = other_institution(app, &f).await;
        // Users: institutions and e-mail kept when only the display name is sent.
        let uri = format!("/api/v1/users/{}", f.user);
        let user = read(app, &Read::One(uri.clone())).await;
        let answer = call(app, Who::Admin, "PUT", &uri, Some(json!({
            "display_name": "Focal", "email": "focal@example.org", "role": "focal_point",
            "institutions": [f.institution, other], "archived": false, "version": user["version"],
        }))).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
        for edit in [json!({"display_name": "Focal Point"}), json!({"email": ""})] {
            keeps_what_it_does_not_name(app, Who::Admin, &uri, Read::One(uri.clone()), edit).await;
        }
        // Institutions.
        let uri = format!("/api/v1/institutions/{}", f.institution);
        let institution = read(app, &Read::One(uri.clone())).await;
        let answer = call(app, Who::Coordinator, "PUT", &uri, Some(json!({
            "code": "MOJ", "name": "Ministry of Justice", "name_ru": "Министерство юстиции",
            "name_tk": "Adalat ministrligi", "kind": "ministry", "version": institution["version"],
        }))).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
        keeps_what_it_does_not_name(
            app,
            Who::Coordinator,
            &uri,
            Read::One(uri.clone()),
            json!({"name": "Ministry of Justice of the Republic"}),
        )
        .await;
        // Roadmaps: reviewers, review and follow-up months kept; `review: null` clears.
        let uri = format!("/api/v1/roadmaps/{}", f.roadmap);
        let roadmap = read(app, &Read::One(uri.clone())).await;
        let reviewer = read(app, &Read::One("/api/v1/users".into())).await["items"]
            .as_array()
            .and_then(|u| u.iter().find(|u| u["role"] == "reviewer").map(id_of))
            .unwrap_or_else(|| panic!("no reviewer"));
        let answer = call(
            app,
            Who::Coordinator,
            "PUT",
            &uri,
            Some(json!({
                "title": "UPR 4 Roadmap", "description": "Plan", "review": "SVN/UPR/4",
                "followup_months": 24, "reviewers": [reviewer], "version": roadmap["version"],
            })),
        )
        .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
        keeps_what_it_does_not_name(
            app,
            Who::Coordinator,
            &uri,
            Read::One(uri.clone()),
            json!({"title": "Renamed"}),
        )
        .await;
        let after = keeps_what_it_does_not_name(
            app,
            Who::Coordinator,
            &uri,
            Read::One(uri.clone()),
            json!({"review": null}),
        )
        .await;
        assert_eq!(after["reviewers"], json!([reviewer]), "{after}");
        // Clusters: recommendations kept.
        let uri = format!("/api/v1/clusters/{}", f.cluster);
        let after = keeps_what_it_does_not_name(
            app,
            Who::Coordinator,
            &uri,
            Read::One(uri.clone()),
            json!({"description": "Courts and police"}),
        )
        .await;
        assert_eq!(after["recommendations"], json!([UID]), "{after}");
        // Indicators: baseline, target, unit and SDG indicator kept.
        let uri = format!("/api/v1/indicators/{}", f.indicator);
        let list = Read::InList(
            format!("/api/v1/actions/{}/indicators", f.action),
            f.indicator,
        );
        let indicator = read(app, &list).await;
        let answer = call(app, Who::Coordinator, "PUT", &uri, Some(json!({
            "title": "Law adopted", "baseline": "0", "target": "1", "unit": "law",
            "frequency": "quarterly", "sdg_indicator": "16.3.1", "version": indicator["version"],
        }))).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
        let list = Read::InList(
            format!("/api/v1/actions/{}/indicators", f.action),
            f.indicator,
        );
        keeps_what_it_does_not_name(
            app,
            Who::Coordinator,
            &uri,
            list,
            json!({"title": "Law in force"}),
        )
        .await;
        let list = Read::InList(
            format!("/api/v1/actions/{}/indicators", f.action),
            f.indicator,
        );
        keeps_what_it_does_not_name(
            app,
            Who::Coordinator,
            &uri,
            list,
            json!({"sdg_indicator": null}),
        )
        .await;
        // Assessments: status, summary and reports kept.
        let uri = format!("/api/v1/assessments/{}", f.assessment);
        let list = || {
            Read::InList(
                format!("/api/v1/recommendations/{UID}/assessments"),
                f.assessment,
            )
        };
        let assessment = read(app, &list()).await;
        let answer = call(
            app,
            Who::Coordinator,
            "PUT",
            &uri,
            Some(json!({
                "period": "2025", "level": "in_progress", "summary": "Work begun",
                "status": "published", "reports": [f.report], "version": assessment["version"],
            })),
        )
        .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
        let after = keeps_what_it_does_not_name(
            app,
            Who::Coordinator,
            &uri,
            list(),
            json!({"level": "partially_implemented"}),
        )
        .await;
        assert_eq!(after["status"], "published", "{after}");
        assert_eq!(after["reports"], json!([f.report]), "{after}");
    })
    .await;
}

#[test]
fn writes_the_openapi_document_says_only_version_is_required_on_updates() {
    let document = hrtrack_web::openapi_document();
    for edit in [
        "UserEdit",
        "InstitutionEdit",
        "RoadmapEdit",
        "ClusterEdit",
        "ActionEdit",
        "IndicatorEdit",
        "ReportEdit",
        "AssessmentEdit",
    ] {
        let schema = &document["components"]["schemas"][edit];
        assert_eq!(schema["required"], json!(["version"]), "{edit}: {schema}");
        let properties = schema["properties"]
            .as_object()
            .unwrap_or_else(|| panic!("{edit}: no properties"));
        for (name, property) in properties {
            let description = property["description"].as_str().unwrap_or_default();
            assert!(
                name == "version" || description.starts_with("Omitted: left as"),
                "{edit}.{name}: {property}"
            );
        }
    }
}

/// The page forms keep what a post leaves out too; a checkbox the form showed (its hidden
/// `shown` field) and left unchecked is unchecked.
#[tokio::test]
async fn writes_a_page_form_keeps_what_it_leaves_out() {
    use crate::roadmap_pages::{get, location, make_user, post, sign_in};
    each_backend(async |app| {
        let f = fixture(app).await;
        let other = other_institution(app, &f).await;
        let uri = format!("/api/v1/actions/{}", f.action);
        let current = read(app, &Read::One(uri.clone())).await;
        let answer = call(
            app,
            Who::Coordinator,
            "PUT",
            &uri,
            Some(json!({
                "supporting_institutions": [other], "published": true, "recommendations": [UID],
                "cost": "1000", "version": current["version"],
            })),
        )
        .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
        make_user(app, "planner", hrtrack_domain::Role::Coordinator, vec![]).await;
        let (cookie, csrf) = sign_in(app, "planner").await;
        let page = format!("/roadmap/actions/{}", f.action);
        let before = read(app, &Read::One(uri.clone())).await;
        let version = before["version"].to_string();
        let lead = f.institution.to_string();
        // The edit, as a form: title, lead, dates and version.
        let answer = post(
            app,
            &page,
            Some(&cookie),
            &[
                ("csrf", &csrf),
                ("title", "Adopt the law"),
                ("lead_institution_id", &lead),
                ("start_date", "2024-02-01"),
                ("end_date", "2027-12-31"),
                ("version", &version),
            ],
        )
        .await;
        assert_eq!(location(&answer), page);
        let after = read(app, &Read::One(uri.clone())).await;
        same_but(
            &before,
            &after,
            &["title", "start_date", "end_date"],
            "action form",
        );
        assert_eq!(after["title"], "Adopt the law", "{after}");
        assert_eq!(after["end_date"], "2027-12-31", "{after}");
        assert_eq!(after["published"], true, "{after}");
        // The form as served marks its checkboxes; unchecked there means unchecked.
        let html = get(app, &page, Some(&cookie)).await.text();
        assert!(
            html.contains("name=\"shown\" value=\"published\""),
            "{html}"
        );
        let version = after["version"].to_string();
        let answer = post(
            app,
            &page,
            Some(&cookie),
            &[
                ("csrf", &csrf),
                ("shown", "published"),
                ("version", &version),
            ],
        )
        .await;
        assert_eq!(location(&answer), page);
        let unpublished = read(app, &Read::One(uri.clone())).await;
        same_but(&after, &unpublished, &["published"], "unchecking published");
        assert_eq!(unpublished["published"], false, "{unpublished}");

        // A report form with the narrative only keeps the values.
        let report_uri = format!("/api/v1/reports/{}", f.report);
        let report = read(app, &Read::One(report_uri.clone())).await;
        let answer = call(app, Who::FocalPoint, "PUT", &report_uri, Some(json!({
            "values": [{"indicator_id": f.indicator, "value": "yes"}], "version": report["version"],
        }))).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
        let before = answer.json();
        make_user(
            app,
            "reporter",
            hrtrack_domain::Role::FocalPoint,
            vec![f.institution],
        )
        .await;
        let (cookie, csrf) = sign_in(app, "reporter").await;
        let version = before["version"].to_string();
        let report_page = format!("/roadmap/reports/{}", f.report);
        let answer = post(
            app,
            &report_page,
            Some(&cookie),
            &[
                ("csrf", &csrf),
                ("narrative", "Edited"),
                ("version", &version),
            ],
        )
        .await;
        assert_eq!(location(&answer), report_page);
        let after = read(app, &Read::One(report_uri)).await;
        same_but(&before, &after, &["narrative"], "report form");
        assert_eq!(after["narrative"], "Edited");
    })
    .await;
}

/// The public downloads: a recommendation's text and an SDG comment that a spreadsheet would
/// run come out with a `'` in front; values stay numbers.
#[tokio::test]
async fn writes_public_csv_downloads_neutralise_formulas() {
    each_backend(async |app| {
        let header = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../data/upr/upr_info_turkmenistan_cycles1-2.csv"
        ))
        .unwrap_or_else(|e| panic!("the Turkmenistan CSV: {e}"));
        let header = header.lines().next().unwrap_or_default();
        let csv = format!(
            "{header}\nTurkmenistan,Asia,\"CIS, OIC\",\"=HYPERLINK(\"\"http://evil.example\"\")\",France,WEOG,\"EU, OIF\",Accepted,5,Trafficking,16,2,test.csv\n"
        );
        let batch = hrtrack_import::upr_info::read(csv.as_bytes(), "hostile.csv")
            .unwrap_or_else(|e| panic!("{e}"));
        app.store
            .import_batch(&batch, &mut |_| {})
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        app.refresh_index().await;
        let answer = app
            .get("/api/v1/recommendations?state=TKM&q=evil&format=csv")
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
        let text = answer.text();
        assert!(
            text.contains("'=HYPERLINK(\"\"http://evil.example\"\")"),
            "{text}"
        );
        assert!(!text.contains(",=HYPERLINK") && !text.contains(",\"=HYPERLINK"), "{text}");

        let observation = hrtrack_sdg::Observation {
            series: "SG_GEN_PARL".to_owned(),
            indicator: Some("5.5.1".to_owned()),
            dimensions: [("REF_AREA", "795")]
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            time_period: "2024".to_owned(),
            value: Some(-3.5),
            attributes: [("COMMENT_OBS", "=cmd|' /C calc'!A0"), ("UNIT_MEASURE", "PT")]
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            ..hrtrack_sdg::Observation::default()
        };
        let dataset = hrtrack_sdg::Dataset {
            source: "hostile.csv".to_owned(),
            format: hrtrack_sdg::SdgFormat::SdmxCsv2,
            dataflow: None,
            observations: vec![observation],
            rows: Vec::new(),
            warnings: Vec::new(),
        };
        app.store
            .import_sdg(std::slice::from_ref(&dataset), &mut |_| {})
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        for download in ["data.csv", "data.sdmx.csv", "data.open-sdg.csv"] {
            let answer = app.get(&format!("/sdg/indicators/5.5.1/{download}")).await;
            assert_eq!(answer.status, StatusCode::OK, "{download}: {}", answer.text());
            let text = answer.text();
            assert!(text.contains("'=cmd|' /C calc'!A0"), "{download}: {text}");
            assert!(text.contains(",-3.5"), "{download}: {text}");
        }
    })
    .await;
}
