//! The SDG data collection workflow on the web: a data provider sends a new version of an
//! indicator's data (the XLSX template, Open SDG CSV, SDMX-CSV or SDMX-ML), validation runs
//! at once and answers with a report by row and column; a statistician reads the report and
//! what the version changes, then approves it (now or at an embargo time) or returns it with
//! a comment. Published versions are public, with "what changed" between any two.
//!
//! Pages (forms, no JavaScript) and the JSON API share the reading and validation of a file
//! ([`check_file`]) and call the same store functions; who may do what is asked of
//! [`crate::policy`].

use std::fmt::Write as _;

use axum::Json;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use hrtrack_db::Store;
use hrtrack_db::sdg_collection::{
    DataChanges, Decision, Submission, SubmissionFilter, SubmissionInput,
};
use hrtrack_db::sdg_reference::{METADATA_FIELDS, METADATA_LANGUAGES};
use hrtrack_domain::SubmissionStatus;
use hrtrack_sdg::codelists::CodeLists;
use hrtrack_sdg::validate::{ValidationOptions, ValidationReport, validate};
use hrtrack_sdg::{Dataset, Observation, SdgReadError};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::AppState;
use crate::auth::Principal;
use crate::error::ApiError;
use crate::evidence::read_upload;
use crate::html::escape;
use crate::policy::{self, Permission};
use crate::roadmap_pages::{
    Ctx, FormData, Handled, Who, field_area, field_checks, hidden, invalid, see_other, submit,
    words,
};

/// The most observations a submission may hold.
const MAX_SUBMISSION_OBSERVATIONS: usize = 200_000;
/// Rows of a report or of a list of changes shown on a page (the API gives all).
const SHOWN_ROWS: usize = 300;

/// A file read and validated, ready to be stored.
pub(crate) struct CheckedFile {
    pub dataset: Dataset,
    pub report: ValidationReport,
    /// The published version the file was validated against.
    pub base_version: i64,
}

/// Why a file cannot be stored: it could not be read (every problem, by place), or its
/// validation found errors.
pub(crate) enum FileProblem {
    Unreadable(Vec<SdgReadError>),
    Invalid(ValidationReport),
}

impl FileProblem {
    /// The API's 422 `validation_failed`, with every problem.
    pub fn into_api_error(self, file_name: &str) -> ApiError {
        match self {
            FileProblem::Unreadable(errors) => {
                let problems: Vec<Value> = errors
                    .iter()
                    .map(|e| json!({"place": e.place, "message": e.message}))
                    .collect();
                ApiError::validation_failed(
                    format!(
                        "{file_name} cannot be read: {} problem(s); nothing was stored",
                        errors.len()
                    ),
                    json!({"file": file_name, "problems": problems}),
                )
            }
            FileProblem::Invalid(report) => ApiError::validation_failed(
                format!(
                    "{file_name}: the validation found {} error(s) and {} warning(s); nothing was stored",
                    report.errors(),
                    report.warnings()
                ),
                serde_json::to_value(&report).unwrap_or(Value::Null),
            ),
        }
    }
}

/// The code lists loaded in the store.
async fn code_lists(store: &Store) -> Result<CodeLists, ApiError> {
    Ok(store.sdg_codelists().await?)
}

/// Reads a data file of any supported format for `indicator` and validates it against the
/// code lists and the published data. The reading and the validation run off the async
/// runtime, in one of the application's parsing slots (503 `busy` when none frees up).
pub(crate) async fn check_file(
    app: &AppState,
    indicator: &str,
    file_name: &str,
    bytes: Vec<u8>,
) -> Result<Result<CheckedFile, FileProblem>, ApiError> {
    let codes = code_lists(app.store()).await?;
    // The version first: if one is published meanwhile, the submission is sent back rather
    // than published over data it was not checked against.
    let base_version = app.store().sdg_latest_version(indicator).await?;
    let published = app.store().sdg_published_observations(indicator).await?;
    let indicator = indicator.to_owned();
    let name = file_name.to_owned();
    app.parsing()
        .run(file_name, move || {
            read_and_validate(&indicator, &name, &bytes, &codes, &published, base_version)
        })
        .await
}

/// [`check_file`]'s work, on a blocking thread.
fn read_and_validate(
    indicator: &str,
    file_name: &str,
    bytes: &[u8],
    codes: &CodeLists,
    published: &[Observation],
    base_version: i64,
) -> Result<CheckedFile, FileProblem> {
    let mut dataset = match hrtrack_sdg::read_any(bytes, file_name) {
        Ok(dataset) => dataset,
        Err(errors) => return Err(FileProblem::Unreadable(errors)),
    };
    if dataset.observations.len() > MAX_SUBMISSION_OBSERVATIONS {
        return Err(FileProblem::Unreadable(vec![SdgReadError::new(
            file_name,
            "file",
            format!(
                "{} observations: at most {MAX_SUBMISSION_OBSERVATIONS} per submission",
                dataset.observations.len()
            ),
        )]));
    }
    let wrong: Vec<SdgReadError> = dataset
        .observations
        .iter()
        .enumerate()
        .filter_map(|(index, obs)| match obs.indicator.as_deref() {
            Some(other) if other != indicator => Some(SdgReadError::new(
                file_name,
                dataset.place_of(index),
                format!("this is data of indicator {other}, not {indicator}"),
            )),
            _ => None,
        })
        .take(20)
        .collect();
    if !wrong.is_empty() {
        return Err(FileProblem::Unreadable(wrong));
    }
    for obs in &mut dataset.observations {
        obs.indicator = Some(indicator.to_owned());
    }
    let report = validate(&dataset, codes, published, &ValidationOptions::default());
    if report.is_acceptable() {
        Ok(CheckedFile {
            dataset,
            report,
            base_version,
        })
    } else {
        Err(FileProblem::Invalid(report))
    }
}

