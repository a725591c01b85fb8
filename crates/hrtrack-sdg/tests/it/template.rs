//! The template of an indicator planned from the real code lists and the real Kazakhstan data,
//! written, and read back as the data it was prefilled with.

use hrtrack_sdg::codelists::CodeLists;
use hrtrack_sdg::template::plan_template;
use hrtrack_sdg::{open_sdg, structure, xlsx};

fn code_lists() -> CodeLists {
    let dsd =
        std::fs::read("../../data/sdg-timeseries/tajikistan-sdmx/TAJSTAT_DSD.xml").expect("DSD");
    CodeLists::from_structure(structure::read(&dsd, "TAJSTAT_DSD.xml").expect("structure"))
}

#[test]
fn prefilled_template_reads_back() {
    let codes = code_lists();
    let file = "../../data/sdg-timeseries/kazakhstan-open-sdg/indicator_1-2-1.csv";
    let dataset =
        open_sdg::read(&std::fs::read(file).expect("file"), "indicator_1-2-1.csv").expect("read");
    let plan = plan_template("1.2.1", "Poverty", &codes, dataset.observations.clone());
    let ids: Vec<&str> = plan.columns.iter().map(|c| c.id.as_str()).collect();
    // The breakdowns of the data, in the structure's order.
    let at = |id: &str| {
        ids.iter()
            .position(|c| *c == id)
            .unwrap_or_else(|| panic!("{id} in {ids:?}"))
    };
    assert!(
        at("REF_AREA") < at("SEX") && at("SEX") < at("URBANISATION"),
        "{ids:?}"
    );
    assert!(at("URBANISATION") < at("TIME_PERIOD") && at("TIME_PERIOD") < at("OBS_VALUE"));
    let sex = &plan.columns[at("SEX")];
    assert!(
        sex.codes.iter().any(|(code, _)| code == "F"),
        "{:?}",
        sex.codes
    );
    let bytes = xlsx::write_template(&plan).expect("template");
    let back = xlsx::read(&bytes, "template.xlsx").expect("read back");
    assert_eq!(back.observations.len(), dataset.observations.len());
    for (a, b) in back.observations.iter().zip(&dataset.observations) {
        assert_eq!(
            (&a.dimensions, &a.time_period, a.value),
            (&b.dimensions, &b.time_period, b.value)
        );
    }
}

#[test]
fn empty_indicator_offers_its_series_and_the_usual_breakdowns() {
    let codes = code_lists();
    let plan = plan_template("5.5.1", "Women in parliaments", &codes, Vec::new());
    let series = &plan.columns[0];
    assert_eq!(series.id, "SERIES");
    let offered: Vec<&str> = series.codes.iter().map(|(c, _)| c.as_str()).collect();
    assert!(
        offered.contains(&"SG_GEN_PARL") && offered.contains(&"SG_GEN_LOCG"),
        "{offered:?}"
    );
    assert!(!offered.contains(&"SI_POV_DAY1"), "{offered:?}");
    let ids: Vec<&str> = plan.columns.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(&ids[1..4], &["SEX", "AGE", "URBANISATION"]);
    let bytes = xlsx::write_template(&plan).expect("template");
    let back = xlsx::read(&bytes, "template.xlsx").expect("read back");
    assert!(back.observations.is_empty());
}
