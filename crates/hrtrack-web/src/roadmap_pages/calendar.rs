//! The reporting calendar and the inbox.

use std::fmt::Write as _;

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use hrtrack_domain::{Date, Role};

use super::{Ctx, FormData, Who, field_select, see_other, submit, words};
use crate::AppState;
use crate::html::escape;
use crate::pages::PageRequest;
use crate::policy::{self, Permission};

// ---------------------------------------------------------------------------------------
// Calendar and inbox.

/// The most due reports the calendar page lists (the API lists them all).
const CALENDAR_ROWS: usize = 200;

/// `GET /roadmap/calendar?institution=`.
pub(crate) async fn calendar(State(app): State<AppState>, req: PageRequest, who: Who) -> Response {
    let ctx = Ctx::new(app, req, who);
    let result = async {
        let user = policy::require(&ctx.who, Permission::ReadCalendar)?;
        let chosen: Option<i64> = match ctx.req.query.get("institution") {
            Some("all") => None,
            Some(id) => id.parse().ok(),
            None if user.role == Role::FocalPoint => user.institutions.first().copied(),
            None => None,
        };
        let today = Date::today_utc();
        let due = ctx.store().calendar(chosen, today, today.add_days(365)).await?;
        let names = ctx.institution_names().await?;
        let mut options = vec![("all".to_owned(), ctx.lang().text("rm.all").to_owned())];
        let mut sorted: Vec<_> = names.iter().collect();
        sorted.sort_by(|a, b| a.1.cmp(b.1));
        options.extend(sorted.into_iter().map(|(id, name)| (id.to_string(), name.clone())));
        let mut body = format!(
            "<h1>{}</h1><form method=\"get\" action=\"/roadmap/calendar\" class=\"filters\">{}<button type=\"submit\">{}</button></form>",
            ctx.t("rm.calendar"),
            field_select(&ctx.t("rm.institution"), "institution", &options, &chosen.map_or("all".to_owned(), |c| c.to_string())),
            ctx.t("rm.filter")
        );
        let _ = write!(
            body,
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
            ctx.t("rm.due_date"),
            ctx.t("rm.action"),
            ctx.t("rm.lead"),
            ctx.t("rm.status")
        );
        // Past reports that were submitted are history (on each action's page); the rest are
        // shown, the oldest first, up to a page's worth.
        let pending: Vec<_> = due.iter().filter(|d| d.overdue || d.due_date >= today).collect();
        for d in pending.iter().take(CALENDAR_ROWS) {
            let status = match (d.report_id, d.report_status) {
                (Some(id), Some(s)) => format!("<a href=\"/roadmap/reports/{id}\">{}</a>", words(ctx.lang(), s.as_str())),
                _ => ctx.t("rm.not_started"),
            };
            let _ = write!(
                body,
                "<tr{}><td>{}</td><td><a href=\"/roadmap/actions/{}\">{}</a></td><td>{}</td><td>{}{}</td></tr>",
                if d.overdue { " class=\"overdue\"" } else { "" },
                d.due_date,
                d.action_id,
                escape(&d.action_title),
                escape(names.get(&d.lead_institution_id).map_or("?", String::as_str)),
                status,
                if d.overdue { format!(" · {}", ctx.t("rm.overdue")) } else { String::new() }
            );
        }
        body.push_str("</tbody></table>");
        if pending.len() > CALENDAR_ROWS {
            let more = (pending.len() - CALENDAR_ROWS).to_string();
            let _ = write!(body, "<p>{}</p>", escape(&ctx.lang().format("rm.more_not_shown", &[("n", &more)])));
        }
        let _ = write!(body, "<h2>{}</h2><ul>", ctx.t("rm.un_deadlines"));
        for d in ctx.store().un_deadlines().await? {
            let _ = write!(
                body,
                "<li>{}{} · {} · <a href=\"/roadmap/{}\">{}</a></li>",
                if d.approximate { "~" } else { "" },
                d.due_date,
                words(ctx.lang(), d.kind),
                d.roadmap_id,
                escape(&d.review)
            );
        }
        body.push_str("</ul>");
        ctx.page(StatusCode::OK, ctx.lang().text("rm.calendar"), body)
    }
    .await;
    ctx.finish(result)
}

/// `GET /inbox`.
pub(crate) async fn inbox(State(app): State<AppState>, req: PageRequest, who: Who) -> Response {
    let ctx = Ctx::new(app, req, who);
    let result = async {
        let user = ctx.user()?;
        let unread = ctx.store().unread_messages(user.id).await?;
        let mut body = format!(
            "<h1>{}</h1><p>{}</p><ul class=\"inbox\">",
            ctx.t("rm.inbox"),
            escape(
                &ctx.lang()
                    .format("rm.unread", &[("n", &unread.to_string())])
            )
        );
        for m in ctx.store().inbox(user.id, 100).await? {
            let link = if m.link.starts_with('/') && !m.link.starts_with("//") {
                format!(" <a href=\"{}\">{}</a>", escape(&m.link), ctx.t("rm.open"))
            } else {
                String::new()
            };
            let _ = write!(
                body,
                "<li{}><strong>{}</strong> · {}<br>{}{link}",
                if m.read { "" } else { " class=\"unread\"" },
                escape(&m.subject),
                escape(&m.at),
                escape(&m.body)
            );
            if !m.read {
                let _ = write!(
                    body,
                    " {}{}",
                    ctx.form(&format!("/inbox/{}/read", m.id)),
                    submit(&ctx.t("rm.mark_read"))
                );
            }
            body.push_str("</li>");
        }
        body.push_str("</ul>");
        ctx.page(StatusCode::OK, ctx.lang().text("rm.inbox"), body)
    }
    .await;
    ctx.finish(result)
}

/// `POST /inbox/{id}/read`.
pub(crate) async fn mark_read(
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
        let user = ctx.user()?;
        ctx.store().mark_read(user.id, id).await?;
        see_other("/inbox")
    }
    .await;
    ctx.finish(result)
}
