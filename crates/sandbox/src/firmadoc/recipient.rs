//! What recipients do: `/AddresseeResponse/{cod}` (sign or reject) and
//! `/Attachment/{cod}` (upload the images of a requested attachment).

use super::code::Cod;
use super::fields::{Fields, Refusal, base64, object};
use super::state::{self, EXPIRED, PENDING, REJECTED, Record, SIGNED};
use super::views::find;
use super::{Firmadoc, certificate, ok_empty};
use crate::civil::iso_datetime;
use crate::server::Resp;

/// "En un envío multifirma, el código siempre deberá formarse por los 5 caracteres del
/// propio código del envío más dos caracteres que representarán el identificador del
/// destinatario en el envío en hexadecimal."
fn recipient_of(r: &Record, cod: &Cod) -> Result<(usize, u8), Refusal> {
    r.recipient(cod)?.ok_or_else(|| {
        format!(
            "En un envío multifirma el parámetro cod debe formarse por los 5 caracteres del código del envío más dos caracteres con el identificador del destinatario en hexadecimal (por ejemplo {}01).",
            r.code
        )
        .into()
    })
}

/// The sending must still be pending: "su estado pasará a ser caducado y ya no podrá
/// firmarse o rechazarse".
fn still_pending(r: &Record) -> Result<(), Refusal> {
    match r.state {
        PENDING => Ok(()),
        SIGNED => Err(format!("El envío {} ya está firmado.", r.code).into()),
        REJECTED => Err(format!("El envío {} ha sido rechazado.", r.code).into()),
        EXPIRED => Err(format!(
            "El envío {} ha caducado y ya no puede firmarse ni rechazarse.",
            r.code
        )
        .into()),
        other => Err(format!("El envío {} está en estado {other}.", r.code).into()),
    }
}

impl Firmadoc {
    pub(super) fn respond(&self, code: &str, body: &[u8]) -> Result<Resp, Refusal> {
        let cod = Cod::parse(code)?;
        let map = object(body)?;
        let f = Fields::new(&map);
        // "Operación ... Valores posibles: F – Firmar con firma manuscrita, R – Rechazar, FC –
        // Firmar con certificado, FS – Firmar con firma simple"
        let op = f.text_or_empty("Operacion")?.trim().to_ascii_uppercase();
        if !matches!(op.as_str(), "F" | "R" | "FC" | "FS") {
            return Err(format!(
                "El parámetro Operacion debe valer F (firma manuscrita), R (rechazar), FC (firma con certificado) o FS (firma simple), no '{op}'."
            )
            .into());
        }
        let auxiliary = f.text_or_empty("DatoAuxiliar")?;
        let device = state::device(&map);
        let now = self.clock.unix();
        let mut events = Vec::new();
        {
            let mut inner = self.lock();
            let r = find(&mut inner.sendings, &cod)?;
            let (index, id2) = recipient_of(r, &cod)?;
            still_pending(r)?;
            if op != "R" {
                // "No se pueden realizar operaciones de firma en envíos que se han generado
                // para firmarse mediante un certificado digital." — that is, only FC there;
                // and each TipoFirma allows its own operations.
                let allowed = r.data.signing_operations();
                if !allowed.contains(&op.as_str()) {
                    let kind = r.data.signature_kind();
                    let why = if kind == "C" {
                        " No se pueden realizar operaciones de firma en envíos que se han generado para firmarse mediante un certificado digital."
                    } else {
                        ""
                    };
                    return Err(format!(
                        "La operación {op} no está permitida en un envío con TipoFirma {kind}: use {}.{why}",
                        allowed.join(" o ")
                    )
                    .into());
                }
            }
            match op.as_str() {
                // "En el caso de firma, debe contener la codificación en un string en base64
                // de la imagen de la firma del destinatario."
                "F" if auxiliary.trim().is_empty() || base64(auxiliary).is_none() => {
                    return Err("En el caso de firma (F), DatoAuxiliar debe contener la imagen de la firma del destinatario codificada en base64.".into());
                }
                // "En el caso de rechazo, debe contener un texto indicando el motivo"
                "R" if auxiliary.trim().is_empty() => {
                    return Err("En el caso de rechazo (R), DatoAuxiliar debe contener un texto indicando el motivo de rechazar la firma del documento.".into());
                }
                "FC" => certificate::check(auxiliary)?,
                _ => {}
            }
            if r.recipients[index].state != PENDING {
                return Err(format!(
                    "El destinatario {} ya ha respondido a este envío.",
                    r.recipients[index].address
                )
                .into());
            }
            // "los destinatarios deben firmar en el orden establecido; de modo que no puede
            // firmar el 2º destinatario hasta que no haya firmado el 1º"
            if r.data.multi
                && r.data.priority
                && op != "R"
                && let Some(first) = r.recipients[..index].iter().position(|p| p.state != SIGNED)
            {
                return Err(format!(
                    "El envío es con prioridad: el destinatario {} no puede firmar hasta que haya firmado el destinatario {}.",
                    index + 1,
                    first + 1
                )
                .into());
            }
            // "si se han solicitado adjuntos, cada uno de ellos tendrá que aportar dichos
            // adjuntos": a recipient signs once their requested attachments are complete.
            if op != "R"
                && let Some(missing) = r
                    .attachments
                    .iter()
                    .find(|a| a.recipient == id2 && !a.complete())
            {
                return Err(format!(
                    "Falta el adjunto solicitado {} (IdDocEnvio {}): súbalo con /send/Attachment antes de firmar.",
                    missing.kind, missing.id
                )
                .into());
            }
            let who = r.recipients[index].address.clone();
            let from = device.map_or_else(String::new, |d| format!(" desde {d}"));
            let p = &mut r.recipients[index];
            p.date = Some(now);
            if op == "R" {
                p.state = REJECTED;
                p.reason = Some(auxiliary.to_owned());
                r.trace.push(format!(
                    "{} UTC  Rechazado por {who}{from}: {auxiliary}",
                    iso_datetime(now)
                ));
                // "cuando uno de ellos lo rechace, el envío pasará al estado rechazado."
                r.state = REJECTED;
                r.rejected_at = Some(now);
                r.rejection_reason = Some(auxiliary.to_owned());
                events.push(('R', id2, auxiliary.to_owned()));
            } else {
                p.state = SIGNED;
                r.trace.push(format!(
                    "{} UTC  Firmado ({op}) por {who}{from}",
                    iso_datetime(now)
                ));
                let all = r.recipients.iter().all(|p| p.state == SIGNED);
                // "se generarán dos eventos seguidos, uno indicando la firma del
                // destinatario y otro también de firma sin indicar destinatario"
                if r.data.multi {
                    events.push(('F', id2, String::new()));
                }
                if all {
                    r.state = SIGNED;
                    r.signed_at = Some(now);
                    r.trace.push(format!(
                        "{} UTC  Envio completamente firmado",
                        iso_datetime(now)
                    ));
                    events.push(('F', 0, String::new()));
                }
            }
        }
        for (event, id2, comment) in events {
            self.emit(event, &cod.envelope, id2, &comment);
        }
        Ok(ok_empty())
    }

