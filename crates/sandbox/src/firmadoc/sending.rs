//! `POST /send/Sending`: read a sending with only the rules the guide states, cut the
//! texts it says are cut, and keep what later calls need.

use std::collections::BTreeSet;

use super::fields::{Fields, Refusal, base64, cut, list, object};
use super::template::NAME_MAX;

/// The countries the guide lists: "Actualmente en FirmaDocumentos es posible realizar
/// envíos a los siguientes países: España, Alemania, Colombia, Argentina, Brasil, México,
/// Perú, EEUU y Canadá." Accents and case are not significant.
const COUNTRIES: [&str; 9] = [
    "España",
    "Alemania",
    "Colombia",
    "Argentina",
    "Brasil",
    "México",
    "Perú",
    "EEUU",
    "Canadá",
];

/// A sending's request, as the service keeps it.
#[derive(Debug, Clone)]
pub(crate) struct SendingData {
    /// `Asunto`, cut to 40.
    pub(crate) subject: String,
    /// `Emisor`, cut to 50.
    pub(crate) sender: String,
    /// `Id`, the customer's own reference.
    pub(crate) customer_id: String,
    /// `Receptores` (cut to 500), split at commas.
    pub(crate) recipients: Vec<String>,
    /// `TipoEnvio`: `S`, `E` or `L`.
    pub(crate) kind: String,
    /// `TipoFirma` as sent; empty when left out (the account's default).
    pub(crate) signature: String,
    /// `DiasCaducidad`, 1 to 255.
    pub(crate) days: u8,
    /// `Multifirma`.
    pub(crate) multi: bool,
    /// `ConPrioridad` (only meaningful when multi-signature).
    pub(crate) priority: bool,
    /// `Pais`, as sent.
    pub(crate) country: String,
    /// `Plantilla`, cut to the 40 characters a template name keeps.
    pub(crate) template: String,
    /// `Adjuntos`, split at commas.
    pub(crate) attachments: Vec<String>,
    /// `Usuario`, empty for the administrator.
    pub(crate) user: String,
    /// The decoded PDF.
    pub(crate) pdf: Vec<u8>,
}

impl SendingData {
    /// The signature kind in force: the one sent, else the account's default, which the
    /// sandbox takes to be `M` (**inferred**: the real default is a per-account setting).
    pub(crate) fn signature_kind(&self) -> &str {
        if self.signature.is_empty() {
            "M"
        } else {
            &self.signature
        }
    }

    /// The operations of `/AddresseeResponse` that sign a sending of this kind.
    pub(crate) fn signing_operations(&self) -> &'static [&'static str] {
        match self.signature_kind() {
            "C" => &["FC"],
            "A" => &["F", "FC"],
            "S" => &["FS"],
            // OTP: the guide names no API operation for it (inferred: F or FS).
            "O" => &["F", "FS"],
            _ => &["F"],
        }
    }
}

