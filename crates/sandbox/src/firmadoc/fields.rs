//! Reading request bodies the way the service does: JSON objects whose property names are
//! matched without regard to case (ASP.NET Web API with Newtonsoft), `null` taken as
//! absent, unknown properties ignored, and every refusal a Spanish sentence naming the
//! field (never a Rust type name). Over-long texts are cut, as the guide says the service
//! does ("Si se indica un texto más largo quedará recortado a N caracteres").

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value};

/// A 418 with the service's (Spanish) message.
#[derive(Debug)]
pub(crate) struct Refusal(pub(crate) String);

impl<S: Into<String>> From<S> for Refusal {
    fn from(s: S) -> Self {
        Self(s.into())
    }
}

/// The properties of one JSON object in a request body.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields<'a>(&'a Map<String, Value>);

/// Parses a body that must be a JSON object. An empty body is an empty object.
pub(crate) fn object(body: &[u8]) -> Result<Map<String, Value>, Refusal> {
    let text = std::str::from_utf8(body)
        .map_err(|_| "El cuerpo de la petición no está codificado en UTF-8.")?;
    // A byte-order mark is what some Windows tools put first; the service's reader skips it.
    let text = text.trim_start_matches('\u{feff}');
    if text.trim().is_empty() {
        return Ok(Map::new());
    }
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err("El cuerpo de la petición debe ser un objeto JSON ({...}).".into()),
        Err(e) => Err(format!(
            "El cuerpo de la petición no es un JSON válido (línea {}, columna {}).",
            e.line(),
            e.column()
        )
        .into()),
    }
}

impl<'a> Fields<'a> {
    pub(crate) fn new(map: &'a Map<String, Value>) -> Self {
        Self(map)
    }

    /// The value of `name` (exact spelling first, then any case), `None` when absent or null.
    pub(crate) fn get(&self, name: &str) -> Option<&'a Value> {
        let v = self.0.get(name).or_else(|| {
            self.0
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v)
        })?;
        (!v.is_null()).then_some(v)
    }

    /// A text property; absent or null is `None`.
    pub(crate) fn text(&self, name: &str) -> Result<Option<&'a str>, Refusal> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(format!("El parámetro {name} debe ser un texto (String).").into()),
        }
    }

    /// A text property, empty when absent.
    pub(crate) fn text_or_empty(&self, name: &str) -> Result<&'a str, Refusal> {
        Ok(self.text(name)?.unwrap_or_default())
    }

    /// A text property that must be present and not blank.
    pub(crate) fn required_text(&self, name: &str) -> Result<&'a str, Refusal> {
        match self.text(name)? {
            Some(s) if !s.trim().is_empty() => Ok(s),
            _ => Err(format!("El parámetro {name} es obligatorio.").into()),
        }
    }

    /// A text cut to `max` characters, as the service does.
    pub(crate) fn cut_text(&self, name: &str, max: usize) -> Result<String, Refusal> {
        Ok(cut(self.text_or_empty(name)?, max))
    }

    /// A boolean property (`true`/`false`; the strings "true"/"false" too, as Newtonsoft
    /// reads them); absent is `None`.
    pub(crate) fn boolean(&self, name: &str) -> Result<Option<bool>, Refusal> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Ok(Some(true)),
            Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Ok(Some(false)),
            Some(_) => Err(format!("El parámetro {name} debe ser true o false (Boolean).").into()),
        }
    }

    /// A whole number (`25`, `25.0`, or the text `"25"`, as Newtonsoft reads them) within
    /// `min..=max`; absent is `None`. `kind` is the guide's name of the type ("Byte").
    pub(crate) fn integer(
        &self,
        name: &str,
        min: i64,
        max: i64,
        kind: &str,
    ) -> Result<Option<i64>, Refusal> {
        let bad = || -> Refusal {
            format!("El parámetro {name} debe ser un número entero entre {min} y {max} ({kind}).")
                .into()
        };
        let n = match self.get(name) {
            None => return Ok(None),
            Some(Value::Number(n)) => n
                .as_i64()
                .or_else(|| {
                    n.as_f64()
                        .filter(|f| f.fract() == 0.0 && f.abs() < 1e15)
                        .map(|f| f as i64)
                })
                .ok_or_else(bad)?,
            Some(Value::String(s)) => s.trim().parse::<i64>().map_err(|_| bad())?,
            Some(_) => return Err(bad()),
        };
        if (min..=max).contains(&n) {
            Ok(Some(n))
        } else {
            Err(bad())
        }
    }

    /// A decimal number (`Single` in the guide); absent is `None`.
    pub(crate) fn number(&self, name: &str) -> Result<Option<f64>, Refusal> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Number(n)) => Ok(n.as_f64()),
            Some(Value::String(s)) => s
                .trim()
                .parse::<f64>()
                .map(Some)
                .map_err(|_| format!("El parámetro {name} debe ser un número (Single).").into()),
            Some(_) => Err(format!("El parámetro {name} debe ser un número (Single).").into()),
        }
    }

    /// A list of objects; absent is empty.
    pub(crate) fn objects(&self, name: &str) -> Result<Vec<Self>, Refusal> {
        match self.get(name) {
            None => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| match v {
                    Value::Object(m) => Ok(Fields(m)),
                    _ => Err(format!("Cada elemento de {name} debe ser un objeto JSON.").into()),
                })
                .collect(),
            Some(_) => Err(format!("El parámetro {name} debe ser una lista ([...]).").into()),
        }
    }
}

/// The first `max` characters of `s`.
pub(crate) fn cut(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

/// Decodes base64 text; white space (line breaks of MIME-style encoders) is skipped.
pub(crate) fn base64(text: &str) -> Option<Vec<u8>> {
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    STANDARD.decode(compact).ok()
}

/// A comma-separated list, each item trimmed, empty items dropped.
pub(crate) fn list(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_any_case_and_null_is_absent() {
        let m = object(br#"{"asunto": "x", "OSVERSION": "7.0", "Id": null}"#).unwrap();
        let f = Fields::new(&m);
        assert_eq!(f.text("Asunto").unwrap(), Some("x"));
        assert_eq!(f.text("OsVersion").unwrap(), Some("7.0"));
        assert_eq!(f.text("Id").unwrap(), None);
    }

    #[test]
    fn refusals_name_the_field_in_spanish() {
        let m = object(br#"{"DiasCaducidad": 300, "Multifirma": 3, "Asunto": 1}"#).unwrap();
        let f = Fields::new(&m);
        let e = f.integer("DiasCaducidad", 1, 255, "Byte").unwrap_err().0;
        assert_eq!(
            e,
            "El parámetro DiasCaducidad debe ser un número entero entre 1 y 255 (Byte)."
        );
        assert!(
            f.boolean("Multifirma")
                .unwrap_err()
                .0
                .contains("Multifirma")
        );
        assert!(f.text("Asunto").unwrap_err().0.contains("Asunto"));
        assert!(object(b"{").unwrap_err().0.contains("no es un JSON"));
    }

    #[test]
    fn cuts_by_characters() {
        assert_eq!(cut("ñañaña", 4), "ñaña");
        assert_eq!(list(" DNI , ,Nómina"), ["DNI", "Nómina"]);
        assert_eq!(base64("JVBE\r\nRg==").unwrap(), b"%PDF");
    }
}
