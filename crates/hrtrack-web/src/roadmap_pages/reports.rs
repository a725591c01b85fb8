//! Progress reports with their evidence, assessments, the calendar, the inbox, and the
//! "Implementation" section of the public recommendation page.

use std::fmt::Write as _;

use axum::Form;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use hrtrack_access::upload::{MAX_EVIDENCE_BYTES, UploadError};
use hrtrack_db::roadmap::{NewEvidence, ProgressReport, ReportInput, ReportValue};
use hrtrack_domain::{Date, ReportStatus};

use super::{
    Ctx, FormData, Handled, Retry, Who, field_area, field_check, field_text, hidden, invalid,
    retry_of, see_other, submit, words,
};
use crate::AppState;
use crate::error::{ApiError, ErrorCode};
use crate::html::escape;
use crate::pages::PageRequest;
use crate::policy::{self, Permission};

/// Whether a link of evidence may be followed: `http` and `https` only (never `javascript:`).
pub(super) fn web_address(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

/// A piece of evidence as a link: its download address, or the web address it names; the
/// title alone for a link that is not a web address.
pub(super) fn evidence_link(e: &hrtrack_db::roadmap::Evidence) -> String {
    match &e.url {
        Some(url) if web_address(url) => format!(
            "<a href=\"{}\" rel=\"noopener noreferrer\">{}</a>",
            escape(url.trim()),
            escape(&e.title)
        ),
        Some(_) => escape(&e.title),
        None => format!(
            "<a href=\"/roadmap/evidence/{}\">{}</a>",
            e.id,
            escape(&e.title)
        ),
    }
}

pub(super) fn not_found() -> ApiError {
    ApiError::new(ErrorCode::NotFound, "not found")
}

/// `POST /roadmap/actions/{id}/reports`: a focal point starts the report of one due date.
pub(crate) async fn start_report(
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
        let action = ctx.store().action(id).await?;
        policy::require_reporter(&ctx.who, &action)?;
        let due = Date::parse(form.text("due_date")).map_err(|e| invalid(e.to_string()))?;
        let report = ctx
            .store()
            .create_report(&ctx.who.actor(), id, due, ReportInput::default())
            .await?;
        see_other(&format!("/roadmap/reports/{}", report.id))
    }
    .await;
    ctx.finish(result)
}

/// What the report page shows again after a failed write.
enum ReportRetry<'a> {
    Edit(Retry<'a>),
    /// An evidence upload or link refused, with the message and the answer's status.
    Evidence(String, StatusCode),
}

