//! `hrtrack user add`: a Roadmap account, typically the first administrator. The password is
//! never an argument (it would show in the process list and the shell history): it comes from
//! `HRTRACK_PASSWORD`, else from the terminal without echo (asked twice), else as one line of
//! standard input. It is checked and hashed (argon2id) here; the store only sees the hash.
//!
//! `hrtrack user unlock NAME`: clears the name's sign-in throttle for every client (audited).

use std::io::{BufRead, IsTerminal, Write};
use std::process::{Command, Stdio};

use anyhow::{Context, bail};
use hrtrack_access::password::{PasswordPool, check_new_password};
use hrtrack_db::Store;
use hrtrack_db::roadmap::{Actor, NewUser};

use crate::cli::{UserAddArgs, UserCommand, UserUnlockArgs};
use crate::output::out;

/// The environment variable a script sets instead of typing the password.
pub const PASSWORD_ENV: &str = "HRTRACK_PASSWORD";

pub async fn run(store: &Store, command: &UserCommand) -> anyhow::Result<()> {
    match command {
        UserCommand::Add(args) => add(store, args).await,
        UserCommand::Unlock(args) => unlock(store, args).await,
    }
}

async fn unlock(store: &Store, args: &UserUnlockArgs) -> anyhow::Result<()> {
    let name = args.name.trim();
    let Some((user, _)) = store.user_with_password(name).await? else {
        bail!("no user {name:?}");
    };
    let cleared = store.unlock_login(&Actor::system("cli"), user.id).await?;
    out!(
        "sign-in throttle of {} cleared ({cleared} client address(es) were counted)",
        user.name
    );
    Ok(())
}

async fn add(store: &Store, args: &UserAddArgs) -> anyhow::Result<()> {
    let institutions = institution_ids(store, &args.institutions).await?;
    let password = read_new_password(&args.name)?;
    check_new_password(&password, &args.name).context("the password is refused")?;
    let password_hash = PasswordPool::new(1).hash(&password).await?;
    let user = store
        .create_user(
            &Actor::system("cli"),
            NewUser {
                name: args.name.clone(),
                display_name: args
                    .display_name
                    .clone()
                    .unwrap_or_else(|| args.name.clone()),
                email: args.email.clone().unwrap_or_default(),
                role: args.role,
                institutions,
                password_hash,
            },
        )
        .await?;
    out!("user {} added: {} (id {})", user.name, user.role, user.id);
    Ok(())
}

/// The ids of the live institutions with these codes; an unknown code is an error that lists
/// the known ones.
async fn institution_ids(store: &Store, codes: &[String]) -> anyhow::Result<Vec<i64>> {
    if codes.is_empty() {
        return Ok(Vec::new());
    }
    let known = store.institutions(true).await?;
    let mut ids = Vec::new();
    for code in codes {
        let code = code.trim();
        match known.iter().find(|i| i.code.eq_ignore_ascii_case(code)) {
            Some(institution) if institution.archived => {
                bail!("institution {code} is archived")
            }
            Some(institution) => ids.push(institution.id),
            None => {
                let live: Vec<&str> = known
                    .iter()
                    .filter(|i| !i.archived)
                    .map(|i| i.code.as_str())
                    .collect();
                if live.is_empty() {
                    bail!(
                        "unknown institution {code:?}: there are no institutions yet \
                         (add one with `hrtrack institution add`)"
                    );
                }
                bail!(
                    "unknown institution {code:?}; known institutions: {}",
                    live.join(", ")
                );
            }
        }
    }
    Ok(ids)
}

fn read_new_password(name: &str) -> anyhow::Result<String> {
    if let Ok(password) = std::env::var(PASSWORD_ENV) {
        return Ok(password);
    }
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        let first = prompt_hidden(&format!("New password for {name}: "))?;
        let second = prompt_hidden("Repeat it: ")?;
        if first != second {
            bail!("the two passwords differ; nothing was changed");
        }
        return Ok(first);
    }
    let mut line = String::new();
    let read = stdin
        .lock()
        .read_line(&mut line)
        .context("cannot read the password from standard input")?;
    if read == 0 {
        bail!("no password: set {PASSWORD_ENV} or write the password on standard input");
    }
    Ok(trim_newline(line))
}

fn trim_newline(mut line: String) -> String {
    while line.ends_with(['\n', '\r']) {
        line.pop();
    }
    line
}

/// Reads one line from the terminal with echo off (through `stty`, so that no terminal
/// library is needed); echo comes back even when reading fails.
fn prompt_hidden(prompt: &str) -> anyhow::Result<String> {
    let mut stderr = std::io::stderr();
    write!(stderr, "{prompt}")?;
    stderr.flush()?;
    let echo = Echo::off()?;
    let mut line = String::new();
    let read = std::io::stdin().lock().read_line(&mut line);
    drop(echo);
    writeln!(stderr)?;
    read.context("cannot read the password from the terminal")?;
    Ok(trim_newline(line))
}

/// Terminal echo turned off for as long as this lives.
struct Echo;

impl Echo {
    fn off() -> anyhow::Result<Echo> {
        if stty("-echo") {
            Ok(Echo)
        } else {
            bail!(
                "cannot hide the password as it is typed (stty failed); set {PASSWORD_ENV} instead"
            )
        }
    }
}

impl Drop for Echo {
    fn drop(&mut self) {
        stty("echo");
    }
}

fn stty(setting: &str) -> bool {
    Command::new("stty")
        .arg(setting)
        .stdin(Stdio::inherit())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}
