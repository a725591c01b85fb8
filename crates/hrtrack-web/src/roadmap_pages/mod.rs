//! The Roadmap's pages: server-rendered forms for signing in, accounts, institutions,
//! roadmaps, clusters, actions, indicators, progress reports with evidence, assessments,
//! the calendar, the inbox and the audit log; working without JavaScript.
//!
//! Every POST form carries the session's CSRF token in `csrf`; a handler checks it first,
//! then asks [`crate::policy`], then calls the store with the principal's actor, and answers
//! 303 See Other to the record's page. A stale version (409) shows the form again with the
//! current values and the user's own text in a "your version" box; invalid input (422) shows
//! it again with what was typed. Unauthenticated visitors of staff pages are sent to
//! `/login?next=PATH`.
//!
//! `people` holds signing in, the account, the users' administration and the audit log;
//! `plan` institutions (with the institution dashboard), roadmaps and clusters; `actions`
//! actions and indicators; `reports` progress reports and their evidence; `assessments`
//! assessments and the "Implementation" section of the public recommendation page (never
//! cached: it depends on who asks); `calendar` the reporting calendar and the inbox.

mod actions;
mod assessments;
mod calendar;
mod people;
mod plan;
mod reports;

use std::fmt::Write as _;

use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRequestParts};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::MethodRouter;
use axum::routing::{get, post};
use hrtrack_db::Store;
use hrtrack_db::roadmap::User;

use crate::AppState;
use crate::auth::Principal;
use crate::error::{ApiError, ErrorCode};
use crate::html::{escape, url_encode};
use crate::i18n::Lang;
use crate::pages::{Page, PageError, PageRequest};

pub(crate) use assessments::implementation_section;

/// Every Roadmap page path (axum syntax) with its handlers: the router is built from this
/// table, and the authorization test walks it.
fn route_table() -> Vec<(&'static str, MethodRouter<AppState>)> {
    vec![
        ("/login", get(people::login_form).post(people::login)),
        ("/logout", post(people::logout)),
        ("/account", get(people::account)),
        ("/account/password", post(people::change_password)),
        ("/account/tokens", post(people::create_token)),
        ("/account/tokens/{id}/revoke", post(people::revoke_token)),
        ("/admin/users", get(people::users).post(people::create_user)),
        (
            "/admin/users/{id}",
            get(people::user_page).post(people::update_user),
        ),
        ("/admin/users/{id}/password", post(people::reset_password)),
        ("/admin/users/{id}/unlock", post(people::unlock_user)),
        (
            "/admin/users/{id}/tokens/revoke",
            post(people::revoke_user_tokens),
        ),
        ("/admin/audit", get(people::audit)),
        (
            "/roadmap/institutions",
            get(plan::institutions).post(plan::create_institution),
        ),
        (
            "/roadmap/institutions/{id}",
            get(plan::institution).post(plan::update_institution),
        ),
        ("/roadmap", get(plan::roadmaps).post(plan::create_roadmap)),
        (
            "/roadmap/{id}",
            get(plan::roadmap).post(plan::update_roadmap),
        ),
        ("/roadmap/{id}/clusters", post(plan::create_cluster)),
        ("/roadmap/{id}/actions", post(actions::create_action)),
        (
            "/roadmap/clusters/{id}",
            get(plan::cluster).post(plan::update_cluster),
        ),
        (
            "/roadmap/actions/{id}",
            get(actions::action).post(actions::update_action),
        ),
        (
            "/roadmap/actions/{id}/indicators",
            post(actions::create_indicator),
        ),
        ("/roadmap/indicators/{id}", post(actions::update_indicator)),
        ("/roadmap/actions/{id}/reports", post(reports::start_report)),
        (
            "/roadmap/reports/{id}",
            get(reports::report).post(reports::update_report),
        ),
        (
            "/roadmap/reports/{id}/evidence",
            post(reports::upload_evidence)
                .layer(DefaultBodyLimit::max(crate::evidence::UPLOAD_BODY_LIMIT)),
        ),
        ("/roadmap/reports/{id}/links", post(reports::add_link)),
        (
            "/roadmap/reports/{id}/transition",
            post(reports::transition),
        ),
        ("/roadmap/evidence/{id}", get(reports::download)),
        (
            "/roadmap/evidence/{id}/archive",
            post(reports::archive_evidence),
        ),
        (
            "/recommendations/{uid}/assessments",
            post(assessments::create_assessment),
        ),
        (
            "/roadmap/assessments/{id}",
            post(assessments::update_assessment),
        ),
        ("/roadmap/calendar", get(calendar::calendar)),
        ("/inbox", get(calendar::inbox)),
        ("/inbox/{id}/read", post(calendar::mark_read)),
    ]
}

