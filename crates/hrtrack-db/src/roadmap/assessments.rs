//! Implementation assessments: per recommendation and reporting period, on the scale of
//! [`ImplementationLevel`], resting on progress reports. The government's (one per
//! recommendation and period) and each reviewer's shadow assessment live side by side.
//! Roll-ups count the latest published government assessment of each recommendation by
//! review, theme (UHRI themes and UPR Info issues), SDG goal, responsible institution or
//! recommending State.

use std::collections::BTreeMap;

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use hrtrack_domain::{AssessmentStatus, ImplementationLevel, Period};

use super::{Actor, created, diff, lock_row, optional, record_audit, stale};
use crate::clock::now_rfc3339;
use crate::{Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assessment {
    pub id: i64,
    pub recommendation_uid: String,
    pub period: Period,
    pub level: ImplementationLevel,
    pub summary: String,
    /// A reviewer's (NHRI, civil society) assessment rather than the government's.
    pub shadow: bool,
    pub author_id: Option<i64>,
    pub author_name: Option<String>,
    pub status: AssessmentStatus,
    /// The progress reports it rests on.
    pub reports: Vec<i64>,
    pub archived: bool,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone)]
pub struct AssessmentInput {
    pub recommendation_uid: String,
    pub period: Period,
    pub level: ImplementationLevel,
    pub summary: String,
    pub shadow: bool,
    pub status: AssessmentStatus,
    pub reports: Vec<i64>,
    pub archived: bool,
}

/// What a roll-up groups by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RollupDimension {
    Review,
    Theme,
    SdgGoal,
    Institution,
    RecommendingState,
}

impl RollupDimension {
    pub const ALL: [RollupDimension; 5] = [
        RollupDimension::Review,
        RollupDimension::Theme,
        RollupDimension::SdgGoal,
        RollupDimension::Institution,
        RollupDimension::RecommendingState,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RollupDimension::Review => "review",
            RollupDimension::Theme => "theme",
            RollupDimension::SdgGoal => "sdg_goal",
            RollupDimension::Institution => "institution",
            RollupDimension::RecommendingState => "recommending_state",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.as_str() == text)
    }
}

/// One group of a roll-up: how many of its recommendations stand at each level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RollupRow {
    pub key: String,
    pub label: String,
    pub levels: BTreeMap<ImplementationLevel, i64>,
    /// Recommendations with a published government assessment in this group.
    pub assessed: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rollup {
    pub dimension: RollupDimension,
    pub rows: Vec<RollupRow>,
}

fn invalid(error: impl ToString) -> StoreError {
    StoreError::Invalid(error.to_string())
}

const ASSESSMENT_COLUMNS: &str = "a.id, a.recommendation_uid, a.period, a.level, a.summary, a.shadow, \
     a.author_id, u.display_name AS author_name, a.status, a.archived, a.version, a.created_at, a.updated_at";

