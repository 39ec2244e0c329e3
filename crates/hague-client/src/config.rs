//! Client configuration: provider, client, key, API base URL, transport, presets and
//! environment variables.

use std::sync::Arc;

use fapi_jwt_assert::{AssertionOptions, Audience, CachePolicy, KeyId, SigningKey};
use http_transport::{Clock, SystemClock, TransportConfig};

use crate::error::Error;

/// WIPO's development issuer, as written in the HWS guide (Appendix C).
pub const WIPO_DEV_ISSUER: &str = "https://logindev.wipo.int/am/oauth2";
/// The scope of the guide's Appendix C example (DAS's scope; the HWS scope is not public).
pub const WIPO_EXAMPLE_SCOPE: &str = "das-api/das-access";
/// The client id of the guide's Appendix C example (each office gets its own).
pub const WIPO_EXAMPLE_CLIENT_ID: &str = "das-api-auth";

/// How the token endpoint is found.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Provider {
    /// OpenID discovery: `GET {issuer}/.well-known/openid-configuration`, once, before the
    /// first token.
    Discovery {
        /// The issuer, as configured (for WIPO without `:443`; see the crate docs on how the
        /// discovered issuer is compared).
        issuer: String,
    },
    /// A token endpoint given by hand (no discovery request).
    TokenEndpoint {
        /// The issuer (used when the audience is [`Audience::Issuer`]).
        issuer: String,
        /// The token endpoint, verbatim (it is also the default `aud`).
        token_endpoint: String,
    },
}

impl Provider {
    /// The issuer.
    pub fn issuer(&self) -> &str {
        match self {
            Self::Discovery { issuer } | Self::TokenEndpoint { issuer, .. } => issuer,
        }
    }
}

/// Known environments. Only WIPO's development issuer is public (HWS guide, Appendix C);
/// production issuers and every HWS API base URL are given by WIPO to each office.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Preset {
    /// WIPO's development OpenAM: issuer [`WIPO_DEV_ISSUER`] with discovery, scope
    /// [`WIPO_EXAMPLE_SCOPE`] (the guide's example; **inferred** to apply to HWS).
    WipoDevelopment,
}

impl Preset {
    /// The name used in `HAGUE_PRESET`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::WipoDevelopment => "wipo-dev",
        }
    }

    /// The preset's issuer.
    pub fn issuer(&self) -> &'static str {
        match self {
            Self::WipoDevelopment => WIPO_DEV_ISSUER,
        }
    }

    /// The preset's scope.
    pub fn scope(&self) -> &'static str {
        match self {
            Self::WipoDevelopment => WIPO_EXAMPLE_SCOPE,
        }
    }

    fn parse(name: &str) -> Option<Self> {
        match name.trim().to_ascii_lowercase().as_str() {
            "wipo-dev" | "wipo-development" | "dev" => Some(Self::WipoDevelopment),
            _ => None,
        }
    }
}

/// Everything a [`crate::Client`] needs.
///
/// `Debug` prints `[redacted]` for the key.
#[derive(Debug)]
pub struct Config {
    pub(crate) api_base: String,
    pub(crate) provider: Provider,
    pub(crate) client_id: String,
    pub(crate) scope: Option<String>,
    pub(crate) key: SigningKey,
    pub(crate) audience: Audience,
    pub(crate) assertion: AssertionOptions,
    pub(crate) transport: TransportConfig,
    pub(crate) cache_policy: CachePolicy,
    pub(crate) clock: Arc<dyn Clock>,
}

fn config_error(reason: impl Into<String>) -> Error {
    Error::Config {
        reason: reason.into(),
    }
}

fn check_url(what: &str, url: &str) -> Result<(), Error> {
    let lower = url.to_ascii_lowercase();
    if !(lower.starts_with("https://") || lower.starts_with("http://")) {
        return Err(config_error(format!(
            "the {what} must be an absolute https:// URL; got something else ({} characters)",
            url.len()
        )));
    }
    Ok(())
}

impl Config {
    /// A configuration: the HWS API base URL (for example `https://hws.example/hws/v1`;
    /// paths such as `/request` are appended to it), the provider, the client id WIPO gave,
    /// and the office's private key (P-256 for ES256, as WIPO asks).
    ///
    /// # Errors
    /// [`Error::Config`] if a URL is not absolute or the client id is empty.
    pub fn new(
        api_base: impl Into<String>,
        provider: Provider,
        client_id: impl Into<String>,
        key: SigningKey,
    ) -> Result<Self, Error> {
        let api_base = api_base.into().trim().trim_end_matches('/').to_owned();
        check_url("API base URL", &api_base)?;
        check_url("issuer", provider.issuer())?;
        if let Provider::TokenEndpoint { token_endpoint, .. } = &provider {
            check_url("token endpoint", token_endpoint)?;
        }
        let client_id = client_id.into();
        if client_id.trim().is_empty() {
            return Err(config_error(
                "the client id is empty: use the one WIPO registered for the office",
            ));
        }
        Ok(Self {
            api_base,
            provider,
            client_id,
            scope: None,
            key,
            audience: Audience::TokenEndpoint,
            assertion: AssertionOptions::default(),
            transport: TransportConfig::default(),
            cache_policy: CachePolicy::default(),
            clock: Arc::new(SystemClock),
        })
    }

