//! The FirmaDocumentos 1.9 side: OAuth 1.0 checks, templates, sendings and their states,
//! document and trace, admin calls, webhooks.

pub(crate) mod webhook;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use firmadoc_model::{
    EventSet, NewUser, RecipientAction, RecipientResponse, RecipientState, Sending, SendingCode,
    SendingKind, SendingState, SignatureKind, Template, WebhookEvent, WebhookSubscription,
};
use http::{Method, StatusCode};
use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::civil::{iso_date, iso_datetime};
use crate::random::Ids;
use crate::redacted::Redacted;
use crate::server::{Handler, Req, Resp, json, respond};
use crate::{Clock, SandboxConfig};
pub use webhook::DeliveryAttempt;

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
    pub(crate) deliveries: Arc<Mutex<Vec<DeliveryAttempt>>>,
}

#[derive(Debug, Default)]
struct Inner {
    /// (consumer key, nonce, timestamp) -> timestamp, kept for the timestamp window.
    nonces: HashMap<(String, String, u64), u64>,
    templates: HashMap<String, Template>,
    sendings: HashMap<String, Record>,
    next_id: i64,
    next_doc: i64,
    subscription: Option<(String, EventSet)>,
    budget: i64,
}

/// A sending as the service keeps it.
#[derive(Debug, Clone)]
struct Record {
    id: i64,
    code: String,
    sending: Sending,
    /// The recipients this sending is for (all of them when multi-signature, one otherwise).
    recipients: Vec<Recipient>,
    state: SendingState,
    sent_at: u64,
    signed_at: Option<u64>,
    rejected_at: Option<u64>,
    rejection_reason: Option<String>,
    pdf: Vec<u8>,
    opened: bool,
    trace: Vec<String>,
    /// Requested attachments (`DocsEnvio`): id, kind, recipient (0 when not multi-signature),
    /// received.
    attachments: Vec<(i64, String, i64, bool)>,
}

#[derive(Debug, Clone)]
struct Recipient {
    address: String,
    state: RecipientState,
    date: Option<u64>,
    reason: Option<String>,
}

/// A 418 with the service's (Spanish) message.
struct Refusal(String);

