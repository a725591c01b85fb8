//! `hrtrack demo`: builds a database from the real data bundled in the binary (UPR Info's
//! export of sessions 1–20, six OHCHR matrices: Slovenia's cycles 2–4, China's cycles 2–3,
//! Egypt's cycle 2; for the SDG data platform the global SDG code lists with Russian and
//! Turkmen names, Kazakhstan's Open SDG indicator files and Tajikistan's SDMX-ML data) and
//! prints what it holds.

use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use hrtrack_db::{ImportSummary, RecommendationFilter, Store};
use hrtrack_import::ohchr_matrix::MatrixOptions;

use super::import::{read_bytes, write};
use crate::cli::{DemoArgs, ImportFormat};
use crate::output;
use crate::output::out;

/// The bundled files, in the order they are imported: UPR Info first, then the official
/// matrices, whose positions and texts take precedence.
const BUNDLED: &[(ImportFormat, &str, &[u8])] = &[
    (
        ImportFormat::UprInfo,
        "upr_info_recommendations_sessions01-20.csv.zip",
        include_bytes!("../../../../data/upr/upr_info_recommendations_sessions01-20.csv.zip"),
    ),
    (
        ImportFormat::OhchrMatrix,
        "UPR20_Slovenia_ThematicListRecommendations_E.docx",
        include_bytes!("../../../../data/upr/UPR20_Slovenia_ThematicListRecommendations_E.docx"),
    ),
    (
        ImportFormat::OhchrMatrix,
        "UPR34_Slovenia_Thematic_list_of_Recommendations.docx",
        include_bytes!("../../../../data/upr/UPR34_Slovenia_Thematic_list_of_Recommendations.docx"),
    ),
    (
        ImportFormat::OhchrMatrix,
        "upr48-slovenia-thematic-list-of-recommendations.docx",
        include_bytes!("../../../../data/upr/upr48-slovenia-thematic-list-of-recommendations.docx"),
    ),
    (
        ImportFormat::OhchrMatrix,
        "china_upr17_2013_cycle2_Matrix_recommendations_2013.docx",
        include_bytes!(
            "../../../../data/upr/china_upr17_2013_cycle2_Matrix_recommendations_2013.docx"
        ),
    ),
    (
        ImportFormat::OhchrMatrix,
        "china_upr31_2018_cycle3_Matrix_recommendations_2018.docx",
        include_bytes!(
            "../../../../data/upr/china_upr31_2018_cycle3_Matrix_recommendations_2018.docx"
        ),
    ),
    (
        ImportFormat::OhchrMatrix,
        "egypt_upr20_2014_cycle2_EgyptMatriceRecommendations.docx",
        include_bytes!(
            "../../../../data/upr/egypt_upr20_2014_cycle2_EgyptMatriceRecommendations.docx"
        ),
    ),
];

/// Kazakhstan's Open SDG indicator files (the folder `data/sdg-timeseries/kazakhstan-open-sdg`
/// packed as one ZIP; a test keeps the two the same).
const KAZAKHSTAN_ZIP: &[u8] =
    include_bytes!("../../../../data/sdg-timeseries/kazakhstan-open-sdg.zip");
/// Tajikistan's SDMX-ML 2.1 data message.
const TAJIKISTAN_DATA: (&str, &[u8]) = (
    "TAJSTAT_Data.xml",
    include_bytes!("../../../../data/sdg-timeseries/tajikistan-sdmx/TAJSTAT_Data.xml"),
);

/// What the demo's SDG part loaded.
#[derive(Debug, serde::Serialize)]
pub struct SdgDemo {
    pub codelists: hrtrack_db::sdg_reference::CodeListCounts,
    pub files: usize,
    /// Files refused by the readers, with their first problem.
    pub refused: Vec<String>,
    pub import: hrtrack_db::SdgImportSummary,
}

