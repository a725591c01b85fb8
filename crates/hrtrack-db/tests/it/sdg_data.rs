//! SDG observations in the store: the whole bundled Kazakhstan Open SDG folder imported with
//! exact counts, a second import that changes nothing, a batch with a failing dataset that
//! leaves the store as it was, the SDMX-CSV 2.x actions (append, replace, delete), and the
//! Tajikistan SDMX-ML data file.

use std::collections::BTreeMap;
use std::sync::LazyLock;
use std::time::Instant;

use hrtrack_db::{SdgCounts, Store};
use hrtrack_sdg::codelists::CodeLists;
use hrtrack_sdg::{Dataset, Observation, SdgFormat, open_sdg, sdmx_csv, sdmx_ml, structure};

use crate::support::each_backend;

const SDG_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/sdg-timeseries");

/// The Kazakhstan folder as the reader accepts it (255 files; 18 refused), read once.
fn kazakhstan() -> &'static [Dataset] {
    static READ: LazyLock<Vec<Dataset>> = LazyLock::new(|| {
        let (datasets, refused) = open_sdg::read_folder(format!("{SDG_DIR}/kazakhstan-open-sdg"));
        assert_eq!((datasets.len(), refused.len()), (255, 18));
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
        assert_eq!(rows, 31_056);
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
            (255, 255, rows)
        );
        assert_eq!(stored, counts(255, KAZ_SERIES, KAZ_OBSERVATIONS));
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

/// Observed: the 31,056 rows of the 255 files are 31,056 observations of 4,061 series (the
/// unit of measure is part of a series: 8.10.1 gives two units for the same years).
const KAZ_SERIES: i64 = 4061;
const KAZ_OBSERVATIONS: i64 = 31_056;

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

/// Loads the code lists of the bundled global SDG DSD (its CL_SERIES ties series codes to
/// indicators) into the store.
async fn load_sdg_dsd(store: &Store) {
    let name = "TAJSTAT_DSD.xml";
    let bytes = std::fs::read(format!("{SDG_DIR}/tajikistan-sdmx/{name}")).expect("DSD file");
    let dsd = structure::read(&bytes, name).unwrap_or_else(|e| panic!("{e:?}"));
    store
        .load_sdg_codelists(&CodeLists::from_structure(dsd))
        .await
        .expect("code lists");
}

fn tajikistan_data() -> Dataset {
    let name = "TAJSTAT_Data.xml";
    let bytes = std::fs::read(format!("{SDG_DIR}/tajikistan-sdmx/{name}")).expect("data file");
    sdmx_ml::read(&bytes, name).unwrap_or_else(|e| panic!("{e:?}"))
}

/// Issue 10: series that carry SERIES but no INDICATOR were stored with an empty indicator,
/// on no page, while the import reported success. Before the fix all 60 of Tajikistan's
/// series had indicator '' (seen with the old binary: `select indicator, count(*) from
/// sdg_series` gave `|60`).
#[tokio::test]
async fn tajikistan_series_are_attached_to_their_indicators_by_the_series_list() {
    each_backend(|db| async move {
        let store = db.open().await;
        load_sdg_dsd(&store).await;
        let summary = import(&store, &[tajikistan_data()]).await;
        assert_eq!((summary.series, summary.added), (60, 188));
        // SL_TLF_CHD is not in the 2019 DSD's series list: its 3 series stay unattached,
        // and the summary says so.
        assert_eq!(summary.series_without_indicator, 3);
        assert_eq!(summary.codes_without_indicator, ["SL_TLF_CHD"]);
        let series = store.sdg_series(None).await.expect("series");
        let attached: Vec<_> = series.iter().filter(|s| s.indicator.is_some()).collect();
        assert_eq!(attached.len(), 57);
        let indicators: std::collections::BTreeSet<&str> = attached
            .iter()
            .filter_map(|s| s.indicator.as_deref())
            .collect();
        assert_eq!(indicators.len(), 34);
        let poverty = store.sdg_series(Some("1.1.1")).await.expect("1.1.1");
        assert_eq!(poverty.len(), 1);
        assert_eq!(poverty[0].series, "SI_POV_DAY1");
        assert_eq!(poverty[0].observations, 5);
        let stunting = store.sdg_series(Some("2.2.1")).await.expect("2.2.1");
        assert!(
            stunting.iter().all(|s| s.series == "SH_STA_STNT"),
            "{stunting:?}"
        );
        assert_eq!(stunting.len(), 3);
        store.finish().await;
    })
    .await;
}

/// Series stored without an indicator by an import made before the code lists were loaded
/// are attached in place when their data comes again: no second copy.
#[tokio::test]
async fn series_stored_without_an_indicator_are_attached_when_imported_again() {
    each_backend(|db| async move {
        let store = db.open().await;
        let first = import(&store, &[tajikistan_data()]).await;
        assert_eq!(first.series_without_indicator, 60);
        assert_eq!(first.codes_without_indicator.len(), 38);
        load_sdg_dsd(&store).await;
        let again = import(&store, &[tajikistan_data()]).await;
        assert_eq!(again.series_attached, 57);
        assert_eq!(
            (again.series_added, again.added, again.unchanged),
            (0, 0, 188)
        );
        assert_eq!(again.series_without_indicator, 3);
        assert_eq!(
            store.sdg_counts().await.expect("counts"),
            counts(1, 60, 188)
        );
        let third = import(&store, &[tajikistan_data()]).await;
        assert_eq!((third.series_attached, third.series_added), (0, 0));
        store.finish().await;
    })
    .await;
}

/// A series code the series list ties to several indicators belongs to each of them.
#[tokio::test]
async fn a_series_of_several_indicators_is_shown_under_each() {
    each_backend(|db| async move {
        let store = db.open().await;
        load_sdg_dsd(&store).await;
        let data = sdmx(
            "disasters.csv",
            &[
                "I,VC_DSR_MISS,TKM,,2020,3,NUMBER",
                "I,VC_DSR_MISS,TKM,,2021,4,NUMBER",
            ],
        );
        let summary = import(&store, &[data]).await;
        assert_eq!((summary.series, summary.series_without_indicator), (3, 0));
        for indicator in ["1.5.1", "11.5.1", "13.1.1"] {
            let series = store.sdg_series(Some(indicator)).await.expect("series");
            assert_eq!(series.len(), 1, "{indicator}");
            assert_eq!(
                (series[0].series.as_str(), series[0].observations),
                ("VC_DSR_MISS", 2)
            );
        }
        store.finish().await;
    })
    .await;
}

/// Issue 10: a release time stamp column (`LAST UPDATE`) made part of the series key doubled
/// every series at each new release (seen with the old binary: 2 series, then 4).
#[tokio::test]
async fn a_new_release_with_another_last_update_updates_the_same_series() {
    each_backend(|db| async move {
        let store = db.open().await;
        let release = |stamp: &str, value: &str| {
            let text = format!(
                "DATAFLOW,LAST UPDATE,FREQ,SERIES,SEX,TIME_PERIOD,OBS_VALUE,OBS_FLAG\n\
                 ESTAT:X(1.0),{stamp},A,SI_POV_DAY1,F,2020,1.5,\n\
                 ESTAT:X(1.0),{stamp},A,SI_POV_DAY1,M,2020,{value},\n"
            );
            sdmx_csv::read(text.as_bytes(), "release.csv").unwrap_or_else(|e| panic!("{e:?}"))
        };
        let first = import(&store, &[release("01/02/24 23:00:00", "1.7")]).await;
        assert_eq!((first.series_added, first.added), (2, 2));
        let second = import(&store, &[release("15/03/25 23:00:00", "1.8")]).await;
        assert_eq!(
            (second.series, second.series_added, second.updated),
            (2, 0, 2)
        );
        assert_eq!(store.sdg_counts().await.expect("counts"), counts(1, 2, 2));
        store.finish().await;
    })
    .await;
}
