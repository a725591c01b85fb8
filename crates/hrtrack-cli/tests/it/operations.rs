//! `hrtrack backup`, `restore` and `copy` as an operator runs them: a backup prints what it
//! saved and never overwrites a file (or the database itself) without --force; a restore
//! into an empty database gives the same figures, refuses a database with data unless
//! --force and a file that is not an hrtrack backup; `copy` checks every table's count and
//! refuses to copy a database onto itself.

use std::process::Output;

use crate::common::{Workspace, turkmenistan_csv};

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn ok(output: Output, what: &str) -> String {
    assert!(
        output.status.success(),
        "{what} failed:\n{}\n{}",
        stdout(&output),
        stderr(&output)
    );
    stdout(&output)
}

fn refused(output: Output, what: &str, part: &str) {
    assert!(
        !output.status.success(),
        "{what} should fail:\n{}",
        stdout(&output)
    );
    let message = stderr(&output);
    assert!(message.contains(part), "{what}: {message:?} lacks {part:?}");
}

fn stats(ws: &Workspace, db: &str) -> String {
    ok(ws.run_with_db(Some(db), &["stats", "--json"]), "stats")
}

#[test]
fn operations_backup_restore_and_copy() {
    let ws = Workspace::new();
    let csv = turkmenistan_csv();
    let csv = csv.to_str().expect("a UTF-8 path");
    ok(ws.run(&["import", "upr-info", csv]), "import");
    let original = stats(&ws, ws.db());

    let saved = ok(ws.run(&["backup", "b.db"]), "backup");
    assert!(saved.contains("Saved b.db"), "{saved}");
    let recommendations = saved
        .lines()
        .find(|l| l.trim_start().starts_with("recommendations "))
        .unwrap_or_else(|| panic!("no recommendations line in {saved}"));
    assert!(
        recommendations.trim_end().ends_with(" 270"),
        "{recommendations}"
    );
    refused(
        ws.run(&["backup", "b.db"]),
        "a second backup",
        "already exists",
    );
    ok(ws.run(&["backup", "b.db", "--force"]), "a forced backup");
    refused(
        ws.run(&["backup", "t.db", "--force"]),
        "a backup onto the database",
        "the database itself",
    );

    let restored = format!("sqlite://{}", ws.file("r.db").display());
    let printed = ok(
        ws.run_with_db(Some(&restored), &["restore", "b.db"]),
        "restore",
    );
    assert!(printed.contains("every table's count matches"), "{printed}");
    assert_eq!(stats(&ws, &restored), original);
    refused(
        ws.run_with_db(Some(&restored), &["restore", "b.db"]),
        "a restore over data",
        "already holds data",
    );
    ok(
        ws.run_with_db(Some(&restored), &["restore", "b.db", "--force"]),
        "a forced restore",
    );
    assert_eq!(stats(&ws, &restored), original);

    ws.write("notes.db", "not a database ".repeat(100));
    let empty = format!("sqlite://{}", ws.file("e.db").display());
    refused(
        ws.run_with_db(Some(&empty), &["restore", "notes.db"]),
        "a restore of a text file",
        "notes.db",
    );
    refused(
        ws.run_with_db(Some(&empty), &["restore", "missing.db"]),
        "a restore of a missing file",
        "missing.db: no such file",
    );

    let copied = format!("sqlite://{}", ws.file("c.db").display());
    let printed = ok(ws.run(&["copy", "--to", &copied]), "copy");
    assert!(printed.contains("every table's count matches"), "{printed}");
    assert!(printed.contains("recommendations"), "{printed}");
    assert_eq!(stats(&ws, &copied), original);
    refused(
        ws.run(&["copy", "--to", ws.db()]),
        "a copy onto itself",
        "the --db database itself",
    );
}
