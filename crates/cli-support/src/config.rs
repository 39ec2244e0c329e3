//! Layered configuration: command-line flags, then environment variables,
//! then a profile of a TOML file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

use crate::error::CliError;

/// Where a value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Origin {
    /// A command-line flag.
    Flag,
    /// An environment variable.
    Environment,
    /// The profile file.
    Profile,
}

/// The first value present, flags first, then the environment, then the profile.
pub fn layered<T>(flag: Option<T>, env: Option<T>, profile: Option<T>) -> Option<(T, Origin)> {
    flag.map(|v| (v, Origin::Flag))
        .or_else(|| env.map(|v| (v, Origin::Environment)))
        .or_else(|| profile.map(|v| (v, Origin::Profile)))
}

/// Reads a process environment variable; an unset, empty or non-UTF-8 variable is `None`.
#[must_use]
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// The configuration file to read, and whether the user named it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigLocation {
    /// The path.
    pub path: PathBuf,
    /// Named by `--config` or `<TOOL>_CONFIG`: then a missing file is an error.
    pub explicit: bool,
}

/// Where the configuration file of `tool` is: `--config PATH`, else the
/// environment variable `config_env` (`FIRMADOC_CONFIG`), else
/// `$XDG_CONFIG_HOME/<tool>/config.toml`, else `$HOME/.config/<tool>/config.toml`.
/// `None` when none of these can be formed.
pub fn config_location(
    tool: &str,
    flag: Option<&Path>,
    config_env: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Option<ConfigLocation> {
    if let Some(p) = flag {
        return Some(ConfigLocation {
            path: p.to_path_buf(),
            explicit: true,
        });
    }
    if let Some(p) = env(config_env) {
        return Some(ConfigLocation {
            path: PathBuf::from(p),
            explicit: true,
        });
    }
    let base = env("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| env("HOME").map(|h| Path::new(&h).join(".config")))?;
    Some(ConfigLocation {
        path: base.join(tool).join("config.toml"),
        explicit: false,
    })
}

/// A TOML profile file:
///
/// ```toml
/// default_profile = "test"     # optional
///
/// [profile.test]
/// env = "test"
/// consumer_key = "..."
///
/// [profile.prod]
/// env = "prod"
/// ```
#[derive(Debug, Clone, Default)]
pub struct ProfileFile {
    path: PathBuf,
    default_profile: Option<String>,
    profiles: BTreeMap<String, toml::Table>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct FileWire {
    default_profile: Option<String>,
    #[serde(default)]
    profile: BTreeMap<String, toml::Table>,
}

impl ProfileFile {
    /// Reads the file at `location`. A missing file that the user did not
    /// name is an empty configuration.
    ///
    /// # Errors
    /// Exit status 2 when a named file is missing, or any file cannot be read
    /// or is not valid TOML of the expected shape.
    pub fn load(location: &ConfigLocation) -> Result<Self, CliError> {
        let shown = location.path.display();
        let text = match std::fs::read_to_string(&location.path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !location.explicit => {
                return Ok(Self {
                    path: location.path.clone(),
                    ..Self::default()
                });
            }
            Err(e) => {
                return Err(CliError::usage(
                    format!("cannot read the configuration file {shown}: {e}"),
                    "check the path given with --config or in the environment",
                ));
            }
        };
        Self::parse(&location.path, &text)
    }

    /// Parses `text` as the file at `path` (relative paths in profiles are
    /// resolved against its directory).
    ///
    /// # Errors
    /// Exit status 2 when the text is not valid TOML of the expected shape.
    pub fn parse(path: &Path, text: &str) -> Result<Self, CliError> {
        let wire: FileWire = toml::from_str(text).map_err(|e| {
            CliError::usage(
                format!(
                    "the configuration file {} is not valid: {}",
                    path.display(),
                    e.message()
                ),
                "the file holds `default_profile = \"name\"` and `[profile.<name>]` tables; see docs/cli.md",
            )
        })?;
        Ok(Self {
            path: path.to_path_buf(),
            default_profile: wire.default_profile,
            profiles: wire.profile,
        })
    }

    /// The file's path.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The name of the profile [`ProfileFile::profile`] reads for `requested`:
    /// `requested`, else the file's `default_profile`.
    #[must_use]
    pub fn selected<'a>(&'a self, requested: Option<&'a str>) -> Option<&'a str> {
        requested.or(self.default_profile.as_deref())
    }

    /// The names of the profiles in the file.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.profiles.keys().map(String::as_str)
    }

    /// The profile to use: `requested` (from `--profile` or the environment),
    /// else the file's `default_profile`, else none. `T` is the tool's profile
    /// type; mark it `#[serde(deny_unknown_fields)]` so typos are caught.
    ///
    /// # Errors
    /// Exit status 2 when the profile does not exist or does not fit `T`.
    pub fn profile<T: DeserializeOwned>(
        &self,
        requested: Option<&str>,
    ) -> Result<Option<T>, CliError> {
        let Some(name) = requested.or(self.default_profile.as_deref()) else {
            return Ok(None);
        };
        let Some(table) = self.profiles.get(name) else {
            let known: Vec<&str> = self.names().collect();
            let hint = if known.is_empty() {
                format!(
                    "add a [profile.{name}] table to {}, or drop --profile",
                    self.path.display()
                )
            } else {
                format!("use one of: {}", known.join(", "))
            };
            return Err(CliError::usage(
                format!(
                    "the profile `{name}` is not in the configuration file {}",
                    self.path.display()
                ),
                hint,
            ));
        };
        table
            .clone()
            .try_into()
            .map(Some)
            .map_err(|e: toml::de::Error| {
                CliError::usage(
                    format!(
                        "the profile `{name}` in {} is not valid: {}",
                        self.path.display(),
                        e.message()
                    ),
                    "see docs/cli.md for the keys a profile may hold",
                )
            })
    }

    /// `path` as written in the file, resolved against the file's directory when relative.
    #[must_use]
    pub fn resolve(&self, path: &Path) -> PathBuf {
        if path.is_absolute() {
            return path.to_path_buf();
        }
        self.path
            .parent()
            .map_or_else(|| path.to_path_buf(), |dir| dir.join(path))
    }
}
