//! `hrtrack demo`: builds a database from the bundled files (the 41,064-row UPR Info export and
//! six OHCHR matrices) and prints what it holds. Slow in a debug build, so run once.

use crate::common::{Workspace, path_str, succeeded};

/// The number just before `label` in `text` ("174 recommending States" → 174).
fn number_before(text: &str, label: &str) -> i64 {
    let at = text
        .find(label)
        .unwrap_or_else(|| panic!("no {label:?} in {text}"));
    let digits: String = text[..at]
        .trim_end()
        .chars()
        .rev()
        .take_while(char::is_ascii_digit)
        .collect();
    digits
        .chars()
        .rev()
        .collect::<String>()
        .parse()
        .unwrap_or_else(|_| panic!("no number before {label:?} in {text}"))
}

#[test]
fn demo_builds_a_database() {
    let ws = Workspace::new();
    let file = ws.file("demo.db");
    let args = ["demo", "--file", path_str(&file)];
    let output = ws.run_with_db(None, &args);
    let summary = succeeded(&output, &args);
    assert!(summary.contains("Slovenia UPR cycle 4"), "{summary}");
    let headline = summary
        .lines()
        .find(|l| l.contains("recommending States"))
        .unwrap_or_else(|| panic!("no headline in {summary}"));
    let recommendations = number_before(headline, "recommendations (");
    let states = number_before(headline, "recommending States");
    let reviews = number_before(headline, "review(s)");
    assert!(recommendations > 40_000, "{headline}");
    assert!(states > 150 && states <= 193, "{headline}");
    assert!(reviews > 190, "{headline}");
    assert!(file.exists(), "no {}", file.display());
    // The SDG part: the code lists, 273 Kazakhstan files and Tajikistan's data, of which the
    // readers refuse 18 (conflicting duplicate keys, short rows), as the hrtrack-sdg tests
    // account for.
    let sdg = summary
        .lines()
        .find(|l| l.starts_with("SDG data:"))
        .unwrap_or_else(|| panic!("no SDG line in {summary}"));
    assert!(sdg.contains("20 code lists"), "{sdg}");
    assert!(
        sdg.contains("of 274 files, 256 imported and 18 refused"),
        "{sdg}"
    );
    assert!(number_before(sdg, "observations") > 30_000, "{sdg}");

    let url = format!("sqlite://{}", file.display());
    let args = ["stats", "--state", "Slovenia", "--cycle", "4", "--json"];
    let stats = crate::common::parse_json(&succeeded(&ws.run_with_db(Some(&url), &args), &args));
    assert_eq!(stats["recommendations"], 254, "{stats:#}");

    let args = ["stats", "--json"];
    let all = crate::common::parse_json(&succeeded(&ws.run_with_db(Some(&url), &args), &args));
    assert_eq!(
        all["recommendations"], recommendations,
        "the summary and stats disagree"
    );
    assert_eq!(
        all["recommending_states"], states,
        "the summary and stats disagree"
    );
}
