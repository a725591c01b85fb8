//! The Roadmap's store: users and their access (sessions, API tokens, failed logins),
//! institutions, roadmaps tied to a review, clusters, actions, indicators and their due dates,
//! the progress-report workflow with its inbox messages, evidence, concurrent updates,
//! assessments and their roll-ups, the reporting calendar and the UN deadlines, and the
//! append-only audit trail. Every test runs on SQLite and, with `HRTRACK_TEST_POSTGRES`, on
//! PostgreSQL; recommendations come from Turkmenistan's UPR Info file (or, where a roll-up
//! needs themes, SDG goals and a review date, from a small table whose answers are known by
//! construction).

use std::fmt::Debug;

use hrtrack_db::roadmap::{
    ActionInput, Actor, AssessmentInput, AuditFilter, ClusterInput, IndicatorInput, Institution,
    InstitutionInput, NewEvidence, NewUser, ReportInput, ReportValue, RoadmapInput,
    RollupDimension, User, UserUpdate,
};
use hrtrack_db::{Store, StoreError};
use hrtrack_domain::{
    ActionStatus, AssessmentStatus, Date, Frequency, ImplementationLevel, InstitutionKind, Period,
    ReportStatus, Role,
};
use serde_json::json;

use crate::support::{each_backend, import, review, table, turkmenistan, uids};

/// A roll-up row as (key, (level, count)…, assessed), for comparing.
type RollupView = (String, Vec<(ImplementationLevel, i64)>, i64);

const FAR_FUTURE: &str = "2999-01-01T00:00:00Z";

fn system() -> Actor {
    Actor::system("test")
}

fn as_actor(user: &User) -> Actor {
    Actor::user(user.id, &user.name)
}

fn d(text: &str) -> Date {
    Date::parse(text).unwrap_or_else(|e| panic!("{e}"))
}

fn period(text: &str) -> Period {
    Period::parse(text).unwrap_or_else(|e| panic!("{e}"))
}

/// The error of a call that must fail.
fn refused<T: Debug>(result: Result<T, StoreError>, what: &str) -> StoreError {
    match result {
        Ok(value) => panic!("{what} should be refused, but it gave {value:?}"),
        Err(e) => e,
    }
}

/// An `Invalid` error whose message contains `part`.
fn invalid<T: Debug>(result: Result<T, StoreError>, what: &str, part: &str) {
    match refused(result, what) {
        StoreError::Invalid(message) => {
            assert!(message.contains(part), "{what}: {message:?} lacks {part:?}")
        }
        other => panic!("{what}: expected Invalid, got {other:?}"),
    }
}

fn workflow<T: Debug>(result: Result<T, StoreError>, what: &str) {
    match refused(result, what) {
        StoreError::WorkflowStep(_) => {}
        other => panic!("{what}: expected WorkflowStep, got {other:?}"),
    }
}

fn new_user(name: &str, role: Role, institutions: Vec<i64>) -> NewUser {
    NewUser {
        name: name.to_owned(),
        display_name: format!("{name} (display)"),
        email: format!("{name}@example.org"),
        role,
        institutions,
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".to_owned(),
    }
}

fn update_of(user: &User) -> UserUpdate {
    UserUpdate {
        display_name: user.display_name.clone(),
        email: user.email.clone(),
        role: user.role,
        institutions: user.institutions.clone(),
        archived: user.archived,
    }
}

fn institution_input(code: &str, kind: InstitutionKind) -> InstitutionInput {
    InstitutionInput {
        code: code.to_owned(),
        name: format!("Institution {code}"),
        name_ru: String::new(),
        name_tk: String::new(),
        kind,
        archived: false,
    }
}

fn action_input(title: &str, lead: i64) -> ActionInput {
    ActionInput {
        title: title.to_owned(),
        description: String::new(),
        expected_outcome: String::new(),
        lead_institution_id: lead,
        supporting_institutions: Vec::new(),
        partners: Vec::new(),
        start_date: d("2025-01-01"),
        end_date: d("2025-12-31"),
        cost: String::new(),
        currency: String::new(),
        funding_source: String::new(),
        status: ActionStatus::Planned,
        published: false,
        recommendations: Vec::new(),
        clusters: Vec::new(),
        sdg_targets: Vec::new(),
        archived: false,
    }
}

fn indicator_input(frequency: Frequency) -> IndicatorInput {
    IndicatorInput {
        title: "Judges trained".to_owned(),
        baseline: "0".to_owned(),
        target: "40".to_owned(),
        unit: "people".to_owned(),
        frequency,
        sdg_indicator: None,
        archived: false,
    }
}

fn roadmap_input(review: Option<&str>) -> RoadmapInput {
    RoadmapInput {
        title: "National Action Plan".to_owned(),
        description: String::new(),
        review: review.map(str::to_owned),
        followup_months: 12,
        reviewers: Vec::new(),
        archived: false,
    }
}

fn assessment(uid: &str, period_text: &str, level: ImplementationLevel) -> AssessmentInput {
    AssessmentInput {
        recommendation_uid: uid.to_owned(),
        period: period(period_text),
        level,
        summary: format!("{uid} in {period_text}"),
        shadow: false,
        status: AssessmentStatus::Published,
        reports: Vec::new(),
        archived: false,
    }
}

/// What most tests start from: Turkmenistan's recommendations, three institutions, a
/// coordinator, a focal point of the ministry, a reviewer, and a roadmap on cycle 2.
struct Fixture {
    /// Recommendations of Turkmenistan's second UPR review.
    uids: Vec<String>,
    ministry: Institution,
    agency: Institution,
    partner: Institution,
    coordinator: User,
    focal: User,
    reviewer: User,
    roadmap_id: i64,
}

