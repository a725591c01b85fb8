//! The Roadmap's API: the authorization matrix (every route × every role and the public),
//! CSRF on cookie sessions, lost updates refused with 409 `stale_version`, uploads refused
//! when oversized or disguised, nothing unpublished or internal reaching the public, and
//! the served records matching their OpenAPI schemas.

use std::collections::BTreeSet;

use axum::http::StatusCode;
use hrtrack_access::password::hash_password;
use hrtrack_access::token::secret_digest;
use hrtrack_db::Store;
use hrtrack_db::roadmap::{Actor, NewUser};
use hrtrack_domain::Role;
use serde_json::{Value, json};

use crate::support::{Answer, TestApp, assert_error, each_backend};

/// A recommendation of the test data (Slovenia, cycle 4).
pub(crate) const UID: &str = "SVN-UPR4-140.7";
const PASSWORD: &str = "correct horse battery";

/// Who calls: the public or a user with a bearer token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Who {
    Public,
    Admin,
    Coordinator,
    FocalPoint,
    OtherFocalPoint,
    Reviewer,
}

const EVERYONE: [Who; 6] = [
    Who::Public,
    Who::Admin,
    Who::Coordinator,
    Who::FocalPoint,
    Who::OtherFocalPoint,
    Who::Reviewer,
];

impl Who {
    fn token(self) -> Option<String> {
        (self != Who::Public).then(|| format!("hrt_test_{self:?}"))
    }
}

/// The records the matrix works on.
pub(crate) struct Fixture {
    pub(crate) institution: i64,
    pub(crate) roadmap: i64,
    pub(crate) cluster: i64,
    pub(crate) action: i64,
    pub(crate) indicator: i64,
    pub(crate) report: i64,
    pub(crate) evidence: i64,
    pub(crate) assessment: i64,
    pub(crate) user: i64,
    pub(crate) message: i64,
    /// A user without a token, whose tokens and throttle the administrator's routes clear.
    pub(crate) bystander: i64,
}

async fn user(store: &Store, name: &str, role: Role, institutions: Vec<i64>) -> i64 {
    let hash = hash_password(PASSWORD).unwrap_or_else(|e| panic!("{e}"));
    let user = store
        .create_user(
            &Actor::system("test"),
            NewUser {
                name: name.into(),
                display_name: name.into(),
                email: String::new(),
                role,
                institutions,
                password_hash: hash,
            },
        )
        .await
        .unwrap_or_else(|e| panic!("user {name}: {e}"));
    user.id
}

pub(crate) async fn call(
    app: &TestApp,
    who: Who,
    method: &str,
    uri: &str,
    body: Option<Value>,
) -> Answer {
    let token = who.token().map(|t| format!("Bearer {t}"));
    let mut headers: Vec<(&str, &str)> = Vec::new();
    if let Some(token) = &token {
        headers.push(("authorization", token));
    }
    let bytes = match &body {
        Some(body) => {
            headers.push(("content-type", "application/json"));
            body.to_string().into_bytes()
        }
        None => Vec::new(),
    };
    app.send(method, uri, &headers, bytes).await
}

fn created(answer: &Answer, what: &str) -> Value {
    assert!(
        answer.status.is_success(),
        "{what}: {} {}",
        answer.status,
        answer.text()
    );
    answer.json()
}

