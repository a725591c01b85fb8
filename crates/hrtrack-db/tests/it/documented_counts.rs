//! The published figures of real reviews, as `stats` must give them back after an import:
//! Slovenia's cycles 2–4, China's cycles 2–3 and Egypt's cycle 2 from the OHCHR Word files,
//! and Turkmenistan's sessions 3 and 16 from UPR Info's export (one row per recommending
//! State; rows with the same text in one review are one joint recommendation).

use std::collections::{BTreeMap, BTreeSet};

use hrtrack_db::{PositionCounts, RecommendationFilter, Store};
use hrtrack_import::ohchr_matrix::MatrixOptions;

use crate::support::{
    CHINA_2, CHINA_3, EGYPT_2, SLOVENIA_2, SLOVENIA_3, SLOVENIA_4, TURKMENISTAN_CSV, each_backend,
    import, matrix, matrix_with, review, session, shared, turkmenistan,
};

/// One review's published figures.
struct Published {
    file: &'static str,
    state: &'static str,
    iso3: &'static str,
    cycle: u8,
    session: i64,
    recommendations: i64,
    supported: i64,
    supported_in_part: i64,
    noted: i64,
}

const SLOVENIA: [Published; 3] = [
    Published {
        file: SLOVENIA_2,
        state: "Slovenia",
        iso3: "SVN",
        cycle: 2,
        session: 20,
        recommendations: 163,
        supported: 142,
        supported_in_part: 0,
        noted: 21,
    },
    Published {
        file: SLOVENIA_3,
        state: "Slovenia",
        iso3: "SVN",
        cycle: 3,
        session: 34,
        recommendations: 215,
        supported: 182,
        supported_in_part: 0,
        noted: 33,
    },
    Published {
        file: SLOVENIA_4,
        state: "Slovenia",
        iso3: "SVN",
        cycle: 4,
        session: 48,
        recommendations: 254,
        supported: 217,
        supported_in_part: 0,
        noted: 37,
    },
];

const CHINA_AND_EGYPT: [Published; 3] = [
    Published {
        file: CHINA_2,
        state: "China",
        iso3: "CHN",
        cycle: 2,
        session: 17,
        recommendations: 252,
        supported: 204,
        supported_in_part: 0,
        noted: 48,
    },
    Published {
        file: CHINA_3,
        state: "China",
        iso3: "CHN",
        cycle: 3,
        session: 31,
        recommendations: 346,
        supported: 284,
        supported_in_part: 0,
        noted: 62,
    },
    Published {
        file: EGYPT_2,
        state: "Egypt",
        iso3: "EGY",
        cycle: 2,
        session: 20,
        recommendations: 300,
        supported: 224,
        supported_in_part: 23,
        noted: 53,
    },
];

/// Checks one review's figures, asking for the State by name and by ISO code.
async fn check_published(store: &Store, expected: &Published) {
    let what = format!("{} cycle {}", expected.state, expected.cycle);
    for state in [expected.state, expected.iso3] {
        let filter = review(state, expected.cycle);
        let stats = store.stats(&filter).await.expect("stats");
        assert_eq!(
            stats.recommendations, expected.recommendations,
            "{what} ({state})"
        );
        let positions = PositionCounts {
            supported: expected.supported,
            supported_in_part: expected.supported_in_part,
            noted: expected.noted,
            pending: 0,
        };
        assert_eq!(stats.positions, positions, "{what} ({state})");
        assert_eq!(stats.reviews.len(), 1, "{what}: one review");
        let one = &stats.reviews[0];
        assert_eq!(
            (one.state.as_str(), one.iso3.as_str()),
            (expected.state, expected.iso3)
        );
        assert_eq!(one.mechanism, "UPR");
        assert_eq!(one.cycle, Some(i64::from(expected.cycle)), "{what}");
        assert_eq!(one.session, Some(expected.session), "{what}");
        assert_eq!(one.recommendations, expected.recommendations, "{what}");
        assert_eq!(one.positions, positions, "{what}");
        assert!(
            stats.recommendation_state_pairs >= stats.recommendations,
            "{what}: {} pairs for {} recommendations",
            stats.recommendation_state_pairs,
            stats.recommendations
        );
        assert!(
            stats.recommending_states > 0,
            "{what}: no recommending State"
        );
        assert_eq!(
            one.recommendation_state_pairs, stats.recommendation_state_pairs,
            "{what}"
        );
        assert_eq!(one.recommending_states, stats.recommending_states, "{what}");
        assert_eq!(
            store.count(&filter).await.expect("count"),
            expected.recommendations,
            "{what}"
        );
        let listed = store.list(&filter, None, 0).await.expect("list");
        assert_eq!(listed.len() as i64, expected.recommendations, "{what}");
        assert!(
            listed
                .iter()
                .all(|r| r.state == expected.state && r.cycle == Some(i64::from(expected.cycle)))
        );
    }
}

