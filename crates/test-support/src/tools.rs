//! Where the workspace and the pinned peer tools of `cargo xtask tools` are.

use std::path::PathBuf;

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The pinned Python of `cargo xtask tools` (`XTASK_PYTHON` overrides it).
///
/// # Panics
/// When it is not installed, saying how to install it.
pub fn python() -> PathBuf {
    let path = std::env::var_os("XTASK_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target/tools/venv/bin/python"));
    assert!(
        path.exists(),
        "no Python at {}: run `cargo xtask tools` first (or set XTASK_PYTHON)",
        path.display()
    );
    path
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
