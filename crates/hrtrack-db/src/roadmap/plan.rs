//! The plan: roadmaps (one per review or framework), clusters of recommendations, actions
//! with their institutions, recommendations, clusters and SDG targets, and the indicators
//! that measure them.

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use hrtrack_domain::{ActionRole, ActionStatus, Date, Frequency};

use super::{Actor, Tx, created, diff, lock_row, optional, record_audit, required, stale};
use crate::clock::now_rfc3339;
use crate::sql::in_list;
use crate::{Backend, Store, StoreError};

/// A plan of actions answering one review's recommendations (or a national framework's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Roadmap {
    pub id: i64,
    pub title: String,
    pub description: String,
    /// The review whose recommendations it answers, as `ISO3/MECHANISM/CYCLE`.
    pub review: Option<String>,
    /// Months after the review when a treaty body expects the follow-up report.
    pub followup_months: i64,
    /// Reviewers (user ids) who may read its drafts.
    pub reviewers: Vec<i64>,
    pub archived: bool,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Default)]
pub struct RoadmapInput {
    pub title: String,
    pub description: String,
    /// `ISO3/MECHANISM/CYCLE`, e.g. `TKM/UPR/4`.
    pub review: Option<String>,
    pub followup_months: i64,
    pub reviewers: Vec<i64>,
    pub archived: bool,
}

/// Recommendations grouped by theme, as the coordinator chooses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cluster {
    pub id: i64,
    pub roadmap_id: i64,
    pub title: String,
    pub description: String,
    pub recommendations: Vec<String>,
    pub archived: bool,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Default)]
pub struct ClusterInput {
    pub title: String,
    pub description: String,
    pub recommendations: Vec<String>,
    pub archived: bool,
}

/// One action of a roadmap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Action {
    pub id: i64,
    pub roadmap_id: i64,
    pub title: String,
    pub description: String,
    pub expected_outcome: String,
    pub lead_institution_id: i64,
    pub supporting_institutions: Vec<i64>,
    pub partners: Vec<i64>,
    pub start_date: Date,
    pub end_date: Date,
    pub cost: String,
    pub currency: String,
    pub funding_source: String,
    pub status: ActionStatus,
    pub published: bool,
    pub recommendations: Vec<String>,
    pub clusters: Vec<i64>,
    pub sdg_targets: Vec<String>,
    pub archived: bool,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl Action {
    /// Whether `institution` leads or supports this action (partners do not report).
    pub fn involves(&self, institution: i64) -> bool {
        self.lead_institution_id == institution
            || self.supporting_institutions.contains(&institution)
    }
}

#[derive(Debug, Clone)]
pub struct ActionInput {
    pub title: String,
    pub description: String,
    pub expected_outcome: String,
    pub lead_institution_id: i64,
    pub supporting_institutions: Vec<i64>,
    pub partners: Vec<i64>,
    pub start_date: Date,
    pub end_date: Date,
    pub cost: String,
    pub currency: String,
    pub funding_source: String,
    pub status: ActionStatus,
    pub published: bool,
    pub recommendations: Vec<String>,
    pub clusters: Vec<i64>,
    pub sdg_targets: Vec<String>,
    pub archived: bool,
}

/// A measure of an action's progress, reported at its frequency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Indicator {
    pub id: i64,
    pub action_id: i64,
    pub title: String,
    pub baseline: String,
    pub target: String,
    pub unit: String,
    pub frequency: Frequency,
    pub sdg_indicator: Option<String>,
    pub archived: bool,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone)]
pub struct IndicatorInput {
    pub title: String,
    pub baseline: String,
    pub target: String,
    pub unit: String,
    pub frequency: Frequency,
    pub sdg_indicator: Option<String>,
    pub archived: bool,
}

fn invalid(error: impl ToString) -> StoreError {
    StoreError::Invalid(error.to_string())
}

async fn ids(conn: &mut AnyConnection, sql: &'static str, id: i64) -> Result<Vec<i64>, StoreError> {
    let rows = sqlx::query(sql).bind(id).fetch_all(&mut *conn).await?;
    rows.iter()
        .map(|r| r.try_get::<i64, _>(0).map_err(Into::into))
        .collect()
}

async fn texts(
    conn: &mut AnyConnection,
    sql: &'static str,
    id: i64,
) -> Result<Vec<String>, StoreError> {
    let rows = sqlx::query(sql).bind(id).fetch_all(&mut *conn).await?;
    rows.iter()
        .map(|r| r.try_get::<String, _>(0).map_err(Into::into))
        .collect()
}

