//! Counts of the registry, as a press release or a report quotes them: recommendations,
//! recommendation–State pairs, recommending States, positions, and breakdowns by review,
//! regional group of the recommending States, theme, affected persons and SDG goal.
//!
//! "Recommendations" counts each paragraph once, however many States made it jointly;
//! "recommendation_state_pairs" counts it once per recommending State (UPR Info's rows).

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;

use serde::{Deserialize, Serialize};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::countries::CountryIndex;
use crate::filter::FilterSql;
use crate::{RecommendationFilter, Store, StoreError};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PositionCounts {
    pub supported: i64,
    pub supported_in_part: i64,
    pub noted: i64,
    pub pending: i64,
}

impl PositionCounts {
    fn add(&mut self, position: &str, n: i64) {
        match position {
            "supported" => self.supported += n,
            "supported_in_part" => self.supported_in_part += n,
            "noted" => self.noted += n,
            _ => self.pending += n,
        }
    }
}

/// One line of a breakdown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupCount {
    pub key: String,
    pub recommendations: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recommendation_state_pairs: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recommending_states: Option<i64>,
}

/// The figures of one review within the filter.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReviewStats {
    pub state: String,
    pub iso3: String,
    pub mechanism: String,
    pub cycle: Option<i64>,
    pub session: Option<i64>,
    pub recommendations: i64,
    pub recommendation_state_pairs: i64,
    pub recommending_states: i64,
    pub positions: PositionCounts,
}

