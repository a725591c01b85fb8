//! `hrtrack institution add` and `hrtrack user add`: what they store (read back through the
//! store, the password checked against its hash), and what they refuse with a message that
//! names the problem and a non-zero exit.

use std::process::Output;

use hrtrack_db::Store;
use hrtrack_db::roadmap::{Institution, User};
use hrtrack_domain::{InstitutionKind, Role};

use crate::common::{Workspace, succeeded};

const GOOD_PASSWORD: &str = "correct horse battery staple";

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The message of a command that must fail (non-zero exit, no panic).
fn failed(output: &Output, what: &str) -> String {
    let message = stderr(output);
    assert!(
        !output.status.success(),
        "{what} succeeded; stderr: {message}"
    );
    assert!(!message.contains("panicked"), "{what} panicked: {message}");
    message
}

/// The users and institutions in the workspace's database.
fn stored(ws: &Workspace) -> (Vec<(User, String)>, Vec<Institution>) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let store = Store::open(ws.db()).await.expect("open the database");
        let mut users = Vec::new();
        for user in store.users().await.expect("users") {
            users.push(
                store
                    .user_with_password(&user.name)
                    .await
                    .expect("user")
                    .expect("listed user exists"),
            );
        }
        let institutions = store.institutions(true).await.expect("institutions");
        store.close().await;
        (users, institutions)
    })
}

fn add_ministry(ws: &Workspace) {
    ws.ok(&[
        "institution",
        "add",
        "MOJ",
        "--name",
        "Ministry of Justice",
        "--kind",
        "ministry",
        "--name-ru",
        "Министерство юстиции",
        "--name-tk",
        "Adalatçylyk ministrligi",
    ]);
}

#[test]
fn institution_add() {
    let ws = Workspace::new();
    let printed = ws.ok(&[
        "institution",
        "add",
        "OMB",
        "--name",
        "Ombudsperson",
        "--kind",
        "nhri",
    ]);
    assert!(printed.contains("OMB"), "{printed}");
    add_ministry(&ws);
    let (_, institutions) = stored(&ws);
    let moj = institutions
        .iter()
        .find(|i| i.code == "MOJ")
        .expect("MOJ stored");
    assert_eq!(moj.name, "Ministry of Justice");
    assert_eq!(moj.name_ru, "Министерство юстиции");
    assert_eq!(moj.name_tk, "Adalatçylyk ministrligi");
    assert_eq!(moj.kind, InstitutionKind::Ministry);
    let omb = institutions
        .iter()
        .find(|i| i.code == "OMB")
        .expect("OMB stored");
    assert_eq!(omb.kind, InstitutionKind::Nhri);
    assert_eq!(omb.name_ru, "");

    let message = failed(
        &ws.run(&[
            "institution",
            "add",
            "MOJ",
            "--name",
            "Again",
            "--kind",
            "ministry",
        ]),
        "a duplicate code",
    );
    assert!(
        message.contains("MOJ") && message.contains("taken"),
        "{message}"
    );
    let message = failed(
        &ws.run(&[
            "institution",
            "add",
            "X",
            "--name",
            "X",
            "--kind",
            "ministery",
        ]),
        "an unknown kind",
    );
    assert!(message.contains("ministery"), "{message}");
    assert!(
        message.contains("civil_society"),
        "the kinds are listed: {message}"
    );
    assert_eq!(stored(&ws).1.len(), 2);
}

