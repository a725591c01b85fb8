//! Institutions (with the institution dashboard), roadmaps, clusters, actions and indicators.

use std::fmt::Write as _;

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use hrtrack_db::roadmap::{Action, ClusterInput, InstitutionInput, RoadmapInput};
use hrtrack_domain::{Date, InstitutionKind};

use super::{
    Ctx, FormData, Handled, Retry, Who, code_options, field_area, field_check, field_checks,
    field_select, field_text, field_typed, hidden, invalid, retry_of, see_other, submit, words,
};
use crate::AppState;
use crate::error::ApiError;
use crate::html::{escape, url_encode};
use crate::pages::PageRequest;
use crate::policy::{self, Permission};

pub(super) fn may(ctx: &Ctx, permission: Permission) -> bool {
    policy::require(&ctx.who, permission).is_ok()
}

// ---------------------------------------------------------------------------------------
// Institutions.

/// An institution's values as its form shows them.
fn institution_values(institution: &hrtrack_db::roadmap::Institution) -> FormData {
    let mut current = FormData::default();
    current.set("code", institution.code.clone());
    current.set("name", institution.name.clone());
    current.set("name_ru", institution.name_ru.clone());
    current.set("name_tk", institution.name_tk.clone());
    current.set("kind", institution.kind.as_str());
    if institution.archived {
        current.set("archived", "1");
    }
    current
}

/// A roadmap's values as its form shows them.
fn roadmap_values(roadmap: &hrtrack_db::roadmap::Roadmap) -> FormData {
    let mut current = FormData::default();
    current.set("title", roadmap.title.clone());
    current.set("description", roadmap.description.clone());
    current.set("review", roadmap.review.clone().unwrap_or_default());
    current.set("followup_months", roadmap.followup_months.to_string());
    for r in &roadmap.reviewers {
        current.set("reviewers", r.to_string());
    }
    if roadmap.archived {
        current.set("archived", "1");
    }
    current
}

/// A cluster's values as its form shows them.
fn cluster_values(cluster: &hrtrack_db::roadmap::Cluster) -> FormData {
    let mut current = FormData::default();
    current.set("title", cluster.title.clone());
    current.set("description", cluster.description.clone());
    current.set("recommendations", cluster.recommendations.join("\n"));
    if cluster.archived {
        current.set("archived", "1");
    }
    current
}

fn institution_input(form: &FormData) -> Result<InstitutionInput, ApiError> {
    Ok(InstitutionInput {
        code: form.text("code").to_owned(),
        name: form.text("name").to_owned(),
        name_ru: form.text("name_ru").to_owned(),
        name_tk: form.text("name_tk").to_owned(),
        kind: InstitutionKind::parse(form.text("kind")).map_err(|e| invalid(e.to_string()))?,
        archived: form.checked("archived"),
    })
}

fn institution_fields(ctx: &Ctx, values: &FormData) -> String {
    let kinds = code_options(
        ctx.lang(),
        &InstitutionKind::ALL
            .iter()
            .map(|k| k.as_str())
            .collect::<Vec<_>>(),
    );
    format!(
        "{}{}{}{}{}{}",
        field_text(&ctx.t("rm.code"), "code", values.text("code"), true),
        field_text(&ctx.t("rm.name_en"), "name", values.text("name"), true),
        field_text(
            &ctx.t("rm.name_ru"),
            "name_ru",
            values.text("name_ru"),
            false
        ),
        field_text(
            &ctx.t("rm.name_tk"),
            "name_tk",
            values.text("name_tk"),
            false
        ),
        field_select(&ctx.t("rm.kind"), "kind", &kinds, values.text("kind")),
        field_check(
            &ctx.t("rm.archived"),
            "archived",
            values.checked("archived")
        ),
    )
}

