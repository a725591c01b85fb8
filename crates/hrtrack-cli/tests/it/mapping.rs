//! `import table --mapping`: a ministry's own table, with its own column headers and
//! defaults for the fields it does not have (as documented in `hrtrack_import::table`).

use crate::common::{Workspace, parse_json};

const TABLE: &str = "\
No.,Recommendation,Recommending State(s),Position,Ministry
144.1,Ratify the Optional Protocol to the Convention against Torture.,\"France, Germany\",Supported,Foreign Affairs
144.2,Abolish the death penalty in law.,Spain,Noted,Justice
144.3,Adopt a law against domestic violence.,\"Sweden, Norway, Iceland\",Accepted,Labour
";

const MAPPING: &str = r#"
[columns]
paragraph = "No."
text = "Recommendation"
recommending_states = "Recommending State(s)"
position = "Position"

[defaults]
state = "Turkmenistan"
mechanism = "UPR"
cycle = "4"
session = "44"

[options]
list_separator = ","
"#;

#[test]
fn table_with_mapping() {
    let ws = Workspace::new();
    let table = ws.write("ministry.csv", TABLE);
    let mapping = ws.write("mapping.toml", MAPPING);
    let summary = parse_json(&ws.ok(&["import", "table", "--json", "--mapping", &mapping, &table]));
    assert_eq!(summary["added"], 3, "{summary:#}");

    let stats = ws.stats(&["--state", "Turkmenistan", "--cycle", "4"]);
    assert_eq!(stats["recommendations"], 3, "{stats:#}");
    assert_eq!(stats["recommendation_state_pairs"], 6, "{stats:#}");
    assert_eq!(stats["recommending_states"], 6, "{stats:#}");
    assert_eq!(stats["positions"]["supported"], 2, "{stats:#}");
    assert_eq!(stats["positions"]["noted"], 1, "{stats:#}");
    let review = &stats["reviews"][0];
    assert_eq!(review["session"], 44, "{stats:#}");
    assert_eq!(review["mechanism"], "UPR", "{stats:#}");

    let record = parse_json(&ws.ok(&["show", "TKM-UPR4-144.1", "--json"]));
    assert_eq!(
        record["text"],
        "Ratify the Optional Protocol to the Convention against Torture."
    );
    assert_eq!(
        record["recommending_states"],
        serde_json::json!(["France", "Germany"])
    );
    assert_eq!(record["position"], "supported");
    assert_eq!(record["session"], 44);

    // The same file again: nothing changes.
    let again = parse_json(&ws.ok(&["import", "table", "--json", "--mapping", &mapping, &table]));
    assert_eq!(again["unchanged"], 3, "{again:#}");
}

#[test]
fn semicolon_table_with_default_separator() {
    let ws = Workspace::new();
    let table = ws.write(
        "semicolons.csv",
        "No.;Recommendation;Recommending State(s)\n144.1;Protect migrants, refugees and asylum seekers.;France; Italy\n",
    );
    let mapping = ws.write(
        "m.toml",
        "[columns]\nparagraph = \"No.\"\ntext = \"Recommendation\"\nrecommending_states = \"Recommending State(s)\"\n\
         [defaults]\nstate = \"Slovenia\"\ncycle = \"4\"\n",
    );
    let output = ws.run(&["import", "table", "--mapping", &mapping, &table]);
    // A semicolon-separated file whose last cell holds a semicolon has a field too many: refused,
    // with the line. Quoted, it is read.
    if output.status.success() {
        panic!(
            "a row with a field too many was read: {}",
            String::from_utf8_lossy(&output.stdout)
        );
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("semicolons.csv") && stderr.contains("line 2"),
        "{stderr}"
    );

    let quoted = ws.write(
        "quoted.csv",
        "No.;Recommendation;Recommending State(s)\n144.1;Protect migrants, refugees and asylum seekers.;\"France; Italy\"\n",
    );
    ws.ok(&["import", "table", "--mapping", &mapping, &quoted]);
    let record = parse_json(&ws.ok(&["show", "SVN-UPR4-144.1", "--json"]));
    assert_eq!(
        record["recommending_states"],
        serde_json::json!(["France", "Italy"])
    );
}

/// `import table --dry-run`: prints each change field by field and writes nothing (the
/// records, the statistics and the data version stay); `--json` gives the same as JSON.
#[test]
fn imports_keep_a_dry_run_prints_the_changes_and_writes_nothing() {
    let ws = Workspace::new();
    let table = ws.write("ministry.csv", TABLE);
    let mapping = ws.write("mapping.toml", MAPPING);
    ws.ok(&["import", "table", "--mapping", &mapping, &table]);
    let before = ws.ok(&["show", "TKM-UPR4-144.2", "--json"]);
    let stats = ws.stats(&[]);

    // Only paragraph, text and position, with one position changed and one row more.
    let partial = ws.write(
        "positions.csv",
        "No.,Recommendation,Position\n\
         144.1,Ratify the Optional Protocol to the Convention against Torture.,Supported\n\
         144.2,Abolish the death penalty in law.,Supported\n\
         144.4,Ensure the independence of the judiciary.,Noted\n",
    );
    let partial_mapping = ws.write(
        "positions.toml",
        "[columns]\nparagraph = \"No.\"\ntext = \"Recommendation\"\nposition = \"Position\"\n\
         [defaults]\nstate = \"Turkmenistan\"\ncycle = \"4\"\nsession = \"44\"\n",
    );
    let args = [
        "import",
        "table",
        "--dry-run",
        "--mapping",
        &partial_mapping,
        &partial,
    ];
    let printed = ws.ok(&args);
    assert!(printed.contains("Dry run, nothing written"), "{printed}");
    assert!(printed.contains("updated TKM-UPR4-144.2"), "{printed}");
    assert!(
        printed.contains("position: \"noted\" → \"supported\""),
        "{printed}"
    );
    assert!(printed.contains("added TKM-UPR4-144.4"), "{printed}");
    assert!(printed.contains("unchanged: TKM-UPR4-144.1"), "{printed}");
    assert!(!printed.contains("recommending_states"), "{printed}");

    let mut json_args = args.to_vec();
    json_args.insert(2, "--json");
    let plan = parse_json(&ws.ok(&json_args));
    assert_eq!(plan["dry_run"], true, "{plan:#}");
    assert_eq!(
        (&plan["added"], &plan["updated"], &plan["unchanged"]),
        (
            &serde_json::json!(1),
            &serde_json::json!(1),
            &serde_json::json!(1)
        ),
        "{plan:#}"
    );

    assert_eq!(ws.ok(&["show", "TKM-UPR4-144.2", "--json"]), before);
    assert_eq!(ws.stats(&[]), stats);
    // The real import then keeps the recommending States the file does not carry.
    ws.ok(&["import", "table", "--mapping", &partial_mapping, &partial]);
    let after = parse_json(&ws.ok(&["show", "TKM-UPR4-144.2", "--json"]));
    assert_eq!(after["position"], "supported");
    assert_eq!(after["recommending_states"], serde_json::json!(["Spain"]));
    assert_eq!(ws.stats(&[])["recommending_states"], 6);
}
