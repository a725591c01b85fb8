//! Reads behind the public SDG data pages and the data API: the reporting status of the
//! goals and indicators, the breakdowns an indicator's data offers, a slice of its
//! observations, the names of codes, national metadata, and what links an indicator to the
//! Roadmap and to the registry.
//!
//! Everything in `sdg_observations` is published data; submissions waiting for a decision live
//! elsewhere and are never read here. Each read is one or two queries: a slice filters the
//! indicator's series in Rust (an indicator has few) and loads the observations of the
//! matching series, with the period bounds in SQL, by `IN` lists of at most
//! [`IDS_PER_QUERY`] ids.
//!
//! Totals: Open SDG files leave a dimension out of a row for its total, SDMX writes `_T`; a
//! slice asking for [`TOTAL_CODE`] matches both.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use hrtrack_sdg::{Codes, Observation};
use serde::Serialize;
use sqlx::Row;

use crate::sql::in_list;
use crate::{Store, StoreError};

/// Series ids per `IN (…)` list when loading a slice.
const IDS_PER_QUERY: usize = 500;

/// The code of a total; a slice asking for it also matches a dimension left out.
pub const TOTAL_CODE: &str = "_T";

/// The dimension that holds the unit of measure in stored series (see
/// [`crate::sdg_data::series_dimensions`]); observations read back keep it as an attribute.
pub const UNIT_DIMENSION: &str = "UNIT_MEASURE";

/// How many indicators of one goal the framework has and how many have published data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SdgGoalStatus {
    pub goal: i64,
    pub indicators: i64,
    pub reported: i64,
}

/// The reporting status of every goal, and the totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SdgReportingStatus {
    pub goals: Vec<SdgGoalStatus>,
    pub indicators: i64,
    pub reported: i64,
}

/// One indicator (of the global framework, or a national one such as `10.5.1.1` that only
/// the data names) with its titles and its published data.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SdgIndicatorStatus {
    pub code: String,
    /// The target, e.g. `5.5`.
    pub target: String,
    pub goal: i64,
    /// False for national indicators; their titles are those of the global indicator they
    /// extend, when there is one.
    pub global: bool,
    pub title_en: String,
    pub title_ru: Option<String>,
    pub title_tk: Option<String>,
    /// Distinct SDMX SERIES codes with published observations.
    pub series: i64,
    pub observations: i64,
    pub latest_period: Option<String>,
    pub reported: bool,
}

/// Which observations of one indicator to read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SdgSlice {
    /// Only this SDMX SERIES code.
    pub series: Option<String>,
    /// Dimension id -> the codes allowed ([`TOTAL_CODE`] also matches an absent dimension);
    /// dimensions not named are not filtered. `UNIT_MEASURE` filters on the unit.
    pub dimensions: BTreeMap<String, Vec<String>>,
    /// First period (inclusive).
    pub start: Option<String>,
    /// Last period (inclusive, and its sub-periods: `2020` keeps `2020-Q4`).
    pub end: Option<String>,
}

impl SdgSlice {
    /// Whether a stored series (SERIES code and dimensions, unit included) is in the slice.
    pub fn admits(&self, series: &str, dimensions: &Codes) -> bool {
        self.series.as_deref().is_none_or(|s| s == series)
            && self.dimensions.iter().all(|(id, codes)| {
                let code = dimensions.get(id).map_or(TOTAL_CODE, String::as_str);
                codes.iter().any(|c| c == code)
            })
    }
}

/// What one indicator's published data can be broken down by.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SdgBreakdowns {
    /// SDMX SERIES codes present.
    pub series: Vec<String>,
    /// Units of measure present.
    pub units: Vec<String>,
    /// Dimension id -> the codes present, with [`TOTAL_CODE`] when some series leaves the
    /// dimension out (units and SERIES not included).
    pub dimensions: BTreeMap<String, Vec<String>>,
    /// Each published series: its SERIES code and its dimensions, so that defaults can be
    /// chosen among the series that other choices leave (not part of any document).
    #[serde(skip)]
    pub combinations: Vec<(String, Codes)>,
}

/// One field of an indicator's national metadata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SdgMetadataField {
    pub field: String,
    /// The language of the text (English when the asked one has none).
    pub lang: String,
    pub text: String,
    pub updated_at: String,
}

