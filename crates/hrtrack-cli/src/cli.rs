//! The command line: global options and one subcommand per job (see PRODUCT.md, "Shared CLI
//! contract").

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use hrtrack_db::RecommendationFilter;
use hrtrack_domain::{
    Cycle, InstitutionKind, Mechanism, Position, RegionalGroup, Role, SdgGoal, Session,
};

/// The database used when neither --db nor HRTRACK_DB is given.
pub const DEFAULT_DB: &str = "sqlite://hrtrack.db";

#[derive(Debug, Parser)]
#[command(
    name = "hrtrack",
    version,
    about = "Follow up UN human-rights recommendations and publish SDG data."
)]
pub struct Cli {
    /// Database: sqlite://FILE (embedded; default sqlite://hrtrack.db) or postgres://USER@HOST/DB.
    #[arg(long, global = true, env = "HRTRACK_DB")]
    pub db: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Import recommendations or SDG data from files; all of them in one transaction, or nothing.
    Import(ImportArgs),
    /// Count recommendations, recommending States and positions.
    Stats(StatsArgs),
    /// List recommendations.
    List(ListArgs),
    /// Show one recommendation by id (SVN-UPR4-140.7) or paragraph (140.7 with --state/--cycle).
    Show(ShowArgs),
    /// Export recommendations as CSV, XLSX or JSON (CSV and XLSX import back with `import table`).
    Export(ExportArgs),
    /// Build hrtrack-demo.db from the bundled real data and print a summary.
    Demo(DemoArgs),
    /// Serve the public portal and the JSON API (/api/v1, documented at /api/v1/docs).
    Serve(ServeArgs),
    /// Full-text search (English and Russian stemming, "phrases", prefix of the last word).
    Search(SearchArgs),
    /// Rebuild the search index from the database.
    Reindex(ReindexArgs),
    /// Roadmap accounts (the first administrator, focal points, reviewers).
    #[command(subcommand)]
    User(UserCommand),
    /// Institutions that lead, support or partner Roadmap actions.
    #[command(subcommand)]
    Institution(InstitutionCommand),
    /// Fill the database with a synthetic Roadmap on its largest review (institutions, a
    /// coordinator and focal points with the password in HRTRACK_PASSWORD, actions,
    /// indicators, reports, assessments), for benchmarks and trying the screens.
    SeedRoadmap(SeedRoadmapArgs),
    /// The SDG data platform: code lists and data templates.
    #[command(subcommand)]
    Sdg(SdgCommand),
    /// Write a consistent copy of the database to FILE while the server runs (SQLite:
    /// VACUUM INTO; PostgreSQL: a portable hrtrack backup, itself a SQLite file).
    Backup(BackupArgs),
    /// Replace the --db database by a backup made with `hrtrack backup` (all or nothing).
    Restore(RestoreArgs),
    /// Copy everything from --db into another database (e.g. --to postgres://…), ids kept,
    /// and check every table's count afterwards.
    Copy(CopyArgs),
}

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The backup file to write (refused if it exists, unless --force).
    pub file: PathBuf,
    /// Replace FILE if it exists (the old one stays until the new one is complete).
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// A backup written by `hrtrack backup`.
    pub file: PathBuf,
    /// Restore even if the --db database holds data: everything in it is replaced, its audit
    /// log included.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct CopyArgs {
    /// The target database: postgres://USER@HOST/DB or sqlite://FILE (created and migrated if
    /// needed; it must hold no data unless --force).
    #[arg(long, value_name = "URL")]
    pub to: String,
    /// Copy even if the target holds data: everything in it is replaced, its audit log included.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Subcommand)]
pub enum SdgCommand {
    /// Write the XLSX template agencies fill in for one indicator, prefilled with the
    /// published data (e.g. `hrtrack sdg template 5.5.1`).
    Template(SdgTemplateArgs),
    /// Load the code lists data is checked against: the SDG data structure (an SDMX 2.1
    /// structure message) with national names in Russian and Turkmen; the bundled files
    /// when none are named.
    Codelists(SdgCodelistsArgs),
}

#[derive(Debug, Args)]
pub struct SdgTemplateArgs {
    /// The indicator, e.g. 5.5.1.
    pub indicator: String,
    /// Where to write it (default: sdg-INDICATOR-template.xlsx in the current folder).
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// The language of its labels, code names and instructions: tk, ru or en.
    #[arg(long, default_value = "en", value_parser = ["tk", "ru", "en"])]
    pub lang: String,
}

