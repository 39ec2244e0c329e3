//! Resolving the configuration: flags, then the environment, then the profile.
//!
//! The merged values are handed to [`hague_client::Config::from_vars`] under the
//! client's own `HAGUE_*` names, so the tool and the library read a setting the
//! same way.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use cli_support::{
    CliError, ProfileFile, SecretText, config_location, is_loopback_url, layered, read_secret_file,
};
use hague_client::{Config, SigningKey, TransportConfig};

use crate::cli::Global;

/// The environment variables `hague` reads besides those of `hague-client`.
pub mod vars {
    /// The profile name.
    pub const PROFILE: &str = "HAGUE_PROFILE";
    /// The configuration file.
    pub const CONFIG: &str = "HAGUE_CONFIG";
    /// The private key file (also `hague-client`'s name).
    pub const PRIVATE_KEY_FILE: &str = "HAGUE_PRIVATE_KEY_FILE";
    /// The private key PEM itself: `hague-client` reads it, this tool refuses it.
    pub const PRIVATE_KEY: &str = "HAGUE_PRIVATE_KEY";
}

/// One `[profile.<name>]` table of the configuration file.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// `wipo-dev`.
    pub preset: Option<String>,
    /// The HWS API base URL.
    pub api_base_url: Option<String>,
    /// The issuer.
    pub issuer: Option<String>,
    /// A token endpoint (skips discovery).
    pub token_endpoint: Option<String>,
    /// The client id.
    pub client_id: Option<String>,
    /// The scope.
    pub scope: Option<String>,
    /// `token-endpoint`, `issuer`, or a literal audience.
    pub audience: Option<String>,
    /// The client assertion's lifetime in seconds (1 to 300).
    pub assertion_lifetime: Option<u64>,
    /// The assertion's `kid`: `none`, `thumbprint` or a literal.
    pub assertion_kid: Option<String>,
    /// The assertion's `typ`: `JWT`, `none` or a literal.
    pub assertion_typ: Option<String>,
    /// The private key file, mode 0600; relative to the configuration file.
    pub private_key_file: Option<PathBuf>,
    /// Extra root certificates (PEM); relative to the configuration file.
    pub extra_root_ca_file: Option<PathBuf>,
    /// The office's refusal period in months for `bulletin export|worklist`: 6, or 12
    /// where the office has declared so (Hague Common Regulations, Rule 18(1)(b)).
    pub refusal_period_months: Option<u32>,
}

