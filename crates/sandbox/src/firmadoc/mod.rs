//! The FirmaDocumentos 1.9 side: OAuth 1.0 checks, templates, sendings and their states,
//! document and trace, admin calls, webhooks. What each behaviour quotes from the guide,
//! and what is inferred, is in `docs/sandbox-firmadoc.md`.

mod certificate;
mod code;
mod fields;
mod recipient;
mod sending;
mod state;
mod template;
mod views;
pub(crate) mod webhook;

use std::sync::{Arc, Mutex, MutexGuard, Once, PoisonError};
use std::time::Duration;

use http::{Method, StatusCode};
use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::civil::iso_datetime;
use crate::random::Ids;
use crate::redacted::Redacted;
use crate::server::{Handler, Req, Resp, json, respond};
use crate::{Clock, SandboxConfig};
use fields::Refusal;
use state::{EXPIRED, Inner, PENDING};
pub use webhook::DeliveryAttempt;

/// How often the sandbox looks for sendings whose `DiasCaducidad` ran out, with no call
/// needed: expiry happens on time, on the sandbox clock.
const EXPIRY_TICK: Duration = Duration::from_millis(100);

/// The FirmaDocumentos state.
#[derive(Debug)]
pub(crate) struct Firmadoc {
    clock: Arc<dyn Clock>,
    ids: Arc<Ids>,
    key: String,
    secret: Redacted,
    window: u64,
    base: String,
    inner: Mutex<Inner>,
    jobs: mpsc::UnboundedSender<webhook::Job>,
    expiry: Once,
    pub(crate) deliveries: Arc<Mutex<Vec<DeliveryAttempt>>>,
}

