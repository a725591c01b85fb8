//! `hrtrack sdg codelists` and `hrtrack sdg template`, and the Kazakhstan ZIP the demo
//! bundles, which must hold exactly the files of the folder it was packed from.

use std::io::Read;

use crate::common::{Workspace, path_str, succeeded};

const KAZAKHSTAN: &str = "../../data/sdg-timeseries/kazakhstan-open-sdg";

/// The number just before `label` in `text`.
fn number_before(text: &str, label: &str) -> usize {
    let at = text
        .find(label)
        .unwrap_or_else(|| panic!("no {label:?} in {text}"));
    text[..at]
        .split_whitespace()
        .last()
        .and_then(|n| n.trim_start_matches('(').parse().ok())
        .unwrap_or_else(|| panic!("no number before {label:?} in {text}"))
}

#[test]
fn code_lists_then_the_template_of_an_indicator() {
    let ws = Workspace::new();
    let loaded = ws.ok(&["sdg", "codelists"]);
    assert_eq!(number_before(&loaded, "code lists"), 20, "{loaded}");
    assert!(number_before(&loaded, "codes)") > 1500, "{loaded}");

    let file = std::fs::canonicalize(format!("{KAZAKHSTAN}/indicator_5-5-1.csv")).expect("file");
    let file = path_str(&file);
    ws.ok(&["import", "open-sdg", file]);
    let output = ws.file("551.xlsx");
    let args = ["sdg", "template", "5.5.1", "--output", path_str(&output)];
    let said = succeeded(&ws.run(&args), &args);
    assert!(said.contains("5.5.1"), "{said}");
    let bytes = std::fs::read(&output).expect("template written");
    let dataset = hrtrack_sdg::xlsx::read(&bytes, "551.xlsx").unwrap_or_else(|e| panic!("{e:?}"));
    let source =
        hrtrack_sdg::open_sdg::read(&std::fs::read(file).expect("csv"), "indicator_5-5-1.csv")
            .expect("read");
    assert_eq!(dataset.observations.len(), source.observations.len());

    let turkmen = ws.file("551-tk.xlsx");
    let args = [
        "sdg",
        "template",
        "5.5.1",
        "--lang",
        "tk",
        "-o",
        path_str(&turkmen),
    ];
    succeeded(&ws.run(&args), &args);
    let bytes = std::fs::read(&turkmen).expect("Turkmen template written");
    let read = hrtrack_sdg::xlsx::read(&bytes, "551-tk.xlsx").unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(read.observations, dataset.observations);
    assert!(
        !ws.run(&["sdg", "template", "5.5.1", "--lang", "fr"])
            .status
            .success()
    );

    let unknown = ws.run(&["sdg", "template", "99.9.9"]);
    assert!(!unknown.status.success());
    let stderr = String::from_utf8_lossy(&unknown.stderr);
    assert!(stderr.contains("99.9.9"), "{stderr}");
}

#[test]
fn bundled_zip_matches_the_folder() {
    let zip = std::fs::read("../../data/sdg-timeseries/kazakhstan-open-sdg.zip").expect("zip");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).expect("archive");
    let mut names = Vec::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).expect("entry");
        let name = entry.name().expect("name").into_owned();
        let mut packed = Vec::new();
        entry.read_to_end(&mut packed).expect("unpack");
        let on_disk =
            std::fs::read(format!("{KAZAKHSTAN}/{name}")).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(packed == on_disk, "{name} differs from the folder's");
        names.push(name);
    }
    let mut folder: Vec<String> = std::fs::read_dir(KAZAKHSTAN)
        .expect("folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    folder.sort();
    names.sort();
    assert_eq!(names, folder);
    assert_eq!(names.len(), 273);
}

/// The bundled global SDG DSD cut down to its SEX code list and its data structure: another
/// country's DSD, which lacks CL_AREA (the bundled national codes' list) and most lists the
/// bundled names are for.
fn other_dsd(ws: &Workspace) -> std::path::PathBuf {
    let text = std::fs::read_to_string("../../data/sdg-timeseries/tajikistan-sdmx/TAJSTAT_DSD.xml")
        .expect("the bundled DSD");
    let cut = |from: &str, to: &str| -> String {
        let start = text.find(from).expect("start");
        let end = start + text[start..].find(to).expect("end") + to.len();
        text[start..end].to_string()
    };
    let sex = cut(
        "<str:Codelist urn=\"urn:sdmx:org.sdmx.infomodel.codelist.Codelist=IAEG-SDGs:CL_SEX",
        "</str:Codelist>",
    );
    let dsd = cut("<str:DataStructures>", "</str:DataStructures>");
    let head_end = text.find("<mes:Structures>").expect("Structures") + "<mes:Structures>".len();
    let path = ws.file("OTHER_DSD.xml");
    std::fs::write(
        &path,
        format!(
            "{}<str:Codelists>{sex}</str:Codelists>{dsd}</mes:Structures></mes:Structure>",
            &text[..head_end]
        ),
    )
    .expect("write");
    path
}

/// Issue 10: before, `sdg codelists --structure OTHER_DSD.xml` failed with
/// `national_codes.csv: row 2: code list "CL_AREA" is not in the structure`, naming a file the
/// user never passed.
#[test]
fn another_structure_takes_the_bundled_national_codes_only_where_they_fit() {
    let ws = Workspace::new();
    let dsd = other_dsd(&ws);
    let out = ws.run(&["sdg", "codelists", "--structure", path_str(&dsd)]);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(number_before(&stdout, "code lists"), 1, "{stdout}");
    assert!(
        stderr.contains(&format!(
            "warning: 6 of the national code(s) in bundled data/sdg-codelists/national_codes.csv skipped: they do not fit {} (first: row 2: code list \"CL_AREA\" is not in the structure)",
            path_str(&dsd)
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains("of the name(s) in bundled data/sdg-codelists/names.csv skipped"),
        "{stderr}"
    );
    // A national file the user names must fit: its errors name it.
    let national = ws.file("regions.csv");
    std::fs::write(
        &national,
        "codelist,code,parent,name_en,name_ru,name_tk\nCL_AREA,TM-A,795,Ahal,Ахал,Ahal\n",
    )
    .expect("write");
    let out = ws.run(&[
        "sdg",
        "codelists",
        "--structure",
        path_str(&dsd),
        "--national",
        path_str(&national),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "{}: row 2: code list \"CL_AREA\" is not in the structure",
            path_str(&national)
        )),
        "{stderr}"
    );
}
