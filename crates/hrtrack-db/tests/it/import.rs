//! What an import does to the store: the same file twice changes nothing; a newer table
//! updates a position; a batch with an unknown country, a paragraph given twice with
//! different texts or an SDG target that does not exist is refused whole, leaving the store
//! as it was; name variants of one State resolve to that one State.

use hrtrack_db::{RecommendationFilter, Store, StoreError};
use hrtrack_domain::{
    Cycle, FieldSet, ImportBatch, Mechanism, NewRecommendation, NewReview, Paragraph, SourceFormat,
};

use crate::support::{
    SLOVENIA_4, all, each_backend, import, import_err, matrix, review, table, turkmenistan,
};

/// Imports `batch` twice: the second import must find everything unchanged and leave the
/// store exactly as the first left it.
async fn check_idempotent(store: &Store, batch: &ImportBatch) {
    let first = import(store, batch).await;
    let records = all(store).await;
    let stats = serde_json::to_value(
        store
            .stats(&RecommendationFilter::default())
            .await
            .expect("stats"),
    )
    .unwrap();
    let reviews = serde_json::to_value(store.reviews().await.expect("reviews")).unwrap();
    assert_eq!(first.added, records.len(), "{}", batch.source);
    assert_eq!((first.updated, first.unchanged), (0, 0));

    let second = import(store, batch).await;
    assert_eq!(
        (second.added, second.updated, second.unchanged),
        (0, 0, records.len()),
        "{}: second import",
        batch.source
    );
    assert!(
        second
            .reviews
            .iter()
            .all(|r| r.added == 0 && r.updated == 0)
    );
    assert_eq!(
        all(store).await,
        records,
        "{}: records changed",
        batch.source
    );
    let stats_after = serde_json::to_value(
        store
            .stats(&RecommendationFilter::default())
            .await
            .expect("stats"),
    )
    .unwrap();
    assert_eq!(stats_after, stats, "{}: stats changed", batch.source);
    assert_eq!(
        serde_json::to_value(store.reviews().await.expect("reviews")).unwrap(),
        reviews
    );
}

#[tokio::test]
async fn importing_a_matrix_twice_changes_nothing() {
    let batch = matrix(SLOVENIA_4);
    each_backend(|db| {
        let batch = &batch;
        async move {
            let store = db.open().await;
            check_idempotent(&store, batch).await;
            assert_eq!(
                store.count(&RecommendationFilter::default()).await.unwrap(),
                254
            );
            store.finish().await;
        }
    })
    .await;
}

#[tokio::test]
async fn importing_upr_info_twice_changes_nothing() {
    // No paragraph numbers, joint recommendations: matched by text alone.
    let batch = turkmenistan();
    each_backend(|db| {
        let batch = &batch;
        async move {
            let store = db.open().await;
            check_idempotent(&store, batch).await;
            store.finish().await;
        }
    })
    .await;
}

const HEADER: &str = "state,cycle,session,paragraph,text,position,recommending_states\n";

#[tokio::test]
async fn a_newer_table_updates_a_position() {
    let pending = table(&format!(
        "{HEADER}Slovenia,4,48,140.1,Ratify the Optional Protocol to the Convention against Torture,pending,France | Chile\n\
         Slovenia,4,48,140.2,Combat hate speech on the Internet,noted,Germany\n"
    ));
    let supported = table(&format!(
        "{HEADER}Slovenia,4,48,140.1,Ratify the Optional Protocol to the Convention against Torture,supported,France | Chile\n\
         Slovenia,4,48,140.2,Combat hate speech on the Internet,noted,Germany\n"
    ));
    each_backend(|db| {
        let (pending, supported) = (&pending, &supported);
        async move {
            let store = db.open().await;
            let first = import(&store, pending).await;
            assert_eq!((first.added, first.updated, first.unchanged), (2, 0, 0));
            let slovenia = review("Slovenia", 4);
            assert_eq!(
                store.show("140.1", &slovenia).await.expect("show").position,
                "pending"
            );
            assert_eq!(store.stats(&slovenia).await.unwrap().positions.pending, 1);

            let second = import(&store, supported).await;
            assert_eq!((second.added, second.updated, second.unchanged), (0, 1, 1));
            let shown = store.show("140.1", &slovenia).await.expect("show");
            assert_eq!(shown.position, "supported");
            assert_eq!(shown.recommending_states, ["Chile", "France"]);
            assert_eq!(
                store
                    .show("SVN-UPR4-140.1", &RecommendationFilter::default())
                    .await
                    .unwrap(),
                shown
            );
            assert_eq!(
                store.show("140.2", &slovenia).await.expect("show").position,
                "noted"
            );
            let positions = store.stats(&slovenia).await.unwrap().positions;
            assert_eq!(
                (positions.supported, positions.noted, positions.pending),
                (1, 1, 0)
            );
            assert_eq!(
                store.count(&RecommendationFilter::default()).await.unwrap(),
                2
            );
            store.finish().await;
        }
    })
    .await;
}