#[tokio::test]
async fn slovenia_cycles_2_to_4_match_the_published_figures() {
    each_backend(|db| async move {
        let store = db.open().await;
        for published in &SLOVENIA {
            let summary = import(&store, &matrix(published.file)).await;
            assert_eq!(
                summary.added as i64, published.recommendations,
                "{}",
                published.file
            );
            assert_eq!((summary.updated, summary.unchanged), (0, 0));
        }
        for published in &SLOVENIA {
            check_published(&store, published).await;
        }

        // All three reviews together, and as `reviews` lists them.
        let slovenia = RecommendationFilter {
            state: Some("Slovenia".to_owned()),
            ..Default::default()
        };
        let stats = store.stats(&slovenia).await.expect("stats");
        assert_eq!(stats.recommendations, 163 + 215 + 254);
        assert_eq!(stats.positions.supported, 142 + 182 + 217);
        assert_eq!(stats.positions.noted, 21 + 33 + 37);
        assert_eq!(stats.reviews.len(), 3);
        let reviews = store.reviews().await.expect("reviews");
        let sizes: Vec<(Option<i64>, Option<i64>, i64)> = reviews
            .iter()
            .map(|r| (r.cycle, r.session, r.recommendations))
            .collect();
        assert_eq!(
            sizes,
            [
                (Some(2), Some(20), 163),
                (Some(3), Some(34), 215),
                (Some(4), Some(48), 254)
            ]
        );
        assert!(
            reviews
                .iter()
                .all(|r| r.iso3 == "SVN" && r.mechanism == "UPR")
        );
        store.finish().await;
    })
    .await;
}

#[tokio::test]
async fn china_and_egypt_match_the_published_figures() {
    each_backend(|db| async move {
        let store = db.open().await;
        for published in &CHINA_AND_EGYPT {
            // Egypt's matrix does not print its session in the page header; the CLI's
            // `--session 20` gives it.
            let options = MatrixOptions {
                session: Some(session(published.session as u16)),
                ..Default::default()
            };
            let summary = import(&store, &matrix_with(published.file, &options)).await;
            assert_eq!(
                summary.added as i64, published.recommendations,
                "{}",
                published.file
            );
        }
        for published in &CHINA_AND_EGYPT {
            check_published(&store, published).await;
        }
        let china = RecommendationFilter {
            state: Some("CHN".to_owned()),
            ..Default::default()
        };
        assert_eq!(store.count(&china).await.expect("count"), 252 + 346);
        let all = store
            .stats(&RecommendationFilter::default())
            .await
            .expect("stats");
        assert_eq!(all.recommendations, 252 + 346 + 300);
        assert_eq!(all.reviews.len(), 3);
        store.finish().await;
    })
    .await;
}

/// What UPR Info's file says about one session, counted from its rows.
#[derive(Debug, Default)]
struct SessionRows {
    rows: usize,
    /// Distinct (text, recommending State) rows.
    pairs: BTreeSet<(String, String)>,
    states: BTreeSet<String>,
    /// Each distinct text with its response.
    responses: BTreeMap<String, String>,
    /// Rows per response ("Accepted", "Noted").
    response_rows: BTreeMap<String, usize>,
}

/// Counts the Turkmenistan file's rows per session with a CSV parser, independently of the
/// importer.
fn turkmenistan_rows() -> BTreeMap<i64, SessionRows> {
    let bytes = shared(TURKMENISTAN_CSV);
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    let header = reader.headers().expect("a header").clone();
    let column = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name}"))
    };
    let (text, state, response, session) = (
        column("recommendation"),
        column("recommending_state"),
        column("response"),
        column("session"),
    );
    let mut sessions: BTreeMap<i64, SessionRows> = BTreeMap::new();
    for row in reader.records() {
        let row = row.expect("a CSV row");
        let entry = sessions
            .entry(row[session].trim().parse().expect("a session number"))
            .or_default();
        let text = row[text].trim().to_owned();
        entry.rows += 1;
        entry
            .pairs
            .insert((text.clone(), row[state].trim().to_owned()));
        entry.states.insert(row[state].trim().to_owned());
        entry
            .responses
            .entry(text)
            .or_insert_with(|| row[response].trim().to_owned());
        *entry
            .response_rows
            .entry(row[response].trim().to_owned())
            .or_default() += 1;
    }
    sessions
}