async fn institutions_page(ctx: &Ctx, retry: Option<Retry<'_>>) -> Handled {
    policy::require(&ctx.who, Permission::ReadInternal)?;
    let code = ctx.lang().code();
    let mut body = format!("<h1>{}</h1><ul>", ctx.t("rm.institutions"));
    for i in ctx.store().institutions(false).await? {
        let _ = write!(
            body,
            "<li><a href=\"/roadmap/institutions/{}\">{}</a> ({})</li>",
            i.id,
            escape(i.name_in(code)),
            escape(&i.code)
        );
    }
    body.push_str("</ul>");
    if may(ctx, Permission::ManageInstitutions) {
        let empty = FormData::default();
        let values = Retry::typed(&retry).unwrap_or(&empty);
        let _ = write!(
            body,
            "<h2>{}</h2>{}{}{}{}",
            ctx.t("rm.create_institution"),
            ctx.retry_notice(&retry),
            ctx.form("/roadmap/institutions"),
            institution_fields(ctx, values),
            submit(&ctx.t("rm.create"))
        );
    }
    ctx.page(
        Retry::status(&retry),
        ctx.lang().text("rm.institutions"),
        body,
    )
}

pub(crate) async fn institutions(
    State(app): State<AppState>,
    req: PageRequest,
    who: Who,
) -> Response {
    let ctx = Ctx::new(app, req, who);
    ctx.finish(institutions_page(&ctx, None).await)
}

pub(crate) async fn create_institution(
    State(app): State<AppState>,
    req: PageRequest,
    who: Who,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let ctx = Ctx::new(app, req, who);
    let form = FormData(form);
    let result = async {
        ctx.who.check_csrf(form.get("csrf"))?;
        policy::require(&ctx.who, Permission::ManageInstitutions)?;
        let written = async {
            let input = institution_input(&form)?;
            Ok::<_, ApiError>(
                ctx.store()
                    .create_institution(&ctx.who.actor(), input)
                    .await?,
            )
        }
        .await;
        match written {
            Ok(i) => see_other(&format!("/roadmap/institutions/{}", i.id)),
            Err(error) => match retry_of(&error, &form) {
                Some(retry) => institutions_page(&ctx, Some(retry)).await,
                None => Err(error),
            },
        }
    }
    .await;
    ctx.finish(result)
}

/// The institution dashboard.
/// The most due reports the institution dashboard lists (the calendar has the rest).
const DASHBOARD_DUE_ROWS: usize = 25;

