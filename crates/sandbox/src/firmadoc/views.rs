//! Templates, sendings, detail, document, trace, admin calls and the webhook subscription.

use std::collections::BTreeSet;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::StatusCode;
use md5::Digest as _;
use serde_json::{Value, json};

use super::code::Cod;
use super::fields::{Fields, Refusal, cut, list, object};
use super::sending::{self, Attachment};
use super::state::{self, PENDING, Recipient, Record};
use super::{Firmadoc, envelope_code, ok_empty, template, webhook};
use crate::civil::{iso_date, iso_datetime};
use crate::server::{Resp, json};

impl Firmadoc {
    pub(super) fn set_template(&self, body: &[u8]) -> Result<Resp, Refusal> {
        let t = template::parse(body)?;
        self.lock().templates.insert(t.name.to_lowercase(), t);
        Ok(ok_empty())
    }

    pub(super) fn create_sending(&self, body: &[u8]) -> Result<Resp, Refusal> {
        let data = sending::parse(body)?;
        let now = self.clock.unix();
        let mut inner = self.lock();
        // "debe haber una correspondencia en las propiedades Multifirma y Plantilla, de forma
        // que no se puede indicar una plantilla que no sea multifirma si indicamos que la
        // propiedad multifirma es true." (That the template must exist is inferred.)
        let template = inner
            .templates
            .get(&data.template.to_lowercase())
            .ok_or_else(|| {
                format!(
                    "La plantilla '{}' del parámetro Plantilla no existe: créela antes con /send/Template.",
                    data.template
                )
            })?;
        if data.multi && !template.multi {
            return Err(format!(
                "No se puede indicar una plantilla que no sea multifirma ('{}') si la propiedad Multifirma es true.",
                template.name
            )
            .into());
        }
        // IdDestinatario is a Byte: at most 255 recipients in one multi-signature sending.
        if data.multi && data.recipients.len() > 255 {
            return Err("Un envío multifirma admite como máximo 255 destinatarios (IdDestinatario es de tipo Byte).".into());
        }
        // "Si el envío no es multifirma y se indican varios destinatarios en la propiedad
        // Receptores, se generarán tantos envíos independientes como destinatarios"
        let groups: Vec<Vec<String>> = if data.multi {
            vec![data.recipients.clone()]
        } else {
            data.recipients.iter().map(|r| vec![r.clone()]).collect()
        };
        let needed = i64::try_from(groups.len()).unwrap_or(i64::MAX);
        if inner.budget < needed {
            return Err("No dispone de envíos suficientes en su plan contratado.".into());
        }
        inner.budget -= needed;
        let md5 = hex(&md5::Md5::digest(&data.pdf));
        let mut reply = Vec::new();
        for group in groups {
            inner.next_id += 1;
            let ids: Vec<u8> = if data.multi {
                (1..=group.len()).map(|n| n as u8).collect()
            } else {
                vec![0]
            };
            let mut attachments = Vec::new();
            for kind in &data.attachments {
                for r in &ids {
                    inner.next_doc += 1;
                    attachments.push(Attachment {
                        id: inner.next_doc,
                        kind: kind.clone(),
                        recipient: *r,
                        photos: None,
                        orders: BTreeSet::new(),
                    });
                }
            }
            let code = loop {
                let c = envelope_code(&self.ids);
                if !inner.sendings.contains_key(&c) {
                    break c;
                }
            };
            // "Cuando el tipo de envío sea por enlace (“L”), esta propiedad contendrá la url"
            let url = (data.kind == "L").then(|| format!("{}/firmar/{code}", self.base));
            reply.push(json!({"IdEnvio": inner.next_id, "CodEnvio": code, "UrlEnvio": url}));
            let record = Record {
                id: inner.next_id,
                code: code.clone(),
                data: data.clone(),
                recipients: group
                    .into_iter()
                    .map(|address| Recipient {
                        address,
                        state: PENDING,
                        date: None,
                        reason: None,
                        opened: false,
                    })
                    .collect(),
                state: PENDING,
                sent_at: now,
                signed_at: None,
                rejected_at: None,
                rejection_reason: None,
                md5: md5.clone(),
                attachments,
                trace: vec![format!(
                    "{} UTC  Envio creado ({} destinatarios)",
                    iso_datetime(now),
                    data.recipients.len()
                )],
            };
            inner.sendings.insert(code, record);
        }
        Ok(json(StatusCode::OK, &Value::Array(reply)))
    }