/// Reads and checks the body. Each refusal is a rule of the guide, quoted above it.
pub(crate) fn parse(body: &[u8]) -> Result<SendingData, Refusal> {
    let map = object(body)?;
    let f = Fields::new(&map);
    // "La longitud máxima del parámetro es de 40 caracteres. Si se indica un texto más
    // largo quedará recortado a 40 caracteres." (Asunto; Emisor 50; Receptores 500)
    let subject = f.cut_text("Asunto", 40)?;
    let sender = f.cut_text("Emisor", 50)?;
    let customer_id = f.text_or_empty("Id")?.to_owned();
    // "TipoEnvio ... Valores posibles: S – SMS, E – Email, L – Link o Enlace."
    let kind = f.text_or_empty("TipoEnvio")?.trim().to_ascii_uppercase();
    if !matches!(kind.as_str(), "S" | "E" | "L") {
        return Err(format!(
            "El parámetro TipoEnvio debe valer S (SMS), E (Email) o L (Link o Enlace), no '{kind}'."
        )
        .into());
    }
    // "TipoFirma ... Valores posibles: M, C, A, S, O ... Esta propiedad es opcional, en caso
    // de no querer rellenarla basta con dejarla vacía o simplemente no incluirla."
    let signature = f.text_or_empty("TipoFirma")?.trim().to_ascii_uppercase();
    if !matches!(signature.as_str(), "" | "M" | "C" | "A" | "S" | "O") {
        return Err(format!(
            "El parámetro TipoFirma debe valer M (manuscrita), C (certificado), A (ambas), S (simple) u O (OTP), o quedar vacío, no '{signature}'."
        )
        .into());
    }
    // "Su valor debe estar entre 1 y 255 días."
    let days = f.integer("DiasCaducidad", 1, 255, "Byte")?.ok_or(
        "El parámetro DiasCaducidad es obligatorio: su valor debe estar entre 1 y 255 días.",
    )?;
    let multi = f.boolean("Multifirma")?.unwrap_or(false);
    // "Esta propiedad sólo se tiene en cuenta en los envíos multifirma": read, ignored
    // otherwise.
    let priority = f.boolean("ConPrioridad")?.unwrap_or(false) && multi;
    // "El envío por enlace no es compatible con envíos multifirma."
    if multi && kind == "L" {
        return Err("El envío por enlace no es compatible con envíos multifirma.".into());
    }
    // "La firma mediante certificado digital no es compatible con los envíos multifirma."
    if multi && signature == "C" {
        return Err(
            "La firma mediante certificado digital no es compatible con los envíos multifirma."
                .into(),
        );
    }
    // "La firma mediante código de verificación OTP no es compatible con los envíos
    // mediante Link o enlace."
    if signature == "O" && kind == "L" {
        return Err("La firma mediante código de verificación OTP no es compatible con los envíos mediante Link o enlace.".into());
    }
    let recipients = list(&cut(f.text_or_empty("Receptores")?, 500));
    if recipients.is_empty() {
        return Err("El parámetro Receptores debe indicar al menos un destinatario.".into());
    }
    check_recipients(&kind, &recipients)?;
    let country = f.text_or_empty("Pais")?.trim().to_owned();
    if !COUNTRIES.iter().any(|c| same_name(c, &country)) {
        return Err(format!(
            "El parámetro Pais debe ser uno de los países a los que es posible realizar envíos: {}; no '{country}'.",
            COUNTRIES.join(", ")
        )
        .into());
    }
    let template = cut(f.required_text("Plantilla")?, NAME_MAX);
    // "Documento: Codificación en un string en formato Base64 del documento pdf"
    let pdf = base64(f.required_text("Documento")?)
        .filter(|d| d.starts_with(b"%PDF-"))
        .ok_or("El parámetro Documento debe ser un documento PDF codificado en Base64.")?;
    Ok(SendingData {
        subject,
        sender,
        customer_id,
        recipients,
        kind,
        signature,
        days: u8::try_from(days).unwrap_or(u8::MAX),
        multi,
        priority,
        country,
        template,
        attachments: list(f.text_or_empty("Adjuntos")?),
        user: f.text_or_empty("Usuario")?.to_owned(),
        pdf,
    })
}

/// "Si la propiedad TipoEnvio tiene el valor S (SMS), el contenido de este texto serán
/// números de móviles válidos ... E (Email) ... direcciones de correo electrónico válidas
/// ... L ... es indiferente". What makes a number or an address valid is not stated: the
/// sandbox asks only for digits (with `+`, spaces, dots or dashes) and for `local@domain`.
fn check_recipients(kind: &str, recipients: &[String]) -> Result<(), Refusal> {
    for r in recipients {
        let ok = match kind {
            "S" => {
                r.chars().filter(char::is_ascii_digit).count() >= 6
                    && r.chars()
                        .all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '.' | '-'))
            }
            "E" => r
                .split_once('@')
                .is_some_and(|(l, d)| !l.is_empty() && !d.is_empty() && !r.contains(' ')),
            _ => true,
        };
        if !ok {
            let what = if kind == "S" {
                "un número de móvil válido (TipoEnvio S)"
            } else {
                "una dirección de correo electrónico válida (TipoEnvio E)"
            };
            return Err(
                format!("El destinatario '{r}' del parámetro Receptores no es {what}.").into(),
            );
        }
    }
    Ok(())
}

/// Compares names ignoring case and the accents of Spanish vowels.
fn same_name(a: &str, b: &str) -> bool {
    let fold = |s: &str| -> String {
        s.chars()
            .map(|c| match c {
                'á' | 'Á' => 'a',
                'é' | 'É' => 'e',
                'í' | 'Í' => 'i',
                'ó' | 'Ó' => 'o',
                'ú' | 'Ú' => 'u',
                'ñ' | 'Ñ' => 'ñ',
                c => c.to_ascii_lowercase(),
            })
            .collect()
    };
    fold(a) == fold(b)
}

/// A requested attachment of one recipient (`DocsEnvio`), and the images received.
#[derive(Debug, Clone)]
pub(crate) struct Attachment {
    /// `IdDocEnvio`.
    pub(crate) id: i64,
    /// `TipoAdjunto`.
    pub(crate) kind: String,
    /// `IdDestinatario` (0 when not multi-signature).
    pub(crate) recipient: u8,
    /// `NumFotos` of the first upload.
    pub(crate) photos: Option<u8>,
    /// The `Orden` values received.
    pub(crate) orders: BTreeSet<u8>,
}

impl Attachment {
    /// All its images have arrived.
    pub(crate) fn complete(&self) -> bool {
        self.photos
            .is_some_and(|n| self.orders.len() >= usize::from(n))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn countries_ignore_case_and_accents() {
        assert!(super::same_name("Canadá", "canada"));
        assert!(super::same_name("España", "ESPAÑA"));
        assert!(!super::same_name("España", "Spain"));
    }
}