/// Stores a checked file as a submission of `user`.
async fn store_submission(
    store: &Store,
    who: &Principal,
    indicator: &str,
    note: &str,
    file_name: &str,
    checked: CheckedFile,
) -> Result<Submission, ApiError> {
    let providers = store.sdg_providers(indicator).await?;
    let user = policy::require_sdg_provider(who, &providers)?;
    let input = SubmissionInput {
        base_version: Some(checked.base_version),
        indicator: indicator.to_owned(),
        file_name: file_name.to_owned(),
        format: hrtrack_db::sdg_data::format_code(checked.dataset.format).to_owned(),
        note: note.to_owned(),
        errors: checked.report.errors(),
        warnings: checked.report.warnings(),
        report: serde_json::to_value(&checked.report).unwrap_or(Value::Null),
        observations: checked.dataset.observations,
        institution_id: user.institutions.first().copied(),
    };
    Ok(store.submit_sdg_data(&who.actor(), input).await?)
}

/// Whether the principal may see a submission: its sender, statisticians, administrators.
fn sees_submission(who: &Principal, submission: &Submission) -> Result<(), ApiError> {
    let user = policy::require_user(who)?;
    if user.id == submission.submitted_by
        || policy::role_allows(user.role, Permission::ReviewSdgData)
    {
        Ok(())
    } else {
        Err(ApiError::forbidden("you may not see this submission"))
    }
}

/// The submissions a principal's list shows: all for statisticians, their own for providers.
fn list_filter(
    who: &Principal,
    status: Option<SubmissionStatus>,
) -> Result<SubmissionFilter, ApiError> {
    let user = policy::require(who, Permission::SubmitSdgData)?;
    Ok(SubmissionFilter {
        status,
        indicator: None,
        submitted_by: (!policy::role_allows(user.role, Permission::ReviewSdgData))
            .then_some(user.id),
    })
}

fn decision_of(
    kind: &str,
    publish_at: Option<String>,
    comment: Option<String>,
) -> Result<Decision, ApiError> {
    match kind {
        "approve" => Ok(Decision::Approve { publish_at }),
        "return" => Ok(Decision::Return {
            comment: comment.unwrap_or_default(),
        }),
        other => Err(invalid(format!(
            "decision {other:?}: one of approve, return"
        ))),
    }
}

// ---------------------------------------------------------------------------------------
// API

