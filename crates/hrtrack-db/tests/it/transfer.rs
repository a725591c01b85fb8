//! Whole-database transfers: `copy_into` moves every table (registry, Roadmap with evidence
//! bytes, SDG data and published versions, accounts with sessions and tokens, the audit log,
//! meta, import runs) from SQLite to the backend under test and back, ids and values intact,
//! and refuses a target that holds data; `backup_to` on SQLite keeps rows another connection
//! committed that are still only in the WAL; `open_backup` refuses files that are not hrtrack
//! databases; a backup restored into a fresh store equals its source.

use hrtrack_db::roadmap::{
    ActionInput, Actor, AuditFilter, InstitutionInput, NewEvidence, NewUser, ReportInput,
    RoadmapInput,
};
use hrtrack_db::sdg_collection::{Decision, SubmissionInput};
use hrtrack_db::{Store, StoreError};
use hrtrack_domain::{ActionStatus, Date, InstitutionKind, Role};
use hrtrack_sdg::open_sdg;

use crate::support::{Db, each_backend, import, turkmenistan};

const INDICATOR_FILE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../data/sdg-timeseries/kazakhstan-open-sdg/indicator_5-5-1.csv"
);

/// What [`fill`] wrote that the tests look up again.
struct Filled {
    evidence_id: i64,
    evidence: Vec<u8>,
    token_digest: String,
    user_name: String,
}

fn d(text: &str) -> Date {
    Date::parse(text).unwrap_or_else(|e| panic!("{e}"))
}

/// A database with something in every part: the registry (Turkmenistan's UPR Info file), an
/// SDG import and a published submission, an administrator with a session and an API token,
/// an institution, a roadmap, an action, a report with an evidence file, and the audit
/// entries all of that wrote.
async fn fill(store: &Store) -> Filled {
    import(store, &turkmenistan()).await;
    let system = Actor::system("test");

    let bytes = std::fs::read(INDICATOR_FILE).unwrap_or_else(|e| panic!("{INDICATOR_FILE}: {e}"));
    let dataset = open_sdg::read(&bytes, "indicator_5-5-1.csv")
        .unwrap_or_else(|e| panic!("read {INDICATOR_FILE}: {e:?}"));
    store
        .import_sdg(std::slice::from_ref(&dataset), &mut |_| {})
        .await
        .unwrap_or_else(|e| panic!("SDG import: {e}"));

    let ministry = store
        .create_institution(
            &system,
            InstitutionInput {
                code: "MOJ".to_owned(),
                name: "Ministry of Justice".to_owned(),
                name_ru: "Министерство юстиции".to_owned(),
                name_tk: "Adalatçylyk ministrligi".to_owned(),
                kind: InstitutionKind::Ministry,
                archived: false,
            },
        )
        .await
        .expect("institution");
    let admin = store
        .create_user(
            &system,
            NewUser {
                name: "admin".to_owned(),
                display_name: "Administrator".to_owned(),
                email: "admin@example.org".to_owned(),
                role: Role::Administrator,
                institutions: vec![ministry.id],
                password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".to_owned(),
            },
        )
        .await
        .expect("user");
    let actor = Actor::user(admin.id, &admin.name);
    let token_digest = "cd".repeat(32);
    store
        .create_api_token(&system, admin.id, "backup test", &token_digest)
        .await
        .expect("token");
    store
        .create_session(admin.id, &"ef".repeat(32), "csrf", "2999-01-01T00:00:00Z")
        .await
        .expect("session");
    store
        .reserve_login_attempt("admin", "192.0.2.1", now_ms())
        .await
        .expect("login attempt");

    let mut observations = dataset.observations.clone();
    if let Some(first) = observations.first_mut() {
        first.value = Some(42.5);
    }
    let submission = store
        .submit_sdg_data(
            &actor,
            SubmissionInput {
                indicator: "5.5.1".to_owned(),
                file_name: "indicator_5-5-1.csv".to_owned(),
                format: "open_sdg".to_owned(),
                note: "corrected 2010".to_owned(),
                observations,
                report: serde_json::json!({}),
                errors: 0,
                warnings: 0,
                institution_id: Some(ministry.id),
                base_version: None,
            },
        )
        .await
        .expect("submission");
    store
        .decide_sdg_submission(
            &actor,
            submission.id,
            submission.version,
            Decision::Approve { publish_at: None },
        )
        .await
        .expect("approval");

    let roadmap = store
        .create_roadmap(
            &system,
            RoadmapInput {
                title: "National Action Plan".to_owned(),
                description: String::new(),
                review: Some("TKM/UPR/2".to_owned()),
                followup_months: 12,
                reviewers: Vec::new(),
                archived: false,
            },
        )
        .await
        .expect("roadmap");
    let action = store
        .create_action(
            &system,
            roadmap.id,
            ActionInput {
                title: "Train judges".to_owned(),
                description: "Ten courses".to_owned(),
                expected_outcome: String::new(),
                lead_institution_id: ministry.id,
                supporting_institutions: Vec::new(),
                partners: Vec::new(),
                start_date: d("2025-01-01"),
                end_date: d("2025-12-31"),
                cost: "1000.50".to_owned(),
                currency: "TMT".to_owned(),
                funding_source: String::new(),
                status: ActionStatus::Planned,
                published: true,
                recommendations: Vec::new(),
                clusters: Vec::new(),
                sdg_targets: vec!["5.5".to_owned()],
                archived: false,
            },
        )
        .await
        .expect("action");
    let report = store
        .create_report(
            &actor,
            action.id,
            d("2025-12-31"),
            ReportInput {
                narrative: "Done.".to_owned(),
                values: Vec::new(),
            },
        )
        .await
        .expect("report");
    // Every byte value, zeros included, and more than one batch of a driver's buffer.
    let evidence: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    let file = store
        .add_evidence(
            &actor,
            report.id,
            NewEvidence::File {
                title: "Participants".to_owned(),
                file_name: "participants.pdf".to_owned(),
                media_type: "application/pdf".to_owned(),
                sha256: "ab".repeat(32),
                content: evidence.clone(),
                public: true,
            },
        )
        .await
        .expect("evidence");
    Filled {
        evidence_id: file.id,
        evidence,
        token_digest,
        user_name: admin.name,
    }
}

