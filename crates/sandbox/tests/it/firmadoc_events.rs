//! What the FirmaDocumentos sandbox does over time and tells the WebHook: expiry on the
//! sandbox clock with no call, event A per recipient, the device info in the trace, the
//! detail's `CodHash` and `Adjuntos`, and the webhook bodies (`Properties`, one delivery
//! per event, the two events of the last signature).

use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use firmadoc_client::webhook::WebhookSecret;
use http::Method;
use sandbox::{ManualClock, Sandbox};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

use crate::common::PNG;
use crate::common::manual_sandbox;
use crate::firmadoc_guide::real_pdf;
use crate::firmadoc_rules::{create, multi_sending, send, templates, text};

/// One delivery as it crossed the wire.
#[derive(Debug, Clone)]
struct Delivery {
    signature: String,
    body: Vec<u8>,
}

impl Delivery {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }
    /// (Action, id, id2) of each notification.
    fn events(&self) -> Vec<(String, String, i64)> {
        self.json()["Notifications"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| {
                (
                    n["Action"].as_str().unwrap().to_owned(),
                    n["id"].as_str().unwrap().to_owned(),
                    n["id2"].as_i64().unwrap(),
                )
            })
            .collect()
    }
}

type Log = Arc<Mutex<Vec<Delivery>>>;

/// A bare HTTP/1.1 WebHook receiver written here: answers the echo handshake and records
/// each POST's `ms-signature` and exact body bytes.
async fn raw_receiver() -> (String, Log) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "http://{}/api/webhooks/incoming/custom",
        listener.local_addr().unwrap()
    );
    let log: Log = Arc::default();
    let seen = log.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let seen = seen.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                let head_end = loop {
                    let n = stream.read(&mut chunk).await.unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        break i + 4;
                    }
                };
                let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
                let header = |name: &str| {
                    head.lines()
                        .find_map(|l| {
                            let (k, v) = l.split_once(':')?;
                            k.eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
                        })
                        .unwrap_or_default()
                };
                let length: usize = header("content-length").parse().unwrap_or(0);
                while buf.len() < head_end + length {
                    let n = stream.read(&mut chunk).await.unwrap_or(0);
                    if n == 0 {
                        break;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                }
                let first = head.lines().next().unwrap_or_default().to_owned();
                let reply = if first.starts_with("GET ") {
                    first
                        .split("echo=")
                        .nth(1)
                        .and_then(|s| s.split([' ', '&']).next())
                        .unwrap_or_default()
                        .to_owned()
                } else {
                    seen.lock().unwrap().push(Delivery {
                        signature: header("ms-signature"),
                        body: buf[head_end..].to_vec(),
                    });
                    String::new()
                };
                let answer = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{reply}",
                    reply.len()
                );
                let _ = stream.write_all(answer.as_bytes()).await;
            });
        }
    });
    (url, log)
}

async fn subscribe(sb: &Sandbox, clock: &ManualClock, url: &str, events: &str) {
    let body = json!({"Url": url, "Eventos": events}).to_string();
    let a = send(sb, clock, Method::POST, "/webhooks/Subscribe", &body).await;
    assert_eq!(a.status, 200, "{}", text(&a));
}

