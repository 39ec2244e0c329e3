//! `POST /send/Template`: read a template with only the rules the guide states.

use super::fields::{Fields, Refusal, base64, cut, object};

/// A template as the sandbox keeps it (what sendings need of it).
#[derive(Debug, Clone)]
pub(crate) struct StoredTemplate {
    /// `NomPlantilla`, cut to 40 characters.
    pub(crate) name: String,
    /// `Multifirma`.
    pub(crate) multi: bool,
}

/// "La longitud máxima del parámetro es de 40 caracteres. Si se indica un texto más largo
/// quedará recortado a 40 caracteres."
pub(crate) const NAME_MAX: usize = 40;
/// `UF.Texto`: "La longitud máxima del parámetro es de 100 caracteres. Si se indica un texto más
/// largo quedará recortado a 100 caracteres."
const TEXT_MAX: usize = 100;

/// Reads the body. Each refusal is a rule of the guide, quoted in the comment above it.
pub(crate) fn parse(body: &[u8]) -> Result<StoredTemplate, Refusal> {
    let map = object(body)?;
    let f = Fields::new(&map);
    let name = cut(f.required_text("NomPlantilla")?, NAME_MAX);
    // "Orientacion ... Valores posibles: V – Vertical, H – Horizontal"
    let orientation = f.text_or_empty("Orientacion")?;
    if !matches!(orientation, "V" | "H") {
        return Err(format!(
            "El parámetro Orientacion debe valer V (vertical) o H (horizontal), no '{orientation}'."
        )
        .into());
    }
    // "CodFormato ... Valores posibles: A4, A3, A2, A1, A5"
    let format = f.text_or_empty("CodFormato")?;
    if !matches!(format, "A1" | "A2" | "A3" | "A4" | "A5") {
        return Err(format!(
            "El parámetro CodFormato debe valer A4, A3, A2, A1 o A5, no '{format}'."
        )
        .into());
    }
    // "Sello: Imagen del sello ... codificará en un string en formato Base64. Se indica una
    // cadena vacía si no se quiere añadir un sello."
    let stamp = f.text_or_empty("Sello")?;
    if !stamp.trim().is_empty() && base64(stamp).is_none() {
        return Err("El parámetro Sello debe ser una imagen codificada en Base64, o una cadena vacía si no se quiere añadir un sello.".into());
    }
    for size in ["AltoFirma", "AnchoFirma", "AltoSello", "AnchoSello"] {
        f.number(size)?;
    }
    let multi = f.boolean("Multifirma")?.unwrap_or(false);
    // "NumeroDestinatarios ... Máx. 255" (Byte)
    f.integer("NumeroDestinatarios", 0, 255, "Byte")?;
    f.boolean("PlantillaPorDefecto")?;
    // "UbicacionFirmas ... puede haber de 1 a N elementos."
    let placements = f.objects("UbicacionFirmas")?;
    if placements.is_empty() {
        return Err(
            "El parámetro UbicacionFirmas debe tener al menos una ubicación (de 1 a N elementos)."
                .into(),
        );
    }
    for (i, p) in placements.iter().enumerate() {
        placement(p, i + 1, multi)?;
    }
    f.text("Usuario")?;
    Ok(StoredTemplate { name, multi })
}

fn placement(p: &Fields<'_>, n: usize, multi: bool) -> Result<(), Refusal> {
    let at = |field: &str| format!("UbicacionFirmas[{n}].{field}");
    let recipient = p
        .integer("IdDestinatario", 0, 255, "Byte")
        .map_err(|e| Refusal(e.0.replace("IdDestinatario", &at("IdDestinatario"))))?
        .unwrap_or(0);
    let page = p
        .integer("NumPagina", 0, i64::from(i16::MAX), "Entero 16 bits")
        .map_err(|e| Refusal(e.0.replace("NumPagina", &at("NumPagina"))))?
        .unwrap_or(0);
    // "UF.TipoFirma ... Valores posibles: F – Firma, S – Sello"
    let kind = p.text_or_empty("TipoFirma")?;
    if !matches!(kind, "F" | "S") {
        return Err(format!(
            "El parámetro {} debe valer F (firma) o S (sello), no '{kind}'.",
            at("TipoFirma")
        )
        .into());
    }
    // "si es un envío no multifirma o es una ubicación para el sello de la empresa, el valor
    // será cero."
    if recipient != 0 && (!multi || kind == "S") {
        return Err(format!(
            "El parámetro {} debe valer cero en una plantilla no multifirma o en una ubicación del sello.",
            at("IdDestinatario")
        )
        .into());
    }
    // "Si la plantilla es multifirma indicaremos el nº de destinatario a quien corresponde
    // la ubicación"
    if multi && kind == "F" && recipient == 0 {
        return Err(format!(
            "El parámetro {} debe indicar el nº de destinatario de la firma en una plantilla multifirma.",
            at("IdDestinatario")
        )
        .into());
    }
    let x = p.number("X")?.unwrap_or(0.0);
    let y = p.number("Y")?.unwrap_or(0.0);
    // "cuando se indica una ubicación por texto NumPagina, X e Y deben valer cero."
    // The text itself is cut to 100 characters.
    let text = cut(p.text_or_empty("Texto")?, TEXT_MAX);
    if !text.is_empty() && (page != 0 || x != 0.0 || y != 0.0) {
        return Err(format!(
            "Cuando se indica una ubicación por texto ({}), NumPagina, X e Y deben valer cero.",
            at("Texto")
        )
        .into());
    }
    Ok(())
}
