//! Accounts that nobody can lock out and tokens that die with the password: sign-in
//! throttling per (name, client) with back-off and a client-wide cap, its atomic reservation
//! under parallel guesses, its purge, the administrator's unlock, and API tokens revoked by a
//! password change and by an administrator.

use hrtrack_db::roadmap::{
    ALL_NAMES, Actor, AuditFilter, FREE_ATTEMPTS_PER_CLIENT, FREE_ATTEMPTS_PER_NAME, LoginAttempt,
    MAX_WAIT_MS, NewUser, RESET_MS, wait_after,
};
use hrtrack_db::{Store, StoreError};
use hrtrack_domain::Role;

use crate::support::each_backend;

/// A fixed "now" (ms since the epoch): tests pass time in, they never wait for it.
const T0: i64 = 1_800_000_000_000;

fn system() -> Actor {
    Actor::system("test")
}

async fn user(store: &Store, name: &str) -> i64 {
    store
        .create_user(
            &system(),
            NewUser {
                name: name.to_owned(),
                display_name: name.to_owned(),
                email: String::new(),
                role: Role::Administrator,
                institutions: vec![],
                password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".to_owned(),
            },
        )
        .await
        .unwrap_or_else(|e| panic!("user {name}: {e}"))
        .id
}

async fn attempt(store: &Store, name: &str, client: &str, now: i64) -> LoginAttempt {
    store
        .reserve_login_attempt(name, client, now)
        .await
        .unwrap_or_else(|e| panic!("reserve {name} from {client:?}: {e}"))
}

fn throttled(answer: LoginAttempt) -> i64 {
    match answer {
        LoginAttempt::Throttled { retry_after_ms } => retry_after_ms,
        LoginAttempt::Allowed => panic!("expected a throttled attempt"),
    }
}

#[test]
fn accounts_back_off_doubles_up_to_fifteen_minutes() {
    assert_eq!(wait_after(4, 5), 0);
    assert_eq!(wait_after(5, 5), 1_000);
    assert_eq!(wait_after(6, 5), 2_000);
    assert_eq!(wait_after(7, 5), 4_000);
    assert_eq!(wait_after(14, 5), 512_000);
    assert_eq!(wait_after(15, 5), MAX_WAIT_MS);
    assert_eq!(wait_after(i64::MAX, 5), MAX_WAIT_MS);
}

#[tokio::test]
async fn accounts_an_attacker_cannot_lock_out_the_admin() {
    each_backend(|db| async move {
        let store = db.open().await;
        user(&store, "admin").await;
        // The attacker's five failures are free; the sixth attempt waits 1 s, then 2 s, 4 s.
        for _ in 0..FREE_ATTEMPTS_PER_NAME {
            assert_eq!(
                attempt(&store, "admin", "6.6.6.6", T0).await,
                LoginAttempt::Allowed
            );
        }
        assert_eq!(
            throttled(attempt(&store, "admin", "6.6.6.6", T0).await),
            1_000
        );
        assert_eq!(
            throttled(attempt(&store, "admin", "6.6.6.6", T0 + 999).await),
            1
        );
        assert_eq!(
            attempt(&store, "admin", "6.6.6.6", T0 + 1_000).await,
            LoginAttempt::Allowed
        );
        assert_eq!(
            throttled(attempt(&store, "admin", "6.6.6.6", T0 + 1_000).await),
            2_000
        );
        assert_eq!(
            attempt(&store, "admin", "6.6.6.6", T0 + 3_000).await,
            LoginAttempt::Allowed
        );
        assert_eq!(
            throttled(attempt(&store, "admin", "6.6.6.6", T0 + 3_000).await),
            4_000
        );
        // Meanwhile the administrator, from their own address, is never held back.
        assert_eq!(
            attempt(&store, "admin", "10.0.0.7", T0 + 3_000).await,
            LoginAttempt::Allowed
        );
        store
            .login_succeeded("admin", "10.0.0.7")
            .await
            .expect("success");
        let counts = store.login_throttles("admin").await.expect("counts");
        assert_eq!(counts.len(), 1, "{counts:?}");
        assert_eq!(counts[0].client, "6.6.6.6");
        assert_eq!(counts[0].failures, 7);
        store.finish().await;
    })
    .await;
}

#[tokio::test]
async fn accounts_one_client_is_capped_over_all_names() {
    each_backend(|db| async move {
        let store = db.open().await;
        // Spraying one guess at many names: the client-wide count stops it.
        for i in 0..FREE_ATTEMPTS_PER_CLIENT {
            assert_eq!(
                attempt(&store, &format!("name{i}"), "6.6.6.6", T0).await,
                LoginAttempt::Allowed,
                "attempt {i}"
            );
        }
        assert_eq!(
            throttled(attempt(&store, "fresh", "6.6.6.6", T0).await),
            1_000
        );
        // The refused attempt was not counted against that name.
        assert!(
            store
                .login_throttles("fresh")
                .await
                .expect("counts")
                .is_empty()
        );
        // Another client is not concerned.
        assert_eq!(
            attempt(&store, "fresh", "10.0.0.7", T0).await,
            LoginAttempt::Allowed
        );
        // A success gives the client-wide count its attempt back.
        let all = |store: &Store, client: &'static str| {
            let store = store.clone();
            async move {
                store
                    .login_throttles(ALL_NAMES)
                    .await
                    .expect("counts")
                    .into_iter()
                    .find(|c| c.client == client)
                    .map_or(0, |c| c.failures)
            }
        };
        assert_eq!(all(&store, "10.0.0.7").await, 1);
        store
            .login_succeeded("fresh", "10.0.0.7")
            .await
            .expect("success");
        assert_eq!(all(&store, "10.0.0.7").await, 0);
        store.finish().await;
    })
    .await;
}

