//! The `cod` of a URL: a sending's 5 characters, or those plus the recipient in two
//! hexadecimal digits ("el parámetro cod será “XJH290C” ya que 12 = 0C en hexadecimal").

use super::fields::Refusal;

/// A parsed `cod`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Cod {
    /// The sending's 5 characters (upper case).
    pub(crate) envelope: String,
    /// The recipient, when 7 characters were given.
    pub(crate) recipient: Option<u8>,
}

impl Cod {
    pub(crate) fn parse(text: &str) -> Result<Self, Refusal> {
        let bad = || -> Refusal {
            format!(
                "El parámetro cod '{text}' no es válido: debe tener los 5 caracteres del código del envío, más dos caracteres con el identificador del destinatario en hexadecimal en un envío multifirma (por ejemplo XJH290C)."
            )
            .into()
        };
        if !text.is_ascii() || !text.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(bad());
        }
        let upper = text.to_ascii_uppercase();
        match upper.len() {
            5 => Ok(Self {
                envelope: upper,
                recipient: None,
            }),
            7 => {
                let recipient = u8::from_str_radix(&upper[5..], 16).map_err(|_| bad())?;
                Ok(Self {
                    envelope: upper[..5].to_owned(),
                    recipient: Some(recipient),
                })
            }
            _ => Err(bad()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Cod;

    #[test]
    fn the_guides_example() {
        let c = Cod::parse("XJH290C").unwrap();
        assert_eq!((c.envelope.as_str(), c.recipient), ("XJH29", Some(12)));
        assert_eq!(Cod::parse("xjh29").unwrap().recipient, None);
        for bad in ["XJH2", "XJH290G", "XJH29-1", "XJH2900A"] {
            assert!(Cod::parse(bad).unwrap_err().0.contains("cod"), "{bad}");
        }
    }
}
