//! The Roadmap's pages, driven as a browser would: sign in through `POST /login`, read the
//! CSRF token from a page, post forms, follow the 303s. Covers signing in and out, the
//! throttle, CSRF refusals, the whole report walk-through from planning to the public
//! recommendation page, a disguised upload, a focal point of another institution, and two
//! coordinators editing the same action.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use hrtrack_access::password::hash_password;
use hrtrack_db::RecommendationFilter;
use hrtrack_db::roadmap::{Actor, NewUser};
use hrtrack_domain::Role;
use http_body_util::BodyExt;
use tower::ServiceExt;

use crate::support::{Answer, TestApp, each_backend, form_encode};

pub(crate) const PASSWORD: &str = "a long test password 42";

pub(crate) async fn send(
    app: &TestApp,
    method: &str,
    uri: &str,
    cookie: Option<&str>,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> Answer {
    let mut builder = Request::builder().method(method).uri(uri);
    if let Some(cookie) = cookie {
        builder = builder.header("cookie", cookie);
    }
    if let Some(content_type) = content_type {
        builder = builder.header("content-type", content_type);
    }
    let request = builder.body(Body::from(body)).expect("request");
    let response = app
        .router
        .clone()
        .oneshot(request)
        .await
        .unwrap_or_else(|e| match e {});
    let status = response.status();
    let headers = response.headers().clone();
    let body = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    Answer {
        status,
        headers,
        body,
    }
}

pub(crate) async fn get(app: &TestApp, uri: &str, cookie: Option<&str>) -> Answer {
    send(app, "GET", uri, cookie, None, Vec::new()).await
}

pub(crate) async fn post(
    app: &TestApp,
    uri: &str,
    cookie: Option<&str>,
    pairs: &[(&str, &str)],
) -> Answer {
    send(
        app,
        "POST",
        uri,
        cookie,
        Some("application/x-www-form-urlencoded"),
        form_encode(pairs).into_bytes(),
    )
    .await
}

/// A multipart upload of one evidence file.
async fn upload(
    app: &TestApp,
    uri: &str,
    (cookie, csrf): (&str, &str),
    title: &str,
    file_name: &str,
    content: &[u8],
    public: bool,
) -> Answer {
    let boundary = "XBOUNDARYx42";
    let mut body = Vec::new();
    let mut text = |name: &str, value: &str| {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    };
    text("csrf", csrf);
    text("title", title);
    if public {
        text("public", "1");
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/pdf\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(content);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    send(
        app,
        "POST",
        uri,
        Some(cookie),
        Some(&format!("multipart/form-data; boundary={boundary}")),
        body,
    )
    .await
}

/// The value of the first `name="NAME" value="…"` on the page.
pub(crate) fn field_value(html: &str, name: &str) -> String {
    let needle = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&needle)
        .unwrap_or_else(|| panic!("no field {name} in {html}"))
        + needle.len();
    html[start..].split('"').next().unwrap_or("").to_owned()
}

pub(crate) fn location(answer: &Answer) -> String {
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.text());
    answer.header("location").to_owned()
}

/// The number at the end of a redirect's location.
pub(crate) fn id_of(answer: &Answer) -> i64 {
    let location = location(answer);
    location
        .rsplit('/')
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no id in {location}"))
}

pub(crate) async fn make_user(app: &TestApp, name: &str, role: Role, institutions: Vec<i64>) {
    app.store
        .create_user(
            &Actor::system("test"),
            NewUser {
                name: name.to_owned(),
                display_name: format!("{name} display"),
                email: String::new(),
                role,
                institutions,
                password_hash: hash_password(PASSWORD).expect("hash"),
            },
        )
        .await
        .expect("user");
}

