#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod cli;
pub mod commands;
pub mod doctor;
mod errors;
mod parse;
pub mod settings;
mod store;
mod webhook;
mod webhook_server;

use std::process::ExitCode;

use cli_support::{CliError, OutputTarget, Report, process_env};
use firmadoc_client::Client;

pub use cli::Cli;
use cli::{Command, TemplateCommand, WebhookCommand};

/// The tool's name, as printed before errors.
pub const TOOL: &str = "firmadoc";

/// Parses the process's arguments, runs the command, prints its output, and
/// returns the exit code (the start-up every tool shares: [`cli_support::main`]).
#[must_use]
pub fn main() -> ExitCode {
    cli_support::main::<Cli>(TOOL, |cli| run(cli, &process_env))
}

/// Runs a parsed command line, reading configuration through `env`; returns
/// what to print (`webhook serve` prints as it goes, and returns nothing).
///
/// # Errors
/// The [`CliError`] to print, with its exit status.
pub fn run(cli: Cli, env: &dyn Fn(&str) -> Option<String>) -> Result<Option<Report>, CliError> {
    cli_support::block_on(execute(cli, env))?
}

async fn execute(
    cli: Cli,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<Report>, CliError> {
    let global = cli.global;
    // Input is checked before configuration and before any call: a bad value
    // never costs a sending, and is reported even without credentials.
    let output = match cli.command {
        Command::Template(TemplateCommand::Set(args)) => {
            let template = commands::template(*args)?;
            commands::template_set(&client(&global, env)?, &template).await?
        }
        Command::Send(args) => {
            let sending = commands::sending(*args)?;
            commands::send(&client(&global, env)?, &sending).await?
        }
        Command::Status { code, device } => {
            let (code, device) = (commands::code(&code)?, commands::device(device));
            commands::status(&client(&global, env)?, &code, &device).await?
        }
        Command::Document {
            code,
            output,
            force,
            verify_hash,
            device,
        } => {
            let (code, device) = (commands::code(&code)?, commands::device(device));
            let target = OutputTarget::check(&output, force)?;
            let client = client(&global, env)?;
            commands::document(&client, &code, &device, &target, verify_hash).await?
        }
        Command::Trace {
            code,
            output,
            force,
        } => {
            let code = commands::envelope(&code)?;
            let target = OutputTarget::check(&output, force)?;
            commands::trace(&client(&global, env)?, &code, &target).await?
        }
        Command::Attach(args) => {
            let (code, upload) = commands::attachment(args)?;
            commands::attach(&client(&global, env)?, &code, &upload).await?
        }
        Command::Respond(cmd) => {
            let (code, response, verb) = commands::response(cmd, env)?;
            commands::respond(&client(&global, env)?, &code, &response, verb).await?
        }
        Command::Summary { from, to } => {
            let (from, to) = commands::dates(&from, &to)?;
            commands::summary(&client(&global, env)?, from, to).await?
        }
        Command::Budget => commands::budget(&client(&global, env)?).await?,
        Command::Doctor => {
            doctor::doctor(
                &global,
                env,
                std::sync::Arc::new(http_transport::SystemClock),
            )
            .await?
        }
        Command::User(cmd) => {
            let user = commands::new_user(&cmd)?;
            commands::user_add(&client(&global, env)?, &user).await?
        }
        Command::Webhook(cmd) => return webhook_command(cmd, &global, env).await,
    };
    Ok(Some(output))
}

async fn webhook_command(
    cmd: WebhookCommand,
    global: &cli::Global,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<Report>, CliError> {
    let output = match cmd {
        WebhookCommand::Subscribe { url, events } => {
            let s = commands::subscription(&url, &events)?;
            commands::subscribe(&client(global, env)?, &s).await?
        }
        WebhookCommand::Unsubscribe => commands::unsubscribe(&client(global, env)?).await?,
        WebhookCommand::Test { event } => {
            let event = commands::event(&event)?;
            commands::test_webhook(&client(global, env)?, event).await?
        }
        WebhookCommand::Serve {
            listen,
            out,
            max_events,
            store,
        } => {
            let settings = settings::resolve(global, env)?;
            let store = store::open(&store::spec(store.as_deref(), env)?, env).await?;
            let n =
                webhook::serve(&settings.consumer_secret, listen, out, max_events, store).await?;
            cli_support::console::note(
                "stopped",
                &format!("stopped after {n} verified deliveries"),
                serde_json::json!({"deliveries": n}),
            );
            return Ok(None);
        }
        WebhookCommand::Verify {
            body,
            signature,
            saved,
        } => {
            let (bytes, signature) = webhook::delivery_input(body, signature, saved)?;
            let settings = settings::resolve(global, env)?;
            webhook::verify(&settings.consumer_secret, &bytes, &signature)?
        }
    };
    Ok(Some(output))
}

fn client(global: &cli::Global, env: &dyn Fn(&str) -> Option<String>) -> Result<Client, CliError> {
    let config = settings::resolve(global, env)?.client_config()?;
    Client::new(config).map_err(|e| errors::from_client(&e))
}
