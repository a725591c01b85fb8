//! `hrtrack search` and `hrtrack reindex`: the index is built beside the database on first
//! use, follows later imports, stems English, and answers as JSON.

use crate::common::{Workspace, parse_json, path_str, slovenia_4_docx, turkmenistan_csv};

#[test]
fn search_follows_imports_and_stems() {
    let workspace = Workspace::new();
    workspace.ok(&["import", "ohchr-matrix", path_str(&slovenia_4_docx())]);
    let first = parse_json(&workspace.ok(&["search", "ratifying", "--json", "--limit", "5"]));
    let total = first["total"].as_u64().expect("a total");
    let ratify = parse_json(&workspace.ok(&["search", "ratify", "--json"]));
    assert!(total >= 5, "{first}");
    assert_eq!(
        ratify["total"].as_u64(),
        Some(total),
        "'ratifying' and 'ratify' share a stem"
    );
    let uid = first["hits"][0]["uid"].as_str().expect("a hit");
    assert!(uid.starts_with("SVN-UPR4-"), "{uid}");
    assert!(
        workspace.file("t.db.search").is_dir(),
        "the index lives beside the database"
    );

    // An import afterwards is searchable at once, without a reindex.
    workspace.ok(&["import", "upr-info", path_str(&turkmenistan_csv())]);
    let after = parse_json(&workspace.ok(&["search", "ratifying", "--state", "TKM", "--json"]));
    assert!(after["total"].as_u64().is_some_and(|n| n > 0), "{after}");
    let people = workspace.ok(&["search", "trafficking persons", "--state", "Turkmenistan"]);
    assert!(people.contains("TKM-UPR"), "{people}");

    let reindexed = workspace.ok(&["reindex"]);
    assert!(
        reindexed.contains("indexed 524 recommendations"),
        "{reindexed}"
    );
    let again = parse_json(&workspace.ok(&["search", "ratifying", "--json", "--limit", "5"]));
    assert!(again["total"].as_u64() > Some(total), "{again}");
}

#[test]
fn unknown_state_in_a_search_is_an_error() {
    let workspace = Workspace::new();
    workspace.ok(&["import", "upr-info", path_str(&turkmenistan_csv())]);
    let output = workspace.run(&["search", "torture", "--state", "Atlantis"]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("Atlantis"));
}
