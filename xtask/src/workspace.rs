//! Where things are, and how to run a command and fail loudly.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::Result;

/// The workspace root (the parent of `xtask/`).
pub(crate) fn root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

/// Runs `cmd`, echoing it first, and turns a non-zero exit into an error.
pub(crate) fn run(cmd: &mut Command) -> Result<()> {
    eprintln!("xtask: $ {}", describe(cmd));
    let status = cmd
        .status()
        .map_err(|e| format!("cannot start `{}`: {e}", describe(cmd)))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{}` failed with {status}", describe(cmd)).into())
    }
}

fn describe(cmd: &Command) -> String {
    let mut s = cmd.get_program().to_string_lossy().into_owned();
    for a in cmd.get_args() {
        s.push(' ');
        s.push_str(&a.to_string_lossy());
    }
    s
}

/// A `cargo` command run from the workspace root.
pub(crate) fn cargo() -> Command {
    let mut c = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    c.current_dir(root());
    c
}

/// This xtask binary itself, run from the workspace root: how one command
/// runs another (`ci` runs `demo`, `bench`...) without importing its module.
pub(crate) fn xtask() -> Command {
    // Through `cargo run`, never `current_exe()`: `cargo test --workspace` may
    // relink `target/debug/xtask` (dev-dependency features differ), and the
    // running binary's own path is then gone.
    let mut c = cargo();
    c.args(["run", "--quiet", "--package", "xtask", "--"]);
    c.current_dir(root());
    c
}