pub(crate) fn id_of(value: &Value) -> i64 {
    value["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("no id in {value}"))
}

/// Users with tokens, an institution per focal point, a roadmap on Slovenia's 4th review
/// (not shared with the reviewer) with a cluster, an unpublished action led by the focal
/// point's institution with a yearly indicator, a draft report with internal evidence, a
/// draft government assessment and one inbox message.
pub(crate) async fn fixture(app: &TestApp) -> Fixture {
    let store = &app.store;
    let system = Actor::system("test");
    let institution_input = |code: &str| hrtrack_db::roadmap::InstitutionInput {
        code: code.into(),
        name: format!("Ministry {code}"),
        name_ru: String::new(),
        name_tk: String::new(),
        kind: hrtrack_domain::InstitutionKind::Ministry,
        archived: false,
    };
    let own = store
        .create_institution(&system, institution_input("MOJ"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let other = store
        .create_institution(&system, institution_input("MOH"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut ids = Vec::new();
    for (who, role, institutions) in [
        (Who::Admin, Role::Administrator, vec![]),
        (Who::Coordinator, Role::Coordinator, vec![]),
        (Who::FocalPoint, Role::FocalPoint, vec![own.id]),
        (Who::OtherFocalPoint, Role::FocalPoint, vec![other.id]),
        (Who::Reviewer, Role::Reviewer, vec![]),
    ] {
        let id = user(
            store,
            &format!("{who:?}").to_lowercase(),
            role,
            institutions,
        )
        .await;
        let secret = who.token().unwrap_or_default();
        store
            .create_api_token(&system, id, "test", &secret_digest(&secret))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        ids.push(id);
    }
    let bystander = user(store, "bystander", Role::Reviewer, vec![]).await;
    let coordinator = Who::Coordinator;
    let roadmap = created(
        &call(
            app,
            coordinator,
            "POST",
            "/api/v1/roadmaps",
            Some(json!({"title": "UPR 4 Roadmap", "review": "SVN/UPR/4"})),
        )
        .await,
        "roadmap",
    );
    let roadmap = id_of(&roadmap);
    let cluster = created(
        &call(
            app,
            coordinator,
            "POST",
            &format!("/api/v1/roadmaps/{roadmap}/clusters"),
            Some(json!({"title": "Justice", "recommendations": [UID]})),
        )
        .await,
        "cluster",
    );
    let cluster = id_of(&cluster);
    let action = created(
        &call(app, coordinator, "POST", &format!("/api/v1/roadmaps/{roadmap}/actions"), Some(json!({
            "title": "Draft a torture prevention law", "lead_institution_id": own.id,
            "start_date": "2024-01-01", "end_date": "2026-12-31", "clusters": [cluster], "sdg_targets": ["16.3"]
        }))).await,
        "action",
    );
    let action = id_of(&action);
    let indicator = created(
        &call(
            app,
            coordinator,
            "POST",
            &format!("/api/v1/actions/{action}/indicators"),
            Some(json!({"title": "Law adopted", "frequency": "yearly"})),
        )
        .await,
        "indicator",
    );
    let report = created(
        &call(
            app,
            Who::FocalPoint,
            "POST",
            &format!("/api/v1/actions/{action}/reports"),
            Some(json!({"due_date": "2025-01-01", "narrative": "Drafting started."})),
        )
        .await,
        "report",
    );
    let report = id_of(&report);
    let evidence = created(
        &call(app, Who::FocalPoint, "POST", &format!("/api/v1/reports/{report}/evidence"), Some(json!({"title": "Internal memo", "url": "https://example.org/memo", "public": false}))).await,
        "evidence",
    );
    let assessment = created(
        &call(
            app,
            coordinator,
            "POST",
            &format!("/api/v1/recommendations/{UID}/assessments"),
            Some(json!({"period": "2025", "level": "in_progress"})),
        )
        .await,
        "assessment",
    );
    store
        .notify_role(Role::Coordinator, None, "hello", "a message", "/")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let coordinator_id = ids[1];
    let message = store
        .inbox(coordinator_id, 10)
        .await
        .unwrap_or_else(|e| panic!("{e}"))[0]
        .id;
    Fixture {
        institution: own.id,
        roadmap,
        cluster,
        action,
        indicator: id_of(&indicator),
        report,
        evidence: id_of(&evidence),
        assessment: id_of(&assessment),
        user: ids[2],
        message,
        bystander,
    }
}

/// What a route answers a caller who may not use it.
#[derive(Debug, Clone, Copy)]
enum Refusal {
    /// 401 for the public, 403 for signed-in users.
    Forbidden,
    /// 404 for the public (a draft's existence is not told), 403 for signed-in users.
    Hidden,
}

/// One row of the matrix: the call, who may make it, and how the others are refused.
struct Route {
    method: &'static str,
    uri: String,
    body: Option<Value>,
    allowed: Vec<Who>,
    refusal: Refusal,
}

fn routes(f: &Fixture) -> Vec<Route> {
    use Who::*;
    let staff = vec![Admin, Coordinator, FocalPoint, OtherFocalPoint];
    let planners = vec![Admin, Coordinator];
    let signed_in = vec![Admin, Coordinator, FocalPoint, OtherFocalPoint, Reviewer];
    let institution = json!({"code": "NHRI", "name": "Ombudsperson", "kind": "nhri"});
    let action = json!({"title": "Edited", "lead_institution_id": f.institution, "start_date": "2024-01-01", "end_date": "2026-12-31", "version": 1});
    let route = |method, uri: String, body: Option<Value>, allowed: &Vec<Who>, refusal| Route {
        method,
        uri,
        body,
        allowed: allowed.clone(),
        refusal,
    };
    use Refusal::{Forbidden as F, Hidden as H};
    vec![
        route("GET", "/api/v1/me".into(), None, &signed_in, F),
        route("GET", "/api/v1/users".into(), None, &vec![Admin], F),
        route(
            "POST",
            "/api/v1/users".into(),
            Some(
                json!({"name": "new.user", "display_name": "New", "role": "reviewer", "password": PASSWORD}),
            ),
            &vec![Admin],
            F,
        ),
        route(
            "GET",
            format!("/api/v1/users/{}", f.user),
            None,
            &vec![Admin],
            F,
        ),
        route(
            "PUT",
            format!("/api/v1/users/{}", f.user),
            Some(
                json!({"display_name": "Focal", "role": "focal_point", "institutions": [f.institution], "version": 1}),
            ),
            &vec![Admin],
            F,
        ),
        route(
            "POST",
            format!("/api/v1/users/{}/tokens/revoke", f.bystander),
            None,
            &vec![Admin],
            F,
        ),
        route(
            "POST",
            format!("/api/v1/users/{}/unlock", f.bystander),
            None,
            &vec![Admin],
            F,
        ),
        route(
            "GET",
            "/api/v1/institutions".into(),
            None,
            &EVERYONE.to_vec(),
            F,
        ),
        route(
            "POST",
            "/api/v1/institutions".into(),
            Some(institution.clone()),
            &planners,
            F,
        ),
        route(
            "GET",
            format!("/api/v1/institutions/{}", f.institution),
            None,
            &EVERYONE.to_vec(),
            F,
        ),
        route(
            "PUT",
            format!("/api/v1/institutions/{}", f.institution),
            Some(
                json!({"code": "MOJ", "name": "Ministry of Justice", "kind": "ministry", "version": 1}),
            ),
            &planners,
            F,
        ),
        route(
            "GET",
            "/api/v1/roadmaps".into(),
            None,
            &EVERYONE.to_vec(),
            F,
        ),
        route(
            "POST",
            "/api/v1/roadmaps".into(),
            Some(json!({"title": "Another"})),
            &planners,
            F,
        ),
        route(
            "GET",
            format!("/api/v1/roadmaps/{}", f.roadmap),
            None,
            &staff,
            H,
        ),
        route(
            "PUT",
            format!("/api/v1/roadmaps/{}", f.roadmap),
            Some(json!({"title": "Renamed", "review": "SVN/UPR/4", "version": 1})),
            &planners,
            F,
        ),
        route(
            "GET",
            format!("/api/v1/roadmaps/{}/clusters", f.roadmap),
            None,
            &staff,
            H,
        ),
        route(
            "POST",
            format!("/api/v1/roadmaps/{}/clusters", f.roadmap),
            Some(json!({"title": "More"})),
            &planners,
            F,
        ),
        route(
            "GET",
            format!("/api/v1/clusters/{}", f.cluster),
            None,
            &staff,
            H,
        ),
        route(
            "PUT",
            format!("/api/v1/clusters/{}", f.cluster),
            Some(json!({"title": "Justice and police", "recommendations": [UID], "version": 1})),
            &planners,
            F,
        ),
        route(
            "GET",
            format!("/api/v1/roadmaps/{}/actions", f.roadmap),
            None,
            &staff,
            H,
        ),
        route(
            "POST",
            format!("/api/v1/roadmaps/{}/actions", f.roadmap),
            Some(action.clone()),
            &planners,
            F,
        ),
        route(
            "GET",
            format!("/api/v1/actions/{}", f.action),
            None,
            &staff,
            H,
        ),
        route(
            "PUT",
            format!("/api/v1/actions/{}", f.action),
            Some(action),
            &planners,
            F,
        ),
        route(
            "GET",
            format!("/api/v1/actions/{}/indicators", f.action),
            None,
            &staff,
            H,
        ),
        route(
            "POST",
            format!("/api/v1/actions/{}/indicators", f.action),
            Some(json!({"title": "Trainings", "frequency": "quarterly"})),
            &planners,
            F,
        ),
        route(
            "PUT",
            format!("/api/v1/indicators/{}", f.indicator),
            Some(json!({"title": "Law adopted", "frequency": "yearly", "version": 1})),
            &planners,
            F,
        ),
        route(
            "GET",
            format!("/api/v1/actions/{}/reports", f.action),
            None,
            &staff,
            H,
        ),
        route(
            "POST",
            format!("/api/v1/actions/{}/reports", f.action),
            Some(json!({"due_date": "2026-01-01"})),
            &vec![FocalPoint],
            F,
        ),
        route(
            "GET",
            format!("/api/v1/reports/{}", f.report),
            None,
            &staff,
            H,
        ),
        route(
            "PUT",
            format!("/api/v1/reports/{}", f.report),
            Some(json!({"narrative": "Drafting went on.", "version": 2})),
            &vec![FocalPoint],
            F,
        ),
        route(
            "POST",
            format!("/api/v1/reports/{}/evidence", f.report),
            Some(json!({"title": "Press release", "url": "https://example.org/p", "public": true})),
            &vec![FocalPoint],
            F,
        ),
        route(
            "POST",
            format!("/api/v1/reports/{}/transitions", f.report),
            Some(json!({"to": "submitted", "version": 3})),
            &vec![FocalPoint],
            F,
        ),
        route(
            "POST",
            format!("/api/v1/reports/{}/transitions", f.report),
            Some(json!({"to": "validated", "version": 4})),
            &planners,
            F,
        ),
        route(
            "GET",
            format!("/api/v1/evidence/{}", f.evidence),
            None,
            &staff,
            H,
        ),
        route(
            "GET",
            format!("/api/v1/recommendations/{UID}/assessments"),
            None,
            &EVERYONE.to_vec(),
            F,
        ),
        route(
            "POST",
            format!("/api/v1/recommendations/{UID}/assessments"),
            Some(json!({"period": "2026", "level": "not_started"})),
            &vec![Admin, Coordinator, Reviewer],
            F,
        ),
        route(
            "PUT",
            format!("/api/v1/assessments/{}", f.assessment),
            Some(
                json!({"period": "2025", "level": "in_progress", "summary": "Work begun", "version": 1}),
            ),
            &planners,
            F,
        ),
        route(
            "GET",
            "/api/v1/rollups?by=review".into(),
            None,
            &EVERYONE.to_vec(),
            F,
        ),
        route("GET", "/api/v1/calendar".into(), None, &staff, F),
        route("GET", "/api/v1/inbox".into(), None, &signed_in, F),
        route(
            "POST",
            format!("/api/v1/inbox/{}/read", f.message),
            None,
            &signed_in,
            F,
        ),
        route("GET", "/api/v1/audit".into(), None, &vec![Admin], F),
    ]
}

#[tokio::test]
async fn authorization_matrix_every_route_every_role() {
    each_backend(async |app| {
        let fixture = fixture(app).await;
        let table = routes(&fixture);
        // Every Roadmap operation of the API document (path and method) is in the table.
        let document = hrtrack_web::openapi_document();
        let paths = document["paths"].as_object().cloned().unwrap_or_default();
        let mut operations = 0;
        for (path, item) in paths.iter().filter(|(p, _)| is_roadmap_path(p)) {
            for method in item
                .as_object()
                .map(|m| m.keys().cloned().collect::<Vec<_>>())
                .unwrap_or_default()
            {
                let method = method.to_uppercase();
                let walked = table
                    .iter()
                    .any(|r| r.method == method && same_shape(&r.uri, path));
                assert!(walked, "{method} {path} is not in the matrix");
                operations += 1;
            }
        }
        assert_eq!(
            operations, 41,
            "the Roadmap's operations in the API document"
        );
        let mut checked = 0;
        for route in &table {
            // Refused callers first: nothing they send may change what the others see.
            let (allowed, refused): (Vec<Who>, Vec<Who>) =
                EVERYONE.iter().partition(|who| route.allowed.contains(who));
            for who in refused.into_iter().chain(allowed) {
                let answer = call(app, who, route.method, &route.uri, route.body.clone()).await;
                let what = format!("{who:?} {} {}", route.method, route.uri);
                if route.allowed.contains(&who) {
                    assert!(
                        !matches!(
                            answer.status,
                            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN
                        ),
                        "{what} should be allowed: {} {}",
                        answer.status,
                        answer.text()
                    );
                    assert_ne!(
                        answer.status,
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "{what}: {}",
                        answer.text()
                    );
                } else {
                    let expected = match (who, route.refusal) {
                        (Who::Public, Refusal::Forbidden) => {
                            (StatusCode::UNAUTHORIZED, "unauthorized")
                        }
                        (Who::Public, Refusal::Hidden) => {
                            (StatusCode::NOT_FOUND, "record_not_found")
                        }
                        _ => (StatusCode::FORBIDDEN, "forbidden"),
                    };
                    assert_error(&answer, expected.0, expected.1, &what);
                }
                checked += 1;
            }
        }
        assert_eq!(checked, table.len() * EVERYONE.len());
    })
    .await;
}

fn is_roadmap_path(path: &str) -> bool {
    // The SDG data API (`/api/v1/sdg/indicators`, …) is the registry's, not the Roadmap's.
    !path.starts_with("/api/v1/sdg/")
        && [
            "/me",
            "/users",
            "/institutions",
            "/roadmaps",
            "/clusters",
            "/actions",
            "/indicators",
            "/reports",
            "/evidence",
            "/assessments",
            "/rollups",
            "/calendar",
            "/inbox",
            "/audit",
        ]
        .iter()
        .any(|part| path.contains(part))
}

#[tokio::test]
async fn a_focal_point_reports_only_on_their_institutions_actions() {
    each_backend(async |app| {
        let f = fixture(app).await;
        let body = json!({"due_date": "2026-01-01", "narrative": "Not ours"});
        let answer = call(
            app,
            Who::OtherFocalPoint,
            "POST",
            &format!("/api/v1/actions/{}/reports", f.action),
            Some(body.clone()),
        )
        .await;
        assert_error(
            &answer,
            StatusCode::FORBIDDEN,
            "forbidden",
            "other institution's action",
        );
        assert!(
            answer.json()["error"]["message"]
                .as_str()
                .unwrap_or("")
                .contains("institution")
        );
        let edit = call(
            app,
            Who::OtherFocalPoint,
            "PUT",
            &format!("/api/v1/reports/{}", f.report),
            Some(json!({"narrative": "x", "version": 1})),
        )
        .await;
        assert_error(
            &edit,
            StatusCode::FORBIDDEN,
            "forbidden",
            "other institution's report",
        );
        let report = call(
            app,
            Who::Coordinator,
            "GET",
            &format!("/api/v1/reports/{}", f.report),
            None,
        )
        .await
        .json();
        assert_eq!(report["narrative"], "Drafting started.", "nothing written");
        let own = call(
            app,
            Who::FocalPoint,
            "POST",
            &format!("/api/v1/actions/{}/reports", f.action),
            Some(body),
        )
        .await;
        assert_eq!(own.status, StatusCode::CREATED, "{}", own.text());
    })
    .await;
}

#[tokio::test]
async fn cookie_sessions_need_the_csrf_header_for_writes() {
    each_backend(async |app| {
        let f = fixture(app).await;
        let (_, cookie) = hrtrack_web::auth::sign_in(
            &app.state,
            &hrtrack_web::auth::ClientAddr(String::new()),
            "coordinator",
            PASSWORD,
            &Default::default(),
        )
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
        let cookie = cookie
            .to_str()
            .unwrap_or("")
            .split(';')
            .next()
            .unwrap_or("")
            .to_owned();
        let secret = cookie.trim_start_matches("hrtrack_session=");
        let csrf = app
            .store
            .session(&secret_digest(secret))
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or_else(|| panic!("no session"))
            .csrf_token;
        let uri = format!("/api/v1/clusters/{}", f.cluster);
        let body = json!({"title": "Renamed by cookie", "recommendations": [UID], "version": 1})
            .to_string()
            .into_bytes();
        for (header, what) in [(None, "missing"), (Some("wrong-token"), "wrong")] {
            let mut headers = vec![
                ("cookie", cookie.as_str()),
                ("content-type", "application/json"),
            ];
            if let Some(value) = header {
                headers.push(("x-csrf-token", value));
            }
            let answer = app.send("PUT", &uri, &headers, body.clone()).await;
            assert_error(&answer, StatusCode::FORBIDDEN, "csrf_invalid", what);
        }
        let unchanged = call(app, Who::Coordinator, "GET", &uri, None).await.json();
        assert_eq!(unchanged["title"], "Justice");
        let headers = [
            ("cookie", cookie.as_str()),
            ("content-type", "application/json"),
            ("x-csrf-token", csrf.as_str()),
        ];
        let answer = app.send("PUT", &uri, &headers, body).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
        assert_eq!(answer.json()["title"], "Renamed by cookie");
        // Reads need no token.
        let me = app
            .send(
                "GET",
                "/api/v1/me",
                &[("cookie", cookie.as_str())],
                Vec::new(),
            )
            .await;
        assert_eq!(me.json()["user"]["name"], "coordinator");
    })
    .await;
}

#[tokio::test]
async fn two_coordinators_one_action_one_wins_the_other_gets_409_with_the_current_values() {
    each_backend(async |app| {
        let f = fixture(app).await;
        let uri = format!("/api/v1/actions/{}", f.action);
        let edit = |title: &str| json!({"title": title, "lead_institution_id": f.institution, "start_date": "2024-01-01", "end_date": "2026-12-31", "version": 1});
        let (first, second) = tokio::join!(
            call(app, Who::Coordinator, "PUT", &uri, Some(edit("Coordinator's title"))),
            call(app, Who::Admin, "PUT", &uri, Some(edit("Administrator's title"))),
        );
        let (winner, loser, winning_title) = if first.status == StatusCode::OK {
            (first, second, "Coordinator's title")
        } else {
            (second, first, "Administrator's title")
        };
        assert_eq!(winner.status, StatusCode::OK, "{}", winner.text());
        assert_error(&loser, StatusCode::CONFLICT, "stale_version", "the second write");
        let current = &loser.json()["error"]["current"];
        assert_eq!(current["title"], winning_title, "409 carries the current values");
        assert_eq!(current["version"], 2);
        let stored = call(app, Who::Coordinator, "GET", &uri, None).await.json();
        assert_eq!(stored["title"], winning_title);
        // The audit log holds the one change, with old and new values.
        let audit = call(app, Who::Admin, "GET", &format!("/api/v1/audit?entity=action&entity_id={}&action=update", f.action), None).await.json();
        assert_eq!(audit["total"], 1, "{audit}");
        assert_eq!(audit["items"][0]["changes"]["title"]["old"], "Draft a torture prevention law");
        assert_eq!(audit["items"][0]["changes"]["title"]["new"], winning_title);
        // Without a version nothing is written either.
        let mut no_version = edit("No version");
        no_version.as_object_mut().map(|o| o.remove("version"));
        let answer = call(app, Who::Coordinator, "PUT", &uri, Some(no_version)).await;
        assert_error(&answer, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", "no version");
    })
    .await;
}

/// A `multipart/form-data` body with a title, the public flag and one file.
fn multipart(file_name: &str, content: &[u8], public: bool) -> (String, Vec<u8>) {
    let boundary = "hrtrackTestBoundary7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (name, value) in [
        ("title", "Evidence"),
        ("public", if public { "on" } else { "" }),
    ] {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
    );
    body.extend_from_slice(content);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

async fn upload(
    app: &TestApp,
    report: i64,
    file_name: &str,
    content: &[u8],
    public: bool,
) -> Answer {
    let (content_type, body) = multipart(file_name, content, public);
    let token = format!("Bearer {}", Who::FocalPoint.token().unwrap_or_default());
    let headers = [
        ("authorization", token.as_str()),
        ("content-type", content_type.as_str()),
    ];
    app.send(
        "POST",
        &format!("/api/v1/reports/{report}/evidence"),
        &headers,
        body,
    )
    .await
}

#[tokio::test]
async fn uploads_are_checked_and_published_data_leaks_no_drafts_nor_internal_evidence() {
    each_backend(async |app| {
        let f = fixture(app).await;
        let disguised = upload(app, f.report, "budget.pdf", b"<!DOCTYPE html><html><script>x</script></html>", true).await;
        assert_error(&disguised, StatusCode::UNSUPPORTED_MEDIA_TYPE, "upload_rejected", "HTML named .pdf");
        assert!(disguised.text().contains("budget.pdf"), "{}", disguised.text());
        let huge = vec![b'a'; hrtrack_access::upload::MAX_EVIDENCE_BYTES + 1];
        let oversized = upload(app, f.report, "big.txt", &huge, true).await;
        assert_error(&oversized, StatusCode::PAYLOAD_TOO_LARGE, "upload_too_large", "21 MB");
        let public = upload(app, f.report, "decree.pdf", PDF, true).await;
        assert_eq!(public.status, StatusCode::CREATED, "{}", public.text());
        let public_id = id_of(&public.json());
        assert_eq!(public.json()["media_type"], "application/pdf");
        let internal = upload(app, f.report, "memo.pdf", PDF, false).await;
        let internal_id = id_of(&internal.json());
        // Nothing is public before publication.
        for uri in [
            format!("/api/v1/actions/{}", f.action),
            format!("/api/v1/reports/{}", f.report),
            format!("/api/v1/evidence/{public_id}"),
        ] {
            assert_eq!(call(app, Who::Public, "GET", &uri, None).await.status, StatusCode::NOT_FOUND, "{uri}");
        }
        // Workflow: submit, return with a comment, resubmit, validate, publish.
        let step = |to: &str, version: i64, comment: Option<&str>| json!({"to": to, "version": version, "comment": comment});
        let transitions = format!("/api/v1/reports/{}/transitions", f.report);
        let mut version = call(app, Who::FocalPoint, "GET", &format!("/api/v1/reports/{}", f.report), None).await.json()["version"].as_i64().unwrap_or(0);
        for (who, to, comment) in [
            (Who::FocalPoint, "submitted", None),
            (Who::Coordinator, "returned", Some("Add the decree number")),
            (Who::FocalPoint, "submitted", None),
            (Who::Coordinator, "validated", None),
            (Who::Coordinator, "published", None),
        ] {
            let answer = call(app, who, "POST", &transitions, Some(step(to, version, comment))).await;
            assert_eq!(answer.status, StatusCode::OK, "{to}: {}", answer.text());
            assert_eq!(answer.json()["status"], to);
            version = answer.json()["version"].as_i64().unwrap_or(0);
        }
        // A second, draft report on the same action stays hidden.
        let draft = call(app, Who::FocalPoint, "POST", &format!("/api/v1/actions/{}/reports", f.action), Some(json!({"due_date": "2026-01-01", "narrative": "SECRET DRAFT"}))).await;
        assert_eq!(draft.status, StatusCode::CREATED, "{}", draft.text());
        let reports = call(app, Who::Public, "GET", &format!("/api/v1/actions/{}/reports", f.action), None).await;
        assert_eq!(reports.status, StatusCode::OK, "{}", reports.text());
        let text = reports.text();
        assert!(!text.contains("SECRET DRAFT"), "{text}");
        assert!(!text.contains("Internal memo") && !text.contains("memo.pdf"), "{text}");
        assert!(text.contains("decree.pdf"), "{text}");
        let items = reports.json()["items"].as_array().cloned().unwrap_or_default();
        assert_eq!(items.len(), 1);
        assert_eq!(items[0]["comments"][0]["body"], "Add the decree number");
        let file = call(app, Who::Public, "GET", &format!("/api/v1/evidence/{public_id}"), None).await;
        assert_eq!(file.status, StatusCode::OK);
        assert_eq!(file.body.as_ref(), PDF);
        assert!(file.header("content-disposition").starts_with("attachment"));
        assert_eq!(call(app, Who::Public, "GET", &format!("/api/v1/evidence/{internal_id}"), None).await.status, StatusCode::NOT_FOUND);
        assert_eq!(call(app, Who::Public, "GET", &format!("/api/v1/evidence/{}", f.evidence), None).await.status, StatusCode::NOT_FOUND);
        let staff = call(app, Who::OtherFocalPoint, "GET", &format!("/api/v1/evidence/{internal_id}"), None).await;
        assert_eq!(staff.status, StatusCode::OK, "staff read internal evidence");
        // The action was published with its report; the draft assessment stays hidden.
        assert_eq!(call(app, Who::Public, "GET", &format!("/api/v1/actions/{}", f.action), None).await.json()["published"], true);
        let assessments = call(app, Who::Public, "GET", &format!("/api/v1/recommendations/{UID}/assessments"), None).await.json();
        assert_eq!(assessments["items"].as_array().map(Vec::len), Some(0), "{assessments}");
        // Publishing it shows it, and the roll-up counts it.
        let published = call(app, Who::Coordinator, "PUT", &format!("/api/v1/assessments/{}", f.assessment), Some(json!({"period": "2025", "level": "in_progress", "status": "published", "version": 1}))).await;
        assert_eq!(published.status, StatusCode::OK, "{}", published.text());
        let shadow = call(app, Who::Reviewer, "POST", &format!("/api/v1/recommendations/{UID}/assessments"), Some(json!({"period": "2025", "level": "not_started", "status": "published", "summary": "No visible change"}))).await;
        assert_eq!(shadow.status, StatusCode::CREATED, "{}", shadow.text());
        let both = call(app, Who::Public, "GET", &format!("/api/v1/recommendations/{UID}/assessments"), None).await.json();
        let shadows: Vec<bool> = both["items"].as_array().unwrap_or(&vec![]).iter().map(|a| a["shadow"].as_bool().unwrap_or(false)).collect();
        assert_eq!(shadows, [false, true], "{both}");
        let rollup = call(app, Who::Public, "GET", "/api/v1/rollups?by=review", None).await.json();
        assert_eq!(rollup["rows"][0]["key"], "SVN/UPR/4", "{rollup}");
        assert_eq!(rollup["rows"][0]["levels"]["in_progress"], 1, "{rollup}");
        assert_eq!(rollup["rows"][0]["assessed"], 1, "shadow assessments are not counted: {rollup}");
        // The institution leading the action answers for the recommendation in its roll-up.
        let own = app.store.institution_rollup(f.institution).await.unwrap_or_else(|e| panic!("{e}"));
        let own = own.unwrap_or_else(|| panic!("no roll-up row for the lead institution"));
        assert_eq!((own.key.as_str(), own.assessed), (f.institution.to_string().as_str(), 1));
        let other = app.store.institution_rollup(f.institution + 1).await.unwrap_or_else(|e| panic!("{e}"));
        assert!(other.is_none(), "{other:?}");
        // The author was told of each step in their inbox.
        let inbox = call(app, Who::FocalPoint, "GET", "/api/v1/inbox", None).await.json();
        let subjects: Vec<String> = inbox["items"].as_array().unwrap_or(&vec![]).iter().map(|m| m["subject"].as_str().unwrap_or("").to_owned()).collect();
        assert!(subjects.iter().any(|s| s.starts_with("returned")), "{subjects:?}");
        assert!(subjects.iter().any(|s| s.starts_with("published")), "{subjects:?}");
    })
    .await;
}

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

#[tokio::test]
async fn roadmap_schemas_name_exactly_the_served_fields() {
    each_backend(async |app| {
        let f = fixture(app).await;
        let get =
            |uri: String| async move { call(app, Who::Admin, "GET", &uri, None).await.json() };
        let report = get(format!("/api/v1/reports/{}", f.report)).await;
        let calendar = get("/api/v1/calendar?until=2030-01-01".into()).await;
        let audit = get("/api/v1/audit".into()).await;
        let served = [
            ("User", get(format!("/api/v1/users/{}", f.user)).await),
            ("Me", get("/api/v1/me".into()).await),
            (
                "Institution",
                get(format!("/api/v1/institutions/{}", f.institution)).await,
            ),
            (
                "Roadmap",
                get(format!("/api/v1/roadmaps/{}", f.roadmap)).await,
            ),
            (
                "Cluster",
                get(format!("/api/v1/clusters/{}", f.cluster)).await,
            ),
            ("Action", get(format!("/api/v1/actions/{}", f.action)).await),
            (
                "Indicator",
                get(format!("/api/v1/actions/{}/indicators", f.action)).await["items"][0].clone(),
            ),
            ("ProgressReport", report.clone()),
            ("Evidence", report["evidence"][0].clone()),
            (
                "Assessment",
                get(format!("/api/v1/recommendations/{UID}/assessments")).await["items"][0].clone(),
            ),
            ("Rollup", get("/api/v1/rollups?by=theme".into()).await),
            ("Calendar", calendar.clone()),
            ("DueReport", calendar["reports"][0].clone()),
            ("UnDeadline", calendar["un_deadlines"][0].clone()),
            (
                "InboxMessage",
                call(app, Who::Coordinator, "GET", "/api/v1/inbox", None)
                    .await
                    .json()["items"][0]
                    .clone(),
            ),
            ("AuditPage", audit.clone()),
            ("AuditEntry", audit["items"][0].clone()),
        ];
        for (name, value) in served {
            assert_eq!(
                schema_fields(name),
                fields_of(&value),
                "schema {name}: {value}"
            );
        }
        // The UPR mid-term report falls 27 months after the review.
        let deadline = &calendar["un_deadlines"][0];
        assert_eq!(deadline["kind"], "upr_mid_term_report", "{calendar}");
    })
    .await;
}

/// A fake SMTP relay on a free port: accepts connections, answers every step, and sends the
/// text of each message it receives down the channel.
async fn fake_relay() -> (u16, tokio::sync::mpsc::UnboundedReceiver<String>) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let port = listener.local_addr().map(|a| a.port()).unwrap_or(0);
    let (sender, receiver) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let sender = sender.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                let _ = write.write_all(b"220 fake relay\r\n").await;
                let mut message: Option<String> = None;
                while let Ok(Some(line)) = lines.next_line().await {
                    if let Some(text) = message.as_mut() {
                        if line == "." {
                            let _ = sender.send(message.take().unwrap_or_default());
                            let _ = write.write_all(b"250 queued\r\n").await;
                        } else {
                            text.push_str(&line);
                            text.push('\n');
                        }
                        continue;
                    }
                    let reply: &[u8] =
                        match line.get(..4).unwrap_or("").to_ascii_uppercase().as_str() {
                            "DATA" => {
                                message = Some(String::new());
                                b"354 go on\r\n"
                            }
                            "QUIT" => {
                                let _ = write.write_all(b"221 bye\r\n").await;
                                break;
                            }
                            _ => b"250 ok\r\n",
                        };
                    let _ = write.write_all(reply).await;
                }
            });
        }
    });
    (port, receiver)
}