/// What must not change when an import is refused.
#[derive(Debug, PartialEq)]
struct Snapshot {
    count: i64,
    reviews: serde_json::Value,
    records: serde_json::Value,
}

async fn snapshot(store: &Store) -> Snapshot {
    Snapshot {
        count: store
            .count(&RecommendationFilter::default())
            .await
            .expect("count"),
        reviews: serde_json::to_value(store.reviews().await.expect("reviews")).unwrap(),
        records: serde_json::to_value(all(store).await).unwrap(),
    }
}

/// A store holding two recommendations of Slovenia's cycle 4.
async fn seeded(store: &Store) {
    import(
        store,
        &table(&format!(
            "{HEADER}Slovenia,4,48,140.1,Ratify the Optional Protocol to the Convention against Torture,supported,France\n\
             Slovenia,4,48,140.2,Combat hate speech on the Internet,noted,Germany\n"
        )),
    )
    .await;
}

#[tokio::test]
async fn unknown_countries_are_all_listed_and_nothing_is_imported() {
    // Valid rows for the stored review and a new one, then two unknown States (one of them
    // twice, and as the State under review too).
    let batch = table(&format!(
        "{HEADER}Slovenia,4,48,140.1,Ratify the Optional Protocol to the Convention against Torture,noted,France\n\
         Slovenia,4,48,140.3,Adopt a national action plan on business and human rights,supported,Atlantis | Norway\n\
         Croatia,4,46,1.1,Strengthen the ombudsperson institution,supported,Chile\n\
         Croatia,4,46,1.2,Protect the rights of minorities,supported,Lemuria\n\
         Atlantis,4,46,1.1,Abolish the death penalty,noted,Atlantis\n"
    ));
    each_backend(|db| {
        let batch = &batch;
        async move {
            let store = db.open().await;
            seeded(&store).await;
            let before = snapshot(&store).await;
            match import_err(&store, batch).await {
                StoreError::UnknownCountries { file, names } => {
                    assert_eq!(file, "t.csv");
                    let mut unknown: Vec<&str> =
                        names.iter().map(|(name, _)| name.as_str()).collect();
                    unknown.sort_unstable();
                    assert_eq!(
                        unknown,
                        ["Atlantis", "Lemuria"],
                        "each unknown name once: {names:?}"
                    );
                    assert!(names.iter().all(|(_, at)| !at.is_empty()), "{names:?}");
                }
                other => panic!("expected UnknownCountries, got {other:?}"),
            }
            let after = snapshot(&store).await;
            assert_eq!(after, before, "a refused import changed the store");
            assert!(after.reviews.to_string().contains("Slovenia"));
            assert!(
                !after.reviews.to_string().contains("Croatia"),
                "a review was created: {}",
                after.reviews
            );
            let position = store
                .show("140.1", &review("Slovenia", 4))
                .await
                .unwrap()
                .position;
            assert_eq!(
                position, "supported",
                "the valid row of a refused batch was written"
            );
            store.finish().await;
        }
    })
    .await;
}

/// A recommendation of `paragraph` with `text`, made by France.
fn recommendation(paragraph: &str, text: &str) -> NewRecommendation {
    NewRecommendation {
        origin: format!("paragraph {paragraph}"),
        paragraph: Some(Paragraph::parse(paragraph).unwrap()),
        text: text.to_owned(),
        language: "en".to_owned(),
        recommending_states: vec!["France".to_owned()],
        ..Default::default()
    }
}