async fn report_page(ctx: &Ctx, id: i64, retry: Option<ReportRetry<'_>>) -> Handled {
    let report = ctx.store().report(id).await?;
    let action = ctx.store().action(report.action_id).await?;
    let roadmap = ctx.store().roadmap(action.roadmap_id).await?;
    if !policy::sees_report(&ctx.who, &roadmap, &action, &report) {
        return Err(if ctx.who.user().is_some() {
            ApiError::forbidden("you may not see this report")
        } else {
            not_found()
        });
    }
    let indicators = ctx.store().indicators(action.id).await?;
    let mut body = format!(
        "<h1>{}</h1><p><a href=\"/roadmap/actions/{}\">{}</a></p><dl class=\"facts\"><dt>{}</dt><dd>{}</dd><dt>{}</dt><dd>{}</dd><dt>{}</dt><dd>{}</dd></dl>",
        escape(
            &ctx.lang()
                .format("rm.report_title", &[("date", &report.due_date.to_string())])
        ),
        action.id,
        escape(&action.title),
        ctx.t("rm.status"),
        words(ctx.lang(), report.status.as_str()),
        ctx.t("rm.author"),
        escape(report.author_name.as_deref().unwrap_or("")),
        ctx.t("rm.narrative"),
        escape(&report.narrative),
    );
    let _ = write!(body, "<h2>{}</h2><table><tbody>", ctx.t("rm.indicators"));
    for ind in &indicators {
        let value = report
            .values
            .iter()
            .find(|v| v.indicator_id == ind.id)
            .map_or("", |v| v.value.as_str());
        let _ = write!(
            body,
            "<tr><th>{}</th><td>{}</td></tr>",
            escape(&ind.title),
            escape(value)
        );
    }
    let _ = write!(
        body,
        "</tbody></table><h2>{}</h2><ul>",
        ctx.t("rm.evidence")
    );
    let author = policy::require_reporter(&ctx.who, &action).is_ok();
    let editable = author && report.status.is_editable_by_author();
    for e in &report.evidence {
        if !policy::sees_evidence(&ctx.who, &report, e) {
            continue;
        }
        let link = match &e.url {
            Some(_) => evidence_link(e),
            None => format!(
                "<a href=\"/roadmap/evidence/{}\">{}</a> ({})",
                e.id,
                escape(&e.title),
                escape(e.file_name.as_deref().unwrap_or(""))
            ),
        };
        let _ = write!(
            body,
            "<li>{link} · {}",
            ctx.t(if e.public { "rm.public" } else { "rm.internal" })
        );
        if editable {
            let _ = write!(
                body,
                " {}{}",
                ctx.form(&format!("/roadmap/evidence/{}/archive", e.id)),
                submit(&ctx.t("rm.remove"))
            );
        }
        body.push_str("</li>");
    }
    body.push_str("</ul>");
    if !report.comments.is_empty() {
        let _ = write!(body, "<h2>{}</h2><ul>", ctx.t("rm.comments"));
        for c in &report.comments {
            let _ = write!(
                body,
                "<li>{} · {}: {}</li>",
                escape(&c.created_at),
                escape(c.author_name.as_deref().unwrap_or("")),
                escape(&c.body)
            );
        }
        body.push_str("</ul>");
    }
    let (edit_retry, evidence_message) = match retry {
        Some(ReportRetry::Edit(r)) => (Some(r), None),
        Some(ReportRetry::Evidence(m, status)) => (None, Some((m, status))),
        None => (None, None),
    };
    let mut status = Retry::status(&edit_retry);
    if editable {
        let current = report_values(&report);
        let values = Retry::typed(&edit_retry).unwrap_or(&current);
        let _ = write!(
            body,
            "<h2>{}</h2>{}{}{}{}",
            ctx.t("rm.edit"),
            ctx.retry_notice(&edit_retry),
            ctx.form(&format!("/roadmap/reports/{id}")),
            hidden("version", &report.version.to_string()),
            field_area(
                &ctx.t("rm.narrative"),
                "narrative",
                values.text("narrative")
            ),
        );
        for ind in &indicators {
            let name = format!("value_{}", ind.id);
            body.push_str(&field_text(
                &escape(&ind.title),
                &name,
                values.text(&name),
                false,
            ));
        }
        body.push_str(&submit(&ctx.t("rm.save")));
        if let Some((message, evidence_status)) = &evidence_message {
            status = *evidence_status;
            let _ = write!(
                body,
                "<p class=\"notice error\" role=\"alert\">{}</p>",
                escape(message)
            );
        }
        let _ = write!(
            body,
            "<h2>{}</h2><form method=\"post\" action=\"/roadmap/reports/{id}/evidence\" enctype=\"multipart/form-data\" class=\"edit\">{}{}<label>{}<input type=\"file\" name=\"file\" required></label>{}{}",
            ctx.t("rm.upload_evidence"),
            ctx.csrf(),
            field_text(&ctx.t("rm.title"), "title", "", true),
            ctx.t("rm.file"),
            field_check(&ctx.t("rm.public"), "public", false),
            submit(&ctx.t("rm.upload"))
        );
        let _ = write!(
            body,
            "<h2>{}</h2>{}{}{}{}{}",
            ctx.t("rm.add_link"),
            ctx.form(&format!("/roadmap/reports/{id}/links")),
            field_text(&ctx.t("rm.title"), "title", "", true),
            field_text("URL", "url", "", true),
            field_check(&ctx.t("rm.public"), "public", false),
            submit(&ctx.t("rm.add_link"))
        );
        let _ = write!(
            body,
            "<h2>{}</h2>{}{}{}{}",
            ctx.t("rm.submit_report"),
            ctx.form(&format!("/roadmap/reports/{id}/transition")),
            hidden("to", "submitted"),
            hidden("version", &report.version.to_string()),
            submit(&ctx.t("rm.submit_report"))
        );
    }
    if policy::require(&ctx.who, Permission::ReviewReports).is_ok() {
        let steps: &[(&str, &str)] = match report.status {
            ReportStatus::Submitted => &[("validated", "rm.validate"), ("returned", "rm.return")],
            ReportStatus::Validated => &[("published", "rm.publish"), ("returned", "rm.return")],
            _ => &[],
        };
        for (to, key) in steps {
            let _ = write!(
                body,
                "{}{}{}{}{}",
                ctx.form(&format!("/roadmap/reports/{id}/transition")),
                hidden("to", to),
                hidden("version", &report.version.to_string()),
                if *to == "returned" {
                    field_area(&ctx.t("rm.comment"), "comment", "")
                } else {
                    String::new()
                },
                submit(&ctx.t(key))
            );
        }
    }
    body.push_str(&super::people::record_history(ctx, "progress_report", id).await?);
    let title = ctx
        .lang()
        .format("rm.report_title", &[("date", &report.due_date.to_string())]);
    ctx.page(status, &title, body)
}

