//! SDG observations in the store: [`Store::import_sdg`] writes the [`Dataset`]s the
//! `hrtrack-sdg` readers return, and a few queries read them back (migration 0003:
//! `sdg_datasets`, `sdg_series`, `sdg_observations`).
//!
//! An import is one transaction: every dataset of the call is written, or none. It runs in
//! three steps:
//! 1. each dataset gets its `sdg_datasets` row (by name; the SHA-256 of what was read tells
//!    a file read again from a changed one), and each observation its series (by SERIES code,
//!    indicator and canonical dimension key; new series get the next ids);
//! 2. the stored observations of every series the datasets touch are loaded, and the rows'
//!    actions are applied to them in file order: Information and Append put the value
//!    (insert or overwrite), Replace first empties each series the file replaces and then puts
//!    the file's values, Delete removes the matching observations (an SDMX-CSV 2.x delete row
//!    may leave dimensions and the period blank: they match anything);
//! 3. the result is compared with what was stored: observations added, updated, unchanged
//!    and deleted; only the differences are written, in a few statements that carry their
//!    rows as one JSON parameter each (see [`crate::sql::insert_json_rows`]).
//!
//! Reading the same files again changes nothing (no row written, no version bumped). An
//! import that changed something records an `import_runs` row (format `sdg`) and sets
//! `meta.data_version` to `import-N`, as recommendation imports do.
//!
//! Series are kept when a delete or replace leaves them without observations.
//!
//! An observation that names a SERIES code but no indicator (the global SDG DSD's shape:
//! Tajikistan's SDMX-ML) is attached to the indicators the series code list ties the code to
//! (`sdg_codes` of the SERIES component, loaded by `hrtrack sdg codelists` from the code
//! lists' annotations): to each of them when there are several, as a series of each. A series
//! stored without an indicator by an earlier import is attached in place when its data comes
//! again. Series left without an indicator are counted in the summary and their codes listed,
//! so that the caller can say so.

use std::collections::{BTreeMap, HashMap, HashSet};

use hrtrack_sdg::{Codes, Dataset, Observation, RowAction, SdgFormat};
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::{Any, Row, Transaction};

use crate::clock::now_rfc3339;
use crate::sql::{Col, execute_json_rows, in_list, insert_json_rows};
use crate::{Backend, Store, StoreError};

/// Series ids per `IN (…)` list when loading stored observations.
const IDS_PER_QUERY: usize = 500;

/// What an SDG import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SdgImportSummary {
    /// Datasets (files) in the import.
    pub datasets: usize,
    /// Datasets seen for the first time, by name.
    pub datasets_added: usize,
    /// Datasets already imported under the same name, with other content.
    pub datasets_updated: usize,
    /// Observation rows in the datasets (every action).
    pub rows: usize,
    /// Distinct series the datasets name.
    pub series: usize,
    /// Series created by this import.
    pub series_added: usize,
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub deleted: usize,
    /// Series of this import that stay without an SDG indicator (no indicator in the file
    /// and none for their SERIES code in the loaded code lists): shown on no indicator page.
    pub series_without_indicator: usize,
    /// Their SERIES codes ("" when the file gave none), sorted.
    pub codes_without_indicator: Vec<String>,
    /// Series stored without an indicator before, attached to one by this import.
    pub series_attached: usize,
}

/// A stored series.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeriesRecord {
    pub id: i64,
    /// SDMX SERIES code ("" when the file had none).
    pub series: String,
    /// SDG indicator code ("5.5.1"), when known.
    pub indicator: Option<String>,
    /// The canonical dimension key, e.g. `AGE=Y15T24|REF_AREA=KAZ|SEX=F`.
    pub key: String,
    pub dimensions: BTreeMap<String, String>,
    /// Observations stored for it.
    pub observations: i64,
}

/// A stored observation of one series.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ObservationRecord {
    pub time_period: String,
    pub value: Option<f64>,
    pub attributes: BTreeMap<String, String>,
    /// The name of the dataset (file) that last wrote it.
    pub dataset: String,
}