/// Loads the bundled SDG code lists and data: the Kazakhstan files the readers refuse (18
/// with conflicting duplicate keys or short rows) are left out and listed, as `--skip-invalid`
/// does. The code lists come first, so that Tajikistan's series (SERIES codes without an
/// INDICATOR) are attached to their indicators.
async fn load_sdg(store: &hrtrack_db::Store) -> anyhow::Result<SdgDemo> {
    let (codes, _) = super::sdg::code_lists(super::sdg::CodeListFiles::default())?;
    let codelists = store.load_sdg_codelists(&codes).await?;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(KAZAKHSTAN_ZIP))
        .context("the bundled Kazakhstan ZIP")?;
    let mut datasets = Vec::new();
    let mut refused = Vec::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i)?;
        let name = entry.name()?.into_owned();
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut entry, &mut bytes)?;
        match hrtrack_sdg::open_sdg::read(&bytes, &name) {
            Ok(dataset) => datasets.push(dataset),
            Err(problems) => refused.push(
                problems
                    .first()
                    .map_or_else(|| name.clone(), ToString::to_string),
            ),
        }
    }
    match hrtrack_sdg::sdmx_ml::read(TAJIKISTAN_DATA.1, TAJIKISTAN_DATA.0) {
        Ok(dataset) => datasets.push(dataset),
        Err(problems) => refused.extend(problems.iter().map(ToString::to_string)),
    }
    let files = datasets.len() + refused.len();
    let import = store.import_sdg(&datasets, &mut |_| {}).await?;
    Ok(SdgDemo {
        codelists,
        files,
        refused,
        import,
    })
}

pub async fn run(db: Option<&str>, args: &DemoArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let (url, store, summaries, sdg_data) = build(db, &args.file, !args.json).await?;
    let stats = store.stats(&RecommendationFilter::default()).await?;
    let sdg = store.sdg_framework_size().await?;
    store.close().await;
    if args.json {
        let doc = serde_json::json!({ "database": url, "imports": summaries, "stats": stats, "sdg_framework": sdg, "sdg_data": sdg_data });
        out!("{}", serde_json::to_string_pretty(&doc)?);
    } else {
        out!();
        output::print_stats_headline(&stats);
        out!(
            "SDG framework: {} goals, {} targets, {} indicators; {} targets and indicators titled in English, Russian and Turkmen",
            sdg.goals,
            sdg.targets,
            sdg.indicators,
            sdg.titled_in_all_three
        );
        out!(
            "SDG data: {} code lists ({} codes); of {} files, {} imported and {} refused by the readers (`demo --json` lists why); {} series, {} observations",
            sdg_data.codelists.codelists,
            sdg_data.codelists.codes,
            sdg_data.files,
            sdg_data.files - sdg_data.refused.len(),
            sdg_data.refused.len(),
            sdg_data.import.series,
            sdg_data.import.added + sdg_data.import.updated + sdg_data.import.unchanged
        );
        out!(
            "\nBuilt {url} in {:.1} s. Try: hrtrack --db {url} stats --state Slovenia --cycle 4",
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

/// Imports the bundled files (recommendations, then the SDG code lists and data) into `db`, or into a new SQLite database at `file` (replacing
/// it) when no URL is given; prints each import's summary when `verbose`.
pub async fn build(
    db: Option<&str>,
    file: &Path,
    verbose: bool,
) -> anyhow::Result<(String, Store, Vec<ImportSummary>, SdgDemo)> {
    let url = match db {
        Some(url) => url.to_owned(),
        None => {
            for suffix in ["", "-wal", "-shm"] {
                let path = format!("{}{suffix}", file.display());
                if Path::new(&path).exists() {
                    std::fs::remove_file(&path)
                        .with_context(|| format!("cannot replace {path}"))?;
                }
            }
            format!("sqlite://{}", file.display())
        }
    };
    let store = super::open(&url).await?;
    let mut summaries = Vec::new();
    for (format, name, bytes) in BUNDLED {
        let batch = read_bytes(*format, bytes, name, &MatrixOptions::default(), None, None)?;
        let summary = write(&store, &batch).await?;
        if verbose {
            output::print_import_summary(&summary);
        }
        summaries.push(summary);
    }
    let sdg = load_sdg(&store).await?;
    Ok((url, store, summaries, sdg))
}
