//! Where each setting came from, and the modes of secret files.

use std::path::Path;

use serde_json::{Value, json};

use super::Step;
use crate::Origin;

/// Where a setting's value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Source {
    /// A command-line flag (`--client-id`).
    Flag(String),
    /// An environment variable (`HAGUE_CLIENT_ID`).
    Environment(String),
    /// A key of the selected profile (`client_id`).
    Profile(String),
    /// The tool's default.
    Default,
    /// Not set.
    Unset,
}

impl Source {
    fn describe(&self) -> String {
        match self {
            Self::Flag(f) => format!("flag {f}"),
            Self::Environment(v) => format!("environment {v}"),
            Self::Profile(k) => format!("profile key {k}"),
            Self::Default => "default".to_owned(),
            Self::Unset => "not set".to_owned(),
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Self::Flag(_) => "flag",
            Self::Environment(_) => "environment",
            Self::Profile(_) => "profile",
            Self::Default => "default",
            Self::Unset => "unset",
        }
    }
}

/// One setting as the doctor shows it: its name, its value (already safe to
/// print: never pass a secret, pass the path of its file) and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    /// The name (`api_base_url`).
    pub name: String,
    /// The value as shown; `None` when not set.
    pub value: Option<String>,
    /// Where it came from.
    pub source: Source,
}

impl Setting {
    /// A setting.
    pub fn new(name: &str, value: Option<String>, source: Source) -> Self {
        Self {
            name: name.to_owned(),
            value,
            source,
        }
    }

    /// A setting read the way every tool reads one ([`crate::layered`]): the flag
    /// (`(flag name, value)`), else the environment variable (`(variable, value)`), else
    /// the profile key `name`, else `default`; the source names the one that was used.
    pub fn layered(
        name: &str,
        flag: (&str, Option<String>),
        var: (&str, Option<String>),
        key: Option<String>,
        default: Option<&str>,
    ) -> Self {
        let (value, source) = match crate::layered(flag.1, var.1, key) {
            Some((v, Origin::Flag)) => (Some(v), Source::Flag(flag.0.to_owned())),
            Some((v, Origin::Environment)) => (Some(v), Source::Environment(var.0.to_owned())),
            Some((v, Origin::Profile)) => (Some(v), Source::Profile(name.to_owned())),
            None => match default {
                Some(d) => (Some(d.to_owned()), Source::Default),
                None => (None, Source::Unset),
            },
        };
        Self::new(name, value, source)
    }
}

/// The mode bits of a file (`0o600`), on unix; `None` elsewhere or when it
/// cannot be read.
#[must_use]
pub fn secret_file_mode(path: &Path) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::metadata(path)
            .ok()
            .map(|m| m.permissions().mode() & 0o777)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// The `configuration` step: which configuration file and profile, every
/// setting with its source, and the mode of each secret file. `resolved` is
/// what the tool's own configuration reading said (an error fails the step
/// with its sentence and hint, as every command would). A secret file that
/// group or others may access fails too: the tools refuse it.
#[must_use]
pub fn configuration_step(
    file: Option<&Path>,
    profile: Option<&str>,
    settings: &[Setting],
    secret_files: &[(&str, &Path)],
    resolved: Result<(), crate::CliError>,
) -> Step {
    let file_text = file.map_or_else(
        || "no configuration file".to_owned(),
        |p| {
            if p.exists() {
                format!("file {}", p.display())
            } else {
                format!("no file at {}", p.display())
            }
        },
    );
    let profile_text =
        profile.map_or_else(|| "no profile".to_owned(), |p| format!("profile `{p}`"));
    let summary = format!("{file_text}, {profile_text}");
    let mut lines = Vec::new();
    let mut json_settings = Vec::new();
    for s in settings {
        lines.push(format!(
            "{} = {} ({})",
            s.name,
            s.value.as_deref().unwrap_or("-"),
            s.source.describe()
        ));
        json_settings.push(json!({
            "name": s.name,
            "value": s.value,
            "source": s.source.kind(),
            "from": match &s.source {
                Source::Flag(x) | Source::Environment(x) | Source::Profile(x) => Value::from(x.clone()),
                _ => Value::Null,
            },
        }));
    }
    let mut too_open = None;
    let mut json_files = Vec::new();
    for (what, path) in secret_files {
        let mode = secret_file_mode(path);
        let shown = mode.map_or_else(|| "mode unknown".to_owned(), |m| format!("mode {m:04o}"));
        lines.push(format!("{what} file {} ({shown})", path.display()));
        if mode.is_some_and(|m| m & 0o077 != 0) && too_open.is_none() {
            too_open = Some((
                what.to_owned(),
                path.display().to_string(),
                mode.unwrap_or(0),
            ));
        }
        json_files.push(json!({
            "what": what,
            "path": path.display().to_string(),
            "mode": mode.map(|m| format!("{m:04o}")),
        }));
    }
    let step = match (resolved, too_open) {
        (_, Some((what, path, mode))) => Step::failed(
            "configuration",
            crate::ExitStatus::Usage,
            format!(
                "the {what} file {path} may be read by group or others (mode {mode:04o}); the tool refuses it"
            ),
            format!("run `chmod 600 {path}`"),
        ),
        (Err(e), None) => Step::from_error("configuration", &e),
        (Ok(()), None) => Step::ok("configuration", summary),
    };
    step.lines(lines)
        .detail(
            "file",
            file.map(|p| Value::from(p.display().to_string()))
                .unwrap_or(Value::Null),
        )
        .detail("profile", profile.map(Value::from).unwrap_or(Value::Null))
        .detail("settings", json_settings)
        .detail("secret_files", json_files)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(
        flag: Option<&str>,
        var: Option<&str>,
        key: Option<&str>,
        default: Option<&str>,
    ) -> Setting {
        let owned = |v: Option<&str>| v.map(str::to_owned);
        Setting::layered(
            "client_id",
            ("--client-id", owned(flag)),
            ("HAGUE_CLIENT_ID", owned(var)),
            owned(key),
            default,
        )
    }

    #[test]
    fn the_flag_then_the_environment_then_the_profile_then_the_default() {
        let s = read(Some("f"), Some("e"), Some("p"), Some("d"));
        assert_eq!(
            (s.value.as_deref(), s.source),
            (Some("f"), Source::Flag("--client-id".into()))
        );
        let s = read(None, Some("e"), Some("p"), Some("d"));
        assert_eq!(
            (s.value.as_deref(), s.source),
            (Some("e"), Source::Environment("HAGUE_CLIENT_ID".into()))
        );
        let s = read(None, None, Some("p"), Some("d"));
        assert_eq!(
            (s.value.as_deref(), s.source),
            (Some("p"), Source::Profile("client_id".into()))
        );
        let s = read(None, None, None, Some("d"));
        assert_eq!((s.value.as_deref(), s.source), (Some("d"), Source::Default));
        let s = read(None, None, None, None);
        assert_eq!((s.value, s.source), (None, Source::Unset));
    }
}