/// How many datasets, series and observations the store holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SdgCounts {
    pub datasets: i64,
    pub series: i64,
    pub observations: i64,
}

/// The code stored in `sdg_datasets.format`.
pub fn format_code(format: SdgFormat) -> &'static str {
    match format {
        SdgFormat::OpenSdg => "open-sdg",
        SdgFormat::SdmxCsv1 => "sdmx-csv-1.0",
        SdgFormat::SdmxCsv2 => "sdmx-csv-2",
        SdgFormat::SdmxMlGeneric20 => "sdmx-ml-2.0-generic",
        SdgFormat::SdmxMlGeneric21 => "sdmx-ml-2.1-generic",
        SdgFormat::SdmxMlStructureSpecific21 => "sdmx-ml-2.1-structure-specific",
        SdgFormat::XlsxTemplate => "xlsx-template",
    }
}

/// The canonical key of a set of dimensions: `ID=CODE` pairs in id order joined by `|`, with
/// `\`, `|` and `=` escaped by `\`.
pub fn dimension_key(dimensions: &Codes) -> String {
    fn push_escaped(key: &mut String, text: &str) {
        for c in text.chars() {
            if matches!(c, '\\' | '|' | '=') {
                key.push('\\');
            }
            key.push(c);
        }
    }
    let mut key = String::new();
    for (i, (id, code)) in dimensions.iter().enumerate() {
        if i > 0 {
            key.push('|');
        }
        push_escaped(&mut key, id);
        key.push('=');
        push_escaped(&mut key, code);
    }
    key
}

/// The dimensions that make an observation's series: its dimensions and, when it has one,
/// its unit of measure. (The SDG DSD has UNIT_MEASURE as a dimension; the readers keep it
/// among the attributes. Open SDG files mix units in one file, e.g. Kazakhstan's 8.10.1 gives
/// bank branches and ATMs per 100,000 adults for the same years.)
pub fn series_dimensions(obs: &Observation) -> Codes {
    let mut dimensions = obs.dimensions.clone();
    if let Some(unit) = obs.attribute("UNIT_MEASURE")
        && !dimensions.contains_key("UNIT_MEASURE")
    {
        dimensions.insert("UNIT_MEASURE".to_owned(), unit.to_owned());
    }
    dimensions
}

/// Whether two observations belong to the same series (see [`series_dimensions`]).
fn same_series(a: &Observation, b: &Observation) -> bool {
    a.series == b.series
        && a.indicator == b.indicator
        && a.dimensions == b.dimensions
        && a.attribute("UNIT_MEASURE") == b.attribute("UNIT_MEASURE")
}