#[tokio::test]
async fn a_paragraph_given_twice_with_different_texts_is_refused() {
    // Built directly: the table reader would itself refuse such a file.
    let review_of = |state: &str, recommendations| NewReview {
        state: state.to_owned(),
        mechanism: Mechanism::Upr,
        cycle: Some(Cycle::new(4).unwrap()),
        session: None,
        date: None,
        report_symbol: None,
        fields: FieldSet::all(),
        recommendations,
    };
    let batch = ImportBatch {
        format: SourceFormat::Table,
        source: "built.csv".to_owned(),
        reviews: vec![
            review_of(
                "Croatia",
                vec![recommendation(
                    "1.1",
                    "Strengthen the ombudsperson institution",
                )],
            ),
            review_of(
                "Slovenia",
                vec![
                    recommendation(
                        "140.3",
                        "Adopt a national action plan on business and human rights",
                    ),
                    recommendation("140.4", "Ratify the Convention on migrant workers"),
                    recommendation("140.3", "Combat trafficking in persons"),
                ],
            ),
        ],
    };
    each_backend(|db| {
        let batch = &batch;
        async move {
            let store = db.open().await;
            seeded(&store).await;
            let before = snapshot(&store).await;
            match import_err(&store, batch).await {
                StoreError::Conflict(message) => assert!(message.contains("140.3"), "{message}"),
                other => panic!("expected Conflict, got {other:?}"),
            }
            let after = snapshot(&store).await;
            assert_eq!(after, before, "a refused import changed the store");
            assert!(
                !after.reviews.to_string().contains("Croatia"),
                "a review was created: {}",
                after.reviews
            );
            store.finish().await;
        }
    })
    .await;
}

#[tokio::test]
async fn an_sdg_target_that_does_not_exist_is_refused() {
    let batch = table(
        "state,cycle,session,paragraph,text,position,recommending_states,sdg_targets\n\
         Croatia,4,46,1.1,Strengthen the ombudsperson institution,supported,Chile,16.a\n\
         Slovenia,4,48,140.3,Adopt a national action plan on business and human rights,supported,Norway,16.99\n",
    );
    let valid = table(
        "state,cycle,session,paragraph,text,position,recommending_states,sdg_targets\n\
         Slovenia,4,48,140.3,Adopt a national action plan on business and human rights,supported,Norway,8.7 | 16.3\n",
    );
    each_backend(|db| {
        let (batch, valid) = (&batch, &valid);
        async move {
            let store = db.open().await;
            seeded(&store).await;
            let before = snapshot(&store).await;
            match import_err(&store, batch).await {
                StoreError::Conflict(message) => assert!(message.contains("16.99"), "{message}"),
                other => panic!("expected Conflict, got {other:?}"),
            }
            assert_eq!(
                snapshot(&store).await,
                before,
                "a refused import changed the store"
            );

            // Existing targets are accepted and give their goals.
            import(&store, valid).await;
            let shown = store.show("140.3", &review("SVN", 4)).await.expect("show");
            assert_eq!(shown.sdg_targets, ["8.7", "16.3"]);
            assert_eq!(shown.sdg_goals, [8, 16]);
            store.finish().await;
        }
    })
    .await;
}

#[tokio::test]
async fn name_variants_resolve_to_one_state() {
    let batch = table(&format!(
        "{HEADER}Slovenia,4,48,1.1,Text one,supported,Türkiye\n\
         Slovenia,4,48,1.2,Text two,supported,Turkey\n\
         Slovenia,4,48,1.3,Text three,supported,Iran (Islamic Republic of)\n\
         Slovenia,4,48,1.4,Text four,supported,Islamic Republic of Iran\n\
         Slovenia,4,48,1.5,Text five,supported,United Kingdom of Great Britain and Northern Ireland\n\
         Slovenia,4,48,1.6,Text six,supported,United Kingdom\n\
         Slovenia,4,48,1.7,Text seven,supported,Turkey | Türkiye\n"
    ));
    each_backend(|db| {
        let batch = &batch;
        async move {
            let store = db.open().await;
            import(&store, batch).await;
            let stats = store.stats(&review("Slovenia", 4)).await.expect("stats");
            assert_eq!(stats.recommendations, 7);
            assert_eq!(stats.recommending_states, 3, "{stats:?}");
            // The joint row names one State twice: one pair.
            assert_eq!(stats.recommendation_state_pairs, 7);
            for (variants, count) in [
                (["Türkiye", "Turkey", "TUR"], 3),
                (
                    [
                        "Iran (Islamic Republic of)",
                        "Islamic Republic of Iran",
                        "IRN",
                    ],
                    2,
                ),
                (
                    [
                        "United Kingdom of Great Britain and Northern Ireland",
                        "United Kingdom",
                        "GBR",
                    ],
                    2,
                ),
            ] {
                let mut names = Vec::new();
                for variant in variants {
                    let filter = RecommendationFilter {
                        recommending_state: Some(variant.to_owned()),
                        ..Default::default()
                    };
                    assert_eq!(
                        store.count(&filter).await.expect("count"),
                        count,
                        "{variant}"
                    );
                    let listed = store.list(&filter, None, 0).await.expect("list");
                    names.extend(listed.into_iter().flat_map(|r| r.recommending_states));
                }
                names.dedup();
                assert_eq!(
                    names.len(),
                    1,
                    "one stored name for {variants:?}: {names:?}"
                );
            }
            store.finish().await;
        }
    })
    .await;
}