/// Signs in; returns the cookie and the CSRF token.
pub(crate) async fn sign_in(app: &TestApp, name: &str) -> (String, String) {
    let answer = post(
        app,
        "/login",
        None,
        &[("name", name), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.text());
    let cookie = answer
        .header("set-cookie")
        .split(';')
        .next()
        .unwrap_or("")
        .to_owned();
    let account = get(app, "/account", Some(&cookie)).await;
    assert_eq!(account.status, StatusCode::OK, "{}", account.text());
    let csrf = field_value(&account.text(), "csrf");
    (cookie, csrf)
}

#[tokio::test]
async fn login_logout_throttle_and_csrf() {
    each_backend(async |app: &TestApp| {
        make_user(app, "coord", Role::Coordinator, vec![]).await;
        // Staff pages send the anonymous to the sign-in page.
        let answer = get(app, "/roadmap/calendar", None).await;
        assert_eq!(location(&answer), "/login?next=%2Froadmap%2Fcalendar");
        // A foreign `next` is not followed.
        let answer = post(
            app,
            "/login",
            None,
            &[
                ("name", "coord"),
                ("password", PASSWORD),
                ("next", "//evil.example"),
            ],
        )
        .await;
        assert_eq!(location(&answer), "/roadmap");
        let (cookie, csrf) = sign_in(app, "coord").await;
        // CSRF: missing and wrong tokens are refused, nothing written.
        let before = app.store.roadmaps(true).await.expect("roadmaps").len();
        let answer = post(app, "/roadmap", Some(&cookie), &[("title", "No token")]).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{}", answer.text());
        let answer = post(
            app,
            "/roadmap",
            Some(&cookie),
            &[("csrf", "wrong"), ("title", "Wrong token")],
        )
        .await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{}", answer.text());
        assert_eq!(
            app.store.roadmaps(true).await.expect("roadmaps").len(),
            before
        );
        // Logout ends the session.
        let answer = post(app, "/logout", Some(&cookie), &[("csrf", &csrf)]).await;
        assert_eq!(location(&answer), "/");
        let answer = get(app, "/account", Some(&cookie)).await;
        assert!(location(&answer).starts_with("/login?next="));
        // Wrong passwords: 401 with a generic message, then 429 after five.
        for _ in 0..5 {
            let answer = post(
                app,
                "/login",
                None,
                &[("name", "coord"), ("password", "wrong one!!")],
            )
            .await;
            assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{}", answer.text());
            assert!(answer.text().contains("Wrong name or password"));
        }
        let answer = post(
            app,
            "/login",
            None,
            &[("name", "coord"), ("password", PASSWORD)],
        )
        .await;
        assert_eq!(
            answer.status,
            StatusCode::TOO_MANY_REQUESTS,
            "{}",
            answer.text()
        );
    })
    .await;
}

const MINIMAL_PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n\
2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

#[tokio::test]
async fn report_walk_through() {
    each_backend(async |app: &TestApp| {
        let filter = RecommendationFilter {
            state: Some("SVN".to_owned()),
            ..RecommendationFilter::default()
        };
        let uid = app
            .store
            .list(&filter, Some(1), 0)
            .await
            .expect("list")
            .pop()
            .expect("a recommendation")
            .uid;
        make_user(app, "admin", Role::Administrator, vec![]).await;
        make_user(app, "coord", Role::Coordinator, vec![]).await;
        make_user(app, "coord2", Role::Coordinator, vec![]).await;
        let (coord, c_csrf) = sign_in(app, "coord").await;
        // Institutions.
        let answer = post(
            app,
            "/roadmap/institutions",
            Some(&coord),
            &[
                ("csrf", &c_csrf),
                ("code", "MOJ"),
                ("name", "Ministry of Justice"),
                ("kind", "ministry"),
            ],
        )
        .await;
        let moj = id_of(&answer);
        let answer = post(
            app,
            "/roadmap/institutions",
            Some(&coord),
            &[
                ("csrf", &c_csrf),
                ("code", "MFA"),
                ("name", "Ministry of Foreign Affairs"),
                ("kind", "ministry"),
            ],
        )
        .await;
        let mfa = id_of(&answer);
        make_user(app, "otherfp", Role::FocalPoint, vec![mfa]).await;
        // The administrator makes the focal point.
        let (admin, a_csrf) = sign_in(app, "admin").await;
        let moj_text = moj.to_string();
        let answer = post(
            app,
            "/admin/users",
            Some(&admin),
            &[
                ("csrf", &a_csrf),
                ("name", "fp"),
                ("display_name", "Focal Point"),
                ("email", "fp@example.org"),
                ("role", "focal_point"),
                ("institutions", &moj_text),
                ("password", PASSWORD),
            ],
        )
        .await;
        location(&answer);
        // Roadmap, cluster, action, indicator.
        let answer = post(
            app,
            "/roadmap",
            Some(&coord),
            &[
                ("csrf", &c_csrf),
                ("title", "National roadmap"),
                ("description", "Plan"),
            ],
        )
        .await;
        let roadmap = id_of(&answer);
        let answer = post(
            app,
            &format!("/roadmap/{roadmap}/clusters"),
            Some(&coord),
            &[
                ("csrf", &c_csrf),
                ("title", "Justice cluster"),
                ("recommendations", &uid),
            ],
        )
        .await;
        let cluster = id_of(&answer);
        let cluster_text = cluster.to_string();
        let answer = post(
            app,
            &format!("/roadmap/{roadmap}/actions"),
            Some(&coord),
            &[
                ("csrf", &c_csrf),
                ("title", "Train the judges"),
                ("lead_institution_id", &moj_text),
                ("start_date", "2024-01-01"),
                ("end_date", "2026-12-31"),
                ("status", "in_progress"),
                ("clusters", &cluster_text),
            ],
        )
        .await;
        let action = id_of(&answer);
        let answer = post(
            app,
            &format!("/roadmap/actions/{action}/indicators"),
            Some(&coord),
            &[
                ("csrf", &c_csrf),
                ("title", "Judges trained"),
                ("frequency", "yearly"),
                ("target", "100"),
            ],
        )
        .await;
        location(&answer);
        // The focal point starts the report of the first due date.
        let (fp, f_csrf) = sign_in(app, "fp").await;
        let page = get(app, &format!("/roadmap/actions/{action}"), Some(&fp)).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text());
        let due = field_value(&page.text(), "due_date");
        // A focal point of another institution may not.
        let (other, o_csrf) = sign_in(app, "otherfp").await;
        let answer = post(
            app,
            &format!("/roadmap/actions/{action}/reports"),
            Some(&other),
            &[("csrf", &o_csrf), ("due_date", &due)],
        )
        .await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{}", answer.text());
        let answer = post(
            app,
            &format!("/roadmap/actions/{action}/reports"),
            Some(&fp),
            &[("csrf", &f_csrf), ("due_date", &due)],
        )
        .await;
        let report = id_of(&answer);
        let report_url = format!("/roadmap/reports/{report}");
        let version = |html: &str| field_value(html, "version");
        let page = get(app, &report_url, Some(&fp)).await;
        let answer = post(
            app,
            &report_url,
            Some(&fp),
            &[
                ("csrf", &f_csrf),
                ("version", &version(&page.text())),
                ("narrative", "Draft narrative XYZ"),
            ],
        )
        .await;
        location(&answer);
        // Evidence: a public PDF, an internal one, and a disguised page refused.
        let evidence_url = format!("{report_url}/evidence");
        let answer = upload(
            app,
            &evidence_url,
            (&fp, &f_csrf),
            "Public PDF evidence",
            "training.pdf",
            MINIMAL_PDF,
            true,
        )
        .await;
        location(&answer);
        let answer = upload(
            app,
            &evidence_url,
            (&fp, &f_csrf),
            "Internal memo evidence",
            "memo.pdf",
            MINIMAL_PDF,
            false,
        )
        .await;
        location(&answer);
        let answer = upload(
            app,
            &evidence_url,
            (&fp, &f_csrf),
            "Fake",
            "fake.pdf",
            b"<!DOCTYPE html><html><body>hi</body></html>",
            true,
        )
        .await;
        assert_eq!(
            answer.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            answer.text()
        );
        assert!(answer.text().contains("fake.pdf"), "{}", answer.text());
        // A file over the limit is refused with a message naming it.
        let mut big = MINIMAL_PDF.to_vec();
        big.resize(hrtrack_access::upload::MAX_EVIDENCE_BYTES + 1, b' ');
        let answer = upload(
            app,
            &evidence_url,
            (&fp, &f_csrf),
            "Big",
            "big.pdf",
            &big,
            true,
        )
        .await;
        assert_eq!(
            answer.status,
            StatusCode::PAYLOAD_TOO_LARGE,
            "{}",
            answer.text()
        );
        assert!(answer.text().contains("big.pdf"));
        // Far over the limit: the body limit stops reading, the answer still explains.
        big.resize(
            hrtrack_access::upload::MAX_EVIDENCE_BYTES + 3 * 1024 * 1024,
            b' ',
        );
        let answer = upload(
            app,
            &evidence_url,
            (&fp, &f_csrf),
            "Huge",
            "huge.pdf",
            &big,
            true,
        )
        .await;
        assert_eq!(
            answer.status,
            StatusCode::PAYLOAD_TOO_LARGE,
            "{}",
            answer.text()
        );
        assert!(
            answer.text().contains("at most 20 MiB"),
            "{}",
            answer.text()
        );
        // Submit; the coordinator returns it with a comment.
        let page = get(app, &report_url, Some(&fp)).await;
        let transition = format!("{report_url}/transition");
        let answer = post(
            app,
            &transition,
            Some(&fp),
            &[
                ("csrf", &f_csrf),
                ("to", "submitted"),
                ("version", &version(&page.text())),
            ],
        )
        .await;
        location(&answer);
        let page = get(app, &report_url, Some(&coord)).await;
        let answer = post(
            app,
            &transition,
            Some(&coord),
            &[
                ("csrf", &c_csrf),
                ("to", "returned"),
                ("version", &version(&page.text())),
                ("comment", "Add figures"),
            ],
        )
        .await;
        location(&answer);
        // The focal point edits and resubmits.
        let page = get(app, &report_url, Some(&fp)).await;
        assert!(page.text().contains("Add figures"));
        let answer = post(
            app,
            &report_url,
            Some(&fp),
            &[
                ("csrf", &f_csrf),
                ("version", &version(&page.text())),
                ("narrative", "Final narrative ABC"),
            ],
        )
        .await;
        location(&answer);
        let page = get(app, &report_url, Some(&fp)).await;
        let answer = post(
            app,
            &transition,
            Some(&fp),
            &[
                ("csrf", &f_csrf),
                ("to", "submitted"),
                ("version", &version(&page.text())),
            ],
        )
        .await;
        location(&answer);
        // The coordinator validates and publishes.
        for to in ["validated", "published"] {
            let page = get(app, &report_url, Some(&coord)).await;
            let answer = post(
                app,
                &transition,
                Some(&coord),
                &[
                    ("csrf", &c_csrf),
                    ("to", to),
                    ("version", &version(&page.text())),
                ],
            )
            .await;
            location(&answer);
        }
        // The public sees the published report and the public evidence only.
        let public = get(app, &format!("/recommendations/{uid}"), None).await;
        assert_eq!(public.status, StatusCode::OK);
        let text = public.text();
        assert!(text.contains("Train the judges"), "{text}");
        assert!(text.contains("Final narrative ABC"), "{text}");
        assert!(text.contains("Public PDF evidence"), "{text}");
        assert!(!text.contains("Internal memo evidence"), "{text}");
        assert!(!text.contains("Draft narrative XYZ"), "{text}");
        // Evidence downloads: the public one for everyone, the internal one not.
        let report_record = app.store.report(report).await.expect("report");
        for e in &report_record.evidence {
            let answer = get(app, &format!("/roadmap/evidence/{}", e.id), None).await;
            if e.public {
                assert_eq!(answer.status, StatusCode::OK);
                assert!(
                    answer
                        .header("content-disposition")
                        .starts_with("attachment")
                );
                assert_eq!(answer.header("content-type"), "application/pdf");
            } else {
                assert_eq!(answer.status, StatusCode::NOT_FOUND);
            }
        }
        // The audit log lists each step.
        let audit = get(app, "/admin/audit", Some(&admin)).await;
        assert_eq!(audit.status, StatusCode::OK);
        let text = audit.text();
        for what in [
            "institution",
            "user",
            "roadmap",
            "cluster",
            "action",
            "indicator",
            "progress_report",
            "evidence",
        ] {
            assert!(text.contains(what), "{what} missing from the audit page");
        }
        let audit = get(app, "/admin/audit?entity=progress_report", Some(&admin)).await;
        assert!(audit.text().contains("published"));
        // Every step of the report, in order, by whom.
        let filter = hrtrack_db::roadmap::AuditFilter {
            entity: Some("progress_report".into()),
            entity_id: Some(report.to_string()),
            limit: 100,
            ..Default::default()
        };
        let (entries, _) = app.store.audit_log(&filter).await.expect("audit log");
        let steps: Vec<(String, String)> = entries
            .iter()
            .rev()
            .filter(|e| e.action != "update")
            .map(|e| (e.action.clone(), e.user_name.clone()))
            .collect();
        let steps: Vec<(&str, &str)> = steps
            .iter()
            .map(|(a, u)| (a.as_str(), u.as_str()))
            .collect();
        assert_eq!(
            steps,
            [
                ("create", "fp"),
                ("submitted", "fp"),
                ("returned", "coord"),
                ("submitted", "fp"),
                ("validated", "coord"),
                ("published", "coord"),
            ],
            "{entries:?}"
        );
        let returned = entries
            .iter()
            .find(|e| e.action == "returned")
            .expect("returned");
        assert_eq!(returned.changes["status"]["old"], "submitted");
        assert_eq!(returned.changes["status"]["new"], "returned");
        assert!(returned.changes["comment"]["new"].is_string());
        // Two coordinators edit the action from the same version.
        let (coord2, c2_csrf) = sign_in(app, "coord2").await;
        let action_url = format!("/roadmap/actions/{action}");
        let page = get(app, &action_url, Some(&coord)).await;
        let html = page.text();
        let edit_start = html
            .find(&format!("action=\"{action_url}\""))
            .expect("edit form");
        let v = field_value(&html[edit_start..], "version");
        let edit = |title: &'static str, csrf: String| {
            vec![
                ("csrf".to_owned(), csrf),
                ("version".to_owned(), v.clone()),
                ("title".to_owned(), title.to_owned()),
                ("lead_institution_id".to_owned(), moj_text.clone()),
                ("start_date".to_owned(), "2024-01-01".to_owned()),
                ("end_date".to_owned(), "2026-12-31".to_owned()),
                ("status".to_owned(), "in_progress".to_owned()),
                ("published".to_owned(), "1".to_owned()),
            ]
        };
        let first = edit("Title by one", c_csrf.clone());
        let pairs: Vec<(&str, &str)> = first
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let answer = post(app, &action_url, Some(&coord), &pairs).await;
        location(&answer);
        let second = edit("Title by two typed", c2_csrf.clone());
        let pairs: Vec<(&str, &str)> = second
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let answer = post(app, &action_url, Some(&coord2), &pairs).await;
        assert_eq!(answer.status, StatusCode::CONFLICT, "{}", answer.text());
        let text = answer.text();
        assert!(text.contains("value=\"Title by one\""), "{text}");
        assert!(text.contains("Title by two typed"), "{text}");
    })
    .await;
}

