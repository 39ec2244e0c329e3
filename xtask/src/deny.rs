//! `cargo xtask deny [--advisories]`: supply-chain checks with cargo-deny
//! (`deny.toml`). Licences, bans (duplicate versions, wildcards) and sources
//! need no advisory database; `--advisories` adds the RustSec check, which
//! fetches its database from GitHub and so runs only where that is reachable.
//! It is a separate command, not part of `ci`: installing cargo-deny on a fresh
//! machine takes longer than the CI time budget allows.

use std::process::Command;

use crate::Result;
use crate::workspace::{cargo, run};

pub(crate) fn run_deny(args: &[String]) -> Result<()> {
    let advisories = match args {
        [] => false,
        [a] if a == "--advisories" => true,
        _ => return Err("usage: cargo xtask deny [--advisories]".into()),
    };
    let have = Command::new("cargo").args(["deny", "--version"]).output();
    if !have.is_ok_and(|o| o.status.success()) {
        run(Command::new("cargo").args(["install", "cargo-deny", "--locked"]))?;
    }
    let mut checks = vec!["licenses", "bans", "sources"];
    if advisories {
        checks.push("advisories");
    }
    run(cargo().args(["deny", "check"]).args(checks))
}
