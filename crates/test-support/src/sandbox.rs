//! The workspace's sandbox for the tests that run a command-line tool (or a
//! recorder) against it: started on its own runtime, an HWS client registered
//! from a key file, and the environment each tool reads to reach it.
//!
//! ```no_run
//! let sb = test_support::sandbox::Running::start(sandbox::SandboxConfig::default());
//! let mut hague = std::process::Command::new("hague");
//! sb.register_key_file("office", std::path::Path::new("key.pem"));
//! hague.envs(test_support::sandbox::hague_env(&sb, "office", std::path::Path::new("key.pem")));
//! let mut firmadoc = std::process::Command::new("firmadoc");
//! firmadoc.envs(test_support::sandbox::firmadoc_env(&sb));
//! sb.shutdown();
//! ```

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use ::sandbox::{Sandbox, SandboxConfig};

/// A sandbox configuration: over TLS when `tls`, with its clock `ahead` of
/// this machine's (the real clock when zero), as a doctor's clock check needs.
#[must_use]
pub fn config(tls: bool, ahead: Duration) -> SandboxConfig {
    let mut config = SandboxConfig::default();
    config.tls = tls;
    if !ahead.is_zero() {
        #[allow(clippy::disallowed_methods)] // the sandbox's clock, ahead of this machine's
        let now = std::time::SystemTime::now();
        config.clock = Arc::new(::sandbox::ManualClock::new(now + ahead));
    }
    config
}

/// A sandbox with the tokio runtime that serves it (for synchronous tests); it
/// dereferences to the [`Sandbox`].
#[derive(Debug)]
pub struct Running {
    sandbox: Sandbox,
    runtime: tokio::runtime::Runtime,
}

impl Running {
    /// Starts a sandbox configured by `config` on a new multi-threaded runtime.
    ///
    /// # Panics
    /// When the runtime or the sandbox cannot start.
    pub fn start(config: SandboxConfig) -> Self {
        let runtime =
            tokio::runtime::Runtime::new().unwrap_or_else(|e| panic!("start a tokio runtime: {e}"));
        let sandbox = runtime
            .block_on(Sandbox::start(config))
            .unwrap_or_else(|e| panic!("start the sandbox: {e}"));
        Self { sandbox, runtime }
    }

    /// Registers the public key of the PEM private key in `key_file` (as `hague keygen`
    /// writes it) as HWS client `client_id`, as WIPO would from its certificate.
    ///
    /// # Panics
    /// When the file cannot be read or holds no usable key.
    pub fn register_key_file(&self, client_id: &str, key_file: &Path) {
        let pem = std::fs::read_to_string(key_file)
            .unwrap_or_else(|e| panic!("read {}: {e}", key_file.display()));
        let key = fapi_jwt_assert::SigningKey::from_pem(&pem)
            .unwrap_or_else(|e| panic!("{}: {e}", key_file.display()));
        self.sandbox
            .register_hws_client(client_id, key.public_jwk().clone());
    }

    /// Stops the sandbox and waits for it.
    pub fn shutdown(self) {
        let Self { sandbox, runtime } = self;
        runtime.block_on(sandbox.shutdown());
    }
}

impl std::ops::Deref for Running {
    type Target = Sandbox;

    fn deref(&self) -> &Sandbox {
        &self.sandbox
    }
}

/// The `HAGUE_*` variables that point `hague` (or `hague-client`'s
/// `Config::from_vars`) at the sandbox's HWS as `client_id`, signing with the
/// key in `key_file`, in the sandbox's default scope.
pub fn hague_env(sb: &Sandbox, client_id: &str, key_file: &Path) -> [(&'static str, String); 5] {
    [
        ("HAGUE_API_BASE_URL", sb.hws_api_url()),
        ("HAGUE_ISSUER", sb.issuer()),
        ("HAGUE_CLIENT_ID", client_id.to_owned()),
        ("HAGUE_SCOPE", ::sandbox::DEFAULT_SCOPE.to_owned()),
        ("HAGUE_PRIVATE_KEY_FILE", key_file.display().to_string()),
    ]
}

/// The `FIRMADOC_*` variables that point `firmadoc` at the sandbox's
/// FirmaDocumentos with its test consumer key and secret.
pub fn firmadoc_env(sb: &Sandbox) -> [(&'static str, String); 3] {
    let creds = sb.firmadoc_credentials();
    [
        ("FIRMADOC_CONSUMER_KEY", creds.consumer_key.clone()),
        ("FIRMADOC_CONSUMER_SECRET", creds.expose_secret().to_owned()),
        ("FIRMADOC_ENV", sb.firmadoc_url()),
    ]
}
