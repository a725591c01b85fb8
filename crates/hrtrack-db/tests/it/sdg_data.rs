//! SDG observations in the store: the whole bundled Kazakhstan Open SDG folder imported with
//! exact counts, a second import that changes nothing, a batch with a failing dataset that
//! leaves the store as it was, the SDMX-CSV 2.x actions (append, replace, delete), and the
//! Tajikistan SDMX-ML data file.

use std::collections::BTreeMap;
use std::sync::LazyLock;
use std::time::Instant;

use hrtrack_db::{SdgCounts, Store};
use hrtrack_sdg::{Dataset, Observation, SdgFormat, open_sdg, sdmx_csv, sdmx_ml};

use crate::support::each_backend;

const SDG_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/sdg-timeseries");

/// The Kazakhstan folder as the reader accepts it (254 files; 19 refused), read once.
fn kazakhstan() -> &'static [Dataset] {
    static READ: LazyLock<Vec<Dataset>> = LazyLock::new(|| {
        let (datasets, refused) = open_sdg::read_folder(format!("{SDG_DIR}/kazakhstan-open-sdg"));
        assert_eq!((datasets.len(), refused.len()), (254, 19));
        datasets
    });
    &READ
}

fn counts(datasets: i64, series: i64, observations: i64) -> SdgCounts {
    SdgCounts {
        datasets,
        series,
        observations,
    }
}

async fn import(store: &Store, datasets: &[Dataset]) -> hrtrack_db::SdgImportSummary {
    store
        .import_sdg(datasets, &mut |_| {})
        .await
        .unwrap_or_else(|e| panic!("SDG import: {e}"))
}

#[tokio::test]
async fn kazakhstan_folder_imports_with_exact_counts_and_again_changes_nothing() {
    each_backend(|db| async move {
        let store = db.open().await;
        let datasets = kazakhstan();
        let rows: usize = datasets.iter().map(|d| d.observations.len()).sum();
        assert_eq!(rows, 30_841);
        let started = Instant::now();
        let mut last = 0;
        let first = store
            .import_sdg(datasets, &mut |done| last = done)
            .await
            .expect("import");
        eprintln!(
            "{}: Kazakhstan folder ({rows} observations) imported in {:.2} s",
            db.name(),
            started.elapsed().as_secs_f64()
        );
        assert_eq!(last, rows);
        let stored = store.sdg_counts().await.expect("counts");
        eprintln!("{}: {first:?} {stored:?}", db.name());
        assert_eq!(
            (first.datasets, first.datasets_added, first.rows),
            (254, 254, rows)
        );
        assert_eq!(stored, counts(254, KAZ_SERIES, KAZ_OBSERVATIONS));
        assert_eq!(first.series_added as i64, KAZ_SERIES);
        assert_eq!(
            (first.added, first.updated, first.unchanged, first.deleted),
            (KAZ_OBSERVATIONS as usize, 0, 0, 0)
        );
        let version = store.data_version().await.expect("version");
        assert!(version.starts_with("import-"), "{version}");

        // One series read back: 1.1.1, share of the population below the poverty line.
        let series = store.sdg_series(Some("1.1.1")).await.expect("series");
        assert!(!series.is_empty());
        let total: i64 = series.iter().map(|s| s.observations).sum();
        assert!(total > 0);
        let first_series = &series[0];
        let observations = store
            .sdg_observations(first_series.id)
            .await
            .expect("observations");
        assert_eq!(observations.len() as i64, first_series.observations);
        assert!(
            observations
                .iter()
                .all(|o| o.dataset == "indicator_1-1-1.csv")
        );
        assert_eq!(
            store.sdg_series(None).await.expect("all").len() as i64,
            KAZ_SERIES
        );

        let second = import(&store, datasets).await;
        assert_eq!(
            (
                second.datasets_added,
                second.datasets_updated,
                second.series_added
            ),
            (0, 0, 0)
        );
        assert_eq!(
            (
                second.added,
                second.updated,
                second.unchanged,
                second.deleted
            ),
            (0, 0, KAZ_OBSERVATIONS as usize, 0)
        );
        assert_eq!(store.sdg_counts().await.expect("counts"), stored);
        assert_eq!(store.data_version().await.expect("version"), version);
        store.finish().await;
    })
    .await;
}

/// Observed: the 30,841 rows of the 254 files are 30,841 observations of 4,043 series (the
/// unit of measure is part of a series: 8.10.1 gives two units for the same years).
const KAZ_SERIES: i64 = 4043;
const KAZ_OBSERVATIONS: i64 = 30_841;

#[tokio::test]
async fn a_failing_dataset_leaves_the_store_unchanged() {
    each_backend(|db| async move {
        let store = db.open().await;
        let datasets = kazakhstan();
        import(&store, &datasets[..10]).await;
        let before = store.sdg_counts().await.expect("counts");
        let version = store.data_version().await.expect("version");
        // Ten good files and one the store refuses (an observation without a period).
        let mut bad = datasets[10..20].to_vec();
        bad.push(Dataset {
            source: "bad.csv".into(),
            format: SdgFormat::SdmxCsv2,
            dataflow: None,
            observations: vec![Observation {
                series: "S".into(),
                time_period: String::new(),
                value: Some(1.0),
                ..Default::default()
            }],
            rows: Vec::new(),
            warnings: Vec::new(),
        });
        let error = store
            .import_sdg(&bad, &mut |_| {})
            .await
            .expect_err("the bad dataset is refused");
        assert!(error.to_string().contains("bad.csv"), "{error}");
        assert_eq!(store.sdg_counts().await.expect("counts"), before);
        assert_eq!(store.data_version().await.expect("version"), version);
        store.finish().await;
    })
    .await;
}

