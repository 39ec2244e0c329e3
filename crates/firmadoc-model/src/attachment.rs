//! The attachment upload body (`POST /send/Attachment/{cod}`).

use serde::{Deserialize, Serialize};

use crate::base64_text::Base64Text;

/// One image of an attachment a recipient supplies (`POST /send/Attachment/{cod}`): for a
/// DNI, say, the front and the back are two uploads with `NumFotos` 2.
///
/// The guide states no rule between `Orden` and `NumFotos` (nor whether `Orden` counts from
/// 0 or 1), nor which image formats are accepted, so none is enforced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentUpload {
    /// `Orden`: the place of this image in the attachment.
    #[serde(rename = "Orden")]
    #[doc(alias = "Orden")]
    pub order: u8,
    /// `IdDocAdjunto`: the attachment's id, `DocsEnvio[].IdDocEnvio` of the sending detail.
    #[serde(rename = "IdDocAdjunto")]
    #[doc(alias = "IdDocAdjunto")]
    pub attachment_id: i32,
    /// `NumFotos`: how many images make up the attachment.
    #[serde(rename = "NumFotos")]
    #[doc(alias = "NumFotos")]
    pub photo_count: u8,
    /// `Imagen`: the image, in base64.
    #[serde(rename = "Imagen")]
    #[doc(alias = "Imagen")]
    pub image: Base64Text,
    /// `Archivo`: the image's file name.
    #[serde(rename = "Archivo")]
    #[doc(alias = "Archivo")]
    pub file_name: String,
}

impl AttachmentUpload {
    /// One image, encoding `image` to base64.
    pub fn new(
        attachment_id: i32,
        order: u8,
        photo_count: u8,
        image: impl AsRef<[u8]>,
        file_name: impl Into<String>,
    ) -> Self {
        Self {
            order,
            attachment_id,
            photo_count,
            image: Base64Text::encode(image),
            file_name: file_name.into(),
        }
    }
}
