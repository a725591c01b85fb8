//! Signing in and out, the account page, the users' administration and the audit log.

use std::fmt::Write as _;

use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use hrtrack_access::password::check_new_password;
use hrtrack_db::roadmap::{AuditFilter, NewUser, UserUpdate};
use hrtrack_domain::Role;

use super::{
    Ctx, FormData, Handled, Retry, Who, code_options, field_checks, field_select, field_text,
    field_typed, hidden, invalid, retry_of, safe_next, see_other, submit, words,
};
use crate::AppState;
use crate::auth::{self, ClientAddr, SignInError};
use crate::error::{ApiError, ErrorCode};
use crate::html::{QueryString, escape, url_encode};
use crate::pages::PageRequest;
use crate::policy::{self, Permission};

/// Audit entries per page.
const AUDIT_PER_PAGE: i64 = 50;

fn login_body(ctx: &Ctx, name: &str, next: &str, message: Option<&str>) -> String {
    let mut body = format!("<h1>{}</h1>", ctx.t("rm.login"));
    if let Some(message) = message {
        let _ = write!(
            body,
            "<p class=\"notice error\" role=\"alert\">{}</p>",
            escape(message)
        );
    }
    let _ = write!(
        body,
        "<form method=\"post\" action=\"/login\" class=\"edit\">{}{}{}{}",
        hidden("next", next),
        field_text(&ctx.t("rm.user_name"), "name", name, true),
        field_typed(&ctx.t("rm.password"), "password", "password", ""),
        submit(&ctx.t("rm.login"))
    );
    body
}

/// `GET /login`.
pub(crate) async fn login_form(
    State(app): State<AppState>,
    req: PageRequest,
    who: Who,
) -> Response {
    let ctx = Ctx::new(app, req, who);
    let next = safe_next(ctx.req.query.get("next"));
    let body = login_body(&ctx, "", &next, None);
    ctx.finish(ctx.page(StatusCode::OK, ctx.lang().text("rm.login"), body))
}

/// `POST /login`: a session cookie and 303 to `next`; the form again (401) when refused, or
/// (429, with `Retry-After`) when this client must wait before trying this name again.
pub(crate) async fn login(
    State(app): State<AppState>,
    req: PageRequest,
    who: Who,
    client: ClientAddr,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let state = app.clone();
    let ctx = Ctx::new(app, req, who);
    if !auth::same_origin(&headers) {
        let refused = ApiError::forbidden("a sign-in must come from this site's own form");
        return ctx.finish(Err(refused));
    }
    let form = FormData(form);
    let next = safe_next(form.get("next"));
    let title = ctx.lang().text("rm.login").to_owned();
    match auth::sign_in(
        &state,
        &client,
        form.text("name"),
        form.text("password"),
        &headers,
    )
    .await
    {
        Ok((_, cookie)) => {
            let mut response = Redirect::to(&next).into_response();
            response.headers_mut().insert(header::SET_COOKIE, cookie);
            response
        }
        Err(SignInError::Rejected) => {
            let body = login_body(
                &ctx,
                form.text("name"),
                &next,
                Some(ctx.lang().text("rm.login_failed")),
            );
            ctx.finish(ctx.page(StatusCode::UNAUTHORIZED, &title, body))
        }
        Err(SignInError::Throttled { retry_after_secs }) => {
            let message = ctx.lang().format(
                "rm.login_throttled",
                &[("seconds", &retry_after_secs.to_string())],
            );
            let body = login_body(&ctx, form.text("name"), &next, Some(&message));
            let mut response = ctx.finish(ctx.page(StatusCode::TOO_MANY_REQUESTS, &title, body));
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, retry_after_secs.into());
            response
        }
        Err(error) => ctx.finish(Err(ApiError::from(error))),
    }
}

/// `POST /logout`.
pub(crate) async fn logout(
    State(app): State<AppState>,
    req: PageRequest,
    who: Who,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let ctx = Ctx::new(app, req, who);
    let form = FormData(form);
    let result = async {
        ctx.who.check_csrf(form.get("csrf"))?;
        auth::sign_out(ctx.store(), &ctx.who).await?;
        let mut response = Redirect::to("/").into_response();
        response
            .headers_mut()
            .insert(header::SET_COOKIE, auth::expired_session_cookie());
        Ok(response)
    }
    .await;
    ctx.finish(result)
}

