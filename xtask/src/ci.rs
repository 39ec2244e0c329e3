//! `cargo xtask ci`: everything CI checks, in the order that fails fastest:
//! formatting, clippy, the peer tools, every test, the contract replay, the
//! demo (the main job) and `bench --quick`.

use crate::Result;
use crate::tools;
use crate::workspace::{cargo, run as sh};

pub(crate) fn run_ci_steps() -> Result<()> {
    sh(cargo().args(["fmt", "--all", "--check"]))?;
    sh(cargo().args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;
    let tools = tools::ensure()?;
    // A real PostgreSQL for the webhook store tests, stopped when `pg` drops (also on failure).
    let pg = crate::postgres::start()?;
    let mut test = cargo();
    test.args(["test", "--workspace"]);
    tools.export(&mut test);
    pg.export(&mut test);
    sh(&mut test)?;
    drop(pg);
    sh(cargo().args([
        "run",
        "--quiet",
        "--package",
        "xtask",
        "--",
        "test-contract",
    ]))?;
    // The main job, and every benchmark at small sizes (dev profile).
    eprintln!("xtask: demo");
    crate::demo::run(&[])?;
    eprintln!("xtask: bench --quick");
    crate::bench::run(&["--quick".to_owned()])?;
    Ok(())
}

pub(crate) fn run(args: &[String]) -> Result<()> {
    if let Some(extra) = args.first() {
        return Err(format!("`ci` takes no arguments, got `{extra}`").into());
    }
    run_ci_steps()?;
    eprintln!("xtask: ci passed");
    Ok(())
}