fn assessment_from_row(row: &AnyRow) -> Result<Assessment, StoreError> {
    Ok(Assessment {
        id: row.try_get("id")?,
        recommendation_uid: row.try_get("recommendation_uid")?,
        period: Period::parse(&row.try_get::<String, _>("period")?).map_err(invalid)?,
        level: ImplementationLevel::parse(&row.try_get::<String, _>("level")?).map_err(invalid)?,
        summary: row.try_get("summary")?,
        shadow: row.try_get::<i64, _>("shadow")? != 0,
        author_id: row.try_get("author_id")?,
        author_name: row.try_get("author_name")?,
        status: AssessmentStatus::parse(&row.try_get::<String, _>("status")?).map_err(invalid)?,
        reports: Vec::new(),
        archived: row.try_get::<i64, _>("archived")? != 0,
        version: row.try_get("version")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

async fn complete(conn: &mut AnyConnection, assessment: &mut Assessment) -> Result<(), StoreError> {
    let rows = sqlx::query(
        "SELECT report_id FROM assessment_reports WHERE assessment_id = $1 ORDER BY report_id",
    )
    .bind(assessment.id)
    .fetch_all(&mut *conn)
    .await?;
    assessment.reports = rows
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, _>>()?;
    Ok(())
}

async fn load_assessment(conn: &mut AnyConnection, id: i64) -> Result<Assessment, StoreError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {ASSESSMENT_COLUMNS} FROM assessments a LEFT JOIN users u ON u.id = a.author_id WHERE a.id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| StoreError::NotFound(format!("no assessment {id}")))?;
    let mut assessment = assessment_from_row(&row)?;
    complete(conn, &mut assessment).await?;
    Ok(assessment)
}

async fn write_reports(
    conn: &mut AnyConnection,
    id: i64,
    reports: &[i64],
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM assessment_reports WHERE assessment_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    let mut reports = reports.to_vec();
    reports.sort_unstable();
    reports.dedup();
    for report in reports {
        let found = sqlx::query("SELECT 1 FROM progress_reports WHERE id = $1 AND archived = 0")
            .bind(report)
            .fetch_optional(&mut *conn)
            .await?;
        if found.is_none() {
            return Err(invalid(format!("no progress report {report}")));
        }
        sqlx::query("INSERT INTO assessment_reports (assessment_id, report_id) VALUES ($1, $2)")
            .bind(id)
            .bind(report)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

impl Store {
    /// Records an assessment by `actor`: the government's when `input.shadow` is false (one
    /// per recommendation and period), else the actor's own shadow assessment.
    pub async fn create_assessment(
        &self,
        actor: &Actor,
        input: AssessmentInput,
    ) -> Result<Assessment, StoreError> {
        let summary = optional("summary", &input.summary, 20_000)?;
        let author_key = match (input.shadow, actor.user_id) {
            (false, _) => "government".to_owned(),
            (true, Some(id)) => format!("user:{id}"),
            (true, None) => return Err(invalid("a shadow assessment needs a signed-in author")),
        };
        let mut tx = self.write_tx().await?;
        let found = sqlx::query("SELECT 1 FROM recommendations WHERE uid = $1")
            .bind(&input.recommendation_uid)
            .fetch_optional(&mut *tx)
            .await?;
        if found.is_none() {
            return Err(invalid(format!(
                "no recommendation {}",
                input.recommendation_uid
            )));
        }
        let existing = sqlx::query(
            "SELECT id FROM assessments WHERE recommendation_uid = $1 AND period = $2 AND author_key = $3",
        )
        .bind(&input.recommendation_uid)
        .bind(input.period.as_str())
        .bind(&author_key)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(row) = existing {
            let id: i64 = row.try_get(0)?;
            return Err(invalid(format!(
                "assessment {id} already assesses {} for {}; edit it instead",
                input.recommendation_uid, input.period
            )));
        }
        let now = now_rfc3339();
        let id: i64 = sqlx::query(
            "INSERT INTO assessments (recommendation_uid, period, level, summary, shadow, author_key, author_id, \
             status, archived, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id",
        )
        .bind(&input.recommendation_uid)
        .bind(input.period.as_str())
        .bind(input.level.as_str())
        .bind(&summary)
        .bind(i64::from(input.shadow))
        .bind(&author_key)
        .bind(actor.user_id)
        .bind(input.status.as_str())
        .bind(i64::from(input.archived))
        .bind(&now)
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;
        write_reports(&mut tx, id, &input.reports).await?;
        let assessment = load_assessment(&mut tx, id).await?;
        record_audit(
            &mut tx,
            actor,
            "assessment",
            id,
            "create",
            &created(&assessment),
        )
        .await?;
        tx.commit().await?;
        Ok(assessment)
    }

    /// Updates the level, summary, status, reports and archiving of an assessment made from
    /// `version` (its recommendation, period and author stay).
    pub async fn update_assessment(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        input: AssessmentInput,
    ) -> Result<Assessment, StoreError> {
        let summary = optional("summary", &input.summary, 20_000)?;
        let mut tx = self.write_tx().await?;
        lock_row(&mut tx, "assessments", id).await?;
        let old = load_assessment(&mut tx, id).await?;
        if old.version != version {
            return Err(stale("assessment", id, &old));
        }
        sqlx::query(
            "UPDATE assessments SET level = $1, summary = $2, status = $3, archived = $4, version = version + 1, \
             updated_at = $5 WHERE id = $6",
        )
        .bind(input.level.as_str())
        .bind(&summary)
        .bind(input.status.as_str())
        .bind(i64::from(input.archived))
        .bind(now_rfc3339())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        write_reports(&mut tx, id, &input.reports).await?;
        let new = load_assessment(&mut tx, id).await?;
        record_audit(
            &mut tx,
            actor,
            "assessment",
            id,
            "update",
            &diff(&old, &new),
        )
        .await?;
        tx.commit().await?;
        Ok(new)
    }

    pub async fn assessment(&self, id: i64) -> Result<Assessment, StoreError> {
        let mut conn = self.pool.acquire().await?;
        load_assessment(&mut conn, id).await
    }

    /// A recommendation's live assessments, newest period first, the government's before
    /// the shadow ones.
    pub async fn assessments_of(&self, uid: &str) -> Result<Vec<Assessment>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {ASSESSMENT_COLUMNS} FROM assessments a LEFT JOIN users u ON u.id = a.author_id \
             WHERE a.recommendation_uid = $1 AND a.archived = 0 ORDER BY a.period DESC, a.shadow, a.id"
        )))
        .bind(uid)
        .fetch_all(&mut *conn)
        .await?;
        let mut assessments = rows
            .iter()
            .map(assessment_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        for assessment in &mut assessments {
            complete(&mut conn, assessment).await?;
        }
        Ok(assessments)
    }

    /// Counts the latest published government assessment of each recommendation by
    /// `dimension`; with `review` (`ISO3/MECHANISM/CYCLE`), only that review's
    /// recommendations.
    pub async fn rollup(
        &self,
        dimension: RollupDimension,
        review: Option<&str>,
    ) -> Result<Rollup, StoreError> {
        self.rollup_within(dimension, review, None).await
    }

    /// The roll-up row of one institution (the recommendations its actions answer), or
    /// `None` when none of them is assessed yet. For its dashboard: the actions' links are
    /// narrowed to the institution before they are joined.
    pub async fn institution_rollup(
        &self,
        institution_id: i64,
    ) -> Result<Option<RollupRow>, StoreError> {
        let rollup = self
            .rollup_within(RollupDimension::Institution, None, Some(institution_id))
            .await?;
        Ok(rollup.rows.into_iter().next())
    }

    async fn rollup_within(
        &self,
        dimension: RollupDimension,
        review: Option<&str>,
        institution: Option<i64>,
    ) -> Result<Rollup, StoreError> {
        let latest = "SELECT a.recommendation_uid AS uid, a.level AS level FROM assessments a \
             WHERE a.shadow = 0 AND a.status = 'published' AND a.archived = 0 AND a.period = ( \
               SELECT MAX(b.period) FROM assessments b WHERE b.recommendation_uid = a.recommendation_uid \
               AND b.shadow = 0 AND b.status = 'published' AND b.archived = 0)";
        let (join, key, label) = match dimension {
            RollupDimension::Review => (
                "",
                "c.iso3 || '/' || v.mechanism || '/' || CAST(v.cycle AS TEXT)",
                "c.name || ' ' || v.mechanism || ' ' || CAST(v.cycle AS TEXT)",
            ),
            RollupDimension::Theme => (
                "JOIN recommendation_tags t ON t.recommendation_id = r.id AND t.kind IN ('theme', 'upr_issue')",
                "t.value",
                "t.value",
            ),
            RollupDimension::SdgGoal => (
                "JOIN recommendation_sdgs s ON s.recommendation_id = r.id JOIN sdg_goals g ON g.goal = s.goal",
                "CAST(s.goal AS TEXT)",
                "g.short_en",
            ),
            RollupDimension::Institution => (
                "JOIN (SELECT ar.recommendation_uid AS uid, x.lead_institution_id AS institution FROM action_recommendations ar \
                   JOIN actions x ON x.id = ar.action_id AND x.archived = 0{lead} \
                 UNION SELECT cr.recommendation_uid, x.lead_institution_id FROM cluster_recommendations cr \
                   JOIN action_clusters ac ON ac.cluster_id = cr.cluster_id JOIN actions x ON x.id = ac.action_id AND x.archived = 0{lead} \
                 ) li ON li.uid = r.uid JOIN institutions i ON i.id = li.institution",
                "CAST(i.id AS TEXT)",
                "i.name",
            ),
            RollupDimension::RecommendingState => (
                "JOIN recommendation_states rs ON rs.recommendation_id = r.id JOIN countries k ON k.id = rs.country_id",
                "k.iso3",
                "k.name",
            ),
        };
        let review_filter = if review.is_some() {
            " WHERE c.iso3 || '/' || v.mechanism || '/' || CAST(v.cycle AS TEXT) = $1"
        } else {
            ""
        };
        // The institution, when given, is the last parameter (numbered after the review).
        let lead = match institution {
            Some(_) => format!(
                " AND x.lead_institution_id = ${}",
                1 + usize::from(review.is_some())
            ),
            None => String::new(),
        };
        let join = join.replace("{lead}", &lead);
        let sql = format!(
            "SELECT {key} AS key, {label} AS label, l.level AS level, COUNT(DISTINCT r.uid) AS n \
             FROM ({latest}) l JOIN recommendations r ON r.uid = l.uid JOIN reviews v ON v.id = r.review_id \
             JOIN countries c ON c.id = v.country_id {join}{review_filter} \
             GROUP BY {key}, {label}, l.level ORDER BY {label}"
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        if let Some(review) = review {
            query = query.bind(review.to_uppercase());
        }
        if let Some(institution) = institution {
            query = query.bind(institution);
        }
        let mut rows: Vec<RollupRow> = Vec::new();
        for row in query.fetch_all(&self.pool).await? {
            let key: String = row.try_get("key")?;
            let level =
                ImplementationLevel::parse(&row.try_get::<String, _>("level")?).map_err(invalid)?;
            let n: i64 = row.try_get("n")?;
            match rows.iter_mut().find(|r| r.key == key) {
                Some(group) => {
                    group.levels.insert(level, n);
                    group.assessed += n;
                }
                None => rows.push(RollupRow {
                    key,
                    label: row.try_get("label")?,
                    levels: BTreeMap::from([(level, n)]),
                    assessed: n,
                }),
            }
        }
        Ok(Rollup { dimension, rows })
    }
}