fn institution(code: &str) -> InstitutionInput {
    InstitutionInput {
        code: code.to_owned(),
        name: format!("Institution {code}"),
        name_ru: String::new(),
        name_tk: String::new(),
        kind: InstitutionKind::Agency,
        archived: false,
    }
}

async fn audit_total(store: &Store) -> i64 {
    store
        .audit_log(&AuditFilter {
            limit: 1,
            ..Default::default()
        })
        .await
        .expect("audit log")
        .1
}

/// Every table's count in `a` equals `b`'s, and the tables that `fill` writes are not empty.
async fn assert_same_counts(a: &Store, b: &Store, what: &str) {
    let left = a.table_counts().await.expect("counts");
    let right = b.table_counts().await.expect("counts");
    assert_eq!(left, right, "{what}: table counts differ");
    for table in [
        "reviews",
        "recommendations",
        "users",
        "sessions",
        "api_tokens",
        "login_throttle",
        "institutions",
        "roadmaps",
        "actions",
        "action_sdg_targets",
        "progress_reports",
        "evidence",
        "audit_log",
        "sdg_datasets",
        "sdg_series",
        "sdg_observations",
        "sdg_submissions",
        "sdg_versions",
        "import_runs",
        "meta",
        "countries",
    ] {
        let n = left.iter().find(|(t, _)| t == table).map(|(_, n)| *n);
        assert!(
            n.is_some_and(|n| n > 0),
            "{what}: table {table} should hold rows, has {n:?}"
        );
    }
}

