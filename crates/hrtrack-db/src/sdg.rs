//! The SDG framework as loaded from the bundled files: goals with their titles in English,
//! Russian and Turkmen, and the size of the framework.

use serde::Serialize;
use sqlx::Row;

use crate::{Store, StoreError};

/// One goal with its titles.
#[derive(Debug, Clone, Serialize)]
pub struct SdgGoalTitles {
    pub goal: i64,
    pub title_en: String,
    pub title_ru: String,
    pub title_tk: String,
    pub short_en: String,
    pub short_ru: String,
    pub short_tk: String,
}

/// How many goals, targets and indicators the framework holds, and how many targets and
/// indicators have Russian and Turkmen titles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SdgFrameworkSize {
    pub goals: i64,
    pub targets: i64,
    pub indicators: i64,
    pub titled_in_all_three: i64,
}

impl Store {
    pub async fn sdg_goals(&self) -> Result<Vec<SdgGoalTitles>, StoreError> {
        let rows = sqlx::query(
            "SELECT goal, title_en, title_ru, title_tk, short_en, short_ru, short_tk FROM sdg_goals ORDER BY goal",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(SdgGoalTitles {
                    goal: row.try_get("goal")?,
                    title_en: row.try_get("title_en")?,
                    title_ru: row.try_get("title_ru")?,
                    title_tk: row.try_get("title_tk")?,
                    short_en: row.try_get("short_en")?,
                    short_ru: row.try_get("short_ru")?,
                    short_tk: row.try_get("short_tk")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }

    pub async fn sdg_framework_size(&self) -> Result<SdgFrameworkSize, StoreError> {
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM sdg_goals) AS goals, (SELECT COUNT(*) FROM sdg_targets) AS targets, \
             (SELECT COUNT(*) FROM sdg_indicators) AS indicators, \
             (SELECT COUNT(*) FROM sdg_targets WHERE title_ru IS NOT NULL AND title_tk IS NOT NULL) + \
             (SELECT COUNT(*) FROM sdg_indicators WHERE title_ru IS NOT NULL AND title_tk IS NOT NULL) AS titled",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(SdgFrameworkSize {
            goals: row.try_get("goals")?,
            targets: row.try_get("targets")?,
            indicators: row.try_get("indicators")?,
            titled_in_all_three: row.try_get("titled")?,
        })
    }
}