impl ReviewStats {
    /// A review with nothing counted yet, from a row with its `name`, `iso3`, `mechanism`,
    /// `cycle` and `session`.
    fn empty(row: &AnyRow) -> Result<Self, sqlx::Error> {
        let cycle: i64 = row.try_get("cycle")?;
        Ok(Self {
            state: row.try_get("name")?,
            iso3: row.try_get("iso3")?,
            mechanism: row.try_get("mechanism")?,
            cycle: (cycle > 0).then_some(cycle),
            session: row.try_get("session")?,
            recommendations: 0,
            recommendation_state_pairs: 0,
            recommending_states: 0,
            positions: PositionCounts::default(),
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Stats {
    pub filter: RecommendationFilter,
    pub recommendations: i64,
    pub recommendation_state_pairs: i64,
    pub recommending_states: i64,
    pub positions: PositionCounts,
    pub reviews: Vec<ReviewStats>,
    pub by_regional_group: Vec<GroupCount>,
    pub by_theme: Vec<GroupCount>,
    pub by_upr_issue: Vec<GroupCount>,
    pub by_affected_persons: Vec<GroupCount>,
    pub by_sdg_goal: Vec<GroupCount>,
}

impl Store {
    /// The statistics of the recommendations `filter` selects, from the cache when no import
    /// has written since they were last counted.
    pub async fn stats(&self, filter: &RecommendationFilter) -> Result<Stats, StoreError> {
        let key = serde_json::to_string(filter).map_err(|e| StoreError::Conflict(e.to_string()))?;
        let version: String = sqlx::query_scalar(
            "SELECT COALESCE((SELECT value FROM meta WHERE key = 'data_version'), '0')",
        )
        .fetch_one(&self.pool)
        .await?;
        let cached: Option<String> = sqlx::query_scalar(
            "SELECT body FROM stats_cache WHERE filter_key = $1 AND data_version = $2",
        )
        .bind(key.clone())
        .bind(version.clone())
        .fetch_optional(&self.pool)
        .await?;
        if let Some(stats) = cached.and_then(|body| serde_json::from_str::<Stats>(&body).ok()) {
            return Ok(stats);
        }
        let stats = self.stats_uncached(filter).await?;
        // Free text is unbounded: a client could fill the cache with it. Rows of an older data
        // version are dropped as new ones come in.
        if filter.text.is_some() {
            return Ok(stats);
        }
        sqlx::query("DELETE FROM stats_cache WHERE data_version <> $1")
            .bind(version.clone())
            .execute(&self.pool)
            .await?;
        if let Ok(body) = serde_json::to_string(&stats) {
            sqlx::query(
                "INSERT INTO stats_cache (filter_key, data_version, body) VALUES ($1, $2, $3) \
                 ON CONFLICT (filter_key) DO UPDATE SET data_version = excluded.data_version, body = excluded.body",
            )
            .bind(key)
            .bind(version)
            .bind(body)
            .execute(&self.pool)
            .await?;
        }
        Ok(stats)
    }

    /// The statistics without the cache: summed from the per-review counts when the filter
    /// selects whole reviews, counted from the tables otherwise.
    pub async fn stats_uncached(&self, filter: &RecommendationFilter) -> Result<Stats, StoreError> {
        let countries = CountryIndex::load(self).await?;
        let sql = filter.to_sql(&countries)?;
        match &sql.review_condition {
            Some(condition) => {
                self.sum_review_counts(filter, &countries, &sql, condition)
                    .await
            }
            None => self.count_from_tables(filter, &sql).await,
        }
    }

    /// The statistics counted from the recommendation tables, whatever the filter.
    pub async fn count_stats_from_tables(
        &self,
        filter: &RecommendationFilter,
    ) -> Result<Stats, StoreError> {
        let countries = CountryIndex::load(self).await?;
        let sql = filter.to_sql(&countries)?;
        self.count_from_tables(filter, &sql).await
    }

    /// Sums `review_counts` over the reviews `condition` selects (see the migration).
    async fn sum_review_counts(
        &self,
        filter: &RecommendationFilter,
        countries: &CountryIndex,
        sql: &FilterSql,
        condition: &str,
    ) -> Result<Stats, StoreError> {
        let per_review = self
            .fetch(
                sql,
                format!(
                    "SELECT v.id, co.name, co.iso3, v.mechanism, v.cycle, v.session, c.kind, c.key, \
                     c.recommendations, c.pairs FROM review_counts c JOIN reviews v ON v.id = c.review_id \
                     JOIN countries co ON co.id = v.country_id \
                     WHERE {condition} AND c.kind IN ('total', 'position')"
                ),
            )
            .await?;
        let mut reviews: BTreeMap<i64, ReviewStats> = BTreeMap::new();
        let mut positions = PositionCounts::default();
        for row in per_review {
            let review = match reviews.entry(row.try_get("id")?) {
                Entry::Occupied(entry) => entry.into_mut(),
                Entry::Vacant(entry) => entry.insert(ReviewStats::empty(&row)?),
            };
            let kind: String = row.try_get("kind")?;
            let recs: i64 = row.try_get("recommendations")?;
            if kind == "total" {
                review.recommendations = recs;
                review.recommendation_state_pairs = row.try_get("pairs")?;
            } else {
                let position: String = row.try_get("key")?;
                review.positions.add(&position, recs);
                positions.add(&position, recs);
            }
        }
        let states_per_review = self
            .fetch(
                sql,
                format!(
                    "SELECT c.review_id, COUNT(*) AS n FROM review_counts c JOIN reviews v ON v.id = c.review_id \
                     WHERE {condition} AND c.kind = 'state' GROUP BY c.review_id"
                ),
            )
            .await?;
        for row in states_per_review {
            if let Some(review) = reviews.get_mut(&row.try_get("review_id")?) {
                review.recommending_states = row.try_get("n")?;
            }
        }
        let summed = self
            .fetch(
                sql,
                format!(
                    "SELECT c.kind, c.key, CAST(SUM(c.recommendations) AS BIGINT) AS recs, \
                     CAST(SUM(c.pairs) AS BIGINT) AS pairs FROM review_counts c \
                     JOIN reviews v ON v.id = c.review_id \
                     WHERE {condition} AND c.kind NOT IN ('total', 'position') GROUP BY c.kind, c.key"
                ),
            )
            .await?;
        let mut stats = Stats {
            filter: filter.clone(),
            recommendations: reviews.values().map(|r| r.recommendations).sum(),
            recommendation_state_pairs: reviews
                .values()
                .map(|r| r.recommendation_state_pairs)
                .sum(),
            recommending_states: 0,
            positions,
            reviews: Vec::new(),
            by_regional_group: Vec::new(),
            by_theme: Vec::new(),
            by_upr_issue: Vec::new(),
            by_affected_persons: Vec::new(),
            by_sdg_goal: Vec::new(),
        };
        let mut states_per_group: BTreeMap<String, i64> = BTreeMap::new();
        for row in summed {
            let kind: String = row.try_get("kind")?;
            let key: String = row.try_get("key")?;
            let line = GroupCount {
                key,
                recommendations: row.try_get("recs")?,
                recommendation_state_pairs: None,
                recommending_states: None,
            };
            match kind.as_str() {
                "state" => {
                    stats.recommending_states += 1;
                    let group = line
                        .key
                        .parse::<i64>()
                        .ok()
                        .and_then(|id| countries.get(id))
                        .and_then(|c| c.regional_group.clone());
                    *states_per_group
                        .entry(group.unwrap_or_else(|| "none".to_owned()))
                        .or_default() += 1;
                }
                "group" => stats.by_regional_group.push(GroupCount {
                    recommendation_state_pairs: Some(row.try_get("pairs")?),
                    ..line
                }),
                "theme" => stats.by_theme.push(line),
                "upr_issue" => stats.by_upr_issue.push(line),
                "affected_person" => stats.by_affected_persons.push(line),
                _ => stats.by_sdg_goal.push(line),
            }
        }
        for line in &mut stats.by_regional_group {
            line.recommending_states = Some(states_per_group.get(&line.key).copied().unwrap_or(0));
        }
        for breakdown in [
            &mut stats.by_regional_group,
            &mut stats.by_theme,
            &mut stats.by_upr_issue,
            &mut stats.by_affected_persons,
        ] {
            sort_breakdown(breakdown);
        }
        stats
            .by_sdg_goal
            .sort_by_key(|line| line.key.parse::<i64>().unwrap_or(i64::MAX));
        stats.reviews = reviews.into_values().collect();
        sort_reviews(&mut stats.reviews);
        Ok(stats)
    }

    async fn count_from_tables(
        &self,
        filter: &RecommendationFilter,
        sql: &FilterSql,
    ) -> Result<Stats, StoreError> {
        let ids = sql.id_subquery();

        let mut reviews: BTreeMap<i64, ReviewStats> = BTreeMap::new();
        let review_rows = self
            .fetch(
                sql,
                format!(
                    "SELECT v.id, c.name, c.iso3, v.mechanism, v.cycle, v.session, r.position, COUNT(*) AS n \
                     FROM recommendations r JOIN reviews v ON v.id = r.review_id \
                     JOIN countries c ON c.id = v.country_id WHERE r.id IN ({ids}) \
                     GROUP BY v.id, c.name, c.iso3, v.mechanism, v.cycle, v.session, r.position"
                ),
            )
            .await?;
        let mut positions = PositionCounts::default();
        for row in review_rows {
            let n: i64 = row.try_get("n")?;
            let position: String = row.try_get("position")?;
            positions.add(&position, n);
            let entry = match reviews.entry(row.try_get("id")?) {
                Entry::Occupied(entry) => entry.into_mut(),
                Entry::Vacant(entry) => entry.insert(ReviewStats::empty(&row)?),
            };
            entry.recommendations += n;
            entry.positions.add(&position, n);
        }
        let pair_rows = self
            .fetch(
                sql,
                format!(
                    "SELECT r.review_id, COUNT(*) AS pairs, COUNT(DISTINCT rs.country_id) AS states \
                     FROM recommendation_states rs JOIN recommendations r ON r.id = rs.recommendation_id \
                     WHERE r.id IN ({ids}) GROUP BY r.review_id"
                ),
            )
            .await?;
        for row in pair_rows {
            if let Some(review) = reviews.get_mut(&row.try_get("review_id")?) {
                review.recommendation_state_pairs = row.try_get("pairs")?;
                review.recommending_states = row.try_get("states")?;
            }
        }

        let group_rows = self
            .fetch(
                sql,
                format!(
                    "SELECT COALESCE(c.regional_group, 'none') AS grp, \
                     COUNT(DISTINCT rs.recommendation_id) AS recs, COUNT(*) AS pairs, \
                     COUNT(DISTINCT rs.country_id) AS states \
                     FROM recommendation_states rs JOIN countries c ON c.id = rs.country_id \
                     WHERE rs.recommendation_id IN ({ids}) GROUP BY COALESCE(c.regional_group, 'none')"
                ),
            )
            .await?;
        let mut by_regional_group = Vec::new();
        let (mut pairs, mut states) = (0, 0);
        for row in group_rows {
            let line = GroupCount {
                key: row.try_get("grp")?,
                recommendations: row.try_get("recs")?,
                recommendation_state_pairs: Some(row.try_get("pairs")?),
                recommending_states: Some(row.try_get("states")?),
            };
            pairs += line.recommendation_state_pairs.unwrap_or(0);
            states += line.recommending_states.unwrap_or(0);
            by_regional_group.push(line);
        }
        sort_breakdown(&mut by_regional_group);

        let tag_rows = self
            .fetch(
                sql,
                format!(
                    "SELECT kind, value, COUNT(*) AS n FROM recommendation_tags \
                     WHERE recommendation_id IN ({ids}) GROUP BY kind, value"
                ),
            )
            .await?;
        let (mut by_theme, mut by_upr_issue, mut by_affected_persons) =
            (Vec::new(), Vec::new(), Vec::new());
        for row in tag_rows {
            let kind: String = row.try_get("kind")?;
            let line = GroupCount {
                key: row.try_get("value")?,
                recommendations: row.try_get("n")?,
                recommendation_state_pairs: None,
                recommending_states: None,
            };
            match kind.as_str() {
                "theme" => by_theme.push(line),
                "upr_issue" => by_upr_issue.push(line),
                _ => by_affected_persons.push(line),
            }
        }
        for breakdown in [&mut by_theme, &mut by_upr_issue, &mut by_affected_persons] {
            sort_breakdown(breakdown);
        }

        let sdg_rows = self
            .fetch(
                sql,
                format!(
                    "SELECT goal, COUNT(DISTINCT recommendation_id) AS n FROM recommendation_sdgs \
                     WHERE recommendation_id IN ({ids}) GROUP BY goal ORDER BY goal"
                ),
            )
            .await?;
        let by_sdg_goal = sdg_rows
            .into_iter()
            .map(|row| {
                Ok(GroupCount {
                    key: row.try_get::<i64, _>("goal")?.to_string(),
                    recommendations: row.try_get("n")?,
                    recommendation_state_pairs: None,
                    recommending_states: None,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()?;

        let mut reviews: Vec<ReviewStats> = reviews.into_values().collect();
        reviews.sort_by(|a, b| {
            (&a.state, &a.mechanism, a.cycle).cmp(&(&b.state, &b.mechanism, b.cycle))
        });
        // A State in several groups is impossible; the sum over groups is the distinct count.
        Ok(Stats {
            filter: filter.clone(),
            recommendations: reviews.iter().map(|r| r.recommendations).sum(),
            recommendation_state_pairs: pairs,
            recommending_states: states,
            positions,
            reviews,
            by_regional_group,
            by_theme,
            by_upr_issue,
            by_affected_persons,
            by_sdg_goal,
        })
    }

    async fn fetch(&self, filter: &FilterSql, sql: String) -> Result<Vec<AnyRow>, StoreError> {
        let query = filter.bind_all(sqlx::query(sqlx::AssertSqlSafe(sql)));
        Ok(query.fetch_all(&self.pool).await?)
    }
}

/// By State, mechanism and cycle.
fn sort_reviews(reviews: &mut [ReviewStats]) {
    reviews
        .sort_by(|a, b| (&a.state, &a.mechanism, a.cycle).cmp(&(&b.state, &b.mechanism, b.cycle)));
}

/// Largest first, then by name, so that output is stable.
fn sort_breakdown(lines: &mut [GroupCount]) {
    lines.sort_by(|a, b| {
        b.recommendations
            .cmp(&a.recommendations)
            .then_with(|| a.key.cmp(&b.key))
    });
}
