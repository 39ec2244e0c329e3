//! `cargo xtask record --sandbox`: the scripted sequence recorded from the
//! offline sandbox, started in-process with the contract-test credentials, so
//! that `cargo xtask test-contract --fixtures DIR` replays the recording.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::{Value, json};

use super::scenario::{Exchange, Log, Recorder, Source, header_map, record_firmadoc};
use crate::Result;
use crate::operations::{firmadoc, hague};

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
    let recorder = Recorder {
        out,
        service: "hague",
        log: Arc::clone(&log),
        source: Source::Sandbox,
        keep: |x: &Exchange| !x.path.contains("/am/oauth2"),
    };
    let step = |name: &'static str, op: &'static str, inputs: Value, dir: PathBuf| {
        let (recorder, base) = (&recorder, base.clone());
        let key = hague_client::SigningKey::from_pem(pem.expose_secret());
        async move {
            let run = hague::run(&base, key?, op, &inputs, &dir);
            recorder.step(name, op, &inputs, run).await
        }
    };
    step("ping", "ping", Value::Null, out.to_path_buf()).await?;
    let staging = tempfile::tempdir()?;
    std::fs::write(
        staging.path().join("request.body"),
        crate::samples::refusal_package()?,
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
