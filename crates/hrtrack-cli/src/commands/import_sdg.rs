//! `hrtrack import open-sdg|sdmx-csv|sdmx-ml PATH…`: SDG observations. Every file is read
//! first; without `--skip-invalid` any refused file stops the import before a write, with
//! every problem listed (file, row, column) on stderr; with it the valid files are imported
//! and each refused file is listed with its reasons, and the summary says how many were
//! refused. The valid files are written in one transaction ([`Store::import_sdg`]), with a
//! progress bar on a terminal once a second has passed.
//!
//! What the readers accepted with a warning (rows counted once, bookkeeping columns read as
//! attributes, an indicator without data) goes to stderr as `warning: …`. SDMX-CSV columns are
//! placed by the loaded data structure (`hrtrack sdg codelists`) when there is one. Series that
//! end up without an SDG indicator are shown on no page: the summary counts them and a warning
//! lists their SERIES codes.

use std::path::Path;
use std::time::{Duration, Instant};

use hrtrack_db::{SdgImportSummary, Store};
use hrtrack_sdg::structure::Component;
use hrtrack_sdg::{Dataset, SdgReadError, open_sdg, sdmx_csv, sdmx_ml};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;

use crate::cli::{ImportArgs, ImportFormat};
use crate::output::out;

/// A refused file and its problems.
type Refused = (String, Vec<SdgReadError>);

#[derive(Serialize)]
struct Report<'a> {
    files: usize,
    refused: usize,
    #[serde(flatten)]
    summary: &'a SdgImportSummary,
}

pub async fn run(store: &Store, args: &ImportArgs) -> anyhow::Result<()> {
    let components = if args.format == ImportFormat::SdmxCsv {
        store.sdg_codelists().await?.components
    } else {
        Vec::new()
    };
    let (datasets, refused) = read_all(args.format, &args.files, &components);
    for dataset in &datasets {
        for warning in &dataset.warnings {
            eprintln!("warning: {warning}");
        }
    }
    if !refused.is_empty() {
        for (_, problems) in &refused {
            for problem in problems {
                eprintln!("{problem}");
            }
        }
        if !args.skip_invalid {
            anyhow::bail!(
                "{} of {} file(s) refused (listed above); nothing imported \
                 (--skip-invalid imports the valid files)",
                refused.len(),
                datasets.len() + refused.len()
            );
        }
        eprintln!(
            "refused {} file(s): {}",
            refused.len(),
            refused
                .iter()
                .map(|(name, _)| name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if datasets.is_empty() {
        anyhow::bail!("no valid file to import");
    }
    let summary = write(store, &datasets).await?;
    if summary.series_without_indicator > 0 {
        eprintln!(
            "warning: {} series have no SDG indicator and are shown on no indicator page \
             (SERIES codes: {}): the files name none, and the loaded code lists tie none to \
             these codes; load code lists that do (hrtrack sdg codelists) and import again",
            summary.series_without_indicator,
            shown_codes(&summary.codes_without_indicator)
        );
    }
    if args.json {
        let report = Report {
            files: datasets.len(),
            refused: refused.len(),
            summary: &summary,
        };
        out!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        let refused = match refused.len() {
            0 => String::new(),
            n => format!("; {n} file(s) refused"),
        };
        let orphans = match summary.series_without_indicator {
            0 => String::new(),
            n => format!("; {n} series without an SDG indicator"),
        };
        out!(
            "{} file(s), {} series ({} new): {} observations added, {} updated, {} unchanged, {} deleted{orphans}{refused}",
            datasets.len(),
            summary.series,
            summary.series_added,
            summary.added,
            summary.updated,
            summary.unchanged,
            summary.deleted,
        );
    }
    Ok(())
}

/// SERIES codes for a message: the first 20, then how many more.
fn shown_codes(codes: &[String]) -> String {
    let mut shown: Vec<&str> = codes
        .iter()
        .take(20)
        .map(|c| if c.is_empty() { "(none)" } else { c.as_str() })
        .collect();
    let more = codes.len().saturating_sub(shown.len());
    let more = format!("… {more} more");
    if codes.len() > 20 {
        shown.push(&more);
    }
    shown.join(", ")
}

/// Reads every path (for Open SDG a folder means its `indicator_*.csv` files); SDMX-CSV
/// columns are placed by `components` (none: by name).
fn read_all(
    format: ImportFormat,
    paths: &[std::path::PathBuf],
    components: &[Component],
) -> (Vec<Dataset>, Vec<Refused>) {
    let mut datasets = Vec::new();
    let mut refused = Vec::new();
    for path in paths {
        if format == ImportFormat::OpenSdg && path.is_dir() {
            let (read, failed) = open_sdg::read_folder(path);
            datasets.extend(read);
            refused.extend(failed);
            continue;
        }
        match read_one(format, path, components) {
            Ok(dataset) => datasets.push(dataset),
            Err(problems) => refused.push((path.display().to_string(), problems)),
        }
    }
    (datasets, refused)
}

fn read_one(
    format: ImportFormat,
    path: &Path,
    components: &[Component],
) -> Result<Dataset, Vec<SdgReadError>> {
    let name = path.display().to_string();
    let bytes = hrtrack_sdg::read_file(path).map_err(|e| vec![e])?;
    match format {
        ImportFormat::OpenSdg => open_sdg::read(&bytes, &name),
        ImportFormat::SdmxCsv => sdmx_csv::read_with_structure(&bytes, &name, components),
        _ => sdmx_ml::read(&bytes, &name),
    }
}

/// Writes the datasets, showing a progress bar on a terminal once a second has passed.
async fn write(store: &Store, datasets: &[Dataset]) -> anyhow::Result<SdgImportSummary> {
    let rows: usize = datasets.iter().map(|d| d.observations.len()).sum();
    let bar = ProgressBar::with_draw_target(Some(rows as u64), ProgressDrawTarget::hidden());
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} observations ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message(format!("importing {} file(s)", datasets.len()));
    let started = Instant::now();
    let mut shown = false;
    let mut progress = |done: usize| {
        if !shown && started.elapsed() > Duration::from_secs(1) {
            bar.set_draw_target(ProgressDrawTarget::stderr());
            shown = true;
        }
        bar.set_position(done as u64);
    };
    let summary = store.import_sdg(datasets, &mut progress).await;
    bar.finish_and_clear();
    Ok(summary?)
}