async fn institution_page(ctx: &Ctx, id: i64, retry: Option<Retry<'_>>) -> Handled {
    policy::require(&ctx.who, Permission::ReadInternal)?;
    let institution = ctx.store().institution(id).await?;
    let name = institution.name_in(ctx.lang().code()).to_owned();
    let mut body = format!("<h1>{}</h1>", escape(&name));
    // Actions, lead or supporting.
    let _ = write!(body, "<h2>{}</h2><ul>", ctx.t("rm.actions"));
    for action in ctx.store().actions(None, Some(id)).await? {
        let role = if action.lead_institution_id == id {
            "rm.lead"
        } else {
            "rm.supporting"
        };
        let _ = write!(
            body,
            "<li><a href=\"/roadmap/actions/{}\">{}</a> · {} · {}</li>",
            action.id,
            escape(&action.title),
            ctx.t(role),
            words(ctx.lang(), action.status.as_str())
        );
    }
    body.push_str("</ul>");
    // Reports due and overdue.
    let today = Date::today_utc();
    let due = ctx
        .store()
        .calendar(Some(id), today, today.add_days(90))
        .await?;
    let _ = write!(body, "<h2>{}</h2><ul>", ctx.t("rm.due_reports"));
    let open: Vec<_> = due.iter().filter(|d| d.is_open()).collect();
    for d in open.iter().take(DASHBOARD_DUE_ROWS) {
        let _ = write!(
            body,
            "<li>{}{} · <a href=\"/roadmap/actions/{}\">{}</a>{}</li>",
            d.due_date,
            if d.overdue {
                format!(
                    " <strong class=\"overdue\">{}</strong>",
                    ctx.t("rm.overdue")
                )
            } else {
                String::new()
            },
            d.action_id,
            escape(&d.action_title),
            d.report_status
                .map(|s| format!(" · {}", words(ctx.lang(), s.as_str())))
                .unwrap_or_default()
        );
    }
    body.push_str("</ul>");
    if open.len() > DASHBOARD_DUE_ROWS {
        let more = (open.len() - DASHBOARD_DUE_ROWS).to_string();
        let _ = write!(
            body,
            "<p><a href=\"/roadmap/calendar?institution={id}\">{}</a></p>",
            escape(&ctx.lang().format("rm.more_not_shown", &[("n", &more)]))
        );
    }
    // Reports by status.
    let counts = ctx.store().report_status_counts(Some(id)).await?;
    let _ = write!(body, "<h2>{}</h2><ul>", ctx.t("rm.reports_by_status"));
    for (status, n) in counts {
        let _ = write!(body, "<li>{}: {n}</li>", words(ctx.lang(), status.as_str()));
    }
    body.push_str("</ul>");
    // Roll-up.
    let rollup = ctx.store().institution_rollup(id).await?;
    let _ = write!(body, "<h2>{}</h2>", ctx.t("rm.rollup"));
    body.push_str(&super::assessments::rollup_table(ctx, rollup.iter()));
    if may(ctx, Permission::ManageInstitutions) {
        let current = institution_values(&institution);
        let values = Retry::typed(&retry).unwrap_or(&current);
        let _ = write!(
            body,
            "<h2>{}</h2>{}{}{}{}{}",
            ctx.t("rm.edit"),
            ctx.retry_notice(&retry),
            ctx.form(&format!("/roadmap/institutions/{id}")),
            hidden("version", &institution.version.to_string()),
            institution_fields(ctx, values),
            submit(&ctx.t("rm.save"))
        );
    }
    body.push_str(&super::people::record_history(ctx, "institution", id).await?);
    ctx.page(Retry::status(&retry), &name, body)
}

pub(crate) async fn institution(
    State(app): State<AppState>,
    req: PageRequest,
    who: Who,
    Path(id): Path<i64>,
) -> Response {
    let ctx = Ctx::new(app, req, who);
    ctx.finish(institution_page(&ctx, id, None).await)
}

pub(crate) async fn update_institution(
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
        policy::require(&ctx.who, Permission::ManageInstitutions)?;
        form.keep_from(&institution_values(&ctx.store().institution(id).await?));
        let form = &form;
        let written = async {
            let input = institution_input(form)?;
            let version = form.number("version")?;
            Ok::<_, ApiError>(
                ctx.store()
                    .update_institution(&ctx.who.actor(), id, version, input)
                    .await?,
            )
        }
        .await;
        match written {
            Ok(_) => see_other(&format!("/roadmap/institutions/{id}")),
            Err(error) => match retry_of(&error, form) {
                Some(retry) => institution_page(&ctx, id, Some(retry)).await,
                None => Err(error),
            },
        }
    }
    .await;
    ctx.finish(result)
}

// ---------------------------------------------------------------------------------------
// Roadmaps.

fn roadmap_input(form: &FormData) -> Result<RoadmapInput, ApiError> {
    let review = form.text("review").trim();
    let months = form.text("followup_months").trim();
    Ok(RoadmapInput {
        title: form.text("title").to_owned(),
        description: form.text("description").to_owned(),
        review: (!review.is_empty()).then(|| review.to_owned()),
        followup_months: if months.is_empty() {
            12
        } else {
            form.number("followup_months")?
        },
        reviewers: form.ids("reviewers"),
        archived: form.checked("archived"),
    })
}

async fn reviewer_options(ctx: &Ctx) -> Result<Vec<(i64, String)>, ApiError> {
    Ok(ctx
        .store()
        .users()
        .await?
        .into_iter()
        .filter(|u| u.role == hrtrack_domain::Role::Reviewer && !u.archived)
        .map(|u| (u.id, u.display_name))
        .collect())
}

