//! The export round trip: Slovenia's cycle-4 list (254 recommendations) listed, written as
//! CSV and as XLSX by `hrtrack_import::export`, read back by the table reader and imported
//! into a fresh store must list the same records (only `source_format` says where they came
//! from); imported into the store it came from, it must change nothing.

use std::collections::BTreeMap;

use hrtrack_db::{RecommendationFilter, RecommendationRecord, Store};
use hrtrack_import::export::{ExportFormat, write};

use crate::support::{SLOVENIA_4, all, each_backend, import, matrix};

/// The records with `source_format` blanked, for comparing across formats.
fn without_source(records: &[RecommendationRecord]) -> Vec<RecommendationRecord> {
    records
        .iter()
        .map(|r| RecommendationRecord {
            source_format: String::new(),
            ..r.clone()
        })
        .collect()
}

/// Where two record lists differ, field by field (how many records, and the first of them),
/// for a readable failure; `None` when they are equal.
fn differences(a: &[RecommendationRecord], b: &[RecommendationRecord]) -> Option<String> {
    if a.len() != b.len() {
        return Some(format!("{} records vs {}", a.len(), b.len()));
    }
    let mut by_field: BTreeMap<String, (usize, String)> = BTreeMap::new();
    for (x, y) in a.iter().zip(b).filter(|(x, y)| x != y) {
        let (x, y) = (
            serde_json::to_value(x).unwrap(),
            serde_json::to_value(y).unwrap(),
        );
        for (field, value) in x.as_object().unwrap() {
            if y[field.as_str()] != *value {
                let entry = by_field.entry(field.clone()).or_insert_with(|| {
                    (
                        0,
                        format!("{}: {value} became {}", x["uid"], y[field.as_str()]),
                    )
                });
                entry.0 += 1;
            }
        }
    }
    (!by_field.is_empty()).then(|| {
        by_field
            .iter()
            .map(|(field, (n, example))| format!("\n  {field} in {n} record(s), e.g. {example}"))
            .collect()
    })
}

/// `stats` of the whole store, as JSON.
async fn stats_json(store: &Store) -> serde_json::Value {
    serde_json::to_value(
        store
            .stats(&RecommendationFilter::default())
            .await
            .expect("stats"),
    )
    .unwrap()
}

#[tokio::test]
async fn an_export_imports_back_unchanged() {
    let batch = matrix(SLOVENIA_4);
    each_backend(|db| {
        let batch = &batch;
        async move {
            for format in [ExportFormat::Csv, ExportFormat::Xlsx] {
                let original = db.open().await;
                import(&original, batch).await;
                let records = all(&original).await;
                assert_eq!(records.len(), 254);
                assert!(records.iter().all(|r| r.source_format == "ohchr-matrix"));

                let name = format!("export.{}", format.extension());
                let bytes = write(&records, format).unwrap_or_else(|e| panic!("{name}: {e}"));
                let exported = hrtrack_import::table::read(&bytes, &name, None)
                    .unwrap_or_else(|e| panic!("{e}"));
                assert_eq!(exported.recommendation_count(), 254, "{name}");

                // Into a fresh store: the same records, the same figures.
                let copy = db.open().await;
                let summary = import(&copy, &exported).await;
                assert_eq!(summary.added, 254, "{name}");
                let copied = all(&copy).await;
                assert!(copied.iter().all(|r| r.source_format == "table"), "{name}");
                if let Some(difference) =
                    differences(&without_source(&records), &without_source(&copied))
                {
                    panic!("{name}: the round trip changed {difference}");
                }
                let (before, after) = (stats_json(&original).await, stats_json(&copy).await);
                let changed: Vec<&String> = before
                    .as_object()
                    .unwrap()
                    .keys()
                    .filter(|k| before[k.as_str()] != after[k.as_str()])
                    .collect();
                assert!(
                    changed.is_empty(),
                    "{name}: the round trip changed the stats' {changed:?}"
                );
                copy.finish().await;

                // Into the store it came from: nothing changes.
                let again = import(&original, &exported).await;
                assert_eq!(
                    (again.added, again.updated, again.unchanged),
                    (0, 0, 254),
                    "{name}: re-import"
                );
                assert_eq!(
                    all(&original).await,
                    records,
                    "{name}: re-import changed records"
                );
                original.finish().await;
            }
        }
    })
    .await;
}
