//! SDMX-CSV reader rules and refusals on small handmade files (1.0 and 2.x).

use hrtrack_sdg::sdmx_csv::read;
use hrtrack_sdg::{RowAction, SdgFormat};

const V1: &str = "DATAFLOW,FREQ,REPORTING_TYPE,SERIES,REF_AREA,SEX,AGE,TIME_PERIOD,OBS_VALUE,OBS_STATUS,UNIT_MULT,UNIT_MEASURE,NATURE,COMMENT_OBS,SOURCE_DETAIL,CUSTOM\n\
IAEG-SDGs:DF_SDG_GLH(1.24),A,N,SI_POV_DAY1,826,_T,_T,2020,100,A,0,PT,C,,National survey X,\n\
IAEG-SDGs:DF_SDG_GLH(1.24),A,N,SI_POV_DAY1,826,F,_T,2020,70,E,0,PT,E,\"Note: estimated, partly\",National survey X,z\n\
IAEG-SDGs:DF_SDG_GLH(1.24),A,N,SI_POV_DAY1,826,M,_T,2020,NaN,M,0,PT,,,,\n";

fn problems(text: &str) -> Vec<String> {
    read(text.as_bytes(), "f.csv")
        .expect_err("refused")
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn version_1_is_read() {
    let d = read(V1.as_bytes(), "f.csv").expect("read");
    assert_eq!(d.format, SdgFormat::SdmxCsv1);
    assert_eq!(d.dataflow.as_deref(), Some("IAEG-SDGs:DF_SDG_GLH(1.24)"));
    assert_eq!(d.observations.len(), 3);
    let o = &d.observations[1];
    assert_eq!(o.series, "SI_POV_DAY1");
    assert_eq!(o.indicator, None);
    assert_eq!(o.time_period, "2020");
    assert_eq!(o.value, Some(70.0));
    assert_eq!(o.dimension("SEX"), Some("F"));
    assert_eq!(o.dimension("FREQ"), Some("A"));
    assert_eq!(o.dimension("REF_AREA"), Some("826"));
    assert_eq!(o.dimensions.len(), 5);
    assert_eq!(o.attribute("COMMENT_OBS"), Some("Note: estimated, partly"));
    assert_eq!(
        o.attribute("CUSTOM"),
        Some("z"),
        "columns after OBS_VALUE are attributes"
    );
    assert_eq!(o.attribute("NATURE"), Some("E"));
    assert_eq!(o.action, RowAction::Information);
    assert_eq!(d.observations[2].value, None);
    assert_eq!(d.observations[2].attribute("OBS_STATUS"), Some("M"));
}

#[test]
fn version_2_actions_are_read_per_row() {
    let text = "STRUCTURE,STRUCTURE_ID,ACTION,SERIES,REF_AREA,SEX,TIME_PERIOD,OBS_VALUE,UNIT_MEASURE\n\
                dataflow,IAEG-SDGs:DF_SDG_GLH(1.24),M,S,826,_T,2020,100,PT\n\
                dataflow,IAEG-SDGs:DF_SDG_GLH(1.24),I,S,826,F,2020,70,PT\n\
                dataflow,IAEG-SDGs:DF_SDG_GLH(1.24),A,S,826,M,2020,#N/A,PT\n\
                dataflow,IAEG-SDGs:DF_SDG_GLH(1.24),R,S,826,M,2021,5,PT\n\
                dataflow,IAEG-SDGs:DF_SDG_GLH(1.24),D,S,826,,,-,\n\
                dataflow,IAEG-SDGs:DF_SDG_GLH(1.24),,S,826,F,2021,1,PT\n";
    let d = read(text.as_bytes(), "f.csv").expect("read");
    assert_eq!(d.format, SdgFormat::SdmxCsv2);
    assert_eq!(d.dataflow.as_deref(), Some("IAEG-SDGs:DF_SDG_GLH(1.24)"));
    let actions: Vec<RowAction> = d.observations.iter().map(|o| o.action).collect();
    use RowAction::*;
    assert_eq!(
        actions,
        [
            Information,
            Information,
            Append,
            Replace,
            Delete,
            Information
        ]
    );
    let del = &d.observations[4];
    assert_eq!(del.time_period, "");
    assert_eq!(del.value, None);
    assert!(
        !del.dimensions.contains_key("SEX"),
        "empty dimension = wildcard"
    );
    assert_eq!(d.observations[2].value, None);
}

#[test]
fn semicolons_decimal_commas_and_labels() {
    let text = "STRUCTURE;STRUCTURE_ID: Structure;ACTION;SEX: Sex;TIME_PERIOD;OBS_VALUE;OBS_STATUS: Status;COMMENT_OBS\n\
                dataflow;IAEG-SDGs:DF_SDG_GLH(1.24): SDG;I;F: Female;2020;12,4;A: Normal value;Note: x\n";
    let d = read(text.as_bytes(), "f.csv").expect("read");
    let o = &d.observations[0];
    assert_eq!(d.dataflow.as_deref(), Some("IAEG-SDGs:DF_SDG_GLH(1.24)"));
    assert_eq!(o.dimension("SEX"), Some("F"));
    assert_eq!(o.value, Some(12.4));
    assert_eq!(o.attribute("OBS_STATUS"), Some("A"));
    assert_eq!(
        o.attribute("COMMENT_OBS"),
        Some("Note: x"),
        "free text is kept whole"
    );
    let d = read(
        b"DATAFLOW;TIME_PERIOD;OBS_VALUE\nX:Y(1);2020;1,5\n",
        "f.csv",
    )
    .expect("read");
    assert_eq!(d.observations[0].value, Some(1.5));
}

#[test]
fn multi_valued_and_multi_lingual_headers() {
    let text = "STRUCTURE[;],STRUCTURE_ID,TIME_PERIOD,OBS_VALUE,COMMENT_OBS[en;fr],UNIT_MEASURE[]\n\
                dataflow,A:F(1),2020,1,\"en:Text;fr:Texte\",PT;NUMBER\n";
    let d = read(text.as_bytes(), "f.csv").expect("read");
    let o = &d.observations[0];
    assert_eq!(o.attribute("COMMENT_OBS"), Some("en:Text;fr:Texte"));
    assert_eq!(o.attribute("UNIT_MEASURE"), Some("PT;NUMBER"));
}

#[test]
fn unknown_layouts_are_refused_naming_the_header() {
    let p = problems("Year,Value\n2010,1\n");
    assert_eq!(
        p,
        [
            "f.csv: header: not an SDMX-CSV layout: the header is \"Year,Value\"; SDMX-CSV 1.0 begins with DATAFLOW, 2.x with STRUCTURE,STRUCTURE_ID"
        ]
    );
    assert!(problems("STRUCTURE,FREQ,TIME_PERIOD\n")[0].contains("STRUCTURE_ID as second column"));
    assert!(problems("DATAFLOW,FREQ,OBS_VALUE\n")[0].contains("no TIME_PERIOD column"));
    assert!(problems("DATAFLOW,FREQ,TIME_PERIOD\n")[0].contains("no OBS_VALUE column"));
    assert!(
        problems("DATAFLOW,FREQ,FREQ,TIME_PERIOD,OBS_VALUE\n")[0].contains("FREQ appears twice")
    );
    assert!(problems("DATAFLOW,,TIME_PERIOD,OBS_VALUE\n")[0].contains("no name"));
    assert!(
        problems("DATAFLOW,ACTION,TIME_PERIOD,OBS_VALUE\n")[0].contains("ACTION is out of place")
    );
    assert!(problems("DATAFLOW")[0].contains("not an SDMX-CSV layout"));
}

#[test]
fn every_row_problem_is_reported_at_once() {
    let text = "STRUCTURE,STRUCTURE_ID,ACTION,SEX,TIME_PERIOD,OBS_VALUE\n\
                dataflow,A:F(1),X,F,2020,1\n\
                table,A:F(1),I,F,2020,1\n\
                dataflow,A:G(1),I,F,2020,1\n\
                dataflow,A:F(1),I,F,,1\n\
                dataflow,A:F(1),I,M,2020,abc\n\
                dataflow,A:F(1),I,M,2020\n\
                dataflow,A:F(1),I,T,2020,1\n\
                dataflow,A:F(1),I,T,2020,2\n\
                dataflow,A:F(1),A,T,2020,2\n";
    assert_eq!(
        problems(text),
        [
            "f.csv: row 2, column ACTION: \"X\": ACTION must be I, M, A, R or D (or blank)",
            "f.csv: row 3, column STRUCTURE: \"table\": STRUCTURE must be dataflow, datastructure or dataprovision",
            "f.csv: row 4, column STRUCTURE_ID: \"A:G(1)\" differs from \"A:F(1)\" of row 2: one dataflow per file",
            "f.csv: row 5, column TIME_PERIOD: the period is blank",
            "f.csv: row 6, column OBS_VALUE: \"abc\" is not a number",
            "f.csv: row 7: the row has 5 cell(s) but the header has 6 column(s)",
            "f.csv: row 9: the same series, dimensions and period (SEX T, TIME_PERIOD 2020) as row 8",
        ]
    );
}

#[test]
fn version_1_duplicates_and_comma_decimals_are_refused() {
    let text = "DATAFLOW,SEX,TIME_PERIOD,OBS_VALUE\nA:F(1),F,2020,1\nA:F(1),F,2020,2\nA:F(1),M,2020,\"1,5\"\n";
    let p = problems(text);
    assert_eq!(p.len(), 2, "{p:?}");
    assert!(p[0].contains("row 3: the same series"));
    assert!(p[1].contains("row 4, column OBS_VALUE: \"1,5\" is not a number (use a dot"));
}

/// Eurostat's SDMX-CSV shape: a release time stamp as second column.
const RELEASE: &str = "DATAFLOW,LAST UPDATE,freq,SERIES,SEX,TIME_PERIOD,OBS_VALUE,OBS_FLAG\n\
ESTAT:X(1.0),01/02/24 23:00:00,A,SI_POV_DAY1,F,2020,1.5,\n";

#[test]
fn bookkeeping_columns_are_attributes_with_a_warning() {
    // Before: LAST UPDATE was a dimension, so a new release made new series.
    let d = read(RELEASE.as_bytes(), "f.csv").expect("read");
    let o = &d.observations[0];
    assert_eq!(o.attribute("LAST UPDATE"), Some("01/02/24 23:00:00"));
    assert_eq!(o.dimension("LAST UPDATE"), None);
    assert_eq!(o.dimension("freq"), Some("A"));
    assert_eq!(
        d.warnings
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        [
            "f.csv: header, column LAST UPDATE: read as an attribute (a release's bookkeeping, not part of the series key)"
        ]
    );
    for name in ["LAST_UPDATE", "last-updated", "Release date"] {
        let text = RELEASE.replacen("LAST UPDATE", name, 1);
        let d = read(text.as_bytes(), "f.csv").expect("read");
        assert!(d.observations[0].attribute(name).is_some(), "{name}");
    }
}

#[test]
fn the_structure_says_what_a_known_column_is() {
    use hrtrack_sdg::sdmx_csv::read_with_structure;
    use hrtrack_sdg::structure::{Component, ComponentKind};
    let component = |id: &str, kind| Component {
        id: id.to_owned(),
        kind,
        codelist: None,
    };
    // A DSD that has the release time as an attribute and `freq` as an attribute too.
    let components = [
        component("SEX", ComponentKind::Dimension),
        component("freq", ComponentKind::Attribute),
        component("OBS_FLAG", ComponentKind::Dimension),
    ];
    let d = read_with_structure(RELEASE.as_bytes(), "f.csv", &components).expect("read");
    let o = &d.observations[0];
    assert_eq!(o.attribute("freq"), Some("A"));
    assert_eq!(o.dimension("freq"), None);
    assert_eq!(o.attribute("LAST UPDATE"), Some("01/02/24 23:00:00"));
    assert_eq!(d.warnings.len(), 1);
}
