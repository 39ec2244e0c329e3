//! Every example body of the FirmaDocumentos guide, posted as written (the elided
//! `Documento` replaced by a real PDF in base64) through an independent OAuth 1.0 signer:
//! Python's oauthlib (pinned in xtask/requirements.txt; `cargo xtask tools` installs it),
//! which also sends the requests (urllib), so neither `oauth1-sign` nor our HTTP stack is
//! on the path. Each request goes in each signature shape:
//!
//! - `rfc`: `oauth_signature` percent-encoded as RFC 5849 says (`%2B %2F %3D`);
//! - `guide`: as the guide's Postman example (`+` and `/` raw, only `=` as `%3D`, an
//!   11-character nonce, Postman's parameter order);
//! - `unescaped`: the nonce redrawn until the signature has no `+` or `/`.
//!
//! The `rfc` and `guide` signers redraw their nonce until the signature holds a `+`, so
//! that the `%2B` and the raw `+` are really exercised on every request.

use std::io::{BufRead as _, BufReader, Write as _};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use base64::Engine as _;
use sandbox::{Clock, Sandbox};
use serde_json::{Value, json};

use crate::common::PNG;
use crate::common::{manual_sandbox, python};
use crate::firmadoc::{receiver, wait_for};

const SIGNER: &str = r#"
import json, secrets, string, sys, urllib.error, urllib.request
from urllib.parse import parse_qsl, quote, urlsplit
from oauthlib.oauth1 import Client, SIGNATURE_HMAC_SHA1, SIGNATURE_TYPE_QUERY
key, secret = sys.argv[1], sys.argv[2]
ALPHABET = string.ascii_letters + string.digits
ORDER = ["oauth_consumer_key", "oauth_signature_method", "oauth_timestamp", "oauth_nonce", "oauth_version"]

def signed(url, method, timestamp, shape):
    while True:
        nonce = "".join(secrets.choice(ALPHABET) for _ in range(11))
        client = Client(key, client_secret=secret, signature_method=SIGNATURE_HMAC_SHA1,
                        signature_type=SIGNATURE_TYPE_QUERY, nonce=nonce, timestamp=str(timestamp))
        uri, _, _ = client.sign(url, http_method=method)
        params = dict(parse_qsl(urlsplit(uri).query, keep_blank_values=True))
        sig = params["oauth_signature"]
        if shape == "unescaped" and ("+" in sig or "/" in sig):
            continue
        if shape in ("rfc", "guide") and "+" not in sig:
            continue
        break
    query = "&".join(k + "=" + params[k] for k in ORDER)
    if shape == "rfc":
        encoded = quote(sig, safe="")
    else:
        encoded = sig.replace("=", "%3D")
    return url + "?" + query + "&oauth_signature=" + encoded

