//! Reading back: `list` and `count` under each filter (recommending State, regional group,
//! position, SDG goal, theme, affected persons, text, and combinations), paging, `show` by id
//! and by paragraph (and its refusal of an ambiguous paragraph), and the breakdowns of
//! `stats`, first on a small table whose answers are known by construction, then on
//! Slovenia's cycle-4 list, where every filter must agree with the breakdowns and with the
//! records it returns.

use hrtrack_db::{RecommendationFilter, Store, StoreError};
use hrtrack_domain::{Cycle, Position, RegionalGroup, SdgGoal};

use crate::support::{SLOVENIA_4, all, each_backend, import, matrix, review, table, uids};

/// Five recommendations in two reviews. Regional groups: France and Germany WEOG, Chile
/// GRULAC, Kenya African, Japan Asia-Pacific, Poland Eastern European.
const SMALL: &str = "\
state,cycle,session,paragraph,text,position,recommending_states,themes,affected_persons,sdg_goals
Slovenia,4,48,1.1,Ratify the Optional Protocol to the Convention against Torture,supported,France | Chile,A12 Acceptance of international norms,,16
Slovenia,4,48,1.2,Combat hate speech on the Internet,noted,Germany,D43 Freedom of opinion and expression,,10 | 16
Slovenia,4,48,1.3,Guarantee 100% access to safe drinking water,supported_in_part,Kenya,E26 Right to water,Roma,6
Slovenia,4,48,1.4,Guarantee access to water for 100 households,pending,Japan | Poland,E26 Right to water,,
Croatia,4,46,1.1,Strengthen the ombudsperson institution,supported,Chile,,,
";

const SVN_1: &str = "SVN-UPR4-1.1";
const SVN_2: &str = "SVN-UPR4-1.2";
const SVN_3: &str = "SVN-UPR4-1.3";
const SVN_4: &str = "SVN-UPR4-1.4";
const HRV_1: &str = "HRV-UPR4-1.1";

/// The ids `filter` lists, sorted, after checking that `count` agrees.
async fn listed(store: &Store, filter: &RecommendationFilter) -> Vec<String> {
    let records = store
        .list(filter, None, 0)
        .await
        .unwrap_or_else(|e| panic!("{filter:?}: {e}"));
    assert_eq!(
        store.count(filter).await.expect("count"),
        records.len() as i64,
        "{filter:?}"
    );
    let mut ids = uids(&records);
    ids.sort();
    ids
}