async fn roadmap_fields(ctx: &Ctx, values: &FormData) -> Result<String, ApiError> {
    Ok(format!(
        "{}{}{}{}{}{}",
        field_text(&ctx.t("rm.title"), "title", values.text("title"), true),
        field_area(
            &ctx.t("rm.description"),
            "description",
            values.text("description")
        ),
        field_text(&ctx.t("rm.review"), "review", values.text("review"), false),
        field_typed(
            &ctx.t("rm.followup_months"),
            "number",
            "followup_months",
            values.get("followup_months").unwrap_or("12")
        ),
        field_checks(
            &ctx.t("rm.reviewers"),
            "reviewers",
            &reviewer_options(ctx).await?,
            &values.ids("reviewers")
        ),
        field_check(
            &ctx.t("rm.archived"),
            "archived",
            values.checked("archived")
        ),
    ))
}

async fn roadmaps_page(ctx: &Ctx, retry: Option<Retry<'_>>) -> Handled {
    let mut body = format!("<h1>{}</h1>", ctx.t("nav.roadmap"));
    if let Some(user) = ctx.who.user() {
        let _ = write!(
            body,
            "<p class=\"who\">{} · <a href=\"/account\">{}</a> · <a href=\"/roadmap/calendar\">{}</a> · <a href=\"/roadmap/institutions\">{}</a> · <a href=\"/inbox\">{}</a>{}</p>",
            escape(&user.display_name),
            ctx.t("rm.account"),
            ctx.t("rm.calendar"),
            ctx.t("rm.institutions"),
            ctx.t("rm.inbox"),
            if may(ctx, Permission::ManageUsers) {
                format!(
                    " · <a href=\"/admin/users\">{}</a> · <a href=\"/admin/audit\">{}</a>",
                    ctx.t("rm.users"),
                    ctx.t("rm.audit")
                )
            } else {
                String::new()
            }
        );
    } else {
        let _ = write!(
            body,
            "<p><a href=\"/login?next=%2Froadmap\">{}</a></p>",
            ctx.t("rm.login")
        );
    }
    for roadmap in ctx.store().roadmaps(false).await? {
        let actions = ctx.store().actions(Some(roadmap.id), None).await?;
        let visible: Vec<&Action> = actions
            .iter()
            .filter(|a| policy::sees_action(&ctx.who, &roadmap, a))
            .collect();
        if visible.is_empty() && !policy::sees_drafts_of(&ctx.who, &roadmap) {
            continue;
        }
        let _ = write!(
            body,
            "<section><h2><a href=\"/roadmap/{}\">{}</a></h2><p>{}</p><ul>",
            roadmap.id,
            escape(&roadmap.title),
            escape(
                &ctx.lang()
                    .format("rm.action_count", &[("n", &visible.len().to_string())])
            )
        );
        for a in visible {
            let _ = write!(
                body,
                "<li><a href=\"/roadmap/actions/{}\">{}</a> · {}</li>",
                a.id,
                escape(&a.title),
                words(ctx.lang(), a.status.as_str())
            );
        }
        body.push_str("</ul></section>");
    }
    if may(ctx, Permission::Plan) {
        let empty = FormData::default();
        let values = Retry::typed(&retry).unwrap_or(&empty);
        let _ = write!(
            body,
            "<h2>{}</h2>{}{}{}{}",
            ctx.t("rm.create_roadmap"),
            ctx.retry_notice(&retry),
            ctx.form("/roadmap"),
            roadmap_fields(ctx, values).await?,
            submit(&ctx.t("rm.create"))
        );
    }
    ctx.page(Retry::status(&retry), ctx.lang().text("nav.roadmap"), body)
}

