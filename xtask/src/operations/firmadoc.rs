//! The FirmaDocumentos side: which client call each operation name makes,
//! and how its outcome is written as JSON.

use firmadoc_client::model::{
    AttachmentUpload, DeviceInfo, EnvelopeCode, NewUser, RecipientResponse, Sending, SendingCode,
    Template, WebhookDelivery, WebhookEvent, WebhookSubscription,
};
use firmadoc_client::webhook::{Receiver, WebhookSecret};
use firmadoc_client::{Client, ClientConfig, Credentials, Environment, Error};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use sha2::Digest as _;

use crate::Result;

/// The test credentials every firmadoc scenario is signed with. They are not
/// real, and they never appear in `fixtures/` (the tidy test checks).
pub(crate) const CONSUMER_KEY: &str = "contract-test-consumer-key";
pub(crate) const CONSUMER_SECRET: &str = "contract-test-consumer-secret-0123456789";

/// Every operation the contract covers: each public async method of
/// `firmadoc_client::Client`, plus the webhook receiver.
pub(crate) const OPERATIONS: &[&str] = &[
    "set_template",
    "create_sending",
    "sending_detail",
    "document",
    "document_to_file",
    "document_checked",
    "document_checked_to_file",
    "upload_attachment",
    "respond",
    "trace",
    "trace_to_file",
    "summary",
    "budget",
    "create_user",
    "create_user_with_method",
    "subscribe",
    "unsubscribe",
    "test_webhook",
    "webhook_receive",
];

pub(crate) fn client(base_url: &str) -> Result<Client> {
    let mut config = ClientConfig::new(
        Environment::Custom(base_url.to_owned()),
        Credentials::new(CONSUMER_KEY, CONSUMER_SECRET)?,
    );
    config.transport = config
        .transport
        .allow_plain_http(true)
        .retry_policy(http_transport::RetryPolicy::never());
    Ok(Client::new(config)?)
}

fn input<T: DeserializeOwned>(inputs: &Value, name: &str) -> Result<T> {
    let v = inputs
        .get(name)
        .cloned()
        .ok_or_else(|| format!("case.json inputs lack `{name}`"))?;
    Ok(serde_json::from_value(v).map_err(|e| format!("case.json input `{name}`: {e}"))?)
}

fn code(inputs: &Value) -> Result<SendingCode> {
    Ok(SendingCode::parse(&input::<String>(inputs, "code")?)?)
}

fn device(inputs: &Value) -> Result<DeviceInfo> {
    match inputs.get("device") {
        Some(_) => input(inputs, "device"),
        None => Ok(DeviceInfo::default()),
    }
}

fn date(inputs: &Value, name: &str) -> Result<time::Date> {
    let s: String = input(inputs, name)?;
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    Ok(time::Date::parse(&s, &fmt).map_err(|e| format!("input `{name}`: {e}"))?)
}

/// The outcome of a client call, as JSON.
pub(crate) fn outcome<T: Serialize>(r: std::result::Result<T, Error>) -> Value {
    match r {
        Ok(v) => json!({ "ok": serde_json::to_value(v).unwrap_or(Value::Null) }),
        Err(e) => error_json(&e),
    }
}

/// A tolerant reply: typed under `ok`, or the raw body under `raw`.
fn reply_outcome<T: Serialize>(r: std::result::Result<firmadoc_client::Reply<T>, Error>) -> Value {
    match r {
        Ok(firmadoc_client::Reply::Typed(v)) => outcome::<T>(Ok(v)),
        Ok(other) => json!({ "raw": other.raw_text().unwrap_or_default() }),
        Err(e) => error_json(&e),
    }
}

fn download_outcome(r: std::result::Result<firmadoc_client::Download, Error>) -> Value {
    match r {
        Ok(d) if !d.base64 => json!({"raw": String::from_utf8_lossy(&d.bytes)}),
        r => bytes_outcome(r.map(|d| d.bytes)),
    }
}

fn bytes_outcome(r: std::result::Result<Vec<u8>, Error>) -> Value {
    outcome(r.map(|b| json!({"len": b.len(), "sha256": hex::encode(sha2::Sha256::digest(&b))})))
}

/// The file a `*_to_file` call wrote, read back for the outcome.
fn read_back(target: std::path::PathBuf) -> std::result::Result<Vec<u8>, Error> {
    std::fs::read(&target).map_err(|e| Error::Io {
        path: target,
        source: e,
    })
}

fn error_json(e: &Error) -> Value {
    match e {
        Error::Authentication { .. } => json!({"error": "authentication"}),
        Error::Service { message, .. } => json!({"error": "service", "message": message}),
        Error::Status { status, .. } => json!({"error": "status", "status": status.as_u16()}),
        Error::Reply { .. } => json!({"error": "reply"}),
        Error::Integrity { .. } => json!({"error": "integrity"}),
        Error::Model(_) | Error::Code(_) => json!({"error": "invalid-input"}),
        Error::Transport(_) => json!({"error": "transport"}),
        _ => json!({"error": "other", "message": e.to_string()}),
    }
}

