//! The SDMX-ML 2.1 structure reader on the real UNSD global SDG DSD (Tajikistan's copy) and its
//! refusals: a data message, a DTD, a truncated file.

use hrtrack_sdg::structure::{ComponentKind, DataStructure, read};
use proptest::prelude::*;

const TJ: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../data/sdg-timeseries/tajikistan-sdmx"
);

pub fn real_bytes(name: &str) -> Vec<u8> {
    std::fs::read(format!("{TJ}/{name}")).expect("the bundled Tajikistan file is there")
}

/// The real SDG DSD, read.
pub fn sdg_dsd() -> DataStructure {
    read(&real_bytes("TAJSTAT_DSD.xml"), "TAJSTAT_DSD.xml").expect("the real DSD reads")
}

fn refusal(bytes: &[u8]) -> String {
    match read(bytes, "s.xml") {
        Ok(s) => panic!("expected a refusal, read {}", s.id),
        Err(errors) => errors
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

#[test]
fn the_real_dsd_has_its_20_code_lists_with_their_code_counts() {
    let dsd = sdg_dsd();
    assert_eq!(dsd.id, "IAEG-SDGs:SDG(1.0)");
    let counts: Vec<(&str, usize)> = dsd
        .codelists
        .iter()
        .map(|c| (c.id.as_str(), c.codes.len()))
        .collect();
    assert_eq!(
        counts,
        [
            ("CL_ACTIVITY", 22),
            ("CL_AGE", 127),
            ("CL_AREA", 572),
            ("CL_COMP_BREAKDOWN", 118),
            ("CL_CUST_BREAKDOWN", 101),
            ("CL_DISABILITY", 3),
            ("CL_EDUCATION_LEV", 53),
            ("CL_GEO_INFO_TYPE", 4),
            ("CL_NATURE", 7),
            ("CL_OCCUPATION", 40),
            ("CL_PRODUCT", 29),
            ("CL_QUANTILE", 8),
            ("CL_REPORTING_TYPE", 3),
            ("CL_SERIES", 465),
            ("CL_SEX", 6),
            ("CL_UNIT_MEASURE", 43),
            ("CL_URBANISATION", 3),
            ("CL_FREQ", 9),
            ("CL_OBS_STATUS", 20),
            ("CL_UNIT_MULT", 31),
        ]
    );
    let freq = dsd
        .codelists
        .iter()
        .find(|c| c.id == "CL_FREQ")
        .expect("CL_FREQ");
    assert_eq!(
        (freq.agency.as_str(), freq.version.as_str()),
        ("SDMX", "2.0")
    );
}

#[test]
fn the_real_dsd_has_its_components_without_descriptor_pseudo_ids() {
    let dsd = sdg_dsd();
    let of = |kind: ComponentKind| -> Vec<&str> {
        dsd.components
            .iter()
            .filter(|c| c.kind == kind)
            .map(|c| c.id.as_str())
            .collect()
    };
    assert_eq!(
        of(ComponentKind::Dimension),
        [
            "FREQ",
            "REPORTING_TYPE",
            "SERIES",
            "REF_AREA",
            "SEX",
            "AGE",
            "URBANISATION",
            "INCOME_WEALTH_QUANTILE",
            "EDUCATION_LEV",
            "OCCUPATION",
            "CUST_BREAKDOWN",
            "COMPOSITE_BREAKDOWN",
            "DISABILITY_STATUS",
            "ACTIVITY",
            "PRODUCT"
        ]
    );
    assert_eq!(of(ComponentKind::TimeDimension), ["TIME_PERIOD"]);
    assert_eq!(
        of(ComponentKind::Attribute),
        [
            "OBS_STATUS",
            "UNIT_MULT",
            "UNIT_MEASURE",
            "NATURE",
            "COMMENT_OBS",
            "TIME_COVERAGE",
            "UPPER_BOUND",
            "LOWER_BOUND",
            "BASE_PER",
            "TIME_DETAIL",
            "SOURCE_DETAIL",
            "COMMENT_TS",
            "GEO_INFO_URL",
            "GEO_INFO_TYPE",
            "CUST_BREAKDOWN_LB",
            "DATA_LAST_UPDATE"
        ]
    );
    assert_eq!(of(ComponentKind::Measure), ["OBS_VALUE"]);
    assert_eq!(dsd.components.len(), 33);
    let codelist = |id: &str| {
        dsd.components
            .iter()
            .find(|c| c.id == id)
            .and_then(|c| c.codelist.as_deref())
    };
    assert_eq!(codelist("SEX"), Some("CL_SEX"));
    assert_eq!(codelist("REF_AREA"), Some("CL_AREA"));
    assert_eq!(codelist("INCOME_WEALTH_QUANTILE"), Some("CL_QUANTILE"));
    assert_eq!(codelist("DISABILITY_STATUS"), Some("CL_DISABILITY"));
    assert_eq!(codelist("UNIT_MEASURE"), Some("CL_UNIT_MEASURE"));
    assert_eq!(codelist("COMMENT_OBS"), None);
    assert_eq!(codelist("OBS_VALUE"), None);
    assert_eq!(codelist("TIME_PERIOD"), None);
    let coded = dsd
        .components
        .iter()
        .filter(|c| c.codelist.is_some())
        .count();
    assert_eq!(coded, 20, "every code list is used by one component");
}

#[test]
fn codes_carry_names_and_series_their_indicator() {
    let dsd = sdg_dsd();
    let list = |id: &str| dsd.codelists.iter().find(|c| c.id == id).expect(id);
    let parl = list("CL_SERIES").code("SG_GEN_PARL").expect("SG_GEN_PARL");
    assert_eq!(parl.indicator.as_deref(), Some("5.5.1"));
    assert!(parl.names["en"].starts_with("Proportion of seats held by women"));
    let several = list("CL_SERIES")
        .codes
        .iter()
        .filter(|c| !c.other_indicators.is_empty())
        .count();
    assert!(several > 0, "some series serve several indicators");
    let indicators: usize = list("CL_SERIES")
        .codes
        .iter()
        .map(|c| usize::from(c.indicator.is_some()) + c.other_indicators.len())
        .sum();
    assert_eq!(indicators, 510, "one per Indicator annotation");
    let nature: Vec<&str> = list("CL_NATURE")
        .codes
        .iter()
        .map(|c| c.id.as_str())
        .collect();
    assert_eq!(nature, ["C", "CA", "E", "G", "M", "N", "_X"]);
    let female = list("CL_SEX").code("F").expect("F");
    assert_eq!(female.names["en"], "Female");
    assert_eq!(female.indicator, None);
    assert_eq!(
        list("CL_SEX").code("_T").map(|c| c.names["en"].as_str()),
        Some("Both sexes or no breakdown by sex")
    );
}

#[test]
fn a_data_message_is_refused_as_not_a_structure() {
    let text = refusal(&real_bytes("TAJSTAT_Data.xml"));
    assert!(
        text.contains("is an SDMX-ML data message") && text.contains("not a structure message"),
        "{text}"
    );
    assert!(
        text.starts_with("s.xml: line 3, column 1: <message:GenericData>"),
        "{text}"
    );
}

#[test]
fn a_dtd_billion_laughs_is_refused() {
    let text = refusal(
        br#"<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<mes:Structure xmlns:mes="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message">&lol2;</mes:Structure>"#,
    );
    assert!(
        text.contains("s.xml: line 2, column 1: DOCTYPE/DTD declarations are refused"),
        "{text}"
    );
}

#[test]
fn a_truncated_file_is_refused_with_a_place() {
    let bytes = real_bytes("TAJSTAT_DSD.xml");
    let half = bytes.get(..bytes.len() / 2).expect("half");
    let text = refusal(half);
    let last_line = half.iter().filter(|&&b| b == b'\n').count() + 1;
    assert!(
        text.starts_with(&format!("s.xml: line {last_line}, column ")),
        "{text}"
    );
    assert!(
        text.contains("file ends early (truncated?): element <"),
        "{text}"
    );
    assert!(text.contains("is not closed"), "{text}");
}

#[test]
fn deep_nesting_and_foreign_roots_are_refused() {
    let deep = format!(
        "<mes:Structure xmlns:mes=\"http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message\">{}",
        "<a>".repeat(100)
    );
    assert!(refusal(deep.as_bytes()).contains("nested deeper than 64 levels"));
    assert!(refusal(b"<html/>").contains("is not an SDMX-ML 2.1 structure message"));
    assert!(refusal(b"").contains("file is empty"));
    assert!(refusal(b"<a>\xff</a>").contains("not valid UTF-8"));
}

/// The SEX code list and the DSD part of the real file, cut out as a small whole message.
fn small_message() -> Vec<u8> {
    let text = String::from_utf8(real_bytes("TAJSTAT_DSD.xml")).expect("UTF-8");
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
    format!(
        "{}<str:Codelists>{sex}</str:Codelists>{dsd}</mes:Structures></mes:Structure>",
        &text[..head_end]
    )
    .into_bytes()
}

#[test]
fn the_small_message_reads() {
    let structure = read(&small_message(), "small.xml").expect("reads");
    assert_eq!(structure.components.len(), 33);
    assert_eq!(structure.codelists.len(), 1);
    assert_eq!(structure.codelists[0].codes.len(), 6);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Damaged or truncated structure messages give a structure or errors, never a panic.
    #[test]
    fn damaged_messages_never_panic(
        cut in 0usize..100_000,
        flips in proptest::collection::vec((0usize..100_000, any::<u8>()), 0..8),
    ) {
        let mut bytes = small_message();
        for (at, byte) in flips {
            let len = bytes.len();
            if let Some(b) = bytes.get_mut(at % len) {
                *b = byte;
            }
        }
        bytes.truncate(cut.min(bytes.len()));
        if let Err(errors) = read(&bytes, "s.xml") {
            prop_assert!(!errors.is_empty());
            prop_assert!(errors.iter().all(|e| e.file == "s.xml"));
        }
    }

    /// Any text as a names file gives a count or errors, never a panic.
    #[test]
    fn any_names_file_never_panics(text in "codelist,code,lang,name\n[A-Z_,\"\n a-z]{0,200}") {
        let mut codes = hrtrack_sdg::codelists::CodeLists::new(Vec::new(), Vec::new());
        let _ = codes.add_names(text.as_bytes(), "n.csv");
    }
}