/// The values a user sees: the evidence bytes, the token's user, the published version, the
/// audit log, the registry.
async fn assert_same_values(source: &Store, target: &Store, filled: &Filled, what: &str) {
    let read = target
        .evidence_file(filled.evidence_id)
        .await
        .unwrap_or_else(|e| panic!("{what}: evidence: {e}"));
    assert!(
        read.content == filled.evidence,
        "{what}: evidence bytes differ"
    );
    assert_eq!(
        read.evidence,
        source
            .evidence_file(filled.evidence_id)
            .await
            .expect("evidence")
            .evidence
    );
    let user = target
        .user_by_api_token(&filled.token_digest)
        .await
        .expect("token lookup")
        .unwrap_or_else(|| panic!("{what}: the API token does not authenticate"));
    assert_eq!(user.name, filled.user_name);
    assert_eq!(
        target.sdg_versions("5.5.1").await.expect("versions"),
        source.sdg_versions("5.5.1").await.expect("versions"),
        "{what}: SDG versions"
    );
    assert_eq!(audit_total(target).await, audit_total(source).await);
    let all = hrtrack_db::RecommendationFilter::default();
    assert_eq!(
        target.list(&all, None, 0).await.expect("list"),
        source.list(&all, None, 0).await.expect("list"),
        "{what}: recommendations"
    );
    assert_eq!(
        target.sdg_series(None).await.expect("series"),
        source.sdg_series(None).await.expect("series"),
        "{what}: SDG series"
    );
}

#[tokio::test]
async fn transfer_copy_moves_everything_there_and_back() {
    each_backend(|db| async move {
        let source = Db::Sqlite.open().await;
        let filled = fill(&source).await;
        let target = db.open().await;

        let report = source.copy_into(&target, false).await.expect("copy");
        assert!(report.tables.iter().all(|t| t.source == t.target));
        assert!(!report.tables.iter().any(|t| t.table == "_sqlx_migrations"));
        let position = |name: &str| {
            report
                .tables
                .iter()
                .position(|t| t.table == name)
                .unwrap_or_else(|| panic!("{name} not copied"))
        };
        assert!(
            position("users") < position("api_tokens"),
            "foreign-key order"
        );
        assert!(
            position("progress_reports") < position("evidence"),
            "foreign-key order"
        );
        assert_same_counts(&source, &target, "SQLite -> target").await;
        assert_same_values(&source, &target, &filled, "SQLite -> target").await;

        // A target with data is refused, and keeps what it had.
        let before = target.table_counts().await.expect("counts");
        match source.copy_into(&target, false).await {
            Err(StoreError::Conflict(message)) => {
                assert!(message.contains("already holds data"), "{message}")
            }
            other => panic!("a second copy should be refused, got {other:?}"),
        }
        assert_eq!(target.table_counts().await.expect("counts"), before);

        // And back, into a fresh SQLite database.
        let back = Db::Sqlite.open().await;
        target.copy_into(&back, false).await.expect("copy back");
        assert_same_counts(&target, &back, "target -> SQLite").await;
        assert_same_values(&target, &back, &filled, "target -> SQLite").await;

        // --force replaces everything, the append-only audit log included.
        let other = Db::Sqlite.open().await;
        import(&other, &turkmenistan()).await;
        for code in ["X", "Y", "Z"] {
            other
                .create_institution(&Actor::system("test"), institution(code))
                .await
                .expect("institution");
        }
        other.copy_into(&target, true).await.expect("forced copy");
        assert_eq!(
            target.table_counts().await.expect("counts"),
            other.table_counts().await.expect("counts"),
            "forced copy"
        );
        assert_eq!(audit_total(&target).await, audit_total(&other).await);
        assert!(matches!(
            target.evidence_file(filled.evidence_id).await,
            Err(StoreError::NotFound(_))
        ));

        // New rows after a copy get new ids: on PostgreSQL the sequences were moved past the
        // copied ones (before, the next id would have been 2, taken by "Y").
        let added = target
            .create_institution(&Actor::system("test"), institution("NEW"))
            .await
            .expect("a new institution after the copy");
        assert_eq!(added.id, 4);

        other.finish().await;
        back.finish().await;
        target.finish().await;
        source.finish().await;
    })
    .await;
}

/// `n` rows of `login_throttle` counted in `store`.
async fn failures(store: &Store) -> i64 {
    store
        .table_counts()
        .await
        .expect("counts")
        .into_iter()
        .find(|(t, _)| t == "login_throttle")
        .map_or(-1, |(_, n)| n)
}

