//! Environments, credentials and configuration from the environment.

use std::fmt;

use oauth1_sign::{Credentials, SignatureShape};

use crate::error::Error;

/// Where the API lives.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Environment {
    /// `https://apitest.firmadocumentos.es`: the test environment.
    Test,
    /// `https://api.firmadocumentos.es`: production.
    Production,
    /// Any other base URL: a sandbox, a proxy.
    Custom(String),
}

impl Environment {
    /// The base URL, without a trailing slash.
    #[must_use]
    pub fn base_url(&self) -> &str {
        match self {
            Self::Test => "https://apitest.firmadocumentos.es",
            Self::Production => "https://api.firmadocumentos.es",
            Self::Custom(url) => url.trim_end_matches('/'),
        }
    }
}

/// The environment variables [`ClientConfig::from_env`] reads.
pub mod env {
    /// The consumer key.
    pub const CONSUMER_KEY: &str = "FIRMADOC_CONSUMER_KEY";
    /// The consumer secret.
    pub const CONSUMER_SECRET: &str = "FIRMADOC_CONSUMER_SECRET";
    /// `test` (default), `prod`/`production`, or a base URL.
    pub const ENVIRONMENT: &str = "FIRMADOC_ENV";
    /// `unescaped` (default), `rfc` or `guide`: how `oauth_signature` is written.
    pub const SIGNATURE_SHAPE: &str = "FIRMADOC_SIGNATURE_SHAPE";
}

/// Everything the client needs.
#[derive(Clone)]
pub struct ClientConfig {
    /// The environment.
    pub environment: Environment,
    /// The consumer key and secret.
    pub credentials: Credentials,
    /// The transport settings (timeouts, body limit, extra roots).
    pub transport: http_transport::TransportConfig,
    /// How `oauth_signature` is written in the URL. Default
    /// [`SignatureShape::Unescaped`]: the nonce is drawn again until the
    /// signature holds no `+` or `/`, so the URL carries only the `%3D` of
    /// its final `=`, which RFC 5849, Postman and the guide's example all
    /// write alike. Every plausible server decoder (form decoding that reads
    /// `+` as a space, URI decoding, decoding twice, or none) then reads the
    /// same signature, while `Rfc` (`%2B %2F %3D`) relies on one decoding
    /// and `Guide` (the raw `+` of the guide's Postman example) relies on the
    /// server repairing the space a form decoder makes of it. The cost is
    /// about 1.3 extra partial HMACs per call (see `docs/benchmarks.md`).
    pub signature_shape: SignatureShape,
}

impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientConfig")
            .field("environment", &self.environment)
            .field("credentials", &self.credentials)
            .field("signature_shape", &self.signature_shape)
            .finish_non_exhaustive()
    }
}

impl ClientConfig {
    /// A configuration with default transport settings.
    #[must_use]
    pub fn new(environment: Environment, credentials: Credentials) -> Self {
        Self {
            environment,
            credentials,
            transport: http_transport::TransportConfig::default(),
            signature_shape: SignatureShape::default(),
        }
    }

    /// Reads `FIRMADOC_CONSUMER_KEY`, `FIRMADOC_CONSUMER_SECRET`,
    /// `FIRMADOC_ENV` (`test` by default, `prod`, or a base URL) and
    /// `FIRMADOC_SIGNATURE_SHAPE` (`unescaped` by default, `rfc`, `guide`).
    ///
    /// # Errors
    /// [`Error::Config`] naming the missing variable.
    pub fn from_env() -> Result<Self, Error> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// As [`ClientConfig::from_env`], reading variables through `get` (for tests).
    ///
    /// # Errors
    /// [`Error::Config`] naming the missing variable.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let need = |name: &str| {
            get(name).filter(|v| !v.is_empty()).ok_or_else(|| {
                Error::Config(format!(
                    "{name} is not set: export it with the value FirmaDocumentos issued (the secret never goes on the command line)"
                ))
            })
        };
        let key = need(env::CONSUMER_KEY)?;
        let secret = need(env::CONSUMER_SECRET)?;
        let environment = match get(env::ENVIRONMENT).as_deref().map(str::trim) {
            None | Some("" | "test") => Environment::Test,
            Some("prod" | "production") => Environment::Production,
            Some(url) if url.starts_with("http://") || url.starts_with("https://") => {
                Environment::Custom(url.to_owned())
            }
            Some(other) => {
                return Err(Error::Config(format!(
                    "{} is `{other}`: use `test`, `prod`, or a base URL such as http://127.0.0.1:8080",
                    env::ENVIRONMENT
                )));
            }
        };
        let mut config = Self::new(environment, Credentials::new(key, secret)?);
        if let Some(shape) = get(env::SIGNATURE_SHAPE).filter(|v| !v.trim().is_empty()) {
            config.signature_shape = shape.parse().map_err(|_| {
                Error::Config(format!(
                    "{} is `{shape}`: use `unescaped` (the default), `rfc` or `guide`",
                    env::SIGNATURE_SHAPE
                ))
            })?;
        }
        Ok(config)
    }
}
