//! Binary content carried as a base64 string.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};
use std::fmt;

use crate::error::Base64Error;

/// A file (PDF document, seal or signature image, attachment photo) carried as base64 text.
///
/// Built from bytes with [`Base64Text::encode`], it holds the standard base64 (RFC 4648 §4,
/// with padding) of those bytes. Read from JSON, it keeps the text exactly as received, without
/// decoding it, so a body re-serialises unchanged and a large document is not decoded unless
/// asked ([`Base64Text::decode`]). `Debug` prints only the length, never the content.
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Base64Text(String);

impl Base64Text {
    /// Encodes `bytes` in standard base64.
    pub fn encode(bytes: impl AsRef<[u8]>) -> Self {
        Self(STANDARD.encode(bytes))
    }

    /// Keeps an already-encoded text as it is, without checking it.
    pub fn from_encoded(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    /// Reads the body of a reply whose content is a base64 string: `/send/Document/{cod}`
    /// (the PDF) and `/send/Trace/{cod}` (the trace document).
    ///
    /// The guide says only "Response Content-Type: string". An ASP.NET Web API action
    /// returning a string writes it as a JSON string (`"JVBERi0…"`), so a body in quotes is
    /// read as JSON; any other body is taken as the bare text, surrounding whitespace removed.
    /// **Inferred**: check against a real reply.
    pub fn from_text_reply(body: &str) -> Self {
        let body = body.trim();
        if body.starts_with('"') {
            if let Ok(text) = serde_json::from_str::<String>(body) {
                return Self(text);
            }
        }
        Self(body.to_owned())
    }

    /// Decodes the text.
    ///
    /// # Errors
    /// [`Base64Error`] when the text is not standard base64 with padding.
    pub fn decode(&self) -> Result<Vec<u8>, Base64Error> {
        STANDARD.decode(&self.0).map_err(|e| Base64Error {
            reason: e.to_string(),
        })
    }

    /// The base64 text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the text is empty (the guide's way of saying "no file").
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Base64Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Base64Text({} chars)", self.0.len())
    }
}
