//! Webhook delivery, the ASP.NET WebHooks "Custom" sender (see
//! `../shared/reference/webhooks-fixtures.md`): the body is indented JSON with CRLF line
//! breaks, signed `ms-signature: sha256=<HEX>` (HMAC-SHA256 keyed with the UTF-8 consumer
//! secret, upper-case hex); one delivery keeps its `Id` across attempts while `Attempt`
//! counts 1, 2, 3. The sandbox retries after short delays instead of 1 and 4 minutes.
//!
//! **One event, one delivery.** The guide calls what reaches the WebHook an event
//! ("FirmaDocumentos genera varios eventos que son enviados al WebHook"; `/Test/evento`
//! "Provoca que se genere el evento indicado ... y se envíe al WebHook", and its Fiddler
//! capture shows one evento as one request). When the last recipient of a multi-signature
//! sending signs, "se generarán dos eventos seguidos": two events, one after the other,
//! so two deliveries (each with its own `Id` and one notification), in that order. That
//! they are not one delivery with two notifications is **inferred** from those words; a
//! receiver that handles every notification of every delivery (as the guide's C# sample
//! does) reads both shapes the same.

use std::time::Duration;

use bytes::Bytes;
use http::{Method, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use serde::Serialize;
use tokio::sync::mpsc;

use crate::random::Ids;

/// How long one HTTP exchange with the receiver may take.
const EXCHANGE_TIMEOUT: Duration = Duration::from_secs(10);

/// One event of a delivery, in the sender's key order.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Notification {
    #[serde(rename = "Action")]
    pub(crate) action: String,
    pub(crate) id: String,
    pub(crate) id2: i64,
    pub(crate) date: String,
    pub(crate) comment: String,
}

#[derive(Serialize)]
struct Body<'a> {
    #[serde(rename = "Id")]
    id: &'a str,
    #[serde(rename = "Attempt")]
    attempt: u32,
    /// The guide's schema shows `"Properties": {}`; the ASP.NET sender copies the WebHook's
    /// properties there, and FirmaDocumentos registers none.
    #[serde(rename = "Properties")]
    properties: serde_json::Map<String, serde_json::Value>,
    #[serde(rename = "Notifications")]
    notifications: &'a [Notification],
}

/// What the delivery worker takes.
#[derive(Debug)]
pub(crate) struct Job {
    pub(crate) url: String,
    pub(crate) secret: crate::redacted::Redacted,
    pub(crate) notification: Notification,
}

/// One attempt, as recorded for tests and the demo.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeliveryAttempt {
    /// The delivery's `Id`.
    pub id: String,
    /// `Attempt`: 1, 2 or 3.
    pub attempt: u32,
    /// The event code (`A`, `F`, `R`, `C`).
    pub action: String,
    /// The receiver's status, or `None` when it could not be reached.
    pub status: Option<u16>,
}

/// The body bytes: Newtonsoft's `JObject.ToString()` layout (2 spaces, CRLF).
pub(crate) fn body_bytes(id: &str, attempt: u32, notifications: &[Notification]) -> Vec<u8> {
    let value = Body {
        id,
        attempt,
        properties: serde_json::Map::new(),
        notifications,
    };
    let text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.replace('\n', "\r\n").into_bytes()
}

/// `sha256=<HEX>` of `body` keyed with `secret`.
pub(crate) fn signature(secret: &str, body: &[u8]) -> String {
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret.as_bytes());
    let tag = ring::hmac::sign(&key, body);
    let mut out = String::from("sha256=");
    for b in tag.as_ref() {
        out.push_str(&format!("{b:02X}"));
    }
    out
}

/// Delivers jobs one after the other (events keep their order), each up to
/// `1 + delays.len()` times.
pub(crate) async fn worker(
    mut jobs: mpsc::UnboundedReceiver<Job>,
    ids: std::sync::Arc<Ids>,
    delays: Vec<Duration>,
    log: std::sync::Arc<std::sync::Mutex<Vec<DeliveryAttempt>>>,
) {
    while let Some(job) = jobs.recv().await {
        let id = ids.hex(16);
        let notifications = [job.notification];
        for attempt in 1..=(delays.len() as u32 + 1) {
            let body = body_bytes(&id, attempt, &notifications);
            let sig = signature(job.secret.expose(), &body);
            let status = exchange(
                Method::POST,
                &job.url,
                &[
                    ("content-type", "application/json; charset=utf-8"),
                    ("ms-signature", &sig),
                ],
                body,
            )
            .await
            .ok()
            .map(|(s, _)| s);
            log.lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push(DeliveryAttempt {
                    id: id.clone(),
                    attempt,
                    action: notifications[0].action.clone(),
                    status: status.map(|s| s.as_u16()),
                });
            // Any 2xx is a success; 410 Gone stops delivery (ASP.NET WebHooks sender).
            if status.is_some_and(|s| s.is_success() || s == StatusCode::GONE) {
                break;
            }
            if let Some(wait) = delays.get(attempt as usize - 1) {
                tokio::time::sleep(*wait).await;
            }
        }
    }
}