/// Waits until `n` deliveries arrived (at most 5 s), then a little more to catch extras.
async fn deliveries(log: &Log, n: usize) -> Vec<Delivery> {
    for _ in 0..100 {
        if log.lock().unwrap().len() >= n {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    log.lock().unwrap().clone()
}

fn all_events(ds: &[Delivery]) -> Vec<(String, String, i64)> {
    ds.iter().flat_map(Delivery::events).collect()
}

fn sign_body() -> String {
    json!({"Operacion": "F", "DatoAuxiliar": STANDARD.encode(PNG), "OsName": "android",
           "OSVersion": "7.0", "Model": "samsung SM-JF342", "Username": "string", "DeviceID": "0.0.0.0"})
    .to_string()
}

/// "Cuando transcurran los días indicados en esta propiedad ... su estado pasará a ser
/// caducado": on the sandbox clock, with no call touching the sending, event C fires and
/// the summary counts it.
#[tokio::test]
async fn expiry_fires_on_time_without_any_call() {
    let (sb, clock) = manual_sandbox().await;
    templates(&sb, &clock).await;
    let (url, log) = raw_receiver().await;
    subscribe(&sb, &clock, &url, "C").await;
    let one_day = create(&sb, &clock, &multi_sending(json!({"DiasCaducidad": 1})))
        .await
        .remove(0);
    let two_days = create(&sb, &clock, &multi_sending(json!({"DiasCaducidad": 2})))
        .await
        .remove(0);
    // One second short of the deadline: nothing.
    clock.advance(Duration::from_secs(86_399));
    assert!(deliveries(&log, 1).await.is_empty());
    // The deadline passes; no request is made until the event has arrived.
    clock.advance(Duration::from_secs(1));
    let ds = deliveries(&log, 1).await;
    assert_eq!(all_events(&ds), [("C".to_owned(), one_day.clone(), 0)]);
    // Now the service's view agrees.
    let year = time::OffsetDateTime::now_utc().year();
    let summary = |sb, clock| async move {
        let a = send(
            sb,
            clock,
            Method::GET,
            &format!("/admin/Summary/{year}-01-01/{}-12-31", year + 1),
            "",
        )
        .await;
        assert_eq!(a.status, 200, "{}", text(&a));
        a.json()
    };
    let s = summary(&sb, &clock).await;
    assert_eq!(
        (
            s["Enviados"].as_i64(),
            s["Pendientes"].as_i64(),
            s["Caducados"].as_i64()
        ),
        (Some(2), Some(1), Some(1)),
        "{s}"
    );
    let d = send(
        &sb,
        &clock,
        Method::POST,
        &format!("/send/Sending/{one_day}"),
        "{}",
    )
    .await;
    assert_eq!(d.json()["Estado"], "C");
    // The second one a day later, again with no call in between.
    clock.advance(Duration::from_secs(86_400));
    let ds = deliveries(&log, 2).await;
    assert_eq!(all_events(&ds)[1], ("C".to_owned(), two_days, 0));
    assert_eq!(summary(&sb, &clock).await["Caducados"], 2);
    sb.shutdown().await;
}

/// Event A once per recipient, on that recipient's first fetch of the document, in
/// multi-signature sendings too; the sender's fetch (5 characters) opens nothing.
#[tokio::test]
async fn event_a_per_recipient_on_first_open() {
    let (sb, clock) = manual_sandbox().await;
    templates(&sb, &clock).await;
    let (url, log) = raw_receiver().await;
    subscribe(&sb, &clock, &url, "A").await;
    let multi = create(&sb, &clock, &multi_sending(json!({})))
        .await
        .remove(0);
    for cod in [
        format!("{multi}01"),
        format!("{multi}01"),
        multi.clone(),
        format!("{multi}03"),
        format!("{multi}03"),
    ] {
        let a = send(
            &sb,
            &clock,
            Method::POST,
            &format!("/send/Document/{cod}"),
            "{}",
        )
        .await;
        assert_eq!(a.status, 200, "{}", text(&a));
        let pdf = STANDARD.decode(a.json().as_str().unwrap()).unwrap();
        assert_eq!(pdf, real_pdf());
    }
    let single = create(
        &sb,
        &clock,
        &multi_sending(
            json!({"Multifirma": false, "Plantilla": "Plantilla 1", "Receptores": "666666666"}),
        ),
    )
    .await
    .remove(0);
    for _ in 0..2 {
        send(
            &sb,
            &clock,
            Method::POST,
            &format!("/send/Document/{single}"),
            "{}",
        )
        .await;
    }
    let ds = deliveries(&log, 3).await;
    assert_eq!(
        all_events(&ds),
        [
            ("A".to_owned(), multi.clone(), 1),
            ("A".to_owned(), multi, 3),
            ("A".to_owned(), single, 0),
        ]
    );
    sb.shutdown().await;
}

fn trace_text(sb_answer: &crate::common::Answer) -> String {
    let pdf = STANDARD.decode(sb_answer.json().as_str().unwrap()).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    String::from_utf8_lossy(&pdf).into_owned()
}

/// "Esta información se guarda en el registro de trazabilidad cuando se llama a este
/// servicio web estando el envío en estado Pendiente": /Sending/{cod} and /Document/{cod}
/// write the device to the trace while pending, and not after.
#[tokio::test]
async fn detail_and_document_record_the_device_while_pending() {
    let (sb, clock) = manual_sandbox().await;
    templates(&sb, &clock).await;
    let code = create(&sb, &clock, &multi_sending(json!({})))
        .await
        .remove(0);
    let device = |os: &str, version: &str, id: &str| {
        json!({"OsName": os, "OSVersion": version, "Model": "", "Username": "", "DeviceID": id})
            .to_string()
    };
    let detail = format!("/send/Sending/{code}02");
    let document = format!("/send/Document/{code}01");
    // Reject in between: the sending is no longer pending, and what is sent after that is
    // "irrelevante".
    let reject =
        json!({"Operacion": "R", "DatoAuxiliar": "No procede", "OsName": "Edge", "OSVersion": "1"})
            .to_string();
    let respond = format!("/send/AddresseeResponse/{code}03");
    for (path, body) in [
        (&detail, device("iphone", "13.4.1", "B47D69F9")),
        (&document, device("Chrome", "72.0", "192.0.2.7")),
        (&respond, reject),
        (&detail, device("Firefox", "99.0", "after")),
        (&document, device("Opera", "12", "after")),
    ] {
        let a = send(&sb, &clock, Method::POST, path, &body).await;
        assert_eq!(a.status, 200, "{path}: {}", text(&a));
    }
    let trace = send(&sb, &clock, Method::GET, &format!("/send/Trace/{code}"), "").await;
    assert_eq!(trace.status, 200);
    let t = trace_text(&trace);
    assert!(
        t.contains("Envio consultado por 666777888 desde iphone 13.4.1, B47D69F9"),
        "{t}"
    );
    assert!(
        t.contains("Documento obtenido por 666666666 desde Chrome 72.0, 192.0.2.7"),
        "{t}"
    );
    assert!(
        t.contains("Rechazado por 666111222 desde Edge 1: No procede"),
        "{t}"
    );
    assert!(!t.contains("Firefox") && !t.contains("Opera"), "{t}");
    sb.shutdown().await;
}

/// The MD5 of `bytes` by the system's `md5sum`.
fn md5sum(bytes: &[u8]) -> String {
    let mut child = Command::new("md5sum")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("md5sum (coreutils)");
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), bytes).unwrap();
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    String::from_utf8(out.stdout)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned()
}

