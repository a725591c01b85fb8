//! Integration tests: the real Tajikistan files, handmade messages, hostile inputs and fuzzing.

use hrtrack_sdg::model::{RowAction, SdgFormat};
use hrtrack_sdg::sdmx_ml::{Limits, read, read_with_limits};
use proptest::prelude::*;

const TJ: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../data/sdg-timeseries/tajikistan-sdmx"
);

fn real(name: &str) -> Option<Vec<u8>> {
    std::fs::read(format!("{TJ}/{name}")).ok()
}

fn err_text(
    r: Result<hrtrack_sdg::model::Dataset, Vec<hrtrack_sdg::model::SdgReadError>>,
) -> String {
    match r {
        Ok(d) => panic!(
            "expected an error, read {} observations",
            d.observations.len()
        ),
        Err(e) => e
            .iter()
            .map(|x| x.to_string())
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

#[test]
fn tajikistan_data_reads_188_observations() {
    let Some(b) = real("TAJSTAT_Data.xml") else {
        return;
    };
    let d = read(&b, "TAJSTAT_Data.xml").expect("reads");
    assert_eq!(d.format, SdgFormat::SdmxMlGeneric20);
    assert_eq!(d.dataflow.as_deref(), Some("IAEG-SDGs:SDG"));
    assert_eq!(d.observations.len(), 188);
    let series: std::collections::BTreeSet<_> =
        d.observations.iter().map(|o| o.series.as_str()).collect();
    assert_eq!(series.len(), 38);
    let years: std::collections::BTreeSet<_> = d
        .observations
        .iter()
        .map(|o| o.time_period.as_str())
        .collect();
    assert_eq!(
        years.into_iter().collect::<Vec<_>>(),
        ["2015", "2016", "2017", "2018", "2019"]
    );
    let first = &d.observations[0];
    assert_eq!(first.series, "SI_POV_DAY1");
    assert_eq!(first.value, Some(4.81));
    assert_eq!(first.dimensions["REF_AREA"], "tj");
    assert_eq!(first.dimensions.len(), 14);
    assert_eq!(first.attributes["UNIT_MEASURE"], "PERCENT");
    assert_eq!(first.attributes["NATURE"], "C");
    assert_eq!(first.action, RowAction::Information);
    assert!(
        d.observations
            .iter()
            .all(|o| o.value.is_some() && o.indicator.is_none())
    );
    // One series has no UNIT_MEASURE; 187 observations carry one.
    let with_unit = d
        .observations
        .iter()
        .filter(|o| o.attributes.contains_key("UNIT_MEASURE"))
        .count();
    assert_eq!(with_unit, 187);
    // the value written "211 " (trailing space) is read as 211
    assert!(d.observations.iter().any(|o| o.value == Some(211.0)));
}

#[test]
fn tajikistan_dsd_is_refused_as_structure_message() {
    let Some(b) = real("TAJSTAT_DSD.xml") else {
        return;
    };
    let e = err_text(read(&b, "TAJSTAT_DSD.xml"));
    assert!(e.contains("structure message"), "{e}");
    assert!(e.contains("mes:Structure"), "{e}");
    assert!(e.starts_with("TAJSTAT_DSD.xml: line 2, column 1:"), "{e}");
}

const G20: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<GenericData xmlns="http://www.SDMX.org/resources/SDMXML/schemas/v2_0/message" xmlns:g="http://www.SDMX.org/resources/SDMXML/schemas/v2_0/generic">
 <Header><ID>x</ID><KeyFamilyRef>SDG</KeyFamilyRef><KeyFamilyAgency>IAEG-SDGs</KeyFamilyAgency><DataSetAction>Replace</DataSetAction></Header>
 <DataSet>
  <g:Series>
   <g:SeriesKey><g:Value concept="SERIES" value="SG_GEN_PARL"/><g:Value concept="SEX" value="F"/><g:Value concept="INDICATOR" value="C050501"/></g:SeriesKey>
   <g:Attributes><g:Value concept="UNIT_MEASURE" value="PT"/></g:Attributes>
   <g:Obs><g:Time>2015</g:Time><g:ObsValue value="23.8"/><g:Attributes><g:Value concept="NATURE" value="C"/></g:Attributes></g:Obs>
   <g:Obs><g:Time>2016</g:Time><g:ObsValue value="NaN"/></g:Obs>
  </g:Series>
 </DataSet>
</GenericData>"#;

#[test]
fn handmade_generic_20() {
    let d = read(G20.as_bytes(), "g20.xml").expect("reads");
    assert_eq!(d.format, SdgFormat::SdmxMlGeneric20);
    assert_eq!(d.dataflow.as_deref(), Some("IAEG-SDGs:SDG"));
    assert_eq!(d.observations.len(), 2);
    let o = &d.observations[0];
    assert_eq!(o.series, "SG_GEN_PARL");
    assert_eq!(o.indicator.as_deref(), Some("5.5.1"));
    assert_eq!(o.dimensions.get("SEX").map(String::as_str), Some("F"));
    assert!(!o.dimensions.contains_key("INDICATOR"));
    assert_eq!(o.attributes["UNIT_MEASURE"], "PT");
    assert_eq!(o.attributes["NATURE"], "C");
    assert_eq!(o.value, Some(23.8));
    assert_eq!(o.action, RowAction::Replace);
    assert_eq!(d.observations[1].value, None);
    assert!(!d.observations[1].attributes.contains_key("NATURE"));
}

const G21: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<message:GenericData xmlns:message="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message" xmlns:generic="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/data/generic" xmlns:common="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common">
 <message:Header><message:ID>x</message:ID>
  <message:Structure structureID="S1" dimensionAtObservation="TIME_PERIOD">
   <common:StructureUsage><Ref agencyID="IAEG-SDGs" id="DF_SDG_GLH" version="1.24"/></common:StructureUsage>
  </message:Structure>
 </message:Header>
 <message:DataSet structureRef="S1" action="Append">
  <generic:Attributes><generic:Value id="SOURCE_DETAIL" value="Census"/></generic:Attributes>
  <generic:Group type="G"><generic:GroupKey><generic:Value id="SERIES" value="SI_POV_DAY1"/></generic:GroupKey>
   <generic:Attributes><generic:Value id="COMMENT_TS" value="group note"/></generic:Attributes></generic:Group>
  <generic:Series>
   <generic:SeriesKey><generic:Value id="SERIES" value="SI_POV_DAY1"/><generic:Value id="REF_AREA" value="TJK"/></generic:SeriesKey>
   <generic:Attributes><generic:Value id="UNIT_MEASURE" value="PT"/></generic:Attributes>
   <generic:Obs><generic:ObsDimension value="2015-Q1"/><generic:ObsValue value="4.5"/>
    <generic:Attributes><generic:Value id="OBS_STATUS" value="A"/></generic:Attributes></generic:Obs>
  </generic:Series>
  <generic:Obs><generic:ObsKey><generic:Value id="SERIES" value="X"/><generic:Value id="TIME_PERIOD" value="2020"/></generic:ObsKey><generic:ObsValue value="1e3"/></generic:Obs>
 </message:DataSet>
</message:GenericData>"#;

#[test]
fn handmade_generic_21() {
    let d = read(G21.as_bytes(), "g21.xml").expect("reads");
    assert_eq!(d.format, SdgFormat::SdmxMlGeneric21);
    assert_eq!(d.dataflow.as_deref(), Some("IAEG-SDGs:DF_SDG_GLH(1.24)"));
    assert_eq!(d.observations.len(), 2);
    let o = &d.observations[0];
    assert_eq!(
        (o.series.as_str(), o.time_period.as_str(), o.value),
        ("SI_POV_DAY1", "2015-Q1", Some(4.5))
    );
    assert_eq!(o.dimensions["REF_AREA"], "TJK");
    assert_eq!(o.attributes["UNIT_MEASURE"], "PT");
    assert_eq!(o.attributes["OBS_STATUS"], "A");
    assert_eq!(o.attributes["COMMENT_TS"], "group note");
    assert_eq!(o.attributes["SOURCE_DETAIL"], "Census");
    assert_eq!(o.action, RowAction::Append);
    let f = &d.observations[1];
    assert_eq!(
        (f.series.as_str(), f.time_period.as_str(), f.value),
        ("X", "2020", Some(1000.0))
    );
    assert!(!f.attributes.contains_key("COMMENT_TS"));
}

const SS21: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<message:StructureSpecificData xmlns:message="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message" xmlns:ss="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/data/structurespecific" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:common="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common">
 <message:Header><message:ID>x</message:ID>
  <message:Structure structureID="S" namespace="urn:x" dimensionAtObservation="TIME_PERIOD">
   <common:Structure><Ref agencyID="IAEG-SDGs" id="SDG" version="1.0"/></common:Structure>
  </message:Structure>
 </message:Header>
 <message:DataSet ss:structureRef="S" xsi:type="ns1:DataSetType" ss:dataScope="DataStructure" action="Delete" COMMENT_DSET="d &amp; s">
  <Series FREQ="A" REPORTING_TYPE="G" SERIES="SI_POV_DAY1" REF_AREA="TJK" SEX="_T" UNIT_MEASURE="PT">
   <Obs TIME_PERIOD="2020" OBS_VALUE="100" OBS_STATUS="A" UNIT_MULT="0" NATURE="_X"/>
   <Obs TIME_PERIOD="2021" OBS_VALUE=""/>
  </Series>
 </message:DataSet>
</message:StructureSpecificData>"#;

#[test]
fn handmade_structure_specific_21() {
    let d = read(SS21.as_bytes(), "ss.xml").expect("reads");
    assert_eq!(d.format, SdgFormat::SdmxMlStructureSpecific21);
    assert_eq!(d.dataflow.as_deref(), Some("IAEG-SDGs:SDG(1.0)"));
    assert_eq!(d.observations.len(), 2);
    let o = &d.observations[0];
    assert_eq!(o.series, "SI_POV_DAY1");
    assert_eq!(o.time_period, "2020");
    assert_eq!(o.value, Some(100.0));
    assert_eq!(
        o.dimensions.keys().collect::<Vec<_>>(),
        ["FREQ", "REF_AREA", "REPORTING_TYPE", "SEX"]
    );
    assert_eq!(o.attributes["UNIT_MEASURE"], "PT");
    assert_eq!(o.attributes["NATURE"], "_X");
    assert_eq!(o.attributes["COMMENT_DSET"], "d & s");
    assert_eq!(o.action, RowAction::Delete);
    assert_eq!(d.observations[1].value, None);
}

#[test]
fn missing_parts_are_errors_with_places() {
    let bad = G20.replace("<g:Time>2016</g:Time>", "").replace(
        "<g:ObsValue value=\"23.8\"/>",
        "<g:ObsValue value=\"abc\"/>",
    );
    let e = err_text(read(bad.as_bytes(), "bad.xml"));
    assert!(
        e.contains("bad.xml: line 8, column 4: OBS_VALUE \"abc\" is not a number"),
        "{e}"
    );
    assert!(
        e.contains("bad.xml: line 9, column 4: Obs without a time period"),
        "{e}"
    );
    let nokey = G21.replace(
        "<generic:SeriesKey><generic:Value id=\"SERIES\" value=\"SI_POV_DAY1\"/><generic:Value id=\"REF_AREA\" value=\"TJK\"/></generic:SeriesKey>",
        "",
    );
    let e = err_text(read(nokey.as_bytes(), "nokey.xml"));
    assert!(
        e.contains("line 12, column 3: Series without a series key"),
        "{e}"
    );
}

#[test]
fn billion_laughs_is_refused() {
    let x = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<lolz>&lol3;</lolz>"#;
    let e = err_text(read(x.as_bytes(), "bl.xml"));
    assert!(e.contains("bl.xml: line 2, column 1: DOCTYPE"), "{e}");
}

#[test]
fn external_entity_is_refused() {
    let x = r#"<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<message:GenericData xmlns:message="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message">&x;</message:GenericData>"#;
    let e = err_text(read(x.as_bytes(), "xxe.xml"));
    assert!(e.contains("DOCTYPE"), "{e}");
    assert!(!e.contains("root:"), "{e}");
    // an undeclared entity reference without a DOCTYPE is refused as well
    let y = G20.replace("<ID>x</ID>", "<ID>&x;</ID>");
    let e = err_text(read(y.as_bytes(), "ref.xml"));
    assert!(e.contains("&x;"), "{e}");
}

#[test]
fn wrong_namespace_is_refused() {
    let x = G21.replace("v2_1/message", "v9_9/message");
    let e = err_text(read(x.as_bytes(), "ns.xml"));
    assert!(e.contains("<message:GenericData>"), "{e}");
    assert!(
        e.contains("http://www.sdmx.org/resources/sdmxml/schemas/v9_9/message"),
        "{e}"
    );
    let e = err_text(read(b"<html><body/></html>", "h.xml"));
    assert!(e.contains("<html>") && e.contains("(none)"), "{e}");
}

#[test]
fn truncated_file_names_the_place() {
    let cut = &SS21[..SS21.find("</Series>").unwrap_or(0)];
    let e = err_text(read(cut.as_bytes(), "cut.xml"));
    assert!(
        e.contains("not closed") || e.contains("not well-formed"),
        "{e}"
    );
    assert!(e.contains("line "), "{e}");
    let cut2 = &SS21[..SS21.find("OBS_VALUE=\"100").unwrap_or(0) + 5];
    let e = err_text(read(cut2.as_bytes(), "cut2.xml"));
    assert!(e.contains("line 10, column 4"), "{e}");
}

#[test]
fn encodings() {
    // UTF-16 without BOM or declaration
    let u16: Vec<u8> = G20
        .replace(" encoding=\"UTF-8\"", "")
        .encode_utf16()
        .flat_map(|u| u.to_le_bytes())
        .collect();
    let e = err_text(read(&u16, "u16.xml"));
    assert!(e.contains("UTF-16 without a byte-order mark"), "{e}");
    // UTF-16 with BOM and matching declaration reads
    let mut bom = vec![0xFF, 0xFE];
    bom.extend(
        G20.replace("UTF-8", "UTF-16")
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes()),
    );
    assert_eq!(
        read(&bom, "bom.xml").map(|d| d.observations.len()).ok(),
        Some(2)
    );
    // Latin-1 bytes without declaration
    let mut l1 = G20.replace(" encoding=\"UTF-8\"", "").into_bytes();
    let pos = l1.iter().position(|&b| b == b'x').unwrap_or(0);
    l1[pos] = 0xE9;
    let e = err_text(read(&l1, "l1.xml"));
    assert!(
        e.contains("not valid UTF-8") && e.contains("line 1, column 3"),
        "{e}"
    );
    // declared Latin-1 reads
    let decl = G20.replace("UTF-8", "ISO-8859-1");
    assert!(read(decl.as_bytes(), "l1ok.xml").is_ok());
    let e = err_text(read(G20.replace("UTF-8", "EBCDIC").as_bytes(), "eb.xml"));
    assert!(e.contains("\"ebcdic\" is not supported"), "{e}");
}

#[test]
fn deep_nesting_is_refused() {
    let mut x = String::from(
        r#"<message:GenericData xmlns:message="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message"><message:DataSet>"#,
    );
    for _ in 0..100_000 {
        x.push_str("<a>");
    }
    let e = err_text(read(x.as_bytes(), "deep.xml"));
    assert!(e.contains("nested deeper than 64"), "{e}");
}

#[test]
fn huge_declared_count_and_caps() {
    // A count claimed in the file is never trusted for allocation.
    let x = SS21.replace(
        "action=\"Delete\"",
        "action=\"Delete\" OBS_COUNT=\"18446744073709551615000\"",
    );
    let d = read(x.as_bytes(), "count.xml").expect("reads");
    assert_eq!(d.observations.len(), 2);
    let limits = Limits {
        max_observations: 1,
        ..Limits::default()
    };
    let e = err_text(read_with_limits(SS21.as_bytes(), "cap.xml", &limits));
    assert!(e.contains("more than 1 observations"), "{e}");
    let limits = Limits {
        max_input_bytes: 100,
        ..Limits::default()
    };
    let e = err_text(read_with_limits(SS21.as_bytes(), "big.xml", &limits));
    assert!(e.contains("more than the 100 bytes"), "{e}");
    // error cap: 150 bad observations stop at 100 errors (+1 "stopped" line)
    let mut many = String::from(SS21.split("<Series").next().unwrap_or(""));
    many.push_str("<Series SERIES=\"A\">");
    for _ in 0..150 {
        many.push_str("<Obs OBS_VALUE=\"1\"/>");
    }
    many.push_str("</Series></message:DataSet></message:StructureSpecificData>");
    let r = read(many.as_bytes(), "many.xml");
    assert_eq!(r.err().map(|e| e.len()), Some(101));
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn random_bytes_never_panic(b in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = read(&b, "fuzz.xml");
    }

    #[test]
    fn random_bytes_after_sdmx_prefix_never_panic(b in proptest::collection::vec(any::<u8>(), 0..1024)) {
        let mut x = SS21.as_bytes()[..SS21.find("<Series").unwrap_or(0)].to_vec();
        x.extend(b);
        let _ = read(&x, "fuzz.xml");
    }

    #[test]
    fn truncations_of_real_file_never_panic(frac in 0.0f64..1.0) {
        let b = real("TAJSTAT_Data.xml").unwrap_or_else(|| G20.as_bytes().to_vec());
        let cut = ((b.len() as f64) * frac) as usize;
        let r = read(&b[..cut.min(b.len())], "cut.xml");
        prop_assert!(r.is_err());
    }

    #[test]
    fn byte_flips_of_real_file_never_panic(flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8)) {
        let mut b = real("TAJSTAT_Data.xml").unwrap_or_else(|| G20.as_bytes().to_vec());
        let n = b.len();
        for (i, v) in flips {
            b[i % n] = v;
        }
        let _ = read(&b, "flip.xml");
    }
}
