//! `hrtrack export csv|xlsx|json`: the filtered recommendations as a file that `import table`
//! reads back.

use std::io::{IsTerminal, Write};

use anyhow::{Context, bail};
use hrtrack_db::Store;
use hrtrack_import::export::{self, ExportFormat};

use crate::cli::{ExportArgs, ExportKind};

pub async fn run(store: &Store, args: &ExportArgs) -> anyhow::Result<()> {
    let format = match args.format {
        ExportKind::Csv => ExportFormat::Csv,
        ExportKind::Xlsx => ExportFormat::Xlsx,
        ExportKind::Json => ExportFormat::Json,
    };
    let records = store.list(&args.filter.to_filter(), None, 0).await?;
    let bytes = export::write(&records, format).map_err(anyhow::Error::msg)?;
    match &args.output {
        Some(path) => {
            std::fs::write(path, &bytes)
                .with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!(
                "wrote {} recommendations to {}",
                records.len(),
                path.display()
            );
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            if format == ExportFormat::Xlsx && stdout.is_terminal() {
                bail!("an XLSX file cannot go to the terminal: give --output FILE.xlsx");
            }
            match stdout.write_all(&bytes) {
                Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => {}
                other => other?,
            }
        }
    }
    Ok(())
}
