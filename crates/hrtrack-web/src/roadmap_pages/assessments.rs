//! Assessments (the government's and reviewers' shadow ones), and the "Implementation"
//! section of the public recommendation page.

use std::fmt::Write as _;

use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use hrtrack_db::RecommendationFilter;
use hrtrack_db::roadmap::{AssessmentInput, RollupDimension, RollupRow};
use hrtrack_domain::{AssessmentStatus, ImplementationLevel, Period, ReportStatus};

use super::{
    Ctx, FormData, Handled, Retry, Who, code_options, field_area, field_select, field_text, hidden,
    invalid, retry_of, see_other, submit, words,
};
use crate::AppState;
use crate::auth::Principal;
use crate::error::ApiError;
use crate::html::{escape, url_encode};
use crate::pages::{PageError, PageRequest};
use crate::policy::{self, Permission};

use super::reports::evidence_link;

// ---------------------------------------------------------------------------------------
// Assessments.

/// An assessment's values as its form shows them.
fn assessment_values(a: &hrtrack_db::roadmap::Assessment) -> FormData {
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
    if a.archived {
        v.set("archived", "1");
    }
    v
}

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

fn assessment_fields(ctx: &Ctx, values: &FormData) -> String {
    let levels = code_options(
        ctx.lang(),
        &ImplementationLevel::ALL
            .iter()
            .map(|l| l.as_str())
            .collect::<Vec<_>>(),
    );
    let statuses = code_options(ctx.lang(), &["draft", "published"]);
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
        let shadow = policy::assessor(&ctx.who)?;
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
    let mut form = FormData(form);
    let result = async {
        ctx.who.check_csrf(form.get("csrf"))?;
        let shadow = policy::assessor(&ctx.who)?;
        let old = ctx.store().assessment(id).await?;
        if old.shadow != shadow || (shadow && old.author_id != ctx.who.user().map(|u| u.id)) {
            return Err(ApiError::forbidden("this assessment is not yours to edit"));
        }
        form.keep_from(&assessment_values(&old));
        let form = &form;
        let written = async {
            let input = assessment_input(form, &old.recommendation_uid, shadow)?;
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
            Err(error) => match retry_of(&error, form) {
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
// The public recommendation page's "Implementation" section.

/// A roll-up as a table: one row per group, one column per level.
pub(crate) fn rollup_table<'a>(ctx: &Ctx, rows: impl Iterator<Item = &'a RollupRow>) -> String {
    let mut out = String::from("<table class=\"rollup\"><thead><tr><th></th>");
    for level in ImplementationLevel::ALL {
        let _ = write!(out, "<th>{}</th>", words(ctx.lang(), level.as_str()));
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
    // Most linked actions share a roadmap: each is read once.
    let mut roadmaps: std::collections::HashMap<i64, hrtrack_db::roadmap::Roadmap> =
        std::collections::HashMap::new();
    for action in store.actions_of_recommendation(uid).await? {
        let roadmap = match roadmaps.get(&action.roadmap_id) {
            Some(roadmap) => roadmap.clone(),
            None => {
                let roadmap = store.roadmap(action.roadmap_id).await?;
                roadmaps.insert(roadmap.id, roadmap.clone());
                roadmap
            }
        };
        if !policy::sees_action(&ctx.who, &roadmap, &action) {
            continue;
        }
        any = true;
        let _ = write!(
            body,
            "<h3><a href=\"/roadmap/actions/{}\">{}</a></h3><p>{}</p>",
            action.id,
            escape(&action.title),
            words(ctx.lang(), action.status.as_str())
        );
        let reports = store
            .reports(&hrtrack_db::roadmap::ReportFilter {
                action_id: Some(action.id),
                status: Some(ReportStatus::Published),
                ..Default::default()
            })
            .await?;
        for report in &reports {
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
                let _ = write!(body, "<li>{}</li>", evidence_link(e));
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
        let shown: Vec<_> = assessments
            .iter()
            .filter(|a| a.shadow == shadow && policy::sees_assessment(&ctx.who, a))
            .collect();
        if shown.is_empty() {
            let _ = write!(body, "<li>{}</li>", ctx.t("rm.no_assessment"));
        }
        for a in shown {
            let draft = a.status == AssessmentStatus::Draft;
            let _ = write!(
                body,
                "<li>{} · <strong>{}</strong>{} · {}<br>{}",
                escape(a.period.as_str()),
                words(ctx.lang(), a.level.as_str()),
                if draft {
                    format!(" <em>({})</em>", ctx.t("rm.draft"))
                } else {
                    String::new()
                },
                escape(a.author_name.as_deref().unwrap_or("")),
                escape(&a.summary)
            );
            let mine = match policy::assessor(&ctx.who) {
                Ok(true) => a.shadow && a.author_id == me,
                Ok(false) => !a.shadow,
                Err(_) => false,
            };
            if mine {
                let v = assessment_values(a);
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
    if policy::assessor(&ctx.who).is_ok() {
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