/// The Roadmap's page paths, in the order of the route table.
pub fn page_paths() -> Vec<&'static str> {
    route_table().into_iter().map(|(path, _)| path).collect()
}

/// The Roadmap's page routes (merged into the application's router).
pub fn routes() -> Router<AppState> {
    route_table()
        .into_iter()
        .fold(Router::new(), |router, (path, handler)| {
            router.route(path, handler)
        })
}

/// The principal of a page request; a bad bearer token counts as the public.
pub(crate) struct Who(pub Principal);

impl FromRequestParts<AppState> for Who {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Who(crate::auth::principal_of(
            state.store(),
            &parts.headers,
        )
        .await
        .unwrap_or_else(|_| Principal::anonymous())))
    }
}

/// A posted form's fields, in order (a name may repeat: checkboxes, multi-selects).
#[derive(Debug, Clone, Default)]
pub(crate) struct FormData(pub Vec<(String, String)>);

impl FormData {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The value of `name`, or empty.
    pub fn text(&self, name: &str) -> &str {
        self.get(name).unwrap_or("")
    }

    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// Every value of `name` that is a number.
    pub fn ids(&self, name: &str) -> Vec<i64> {
        self.all(name)
            .iter()
            .filter_map(|v| v.trim().parse().ok())
            .collect()
    }

    pub fn checked(&self, name: &str) -> bool {
        self.get(name).is_some_and(|v| !v.is_empty())
    }

    /// A whole number, or 422 naming the field.
    pub fn number(&self, name: &str) -> Result<i64, ApiError> {
        self.text(name)
            .trim()
            .parse()
            .map_err(|_| invalid(format!("{name}: a whole number is required")))
    }

    /// Lines or commas of `name` as a list, blanks dropped.
    pub fn list(&self, name: &str) -> Vec<String> {
        self.text(name)
            .split([',', '\n'])
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .collect()
    }

    /// Fills in what an update form left out from `current` (the record's values as its form
    /// shows them), so that an update keeps what it does not name: a field absent from the
    /// form takes the record's values. A checkbox (or list of checkboxes) the form showed is
    /// marked by a hidden `shown` field ([`field_check`], [`field_checks`]): absent then means
    /// unchecked, not left out.
    pub fn keep_from(&mut self, current: &FormData) {
        let shown = self.all(SHOWN);
        let missing: Vec<(String, String)> = current
            .0
            .iter()
            .filter(|(name, _)| self.get(name).is_none() && !shown.contains(&name.as_str()))
            .cloned()
            .collect();
        self.0.extend(missing);
    }

    pub fn set(&mut self, name: &str, value: impl Into<String>) {
        self.0.push((name.to_owned(), value.into()));
    }
}

/// A 422 for a value the page could not read.
pub(crate) fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::InvalidInput, message)
}

/// What a handler answers: its response, or an error the page layer shows.
pub(crate) type Handled = Result<Response, ApiError>;

/// Why a form is shown again.
pub(crate) enum Retry<'a> {
    /// Invalid input: the form holds what was typed, with the message.
    Invalid(&'a FormData, String),
    /// Someone else changed the record: the form holds the current values, the typed ones
    /// are kept in "your version".
    Stale(&'a FormData),
}

impl Retry<'_> {
    /// The status of the page that shows the form again.
    pub fn status(retry: &Option<Retry<'_>>) -> StatusCode {
        match retry {
            None => StatusCode::OK,
            Some(Retry::Invalid(..)) => StatusCode::UNPROCESSABLE_ENTITY,
            Some(Retry::Stale(..)) => StatusCode::CONFLICT,
        }
    }

    /// The typed values when the form must show them.
    pub fn typed<'b>(retry: &'b Option<Retry<'_>>) -> Option<&'b FormData> {
        match retry {
            Some(Retry::Invalid(form, _)) => Some(form),
            _ => None,
        }
    }
}