/// The echo handshake: GET the URL with its query replaced by `echo=<value>`; the answer
/// must be 2xx with exactly the value. Skipped when the URL has a `noecho` parameter.
pub(crate) async fn verify_echo(url: &str, ids: &Ids) -> Result<(), String> {
    let mut parsed = url::Url::parse(url).map_err(|e| format!("la url no es válida: {e}"))?;
    if parsed
        .query_pairs()
        .any(|(k, _)| k.eq_ignore_ascii_case("noecho"))
    {
        return Ok(());
    }
    let echo = ids.hex(16);
    parsed.set_query(Some(&format!("echo={echo}")));
    let (status, body) = exchange(Method::GET, parsed.as_str(), &[], Vec::new()).await?;
    if !status.is_success() {
        return Err(format!(
            "la url del WebHook respondió {status} a la verificación echo"
        ));
    }
    if body != echo.as_bytes() {
        return Err("la url del WebHook no devolvió el valor echo en la verificación".into());
    }
    Ok(())
}

/// One HTTP/1.1 exchange over plain TCP (webhook receivers of the sandbox are on loopback).
async fn exchange(
    method: Method,
    url: &str,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> Result<(StatusCode, Bytes), String> {
    let parsed = url::Url::parse(url).map_err(|e| format!("la url no es válida: {e}"))?;
    if parsed.scheme() != "http" {
        return Err("el sandbox sólo entrega WebHooks por http (en loopback)".into());
    }
    let host = parsed.host_str().ok_or("la url no tiene host")?.to_owned();
    let port = parsed.port_or_known_default().unwrap_or(80);
    let path_and_query = match parsed.query() {
        Some(q) => format!("{}?{q}", parsed.path()),
        None => parsed.path().to_owned(),
    };
    let work = async move {
        let stream = tokio::net::TcpStream::connect((host.as_str(), port))
            .await
            .map_err(|e| format!("no se pudo conectar con el WebHook: {e}"))?;
        let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| format!("error HTTP con el WebHook: {e}"))?;
        tokio::spawn(conn);
        let mut req = http::Request::builder()
            .method(method)
            .uri(path_and_query)
            .header(http::header::HOST, format!("{host}:{port}"));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let req = req
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| format!("petición no válida: {e}"))?;
        let resp = sender
            .send_request(req)
            .await
            .map_err(|e| format!("error HTTP con el WebHook: {e}"))?;
        let status = resp.status();
        let bytes = resp
            .into_body()
            .collect()
            .await
            .map_err(|e| format!("error leyendo la respuesta del WebHook: {e}"))?
            .to_bytes();
        Ok((status, bytes))
    };
    tokio::time::timeout(EXCHANGE_TIMEOUT, work)
        .await
        .map_err(|_| "el WebHook no respondió a tiempo".to_owned())?
}

#[cfg(test)]
mod tests {
    /// The upstream ASP.NET WebHooks vector (webhooks-fixtures.md 1.7): the body as the
    /// sender writes it and the signature it puts in `ms-signature`.
    #[test]
    fn aspnet_custom_vector() {
        let body = "{\r\n  \"Id\": \"1234567890\",\r\n  \"Attempt\": 1,\r\n  \"Properties\": {\r\n    \"p1\": \"pv1\"\r\n  },\r\n  \"Notifications\": [\r\n    {\r\n      \"Action\": \"a1\",\r\n      \"d1\": \"dv1\"\r\n    },\r\n    {\r\n      \"Action\": \"a1\",\r\n      \"d2\": \"http://localhost\"\r\n    }\r\n  ]\r\n}";
        // The secret of that test (WebHookManagerTests.CreateWebHook), 48 characters.
        assert_eq!(
            super::signature(
                "123456789012345678901234567890123456789012345678",
                body.as_bytes()
            ),
            "sha256=DCDEB62502988CDEDE464AF6A97566D61288C446CFC46F74F341E11173FF30A1"
        );
    }

    #[test]
    fn body_layout_is_newtonsoft_indented() {
        let n = super::Notification {
            action: "F".into(),
            id: "AB12C".into(),
            id2: 0,
            date: "2026-01-01T00:00:00".into(),
            comment: String::new(),
        };
        let body = String::from_utf8(super::body_bytes("x", 2, &[n])).unwrap();
        assert!(body.starts_with("{\r\n  \"Id\": \"x\",\r\n  \"Attempt\": 2,\r\n  \"Properties\": {},\r\n  \"Notifications\": [\r\n    {\r\n      \"Action\": \"F\",\r\n"));
    }
}