    /// `/Attachment/{cod}`: `IdDocAdjunto` must be one of the recipient's `DocsEnvio`;
    /// `NumFotos` ("Número de imágenes que constituyen el documento adjunto") stays the
    /// same across the images of one attachment, `Orden` fits in it, and no more images
    /// than `NumFotos` are taken. The images are not kept.
    pub(super) fn attachment(&self, code: &str, body: &[u8]) -> Result<Resp, Refusal> {
        let cod = Cod::parse(code)?;
        let map = object(body)?;
        let f = Fields::new(&map);
        let wanted = f
            .integer("IdDocAdjunto", 0, i64::from(i32::MAX), "Entero 32 bits")?
            .ok_or("El parámetro IdDocAdjunto es obligatorio (el IdDocEnvio de DocsEnvio).")?;
        let photos = f
            .integer("NumFotos", 1, 255, "Byte")?
            .ok_or("El parámetro NumFotos es obligatorio: el número de imágenes que constituyen el documento adjunto.")?;
        let order = f.integer("Orden", 0, 255, "Byte")?.unwrap_or(0);
        let image = f.required_text("Imagen")?;
        if base64(image).is_none_or(|b| b.is_empty()) {
            return Err("El parámetro Imagen debe contener la imagen codificada en Base64.".into());
        }
        let file = f.text_or_empty("Archivo")?.to_owned();
        let (photos, order) = (photos as u8, order as u8);
        let now = self.clock.unix();
        let mut inner = self.lock();
        let r = find(&mut inner.sendings, &cod)?;
        let (_, id2) = recipient_of(r, &cod)?;
        still_pending(r)?;
        let Some(slot) = r
            .attachments
            .iter_mut()
            .find(|a| a.id == wanted && a.recipient == id2)
        else {
            return Err(format!(
                "El envío {} no ha solicitado el adjunto {wanted} (IdDocAdjunto) a este destinatario: use un IdDocEnvio de DocsEnvio.",
                r.code
            )
            .into());
        };
        if let Some(n) = slot.photos
            && n != photos
        {
            return Err(format!(
                "El parámetro NumFotos ({photos}) no coincide con el de las imágenes anteriores de este adjunto ({n})."
            )
            .into());
        }
        // Orden counted from 0 or from 1 (the guide does not say): either way it is at most
        // NumFotos.
        if order > photos {
            return Err(format!(
                "El parámetro Orden ({order}) no puede ser mayor que NumFotos ({photos})."
            )
            .into());
        }
        if !slot.orders.contains(&order) && slot.orders.len() >= usize::from(photos) {
            return Err(format!(
                "Ya se han recibido las {photos} imágenes (NumFotos) del adjunto {}.",
                slot.kind
            )
            .into());
        }
        slot.photos = Some(photos);
        slot.orders.insert(order);
        let line = format!(
            "{} UTC  Adjunto {} recibido: imagen {}/{photos} ({file})",
            iso_datetime(now),
            slot.kind,
            slot.orders.len()
        );
        r.trace.push(line);
        Ok(ok_empty())
    }
}
