//! `hrtrack sdg template INDICATOR` writes the XLSX template of one indicator (prefilled with
//! its published data); `hrtrack sdg codelists` loads the code lists submissions are checked
//! against, from the bundled SDG data structure and national names or from files given.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use hrtrack_db::Store;
use hrtrack_sdg::SdgReadError;
use hrtrack_sdg::codelists::CodeLists;

use crate::cli::{SdgCodelistsArgs, SdgCommand, SdgTemplateArgs};
use crate::output::out;

/// The global SDG data structure (UNSD, 2019), as Tajikistan's statistics office uses it.
const BUNDLED_STRUCTURE: (&str, &[u8]) = (
    "TAJSTAT_DSD.xml",
    include_bytes!("../../../../data/sdg-timeseries/tajikistan-sdmx/TAJSTAT_DSD.xml"),
);
/// Russian and Turkmen names of the codes.
const BUNDLED_NAMES: (&str, &[u8]) = (
    "names.csv",
    include_bytes!("../../../../data/sdg-codelists/names.csv"),
);
/// National codes: Turkmenistan's velayats as REF_AREA.
const BUNDLED_NATIONAL: (&str, &[u8]) = (
    "national_codes.csv",
    include_bytes!("../../../../data/sdg-codelists/national_codes.csv"),
);
/// The units of measure whose parts add up to their totals.
const BUNDLED_ADDITIVE: (&str, &[u8]) = (
    "additive_units.csv",
    include_bytes!("../../../../data/sdg-codelists/additive_units.csv"),
);

pub async fn run(store: &Store, command: &SdgCommand) -> anyhow::Result<()> {
    match command {
        SdgCommand::Template(args) => template(store, args).await,
        SdgCommand::Codelists(args) => codelists(store, args).await,
    }
}

async fn template(store: &Store, args: &SdgTemplateArgs) -> anyhow::Result<()> {
    let indicator = args.indicator.trim();
    let bytes = hrtrack_web::sdg_template_bytes(store, indicator, &args.lang)
        .await
        .map_err(|e| anyhow::anyhow!("{}", e.message))?;
    let path = args
        .output
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("sdg-{indicator}-template.xlsx")));
    std::fs::write(&path, &bytes).with_context(|| format!("cannot write {}", path.display()))?;
    out!(
        "wrote {} ({} bytes): the template of indicator {indicator}",
        path.display(),
        bytes.len()
    );
    Ok(())
}

fn problems(errors: Vec<SdgReadError>) -> anyhow::Error {
    let shown: Vec<String> = errors.iter().take(20).map(ToString::to_string).collect();
    anyhow::anyhow!("{}", shown.join("\n"))
}

fn read(path: Option<&Path>, bundled: (&str, &[u8])) -> anyhow::Result<(String, Vec<u8>)> {
    match path {
        Some(path) => Ok((
            path.display().to_string(),
            std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?,
        )),
        None => Ok((bundled.0.to_owned(), bundled.1.to_vec())),
    }
}

/// The files the code lists are made of; each `None` stands for the bundled one.
#[derive(Debug, Default, Clone, Copy)]
pub struct CodeListFiles<'a> {
    pub structure: Option<&'a Path>,
    pub national: Option<&'a Path>,
    pub names: Option<&'a Path>,
    pub additive: Option<&'a Path>,
}

/// The code lists from the named files, each falling back to the bundled one.
pub fn code_lists(files: CodeListFiles<'_>) -> anyhow::Result<CodeLists> {
    let CodeListFiles {
        structure,
        national,
        names,
        additive,
    } = files;
    let (name, bytes) = read(structure, BUNDLED_STRUCTURE)?;
    let structure = hrtrack_sdg::structure::read(&bytes, &name).map_err(problems)?;
    let mut codes = CodeLists::from_structure(structure);
    let (name, bytes) = read(national, BUNDLED_NATIONAL)?;
    codes.add_codes(&bytes, &name).map_err(problems)?;
    let (name, bytes) = read(names, BUNDLED_NAMES)?;
    codes.add_names(&bytes, &name).map_err(problems)?;
    let (name, bytes) = read(additive, BUNDLED_ADDITIVE)?;
    codes.add_additive_units(&bytes, &name).map_err(problems)?;
    Ok(codes)
}

async fn codelists(store: &Store, args: &SdgCodelistsArgs) -> anyhow::Result<()> {
    let codes = code_lists(CodeListFiles {
        structure: args.structure.as_deref(),
        national: args.national.as_deref(),
        names: args.names.as_deref(),
        additive: args.additive.as_deref(),
    })?;
    if codes.codelists.is_empty() {
        bail!("the structure holds no code list");
    }
    let counts = store.load_sdg_codelists(&codes).await?;
    out!(
        "loaded {} code lists ({} codes) and {} components",
        counts.codelists,
        counts.codes,
        counts.components
    );
    Ok(())
}