#[derive(Debug, Args)]
pub struct SdgCodelistsArgs {
    /// An SDMX 2.1 structure message (default: the bundled global SDG DSD).
    #[arg(long, value_name = "FILE")]
    pub structure: Option<PathBuf>,
    /// Names of codes in other languages, CSV `codelist,code,lang,name` (default: bundled).
    #[arg(long, value_name = "FILE")]
    pub names: Option<PathBuf>,
    /// Units of measure whose parts add up to totals, CSV (default: bundled).
    #[arg(long, value_name = "FILE")]
    pub additive: Option<PathBuf>,
    /// National codes added to the lists (e.g. regions as REF_AREA), CSV
    /// `codelist,code,parent,name_en,name_ru,name_tk` (default: bundled, Turkmenistan's velayats).
    #[arg(long, value_name = "FILE")]
    pub national: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct SeedRoadmapArgs {
    /// Actions to create.
    #[arg(long, default_value_t = 300)]
    pub actions: usize,
    /// Indicators to create, spread over the actions (at least one each).
    #[arg(long, default_value_t = 1000)]
    pub indicators: usize,
    /// Progress reports to create, spread over the actions' due dates.
    #[arg(long, default_value_t = 20000)]
    pub reports: usize,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user; the password comes from HRTRACK_PASSWORD, else it is asked for twice on
    /// the terminal (not shown), else read as one line from standard input.
    Add(UserAddArgs),
    /// Clear a user's sign-in throttle for every client address (audited), e.g. after an
    /// attack on the name.
    Unlock(UserUnlockArgs),
}

#[derive(Debug, Args)]
pub struct UserUnlockArgs {
    /// Login name.
    pub name: String,
}

#[derive(Debug, Args)]
pub struct UserAddArgs {
    /// Login name: 2 to 64 letters, digits, '.', '-', '_' or '@'.
    pub name: String,
    /// administrator, coordinator, focal_point, reviewer, data_provider or statistician.
    #[arg(long, value_parser = parse_role)]
    pub role: Role,
    /// Code of an institution the user works for (repeat for several).
    #[arg(long = "institution", value_name = "CODE")]
    pub institutions: Vec<String>,
    /// The name shown to others (default: the login name).
    #[arg(long, value_name = "TEXT")]
    pub display_name: Option<String>,
    /// E-mail address for notifications.
    #[arg(long, value_name = "ADDR")]
    pub email: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum InstitutionCommand {
    /// Create an institution.
    Add(InstitutionAddArgs),
}

#[derive(Debug, Args)]
pub struct InstitutionAddArgs {
    /// Short code: letters, digits, '-', '_' or '.' (e.g. MOJ).
    pub code: String,
    /// Name in English.
    #[arg(long)]
    pub name: String,
    /// ministry, agency, parliament, court, nhri, un_agency, civil_society or other.
    #[arg(long, value_parser = parse_kind)]
    pub kind: InstitutionKind,
    /// Name in Russian.
    #[arg(long)]
    pub name_ru: Option<String>,
    /// Name in Turkmen.
    #[arg(long)]
    pub name_tk: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ImportFormat {
    /// OHCHR thematic list / matrix of recommendations (.docx).
    OhchrMatrix,
    /// UPR Info database export (.csv).
    UprInfo,
    /// Any CSV or XLSX table, with a --mapping file (see README).
    Table,
    /// SDG data: Open SDG indicator CSVs (files, or folders of indicator_*.csv).
    OpenSdg,
    /// SDG data: SDMX-CSV 1.0 or 2.x (with its row actions).
    SdmxCsv,
    /// SDG data: SDMX-ML 2.0/2.1 generic or 2.1 structure-specific data messages.
    SdmxMl,
}

impl ImportFormat {
    /// The formats of SDG observations (the others are of recommendations).
    pub fn is_sdg(self) -> bool {
        matches!(self, Self::OpenSdg | Self::SdmxCsv | Self::SdmxMl)
    }
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    #[arg(value_enum)]
    pub format: ImportFormat,
    /// The files to import.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Mapping of columns to fields (TOML), for `table`.
    #[arg(long)]
    pub mapping: Option<PathBuf>,
    /// The text encoding of a upr-info CSV: utf-8, windows-1252 or mac-roman (default: detected).
    #[arg(long)]
    pub encoding: Option<hrtrack_import::text_encoding::TextEncoding>,
    /// State under review, overriding the file's page header (ohchr-matrix).
    #[arg(long)]
    pub state: Option<String>,
    /// UPR cycle, overriding the file's page header (ohchr-matrix).
    #[arg(long, value_parser = parse_cycle)]
    pub cycle: Option<Cycle>,
    /// UPR Working Group session, overriding the file's page header (ohchr-matrix).
    #[arg(long, value_parser = parse_session)]
    pub session: Option<Session>,
    /// Print the summary as JSON on stdout.
    #[arg(long)]
    pub json: bool,
    /// Recommendation formats: write nothing, and print what the import would add, update
    /// (field by field, old → new), supersede and leave unchanged.
    #[arg(long)]
    pub dry_run: bool,
    /// SDG formats: import the valid files and list the refused ones with their reasons,
    /// instead of importing nothing when a file is invalid.
    #[arg(long)]
    pub skip_invalid: bool,
}

/// The filters every listing takes.
#[derive(Debug, Args, Default)]
pub struct FilterArgs {
    /// State under review (any UN spelling, or ISO 3166 alpha-3).
    #[arg(long)]
    pub state: Option<String>,
    #[arg(long, value_parser = parse_cycle)]
    pub cycle: Option<Cycle>,
    #[arg(long, value_parser = parse_session)]
    pub session: Option<Session>,
    /// UPR, CCPR, CESCR, CAT, CERD, CEDAW, CRC, CRPD, CMW, CED, SP or NATIONAL.
    #[arg(long, value_parser = parse_mechanism)]
    pub mechanism: Option<Mechanism>,
    /// A recommending State.
    #[arg(long)]
    pub recommending_state: Option<String>,
    /// Regional group of the recommending State (African, Asia-Pacific, Eastern European, GRULAC, WEOG).
    #[arg(long, value_parser = parse_group)]
    pub group: Option<RegionalGroup>,
    /// supported, supported_in_part, noted or pending.
    #[arg(long, value_parser = parse_position)]
    pub position: Option<Position>,
    /// A theme (UHRI) or UPR Info issue, as listed by `stats`.
    #[arg(long)]
    pub theme: Option<String>,
    /// A group of affected persons, as listed by `stats`.
    #[arg(long)]
    pub affected: Option<String>,
    /// SDG goal number.
    #[arg(long, value_parser = parse_goal)]
    pub sdg: Option<SdgGoal>,
    /// Words the text contains.
    #[arg(long)]
    pub text: Option<String>,
}

impl FilterArgs {
    pub fn to_filter(&self) -> RecommendationFilter {
        RecommendationFilter {
            state: self.state.clone(),
            mechanism: self.mechanism,
            cycle: self.cycle,
            session: self.session,
            recommending_state: self.recommending_state.clone(),
            regional_group: self.group,
            position: self.position,
            theme: self.theme.clone(),
            affected_person: self.affected.clone(),
            sdg_goal: self.sdg,
            text: self.text.clone(),
            ..Default::default()
        }
    }
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    #[command(flatten)]
    pub filter: FilterArgs,
    /// One JSON document on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub filter: FilterArgs,
    #[arg(long, default_value_t = 50)]
    pub limit: i64,
    #[arg(long, default_value_t = 0)]
    pub offset: i64,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Stable id (SVN-UPR4-140.7) or paragraph reference (140.7).
    pub reference: String,
    #[command(flatten)]
    pub filter: FilterArgs,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExportKind {
    Csv,
    Xlsx,
    Json,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[arg(value_enum)]
    pub format: ExportKind,
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Output file; standard output when absent (CSV and JSON only).
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Where to build the demo database when --db is not given.
    #[arg(long, default_value = "hrtrack-demo.db")]
    pub file: PathBuf,
    #[arg(long)]
    pub json: bool,
}

/// Where the search index lives.
#[derive(Debug, Args, Default)]
pub struct IndexArgs {
    /// Search index folder; default: beside the SQLite file (FILE.search), else ./hrtrack.search.
    #[arg(long, env = "HRTRACK_INDEX_DIR")]
    pub index_dir: Option<PathBuf>,
}

impl IndexArgs {
    /// The folder, given the database URL.
    pub fn folder(&self, db: &str) -> PathBuf {
        if let Some(dir) = &self.index_dir {
            return dir.clone();
        }
        match db
            .strip_prefix("sqlite://")
            .or_else(|| db.strip_prefix("sqlite:"))
        {
            Some(file) => {
                PathBuf::from(format!("{}.search", file.split('?').next().unwrap_or(file)))
            }
            None => PathBuf::from("hrtrack.search"),
        }
    }
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Words to find; "quoted words" as a phrase; the last word also as a prefix.
    pub query: String,
    #[command(flatten)]
    pub filter: FilterArgs,
    #[command(flatten)]
    pub index: IndexArgs,
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
    #[arg(long, default_value_t = 0)]
    pub offset: usize,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ReindexArgs {
    #[command(flatten)]
    pub index: IndexArgs,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: String,
    /// Serve a demo database built from the bundled real data (at --demo-file unless --db).
    #[arg(long)]
    pub demo: bool,
    #[arg(long, default_value = "hrtrack-demo.db")]
    pub demo_file: PathBuf,
}

fn parse_cycle(s: &str) -> Result<Cycle, String> {
    Cycle::parse(s).map_err(|e| e.to_string())
}
fn parse_session(s: &str) -> Result<Session, String> {
    Session::parse(s).map_err(|e| e.to_string())
}
fn parse_mechanism(s: &str) -> Result<Mechanism, String> {
    Mechanism::parse(s).map_err(|e| e.to_string())
}
fn parse_group(s: &str) -> Result<RegionalGroup, String> {
    RegionalGroup::parse(s).map_err(|e| e.to_string())
}
fn parse_position(s: &str) -> Result<Position, String> {
    Position::parse(s).map_err(|e| e.to_string())
}
fn parse_goal(s: &str) -> Result<SdgGoal, String> {
    SdgGoal::parse(s).map_err(|e| e.to_string())
}
fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s).map_err(|e| e.to_string())
}
fn parse_kind(s: &str) -> Result<InstitutionKind, String> {
    InstitutionKind::parse(s).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn command_line_is_consistent() {
        super::Cli::command().debug_assert();
    }
}
