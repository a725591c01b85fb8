//! `hrtrack sdg template INDICATOR` writes the XLSX template of one indicator (prefilled with
//! its published data); `hrtrack sdg codelists` loads the code lists submissions are checked
//! against, from the bundled SDG data structure and national names or from files given.
//!
//! Errors name the file they come from: a path the user gave, or `bundled …` with the place of
//! a file built into hrtrack. Given another structure (`--structure`), the bundled national
//! codes, names and additive units are applied only where they fit it: their rows for lists or
//! codes the structure lacks are skipped, with a warning naming the bundled file.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use hrtrack_db::Store;
use hrtrack_sdg::SdgReadError;
use hrtrack_sdg::codelists::{CodeLists, Misfit};

use crate::cli::{SdgCodelistsArgs, SdgCommand, SdgTemplateArgs};
use crate::output::out;

/// The global SDG data structure (UNSD, 2019), as Tajikistan's statistics office uses it.
const BUNDLED_STRUCTURE: (&str, &[u8]) = (
    "bundled data/sdg-timeseries/tajikistan-sdmx/TAJSTAT_DSD.xml",
    include_bytes!("../../../../data/sdg-timeseries/tajikistan-sdmx/TAJSTAT_DSD.xml"),
);
/// Russian and Turkmen names of the codes.
const BUNDLED_NAMES: (&str, &[u8]) = (
    "bundled data/sdg-codelists/names.csv",
    include_bytes!("../../../../data/sdg-codelists/names.csv"),
);
/// National codes: Turkmenistan's velayats as REF_AREA.
const BUNDLED_NATIONAL: (&str, &[u8]) = (
    "bundled data/sdg-codelists/national_codes.csv",
    include_bytes!("../../../../data/sdg-codelists/national_codes.csv"),
);
/// The units of measure whose parts add up to their totals.
const BUNDLED_ADDITIVE: (&str, &[u8]) = (
    "bundled data/sdg-codelists/additive_units.csv",
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

/// The code lists from the named files, each falling back to the bundled one, and a warning
/// per bundled file whose rows did not all fit a structure the user gave.
pub fn code_lists(files: CodeListFiles<'_>) -> anyhow::Result<(CodeLists, Vec<String>)> {
    let CodeListFiles {
        structure,
        national,
        names,
        additive,
    } = files;
    let (structure_name, bytes) = read(structure, BUNDLED_STRUCTURE)?;
    let parsed = hrtrack_sdg::structure::read(&bytes, &structure_name).map_err(problems)?;
    let mut codes = CodeLists::from_structure(parsed);
    // The bundled files fit the bundled structure; another one need not have their lists.
    let misfit = |path: Option<&Path>| match (structure, path) {
        (Some(_), None) => Misfit::Skip,
        _ => Misfit::Refuse,
    };
    let mut warnings = Vec::new();
    let mut note = |what: &str, name: &str, skipped: Vec<SdgReadError>| {
        if let Some(first) = skipped.first() {
            warnings.push(format!(
                "{} of the {what} in {name} skipped: they do not fit {structure_name} \
                 (first: {}: {})",
                skipped.len(),
                first.place,
                first.message
            ));
        }
    };
    let (name, bytes) = read(national, BUNDLED_NATIONAL)?;
    let (_, skipped) = codes
        .add_codes_with(&bytes, &name, misfit(national))
        .map_err(problems)?;
    note("national code(s)", &name, skipped);
    let (name, bytes) = read(names, BUNDLED_NAMES)?;
    let (_, skipped) = codes
        .add_names_with(&bytes, &name, misfit(names))
        .map_err(problems)?;
    note("name(s)", &name, skipped);
    let (name, bytes) = read(additive, BUNDLED_ADDITIVE)?;
    let (_, skipped) = codes
        .add_additive_units_with(&bytes, &name, misfit(additive))
        .map_err(problems)?;
    note("additive unit(s)", &name, skipped);
    Ok((codes, warnings))
}

async fn codelists(store: &Store, args: &SdgCodelistsArgs) -> anyhow::Result<()> {
    let (codes, warnings) = code_lists(CodeListFiles {
        structure: args.structure.as_deref(),
        national: args.national.as_deref(),
        names: args.names.as_deref(),
        additive: args.additive.as_deref(),
    })?;
    for warning in &warnings {
        eprintln!("warning: {warning}");
    }
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
