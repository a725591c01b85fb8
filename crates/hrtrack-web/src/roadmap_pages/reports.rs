//! Progress reports with their evidence, assessments, the calendar, the inbox, and the
//! "Implementation" section of the public recommendation page.

use std::fmt::Write as _;

use axum::Form;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hrtrack_access::upload::{MAX_EVIDENCE_BYTES, check_upload};
use hrtrack_db::RecommendationFilter;
use hrtrack_db::roadmap::{
    AssessmentInput, NewEvidence, ProgressReport, ReportInput, ReportValue, RollupDimension,
    RollupRow,
};
use hrtrack_domain::{AssessmentStatus, Date, ImplementationLevel, Period, ReportStatus, Role};
use sha2::{Digest, Sha256};

use super::{
    Ctx, FormData, Handled, Retry, Who, code_options, field_area, field_check, field_select,
    field_text, hidden, invalid, retry_of, see_other, submit, words,
};
use crate::AppState;
use crate::auth::Principal;
use crate::error::{ApiError, ErrorCode};
use crate::html::{escape, url_encode};
use crate::pages::{PageError, PageRequest};
use crate::policy::{self, Permission};

fn not_found() -> ApiError {
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
    /// An evidence upload or link refused, with the message.
    Evidence(String),
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
        words(report.status.as_str()),
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
            Some(url) => format!(
                "<a href=\"{}\" rel=\"noopener\">{}</a>",
                escape(url),
                escape(&e.title)
            ),
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
        Some(ReportRetry::Evidence(m)) => (None, Some(m)),
        None => (None, None),
    };
    let mut status = Retry::status(&edit_retry);
    if editable {
        let mut current = FormData::default();
        current.set("narrative", report.narrative.clone());
        for v in &report.values {
            current.set(&format!("value_{}", v.indicator_id), v.value.clone());
        }
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
        if let Some(message) = &evidence_message {
            status = StatusCode::UNPROCESSABLE_ENTITY;
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

pub(crate) async fn update_report(
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
            Err(error) => match retry_of(&error, &form) {
                Some(retry) => report_page(&ctx, id, Some(ReportRetry::Edit(retry))).await,
                None => Err(error),
            },
        }
    }
    .await;
    ctx.finish(result)
}

/// The fields of a multipart form: text fields, and the one file with its name.
struct Upload {
    fields: FormData,
    file: Option<(String, Vec<u8>)>,
    too_large: bool,
}

