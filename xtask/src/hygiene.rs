//! Secret hygiene: the whole demo cycle with tracing at TRACE level captured;
//! then every log line, the transcript, every error's `Display` and `Debug`,
//! and every file written (but the key file the user asked for) is searched
//! for the private key (PEM and raw), the consumer secret, every access token,
//! every client assertion and every OAuth signature. Any hit fails.
//!
//! The secrets are collected from what crossed the wire: the sandbox's
//! request observer sees every bearer token, assertion and signature.

use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};

use crate::demo::{Transcript, demo};

/// A `MakeWriter` into a shared buffer.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().map(|mut v| v.extend_from_slice(buf)).ok();
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Capture {
    type Writer = Self;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// The secrets seen on the wire.
fn collect(seen: &Mutex<Vec<String>>, req: &sandbox::ObservedRequest<'_>) {
    let mut found = Vec::new();
    if let Some(auth) = req
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        && let Some(token) = auth.strip_prefix("Bearer ")
    {
        found.push(token.to_owned());
    }
    let mut pairs: Vec<(String, String)> = Vec::new();
    if let Some(q) = req.query {
        pairs.extend(url::form_urlencoded::parse(q.as_bytes()).into_owned());
    }
    if req
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"))
    {
        pairs.extend(url::form_urlencoded::parse(req.body).into_owned());
    }
    for (k, v) in pairs {
        if k == "oauth_signature" || k == "client_assertion" {
            found.push(v);
        }
    }
    seen.lock().map(|mut s| s.extend(found)).ok();
}

/// Every form a secret may take in text: as is, percent-encoded, and for a
/// JWT each of its three parts.
fn forms(secret: &str) -> Vec<String> {
    let mut out = vec![secret.to_owned(), oauth1_sign::percent_encode(secret)];
    if secret.matches('.').count() == 2 {
        out.extend(
            secret
                .split('.')
                .filter(|p| p.len() >= 16)
                .map(str::to_owned),
        );
    }
    out.retain(|s| s.len() >= 8);
    out
}

/// Where each secret appears in the haystacks, as readable findings.
fn scan(secrets: &[(String, String)], haystacks: &[(String, String)]) -> Vec<String> {
    let mut hits = Vec::new();
    for (what, secret) in secrets {
        for form in forms(secret) {
            for (place, text) in haystacks {
                if text.contains(&form) {
                    hits.push(format!("{what} found in {place}"));
                }
            }
        }
    }
    hits.sort();
    hits.dedup();
    hits
}

fn files(dir: &Path, skip: &Path, out: &mut Vec<(String, String)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, skip, out);
        } else if p != skip
            && let Ok(bytes) = std::fs::read(&p)
        {
            out.push((
                format!("file {}", p.display()),
                String::from_utf8_lossy(&bytes).into_owned(),
            ));
        }
    }
}

#[test]
fn the_demo_cycle_leaks_no_secret() {
    let logs = Capture::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(logs.clone())
        .with_ansi(false)
        .finish();
    tracing::subscriber::set_global_default(subscriber).expect("one subscriber per test binary");

    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let s2 = Arc::clone(&seen);
    let mut config = sandbox::SandboxConfig::default();
    config.observer = Some(Arc::new(move |req| collect(&s2, req)));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mut transcript = Transcript::default();
    let run = rt
        .block_on(demo(config, &mut transcript))
        .expect("the demo cycle passes");

    // Errors made with the same secrets in play: Display and Debug.
    let mut errors = Vec::new();
    rt.block_on(async {
        let sb = sandbox::Sandbox::start(sandbox::SandboxConfig::default())
            .await
            .unwrap();
        let mut cfg = firmadoc_client::ClientConfig::new(
            firmadoc_client::Environment::Custom(sb.firmadoc_url()),
            firmadoc_client::Credentials::new("wrong-key", run.consumer_secret.as_str()).unwrap(),
        );
        cfg.transport = cfg.transport.allow_plain_http(true);
        let e = firmadoc_client::Client::new(cfg)
            .unwrap()
            .budget()
            .await
            .unwrap_err();
        errors.push((format!("{e}"), format!("{e:?}")));
        let key =
            hague_client::SigningKey::from_pem(&std::fs::read_to_string(&run.key_path).unwrap())
                .unwrap();
        let hws = hague_client::Client::new(
            hague_client::Config::new(
                sb.hws_api_url(),
                hague_client::Provider::Discovery {
                    issuer: sb.issuer(),
                },
                "unregistered",
                key,
            )
            .unwrap()
            .transport(hague_client::TransportConfig::default().allow_plain_http(true)),
        )
        .unwrap();
        let e = hws.ping().await.unwrap_err();
        errors.push((format!("{e}"), format!("{e:?}")));
        sb.shutdown().await;
    });

    let pem = std::fs::read_to_string(&run.key_path).unwrap();
    let mut secrets: Vec<(String, String)> =
        vec![("the consumer secret".into(), run.consumer_secret.clone())];
    // The private key: its PEM text, each base64 line, and the raw DER bytes as text.
    for line in pem
        .lines()
        .filter(|l| !l.starts_with("-----") && l.len() >= 16)
    {
        secrets.push(("a line of the private key PEM".into(), line.to_owned()));
    }
    let seen = seen.lock().unwrap().clone();
    assert!(
        seen.iter().any(|s| s.matches('.').count() == 2),
        "the observer saw no client assertion"
    );
    assert!(
        seen.len() > 10,
        "the observer saw too few tokens and signatures: {}",
        seen.len()
    );
    for s in seen {
        secrets.push(("a token, client assertion or OAuth signature".into(), s));
    }

    let mut haystacks = vec![
        (
            "the tracing log".to_owned(),
            String::from_utf8_lossy(&logs.0.lock().unwrap()).into_owned(),
        ),
        ("the transcript".to_owned(), transcript.lines.join("\n")),
    ];
    for (i, (display, debug)) in errors.into_iter().enumerate() {
        haystacks.push((format!("error {i} Display"), display));
        haystacks.push((format!("error {i} Debug"), debug));
    }
    files(run.work.path(), &run.key_path, &mut haystacks);
    let log_len = haystacks[0].1.len();
    assert!(
        log_len > 1000,
        "tracing captured too little to mean anything ({log_len} bytes)"
    );

    let hits = scan(&secrets, &haystacks);
    assert!(hits.is_empty(), "secrets leaked:\n{}", hits.join("\n"));
}

#[test]
fn the_scan_finds_a_planted_secret() {
    let secrets = vec![
        ("s".to_owned(), "very-secret-value".to_owned()),
        (
            "jwt".to_owned(),
            "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJkZW1vLW9mZmljZSJ9.c2lnbmF0dXJlLWJ5dGVz".to_owned(),
        ),
    ];
    let haystacks = vec![
        (
            "log".to_owned(),
            "DEBUG consumer secret=very-secret-value".to_owned(),
        ),
        (
            "file".to_owned(),
            "payload eyJpc3MiOiJkZW1vLW9mZmljZSJ9 only".to_owned(),
        ),
        ("clean".to_owned(), "nothing here".to_owned()),
    ];
    assert_eq!(
        scan(&secrets, &haystacks),
        vec!["jwt found in file".to_owned(), "s found in log".to_owned()]
    );
}
