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
    let plan = plan_template(
        "1.2.1",
        "Poverty",
        &codes,
        dataset.observations.clone(),
        "en",
    );
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
    let plan = plan_template("5.5.1", "Women in parliaments", &codes, Vec::new(), "en");
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

#[test]
fn labels_names_and_instructions_in_the_language_asked() {
    let mut codes = code_lists();
    codes
        .add_names(
            &std::fs::read("../../data/sdg-codelists/names.csv").expect("names"),
            "names.csv",
        )
        .expect("names load");
    let ru = plan_template("5.5.1", "Доля мест", &codes, Vec::new(), "ru");
    let sex = ru.columns.iter().find(|c| c.id == "SEX").expect("SEX");
    assert_eq!(sex.label, "Пол");
    assert!(
        sex.codes.contains(&("F".to_owned(), "Женщины".to_owned())),
        "{:?}",
        sex.codes
    );
    assert!(ru.instructions[0].starts_with("Как заполнить"));
    let tk = plan_template("5.5.1", "Orunlaryň paýy", &codes, Vec::new(), "tk");
    assert_eq!(
        tk.columns
            .iter()
            .find(|c| c.id == "OBS_VALUE")
            .expect("value")
            .label,
        "Bahasy"
    );
    // Row 1 keeps the component ids: a Turkmen template reads back like an English one.
    let bytes = xlsx::write_template(&tk).expect("template");
    let back = xlsx::read(&bytes, "tk.xlsx").expect("read back");
    assert!(back.observations.is_empty());
    let en = plan_template("5.5.1", "Women", &codes, Vec::new(), "fr");
    assert_eq!(
        en.columns
            .iter()
            .find(|c| c.id == "SEX")
            .expect("SEX")
            .label,
        "Sex"
    );
}
