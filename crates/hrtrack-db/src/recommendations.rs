//! Reading recommendations back: pages of them for `list` and exports, one for `show`, and the
//! reviews they belong to.

use std::collections::HashMap;

use serde::Serialize;
use sqlx::Row;

use hrtrack_domain::{RecommendationRecord, Translation};

use crate::countries::CountryIndex;
use crate::filter::{Bound, FilterSql};
use crate::{RecommendationFilter, Store, StoreError};

/// A review with its size.
#[derive(Debug, Clone, Serialize)]
pub struct ReviewRecord {
    pub state: String,
    pub iso3: String,
    pub mechanism: String,
    pub cycle: Option<i64>,
    pub session: Option<i64>,
    pub report_symbol: Option<String>,
    pub recommendations: i64,
}

const ORDER: &str = "ORDER BY c.name, v.mechanism, v.cycle, r.id";

impl Store {
    /// The matching recommendations in registry order; `limit` and `offset` page them.
    pub async fn list(
        &self,
        filter: &RecommendationFilter,
        limit: Option<i64>,
        offset: i64,
    ) -> Result<Vec<RecommendationRecord>, StoreError> {
        let countries = CountryIndex::load(self).await?;
        let sql = filter.to_sql(&countries)?;
        self.list_matching(&sql, limit, offset).await
    }

    /// The recommendations with these stable ids, in the order given; ids the store does not
    /// hold (or holds as superseded) are left out. One query per 500 ids.
    pub async fn records_by_uids(
        &self,
        uids: &[String],
    ) -> Result<Vec<RecommendationRecord>, StoreError> {
        let mut found: HashMap<String, RecommendationRecord> = HashMap::with_capacity(uids.len());
        for chunk in uids.chunks(500) {
            let placeholders: Vec<String> = (1..=chunk.len()).map(|n| format!("${n}")).collect();
            let sql = FilterSql {
                condition: format!(
                    "r.superseded = 0 AND r.uid IN ({})",
                    placeholders.join(", ")
                ),
                review_condition: None,
                values: chunk.iter().map(|uid| Bound::Text(uid.clone())).collect(),
            };
            for record in self.list_matching(&sql, None, 0).await? {
                found.insert(record.uid.clone(), record);
            }
        }
        Ok(uids.iter().filter_map(|uid| found.remove(uid)).collect())
    }