impl Firmadoc {
    pub(crate) fn new(config: &SandboxConfig, ids: Arc<Ids>, base: String) -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        let deliveries = Arc::new(Mutex::new(Vec::new()));
        tokio::spawn(webhook::worker(
            rx,
            ids.clone(),
            config.webhook_retry_delays.clone(),
            deliveries.clone(),
        ));
        Self {
            clock: config.clock.clone(),
            ids,
            key: config.firmadoc_consumer_key.clone(),
            secret: Redacted(config.firmadoc_consumer_secret.clone()),
            window: config.oauth_window.as_secs(),
            base,
            inner: Mutex::new(Inner {
                budget: config.firmadoc_budget,
                ..Inner::default()
            }),
            jobs: tx,
            expiry: Once::new(),
            deliveries,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The request handler. The first call also starts the expiry timer, which lives as
    /// long as the service does.
    pub(crate) fn handler(self: Arc<Self>) -> Handler {
        self.expiry.call_once(|| {
            let weak = Arc::downgrade(&self);
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(EXPIRY_TICK).await;
                    let Some(this) = weak.upgrade() else { break };
                    this.expire_due();
                }
            });
        });
        Arc::new(move |req| {
            let this = self.clone();
            Box::pin(async move { this.route(req).await })
        })
    }

    async fn route(&self, req: Req) -> Resp {
        if let Err(reason) = self.authenticate(&req) {
            // ASP.NET Web API's answer to a refused authorization; the reason is a sandbox
            // extra (it never holds a secret or a signature).
            let mut r = json(
                StatusCode::UNAUTHORIZED,
                &json!({"Message": "Authorization has been denied for this request."}),
            );
            if let Ok(v) = http::HeaderValue::from_str(&reason) {
                r.headers_mut().insert("x-sandbox-reason", v);
            }
            return r;
        }
        // The clock may have passed a deadline since the last tick.
        self.expire_due();
        let segments = req.segments();
        let seg: Vec<&str> = segments.iter().map(String::as_str).collect();
        let lower: Vec<String> = seg.iter().map(|s| s.to_ascii_lowercase()).collect();
        let lower: Vec<&str> = lower.iter().map(String::as_str).collect();
        let body = &req.body;
        let result = match (&req.method, lower.as_slice()) {
            (&Method::POST, ["send", "template"]) => self.set_template(body),
            (&Method::POST, ["send", "sending"]) => self.create_sending(body),
            (&Method::POST, ["send", "sending", _]) => self.detail(seg[2], body),
            (&Method::POST, ["send", "document", _]) => self.document(seg[2], body),
            (&Method::POST, ["send", "attachment", _]) => self.attachment(seg[2], body),
            (&Method::POST, ["send", "addresseeresponse", _]) => self.respond(seg[2], body),
            (&Method::GET | &Method::POST, ["send", "trace", _]) => self.trace(seg[2]),
            (&Method::GET, ["admin", "summary", from, to]) => self.summary(from, to),
            (&Method::GET, ["admin", "budget"]) => {
                Ok(json(StatusCode::OK, &json!(self.lock().budget)))
            }
            (&Method::GET | &Method::POST, ["admin", "users"]) => self.create_user(body),
            (&Method::POST, ["webhooks", "subscribe"]) => self.subscribe(body).await,
            (&Method::POST, ["webhooks", "unsubscribe"]) => {
                self.lock().subscription = None;
                Ok(ok_empty())
            }
            (&Method::POST, ["webhooks", "test", _]) => self.test_event(seg[2]),
            _ => {
                return json(
                    StatusCode::NOT_FOUND,
                    &json!({"Message": format!("No HTTP resource was found that matches the request URI '{}'.", req.path)}),
                );
            }
        };
        result.unwrap_or_else(|Refusal(message)| {
            json(StatusCode::IM_A_TEAPOT, &Value::String(message))
        })
    }

    /// OAuth 1.0 (RFC 5849) with `oauth1_sign::verify`: the URL is rebuilt from the `Host`
    /// header the client sent, so `localhost` and `127.0.0.1` both work. The signature may
    /// come as the guide's Postman example sends it (raw `+` and `/`, only `=` escaped):
    /// `verify` reads a `+` that a form decoder made a space back as `+`.
    fn authenticate(&self, req: &Req) -> Result<(), String> {
        let (scheme, bound) = self.base.split_once("://").unwrap_or(("http", &self.base));
        let host = req.header("host").unwrap_or(bound);
        let mut url = format!("{scheme}://{host}{}", req.path);
        if let Some(q) = &req.query {
            url.push('?');
            url.push_str(q);
        }
        let body = oauth1_sign::Body::from_content_type(req.header("content-type"), &req.body);
        let mut view = oauth1_sign::Request::new(req.method.as_str(), &url).body(body);
        if let Some(a) = req.header("authorization") {
            view = view.authorization(a);
        }
        let now = self.clock.unix();
        let mut options = oauth1_sign::VerifyOptions::new(now);
        options.window = self.window;
        let window = self.window;
        oauth1_sign::verify(
            &view,
            &options,
            |key, token| {
                if key == self.key && token.is_none() {
                    oauth1_sign::Credentials::new(self.key.clone(), self.secret.expose().to_owned())
                        .ok()
                } else {
                    None
                }
            },
            |v| {
                let mut inner = self.lock();
                inner.nonces.retain(|_, ts| ts.abs_diff(now) <= window);
                inner
                    .nonces
                    .insert(
                        (v.consumer_key.clone(), v.nonce.clone(), v.timestamp),
                        v.timestamp,
                    )
                    .is_none()
            },
        )
        .map(|_| ())
        .map_err(|e| e.to_string())
    }

    /// Marks every pending sending whose `DiasCaducidad` has run out as expired and fires
    /// event `C` for it: "Cuando transcurran los días indicados en esta propiedad sin que
    /// el envío haya sido completamente firmado ... su estado pasará a ser caducado".
    pub(crate) fn expire_due(&self) {
        let now = self.clock.unix();
        let expired: Vec<String> = {
            let mut inner = self.lock();
            let mut codes = Vec::new();
            for r in inner.sendings.values_mut() {
                if r.state == PENDING && now >= r.deadline() {
                    r.state = EXPIRED;
                    r.trace.push(format!(
                        "{} UTC  Envio caducado ({} dias sin completarse)",
                        iso_datetime(r.deadline()),
                        r.data.days
                    ));
                    codes.push(r.code.clone());
                }
            }
            codes.sort();
            codes
        };
        for code in expired {
            self.emit('C', &code, 0, "");
        }
    }

    /// Queues an event for the subscribed URL, if it wants that event. Each event is its
    /// own delivery (see `webhook`).
    fn emit(&self, event: char, code: &str, id2: u8, comment: &str) {
        let Some((url, events)) = self.lock().subscription.clone() else {
            return;
        };
        if !events.contains(&event) {
            return;
        }
        let _ = self.jobs.send(webhook::Job {
            url,
            secret: self.secret.clone(),
            notification: webhook::Notification {
                action: event.to_string(),
                id: code.to_owned(),
                id2: i64::from(id2),
                date: iso_datetime(self.clock.unix()),
                comment: comment.to_owned(),
            },
        });
    }
}

fn ok_empty() -> Resp {
    respond(StatusCode::OK, "application/json; charset=utf-8", "")
}

/// A fresh 5-character code, upper-case letters and digits, like `XJH29`.
fn envelope_code(ids: &Ids) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    ids.hex(5)
        .as_bytes()
        .chunks(2)
        .map(|h| {
            let v = u8::from_str_radix(std::str::from_utf8(h).unwrap_or("0"), 16).unwrap_or(0);
            char::from(ALPHABET[usize::from(v) % ALPHABET.len()])
        })
        .collect()
}
