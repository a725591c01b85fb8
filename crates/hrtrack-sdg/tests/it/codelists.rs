//! Code lists in use: the real SDG DSD with hrtrack's national codes, Russian and Turkmen
//! names and additive units (data/sdg-codelists), look-ups, and refusals of bad files.

use hrtrack_sdg::codelists::CodeLists;

use crate::structure::sdg_dsd;

const CODELISTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/sdg-codelists");

fn data_file(name: &str) -> Vec<u8> {
    std::fs::read(format!("{CODELISTS}/{name}")).expect("the bundled code list file is there")
}

/// The real SDG code lists with the bundled names and additive units.
pub fn real_codes() -> CodeLists {
    let mut codes = CodeLists::from_structure(sdg_dsd());
    codes
        .add_codes(&data_file("national_codes.csv"), "national_codes.csv")
        .expect("the bundled national codes load");
    codes
        .add_names(&data_file("names.csv"), "names.csv")
        .expect("the bundled names load");
    codes
        .add_additive_units(&data_file("additive_units.csv"), "additive_units.csv")
        .expect("the bundled additive units load");
    codes
}

fn errors(result: Result<usize, Vec<hrtrack_sdg::SdgReadError>>) -> String {
    match result {
        Ok(n) => panic!("expected a refusal, added {n}"),
        Err(e) => e
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

#[test]
fn the_bundled_names_and_units_load_with_their_counts() {
    let mut codes = CodeLists::from_structure(sdg_dsd());
    assert_eq!(codes.codelists.len(), 20);
    let names = codes.add_names(&data_file("names.csv"), "names.csv");
    assert_eq!(names, Ok(306));
    let units = codes.add_additive_units(&data_file("additive_units.csv"), "additive_units.csv");
    assert_eq!(units, Ok(13));
    for list in [
        "CL_SEX",
        "CL_URBANISATION",
        "CL_NATURE",
        "CL_OBS_STATUS",
        "CL_REPORTING_TYPE",
        "CL_FREQ",
        "CL_DISABILITY",
        "CL_QUANTILE",
        "CL_UNIT_MULT",
        "CL_UNIT_MEASURE",
    ] {
        let untranslated: Vec<&str> = codes.codelists[list]
            .codes
            .iter()
            .filter(|c| !(c.names.contains_key("ru") && c.names.contains_key("tk")))
            .map(|c| c.id.as_str())
            .collect();
        assert!(untranslated.is_empty(), "{list}: {untranslated:?}");
    }
}

#[test]
fn names_fall_back_to_english() {
    let codes = real_codes();
    assert_eq!(codes.name("SEX", "F", "ru"), Some("Женщины"));
    assert_eq!(codes.name("SEX", "F", "tk"), Some("Aýallar"));
    assert_eq!(codes.name("SEX", "F", "en"), Some("Female"));
    assert_eq!(codes.name("AGE", "Y15T24", "ru"), Some("15–24 года"));
    assert_eq!(
        codes.name("AGE", "Y70T74", "ru"),
        Some("70 to 74 years old"),
        "no Russian name: English"
    );
    assert_eq!(codes.name("SEX", "X", "ru"), None);
    assert_eq!(codes.name("COMMENT_OBS", "F", "ru"), None);
}

#[test]
fn contains_tells_known_unknown_and_uncoded() {
    let codes = real_codes();
    assert_eq!(codes.contains("SEX", "F"), Some(true));
    assert_eq!(codes.contains("SEX", "_T"), Some(true));
    assert_eq!(codes.contains("SEX", "X"), Some(false));
    assert_eq!(codes.contains("AGE", "_T"), Some(true));
    assert_eq!(codes.contains("REF_AREA", "_T"), Some(false));
    assert_eq!(codes.contains("UNIT_MEASURE", "PT"), Some(true));
    assert_eq!(codes.contains("COMMENT_OBS", "x"), None, "not coded");
    assert_eq!(codes.contains("Region", "x"), None, "unknown component");
    assert_eq!(
        codes.codelist_of("URBANISATION").map(|c| c.codes.len()),
        Some(3)
    );
}

#[test]
fn series_of_an_indicator_and_additive_units() {
    let codes = real_codes();
    let series: Vec<&str> = codes
        .series_of_indicator("5.5.1")
        .iter()
        .map(|c| c.id.as_str())
        .collect();
    assert!(series.contains(&"SG_GEN_PARL"), "{series:?}");
    assert_eq!(codes.series_of_indicator("C050501").len(), series.len());
    assert!(codes.series_of_indicator("99.9.9").is_empty());
    assert!(codes.is_additive_unit("NUMBER"));
    assert!(codes.is_additive_unit("CUR_LCU"));
    assert!(!codes.is_additive_unit("PT"));
    assert!(!codes.is_additive_unit("PER_100000_POP"));
    assert!(!codes.is_additive_unit("IX"));
}

#[test]
fn a_names_file_with_an_unknown_code_or_list_is_refused_naming_the_row() {
    let mut codes = CodeLists::from_structure(sdg_dsd());
    let text = errors(codes.add_names(
        "codelist,code,lang,name\nCL_SEX,F,ru,Женщины\nCL_SEX,X,ru,Икс\nCL_NOPE,F,ru,Ж\r\nCL_SEX,M,,М\n"
            .as_bytes(),
        "n.csv",
    ));
    assert_eq!(
        text,
        "n.csv: row 3: code \"X\" is not in CL_SEX\n\
         n.csv: row 4: code list \"CL_NOPE\" is not in the structure\n\
         n.csv: row 5: lang is blank"
    );
    assert_eq!(
        codes.name("SEX", "F", "ru"),
        Some("Female"),
        "nothing added"
    );
    let header = errors(codes.add_names(b"list,code,lang,name\n", "n.csv"));
    assert!(header.contains("n.csv: header: the header is"), "{header}");
    let unit =
        errors(codes.add_additive_units(b"code,reason\nNUMBER,count\nHEADS,count\n", "u.csv"));
    assert_eq!(
        unit,
        "u.csv: row 3: code \"HEADS\" is not in CL_UNIT_MEASURE"
    );
}

#[test]
fn national_codes_extend_a_list_all_or_nothing() {
    let mut codes = CodeLists::from_structure(sdg_dsd());
    let areas = codes.codelist_of("REF_AREA").map(|l| l.codes.len());
    assert_eq!(codes.contains("REF_AREA", "TM-A"), Some(false));
    let added = codes
        .add_codes(&data_file("national_codes.csv"), "national_codes.csv")
        .expect("the bundled national codes load");
    assert_eq!(added, 6);
    assert_eq!(
        codes.codelist_of("REF_AREA").map(|l| l.codes.len()),
        areas.map(|n| n + 6)
    );
    assert_eq!(codes.contains("REF_AREA", "TM-A"), Some(true));
    assert_eq!(codes.name("REF_AREA", "TM-S", "tk"), Some("Aşgabat şäheri"));
    assert_eq!(
        codes.name("REF_AREA", "TM-L", "ru"),
        Some("Лебапский велаят")
    );

    let header = "codelist,code,parent,name_en,name_ru,name_tk\n";
    let bad = format!(
        "{header}CL_AREA,TM-X,795,X,X,X\nCL_AREA,795,795,Turkmenistan,Т,T\nCL_AREA,TM-Y,999999,Y,Y,Y\nCL_NOPE,A,B,a,b,c\nCL_AREA,TM-X,795,X,X,X\n"
    );
    let mut fresh = CodeLists::from_structure(sdg_dsd());
    let refused = errors(fresh.add_codes(bad.as_bytes(), "bad.csv"));
    assert!(
        refused.contains("bad.csv: row 3: CL_AREA already has the code \"795\""),
        "{refused}"
    );
    assert!(
        refused.contains("row 4: the parent \"999999\" is not in CL_AREA"),
        "{refused}"
    );
    assert!(
        refused.contains("row 5: code list \"CL_NOPE\" is not in the structure"),
        "{refused}"
    );
    assert!(
        refused.contains("row 6: CL_AREA already has the code \"TM-X\""),
        "{refused}"
    );
    assert_eq!(
        fresh.contains("REF_AREA", "TM-X"),
        Some(false),
        "nothing added"
    );
}

#[test]
fn a_velayat_is_a_known_area_once_the_national_codes_are_loaded() {
    use hrtrack_sdg::validate::{ValidationOptions, validate};
    let text = "STRUCTURE,STRUCTURE_ID,ACTION,SERIES,REF_AREA,TIME_PERIOD,OBS_VALUE,UNIT_MEASURE\n\
                dataflow,IAEG-SDGs:DF_SDG_GLH(1.24),I,SG_GEN_PARL,TM-A,2023,25,PT\n\
                dataflow,IAEG-SDGs:DF_SDG_GLH(1.24),I,SG_GEN_PARL,TM-Z,2023,25,PT\n";
    let dataset = hrtrack_sdg::sdmx_csv::read(text.as_bytes(), "areas.csv").expect("reads");
    let report = validate(&dataset, &real_codes(), &[], &ValidationOptions::default());
    let unknown: Vec<(&str, &str)> = report
        .issues
        .iter()
        .filter(|i| i.kind.code() == "unknown_code")
        .map(|i| (i.place.as_str(), i.value.as_str()))
        .collect();
    assert_eq!(unknown, [("row 3", "TM-Z")]);
}