/// `POST /api/v1/sdg/submissions` (multipart: `indicator`, `note`, `file`).
pub(crate) async fn api_submit(
    State(app): State<AppState>,
    who: Who,
    headers: axum::http::HeaderMap,
    multipart: Multipart,
) -> Response {
    let result = async {
        let who = who.0;
        policy::require(&who, Permission::SubmitSdgData)?;
        who.check_api_csrf(&headers)?;
        let upload = read_upload(multipart).await?;
        let indicator = upload.field("indicator").unwrap_or("").trim().to_owned();
        let note = upload.field("note").unwrap_or("").to_owned();
        let Some((file_name, bytes)) = upload.file else {
            return Err(invalid("a `file` part is required"));
        };
        if upload.too_large {
            return Err(invalid(format!("{file_name} is too large")));
        }
        let file_name = if file_name.is_empty() {
            "upload".to_owned()
        } else {
            file_name
        };
        match check_file(&app, &indicator, &file_name, bytes).await? {
            Err(problem) => Err(problem.into_api_error(&file_name)),
            Ok(checked) => {
                let submission =
                    store_submission(app.store(), &who, &indicator, &note, &file_name, checked)
                        .await?;
                Ok((StatusCode::CREATED, Json(submission)).into_response())
            }
        }
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}

#[derive(Debug, Deserialize)]
pub(crate) struct ListQuery {
    status: Option<String>,
}

/// `GET /api/v1/sdg/submissions[?status=submitted]`.
pub(crate) async fn api_submissions(
    State(app): State<AppState>,
    who: Who,
    Query(q): Query<ListQuery>,
) -> Response {
    let result = async {
        let status = q
            .status
            .as_deref()
            .filter(|s| !s.is_empty())
            .map(SubmissionStatus::parse)
            .transpose()
            .map_err(|e| ApiError::bad_request(e.to_string()))?;
        let filter = list_filter(&who.0, status)?;
        let mut list = app.store().sdg_submissions(&filter).await?;
        for s in &mut list {
            s.report = Value::Null;
        }
        Ok::<_, ApiError>(Json(json!({ "submissions": list })).into_response())
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}

/// `GET /api/v1/sdg/submissions/{id}`: the submission with its report.
pub(crate) async fn api_submission(
    State(app): State<AppState>,
    who: Who,
    Path(id): Path<i64>,
) -> Response {
    let result = async {
        let submission = app.store().sdg_submission(id).await?;
        sees_submission(&who.0, &submission)?;
        Ok::<_, ApiError>(Json(submission).into_response())
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}

#[derive(Debug, Deserialize)]
pub(crate) struct DecisionBody {
    version: i64,
    decision: String,
    publish_at: Option<String>,
    comment: Option<String>,
}

/// `POST /api/v1/sdg/submissions/{id}/decision` with `{version, decision: approve|return,
/// publish_at?, comment?}`.
pub(crate) async fn api_decide(
    State(app): State<AppState>,
    who: Who,
    headers: axum::http::HeaderMap,
    Path(id): Path<i64>,
    Json(body): Json<DecisionBody>,
) -> Response {
    let result = async {
        let who = who.0;
        policy::require(&who, Permission::ReviewSdgData)?;
        who.check_api_csrf(&headers)?;
        let decision = decision_of(&body.decision, body.publish_at, body.comment)?;
        let submission = app
            .store()
            .decide_sdg_submission(&who.actor(), id, body.version, decision)
            .await?;
        if submission.status == SubmissionStatus::Published {
            app.published_data_changed().await;
        }
        Ok::<_, ApiError>(Json(submission).into_response())
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}

/// `GET /api/v1/sdg/indicators/{code}/versions`.
pub(crate) async fn api_versions(
    State(app): State<AppState>,
    Path(code): Path<String>,
) -> Response {
    match app.store().sdg_versions(&code).await {
        Ok(versions) => Json(json!({ "indicator": code, "versions": versions })).into_response(),
        Err(e) => ApiError::from(e).into_response(),
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct ChangesQuery {
    from: Option<i64>,
    to: Option<i64>,
}

/// `GET /api/v1/sdg/indicators/{code}/changes?from=1&to=2`.
pub(crate) async fn api_changes(
    State(app): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<ChangesQuery>,
) -> Response {
    let result = async {
        let (from, to) = versions_to_compare(app.store(), &code, q.from, q.to).await?;
        let changes = app.store().sdg_version_changes(&code, from, to).await?;
        Ok::<_, ApiError>(
            Json(json!({"indicator": code, "from": from, "to": to, "changes": changes}))
                .into_response(),
        )
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}

/// The versions to compare: those asked, else the last two.
async fn versions_to_compare(
    store: &Store,
    code: &str,
    from: Option<i64>,
    to: Option<i64>,
) -> Result<(i64, i64), ApiError> {
    let versions = store.sdg_versions(code).await?;
    let latest = versions.first().map(|v| v.number);
    match (from, to, latest) {
        (Some(from), Some(to), _) => Ok((from, to)),
        (None, None, Some(latest)) if latest >= 2 => Ok((latest - 1, latest)),
        (from, None, Some(latest)) => Ok((from.unwrap_or(latest), latest)),
        _ => Err(ApiError::new(
            crate::error::ErrorCode::RecordNotFound,
            format!("indicator {code} has fewer than two published versions"),
        )),
    }
}

// ---------------------------------------------------------------------------------------
// Pages

/// `GET /sdg/submit[?indicator=5.5.1]`: the form a data provider sends a file with.
pub(crate) async fn submit_form(
    State(app): State<AppState>,
    req: crate::pages::PageRequest,
    who: Who,
) -> Response {
    let ctx = Ctx::new(app, req, who);
    let result = async {
        policy::require(&ctx.who, Permission::SubmitSdgData)?;
        let indicator = ctx.req.query.get("indicator").unwrap_or("").to_owned();
        submit_page(&ctx, &indicator, "", StatusCode::OK, "")
    }
    .await;
    ctx.finish(result)
}

fn submit_page(
    ctx: &Ctx,
    indicator: &str,
    note: &str,
    status: StatusCode,
    notice: &str,
) -> Handled {
    let title = ctx.lang().text("sdgc.submit_title").to_owned();
    let mut body = format!(
        "<h1>{}</h1>{notice}<p>{}</p>",
        escape(&title),
        ctx.t("sdgc.submit_help")
    );
    if !indicator.is_empty() {
        let _ = write!(
            body,
            "<p><a href=\"/sdg/indicators/{0}/template.xlsx?lang={2}\">{1}</a></p>",
            escape(indicator),
            escape(
                &ctx.lang()
                    .format("sdgc.template_link", &[("indicator", indicator)])
            ),
            ctx.lang().code()
        );
    }
    let _ = write!(
        body,
        "<form method=\"post\" action=\"/sdg/submit\" enctype=\"multipart/form-data\" class=\"edit\">{}\
         <label>{} <input name=\"indicator\" required value=\"{}\" placeholder=\"5.5.1\"></label>\
         <label>{} <input type=\"file\" name=\"file\" required accept=\".xlsx,.csv,.xml\"></label>{}{}</form>",
        ctx.csrf(),
        ctx.t("sdgc.indicator"),
        escape(indicator),
        ctx.t("sdgc.file"),
        field_area(ctx.lang().text("sdgc.note"), "note", note),
        submit(ctx.lang().text("sdgc.send"))
    );
    ctx.page(status, &title, body)
}

/// `POST /sdg/submit` (multipart): reads and validates the file; a file with errors comes
/// back with its report (422) and nothing stored, else 303 to the new submission.
pub(crate) async fn send_file(
    State(app): State<AppState>,
    req: crate::pages::PageRequest,
    who: Who,
    multipart: Multipart,
) -> Response {
    let ctx = Ctx::new(app, req, who);
    let result = async {
        let upload = read_upload(multipart).await?;
        ctx.who.check_csrf(upload.field("csrf"))?;
        policy::require(&ctx.who, Permission::SubmitSdgData)?;
        let indicator = upload.field("indicator").unwrap_or("").trim().to_owned();
        let note = upload.field("note").unwrap_or("").to_owned();
        let Some((file_name, bytes)) = upload.file else {
            return Err(invalid("choose a file"));
        };
        if upload.too_large {
            return Err(invalid(format!("{file_name} is too large")));
        }
        let checked = match check_file(&ctx.app, &indicator, &file_name, bytes).await? {
            Ok(checked) => checked,
            Err(problem) => {
                let notice = problem_html(&ctx, &file_name, &problem);
                return submit_page(
                    &ctx,
                    &indicator,
                    &note,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &notice,
                );
            }
        };
        match store_submission(
            ctx.store(),
            &ctx.who,
            &indicator,
            &note,
            &file_name,
            checked,
        )
        .await
        {
            Ok(submission) => see_other(&format!("/sdg/submissions/{}", submission.id)),
            Err(error) if error.code == crate::error::ErrorCode::InvalidInput => {
                let notice = format!(
                    "<p class=\"notice error\" role=\"alert\">{}</p>",
                    escape(&error.message)
                );
                submit_page(
                    &ctx,
                    &indicator,
                    &note,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &notice,
                )
            }
            Err(error) => Err(error),
        }
    }
    .await;
    ctx.finish(result)
}

/// The report of a refused file, as the page shows it above the form.
fn problem_html(ctx: &Ctx, file_name: &str, problem: &FileProblem) -> String {
    match problem {
        FileProblem::Unreadable(errors) => {
            let mut out = format!(
                "<div class=\"notice error\" role=\"alert\"><p>{}</p><table class=\"report\"><thead><tr><th>{}</th><th>{}</th></tr></thead><tbody>",
                escape(&ctx.lang().format(
                    "sdgc.unreadable",
                    &[("file", file_name), ("n", &errors.len().to_string())]
                )),
                ctx.t("sdgc.place"),
                ctx.t("sdgc.problem"),
            );
            for e in errors.iter().take(SHOWN_ROWS) {
                let _ = write!(
                    out,
                    "<tr><td>{}</td><td>{}</td></tr>",
                    escape(&e.place),
                    escape(&e.message)
                );
            }
            out.push_str("</tbody></table></div>");
            out
        }
        FileProblem::Invalid(report) => format!(
            "<div class=\"notice error\" role=\"alert\"><p>{}</p>{}</div>",
            escape(&ctx.lang().format(
                "sdgc.invalid",
                &[
                    ("file", file_name),
                    ("errors", &report.errors().to_string()),
                    ("warnings", &report.warnings().to_string())
                ]
            )),
            report_table(ctx, &serde_json::to_value(report).unwrap_or(Value::Null))
        ),
    }
}

/// A validation report (as stored, JSON) as a table: severity, place, column, value, message.
fn report_table(ctx: &Ctx, report: &Value) -> String {
    let issues = report
        .get("issues")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if issues.is_empty() {
        return format!("<p>{}</p>", ctx.t("sdgc.no_issues"));
    }
    let mut out = format!(
        "<table class=\"report\"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        ctx.t("sdgc.severity"),
        ctx.t("sdgc.place"),
        ctx.t("sdgc.column"),
        ctx.t("sdgc.value"),
        ctx.t("sdgc.problem"),
    );
    let text = |issue: &Value, name: &str| {
        issue
            .get(name)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned()
    };
    for issue in issues.iter().take(SHOWN_ROWS) {
        let severity = text(issue, "severity").to_ascii_lowercase();
        let _ = write!(
            out,
            "<tr class=\"{0}\"><td>{1}</td><td>{2}</td><td>{3}</td><td>{4}</td><td>{5}</td></tr>",
            escape(&severity),
            words(ctx.lang(), &severity),
            escape(&text(issue, "place")),
            escape(&text(issue, "column")),
            escape(&text(issue, "value")),
            escape(&text(issue, "message")),
        );
    }
    out.push_str("</tbody></table>");
    if issues.len() > SHOWN_ROWS {
        let _ = write!(
            out,
            "<p>{}</p>",
            escape(&ctx.lang().format(
                "sdgc.more_rows",
                &[("n", &(issues.len() - SHOWN_ROWS).to_string())]
            ))
        );
    }
    out
}

/// `GET /sdg/submissions[?status=…]`.
pub(crate) async fn submissions(
    State(app): State<AppState>,
    req: crate::pages::PageRequest,
    who: Who,
) -> Response {
    let ctx = Ctx::new(app, req, who);
    let result = async {
        let status = match ctx.req.query.get("status").filter(|s| !s.is_empty()) {
            Some(s) => Some(SubmissionStatus::parse(s).map_err(|e| ApiError::bad_request(e.to_string()))?),
            None => None,
        };
        let filter = list_filter(&ctx.who, status)?;
        let list = ctx.store().sdg_submissions(&filter).await?;
        let title = ctx.lang().text("sdgc.submissions").to_owned();
        let mut body = format!(
            "<h1>{}</h1><p><a href=\"/sdg/submit\">{}</a></p><form method=\"get\" action=\"/sdg/submissions\" class=\"filters\"><label>{} <select name=\"status\"><option value=\"\">—</option>",
            escape(&title),
            ctx.t("sdgc.submit_title"),
            ctx.t("rm.status"),
        );
        for s in SubmissionStatus::ALL {
            let selected = if status == Some(*s) { " selected" } else { "" };
            let _ = write!(body, "<option value=\"{}\"{selected}>{}</option>", s.as_str(), words(ctx.lang(), s.as_str()));
        }
        let _ = write!(
            body,
            "</select></label> {}</form><table><thead><tr><th>#</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
            submit(ctx.lang().text("sdgc.show")),
            ctx.t("sdgc.indicator"),
            ctx.t("rm.status"),
            ctx.t("sdgc.sent_by"),
            ctx.t("sdgc.sent_at"),
            ctx.t("sdgc.warnings"),
        );
        for s in &list {
            let _ = write!(
                body,
                "<tr><td><a href=\"/sdg/submissions/{0}\">{0}</a></td><td>{1}</td><td>{2}</td><td>{3}</td><td>{4}</td><td>{5}</td></tr>",
                s.id,
                escape(&s.indicator),
                words(ctx.lang(), s.status.as_str()),
                escape(&s.submitted_by_name),
                escape(&s.submitted_at),
                s.warnings,
            );
        }
        body.push_str("</tbody></table>");
        if list.is_empty() {
            let _ = write!(body, "<p>{}</p>", ctx.t("sdgc.none"));
        }
        ctx.page(StatusCode::OK, &title, body)
    }
    .await;
    ctx.finish(result)
}

/// `GET /sdg/submissions/{id}`: the submission, its report, what it changes, and the
/// statistician's decision forms.
pub(crate) async fn submission(
    State(app): State<AppState>,
    req: crate::pages::PageRequest,
    who: Who,
    Path(id): Path<i64>,
) -> Response {
    let ctx = Ctx::new(app, req, who);
    let result = submission_page(&ctx, id, StatusCode::OK, "").await;
    ctx.finish(result)
}

async fn submission_page(ctx: &Ctx, id: i64, status: StatusCode, notice: &str) -> Handled {
    let s = ctx.store().sdg_submission(id).await?;
    sees_submission(&ctx.who, &s)?;
    let title = ctx.lang().format(
        "sdgc.submission_title",
        &[("id", &id.to_string()), ("indicator", &s.indicator)],
    );
    let mut body = format!("<h1>{}</h1>{notice}<dl class=\"facts\">", escape(&title));
    let facts: [(&str, String); 8] = [
        (
            "sdgc.indicator",
            format!(
                "<a href=\"/sdg/indicators/{0}\">{0}</a>",
                escape(&s.indicator)
            ),
        ),
        ("rm.status", words(ctx.lang(), s.status.as_str())),
        ("sdgc.sent_by", escape(&s.submitted_by_name)),
        ("sdgc.sent_at", escape(&s.submitted_at)),
        (
            "sdgc.file",
            format!("{} ({})", escape(&s.file_name), escape(&s.format)),
        ),
        ("sdgc.observations", s.observations.to_string()),
        ("sdgc.note", escape(&s.note)),
        ("sdgc.warnings", s.warnings.to_string()),
    ];
    for (key, value) in facts {
        let _ = write!(body, "<dt>{}</dt><dd>{value}</dd>", ctx.t(key));
    }
    if let Some(by) = &s.decided_by_name {
        let _ = write!(
            body,
            "<dt>{}</dt><dd>{} — {}</dd>",
            ctx.t("sdgc.decided"),
            escape(by),
            escape(s.decided_at.as_deref().unwrap_or(""))
        );
    }
    if !s.decision_comment.is_empty() {
        let _ = write!(
            body,
            "<dt>{}</dt><dd class=\"comment\">{}</dd>",
            ctx.t("sdgc.comment"),
            escape(&s.decision_comment)
        );
    }
    if let Some(at) = &s.publish_at {
        let _ = write!(
            body,
            "<dt>{}</dt><dd>{}</dd>",
            ctx.t("sdgc.publish_at"),
            escape(at)
        );
    }
    if let Some(version) = s.published_version {
        let _ = write!(
            body,
            "<dt>{}</dt><dd><a href=\"/sdg/indicators/{}/versions\">{version}</a></dd>",
            ctx.t("sdgc.version"),
            escape(&s.indicator)
        );
    }
    let _ = write!(
        body,
        "</dl><h2>{}</h2>{}",
        ctx.t("sdgc.report"),
        report_table(ctx, &s.report)
    );

    // What it changes against the published data (before publication) or the version before.
    let observations = ctx.store().sdg_submission_observations(id).await?;
    let before = match s.published_version {
        Some(v) if v > 1 => {
            ctx.store()
                .sdg_version_observations(&s.indicator, v - 1)
                .await?
        }
        Some(_) => Vec::new(),
        None => ctx.store().sdg_published_observations(&s.indicator).await?,
    };
    let changes = hrtrack_db::sdg_collection::compare_observations(&before, &observations);
    let _ = write!(
        body,
        "<h2>{}</h2>{}",
        ctx.t("sdgc.changes"),
        changes_html(ctx, &changes)
    );

    let user = policy::require_user(&ctx.who)?;
    if s.status == SubmissionStatus::Submitted
        && policy::role_allows(user.role, Permission::ReviewSdgData)
    {
        let _ = write!(
            body,
            "<h2>{}</h2>{}{}{}{}<label>{} <input type=\"datetime-local\" name=\"publish_at\"></label>{}</form>",
            ctx.t("sdgc.approve"),
            ctx.form(&format!("/sdg/submissions/{id}/decision")),
            hidden("version", &s.version.to_string()),
            hidden("decision", "approve"),
            format_args!("<p>{}</p>", ctx.t("sdgc.embargo_help")),
            ctx.t("sdgc.publish_at"),
            submit(ctx.lang().text("sdgc.approve")),
        );
        let _ = write!(
            body,
            "<h2>{}</h2>{}{}{}{}{}</form>",
            ctx.t("sdgc.return"),
            ctx.form(&format!("/sdg/submissions/{id}/decision")),
            hidden("version", &s.version.to_string()),
            hidden("decision", "return"),
            field_area(ctx.lang().text("sdgc.comment"), "comment", ""),
            submit(ctx.lang().text("sdgc.return")),
        );
    }
    if s.status == SubmissionStatus::Returned && user.id == s.submitted_by {
        let _ = write!(
            body,
            "<p><a href=\"/sdg/submit?indicator={0}\">{1}</a></p>",
            escape(&s.indicator),
            ctx.t("sdgc.resubmit")
        );
    }
    ctx.page(status, &title, body)
}

/// Added, removed and changed observations as tables (the first [`SHOWN_ROWS`] of each).
fn changes_html(ctx: &Ctx, changes: &DataChanges) -> String {
    let mut out = format!(
        "<p>{}</p>",
        escape(&ctx.lang().format(
            "sdgc.change_counts",
            &[
                ("added", &changes.added.len().to_string()),
                ("changed", &changes.changed.len().to_string()),
                ("removed", &changes.removed.len().to_string()),
                ("unchanged", &changes.unchanged.to_string()),
            ]
        ))
    );
    let value = |o: &Observation| o.value.map_or_else(|| "—".to_owned(), |v| v.to_string());
    if !changes.changed.is_empty() {
        let _ = write!(
            out,
            "<table class=\"changes\"><caption>{}</caption><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
            ctx.t("sdgc.changed"),
            ctx.t("sdgc.key"),
            ctx.t("sdgc.before"),
            ctx.t("sdgc.after")
        );
        for c in changes.changed.iter().take(SHOWN_ROWS) {
            let _ = write!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&c.after.describe()),
                escape(&value(&c.before)),
                escape(&value(&c.after))
            );
        }
        out.push_str("</tbody></table>");
    }
    for (caption, list) in [
        ("sdgc.added", &changes.added),
        ("sdgc.removed", &changes.removed),
    ] {
        if list.is_empty() {
            continue;
        }
        let _ = write!(
            out,
            "<table class=\"changes\"><caption>{}</caption><thead><tr><th>{}</th><th>{}</th></tr></thead><tbody>",
            ctx.t(caption),
            ctx.t("sdgc.key"),
            ctx.t("sdgc.value")
        );
        for o in list.iter().take(SHOWN_ROWS) {
            let _ = write!(
                out,
                "<tr><td>{}</td><td>{}</td></tr>",
                escape(&o.describe()),
                escape(&value(o))
            );
        }
        out.push_str("</tbody></table>");
    }
    out
}

/// `POST /sdg/submissions/{id}/decision` (form: version, decision, publish_at, comment).
pub(crate) async fn decide(
    State(app): State<AppState>,
    req: crate::pages::PageRequest,
    who: Who,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> Response {
    let ctx = Ctx::new(app, req, who);
    let form = FormData(form);
    let result = async {
        ctx.who.check_csrf(form.get("csrf"))?;
        policy::require(&ctx.who, Permission::ReviewSdgData)?;
        let version = form.number("version")?;
        let decision = decision_of(
            form.text("decision"),
            form.get("publish_at").map(str::to_owned),
            form.get("comment").map(str::to_owned),
        )?;
        match ctx
            .store()
            .decide_sdg_submission(&ctx.who.actor(), id, version, decision)
            .await
        {
            Ok(submission) => {
                if submission.status == SubmissionStatus::Published {
                    ctx.app.published_data_changed().await;
                }
                see_other(&format!("/sdg/submissions/{id}"))
            }
            Err(error) => {
                let error = ApiError::from(error);
                match error.code {
                    crate::error::ErrorCode::InvalidInput
                    | crate::error::ErrorCode::StaleVersion => {
                        let notice = format!(
                            "<p class=\"notice error\" role=\"alert\">{}</p>",
                            escape(&error.message)
                        );
                        let status = error.code.status();
                        submission_page(&ctx, id, status, &notice).await
                    }
                    _ => Err(error),
                }
            }
        }
    }
    .await;
    ctx.finish(result)
}

/// `GET /sdg/indicators/{code}/versions`: the published versions, each comparable with the
/// one before.
pub(crate) async fn versions(
    State(app): State<AppState>,
    req: crate::pages::PageRequest,
    who: Who,
    Path(code): Path<String>,
) -> Response {
    let ctx = Ctx::new(app, req, who);
    let result = async {
        let versions = ctx.store().sdg_versions(&code).await?;
        let title = ctx.lang().format("sdgc.versions_title", &[("indicator", &code)]);
        let mut body = format!(
            "<h1>{}</h1><p><a href=\"/sdg/indicators/{}\">{}</a></p>",
            escape(&title),
            escape(&code),
            ctx.t("sdgc.to_indicator")
        );
        if versions.is_empty() {
            let _ = write!(body, "<p>{}</p>", ctx.t("sdgc.no_versions"));
        } else {
            let _ = write!(
                body,
                "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th></th></tr></thead><tbody>",
                ctx.t("sdgc.version"),
                ctx.t("sdgc.published_at"),
                ctx.t("sdgc.observations")
            );
            for v in &versions {
                let compare = if v.number > 1 {
                    format!(
                        "<a href=\"/sdg/indicators/{}/changes?from={}&amp;to={}\">{}</a>",
                        escape(&code),
                        v.number - 1,
                        v.number,
                        ctx.t("sdgc.what_changed")
                    )
                } else {
                    String::new()
                };
                let _ = write!(
                    body,
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{compare}</td></tr>",
                    v.number,
                    escape(&v.published_at),
                    v.observations
                );
            }
            body.push_str("</tbody></table>");
            if versions.len() > 2 {
                let _ = write!(
                    body,
                    "<form method=\"get\" action=\"/sdg/indicators/{}/changes\" class=\"filters\"><label>{} <input name=\"from\" type=\"number\" min=\"1\" required></label> <label>{} <input name=\"to\" type=\"number\" min=\"1\" required></label> {}</form>",
                    escape(&code),
                    ctx.t("sdgc.from"),
                    ctx.t("sdgc.to"),
                    submit(ctx.lang().text("sdgc.compare"))
                );
            }
        }
        ctx.page(StatusCode::OK, &title, body)
    }
    .await;
    ctx.finish(result)
}

/// `GET /sdg/indicators/{code}/changes?from=&to=`: what changed between two versions.
pub(crate) async fn changes(
    State(app): State<AppState>,
    req: crate::pages::PageRequest,
    who: Who,
    Path(code): Path<String>,
) -> Response {
    let ctx = Ctx::new(app, req, who);
    let result = async {
        let number = |name: &str| -> Result<Option<i64>, ApiError> {
            ctx.req
                .query
                .get(name)
                .filter(|v| !v.is_empty())
                .map(|v| {
                    v.parse()
                        .map_err(|_| ApiError::bad_request(format!("{name}: a version number")))
                })
                .transpose()
        };
        let (from, to) =
            versions_to_compare(ctx.store(), &code, number("from")?, number("to")?).await?;
        let changes = ctx.store().sdg_version_changes(&code, from, to).await?;
        let title = ctx.lang().format(
            "sdgc.changes_title",
            &[
                ("indicator", &code),
                ("from", &from.to_string()),
                ("to", &to.to_string()),
            ],
        );
        let body = format!(
            "<h1>{}</h1><p><a href=\"/sdg/indicators/{}/versions\">{}</a></p>{}",
            escape(&title),
            escape(&code),
            ctx.t("sdgc.all_versions"),
            changes_html(&ctx, &changes)
        );
        ctx.page(StatusCode::OK, &title, body)
    }
    .await;
    ctx.finish(result)
}

#[derive(Debug, Deserialize)]
pub(crate) struct TemplateQuery {
    lang: Option<String>,
}

/// `GET /sdg/indicators/{code}/template.xlsx[?lang=ru]`: the XLSX an agency fills in,
/// prefilled with the published data, its labels and instructions in `lang` (tk, ru, en).
pub(crate) async fn template(
    State(app): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<TemplateQuery>,
) -> Response {
    let result = async {
        let lang = match q.lang.as_deref() {
            None | Some("") => "en",
            Some(lang @ ("en" | "ru" | "tk")) => lang,
            Some(other) => {
                return Err(ApiError::bad_request(format!(
                    "lang {other:?}: one of tk, ru, en"
                )));
            }
        };
        let bytes = template_bytes(app.store(), &code, lang).await?;
        Ok::<_, ApiError>(
            (
                [
                    (
                        header::CONTENT_TYPE,
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                            .to_owned(),
                    ),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"sdg-{code}-template-{lang}.xlsx\""),
                    ),
                ],
                bytes,
            )
                .into_response(),
        )
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}

/// The template of one indicator in `lang` as bytes (used by the page and by `hrtrack sdg
/// template`).
pub async fn template_bytes(store: &Store, code: &str, lang: &str) -> Result<Vec<u8>, ApiError> {
    let title = store
        .sdg_indicator_title(code, lang)
        .await?
        .ok_or_else(|| {
            ApiError::new(
                crate::error::ErrorCode::NotFound,
                format!("no SDG indicator {code}"),
            )
        })?;
    let codes = code_lists(store).await?;
    let published = store.sdg_published_observations(code).await?;
    let plan = hrtrack_sdg::template::plan_template(code, &title, &codes, published, lang);
    hrtrack_sdg::xlsx::write_template(&plan).map_err(|e| {
        tracing::error!(error = %e, "template");
        ApiError::new(
            crate::error::ErrorCode::Internal,
            "the template could not be written",
        )
    })
}

/// `GET /sdg/indicators/{code}/metadata`: the statistician's form for the national
/// metadata in Turkmen, Russian and English.
pub(crate) async fn metadata_form(
    State(app): State<AppState>,
    req: crate::pages::PageRequest,
    who: Who,
    Path(code): Path<String>,
) -> Response {
    let ctx = Ctx::new(app, req, who);
    let result = metadata_page(&ctx, &code, StatusCode::OK, "").await;
    ctx.finish(result)
}

async fn metadata_page(ctx: &Ctx, code: &str, status: StatusCode, notice: &str) -> Handled {
    policy::require(&ctx.who, Permission::ReviewSdgData)?;
    if ctx.store().sdg_indicator_title(code, "en").await?.is_none() {
        return Err(ApiError::new(
            crate::error::ErrorCode::NotFound,
            format!("no SDG indicator {code}"),
        ));
    }
    let texts = ctx.store().sdg_metadata_texts(code).await?;
    let title = ctx
        .lang()
        .format("sdgc.metadata_title", &[("indicator", code)]);
    let mut body = format!(
        "<h1>{}</h1>{notice}<p><a href=\"/sdg/indicators/{}\">{}</a></p>",
        escape(&title),
        escape(code),
        ctx.t("sdgc.to_indicator")
    );
    let providers = ctx.store().sdg_providers(code).await?;
    let mut institutions: Vec<(i64, String)> = ctx.institution_names().await?.into_iter().collect();
    institutions.sort_by(|a, b| a.1.cmp(&b.1));
    let _ = write!(
        body,
        "<h2>{}</h2><p>{}</p>{}{}{}</form>",
        ctx.t("sdgc.providers"),
        ctx.t("sdgc.providers_help"),
        ctx.form(&format!("/sdg/indicators/{code}/providers")),
        field_checks(
            ctx.lang().text("sdgc.providers"),
            "institutions",
            &institutions,
            &providers
        ),
        submit(ctx.lang().text("sdgc.save")),
    );
    for lang in METADATA_LANGUAGES {
        let _ = write!(
            body,
            "<h2>{}</h2>{}{}",
            ctx.t(&format!("sdgc.lang_{lang}")),
            ctx.form(&format!("/sdg/indicators/{code}/metadata")),
            hidden("lang", lang)
        );
        for field in METADATA_FIELDS {
            let text = texts
                .get(&(field.to_owned(), lang.to_owned()))
                .map_or("", String::as_str);
            body.push_str(&field_area(
                ctx.lang().text(&format!("sdgm.{field}")),
                field,
                text,
            ));
        }
        let _ = write!(body, "{}</form>", submit(ctx.lang().text("sdgc.save")));
    }
    ctx.page(status, &title, body)
}

/// `POST /sdg/indicators/{code}/metadata` (form: lang and one text per field).
pub(crate) async fn save_metadata(
    State(app): State<AppState>,
    req: crate::pages::PageRequest,
    who: Who,
    Path(code): Path<String>,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> Response {
    let ctx = Ctx::new(app, req, who);
    let form = FormData(form);
    let result = async {
        ctx.who.check_csrf(form.get("csrf"))?;
        policy::require(&ctx.who, Permission::ReviewSdgData)?;
        let fields: Vec<(String, String)> = METADATA_FIELDS
            .iter()
            .filter_map(|f| form.get(f).map(|t| ((*f).to_owned(), t.to_owned())))
            .collect();
        match ctx
            .store()
            .set_sdg_metadata(&ctx.who.actor(), &code, form.text("lang"), &fields)
            .await
        {
            Ok(_) => see_other(&format!("/sdg/indicators/{code}")),
            Err(error) => {
                let error = ApiError::from(error);
                if error.code == crate::error::ErrorCode::InvalidInput {
                    let notice = format!(
                        "<p class=\"notice error\" role=\"alert\">{}</p>",
                        escape(&error.message)
                    );
                    metadata_page(&ctx, &code, StatusCode::UNPROCESSABLE_ENTITY, &notice).await
                } else {
                    Err(error)
                }
            }
        }
    }
    .await;
    ctx.finish(result)
}

/// `POST /sdg/indicators/{code}/providers` (form: `institutions`, repeated): the
/// institutions whose data providers may send the indicator's data.
pub(crate) async fn save_providers(
    State(app): State<AppState>,
    req: crate::pages::PageRequest,
    who: Who,
    Path(code): Path<String>,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> Response {
    let ctx = Ctx::new(app, req, who);
    let form = FormData(form);
    let result = async {
        ctx.who.check_csrf(form.get("csrf"))?;
        policy::require(&ctx.who, Permission::ReviewSdgData)?;
        ctx.store()
            .set_sdg_providers(&ctx.who.actor(), &code, &form.ids("institutions"))
            .await?;
        see_other(&format!("/sdg/indicators/{code}/metadata"))
    }
    .await;
    ctx.finish(result)
}

/// The collection workflow's pages.
pub fn routes() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    let upload_limit = axum::extract::DefaultBodyLimit::max(crate::evidence::UPLOAD_BODY_LIMIT);
    axum::Router::new()
        .route(
            "/sdg/submit",
            get(submit_form).post(send_file).layer(upload_limit),
        )
        .route("/sdg/submissions", get(submissions))
        .route("/sdg/submissions/{id}", get(submission))
        .route("/sdg/submissions/{id}/decision", post(decide))
        .route("/sdg/indicators/{code}/versions", get(versions))
        .route("/sdg/indicators/{code}/changes", get(changes))
        .route("/sdg/indicators/{code}/template.xlsx", get(template))
        .route(
            "/sdg/indicators/{code}/metadata",
            get(metadata_form).post(save_metadata),
        )
        .route("/sdg/indicators/{code}/providers", post(save_providers))
}

/// The collection workflow's API routes (merged into the API's route table).
pub fn api_route_table() -> Vec<(&'static str, axum::routing::MethodRouter<AppState>)> {
    use axum::routing::{get, post};
    let upload_limit = axum::extract::DefaultBodyLimit::max(crate::evidence::UPLOAD_BODY_LIMIT);
    vec![
        (
            "/api/v1/sdg/submissions",
            get(api_submissions).post(api_submit).layer(upload_limit),
        ),
        ("/api/v1/sdg/submissions/{id}", get(api_submission)),
        ("/api/v1/sdg/submissions/{id}/decision", post(api_decide)),
        ("/api/v1/sdg/indicators/{code}/versions", get(api_versions)),
        ("/api/v1/sdg/indicators/{code}/changes", get(api_changes)),
    ]
}