#[tokio::test]
async fn overdue_reports_are_reminded_once_and_messages_leave_by_email() {
    each_backend(async |app| {
        let f = fixture(app).await;
        let store = &app.store;
        let focal = store.user(f.user).await.unwrap_or_else(|e| panic!("{e}"));
        store
            .update_user(
                &Actor::system("test"),
                focal.id,
                focal.version,
                hrtrack_db::roadmap::UserUpdate {
                    display_name: focal.display_name.clone(),
                    email: "focal@example.org".into(),
                    role: focal.role,
                    institutions: focal.institutions.clone(),
                    archived: false,
                },
            )
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        // The draft report due 2025-01-01 is overdue; so is the one never started for 2026-01-01.
        let today = hrtrack_domain::Date::parse("2026-06-01").unwrap_or_else(|e| panic!("{e}"));
        let sent = store
            .remind_overdue(today)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(sent, 1, "one reminder a day for the one focal point");
        assert_eq!(
            store
                .remind_overdue(today)
                .await
                .unwrap_or_else(|e| panic!("{e}")),
            0,
            "only once a day"
        );
        let tomorrow = today.add_days(1);
        assert_eq!(
            store
                .remind_overdue(tomorrow)
                .await
                .unwrap_or_else(|e| panic!("{e}")),
            0,
            "the message of {today} was written at the real date, after {tomorrow}: none more"
        );
        let (port, mut received) = fake_relay().await;
        let mailer = hrtrack_access::mail::Mailer::from_settings(
            Some(&format!("127.0.0.1:{port}")),
            Some("roadmap@gov.example"),
        )
        .unwrap_or_else(|| panic!("mailer"));
        let delivered = hrtrack_web::deliver_mail(store, &mailer)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(delivered, 1);
        let first = received.recv().await.unwrap_or_default();
        assert!(first.contains("To: focal@example.org"), "{first}");
        assert!(
            first.contains("Overdue progress reports: 2 on 2026-06-01"),
            "{first}"
        );
        assert!(
            first.contains("due 2025-01-01") && first.contains("due 2026-01-01"),
            "{first}"
        );
        assert_eq!(
            hrtrack_web::deliver_mail(store, &mailer)
                .await
                .unwrap_or_else(|e| panic!("{e}")),
            0,
            "sent once"
        );
    })
    .await;
}

