//! `hrtrack institution add`: an institution that leads, supports or partners Roadmap actions,
//! made on the command line so that a focal point's institution can exist before anyone signs
//! in to the web interface.

use hrtrack_db::Store;
use hrtrack_db::roadmap::{Actor, InstitutionInput};

use crate::cli::{InstitutionAddArgs, InstitutionCommand};
use crate::output::out;

pub async fn run(store: &Store, command: &InstitutionCommand) -> anyhow::Result<()> {
    match command {
        InstitutionCommand::Add(args) => add(store, args).await,
    }
}

async fn add(store: &Store, args: &InstitutionAddArgs) -> anyhow::Result<()> {
    let input = InstitutionInput {
        code: args.code.clone(),
        name: args.name.clone(),
        name_ru: args.name_ru.clone().unwrap_or_default(),
        name_tk: args.name_tk.clone().unwrap_or_default(),
        kind: args.kind,
        archived: false,
    };
    let institution = store
        .create_institution(&Actor::system("cli"), input)
        .await?;
    out!(
        "institution {} added: {} ({}, id {})",
        institution.code,
        institution.name,
        institution.kind,
        institution.id
    );
    Ok(())
}
