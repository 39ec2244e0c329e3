#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod bulletin;
pub mod cli;
pub mod doctor;
mod errors;
pub mod export;
pub mod keygen;
pub mod package;
pub mod service;
pub mod settings;
pub mod worklist;

use std::process::ExitCode;
use std::time::SystemTime;

use cli_support::{CliError, OutputTarget, Report, process_env};
use hague_client::{Client, Publication};

pub use cli::Cli;
use cli::{BulletinCommand, Command, ConfidentialCommand, PackageCommand};

/// The tool's name, as printed before errors.
pub const TOOL: &str = "hague";

/// Parses the process's arguments, runs the command, prints its output, and
/// returns the exit code (the start-up every tool shares: [`cli_support::main`]).
#[must_use]
pub fn main() -> ExitCode {
    cli_support::main::<Cli>(TOOL, |cli| run(cli, &process_env, now()).map(Some))
}

/// The wall clock: the one place the tool reads it (for `keygen`'s certificate
/// dates and `--latest`).
#[allow(clippy::disallowed_methods)]
fn now() -> SystemTime {
    SystemTime::now()
}

/// Runs a parsed command line, reading configuration through `env`, with `now`
/// as the current time; returns what to print.
///
/// # Errors
/// The [`CliError`] to print, with its exit status.
pub fn run(
    cli: Cli,
    env: &dyn Fn(&str) -> Option<String>,
    now: SystemTime,
) -> Result<Report, CliError> {
    cli_support::block_on(execute(cli, env, now))?
}

fn today(now: SystemTime) -> time::Date {
    time::OffsetDateTime::from(now).date()
}

async fn execute(
    cli: Cli,
    env: &dyn Fn(&str) -> Option<String>,
    now: SystemTime,
) -> Result<Report, CliError> {
    let global = cli.global;
    let json = global.json;
    // Local input (weeks, files) is checked before configuration and before any
    // call: a bad value is reported even without credentials.
    match cli.command {
        Command::Keygen(args) => keygen::keygen(&args, now),
        Command::Token { show } => service::token(&client(&global, env)?, show).await,
        Command::Ping => service::ping(&client(&global, env)?).await,
        Command::Doctor => doctor::doctor(&global, env, now).await,
        Command::Package(PackageCommand::Validate { package }) => package::validate(&package, json),
        Command::Package(PackageCommand::Build {
            xml,
            files,
            output,
            force,
        }) => package::build(
            &xml,
            files.as_deref(),
            &OutputTarget::check(&output, force)?,
        ),
        Command::Submit { package } => {
            if !package.is_file() {
                return Err(CliError::invalid_input(
                    format!("the package {} is not a readable file", package.display()),
                    "check the path; `hague package build` makes a package",
                ));
            }
            service::submit(&client(&global, env)?, &package).await
        }
        Command::ImportStatus { import_id } => {
            service::import_status(&client(&global, env)?, &import_id).await
        }
        Command::Status { service_request } => {
            service::status(&client(&global, env)?, &service_request).await
        }
        Command::Wait(args) => {
            service::poll_policy(&args)?;
            service::wait(&client(&global, env)?, &args).await
        }
        Command::Bulletin(BulletinCommand::Fetch(args)) => {
            let week = bulletin::week_of(&args, today(now))?;
            let target = bulletin::target(&args, Publication::Bulletin, week)?;
            let c = client(&global, env)?;
            bulletin::fetch(&c, Publication::Bulletin, week, &target).await
        }
        Command::Confidential(ConfidentialCommand::Fetch(args)) => {
            let week = bulletin::week_of(&args, today(now))?;
            let target = bulletin::target(&args, Publication::ConfidentialCopy, week)?;
            let c = client(&global, env)?;
            bulletin::fetch(&c, Publication::ConfidentialCopy, week, &target).await
        }
        Command::Bulletin(BulletinCommand::Inspect { file }) => bulletin::inspect(&file),
        Command::Bulletin(BulletinCommand::Export(args)) => {
            export::export(&args, settings::profile_refusal_period(&global, env)?)
        }
        Command::Bulletin(BulletinCommand::Worklist(args)) => {
            let period = settings::profile_refusal_period(&global, env)?;
            let c = client(&global, env)?;
            worklist::worklist(&c, &args, period, today(now), env).await
        }
        Command::Bulletin(BulletinCommand::Extract { file, output }) => {
            cli_support::check_new_directory(&output)?;
            bulletin::extract(&file, &output)
        }
    }
}

fn client(global: &cli::Global, env: &dyn Fn(&str) -> Option<String>) -> Result<Client, CliError> {
    let config = settings::client_config(global, env)?;
    Client::new(config).map_err(|e| errors::from_client(&e))
}
