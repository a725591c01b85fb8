//! Actions (with their indicators, due dates and reports) and indicators.

use std::fmt::Write as _;

use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use hrtrack_db::roadmap::{Action, ActionInput, Indicator, IndicatorInput, ReportFilter};
use hrtrack_domain::{ActionStatus, Date, Frequency};

use super::plan::{RoadmapForm, clusters_options, may, roadmap_page};
use super::{
    Ctx, FormData, Handled, Retry, Who, code_options, field_area, field_check, field_checks,
    field_select, field_text, field_typed, hidden, invalid, retry_of, see_other, submit, words,
};
use crate::AppState;
use crate::error::ApiError;
use crate::html::{escape, url_encode};
use crate::pages::PageRequest;
use crate::policy::{self, Permission};

// ---------------------------------------------------------------------------------------
// Actions.

fn date_of(form: &FormData, name: &str) -> Result<Date, ApiError> {
    Date::parse(form.text(name)).map_err(|e| invalid(format!("{name}: {e}")))
}

fn action_input(form: &FormData) -> Result<ActionInput, ApiError> {
    Ok(ActionInput {
        title: form.text("title").to_owned(),
        description: form.text("description").to_owned(),
        expected_outcome: form.text("expected_outcome").to_owned(),
        lead_institution_id: form.number("lead_institution_id")?,
        supporting_institutions: form.ids("supporting_institutions"),
        partners: form.ids("partners"),
        start_date: date_of(form, "start_date")?,
        end_date: date_of(form, "end_date")?,
        cost: form.text("cost").to_owned(),
        currency: form.text("currency").to_owned(),
        funding_source: form.text("funding_source").to_owned(),
        status: ActionStatus::parse(form.get("status").unwrap_or("planned"))
            .map_err(|e| invalid(e.to_string()))?,
        published: form.checked("published"),
        recommendations: form.list("recommendations"),
        clusters: form.ids("clusters"),
        sdg_targets: form.list("sdg_targets"),
        archived: form.checked("archived"),
    })
}

fn action_values(action: &Action) -> FormData {
    let mut v = FormData::default();
    v.set("title", action.title.clone());
    v.set("description", action.description.clone());
    v.set("expected_outcome", action.expected_outcome.clone());
    v.set(
        "lead_institution_id",
        action.lead_institution_id.to_string(),
    );
    for i in &action.supporting_institutions {
        v.set("supporting_institutions", i.to_string());
    }
    for i in &action.partners {
        v.set("partners", i.to_string());
    }
    v.set("start_date", action.start_date.to_string());
    v.set("end_date", action.end_date.to_string());
    v.set("cost", action.cost.clone());
    v.set("currency", action.currency.clone());
    v.set("funding_source", action.funding_source.clone());
    v.set("status", action.status.as_str());
    if action.published {
        v.set("published", "1");
    }
    v.set("recommendations", action.recommendations.join("\n"));
    for c in &action.clusters {
        v.set("clusters", c.to_string());
    }
    v.set("sdg_targets", action.sdg_targets.join(", "));
    if action.archived {
        v.set("archived", "1");
    }
    v
}