fn sorted(ids: &[&str]) -> Vec<String> {
    let mut ids: Vec<String> = ids.iter().map(|s| (*s).to_owned()).collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn filters_on_a_small_table() {
    let batch = table(SMALL);
    each_backend(|db| {
        let batch = &batch;
        async move {
            let store = db.open().await;
            import(&store, batch).await;
            let none = RecommendationFilter::default();
            let by = |f: fn(&mut RecommendationFilter)| {
                let mut filter = RecommendationFilter::default();
                f(&mut filter);
                filter
            };
            let cases: Vec<(RecommendationFilter, Vec<&str>)> = vec![
                (none.clone(), vec![SVN_1, SVN_2, SVN_3, SVN_4, HRV_1]),
                (by(|f| f.state = Some("Croatia".into())), vec![HRV_1]),
                (by(|f| f.state = Some("HRV".into())), vec![HRV_1]),
                (
                    by(|f| f.recommending_state = Some("France".into())),
                    vec![SVN_1],
                ),
                (
                    by(|f| f.recommending_state = Some("fra".into())),
                    vec![SVN_1],
                ),
                (
                    by(|f| f.recommending_state = Some("Chile".into())),
                    vec![SVN_1, HRV_1],
                ),
                (
                    by(|f| f.recommending_state = Some("Slovenia".into())),
                    vec![],
                ),
                (
                    by(|f| f.regional_group = Some(RegionalGroup::Weog)),
                    vec![SVN_1, SVN_2],
                ),
                (
                    by(|f| f.regional_group = Some(RegionalGroup::Grulac)),
                    vec![SVN_1, HRV_1],
                ),
                (
                    by(|f| f.regional_group = Some(RegionalGroup::African)),
                    vec![SVN_3],
                ),
                (
                    by(|f| f.regional_group = Some(RegionalGroup::AsiaPacific)),
                    vec![SVN_4],
                ),
                (
                    by(|f| f.regional_group = Some(RegionalGroup::EasternEuropean)),
                    vec![SVN_4],
                ),
                (
                    by(|f| f.position = Some(Position::Supported)),
                    vec![SVN_1, HRV_1],
                ),
                (
                    by(|f| f.position = Some(Position::SupportedInPart)),
                    vec![SVN_3],
                ),
                (by(|f| f.position = Some(Position::Noted)), vec![SVN_2]),
                (by(|f| f.position = Some(Position::Pending)), vec![SVN_4]),
                (
                    by(|f| f.sdg_goal = Some(SdgGoal::new(16).unwrap())),
                    vec![SVN_1, SVN_2],
                ),
                (
                    by(|f| f.sdg_goal = Some(SdgGoal::new(6).unwrap())),
                    vec![SVN_3],
                ),
                (by(|f| f.sdg_goal = Some(SdgGoal::new(1).unwrap())), vec![]),
                (
                    by(|f| f.theme = Some("E26 Right to water".into())),
                    vec![SVN_3, SVN_4],
                ),
                (by(|f| f.theme = Some("E26".into())), vec![]),
                (by(|f| f.affected_person = Some("Roma".into())), vec![SVN_3]),
                (
                    by(|f| f.text = Some("optional PROTOCOL".into())),
                    vec![SVN_1],
                ),
                (by(|f| f.text = Some("water".into())), vec![SVN_3, SVN_4]),
                // LIKE wildcards in the words are taken literally.
                (by(|f| f.text = Some("100%".into())), vec![SVN_3]),
                (by(|f| f.text = Some("%".into())), vec![SVN_3]),
                (by(|f| f.text = Some("_".into())), vec![]),
                (by(|f| f.paragraph = Some("1.1".into())), vec![SVN_1, HRV_1]),
                (by(|f| f.uid = Some(SVN_2.into())), vec![SVN_2]),
                (by(|f| f.cycle = Some(Cycle::new(3).unwrap())), vec![]),
                (
                    by(|f| {
                        f.state = Some("Slovenia".into());
                        f.regional_group = Some(RegionalGroup::Grulac);
                    }),
                    vec![SVN_1],
                ),
                (
                    by(|f| {
                        f.text = Some("guarantee".into());
                        f.position = Some(Position::Pending);
                        f.recommending_state = Some("Poland".into());
                    }),
                    vec![SVN_4],
                ),
            ];
            for (filter, expected) in &cases {
                assert_eq!(listed(&store, filter).await, sorted(expected), "{filter:?}");
            }

            // A State that does not exist is an error, not an empty list.
            let atlantis = by(|f| f.recommending_state = Some("Atlantis".into()));
            assert!(matches!(
                store.count(&atlantis).await,
                Err(StoreError::InvalidFilter(_))
            ));
            assert!(matches!(
                store.list(&atlantis, None, 0).await,
                Err(StoreError::InvalidFilter(_))
            ));

            // Pages of two make up the whole list, in the same order.
            let whole = all(&store).await;
            let mut paged = Vec::new();
            for offset in [0, 2, 4] {
                paged.extend(store.list(&none, Some(2), offset).await.expect("page"));
            }
            assert_eq!(paged, whole);
            assert_eq!(
                store.list(&none, None, 3).await.expect("offset only"),
                whole[3..]
            );

            // Every field of one record, as written in the table.
            let record = whole.iter().find(|r| r.uid == SVN_3).expect("1.3");
            assert_eq!(record.state, "Slovenia");
            assert_eq!(record.state_iso3, "SVN");
            assert_eq!(
                (record.mechanism.as_str(), record.cycle, record.session),
                ("UPR", Some(4), Some(48))
            );
            assert_eq!(record.paragraph.as_deref(), Some("1.3"));
            assert_eq!(record.text, "Guarantee 100% access to safe drinking water");
            assert_eq!(record.position, "supported_in_part");
            assert_eq!(record.recommending_states, ["Kenya"]);
            assert_eq!(record.themes, ["E26 Right to water"]);
            assert_eq!(record.affected_persons, ["Roma"]);
            assert_eq!(record.sdg_goals, [6]);
            assert_eq!(record.source_format, "table");
            store.finish().await;
        }
    })
    .await;
}

#[tokio::test]
async fn show_by_id_and_by_paragraph() {
    let batch = table(SMALL);
    each_backend(|db| {
        let batch = &batch;
        async move {
            let store = db.open().await;
            import(&store, batch).await;
            let none = RecommendationFilter::default();
            let by_id = store.show(SVN_2, &none).await.expect("show by id");
            assert_eq!(by_id.text, "Combat hate speech on the Internet");
            assert_eq!(
                store.show(" 1.2 ", &none).await.expect("unique paragraph"),
                by_id
            );
            assert_eq!(
                store
                    .show("1.2.", &review("SVN", 4))
                    .await
                    .expect("trailing dot"),
                by_id
            );

            // Paragraph 1.1 is in both reviews.
            match store.show("1.1", &none).await {
                Err(StoreError::InvalidFilter(message)) => {
                    assert!(
                        message.contains(SVN_1) && message.contains(HRV_1),
                        "{message}"
                    );
                }
                other => panic!("expected an ambiguity error, got {other:?}"),
            }
            let croatia = RecommendationFilter {
                state: Some("Croatia".into()),
                ..Default::default()
            };
            assert_eq!(
                store.show("1.1", &croatia).await.expect("with a State").uid,
                HRV_1
            );
            assert_eq!(
                store
                    .show("1.1", &review("Slovenia", 4))
                    .await
                    .expect("with a review")
                    .uid,
                SVN_1
            );

            assert!(matches!(
                store.show("9.9", &none).await,
                Err(StoreError::NotFound(_))
            ));
            assert!(matches!(
                store.show("SVN-UPR4-9.9", &none).await,
                Err(StoreError::NotFound(_))
            ));
            assert!(matches!(
                store.show("1.2", &croatia).await,
                Err(StoreError::NotFound(_))
            ));
            store.finish().await;
        }
    })
    .await;
}

#[tokio::test]
async fn stats_breakdowns_of_a_small_table() {
    let batch = table(SMALL);
    each_backend(|db| {
        let batch = &batch;
        async move {
            let store = db.open().await;
            import(&store, batch).await;
            let stats = store
                .stats(&RecommendationFilter::default())
                .await
                .expect("stats");
            assert_eq!(stats.recommendations, 5);
            assert_eq!(stats.recommendation_state_pairs, 7);
            assert_eq!(stats.recommending_states, 6);
            let groups: Vec<(&str, i64, Option<i64>, Option<i64>)> = stats
                .by_regional_group
                .iter()
                .map(|g| {
                    (
                        g.key.as_str(),
                        g.recommendations,
                        g.recommendation_state_pairs,
                        g.recommending_states,
                    )
                })
                .collect();
            assert_eq!(
                groups,
                [
                    ("GRULAC", 2, Some(2), Some(1)),
                    ("WEOG", 2, Some(2), Some(2)),
                    ("African", 1, Some(1), Some(1)),
                    ("Asia-Pacific", 1, Some(1), Some(1)),
                    ("Eastern European", 1, Some(1), Some(1)),
                ]
            );
            let goals: Vec<(&str, i64)> = stats
                .by_sdg_goal
                .iter()
                .map(|g| (g.key.as_str(), g.recommendations))
                .collect();
            assert_eq!(goals, [("6", 1), ("10", 1), ("16", 2)]);
            assert_eq!(stats.by_theme[0].key, "E26 Right to water");
            assert_eq!(stats.by_theme[0].recommendations, 2);
            assert_eq!(stats.by_theme.len(), 3);
            assert_eq!(stats.by_affected_persons.len(), 1);
            assert!(stats.by_upr_issue.is_empty());
            let reviews: Vec<(&str, i64, i64, i64)> = stats
                .reviews
                .iter()
                .map(|r| {
                    (
                        r.iso3.as_str(),
                        r.recommendations,
                        r.recommendation_state_pairs,
                        r.recommending_states,
                    )
                })
                .collect();
            assert_eq!(reviews, [("HRV", 1, 1, 1), ("SVN", 4, 6, 6)]);
            store.finish().await;
        }
    })
    .await;
}

#[tokio::test]
async fn filters_and_breakdowns_agree_on_slovenia_cycle_4() {
    let batch = matrix(SLOVENIA_4);
    each_backend(|db| {
        let batch = &batch;
        async move {
            let store = db.open().await;
            import(&store, batch).await;
            let slovenia = review("Slovenia", 4);
            let stats = store.stats(&slovenia).await.expect("stats");
            assert_eq!(stats.recommendations, 254);
            let narrowed = |f: &dyn Fn(&mut RecommendationFilter)| {
                let mut filter = slovenia.clone();
                f(&mut filter);
                filter
            };

            // Regional groups: known names only, and each line is what the filter counts.
            let names: Vec<&str> = RegionalGroup::ALL.iter().map(|g| g.name()).collect();
            assert!(!stats.by_regional_group.is_empty());
            let mut pairs = 0;
            for line in &stats.by_regional_group {
                assert!(
                    names.contains(&line.key.as_str()) || line.key == "none",
                    "group {:?}",
                    line.key
                );
                pairs += line.recommendation_state_pairs.expect("pairs per group");
                if let Some(group) = RegionalGroup::ALL
                    .into_iter()
                    .find(|g| g.name() == line.key)
                {
                    let filter = narrowed(&|f| f.regional_group = Some(group));
                    assert_eq!(
                        store.count(&filter).await.unwrap(),
                        line.recommendations,
                        "{}",
                        line.key
                    );
                }
            }
            assert_eq!(pairs, stats.recommendation_state_pairs);
            assert!(stats.by_regional_group.iter().any(|g| g.key == "WEOG"));

            // SDG goals: 1..=17; every recommendation of this list has at least one.
            let mut sum = 0;
            for line in &stats.by_sdg_goal {
                let goal: u8 = line
                    .key
                    .parse()
                    .unwrap_or_else(|_| panic!("goal key {:?}", line.key));
                assert!((1..=17).contains(&goal), "goal {goal}");
                sum += line.recommendations;
                let filter = narrowed(&|f| f.sdg_goal = Some(SdgGoal::new(goal).unwrap()));
                let records = store.list(&filter, None, 0).await.unwrap();
                assert_eq!(records.len() as i64, line.recommendations, "goal {goal}");
                assert!(
                    records
                        .iter()
                        .all(|r| r.sdg_goals.contains(&i64::from(goal)))
                );
            }
            assert!(
                sum >= stats.recommendations,
                "{sum} goal links for {} recommendations",
                stats.recommendations
            );
            let records = store.list(&slovenia, None, 0).await.unwrap();
            let without_goal: Vec<&str> = records
                .iter()
                .filter(|r| r.sdg_goals.is_empty())
                .map(|r| r.uid.as_str())
                .collect();
            assert!(
                without_goal.is_empty(),
                "without an SDG goal: {without_goal:?}"
            );

            // Positions partition the list.
            let mut by_position = 0;
            for position in Position::ALL {
                let filter = narrowed(&|f| f.position = Some(position));
                let records = store.list(&filter, None, 0).await.unwrap();
                assert!(records.iter().all(|r| r.position == position.code()));
                by_position += records.len() as i64;
            }
            assert_eq!(by_position, 254);
            assert_eq!(
                store
                    .count(&narrowed(&|f| f.position = Some(Position::Noted)))
                    .await
                    .unwrap(),
                37
            );

            // Themes and the recommending States: each filter keeps exactly the records that
            // carry the value.
            let theme = stats.by_theme.first().expect("a theme").clone();
            let filter = narrowed(&|f| f.theme = Some(theme.key.clone()));
            let with_theme = store.list(&filter, None, 0).await.unwrap();
            assert_eq!(with_theme.len() as i64, theme.recommendations);
            assert_eq!(
                uids(&with_theme),
                uids(
                    &records
                        .iter()
                        .filter(|r| r.themes.contains(&theme.key))
                        .cloned()
                        .collect::<Vec<_>>()
                )
            );
            for state in ["France", "Germany", "Chile"] {
                let filter = narrowed(&|f| f.recommending_state = Some(state.to_owned()));
                let expected: Vec<String> = records
                    .iter()
                    .filter(|r| r.recommending_states.iter().any(|s| s == state))
                    .map(|r| r.uid.clone())
                    .collect();
                assert_eq!(
                    uids(&store.list(&filter, None, 0).await.unwrap()),
                    expected,
                    "{state}"
                );
            }

            // Text: case-insensitive substring (of the longest word of the first text).
            let word = records[0]
                .text
                .split_whitespace()
                .max_by_key(|w| w.len())
                .expect("a word")
                .to_lowercase();
            let filter = narrowed(&|f| f.text = Some(word.to_uppercase()));
            let expected: Vec<String> = records
                .iter()
                .filter(|r| r.text.to_lowercase().contains(&word))
                .map(|r| r.uid.clone())
                .collect();
            assert!(expected.contains(&records[0].uid), "{word}");
            assert_eq!(uids(&store.list(&filter, None, 0).await.unwrap()), expected);

            // `show` by id and by paragraph give the listed record.
            let one = &records[records.len() / 2];
            assert_eq!(
                store
                    .show(&one.uid, &RecommendationFilter::default())
                    .await
                    .unwrap(),
                *one
            );
            let paragraph = one
                .paragraph
                .as_deref()
                .expect("matrices number their paragraphs");
            assert_eq!(one.uid, format!("SVN-UPR4-{paragraph}"));
            assert_eq!(
                store
                    .show(paragraph, &RecommendationFilter::default())
                    .await
                    .unwrap(),
                *one
            );
            store.finish().await;
        }
    })
    .await;
}