/// Whether `uri` is an address of the route `path` (`{id}` matches a number, other `{name}`
/// segments any value).
fn same_shape(uri: &str, path: &str) -> bool {
    let uri: Vec<&str> = uri.split('?').next().unwrap_or("").split('/').collect();
    let path: Vec<&str> = path.split('/').collect();
    uri.len() == path.len()
        && uri.iter().zip(&path).all(|(u, p)| match *p {
            "{id}" => u.parse::<i64>().is_ok(),
            _ => u == p || p.starts_with('{'),
        })
}

/// A signed-in browser: its session cookie and the CSRF token its forms carry.
struct Browser {
    cookie: String,
    csrf: String,
}

async fn browser(app: &TestApp, name: &str) -> Browser {
    let (_, cookie) = hrtrack_web::auth::sign_in(
        &app.state,
        &hrtrack_web::auth::ClientAddr(String::new()),
        name,
        PASSWORD,
        &Default::default(),
    )
    .await
    .unwrap_or_else(|e| panic!("sign in {name}: {e:?}"));
    let cookie = cookie
        .to_str()
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .to_owned();
    let secret = cookie.trim_start_matches("hrtrack_session=");
    let csrf = app
        .store
        .session(&secret_digest(secret))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("no session for {name}"))
        .csrf_token;
    Browser { cookie, csrf }
}