/// The profile's `refusal_period_months`, checked (6 or 12).
///
/// # Errors
/// Exit 2 for an unreadable profile or another number.
pub fn profile_refusal_period(
    global: &Global,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<u32>, CliError> {
    let (p, _) = profile(global, env)?;
    match p.refusal_period_months {
        Some(m) if m != 6 && m != 12 => Err(CliError::usage(
            format!("the profile's refusal_period_months is {m}"),
            "set it to 6 or 12 (Hague Common Regulations, Rule 18(1)), or remove it",
        )),
        other => Ok(other),
    }
}

/// Reads the profile selected by the flags and the environment.
pub(crate) fn profile(
    global: &Global,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<(Profile, Option<ProfileFile>), CliError> {
    match config_location("hague", global.config.as_deref(), vars::CONFIG, env) {
        Some(location) => {
            let file = ProfileFile::load(&location)?;
            let requested = global.profile.clone().or_else(|| env(vars::PROFILE));
            let p = file.profile::<Profile>(requested.as_deref())?;
            Ok((p.unwrap_or_default(), Some(file)))
        }
        None if global.profile.is_some() => Err(CliError::usage(
            "--profile was given but no configuration file can be found (HOME is not set)",
            "name the file with --config PATH or HAGUE_CONFIG",
        )),
        None => Ok((Profile::default(), None)),
    }
}

/// A setting read from its flag, else its `HAGUE_*` variable, else its profile key.
pub(crate) struct Layer {
    /// The profile key (`api_base_url`).
    pub key: &'static str,
    /// The flag (`--api-base-url`).
    pub flag: &'static str,
    /// The environment variable (`HAGUE_API_BASE_URL`).
    pub var: &'static str,
    /// The flag's value.
    pub flag_value: Option<String>,
    /// The profile's value (a path resolved against the configuration file).
    pub profile_value: Option<String>,
}

/// Every setting [`client_config`] reads in layers, in this order; `doctor` shows the
/// same list. The private key file is read apart (its path stays a path).
pub(crate) fn layers(global: &Global, profile: &Profile, file: Option<&ProfileFile>) -> Vec<Layer> {
    let layer = |key, flag, var, flag_value, profile_value| Layer {
        key,
        flag,
        var,
        flag_value,
        profile_value,
    };
    vec![
        layer(
            "preset",
            "--preset",
            "HAGUE_PRESET",
            global.preset.clone(),
            profile.preset.clone(),
        ),
        layer(
            "api_base_url",
            "--api-base-url",
            "HAGUE_API_BASE_URL",
            global.api_base_url.clone(),
            profile.api_base_url.clone(),
        ),
        layer(
            "issuer",
            "--issuer",
            "HAGUE_ISSUER",
            global.issuer.clone(),
            profile.issuer.clone(),
        ),
        layer(
            "token_endpoint",
            "--token-endpoint",
            "HAGUE_TOKEN_ENDPOINT",
            global.token_endpoint.clone(),
            profile.token_endpoint.clone(),
        ),
        layer(
            "client_id",
            "--client-id",
            "HAGUE_CLIENT_ID",
            global.client_id.clone(),
            profile.client_id.clone(),
        ),
        layer(
            "scope",
            "--scope",
            "HAGUE_SCOPE",
            global.scope.clone(),
            profile.scope.clone(),
        ),
        layer(
            "audience",
            "--audience",
            "HAGUE_AUDIENCE",
            global.audience.clone(),
            profile.audience.clone(),
        ),
        layer(
            "assertion_lifetime",
            "--assertion-lifetime",
            "HAGUE_ASSERTION_LIFETIME",
            global.assertion_lifetime.map(|s| s.to_string()),
            profile.assertion_lifetime.map(|s| s.to_string()),
        ),
        layer(
            "assertion_kid",
            "--assertion-kid",
            "HAGUE_ASSERTION_KID",
            global.assertion_kid.clone(),
            profile.assertion_kid.clone(),
        ),
        layer(
            "assertion_typ",
            "--assertion-typ",
            "HAGUE_ASSERTION_TYP",
            global.assertion_typ.clone(),
            profile.assertion_typ.clone(),
        ),
        layer(
            "extra_root_ca_file",
            "--extra-root-ca-file",
            "HAGUE_EXTRA_ROOT_CA_FILE",
            global.extra_root_ca_file.as_deref().map(path_text),
            profile
                .extra_root_ca_file
                .as_deref()
                .map(|p| resolved_text(file, p)),
        ),
    ]
}

/// The private key file as a [`Layer`], for showing it (`client_config` reads the path
/// itself, as a path).
pub(crate) fn key_file_layer(
    global: &Global,
    profile: &Profile,
    file: Option<&ProfileFile>,
) -> Layer {
    Layer {
        key: "private_key_file",
        flag: "--private-key-file",
        var: vars::PRIVATE_KEY_FILE,
        flag_value: global.private_key_file.as_deref().map(path_text),
        profile_value: profile
            .private_key_file
            .as_deref()
            .map(|p| resolved_text(file, p)),
    }
}

fn path_text(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

/// A profile's path, resolved against the configuration file, as text.
fn resolved_text(file: Option<&ProfileFile>, p: &Path) -> String {
    path_text(&file.map_or_else(|| p.to_path_buf(), |f| f.resolve(p)))
}

/// Builds the client configuration from flags, environment and profile.
///
/// # Errors
/// Exit status 2 for a missing setting, a key file others may read, or a key
/// that is not a usable private key.
pub fn client_config(
    global: &Global,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Config, CliError> {
    let (profile, file) = profile(global, env)?;
    let resolve = |p: PathBuf| match &file {
        Some(f) => f.resolve(&p),
        None => p,
    };
    let mut values: BTreeMap<&'static str, String> = BTreeMap::new();
    for l in layers(global, &profile, file.as_ref()) {
        if let Some((v, _)) = layered(l.flag_value, env(l.var), l.profile_value) {
            values.insert(l.var, v);
        }
    }

    // Each required value is checked here so the message names all three sources.
    for (name, flag, key) in [
        ("HAGUE_API_BASE_URL", "--api-base-url", "api_base_url"),
        ("HAGUE_CLIENT_ID", "--client-id", "client_id"),
    ] {
        if !values.contains_key(name) {
            return Err(CliError::usage(
                format!("no {} is configured", key.replace('_', " ")),
                format!(
                    "pass {flag}, export {name}, or set {key} in a profile of ~/.config/hague/config.toml"
                ),
            ));
        }
    }
    if !values.contains_key("HAGUE_ISSUER") && !values.contains_key("HAGUE_PRESET") {
        return Err(CliError::usage(
            "no issuer is configured",
            "pass --issuer or --preset wipo-dev, export HAGUE_ISSUER, or set issuer in a profile",
        ));
    }

    let key_path = layered(
        global.private_key_file.clone(),
        env(vars::PRIVATE_KEY_FILE).map(PathBuf::from),
        profile.private_key_file.map(resolve),
    );
    let Some((key_path, _)) = key_path else {
        let hint = if env(vars::PRIVATE_KEY).is_some() {
            "HAGUE_PRIVATE_KEY (the PEM in the environment) is not read by this tool: put the key in a file with mode 0600 and pass --private-key-file or HAGUE_PRIVATE_KEY_FILE"
        } else {
            "pass --private-key-file PATH, export HAGUE_PRIVATE_KEY_FILE, or set private_key_file in a profile (`hague keygen` makes one)"
        };
        return Err(CliError::usage("no private key file is configured", hint));
    };
    // Checked here (mode, then content: exit 2 for a bad key), then handed over as
    // `HAGUE_PRIVATE_KEY` so that hague-client parses it as it always does.
    let pem = load_key(&key_path)?;

    let plain_http = ["HAGUE_API_BASE_URL", "HAGUE_ISSUER", "HAGUE_TOKEN_ENDPOINT"]
        .iter()
        .filter_map(|n| values.get(n))
        .filter(|u| u.trim().to_ascii_lowercase().starts_with("http://"))
        .cloned()
        .collect::<Vec<_>>();
    for url in &plain_http {
        if !is_loopback_url(url.trim()) {
            return Err(CliError::usage(
                format!(
                    "refusing plain http to {url}: the token and packages would travel unencrypted"
                ),
                "use an https:// URL; plain http is allowed only to 127.0.0.1, ::1 or localhost",
            ));
        }
    }
    let extra_ca = values.remove("HAGUE_EXTRA_ROOT_CA_FILE");
    let mut config = Config::from_vars(|name| {
        if name == vars::PRIVATE_KEY {
            Some(pem.expose().to_owned())
        } else {
            values.get(name).cloned()
        }
    })
    .map_err(|e| CliError::usage(e.to_string(), "see `hague --help` and docs/cli.md"))?;
    let mut transport = TransportConfig::default();
    if !plain_http.is_empty() {
        transport = transport.allow_plain_http(true);
    }
    if let Some(path) = extra_ca {
        let pem = std::fs::read(&path).map_err(|e| {
            CliError::usage(
                format!("cannot read the extra root CA file {path}: {e}"),
                "check the path given with --extra-root-ca-file or HAGUE_EXTRA_ROOT_CA_FILE",
            )
        })?;
        transport = transport.add_root_certificate_pem(&pem).map_err(|e| {
            CliError::usage(
                format!("the extra root CA file {path} is not usable: {e}"),
                "give a file of PEM certificates",
            )
        })?;
    }
    config = config.transport(transport);
    Ok(config)
}

/// Reads the private key file: refused if group or others may read it, or if it
/// is not a private key.
///
/// # Errors
/// Exit status 2 (configuration) for a missing, empty, unreadable or too open
/// file, a directory, and for content that is not a usable private key (garbage,
/// the public key, the certificate): each with its own hint.
pub fn load_key(path: &Path) -> Result<SecretText, CliError> {
    let pem = read_secret_file(path, "private key")?;
    SigningKey::from_pem(pem.expose())
        .map(|_| ())
        .map_err(|e| {
            CliError::usage(
                format!(
                    "the private key file {} is not a usable private key: {e}",
                    path.display()
                ),
                key_hint(&e),
            )
        })?;
    Ok(pem)
}

/// What to do about a key file's content, for each way it can be wrong.
fn key_hint(e: &fapi_jwt_assert::KeyError) -> String {
    use crate::keygen::{CERTIFICATE_FILE, PRIVATE_KEY_FILE, PUBLIC_KEY_FILE};
    use fapi_jwt_assert::KeyError as K;
    match e {
        K::NotAPrivateKey { found } if found.contains("public key") => format!(
            "this is the public key ({PUBLIC_KEY_FILE}); give the private key next to it ({PRIVATE_KEY_FILE})"
        ),
        K::NotAPrivateKey { found } if found.contains("certificate") => format!(
            "this is the certificate sent to WIPO ({CERTIFICATE_FILE}); give the private key it was made from ({PRIVATE_KEY_FILE})"
        ),
        K::NotPem => format!(
            "the file is not a PEM key at all: check the path, or give the {PRIVATE_KEY_FILE} that `hague keygen` wrote"
        ),
        K::BadPem { .. } | K::Malformed { .. } | K::Rejected { .. } | K::MissingPublicKey => {
            "the key file is damaged or cut: copy it again whole, BEGIN and END lines included, or make a new key with `hague keygen` (and register its certificate with WIPO)".to_owned()
        }
        K::Encrypted { .. } => {
            "decrypt it with `openssl pkey -in KEY -out PLAIN.pem`, then `chmod 600 PLAIN.pem` and pass that file".to_owned()
        }
        _ => format!(
            "make an ES256 key with `hague keygen` and give its {PRIVATE_KEY_FILE}"
        ),
    }
}