async fn read_upload(mut multipart: Multipart) -> Result<Upload, ApiError> {
    let mut upload = Upload {
        fields: FormData::default(),
        file: None,
        too_large: false,
    };
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(error) => {
                if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    upload.too_large = true;
                    return Ok(upload);
                }
                return Err(ApiError::bad_request(error.body_text()));
            }
        };
        let name = field.name().unwrap_or("").to_owned();
        if name == "file" {
            let file_name = field.file_name().unwrap_or("").to_owned();
            match field.bytes().await {
                Ok(bytes) => upload.file = Some((file_name, bytes.to_vec())),
                Err(error) if error.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                    upload.too_large = true;
                    upload.file = Some((file_name, Vec::new()));
                }
                Err(error) => return Err(ApiError::bad_request(error.body_text())),
            }
        } else {
            let text = field
                .text()
                .await
                .map_err(|e| ApiError::bad_request(e.body_text()))?;
            upload.fields.set(&name, text);
        }
    }
    Ok(upload)
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
        let upload = read_upload(multipart).await?;
        if upload.too_large && upload.fields.get("csrf").is_none() {
            // The token may sit after the file: the limit cut it off.
            let max = (MAX_EVIDENCE_BYTES / (1024 * 1024)).to_string();
            let message = ctx.lang().format("rm.too_large", &[("max", &max)]);
            return ctx.page(
                StatusCode::PAYLOAD_TOO_LARGE,
                &message,
                format!("<h1>{}</h1>", escape(&message)),
            );
        }
        ctx.who.check_csrf(upload.fields.get("csrf"))?;
        let report = ctx.store().report(id).await?;
        reporter_check(&ctx, &report).await?;
        let (file_name, bytes) = upload.file.unwrap_or_default();
        if upload.too_large {
            let max = (MAX_EVIDENCE_BYTES / (1024 * 1024)).to_string();
            let message = format!(
                "{file_name:?}: {}",
                ctx.lang().format("rm.too_large", &[("max", &max)])
            );
            return report_page(&ctx, id, Some(ReportRetry::Evidence(message))).await;
        }
        let checked = match check_upload(&file_name, &bytes) {
            Ok(checked) => checked,
            Err(error) => {
                return report_page(&ctx, id, Some(ReportRetry::Evidence(error.to_string()))).await;
            }
        };
        let digest = Sha256::digest(&bytes);
        let sha256 = digest.iter().fold(String::new(), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        });
        let evidence = NewEvidence::File {
            title: upload.fields.text("title").to_owned(),
            file_name: checked.file_name,
            media_type: checked.media_type.to_owned(),
            sha256,
            content: bytes,
            public: upload.fields.checked("public"),
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
                    report_page(&ctx, id, Some(ReportRetry::Evidence(error.message))).await
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
                    report_page(&ctx, id, Some(ReportRetry::Evidence(error.message))).await
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
        if next == ReportStatus::Submitted {
            reporter_check(&ctx, &report).await?;
        } else {
            policy::require(&ctx.who, Permission::ReviewReports)?;
        }
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
        let hidden_error = || {
            if ctx.who.user().is_some() {
                ApiError::forbidden("you may not see this evidence")
            } else {
                not_found()
            }
        };
        let file = ctx.store().evidence_file(id).await?;
        let report = ctx.store().report(file.evidence.report_id).await?;
        let action = ctx.store().action(report.action_id).await?;
        let roadmap = ctx.store().roadmap(action.roadmap_id).await?;
        if !policy::sees_report(&ctx.who, &roadmap, &action, &report)
            || !policy::sees_evidence(&ctx.who, &report, &file.evidence)
        {
            return Err(hidden_error());
        }
        if let Some(url) = &file.evidence.url {
            return see_other(url);
        }
        let (name, _) = hrtrack_access::upload::sanitize_file_name(
            file.evidence.file_name.as_deref().unwrap_or("evidence"),
        );
        let ascii: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let disposition = format!(
            "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
            url_encode(&name)
        );
        let media = file
            .evidence
            .media_type
            .clone()
            .unwrap_or_else(|| "application/octet-stream".to_owned());
        let mut response = file.content.into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_str(&media)
                .unwrap_or(HeaderValue::from_static("application/octet-stream")),
        );
        if let Ok(value) = HeaderValue::from_str(&disposition) {
            headers.insert(header::CONTENT_DISPOSITION, value);
        }
        headers.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
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
        let file = ctx.store().evidence_file(id).await?;
        let report = ctx.store().report(file.evidence.report_id).await?;
        reporter_check(&ctx, &report).await?;
        ctx.store().archive_evidence(&ctx.who.actor(), id).await?;
        see_other(&format!("/roadmap/reports/{}", report.id))
    }
    .await;
    ctx.finish(result)
}

// ---------------------------------------------------------------------------------------
// Assessments.

fn assessment_input(form: &FormData, uid: &str, shadow: bool) -> Result<AssessmentInput, ApiError> {
    Ok(AssessmentInput {
        recommendation_uid: uid.to_owned(),
        period: Period::parse(form.text("period")).map_err(|e| invalid(e.to_string()))?,
        level: ImplementationLevel::parse(form.text("level"))
            .map_err(|e| invalid(e.to_string()))?,
        summary: form.text("summary").to_owned(),
        shadow,
        status: AssessmentStatus::parse(form.get("status").unwrap_or("draft"))
            .map_err(|e| invalid(e.to_string()))?,
        reports: form
            .list("reports")
            .iter()
            .filter_map(|r| r.parse().ok())
            .collect(),
        archived: form.checked("archived"),
    })
}

