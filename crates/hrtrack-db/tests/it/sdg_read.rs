//! The reads behind the public SDG pages, on the bundled Kazakhstan Open SDG folder: the
//! reporting status agrees with a count made from the framework file and the stored series,
//! a slice by SEX holds only the asked codes, and period bounds cut the slice.

use std::collections::{BTreeMap, BTreeSet};

use hrtrack_db::{SdgSlice, Store};
use hrtrack_sdg::open_sdg;

use crate::support::each_backend;

const KAZAKHSTAN: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../data/sdg-timeseries/kazakhstan-open-sdg"
);
const FRAMEWORK: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../data/sdg/sdg_indicators.csv"
);

async fn import_kazakhstan(store: &Store) {
    let (datasets, _refused) = open_sdg::read_folder(KAZAKHSTAN);
    store
        .import_sdg(&datasets, &mut |_| {})
        .await
        .unwrap_or_else(|e| panic!("SDG import: {e}"));
}

/// Goal -> indicator codes, from the framework file.
fn framework() -> BTreeMap<i64, Vec<String>> {
    let text = std::fs::read_to_string(FRAMEWORK).unwrap_or_else(|e| panic!("{FRAMEWORK}: {e}"));
    let mut goals: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    // goal,target,indicator,"title",…: the first three fields hold no commas.
    for line in text.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let fields: Vec<&str> = line.splitn(4, ',').collect();
        let goal: i64 = fields[0]
            .parse()
            .unwrap_or_else(|e| panic!("goal in {line}: {e}"));
        // A target without an indicator (11.c) has an empty code.
        if !fields[2].is_empty() {
            goals.entry(goal).or_default().push(fields[2].to_owned());
        }
    }
    goals
}

#[tokio::test]
async fn sdg_read_reporting_status_agrees_with_a_direct_count() {
    each_backend(|db| async move {
        let store = db.open().await;
        import_kazakhstan(&store).await;
        let with_data: BTreeSet<String> = store
            .sdg_series(None)
            .await
            .expect("series")
            .into_iter()
            .filter(|s| s.observations > 0)
            .filter_map(|s| s.indicator)
            .collect();
        let status = store.sdg_reporting_status().await.expect("status");
        let framework = framework();
        assert_eq!(status.goals.len(), framework.len());
        let mut reported_total = 0;
        for goal in &status.goals {
            let codes = &framework[&goal.goal];
            let reported = codes.iter().filter(|c| with_data.contains(*c)).count() as i64;
            assert_eq!(
                (goal.indicators, goal.reported),
                (codes.len() as i64, reported),
                "goal {}",
                goal.goal
            );
            reported_total += reported;
        }
        assert!(reported_total > 0);
        assert_eq!(status.reported, reported_total);
        assert_eq!(
            status.indicators,
            framework.values().map(Vec::len).sum::<usize>() as i64
        );

        // The goal's list agrees with the status, and names 5.5.1 as reported with its counts.
        let five = store.sdg_indicator_statuses(Some(5)).await.expect("goal 5");
        let global_reported = five.iter().filter(|s| s.global && s.reported).count() as i64;
        assert_eq!(global_reported, status.goals[4].reported);
        let parl = five.iter().find(|s| s.code == "5.5.1").expect("5.5.1");
        let stored: i64 = store
            .sdg_series(Some("5.5.1"))
            .await
            .expect("5.5.1 series")
            .iter()
            .map(|s| s.observations)
            .sum();
        assert!(parl.reported);
        assert_eq!(parl.observations, stored);
        assert_eq!(parl.series, 2, "SG_GEN_LOCG and SG_GEN_PARL");
        // A national indicator is found; an unknown one is not.
        assert!(
            store
                .sdg_indicator("10.5.1.1")
                .await
                .expect("national")
                .is_some()
        );
        assert!(
            store
                .sdg_indicator("99.1.1")
                .await
                .expect("unknown")
                .is_none()
        );
    })
    .await;
}

#[tokio::test]
async fn sdg_read_slice_by_sex_and_period_bounds() {
    each_backend(|db| async move {
        let store = db.open().await;
        import_kazakhstan(&store).await;
        let breakdowns = store.sdg_breakdowns("8.5.2").await.expect("breakdowns");
        let sexes = &breakdowns.dimensions["SEX"];
        assert!(sexes.contains(&"F".to_owned()) && sexes.contains(&"M".to_owned()));
        assert!(sexes.contains(&"_T".to_owned()), "{sexes:?}");
        assert!(!breakdowns.units.is_empty());

        let everything = store
            .sdg_slice("8.5.2", &SdgSlice::default())
            .await
            .expect("all");
        let stored: i64 = store
            .sdg_series(Some("8.5.2"))
            .await
            .expect("series")
            .iter()
            .map(|s| s.observations)
            .sum();
        assert_eq!(everything.len() as i64, stored);

        let by_sex = SdgSlice {
            dimensions: BTreeMap::from([("SEX".to_owned(), vec!["F".to_owned(), "M".to_owned()])]),
            ..SdgSlice::default()
        };
        let slice = store.sdg_slice("8.5.2", &by_sex).await.expect("slice");
        let expected = everything
            .iter()
            .filter(|o| matches!(o.dimension("SEX"), Some("F" | "M")))
            .count();
        assert!(expected > 0);
        assert_eq!(slice.len(), expected);
        assert!(
            slice
                .iter()
                .all(|o| matches!(o.dimension("SEX"), Some("F" | "M")))
        );

        let totals = SdgSlice {
            dimensions: BTreeMap::from([("SEX".to_owned(), vec!["_T".to_owned()])]),
            ..SdgSlice::default()
        };
        let slice = store.sdg_slice("8.5.2", &totals).await.expect("totals");
        assert_eq!(
            slice.len(),
            everything
                .iter()
                .filter(|o| o.dimension("SEX").is_none())
                .count()
        );

        let bounded = SdgSlice {
            start: Some("2015".to_owned()),
            end: Some("2018".to_owned()),
            ..by_sex.clone()
        };
        let slice = store.sdg_slice("8.5.2", &bounded).await.expect("bounded");
        let expected = everything
            .iter()
            .filter(|o| matches!(o.dimension("SEX"), Some("F" | "M")))
            .filter(|o| ("2015".."2019").contains(&o.time_period.as_str()))
            .count();
        assert!(expected > 0);
        assert_eq!(slice.len(), expected);
        assert!(
            slice
                .iter()
                .all(|o| o.time_period.as_str() >= "2015" && o.time_period.as_str() <= "2018")
        );
    })
    .await;
}
