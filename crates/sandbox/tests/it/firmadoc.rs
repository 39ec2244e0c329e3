//! FirmaDocumentos: the real `firmadoc-client` against the sandbox, raw requests signed by
//! `oauth1-sign` for the refusals, and webhooks received by `firmadoc-client`'s verifier.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use firmadoc_client::model::{
    Country, DeviceInfo, EventSet, Orientation, Page, PageFormat, RecipientAction,
    RecipientResponse, Sending, SendingCode, SendingKind, SendingState, SignatureImage,
    SignatureKind, SignaturePlacement, Template, TemplateRef, WebhookDelivery, WebhookEvent,
    WebhookSubscription,
};
use firmadoc_client::webhook::{Receiver, WebhookSecret};
use firmadoc_client::{Client, ClientConfig, Credentials, Environment, Error};
use http::Method;
use sandbox::{Clock, Sandbox};

use crate::common::{Answer, PDF, PNG, base64_pdf, call, manual_sandbox};

pub(crate) fn client(sb: &Sandbox, secret: &str) -> Client {
    let creds = sb.firmadoc_credentials();
    let mut config = ClientConfig::new(
        Environment::Custom(sb.firmadoc_url()),
        Credentials::new(creds.consumer_key, secret.to_owned()).unwrap(),
    );
    config.transport = http_transport::TransportConfig::default().allow_plain_http(true);
    Client::new(config).unwrap()
}

/// The sendings left, as `client` reads them from `/admin/Budget`.
pub(crate) async fn budget(client: &Client) -> i64 {
    client
        .budget()
        .await
        .unwrap()
        .into_typed("budget")
        .unwrap()
        .0
}

pub(crate) fn good_client(sb: &Sandbox) -> Client {
    client(sb, sb.firmadoc_credentials().expose_secret())
}

