//! Resolving the configuration: flags, then the environment, then the profile.

use std::path::PathBuf;

use cli_support::{
    CliError, ProfileFile, SecretText, config_location, is_loopback_url, layered, read_secret_file,
};
use firmadoc_client::{ClientConfig, Credentials, Environment, SignatureShape};

use crate::cli::Global;

/// The environment variables `firmadoc` reads.
pub mod vars {
    /// The consumer key.
    pub const CONSUMER_KEY: &str = "FIRMADOC_CONSUMER_KEY";
    /// The consumer secret.
    pub const CONSUMER_SECRET: &str = "FIRMADOC_CONSUMER_SECRET";
    /// A file holding the consumer secret (mode 0600).
    pub const CONSUMER_SECRET_FILE: &str = "FIRMADOC_CONSUMER_SECRET_FILE";
    /// `test`, `prod`, or a base URL.
    pub const ENVIRONMENT: &str = "FIRMADOC_ENV";
    /// The password of the PKCS#12 file of `respond certificate`.
    pub const CERTIFICATE_PASSWORD: &str = "FIRMADOC_CERTIFICATE_PASSWORD";
    /// The profile name.
    pub const PROFILE: &str = "FIRMADOC_PROFILE";
    /// `unescaped`, `rfc` or `guide`.
    pub const SIGNATURE_SHAPE: &str = "FIRMADOC_SIGNATURE_SHAPE";
    /// The configuration file.
    pub const CONFIG: &str = "FIRMADOC_CONFIG";
}

/// One `[profile.<name>]` table of the configuration file.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// `test`, `prod`, or a base URL.
    pub env: Option<String>,
    /// The consumer key.
    pub consumer_key: Option<String>,
    /// A file holding the consumer secret, mode 0600; relative to the configuration file.
    pub consumer_secret_file: Option<PathBuf>,
    /// `unescaped` (default), `rfc` or `guide`: how `oauth_signature` is written.
    pub signature_shape: Option<String>,
}

/// What a command needs to reach the service.
#[derive(Debug)]
pub struct Settings {
    /// The environment.
    pub environment: Environment,
    /// The consumer key, if one is configured (`webhook serve` and `webhook verify`
    /// need only the secret).
    pub consumer_key: Option<String>,
    /// The consumer secret.
    pub consumer_secret: SecretText,
    /// How `oauth_signature` is written.
    pub signature_shape: SignatureShape,
}

/// Reads the configuration through `env` (the process environment in the tool).
///
/// # Errors
/// Exit status 2 for a missing credential, an unknown profile, an invalid file
/// or environment, a secret file others may read, or plain `http` to a host
/// that is not loopback.
pub fn resolve(
    global: &Global,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Settings, CliError> {
    let profile = match config_location("firmadoc", global.config.as_deref(), vars::CONFIG, env) {
        Some(location) => {
            let file = ProfileFile::load(&location)?;
            let requested = global.profile.clone().or_else(|| env(vars::PROFILE));
            file.profile::<Profile>(requested.as_deref())?
                .map(|p| (p, file))
        }
        None if global.profile.is_some() => {
            return Err(CliError::usage(
                "--profile was given but no configuration file can be found (HOME is not set)",
                "name the file with --config PATH or FIRMADOC_CONFIG",
            ));
        }
        None => None,
    };
    let (profile, file) = match profile {
        Some((p, f)) => (p, Some(f)),
        None => (Profile::default(), None),
    };

    let env_name = layered(
        global.environment.clone(),
        env(vars::ENVIRONMENT),
        profile.env,
    )
    .map_or_else(|| "test".to_owned(), |(v, _)| v);
    let environment = parse_environment(&env_name)?;

    let consumer_key = layered(
        global.consumer_key.clone(),
        env(vars::CONSUMER_KEY),
        profile.consumer_key,
    )
    .map(|(k, _)| k);

    let signature_shape = match layered(
        global.signature_shape.clone(),
        env(vars::SIGNATURE_SHAPE),
        profile.signature_shape,
    ) {
        None => SignatureShape::default(),
        Some((name, _)) => name.parse().map_err(|_| {
            CliError::usage(
                format!("the signature shape `{name}` is not one firmadoc knows"),
                "use `unescaped` (the default), `rfc` or `guide` (--signature-shape, FIRMADOC_SIGNATURE_SHAPE or the profile's signature_shape)",
            )
        })?,
    };

    let consumer_secret = if let Some(secret) = env(vars::CONSUMER_SECRET) {
        SecretText::new(secret)
    } else if let Some(path) = env(vars::CONSUMER_SECRET_FILE) {
        read_secret_file(PathBuf::from(path).as_path(), "consumer secret")?
    } else if let (Some(path), Some(file)) = (profile.consumer_secret_file, file.as_ref()) {
        read_secret_file(&file.resolve(&path), "consumer secret")?
    } else {
        return Err(CliError::usage(
            "no consumer secret is configured",
            "export FIRMADOC_CONSUMER_SECRET, or set consumer_secret_file (a file with mode 0600) in a profile; the secret is never taken from the command line",
        ));
    };
    Ok(Settings {
        environment,
        consumer_key,
        consumer_secret,
        signature_shape,
    })
}

/// `test`, `prod`/`production`, or an `http(s)://` base URL.
///
/// # Errors
/// Exit status 2 for anything else.
pub fn parse_environment(value: &str) -> Result<Environment, CliError> {
    match value.trim() {
        "test" => Ok(Environment::Test),
        "prod" | "production" => Ok(Environment::Production),
        url if url.starts_with("https://") || url.starts_with("http://") => {
            Ok(Environment::Custom(url.to_owned()))
        }
        other => Err(CliError::usage(
            format!("the environment `{other}` is not one firmadoc knows"),
            "use `test`, `prod`, or a base URL such as https://sandbox.example.es (--env or FIRMADOC_ENV)",
        )),
    }
}

impl Settings {
    /// The client configuration. Plain `http` is allowed only to a loopback
    /// host (a local sandbox or a test server); anywhere else it is refused.
    ///
    /// # Errors
    /// Exit status 2 for plain `http` to another host, or an empty key.
    pub fn client_config(&self) -> Result<ClientConfig, CliError> {
        let Some(key) = &self.consumer_key else {
            return Err(CliError::usage(
                "no consumer key is configured",
                "export FIRMADOC_CONSUMER_KEY, pass --consumer-key, or set consumer_key in a profile of ~/.config/firmadoc/config.toml",
            ));
        };
        let credentials = Credentials::new(key.clone(), self.consumer_secret.expose().to_owned())
            .map_err(|e| {
            CliError::usage(
                format!("the consumer key is not usable: {e}"),
                "set a non-empty FIRMADOC_CONSUMER_KEY",
            )
        })?;
        let base = self.environment.base_url().to_owned();
        let mut config = ClientConfig::new(self.environment.clone(), credentials);
        config.signature_shape = self.signature_shape;
        if base.starts_with("http://") {
            if !is_loopback_url(&base) {
                return Err(CliError::usage(
                    format!(
                        "refusing plain http to {base}: the consumer key and signatures would travel unencrypted"
                    ),
                    "use an https:// URL; plain http is allowed only to 127.0.0.1, ::1 or localhost",
                ));
            }
            config.transport = config.transport.allow_plain_http(true);
        }
        Ok(config)
    }
}