#[tokio::test]
async fn accounts_parallel_guesses_get_exactly_the_free_checks() {
    each_backend(|db| async move {
        let store = db.open().await;
        let guesses = (0..60).map(|_| {
            let store = store.clone();
            tokio::spawn(async move { store.reserve_login_attempt("admin", "6.6.6.6", T0).await })
        });
        let mut allowed = 0;
        for guess in guesses.collect::<Vec<_>>() {
            match guess.await.expect("task") {
                Ok(LoginAttempt::Allowed) => allowed += 1,
                Ok(LoginAttempt::Throttled { .. }) => {}
                Err(e) => panic!("reserve: {e}"),
            }
        }
        assert_eq!(allowed, FREE_ATTEMPTS_PER_NAME, "real password checks");
        let counts = store.login_throttles("admin").await.expect("counts");
        assert_eq!(counts[0].failures, FREE_ATTEMPTS_PER_NAME);
        store.finish().await;
    })
    .await;
}

#[tokio::test]
async fn accounts_old_counts_are_forgotten_and_purged() {
    each_backend(|db| async move {
        let store = db.open().await;
        for _ in 0..FREE_ATTEMPTS_PER_NAME {
            attempt(&store, "old", "6.6.6.6", T0).await;
        }
        assert_eq!(store.login_throttles("old").await.expect("counts").len(), 1);
        // An hour later, any attempt purges the idle rows; the name starts afresh.
        let later = T0 + RESET_MS + 1;
        attempt(&store, "someone", "10.0.0.9", later).await;
        assert!(
            store
                .login_throttles("old")
                .await
                .expect("counts")
                .is_empty(),
            "idle counts must be purged"
        );
        assert!(
            store
                .login_throttles(ALL_NAMES)
                .await
                .expect("counts")
                .iter()
                .all(|c| c.client != "6.6.6.6")
        );
        assert_eq!(
            attempt(&store, "old", "6.6.6.6", later).await,
            LoginAttempt::Allowed
        );
        store.finish().await;
    })
    .await;
}

#[tokio::test]
async fn accounts_unlock_clears_every_client_and_is_audited() {
    each_backend(|db| async move {
        let store = db.open().await;
        let admin = user(&store, "admin").await;
        for client in ["6.6.6.6", "7.7.7.7"] {
            for _ in 0..=FREE_ATTEMPTS_PER_NAME {
                attempt(&store, "admin", client, T0).await;
            }
        }
        assert_eq!(
            store.login_throttles("admin").await.expect("counts").len(),
            2
        );
        let cleared = store
            .unlock_login(&Actor::system("cli"), admin)
            .await
            .expect("unlock");
        assert_eq!(cleared, 2);
        assert!(
            store
                .login_throttles("admin")
                .await
                .expect("counts")
                .is_empty()
        );
        assert_eq!(
            attempt(&store, "admin", "6.6.6.6", T0).await,
            LoginAttempt::Allowed
        );
        let (entries, _) = store
            .audit_log(&AuditFilter {
                entity: Some("user".into()),
                entity_id: Some(admin.to_string()),
                action: Some("unlock".into()),
                limit: 10,
                ..AuditFilter::default()
            })
            .await
            .expect("audit");
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].user_name, "system:cli");
        assert!(matches!(
            store.unlock_login(&system(), 9_999).await,
            Err(StoreError::NotFound(_))
        ));
        store.finish().await;
    })
    .await;
}

#[tokio::test]
async fn accounts_tokens_die_with_the_password_and_by_the_administrator() {
    each_backend(|db| async move {
        let store = db.open().await;
        let alice = user(&store, "alice").await;
        let actor = system();
        store
            .create_api_token(&actor, alice, "script", "digest-1")
            .await
            .expect("token");
        store
            .create_session(alice, "session-1", "csrf", "2999-01-01T00:00:00Z")
            .await
            .expect("session");
        assert!(
            store
                .user_by_api_token("digest-1")
                .await
                .expect("lookup")
                .is_some(),
            "the token works before the change"
        );
        assert!(store.session("session-1").await.expect("lookup").is_some());
        store
            .set_password(&actor, alice, "$argon2id$new")
            .await
            .expect("new password");
        assert!(
            store
                .user_by_api_token("digest-1")
                .await
                .expect("lookup")
                .is_none(),
            "a token made with the old password must die with it"
        );
        assert!(store.session("session-1").await.expect("lookup").is_none());

        store
            .create_api_token(&actor, alice, "script 2", "digest-2")
            .await
            .expect("token");
        store
            .create_api_token(&actor, alice, "script 3", "digest-3")
            .await
            .expect("token");
        let admin = Actor::system("admin");
        assert_eq!(
            store
                .revoke_user_api_tokens(&admin, alice)
                .await
                .expect("revoke"),
            2
        );
        for digest in ["digest-2", "digest-3"] {
            assert!(
                store
                    .user_by_api_token(digest)
                    .await
                    .expect("lookup")
                    .is_none()
            );
        }
        let tokens = store.api_tokens(alice).await.expect("tokens");
        assert_eq!(tokens.len(), 3, "{tokens:?}");
        assert!(tokens.iter().all(|t| t.revoked_at.is_some()));
        let (entries, _) = store
            .audit_log(&AuditFilter {
                entity: Some("user".into()),
                action: Some("revoke_tokens".into()),
                limit: 10,
                ..AuditFilter::default()
            })
            .await
            .expect("audit");
        assert_eq!(entries.len(), 1);
        assert!(matches!(
            store.revoke_user_api_tokens(&admin, 9_999).await,
            Err(StoreError::NotFound(_))
        ));
        store.finish().await;
    })
    .await;
}
