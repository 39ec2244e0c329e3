//! The webhook receiver: upstream vectors, header spellings, echo, serving.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use firmadoc_client::model::WebhookDelivery;
use firmadoc_client::webhook::{
    Receiver, Rejection, WebhookSecret, echo, verify_delivery, verify_signature,
};
use http::{HeaderMap, HeaderValue, Method, StatusCode};

/// Upstream vector V1 (ASP.NET WebHookSenderTests): secret, CRLF-indented body, signature.
const V1_SECRET: &str = "123456789012345678901234567890123456789012345678";
const V1_BODY: &str = "{\r\n  \"Id\": \"1234567890\",\r\n  \"Attempt\": 1,\r\n  \"Properties\": {\r\n    \"p1\": \"pv1\"\r\n  },\r\n  \"Notifications\": [\r\n    {\r\n      \"Action\": \"a1\",\r\n      \"d1\": \"dv1\"\r\n    },\r\n    {\r\n      \"Action\": \"a1\",\r\n      \"d2\": \"http://localhost\"\r\n    }\r\n  ]\r\n}";
const V1_SIG: &str = "DCDEB62502988CDEDE464AF6A97566D61288C446CFC46F74F341E11173FF30A1";

/// Upstream vector V2 (CustomWebHookReceiverTests): same body with a trailing slash.
const V2_SECRET: &str = "12345678901234567890123456789012";
const V2_SIG: &str = "4C91105A750277500A032BEF74774CB6A82D37AE5B423F20B8C0B6D151339680";

fn v2_body() -> String {
    V1_BODY.replace("http://localhost\"", "http://localhost/\"")
}

fn check(secret: &str, header: &str, body: &[u8]) -> Result<(), Rejection> {
    verify_signature(
        &WebhookSecret::new(secret).unwrap(),
        [header.as_bytes()],
        body,
    )
}

#[test]
fn upstream_vectors() {
    assert_eq!(v2_body().len(), 240);
    assert_eq!(V1_BODY.len(), 239);
    assert_eq!(
        check(V1_SECRET, &format!("sha256={V1_SIG}"), V1_BODY.as_bytes()),
        Ok(())
    );
    assert_eq!(
        check(V2_SECRET, &format!("sha256={V2_SIG}"), v2_body().as_bytes()),
        Ok(())
    );
    // Lower-case hex is accepted too.
    assert_eq!(
        check(
            V2_SECRET,
            &format!("sha256={}", V2_SIG.to_lowercase()),
            v2_body().as_bytes()
        ),
        Ok(())
    );
    // Our own signer produces the upstream header exactly.
    assert_eq!(
        WebhookSecret::new(V1_SECRET)
            .unwrap()
            .sign(V1_BODY.as_bytes()),
        format!("sha256={V1_SIG}")
    );
    // One byte changed, or re-serialised compactly: refused.
    assert_eq!(
        check(V1_SECRET, &format!("sha256={V1_SIG}"), v2_body().as_bytes()),
        Err(Rejection::Mismatch)
    );
    let compact =
        serde_json::to_vec(&serde_json::from_str::<serde_json::Value>(V1_BODY).unwrap()).unwrap();
    assert_eq!(
        check(V1_SECRET, &format!("sha256={V1_SIG}"), &compact),
        Err(Rejection::Mismatch)
    );
}

#[test]
fn header_spelling_table() {
    let body = v2_body();
    for spelling in [
        "sha256={}",
        " sha256={}",
        "sha256 ={}",
        "sha256= {}",
        " sha256 = {}",
        "SHA256={}",
    ] {
        let header = spelling.replace("{}", V2_SIG);
        assert_eq!(
            check(V2_SECRET, &header, body.as_bytes()),
            Ok(()),
            "{header:?}"
        );
    }
    for bad in ["", "=", "==", "invalid", "sha256", "sha256=", "k1=v1;k2=v2"] {
        assert_eq!(
            check(V2_SECRET, bad, body.as_bytes()),
            Err(Rejection::HeaderFormat),
            "{bad:?}"
        );
    }
    assert_eq!(
        check(V2_SECRET, "sha256=invalid", body.as_bytes()),
        Err(Rejection::NotHex)
    );
    assert_eq!(
        check(V2_SECRET, "sha256=696E76616C6964", body.as_bytes()),
        Err(Rejection::Mismatch)
    );
    let secret = WebhookSecret::new(V2_SECRET).unwrap();
    assert_eq!(
        verify_signature(&secret, [], body.as_bytes()),
        Err(Rejection::HeaderCount(0))
    );
    let h = format!("sha256={V2_SIG}");
    assert_eq!(
        verify_signature(&secret, [h.as_bytes(), h.as_bytes()], body.as_bytes()),
        Err(Rejection::HeaderCount(2))
    );
}