/// Runs `operation` against the mock at `base_url`.
pub(crate) async fn run(base_url: &str, operation: &str, inputs: &Value) -> Result<Value> {
    let c = client(base_url)?;
    Ok(match operation {
        "set_template" => outcome(
            c.set_template(&input::<Template>(inputs, "template")?)
                .await,
        ),
        "create_sending" => reply_outcome(
            c.create_sending(&input::<Sending>(inputs, "sending")?)
                .await,
        ),
        "sending_detail" => reply_outcome(c.sending_detail(&code(inputs)?, &device(inputs)?).await),
        "document" => download_outcome(c.document(&code(inputs)?, &device(inputs)?).await),
        "document_to_file" => {
            let dir = tempfile::tempdir()?;
            let target = dir.path().join("document.pdf");
            let r = c
                .document_to_file(&code(inputs)?, &device(inputs)?, &target)
                .await;
            bytes_outcome(r.and_then(|_| read_back(target)))
        }
        "document_checked" => download_outcome(
            c.document_checked(
                &code(inputs)?,
                &device(inputs)?,
                inputs.get("cod_hash").and_then(Value::as_str),
            )
            .await,
        ),
        "document_checked_to_file" => {
            let dir = tempfile::tempdir()?;
            let target = dir.path().join("document.pdf");
            let r = c
                .document_checked_to_file(
                    &code(inputs)?,
                    &device(inputs)?,
                    inputs.get("cod_hash").and_then(Value::as_str),
                    &target,
                )
                .await;
            bytes_outcome(r.and_then(|_| read_back(target)))
        }
        "upload_attachment" => outcome(
            c.upload_attachment(
                &code(inputs)?,
                &input::<AttachmentUpload>(inputs, "upload")?,
            )
            .await,
        ),
        "respond" => outcome(
            c.respond(
                &code(inputs)?,
                &input::<RecipientResponse>(inputs, "response")?,
            )
            .await,
        ),
        "trace" => download_outcome(
            c.trace(&EnvelopeCode::parse(&input::<String>(inputs, "code")?)?)
                .await,
        ),
        "trace_to_file" => {
            let dir = tempfile::tempdir()?;
            let target = dir.path().join("trace.pdf");
            let r = c
                .trace_to_file(
                    &EnvelopeCode::parse(&input::<String>(inputs, "code")?)?,
                    &target,
                )
                .await;
            bytes_outcome(r.and_then(|_| read_back(target)))
        }
        "summary" => reply_outcome(c.summary(date(inputs, "from")?, date(inputs, "to")?).await),
        "budget" => reply_outcome(c.budget().await),
        "create_user" => outcome(c.create_user(&input::<NewUser>(inputs, "user")?).await),
        "create_user_with_method" => {
            let method: String = input(inputs, "method")?;
            let method = http::Method::from_bytes(method.as_bytes())
                .map_err(|e| format!("input `method`: {e}"))?;
            outcome(
                c.create_user_with_method(&input::<NewUser>(inputs, "user")?, method)
                    .await,
            )
        }
        "subscribe" => outcome(
            c.subscribe(&input::<WebhookSubscription>(inputs, "subscription")?)
                .await,
        ),
        "unsubscribe" => outcome(c.unsubscribe().await),
        "test_webhook" => {
            let e: String = input(inputs, "event")?;
            let event = match e.as_str() {
                "A" => WebhookEvent::Opened,
                "F" => WebhookEvent::Signed,
                "R" => WebhookEvent::Rejected,
                "C" => WebhookEvent::Expired,
                other => return Err(format!("input `event`: unknown event code {other}").into()),
            };
            outcome(c.test_webhook(event).await)
        }
        other => return Err(format!("unknown firmadoc operation `{other}`").into()),
    })
}

/// The webhook direction: the recorded request is what the service delivers.
/// It is signed here with the test secret (no signature is stored), handed to
/// the receiver, and the outcome is the reply status and the parsed delivery.
pub(crate) async fn receive(headers: &http::HeaderMap, body: &[u8]) -> Result<Value> {
    let secret = WebhookSecret::new(CONSUMER_SECRET)?;
    let mut headers = headers.clone();
    headers.insert(
        "ms-signature",
        http::HeaderValue::from_str(&secret.sign(body))?,
    );
    let taken = std::sync::Arc::new(std::sync::Mutex::new(Vec::<WebhookDelivery>::new()));
    let t2 = std::sync::Arc::clone(&taken);
    let receiver = Receiver::new(secret, move |d: WebhookDelivery| {
        t2.lock().map(|mut v| v.push(d)).ok();
        async { Ok(()) }
    });
    let reply = receiver
        .handle(&http::Method::POST, None, &headers, body)
        .await;
    let deliveries = taken.lock().map(|v| v.clone()).unwrap_or_default();
    Ok(json!({"status": reply.status.as_u16(), "deliveries": deliveries}))
}
