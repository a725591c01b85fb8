//! `hrtrack demo`: builds a database from the real data bundled in the binary (UPR Info's
//! export of sessions 1–20, six OHCHR matrices: Slovenia's cycles 2–4, China's cycles 2–3,
//! Egypt's cycle 2) and prints what it holds.

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

pub async fn run(db: Option<&str>, args: &DemoArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let (url, store, summaries) = build(db, &args.file, !args.json).await?;
    let stats = store.stats(&RecommendationFilter::default()).await?;
    let sdg = store.sdg_framework_size().await?;
    store.close().await;
    if args.json {
        let doc = serde_json::json!({ "database": url, "imports": summaries, "stats": stats, "sdg_framework": sdg });
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
            "\nBuilt {url} in {:.1} s. Try: hrtrack --db {url} stats --state Slovenia --cycle 4",
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

/// Imports the bundled files into `db`, or into a new SQLite database at `file` (replacing
/// it) when no URL is given; prints each import's summary when `verbose`.
pub async fn build(
    db: Option<&str>,
    file: &Path,
    verbose: bool,
) -> anyhow::Result<(String, Store, Vec<ImportSummary>)> {
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
        let batch = read_bytes(*format, bytes, name, &MatrixOptions::default(), None)?;
        let summary = write(&store, &batch).await?;
        if verbose {
            output::print_import_summary(&summary);
        }
        summaries.push(summary);
    }
    Ok((url, store, summaries))
}
