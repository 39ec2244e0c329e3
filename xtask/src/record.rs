//! `cargo xtask record --sandbox [--out DIR]`: runs a scripted, harmless
//! sequence of calls and writes each exchange as a new scenario folder
//! (format 1, `docs/fixtures.md`) for review, with every secret replaced by
//! a placeholder. It never overwrites a folder that exists.
//!
//! `--sandbox` records from the offline sandbox, started in-process with the
//! contract-test credentials, so that `cargo xtask test-contract --fixtures
//! DIR` replays the recording. Recording from the real services needs real
//! credentials and a re-signing recorder in front of them; that is not built
//! yet, and the command says so instead of pretending.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use crate::Result;
pub(crate) use crate::contract::fixture::Source;
use crate::contract::fixture::{
    BodyKind, Case, FORMAT, RecordedRequest, RecordedResponse, VOLATILE,
};
use crate::contract::{firmadoc, hague};
use crate::workspace::root;

const USAGE: &str =
    "usage: cargo xtask record --sandbox [--out DIR]   (DIR defaults to target/recorded)";

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

pub(crate) fn run(args: &[String]) -> Result<()> {
    let mut sandbox = false;
    let mut live = false;
    let mut out = root().join("target/recorded");
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--sandbox" => sandbox = true,
            "--live" => live = true,
            "--out" => out = PathBuf::from(it.next().ok_or(USAGE)?),
            other => return Err(format!("unknown argument `{other}`\n{USAGE}").into()),
        }
    }
    if live {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        let written = rt.block_on(crate::record_live::record_live(
            &crate::record_live::Live::from_env()?,
            &out,
        ))?;
        println!(
            "record: wrote {written} scenario folders under {} (review them before committing)",
            out.display()
        );
        return Ok(());
    }
    if !sandbox {
        return Err(format!(
            "choose --live (the real services, with {} / {} and HAGUE_* from the environment) or --sandbox\n{USAGE}",
            firmadoc_client::env::CONSUMER_KEY,
            firmadoc_client::env::CONSUMER_SECRET
        )
        .into());
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let written = rt.block_on(record_sandbox(&out))?;
    println!(
        "record: wrote {written} scenario folders under {} (review them before committing)",
        out.display()
    );
    println!(
        "replay: cargo xtask test-contract --fixtures {}",
        out.display()
    );
    Ok(())
}