/// A published Roadmap action that uses an indicator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SdgLinkedAction {
    pub id: i64,
    pub title: String,
    pub roadmap_id: i64,
    pub roadmap: String,
}

/// A recommendation linked to an SDG target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SdgLinkedRecommendation {
    pub uid: String,
    pub text: String,
    pub state: String,
}

/// An indicator code's numeric parts, for ordering (`5.10.1` after `5.9.1`); a part that is
/// not a number sorts as its text after the numbers.
pub fn indicator_order(code: &str) -> Vec<(u64, String)> {
    code.split('.')
        .map(|part| match part.parse::<u64>() {
            Ok(n) => (n, String::new()),
            Err(_) => (u64::MAX, part.to_owned()),
        })
        .collect()
}

/// The global indicator a national code extends (`10.5.1.1` -> `10.5.1`), or the code.
fn global_parent(code: &str) -> String {
    code.split('.').take(3).collect::<Vec<_>>().join(".")
}

/// The target of an indicator code (`5.5.1` -> `5.5`).
fn target_of(code: &str) -> String {
    code.split('.').take(2).collect::<Vec<_>>().join(".")
}

/// An indicator's published data: distinct SERIES codes, observations, latest period.
type DataCount = (i64, i64, Option<String>);
/// [`DataCount`]s by indicator code.
type DataCounts = HashMap<String, DataCount>;

