//! A real OpenID Provider on loopback: npm `oidc-provider` (pinned by
//! `cargo xtask tools`) running `oidc_provider.mjs` beside this crate's
//! manifest, with one registered `private_key_jwt` client.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::tools::node_modules;

/// The node process; killed when dropped, so a failed assertion leaves no
/// server behind.
#[derive(Debug)]
pub struct OidcProvider {
    child: Child,
    _stdin: Option<ChildStdin>,
    port: u16,
    lines: Arc<Mutex<Vec<String>>>,
    _dir: tempfile::TempDir,
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The provider's script (`oidc_provider.mjs`).
pub fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("oidc_provider.mjs")
}

impl OidcProvider {
    /// Starts the provider with `client_jwk` (the client's public JWK as
    /// JSON) registered, and waits for its `READY <port>` line.
    ///
    /// # Panics
    /// When node or the pinned `oidc-provider` is missing, or it does not start.
    pub fn start(client_jwk: &str) -> Self {
        let modules = node_modules();
        // ESM resolves packages from the script's location, not NODE_PATH: the
        // script is copied into a temporary directory that links node_modules.
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temporary directory: {e}"));
        let local = dir.path().join("oidc_provider.mjs");
        std::fs::copy(script(), &local).unwrap_or_else(|e| panic!("copy the script: {e}"));
        std::os::unix::fs::symlink(&modules, dir.path().join("node_modules"))
            .unwrap_or_else(|e| panic!("link node_modules: {e}"));
        let mut child = Command::new("node")
            .arg(&local)
            .arg(client_jwk)
            .env("NODE_PATH", &modules)
            .current_dir(dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("start node (is Node.js installed?): {e}"));
        let stdin = child.stdin.take();
        let Some(stdout) = child.stdout.take() else {
            panic!("node has no stdout pipe")
        };
        let mut stdout = BufReader::new(stdout);
        let mut first = String::new();
        let _ = stdout.read_line(&mut first);
        let port = first
            .trim()
            .strip_prefix("READY ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("oidc-provider did not start: {first:?}"));
        let lines = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&lines);
        std::thread::spawn(move || {
            for line in stdout.lines().map_while(Result::ok) {
                if let Ok(mut v) = sink.lock() {
                    v.push(line);
                }
            }
        });
        Self {
            child,
            _stdin: stdin,
            port,
            lines,
            _dir: dir,
        }
    }

    /// The port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The issuer, `http://127.0.0.1:<port>`.
    pub fn issuer(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The provider's log so far (its stdout after `READY`), for messages.
    pub fn log(&self) -> Vec<String> {
        self.lines.lock().map(|v| v.clone()).unwrap_or_default()
    }

    /// Waits up to a second for a `GRANT_ERROR` line of the provider's log
    /// containing `needle`.
    pub fn saw_grant_error(&self, needle: &str) -> bool {
        for _ in 0..50 {
            let seen = self.lines.lock().is_ok_and(|lines| {
                lines
                    .iter()
                    .any(|l| l.starts_with("GRANT_ERROR") && l.contains(needle))
            });
            if seen {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }
}
