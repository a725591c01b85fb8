//! Accounts nobody can lock out, tokens that die with the password: sign-ins from an
//! attacker's address do not hold back the real person's, parallel guesses get exactly the
//! free number of password checks, unknown and archived names cost a real check, a password
//! change or reset revokes the API tokens, an administrator unlocks a name and revokes a
//! user's tokens (page and API, audited), and blank passwords are refused.

use std::net::SocketAddr;

use axum::Router;
use axum::body::Body;
use axum::extract::connect_info::MockConnectInfo;
use axum::http::{Request, StatusCode};
use hrtrack_access::token::secret_digest;
use hrtrack_db::roadmap::{Actor, AuditFilter};
use hrtrack_domain::Role;
use http_body_util::BodyExt;
use tower::ServiceExt;

use crate::roadmap_pages::{PASSWORD, field_value, get, location, make_user, post, sign_in};
use crate::support::{Answer, TestApp, each_backend, form_encode};

/// The application as seen from a client at `peer`.
fn from(app: &TestApp, peer: &str) -> Router {
    let peer: SocketAddr = peer.parse().unwrap_or_else(|e| panic!("{peer}: {e}"));
    hrtrack_web::router(app.state.clone()).layer(MockConnectInfo(peer))
}

async fn send(router: &Router, request: Request<Body>) -> Answer {
    let response = router
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

/// `POST /login` through `router`, with extra `headers`.
async fn login(router: &Router, name: &str, password: &str, headers: &[(&str, &str)]) -> Answer {
    let mut builder = Request::builder()
        .method("POST")
        .uri("/login")
        .header("content-type", "application/x-www-form-urlencoded");
    for (header, value) in headers {
        builder = builder.header(*header, *value);
    }
    let body = form_encode(&[("name", name), ("password", password)]);
    send(router, builder.body(Body::from(body)).expect("request")).await
}

/// A request with a bearer token.
async fn bearer(app: &TestApp, method: &str, uri: &str, token: &str, json: Option<&str>) -> Answer {
    let mut builder = Request::builder()
        .method(method)
        .uri(uri)
        .header("authorization", format!("Bearer {token}"));
    if json.is_some() {
        builder = builder.header("content-type", "application/json");
    }
    let body = Body::from(json.unwrap_or("").to_owned());
    send(&app.router, builder.body(body).expect("request")).await
}

async fn user_id(app: &TestApp, name: &str) -> i64 {
    app.store
        .user_with_password(name)
        .await
        .expect("lookup")
        .unwrap_or_else(|| panic!("no user {name}"))
        .0
        .id
}

/// A live API token for `name`; returns its secret.
async fn token_for(app: &TestApp, name: &str, secret: &str) -> String {
    let id = user_id(app, name).await;
    app.store
        .create_api_token(&Actor::system("test"), id, secret, &secret_digest(secret))
        .await
        .expect("token");
    secret.to_owned()
}

async fn audited(app: &TestApp, user: i64, action: &str) -> usize {
    app.store
        .audit_log(&AuditFilter {
            entity: Some("user".into()),
            entity_id: Some(user.to_string()),
            action: Some(action.into()),
            limit: 10,
            ..AuditFilter::default()
        })
        .await
        .expect("audit")
        .0
        .len()
}

#[tokio::test]
async fn accounts_an_attacker_cannot_lock_out_the_administrator() {
    each_backend(async |app: &TestApp| {
        make_user(app, "admin", Role::Administrator, vec![]).await;
        let attacker = from(app, "198.51.100.66:40000");
        let office = from(app, "10.0.0.7:50000");
        for _ in 0..5 {
            let answer = login(&attacker, "admin", "wrong password!", &[]).await;
            assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{}", answer.text());
        }
        // The attacker's address now waits, even with the right password...
        let answer = login(&attacker, "admin", PASSWORD, &[]).await;
        assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(answer.header("retry-after"), "1");
        // ...but the administrator, from their own address, signs in.
        let answer = login(&office, "admin", PASSWORD, &[]).await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.text());
        let cookie = answer
            .header("set-cookie")
            .split(';')
            .next()
            .unwrap_or("")
            .to_owned();
        // The user's page shows the counted address and clears it (audited).
        let id = user_id(app, "admin").await;
        let page = get(app, &format!("/admin/users/{id}"), Some(&cookie)).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text());
        let html = page.text();
        assert!(html.contains("198.51.100.66"), "{html}");
        assert!(
            html.contains(&format!("/admin/users/{id}/unlock")),
            "{html}"
        );
        let csrf = field_value(&html, "csrf");
        let answer = post(
            app,
            &format!("/admin/users/{id}/unlock"),
            Some(&cookie),
            &[("csrf", &csrf)],
        )
        .await;
        assert_eq!(location(&answer), format!("/admin/users/{id}"));
        assert_eq!(audited(app, id, "unlock").await, 1);
        let answer = login(&attacker, "admin", PASSWORD, &[]).await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.text());
    })
    .await;
}