/// What a page route answers the public when it refuses.
#[derive(Debug, Clone, Copy)]
enum PublicAnswer {
    /// The page is public.
    Allowed,
    /// 303 to `/login?next=…`.
    SignIn,
    /// 404 (a draft's existence is not told), or 303 to `/login` (signing in may show it).
    Hidden,
}

struct PageRoute {
    method: &'static str,
    uri: String,
    form: Vec<(&'static str, String)>,
    allowed: Vec<Who>,
    public: PublicAnswer,
}

fn form_body(form: &[(&str, String)], csrf: Option<&str>) -> Vec<u8> {
    let mut pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    if let Some(csrf) = csrf {
        pairs.push(("csrf", csrf));
    }
    crate::support::form_encode(&pairs).into_bytes()
}

#[tokio::test]
async fn page_routes_every_role() {
    use Who::*;
    each_backend(async |app| {
        let f = fixture(app).await;
        let target = user(&app.store, "target.user", Role::Reviewer, vec![]).await;
        let staff = vec![Admin, Coordinator, FocalPoint, OtherFocalPoint];
        let planners = vec![Admin, Coordinator];
        let signed_in = vec![Admin, Coordinator, FocalPoint, OtherFocalPoint, Reviewer];
        let action_form = vec![
            ("title", "Edited by form".to_owned()),
            ("lead_institution_id", f.institution.to_string()),
            ("start_date", "2024-01-01".to_owned()),
            ("end_date", "2026-12-31".to_owned()),
            ("status", "planned".to_owned()),
            ("version", "1".to_owned()),
        ];
        let route =
            |method, uri: String, form: Vec<(&'static str, String)>, allowed: &Vec<Who>, public| {
                PageRoute {
                    method,
                    uri,
                    form,
                    allowed: allowed.clone(),
                    public,
                }
            };
        use PublicAnswer::{Allowed as P, Hidden as H, SignIn as S};
        let table = vec![
            route("GET", "/login".into(), vec![], &signed_in, P),
            route("GET", "/account".into(), vec![], &signed_in, S),
            route(
                "POST",
                "/account/password".into(),
                vec![
                    ("current", "wrong".into()),
                    ("new", "another long one".into()),
                    ("repeat", "another long one".into()),
                ],
                &signed_in,
                S,
            ),
            route(
                "POST",
                "/account/tokens".into(),
                vec![("label", "script".into())],
                &signed_in,
                S,
            ),
            route(
                "POST",
                "/account/tokens/999/revoke".into(),
                vec![],
                &signed_in,
                S,
            ),
            route("GET", "/admin/users".into(), vec![], &vec![Admin], S),
            route(
                "POST",
                "/admin/users".into(),
                vec![
                    ("name", "page.user".into()),
                    ("display_name", "Page user".into()),
                    ("role", "reviewer".into()),
                    ("password", PASSWORD.into()),
                ],
                &vec![Admin],
                S,
            ),
            route(
                "GET",
                format!("/admin/users/{target}"),
                vec![],
                &vec![Admin],
                S,
            ),
            route(
                "POST",
                format!("/admin/users/{target}"),
                vec![
                    ("display_name", "Target".into()),
                    ("role", "reviewer".into()),
                    ("version", "1".into()),
                ],
                &vec![Admin],
                S,
            ),
            route(
                "POST",
                format!("/admin/users/{target}/password"),
                vec![("password", "a new long password".into())],
                &vec![Admin],
                S,
            ),
            route(
                "POST",
                format!("/admin/users/{target}/unlock"),
                vec![],
                &vec![Admin],
                S,
            ),
            route(
                "POST",
                format!("/admin/users/{target}/tokens/revoke"),
                vec![],
                &vec![Admin],
                S,
            ),
            route("GET", "/admin/audit".into(), vec![], &vec![Admin], S),
            route("GET", "/roadmap/institutions".into(), vec![], &staff, S),
            route(
                "POST",
                "/roadmap/institutions".into(),
                vec![
                    ("code", "NHRI".into()),
                    ("name", "Ombudsperson".into()),
                    ("kind", "nhri".into()),
                ],
                &planners,
                S,
            ),
            route(
                "GET",
                format!("/roadmap/institutions/{}", f.institution),
                vec![],
                &staff,
                S,
            ),
            route(
                "POST",
                format!("/roadmap/institutions/{}", f.institution),
                vec![
                    ("code", "MOJ".into()),
                    ("name", "Ministry of Justice".into()),
                    ("kind", "ministry".into()),
                    ("version", "1".into()),
                ],
                &planners,
                S,
            ),
            route("GET", "/roadmap".into(), vec![], &signed_in, P),
            route(
                "POST",
                "/roadmap".into(),
                vec![("title", "Another".into())],
                &planners,
                S,
            ),
            route("GET", format!("/roadmap/{}", f.roadmap), vec![], &staff, H),
            route(
                "POST",
                format!("/roadmap/{}", f.roadmap),
                vec![
                    ("title", "Renamed".into()),
                    ("review", "SVN/UPR/4".into()),
                    ("followup_months", "12".into()),
                    ("version", "1".into()),
                ],
                &planners,
                S,
            ),
            route(
                "POST",
                format!("/roadmap/{}/clusters", f.roadmap),
                vec![("title", "More".into())],
                &planners,
                S,
            ),
            route(
                "POST",
                format!("/roadmap/{}/actions", f.roadmap),
                action_form.clone(),
                &planners,
                S,
            ),
            route(
                "GET",
                format!("/roadmap/clusters/{}", f.cluster),
                vec![],
                &staff,
                H,
            ),
            route(
                "POST",
                format!("/roadmap/clusters/{}", f.cluster),
                vec![
                    ("title", "Justice".into()),
                    ("recommendations", UID.into()),
                    ("version", "1".into()),
                ],
                &planners,
                S,
            ),
            route(
                "GET",
                format!("/roadmap/actions/{}", f.action),
                vec![],
                &staff,
                H,
            ),
            route(
                "POST",
                format!("/roadmap/actions/{}", f.action),
                action_form,
                &planners,
                S,
            ),
            route(
                "POST",
                format!("/roadmap/actions/{}/indicators", f.action),
                vec![
                    ("title", "Trainings".into()),
                    ("frequency", "quarterly".into()),
                ],
                &planners,
                S,
            ),
            route(
                "POST",
                format!("/roadmap/indicators/{}", f.indicator),
                vec![
                    ("title", "Law adopted".into()),
                    ("frequency", "yearly".into()),
                    ("version", "1".into()),
                ],
                &planners,
                S,
            ),
            route(
                "POST",
                format!("/roadmap/actions/{}/reports", f.action),
                vec![("due_date", "2026-01-01".into())],
                &vec![FocalPoint],
                S,
            ),
            route(
                "GET",
                format!("/roadmap/reports/{}", f.report),
                vec![],
                &staff,
                H,
            ),
            route(
                "POST",
                format!("/roadmap/reports/{}", f.report),
                vec![("narrative", "Edited".into()), ("version", "2".into())],
                &vec![FocalPoint],
                S,
            ),
            route(
                "POST",
                format!("/roadmap/reports/{}/links", f.report),
                vec![
                    ("title", "Press".into()),
                    ("url", "https://example.org/p".into()),
                ],
                &vec![FocalPoint],
                S,
            ),
            route(
                "POST",
                format!("/roadmap/reports/{}/transition", f.report),
                vec![("to", "validated".into()), ("version", "1".into())],
                &planners,
                S,
            ),
            route(
                "GET",
                format!("/roadmap/evidence/{}", f.evidence),
                vec![],
                &staff,
                H,
            ),
            route(
                "POST",
                format!("/roadmap/evidence/{}/archive", f.evidence),
                vec![],
                &vec![FocalPoint],
                S,
            ),
            route(
                "POST",
                format!("/recommendations/{UID}/assessments"),
                vec![
                    ("period", "2027".into()),
                    ("level", "not_started".into()),
                    ("status", "draft".into()),
                ],
                &vec![Admin, Coordinator, Reviewer],
                S,
            ),
            route(
                "POST",
                format!("/roadmap/assessments/{}", f.assessment),
                vec![
                    ("period", "2025".into()),
                    ("level", "in_progress".into()),
                    ("status", "draft".into()),
                    ("version", "1".into()),
                ],
                &planners,
                S,
            ),
            route("GET", "/roadmap/calendar".into(), vec![], &staff, S),
            route("GET", "/inbox".into(), vec![], &signed_in, S),
            route(
                "POST",
                format!("/inbox/{}/read", f.message),
                vec![],
                &signed_in,
                S,
            ),
        ];
        // Every page path is walked, but /logout (it ends the session; its own test covers
        // it) and the evidence upload (multipart; the upload tests cover it).
        for path in hrtrack_web::roadmap_page_paths() {
            if path == "/logout" || path.ends_with("/evidence") {
                continue;
            }
            let covered = table.iter().any(|r| same_shape(&r.uri, path));
            assert!(covered, "page path {path} is not in the matrix");
        }
        let mut browsers = Vec::new();
        for who in [Admin, Coordinator, FocalPoint, OtherFocalPoint, Reviewer] {
            browsers.push((who, browser(app, &format!("{who:?}").to_lowercase()).await));
        }
        for route in &table {
            let refused: Vec<Who> = EVERYONE
                .iter()
                .copied()
                .filter(|w| !route.allowed.contains(w))
                .collect();
            let order = refused.into_iter().chain(route.allowed.iter().copied());
            for who in order {
                let what = format!("{who:?} {} {}", route.method, route.uri);
                let answer = match browsers.iter().find(|(w, _)| *w == who) {
                    Some((_, b)) => {
                        let body = form_body(&route.form, Some(&b.csrf));
                        let mut headers = vec![("cookie", b.cookie.as_str())];
                        if route.method == "POST" {
                            headers.push(("content-type", "application/x-www-form-urlencoded"));
                        }
                        app.send(
                            route.method,
                            &route.uri,
                            &headers,
                            if route.method == "POST" {
                                body
                            } else {
                                Vec::new()
                            },
                        )
                        .await
                    }
                    None => {
                        let body = form_body(&route.form, None);
                        let headers = [("content-type", "application/x-www-form-urlencoded")];
                        app.send(
                            route.method,
                            &route.uri,
                            &headers,
                            if route.method == "POST" {
                                body
                            } else {
                                Vec::new()
                            },
                        )
                        .await
                    }
                };
                let location = answer
                    .headers
                    .get("location")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_owned();
                let signed_out =
                    answer.status == StatusCode::SEE_OTHER && location.starts_with("/login");
                let refused = matches!(
                    answer.status,
                    StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN
                ) || signed_out;
                assert_ne!(
                    answer.status,
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "{what}: {}",
                    answer.text()
                );
                if who == Who::Public {
                    match route.public {
                        PublicAnswer::Allowed => {
                            assert!(!refused, "{what}: {} {location}", answer.status)
                        }
                        PublicAnswer::SignIn => {
                            assert!(signed_out, "{what}: {} {location}", answer.status)
                        }
                        PublicAnswer::Hidden => assert!(
                            answer.status == StatusCode::NOT_FOUND || signed_out,
                            "{what}: {} {location}",
                            answer.status
                        ),
                    }
                } else if route.allowed.contains(&who) {
                    assert!(
                        !refused,
                        "{what} should be allowed: {} {location} {}",
                        answer.status,
                        answer.text().chars().take(300).collect::<String>()
                    );
                } else if matches!(route.public, PublicAnswer::Hidden) {
                    // A draft the caller may not read: refused, or not told to exist.
                    assert!(
                        matches!(answer.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
                        "{what} should be refused: {}",
                        answer.status
                    );
                } else {
                    assert_eq!(
                        answer.status,
                        StatusCode::FORBIDDEN,
                        "{what} should be refused: {location}"
                    );
                }
            }
        }
    })
    .await;
}

#[tokio::test]
async fn a_sign_in_posted_from_another_site_is_refused() {
    each_backend(async |app| {
        fixture(app).await;
        let body = crate::support::form_encode(&[("name", "coordinator"), ("password", PASSWORD)])
            .into_bytes();
        let post = |origin: &'static str| {
            let body = body.clone();
            async move {
                let headers = [
                    ("content-type", "application/x-www-form-urlencoded"),
                    ("host", "hr.gov.example"),
                    ("origin", origin),
                ];
                app.send("POST", "/login", &headers, body).await
            }
        };
        let foreign = post("https://evil.example").await;
        assert_eq!(foreign.status, StatusCode::FORBIDDEN);
        assert!(
            foreign.headers.get("set-cookie").is_none(),
            "no session for a foreign post"
        );
        let own = post("https://hr.gov.example").await;
        assert_eq!(own.status, StatusCode::SEE_OTHER);
        assert!(own.header("set-cookie").starts_with("hrtrack_session="));
    })
    .await;
}

#[tokio::test]
async fn the_dashboard_lists_a_page_of_due_reports_and_links_the_rest() {
    each_backend(async |app| {
        let f = fixture(app).await;
        let monthly = json!({"title": "Trainings held", "frequency": "monthly"});
        let answer = call(
            app,
            Who::Coordinator,
            "POST",
            &format!("/api/v1/actions/{}/indicators", f.action),
            Some(monthly),
        )
        .await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text());
        let b = browser(app, "coordinator").await;
        let page = app
            .send(
                "GET",
                &format!("/roadmap/institutions/{}", f.institution),
                &[("cookie", b.cookie.as_str())],
                Vec::new(),
            )
            .await;
        assert_eq!(page.status, StatusCode::OK);
        let html = page.text();
        let calendar_link = format!("/roadmap/calendar?institution={}", f.institution);
        assert!(html.contains(&calendar_link), "no link to the rest");
        // 36 monthly due dates from 2024-02-01, less the one report started: the first 25 are
        // listed, the others counted.
        let listed = html.matches("/roadmap/actions/").count();
        assert!(listed <= 25 + 2, "{listed} links to the action");
        assert!(html.contains("more: see the calendar"), "{html}");
    })
    .await;
}