/// Whether an error of a form's write shows the form again (422, 409 stale) or a page.
pub(crate) fn retry_of<'a>(error: &ApiError, form: &'a FormData) -> Option<Retry<'a>> {
    match error.code {
        ErrorCode::InvalidInput => Some(Retry::Invalid(form, error.message.clone())),
        ErrorCode::StaleVersion => Some(Retry::Stale(form)),
        _ => None,
    }
}

/// One request's context: the app, the page request and who asks.
pub(crate) struct Ctx {
    pub app: AppState,
    pub req: PageRequest,
    pub who: Principal,
}

impl Ctx {
    pub fn new(app: AppState, req: PageRequest, who: Who) -> Self {
        Self {
            app,
            req,
            who: who.0,
        }
    }

    pub fn lang(&self) -> Lang {
        self.req.lang
    }

    pub fn t(&self, key: &str) -> String {
        escape(self.req.lang.text(key))
    }

    pub fn store(&self) -> &Store {
        self.app.store()
    }

    /// The signed-in user (401, which becomes the sign-in page, otherwise).
    pub fn user(&self) -> Result<&User, ApiError> {
        crate::policy::require_user(&self.who)
    }

    /// The hidden CSRF field of every form.
    pub fn csrf(&self) -> String {
        format!(
            "<input type=\"hidden\" name=\"csrf\" value=\"{}\">",
            escape(self.who.csrf_token().unwrap_or(""))
        )
    }

    /// `<form method="post" action="…">` with the CSRF field.
    pub fn form(&self, action: &str) -> String {
        format!(
            "<form method=\"post\" action=\"{}\" class=\"edit\">{}",
            escape(action),
            self.csrf()
        )
    }

    /// A page in the layout.
    pub fn page(&self, status: StatusCode, title: &str, body: String) -> Handled {
        Ok(self.req.respond_with(
            status,
            Page {
                title: title.to_owned(),
                body,
            },
        ))
    }

    /// The notice of a form shown again, and "your version" when the record moved on.
    pub fn retry_notice(&self, retry: &Option<Retry<'_>>) -> String {
        match retry {
            None => String::new(),
            Some(Retry::Invalid(_, message)) => format!(
                "<p class=\"notice error\" role=\"alert\">{} {}</p>",
                self.t("rm.invalid"),
                escape(message)
            ),
            Some(Retry::Stale(form)) => {
                let mut out = format!(
                    "<p class=\"notice error\" role=\"alert\">{}</p><details open class=\"yours\"><summary>{}</summary><dl>",
                    self.t("rm.stale"),
                    self.t("rm.your_version")
                );
                for (name, value) in &form.0 {
                    if name != "csrf" && name != "version" {
                        let _ = write!(out, "<dt>{}</dt><dd>{}</dd>", escape(name), escape(value));
                    }
                }
                out.push_str("</dl></details>");
                out
            }
        }
    }

    /// The answer: `result`, or the sign-in page for the anonymous, or the error page.
    pub fn finish(&self, result: Handled) -> Response {
        match result {
            Ok(response) => response,
            Err(error) if error.code == ErrorCode::Unauthorized => to_login(&self.req),
            Err(error) => {
                let busy = error.code == ErrorCode::Busy;
                let mut response = self.req.respond(Err(PageError::from(error)));
                if busy {
                    response.headers_mut().insert(
                        axum::http::header::RETRY_AFTER,
                        axum::http::HeaderValue::from(crate::blocking::RETRY_AFTER_SECONDS),
                    );
                }
                response
            }
        }
    }

    /// The names of institutions in the page language.
    pub async fn institution_names(
        &self,
    ) -> Result<std::collections::HashMap<i64, String>, ApiError> {
        let code = self.lang().code();
        Ok(self
            .store()
            .institutions(true)
            .await?
            .into_iter()
            .map(|i| (i.id, i.name_in(code).to_owned()))
            .collect())
    }
}

