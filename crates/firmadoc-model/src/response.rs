//! A recipient's answer (`POST /send/AddresseeResponse/{cod}`).

use serde::ser::SerializeMap as _;
use serde::{Deserialize, Serialize, Serializer};
use std::fmt;

use crate::base64_text::Base64Text;
use crate::device::DeviceInfo;
use crate::enums::OperationCode;
use crate::error::ModelError;
use crate::secret::Secret;

/// A handwritten signature image, PNG or JPEG, carried in base64.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureImage(Base64Text);

impl SignatureImage {
    /// Encodes a PNG or JPEG image.
    ///
    /// # Errors
    /// [`ModelError::WrongFileKind`] when the bytes start like neither a PNG
    /// (`89 50 4E 47 0D 0A 1A 0A`) nor a JPEG (`FF D8 FF`).
    pub fn new(image: impl AsRef<[u8]>) -> Result<Self, ModelError> {
        let image = image.as_ref();
        if image.starts_with(b"\x89PNG\r\n\x1a\n") || image.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Ok(Self(Base64Text::encode(image)))
        } else {
            Err(ModelError::WrongFileKind {
                field: "DatoAuxiliar",
                expected: "a PNG or JPEG signature image",
            })
        }
    }

    /// The image in base64.
    pub fn base64(&self) -> &Base64Text {
        &self.0
    }
}

/// A signing certificate: the exported PKCS#12 (`.pfx`/`.p12`) bytes and their password.
///
/// `Debug` prints neither. The guide says the operation's data is "a serialised JSON with the
/// structure `{"Password certificado":"string en base64 de los Bytes del certificado
/// exportado"}`". The crate reads this as a one-entry object whose **key is the password**
/// and whose value is the base64 of the PKCS#12 bytes (**inferred**: the guide's placeholder
/// names the key "Password certificado", i.e. the certificate's password).
#[derive(Clone, PartialEq, Eq)]
pub struct Certificate {
    pkcs12: Vec<u8>,
    password: Secret,
}

impl Certificate {
    /// A certificate and its password.
    pub fn new(pkcs12: impl Into<Vec<u8>>, password: impl Into<String>) -> Self {
        Self {
            pkcs12: pkcs12.into(),
            password: Secret::new(password),
        }
    }

    /// The PKCS#12 bytes.
    ///
    /// # Security
    /// They hold a private key: do not log them.
    pub fn pkcs12(&self) -> &[u8] {
        &self.pkcs12
    }

    /// The password.
    pub fn password(&self) -> &Secret {
        &self.password
    }

    /// The `DatoAuxiliar` text: `{"<password>":"<base64 of the PKCS#12>"}`.
    fn to_auxiliary(&self) -> String {
        let mut map = serde_json::Map::new();
        map.insert(
            self.password.expose().to_owned(),
            serde_json::Value::String(Base64Text::encode(&self.pkcs12).as_str().to_owned()),
        );
        serde_json::Value::Object(map).to_string()
    }

    fn from_auxiliary(text: &str) -> Result<Self, ModelError> {
        let bad = |reason| ModelError::BadAuxiliaryData {
            operation: "FC",
            reason,
        };
        let map: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(text).map_err(|_| bad("it is not a JSON object"))?;
        let mut entries = map.into_iter();
        let (Some((password, value)), None) = (entries.next(), entries.next()) else {
            return Err(bad("the JSON object must have exactly one entry"));
        };
        let serde_json::Value::String(b64) = value else {
            return Err(bad("the entry's value must be a base64 string"));
        };
        let pkcs12 = Base64Text::from_encoded(b64)
            .decode()
            .map_err(|_| bad("the certificate is not valid base64"))?;
        Ok(Self::new(pkcs12, password))
    }
}

impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Certificate([redacted])")
    }
}

