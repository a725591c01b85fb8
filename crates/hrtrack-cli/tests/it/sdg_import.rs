//! `hrtrack import open-sdg|sdmx-ml`: the bundled Kazakhstan folder refused whole without
//! `--skip-invalid` (naming a refused file and row, writing nothing) and imported with it
//! (254 files, the 19 refused listed); the Tajikistan SDMX-ML data file; a DSD given as data
//! refused with the reader's message.

use std::path::Path;

use crate::common::Workspace;

const SDG_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/sdg-timeseries");

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn kazakhstan() -> String {
    Path::new(SDG_DIR)
        .join("kazakhstan-open-sdg")
        .display()
        .to_string()
}

/// `{"files": …, "added": …}` of `import … --json`.
fn json(stdout: &[u8]) -> serde_json::Value {
    serde_json::from_slice(stdout).unwrap_or_else(|e| panic!("{e}: {}", text(stdout)))
}

#[test]
fn open_sdg_folder_without_skip_invalid_writes_nothing() {
    let ws = Workspace::new();
    let folder = kazakhstan();
    let out = ws.run(&["import", "open-sdg", &folder]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("19 of 273 file(s) refused"), "{stderr}");
    assert!(stderr.contains("nothing imported"), "{stderr}");
    // Every problem names its file and row.
    let problem = stderr
        .lines()
        .find(|l| l.starts_with("indicator_") && l.contains(": row "))
        .unwrap_or_else(|| panic!("no problem with file and row in:\n{stderr}"));
    assert!(problem.contains(".csv: row "), "{problem}");
    // Nothing written: importing with --skip-invalid afterwards adds all 30,841.
    let out = ws.run(&["import", "open-sdg", &folder, "--skip-invalid", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let report = json(&out.stdout);
    assert_eq!(report["added"], 30_841);
}

#[test]
fn open_sdg_folder_with_skip_invalid_imports_the_valid_files() {
    let ws = Workspace::new();
    let folder = kazakhstan();
    let out = ws.run(&["import", "open-sdg", &folder, "--skip-invalid"]);
    let stdout = text(&out.stdout);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stdout.starts_with("254 file(s), 4043 series (4043 new): 30841 observations added, 0 updated, 0 unchanged, 0 deleted; 19 file(s) refused"),
        "{stdout}"
    );
    let listed = stderr
        .lines()
        .find_map(|l| l.strip_prefix("refused 19 file(s): "))
        .unwrap_or_else(|| panic!("no list of refused files in:\n{stderr}"));
    assert_eq!(listed.split(", ").count(), 19, "{listed}");
    for name in listed.split(", ") {
        assert!(
            stderr.lines().any(|l| l.starts_with(&format!("{name}: "))),
            "no reason given for {name}"
        );
    }
    // Again: nothing changes.
    let out = ws.run(&["import", "open-sdg", &folder, "--skip-invalid", "--json"]);
    let report = json(&out.stdout);
    assert_eq!(
        (
            &report["files"],
            &report["refused"],
            &report["added"],
            &report["unchanged"]
        ),
        (
            &serde_json::json!(254),
            &serde_json::json!(19),
            &serde_json::json!(0),
            &serde_json::json!(30_841)
        )
    );
}

#[test]
fn sdmx_ml_imports_the_tajikistan_data_file_and_refuses_its_dsd() {
    let ws = Workspace::new();
    let data = format!("{SDG_DIR}/tajikistan-sdmx/TAJSTAT_Data.xml");
    let out = ws.run(&["import", "sdmx-ml", &data]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(stdout.contains("188 observations added"), "{stdout}");

    let dsd = format!("{SDG_DIR}/tajikistan-sdmx/TAJSTAT_DSD.xml");
    let expected = {
        let bytes = std::fs::read(&dsd).expect("the DSD");
        let problems = hrtrack_sdg_message(&bytes, &dsd);
        assert!(!problems.is_empty());
        problems
    };
    let out = ws.run(&["import", "sdmx-ml", &dsd]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains(&expected), "{stderr}\nexpected: {expected}");
    assert!(stderr.contains("nothing imported"), "{stderr}");
}

/// The first problem the SDMX-ML reader reports for a file, as the CLI prints it.
fn hrtrack_sdg_message(bytes: &[u8], name: &str) -> String {
    match hrtrack_sdg::sdmx_ml::read(bytes, name) {
        Ok(_) => String::new(),
        Err(problems) => problems[0].to_string(),
    }
}
