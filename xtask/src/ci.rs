//! `cargo xtask ci`: everything CI checks, in the order that fails fastest:
//! formatting, clippy, the peer tools, every test, the contract replay, the
//! demo (the main job) and `bench --quick`, then the documentation (rustdoc
//! with `-D warnings`, with and without features) and `cargo package` of every
//! library crate. Other commands run as `xtask` subprocesses, never by
//! importing their modules.

use crate::Result;
use crate::tools;
use crate::workspace::{cargo, run as sh, xtask};

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
    sh(xtask().arg("demo"))?;
    sh(xtask().args(["bench", "--quick"]))?;
    docs()?;
    sh(xtask().arg("package"))?;
    Ok(())
}

/// `cargo doc --no-deps` with every warning an error (broken intra-doc links
/// included): the whole workspace with all features (what docs.rs builds, see
/// `[package.metadata.docs.rs]`), then the crates that have features with none
/// of them, each alone so that no other crate turns a feature on for it.
fn docs() -> Result<()> {
    let doc = || {
        let mut c = cargo();
        c.env("RUSTDOCFLAGS", "-D warnings")
            .args(["doc", "--no-deps"]);
        c
    };
    sh(doc().args(["--workspace", "--all-features"]))?;
    for krate in [
        "oauth1-sign",
        "http-transport",
        "hague-package",
        "st96-model",
        "firmadoc-client",
        "test-support",
    ] {
        sh(doc().args(["--package", krate, "--no-default-features"]))?;
    }
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