#[tokio::test]
async fn assessments_account_calendar_and_escaping() {
    each_backend(async |app: &TestApp| {
        let filter = RecommendationFilter {
            state: Some("SVN".to_owned()),
            ..RecommendationFilter::default()
        };
        let uid = app
            .store
            .list(&filter, Some(1), 0)
            .await
            .expect("list")
            .pop()
            .expect("a recommendation")
            .uid;
        let page_url = format!("/recommendations/{uid}");
        // Warm the page cache: the Implementation section must not come from it.
        let before = get(app, &page_url, None).await;
        assert_eq!(before.status, StatusCode::OK);
        make_user(app, "coord", Role::Coordinator, vec![]).await;
        make_user(app, "nhri", Role::Reviewer, vec![]).await;
        let (coord, c_csrf) = sign_in(app, "coord").await;
        let (nhri, n_csrf) = sign_in(app, "nhri").await;
        let post_url = format!("{page_url}/assessments");
        let answer = post(
            app,
            &post_url,
            Some(&coord),
            &[
                ("csrf", &c_csrf),
                ("period", "2025"),
                ("level", "in_progress"),
                ("summary", "Gov published summary"),
                ("status", "published"),
            ],
        )
        .await;
        location(&answer);
        let answer = post(
            app,
            &post_url,
            Some(&nhri),
            &[
                ("csrf", &n_csrf),
                ("period", "20x"),
                ("level", "not_started"),
                ("summary", "Typed shadow text"),
            ],
        )
        .await;
        assert_eq!(
            answer.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            answer.text()
        );
        assert!(answer.text().contains("Typed shadow text"));
        let answer = post(
            app,
            &post_url,
            Some(&nhri),
            &[
                ("csrf", &n_csrf),
                ("period", "2025"),
                ("level", "not_started"),
                ("summary", "Shadow draft summary"),
                ("status", "draft"),
            ],
        )
        .await;
        location(&answer);
        let public = get(app, &page_url, None).await.text();
        assert!(public.contains("Gov published summary"), "{public}");
        assert!(!public.contains("Shadow draft summary"), "{public}");
        let own = get(app, &page_url, Some(&nhri)).await.text();
        assert!(own.contains("Shadow draft summary"), "{own}");
        // An API token's secret is shown once.
        let answer = post(
            app,
            "/account/tokens",
            Some(&coord),
            &[("csrf", &c_csrf), ("label", "ci")],
        )
        .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
        let text = answer.text();
        let start = text.find("hrt_").expect("the secret");
        let secret: String = text[start..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
            .collect();
        let account = get(app, "/account", Some(&coord)).await.text();
        assert!(account.contains("ci"));
        assert!(!account.contains(&secret));
        // Calendar and inbox.
        assert_eq!(
            get(app, "/roadmap/calendar", Some(&coord)).await.status,
            StatusCode::OK
        );
        assert_eq!(get(app, "/inbox", Some(&nhri)).await.status, StatusCode::OK);
        // A reviewer may not read the calendar.
        assert_eq!(
            get(app, "/roadmap/calendar", Some(&nhri)).await.status,
            StatusCode::FORBIDDEN
        );
        // Markup typed into a record is shown as text.
        let answer = post(
            app,
            "/roadmap/institutions",
            Some(&coord),
            &[
                ("csrf", &c_csrf),
                ("code", "XSS"),
                ("name", "<script>alert(1)</script>"),
                ("kind", "other"),
            ],
        )
        .await;
        location(&answer);
        let list = get(app, "/roadmap/institutions", Some(&coord)).await.text();
        assert!(list.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(!list.contains("<script>alert(1)"));
        // Signed-in pages in Russian and Turkmen.
        for lang in ["ru", "tk"] {
            let page = get(app, &format!("/roadmap?lang={lang}"), Some(&coord)).await;
            assert_eq!(page.status, StatusCode::OK);
            assert!(page.text().contains(&format!("<html lang=\"{lang}\">")));
        }
    })
    .await;
}