/// Sorted, deduplicated, trimmed, empty values dropped.
fn tidy<T: Ord + Clone>(values: &[T]) -> Vec<T> {
    let mut values = values.to_vec();
    values.sort();
    values.dedup();
    values
}

fn tidy_texts(values: &[String]) -> Vec<String> {
    tidy(
        &values
            .iter()
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
            .collect::<Vec<_>>(),
    )
}

/// Refuses recommendation ids the registry does not hold, naming them.
async fn check_recommendations(tx: &mut Tx, uids: &[String]) -> Result<(), StoreError> {
    let mut unknown = Vec::new();
    for uid in uids {
        let found = sqlx::query("SELECT 1 FROM recommendations WHERE uid = $1")
            .bind(uid)
            .fetch_optional(&mut **tx)
            .await?;
        if found.is_none() {
            unknown.push(uid.as_str());
        }
    }
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(StoreError::Invalid(format!(
            "unknown recommendation(s): {}",
            unknown.join(", ")
        )))
    }
}

async fn replace_links(
    tx: &mut Tx,
    table: &'static str,
    owner_column: &'static str,
    owner: i64,
    value_column: &'static str,
    values: &[String],
) -> Result<(), StoreError> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DELETE FROM {table} WHERE {owner_column} = $1"
    )))
    .bind(owner)
    .execute(&mut **tx)
    .await?;
    for value in values {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO {table} ({owner_column}, {value_column}) VALUES ($1, $2)"
        )))
        .bind(owner)
        .bind(value)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

const ROADMAP_COLUMNS: &str = "m.id, m.title, m.description, m.followup_months, m.archived, m.version, \
     m.created_at, m.updated_at, c.iso3, v.mechanism, v.cycle";

async fn load_roadmap(conn: &mut AnyConnection, id: i64) -> Result<Roadmap, StoreError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {ROADMAP_COLUMNS} FROM roadmaps m LEFT JOIN reviews v ON v.id = m.review_id \
         LEFT JOIN countries c ON c.id = v.country_id WHERE m.id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| StoreError::NotFound(format!("no roadmap {id}")))?;
    let mut roadmap = roadmap_from_row(&row)?;
    roadmap.reviewers = ids(
        conn,
        "SELECT user_id FROM roadmap_reviewers WHERE roadmap_id = $1 ORDER BY user_id",
        id,
    )
    .await?;
    Ok(roadmap)
}

