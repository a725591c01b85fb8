//! The per-review counts kept by imports give the same statistics as counting the tables:
//! after matrices, a UPR Info file, a merge of the two (with superseded rows) and a
//! re-import with a changed position, for every kind of review-level filter.

use hrtrack_db::RecommendationFilter;
use hrtrack_domain::{Mechanism, Session};

use crate::support::{SLOVENIA_2, SLOVENIA_4, each_backend, import, matrix, table, turkmenistan};

const HEADER: &str =
    "state,cycle,session,paragraph,text,position,recommending_states,themes,sdg_goals\n";

#[tokio::test]
async fn per_review_counts_equal_counting_the_tables() {
    each_backend(|db| async move {
        let store = db.open().await;
        import(&store, &matrix(SLOVENIA_2)).await;
        import(&store, &matrix(SLOVENIA_4)).await;
        import(&store, &turkmenistan()).await;
        // A ministry table for a review that also comes from a matrix, then a newer version.
        import(
            &store,
            &table(&format!(
                "{HEADER}Slovenia,4,48,140.7,Changed text,noted,Maldives | Portugal,X,16\n"
            )),
        )
        .await;
        let filters = [
            RecommendationFilter::default(),
            RecommendationFilter {
                state: Some("Slovenia".into()),
                ..Default::default()
            },
            RecommendationFilter {
                state: Some("TKM".into()),
                cycle: hrtrack_domain::Cycle::new(2).ok(),
                ..Default::default()
            },
            RecommendationFilter {
                session: Session::new(48).ok(),
                ..Default::default()
            },
            RecommendationFilter {
                mechanism: Some(Mechanism::Upr),
                ..Default::default()
            },
            RecommendationFilter {
                mechanism: Some(Mechanism::Cedaw),
                ..Default::default()
            },
        ];
        for filter in &filters {
            let summed = store
                .stats_uncached(filter)
                .await
                .expect("stats from per-review counts");
            let counted = store
                .count_stats_from_tables(filter)
                .await
                .expect("stats from the tables");
            assert_eq!(
                serde_json::to_value(&summed).expect("json"),
                serde_json::to_value(&counted).expect("json"),
                "{} {filter:?}",
                db.name()
            );
        }
        let all = store
            .stats_uncached(&RecommendationFilter::default())
            .await
            .expect("stats");
        assert!(
            all.recommendations > 600,
            "three reviews' worth: {}",
            all.recommendations
        );
        // The cached answer is the same document.
        let cached = store
            .stats(&RecommendationFilter::default())
            .await
            .expect("stats");
        let again = store
            .stats(&RecommendationFilter::default())
            .await
            .expect("stats");
        assert_eq!(
            serde_json::to_value(&cached).ok(),
            serde_json::to_value(&all).ok()
        );
        assert_eq!(
            serde_json::to_value(&again).ok(),
            serde_json::to_value(&all).ok()
        );
        store.finish().await;
    })
    .await;
}