#[test]
fn user_add_with_password_from_environment() {
    let ws = Workspace::new();
    add_ministry(&ws);
    ws.ok(&[
        "institution",
        "add",
        "STAT",
        "--name",
        "Statistics",
        "--kind",
        "agency",
    ]);
    let output = ws.run_with(
        &[
            "user",
            "add",
            "aman",
            "--role",
            "focal_point",
            "--institution",
            "MOJ",
            "--institution",
            "STAT",
            "--display-name",
            "Aman Amanov",
            "--email",
            "aman@example.org",
        ],
        &[("HRTRACK_PASSWORD", GOOD_PASSWORD)],
        None,
    );
    let printed = succeeded(&output, &["user", "add", "aman"]);
    assert!(printed.contains("aman"), "{printed}");
    assert!(!printed.contains(GOOD_PASSWORD) && !stderr(&output).contains(GOOD_PASSWORD));

    let (users, institutions) = stored(&ws);
    assert_eq!(users.len(), 1);
    let (user, hash) = &users[0];
    assert_eq!(user.name, "aman");
    assert_eq!(user.role, Role::FocalPoint);
    assert_eq!(user.display_name, "Aman Amanov");
    assert_eq!(user.email, "aman@example.org");
    let mut expected: Vec<i64> = institutions.iter().map(|i| i.id).collect();
    expected.sort_unstable();
    assert_eq!(user.institutions, expected);
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(hrtrack_access::password::verify_password(
        GOOD_PASSWORD,
        hash
    ));
    assert!(!hrtrack_access::password::verify_password(
        "another password",
        hash
    ));
}

#[test]
fn user_add_with_password_on_standard_input() {
    let ws = Workspace::new();
    let output = ws.run_with(
        &["user", "add", "admin", "--role", "administrator"],
        &[],
        Some(&format!("{GOOD_PASSWORD}\n")),
    );
    succeeded(&output, &["user", "add", "admin"]);
    let (users, _) = stored(&ws);
    let (user, hash) = &users[0];
    assert_eq!(user.role, Role::Administrator);
    assert_eq!(user.display_name, "admin");
    assert_eq!(user.institutions, Vec::<i64>::new());
    assert!(hrtrack_access::password::verify_password(
        GOOD_PASSWORD,
        hash
    ));

    // Nothing on standard input and no HRTRACK_PASSWORD: refused, saying how to give one.
    let output = ws.run_with(&["user", "add", "other", "--role", "reviewer"], &[], None);
    let message = failed(&output, "a user without a password");
    assert!(message.contains("HRTRACK_PASSWORD"), "{message}");
    assert_eq!(stored(&ws).0.len(), 1);
}

#[test]
fn weak_password_refused() {
    let ws = Workspace::new();
    let output = ws.run_with(
        &["user", "add", "admin", "--role", "administrator"],
        &[("HRTRACK_PASSWORD", "short")],
        None,
    );
    let message = failed(&output, "a short password");
    assert!(message.contains("too short"), "{message}");
    assert!(message.contains("10"), "the minimum is named: {message}");
    let output = ws.run_with(
        &["user", "add", "administrator", "--role", "administrator"],
        &[("HRTRACK_PASSWORD", "Administrator")],
        None,
    );
    let message = failed(&output, "the user name as password");
    assert!(message.contains("user name"), "{message}");
    assert!(stored(&ws).0.is_empty(), "no user was created");
}

#[test]
fn unknown_role_and_unknown_institution_refused() {
    let ws = Workspace::new();
    let env = [("HRTRACK_PASSWORD", GOOD_PASSWORD)];
    let output = ws.run_with(&["user", "add", "aman", "--role", "boss"], &env, None);
    let message = failed(&output, "an unknown role");
    assert!(message.contains("boss"), "{message}");
    assert!(
        message.contains("focal_point"),
        "the roles are listed: {message}"
    );

    let output = ws.run_with(
        &[
            "user",
            "add",
            "aman",
            "--role",
            "focal_point",
            "--institution",
            "MOJ",
        ],
        &env,
        None,
    );
    let message = failed(&output, "an institution when there is none");
    assert!(message.contains("MOJ"), "{message}");
    assert!(message.contains("institution add"), "{message}");

    add_ministry(&ws);
    ws.ok(&[
        "institution",
        "add",
        "STAT",
        "--name",
        "Statistics",
        "--kind",
        "agency",
    ]);
    let output = ws.run_with(
        &[
            "user",
            "add",
            "aman",
            "--role",
            "focal_point",
            "--institution",
            "MOI",
        ],
        &env,
        None,
    );
    let message = failed(&output, "an unknown institution");
    assert!(message.contains("unknown institution \"MOI\""), "{message}");
    assert!(
        message.contains("MOJ") && message.contains("STAT"),
        "the known codes are listed: {message}"
    );
    assert!(stored(&ws).0.is_empty(), "no user was created");
}