/// The SHA-256 (hex) of a dataset as read: format, dataflow and observations.
fn dataset_sha256(dataset: &Dataset) -> String {
    /// Feeds what is written to the hash, so that the JSON of a large dataset is never held.
    struct Digesting(Sha256);
    impl std::io::Write for Digesting {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.update(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut writer = std::io::BufWriter::with_capacity(64 * 1024, Digesting(Sha256::new()));
    // Serialising the model into the hash cannot fail (string keys, plain values).
    let _ = serde_json::to_writer(
        &mut writer,
        &(&dataset.format, &dataset.dataflow, &dataset.observations),
    );
    // Writing into the hash cannot fail either.
    let _ = std::io::Write::flush(&mut writer);
    let (Digesting(hasher), _) = writer.into_parts();
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// (series code, indicator or "", dimension key of [`series_dimensions`])
type SeriesKey = (String, String, String);

/// A value as stored: value, attributes as JSON, dataset id.
#[derive(Debug, Clone, PartialEq)]
struct Value {
    value: Option<f64>,
    attributes: String,
    dataset: i64,
}

impl Value {
    fn same_data(&self, other: &Value) -> bool {
        self.attributes == other.attributes
            && match (self.value, other.value) {
                (None, None) => true,
                (Some(a), Some(b)) => a == b || (a - b).abs() <= 1e-12 * a.abs().max(b.abs()),
                _ => false,
            }
    }
}

/// A series as delete rows match it: id, indicator ("" when unknown), dimensions.
type KnownSeries = (i64, String, Codes);

/// One row's effect, resolved to series ids.
enum Op {
    Put {
        series: i64,
        period: String,
        value: Value,
        /// Whether this is the row's first put (a row attached to several indicators puts
        /// once per indicator, and counts once for progress).
        first: bool,
    },
    /// Empty these series (the start of a dataset that replaces them).
    Clear(Vec<i64>),
    Delete {
        series: Vec<i64>,
        period: Option<String>,
    },
}

/// The series index: every stored series plus those this import creates.
struct SeriesIndex {
    by_key: HashMap<SeriesKey, i64>,
    /// Per series code: (id, indicator, dimensions), for delete rows with wildcards.
    by_code: HashMap<String, Vec<KnownSeries>>,
    next_id: i64,
    new_rows: Vec<(i64, String, String, String, String)>,
    /// Stored series without an indicator given one by this import: (id, indicator).
    attached: Vec<(i64, String)>,
}

impl SeriesIndex {
    /// The series of `obs` under `indicator` ("" when unknown), created when new; a stored
    /// series of the same code and dimensions without an indicator is attached instead.
    fn get_or_create(&mut self, obs: &Observation, indicator: &str) -> i64 {
        let series_dims = series_dimensions(obs);
        let key = (
            obs.series.clone(),
            indicator.to_owned(),
            dimension_key(&series_dims),
        );
        if let Some(&id) = self.by_key.get(&key) {
            return id;
        }
        if !indicator.is_empty() {
            let orphan = (key.0.clone(), String::new(), key.2.clone());
            if let Some(id) = self.by_key.remove(&orphan) {
                if let Some(known) = self
                    .by_code
                    .get_mut(&key.0)
                    .and_then(|list| list.iter_mut().find(|s| s.0 == id))
                {
                    known.1 = indicator.to_owned();
                }
                self.attached.push((id, indicator.to_owned()));
                self.by_key.insert(key, id);
                return id;
            }
        }
        self.next_id += 1;
        let id = self.next_id;
        let dimensions = serde_json::to_string(&series_dims).unwrap_or_default();
        self.by_code
            .entry(key.0.clone())
            .or_default()
            .push((id, key.1.clone(), series_dims));
        self.new_rows
            .push((id, key.0.clone(), key.1.clone(), key.2.clone(), dimensions));
        self.by_key.insert(key, id);
        id
    }

    /// The series a delete row names: same series code (any when blank), same indicator
    /// (any when unknown), and every dimension the row gives.
    fn matching(&self, obs: &Observation) -> Vec<i64> {
        let wanted = series_dimensions(obs);
        let matches = |(_, indicator, dims): &&KnownSeries| {
            obs.indicator.as_ref().is_none_or(|i| i == indicator)
                && wanted.iter().all(|(id, code)| dims.get(id) == Some(code))
        };
        if obs.series.is_empty() {
            self.by_code
                .values()
                .flatten()
                .filter(matches)
                .map(|s| s.0)
                .collect()
        } else {
            self.by_code
                .get(&obs.series)
                .into_iter()
                .flatten()
                .filter(matches)
                .map(|s| s.0)
                .collect()
        }
    }
}

impl Store {
    /// Imports SDG datasets in one transaction (see the module doc). `progress` is called
    /// with the number of observation rows handled so far.
    pub async fn import_sdg(
        &self,
        datasets: &[Dataset],
        progress: &mut (dyn FnMut(usize) + Send),
    ) -> Result<SdgImportSummary, StoreError> {
        let mut tx = self.pool.begin().await?;
        let summary = write_sdg(&mut tx, self.backend, datasets, progress).await?;
        tx.commit().await?;
        Ok(summary)
    }

    /// The stored series, of one indicator or all, by indicator, series code and key.
    pub async fn sdg_series(
        &self,
        indicator: Option<&str>,
    ) -> Result<Vec<SeriesRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT s.id, s.series_code, s.indicator, s.dimension_key, s.dimensions, \
             (SELECT COUNT(*) FROM sdg_observations o WHERE o.series_id = s.id) AS n \
             FROM sdg_series s WHERE ($1 = '' OR s.indicator = $1) \
             ORDER BY s.indicator, s.series_code, s.dimension_key",
        )
        .bind(indicator.unwrap_or("").to_owned())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let indicator: String = row.try_get("indicator")?;
                let dimensions: String = row.try_get("dimensions")?;
                Ok(SeriesRecord {
                    id: row.try_get("id")?,
                    series: row.try_get("series_code")?,
                    indicator: (!indicator.is_empty()).then_some(indicator),
                    key: row.try_get("dimension_key")?,
                    dimensions: serde_json::from_str(&dimensions).unwrap_or_default(),
                    observations: row.try_get("n")?,
                })
            })
            .collect()
    }

    /// The observations of one series, by time period.
    pub async fn sdg_observations(
        &self,
        series_id: i64,
    ) -> Result<Vec<ObservationRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT o.time_period, o.value, o.attributes, d.name FROM sdg_observations o \
             JOIN sdg_datasets d ON d.id = o.dataset_id WHERE o.series_id = $1 \
             ORDER BY o.time_period",
        )
        .bind(series_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let attributes: String = row.try_get("attributes")?;
                Ok(ObservationRecord {
                    time_period: row.try_get("time_period")?,
                    value: row.try_get("value")?,
                    attributes: serde_json::from_str(&attributes).unwrap_or_default(),
                    dataset: row.try_get("name")?,
                })
            })
            .collect()
    }

    /// How many datasets, series and observations are stored.
    pub async fn sdg_counts(&self) -> Result<SdgCounts, StoreError> {
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM sdg_datasets) AS d, \
             (SELECT COUNT(*) FROM sdg_series) AS s, \
             (SELECT COUNT(*) FROM sdg_observations) AS o",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(SdgCounts {
            datasets: row.try_get("d")?,
            series: row.try_get("s")?,
            observations: row.try_get("o")?,
        })
    }
}

