//! `cargo xtask record --sandbox [--out DIR]`: runs a scripted, harmless
//! sequence of calls and writes each exchange as a new scenario folder
//! (format 1, `docs/fixtures.md`) for review, with every secret replaced by
//! a placeholder. It never overwrites a folder that exists.
//!
//! `--sandbox` records from the offline sandbox (`sandbox.rs`), `--live`
//! from the real services through a re-signing proxy (`live.rs`). What both
//! share (the exchange log, the FirmaDocumentos script, the scenario writer)
//! is in `scenario.rs`; neither recorder imports the other.

mod live;
mod sandbox;
mod scenario;

use std::path::PathBuf;

use crate::Result;
use crate::workspace::root;

const USAGE: &str =
    "usage: cargo xtask record --live|--sandbox [--out DIR]   (DIR defaults to target/recorded)";

pub(crate) fn run(args: &[String]) -> Result<()> {
    let mut sandbox = false;
    let mut live = false;
    let mut out = root().join("target/recorded");
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--sandbox" => sandbox = true,
            "--live" => live = true,
            "--out" => out = PathBuf::from(it.next().ok_or(USAGE)?),
            other => return Err(format!("unknown argument `{other}`\n{USAGE}").into()),
        }
    }
    if live {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        let written = rt.block_on(live::record_live(&live::Live::from_env()?, &out))?;
        println!(
            "record: wrote {written} scenario folders under {} (review them before committing)",
            out.display()
        );
        return Ok(());
    }
    if !sandbox {
        return Err(format!(
            "choose --live (the real services, with {} / {} and HAGUE_* from the environment) or --sandbox\n{USAGE}",
            firmadoc_client::env::CONSUMER_KEY,
            firmadoc_client::env::CONSUMER_SECRET
        )
        .into());
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let written = rt.block_on(sandbox::record_sandbox(&out))?;
    println!(
        "record: wrote {written} scenario folders under {} (review them before committing)",
        out.display()
    );
    println!(
        "replay: cargo xtask test-contract --fixtures {}",
        out.display()
    );
    Ok(())
}