/// 32 to 128 characters is the ASP.NET receiver's rule, not the service's: any
/// other length is a warning, and the secret still signs and verifies. Only an
/// empty secret is refused.
#[test]
fn secret_length_is_a_warning_and_redaction() {
    assert_eq!(
        WebhookSecret::new("").unwrap_err(),
        Rejection::SecretLength(0)
    );
    for short_or_long in ["short".to_owned(), "x".repeat(129)] {
        let s = WebhookSecret::new(short_or_long.as_str()).unwrap();
        let warning = s.length_warning().unwrap();
        assert!(warning.contains("32 to 128"), "{warning}");
        assert!(
            !warning.contains(&short_or_long),
            "the warning holds the secret"
        );
        let sig = s.sign(b"{}");
        assert_eq!(verify_signature(&s, [sig.as_bytes()], b"{}"), Ok(()));
    }
    assert!(
        WebhookSecret::new("x".repeat(128))
            .unwrap()
            .length_warning()
            .is_none()
    );
    assert!(
        WebhookSecret::new("x".repeat(32))
            .unwrap()
            .length_warning()
            .is_none()
    );
    let s = WebhookSecret::new(V2_SECRET).unwrap();
    assert_eq!(format!("{s:?}"), "[redacted]");
}

fn signed_headers(secret: &WebhookSecret, body: &[u8]) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(
        "ms-signature",
        HeaderValue::from_str(&secret.sign(body)).unwrap(),
    );
    headers
}