async fn account_page(ctx: &Ctx, notice: Option<String>, status: StatusCode) -> Handled {
    let user = ctx.user()?;
    let names = ctx.institution_names().await?;
    let mut body = format!("<h1>{}</h1>", ctx.t("rm.account"));
    if let Some(notice) = notice {
        body.push_str(&notice);
    }
    let institutions = user
        .institutions
        .iter()
        .map(|id| {
            format!(
                "<a href=\"/roadmap/institutions/{id}\">{}</a>",
                escape(names.get(id).map_or("?", String::as_str))
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    let unread = ctx.store().unread_messages(user.id).await?;
    let _ = write!(
        body,
        "<dl class=\"facts\"><dt>{}</dt><dd>{} ({})</dd><dt>{}</dt><dd>{}</dd><dt>{}</dt><dd>{}</dd></dl>\
         <p><a href=\"/inbox\">{} ({unread})</a> · <a href=\"/roadmap\">{}</a> · <a href=\"/roadmap/calendar\">{}</a></p>",
        ctx.t("rm.user_name"),
        escape(&user.display_name),
        escape(&user.name),
        ctx.t("rm.role"),
        words(ctx.lang(), user.role.as_str()),
        ctx.t("rm.institutions"),
        institutions,
        ctx.t("rm.inbox"),
        ctx.t("nav.roadmap"),
        ctx.t("rm.calendar"),
    );
    if crate::policy::role_allows(user.role, crate::policy::Permission::SubmitSdgData) {
        let _ = write!(
            body,
            "<p><a href=\"/sdg/submissions\">{}</a> · <a href=\"/sdg/submit\">{}</a></p>",
            ctx.t("sdgc.submissions"),
            ctx.t("sdgc.submit_title"),
        );
    }
    let _ = write!(
        body,
        "{}{}",
        ctx.form("/logout"),
        submit(&ctx.t("rm.logout"))
    );
    let _ = write!(
        body,
        "<h2>{}</h2>{}{}{}{}",
        ctx.t("rm.change_password"),
        ctx.form("/account/password"),
        field_typed(&ctx.t("rm.current_password"), "password", "current", ""),
        field_typed(&ctx.t("rm.new_password"), "password", "new", ""),
        submit(&ctx.t("rm.save"))
    );
    let _ = write!(body, "<h2>{}</h2><ul>", ctx.t("rm.tokens"));
    for token in ctx.store().api_tokens(user.id).await? {
        let _ = write!(
            body,
            "<li>{} · {}",
            escape(&token.label),
            escape(&token.created_at)
        );
        match &token.revoked_at {
            Some(at) => {
                let _ = write!(body, " · {} {}", ctx.t("rm.revoked"), escape(at));
            }
            None => {
                let _ = write!(
                    body,
                    " {}{}",
                    ctx.form(&format!("/account/tokens/{}/revoke", token.id)),
                    submit(&ctx.t("rm.revoke"))
                );
            }
        }
        body.push_str("</li>");
    }
    let _ = write!(
        body,
        "</ul>{}{}{}",
        ctx.form("/account/tokens"),
        field_text(&ctx.t("rm.label"), "label", "", true),
        submit(&ctx.t("rm.create_token"))
    );
    ctx.page(status, ctx.lang().text("rm.account"), body)
}

/// `GET /account`.
pub(crate) async fn account(State(app): State<AppState>, req: PageRequest, who: Who) -> Response {
    let ctx = Ctx::new(app, req, who);
    ctx.finish(account_page(&ctx, None, StatusCode::OK).await)
}

/// `POST /account/password`: also ends the other sessions and revokes the API tokens.
pub(crate) async fn change_password(
    State(app): State<AppState>,
    req: PageRequest,
    who: Who,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let state = app.clone();
    let ctx = Ctx::new(app, req, who);
    let form = FormData(form);
    let result = async {
        ctx.who.check_csrf(form.get("csrf"))?;
        policy::require_user(&ctx.who)?;
        match auth::change_password(
            &state,
            &ctx.who,
            form.text("current"),
            form.text("new"),
            &headers,
        )
        .await
        {
            Ok(cookie) => {
                let mut response = Redirect::to("/account").into_response();
                if let Some(cookie) = cookie {
                    response.headers_mut().insert(header::SET_COOKIE, cookie);
                }
                Ok(response)
            }
            Err(error) if error.code == ErrorCode::InvalidInput => {
                let notice = format!(
                    "<p class=\"notice error\" role=\"alert\">{}</p>",
                    escape(&error.message)
                );
                account_page(&ctx, Some(notice), StatusCode::UNPROCESSABLE_ENTITY).await
            }
            Err(error) => Err(error),
        }
    }
    .await;
    ctx.finish(result)
}

/// `POST /account/tokens`: the secret is shown once, on this answer.
pub(crate) async fn create_token(
    State(app): State<AppState>,
    req: PageRequest,
    who: Who,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let ctx = Ctx::new(app, req, who);
    let form = FormData(form);
    let result = async {
        ctx.who.check_csrf(form.get("csrf"))?;
        policy::require_user(&ctx.who)?;
        let (_, secret) = auth::issue_api_token(ctx.store(), &ctx.who, form.text("label")).await?;
        let notice = format!(
            "<p class=\"notice\" role=\"status\">{}</p><p><code class=\"secret\">{}</code></p>",
            ctx.t("rm.token_once"),
            escape(&secret)
        );
        account_page(&ctx, Some(notice), StatusCode::OK).await
    }
    .await;
    ctx.finish(result)
}

/// `POST /account/tokens/{id}/revoke`.
pub(crate) async fn revoke_token(
    State(app): State<AppState>,
    req: PageRequest,
    who: Who,
    Path(id): Path<i64>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let ctx = Ctx::new(app, req, who);
    let form = FormData(form);
    let result = async {
        ctx.who.check_csrf(form.get("csrf"))?;
        let user = policy::require_user(&ctx.who)?;
        ctx.store()
            .revoke_api_token(&ctx.who.actor(), user.id, id)
            .await?;
        see_other("/account")
    }
    .await;
    ctx.finish(result)
}

// ---------------------------------------------------------------------------------------
// Users.

fn role_options(ctx: &Ctx) -> Vec<(String, String)> {
    code_options(
        ctx.lang(),
        &Role::ALL.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
    )
}

async fn institution_options(ctx: &Ctx) -> Result<Vec<(i64, String)>, ApiError> {
    let code = ctx.lang().code();
    Ok(ctx
        .store()
        .institutions(false)
        .await?
        .into_iter()
        .map(|i| (i.id, i.name_in(code).to_owned()))
        .collect())
}

async fn users_page(ctx: &Ctx, retry: Option<Retry<'_>>) -> Handled {
    policy::require(&ctx.who, Permission::ManageUsers)?;
    let names = ctx.institution_names().await?;
    let mut body = format!(
        "<h1>{}</h1><table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        ctx.t("rm.users"),
        ctx.t("rm.user_name"),
        ctx.t("rm.role"),
        ctx.t("rm.institutions"),
        ctx.t("rm.archived"),
    );
    for user in ctx.store().users().await? {
        let institutions: Vec<String> = user
            .institutions
            .iter()
            .map(|i| escape(names.get(i).map_or("?", String::as_str)))
            .collect();
        let _ = write!(
            body,
            "<tr><td><a href=\"/admin/users/{}\">{}</a> ({})</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            user.id,
            escape(&user.display_name),
            escape(&user.name),
            words(ctx.lang(), user.role.as_str()),
            institutions.join(", "),
            if user.archived { "✓" } else { "" }
        );
    }
    body.push_str("</tbody></table>");
    let empty = FormData::default();
    let typed = Retry::typed(&retry).unwrap_or(&empty);
    let _ = write!(
        body,
        "<h2>{}</h2>{}{}{}{}{}{}{}{}{}",
        ctx.t("rm.create_user"),
        ctx.retry_notice(&retry),
        ctx.form("/admin/users"),
        field_text(&ctx.t("rm.user_name"), "name", typed.text("name"), true),
        field_text(
            &ctx.t("rm.display_name"),
            "display_name",
            typed.text("display_name"),
            true
        ),
        field_typed(&ctx.t("rm.email"), "email", "email", typed.text("email")),
        field_select(
            &ctx.t("rm.role"),
            "role",
            &role_options(ctx),
            typed.text("role")
        ),
        field_checks(
            &ctx.t("rm.institutions"),
            "institutions",
            &institution_options(ctx).await?,
            &typed.ids("institutions")
        ),
        field_typed(&ctx.t("rm.initial_password"), "password", "password", ""),
        submit(&ctx.t("rm.create"))
    );
    ctx.page(Retry::status(&retry), ctx.lang().text("rm.users"), body)
}

/// `GET /admin/users`.
pub(crate) async fn users(State(app): State<AppState>, req: PageRequest, who: Who) -> Response {
    let ctx = Ctx::new(app, req, who);
    ctx.finish(users_page(&ctx, None).await)
}

/// A new password checked and hashed (off the runtime's threads).
async fn password_hash(state: &AppState, password: &str, name: &str) -> Result<String, ApiError> {
    check_new_password(password, name).map_err(|e| invalid(e.to_string()))?;
    auth::hash_new_password(state, password).await
}

fn role_of(form: &FormData) -> Result<Role, ApiError> {
    Role::parse(form.text("role")).map_err(|e| invalid(e.to_string()))
}

/// `POST /admin/users`.
pub(crate) async fn create_user(
    State(app): State<AppState>,
    req: PageRequest,
    who: Who,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let state = app.clone();
    let ctx = Ctx::new(app, req, who);
    let form = FormData(form);
    let result = async {
        ctx.who.check_csrf(form.get("csrf"))?;
        policy::require(&ctx.who, Permission::ManageUsers)?;
        let written = async {
            let new = NewUser {
                name: form.text("name").trim().to_owned(),
                display_name: form.text("display_name").to_owned(),
                email: form.text("email").to_owned(),
                role: role_of(&form)?,
                institutions: form.ids("institutions"),
                password_hash: password_hash(
                    &state,
                    form.text("password"),
                    form.text("name").trim(),
                )
                .await?,
            };
            Ok::<_, ApiError>(ctx.store().create_user(&ctx.who.actor(), new).await?)
        }
        .await;
        match written {
            Ok(user) => see_other(&format!("/admin/users/{}", user.id)),
            Err(error) => match retry_of(&error, &form) {
                Some(retry) => users_page(&ctx, Some(retry)).await,
                None => Err(error),
            },
        }
    }
    .await;
    ctx.finish(result)
}

/// An account's values as its form shows them.
fn user_values(user: &hrtrack_db::roadmap::User) -> FormData {
    let mut current = FormData::default();
    current.set("display_name", user.display_name.clone());
    current.set("email", user.email.clone());
    current.set("role", user.role.as_str());
    for i in &user.institutions {
        current.set("institutions", i.to_string());
    }
    if user.archived {
        current.set("archived", "1");
    }
    current
}

async fn user_edit_page(ctx: &Ctx, id: i64, retry: Option<Retry<'_>>) -> Handled {
    policy::require(&ctx.who, Permission::ManageUsers)?;
    let user = ctx.store().user(id).await?;
    let current = user_values(&user);
    let values = Retry::typed(&retry).unwrap_or(&current);
    let mut body = format!(
        "<h1>{} ({})</h1><p><a href=\"/admin/users\">{}</a> · <a href=\"/admin/audit?entity=user&amp;entity_id={id}\">{}</a></p>{}",
        escape(&user.display_name),
        escape(&user.name),
        ctx.t("rm.users"),
        ctx.t("rm.audit"),
        ctx.retry_notice(&retry)
    );
    let _ = write!(
        body,
        "{}{}{}{}{}{}{}{}",
        ctx.form(&format!("/admin/users/{id}")),
        hidden("version", &user.version.to_string()),
        field_text(
            &ctx.t("rm.display_name"),
            "display_name",
            values.text("display_name"),
            true
        ),
        field_typed(&ctx.t("rm.email"), "email", "email", values.text("email")),
        field_select(
            &ctx.t("rm.role"),
            "role",
            &role_options(ctx),
            values.text("role")
        ),
        field_checks(
            &ctx.t("rm.institutions"),
            "institutions",
            &institution_options(ctx).await?,
            &values.ids("institutions")
        ),
        super::field_check(
            &ctx.t("rm.archived"),
            "archived",
            values.checked("archived")
        ),
        submit(&ctx.t("rm.save"))
    );
    let _ = write!(
        body,
        "<h2>{}</h2>{}{}{}",
        ctx.t("rm.reset_password"),
        ctx.form(&format!("/admin/users/{id}/password")),
        field_typed(&ctx.t("rm.new_password"), "password", "password", ""),
        submit(&ctx.t("rm.save"))
    );
    body.push_str(&access_sections(ctx, &user).await?);
    ctx.page(Retry::status(&retry), &user.display_name, body)
}

/// The administrator's view of a user's sign-in throttle (each client being counted, with a
/// button that clears them) and live API tokens (with a button that revokes them all).
async fn access_sections(ctx: &Ctx, user: &hrtrack_db::roadmap::User) -> Result<String, ApiError> {
    let id = user.id;
    let counts = ctx.store().login_throttles(&user.name).await?;
    let mut html = format!("<h2>{}</h2>", ctx.t("rm.sign_in_throttle"));
    if counts.is_empty() {
        let _ = write!(html, "<p>{}</p>", ctx.t("rm.throttle_none"));
    } else {
        html.push_str("<ul>");
        for count in &counts {
            let client = if count.client.is_empty() {
                "?"
            } else {
                &count.client
            };
            let _ = write!(
                html,
                "<li>{}</li>",
                escape(&ctx.lang().format(
                    "rm.throttle_client",
                    &[
                        ("client", client),
                        ("failures", &count.failures.to_string())
                    ],
                ))
            );
        }
        let _ = write!(
            html,
            "</ul>{}{}",
            ctx.form(&format!("/admin/users/{id}/unlock")),
            submit(&ctx.t("rm.unlock"))
        );
    }
    let live = ctx
        .store()
        .api_tokens(id)
        .await?
        .iter()
        .filter(|t| t.revoked_at.is_none())
        .count();
    let _ = write!(
        html,
        "<h2>{}</h2><p>{}</p>",
        ctx.t("rm.tokens"),
        escape(
            &ctx.lang()
                .format("rm.live_tokens", &[("count", &live.to_string())])
        )
    );
    if live > 0 {
        let _ = write!(
            html,
            "{}{}",
            ctx.form(&format!("/admin/users/{id}/tokens/revoke")),
            submit(&ctx.t("rm.revoke_all_tokens"))
        );
    }
    Ok(html)
}

/// `POST /admin/users/{id}/unlock`: clears the user's sign-in throttle for every client
/// (audited).
pub(crate) async fn unlock_user(
    State(app): State<AppState>,
    req: PageRequest,
    who: Who,
    Path(id): Path<i64>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let ctx = Ctx::new(app, req, who);
    let form = FormData(form);
    let result = async {
        ctx.who.check_csrf(form.get("csrf"))?;
        policy::require(&ctx.who, Permission::ManageUsers)?;
        ctx.store().unlock_login(&ctx.who.actor(), id).await?;
        see_other(&format!("/admin/users/{id}"))
    }
    .await;
    ctx.finish(result)
}

/// `POST /admin/users/{id}/tokens/revoke`: revokes every live API token of the user
/// (audited).
pub(crate) async fn revoke_user_tokens(
    State(app): State<AppState>,
    req: PageRequest,
    who: Who,
    Path(id): Path<i64>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let ctx = Ctx::new(app, req, who);
    let form = FormData(form);
    let result = async {
        ctx.who.check_csrf(form.get("csrf"))?;
        policy::require(&ctx.who, Permission::ManageUsers)?;
        ctx.store()
            .revoke_user_api_tokens(&ctx.who.actor(), id)
            .await?;
        see_other(&format!("/admin/users/{id}"))
    }
    .await;
    ctx.finish(result)
}

/// `GET /admin/users/{id}`.
pub(crate) async fn user_page(
    State(app): State<AppState>,
    req: PageRequest,
    who: Who,
    Path(id): Path<i64>,
) -> Response {
    let ctx = Ctx::new(app, req, who);
    ctx.finish(user_edit_page(&ctx, id, None).await)
}

/// `POST /admin/users/{id}`.
pub(crate) async fn update_user(
    State(app): State<AppState>,
    req: PageRequest,
    who: Who,
    Path(id): Path<i64>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let ctx = Ctx::new(app, req, who);
    let mut form = FormData(form);
    let result = async {
        ctx.who.check_csrf(form.get("csrf"))?;
        policy::require(&ctx.who, Permission::ManageUsers)?;
        form.keep_from(&user_values(&ctx.store().user(id).await?));
        let form = &form;
        let written = async {
            let update = UserUpdate {
                display_name: form.text("display_name").to_owned(),
                email: form.text("email").to_owned(),
                role: role_of(form)?,
                institutions: form.ids("institutions"),
                archived: form.checked("archived"),
            };
            let version = form.number("version")?;
            Ok::<_, ApiError>(
                ctx.store()
                    .update_user(&ctx.who.actor(), id, version, update)
                    .await?,
            )
        }
        .await;
        match written {
            Ok(_) => see_other(&format!("/admin/users/{id}")),
            Err(error) => match retry_of(&error, form) {
                Some(retry) => user_edit_page(&ctx, id, Some(retry)).await,
                None => Err(error),
            },
        }
    }
    .await;
    ctx.finish(result)
}

/// `POST /admin/users/{id}/password`: a new password set by the administrator; the user's
/// sessions end and their API tokens are revoked.
pub(crate) async fn reset_password(
    State(app): State<AppState>,
    req: PageRequest,
    who: Who,
    Path(id): Path<i64>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let state = app.clone();
    let ctx = Ctx::new(app, req, who);
    let form = FormData(form);
    let result = async {
        ctx.who.check_csrf(form.get("csrf"))?;
        policy::require(&ctx.who, Permission::ManageUsers)?;
        let user = ctx.store().user(id).await?;
        match password_hash(&state, form.text("password"), &user.name).await {
            Ok(hash) => {
                ctx.store()
                    .set_password(&ctx.who.actor(), id, &hash)
                    .await?;
                see_other(&format!("/admin/users/{id}"))
            }
            Err(error) => match retry_of(&error, &FormData::default()) {
                Some(Retry::Invalid(_, message)) => {
                    let empty = FormData::default();
                    user_edit_page(&ctx, id, Some(Retry::Invalid(&empty, message))).await
                }
                _ => Err(error),
            },
        }
    }
    .await;
    ctx.finish(result)
}

// ---------------------------------------------------------------------------------------
// The audit log.

/// `GET /admin/audit?entity=&entity_id=&user=&action=&since=&until=&page=`.
pub(crate) async fn audit(State(app): State<AppState>, req: PageRequest, who: Who) -> Response {
    let ctx = Ctx::new(app, req, who);
    let result = async {
        policy::require(&ctx.who, Permission::ReadAudit)?;
        let q = &ctx.req.query;
        let value = |name: &str| q.get(name).map(str::to_owned);
        let page: i64 = q
            .get("page")
            .and_then(|p| p.parse().ok())
            .unwrap_or(1)
            .max(1);
        let filter = AuditFilter {
            entity: value("entity"),
            entity_id: value("entity_id"),
            user_name: value("user"),
            action: value("action"),
            since: value("since"),
            until: value("until"),
            limit: AUDIT_PER_PAGE,
            offset: (page - 1) * AUDIT_PER_PAGE,
        };
        let (entries, total) = ctx.store().audit_log(&filter).await?;
        let mut body = format!(
            "<h1>{}</h1><form method=\"get\" action=\"/admin/audit\" class=\"filters\">",
            ctx.t("rm.audit")
        );
        for (name, key) in [
            ("entity", "rm.entity"),
            ("entity_id", "rm.entity_id"),
            ("user", "rm.user_name"),
            ("action", "rm.change"),
            ("since", "rm.since"),
            ("until", "rm.until"),
        ] {
            body.push_str(&field_text(
                &ctx.t(key),
                name,
                q.get(name).unwrap_or(""),
                false,
            ));
        }
        let _ = write!(
            body,
            "<button type=\"submit\">{}</button></form><p>{}</p>",
            ctx.t("rm.filter"),
            escape(
                &ctx.lang()
                    .format("rm.entries", &[("total", &total.to_string())])
            )
        );
        for entry in &entries {
            body.push_str(&audit_entry(&ctx, entry));
        }
        let pages = (total + AUDIT_PER_PAGE - 1) / AUDIT_PER_PAGE;
        if pages > 1 {
            body.push_str("<nav class=\"paging\"><ul>");
            let here = QueryString::new(q.pairs().to_vec());
            if page > 1 {
                let _ = write!(
                    body,
                    "<li><a href=\"{}\">{}</a></li>",
                    here.with("page", &(page - 1).to_string())
                        .href("/admin/audit"),
                    ctx.t("rm.previous")
                );
            }
            if page < pages {
                let _ = write!(
                    body,
                    "<li><a href=\"{}\">{}</a></li>",
                    here.with("page", &(page + 1).to_string())
                        .href("/admin/audit"),
                    ctx.t("rm.next")
                );
            }
            body.push_str("</ul></nav>");
        }
        ctx.page(StatusCode::OK, ctx.lang().text("rm.audit"), body)
    }
    .await;
    ctx.finish(result)
}

/// One audit entry: when, who, what, and a table of each field's old and new value.
pub(super) fn audit_entry(ctx: &Ctx, entry: &hrtrack_db::roadmap::AuditEntry) -> String {
    let mut html = format!(
        "<section class=\"audit\"><h2>{} · {} · {} {} · {}</h2><table><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        escape(&entry.at),
        escape(&entry.user_name),
        escape(&entry.entity),
        escape(&entry.entity_id),
        escape(&entry.action),
        ctx.t("rm.field"),
        ctx.t("rm.old"),
        ctx.t("rm.new"),
    );
    if let Some(changes) = entry.changes.as_object() {
        for (field, change) in changes {
            let show = |v: Option<&serde_json::Value>| match v {
                None | Some(serde_json::Value::Null) => String::new(),
                Some(serde_json::Value::String(s)) => escape(s),
                Some(other) => escape(&other.to_string()),
            };
            let _ = write!(
                html,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(field),
                show(change.get("old")),
                show(change.get("new"))
            );
        }
    }
    html.push_str("</tbody></table></section>");
    html
}

/// A record's history for the administrator (its latest changes, folded, with a link to
/// the whole filtered log); nothing for anyone else.
pub(super) async fn record_history(ctx: &Ctx, entity: &str, id: i64) -> Result<String, ApiError> {
    if policy::require(&ctx.who, Permission::ReadAudit).is_err() {
        return Ok(String::new());
    }
    let filter = AuditFilter {
        entity: Some(entity.to_owned()),
        entity_id: Some(id.to_string()),
        limit: 20,
        ..AuditFilter::default()
    };
    let (entries, total) = ctx.store().audit_log(&filter).await?;
    let mut html = format!(
        "<details class=\"history\"><summary>{} ({total})</summary>",
        ctx.t("rm.history")
    );
    for entry in &entries {
        html.push_str(&audit_entry(ctx, entry));
    }
    let _ = write!(
        html,
        "<p><a href=\"/admin/audit?entity={}&amp;entity_id={id}\">{}</a></p></details>",
        url_encode(entity),
        ctx.t("rm.audit")
    );
    Ok(html)
}