    /// Writes to the trace that `who` looked at a pending sending (`what`), with the
    /// device of the body: "Esta información se guarda en el registro de trazabilidad
    /// cuando se llama a este servicio web estando el envío en estado Pendiente."
    /// Returns the recipient that opened it for the first time, if any.
    fn consulted(
        &self,
        cod: &Cod,
        body: &[u8],
        what: &str,
        opens: bool,
    ) -> Result<Option<(String, u8)>, Refusal> {
        let map = object(body)?;
        let device = state::device(&map);
        let now = self.clock.unix();
        let mut inner = self.lock();
        let r = find(&mut inner.sendings, cod)?;
        let who = r.recipient(cod)?;
        if r.state != PENDING {
            return Ok(None);
        }
        let by = match who {
            Some((i, _)) => format!(" por {}", r.recipients[i].address),
            None => " por el remitente".to_owned(),
        };
        let from = device.map_or_else(String::new, |d| format!(" desde {d}"));
        r.trace
            .push(format!("{} UTC  {what}{by}{from}", iso_datetime(now)));
        let Some((i, id2)) = who else { return Ok(None) };
        if !opens || r.recipients[i].opened {
            return Ok(None);
        }
        r.recipients[i].opened = true;
        Ok(Some((r.code.clone(), id2)))
    }

    /// `/Sending/{cod}`: the detail. While pending, the device info goes to the trace.
    pub(super) fn detail(&self, code: &str, body: &[u8]) -> Result<Resp, Refusal> {
        let cod = Cod::parse(code)?;
        self.consulted(&cod, body, "Envio consultado", false)?;
        let mut inner = self.lock();
        let r = find(&mut inner.sendings, &cod)?;
        let s = &r.data;
        let only = r.recipient(&cod)?.map(|(i, _)| i);
        let recipients: Vec<Value> = if s.multi {
            r.recipients
                .iter()
                .enumerate()
                .filter(|(i, _)| only.is_none_or(|n| n == *i))
                .map(|(i, p)| {
                    json!({
                        "IdDestinatario": i + 1,
                        "IdEnvio": r.id,
                        "DatoDestinatario": p.address,
                        "Estado": p.state,
                        "Fecha": p.date.map(iso_datetime),
                        "MotivoRechazo": p.reason,
                    })
                })
                .collect()
        } else {
            Vec::new()
        };
        // A recipient's code narrows the requested attachments to that recipient's.
        let narrowed = if s.multi {
            only.and_then(|i| u8::try_from(i + 1).ok())
        } else {
            None
        };
        let addresses: Vec<&str> = r.recipients.iter().map(|p| p.address.as_str()).collect();
        let body = json!({
            "IdEnvio": r.id,
            "CodEnvio": r.code,
            "Id": s.customer_id,
            // "Código hash MD5 generado a partir del contenido del archivo pdf"
            "CodHash": r.md5,
            "Asunto": s.subject,
            "Emisor": s.sender,
            "Usuario": (!s.user.is_empty()).then_some(s.user.as_str()),
            "Receptores": addresses.join(","),
            "FechaEnvio": iso_datetime(r.sent_at),
            "TipoEnvio": s.kind,
            "TipoFirma": s.signature_kind(),
            "Estado": r.state,
            "DiasCaducidad": s.days,
            "FechaFirma": r.signed_at.map(iso_datetime),
            "FechaRechazo": r.rejected_at.map(iso_datetime),
            "MotivoRechazo": r.rejection_reason,
            "Multifirma": s.multi,
            "ConPrioridad": s.priority,
            "Pais": s.country,
            "Plantilla": s.template,
            // "Al usar este servicio web esta propiedad estará vacía."
            "Documento": "",
            // "Al usar este servicio web esta propiedad esta vacía, en su lugar se obtiene
            // una lista de los adjuntos asociados ... DocsEnvio."
            "Adjuntos": "",
            "DocsEnvio": r.attachments.iter().filter(|a| narrowed.is_none_or(|n| a.recipient == n)).map(|a| json!({
                "IdDocEnvio": a.id, "IdEnvio": r.id, "TipoAdjunto": a.kind, "IdDestinatario": a.recipient,
            })).collect::<Vec<_>>(),
            "Destinatarios": recipients,
        });
        Ok(json(StatusCode::OK, &body))
    }

    /// `/Document/{cod}`: the PDF in base64, as a JSON string. A recipient fetching it
    /// while the sending is pending opens it: event `A`, once per recipient ("se genera
    /// cuando el destinatario abre el envío"), with `id2` the recipient in a
    /// multi-signature sending. The trace records the device.
    pub(super) fn document(&self, code: &str, body: &[u8]) -> Result<Resp, Refusal> {
        let cod = Cod::parse(code)?;
        let opened = self.consulted(&cod, body, "Documento obtenido", true)?;
        let pdf = {
            let mut inner = self.lock();
            find(&mut inner.sendings, &cod)?.data.pdf.clone()
        };
        if let Some((envelope, id2)) = opened {
            self.emit('A', &envelope, id2, "");
        }
        Ok(json(StatusCode::OK, &Value::String(STANDARD.encode(pdf))))
    }

