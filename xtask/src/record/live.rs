//! `cargo xtask record --live`: records the scripted, harmless sequence from
//! the real services, with the credentials of the environment, through a
//! recording proxy on 127.0.0.1.
//!
//! - FirmaDocumentos (its test environment by default, `FIRMADOC_ENV`): the
//!   client signs for the proxy with the contract-test credentials; the proxy
//!   drops those `oauth_*` parameters and signs the call anew, with the real
//!   consumer key and secret, for the real host (OAuth 1.0 signs the host).
//! - HWS (`HAGUE_*`, the development environment): the token is fetched from
//!   the real provider directly (it is never recorded); API calls go through
//!   the proxy with their bearer token untouched. The sequence is a ping, the
//!   status of a known request (`HAGUE_RECORD_SERVICE_REQUEST`), and a bulletin
//!   (`HAGUE_RECORD_WEEK`, default 2024-W47). Nothing is submitted.
//!
//! The tests run it against the offline sandbox standing in for both
//! services: record, then replay with `test-contract`, and everything passes.

use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use serde_json::{Value, json};

use crate::Result;
use crate::operations::hague;

/// Reads an environment variable (injected, so the tests can point it at the sandbox).
pub(crate) type Vars = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// Where the real services are, and the credentials.
pub(crate) struct Live {
    /// FirmaDocumentos: base URL and the real credentials.
    pub(crate) firmadoc: Option<(String, oauth1_sign::Credentials)>,
    /// HWS: the environment's variables, read through this function.
    pub(crate) hague_vars: Option<Vars>,
}

impl Live {
    /// From the environment; a service whose credentials are absent is skipped.
    pub(crate) fn from_env() -> Result<Self> {
        let firmadoc = match firmadoc_client::ClientConfig::from_env() {
            Ok(c) => Some((c.environment.base_url().to_owned(), c.credentials)),
            Err(_) => None,
        };
        let hague_vars: Option<Vars> = std::env::var_os("HAGUE_CLIENT_ID")
            .map(|_| Arc::new(|k: &str| std::env::var(k).ok()) as _);
        if firmadoc.is_none() && hague_vars.is_none() {
            return Err("record --live needs real credentials: FIRMADOC_CONSUMER_KEY and FIRMADOC_CONSUMER_SECRET \
                        (and FIRMADOC_ENV), and/or the HAGUE_* variables of hague-client (HAGUE_CLIENT_ID, \
                        HAGUE_PRIVATE_KEY_FILE, HAGUE_API_BASE_URL, HAGUE_PRESET or HAGUE_ISSUER). Without them, use --sandbox."
                .into());
        }
        Ok(Self {
            firmadoc,
            hague_vars,
        })
    }
}

use super::scenario::{Exchange, Log, Recorder, Source, header_map, record_firmadoc};

/// How the proxy treats a call before forwarding it.
#[derive(Clone)]
enum Upstream {
    Firmadoc {
        base: String,
        credentials: oauth1_sign::Credentials,
    },
    Hague {
        api_base: String,
    },
}