/// Records the scripted sequence from a sandbox into `out`; returns how many
/// scenarios were written.
pub(crate) async fn record_sandbox(out: &Path) -> Result<usize> {
    let log: Log = Arc::default();
    let l2 = Arc::clone(&log);
    let mut config = sandbox::SandboxConfig::default();
    config.firmadoc_consumer_key = firmadoc::CONSUMER_KEY.to_owned();
    config.firmadoc_consumer_secret = firmadoc::CONSUMER_SECRET.to_owned();
    config.hws_import_delay = std::time::Duration::ZERO;
    config.hws_registration_delay = std::time::Duration::ZERO;
    config.bulletin_records = 8;
    config.id_seed = Some(7);
    config.exchange_observer = Some(Arc::new(move |req, resp| {
        let x = Exchange {
            method: req.method.to_string(),
            path: req.path.to_owned(),
            query: req
                .query
                .map(|q| {
                    url::form_urlencoded::parse(q.as_bytes())
                        .into_owned()
                        .collect()
                })
                .unwrap_or_default(),
            headers: header_map(req.headers),
            body: req.body.to_vec(),
            status: resp.status,
            response_headers: header_map(resp.headers),
            response_body: resp.body.to_vec(),
        };
        l2.lock().map(|mut v| v.push(x)).ok();
    }));
    let sb = sandbox::Sandbox::start(config).await?;

    // FirmaDocumentos: the scripted sequence.
    let mut n = record_firmadoc(&sb.firmadoc_url(), &log, out, Source::Sandbox).await?;

    // HWS: ping (with its token), a submission and its statuses, and a bulletin.
    let key = hague_client::SigningKey::generate_p256()?;
    sb.register_hws_client(hague::CLIENT_ID, key.public_jwk().clone());
    let pem = key.to_pkcs8_pem();
    let base = sb.hws_url();
    let step = |name: &'static str, op: &'static str, inputs: Value, dir: PathBuf| {
        let (log, base) = (Arc::clone(&log), base.clone());
        let key = hague_client::SigningKey::from_pem(pem.expose_secret());
        async move {
            let outcome = run_recorded(&log, hague::run(&base, key?, op, &inputs, &dir)).await?;
            write(
                out,
                "hague",
                name,
                op,
                &inputs,
                &outcome,
                &log,
                Source::Sandbox,
                |x| !x.path.contains("/am/oauth2"),
            )?;
            Ok::<Value, Box<dyn std::error::Error>>(outcome)
        }
    };
    step("ping", "ping", Value::Null, out.to_path_buf()).await?;
    let staging = tempfile::tempdir()?;
    std::fs::write(
        staging.path().join("request.body"),
        crate::demo::refusal_package()?,
    )?;
    let submitted = step(
        "submit",
        "submit",
        json!({"package_file": "request.body"}),
        staging.path().to_path_buf(),
    )
    .await?;
    let import_id = submitted["ok"].as_str().unwrap_or_default().to_owned();
    let import = step(
        "import-status",
        "import_status",
        json!({"import_id": import_id}),
        out.to_path_buf(),
    )
    .await?;
    let srn = import["ok"]["service_request_number"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    step(
        "request-status",
        "request_status",
        json!({"service_request_id": srn}),
        out.to_path_buf(),
    )
    .await?;
    step(
        "bulletin",
        "bulletin",
        json!({"week": "2026-W47"}),
        out.to_path_buf(),
    )
    .await?;
    n += 5;
    sb.shutdown().await;
    Ok(n)
}

/// Stands for the code of the sending created earlier in the script.
pub(crate) const CODE_FROM_SENDING: &str = "<from the sending>";

/// The FirmaDocumentos sequence: budget, summary, a template, one link
/// sending of a small PDF, its detail, document and trace, and a webhook test
/// event. Harmless on the test environment: one sending, by link (no SMS or
/// email goes out).
pub(crate) fn firmadoc_script() -> Vec<(&'static str, &'static str, Value)> {
    let pdf = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, crate::demo::PDF);
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
    let mut code = String::new();
    let mut n = 0;
    for (name, op, inputs) in firmadoc_script() {
        let inputs = if inputs == json!({"code": CODE_FROM_SENDING}) {
            json!({"code": code})
        } else {
            inputs
        };
        let outcome = run_recorded(log, firmadoc::run(base, op, &inputs)).await?;
        if op == "create_sending" {
            code = outcome["ok"][0]["CodEnvio"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
        }
        n += write(
            out,
            "firmadoc",
            name,
            op,
            &inputs,
            &outcome,
            log,
            source,
            |_| true,
        )?;
    }
    Ok(n)
}

/// Clears the log, then runs one operation.
pub(crate) async fn run_recorded(
    log: &Log,
    op: impl std::future::Future<Output = Result<Value>>,
) -> Result<Value> {
    log.lock().map(|mut v| v.clear()).ok();
    op.await
}

/// Writes the last exchange of the log that `keep` selects as a new scenario.
#[allow(clippy::too_many_arguments)]
pub(crate) fn write(
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

#[cfg(test)]
mod tests {
    /// Issue 9/11: record from the sandbox, replay with test-contract, and
    /// everything passes; the recording holds no secret; nothing is overwritten.
    #[test]
    fn record_from_the_sandbox_then_replay() {
        let dir = tempfile::tempdir().unwrap();
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let written = rt.block_on(super::record_sandbox(dir.path())).unwrap();
        assert_eq!(written, 13);
        drop(rt);
        crate::contract::run(&["--fixtures".to_owned(), dir.path().display().to_string()]).unwrap();
        let mut hits = Vec::new();
        crate::contract::tidy::scan(dir.path(), &mut hits);
        assert!(hits.is_empty(), "{hits:?}");
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let again = rt.block_on(super::record_sandbox(dir.path()));
        assert!(again.is_err_and(|e| e.to_string().contains("never overwrites")));
    }
}