pub(super) async fn action_fields(
    ctx: &Ctx,
    values: &FormData,
    clusters: &[(i64, String)],
) -> Result<String, ApiError> {
    let code = ctx.lang().code();
    let institutions: Vec<(i64, String)> = ctx
        .store()
        .institutions(false)
        .await?
        .into_iter()
        .map(|i| (i.id, i.name_in(code).to_owned()))
        .collect();
    let lead: Vec<(String, String)> = institutions
        .iter()
        .map(|(id, name)| (id.to_string(), name.clone()))
        .collect();
    let statuses = code_options(
        ctx.lang(),
        &ActionStatus::ALL
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>(),
    );
    Ok(format!(
        "{}{}{}{}{}{}{}{}{}{}{}{}{}{}{}{}{}",
        field_text(&ctx.t("rm.title"), "title", values.text("title"), true),
        field_area(
            &ctx.t("rm.description"),
            "description",
            values.text("description")
        ),
        field_area(
            &ctx.t("rm.expected_outcome"),
            "expected_outcome",
            values.text("expected_outcome")
        ),
        field_select(
            &ctx.t("rm.lead"),
            "lead_institution_id",
            &lead,
            values.text("lead_institution_id")
        ),
        field_checks(
            &ctx.t("rm.supporting"),
            "supporting_institutions",
            &institutions,
            &values.ids("supporting_institutions")
        ),
        field_checks(
            &ctx.t("rm.partners"),
            "partners",
            &institutions,
            &values.ids("partners")
        ),
        field_typed(
            &ctx.t("rm.start_date"),
            "date",
            "start_date",
            values.text("start_date")
        ),
        field_typed(
            &ctx.t("rm.end_date"),
            "date",
            "end_date",
            values.text("end_date")
        ),
        field_text(&ctx.t("rm.cost"), "cost", values.text("cost"), false),
        field_text(
            &ctx.t("rm.currency"),
            "currency",
            values.text("currency"),
            false
        ),
        field_text(
            &ctx.t("rm.funding_source"),
            "funding_source",
            values.text("funding_source"),
            false
        ),
        field_select(
            &ctx.t("rm.status"),
            "status",
            &statuses,
            values.text("status")
        ),
        field_area(
            &ctx.t("rm.recommendation_uids"),
            "recommendations",
            values.text("recommendations")
        ),
        field_checks(
            &ctx.t("rm.clusters"),
            "clusters",
            clusters,
            &values.ids("clusters")
        ),
        field_text(
            &ctx.t("rm.sdg_targets"),
            "sdg_targets",
            values.text("sdg_targets"),
            false
        ),
        field_check(
            &ctx.t("rm.published"),
            "published",
            values.checked("published")
        ),
        field_check(
            &ctx.t("rm.archived"),
            "archived",
            values.checked("archived")
        ),
    ))
}

pub(crate) async fn create_action(
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
        let written = async {
            let input = action_input(&form)?;
            Ok::<_, ApiError>(
                ctx.store()
                    .create_action(&ctx.who.actor(), id, input)
                    .await?,
            )
        }
        .await;
        match written {
            Ok(a) => see_other(&format!("/roadmap/actions/{}", a.id)),
            Err(error) => match retry_of(&error, &form) {
                Some(retry) => roadmap_page(&ctx, id, Some((RoadmapForm::Action, retry))).await,
                None => Err(error),
            },
        }
    }
    .await;
    ctx.finish(result)
}

fn indicator_fields(ctx: &Ctx, values: &FormData) -> String {
    let freqs = code_options(
        ctx.lang(),
        &["monthly", "quarterly", "half_yearly", "yearly"],
    );
    format!(
        "{}{}{}{}{}{}",
        field_text(&ctx.t("rm.title"), "title", values.text("title"), true),
        field_text(
            &ctx.t("rm.baseline"),
            "baseline",
            values.text("baseline"),
            false
        ),
        field_text(&ctx.t("rm.target"), "target", values.text("target"), false),
        field_text(&ctx.t("rm.unit"), "unit", values.text("unit"), false),
        field_select(
            &ctx.t("rm.frequency"),
            "frequency",
            &freqs,
            values.get("frequency").unwrap_or("yearly")
        ),
        field_text(
            &ctx.t("rm.sdg_indicator"),
            "sdg_indicator",
            values.text("sdg_indicator"),
            false
        ),
    )
}