#[tokio::test]
async fn transfer_backup_of_a_live_sqlite_database_keeps_what_is_in_the_wal() {
    use sqlx::Connection;
    let store = Db::Sqlite.open().await;
    fill(&store).await;
    let dir = tempfile::tempdir().expect("a temporary directory");

    // Another connection commits 50 rows and leaves 7 more uncommitted while the backup runs;
    // the store's pool stays open, so nothing is checkpointed into the main file.
    let mut writer = store.raw_connection().await;
    let mut tx = writer.begin().await.expect("begin");
    for i in 0..50 {
        sqlx::query(
            "INSERT INTO login_throttle (name, client, failures, blocked_ms, updated_ms) \
             VALUES ($1, '', 1, 0, $2)",
        )
        .bind(format!("committed-{i}"))
        .bind(now_ms())
        .execute(&mut *tx)
        .await
        .expect("insert");
    }
    tx.commit().await.expect("commit");
    let mut open = writer.begin().await.expect("begin");
    for i in 0..7 {
        sqlx::query(
            "INSERT INTO login_throttle (name, client, failures, blocked_ms, updated_ms) \
             VALUES ($1, '', 1, 0, $2)",
        )
        .bind(format!("uncommitted-{i}"))
        .bind(now_ms())
        .execute(&mut *open)
        .await
        .expect("insert");
    }
    let expected = failures(&store).await;
    assert_eq!(
        expected, 52,
        "the fill's two throttle rows (name and client) and the 50 committed"
    );

    // The bug this replaces: the main file alone, copied without its -wal, lacks them.
    let main_file = store.sqlite_file().expect("a SQLite store has a file");
    let plain = dir.path().join("plain-copy.db");
    std::fs::copy(&main_file, &plain).expect("copy the main file");
    // (Here the whole schema is still in the WAL: the file alone is no hrtrack database.)
    match Store::open_backup(&plain).await {
        Err(e) => assert!(e.to_string().contains("plain-copy.db"), "{e}"),
        Ok(plain_store) => {
            assert!(
                failures(&plain_store).await < expected,
                "the main file alone was expected to miss the rows still in the WAL"
            );
            plain_store.close().await;
        }
    }

    let file = dir.path().join("backup.db");
    let counts = store.backup_to(&file, false).await.expect("backup");
    open.rollback().await.expect("rollback");
    writer.close().await.expect("close");
    let backup = Store::open_backup(&file).await.expect("open the backup");
    assert_eq!(failures(&backup).await, expected);
    assert_eq!(backup.table_counts().await.expect("counts"), counts);
    assert_eq!(counts, store.table_counts().await.expect("counts"));
    backup.close().await;
    assert!(!dir.path().join("backup.db.partial").exists());

    // An existing file is kept unless --force.
    let before = std::fs::read(&file).expect("the backup");
    match store.backup_to(&file, false).await {
        Err(StoreError::Conflict(message)) => {
            assert!(message.contains("already exists"), "{message}")
        }
        other => panic!("overwriting a backup should be refused, got {other:?}"),
    }
    assert!(std::fs::read(&file).expect("the backup") == before);
    store.backup_to(&file, true).await.expect("forced backup");
    store.finish().await;
}

#[tokio::test]
async fn transfer_backup_and_restore_round_trip() {
    each_backend(|db| async move {
        let source = db.open().await;
        let filled = fill(&source).await;
        let dir = tempfile::tempdir().expect("a temporary directory");
        let file = dir.path().join("hrtrack-backup.db");
        // On PostgreSQL this is the portable backup: a SQLite file made by the copy.
        let counts = source.backup_to(&file, false).await.expect("backup");
        assert_eq!(counts, source.table_counts().await.expect("counts"));

        let backup = Store::open_backup(&file).await.expect("open the backup");
        let target = db.open().await;
        let report = backup.copy_into(&target, false).await.expect("restore");
        assert!(report.total() > 0);
        backup.close().await;
        assert_same_counts(&source, &target, "restored").await;
        assert_same_values(&source, &target, &filled, "restored").await;
        target.finish().await;
        source.finish().await;
    })
    .await;
}