/// A text file of `lines` numbered lines (every part differs from the others).
fn numbered_text(lines: usize) -> Vec<u8> {
    let mut text = Vec::new();
    for n in 0..lines {
        text.extend_from_slice(format!("line {n:08} of the evidence file\n").as_bytes());
    }
    text
}

#[tokio::test]
async fn evidence_downloads_stream_in_parts_byte_for_byte() {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    each_backend(async |app| {
        let f = fixture(app).await;
        // About 750 KiB: three parts of 256 KiB.
        let content = numbered_text(24_000);
        assert!(content.len() > 2 * 256 * 1024);
        let uploaded = upload(app, f.report, "log.txt", &content, false).await;
        assert_eq!(uploaded.status, StatusCode::CREATED, "{}", uploaded.text());
        let id = id_of(&uploaded.json());
        for uri in [
            format!("/api/v1/evidence/{id}"),
            format!("/roadmap/evidence/{id}"),
        ] {
            let token = format!("Bearer {}", Who::FocalPoint.token().unwrap_or_default());
            let request = axum::http::Request::builder()
                .uri(&uri)
                .header("authorization", token)
                .body(axum::body::Body::empty())
                .unwrap_or_else(|e| panic!("{e}"));
            let response = app
                .router
                .clone()
                .oneshot(request)
                .await
                .unwrap_or_else(|e| match e {});
            assert_eq!(response.status(), StatusCode::OK, "{uri}");
            let headers = response.headers().clone();
            assert_eq!(
                headers.get("content-length").and_then(|v| v.to_str().ok()),
                Some(content.len().to_string().as_str()),
                "{uri}"
            );
            assert!(
                headers
                    .get("content-disposition")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .starts_with("attachment"),
                "{uri}"
            );
            assert_eq!(
                headers.get("cache-control").and_then(|v| v.to_str().ok()),
                Some("private, no-store"),
                "{uri}"
            );
            let mut body = response.into_body();
            let mut frames = 0;
            let mut read = Vec::new();
            while let Some(frame) = body.frame().await {
                let frame = frame.unwrap_or_else(|e| panic!("{uri}: {e}"));
                if let Some(data) = frame.data_ref() {
                    assert!(
                        data.len() <= 256 * 1024,
                        "{uri}: a part of {} bytes",
                        data.len()
                    );
                    frames += 1;
                    read.extend_from_slice(data);
                }
            }
            assert!(frames >= 3, "{uri}: {frames} part(s)");
            assert!(
                read == content,
                "{uri}: the download differs from the upload"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn uploads_wait_for_a_parsing_slot_then_get_503_with_retry_after() {
    each_backend(async |app| {
        let f = fixture(app).await;
        let busy = TestApp {
            router: hrtrack_web::router(
                app.state
                    .clone()
                    .with_parse_slots(0, std::time::Duration::from_millis(50)),
            ),
            store: app.store.clone(),
            state: app.state.clone(),
        };
        let answer = upload(&busy, f.report, "decree.pdf", PDF, true).await;
        assert_error(
            &answer,
            StatusCode::SERVICE_UNAVAILABLE,
            "busy",
            "no parsing slot",
        );
        assert!(answer.header("retry-after").parse::<u64>().is_ok());
        assert!(answer.text().contains("decree.pdf"), "{}", answer.text());
        // Nothing was stored; with a slot the same upload goes through.
        let report = call(
            app,
            Who::FocalPoint,
            "GET",
            &format!("/api/v1/reports/{}", f.report),
            None,
        )
        .await;
        assert!(!report.text().contains("decree.pdf"), "{}", report.text());
        let stored = upload(app, f.report, "decree.pdf", PDF, true).await;
        assert_eq!(stored.status, StatusCode::CREATED, "{}", stored.text());
    })
    .await;
}