/// A webhook receiver (firmadoc-client's) that records deliveries; the first `failures`
/// deliveries are answered with an error, so the sandbox retries.
pub(crate) async fn receiver(
    sb: &Sandbox,
    failures: usize,
) -> (
    String,
    Arc<Mutex<Vec<WebhookDelivery>>>,
    tokio::sync::oneshot::Sender<()>,
) {
    let got = Arc::new(Mutex::new(Vec::new()));
    let seen = got.clone();
    let calls = Arc::new(Mutex::new(0usize));
    let secret = WebhookSecret::new(sb.firmadoc_credentials().expose_secret()).unwrap();
    let recv = Receiver::new(secret, move |d: WebhookDelivery| {
        let seen = seen.clone();
        let calls = calls.clone();
        async move {
            let n = {
                let mut c = calls.lock().unwrap();
                *c += 1;
                *c
            };
            if n <= failures {
                return Err("not now".into());
            }
            seen.lock().unwrap().push(d);
            Ok(())
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "http://{}/api/webhooks/incoming/custom",
        listener.local_addr().unwrap()
    );
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(recv.serve(listener, async move {
        let _ = rx.await;
    }));
    (url, got, tx)
}

pub(crate) async fn wait_for(
    got: &Arc<Mutex<Vec<WebhookDelivery>>>,
    n: usize,
) -> Vec<WebhookDelivery> {
    for _ in 0..100 {
        if got.lock().unwrap().len() >= n {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    got.lock().unwrap().clone()
}

pub(crate) fn events(ds: &[WebhookDelivery]) -> Vec<(String, Option<String>, Option<i64>)> {
    ds.iter()
        .flat_map(|d| d.notifications.iter())
        .map(|n| {
            (
                n.action
                    .as_ref()
                    .map(|a| a.as_str().to_owned())
                    .unwrap_or_default(),
                n.id.clone(),
                n.id2,
            )
        })
        .collect()
}

/// Signs and sends a raw call, as a client built on nothing but `oauth1-sign` would.
pub(crate) async fn raw(
    sb: &Sandbox,
    secret: &str,
    method: Method,
    path: &str,
    body: &str,
) -> Answer {
    let now = crate::common::wall_clock()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    crate::firmadoc_rules::signed_call(sb, secret, now, false, method, path, body).await
}

pub(crate) fn two_signer_template() -> Template {
    Template::builder("Two signers")
        .orientation(Orientation::Vertical)
        .page_format(PageFormat::A4)
        .signature_size(2.0, 5.0)
        .multi_signature(2)
        .placement(SignaturePlacement::signature_at(1, Page::new(1).unwrap(), 2.0, 3.0).unwrap())
        .placement(SignaturePlacement::signature_at(2, Page::new(1).unwrap(), 9.0, 3.0).unwrap())
        .build()
        .unwrap()
}

pub(crate) fn sign() -> RecipientResponse {
    RecipientResponse::new(
        RecipientAction::Sign(SignatureImage::new(PNG).unwrap()),
        DeviceInfo::default(),
    )
    .unwrap()
}

#[tokio::test]
async fn multi_signature_cycle_with_the_real_client() {
    let (sb, _) = manual_sandbox().await;
    let c = good_client(&sb);
    let (url, got, stop) = receiver(&sb, 0).await;
    c.subscribe(&WebhookSubscription::new(url, "A,F,R,C".parse::<EventSet>().unwrap()).unwrap())
        .await
        .unwrap();
    let template = two_signer_template();
    c.set_template(&template).await.unwrap();
    let sending = Sending::builder()
        .subject("Contract 2026/17")
        .sender("ACME Legal")
        .recipients(["ana@example.es", "luis@example.es"])
        .sending_kind(SendingKind::Email)
        .signature_kind(SignatureKind::Handwritten)
        .expiry_days(10)
        .multi_signature(true)
        .priority(true)
        .country(Country::Spain)
        .template(&template)
        .document_pdf(PDF)
        .build()
        .unwrap();
    let created = c
        .create_sending(&sending)
        .await
        .unwrap()
        .into_typed("create_sending")
        .unwrap();
    assert_eq!(created.len(), 1);
    let envelope = created[0].envelope_code().unwrap();
    let code = SendingCode::from(envelope);

    let detail = c
        .sending_detail(&code, &DeviceInfo::default())
        .await
        .unwrap()
        .into_typed("sending_detail")
        .unwrap();
    assert_eq!(
        detail.state.as_ref().and_then(|s| s.known()),
        Some(SendingState::Pending)
    );
    assert_eq!(detail.recipient_states.len(), 2);
    // The sender's look at the document (5 characters) is nobody's opening; recipient 1's is.
    assert_eq!(
        c.document(&code, &DeviceInfo::default())
            .await
            .unwrap()
            .bytes,
        PDF
    );
    let second = SendingCode::parse(&format!("{}02", envelope.as_str())).unwrap();
    let first = SendingCode::parse(&format!("{}01", envelope.as_str())).unwrap();
    assert_eq!(
        c.document(&first, &DeviceInfo::default())
            .await
            .unwrap()
            .bytes,
        PDF
    );

    // Priority: recipient 2 may not sign before recipient 1.
    match c.respond(&second, &sign()).await {
        Err(Error::Service { message, .. }) => assert!(message.contains("prioridad"), "{message}"),
        other => panic!("expected a 418, got {other:?}"),
    }
    c.respond(&first, &sign()).await.unwrap();
    c.respond(&second, &sign()).await.unwrap();
    match c.respond(&second, &sign()).await {
        Err(Error::Service { message, .. }) => assert!(message.contains("firmado"), "{message}"),
        other => panic!("expected a 418, got {other:?}"),
    }

    let detail = c
        .sending_detail(&code, &DeviceInfo::default())
        .await
        .unwrap()
        .into_typed("sending_detail")
        .unwrap();
    assert_eq!(
        detail.state.as_ref().and_then(|s| s.known()),
        Some(SendingState::Signed)
    );
    assert!(detail.signed_at.is_some());
    let trace = c.trace(&envelope).await.unwrap().bytes;
    assert!(trace.starts_with(b"%PDF-") && trace.ends_with(b"%%EOF\n"));

    // Opened, recipient 1 signed, recipient 2 signed, then the whole sending signed.
    let ds = wait_for(&got, 4).await;
    let e = envelope.as_str().to_owned();
    assert_eq!(
        events(&ds),
        [
            ("A".to_owned(), Some(e.clone()), Some(1)),
            ("F".to_owned(), Some(e.clone()), Some(1)),
            ("F".to_owned(), Some(e.clone()), Some(2)),
            ("F".to_owned(), Some(e), Some(0)),
        ]
    );
    assert!(ds.iter().all(|d| d.attempt == 1));

    assert_eq!(budget(&c).await, 999);
    let today = time::OffsetDateTime::now_utc().date();
    let summary = c
        .summary(
            today - time::Duration::days(1),
            today + time::Duration::days(1),
        )
        .await
        .unwrap()
        .into_typed("summary")
        .unwrap();
    assert_eq!((summary.sent, summary.signed), (1, 1));
    let user = c
        .create_user(
            &firmadoc_client::model::NewUser::new(
                "Ana",
                "ana@example.es",
                firmadoc_client::model::LengthPolicy::Reject,
            )
            .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(user.email.as_deref(), Some("ana@example.es"));

    c.test_webhook(WebhookEvent::Rejected).await.unwrap();
    let ds = wait_for(&got, 5).await;
    assert_eq!(events(&ds[4..])[0].0, "R");
    let _ = stop.send(());
    sb.shutdown().await;
}

#[tokio::test]
async fn single_signature_sendings_split_and_reject() {
    let (sb, _) = manual_sandbox().await;
    let c = good_client(&sb);
    let (url, got, stop) = receiver(&sb, 0).await;
    c.subscribe(&WebhookSubscription::new(url, "R".parse::<EventSet>().unwrap()).unwrap())
        .await
        .unwrap();
    let template = Template::builder("One signer")
        .orientation(Orientation::Vertical)
        .page_format(PageFormat::A4)
        .signature_size(2.0, 5.0)
        .placement(SignaturePlacement::signature_at(0, Page::new(1).unwrap(), 2.0, 3.0).unwrap())
        .build()
        .unwrap();
    c.set_template(&template).await.unwrap();
    let sending = Sending::builder()
        .subject("Invoice")
        .sender("ACME")
        .recipients(["ana@example.es", "luis@example.es"])
        .sending_kind(SendingKind::Email)
        .expiry_days(1)
        .country(Country::Spain)
        .template(TemplateRef::single("One signer"))
        .attachment("DNI")
        .document_pdf(PDF)
        .build()
        .unwrap();
    let created = c
        .create_sending(&sending)
        .await
        .unwrap()
        .into_typed("create_sending")
        .unwrap();
    assert_eq!(
        created.len(),
        2,
        "one sending per recipient when not multi-signature"
    );
    let code = SendingCode::from(created[1].envelope_code().unwrap());

    // The requested attachment is listed and can be uploaded; another id cannot.
    let d = c
        .sending_detail(&code, &DeviceInfo::default())
        .await
        .unwrap()
        .into_typed("sending_detail")
        .unwrap();
    assert_eq!(d.attachments.len(), 1);
    assert_eq!(d.attachments[0].kind.as_deref(), Some("DNI"));
    assert_eq!(d.attachments[0].recipient, Some(0));
    let id = i32::try_from(d.attachments[0].id).unwrap();
    let upload = firmadoc_client::model::AttachmentUpload::new(id, 1, 1, PNG, "dni.png");
    c.upload_attachment(&code, &upload).await.unwrap();
    let other = firmadoc_client::model::AttachmentUpload::new(id + 100, 1, 1, PNG, "dni.png");
    match c.upload_attachment(&code, &other).await {
        Err(Error::Service { message, .. }) => assert!(message.contains("adjunto"), "{message}"),
        other => panic!("expected a 418, got {other:?}"),
    }
    let reject = RecipientResponse::new(
        RecipientAction::Reject {
            reason: "Importe erróneo".into(),
        },
        DeviceInfo::default(),
    )
    .unwrap();
    c.respond(&code, &reject).await.unwrap();
    let d = c
        .sending_detail(&code, &DeviceInfo::default())
        .await
        .unwrap()
        .into_typed("sending_detail")
        .unwrap();
    assert_eq!(
        d.state.as_ref().and_then(|s| s.known()),
        Some(SendingState::Rejected)
    );
    assert_eq!(d.rejection_reason.as_deref(), Some("Importe erróneo"));
    let ds = wait_for(&got, 1).await;
    assert_eq!(
        ds[0].notifications[0].comment.as_deref(),
        Some("Importe erróneo")
    );
    let _ = stop.send(());
    sb.shutdown().await;
}

#[tokio::test]
async fn expired_sending_refuses_signatures() {
    let (sb, clock) = manual_sandbox().await;
    good_client(&sb)
        .set_template(&two_signer_template())
        .await
        .unwrap();
    let creds = sb.firmadoc_credentials();
    let signer = oauth1_sign::Signer::new(
        oauth1_sign::Credentials::new(creds.consumer_key.clone(), creds.expose_secret().to_owned())
            .unwrap(),
    );
    // Requests signed with the sandbox's (manual) clock, so that it can move days on.
    let send = |path: String, body: String| {
        let url = format!("{}{path}", sb.firmadoc_url());
        let now = clock.unix();
        let signed = signer
            .sign_with(
                &oauth1_sign::Request::new("POST", &url).body(oauth1_sign::Body::Opaque),
                now,
                oauth1_sign::random_nonce,
            )
            .unwrap();
        async move {
            call(
                Method::POST,
                signed.url(),
                &[("content-type", "text/plain")],
                body,
            )
            .await
        }
    };
    let body = serde_json::json!({
        "Asunto": "x", "Emisor": "y", "Receptores": "ana@example.es,luis@example.es", "TipoEnvio": "E",
        "DiasCaducidad": 1, "Multifirma": true, "ConPrioridad": false, "Pais": "España",
        "Plantilla": "Two signers", "Documento": base64_pdf(), "Adjuntos": ""
    });
    let a = send("/send/Sending".into(), body.to_string()).await;
    assert_eq!(a.status, 200, "{}", String::from_utf8_lossy(&a.body));
    let code = a.json()[0]["CodEnvio"].as_str().unwrap().to_owned();
    let a = send(format!("/send/Sending/{code}"), "{}".into()).await;
    assert_eq!(a.json()["Estado"], "P");
    clock.advance(Duration::from_secs(86_400));
    let a = send(format!("/send/Sending/{code}"), "{}".into()).await;
    assert_eq!(a.json()["Estado"], "C");
    let response = serde_json::to_string(&sign()).unwrap();
    let a = send(format!("/send/AddresseeResponse/{code}01"), response).await;
    assert_eq!(a.status, 418);
    assert!(
        a.json().as_str().unwrap().contains("caducado"),
        "{}",
        a.json()
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn wrong_signature_is_401() {
    let (sb, _) = manual_sandbox().await;
    let bad = client(&sb, "not-the-secret-not-the-secret-not-the-secret");
    assert!(matches!(
        bad.budget().await,
        Err(Error::Authentication { .. })
    ));
    let a = raw(
        &sb,
        "not-the-secret-not-the-secret-not-the-secret",
        Method::GET,
        "/admin/Budget",
        "",
    )
    .await;
    assert_eq!(a.status, 401);
    assert!(
        a.header("x-sandbox-reason")
            .contains("signature does not match"),
        "{}",
        a.header("x-sandbox-reason")
    );
    // An unsigned call.
    let a = call(
        Method::GET,
        &format!("{}/admin/Budget", sb.firmadoc_url()),
        &[],
        "",
    )
    .await;
    assert_eq!(a.status, 401);
    // The right secret works.
    assert_eq!(budget(&good_client(&sb)).await, 1000);
    sb.shutdown().await;
}

#[tokio::test]
async fn timestamp_outside_the_window_and_replayed_nonce_are_401() {
    let (sb, clock) = manual_sandbox().await;
    let secret = sb.firmadoc_credentials().expose_secret().to_owned();
    // The sandbox's clock runs 10 minutes ahead of the client's: outside the 300 s window.
    clock.advance(Duration::from_secs(600));
    assert!(matches!(
        good_client(&sb).budget().await,
        Err(Error::Authentication { .. })
    ));
    let a = raw(&sb, &secret, Method::GET, "/admin/Budget", "").await;
    assert_eq!(a.status, 401);
    assert!(
        a.header("x-sandbox-reason")
            .contains("away from the server clock"),
        "{}",
        a.header("x-sandbox-reason")
    );
    clock.set(crate::common::wall_clock());

    // The same signed URL twice: the nonce is a replay.
    let creds = sb.firmadoc_credentials();
    let signer = oauth1_sign::Signer::new(
        oauth1_sign::Credentials::new(creds.consumer_key, secret).unwrap(),
    );
    let url = format!("{}/admin/Budget", sb.firmadoc_url());
    let signed = signer
        .sign_now(&oauth1_sign::Request::new("GET", &url))
        .unwrap();
    assert_eq!(call(Method::GET, signed.url(), &[], "").await.status, 200);
    let again = call(Method::GET, signed.url(), &[], "").await;
    assert_eq!(again.status, 401);
    assert!(
        again.header("x-sandbox-reason").contains("replay"),
        "{}",
        again.header("x-sandbox-reason")
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn multi_signature_by_link_is_418_in_spanish() {
    let (sb, _) = manual_sandbox().await;
    good_client(&sb)
        .set_template(&two_signer_template())
        .await
        .unwrap();
    let body = serde_json::json!({
        "Asunto": "Enlace", "Emisor": "ACME", "Receptores": "Ana,Luis", "TipoEnvio": "L",
        "DiasCaducidad": 5, "Multifirma": true, "ConPrioridad": false, "Pais": "España",
        "Plantilla": "Two signers", "Documento": base64_pdf(), "Adjuntos": ""
    });
    let a = raw(
        &sb,
        sb.firmadoc_credentials().expose_secret(),
        Method::POST,
        "/send/Sending",
        &body.to_string(),
    )
    .await;
    assert_eq!(a.status, 418);
    assert_eq!(
        a.json(),
        "El envío por enlace no es compatible con envíos multifirma."
    );
    // The same by link, not multi-signature, is fine and returns the signing URL.
    let mut single = body.clone();
    single["Multifirma"] = false.into();
    single["Plantilla"] = "Two signers".into();
    let a = raw(
        &sb,
        sb.firmadoc_credentials().expose_secret(),
        Method::POST,
        "/send/Sending",
        &single.to_string(),
    )
    .await;
    assert_eq!(a.status, 200, "{}", String::from_utf8_lossy(&a.body));
    assert!(
        a.json()[0]["UrlEnvio"]
            .as_str()
            .unwrap()
            .starts_with("http://127.0.0.1:")
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn webhook_retries_keep_the_id_and_count_attempts() {
    let (sb, _) = manual_sandbox().await;
    let c = good_client(&sb);
    let (url, got, stop) = receiver(&sb, 2).await;
    c.subscribe(&WebhookSubscription::new(url, EventSet::all()).unwrap())
        .await
        .unwrap();
    c.test_webhook(WebhookEvent::Signed).await.unwrap();
    let ds = wait_for(&got, 1).await;
    assert_eq!(ds.len(), 1);
    assert_eq!(ds[0].attempt, 3);
    // The sandbox logs an attempt once it has the answer, just after the handler ran.
    let mut attempts = sb.webhook_attempts();
    for _ in 0..100 {
        if attempts.len() >= 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        attempts = sb.webhook_attempts();
    }
    assert_eq!(attempts.len(), 3);
    assert!(attempts.iter().all(|a| a.id == ds[0].id));
    assert_eq!(
        attempts.iter().map(|a| a.attempt).collect::<Vec<_>>(),
        [1, 2, 3]
    );
    assert_eq!(
        attempts.iter().map(|a| a.status).collect::<Vec<_>>(),
        [Some(500), Some(500), Some(200)]
    );
    let _ = stop.send(());

    // After Unsubscribe there is nowhere to send a test event.
    c.unsubscribe().await.unwrap();
    match c.test_webhook(WebhookEvent::Signed).await {
        Err(Error::Service { message, .. }) => assert!(message.contains("WebHook"), "{message}"),
        other => panic!("expected a 418, got {other:?}"),
    }

    // A URL that does not answer the echo handshake cannot be subscribed.
    let dead = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let dead_url = format!("http://{}/hook", dead.local_addr().unwrap());
    drop(dead);
    match c
        .subscribe(&WebhookSubscription::new(dead_url, EventSet::all()).unwrap())
        .await
    {
        Err(Error::Service { message, .. }) => assert!(message.contains("WebHook"), "{message}"),
        other => panic!("expected a 418, got {other:?}"),
    }
    sb.shutdown().await;
}

#[tokio::test]
async fn a_seed_makes_codes_reproducible() {
    let mut codes = Vec::new();
    for _ in 0..2 {
        let mut config = sandbox::SandboxConfig::default();
        config.id_seed = Some(42);
        let sb = Sandbox::start(config).await.unwrap();
        let c = good_client(&sb);
        c.set_template(&two_signer_template()).await.unwrap();
        let sending = Sending::builder()
            .subject("Seeded")
            .sender("ACME")
            .recipients(["ana@example.es", "luis@example.es"])
            .sending_kind(SendingKind::Email)
            .expiry_days(3)
            .multi_signature(true)
            .country(Country::Spain)
            .template(&two_signer_template())
            .document_pdf(PDF)
            .build()
            .unwrap();
        codes.push(
            c.create_sending(&sending)
                .await
                .unwrap()
                .into_typed("create_sending")
                .unwrap()[0]
                .code
                .clone(),
        );
        sb.shutdown().await;
    }
    assert_eq!(codes[0], codes[1]);
}