#[tokio::test]
async fn transfer_restore_refuses_what_is_not_an_hrtrack_backup() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let missing = dir.path().join("missing.db");
    let text = dir.path().join("notes.db");
    std::fs::write(
        &text,
        "this is not a database, but it is long enough to have a header ".repeat(20),
    )
    .expect("write");
    let other = dir.path().join("other.db");
    {
        use sqlx::Connection;
        let mut conn =
            sqlx::AnyConnection::connect(&format!("sqlite://{}?mode=rwc", other.display()))
                .await
                .expect("create a SQLite file");
        sqlx::query("CREATE TABLE t (x INTEGER)")
            .execute(&mut conn)
            .await
            .expect("create");
        conn.close().await.expect("close");
    }
    for (file, part) in [
        (&missing, "no such file"),
        (&text, "notes.db"),
        (&other, "not an hrtrack database"),
    ] {
        match Store::open_backup(file).await {
            Err(StoreError::Invalid(message)) => {
                assert!(
                    message.contains(part),
                    "{}: {message:?} lacks {part:?}",
                    file.display()
                )
            }
            Err(other) => panic!("{}: expected Invalid, got {other}", file.display()),
            Ok(_) => panic!("{} should be refused", file.display()),
        }
    }
}

#[tokio::test]
async fn transfer_a_value_that_does_not_fit_stops_the_copy_and_changes_nothing() {
    each_backend(|db| async move {
        let source = Db::Sqlite.open().await;
        import(&source, &turkmenistan()).await;
        // SQLite keeps whatever it is given: text in an integer column.
        let mut raw = source.raw_connection().await;
        let id: i64 = sqlx::query_scalar("SELECT MAX(id) FROM reviews")
            .fetch_one(&mut raw)
            .await
            .expect("a review");
        sqlx::query("UPDATE reviews SET session = 'twelve' WHERE id = $1")
            .bind(id)
            .execute(&mut raw)
            .await
            .expect("update");
        let target = db.open().await;
        let before = target.table_counts().await.expect("counts");
        match source.copy_into(&target, false).await {
            Err(StoreError::Invalid(message)) => {
                for part in [
                    "table reviews",
                    &format!("id = {id}"),
                    "column session",
                    "\"twelve\"",
                    "nothing was written",
                ] {
                    assert!(message.contains(part), "{message:?} lacks {part:?}");
                }
            }
            other => panic!("the copy should be refused, got {other:?}"),
        }
        assert_eq!(target.table_counts().await.expect("counts"), before);
        target.finish().await;
        source.finish().await;
    })
    .await;
}

#[tokio::test]
async fn transfer_restore_refuses_a_backup_of_another_version() {
    use sqlx::Connection;
    let store = Db::Sqlite.open().await;
    let dir = tempfile::tempdir().expect("a temporary directory");
    for (name, change, part) in [
        (
            "newer.db",
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
             VALUES (9999, 'future', 1, x'00', 0)",
            "newer hrtrack (migration 9999",
        ),
        (
            "older.db",
            "DELETE FROM _sqlx_migrations WHERE version = (SELECT MAX(version) FROM _sqlx_migrations)",
            "older hrtrack",
        ),
        (
            "changed.db",
            "UPDATE _sqlx_migrations SET checksum = x'00' WHERE version = 1",
            "migration 1 differs",
        ),
    ] {
        let file = dir.path().join(name);
        store.backup_to(&file, false).await.expect("backup");
        let mut conn = sqlx::AnyConnection::connect(&format!("sqlite://{}", file.display()))
            .await
            .expect("open the backup");
        sqlx::query(change)
            .execute(&mut conn)
            .await
            .unwrap_or_else(|e| panic!("{change}: {e}"));
        conn.close().await.expect("close");
        match Store::open_backup(&file).await {
            Err(StoreError::Invalid(message)) => {
                assert!(message.contains(part), "{message:?} lacks {part:?}");
                assert!(message.contains(name), "{message:?} lacks {name:?}");
            }
            Err(other) => panic!("{name}: expected Invalid, got {other}"),
            Ok(_) => panic!("{name} should be refused"),
        }
    }
    store.finish().await;
}

/// Now, in milliseconds since the Unix epoch, as the sign-in throttle counts time.
fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}