impl Store {
    /// Per goal, how many indicators the framework has and how many have published
    /// observations; and the totals.
    pub async fn sdg_reporting_status(&self) -> Result<SdgReportingStatus, StoreError> {
        let rows = sqlx::query(
            "SELECT t.goal, COUNT(*) AS indicators, \
             SUM(CASE WHEN EXISTS (SELECT 1 FROM sdg_series s JOIN sdg_observations o \
                 ON o.series_id = s.id WHERE s.indicator = i.code) THEN 1 ELSE 0 END) AS reported \
             FROM sdg_indicators i JOIN sdg_targets t ON t.code = i.target \
             GROUP BY t.goal ORDER BY t.goal",
        )
        .fetch_all(&self.pool)
        .await?;
        let goals = rows
            .iter()
            .map(|row| {
                Ok(SdgGoalStatus {
                    goal: row.try_get("goal")?,
                    indicators: row.try_get("indicators")?,
                    reported: row.try_get("reported")?,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
        Ok(SdgReportingStatus {
            indicators: goals.iter().map(|g| g.indicators).sum(),
            reported: goals.iter().map(|g| g.reported).sum(),
            goals,
        })
    }

    /// The indicators of one goal (every goal when `None`) with their published data: the
    /// framework's, then national ones the data names, in code order.
    pub async fn sdg_indicator_statuses(
        &self,
        goal: Option<i64>,
    ) -> Result<Vec<SdgIndicatorStatus>, StoreError> {
        self.indicator_statuses(goal, None).await
    }

    /// The statuses of a goal's indicators (all goals when `None`), or with `only` of that one
    /// indicator (and, for a national one, of its global parent, which gives its titles).
    async fn indicator_statuses(
        &self,
        goal: Option<i64>,
        only: Option<&str>,
    ) -> Result<Vec<SdgIndicatorStatus>, StoreError> {
        let goal_number = goal.unwrap_or(0);
        let only_code = only.unwrap_or("");
        let rows = sqlx::query(
            "SELECT i.code, i.target, t.goal, i.title_en, i.title_ru, i.title_tk \
             FROM sdg_indicators i JOIN sdg_targets t ON t.code = i.target \
             WHERE ($1 = 0 OR t.goal = $1) AND ($2 = '' OR i.code = $2 OR i.code = $3)",
        )
        .bind(goal_number)
        .bind(only_code.to_owned())
        .bind(global_parent(only_code))
        .fetch_all(&self.pool)
        .await?;
        // A code holds no LIKE wildcard but `_`, which SDG codes do not use.
        let prefix = match (only, goal) {
            (Some(code), _) => code.to_owned(),
            (None, Some(g)) => format!("{g}.%"),
            (None, None) => "%".to_owned(),
        };
        let data = self.sdg_data_counts(&prefix).await?;
        let mut statuses: Vec<SdgIndicatorStatus> = Vec::with_capacity(rows.len());
        for row in &rows {
            let code: String = row.try_get("code")?;
            let (series, observations, latest_period) =
                data.get(&code).cloned().unwrap_or((0, 0, None));
            statuses.push(SdgIndicatorStatus {
                target: row.try_get("target")?,
                goal: row.try_get("goal")?,
                global: true,
                title_en: row.try_get("title_en")?,
                title_ru: row.try_get("title_ru")?,
                title_tk: row.try_get("title_tk")?,
                series,
                observations,
                reported: observations > 0,
                latest_period,
                code,
            });
        }
        let national: Vec<(&String, &DataCount)> = data
            .iter()
            .filter(|(code, _)| !statuses.iter().any(|s| &s.code == *code))
            .collect();
        for (code, (series, observations, latest_period)) in national {
            let Some(goal) = code.split('.').next().and_then(|g| g.parse::<i64>().ok()) else {
                continue;
            };
            let parent = statuses
                .iter()
                .find(|s| s.code == global_parent(code))
                .map(|s| (s.title_en.clone(), s.title_ru.clone(), s.title_tk.clone()));
            let (title_en, title_ru, title_tk) = parent.unwrap_or_default();
            statuses.push(SdgIndicatorStatus {
                code: code.clone(),
                target: target_of(code),
                goal,
                global: false,
                title_en,
                title_ru,
                title_tk,
                series: *series,
                observations: *observations,
                latest_period: latest_period.clone(),
                reported: *observations > 0,
            });
        }
        statuses.sort_by_key(|s| indicator_order(&s.code));
        Ok(statuses)
    }

    /// One indicator with its published data: a framework indicator, or a national one with
    /// published observations; `None` otherwise.
    pub async fn sdg_indicator(
        &self,
        code: &str,
    ) -> Result<Option<SdgIndicatorStatus>, StoreError> {
        let Some(goal) = code.split('.').next().and_then(|g| g.parse::<i64>().ok()) else {
            return Ok(None);
        };
        Ok(self
            .indicator_statuses(Some(goal), Some(code))
            .await?
            .into_iter()
            .find(|s| s.code == code && (s.global || s.reported)))
    }

    /// Published data per indicator whose code is `LIKE prefix`.
    async fn sdg_data_counts(&self, prefix: &str) -> Result<DataCounts, StoreError> {
        let rows = sqlx::query(
            "SELECT s.indicator, COUNT(DISTINCT s.series_code) AS series, COUNT(*) AS n, \
             MAX(o.time_period) AS latest FROM sdg_series s \
             JOIN sdg_observations o ON o.series_id = s.id \
             WHERE s.indicator LIKE $1 GROUP BY s.indicator",
        )
        .bind(prefix.to_owned())
        .fetch_all(&self.pool)
        .await?;
        let mut counts = HashMap::with_capacity(rows.len());
        for row in &rows {
            counts.insert(
                row.try_get("indicator")?,
                (
                    row.try_get("series")?,
                    row.try_get("n")?,
                    row.try_get("latest")?,
                ),
            );
        }
        Ok(counts)
    }

    /// The codes of the indicators with published observations, in code order.
    pub async fn sdg_reported_indicators(&self) -> Result<Vec<String>, StoreError> {
        let mut codes: Vec<String> = sqlx::query_scalar(
            "SELECT DISTINCT s.indicator FROM sdg_series s WHERE s.indicator <> '' \
             AND EXISTS (SELECT 1 FROM sdg_observations o WHERE o.series_id = s.id)",
        )
        .fetch_all(&self.pool)
        .await?;
        codes.sort_by_key(|c| indicator_order(c));
        Ok(codes)
    }

    /// The stored series of `indicator` that have observations: (id, SERIES code,
    /// dimensions with the unit).
    async fn sdg_published_series(
        &self,
        indicator: &str,
    ) -> Result<Vec<(i64, String, Codes)>, StoreError> {
        let rows = sqlx::query(
            "SELECT s.id, s.series_code, s.dimensions FROM sdg_series s WHERE s.indicator = $1 \
             AND EXISTS (SELECT 1 FROM sdg_observations o WHERE o.series_id = s.id) ORDER BY s.id",
        )
        .bind(indicator.to_owned())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let dimensions: String = row.try_get("dimensions")?;
                Ok((
                    row.try_get("id")?,
                    row.try_get("series_code")?,
                    serde_json::from_str(&dimensions).unwrap_or_default(),
                ))
            })
            .collect()
    }

    /// What the published data of `indicator` can be broken down by.
    pub async fn sdg_breakdowns(&self, indicator: &str) -> Result<SdgBreakdowns, StoreError> {
        let series = self.sdg_published_series(indicator).await?;
        let mut codes: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (_, _, dimensions) in &series {
            for (id, code) in dimensions {
                codes.entry(id.clone()).or_default().insert(code.clone());
            }
        }
        for (_, _, dimensions) in &series {
            for (id, present) in codes.iter_mut() {
                if !dimensions.contains_key(id) {
                    present.insert(TOTAL_CODE.to_owned());
                }
            }
        }
        let units = codes
            .remove(UNIT_DIMENSION)
            .map(|u| u.into_iter().filter(|c| c != TOTAL_CODE).collect())
            .unwrap_or_default();
        let combinations: Vec<(String, Codes)> = series
            .into_iter()
            .map(|(_, code, dimensions)| (code, dimensions))
            .collect();
        let series_codes: BTreeSet<String> =
            combinations.iter().map(|(code, _)| code.clone()).collect();
        Ok(SdgBreakdowns {
            combinations,
            series: series_codes.into_iter().collect(),
            units,
            dimensions: codes
                .into_iter()
                .map(|(id, set)| (id, set.into_iter().collect()))
                .collect(),
        })
    }

    /// The published observations of `indicator` in `slice`, by series and period.
    pub async fn sdg_slice(
        &self,
        indicator: &str,
        slice: &SdgSlice,
    ) -> Result<Vec<Observation>, StoreError> {
        let series: HashMap<i64, (String, Codes)> = self
            .sdg_published_series(indicator)
            .await?
            .into_iter()
            .filter(|(_, code, dimensions)| slice.admits(code, dimensions))
            .map(|(id, code, dimensions)| (id, (code, dimensions)))
            .collect();
        let mut ids: Vec<i64> = series.keys().copied().collect();
        ids.sort_unstable();
        let start = slice.start.clone().unwrap_or_default();
        let end = slice.end.clone().unwrap_or_default();
        let mut observations = Vec::new();
        for chunk in ids.chunks(IDS_PER_QUERY) {
            let sql = format!(
                "SELECT series_id, time_period, value, attributes FROM sdg_observations \
                 WHERE ($1 = '' OR time_period >= $1) \
                 AND ($2 = '' OR time_period <= $2 OR time_period LIKE $3) \
                 AND series_id IN ({}) ORDER BY series_id, time_period",
                placeholders_from(4, chunk.len())
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(start.clone())
                .bind(end.clone())
                .bind(format!("{end}-%"));
            for id in chunk {
                query = query.bind(*id);
            }
            for row in query.fetch_all(&self.pool).await? {
                let id: i64 = row.try_get("series_id")?;
                let Some((code, dimensions)) = series.get(&id) else {
                    continue;
                };
                let attributes: String = row.try_get("attributes")?;
                let attributes: Codes = serde_json::from_str(&attributes).unwrap_or_default();
                let mut dimensions = dimensions.clone();
                if dimensions.get(UNIT_DIMENSION) == attributes.get(UNIT_DIMENSION) {
                    dimensions.remove(UNIT_DIMENSION);
                }
                observations.push(Observation {
                    series: code.clone(),
                    indicator: Some(indicator.to_owned()),
                    dimensions,
                    time_period: row.try_get("time_period")?,
                    value: row.try_get("value")?,
                    attributes,
                    action: hrtrack_sdg::RowAction::Information,
                });
            }
        }
        Ok(observations)
    }

    /// Names of codes in `lang` (`en`, `ru`, `tk`) for the components `components`, by
    /// (component id, code); English when the language has none. Empty when no structure is
    /// loaded (then pages show codes).
    pub async fn sdg_code_names(
        &self,
        components: &[String],
        lang: &str,
    ) -> Result<BTreeMap<(String, String), String>, StoreError> {
        let mut names = BTreeMap::new();
        if components.is_empty() {
            return Ok(names);
        }
        let sql = format!(
            "SELECT c.id, k.code, k.name_en, k.name_ru, k.name_tk FROM sdg_components c \
             JOIN sdg_codes k ON k.codelist = c.codelist WHERE c.id IN ({})",
            in_list(self.backend, components.len())
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in components {
            query = query.bind(id.clone());
        }
        for row in query.fetch_all(&self.pool).await? {
            let english: String = row.try_get("name_en")?;
            let own: Option<String> = match lang {
                "ru" => row.try_get("name_ru")?,
                "tk" => row.try_get("name_tk")?,
                _ => None,
            };
            let name = own.filter(|n| !n.trim().is_empty()).unwrap_or(english);
            names.insert((row.try_get("id")?, row.try_get("code")?), name);
        }
        Ok(names)
    }

    /// The national metadata of `indicator` in `lang`, English where that language has no
    /// text, by field.
    pub async fn sdg_metadata(
        &self,
        indicator: &str,
        lang: &str,
    ) -> Result<Vec<SdgMetadataField>, StoreError> {
        let rows = sqlx::query(
            "SELECT field, lang, text, updated_at FROM sdg_metadata \
             WHERE indicator = $1 AND (lang = $2 OR lang = 'en') ORDER BY field",
        )
        .bind(indicator.to_owned())
        .bind(lang.to_owned())
        .fetch_all(&self.pool)
        .await?;
        let mut fields: BTreeMap<String, SdgMetadataField> = BTreeMap::new();
        for row in &rows {
            let field = SdgMetadataField {
                field: row.try_get("field")?,
                lang: row.try_get("lang")?,
                text: row.try_get("text")?,
                updated_at: row.try_get("updated_at")?,
            };
            let better = fields
                .get(&field.field)
                .is_none_or(|kept| kept.lang != lang && field.lang == lang);
            if better {
                fields.insert(field.field.clone(), field);
            }
        }
        Ok(fields.into_values().collect())
    }

    /// Published, not archived Roadmap actions that measure `indicator` (one of their
    /// indicators names it) or that serve its target.
    pub async fn sdg_indicator_actions(
        &self,
        indicator: &str,
    ) -> Result<Vec<SdgLinkedAction>, StoreError> {
        let rows = sqlx::query(
            "SELECT a.id, a.title, r.id AS roadmap_id, r.title AS roadmap FROM actions a \
             JOIN roadmaps r ON r.id = a.roadmap_id \
             WHERE a.published = 1 AND a.archived = 0 AND r.archived = 0 AND ( \
             EXISTS (SELECT 1 FROM indicators n WHERE n.action_id = a.id AND n.archived = 0 \
                     AND n.sdg_indicator = $1) \
             OR EXISTS (SELECT 1 FROM action_sdg_targets t WHERE t.action_id = a.id \
                     AND t.target_code = $2)) ORDER BY r.id, a.id",
        )
        .bind(indicator.to_owned())
        .bind(target_of(indicator))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(SdgLinkedAction {
                    id: row.try_get("id")?,
                    title: row.try_get("title")?,
                    roadmap_id: row.try_get("roadmap_id")?,
                    roadmap: row.try_get("roadmap")?,
                })
            })
            .collect()
    }

    /// How many recommendations are linked to SDG target `target`, and the first `limit` of
    /// them in registry order.
    pub async fn sdg_target_recommendations(
        &self,
        target: &str,
        limit: i64,
    ) -> Result<(i64, Vec<SdgLinkedRecommendation>), StoreError> {
        let total: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM recommendation_sdgs s \
             JOIN recommendations r ON r.id = s.recommendation_id \
             WHERE s.target = $1 AND r.superseded = 0",
        )
        .bind(target.to_owned())
        .fetch_one(&self.pool)
        .await?;
        let rows = sqlx::query(
            "SELECT r.uid, r.text, c.name FROM recommendation_sdgs s \
             JOIN recommendations r ON r.id = s.recommendation_id \
             JOIN reviews v ON v.id = r.review_id JOIN countries c ON c.id = v.country_id \
             WHERE s.target = $1 AND r.superseded = 0 ORDER BY r.id LIMIT $2",
        )
        .bind(target.to_owned())
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let items = rows
            .iter()
            .map(|row| {
                Ok(SdgLinkedRecommendation {
                    uid: row.try_get("uid")?,
                    text: row.try_get("text")?,
                    state: row.try_get("name")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()?;
        Ok((total, items))
    }
}

/// `$first, $first+1, …`: `count` numbered placeholders (an `IN` list after other
/// parameters; both backends read `$N`).
fn placeholders_from(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ")
}
