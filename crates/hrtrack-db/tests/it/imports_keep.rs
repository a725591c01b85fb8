//! Imports never destroy what they do not carry (issue 10): a table without some columns
//! leaves those fields as stored; a dry run writes nothing and says what would change; two
//! documents' paragraph 1 are two recommendations; a translation is kept beside the original;
//! an import that changes nothing leaves the data version.

use hrtrack_db::{RecommendationFilter, Store};
use hrtrack_domain::ImportBatch;
use hrtrack_import::table::{self, Mapping};

use crate::support::{Db, all, each_backend, import, review, table};

/// A full table of two Slovenian recommendations.
const FULL: &str = "state,cycle,session,paragraph,text,language,position,position_source,recommending_states,theme_heading,themes,affected_persons,sdg_targets,action_category\n\
Slovenia,4,48,140.1,Ratify the Optional Protocol to the Convention against Torture,en,pending,A/HRC/59/15 - Para 140,France | Chile,International instruments,Acceptance of international norms,general,16.10,5\n\
Slovenia,4,48,140.2,Combat hate speech on the Internet,en,noted,A/HRC/59/15 - Para 140,Germany,Equality,Hate speech,minorities,10.3,4\n";

/// A table read with a mapping (the State and cycle as defaults).
fn mapped(csv: &str, columns: &[(&str, &str)]) -> ImportBatch {
    let mut toml = String::from("[columns]\n");
    for (field, header) in columns {
        toml.push_str(&format!("{field} = \"{header}\"\n"));
    }
    toml.push_str("[defaults]\nstate = \"Slovenia\"\ncycle = \"4\"\nsession = \"48\"\n");
    toml.push_str("[options]\nlist_separator = \"|\"\n");
    let mapping = Mapping::parse(&toml, "m.toml").unwrap_or_else(|e| panic!("{e}"));
    table::read(csv.as_bytes(), "partial.csv", Some(&mapping)).unwrap_or_else(|e| panic!("{e}"))
}

/// Figures of the whole store that a partial import must not change.
async fn figures(store: &Store) -> serde_json::Value {
    let stats = store
        .stats(&RecommendationFilter::default())
        .await
        .expect("stats");
    let mut value = serde_json::to_value(stats).expect("json");
    // Positions are what the partial tables change; everything else must stay.
    value["positions"] = serde_json::Value::Null;
    if let Some(reviews) = value["reviews"].as_array_mut() {
        for review in reviews {
            review["positions"] = serde_json::Value::Null;
        }
    }
    value
}

#[tokio::test]
async fn imports_keep_a_partial_table_leaves_the_fields_it_lacks() {
    let full = table(FULL);
    // Only paragraph, text and position: the sheet of the report in issue 10.
    let partial = mapped(
        "No.,Recommendation,Position\n\
         140.1,Ratify the Optional Protocol to the Convention against Torture,supported\n\
         140.2,Combat hate speech on the Internet,noted\n",
        &[
            ("paragraph", "No."),
            ("text", "Recommendation"),
            ("position", "Position"),
        ],
    );
    // Every column present, with empty cells: an empty cell clears nothing either.
    let empty_cells = table(
        "state,cycle,session,paragraph,text,position,position_source,recommending_states,theme_heading,themes,affected_persons,sdg_targets,action_category\n\
         Slovenia,4,48,140.1,Ratify the Optional Protocol to the Convention against Torture,,,,,,,,\n",
    );
    each_backend(|db: Db| {
        let (full, partial, empty_cells) = (&full, &partial, &empty_cells);
        async move {
            let store = db.open().await;
            import(&store, full).await;
            let before = all(&store).await;
            let figures_before = figures(&store).await;
            assert_eq!(before[0].recommending_states, ["Chile", "France"]);

            let summary = import(&store, partial).await;
            assert_eq!(
                (summary.added, summary.updated, summary.unchanged),
                (0, 1, 1)
            );
            let after = all(&store).await;
            assert_eq!(after[0].position, "supported");
            let mut expected = before.clone();
            expected[0].position = "supported".to_owned();
            assert_eq!(after, expected, "only the position may change");
            assert_eq!(figures(&store).await, figures_before);
            let stats = store.stats(&review("Slovenia", 4)).await.expect("stats");
            assert_eq!(stats.positions.supported, 1);

            let summary = import(&store, empty_cells).await;
            assert_eq!(
                (summary.added, summary.updated, summary.unchanged),
                (0, 0, 1)
            );
            assert_eq!(all(&store).await, expected, "empty cells cleared fields");
            store.finish().await;
        }
    })
    .await;
}

