//! Importing real files and reading them back: UPR Info's Turkmenistan export, OHCHR's
//! thematic list of Slovenia's fourth review, `stats`, `show` and `list`.

use std::process::{Command, Stdio};

use serde_json::Value;

use crate::common::{Workspace, parse_json, path_str, slovenia_4_docx, turkmenistan_csv};

/// The count at `key` of a stats document.
fn count(stats: &Value, key: &str) -> i64 {
    stats[key]
        .as_i64()
        .unwrap_or_else(|| panic!("no count {key:?} in {stats:#}"))
}

#[test]
fn upr_info_turkmenistan_stats_json() {
    let ws = Workspace::new();
    ws.ok(&["import", "upr-info", path_str(&turkmenistan_csv())]);
    let stats = ws.stats(&["--state", "Turkmenistan"]);
    for key in [
        "recommendations",
        "recommendation_state_pairs",
        "recommending_states",
        "positions",
        "by_regional_group",
        "by_theme",
        "by_sdg_goal",
    ] {
        assert!(stats.get(key).is_some(), "no key {key:?} in {stats:#}");
    }
    for key in ["by_regional_group", "by_theme", "by_sdg_goal"] {
        assert!(stats[key].is_array(), "{key} is not a list: {stats:#}");
    }
    let positions = &stats["positions"];
    for key in ["supported", "supported_in_part", "noted", "pending"] {
        assert!(
            positions[key].is_i64(),
            "no position count {key:?} in {positions}"
        );
    }
    // 275 rows, one per recommending State; a few recommendations were made jointly.
    assert_eq!(count(&stats, "recommendation_state_pairs"), 275);
    assert_eq!(count(&stats, "recommendations"), 270);
    let by_position: i64 = ["supported", "supported_in_part", "noted", "pending"]
        .iter()
        .map(|k| positions[k].as_i64().unwrap_or(0))
        .sum();
    assert_eq!(
        by_position, 270,
        "every recommendation has one position: {positions}"
    );
    assert!(
        !stats["by_regional_group"]
            .as_array()
            .is_some_and(Vec::is_empty),
        "no regional groups"
    );

    let session_3 = stats["reviews"]
        .as_array()
        .and_then(|reviews| reviews.iter().find(|r| r["session"] == 3))
        .unwrap_or_else(|| panic!("no review of session 3 in {stats:#}"));
    assert_eq!(count(session_3, "recommendation_state_pairs"), 87);

    let filtered = ws.stats(&["--state", "Turkmenistan", "--session", "3"]);
    assert_eq!(count(&filtered, "recommendation_state_pairs"), 87);
    let by_iso = ws.stats(&["--state", "TKM", "--cycle", "1"]);
    assert_eq!(count(&by_iso, "recommendation_state_pairs"), 87);
}

#[test]
fn reimporting_the_same_file_changes_nothing() {
    let ws = Workspace::new();
    let csv = turkmenistan_csv();
    ws.ok(&["import", "upr-info", path_str(&csv)]);
    let before = ws.stats_text(&[]);
    let summary = parse_json(&ws.ok(&["import", "upr-info", "--json", path_str(&csv)]));
    assert_eq!(summary["added"], 0, "{summary:#}");
    assert_eq!(summary["updated"], 0, "{summary:#}");
    assert_eq!(summary["unchanged"], 270, "{summary:#}");
    assert_eq!(before, ws.stats_text(&[]));
}

