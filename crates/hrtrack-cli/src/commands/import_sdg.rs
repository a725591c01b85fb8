//! `hrtrack import open-sdg|sdmx-csv|sdmx-ml PATH…`: SDG observations. Every file is read
//! first; without `--skip-invalid` any refused file stops the import before a write, with
//! every problem listed (file, row, column) on stderr; with it the valid files are imported
//! and each refused file is listed with its reasons, and the summary says how many were
//! refused. The valid files are written in one transaction ([`Store::import_sdg`]), with a
//! progress bar on a terminal once a second has passed.

use std::path::Path;
use std::time::{Duration, Instant};

use hrtrack_db::{SdgImportSummary, Store};
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
    let (datasets, refused) = read_all(args.format, &args.files);
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
        out!(
            "{} file(s), {} series ({} new): {} observations added, {} updated, {} unchanged, {} deleted{refused}",
            datasets.len(),
            summary.series,
            summary.series_added,
            summary.added,
            summary.updated,
            summary.unchanged,
            summary.deleted
        );
    }
    Ok(())
}

/// Reads every path (for Open SDG a folder means its `indicator_*.csv` files).
fn read_all(format: ImportFormat, paths: &[std::path::PathBuf]) -> (Vec<Dataset>, Vec<Refused>) {
    let mut datasets = Vec::new();
    let mut refused = Vec::new();
    for path in paths {
        if format == ImportFormat::OpenSdg && path.is_dir() {
            let (read, failed) = open_sdg::read_folder(path);
            datasets.extend(read);
            refused.extend(failed);
            continue;
        }
        match read_one(format, path) {
            Ok(dataset) => datasets.push(dataset),
            Err(problems) => refused.push((path.display().to_string(), problems)),
        }
    }
    (datasets, refused)
}

fn read_one(format: ImportFormat, path: &Path) -> Result<Dataset, Vec<SdgReadError>> {
    let name = path.display().to_string();
    let bytes = hrtrack_sdg::read_file(path).map_err(|e| vec![e])?;
    match format {
        ImportFormat::OpenSdg => open_sdg::read(&bytes, &name),
        ImportFormat::SdmxCsv => sdmx_csv::read(&bytes, &name),
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
