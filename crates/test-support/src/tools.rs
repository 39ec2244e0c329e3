//! Where the workspace and the pinned peer tools of `cargo xtask tools` are.

use std::path::PathBuf;

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Where the pinned Python of `cargo xtask tools` is (`XTASK_PYTHON` overrides
/// it), installed or not.
fn python_path() -> PathBuf {
    std::env::var_os("XTASK_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target/tools/venv/bin/python"))
}

/// The pinned Python of `cargo xtask tools` (`XTASK_PYTHON` overrides it).
///
/// # Panics
/// When it is not installed, saying how to install it.
pub fn python() -> PathBuf {
    let path = python_path();
    assert!(
        path.exists(),
        "no Python at {}: run `cargo xtask tools` first (or set XTASK_PYTHON)",
        path.display()
    );
    path
}

/// The pinned Python if it is installed (for a benchmark that skips its
/// comparison without it), else `None`.
pub fn python_if_installed() -> Option<PathBuf> {
    Some(python_path()).filter(|p| p.exists())
}

/// Runs `script` with the pinned Python (`python -c SCRIPT ARGS...`) and
/// returns what it printed on stdout. This is the one runner of the venv's
/// Python for every crate's tests; a test that talks to a long-running Python
/// process over stdin starts [`python`] itself.
///
/// # Panics
/// When Python is missing, cannot start, exits other than 0 (the panic shows
/// its stdout and stderr: a missing module means `cargo xtask tools` was not
/// run), or prints other than UTF-8.
pub fn run_python<I, S>(script: &str, args: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let out = std::process::Command::new(python())
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("start the pinned Python: {e}"));
    assert!(
        out.status.success(),
        "python failed ({}; run `cargo xtask tools` if a module is missing): {}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap_or_else(|e| panic!("python printed other than UTF-8: {e}"))
}

/// The pinned `node_modules` of `cargo xtask tools` (`XTASK_NODE_MODULES`
/// overrides it).
///
/// # Panics
/// When `oidc-provider` is not installed there, saying how to install it.
pub fn node_modules() -> PathBuf {
    let path = std::env::var_os("XTASK_NODE_MODULES")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target/tools/node/node_modules"));
    assert!(
        path.join("oidc-provider").exists(),
        "no oidc-provider under {}: run `cargo xtask tools` first (or set XTASK_NODE_MODULES)",
        path.display()
    );
    path
}

/// SHA-256 of `bytes` as computed by coreutils `sha256sum` (an independent
/// implementation), as 64 lowercase hex digits.
///
/// # Panics
/// When `sha256sum` is missing or prints something else.
pub fn sha256sum(bytes: &[u8]) -> String {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new("sha256sum")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("sha256sum (coreutils) is needed: {e}"));
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(bytes)
            .unwrap_or_else(|e| panic!("write to sha256sum: {e}"));
    }
    let out = child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("sha256sum: {e}"));
    String::from_utf8_lossy(&out.stdout)
        .get(..64)
        .unwrap_or_else(|| panic!("sha256sum printed {:?}", out.stdout))
        .to_owned()
}