/// A recording proxy on 127.0.0.1:0 in front of `upstream`; returns its URL.
async fn proxy(upstream: Upstream, log: Log) -> Result<(String, tokio::task::JoinHandle<()>)> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    let base = match &upstream {
        Upstream::Firmadoc { base, .. } => base.clone(),
        Upstream::Hague { api_base } => api_base.clone(),
    };
    let loopback = url::Url::parse(&base)?
        .host_str()
        .is_some_and(|h| h == "127.0.0.1" || h == "localhost");
    let transport = http_transport::Transport::new(
        http_transport::TransportConfig::default()
            .allow_plain_http(loopback)
            .max_body(1 << 30)
            .retry_policy(http_transport::RetryPolicy::never()),
    )?;
    let task = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let (upstream, log, transport) =
                (upstream.clone(), Arc::clone(&log), transport.clone());
            tokio::spawn(async move {
                let service =
                    hyper::service::service_fn(move |req: http::Request<hyper::body::Incoming>| {
                        let (upstream, log, transport) =
                            (upstream.clone(), Arc::clone(&log), transport.clone());
                        async move {
                            Ok::<_, std::convert::Infallible>(
                                forward(req, &upstream, &log, &transport).await,
                            )
                        }
                    });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    Ok((url, task))
}

async fn forward(
    req: http::Request<hyper::body::Incoming>,
    upstream: &Upstream,
    log: &Log,
    transport: &http_transport::Transport,
) -> http::Response<Full<Bytes>> {
    let fail = |status: u16, msg: String| {
        let mut r = http::Response::new(Full::new(Bytes::from(msg)));
        *r.status_mut() =
            http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::BAD_GATEWAY);
        r
    };
    let (parts, body) = req.into_parts();
    let body = match body.collect().await {
        Ok(b) => b.to_bytes(),
        Err(e) => return fail(400, format!("recorder: cannot read the request: {e}")),
    };
    let path = parts.uri.path().to_owned();
    let query: Vec<(String, String)> = parts
        .uri
        .query()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default();
    let plain: Vec<&(String, String)> = query
        .iter()
        .filter(|(k, _)| !k.starts_with("oauth_"))
        .collect();
    let target = match upstream {
        Upstream::Firmadoc { base, credentials } => {
            let mut u = format!("{}{path}", base.trim_end_matches('/'));
            if !plain.is_empty() {
                u.push('?');
                u.push_str(
                    &url::form_urlencoded::Serializer::new(String::new())
                        .extend_pairs(plain.iter().map(|(k, v)| (k, v)))
                        .finish(),
                );
            }
            let kind = if body.is_empty() {
                oauth1_sign::Body::None
            } else {
                oauth1_sign::Body::Opaque
            };
            match oauth1_sign::Signer::new(credentials.clone())
                .sign_now(&oauth1_sign::Request::new(parts.method.as_str(), &u).body(kind))
            {
                Ok(s) => s.into_url(),
                Err(e) => return fail(500, format!("recorder: cannot re-sign: {e}")),
            }
        }
        Upstream::Hague { api_base } => {
            let mut u = format!("{}{path}", api_base.trim_end_matches('/'));
            if let Some(q) = parts.uri.query() {
                u.push('?');
                u.push_str(q);
            }
            u
        }
    };
    let mut out = match http_transport::Request::new(parts.method.clone(), &target, "/recorded") {
        Ok(r) => r.body(body.clone()),
        Err(e) => return fail(500, format!("recorder: {e}")),
    };
    for name in [
        http::header::CONTENT_TYPE,
        http::header::AUTHORIZATION,
        http::header::ACCEPT,
    ] {
        if let Some(v) = parts.headers.get(&name) {
            out = out.header(name, v.clone());
        }
    }
    let resp = match transport.send(&out).await {
        Ok(r) => r,
        Err(e) => return fail(502, format!("recorder: the service did not answer: {e}")),
    };
    let recorded_path = match upstream {
        Upstream::Firmadoc { .. } => path.clone(),
        Upstream::Hague { .. } => format!("{}{path}", hague::API_PATH),
    };
    let x = Exchange {
        method: parts.method.to_string(),
        path: recorded_path,
        query,
        headers: header_map(&parts.headers),
        body: body.to_vec(),
        status: resp.status().as_u16(),
        response_headers: header_map(resp.headers()),
        response_body: resp.body().to_vec(),
    };
    log.lock().map(|mut v| v.push(x)).ok();
    let mut r = http::Response::new(Full::new(resp.body().clone()));
    *r.status_mut() = resp.status();
    if let Some(ct) = resp.headers().get(http::header::CONTENT_TYPE) {
        r.headers_mut()
            .insert(http::header::CONTENT_TYPE, ct.clone());
    }
    r
}

