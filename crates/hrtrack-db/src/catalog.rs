//! The catalogues a browser or an API client picks filters from: States with how often each
//! was reviewed and how often it recommended, tags (themes, UPR Info issues, affected persons)
//! with their counts, and the targets of one SDG goal with their titles.
//!
//! [`Store::ping`] is the health check's trivial query.
//!
//! Counts leave out superseded recommendations, as every other query of the store does.

use serde::Serialize;
use sqlx::Row;

use crate::{Store, StoreError};

/// A State that appears in the registry, as State under review or as recommending State.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StateCount {
    pub name: String,
    pub iso3: String,
    pub regional_group: Option<String>,
    /// Recommendations the State received.
    pub as_state_under_review: i64,
    /// Recommendations the State made (alone or jointly).
    pub as_recommending_state: i64,
}

/// One tag value with the number of recommendations carrying it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TagCount {
    /// `theme`, `upr_issue` or `affected_person`.
    pub kind: String,
    pub value: String,
    pub recommendations: i64,
}

/// One SDG target with its titles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SdgTargetTitles {
    pub code: String,
    pub goal: i64,
    pub title_en: String,
    pub title_ru: Option<String>,
    pub title_tk: Option<String>,
}

impl Store {
    /// Runs a trivial query: the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Every State with at least one recommendation received or made, by name.
    pub async fn states_with_counts(&self) -> Result<Vec<StateCount>, StoreError> {
        let rows = sqlx::query(
            "SELECT c.name, c.iso3, c.regional_group, \
             (SELECT COUNT(*) FROM recommendations r JOIN reviews v ON v.id = r.review_id \
              WHERE v.country_id = c.id AND r.superseded = 0) AS received, \
             (SELECT COUNT(*) FROM recommendation_states rs \
              JOIN recommendations r ON r.id = rs.recommendation_id \
              WHERE rs.country_id = c.id AND r.superseded = 0) AS made \
             FROM countries c ORDER BY c.name",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut states = Vec::new();
        for row in rows {
            let state = StateCount {
                name: row.try_get("name")?,
                iso3: row.try_get("iso3")?,
                regional_group: row.try_get("regional_group")?,
                as_state_under_review: row.try_get("received")?,
                as_recommending_state: row.try_get("made")?,
            };
            if state.as_state_under_review > 0 || state.as_recommending_state > 0 {
                states.push(state);
            }
        }
        Ok(states)
    }

    /// Every tag value in use, by kind and value.
    pub async fn tag_counts(&self) -> Result<Vec<TagCount>, StoreError> {
        let rows = sqlx::query(
            "SELECT t.kind, t.value, COUNT(*) AS n FROM recommendation_tags t \
             JOIN recommendations r ON r.id = t.recommendation_id WHERE r.superseded = 0 \
             GROUP BY t.kind, t.value ORDER BY t.kind, t.value",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(TagCount {
                    kind: row.try_get("kind")?,
                    value: row.try_get("value")?,
                    recommendations: row.try_get("n")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }

    /// The targets of SDG goal `goal`, in code order (an empty list for an unknown goal).
    pub async fn sdg_targets_of_goal(&self, goal: i64) -> Result<Vec<SdgTargetTitles>, StoreError> {
        let rows = sqlx::query(
            "SELECT code, goal, title_en, title_ru, title_tk FROM sdg_targets WHERE goal = $1",
        )
        .bind(goal)
        .fetch_all(&self.pool)
        .await?;
        let mut targets = rows
            .iter()
            .map(|row| {
                Ok(SdgTargetTitles {
                    code: row.try_get("code")?,
                    goal: row.try_get("goal")?,
                    title_en: row.try_get("title_en")?,
                    title_ru: row.try_get("title_ru")?,
                    title_tk: row.try_get("title_tk")?,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
        targets.sort_by_key(|target| target_order(&target.code));
        Ok(targets)
    }
}

/// Sort key of a target code such as `4.10` or `4.a`: numbered targets by number, then the
/// lettered means of implementation.
fn target_order(code: &str) -> (u32, String) {
    let suffix = code.split_once('.').map_or(code, |(_, s)| s);
    match suffix.parse::<u32>() {
        Ok(n) => (n, String::new()),
        Err(_) => (u32::MAX, suffix.to_owned()),
    }
}