pub(crate) async fn report(
    State(app): State<AppState>,
    req: PageRequest,
    who: Who,
    Path(id): Path<i64>,
) -> Response {
    let ctx = Ctx::new(app, req, who);
    ctx.finish(report_page(&ctx, id, None).await)
}

/// The report's action, after checking that the principal reports on it.
async fn reporter_check(ctx: &Ctx, report: &ProgressReport) -> Result<(), ApiError> {
    let action = ctx.store().action(report.action_id).await?;
    policy::require_reporter(&ctx.who, &action)
}

/// A report's values as its form shows them.
fn report_values(report: &ProgressReport) -> FormData {
    let mut current = FormData::default();
    current.set("narrative", report.narrative.clone());
    for v in &report.values {
        current.set(&format!("value_{}", v.indicator_id), v.value.clone());
    }
    current
}

pub(crate) async fn update_report(
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
        let report = ctx.store().report(id).await?;
        reporter_check(&ctx, &report).await?;
        form.keep_from(&report_values(&report));
        let form = &form;
        let written = async {
            let values = form
                .0
                .iter()
                .filter_map(|(name, value)| {
                    let indicator_id = name.strip_prefix("value_")?.parse().ok()?;
                    Some(ReportValue {
                        indicator_id,
                        value: value.clone(),
                    })
                })
                .collect();
            let input = ReportInput {
                narrative: form.text("narrative").to_owned(),
                values,
            };
            let version = form.number("version")?;
            Ok::<_, ApiError>(
                ctx.store()
                    .update_report(&ctx.who.actor(), id, version, input)
                    .await?,
            )
        }
        .await;
        match written {
            Ok(_) => see_other(&format!("/roadmap/reports/{id}")),
            Err(error) => match retry_of(&error, form) {
                Some(retry) => report_page(&ctx, id, Some(ReportRetry::Edit(retry))).await,
                None => Err(error),
            },
        }
    }
    .await;
    ctx.finish(result)
}

