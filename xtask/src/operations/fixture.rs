//! The fixture format (version 1), as documented in `docs/fixtures.md`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::Result;

/// The format version this runner reads.
pub(crate) const FORMAT: u32 = 1;

/// A query or header value that changes on every call: only its presence is checked.
pub(crate) const VOLATILE: &str = "<volatile>";

/// Where an exchange came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Source {
    /// Recorded from a real service.
    Recorded,
    /// Recorded from the offline sandbox.
    Sandbox,
    /// Written from the service's guide.
    Guide,
    /// Written from an inference (the guide is silent); see `docs`.
    Inference,
}

/// `case.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Case {
    pub(crate) format: u32,
    pub(crate) operation: String,
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub(crate) inputs: Value,
    pub(crate) expected: Value,
    /// How many times the client sends the recorded request (default 1; 2
    /// when a 401 makes it retry once with a new token).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) requests: Option<usize>,
    pub(crate) source: Source,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub(crate) docs: String,
}

/// How a body is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum BodyKind {
    /// JSON compared as JSON (numbers by value).
    Json,
    /// XML compared as XML (events, insignificant white space ignored).
    Xml,
    /// `application/x-www-form-urlencoded`, compared parameter by parameter.
    Form,
    /// Text compared exactly.
    Text,
    /// Bytes compared exactly.
    #[default]
    Binary,
}

/// `request.json`: the request as recorded.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RecordedRequest {
    pub(crate) method: String,
    pub(crate) path: String,
    #[serde(default)]
    pub(crate) query: BTreeMap<String, String>,
    #[serde(default)]
    pub(crate) headers: BTreeMap<String, String>,
    /// The body file's name, beside `request.json`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) body: Option<String>,
    #[serde(default)]
    pub(crate) body_kind: BodyKind,
}

/// `response.json`: the response as recorded.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RecordedResponse {
    pub(crate) status: u16,
    #[serde(default)]
    pub(crate) headers: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) body: Option<String>,
}

/// One scenario folder.
#[derive(Debug, Clone)]
pub(crate) struct Scenario {
    pub(crate) service: String,
    pub(crate) name: String,
    pub(crate) dir: PathBuf,
    pub(crate) case: Case,
    pub(crate) request: RecordedRequest,
    pub(crate) response: RecordedResponse,
}

impl Scenario {
    pub(crate) fn id(&self) -> String {
        format!("{}/{}", self.service, self.name)
    }

    pub(crate) fn request_body(&self) -> Result<Option<Vec<u8>>> {
        read_opt(&self.dir, self.request.body.as_deref())
    }

    pub(crate) fn response_body(&self) -> Result<Vec<u8>> {
        Ok(read_opt(&self.dir, self.response.body.as_deref())?.unwrap_or_default())
    }
}

fn read_opt(dir: &Path, name: Option<&str>) -> Result<Option<Vec<u8>>> {
    match name {
        None => Ok(None),
        Some(n) => {
            let p = dir.join(n);
            Ok(Some(std::fs::read(&p).map_err(|e| {
                format!("cannot read {}: {e}", p.display())
            })?))
        }
    }
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    Ok(serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?)
}

/// Loads every scenario under `fixtures/<service>/`, sorted by name.
pub(crate) fn load(root: &Path, service: &str) -> Result<Vec<Scenario>> {
    load_dir(&root.join("fixtures").join(service), service)
}

/// Loads every scenario folder directly under `base`.
pub(crate) fn load_dir(base: &Path, service: &str) -> Result<Vec<Scenario>> {
    let base = base.to_path_buf();
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(&base) else {
        return Ok(out);
    };
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("case.json").exists())
        .collect();
    dirs.sort();
    for dir in dirs {
        let case: Case = read_json(&dir.join("case.json"))?;
        if case.format != FORMAT {
            return Err(format!(
                "{}: format {} is not supported (this runner reads {FORMAT})",
                dir.display(),
                case.format
            )
            .into());
        }
        let request = read_json(&dir.join("request.json"))?;
        let response = read_json(&dir.join("response.json"))?;
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        out.push(Scenario {
            service: service.to_owned(),
            name,
            dir,
            case,
            request,
            response,
        });
    }
    Ok(out)
}