async fn fixture(store: &Store) -> Fixture {
    import(store, &turkmenistan()).await;
    let records = store
        .list(&review("TKM", 2), None, 0)
        .await
        .expect("list Turkmenistan cycle 2");
    let uids = uids(&records);
    assert!(uids.len() >= 5, "Turkmenistan cycle 2: {uids:?}");
    let actor = system();
    let ministry = store
        .create_institution(&actor, institution_input("MOJ", InstitutionKind::Ministry))
        .await
        .expect("ministry");
    let agency = store
        .create_institution(&actor, institution_input("STAT", InstitutionKind::Agency))
        .await
        .expect("agency");
    let partner = store
        .create_institution(&actor, institution_input("UNDP", InstitutionKind::UnAgency))
        .await
        .expect("partner");
    let coordinator = store
        .create_user(&actor, new_user("coord", Role::Coordinator, vec![]))
        .await
        .expect("coordinator");
    let focal = store
        .create_user(
            &actor,
            new_user("focal", Role::FocalPoint, vec![ministry.id]),
        )
        .await
        .expect("focal point");
    let reviewer = store
        .create_user(&actor, new_user("nhri", Role::Reviewer, vec![]))
        .await
        .expect("reviewer");
    let roadmap = store
        .create_roadmap(&actor, roadmap_input(Some("TKM/UPR/2")))
        .await
        .expect("roadmap");
    Fixture {
        uids,
        ministry,
        agency,
        partner,
        coordinator,
        focal,
        reviewer,
        roadmap_id: roadmap.id,
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

#[tokio::test]
async fn users_sessions_and_tokens() {
    each_backend(|db| async move {
        let store = db.open().await;
        let actor = system();
        let ministry = store
            .create_institution(&actor, institution_input("MOJ", InstitutionKind::Ministry))
            .await
            .expect("ministry");
        let alice = store
            .create_user(
                &actor,
                new_user("alice", Role::FocalPoint, vec![ministry.id]),
            )
            .await
            .expect("create alice");
        assert_eq!(alice.name, "alice");
        assert_eq!(alice.role, Role::FocalPoint);
        assert_eq!(alice.institutions, vec![ministry.id]);
        assert!(!alice.archived);
        assert_eq!(store.user(alice.id).await.expect("read alice"), alice);
        let (found, hash) = store
            .user_with_password("alice")
            .await
            .expect("by name")
            .expect("alice exists");
        assert_eq!(found.id, alice.id);
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(
            store
                .user_with_password("nobody")
                .await
                .expect("by name")
                .is_none()
        );

        invalid(
            store
                .create_user(&actor, new_user("alice", Role::Coordinator, vec![]))
                .await,
            "a second alice",
            "taken",
        );
        invalid(
            store
                .create_user(&actor, new_user("a b", Role::Coordinator, vec![]))
                .await,
            "a login name with a space",
            "login name",
        );
        invalid(
            store
                .create_user(&actor, new_user("ghost", Role::FocalPoint, vec![9_999]))
                .await,
            "an unknown institution",
            "9999",
        );
        assert_eq!(store.count_users().await.expect("count"), 1);

        // An update from the current version goes through; a second one from the same
        // version is stale and carries the record as it now is.
        let mut update = update_of(&alice);
        update.display_name = "Alice A.".to_owned();
        let updated = store
            .update_user(&actor, alice.id, alice.version, update.clone())
            .await
            .expect("update alice");
        assert_eq!(updated.display_name, "Alice A.");
        assert_eq!(updated.version, alice.version + 1);
        update.display_name = "Alice B.".to_owned();
        match refused(
            store
                .update_user(&actor, alice.id, alice.version, update)
                .await,
            "a stale update",
        ) {
            StoreError::StaleVersion {
                entity,
                id,
                current,
            } => {
                assert_eq!(entity, "user");
                assert_eq!(id, alice.id);
                assert_eq!(current["version"], json!(updated.version));
                assert_eq!(current["display_name"], json!("Alice A."));
            }
            other => panic!("expected StaleVersion, got {other:?}"),
        }
        assert_eq!(
            store.user(alice.id).await.expect("alice").display_name,
            "Alice A."
        );

        // Sessions: found by digest; archiving the user ends them for good.
        store
            .create_session(alice.id, "digest-a1", "csrf-a1", FAR_FUTURE)
            .await
            .expect("session");
        let session = store
            .session("digest-a1")
            .await
            .expect("session")
            .expect("live");
        assert_eq!(session.user.id, alice.id);
        assert_eq!(session.csrf_token, "csrf-a1");
        assert!(
            store
                .session("digest-other")
                .await
                .expect("lookup")
                .is_none()
        );
        store
            .create_session(alice.id, "digest-old", "csrf", "2000-01-01T00:00:00Z")
            .await
            .expect("expired session");
        assert!(store.session("digest-old").await.expect("lookup").is_none());
        store.end_session("digest-a1").await.expect("logout");
        assert!(store.session("digest-a1").await.expect("lookup").is_none());

        store
            .create_session(alice.id, "digest-a2", "csrf-a2", FAR_FUTURE)
            .await
            .expect("session");
        let token = store
            .create_api_token(&actor, alice.id, "script", "token-digest-a")
            .await
            .expect("token");
        assert_eq!(
            store
                .user_by_api_token("token-digest-a")
                .await
                .expect("token lookup")
                .map(|u| u.id),
            Some(alice.id)
        );
        let listed = store.api_tokens(alice.id).await.expect("tokens");
        assert_eq!(listed.len(), 1);
        assert!(listed[0].last_used_at.is_some(), "{listed:?}");
        assert!(
            store
                .user_by_api_token("no-such")
                .await
                .expect("lookup")
                .is_none()
        );

        let current = store.user(alice.id).await.expect("alice");
        let mut archive = update_of(&current);
        archive.archived = true;
        let archived = store
            .update_user(&actor, alice.id, current.version, archive)
            .await
            .expect("archive alice");
        assert!(archived.archived);
        assert!(store.session("digest-a2").await.expect("lookup").is_none());
        assert!(
            store
                .user_by_api_token("token-digest-a")
                .await
                .expect("lookup")
                .is_none(),
            "an archived user's token must be refused"
        );
        // Un-archiving does not bring the ended session back.
        let mut restore = update_of(&archived);
        restore.archived = false;
        let restored = store
            .update_user(&actor, alice.id, archived.version, restore)
            .await
            .expect("restore alice");
        assert!(store.session("digest-a2").await.expect("lookup").is_none());
        assert!(
            store
                .user_by_api_token("token-digest-a")
                .await
                .expect("lookup")
                .is_some()
        );

        // Revoked tokens are refused, and revoking twice is an error.
        store
            .revoke_api_token(&actor, alice.id, token.id)
            .await
            .expect("revoke");
        assert!(
            store
                .user_by_api_token("token-digest-a")
                .await
                .expect("lookup")
                .is_none()
        );
        assert!(
            store.api_tokens(alice.id).await.expect("tokens")[0]
                .revoked_at
                .is_some()
        );
        assert!(matches!(
            store.revoke_api_token(&actor, alice.id, token.id).await,
            Err(StoreError::NotFound(_))
        ));

        // A new password ends every session.
        store
            .create_session(alice.id, "digest-a3", "csrf-a3", FAR_FUTURE)
            .await
            .expect("session");
        assert!(store.session("digest-a3").await.expect("lookup").is_some());
        store
            .set_password(&actor, alice.id, "$argon2id$new")
            .await
            .expect("set password");
        assert!(store.session("digest-a3").await.expect("lookup").is_none());
        let (after, hash) = store
            .user_with_password("alice")
            .await
            .expect("by name")
            .expect("alice");
        assert_eq!(hash, "$argon2id$new");
        assert_eq!(after.version, restored.version + 1);
        assert!(matches!(
            store.set_password(&actor, 9_999, "x").await,
            Err(StoreError::NotFound(_))
        ));

        store.finish().await;
    })
    .await;
}

#[tokio::test]
async fn institutions() {
    each_backend(|db| async move {
        let store = db.open().await;
        let actor = system();
        let mut input = institution_input("MFA", InstitutionKind::Ministry);
        input.name = "Ministry of Foreign Affairs".to_owned();
        input.name_ru = "Министерство иностранных дел".to_owned();
        let mfa = store
            .create_institution(&actor, input.clone())
            .await
            .expect("create");
        assert_eq!(mfa.code, "MFA");
        assert_eq!(mfa.kind, InstitutionKind::Ministry);
        assert_eq!(mfa.name_in("ru"), "Министерство иностранных дел");
        assert_eq!(mfa.name_in("tk"), "Ministry of Foreign Affairs");
        assert_eq!(store.institution(mfa.id).await.expect("read"), mfa);
        invalid(
            store.create_institution(&actor, input.clone()).await,
            "a duplicate code",
            "taken",
        );
        invalid(
            store
                .create_institution(&actor, institution_input("A B", InstitutionKind::Other))
                .await,
            "a code with a space",
            "institution code",
        );
        let nhri = store
            .create_institution(&actor, institution_input("OMB", InstitutionKind::Nhri))
            .await
            .expect("create");

        let mut archive = input.clone();
        archive.archived = true;
        let archived = store
            .update_institution(&actor, mfa.id, mfa.version, archive.clone())
            .await
            .expect("archive");
        assert!(archived.archived);
        assert_eq!(archived.version, mfa.version + 1);
        match refused(
            store
                .update_institution(&actor, mfa.id, mfa.version, archive)
                .await,
            "a stale update",
        ) {
            StoreError::StaleVersion { current, .. } => {
                assert_eq!(current["version"], json!(archived.version))
            }
            other => panic!("expected StaleVersion, got {other:?}"),
        }
        let mut clash = institution_input("OMB", InstitutionKind::Ministry);
        clash.archived = true;
        invalid(
            store
                .update_institution(&actor, mfa.id, archived.version, clash)
                .await,
            "taking another institution's code",
            "taken",
        );
        let live: Vec<i64> = store
            .institutions(false)
            .await
            .expect("list")
            .iter()
            .map(|i| i.id)
            .collect();
        assert_eq!(live, vec![nhri.id]);
        assert_eq!(store.institutions(true).await.expect("list").len(), 2);
        invalid(
            store
                .create_user(&actor, new_user("fp", Role::FocalPoint, vec![mfa.id]))
                .await,
            "a user of an archived institution",
            "archived",
        );
        store.finish().await;
    })
    .await;
}

#[tokio::test]
async fn roadmaps_and_clusters() {
    each_backend(|db| async move {
        let store = db.open().await;
        let f = fixture(&store).await;
        let actor = system();
        let roadmap = store.roadmap(f.roadmap_id).await.expect("roadmap");
        assert_eq!(roadmap.review.as_deref(), Some("TKM/UPR/2"));
        let lower = store
            .create_roadmap(&actor, roadmap_input(Some("tkm/upr/1")))
            .await
            .expect("lower-case review");
        assert_eq!(lower.review.as_deref(), Some("TKM/UPR/1"));
        let free = store
            .create_roadmap(&actor, roadmap_input(None))
            .await
            .expect("a roadmap without a review");
        assert_eq!(free.review, None);
        invalid(
            store
                .create_roadmap(&actor, roadmap_input(Some("TKM-UPR-2")))
                .await,
            "a review without slashes",
            "ISO3/MECHANISM/CYCLE",
        );
        invalid(
            store
                .create_roadmap(&actor, roadmap_input(Some("TKM/UPR/two")))
                .await,
            "a review with a bad cycle",
            "cycle",
        );
        invalid(
            store
                .create_roadmap(&actor, roadmap_input(Some("TKM/UPR/4")))
                .await,
            "a review not in the registry",
            "TKM/UPR/4",
        );
        let mut with_focal = roadmap_input(None);
        with_focal.reviewers = vec![f.focal.id];
        invalid(
            store.create_roadmap(&actor, with_focal).await,
            "a focal point as reviewer",
            "not a reviewer",
        );
        let mut with_reviewer = roadmap_input(None);
        with_reviewer.reviewers = vec![f.reviewer.id];
        let reviewed = store
            .create_roadmap(&actor, with_reviewer)
            .await
            .expect("with a reviewer");
        assert_eq!(reviewed.reviewers, vec![f.reviewer.id]);
        let listed: Vec<i64> = store
            .roadmaps(false)
            .await
            .expect("roadmaps")
            .iter()
            .map(|m| m.id)
            .collect();
        assert_eq!(listed, vec![reviewed.id, free.id, lower.id, roadmap.id]);

        let picked = vec![f.uids[1].clone(), f.uids[0].clone(), f.uids[1].clone()];
        let cluster = store
            .create_cluster(
                &actor,
                f.roadmap_id,
                ClusterInput {
                    title: "Justice".to_owned(),
                    recommendations: picked,
                    ..Default::default()
                },
            )
            .await
            .expect("cluster");
        let mut expected = vec![f.uids[0].clone(), f.uids[1].clone()];
        expected.sort();
        assert_eq!(cluster.recommendations, expected);
        assert_eq!(store.cluster(cluster.id).await.expect("cluster"), cluster);
        assert_eq!(
            store.clusters(f.roadmap_id).await.expect("clusters"),
            vec![cluster.clone()]
        );
        let unknown = "TKM-UPR2-999.99";
        invalid(
            store
                .create_cluster(
                    &actor,
                    f.roadmap_id,
                    ClusterInput {
                        title: "Nothing".to_owned(),
                        recommendations: vec![f.uids[0].clone(), unknown.to_owned()],
                        ..Default::default()
                    },
                )
                .await,
            "an unknown recommendation",
            unknown,
        );
        assert!(matches!(
            store
                .create_cluster(
                    &actor,
                    9_999,
                    ClusterInput {
                        title: "Orphan".to_owned(),
                        ..Default::default()
                    }
                )
                .await,
            Err(StoreError::NotFound(_))
        ));
        let archived = store
            .update_cluster(
                &actor,
                cluster.id,
                cluster.version,
                ClusterInput {
                    title: "Justice".to_owned(),
                    recommendations: cluster.recommendations.clone(),
                    archived: true,
                    ..Default::default()
                },
            )
            .await
            .expect("archive cluster");
        assert!(archived.archived);
        assert!(
            store
                .clusters(f.roadmap_id)
                .await
                .expect("clusters")
                .is_empty()
        );
        store.finish().await;
    })
    .await;
}

#[tokio::test]
async fn actions_and_indicators() {
    each_backend(|db| async move {
        let store = db.open().await;
        let f = fixture(&store).await;
        let actor = system();
        let other_roadmap = store
            .create_roadmap(&actor, roadmap_input(None))
            .await
            .expect("second roadmap");
        let cluster = store
            .create_cluster(
                &actor,
                f.roadmap_id,
                ClusterInput {
                    title: "Justice".to_owned(),
                    recommendations: vec![f.uids[2].clone()],
                    ..Default::default()
                },
            )
            .await
            .expect("cluster");
        let foreign = store
            .create_cluster(
                &actor,
                other_roadmap.id,
                ClusterInput {
                    title: "Elsewhere".to_owned(),
                    ..Default::default()
                },
            )
            .await
            .expect("cluster of the other roadmap");

        let mut input = action_input("Train judges", f.ministry.id);
        input.supporting_institutions = vec![f.agency.id];
        input.partners = vec![f.partner.id];
        input.recommendations = vec![f.uids[0].clone()];
        input.clusters = vec![cluster.id];
        input.sdg_targets = vec!["16.3".to_owned()];
        input.cost = "12 000".to_owned();
        input.currency = "TMT".to_owned();
        let led = store
            .create_action(&actor, f.roadmap_id, input.clone())
            .await
            .expect("action");
        assert_eq!(led.supporting_institutions, vec![f.agency.id]);
        assert_eq!(led.partners, vec![f.partner.id]);
        assert_eq!(led.recommendations, vec![f.uids[0].clone()]);
        assert_eq!(led.clusters, vec![cluster.id]);
        assert_eq!(led.sdg_targets, vec!["16.3".to_owned()]);
        assert_eq!(store.action(led.id).await.expect("read"), led);
        assert!(led.involves(f.ministry.id));
        assert!(led.involves(f.agency.id));
        assert!(!led.involves(f.partner.id), "partners do not report");

        let mut bad = input.clone();
        bad.end_date = d("2024-12-31");
        invalid(
            store.create_action(&actor, f.roadmap_id, bad).await,
            "an end before the start",
            "before the start",
        );
        let mut bad = input.clone();
        bad.supporting_institutions = vec![f.agency.id, f.ministry.id];
        invalid(
            store.create_action(&actor, f.roadmap_id, bad).await,
            "a lead also supporting",
            "lead institution",
        );
        let mut bad = input.clone();
        bad.sdg_targets = vec!["16.99".to_owned()];
        invalid(
            store.create_action(&actor, f.roadmap_id, bad).await,
            "an unknown SDG target",
            "16.99",
        );
        let mut bad = input.clone();
        bad.clusters = vec![foreign.id];
        invalid(
            store.create_action(&actor, f.roadmap_id, bad).await,
            "a cluster of another roadmap",
            &format!("cluster {}", foreign.id),
        );
        let mut bad = input.clone();
        bad.recommendations = vec!["TKM-UPR2-999.99".to_owned()];
        invalid(
            store.create_action(&actor, f.roadmap_id, bad).await,
            "an unknown recommendation",
            "TKM-UPR2-999.99",
        );
        let mut bad = input.clone();
        bad.cost = "a lot".to_owned();
        invalid(
            store.create_action(&actor, f.roadmap_id, bad).await,
            "a cost that is not an amount",
            "cost",
        );

        // The agency leads one action, the ministry supports another and partners a third.
        let mut supported = action_input("Publish statistics", f.agency.id);
        supported.supporting_institutions = vec![f.ministry.id];
        supported.start_date = d("2025-02-01");
        let supported = store
            .create_action(&actor, f.roadmap_id, supported)
            .await
            .expect("supported action");
        let mut partnered = action_input("Survey", f.agency.id);
        partnered.partners = vec![f.ministry.id];
        partnered.start_date = d("2025-03-01");
        let partnered = store
            .create_action(&actor, f.roadmap_id, partnered)
            .await
            .expect("partnered action");
        let ids = |actions: Vec<hrtrack_db::roadmap::Action>| -> Vec<i64> {
            actions.iter().map(|a| a.id).collect()
        };
        assert_eq!(
            ids(store
                .actions(None, Some(f.ministry.id))
                .await
                .expect("actions")),
            vec![led.id, supported.id]
        );
        assert_eq!(
            ids(store
                .actions(None, Some(f.agency.id))
                .await
                .expect("actions")),
            vec![led.id, supported.id, partnered.id]
        );
        assert!(
            store
                .actions(None, Some(f.partner.id))
                .await
                .expect("actions")
                .is_empty()
        );
        assert_eq!(
            ids(store
                .actions(Some(f.roadmap_id), None)
                .await
                .expect("actions")),
            vec![led.id, supported.id, partnered.id]
        );
        assert_eq!(
            ids(store
                .actions(Some(f.roadmap_id), Some(f.ministry.id))
                .await
                .expect("actions")),
            vec![led.id, supported.id]
        );
        assert!(
            store
                .actions(Some(other_roadmap.id), None)
                .await
                .expect("actions")
                .is_empty()
        );
        // Linked directly, or through a cluster.
        assert_eq!(
            ids(store
                .actions_of_recommendation(&f.uids[0])
                .await
                .expect("by uid")),
            vec![led.id]
        );
        assert_eq!(
            ids(store
                .actions_of_recommendation(&f.uids[2])
                .await
                .expect("by uid")),
            vec![led.id]
        );

        // Without indicators an action is due yearly, i.e. at its end here.
        assert_eq!(
            store.due_dates_of_action(&led).await.expect("due dates"),
            vec![d("2025-12-31")]
        );
        let indicator = store
            .create_indicator(&actor, led.id, indicator_input(Frequency::Quarterly))
            .await
            .expect("indicator");
        assert_eq!(indicator.frequency, Frequency::Quarterly);
        assert_eq!(
            store.indicators(led.id).await.expect("indicators"),
            vec![indicator.clone()]
        );
        assert_eq!(
            store.due_dates_of_action(&led).await.expect("due dates"),
            vec![
                d("2025-04-01"),
                d("2025-07-01"),
                d("2025-10-01"),
                d("2025-12-31")
            ]
        );
        let mut bad = indicator_input(Frequency::Yearly);
        bad.sdg_indicator = Some("99.9.9".to_owned());
        invalid(
            store.create_indicator(&actor, led.id, bad).await,
            "an unknown SDG indicator",
            "99.9.9",
        );
        let mut archive = indicator_input(Frequency::Quarterly);
        archive.archived = true;
        store
            .update_indicator(&actor, indicator.id, indicator.version, archive)
            .await
            .expect("archive indicator");
        assert!(
            store
                .indicators(led.id)
                .await
                .expect("indicators")
                .is_empty()
        );
        assert_eq!(
            store.due_dates_of_action(&led).await.expect("due dates"),
            vec![d("2025-12-31")]
        );
        store.finish().await;
    })
    .await;
}

#[tokio::test]
async fn progress_report_workflow() {
    each_backend(|db| async move {
        let store = db.open().await;
        let f = fixture(&store).await;
        let admin = system();
        let focal = as_actor(&f.focal);
        let coordinator = as_actor(&f.coordinator);
        let action = store
            .create_action(
                &admin,
                f.roadmap_id,
                action_input("Train judges", f.ministry.id),
            )
            .await
            .expect("action");
        let indicator = store
            .create_indicator(&admin, action.id, indicator_input(Frequency::Quarterly))
            .await
            .expect("indicator");

        invalid(
            store
                .create_report(&focal, action.id, d("2025-05-01"), ReportInput::default())
                .await,
            "a report on a day that is not due",
            "not a due date",
        );
        let report = store
            .create_report(
                &focal,
                action.id,
                d("2025-04-01"),
                ReportInput {
                    narrative: String::new(),
                    values: vec![ReportValue {
                        indicator_id: indicator.id,
                        value: "3".to_owned(),
                    }],
                },
            )
            .await
            .expect("draft");
        assert_eq!(report.status, ReportStatus::Draft);
        assert_eq!(report.author_id, Some(f.focal.id));
        assert_eq!(report.author_name.as_deref(), Some("focal (display)"));
        assert_eq!(report.values.len(), 1);
        invalid(
            store
                .create_report(&focal, action.id, d("2025-04-01"), ReportInput::default())
                .await,
            "a second report for the same due date",
            "already has report",
        );
        invalid(
            store
                .transition_report(
                    &focal,
                    report.id,
                    report.version,
                    ReportStatus::Submitted,
                    None,
                )
                .await,
            "submitting an empty narrative",
            "narrative",
        );
        invalid(
            store
                .update_report(
                    &focal,
                    report.id,
                    report.version,
                    ReportInput {
                        narrative: "x".to_owned(),
                        values: vec![ReportValue {
                            indicator_id: 9_999,
                            value: "1".to_owned(),
                        }],
                    },
                )
                .await,
            "a value of another action's indicator",
            "9999",
        );
        let edited = store
            .update_report(
                &focal,
                report.id,
                report.version,
                ReportInput {
                    narrative: "Ten judges trained in Ashgabat.".to_owned(),
                    values: vec![ReportValue {
                        indicator_id: indicator.id,
                        value: "10".to_owned(),
                    }],
                },
            )
            .await
            .expect("edit");
        assert_eq!(edited.version, report.version + 1);
        assert_eq!(edited.values[0].value, "10");
        assert!(matches!(
            store
                .update_report(&focal, report.id, report.version, ReportInput::default())
                .await,
            Err(StoreError::StaleVersion { .. })
        ));

        assert!(
            store
                .inbox(f.coordinator.id, 10)
                .await
                .expect("inbox")
                .is_empty()
        );
        let submitted = store
            .transition_report(
                &focal,
                report.id,
                edited.version,
                ReportStatus::Submitted,
                None,
            )
            .await
            .expect("submit");
        assert_eq!(submitted.status, ReportStatus::Submitted);
        assert!(submitted.submitted_at.is_some());
        let inbox = store.inbox(f.coordinator.id, 10).await.expect("inbox");
        assert_eq!(inbox.len(), 1, "{inbox:?}");
        assert!(inbox[0].subject.starts_with("Submitted"), "{inbox:?}");
        assert_eq!(inbox[0].link, format!("/roadmap/reports/{}", report.id));
        assert_eq!(
            store
                .unread_messages(f.coordinator.id)
                .await
                .expect("unread"),
            1
        );
        store
            .mark_read(f.coordinator.id, inbox[0].id)
            .await
            .expect("read");
        assert_eq!(
            store
                .unread_messages(f.coordinator.id)
                .await
                .expect("unread"),
            0
        );
        assert!(store.inbox(f.focal.id, 10).await.expect("inbox").is_empty());

        workflow(
            store
                .update_report(
                    &focal,
                    report.id,
                    submitted.version,
                    ReportInput {
                        narrative: "changed after submitting".to_owned(),
                        values: Vec::new(),
                    },
                )
                .await,
            "an edit after submitting",
        );
        invalid(
            store
                .transition_report(
                    &coordinator,
                    report.id,
                    submitted.version,
                    ReportStatus::Returned,
                    None,
                )
                .await,
            "a return without a comment",
            "comment",
        );
        invalid(
            store
                .transition_report(
                    &coordinator,
                    report.id,
                    submitted.version,
                    ReportStatus::Returned,
                    Some("   "),
                )
                .await,
            "a return with a blank comment",
            "comment",
        );
        let returned = store
            .transition_report(
                &coordinator,
                report.id,
                submitted.version,
                ReportStatus::Returned,
                Some("Attach the list of participants."),
            )
            .await
            .expect("return");
        assert_eq!(returned.status, ReportStatus::Returned);
        assert_eq!(returned.comments.len(), 1);
        assert_eq!(
            returned.comments[0].body,
            "Attach the list of participants."
        );
        assert_eq!(
            returned.comments[0].author_name.as_deref(),
            Some("coord (display)")
        );
        let inbox = store.inbox(f.focal.id, 10).await.expect("inbox");
        assert_eq!(inbox.len(), 1, "{inbox:?}");
        assert!(
            inbox[0].body.contains("Attach the list of participants."),
            "{inbox:?}"
        );

        let fixed = store
            .update_report(
                &focal,
                report.id,
                returned.version,
                ReportInput {
                    narrative: "Ten judges trained; list attached.".to_owned(),
                    values: vec![ReportValue {
                        indicator_id: indicator.id,
                        value: "10".to_owned(),
                    }],
                },
            )
            .await
            .expect("edit once returned");
        let resubmitted = store
            .transition_report(
                &focal,
                report.id,
                fixed.version,
                ReportStatus::Submitted,
                None,
            )
            .await
            .expect("resubmit");
        assert_eq!(
            store
                .inbox(f.coordinator.id, 10)
                .await
                .expect("inbox")
                .len(),
            2
        );
        workflow(
            store
                .transition_report(
                    &coordinator,
                    report.id,
                    resubmitted.version,
                    ReportStatus::Published,
                    None,
                )
                .await,
            "publishing a report that is not validated",
        );
        let validated = store
            .transition_report(
                &coordinator,
                report.id,
                resubmitted.version,
                ReportStatus::Validated,
                None,
            )
            .await
            .expect("validate");
        assert!(validated.validated_at.is_some());
        assert!(!store.action(action.id).await.expect("action").published);
        let published = store
            .transition_report(
                &coordinator,
                report.id,
                validated.version,
                ReportStatus::Published,
                None,
            )
            .await
            .expect("publish");
        assert_eq!(published.status, ReportStatus::Published);
        assert!(published.published_at.is_some());
        assert_eq!(published.comments.len(), 1, "the return's comment is kept");
        let now_published = store.action(action.id).await.expect("action");
        assert!(now_published.published);
        assert_eq!(now_published.version, action.version + 1);
        let (entries, total) = store
            .audit_log(&AuditFilter {
                entity: Some("action".to_owned()),
                entity_id: Some(action.id.to_string()),
                action: Some("publish".to_owned()),
                limit: 10,
                ..Default::default()
            })
            .await
            .expect("audit");
        assert_eq!(total, 1);
        assert_eq!(entries[0].user_name, f.coordinator.name);
        assert_eq!(
            entries[0].changes,
            json!({"published": {"old": false, "new": true}})
        );
        // The author heard of the return, the validation and the publication.
        assert_eq!(store.inbox(f.focal.id, 10).await.expect("inbox").len(), 3);
        // The report's own trail: create, 2 updates, submit, return, resubmit, validate, publish.
        let (entries, total) = store
            .audit_log(&AuditFilter {
                entity: Some("progress_report".to_owned()),
                entity_id: Some(report.id.to_string()),
                limit: 100,
                ..Default::default()
            })
            .await
            .expect("audit");
        assert_eq!(total, 8, "{entries:#?}");
        let steps: Vec<&str> = entries.iter().rev().map(|e| e.action.as_str()).collect();
        assert_eq!(
            steps,
            vec![
                "create",
                "update",
                "submitted",
                "returned",
                "update",
                "submitted",
                "validated",
                "published"
            ]
        );
        let returned_entry = &entries[4];
        assert_eq!(returned_entry.action, "returned");
        assert_eq!(
            returned_entry.changes["status"],
            json!({"old": "submitted", "new": "returned"})
        );
        assert_eq!(
            returned_entry.changes["comment"],
            json!({"new": "Attach the list of participants."})
        );

        // A draft can be neither published nor validated.
        let draft = store
            .create_report(&focal, action.id, d("2025-07-01"), ReportInput::default())
            .await
            .expect("second draft");
        for next in [
            ReportStatus::Published,
            ReportStatus::Validated,
            ReportStatus::Returned,
        ] {
            workflow(
                store
                    .transition_report(&coordinator, draft.id, draft.version, next, Some("why"))
                    .await,
                &format!("draft → {next}"),
            );
        }
        let listed = store
            .reports(&hrtrack_db::roadmap::ReportFilter {
                action_id: Some(action.id),
                ..Default::default()
            })
            .await
            .expect("reports");
        let listed: Vec<(i64, ReportStatus)> = listed.iter().map(|r| (r.id, r.status)).collect();
        assert_eq!(
            listed,
            vec![
                (draft.id, ReportStatus::Draft),
                (report.id, ReportStatus::Published)
            ]
        );
        store.finish().await;
    })
    .await;
}

#[tokio::test]
async fn concurrent_updates_of_one_action() {
    each_backend(|db| async move {
        let store = db.open().await;
        let f = fixture(&store).await;
        let actor = system();
        let action = store
            .create_action(
                &actor,
                f.roadmap_id,
                action_input("Train judges", f.ministry.id),
            )
            .await
            .expect("action");
        // Several rounds: after the first, the pool holds idle connections, so that both
        // writers really run at once.
        let mut current_action = action;
        for round in 0..5 {
            let mut one = action_input(&format!("Train judges and prosecutors {round}"), f.ministry.id);
            one.cost = "1000".to_owned();
            let mut two = action_input(&format!("Train lawyers {round}"), f.ministry.id);
            two.cost = "2000".to_owned();
            two.supporting_institutions = vec![f.agency.id];
            let (first, second) = tokio::join!(
                store.update_action(&actor, current_action.id, current_action.version, one),
                store.update_action(&actor, current_action.id, current_action.version, two),
            );
            let (winner, current) = match (first, second) {
                (Ok(winner), Err(StoreError::StaleVersion { current, .. }))
                | (Err(StoreError::StaleVersion { current, .. }), Ok(winner)) => (winner, current),
                other => panic!(
                    "round {round} on {}: exactly one update must win, the other be stale: {other:#?}",
                    db.name()
                ),
            };
            assert_eq!(winner.version, current_action.version + 1);
            assert_eq!(current["version"], json!(winner.version));
            assert_eq!(current["title"], json!(winner.title));
            let stored = store.action(current_action.id).await.expect("action");
            assert_eq!(stored, winner, "round {round}: the winner's values are stored");
            current_action = stored;
        }
        let (_, updates) = store
            .audit_log(&AuditFilter {
                entity: Some("action".to_owned()),
                entity_id: Some(current_action.id.to_string()),
                action: Some("update".to_owned()),
                limit: 10,
                ..Default::default()
            })
            .await
            .expect("audit");
        assert_eq!(updates, 5, "only the winners' updates are in the audit log");
        store.finish().await;
    })
    .await;
}

#[tokio::test]
async fn evidence_files_and_links() {
    each_backend(|db| async move {
        let store = db.open().await;
        let f = fixture(&store).await;
        let focal = as_actor(&f.focal);
        let action = store
            .create_action(
                &system(),
                f.roadmap_id,
                action_input("Train judges", f.ministry.id),
            )
            .await
            .expect("action");
        let report = store
            .create_report(
                &focal,
                action.id,
                d("2025-12-31"),
                ReportInput {
                    narrative: "Done.".to_owned(),
                    values: Vec::new(),
                },
            )
            .await
            .expect("draft");
        let content: Vec<u8> = (0..=255u8).chain(0..=255u8).collect();
        let file = store
            .add_evidence(
                &focal,
                report.id,
                NewEvidence::File {
                    title: "Participants".to_owned(),
                    file_name: "participants.pdf".to_owned(),
                    media_type: "application/pdf".to_owned(),
                    sha256: "ab".repeat(32),
                    content: content.clone(),
                    public: false,
                },
            )
            .await
            .expect("file");
        assert_eq!(file.size, 512);
        assert_eq!(file.file_name.as_deref(), Some("participants.pdf"));
        assert_eq!(file.url, None);
        assert!(!file.public);
        let read = store.evidence_file(file.id).await.expect("read back");
        assert_eq!(read.content, content);
        assert_eq!(read.evidence, file);

        for bad in [
            "ftp://example.org/x",
            "javascript:alert(1)",
            "https://a b",
            "",
        ] {
            assert!(
                matches!(
                    store
                        .add_evidence(
                            &focal,
                            report.id,
                            NewEvidence::Link {
                                title: "Bad".to_owned(),
                                url: bad.to_owned(),
                                public: true,
                            },
                        )
                        .await,
                    Err(StoreError::Invalid(_))
                ),
                "{bad:?} must be refused"
            );
        }
        let link = store
            .add_evidence(
                &focal,
                report.id,
                NewEvidence::Link {
                    title: "Press release".to_owned(),
                    url: "https://example.org/news/1".to_owned(),
                    public: true,
                },
            )
            .await
            .expect("link");
        assert_eq!(link.url.as_deref(), Some("https://example.org/news/1"));
        assert!(
            store
                .evidence_file(link.id)
                .await
                .expect("link")
                .content
                .is_empty()
        );
        let attached: Vec<i64> = store
            .report(report.id)
            .await
            .expect("report")
            .evidence
            .iter()
            .map(|e| e.id)
            .collect();
        assert_eq!(attached, vec![file.id, link.id]);

        store
            .archive_evidence(&focal, link.id)
            .await
            .expect("archive");
        assert!(matches!(
            store.evidence_file(link.id).await,
            Err(StoreError::NotFound(_))
        ));
        assert!(matches!(
            store.archive_evidence(&focal, link.id).await,
            Err(StoreError::NotFound(_))
        ));
        let current = store.report(report.id).await.expect("report");
        assert_eq!(current.evidence.len(), 1);

        store
            .transition_report(
                &focal,
                report.id,
                current.version,
                ReportStatus::Submitted,
                None,
            )
            .await
            .expect("submit");
        workflow(
            store
                .add_evidence(
                    &focal,
                    report.id,
                    NewEvidence::Link {
                        title: "Late".to_owned(),
                        url: "https://example.org/late".to_owned(),
                        public: true,
                    },
                )
                .await,
            "evidence on a submitted report",
        );
        workflow(
            store.archive_evidence(&focal, file.id).await,
            "archiving evidence of a submitted report",
        );
        assert_eq!(
            store.evidence_file(file.id).await.expect("kept").content,
            content
        );
        store.finish().await;
    })
    .await;
}

/// Three recommendations of a review with a known date, themes, SDG goals and recommending
/// States, so that each roll-up's answer is known by construction.
const TKM_4: &str = "\
state,cycle,session,date,paragraph,text,position,recommending_states,themes,sdg_goals
Turkmenistan,4,44,2023-11-08,1.1,Ratify the Optional Protocol to the Convention against Torture,supported,France | Chile,A12 Acceptance of international norms,16
Turkmenistan,4,44,2023-11-08,1.2,Adopt a law on violence against women,supported,Germany,A12 Acceptance of international norms,5
Turkmenistan,4,44,2023-11-08,1.3,Guarantee access to safe drinking water,noted,France,E26 Right to water,6
";

#[tokio::test]
async fn assessments_and_rollups() {
    each_backend(|db| async move {
        let store = db.open().await;
        let f = fixture(&store).await;
        import(&store, &table(TKM_4)).await;
        let (r1, r2, r3) = ("TKM-UPR4-1.1", "TKM-UPR4-1.2", "TKM-UPR4-1.3");
        let admin = system();
        let coordinator = as_actor(&f.coordinator);
        let reviewer = as_actor(&f.reviewer);
        use ImplementationLevel::*;

        // R1 is led by the ministry directly, R2 by the agency through a cluster.
        let roadmap = store
            .create_roadmap(&admin, roadmap_input(Some("TKM/UPR/4")))
            .await
            .expect("roadmap");
        let mut direct = action_input("Ratify OPCAT", f.ministry.id);
        direct.recommendations = vec![r1.to_owned()];
        store
            .create_action(&admin, roadmap.id, direct)
            .await
            .expect("action");
        let cluster = store
            .create_cluster(
                &admin,
                roadmap.id,
                ClusterInput {
                    title: "Women".to_owned(),
                    recommendations: vec![r2.to_owned()],
                    ..Default::default()
                },
            )
            .await
            .expect("cluster");
        let mut through = action_input("Draft the law", f.agency.id);
        through.clusters = vec![cluster.id];
        store
            .create_action(&admin, roadmap.id, through)
            .await
            .expect("action");

        let r1_2024 = store
            .create_assessment(&coordinator, assessment(r1, "2024", InProgress))
            .await
            .expect("R1 2024");
        assert!(!r1_2024.shadow);
        assert_eq!(r1_2024.author_id, Some(f.coordinator.id));
        let r1_2025 = store
            .create_assessment(&coordinator, assessment(r1, "2025", PartiallyImplemented))
            .await
            .expect("R1 2025");
        let mut draft = assessment(r1, "2026", FullyImplemented);
        draft.status = AssessmentStatus::Draft;
        let r1_2026 = store
            .create_assessment(&coordinator, draft)
            .await
            .expect("R1 2026 draft");
        invalid(
            store
                .create_assessment(&admin, assessment(r1, "2025", FullyImplemented))
                .await,
            "a second government assessment of R1 for 2025",
            "already assesses",
        );
        let r2_2025 = store
            .create_assessment(&coordinator, assessment(r2, "2025", FullyImplemented))
            .await
            .expect("R2 2025");
        let mut shadow = assessment(r2, "2025", NotStarted);
        shadow.shadow = true;
        let r2_shadow = store
            .create_assessment(&reviewer, shadow.clone())
            .await
            .expect("a reviewer's shadow assessment beside the government's");
        assert!(r2_shadow.shadow);
        assert_eq!(r2_shadow.author_id, Some(f.reviewer.id));
        invalid(
            store.create_assessment(&reviewer, shadow.clone()).await,
            "a second shadow assessment by the same reviewer",
            "already assesses",
        );
        invalid(
            store.create_assessment(&admin, shadow).await,
            "a shadow assessment without an author",
            "author",
        );
        let mut r3_shadow = assessment(r3, "2025", FullyImplemented);
        r3_shadow.shadow = true;
        store
            .create_assessment(&reviewer, r3_shadow)
            .await
            .expect("R3 shadow");
        invalid(
            store
                .create_assessment(&admin, assessment("TKM-UPR4-9.9", "2025", NotStarted))
                .await,
            "an unknown recommendation",
            "TKM-UPR4-9.9",
        );

        let order = |list: Vec<hrtrack_db::roadmap::Assessment>| -> Vec<i64> {
            list.iter().map(|a| a.id).collect()
        };
        assert_eq!(
            order(store.assessments_of(r1).await.expect("R1")),
            vec![r1_2026.id, r1_2025.id, r1_2024.id]
        );
        assert_eq!(
            order(store.assessments_of(r2).await.expect("R2")),
            vec![r2_2025.id, r2_shadow.id]
        );

        let levels = |rows: &[hrtrack_db::roadmap::RollupRow]| -> Vec<RollupView> {
            let mut rows: Vec<_> = rows
                .iter()
                .map(|r| {
                    (
                        r.key.clone(),
                        r.levels.iter().map(|(l, n)| (*l, *n)).collect::<Vec<_>>(),
                        r.assessed,
                    )
                })
                .collect();
            rows.sort();
            rows
        };
        let rollup = |dimension| {
            let store = &store;
            async move {
                let rollup = store.rollup(dimension, None).await.expect("rollup");
                assert_eq!(rollup.dimension, dimension);
                rollup.rows
            }
        };
        assert_eq!(
            levels(&rollup(RollupDimension::Review).await),
            vec![(
                "TKM/UPR/4".to_owned(),
                vec![(PartiallyImplemented, 1), (FullyImplemented, 1)],
                2
            )]
        );
        let themes = rollup(RollupDimension::Theme).await;
        assert_eq!(themes.len(), 1, "{themes:?}");
        assert!(
            themes[0].key.contains("A12") || themes[0].label.contains("Acceptance"),
            "{themes:?}"
        );
        assert_eq!(themes[0].assessed, 2, "{themes:?}");
        assert_eq!(
            levels(&rollup(RollupDimension::SdgGoal).await),
            vec![
                ("16".to_owned(), vec![(PartiallyImplemented, 1)], 1),
                ("5".to_owned(), vec![(FullyImplemented, 1)], 1),
            ]
        );
        let mut by_institution = vec![
            (
                f.ministry.id.to_string(),
                vec![(PartiallyImplemented, 1)],
                1,
            ),
            (f.agency.id.to_string(), vec![(FullyImplemented, 1)], 1),
        ];
        by_institution.sort();
        assert_eq!(
            levels(&rollup(RollupDimension::Institution).await),
            by_institution
        );
        assert_eq!(
            levels(&rollup(RollupDimension::RecommendingState).await),
            vec![
                ("CHL".to_owned(), vec![(PartiallyImplemented, 1)], 1),
                ("DEU".to_owned(), vec![(FullyImplemented, 1)], 1),
                ("FRA".to_owned(), vec![(PartiallyImplemented, 1)], 1),
            ]
        );
        let filtered = store
            .rollup(RollupDimension::Review, Some("tkm/upr/4"))
            .await
            .expect("rollup of one review");
        assert_eq!(filtered.rows.len(), 1);
        assert!(
            store
                .rollup(RollupDimension::Review, Some("TKM/UPR/2"))
                .await
                .expect("rollup of another review")
                .rows
                .is_empty()
        );

        // Publishing the 2026 assessment makes it the latest.
        let mut publish = assessment(r1, "2026", FullyImplemented);
        publish.summary = r1_2026.summary.clone();
        let r1_2026 = store
            .update_assessment(&coordinator, r1_2026.id, r1_2026.version, publish.clone())
            .await
            .expect("publish 2026");
        assert_eq!(r1_2026.status, AssessmentStatus::Published);
        assert_eq!(
            levels(&rollup(RollupDimension::Review).await),
            vec![("TKM/UPR/4".to_owned(), vec![(FullyImplemented, 2)], 2)]
        );
        assert!(matches!(
            store
                .update_assessment(&coordinator, r1_2026.id, r1_2026.version - 1, publish)
                .await,
            Err(StoreError::StaleVersion { .. })
        ));
        store.finish().await;
    })
    .await;
}

#[tokio::test]
async fn calendar_and_un_deadlines() {
    each_backend(|db| async move {
        let store = db.open().await;
        let f = fixture(&store).await;
        import(&store, &table(TKM_4)).await;
        let admin = system();
        let focal = as_actor(&f.focal);
        let quarterly = store
            .create_action(
                &admin,
                f.roadmap_id,
                action_input("Train judges", f.ministry.id),
            )
            .await
            .expect("action");
        store
            .create_indicator(&admin, quarterly.id, indicator_input(Frequency::Quarterly))
            .await
            .expect("indicator");
        let mut supported = action_input("Publish statistics", f.agency.id);
        supported.supporting_institutions = vec![f.ministry.id];
        let supported = store
            .create_action(&admin, f.roadmap_id, supported)
            .await
            .expect("supported");
        let mut partnered = action_input("Survey", f.agency.id);
        partnered.partners = vec![f.partner.id];
        let partnered = store
            .create_action(&admin, f.roadmap_id, partnered)
            .await
            .expect("partnered");

        let today = d("2025-08-01");
        let until = d("2025-12-31");
        let view = |rows: Vec<hrtrack_db::roadmap::DueReport>| -> Vec<(i64, String, bool)> {
            rows.iter()
                .map(|r| (r.action_id, r.due_date.to_string(), r.overdue))
                .collect()
        };
        let ministry = store
            .calendar(Some(f.ministry.id), today, until)
            .await
            .expect("calendar");
        assert_eq!(
            view(ministry),
            vec![
                (quarterly.id, "2025-04-01".to_owned(), true),
                (quarterly.id, "2025-07-01".to_owned(), true),
                (quarterly.id, "2025-10-01".to_owned(), false),
                (quarterly.id, "2025-12-31".to_owned(), false),
                (supported.id, "2025-12-31".to_owned(), false),
            ]
        );
        let agency = store
            .calendar(Some(f.agency.id), today, until)
            .await
            .expect("calendar");
        assert_eq!(
            view(agency),
            vec![
                (supported.id, "2025-12-31".to_owned(), false),
                (partnered.id, "2025-12-31".to_owned(), false),
            ]
        );
        assert!(
            store
                .calendar(Some(f.partner.id), today, until)
                .await
                .expect("calendar")
                .is_empty(),
            "partners owe no reports"
        );
        assert_eq!(
            store
                .calendar(None, today, until)
                .await
                .expect("calendar")
                .len(),
            6
        );
        assert_eq!(
            store
                .calendar(None, today, d("2025-06-30"))
                .await
                .expect("calendar")
                .len(),
            1
        );

        // A submitted report is no longer overdue; a draft still is.
        let april = store
            .create_report(
                &focal,
                quarterly.id,
                d("2025-04-01"),
                ReportInput {
                    narrative: "Done.".to_owned(),
                    values: Vec::new(),
                },
            )
            .await
            .expect("April report");
        store
            .transition_report(
                &focal,
                april.id,
                april.version,
                ReportStatus::Submitted,
                None,
            )
            .await
            .expect("submit");
        let july = store
            .create_report(
                &focal,
                quarterly.id,
                d("2025-07-01"),
                ReportInput::default(),
            )
            .await
            .expect("July draft");
        let ministry = store
            .calendar(Some(f.ministry.id), today, until)
            .await
            .expect("calendar");
        let first = &ministry[0];
        assert_eq!(first.due_date, d("2025-04-01"));
        assert_eq!(first.report_id, Some(april.id));
        assert_eq!(first.report_status, Some(ReportStatus::Submitted));
        assert!(!first.overdue);
        assert!(!first.is_open());
        let second = &ministry[1];
        assert_eq!(second.report_id, Some(july.id));
        assert_eq!(second.report_status, Some(ReportStatus::Draft));
        assert!(second.overdue);

        // UN deadlines: the UPR mid-term report 27 months after the review, the next review
        // 54 months after; a treaty body's follow-up after `followup_months`.
        let upr = store
            .create_roadmap(&admin, roadmap_input(Some("TKM/UPR/4")))
            .await
            .expect("roadmap on the fourth review");
        let deadlines = store.un_deadlines().await.expect("deadlines");
        let ours: Vec<(&str, String, bool)> = deadlines
            .iter()
            .filter(|d| d.roadmap_id == upr.id)
            .map(|d| (d.kind, d.due_date.to_string(), d.approximate))
            .collect();
        assert_eq!(
            ours,
            vec![
                ("upr_mid_term_report", "2026-02-08".to_owned(), false),
                ("upr_next_review", "2028-05-08".to_owned(), false),
            ]
        );
        assert!(deadlines.iter().all(|d| d.review.contains("/UPR/")));
        assert!(
            deadlines.windows(2).all(|w| w[0].due_date <= w[1].due_date),
            "{deadlines:?}"
        );
        // Archived roadmaps have no deadlines.
        let mut archive = roadmap_input(Some("TKM/UPR/4"));
        archive.archived = true;
        store
            .update_roadmap(&admin, upr.id, upr.version, archive)
            .await
            .expect("archive roadmap");
        assert!(
            store
                .un_deadlines()
                .await
                .expect("deadlines")
                .iter()
                .all(|d| d.roadmap_id != upr.id)
        );
        store.finish().await;
    })
    .await;
}

#[tokio::test]
async fn audit_trail_is_complete_and_append_only() {
    each_backend(|db| async move {
        let store = db.open().await;
        let f = fixture(&store).await;
        let admin = system();
        let coordinator = as_actor(&f.coordinator);

        // Every write leaves exactly one entry.
        let mut total = audit_total(&store).await;
        assert_eq!(
            total, 7,
            "the fixture made 3 institutions, 3 users and a roadmap"
        );
        let action = store
            .create_action(
                &coordinator,
                f.roadmap_id,
                action_input("Old title", f.ministry.id),
            )
            .await
            .expect("action");
        total += 1;
        assert_eq!(audit_total(&store).await, total);
        let mut input = action_input("New title", f.ministry.id);
        input.supporting_institutions = vec![f.agency.id];
        let updated = store
            .update_action(&coordinator, action.id, action.version, input)
            .await
            .expect("update");
        total += 1;
        assert_eq!(audit_total(&store).await, total);
        let indicator = store
            .create_indicator(&coordinator, action.id, indicator_input(Frequency::Yearly))
            .await
            .expect("indicator");
        total += 1;
        assert_eq!(audit_total(&store).await, total);
        let mut retitled = indicator_input(Frequency::Yearly);
        retitled.title = "Judges trained (women)".to_owned();
        store
            .update_indicator(&coordinator, indicator.id, indicator.version, retitled)
            .await
            .expect("indicator update");
        total += 1;
        assert_eq!(audit_total(&store).await, total);
        store
            .set_password(&admin, f.focal.id, "$argon2id$secret-hash")
            .await
            .expect("password");
        total += 1;
        assert_eq!(audit_total(&store).await, total);
        store
            .create_api_token(&admin, f.focal.id, "script", "digest")
            .await
            .expect("token");
        total += 1;
        assert_eq!(audit_total(&store).await, total);
        let mut renamed = institution_input("MOJ", InstitutionKind::Ministry);
        renamed.name = "Ministry of Justice".to_owned();
        store
            .update_institution(&admin, f.ministry.id, f.ministry.version, renamed)
            .await
            .expect("institution");
        total += 1;
        assert_eq!(audit_total(&store).await, total);
        // A refused write leaves nothing.
        let _ = store
            .update_action(
                &coordinator,
                action.id,
                action.version,
                action_input("x", f.ministry.id),
            )
            .await
            .expect_err("stale");
        assert_eq!(audit_total(&store).await, total);

        // Old and new values, concretely.
        let (entries, n) = store
            .audit_log(&AuditFilter {
                entity: Some("action".to_owned()),
                entity_id: Some(action.id.to_string()),
                limit: 10,
                ..Default::default()
            })
            .await
            .expect("audit");
        assert_eq!(n, 2);
        assert_eq!(entries[0].action, "update");
        assert_eq!(entries[0].user_id, Some(f.coordinator.id));
        assert_eq!(entries[0].user_name, "coord");
        assert_eq!(
            entries[0].changes["title"],
            json!({"old": "Old title", "new": "New title"})
        );
        assert_eq!(
            entries[0].changes["supporting_institutions"],
            json!({"old": [], "new": [f.agency.id]})
        );
        assert!(
            entries[0].changes.get("version").is_none(),
            "{:?}",
            entries[0]
        );
        assert!(entries[0].changes.get("lead_institution_id").is_none());
        assert_eq!(entries[1].action, "create");
        assert_eq!(entries[1].changes["title"], json!({"new": "Old title"}));
        assert_eq!(updated.title, "New title");

        let (entries, _) = store
            .audit_log(&AuditFilter {
                entity: Some("institution".to_owned()),
                entity_id: Some(f.ministry.id.to_string()),
                action: Some("update".to_owned()),
                limit: 10,
                ..Default::default()
            })
            .await
            .expect("audit");
        assert_eq!(
            entries[0].changes,
            json!({"name": {"old": "Institution MOJ", "new": "Ministry of Justice"}})
        );
        assert_eq!(entries[0].user_id, None);
        assert_eq!(entries[0].user_name, "system:test");

        let (entries, n) = store
            .audit_log(&AuditFilter {
                entity: Some("user".to_owned()),
                entity_id: Some(f.focal.id.to_string()),
                limit: 10,
                ..Default::default()
            })
            .await
            .expect("audit");
        assert_eq!(n, 2);
        assert_eq!(entries[0].action, "change_password");
        assert_eq!(entries[1].action, "create");
        assert_eq!(entries[1].changes["name"], json!({"new": "focal"}));
        assert_eq!(entries[1].changes["role"], json!({"new": "focal_point"}));
        let everything = serde_json::to_string(&entries).expect("json");
        assert!(
            !everything.contains("argon2"),
            "a password hash in the audit log: {everything}"
        );

        // Filters and the total.
        let (by_coordinator, n) = store
            .audit_log(&AuditFilter {
                user_name: Some("coord".to_owned()),
                limit: 100,
                ..Default::default()
            })
            .await
            .expect("audit");
        assert_eq!(n, 4);
        assert!(by_coordinator.iter().all(|e| e.user_name == "coord"));
        let (page, n) = store
            .audit_log(&AuditFilter {
                limit: 3,
                offset: 1,
                ..Default::default()
            })
            .await
            .expect("audit");
        assert_eq!(n, total);
        assert_eq!(page.len(), 3);
        let (all, _) = store
            .audit_log(&AuditFilter {
                limit: 1000,
                ..Default::default()
            })
            .await
            .expect("audit");
        assert_eq!(all.len() as i64, total);
        assert_eq!(page, all[1..4].to_vec());
        assert!(all.windows(2).all(|w| w[0].id > w[1].id), "newest first");
        let (none, n) = store
            .audit_log(&AuditFilter {
                since: Some("2999-01-01".to_owned()),
                limit: 10,
                ..Default::default()
            })
            .await
            .expect("audit");
        assert!(none.is_empty());
        assert_eq!(n, 0);

        // Append-only: the database refuses UPDATE and DELETE, whoever asks.
        let mut raw = store.raw_connection().await;
        let update = sqlx::query("UPDATE audit_log SET user_name = 'someone else'")
            .execute(&mut raw)
            .await;
        assert!(
            update.is_err(),
            "UPDATE audit_log went through on {}",
            db.name()
        );
        let message = update.expect_err("refused").to_string();
        assert!(message.contains("append-only"), "{message}");
        let delete = sqlx::query("DELETE FROM audit_log").execute(&mut raw).await;
        assert!(
            delete.is_err(),
            "DELETE FROM audit_log went through on {}",
            db.name()
        );
        let row: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM audit_log")
            .fetch_one(&mut raw)
            .await
            .expect("count");
        assert_eq!(row.0, total);
        drop(raw);
        let (after, _) = store
            .audit_log(&AuditFilter {
                limit: 1000,
                ..Default::default()
            })
            .await
            .expect("audit");
        assert_eq!(after, all);
        store.finish().await;
    })
    .await;
}