    /// The recommendations `sql` selects, in registry order, paged.
    async fn list_matching(
        &self,
        sql: &FilterSql,
        limit: Option<i64>,
        offset: i64,
    ) -> Result<Vec<RecommendationRecord>, StoreError> {
        let page = match limit {
            Some(limit) => format!("LIMIT {limit} OFFSET {offset}"),
            None if offset > 0 => match self.backend {
                crate::Backend::Sqlite => format!("LIMIT -1 OFFSET {offset}"),
                crate::Backend::Postgres => format!("OFFSET {offset}"),
            },
            None => String::new(),
        };
        let page_ids = format!(
            "SELECT r.id FROM recommendations r JOIN reviews v ON v.id = r.review_id \
             JOIN countries c ON c.id = v.country_id WHERE {} {ORDER} {page}",
            sql.condition
        );
        let rows = sql
            .bind_all(sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT r.id, r.uid, c.name, c.iso3, v.mechanism, v.cycle, v.session, v.review_date, \
                 COALESCE(r.report_symbol, v.report_symbol) AS report_symbol, \
                 r.paragraph, r.text, r.language, r.position, r.position_source, r.theme_heading, \
                 r.action_category, r.source_format \
                 FROM recommendations r JOIN reviews v ON v.id = r.review_id \
                 JOIN countries c ON c.id = v.country_id WHERE {} {ORDER} {page}",
                sql.condition
            ))))
            .fetch_all(&self.pool)
            .await?;
        let mut records = Vec::with_capacity(rows.len());
        let mut index = HashMap::with_capacity(rows.len());
        for row in rows {
            let cycle: i64 = row.try_get("cycle")?;
            index.insert(row.try_get::<i64, _>("id")?, records.len());
            records.push(RecommendationRecord {
                uid: row.try_get("uid")?,
                state: row.try_get("name")?,
                state_iso3: row.try_get("iso3")?,
                mechanism: row.try_get("mechanism")?,
                cycle: (cycle > 0).then_some(cycle),
                session: row.try_get("session")?,
                date: row.try_get("review_date")?,
                report_symbol: row.try_get("report_symbol")?,
                paragraph: row.try_get("paragraph")?,
                text: row.try_get("text")?,
                language: row.try_get("language")?,
                position: row.try_get("position")?,
                position_source: row.try_get("position_source")?,
                recommending_states: Vec::new(),
                theme_heading: row.try_get("theme_heading")?,
                themes: Vec::new(),
                affected_persons: Vec::new(),
                sdg_goals: Vec::new(),
                sdg_targets: Vec::new(),
                action_category: row.try_get("action_category")?,
                upr_issues: Vec::new(),
                source_format: row.try_get("source_format")?,
                translations: Vec::new(),
            });
        }
        if records.is_empty() {
            return Ok(records);
        }
        let states = sql
            .bind_all(sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT rs.recommendation_id, c.name FROM recommendation_states rs \
                 JOIN countries c ON c.id = rs.country_id \
                 WHERE rs.recommendation_id IN ({page_ids}) ORDER BY c.name"
            ))))
            .fetch_all(&self.pool)
            .await?;
        for row in states {
            records[index[&row.try_get::<i64, _>(0)?]]
                .recommending_states
                .push(row.try_get(1)?);
        }
        let tags = sql
            .bind_all(sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT recommendation_id, kind, value FROM recommendation_tags \
                 WHERE recommendation_id IN ({page_ids}) ORDER BY value"
            ))))
            .fetch_all(&self.pool)
            .await?;
        for row in tags {
            let record = &mut records[index[&row.try_get::<i64, _>(0)?]];
            let kind: String = row.try_get(1)?;
            let list = match kind.as_str() {
                "theme" => &mut record.themes,
                "upr_issue" => &mut record.upr_issues,
                _ => &mut record.affected_persons,
            };
            list.push(row.try_get(2)?);
        }
        let sdgs = sql
            .bind_all(sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT recommendation_id, goal, target FROM recommendation_sdgs \
                 WHERE recommendation_id IN ({page_ids}) ORDER BY goal, target"
            ))))
            .fetch_all(&self.pool)
            .await?;
        for row in sdgs {
            let record = &mut records[index[&row.try_get::<i64, _>(0)?]];
            let goal: i64 = row.try_get(1)?;
            let target: String = row.try_get(2)?;
            if !record.sdg_goals.contains(&goal) {
                record.sdg_goals.push(goal);
            }
            if !target.is_empty() {
                record.sdg_targets.push(target);
            }
        }
        let texts = sql
            .bind_all(sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT recommendation_id, language, text, source FROM recommendation_texts \
                 WHERE recommendation_id IN ({page_ids}) ORDER BY language"
            ))))
            .fetch_all(&self.pool)
            .await?;
        for row in texts {
            records[index[&row.try_get::<i64, _>(0)?]]
                .translations
                .push(Translation {
                    language: row.try_get(1)?,
                    text: row.try_get(2)?,
                    source: row.try_get(3)?,
                });
        }
        Ok(records)
    }

    /// How many recommendations match.
    pub async fn count(&self, filter: &RecommendationFilter) -> Result<i64, StoreError> {
        let countries = CountryIndex::load(self).await?;
        let sql = filter.to_sql(&countries)?;
        let row = sql
            .bind_all(sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT COUNT(*) FROM recommendations r JOIN reviews v ON v.id = r.review_id WHERE {}",
                sql.condition
            ))))
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get(0)?)
    }

    /// One recommendation by its stable id (`SVN-UPR4-140.7`), or by paragraph reference
    /// (`140.7`) within the filter when that names exactly one.
    pub async fn show(
        &self,
        reference: &str,
        filter: &RecommendationFilter,
    ) -> Result<RecommendationRecord, StoreError> {
        let reference = reference.trim();
        let by_uid = RecommendationFilter {
            uid: Some(reference.to_owned()),
            ..Default::default()
        };
        let mut matches = self.list(&by_uid, Some(2), 0).await?;
        if matches.is_empty() {
            let by_paragraph = RecommendationFilter {
                paragraph: Some(reference.trim_end_matches('.').to_owned()),
                ..filter.clone()
            };
            matches = self.list(&by_paragraph, Some(20), 0).await?;
        }
        if matches.len() > 1 {
            return Err(StoreError::InvalidFilter(format!(
                "{reference:?} names several recommendations ({}); add --state and --cycle, or give the id",
                matches
                    .iter()
                    .map(|r| r.uid.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        matches
            .pop()
            .ok_or_else(|| StoreError::NotFound(format!("no recommendation {reference:?}")))
    }

    /// Every review with its number of recommendations.
    pub async fn reviews(&self) -> Result<Vec<ReviewRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT c.name, c.iso3, v.mechanism, v.cycle, v.session, v.report_symbol, COUNT(r.id) AS n \
             FROM reviews v JOIN countries c ON c.id = v.country_id \
             LEFT JOIN recommendations r ON r.review_id = v.id AND r.superseded = 0 \
             GROUP BY c.name, c.iso3, v.mechanism, v.cycle, v.session, v.report_symbol \
             ORDER BY c.name, v.mechanism, v.cycle",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|row| {
                let cycle: i64 = row.try_get("cycle")?;
                Ok(ReviewRecord {
                    state: row.try_get("name")?,
                    iso3: row.try_get("iso3")?,
                    mechanism: row.try_get("mechanism")?,
                    cycle: (cycle > 0).then_some(cycle),
                    session: row.try_get("session")?,
                    report_symbol: row.try_get("report_symbol")?,
                    recommendations: row.try_get("n")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }
}
