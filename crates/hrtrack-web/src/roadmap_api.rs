//! The Roadmap's JSON API under `/api/v1`: accounts (`/me`, `/users`), institutions,
//! roadmaps with their clusters, actions and indicators, progress reports with their
//! workflow and evidence, assessments and roll-ups, the calendar, the inbox and the audit log.
//!
//! The rules are the pages' rules, from the same places: who is asking comes from
//! [`Principal`] (session cookie or bearer token), what they may do from [`policy`], every
//! write with a session cookie needs the `X-CSRF-Token` header, and every update names the
//! `version` it was made from (a stale one answers 409 `stale_version` with `current`).
//! Updates are `PUT`s whose bodies (`*Edit`) require only `version`: every other field may
//! be omitted and is then left as it is (a list or a nullable field sent is written whole,
//! `null` clears a nullable one; a report's `values` sent set the indicators they name). The
//! edit is merged with the record as stored, and the store writes it only if that record is
//! still the `version` sent, so nothing the client did not send is reset. Reads show the
//! public only what is published; internal evidence never leaves to anyone outside
//! government staff.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Path, Request, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post, put};
use hrtrack_db::roadmap::{
    Action, ActionInput, Assessment, AssessmentInput, AuditFilter, ClusterInput, IndicatorInput,
    InstitutionInput, NewEvidence, NewUser, ProgressReport, ReportFilter, ReportInput, ReportValue,
    Roadmap, RoadmapInput, RollupDimension, User, UserUpdate,
};
use hrtrack_domain::{
    ActionStatus, AssessmentStatus, Date, Frequency, ImplementationLevel, InstitutionKind, Period,
    ReportStatus, Role,
};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::AppState;
use crate::auth::Principal;
use crate::error::{ApiError, ErrorCode};
use crate::evidence;
use crate::policy::{self, Permission};
use crate::query::ApiQuery;

/// The Roadmap's routes, for the API's route table.
pub fn route_table() -> Vec<(&'static str, MethodRouter<AppState>)> {
    vec![
        ("/api/v1/me", get(me)),
        ("/api/v1/users", get(list_users).post(create_user)),
        ("/api/v1/users/{id}", get(one_user).put(update_user)),
        ("/api/v1/users/{id}/tokens/revoke", post(revoke_user_tokens)),
        ("/api/v1/users/{id}/unlock", post(unlock_user)),
        (
            "/api/v1/institutions",
            get(list_institutions).post(create_institution),
        ),
        (
            "/api/v1/institutions/{id}",
            get(one_institution).put(update_institution),
        ),
        ("/api/v1/roadmaps", get(list_roadmaps).post(create_roadmap)),
        (
            "/api/v1/roadmaps/{id}",
            get(one_roadmap).put(update_roadmap),
        ),
        (
            "/api/v1/roadmaps/{id}/clusters",
            get(list_clusters).post(create_cluster),
        ),
        (
            "/api/v1/clusters/{id}",
            get(one_cluster).put(update_cluster),
        ),
        (
            "/api/v1/roadmaps/{id}/actions",
            get(list_actions).post(create_action),
        ),
        ("/api/v1/actions/{id}", get(one_action).put(update_action)),
        (
            "/api/v1/actions/{id}/indicators",
            get(list_indicators).post(create_indicator),
        ),
        ("/api/v1/indicators/{id}", put(update_indicator)),
        (
            "/api/v1/actions/{id}/reports",
            get(list_reports).post(create_report),
        ),
        ("/api/v1/reports/{id}", get(one_report).put(update_report)),
        ("/api/v1/reports/{id}/transitions", post(transition_report)),
        (
            "/api/v1/reports/{id}/evidence",
            post(add_evidence).layer(DefaultBodyLimit::max(evidence::UPLOAD_BODY_LIMIT)),
        ),
        ("/api/v1/evidence/{id}", get(download_evidence)),
        (
            "/api/v1/recommendations/{uid}/assessments",
            get(list_assessments).post(create_assessment),
        ),
        ("/api/v1/assessments/{id}", put(update_assessment)),
        ("/api/v1/rollups", get(rollups)),
        ("/api/v1/calendar", get(calendar)),
        ("/api/v1/inbox", get(inbox)),
        ("/api/v1/inbox/{id}/read", post(mark_read)),
        ("/api/v1/audit", get(audit)),
    ]
}

/// A JSON body parsed as `T`; one that does not fit is a 400 `bad_request` naming the field.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        match Json::<T>::from_request(request, state).await {
            Ok(Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

fn json_rejection(rejection: JsonRejection) -> ApiError {
    ApiError::bad_request(format!("invalid JSON body: {}", rejection.body_text()))
}

#[derive(Serialize)]
struct Items<T> {
    items: Vec<T>,
}

fn items<T>(items: Vec<T>) -> Json<Items<T>> {
    Json(Items { items })
}

/// Query strings of endpoints that take none.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NoParams {}

fn parse<T>(result: Result<T, hrtrack_domain::ParseError>) -> Result<T, ApiError> {
    result.map_err(|e| ApiError::new(ErrorCode::InvalidInput, e.to_string()))
}

/// A write's preconditions: CSRF (for cookie sessions), then `permission`.
fn writer<'a>(
    principal: &'a Principal,
    headers: &HeaderMap,
    permission: Permission,
) -> Result<&'a User, ApiError> {
    principal.check_api_csrf(headers)?;
    policy::require(principal, permission)
}