fn roadmap_from_row(row: &AnyRow) -> Result<Roadmap, StoreError> {
    let iso3: Option<String> = row.try_get("iso3")?;
    let mechanism: Option<String> = row.try_get("mechanism")?;
    let cycle: Option<i64> = row.try_get("cycle")?;
    Ok(Roadmap {
        id: row.try_get("id")?,
        title: row.try_get("title")?,
        description: row.try_get("description")?,
        review: match (iso3, mechanism, cycle) {
            (Some(iso3), Some(mechanism), Some(cycle)) => {
                Some(format!("{iso3}/{mechanism}/{cycle}"))
            }
            _ => None,
        },
        followup_months: row.try_get("followup_months")?,
        reviewers: Vec::new(),
        archived: row.try_get::<i64, _>("archived")? != 0,
        version: row.try_get("version")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

/// The review id of `ISO3/MECHANISM/CYCLE`.
async fn review_id(tx: &mut Tx, review: &str) -> Result<i64, StoreError> {
    let parts: Vec<&str> = review.trim().split('/').collect();
    let [iso3, mechanism, cycle] = parts.as_slice() else {
        return Err(invalid(format!(
            "review {review:?}: write it ISO3/MECHANISM/CYCLE, e.g. TKM/UPR/4"
        )));
    };
    let cycle: i64 = cycle
        .parse()
        .map_err(|_| invalid(format!("review {review:?}: the cycle is not a number")))?;
    let row = sqlx::query(
        "SELECT v.id FROM reviews v JOIN countries c ON c.id = v.country_id \
         WHERE c.iso3 = $1 AND v.mechanism = $2 AND v.cycle = $3",
    )
    .bind(iso3.to_uppercase())
    .bind(mechanism.to_uppercase())
    .bind(cycle)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or_else(|| invalid(format!("no review {review} in the registry")))?;
    Ok(row.try_get(0)?)
}

async fn write_roadmap(
    tx: &mut Tx,
    id: Option<i64>,
    input: &RoadmapInput,
) -> Result<i64, StoreError> {
    let title = required("title", &input.title, 300)?;
    let description = optional("description", &input.description, 20_000)?;
    if !(1..=60).contains(&input.followup_months) {
        return Err(invalid("follow-up months must be between 1 and 60"));
    }
    let review = match input.review.as_deref().map(str::trim) {
        Some(review) if !review.is_empty() => Some(review_id(tx, review).await?),
        _ => None,
    };
    for &reviewer in &input.reviewers {
        let role = sqlx::query("SELECT role FROM users WHERE id = $1")
            .bind(reviewer)
            .fetch_optional(&mut **tx)
            .await?;
        match role {
            Some(row) if row.try_get::<String, _>(0)? == "reviewer" => {}
            _ => return Err(invalid(format!("user {reviewer} is not a reviewer"))),
        }
    }
    let now = now_rfc3339();
    let id = match id {
        None => sqlx::query(
            "INSERT INTO roadmaps (title, description, review_id, followup_months, archived, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
        )
        .bind(&title)
        .bind(&description)
        .bind(review)
        .bind(input.followup_months)
        .bind(i64::from(input.archived))
        .bind(&now)
        .fetch_one(&mut **tx)
        .await?
        .try_get(0)?,
        Some(id) => {
            sqlx::query(
                "UPDATE roadmaps SET title = $1, description = $2, review_id = $3, followup_months = $4, \
                 archived = $5, version = version + 1, updated_at = $6 WHERE id = $7",
            )
            .bind(&title)
            .bind(&description)
            .bind(review)
            .bind(input.followup_months)
            .bind(i64::from(input.archived))
            .bind(&now)
            .bind(id)
            .execute(&mut **tx)
            .await?;
            id
        }
    };
    sqlx::query("DELETE FROM roadmap_reviewers WHERE roadmap_id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    for reviewer in tidy(&input.reviewers) {
        sqlx::query("INSERT INTO roadmap_reviewers (roadmap_id, user_id) VALUES ($1, $2)")
            .bind(id)
            .bind(reviewer)
            .execute(&mut **tx)
            .await?;
    }
    Ok(id)
}

const CLUSTER_COLUMNS: &str =
    "id, roadmap_id, title, description, archived, version, created_at, updated_at";

fn cluster_from_row(row: &AnyRow) -> Result<Cluster, StoreError> {
    Ok(Cluster {
        id: row.try_get("id")?,
        roadmap_id: row.try_get("roadmap_id")?,
        title: row.try_get("title")?,
        description: row.try_get("description")?,
        recommendations: Vec::new(),
        archived: row.try_get::<i64, _>("archived")? != 0,
        version: row.try_get("version")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

async fn load_cluster(conn: &mut AnyConnection, id: i64) -> Result<Cluster, StoreError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {CLUSTER_COLUMNS} FROM clusters WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| StoreError::NotFound(format!("no cluster {id}")))?;
    let mut cluster = cluster_from_row(&row)?;
    cluster.recommendations = texts(
        conn,
        "SELECT recommendation_uid FROM cluster_recommendations WHERE cluster_id = $1 ORDER BY recommendation_uid",
        id,
    )
    .await?;
    Ok(cluster)
}

async fn write_cluster(
    tx: &mut Tx,
    roadmap_id: i64,
    id: Option<i64>,
    input: &ClusterInput,
) -> Result<i64, StoreError> {
    let title = required("title", &input.title, 300)?;
    let description = optional("description", &input.description, 20_000)?;
    let recommendations = tidy_texts(&input.recommendations);
    check_recommendations(tx, &recommendations).await?;
    let now = now_rfc3339();
    let id = match id {
        None => sqlx::query(
            "INSERT INTO clusters (roadmap_id, title, description, archived, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
        )
        .bind(roadmap_id)
        .bind(&title)
        .bind(&description)
        .bind(i64::from(input.archived))
        .bind(&now)
        .fetch_one(&mut **tx)
        .await?
        .try_get(0)?,
        Some(id) => {
            sqlx::query(
                "UPDATE clusters SET title = $1, description = $2, archived = $3, version = version + 1, \
                 updated_at = $4 WHERE id = $5",
            )
            .bind(&title)
            .bind(&description)
            .bind(i64::from(input.archived))
            .bind(&now)
            .bind(id)
            .execute(&mut **tx)
            .await?;
            id
        }
    };
    replace_links(
        tx,
        "cluster_recommendations",
        "cluster_id",
        id,
        "recommendation_uid",
        &recommendations,
    )
    .await?;
    Ok(id)
}

const ACTION_COLUMNS: &str = "id, roadmap_id, title, description, expected_outcome, lead_institution_id, \
     start_date, end_date, cost, currency, funding_source, status, published, archived, version, \
     created_at, updated_at";

fn action_from_row(row: &AnyRow) -> Result<Action, StoreError> {
    let date = |column: &str| -> Result<Date, StoreError> {
        Date::parse(&row.try_get::<String, _>(column)?).map_err(invalid)
    };
    Ok(Action {
        id: row.try_get("id")?,
        roadmap_id: row.try_get("roadmap_id")?,
        title: row.try_get("title")?,
        description: row.try_get("description")?,
        expected_outcome: row.try_get("expected_outcome")?,
        lead_institution_id: row.try_get("lead_institution_id")?,
        supporting_institutions: Vec::new(),
        partners: Vec::new(),
        start_date: date("start_date")?,
        end_date: date("end_date")?,
        cost: row.try_get("cost")?,
        currency: row.try_get("currency")?,
        funding_source: row.try_get("funding_source")?,
        status: ActionStatus::parse(&row.try_get::<String, _>("status")?).map_err(invalid)?,
        published: row.try_get::<i64, _>("published")? != 0,
        recommendations: Vec::new(),
        clusters: Vec::new(),
        sdg_targets: Vec::new(),
        archived: row.try_get::<i64, _>("archived")? != 0,
        version: row.try_get("version")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

async fn complete_action(conn: &mut AnyConnection, action: &mut Action) -> Result<(), StoreError> {
    let id = action.id;
    let rows = sqlx::query(
        "SELECT institution_id, role FROM action_institutions WHERE action_id = $1 ORDER BY institution_id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    for row in rows {
        let institution: i64 = row.try_get(0)?;
        match ActionRole::parse(&row.try_get::<String, _>(1)?).map_err(invalid)? {
            ActionRole::Supporting => action.supporting_institutions.push(institution),
            ActionRole::Partner => action.partners.push(institution),
        }
    }
    action.recommendations = texts(
        conn,
        "SELECT recommendation_uid FROM action_recommendations WHERE action_id = $1 ORDER BY recommendation_uid",
        id,
    )
    .await?;
    action.clusters = ids(
        conn,
        "SELECT cluster_id FROM action_clusters WHERE action_id = $1 ORDER BY cluster_id",
        id,
    )
    .await?;
    action.sdg_targets = texts(
        conn,
        "SELECT target_code FROM action_sdg_targets WHERE action_id = $1 ORDER BY target_code",
        id,
    )
    .await?;
    Ok(())
}

/// Fills the institutions, recommendations, clusters and SDG targets of many actions with
/// four queries per 500 actions (instead of four per action).
async fn complete_actions(
    conn: &mut AnyConnection,
    backend: Backend,
    actions: &mut [Action],
) -> Result<(), StoreError> {
    for chunk in actions.chunks_mut(500) {
        let ids: Vec<i64> = chunk.iter().map(|a| a.id).collect();
        let list = in_list(backend, ids.len());
        let position = |id: i64| ids.iter().position(|&a| a == id);
        let fetch = |sql: String| {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for id in &ids {
                query = query.bind(*id);
            }
            query
        };
        let rows = fetch(format!(
            "SELECT action_id, institution_id, role FROM action_institutions \
             WHERE action_id IN ({list}) ORDER BY institution_id"
        ))
        .fetch_all(&mut *conn)
        .await?;
        for row in rows {
            let Some(i) = position(row.try_get(0)?) else {
                continue;
            };
            let institution: i64 = row.try_get(1)?;
            match ActionRole::parse(&row.try_get::<String, _>(2)?).map_err(invalid)? {
                ActionRole::Supporting => chunk[i].supporting_institutions.push(institution),
                ActionRole::Partner => chunk[i].partners.push(institution),
            }
        }
        for (table, column) in [
            ("action_recommendations", "recommendation_uid"),
            ("action_sdg_targets", "target_code"),
        ] {
            let rows = fetch(format!(
                "SELECT action_id, {column} FROM {table} WHERE action_id IN ({list}) ORDER BY {column}"
            ))
            .fetch_all(&mut *conn)
            .await?;
            for row in rows {
                let Some(i) = position(row.try_get(0)?) else {
                    continue;
                };
                let value: String = row.try_get(1)?;
                match table {
                    "action_recommendations" => chunk[i].recommendations.push(value),
                    _ => chunk[i].sdg_targets.push(value),
                }
            }
        }
        let rows = fetch(format!(
            "SELECT action_id, cluster_id FROM action_clusters WHERE action_id IN ({list}) ORDER BY cluster_id"
        ))
        .fetch_all(&mut *conn)
        .await?;
        for row in rows {
            if let Some(i) = position(row.try_get(0)?) {
                chunk[i].clusters.push(row.try_get(1)?);
            }
        }
    }
    Ok(())
}

pub(crate) async fn load_action(conn: &mut AnyConnection, id: i64) -> Result<Action, StoreError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {ACTION_COLUMNS} FROM actions WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| StoreError::NotFound(format!("no action {id}")))?;
    let mut action = action_from_row(&row)?;
    complete_action(conn, &mut action).await?;
    Ok(action)
}

async fn write_action(
    tx: &mut Tx,
    roadmap_id: i64,
    id: Option<i64>,
    input: &ActionInput,
) -> Result<i64, StoreError> {
    let title = required("title", &input.title, 300)?;
    let description = optional("description", &input.description, 20_000)?;
    let expected_outcome = optional("expected outcome", &input.expected_outcome, 5_000)?;
    let cost = optional("cost", &input.cost, 50)?;
    if !cost.is_empty()
        && cost
            .replace([' ', ','], "")
            .parse::<f64>()
            .map_or(true, |c| !c.is_finite() || c < 0.0)
    {
        return Err(invalid(format!("cost {cost:?} is not an amount")));
    }
    let currency = optional("currency", &input.currency, 10)?;
    let funding_source = optional("funding source", &input.funding_source, 300)?;
    if input.end_date < input.start_date {
        return Err(invalid(format!(
            "the end date {} is before the start date {}",
            input.end_date, input.start_date
        )));
    }
    let supporting = tidy(&input.supporting_institutions);
    let partners = tidy(&input.partners);
    let mut involved = vec![input.lead_institution_id];
    involved.extend(&supporting);
    involved.extend(&partners);
    for institution in &involved {
        let found = sqlx::query("SELECT archived FROM institutions WHERE id = $1")
            .bind(institution)
            .fetch_optional(&mut **tx)
            .await?;
        match found {
            Some(row) if row.try_get::<i64, _>(0)? == 0 => {}
            Some(_) => return Err(invalid(format!("institution {institution} is archived"))),
            None => return Err(invalid(format!("no institution {institution}"))),
        }
    }
    if supporting.contains(&input.lead_institution_id)
        || partners.contains(&input.lead_institution_id)
    {
        return Err(invalid(
            "the lead institution cannot also support or partner the action",
        ));
    }
    if let Some(both) = supporting.iter().find(|i| partners.contains(i)) {
        return Err(invalid(format!(
            "institution {both} is both supporting and partner"
        )));
    }
    let recommendations = tidy_texts(&input.recommendations);
    check_recommendations(tx, &recommendations).await?;
    let clusters = tidy(&input.clusters);
    for cluster in &clusters {
        let owner = sqlx::query("SELECT roadmap_id FROM clusters WHERE id = $1")
            .bind(cluster)
            .fetch_optional(&mut **tx)
            .await?;
        match owner {
            Some(row) if row.try_get::<i64, _>(0)? == roadmap_id => {}
            _ => {
                return Err(invalid(format!(
                    "cluster {cluster} is not in roadmap {roadmap_id}"
                )));
            }
        }
    }
    let targets = tidy_texts(&input.sdg_targets);
    for target in &targets {
        let found = sqlx::query("SELECT 1 FROM sdg_targets WHERE code = $1")
            .bind(target)
            .fetch_optional(&mut **tx)
            .await?;
        if found.is_none() {
            return Err(invalid(format!("no SDG target {target}")));
        }
    }
    let now = now_rfc3339();
    let values = (
        title,
        description,
        expected_outcome,
        input.lead_institution_id,
        input.start_date.to_string(),
        input.end_date.to_string(),
        cost,
        currency,
        funding_source,
        input.status.as_str(),
        i64::from(input.published),
        i64::from(input.archived),
    );
    let id = match id {
        None => sqlx::query(
            "INSERT INTO actions (title, description, expected_outcome, lead_institution_id, start_date, \
             end_date, cost, currency, funding_source, status, published, archived, roadmap_id, \
             created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14) RETURNING id",
        )
        .bind(values.0)
        .bind(values.1)
        .bind(values.2)
        .bind(values.3)
        .bind(values.4)
        .bind(values.5)
        .bind(values.6)
        .bind(values.7)
        .bind(values.8)
        .bind(values.9)
        .bind(values.10)
        .bind(values.11)
        .bind(roadmap_id)
        .bind(&now)
        .fetch_one(&mut **tx)
        .await?
        .try_get(0)?,
        Some(id) => {
            sqlx::query(
                "UPDATE actions SET title = $1, description = $2, expected_outcome = $3, \
                 lead_institution_id = $4, start_date = $5, end_date = $6, cost = $7, currency = $8, \
                 funding_source = $9, status = $10, published = $11, archived = $12, \
                 version = version + 1, updated_at = $13 WHERE id = $14",
            )
            .bind(values.0)
            .bind(values.1)
            .bind(values.2)
            .bind(values.3)
            .bind(values.4)
            .bind(values.5)
            .bind(values.6)
            .bind(values.7)
            .bind(values.8)
            .bind(values.9)
            .bind(values.10)
            .bind(values.11)
            .bind(&now)
            .bind(id)
            .execute(&mut **tx)
            .await?;
            id
        }
    };
    sqlx::query("DELETE FROM action_institutions WHERE action_id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    let roles = supporting
        .iter()
        .map(|i| (i, ActionRole::Supporting))
        .chain(partners.iter().map(|i| (i, ActionRole::Partner)));
    for (institution, role) in roles {
        sqlx::query(
            "INSERT INTO action_institutions (action_id, institution_id, role) VALUES ($1, $2, $3)",
        )
        .bind(id)
        .bind(institution)
        .bind(role.as_str())
        .execute(&mut **tx)
        .await?;
    }
    replace_links(
        tx,
        "action_recommendations",
        "action_id",
        id,
        "recommendation_uid",
        &recommendations,
    )
    .await?;
    sqlx::query("DELETE FROM action_clusters WHERE action_id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    for cluster in clusters {
        sqlx::query("INSERT INTO action_clusters (action_id, cluster_id) VALUES ($1, $2)")
            .bind(id)
            .bind(cluster)
            .execute(&mut **tx)
            .await?;
    }
    replace_links(
        tx,
        "action_sdg_targets",
        "action_id",
        id,
        "target_code",
        &targets,
    )
    .await?;
    Ok(id)
}

const INDICATOR_COLUMNS: &str = "id, action_id, title, baseline, target, unit, frequency, sdg_indicator, \
     archived, version, created_at, updated_at";

fn indicator_from_row(row: &AnyRow) -> Result<Indicator, StoreError> {
    Ok(Indicator {
        id: row.try_get("id")?,
        action_id: row.try_get("action_id")?,
        title: row.try_get("title")?,
        baseline: row.try_get("baseline")?,
        target: row.try_get("target")?,
        unit: row.try_get("unit")?,
        frequency: Frequency::parse(&row.try_get::<String, _>("frequency")?).map_err(invalid)?,
        sdg_indicator: row.try_get("sdg_indicator")?,
        archived: row.try_get::<i64, _>("archived")? != 0,
        version: row.try_get("version")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

async fn load_indicator(conn: &mut AnyConnection, id: i64) -> Result<Indicator, StoreError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {INDICATOR_COLUMNS} FROM indicators WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| StoreError::NotFound(format!("no indicator {id}")))?;
    indicator_from_row(&row)
}

async fn write_indicator(
    tx: &mut Tx,
    action_id: i64,
    id: Option<i64>,
    input: &IndicatorInput,
) -> Result<i64, StoreError> {
    let title = required("title", &input.title, 300)?;
    let baseline = optional("baseline", &input.baseline, 200)?;
    let target = optional("target", &input.target, 200)?;
    let unit = optional("unit", &input.unit, 50)?;
    let sdg = match input.sdg_indicator.as_deref().map(str::trim) {
        Some(code) if !code.is_empty() => {
            let found = sqlx::query("SELECT 1 FROM sdg_indicators WHERE code = $1")
                .bind(code)
                .fetch_optional(&mut **tx)
                .await?;
            if found.is_none() {
                return Err(invalid(format!("no SDG indicator {code}")));
            }
            Some(code.to_owned())
        }
        _ => None,
    };
    let now = now_rfc3339();
    Ok(match id {
        None => sqlx::query(
            "INSERT INTO indicators (action_id, title, baseline, target, unit, frequency, sdg_indicator, \
             archived, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
        )
        .bind(action_id)
        .bind(&title)
        .bind(&baseline)
        .bind(&target)
        .bind(&unit)
        .bind(input.frequency.as_str())
        .bind(&sdg)
        .bind(i64::from(input.archived))
        .bind(&now)
        .fetch_one(&mut **tx)
        .await?
        .try_get(0)?,
        Some(id) => {
            sqlx::query(
                "UPDATE indicators SET title = $1, baseline = $2, target = $3, unit = $4, frequency = $5, \
                 sdg_indicator = $6, archived = $7, version = version + 1, updated_at = $8 WHERE id = $9",
            )
            .bind(&title)
            .bind(&baseline)
            .bind(&target)
            .bind(&unit)
            .bind(input.frequency.as_str())
            .bind(&sdg)
            .bind(i64::from(input.archived))
            .bind(&now)
            .bind(id)
            .execute(&mut **tx)
            .await?;
            id
        }
    })
}

impl Store {
    pub async fn create_roadmap(
        &self,
        actor: &Actor,
        input: RoadmapInput,
    ) -> Result<Roadmap, StoreError> {
        let mut tx = self.write_tx().await?;
        let id = write_roadmap(&mut tx, None, &input).await?;
        let roadmap = load_roadmap(&mut tx, id).await?;
        record_audit(&mut tx, actor, "roadmap", id, "create", &created(&roadmap)).await?;
        tx.commit().await?;
        Ok(roadmap)
    }

    pub async fn update_roadmap(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        input: RoadmapInput,
    ) -> Result<Roadmap, StoreError> {
        let mut tx = self.write_tx().await?;
        lock_row(&mut tx, "roadmaps", id).await?;
        let old = load_roadmap(&mut tx, id).await?;
        if old.version != version {
            return Err(stale("roadmap", id, &old));
        }
        write_roadmap(&mut tx, Some(id), &input).await?;
        let new = load_roadmap(&mut tx, id).await?;
        record_audit(&mut tx, actor, "roadmap", id, "update", &diff(&old, &new)).await?;
        tx.commit().await?;
        Ok(new)
    }

    pub async fn roadmap(&self, id: i64) -> Result<Roadmap, StoreError> {
        let mut conn = self.pool.acquire().await?;
        load_roadmap(&mut conn, id).await
    }

    /// Every roadmap, newest first; archived ones only when asked for.
    pub async fn roadmaps(&self, include_archived: bool) -> Result<Vec<Roadmap>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {ROADMAP_COLUMNS} FROM roadmaps m LEFT JOIN reviews v ON v.id = m.review_id \
             LEFT JOIN countries c ON c.id = v.country_id {} ORDER BY m.id DESC",
            if include_archived {
                ""
            } else {
                "WHERE m.archived = 0"
            }
        )))
        .fetch_all(&mut *conn)
        .await?;
        let mut roadmaps = rows
            .iter()
            .map(roadmap_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        for roadmap in &mut roadmaps {
            roadmap.reviewers = ids(
                &mut conn,
                "SELECT user_id FROM roadmap_reviewers WHERE roadmap_id = $1 ORDER BY user_id",
                roadmap.id,
            )
            .await?;
        }
        Ok(roadmaps)
    }

    pub async fn create_cluster(
        &self,
        actor: &Actor,
        roadmap_id: i64,
        input: ClusterInput,
    ) -> Result<Cluster, StoreError> {
        let mut tx = self.write_tx().await?;
        load_roadmap(&mut tx, roadmap_id).await?;
        let id = write_cluster(&mut tx, roadmap_id, None, &input).await?;
        let cluster = load_cluster(&mut tx, id).await?;
        record_audit(&mut tx, actor, "cluster", id, "create", &created(&cluster)).await?;
        tx.commit().await?;
        Ok(cluster)
    }

    pub async fn update_cluster(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        input: ClusterInput,
    ) -> Result<Cluster, StoreError> {
        let mut tx = self.write_tx().await?;
        lock_row(&mut tx, "clusters", id).await?;
        let old = load_cluster(&mut tx, id).await?;
        if old.version != version {
            return Err(stale("cluster", id, &old));
        }
        write_cluster(&mut tx, old.roadmap_id, Some(id), &input).await?;
        let new = load_cluster(&mut tx, id).await?;
        record_audit(&mut tx, actor, "cluster", id, "update", &diff(&old, &new)).await?;
        tx.commit().await?;
        Ok(new)
    }

    pub async fn cluster(&self, id: i64) -> Result<Cluster, StoreError> {
        let mut conn = self.pool.acquire().await?;
        load_cluster(&mut conn, id).await
    }

    /// The roadmap's clusters by title, archived ones left out.
    pub async fn clusters(&self, roadmap_id: i64) -> Result<Vec<Cluster>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let ids = ids(
            &mut conn,
            "SELECT id FROM clusters WHERE roadmap_id = $1 AND archived = 0 ORDER BY title, id",
            roadmap_id,
        )
        .await?;
        let mut clusters = Vec::with_capacity(ids.len());
        for id in ids {
            clusters.push(load_cluster(&mut conn, id).await?);
        }
        Ok(clusters)
    }

    pub async fn create_action(
        &self,
        actor: &Actor,
        roadmap_id: i64,
        input: ActionInput,
    ) -> Result<Action, StoreError> {
        let mut tx = self.write_tx().await?;
        load_roadmap(&mut tx, roadmap_id).await?;
        let id = write_action(&mut tx, roadmap_id, None, &input).await?;
        let action = load_action(&mut tx, id).await?;
        record_audit(&mut tx, actor, "action", id, "create", &created(&action)).await?;
        tx.commit().await?;
        Ok(action)
    }

    pub async fn update_action(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        input: ActionInput,
    ) -> Result<Action, StoreError> {
        let mut tx = self.write_tx().await?;
        lock_row(&mut tx, "actions", id).await?;
        let old = load_action(&mut tx, id).await?;
        if old.version != version {
            return Err(stale("action", id, &old));
        }
        write_action(&mut tx, old.roadmap_id, Some(id), &input).await?;
        let new = load_action(&mut tx, id).await?;
        record_audit(&mut tx, actor, "action", id, "update", &diff(&old, &new)).await?;
        tx.commit().await?;
        Ok(new)
    }

    pub async fn action(&self, id: i64) -> Result<Action, StoreError> {
        let mut conn = self.pool.acquire().await?;
        load_action(&mut conn, id).await
    }

    /// Actions, by start date: of one roadmap, of one institution (leading or supporting),
    /// or all; archived ones left out.
    pub async fn actions(
        &self,
        roadmap_id: Option<i64>,
        institution_id: Option<i64>,
    ) -> Result<Vec<Action>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let mut sql = format!("SELECT {ACTION_COLUMNS} FROM actions WHERE archived = 0");
        if roadmap_id.is_some() {
            sql.push_str(" AND roadmap_id = $1");
        }
        if institution_id.is_some() {
            let n = if roadmap_id.is_some() { 2 } else { 1 };
            sql.push_str(&format!(
                " AND (lead_institution_id = ${n} OR id IN (SELECT action_id FROM action_institutions \
                 WHERE institution_id = ${n} AND role = 'supporting'))"
            ));
        }
        sql.push_str(" ORDER BY start_date, id");
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        if let Some(id) = roadmap_id {
            query = query.bind(id);
        }
        if let Some(id) = institution_id {
            query = query.bind(id);
        }
        let rows = query.fetch_all(&mut *conn).await?;
        let mut actions = rows
            .iter()
            .map(action_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        complete_actions(&mut conn, self.backend, &mut actions).await?;
        Ok(actions)
    }

    /// The actions linked to a recommendation, directly or through one of their clusters.
    pub async fn actions_of_recommendation(&self, uid: &str) -> Result<Vec<Action>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {ACTION_COLUMNS} FROM actions WHERE archived = 0 AND id IN ( \
               SELECT action_id FROM action_recommendations WHERE recommendation_uid = $1 \
               UNION SELECT ac.action_id FROM action_clusters ac \
                 JOIN cluster_recommendations cr ON cr.cluster_id = ac.cluster_id \
                 WHERE cr.recommendation_uid = $1) ORDER BY start_date, id"
        )))
        .bind(uid)
        .fetch_all(&mut *conn)
        .await?;
        let mut actions = rows
            .iter()
            .map(action_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        complete_actions(&mut conn, self.backend, &mut actions).await?;
        Ok(actions)
    }

    pub async fn create_indicator(
        &self,
        actor: &Actor,
        action_id: i64,
        input: IndicatorInput,
    ) -> Result<Indicator, StoreError> {
        let mut tx = self.write_tx().await?;
        load_action(&mut tx, action_id).await?;
        let id = write_indicator(&mut tx, action_id, None, &input).await?;
        let indicator = load_indicator(&mut tx, id).await?;
        record_audit(
            &mut tx,
            actor,
            "indicator",
            id,
            "create",
            &created(&indicator),
        )
        .await?;
        tx.commit().await?;
        Ok(indicator)
    }

    pub async fn update_indicator(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        input: IndicatorInput,
    ) -> Result<Indicator, StoreError> {
        let mut tx = self.write_tx().await?;
        lock_row(&mut tx, "indicators", id).await?;
        let old = load_indicator(&mut tx, id).await?;
        if old.version != version {
            return Err(stale("indicator", id, &old));
        }
        write_indicator(&mut tx, old.action_id, Some(id), &input).await?;
        let new = load_indicator(&mut tx, id).await?;
        record_audit(&mut tx, actor, "indicator", id, "update", &diff(&old, &new)).await?;
        tx.commit().await?;
        Ok(new)
    }

    pub async fn indicator(&self, id: i64) -> Result<Indicator, StoreError> {
        let mut conn = self.pool.acquire().await?;
        load_indicator(&mut conn, id).await
    }

    /// An action's indicators, archived ones left out.
    pub async fn indicators(&self, action_id: i64) -> Result<Vec<Indicator>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {INDICATOR_COLUMNS} FROM indicators WHERE action_id = $1 AND archived = 0 ORDER BY id"
        )))
        .bind(action_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(indicator_from_row).collect()
    }
}