    pub(super) fn trace(&self, code: &str) -> Result<Resp, Refusal> {
        let cod = Cod::parse(code)?;
        let mut inner = self.lock();
        let r = find(&mut inner.sendings, &cod)?;
        let mut lines = vec![
            format!("Envio {} (IdEnvio {})", r.code, r.id),
            format!("Asunto: {}", r.data.subject),
            format!("Estado: {}", r.state),
            format!("CodHash (MD5): {}", r.md5),
            String::new(),
        ];
        lines.extend(r.trace.iter().cloned());
        let pdf = crate::pdf::text_pdf(
            "FirmaDocumentos sandbox - documento de trazabilidad",
            &lines,
        );
        Ok(json(StatusCode::OK, &Value::String(STANDARD.encode(pdf))))
    }

    pub(super) fn summary(&self, from: &str, to: &str) -> Result<Resp, Refusal> {
        let date = |name: &str, s: &str| {
            let b = s.as_bytes();
            let ok = b.len() == 10
                && b.iter().enumerate().all(|(i, c)| {
                    if i == 4 || i == 7 {
                        *c == b'-'
                    } else {
                        c.is_ascii_digit()
                    }
                });
            ok.then(|| s.to_owned()).ok_or_else(|| {
                format!("El parámetro {name} '{s}' no es una fecha válida (AAAA-MM-DD).")
            })
        };
        let (from, to) = (date("fromdate", from)?, date("todate", to)?);
        let inner = self.lock();
        let mut counts = [0i64; 5];
        for r in inner.sendings.values() {
            let day = iso_date(r.sent_at);
            if day < from || day > to {
                continue;
            }
            counts[0] += 1;
            let i = match r.state {
                state::PENDING => 1,
                state::SIGNED => 2,
                state::REJECTED => 3,
                _ => 4,
            };
            counts[i] += 1;
        }
        Ok(json(
            StatusCode::OK,
            &json!({"Enviados": counts[0], "Pendientes": counts[1], "Firmados": counts[2], "Rechazados": counts[3], "Caducados": counts[4]}),
        ))
    }

    /// `/Users`: "La longitud máxima del parámetro es de 50 caracteres. Si se indica un
    /// texto más largo quedará recortado a 50 caracteres." (Nombre and Email.)
    pub(super) fn create_user(&self, body: &[u8]) -> Result<Resp, Refusal> {
        let map = object(body)?;
        let f = Fields::new(&map);
        let name = cut(f.required_text("Nombre")?, 50);
        let email = cut(f.required_text("Email")?, 50);
        Ok(json(
            StatusCode::OK,
            &json!({"Nombre": name, "Email": email, "Contraseña": self.ids.hex(8)}),
        ))
    }

    /// `/Subscribe`: "Siempre se deben indicar las dos propiedades." Eventos: A, F, R, C
    /// separated by commas, "El orden en que se indiquen no importa."
    pub(super) async fn subscribe(&self, body: &[u8]) -> Result<Resp, Refusal> {
        let map = object(body)?;
        let f = Fields::new(&map);
        let url = f.required_text("Url")?.trim().to_owned();
        let mut events = BTreeSet::new();
        for e in list(f.required_text("Eventos")?) {
            let mut chars = e.chars();
            match (chars.next().map(|c| c.to_ascii_uppercase()), chars.next()) {
                (Some(c @ ('A' | 'F' | 'R' | 'C')), None) => {
                    events.insert(c);
                }
                _ => {
                    return Err(format!(
                        "El parámetro Eventos sólo admite A, F, R y C separados por comas (por ejemplo A,F,R,C), no '{e}'."
                    )
                    .into());
                }
            }
        }
        webhook::verify_echo(&url, &self.ids).await.map_err(|e| {
            format!("No se ha podido verificar la url del WebHook (parámetro Url): {e}")
        })?;
        self.lock().subscription = Some((url, events));
        Ok(ok_empty())
    }

    pub(super) fn test_event(&self, code: &str) -> Result<Resp, Refusal> {
        let event = match code.to_ascii_uppercase().as_str() {
            "A" => 'A',
            "F" => 'F',
            "R" => 'R',
            "C" => 'C',
            _ => {
                return Err(
                    format!("El parámetro evento '{code}' no es válido: use A, F, R o C.").into(),
                );
            }
        };
        if self.lock().subscription.is_none() {
            return Err(
                "No hay ningún WebHook configurado: suscríbase antes con /webhooks/Subscribe."
                    .into(),
            );
        }
        self.emit(event, "TEST1", 0, "Evento de prueba");
        Ok(ok_empty())
    }
}

/// The sending a `cod` names.
pub(super) fn find<'a>(
    sendings: &'a mut std::collections::HashMap<String, Record>,
    cod: &Cod,
) -> Result<&'a mut Record, Refusal> {
    sendings.get_mut(&cod.envelope).ok_or_else(|| {
        format!(
            "No existe ningún envío con el código {} (parámetro cod).",
            cod.envelope
        )
        .into()
    })
}

/// Lower-case hex.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