#[test]
fn ohchr_matrix_slovenia_cycle_4() {
    let ws = Workspace::new();
    let out = ws.ok(&["import", "ohchr-matrix", path_str(&slovenia_4_docx())]);
    assert!(out.contains("254 added"), "{out}");

    let stats = ws.stats(&["--state", "Slovenia", "--cycle", "4"]);
    assert_eq!(count(&stats, "recommendations"), 254);
    assert_eq!(count(&stats["positions"], "supported"), 217);
    assert_eq!(count(&stats["positions"], "noted"), 37);
    assert_eq!(count(&stats["positions"], "supported_in_part"), 0);
    assert_eq!(count(&stats["positions"], "pending"), 0);
    assert!(
        !stats["by_sdg_goal"].as_array().is_some_and(Vec::is_empty),
        "the matrix gives SDG goals"
    );

    let text = "Ratify the Optional Protocol to the International Covenant on Economic, Social and Cultural Rights";
    let by_uid = ws.ok(&["show", "SVN-UPR4-140.7"]);
    assert!(by_uid.contains("SVN-UPR4-140.7"), "{by_uid}");
    assert!(by_uid.contains(text), "{by_uid}");
    assert!(by_uid.contains("supported"), "{by_uid}");

    let by_paragraph = ws.ok(&["show", "140.7"]);
    assert_eq!(by_paragraph, by_uid);
    let filtered = ws.ok(&["show", "140.7", "--state", "Slovenia", "--cycle", "4"]);
    assert_eq!(filtered, by_uid);

    let json = parse_json(&ws.ok(&["show", "SVN-UPR4-140.7", "--json"]));
    assert_eq!(json["paragraph"], "140.7");
    assert!(
        json["text"].as_str().is_some_and(|t| t.starts_with(text)),
        "{json:#}"
    );

    let list = ws.ok(&["list", "--limit", "5"]);
    assert_eq!(list.lines().count(), 5, "{list}");
    assert!(list.lines().all(|l| l.starts_with("SVN-UPR4-")), "{list}");
}

#[test]
fn unknown_reference_is_an_error() {
    let ws = Workspace::new();
    ws.ok(&["import", "ohchr-matrix", path_str(&slovenia_4_docx())]);
    let output = ws.run(&["show", "SVN-UPR4-999.999"]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("999.999"), "{stderr}");
}

#[test]
fn stats_of_an_unknown_state_is_an_error() {
    let ws = Workspace::new();
    let output = ws.run(&["stats", "--state", "Narnia", "--json"]);
    assert!(!output.status.success());
    assert!(
        output.stdout.is_empty(),
        "a failed --json command printed on stdout"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("Narnia"), "{stderr}");
}

/// `hrtrack list | head -1`: the reader goes away before the output is written. The command
/// may stop with or without an error, but must not panic.
#[test]
fn closed_standard_output_is_not_a_panic() {
    let ws = Workspace::new();
    ws.ok(&["import", "ohchr-matrix", path_str(&slovenia_4_docx())]);
    for args in [
        &["list", "--limit", "300"][..],
        &["export", "csv"],
        &["show", "SVN-UPR4-140.7", "--json"],
    ] {
        let (reader, writer) = std::io::pipe().expect("a pipe");
        drop(reader);
        let output = Command::new(env!("CARGO_BIN_EXE_hrtrack"))
            .current_dir(ws.path())
            .env_remove("HRTRACK_DB")
            .env("RUST_BACKTRACE", "0")
            .args(["--db", ws.db()])
            .args(args)
            .stdout(Stdio::from(writer))
            .stderr(Stdio::piped())
            .output()
            .expect("hrtrack runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            !stderr.contains("panicked"),
            "`hrtrack {}` panicked on a closed pipe: {stderr}",
            args.join(" ")
        );
    }
}

/// `--dry-run` for the OHCHR matrix and UPR Info formats too: the whole plan, nothing written.
#[test]
fn imports_keep_a_dry_run_of_a_matrix_or_upr_info_writes_nothing() {
    let ws = Workspace::new();
    for (format, file, added) in [
        ("ohchr-matrix", slovenia_4_docx(), 254),
        ("upr-info", turkmenistan_csv(), 270),
    ] {
        let plan = parse_json(&ws.ok(&["import", format, "--dry-run", "--json", path_str(&file)]));
        assert_eq!(plan["dry_run"], true, "{format}");
        assert_eq!(plan["added"], added, "{format}");
        let printed = ws.ok(&["import", format, "--dry-run", path_str(&file)]);
        assert!(
            printed.starts_with("Dry run, nothing written."),
            "{printed}"
        );
    }
    assert_eq!(count(&ws.stats(&[]), "recommendations"), 0);
    let sdg = ws.run(&["import", "open-sdg", "--dry-run", "nothing.csv"]);
    assert!(!sdg.status.success());
    assert!(
        String::from_utf8_lossy(&sdg.stderr)
            .contains("--dry-run is for imports of recommendations")
    );
}
