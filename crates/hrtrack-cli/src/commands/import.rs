//! `hrtrack import FORMAT FILE…`: read every file first (any error stops before a write),
//! then write them all in one transaction, with a progress bar when it takes over a second.
//! With `--dry-run`, the import runs in a transaction that is rolled back, and every change
//! it would make is printed (added, updated field by field, superseded, unchanged).

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context;
use hrtrack_db::{ImportSummary, Store};
use hrtrack_domain::ImportBatch;
use hrtrack_import::ohchr_matrix::{self, MatrixOptions};
use hrtrack_import::table::{self, Mapping};
use hrtrack_import::text_encoding::TextEncoding;
use hrtrack_import::{input, upr_info};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::cli::{ImportArgs, ImportFormat};
use crate::output;
use crate::output::out;

pub async fn run(store: &Store, args: &ImportArgs) -> anyhow::Result<()> {
    if args.format.is_sdg() {
        anyhow::ensure!(
            !args.dry_run,
            "--dry-run is for imports of recommendations (ohchr-matrix, upr-info, table)"
        );
        return super::import_sdg::run(store, args).await;
    }
    let mapping = match &args.mapping {
        Some(path) => {
            let name = path.display().to_string();
            let bytes = input::read_file(path)?;
            Some(Mapping::parse(input::utf8_text(&bytes, &name)?, &name)?)
        }
        None => None,
    };
    let options = MatrixOptions {
        state: args.state.clone(),
        cycle: args.cycle,
        session: args.session,
    };
    let mut batches = Vec::with_capacity(args.files.len());
    for path in &args.files {
        batches.push(read(
            args.format,
            path,
            &options,
            mapping.as_ref(),
            args.encoding,
        )?);
    }
    let batch = combine(batches).context("no file to import")?;
    let summary = if args.dry_run {
        store.plan_import(&batch, &mut |_| {}).await?
    } else {
        write(store, &batch).await?
    };
    if args.json {
        out!("{}", serde_json::to_string_pretty(&summary)?);
    } else if args.dry_run {
        print_plan(&summary);
    } else {
        output::print_import_summary(&summary);
    }
    Ok(())
}

/// Up to how many unchanged recommendations a dry run names on the terminal.
const UNCHANGED_LISTED: usize = 50;

/// A dry run's changes for people: one line per recommendation added, updated or
/// superseded (with each field's old → new value), and how many are left unchanged.
fn print_plan(summary: &ImportSummary) {
    out!(
        "Dry run, nothing written. {} ({}) would add {}, update {}, supersede {}, leave {} unchanged, in {} review(s):",
        summary.source,
        summary.format,
        summary.added,
        summary.updated,
        summary.superseded,
        summary.unchanged,
        summary.reviews.len()
    );
    for change in summary.changes.iter().filter(|c| c.change != "unchanged") {
        out!("  {} {}", change.change, change.uid);
        for field in &change.fields {
            if change.change == "added" {
                out!("    {}: {}", field.field, field.new);
            } else {
                out!("    {}: {:?} → {:?}", field.field, field.old, field.new);
            }
        }
    }
    let unchanged: Vec<&str> = summary
        .changes
        .iter()
        .filter(|c| c.change == "unchanged")
        .map(|c| c.uid.as_str())
        .collect();
    match unchanged.len() {
        0 => {}
        n if n <= UNCHANGED_LISTED => out!("  unchanged: {}", unchanged.join(", ")),
        n => out!("  unchanged: {n} recommendations (--json lists them)"),
    }
}

/// Reads one file in `format`.
pub fn read(
    format: ImportFormat,
    path: &Path,
    options: &MatrixOptions,
    mapping: Option<&Mapping>,
    encoding: Option<TextEncoding>,
) -> anyhow::Result<ImportBatch> {
    let name = path.display().to_string();
    let bytes = input::read_file(path)?;
    read_bytes(format, &bytes, &name, options, mapping, encoding)
}

pub fn read_bytes(
    format: ImportFormat,
    bytes: &[u8],
    name: &str,
    options: &MatrixOptions,
    mapping: Option<&Mapping>,
    encoding: Option<TextEncoding>,
) -> anyhow::Result<ImportBatch> {
    let unzipped;
    let bytes = if name.to_ascii_lowercase().ends_with(".zip") {
        unzipped = input::unzip_single_csv(bytes, name)?;
        &unzipped[..]
    } else {
        bytes
    };
    Ok(match format {
        ImportFormat::OhchrMatrix => ohchr_matrix::read(bytes, name, options)?,
        ImportFormat::UprInfo => upr_info::read_encoded(bytes, name, encoding)?,
        ImportFormat::Table => table::read(bytes, name, mapping)?,
        ImportFormat::OpenSdg | ImportFormat::SdmxCsv | ImportFormat::SdmxMl => {
            anyhow::bail!("{name}: SDG data is not a file of recommendations")
        }
    })
}

/// Several files of one format become one batch, so that they are written all or nothing;
/// each recommendation's origin then names its file.
pub fn combine(batches: Vec<ImportBatch>) -> Option<ImportBatch> {
    if batches.len() == 1 {
        return batches.into_iter().next();
    }
    let mut iter = batches.into_iter();
    let mut combined = iter.next()?;
    for review in &mut combined.reviews {
        for rec in &mut review.recommendations {
            rec.origin = format!("{}, {}", combined.source, rec.origin);
        }
    }
    for mut batch in iter {
        for review in &mut batch.reviews {
            for rec in &mut review.recommendations {
                rec.origin = format!("{}, {}", batch.source, rec.origin);
            }
        }
        combined.source = format!("{}, {}", combined.source, batch.source);
        combined.reviews.extend(batch.reviews);
    }
    Some(combined)
}

/// Writes a batch, showing a progress bar on a terminal once a second has passed.
pub async fn write(store: &Store, batch: &ImportBatch) -> anyhow::Result<ImportSummary> {
    let bar = ProgressBar::with_draw_target(
        Some(batch.recommendation_count() as u64),
        ProgressDrawTarget::hidden(),
    );
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} recommendations ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message(format!("importing {}", batch.source));
    let started = Instant::now();
    let mut shown = false;
    let mut progress = |done: u64| {
        if !shown && started.elapsed() > Duration::from_secs(1) {
            bar.set_draw_target(ProgressDrawTarget::stderr());
            shown = true;
        }
        bar.set_position(done);
    };
    let summary = store.import_batch(batch, &mut progress).await;
    bar.finish_and_clear();
    Ok(summary?)
}