#[tokio::test]
async fn accounts_parallel_wrong_guesses_get_exactly_five_checks() {
    each_backend(async |app: &TestApp| {
        make_user(app, "admin", Role::Administrator, vec![]).await;
        let attacker = from(app, "198.51.100.66:40000");
        let guesses: Vec<_> = (0..60)
            .map(|i| {
                let attacker = attacker.clone();
                tokio::spawn(async move {
                    login(&attacker, "admin", &format!("guess number {i}"), &[])
                        .await
                        .status
                })
            })
            .collect();
        let mut checked = 0;
        for guess in guesses {
            match guess.await.expect("task") {
                StatusCode::UNAUTHORIZED => checked += 1,
                StatusCode::TOO_MANY_REQUESTS => {}
                other => panic!("a guess answered {other}"),
            }
        }
        assert_eq!(checked, 5, "real password checks (each answered 401)");
    })
    .await;
}

#[tokio::test]
async fn accounts_unknown_and_archived_names_cost_a_real_check() {
    each_backend(async |app: &TestApp| {
        make_user(app, "gone", Role::Coordinator, vec![]).await;
        let id = user_id(app, "gone").await;
        let user = app.store.user(id).await.expect("user");
        app.store
            .update_user(
                &Actor::system("test"),
                id,
                user.version,
                hrtrack_db::roadmap::UserUpdate {
                    display_name: user.display_name.clone(),
                    email: String::new(),
                    role: user.role,
                    institutions: vec![],
                    archived: true,
                },
            )
            .await
            .expect("archive");
        let client = from(app, "192.0.2.10:1000");
        let pool = app.state.passwords();
        for name in ["gone", "nobody.here"] {
            let before = pool.verifications();
            let answer = login(&client, name, PASSWORD, &[]).await;
            assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{name}");
            assert_eq!(
                pool.verifications(),
                before + 1,
                "{name}: a password check must run"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn accounts_forwarded_for_names_the_client_only_behind_a_trusted_proxy() {
    each_backend(async |app: &TestApp| {
        make_user(app, "admin", Role::Administrator, vec![]).await;
        let proxy = "127.0.0.1:3000";
        // Not trusted: every forwarded address is the proxy's, and counts as one client.
        let untrusted = from(app, proxy);
        for i in 0..5 {
            let forwarded = format!("203.0.113.{i}");
            let answer = login(
                &untrusted,
                "admin",
                "wrong password!",
                &[("x-forwarded-for", &forwarded)],
            )
            .await;
            assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
        }
        let answer = login(
            &untrusted,
            "admin",
            PASSWORD,
            &[("x-forwarded-for", "203.0.113.200")],
        )
        .await;
        assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS);
        // Trusted: the forwarded address is the client.
        let trusted = hrtrack_web::router(app.state.clone().with_trusted_proxy(true))
            .layer(MockConnectInfo(proxy.parse::<SocketAddr>().expect("addr")));
        let answer = login(
            &trusted,
            "admin",
            PASSWORD,
            &[("x-forwarded-for", "203.0.113.200")],
        )
        .await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.text());
    })
    .await;
}

#[tokio::test]
async fn accounts_tokens_die_with_a_password_change_and_a_reset() {
    each_backend(async |app: &TestApp| {
        make_user(app, "admin", Role::Administrator, vec![]).await;
        make_user(app, "coord", Role::Coordinator, vec![]).await;
        // The user's own change.
        let token = token_for(app, "coord", "hrt_coord_one").await;
        assert_eq!(
            bearer(app, "GET", "/api/v1/me", &token, None).await.status,
            StatusCode::OK
        );
        let (cookie, csrf) = sign_in(app, "coord").await;
        let answer = post(
            app,
            "/account/password",
            Some(&cookie),
            &[
                ("csrf", &csrf),
                ("current", PASSWORD),
                ("new", "another long password 7"),
            ],
        )
        .await;
        assert_eq!(location(&answer), "/account");
        assert_eq!(
            bearer(app, "GET", "/api/v1/me", &token, None).await.status,
            StatusCode::UNAUTHORIZED,
            "a token must not outlive the password change"
        );
        // The administrator's reset.
        let token = token_for(app, "coord", "hrt_coord_two").await;
        let id = user_id(app, "coord").await;
        let (admin, admin_csrf) = sign_in(app, "admin").await;
        let answer = post(
            app,
            &format!("/admin/users/{id}/password"),
            Some(&admin),
            &[("csrf", &admin_csrf), ("password", "reset by the admin 1")],
        )
        .await;
        assert_eq!(location(&answer), format!("/admin/users/{id}"));
        assert_eq!(
            bearer(app, "GET", "/api/v1/me", &token, None).await.status,
            StatusCode::UNAUTHORIZED,
            "a token must not outlive the administrator's reset"
        );
    })
    .await;
}

#[tokio::test]
async fn accounts_an_administrator_revokes_a_users_tokens() {
    each_backend(async |app: &TestApp| {
        make_user(app, "admin", Role::Administrator, vec![]).await;
        make_user(app, "coord", Role::Coordinator, vec![]).await;
        let id = user_id(app, "coord").await;
        let admin_token = token_for(app, "admin", "hrt_admin").await;
        // Through the API.
        let token = token_for(app, "coord", "hrt_coord_api").await;
        let uri = format!("/api/v1/users/{id}/tokens/revoke");
        let refused = bearer(app, "POST", &uri, &token, None).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.text());
        let answer = bearer(app, "POST", &uri, &admin_token, None).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
        assert_eq!(answer.json()["revoked"], 1);
        assert_eq!(
            bearer(app, "GET", "/api/v1/me", &token, None).await.status,
            StatusCode::UNAUTHORIZED
        );
        // Through the user's page.
        let token = token_for(app, "coord", "hrt_coord_page").await;
        let (admin, csrf) = sign_in(app, "admin").await;
        let page = get(app, &format!("/admin/users/{id}"), Some(&admin)).await;
        assert!(
            page.text()
                .contains(&format!("/admin/users/{id}/tokens/revoke"))
        );
        let answer = post(
            app,
            &format!("/admin/users/{id}/tokens/revoke"),
            Some(&admin),
            &[("csrf", &csrf)],
        )
        .await;
        assert_eq!(location(&answer), format!("/admin/users/{id}"));
        assert_eq!(
            bearer(app, "GET", "/api/v1/me", &token, None).await.status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(audited(app, id, "revoke_tokens").await, 2);
        // Unlock through the API too.
        let answer = bearer(
            app,
            "POST",
            &format!("/api/v1/users/{id}/unlock"),
            &admin_token,
            None,
        )
        .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
        assert_eq!(audited(app, id, "unlock").await, 1);
    })
    .await;
}

#[tokio::test]
async fn accounts_blank_passwords_are_refused() {
    each_backend(async |app: &TestApp| {
        make_user(app, "admin", Role::Administrator, vec![]).await;
        let admin_token = token_for(app, "admin", "hrt_admin").await;
        let before = app.store.count_users().await.expect("count");
        let body = r#"{"name": "spaces", "display_name": "Spaces", "role": "reviewer", "password": "          "}"#;
        let answer = bearer(app, "POST", "/api/v1/users", &admin_token, Some(body)).await;
        assert_eq!(
            answer.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            answer.text()
        );
        assert!(answer.text().contains("blank"), "{}", answer.text());
        assert_eq!(app.store.count_users().await.expect("count"), before);
        // Nor as a new password on the account page.
        let (cookie, csrf) = sign_in(app, "admin").await;
        let answer = post(
            app,
            "/account/password",
            Some(&cookie),
            &[("csrf", &csrf), ("current", PASSWORD), ("new", "   \t      ")],
        )
        .await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(answer.text().contains("blank"), "{}", answer.text());
        sign_in(app, "admin").await;
    })
    .await;
}