/// What the recipient does (`Operacion`), with its data (`DatoAuxiliar`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RecipientAction {
    /// `F`: sign with a handwritten signature image.
    Sign(SignatureImage),
    /// `R`: reject, giving a reason.
    Reject {
        /// Why the recipient rejects the document.
        reason: String,
    },
    /// `FC`: sign with a certificate.
    SignWithCertificate(Certificate),
    /// `FS`: simple signature with the signer's name; empty uses the recipient as given in
    /// `Receptores`.
    SimpleSign {
        /// The signer's name, or empty.
        name: String,
    },
}

impl RecipientAction {
    /// The `Operacion` code.
    pub fn operation(&self) -> OperationCode {
        match self {
            Self::Sign(_) => OperationCode::Sign,
            Self::Reject { .. } => OperationCode::Reject,
            Self::SignWithCertificate(_) => OperationCode::SignWithCertificate,
            Self::SimpleSign { .. } => OperationCode::SimpleSign,
        }
    }

    fn auxiliary(&self) -> String {
        match self {
            Self::Sign(image) => image.0.as_str().to_owned(),
            Self::Reject { reason } => reason.clone(),
            Self::SignWithCertificate(cert) => cert.to_auxiliary(),
            Self::SimpleSign { name } => name.clone(),
        }
    }
}

/// A recipient's answer (`POST /send/AddresseeResponse/{cod}`): sign or reject, with the
/// device used, which the service records in the trace document.
///
/// Serialised, the certificate and its password are in the body: do not log it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "ResponseWire")]
pub struct RecipientResponse {
    action: RecipientAction,
    device: DeviceInfo,
}

impl RecipientResponse {
    /// An answer.
    ///
    /// # Errors
    /// [`ModelError::Missing`] for a rejection without a reason (the guide: the data "debe
    /// contener un texto indicando el motivo").
    pub fn new(action: RecipientAction, device: DeviceInfo) -> Result<Self, ModelError> {
        if let RecipientAction::Reject { reason } = &action {
            if reason.trim().is_empty() {
                return Err(ModelError::Missing {
                    field: "DatoAuxiliar",
                });
            }
        }
        Ok(Self { action, device })
    }

    /// `Operacion` and `DatoAuxiliar`.
    #[doc(alias = "Operacion", alias = "DatoAuxiliar")]
    pub fn action(&self) -> &RecipientAction {
        &self.action
    }

    /// The device properties.
    pub fn device(&self) -> &DeviceInfo {
        &self.device
    }
}

#[derive(Deserialize)]
struct ResponseWire {
    #[serde(rename = "Operacion")]
    operation: OperationCode,
    #[serde(rename = "DatoAuxiliar", default)]
    auxiliary: String,
    #[serde(flatten)]
    device: DeviceInfo,
}

impl TryFrom<ResponseWire> for RecipientResponse {
    type Error = ModelError;
    fn try_from(w: ResponseWire) -> Result<Self, Self::Error> {
        let action = match w.operation {
            OperationCode::Sign => {
                let image = Base64Text::from_encoded(w.auxiliary)
                    .decode()
                    .map_err(|_| ModelError::BadAuxiliaryData {
                        operation: "F",
                        reason: "the signature image is not valid base64",
                    })?;
                RecipientAction::Sign(SignatureImage::new(image)?)
            }
            OperationCode::Reject => RecipientAction::Reject {
                reason: w.auxiliary,
            },
            OperationCode::SignWithCertificate => {
                RecipientAction::SignWithCertificate(Certificate::from_auxiliary(&w.auxiliary)?)
            }
            OperationCode::SimpleSign => RecipientAction::SimpleSign { name: w.auxiliary },
        };
        Self::new(action, w.device)
    }
}

impl Serialize for RecipientResponse {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let d = &self.device;
        let mut map = serializer.serialize_map(Some(7))?;
        map.serialize_entry("Operacion", &self.action.operation())?;
        map.serialize_entry("DatoAuxiliar", &self.action.auxiliary())?;
        map.serialize_entry("OsName", &d.os_name)?;
        map.serialize_entry("OSVersion", &d.os_version)?;
        map.serialize_entry("Model", &d.model)?;
        map.serialize_entry("Username", &d.username)?;
        map.serialize_entry("DeviceID", &d.device_id)?;
        map.end()
    }
}
