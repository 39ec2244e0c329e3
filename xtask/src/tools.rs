//! The tools the tests need: the Debian commands of the HWS guide's scripts (openssl,
//! curl, jq, xxd; installed with apt-get when missing), and the pinned peer tools the
//! tests compare against: Python packages in a
//! virtual environment and npm packages, both under `target/tools/`.
//!
//! Tests find them through the environment variables set by [`Tools::export`]
//! (`XTASK_PYTHON`, `XTASK_NODE_MODULES`), or at the default paths when run
//! by hand after `cargo xtask tools`.

use std::path::PathBuf;
use std::process::Command;

use crate::Result;
use crate::workspace::{root, run};

/// Paths to the installed tools.
#[derive(Debug)]
pub(crate) struct Tools {
    pub(crate) python: PathBuf,
    pub(crate) node_modules: Option<PathBuf>,
}

impl Tools {
    pub(crate) fn print(&self) {
        println!("XTASK_PYTHON={}", self.python.display());
        if let Some(n) = &self.node_modules {
            println!("XTASK_NODE_MODULES={}", n.display());
        }
    }

    /// Sets the variables on a command that runs tests.
    pub(crate) fn export(&self, cmd: &mut Command) {
        cmd.env("XTASK_PYTHON", &self.python);
        if let Some(n) = &self.node_modules {
            cmd.env("XTASK_NODE_MODULES", n);
        }
    }
}

/// Installs what is missing or out of date, and returns where it is.
pub(crate) fn ensure() -> Result<Tools> {
    ensure_debian(GUIDE_SCRIPT_TOOLS)?;
    let dir = root().join("target/tools");
    std::fs::create_dir_all(&dir)?;
    let python = ensure_python(&dir)?;
    let node_modules = ensure_node(&dir)?;
    Ok(Tools {
        python,
        node_modules,
    })
}

/// The commands the HWS guide's scripts use (`fixtures/guide-scripts/`, run by the
/// sandbox's tests), and their Debian packages (on Debian 12 `xxd` is its own package).
const GUIDE_SCRIPT_TOOLS: &[(&str, &str)] = &[
    ("openssl", "openssl"),
    ("curl", "curl"),
    ("jq", "jq"),
    ("xxd", "xxd"),
];

/// Installs Debian packages for missing commands (`apt-get update` once, then
/// `apt-get install -y` of the missing packages).
pub(crate) fn ensure_debian(tools: &[(&str, &str)]) -> Result<()> {
    let mut missing = Vec::new();
    for (cmd, pkg) in tools {
        let have = Command::new("sh")
            .arg("-c")
            .arg(format!("command -v {cmd}"))
            .output()?
            .status
            .success();
        if !have {
            missing.push(*pkg);
        }
    }
    if !missing.is_empty() {
        run(Command::new("apt-get").arg("update"))?;
        run(Command::new("apt-get")
            .args(["install", "-y"])
            .args(&missing))?;
    }
    Ok(())
}

fn ensure_python(dir: &std::path::Path) -> Result<PathBuf> {
    let req = root().join("xtask/requirements.txt");
    let wanted = std::fs::read_to_string(&req)?;
    let venv = dir.join("venv");
    let python = venv.join("bin/python");
    let stamp = venv.join("requirements.installed");
    if python.exists() && std::fs::read_to_string(&stamp).ok().as_deref() == Some(&wanted) {
        return Ok(python);
    }
    run(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
    run(Command::new(&python)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-r",
        ])
        .arg(&req))?;
    std::fs::write(&stamp, wanted)?;
    Ok(python)
}

fn ensure_node(dir: &std::path::Path) -> Result<Option<PathBuf>> {
    let src = root().join("xtask/node");
    let pkg = src.join("package.json");
    if !pkg.exists() {
        return Ok(None);
    }
    let target = dir.join("node");
    std::fs::create_dir_all(&target)?;
    let wanted = std::fs::read_to_string(&pkg)?;
    let stamp = target.join("package.installed");
    let modules = target.join("node_modules");
    if modules.exists() && std::fs::read_to_string(&stamp).ok().as_deref() == Some(&wanted) {
        return Ok(Some(modules));
    }
    std::fs::copy(&pkg, target.join("package.json"))?;
    let lock = src.join("package-lock.json");
    if lock.exists() {
        std::fs::copy(&lock, target.join("package-lock.json"))?;
        run(Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&target))?;
    } else {
        run(Command::new("npm")
            .args(["install", "--no-audit", "--no-fund"])
            .current_dir(&target))?;
    }
    std::fs::write(&stamp, wanted)?;
    Ok(Some(modules))
}