    /// A configuration from a [`Preset`]: its issuer and scope.
    ///
    /// # Errors
    /// As [`Config::new`].
    pub fn preset(
        preset: Preset,
        api_base: impl Into<String>,
        client_id: impl Into<String>,
        key: SigningKey,
    ) -> Result<Self, Error> {
        Ok(Self::new(
            api_base,
            Provider::Discovery {
                issuer: preset.issuer().to_owned(),
            },
            client_id,
            key,
        )?
        .scope(Some(preset.scope().to_owned())))
    }

    /// Reads the configuration from the process environment; see [`Config::from_vars`].
    ///
    /// # Errors
    /// As [`Config::from_vars`].
    pub fn from_env() -> Result<Self, Error> {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    /// Reads the configuration from variables given by `var` (the environment, in
    /// [`Config::from_env`]):
    ///
    /// | variable | meaning |
    /// |---|---|
    /// | `HAGUE_PRESET` | `wipo-dev`: issuer and scope of WIPO's development environment |
    /// | `HAGUE_API_BASE_URL` | the HWS API base URL (required) |
    /// | `HAGUE_ISSUER` | the issuer (required unless a preset gives it) |
    /// | `HAGUE_TOKEN_ENDPOINT` | a token endpoint; when set, discovery is skipped |
    /// | `HAGUE_CLIENT_ID` | the client id (required) |
    /// | `HAGUE_SCOPE` | the scope (space-separated); empty sends none |
    /// | `HAGUE_PRIVATE_KEY_FILE` | path of the private key in PEM (PKCS#8, SEC1 or PKCS#1) |
    /// | `HAGUE_PRIVATE_KEY` | the private key PEM itself, instead of a file |
    /// | `HAGUE_AUDIENCE` | `token-endpoint` (default), `issuer`, or any other text used verbatim |
    /// | `HAGUE_ASSERTION_LIFETIME` | the client assertion's `exp - iat` in seconds, 1 to 300 (default 60) |
    /// | `HAGUE_ASSERTION_KID` | the assertion's `kid` header: `none` (default), `thumbprint` (RFC 7638), or a literal |
    /// | `HAGUE_ASSERTION_TYP` | the assertion's `typ` header: `JWT` (default, as the guide), `none` to leave it out, or a literal |
    /// | `HAGUE_EXTRA_ROOT_CA_FILE` | a PEM file of extra root certificates (a sandbox CA) |
    ///
    /// # Errors
    /// [`Error::Config`] naming the missing or wrong variable.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let get = |name: &str| var(name).filter(|v| !v.trim().is_empty());
        let preset = match get("HAGUE_PRESET") {
            Some(name) => Some(Preset::parse(&name).ok_or_else(|| {
                config_error(format!(
                    "HAGUE_PRESET `{name}` is unknown; the known preset is `wipo-dev`"
                ))
            })?),
            None => None,
        };
        let api_base = get("HAGUE_API_BASE_URL").ok_or_else(|| {
            config_error("HAGUE_API_BASE_URL is not set: give the HWS API base URL WIPO sent")
        })?;
        let client_id = get("HAGUE_CLIENT_ID").ok_or_else(|| {
            config_error("HAGUE_CLIENT_ID is not set: give the client id WIPO registered")
        })?;
        let pem = match (get("HAGUE_PRIVATE_KEY"), get("HAGUE_PRIVATE_KEY_FILE")) {
            (Some(pem), _) => pem,
            (None, Some(path)) => std::fs::read_to_string(&path).map_err(|e| {
                config_error(format!(
                    "HAGUE_PRIVATE_KEY_FILE `{path}` cannot be read ({e}); give the path of the office's PEM key"
                ))
            })?,
            (None, None) => {
                return Err(config_error(
                    "neither HAGUE_PRIVATE_KEY_FILE nor HAGUE_PRIVATE_KEY is set: give the office's private key",
                ));
            }
        };
        let key = SigningKey::from_pem(&pem)
            .map_err(|e| config_error(format!("the private key is not usable: {e}")))?;
        let issuer = get("HAGUE_ISSUER").or_else(|| preset.map(|p| p.issuer().to_owned()));
        let issuer = issuer.ok_or_else(|| {
            config_error("HAGUE_ISSUER is not set: give the issuer, or HAGUE_PRESET=wipo-dev")
        })?;
        let provider = match get("HAGUE_TOKEN_ENDPOINT") {
            Some(token_endpoint) => Provider::TokenEndpoint {
                issuer,
                token_endpoint,
            },
            None => Provider::Discovery { issuer },
        };
        let mut config = Self::new(api_base, provider, client_id, key)?;
        let scope = match var("HAGUE_SCOPE") {
            Some(s) if s.trim().is_empty() => None,
            Some(s) => Some(s.trim().to_owned()),
            None => preset.map(|p| p.scope().to_owned()),
        };
        config = config.scope(scope);
        if let Some(aud) = get("HAGUE_AUDIENCE") {
            config = config.audience(match aud.trim() {
                "token-endpoint" => Audience::TokenEndpoint,
                "issuer" => Audience::Issuer,
                other => Audience::Custom(other.to_owned()),
            });
        }
        config.assertion = assertion_from_vars(&get)?;
        if let Some(path) = get("HAGUE_EXTRA_ROOT_CA_FILE") {
            let pem = std::fs::read(&path).map_err(|e| {
                config_error(format!(
                    "HAGUE_EXTRA_ROOT_CA_FILE `{path}` cannot be read ({e})"
                ))
            })?;
            let transport = std::mem::take(&mut config.transport);
            config.transport = transport
                .add_root_certificate_pem(&pem)
                .map_err(|e| config_error(format!("HAGUE_EXTRA_ROOT_CA_FILE `{path}`: {e}")))?;
        }
        Ok(config)
    }