#[tokio::test]
async fn imports_keep_the_readers_say_which_fields_they_carry() {
    use hrtrack_domain::Field;
    let full = table(FULL);
    let fields = full.reviews[0].fields;
    // Every field but the two the table has no column for.
    let lacks = [Field::ReportSymbol, Field::UprIssues];
    assert!(
        Field::ALL
            .iter()
            .all(|f| fields.contains(*f) != lacks.contains(f)),
        "{fields:?}"
    );
    let partial = mapped(
        "No.,Recommendation\n140.1,Ratify\n",
        &[("paragraph", "No."), ("text", "Recommendation")],
    );
    let fields = partial.reviews[0].fields;
    assert_eq!(
        fields.iter().collect::<Vec<_>>(),
        [Field::Paragraph, Field::Text]
    );
    let upr_info = crate::support::turkmenistan().reviews[0].fields;
    assert!(upr_info.contains(Field::RecommendingStates) && upr_info.contains(Field::UprIssues));
    assert!(!upr_info.contains(Field::Paragraph) && !upr_info.contains(Field::Themes));
    let matrix = crate::support::matrix(crate::support::SLOVENIA_4).reviews[0].fields;
    assert!(matrix.contains(Field::Themes) && matrix.contains(Field::Sdgs));
    assert!(!matrix.contains(Field::UprIssues) && !matrix.contains(Field::ActionCategory));
}

#[tokio::test]
async fn imports_keep_a_dry_run_writes_nothing_and_lists_each_change() {
    let full = table(FULL);
    let changed = table(&FULL.replace(",en,pending,", ",en,supported,").replace(
        "Combat hate speech on the Internet,",
        "Combat hate speech online,",
    ));
    let more = table(&format!(
        "{FULL}Slovenia,4,48,140.3,Adopt a national action plan on business and human rights,en,supported,,Peru,,,,,\n"
    ));
    each_backend(|db: Db| {
        let (full, changed, more) = (&full, &changed, &more);
        async move {
            let store = db.open().await;
            import(&store, full).await;
            let records = all(&store).await;
            let version = store.data_version().await.expect("version");

            let plan = store
                .plan_import(changed, &mut |_| {})
                .await
                .expect("dry run");
            assert!(plan.dry_run);
            assert_eq!((plan.added, plan.updated, plan.unchanged), (0, 2, 0));
            let first = plan
                .changes
                .iter()
                .find(|c| c.uid == "SVN-UPR4-140.1")
                .expect("140.1 listed");
            assert_eq!(first.change, "updated");
            let fields: Vec<(&str, &str, &str)> = first
                .fields
                .iter()
                .map(|f| (f.field.as_str(), f.old.as_str(), f.new.as_str()))
                .collect();
            assert_eq!(fields, [("position", "pending", "supported")]);
            let second = plan
                .changes
                .iter()
                .find(|c| c.uid == "SVN-UPR4-140.2")
                .expect("140.2 listed");
            assert_eq!(second.fields[0].field, "text");
            assert_eq!(second.fields[0].new, "Combat hate speech online");

            let plan = store.plan_import(more, &mut |_| {}).await.expect("dry run");
            assert_eq!((plan.added, plan.updated, plan.unchanged), (1, 0, 2));
            let added = plan
                .changes
                .iter()
                .find(|c| c.change == "added")
                .expect("an added one");
            assert_eq!(added.uid, "SVN-UPR4-140.3");
            assert!(
                added
                    .fields
                    .iter()
                    .any(|f| f.field == "recommending_states" && f.new == "Peru")
            );
            assert_eq!(
                plan.changes
                    .iter()
                    .filter(|c| c.change == "unchanged")
                    .count(),
                2
            );

            assert_eq!(all(&store).await, records, "a dry run wrote");
            assert_eq!(store.data_version().await.expect("version"), version);
            store.finish().await;
        }
    })
    .await;
}

/// Two special-procedure reports on one State, each with its paragraph 1 (and 2).
const SP_REPORTS: &str = "state,mechanism,report_symbol,paragraph,text\n\
Turkmenistan,SP,A/HRC/50/10/Add.1,1,Guarantee the independence of the judiciary\n\
Turkmenistan,SP,A/HRC/50/10/Add.1,2,Release all persons detained for their opinions\n\
Turkmenistan,SP,A/HRC/53/25/Add.2,1,Ensure access to safe drinking water in rural areas\n";

#[tokio::test]
async fn imports_keep_paragraph_1_of_two_reports_is_two_recommendations() {
    let both = table(SP_REPORTS);
    let mut lines = SP_REPORTS.lines();
    let header = lines.next().unwrap_or_default();
    let first_report = table(&format!(
        "{header}\n{}\n{}\n",
        lines.next().unwrap_or_default(),
        lines.next().unwrap_or_default()
    ));
    let second_report = table(&format!("{header}\n{}\n", lines.next().unwrap_or_default()));
    each_backend(|db: Db| {
        let (both, first_report, second_report) = (&both, &first_report, &second_report);
        async move {
            // In one file.
            let store = db.open().await;
            let summary = import(&store, both).await;
            assert_eq!(summary.added, 3);
            let records = all(&store).await;
            let mut uids: Vec<&str> = records.iter().map(|r| r.uid.as_str()).collect();
            uids.sort();
            assert_eq!(
                uids,
                [
                    "TKM-SP-A.HRC.50.10.Add.1-1",
                    "TKM-SP-A.HRC.50.10.Add.1-2",
                    "TKM-SP-A.HRC.53.25.Add.2-1"
                ]
            );
            let water = records
                .iter()
                .find(|r| r.uid == "TKM-SP-A.HRC.53.25.Add.2-1")
                .expect("the second report's paragraph 1");
            assert_eq!(water.report_symbol.as_deref(), Some("A/HRC/53/25/Add.2"));
            let again = import(&store, both).await;
            assert_eq!((again.added, again.updated, again.unchanged), (0, 0, 3));
            store.finish().await;

            // One report after the other.
            let store = db.open().await;
            import(&store, first_report).await;
            let summary = import(&store, second_report).await;
            assert_eq!((summary.added, summary.updated), (1, 0));
            let texts: Vec<String> = all(&store).await.into_iter().map(|r| r.text).collect();
            assert_eq!(texts.len(), 3, "{texts:?}");
            assert!(texts.contains(&"Guarantee the independence of the judiciary".to_owned()));
            store.finish().await;
        }
    })
    .await;
}