/// A verified body the model cannot type (`id2` as a string, an unknown
/// `Action`, not JSON at all, no `Id`) is acknowledged, handed to the handler
/// with its raw body, and de-duplicated: by `Id`, else by the body less its
/// `Attempt`.
#[tokio::test]
async fn verified_but_untyped_deliveries_are_never_lost() {
    let secret = WebhookSecret::new(V2_SECRET).unwrap();
    let got = Arc::new(std::sync::Mutex::new(Vec::<WebhookDelivery>::new()));
    let g2 = Arc::clone(&got);
    let receiver = Receiver::new(secret.clone(), move |d: WebhookDelivery| {
        let g2 = Arc::clone(&g2);
        async move {
            g2.lock().unwrap().push(d);
            Ok(())
        }
    });
    let id2_string = r#"{"Id":"u1","Attempt":1,"Notifications":[{"Action":"F","id":"XJH29","id2":"2","date":"x","comment":""},{"Action":"F","id":"XJH29","id2":0}]}"#;
    let unknown_action =
        r#"{"Id":"u2","Attempt":1,"Notifications":[{"Action":"Z","id":"XJH29","id2":0}]}"#;
    let no_id_1 = r#"{"Attempt":1,"Notifications":[{"Action":"F","id":"XJH29","id2":"x"}]}"#;
    let no_id_2 = r#"{"Attempt":2,"Notifications":[{"Action":"F","id":"XJH29","id2":"x"}]}"#;
    let not_json = "Action=F&id=XJH29";
    for body in [
        id2_string,
        id2_string,
        unknown_action,
        no_id_1,
        no_id_2,
        not_json,
        not_json,
    ] {
        let r = receiver
            .handle(
                &Method::POST,
                None,
                &signed_headers(&secret, body.as_bytes()),
                body.as_bytes(),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{body}");
    }
    let got = got.lock().unwrap().clone();
    // id2_string once, unknown_action once, the two no-Id attempts once, not_json once.
    assert_eq!(got.len(), 4, "{got:#?}");
    let first = &got[0];
    assert_eq!(first.id, "u1");
    let untyped = first.untyped.as_ref().unwrap();
    assert_eq!(untyped.raw, id2_string.as_bytes());
    assert!(
        untyped.reason.contains("invalid type"),
        "{}",
        untyped.reason
    );
    // The notification that reads on its own is kept typed.
    assert_eq!(first.notifications.len(), 1);
    assert_eq!(first.notifications[0].id2, Some(0));
    // An unknown Action is kept as received, typed.
    assert!(got[1].is_typed());
    assert_eq!(
        got[1].notifications[0].action.as_ref().unwrap().as_str(),
        "Z"
    );
    assert_eq!(got[2].id, "");
    assert_eq!(got[2].untyped.as_ref().unwrap().raw, no_id_1.as_bytes());
    assert_eq!(got[3].untyped.as_ref().unwrap().raw, not_json.as_bytes());
    // Serialised (as `webhook serve` writes it), the raw body comes along.
    let line = serde_json::to_value(first).unwrap();
    assert_eq!(line["untyped"]["raw"], id2_string);
    // A forged untyped body is still refused.
    let mut forged = signed_headers(&secret, b"{}");
    forged.insert("ms-signature", HeaderValue::from_static("sha256=00"));
    let r = receiver
        .handle(&Method::POST, None, &forged, not_json.as_bytes())
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

#[test]
fn echo_table() {
    assert_eq!(echo(Some("echo=1234567890")).unwrap(), "1234567890");
    for bad in [None, Some(""), Some("echo="), Some("invalid")] {
        assert_eq!(echo(bad), Err(Rejection::MissingEcho), "{bad:?}");
    }
}

/// The two-event multi-signature case: the last recipient signs, and one
/// delivery carries the recipient's signature and the whole sending's.
#[tokio::test]
async fn multi_signature_last_signature_two_events() {
    let body = r#"{"Id":"0f8fad5bd9cb469fa16570867728950e","Attempt":1,"Notifications":[{"Action":"F","id":"XJH29","id2":2,"date":"23/11/2026 10:00:00","comment":""},{"Action":"F","id":"XJH29","id2":0,"date":"23/11/2026 10:00:00","comment":""}]}"#;
    let secret = WebhookSecret::new(V2_SECRET).unwrap();
    let mut headers = HeaderMap::new();
    headers.insert(
        "ms-signature",
        HeaderValue::from_str(&secret.sign(body.as_bytes())).unwrap(),
    );
    let d = verify_delivery(&secret, &headers, body.as_bytes()).unwrap();
    assert_eq!(d.notifications.len(), 2);
    assert_eq!(d.notifications[0].id2, Some(2));
    assert_eq!(d.notifications[1].id2, Some(0));

    let seen = Arc::new(AtomicUsize::new(0));
    let s2 = Arc::clone(&seen);
    let receiver = Receiver::new(secret, move |d: WebhookDelivery| {
        let s2 = Arc::clone(&s2);
        async move {
            s2.fetch_add(d.notifications.len(), Ordering::SeqCst);
            Ok(())
        }
    });
    let r = receiver
        .handle(&Method::POST, None, &headers, body.as_bytes())
        .await;
    assert_eq!(r.status, StatusCode::OK);
    // The retry of the same delivery is acknowledged without a second call.
    let r = receiver
        .handle(&Method::POST, None, &headers, body.as_bytes())
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(seen.load(Ordering::SeqCst), 2);
    // A forged one never reaches the handler.
    let mut forged = headers.clone();
    forged.insert("ms-signature", HeaderValue::from_static("sha256=00"));
    let r = receiver
        .handle(&Method::POST, None, &forged, body.as_bytes())
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(seen.load(Ordering::SeqCst), 2);
}

/// A failing handler gets 500 and the retry is handled.
#[tokio::test]
async fn handler_failure_is_retried() {
    let body = r#"{"Id":"abc","Attempt":1,"Notifications":[{"Action":"R","id":"AAAAA","id2":0,"date":"x","comment":"no"}]}"#;
    let secret = WebhookSecret::new(V2_SECRET).unwrap();
    let mut headers = HeaderMap::new();
    headers.insert(
        "ms-signature",
        HeaderValue::from_str(&secret.sign(body.as_bytes())).unwrap(),
    );
    let calls = Arc::new(AtomicUsize::new(0));
    let c2 = Arc::clone(&calls);
    let receiver = Receiver::new(secret, move |_d: WebhookDelivery| {
        let n = c2.fetch_add(1, Ordering::SeqCst);
        async move {
            if n == 0 {
                Err("disk full".into())
            } else {
                Ok(())
            }
        }
    });
    assert_eq!(
        receiver
            .handle(&Method::POST, None, &headers, body.as_bytes())
            .await
            .status,
        StatusCode::INTERNAL_SERVER_ERROR
    );
    assert_eq!(
        receiver
            .handle(&Method::POST, None, &headers, body.as_bytes())
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

/// The hyper server: echo, a verified delivery, a body over the limit, and
/// graceful shutdown.
#[tokio::test]
async fn serve_over_loopback() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let secret = WebhookSecret::new(V2_SECRET).unwrap();
    let count = Arc::new(AtomicUsize::new(0));
    let c2 = Arc::clone(&count);
    let receiver = Receiver::new(secret.clone(), move |_d: WebhookDelivery| {
        c2.fetch_add(1, Ordering::SeqCst);
        async { Ok(()) }
    })
    .max_body(4096);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(receiver.serve(listener, async move {
        let _ = stop_rx.await;
    }));

    async fn raw(addr: std::net::SocketAddr, req: String) -> String {
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        s.write_all(req.as_bytes()).await.unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).await.unwrap();
        out
    }
    let r = raw(
        addr,
        "GET /hook?echo=abc123 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".into(),
    )
    .await;
    assert!(
        r.starts_with("HTTP/1.1 200") && r.ends_with("abc123"),
        "{r}"
    );
    let body = r#"{"Id":"1","Attempt":1,"Notifications":[{"Action":"A","id":"AAAAA","id2":0,"date":"d","comment":""}]}"#;
    let req = format!(
        "POST /hook HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nms-signature: {}\r\nContent-Length: {}\r\n\r\n{body}",
        secret.sign(body.as_bytes()),
        body.len()
    );
    assert!(raw(addr, req).await.starts_with("HTTP/1.1 200"));
    let big = "x".repeat(5000);
    let req = format!(
        "POST /hook HTTP/1.1\r\nHost: x\r\nConnection: close\r\nms-signature: sha256=00\r\nContent-Length: {}\r\n\r\n{big}",
        big.len()
    );
    assert!(raw(addr, req).await.starts_with("HTTP/1.1 413"));
    assert_eq!(count.load(Ordering::SeqCst), 1);
    stop_tx.send(()).unwrap();
    server.await.unwrap().unwrap();
}