pub(crate) async fn roadmaps(State(app): State<AppState>, req: PageRequest, who: Who) -> Response {
    let ctx = Ctx::new(app, req, who);
    ctx.finish(roadmaps_page(&ctx, None).await)
}

pub(crate) async fn create_roadmap(
    State(app): State<AppState>,
    req: PageRequest,
    who: Who,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let ctx = Ctx::new(app, req, who);
    let form = FormData(form);
    let result = async {
        ctx.who.check_csrf(form.get("csrf"))?;
        policy::require(&ctx.who, Permission::Plan)?;
        let written = async {
            let input = roadmap_input(&form)?;
            Ok::<_, ApiError>(ctx.store().create_roadmap(&ctx.who.actor(), input).await?)
        }
        .await;
        match written {
            Ok(r) => see_other(&format!("/roadmap/{}", r.id)),
            Err(error) => match retry_of(&error, &form) {
                Some(retry) => roadmaps_page(&ctx, Some(retry)).await,
                None => Err(error),
            },
        }
    }
    .await;
    ctx.finish(result)
}

/// Which form of the roadmap page is shown again.
pub(super) enum RoadmapForm {
    Edit,
    Cluster,
    Action,
}

pub(super) async fn roadmap_page(
    ctx: &Ctx,
    id: i64,
    retry: Option<(RoadmapForm, Retry<'_>)>,
) -> Handled {
    let roadmap = ctx.store().roadmap(id).await?;
    let drafts = policy::sees_drafts_of(&ctx.who, &roadmap);
    let actions = ctx.store().actions(Some(id), None).await?;
    let visible: Vec<&Action> = actions
        .iter()
        .filter(|a| policy::sees_action(&ctx.who, &roadmap, a))
        .collect();
    if !drafts && (roadmap.archived || visible.is_empty()) {
        return Err(ApiError::new(
            crate::error::ErrorCode::NotFound,
            "no such roadmap",
        ));
    }
    let mut body = format!(
        "<h1>{}</h1><p>{}</p>",
        escape(&roadmap.title),
        escape(&roadmap.description)
    );
    if let Some(review) = &roadmap.review {
        let _ = write!(body, "<p>{}: {}</p>", ctx.t("rm.review"), escape(review));
    }
    let clusters = ctx.store().clusters(id).await?;
    let _ = write!(body, "<h2>{}</h2><ul>", ctx.t("rm.clusters"));
    for c in &clusters {
        let _ = write!(
            body,
            "<li><a href=\"/roadmap/clusters/{}\">{}</a> ({})</li>",
            c.id,
            escape(&c.title),
            c.recommendations.len()
        );
    }
    let _ = write!(body, "</ul><h2>{}</h2><ul>", ctx.t("rm.actions"));
    for a in &visible {
        let _ = write!(
            body,
            "<li><a href=\"/roadmap/actions/{}\">{}</a> · {}{}</li>",
            a.id,
            escape(&a.title),
            words(ctx.lang(), a.status.as_str()),
            if a.published {
                String::new()
            } else {
                format!(" · <em>{}</em>", ctx.t("rm.unpublished"))
            }
        );
    }
    body.push_str("</ul>");
    if drafts && !roadmap.reviewers.is_empty() {
        let users = ctx.store().users().await?;
        let names: Vec<String> = users
            .iter()
            .filter(|u| roadmap.reviewers.contains(&u.id))
            .map(|u| escape(&u.display_name))
            .collect();
        let _ = write!(
            body,
            "<p>{}: {}</p>",
            ctx.t("rm.reviewers"),
            names.join(", ")
        );
    }
    if may(ctx, Permission::Plan) {
        let (which, retry) = match retry {
            Some((which, retry)) => (Some(which), Some(retry)),
            None => (None, None),
        };
        let empty = FormData::default();
        let typed = Retry::typed(&retry);
        let notice = ctx.retry_notice(&retry);
        let notice_for = |form: RoadmapForm| -> &str {
            match (&which, form) {
                (Some(RoadmapForm::Edit), RoadmapForm::Edit)
                | (Some(RoadmapForm::Cluster), RoadmapForm::Cluster)
                | (Some(RoadmapForm::Action), RoadmapForm::Action) => &notice,
                _ => "",
            }
        };
        let typed_for = |form: RoadmapForm| match (&which, form) {
            (Some(RoadmapForm::Cluster), RoadmapForm::Cluster)
            | (Some(RoadmapForm::Action), RoadmapForm::Action) => typed.unwrap_or(&empty),
            _ => &empty,
        };
        // New cluster.
        let values = typed_for(RoadmapForm::Cluster);
        let _ = write!(
            body,
            "<h2>{}</h2>{}{}{}{}",
            ctx.t("rm.create_cluster"),
            notice_for(RoadmapForm::Cluster),
            ctx.form(&format!("/roadmap/{id}/clusters")),
            cluster_fields(ctx, values),
            submit(&ctx.t("rm.create"))
        );
        // New action.
        let values = typed_for(RoadmapForm::Action);
        let _ = write!(
            body,
            "<h2>{}</h2>{}{}{}{}",
            ctx.t("rm.create_action"),
            notice_for(RoadmapForm::Action),
            ctx.form(&format!("/roadmap/{id}/actions")),
            super::actions::action_fields(ctx, values, &clusters_options(&clusters)).await?,
            submit(&ctx.t("rm.create"))
        );
        // Edit.
        let current = roadmap_values(&roadmap);
        let values = match (&which, typed) {
            (Some(RoadmapForm::Edit), Some(typed)) => typed,
            _ => &current,
        };
        let _ = write!(
            body,
            "<h2>{}</h2>{}{}{}{}{}",
            ctx.t("rm.edit"),
            notice_for(RoadmapForm::Edit),
            ctx.form(&format!("/roadmap/{id}")),
            hidden("version", &roadmap.version.to_string()),
            roadmap_fields(ctx, values).await?,
            submit(&ctx.t("rm.save"))
        );
        body.push_str(&super::people::record_history(ctx, "roadmap", id).await?);
        return ctx.page(Retry::status(&retry), &roadmap.title, body);
    }
    body.push_str(&super::people::record_history(ctx, "roadmap", id).await?);
    ctx.page(StatusCode::OK, &roadmap.title, body)
}

pub(super) fn clusters_options(clusters: &[hrtrack_db::roadmap::Cluster]) -> Vec<(i64, String)> {
    clusters.iter().map(|c| (c.id, c.title.clone())).collect()
}

pub(crate) async fn roadmap(
    State(app): State<AppState>,
    req: PageRequest,
    who: Who,
    Path(id): Path<i64>,
) -> Response {
    let ctx = Ctx::new(app, req, who);
    ctx.finish(roadmap_page(&ctx, id, None).await)
}

pub(crate) async fn update_roadmap(
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
        policy::require(&ctx.who, Permission::Plan)?;
        form.keep_from(&roadmap_values(&ctx.store().roadmap(id).await?));
        let form = &form;
        let written = async {
            let input = roadmap_input(form)?;
            let version = form.number("version")?;
            Ok::<_, ApiError>(
                ctx.store()
                    .update_roadmap(&ctx.who.actor(), id, version, input)
                    .await?,
            )
        }
        .await;
        match written {
            Ok(_) => see_other(&format!("/roadmap/{id}")),
            Err(error) => match retry_of(&error, form) {
                Some(retry) => roadmap_page(&ctx, id, Some((RoadmapForm::Edit, retry))).await,
                None => Err(error),
            },
        }
    }
    .await;
    ctx.finish(result)
}