#[tokio::test]
async fn turkmenistan_upr_info_pairs_states_and_joint_recommendations() {
    let sessions = turkmenistan_rows();
    // UPR Info's own figures for the first review (session 3): 87 rows from 26 States,
    // 37 Accepted and 50 Noted rows.
    let first = &sessions[&3];
    assert_eq!((first.rows, first.states.len()), (87, 26));
    assert_eq!(
        (
            first.response_rows["Accepted"],
            first.response_rows["Noted"]
        ),
        (37, 50)
    );
    assert_eq!(sessions[&16].rows, 188);
    let batch = turkmenistan();
    each_backend(|db| {
        let batch = &batch;
        let sessions = &sessions;
        async move {
            let store = db.open().await;
            import(&store, batch).await;
            for (&number, rows) in sessions {
                let filter = RecommendationFilter {
                    state: Some("Turkmenistan".to_owned()),
                    session: Some(session(number as u16)),
                    ..Default::default()
                };
                let stats = store.stats(&filter).await.expect("stats");
                let what = format!("Turkmenistan session {number}");
                assert_eq!(
                    stats.recommendation_state_pairs,
                    rows.pairs.len() as i64,
                    "{what}: pairs"
                );
                assert_eq!(
                    stats.recommending_states,
                    rows.states.len() as i64,
                    "{what}: States"
                );
                assert_eq!(
                    stats.recommendations,
                    rows.responses.len() as i64,
                    "{what}: recommendations"
                );
                let accepted = rows.responses.values().filter(|r| *r == "Accepted").count() as i64;
                let noted = rows.responses.values().filter(|r| *r == "Noted").count() as i64;
                assert_eq!(
                    stats.positions,
                    PositionCounts {
                        supported: accepted,
                        supported_in_part: 0,
                        noted,
                        pending: 0
                    },
                    "{what}"
                );
                let p = &stats.positions;
                assert_eq!(
                    p.supported + p.supported_in_part + p.noted + p.pending,
                    stats.recommendations
                );
                assert_eq!(stats.reviews.len(), 1);
                assert_eq!(stats.reviews[0].session, Some(number));
                let cycle = if number <= 12 { 1 } else { 2 };
                assert_eq!(stats.reviews[0].cycle, Some(cycle), "{what}");
            }
            let first = store
                .stats(&RecommendationFilter {
                    state: Some("TKM".to_owned()),
                    session: Some(session(3)),
                    ..Default::default()
                })
                .await
                .expect("stats");
            assert_eq!(
                (first.recommendation_state_pairs, first.recommending_states),
                (87, 26)
            );
            // Joint recommendations: 188 rows of session 16 are fewer recommendations.
            let second = store
                .stats(&review("Turkmenistan", 2))
                .await
                .expect("stats");
            assert_eq!(second.recommendation_state_pairs, 188);
            assert!(
                second.recommendations < second.recommendation_state_pairs,
                "{second:?}"
            );
            let joint = store
                .list(&review("Turkmenistan", 2), None, 0)
                .await
                .expect("list")
                .into_iter()
                .filter(|r| r.recommending_states.len() > 1)
                .count() as i64;
            assert!(joint > 0, "no joint recommendation in session 16");
            store.finish().await;
        }
    })
    .await;
}

/// The bundled SDG framework: 17 goals, 169 targets, 248 indicators (UNSD 2023 list), each goal
/// titled in English, Russian and Turkmen; every target and all but one indicator too (11.5.3
/// has no Russian or Turkmen title in the Open SDG translations).
#[tokio::test]
async fn the_sdg_framework_is_loaded_in_three_languages() {
    each_backend(|db| async move {
        let store = db.open().await;
        let size = store.sdg_framework_size().await.expect("framework size");
        assert_eq!(
            (size.goals, size.targets, size.indicators),
            (17, 169, 248),
            "{}",
            db.name()
        );
        assert_eq!(size.titled_in_all_three, 169 + 247, "{}", db.name());
        let goals = store.sdg_goals().await.expect("goals");
        let gender = goals.iter().find(|g| g.goal == 5).expect("goal 5");
        assert_eq!(gender.short_en, "Gender equality");
        assert!(
            gender.title_ru.contains("гендерного"),
            "{}",
            gender.title_ru
        );
        assert!(!gender.title_tk.is_empty() && gender.title_tk != gender.title_en);
        store.finish().await;
    })
    .await;
}