/// Records the live sequence into `out`; returns the scenarios written.
pub(crate) async fn record_live(live: &Live, out: &Path) -> Result<usize> {
    let mut n = 0;
    if let Some((base, credentials)) = &live.firmadoc {
        let log: Log = Arc::default();
        let (url, task) = proxy(
            Upstream::Firmadoc {
                base: base.clone(),
                credentials: credentials.clone(),
            },
            Arc::clone(&log),
        )
        .await?;
        n += record_firmadoc(&url, &log, out, Source::Recorded).await?;
        task.abort();
    }
    if let Some(vars) = &live.hague_vars {
        let log: Log = Arc::default();
        let real_api = vars("HAGUE_API_BASE_URL").ok_or("HAGUE_API_BASE_URL is not set")?;
        let (url, task) = proxy(Upstream::Hague { api_base: real_api }, Arc::clone(&log)).await?;
        let v2 = Arc::clone(vars);
        let proxied = url.clone();
        let config = hague_client::Config::from_vars(move |k| {
            if k == "HAGUE_API_BASE_URL" {
                Some(proxied.clone())
            } else {
                v2(k)
            }
        })?;
        let loopback =
            |u: &str| u.starts_with("http://127.0.0.1") || u.starts_with("http://localhost");
        let plain = loopback(&url) && vars("HAGUE_ISSUER").is_some_and(|i| loopback(&i));
        let client = hague_client::Client::new(
            config.transport(hague_client::TransportConfig::default().allow_plain_http(plain)),
        )?;
        let week = vars("HAGUE_RECORD_WEEK").unwrap_or_else(|| "2024-W47".to_owned());
        let mut steps: Vec<(&str, &str, Value)> = vec![("ping", "ping", Value::Null)];
        if let Some(srn) = vars("HAGUE_RECORD_SERVICE_REQUEST") {
            steps.push((
                "request-status",
                "request_status",
                json!({"service_request_id": srn}),
            ));
        }
        steps.push(("bulletin", "bulletin", json!({"week": week})));
        let recorder = Recorder {
            out,
            service: "hague",
            log: Arc::clone(&log),
            source: Source::Recorded,
            keep: |_: &Exchange| true,
        };
        for (name, op, inputs) in steps {
            let run = hague::run_with(&client, op, &inputs, out);
            recorder.step(name, op, &inputs, run).await?;
            n += 1;
        }
        task.abort();
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::sync::Arc;

    /// The live recorder against the offline sandbox standing in for both
    /// real services: record (the proxy re-signs FirmaDocumentos calls with
    /// the "real" credentials), then replay with test-contract: all pass.
    #[test]
    fn record_live_against_the_sandbox_then_replay() {
        let out = tempfile::tempdir().unwrap();
        let keys = tempfile::tempdir().unwrap();
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let written =
            rt.block_on(async {
                let mut config = sandbox::SandboxConfig::default();
                config.hws_import_delay = std::time::Duration::ZERO;
                config.hws_registration_delay = std::time::Duration::ZERO;
                config.bulletin_records = 5;
                let sb = sandbox::Sandbox::start(config).await.unwrap();
                let creds = sb.firmadoc_credentials();
                let key = hague_client::SigningKey::generate_p256().unwrap();
                sb.register_hws_client("live-office", key.public_jwk().clone());
                let key_file = keys.path().join("key.pem");
                std::fs::write(&key_file, key.to_pkcs8_pem().expose_secret()).unwrap();
                // A request to ask about, submitted directly (record --live never submits).
                let direct = hague_client::Client::new(
                    hague_client::Config::new(
                        sb.hws_api_url(),
                        hague_client::Provider::Discovery {
                            issuer: sb.issuer(),
                        },
                        "live-office",
                        key,
                    )
                    .unwrap()
                    .scope(Some(sandbox::DEFAULT_SCOPE.into()))
                    .transport(hague_client::TransportConfig::default().allow_plain_http(true)),
                )
                .unwrap();
                let id = direct
                    .submit(crate::samples::refusal_package().unwrap())
                    .await
                    .unwrap()
                    .import_id
                    .unwrap();
                let srn = direct
                    .import_status(&id)
                    .await
                    .unwrap()
                    .service_request_number
                    .unwrap();
                let mut vars: HashMap<&str, String> = HashMap::from(
                    test_support::sandbox::hague_env(&sb, "live-office", &key_file),
                );
                vars.insert("HAGUE_RECORD_SERVICE_REQUEST", srn);
                vars.insert("HAGUE_RECORD_WEEK", "2026-W47".to_owned());
                let live = super::Live {
                    firmadoc: Some((
                        sb.firmadoc_url(),
                        oauth1_sign::Credentials::new(
                            creds.consumer_key.clone(),
                            creds.expose_secret(),
                        )
                        .unwrap(),
                    )),
                    hague_vars: Some(Arc::new(move |k: &str| vars.get(k).cloned())),
                };
                let n = super::record_live(&live, out.path()).await.unwrap();
                sb.shutdown().await;
                n
            });
        drop(rt);
        assert_eq!(written, 11);
        crate::contract::run(&["--fixtures".to_owned(), out.path().display().to_string()]).unwrap();
        let mut hits = Vec::new();
        crate::contract::tidy::scan(out.path(), &mut hits);
        assert!(hits.is_empty(), "{hits:?}");
        let case =
            std::fs::read_to_string(out.path().join("firmadoc/rec-budget/case.json")).unwrap();
        assert!(case.contains("\"recorded\""), "{case}");
        // The calls succeeded upstream: the proxy's re-signing was accepted.
        for scenario in [
            "firmadoc/rec-budget",
            "firmadoc/rec-sending",
            "firmadoc/rec-trace",
            "hague/rec-request-status",
            "hague/rec-bulletin",
        ] {
            let case =
                std::fs::read_to_string(out.path().join(scenario).join("case.json")).unwrap();
            let v: serde_json::Value = serde_json::from_str(&case).unwrap();
            assert!(v["expected"].get("ok").is_some(), "{scenario}: {case}");
        }
    }
}
