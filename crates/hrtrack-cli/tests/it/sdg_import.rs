//! `hrtrack import open-sdg|sdmx-ml`: the bundled Kazakhstan folder refused whole without
//! `--skip-invalid` (naming a refused file and row, writing nothing) and imported with it
//! (255 files, the 18 refused listed); the Tajikistan SDMX-ML data file, its series attached
//! to their indicators through the loaded series list or reported as without one; a DSD given
//! as data refused with the reader's message; a folder without indicator files refused naming
//! the paths searched.

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
    assert!(stderr.contains("18 of 273 file(s) refused"), "{stderr}");
    assert!(stderr.contains("nothing imported"), "{stderr}");
    // Every problem names its file and row.
    let problem = stderr
        .lines()
        .find(|l| l.starts_with("indicator_") && l.contains(": row "))
        .unwrap_or_else(|| panic!("no problem with file and row in:\n{stderr}"));
    assert!(problem.contains(".csv: row "), "{problem}");
    // Nothing written: importing with --skip-invalid afterwards adds all 31,056.
    let out = ws.run(&["import", "open-sdg", &folder, "--skip-invalid", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let report = json(&out.stdout);
    assert_eq!(report["added"], 31_056);
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
        stdout.starts_with("255 file(s), 4061 series (4061 new): 31056 observations added, 0 updated, 0 unchanged, 0 deleted; 18 file(s) refused"),
        "{stdout}"
    );
    let listed = stderr
        .lines()
        .find_map(|l| l.strip_prefix("refused 18 file(s): "))
        .unwrap_or_else(|| panic!("no list of refused files in:\n{stderr}"));
    assert_eq!(listed.split(", ").count(), 18, "{listed}");
    // The exact repeat of 15.1.1 counted once, said as a warning.
    assert!(
        stderr.contains(
            "warning: indicator_15-1-1.csv: row 208: repeats row 190 exactly: counted once"
        ),
        "{stderr}"
    );
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
            &serde_json::json!(255),
            &serde_json::json!(18),
            &serde_json::json!(0),
            &serde_json::json!(31_056)
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
    // No code lists loaded: none of the 60 series has an indicator, and the import says so
    // (before issue 10 it reported success and the series were on no page).
    assert!(
        stdout.contains("; 60 series without an SDG indicator"),
        "{stdout}"
    );
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("warning: 60 series have no SDG indicator")
            && stderr.contains("AG_LND_FRST"),
        "{stderr}"
    );

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

#[test]
fn sdmx_ml_series_are_attached_to_indicators_by_the_loaded_series_list() {
    let ws = Workspace::new();
    ws.ok(&["sdg", "codelists"]);
    let data = format!("{SDG_DIR}/tajikistan-sdmx/TAJSTAT_Data.xml");
    let out = ws.run(&["import", "sdmx-ml", &data, "--json"]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let report = json(&out.stdout);
    // 57 of the 60 series are attached; SL_TLF_CHD is not in the bundled (2019) series list.
    assert_eq!(report["series_without_indicator"], 3, "{report:#}");
    assert_eq!(
        report["codes_without_indicator"],
        serde_json::json!(["SL_TLF_CHD"])
    );
    assert!(
        stderr.contains("warning: 3 series have no SDG indicator") && stderr.contains("SL_TLF_CHD"),
        "{stderr}"
    );
}

#[test]
fn an_open_sdg_folder_without_indicator_files_names_where_they_were_looked_for() {
    let ws = Workspace::new();
    let folder = ws.file("platform");
    std::fs::create_dir_all(folder.join("data")).expect("folders");
    let shown = folder.display().to_string();
    let out = ws.run(&["import", "open-sdg", &shown]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("in {shown} nor in {shown}/data")),
        "{stderr}"
    );
}

#[test]
fn sdmx_csv_releases_with_another_last_update_update_the_same_series() {
    let ws = Workspace::new();
    let release = |name: &str, stamp: &str| {
        let path = ws.file(name);
        std::fs::write(
            &path,
            format!(
                "DATAFLOW,LAST UPDATE,FREQ,SERIES,SEX,TIME_PERIOD,OBS_VALUE\n\
                 ESTAT:X(1.0),{stamp},A,SI_POV_DAY1,F,2020,1.5\n\
                 ESTAT:X(1.0),{stamp},A,SI_POV_DAY1,M,2020,1.7\n"
            ),
        )
        .expect("write");
        path.display().to_string()
    };
    let first = release("r1.csv", "01/02/24 23:00:00");
    let second = release("r2.csv", "15/03/25 23:00:00");
    let out = ws.run(&["import", "sdmx-csv", &first]);
    assert!(
        text(&out.stdout).contains("2 series (2 new)"),
        "{}",
        text(&out.stdout)
    );
    assert!(
        text(&out.stderr).contains("column LAST UPDATE: read as an attribute"),
        "{}",
        text(&out.stderr)
    );
    // Before issue 10: "2 series (2 new)" again, 4 series stored.
    let out = ws.run(&["import", "sdmx-csv", &second]);
    assert!(
        text(&out.stdout).contains("2 series (0 new)"),
        "{}",
        text(&out.stdout)
    );
}