#[tokio::test]
async fn imports_keep_a_translation_is_stored_beside_the_original() {
    let english = table(FULL);
    let russian = table(
        "state,cycle,session,paragraph,text,language\n\
         Slovenia,4,48,140.1,Ратифицировать Факультативный протокол к Конвенции против пыток,ru\n",
    );
    each_backend(|db: Db| {
        let (english, russian) = (&english, &russian);
        async move {
            let store = db.open().await;
            import(&store, english).await;
            let before = all(&store).await;
            let summary = import(&store, russian).await;
            assert_eq!((summary.added, summary.updated), (0, 1));
            let after = all(&store).await;
            let rec = &after[0];
            assert_eq!(
                rec.text,
                "Ratify the Optional Protocol to the Convention against Torture"
            );
            assert_eq!(rec.language, "en");
            assert_eq!(rec.translations.len(), 1);
            assert_eq!(rec.translations[0].language, "ru");
            assert_eq!(
                rec.translations[0].text,
                "Ратифицировать Факультативный протокол к Конвенции против пыток"
            );
            assert_eq!(rec.translations[0].source, "t.csv");
            let mut expected = before[0].clone();
            expected.translations = rec.translations.clone();
            assert_eq!(*rec, expected, "the translation changed the original");
            // The same translation again changes nothing.
            let version = store.data_version().await.expect("version");
            let again = import(&store, russian).await;
            assert_eq!((again.updated, again.unchanged), (0, 1));
            assert_eq!(store.data_version().await.expect("version"), version);
            store.finish().await;
        }
    })
    .await;
}

#[tokio::test]
async fn imports_keep_a_reimport_that_changes_nothing_keeps_the_data_version() {
    let full = table(FULL);
    let partial = mapped(
        "No.,Recommendation\n140.1,Ratify the Optional Protocol to the Convention against Torture\n",
        &[("paragraph", "No."), ("text", "Recommendation")],
    );
    each_backend(|db: Db| {
        let (full, partial) = (&full, &partial);
        async move {
            let store = db.open().await;
            import(&store, full).await;
            let version = store.data_version().await.expect("version");
            assert_ne!(version, "0");
            let again = import(&store, full).await;
            assert_eq!((again.added, again.updated, again.unchanged), (0, 0, 2));
            assert_eq!(store.data_version().await.expect("version"), version);
            import(&store, partial).await;
            assert_eq!(store.data_version().await.expect("version"), version);
            let mut conn = store.raw_connection().await;
            let runs: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM import_runs")
                .fetch_one(&mut conn)
                .await
                .expect("count");
            assert_eq!(runs, 1, "an import that changed nothing left a run");
            drop(conn);
            // A change still bumps it.
            let changed = table(&FULL.replace(",en,pending,", ",en,supported,"));
            import(&store, &changed).await;
            assert_ne!(store.data_version().await.expect("version"), version);
            store.finish().await;
        }
    })
    .await;
}

#[tokio::test]
async fn imports_keep_an_official_text_becomes_the_original_and_keeps_the_other() {
    let russian = table(
        "state,cycle,session,paragraph,text,language\n\
         Slovenia,4,48,140.1,Ратифицировать Факультативный протокол к Конвенции против пыток,ru\n",
    );
    // The official matrix's text (built as a table, then marked as the matrix it stands for).
    let mut official = table(
        "state,cycle,session,paragraph,text,language\n\
         Slovenia,4,48,140.1,Ratify the Optional Protocol to the Convention against Torture,en\n",
    );
    official.format = hrtrack_domain::SourceFormat::OhchrMatrix;
    each_backend(|db: Db| {
        let (russian, official) = (&russian, &official);
        async move {
            let store = db.open().await;
            import(&store, russian).await;
            import(&store, official).await;
            let records = all(&store).await;
            assert_eq!(records.len(), 1);
            let rec = &records[0];
            assert_eq!(
                (rec.text.as_str(), rec.language.as_str()),
                (
                    "Ratify the Optional Protocol to the Convention against Torture",
                    "en"
                )
            );
            assert_eq!(rec.translations.len(), 1, "{rec:?}");
            assert_eq!(rec.translations[0].language, "ru");
            assert_eq!(
                rec.translations[0].text,
                "Ратифицировать Факультативный протокол к Конвенции против пыток"
            );
            store.finish().await;
        }
    })
    .await;
}