impl<S: Into<String>> From<S> for Refusal {
    fn from(s: S) -> Self {
        Self(s.into())
    }
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
            deliveries,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The request handler.
    pub(crate) fn handler(self: Arc<Self>) -> Handler {
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
        let segments = req.segments();
        let seg: Vec<&str> = segments.iter().map(String::as_str).collect();
        let lower: Vec<String> = seg.iter().map(|s| s.to_ascii_lowercase()).collect();
        let lower: Vec<&str> = lower.iter().map(String::as_str).collect();
        let result = match (&req.method, lower.as_slice()) {
            (&Method::POST, ["send", "template"]) => self.set_template(&req.body),
            (&Method::POST, ["send", "sending"]) => self.create_sending(&req.body),
            (&Method::POST, ["send", "sending", _]) => self.detail(seg[2]),
            (&Method::POST, ["send", "document", _]) => self.document(seg[2]),
            (&Method::POST, ["send", "attachment", _]) => self.attachment(seg[2], &req.body),
            (&Method::POST, ["send", "addresseeresponse", _]) => self.respond(seg[2], &req.body),
            (&Method::GET, ["send", "trace", _]) => self.trace(seg[2]),
            (&Method::GET, ["admin", "summary", from, to]) => self.summary(from, to),
            (&Method::GET, ["admin", "budget"]) => {
                Ok(json(StatusCode::OK, &json!(self.lock().budget)))
            }
            (&Method::GET | &Method::POST, ["admin", "users"]) => self.create_user(&req.body),
            (&Method::POST, ["webhooks", "subscribe"]) => self.subscribe(&req.body).await,
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
    /// header the client sent, so `localhost` and `127.0.0.1` both work.
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

    fn set_template(&self, body: &[u8]) -> Result<Resp, Refusal> {
        let template: Template =
            serde_json::from_slice(body).map_err(|e| format!("La plantilla no es válida: {e}"))?;
        self.lock()
            .templates
            .insert(template.name().to_owned(), template);
        Ok(ok_empty())
    }

    fn create_sending(&self, body: &[u8]) -> Result<Resp, Refusal> {
        let raw: Value = serde_json::from_slice(body)
            .map_err(|e| format!("El cuerpo de la petición no es un JSON válido: {e}"))?;
        let text = |k: &str| raw.get(k).and_then(Value::as_str).unwrap_or_default();
        let multi = raw
            .get("Multifirma")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        // The rules the guide states, with its own words.
        if multi && text("TipoEnvio") == "L" {
            return Err("El envío por enlace no es compatible con envíos multifirma.".into());
        }
        if multi && text("TipoFirma") == "C" {
            return Err(
                "La firma mediante certificado digital no es compatible con los envíos multifirma."
                    .into(),
            );
        }
        if text("TipoFirma") == "O" && text("TipoEnvio") == "L" {
            return Err(
                "La firma mediante código de verificación OTP no es compatible con los envíos mediante Link o enlace.".into(),
            );
        }
        let sending: Sending = serde_json::from_value(raw.clone())
            .map_err(|e| format!("Los datos del envío no son válidos: {e}"))?;
        let pdf = sending
            .document()
            .decode()
            .ok()
            .filter(|d| d.starts_with(b"%PDF-"))
            .ok_or("El documento no es un PDF válido codificado en base64.")?;
        let now = self.clock.unix();
        let mut inner = self.lock();
        let template = inner
            .templates
            .get(sending.template())
            .ok_or_else(|| format!("La plantilla '{}' no existe.", sending.template()))?;
        if multi && !template.is_multi_signature() {
            return Err(
                "No se puede indicar una plantilla que no sea multifirma en un envío multifirma."
                    .into(),
            );
        }
        if multi && sending.recipients().len() > usize::from(template.recipient_count()) {
            return Err(format!(
                "La plantilla '{}' es para {} destinatarios y el envío tiene {}.",
                template.name(),
                template.recipient_count(),
                sending.recipients().len()
            )
            .into());
        }
        let groups: Vec<Vec<String>> = if multi {
            vec![sending.recipients().to_vec()]
        } else {
            sending
                .recipients()
                .iter()
                .map(|r| vec![r.clone()])
                .collect()
        };
        if inner.budget < groups.len() as i64 {
            return Err("No dispone de envíos suficientes en su plan contratado.".into());
        }
        inner.budget -= groups.len() as i64;
        let mut reply = Vec::new();
        for group in groups {
            inner.next_id += 1;
            let recipient_ids: Vec<i64> = if multi {
                (1..=group.len() as i64).collect()
            } else {
                vec![0]
            };
            let mut attachments = Vec::new();
            for kind in sending.attachments() {
                for r in &recipient_ids {
                    inner.next_doc += 1;
                    attachments.push((inner.next_doc, kind.clone(), *r, false));
                }
            }
            let code = loop {
                let c = envelope_code(&self.ids);
                if !inner.sendings.contains_key(&c) {
                    break c;
                }
            };
            let url = (sending.sending_kind() == SendingKind::Link)
                .then(|| format!("{}/firmar/{code}", self.base));
            reply.push(json!({"IdEnvio": inner.next_id, "CodEnvio": code, "UrlEnvio": url}));
            let record = Record {
                id: inner.next_id,
                code: code.clone(),
                sending: sending.clone(),
                recipients: group
                    .into_iter()
                    .map(|address| Recipient {
                        address,
                        state: RecipientState::Pending,
                        date: None,
                        reason: None,
                    })
                    .collect(),
                state: SendingState::Pending,
                sent_at: now,
                signed_at: None,
                rejected_at: None,
                rejection_reason: None,
                pdf: pdf.clone(),
                opened: false,
                attachments,
                trace: vec![format!(
                    "{} UTC  Envio creado ({} destinatarios)",
                    iso_datetime(now),
                    sending.recipients().len()
                )],
            };
            inner.sendings.insert(code, record);
        }
        Ok(json(StatusCode::OK, &Value::Array(reply)))
    }

    /// Finds a sending by a 5- or 7-character code; expires it first if its days ran out.
    fn find(&self, code: &str) -> Result<(String, Option<u8>), Refusal> {
        let parsed = SendingCode::parse(code)
            .map_err(|e| format!("El código del envío no es válido: {e}"))?;
        let (envelope, recipient) = match parsed {
            SendingCode::Envelope(e) => (e.as_str().to_owned(), None),
            SendingCode::Recipient(r) => {
                (r.envelope().as_str().to_owned(), Some(r.recipient().get()))
            }
        };
        let now = self.clock.unix();
        let mut expired = None;
        {
            let mut inner = self.lock();
            let record = inner
                .sendings
                .get_mut(&envelope)
                .ok_or_else(|| format!("No existe ningún envío con el código {envelope}."))?;
            if let Some(r) = recipient
                && usize::from(r) > record.recipients.len()
            {
                return Err(format!("El envío {envelope} no tiene el destinatario {r}.").into());
            }
            let deadline = record.sent_at + u64::from(record.sending.expiry_days().get()) * 86_400;
            if record.state == SendingState::Pending && now >= deadline {
                record.state = SendingState::Expired;
                record
                    .trace
                    .push(format!("{} UTC  Envio caducado", iso_datetime(now)));
                expired = Some(record.code.clone());
            }
        }
        if let Some(code) = expired {
            self.emit(WebhookEvent::Expired, &code, 0, "");
        }
        Ok((envelope, recipient))
    }

    fn detail(&self, code: &str) -> Result<Resp, Refusal> {
        let (envelope, recipient) = self.find(code)?;
        let inner = self.lock();
        let Some(r) = inner.sendings.get(&envelope) else {
            return Err(format!("No existe ningún envío con el código {envelope}.").into());
        };
        let s = &r.sending;
        let multi = s.is_multi_signature();
        let recipients: Vec<Value> = if multi {
            r.recipients
                .iter()
                .enumerate()
                .filter(|(i, _)| recipient.is_none_or(|n| usize::from(n) == i + 1))
                .map(|(i, p)| {
                    json!({
                        "IdDestinatario": i + 1,
                        "IdEnvio": r.id,
                        "DatoDestinatario": p.address,
                        "Estado": p.state.code(),
                        "Fecha": p.date.map(iso_datetime),
                        "MotivoRechazo": p.reason,
                    })
                })
                .collect()
        } else {
            Vec::new()
        };
        let addresses: Vec<&str> = r.recipients.iter().map(|p| p.address.as_str()).collect();
        let body = json!({
            "IdEnvio": r.id,
            "CodEnvio": r.code,
            "Id": s.customer_id(),
            "CodHash": null,
            "Asunto": s.subject(),
            "Emisor": s.sender(),
            "Usuario": s.user(),
            "Receptores": addresses.join(","),
            "FechaEnvio": iso_datetime(r.sent_at),
            "TipoEnvio": s.sending_kind().code(),
            "TipoFirma": s.signature_kind().map_or("M", SignatureKind::code),
            "Estado": r.state.code(),
            "DiasCaducidad": s.expiry_days().get(),
            "FechaFirma": r.signed_at.map(iso_datetime),
            "FechaRechazo": r.rejected_at.map(iso_datetime),
            "MotivoRechazo": r.rejection_reason,
            "Multifirma": multi,
            "ConPrioridad": s.has_priority(),
            "Pais": s.country().code(),
            "Plantilla": s.template(),
            "Documento": "",
            "Adjuntos": s.attachments().join(","),
            "DocsEnvio": r.attachments.iter().map(|(id, kind, recipient, _)| json!({
                "IdDocEnvio": id, "IdEnvio": r.id, "TipoAdjunto": kind, "IdDestinatario": recipient,
            })).collect::<Vec<_>>(),
            "Destinatarios": recipients,
        });
        Ok(json(StatusCode::OK, &body))
    }

    /// `/Document/{cod}`: the PDF in base64, as a JSON string. Fetching it while the sending
    /// is pending counts as opening it (event `A`, once).
    fn document(&self, code: &str) -> Result<Resp, Refusal> {
        let (envelope, recipient) = self.find(code)?;
        let now = self.clock.unix();
        let (pdf, opened_now) = {
            let mut inner = self.lock();
            let Some(r) = inner.sendings.get_mut(&envelope) else {
                return Err(format!("No existe ningún envío con el código {envelope}.").into());
            };
            let who = recipient.map_or_else(String::new, |n| format!(" por el destinatario {n}"));
            r.trace.push(format!(
                "{} UTC  Documento obtenido{who}",
                iso_datetime(now)
            ));
            let first = r.state == SendingState::Pending && !r.opened;
            r.opened = true;
            (r.pdf.clone(), first)
        };
        if opened_now {
            self.emit(
                WebhookEvent::Opened,
                &envelope,
                recipient.map_or(0, i64::from),
                "",
            );
        }
        Ok(json(StatusCode::OK, &Value::String(STANDARD.encode(pdf))))
    }

    fn respond(&self, code: &str, body: &[u8]) -> Result<Resp, Refusal> {
        let (envelope, recipient) = self.find(code)?;
        let response: RecipientResponse = serde_json::from_slice(body)
            .map_err(|e| format!("La respuesta del destinatario no es válida: {e}"))?;
        let now = self.clock.unix();
        let mut events = Vec::new();
        {
            let mut inner = self.lock();
            let Some(r) = inner.sendings.get_mut(&envelope) else {
                return Err(format!("No existe ningún envío con el código {envelope}.").into());
            };
            let multi = r.sending.is_multi_signature();
            let index = match (multi, recipient) {
                (true, Some(n)) => usize::from(n) - 1,
                (true, None) => {
                    return Err("En un envío multifirma el código debe incluir el destinatario (7 caracteres).".into());
                }
                (false, _) => 0,
            };
            match r.state {
                SendingState::Pending => {}
                SendingState::Signed => return Err("El envío ya está firmado.".into()),
                SendingState::Rejected => return Err("El envío ha sido rechazado.".into()),
                _ => {
                    return Err("El envío ha caducado y ya no puede firmarse ni rechazarse.".into());
                }
            }
            let signs = !matches!(response.action(), RecipientAction::Reject { .. });
            let certificate_only = r.sending.signature_kind() == Some(SignatureKind::Certificate);
            let with_certificate =
                matches!(response.action(), RecipientAction::SignWithCertificate(_));
            if signs && certificate_only && !with_certificate {
                return Err("No se pueden realizar operaciones de firma en envíos que se han generado para firmarse mediante un certificado digital.".into());
            }
            if r.recipients[index].state != RecipientState::Pending {
                return Err(format!(
                    "El destinatario {} ya ha respondido a este envío.",
                    index + 1
                )
                .into());
            }
            if multi
                && r.sending.has_priority()
                && let Some(first_pending) = r.recipients[..index]
                    .iter()
                    .position(|p| p.state != RecipientState::Signed)
            {
                return Err(format!(
                    "El envío es con prioridad: el destinatario {} no puede firmar hasta que haya firmado el destinatario {}.",
                    index + 1,
                    first_pending + 1
                )
                .into());
            }
            let id2 = if multi { index as i64 + 1 } else { 0 };
            let who = &r.recipients[index].address;
            match response.action() {
                RecipientAction::Reject { reason } => {
                    r.trace.push(format!(
                        "{} UTC  Rechazado por {who}: {reason}",
                        iso_datetime(now)
                    ));
                    let p = &mut r.recipients[index];
                    p.state = RecipientState::Rejected;
                    p.date = Some(now);
                    p.reason = Some(reason.clone());
                    r.state = SendingState::Rejected;
                    r.rejected_at = Some(now);
                    r.rejection_reason = Some(reason.clone());
                    events.push((WebhookEvent::Rejected, id2, reason.clone()));
                }
                _ => {
                    let device = &response.device();
                    r.trace.push(format!(
                        "{} UTC  Firmado por {who} ({} {}, {})",
                        iso_datetime(now),
                        device.os_name,
                        device.os_version,
                        device.device_id
                    ));
                    let p = &mut r.recipients[index];
                    p.state = RecipientState::Signed;
                    p.date = Some(now);
                    let all = r
                        .recipients
                        .iter()
                        .all(|p| p.state == RecipientState::Signed);
                    if multi {
                        events.push((WebhookEvent::Signed, id2, String::new()));
                    }
                    if all {
                        r.state = SendingState::Signed;
                        r.signed_at = Some(now);
                        r.trace.push(format!(
                            "{} UTC  Envio completamente firmado",
                            iso_datetime(now)
                        ));
                        events.push((WebhookEvent::Signed, 0, String::new()));
                    }
                }
            }
        }
        for (event, id2, comment) in events {
            self.emit(event, &envelope, id2, &comment);
        }
        Ok(ok_empty())
    }

    /// `/Attachment/{cod}`: the upload is read and checked with `firmadoc-model`; its
    /// `IdDocAdjunto` must be one of the sending's `DocsEnvio` (of that recipient, for a
    /// recipient code). The images are not kept; the attachment counts as received.
    fn attachment(&self, code: &str, body: &[u8]) -> Result<Resp, Refusal> {
        let (envelope, recipient) = self.find(code)?;
        let upload: firmadoc_model::AttachmentUpload = serde_json::from_slice(body)
            .map_err(|e| format!("Los datos del adjunto no son válidos: {e}"))?;
        let now = self.clock.unix();
        let mut inner = self.lock();
        let Some(r) = inner.sendings.get_mut(&envelope) else {
            return Err(format!("No existe ningún envío con el código {envelope}.").into());
        };
        let wanted = i64::from(upload.attachment_id);
        let Some(slot) = r.attachments.iter_mut().find(|(id, _, who, _)| {
            *id == wanted && recipient.is_none_or(|n| i64::from(n) == *who)
        }) else {
            return Err(format!("El envío no ha solicitado el adjunto {wanted}.").into());
        };
        slot.3 = true;
        let kind = slot.1.clone();
        r.trace.push(format!(
            "{} UTC  Adjunto recibido: {kind}",
            iso_datetime(now)
        ));
        Ok(ok_empty())
    }

    fn trace(&self, code: &str) -> Result<Resp, Refusal> {
        let (envelope, _) = self.find(code)?;
        let inner = self.lock();
        let Some(r) = inner.sendings.get(&envelope) else {
            return Err(format!("No existe ningún envío con el código {envelope}.").into());
        };
        let mut lines = vec![
            format!("Envio {} (IdEnvio {})", r.code, r.id),
            format!("Asunto: {}", r.sending.subject()),
            format!("Estado: {}", r.state.code()),
            String::new(),
        ];
        lines.extend(r.trace.iter().cloned());
        let pdf = crate::pdf::text_pdf(
            "FirmaDocumentos sandbox - documento de trazabilidad",
            &lines,
        );
        Ok(json(StatusCode::OK, &Value::String(STANDARD.encode(pdf))))
    }

    fn summary(&self, from: &str, to: &str) -> Result<Resp, Refusal> {
        let date = |s: &str| {
            let b = s.as_bytes();
            let ok = b.len() == 10
                && b.iter().enumerate().all(|(i, c)| {
                    if i == 4 || i == 7 {
                        *c == b'-'
                    } else {
                        c.is_ascii_digit()
                    }
                });
            ok.then(|| s.to_owned())
                .ok_or_else(|| format!("La fecha '{s}' no es válida (AAAA-MM-DD)."))
        };
        let (from, to) = (date(from)?, date(to)?);
        let inner = self.lock();
        let mut counts = [0i64; 5];
        for r in inner.sendings.values() {
            let day = iso_date(r.sent_at);
            if day < from || day > to {
                continue;
            }
            counts[0] += 1;
            let i = match r.state {
                SendingState::Pending => 1,
                SendingState::Signed => 2,
                SendingState::Rejected => 3,
                _ => 4,
            };
            counts[i] += 1;
        }
        Ok(json(
            StatusCode::OK,
            &json!({"Enviados": counts[0], "Pendientes": counts[1], "Firmados": counts[2], "Rechazados": counts[3], "Caducados": counts[4]}),
        ))
    }

    fn create_user(&self, body: &[u8]) -> Result<Resp, Refusal> {
        let user: NewUser = serde_json::from_slice(body)
            .map_err(|e| format!("Los datos del usuario no son válidos: {e}"))?;
        Ok(json(
            StatusCode::OK,
            &json!({"Nombre": user.name(), "Email": user.email(), "Contraseña": self.ids.hex(8)}),
        ))
    }

    async fn subscribe(&self, body: &[u8]) -> Result<Resp, Refusal> {
        let subscription: WebhookSubscription = serde_json::from_slice(body)
            .map_err(|e| format!("Los datos del WebHook no son válidos: {e}"))?;
        webhook::verify_echo(subscription.url(), &self.ids)
            .await
            .map_err(|e| format!("No se ha podido verificar la url del WebHook: {e}"))?;
        self.lock().subscription =
            Some((subscription.url().to_owned(), subscription.events().clone()));
        Ok(ok_empty())
    }

    fn test_event(&self, code: &str) -> Result<Resp, Refusal> {
        let event: WebhookEvent = code
            .parse()
            .map_err(|_| format!("El evento '{code}' no es válido: use A, F, R o C."))?;
        if self.lock().subscription.is_none() {
            return Err(
                "No hay ningún WebHook configurado: suscríbase antes con /webhooks/Subscribe."
                    .into(),
            );
        }
        self.emit(event, "TEST1", 0, "Evento de prueba");
        Ok(ok_empty())
    }

    /// Queues an event for the subscribed URL, if it wants that event.
    fn emit(&self, event: WebhookEvent, code: &str, id2: i64, comment: &str) {
        let Some((url, events)) = self.lock().subscription.clone() else {
            return;
        };
        if !events.contains(event) {
            return;
        }
        let _ = self.jobs.send(webhook::Job {
            url,
            secret: self.secret.clone(),
            notification: webhook::Notification {
                action: event.code().to_owned(),
                id: code.to_owned(),
                id2,
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