/// "CodHash: Código hash MD5 generado a partir del contenido del archivo pdf"; "Adjuntos:
/// Al usar este servicio web esta propiedad esta vacía" (DocsEnvio lists them);
/// "Documento: Al usar este servicio web esta propiedad estará vacía".
#[tokio::test]
async fn detail_has_the_md5_and_empty_adjuntos() {
    let (sb, clock) = manual_sandbox().await;
    templates(&sb, &clock).await;
    let code = create(
        &sb,
        &clock,
        &multi_sending(json!({"Adjuntos": "DNI, Nomina"})),
    )
    .await
    .remove(0);
    let d = send(
        &sb,
        &clock,
        Method::POST,
        &format!("/send/Sending/{code}"),
        "{}",
    )
    .await
    .json();
    assert_eq!(d["CodHash"], md5sum(&real_pdf()));
    assert_eq!(d["Adjuntos"], "");
    assert_eq!(d["Documento"], "");
    let kinds: Vec<&str> = d["DocsEnvio"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["TipoAdjunto"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.len(), 6, "two per recipient: {d}");
    assert!(kinds.contains(&"DNI") && kinds.contains(&"Nomina"));
    // A recipient's code narrows DocsEnvio and Destinatarios to that recipient.
    let d2 = send(
        &sb,
        &clock,
        Method::POST,
        &format!("/send/Sending/{code}02"),
        "{}",
    )
    .await
    .json();
    assert!(
        d2["DocsEnvio"]
            .as_array()
            .unwrap()
            .iter()
            .all(|x| x["IdDestinatario"] == 2)
    );
    assert_eq!(d2["Destinatarios"].as_array().unwrap().len(), 1);
    sb.shutdown().await;
}

/// Webhook bodies carry `Properties` as the guide's schema shows, are signed over the
/// exact bytes, and each event is its own delivery: the last signature of a
/// multi-signature sending gives two deliveries in a row ("se generarán dos eventos
/// seguidos"), the recipient's and then the whole sending's (id2 0).
#[tokio::test]
async fn webhook_bodies_and_the_last_signature() {
    let (sb, clock) = manual_sandbox().await;
    templates(&sb, &clock).await;
    let (url, log) = raw_receiver().await;
    subscribe(&sb, &clock, &url, "A,F,R,C").await;
    let code = create(
        &sb,
        &clock,
        &multi_sending(json!({"Receptores": "666666666,666777888", "ConPrioridad": true})),
    )
    .await
    .remove(0);
    for r in ["01", "02"] {
        let a = send(
            &sb,
            &clock,
            Method::POST,
            &format!("/send/AddresseeResponse/{code}{r}"),
            &sign_body(),
        )
        .await;
        assert_eq!(a.status, 200, "{}", text(&a));
    }
    let ds = deliveries(&log, 3).await;
    assert_eq!(ds.len(), 3, "three deliveries: {ds:?}");
    assert_eq!(
        all_events(&ds),
        [
            ("F".to_owned(), code.clone(), 1),
            ("F".to_owned(), code.clone(), 2),
            ("F".to_owned(), code, 0),
        ]
    );
    let secret = WebhookSecret::new(sb.firmadoc_credentials().expose_secret()).unwrap();
    let mut ids = Vec::new();
    for d in &ds {
        let body = String::from_utf8(d.body.clone()).unwrap();
        assert!(body.contains("\r\n  \"Properties\": {},\r\n"), "{body}");
        // The sender's key order: Id, Attempt, Properties, Notifications.
        let at: Vec<usize> = [
            "\"Id\"",
            "\"Attempt\"",
            "\"Properties\"",
            "\"Notifications\"",
        ]
        .iter()
        .map(|k| body.find(k).unwrap())
        .collect();
        assert!(at.windows(2).all(|w| w[0] < w[1]), "{body}");
        assert_eq!(d.events().len(), 1);
        assert_eq!(d.signature, secret.sign(&d.body));
        ids.push(d.json()["Id"].as_str().unwrap().to_owned());
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 3, "each delivery has its own Id");
    sb.shutdown().await;
}