/// The work of [`Store::import_sdg`] inside the caller's transaction, so that publishing a
/// submission can write its observations together with the submission's new state.
pub(crate) async fn write_sdg(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    datasets: &[Dataset],
    progress: &mut (dyn FnMut(usize) + Send),
) -> Result<SdgImportSummary, StoreError> {
    for dataset in datasets {
        if let Some(at) = dataset
            .observations
            .iter()
            .position(|o| o.action != RowAction::Delete && o.time_period.is_empty())
        {
            return Err(StoreError::Invalid(format!(
                "{}: observation {} has no time period; nothing imported",
                dataset.source,
                at + 1
            )));
        }
    }
    let now = now_rfc3339();
    let mut summary = SdgImportSummary {
        datasets: datasets.len(),
        ..Default::default()
    };
    if backend == Backend::Postgres {
        // Imports allocate series ids themselves: one import at a time.
        sqlx::query("LOCK TABLE sdg_series IN SHARE ROW EXCLUSIVE MODE")
            .execute(&mut **tx)
            .await?;
    }

    // 1. Datasets and series.
    let mut dataset_ids = Vec::with_capacity(datasets.len());
    for dataset in datasets {
        dataset_ids.push(upsert_dataset(tx, dataset, &now, &mut summary).await?);
    }
    let mut index = load_series(tx).await?;
    // Only rows without an indicator (SDMX series of the global DSD) need the series list.
    let series_indicators = if datasets
        .iter()
        .flat_map(|d| &d.observations)
        .any(|o| o.indicator.is_none())
    {
        load_series_indicators(tx).await?
    } else {
        HashMap::new()
    };
    let no_indicator = vec![String::new()];
    let stored_series: HashSet<i64> = index.by_key.values().copied().collect();
    let mut touched: HashSet<i64> = HashSet::new();
    let rows: usize = datasets.iter().map(|d| d.observations.len()).sum();
    let mut ops = Vec::with_capacity(rows + datasets.len());
    for (dataset, &dataset_id) in datasets.iter().zip(&dataset_ids) {
        let mut replaced = Vec::new();
        let mut replaced_seen = HashSet::new();
        let start = ops.len();
        // Files list a series' periods one after another: the previous row's series is
        // reused while the series, indicator, dimensions and unit stay the same.
        let mut previous: Option<(&Observation, Vec<i64>)> = None;
        for obs in &dataset.observations {
            summary.rows += 1;
            if obs.action == RowAction::Delete {
                let series = index.matching(obs);
                touched.extend(&series);
                let period = (!obs.time_period.is_empty()).then(|| obs.time_period.clone());
                ops.push(Op::Delete { series, period });
                continue;
            }
            let series = match previous.take() {
                Some((last, ids)) if same_series(last, obs) => ids,
                _ => {
                    let indicators = match &obs.indicator {
                        Some(indicator) => std::slice::from_ref(indicator),
                        None => series_indicators
                            .get(&obs.series)
                            .unwrap_or(&no_indicator)
                            .as_slice(),
                    };
                    let ids: Vec<i64> = indicators
                        .iter()
                        .map(|indicator| index.get_or_create(obs, indicator))
                        .collect();
                    touched.extend(&ids);
                    ids
                }
            };
            let value = Value {
                value: obs.value.filter(|v| v.is_finite()),
                attributes: serde_json::to_string(&obs.attributes).unwrap_or_default(),
                dataset: dataset_id,
            };
            for (i, &id) in series.iter().enumerate() {
                if obs.action == RowAction::Replace && replaced_seen.insert(id) {
                    replaced.push(id);
                }
                ops.push(Op::Put {
                    series: id,
                    period: obs.time_period.clone(),
                    value: value.clone(),
                    first: i == 0,
                });
            }
            previous = Some((obs, series));
        }
        if !replaced.is_empty() {
            ops.insert(start, Op::Clear(replaced));
        }
    }
    summary.series = touched.len();
    summary.series_added = index.new_rows.len();
    summary.series_attached = index.attached.len();
    let mut codes: Vec<String> = Vec::new();
    for ((code, indicator, _), id) in &index.by_key {
        if indicator.is_empty() && touched.contains(id) {
            summary.series_without_indicator += 1;
            codes.push(code.clone());
        }
    }
    codes.sort();
    codes.dedup();
    summary.codes_without_indicator = codes;

    // 2. Stored observations of the touched series, then the actions applied to them.
    let load: Vec<i64> = touched
        .iter()
        .copied()
        .filter(|id| stored_series.contains(id))
        .collect();
    let stored = load_observations(tx, backend, &load).await?;
    let mut working: HashMap<i64, BTreeMap<String, Value>> = stored.clone();
    let mut done = 0;
    for op in ops {
        match op {
            Op::Put {
                series,
                period,
                value,
                first,
            } => {
                working.entry(series).or_default().insert(period, value);
                if first {
                    done += 1;
                }
            }
            Op::Clear(series) => {
                for id in series {
                    working.remove(&id);
                }
            }
            Op::Delete { series, period } => {
                for id in series {
                    match &period {
                        Some(period) => {
                            if let Some(values) = working.get_mut(&id) {
                                values.remove(period);
                            }
                        }
                        None => {
                            working.remove(&id);
                        }
                    }
                }
                done += 1;
            }
        }
        if done % 5000 == 0 {
            progress(done);
        }
    }

    // 3. The differences.
    let mut removals: Vec<(i64, &str)> = Vec::new();
    let mut inserts: Vec<(i64, &str, Option<f64>, &str, i64)> = Vec::with_capacity(rows);
    let empty = BTreeMap::new();
    for &id in &touched {
        let before = stored.get(&id).unwrap_or(&empty);
        let after = working.get(&id).unwrap_or(&empty);
        for (period, old) in before {
            match after.get(period) {
                None => {
                    summary.deleted += 1;
                    removals.push((id, period));
                }
                Some(new) if new.same_data(old) => summary.unchanged += 1,
                Some(new) => {
                    summary.updated += 1;
                    removals.push((id, period));
                    inserts.push((id, period, new.value, &new.attributes, new.dataset));
                }
            }
        }
        for (period, new) in after {
            if !before.contains_key(period) {
                summary.added += 1;
                inserts.push((id, period, new.value, &new.attributes, new.dataset));
            }
        }
    }
    for (id, indicator) in &index.attached {
        sqlx::query("UPDATE sdg_series SET indicator = $1 WHERE id = $2")
            .bind(indicator.clone())
            .bind(*id)
            .execute(&mut **tx)
            .await?;
    }
    insert_json_rows(
        tx,
        backend,
        "sdg_series",
        &[
            ("id", Col::Int),
            ("series_code", Col::Text),
            ("indicator", Col::Text),
            ("dimension_key", Col::Text),
            ("dimensions", Col::Text),
        ],
        &index.new_rows,
    )
    .await?;
    let delete_sql = match backend {
        Backend::Sqlite => {
            "DELETE FROM sdg_observations WHERE (series_id, time_period) IN \
             (SELECT e.value ->> 0, e.value ->> 1 FROM jsonb_each($1) AS e)"
        }
        Backend::Postgres => {
            "DELETE FROM sdg_observations WHERE (series_id, time_period) IN \
             (SELECT (e.value->>0)::bigint, e.value->>1 FROM jsonb_array_elements($1::jsonb) AS e)"
        }
    };
    execute_json_rows(tx, delete_sql, &removals).await?;
    insert_json_rows(
        tx,
        backend,
        "sdg_observations",
        &[
            ("series_id", Col::Int),
            ("time_period", Col::Text),
            ("value", Col::Real),
            ("attributes", Col::Text),
            ("dataset_id", Col::Int),
        ],
        &inserts,
    )
    .await?;
    progress(done);

    let changed = summary.datasets_added
        + summary.datasets_updated
        + summary.series_added
        + summary.series_attached
        + summary.added
        + summary.updated
        + summary.deleted
        > 0;
    if changed {
        let source = datasets
            .iter()
            .map(|d| d.source.as_str())
            .take(20)
            .collect::<Vec<_>>()
            .join(", ");
        let source = if datasets.len() > 20 {
            format!("{source}, … ({} files)", datasets.len())
        } else {
            source
        };
        let run: i64 = sqlx::query_scalar(
            "INSERT INTO import_runs (format, source, imported_at, added, updated, unchanged) \
             VALUES ('sdg', $1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(source)
        .bind(&now)
        .bind(summary.added as i64)
        .bind(summary.updated as i64)
        .bind(summary.unchanged as i64)
        .fetch_one(&mut **tx)
        .await?;
        sqlx::query(
            "INSERT INTO meta (key, value) VALUES ('data_version', $1) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(format!("import-{run}"))
        .execute(&mut **tx)
        .await?;
    }
    Ok(summary)
}

/// Finds or writes the dataset's row; counts it as added or updated.
async fn upsert_dataset(
    tx: &mut Transaction<'static, Any>,
    dataset: &Dataset,
    now: &str,
    summary: &mut SdgImportSummary,
) -> Result<i64, StoreError> {
    let sha = dataset_sha256(dataset);
    let existing = sqlx::query("SELECT id, sha256 FROM sdg_datasets WHERE name = $1")
        .bind(dataset.source.clone())
        .fetch_optional(&mut **tx)
        .await?;
    let count = dataset.observations.len() as i64;
    match existing {
        Some(row) => {
            let id: i64 = row.try_get("id")?;
            let stored: String = row.try_get("sha256")?;
            if stored != sha {
                sqlx::query(
                    "UPDATE sdg_datasets SET format = $1, dataflow = $2, sha256 = $3, \
                     observations = $4, imported_at = $5 WHERE id = $6",
                )
                .bind(format_code(dataset.format))
                .bind(dataset.dataflow.clone())
                .bind(sha)
                .bind(count)
                .bind(now.to_owned())
                .bind(id)
                .execute(&mut **tx)
                .await?;
                summary.datasets_updated += 1;
            }
            Ok(id)
        }
        None => {
            summary.datasets_added += 1;
            Ok(sqlx::query_scalar(
                "INSERT INTO sdg_datasets (name, format, dataflow, sha256, observations, imported_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(dataset.source.clone())
            .bind(format_code(dataset.format))
            .bind(dataset.dataflow.clone())
            .bind(sha)
            .bind(count)
            .bind(now.to_owned())
            .fetch_one(&mut **tx)
            .await?)
        }
    }
}

/// Every stored series, indexed.
async fn load_series(tx: &mut Transaction<'static, Any>) -> Result<SeriesIndex, StoreError> {
    let rows =
        sqlx::query("SELECT id, series_code, indicator, dimension_key, dimensions FROM sdg_series")
            .fetch_all(&mut **tx)
            .await?;
    let mut index = SeriesIndex {
        by_key: HashMap::with_capacity(rows.len()),
        by_code: HashMap::new(),
        next_id: 0,
        new_rows: Vec::new(),
        attached: Vec::new(),
    };
    for row in &rows {
        let id: i64 = row.try_get("id")?;
        let code: String = row.try_get("series_code")?;
        let indicator: String = row.try_get("indicator")?;
        let key: String = row.try_get("dimension_key")?;
        let dimensions: String = row.try_get("dimensions")?;
        index.next_id = index.next_id.max(id);
        index.by_code.entry(code.clone()).or_default().push((
            id,
            indicator.clone(),
            serde_json::from_str(&dimensions).unwrap_or_default(),
        ));
        index.by_key.insert((code, indicator, key), id);
    }
    Ok(index)
}

/// The SDG indicators of each SERIES code, from the loaded code lists (`sdg_codes` of the
/// code list the SERIES component draws on; the main indicator first). Empty when no code
/// lists are loaded.
async fn load_series_indicators(
    tx: &mut Transaction<'static, Any>,
) -> Result<HashMap<String, Vec<String>>, StoreError> {
    let rows = sqlx::query(
        "SELECT c.code, c.indicator FROM sdg_codes c \
         JOIN sdg_components p ON p.codelist = c.codelist \
         WHERE p.id = 'SERIES' AND c.indicator IS NOT NULL AND c.indicator <> ''",
    )
    .fetch_all(&mut **tx)
    .await?;
    let mut map = HashMap::with_capacity(rows.len());
    for row in &rows {
        let code: String = row.try_get("code")?;
        let indicators: String = row.try_get("indicator")?;
        let mut list: Vec<String> = Vec::new();
        for indicator in indicators.split(',').map(str::trim) {
            if !indicator.is_empty() && !list.iter().any(|i| i == indicator) {
                list.push(indicator.to_owned());
            }
        }
        if !list.is_empty() {
            map.insert(code, list);
        }
    }
    Ok(map)
}

/// The stored observations of `series`, per series and period.
async fn load_observations(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    series: &[i64],
) -> Result<HashMap<i64, BTreeMap<String, Value>>, StoreError> {
    let mut stored: HashMap<i64, BTreeMap<String, Value>> = HashMap::new();
    for chunk in series.chunks(IDS_PER_QUERY) {
        let sql = format!(
            "SELECT series_id, time_period, value, attributes, dataset_id FROM sdg_observations \
             WHERE series_id IN ({})",
            in_list(backend, chunk.len())
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in chunk {
            query = query.bind(*id);
        }
        for row in query.fetch_all(&mut **tx).await? {
            let id: i64 = row.try_get("series_id")?;
            stored.entry(id).or_default().insert(
                row.try_get("time_period")?,
                Value {
                    value: row.try_get("value")?,
                    attributes: row.try_get("attributes")?,
                    dataset: row.try_get("dataset_id")?,
                },
            );
        }
    }
    Ok(stored)
}