/// Whether the principal writes shadow assessments (a reviewer) or the government's.
fn assessor(principal: &Principal) -> Result<bool, ApiError> {
    match policy::require(principal, Permission::AssessAsReviewer) {
        Ok(_) => Ok(true),
        Err(_) => policy::require(principal, Permission::AssessForGovernment).map(|_| false),
    }
}

fn assessment_fields(ctx: &Ctx, values: &FormData) -> String {
    let levels = code_options(
        &ImplementationLevel::ALL
            .iter()
            .map(|l| l.as_str())
            .collect::<Vec<_>>(),
    );
    let statuses = code_options(&["draft", "published"]);
    format!(
        "{}{}{}{}{}",
        field_text(&ctx.t("rm.period"), "period", values.text("period"), true),
        field_select(&ctx.t("rm.level"), "level", &levels, values.text("level")),
        field_area(&ctx.t("rm.summary"), "summary", values.text("summary")),
        field_select(
            &ctx.t("rm.status"),
            "status",
            &statuses,
            values.text("status")
        ),
        field_text(
            &ctx.t("rm.report_ids"),
            "reports",
            values.text("reports"),
            false
        ),
    )
}

/// A page that shows an assessment form again (422 or 409).
fn assessment_retry(ctx: &Ctx, action: &str, version: Option<i64>, retry: Retry<'_>) -> Handled {
    let status = Retry::status(&Some(retry_ref(&retry)));
    let values = match &retry {
        Retry::Invalid(form, _) => (*form).clone(),
        Retry::Stale(_) => FormData::default(),
    };
    let notice = ctx.retry_notice(&Some(retry));
    let body = format!(
        "<h1>{}</h1>{notice}{}{}{}{}",
        ctx.t("rm.assessment"),
        ctx.form(action),
        version
            .map(|v| hidden("version", &v.to_string()))
            .unwrap_or_default(),
        assessment_fields(ctx, &values),
        submit(&ctx.t("rm.save"))
    );
    ctx.page(status, ctx.lang().text("rm.assessment"), body)
}

fn retry_ref<'a>(retry: &Retry<'a>) -> Retry<'a> {
    match retry {
        Retry::Invalid(form, message) => Retry::Invalid(form, message.clone()),
        Retry::Stale(form) => Retry::Stale(form),
    }
}

/// `POST /recommendations/{uid}/assessments`.
pub(crate) async fn create_assessment(
    State(app): State<AppState>,
    req: PageRequest,
    who: Who,
    Path(uid): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let ctx = Ctx::new(app, req, who);
    let form = FormData(form);
    let result = async {
        ctx.who.check_csrf(form.get("csrf"))?;
        let shadow = assessor(&ctx.who)?;
        let written = async {
            let input = assessment_input(&form, &uid, shadow)?;
            Ok::<_, ApiError>(
                ctx.store()
                    .create_assessment(&ctx.who.actor(), input)
                    .await?,
            )
        }
        .await;
        let back = format!("/recommendations/{}", url_encode(&uid));
        match written {
            Ok(_) => see_other(&back),
            Err(error) => match retry_of(&error, &form) {
                Some(retry) => assessment_retry(&ctx, &format!("{back}/assessments"), None, retry),
                None => Err(error),
            },
        }
    }
    .await;
    ctx.finish(result)
}

/// `POST /roadmap/assessments/{id}` (with `version`).
pub(crate) async fn update_assessment(
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
        let shadow = assessor(&ctx.who)?;
        let old = ctx.store().assessment(id).await?;
        if old.shadow != shadow || (shadow && old.author_id != ctx.who.user().map(|u| u.id)) {
            return Err(ApiError::forbidden("this assessment is not yours to edit"));
        }
        let written = async {
            let input = assessment_input(&form, &old.recommendation_uid, shadow)?;
            let version = form.number("version")?;
            Ok::<_, ApiError>(
                ctx.store()
                    .update_assessment(&ctx.who.actor(), id, version, input)
                    .await?,
            )
        }
        .await;
        match written {
            Ok(a) => see_other(&format!(
                "/recommendations/{}",
                url_encode(&a.recommendation_uid)
            )),
            Err(error) => match retry_of(&error, &form) {
                Some(retry) => {
                    let current = ctx.store().assessment(id).await?;
                    assessment_retry(
                        &ctx,
                        &format!("/roadmap/assessments/{id}"),
                        Some(current.version),
                        retry,
                    )
                }
                None => Err(error),
            },
        }
    }
    .await;
    ctx.finish(result)
}