async fn action_page(ctx: &Ctx, id: i64, retry: Option<Retry<'_>>) -> Handled {
    let action = ctx.store().action(id).await?;
    let roadmap = ctx.store().roadmap(action.roadmap_id).await?;
    if !policy::sees_action(&ctx.who, &roadmap, &action) {
        return Err(ApiError::new(
            crate::error::ErrorCode::NotFound,
            "no such action",
        ));
    }
    let names = ctx.institution_names().await?;
    let name_of = |i: &i64| escape(names.get(i).map_or("?", String::as_str));
    let inst_links = |ids: &[i64]| {
        ids.iter()
            .map(|i| format!("<a href=\"/roadmap/institutions/{i}\">{}</a>", name_of(i)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut body = format!(
        "<h1>{}</h1><p><a href=\"/roadmap/{}\">{}</a></p><dl class=\"facts\">",
        escape(&action.title),
        roadmap.id,
        escape(&roadmap.title)
    );
    let facts = [
        ("rm.description", escape(&action.description)),
        ("rm.expected_outcome", escape(&action.expected_outcome)),
        ("rm.lead", inst_links(&[action.lead_institution_id])),
        ("rm.supporting", inst_links(&action.supporting_institutions)),
        ("rm.partners", inst_links(&action.partners)),
        ("rm.start_date", action.start_date.to_string()),
        ("rm.end_date", action.end_date.to_string()),
        (
            "rm.cost",
            escape(&format!(
                "{} {} {}",
                action.cost, action.currency, action.funding_source
            )),
        ),
        ("rm.status", words(ctx.lang(), action.status.as_str())),
        (
            "rm.published",
            ctx.t(if action.published { "rm.yes" } else { "rm.no" }),
        ),
        (
            "rm.recommendations",
            action
                .recommendations
                .iter()
                .map(|u| {
                    format!(
                        "<a href=\"/recommendations/{}\">{}</a>",
                        escape(&url_encode(u)),
                        escape(u)
                    )
                })
                .collect::<Vec<_>>()
                .join(", "),
        ),
        (
            "rm.sdg_targets",
            action
                .sdg_targets
                .iter()
                .map(|t| {
                    let goal = t.split('.').next().unwrap_or("");
                    format!(
                        "<a href=\"/sdg/{}\">{}</a>",
                        escape(&url_encode(goal)),
                        escape(t)
                    )
                })
                .collect::<Vec<_>>()
                .join(", "),
        ),
    ];
    for (key, value) in facts {
        let _ = write!(body, "<dt>{}</dt><dd>{value}</dd>", ctx.t(key));
    }
    let clusters = ctx.store().clusters(roadmap.id).await?;
    let cluster_links: Vec<String> = clusters
        .iter()
        .filter(|c| action.clusters.contains(&c.id))
        .map(|c| {
            format!(
                "<a href=\"/roadmap/clusters/{}\">{}</a>",
                c.id,
                escape(&c.title)
            )
        })
        .collect();
    let _ = write!(
        body,
        "<dt>{}</dt><dd>{}</dd></dl>",
        ctx.t("rm.clusters"),
        cluster_links.join(", ")
    );
    let planner = may(ctx, Permission::Plan);
    // Indicators.
    let _ = write!(body, "<h2>{}</h2><ul>", ctx.t("rm.indicators"));
    for ind in ctx.store().indicators(id).await? {
        let _ = write!(
            body,
            "<li>{} · {} → {} {} · {}",
            escape(&ind.title),
            escape(&ind.baseline),
            escape(&ind.target),
            escape(&ind.unit),
            words(ctx.lang(), ind.frequency.as_str())
        );
        if let Some(code) = &ind.sdg_indicator {
            let _ = write!(
                body,
                " · <a href=\"/sdg/indicators/{}\">{}</a>",
                escape(code),
                escape(&ctx.lang().format("sdgi.sdg_indicator", &[("code", code)]))
            );
        }
        if planner {
            let v = indicator_values(&ind);
            let _ = write!(
                body,
                "<details><summary>{}</summary>{}{}{}{}{}</details>",
                ctx.t("rm.edit"),
                ctx.form(&format!("/roadmap/indicators/{}", ind.id)),
                hidden("version", &ind.version.to_string()),
                indicator_fields(ctx, &v),
                field_check(&ctx.t("rm.archived"), "archived", ind.archived),
                submit(&ctx.t("rm.save"))
            );
        }
        body.push_str("</li>");
    }
    body.push_str("</ul>");
    if planner {
        let _ = write!(
            body,
            "<details><summary>{}</summary>{}{}{}</details>",
            ctx.t("rm.create_indicator"),
            ctx.form(&format!("/roadmap/actions/{id}/indicators")),
            indicator_fields(ctx, &FormData::default()),
            submit(&ctx.t("rm.create"))
        );
    }
    // Due dates and reports.
    let reports = ctx
        .store()
        .reports(&ReportFilter {
            action_id: Some(id),
            ..ReportFilter::default()
        })
        .await?;
    let reporter = policy::require_reporter(&ctx.who, &action).is_ok();
    let _ = write!(body, "<h2>{}</h2><ul>", ctx.t("rm.due_dates"));
    for date in ctx.store().due_dates_of_action(&action).await? {
        let _ = write!(body, "<li>{date}");
        match reports.iter().find(|r| r.due_date == date) {
            Some(r) if policy::sees_report(&ctx.who, &roadmap, &action, r) => {
                let _ = write!(
                    body,
                    " · <a href=\"/roadmap/reports/{}\">{}</a> · {}",
                    r.id,
                    ctx.t("rm.report"),
                    words(ctx.lang(), r.status.as_str())
                );
            }
            Some(_) => {}
            None if reporter
                || ctx
                    .who
                    .user()
                    .is_some_and(|u| u.role == hrtrack_domain::Role::FocalPoint) =>
            {
                let _ = write!(
                    body,
                    " {}{}{}",
                    ctx.form(&format!("/roadmap/actions/{id}/reports")),
                    hidden("due_date", &date.to_string()),
                    submit(&ctx.t("rm.start_report"))
                );
            }
            None => {}
        }
        body.push_str("</li>");
    }
    body.push_str("</ul>");
    if planner {
        let current = action_values(&action);
        let values = Retry::typed(&retry).unwrap_or(&current);
        let _ = write!(
            body,
            "<h2>{}</h2>{}{}{}{}{}",
            ctx.t("rm.edit"),
            ctx.retry_notice(&retry),
            ctx.form(&format!("/roadmap/actions/{id}")),
            hidden("version", &action.version.to_string()),
            action_fields(ctx, values, &clusters_options(&clusters)).await?,
            submit(&ctx.t("rm.save"))
        );
    }
    body.push_str(&super::people::record_history(ctx, "action", id).await?);
    ctx.page(Retry::status(&retry), &action.title, body)
}

pub(crate) async fn action(
    State(app): State<AppState>,
    req: PageRequest,
    who: Who,
    Path(id): Path<i64>,
) -> Response {
    let ctx = Ctx::new(app, req, who);
    ctx.finish(action_page(&ctx, id, None).await)
}

pub(crate) async fn update_action(
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
        form.keep_from(&action_values(&ctx.store().action(id).await?));
        let form = &form;
        let written = async {
            let input = action_input(form)?;
            let version = form.number("version")?;
            Ok::<_, ApiError>(
                ctx.store()
                    .update_action(&ctx.who.actor(), id, version, input)
                    .await?,
            )
        }
        .await;
        match written {
            Ok(_) => see_other(&format!("/roadmap/actions/{id}")),
            Err(error) => match retry_of(&error, form) {
                Some(retry) => action_page(&ctx, id, Some(retry)).await,
                None => Err(error),
            },
        }
    }
    .await;
    ctx.finish(result)
}

/// An indicator's values as its form shows them.
fn indicator_values(ind: &Indicator) -> FormData {
    let mut v = FormData::default();
    v.set("title", ind.title.clone());
    v.set("baseline", ind.baseline.clone());
    v.set("target", ind.target.clone());
    v.set("unit", ind.unit.clone());
    v.set("frequency", ind.frequency.as_str());
    v.set(
        "sdg_indicator",
        ind.sdg_indicator.clone().unwrap_or_default(),
    );
    if ind.archived {
        v.set("archived", "1");
    }
    v
}

fn indicator_input(form: &FormData) -> Result<IndicatorInput, ApiError> {
    let sdg = form.text("sdg_indicator").trim();
    Ok(IndicatorInput {
        title: form.text("title").to_owned(),
        baseline: form.text("baseline").to_owned(),
        target: form.text("target").to_owned(),
        unit: form.text("unit").to_owned(),
        frequency: Frequency::parse(form.get("frequency").unwrap_or("yearly"))
            .map_err(|e| invalid(e.to_string()))?,
        sdg_indicator: (!sdg.is_empty()).then(|| sdg.to_owned()),
        archived: form.checked("archived"),
    })
}

pub(crate) async fn create_indicator(
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
        let written = async {
            let input = indicator_input(&form)?;
            Ok::<_, ApiError>(
                ctx.store()
                    .create_indicator(&ctx.who.actor(), id, input)
                    .await?,
            )
        }
        .await;
        match written {
            Ok(_) => see_other(&format!("/roadmap/actions/{id}")),
            Err(error) => match retry_of(&error, &form) {
                Some(retry) => action_page(&ctx, id, Some(retry)).await,
                None => Err(error),
            },
        }
    }
    .await;
    ctx.finish(result)
}

pub(crate) async fn update_indicator(
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
        let indicator = ctx.store().indicator(id).await?;
        form.keep_from(&indicator_values(&indicator));
        let form = &form;
        let written = async {
            let input = indicator_input(form)?;
            let version = form.number("version")?;
            Ok::<_, ApiError>(
                ctx.store()
                    .update_indicator(&ctx.who.actor(), id, version, input)
                    .await?,
            )
        }
        .await;
        match written {
            Ok(_) => see_other(&format!("/roadmap/actions/{}", indicator.action_id)),
            Err(error) => match retry_of(&error, form) {
                Some(retry) => action_page(&ctx, indicator.action_id, Some(retry)).await,
                None => Err(error),
            },
        }
    }
    .await;
    ctx.finish(result)
}