/// `POST /roadmap/reports/{id}/evidence` (multipart: csrf, title, file, public).
pub(crate) async fn upload_evidence(
    State(app): State<AppState>,
    req: PageRequest,
    who: Who,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> Response {
    let ctx = Ctx::new(app, req, who);
    let result = async {
        let mut upload = crate::evidence::read_upload(multipart).await?;
        if upload.too_large && upload.field("csrf").is_none() {
            // The body limit refused the request before any field could be read (its
            // length is announced): nothing was written, and the form is one link away.
            let max = (MAX_EVIDENCE_BYTES / (1024 * 1024)).to_string();
            let message = ctx.lang().format("rm.too_large", &[("max", &max)]);
            return ctx.page(
                StatusCode::PAYLOAD_TOO_LARGE,
                &message,
                format!(
                    "<h1>{}</h1><p><a href=\"/roadmap/reports/{id}\">{}</a></p>",
                    escape(&message),
                    ctx.t("rm.back_to_report")
                ),
            );
        }
        ctx.who.check_csrf(upload.field("csrf"))?;
        let report = ctx.store().report(id).await?;
        reporter_check(&ctx, &report).await?;
        let (file_name, bytes) = upload.file.take().unwrap_or_default();
        if upload.too_large {
            let max = (MAX_EVIDENCE_BYTES / (1024 * 1024)).to_string();
            let message = format!(
                "{file_name:?}: {}",
                ctx.lang().format("rm.too_large", &[("max", &max)])
            );
            return report_page(
                &ctx,
                id,
                Some(ReportRetry::Evidence(
                    message,
                    StatusCode::PAYLOAD_TOO_LARGE,
                )),
            )
            .await;
        }
        let evidence = match crate::evidence::file_evidence(
            &ctx.app,
            upload.field("title").unwrap_or(""),
            upload.checked("public"),
            &file_name,
            bytes,
        )
        .await?
        {
            Ok(evidence) => evidence,
            Err(error) => {
                let status = match error {
                    UploadError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
                    _ => StatusCode::UNPROCESSABLE_ENTITY,
                };
                let evidence = ReportRetry::Evidence(error.to_string(), status);
                return report_page(&ctx, id, Some(evidence)).await;
            }
        };
        match ctx
            .store()
            .add_evidence(&ctx.who.actor(), id, evidence)
            .await
        {
            Ok(_) => see_other(&format!("/roadmap/reports/{id}")),
            Err(error) => {
                let error = ApiError::from(error);
                if error.code == ErrorCode::InvalidInput {
                    report_page(
                        &ctx,
                        id,
                        Some(ReportRetry::Evidence(
                            error.message,
                            StatusCode::UNPROCESSABLE_ENTITY,
                        )),
                    )
                    .await
                } else {
                    Err(error)
                }
            }
        }
    }
    .await;
    ctx.finish(result)
}

/// `POST /roadmap/reports/{id}/links`.
pub(crate) async fn add_link(
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
        let report = ctx.store().report(id).await?;
        reporter_check(&ctx, &report).await?;
        let evidence = NewEvidence::Link {
            title: form.text("title").to_owned(),
            url: form.text("url").trim().to_owned(),
            public: form.checked("public"),
        };
        match ctx
            .store()
            .add_evidence(&ctx.who.actor(), id, evidence)
            .await
        {
            Ok(_) => see_other(&format!("/roadmap/reports/{id}")),
            Err(error) => {
                let error = ApiError::from(error);
                if error.code == ErrorCode::InvalidInput {
                    report_page(
                        &ctx,
                        id,
                        Some(ReportRetry::Evidence(
                            error.message,
                            StatusCode::UNPROCESSABLE_ENTITY,
                        )),
                    )
                    .await
                } else {
                    Err(error)
                }
            }
        }
    }
    .await;
    ctx.finish(result)
}

/// `POST /roadmap/reports/{id}/transition` with `to`, `version` and (to return) `comment`.
pub(crate) async fn transition(
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
        let next = ReportStatus::parse(form.text("to")).map_err(|e| invalid(e.to_string()))?;
        let report = ctx.store().report(id).await?;
        let action = ctx.store().action(report.action_id).await?;
        policy::require_transition(&ctx.who, &action, next)?;
        let comment = form.get("comment").filter(|c| !c.trim().is_empty());
        if next == ReportStatus::Returned && comment.is_none() {
            let error = invalid(ctx.lang().text("rm.comment_required"));
            let retry = retry_of(&error, &form);
            return report_page(&ctx, id, retry.map(ReportRetry::Edit)).await;
        }
        let version = form.number("version")?;
        match ctx
            .store()
            .transition_report(&ctx.who.actor(), id, version, next, comment)
            .await
        {
            Ok(_) => see_other(&format!("/roadmap/reports/{id}")),
            Err(error) => {
                let error = ApiError::from(error);
                match retry_of(&error, &form) {
                    Some(retry) => report_page(&ctx, id, Some(ReportRetry::Edit(retry))).await,
                    None => Err(error),
                }
            }
        }
    }
    .await;
    ctx.finish(result)
}

/// `GET /roadmap/evidence/{id}`: the file as an attachment, when the principal may see it.
pub(crate) async fn download(
    State(app): State<AppState>,
    req: PageRequest,
    who: Who,
    Path(id): Path<i64>,
) -> Response {
    let ctx = Ctx::new(app, req, who);
    let result = async {
        let file = crate::evidence::downloadable(&ctx.app, &ctx.who, id).await?;
        if let Some(url) = &file.evidence.url {
            if web_address(url) {
                return see_other(url);
            }
            return Err(not_found());
        }
        let response = crate::evidence::attachment(&ctx.app, file);
        Ok(response)
    }
    .await;
    ctx.finish(result)
}

/// `POST /roadmap/evidence/{id}/archive`.
pub(crate) async fn archive_evidence(
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
        // The record only: the file's content stays in the database.
        let (evidence, _) = ctx.store().evidence_with_length(id).await?;
        let report = ctx.store().report(evidence.report_id).await?;
        reporter_check(&ctx, &report).await?;
        ctx.store().archive_evidence(&ctx.who.actor(), id).await?;
        see_other(&format!("/roadmap/reports/{}", report.id))
    }
    .await;
    ctx.finish(result)
}