// ---------------------------------------------------------------------------------------
// Clusters.

fn cluster_input(form: &FormData) -> ClusterInput {
    ClusterInput {
        title: form.text("title").to_owned(),
        description: form.text("description").to_owned(),
        recommendations: form.list("recommendations"),
        archived: form.checked("archived"),
    }
}

fn cluster_fields(ctx: &Ctx, values: &FormData) -> String {
    format!(
        "{}{}{}{}",
        field_text(&ctx.t("rm.title"), "title", values.text("title"), true),
        field_area(
            &ctx.t("rm.description"),
            "description",
            values.text("description")
        ),
        field_area(
            &ctx.t("rm.recommendation_uids"),
            "recommendations",
            values.text("recommendations")
        ),
        field_check(
            &ctx.t("rm.archived"),
            "archived",
            values.checked("archived")
        ),
    )
}

pub(crate) async fn create_cluster(
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
        policy::require(&ctx.who, Permission::Plan)?;
        match ctx
            .store()
            .create_cluster(&ctx.who.actor(), id, cluster_input(&form))
            .await
        {
            Ok(c) => see_other(&format!("/roadmap/clusters/{}", c.id)),
            Err(error) => {
                let error = ApiError::from(error);
                match retry_of(&error, &form) {
                    Some(retry) => {
                        roadmap_page(&ctx, id, Some((RoadmapForm::Cluster, retry))).await
                    }
                    None => Err(error),
                }
            }
        }
    }
    .await;
    ctx.finish(result)
}