#[test]
fn duplicate_user_refused() {
    let ws = Workspace::new();
    let env = [("HRTRACK_PASSWORD", GOOD_PASSWORD)];
    let args = ["user", "add", "aman", "--role", "coordinator"];
    succeeded(&ws.run_with(&args, &env, None), &args);
    let message = failed(&ws.run_with(&args, &env, None), "a second aman");
    assert!(
        message.contains("aman") && message.contains("taken"),
        "{message}"
    );
    let message = failed(
        &ws.run_with(&["user", "add", "a b", "--role", "coordinator"], &env, None),
        "a login name with a space",
    );
    assert!(message.contains("login name"), "{message}");
    assert_eq!(stored(&ws).0.len(), 1);
}

#[test]
fn help_lists_the_commands() {
    let ws = Workspace::new();
    let help = ws.ok(&["--help"]);
    for command in [
        "import",
        "stats",
        "list",
        "show",
        "export",
        "demo",
        "serve",
        "search",
        "reindex",
        "user",
        "institution",
    ] {
        assert!(
            help.lines()
                .any(|line| line.trim_start().starts_with(&format!("{command} "))),
            "--help does not list {command}:\n{help}"
        );
    }
    let help = ws.ok(&["user", "add", "--help"]);
    for part in [
        "--role",
        "--institution",
        "--display-name",
        "--email",
        "HRTRACK_PASSWORD",
    ] {
        assert!(help.contains(part), "user add --help lacks {part}:\n{help}");
    }
    let help = ws.ok(&["institution", "add", "--help"]);
    for part in ["--name", "--kind", "--name-ru", "--name-tk"] {
        assert!(
            help.contains(part),
            "institution add --help lacks {part}:\n{help}"
        );
    }
}

#[test]
fn accounts_blank_password_refused() {
    let ws = Workspace::new();
    let output = ws.run_with(
        &["user", "add", "admin", "--role", "administrator"],
        &[("HRTRACK_PASSWORD", "          ")],
        None,
    );
    let message = failed(&output, "a password of ten spaces");
    assert!(message.contains("blank"), "{message}");
    assert!(message.contains("not counting spaces"), "{message}");
    assert!(stored(&ws).0.is_empty(), "no user was created");
}

#[test]
fn accounts_user_unlock_clears_the_throttle() {
    let ws = Workspace::new();
    let output = ws.run_with(
        &["user", "add", "admin", "--role", "administrator"],
        &[("HRTRACK_PASSWORD", GOOD_PASSWORD)],
        None,
    );
    succeeded(&output, &["user", "add", "admin"]);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let now = 1_800_000_000_000;
    runtime.block_on(async {
        let store = Store::open(ws.db()).await.expect("open the database");
        for _ in 0..=hrtrack_db::roadmap::FREE_ATTEMPTS_PER_NAME {
            store
                .reserve_login_attempt("admin", "198.51.100.66", now)
                .await
                .expect("attempt");
        }
        store.close().await;
    });
    let printed = ws.ok(&["user", "unlock", "admin"]);
    assert!(printed.contains("admin"), "{printed}");
    runtime.block_on(async {
        let store = Store::open(ws.db()).await.expect("open the database");
        assert!(
            store
                .login_throttles("admin")
                .await
                .expect("counts")
                .is_empty()
        );
        assert_eq!(
            store
                .reserve_login_attempt("admin", "198.51.100.66", now)
                .await
                .expect("attempt"),
            hrtrack_db::roadmap::LoginAttempt::Allowed
        );
        let (entries, _) = store
            .audit_log(&hrtrack_db::roadmap::AuditFilter {
                action: Some("unlock".into()),
                limit: 10,
                ..Default::default()
            })
            .await
            .expect("audit");
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].user_name, "system:cli");
        store.close().await;
    });
    let message = failed(&ws.run(&["user", "unlock", "nobody"]), "an unknown name");
    assert!(message.contains("nobody"), "{message}");
}