for line in sys.stdin:
    c = json.loads(line)
    url = signed(c["url"], c["method"], c["timestamp"], c["shape"])
    data = None if c["body"] is None else c["body"].encode("utf-8")
    req = urllib.request.Request(url, data=data, method=c["method"], headers={"Content-Type": "text/plain"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            status, body = r.status, r.read()
    except urllib.error.HTTPError as e:
        status, body = e.code, e.read()
    sys.stdout.write(json.dumps({"status": status, "body": body.decode("utf-8", "replace"), "url": url}) + "\n")
    sys.stdout.flush()
"#;

/// The Python signer, one request per line.
struct Signer {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

struct Sent {
    status: u16,
    body: String,
    url: String,
}

impl Signer {
    fn start(sb: &Sandbox) -> Self {
        let creds = sb.firmadoc_credentials();
        let mut child = Command::new(python())
            .args(["-c", SIGNER, &creds.consumer_key, creds.expose_secret()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the Python signer");
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        Self {
            child,
            stdin,
            stdout,
        }
    }

    /// Signs and sends one request from Python (blocking: run it off the runtime's
    /// worker threads with `spawn_blocking`).
    fn send(&mut self, line: &Value) -> Sent {
        writeln!(self.stdin, "{line}").unwrap();
        self.stdin.flush().unwrap();
        let mut answer = String::new();
        self.stdout.read_line(&mut answer).unwrap();
        let v: Value = serde_json::from_str(&answer)
            .unwrap_or_else(|e| panic!("the Python signer answered {answer:?}: {e}"));
        Sent {
            status: u16::try_from(v["status"].as_u64().unwrap()).unwrap(),
            body: v["body"].as_str().unwrap().to_owned(),
            url: v["url"].as_str().unwrap().to_owned(),
        }
    }
}

impl Drop for Signer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A real one-page PDF (cross-reference offsets computed), written here rather than by
/// the sandbox.
pub(crate) fn real_pdf() -> Vec<u8> {
    let content = "BT /F1 18 Tf 72 760 Td (Contrato de prueba) Tj ET";
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_owned(),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
    ];
    let mut pdf = b"%PDF-1.7\n%\xb5\xb5\xb5\xb5\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = pdf.len();
    pdf.extend_from_slice(b"xref\n0 6\n0000000000 65535 f \n");
    for o in offsets {
        pdf.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!("trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n").as_bytes(),
    );
    pdf
}

/// The guide's body, as written, with the elided base64 of `Documento` (which ends in
/// "…(continúa)" in the guide) replaced by `pdf` in base64; nothing else changes.
pub(crate) fn with_document(body: &str, pdf: &[u8]) -> String {
    let key = "\"Documento\": \"";
    let start = body.find(key).unwrap() + key.len();
    let end = start + body[start..].find('"').unwrap();
    format!(
        "{}{}{}",
        &body[..start],
        base64::engine::general_purpose::STANDARD.encode(pdf),
        &body[end..]
    )
}

pub(crate) const TEMPLATE_SINGLE: &str =
    include_str!("../../../../fixtures/firmadoc/bodies/template-single.json");
pub(crate) const TEMPLATE_MULTI: &str =
    include_str!("../../../../fixtures/firmadoc/bodies/template-multi.json");
const TEMPLATE_MULTI_CURL: &str =
    include_str!("../../../../fixtures/firmadoc/bodies/template-multi-curl.json");
pub(crate) const SENDING_INDEPENDENT: &str =
    include_str!("../../../../fixtures/firmadoc/bodies/sending-independent.json");
pub(crate) const SENDING_MULTI: &str =
    include_str!("../../../../fixtures/firmadoc/bodies/sending-multi.json");
const DETAIL_CURL: &str =
    include_str!("../../../../fixtures/firmadoc/bodies/device-info-curl-with-operation.json");
const DEVICE_SCHEMA: &str =
    include_str!("../../../../fixtures/firmadoc/bodies/schema-device-info.json");

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_guide_example_in_every_signature_shape_through_oauthlib() {
    let (sb, clock) = manual_sandbox().await;
    let (hook, got, stop) = receiver(&sb, 0).await;
    let signer = std::sync::Arc::new(std::sync::Mutex::new(Signer::start(&sb)));
    let pdf = real_pdf();
    let base = sb.firmadoc_url();
    let mut created = 0usize;
    for shape in ["rfc", "guide", "unescaped"] {
        let call = |method: &'static str, path: String, body: Option<String>| {
            let line = json!({
                "method": method, "url": format!("{base}{path}"), "body": body,
                "shape": shape, "timestamp": clock.unix(),
            });
            let signer = signer.clone();
            async move {
                let sent = tokio::task::spawn_blocking(move || signer.lock().unwrap().send(&line))
                    .await
                    .unwrap();
                let sig = sent
                    .url
                    .split("oauth_signature=")
                    .nth(1)
                    .unwrap()
                    .to_owned();
                match shape {
                    "rfc" => assert!(sig.contains("%2B") && sig.ends_with("%3D"), "{sig}"),
                    "guide" => assert!(sig.contains('+') && sig.ends_with("%3D"), "{sig}"),
                    _ => assert!(!sig.contains(['+', '/']) && !sig.contains("%2"), "{sig}"),
                }
                assert_eq!(
                    sent.status, 200,
                    "{shape}: {method} {path}: {} ({})",
                    sent.body, sent.url
                );
                sent.body
            }
        };
        // /Template: both examples of the section and the Postman curl's body.
        for t in [TEMPLATE_SINGLE, TEMPLATE_MULTI, TEMPLATE_MULTI_CURL] {
            call("POST", "/send/Template".into(), Some(t.to_owned())).await;
        }
        // /Subscribe, with each of the guide's "Ejemplos válidos" of Eventos, last A,F,R,C.
        for events in ["F", "F,R", "A,F,R,C"] {
            let body = json!({"Url": hook, "Eventos": events}).to_string();
            call("POST", "/webhooks/Subscribe".into(), Some(body)).await;
        }
        // /Sending: the two examples. The first makes two independent sendings.
        let a = call(
            "POST",
            "/send/Sending".into(),
            Some(with_document(SENDING_INDEPENDENT, &pdf)),
        )
        .await;
        let independent: Value = serde_json::from_str(&a).unwrap();
        assert_eq!(independent.as_array().unwrap().len(), 2, "{a}");
        let b = call(
            "POST",
            "/send/Sending".into(),
            Some(with_document(SENDING_MULTI, &pdf)),
        )
        .await;
        let multi: Value = serde_json::from_str(&b).unwrap();
        assert_eq!(multi.as_array().unwrap().len(), 1, "{b}");
        created += 3;
        let code = multi[0]["CodEnvio"].as_str().unwrap().to_owned();
        // The Postman example of /send/Sending/{cod}, body as written (with its
        // "Operacion": "L"), for the sending and for its recipient 2.
        for cod in [code.clone(), format!("{code}02")] {
            let d = call(
                "POST",
                format!("/send/Sending/{cod}"),
                Some(DETAIL_CURL.to_owned()),
            )
            .await;
            let d: Value = serde_json::from_str(&d).unwrap();
            assert_eq!(d["Estado"], "P");
        }
        // The device-info schema body on /Document, by recipient 1: the document comes back.
        let doc = call(
            "POST",
            format!("/send/Document/{code}01"),
            Some(DEVICE_SCHEMA.to_owned()),
        )
        .await;
        let doc: String = serde_json::from_str(&doc).unwrap();
        assert_eq!(
            base64::engine::general_purpose::STANDARD
                .decode(doc)
                .unwrap(),
            pdf
        );
        // /AddresseeResponse shaped as its table says (F with the signature image).
        let sign = json!({
            "Operacion": "F",
            "DatoAuxiliar": base64::engine::general_purpose::STANDARD.encode(PNG),
            "OsName": "android", "OSVersion": "7.0", "Model": "samsung SM-JF342",
            "Username": "string", "DeviceID": "0.0.0.0",
        });
        call(
            "POST",
            format!("/send/AddresseeResponse/{code}01"),
            Some(sign.to_string()),
        )
        .await;
        // The Postman example of /admin/Budget (a GET without a body), the summary, the
        // trace, and /webhooks/Test/F.
        let budget = call("GET", "/admin/Budget".into(), None).await;
        assert_eq!(budget.trim(), (1000 - created).to_string());
        let year = time::OffsetDateTime::now_utc().year();
        let s = call(
            "GET",
            format!("/admin/Summary/{year}-01-01/{year}-12-31"),
            None,
        )
        .await;
        assert_eq!(
            serde_json::from_str::<Value>(&s).unwrap()["Enviados"],
            created
        );
        call("GET", format!("/send/Trace/{code}"), None).await;
        call("POST", "/webhooks/Test/F".into(), None).await;
    }
    // The webhook got, per shape: A (recipient 1), F (recipient 1), and the test F.
    let ds = wait_for(&got, 9).await;
    assert_eq!(ds.len(), 9);
    let _ = stop.send(());
    sb.shutdown().await;
}