// ---- accounts ----

#[derive(Serialize)]
struct Me<'a> {
    user: &'a User,
    unread_messages: i64,
}

async fn me(State(state): State<AppState>, principal: Principal) -> Result<Response, ApiError> {
    let user = policy::require_user(&principal)?;
    let unread_messages = state.store().unread_messages(user.id).await?;
    Ok(Json(Me {
        user,
        unread_messages,
    })
    .into_response())
}

async fn list_users(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Json<Items<User>>, ApiError> {
    policy::require(&principal, Permission::ManageUsers)?;
    Ok(items(state.store().users().await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UserBody {
    name: Option<String>,
    display_name: String,
    #[serde(default)]
    email: String,
    role: String,
    #[serde(default)]
    institutions: Vec<i64>,
    password: Option<String>,
    /// Accepted and ignored: an account is created active.
    #[allow(dead_code)]
    archived: Option<bool>,
    /// Accepted and ignored when creating, so that one body serves both.
    #[allow(dead_code)]
    version: Option<serde::de::IgnoredAny>,
}

async fn create_user(
    State(state): State<AppState>,
    principal: Principal,
    headers: HeaderMap,
    ApiJson(body): ApiJson<UserBody>,
) -> Result<Response, ApiError> {
    writer(&principal, &headers, Permission::ManageUsers)?;
    let name = body.name.unwrap_or_default();
    let password = body.password.unwrap_or_default();
    hrtrack_access::password::check_new_password(&password, &name)
        .map_err(|e| ApiError::new(ErrorCode::InvalidInput, e.to_string()))?;
    let password_hash = crate::auth::hash_new_password(&state, &password).await?;
    let user = state
        .store()
        .create_user(
            &principal.actor(),
            NewUser {
                name,
                display_name: body.display_name,
                email: body.email,
                role: parse(Role::parse(&body.role))?,
                institutions: body.institutions,
                password_hash,
            },
        )
        .await?;
    Ok((axum::http::StatusCode::CREATED, Json(user)).into_response())
}

async fn one_user(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
) -> Result<Json<User>, ApiError> {
    policy::require(&principal, Permission::ManageUsers)?;
    Ok(Json(state.store().user(id).await?))
}

/// An account's edit: omitted fields are left as they are. The name and the password are
/// not edited here.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UserEdit {
    display_name: Option<String>,
    email: Option<String>,
    role: Option<String>,
    institutions: Option<Vec<i64>>,
    archived: Option<bool>,
    version: Option<i64>,
}

async fn update_user(
    State(state): State<AppState>,
    principal: Principal,
    headers: HeaderMap,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<UserEdit>,
) -> Result<Json<User>, ApiError> {
    writer(&principal, &headers, Permission::ManageUsers)?;
    let version = required_version(body.version)?;
    let current = state.store().user(id).await?;
    let update = UserUpdate {
        display_name: body.display_name.unwrap_or(current.display_name),
        email: body.email.unwrap_or(current.email),
        role: match body.role {
            Some(role) => parse(Role::parse(&role))?,
            None => current.role,
        },
        institutions: body.institutions.unwrap_or(current.institutions),
        archived: body.archived.unwrap_or(current.archived),
    };
    Ok(Json(
        state
            .store()
            .update_user(&principal.actor(), id, version, update)
            .await?,
    ))
}

/// `POST /api/v1/users/{id}/tokens/revoke`: every live API token of the user (audited).
async fn revoke_user_tokens(
    State(state): State<AppState>,
    principal: Principal,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    writer(&principal, &headers, Permission::ManageUsers)?;
    let revoked = state
        .store()
        .revoke_user_api_tokens(&principal.actor(), id)
        .await?;
    Ok(Json(json!({"revoked": revoked})).into_response())
}

/// `POST /api/v1/users/{id}/unlock`: clears the user's sign-in throttle (audited).
async fn unlock_user(
    State(state): State<AppState>,
    principal: Principal,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    writer(&principal, &headers, Permission::ManageUsers)?;
    let cleared = state.store().unlock_login(&principal.actor(), id).await?;
    Ok(Json(json!({"cleared": cleared})).into_response())
}

fn required_version(version: Option<i64>) -> Result<i64, ApiError> {
    version.ok_or_else(|| {
        ApiError::new(
            ErrorCode::InvalidInput,
            "`version` is required: the version of the record you edited",
        )
    })
}

/// For a nullable field of an edit: omitted is `None` (left as it is), `null` is
/// `Some(None)` (cleared), a value is `Some(Some(value))`.
fn nullable<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

// ---- institutions ----

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InstitutionBody {
    code: String,
    name: String,
    #[serde(default)]
    name_ru: String,
    #[serde(default)]
    name_tk: String,
    kind: String,
    #[serde(default)]
    archived: bool,
    /// Accepted and ignored when creating, so that one body serves both.
    #[allow(dead_code)]
    version: Option<serde::de::IgnoredAny>,
}

impl InstitutionBody {
    fn input(self) -> Result<InstitutionInput, ApiError> {
        Ok(InstitutionInput {
            code: self.code,
            name: self.name,
            name_ru: self.name_ru,
            name_tk: self.name_tk,
            kind: parse(InstitutionKind::parse(&self.kind))?,
            archived: self.archived,
        })
    }
}

async fn list_institutions(State(state): State<AppState>) -> Result<Response, ApiError> {
    Ok(items(state.store().institutions(false).await?).into_response())
}

async fn one_institution(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    Ok(Json(state.store().institution(id).await?).into_response())
}

async fn create_institution(
    State(state): State<AppState>,
    principal: Principal,
    headers: HeaderMap,
    ApiJson(body): ApiJson<InstitutionBody>,
) -> Result<Response, ApiError> {
    writer(&principal, &headers, Permission::ManageInstitutions)?;
    let input = body.input()?;
    let institution = state
        .store()
        .create_institution(&principal.actor(), input)
        .await?;
    Ok((axum::http::StatusCode::CREATED, Json(institution)).into_response())
}

/// An institution's edit: omitted fields are left as they are.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InstitutionEdit {
    code: Option<String>,
    name: Option<String>,
    name_ru: Option<String>,
    name_tk: Option<String>,
    kind: Option<String>,
    archived: Option<bool>,
    version: Option<i64>,
}

async fn update_institution(
    State(state): State<AppState>,
    principal: Principal,
    headers: HeaderMap,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<InstitutionEdit>,
) -> Result<Response, ApiError> {
    writer(&principal, &headers, Permission::ManageInstitutions)?;
    let version = required_version(body.version)?;
    let current = state.store().institution(id).await?;
    let input = InstitutionInput {
        code: body.code.unwrap_or(current.code),
        name: body.name.unwrap_or(current.name),
        name_ru: body.name_ru.unwrap_or(current.name_ru),
        name_tk: body.name_tk.unwrap_or(current.name_tk),
        kind: match body.kind {
            Some(kind) => parse(InstitutionKind::parse(&kind))?,
            None => current.kind,
        },
        archived: body.archived.unwrap_or(current.archived),
    };
    Ok(Json(
        state
            .store()
            .update_institution(&principal.actor(), id, version, input)
            .await?,
    )
    .into_response())
}

// ---- roadmaps and clusters ----

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RoadmapBody {
    title: String,
    #[serde(default)]
    description: String,
    review: Option<String>,
    followup_months: Option<i64>,
    #[serde(default)]
    reviewers: Vec<i64>,
    #[serde(default)]
    archived: bool,
    /// Accepted and ignored when creating, so that one body serves both.
    #[allow(dead_code)]
    version: Option<serde::de::IgnoredAny>,
}

impl RoadmapBody {
    fn input(self) -> RoadmapInput {
        RoadmapInput {
            title: self.title,
            description: self.description,
            review: self.review,
            followup_months: self.followup_months.unwrap_or(12),
            reviewers: self.reviewers,
            archived: self.archived,
        }
    }
}

/// A roadmap the principal may see: with drafts, or with at least one published action.
async fn visible_roadmap(
    state: &AppState,
    principal: &Principal,
    id: i64,
) -> Result<Roadmap, ApiError> {
    let roadmap = state.store().roadmap(id).await?;
    if policy::sees_drafts_of(principal, &roadmap) {
        return Ok(roadmap);
    }
    let published = state
        .store()
        .actions(Some(id), None)
        .await?
        .iter()
        .any(|a| policy::sees_action(principal, &roadmap, a));
    if published {
        Ok(roadmap)
    } else {
        Err(hidden(principal, "roadmap", id))
    }
}

/// The answer for a record the principal may not see: 404 for the public (its existence is
/// not told), 403 for a signed-in user.
fn hidden(principal: &Principal, what: &str, id: i64) -> ApiError {
    if principal.user().is_some() {
        ApiError::forbidden(format!("{what} {id} is not shared with you"))
    } else {
        ApiError::new(
            ErrorCode::RecordNotFound,
            format!("no published {what} {id}"),
        )
    }
}

async fn list_roadmaps(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Response, ApiError> {
    let mut visible = Vec::new();
    for roadmap in state.store().roadmaps(false).await? {
        if visible_roadmap(&state, &principal, roadmap.id)
            .await
            .is_ok()
        {
            visible.push(roadmap);
        }
    }
    Ok(items(visible).into_response())
}

async fn one_roadmap(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    Ok(Json(visible_roadmap(&state, &principal, id).await?).into_response())
}

async fn create_roadmap(
    State(state): State<AppState>,
    principal: Principal,
    headers: HeaderMap,
    ApiJson(body): ApiJson<RoadmapBody>,
) -> Result<Response, ApiError> {
    writer(&principal, &headers, Permission::Plan)?;
    let input = body.input();
    let roadmap = state
        .store()
        .create_roadmap(&principal.actor(), input)
        .await?;
    Ok((axum::http::StatusCode::CREATED, Json(roadmap)).into_response())
}

/// A roadmap's edit: omitted fields are left as they are; `review: null` unties it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RoadmapEdit {
    title: Option<String>,
    description: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    review: Option<Option<String>>,
    followup_months: Option<i64>,
    reviewers: Option<Vec<i64>>,
    archived: Option<bool>,
    version: Option<i64>,
}

async fn update_roadmap(
    State(state): State<AppState>,
    principal: Principal,
    headers: HeaderMap,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<RoadmapEdit>,
) -> Result<Response, ApiError> {
    writer(&principal, &headers, Permission::Plan)?;
    let version = required_version(body.version)?;
    let current = state.store().roadmap(id).await?;
    let input = RoadmapInput {
        title: body.title.unwrap_or(current.title),
        description: body.description.unwrap_or(current.description),
        review: body.review.unwrap_or(current.review),
        followup_months: body.followup_months.unwrap_or(current.followup_months),
        reviewers: body.reviewers.unwrap_or(current.reviewers),
        archived: body.archived.unwrap_or(current.archived),
    };
    Ok(Json(
        state
            .store()
            .update_roadmap(&principal.actor(), id, version, input)
            .await?,
    )
    .into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClusterBody {
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    recommendations: Vec<String>,
    #[serde(default)]
    archived: bool,
    /// Accepted and ignored when creating, so that one body serves both.
    #[allow(dead_code)]
    version: Option<serde::de::IgnoredAny>,
}

impl ClusterBody {
    fn input(self) -> ClusterInput {
        ClusterInput {
            title: self.title,
            description: self.description,
            recommendations: self.recommendations,
            archived: self.archived,
        }
    }
}

async fn list_clusters(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    visible_roadmap(&state, &principal, id).await?;
    Ok(items(state.store().clusters(id).await?).into_response())
}

async fn one_cluster(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let cluster = state.store().cluster(id).await?;
    visible_roadmap(&state, &principal, cluster.roadmap_id).await?;
    Ok(Json(cluster).into_response())
}

async fn create_cluster(
    State(state): State<AppState>,
    principal: Principal,
    headers: HeaderMap,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ClusterBody>,
) -> Result<Response, ApiError> {
    writer(&principal, &headers, Permission::Plan)?;
    let input = body.input();
    let cluster = state
        .store()
        .create_cluster(&principal.actor(), id, input)
        .await?;
    Ok((axum::http::StatusCode::CREATED, Json(cluster)).into_response())
}

/// A cluster's edit: omitted fields are left as they are.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClusterEdit {
    title: Option<String>,
    description: Option<String>,
    recommendations: Option<Vec<String>>,
    archived: Option<bool>,
    version: Option<i64>,
}

async fn update_cluster(
    State(state): State<AppState>,
    principal: Principal,
    headers: HeaderMap,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ClusterEdit>,
) -> Result<Response, ApiError> {
    writer(&principal, &headers, Permission::Plan)?;
    let version = required_version(body.version)?;
    let current = state.store().cluster(id).await?;
    let input = ClusterInput {
        title: body.title.unwrap_or(current.title),
        description: body.description.unwrap_or(current.description),
        recommendations: body.recommendations.unwrap_or(current.recommendations),
        archived: body.archived.unwrap_or(current.archived),
    };
    Ok(Json(
        state
            .store()
            .update_cluster(&principal.actor(), id, version, input)
            .await?,
    )
    .into_response())
}

// ---- actions and indicators ----

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ActionBody {
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    expected_outcome: String,
    lead_institution_id: i64,
    #[serde(default)]
    supporting_institutions: Vec<i64>,
    #[serde(default)]
    partners: Vec<i64>,
    start_date: String,
    end_date: String,
    #[serde(default)]
    cost: String,
    #[serde(default)]
    currency: String,
    #[serde(default)]
    funding_source: String,
    status: Option<String>,
    #[serde(default)]
    published: bool,
    #[serde(default)]
    recommendations: Vec<String>,
    #[serde(default)]
    clusters: Vec<i64>,
    #[serde(default)]
    sdg_targets: Vec<String>,
    #[serde(default)]
    archived: bool,
    /// Accepted and ignored when creating, so that one body serves both.
    #[allow(dead_code)]
    version: Option<serde::de::IgnoredAny>,
}

impl ActionBody {
    fn input(self) -> Result<ActionInput, ApiError> {
        Ok(ActionInput {
            title: self.title,
            description: self.description,
            expected_outcome: self.expected_outcome,
            lead_institution_id: self.lead_institution_id,
            supporting_institutions: self.supporting_institutions,
            partners: self.partners,
            start_date: parse(Date::parse(&self.start_date))?,
            end_date: parse(Date::parse(&self.end_date))?,
            cost: self.cost,
            currency: self.currency,
            funding_source: self.funding_source,
            status: match self.status {
                Some(status) => parse(ActionStatus::parse(&status))?,
                None => ActionStatus::Planned,
            },
            published: self.published,
            recommendations: self.recommendations,
            clusters: self.clusters,
            sdg_targets: self.sdg_targets,
            archived: self.archived,
        })
    }
}

/// An action with its roadmap, if the principal may see it.
async fn visible_action(
    state: &AppState,
    principal: &Principal,
    id: i64,
) -> Result<(Roadmap, Action), ApiError> {
    let action = state.store().action(id).await?;
    let roadmap = state.store().roadmap(action.roadmap_id).await?;
    if policy::sees_action(principal, &roadmap, &action) {
        Ok((roadmap, action))
    } else {
        Err(hidden(principal, "action", id))
    }
}

async fn list_actions(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let roadmap = visible_roadmap(&state, &principal, id).await?;
    let actions: Vec<Action> = state
        .store()
        .actions(Some(id), None)
        .await?
        .into_iter()
        .filter(|a| policy::sees_action(&principal, &roadmap, a))
        .collect();
    Ok(items(actions).into_response())
}

async fn one_action(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let (_, action) = visible_action(&state, &principal, id).await?;
    Ok(Json(action).into_response())
}

async fn create_action(
    State(state): State<AppState>,
    principal: Principal,
    headers: HeaderMap,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ActionBody>,
) -> Result<Response, ApiError> {
    writer(&principal, &headers, Permission::Plan)?;
    let input = body.input()?;
    let action = state
        .store()
        .create_action(&principal.actor(), id, input)
        .await?;
    Ok((axum::http::StatusCode::CREATED, Json(action)).into_response())
}

/// An action's edit: omitted fields are left as they are.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ActionEdit {
    title: Option<String>,
    description: Option<String>,
    expected_outcome: Option<String>,
    lead_institution_id: Option<i64>,
    supporting_institutions: Option<Vec<i64>>,
    partners: Option<Vec<i64>>,
    start_date: Option<String>,
    end_date: Option<String>,
    cost: Option<String>,
    currency: Option<String>,
    funding_source: Option<String>,
    status: Option<String>,
    published: Option<bool>,
    recommendations: Option<Vec<String>>,
    clusters: Option<Vec<i64>>,
    sdg_targets: Option<Vec<String>>,
    archived: Option<bool>,
    version: Option<i64>,
}

async fn update_action(
    State(state): State<AppState>,
    principal: Principal,
    headers: HeaderMap,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ActionEdit>,
) -> Result<Response, ApiError> {
    writer(&principal, &headers, Permission::Plan)?;
    let version = required_version(body.version)?;
    let current = state.store().action(id).await?;
    let date = |given: Option<String>, kept: Date| match given {
        Some(text) => parse(Date::parse(&text)),
        None => Ok(kept),
    };
    let input = ActionInput {
        title: body.title.unwrap_or(current.title),
        description: body.description.unwrap_or(current.description),
        expected_outcome: body.expected_outcome.unwrap_or(current.expected_outcome),
        lead_institution_id: body
            .lead_institution_id
            .unwrap_or(current.lead_institution_id),
        supporting_institutions: body
            .supporting_institutions
            .unwrap_or(current.supporting_institutions),
        partners: body.partners.unwrap_or(current.partners),
        start_date: date(body.start_date, current.start_date)?,
        end_date: date(body.end_date, current.end_date)?,
        cost: body.cost.unwrap_or(current.cost),
        currency: body.currency.unwrap_or(current.currency),
        funding_source: body.funding_source.unwrap_or(current.funding_source),
        status: match body.status {
            Some(status) => parse(ActionStatus::parse(&status))?,
            None => current.status,
        },
        published: body.published.unwrap_or(current.published),
        recommendations: body.recommendations.unwrap_or(current.recommendations),
        clusters: body.clusters.unwrap_or(current.clusters),
        sdg_targets: body.sdg_targets.unwrap_or(current.sdg_targets),
        archived: body.archived.unwrap_or(current.archived),
    };
    Ok(Json(
        state
            .store()
            .update_action(&principal.actor(), id, version, input)
            .await?,
    )
    .into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IndicatorBody {
    title: String,
    #[serde(default)]
    baseline: String,
    #[serde(default)]
    target: String,
    #[serde(default)]
    unit: String,
    frequency: String,
    sdg_indicator: Option<String>,
    #[serde(default)]
    archived: bool,
    /// Accepted and ignored when creating, so that one body serves both.
    #[allow(dead_code)]
    version: Option<serde::de::IgnoredAny>,
}

impl IndicatorBody {
    fn input(self) -> Result<IndicatorInput, ApiError> {
        Ok(IndicatorInput {
            title: self.title,
            baseline: self.baseline,
            target: self.target,
            unit: self.unit,
            frequency: parse(Frequency::parse(&self.frequency))?,
            sdg_indicator: self.sdg_indicator,
            archived: self.archived,
        })
    }
}

async fn list_indicators(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    visible_action(&state, &principal, id).await?;
    Ok(items(state.store().indicators(id).await?).into_response())
}

async fn create_indicator(
    State(state): State<AppState>,
    principal: Principal,
    headers: HeaderMap,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<IndicatorBody>,
) -> Result<Response, ApiError> {
    writer(&principal, &headers, Permission::Plan)?;
    let input = body.input()?;
    let indicator = state
        .store()
        .create_indicator(&principal.actor(), id, input)
        .await?;
    Ok((axum::http::StatusCode::CREATED, Json(indicator)).into_response())
}

/// An indicator's edit: omitted fields are left as they are; `sdg_indicator: null` unlinks
/// it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IndicatorEdit {
    title: Option<String>,
    baseline: Option<String>,
    target: Option<String>,
    unit: Option<String>,
    frequency: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    sdg_indicator: Option<Option<String>>,
    archived: Option<bool>,
    version: Option<i64>,
}

async fn update_indicator(
    State(state): State<AppState>,
    principal: Principal,
    headers: HeaderMap,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<IndicatorEdit>,
) -> Result<Response, ApiError> {
    writer(&principal, &headers, Permission::Plan)?;
    let version = required_version(body.version)?;
    let current = state.store().indicator(id).await?;
    let input = IndicatorInput {
        title: body.title.unwrap_or(current.title),
        baseline: body.baseline.unwrap_or(current.baseline),
        target: body.target.unwrap_or(current.target),
        unit: body.unit.unwrap_or(current.unit),
        frequency: match body.frequency {
            Some(frequency) => parse(Frequency::parse(&frequency))?,
            None => current.frequency,
        },
        sdg_indicator: body.sdg_indicator.unwrap_or(current.sdg_indicator),
        archived: body.archived.unwrap_or(current.archived),
    };
    Ok(Json(
        state
            .store()
            .update_indicator(&principal.actor(), id, version, input)
            .await?,
    )
    .into_response())
}

// ---- progress reports and evidence ----

/// A report as the principal may see it: internal evidence removed for outsiders.
fn shown_report(principal: &Principal, mut report: ProgressReport) -> ProgressReport {
    let visible: Vec<_> = report
        .evidence
        .iter()
        .filter(|e| policy::sees_evidence(principal, &report, e))
        .cloned()
        .collect();
    report.evidence = visible;
    report
}

/// A report with its action and roadmap, if the principal may see it.
async fn visible_report(
    state: &AppState,
    principal: &Principal,
    id: i64,
) -> Result<(Roadmap, Action, ProgressReport), ApiError> {
    let report = state.store().report(id).await?;
    let action = state.store().action(report.action_id).await?;
    let roadmap = state.store().roadmap(action.roadmap_id).await?;
    if policy::sees_report(principal, &roadmap, &action, &report) {
        Ok((roadmap, action, report))
    } else {
        Err(hidden(principal, "progress report", id))
    }
}

async fn list_reports(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let (roadmap, action) = visible_action(&state, &principal, id).await?;
    let filter = ReportFilter {
        action_id: Some(id),
        ..ReportFilter::default()
    };
    let reports: Vec<ProgressReport> = state
        .store()
        .reports(&filter)
        .await?
        .into_iter()
        .filter(|r| policy::sees_report(&principal, &roadmap, &action, r))
        .map(|r| shown_report(&principal, r))
        .collect();
    Ok(items(reports).into_response())
}

async fn one_report(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let (_, _, report) = visible_report(&state, &principal, id).await?;
    Ok(Json(shown_report(&principal, report)).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReportBody {
    due_date: Option<String>,
    #[serde(default)]
    narrative: String,
    #[serde(default)]
    values: Vec<ReportValueBody>,
    /// Accepted and ignored when creating, so that one body serves both.
    #[allow(dead_code)]
    version: Option<serde::de::IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReportValueBody {
    indicator_id: i64,
    value: String,
}

impl ReportBody {
    fn input(&self) -> ReportInput {
        ReportInput {
            narrative: self.narrative.clone(),
            values: self
                .values
                .iter()
                .map(|v| ReportValue {
                    indicator_id: v.indicator_id,
                    value: v.value.clone(),
                })
                .collect(),
        }
    }
}

async fn create_report(
    State(state): State<AppState>,
    principal: Principal,
    headers: HeaderMap,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ReportBody>,
) -> Result<Response, ApiError> {
    principal.check_api_csrf(&headers)?;
    let action = state.store().action(id).await?;
    policy::require_reporter(&principal, &action)?;
    let due = body
        .due_date
        .as_deref()
        .ok_or_else(|| ApiError::new(ErrorCode::InvalidInput, "`due_date` is required"))?;
    let due = parse(Date::parse(due))?;
    let report = state
        .store()
        .create_report(&principal.actor(), id, due, body.input())
        .await?;
    Ok((axum::http::StatusCode::CREATED, Json(report)).into_response())
}

/// A report's edit: omitted fields are left as they are. `values` set the indicators they
/// name (an empty `value` clears one); the other indicators' values are kept. The due date
/// is not edited.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReportEdit {
    narrative: Option<String>,
    values: Option<Vec<ReportValueBody>>,
    version: Option<i64>,
}

async fn update_report(
    State(state): State<AppState>,
    principal: Principal,
    headers: HeaderMap,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ReportEdit>,
) -> Result<Response, ApiError> {
    principal.check_api_csrf(&headers)?;
    let report = state.store().report(id).await?;
    let action = state.store().action(report.action_id).await?;
    policy::require_reporter(&principal, &action)?;
    let version = required_version(body.version)?;
    let given = body.values.unwrap_or_default();
    let mut values: Vec<ReportValue> = report
        .values
        .into_iter()
        .filter(|kept| !given.iter().any(|v| v.indicator_id == kept.indicator_id))
        .collect();
    values.extend(given.into_iter().map(|v| ReportValue {
        indicator_id: v.indicator_id,
        value: v.value,
    }));
    let input = ReportInput {
        narrative: body.narrative.unwrap_or(report.narrative),
        values,
    };
    Ok(Json(
        state
            .store()
            .update_report(&principal.actor(), id, version, input)
            .await?,
    )
    .into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TransitionBody {
    to: String,
    version: i64,
    comment: Option<String>,
}

async fn transition_report(
    State(state): State<AppState>,
    principal: Principal,
    headers: HeaderMap,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<TransitionBody>,
) -> Result<Response, ApiError> {
    principal.check_api_csrf(&headers)?;
    let next = parse(ReportStatus::parse(&body.to))?;
    let report = state.store().report(id).await?;
    let action = state.store().action(report.action_id).await?;
    policy::require_transition(&principal, &action, next)?;
    let report = state
        .store()
        .transition_report(
            &principal.actor(),
            id,
            body.version,
            next,
            body.comment.as_deref(),
        )
        .await?;
    Ok(Json(report).into_response())
}

/// `POST /api/v1/reports/{id}/evidence`: a `multipart/form-data` upload (`title`, `public`,
/// `file`) or a JSON link `{"title", "url", "public"}`.
async fn add_evidence(
    State(state): State<AppState>,
    principal: Principal,
    headers: HeaderMap,
    Path(id): Path<i64>,
    request: Request,
) -> Result<Response, ApiError> {
    principal.check_api_csrf(&headers)?;
    let report = state.store().report(id).await?;
    let action = state.store().action(report.action_id).await?;
    policy::require_reporter(&principal, &action)?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let evidence = if content_type.starts_with("multipart/form-data") {
        let multipart = Multipart::from_request(request, &state)
            .await
            .map_err(|e| ApiError::bad_request(e.body_text()))?;
        let mut upload = evidence::read_upload(multipart).await?;
        let file = upload.file.take();
        if upload.too_large {
            let name = file
                .as_ref()
                .map(|(n, _)| n.as_str())
                .filter(|n| !n.is_empty());
            return Err(evidence::upload_error(evidence::too_large(name)));
        }
        let Some((file_name, content)) = file else {
            return Err(ApiError::new(
                ErrorCode::InvalidInput,
                "choose a file to upload: the form field `file`",
            ));
        };
        evidence::file_evidence(
            &state,
            upload.field("title").unwrap_or(""),
            upload.checked("public"),
            &file_name,
            content,
        )
        .await?
        .map_err(evidence::upload_error)?
    } else {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct LinkBody {
            title: String,
            url: String,
            #[serde(default)]
            public: bool,
        }
        let Json(link) = Json::<LinkBody>::from_request(request, &state)
            .await
            .map_err(json_rejection)?;
        NewEvidence::Link {
            title: link.title,
            url: link.url,
            public: link.public,
        }
    };
    let stored = state
        .store()
        .add_evidence(&principal.actor(), id, evidence)
        .await?;
    Ok((axum::http::StatusCode::CREATED, Json(stored)).into_response())
}

async fn download_evidence(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let file = evidence::downloadable(&state, &principal, id).await?;
    match &file.evidence.url {
        Some(url) => Ok(Json(json!({"title": file.evidence.title, "url": url})).into_response()),
        None => Ok(evidence::attachment(&state, file)),
    }
}

// ---- assessments and roll-ups ----

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AssessmentBody {
    period: String,
    level: String,
    #[serde(default)]
    summary: String,
    status: Option<String>,
    #[serde(default)]
    reports: Vec<i64>,
    #[serde(default)]
    archived: bool,
    /// Accepted and ignored when creating, so that one body serves both.
    #[allow(dead_code)]
    version: Option<serde::de::IgnoredAny>,
}

async fn list_assessments(
    State(state): State<AppState>,
    principal: Principal,
    Path(uid): Path<String>,
) -> Result<Response, ApiError> {
    let assessments: Vec<Assessment> = state
        .store()
        .assessments_of(&uid)
        .await?
        .into_iter()
        .filter(|a| policy::sees_assessment(&principal, a))
        .collect();
    Ok(items(assessments).into_response())
}

impl AssessmentBody {
    fn input(self, uid: String, shadow: bool) -> Result<AssessmentInput, ApiError> {
        Ok(AssessmentInput {
            recommendation_uid: uid,
            period: parse(Period::parse(&self.period))?,
            level: parse(ImplementationLevel::parse(&self.level))?,
            summary: self.summary,
            shadow,
            status: match self.status {
                Some(status) => parse(AssessmentStatus::parse(&status))?,
                None => AssessmentStatus::Draft,
            },
            reports: self.reports,
            archived: self.archived,
        })
    }
}

async fn create_assessment(
    State(state): State<AppState>,
    principal: Principal,
    headers: HeaderMap,
    Path(uid): Path<String>,
    ApiJson(body): ApiJson<AssessmentBody>,
) -> Result<Response, ApiError> {
    principal.check_api_csrf(&headers)?;
    let shadow = policy::assessor(&principal)?;
    let input = body.input(uid, shadow)?;
    let assessment = state
        .store()
        .create_assessment(&principal.actor(), input)
        .await?;
    Ok((axum::http::StatusCode::CREATED, Json(assessment)).into_response())
}

/// An assessment's edit: omitted fields are left as they are.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AssessmentEdit {
    period: Option<String>,
    level: Option<String>,
    summary: Option<String>,
    status: Option<String>,
    reports: Option<Vec<i64>>,
    archived: Option<bool>,
    version: Option<i64>,
}

async fn update_assessment(
    State(state): State<AppState>,
    principal: Principal,
    headers: HeaderMap,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<AssessmentEdit>,
) -> Result<Response, ApiError> {
    principal.check_api_csrf(&headers)?;
    let shadow = policy::assessor(&principal)?;
    let current = state.store().assessment(id).await?;
    let own = principal
        .user()
        .is_some_and(|u| current.author_id == Some(u.id));
    if current.shadow != shadow || (shadow && !own) {
        return Err(ApiError::forbidden(
            "you may edit only your own shadow assessments, and coordinators only the government's",
        ));
    }
    let version = required_version(body.version)?;
    let input = AssessmentInput {
        recommendation_uid: current.recommendation_uid,
        period: match body.period {
            Some(period) => parse(Period::parse(&period))?,
            None => current.period,
        },
        level: match body.level {
            Some(level) => parse(ImplementationLevel::parse(&level))?,
            None => current.level,
        },
        summary: body.summary.unwrap_or(current.summary),
        shadow,
        status: match body.status {
            Some(status) => parse(AssessmentStatus::parse(&status))?,
            None => current.status,
        },
        reports: body.reports.unwrap_or(current.reports),
        archived: body.archived.unwrap_or(current.archived),
    };
    Ok(Json(
        state
            .store()
            .update_assessment(&principal.actor(), id, version, input)
            .await?,
    )
    .into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RollupParams {
    by: String,
    review: Option<String>,
}

async fn rollups(
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery<RollupParams>,
) -> Result<Response, ApiError> {
    let dimension = RollupDimension::parse(&params.by).ok_or_else(|| {
        ApiError::bad_request(
            "`by` is one of review, theme, sdg_goal, institution, recommending_state",
        )
    })?;
    let review = params
        .review
        .as_deref()
        .filter(|r| !r.is_empty() && r.len() <= 40);
    Ok(Json(state.store().rollup(dimension, review).await?).into_response())
}

// ---- calendar, inbox, audit ----

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CalendarParams {
    institution: Option<i64>,
    until: Option<String>,
}

async fn calendar(
    State(state): State<AppState>,
    principal: Principal,
    ApiQuery(params): ApiQuery<CalendarParams>,
) -> Result<Response, ApiError> {
    policy::require(&principal, Permission::ReadCalendar)?;
    let today = Date::today_utc();
    let until = match params.until.as_deref() {
        Some(until) => parse(Date::parse(until))?,
        None => today.add_days(90),
    };
    let due = state
        .store()
        .calendar(params.institution, today, until)
        .await?;
    let deadlines = state.store().un_deadlines().await?;
    Ok(Json(json!({"reports": due, "un_deadlines": deadlines})).into_response())
}

async fn inbox(
    State(state): State<AppState>,
    principal: Principal,
    ApiQuery(NoParams {}): ApiQuery<NoParams>,
) -> Result<Response, ApiError> {
    let user = policy::require_user(&principal)?;
    Ok(items(state.store().inbox(user.id, 200).await?).into_response())
}

async fn mark_read(
    State(state): State<AppState>,
    principal: Principal,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    principal.check_api_csrf(&headers)?;
    let user = policy::require_user(&principal)?;
    state.store().mark_read(user.id, id).await?;
    Ok(Json(json!({"read": true})).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AuditParams {
    entity: Option<String>,
    entity_id: Option<String>,
    user: Option<String>,
    action: Option<String>,
    since: Option<String>,
    until: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
}

async fn audit(
    State(state): State<AppState>,
    principal: Principal,
    ApiQuery(params): ApiQuery<AuditParams>,
) -> Result<Response, ApiError> {
    policy::require(&principal, Permission::ReadAudit)?;
    let filter = AuditFilter {
        entity: params.entity,
        entity_id: params.entity_id,
        user_name: params.user,
        action: params.action,
        since: params.since,
        until: params.until,
        limit: params.limit.unwrap_or(100),
        offset: params.offset.unwrap_or(0),
    };
    let (entries, total) = state.store().audit_log(&filter).await?;
    Ok(Json(json!({"total": total, "items": entries})).into_response())
}