// ---------------------------------------------------------------------------------------
// Calendar and inbox.

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
        for d in &due {
            let status = match (d.report_id, d.report_status) {
                (Some(id), Some(s)) => format!("<a href=\"/roadmap/reports/{id}\">{}</a>", words(s.as_str())),
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
        let _ = write!(body, "</tbody></table><h2>{}</h2><ul>", ctx.t("rm.un_deadlines"));
        for d in ctx.store().un_deadlines().await? {
            let _ = write!(
                body,
                "<li>{}{} · {} · <a href=\"/roadmap/{}\">{}</a></li>",
                if d.approximate { "~" } else { "" },
                d.due_date,
                words(d.kind),
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

// ---------------------------------------------------------------------------------------
// The public recommendation page's "Implementation" section.

/// A roll-up as a table: one row per group, one column per level.
pub(crate) fn rollup_table<'a>(ctx: &Ctx, rows: impl Iterator<Item = &'a RollupRow>) -> String {
    let mut out = String::from("<table class=\"rollup\"><thead><tr><th></th>");
    for level in ImplementationLevel::ALL {
        let _ = write!(out, "<th>{}</th>", words(level.as_str()));
    }
    let _ = write!(out, "<th>{}</th></tr></thead><tbody>", ctx.t("rm.assessed"));
    for row in rows {
        let _ = write!(out, "<tr><th>{}</th>", escape(&row.label));
        for level in ImplementationLevel::ALL {
            let _ = write!(
                out,
                "<td>{}</td>",
                row.levels.get(level).copied().unwrap_or(0)
            );
        }
        let _ = write!(out, "<td>{}</td></tr>", row.assessed);
    }
    out.push_str("</tbody></table>");
    out
}

/// The Roadmap's part of `/recommendations/{uid}`, for this principal: visible actions with
/// their published reports and public evidence, assessments (government and shadow side by
/// side) and the roll-up of the review. Never cached.
pub(crate) async fn implementation_section(
    app: &AppState,
    req: &PageRequest,
    principal: &Principal,
    uid: &str,
) -> Result<String, PageError> {
    let ctx = Ctx {
        app: app.clone(),
        req: req.clone(),
        who: principal.clone(),
    };
    section(&ctx, uid).await.map_err(PageError::from)
}

async fn section(ctx: &Ctx, uid: &str) -> Result<String, ApiError> {
    let store = ctx.store();
    let staff = policy::require(&ctx.who, Permission::ReadInternal).is_ok();
    let mut body = format!(
        "<section class=\"implementation\"><h2>{}</h2>",
        ctx.t("rm.implementation")
    );
    let mut any = false;
    for action in store.actions_of_recommendation(uid).await? {
        let roadmap = store.roadmap(action.roadmap_id).await?;
        if !policy::sees_action(&ctx.who, &roadmap, &action) {
            continue;
        }
        any = true;
        let _ = write!(
            body,
            "<h3><a href=\"/roadmap/actions/{}\">{}</a></h3><p>{}</p>",
            action.id,
            escape(&action.title),
            words(action.status.as_str())
        );
        let reports = store
            .reports(&hrtrack_db::roadmap::ReportFilter {
                action_id: Some(action.id),
                ..Default::default()
            })
            .await?;
        for report in reports
            .iter()
            .filter(|r| r.status == ReportStatus::Published)
        {
            if !policy::sees_report(&ctx.who, &roadmap, &action, report) {
                continue;
            }
            let _ = write!(
                body,
                "<article class=\"report\"><h4>{}</h4><p>{}</p><ul>",
                escape(
                    &ctx.lang()
                        .format("rm.report_title", &[("date", &report.due_date.to_string())])
                ),
                escape(&report.narrative)
            );
            for e in report.evidence.iter().filter(|e| e.public || staff) {
                if !policy::sees_evidence(&ctx.who, report, e) {
                    continue;
                }
                let href = match &e.url {
                    Some(url) => url.clone(),
                    None => format!("/roadmap/evidence/{}", e.id),
                };
                let _ = write!(
                    body,
                    "<li><a href=\"{}\">{}</a></li>",
                    escape(&href),
                    escape(&e.title)
                );
            }
            body.push_str("</ul></article>");
        }
    }
    if !any {
        let _ = write!(body, "<p>{}</p>", ctx.t("rm.no_actions"));
    }
    // Assessments, government and shadow side by side.
    let assessments = store.assessments_of(uid).await?;
    let me = ctx.who.user().map(|u| u.id);
    let _ = write!(
        body,
        "<h3>{}</h3><div class=\"columns\">",
        ctx.t("rm.assessments")
    );
    for (shadow, key) in [(false, "rm.government"), (true, "rm.shadow")] {
        let _ = write!(body, "<div><h4>{}</h4><ul>", ctx.t(key));
        for a in assessments.iter().filter(|a| a.shadow == shadow) {
            let draft = a.status == AssessmentStatus::Draft;
            if draft && !(staff || (shadow && a.author_id == me)) {
                continue;
            }
            let _ = write!(
                body,
                "<li>{} · <strong>{}</strong>{} · {}<br>{}",
                escape(a.period.as_str()),
                words(a.level.as_str()),
                if draft {
                    format!(" <em>({})</em>", ctx.t("rm.draft"))
                } else {
                    String::new()
                },
                escape(a.author_name.as_deref().unwrap_or("")),
                escape(&a.summary)
            );
            let mine = match assessor(&ctx.who) {
                Ok(true) => a.shadow && a.author_id == me,
                Ok(false) => !a.shadow,
                Err(_) => false,
            };
            if mine {
                let mut v = FormData::default();
                v.set("period", a.period.as_str());
                v.set("level", a.level.as_str());
                v.set("summary", a.summary.clone());
                v.set("status", a.status.as_str());
                v.set(
                    "reports",
                    a.reports
                        .iter()
                        .map(i64::to_string)
                        .collect::<Vec<_>>()
                        .join(", "),
                );
                let _ = write!(
                    body,
                    "<details><summary>{}</summary>{}{}{}{}</details>",
                    ctx.t("rm.edit"),
                    ctx.form(&format!("/roadmap/assessments/{}", a.id)),
                    hidden("version", &a.version.to_string()),
                    assessment_fields(ctx, &v),
                    submit(&ctx.t("rm.save"))
                );
            }
            body.push_str("</li>");
        }
        body.push_str("</ul></div>");
    }
    body.push_str("</div>");
    if assessor(&ctx.who).is_ok() {
        let _ = write!(
            body,
            "<details><summary>{}</summary>{}{}{}</details>",
            ctx.t("rm.create_assessment"),
            ctx.form(&format!("/recommendations/{}/assessments", url_encode(uid))),
            assessment_fields(ctx, &FormData::default()),
            submit(&ctx.t("rm.create"))
        );
    }
    // The roll-up of the recommendation's review.
    let filter = RecommendationFilter {
        uid: Some(uid.to_owned()),
        ..RecommendationFilter::default()
    };
    if let Some(record) = store.list(&filter, Some(1), 0).await?.pop()
        && let Some(cycle) = record.cycle
    {
        let review = format!("{}/{}/{cycle}", record.state_iso3, record.mechanism);
        let rollup = store.rollup(RollupDimension::Review, Some(&review)).await?;
        if !rollup.rows.is_empty() {
            let _ = write!(body, "<h3>{}</h3>", ctx.t("rm.rollup"));
            body.push_str(&rollup_table(ctx, rollup.rows.iter()));
        }
    }
    body.push_str("</section>");
    Ok(body)
}