async fn cluster_page(ctx: &Ctx, id: i64, retry: Option<Retry<'_>>) -> Handled {
    let cluster = ctx.store().cluster(id).await?;
    let roadmap = ctx.store().roadmap(cluster.roadmap_id).await?;
    if !policy::sees_drafts_of(&ctx.who, &roadmap) {
        policy::require(&ctx.who, Permission::ReadInternal)?;
    }
    let mut body = format!(
        "<h1>{}</h1><p><a href=\"/roadmap/{}\">{}</a></p><p>{}</p><h2>{}</h2><ul>",
        escape(&cluster.title),
        roadmap.id,
        escape(&roadmap.title),
        escape(&cluster.description),
        ctx.t("rm.recommendations")
    );
    for uid in &cluster.recommendations {
        let _ = write!(
            body,
            "<li><a href=\"/recommendations/{}\">{}</a></li>",
            escape(&url_encode(uid)),
            escape(uid)
        );
    }
    body.push_str("</ul>");
    if may(ctx, Permission::Plan) {
        let current = cluster_values(&cluster);
        let values = Retry::typed(&retry).unwrap_or(&current);
        let _ = write!(
            body,
            "<h2>{}</h2>{}{}{}{}{}",
            ctx.t("rm.edit"),
            ctx.retry_notice(&retry),
            ctx.form(&format!("/roadmap/clusters/{id}")),
            hidden("version", &cluster.version.to_string()),
            cluster_fields(ctx, values),
            submit(&ctx.t("rm.save"))
        );
    }
    body.push_str(&super::people::record_history(ctx, "cluster", id).await?);
    ctx.page(Retry::status(&retry), &cluster.title, body)
}

pub(crate) async fn cluster(
    State(app): State<AppState>,
    req: PageRequest,
    who: Who,
    Path(id): Path<i64>,
) -> Response {
    let ctx = Ctx::new(app, req, who);
    ctx.finish(cluster_page(&ctx, id, None).await)
}

pub(crate) async fn update_cluster(
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
        policy::require(&ctx.who, Permission::Plan)?;
        form.keep_from(&cluster_values(&ctx.store().cluster(id).await?));
        let form = &form;
        let written = async {
            let version = form.number("version")?;
            Ok::<_, ApiError>(
                ctx.store()
                    .update_cluster(&ctx.who.actor(), id, version, cluster_input(form))
                    .await?,
            )
        }
        .await;
        match written {
            Ok(_) => see_other(&format!("/roadmap/clusters/{id}")),
            Err(error) => match retry_of(&error, form) {
                Some(retry) => cluster_page(&ctx, id, Some(retry)).await,
                None => Err(error),
            },
        }
    }
    .await;
    ctx.finish(result)
}
