//! `export csv|xlsx|json`, then `import table` of the CSV and of the XLSX into fresh
//! databases: the same statistics and the same recommendations come back (only the format each
//! recommendation came from differs).

use serde_json::Value;

use crate::common::{Workspace, parse_json, path_str, slovenia_4_docx, turkmenistan_csv};

/// The `export json` document without the `source_format` fields.
fn without_source_format(json: &str) -> Value {
    let mut doc = parse_json(json);
    let records = doc
        .as_array_mut()
        .unwrap_or_else(|| panic!("an export is a list: {json}"));
    for record in records {
        let object = record.as_object_mut().expect("a record is an object");
        assert!(
            object.remove("source_format").is_some(),
            "no source_format in {object:?}"
        );
    }
    doc
}

/// Equal texts, or a panic that shows the first line where they part.
fn assert_same_text(expected: &str, actual: &str, what: &str) {
    if expected == actual {
        return;
    }
    let expected_lines: Vec<&str> = expected.lines().collect();
    let actual_lines: Vec<&str> = actual.lines().collect();
    let at = expected_lines
        .iter()
        .zip(&actual_lines)
        .position(|(a, b)| a != b)
        .unwrap_or(expected_lines.len().min(actual_lines.len()));
    let window = |lines: &[&str]| lines[at.saturating_sub(3)..(at + 4).min(lines.len())].join("\n");
    panic!(
        "{what} differ from line {}:\n--- before the round trip\n{}\n--- after\n{}",
        at + 1,
        window(&expected_lines),
        window(&actual_lines)
    );
}

#[test]
fn exports_import_back_unchanged() {
    let original = Workspace::new();
    original.ok(&["import", "upr-info", path_str(&turkmenistan_csv())]);
    original.ok(&["import", "ohchr-matrix", path_str(&slovenia_4_docx())]);

    let csv = original.ok(&["export", "csv"]);
    std::fs::write(original.file("export.csv"), &csv).expect("the CSV export");
    original.ok(&["export", "xlsx", "-o", "export.xlsx"]);
    let xlsx = std::fs::read(original.file("export.xlsx")).expect("the XLSX export");
    assert!(xlsx.starts_with(b"PK\x03\x04"), "not an XLSX file");
    assert_eq!(
        csv.lines().next().map(|h| h.starts_with("uid,state,")),
        Some(true),
        "{}",
        &csv[..200]
    );

    let stats = original.stats_text(&[]);
    let json = original.ok(&["export", "json"]);
    let records = without_source_format(&json);
    assert_eq!(records.as_array().map(Vec::len), Some(270 + 254));

    for file in ["export.csv", "export.xlsx"] {
        let copy = Workspace::new();
        let path = original.file(file);
        let summary = parse_json(&copy.ok(&["import", "table", "--json", path_str(&path)]));
        assert_eq!(summary["added"], 270 + 254, "{file}: {summary:#}");
        assert_same_text(
            &stats,
            &copy.stats_text(&[]),
            &format!("statistics after importing {file}"),
        );
        let back = without_source_format(&copy.ok(&["export", "json"]));
        assert_same_text(
            &serde_json::to_string_pretty(&records).expect("JSON"),
            &serde_json::to_string_pretty(&back).expect("JSON"),
            &format!("exported recommendations after importing {file}"),
        );
    }
}

#[test]
fn filtered_export() {
    let ws = Workspace::new();
    ws.ok(&["import", "upr-info", path_str(&turkmenistan_csv())]);
    let json = parse_json(&ws.ok(&["export", "json", "--session", "3"]));
    let records = json.as_array().expect("a list");
    assert_eq!(records.len(), 84);
    assert!(
        records
            .iter()
            .all(|r| r["session"] == 3 && r["state"] == "Turkmenistan")
    );
    let noted = parse_json(&ws.ok(&["export", "json", "--session", "3", "--position", "noted"]));
    let expected = ws.stats(&["--session", "3"])["positions"]["noted"]
        .as_i64()
        .expect("a count");
    assert_eq!(noted.as_array().map(|r| r.len() as i64), Some(expected));
    assert!(
        noted
            .as_array()
            .is_some_and(|r| r.iter().all(|r| r["position"] == "noted"))
    );
}
