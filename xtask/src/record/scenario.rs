//! What both recorders share (`cargo xtask record --sandbox` and `--live`):
//! the observed exchange and its log, the scripted FirmaDocumentos sequence,
//! and the writer of one scenario folder (format 1, `docs/fixtures.md`) with
//! every secret replaced by a placeholder. Neither recorder imports the other;
//! both import this.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use crate::Result;
use crate::operations::firmadoc;
pub(crate) use crate::operations::fixture::Source;
use crate::operations::fixture::{
    BodyKind, Case, FORMAT, RecordedRequest, RecordedResponse, VOLATILE,
};

/// One observed exchange.
#[derive(Debug, Clone)]
pub(crate) struct Exchange {
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) headers: BTreeMap<String, String>,
    pub(crate) body: Vec<u8>,
    pub(crate) status: u16,
    pub(crate) response_headers: BTreeMap<String, String>,
    pub(crate) response_body: Vec<u8>,
}

/// The exchanges observed while one operation runs.
pub(crate) type Log = Arc<Mutex<Vec<Exchange>>>;

/// A header map as name to text (lossy), as the fixtures store it.
pub(crate) fn header_map(h: &http::HeaderMap) -> BTreeMap<String, String> {
    h.iter()
        .map(|(k, v)| {
            (
                k.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}

/// Stands for the code of the sending created earlier in the script.
pub(crate) const CODE_FROM_SENDING: &str = "<from the sending>";

/// The FirmaDocumentos sequence: budget, summary, a template, one link
/// sending of a small PDF, its detail, document and trace, and a webhook test
/// event. Harmless on the test environment: one sending, by link (no SMS or
/// email goes out).
pub(crate) fn firmadoc_script() -> Vec<(&'static str, &'static str, Value)> {
    let pdf = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        crate::samples::PDF,
    );
    vec![
        ("budget", "budget", Value::Null),
        (
            "summary",
            "summary",
            json!({"from": "2026-01-01", "to": "2026-12-31"}),
        ),
        (
            "template",
            "set_template",
            json!({"template": {"NomPlantilla": "Registro", "Orientacion": "V", "CodFormato": "A4", "Sello": "", "AltoFirma": 2.0, "AnchoFirma": 5.0, "AltoSello": 0, "AnchoSello": 0, "Multifirma": false, "NumeroDestinatarios": 0, "PlantillaPorDefecto": false, "UbicacionFirmas": [{"IdDestinatario": 0, "NumPagina": 1, "TipoFirma": "F", "X": 2.0, "Y": 3.0, "Texto": ""}]}}),
        ),
        (
            "sending",
            "create_sending",
            json!({"sending": {"Asunto": "Registro de prueba", "Emisor": "xtask record", "Receptores": "Ana", "TipoEnvio": "L", "TipoFirma": "S", "DiasCaducidad": 3, "Multifirma": false, "ConPrioridad": false, "Pais": "España", "Plantilla": "Registro", "Documento": pdf, "Adjuntos": ""}}),
        ),
        (
            "detail",
            "sending_detail",
            json!({"code": CODE_FROM_SENDING}),
        ),
        ("document", "document", json!({"code": CODE_FROM_SENDING})),
        ("trace", "trace", json!({"code": CODE_FROM_SENDING})),
        ("webhook-test", "test_webhook", json!({"event": "F"})),
    ]
}

/// Runs the FirmaDocumentos script against `base` (the sandbox, or the live
/// recorder's proxy) and writes each exchange; returns the count written.
pub(crate) async fn record_firmadoc(
    base: &str,
    log: &Log,
    out: &Path,
    source: Source,
) -> Result<usize> {
    let recorder = Recorder {
        out,
        service: "firmadoc",
        log: Arc::clone(log),
        source,
        keep: |_: &Exchange| true,
    };
    let mut code = String::new();
    let mut n = 0;
    for (name, op, inputs) in firmadoc_script() {
        let inputs = if inputs == json!({"code": CODE_FROM_SENDING}) {
            json!({"code": code})
        } else {
            inputs
        };
        let outcome = recorder
            .step(name, op, &inputs, firmadoc::run(base, op, &inputs))
            .await?;
        if op == "create_sending" {
            code = outcome["ok"][0]["CodEnvio"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
        }
        n += 1;
    }
    Ok(n)
}

/// Where one recorder writes the scenarios of one service, and which exchange of an
/// operation it keeps (the last that `keep` selects).
pub(crate) struct Recorder<'a, K> {
    pub(crate) out: &'a Path,
    pub(crate) service: &'static str,
    pub(crate) log: Log,
    pub(crate) source: Source,
    pub(crate) keep: K,
}

impl<K: Fn(&Exchange) -> bool> Recorder<'_, K> {
    /// Runs one operation with the log cleared, then writes its exchange as the new
    /// scenario `SERVICE/rec-NAME`; returns the operation's outcome.
    pub(crate) async fn step(
        &self,
        name: &str,
        operation: &str,
        inputs: &Value,
        run: impl std::future::Future<Output = Result<Value>>,
    ) -> Result<Value> {
        let outcome = run_recorded(&self.log, run).await?;
        write(
            self.out,
            self.service,
            name,
            operation,
            inputs,
            &outcome,
            &self.log,
            self.source,
            &self.keep,
        )?;
        Ok(outcome)
    }
}

/// Clears the log, then runs one operation.
async fn run_recorded(
    log: &Log,
    op: impl std::future::Future<Output = Result<Value>>,
) -> Result<Value> {
    log.lock().map(|mut v| v.clear()).ok();
    op.await
}

/// Writes the last exchange of the log that `keep` selects as a new scenario.
#[allow(clippy::too_many_arguments)]
fn write(
    out: &Path,
    service: &str,
    name: &str,
    operation: &str,
    inputs: &Value,
    outcome: &Value,
    log: &Log,
    source: Source,
    keep: impl Fn(&Exchange) -> bool,
) -> Result<usize> {
    let exchanges = log.lock().map(|v| v.clone()).unwrap_or_default();
    let Some(x) = exchanges.iter().rev().find(|x| keep(x)) else {
        return Err(format!("{service}/{name}: the operation sent no request").into());
    };
    let dir = out.join(service).join(format!("rec-{name}"));
    if dir.exists() {
        return Err(format!(
            "{} exists: record never overwrites a fixture; choose another --out",
            dir.display()
        )
        .into());
    }
    std::fs::create_dir_all(&dir)?;
    let mut query = BTreeMap::new();
    for (k, v) in &x.query {
        let v = match k.as_str() {
            "oauth_consumer_key" => "<consumer-key>".to_owned(),
            "oauth_nonce" | "oauth_timestamp" | "oauth_signature" => VOLATILE.to_owned(),
            _ => v.clone(),
        };
        query.insert(k.clone(), v);
    }
    let mut headers = BTreeMap::new();
    if let Some(ct) = x.headers.get("content-type") {
        headers.insert("content-type".to_owned(), ct.clone());
    }
    if x.headers.contains_key("authorization") {
        headers.insert("authorization".to_owned(), VOLATILE.to_owned());
    }
    let body_kind = match x.headers.get("content-type").map(String::as_str) {
        _ if serde_json::from_slice::<Value>(&x.body).is_ok() => BodyKind::Json,
        Some(ct) if ct.starts_with("application/x-www-form-urlencoded") => BodyKind::Form,
        _ => BodyKind::Binary,
    };
    let request = RecordedRequest {
        method: x.method.clone(),
        path: x.path.clone(),
        query,
        headers,
        body: (!x.body.is_empty()).then(|| "request.body".to_owned()),
        body_kind,
    };
    if !x.body.is_empty() {
        std::fs::write(dir.join("request.body"), &x.body)?;
    }
    let mut response_headers = BTreeMap::new();
    if let Some(ct) = x.response_headers.get("content-type") {
        response_headers.insert("content-type".to_owned(), ct.clone());
    }
    let response = RecordedResponse {
        status: x.status,
        headers: response_headers,
        body: (!x.response_body.is_empty()).then(|| "response.body".to_owned()),
    };
    if !x.response_body.is_empty() {
        std::fs::write(dir.join("response.body"), &x.response_body)?;
    }
    let case = Case {
        format: FORMAT,
        operation: operation.to_owned(),
        inputs: inputs.clone(),
        expected: outcome.clone(),
        requests: None,
        source,
        docs: match source {
            Source::Recorded => "Recorded by `cargo xtask record --live` from the real service; review before committing.",
            _ => "Recorded by `cargo xtask record --sandbox` from the offline sandbox; review before committing.",
        }
        .to_owned(),
    };
    std::fs::write(
        dir.join("request.json"),
        serde_json::to_string_pretty(&request)? + "\n",
    )?;
    std::fs::write(
        dir.join("response.json"),
        serde_json::to_string_pretty(&response)? + "\n",
    )?;
    std::fs::write(
        dir.join("case.json"),
        serde_json::to_string_pretty(&case)? + "\n",
    )?;
    Ok(1)
}