    /// Sets the scope to request (`None` sends none).
    #[must_use]
    pub fn scope(mut self, scope: Option<String>) -> Self {
        self.scope = scope;
        self
    }

    /// Sets the `aud` of the client assertion (default: the token endpoint, verbatim, as
    /// WIPO's AM wants).
    #[must_use]
    pub fn audience(mut self, audience: Audience) -> Self {
        self.audience = audience;
        self
    }

    /// Sets the client assertion's options: lifetime, `kid`, `typ` (and algorithm). The
    /// default is the shape of the guide's Appendix C: header `{"alg":"ES256","typ":"JWT"}`
    /// with no `kid`; the lifetime is 60 s (the guide's script uses 10 s, which leaves
    /// little room for clock skew). The audience is set with [`Config::audience`]. The
    /// client always sends `jti` and `iat` as well.
    #[must_use]
    pub fn assertion_options(mut self, options: AssertionOptions) -> Self {
        self.assertion = options;
        self
    }

    /// The client assertion's options.
    pub fn get_assertion_options(&self) -> &AssertionOptions {
        &self.assertion
    }

    /// The assertion's audience.
    pub fn get_audience(&self) -> &Audience {
        &self.audience
    }

    /// Sets the transport configuration (timeouts, body limit, retries, extra roots...).
    /// Plain `http://` (only for local test servers) needs
    /// `TransportConfig::allow_plain_http(true)`; it then also allows a loopback `http`
    /// issuer.
    #[must_use]
    pub fn transport(mut self, transport: TransportConfig) -> Self {
        self.transport = transport;
        self
    }

    /// Sets the token cache policy (refresh margin, assumed lifetime).
    #[must_use]
    pub fn cache_policy(mut self, policy: CachePolicy) -> Self {
        self.cache_policy = policy;
        self
    }

    /// Sets the wall clock used for assertions (`iat`, `exp`) and token expiry; tests
    /// inject one.
    #[must_use]
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The transport configuration (roots, timeouts), for diagnostics that connect with
    /// the same settings (`hague doctor`).
    pub fn get_transport(&self) -> &TransportConfig {
        &self.transport
    }

    /// The API base URL, without a trailing `/`.
    pub fn api_base(&self) -> &str {
        &self.api_base
    }

    /// The provider.
    pub fn provider(&self) -> &Provider {
        &self.provider
    }

    /// The client id.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The scope.
    pub fn get_scope(&self) -> Option<&str> {
        self.scope.as_deref()
    }
}

/// The assertion options of `HAGUE_ASSERTION_LIFETIME`, `HAGUE_ASSERTION_KID` and
/// `HAGUE_ASSERTION_TYP`.
fn assertion_from_vars(get: &dyn Fn(&str) -> Option<String>) -> Result<AssertionOptions, Error> {
    let mut options = AssertionOptions::default();
    if let Some(v) = get("HAGUE_ASSERTION_LIFETIME") {
        let secs = v
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|s| (1..=fapi_jwt_assert::MAX_LIFETIME.as_secs()).contains(s))
            .ok_or_else(|| {
                config_error(format!(
                    "HAGUE_ASSERTION_LIFETIME `{v}` is not a whole number of seconds from 1 to {}",
                    fapi_jwt_assert::MAX_LIFETIME.as_secs()
                ))
            })?;
        options = options.with_lifetime(std::time::Duration::from_secs(secs));
    }
    if let Some(v) = get("HAGUE_ASSERTION_KID") {
        options = options.with_key_id(match v.trim() {
            "none" => KeyId::None,
            "thumbprint" => KeyId::Thumbprint,
            other => KeyId::Custom(other.to_owned()),
        });
    }
    if let Some(v) = get("HAGUE_ASSERTION_TYP") {
        options = options.with_typ(match v.trim() {
            "none" => None,
            other => Some(other),
        });
    }
    Ok(options)
}
