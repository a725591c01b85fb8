//! The SDG data collection workflow from provider to public, through the pages and the API
//! as a browser and a client would use them, on both backends: the real code lists and the
//! real Kazakhstan 5.5.1 file as the published data; a file with errors refused with a
//! report by row and column and nothing stored; a version with a year-on-year jump sent,
//! returned with a comment; a corrected version approved under an embargo, unpublished until
//! the embargo passes, then public, with "what changed" between the versions; who may see
//! and decide what; an embargoed version never published over a newer one.

use axum::http::StatusCode;
use hrtrack_db::Store;
use hrtrack_domain::Role;
use hrtrack_sdg::codelists::CodeLists;
use serde_json::Value;

use crate::roadmap_pages::{get, id_of, location, make_user, post, send, sign_in};
use crate::support::{Answer, TestApp, each_backend};

const DATA: &str = "../../data";
const FLOW: &str = "dataflow,IAEG-SDGs:DF_SDG_GLH(1.24),I";
const HEADER: &str = "STRUCTURE,STRUCTURE_ID,ACTION,SERIES,TIME_PERIOD,OBS_VALUE,UNIT_MEASURE\n";

fn read(path: &str) -> Vec<u8> {
    std::fs::read(format!("{DATA}/{path}")).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The bundled code lists, as `hrtrack sdg codelists` loads them.
pub(crate) async fn load_code_lists(store: &Store) {
    let structure = hrtrack_sdg::structure::read(
        &read("sdg-timeseries/tajikistan-sdmx/TAJSTAT_DSD.xml"),
        "TAJSTAT_DSD.xml",
    )
    .unwrap_or_else(|e| panic!("{e:?}"));
    let mut codes = CodeLists::from_structure(structure);
    codes
        .add_codes(
            &read("sdg-codelists/national_codes.csv"),
            "national_codes.csv",
        )
        .unwrap_or_else(|e| panic!("{e:?}"));
    codes
        .add_names(&read("sdg-codelists/names.csv"), "names.csv")
        .unwrap_or_else(|e| panic!("{e:?}"));
    codes
        .add_additive_units(
            &read("sdg-codelists/additive_units.csv"),
            "additive_units.csv",
        )
        .unwrap_or_else(|e| panic!("{e:?}"));
    store.load_sdg_codelists(&codes).await.expect("code lists");
}

/// Kazakhstan's 5.5.1 file as the published data.
async fn publish_kazakhstan_551(store: &Store) -> usize {
    let dataset = hrtrack_sdg::open_sdg::read(
        &read("sdg-timeseries/kazakhstan-open-sdg/indicator_5-5-1.csv"),
        "indicator_5-5-1.csv",
    )
    .unwrap_or_else(|e| panic!("{e:?}"));
    store
        .import_sdg(std::slice::from_ref(&dataset), &mut |_| {})
        .await
        .expect("import");
    dataset.observations.len()
}

/// An SDMX-CSV 2.x file of 5.5.1: the published observations with `edits` applied
/// ((series, period) -> value; a new key is added), one row per observation.
async fn version_of_551(store: &Store, edits: &[(&str, &str, f64)]) -> String {
    let mut rows: Vec<(String, String, f64)> = store
        .sdg_published_observations("5.5.1")
        .await
        .expect("published")
        .into_iter()
        .map(|o| (o.series, o.time_period, o.value.expect("value")))
        .collect();
    for (series, period, value) in edits {
        match rows.iter_mut().find(|r| r.0 == *series && r.1 == *period) {
            Some(row) => row.2 = *value,
            None => rows.push(((*series).to_owned(), (*period).to_owned(), *value)),
        }
    }
    let mut text = String::from(HEADER);
    for (series, period, value) in rows {
        text.push_str(&format!("{FLOW},{series},{period},{value},PT\n"));
    }
    text
}

/// A multipart POST of `fields` and one file.
async fn upload(
    app: &TestApp,
    uri: &str,
    cookie: &str,
    extra_headers: &[(&str, &str)],
    fields: &[(&str, &str)],
    file_name: &str,
    content: &[u8],
) -> Answer {
    let boundary = "SDGBOUNDARY7";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: text/csv\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(content);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let content_type = format!("multipart/form-data; boundary={boundary}");
    let mut headers = vec![("cookie", cookie), ("content-type", content_type.as_str())];
    headers.extend_from_slice(extra_headers);
    app.send("POST", uri, &headers, body).await
}

async fn submission_json(app: &TestApp, cookie: &str, id: i64) -> Value {
    let answer = app
        .get_with_headers(
            &format!("/api/v1/sdg/submissions/{id}"),
            &[("cookie", cookie)],
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    answer.json()
}

fn issue_kinds(report: &Value) -> Vec<(String, String, String)> {
    report["issues"]
        .as_array()
        .unwrap_or_else(|| panic!("no issues in {report}"))
        .iter()
        .map(|i| {
            (
                i["place"].as_str().unwrap_or("").to_owned(),
                i["column"].as_str().unwrap_or("").to_owned(),
                i["kind"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn provider_to_public() {
    each_backend(async |app: &TestApp| {
        let store = &app.store;
        load_code_lists(store).await;
        let baseline = publish_kazakhstan_551(store).await;
        make_user(app, "provider", Role::DataProvider, vec![]).await;
        make_user(app, "other.provider", Role::DataProvider, vec![]).await;
        make_user(app, "statistician", Role::Statistician, vec![]).await;
        let (provider, provider_csrf) = sign_in(app, "provider").await;
        let (statistician, statistician_csrf) = sign_in(app, "statistician").await;
        let (other, _) = sign_in(app, "other.provider").await;

        // The anonymous are sent to sign in; the form is there for the provider.
        let answer = get(app, "/sdg/submit", None).await;
        assert!(location(&answer).starts_with("/login"), "{}", answer.text());
        let form = get(app, "/sdg/submit?indicator=5.5.1", Some(&provider)).await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(form.text().contains("/sdg/indicators/5.5.1/template.xlsx"));

        // 1. A file with errors: an unknown unit code and a missing unit.
        let bad = format!(
            "{HEADER}{FLOW},SG_GEN_PARL,2024,24.5,PT\n{FLOW},SG_GEN_PARL,2025,25,PCT\n{FLOW},SG_GEN_LOCG,2024,19.0,\n"
        );
        let answer = upload(
            app,
            "/sdg/submit",
            &provider,
            &[],
            &[("csrf", &provider_csrf), ("indicator", "5.5.1")],
            "bad.csv",
            bad.as_bytes(),
        )
        .await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", answer.text());
        let page = answer.text();
        assert!(page.contains("row 3") && page.contains("UNIT_MEASURE") && page.contains("PCT"), "{page}");
        assert!(page.contains("row 4"), "{page}");
        // The API says the same, by place and column, and nothing was stored.
        let answer = upload(
            app,
            "/api/v1/sdg/submissions",
            &provider,
            &[("x-csrf-token", &provider_csrf)],
            &[("indicator", "5.5.1")],
            "bad.csv",
            bad.as_bytes(),
        )
        .await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", answer.text());
        let error = answer.json();
        assert_eq!(error["error"]["code"], "validation_failed");
        let kinds = issue_kinds(&error["error"]["report"]);
        assert!(kinds.contains(&("row 3".into(), "UNIT_MEASURE".into(), "unknown_code".into())), "{kinds:?}");
        assert!(kinds.contains(&("row 4".into(), "UNIT_MEASURE".into(), "unit_missing".into())), "{kinds:?}");
        let none = store.sdg_submissions(&Default::default()).await.expect("list");
        assert!(none.is_empty(), "{none:?}");

        // 2. A version with a jump: accepted with a warning, then returned with a comment.
        let jumpy = version_of_551(store, &[("SG_GEN_PARL", "2024", 24.5), ("SG_GEN_LOCG", "2024", 40.0)]).await;
        let answer = upload(
            app,
            "/sdg/submit",
            &provider,
            &[],
            &[("csrf", &provider_csrf), ("indicator", "5.5.1"), ("note", "2024 figures")],
            "kaz-551.csv",
            jumpy.as_bytes(),
        )
        .await;
        let first = id_of(&answer);
        let submitted = submission_json(app, &provider, first).await;
        assert_eq!(submitted["status"], "submitted");
        let kinds = issue_kinds(&submitted["report"]);
        assert!(
            kinds.iter().any(|(_, column, kind)| column == "OBS_VALUE" && kind == "year_on_year_jump"),
            "{kinds:?}"
        );
        // Another provider may not see it; a provider may not decide.
        let answer = get(app, &format!("/sdg/submissions/{first}"), Some(&other)).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN);
        let version = submitted["version"].as_i64().expect("version").to_string();
        let answer = post(
            app,
            &format!("/sdg/submissions/{first}/decision"),
            Some(&provider),
            &[("csrf", &provider_csrf), ("version", &version), ("decision", "approve")],
        )
        .await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{}", answer.text());
        // The statistician sees the report and what it changes; a return needs a comment.
        let page = get(app, &format!("/sdg/submissions/{first}"), Some(&statistician)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text().contains("40"), "{}", page.text());
        let answer = post(
            app,
            &format!("/sdg/submissions/{first}/decision"),
            Some(&statistician),
            &[("csrf", &statistician_csrf), ("version", &version), ("decision", "return"), ("comment", " ")],
        )
        .await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", answer.text());
        let answer = post(
            app,
            &format!("/sdg/submissions/{first}/decision"),
            Some(&statistician),
            &[
                ("csrf", &statistician_csrf),
                ("version", &version),
                ("decision", "return"),
                ("comment", "Local government share 2024: 40 looks wrong"),
            ],
        )
        .await;
        assert_eq!(location(&answer), format!("/sdg/submissions/{first}"));
        let returned = submission_json(app, &provider, first).await;
        assert_eq!(returned["status"], "returned");
        let page = get(app, &format!("/sdg/submissions/{first}"), Some(&provider)).await;
        assert!(page.text().contains("40 looks wrong"), "{}", page.text());
        assert_eq!(
            store.sdg_published_observations("5.5.1").await.expect("published").len(),
            baseline,
            "nothing published yet"
        );

        // 3. The corrected version, sent through the API, approved under an embargo.
        let corrected = version_of_551(
            store,
            &[("SG_GEN_PARL", "2024", 24.5), ("SG_GEN_LOCG", "2024", 19.1), ("SG_GEN_PARL", "2023", 23.1)],
        )
        .await;
        let answer = upload(
            app,
            "/api/v1/sdg/submissions",
            &provider,
            &[("x-csrf-token", &provider_csrf)],
            &[("indicator", "5.5.1"), ("note", "corrected")],
            "kaz-551-v2.csv",
            corrected.as_bytes(),
        )
        .await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text());
        let second = answer.json()["id"].as_i64().expect("id");
        let version = answer.json()["version"].as_i64().expect("version");
        let answer = send(
            app,
            "POST",
            &format!("/api/v1/sdg/submissions/{second}/decision"),
            Some(&statistician),
            Some("application/json"),
            serde_json::json!({"version": version, "decision": "approve", "publish_at": "2099-01-01T00:00:00Z"})
                .to_string()
                .into_bytes(),
        )
        .await;
        // A cookie write without the CSRF header is refused.
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{}", answer.text());
        let answer = app
            .send(
                "POST",
                &format!("/api/v1/sdg/submissions/{second}/decision"),
                &[
                    ("cookie", statistician.as_str()),
                    ("x-csrf-token", statistician_csrf.as_str()),
                    ("content-type", "application/json"),
                ],
                serde_json::json!({"version": version, "decision": "approve", "publish_at": "2099-01-01T00:00:00Z"})
                    .to_string()
                    .into_bytes(),
            )
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
        assert_eq!(answer.json()["status"], "approved");
        let published = store.sdg_published_observations("5.5.1").await.expect("published");
        assert_eq!(published.len(), baseline, "embargoed data stays unpublished");
        assert!(store.publish_due_sdg("2098-12-31T23:59:59Z").await.expect("due").is_empty());
        assert_eq!(store.publish_due_sdg("2099-01-01T00:00:00Z").await.expect("due"), vec![second]);
        let published = store.sdg_published_observations("5.5.1").await.expect("published");
        assert_eq!(published.len(), baseline + 2);
        let value = |series: &str, period: &str| {
            published
                .iter()
                .find(|o| o.series == series && o.time_period == period)
                .and_then(|o| o.value)
        };
        assert_eq!(value("SG_GEN_LOCG", "2024"), Some(19.1));
        assert_eq!(value("SG_GEN_PARL", "2023"), Some(23.1));

        // 4. Versions: 1 is the imported data, 2 this submission; what changed between them.
        let versions = app.get_json("/api/v1/sdg/indicators/5.5.1/versions").await;
        let numbers: Vec<i64> = versions["versions"]
            .as_array()
            .expect("versions")
            .iter()
            .map(|v| v["number"].as_i64().expect("number"))
            .collect();
        assert_eq!(numbers, vec![2, 1]);
        let changes = app.get_json("/api/v1/sdg/indicators/5.5.1/changes?from=1&to=2").await;
        let count = |name: &str| changes["changes"][name].as_array().map_or(0, Vec::len);
        assert_eq!((count("added"), count("changed"), count("removed")), (2, 1, 0), "{changes}");
        assert_eq!(changes["changes"]["unchanged"], baseline as i64 - 1);
        let page = app.get("/sdg/indicators/5.5.1/changes?from=1&to=2").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text().contains("23.1"), "{}", page.text());
        let submitter = submission_json(app, &provider, second).await;
        assert_eq!(submitter["status"], "published");
        assert_eq!(submitter["published_version"], 2);

        // The provider was told at each step; the audit log holds them in order.
        let inbox = store.inbox(submitter["submitted_by"].as_i64().expect("id"), 50).await.expect("inbox");
        let subjects: Vec<&str> = inbox.iter().map(|m| m.subject.as_str()).collect();
        assert!(subjects.iter().any(|s| s.starts_with("SDG data returned")), "{subjects:?}");
        assert!(subjects.iter().any(|s| s.starts_with("SDG data published")), "{subjects:?}");
    })
    .await;
}

#[tokio::test]
async fn template_and_metadata() {
    each_backend(async |app: &TestApp| {
        let store = &app.store;
        load_code_lists(store).await;
        publish_kazakhstan_551(store).await;
        // The template of an indicator reads back as its published data.
        let answer = app.get("/sdg/indicators/5.5.1/template.xlsx").await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
        let dataset = hrtrack_sdg::xlsx::read(&answer.body, "template.xlsx")
            .unwrap_or_else(|e| panic!("{e:?}"));
        let published = store
            .sdg_published_observations("5.5.1")
            .await
            .expect("published");
        assert_eq!(dataset.observations.len(), published.len());
        // In Russian: labels and instructions change, the ids of row 1 and the data do not.
        let answer = app.get("/sdg/indicators/5.5.1/template.xlsx?lang=ru").await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
        let russian = hrtrack_sdg::xlsx::read(&answer.body, "template-ru.xlsx")
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(russian.observations, dataset.observations);
        assert_ne!(
            answer.body,
            app.get("/sdg/indicators/5.5.1/template.xlsx?lang=en")
                .await
                .body
        );
        assert_eq!(
            app.get("/sdg/indicators/5.5.1/template.xlsx?lang=fr")
                .await
                .status,
            StatusCode::BAD_REQUEST
        );
        assert_eq!(
            app.get("/sdg/indicators/99.9.9/template.xlsx").await.status,
            StatusCode::NOT_FOUND
        );

        // National metadata: statisticians only; three languages.
        make_user(app, "statistician", Role::Statistician, vec![]).await;
        make_user(app, "provider", Role::DataProvider, vec![]).await;
        let (statistician, csrf) = sign_in(app, "statistician").await;
        let (provider, provider_csrf) = sign_in(app, "provider").await;
        let answer = post(
            app,
            "/sdg/indicators/5.5.1/metadata",
            Some(&provider),
            &[
                ("csrf", &provider_csrf),
                ("lang", "ru"),
                ("definition", "x"),
            ],
        )
        .await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN);
        let answer = post(
            app,
            "/sdg/indicators/5.5.1/metadata",
            Some(&statistician),
            &[
                ("csrf", &csrf),
                ("lang", "ru"),
                ("definition", "Доля мест, занимаемых женщинами"),
                ("agency", "Бюро национальной статистики"),
            ],
        )
        .await;
        assert_eq!(location(&answer), "/sdg/indicators/5.5.1");
        let texts = store.sdg_metadata_texts("5.5.1").await.expect("metadata");
        assert_eq!(
            texts
                .get(&("definition".to_owned(), "ru".to_owned()))
                .map(String::as_str),
            Some("Доля мест, занимаемых женщинами")
        );
        let form = get(app, "/sdg/indicators/5.5.1/metadata", Some(&statistician)).await;
        assert!(form.text().contains("Бюро национальной статистики"));
        let answer = post(
            app,
            "/sdg/indicators/5.5.1/metadata",
            Some(&statistician),
            &[("csrf", &csrf), ("lang", "fr"), ("definition", "x")],
        )
        .await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    })
    .await;
}

#[tokio::test]
async fn only_the_indicators_providers_send_its_data() {
    use hrtrack_db::roadmap::{Actor, InstitutionInput};
    use hrtrack_domain::InstitutionKind;
    each_backend(async |app: &TestApp| {
        let store = &app.store;
        load_code_lists(store).await;
        publish_kazakhstan_551(store).await;
        let institution = |code: &str| InstitutionInput {
            code: code.to_owned(),
            name: format!("Ministry {code}"),
            name_ru: String::new(),
            name_tk: String::new(),
            kind: InstitutionKind::Ministry,
            archived: false,
        };
        let system = Actor::system("test");
        let labour = store
            .create_institution(&system, institution("MLSP"))
            .await
            .expect("MLSP");
        let justice = store
            .create_institution(&system, institution("MOJ"))
            .await
            .expect("MOJ");
        make_user(app, "statistician", Role::Statistician, vec![]).await;
        make_user(app, "labour.data", Role::DataProvider, vec![labour.id]).await;
        make_user(app, "justice.data", Role::DataProvider, vec![justice.id]).await;
        let (statistician, csrf) = sign_in(app, "statistician").await;
        let (labour_cookie, labour_csrf) = sign_in(app, "labour.data").await;
        let (justice_cookie, justice_csrf) = sign_in(app, "justice.data").await;
        let file = version_of_551(store, &[("SG_GEN_PARL", "2024", 24.5)]).await;
        let send = async |cookie: &str, csrf: &str| {
            upload(
                app,
                "/sdg/submit",
                cookie,
                &[],
                &[("csrf", csrf), ("indicator", "5.5.1")],
                "551.csv",
                file.as_bytes(),
            )
            .await
        };

        // Providers are the statistician's to set, not a provider's.
        let labour_id = labour.id.to_string();
        let answer = post(
            app,
            "/sdg/indicators/5.5.1/providers",
            Some(&labour_cookie),
            &[("csrf", &labour_csrf), ("institutions", &labour_id)],
        )
        .await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN);
        let answer = post(
            app,
            "/sdg/indicators/5.5.1/providers",
            Some(&statistician),
            &[("csrf", &csrf), ("institutions", &labour_id)],
        )
        .await;
        assert_eq!(location(&answer), "/sdg/indicators/5.5.1/metadata");
        assert_eq!(
            store.sdg_providers("5.5.1").await.expect("providers"),
            vec![labour.id]
        );
        let form = get(app, "/sdg/indicators/5.5.1/metadata", Some(&statistician)).await;
        assert!(
            form.text()
                .contains(&format!("value=\"{}\" checked", labour.id)),
            "{}",
            form.text()
        );

        // Only the ministry of labour's provider may send 5.5.1 now.
        let answer = send(&justice_cookie, &justice_csrf).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{}", answer.text());
        let answer = send(&labour_cookie, &labour_csrf).await;
        assert!(location(&answer).starts_with("/sdg/submissions/"));

        // With no provider set, anyone who provides data may.
        let answer = post(
            app,
            "/sdg/indicators/5.5.1/providers",
            Some(&statistician),
            &[("csrf", &csrf)],
        )
        .await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER);
        assert!(
            store
                .sdg_providers("5.5.1")
                .await
                .expect("providers")
                .is_empty()
        );
        let answer = send(&justice_cookie, &justice_csrf).await;
        assert!(location(&answer).starts_with("/sdg/submissions/"));
    })
    .await;
}

#[tokio::test]
async fn an_approved_version_is_on_the_public_page_at_once() {
    each_backend(async |app: &TestApp| {
        let store = &app.store;
        load_code_lists(store).await;
        publish_kazakhstan_551(store).await;
        app.refresh_index().await;
        make_user(app, "provider", Role::DataProvider, vec![]).await;
        make_user(app, "statistician", Role::Statistician, vec![]).await;
        let (provider, provider_csrf) = sign_in(app, "provider").await;
        let (statistician, csrf) = sign_in(app, "statistician").await;
        // The page as the public has it before (and as the page cache keeps it).
        let before = app.get("/sdg/indicators/5.5.1?by=SERIES").await.text();
        assert!(!before.contains("19.7"), "{before}");
        let file = version_of_551(store, &[("SG_GEN_LOCG", "2024", 19.7)]).await;
        let answer = upload(
            app,
            "/sdg/submit",
            &provider,
            &[],
            &[("csrf", &provider_csrf), ("indicator", "5.5.1")],
            "551.csv",
            file.as_bytes(),
        )
        .await;
        let id = id_of(&answer);
        let version = submission_json(app, &statistician, id).await["version"]
            .as_i64()
            .expect("version")
            .to_string();
        let answer = post(
            app,
            &format!("/sdg/submissions/{id}/decision"),
            Some(&statistician),
            &[
                ("csrf", &csrf),
                ("version", &version),
                ("decision", "approve"),
            ],
        )
        .await;
        assert_eq!(location(&answer), format!("/sdg/submissions/{id}"));
        let after = app.get("/sdg/indicators/5.5.1?by=SERIES").await.text();
        assert!(after.contains("19.7"), "{after}");
    })
    .await;
}

#[tokio::test]
async fn publishing_the_stored_data_again_keeps_the_data_version() {
    each_backend(async |app: &TestApp| {
        let store = &app.store;
        load_code_lists(store).await;
        publish_kazakhstan_551(store).await;
        app.refresh_index().await;
        make_user(app, "provider", Role::DataProvider, vec![]).await;
        make_user(app, "statistician", Role::Statistician, vec![]).await;
        let (provider, provider_csrf) = sign_in(app, "provider").await;
        let (statistician, csrf) = sign_in(app, "statistician").await;
        let before = store.data_version().await.expect("data version");
        let published = store
            .sdg_published_observations("5.5.1")
            .await
            .expect("published");
        let file = version_of_551(store, &[]).await;
        let answer = upload(
            app,
            "/sdg/submit",
            &provider,
            &[],
            &[("csrf", &provider_csrf), ("indicator", "5.5.1")],
            "551.csv",
            file.as_bytes(),
        )
        .await;
        let id = id_of(&answer);
        let submission = submission_json(app, &statistician, id).await;
        let version = submission["version"].as_i64().expect("version").to_string();
        let answer = post(
            app,
            &format!("/sdg/submissions/{id}/decision"),
            Some(&statistician),
            &[
                ("csrf", &csrf),
                ("version", &version),
                ("decision", "approve"),
            ],
        )
        .await;
        assert_eq!(location(&answer), format!("/sdg/submissions/{id}"));
        assert_eq!(
            submission_json(app, &statistician, id).await["status"],
            "published"
        );
        assert_eq!(store.data_version().await.expect("data version"), before);
        let after = store
            .sdg_published_observations("5.5.1")
            .await
            .expect("published");
        assert_eq!(after.len(), published.len());
        // A version that changes a value still changes the data version.
        let file = version_of_551(store, &[("SG_GEN_LOCG", "2024", 19.7)]).await;
        let answer = upload(
            app,
            "/sdg/submit",
            &provider,
            &[],
            &[("csrf", &provider_csrf), ("indicator", "5.5.1")],
            "551b.csv",
            file.as_bytes(),
        )
        .await;
        let id = id_of(&answer);
        let version = submission_json(app, &statistician, id).await["version"]
            .as_i64()
            .expect("version")
            .to_string();
        post(
            app,
            &format!("/sdg/submissions/{id}/decision"),
            Some(&statistician),
            &[
                ("csrf", &csrf),
                ("version", &version),
                ("decision", "approve"),
            ],
        )
        .await;
        assert_ne!(store.data_version().await.expect("data version"), before);
    })
    .await;
}

/// Sends `file` as the provider; the submission's id.
async fn submit_551(app: &TestApp, provider: &str, csrf: &str, file: &str) -> i64 {
    let answer = upload(
        app,
        "/sdg/submit",
        provider,
        &[],
        &[("csrf", csrf), ("indicator", "5.5.1")],
        "551.csv",
        file.as_bytes(),
    )
    .await;
    id_of(&answer)
}

/// The statistician approves submission `id` through the API, with an embargo time or not.
async fn approve(
    app: &TestApp,
    statistician: &str,
    csrf: &str,
    id: i64,
    publish_at: Option<&str>,
) -> Value {
    let version = submission_json(app, statistician, id).await["version"].clone();
    let mut body = serde_json::json!({"version": version, "decision": "approve"});
    if let Some(at) = publish_at {
        body["publish_at"] = Value::from(at);
    }
    let answer = app
        .send(
            "POST",
            &format!("/api/v1/sdg/submissions/{id}/decision"),
            &[
                ("cookie", statistician),
                ("x-csrf-token", csrf),
                ("content-type", "application/json"),
            ],
            body.to_string().into_bytes(),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    answer.json()
}

/// Issue 10: X approved with an embargo, then Y approved for now (2024 = 22.2); when X's
/// embargo lifts it must not put 11.1 back: it goes back to its provider with the reason.
#[tokio::test]
async fn an_embargoed_version_never_overwrites_a_newer_one() {
    each_backend(async |app: &TestApp| {
        let store = &app.store;
        load_code_lists(store).await;
        publish_kazakhstan_551(store).await;
        make_user(app, "provider", Role::DataProvider, vec![]).await;
        make_user(app, "statistician", Role::Statistician, vec![]).await;
        let (provider, provider_csrf) = sign_in(app, "provider").await;
        let (statistician, csrf) = sign_in(app, "statistician").await;
        let x_file = version_of_551(store, &[("SG_GEN_LOCG", "2024", 11.1)]).await;
        let y_file = version_of_551(store, &[("SG_GEN_LOCG", "2024", 22.2)]).await;
        let x = submit_551(app, &provider, &provider_csrf, &x_file).await;
        let y = submit_551(app, &provider, &provider_csrf, &y_file).await;
        let value_2024 = || async {
            store
                .sdg_published_observations("5.5.1")
                .await
                .expect("published")
                .into_iter()
                .find(|o| o.series == "SG_GEN_LOCG" && o.time_period == "2024")
                .and_then(|o| o.value)
        };

        let decided = approve(app, &statistician, &csrf, x, Some("2099-01-01T00:00:00Z")).await;
        assert_eq!(decided["status"], "approved", "{decided}");
        let decided = approve(app, &statistician, &csrf, y, None).await;
        assert_eq!(decided["status"], "published", "{decided}");
        assert_eq!(value_2024().await, Some(22.2));

        // The embargo lifts: X is not published over Y.
        let published = store
            .publish_due_sdg("2099-01-01T00:00:00Z")
            .await
            .expect("due");
        assert!(published.is_empty(), "{published:?}");
        assert_eq!(value_2024().await, Some(22.2));
        let versions = store.sdg_versions("5.5.1").await.expect("versions");
        assert_eq!(versions.len(), 2, "the imported data and Y");
        let sent_back = submission_json(app, &provider, x).await;
        assert_eq!(sent_back["status"], "returned", "{sent_back}");
        assert_eq!(sent_back["published_version"], Value::Null, "{sent_back}");
        let comment = sent_back["decision_comment"].as_str().unwrap_or_default();
        assert!(
            comment.contains("version 0") && comment.contains("version 2"),
            "{comment}"
        );
        for name in [provider.as_str(), statistician.as_str()] {
            let answer = app
                .get_with_headers("/api/v1/inbox", &[("cookie", name)])
                .await;
            assert!(
                answer.text().contains("SDG data not published: 5.5.1"),
                "{}",
                answer.text()
            );
        }
        // Nothing is due any more.
        assert!(
            store
                .publish_due_sdg("2099-01-02T00:00:00Z")
                .await
                .expect("due")
                .is_empty()
        );

        // A version approved for now over a newer one is sent back at once.
        let z_file = version_of_551(store, &[("SG_GEN_LOCG", "2024", 33.3)]).await;
        let z = submit_551(app, &provider, &provider_csrf, &z_file).await;
        let w = submit_551(app, &provider, &provider_csrf, &y_file).await;
        assert_eq!(
            approve(app, &statistician, &csrf, z, None).await["status"],
            "published"
        );
        let decided = approve(app, &statistician, &csrf, w, None).await;
        assert_eq!(decided["status"], "returned", "{decided}");
        assert_eq!(value_2024().await, Some(33.3));
    })
    .await;
}
