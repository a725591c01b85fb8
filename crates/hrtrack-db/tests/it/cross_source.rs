//! Two sources of one review: UPR Info's export of sessions 1–20 and OHCHR's thematic list of
//! Slovenia's second review (session 20) describe the same 163 recommendations. Imported into
//! one store, in either order, they must make one review of 163 (142 supported, 21 noted),
//! not two sets of recommendations.

use hrtrack_db::{PositionCounts, Store};

use crate::support::{SLOVENIA_2, each_backend, import, matrix, review, upr_info_sessions_1_to_20};

/// Slovenia's cycle-2 figures must be the published ones.
async fn check_slovenia_cycle_2(store: &Store, order: &str) {
    let stats = store.stats(&review("Slovenia", 2)).await.expect("stats");
    assert_eq!(stats.reviews.len(), 1, "{order}: {:?}", stats.reviews);
    assert_eq!(stats.reviews[0].session, Some(20), "{order}");
    assert_eq!(
        (stats.recommendations, &stats.positions),
        (
            163,
            &PositionCounts {
                supported: 142,
                supported_in_part: 0,
                noted: 21,
                pending: 0
            }
        ),
        "{order}"
    );
    assert!(
        stats.recommendation_state_pairs >= stats.recommendations,
        "{order}"
    );
    assert!(stats.recommending_states > 0, "{order}");
    // The matrix numbers every paragraph; a recommendation without one came from UPR Info
    // alone.
    let records = store.list(&review("SVN", 2), None, 0).await.expect("list");
    let unnumbered: Vec<&str> = records
        .iter()
        .filter(|r| r.paragraph.is_none())
        .map(|r| r.text.as_str())
        .collect();
    assert!(
        unnumbered.is_empty(),
        "{order}: {} without a paragraph, e.g. {:?}",
        unnumbered.len(),
        unnumbered.first()
    );
}

#[tokio::test]
async fn upr_info_and_the_ohchr_list_make_one_review() {
    let upr_info = upr_info_sessions_1_to_20();
    let slovenia = matrix(SLOVENIA_2);
    each_backend(|db| {
        let slovenia = &slovenia;
        async move {
            // UPR Info first, then the official list.
            let store = db.open().await;
            let first = import(&store, upr_info).await;
            let total = first.added as i64;
            let from_upr_info = store.count(&review("Slovenia", 2)).await.expect("count");
            assert!(from_upr_info > 0, "UPR Info has Slovenia's session 20");
            let summary = import(&store, slovenia).await;
            assert!(
                summary.updated > 0,
                "no UPR Info recommendation matched: {summary:?}"
            );
            check_slovenia_cycle_2(&store, "UPR Info, then OHCHR").await;
            // Only Slovenia's cycle 2 could have grown.
            let all = store.count(&Default::default()).await.expect("count");
            assert_eq!(all - total, 163 - from_upr_info, "other reviews changed");
            store.finish().await;

            // The official list first, then UPR Info.
            let store = db.open().await;
            import(&store, slovenia).await;
            let summary = import(&store, upr_info).await;
            let slovenia_summary = summary
                .reviews
                .iter()
                .find(|r| r.state == "Slovenia" && r.cycle == Some(2))
                .expect("UPR Info has Slovenia's cycle 2");
            assert_eq!(slovenia_summary.added, 0, "{slovenia_summary:?}");
            check_slovenia_cycle_2(&store, "OHCHR, then UPR Info").await;
            assert_eq!(
                store.count(&Default::default()).await.expect("count"),
                total - from_upr_info + 163
            );
            store.finish().await;
        }
    })
    .await;
}