/// 303 to the sign-in page, coming back here after.
pub(crate) fn to_login(req: &PageRequest) -> Response {
    let here = req.query.url(&req.path);
    Redirect::to(&format!("/login?next={}", url_encode(&here))).into_response()
}

/// 303 See Other to `location` (Post/Redirect/Get).
pub(crate) fn see_other(location: &str) -> Handled {
    Ok(Redirect::to(location).into_response())
}

/// `next` when it is a local path, else the Roadmap.
pub(crate) fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(next)
            if next.starts_with('/')
                && !next.starts_with("//")
                && !next.contains('\\')
                && !next.chars().any(char::is_control) =>
        {
            next.to_owned()
        }
        _ => "/roadmap".to_owned(),
    }
}

// ---------------------------------------------------------------------------------------
// Form fields. Every value is escaped here.

pub(crate) fn field_text(label: &str, name: &str, value: &str, required: bool) -> String {
    format!(
        "<label>{label}<input type=\"text\" name=\"{name}\" value=\"{}\"{}></label>",
        escape(value),
        if required { " required" } else { "" }
    )
}

pub(crate) fn field_typed(label: &str, kind: &str, name: &str, value: &str) -> String {
    format!(
        "<label>{label}<input type=\"{kind}\" name=\"{name}\" value=\"{}\"></label>",
        escape(value)
    )
}

pub(crate) fn field_area(label: &str, name: &str, value: &str) -> String {
    format!(
        "<label>{label}<textarea name=\"{name}\" rows=\"4\">{}</textarea></label>",
        escape(value)
    )
}

/// The hidden field naming a checkbox (list) a form shows: see [`FormData::keep_from`].
const SHOWN: &str = "shown";

pub(crate) fn field_check(label: &str, name: &str, checked: bool) -> String {
    format!(
        "{}<label class=\"check\"><input type=\"checkbox\" name=\"{name}\" value=\"1\"{}> {label}</label>",
        hidden(SHOWN, name),
        if checked { " checked" } else { "" }
    )
}

pub(crate) fn field_select(
    label: &str,
    name: &str,
    options: &[(String, String)],
    selected: &str,
) -> String {
    let mut out = format!("<label>{label}<select name=\"{name}\">");
    for (value, text) in options {
        let _ = write!(
            out,
            "<option value=\"{}\"{}>{}</option>",
            escape(value),
            if value == selected { " selected" } else { "" },
            escape(text)
        );
    }
    out.push_str("</select></label>");
    out
}

/// Checkboxes, one per option, for a list of ids.
pub(crate) fn field_checks(
    label: &str,
    name: &str,
    options: &[(i64, String)],
    chosen: &[i64],
) -> String {
    let mut out = format!("<fieldset><legend>{label}</legend>{}", hidden(SHOWN, name));
    for (id, text) in options {
        let _ = write!(
            out,
            "<label class=\"check\"><input type=\"checkbox\" name=\"{name}\" value=\"{id}\"{}> {}</label>",
            if chosen.contains(id) { " checked" } else { "" },
            escape(text)
        );
    }
    out.push_str("</fieldset>");
    out
}

pub(crate) fn hidden(name: &str, value: &str) -> String {
    format!(
        "<input type=\"hidden\" name=\"{name}\" value=\"{}\">",
        escape(value)
    )
}

pub(crate) fn submit(label: &str) -> String {
    format!("<button type=\"submit\">{label}</button></form>")
}

/// Codes as options, each shown in `lang`.
pub(crate) fn code_options(lang: Lang, codes: &[&str]) -> Vec<(String, String)> {
    codes
        .iter()
        .map(|c| ((*c).to_owned(), lang.text(&format!("code.{c}")).to_owned()))
        .collect()
}

/// A Roadmap code (role, status, level, frequency, deadline, institution kind) in `lang`,
/// escaped.
pub(crate) fn words(lang: Lang, code: &str) -> String {
    escape(lang.text(&format!("code.{code}")))
}