const STRUCTURE: &str =
    "STRUCTURE,STRUCTURE_ID,ACTION,SERIES,REF_AREA,SEX,TIME_PERIOD,OBS_VALUE,UNIT_MEASURE\n";
const FLOW: &str = "dataflow,IAEG-SDGs:DF_SDG_GLH(1.24)";

fn sdmx(name: &str, rows: &[&str]) -> Dataset {
    let mut text = String::from(STRUCTURE);
    for row in rows {
        text.push_str(FLOW);
        text.push(',');
        text.push_str(row);
        text.push('\n');
    }
    sdmx_csv::read(text.as_bytes(), name).unwrap_or_else(|e| panic!("{e:?}"))
}

/// (series key, period) -> value, for every stored observation.
async fn all_values(store: &Store) -> BTreeMap<(String, String), Option<f64>> {
    let mut values = BTreeMap::new();
    for series in store.sdg_series(None).await.expect("series") {
        for obs in store.sdg_observations(series.id).await.expect("obs") {
            values.insert(
                (format!("{}:{}", series.series, series.key), obs.time_period),
                obs.value,
            );
        }
    }
    values
}

fn key(series: &str, dims: &str, period: &str) -> (String, String) {
    (format!("{series}:{dims}"), period.to_owned())
}

#[tokio::test]
async fn sdmx_csv_actions_append_replace_and_delete() {
    each_backend(|db| async move {
        let store = db.open().await;
        let first = import(
            &store,
            &[sdmx(
                "a.csv",
                &[
                    "I,S,KAZ,F,2019,1,PT",
                    "I,S,KAZ,F,2020,2,PT",
                    "I,S,KAZ,M,2019,3,PT",
                    "I,S,KAZ,M,2020,4,PT",
                    "I,T,KAZ,_T,2020,5,PT",
                ],
            )],
        )
        .await;
        assert_eq!((first.added, first.series_added), (5, 3));

        // Append: a new period and a changed value; Replace: series S/M becomes only 2021.
        let second = import(
            &store,
            &[sdmx(
                "b.csv",
                &[
                    "A,S,KAZ,F,2021,6,PT",
                    "A,S,KAZ,F,2020,2.5,PT",
                    "R,S,KAZ,M,2021,7,PT",
                ],
            )],
        )
        .await;
        assert_eq!(
            (
                second.added,
                second.updated,
                second.unchanged,
                second.deleted
            ),
            (2, 1, 1, 2)
        );
        let values = all_values(&store).await;
        let expected: BTreeMap<_, _> = [
            (
                key("S", "REF_AREA=KAZ|SEX=F|UNIT_MEASURE=PT", "2019"),
                Some(1.0),
            ),
            (
                key("S", "REF_AREA=KAZ|SEX=F|UNIT_MEASURE=PT", "2020"),
                Some(2.5),
            ),
            (
                key("S", "REF_AREA=KAZ|SEX=F|UNIT_MEASURE=PT", "2021"),
                Some(6.0),
            ),
            (
                key("S", "REF_AREA=KAZ|SEX=M|UNIT_MEASURE=PT", "2021"),
                Some(7.0),
            ),
            (
                key("T", "REF_AREA=KAZ|SEX=_T|UNIT_MEASURE=PT", "2020"),
                Some(5.0),
            ),
        ]
        .into_iter()
        .collect();
        assert_eq!(values, expected);

        // Delete: one observation by full key; every period of S/F 2021 by a blank SEX
        // (wildcard) and period; a delete of something absent does nothing.
        let third = import(
            &store,
            &[sdmx(
                "c.csv",
                &["D,T,KAZ,_T,2020,,", "D,S,KAZ,,2021,,", "D,U,KAZ,F,2020,,"],
            )],
        )
        .await;
        assert_eq!((third.added, third.updated, third.deleted), (0, 0, 3));
        let values = all_values(&store).await;
        let expected: BTreeMap<_, _> = [
            (
                key("S", "REF_AREA=KAZ|SEX=F|UNIT_MEASURE=PT", "2019"),
                Some(1.0),
            ),
            (
                key("S", "REF_AREA=KAZ|SEX=F|UNIT_MEASURE=PT", "2020"),
                Some(2.5),
            ),
        ]
        .into_iter()
        .collect();
        assert_eq!(values, expected);
        // Deleting leaves the (now empty) series and the datasets.
        assert_eq!(store.sdg_counts().await.expect("counts"), counts(3, 3, 2));

        // The same delete file again: nothing left to delete.
        let again = import(
            &store,
            &[sdmx(
                "c.csv",
                &["D,T,KAZ,_T,2020,,", "D,S,KAZ,,2021,,", "D,U,KAZ,F,2020,,"],
            )],
        )
        .await;
        assert_eq!((again.added, again.updated, again.deleted), (0, 0, 0));
        store.finish().await;
    })
    .await;
}

#[tokio::test]
async fn tajikistan_sdmx_ml_data_file_imports() {
    each_backend(|db| async move {
        let store = db.open().await;
        let name = "TAJSTAT_Data.xml";
        let bytes = std::fs::read(format!("{SDG_DIR}/tajikistan-sdmx/{name}")).expect("file");
        let dataset = sdmx_ml::read(&bytes, name).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(dataset.observations.len(), 188);
        let summary = import(&store, std::slice::from_ref(&dataset)).await;
        assert_eq!((summary.added, summary.updated), (188, 0));
        let stored = store.sdg_counts().await.expect("counts");
        assert_eq!((stored.datasets, stored.observations), (1, 188));
        let again = import(&store, &[dataset]).await;
        assert_eq!((again.added, again.unchanged), (0, 188));
        store.finish().await;
    })
    .await;
}
